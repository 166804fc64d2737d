//! A planned [`Migration`] and writing it: locks, the check that nothing changed since
//! planning, the journal, then the coder files and the codebook.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::{
    JOURNAL_FILE, Journal, Operation, SplitAssignment,
    files::{read_text, shown_coder_path},
    journal::other_journal,
    pending_migration,
};
use crate::annotations::{self, CoderFile, CoderLock};
use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::project::{ANNOTATIONS_DIR, CODEBOOK_FILE, coder_names};
use crate::yaml;

/// A coder file that a [`Migration`] rewrites.
#[derive(Debug, Clone)]
pub struct CoderChange {
    pub coder: String,
    /// `annotations/CODER.yaml`, relative to the project.
    pub path: PathBuf,
    /// Annotations whose codes changed.
    pub recoded: usize,
    /// `codebook_version` before and after, when it changes.
    pub version: Option<(String, String)>,
    pub file: CoderFile,
    /// What is written.
    pub text: String,
}

/// A document whose front matter a [`Migration`] rewrites (a variable's value renamed).
#[derive(Debug, Clone)]
pub struct DocumentChange {
    /// The document file, relative to the project.
    pub path: PathBuf,
    /// "publisher 'A' → 'B'"
    pub what: String,
    /// What is written.
    pub text: String,
    /// The file as read when planned, to refuse applying over a later change.
    pub(super) before: String,
}

/// A planned change of the codebook and the coder files, not written yet: see the module docs.
#[derive(Debug, Clone)]
pub struct Migration {
    pub operation: Operation,
    /// One sentence, also the text of the history entry: "Renamed indicator IL02 to IHL01."
    pub summary: String,
    /// The codebook's version before and after; `None` when completing a change without a
    /// journal (the codebook is not touched).
    pub versions: Option<(String, String)>,
    /// The new `codebook.yaml`, or `None` when the codebook already says it (completing an
    /// interrupted change).
    pub codebook: Option<String>,
    /// The coder files that change, by coder name.
    pub coders: Vec<CoderChange>,
    /// The documents whose front matter changes (a variable's value renamed).
    pub documents: Vec<DocumentChange>,
    /// Things the user should know: mentions of old ids left in the codebook's texts, ...
    pub notes: Vec<String>,
    /// There is a journal of this same operation: this completes it.
    pub completes: bool,
    /// A split's assignments, kept in the journal.
    pub(super) assignments: Vec<SplitAssignment>,
    /// The files as they were when planned, to refuse applying over later changes.
    pub(super) codebook_before: String,
    pub(super) coders_before: BTreeMap<String, String>,
}

impl Migration {
    /// Nothing would be written (apart from removing a finished journal).
    pub fn is_empty(&self) -> bool {
        self.codebook.is_none() && self.coders.is_empty() && self.documents.is_empty()
    }

    /// The codebook as it will be, parsed.
    pub fn new_codebook(&self) -> Result<Codebook> {
        Codebook::parse(
            Path::new(CODEBOOK_FILE),
            self.codebook.as_deref().unwrap_or(&self.codebook_before),
        )
    }

    /// One line per file that changes, for the user.
    pub fn describe_files(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for c in &self.coders {
            let mut parts = Vec::new();
            if c.recoded > 0 {
                parts.push(format!(
                    "{} annotation{} recoded",
                    c.recoded,
                    if c.recoded == 1 { "" } else { "s" }
                ));
            }
            if let Some((a, b)) = &c.version {
                parts.push(format!("codebook_version {a} → {b}"));
            }
            lines.push(format!("{}: {}", c.path.display(), parts.join(", ")));
        }
        for d in &self.documents {
            lines.push(format!("{}: {}", d.path.display(), d.what));
        }
        if self.codebook.is_some() {
            let versions = self
                .versions
                .as_ref()
                .map(|(a, b)| format!("version {a} → {b}, "))
                .unwrap_or_default();
            lines.push(format!("{CODEBOOK_FILE}: {versions}history entry added"));
        }
        lines
    }

    /// Writes the change into the project at `root`: see the module docs.
    pub fn apply(&self, root: &Path) -> Result<()> {
        self.apply_holding(root, &[])
    }

