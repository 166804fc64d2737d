use std::path::Path;

use super::*;
use crate::corpus::{Document, Segmentation};

fn corpus(body: &str) -> Corpus {
    let doc = Document::parse(
        DocumentId::new("un/gge-2015"),
        Path::new("un/gge-2015.md"),
        body,
        Segmentation::Paragraph,
    )
    .unwrap();
    Corpus::from_documents(vec![doc], vec![])
}

const BODY: &str = "Intro paragraph.\n\n13. States should cooperate:\n(a) to report ICT vulnerabilities responsibly;\n(b) to protect 关键基础设施.\n";

fn sample_file() -> CoderFile {
    let now = "2026-10-14T09:12:00Z".parse().unwrap();
    let mut file = CoderFile::new("alice", Some("1.0".into()));
    let mut unit = Annotation::new_unit(UnitId::new("13.a"), vec!["VU01".into()], now);
    unit.memo = Some("clear case: \"responsibly\"\nsecond line".into());
    let span = Annotation {
        span: Some(CodePointRange::new(109, 115)),
        quote: Some("关键基础设施".into()),
        ..Annotation::new_unit(UnitId::new("13.b"), vec!["CI01".into(), "CI00".into()], now)
    };
    file.documents.insert(
        DocumentId::new("un/gge-2015"),
        Arc::new(DocumentCoding {
            status: Status::Done,
            memo: Some("document memo".into()),
            suggestions: false,
            annotations: vec![span, unit],
        }),
    );
    file
}

#[test]
fn save_then_load_is_the_identity_and_the_layout_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.yaml");
    let mut file = sample_file();
    let corpus = corpus(BODY);
    let report = anchor_all(&mut file, &corpus);
    assert!(report.orphaned.is_empty(), "{report:?}");
    file.normalize(&corpus);
    save_coder_file(&path, &file).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    let mut loaded = load_coder_file(&path).unwrap();
    anchor_all(&mut loaded, &corpus);
    assert_eq!(loaded, file);
    save_coder_file(&path, &loaded).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "a second save changes nothing"
    );
    // Annotations in document order, codes sorted and written on one line.
    let unit_a = first
        .find("unit: 13.a")
        .or_else(|| first.find("unit: \"13.a\""))
        .unwrap();
    let unit_b = first.find("13.b").unwrap();
    assert!(unit_a < unit_b, "{first}");
    assert!(first.contains("codes: [CI00, CI01]"), "{first}");
}

#[test]
fn whole_unit_annotations_get_the_start_of_the_unit_as_quote() {
    let mut file = sample_file();
    let report = anchor_all(&mut file, &corpus(BODY));
    // Loading blesses no text: an annotation without a quote keeps none, and is counted.
    assert_eq!(report.unquoted, 1, "{report:?}");
    assert_eq!(file.annotations(&"un/gge-2015".into())[1].quote, None);
    assert_eq!(add_quotes(&mut file, &corpus(BODY)), 1);
    let a = &file.annotations(&"un/gge-2015".into())[1];
    assert_eq!(
        a.quote.as_deref(),
        Some("to report ICT vulnerabilities responsibly;")
    );
    assert_eq!(anchor_all(&mut file, &corpus(BODY)).unquoted, 0);
    assert_eq!(add_quotes(&mut file, &corpus(BODY)), 0);
}

