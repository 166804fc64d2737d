//! Properties over random input (proptest): offsets and spans survive save and load, save then
//! load is the identity, segmentation keeps its invariants, and alpha behaves at the extremes.
//! (Reordering invariance of the numeric metrics: tests/reliability_published.rs.)

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use normcode::annotations::{
    Anchoring, Annotation, CoderFile, DocumentCoding, Status, anchor_all, coder_file_to_string,
    load_coder_file, parse_coder_file, read_document_of, save_coder_file, unit_quote,
};
use normcode::corpus::{
    CodePointRange, Corpus, Document, DocumentId, IndicatorId, Segmentation, UnitId, without_label,
};
use normcode::reliability::{DataBuilder, Metric, ValueKind, krippendorff_alpha};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Random documents: English, Chinese and mixed words, UN-style numbered paragraphs and lettered
// sub-paragraphs, headings, blank lines, stray white space and CRLF line ends.

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "States", "should", "cooperate", "ICT", "infrastructure", "norms", "the", "of",
            "vulnerabilities", "report.", "responsible", "(a)", "13.", "U.N.", "e.g.", "—", "“quoted”",
        ]).prop_map(str::to_string),
        3 => prop::sample::select(vec![
            "各国", "应当", "开展合作", "关键基础设施", "。", "，", "（a）", "13．", "漏洞", "负责任",
        ]).prop_map(str::to_string),
        1 => "[a-zA-Z0-9é中文😀 .,;:!?()\u{3000}\t-]{1,8}",
    ]
}

fn paragraph() -> impl Strategy<Value = String> {
    let label = prop_oneof![
        3 => Just(String::new()),
        1 => (1u32..40).prop_map(|n| format!("{n}. ")),
        1 => (1u32..40).prop_map(|n| format!("{n}．")),
        1 => prop::sample::select(vec!["(a) ", "(b) ", "（c）", "# ", "## "]).prop_map(str::to_string),
    ];
    let lines = prop::collection::vec(
        (
            prop::collection::vec(word(), 1..12),
            prop::sample::select(vec![" ", "", " "]),
        )
            .prop_map(|(words, sep)| words.join(sep)),
        1..4,
    );
    (label, lines).prop_map(|(label, lines)| format!("{label}{}", lines.join("\n")))
}

/// A whole document file: optional front matter, paragraphs separated by blank lines (some with
/// white space in them), optionally CRLF line ends.
fn document_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(
            (
                paragraph(),
                prop::sample::select(vec!["\n\n", "\n\n\n", "\n  \n", "\n"]),
            ),
            0..12,
        ),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(front, paragraphs, crlf, bom)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if front {
                text.push_str("---\ntitle: A report\nyear: 2015\n---\n");
            }
            for (paragraph, separator) in paragraphs {
                text.push_str(&paragraph);
                text.push_str(separator);
            }
            if crlf {
                text.replace('\n', "\r\n")
            } else {
                text
            }
        })
}

fn parse(id: &str, raw: &str, mode: Segmentation) -> Document {
    Document::parse(DocumentId::new(id), Path::new("doc.md"), raw, mode).unwrap()
}

