use std::path::Path;

use super::*;
use crate::annotations::Anchoring;
use crate::corpus::Segmentation;

const CODEBOOK: &str = r#"name: Test
version: 1.0
languages: [en]
categories:
  - id: TH
    label: {en: Threats}
    indicators:
      - id: TH01
        label: {en: Espionage}
        definition: {en: Spying.}
      - id: TH02
        label: {en: Sabotage}
        definition: {en: Breaking things.}
      - id: TH03
        label: {en: Old}
        definition: {en: No longer used.}
        retired: true
"#;

const BODY: &str =
    "First paragraph about spying.\n\nSecond paragraph about sabotage.\n\nThird one.\n";

fn codebook() -> Codebook {
    Codebook::parse(Path::new("codebook.yaml"), CODEBOOK).unwrap()
}

fn corpus() -> Corpus {
    let documents = ["a", "b", "c"]
        .into_iter()
        .map(|id| {
            Document::parse(
                DocumentId::new(id),
                Path::new(&format!("{id}.md")),
                BODY,
                Segmentation::Paragraph,
            )
            .unwrap()
        })
        .collect();
    Corpus::from_documents(documents, vec![])
}

fn now() -> DateTime<Utc> {
    "2026-10-14T09:12:00Z".parse().unwrap()
}

fn later() -> DateTime<Utc> {
    "2026-10-15T10:00:00Z".parse().unwrap()
}

fn code(id: &str) -> IndicatorId {
    IndicatorId::new(id)
}

fn file() -> CoderFile {
    CoderFile::new("alice", Some("1.0".into()))
}

#[test]
fn toggling_twice_restores_the_file() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let place = Place::unit(document, &document.units[1]);
    let mut file = file();
    let first = Place::unit(document, &document.units[0]);
    add(&mut file, &codebook, first, &code("TH01"), now()).unwrap();
    let start = file.clone();

    let on = toggle(&mut file, &codebook, place, &code("TH02"), now()).unwrap();
    let unit = &document.units[1].id;
    assert_eq!(on.label, format!("added TH02 to unit {unit}"));
    assert_eq!(file.codes_on_unit(&document.id, unit), [&code("TH02")]);
    assert_eq!(file.status(&document.id), Status::InProgress);
    let annotation = &file.annotations(&document.id)[1];
    assert_eq!(annotation.created, Some(now()));
    assert!(annotation.quote.is_some());

    let off = toggle(&mut file, &codebook, place, &code("TH02"), later()).unwrap();
    assert_eq!(off.label, format!("removed TH02 from unit {unit}"));
    assert_eq!(file, start);

    // And undo of both, newest first, comes back to the coded unit, then to the start.
    off.revert(&mut file);
    assert_eq!(file.codes_on_unit(&document.id, unit), [&code("TH02")]);
    on.revert(&mut file);
    assert_eq!(file, start);
    on.apply(&mut file);
    off.apply(&mut file);
    assert_eq!(file, start);
}

#[test]
fn a_span_and_the_whole_unit_are_separate_annotations() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let unit = &document.units[0];
    let span = CodePointRange::new(unit.range.start + 6, unit.range.start + 15);
    let whole = Place::unit(document, unit);
    let part = Place {
        span: Some(span),
        ..whole
    };
    let mut file = file();
    add(&mut file, &codebook, whole, &code("TH01"), now()).unwrap();
    let change = add(&mut file, &codebook, part, &code("TH01"), now()).unwrap();
    assert_eq!(
        change.label,
        format!("added TH01 to span {span} of {}", unit.id)
    );
    let annotations = file.annotations(&document.id);
    assert_eq!(annotations.len(), 2);
    assert_eq!(annotations[0].span, None, "the whole unit sorts first");
    assert_eq!(annotations[1].span, Some(span));
    assert_eq!(annotations[1].quote.as_deref(), Some("paragraph"));

    // Removing from the span leaves the whole unit coded.
    remove(&mut file, part, &code("TH01"), now());
    assert!(has_code(&file, whole, &code("TH01")));
    assert!(!has_code(&file, part, &code("TH01")));
    assert_eq!(file.annotations(&document.id).len(), 1);
}

