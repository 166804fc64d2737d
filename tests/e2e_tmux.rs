//! The workspace in a real terminal (tmux), as a new user would drive it: keys in, screen and
//! files out.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Session, tmux_available};
use normcode::project::Project;
use normcode::synth;

#[test]
fn code_quit_and_resume_in_a_real_terminal() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("resume");
    s.start("main", "dana");
    s.wait_for("main", "dana");
    // Open the 2015 GGE report with the picker, go to the third unit, code it by quick-assign.
    s.keys("main", &["o", "gge-2015 ", "Enter"]);
    s.wait_for("main", "un/gge-2015");
    s.keys("main", &["j", "j", "a", "VU01", "Enter"]);
    s.wait_for("main", "added VU01 to unit p3");
    s.wait_for("main", "saved");
    let file = s.wait_for_file("dana", "VU01");
    assert!(file.contains("un/gge-2015:"), "{file}");
    assert!(file.contains("unit: p3"), "{file}");
    // A second session on the same coder is refused; another coder is welcome.
    s.start("second", "dana");
    let deadline = Instant::now() + Duration::from_secs(10);
    // The refusal ends "... already open in another normcode session (lock ...); close it
    // there, or pass --coder with another name"; tmux keeps only the last row of an ended pane.
    while !s
        .screen("second")
        .contains("pass --coder with another name")
    {
        assert!(Instant::now() < deadline, "{}", s.screen("second"));
        std::thread::sleep(Duration::from_millis(100));
    }
    s.start("third", "erin");
    s.wait_for("third", "erin");
    s.keys("third", &["q"]);
    // Mark the document done, quit: the file says so.
    s.keys("main", &["D", "q"]);
    let file = s.wait_for_file("dana", "status: done");
    assert!(file.contains("VU01"));
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
    // Reopened, the workspace is where the coder left off.
    s.start("again", "dana");
    let screen = s.wait_for("again", "un/gge-2015");
    assert!(screen.contains("unit 3/"), "{screen}");
    assert!(screen.contains("VU01"), "{screen}");
    s.keys("again", &["q"]);
}

#[test]
fn kill_dash_nine_loses_at_most_the_last_second() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("kill");
    s.start("main", "finn");
    s.wait_for("main", "finn");
    s.keys(
        "main",
        &[
            "a",
            "IL01",
            "Enter",
            "j",
            "a",
            "TH01",
            "Enter",
            "m",
            "memo before the crash",
            "C-s",
        ],
    );
    s.wait_for("main", "memo on unit");
    // Longer than the autosave delay, then the hardest possible stop.
    std::thread::sleep(Duration::from_millis(1200));
    let killed = Command::new("kill")
        .args(["-9", &s.pid("main")])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    let file = s.coder_file("finn");
    for expected in ["IL01", "TH01", "memo before the crash"] {
        assert!(file.contains(expected), "{expected} lost:\n{file}");
    }
    assert!(s.leftovers().is_empty(), "{:?}", s.leftovers());
    // The lock died with the process: the coder can open the file again at once.
    s.start("after", "finn");
    s.wait_for("after", "finn");
    s.keys("after", &["q"]);
}

#[test]
fn search_pane_finds_chinese_and_english_and_jumps() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("search");
    s.start("main", "gina");
    s.wait_for("main", "gina");
    s.keys("main", &["/", "关键基础设施"]);
    let screen = s.wait_for("main", "hits ·");
    assert!(screen.contains("zh/gge-2015-zh"), "{screen}");
    s.keys(
        "main",
        &["C-u", "\"reporting of vulnerabilities\" year:2015"],
    );
    s.wait_for("main", "1 hit ·");
    s.wait_for("main", "un/gge-2015");
    s.keys("main", &["Enter", "Enter"]);
    let screen = s.wait_for("main", "· un/gge-2015 ·");
    assert!(screen.contains("▌"), "{screen}");
    s.keys("main", &["q"]);
    // The index lives in the cache folder, not in the project.
    assert!(s.home.path().join("cache/normcode").is_dir());
    assert!(!s.project.path().join("tantivy").exists());
}