#[test]
fn a_unit_whose_id_now_names_other_text_does_not_keep_the_annotation() {
    let mut file = sample_file();
    anchor_all(&mut file, &corpus(BODY));
    add_quotes(&mut file, &corpus(BODY));
    // A small edit of (a) keeps its code: the quote, the unit's start, still matches.
    let small = BODY.replace("responsibly;", "responsibly; and promptly;");
    let report = anchor_all(&mut file, &corpus(&small));
    assert!(report.orphaned.is_empty(), "{report:?}");
    assert_eq!(
        file.annotations(&"un/gge-2015".into())[1].unit.as_str(),
        "13.a"
    );
    // (a) rewritten: its id names other text, and no unit starts with the quote: orphaned.
    let rewritten = BODY.replace(
        "to report ICT vulnerabilities responsibly;",
        "to exchange views on threats;",
    );
    let report = anchor_all(&mut file, &corpus(&rewritten));
    assert_eq!(report.orphaned.len(), 1, "{report:?}");
    assert!(file.annotations(&"un/gge-2015".into())[1].is_orphaned());
    // A new (a) before it: found again at (b), its new id.
    let inserted = BODY
        .replace(
            "(a) to report",
            "(a) to exchange views on threats;\n(b) to report",
        )
        .replace("(b) to protect", "(c) to protect");
    let report = anchor_all(&mut file, &corpus(&inserted));
    assert!(report.orphaned.is_empty(), "{report:?}");
    let a = &file.annotations(&"un/gge-2015".into())[1];
    assert_eq!(
        (a.unit.as_str(), a.anchoring),
        ("13.b", Anchoring::Reanchored)
    );
}

#[test]
fn edited_document_reanchors_units_and_spans_by_their_quotes() {
    let mut file = sample_file();
    anchor_all(&mut file, &corpus(BODY));
    add_quotes(&mut file, &corpus(BODY));
    // A new sub-paragraph is inserted before (a): letters shift, offsets shift.
    let edited = BODY
        .replace(
            "(a) to report",
            "(a) to share threat information;\n(b) to report",
        )
        .replace("(b) to protect", "(c) to protect");
    let report = anchor_all(&mut file, &corpus(&edited));
    assert!(report.orphaned.is_empty(), "{report:?}");
    assert_eq!(report.reanchored.len(), 2, "{report:?}");
    let annotations = file.annotations(&"un/gge-2015".into());
    let span = &annotations[0];
    assert_eq!(span.unit.as_str(), "13.c");
    let doc =
        Document::parse("d".into(), Path::new("d"), &edited, Segmentation::Paragraph).unwrap();
    assert_eq!(doc.slice(span.span.unwrap()), Some("关键基础设施"));
    assert_eq!(span.anchoring, Anchoring::Reanchored);
}

#[test]
fn annotations_that_cannot_be_placed_are_kept_and_reported() {
    let mut file = sample_file();
    anchor_all(&mut file, &corpus(BODY));
    add_quotes(&mut file, &corpus(BODY));
    let rewritten = "Intro paragraph.\n\n13. Entirely new text.\n";
    let report = anchor_all(&mut file, &corpus(rewritten));
    assert_eq!(report.orphaned.len(), 2);
    assert_eq!(file.annotation_count(), 2, "nothing is dropped");
    assert!(
        file.annotations(&"un/gge-2015".into())
            .iter()
            .all(Annotation::is_orphaned)
    );
}

#[test]
fn broken_coder_file_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bob.yaml");
    std::fs::write(
        &path,
        "schema: 1\ncoder: bob\ndocuments:\n  a:\n    status: finished\n",
    )
    .unwrap();
    let err = load_coder_file(&path).unwrap_err().to_string();
    assert!(err.contains("bob.yaml:5:13"), "{err}");
    assert!(err.contains("finished"), "{err}");
}

#[test]
fn failed_save_leaves_the_old_file_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a non-empty folder, so the final rename fails whoever runs the test.
    let target = dir.path().join("alice.yaml");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "old").unwrap();
    let err = save_coder_file(&target, &sample_file())
        .unwrap_err()
        .to_string();
    assert!(err.contains("alice.yaml"), "{err}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["alice.yaml"], "no temporary file is left behind");
    assert_eq!(std::fs::read_to_string(target.join("keep")).unwrap(), "old");
}

#[test]
fn a_second_lock_on_the_same_coder_is_refused_and_released_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let first = CoderLock::acquire(dir.path(), &CoderName::parse("alice").unwrap()).unwrap();
    let err = CoderLock::acquire(dir.path(), &CoderName::parse("alice").unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("already open"), "{err}");
    CoderLock::acquire(dir.path(), &CoderName::parse("bob").unwrap())
        .expect("another coder is fine");
    drop(first);
    CoderLock::acquire(dir.path(), &CoderName::parse("alice").unwrap())
        .expect("released when dropped");
}

