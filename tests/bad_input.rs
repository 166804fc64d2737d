//! Nothing let in: input that is empty, huge, hostile or of the wrong shape. Each is refused or
//! reported with a message, never a crash, never a file access outside the project, never an
//! escape sequence on the user's terminal. (More cases: tests/cli.rs.)

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{normcode, run, samples_copy};
use normcode::project::Project;
use normcode::tui::App;
use normcode::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Keys as in the docs: plain characters, and `<enter>`, `<esc>`, `<c-s>`.
fn press(app: &mut App, script: &str) {
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        let (key, len) = if c == '<'
            && let Some(end) = rest.find('>')
        {
            let key = match &rest[1..end] {
                "enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                "esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
                "c-s" => KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
                other => panic!("unknown key {other}"),
            };
            (key, end + 1)
        } else {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            (KeyEvent::new(KeyCode::Char(c), modifiers), c.len_utf8())
        };
        app.handle_key(key);
        rest = &rest[len..];
    }
}

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|frame| {
            normcode::tui::ui::render(frame, app);
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    buffer.content().iter().map(|c| c.symbol()).collect()
}

fn app_for(root: &Path, coder: &str) -> App {
    let project = Project::open(root).unwrap();
    let coder = project.load_coder(coder).unwrap();
    App::new(Arc::new(project), coder, Keymap::default())
}

#[test]
fn an_empty_document_is_reported_and_the_workspace_copes_with_it() {
    let dir = samples_copy();
    write(dir.path(), "samples/aaa-empty.md", "");
    write(
        dir.path(),
        "samples/aaa-front-only.md",
        "---\ntitle: Only a title\n---\n",
    );
    write(dir.path(), "samples/aaa-blank.txt", "\n\n   \n\t\n");
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stdout}");
    for name in ["aaa-empty.md", "aaa-front-only.md", "aaa-blank.txt"] {
        assert!(
            stdout.contains(&format!(
                "warning: samples/{name}: document has no text to code"
            )),
            "{stdout}"
        );
    }
    let (code, stdout, _) = run(dir.path(), &["status"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("17 documents"), "{stdout}");

    // The workspace opens on the first document, the empty one; every coding key is answered.
    let mut app = app_for(dir.path(), "erin");
    assert_eq!(app.document().unwrap().id.as_str(), "aaa-blank");
    for keys in [
        "j",
        "k",
        "G",
        "g",
        ">",
        "}",
        "v",
        "aIL01<enter>",
        "1",
        "mmemo<c-s>",
        "u",
    ] {
        press(&mut app, keys);
        render(&app);
    }
    assert_eq!(app.coder.file.annotation_count(), 0);
    press(&mut app, "D");
    let screen = render(&app);
    assert!(screen.contains("aaa-blank"), "{screen}");
    press(&mut app, "]]]");
    render(&app);
}

#[test]
fn a_fifty_megabyte_line_is_checked_and_summarized() {
    let dir = samples_copy();
    let phrase = "States should cooperate to protect critical infrastructure 各国应当开展合作 ";
    let mut line = String::with_capacity(50 << 20);
    while line.len() < 50 << 20 {
        line.push_str(phrase);
    }
    line.push_str("THE END");
    write(dir.path(), "samples/huge.txt", &line);
    // A coder who coded the end of it: anchoring must find the span again without rescanning
    // the document once per annotation.
    let chars = line.chars().count();
    write(
        dir.path(),
        "annotations/carol.yaml",
        &format!(
            "schema: 1\ncoder: carol\ndocuments:\n  huge:\n    annotations:\n      - unit: p1\n        quote: States should cooperate\n        codes: [IL01]\n      - unit: p1\n        span: {{start: {}, end: {chars}}}\n        quote: THE END\n        codes: [VU01]\n      - unit: p1\n        span: {{start: 3, end: 9}}\n        quote: THE END\n        codes: [TH01]\n",
            chars - 7
        ),
    );
    let started = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    let check = started.elapsed();
    // The third annotation's quote is elsewhere: it is found again (reported), not lost.
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("now found at unit p1"), "{stdout}");
    assert!(!stdout.contains("orphaned"), "{stdout}");
    let started = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["status"]);
    let status = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("15 documents"), "{stdout}");
    eprintln!("a 50 MB one-line document: check {check:.1?}, status {status:.1?}");
}

/// Output that is safe to show on a terminal: no escape, bell, backspace, carriage return or
/// C1 control character.
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
        .collect();
    assert!(bad.is_empty(), "{what} prints {bad:?} raw:\n{text}");
}

