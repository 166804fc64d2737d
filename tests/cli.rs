//! The command line on real projects in temporary folders: what a user types, what they see,
//! what is (and is not) written.

mod common;
use common::{repo, samples_copy};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn normcode(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("normcode").unwrap();
    cmd.current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER");
    cmd
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn check_on_the_samples_is_clean() {
    normcode(&repo())
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ok: codebook (64 indicators), 14 documents",
        ));
}

#[test]
fn status_counts_documents_units_and_coders() {
    let out = normcode(&repo())
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["documents"], 14);
    assert_eq!(summary["indicators"], 64);
    let coders: Vec<_> = summary["coders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coder"].as_str().unwrap())
        .collect();
    assert_eq!(coders, ["alice", "bob"]);
    assert!(summary["coders"][0]["coded_units"].as_u64().unwrap() > 100);
    normcode(&repo())
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("corpus    14 documents"));
}

#[test]
fn without_a_terminal_the_main_command_prints_the_summary() {
    normcode(&repo())
        .assert()
        .success()
        .stdout(predicate::str::contains("codebook  Cybersecurity norms"))
        .stderr(predicate::str::contains("not a terminal"));
}

#[test]
fn project_is_found_from_a_subfolder_and_by_flag() {
    normcode(&repo().join("samples/un"))
        .arg("check")
        .assert()
        .success();
    let elsewhere = tempfile::tempdir().unwrap();
    normcode(elsewhere.path())
        .args(["--project", repo().to_str().unwrap(), "check"])
        .assert()
        .success();
    normcode(elsewhere.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no normcode project"));
    normcode(elsewhere.path())
        .args(["--project", elsewhere.path().to_str().unwrap(), "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a normcode project"));
}

#[test]
fn init_creates_a_working_project_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("study");
    normcode(dir.path())
        .args(["init", "study"])
        .assert()
        .success();
    assert!(project.join("documents").is_dir() && project.join("annotations").is_dir());
    let codebook = std::fs::read_to_string(project.join("codebook.yaml")).unwrap();
    assert_eq!(
        codebook,
        std::fs::read_to_string(repo().join("codebook.yaml")).unwrap()
    );
    std::fs::write(
        project.join("documents/speech.md"),
        "---\ntitle: A speech\npublisher: UN GGE\nyear: 2020\n---\nWe must protect critical infrastructure.\n",
    )
    .unwrap();
    normcode(&project)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 document (1 unit), 0 coder files",
        ));
    std::fs::write(project.join("codebook.yaml"), "changed").unwrap();
    normcode(dir.path())
        .args(["init", "study"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already a normcode project"));
    assert_eq!(
        std::fs::read_to_string(project.join("codebook.yaml")).unwrap(),
        "changed"
    );
}

#[test]
fn broken_codebook_names_file_line_and_column_and_changes_nothing() {
    let dir = samples_copy();
    let path = dir.path().join("codebook.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("    label: ", "    lable: ", 1);
    std::fs::write(&path, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("lable:")).unwrap() + 1;
    let before = snapshot(dir.path());
    normcode(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "codebook.yaml:{line}:5: unknown field `lable`"
        )));
    normcode(dir.path())
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("codebook.yaml:{line}:5:")));
    assert_eq!(snapshot(dir.path()), before, "nothing on disk changed");
}

