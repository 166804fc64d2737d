//! `normcode codebook` on copies of the samples project: what changes on disk (codebook and both
//! coder files), what is kept (comments, annotations), and what `check` and `status` say after.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use normcode::annotations::{CoderLock, CoderName, load_coder_file};
use normcode::codebook::Codebook;
use predicates::prelude::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn normcode(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("normcode").unwrap();
    cmd.current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        // No user config (a configured coder or language) may leak into the tests.
        .env("XDG_CONFIG_HOME", dir.join(".no-config"))
        .env("HOME", dir.join(".no-home"));
    cmd
}

/// A copy of the samples project with both coders' files.
fn samples_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .args(["codebook.yaml", "normcode.yaml", "samples", "annotations"])
        .arg(dir.path())
        .current_dir(repo())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// Every file under `dir` with its bytes, sorted: to show that nothing was written.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none_or(|e| e != "lock") {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

/// How many annotations of `coder` use each code, read from the file on disk.
fn code_counts(dir: &Path, coder: &str) -> BTreeMap<String, usize> {
    let file = load_coder_file(&dir.join(format!("annotations/{coder}.yaml"))).unwrap();
    let mut counts = BTreeMap::new();
    for coding in file.documents.values() {
        for a in &coding.annotations {
            for code in &a.codes {
                *counts.entry(code.to_string()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Annotations of `coder` that use any of `codes`.
fn annotations_using(dir: &Path, coder: &str, codes: &[&str]) -> usize {
    let file = load_coder_file(&dir.join(format!("annotations/{coder}.yaml"))).unwrap();
    file.documents
        .values()
        .flat_map(|d| &d.annotations)
        .filter(|a| a.codes.iter().any(|c| codes.contains(&c.as_str())))
        .count()
}

fn codebook_version_of(dir: &Path, coder: &str) -> Option<String> {
    load_coder_file(&dir.join(format!("annotations/{coder}.yaml")))
        .unwrap()
        .codebook_version
}

fn status_json(dir: &Path) -> serde_json::Value {
    let out = normcode(dir)
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn coder_summary<'a>(status: &'a serde_json::Value, coder: &str) -> &'a serde_json::Value {
    status["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == coder)
        .unwrap()
}

fn check_is_clean(dir: &Path) {
    normcode(dir)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok: "));
}

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect()
}

fn load_codebook(dir: &Path) -> Codebook {
    Codebook::load(&dir.join("codebook.yaml")).unwrap()
}

fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// The history entry the tool appends, as text.
fn history_entry(version: &str, by: &str, change: &str) -> String {
    format!(
        "  - version: \"{version}\"\n    date: {}\n    by: {by}\n    changes:\n      - \"{change}\"\n",
        today()
    )
}

#[test]
fn rename_changes_the_id_everywhere_and_keeps_comments_and_counts() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    let before = status_json(d);
    let il02 = [
        code_counts(d, "alice")["IL02"],
        code_counts(d, "bob")["IL02"],
    ];
    assert!(il02[0] > 0 && il02[1] > 0);

    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01", "--coder", "carol"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Renamed indicator IL02 to IHL01."))
        .stdout(predicate::str::contains(
            "annotations/alice.yaml: 4 annotations recoded",
        ))
        .stdout(predicate::str::contains("still mentions IL02"));

    // The codebook: exactly the id, the version and a history entry changed; comments kept.
    let text = read(d, "codebook.yaml");
    let expected = original
        .replacen("version: \"1.0\"", "version: \"1.1\"", 1)
        .replacen("      - id: IL02\n", "      - id: IHL01\n", 1)
        + "\nhistory:\n"
        + &history_entry("1.1", "carol", "Renamed indicator IL02 to IHL01.");
    assert_eq!(text, expected);
    assert_eq!(comment_lines(&text), comment_lines(&original));
    let codebook = load_codebook(d);
    assert_eq!(codebook.version, "1.1");
    assert!(codebook.indicator(&"IL02".into()).is_none());
    assert_eq!(
        codebook.indicator(&"IHL01".into()).unwrap().label.get("zh"),
        "国际人道法适用"
    );
    assert_eq!(codebook.history().len(), 1);
    assert_eq!(codebook.history()[0].by.as_deref(), Some("carol"));

    // Both coder files follow, and say which codebook version they now match.
    for (coder, n) in ["alice", "bob"].into_iter().zip(il02) {
        let counts = code_counts(d, coder);
        assert!(!counts.contains_key("IL02"), "{coder}");
        assert_eq!(counts["IHL01"], n, "{coder}");
        assert_eq!(codebook_version_of(d, coder).as_deref(), Some("1.1"));
    }
    assert!(!d.join("annotations/.codebook-migration.yaml").exists());

    check_is_clean(d);
    let after = status_json(d);
    for coder in ["alice", "bob"] {
        let (b, a) = (coder_summary(&before, coder), coder_summary(&after, coder));
        assert_eq!(a["annotations"], b["annotations"], "{coder}");
        assert_eq!(a["coded_units"], b["coded_units"], "{coder}");
        assert_eq!(
            a["by_indicator"]["IHL01"], b["by_indicator"]["IL02"],
            "{coder}"
        );
        assert!(a["by_indicator"].get("IL02").is_none());
    }
    assert_eq!(after["codebook_version"], "1.1");
}

#[test]
fn rename_refuses_an_existing_id_or_an_unknown_one() {
    let dir = samples_copy();
    let d = dir.path();
    let before = snapshot(d);
    normcode(d)
        .args(["codebook", "rename", "IL02", "IL03"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'IL03' is already an indicator"))
        .stderr(predicate::str::contains("merge IL02 --into IL03"));
    normcode(d)
        .args(["codebook", "rename", "IL2", "X1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no indicator 'IL2'"));
    normcode(d)
        .args(["codebook", "rename", "IL02", "bad id"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be an id"));
    assert_eq!(snapshot(d), before);
}

#[test]
fn merge_into_one_of_them_deduplicates_within_annotations() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    let before = status_json(d);
    // TH01 and WP04 are both on some annotations of each coder.
    let merged: Vec<usize> = ["alice", "bob"]
        .iter()
        .map(|c| annotations_using(d, c, &["TH01", "WP04"]))
        .collect();
    for (coder, n) in ["alice", "bob"].iter().zip(&merged) {
        let counts = code_counts(d, coder);
        assert!(
            counts["TH01"] + counts["WP04"] > *n,
            "{coder}: no overlap to dedupe"
        );
    }

    normcode(d)
        .args([
            "codebook", "merge", "TH01", "WP04", "--into", "TH01", "--coder", "carol",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Merged indicator WP04 into TH01."));

    let text = read(d, "codebook.yaml");
    assert!(!text.contains("- id: WP04"));
    assert_eq!(comment_lines(&text), comment_lines(&original));
    // WP04's block (from its `- id:` line to the next item) is gone, nothing else.
    let start = original.find("      - id: WP04\n").unwrap();
    let end = start + original[start..].find("      - id: WP05\n").unwrap();
    let mut expected = original.clone();
    expected.replace_range(start..end, "");
    let expected = expected.replacen("version: \"1.0\"", "version: \"1.1\"", 1)
        + "\nhistory:\n"
        + &history_entry("1.1", "carol", "Merged indicator WP04 into TH01.");
    assert_eq!(text, expected);
    let codebook = load_codebook(d);
    assert_eq!(codebook.indicators.len(), 63);
    assert!(codebook.indicator(&"TH01".into()).is_some());

    check_is_clean(d);
    let after = status_json(d);
    for (coder, n) in ["alice", "bob"].iter().zip(&merged) {
        let counts = code_counts(d, coder);
        assert!(!counts.contains_key("WP04"));
        assert_eq!(
            counts["TH01"], *n,
            "{coder}: one TH01 per annotation that had either"
        );
        let (b, a) = (coder_summary(&before, coder), coder_summary(&after, coder));
        assert_eq!(a["annotations"], b["annotations"]);
        assert_eq!(a["by_indicator"]["TH01"], *n);
    }
}

#[test]
fn merge_into_a_new_id_replaces_both_with_the_given_labels() {
    let dir = samples_copy();
    let d = dir.path();
    let merged: Vec<usize> = ["alice", "bob"]
        .iter()
        .map(|c| annotations_using(d, c, &["IL03", "IL04"]))
        .collect();
    normcode(d)
        .args(["codebook", "merge", "IL03", "IL04", "--into", "IL11"])
        .args(["--label-en", "Sovereignty and non-intervention"])
        .args(["--label-zh", "主权与不干涉"])
        .args(["--coder", "carol"])
        .assert()
        .success();
    let codebook = load_codebook(d);
    let il11 = codebook.indicator(&"IL11".into()).unwrap();
    assert_eq!(il11.label.get("zh"), "主权与不干涉");
    // The definition is IL03's, and IL11 stands where IL03 stood.
    assert!(il11.definition.get("en").contains("sovereignty"));
    let intl: Vec<&str> = codebook.categories[0]
        .indicators
        .iter()
        .map(|&i| codebook.indicators[i].id.as_str())
        .collect();
    assert_eq!(&intl[..4], ["IL01", "IL02", "IL11", "IL05"]);
    for (coder, n) in ["alice", "bob"].iter().zip(&merged) {
        let counts = code_counts(d, coder);
        assert_eq!(counts.get("IL11"), Some(n));
        assert!(!counts.contains_key("IL03") && !counts.contains_key("IL04"));
    }
    check_is_clean(d);
}

#[test]
fn retire_keeps_annotations_and_check_stays_clean() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    let counts_before = [code_counts(d, "alice"), code_counts(d, "bob")];
    normcode(d)
        .args(["codebook", "retire", "VU04", "--coder", "carol"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Retired indicator VU04"));
    let text = read(d, "codebook.yaml");
    assert_eq!(comment_lines(&text), comment_lines(&original));
    // `retired: true` is the last key of VU04's mapping, at its indentation.
    let block = &text[text.find("      - id: VU04\n").unwrap()..];
    let block = &block[..block.find("\n\n").unwrap()];
    assert!(block.ends_with("\n        retired: true"), "{block}");
    let codebook = load_codebook(d);
    assert!(codebook.indicator(&"VU04".into()).unwrap().retired);
    assert_eq!(codebook.version, "1.1");
    assert_eq!(
        [code_counts(d, "alice"), code_counts(d, "bob")],
        counts_before
    );
    check_is_clean(d);
    normcode(d)
        .args(["codebook", "show", "VU04"])
        .assert()
        .success()
        .stdout(predicate::str::contains("status      retired"));
    // Retiring twice is refused and changes nothing.
    let before = snapshot(d);
    normcode(d)
        .args(["codebook", "retire", "VU04"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already retired"));
    assert_eq!(snapshot(d), before);
}

#[test]
fn add_appends_to_the_category_and_is_validated() {
    let dir = samples_copy();
    let d = dir.path();
    let before = snapshot(d);
    let add = |extra: &[&str]| {
        let mut cmd = normcode(d);
        cmd.args(["codebook", "add", "--id", "NM06", "--category", "NORM"])
            .args([
                "--label-en",
                "Norms for AI systems",
                "--label-zh",
                "人工智能系统规范",
            ])
            .args(["--definition-en", "The text calls for norms on AI."])
            .args(extra)
            .args(["--coder", "carol"]);
        cmd
    };
    add(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("definition in 'zh'"));
    add(&[
        "--definition-zh",
        "文本呼吁制定人工智能规范。",
        "--attribute",
        "orientation=urgent",
    ])
    .assert()
    .failure()
    .stderr(predicate::str::contains(
        "'urgent' is not a value of attribute",
    ));
    normcode(d)
        .args(["codebook", "add", "--id", "IL01", "--category", "NORM"])
        .args(["--label-en", "x", "--label-zh", "x", "--definition-en", "x"])
        .args(["--definition-zh", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'IL01' is already an indicator"));
    normcode(d)
        .args(["codebook", "add", "--id", "ZZ01", "--category", "NOPE"])
        .args(["--label-en", "x", "--label-zh", "x", "--definition-en", "x"])
        .args(["--definition-zh", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no category 'NOPE'"));
    assert_eq!(snapshot(d), before, "refusals write nothing");

    add(&[
        "--definition-zh",
        "文本呼吁制定人工智能规范。",
        "--include-en",
        "Rules for \"AI\" in ICT security.",
        "--include-zh",
        "信息通信技术安全中的人工智能规则。",
        "--attribute",
        "orientation=relevance_uncertainty",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("Added indicator NM06"));
    let codebook = load_codebook(d);
    let nm06 = codebook.indicator(&"NM06".into()).unwrap();
    assert_eq!(codebook.categories[nm06.category].id, "NORM");
    assert_eq!(nm06.label.get("zh"), "人工智能系统规范");
    assert_eq!(
        nm06.include[0].get("en"),
        "Rules for \"AI\" in ICT security."
    );
    let norm = &codebook.categories[nm06.category];
    assert_eq!(
        codebook.indicators[*norm.indicators.last().unwrap()]
            .id
            .as_str(),
        "NM06"
    );
    let text = read(d, "codebook.yaml");
    assert!(text.contains("\n\n      - id: NM06\n        label: {en: \"Norms for AI systems\", zh: \"人工智能系统规范\"}\n"));
    check_is_clean(d);
}

#[test]
fn a_locked_coder_file_refuses_the_change_and_nothing_is_written() {
    let dir = samples_copy();
    let d = dir.path();
    let before = snapshot(d);
    let lock =
        CoderLock::acquire(&d.join("annotations"), &CoderName::parse("bob").unwrap()).unwrap();
    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "coder 'bob' has the workspace open",
        ))
        .stderr(predicate::str::contains("nothing was changed"));
    assert_eq!(snapshot(d), before);
    drop(lock);
    // A session of a coder who has no file yet counts too.
    let lock =
        CoderLock::acquire(&d.join("annotations"), &CoderName::parse("carol").unwrap()).unwrap();
    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "coder 'carol' has the workspace open",
        ));
    assert_eq!(snapshot(d), before);
    drop(lock);
    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01"])
        .assert()
        .success();
    assert!(read(d, "codebook.yaml").contains("- id: IHL01\n"));
}

#[test]
fn dry_run_writes_nothing() {
    let dir = samples_copy();
    let d = dir.path();
    let before = snapshot(d);
    normcode(d)
        .args([
            "codebook",
            "merge",
            "IL03",
            "IL04",
            "--into",
            "IL03",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Merged indicator IL04 into IL03."))
        .stdout(predicate::str::contains("Dry run: nothing was written."));
    assert_eq!(snapshot(d), before);
}

const JOURNAL: &str = "operation: rename\nids: [IL02, IHL01]\nfrom_version: \"1.0\"\nto_version: \"1.1\"\nstarted: 2026-11-27T08:00:00Z\n";

#[test]
fn an_interrupted_rename_is_reported_and_completed_by_running_it_again() {
    let dir = samples_copy();
    let d = dir.path();
    let il02 = code_counts(d, "bob")["IL02"] + code_counts(d, "alice")["IL02"];
    // Interrupted after alice's file was written: bob's file and the codebook are old.
    std::fs::write(d.join("annotations/.codebook-migration.yaml"), JOURNAL).unwrap();
    let alice = read(d, "annotations/alice.yaml")
        .replace("IL02", "IHL01")
        .replace("codebook_version: \"1.0\"", "codebook_version: \"1.1\"");
    std::fs::write(d.join("annotations/alice.yaml"), alice).unwrap();

    normcode(d)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "annotations/.codebook-migration.yaml: an unfinished codebook change",
        ))
        .stdout(predicate::str::contains(
            "normcode codebook rename IL02 IHL01",
        ));
    // Another change is refused until this one is complete.
    normcode(d)
        .args(["codebook", "retire", "VU04"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("complete that change first"));

    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01", "--coder", "carol"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Completing an interrupted change"));
    assert!(!d.join("annotations/.codebook-migration.yaml").exists());
    check_is_clean(d);
    let codebook = load_codebook(d);
    assert_eq!(codebook.version, "1.1");
    assert_eq!(codebook.history().len(), 1);
    let after = code_counts(d, "alice")["IHL01"] + code_counts(d, "bob")["IHL01"];
    assert_eq!(after, il02);
    assert!(!read(d, "annotations/bob.yaml").contains("IL02"));
}

#[test]
fn an_interrupted_rename_after_the_codebook_was_written_completes_the_rest() {
    let dir = samples_copy();
    let d = dir.path();
    let bob_before = read(d, "annotations/bob.yaml");
    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01", "--coder", "carol"])
        .assert()
        .success();
    let codebook_after = read(d, "codebook.yaml");
    // As if bob's file had not been written (and the journal not removed).
    std::fs::write(d.join("annotations/bob.yaml"), &bob_before).unwrap();
    std::fs::write(d.join("annotations/.codebook-migration.yaml"), JOURNAL).unwrap();
    normcode(d)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("an unfinished codebook change"))
        // bob's file is read through the history: its IL02 counts as IHL01, not as unknown.
        .stdout(predicate::str::contains(
            "annotations/bob.yaml: coded against codebook version 1.0",
        ))
        .stdout(predicate::str::contains("code 'IL02' is not in the codebook").not());

    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "annotations/bob.yaml: 3 annotations recoded",
        ));
    assert_eq!(
        read(d, "codebook.yaml"),
        codebook_after,
        "no second history entry"
    );
    assert_eq!(codebook_version_of(d, "bob").as_deref(), Some("1.1"));
    assert!(!d.join("annotations/.codebook-migration.yaml").exists());
    check_is_clean(d);
}

#[test]
fn check_lists_the_changes_since_a_coder_files_version() {
    let dir = samples_copy();
    let d = dir.path();
    normcode(d)
        .args(["codebook", "retire", "VU04", "--coder", "carol"])
        .assert()
        .success();
    normcode(d)
        .args(["codebook", "rename", "IL02", "IHL01", "--coder", "carol"])
        .assert()
        .success();
    // bob's file comes back from a branch where it was still coded against 1.0.
    let bob = read(d, "annotations/bob.yaml")
        .replace("codebook_version: \"1.2\"", "codebook_version: \"1.0\"");
    std::fs::write(d.join("annotations/bob.yaml"), bob).unwrap();
    let out = normcode(d).arg("check").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("coded against codebook version 1.0; the codebook is now version 1.2; changes since 1.0:"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "changes since 1.0: 1.1 ({}, carol): Retired indicator VU04 (kept for existing \
         annotations, no longer offered for coding). | 1.2 ({}, carol): Renamed indicator IL02 \
         to IHL01.\n",
            today(),
            today()
        )),
        "{stdout}"
    );
}

fn small_codebook(indicators_a: &str, indicators_b: &str, extra: &str) -> String {
    format!(
        "name: Small\nversion: \"1.0\"\nlanguages: [en, zh]\ncategories:\n  - id: A\n    label: {{en: A, zh: 甲}}\n    indicators:\n{indicators_a}  - id: B\n    label: {{en: B, zh: 乙}}\n    indicators:\n{indicators_b}{extra}"
    )
}

fn indicator(id: &str, label: &str, definition: &str, retired: bool) -> String {
    format!(
        "      - id: {id}\n        label: {{en: {label}, zh: 标签{label}}}\n        definition: {{en: {definition}, zh: 定义{definition}}}\n{}",
        if retired {
            "        retired: true\n"
        } else {
            ""
        }
    )
}

#[test]
fn diff_names_each_kind_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = small_codebook(
        &[
            indicator("A1", "One", "Def one", false),
            indicator("A2", "Two", "Def two", false),
            indicator("A3", "Three", "Def three", false),
            indicator("A4", "Four", "Def four", false),
        ]
        .concat(),
        &[
            indicator("B1", "Bone", "Def bone", false),
            indicator("B2", "Btwo", "Def btwo", false),
        ]
        .concat(),
        "",
    );
    let new = small_codebook(
        &[
            indicator("A9", "One", "Def one", false),
            indicator("A2", "Deux", "Def two", false),
            indicator("A3", "Three", "Def trois", false),
            indicator("N1", "Nouveau", "Def new", false),
        ]
        .concat(),
        &indicator("B2", "Btwo", "Def btwo", true),
        &format!(
            "  - id: C\n    label: {{en: C, zh: 丙}}\n    indicators:\n{}",
            indicator("B1", "Bone", "Def bone", false)
        ),
    );
    std::fs::write(d.join("old.yaml"), old).unwrap();
    std::fs::write(d.join("new.yaml"), new).unwrap();
    let out = normcode(d)
        .args(["codebook", "diff", "old.yaml", "new.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "category added      C  C",
        "added               N1  Nouveau  (in A)",
        "removed             A4  Four  (was in A)",
        "renamed             A1 → A9  (guessed: same label and definition)",
        "changed             A2  relabelled (en): \"Two\" → \"Deux\"",
        "changed             A2  relabelled (zh): \"标签Two\" → \"标签Deux\"",
        "changed             A3  definition changed (en): \"Def three\" → \"Def trois\"",
        "changed             B1  moved from category B to C",
        "changed             B2  retired",
        "(renames are guessed",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains("version"), "same version: {text}");

    let out = normcode(d)
        .args([
            "codebook", "diff", "old.yaml", "new.yaml", "--format", "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["categories_added"][0]["id"], "C");
    assert_eq!(json["categories_removed"].as_array().unwrap().len(), 0);
    assert_eq!(json["indicators_added"][0]["id"], "N1");
    assert_eq!(json["indicators_removed"][0]["id"], "A4");
    assert_eq!(json["indicators_renamed"][0]["old"], "A1");
    assert_eq!(json["indicators_renamed"][0]["new"], "A9");
    let changed: Vec<&str> = json["indicators_changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["A2", "A3", "B2", "B1"]);
    assert_eq!(
        json["indicators_changed"][2]["changes"][0]["kind"],
        "retired"
    );

    // Same file: nothing to report.
    normcode(d)
        .args(["codebook", "diff", "old.yaml", "old.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no differences"));
}

#[test]
fn markdown_export_in_english_and_chinese() {
    let dir = samples_copy();
    let d = dir.path();
    let en = normcode(d)
        .args(["codebook", "export", "--format", "md"])
        .output()
        .unwrap();
    assert!(en.status.success());
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.starts_with("# Cybersecurity norms (UN GGE/OEWG and industry)\n\nVersion 1.0 · Languages: en, zh · 64 indicators in 12 categories\n"));
    for part in [
        "\n## Overview\n\n| Category | Label | Indicators |\n|---|---|---|\n| INTL | International law and principles | IL01, IL02,",
        "\n## Document variables\n",
        "| UN GGE | UN Group of Governmental Experts | Intergovernmental process |",
        "\n### `year` Year\n\n**Type:** integer (1990–2100)\n",
        "\n## Indicator attributes\n",
        "\n## `INTL` International law and principles\n",
        "\n### `IL01` International law and the UN Charter apply\n\n**Definition:** The text states that existing international law",
        "\n**Code when:**\n\n- General affirmations",
        "\n**Do not code when:**\n\n- International humanitarian law specifically: code IL02",
        "\n**Examples:**\n\n- States reaffirm",
        "\n**Attributes:** Need for orientation: relevance\n",
    ] {
        assert!(en.contains(part), "missing {part:?}");
    }
    assert!(!en.contains("国际法"), "English only");
    assert_eq!(
        en.matches("\n### `").count(),
        64 + 2,
        "64 indicators and 2 variables"
    );

    let zh = normcode(d)
        .args(["codebook", "export", "--format", "md", "--lang", "zh"])
        .output()
        .unwrap();
    let zh = String::from_utf8(zh.stdout).unwrap();
    for part in [
        "版本 1.0 · 语言：en, zh · 12 个类别，64 个指标",
        "\n## 概览\n",
        "\n## `INTL` 国际法与原则\n",
        "\n### `IL01` 国际法和《联合国宪章》适用\n\n**定义：** 文本申明现有国际法",
        "\n**编码情形：**\n\n- ",
        "\n**不予编码的情形：**\n",
        "| UN GGE | 联合国政府专家组 | 政府间进程 |",
    ] {
        assert!(zh.contains(part), "missing {part:?}");
    }

    // A retired indicator is kept and marked; the history is listed.
    normcode(d)
        .args(["codebook", "retire", "VU04", "--coder", "carol"])
        .assert()
        .success();
    normcode(d)
        .args(["codebook", "export", "--lang", "en", "-o", "appendix.md"])
        .assert()
        .success();
    let md = read(d, "appendix.md");
    assert!(md.contains("### `VU04` Share remedies and patch all users (retired)\n\n*Retired:"));
    assert!(md.contains("\n## Version history\n"));
    assert!(md.contains(&format!(
        "| 1.1 | {} | carol | Retired indicator VU04",
        today()
    )));
    normcode(d)
        .args(["codebook", "export", "--lang", "fr"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no language 'fr'"));
}

#[test]
fn html_export_is_one_self_contained_file_with_escaped_text() {
    let dir = samples_copy();
    let d = dir.path();
    normcode(d)
        .args(["codebook", "add", "--id", "NM06", "--category", "NORM"])
        .args(["--label-en", "<script>alert('x')</script> & more"])
        .args(["--label-zh", "脚本"])
        .args(["--definition-en", "A \"quoted\" <b>definition</b>."])
        .args(["--definition-zh", "定义。"])
        .args(["--coder", "carol"])
        .assert()
        .success();
    let out = normcode(d)
        .args(["codebook", "export", "--format", "html"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")
    );
    assert!(html.ends_with("</body>\n</html>\n"));
    assert!(
        !html.contains("<script"),
        "no script element, escaped or not"
    );
    assert!(html.contains(
        "<h3 id=\"NM06\"><code>NM06</code> &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</h3>"
    ));
    assert!(html.contains("A &quot;quoted&quot; &lt;b&gt;definition&lt;/b&gt;."));
    assert_eq!(html.matches("<style>").count(), 1);
    assert!(
        !html.contains(" src=") && !html.contains(" href="),
        "no external resources"
    );
    for tag in [
        "h2", "h3", "p", "ul", "li", "table", "tr", "td", "th", "code",
    ] {
        assert_eq!(
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "<{tag}> balanced"
        );
    }
    let zh = normcode(d)
        .args(["codebook", "export", "--format", "html", "--lang", "zh"])
        .output()
        .unwrap();
    let zh = String::from_utf8(zh.stdout).unwrap();
    assert!(zh.contains("<html lang=\"zh\">"));
    assert!(zh.contains("<code>IL01</code> 国际法和《联合国宪章》适用"));
}

#[test]
fn list_and_show_tell_ids_labels_and_use() {
    let dir = samples_copy();
    let d = dir.path();
    let alice = code_counts(d, "alice");
    let bob = code_counts(d, "bob");
    let out = normcode(d).args(["codebook", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(
        "Cybersecurity norms (UN GGE/OEWG and industry) (version 1.0): 64 indicators in 12 categories\n"
    ));
    assert!(text.contains("\nINTL  International law and principles\n"));
    let il01 = text
        .lines()
        .find(|l| l.trim_start().starts_with("IL01"))
        .unwrap();
    assert!(il01.contains("International law and the UN Charter apply"));
    let numbers: Vec<usize> = il01
        .split_whitespace()
        .rev()
        .take(2)
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(numbers, [bob["IL01"], alice["IL01"]]);

    let zh = normcode(d)
        .args(["codebook", "list", "--lang", "zh"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(zh.stdout)
            .unwrap()
            .contains("IL01  国际法和《联合国宪章》适用")
    );

    let json = normcode(d)
        .args(["codebook", "list", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["categories"][0]["indicators"][0]["counts"]["bob"],
        bob["IL01"]
    );

    normcode(d)
        .args(["codebook", "show", "IL02"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "IL02  International humanitarian law applies\n",
        ))
        .stdout(predicate::str::contains("            zh: 国际人道法适用\n"))
        .stdout(predicate::str::contains("definition  en: The text affirms"))
        .stdout(predicate::str::contains("defined at  codebook.yaml:78:13"))
        .stdout(predicate::str::contains(format!(
            "used by     alice: {} annotations in",
            alice["IL02"]
        )));
    normcode(d)
        .args(["codebook", "show", "il02"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean IL02?"));
}

/// No escape, bell, carriage return, C1 control or bidirectional override reaches the terminal.
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
        .collect();
    assert!(bad.is_empty(), "{what} prints {bad:?} raw:\n{text}");
}

#[test]
fn control_characters_in_the_codebook_never_reach_the_terminal_raw() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    std::fs::write(d.join("old.yaml"), &original).unwrap();
    let evil = original.replacen(
        "\"International law and the UN Charter apply\"",
        r#""Intl \e]0;pwned\a\e[2J\r\x9b1m\u202e law""#,
        1,
    );
    assert_ne!(evil, original);
    std::fs::write(d.join("codebook.yaml"), &evil).unwrap();
    for args in [
        &["codebook", "list"][..],
        &["codebook", "list", "--format", "json"],
        &["codebook", "show", "IL01"],
        &["codebook", "diff", "old.yaml", "codebook.yaml"],
        &["codebook", "export"],
        &["codebook", "export", "--format", "html"],
        &["codebook", "rename", "IL01", "IL00"],
    ] {
        let out = normcode(d).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_terminal_safe(&format!("{args:?}"), &stdout);
        assert_terminal_safe(
            &format!("{args:?}"),
            &String::from_utf8(out.stderr).unwrap(),
        );
        if args[1] != "rename" {
            assert!(
                stdout.contains("pwned"),
                "{args:?}: the text is shown:\n{stdout}"
            );
        }
    }
}

#[test]
fn edit_changes_texts_in_place_and_coder_files_only_record_the_version() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    let before = (code_counts(d, "alice"), code_counts(d, "bob"));
    normcode(d)
        .args([
            "codebook",
            "edit",
            "CI05",
            "--label-en",
            "Public core of the Internet",
            "--definition-zh",
            "不得破坏互联网公共核心的可用性或完整性。",
            "--example-en",
            "Routing and naming systems must stay out of bounds.",
            "--example-en",
            "No attacks on the DNS root.",
            "--coder",
            "carol",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Edited indicator CI05 (label (en), definition (zh), examples).",
        ));
    let text = read(d, "codebook.yaml");
    assert_eq!(comment_lines(&text), comment_lines(&original));
    let codebook = load_codebook(d);
    let ci05 = codebook.indicator(&"CI05".into()).unwrap();
    assert_eq!(ci05.label.0["en"], "Public core of the Internet");
    assert_eq!(
        ci05.definition.0["zh"],
        "不得破坏互联网公共核心的可用性或完整性。"
    );
    let examples: Vec<&str> = ci05.examples.iter().map(|e| e.0["en"].as_str()).collect();
    assert_eq!(
        examples,
        [
            "Routing and naming systems must stay out of bounds.",
            "No attacks on the DNS root."
        ]
    );
    assert_eq!(codebook.categories[ci05.category].id, "CRIT");
    // Only CI05's entry and the version/history changed.
    let untouched = |t: &str| {
        let start = t.find("      - id: CI05").unwrap();
        let end = start + t[start..].find("      - id: CE01").unwrap();
        format!(
            "{}{}",
            &t[..start],
            &t[end..t.find("\nhistory:").unwrap_or(t.len())]
        )
        .replacen("version: \"1.1\"", "version: \"1.0\"", 1)
    };
    assert_eq!(untouched(&text), untouched(&original));
    assert_eq!((code_counts(d, "alice"), code_counts(d, "bob")), before);
    assert_eq!(codebook_version_of(d, "bob").as_deref(), Some("1.1"));
    check_is_clean(d);

    // The same again changes nothing and says so; an unknown indicator or language is refused.
    let unchanged = snapshot(d);
    normcode(d)
        .args([
            "codebook",
            "edit",
            "CI05",
            "--label-en",
            "Public core of the Internet",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nothing to change"));
    normcode(d)
        .args(["codebook", "edit", "CI55", "--label-en", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no indicator 'CI55'"));
    normcode(d)
        .args(["codebook", "edit", "CI05", "--label", "fr=Noyau"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no language 'fr'"));
    assert_eq!(snapshot(d), unchanged);

    // --no-examples empties the list.
    normcode(d)
        .args(["codebook", "edit", "CI05", "--no-examples"])
        .assert()
        .success();
    assert!(
        load_codebook(d)
            .indicator(&"CI05".into())
            .unwrap()
            .examples
            .is_empty()
    );
}

#[test]
fn move_puts_the_entry_at_the_end_of_the_other_category_as_written() {
    let dir = samples_copy();
    let d = dir.path();
    let original = read(d, "codebook.yaml");
    normcode(d)
        .args(["codebook", "move", "CI05", "INTL", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Moved indicator CI05 from category CRIT to INTL.",
        ));
    assert_eq!(
        read(d, "codebook.yaml"),
        original,
        "a dry run writes nothing"
    );
    normcode(d)
        .args(["codebook", "move", "CI05", "INTL"])
        .assert()
        .success();
    let text = read(d, "codebook.yaml");
    let block = |t: &str| {
        let start = t.find("      - id: CI05").unwrap();
        let len = t[start..].find("\n\n").unwrap();
        t[start..start + len].to_string()
    };
    assert_eq!(block(&text), block(&original), "moved byte for byte");
    let codebook = load_codebook(d);
    let intl = codebook.categories.iter().find(|c| c.id == "INTL").unwrap();
    let last = intl.indicators.last().unwrap();
    assert_eq!(codebook.indicators[*last].id.as_str(), "CI05");
    let crit = codebook.categories.iter().find(|c| c.id == "CRIT").unwrap();
    assert!(
        !crit
            .indicators
            .iter()
            .any(|&i| codebook.indicators[i].id.as_str() == "CI05")
    );
    check_is_clean(d);
    normcode(d)
        .args(["codebook", "move", "CI05", "NOPE"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no category 'NOPE'"));
}

/// Rows of `normcode agree --format json`, by indicator: (coded by alice, coded by bob).
fn agreement_rows(dir: &Path) -> BTreeMap<String, serde_json::Value> {
    let out = normcode(dir)
        .args(["agree", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["indicator"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[test]
fn split_by_a_filled_in_list_then_agree_compares_the_new_indicators() {
    let dir = samples_copy();
    let d = dir.path();
    let il01 = annotations_using(d, "alice", &["IL01"]) + annotations_using(d, "bob", &["IL01"]);
    let before = agreement_rows(d);
    assert!(before.contains_key("IL01"));

    let out = normcode(d)
        .args([
            "codebook", "split", "IL01", "--into", "IL01a", "IL01b", "--list",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list = String::from_utf8(out.stdout).unwrap();
    let mut lines = list.lines();
    assert_eq!(
        lines.next(),
        Some("coder,document,unit,start,end,quote,into")
    );
    // The 2013 report's segments to IL01b, the others to IL01a: the same rule for both coders.
    let mut filled = String::from("coder,document,unit,start,end,quote,into\n");
    let mut rows = 0;
    for line in lines {
        rows += 1;
        let target = if line.split(',').nth(1) == Some("un/gge-2013") {
            "IL01b"
        } else {
            "IL01a"
        };
        filled.push_str(&format!("{line}{target}\n"));
    }
    assert_eq!(rows, il01, "one row per segment of either coder");
    std::fs::write(d.join("split.csv"), filled).unwrap();

    normcode(d)
        .args([
            "codebook",
            "split",
            "IL01",
            "--into",
            "IL01a",
            "IL01b",
            "--assign",
            "split.csv",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Split indicator IL01 into IL01a, IL01b ({il01} segments:"
        )));
    let codebook = load_codebook(d);
    assert!(
        codebook.indicator(&"IL01".into()).is_none(),
        "every segment went"
    );
    let a = codebook.indicator(&"IL01a".into()).unwrap();
    assert!(a.label.0["en"].ends_with("(IL01a)"));
    for coder in ["alice", "bob"] {
        assert_eq!(annotations_using(d, coder, &["IL01"]), 0);
    }
    assert_eq!(
        annotations_using(d, "alice", &["IL01a", "IL01b"])
            + annotations_using(d, "bob", &["IL01a", "IL01b"]),
        il01
    );
    check_is_clean(d);

    let after = agreement_rows(d);
    assert!(!after.contains_key("IL01"));
    let coded = |row: &serde_json::Value| row["coded"].clone();
    assert!(after.contains_key("IL01a") && after.contains_key("IL01b"));
    // Both coders agreed on IL01; split by the same rule, they agree on both parts.
    assert_eq!(
        before["IL01"]["percent_agreement"],
        after["IL01a"]["percent_agreement"]
    );
    assert_ne!(coded(&after["IL01a"]), serde_json::Value::Null);

    // Then a merge brings them back together, and agree compares the merged indicator.
    normcode(d)
        .args(["codebook", "merge", "IL01a", "IL01b", "--into", "IL01"])
        .assert()
        .success();
    let merged = agreement_rows(d);
    assert_eq!(merged["IL01"]["coded"], before["IL01"]["coded"]);
    assert_eq!(merged["IL01"]["kappa"], before["IL01"]["kappa"]);
}

#[test]
fn split_refuses_a_list_naming_no_segment_and_writes_nothing() {
    let dir = samples_copy();
    let d = dir.path();
    let unchanged = snapshot(d);
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "coder,document,unit,start,end,quote,into\nalice,un/gge-2015,99,,,,IL01a\n",
    )
    .unwrap();
    let unchanged_with_csv = snapshot(d);
    normcode(d)
        .args([
            "codebook", "split", "IL01", "--into", "IL01a", "--assign", "bad.csv",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("names no annotation of IL01"));
    assert_eq!(snapshot(d), unchanged_with_csv);
    normcode(d)
        .args(["codebook", "split", "IL01", "--into", "IL01a"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--list"));
    assert_eq!(unchanged.len() + 1, snapshot(d).len());
}
