//! Helpers shared by the tests that drive the real binary in a real terminal (tmux): a private
//! tmux server, a temporary copy of the samples project, keys in, screen out.
//!
//! Each test binary uses only some of these.
#![allow(dead_code)]

pub mod screen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// `normcode` in `dir`, with no project or coder from the environment.
pub fn normcode(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("normcode").unwrap();
    cmd.current_dir(dir)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .timeout(Duration::from_secs(300));
    cmd
}

/// Runs `normcode ARGS` in `dir`: (exit code, stdout, stderr), both UTF-8. A crash (a signal)
/// fails.
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = normcode(dir).args(args).output().unwrap();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("normcode {args:?} died: {:?}", out.status));
    (
        code,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether tmux is installed; CI must have it (`.ci/run` installs it).
pub fn tmux_available() -> bool {
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

pub fn copy_dir(from: &Path, to: &Path) {
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

/// Every file under `dir` (lock files aside) with its bytes, sorted: taken before and after a
/// command to show that it wrote nothing.
pub fn files_on_disk(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
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

/// A temporary copy of the samples project (codebook, settings, documents, annotations).
pub fn samples_copy() -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    for file in ["codebook.yaml", "normcode.yaml"] {
        std::fs::copy(repo().join(file), project.path().join(file)).unwrap();
    }
    copy_dir(&repo().join("samples"), &project.path().join("samples"));
    copy_dir(
        &repo().join("annotations"),
        &project.path().join("annotations"),
    );
    project
}

/// One private tmux server with one session, on one project, with private config, data and
/// cache folders. Dropping it ends the server and everything running in it.
pub struct Session {
    socket: String,
    name: String,
    pub project: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

impl Session {
    /// A session on a fresh copy of the samples; `name` must be unique within the test binary.
    pub fn new(name: &str) -> Self {
        Self::on(name, samples_copy())
    }

    /// A session on `project`.
    pub fn on(name: &str, project: tempfile::TempDir) -> Self {
        Self {
            socket: format!("normcode-{name}-{}", std::process::id()),
            name: "t".to_string(),
            project,
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    fn target(&self, window: &str) -> String {
        format!("{}:{window}", self.name)
    }

    /// Starts `normcode --coder CODER` in a new window; the first window creates the session.
    pub fn start(&self, window: &str, coder: &str) {
        self.start_with(window, coder, None);
    }

    /// Like [`Session::start`], with `wrap = Some((wrapper, before))`: the shell commands
    /// `before` run first, and the whole script runs under `wrapper` (a command that runs a
    /// shell script given its path, such as `unshare -m sh`).
    pub fn start_with(&self, window: &str, coder: &str, wrap: Option<(&str, &str)>) {
        // A coder without a file in a project with others is asked about first.
        let new = if self.coder_path(coder).exists() {
            ""
        } else {
            " --new-coder"
        };
        self.start_args(window, &format!("--coder {coder}{new}"), wrap);
    }

    /// Starts `normcode ARGS` (shell words) in a new window, as [`Session::start_with`].
    pub fn start_args(&self, window: &str, args: &str, wrap: Option<(&str, &str)>) {
        let binary = env!("CARGO_BIN_EXE_normcode");
        let home = self.home.path().display();
        let pid_file = self.home.path().join(format!("{window}.pid"));
        let _ = std::fs::remove_file(&pid_file);
        // Its standard error (a panic, a refusal) goes to a file that `screen` shows too.
        let stderr = self.home.path().join(format!("{window}.stderr"));
        let script = format!(
            "cd '{}' && echo $$ > '{}' && XDG_CONFIG_HOME='{home}/config' XDG_DATA_HOME='{home}/data' XDG_CACHE_HOME='{home}/cache' exec '{binary}' {args} 2>'{}'",
            self.project.path().display(),
            pid_file.display(),
            stderr.display()
        );
        let script = match wrap {
            None => script,
            Some((wrapper, before)) => {
                let file = self.home.path().join(format!("{window}.sh"));
                std::fs::write(&file, format!("{before}\n{script}\n")).unwrap();
                format!("exec {wrapper} '{}'", file.display())
            }
        };
        let exists = self
            .tmux()
            .args(["has-session", "-t", &self.name])
            .output()
            .is_ok_and(|o| o.status.success());
        let created = if exists {
            self.tmux()
                .args([
                    "new-window",
                    "-d",
                    "-t",
                    &format!("{}:", self.name),
                    "-n",
                    window,
                ])
                .args(["sh", "-c", &script])
                .status()
        } else {
            // No user configuration; keep a window whose program ended, so its last words can
            // be read. The option is set before the program starts: one that ends at once
            // would otherwise take the server with it.
            self.tmux()
                .args(["-f", "/dev/null", "start-server", ";"])
                .args(["set-option", "-g", "remain-on-exit", "on", ";"])
                .args(["new-session", "-d", "-s", &self.name, "-n", window])
                .args(["-x", "120", "-y", "32"])
                .args(["sh", "-c", &script])
                .status()
        };
        assert!(created.unwrap().success());
    }

    /// The process id of the program in `window` (the shell `exec`s it, so the id is its own).
    pub fn pid(&self, window: &str) -> String {
        let path = self.home.path().join(format!("{window}.pid"));
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&path)
                && !text.trim().is_empty()
            {
                return text.trim().to_string();
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no pid file");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends each key (tmux key names: `Enter`, `C-s`, or text) with a short pause.
    pub fn keys(&self, window: &str, keys: &[&str]) {
        for key in keys {
            self.send(window, key, false);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Sends one tmux key name, or `text` literally (`send-keys -l`).
    pub fn send(&self, window: &str, key: &str, literal: bool) {
        let mut command = self.tmux();
        command.args(["send-keys", "-t", &self.target(window)]);
        if literal {
            command.arg("-l");
        }
        let status = command.arg(key).status().unwrap();
        assert!(status.success(), "send-keys {key:?} failed");
    }

    /// The window's screen, then what its program wrote to standard error, if anything.
    pub fn screen(&self, window: &str) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", &self.target(window)])
            .output()
            .unwrap();
        let mut screen = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            screen.push_str(&String::from_utf8_lossy(&out.stderr));
        }
        let stderr = self.home.path().join(format!("{window}.stderr"));
        if let Ok(text) = std::fs::read_to_string(stderr)
            && !text.is_empty()
        {
            screen.push_str("\n--- standard error ---\n");
            screen.push_str(&text);
        }
        screen
    }

    /// Waits until the screen shows `text`; fails with the screen if it never does.
    pub fn wait_for(&self, window: &str, text: &str) -> String {
        self.wait_until(window, &format!("the screen to show {text:?}"), |s| {
            s.contains(text)
        })
    }

    pub fn wait_until(&self, window: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited in vain for {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGKILL to the program in `window`.
    pub fn kill9(&self, window: &str) {
        let killed = Command::new("kill")
            .args(["-9", &self.pid(window)])
            .status()
            .unwrap();
        assert!(killed.success());
    }

    /// Whether the program in `window` has ended (tmux keeps the dead pane).
    pub fn is_dead(&self, window: &str) -> bool {
        let out = self
            .tmux()
            .args([
                "display-message",
                "-p",
                "-t",
                &self.target(window),
                "#{pane_dead}",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    pub fn wait_dead(&self, window: &str) {
        let start = Instant::now();
        while !self.is_dead(window) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the program in {window} did not end:\n{}",
                self.screen(window)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn coder_path(&self, coder: &str) -> PathBuf {
        self.project
            .path()
            .join(format!("annotations/{coder}.yaml"))
    }

    pub fn coder_file(&self, coder: &str) -> String {
        std::fs::read_to_string(self.coder_path(coder)).unwrap_or_default()
    }

    pub fn wait_for_file(&self, coder: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let file = self.coder_file(coder);
            if file.contains(text) {
                return file;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "annotations/{coder}.yaml never held {text:?}:\n{file}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Temporary files left in `annotations/`.
    pub fn leftovers(&self) -> Vec<String> {
        match std::fs::read_dir(self.project.path().join("annotations")) {
            Ok(entries) => entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

/// The sample document with one of alice's annotations on it (NM01 on unit p2).
pub const ORPHAN_DOCUMENT: &str = "company/microsoft-2013";
/// The passage alice coded NM01 on unit p2, as it starts.
const ORPHAN_PASSAGE: &str =
    "Governments around the world are asking how cyberspace should be secured";
/// Where the passage is after [`orphan_alice_annotation`]: a paragraph of its own at the end.
pub const MOVED_PASSAGE: &str =
    "Rewritten at the end: governments everywhere ask how to secure cyberspace.";

/// Edits the sample document in the project at `root` so that alice's NM01 annotation can no
/// longer be placed: unit p2 keeps its id but gets another text, and the passage, rewritten,
/// becomes the last paragraph.
pub fn orphan_alice_annotation(root: &Path) {
    let path = root.join("samples/company/microsoft-2013.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find(ORPHAN_PASSAGE).unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let edited = format!(
        "{}An entirely different opening paragraph.{}\n\n{MOVED_PASSAGE}\n",
        &text[..start],
        text[end..].trim_end()
    );
    std::fs::write(&path, edited).unwrap();
}
