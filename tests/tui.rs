//! The coding workspace, headless: key scripts drive the real app state, and ratatui's
//! TestBackend renders it for snapshots.

mod common;
use common::screen::{press, render};
use common::{repo, samples_copy};

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use normcode::annotations::Status;
use normcode::corpus::{DocumentId, UnitId};
use normcode::project::Project;
use normcode::tui::action::ModeKind;
use normcode::tui::app::{App, Focus};
use normcode::tui::keymap::Keymap;
use normcode::tui::startup;
use normcode::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_for(root: &Path, coder: &str) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder(coder).unwrap();
    App::new(Arc::new(project), coder, Keymap::default())
}

/// Renders once and keeps the layout (pane sizes), as the real loop does.
fn settle(app: &mut App, width: u16, height: u16) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut layout = None;
    terminal
        .draw(|frame| layout = Some(ui::render(frame, app)))
        .unwrap();
    app.layout = layout.unwrap();
    app.ensure_visible();
}

fn open(app: &mut App, document: &str) {
    let position = app
        .project
        .corpus
        .position(&DocumentId::new(document))
        .unwrap();
    app.open_document(position, 0);
}

fn codes(app: &App, document: &str, unit: &str) -> Vec<String> {
    app.coder
        .file
        .codes_on_unit(&DocumentId::new(document), &UnitId::new(unit))
        .into_iter()
        .map(|c| c.to_string())
        .collect()
}