fn check_segmentation(document: &Document) -> Result<(), TestCaseError> {
    let body = &document.body;
    prop_assert_eq!(document.len_chars(), body.chars().count());
    let mut ids = HashSet::new();
    let mut previous_end = 0;
    for (i, unit) in document.units.iter().enumerate() {
        let text = document.unit_text(unit);
        prop_assert!(!text.is_empty());
        prop_assert_eq!(text, text.trim(), "unit {} is not trimmed", unit.id);
        prop_assert!(
            unit.range.start >= previous_end,
            "units overlap or are out of order"
        );
        previous_end = unit.range.end;
        let by_chars: String = body
            .chars()
            .skip(unit.range.start)
            .take(unit.range.len())
            .collect();
        prop_assert_eq!(&by_chars, text);
        prop_assert_eq!(document.slice(unit.range), Some(text));
        prop_assert_eq!(document.unit_at(unit.range.start), Some(i));
        prop_assert_eq!(document.unit_at(unit.range.end - 1), Some(i));
        prop_assert!(ids.insert(unit.id.clone()), "duplicate unit id {}", unit.id);
        prop_assert_eq!(document.unit_position(&unit.id), Some(i));
        prop_assert!(text.ends_with(without_label(text)));
    }
    // Every non-blank character of the body is in a unit (nothing is lost to segmentation);
    // sentence mode may drop nothing either.
    let covered: usize = document.units.iter().map(|u| u.range.len()).sum();
    let mut in_units = vec![false; document.len_chars()];
    for unit in &document.units {
        for flag in &mut in_units[unit.range.start..unit.range.end] {
            *flag = true;
        }
    }
    prop_assert_eq!(covered, in_units.iter().filter(|&&f| f).count());
    for (c, flag) in body.chars().zip(&in_units) {
        prop_assert!(*flag || c.is_whitespace(), "{:?} is in no unit", c);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn segmentation_invariants_hold_for_any_text(raw in document_text()) {
        for mode in [Segmentation::Paragraph, Segmentation::Sentence, Segmentation::Line] {
            check_segmentation(&parse("d", &raw, mode))?;
        }
    }

    #[test]
    fn segmentation_invariants_hold_for_arbitrary_strings(raw in "(?s).{0,300}") {
        for mode in [Segmentation::Paragraph, Segmentation::Sentence, Segmentation::Line] {
            if let Ok(document) = Document::parse(DocumentId::new("d"), Path::new("d.md"), &raw, mode) {
                check_segmentation(&document)?;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Coder files.

fn time() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    prop::option::of((0i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()))
}

/// Free text as coders write it, and as hostile files hold it: any characters.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ,.;:!?'\"#&*|>%@`{}\\[\\]-]{0,40}",
        2 => "(?s).{0,40}",
        1 => prop::sample::select(vec![
            "", " ", "null", "~", "true", "no", "1.0", "0x1F", "-", "---", "...", "- a", "a: b",
            " leading", "trailing ", "two\nlines", "tab\there", "# comment", "'", "\"", "\\",
            "\u{feff}bom", "nel\u{85}", "line\u{2028}sep", "\r\n", "ends with newline\n",
            "多行\n备忘录", "*alias", "&anchor", "!tag", "%YAML", "@", "`", "|", ">",
        ]).prop_map(str::to_string),
    ]
}

fn annotation() -> impl Strategy<Value = Annotation> {
    (
        free_text(),
        prop::option::of((0usize..100_000, 0usize..1000)),
        prop::option::of(free_text()),
        prop::collection::vec(free_text(), 0..4),
        prop::option::of(free_text()),
        time(),
        time(),
    )
        .prop_map(
            |(unit, span, quote, codes, memo, created, modified)| Annotation {
                unit: UnitId::new(unit),
                span: span.map(|(start, len)| CodePointRange::new(start, start + len)),
                quote,
                codes: codes.into_iter().map(IndicatorId::new).collect(),
                suggested: Vec::new(),
                memo,
                created,
                modified,
                anchoring: Anchoring::Anchored,
            },
        )
}

fn coder_file() -> impl Strategy<Value = CoderFile> {
    let coding = (
        prop::sample::select(vec![Status::NotStarted, Status::InProgress, Status::Done]),
        prop::option::of(free_text()),
        prop::collection::vec(annotation(), 0..5),
    )
        .prop_map(|(status, memo, annotations)| {
            std::sync::Arc::new(DocumentCoding {
                status,
                memo,
                suggestions: false,
                annotations,
            })
        });
    (
        "[a-z][a-z0-9_.-]{0,10}",
        prop::option::of(free_text()),
        prop::collection::btree_map(free_text().prop_map(DocumentId::new), coding, 0..4),
    )
        .prop_map(|(coder, codebook_version, documents)| CoderFile {
            schema: 1,
            coder,
            codebook_version,
            documents,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever a coder file holds, saving it and loading it back gives the same file, as
    /// every reader sees it (tidied: repeats merged, memo line ends as `\n`).
    #[test]
    fn save_then_load_is_the_identity(file in coder_file()) {
        let text = coder_file_to_string(&file).unwrap();
        let loaded = parse_coder_file(Path::new("annotations/x.yaml"), &text);
        prop_assert!(loaded.is_ok(), "{}\n{}", loaded.unwrap_err(), text);
        let mut expected = file.clone();
        expected.tidy();
        prop_assert_eq!(loaded.unwrap(), expected, "{}", text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// One document read alone from a saved coder file (what the workspace shows before the
    /// whole file is read) is that document's coding, or nothing when it has none; when the
    /// quick reader cannot tell, it says so (`None`) rather than answer wrongly.
    #[test]
    fn one_document_read_alone_is_that_documents_coding(
        file in coder_file(),
        absent in free_text(),
    ) {
        let text = coder_file_to_string(&file).unwrap();
        let ids = file.documents.keys().cloned().chain([DocumentId::new(absent)]);
        for id in ids {
            if let Some(read) = read_document_of(&text, &id) {
                prop_assert_eq!(read.as_ref(), file.documents.get(&id).map(|c| &**c), "{:?} in\n{}", id, text);
            }
        }
    }

    /// For the ids and texts normcode writes on one line, the quick reader always answers.
    #[test]
    fn one_document_of_a_plain_coder_file_is_always_read_alone(
        ids in prop::collection::btree_set("[a-z][a-z0-9/_-]{0,12}", 1..6),
        memo in prop::option::of("[a-zA-Z ,.]{1,30}"),
        absent in "[a-z][a-z0-9/_-]{0,12}",
    ) {
        let mut file = CoderFile::new("alice", Some("1".into()));
        for (n, id) in ids.iter().enumerate() {
            let mut annotation = Annotation::new_unit(UnitId::new(format!("p{n}")), vec![IndicatorId::new("IL01")], DateTime::from_timestamp(0, 0).unwrap());
            annotation.memo = memo.clone();
            file.documents.insert(DocumentId::new(id.clone()), std::sync::Arc::new(DocumentCoding {
                status: Status::InProgress,
                memo: None,
                suggestions: false,
                annotations: vec![annotation],
            }));
        }
        let text = coder_file_to_string(&file).unwrap();
        for id in ids.iter().chain([&absent]) {
            let id = DocumentId::new(id.clone());
            let read = read_document_of(&text, &id);
            prop_assert_eq!(read, Some(file.documents.get(&id).map(|c| (**c).clone())), "{:?} in\n{}", id, text);
        }
    }
}

/// A coder file with span annotations at random places inside the units of `document`, and
/// whole-unit annotations, each with the quote the workspace writes.
fn annotate(document: &Document, picks: &[(usize, usize, usize, bool)], memo: &str) -> CoderFile {
    let mut file = CoderFile::new("prop", Some("1.0".into()));
    let mut annotations = Vec::new();
    if !document.units.is_empty() {
        for &(unit, a, b, whole) in picks {
            let unit = &document.units[unit % document.units.len()];
            let mut annotation = Annotation::new_unit(
                unit.id.clone(),
                vec![IndicatorId::new("VU01")],
                DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            );
            if whole {
                annotation.quote = Some(unit_quote(document.unit_text(unit)));
            } else {
                let len = unit.range.len();
                let start = unit.range.start + a % len;
                let end = start + 1 + b % (unit.range.end - start);
                let span = CodePointRange::new(start, end);
                annotation.quote = Some(document.slice(span).unwrap().to_string());
                annotation.span = Some(span);
            }
            annotation.memo = Some(memo.to_string());
            annotations.push(annotation);
        }
    }
    file.documents.insert(
        document.id.clone(),
        std::sync::Arc::new(DocumentCoding {
            status: Status::InProgress,
            memo: Some(memo.to_string()),
            suggestions: false,
            annotations,
        }),
    );
    file
}

fn picks() -> impl Strategy<Value = Vec<(usize, usize, usize, bool)>> {
    prop::collection::vec(
        (0usize..1000, 0usize..1000, 0usize..1000, any::<bool>()),
        0..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Spans and quotes in English, Chinese and mixed text survive a save to disk and a load:
    /// every annotation is found where it was, with the same text.
    #[test]
    fn spans_and_quotes_round_trip_through_save_and_load(
        raw in document_text(),
        picks in picks(),
        memo in free_text(),
    ) {
        let document = parse("un/report", &raw, Segmentation::Paragraph);
        // Picks may fall on one unit and span twice: such repeats are merged as read.
        let mut file = annotate(&document, &picks, &memo);
        file.tidy();
        let corpus = Corpus::from_documents(vec![document], Vec::new());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prop.yaml");
        save_coder_file(&path, &file).unwrap();
        let mut loaded = load_coder_file(&path).unwrap();
        let report = anchor_all(&mut loaded, &corpus);
        prop_assert!(report.orphaned.is_empty() && report.reanchored.is_empty(), "{:?}", report);
        prop_assert_eq!(&loaded, &file);
        let document = &corpus.documents[0];
        for a in loaded.annotations(&document.id) {
            if let Some(span) = a.span {
                prop_assert_eq!(document.slice(span), a.quote.as_deref());
                prop_assert!(document.unit(&a.unit).unwrap().range.contains_range(&span));
            }
        }
    }

    /// After an editor inserts a paragraph at the top, every annotation is placed again by its
    /// quote: none is lost, and each span still holds its quote inside one unit.
    #[test]
    fn annotations_are_found_again_after_an_insertion(
        raw in document_text(),
        picks in picks(),
        inserted in paragraph(),
    ) {
        let document = parse("d", &raw, Segmentation::Paragraph);
        let file = annotate(&document, &picks, "memo");
        let edited_raw = format!("{inserted}\n\n{}", document.body);
        let edited = parse("d", &edited_raw, Segmentation::Paragraph);
        let corpus = Corpus::from_documents(vec![edited], Vec::new());
        let mut moved = file.clone();
        let report = anchor_all(&mut moved, &corpus);
        prop_assert!(report.orphaned.is_empty(), "{:?}\n{:?}", report.orphaned, edited_raw);
        let original_reading = document.reading;
        let document = &corpus.documents[0];
        // A body without blank lines may be read as wrapped text; the inserted paragraph and
        // its blank line turn it back into one read by blank lines, so units can merge: a
        // whole-unit annotation then sits on the unit its quote starts in.
        let same_reading = document.reading == original_reading;
        for a in moved.annotations(&document.id) {
            let unit = document.unit(&a.unit).unwrap();
            let quote = a.quote.as_deref().unwrap();
            match a.span {
                Some(span) => {
                    prop_assert_eq!(document.slice(span), a.quote.as_deref());
                    prop_assert!(unit.range.contains_range(&span));
                }
                None if same_reading => prop_assert!(unit_starts_with(document.unit_text(unit), quote)),
                None => {
                    // The quote starts inside the unit (it may run on into units of its own).
                    let found = document.body[unit.bytes.start..].find(without_label(quote).trim());
                    prop_assert!(found.is_some_and(|at| at < unit.bytes.len()), "{:?} holds {:?}", a.unit, quote);
                }
            }
        }
    }
}

/// Whether a whole-unit quote matches the unit's text (see `unit_quote`).
fn unit_starts_with(text: &str, quote: &str) -> bool {
    let rest = without_label(text);
    rest.starts_with(quote) || (rest.is_empty() && text.starts_with(quote))
}

/// Found by the property above: a unit that is only a label (`(a)` on its own) had an empty
/// quote, and was orphaned once an edit changed its positional id.
#[test]
fn a_unit_that_is_only_a_label_is_found_again_after_an_edit() {
    let raw = "13. States should:\n\n(a) Cooperate;\n\n(a)\n\nStates should.\n";
    let document = parse("d", raw, Segmentation::Paragraph);
    assert_eq!(document.units[2].id.as_str(), "p3");
    let file = annotate(&document, &[(2, 0, 0, true)], "memo");
    assert_eq!(
        file.annotations(&document.id)[0].quote.as_deref(),
        Some("(a)")
    );
    let edited = parse("d", &format!("Inserted.\n\n{raw}"), Segmentation::Paragraph);
    let corpus = Corpus::from_documents(vec![edited], Vec::new());
    let mut moved = file.clone();
    let report = anchor_all(&mut moved, &corpus);
    assert!(report.orphaned.is_empty(), "{report:?}");
    assert_eq!(moved.annotations(&document.id)[0].unit.as_str(), "p4");
}

/// Found by the property above: the occurrence of a quote nearest its old place lay between
/// units (white space on a blank line), and the annotation was orphaned although its text was
/// still in a unit.
#[test]
fn a_span_is_placed_at_the_nearest_occurrence_inside_a_unit() {
    let document = parse("d", "A bc.\n\nC d.", Segmentation::Paragraph);
    let mut file = CoderFile::new("prop", None);
    let mut annotation = Annotation::new_unit(UnitId::new("p2"), vec![IndicatorId::new("X")], {
        DateTime::from_timestamp(0, 0).unwrap()
    });
    annotation.span = Some(CodePointRange::new(8, 9));
    annotation.quote = Some(" ".into());
    file.documents.insert(
        document.id.clone(),
        std::sync::Arc::new(DocumentCoding {
            annotations: vec![annotation],
            ..Default::default()
        }),
    );
    let edited = parse("d", "A bc.\n    \nC d.", Segmentation::Paragraph);
    let corpus = Corpus::from_documents(vec![edited], Vec::new());
    let report = anchor_all(&mut file, &corpus);
    assert!(report.orphaned.is_empty(), "{report:?}");
    let placed = &file.annotations(&document.id)[0];
    assert_eq!(placed.span, Some(CodePointRange::new(12, 13)));
    assert_eq!(placed.unit.as_str(), "p2");
}

// ---------------------------------------------------------------------------------------------
// Alpha at the extremes.

/// A matrix where every coder who codes a unit gives it the unit's one true value: units ×
/// (true value, which coders coded it).
fn agreement() -> impl Strategy<Value = (usize, Vec<(u8, Vec<bool>)>)> {
    (2usize..6).prop_flat_map(|coders| {
        (
            Just(coders),
            prop::collection::vec(
                (0u8..5, prop::collection::vec(any::<bool>(), coders)),
                1..20,
            ),
        )
    })
}

fn build(
    kind: ValueKind,
    entries: &[(String, String, u8)],
    coders: &[String],
) -> normcode::reliability::ReliabilityData {
    let mut builder = DataBuilder::new(kind);
    for coder in coders {
        builder.add_coder(coder);
    }
    for (unit, coder, value) in entries {
        match kind {
            ValueKind::Label => builder
                .push_label(unit, coder, &format!("v{value}"))
                .unwrap(),
            ValueKind::Number => builder.push_number(unit, coder, f64::from(*value)).unwrap(),
            ValueKind::Set => builder
                .push_set(
                    unit,
                    coder,
                    [format!("v{value}"), format!("w{}", value % 2)],
                )
                .unwrap(),
        }
    }
    builder.build().unwrap()
}

fn kind_of(metric: Metric) -> ValueKind {
    match metric {
        Metric::Nominal => ValueKind::Label,
        Metric::Masi => ValueKind::Set,
        _ => ValueKind::Number,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Perfect agreement gives alpha 1 under every metric, whenever alpha is defined; and it is
    /// defined as soon as two pairable values differ.
    #[test]
    fn alpha_is_one_for_perfect_agreement((coders, units) in agreement()) {
        let names: Vec<String> = (0..coders).map(|c| format!("c{c}")).collect();
        let mut entries = Vec::new();
        let mut pairable = HashSet::new();
        for (u, (value, who)) in units.iter().enumerate() {
            let n = who.iter().filter(|&&w| w).count();
            for (c, _) in who.iter().enumerate().filter(|(_, w)| **w) {
                entries.push((format!("u{u}"), names[c].clone(), *value));
            }
            if n >= 2 {
                pairable.insert(*value);
            }
        }
        for metric in Metric::ALL {
            let data = build(kind_of(metric), &entries, &names);
            match krippendorff_alpha(&data, metric) {
                Ok(alpha) => prop_assert!((alpha - 1.0).abs() < 1e-12, "{metric}: {alpha}"),
                Err(why) => prop_assert!(pairable.len() < 2, "{metric}: undefined ({why}) for {entries:?}"),
            }
        }
    }

    /// Alpha under every metric, MASI on sets included, does not change when coders and units
    /// are listed in another order or renamed.
    #[test]
    fn alpha_does_not_depend_on_order_or_names(
        (coders, cells, seed) in (2usize..5, 2usize..12).prop_flat_map(|(coders, units)| {
            (
                Just(coders),
                prop::collection::vec(prop::collection::vec(prop::option::weighted(0.7, 0u8..4), coders), units),
                any::<u64>(),
            )
        })
    ) {
        let names: Vec<String> = (0..coders).map(|c| format!("c{c}")).collect();
        let mut entries = Vec::new();
        for (u, row) in cells.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if let Some(value) = value {
                    entries.push((format!("u{u}"), names[c].clone(), *value));
                }
            }
        }
        // Another order (a seeded shuffle) and other names.
        let mut shuffled = entries.clone();
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        let renamed: BTreeMap<&String, String> =
            names.iter().rev().enumerate().map(|(i, n)| (n, format!("coder {i}"))).collect();
        let other: Vec<(String, String, u8)> = shuffled
            .iter()
            .map(|(u, c, v)| (format!("unit {u}"), renamed[c].clone(), *v))
            .collect();
        let mut other_names: Vec<String> = renamed.values().cloned().collect();
        other_names.reverse();
        for metric in Metric::ALL {
            let a = krippendorff_alpha(&build(kind_of(metric), &entries, &names), metric);
            let b = krippendorff_alpha(&build(kind_of(metric), &other, &other_names), metric);
            match (a, b) {
                (Ok(x), Ok(y)) => prop_assert!((x - y).abs() < 1e-9, "{metric}: {x} vs {y}"),
                (x, y) => prop_assert_eq!(x, y, "{}", metric),
            }
        }
    }
}
