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
        DocumentCoding {
            status: Status::Done,
            memo: Some("document memo".into()),
            annotations: vec![span, unit],
        },
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
    anchor_all(&mut file, &corpus(BODY));
    let a = &file.annotations(&"un/gge-2015".into())[1];
    assert_eq!(
        a.quote.as_deref(),
        Some("to report ICT vulnerabilities responsibly;")
    );
}

#[test]
fn edited_document_reanchors_units_and_spans_by_their_quotes() {
    let mut file = sample_file();
    anchor_all(&mut file, &corpus(BODY));
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
    let first = CoderLock::acquire(dir.path(), "alice").unwrap();
    let err = CoderLock::acquire(dir.path(), "alice")
        .unwrap_err()
        .to_string();
    assert!(err.contains("already open"), "{err}");
    CoderLock::acquire(dir.path(), "bob").expect("another coder is fine");
    drop(first);
    CoderLock::acquire(dir.path(), "alice").expect("released when dropped");
}

#[test]
fn coder_names_are_safe_file_names() {
    assert!(valid_coder_name("alice"));
    assert!(valid_coder_name("李明"));
    assert!(!valid_coder_name("../etc"));
    assert!(!valid_coder_name(".hidden"));
    assert!(!valid_coder_name(""));
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