#[test]
fn adding_a_code_keeps_the_codes_sorted_and_stamps_the_annotation() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let place = Place::unit(document, &document.units[0]);
    let mut file = file();
    add(&mut file, &codebook, place, &code("TH02"), now()).unwrap();
    add(&mut file, &codebook, place, &code("TH01"), later()).unwrap();
    let annotation = &file.annotations(&document.id)[0];
    assert_eq!(annotation.codes, [code("TH01"), code("TH02")]);
    assert_eq!(annotation.created, Some(now()));
    assert_eq!(annotation.modified, Some(later()));

    // Adding a code the unit has, or removing one it lacks, changes nothing.
    let before = file.clone();
    assert!(
        add(&mut file, &codebook, place, &code("TH01"), later())
            .unwrap()
            .is_empty()
    );
    let other = Place::unit(document, &document.units[1]);
    assert!(remove(&mut file, other, &code("TH01"), later()).is_empty());
    assert_eq!(file, before);
}

#[test]
fn new_annotations_go_in_document_order() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let mut file = file();
    for position in [2, 0, 1] {
        let place = Place::unit(document, &document.units[position]);
        add(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    }
    let units: Vec<&UnitId> = file
        .annotations(&document.id)
        .iter()
        .map(|a| &a.unit)
        .collect();
    let expected: Vec<&UnitId> = document.units.iter().map(|u| &u.id).collect();
    assert_eq!(units, expected);
}

#[test]
fn a_retired_or_unknown_code_is_refused_and_nothing_changes() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let place = Place::unit(document, &document.units[0]);
    let mut file = file();
    let err = toggle(&mut file, &codebook, place, &code("TH03"), now()).unwrap_err();
    assert_eq!(err, CodingError::Retired(code("TH03")));
    assert_eq!(
        err.to_string(),
        "TH03 is retired and no longer offered for coding"
    );
    let err = add(&mut file, &codebook, place, &code("XX99"), now()).unwrap_err();
    assert_eq!(err, CodingError::Unknown(code("XX99")));
    let targets = [(document.id.clone(), document.units[0].id.clone())];
    assert!(
        code_many(
            &mut file,
            &codebook,
            &corpus,
            &targets,
            &code("TH03"),
            now()
        )
        .is_err()
    );
    assert_eq!(file, self::file());
}

#[test]
fn a_retired_code_already_given_can_still_be_removed() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let place = Place::unit(document, &document.units[0]);
    let mut file = file();
    add(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    let id = document.id.clone();
    let coding = Arc::make_mut(file.documents.get_mut(&id).unwrap());
    coding.annotations[0].codes.push(code("TH03"));
    let change = remove(&mut file, place, &code("TH03"), now());
    assert!(!change.is_empty());
    assert!(!has_code(&file, place, &code("TH03")));
}

