//! `normcode sync`: commit, pull (merging coder files with the driver), migrate, push.
//!
//! What a sync commits, and only that, each file only when it differs from the last commit
//! (git's own "modified"):
//! - the coder's own file, `annotations/CODER.yaml`, and the suggestions the coder rejected,
//!   `annotations/rejections/CODER.yaml`;
//! - `codebook.yaml`, when it differs from the last commit: only a change made on this machine
//!   can make it differ (a pull moves the commit and the file together);
//! - another coder's file only when it differs from the last commit by exactly what the
//!   codebook's history does to it (a codebook change made here rewrote it): any other change
//!   to another coder's file is theirs to commit, and is left as it is, with a note;
//! - `.gitattributes` and `.gitignore`, when `--setup` (run by every sync) wrote them.
//!
//! A sync killed half-way (`kill -9`, a closed laptop) leaves at worst a merge under way: the
//! next sync completes it, merging any coder file left unmerged with the driver.

use std::path::{Path, PathBuf};

use super::driver::{Side, merge_files};
use super::git::Git;
use super::message::Work;
use super::setup::{repository_top, setup};
use crate::annotations::{
    CoderFile, CoderName, coder_file_to_string, parse_coder_file, write_atomic,
};
use crate::codebook::Codebook;
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::project::migrate::migrate;
use crate::project::revise::pending_migration;
use crate::project::{ANNOTATIONS_DIR, CODEBOOK_FILE, Project};

/// How a sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Pulled, merged and pushed: this clone and the remote hold the same work.
    Synced,
    /// The work is committed here, but not exchanged with a remote: why, and what to do.
    LocalOnly(String),
}

/// Where a sync works: the project, its repository, and the project's place in it.
struct Repo {
    root: PathBuf,
    git: Git,
    /// git at the top of the work tree.
    top: Git,
    /// The project folder relative to the top, with a final `/` (empty at the top).
    prefix: String,
    git_dir: PathBuf,
}

impl Repo {
    fn open(root: &Path) -> Result<Self> {
        let git = Git::new(root);
        let top = repository_top(&git)?;
        let prefix = git
            .query(&["rev-parse", "--show-prefix"])?
            .unwrap_or_default();
        let git_dir = PathBuf::from(
            git.ok(
                &["rev-parse", "--absolute-git-dir"],
                "find the repository's folder",
            )?
            .trim(),
        );
        Ok(Self {
            root: root.to_path_buf(),
            git,
            top: Git::new(&top),
            prefix,
            git_dir,
        })
    }

    fn has_head(&self) -> Result<bool> {
        Ok(self
            .git
            .query(&["rev-parse", "-q", "--verify", "HEAD"])?
            .is_some())
    }

    fn short_head(&self) -> String {
        self.git
            .query(&["rev-parse", "--short", "HEAD"])
            .ok()
            .flatten()
            .unwrap_or_else(|| "none".to_string())
    }

    /// Paths (relative to the project) that differ from the last commit, with git's status
    /// letters, under `pathspec` (relative to the project).
    fn changed(&self, pathspec: &str) -> Result<Vec<(String, String)>> {
        let out = self.git.ok(
            &[
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--",
                pathspec,
            ],
            "list the changed files",
        )?;
        let mut changed = Vec::new();
        let mut records = out.split('\0');
        while let Some(record) = records.next() {
            if record.len() < 4 {
                continue;
            }
            let (code, path) = record.split_at(3);
            if code.starts_with('R') || code.starts_with('C') {
                records.next();
            }
            // Porcelain paths are relative to the top of the work tree.
            if let Some(path) = path.strip_prefix(&self.prefix) {
                changed.push((code.trim().to_string(), path.to_string()));
            }
        }
        Ok(changed)
    }

    fn is_changed(&self, path: &str) -> Result<bool> {
        Ok(!self.changed(path)?.is_empty())
    }
}

fn coder_path(coder: &str) -> String {
    format!("{ANNOTATIONS_DIR}/{coder}.yaml")
}

/// The coder whose file `path` (relative to the project) is, if it is one.
fn coder_of_path(path: &str) -> Option<&str> {
    let name = path
        .strip_prefix(ANNOTATIONS_DIR)?
        .strip_prefix('/')?
        .strip_suffix(".yaml")?;
    crate::annotations::valid_coder_name(name).then_some(name)
}

fn parse(path: &str, text: &str) -> Result<Option<CoderFile>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_coder_file(Path::new(path), text).map(Some)
}

