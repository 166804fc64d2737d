//! Units that match the text's structure (issue 17, items 4 and 5): list items are units of
//! their own, numbered under their paragraph; wrapped text without blank lines is split by the
//! documented rule; `normcode units DOC` shows it; annotations made before survive the change.
//! Over the study-shaped corpus in tests/fixtures/study, the bundled samples, and temporary
//! projects; the real binary where a user would run it.

mod common;
use common::{repo, run, samples_copy};

use std::path::PathBuf;

use normcode::corpus::{Corpus, Document, DocumentId, Reading, Segmentation, UnitKind};
use normcode::project::Project;

fn study() -> PathBuf {
    repo().join("tests/fixtures/study")
}

fn study_corpus() -> Corpus {
    let root = study();
    Corpus::load(&root.join("documents"), &root, Segmentation::Paragraph).unwrap()
}

fn document<'c>(corpus: &'c Corpus, id: &str) -> &'c Document {
    corpus
        .get(&DocumentId::new(id))
        .unwrap_or_else(|| panic!("{id} is in the study corpus"))
}

/// (id, first words) of each unit.
fn units(document: &Document) -> Vec<(String, String)> {
    document
        .units
        .iter()
        .map(|u| {
            let text: String = document.unit_text(u).chars().take(24).collect();
            (u.id.to_string(), text)
        })
        .collect()
}

fn ids(document: &Document) -> Vec<String> {
    document.units.iter().map(|u| u.id.to_string()).collect()
}

