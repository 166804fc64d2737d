//! The re-attach view (`O`): an annotation that could not be placed after a document edit is
//! attached again to the unit where its passage is now, or deleted; each is one undo step,
//! counted and saved like any coding. Headless, through the real key map.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::screen::{draw as render, press};
use common::{MOVED_PASSAGE, ORPHAN_DOCUMENT, orphan_alice_annotation, samples_copy};
use normcode::corpus::DocumentId;
use normcode::project::Project;
use normcode::tui::action::ModeKind;
use normcode::tui::app::{App, Focus};
use normcode::tui::keymap::Keymap;

fn workspace(root: &Path) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    render(&mut app, 80, 24);
    app
}

/// Alice's NM01 annotation made on unit p2 of the sample document (the one orphaned), if it
/// is still there: (unit, orphaned).
fn nm01(app: &App) -> Vec<(String, bool)> {
    let created = "2026-10-07T09:00:00Z".parse().unwrap();
    app.coder
        .file
        .annotations(&DocumentId::new(ORPHAN_DOCUMENT))
        .iter()
        .filter(|a| a.codes.iter().any(|c| c.as_str() == "NM01") && a.created == Some(created))
        .map(|a| (a.unit.to_string(), a.is_orphaned()))
        .collect()
}

/// NM01's count in the corpus, as the codebook pane shows it.
fn nm01_count(app: &App) -> usize {
    let i = app
        .project
        .codebook
        .position(&"NM01".into())
        .expect("NM01 in the codebook");
    app.counts[i].1
}

#[test]
fn an_orphan_is_reattached_to_the_unit_its_passage_moved_to_saved_and_undone() {
    let dir = samples_copy();
    orphan_alice_annotation(dir.path());
    let mut app = workspace(dir.path());
    let message = app.message.as_ref().map(|m| m.text.clone()).unwrap();
    assert!(
        message.contains("1 annotations could not be placed: press O to re-attach them"),
        "{message}"
    );
    assert_eq!(nm01(&app), [("p2".to_string(), true)]);
    let count = nm01_count(&app);

    press(&mut app, "O");
    assert_eq!(app.mode.kind(), ModeKind::Orphans);
    // The orphan's document is shown, at the unit that has the id it had.
    assert_eq!(app.document().unwrap().id.as_str(), ORPHAN_DOCUMENT);
    assert_eq!(app.current_unit().unwrap().id.as_str(), "p2");
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("Re-attach · 1 not placed"),
        "the view's title:\n{screen}"
    );
    assert!(
        screen.contains("company/microsoft-2013 · was p2 · NM01"),
        "the list:\n{screen}"
    );
    assert!(
        screen.contains("“Governments around the world"),
        "its quote:\n{screen}"
    );
    assert!(screen.contains(" RE-ATTACH "), "the badge:\n{screen}");
    // j/k move in the list (one orphan: nowhere to go).
    press(&mut app, "jk");
    assert_eq!(app.current_unit().unwrap().id.as_str(), "p2");

    // To the document, to its last unit, where the passage is now; Enter attaches.
    press(&mut app, "<Tab>");
    assert_eq!(app.focus, Focus::Document);
    press(&mut app, "G");
    let last = app.current_unit().unwrap().id.to_string();
    assert_ne!(last, "p2");
    let document = app.document().unwrap();
    assert_eq!(
        document.unit_text(app.current_unit().unwrap()).trim(),
        MOVED_PASSAGE
    );
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains(&format!("Enter attaches it to unit {last}")),
        "{screen}"
    );
    press(&mut app, "<Enter>");
    assert_eq!(nm01(&app), [(last.clone(), false)]);
    assert!(app.orphans().is_empty());
    // Nothing left to re-attach: back to the coding, the unit shows its code, counted.
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    assert_eq!(app.focus, Focus::Document);
    assert!(
        app.unit_codes(app.unit)
            .iter()
            .any(|c| c.as_str() == "NM01")
    );
    assert_eq!(nm01_count(&app), count + 1);
    assert!(app.save.is_dirty());

    // Saved: read again, it is placed on that unit.
    app.save_now().unwrap();
    let project = Project::open(dir.path()).unwrap();
    let on_disk = project.load_coder("alice").unwrap();
    assert!(on_disk.anchors.orphaned.is_empty(), "{:?}", on_disk.anchors);
    let codes = on_disk
        .file
        .codes_on_unit(&DocumentId::new(ORPHAN_DOCUMENT), &last.as_str().into());
    assert!(codes.iter().any(|c| c.as_str() == "NM01"), "{codes:?}");

    // u (in the coding) undoes it: an orphan again, not counted.
    press(&mut app, "u");
    assert_eq!(nm01(&app), [("p2".to_string(), true)]);
    assert_eq!(app.orphans().len(), 1);
    assert_eq!(nm01_count(&app), count);
    assert!(
        !app.unit_codes(app.unit)
            .iter()
            .any(|c| c.as_str() == "NM01")
    );
}

#[test]
fn an_orphan_is_deleted_after_a_confirmation_undone_and_esc_leaves_the_view() {
    let dir = samples_copy();
    orphan_alice_annotation(dir.path());
    let mut app = workspace(dir.path());
    let annotations = app
        .coder
        .file
        .annotations(&DocumentId::new(ORPHAN_DOCUMENT))
        .len();

    // d asks first; Esc keeps it, and the view.
    press(&mut app, "Od");
    assert_eq!(app.mode.kind(), ModeKind::Confirm);
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("Delete the annotation NM01 of company/microsoft-2013"),
        "{screen}"
    );
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Orphans);
    assert_eq!(app.orphans().len(), 1);

    press(&mut app, "dy");
    assert!(nm01(&app).is_empty(), "deleted");
    assert_eq!(
        app.coder
            .file
            .annotations(&DocumentId::new(ORPHAN_DOCUMENT))
            .len(),
        annotations - 1
    );
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    assert!(app.save.is_dirty());

    press(&mut app, "u");
    assert_eq!(nm01(&app), [("p2".to_string(), true)]);

    // Esc leaves the view for the coding, the annotation still to re-attach.
    press(&mut app, "O");
    assert_eq!(app.mode.kind(), ModeKind::Orphans);
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    assert_eq!(app.focus, Focus::Document);
    assert_eq!(app.orphans().len(), 1);
    // In the coding, j moves the units again.
    let unit = app.unit;
    press(&mut app, "j");
    assert_eq!(app.unit, unit + 1);
}

#[test]
fn redo_in_the_view_attaches_again_and_closes_it_when_nothing_is_left() {
    let dir = samples_copy();
    orphan_alice_annotation(dir.path());
    let mut app = workspace(dir.path());
    press(&mut app, "O<Tab>G<Enter>");
    let placed = nm01(&app);
    assert!(app.orphans().is_empty());
    press(&mut app, "uO");
    assert_eq!(app.mode.kind(), ModeKind::Orphans);
    // u in the view: nothing before the re-attach to undo; the view stays.
    press(&mut app, "u");
    assert_eq!(app.mode.kind(), ModeKind::Orphans);
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("nothing to undo")
    );
    press(&mut app, "<C-r>");
    assert_eq!(nm01(&app), placed);
    assert_eq!(app.mode.kind(), ModeKind::Normal);
}

#[test]
fn with_nothing_to_reattach_o_says_so_and_stays_in_the_coding() {
    let dir = samples_copy();
    let mut app = workspace(dir.path());
    assert!(app.orphans().is_empty());
    press(&mut app, "O");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("no annotations to re-attach")
    );
}