#[test]
fn main_screen_80x24_english() {
    let mut app = app_for(&repo(), "alice");
    settle(&mut app, 80, 24);
    open(&mut app, "un/gge-2015");
    press(&mut app, "jjj");
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn main_screen_160x48_chinese() {
    let mut app = app_for(&repo(), "bob");
    settle(&mut app, 160, 48);
    open(&mut app, "zh/gge-2015-zh");
    press(&mut app, "}");
    insta::assert_snapshot!(render(&app, 160, 48));
}

#[test]
fn help_overlay_lists_every_action_with_its_keys() {
    let mut app = app_for(&repo(), "alice");
    press(&mut app, "?");
    assert_eq!(app.mode.kind(), ModeKind::Help);
    let screen = render(&app, 160, 48);
    insta::assert_snapshot!(screen);
    for text in ["next uncoded unit", "undo", "C-r", "quick-assign"] {
        assert!(screen.contains(text), "help lacks {text}");
    }
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
}

/// The document pane of a screen (its left 45 columns at 80): what the preview shown while the
/// project loads must show exactly as the loaded workspace will. (The codebook pane's counts
/// of uses in the corpus and the status bar are only known once loaded.)
fn document_pane(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[..lines.len() - 1]
        .iter()
        .map(|line| line.chars().take(45).collect::<String>() + "\n")
        .collect()
}

#[test]
fn the_first_frame_shows_where_the_coder_left_off_before_the_project_has_loaded() {
    let root = repo();
    let read = Arc::new(AtomicUsize::new(0));
    let position = (DocumentId::new("un/gge-2015"), UnitId::new("p5"));
    let preview = startup::preview(
        &root,
        "alice",
        Keymap::default(),
        Some(position.clone()),
        Arc::clone(&read),
    )
    .unwrap()
    .expect("the samples' coder files are in normcode's layout");
    assert_eq!(
        preview.project.corpus.len(),
        1,
        "only the document shown is read"
    );
    let first = render(&preview, 80, 24);
    insta::assert_snapshot!(first);
    assert!(first.contains("loading documents 0/14…"), "{first}");

    // The loader reads the rest (counting documents for the status bar); the loaded workspace
    // at the same place shows the same document, codes and details.
    let (project, coder) =
        startup::Loader::start(root.clone(), "alice".into(), Arc::clone(&read), None)
            .finish()
            .unwrap();
    assert_eq!(read.load(Ordering::Relaxed), 14);
    assert!(render(&preview, 80, 24).contains("loading documents 14/14…"));
    let mut loaded = App::new(Arc::new(project), coder, Keymap::default());
    let doc = loaded.project.corpus.position(&position.0).unwrap();
    loaded.open_document(doc, 4);
    let loaded_screen = render(&loaded, 80, 24);
    assert!(loaded_screen.contains("IL08"), "{loaded_screen}");
    assert_eq!(document_pane(&first), document_pane(&loaded_screen));
    assert!(!loaded_screen.contains('…') || !loaded_screen.contains("loading"));
}

#[test]
fn the_first_frame_of_a_project_without_a_saved_place_is_its_first_document() {
    let root = repo();
    let read = Arc::new(AtomicUsize::new(0));
    let preview = startup::preview(&root, "bob", Keymap::default(), None, read)
        .unwrap()
        .unwrap();
    let loaded = app_for(&root, "bob");
    assert_eq!(
        preview.document().unwrap().id,
        loaded.project.corpus.documents[0].id
    );
    assert_eq!(
        document_pane(&render(&preview, 80, 24)),
        document_pane(&render(&loaded, 80, 24))
    );

    // A place in a document that is gone: the first document, from its start (though it
    // has a unit of that name too), as the loaded workspace opens.
    let gone = (DocumentId::new("gone/report"), UnitId::new("p5"));
    let read = Arc::new(AtomicUsize::new(0));
    let preview = startup::preview(&root, "bob", Keymap::default(), Some(gone), read)
        .unwrap()
        .unwrap();
    assert!(
        preview
            .document()
            .unwrap()
            .unit_position(&UnitId::new("p5"))
            .is_some()
    );
    assert_eq!(preview.unit, 0);
    assert_eq!(
        document_pane(&render(&preview, 80, 24)),
        document_pane(&render(&loaded, 80, 24))
    );
}

#[test]
fn the_first_frame_reads_a_coder_file_in_any_layout_and_none_from_a_broken_one() {
    let dir = temp_project(&[("a.md", "First paragraph.\n\nSecond one.\n".to_string())]);
    std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
    let carol = dir.path().join("annotations/carol.yaml");
    // Valid YAML, but not the layout normcode writes (four-space indents, a comment).
    std::fs::write(
        &carol,
        "schema: 1\ncoder: carol\ndocuments:\n    # by hand\n    a:\n        status: in_progress\n        annotations:\n            - {unit: p2, codes: [IL01]}\n",
    )
    .unwrap();
    let preview = |coder: &str| {
        let read = Arc::new(AtomicUsize::new(0));
        startup::preview(dir.path(), coder, Keymap::default(), None, read).unwrap()
    };
    let shown = preview("carol").expect("a hand-written file is read whole");
    assert_eq!(codes(&shown, "a", "p2"), ["IL01"]);
    assert_eq!(
        document_pane(&render(&shown, 80, 24)),
        document_pane(&render(&app_for(dir.path(), "carol"), 80, 24))
    );

    // A coder without a file sees the document uncoded; a broken file is left to the loader,
    // which names the line.
    assert!(preview("dave").unwrap().coder.file.documents.is_empty());
    std::fs::write(&carol, "schema: 1\ncoder: carol\ndocuments: [\n").unwrap();
    assert!(preview("carol").is_none());
    let read = Arc::new(AtomicUsize::new(0));
    let err = startup::Loader::start(dir.path().to_path_buf(), "carol".into(), read, None)
        .finish()
        .expect_err("a broken coder file stops the load");
    assert!(err.to_string().contains("carol.yaml:3"), "{err}");
}

fn temp_project(documents: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("codebook.yaml"),
        dir.path().join("codebook.yaml"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("documents")).unwrap();
    for (name, text) in documents {
        std::fs::write(dir.path().join("documents").join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_long_document_renders_only_the_units_in_view() {
    let paragraph = "States should cooperate to prevent harmful ICT practices. ";
    let body: String = (1..=5000)
        .map(|n| format!("{n}. {}\n\n", paragraph.repeat(3)))
        .collect();
    let dir = temp_project(&[("long.md", format!("---\ntitle: Long\n---\n{body}"))]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    press(&mut app, "G");
    assert_eq!(app.unit, 4999);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("5000"), "{screen}");
    assert!(screen.contains("unit 5000/5000"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_unit_of_many_megabytes_on_one_line_shows_its_start_and_scrolls_past() {
    // 30 MB in one paragraph: the frame shows its first rows, and moving on puts the next
    // unit at the top (rendering reads only the rows in view; see text::wrap_rows).
    let giant = "Cyber norms need cooperation and restraint. ".repeat(700_000);
    let dir = temp_project(&[(
        "giant.md",
        format!("---\ntitle: Giant\n---\n1. {giant}\n\n2. The second paragraph.\n"),
    )]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("1. Cyber norms need cooperation"),
        "{screen}"
    );
    press(&mut app, "j");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("2. The second paragraph."), "{screen}");
    assert_eq!(app.top, 1, "the giant unit is scrolled past");
    press(&mut app, "k");
    assert_eq!(app.top, 0);
    assert!(render(&app, 80, 24).contains("1. Cyber norms"));
}

#[test]
fn assign_remove_undo_redo_across_documents() {
    let dir = temp_project(&[
        (
            "a.md",
            "1. States should report vulnerabilities.\n\n2. Second paragraph.\n".into(),
        ),
        ("b.md", "Protect critical infrastructure.\n".into()),
    ]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    // Quick-assign by id, then by part of a label.
    press(&mut app, "aVU01<enter>");
    assert_eq!(codes(&app, "a", "1"), ["VU01"]);
    press(&mut app, "j");
    press(&mut app, "acritical infra<enter>");
    assert_eq!(codes(&app, "a", "2"), ["CI01"]);
    // The digit keys give the recently used indicators: 1 = CI01, 2 = VU01.
    press(&mut app, "]2");
    assert_eq!(codes(&app, "b", "p1"), ["VU01"]);
    assert_eq!(
        app.coder.file.status(&DocumentId::new("b")),
        Status::InProgress
    );
    press(&mut app, "2");
    assert!(
        codes(&app, "b", "p1").is_empty(),
        "the same key removes it again"
    );
    // Undo walks back across documents, and jumps to where each change was made.
    press(&mut app, "uuu");
    assert_eq!(app.document().unwrap().id.as_str(), "a");
    assert!(codes(&app, "a", "2").is_empty());
    assert_eq!(codes(&app, "a", "1"), ["VU01"]);
    press(&mut app, "<c-r><c-r>");
    assert_eq!(codes(&app, "b", "p1"), ["VU01"]);
    assert_eq!(app.document().unwrap().id.as_str(), "b");
    assert!(app.save.is_dirty(), "changes wait for the autosave");
}

#[test]
fn codebook_pane_filter_and_toggle_with_enter() {
    let dir = temp_project(&[("a.md", "Some text.\n".into())]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    press(&mut app, "fsupply chain<enter>");
    assert_eq!(app.focus, Focus::Codebook);
    let selected = app.selected_indicator().unwrap();
    let id = app.project.codebook.indicators[selected].id.to_string();
    assert!(id.starts_with("SC"), "{id}");
    press(&mut app, "<enter>");
    assert_eq!(codes(&app, "a", "p1"), std::slice::from_ref(&id));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("filter: supply chain"), "{screen}");
    assert!(
        screen.contains(&format!("●{id}")),
        "the coded indicator is marked: {screen}"
    );
    press(&mut app, "<enter>");
    assert!(codes(&app, "a", "p1").is_empty());
    press(&mut app, "<esc>");
    assert!(app.codebook_filter.is_empty());
}

#[test]
fn span_coding_by_word_and_character_with_overlaps() {
    let dir = temp_project(&[(
        "a.md",
        "各国应保护关键基础设施 and report vulnerabilities.\n".into(),
    )]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    // Select the Han characters 保护 (each Chinese character is a word): three to the right,
    // swap ends, four more.
    press(&mut app, "vlllollll");
    press(&mut app, "aCI01<enter>");
    let annotations = app.coder.file.annotations(&DocumentId::new("a")).to_vec();
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0].span.unwrap().start, 3);
    assert_eq!(annotations[0].quote.as_deref(), Some("保护"));
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    // The whole unit, then its start forward by words: each `w` of the start lands on the
    // start of a word (each Han character is one), never on a word's last letter.
    // `v` starts where the last selection ended; `0 o 0` puts both ends at the unit's start.
    press(&mut app, "v0o0$o");
    press(&mut app, &"w".repeat(12));
    press(&mut app, "aVU01<enter>");
    // And one that overlaps the first.
    press(&mut app, "v0o0lllllllaIL01<enter>");
    let annotations = app.coder.file.annotations(&DocumentId::new("a")).to_vec();
    // The end by words: `w` to the end of each word, `b` back to the previous word's end.
    press(&mut app, "v0o0");
    press(&mut app, &"w".repeat(13));
    press(&mut app, "wb");
    assert_eq!(
        app.selection().map(|s| (s.start, s.end)),
        Some((0, "各国应保护关键基础设施 and report".chars().count()))
    );
    press(&mut app, "<esc>");
    let quotes: Vec<_> = annotations
        .iter()
        .map(|a| a.quote.clone().unwrap())
        .collect();
    assert_eq!(
        quotes,
        ["各国应保护关键基", "保护", "report vulnerabilities."]
    );
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("CI01") && screen.contains("VU01"),
        "{screen}"
    );
}

#[test]
fn memos_and_document_done() {
    let dir = temp_project(&[("a.md", "One.\n\nTwo.\n".into())]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    press(&mut app, "mfirst line<enter>second<c-s>");
    let a = &app.coder.file.annotations(&DocumentId::new("a"))[0];
    assert_eq!(a.memo.as_deref(), Some("first line\nsecond"));
    assert!(a.codes.is_empty());
    press(&mut app, "Mabout the whole document<c-s>");
    assert_eq!(
        app.coding().unwrap().memo.as_deref(),
        Some("about the whole document")
    );
    press(&mut app, "mx<esc>");
    assert_eq!(
        app.coder.file.annotations(&DocumentId::new("a"))[0]
            .memo
            .as_deref(),
        Some("first line\nsecond"),
        "Esc discards the edit"
    );
    press(&mut app, "D");
    assert_eq!(app.status(), Status::Done);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("done"), "{screen}");
    press(&mut app, "D");
    assert_eq!(app.status(), Status::InProgress);
}

#[test]
fn navigation_by_coded_and_uncoded_units_and_picker() {
    let mut app = app_for(&repo(), "alice");
    settle(&mut app, 80, 24);
    open(&mut app, "un/gge-2015");
    press(&mut app, "}");
    let first_coded = app.unit;
    assert!(!app.unit_codes(first_coded).is_empty());
    press(&mut app, ">");
    assert!(app.unit_codes(app.unit).is_empty());
    assert!(app.unit > first_coded);
    press(&mut app, "ooewg<enter>");
    assert_eq!(app.document().unwrap().id.as_str(), "un/oewg-2021");
    press(&mut app, "g");
    assert_eq!(app.unit, 0);
}

#[test]
fn control_characters_in_documents_never_reach_the_terminal() {
    let dir = temp_project(&[(
        "a.md",
        "Evil \u{1b}]0;pwned\u{7} and \u{1b}[2J text.\n".into(),
    )]);
    let mut app = app_for(dir.path(), "carol");
    let screen = render(&app, 80, 24);
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
    assert!(screen.contains("Evil ␛]0;pwned␇"), "{screen}");
    settle(&mut app, 80, 24);
}

#[test]
fn search_as_you_type_jump_and_code_all_hits() {
    let dir = temp_project(&[
        (
            "a.md",
            "1. States should report vulnerabilities responsibly.\n\n2. Nothing here.\n".into(),
        ),
        (
            "b.md",
            "各国应保护关键基础设施。\n\nVulnerability disclosure matters.\n".into(),
        ),
    ]);
    let index = tempfile::tempdir().unwrap();
    let mut app = app_for(dir.path(), "carol");
    app.search_index_dir = Some(index.path().to_path_buf());
    settle(&mut app, 100, 30);
    press(&mut app, "/vulnerab");
    assert!(
        app.wait_for_search(std::time::Duration::from_secs(30)),
        "search never answered"
    );
    let search = app.search.as_ref().unwrap();
    let hits: Vec<_> = search
        .hits
        .iter()
        .map(|h| format!("{} {}", h.document, h.unit))
        .collect();
    assert_eq!(hits.len(), 2, "{hits:?}");
    let screen = render(&app, 100, 30);
    assert!(screen.contains("2 hits"), "{screen}");
    // To the results, open the second hit: the document pane shows it.
    press(&mut app, "<enter>j<enter>");
    assert_eq!(app.focus, Focus::Document);
    let opened = app.document().unwrap().id.to_string();
    assert_eq!(
        format!("{} {}", opened, app.current_unit().unwrap().id),
        hits[1]
    );
    assert!(
        !app.search_matches().is_empty(),
        "the matches are highlighted"
    );
    // Chinese substring search.
    press(&mut app, "/<c-u>基础");
    assert!(app.wait_for_search(std::time::Duration::from_secs(30)));
    assert_eq!(app.search.as_ref().unwrap().hits.len(), 1);
    press(&mut app, "<c-u>vulnerab");
    assert!(app.wait_for_search(std::time::Duration::from_secs(30)));
    // Code every hit in one go, and undo it in one step.
    press(&mut app, "<enter>aVU01<enter>");
    // More than the current unit: it says what it will do and waits for Enter.
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("Code VU01 on 2 units in 2 documents?"),
        "{screen}"
    );
    assert!(codes(&app, "a", "1").is_empty());
    press(&mut app, "<enter>");
    assert_eq!(codes(&app, "a", "1"), ["VU01"]);
    assert_eq!(codes(&app, "b", "p2"), ["VU01"]);
    press(&mut app, "<tab>u");
    assert!(codes(&app, "a", "1").is_empty() && codes(&app, "b", "p2").is_empty());
    // n steps through the hits, wrapping around.
    press(&mut app, "<tab><tab>n");
    assert_eq!(app.current_unit().unwrap().id.as_str(), "p2");
    press(&mut app, "n");
    assert_eq!(app.current_unit().unwrap().id.as_str(), "1");
    assert_eq!(app.document().unwrap().id.as_str(), "a");
}

/// A query nested hundreds of levels deep used to overflow the search thread's stack and abort
/// the workspace; now the search pane says what is wrong, and the next query works.
#[test]
fn a_deeply_nested_query_shows_an_error_in_the_search_pane() {
    let dir = temp_project(&[(
        "a.md",
        "1. States should report vulnerabilities responsibly.\n\n2. Nothing here.\n".into(),
    )]);
    let index = tempfile::tempdir().unwrap();
    let mut app = app_for(dir.path(), "carol");
    app.search_index_dir = Some(index.path().to_path_buf());
    settle(&mut app, 120, 30);
    for query in [
        "NOT ".repeat(300) + "a",
        "a AND (".repeat(100) + "a",
        "(".repeat(2000),
    ] {
        press(&mut app, &format!("/<c-u>{query}"));
        assert!(
            app.wait_for_search(std::time::Duration::from_secs(30)),
            "search never answered"
        );
        let error = app
            .search
            .as_ref()
            .unwrap()
            .error
            .clone()
            .unwrap_or_default();
        assert!(error.contains("the query nests too deeply"), "{error}");
        // The whole message, wrapped in the search pane (between its heavy borders).
        let screen = render(&app, 120, 30);
        let pane: Vec<&str> = screen.lines().filter_map(|l| l.split('┃').nth(1)).collect();
        let pane = pane
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            pane.contains(
                "the query nests too deeply (more than 32 levels of NOT, parentheses or \
                 AND/OR): simplify it"
            ),
            "{screen}"
        );
        press(&mut app, "<esc>");
    }
    press(&mut app, "/<c-u>vulnerab");
    assert!(app.wait_for_search(std::time::Duration::from_secs(30)));
    let search = app.search.as_ref().unwrap();
    assert_eq!(search.error, None);
    assert_eq!(search.hits.len(), 1);
}

#[test]
fn review_disagreements_and_adjudicate_into_a_consensus_file() {
    let dir = samples_copy();
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 120, 40);
    press(&mut app, "R");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Review which coders?"), "{screen}");
    assert!(screen.contains("alice, bob"), "{screen}");
    press(&mut app, "<enter>");
    assert_eq!(app.mode.kind(), ModeKind::Review);
    let review = &app.mode.review().unwrap().review;
    let total = review.items.len();
    assert!(total > 5, "{total}");
    assert!(review.seeded > 50);
    let first = review.item().unwrap().clone();
    insta::assert_snapshot!(render(&app, 120, 40));
    // Take bob's codes for the first disagreement: it is resolved, and the review moves on.
    press(&mut app, "2");
    let review = &app.mode.review().unwrap().review;
    assert_eq!(review.resolved(), 1);
    assert_ne!(review.item().unwrap(), &first);
    let taken: Vec<_> = review
        .consensus
        .file
        .codes_on_unit(&first.document, &first.unit)
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(taken, first.codes[1].iter().cloned().collect::<Vec<_>>());
    // Union on the next, then undo it.
    press(&mut app, "Uu");
    assert_eq!(app.mode.review().unwrap().review.resolved(), 1);
    // Edit: toggle one code in the consensus by quick-assign.
    press(&mut app, "aIL01<enter>");
    let review = &app.mode.review().unwrap().review;
    assert_eq!(review.resolved(), 2);
    assert!(review.consensus_codes().contains("IL01"));
    // Leaving the review writes annotations/consensus.yaml, a coder file like any other.
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    assert!(app.mode.review().is_none());
    let project = Project::open(dir.path()).unwrap();
    let consensus = project.load_coder("consensus").unwrap();
    assert!(consensus.file.annotation_count() > 50);
    let codes: Vec<_> = consensus
        .file
        .codes_on_unit(&first.document, &first.unit)
        .into_iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        codes,
        first.codes[1]
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
    );
    assert!(
        project
            .coder_names()
            .unwrap()
            .contains(&"consensus".to_string())
    );
}

#[test]
fn tiny_and_odd_terminal_sizes_never_panic() {
    let dir = samples_copy();
    let mut app = app_for(dir.path(), "carol");
    let sizes = [
        (1, 1),
        (2, 2),
        (5, 3),
        (12, 4),
        (20, 6),
        (33, 9),
        (80, 3),
        (3, 80),
    ];
    let check = |app: &mut App, what: &str| {
        for &(w, h) in &sizes {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(app, w, h)));
            assert!(result.is_ok(), "{what} panicked at {w}x{h}");
        }
    };
    check(&mut app, "main screen");
    press(&mut app, "?");
    check(&mut app, "help");
    press(&mut app, "<esc>a");
    check(&mut app, "quick-assign");
    press(&mut app, "<esc>mmemo");
    check(&mut app, "memo");
    press(&mut app, "<esc>R<enter>");
    assert_eq!(app.mode.kind(), ModeKind::Review);
    check(&mut app, "review");
    press(&mut app, "<esc>vll");
    check(&mut app, "span selection");
}

