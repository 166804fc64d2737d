//! Annotations stay on the text they were made on: after an edit of a document they move with
//! their text, or are orphaned; an orphan is never shown, exported or counted as if placed.
//! Real projects in temporary folders, the real binary.

mod common;
use common::{repo, samples_copy};

use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use normcode::annotations::{CoderLock, coder_file_to_string, parse_coder_file};
use normcode::corpus::{DocumentId, UnitId};
use normcode::project::Project;
use normcode::tui::app::App;
use normcode::tui::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const DOCUMENT: &str = "samples/company/microsoft-2013.md";
const DOCUMENT_ID: &str = "company/microsoft-2013";
const HEADING: &str = "# Five Principles for Shaping Cybersecurity Norms\n\n";
const NM01_TEXT: &str = "Governments around the world are asking how cyberspace should be secured";

fn normcode(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("normcode").unwrap();
    cmd.current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .env("XDG_CACHE_HOME", dir.join(".cache"));
    cmd
}

/// Runs normcode in `dir`: exit code, stdout, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = normcode(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Changes the sample document in the project copy.
fn edit_document(dir: &Path, edit: impl FnOnce(&str) -> String) {
    let path = dir.join(DOCUMENT);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changes the document");
    std::fs::write(&path, edited).unwrap();
}

/// Two paragraphs inserted at the top, after the heading: every unit id after them shifts by 2.
fn insert_two_paragraphs(text: &str) -> String {
    text.replacen(
        HEADING,
        &format!("{HEADING}INSERTED PARAGRAPH ONE.\n\nINSERTED PARAGRAPH TWO.\n\n"),
        1,
    )
}

/// The body of the sample document as it is now (offsets count its code points).
fn body(dir: &Path) -> Vec<char> {
    let text = std::fs::read_to_string(dir.join(DOCUMENT)).unwrap();
    text.splitn(3, "---\n").nth(2).unwrap().chars().collect()
}

