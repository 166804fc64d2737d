//! `normcode code`: scriptable coding, on a copy of the samples (the real binary, the real
//! file system). A batch is all or nothing; every error names its line; what it writes is an
//! ordinary coder file that `status` and `agree` read.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use normcode::annotations::{CoderLock, CoderName};
use normcode::project::Project;

use common::{files_on_disk, run, samples_copy};

fn coder_file(dir: &Path, coder: &str) -> std::path::PathBuf {
    dir.join("annotations").join(format!("{coder}.yaml"))
}

#[test]
fn a_batch_with_one_bad_line_writes_nothing_and_names_that_line() {
    let project = samples_copy();
    let dir = project.path();
    let batch = dir.join("batch.jsonl");
    let good = r#"{"document": "un/gge-2015", "unit": "13", "add": ["VU01"]}"#;
    std::fs::write(
        &batch,
        format!(
            "{good}\n{}\n\n{}\n",
            r#"{"document": "company/microsoft-2013", "unit": "p2", "add": ["NM01"]}"#,
            r#"{"document": "un/gge-2015", "unit": "13", "add": ["NOPE99"]}"#
        ),
    )
    .unwrap();
    let before = files_on_disk(&dir.join("annotations"));
    let (code, stdout, stderr) = run(dir, &["code", "--coder", "dict", "--batch", "batch.jsonl"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("batch.jsonl line 4:"), "{stderr}");
    assert!(stderr.contains("NOPE99"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!coder_file(dir, "dict").exists());
    assert_eq!(files_on_disk(&dir.join("annotations")), before);

    // The same batch for a coder who has a file: that file is unchanged, byte for byte.
    let (code, _, _) = run(dir, &["code", "--coder", "alice", "--batch", "batch.jsonl"]);
    assert_eq!(code, 1);
    assert_eq!(files_on_disk(&dir.join("annotations")), before);

    // Without the bad line, everything is applied, and the new file is announced.
    std::fs::write(&batch, format!("{good}\n")).unwrap();
    let (code, stdout, stderr) = run(dir, &["code", "--coder", "dict", "--batch", "batch.jsonl"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("created annotations/dict.yaml"), "{stdout}");
    let project = Project::open(dir).unwrap();
    let dict = project.load_coder("dict").unwrap();
    assert_eq!(
        dict.file
            .codes_on_unit(&"un/gge-2015".into(), &"13".into())
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["VU01"]
    );
    // Again: nothing changes, nothing is written.
    let written = std::fs::read(coder_file(dir, "dict")).unwrap();
    let (code, stdout, _) = run(dir, &["code", "--coder", "dict", "--batch", "batch.jsonl"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing changed"), "{stdout}");
    assert_eq!(std::fs::read(coder_file(dir, "dict")).unwrap(), written);
}

#[test]
fn every_bad_line_is_listed_with_its_line_and_json_errors_with_their_column() {
    let project = samples_copy();
    let dir = project.path();
    let lines = [
        r#"{"document": "un/gge-2015", "unit": "13", "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "unit": "13", "add": ["VU01"]"#,
        r#"{"document": "no/such-doc", "unit": "13", "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "unit": "999", "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "span": {"start": 5, "end": 99999999}, "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "span": {"quote": "words nowhere in it"}, "add": ["VU01"]}"#,
        r#"{"document": "zh/gge-2015-zh", "span": {"quote": "信息通信技术"}, "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "unti": "13", "add": ["VU01"]}"#,
        r#"{"document": "un/gge-2015", "unit": "13"}"#,
        r#"{"document": "un/gge-2015", "span": {"begin": 1}, "add": ["VU01"]}"#,
    ];
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_normcode"));
    let mut process = command
        .current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .args(["code", "--coder", "dict", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    process
        .stdin
        .take()
        .unwrap()
        .write_all(lines.join("\n").as_bytes())
        .unwrap();
    let out = process.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let expect = [
        "standard input line 2, column",
        "standard input line 3: no document 'no/such-doc'",
        "standard input line 4: document 'un/gge-2015' has no unit '999'",
        "standard input line 5: span 5..99999999 is out of range",
        "standard input line 6: the quote is not found",
        "standard input line 7: the quote is found more than once",
        "standard input line 8, column",
        "standard input line 9: nothing to do",
        "standard input line 10, column",
    ];
    for line in expect {
        assert!(stderr.contains(line), "missing {line:?} in:\n{stderr}");
    }
    assert!(stderr.contains("unknown field `unti`"), "{stderr}");
    assert!(!stderr.contains("line 1:"), "{stderr}");
    assert!(stderr.contains("9 errors; nothing was written"), "{stderr}");
    assert!(!coder_file(dir, "dict").exists());
}

#[test]
fn quotes_and_spans_count_code_points_in_chinese_text() {
    let project = samples_copy();
    let dir = project.path();
    // Found several times in the document, once in unit 4: the unit makes it one place.
    let (code, _, stderr) = run(
        dir,
        &[
            "code",
            "--coder",
            "dict",
            "--document",
            "zh/gge-2015-zh",
            "--quote",
            "关键基础设施",
            "--add",
            "CI01",
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("more than once"), "{stderr}");
    let (code, stdout, stderr) = run(
        dir,
        &[
            "code",
            "--coder",
            "dict",
            "--document",
            "zh/gge-2015-zh",
            "--unit",
            "4",
            "--quote",
            "关键基础设施",
            "--add",
            "CI01",
            "--memo",
            "从脚本",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1 code added"), "{stdout}");
    let project = Project::open(dir).unwrap();
    let document = project.corpus.get(&"zh/gge-2015-zh".into()).unwrap();
    let dict = project.load_coder("dict").unwrap();
    let annotation = &dict.file.annotations(&document.id)[0];
    let span = annotation.span.expect("a span");
    // The span's code points are the quote's: six characters, wherever the unit starts.
    assert_eq!(span.len(), 6);
    assert_eq!(document.slice(span), Some("关键基础设施"));
    assert_eq!(annotation.quote.as_deref(), Some("关键基础设施"));
    assert_eq!(annotation.memo.as_deref(), Some("从脚本"));

    // The same place by its range: the codes join the same annotation.
    let range = format!("{}..{}", span.start, span.end);
    let (code, _, stderr) = run(
        dir,
        &[
            "code",
            "--coder",
            "dict",
            "--document",
            "zh/gge-2015-zh",
            "--span",
            &range,
            "--add",
            "CI02",
            "--remove",
            "CI01",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let dict = Project::open(dir).unwrap().load_coder("dict").unwrap();
    let annotations = dict.file.annotations(&document.id);
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0].codes, vec!["CI02".into()]);

    // A span across two units is refused.
    let unit = document.unit(&"4".into()).unwrap();
    let across = format!("{}..{}", unit.range.end - 2, unit.range.end + 5);
    let (code, _, stderr) = run(
        dir,
        &[
            "code",
            "--coder",
            "dict",
            "--document",
            "zh/gge-2015-zh",
            "--span",
            &across,
            "--add",
            "CI02",
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("not inside one unit"), "{stderr}");
}

#[test]
fn refused_while_the_coders_workspace_is_open() {
    let project = samples_copy();
    let dir = project.path();
    let before = files_on_disk(&dir.join("annotations"));
    // What the workspace holds while it is open: the coder's OS lock.
    let lock = CoderLock::acquire(
        &dir.join("annotations"),
        &CoderName::parse("alice").unwrap(),
    )
    .unwrap();
    let args = [
        "code",
        "--coder",
        "alice",
        "--document",
        "un/gge-2015",
        "--unit",
        "13",
        "--add",
        "VU01",
    ];
    let (code, _, stderr) = run(dir, &args);
    assert_eq!(code, 2);
    assert!(stderr.contains("has the workspace open"), "{stderr}");
    assert_eq!(files_on_disk(&dir.join("annotations")), before);
    drop(lock);
    let (code, _, stderr) = run(dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert_ne!(files_on_disk(&dir.join("annotations")), before);
}

#[test]
fn a_scripted_coder_is_seen_by_status_and_measured_by_agree() {
    let project = samples_copy();
    let dir = project.path();
    let document = "company/microsoft-2013";
    // The script codes as alice did on one document she marked done, and marks it done.
    let alice = Project::open(dir).unwrap().load_coder("alice").unwrap();
    let mut batch = String::new();
    let mut codes = 0;
    for a in alice.file.annotations(&document.into()) {
        let mut line = serde_json::json!({
            "document": document,
            "unit": a.unit.as_str(),
            "add": a.codes.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        });
        if let Some(span) = a.span {
            line["span"] = serde_json::json!({"start": span.start, "end": span.end});
        }
        codes += a.codes.len();
        batch.push_str(&format!("{line}\n"));
    }
    batch.push_str(&format!(
        "{}\n",
        serde_json::json!({"document": document, "status": "done"})
    ));
    std::fs::write(dir.join("alice-copy.jsonl"), batch).unwrap();
    let (code, stdout, stderr) = run(
        dir,
        &["code", "--coder", "machine", "--batch", "alice-copy.jsonl"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("{codes} codes added")), "{stdout}");

    let (code, stdout, _) = run(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0);
    let status: Value = serde_json::from_str(&stdout).unwrap();
    let text = status.to_string();
    assert!(text.contains("\"machine\""), "{text}");

    let (code, stdout, stderr) = run(
        dir,
        &["agree", "--coders", "alice,machine", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let table: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        table["compared_documents"],
        serde_json::json!([document]),
        "{table:#}"
    );
    // The same codes on the same units: no disagreement.
    assert_eq!(table["disagreements"], serde_json::json!([]), "{table:#}");
}

#[test]
fn agree_by_assist_splits_the_compared_documents_by_the_coder_files_flag() {
    let project = samples_copy();
    let dir = project.path();
    let (code, stdout, _) = run(dir, &["agree", "--format", "json"]);
    assert_eq!(code, 0);
    let all: Value = serde_json::from_str(&stdout).unwrap();
    let compared: Vec<String> = serde_json::from_value(all["compared_documents"].clone()).unwrap();
    assert!(compared.len() >= 2, "{compared:?}");
    // bob coded the first compared document with suggestions on (as the workspace records it).
    let assisted = &compared[0];
    let path = coder_file(dir, "bob");
    let text = std::fs::read_to_string(&path).unwrap();
    let key = format!("  {assisted}:\n    status: done\n");
    assert!(text.contains(&key), "{text}");
    std::fs::write(
        &path,
        text.replace(&key, &format!("{key}    suggestions: true\n")),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir, &["agree", "--by-assist", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let split: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        split["assisted"]["documents"],
        serde_json::json!([assisted])
    );
    let unassisted: Vec<String> =
        serde_json::from_value(split["unassisted"]["documents"].clone()).unwrap();
    assert_eq!(unassisted, compared[1..].to_vec());
    // Each group's table compares exactly its documents.
    assert_eq!(
        split["assisted"]["table"]["compared_documents"],
        serde_json::json!([assisted])
    );
    assert_eq!(
        split["unassisted"]["table"]["compared_documents"],
        serde_json::json!(compared[1..])
    );
    let (code, stdout, _) = run(dir, &["agree", "--by-assist"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("## Suggestion-assisted documents"),
        "{stdout}"
    );
    assert!(stdout.contains("## Unassisted documents"), "{stdout}");
    // The file still reads and writes back as it was: nothing else changed in it.
    let reread = Project::open(dir).unwrap().load_coder("bob").unwrap();
    assert!(
        reread.file.documents[&normcode::corpus::DocumentId::new(assisted.as_str())].suggestions
    );
}