#[test]
fn report_view_shows_frequencies_and_progress_as_bars() {
    let mut app = app_for(&repo(), "alice");
    settle(&mut app, 120, 40);
    press(&mut app, "r");
    assert_eq!(app.mode.kind(), ModeKind::Reports);
    let screen = render(&app, 120, 40);
    insta::assert_snapshot!(screen);
    assert!(
        screen.contains("Documents raising each indicator, coded by alice"),
        "{screen}"
    );
    assert!(
        screen.contains("IL01 International law") && screen.contains('█'),
        "{screen}"
    );
    // Tab: the agenda's timeline (tests/modes.rs), Tab again: progress.
    press(&mut app, "<tab><tab>");
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("alice: 12 of 14 documents done"),
        "{screen}"
    );
    assert!(screen.contains("bob:"), "{screen}");
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
}

#[test]
fn review_shows_the_agreement_table() {
    let dir = samples_copy();
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 120, 40);
    press(&mut app, "R<enter>t");
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Agreement of alice and bob at the unit level"),
        "{screen}"
    );
    assert!(
        screen.contains("Compared: 10 documents that every coder marked done"),
        "{screen}"
    );
    press(&mut app, "t");
    assert!(!render(&app, 120, 40).contains("Agreement of alice"));
}

#[test]
fn codebook_changes_on_the_spot_follow_into_every_coder_file_and_undo() {
    let dir = samples_copy();
    let codebook_path = dir.path().join("codebook.yaml");
    let original = std::fs::read_to_string(&codebook_path).unwrap();
    let mut app = app_for(dir.path(), "alice");
    settle(&mut app, 120, 40);
    open(&mut app, "un/gge-2015");
    press(&mut app, "jj");
    let unit = app.current_unit().unwrap().id.to_string();
    // A new indicator, in the highlighted indicator's category, coded on the unit at once.
    press(
        &mut app,
        "+VU99<enter><enter>Test disclosure<enter>测试披露<enter>A definition.<enter>一个定义。<enter>",
    );
    let codebook = std::fs::read_to_string(&codebook_path).unwrap();
    assert!(codebook.contains("id: VU99"), "the codebook on disk has it");
    assert!(
        codebook.contains("version: \"1.1\"")
            || codebook.contains("version: '1.1'")
            || codebook.contains("version: 1.1"),
        "{}",
        &codebook[..200]
    );
    assert!(codes(&app, "un/gge-2015", &unit).contains(&"VU99".to_string()));
    assert!(app.project.codebook.indicator(&"VU99".into()).is_some());
    // Undo puts the codebook and the coder file back.
    press(&mut app, "u");
    assert!(
        std::fs::read_to_string(&codebook_path).unwrap() == original,
        "undo writes the codebook back as it was"
    );
    assert!(app.project.codebook.indicator(&"VU99".into()).is_none());
    assert!(!codes(&app, "un/gge-2015", &unit).contains(&"VU99".to_string()));
    // Rename the highlighted indicator: bob's file follows too.
    press(&mut app, "fTH01<enter>");
    assert_eq!(
        app.project.codebook.indicators[app.selected_indicator().unwrap()]
            .id
            .as_str(),
        "TH01"
    );
    press(&mut app, "eTH99<enter>");
    let bob = std::fs::read_to_string(dir.path().join("annotations/bob.yaml")).unwrap();
    assert!(
        bob.contains("TH99") && !bob.contains("TH01"),
        "bob's file is recoded"
    );
    assert!(app.project.codebook.indicator(&"TH99".into()).is_some());
    // Retire: no longer offered in the codebook pane.
    press(&mut app, "<esc>fTH99<enter>X<enter>");
    assert!(
        app.project
            .codebook
            .indicator(&"TH99".into())
            .unwrap()
            .retired
    );
    assert!(app.quick_assign_candidates("TH99").is_empty());
}