/// Refuses to go on in a state only git (or the user) can get out of.
fn check_state(repo: &Repo) -> Result<()> {
    let lock = repo.git_dir.join("index.lock");
    // A git command left running by a sync killed a moment ago ends by itself: wait a little.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while lock.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if lock.exists() {
        return Err(Error::Usage(format!(
            "{} exists: another git command is running in this repository, or one was killed. \
             If none is running, remove that file and sync again; nothing was changed",
            lock.display()
        )));
    }
    for (dir, what) in [
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ] {
        if repo.git_dir.join(dir).exists() {
            return Err(Error::Usage(format!(
                "{what} is under way in this repository (started with git, not by normcode \
                 sync): finish it or abort it with git, then sync again; nothing was changed"
            )));
        }
    }
    Ok(())
}

/// Completes a merge left under way (a sync or `git pull` interrupted): coder files still
/// unmerged are merged with the driver; any other unmerged file is the user's to resolve.
/// Returns true when there was one.
fn finish_merge(repo: &Repo, say: &mut dyn FnMut(&str)) -> Result<bool> {
    if repo
        .git
        .query(&["rev-parse", "-q", "--verify", "MERGE_HEAD"])?
        .is_none()
    {
        return Ok(false);
    }
    let unmerged = repo.top.ok(
        &["diff", "--name-only", "--diff-filter=U", "-z"],
        "list the files a merge left unmerged",
    )?;
    let mut others = Vec::new();
    let temp = tempfile::tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), "cannot create a folder in", e))?;
    for path in unmerged.split('\0').filter(|p| !p.is_empty()) {
        let in_project = path
            .strip_prefix(&repo.prefix)
            .filter(|p| coder_of_path(p).is_some());
        let Some(relative) = in_project else {
            others.push(path.to_string());
            continue;
        };
        let base = repo.top.show(":1", path)?.unwrap_or_default();
        let ours = repo.top.show(":2", path)?;
        let theirs = repo.top.show(":3", path)?;
        // A side that deleted the file keeps the ancestor: nothing coded is lost.
        let ours = ours.unwrap_or_else(|| base.clone());
        let theirs = theirs.unwrap_or_else(|| base.clone());
        let mut sides = Vec::new();
        for (name, text) in [("base", &base), ("ours", &ours), ("theirs", &theirs)] {
            let file = temp.path().join(name);
            std::fs::write(&file, text).map_err(|e| Error::io(&file, "cannot write", e))?;
            sides.push(file);
        }
        let shown = Path::new(path);
        let top = repo.top.dir.clone();
        let merged = merge_files(
            &top,
            &Side {
                path: &sides[0],
                name: "the common ancestor",
            },
            &Side {
                path: &sides[1],
                name: "ours",
            },
            &Side {
                path: &sides[2],
                name: "theirs",
            },
            shown,
        )
        .map_err(|err| {
            Error::Usage(format!(
                "a merge is under way and {relative} cannot be merged: {err}. Fix that file \
                 (or take one side: `git checkout --ours {relative}`), `git add` it, and sync \
                 again"
            ))
        })?;
        write_atomic(&top.join(path), merged.text.as_bytes())?;
        repo.top.ok(
            &["add", "--", path],
            &format!("stage the merged {relative}"),
        )?;
        say(&format!(
            "merged {relative} left unmerged by an interrupted merge"
        ));
    }
    if !others.is_empty() {
        return Err(Error::Usage(format!(
            "a merge is under way with conflicts in {} (not coder files, which normcode merges): \
             resolve them with git (`git status` lists them), commit, and sync again; or undo \
             the merge with `git merge --abort`",
            others.join(", ")
        )));
    }
    repo.git.ok(
        &["commit", "--no-edit", "--quiet"],
        "complete the merge under way",
    )?;
    say("completed the merge an interrupted sync (or pull) left under way");
    Ok(true)
}

/// The codebook of the project as it is on disk.
fn read_codebook(root: &Path) -> Result<Codebook> {
    Codebook::load(&root.join(CODEBOOK_FILE))
}

/// Whether `path`'s change from the last commit is only what the history does to it.
fn only_migrated(repo: &Repo, path: &str, codebook: &Codebook) -> Result<bool> {
    let Some(committed) = repo.git.show("HEAD", path)? else {
        return Ok(false);
    };
    let Ok(Some(mut before)) = parse(path, &committed) else {
        return Ok(false);
    };
    let text = std::fs::read_to_string(repo.root.join(path))
        .map_err(|e| Error::io(repo.root.join(path), "cannot read", e))?;
    let Ok(Some(now)) = parse(path, &text) else {
        return Ok(false);
    };
    if migrate(&mut before, codebook, Path::new(path)).is_err() {
        return Ok(false);
    }
    Ok(before.codebook_version == now.codebook_version && before.documents == now.documents)
}