#[test]
fn code_many_over_three_documents_is_one_change_that_reverts_all_three() {
    let (corpus, codebook) = (corpus(), codebook());
    let mut file = file();
    // b's second unit has the code already; c's first unit has another code.
    let b = &corpus.documents[1];
    let c = &corpus.documents[2];
    add(
        &mut file,
        &codebook,
        Place::unit(b, &b.units[1]),
        &code("TH02"),
        now(),
    )
    .unwrap();
    add(
        &mut file,
        &codebook,
        Place::unit(c, &c.units[0]),
        &code("TH01"),
        now(),
    )
    .unwrap();
    let start = file.clone();

    let targets: Vec<(DocumentId, UnitId)> = [(2, 0), (0, 1), (1, 1), (1, 2), (0, 0)]
        .into_iter()
        .map(|(d, u)| {
            let document = &corpus.documents[d];
            (document.id.clone(), document.units[u].id.clone())
        })
        .chain([(DocumentId::new("gone"), UnitId::new("p1"))])
        .collect();
    let (change, added) = code_many(
        &mut file,
        &codebook,
        &corpus,
        &targets,
        &code("TH02"),
        later(),
    )
    .unwrap();
    assert_eq!(
        added, 4,
        "b's second unit had the code; the unknown document is skipped"
    );
    assert_eq!(change.label, "added TH02 to 4 units");
    let documents: Vec<&str> = change.documents().map(|d| d.as_str()).collect();
    assert_eq!(
        documents,
        ["c", "a", "b"],
        "in the order the targets name them"
    );
    for (d, u) in [(2, 0), (0, 1), (1, 1), (1, 2), (0, 0)] {
        let document = &corpus.documents[d];
        let place = Place::unit(document, &document.units[u]);
        assert!(has_code(&file, place, &code("TH02")), "{d} {u}");
    }
    assert_eq!(
        file.annotations(&c.id)[0].codes,
        [code("TH01"), code("TH02")],
        "added to the unit's annotation"
    );
    assert_eq!(file.annotations(&c.id)[0].modified, Some(later()));
    let a_units: Vec<&UnitId> = file
        .annotations(&corpus.documents[0].id)
        .iter()
        .map(|a| &a.unit)
        .collect();
    assert_eq!(
        a_units,
        [
            &corpus.documents[0].units[0].id,
            &corpus.documents[0].units[1].id
        ]
    );

    let coded = file.clone();
    change.revert(&mut file);
    assert_eq!(file, start);
    change.apply(&mut file);
    assert_eq!(file, coded);

    // Again: every unit has the code now.
    let (again, added) = code_many(
        &mut file,
        &codebook,
        &corpus,
        &targets,
        &code("TH02"),
        later(),
    )
    .unwrap();
    assert_eq!(added, 0);
    assert!(again.is_empty());
}

#[test]
fn coding_a_unit_in_a_done_document_keeps_it_done() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let mut file = file();
    let done = set_status(&mut file, &document.id, Status::Done);
    assert_eq!(
        done.label,
        "document marked done: its uncoded units now count as absent"
    );
    assert_eq!(file.status(&document.id), Status::Done);
    let place = Place::unit(document, &document.units[0]);
    toggle(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    assert_eq!(file.status(&document.id), Status::Done);
    toggle(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    assert_eq!(file.status(&document.id), Status::Done);
    let targets = [(document.id.clone(), document.units[1].id.clone())];
    code_many(
        &mut file,
        &codebook,
        &corpus,
        &targets,
        &code("TH01"),
        now(),
    )
    .unwrap();
    assert_eq!(file.status(&document.id), Status::Done);

    let back = set_status(&mut file, &document.id, Status::InProgress);
    assert_eq!(back.label, "document back in progress");
    back.revert(&mut file);
    assert_eq!(file.status(&document.id), Status::Done);
}

#[test]
fn a_not_started_document_with_something_in_it_is_in_progress() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let mut file = file();
    set_document_memo(&mut file, &document.id, "read later");
    assert_eq!(file.status(&document.id), Status::InProgress);
    // Set back to "not started" with a memo in it, it stays in progress.
    assert!(set_status(&mut file, &document.id, Status::NotStarted).is_empty());
    let change = set_document_memo(&mut file, &document.id, "  \n");
    assert_eq!(change.label, "document memo saved");
    // In progress with nothing else in it is still something: the document stays.
    assert_eq!(file.status(&document.id), Status::InProgress);
    let place = Place::unit(document, &document.units[0]);
    add(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    assert_eq!(file.status(&document.id), Status::InProgress);
}

#[test]
fn memos_make_keep_and_drop_annotations() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let place = Place::unit(document, &document.units[1]);
    let mut file = file();
    let start = file.clone();

    // A memo alone makes an annotation without codes; its line ends are `\n`.
    let change = set_memo(&mut file, place, "why\r\nthis", now());
    assert_eq!(
        change.label,
        format!("memo on unit {} saved", document.units[1].id)
    );
    let annotation = &file.annotations(&document.id)[0];
    assert!(annotation.codes.is_empty());
    assert_eq!(annotation.memo.as_deref(), Some("why\nthis"));

    // A code joins it; a blank memo then keeps the coded annotation.
    add(&mut file, &codebook, place, &code("TH01"), now()).unwrap();
    assert_eq!(file.annotations(&document.id).len(), 1);
    set_memo(&mut file, place, " ", later());
    let annotation = &file.annotations(&document.id)[0];
    assert_eq!(annotation.memo, None);
    assert_eq!(annotation.modified, Some(later()));

    // With a memo, removing the last code keeps the annotation; without, it goes.
    set_memo(&mut file, place, "keep", now());
    remove(&mut file, place, &code("TH01"), now());
    assert_eq!(file.annotations(&document.id).len(), 1);
    set_memo(&mut file, place, "", now());
    assert!(file.annotations(&document.id).is_empty());
    // The document was started, and stays so.
    assert_eq!(file.status(&document.id), Status::InProgress);
    file.documents.clear();
    assert_eq!(file, start);

    // A blank memo where there is no annotation changes nothing.
    assert!(set_memo(&mut file, place, "", now()).is_empty());
}