#[test]
fn edit_an_indicator_field_by_field_and_move_it() {
    let dir = samples_copy();
    let codebook_path = dir.path().join("codebook.yaml");
    let original = std::fs::read_to_string(&codebook_path).unwrap();
    let mut app = app_for(dir.path(), "alice");
    settle(&mut app, 120, 40);
    press(&mut app, "fCI05<enter>E");
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains("Edit CI05 1/11: label (en)"),
        "the form asks field by field:\n{screen}"
    );
    assert!(
        screen.contains("Protect the public core of the Internet"),
        "each field starts with what the codebook says:\n{screen}"
    );
    // New English label, the rest kept, then the category: INTL; an exclude rule in English.
    press(
        &mut app,
        "<c-u>Public core of the Internet<enter><enter><enter><enter><c-u>INTL<enter><enter><enter><c-u>Attacks on one company: code SC04.<enter><enter><enter><enter>",
    );
    assert!(app.prompt().is_none(), "the form is done");
    let codebook = std::fs::read_to_string(&codebook_path).unwrap();
    let book = normcode::codebook::Codebook::parse(Path::new("codebook.yaml"), &codebook).unwrap();
    let ci05 = book.indicator(&"CI05".into()).unwrap();
    assert_eq!(ci05.label.0["en"], "Public core of the Internet");
    assert_eq!(ci05.label.0["zh"], original_label_zh(&original, "CI05"));
    assert_eq!(book.categories[ci05.category].id, "INTL");
    assert_eq!(
        ci05.exclude.last().unwrap().0["en"],
        "Attacks on one company: code SC04."
    );
    assert!(codebook.contains("Edited indicator CI05 (label (en), exclude) and moved it"));
    assert_eq!(
        app.project
            .codebook
            .indicator(&"CI05".into())
            .unwrap()
            .label
            .0["en"],
        "Public core of the Internet"
    );
    // One undo brings the file back byte for byte.
    press(&mut app, "<esc>u");
    assert_eq!(std::fs::read_to_string(&codebook_path).unwrap(), original);
    // Pressing Enter through every field changes nothing.
    press(
        &mut app,
        "fCI05<enter>E<enter><enter><enter><enter><enter><enter><enter><enter><enter><enter><enter>",
    );
    assert_eq!(std::fs::read_to_string(&codebook_path).unwrap(), original);
    assert!(render(&app, 120, 40).contains("CI05 unchanged"));
}