/// Commits what this machine changed of the coder's own file, the codebook (and the coder
/// files a codebook change made here rewrote); returns the commit's subject, if any.
fn commit_own(
    repo: &Repo,
    coder: &CoderName,
    extra: &[String],
    say: &mut dyn FnMut(&str),
) -> Result<Option<String>> {
    let own = coder_path(coder);
    let mut paths: Vec<String> = extra.to_vec();
    let mut subject: Vec<String> = Vec::new();
    let mut body: Vec<String> = Vec::new();

    if repo.is_changed(&own)? {
        let path = repo.root.join(&own);
        let now = if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
            parse(&own, &text).map_err(|err| {
                Error::Usage(format!(
                    "{err}\nnothing was committed: fix {own} (or open the workspace, which keeps \
                     your work beside it) and sync again"
                ))
            })?
        } else {
            None
        };
        let committed = repo.git.show("HEAD", &own)?;
        let before = committed.and_then(|t| parse(&own, &t).ok().flatten());
        let work = match &now {
            Some(now) => Work::between(before.as_ref(), now),
            None => Work::default(),
        };
        let summary = work.summary();
        subject.push(if now.is_none() {
            format!("{coder}: coder file removed")
        } else if summary.is_empty() {
            let version = now.as_ref().and_then(|f| f.codebook_version.clone());
            match version {
                Some(v)
                    if before.as_ref().and_then(|b| b.codebook_version.clone())
                        != Some(v.clone()) =>
                {
                    format!("{coder}: coder file follows codebook {v}")
                }
                _ => format!("{coder}: coder file updated"),
            }
        } else {
            format!("{coder}: {summary}")
        });
        body.extend(work.details());
        paths.push(own.clone());
    }

    // The suggestions the coder rejected travel with the coder's work.
    let rejections = format!(
        "{ANNOTATIONS_DIR}/{}/{coder}.yaml",
        crate::annotations::rejections::REJECTIONS_DIR
    );
    if repo.is_changed(&rejections)? {
        if repo.root.join(&rejections).exists() {
            let (now, _) =
                crate::annotations::rejections::load(&repo.root.join(ANNOTATIONS_DIR), coder)
                    .map_err(|err| {
                        Error::Usage(format!(
                            "{err}\nnothing was committed: fix {rejections} and sync again"
                        ))
                    })?;
            if subject.is_empty() {
                subject.push(format!(
                    "{coder}: {} rejected suggestion{}",
                    now.count(),
                    if now.count() == 1 { "" } else { "s" }
                ));
            } else {
                body.push(format!(
                    "{rejections}: {} rejected suggestions",
                    now.count()
                ));
            }
        } else {
            subject.push(format!("{coder}: rejected suggestions removed"));
        }
        paths.push(rejections);
    }

    let codebook = read_codebook(&repo.root);
    if repo.is_changed(CODEBOOK_FILE)? {
        let codebook = codebook.as_ref().map_err(|err| {
            Error::Usage(format!(
                "{err}\nnothing was committed: {CODEBOOK_FILE} was changed here and cannot be \
                 read; fix it and sync again"
            ))
        })?;
        let before = repo
            .git
            .show("HEAD", CODEBOOK_FILE)?
            .and_then(|t| Codebook::parse(Path::new(CODEBOOK_FILE), &t).ok());
        match before {
            Some(before) if before.version != codebook.version => {
                subject.push(format!(
                    "codebook {} → {}",
                    before.version, codebook.version
                ));
                for entry in codebook.changes_since(&before.version) {
                    body.push(format!("Codebook {entry}"));
                }
            }
            Some(_) => subject.push(format!("codebook {} edited", codebook.version)),
            None => subject.push(format!("codebook {} added", codebook.version)),
        }
        paths.push(CODEBOOK_FILE.to_string());
    }

    let mut left = Vec::new();
    for (_, path) in repo.changed(ANNOTATIONS_DIR)? {
        let Some(other) = coder_of_path(&path) else {
            continue;
        };
        if other == coder.as_str() {
            continue;
        }
        let migrated = match &codebook {
            Ok(codebook) => only_migrated(repo, &path, codebook)?,
            Err(_) => false,
        };
        if migrated {
            body.push(format!("{path}: migrated to the codebook here"));
            paths.push(path);
        } else {
            left.push(path);
        }
    }
    if !left.is_empty() {
        say(&format!(
            "not committed: {} changed on this machine, but a coder's file is committed by that \
             coder's own sync (only a codebook change made here is committed with it)",
            left.join(", ")
        ));
    }

    let others: Vec<String> = repo
        .changed(".")?
        .into_iter()
        .map(|(_, path)| path)
        .filter(|path| {
            !paths.contains(path)
                && !left.contains(path)
                && path != CODEBOOK_FILE
                && !path.starts_with(&format!("{ANNOTATIONS_DIR}/"))
        })
        .collect();
    if !others.is_empty() {
        let shown: Vec<&str> = others.iter().take(5).map(String::as_str).collect();
        say(&format!(
            "not committed: {}{} (sync commits coder files and the codebook; commit other \
             files with git)",
            shown.join(", "),
            match others.len() - shown.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            }
        ));
    }
    if paths.is_empty() {
        return Ok(None);
    }
    if subject.is_empty() {
        subject
            .push("normcode: git set up to merge coder files annotation by annotation".to_string());
    }
    let subject = subject.join("; ");
    let mut args: Vec<&str> = vec!["add", "--"];
    args.extend(paths.iter().map(String::as_str));
    repo.git.ok(&args, "stage the files to commit")?;
    let body = body.join("\n");
    let mut args: Vec<&str> = vec!["commit", "--quiet", "-m", &subject];
    if !body.is_empty() {
        args.extend(["-m", &body]);
    }
    args.push("--");
    args.extend(paths.iter().map(String::as_str));
    let run = repo.git.run(&args)?;
    if !run.ok {
        let all = format!("{}{}", run.stdout, run.stderr);
        if all.contains("user.email") || all.contains("tell me who you are") {
            return Err(Error::Usage(
                "git does not know who you are, so nothing was committed: run `git config \
                 user.name \"Your Name\"` and `git config user.email you@example.org` in the \
                 project, then sync again"
                    .to_string(),
            ));
        }
        return Err(Error::Usage(format!(
            "git could not commit {}: {}",
            paths.join(", "),
            run.message()
        )));
    }
    say(&format!("committed {} ({})", subject, repo.short_head()));
    Ok(Some(subject))
}