#[test]
fn coder_names_are_safe_file_names() {
    assert!(valid_coder_name("alice"));
    assert!(valid_coder_name("李明"));
    assert!(!valid_coder_name("../etc"));
    assert!(!valid_coder_name(".hidden"));
    assert!(!valid_coder_name(""));
    assert!(CoderName::parse("李明").is_ok());
    for bad in ["", "/../../pwn", "a\u{1b}b", "a\nb"] {
        assert!(CoderName::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn tidy_merges_repeated_codes_and_annotations_and_memo_line_ends() {
    let text = "schema: 1\ncoder: a\ndocuments:\n  d:\n    annotations:\n      - unit: \"1\"\n        codes: [B, A, B]\n        memo: \"x\\ry\"\n      - unit: \"1\"\n        codes: [C]\n        memo: \"z\"\n      - unit: \"2\"\n        codes: [A]\n";
    let (file, merges) = parse_coder_file_reporting(Path::new("a.yaml"), text).unwrap();
    let annotations = file.annotations(&DocumentId::new("d"));
    assert_eq!(annotations.len(), 2);
    let codes: Vec<&str> = annotations[0].codes.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ["A", "B", "C"]);
    assert_eq!(annotations[0].memo.as_deref(), Some("x\ny\n\nz"));
    assert_eq!(merges, [(DocumentId::new("d"), UnitId::new("1"), 2)]);
}

#[cfg(unix)]
#[test]
fn saved_files_are_readable_by_others_and_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.yaml");
    write_atomic(&path, b"one").unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o644);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&path, b"two").unwrap();
    assert_eq!(mode(&path), 0o640);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
}

/// The hand-written writer and reader against serde-saphyr, on files full of strings that
/// need quoting, escaping or block scalars.
mod format_against_serde_saphyr {
    use chrono::DateTime;
    use proptest::prelude::*;

    use super::super::format;
    use super::*;
    use crate::yaml;