#[test]
fn escape_sequences_in_project_files_never_reach_the_terminal_raw() {
    let dir = samples_copy();
    let evil = r"\e]0;pwned\a\e[2J\e[31m\r\x9b1m\u202e";
    // The codebook's name (status prints it).
    let path = dir.path().join("codebook.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().find(|l| l.starts_with("name:")).unwrap();
    let text = text.replacen(first, &format!("name: \"Norms {evil}\""), 1);
    std::fs::write(&path, &text).unwrap();
    // A front matter value check quotes, and a coder file with hostile ids and a memo.
    let doc = dir.path().join("samples/un/gge-2013.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replacen("publisher: UN GGE", &format!("publisher: \"UN {evil}\""), 1),
    )
    .unwrap();
    write(
        dir.path(),
        "annotations/mallory.yaml",
        &format!(
            "schema: 1\ncoder: mallory\ncodebook_version: \"{evil}\"\ndocuments:\n  \"doc {evil}\":\n    annotations:\n      - unit: \"u {evil}\"\n        codes: [\"X {evil}\"]\n        memo: \"{evil}\"\n  un/gge-2015:\n    annotations:\n      - unit: \"13\"\n        codes: [\"C {evil}\"]\n        memo: \"{evil}\"\n      - unit: \"14\"\n        codes: []\n"
        ),
    );
    for args in [&["check"][..], &["status"], &["status", "--format", "json"]] {
        let (_, stdout, stderr) = run(dir.path(), args);
        assert_terminal_safe(&format!("{args:?} stdout"), &stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &stderr);
        assert!(
            stdout.contains("pwned"),
            "{args:?}: the text is shown:\n{stdout}"
        );
    }
    // The workspace: an indicator's label, a memo and the document text.
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "label: {en: \"International law and the UN Charter apply\"",
        &format!("label: {{en: \"International law {evil}\""),
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let doc = dir.path().join("samples/un/gge-2015.md");
    let body = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        format!("{body}\n\nText \u{1b}]0;pwned\u{7}\u{1b}[2J\r\n"),
    )
    .unwrap();
    let mut app = app_for(dir.path(), "mallory");
    let position = app
        .project
        .corpus
        .position(&normcode::corpus::DocumentId::new("un/gge-2015"))
        .unwrap();
    app.open_document(position, 0);
    for keys in [
        "",
        "mnote \u{1b}[31m<c-s>",
        "aIL01<enter>",
        "G",
        "aIL01<enter>",
    ] {
        press(&mut app, keys);
        let screen = render(&app);
        assert_terminal_safe(&format!("the workspace after {keys:?}"), &screen);
        assert!(screen.contains("pwned"), "the text is shown:\n{screen}");
    }
    // Search results quote the documents' text.
    let cache = tempfile::tempdir().unwrap();
    let out = normcode(dir.path())
        .args(["search", "pwned"])
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && stdout.contains("pwned"), "{stdout}");
    assert_terminal_safe("search", &stdout);
    // Reports quote the codebook's labels.
    for args in [
        &["report", "frequencies"][..],
        &["report", "frequencies", "--format", "csv"],
        &["report", "frequencies", "--format", "json"],
        &["report", "agenda"],
    ] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(
            stdout.contains("pwned"),
            "{args:?}: the label is shown:\n{stdout}"
        );
        assert_terminal_safe(&format!("{args:?} stdout"), &stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &stderr);
    }
    // An error message that quotes the file: an unknown key in the codebook.
    std::fs::write(&path, format!("\"bad {evil}\": 1\n{text}")).unwrap();
    for args in [&["check"][..], &["status"]] {
        let (code, stdout, stderr) = run(dir.path(), args);
        assert_eq!(code, 1, "{stdout}{stderr}");
        assert_terminal_safe(&format!("{args:?} stdout"), &stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &stderr);
    }
}

/// `depth` levels of nesting, as flow sequences or as block mappings.
fn nested(depth: usize, flow: bool) -> String {
    if flow {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    } else {
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&" ".repeat(level));
            text.push_str("a:\n");
        }
        text.push_str(&" ".repeat(depth));
        text.push_str("1\n");
        text
    }
}

