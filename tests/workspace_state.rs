//! A state-machine property test of the workspace against everything that happens to a project
//! on an ordinary day: coding in the workspace (through the same path as keys), another machine
//! changing the coder file, documents edited above coded paragraphs, the workspace closed and
//! opened again, or killed. After every step, once the autosave has run:
//! - the coder file on disk parses;
//! - no acknowledged change is lost: the codes on disk, placed in the documents as they are now,
//!   are exactly the model's (each code on the text it was made on), and what the workspace
//!   shows is the same;
//! - nothing is placed on the wrong text: every code is keyed by its unit's text, not its id;
//! - at the end, `status` and the CSV export count the same annotations as the model.
//!
//! The short run (CI) takes `PROPTEST_CASES` cases, 12 by default; the long one:
//! `PROPTEST_CASES=500 cargo test --release --test workspace_state`.

mod common;
use common::samples_copy;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use normcode::annotations::{self, Annotation, CoderFile};
use normcode::corpus::{DocumentId, IndicatorId};
use normcode::project::Project;
use normcode::tui::app::App;
use normcode::tui::keymap::Keymap;
use proptest::prelude::*;

/// (document, the coded text, code): where a code is, independent of unit ids.
type Coded = BTreeSet<(String, String, String)>;

const CODES: [&str; 6] = ["VU01", "CB01", "NM01", "TH02", "IL01", "SC01"];

#[derive(Debug, Clone)]
enum Step {
    /// Toggle a code on a unit in the workspace.
    Toggle {
        doc: usize,
        unit: usize,
        code: usize,
    },
    /// Another machine toggles a code on a unit in the file on disk.
    Outside {
        doc: usize,
        unit: usize,
        code: usize,
    },
    /// An editor inserts a paragraph at the top of a document.
    InsertParagraph { doc: usize },
    /// The workspace is closed and opened again.
    Restart,
    /// The workspace process ends without its save on quitting (kill -9 after the autosave).
    Kill,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..14usize, 0..40usize, 0..CODES.len())
            .prop_map(|(doc, unit, code)| Step::Toggle { doc, unit, code }),
        3 => (0..14usize, 0..40usize, 0..CODES.len())
            .prop_map(|(doc, unit, code)| Step::Outside { doc, unit, code }),
        1 => (0..14usize).prop_map(|doc| Step::InsertParagraph { doc }),
        1 => Just(Step::Restart),
        1 => Just(Step::Kill),
    ]
}

fn coded(project: &Project, file: &CoderFile) -> Coded {
    let mut out = Coded::new();
    for (id, coding) in &file.documents {
        let Some(document) = project.corpus.get(id) else {
            continue;
        };
        for a in coding.annotations.iter().filter(|a| !a.is_orphaned()) {
            let Some(unit) = document.unit(&a.unit) else {
                continue;
            };
            let text = match a.span {
                Some(span) => document.slice(span).unwrap_or_default().to_string(),
                None => document.unit_text(unit).to_string(),
            };
            for code in &a.codes {
                out.insert((id.to_string(), text.clone(), code.to_string()));
            }
        }
    }
    out
}

fn open_app(root: &Path) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    app.start_autosave();
    app
}