#[test]
fn the_study_corpus_has_thirteen_texts_of_both_groups_and_languages_and_checks_clean() {
    let corpus = study_corpus();
    assert_eq!(corpus.len(), 13, "{:?}", corpus.problems);
    assert!(corpus.problems.is_empty(), "{:?}", corpus.problems);
    let publishers: std::collections::BTreeSet<String> = corpus
        .documents
        .iter()
        .map(|d| d.metadata.text("publisher").unwrap())
        .collect();
    assert_eq!(
        publishers.into_iter().collect::<Vec<_>>(),
        ["Microsoft", "UN GGE", "UN OEWG"]
    );
    let years: Vec<i64> = corpus
        .documents
        .iter()
        .map(|d| d.metadata.year().unwrap())
        .collect();
    assert!(years.iter().all(|y| (2013..=2021).contains(y)));
    let chinese = corpus
        .documents
        .iter()
        .filter(|d| d.metadata.text("language").as_deref() == Some("zh"))
        .count();
    assert_eq!(chinese, 2);
    let (code, out, err) = run(&study(), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn nine_bulleted_principles_are_nine_units_under_their_introducing_line() {
    let corpus = study_corpus();
    let d = document(&corpus, "company/company-2018-principles");
    let ids = ids(d);
    let items: Vec<&str> = ids
        .iter()
        .filter(|id| id.starts_with("p4."))
        .map(String::as_str)
        .collect();
    assert_eq!(
        items,
        [
            "p4.1", "p4.2", "p4.3", "p4.4", "p4.5", "p4.6", "p4.7", "p4.8", "p4.9"
        ]
    );
    let intro = d.unit(&"p4".into()).unwrap();
    assert_eq!(
        d.unit_text(intro),
        "We support nine principles. The principles are:",
        "the introducing line stays its own unit"
    );
    let fifth = d.unit(&"p4.5".into()).unwrap();
    assert_eq!(fifth.kind, UnitKind::ListItem);
    assert_eq!(
        d.unit_text(fifth),
        "- Curb the spread of malicious tools and techniques."
    );
    assert_eq!(ids.last().unwrap(), "p14", "the paragraph after the list");
}

#[test]
fn un_reports_keep_numbers_letters_and_get_roman_sub_items() {
    let corpus = study_corpus();
    let d = document(&corpus, "intergovernmental/gge-2015");
    assert_eq!(
        ids(d),
        [
            "p1", "1", "2", "2.a", "2.b", "2.b.i", "2.b.ii", "2.b.iii", "2.c", "2.d", "2.e", "2.f",
            "2.g", "2.h", "2.i", "2.j", "2.k", "3"
        ]
    );
    // `(i)` after `(h)` is the letter; after `(b) … including:` the numeral.
    let letter_i = d.unit(&"2.i".into()).unwrap();
    assert!(d.unit_text(letter_i).starts_with("(i) States should take"));
    let gge_2013 = document(&corpus, "intergovernmental/gge-2013");
    assert_eq!(
        ids(gge_2013),
        [
            "p1", "p2", "1", "2", "p5", "3", "p7", "4", "5", "5.a", "5.b", "5.c", "6"
        ]
    );
    let chinese = document(&corpus, "intergovernmental/gge-2017-zh");
    assert_eq!(
        units(chinese)[5..8],
        [
            (
                "2.a".to_string(),
                "（a）指定处理跨境事件的联络点；".to_string()
            ),
            (
                "2.b".to_string(),
                "（b）交流有关国家政策和术语的意见；".to_string()
            ),
            (
                "2.c".to_string(),
                "（c）协助其他国家加强保护网络的能力。".to_string()
            ),
        ]
    );
}

#[test]
fn lists_under_numbered_paragraphs_take_the_paragraph_number() {
    let corpus = study_corpus();
    let gge_2021 = document(&corpus, "intergovernmental/gge-2021");
    assert_eq!(
        ids(gge_2021),
        ["p1", "1", "2", "2.1", "2.2", "2.3", "3", "3.a", "3.b", "4"]
    );
    let oewg = document(&corpus, "intergovernmental/oewg-2021");
    assert_eq!(
        ids(oewg),
        [
            "p1", "p2", "1", "2", "2.1", "2.2", "2.3", "3", "p9", "4", "4.a", "4.b", "4.c", "5"
        ]
    );
}

#[test]
fn company_lists_in_every_style_are_items_of_their_paragraph() {
    let corpus = study_corpus();
    let cases: [(&str, &[&str]); 5] = [
        (
            "company/company-2016",
            &["p1", "p2", "p3", "p3.1", "p3.2", "p3.3", "p7"],
        ),
        (
            // `*` items with `-` items indented under the first.
            "company/company-2019",
            &["p1", "p2", "p3", "p3.1", "p3.1.1", "p3.1.2", "p3.2", "p8"],
        ),
        (
            "company/company-2020",
            &[
                "p1", "p2", "p3", "p3.1", "p3.2", "p3.3", "p7", "p7.a", "p7.b",
            ],
        ),
        (
            // Two numbered lists, each right under a line ending with a colon.
            "company/company-2021",
            &[
                "p1", "p2", "p3", "p3.1", "p3.2", "p3.3", "p7", "p8", "p8.1", "p8.2", "p11",
            ],
        ),
        (
            // Bullets touching Chinese text.
            "company/company-2017-zh",
            &["p1", "p2", "p3", "p3.1", "p3.2", "p3.3", "p7"],
        ),
    ];
    for (id, want) in cases {
        assert_eq!(ids(document(&corpus, id)), want, "{id}");
    }
    let zh = document(&corpus, "company/company-2017-zh");
    assert_eq!(
        units(zh)[4].1,
        "•各国应向厂商报告发现的漏洞；",
        "the bullet stays in the unit's text"
    );
    let plain = document(&corpus, "company/company-2014");
    assert_eq!(ids(plain), ["p1", "p2", "p3", "p4"], "no list, no change");
}

#[test]
fn pdf_like_text_without_blank_lines_is_split_by_the_documented_rule() {
    let corpus = study_corpus();
    let d = document(&corpus, "intergovernmental/oewg-2019-pdf");
    assert!(
        matches!(d.reading, Reading::Wrapped { detected: true, .. }),
        "{:?}",
        d.reading
    );
    let got = units(d);
    let want = [
        ("p1", "Report of the Open-ended"),
        ("p2", "Introduction"),
        ("1", "1. The Working Group was "),
        ("2", "2. States noted that the "),
        ("p5", "Norms of responsible beha"),
        ("3", "3. States recalled the no"),
        // The number of this paragraph was lost: its letters stay under it.
        ("p7", "States proposed that the "),
        ("p7.a", "(a) Each State should nam"),
        ("p7.b", "(b) States should report "),
        ("p7.c", "(c) States should support"),
        ("4", "4. The Working Group reco"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(id, text)| (id.to_string(), text.chars().take(24).collect()))
        .collect();
    assert_eq!(got, want);
    // A paragraph keeps its wrapped lines: the one of three lines ends where the text does.
    let first = d.unit(&"1".into()).unwrap();
    assert!(
        d.unit_text(first)
            .ends_with("in informal meetings between them.")
    );
    assert_eq!(d.unit_text(first).lines().count(), 3);
}

#[test]
fn front_matter_turns_wrapped_reading_off_or_on_and_refuses_other_values() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(study().join("codebook.yaml"), root.join("codebook.yaml")).unwrap();
    std::fs::create_dir(root.join("documents")).unwrap();
    let pdf =
        std::fs::read_to_string(study().join("documents/intergovernmental/oewg-2019-pdf.txt"))
            .unwrap();
    let off = pdf.replacen("---\ntitle", "---\nsegmentation: blank-lines\ntitle", 1);
    std::fs::write(root.join("documents/off.txt"), off).unwrap();
    let on = "---\nsegmentation: wrapped\n---\nA short title\nThe first paragraph has two \
              lines, and it goes on to the\nsecond line, where it ends.\nThe second one.\n";
    std::fs::write(root.join("documents/on.md"), on).unwrap();
    let project = Project::open(root).unwrap();
    let off = document(&project.corpus, "off");
    assert_eq!(off.reading, Reading::BlankLines);
    // Only the labels split it: the lines before `1.` are one unit.
    assert_eq!(off.units[0].id.as_str(), "p1");
    assert!(off.unit_text(&off.units[0]).contains("Introduction"));
    let on = document(&project.corpus, "on");
    assert_eq!(ids(on), ["p1", "p2", "p3"], "{:?}", units(on));

    std::fs::write(
        root.join("documents/bad.md"),
        "---\ntitle: t\nsegmentation: sentence\n---\nText.\n",
    )
    .unwrap();
    let (code, out, _) = run(root, &["check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("documents/bad.md:3:1: segmentation 'sentence' is not one of: auto, blank-lines, wrapped"),
        "{out}"
    );
}

#[test]
fn units_shows_each_unit_and_agrees_with_its_json_and_with_status() {
    let root = study();
    let (code, table, err) = run(&root, &["units", "company/company-2018-principles"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with(
            "company/company-2018-principles: 14 units; paragraphs end at blank lines"
        ),
        "{table}"
    );
    assert!(
        lines.iter().any(|l| {
            l.split_whitespace().take(4).collect::<Vec<_>>() == ["p4.9", "list", "item", "55"]
        }),
        "{table}"
    );
    let (code, json, err) = run(
        &root,
        &[
            "units",
            "company/company-2018-principles",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["reading"], "blank-lines");
    let units = json["units"].as_array().unwrap();
    // The table's rows are the JSON's units, in order.
    let rows: Vec<&str> = lines[3..]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let json_ids: Vec<&str> = units.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(rows, json_ids);
    // And the units, over the corpus, are those `status` counts.
    let (_, status, _) = run(&root, &["status", "--format", "json"]);
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let mut total = 0;
    for document in study_corpus().documents {
        let (_, json, _) = run(&root, &["units", document.id.as_str(), "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        total += json["units"].as_array().unwrap().len();
    }
    assert_eq!(Some(total as u64), status["units"].as_u64(), "{status}");

    let (code, pdf, _) = run(
        &root,
        &["units", "documents/intergovernmental/oewg-2019-pdf.txt"],
    );
    assert_eq!(code, 0);
    assert!(pdf.contains("read as wrapped text"), "{pdf}");
    assert!(pdf.contains("p7.a"), "{pdf}");
}

#[test]
fn units_reads_a_file_outside_the_corpus_and_refuses_what_is_no_document() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draft.md");
    std::fs::write(&file, "Intro:\n- one\n- two\n").unwrap();
    let (code, out, err) = run(&study(), &["units", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("p1.2"), "{out}");
    let (code, _, err) = run(&study(), &["units", "no/such-document"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'no/such-document' is neither a document of the project"),
        "{err}"
    );
    std::fs::write(&file, b"caf\xe9\n").unwrap();
    let (code, _, err) = run(&study(), &["units", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("draft.md:1:1: not UTF-8 text"), "{err}");
}

/// A coder file as normcode wrote it before list items were units: the whole paragraph, list
/// and all, was unit `p2`, coded with a unit annotation and a span annotation inside it.
const BEFORE: &str = r#"schema: 1
coder: alice
codebook_version: "1.0"
documents:
  principles:
    status: done
    annotations:
    - unit: p2
      quote: "The principles are:\n- Protect people and infrastructure from"
      codes: [CI01]
      created: "2026-10-07T09:00:00Z"
      modified: "2026-10-07T09:00:00Z"
    - unit: p2
      span:
        start: 99
        end: 129
      quote: Protect the public core of the
      codes: [CI05]
      created: "2026-10-07T09:01:00Z"
      modified: "2026-10-07T09:01:00Z"
"#;

const PRINCIPLES: &str = "---\ntitle: Principles\npublisher: Microsoft\nyear: 2018\n---\n\
    We support these principles.\n\nThe principles are:\n\
    - Protect people and infrastructure from harm.\n\
    - Protect the public core of the Internet.\n\
    - Advance norms of responsible behaviour.\n";

fn principles_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(study().join("codebook.yaml"), root.join("codebook.yaml")).unwrap();
    std::fs::create_dir_all(root.join("documents")).unwrap();
    std::fs::create_dir_all(root.join("annotations")).unwrap();
    std::fs::write(root.join("documents/principles.md"), PRINCIPLES).unwrap();
    std::fs::write(root.join("annotations/alice.yaml"), BEFORE).unwrap();
    dir
}

#[test]
fn codes_on_a_paragraph_that_became_list_items_are_reanchored_with_a_note_never_lost() {
    let dir = principles_project();
    let root = dir.path();
    let project = Project::open(root).unwrap();
    let d = document(&project.corpus, "principles");
    assert_eq!(ids(d), ["p1", "p2", "p2.1", "p2.2", "p2.3"]);
    // The span's offsets are those of the old file: they still point at its text.
    let span_text: String = d.body.chars().skip(99).take(30).collect();
    assert_eq!(span_text, "Protect the public core of the");

    let coder = project.load_coder("alice").unwrap();
    assert!(coder.anchors.orphaned.is_empty(), "{:?}", coder.anchors);
    let annotations = coder.file.annotations(&"principles".into());
    assert_eq!(annotations.len(), 2, "nothing dropped");
    let unit_codes = &annotations[0];
    assert_eq!(unit_codes.unit.as_str(), "p2", "kept on the first part");
    let span = &annotations[1];
    assert_eq!(
        span.unit.as_str(),
        "p2.2",
        "moved to the item holding its quote"
    );
    assert_eq!(span.span.map(|s| (s.start, s.end)), Some((99, 129)));

    let (code, out, _) = run(root, &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 errors, 2 warnings"), "{out}");
    assert!(
        out.contains(
            "principles: the document changed; annotation at unit p2 now found at unit p2, the \
             first of the units it was split into (p2 to p2.1, and maybe more): check which of \
             them the codes belong to"
        ),
        "{out}"
    );
    assert!(
        out.contains("annotation at unit p2 [99..129] now found at unit p2.2 [99..129]"),
        "{out}"
    );
    let (_, status, _) = run(root, &["status", "--format", "json"]);
    assert!(!status.contains("\"orphaned\": 1"), "{status}");
}

/// The bundled project loads with every annotation where it was: no id of an existing
/// document changed under its coders.
#[test]
fn the_bundled_samples_keep_every_annotation_in_place() {
    let dir = samples_copy();
    let project = Project::open(dir.path()).unwrap();
    for name in ["alice", "bob"] {
        let coder = project.load_coder(name).unwrap();
        assert!(
            coder.anchors.orphaned.is_empty(),
            "{name}: {:?}",
            coder.anchors
        );
        assert!(
            coder.anchors.reanchored.is_empty(),
            "{name}: {:?}",
            coder.anchors
        );
    }
    let paris = document(&project.corpus, "multistakeholder/paris-call-2018");
    let numbered: Vec<String> = paris
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Numbered)
        .map(|u| u.id.to_string())
        .collect();
    assert_eq!(numbered, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
}