#[test]
fn very_deep_yaml_nesting_is_rejected_with_a_message() {
    for (depth, flow) in [(200, false), (100_000, true)] {
        let deep = nested(depth, flow);
        let indented: String = deep.lines().map(|l| format!("  {l}\n")).collect();
        let cases = [
            ("codebook.yaml", format!("name: x\nextra:\n{indented}")),
            (
                "annotations/alice.yaml",
                format!("schema: 1\ncoder: alice\ndocuments:\n{indented}"),
            ),
            (
                "samples/un/gge-2013.md",
                format!("---\ntitle: x\nsymbol:\n{indented}---\nBody.\n"),
            ),
            (
                "normcode.yaml",
                format!("documents: samples\nextra:\n{indented}"),
            ),
        ];
        for (file, text) in cases {
            let dir = samples_copy();
            write(dir.path(), file, &text);
            let started = Instant::now();
            let (code, stdout, stderr) = run(dir.path(), &["check"]);
            assert_eq!(code, 1, "{file}, depth {depth}: {stdout}{stderr}");
            assert!(
                stdout.contains(file) || stderr.contains(file),
                "{file}: the message names the file:\n{stdout}{stderr}"
            );
            assert!(started.elapsed() < Duration::from_secs(60), "{file}");
        }
    }
}

#[test]
fn document_ids_that_look_like_paths_are_only_documents_not_in_the_corpus() {
    let dir = samples_copy();
    write(
        dir.path(),
        "secret.md",
        "TOP SECRET outside the documents folder\n",
    );
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.md", "TOP SECRET elsewhere\n");
    let absolute = outside.path().join("secret").display().to_string();
    let ids = [
        "../secret".to_string(),
        "../../../../../etc/hostname".to_string(),
        "/etc/passwd".to_string(),
        absolute,
        "un/../../secret".to_string(),
    ];
    let mut text = String::from("schema: 1\ncoder: mallory\ndocuments:\n");
    for id in &ids {
        text.push_str(&format!(
            "  \"{id}\":\n    status: done\n    annotations:\n      - unit: p1\n        quote: TOP SECRET\n        codes: [IL01]\n"
        ));
    }
    write(dir.path(), "annotations/mallory.yaml", &text);
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stdout}");
    for id in &ids {
        assert!(
            stdout.contains(&format!(
                "{id} unit p1: orphaned annotation, kept as it was: the document is not in the corpus"
            )),
            "{id}:\n{stdout}"
        );
    }
    let (code, stdout, _) = run(dir.path(), &["status", "--format", "json"]);
    assert_eq!(code, 0);
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mallory = summary["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == "mallory")
        .unwrap();
    assert_eq!(mallory["orphaned"], ids.len());
    assert_eq!(
        summary["documents"], 14,
        "nothing outside samples/ was read"
    );
    // In the workspace they are kept as they are, and saved back untouched.
    let mut app = app_for(dir.path(), "mallory");
    press(&mut app, "aIL01<enter>");
    let screen = render(&app);
    assert!(!screen.contains("TOP SECRET"), "{screen}");
    assert_eq!(app.coder.file.documents.len(), ids.len() + 1);
}

#[test]
fn values_of_the_wrong_type_are_errors_with_positions() {
    let coder_file =
        |body: &str| format!("schema: 1\ncoder: alice\ndocuments:\n  un/gge-2015:\n{body}");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "annotations/alice.yaml",
            coder_file("    annotations:\n      - unit: p1\n        codes: VU01\n"),
            "annotations/alice.yaml:7:",
        ),
        (
            "annotations/alice.yaml",
            coder_file(
                "    annotations:\n      - unit: p1\n        span: {start: -3, end: 5}\n        codes: [VU01]\n",
            ),
            "annotations/alice.yaml:7:",
        ),
        (
            "annotations/alice.yaml",
            coder_file("    status: 3\n"),
            "annotations/alice.yaml:5:",
        ),
        (
            "annotations/alice.yaml",
            "schema: one\ncoder: alice\n".to_string(),
            "annotations/alice.yaml:1:",
        ),
        (
            "annotations/alice.yaml",
            "- schema: 1\n".to_string(),
            "annotations/alice.yaml:1:",
        ),
        (
            "codebook.yaml",
            "name: [x]\nversion: 1\n".to_string(),
            "codebook.yaml:1:",
        ),
    ];
    for (file, text, expected) in cases {
        let dir = samples_copy();
        write(dir.path(), file, &text);
        let (code, stdout, stderr) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{text}\n{stdout}{stderr}");
        assert!(
            stdout.contains(expected),
            "{text}\nexpected {expected}:\n{stdout}"
        );
    }
    // A year that is not a number: the codebook says it must be one.
    let dir = samples_copy();
    let doc = dir.path().join("samples/un/gge-2013.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replacen("year: 2013", "year: \"twenty\"", 1)).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("samples/un/gge-2013.md:")
            && stdout.contains("year must be a whole number, not 'twenty'"),
        "{stdout}"
    );
}

