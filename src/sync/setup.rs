//! `normcode sync --setup`: what git needs to merge coder files with normcode, written once
//! per clone (it is idempotent).
//!
//! - `.gitattributes` in the project folder gets `annotations/*.yaml merge=normcode` (shared:
//!   committed by the next sync), and `.gitignore` the files a session keeps beside the coder
//!   files (its lock, a save's temporary file, the copy kept while a file cannot be read);
//! - the repository's own configuration (`.git/config`, never the user's global one) gets
//!   `merge.normcode.driver`, the command git runs: `normcode merge-driver %O %A %B %P` when
//!   the `normcode` found on PATH is this very program, else this program's absolute path
//!   (a configuration is not shared by git, so each clone runs its own setup);
//! - likewise `codebook.yaml merge=normcode-codebook` and `merge.normcode-codebook.driver`
//!   (`normcode merge-driver --codebook ...`): the codebook merged through its history.

use std::path::{Path, PathBuf};

use super::git::Git;
use crate::annotations::write_atomic;
use crate::error::{Error, Result};

/// The line `.gitattributes` needs.
pub const ATTRIBUTES_LINE: &str = "annotations/*.yaml merge=normcode";

/// The line `.gitattributes` needs for the codebook: merged through its history.
pub const CODEBOOK_ATTRIBUTES_LINE: &str = "codebook.yaml merge=normcode-codebook";

/// What `.gitignore` gets: files a workspace session keeps beside the coder files.
pub const IGNORE_LINES: [&str; 3] = [
    "annotations/.*.lock",
    "annotations/.*.tmp",
    "annotations/*.workspace",
];

/// How git finds normcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverProgram {
    /// `normcode`, found on PATH, is the program running now.
    OnPath,
    /// The absolute path of the program running now (it is not the `normcode` on PATH).
    Absolute(PathBuf),
}

/// What [`setup`] found and changed.
#[derive(Debug, Clone)]
pub struct Setup {
    pub program: DriverProgram,
    /// The `merge.normcode.driver` command.
    pub driver: String,
    /// The `merge.normcode-codebook.driver` command.
    pub codebook_driver: String,
    /// Files written (`.gitattributes`, `.gitignore`), relative to the project.
    pub files_written: Vec<String>,
    /// The repository's configuration was changed.
    pub config_written: bool,
}

impl Setup {
    pub fn changed_anything(&self) -> bool {
        !self.files_written.is_empty() || self.config_written
    }

    /// One line per thing set up, for the user.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for file in &self.files_written {
            lines.push(format!("wrote {file}"));
        }
        let which = match &self.program {
            DriverProgram::OnPath => "`normcode` on PATH (this program)".to_string(),
            DriverProgram::Absolute(path) => format!(
                "this program's path, {} (the `normcode` on PATH, if any, is another program; \
                 run --setup again after moving it)",
                path.display()
            ),
        };
        lines.push(format!(
            "git merges coder files with {which}: merge.normcode.driver = {}{}",
            self.driver,
            if self.config_written {
                ""
            } else {
                " (already set)"
            }
        ));
        lines.push(format!(
            "git merges codebook.yaml through its history: merge.normcode-codebook.driver = {}",
            self.codebook_driver
        ));
        lines
    }
}

/// Quotes `text` for the shell git runs the driver with.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The program git should run, and how it was found.
pub fn driver_program() -> Result<(DriverProgram, String)> {
    let me = std::env::current_exe()
        .map_err(|e| Error::io("normcode", "cannot find the path of the running program", e))?;
    let me = me.canonicalize().unwrap_or(me);
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(format!("normcode{}", std::env::consts::EXE_SUFFIX)))
            .find(|candidate| candidate.is_file())
    });
    if let Some(found) = on_path
        && found.canonicalize().is_ok_and(|f| f == me)
    {
        return Ok((DriverProgram::OnPath, "normcode".to_string()));
    }
    let quoted = shell_quote(&me.to_string_lossy());
    Ok((DriverProgram::Absolute(me), quoted))
}