/// The zh label of `id` in the codebook text, as the parser reads it.
fn original_label_zh(text: &str, id: &str) -> String {
    let book = normcode::codebook::Codebook::parse(Path::new("codebook.yaml"), text).unwrap();
    book.indicator(&id.into()).unwrap().label.0["zh"].clone()
}

#[test]
fn split_an_indicator_segment_by_segment_across_coders_and_undo() {
    let dir = samples_copy();
    let alice_path = dir.path().join("annotations/alice.yaml");
    let bob_path = dir.path().join("annotations/bob.yaml");
    let before = (
        std::fs::read_to_string(&alice_path).unwrap(),
        std::fs::read_to_string(&bob_path).unwrap(),
        std::fs::read_to_string(dir.path().join("codebook.yaml")).unwrap(),
    );
    let uses = |text: &str, code: &str| {
        text.matches(&format!("{code},")).count() + text.matches(&format!("{code}]")).count()
    };
    let il01 = uses(&before.0, "IL01") + uses(&before.1, "IL01");
    assert!(il01 >= 4, "the samples code IL01 often enough to split it");
    let mut app = app_for(dir.path(), "alice");
    settle(&mut app, 120, 40);
    press(&mut app, "fIL01<enter>SIL01a IL01b<enter>");
    let screen = render(&app, 120, 40);
    assert!(
        screen.contains(&format!("Split IL01: segment 1/{il01}")),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    assert!(
        screen.contains("1 IL01a") && screen.contains("2 IL01b"),
        "{screen}"
    );
    // The document pane shows the segment's unit.
    let first = app.mode.split().unwrap().segments[0].clone();
    assert_eq!(app.document().unwrap().id, first.document);
    assert_eq!(app.current_unit().unwrap().id, first.unit);
    // First to IL01a, a wrong decision on the second taken back, the rest alternating, the
    // last one kept with IL01.
    press(&mut app, "12<bs>2");
    for n in 2..il01 - 1 {
        press(&mut app, if n % 2 == 0 { "1" } else { "2" });
    }
    press(&mut app, "s");
    assert!(render(&app, 120, 40).contains(&format!("all {il01} segments seen")));
    press(&mut app, "<enter>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    let screen = render(&app, 160, 40);
    assert!(
        screen.contains(&format!(
            "Split indicator IL01 into IL01a, IL01b ({} segments",
            il01 - 1
        )),
        "{screen}"
    );
    let alice = std::fs::read_to_string(&alice_path).unwrap();
    let bob = std::fs::read_to_string(&bob_path).unwrap();
    let (a, b, left) = (
        uses(&alice, "IL01a") + uses(&bob, "IL01a"),
        uses(&alice, "IL01b") + uses(&bob, "IL01b"),
        uses(&alice, "IL01") + uses(&bob, "IL01"),
    );
    assert_eq!(a + b + left, il01, "every segment is somewhere");
    assert_eq!(left, 1, "one kept with IL01");
    let middle = 2..il01 - 1;
    assert_eq!(a, 1 + middle.clone().filter(|n| n % 2 == 0).count());
    assert_eq!(b, 1 + middle.filter(|n| n % 2 == 1).count());
    let book = &app.project.codebook;
    assert!(
        book.indicator(&"IL01".into()).unwrap().retired,
        "kept for the segment left"
    );
    assert!(book.indicator(&"IL01a".into()).is_some() && book.indicator(&"IL01b".into()).is_some());
    // The workspace's own annotations follow.
    let segments_now: usize = app
        .coder
        .file
        .documents
        .values()
        .flat_map(|d| &d.annotations)
        .filter(|x| x.codes.iter().any(|c| c.as_str() == "IL01a"))
        .count();
    assert_eq!(segments_now, uses(&alice, "IL01a"));
    // The search index sees every coder's new codes at once.
    let index = tempfile::tempdir().unwrap();
    app.search_index_dir = Some(index.path().to_path_buf());
    press(&mut app, "/code:IL01b coder:bob");
    assert!(app.wait_for_search(std::time::Duration::from_secs(30)));
    let search = app.search.as_ref().unwrap();
    assert_eq!(search.hits.len(), uses(&bob, "IL01b"), "{:?}", search.hits);
    press(&mut app, "<esc><esc>");
    assert!(app.search.is_none());
    // Undo puts all three files back (alice's as the session saved it before the split: the
    // same codes, with the quotes the workspace adds for re-anchoring).
    press(&mut app, "u");
    let load = |path: &Path| {
        let file = normcode::annotations::load_coder_file(path).unwrap();
        let mut coded: Vec<String> = file
            .documents
            .iter()
            .flat_map(|(d, c)| {
                c.annotations.iter().map(move |a| {
                    let mut codes = a.codes.clone();
                    codes.sort();
                    format!("{d} {} {:?} {codes:?}", a.unit, a.span)
                })
            })
            .collect();
        coded.sort();
        coded
    };
    let alice_before = {
        let original = dir.path().join("alice-before.yaml");
        std::fs::write(&original, &before.0).unwrap();
        load(&original)
    };
    assert_eq!(load(&alice_path), alice_before);
    assert_eq!(std::fs::read_to_string(&bob_path).unwrap(), before.1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("codebook.yaml")).unwrap(),
        before.2
    );
    // Esc cancels a split without writing anything.
    let saved = std::fs::read_to_string(&alice_path).unwrap();
    press(&mut app, "fIL01<enter>SX1<enter>1<esc>");
    assert_eq!(std::fs::read_to_string(&alice_path).unwrap(), saved);
    assert_eq!(std::fs::read_to_string(&bob_path).unwrap(), before.1);
    assert!(app.mode.split().is_none());
}

#[test]
fn every_codebook_change_in_the_workspace_is_undone_on_disk() {
    let dir = samples_copy();
    let files = ["codebook.yaml", "annotations/bob.yaml"];
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    let original: Vec<String> = files.iter().map(|f| read(f)).collect();
    let mut app = app_for(dir.path(), "alice");
    settle(&mut app, 120, 40);
    for (script, changed) in [
        ("fTH01<enter>eTH09<enter>", "TH09"),
        (
            "fTH01<enter>&WP04<enter>",
            "Merged indicator TH01 into WP04",
        ),
        ("fTH01<enter>X<enter>", "Retired indicator TH01"),
        (
            "fTH01<enter>E<c-u>Threats<enter><enter><enter><enter><enter><enter><enter><enter><enter><enter><enter>",
            "Edited indicator TH01",
        ),
        (
            "fTH01<enter>E<enter><enter><enter><enter><c-u>WEAP<enter><enter><enter><enter><enter><enter><enter>",
            "Moved indicator TH01",
        ),
    ] {
        press(&mut app, script);
        assert!(
            read("codebook.yaml").contains(changed),
            "{script}: {changed}"
        );
        press(&mut app, "<esc>u");
        assert_eq!(read("codebook.yaml"), original[0], "{script}: undone");
        assert_eq!(read(files[1]), original[1], "{script}: bob's file undone");
        assert!(
            app.project
                .codebook
                .indicator(&"TH01".into())
                .is_some_and(|i| !i.retired)
        );
    }
}

#[test]
fn a_new_project_without_documents_opens_and_says_so() {
    let dir = temp_project(&[]);
    let read = Arc::new(AtomicUsize::new(0));
    let preview = startup::preview(dir.path(), "zed", Keymap::default(), None, read)
        .unwrap()
        .unwrap();
    assert!(preview.document().is_none());
    let mut app = app_for(dir.path(), "zed");
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("unit 0/0 │ coded 0/0 │ doc 0/0, 0 done"),
        "{screen}"
    );
    // Keys that move or code do nothing, and nothing breaks.
    press(&mut app, "jkGgx1<enter>");
    assert!(app.coder.file.documents.is_empty());
}

