//! Nothing lost and nothing wrong on the way out: output commands never write over the
//! project's own files or an existing file (without --force), write through pipes and devices,
//! end quietly on a closed pipe and loudly on a full disk, never send escape sequences from
//! project files to the terminal, and say a change was made only once it is on disk.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use common::{run, samples_copy};

/// Every file of the project, with its bytes.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                files.push((entry.path(), std::fs::read(entry.path()).unwrap()));
            } else {
                files.push((entry.path(), Vec::new()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn output_commands_never_write_over_the_projects_own_files() {
    let dir = samples_copy();
    let root = dir.path();
    std::fs::create_dir(root.join("out")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("codebook.yaml"), root.join("out/link.yaml")).unwrap();
    let before = snapshot(root);
    let mut targets = vec![
        "codebook.yaml",
        "./out/../codebook.yaml",
        "normcode.yaml",
        "annotations/alice.yaml",
        "annotations/new.yaml",
        "samples/un/gge-2015.md",
    ];
    if cfg!(unix) {
        targets.push("out/link.yaml");
    }
    for target in targets {
        for force in [false, true] {
            let force = if force { &["--force"][..] } else { &[][..] };
            for command in [
                &["export", "--format", "csv", "--out", target][..],
                &["codebook", "export", "-o", target][..],
                &["report", "agenda", "--format", "svg", "-o", target][..],
            ] {
                let args = [command, force].concat();
                let (code, stdout, stderr) = run(root, &args);
                assert_eq!(code, 2, "normcode {args:?} wrote:\n{stdout}{stderr}");
                assert!(
                    stderr.contains("project's own files") && !stderr.contains("wrote"),
                    "normcode {args:?}:\n{stderr}"
                );
                assert!(stdout.is_empty(), "{stdout}");
            }
        }
    }
    assert!(
        before == snapshot(root),
        "a refused output changed the project"
    );
    #[cfg(unix)]
    assert!(
        std::fs::symlink_metadata(root.join("out/link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn an_existing_file_is_overwritten_only_with_force() {
    let dir = samples_copy();
    let root = dir.path();
    for command in [
        &["export", "--format", "csv", "--out", "old.txt"][..],
        &["codebook", "export", "-o", "old.txt"][..],
        &["report", "progress", "-o", "old.txt"][..],
    ] {
        std::fs::write(root.join("old.txt"), "keep me").unwrap();
        let (code, _, stderr) = run(root, command);
        assert_eq!(code, 2, "normcode {command:?}: {stderr}");
        assert!(stderr.contains("--force"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(root.join("old.txt")).unwrap(),
            "keep me"
        );
        let args = [command, &["--force"]].concat();
        let (code, _, stderr) = run(root, &args);
        assert_eq!(code, 0, "normcode {args:?}: {stderr}");
        assert_ne!(
            std::fs::read_to_string(root.join("old.txt")).unwrap(),
            "keep me"
        );
    }
}

#[cfg(unix)]
#[test]
fn output_goes_through_fifos_devices_and_symlinks_without_replacing_them() {
    use std::os::unix::fs::FileTypeExt;
    let dir = samples_copy();
    let root = dir.path();
    let (_, expected, _) = run(root, &["export", "--format", "csv"]);
    // A FIFO: read by another thread while normcode writes; it stays a FIFO.
    let fifo = root.join("pipe");
    assert!(
        StdCommand::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    let (code, _, stderr) = run(root, &["export", "--format", "csv", "--out", "pipe"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(reader.join().unwrap(), expected);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A character device.
    let (code, _, stderr) = run(root, &["report", "agenda", "-o", "/dev/null"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A symlink to a file outside the project: the file is written, the symlink stays.
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("coded.csv");
    std::fs::write(&target, "old").unwrap();
    std::os::unix::fs::symlink(&target, root.join("link.csv")).unwrap();
    let (code, _, stderr) = run(
        root,
        &["export", "--format", "csv", "--out", "link.csv", "--force"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected);
    assert!(
        std::fs::symlink_metadata(root.join("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// Runs `normcode ARGS` with its standard output a pipe whose reader is gone before normcode
/// writes: (exit code, stderr).
fn with_closed_pipe(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = StdCommand::cargo_bin("normcode")
        .unwrap()
        .current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_and_a_full_disk_is_an_error() {
    let dir = samples_copy();
    let root = dir.path();
    let commands: [&[&str]; 9] = [
        &["codebook", "list"],
        &["codebook", "show", "VU01"],
        &["codebook", "export"],
        &["codebook", "diff", "codebook.yaml", "codebook.yaml"],
        &["status"],
        &["check"],
        &["agree"],
        &["report", "progress"],
        &["export", "--format", "csv"],
    ];
    for args in commands {
        let (code, stderr) = with_closed_pipe(root, args);
        assert_eq!(code, Some(0), "normcode {args:?} | (closed): {stderr}");
        assert!(stderr.is_empty(), "normcode {args:?} | (closed): {stderr}");
    }
    #[cfg(target_os = "linux")]
    for args in commands {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = StdCommand::cargo_bin("normcode")
            .unwrap()
            .current_dir(root)
            .env_remove("NORMCODE_PROJECT")
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "normcode {args:?} > /dev/full: {stderr}"
        );
        assert!(
            stderr.contains("standard output") && !stderr.contains("panicked"),
            "normcode {args:?} > /dev/full: {stderr}"
        );
    }
}

/// Output that is safe to show on a terminal: no escape, bell or other control character but
/// the newline.
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
        .collect();
    assert!(bad.is_empty(), "{what} prints {bad:?} raw:\n{text}");
}

#[cfg(unix)]
#[test]
fn names_with_escape_sequences_or_newlines_never_reach_the_terminal_raw() {
    let dir = samples_copy();
    let root = dir.path();
    let body = "---\ntitle: T\npublisher: Microsoft\nyear: 2020\n---\n\nStates should cooperate.\n";
    std::fs::write(root.join("samples/\u{1b}]0;PWNED\u{7}.md"), body).unwrap();
    std::fs::write(root.join("samples/two\nlines.md"), body).unwrap();
    for args in [
        &["agree"][..],
        &["agree", "--level", "document"],
        &["agree", "--disagreements"],
    ] {
        let (code, stdout, stderr) = run(root, args);
        assert_eq!(code, 0, "{stderr}");
        assert_terminal_safe(&format!("normcode {args:?}"), &stdout);
        assert_terminal_safe(&format!("normcode {args:?} (stderr)"), &stderr);
        // Each document left out is listed on one line of its own.
        assert!(
            stdout.lines().any(|l| l.contains("two␊lines")),
            "normcode {args:?}:\n{stdout}"
        );
        assert!(!stdout.lines().any(|l| l.trim_start().starts_with("lines")));
    }
    // `init` echoes the folder it was given.
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(elsewhere.path(), &["init", "x\u{1b}]0;PWNED\u{7}"]);
    assert_eq!(code, 0, "{stderr}");
    assert_terminal_safe("normcode init", &stdout);
    assert_terminal_safe("normcode init (stderr)", &stderr);
}

#[test]
fn a_codebook_change_refused_by_an_open_workspace_reports_no_success() {
    let dir = samples_copy();
    let root = dir.path();
    let before = snapshot(root);
    let lock = normcode::annotations::CoderLock::acquire(
        &root.join("annotations"),
        &normcode::annotations::CoderName::parse("alice").unwrap(),
    )
    .expect("the test holds alice's lock");
    for args in [
        &["codebook", "rename", "IL03", "XIL03"][..],
        &["codebook", "retire", "IL03"],
        &["codebook", "merge", "IL03", "IL04", "--into", "IL03"],
        &["codebook", "edit", "IL03", "--label-en", "New label"],
        &["codebook", "move", "IL03", "RGTS"],
        &[
            "codebook",
            "add",
            "--id",
            "NEW01",
            "--category",
            "RGTS",
            "--label-en",
            "New",
            "--label-zh",
            "新",
            "--definition-en",
            "New.",
            "--definition-zh",
            "新。",
        ],
    ] {
        let (code, stdout, stderr) = run(root, args);
        assert_ne!(code, 0, "normcode {args:?}: {stdout}{stderr}");
        assert!(
            stdout.is_empty(),
            "normcode {args:?} claims a change it did not make:\n{stdout}"
        );
        assert!(stderr.contains("alice"), "{stderr}");
    }
    drop(lock);
    // The lock file the test made is the only difference.
    let after: Vec<_> = snapshot(root)
        .into_iter()
        .filter(|(path, _)| !path.ends_with(".alice.lock"))
        .collect();
    assert!(before == after, "a refused change changed the project");
}

/// `export` to a terminal (run under `script`, which gives it one) shows escape sequences
/// made visible; into a pipe the data stays exact.
#[cfg(target_os = "linux")]
#[test]
fn export_to_a_terminal_is_sanitised_and_to_a_pipe_exact() {
    if !StdCommand::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("skipping: script (util-linux) is not installed");
        return;
    }
    let dir = samples_copy();
    let root = dir.path();
    let path = root.join("annotations/alice.yaml");
    // A memo with a terminal escape sequence, written as normcode writes it (escaped).
    let mut file = normcode::annotations::load_coder_file(&path).unwrap();
    let memo = file
        .documents
        .values_mut()
        .flat_map(|d| std::sync::Arc::make_mut(d).annotations.iter_mut())
        .find_map(|a| a.memo.as_mut().filter(|m| m.starts_with("Company raises")))
        .unwrap();
    memo.insert_str(0, "\u{1b}]0;PWNED\u{7} ");
    normcode::annotations::save_coder_file(&path, &file).unwrap();
    let (code, piped, stderr) = run(root, &["export", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(piped.contains("\u{1b}]0;PWNED\u{7}"), "{piped}");
    let binary = assert_cmd::cargo::cargo_bin("normcode");
    for format in ["csv", "matrix", "yaml"] {
        let out = StdCommand::new("script")
            .current_dir(root)
            .env_remove("NORMCODE_PROJECT")
            .args(["-qec"])
            .arg(format!("{} export --format {format}", binary.display()))
            .arg("/dev/null")
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{shown}");
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown}"
        );
    }
}
