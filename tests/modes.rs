//! Every mode of the workspace, driven by key scripts through the real key map: its help
//! lists every action it has, `Esc` leaves it for the document pane with nothing left open,
//! and a snapshot pins how it looks at 80x24 and 160x48, in English and in Chinese.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::screen::{press, render};
use common::{orphan_alice_annotation, samples_copy};
use normcode::annotations::Status;
use normcode::tui::action::{ACTIONS, ModeKind};
use normcode::tui::app::{App, Focus};
use normcode::tui::keymap::{Key, Keymap};
use normcode::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A workspace on a copy of the samples, as alice, with the search index in `index`.
fn workspace(root: &Path, index: &Path, language: &str) -> App {
    let project = normcode::project::Project::open(root).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    app.search_index_dir = Some(index.to_path_buf());
    app.language = language.to_string();
    // One frame, so that page sizes and the document pane's layout are known.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| app.layout = ui::render(frame, &app))
        .unwrap();
    app
}

/// Puts the workspace into a mode of `kind` the way a coder would.
fn enter(app: &mut App, kind: ModeKind) {
    match kind {
        ModeKind::Normal => {}
        ModeKind::Visual => press(app, "vww"),
        ModeKind::Query => {
            press(app, "/vulnerab");
            assert!(app.wait_for_search(Duration::from_secs(60)));
        }
        ModeKind::Search => {
            press(app, "/vulnerab");
            assert!(app.wait_for_search(Duration::from_secs(60)));
            press(app, "<enter>");
        }
        ModeKind::Prompt => press(app, "adisclos"),
        ModeKind::Memo => press(app, "mfirst line<enter>second"),
        ModeKind::Confirm => {
            if app.status() != Status::Done {
                press(app, "D");
            }
            assert_eq!(app.status(), Status::Done);
            press(app, "<enter>");
        }
        ModeKind::Help => press(app, "?"),
        ModeKind::Review => press(app, "R<enter>"),
        ModeKind::Reports => press(app, "r"),
        ModeKind::Split => press(app, "fIL01<enter>SIL01a IL01b<enter>"),
        ModeKind::Orphans => {
            // Needs an annotation that could not be placed: a document edited, the
            // workspace opened again.
            let root = app.project.root.clone();
            let index = app.search_index_dir.clone().unwrap();
            let language = app.language.clone();
            orphan_alice_annotation(&root);
            *app = workspace(&root, &index, &language);
            press(app, "O");
        }
    }
    assert_eq!(
        app.mode.kind(),
        kind,
        "entering {kind:?}: {:?}",
        app.message.as_ref().map(|m| &m.text)
    );
}

#[test]
fn esc_from_every_mode_returns_to_the_document_pane_with_nothing_open() {
    let index = tempfile::tempdir().unwrap();
    for kind in ModeKind::ALL {
        let dir = samples_copy();
        let mut app = workspace(dir.path(), index.path(), "en");
        enter(&mut app, kind);
        press(&mut app, "<esc>");
        assert_eq!(app.mode.kind(), ModeKind::Normal, "Esc in {kind:?}");
        assert!(app.prompt().is_none(), "{kind:?}: a prompt is left");
        assert!(app.mode.help().is_none() && app.mode.review().is_none());
        assert!(app.mode.reports().is_none() && app.mode.split().is_none());
        assert!(app.mode.orphans().is_none());
        assert!(app.mode.visual().is_none() && app.selection().is_none());
        assert!(
            app.focus != Focus::Search,
            "{kind:?}: the search pane keeps focus"
        );
        if matches!(kind, ModeKind::Search | ModeKind::Query) {
            assert!(app.search.is_none(), "Esc closes the search pane");
        }
        // Nothing a key does next goes to the mode that was left: `a` quick-assigns to the
        // current unit.
        press(&mut app, "a");
        assert_eq!(app.mode.kind(), ModeKind::Prompt, "after Esc in {kind:?}");
        press(&mut app, "<esc>");
        assert_eq!(app.mode.kind(), ModeKind::Normal);
    }
}