#[test]
fn esc_from_a_search_query_leaves_search_and_a_codes_only_the_current_unit() {
    let dir = temp_project(&[
        (
            "a.md",
            "1. Report vulnerabilities.\n\n2. Another vulnerability.\n".into(),
        ),
        ("b.md", "A third vulnerability.\n".into()),
    ]);
    let project = dir.path();
    let index = tempfile::tempdir().unwrap();
    let mut app = app_for(project, "carol");
    app.search_index_dir = Some(index.path().to_path_buf());
    settle(&mut app, 100, 30);
    press(&mut app, "/vulnerab");
    assert!(app.wait_for_search(std::time::Duration::from_secs(30)));
    assert_eq!(app.search.as_ref().unwrap().hits.len(), 3);
    press(&mut app, "<esc>");
    assert_eq!(app.focus, Focus::Document);
    assert!(app.search.is_none(), "nothing left active");
    press(&mut app, "aTH02<enter>");
    let coded: usize = app
        .coder
        .file
        .documents
        .values()
        .map(|d| d.annotations.len())
        .sum();
    assert_eq!(coded, 1, "exactly the current unit");
    assert_eq!(codes(&app, "a", "1"), ["TH02"]);
}

#[test]
fn a_memo_over_two_lines_shows_as_two_lines_however_its_lines_end() {
    let dir = temp_project(&[("a.md", "One.\n\nTwo.\n".into())]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    // A terminal sends pasted line ends as `\r`, some as `\r\n`.
    press(&mut app, "m");
    app.paste("pasted one\rpasted two\r\npasted three");
    press(&mut app, "<c-s>");
    let a = &app.coder.file.annotations(&DocumentId::new("a"))[0];
    assert_eq!(
        a.memo.as_deref(),
        Some("pasted one\npasted two\npasted three")
    );
    let screen = render(&app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("✎ pasted one"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(!lines[first].contains("pasted two"), "{screen}");
    assert!(lines[first + 1].contains("pasted two"), "{screen}");
    assert!(lines[first + 2].contains("pasted three"), "{screen}");
    assert!(!screen.contains('␊'), "{screen}");
    // A coder file written elsewhere with `\r` in a memo reads as lines too.
    std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
    std::fs::write(
        dir.path().join("annotations/dora.yaml"),
        "schema: 1\ncoder: dora\ndocuments:\n  a:\n    annotations:\n      - unit: \"p1\"\n        codes: []\n        memo: \"line one\\rline two\\r\\nline three\"\n",
    )
    .unwrap();
    let app = app_for(dir.path(), "dora");
    let a = &app.coder.file.annotations(&DocumentId::new("a"))[0];
    assert_eq!(a.memo.as_deref(), Some("line one\nline two\nline three"));
}

#[test]
fn review_edit_starts_from_the_codes_every_coder_gave_and_the_header_counts_the_consensus() {
    let dir = samples_copy();
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 120, 40);
    press(&mut app, "R<enter>");
    let review = &app.mode.review().unwrap().review;
    // A disagreement where the coders share a code and one gave another.
    let (index, shared, extra) = review
        .items
        .iter()
        .enumerate()
        .find_map(|(i, d)| {
            let shared = d.intersection();
            let extra = d.union().difference(&shared).next().cloned()?;
            (!shared.is_empty()).then_some((i, shared, extra))
        })
        .expect("the samples have such a disagreement");
    app.mode.review_mut().unwrap().review.current = index;
    press(&mut app, &format!("a{extra}<enter>"));
    let review = &app.mode.review().unwrap().review;
    let mut expected = shared.clone();
    expected.insert(extra);
    let item = &review.items[index];
    let consensus: std::collections::BTreeSet<_> = review
        .consensus
        .file
        .codes_on_unit(&item.document, &item.unit)
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(consensus, expected, "the shared codes are kept");
    let agreed = review.agreed;
    assert!(agreed > 0);
    press(&mut app, "<esc>");
    // Opened again, the consensus already holds the agreed units: the header still counts them.
    press(&mut app, "R<enter>");
    assert_eq!(app.mode.review().unwrap().review.seeded, 0);
    let screen = render(&app, 160, 40);
    assert!(
        screen.contains(&format!("{agreed} agreed units in the consensus")),
        "{screen}"
    );
}

#[test]
fn help_at_80x24_scrolls_to_every_action_and_cuts_no_description() {
    let mut app = app_for(&repo(), "alice");
    press(&mut app, "?");
    let mut seen = String::new();
    for _ in 0..400 {
        let screen = render(&app, 80, 24);
        // The help covers every row but the first and the status bar.
        for line in screen.lines().skip(1).take(22) {
            seen.push_str(line);
            seen.push('\n');
        }
        press(&mut app, "j");
    }
    assert!(!seen.contains('…'), "a description was cut:\n{seen}");
    let flat: String = seen.split_whitespace().collect::<Vec<_>>().join(" ");
    for action in normcode::tui::keymap::Action::all() {
        // The first words of each description (wrapped lines may split the rest).
        let start: String = action
            .description()
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(&start), "help never shows {start:?}");
    }
    assert!(flat.contains("n/m beside an indicator"));
    press(&mut app, "<esc>");
    assert_eq!(app.mode.kind(), ModeKind::Normal);
    // Opened again, it starts at the top.
    press(&mut app, "?");
}

/// The terminal's cells after one frame, as the backend received them.
fn render_buffer(app: &App, width: u16, height: u16) -> ratatui::buffer::Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            ui::render(frame, app);
        })
        .unwrap();
    terminal.backend().buffer().clone()
}