    /// Like [`Migration::apply`], for a caller that already holds the locks in `held` (a
    /// workspace session holds its own coder's).
    pub fn apply_holding(&self, root: &Path, held: &[&CoderLock]) -> Result<()> {
        let annotations_dir = root.join(ANNOTATIONS_DIR);
        let held: HashSet<String> = held.iter().filter_map(|l| lock_coder(l)).collect();
        let names = coder_names(root)?;
        let planned: Vec<&String> = self.coders_before.keys().collect();
        if names.iter().collect::<Vec<_>>() != planned {
            return Err(changed_since_planning("the set of coder files"));
        }
        // Every coder file, whether it changes or not, and every coder with a session lock but
        // no file yet: a session would go on coding with the old codebook and write old ids.
        let mut to_lock = names.clone();
        to_lock.extend(lock_names(&annotations_dir));
        to_lock.sort();
        to_lock.dedup();
        let mut locks = Vec::new();
        for name in &to_lock {
            if !held.contains(name) {
                locks.push(
                    CoderLock::acquire(&annotations_dir, &annotations::CoderName::parse(name)?)
                        .map_err(
                    |err| match err {
                        Error::Usage(_) => Error::Usage(format!(
                            "coder '{name}' has the workspace open in another normcode session; \
                             nothing was changed: a codebook change needs every coder's session \
                             closed, then run it again"
                        )),
                        other => other,
                    },
                )?);
            }
        }
        if read_text(&root.join(CODEBOOK_FILE))? != self.codebook_before {
            return Err(changed_since_planning(CODEBOOK_FILE));
        }
        for (name, before) in &self.coders_before {
            let path = annotations_dir.join(format!("{name}.yaml"));
            if read_text(&path)? != *before {
                return Err(changed_since_planning(
                    &shown_coder_path(name).display().to_string(),
                ));
            }
        }
        for document in &self.documents {
            if read_text(&root.join(&document.path))? != document.before {
                return Err(changed_since_planning(&document.path.display().to_string()));
            }
        }
        let journal_path = annotations_dir.join(JOURNAL_FILE);
        if let Some(journal) = pending_migration(root)? {
            let theirs = journal.operation()?;
            if !theirs.same_as(&self.operation) {
                return Err(other_journal(&journal));
            }
        }
        if !self.is_empty() {
            let (operation, ids) = self.operation.to_journal_ids();
            let journal = Journal {
                operation,
                ids,
                from_version: self.versions.as_ref().map(|v| v.0.clone()),
                to_version: self.versions.as_ref().map(|v| v.1.clone()),
                started: Some(annotations::now()),
                assignments: self.assignments.clone(),
            };
            let mut text = String::from(
                "# normcode: a codebook change in progress. If this file is still here, the change \
                 was interrupted:\n# run `normcode check`, then the same command again to \
                 complete it. Do not edit.\n",
            );
            text.push_str(&yaml::to_string(&journal)?);
            annotations::write_atomic(&journal_path, text.as_bytes())?;
            for change in &self.coders {
                annotations::write_atomic(&root.join(&change.path), change.text.as_bytes())?;
            }
            for document in &self.documents {
                // A document that is a symbolic link (within the project) is written where it
                // leads, and stays a link.
                let path = root.join(&document.path);
                let target = std::fs::canonicalize(&path).unwrap_or(path);
                annotations::write_atomic(&target, document.text.as_bytes())?;
            }
            if let Some(codebook) = &self.codebook {
                annotations::write_atomic(&root.join(CODEBOOK_FILE), codebook.as_bytes())?;
            }
        }
        if journal_path.exists() {
            std::fs::remove_file(&journal_path)
                .map_err(|e| Error::io(&journal_path, "cannot remove", e))?;
            if let Ok(dir) = std::fs::File::open(&annotations_dir) {
                let _ = dir.sync_all();
            }
        }
        drop(locks);
        Ok(())
    }
}

/// The coders with a `.CODER.lock` file in the annotations folder (held or not).
fn lock_names(annotations_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(annotations_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let coder = name.strip_prefix('.')?.strip_suffix(".lock")?.to_string();
            annotations::valid_coder_name(&coder).then_some(coder)
        })
        .collect()
}

/// The coder whose `.CODER.lock` this is.
fn lock_coder(lock: &CoderLock) -> Option<String> {
    let name = lock.path.file_name()?.to_str()?;
    Some(name.strip_prefix('.')?.strip_suffix(".lock")?.to_string())
}

fn changed_since_planning(what: &str) -> Error {
    Error::Usage(format!(
        "{what} changed since the codebook change was planned; nothing was written, plan it again"
    ))
}