#[test]
fn search_then_esc_then_a_codes_exactly_the_current_unit() {
    let index = tempfile::tempdir().unwrap();
    let dir = samples_copy();
    let mut app = workspace(dir.path(), index.path(), "en");
    let before: usize = count_codes(&app, "TH02");
    let unit = app.current_unit().unwrap().id.clone();
    let document = app.document().unwrap().id.clone();
    press(&mut app, "/vulnerab");
    assert!(app.wait_for_search(Duration::from_secs(60)));
    assert!(app.search.as_ref().unwrap().total > 1);
    press(&mut app, "<esc>");
    assert!(
        app.unit_codes(app.unit)
            .iter()
            .all(|c| c.as_str() != "TH02")
    );
    press(&mut app, "aTH02<enter>");
    if app.mode.kind() == ModeKind::Confirm {
        // alice marked this document done: coding it asks first.
        press(&mut app, "y");
    }
    let codes = app
        .coder
        .file
        .annotations(&document)
        .iter()
        .filter(|a| a.unit == unit)
        .flat_map(|a| a.codes.clone())
        .collect::<Vec<_>>();
    assert!(
        codes.iter().any(|c| c.as_str() == "TH02"),
        "the current unit got TH02"
    );
    assert_eq!(
        count_codes(&app, "TH02"),
        before + 1,
        "exactly one unit more"
    );
}

fn count_codes(app: &App, code: &str) -> usize {
    app.coder
        .file
        .documents
        .values()
        .flat_map(|d| d.annotations.iter())
        .filter(|a| a.codes.iter().any(|c| c.as_str() == code))
        .count()
}

#[test]
fn every_action_appears_in_the_help_of_each_of_its_modes() {
    let index = tempfile::tempdir().unwrap();
    for kind in ModeKind::ALL {
        let dir = samples_copy();
        let mut app = workspace(dir.path(), index.path(), "en");
        enter(&mut app, kind);
        if kind != ModeKind::Help {
            press(&mut app, "<F1>");
        }
        assert_eq!(app.mode.kind(), ModeKind::Help, "F1 in {kind:?}");
        // Scroll through the whole help at 80x24, keeping the rows of the help box.
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..120 {
            let screen = render(&app, 80, 24);
            // The text inside the help's box, without its borders.
            seen.extend(screen.lines().skip(1).take(22).map(|line| {
                line.chars()
                    .filter(|c| !('\u{2500}'..='\u{257f}').contains(c))
                    .collect::<String>()
            }));
            press(&mut app, "<PageDown>");
        }
        let text: String = seen.join("\n");
        assert!(!text.contains('…'), "{kind:?}: a description was cut");
        // The help of a mode starts with that mode's section.
        let first_title = kind_title(kind);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = flat
            .find(first_title)
            .unwrap_or_else(|| panic!("{first_title} missing"));
        let own = &flat[at..];
        for def in ACTIONS.iter().filter(|d| d.modes.contains(&kind)) {
            let start: String = def
                .doc
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                own.contains(&start),
                "{kind:?}: the help lacks {:?} ({start}):\n{}",
                def.name,
                &own[..own.len().min(3000)]
            );
        }
        press(&mut app, "<esc>");
        assert_eq!(
            app.mode.kind(),
            if kind == ModeKind::Help {
                ModeKind::Normal
            } else {
                kind
            }
        );
    }
}

fn kind_title(kind: ModeKind) -> &'static str {
    // The help section of the mode the help is opened over (the help itself lists Normal's).
    if kind == ModeKind::Help {
        ModeKind::Normal.title()
    } else {
        kind.title()
    }
}

#[test]
fn snapshot_of_every_mode_at_two_sizes_in_english_and_chinese() {
    let index = tempfile::tempdir().unwrap();
    for language in ["en", "zh"] {
        for kind in ModeKind::ALL {
            let dir = samples_copy();
            let mut app = workspace(dir.path(), index.path(), language);
            enter(&mut app, kind);
            for (width, height) in [(80, 24), (160, 48)] {
                let screen = render(&app, width, height);
                insta::assert_snapshot!(
                    format!("mode_{kind:?}_{width}x{height}_{language}").to_lowercase(),
                    screen
                );
            }
        }
    }
}

