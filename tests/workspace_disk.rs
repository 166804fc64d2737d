//! The workspace and files changed on disk while it is open (a `git pull`, another machine, an
//! editor): nothing changed elsewhere is written over, and the coder is told what came in.
//! Headless, on a real copy of the samples project and the real autosave worker.

mod common;
use common::samples_copy;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use normcode::annotations::{self, BOTH_MEMOS_MARKER, CoderFile, Status};
use normcode::corpus::{DocumentId, IndicatorId, UnitId};
use normcode::project::Project;
use normcode::tui::app::App;
use normcode::tui::keymap::Keymap;

fn app_for(root: &Path, coder: &str) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder(coder).unwrap();
    App::new(Arc::new(project), coder, Keymap::default())
}

/// Alice's workspace on a fresh copy of the samples, with the real autosave worker.
fn alice_autosaving() -> (tempfile::TempDir, App) {
    let project = samples_copy();
    let mut app = app_for(project.path(), "alice");
    app.start_autosave();
    (project, app)
}

fn alice(root: &Path) -> std::path::PathBuf {
    root.join("annotations/alice.yaml")
}

fn read(path: &Path) -> CoderFile {
    annotations::load_coder_file(path).unwrap()
}

/// Changes alice's file as another program would, writing a new file over it.
fn edit_outside(root: &Path, edit: impl FnOnce(&mut CoderFile)) {
    let mut file = read(&alice(root));
    edit(&mut file);
    annotations::save_coder_file(&alice(root), &file).unwrap();
}

fn set_document_memo(file: &mut CoderFile, document: &str, memo: &str) {
    let coding = file.documents.get_mut(&DocumentId::new(document)).unwrap();
    Arc::make_mut(coding).memo = Some(memo.to_string());
}

fn open(app: &mut App, document: &str, unit: &str) {
    let doc = app
        .project
        .corpus
        .position(&DocumentId::new(document))
        .unwrap();
    let position = app.project.corpus.documents[doc]
        .unit_position(&UnitId::new(unit))
        .unwrap();
    app.open_document(doc, position);
}

fn toggle(app: &mut App, code: &str) {
    let position = app
        .project
        .codebook
        .position(&IndicatorId::new(code))
        .unwrap();
    app.toggle(position);
}

fn codes(file: &CoderFile, document: &str, unit: &str) -> Vec<String> {
    file.codes_on_unit(&DocumentId::new(document), &UnitId::new(unit))
        .into_iter()
        .map(|c| c.to_string())
        .collect()
}