#[test]
fn a_popup_over_chinese_text_keeps_its_left_border() {
    // At 122 columns the help's left border falls on the right half of the Chinese
    // characters that start the document's rows.
    let mut app = app_for(&repo(), "alice");
    settle(&mut app, 122, 30);
    open(&mut app, "zh/gge-2015-zh");
    press(&mut app, "?");
    let buffer = render_buffer(&app, 122, 30);
    let (x, y) = (0..30)
        .flat_map(|y| (0..122).map(move |x| (x, y)))
        .find(|&(x, y)| buffer[(x, y)].symbol() == "┌" && buffer[(x + 2, y)].symbol() == "K")
        .expect("the help's corner");
    let bottom = (y + 1..30)
        .find(|&b| buffer[(x, b)].symbol() == "└")
        .expect("the help's bottom corner");
    for row in y + 1..bottom {
        assert_eq!(
            buffer[(x, row)].symbol(),
            "│",
            "row {row}:\n{}",
            render(&app, 122, 30)
        );
        let left = buffer[(x - 1, row)].symbol();
        assert!(
            unicode_width::UnicodeWidthStr::width(left) <= 1,
            "a wide character covers the border on row {row}"
        );
    }
}

#[test]
fn zero_width_joiners_and_spaces_take_no_cell() {
    let dir = temp_project(&[(
        "z.md",
        "---\ntitle: Z\n---\nA family 👨\u{200d}👩\u{200d}👧 with a zero\u{200b}width space and ❄\u{fe0f}.\n"
            .into(),
    )]);
    let app = app_for(dir.path(), "carol");
    let buffer = render_buffer(&app, 80, 24);
    for cell in buffer.content() {
        assert!(
            !cell.symbol().contains(['\u{200d}', '\u{200b}', '\u{fe0f}']),
            "a zero-width character drawn in a cell: {:?}",
            cell.symbol()
        );
    }
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("A family 👨👩👧 with a zerowidth"),
        "{screen}"
    );
}