    /// Characters and words that change how YAML spells a string.
    fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            "Z",
            "0",
            "7",
            " ",
            "  ",
            ":",
            ": ",
            "#",
            " #",
            "-",
            "- ",
            "?",
            "\"",
            "'",
            "\\",
            "\n",
            "\n\n",
            "\t",
            "\r",
            "\0",
            "\u{7}",
            "\u{1b}",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "\u{a0}",
            "\u{2028}",
            "\u{2029}",
            "\u{feff}",
            "\u{fffe}",
            "é",
            "关键",
            "😀",
            ",",
            "[",
            "]",
            "{",
            "}",
            ".",
            "_",
            "+",
            "~",
            "!",
            "&",
            "*",
            "|",
            ">",
            "%",
            "@",
            "`",
            "null",
            "yes",
            "No",
            "on",
            "1",
            "1.5",
            "0x1F",
            "1:30",
            "2026-01-02",
            "2026-01-02T03:04:05Z",
            "---",
            "...",
            "<<",
            "=",
            ".inf",
            "1e3",
            "word ",
            "The international community call upon all parties ",
            "Infinity",
            "TRUE",
            "nULL",
            "y",
            "Off",
            "NaN",
            "a:b",
            "ª",
            "Ω",
            "，",
            "。",
            "“",
            "—",
            "…",
            "：",
            "\u{3000}",
            "\u{200b}",
            "\u{ad}",
            "\u{2010}",
            "\u{2027}",
            "\u{303f}",
            "\u{ff5e}",
            "\u{10ffff}",
        ]);
        prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
    }

    fn time() -> impl Strategy<Value = DateTime<Utc>> {
        (
            -62_000_000_000i64..250_000_000_000,
            prop::sample::select(vec![0u32, 1_000_000, 123_000, 5, 999_999_999]),
        )
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
    }

    fn annotation() -> impl Strategy<Value = Annotation> {
        (
            tricky_text(),
            prop::option::of((0usize..100_000, 0usize..100_000)),
            prop::option::of(tricky_text()),
            prop::collection::vec(tricky_text(), 0..4),
            prop::option::of(tricky_text()),
            prop::option::of(time()),
            prop::option::of(time()),
            prop::collection::vec(
                (
                    tricky_text(),
                    tricky_text(),
                    prop::sample::select(vec![
                        0.0f64,
                        0.83,
                        1.0,
                        0.1 + 0.2,
                        1e-7,
                        12345.678,
                        1e21,
                        -0.5,
                        0.001,
                    ]),
                ),
                0..3,
            ),
        )
            .prop_map(
                |(unit, span, quote, codes, memo, created, modified, suggested)| Annotation {
                    unit: UnitId::new(unit),
                    span: span.map(|(a, b)| CodePointRange::new(a, b)),
                    quote,
                    codes: codes.into_iter().map(IndicatorId::new).collect(),
                    suggested: suggested
                        .into_iter()
                        .map(|(code, model, score)| crate::annotations::Suggested {
                            code: IndicatorId::new(code),
                            model,
                            score,
                        })
                        .collect(),
                    memo,
                    created,
                    modified,
                    anchoring: Anchoring::Anchored,
                },
            )
    }

    /// A document's coding with `annotations` annotations.
    fn document_coding(
        annotations: std::ops::Range<usize>,
    ) -> impl Strategy<Value = Arc<DocumentCoding>> {
        (
            prop::sample::select(vec![Status::NotStarted, Status::InProgress, Status::Done]),
            prop::option::of(tricky_text()),
            prop::collection::vec(annotation(), annotations),
            any::<bool>(),
        )
            .prop_map(|(status, memo, annotations, suggestions)| {
                Arc::new(DocumentCoding {
                    status,
                    memo,
                    suggestions,
                    annotations,
                })
            })
    }

    fn coder_file() -> impl Strategy<Value = CoderFile> {
        let coding = document_coding(0..4);
        (
            tricky_text(),
            prop::option::of(tricky_text()),
            prop::collection::btree_map(tricky_text().prop_map(DocumentId::new), coding, 0..5),
        )
            .prop_map(|(coder, codebook_version, documents)| CoderFile {
                schema: 1,
                coder,
                codebook_version,
                documents,
            })
    }

    fn serde_read(text: &str) -> crate::Result<CoderFile> {
        yaml::parse(Path::new("x.yaml"), text, 0)
    }

    /// A line of `text` changed: removed, doubled, or with a character inserted or removed.
    fn mutate(text: &str, line: usize, kind: u8, at: usize, ch: char) -> String {
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        if lines.is_empty() {
            return text.to_string();
        }
        let i = line % lines.len();
        match kind % 4 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => {
                let chars: Vec<char> = lines[i].chars().collect();
                let at = at % (chars.len() + 1);
                lines[i] = chars[..at]
                    .iter()
                    .chain(std::iter::once(&ch))
                    .chain(&chars[at..])
                    .collect();
            }
            _ => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                if !chars.is_empty() {
                    chars.remove(at % chars.len());
                }
                lines[i] = chars.into_iter().collect();
            }
        }
        lines.concat()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Same bytes as serde-saphyr, read back the same by both readers.
        #[test]
        fn writer_and_reader_agree_with_serde_saphyr(file in coder_file()) {
            let expected = yaml::to_string(&file).unwrap();
            let written = format::write(&file).unwrap();
            prop_assert_eq!(&written, &expected);
            let by_serde = serde_read(&written);
            prop_assert!(by_serde.is_ok(), "{:?}\n{}", by_serde, written);
            prop_assert_eq!(by_serde.unwrap(), file.clone(), "{}", written);
            // A multi-line coder name or codebook version is left to serde-saphyr; every
            // document is read by the fast path.
            let header_inline = !file.coder.contains('\n')
                && !file.codebook_version.as_deref().is_some_and(|v| v.contains('\n'))
                && !written.starts_with("schema: 1\ncoder: >")
                && !written.contains("\ncodebook_version: >");
            let fast = format::read(&written);
            if header_inline {
                prop_assert_eq!(fast, Some(file), "{}", written);
            } else {
                prop_assert!(fast.is_none_or(|fast| fast == file), "{}", written);
            }
        }

        /// Whatever the fast reader accepts, serde-saphyr reads the same way.
        #[test]
        fn the_fast_reader_never_disagrees_on_edited_files(
            file in coder_file(),
            line in 0usize..200,
            kind in 0u8..4,
            at in 0usize..200,
            ch in prop::sample::select(vec![' ', '"', '\\', ':', '#', '-', 'x', '1', '\n', '\t', '[', ',', '{', '\'', '&', '|']),
        ) {
            let text = mutate(&format::write(&file).unwrap(), line, kind, at, ch);
            if let Some(fast) = format::read(&text) {
                let by_serde = serde_read(&text);
                prop_assert!(by_serde.is_ok(), "fast reader accepted what serde-saphyr rejects: {:?}\n{}", by_serde, text);
                prop_assert_eq!(by_serde.unwrap(), fast, "{}", text);
            }
        }
    }

    /// Strings that start with a letter, the ones our own rule may write plain.
    fn letter_first_text() -> impl Strategy<Value = String> {
        (
            "[a-zA-Zé关Ωª]",
            tricky_text(),
            "[ -~\u{80}-\u{3100}\u{fe00}-\u{ffff}]{0,6}",
        )
            .prop_map(|(first, middle, end)| format!("{first}{middle}{end}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// What our own rule writes plain, serde-saphyr writes plain, in every place.
        #[test]
        fn our_plain_strings_are_plain_to_serde_saphyr(
            s in prop_oneof![letter_first_text(), tricky_text()],
        ) {
            use super::super::scalar::{Place, is_surely_plain, serde_saphyr_spelling};
            for place in [Place::Value, Place::FlowItem, Place::Key] {
                if is_surely_plain(&s, place) {
                    let spelled = serde_saphyr_spelling(&s, place);
                    prop_assert_eq!(spelled.as_deref(), Some(s.as_str()), "{:?}", place);
                }
            }
        }
    }

    /// Files with more documents than [`coder_file`], so that they split into many chunks.
    fn coder_file_with_many_documents() -> impl Strategy<Value = CoderFile> {
        let coding = document_coding(0..3);
        prop::collection::btree_map(tricky_text().prop_map(DocumentId::new), coding, 0..24)
            .prop_map(|documents| CoderFile {
                schema: 1,
                coder: "alice".into(),
                codebook_version: Some("1.0".into()),
                documents,
            })
    }

    /// Ways of splitting a file: (threads, smallest chunk in bytes).
    const SPLITS: [(usize, usize); 4] = [(2, 1), (2, 64), (3, 1), (4, 300)];

    /// The reader on one thread, as it always read.
    fn sequential_read(text: &str) -> Option<CoderFile> {
        format::read_in_chunks(text, 1, usize::MAX)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Read in chunks on several threads, a file gives what one thread reads, and that is
        /// what serde-saphyr reads; edited files too (a rejected one is rejected either way).
        #[test]
        fn chunked_reads_equal_the_sequential_read(
            file in prop_oneof![coder_file(), coder_file_with_many_documents()],
            edit in prop::option::of((0usize..400, 0u8..4, 0usize..200, prop::sample::select(vec![' ', ':', '-', 'x', '\n', '"']))),
        ) {
            let mut text = format::write(&file).unwrap();
            if let Some((line, kind, at, ch)) = edit {
                text = mutate(&text, line, kind, at, ch);
            }
            let sequential = sequential_read(&text);
            if edit.is_none() && sequential.is_some() {
                prop_assert_eq!(sequential.as_ref(), Some(&file));
            }
            for (threads, min_chunk_bytes) in SPLITS {
                let chunked = format::read_in_chunks(&text, threads, min_chunk_bytes);
                prop_assert_eq!(&chunked, &sequential, "{} threads, {} bytes\n{}", threads, min_chunk_bytes, text);
            }
            if let Some(read) = sequential {
                prop_assert_eq!(serde_read(&text).ok(), Some(read), "{}", text);
            }
        }
    }

    #[test]
    fn a_document_twice_in_different_chunks_is_left_to_serde_saphyr() {
        let mut file = CoderFile::new("alice", Some("1.0".into()));
        for i in 0..40 {
            file.documents.insert(
                DocumentId::new(format!("doc-{i:02}")),
                Arc::new(DocumentCoding {
                    status: Status::Done,
                    memo: Some(format!("memo {i}")),
                    suggestions: false,
                    annotations: vec![],
                }),
            );
        }
        let text = format::write(&file).unwrap();
        let first = text.find("  doc-00:").unwrap();
        let second = text.find("  doc-01:").unwrap();
        let twice = format!("{text}{}", &text[first..second]);
        for (threads, min_chunk_bytes) in SPLITS {
            assert_eq!(
                format::read_in_chunks(&text, threads, min_chunk_bytes),
                Some(file.clone())
            );
            assert_eq!(
                format::read_in_chunks(&twice, threads, min_chunk_bytes),
                None
            );
        }
        assert_eq!(sequential_read(&twice), None);
        // Keys out of order are read, in either reader.
        let last = text.find("  doc-39:").unwrap();
        let swapped = format!("{}{}{}", &text[..first], &text[last..], &text[first..last]);
        for (threads, min_chunk_bytes) in SPLITS {
            assert_eq!(
                format::read_in_chunks(&swapped, threads, min_chunk_bytes),
                Some(file.clone())
            );
        }
    }

    #[test]
    fn multi_line_memos_are_read_by_the_fast_path_too() {
        let mut file = sample_file();
        file.documents.insert(
            DocumentId::new("zz"),
            Arc::new(DocumentCoding {
                status: Status::Done,
                memo: Some("first\n  second\n\n".into()),
                suggestions: false,
                annotations: vec![],
            }),
        );
        let text = format::write(&file).unwrap();
        assert!(text.contains("|"), "{text}");
        assert_eq!(format::read(&text), Some(file));
    }

    #[test]
    fn files_in_another_layout_are_left_to_serde_saphyr() {
        let text = "schema: 1\ncoder: bob\ndocuments:\n  a:\n    status: done # finished\n";
        assert_eq!(format::read(text), None);
        let text = "schema: 1\ncoder: 'bob'\ndocuments: {}\n";
        assert_eq!(format::read(text), None);
        assert!(serde_read(text).is_ok());
    }
}

#[test]
#[ignore = "timing helper: NORMCODE_CODER_FILE=path cargo test --release -- --ignored --nocapture"]
fn time_format_on_a_real_file() {
    let Ok(path) = std::env::var("NORMCODE_CODER_FILE") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let file = super::format::read(&text).expect("fast path");
        let read = t.elapsed();
        let t = std::time::Instant::now();
        let again = super::format::write(&file).unwrap();
        let write = t.elapsed();
        assert_eq!(again, text);
        let t = std::time::Instant::now();
        let copy = file.clone();
        let clone = t.elapsed();
        drop(copy);
        eprintln!("read {read:?} write {write:?} clone {clone:?}");
    }
}