/// The coder's own file brought to the codebook here, written if it changed.
fn migrate_own(repo: &Repo, coder: &CoderName, say: &mut dyn FnMut(&str)) -> Result<bool> {
    migrate_file(repo, &coder_path(coder), say)
}

/// Whether the last pull merged codebook.yaml changed on both sides (HEAD is a merge whose
/// codebook differs from both parents'): a codebook change made here, by the merge driver.
fn codebook_merged_here(repo: &Repo) -> Result<bool> {
    if repo
        .git
        .query(&["rev-parse", "-q", "--verify", "HEAD^2"])?
        .is_none()
    {
        return Ok(false);
    }
    for parent in ["HEAD^1", "HEAD^2"] {
        let run = repo
            .git
            .run(&["diff", "--quiet", parent, "HEAD", "--", CODEBOOK_FILE])?;
        if run.ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// After a codebook merged here ([`codebook_merged_here`]), every coder file brought to it,
/// as a codebook change made here rewrites them (the next commit takes them, see
/// [`only_migrated`]).
fn migrate_all(repo: &Repo, say: &mut dyn FnMut(&str)) -> Result<bool> {
    let mut any = false;
    let dir = repo.root.join(ANNOTATIONS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(false);
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") && !n.starts_with('.'))
        .collect();
    names.sort();
    for name in names {
        let path = format!("{ANNOTATIONS_DIR}/{name}");
        if coder_of_path(&path).is_some() {
            any |= migrate_file(repo, &path, say)?;
        }
    }
    Ok(any)
}

/// The coder file at `own` (relative to the project) brought to the codebook here, written if
/// it changed.
fn migrate_file(repo: &Repo, own: &str, say: &mut dyn FnMut(&str)) -> Result<bool> {
    let own = own.to_string();
    let path = repo.root.join(&own);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(false);
    };
    let Some(mut file) = parse(&own, &text)? else {
        return Ok(false);
    };
    let codebook = read_codebook(&repo.root)?;
    let Some(migrated) = migrate(&mut file, &codebook, Path::new(&own))? else {
        return Ok(false);
    };
    // The workspace's order: documents read when they can be.
    let corpus = Project::read_settings_and_codebook(&repo.root)
        .ok()
        .and_then(|(settings, _)| {
            let folder = repo.root.join(&settings.documents);
            Corpus::load(&folder, &repo.root, settings.segmentation).ok()
        })
        .unwrap_or_default();
    file.normalize(&corpus);
    write_atomic(&path, coder_file_to_string(&file)?.as_bytes())?;
    say(&format!("{own} migrated: {}", migrated.describe()));
    Ok(true)
}

/// The remote and branch to exchange with: the branch's upstream, else `origin` (or the only
/// remote) and a branch of the same name.
fn remote_and_branch(repo: &Repo) -> Result<std::result::Result<(String, String, bool), String>> {
    let Some(branch) = repo
        .git
        .query(&["symbolic-ref", "--quiet", "--short", "HEAD"])?
    else {
        return Err(Error::Usage(
            "this clone is not on a branch (a detached HEAD): `git switch` to the team's branch \
             and sync again"
                .to_string(),
        ));
    };
    let configured = repo
        .git
        .query(&["config", "--get", &format!("branch.{branch}.remote")])?;
    let merge = repo
        .git
        .query(&["config", "--get", &format!("branch.{branch}.merge")])?;
    if let (Some(remote), Some(merge)) = (configured, merge) {
        let remote_branch = merge
            .strip_prefix("refs/heads/")
            .unwrap_or(&merge)
            .to_string();
        return Ok(Ok((remote, remote_branch, true)));
    }
    let remotes = repo.git.ok(&["remote"], "list the remotes")?;
    let remotes: Vec<&str> = remotes.lines().filter(|l| !l.is_empty()).collect();
    let remote = if remotes.contains(&"origin") {
        "origin"
    } else if remotes.len() == 1 {
        remotes[0]
    } else if remotes.is_empty() {
        return Ok(Err(format!(
            "this repository has no remote, so there is nothing to pull from or push to; your \
             work is committed here ({}). Add the team's repository with `git remote add origin \
             URL`, then sync again",
            repo.short_head()
        )));
    } else {
        return Ok(Err(format!(
            "this repository has several remotes ({}) and branch {branch} follows none of \
             them; your work is committed here. Choose one with `git branch --set-upstream-to \
             REMOTE/{branch}` (or `git push -u REMOTE {branch}`), then sync again",
            remotes.join(", ")
        )));
    };
    Ok(Ok((remote.to_string(), branch, false)))
}

fn unreachable(repo: &Repo, remote: &str, why: &str) -> String {
    not_exchanged(
        repo,
        &format!("cannot reach the remote '{remote}'"),
        remote,
        why,
    )
}

/// A push that failed for another reason than a remote that moved (no access, a hook).
fn push_refused(repo: &Repo, remote: &str, why: &str) -> String {
    not_exchanged(
        repo,
        &format!(
            "could not push to the remote '{remote}' (no access, a hook, or it cannot be reached)"
        ),
        remote,
        why,
    )
}

fn not_exchanged(repo: &Repo, what: &str, remote: &str, why: &str) -> String {
    let url = repo
        .git
        .query(&["remote", "get-url", remote])
        .ok()
        .flatten()
        .unwrap_or_default();
    format!(
        "{what} ({url}): {why}\nyour work is committed here ({}); nothing is lost: run \
         `normcode sync` again when the remote can be reached",
        repo.short_head()
    )
}

/// Merges `remote/branch` into the branch; says what came in.
fn pull(repo: &Repo, tracking: &str, shown: &str, say: &mut dyn FnMut(&str)) -> Result<()> {
    let incoming = repo
        .git
        .query(&["rev-list", "--count", &format!("HEAD..{tracking}")])?
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    if incoming == 0 {
        return Ok(());
    }
    let files = repo
        .git
        .query(&["diff", "--name-only", "--relative", "HEAD", tracking])?
        .unwrap_or_default();
    let files: Vec<&str> = files.lines().collect();
    let message = format!("normcode sync: merge {shown}");
    let run = repo
        .git
        .run(&["merge", "--no-edit", "-m", &message, tracking])?;
    if !run.ok {
        if repo
            .git
            .query(&["rev-parse", "-q", "--verify", "MERGE_HEAD"])?
            .is_some()
        {
            // Left under way: coder files the driver refused, or other files in conflict.
            finish_merge(repo, say)?;
        } else {
            return Err(Error::Usage(format!(
                "git could not merge what came from {shown}, so nothing was merged: {}\nyour \
                 work is committed here ({}); if a file named above changed on this machine, \
                 commit or undo that change, then sync again",
                run.stderr.trim(),
                repo.short_head()
            )));
        }
    }
    let listed: Vec<&str> = files.iter().take(8).copied().collect();
    let more = files.len().saturating_sub(listed.len());
    say(&format!(
        "pulled {incoming} commit{} from {shown}: {}{}",
        if incoming == 1 { "" } else { "s" },
        if listed.is_empty() {
            "no file changed".to_string()
        } else {
            listed.join(", ")
        },
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ));
    Ok(())
}

/// `normcode sync` in the project at `root` for `coder`; `say` gets a line for each step.
pub fn sync(root: &Path, coder: &CoderName, say: &mut dyn FnMut(&str)) -> Result<Outcome> {
    let repo = Repo::open(root)?;
    check_state(&repo)?;
    if let Some(journal) = pending_migration(root)? {
        return Err(Error::Usage(format!(
            "{}\nnothing was synced: complete that change first",
            journal.describe()
        )));
    }
    let set_up = setup(root)?;
    if set_up.changed_anything() {
        for line in set_up.describe() {
            say(&line);
        }
    }
    finish_merge(&repo, say)?;
    let mut extra = Vec::new();
    for file in [".gitattributes", ".gitignore"] {
        if repo.is_changed(file)? {
            extra.push(file.to_string());
        }
    }
    let mut committed = commit_own(&repo, coder, &extra, say)?.is_some();
    if !repo.has_head()? {
        return Ok(Outcome::LocalOnly(
            "nothing to sync yet: there is no commit in this repository and nothing of yours \
             to commit (code something first)"
                .to_string(),
        ));
    }
    let (remote, branch, upstream) = match remote_and_branch(&repo)? {
        Ok(found) => found,
        Err(why) => {
            if migrate_own(&repo, coder, say)? {
                commit_own(&repo, coder, &[], say)?;
            }
            return Ok(Outcome::LocalOnly(why));
        }
    };
    let tracking = format!("refs/remotes/{remote}/{branch}");
    for _attempt in 0..3 {
        let fetch = repo.git.run_remote(&["fetch", "--quiet", &remote])?;
        if !fetch.ok {
            return Ok(Outcome::LocalOnly(unreachable(
                &repo,
                &remote,
                &fetch.message(),
            )));
        }
        let remote_has_branch = repo
            .git
            .query(&["rev-parse", "-q", "--verify", &tracking])?
            .is_some();
        if remote_has_branch {
            pull(&repo, &tracking, &format!("{remote}/{branch}"), say)?;
        }
        let migrated = if codebook_merged_here(&repo)? {
            migrate_all(&repo, say)?
        } else {
            migrate_own(&repo, coder, say)?
        };
        if migrated {
            committed |= commit_own(&repo, coder, &[], say)?.is_some();
        }
        let ahead = if remote_has_branch {
            repo.git
                .query(&["rev-list", "--count", &format!("{tracking}..HEAD")])?
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0)
        } else {
            1
        };
        if ahead == 0 {
            if !committed {
                say("nothing new to push: this clone and the remote hold the same work");
            }
            return Ok(Outcome::Synced);
        }
        let target = format!("HEAD:refs/heads/{branch}");
        let mut args = vec!["push", "--quiet"];
        if !upstream {
            args.push("--set-upstream");
        }
        args.extend([remote.as_str(), target.as_str()]);
        let push = repo.git.run_remote(&args)?;
        if push.ok {
            say(&format!(
                "pushed {ahead} commit{} to {remote}/{branch}",
                if ahead == 1 { "" } else { "s" }
            ));
            return Ok(Outcome::Synced);
        }
        let all = format!("{}{}", push.stdout, push.stderr);
        let raced = all.contains("[rejected]")
            || all.contains("fetch first")
            || all.contains("non-fast-forward");
        if !raced {
            return Ok(Outcome::LocalOnly(push_refused(
                &repo,
                &remote,
                &push.message(),
            )));
        }
        // Someone pushed since the fetch: fetch, merge and push again.
        say("the remote moved while syncing; pulling again");
    }
    Ok(Outcome::LocalOnly(format!(
        "the remote '{remote}' kept moving while syncing (others are pushing); your work is \
         committed here ({}): sync again in a moment",
        repo.short_head()
    )))
}