#[test]
fn a_memo_being_written_shows_its_line_breaks_as_line_breaks() {
    let dir = temp_project(&[("a.md", "One.\n\nTwo.\n".into())]);
    let mut app = app_for(dir.path(), "carol");
    settle(&mut app, 80, 24);
    press(&mut app, "mfirst line<enter>second line");
    let screen = render(&app, 80, 24);
    assert!(!screen.contains('␊'), "{screen}");
    let lines: Vec<&str> = screen.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("first line"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(lines[first + 1].contains("second line"), "{screen}");
}

#[test]
fn a_pane_title_too_long_is_cut_between_words_before_the_border() {
    let long = "microsoft-2017-keynote-on-a-digital-geneva-convention";
    let dir = temp_project(&[(
        &format!("{long}.md"),
        "---\ntitle: A Digital Geneva Convention to protect cyberspace\n---\nOne.\n".into(),
    )]);
    let app = app_for(dir.path(), "carol");
    let screen = render(&app, 80, 24);
    let row = screen.lines().next().unwrap();
    let first: String = row.chars().take_while(|&c| c != '┓').chain(['┓']).collect();
    assert!(first.contains("· not started"), "{row}");
    assert!(first.ends_with('┓'), "{first}");
    let before = first.chars().rev().nth(1).unwrap();
    assert!(
        before == '━' || before == ' ',
        "the title is cut mid-word against the border: {first}"
    );
    assert!(first.contains('…'), "{first}");
}

#[test]
fn the_last_units_of_a_long_document_fill_the_pane_at_200x50() {
    let body: String = (1..=400)
        .map(|n| format!("{n}. States should cooperate to prevent harmful ICT practices.\n\n"))
        .collect();
    let dir = temp_project(&[("long.md", format!("---\ntitle: Long\n---\n{body}"))]);
    let mut app = app_for(dir.path(), "carol");
    // The last frame was smaller (the terminal was then resized): G scrolls for that pane.
    settle(&mut app, 80, 24);
    for keys in ["G", "k", "kk", "G"] {
        press(&mut app, keys);
        let screen = render(&app, 200, 50);
        let pane: Vec<String> = screen
            .lines()
            .skip(1)
            .take(47)
            .map(|l| l.chars().skip(1).take(110).collect::<String>())
            .collect();
        let blank_at_bottom = pane
            .iter()
            .rev()
            .take_while(|l| l.trim().is_empty())
            .count();
        assert!(
            blank_at_bottom <= 2,
            "after {keys}: {blank_at_bottom} blank rows\n{screen}"
        );
    }
}

#[test]
fn no_color_draws_no_colour_and_marks_selection_and_focus_with_modifiers() {
    use ratatui::style::{Color, Modifier};
    let mut app = app_for(&repo(), "alice");
    settle(&mut app, 80, 24);
    open(&mut app, "un/gge-2015");
    // The 16 ANSI colours only: nothing that needs a 256-colour or true-colour terminal.
    for cell in render_buffer(&app, 80, 24).content() {
        for color in [cell.fg, cell.bg] {
            assert!(
                !matches!(color, Color::Indexed(_) | Color::Rgb(..)),
                "{color:?}"
            );
        }
    }
    app.theme = normcode::tui::theme::Theme::plain();
    press(&mut app, "<tab>");
    let buffer = render_buffer(&app, 80, 24);
    for cell in buffer.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    let has = |m: Modifier| buffer.content().iter().any(|c| c.modifier.contains(m));
    assert!(has(Modifier::REVERSED), "the selected indicator");
    assert!(has(Modifier::BOLD), "the focused pane");
}