#[test]
fn key_scripts_through_the_event_loop_are_coded_and_saved_when_the_worker_says_so() {
    use normcode::tui::event::Event;
    use ratatui::crossterm::event::Event as TerminalEvent;
    let index = tempfile::tempdir().unwrap();
    let dir = samples_copy();
    let mut app = workspace(dir.path(), index.path(), "en");
    let (tx, rx) = std::sync::mpsc::channel();
    app.waker = Some(tx);
    app.start_autosave();
    let step = |app: &mut App, script: &str| {
        for key in Key::parse_script(script).unwrap() {
            app.step(Event::Terminal(TerminalEvent::Key(key.to_event())));
        }
    };
    step(&mut app, "j");
    let (document, unit) = (
        app.document().unwrap().id.clone(),
        app.current_unit().unwrap().id.clone(),
    );
    assert!(
        !app.unit_codes(app.unit)
            .iter()
            .any(|c| c.as_str() == "TH02")
    );
    step(&mut app, "aTH02<enter>");
    if app.mode.kind() == ModeKind::Confirm {
        step(&mut app, "y");
    }
    assert!(app.save.is_dirty());
    // The loop: sleep until a worker speaks or the app's deadline passes.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut heard_saved = false;
    while app.save.is_dirty() && std::time::Instant::now() < deadline {
        let event = match rx.recv_timeout(app.next_deadline()) {
            Ok(event) => {
                heard_saved |= matches!(event, Event::Saved);
                event
            }
            Err(_) => Event::Tick,
        };
        app.step(event);
    }
    assert!(!app.save.is_dirty(), "saved within the deadline");
    assert!(heard_saved, "the autosave worker woke the loop");
    let project = normcode::project::Project::open(dir.path()).unwrap();
    let on_disk = project.load_coder("alice").unwrap();
    let codes = on_disk.file.codes_on_unit(&document, &unit);
    assert!(codes.iter().any(|c| c.as_str() == "TH02"), "{codes:?}");
}

#[test]
fn hints_inside_panes_name_the_keys_the_user_bound() {
    let dir = samples_copy();
    let project = normcode::project::Project::open(dir.path()).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let overrides =
        std::collections::BTreeMap::from([("agreement_table".to_string(), vec!["T".to_string()])]);
    let (keymap, problems) = Keymap::with_overrides(&overrides);
    assert!(problems.is_empty(), "{problems:?}");
    let mut app = App::new(Arc::new(project), coder, keymap);
    press(&mut app, "R<enter>T");
    assert_eq!(app.mode.kind(), ModeKind::Review);
    let screen = render(&app, 160, 48);
    assert!(screen.contains("T back to the disagreements"), "{screen}");
    assert!(!screen.contains("t back to the disagreements"), "{screen}");
}

#[test]
fn the_reports_view_shows_the_agenda_as_a_timeline_that_fits_80x24_and_fills_200x50() {
    let index = tempfile::tempdir().unwrap();
    let dir = samples_copy();
    let mut app = workspace(dir.path(), index.path(), "en");
    press(&mut app, "r<tab>");
    let small = render(&app, 80, 24);
    insta::assert_snapshot!("reports_agenda_timeline_80x24", small);
    // Years across (two digits at 80 columns), a shape per group, who was first at the end.
    assert!(small.contains("'13'14'15"), "{small}");
    assert!(small.contains("● Intergovernmental process"), "{small}");
    assert!(
        small.contains(" IL01 ") && small.contains("First"),
        "{small}"
    );
    assert!(small.lines().all(|l| l.chars().count() <= 80));
    let large = render(&app, 200, 50);
    insta::assert_snapshot!("reports_agenda_timeline_200x50", large);
    // Wide: full years, whole labels, the first group in words with its lead.
    assert!(large.contains("2013  2014  2015"), "{large}");
    assert!(
        large.contains("IL01 International law and the UN Charter apply"),
        "{large}"
    );
    assert!(large.contains("Intergovernmental process +"), "{large}");
    // It scrolls to its end: the documents not counted, and why.
    press(&mut app, &"<pagedown>".repeat(20));
    let end = render(&app, 80, 24);
    assert!(end.contains("Not counted (2)"), "{end}");
    assert!(
        end.contains("in progress (1):") && end.contains("company/microsoft-2018"),
        "{end}"
    );
    // Tab goes on to progress, then back to frequencies.
    press(&mut app, "<tab>");
    assert!(render(&app, 80, 24).contains("documents done"));
    press(&mut app, "<tab>");
    assert!(render(&app, 80, 24).contains("Documents raising each indicator"));
}