#[test]
fn orphaned_annotations_are_left_alone() {
    let (corpus, codebook) = (corpus(), codebook());
    let document = &corpus.documents[0];
    let unit = &document.units[0];
    let mut file = file();
    let mut orphan = Annotation::new_unit(unit.id.clone(), vec![code("TH01")], now());
    orphan.anchoring = Anchoring::Orphaned;
    orphan.quote = Some("text that is gone".into());
    file.documents.insert(
        document.id.clone(),
        Arc::new(DocumentCoding {
            status: Status::InProgress,
            memo: None,
            suggestions: false,
            annotations: vec![orphan.clone()],
        }),
    );
    let place = Place::unit(document, unit);
    assert!(!has_code(&file, place, &code("TH01")));
    let change = toggle(&mut file, &codebook, place, &code("TH01"), later()).unwrap();
    assert!(change.label.starts_with("added"));
    let annotations = file.annotations(&document.id);
    assert_eq!(annotations.len(), 2);
    assert!(annotations.contains(&orphan));
    toggle(&mut file, &codebook, place, &code("TH01"), later()).unwrap();
    assert_eq!(file.annotations(&document.id), [orphan]);
}

#[test]
fn record_keeps_the_documents_a_change_made_by_other_means_changed() {
    let (corpus, codebook) = (corpus(), codebook());
    let (a, b) = (&corpus.documents[0], &corpus.documents[1]);
    let mut file = file();
    let start = file.clone();
    let ids = [a.id.clone(), b.id.clone()];
    let change = Change::record(&mut file, &ids, "settled", |file| {
        add(
            file,
            &codebook,
            Place::unit(a, &a.units[0]),
            &code("TH01"),
            now(),
        )
        .unwrap();
    });
    assert_eq!(change.label, "settled");
    assert_eq!(change.documents().collect::<Vec<_>>(), [&a.id]);
    change.revert(&mut file);
    assert_eq!(file, start);
}

#[test]
fn recent_codes_put_new_ones_first_and_keep_the_place_of_known_ones() {
    let mut recent = Vec::new();
    for id in ["TH01", "TH02", "TH01"] {
        note_recent(&mut recent, &code(id));
    }
    assert_eq!(recent, [code("TH02"), code("TH01")]);
    for i in 0..20 {
        note_recent(&mut recent, &code(&format!("X{i:02}")));
    }
    assert_eq!(recent.len(), RECENT);
    assert_eq!(recent[0], code("X19"));
}