#[test]
fn incremental_writes_are_the_normalized_file_and_rewrite_only_what_changed() {
    let corpus = corpus(BODY);
    let mut file = sample_file();
    anchor_all(&mut file, &corpus);
    let mut writer = IncrementalWriter::default();
    let expected = |file: &CoderFile| {
        let mut file = file.clone();
        file.normalize(&corpus);
        coder_file_to_string(&file).unwrap()
    };
    // The sample's annotations are out of order: written sorted, the file itself untouched.
    assert_eq!(writer.write(&file, &corpus).unwrap(), expected(&file));
    assert_eq!(writer.write(&file, &corpus).unwrap(), expected(&file));
    // A changed document, a new one, a removed one.
    let id = DocumentId::new("un/gge-2015");
    Arc::make_mut(file.documents.get_mut(&id).unwrap()).status = Status::InProgress;
    file.documents.insert(
        DocumentId::new("other"),
        Arc::new(DocumentCoding::default()),
    );
    assert_eq!(writer.write(&file, &corpus).unwrap(), expected(&file));
    file.documents.remove(&id);
    assert_eq!(writer.write(&file, &corpus).unwrap(), expected(&file));
    file.documents.clear();
    assert_eq!(writer.write(&file, &corpus).unwrap(), expected(&file));
}