#[test]
fn broken_coder_file_and_front_matter_are_reported_with_positions() {
    let dir = samples_copy();
    let alice = dir.path().join("annotations/alice.yaml");
    let text = std::fs::read_to_string(&alice).unwrap();
    std::fs::write(&alice, text.replacen("status: done", "status: finished", 1)).unwrap();
    let doc = dir.path().join("samples/un/gge-2013.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, text.replacen("year: 2013", "year: [2013", 1)).unwrap();
    let before = snapshot(dir.path());
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("error: annotations/alice.yaml:") && l.contains("finished")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("error: samples/un/gge-2013.md:")
                && l.contains("document skipped")),
        "{stdout}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn unknown_front_matter_keys_and_bad_values_are_errors() {
    let dir = samples_copy();
    let doc = dir.path().join("samples/un/gge-2013.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let text = text
        .replacen("year: 2013", "year: 2013\npublsher: typo", 1)
        .replacen("publisher: UN GGE", "publisher: UN GG", 1);
    std::fs::write(&doc, text).unwrap();
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("samples/un/gge-2013.md:")
            && stdout.contains("unknown front matter key 'publsher'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("publisher 'UN GG' is not one of the codebook's values"),
        "{stdout}"
    );
}

#[test]
fn edited_document_reanchors_and_unplaceable_annotations_are_reported_not_dropped() {
    let dir = samples_copy();
    let doc = dir.path().join("samples/un/gge-2015.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    // Insert a paragraph near the top: every unannotated position after it shifts.
    let edited = text.replacen(
        "\n\n",
        "\n\nA new opening paragraph inserted by an editor.\n\n",
        2,
    );
    std::fs::write(&doc, &edited).unwrap();
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("now found at"), "{stdout}");
    assert!(!stdout.contains("orphaned"), "{stdout}");
    // Now rewrite a coded sub-paragraph outright: its annotation is kept and reported.
    let alice = std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap();
    let status = normcode(dir.path())
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    let before: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let removed = edited
        .lines()
        .find(|l| l.starts_with("(d) "))
        .unwrap()
        .to_string();
    std::fs::write(&doc, edited.replace(&removed, "(d) Entirely rewritten.")).unwrap();
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("orphaned annotation, kept as it was"),
        "{stdout}"
    );
    let status = normcode(dir.path())
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    let after: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    // Kept, but counted as orphaned only.
    let count = |v: &serde_json::Value, key: &str| v["coders"][0][key].as_u64().unwrap();
    assert!(count(&after, "orphaned") > 0, "{after}");
    assert_eq!(
        count(&after, "annotations") + count(&after, "orphaned"),
        count(&before, "annotations") + count(&before, "orphaned")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("annotations/alice.yaml")).unwrap(),
        alice,
        "check writes nothing"
    );
}

#[test]
fn binary_and_non_utf8_documents_are_skipped_with_a_warning() {
    let dir = samples_copy();
    std::fs::write(dir.path().join("samples/latin1.txt"), b"caf\xe9 au lait").unwrap();
    std::fs::write(dir.path().join("samples/image.txt"), b"\x89PNG\x00\x00").unwrap();
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("warning: samples/latin1.txt:1: not UTF-8 text; skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: samples/image.txt: binary file"),
        "{stdout}"
    );
    normcode(dir.path())
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("14 documents"));
}

#[test]
fn documents_folder_outside_the_project_is_refused() {
    let dir = samples_copy();
    std::fs::write(
        dir.path().join("normcode.yaml"),
        "documents: ../elsewhere\n",
    )
    .unwrap();
    normcode(dir.path())
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("normcode.yaml: documents folder '../elsewhere' must be a relative path inside the project"));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_project_are_not_followed() {
    let dir = samples_copy();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "private").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("samples/secret.txt"),
    )
    .unwrap();
    let out = normcode(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("symbolic link leads outside the project"),
        "{stdout}"
    );
    normcode(dir.path())
        .arg("status")
        .assert()
        .stdout(predicate::str::contains("14 documents"));
}

#[test]
fn yaml_alias_bombs_are_rejected_within_limits() {
    let dir = samples_copy();
    let mut bomb =
        String::from("schema: 1\ncoder: alice\nbomb:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut previous = 'a';
    for name in 'b'..='k' {
        let refs = vec![format!("*{previous}"); 10].join(", ");
        bomb.push_str(&format!("  {name}: &{name} [{refs}]\n"));
        previous = name;
    }
    std::fs::write(dir.path().join("annotations/alice.yaml"), bomb).unwrap();
    let out = normcode(dir.path())
        .arg("check")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("annotations/alice.yaml"), "{stdout}");
}

#[test]
fn keys_lists_every_action_by_mode_with_the_users_bindings() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("normcode")).unwrap();
    std::fs::write(
        home.path().join("normcode/config.yaml"),
        "keys:\n  undo: [C-z]\n  nonsense: [x]\n",
    )
    .unwrap();
    let out = common::normcode(home.path())
        .arg("keys")
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for def in normcode::tui::action::ACTIONS {
        assert!(text.contains(def.name), "{} missing", def.name);
    }
    for mode in normcode::tui::action::ModeKind::ALL {
        assert!(text.contains(mode.title()), "{mode:?} missing");
    }
    let undo = text.lines().find(|l| l.contains(" undo ")).unwrap();
    assert!(undo.trim_start().starts_with("C-z"), "{undo}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unknown action 'nonsense'"), "{stderr}");
}
