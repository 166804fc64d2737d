//! Suggestions in the workspace, headless through the real key map, on a copy of the samples
//! (alice has documents marked done: the recommender trains on them). An accepted suggestion
//! is an ordinary code that records its model and score, and undo takes it back; a rejected
//! one is not offered again for that unit, also after the workspace is opened again; a project
//! setting and a flag turn suggestions off; `w` goes to the unit the recommender is least sure
//! about.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use common::samples_copy;
use common::screen::{press, render};
use normcode::annotations::rejections;
use normcode::annotations::{CoderName, Status};
use normcode::corpus::{DocumentId, UnitKind};
use normcode::project::Project;
use normcode::suggest::{self, Recommender, TrainOn};
use normcode::tui::app::App;
use normcode::tui::keymap::Keymap;

fn workspace(root: &Path, coder: &str, no_suggestions: bool) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder(coder).unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    app.start_suggestions(no_suggestions);
    app
}

/// Opens `document` at its first unit that `coder` left uncoded and has suggestions.
fn to_unit_with_suggestions(app: &mut App, document: &str) {
    let position = app.project.corpus.position(&document.into()).unwrap();
    app.open_document(position, 0);
    let count = app.document().unwrap().units.len();
    for unit in 0..count {
        app.go_to_unit(unit);
        app.poll_suggestions();
        if app.unit_codes(unit).is_empty() && app.suggestions().len() >= 2 {
            return;
        }
    }
    panic!("no uncoded unit with suggestions in {document}");
}

#[test]
fn an_accepted_suggestion_is_an_ordinary_code_with_its_provenance_and_undo_takes_it_back() {
    let project = samples_copy();
    let mut app = workspace(project.path(), "alice", false);
    // A document alice has not marked done: accepting asks nothing.
    let document = "company/microsoft-2018";
    assert_ne!(app.coder.file.status(&document.into()), Status::Done);
    to_unit_with_suggestions(&mut app, document);
    let second = app.suggestions()[1].clone();
    let unit = app.current_unit().unwrap().id.clone();
    press(&mut app, "<a-2>");
    let annotation = app
        .coder
        .file
        .annotations(&document.into())
        .iter()
        .find(|a| a.unit == unit && a.span.is_none())
        .cloned()
        .expect("an annotation on the unit");
    assert_eq!(annotation.codes, vec![second.indicator.clone()]);
    let provenance = annotation.suggested(&second.indicator).expect("provenance");
    assert_eq!(provenance.model, suggest::MODEL);
    assert!((provenance.score - second.score).abs() < 0.001);
    assert!(app.coder.file.documents[&DocumentId::new(document)].suggestions);
    // Saved, it says so in the file; read back, it is the same.
    app.save_now().unwrap();
    let text = std::fs::read_to_string(&app.coder.path).unwrap();
    assert!(text.contains("      suggested:\n      - code: "), "{text}");
    assert!(text.contains("model: normcode-recommender/1"), "{text}");
    assert!(text.contains("    suggestions: true\n"), "{text}");
    let again = Project::open(project.path())
        .unwrap()
        .load_coder("alice")
        .unwrap();
    assert_eq!(
        again.file.annotations(&document.into()),
        app.coder.file.annotations(&document.into())
    );
    // The accepted code is no longer suggested (the loop polls after every event); undo takes
    // it (and the flag) back.
    app.poll_suggestions();
    assert!(
        app.suggestions()
            .iter()
            .all(|s| s.indicator != second.indicator)
    );
    press(&mut app, "u");
    assert!(app.unit_codes(app.unit).is_empty());
    assert!(
        app.coder
            .file
            .documents
            .get(&DocumentId::new(document))
            .is_none_or(|d| !d.suggestions)
    );
    app.poll_suggestions();
    assert!(
        app.suggestions()
            .iter()
            .any(|s| s.indicator == second.indicator)
    );
}

#[test]
fn a_rejected_suggestion_is_not_offered_again_for_that_unit() {
    let project = samples_copy();
    let root = project.path();
    let mut app = workspace(root, "alice", false);
    let document = "company/microsoft-2018";
    to_unit_with_suggestions(&mut app, document);
    let first = app.suggestions()[0].indicator.clone();
    let (doc, unit) = (app.doc, app.unit);
    let unit_id = app.current_unit().unwrap().id.clone();
    press(&mut app, "x");
    assert!(app.suggestions().iter().all(|s| s.indicator != first));
    // Nothing was coded.
    assert!(app.unit_codes(unit).is_empty());
    // Remembered in the rejections file, sorted and git-friendly.
    let alice = CoderName::parse("alice").unwrap();
    let (saved, _) = rejections::load(&root.join("annotations"), &alice).unwrap();
    assert!(saved.is_rejected(&document.into(), &unit_id, &first));
    let text =
        std::fs::read_to_string(rejections::path(&root.join("annotations"), &alice)).unwrap();
    assert!(text.contains(&format!("  {document}:\n")), "{text}");
    // A workspace opened again does not offer it there either.
    drop(app);
    let mut app = workspace(root, "alice", false);
    app.open_document(doc, unit);
    app.poll_suggestions();
    assert!(!app.suggestions().is_empty());
    assert!(app.suggestions().iter().all(|s| s.indicator != first));
}