/// Adds the `lines` missing from the file at `path` (created if need be); true if written.
fn ensure_lines(path: &Path, lines: &[&str]) -> Result<bool> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, "cannot read", e)),
    };
    let missing: Vec<&&str> = lines
        .iter()
        .filter(|l| !text.lines().any(|have| have.trim() == **l))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut new = text.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    if text.is_empty() {
        new.push_str("# normcode (`normcode sync --setup`)\n");
    }
    for line in missing {
        new.push_str(line);
        new.push('\n');
    }
    write_atomic(path, new.as_bytes())?;
    Ok(true)
}

/// The project at `root` must be in a git repository: its work tree's top folder.
pub fn repository_top(git: &Git) -> Result<PathBuf> {
    git.run(&["--version"])?;
    match git.query(&["rev-parse", "--show-toplevel"])? {
        Some(top) if !top.is_empty() => Ok(PathBuf::from(top)),
        _ => Err(Error::Usage(format!(
            "{} is not in a git repository: run `git init` there (or create the project with \
             `normcode init --git`), add the team's remote (`git remote add origin URL`), then \
             `normcode sync --setup`",
            git.dir.display()
        ))),
    }
}

/// Writes `.gitattributes`, `.gitignore` and the repository's merge-driver configuration where
/// they are missing or different.
pub fn setup(root: &Path) -> Result<Setup> {
    let git = Git::new(root);
    repository_top(&git)?;
    let mut files_written = Vec::new();
    if ensure_lines(
        &root.join(".gitattributes"),
        &[ATTRIBUTES_LINE, CODEBOOK_ATTRIBUTES_LINE],
    )? {
        files_written.push(".gitattributes".to_string());
    }
    if ensure_lines(&root.join(".gitignore"), &IGNORE_LINES)? {
        files_written.push(".gitignore".to_string());
    }
    let (program, command) = driver_program()?;
    let driver = format!("{command} merge-driver %O %A %B %P");
    let codebook_driver = format!("{command} merge-driver --codebook %O %A %B %P");
    let mut config_written = false;
    for (key, value) in [
        (
            "merge.normcode.name",
            "normcode: coder files merged annotation by annotation",
        ),
        ("merge.normcode.driver", driver.as_str()),
        (
            "merge.normcode-codebook.name",
            "normcode: codebook.yaml merged through its history",
        ),
        ("merge.normcode-codebook.driver", codebook_driver.as_str()),
    ] {
        let now = git.query(&["config", "--local", "--get", key])?;
        if now.as_deref() != Some(value) {
            git.ok(
                &["config", "--local", key, value],
                &format!("set {key} in the repository's configuration"),
            )?;
            config_written = true;
        }
    }
    Ok(Setup {
        program,
        driver,
        codebook_driver,
        files_written,
        config_written,
    })
}

/// Whether the merge driver is set up in this clone (configuration and `.gitattributes`).
pub fn is_set_up(git: &Git, root: &Path) -> Result<bool> {
    let configured = git
        .query(&["config", "--local", "--get", "merge.normcode.driver"])?
        .is_some()
        && git
            .query(&[
                "config",
                "--local",
                "--get",
                "merge.normcode-codebook.driver",
            ])?
            .is_some();
    let attributes = std::fs::read_to_string(root.join(".gitattributes")).is_ok_and(|t| {
        [ATTRIBUTES_LINE, CODEBOOK_ATTRIBUTES_LINE]
            .iter()
            .all(|line| t.lines().any(|l| l.trim() == *line))
    });
    Ok(configured && attributes)
}

/// `normcode init --git`: a git repository at `dir` (unless it is in one already), set up.
pub fn init_repository(dir: &Path) -> Result<Vec<String>> {
    let git = Git::new(dir);
    let mut lines = Vec::new();
    let inside = git
        .query(&["rev-parse", "--show-toplevel"])?
        .is_some_and(|t| !t.is_empty());
    if inside {
        lines.push("the folder is in a git repository already: it is used".to_string());
    } else {
        git.ok(&["init", "--quiet"], "create a repository")?;
        lines.push(format!("created a git repository in {}", dir.display()));
    }
    lines.extend(setup(dir)?.describe());
    lines.push(
        "next: add the team's remote (`git remote add origin URL`) and run `normcode sync`"
            .to_string(),
    );
    Ok(lines)
}