#[test]
fn duplicate_keys_are_errors_not_silently_dropped() {
    let cases = [
        (
            "annotations/alice.yaml",
            "schema: 1\ncoder: alice\ndocuments:\n  un/gge-2015:\n    status: done\n  un/gge-2015:\n    status: in_progress\n",
        ),
        (
            "annotations/alice.yaml",
            "schema: 1\ncoder: alice\ndocuments:\n  un/gge-2015:\n    annotations:\n      - unit: p1\n        codes: [IL01]\n        codes: [VU01]\n",
        ),
        (
            "annotations/alice.yaml",
            "schema: 1\ncoder: alice\ncoder: bob\n",
        ),
    ];
    for (file, text) in cases {
        let dir = samples_copy();
        write(dir.path(), file, text);
        let (code, stdout, _) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{text}\n{stdout}");
        assert!(
            stdout.contains(&format!("error: {file}:")) && stdout.contains("duplicate"),
            "{text}\n{stdout}"
        );
    }
    // The codebook, and a document's front matter.
    let dir = samples_copy();
    let path = dir.path().join("codebook.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nname: Another name\n")).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("error: codebook.yaml:") && stdout.contains("duplicate"),
        "{stdout}"
    );
    let dir = samples_copy();
    let doc = dir.path().join("samples/un/gge-2013.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replacen("year: 2013", "year: 2013\nyear: 2014", 1),
    )
    .unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("samples/un/gge-2013.md:") && stdout.contains("duplicate"),
        "{stdout}"
    );
}

#[test]
fn library_words_never_reach_the_user() {
    let cases = [
        (
            "annotations/carol.yaml",
            "schema: 1\ncoder: carol\ncoder: bob\n".to_string(),
            "key 'coder' appears twice",
        ),
        (
            "annotations/carol.yaml",
            "schema: 99999999999999999999999\ncoder: carol\n".to_string(),
            "must be a whole number",
        ),
        (
            "samples/un/extra.md",
            "---\ntitle: x\nsymbol: [A, B]\n---\n\nBody.\n".to_string(),
            "one piece of text, a number or true/false",
        ),
    ];
    for (file, text, ours) in cases {
        let dir = samples_copy();
        write(dir.path(), file, &text);
        let (code, stdout, stderr) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{text}\n{stdout}{stderr}");
        let said = format!("{stdout}{stderr}");
        assert!(
            said.contains(&format!("{file}:")) && said.contains(ours),
            "{text}\n{said}"
        );
        for word in [
            "DuplicateKeyPolicy",
            "untagged enum",
            "invalid u",
            "budget breached",
        ] {
            assert!(!said.contains(word), "{text}\n{said}");
        }
    }
}

#[test]
fn a_coder_file_larger_than_64_mb_is_read() {
    let dir = samples_copy();
    let path = dir.path().join("annotations/alice.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let long_memo = "x".repeat(70 * 1024 * 1024);
    let text = text.replacen(
        "Second pass done.",
        &format!("{long_memo} Second pass done."),
        1,
    );
    assert!(text.len() > 70 * 1024 * 1024);
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn utf16_documents_with_a_byte_order_mark_are_text() {
    let dir = samples_copy();
    let (_, before, _) = run(dir.path(), &["status", "--format", "json"]);
    let document = "---\ntitle: 信息安全\npublisher: Microsoft\nyear: 2020\n---\n\n各国应合作。\n\nStates should cooperate.\n";
    let mut le = vec![0xff, 0xfe];
    le.extend(document.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xfe, 0xff];
    be.extend(document.encode_utf16().flat_map(u16::to_be_bytes));
    let mut utf8 = vec![0xef, 0xbb, 0xbf];
    utf8.extend(document.as_bytes());
    std::fs::write(dir.path().join("samples/utf16le.md"), le).unwrap();
    std::fs::write(dir.path().join("samples/utf16be.md"), be).unwrap();
    std::fs::write(dir.path().join("samples/bom.md"), utf8).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("binary"), "{stdout}");
    let (_, after, _) = run(dir.path(), &["status", "--format", "json"]);
    let documents = |json: &str| {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        value["documents"].as_u64().unwrap()
    };
    assert_eq!(documents(&after), documents(&before) + 3, "{after}");
    // Read as the same text: the same three units, the Chinese one found by search.
    let cache = tempfile::tempdir().unwrap();
    let out = normcode(dir.path())
        .env("XDG_CACHE_HOME", cache.path())
        .args(["search", "各国应合作", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    for id in ["utf16le", "utf16be", "bom"] {
        assert!(stdout.contains(&format!("\"{id}\"")), "{id}: {stdout}");
    }
}
