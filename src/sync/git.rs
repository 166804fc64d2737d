//! The user's `git`, run as a command in the project folder: no git library, so that what
//! normcode does is what `git` on the command line does, with the user's configuration,
//! credentials and hooks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// `git` in one folder.
#[derive(Debug, Clone)]
pub struct Git {
    /// Where git runs (the project folder; the repository may be a parent).
    pub dir: PathBuf,
}

/// What a git command printed, and whether it succeeded.
#[derive(Debug, Clone)]
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Git's own message: its last non-empty line of standard error (or output).
    pub fn message(&self) -> String {
        let last = |s: &str| {
            s.lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .map(str::to_string)
        };
        last(&self.stderr)
            .or_else(|| last(&self.stdout))
            .unwrap_or_else(|| "git gave no message".to_string())
    }
}

impl Git {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            // File names as they are (Chinese ones too), not octal escapes.
            .args(["-c", "core.quotePath=false"])
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            // Plain, untranslated messages: normcode quotes them.
            .env("LC_ALL", "C")
            .env("LANGUAGE", "C")
            // No pager and no editor: normcode writes the messages.
            .env("GIT_PAGER", "cat")
            .env("GIT_EDITOR", "true")
            .env("GIT_MERGE_AUTOEDIT", "no");
        command
    }

    /// Runs `git ARGS`; an error only when git cannot be started at all.
    pub fn run(&self, args: &[&str]) -> Result<Run> {
        self.run_with(args, false)
    }

    /// [`Git::run`] for a command that may talk to a remote: with a terminal, git may ask for
    /// a password there; without one, it fails at once instead of waiting.
    pub fn run_remote(&self, args: &[&str]) -> Result<Run> {
        self.run_with(args, true)
    }

    fn run_with(&self, args: &[&str], remote: bool) -> Result<Run> {
        let mut command = self.command(args);
        if remote {
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                command.stdin(Stdio::inherit());
            } else {
                command.env("GIT_TERMINAL_PROMPT", "0");
            }
        }
        let output: Output = command.output().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Usage(NO_GIT.to_string())
            } else {
                Error::io(&self.dir, "cannot run git in", e)
            }
        })?;
        Ok(Run {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// `git ARGS`, which must succeed: its standard output, else an error that says what
    /// normcode was doing (`doing`) and git's message.
    pub fn ok(&self, args: &[&str], doing: &str) -> Result<String> {
        let run = self.run(args)?;
        if run.ok {
            Ok(run.stdout)
        } else {
            Err(Error::Usage(format!(
                "git could not {doing}: {}",
                run.message()
            )))
        }
    }

    /// `git ARGS` trimmed, or `None` when it fails (a question git answers by its exit code).
    pub fn query(&self, args: &[&str]) -> Result<Option<String>> {
        let run = self.run(args)?;
        Ok(run.ok.then(|| run.stdout.trim().to_string()))
    }

    /// The text of `path` (relative to [`Git::dir`]) in `revision` (`HEAD`, `:1`...), `None`
    /// when it has no such file.
    pub fn show(&self, revision: &str, path: &str) -> Result<Option<String>> {
        let spec = format!("{revision}:./{path}");
        let run = self.run(&["show", &spec])?;
        Ok(run.ok.then_some(run.stdout))
    }
}

/// The message when there is no `git` to run.
pub const NO_GIT: &str = "git is not installed (or not on PATH): normcode sync runs the git \
                          command; install git (https://git-scm.com) and try again";
