//! Plans on a small codebook: the text edits, the expected result, and completing from a journal.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::plan::mentions;
use super::*;
use crate::annotations::{self, Annotation, CoderFile};
use crate::codebook::Codebook;
use crate::corpus::{DocumentId, IndicatorId, UnitId};
use crate::yaml;

const BOOK: &str = "# A codebook\nname: T\nversion: 1.0   # the version\nlanguages: [en, zh]\ncategories:\n  # first group\n  - id: A\n    label: {en: A, zh: 甲}\n    indicators:\n      - id: A1\n        label: {en: One, zh: 一}\n        definition: {en: One., zh: 一。}\n        exclude:\n          - {en: \"Not A2: code A2.\", zh: 不}\n\n      # about A2\n      - id: \"A2\"\n        label: {en: Two, zh: 二}\n        definition: {en: Two., zh: 二。}\n\n  - id: B\n    label: {en: B, zh: 乙}\n    indicators:\n      - label: {en: Three, zh: 三}\n        id: B1\n        definition: {en: Three., zh: 三。}\n    categories:\n      - id: BB\n        label: {en: BB, zh: 乙乙}\n";

fn files(text: &str) -> ProjectFiles {
    ProjectFiles {
        codebook_text: text.to_string(),
        coders: Vec::new(),
        journal: None,
    }
}

fn stamp() -> Stamp {
    Stamp {
        by: "alice".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    }
}