/// As the event loop does, until the work is on disk.
fn settle(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    app.watch_files_now();
    loop {
        app.poll_saver();
        if !app.save.is_dirty() {
            return;
        }
        assert!(Instant::now() < deadline, "not saved: {:?}", app.save.error);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The document at `doc` (wrapped) and the unit at `unit` (wrapped) of `project`.
fn pick(project: &Project, doc: usize, unit: usize) -> Option<(DocumentId, usize)> {
    let documents = &project.corpus.documents;
    let document = &documents[doc % documents.len()];
    (!document.units.is_empty()).then(|| (document.id.clone(), unit % document.units.len()))
}

fn toggle_outside(root: &Path, doc: usize, unit: usize, code: usize, model: &mut Coded) {
    let project = Project::open(root).unwrap();
    let Some((id, position)) = pick(&project, doc, unit) else {
        return;
    };
    let path = root.join("annotations/alice.yaml");
    let mut file = annotations::load_coder_file(&path).unwrap();
    annotations::anchor_all(&mut file, &project.corpus);
    let before = coded(&project, &file);
    let document = project.corpus.get(&id).unwrap();
    let unit = &document.units[position];
    let code = IndicatorId::new(CODES[code]);
    let coding = Arc::make_mut(file.documents.entry(id.clone()).or_default());
    match coding
        .annotations
        .iter_mut()
        .find(|a| a.unit == unit.id && a.span.is_none())
    {
        Some(a) if a.codes.contains(&code) => a.codes.retain(|c| c != &code),
        Some(a) => a.codes.push(code),
        None => coding.annotations.push(Annotation::new_in(
            document,
            unit,
            None,
            vec![code],
            annotations::now(),
        )),
    }
    coding
        .annotations
        .retain(|a| !a.codes.is_empty() || a.memo.is_some());
    if coding.status == annotations::Status::NotStarted {
        coding.status = annotations::Status::InProgress;
    }
    let after = coded(&project, &file);
    apply_difference(model, &before, &after);
    annotations::save_coder_file(&path, &file).unwrap();
}

fn apply_difference(model: &mut Coded, before: &Coded, after: &Coded) {
    for gone in before.difference(after) {
        model.remove(gone);
    }
    for new in after.difference(before) {
        model.insert(new.clone());
    }
}

fn insert_paragraph(root: &Path, doc: usize) {
    let project = Project::open(root).unwrap();
    let documents = &project.corpus.documents;
    let document = &documents[doc % documents.len()];
    let path = document.path.clone();
    let path = if path.is_absolute() {
        path
    } else {
        root.join(path)
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let body = match text
        .strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---\n"))
    {
        Some(end) => end + 4 + 5,
        None => 0,
    };
    let edited = format!(
        "{}\nA paragraph inserted above the others by an editor.\n\n{}",
        &text[..body],
        &text[body..]
    );
    std::fs::write(&path, edited).unwrap();
}

/// Counts the same annotations twice, as a researcher would: `status` (per indicator) and the
/// CSV export (one row per placed annotation and code) must agree with each other and the model.
fn count_twice(root: &Path, model: &Coded) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_normcode"))
            .current_dir(root)
            .env_remove("NORMCODE_CODER")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let status: serde_json::Value =
        serde_json::from_slice(&run(&["status", "--format", "json"])).unwrap();
    let alice = status["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == "alice")
        .unwrap();
    let by_status: u64 = alice["by_indicator"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    let csv = run(&["export", "--format", "csv", "--coders", "alice"]);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().unwrap().clone();
    let placement = headers.iter().position(|h| h == "placement").unwrap();
    let by_export = reader
        .records()
        .filter(|r| &r.as_ref().unwrap()[placement] == "placed")
        .count() as u64;
    assert_eq!(by_status, by_export, "status and export disagree");
    assert_eq!(
        by_export,
        model.len() as u64,
        "export and the model disagree"
    );
}

fn check(root: &Path, app: &App, model: &Coded) {
    // What is on disk, placed in the documents as they are on disk.
    let project = Project::open(root).unwrap();
    let loaded = project.load_coder("alice").unwrap();
    let on_disk = coded(&project, &loaded.file);
    let shown = coded(&app.project, &app.coder.file);
    let missing: Vec<_> = model.difference(&on_disk).collect();
    let extra: Vec<_> = on_disk.difference(model).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "on disk, missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(&shown, model, "the workspace shows what is on disk");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn nothing_acknowledged_is_lost_and_nothing_is_misplaced(
        steps in prop::collection::vec(step(), 1..12)
    ) {
        let project = samples_copy();
        let root = project.path();
        let mut app = open_app(root);
        let mut model = coded(&app.project, &app.coder.file);
        for step in steps {
            match step {
                Step::Toggle { doc, unit, code } => {
                    let Some((id, position)) = pick(&app.project, doc, unit) else { continue };
                    let doc = app.project.corpus.position(&id).unwrap();
                    app.open_document(doc, position);
                    let before = coded(&app.project, &app.coder.file);
                    let code = app.project.codebook.position(&IndicatorId::new(CODES[code])).unwrap();
                    app.toggle(code);
                    let after = coded(&app.project, &app.coder.file);
                    apply_difference(&mut model, &before, &after);
                }
                Step::Outside { doc, unit, code } => toggle_outside(root, doc, unit, code, &mut model),
                Step::InsertParagraph { doc } => insert_paragraph(root, doc),
                Step::Restart => {
                    app.save_now().unwrap();
                    drop(app);
                    app = open_app(root);
                }
                Step::Kill => {
                    // Nothing but what the autosave already wrote survives.
                    std::mem::forget(app);
                    app = open_app(root);
                }
            }
            settle(&mut app);
            check(root, &app, &model);
        }
        count_twice(root, &model);
    }
}