/// Polls the autosave worker (as the event loop does) until the work is saved.
fn wait_saved(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        app.poll_saver();
        if !app.save.is_dirty() {
            return;
        }
        assert!(Instant::now() < deadline, "not saved: {:?}", app.save.error);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn screen(app: &App) -> String {
    screen_of(app, 120, 30)
}

fn screen_of(app: &App, width: u16, height: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            normcode::tui::ui::render(frame, app);
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    buffer.content().iter().map(|cell| cell.symbol()).collect()
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn an_outside_memo_survives_the_next_autosave() {
    let (project, mut app) = alice_autosaving();
    let root = project.path();
    edit_outside(root, |f| {
        set_document_memo(f, "un/gge-2015", "Written elsewhere.")
    });

    open(&mut app, "un/gge-2015", "13");
    toggle(&mut app, "VU01");
    wait_saved(&mut app);

    let on_disk = read(&alice(root));
    let coding = &on_disk.documents[&DocumentId::new("un/gge-2015")];
    assert_eq!(coding.memo.as_deref(), Some("Written elsewhere."));
    assert!(codes(&on_disk, "un/gge-2015", "13").contains(&"VU01".to_string()));
    // The workspace shows what came in, and says so.
    assert_eq!(
        app.coder.file.documents[&DocumentId::new("un/gge-2015")]
            .memo
            .as_deref(),
        Some("Written elsewhere.")
    );
    assert!(
        message(&app).contains("changed on disk"),
        "{}",
        message(&app)
    );
}

#[test]
fn quitting_merges_an_outside_change_first() {
    let project = samples_copy();
    let root = project.path();
    // No autosave worker: the save on quitting alone.
    let mut app = app_for(root, "alice");
    open(&mut app, "un/gge-2015", "13");
    toggle(&mut app, "VU01");
    // Another machine coded another unit and removed one code.
    edit_outside(root, |f| {
        let coding = f
            .documents
            .get_mut(&DocumentId::new("un/gge-2015"))
            .unwrap();
        let coding = Arc::make_mut(coding);
        coding.annotations.push(annotations::Annotation::new_unit(
            UnitId::new("14"),
            vec![IndicatorId::new("CB01")],
            annotations::now(),
        ));
        coding.annotations.retain(|a| a.unit.as_str() != "2");
    });
    app.save_now().unwrap();

    let on_disk = read(&alice(root));
    assert!(codes(&on_disk, "un/gge-2015", "13").contains(&"VU01".to_string()));
    assert!(codes(&on_disk, "un/gge-2015", "14").contains(&"CB01".to_string()));
    // The deletion made elsewhere is honoured.
    assert!(codes(&on_disk, "un/gge-2015", "2").is_empty());
}

#[test]
fn a_memo_changed_in_both_places_keeps_both_texts() {
    let (project, mut app) = alice_autosaving();
    let root = project.path();
    open(&mut app, "un/gge-2015", "13");
    // Both the workspace and an editor write the document memo.
    let mut mine = app.coder.file.clone();
    set_document_memo(&mut mine, "un/gge-2015", "Mine.");
    app.coder.file = mine;
    app.save.generation += 1;
    app.save.last_change = Some(Instant::now() - Duration::from_secs(1));
    edit_outside(root, |f| set_document_memo(f, "un/gge-2015", "Theirs."));
    wait_saved(&mut app);
    let on_disk = read(&alice(root));
    let memo = on_disk.documents[&DocumentId::new("un/gge-2015")]
        .memo
        .clone()
        .unwrap();
    assert_eq!(memo, format!("Mine.\n{BOTH_MEMOS_MARKER}\nTheirs."));
    assert!(message(&app).contains("both versions of 1 memo kept"));
}

#[test]
fn an_unreadable_file_is_never_written_over_and_is_merged_once_it_reads() {
    let (project, mut app) = alice_autosaving();
    let root = project.path();
    // A merge left conflict markers in the file.
    let good = std::fs::read_to_string(alice(root)).unwrap();
    let broken = format!("<<<<<<< HEAD\n{good}=======\n>>>>>>> theirs\n");
    std::fs::write(alice(root), &broken).unwrap();

    open(&mut app, "un/gge-2015", "13");
    toggle(&mut app, "VU01");
    wait_saved(&mut app);
    assert_eq!(std::fs::read_to_string(alice(root)).unwrap(), broken);
    let beside = root.join("annotations/alice.yaml.workspace");
    let kept = read(&beside);
    assert!(codes(&kept, "un/gge-2015", "13").contains(&"VU01".to_string()));
    assert!(app.message.as_ref().unwrap().is_error);
    assert!(
        message(&app).contains("cannot be read"),
        "{}",
        message(&app)
    );
    // Not a coder of the project.
    assert!(
        !Project::open(root)
            .unwrap()
            .coder_names()
            .unwrap()
            .iter()
            .any(|c| c.contains("workspace"))
    );

    // The coder resolves the conflict with the other side's version, which coded unit 14.
    let mut resolved = annotations::parse_coder_file(Path::new("alice.yaml"), &good).unwrap();
    let coding = resolved
        .documents
        .get_mut(&DocumentId::new("un/gge-2015"))
        .unwrap();
    Arc::make_mut(coding)
        .annotations
        .push(annotations::Annotation::new_unit(
            UnitId::new("14"),
            vec![IndicatorId::new("CB01")],
            annotations::now(),
        ));
    annotations::save_coder_file(&alice(root), &resolved).unwrap();
    app.watch_files_now();
    wait_saved(&mut app);
    let on_disk = read(&alice(root));
    assert!(codes(&on_disk, "un/gge-2015", "13").contains(&"VU01".to_string()));
    assert!(codes(&on_disk, "un/gge-2015", "14").contains(&"CB01".to_string()));
    assert!(app.disk.unreadable.is_none());
    assert!(screen(&app).contains("saved"));
    assert!(!screen(&app).contains("NOT SAVED"));
}

#[test]
fn a_file_changed_in_place_is_noticed_while_idle() {
    let (project, mut app) = alice_autosaving();
    let root = project.path();
    // An editor rewrites the file in place (same inode): done on gge-2015 becomes in progress.
    let text = std::fs::read_to_string(alice(root)).unwrap();
    let edited = text.replacen("status: done", "status: in_progress", 1);
    assert_ne!(text, edited);
    std::fs::write(alice(root), &edited).unwrap();
    assert!(app.watch_files_now());
    let before = read(&alice(root));
    let changed: Vec<_> = before
        .documents
        .iter()
        .filter(|(id, c)| app.coder.file.status(id) != c.status)
        .collect();
    assert!(changed.is_empty(), "the workspace shows the file as it is");
    assert!(message(&app).contains("changed on disk"));
    // Told even at 80 columns: the message takes the place of the progress counts.
    assert!(
        screen_of(&app, 80, 24).contains("alice.yaml changed on disk"),
        "{}",
        screen_of(&app, 80, 24)
    );
    // Nothing to save: the workspace holds what is on disk.
    assert!(!app.save.is_dirty());
    assert_eq!(std::fs::read_to_string(alice(root)).unwrap(), edited);
}

#[test]
fn a_codebook_changed_on_disk_is_used_at_once() {
    let project = samples_copy();
    let root = project.path();
    let mut app = app_for(root, "alice");
    let path = root.join("codebook.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen("version: \"1.0\"", "version: \"1.1-pulled\"", 1);
    assert_ne!(text, changed);
    std::fs::write(&path, changed).unwrap();
    assert!(app.watch_files_now());
    assert_eq!(app.project.codebook.version, "1.1-pulled");
    assert!(message(&app).contains("codebook.yaml changed on disk"));

    // An indicator deleted on disk can no longer be coded.
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("      - id: ST01\n").unwrap();
    let end = start + text[start..].find("\n\n").unwrap() + 1;
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let before = app.quick_assign_candidates("ST01");
    assert!(app.watch_files_now());
    assert!(
        app.project
            .codebook
            .indicator(&IndicatorId::new("ST01"))
            .is_none()
    );
    let after: Vec<String> = app
        .quick_assign_candidates("ST01")
        .into_iter()
        .map(|i| app.project.codebook.indicators[i].id.to_string())
        .collect();
    assert!(!before.is_empty());
    assert!(!after.contains(&"ST01".to_string()), "{after:?}");

    // A broken codebook keeps the one loaded, and says why.
    std::fs::write(&path, "name: [unclosed\n").unwrap();
    assert!(app.watch_files_now());
    assert_eq!(app.project.codebook.version, "1.1-pulled");
    assert!(app.message.as_ref().unwrap().is_error);
    assert!(message(&app).contains("cannot be read"));
}

#[test]
fn documents_changed_on_disk_are_reloaded_and_the_codes_follow_their_text() {
    let (project, mut app) = alice_autosaving();
    let root = project.path();
    let document = "un/gge-2015";
    let before = read(&alice(root));
    let units = |app: &App| {
        let id = DocumentId::new(document);
        app.project.corpus.get(&id).unwrap().units.len()
    };
    let units_before = units(&app);
    let path = root.join("samples/un/gge-2015.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // Two new paragraphs after the front matter.
    let body_start = text[3..].find("---\n").unwrap() + 3 + 4;
    let edited = format!(
        "{}\nINSERTED PARAGRAPH ONE.\n\nINSERTED PARAGRAPH TWO.\n\n{}",
        &text[..body_start],
        &text[body_start..]
    );
    std::fs::write(&path, edited).unwrap();
    assert!(app.watch_files_now());
    let units_after = units(&app);
    assert_eq!(units_after, units_before + 2);
    // Every code of alice's on that document is still on the same text.
    let annotations_now = app.coder.file.annotations(&DocumentId::new(document));
    assert_eq!(
        annotations_now.len(),
        before.annotations(&DocumentId::new(document)).len()
    );
    assert!(annotations_now.iter().all(|a| !a.is_orphaned()));
    for a in annotations_now {
        let doc = app.project.corpus.get(&DocumentId::new(document)).unwrap();
        let unit = doc.unit(&a.unit).unwrap();
        assert!(!doc.unit_text(unit).starts_with("INSERTED"));
    }
    assert!(message(&app).contains("documents changed on disk"));
    wait_saved(&mut app);
    assert_eq!(
        read(&alice(root)).status(&DocumentId::new(document)),
        Status::Done
    );
}