/// The csv export: header and rows.
fn export_csv(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let (code, stdout, stderr) = run(dir, &["export", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn status_json(dir: &Path) -> serde_json::Value {
    let (code, stdout, stderr) = run(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn alice(status: &serde_json::Value) -> &serde_json::Value {
    status["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == "alice")
        .unwrap()
}

#[test]
fn inserted_paragraphs_move_whole_unit_codes_with_their_text() {
    let dir = samples_copy();
    edit_document(dir.path(), insert_two_paragraphs);

    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stdout}");
    for (from, to) in [("p2", "p4"), ("p5", "p7")] {
        assert!(
            stdout.contains(&format!(
                "{DOCUMENT_ID}: the document changed; annotation at unit {from} now found at unit {to}"
            )),
            "{from} -> {to}: {stdout}"
        );
    }
    assert!(!stdout.contains("orphaned"), "{stdout}");

    let (header, rows) = export_csv(dir.path());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let body = body(dir.path());
    let text_at = |start: &str, end: &str| -> String {
        let (start, end): (usize, usize) = (start.parse().unwrap(), end.parse().unwrap());
        body[start..end].iter().collect()
    };
    let row = |indicator: &str| {
        rows.iter()
            .find(|r| {
                r[col("coder")] == "alice"
                    && r[col("document")] == DOCUMENT_ID
                    && r[col("indicator")] == indicator
            })
            .unwrap_or_else(|| panic!("no {indicator} row"))
    };
    let nm01 = row("NM01");
    assert_eq!(nm01[col("unit")], "p4");
    assert!(nm01[col("quote")].starts_with(NM01_TEXT), "{nm01:?}");
    let wp04 = row("WP04");
    assert_eq!(wp04[col("unit")], "p7");
    assert!(
        wp04[col("quote")].starts_with("At the same time, more governments"),
        "{wp04:?}"
    );
    // Every exported quote is the text at the exported offsets.
    for r in rows.iter().filter(|r| r[col("document")] == DOCUMENT_ID) {
        assert_eq!(r[col("placement")], "placed", "{r:?}");
        let quote = &r[col("quote")];
        if r[col("span_start")].is_empty() {
            assert_eq!(&text_at(&r[col("unit_start")], &r[col("unit_end")]), quote);
        } else {
            assert_eq!(&text_at(&r[col("span_start")], &r[col("span_end")]), quote);
        }
    }
    assert!(
        !rows.iter().any(|r| r[col("quote")].starts_with("INSERTED")),
        "no code landed on the inserted paragraphs"
    );
}

#[test]
fn a_rewritten_unit_orphans_its_code_and_nothing_shows_exports_or_counts_it_as_placed() {
    let dir = samples_copy();
    let before = status_json(dir.path());
    let progress_before = progress(dir.path());
    let alice_file = std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap();
    let nm01_before = nm01_count(dir.path());
    // p2 keeps its id, but its text is another one now.
    edit_document(dir.path(), |text| {
        let start = text.find(NM01_TEXT).unwrap();
        let end = start + text[start..].find("\n\n").unwrap();
        format!(
            "{}An entirely different opening paragraph.{}",
            &text[..start],
            &text[end..]
        )
    });

    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(&format!(
            "annotations/alice.yaml: {DOCUMENT_ID} unit p2: orphaned annotation, kept as it was"
        )),
        "{stdout}"
    );

    // Exported with its own stored quote, marked, and with no offsets of the unit now called p2.
    let (header, rows) = export_csv(dir.path());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let nm01 = rows
        .iter()
        .find(|r| {
            r[col("coder")] == "alice"
                && r[col("document")] == DOCUMENT_ID
                && r[col("indicator")] == "NM01"
        })
        .unwrap();
    assert_eq!(nm01[col("placement")], "orphaned");
    assert!(
        nm01[col("quote")].starts_with("Governments around the world"),
        "{nm01:?}"
    );
    for offset in ["unit_start", "unit_end", "span_start", "span_end"] {
        assert_eq!(nm01[col(offset)], "", "{offset}: {nm01:?}");
    }
    let (_, stdout, stderr) = run(dir.path(), &["export", "--format", "jsonl"]);
    assert!(
        stderr.contains("alice: 1 annotation could not be placed"),
        "{stderr}"
    );
    let orphan: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["coder"] == "alice" && v["document"] == DOCUMENT_ID && v["indicator"] == "NM01")
        .unwrap();
    assert_eq!(orphan["placement"], "orphaned");
    assert_eq!(orphan["unit_start"], serde_json::Value::Null);

    // The matrix does not count it (alice has NM01 once more, on p14).
    assert_eq!(nm01_count(dir.path()), nm01_before - 1);

    // Status and reports leave it out, and say so.
    let after = status_json(dir.path());
    assert_eq!(alice(&after)["orphaned"], 1);
    assert_eq!(
        alice(&after)["annotations"].as_u64().unwrap() + 1,
        alice(&before)["annotations"].as_u64().unwrap(),
    );
    assert_eq!(
        alice(&after)["by_indicator"]["NM01"].as_u64().unwrap_or(0) + 1,
        alice(&before)["by_indicator"]["NM01"].as_u64().unwrap(),
    );
    let (_, text, _) = run(dir.path(), &["status"]);
    assert!(
        text.contains("2 orphaned annotations (not placed after a document edit)"),
        "{text}"
    );
    let (code, _, stderr) = run(dir.path(), &["report", "frequencies", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("alice: 1 annotation could not be placed") && stderr.contains("left out"),
        "{stderr}"
    );

    let progress_after = progress(dir.path());
    assert_eq!(progress_after.0 + 1, progress_before.0, "annotations");
    assert_eq!(progress_after.1 + 1, progress_before.1, "coded units");

    // Not searchable as a code on the unit that has its id now.
    let (_, hits, stderr) = run(
        dir.path(),
        &[
            "search",
            "code:NM01 coder:alice different",
            "--format",
            "json",
        ],
    );
    assert!(!hits.contains(DOCUMENT_ID), "{hits}{stderr}");

    // Not shown on the unit in the workspace, which says what could not be placed.
    let (app, unit) = alice_at_p2(dir.path());
    assert!(app.unit_annotations(unit).is_empty());
    assert!(app.unit_codes(unit).is_empty());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("1 annotations could not be placed")),
        "{:?}",
        app.message
    );

    // Nothing was written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap(),
        alice_file
    );
}

/// Alice's annotations and coded units on the sample document, by `report progress`.
fn progress(dir: &Path) -> (u64, u64) {
    let (code, stdout, stderr) = run(dir, &["report", "progress", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let alice = &json["coders"][0];
    assert_eq!(alice["coder"], "alice");
    let document = alice["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document"] == DOCUMENT_ID)
        .unwrap();
    (
        document["annotations"].as_u64().unwrap(),
        document["units_coded"].as_u64().unwrap(),
    )
}

/// The matrix cell of alice × the sample document × NM01, with `--counts`.
fn nm01_count(dir: &Path) -> u64 {
    let (_, matrix, _) = run(dir, &["export", "--format", "matrix", "--counts"]);
    let mut reader = csv::Reader::from_reader(matrix.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let nm01 = header.iter().position(|h| h == "NM01").unwrap();
    let row: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .find(|r| r[0] == "alice" && r[1] == DOCUMENT_ID)
        .unwrap();
    row[nm01].parse().unwrap()
}

#[test]
fn a_small_edit_inside_a_unit_keeps_its_code() {
    let dir = samples_copy();
    edit_document(dir.path(), |text| {
        text.replacen(
            "This paper proposes five principles",
            "This short paper proposes five principles",
            1,
        )
    });
    let (_, stdout, _) = run(dir.path(), &["check"]);
    assert!(
        !stdout.contains("unit p2") && !stdout.contains("orphaned"),
        "{stdout}"
    );
    let (header, rows) = export_csv(dir.path());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let nm01 = rows
        .iter()
        .find(|r| r[col("coder")] == "alice" && r[col("indicator")] == "NM01")
        .unwrap();
    assert_eq!(
        (nm01[col("unit")].as_str(), nm01[col("placement")].as_str()),
        ("p2", "placed")
    );
    assert!(nm01[col("quote")].contains("This short paper"), "{nm01:?}");
}

/// A coder file written by hand: no quotes.
const HAND_WRITTEN: &str = "schema: 1\ncoder: carol\ndocuments:\n  company/microsoft-2013:\n    status: done\n    annotations:\n      - unit: p2\n        codes: [NM01]\n      - unit: p5\n        span: {start: 716, end: 832}\n        codes: [TH01]\n";

#[test]
fn annotations_without_quotes_are_reported_and_add_quotes_gives_them_one() {
    let dir = samples_copy();
    let path = dir.path().join("annotations/carol.yaml");
    std::fs::write(&path, HAND_WRITTEN).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "annotations/carol.yaml: 2 annotations have no quote, so a document edit cannot be \
             detected; run `normcode annotations add-quotes` while the texts still match"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("alice.yaml"), "{stdout}");

    // Refused while a workspace has the coder open: nothing written.
    let lock = CoderLock::acquire(
        &dir.path().join("annotations"),
        &normcode::annotations::CoderName::parse("carol").unwrap(),
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["annotations", "add-quotes"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("coder 'carol' has the workspace open"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), HAND_WRITTEN);
    drop(lock);

    let alice = std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["annotations", "add-quotes"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("annotations/carol.yaml: added 2 quotes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("annotations/alice.yaml: added 0 quotes"),
        "{stdout}"
    );
    let carol = std::fs::read_to_string(&path).unwrap();
    let carol = parse_coder_file(Path::new("carol.yaml"), &carol).unwrap();
    let quotes: Vec<&str> = carol
        .annotations(&DocumentId::new(DOCUMENT_ID))
        .iter()
        .map(|a| a.quote.as_deref().unwrap())
        .collect();
    assert_eq!(
        quotes,
        [
            "Governments around the world are asking how cyberspace shoul",
            "Governments should refrain from using information technology in ways that threaten \
             international peace and stability"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap(),
        alice,
        "a file with every quote is not written"
    );
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stdout}");

    // Now an edit of the document is detected: the code moves with its text.
    edit_document(dir.path(), insert_two_paragraphs);
    let (_, stdout, _) = run(dir.path(), &["check"]);
    assert!(
        stdout.contains("annotations/carol.yaml: company/microsoft-2013: the document changed; annotation at unit p2 now found at unit p4"),
        "{stdout}"
    );
}

#[test]
fn bundled_coder_files_have_quotes_and_are_in_the_canonical_form() {
    let project = Project::open(&repo()).unwrap();
    let names = project.coder_names().unwrap();
    assert!(names.contains(&"alice".to_string()) && names.contains(&"bob".to_string()));
    for name in names {
        let path = repo().join(format!("annotations/{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        let mut coder = project.load_coder(&name).unwrap();
        assert_eq!(
            coder.anchors.unquoted, 0,
            "{name}: every annotation has a quote"
        );
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
        // As parsed, and as the workspace's saver writes it (normalized).
        let parsed = parse_coder_file(Path::new("x.yaml"), &text).unwrap();
        assert_eq!(coder_file_to_string(&parsed).unwrap(), text, "{name}");
        coder.file.normalize(&project.corpus);
        assert_eq!(coder_file_to_string(&coder.file).unwrap(), text, "{name}");
    }
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

#[test]
fn toggling_one_code_in_a_bundled_file_and_saving_changes_a_few_lines() {
    let dir = samples_copy();
    let path = dir.path().join("annotations/alice.yaml");
    let before = std::fs::read_to_string(&path).unwrap();
    let (mut app, _) = alice_at_p2(dir.path());
    // alice marked the document done: coding it asks once (y).
    press(&mut app, "aVU01\ny");
    let codes: Vec<String> = app
        .coder
        .file
        .codes_on_unit(&DocumentId::new(DOCUMENT_ID), &UnitId::new("p2"))
        .into_iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(codes, ["NM01", "VU01"]);
    app.save_now().unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let same_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let same_end = old[same_start..]
        .iter()
        .rev()
        .zip(new[same_start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let changed = old.len().max(new.len()) - same_start - same_end;
    assert!(
        (1..=3).contains(&changed),
        "{changed} lines changed:\n{}",
        new[same_start..new.len() - same_end].join("\n")
    );
}

/// Alice's workspace on `root`, at unit p2 of the test document; the unit's position.
fn alice_at_p2(root: &std::path::Path) -> (App, usize) {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    let position = app
        .project
        .corpus
        .position(&DocumentId::new(DOCUMENT_ID))
        .unwrap();
    let unit = app.project.corpus.documents[position]
        .unit_position(&UnitId::new("p2"))
        .unwrap();
    app.open_document(position, unit);
    (app, unit)
}
