//! `normcode codebook variable` on copies of the samples project: a variable's values and
//! groups change in the codebook (with its history), documents follow a renamed value, coder
//! files move to the new version; bad input is refused and changes nothing on disk. Also what
//! `check` says about unknown values and missing publisher or year, and that `status` agrees.

mod common;
use common::{files_on_disk, samples_copy};

use std::path::Path;

use assert_cmd::Command;
use normcode::codebook::Codebook;

/// `normcode` in `dir`, with no configuration of the machine's user either.
fn normcode(dir: &Path) -> Command {
    let mut cmd = common::normcode(dir);
    cmd.env("XDG_CONFIG_HOME", dir.join(".no-config"))
        .env("HOME", dir.join(".no-home"));
    cmd
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = normcode(dir)
        .args(["--coder", "lead", "codebook", "variable"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(dir: &Path) -> (Option<i32>, String) {
    let out = normcode(dir).arg("check").output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn codebook(dir: &Path) -> Codebook {
    Codebook::load(&dir.join("codebook.yaml")).unwrap()
}

/// The value's group in the codebook, or `None` when it is no value.
fn group_of(dir: &Path, value: &str) -> Option<Option<String>> {
    let codebook = codebook(dir);
    let publisher = codebook.variable("publisher").unwrap();
    publisher
        .values
        .iter()
        .find(|v| v.id == value)
        .map(|v| v.group.clone())
}

fn set_publisher(dir: &Path, file: &str, publisher: &str) {
    let text = read(dir, file);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("publisher:") {
            out.push_str(&format!("publisher: {publisher}\n"));
        } else {
            out.push_str(line);
        }
    }
    std::fs::write(dir.join(file), out).unwrap();
}

#[test]
fn an_unknown_publisher_names_the_command_that_adds_it_and_the_command_works() {
    let dir = samples_copy();
    let root = dir.path();
    set_publisher(root, "samples/company/microsoft-2014.md", "学术研究");
    let (code, said) = check(root);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(
            "samples/company/microsoft-2014.md:3:1: publisher '学术研究' is not one of the codebook's values"
        ),
        "{said}"
    );
    assert!(
        said.contains("`normcode codebook variable publisher --add '学术研究' --group GROUP`"),
        "{said}"
    );
    // "1 error", not "1 errors".
    assert!(said.ends_with("1 error, 0 warnings\n"), "{said}");

    let (ok, out, err) = run(
        root,
        &["publisher", "--add", "学术研究", "--group", "academic"],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("Added value '学术研究' (group academic) to variable publisher."),
        "{out}"
    );
    assert!(
        out.contains("annotations/alice.yaml: codebook_version 1.0 → 1.1"),
        "{out}"
    );
    assert_eq!(group_of(root, "学术研究"), Some(Some("academic".into())));
    let book = codebook(root);
    assert_eq!(book.version, "1.1");
    assert_eq!(
        book.history().last().unwrap().changes,
        ["Added value '学术研究' (group academic) to variable publisher."]
    );
    let (code, said) = check(root);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.starts_with("ok: "), "{said}");
}

#[test]
fn renaming_a_value_rewrites_the_documents_that_use_it() {
    let dir = samples_copy();
    let root = dir.path();
    let before = read(root, "samples/company/microsoft-2013.md");
    let (ok, out, err) = run(
        root,
        &[
            "publisher",
            "--rename",
            "Microsoft",
            "--to",
            "Microsoft Corporation",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains(
            "samples/company/microsoft-2013.md: publisher 'Microsoft' → 'Microsoft Corporation'"
        ),
        "{out}"
    );
    let after = read(root, "samples/company/microsoft-2013.md");
    assert_eq!(
        after,
        before.replace(
            "publisher: Microsoft\n",
            "publisher: Microsoft Corporation\n"
        )
    );
    assert_eq!(group_of(root, "Microsoft"), None);
    assert_eq!(
        group_of(root, "Microsoft Corporation"),
        Some(Some("company".into()))
    );
    let (code, said) = check(root);
    assert_eq!(code, Some(0), "{said}");
    // And back: the round trip gives the documents as they were.
    let (ok, _, err) = run(
        root,
        &[
            "publisher",
            "--rename",
            "Microsoft Corporation",
            "--to",
            "Microsoft",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(read(root, "samples/company/microsoft-2013.md"), before);
    assert_eq!(codebook(root).version, "1.2");
}

#[test]
fn removing_a_value_in_use_is_refused_unless_replaced_or_forced() {
    let dir = samples_copy();
    let root = dir.path();
    let untouched = files_on_disk(root);
    let (ok, _, err) = run(root, &["publisher", "--remove", "Paris Call"]);
    assert!(!ok);
    assert!(
        err.contains(
            "1 document still has publisher 'Paris Call': samples/multistakeholder/paris-call-2018.md"
        ),
        "{err}"
    );
    assert_eq!(
        files_on_disk(root),
        untouched,
        "a refused removal writes nothing"
    );

    let (ok, out, err) = run(
        root,
        &[
            "publisher",
            "--remove",
            "Paris Call",
            "--replace-with",
            "Cybersecurity Tech Accord",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Removed value 'Paris Call'"), "{out}");
    assert!(
        read(root, "samples/multistakeholder/paris-call-2018.md")
            .contains("\npublisher: Cybersecurity Tech Accord\n")
    );
    assert_eq!(group_of(root, "Paris Call"), None);
    // Its group is empty now: it can go.
    let (ok, _, err) = run(root, &["publisher", "--remove-group", "multistakeholder"]);
    assert!(ok, "{err}");
    assert!(
        !codebook(root)
            .variable("publisher")
            .unwrap()
            .groups
            .iter()
            .any(|(g, _)| g == "multistakeholder")
    );
    let (code, said) = check(root);
    assert_eq!(code, Some(0), "{said}");

    // --force leaves the documents, and check reports them.
    let (ok, _, err) = run(root, &["publisher", "--remove", "UN OEWG", "--force"]);
    assert!(ok, "{err}");
    let (code, said) = check(root);
    assert_eq!(code, Some(1));
    assert!(
        said.contains("publisher 'UN OEWG' is not one of the codebook's values"),
        "{said}"
    );
}

#[test]
fn groups_are_added_renamed_and_values_moved_between_them() {
    let dir = samples_copy();
    let root = dir.path();
    let (ok, _, err) = run(
        root,
        &[
            "publisher",
            "--add-group",
            "academic",
            "--label-en",
            "Academia",
            "--label-zh",
            "学术界",
        ],
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(
        root,
        &[
            "publisher",
            "--set-group",
            "Microsoft",
            "--group",
            "academic",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(group_of(root, "Microsoft"), Some(Some("academic".into())));
    let (ok, _, err) = run(
        root,
        &[
            "publisher",
            "--rename-group",
            "academic",
            "--to",
            "scholars",
        ],
    );
    assert!(ok, "{err}");
    let book = codebook(root);
    let publisher = book.variable("publisher").unwrap();
    let (_, label) = publisher
        .groups
        .iter()
        .find(|(g, _)| g == "scholars")
        .unwrap();
    assert_eq!((label.get("en"), label.get("zh")), ("Academia", "学术界"));
    assert_eq!(publisher.group_of("Microsoft"), Some("scholars"));
    assert_eq!(book.version, "1.3");
    let (code, said) = check(root);
    assert_eq!(code, Some(0), "{said}");
    // The listing shows the groups, values and document counts.
    let (ok, out, _) = run(root, &["publisher"]);
    assert!(ok);
    assert!(
        out.contains("  group scholars (Academia)\n    Microsoft  6 documents\n"),
        "{out}"
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_error_and_changes_nothing() {
    let dir = samples_copy();
    let root = dir.path();
    let untouched = files_on_disk(root);
    let cases: &[(&[&str], &str)] = &[
        (&["nope", "--add", "X"], "there is no variable 'nope'"),
        (&["year", "--add", "X"], "'year' is a whole-number variable"),
        (
            &["publisher", "--add", "UN GGE"],
            "'UN GGE' is already a value of publisher",
        ),
        (
            &["publisher", "--add", "un gge"],
            "differs only in case from the value 'UN GGE'",
        ),
        (
            &["publisher", "--add", "a\nb"],
            "holds a line break, tab, escape",
        ),
        (
            &["publisher", "--add", "red\u{1b}[31m"],
            "holds a line break, tab, escape",
        ),
        (&["publisher", "--add", "  "], "a value cannot be empty"),
        (
            &["publisher", "--add", "X", "--group", "../etc"],
            "cannot be a group id",
        ),
        (
            &["publisher", "--add", "X", "--group", "IL01"],
            "'IL01' is already an id",
        ),
        (
            &["publisher", "--rename", "Microsoft", "--to", "UN GGE"],
            "'UN GGE' is already a value of publisher",
        ),
        (
            &["publisher", "--rename", "Nobody", "--to", "X"],
            "'Nobody' is not a value of publisher",
        ),
        (
            &["publisher", "--set-group", "Microsoft", "--group", "none"],
            "has no group 'none'",
        ),
        (
            &["publisher", "--remove-group", "company"],
            "group 'company' still has 1 value",
        ),
        (
            &[
                "publisher",
                "--remove",
                "Microsoft",
                "--replace-with",
                "Nobody",
            ],
            "'Nobody' is not a value of publisher",
        ),
    ];
    for (args, expected) in cases {
        let (ok, out, err) = run(root, args);
        assert!(!ok, "{args:?} was accepted: {out}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(
            !err.contains('\u{1b}'),
            "an escape reached the terminal: {err:?}"
        );
        assert_eq!(files_on_disk(root), untouched, "{args:?} wrote something");
    }
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = samples_copy();
    let root = dir.path();
    let untouched = files_on_disk(root);
    let (ok, out, err) = run(
        root,
        &[
            "publisher",
            "--rename",
            "UN GGE",
            "--to",
            "UN Group of Experts",
            "--dry-run",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("samples/un/gge-2015.md: publisher 'UN GGE' → 'UN Group of Experts'"),
        "{out}"
    );
    assert!(out.contains("Dry run: nothing was written."), "{out}");
    assert_eq!(files_on_disk(root), untouched);
}

#[test]
fn check_warns_for_documents_without_publisher_or_year_and_status_agrees() {
    let dir = samples_copy();
    let root = dir.path();
    let file = "samples/company/microsoft-2016.md";
    let text = read(root, file);
    let without: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("year:") && !l.starts_with("publisher:"))
        .collect();
    std::fs::write(root.join(file), without).unwrap();
    let (code, said) = check(root);
    // Warnings, not errors: the exit code is that of warnings.
    assert_eq!(code, Some(1), "{said}");
    assert!(!said.contains("error:"), "{said}");
    assert!(
        said.contains(&format!(
            "warning: {file}: no publisher, so the reports by publisher group leave this document out"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "warning: {file}: no year, so the reports by year leave this document out; add \
             `year: 2016` (the year of its `date`)"
        )),
        "{said}"
    );
    assert!(said.ends_with("0 errors, 2 warnings\n"), "{said}");

    let out = normcode(root)
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warned = |variable: &str| -> Vec<String> {
        said.lines()
            .filter(|l| l.contains(&format!(": no {variable}, so the reports")))
            .map(|l| l.to_string())
            .collect()
    };
    for variable in ["publisher", "year"] {
        let listed = status["missing"][variable].as_array().unwrap();
        assert_eq!(listed.len(), warned(variable).len(), "{variable}: {status}");
        assert_eq!(listed[0], "company/microsoft-2016");
    }
    let text = normcode(root).arg("status").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("missing   1 document without a year (left out of the reports by it): company/microsoft-2016"),
        "{text}"
    );
}
