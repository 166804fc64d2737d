//! End to end, as a new user would: the real binary in a real terminal (tmux), keys sent with
//! `send-keys`, the screen read with `capture-pane`, the coder file checked on disk after quit
//! and after `kill -9`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    /// A private tmux server, so tests never touch the user's own sessions.
    socket: String,
    name: String,
    project: tempfile::TempDir,
    home: tempfile::TempDir,
}

fn tmux_available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        eprintln!("skipping: tmux is not installed");
    }
    found
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

impl Session {
    /// A temporary copy of the samples project, and private config and data folders.
    fn new(name: &str) -> Self {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let project = tempfile::tempdir().unwrap();
        for file in ["codebook.yaml", "normcode.yaml"] {
            std::fs::copy(repo.join(file), project.path().join(file)).unwrap();
        }
        copy_dir(&repo.join("samples"), &project.path().join("samples"));
        copy_dir(
            &repo.join("annotations"),
            &project.path().join("annotations"),
        );
        Self {
            socket: format!("normcode-e2e-{name}-{}", std::process::id()),
            name: "e2e".to_string(),
            project,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    fn start(&self, window: &str, coder: &str) {
        let binary = env!("CARGO_BIN_EXE_normcode");
        let home = self.home.path().display();
        let pid_file = self.home.path().join(format!("{window}.pid"));
        let script = format!(
            "cd '{}' && echo $$ > '{}' && XDG_CONFIG_HOME='{home}/config' XDG_DATA_HOME='{home}/data' XDG_CACHE_HOME='{home}/cache' exec '{binary}' --coder {coder}",
            self.project.path().display(),
            pid_file.display()
        );
        let created = if window == "main" {
            let created = self
                .tmux()
                .args([
                    "new-session",
                    "-d",
                    "-s",
                    &self.name,
                    "-n",
                    window,
                    "-x",
                    "120",
                    "-y",
                    "32",
                ])
                .args(["sh", "-c", &script])
                .status();
            // Keep a window whose program ended, so its last words can be read.
            self.tmux()
                .args(["set-option", "-g", "remain-on-exit", "on"])
                .status()
                .unwrap();
            created
        } else {
            self.tmux()
                .args(["new-window", "-d", "-t", &self.name, "-n", window])
                .args(["sh", "-c", &script])
                .status()
        };
        assert!(created.unwrap().success());
    }

    fn pid(&self, window: &str) -> String {
        std::fs::read_to_string(self.home.path().join(format!("{window}.pid")))
            .unwrap()
            .trim()
            .to_string()
    }

    fn keys(&self, window: &str, keys: &[&str]) {
        for key in keys {
            let status = self
                .tmux()
                .args(["send-keys", "-t", &format!("{}:{window}", self.name), key])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self, window: &str) -> String {
        let out = self
            .tmux()
            .args([
                "capture-pane",
                "-p",
                "-t",
                &format!("{}:{window}", self.name),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; fails with the screen if it never does.
    fn wait_for(&self, window: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn coder_file(&self, coder: &str) -> String {
        std::fs::read_to_string(
            self.project
                .path()
                .join(format!("annotations/{coder}.yaml")),
        )
        .unwrap_or_default()
    }

    fn wait_for_file(&self, coder: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let file = self.coder_file(coder);
            if file.contains(text) {
                return file;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "annotations/{coder}.yaml never held {text:?}:\n{file}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.project.path().join("annotations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

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
