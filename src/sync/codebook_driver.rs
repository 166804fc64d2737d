//! `normcode merge-driver --codebook %O %A %B %P`: git's merge of `codebook.yaml` changed on
//! two machines.
//!
//! Every `normcode codebook` change bumps `version:` and appends an entry to `history:`, so
//! two independent changes always touch the same two places. The driver sets those aside
//! (each side gets the common ancestor's version line and history block), lets
//! `git merge-file` merge the rest line by line, then records the new history entries the way
//! `normcode codebook` does: ours first, then theirs, `version:` the last one. When both
//! sides have new entries they are all renumbered ([`bump_minor`]) after the higher of the two
//! sides' versions, so that no number names two changes. The result must load as a codebook.
//!
//! It never writes conflict markers: when git's merge conflicts, or a side cannot be read, or
//! the result does not load, it errs and `%A` is left as git gave it (git keeps its conflict).

use std::path::Path;
use std::process::Command;

use crate::codebook::Codebook;
use crate::codebook::history::{HistoryEntry, bump_minor, compare_versions};
use crate::error::{Error, Result};
use crate::project::revise::{record_versions, with_history_of};

use super::driver::Side;

/// What a codebook merge did.
#[derive(Debug, Clone)]
pub struct CodebookMerged {
    pub text: String,
    /// The history entries that came in from theirs, with their new versions.
    pub from_theirs: Vec<HistoryEntry>,
}

fn read(side: &Side) -> Result<String> {
    let bytes = std::fs::read(side.path).map_err(|e| Error::io(side.path, "cannot read", e))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Usage(format!("{} of the codebook is not UTF-8 text", side.name)))
}

fn parse(text: &str, side: &str, shown: &Path) -> Result<Codebook> {
    let label = format!("{} ({side})", shown.display());
    Codebook::parse(Path::new(&label), text)
}

/// `git merge-file -p ours base theirs`: the merged text, or an error when it conflicts.
fn merge_text(ours: &str, base: &str, theirs: &str, shown: &Path) -> Result<String> {
    let (text, conflicts) = git_merge_file(ours, base, theirs)?;
    if conflicts == 0 {
        return Ok(text);
    }
    Err(Error::Usage(format!(
        "{CONFLICT} of {} ({conflicts} place{}): resolve it by hand",
        shown.display(),
        if conflicts == 1 { "" } else { "s" }
    )))
}

/// How the error of a line-by-line conflict begins.
const CONFLICT: &str = "both sides changed the same lines";

/// `git merge-file -p` of the three texts, labelled as git labels a merge: the text and the
/// number of conflicting places (its markers are in the text).
fn git_merge_file(ours: &str, base: &str, theirs: &str) -> Result<(String, i32)> {
    let dir = tempfile::tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), "cannot make a folder in", e))?;
    let mut paths = Vec::new();
    for (name, text) in [("ours", ours), ("base", base), ("theirs", theirs)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, "cannot write", e))?;
        paths.push(path);
    }
    let output = Command::new("git")
        .args([
            "merge-file",
            "-p",
            "-L",
            "ours",
            "-L",
            "base",
            "-L",
            "theirs",
        ])
        .args(&paths)
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Usage(super::git::NO_GIT.to_string())
            } else {
                Error::io(dir.path(), "cannot run git merge-file in", e)
            }
        })?;
    match output.status.code() {
        Some(n) if n >= 0 => Ok((
            String::from_utf8(output.stdout)
                .map_err(|_| Error::Usage("git merge-file gave text that is not UTF-8".into()))?,
            n,
        )),
        _ => Err(Error::Usage(format!(
            "git merge-file failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))),
    }
}

/// The entries of `side`'s history after `base`'s, which must begin it.
fn new_entries<'a>(
    base: &Codebook,
    side: &'a Codebook,
    name: &str,
    shown: &Path,
) -> Result<&'a [HistoryEntry]> {
    let old = base.history();
    let all = side.history();
    if all.len() < old.len() || all[..old.len()] != *old {
        return Err(Error::Usage(format!(
            "the history of {} on {name} does not continue the common ancestor's (an entry \
             was changed or removed)",
            shown.display()
        )));
    }
    let new = &all[old.len()..];
    if new.is_empty() && side.version != base.version {
        return Err(Error::Usage(format!(
            "{name} changed the version of {} without a history entry",
            shown.display()
        )));
    }
    Ok(new)
}