#[test]
fn rename_replaces_the_scalar_keeps_comments_and_records_history() {
    let m = plan_rename(&files(BOOK), "A2", "A3", &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(text.contains("      - id: \"A3\"\n"), "{text}");
    assert!(text.contains("# about A2\n") && text.contains("# first group"));
    assert!(text.contains("version: \"1.1\"   # the version"), "{text}");
    assert!(text.ends_with(
        "\nhistory:\n  - version: \"1.1\"\n    date: 2026-11-27\n    by: alice\n    changes:\n      - \"Renamed indicator A2 to A3.\"\n"
    ), "{text}");
    assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
    assert!(
        m.notes[0].contains("mentions A2 on line 14"),
        "{:?}",
        m.notes
    );
}

#[test]
fn retire_inserts_at_the_key_indentation() {
    let m = plan_retire(&files(BOOK), "B1", &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(
        text.contains(
            "        definition: {en: Three., zh: 三。}\n        retired: true\n    categories:"
        ),
        "{text}"
    );
}

#[test]
fn merge_removes_the_block_and_empty_lists() {
    let m = plan_merge(
        &files(BOOK),
        &["A2".into(), "B1".into()],
        "A1",
        &Relabel::default(),
        &stamp(),
    )
    .unwrap();
    let text = m.codebook.unwrap();
    assert!(
        !text.contains("id: \"A2\"") && !text.contains("id: B1"),
        "{text}"
    );
    assert!(!text.contains("about A2"), "{text}");
    assert!(
        text.contains("  - id: B\n    label: {en: B, zh: 乙}\n    categories:"),
        "{text}"
    );
    let cb = Codebook::parse(Path::new("x"), &text).unwrap();
    assert_eq!(cb.indicators.len(), 1);
}

#[test]
fn merge_into_a_new_id_takes_the_first_place_and_texts() {
    let relabel = Relabel {
        label: LangMap::from([("en".into(), "Both".into())]),
        ..Relabel::default()
    };
    let m = plan_merge(
        &files(BOOK),
        &["A2".into(), "A1".into()],
        "AX",
        &relabel,
        &stamp(),
    )
    .unwrap();
    let cb = m.new_codebook().unwrap();
    let ax = cb.indicator(&"AX".into()).unwrap();
    assert_eq!(ax.label.get("en"), "Both");
    assert_eq!(ax.label.get("zh"), "二");
    assert_eq!(cb.categories[0].indicators.len(), 1);
}

#[test]
fn add_goes_to_the_end_of_the_list_or_creates_it() {
    let new = NewIndicator {
        id: "A9".into(),
        category: "A".into(),
        label: LangMap::from([("en".into(), "Nine".into()), ("zh".into(), "九".into())]),
        definition: LangMap::from([("en".into(), "N.".into()), ("zh".into(), "九。".into())]),
        include: vec![LangMap::from([("en".into(), "<b>\"q\"</b>".into())])],
        attributes: BTreeMap::new(),
        ..NewIndicator::default()
    };
    let m = plan_add(&files(BOOK), &new, &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(
        text.contains("二。}\n\n      - id: A9\n        label: {en: \"Nine\", zh: \"九\"}\n"),
        "{text}"
    );
    let mut sub = new.clone();
    sub.id = "BB1".into();
    sub.category = "BB".into();
    let m = plan_add(&files(BOOK), &sub, &stamp()).unwrap();
    let cb = m.new_codebook().unwrap();
    assert_eq!(cb.indicator(&"BB1".into()).unwrap().category, 2);
    let mut missing = new.clone();
    missing.label.remove("zh");
    let err = plan_add(&files(BOOK), &missing, &stamp()).unwrap_err();
    assert!(err.to_string().contains("label in 'zh'"), "{err}");
}

#[test]
fn flow_style_indicators_are_refused() {
    let text = BOOK.replace(
        "      - id: A1\n        label: {en: One, zh: 一}\n        definition: {en: One., zh: 一。}\n        exclude:\n          - {en: \"Not A2: code A2.\", zh: 不}\n",
        "      - {id: A1, label: {en: One, zh: 一}, definition: {en: One., zh: 一。}}\n",
    );
    let err = plan_retire(&files(&text), "A1", &stamp()).unwrap_err();
    assert!(err.to_string().contains("block layout"), "{err}");
}

#[test]
fn crlf_files_stay_crlf() {
    let crlf = BOOK.replace('\n', "\r\n");
    let m = plan_retire(&files(&crlf), "A2", &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    assert!(
        text.contains("二。}\r\n        retired: true\r\n"),
        "{text:?}"
    );
    let m = plan_merge(
        &files(&crlf),
        &["A1".into(), "A2".into()],
        "A1",
        &Relabel::default(),
        &stamp(),
    )
    .unwrap();
    assert!(!m.codebook.unwrap().replace("\r\n", "").contains('\n'));
}

#[test]
fn history_lists_are_extended_in_any_start_state() {
    let with_empty = BOOK.replace(
        "languages: [en, zh]\n",
        "languages: [en, zh]\nhistory: []  # none yet\n",
    );
    let m = plan_retire(&files(&with_empty), "A1", &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(
        text.contains("history: # none yet\n  - version: \"1.1\"\n    date: 2026-11-27\n"),
        "{text}"
    );
    let files2 = files(&text);
    let m = plan_retire(&files2, "A2", &stamp()).unwrap();
    let cb = m.new_codebook().unwrap();
    assert_eq!(cb.version, "1.2");
    let versions: Vec<&str> = cb.history().iter().map(|e| e.version.as_str()).collect();
    assert_eq!(versions, ["1.1", "1.2"]);
    // The new entry follows the first, before `categories:`.
    let text = m.codebook.unwrap();
    assert!(text.find("version: \"1.2\"\n    date").unwrap() < text.find("categories:").unwrap());
}

#[test]
fn the_last_indicator_of_the_file_and_empty_lists() {
    let book = format!("{BOOK}        indicators: []\n");
    let new = NewIndicator {
        id: "BB1".into(),
        category: "BB".into(),
        label: LangMap::from([("en".into(), "x".into()), ("zh".into(), "x".into())]),
        definition: LangMap::from([("en".into(), "x".into()), ("zh".into(), "x".into())]),
        ..NewIndicator::default()
    };
    let m = plan_add(&files(&book), &new, &stamp()).unwrap();
    let text = m.codebook.unwrap();
    assert!(
        text.contains("        indicators:\n          - id: BB1\n"),
        "{text}"
    );
    let m = plan_merge(
        &files(&text),
        &["BB1".into(), "A1".into()],
        "A1",
        &Relabel::default(),
        &stamp(),
    )
    .unwrap();
    let text = m.codebook.unwrap();
    assert!(text.contains("乙乙}\n\nhistory:"), "{text}");
}

#[test]
fn an_unfinished_journal_of_another_change_blocks_planning() {
    let mut f = files(BOOK);
    f.journal = Some(Journal {
        operation: OperationKind::Rename,
        ids: vec!["A1".into(), "A5".into()],
        from_version: Some("1.0".into()),
        to_version: Some("1.1".into()),
        started: None,
        assignments: Vec::new(),
    });
    let err = plan_retire(&f, "A2", &stamp()).unwrap_err().to_string();
    assert!(err.contains("normcode codebook rename A1 A5"), "{err}");
    let m = plan_rename(&f, "A1", "A5", &stamp()).unwrap();
    assert!(m.completes && m.codebook.is_some());
}

fn with_coder(text: &str, units: &[(&str, &[&str])]) -> ProjectFiles {
    let mut file = CoderFile::new("bob", Some("1.0".into()));
    let coding = std::sync::Arc::make_mut(file.documents.entry(DocumentId::new("d")).or_default());
    for (unit, codes) in units {
        coding.annotations.push(Annotation::new_unit(
            UnitId::new(*unit),
            codes.iter().map(|c| IndicatorId::from(*c)).collect(),
            annotations::now(),
        ));
    }
    let text_of_file = yaml::to_string(&file).unwrap();
    ProjectFiles {
        codebook_text: text.to_string(),
        coders: vec![CoderSource {
            name: "bob".into(),
            text: text_of_file,
            file,
        }],
        journal: None,
    }
}

fn codes_of(m: &Migration, unit: &str) -> Vec<String> {
    let file = &m.coders[0].file;
    file.documents[&DocumentId::new("d")]
        .annotations
        .iter()
        .find(|a| a.unit.as_str() == unit)
        .unwrap()
        .codes
        .iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn edit_rewrites_only_the_indicator_entry() {
    let change = IndicatorEdit {
        label: LangMap::from([("zh".into(), "第二".into())]),
        definition: LangMap::from([("en".into(), "Two, sharper: \"quoted\".".into())]),
        exclude: Some(vec![LangMap::from([("en".into(), "Not one.".into())])]),
        ..Default::default()
    };
    let m = plan_edit(&files(BOOK), "A2", &change, &stamp()).unwrap();
    assert_eq!(
        m.summary,
        "Edited indicator A2 (label (zh), definition (en), exclude)."
    );
    let text = m.codebook.clone().unwrap();
    assert!(
        text.contains(
            "      # about A2\n      - id: A2\n        label: {en: \"Two\", zh: \"第二\"}\n        definition:\n          en: \"Two, sharper: \\\"quoted\\\".\"\n          zh: \"二。\"\n        exclude:\n          - {en: \"Not one.\"}\n\n  - id: B"
        ),
        "{text}"
    );
    // Everything else is byte for byte as it was.
    let before = &BOOK[BOOK.find("languages").unwrap()..BOOK.find("      - id: \"A2\"").unwrap()];
    assert!(text.contains(before), "{text}");
    let book = m.new_codebook().unwrap();
    let a2 = book.indicator(&IndicatorId::from("A2")).unwrap();
    assert_eq!(a2.label.0["en"], "Two");
    assert_eq!(a2.label.0["zh"], "第二");
    assert_eq!(a2.exclude.len(), 1);
    assert_eq!(book.version, "1.1");
}

#[test]
fn edit_refuses_nothing_new_unknown_languages_and_empty_labels() {
    let same = IndicatorEdit {
        label: LangMap::from([("en".into(), "Two".into())]),
        ..Default::default()
    };
    let err = plan_edit(&files(BOOK), "A2", &same, &stamp()).unwrap_err();
    assert!(err.to_string().contains("nothing to change"), "{err}");
    let french = IndicatorEdit {
        label: LangMap::from([("fr".into(), "Deux".into())]),
        ..Default::default()
    };
    let err = plan_edit(&files(BOOK), "A2", &french, &stamp()).unwrap_err();
    assert!(err.to_string().contains("no language 'fr'"), "{err}");
    let empty = IndicatorEdit {
        definition: LangMap::from([("en".into(), "  ".into())]),
        ..Default::default()
    };
    let err = plan_edit(&files(BOOK), "A2", &empty, &stamp()).unwrap_err();
    assert!(err.to_string().contains("cannot be empty"), "{err}");
    let nowhere = IndicatorEdit {
        category: Some("Z".into()),
        ..Default::default()
    };
    let err = plan_edit(&files(BOOK), "A2", &nowhere, &stamp()).unwrap_err();
    assert!(err.to_string().contains("no category 'Z'"), "{err}");
}

#[test]
fn move_takes_the_entry_and_its_comments_to_the_other_category() {
    let change = IndicatorEdit {
        category: Some("B".into()),
        ..Default::default()
    };
    let m = plan_edit(&files(BOOK), "A2", &change, &stamp()).unwrap();
    assert_eq!(m.summary, "Moved indicator A2 from category A to B.");
    let book = m.new_codebook().unwrap();
    let b = book.categories.iter().find(|c| c.id == "B").unwrap();
    let ids: Vec<&str> = b
        .indicators
        .iter()
        .map(|&i| book.indicators[i].id.as_str())
        .collect();
    assert_eq!(ids, ["B1", "A2"]);
    let text = m.codebook.unwrap();
    assert!(
        text.contains(
            "        definition: {en: Three., zh: 三。}\n      # about A2\n      - id: \"A2\"\n"
        ),
        "{text}"
    );
    // Moving into a category without indicators opens its list.
    let change = IndicatorEdit {
        category: Some("BB".into()),
        ..Default::default()
    };
    let m = plan_edit(&files(BOOK), "B1", &change, &stamp()).unwrap();
    let book = m.new_codebook().unwrap();
    let bb = book.categories.iter().find(|c| c.id == "BB").unwrap();
    assert_eq!(bb.indicators.len(), 1);
    let b = book.categories.iter().find(|c| c.id == "B").unwrap();
    assert!(b.indicators.is_empty());
}

#[test]
fn split_recodes_each_segment_and_replaces_the_source() {
    let files = with_coder(
        BOOK,
        &[("1", &["A1"]), ("2", &["A1", "A2"]), ("3", &["B1"])],
    );
    let segments = split_segments(&files, "A1");
    assert_eq!(segments.len(), 2);
    let assignments = vec![segments[0].assign("A1x"), segments[1].assign("A2")];
    let m = plan_split(
        &files,
        "A1",
        &["A1x".into(), "A2".into()],
        &assignments,
        &stamp(),
    )
    .unwrap();
    assert_eq!(
        m.summary,
        "Split indicator A1 into A1x, A2 (2 segments: 1 to A1x, 1 to A2)."
    );
    assert_eq!(codes_of(&m, "1"), ["A1x"]);
    assert_eq!(codes_of(&m, "2"), ["A2"]);
    assert_eq!(codes_of(&m, "3"), ["B1"]);
    let book = m.new_codebook().unwrap();
    assert!(book.indicator(&IndicatorId::from("A1")).is_none());
    let new = book.indicator(&IndicatorId::from("A1x")).unwrap();
    assert_eq!(new.label.0["en"], "One (A1x)");
    assert_eq!(new.exclude.len(), 1, "rules are kept");
    let a = &book.categories[0];
    let ids: Vec<&str> = a
        .indicators
        .iter()
        .map(|&i| book.indicators[i].id.as_str())
        .collect();
    assert_eq!(ids, ["A1x", "A2"], "in the source's place");
    assert_eq!(m.coders[0].version, Some(("1.0".into(), "1.1".into())));
}

#[test]
fn split_with_segments_left_retires_the_source() {
    let files = with_coder(BOOK, &[("1", &["A1"]), ("2", &["A1"])]);
    let segments = split_segments(&files, "A1");
    let m = plan_split(
        &files,
        "A1",
        &["A1x".into(), "A1y".into()],
        &[segments[1].assign("A1y")],
        &stamp(),
    )
    .unwrap();
    assert!(
        m.summary.ends_with("; 1 left with A1, now retired)."),
        "{}",
        m.summary
    );
    assert_eq!(codes_of(&m, "1"), ["A1"]);
    assert_eq!(codes_of(&m, "2"), ["A1y"]);
    let book = m.new_codebook().unwrap();
    assert!(book.indicator(&IndicatorId::from("A1")).unwrap().retired);
    let a = &book.categories[0];
    let ids: Vec<&str> = a
        .indicators
        .iter()
        .map(|&i| book.indicators[i].id.as_str())
        .collect();
    assert_eq!(ids, ["A1", "A1x", "A1y", "A2"]);
}

#[test]
fn split_refuses_bad_assignments() {
    let files = with_coder(BOOK, &[("1", &["A1"])]);
    let segments = split_segments(&files, "A1");
    let wrong_target = [segments[0].assign("B1")];
    let err = plan_split(&files, "A1", &["A1x".into()], &wrong_target, &stamp()).unwrap_err();
    assert!(err.to_string().contains("not one of A1x"), "{err}");
    let mut nowhere = segments[0].assign("A1x");
    nowhere.unit = "9".into();
    let err = plan_split(&files, "A1", &["A1x".into()], &[nowhere], &stamp()).unwrap_err();
    assert!(
        err.to_string().contains("names no annotation of A1"),
        "{err}"
    );
    let err = plan_split(&files, "A1", &["A1".into()], &[], &stamp()).unwrap_err();
    assert!(err.to_string().contains("into itself"), "{err}");
    let err = plan_split(&files, "A1", &["A1x".into()], &[], &stamp()).unwrap_err();
    assert!(
        err.to_string().contains("no segment of A1 is assigned"),
        "{err}"
    );
}

#[test]
fn an_interrupted_split_is_completed_from_its_journal() {
    let files = with_coder(BOOK, &[("1", &["A1"]), ("2", &["A1", "B1"])]);
    let segments = split_segments(&files, "A1");
    let assignments: Vec<SplitAssignment> = segments.iter().map(|s| s.assign("A1x")).collect();
    let first = plan_split(&files, "A1", &["A1x".into()], &assignments, &stamp()).unwrap();
    // The codebook was written, the coder file not yet.
    let interrupted = ProjectFiles {
        codebook_text: first.codebook.clone().unwrap(),
        coders: files.coders.clone(),
        journal: Some(Journal {
            operation: OperationKind::Split,
            ids: vec!["A1".into(), "A1x".into()],
            from_version: Some("1.0".into()),
            to_version: Some("1.1".into()),
            started: None,
            assignments: first.assignments.clone(),
        }),
    };
    let other = plan_retire(&interrupted, "A2", &stamp()).unwrap_err();
    assert!(
        other.to_string().contains("normcode codebook split A1"),
        "{other}"
    );
    let m = plan_split(&interrupted, "A1", &["A1x".into()], &[], &stamp()).unwrap();
    assert!(m.completes && m.codebook.is_none());
    assert_eq!(codes_of(&m, "1"), ["A1x"]);
    assert_eq!(codes_of(&m, "2"), ["A1x", "B1"]);
    assert_eq!(m.coders[0].version, Some(("1.0".into(), "1.1".into())));
}

#[test]
fn whole_word_mentions() {
    assert!(mentions("code A2.", "A2"));
    assert!(!mentions("code A21", "A2"));
    assert!(!mentions("codeA2", "A2"));
}