/// A query 300 NOTs deep used to overflow the search thread's stack and abort the workspace,
/// leaving the terminal in raw mode; now the search pane says what is wrong and the workspace
/// goes on.
#[test]
fn a_deeply_nested_query_shows_an_error_and_the_workspace_goes_on() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("deep");
    s.start("main", "gina");
    s.wait_for("main", "gina");
    s.keys("main", &["/"]);
    s.send("main", &("NOT ".repeat(300) + "a"), true);
    let screen = s.wait_for("main", "nests");
    assert!(screen.contains("simplify it"), "{screen}");
    assert!(!s.is_dead("main"), "{screen}");
    s.keys("main", &["C-u", "vulnerab"]);
    let screen = s.wait_for("main", "hits ·");
    assert!(!s.is_dead("main"), "{screen}");
    // And it quits as usual, the terminal restored.
    s.keys("main", &["Escape", "Escape", "q"]);
    s.wait_dead("main");
}

#[test]
fn edit_and_split_an_indicator_from_the_workspace() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("split");
    s.start("main", "alice");
    s.wait_for("main", "alice");
    // Split IL01: every coder's segments one by one; the first two to IL01a, the rest to IL01b.
    s.keys("main", &["f", "IL01", "Enter", "S", "IL01a IL01b", "Enter"]);
    let screen = s.wait_for("main", "Split IL01: segment 1/13");
    assert!(screen.contains("1 IL01a"), "{screen}");
    s.keys("main", &["1", "1"]);
    s.wait_for("main", "segment 3/13");
    for _ in 2..13 {
        s.keys("main", &["2"]);
    }
    s.wait_for("main", "all 13 segments seen");
    s.keys("main", &["Enter"]);
    s.wait_for("main", "Split indicator IL01 into IL01a");
    s.wait_for_file("bob", "IL01b");
    let bob = std::fs::read_to_string(s.project.path().join("annotations/bob.yaml")).unwrap();
    assert!(
        bob.contains("IL01b") && !bob.contains("IL01,") && !bob.contains("IL01]"),
        "{bob}"
    );
    // Edit the new indicator's English label; the codebook pane shows it at once.
    s.keys(
        "main",
        &[
            "Escape",
            "f",
            "IL01b",
            "Enter",
            "E",
            "C-u",
            "Law applies to ICT use",
            "Enter",
        ],
    );
    for _ in 1..11 {
        s.keys("main", &["Enter"]);
    }
    s.wait_for("main", "Edited indicator IL01b");
    let screen = s.wait_for("main", "Law applies to ICT use");
    assert!(screen.contains("IL01b"), "{screen}");
    let codebook = std::fs::read_to_string(s.project.path().join("codebook.yaml")).unwrap();
    assert!(
        codebook.contains("label: {en: \"Law applies to ICT use\""),
        "{codebook}"
    );
    s.keys("main", &["q"]);
}

/// A project of thousands of documents opens on its first document at once; keys pressed from
/// the first frame on count, whether the rest of the project has loaded by then or not.
#[test]
fn a_large_project_opens_at_once_and_keeps_the_keys_pressed_while_it_loads() {
    if !tmux_available() {
        return;
    }
    let project = tempfile::tempdir().unwrap();
    let spec = synth::CorpusSpec::sized(synth::Language::Mixed, 30, 7);
    synth::write_project(project.path(), &spec).unwrap();
    let loaded = Project::open(project.path()).unwrap();
    let mut alice = synth::coder_file(&loaded, "alice", 30_000, 7);
    loaded.save_coder(&mut alice).unwrap();
    let first = loaded.corpus.documents[0].id.to_string();
    drop(loaded);

    let s = Session::on("large", project);
    s.start("main", "alice");
    s.wait_for("main", &first);
    // At once: three units down, and the document marked done.
    s.keys("main", &["j", "j", "j", "D"]);
    s.wait_for("main", "doc 1/3000");
    let screen = s.wait_until("main", "unit 4 and done", |screen| {
        screen.contains("unit 4/") && screen.contains(&format!("{first} · done"))
    });
    assert!(!screen.contains("loading documents"), "{screen}");
    s.keys("main", &["q"]);
    s.wait_dead("main");
    let file = s.coder_file("alice");
    let entry = file.split(&format!("  {first}:\n")).nth(1).unwrap();
    assert!(entry.starts_with("    status: done\n"), "{entry}");
}

