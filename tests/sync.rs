//! A team on git, with real git: a bare repository in a temporary folder is the remote, each
//! clone is a machine. The machine's own git configuration is kept out (`GIT_CONFIG_GLOBAL`,
//! `GIT_CONFIG_NOSYSTEM`); each clone gets its own user.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use normcode::annotations::{
    Annotation, BOTH_MEMOS_MARKER, CoderFile, DocumentCoding, Status, load_coder_file,
    save_coder_file,
};
use normcode::corpus::{DocumentId, IndicatorId, UnitId};
use normcode::project::Project;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A team: a temporary folder with the remote, the clones, and an empty git configuration.
struct Team {
    dir: tempfile::TempDir,
}

impl Team {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("gitconfig"),
            "[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn env(&self, cmd: &mut std::process::Command) {
        cmd.env("GIT_CONFIG_GLOBAL", self.path("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CEILING_DIRECTORIES", self.dir.path())
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env_remove("NORMCODE_PROJECT")
            .env_remove("NORMCODE_CODER")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args).current_dir(dir);
        self.env(&mut cmd);
        cmd.output().unwrap()
    }

    /// `normcode ARGS --coder CODER` in `dir`.
    fn normcode(&self, dir: &Path, coder: &str, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_normcode"));
        cmd.args(args).arg("--coder").arg(coder).current_dir(dir);
        self.env(&mut cmd);
        cmd.output().unwrap()
    }

    /// `normcode sync` as `coder`, which must succeed; its standard output.
    fn sync(&self, dir: &Path, coder: &str) -> String {
        let out = self.normcode(dir, coder, &["sync"]);
        assert!(
            out.status.success(),
            "sync as {coder} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The samples project pushed to a new bare remote by the lead (`lead`).
    fn with_project() -> Self {
        let team = Self::new();
        team.git(team.dir.path(), &["init", "-q", "--bare", "remote.git"]);
        let lead = team.path("lead");
        std::fs::create_dir(&lead).unwrap();
        let status = std::process::Command::new("cp")
            .arg("-r")
            .args(["codebook.yaml", "normcode.yaml", "samples", "annotations"])
            .arg(&lead)
            .current_dir(repo())
            .status()
            .unwrap();
        assert!(status.success());
        team.git(&lead, &["init", "-q"]);
        team.identity(&lead, "lead");
        team.git(&lead, &["add", "-A"]);
        team.git(&lead, &["commit", "-q", "-m", "the study"]);
        team.git(&lead, &["remote", "add", "origin", "../remote.git"]);
        team.sync(&lead, "lead");
        team
    }

    fn identity(&self, dir: &Path, who: &str) {
        self.git(dir, &["config", "user.name", who]);
        self.git(
            dir,
            &["config", "user.email", &format!("{who}@example.org")],
        );
    }

    /// A new clone of the remote, a machine of `who`.
    fn clone(&self, name: &str, who: &str) -> PathBuf {
        self.git(self.dir.path(), &["clone", "-q", "remote.git", name]);
        let dir = self.path(name);
        self.identity(&dir, who);
        dir
    }
}

fn coder_file(dir: &Path, coder: &str) -> CoderFile {
    load_coder_file(&dir.join(format!("annotations/{coder}.yaml"))).unwrap()
}

fn coder_text(dir: &Path, coder: &str) -> String {
    std::fs::read_to_string(dir.join(format!("annotations/{coder}.yaml"))).unwrap()
}

/// The `n`th unit of the `d`th document of the samples that alice has not marked done, among
/// the units no coder has coded yet.
fn place(dir: &Path, d: usize, n: usize) -> (DocumentId, UnitId) {
    let project = Project::open(dir).unwrap();
    let coders = project.load_coders(None).unwrap();
    let alice = coders.iter().find(|c| c.name == "alice").unwrap();
    let documents: Vec<_> = project
        .corpus
        .documents
        .iter()
        .filter(|doc| alice.file.status(&doc.id) != Status::Done)
        .collect();
    let document = documents[d];
    let free: Vec<&UnitId> = document
        .units
        .iter()
        .map(|u| &u.id)
        .filter(|u| {
            coders.iter().all(|c| {
                c.file
                    .annotations(&document.id)
                    .iter()
                    .all(|a| &a.unit != *u)
            })
        })
        .collect();
    (document.id.clone(), free[n].clone())
}

/// Codes a whole unit in `coder`'s file in clone `dir`, as the workspace would save it.
fn code(dir: &Path, coder: &str, at: &(DocumentId, UnitId), codes: &[&str], memo: Option<&str>) {
    let project = Project::open(dir).unwrap();
    edit(dir, coder, |file| {
        let coding = Arc::make_mut(file.documents.entry(at.0.clone()).or_default());
        if coding.status == Status::NotStarted {
            coding.status = Status::InProgress;
        }
        coding
            .annotations
            .retain(|a| !(a.unit == at.1 && a.span.is_none()));
        let document = project.corpus.get(&at.0).unwrap();
        let unit = &document.units[document.unit_position(&at.1).unwrap()];
        let mut annotation = Annotation::new_in(
            document,
            unit,
            None,
            codes.iter().map(|c| IndicatorId::new(*c)).collect(),
            chrono::DateTime::UNIX_EPOCH,
        );
        annotation.memo = memo.map(str::to_string);
        coding.annotations.push(annotation);
    });
}

fn edit(dir: &Path, coder: &str, change: impl FnOnce(&mut CoderFile)) {
    let path = dir.join(format!("annotations/{coder}.yaml"));
    let mut file = if path.exists() {
        load_coder_file(&path).unwrap()
    } else {
        CoderFile::new(coder, Some("1.0".into()))
    };
    change(&mut file);
    let project = Project::open(dir).unwrap();
    file.normalize(&project.corpus);
    save_coder_file(&path, &file).unwrap();
}

fn codes_on(file: &CoderFile, at: &(DocumentId, UnitId)) -> Vec<String> {
    file.codes_on_unit(&at.0, &at.1)
        .into_iter()
        .map(|c| c.to_string())
        .collect()
}

fn mark_done(dir: &Path, coder: &str, document: &DocumentId) {
    edit(dir, coder, |file| {
        let coding: &mut DocumentCoding =
            Arc::make_mut(file.documents.entry(document.clone()).or_default());
        coding.status = Status::Done;
    });
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_conflict_markers(text: &str) {
    for marker in ["<<<<<<<", ">>>>>>>", "\n=======\n"] {
        assert!(
            !text.contains(marker),
            "conflict marker {marker:?} in:\n{text}"
        );
    }
}

// ----- the merge driver -----

#[test]
fn the_merge_driver_merges_annotation_by_annotation_and_refuses_a_broken_side() {
    let team = Team::with_project();
    let lead = team.path("lead");
    let a = place(&lead, 0, 1);
    let b = place(&lead, 0, 2);
    let base = coder_text(&lead, "alice");
    code(&lead, "alice", &a, &["NM01", "TH01"], None);
    let ours = coder_text(&lead, "alice");
    std::fs::write(lead.join("annotations/alice.yaml"), &base).unwrap();
    code(&lead, "alice", &b, &["CI01"], None);
    let theirs = coder_text(&lead, "alice");
    let (o, a_path, b_path) = (team.path("O"), team.path("A"), team.path("B"));
    std::fs::write(&o, &base).unwrap();
    std::fs::write(&a_path, &ours).unwrap();
    std::fs::write(&b_path, &theirs).unwrap();
    let args = [
        "merge-driver",
        o.to_str().unwrap(),
        a_path.to_str().unwrap(),
        b_path.to_str().unwrap(),
        "annotations/alice.yaml",
    ];
    let out = team.normcode(&lead, "alice", &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let merged = std::fs::read_to_string(&a_path).unwrap();
    no_conflict_markers(&merged);
    let file = normcode::annotations::parse_coder_file(Path::new("merged"), &merged).unwrap();
    assert_eq!(codes_on(&file, &a), ["NM01", "TH01"]);
    assert_eq!(codes_on(&file, &b), ["CI01"]);
    // Everything else alice had is still there.
    let before = normcode::annotations::parse_coder_file(Path::new("base"), &base).unwrap();
    assert_eq!(file.annotation_count(), before.annotation_count() + 2);

    // Theirs is not a coder file: non-zero, the file named, ours untouched.
    std::fs::write(&a_path, &ours).unwrap();
    std::fs::write(&b_path, "schema: 1\ncoder: alice\ndocuments: [oops\n").unwrap();
    let out = team.normcode(&lead, "alice", &args);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(
        message.contains("annotations/alice.yaml (theirs)"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&a_path).unwrap(), ours);
}

#[test]
fn setup_writes_attributes_and_the_local_driver_once() {
    let team = Team::with_project();
    let lead = team.path("lead");
    let out = team.normcode(&lead, "lead", &["sync", "--setup"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already set up"));
    let attributes = std::fs::read_to_string(lead.join(".gitattributes")).unwrap();
    assert_eq!(
        attributes
            .matches("annotations/*.yaml merge=normcode")
            .count(),
        1
    );
    let driver = team.git(&lead, &["config", "--local", "merge.normcode.driver"]);
    assert!(driver.contains("merge-driver %O %A %B %P"), "{driver}");
    // The setup was committed by the first sync: a fresh clone has the attributes.
    let clone = team.clone("fresh", "bob");
    assert!(clone.join(".gitattributes").exists());
    let out = team.normcode(&clone, "bob", &["sync", "--setup"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("merge.normcode.driver"));
    assert!(team.git(&clone, &["status", "--porcelain"]).is_empty());
}

#[test]
fn init_git_makes_a_project_in_a_repository_set_up_for_the_driver() {
    let team = Team::new();
    let dir = team.path("study");
    let out = team.normcode(team.dir.path(), "lead", &["init", "--git", "study"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join(".git").is_dir());
    assert!(
        std::fs::read_to_string(dir.join(".gitattributes"))
            .unwrap()
            .contains("merge=normcode")
    );
    let driver = team.git(&dir, &["config", "--local", "merge.normcode.driver"]);
    assert!(driver.contains("merge-driver"));
}

// ----- syncing -----

#[test]
fn two_coders_sync_in_turns_and_never_commit_each_others_files() {
    let team = Team::with_project();
    let alice = team.clone("alice-laptop", "alice");
    let bob = team.clone("bob-laptop", "bob");
    let (doc, unit) = place(&alice, 1, 0);
    let bob_place = place(&bob, 1, 2);
    code(
        &alice,
        "alice",
        &(doc.clone(), unit.clone()),
        &["NM01"],
        None,
    );
    code(&alice, "alice", &place(&alice, 1, 1), &["TH02"], None);
    mark_done(&alice, "alice", &doc);
    code(&bob, "bob", &place(&bob, 1, 2), &["CI01"], None);
    // Bob's clone also has an edit of alice's file: it is alice's to commit, never bob's.
    code(&bob, "alice", &place(&bob, 1, 3), &["WP01"], None);

    let said = team.sync(&alice, "alice");
    assert!(said.contains("alice: 2 units coded"), "{said}");
    let subject = team.git(&alice, &["log", "-1", "--format=%s%n%b"]);
    assert!(
        subject.contains("2 units coded, 1 document done"),
        "{subject}"
    );
    assert!(subject.contains(&format!("Done: {doc}")), "{subject}");

    // Bob's edit of alice's file is in the way of the merge: it is not committed, and bob's
    // own work still is.
    let out = team.normcode(&bob, "bob", &["sync"]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        all.contains("not committed: annotations/alice.yaml"),
        "{all}"
    );
    let committed = team.git(&bob, &["log", "-1", "--name-only", "--format="]);
    assert_eq!(committed.trim(), "annotations/bob.yaml");
    team.git(&bob, &["checkout", "--", "annotations/alice.yaml"]);
    team.sync(&bob, "bob");
    team.sync(&alice, "alice");

    for clone in [&alice, &bob] {
        assert_eq!(
            codes_on(&coder_file(clone, "alice"), &(doc.clone(), unit.clone())),
            ["NM01"]
        );
        assert_eq!(codes_on(&coder_file(clone, "bob"), &bob_place), ["CI01"]);
        assert!(team.git(clone, &["status", "--porcelain"]).is_empty());
    }
    assert_eq!(coder_text(&alice, "bob"), coder_text(&bob, "bob"));
    assert_eq!(coder_text(&alice, "alice"), coder_text(&bob, "alice"));
    // Every commit touched only its author's coder file (and the setup's files).
    let log = team.git(&alice, &["log", "--format=%an", "--name-only"]);
    let mut author = String::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        if !line.contains('/') && !line.contains('.') {
            author = line.to_string();
        } else if let Some(coder) = line.strip_prefix("annotations/")
            && author != "lead"
        {
            assert_eq!(coder, format!("{author}.yaml"), "{log}");
        }
    }
}

#[test]
fn one_coder_on_two_clones_codes_different_and_the_same_units() {
    let team = Team::with_project();
    let office = team.clone("office", "alice");
    let laptop = team.clone("laptop", "alice");
    let base_count = coder_file(&office, "alice").annotation_count();
    let only_office = place(&office, 1, 0);
    let only_laptop = place(&office, 1, 1);
    let both = place(&office, 1, 2);
    code(&office, "alice", &only_office, &["NM01"], None);
    code(&office, "alice", &both, &["TH01"], None);
    mark_done(&office, "alice", &only_office.0);
    code(&laptop, "alice", &only_laptop, &["TH02"], None);
    code(&laptop, "alice", &both, &["TH03", "CI01"], None);
    // An annotation alice had removed on the laptop stays removed.
    let before = coder_file(&laptop, "alice");
    let (gone_doc, gone) = before
        .documents
        .iter()
        .find_map(|(d, c)| c.annotations.first().map(|a| (d.clone(), a.unit.clone())))
        .unwrap();
    edit(&laptop, "alice", |file| {
        let coding = Arc::make_mut(file.documents.get_mut(&gone_doc).unwrap());
        coding.annotations.retain(|a| a.unit != gone);
    });

    team.sync(&office, "alice");
    let said = team.sync(&laptop, "alice");
    assert!(said.contains("pulled 1 commit"), "{said}");
    team.sync(&office, "alice");

    let text = coder_text(&office, "alice");
    no_conflict_markers(&text);
    assert_eq!(text, coder_text(&laptop, "alice"));
    let file = coder_file(&office, "alice");
    assert_eq!(codes_on(&file, &only_office), ["NM01"]);
    assert_eq!(codes_on(&file, &only_laptop), ["TH02"]);
    assert_eq!(codes_on(&file, &both), ["CI01", "TH01", "TH03"]);
    assert!(codes_on(&file, &(gone_doc, gone)).is_empty());
    assert_eq!(file.status(&only_office.0), Status::Done);
    assert_eq!(
        file.annotation_count(),
        base_count + 3 - 1,
        "nothing lost, nothing doubled"
    );
    let heads: Vec<String> = [&office, &laptop]
        .iter()
        .map(|c| team.git(c, &["rev-parse", "HEAD"]))
        .collect();
    assert_eq!(heads[0], heads[1]);
}

#[test]
fn a_memo_edited_on_both_clones_keeps_both_texts_with_a_marker() {
    let team = Team::with_project();
    let office = team.clone("office", "alice");
    let laptop = team.clone("laptop", "alice");
    let at = place(&office, 1, 0);
    code(&office, "alice", &at, &["NM01"], Some("first thoughts"));
    team.sync(&office, "alice");
    team.sync(&laptop, "alice");
    code(
        &office,
        "alice",
        &at,
        &["NM01"],
        Some("office: the state is the subject"),
    );
    code(&laptop, "alice", &at, &["NM01"], Some("laptop: 国家是主体"));
    team.sync(&office, "alice");
    team.sync(&laptop, "alice");
    team.sync(&office, "alice");
    let file = coder_file(&office, "alice");
    let memo = file
        .annotations(&at.0)
        .iter()
        .find(|a| a.unit == at.1)
        .and_then(|a| a.memo.clone())
        .unwrap();
    assert_eq!(
        memo,
        format!("laptop: 国家是主体\n{BOTH_MEMOS_MARKER}\noffice: the state is the subject")
    );
    assert_eq!(coder_text(&office, "alice"), coder_text(&laptop, "alice"));
}

#[test]
fn the_leads_codebook_change_migrates_coder_files_on_every_machine() {
    let team = Team::with_project();
    let lead = team.path("lead");
    let alice = team.clone("alice-laptop", "alice");
    // Alice codes with NM01 and NM02 while the lead changes the codebook, before either syncs.
    let fresh = place(&alice, 0, 3);
    code(&alice, "alice", &fresh, &["NM01", "NM02"], None);
    let before = coder_file(&alice, "alice");
    let had_nm01 = before
        .documents
        .values()
        .flat_map(|c| c.annotations.iter())
        .filter(|a| a.codes.iter().any(|c| c.as_str() == "NM01"))
        .count();
    assert!(had_nm01 >= 2);

    for args in [
        &["codebook", "rename", "NM01", "NM1X"][..],
        &["codebook", "merge", "NM02", "NM03", "--into", "NM03"][..],
    ] {
        let out = team.normcode(&lead, "lead", args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let said = team.sync(&lead, "lead");
    assert!(said.contains("codebook 1.0 → 1.2"), "{said}");
    // The lead's sync committed the coder files the change rewrote, and the codebook.
    let files = team.git(&lead, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.contains("codebook.yaml") && files.contains("annotations/alice.yaml"));

    let said = team.sync(&alice, "alice");
    assert!(
        said.contains("annotations/alice.yaml migrated: codebook 1.0 → 1.2"),
        "{said}"
    );
    let file = coder_file(&alice, "alice");
    assert_eq!(file.codebook_version.as_deref(), Some("1.2"));
    assert_eq!(codes_on(&file, &fresh), ["NM03", "NM1X"]);
    let all: Vec<&str> = file
        .documents
        .values()
        .flat_map(|c| c.annotations.iter())
        .flat_map(|a| a.codes.iter().map(|c| c.as_str()))
        .collect();
    assert!(!all.contains(&"NM01") && !all.contains(&"NM02"), "{all:?}");
    assert_eq!(all.iter().filter(|c| **c == "NM1X").count(), had_nm01);

    team.sync(&lead, "lead");
    assert_eq!(coder_text(&lead, "alice"), coder_text(&alice, "alice"));
    let check = team.normcode(&alice, "alice", &["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// `normcode ARGS` as the lead, which must succeed; its standard output and standard error.
fn run_ok(team: &Team, dir: &Path, args: &[&str]) -> (String, String) {
    let out = team.normcode(dir, "lead", args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr(&out),
    )
}

#[test]
fn a_coder_file_of_an_older_codebook_is_read_as_this_one_and_left_as_it_is() {
    let team = Team::with_project();
    let lead = team.path("lead");
    run_ok(&team, &lead, &["codebook", "rename", "NM01", "NM1X"]);
    // bob's file comes back as it was before the rename (a branch, a machine not yet synced).
    team.git(&lead, &["checkout", "HEAD", "--", "annotations/bob.yaml"]);
    let on_disk = coder_text(&lead, "bob");
    assert!(on_disk.contains("codebook_version: \"1.0\"") && on_disk.contains("NM01"));
    let bob_nm01 = on_disk.matches("NM01").count();
    let read_as = "annotations/bob.yaml was written under codebook 1.0; read as 1.1";

    let (status, said) = run_ok(&team, &lead, &["status", "--format", "json"]);
    assert!(said.contains(read_as), "{said}");
    assert!(said.contains("rename NM01 → NM1X (1.1)"), "{said}");
    assert!(!said.contains("alice.yaml"), "{said}");
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let bob = status["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == "bob")
        .unwrap();
    assert_eq!(bob["by_indicator"]["NM1X"], bob_nm01, "{bob}");
    assert!(bob["by_indicator"].get("NM01").is_none(), "{bob}");

    let (export, said) = run_ok(&team, &lead, &["export", "--format", "jsonl"]);
    assert!(said.contains(read_as), "{said}");
    let rows: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["coder"] == "bob")
        .collect();
    assert!(rows.iter().all(|r| r["indicator"] != "NM01"));
    let exported: Vec<&serde_json::Value> =
        rows.iter().filter(|r| r["indicator"] == "NM1X").collect();
    assert_eq!(exported.len(), bob_nm01);

    let (agree, said) = run_ok(&team, &lead, &["agree", "--format", "json"]);
    assert!(said.contains(read_as), "{said}");
    let agree: serde_json::Value = serde_json::from_str(&agree).unwrap();
    let rows = agree["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["indicator"] != "NM01"), "{agree}");
    let row = rows.iter().find(|r| r["indicator"] == "NM1X").unwrap();
    // The units bob coded NM1X in the documents compared, as the export counts them.
    let compared = agree["compared_documents"].as_array().unwrap();
    let mut units: Vec<(String, String)> = exported
        .iter()
        .filter(|r| compared.contains(&r["document"]))
        .map(|r| (r["document"].to_string(), r["unit"].to_string()))
        .collect();
    units.sort();
    units.dedup();
    assert!(!units.is_empty());
    assert_eq!(row["coded"]["bob"], units.len(), "{row}");

    // check: no unknown code, the older version named; nothing read wrote bob's file.
    let out = team.normcode(&lead, "lead", &["check"]);
    let check = String::from_utf8_lossy(&out.stdout);
    assert!(!check.contains("not in the codebook"), "{check}");
    assert!(
        check.contains("annotations/bob.yaml: coded against codebook version 1.0"),
        "{check}"
    );
    assert_eq!(coder_text(&lead, "bob"), on_disk);

    // A coder file of a newer codebook: the commands that read say to pull first.
    edit(&lead, "bob", |file| {
        file.codebook_version = Some("1.7".into())
    });
    for args in [&["status"][..], &["agree"], &["export", "--format", "csv"]] {
        let out = team.normcode(&lead, "lead", args);
        assert!(!out.status.success(), "{args:?}");
        let message = stderr(&out);
        assert!(
            message.contains("annotations/bob.yaml was written under codebook 1.7")
                && message.contains("pull first"),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn a_coder_file_from_a_newer_codebook_says_pull_first() {
    let team = Team::with_project();
    let lead = team.path("lead");
    edit(&lead, "alice", |file| {
        file.codebook_version = Some("1.7".into())
    });
    team.git(&lead, &["remote", "remove", "origin"]);
    let out = team.normcode(&lead, "alice", &["sync"]);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(message.contains("written under codebook 1.7"), "{message}");
    assert!(message.contains("pull first"), "{message}");
}

#[test]
fn a_merge_left_under_way_is_completed_by_the_next_sync() {
    let team = Team::with_project();
    let office = team.clone("office", "alice");
    let laptop = team.clone("laptop", "alice");
    let a = place(&office, 1, 0);
    let b = place(&office, 1, 1);
    code(&office, "alice", &a, &["NM01"], None);
    team.sync(&office, "alice");
    code(&laptop, "alice", &b, &["TH02"], None);
    team.git(&laptop, &["commit", "-q", "-am", "laptop work"]);
    team.git(&laptop, &["fetch", "-q", "origin"]);
    // A sync killed while git merged: the merge is under way, alice's file unmerged (here by
    // a driver that failed).
    let out = team.git_output(
        &laptop,
        &["-c", "merge.normcode.driver=false", "merge", "origin/main"],
    );
    assert!(!out.status.success());
    assert!(laptop.join(".git/MERGE_HEAD").exists());

    let said = team.sync(&laptop, "alice");
    assert!(said.contains("completed the merge"), "{said}");
    assert!(!laptop.join(".git/MERGE_HEAD").exists());
    let text = coder_text(&laptop, "alice");
    no_conflict_markers(&text);
    let file = coder_file(&laptop, "alice");
    assert_eq!(codes_on(&file, &a), ["NM01"]);
    assert_eq!(codes_on(&file, &b), ["TH02"]);
    team.sync(&office, "alice");
    assert_eq!(coder_text(&office, "alice"), text);

    // A merge left with a conflict in a file that is not a coder file is the user's.
    std::fs::write(office.join("notes.txt"), "office\n").unwrap();
    team.git(&office, &["add", "notes.txt"]);
    team.git(&office, &["commit", "-q", "-m", "notes"]);
    team.git(&office, &["push", "-q", "origin", "main"]);
    std::fs::write(laptop.join("notes.txt"), "laptop\n").unwrap();
    team.git(&laptop, &["add", "notes.txt"]);
    team.git(&laptop, &["commit", "-q", "-m", "notes"]);
    team.git(&laptop, &["fetch", "-q", "origin"]);
    assert!(
        !team
            .git_output(&laptop, &["merge", "origin/main"])
            .status
            .success()
    );
    let out = team.normcode(&laptop, "alice", &["sync"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("conflicts in notes.txt"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_a_remote_or_with_it_unreachable_the_work_stays_committed() {
    let team = Team::with_project();
    let lead = team.path("lead");
    let at = place(&lead, 1, 0);

    team.git(&lead, &["remote", "remove", "origin"]);
    code(&lead, "lead", &at, &["NM01"], None);
    let out = team.normcode(&lead, "lead", &["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("has no remote"), "{}", stderr(&out));
    assert!(stderr(&out).contains("git remote add origin URL"));
    assert!(team.git(&lead, &["status", "--porcelain"]).is_empty());
    assert!(
        team.git(&lead, &["log", "-1", "--format=%s"])
            .contains("lead: 1 unit coded")
    );

    let nowhere = team.path("does-not-exist.git");
    team.git(
        &lead,
        &["remote", "add", "origin", nowhere.to_str().unwrap()],
    );
    code(&lead, "lead", &place(&lead, 1, 1), &["TH01"], None);
    let out = team.normcode(&lead, "lead", &["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.contains("cannot reach the remote 'origin'"),
        "{message}"
    );
    assert!(message.contains("your work is committed here"), "{message}");
    assert!(team.git(&lead, &["status", "--porcelain"]).is_empty());
    assert!(
        team.git(&lead, &["log", "-1", "--format=%s"])
            .contains("lead: 1 unit coded")
    );
}

#[test]
fn outside_a_repository_sync_says_so_and_changes_nothing() {
    let team = Team::new();
    let dir = team.path("study");
    let out = team.normcode(team.dir.path(), "lead", &["init", "study"]);
    assert!(out.status.success());
    let out = team.normcode(&dir, "lead", &["sync"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not in a git repository"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join(".gitattributes").exists());
}

#[test]
fn an_open_workspace_follows_a_sync_made_in_another_terminal() {
    use normcode::tui::app::App;
    use normcode::tui::keymap::Keymap;

    let team = Team::with_project();
    let lead = team.path("lead");
    let alice = team.clone("alice-laptop", "alice");
    let at = place(&alice, 0, 1);
    code(&alice, "alice", &at, &["NM01"], None);
    let project = Project::open(&alice).unwrap();
    let coder = project.load_coder("alice").unwrap();
    let mut app = App::new(Arc::new(project), coder, Keymap::default());
    app.start_autosave();

    let out = team.normcode(&lead, "lead", &["codebook", "rename", "NM01", "NM1X"]);
    assert!(out.status.success(), "{}", stderr(&out));
    team.sync(&lead, "lead");
    // The sync runs in another terminal while the workspace is open.
    team.sync(&alice, "alice");
    assert!(app.watch_files_now());
    assert_eq!(app.project.codebook.version, "1.1");
    assert_eq!(codes_on(&app.coder.file, &at), ["NM1X"]);
    let text = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(text.contains("changed on disk"), "{text}");
    assert_eq!(app.coder.file.codebook_version.as_deref(), Some("1.1"));
    // What the workspace writes next is the synced file, not its old copy.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.save.is_dirty() {
        app.poll_saver();
        assert!(std::time::Instant::now() < deadline, "not saved");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let file = coder_file(&alice, "alice");
    assert_eq!(codes_on(&file, &at), ["NM1X"]);
    assert_eq!(file.codebook_version.as_deref(), Some("1.1"));
}

// ----- the codebook changed on two machines -----

/// The `history:` versions of the codebook in `dir`.
fn history_versions(dir: &Path) -> Vec<String> {
    let codebook = normcode::codebook::Codebook::load(&dir.join("codebook.yaml")).unwrap();
    codebook
        .history()
        .iter()
        .map(|e| e.version.clone())
        .collect()
}

#[test]
fn codebook_changes_made_on_two_machines_merge_through_the_history() {
    let team = Team::with_project();
    let one = team.path("lead");
    let two = team.clone("lead-desktop", "lead");
    let before = history_versions(&one);
    // On the second machine the lead codes with IL01 in their own file, then edits HR02.
    let at = place(&two, 0, 4);
    code(&two, "lead", &at, &["IL01"], None);
    run_ok(
        &team,
        &two,
        &[
            "codebook",
            "edit",
            "HR02",
            "--definition-en",
            "A definition written on the desktop.",
        ],
    );
    // On the first, the lead renames IL01.
    run_ok(&team, &one, &["codebook", "rename", "IL01", "IL1X"]);

    team.sync(&one, "lead");
    let said = team.sync(&two, "lead");
    assert!(said.contains("codebook.yaml"), "{said}");
    team.sync(&one, "lead");

    let text = std::fs::read_to_string(one.join("codebook.yaml")).unwrap();
    no_conflict_markers(&text);
    assert_eq!(
        text,
        std::fs::read_to_string(two.join("codebook.yaml")).unwrap()
    );
    assert!(
        text.contains("id: IL1X") && !text.contains("id: IL01"),
        "{text}"
    );
    assert!(
        text.contains("A definition written on the desktop."),
        "{text}"
    );
    let versions = history_versions(&one);
    assert_eq!(versions.len(), before.len() + 2, "{versions:?}");
    let new = &versions[before.len()..];
    assert_ne!(new[0], new[1]);
    assert!(!before.contains(&new[0]) && !before.contains(&new[1]));
    let codebook = normcode::codebook::Codebook::load(&one.join("codebook.yaml")).unwrap();
    assert_eq!(&codebook.version, versions.last().unwrap());
    let changes: Vec<String> = codebook.history()[before.len()..]
        .iter()
        .flat_map(|e| e.changes.clone())
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| c.contains("Renamed indicator IL01 to IL1X")),
        "{changes:?}"
    );

    // The code the desktop gave IL01 follows the rename made on the other machine.
    let file = coder_file(&two, "lead");
    assert_eq!(codes_on(&file, &at), ["IL1X"]);
    for coder in ["lead", "alice", "bob"] {
        assert_eq!(coder_text(&one, coder), coder_text(&two, coder), "{coder}");
    }
    for dir in [&one, &two] {
        let check = team.normcode(dir, "lead", &["check"]);
        assert!(
            check.status.success(),
            "{}{}",
            String::from_utf8_lossy(&check.stdout),
            stderr(&check)
        );
        assert!(team.git(dir, &["status", "--porcelain"]).is_empty());
    }
}

#[test]
fn the_same_indicator_renamed_differently_on_two_machines_is_a_conflict() {
    let team = Team::with_project();
    let one = team.path("lead");
    let two = team.clone("lead-desktop", "lead");
    run_ok(&team, &one, &["codebook", "rename", "IL01", "IL1X"]);
    run_ok(&team, &two, &["codebook", "rename", "IL01", "IL1Y"]);
    team.sync(&one, "lead");
    let out = team.normcode(&two, "lead", &["sync"]);
    assert!(!out.status.success());
    let message = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(message.contains("codebook.yaml"), "{message}");
    // Git's conflict: both names are there, nothing is lost.
    let text = std::fs::read_to_string(two.join("codebook.yaml")).unwrap();
    assert!(text.contains("<<<<<<<"), "{message}");
    assert!(text.contains("IL1X") && text.contains("IL1Y"), "{text}");
    let unmerged = team.git(&two, &["diff", "--name-only", "--diff-filter=U"]);
    assert!(unmerged.contains("codebook.yaml"), "{unmerged}");
}

#[test]
fn setup_registers_the_codebook_driver_and_upgrades_an_older_setup() {
    let team = Team::with_project();
    let lead = team.path("lead");
    // An older setup: only the coder files' line and driver.
    std::fs::write(
        lead.join(".gitattributes"),
        "# normcode (`normcode sync --setup`)\nannotations/*.yaml merge=normcode\n",
    )
    .unwrap();
    team.git(
        &lead,
        &[
            "config",
            "--local",
            "--unset",
            "merge.normcode-codebook.driver",
        ],
    );
    let out = team.normcode(&lead, "lead", &["sync", "--setup"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let attributes = std::fs::read_to_string(lead.join(".gitattributes")).unwrap();
    assert_eq!(attributes.matches("merge=normcode\n").count(), 1);
    assert_eq!(
        attributes
            .matches("codebook.yaml merge=normcode-codebook")
            .count(),
        1
    );
    let driver = team.git(
        &lead,
        &["config", "--local", "merge.normcode-codebook.driver"],
    );
    assert!(
        driver.contains("merge-driver --codebook %O %A %B %P"),
        "{driver}"
    );
    let out = team.normcode(&lead, "lead", &["sync", "--setup"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already set up"));
}