/// Merges the three texts of `codebook.yaml` (`shown` is its path, for messages).
pub fn merge_codebooks(
    base: &str,
    ours: &str,
    theirs: &str,
    shown: &Path,
) -> Result<CodebookMerged> {
    let base_book = parse(base, "the common ancestor", shown)?;
    let our_book = parse(ours, "ours", shown)?;
    let their_book = parse(theirs, "theirs", shown)?;
    let ours_new = new_entries(&base_book, &our_book, "ours", shown)?;
    let theirs_new = new_entries(&base_book, &their_book, "theirs", shown)?;
    let mut from_theirs = Vec::new();
    let text = if ours_new.is_empty() && theirs_new.is_empty() {
        merge_text(ours, base, theirs, shown)?
    } else {
        let merged = merge_text(
            &with_history_of(ours, base)?,
            base,
            &with_history_of(theirs, base)?,
            shown,
        )?;
        // Both sides numbered their entries after the ancestor's, so the same number names
        // two different changes, and coder files on each machine record their own. When both
        // sides have new entries, all of them are numbered afresh after the higher of the two
        // sides' last versions: a coder file's version is then no longer in the history, and
        // it is brought up through every change since the ancestor (replaying its own
        // machine's changes is harmless, see `crate::project::migrate`).
        let mut entries: Vec<HistoryEntry> = ours_new.to_vec();
        if ours_new.is_empty() {
            entries = theirs_new.to_vec();
            from_theirs = entries.clone();
        } else if !theirs_new.is_empty() {
            let mut last = [&our_book.version, &their_book.version]
                .into_iter()
                .max_by(|a, b| compare_versions(a, b))
                .cloned()
                .unwrap_or_default();
            entries.clear();
            for (theirs, entry) in ours_new
                .iter()
                .map(|e| (false, e))
                .chain(theirs_new.iter().map(|e| (true, e)))
            {
                last = bump_minor(&last);
                let entry = HistoryEntry {
                    version: last.clone(),
                    ..entry.clone()
                };
                if theirs {
                    from_theirs.push(entry.clone());
                }
                entries.push(entry);
            }
        }
        record_versions(&merged, &entries)?
    };
    if text.lines().any(|l| {
        l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> ") || l.trim_end() == "======="
    }) {
        return Err(Error::Usage(format!(
            "the merge of {} would hold conflict markers",
            shown.display()
        )));
    }
    parse(&text, "merged", shown).map_err(|e| {
        Error::Usage(format!(
            "the merge of both sides' changes is not a valid codebook: {e}"
        ))
    })?;
    Ok(CodebookMerged { text, from_theirs })
}

/// [`merge_codebooks`] of git's three files, writing the result over ours (`%A`) only when it
/// merged cleanly and loads. When both sides changed the same lines, `%A` gets git's own
/// line-by-line merge of the three files with its conflict markers, as git leaves a file it
/// merges itself (a merge driver's `%A` is what git keeps), and the error says so.
pub fn run(base: &Side, ours: &Side, theirs: &Side, shown: &Path) -> Result<CodebookMerged> {
    let (base, our_text, their_text) = (read(base)?, read(ours)?, read(theirs)?);
    match merge_codebooks(&base, &our_text, &their_text, shown) {
        Ok(merged) => {
            crate::annotations::write_atomic(ours.path, merged.text.as_bytes())?;
            Ok(merged)
        }
        Err(err) if err.to_string().contains(CONFLICT) => {
            let (text, conflicts) = git_merge_file(&our_text, &base, &their_text)?;
            if conflicts > 0 {
                crate::annotations::write_atomic(ours.path, text.as_bytes())?;
            }
            Err(err)
        }
        Err(err) => Err(err),
    }
}