#[test]
fn a_git_pull_while_coding_is_merged_not_overwritten() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("pull");
    s.start("main", "alice");
    s.wait_for("main", "alice");
    // Another machine's work arrives (as `git pull` writes it): a memo on a document.
    let path = s.project.path().join("annotations/alice.yaml");
    let mut file = normcode::annotations::load_coder_file(&path).unwrap();
    let id = normcode::corpus::DocumentId::new("un/gge-2015");
    std::sync::Arc::make_mut(file.documents.get_mut(&id).unwrap()).memo =
        Some("Pulled from the office machine.".into());
    normcode::annotations::save_coder_file(&path, &file).unwrap();
    // The coder codes on, unaware.
    s.keys("main", &["o", "gge-2015 ", "Enter"]);
    s.wait_for("main", "un/gge-2015");
    // alice marked the document done: coding it asks once (y).
    s.keys("main", &["j", "j", "a", "VU01", "Enter", "y"]);
    s.wait_for("main", "changed on disk");
    // Saved with both: the pulled memo and the new code on unit p3.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let on_disk = normcode::annotations::load_coder_file(&path).unwrap();
        let p3 = normcode::corpus::UnitId::new("p3");
        let coded = on_disk
            .codes_on_unit(&id, &p3)
            .iter()
            .any(|c| c.as_str() == "VU01");
        let memo = on_disk.documents[&id].memo.as_deref();
        if coded && memo == Some("Pulled from the office machine.") {
            break;
        }
        assert!(Instant::now() < deadline, "{on_disk:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.keys("main", &["q"]);
}

#[test]
fn search_then_esc_then_a_codes_exactly_one_unit() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("escape");
    s.start("main", "hana");
    s.wait_for("main", "hana");
    s.keys("main", &["/", "vulnerab"]);
    s.wait_for("main", "hits ·");
    s.keys("main", &["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    s.keys("main", &["a", "TH02", "Enter"]);
    s.wait_for("main", "added TH02 to unit");
    s.wait_for("main", "saved");
    let file = s.wait_for_file("hana", "TH02");
    let on_disk =
        normcode::annotations::parse_coder_file(std::path::Path::new("hana.yaml"), &file).unwrap();
    assert_eq!(on_disk.annotation_count(), 1, "{file}");
    s.keys("main", &["q"]);
}

#[test]
fn a_coder_file_broken_by_a_merge_is_kept_and_quitting_says_where_the_work_is() {
    if !tmux_available() {
        return;
    }
    let s = Session::new("broken");
    s.start("main", "alice");
    s.wait_for("main", "alice");
    let path = s.project.path().join("annotations/alice.yaml");
    let good = std::fs::read_to_string(&path).unwrap();
    let broken = format!("<<<<<<< HEAD\n{good}");
    std::fs::write(&path, &broken).unwrap();
    s.keys("main", &["a", "TH02", "Enter", "y"]);
    s.wait_for("main", "NOT SAVED (kept beside)");
    let beside = s.project.path().join("annotations/alice.yaml.workspace");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&beside).is_ok_and(|t| t.contains("TH02")) {
        assert!(Instant::now() < deadline, "{}", s.screen("main"));
        std::thread::sleep(Duration::from_millis(100));
    }
    // The first q says where the work is; the second leaves; the broken file is untouched.
    s.keys("main", &["q"]);
    s.wait_for("main", "press q again to quit");
    assert!(!s.is_dead("main"));
    s.keys("main", &["q"]);
    s.wait_dead("main");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}
