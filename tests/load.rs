//! Loading a project as a user meets it: link loops in the documents folder, coder names and
//! coder files that are not what they seem, duplicates in a coder file, memos over many lines.

mod common;
use common::samples_copy;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn normcode(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("normcode").unwrap();
    cmd.current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .timeout(Duration::from_secs(60));
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.code().is_some(),
        "killed (a timeout?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn documents(dir: &Path) -> u64 {
    let out = stdout(normcode(dir).args(["status", "--format", "json"]));
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    summary["documents"].as_u64().unwrap()
}

#[test]
fn a_link_loop_in_the_documents_folder_ends_and_is_reported() {
    let project = samples_copy();
    let dir = project.path();
    std::fs::create_dir(dir.join("samples/loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("samples/loop/a")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("samples/loop/b")).unwrap();
    let check = stdout(normcode(dir).arg("check"));
    assert!(
        check.contains("warning: samples/loop/a: a link back to samples, skipped"),
        "{check}"
    );
    assert!(
        check.contains("warning: samples/loop/b: a link back to samples, skipped"),
        "{check}"
    );
    assert_eq!(documents(dir), 14);
}

#[test]
fn a_link_up_does_not_copy_the_corpus_and_linked_files_count_once() {
    let project = samples_copy();
    let dir = project.path();
    std::fs::create_dir(dir.join("samples/loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("samples/loop/up")).unwrap();
    assert_eq!(documents(dir), 14);
    // A link to a folder outside the documents (but inside the project) is followed, once.
    std::fs::create_dir(dir.join("more")).unwrap();
    std::fs::write(dir.join("more/extra.md"), "One more paragraph.\n").unwrap();
    std::os::unix::fs::symlink("../../more", dir.join("samples/loop/more")).unwrap();
    std::os::unix::fs::symlink("../../more", dir.join("samples/loop/again")).unwrap();
    // A link to a file is followed too, unless its file is already read.
    std::os::unix::fs::symlink("../more/extra.md", dir.join("samples/linked.md")).unwrap();
    assert_eq!(documents(dir), 15);
    let check = stdout(normcode(dir).arg("check"));
    assert!(
        check.contains("samples/loop/more: a link back to samples/loop/again, skipped"),
        "{check}"
    );
}

/// Every file and folder under `dir` (hidden ones included), relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_coder_name_is_checked_before_anything_is_created() {
    if !common::tmux_available() {
        return;
    }
    let s = common::Session::new("names");
    let outside = s.project.path().parent().unwrap().join("pwn.lock");
    let before = listing(s.project.path());
    s.start_args("up", "--coder '/../../pwn'", None);
    s.wait_for("up", "cannot be a coder name");
    s.start_args("esc", "--coder \"$(printf 'a\\033b')\"", None);
    s.wait_for("esc", "cannot be a coder name");
    s.start_args("nl", "--coder \"$(printf 'a\\nb')\"", None);
    s.wait_for("nl", "cannot be a coder name");
    s.start_args("empty", "--coder ''", None);
    s.wait_for("empty", "the coder name is empty");
    assert!(!outside.exists(), "a lock outside the project");
    assert_eq!(listing(s.project.path()), before, "nothing created");
}

#[test]
fn a_new_coder_in_a_project_with_coders_is_asked_about_first() {
    if !common::tmux_available() {
        return;
    }
    let s = common::Session::new("newcoder");
    let before = listing(s.project.path());
    s.start_args("typo", "--coder bne", None);
    s.wait_for(
        "typo",
        "no coder file for 'bne' yet (coders: alice, bob): create it? [y/N]",
    );
    s.keys("typo", &["n", "Enter"]);
    s.wait_for("typo", "nothing was created");
    assert_eq!(listing(s.project.path()), before, "nothing created");
    // Yes opens the workspace for the new coder; --new-coder does without asking.
    s.start_args("yes", "--coder carol", None);
    s.wait_for("yes", "create it? [y/N]");
    s.keys("yes", &["y", "Enter"]);
    let lock = |coder: &str| s.project.path().join(format!("annotations/.{coder}.lock"));
    s.wait_until("yes", "carol's session", |_| lock("carol").exists());
    s.start_args("flag", "--coder dana --new-coder", None);
    s.wait_until("flag", "dana's session", |_| lock("dana").exists());
}

#[test]
fn an_empty_coder_name_is_an_error_and_changes_nothing() {
    let project = samples_copy();
    let dir = project.path();
    let before = listing(dir);
    let out = normcode(dir)
        .args(["codebook", "retire", "VU04", "--coder", ""])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the coder name is empty"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(dir), before);
}

#[test]
fn coder_files_that_are_not_read_are_named_by_check_and_warned_about() {
    let project = samples_copy();
    let dir = project.path();
    let bob = std::fs::read_to_string(dir.join("annotations/bob.yaml")).unwrap();
    for name in ["carol.yml", "DAVE.YAML", "bob smith.yaml"] {
        std::fs::write(dir.join("annotations").join(name), &bob).unwrap();
    }
    std::fs::write(dir.join("annotations/.bob.lock"), "").unwrap();
    let out = normcode(dir).arg("check").output().unwrap();
    let check = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{check}");
    for fix in [
        "git mv annotations/carol.yml annotations/carol.yaml",
        "git mv annotations/DAVE.YAML annotations/DAVE.yaml",
        "git mv 'annotations/bob smith.yaml' annotations/bob_smith.yaml",
    ] {
        assert!(check.contains(fix), "{fix} in {check}");
    }
    assert!(!check.contains(".bob.lock"), "{check}");
    for args in [
        &["status"][..],
        &["agree"],
        &["export", "--format", "csv"],
        &["report", "progress"],
    ] {
        let out = normcode(dir).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        for name in ["carol.yml", "DAVE.YAML", "bob smith.yaml"] {
            assert!(
                stderr.contains(&format!("warning: annotations/{name} is not read")),
                "{args:?}: {stderr}"
            );
        }
    }
}

/// What `status`, `codebook list`, the CSV export and `agree` say of a project.
fn counts(dir: &Path) -> Vec<String> {
    [
        &["status", "--format", "json"][..],
        &["codebook", "list"],
        &["export", "--format", "csv"],
        &["agree", "--format", "json"],
    ]
    .iter()
    .map(|args| stdout(normcode(dir).args(*args)))
    .collect()
}

#[test]
fn repeated_codes_and_annotations_count_once_everywhere() {
    let project = samples_copy();
    let dir = project.path();
    let clean = counts(dir);
    let path = dir.join("annotations/alice.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    // A code twice in one annotation, and one annotation twice (as a union merge leaves it).
    let once = "    - unit: p2\n      quote: Governments around the world are asking how cyberspace shoul\n      codes: [NM01]\n";
    assert!(text.contains(once));
    let doubled = text.replacen(
        once,
        "    - unit: p2\n      codes: [NM01, NM01]\n      created: 2026-10-07T09:00:00Z\n      modified: 2026-10-07T09:00:00Z\n    - unit: p2\n      quote: Governments around the world are asking how cyberspace shoul\n      codes: [NM01]\n",
        1,
    );
    std::fs::write(&path, doubled).unwrap();
    assert_eq!(counts(dir), clean);
    let check = stdout(normcode(dir).arg("check"));
    assert!(
        check.contains(
            "annotations/alice.yaml: company/microsoft-2013: 2 annotations on unit p2 merged"
        ),
        "{check}"
    );
}

#[test]
fn indicator_ids_that_differ_only_in_case_are_refused_with_their_place() {
    let project = samples_copy();
    let dir = project.path();
    let path = dir.join("codebook.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("- id: IL02\n", "- id: il01\n", 1)).unwrap();
    let out = normcode(dir).arg("check").output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("codebook.yaml:78:")
            && all.contains("'il01' differs only in case from 'IL01'"),
        "{all}"
    );
}

#[test]
fn status_lists_a_coder_whose_file_is_empty() {
    let project = samples_copy();
    let dir = project.path();
    std::fs::write(dir.join("annotations/carol.yaml"), "").unwrap();
    let out = stdout(normcode(dir).args(["status", "--format", "json"]));
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let coders: Vec<&str> = summary["coders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coder"].as_str().unwrap())
        .collect();
    assert_eq!(coders, ["alice", "bob", "carol"]);
}

#[test]
fn a_bad_coder_name_is_refused_without_a_terminal_too() {
    let project = samples_copy();
    let dir = project.path();
    let out = normcode(dir)
        .args(["--coder", "/../../pwn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be a coder name"), "{stderr}");
    assert!(out.stdout.is_empty(), "no summary for a bad name");
    assert!(!dir.join("annotations/.pwn.lock").exists());
    assert!(!dir.parent().unwrap().join("pwn.lock").exists());
}