#[test]
fn suggestions_are_off_when_the_project_or_the_flag_says_so() {
    let project = samples_copy();
    let root = project.path();
    let on = workspace(root, "alice", false);
    assert!(render(&on, 120, 40).contains("Suggestions"));
    let mut flag = workspace(root, "alice", true);
    to_document(&mut flag, "company/microsoft-2018");
    assert!(flag.suggestions().is_empty());
    let screen = render(&flag, 120, 40);
    assert!(!screen.contains("Suggestions"), "{screen}");
    let before = flag.coder.file.clone();
    press(&mut flag, "y");
    assert_eq!(flag.coder.file, before);
    assert!(
        flag.message
            .as_ref()
            .is_some_and(|m| m.text.contains("--no-suggestions")),
    );
    // Coding without suggestions does not mark the document as assisted.
    press(&mut flag, "aVU01<enter>");
    assert!(!flag.coder.file.documents[&DocumentId::new("company/microsoft-2018")].suggestions);

    let settings = root.join("normcode.yaml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str("suggestions: false\n");
    std::fs::write(&settings, text).unwrap();
    let mut off = workspace(root, "alice", false);
    assert!(!render(&off, 120, 40).contains("Suggestions"));
    press(&mut off, "y");
    assert!(
        off.message
            .as_ref()
            .is_some_and(|m| m.text.contains("suggestions: false")),
    );
}

fn to_document(app: &mut App, document: &str) {
    let position = app.project.corpus.position(&document.into()).unwrap();
    app.open_document(position, 0);
}

#[test]
fn coding_while_suggestions_are_shown_marks_the_document_assisted() {
    let project = samples_copy();
    let mut app = workspace(project.path(), "alice", false);
    to_document(&mut app, "company/microsoft-2018");
    press(&mut app, "aVU01<enter>");
    assert!(app.coder.file.documents[&DocumentId::new("company/microsoft-2018")].suggestions);
}

#[test]
fn w_goes_to_the_uncoded_unit_the_recommender_is_least_sure_about() {
    let project = samples_copy();
    let root = project.path();
    let mut app = workspace(root, "alice", false);
    let document = "company/microsoft-2018";
    to_document(&mut app, document);
    press(&mut app, "w");
    let chosen = app.unit;
    assert_eq!(
        app.doc,
        app.project.corpus.position(&document.into()).unwrap()
    );
    // The same recommender, trained here on what the workspace trains on.
    let p = Project::open(root).unwrap();
    let alice = p.load_coder("alice").unwrap();
    let examples = suggest::examples(
        &p.corpus,
        &[&alice.file],
        &TrainOn::Coder("alice".into()),
        &Default::default(),
    );
    let recommender = Recommender::train(&p.codebook, &examples);
    let d = p.corpus.get(&DocumentId::new(document)).unwrap();
    let coded: BTreeSet<_> = alice
        .file
        .annotations(&d.id)
        .iter()
        .filter(|a| !a.codes.is_empty())
        .map(|a| a.unit.clone())
        .collect();
    let margin = |i: usize| recommender.margin(d.unit_text(&d.units[i]));
    assert!(!coded.contains(&d.units[chosen].id));
    assert_ne!(
        d.units[chosen].kind,
        UnitKind::Heading,
        "headings are not offered"
    );
    for (i, unit) in d.units.iter().enumerate() {
        if i != 0 && !coded.contains(&unit.id) && unit.kind != UnitKind::Heading {
            assert!(
                margin(chosen) <= margin(i),
                "unit {i} is less sure than {chosen}"
            );
        }
    }
}

#[test]
fn snapshot_of_the_suggestions_beside_the_codebook() {
    let project = samples_copy();
    let mut app = workspace(project.path(), "alice", false);
    to_unit_with_suggestions(&mut app, "company/microsoft-2018");
    insta::assert_snapshot!("suggestions_100x32", render(&app, 100, 32));
    app.language = "zh".into();
    insta::assert_snapshot!("suggestions_100x32_zh", render(&app, 100, 32));
}
