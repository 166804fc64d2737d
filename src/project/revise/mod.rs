//! Changing the codebook and every coder file with it, in one journaled step.
//!
//! The operations are split in two, so that a front end can show what will happen first:
//!
//! 1. **Plan** (pure, writes nothing): [`ProjectFiles::read`] reads the codebook text and every
//!    coder file; [`plan_rename`], [`plan_merge`], [`plan_retire`] and [`plan_add`] return a
//!    [`Migration`] holding the new codebook text and the new coder files, checked: the new
//!    codebook parses with [`Codebook::parse`] and says exactly what was intended (the other
//!    indicators unchanged), and each coder file serializes and reads back.
//! 2. **Apply**: [`Migration::apply`] locks every coder file (refusing while a normcode session
//!    has one open), checks that no file changed since planning, writes the journal
//!    `annotations/.codebook-migration.yaml`, writes the coder files, then the codebook, each
//!    atomically, and removes the journal. A front end that holds a [`CoderLock`] itself (the
//!    workspace holds its coder's) passes it to [`Migration::apply_holding`]; it must have saved
//!    that coder's file before planning, and reload the project afterwards.
//!
//! ```no_run
//! use std::path::Path;
//! use normcode::project::revise::{self, ProjectFiles, Stamp};
//!
//! # fn main() -> normcode::Result<()> {
//! let root = Path::new("my-study");
//! let files = ProjectFiles::read(root)?;
//! let migration = revise::plan_rename(&files, "IL02", "IHL01", &Stamp::today("alice"))?;
//! println!("{}", migration.summary); // "Renamed indicator IL02 to IHL01."
//! for line in migration.describe_files() {
//!     println!("  {line}"); // "annotations/bob.yaml: 3 annotations recoded, ..."
//! }
//! migration.apply(root)?; // in a workspace session: apply_holding(root, &[&its_lock])
//! // ... then reload the project (codebook and coder files).
//! # Ok(())
//! # }
//! ```
//!
//! The codebook is edited as text, not re-serialized, so that its comments and layout survive:
//! a rename replaces the id scalar where the parser found it, a retire inserts `retired: true`
//! in the indicator's mapping, an add inserts a block at the end of the category's
//! `indicators:` list, a merge removes the merged indicators' blocks (from their `- id:` line to
//! the next item). Each change bumps the minor version and appends a `history:` entry.
//!
//! Several files cannot be replaced atomically together. When a change is interrupted (a crash,
//! a full disk), the journal stays; `normcode check` reports it, and planning the same operation
//! again completes it: a rename whose old id is gone from the codebook (and whose new id is
//! there) only recodes the coder files that still use the old id, and so on. Planning any other
//! operation is refused until then.
//!
//! This lives in [`project`](super), not in [`codebook`](crate::codebook): it works on a
//! project's files (its `codebook.yaml`, every `annotations/CODER.yaml` and the journal), and
//! [`codebook`](crate::codebook) stays the codebook alone, below the project.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use super::{ANNOTATIONS_DIR, CODEBOOK_FILE, coder_names};
use crate::annotations::{self, Annotation, CoderFile, CoderLock};
use crate::codebook::history::{HistoryEntry, bump_minor};
use crate::codebook::{Codebook, Indicator, LangMap, Localized};
use crate::corpus::{CodePointRange, DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result, SourcePos};
use crate::yaml;

/// The journal of a codebook change in progress, in the annotations folder.
pub const JOURNAL_FILE: &str = ".codebook-migration.yaml";

// ----- inputs -----

/// Who makes a change and when: the `by` and `date` of the history entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub by: String,
    pub date: NaiveDate,
}

impl Stamp {
    /// `by`, today (local date).
    pub fn today(by: impl Into<String>) -> Self {
        Self {
            by: by.into(),
            date: chrono::Local::now().date_naive(),
        }
    }
}

/// A new indicator for [`plan_add`]. Text maps are keyed by language (`en`, `zh`); label and
/// definition need every language of the codebook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewIndicator {
    pub id: String,
    /// The id of the category it goes in (at the end of its `indicators:`).
    pub category: String,
    pub label: LangMap,
    pub definition: LangMap,
    pub include: Vec<LangMap>,
    pub exclude: Vec<LangMap>,
    pub examples: Vec<LangMap>,
    pub attributes: BTreeMap<String, String>,
    pub color: Option<String>,
}

/// Label and definition texts to replace, by language, for a new merge target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relabel {
    pub label: LangMap,
    pub definition: LangMap,
}

impl Relabel {
    pub fn is_empty(&self) -> bool {
        self.label.is_empty() && self.definition.is_empty()
    }
}

/// A coder file as read from disk.
#[derive(Debug, Clone)]
pub struct CoderSource {
    pub name: String,
    pub text: String,
    pub file: CoderFile,
}

/// What planning works on: the codebook's text, every coder file, and an unfinished journal.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    pub codebook_text: String,
    /// Every `annotations/CODER.yaml`, by coder name.
    pub coders: Vec<CoderSource>,
    pub journal: Option<Journal>,
}

impl ProjectFiles {
    /// Reads `codebook.yaml`, `annotations/*.yaml` and the journal of the project at `root`.
    pub fn read(root: &Path) -> Result<Self> {
        let codebook_path = root.join(CODEBOOK_FILE);
        let codebook_text = read_text(&codebook_path)?;
        let mut coders = Vec::new();
        for name in coder_names(root)? {
            let path = root.join(ANNOTATIONS_DIR).join(format!("{name}.yaml"));
            let shown = shown_coder_path(&name);
            let text = read_text(&path)?;
            let file = annotations::parse_coder_file(&shown, &text)?;
            file.check_header(&shown, &name)?;
            coders.push(CoderSource { name, text, file });
        }
        Ok(Self {
            codebook_text,
            coders,
            journal: pending_migration(root)?,
        })
    }

    /// The codebook, parsed and checked.
    pub fn codebook(&self) -> Result<Codebook> {
        Codebook::parse(Path::new(CODEBOOK_FILE), &self.codebook_text)
    }

    /// How many annotations of each coder use each code: coder → code → count.
    pub fn code_counts(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        self.coders
            .iter()
            .map(|c| {
                let mut counts = BTreeMap::new();
                for coding in c.file.documents.values() {
                    for a in &coding.annotations {
                        for code in &a.codes {
                            *counts.entry(code.to_string()).or_insert(0) += 1;
                        }
                    }
                }
                (c.name.clone(), counts)
            })
            .collect()
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))
}

fn shown_coder_path(coder: &str) -> PathBuf {
    Path::new(ANNOTATIONS_DIR).join(format!("{coder}.yaml"))
}

// ----- operations and the journal -----

/// A change to the codebook that coder files follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Rename {
        old: String,
        new: String,
    },
    Merge {
        sources: Vec<String>,
        into: String,
    },
    Retire {
        id: String,
    },
    Add {
        id: String,
    },
    /// Texts or category of one indicator.
    Edit {
        id: String,
    },
    Split {
        source: String,
        into: Vec<String>,
    },
}

impl Operation {
    /// The command that does (and, re-run, completes) this operation.
    pub fn command(&self) -> String {
        match self {
            Operation::Rename { old, new } => format!("normcode codebook rename {old} {new}"),
            Operation::Merge { sources, into } => {
                format!(
                    "normcode codebook merge {} --into {into}",
                    sources.join(" ")
                )
            }
            Operation::Retire { id } => format!("normcode codebook retire {id}"),
            Operation::Add { id } => format!("normcode codebook add --id {id} ..."),
            Operation::Edit { id } => format!("normcode codebook edit {id} ..."),
            Operation::Split { source, into } => format!(
                "normcode codebook split {source} --into {} --assign FILE",
                into.join(" ")
            ),
        }
    }

    /// `rename IL02 → IHL01`
    pub fn describe(&self) -> String {
        match self {
            Operation::Rename { old, new } => format!("rename {old} → {new}"),
            Operation::Merge { sources, into } => {
                format!("merge {} into {into}", sources.join(", "))
            }
            Operation::Retire { id } => format!("retire {id}"),
            Operation::Add { id } => format!("add {id}"),
            Operation::Edit { id } => format!("edit {id}"),
            Operation::Split { source, into } => {
                format!("split {source} into {}", into.join(", "))
            }
        }
    }

    fn to_journal_ids(&self) -> (OperationKind, Vec<String>) {
        match self {
            Operation::Rename { old, new } => {
                (OperationKind::Rename, vec![old.clone(), new.clone()])
            }
            Operation::Merge { sources, into } => {
                let mut ids = sources.clone();
                ids.push(into.clone());
                (OperationKind::Merge, ids)
            }
            Operation::Retire { id } => (OperationKind::Retire, vec![id.clone()]),
            Operation::Add { id } => (OperationKind::Add, vec![id.clone()]),
            Operation::Edit { id } => (OperationKind::Edit, vec![id.clone()]),
            Operation::Split { source, into } => {
                let mut ids = vec![source.clone()];
                ids.extend(into.iter().cloned());
                (OperationKind::Split, ids)
            }
        }
    }

    /// The same operation, whatever the order of merge sources.
    fn same_as(&self, other: &Operation) -> bool {
        match (self, other) {
            (
                Operation::Merge {
                    sources: a,
                    into: x,
                },
                Operation::Merge {
                    sources: b,
                    into: y,
                },
            ) => {
                let a: HashSet<&String> = a.iter().collect();
                let b: HashSet<&String> = b.iter().collect();
                a == b && x == y
            }
            _ => self == other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    Rename,
    Merge,
    Retire,
    Add,
    Edit,
    Split,
}

/// `annotations/.codebook-migration.yaml`: written before a change touches any file, removed
/// when every file is written.
///
/// ```yaml
/// operation: rename          # rename | merge | retire | add | edit | split
/// ids: [IL02, IHL01]         # rename: [OLD, NEW]; merge: [SOURCE..., INTO]; retire, add,
///                            # edit: [ID]; split: [SOURCE, INTO...] (and `assignments:`)
/// from_version: "1.0"        # the codebook's version before the change
/// to_version: "1.1"          # and after
/// started: 2026-11-27T08:00:00Z
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub operation: OperationKind,
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<DateTime<Utc>>,
    /// A split: which indicator each coded segment goes to, so that an interrupted split can
    /// be completed without asking again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<SplitAssignment>,
}

impl Journal {
    pub fn operation(&self) -> Result<Operation> {
        let bad = || {
            Error::invalid(
                SourcePos::file(journal_shown()),
                format!(
                    "`ids` does not fit operation {:?}: {}",
                    self.operation,
                    self.ids.join(", ")
                ),
            )
        };
        Ok(match (self.operation, self.ids.as_slice()) {
            (OperationKind::Rename, [old, new]) => Operation::Rename {
                old: old.clone(),
                new: new.clone(),
            },
            (OperationKind::Merge, [sources @ .., into]) if !sources.is_empty() => {
                Operation::Merge {
                    sources: sources.to_vec(),
                    into: into.clone(),
                }
            }
            (OperationKind::Retire, [id]) => Operation::Retire { id: id.clone() },
            (OperationKind::Add, [id]) => Operation::Add { id: id.clone() },
            (OperationKind::Edit, [id]) => Operation::Edit { id: id.clone() },
            (OperationKind::Split, [source, into @ ..]) if !into.is_empty() => Operation::Split {
                source: source.clone(),
                into: into.to_vec(),
            },
            _ => return Err(bad()),
        })
    }

    /// What `normcode check` says about it.
    pub fn describe(&self) -> String {
        let what = match self.operation() {
            Ok(op) => format!(
                "{} (re-run `{}` to complete it)",
                op.describe(),
                op.command()
            ),
            Err(_) => format!("{:?} {}", self.operation, self.ids.join(" ")),
        };
        let versions = match (&self.from_version, &self.to_version) {
            (Some(a), Some(b)) => format!(", codebook version {a} → {b}"),
            _ => String::new(),
        };
        let started = self
            .started
            .map(|s| format!(", started {}", s.format("%Y-%m-%d %H:%M:%S UTC")))
            .unwrap_or_default();
        format!(
            "{}: an unfinished codebook change{versions}{started}: {what}; until then some \
             coder files may use the new ids and others the old",
            journal_shown().display()
        )
    }
}

fn journal_shown() -> PathBuf {
    Path::new(ANNOTATIONS_DIR).join(JOURNAL_FILE)
}

/// The journal of an unfinished codebook change in the project at `root`, if there is one.
pub fn pending_migration(root: &Path) -> Result<Option<Journal>> {
    let path = root.join(ANNOTATIONS_DIR).join(JOURNAL_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = read_text(&path)?;
    yaml::parse(&journal_shown(), &text, 0).map(Some)
}

/// Line and column (1-based) of indicator `id`'s id in the codebook text.
pub fn locate_indicator(codebook_text: &str, id: &str) -> Option<(u64, u64)> {
    let outline = Outline::parse(codebook_text).ok()?;
    let at = outline.indicator(id).ok()?.id.off;
    let src = Src::new(codebook_text);
    let line = src.line_of(at);
    let column = codebook_text[src.start(line)..at].chars().count() + 1;
    Some((line as u64 + 1, column as u64))
}

// ----- the plan -----

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
    /// Things the user should know: mentions of old ids left in the codebook's texts, ...
    pub notes: Vec<String>,
    /// There is a journal of this same operation: this completes it.
    pub completes: bool,
    /// A split's assignments, kept in the journal.
    assignments: Vec<SplitAssignment>,
    /// The files as they were when planned, to refuse applying over later changes.
    codebook_before: String,
    coders_before: BTreeMap<String, String>,
}

impl Migration {
    /// Nothing would be written (apart from removing a finished journal).
    pub fn is_empty(&self) -> bool {
        self.codebook.is_none() && self.coders.is_empty()
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

fn other_journal(journal: &Journal) -> Error {
    Error::Usage(format!(
        "{}\nnothing was changed: complete that change first",
        journal.describe()
    ))
}

// ----- planning -----

/// Renames indicator `old` to `new` in the codebook and in every coder file.
///
/// When `old` is no longer in the codebook and `new` is (an interrupted rename, or a coder file
/// still using an old id), only the coder files are recoded.
pub fn plan_rename(files: &ProjectFiles, old: &str, new: &str, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Rename {
        old: old.to_string(),
        new: new.to_string(),
    };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    if old == new {
        return Err(Error::Usage(format!("'{old}' and '{new}' are the same id")));
    }
    let code_map = HashMap::from([(old.to_string(), new.to_string())]);
    let summary = format!("Renamed indicator {old} to {new}.");
    if !has(old) {
        if has(new) {
            return complete(files, op, summary, &code_map, || {
                format!(
                    "nothing to do: '{old}' is not in the codebook, '{new}' is, and no coder file uses '{old}'"
                )
            });
        }
        return Err(unknown_indicator(&codebook, old));
    }
    if has(new) {
        return Err(Error::Usage(format!(
            "'{new}' is already an indicator; to fold '{old}' into it, use `normcode codebook \
             merge {old} --into {new}`"
        )));
    }
    check_new_id(&codebook, new)?;

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let ind = outline.indicator(old)?;
    let original = &text[ind.id.range()];
    let edit = Edit {
        range: ind.id.range(),
        text: scalar_like(original, new),
    };
    let edited = apply_edits(&text, vec![edit]);

    let mut expected = Shape::of(&codebook);
    expected.rename(old, new);
    let planned = Planned::recoding(op, summary, edited, expected, code_map, &[old]);
    finish(files, &codebook, planned, stamp)
}

/// Merges `sources` into `into`: every coder's annotations that use a source now use `into`
/// (once per annotation), and the sources disappear from the codebook. `into` may be one of
/// the sources, another indicator, or a new id: then it takes the place of the first source,
/// with its texts, except the label and definition texts given in `relabel`.
pub fn plan_merge(
    files: &ProjectFiles,
    sources: &[String],
    into: &str,
    relabel: &Relabel,
    stamp: &Stamp,
) -> Result<Migration> {
    let unique = unique_in_order(sources);
    let op = Operation::Merge {
        sources: unique.clone(),
        into: into.to_string(),
    };
    check_journal(files, &op)?;
    let removed: Vec<&String> = unique.iter().filter(|s| *s != into).collect();
    if removed.is_empty() || (unique.len() < 2 && unique.contains(&into.to_string())) {
        return Err(Error::Usage(
            "a merge needs at least two different indicators: `merge A B --into C`".into(),
        ));
    }
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    let code_map: HashMap<String, String> = removed
        .iter()
        .map(|s| (s.to_string(), into.to_string()))
        .collect();
    let into_is_new = !unique.iter().any(|s| s == into) && !has(into);
    let summary = {
        let names = match removed.as_slice() {
            [one] => format!("indicator {one}"),
            more => {
                let (last, rest) = more.split_last().expect("not empty");
                let rest: Vec<&str> = rest.iter().map(|s| s.as_str()).collect();
                format!("indicators {} and {last}", rest.join(", "))
            }
        };
        let kept: Vec<&String> = unique.iter().filter(|s| *s == into).collect();
        let how = if !kept.is_empty() || has(into) {
            String::new()
        } else if relabel.is_empty() {
            format!(" (new; label and definition from {})", unique[0])
        } else {
            format!(" (new; based on {})", unique[0])
        };
        format!("Merged {names} into {into}{how}.")
    };

    if removed.iter().all(|s| !has(s)) && has(into) {
        return complete(files, op, summary, &code_map, || {
            format!(
                "nothing to do: {} not in the codebook, '{into}' is, and no coder file uses them",
                removed
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    for s in &unique {
        if !has(s) {
            return Err(unknown_indicator(&codebook, s));
        }
    }
    if into_is_new {
        check_new_id(&codebook, into)?;
    } else if !relabel.is_empty() {
        return Err(Error::Usage(format!(
            "'{into}' already exists and keeps its label and definition; the label and \
             definition options are for a new merge target (edit codebook.yaml to change them)"
        )));
    }
    for lang in relabel.label.keys().chain(relabel.definition.keys()) {
        if !codebook.languages.contains(lang) {
            return Err(Error::Usage(format!(
                "the codebook has no language '{lang}' (its languages: {})",
                codebook.languages.join(", ")
            )));
        }
    }

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let mut edits = Vec::new();
    let mut expected = Shape::of(&codebook);

    if into_is_new {
        // The new indicator takes the place of the first source.
        let first = &unique[0];
        let ind = outline.indicator(first)?;
        let block = item_block(&src, ind.id.off, &format!("indicator {first}"))?;
        let new_block = if relabel.is_empty() {
            let range = src.start(block.start)..src.start(block.content_end);
            let mut copy = text[range.clone()].to_string();
            let at = ind.id.off - range.start;
            let id_text = scalar_like(&text[ind.id.range()], into);
            copy.replace_range(at..at + ind.id.len, &id_text);
            copy
        } else {
            let source = codebook
                .indicator(&IndicatorId::from(first.as_str()))
                .expect("checked above");
            let mut item = RenderItem::from_indicator(source);
            item.id = into.to_string();
            item.label.extend(relabel.label.clone());
            item.definition.extend(relabel.definition.clone());
            render_indicator(&item, &codebook.languages, block.dash, block.key, src.nl)
        };
        edits.push(Edit {
            range: src.start(block.start)..src.start(block.content_end),
            text: new_block,
        });
        let mut record = expected.indicators[first.as_str()].clone();
        record.label.0.extend(relabel.label.clone());
        record.definition.0.extend(relabel.definition.clone());
        expected.replace(first, into, record);
    }
    let skip_first = usize::from(into_is_new);
    let to_remove: Vec<&String> = unique
        .iter()
        .skip(skip_first)
        .filter(|s| *s != into)
        .collect();
    edits.extend(removal_edits(&src, &outline, &to_remove)?);
    for s in &to_remove {
        expected.remove(s);
    }
    let edited = apply_edits(&text, edits);
    let gone: Vec<&str> = removed.iter().map(|s| s.as_str()).collect();
    let planned = Planned::recoding(op, summary, edited, expected, code_map, &gone);
    finish(files, &codebook, planned, stamp)
}

/// Marks indicator `id` as `retired: true`: kept for existing annotations and reports, no
/// longer offered for coding. Coder files keep their annotations.
pub fn plan_retire(files: &ProjectFiles, id: &str, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Retire { id: id.to_string() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
        return Err(unknown_indicator(&codebook, id));
    };
    let summary = format!(
        "Retired indicator {id} (kept for existing annotations, no longer offered for coding)."
    );
    if indicator.retired {
        return complete(files, op, summary, &HashMap::new(), || {
            format!("nothing to do: '{id}' is already retired")
        });
    }
    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(id)?;
    let block = item_block(&src, ind.id.off, &format!("indicator {id}"))?;
    let edit = match &ind.retired {
        Some(span) => Edit {
            range: span.range(),
            text: "true".into(),
        },
        None => {
            let at = src.start(block.content_end);
            Edit {
                range: at..at,
                text: format!("{}retired: true{}", " ".repeat(block.key), src.nl),
            }
        }
    };
    let edited = apply_edits(&text, vec![edit]);
    let mut expected = Shape::of(&codebook);
    if let Some(record) = expected.indicators.get_mut(id) {
        record.retired = true;
    }
    let mut notes = Vec::new();
    let own = Src::new(&edited);
    let outline_after = Outline::parse(&edited)?;
    let own_block = item_block(&own, outline_after.indicator(id)?.id.off, id)?;
    mention_note(
        &edited,
        &[id],
        Some(own_block.start..own_block.content_end),
        &mut notes,
    );
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}

/// Adds a new indicator at the end of its category's `indicators:` list, checked like the
/// loader checks the codebook (unique id, label and definition in every language, known
/// category and attributes).
pub fn plan_add(files: &ProjectFiles, new: &NewIndicator, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Add { id: new.id.clone() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let id = new.id.as_str();
    let summary = format!(
        "Added indicator {id} ({}) to category {}.",
        new.label
            .get(codebook.language())
            .or_else(|| new.label.values().next())
            .map(String::as_str)
            .unwrap_or(""),
        new.category
    );
    if codebook.indicator(&IndicatorId::from(id)).is_some()
        && files
            .journal
            .as_ref()
            .is_some_and(|j| j.operation().is_ok_and(|o| o.same_as(&op)))
    {
        return complete(files, op, summary, &HashMap::new(), || {
            format!("nothing to do: '{id}' is already in the codebook")
        });
    }
    check_new_id(&codebook, id)?;
    let Some(category) = codebook
        .categories
        .iter()
        .position(|c| c.id == new.category)
    else {
        let known: Vec<&str> = codebook.categories.iter().map(|c| c.id.as_str()).collect();
        return Err(Error::Usage(format!(
            "there is no category '{}'; the categories are: {}",
            new.category,
            known.join(", ")
        )));
    };
    for (what, map) in [("label", &new.label), ("definition", &new.definition)] {
        for lang in &codebook.languages {
            if map.get(lang).is_none_or(|t| t.trim().is_empty()) {
                return Err(Error::Usage(format!(
                    "the new indicator needs a {what} in '{lang}' (--{what}-{lang}); the \
                     codebook's languages are {}",
                    codebook.languages.join(", ")
                )));
            }
        }
    }
    let item = RenderItem {
        id: id.to_string(),
        label: new.label.clone(),
        definition: new.definition.clone(),
        include: nonempty(&new.include),
        exclude: nonempty(&new.exclude),
        examples: nonempty(&new.examples),
        attributes: new.attributes.clone(),
        color: new.color.clone(),
        retired: false,
    };

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let edit = append_edit(
        &src,
        &outline,
        &new.category,
        std::slice::from_ref(&item),
        &codebook.languages,
    )?;
    let edited = apply_edits(&text, vec![edit]);
    let mut expected = Shape::of(&codebook);
    let category_id = &codebook.categories[category].id;
    expected.add(category_id, id, Record::of_item(category_id, &item));
    let notes = vec![format!(
        "documents already marked done were coded without {id}; review them for it"
    )];
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}

/// Changes to one indicator for [`plan_edit`]. Texts are keyed by language; a language given
/// replaces that language's text, the others are kept. A list given replaces the whole list
/// (an empty list removes it). `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorEdit {
    pub label: LangMap,
    pub definition: LangMap,
    pub include: Option<Vec<LangMap>>,
    pub exclude: Option<Vec<LangMap>>,
    pub examples: Option<Vec<LangMap>>,
    /// Move it to the end of this category.
    pub category: Option<String>,
}

/// Edits indicator `id`'s label, definition, rules and examples, and moves it to another
/// category. Annotations keep their code, so coder files change only their
/// `codebook_version`. The indicator's entry is written anew in the codebook's layout; comments
/// inside it are not kept (a note says so), those above it move with it.
pub fn plan_edit(
    files: &ProjectFiles,
    id: &str,
    change: &IndicatorEdit,
    stamp: &Stamp,
) -> Result<Migration> {
    let op = Operation::Edit { id: id.to_string() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
        return Err(unknown_indicator(&codebook, id));
    };
    let old_category = codebook.categories[indicator.category].id.clone();
    for (what, map) in [("label", &change.label), ("definition", &change.definition)] {
        for (lang, text) in map {
            check_language(&codebook, lang)?;
            if text.trim().is_empty() {
                return Err(Error::Usage(format!(
                    "the {what} in '{lang}' cannot be empty"
                )));
            }
        }
    }
    for items in [&change.include, &change.exclude, &change.examples]
        .into_iter()
        .flatten()
    {
        for lang in items.iter().flat_map(|m| m.keys()) {
            check_language(&codebook, lang)?;
        }
    }
    let new_category = match &change.category {
        Some(c) if *c != old_category => {
            if !codebook.categories.iter().any(|k| k.id == *c) {
                return Err(unknown_category(&codebook, c));
            }
            Some(c.clone())
        }
        _ => None,
    };

    let mut item = RenderItem::from_indicator(indicator);
    item.label.extend(change.label.clone());
    item.definition.extend(change.definition.clone());
    let mut changed = Vec::new();
    for lang in &codebook.languages {
        if item.label.get(lang) != indicator.label.0.get(lang) {
            changed.push(format!("label ({lang})"));
        }
    }
    for lang in &codebook.languages {
        if item.definition.get(lang) != indicator.definition.0.get(lang) {
            changed.push(format!("definition ({lang})"));
        }
    }
    for (name, given, list) in [
        ("include", &change.include, &mut item.include),
        ("exclude", &change.exclude, &mut item.exclude),
        ("examples", &change.examples, &mut item.examples),
    ] {
        if let Some(items) = given {
            let items = nonempty(items);
            if items != *list {
                changed.push(name.to_string());
                *list = items;
            }
        }
    }
    if changed.is_empty() && new_category.is_none() {
        return Err(Error::Usage(format!(
            "nothing to change: {id} already says that"
        )));
    }
    let summary = match (&new_category, changed.is_empty()) {
        (Some(to), true) => format!("Moved indicator {id} from category {old_category} to {to}."),
        (Some(to), false) => format!(
            "Edited indicator {id} ({}) and moved it from category {old_category} to {to}.",
            changed.join(", ")
        ),
        (None, _) => format!("Edited indicator {id} ({}).", changed.join(", ")),
    };

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(id)?;
    let what = format!("indicator {id}");
    let block = item_block(&src, ind.id.off, &what)?;
    let mut notes = Vec::new();
    if !changed.is_empty() && (block.start + 1..block.content_end).any(|l| src.comment(l)) {
        notes.push(format!(
            "the comments inside {id}'s entry in {CODEBOOK_FILE} were not kept (it was written anew)"
        ));
    }
    let mut edits = Vec::new();
    match &new_category {
        None => edits.push(Edit {
            range: src.start(block.start)..src.start(block.content_end),
            text: render_indicator(&item, &codebook.languages, block.dash, block.key, src.nl),
        }),
        Some(to) => {
            // Comments directly above the entry go with it.
            let mut moved = src.text[src.start(block.attached)..src.start(block.start)].to_string();
            let id_string = id.to_string();
            edits.extend(removal_edits(&src, &outline, &[&id_string])?);
            // Moved as written when only the category changes, written anew when edited too.
            let original = &src.text[src.start(block.start)..src.start(block.content_end)];
            let languages = &codebook.languages;
            let mut append = append_blocks(&src, &outline, to, &|dash, key| {
                if changed.is_empty() {
                    vec![reindent(original, block.dash, dash)]
                } else {
                    vec![render_indicator(&item, languages, dash, key, src.nl)]
                }
            })?;
            if !moved.is_empty()
                && let Some((at, indent)) = first_item_line(&append.text)
            {
                // Re-indented like the new entry.
                moved = moved
                    .lines()
                    .map(|l| format!("{}{}{}", " ".repeat(indent), l.trim_start(), src.nl))
                    .collect();
                append.text.insert_str(at, &moved);
            }
            edits.push(append);
        }
    }
    let edited = apply_edits(&text, edits);
    let mut expected = Shape::of(&codebook);
    let record = Record::of_item(new_category.as_deref().unwrap_or(&old_category), &item);
    match &new_category {
        Some(to) => {
            expected.remove(id);
            expected.add(to, id, record);
        }
        None => {
            expected.indicators.insert(id.to_string(), record);
        }
    }
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}

/// `block` (an item whose `-` is at column `from`) with its `-` at column `to`.
fn reindent(block: &str, from: usize, to: usize) -> String {
    block
        .split_inclusive('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            if line.trim().is_empty() {
                line.to_string()
            } else {
                let new = (indent + to).saturating_sub(from);
                format!("{}{}", " ".repeat(new), &line[indent..])
            }
        })
        .collect()
}

/// Byte offset and indentation of the first line of `text` that starts a list item (`-`).
fn first_item_line(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        if trimmed.starts_with('-') {
            return Some((at, line.len() - trimmed.len()));
        }
        at += line.len();
    }
    None
}

fn check_language(codebook: &Codebook, lang: &str) -> Result<()> {
    if codebook.languages.iter().any(|l| l == lang) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "the codebook has no language '{lang}' (its languages: {})",
            codebook.languages.join(", ")
        )))
    }
}

fn unknown_category(codebook: &Codebook, id: &str) -> Error {
    let known: Vec<&str> = codebook.categories.iter().map(|c| c.id.as_str()).collect();
    Error::Usage(format!(
        "there is no category '{id}'; the categories are: {}",
        known.join(", ")
    ))
}

/// One coded segment of a split and the indicator it goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitAssignment {
    pub coder: String,
    pub document: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<CodePointRange>,
    /// The indicator it goes to.
    pub into: String,
}

impl SplitAssignment {
    fn key(&self) -> SegmentKey {
        SegmentKey {
            coder: self.coder.clone(),
            document: self.document.clone(),
            unit: self.unit.clone(),
            span: self.span,
        }
    }
}

/// Where an annotation is: what a split assignment names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SegmentKey {
    coder: String,
    document: String,
    unit: String,
    span: Option<CodePointRange>,
}

impl SegmentKey {
    fn of(coder: &str, document: &DocumentId, annotation: &Annotation) -> Self {
        Self {
            coder: coder.to_string(),
            document: document.as_str().to_string(),
            unit: annotation.unit.as_str().to_string(),
            span: annotation.span,
        }
    }
}

/// An annotation that uses the indicator being split, for a front end to show and assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSegment {
    pub coder: String,
    pub document: DocumentId,
    pub unit: UnitId,
    pub span: Option<CodePointRange>,
    pub quote: Option<String>,
    pub memo: Option<String>,
    pub codes: Vec<IndicatorId>,
}

impl SplitSegment {
    /// This segment goes to `into`.
    pub fn assign(&self, into: &str) -> SplitAssignment {
        SplitAssignment {
            coder: self.coder.clone(),
            document: self.document.as_str().to_string(),
            unit: self.unit.as_str().to_string(),
            span: self.span,
            into: into.to_string(),
        }
    }
}

/// Every coder's annotations that use `source`, by coder, then document, in file order. Two
/// annotations of one coder on the same place are one segment (they get the same target).
pub fn split_segments(files: &ProjectFiles, source: &str) -> Vec<SplitSegment> {
    let mut seen = HashSet::new();
    let mut segments = Vec::new();
    for coder in &files.coders {
        for (document, coding) in &coder.file.documents {
            for a in &coding.annotations {
                if a.codes.iter().any(|c| c.as_str() == source)
                    && seen.insert(SegmentKey::of(&coder.name, document, a))
                {
                    segments.push(SplitSegment {
                        coder: coder.name.clone(),
                        document: document.clone(),
                        unit: a.unit.clone(),
                        span: a.span,
                        quote: a.quote.clone(),
                        memo: a.memo.clone(),
                        codes: a.codes.clone(),
                    });
                }
            }
        }
    }
    segments
}

/// Splits indicator `source` into the indicators `into`: each segment in `assignments` (see
/// [`split_segments`]) is recoded from `source` to its target, in every coder's file. Targets
/// that are not in the codebook yet are created in `source`'s place, with its texts (the label
/// marked with the new id) for the user to refine with [`plan_edit`]. When every segment is
/// assigned, `source` leaves the codebook; otherwise it is retired and keeps the others.
pub fn plan_split(
    files: &ProjectFiles,
    source: &str,
    into: &[String],
    assignments: &[SplitAssignment],
    stamp: &Stamp,
) -> Result<Migration> {
    let targets = unique_in_order(into);
    let op = Operation::Split {
        source: source.to_string(),
        into: targets.clone(),
    };
    check_journal(files, &op)?;
    if targets.is_empty() {
        return Err(Error::Usage(
            "a split needs the indicators to split into: `split ID --into A B`".into(),
        ));
    }
    if targets.iter().any(|t| t == source) {
        return Err(Error::Usage(format!(
            "'{source}' cannot be split into itself; leave the segments that stay with it \
             unassigned"
        )));
    }
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    // An interrupted split: the journal has the assignments.
    let journal_assignments = files
        .journal
        .as_ref()
        .filter(|j| j.operation().is_ok_and(|o| o.same_as(&op)))
        .map(|j| j.assignments.clone());
    let assignments: Vec<SplitAssignment> = match &journal_assignments {
        Some(saved) if assignments.is_empty() => saved.clone(),
        _ => assignments.to_vec(),
    };
    let source_done = codebook
        .indicator(&IndicatorId::from(source))
        .is_none_or(|i| i.retired);
    if journal_assignments.is_some() && source_done && targets.iter().all(|t| has(t)) {
        let versions = journal_versions(files);
        let coders = migrate_split(
            files,
            source,
            &assignments,
            versions.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )?;
        let summary = format!("Split indicator {source} into {}.", targets.join(", "));
        let mut migration = complete_with(files, op, summary, coders, String::new)?;
        migration.assignments = assignments;
        return Ok(migration);
    }
    let Some(indicator) = codebook.indicator(&IndicatorId::from(source)) else {
        return Err(unknown_indicator(&codebook, source));
    };
    let mut new_targets = Vec::new();
    for t in &targets {
        if !has(t) {
            check_new_id(&codebook, t)?;
            new_targets.push(t.clone());
        }
    }
    let segments = split_segments(files, source);
    let known: HashSet<SegmentKey> = segments
        .iter()
        .map(|s| SegmentKey {
            coder: s.coder.clone(),
            document: s.document.as_str().to_string(),
            unit: s.unit.as_str().to_string(),
            span: s.span,
        })
        .collect();
    let mut assigned: HashMap<SegmentKey, &str> = HashMap::new();
    for (n, a) in assignments.iter().enumerate() {
        if !targets.contains(&a.into) {
            return Err(Error::Usage(format!(
                "assignment {} ({} {} {}) goes to '{}', which is not one of {}",
                n + 1,
                a.coder,
                a.document,
                a.unit,
                a.into,
                targets.join(", ")
            )));
        }
        let key = a.key();
        if !known.contains(&key) {
            return Err(Error::Usage(format!(
                "assignment {} names no annotation of {source}: coder {}, document {}, unit {}{}",
                n + 1,
                a.coder,
                a.document,
                a.unit,
                a.span
                    .map(|s| format!(", span {}-{}", s.start, s.end))
                    .unwrap_or_default()
            )));
        }
        if let Some(before) = assigned.insert(key, &a.into)
            && before != a.into
        {
            return Err(Error::Usage(format!(
                "assignment {} gives a segment to {} that an earlier one gave to {before}",
                n + 1,
                a.into
            )));
        }
    }
    if assigned.is_empty() {
        return Err(Error::Usage(format!(
            "no segment of {source} is assigned to {}; {} segment{} use{} it",
            targets.join(", "),
            segments.len(),
            if segments.len() == 1 { "" } else { "s" },
            if segments.len() == 1 { "s" } else { "" },
        )));
    }
    let left = segments.len() - assigned.len();
    let counts: Vec<String> = targets
        .iter()
        .map(|t| {
            let n = assigned.values().filter(|v| **v == t.as_str()).count();
            format!("{n} to {t}")
        })
        .collect();
    let summary = format!(
        "Split indicator {source} into {} ({} segment{}: {}{}).",
        targets.join(", "),
        assigned.len(),
        if assigned.len() == 1 { "" } else { "s" },
        counts.join(", "),
        if left > 0 {
            format!("; {left} left with {source}, now retired")
        } else {
            String::new()
        }
    );

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(source)?;
    let block = item_block(&src, ind.id.off, &format!("indicator {source}"))?;
    let spaced = (block.content_end < src.lines() && src.blank(block.content_end))
        || (block.attached > 0 && src.blank(block.attached - 1));
    let source_label = indicator.label.clone();
    let new_items: Vec<RenderItem> = new_targets
        .iter()
        .map(|t| {
            let mut item = RenderItem::from_indicator(indicator);
            item.id = t.clone();
            item.label = source_label
                .0
                .iter()
                .map(|(lang, text)| (lang.clone(), format!("{text} ({t})")))
                .collect();
            item.examples.clear();
            item.retired = false;
            item
        })
        .collect();
    let rendered: Vec<String> = new_items
        .iter()
        .map(|item| render_indicator(item, &codebook.languages, block.dash, block.key, src.nl))
        .collect();
    let mut edits = Vec::new();
    let category = codebook.categories[indicator.category].id.clone();
    let mut expected = Shape::of(&codebook);
    let new_records: Vec<(String, Record)> = new_items
        .iter()
        .map(|item| {
            let mut record = expected.indicators[source].clone();
            record.label = Localized(item.label.clone());
            record.examples.clear();
            record.retired = false;
            (item.id.clone(), record)
        })
        .collect();
    if left == 0 {
        if rendered.is_empty() {
            let source_id = source.to_string();
            edits.extend(removal_edits(&src, &outline, &[&source_id])?);
        } else {
            let joined = rendered.join(if spaced { src.nl } else { "" });
            edits.push(Edit {
                range: src.start(block.start)..src.start(block.content_end),
                text: joined,
            });
        }
        expected.insert_at(&category, source, &new_records, true);
    } else {
        let at = src.start(block.content_end);
        let mut insert = String::new();
        match &ind.retired {
            Some(span) if !indicator.retired => edits.push(Edit {
                range: span.range(),
                text: "true".into(),
            }),
            Some(_) => {}
            None => insert.push_str(&format!("{}retired: true{}", " ".repeat(block.key), src.nl)),
        }
        for r in &rendered {
            if spaced {
                insert.push_str(src.nl);
            }
            insert.push_str(r);
        }
        edits.push(Edit {
            range: at..at,
            text: insert,
        });
        if let Some(record) = expected.indicators.get_mut(source) {
            record.retired = true;
        }
        expected.insert_at(&category, source, &new_records, false);
    }
    let edited = apply_edits(&text, edits);
    let mut notes = Vec::new();
    if !new_targets.is_empty() {
        notes.push(format!(
            "{} got {source}'s texts: give {} its own label and definition \
             (`normcode codebook edit`, or `E` in the workspace)",
            new_targets.join(" and "),
            if new_targets.len() == 1 { "it" } else { "each" }
        ));
    }
    if left == 0 {
        mention_note(&edited, &[source], None, &mut notes);
    }
    let mut sorted: Vec<SplitAssignment> = assignments;
    sorted.sort_by(|a, b| {
        (&a.coder, &a.document, &a.unit, a.span).cmp(&(&b.coder, &b.document, &b.unit, b.span))
    });
    sorted.dedup();
    finish(
        files,
        &codebook,
        Planned {
            op,
            summary,
            text: edited,
            expected,
            code_map: HashMap::new(),
            split: Some((source.to_string(), sorted)),
            notes,
        },
        stamp,
    )
}

/// An edit that appends `items` at the end of category `category`'s `indicators:` list, laid
/// out like the indicators already there.
fn append_edit(
    src: &Src,
    outline: &Outline,
    category: &str,
    items: &[RenderItem],
    languages: &[String],
) -> Result<Edit> {
    append_blocks(src, outline, category, &|dash, key| {
        items
            .iter()
            .map(|item| render_indicator(item, languages, dash, key, src.nl))
            .collect()
    })
}

/// Like [`append_edit`], with the entries' text from `blocks(dash column, key column)`.
fn append_blocks(
    src: &Src,
    outline: &Outline,
    category: &str,
    blocks: &dyn Fn(usize, usize) -> Vec<String>,
) -> Result<Edit> {
    let text = src.text;
    let cat = outline
        .categories
        .iter()
        .find(|c| c.id == category)
        .ok_or_else(|| Error::Usage(format!("there is no category '{category}'")))?;
    let what = format!("category {category}");
    let cat_block = item_block(src, cat.id_span.off, &what)?;
    let render_all = |dash: usize, key: usize, spaced: bool| {
        let mut block = String::new();
        for item in blocks(dash, key) {
            if spaced {
                block.push_str(src.nl);
            }
            block.push_str(&item);
        }
        block
    };
    Ok(match (&cat.list, cat.indicators.last()) {
        (Some(_), Some(&last)) => {
            // After the last indicator, spaced like the others.
            let last_block = item_block(
                src,
                outline.indicators[last].id.off,
                &format!("indicator {}", outline.indicators[last].name),
            )?;
            let spaced = match cat.indicators.as_slice() {
                [_, second, ..] => {
                    let b = item_block(src, outline.indicators[*second].id.off, "indicator")?;
                    b.attached > 0 && src.blank(b.attached - 1)
                }
                _ => last_block.content_end < src.lines() && src.blank(last_block.content_end),
            };
            let at = src.start(last_block.content_end);
            Edit {
                range: at..at,
                text: render_all(last_block.dash, last_block.key, spaced),
            }
        }
        (Some(list), None) => {
            // `indicators: []`: the list becomes a block list.
            let line = src.line_of(list.off);
            if !text[list.off..].starts_with('[') {
                return Err(unsupported(src, list.off, &what));
            }
            let close = text[list.off..src.end_of_line(line)]
                .find(']')
                .map(|i| list.off + i + 1)
                .ok_or_else(|| unsupported(src, list.off, &what))?;
            let dash = cat_block.key + 2;
            open_empty_list(src, list.off, close, &render_all(dash, dash + 2, false))
        }
        (None, _) => {
            // No `indicators:` yet: before the nested `categories:`, else at the end.
            let key = cat_block.key;
            let at_line = (cat_block.start + 1..cat_block.content_end)
                .find(|&l| src.indent(l) == key && src.line(l)[key..].starts_with("categories:"))
                .unwrap_or(cat_block.content_end);
            let mut block = format!("{}indicators:{}", " ".repeat(key), src.nl);
            block.push_str(&render_all(key + 2, key + 4, false));
            let at = src.start(at_line);
            Edit {
                range: at..at,
                text: block,
            }
        }
    })
}

/// `ids` without repeats, in their first order.
fn unique_in_order(ids: &[String]) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    unique
}

fn nonempty(items: &[LangMap]) -> Vec<LangMap> {
    items
        .iter()
        .map(|m| {
            m.iter()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<LangMap>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

/// Refuses while a journal of another operation is pending.
fn check_journal(files: &ProjectFiles, op: &Operation) -> Result<()> {
    if let Some(journal) = &files.journal {
        let theirs = journal.operation()?;
        if !theirs.same_as(op) {
            return Err(other_journal(journal));
        }
    }
    Ok(())
}

fn unknown_indicator(codebook: &Codebook, id: &str) -> Error {
    if codebook.categories.iter().any(|c| c.id == id) {
        return Error::Usage(format!(
            "'{id}' is a category, not an indicator; only indicators can be changed this way"
        ));
    }
    let lower = id.to_lowercase();
    let similar: Vec<&str> = codebook
        .indicators
        .iter()
        .map(|i| i.id.as_str())
        .filter(|c| {
            let c = c.to_lowercase();
            c == lower || c.contains(&lower) || (lower.len() >= 3 && lower.contains(&c))
        })
        .take(5)
        .collect();
    let hint = if similar.is_empty() {
        "`normcode codebook list` shows the ids".to_string()
    } else {
        format!("did you mean {}?", similar.join(", "))
    };
    Error::Usage(format!(
        "there is no indicator '{id}' in the codebook; {hint}"
    ))
}

/// A new id: allowed characters, not taken by an indicator or category.
fn check_new_id(codebook: &Codebook, id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Error::Usage(format!(
            "'{id}' cannot be an id: use letters, digits, '_', '-' and '.'"
        )));
    }
    if codebook.indicator(&IndicatorId::from(id)).is_some() {
        return Err(Error::Usage(format!("'{id}' is already an indicator")));
    }
    if codebook.categories.iter().any(|c| c.id == id) {
        return Err(Error::Usage(format!(
            "'{id}' is already a category id (ids are unique across the codebook)"
        )));
    }
    Ok(())
}

/// A codebook edit, before version and history.
struct Planned {
    op: Operation,
    summary: String,
    text: String,
    expected: Shape,
    code_map: HashMap<String, String>,
    /// A split recodes by segment instead of by `code_map`: its source and assignments.
    split: Option<(String, Vec<SplitAssignment>)>,
    notes: Vec<String>,
}

impl Planned {
    /// A change of the codebook alone: coder files only move to the new version.
    fn codebook_only(
        op: Operation,
        summary: String,
        text: String,
        expected: Shape,
        notes: Vec<String>,
    ) -> Self {
        Self {
            op,
            summary,
            text,
            expected,
            code_map: HashMap::new(),
            split: None,
            notes,
        }
    }

    /// A change that recodes annotations by `code_map`, with a note for every place the new
    /// codebook still mentions one of the `gone` ids.
    fn recoding(
        op: Operation,
        summary: String,
        text: String,
        expected: Shape,
        code_map: HashMap<String, String>,
        gone: &[&str],
    ) -> Self {
        let mut notes = Vec::new();
        mention_note(&text, gone, None, &mut notes);
        Self {
            op,
            summary,
            text,
            expected,
            code_map,
            split: None,
            notes,
        }
    }
}

/// Adds version and history, checks the new codebook, and migrates the coder files.
fn finish(
    files: &ProjectFiles,
    old: &Codebook,
    planned: Planned,
    stamp: &Stamp,
) -> Result<Migration> {
    let from = old.version.clone();
    let to = bump_minor(&from);
    let entry = HistoryEntry {
        version: to.clone(),
        date: Some(stamp.date.format("%Y-%m-%d").to_string()),
        by: Some(stamp.by.clone()),
        changes: vec![planned.summary.clone()],
    };
    let text = record_version(&planned.text, &entry)?;
    let new = Codebook::parse(Path::new(CODEBOOK_FILE), &text).map_err(|err| {
        Error::Usage(format!(
            "the changed codebook would not be valid, so nothing was written: {err}"
        ))
    })?;
    let mut expected = planned.expected;
    expected.version = to.clone();
    expected.history.push(entry);
    let actual = Shape::of(&new);
    if actual != expected {
        return Err(Error::Usage(format!(
            "editing {CODEBOOK_FILE} in place did not give the intended result ({}), so nothing \
             was written; its layout may be unusual there: make the change by hand",
            expected.first_difference(&actual)
        )));
    }
    let coders = match &planned.split {
        Some((source, assignments)) => {
            migrate_split(files, source, assignments, Some((&from, &to)))?
        }
        None => migrate_coders(files, &planned.code_map, Some((&from, &to)))?,
    };
    Ok(Migration {
        operation: planned.op,
        summary: planned.summary,
        versions: Some((from, to)),
        codebook: Some(text),
        coders,
        notes: planned.notes,
        completes: files.journal.is_some(),
        assignments: planned.split.map(|(_, a)| a).unwrap_or_default(),
        codebook_before: files.codebook_text.clone(),
        coders_before: files
            .coders
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect(),
    })
}

/// The codebook already says it: only the coder files follow (and a journal is removed).
fn complete(
    files: &ProjectFiles,
    op: Operation,
    summary: String,
    code_map: &HashMap<String, String>,
    nothing: impl FnOnce() -> String,
) -> Result<Migration> {
    let versions = journal_versions(files);
    let coders = migrate_coders(
        files,
        code_map,
        versions.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
    )?;
    complete_with(files, op, summary, coders, nothing)
}

/// The versions an unfinished change moves between, from its journal.
fn journal_versions(files: &ProjectFiles) -> Option<(String, String)> {
    files
        .journal
        .as_ref()
        .and_then(|j| Some((j.from_version.clone()?, j.to_version.clone()?)))
}

/// Like [`complete`], with the coder files already recoded.
fn complete_with(
    files: &ProjectFiles,
    op: Operation,
    summary: String,
    coders: Vec<CoderChange>,
    nothing: impl FnOnce() -> String,
) -> Result<Migration> {
    if coders.is_empty() && files.journal.is_none() {
        return Err(Error::Usage(nothing()));
    }
    Ok(Migration {
        operation: op,
        summary,
        versions: journal_versions(files),
        codebook: None,
        coders,
        notes: Vec::new(),
        completes: true,
        assignments: Vec::new(),
        codebook_before: files.codebook_text.clone(),
        coders_before: files
            .coders
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect(),
    })
}

/// Recodes every coder file with `map` (old code → new code, deduplicated per annotation), and
/// moves `codebook_version` from the old version to the new one where it was the old (or
/// already the new: an interrupted change). Only files that change are returned.
fn migrate_coders(
    files: &ProjectFiles,
    map: &HashMap<String, String>,
    versions: Option<(&str, &str)>,
) -> Result<Vec<CoderChange>> {
    migrate_coders_with(files, versions, |_, _, annotation| {
        annotation
            .codes
            .iter()
            .any(|c| map.contains_key(c.as_str()))
            .then(|| {
                annotation
                    .codes
                    .iter()
                    .map(|c| match map.get(c.as_str()) {
                        Some(new) => IndicatorId::new(new.clone()),
                        None => c.clone(),
                    })
                    .collect()
            })
    })
}

/// Recodes the segments of a split: each assigned annotation using `source` uses its target
/// instead; unassigned ones keep `source`.
fn migrate_split(
    files: &ProjectFiles,
    source: &str,
    assignments: &[SplitAssignment],
    versions: Option<(&str, &str)>,
) -> Result<Vec<CoderChange>> {
    let targets: HashMap<SegmentKey, &str> = assignments
        .iter()
        .map(|a| (a.key(), a.into.as_str()))
        .collect();
    migrate_coders_with(files, versions, |coder, document, annotation| {
        if !annotation.codes.iter().any(|c| c.as_str() == source) {
            return None;
        }
        let key = SegmentKey::of(coder, document, annotation);
        let into = targets.get(&key)?;
        Some(
            annotation
                .codes
                .iter()
                .map(|c| {
                    if c.as_str() == source {
                        IndicatorId::from(*into)
                    } else {
                        c.clone()
                    }
                })
                .collect(),
        )
    })
}

/// Recodes every coder file: `recode(coder, document, annotation)` gives an annotation's new
/// codes (deduplicated and sorted here), or `None` to leave it. See [`migrate_coders`] for the
/// versions.
fn migrate_coders_with(
    files: &ProjectFiles,
    versions: Option<(&str, &str)>,
    recode: impl Fn(&str, &DocumentId, &Annotation) -> Option<Vec<IndicatorId>>,
) -> Result<Vec<CoderChange>> {
    let mut changes = Vec::new();
    for source in &files.coders {
        let mut file = source.file.clone();
        let mut recoded = 0;
        for (document, coding) in file.documents.iter_mut() {
            let new_codes: Vec<(usize, Vec<IndicatorId>)> = coding
                .annotations
                .iter()
                .enumerate()
                .filter_map(|(i, annotation)| {
                    let mut codes = recode(&source.name, document, annotation)?;
                    codes.sort();
                    codes.dedup();
                    (codes != annotation.codes).then_some((i, codes))
                })
                .collect();
            if new_codes.is_empty() {
                continue;
            }
            // Documents are shared with the file as read: copied only when they change.
            let coding = std::sync::Arc::make_mut(coding);
            for (i, codes) in new_codes {
                coding.annotations[i].codes = codes;
                recoded += 1;
            }
        }
        let mut version = None;
        if let Some((from, to)) = versions
            && file.codebook_version.as_deref() == Some(from)
            && from != to
        {
            version = Some((from.to_string(), to.to_string()));
            file.codebook_version = Some(to.to_string());
        }
        if recoded == 0 && version.is_none() {
            continue;
        }
        let shown = shown_coder_path(&source.name);
        let text = yaml::to_string(&file)?;
        let back: CoderFile = yaml::parse(&shown, &text, 0)?;
        if back != file {
            return Err(Error::Usage(format!(
                "{}: the recoded file does not read back the same, so nothing was written",
                shown.display()
            )));
        }
        changes.push(CoderChange {
            coder: source.name.clone(),
            path: shown,
            recoded,
            version,
            file,
            text,
        });
    }
    Ok(changes)
}

/// Notes the lines of `text` (outside comments, the history and `skip`) that still mention one
/// of `ids`, e.g. an exclude rule saying "code IL02".
fn mention_note(text: &str, ids: &[&str], skip: Option<Range<usize>>, notes: &mut Vec<String>) {
    let src = Src::new(text);
    let history = top_level_block(&src, "history");
    for id in ids {
        let lines: Vec<String> = (0..src.lines())
            .filter(|l| !src.comment(*l))
            .filter(|l| !skip.as_ref().is_some_and(|r| r.contains(l)))
            .filter(|l| !history.as_ref().is_some_and(|r| r.contains(l)))
            .filter(|l| mentions(src.line(*l), id))
            .map(|l| (l + 1).to_string())
            .collect();
        if !lines.is_empty() {
            notes.push(format!(
                "{CODEBOOK_FILE} still mentions {id} on line{} {}: edit those texts by hand",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            ));
        }
    }
}

/// `id` as a whole word in `line`.
fn mentions(line: &str, id: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(id).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + id.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

// ----- the expected result -----

/// What a codebook says, to compare the edited text with the intended change.
#[derive(Debug, Clone, PartialEq)]
struct Shape {
    name: String,
    version: String,
    languages: Vec<String>,
    /// Category id, parent id, its indicator ids in order.
    categories: Vec<(String, Option<String>, Vec<String>)>,
    indicators: BTreeMap<String, Record>,
    history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq)]
struct Record {
    category: String,
    label: Localized,
    definition: Localized,
    include: Vec<Localized>,
    exclude: Vec<Localized>,
    examples: Vec<Localized>,
    attributes: BTreeMap<String, String>,
    color: Option<String>,
    retired: bool,
}

impl Record {
    /// What the codebook should say of `item` in `category`.
    fn of_item(category: &str, item: &RenderItem) -> Self {
        let localized = |items: &[LangMap]| items.iter().map(|m| Localized(m.clone())).collect();
        Self {
            category: category.to_string(),
            label: Localized(item.label.clone()),
            definition: Localized(item.definition.clone()),
            include: localized(&item.include),
            exclude: localized(&item.exclude),
            examples: localized(&item.examples),
            attributes: item.attributes.clone(),
            color: item.color.clone(),
            retired: item.retired,
        }
    }
}

impl Shape {
    fn of(codebook: &Codebook) -> Self {
        let categories = codebook
            .categories
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.parent.map(|p| codebook.categories[p].id.clone()),
                    c.indicators
                        .iter()
                        .map(|&i| codebook.indicators[i].id.to_string())
                        .collect(),
                )
            })
            .collect();
        let indicators = codebook
            .indicators
            .iter()
            .map(|i| {
                (
                    i.id.to_string(),
                    Record {
                        category: codebook.categories[i.category].id.clone(),
                        label: i.label.clone(),
                        definition: i.definition.clone(),
                        include: i.include.clone(),
                        exclude: i.exclude.clone(),
                        examples: i.examples.clone(),
                        attributes: i.attributes.clone(),
                        color: i.color.clone(),
                        retired: i.retired,
                    },
                )
            })
            .collect();
        Self {
            name: codebook.name.clone(),
            version: codebook.version.clone(),
            languages: codebook.languages.clone(),
            categories,
            indicators,
            history: codebook.history().to_vec(),
        }
    }

    fn rename(&mut self, old: &str, new: &str) {
        let record = self.indicators.remove(old).expect("exists");
        self.replace_in_lists(old, Some(new));
        self.indicators.insert(new.to_string(), record);
    }

    fn replace(&mut self, old: &str, new: &str, record: Record) {
        self.indicators.remove(old);
        self.replace_in_lists(old, Some(new));
        self.indicators.insert(new.to_string(), record);
    }

    fn remove(&mut self, id: &str) {
        self.indicators.remove(id);
        self.replace_in_lists(id, None);
    }

    fn add(&mut self, category: &str, id: &str, record: Record) {
        for (c, _, list) in &mut self.categories {
            if c == category {
                list.push(id.to_string());
            }
        }
        self.indicators.insert(id.to_string(), record);
    }

    /// Puts `records` in `category`'s list after `anchor`, or in its place when `replace`.
    fn insert_at(
        &mut self,
        category: &str,
        anchor: &str,
        records: &[(String, Record)],
        replace: bool,
    ) {
        for (c, _, list) in &mut self.categories {
            if c == category
                && let Some(at) = list.iter().position(|i| i == anchor)
            {
                let ids = records.iter().map(|(id, _)| id.clone());
                if replace {
                    list.splice(at..=at, ids);
                } else {
                    list.splice(at + 1..at + 1, ids);
                }
            }
        }
        if replace {
            self.indicators.remove(anchor);
        }
        for (id, record) in records {
            self.indicators.insert(id.clone(), record.clone());
        }
    }

    fn replace_in_lists(&mut self, old: &str, new: Option<&str>) {
        for (_, _, list) in &mut self.categories {
            if let Some(at) = list.iter().position(|i| i == old) {
                match new {
                    Some(new) => list[at] = new.to_string(),
                    None => {
                        list.remove(at);
                    }
                }
            }
        }
    }

    fn first_difference(&self, actual: &Shape) -> String {
        if self.version != actual.version || self.history != actual.history {
            return "version or history".into();
        }
        for (id, record) in &self.indicators {
            if actual.indicators.get(id) != Some(record) {
                return format!("indicator {id}");
            }
        }
        if let Some(id) = actual
            .indicators
            .keys()
            .find(|id| !self.indicators.contains_key(*id))
        {
            return format!("unexpected indicator {id}");
        }
        "categories".into()
    }
}

// ----- YAML text surgery -----

/// A byte range of the source.
#[derive(Debug, Clone, Copy)]
struct Span {
    off: usize,
    len: usize,
}

impl Span {
    fn of(location: &Location) -> Result<Self> {
        let span = location.span();
        match (span.byte_offset(), span.byte_len()) {
            (Some(off), Some(len)) => Ok(Self {
                off: off as usize,
                len: len as usize,
            }),
            _ => Err(Error::Usage(
                "the YAML parser gave no position for a codebook id".into(),
            )),
        }
    }

    fn range(&self) -> Range<usize> {
        self.off..self.off + self.len
    }
}

#[derive(Deserialize)]
struct OutlineFile {
    version: Spanned<AnyScalar>,
    #[serde(default)]
    categories: Vec<OutlineCategory>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnyScalar {
    Text(#[allow(dead_code)] String),
    Integer(#[allow(dead_code)] i64),
    Float(#[allow(dead_code)] f64),
}

#[derive(Deserialize)]
struct OutlineCategory {
    id: Spanned<String>,
    #[serde(default)]
    indicators: Option<Spanned<Vec<OutlineIndicator>>>,
    #[serde(default)]
    categories: Vec<OutlineCategory>,
}

#[derive(Deserialize)]
struct OutlineIndicator {
    id: Spanned<String>,
    #[serde(default)]
    retired: Option<Spanned<bool>>,
}

/// Where the parts of the codebook that edits touch are in its text.
struct Outline {
    version: Span,
    categories: Vec<CategoryPos>,
    indicators: Vec<IndicatorPos>,
}

struct CategoryPos {
    id: String,
    id_span: Span,
    /// The `indicators:` value: its first `-`, or `[`.
    list: Option<Span>,
    indicators: Vec<usize>,
}

struct IndicatorPos {
    name: String,
    id: Span,
    retired: Option<Span>,
    category: usize,
}

impl Outline {
    fn parse(text: &str) -> Result<Self> {
        let file: OutlineFile = yaml::parse(Path::new(CODEBOOK_FILE), text, 0)?;
        let mut outline = Outline {
            version: Span::of(&file.version.referenced)?,
            categories: Vec::new(),
            indicators: Vec::new(),
        };
        for c in &file.categories {
            outline.add(c)?;
        }
        Ok(outline)
    }

    fn add(&mut self, c: &OutlineCategory) -> Result<()> {
        let position = self.categories.len();
        let mut list = None;
        let mut indicators = Vec::new();
        if let Some(items) = &c.indicators {
            list = Some(Span::of(&items.referenced)?);
            for i in &items.value {
                indicators.push(self.indicators.len());
                self.indicators.push(IndicatorPos {
                    name: i.id.value.clone(),
                    id: Span::of(&i.id.referenced)?,
                    retired: i
                        .retired
                        .as_ref()
                        .map(|r| Span::of(&r.referenced))
                        .transpose()?,
                    category: position,
                });
            }
        }
        self.categories.push(CategoryPos {
            id: c.id.value.clone(),
            id_span: Span::of(&c.id.referenced)?,
            list,
            indicators,
        });
        for child in &c.categories {
            self.add(child)?;
        }
        Ok(())
    }

    fn indicator(&self, id: &str) -> Result<&IndicatorPos> {
        self.indicators
            .iter()
            .find(|i| i.name == id)
            .ok_or_else(|| Error::Usage(format!("there is no indicator '{id}' in the codebook")))
    }
}

/// The source split in lines.
struct Src<'a> {
    text: &'a str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
    nl: &'static str,
}

impl<'a> Src<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| i + 1)
                .filter(|&i| i < text.len()),
        );
        if text.is_empty() {
            starts.clear();
        }
        Self {
            text,
            starts,
            nl: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The byte offset where line `i` starts; the end of the text past the last line.
    fn start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The byte offset of line `i`'s end, before its line break.
    fn end_of_line(&self, i: usize) -> usize {
        let end = self.start(i + 1);
        let line = &self.text[self.start(i)..end];
        end - (line.len() - line.trim_end_matches(['\n', '\r']).len())
    }

    fn line(&self, i: usize) -> &'a str {
        &self.text[self.start(i)..self.end_of_line(i)]
    }

    fn line_of(&self, byte: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= byte)
            .saturating_sub(1)
    }

    fn indent(&self, i: usize) -> usize {
        let line = self.line(i);
        line.len() - line.trim_start_matches(' ').len()
    }

    fn blank(&self, i: usize) -> bool {
        self.line(i).trim().is_empty()
    }

    fn comment(&self, i: usize) -> bool {
        self.line(i).trim_start().starts_with('#')
    }
}

/// An item of a block sequence (`- id: X` and its mapping), in lines.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// The line with the item's `-`.
    start: usize,
    /// The first of the comment lines directly above `start` at its indentation.
    attached: usize,
    /// Past the last line of the item's own content.
    content_end: usize,
    /// `content_end` and the blank lines after it.
    removal_end: usize,
    /// Column of the `-`.
    dash: usize,
    /// Column of the item's keys.
    key: usize,
}

fn unsupported(src: &Src, byte: usize, what: &str) -> Error {
    let line = src.line_of(byte);
    let column = src.text[src.start(line)..byte].chars().count() + 1;
    Error::invalid(
        SourcePos::at(CODEBOOK_FILE, line as u64 + 1, column as u64),
        format!(
            "{what} is not written in the block layout normcode edits in place (`- id: ...` \
             with one key per line); nothing was changed: make the change by hand, or rewrite \
             it in that layout"
        ),
    )
}

/// The block of the sequence item whose `id` value starts at byte `id_off`.
fn item_block(src: &Src, id_off: usize, what: &str) -> Result<Block> {
    let l = src.line_of(id_off);
    let prefix = &src.text[src.start(l)..id_off];
    let Some(before) = prefix.trim_end().strip_suffix("id:") else {
        return Err(unsupported(src, id_off, what));
    };
    let key = before.len();
    let head = before.trim_end();
    let (start, dash) = if head.trim_start().is_empty() {
        // `id` is not the item's first key: find the `-` line above.
        let mut found = None;
        let mut k = l;
        while k > 0 {
            k -= 1;
            if src.blank(k) || src.comment(k) || src.indent(k) >= key {
                continue;
            }
            let line = src.line(k);
            let ind = src.indent(k);
            if let Some(after) = line[ind..].strip_prefix('-') {
                let spaces = after.len() - after.trim_start_matches(' ').len();
                if spaces > 0 && ind + 1 + spaces == key {
                    found = Some((k, ind));
                }
            }
            break;
        }
        found.ok_or_else(|| unsupported(src, id_off, what))?
    } else if head.trim_start() == "-" {
        (l, head.len() - 1)
    } else {
        return Err(unsupported(src, id_off, what));
    };
    let n = src.lines();
    let mut boundary = start + 1;
    while boundary < n {
        if !src.blank(boundary) && !src.comment(boundary) && src.indent(boundary) <= dash {
            break;
        }
        boundary += 1;
    }
    let mut content_end = boundary;
    while content_end > start + 1 {
        let k = content_end - 1;
        if src.blank(k) || (src.comment(k) && src.indent(k) <= dash) {
            content_end -= 1;
        } else {
            break;
        }
    }
    let mut removal_end = content_end;
    while removal_end < n && src.blank(removal_end) {
        removal_end += 1;
    }
    let mut attached = start;
    while attached > 0 && src.comment(attached - 1) && src.indent(attached - 1) == dash {
        attached -= 1;
    }
    Ok(Block {
        start,
        attached,
        content_end,
        removal_end,
        dash,
        key,
    })
}

/// Edits that remove the blocks of `ids`; a list left empty loses its `indicators:` key too.
fn removal_edits(src: &Src, outline: &Outline, ids: &[&String]) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    let mut by_category: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for id in ids {
        let position = outline
            .indicators
            .iter()
            .position(|i| i.name == **id)
            .ok_or_else(|| Error::Usage(format!("there is no indicator '{id}' in the codebook")))?;
        by_category
            .entry(outline.indicators[position].category)
            .or_default()
            .push(position);
    }
    for (category, removed) in by_category {
        let cat = &outline.categories[category];
        let what = |i: usize| format!("indicator {}", outline.indicators[i].name);
        if removed.len() == cat.indicators.len() {
            // The whole list goes, with its key line.
            let first_index = cat.indicators[0];
            let first = item_block(
                src,
                outline.indicators[first_index].id.off,
                &what(first_index),
            )?;
            let last_index = *cat.indicators.last().expect("not empty");
            let last = item_block(
                src,
                outline.indicators[last_index].id.off,
                &what(last_index),
            )?;
            let mut key_line = first.attached;
            loop {
                if key_line == 0 {
                    return Err(unsupported(
                        src,
                        cat.id_span.off,
                        &format!("category {}", cat.id),
                    ));
                }
                key_line -= 1;
                if src.blank(key_line) || src.comment(key_line) {
                    continue;
                }
                break;
            }
            let line = src.line(key_line);
            let content = line.split(" #").next().unwrap_or("").trim();
            if content != "indicators:" {
                return Err(unsupported(
                    src,
                    cat.id_span.off,
                    &format!("category {}", cat.id),
                ));
            }
            edits.push(Edit {
                range: src.start(key_line)..src.start(last.content_end),
                text: String::new(),
            });
        } else {
            for i in removed {
                let block = item_block(src, outline.indicators[i].id.off, &what(i))?;
                // Blank lines after it go too when a blank line before it (or the list's start)
                // keeps the spacing.
                let first = cat.indicators.first() == Some(&i);
                let spaced = block.attached > 0 && src.blank(block.attached - 1);
                let end = if first || spaced {
                    block.removal_end
                } else {
                    block.content_end
                };
                edits.push(Edit {
                    range: src.start(block.attached)..src.start(end),
                    text: String::new(),
                });
            }
        }
    }
    Ok(edits)
}

/// The lines of a top-level key's block (`history:` and what is indented under it).
fn top_level_block(src: &Src, key: &str) -> Option<Range<usize>> {
    let head = format!("{key}:");
    let start = (0..src.lines()).find(|&l| src.line(l).starts_with(&head))?;
    let mut end = start + 1;
    while end < src.lines() {
        if !src.blank(end) && !src.comment(end) && src.indent(end) == 0 {
            break;
        }
        end += 1;
    }
    Some(start..end)
}

struct Edit {
    range: Range<usize>,
    text: String,
}

/// Turns `key: []` (the brackets at `open..close`) into `key:` followed by the lines of
/// `block`, keeping a comment after the brackets.
fn open_empty_list(src: &Src, open: usize, close: usize, block: &str) -> Edit {
    let line = src.line_of(open);
    let key_end = src.text[..open].trim_end_matches(' ').len();
    let comment = src.text[close..src.end_of_line(line)].trim();
    let mut text = String::new();
    if !comment.is_empty() {
        text.push(' ');
        text.push_str(comment);
    }
    text.push_str(src.nl);
    text.push_str(block);
    Edit {
        range: key_end..src.start(line + 1),
        text,
    }
}

/// Applies non-overlapping edits.
fn apply_edits(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for edit in edits {
        assert!(edit.range.end <= limit, "overlapping codebook edits");
        limit = edit.range.start;
        out.replace_range(edit.range, &edit.text);
    }
    out
}

fn ensure_final_newline(text: &str) -> String {
    let mut text = text.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
    }
    text
}

/// Sets `version:` to the entry's version and appends the entry to `history:` (created at the
/// end of the file when missing).
fn record_version(text: &str, entry: &HistoryEntry) -> Result<String> {
    let outline = Outline::parse(text)?;
    let src = Src::new(text);
    let version_line = src.line_of(outline.version.off);
    let root = src.indent(version_line);
    if !src.line(version_line)[root..].starts_with("version:") {
        return Err(unsupported(&src, outline.version.off, "`version`"));
    }
    let mut edits = vec![Edit {
        range: outline.version.range(),
        text: json_quote(&entry.version),
    }];
    let head = "history:";
    let key_line =
        (0..src.lines()).find(|&l| src.indent(l) == root && src.line(l)[root..].starts_with(head));
    match key_line {
        Some(line) => {
            let rest = src.line(line)[root + head.len()..].trim();
            let rest_content = rest.split('#').next().unwrap_or("").trim();
            if rest_content.is_empty() {
                let mut end = line + 1;
                while end < src.lines() {
                    if !src.blank(end) && !src.comment(end) && src.indent(end) <= root {
                        break;
                    }
                    end += 1;
                }
                let mut content_end = end;
                while content_end > line + 1 {
                    let k = content_end - 1;
                    if src.blank(k) || (src.comment(k) && src.indent(k) <= root) {
                        content_end -= 1;
                    } else {
                        break;
                    }
                }
                let dash = (line + 1..content_end)
                    .find(|&l| !src.blank(l) && !src.comment(l))
                    .map(|l| src.indent(l))
                    .unwrap_or(root + 2);
                let at = src.start(content_end);
                edits.push(Edit {
                    range: at..at,
                    text: render_history_item(entry, dash, src.nl),
                });
            } else if rest_content.replace(' ', "") == "[]" {
                let open = src.start(line) + src.line(line).find('[').expect("has [");
                let close = src.start(line) + src.line(line).find(']').expect("has ]") + 1;
                let item = render_history_item(entry, root + 2, src.nl);
                edits.push(open_empty_list(&src, open, close, &item));
            } else {
                return Err(unsupported(&src, src.start(line), "`history`"));
            }
        }
        None => {
            let at = text.len();
            let mut block = String::new();
            block.push_str(src.nl);
            block.push_str(&" ".repeat(root));
            block.push_str(head);
            block.push_str(src.nl);
            block.push_str(&render_history_item(entry, root + 2, src.nl));
            edits.push(Edit {
                range: at..at,
                text: block,
            });
        }
    }
    Ok(apply_edits(text, edits))
}

fn render_history_item(entry: &HistoryEntry, dash: usize, nl: &str) -> String {
    let pad = " ".repeat(dash);
    let key = " ".repeat(dash + 2);
    let mut out = format!("{pad}- version: {}{nl}", json_quote(&entry.version));
    if let Some(date) = &entry.date {
        out.push_str(&format!("{key}date: {date}{nl}"));
    }
    if let Some(by) = &entry.by {
        out.push_str(&format!("{key}by: {}{nl}", scalar(by)));
    }
    out.push_str(&format!("{key}changes:{nl}"));
    for change in &entry.changes {
        out.push_str(&format!("{key}  - {}{nl}", json_quote(change)));
    }
    out
}

/// An indicator to write out as YAML.
#[derive(Debug, Clone)]
struct RenderItem {
    id: String,
    label: LangMap,
    definition: LangMap,
    include: Vec<LangMap>,
    exclude: Vec<LangMap>,
    examples: Vec<LangMap>,
    attributes: BTreeMap<String, String>,
    color: Option<String>,
    retired: bool,
}

impl RenderItem {
    fn from_indicator(indicator: &Indicator) -> Self {
        let maps = |items: &[Localized]| items.iter().map(|l| l.0.clone()).collect();
        Self {
            id: indicator.id.to_string(),
            label: indicator.label.0.clone(),
            definition: indicator.definition.0.clone(),
            include: maps(&indicator.include),
            exclude: maps(&indicator.exclude),
            examples: maps(&indicator.examples),
            attributes: indicator.attributes.clone(),
            color: indicator.color.clone(),
            retired: indicator.retired,
        }
    }
}

/// `- id: X` and its keys, in the layout of the default codebook.
fn render_indicator(
    item: &RenderItem,
    languages: &[String],
    dash: usize,
    key: usize,
    nl: &str,
) -> String {
    let first = format!(
        "{}-{}",
        " ".repeat(dash),
        " ".repeat(key.saturating_sub(dash + 1).max(1))
    );
    let pad = " ".repeat(key);
    let mut out = format!("{first}id: {}{nl}", scalar(&item.id));
    out.push_str(&format!(
        "{pad}label: {}{nl}",
        flow_map(&item.label, languages)
    ));
    out.push_str(&format!("{pad}definition:{nl}"));
    for (lang, text) in ordered(&item.definition, languages) {
        out.push_str(&format!(
            "{pad}  {}: {}{nl}",
            scalar(lang),
            json_quote(text)
        ));
    }
    for (name, items) in [
        ("include", &item.include),
        ("exclude", &item.exclude),
        ("examples", &item.examples),
    ] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("{pad}{name}:{nl}"));
        for map in items {
            out.push_str(&format!("{pad}  - {}{nl}", flow_map(map, languages)));
        }
    }
    if !item.attributes.is_empty() {
        let pairs: Vec<String> = item
            .attributes
            .iter()
            .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
            .collect();
        out.push_str(&format!("{pad}attributes: {{{}}}{nl}", pairs.join(", ")));
    }
    if let Some(color) = &item.color {
        out.push_str(&format!("{pad}color: {}{nl}", scalar(color)));
    }
    if item.retired {
        out.push_str(&format!("{pad}retired: true{nl}"));
    }
    out
}

/// The codebook's languages first, in its order, then any others.
fn ordered<'m>(map: &'m LangMap, languages: &[String]) -> Vec<(&'m String, &'m String)> {
    let mut items: Vec<(&String, &String)> = map.iter().collect();
    items.sort_by_key(|(lang, _)| {
        languages
            .iter()
            .position(|l| l == *lang)
            .unwrap_or(usize::MAX)
    });
    items
}

fn flow_map(map: &LangMap, languages: &[String]) -> String {
    let pairs: Vec<String> = ordered(map, languages)
        .into_iter()
        .map(|(lang, text)| format!("{}: {}", scalar(lang), json_quote(text)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
fn json_quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// `text` as a plain scalar when that reads back as the same string, else double-quoted.
fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        text.to_string()
    } else {
        json_quote(text)
    }
}

/// `new` written like `original` was: quoted when it was quoted.
fn scalar_like(original: &str, new: &str) -> String {
    if original.starts_with('\'') && !new.contains('\'') {
        format!("'{new}'")
    } else if original.starts_with('"') {
        json_quote(new)
    } else {
        scalar(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = "# A codebook\nname: T\nversion: 1.0   # the version\nlanguages: [en, zh]\ncategories:\n  # first group\n  - id: A\n    label: {en: A, zh: 甲}\n    indicators:\n      - id: A1\n        label: {en: One, zh: 一}\n        definition: {en: One., zh: 一。}\n        exclude:\n          - {en: \"Not A2: code A2.\", zh: 不}\n\n      # about A2\n      - id: \"A2\"\n        label: {en: Two, zh: 二}\n        definition: {en: Two., zh: 二。}\n\n  - id: B\n    label: {en: B, zh: 乙}\n    indicators:\n      - label: {en: Three, zh: 三}\n        id: B1\n        definition: {en: Three., zh: 三。}\n    categories:\n      - id: BB\n        label: {en: BB, zh: 乙乙}\n";

    fn files(text: &str) -> ProjectFiles {
        ProjectFiles {
            codebook_text: text.to_string(),
            coders: Vec::new(),
            journal: None,
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            by: "alice".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        }
    }

    #[test]
    fn rename_replaces_the_scalar_keeps_comments_and_records_history() {
        let m = plan_rename(&files(BOOK), "A2", "A3", &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(text.contains("      - id: \"A3\"\n"), "{text}");
        assert!(text.contains("# about A2\n") && text.contains("# first group"));
        assert!(text.contains("version: \"1.1\"   # the version"), "{text}");
        assert!(text.ends_with(
            "\nhistory:\n  - version: \"1.1\"\n    date: 2026-11-27\n    by: alice\n    changes:\n      - \"Renamed indicator A2 to A3.\"\n"
        ), "{text}");
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(
            m.notes[0].contains("mentions A2 on line 14"),
            "{:?}",
            m.notes
        );
    }

    #[test]
    fn retire_inserts_at_the_key_indentation() {
        let m = plan_retire(&files(BOOK), "B1", &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(
            text.contains(
                "        definition: {en: Three., zh: 三。}\n        retired: true\n    categories:"
            ),
            "{text}"
        );
    }

    #[test]
    fn merge_removes_the_block_and_empty_lists() {
        let m = plan_merge(
            &files(BOOK),
            &["A2".into(), "B1".into()],
            "A1",
            &Relabel::default(),
            &stamp(),
        )
        .unwrap();
        let text = m.codebook.unwrap();
        assert!(
            !text.contains("id: \"A2\"") && !text.contains("id: B1"),
            "{text}"
        );
        assert!(!text.contains("about A2"), "{text}");
        assert!(
            text.contains("  - id: B\n    label: {en: B, zh: 乙}\n    categories:"),
            "{text}"
        );
        let cb = Codebook::parse(Path::new("x"), &text).unwrap();
        assert_eq!(cb.indicators.len(), 1);
    }

    #[test]
    fn merge_into_a_new_id_takes_the_first_place_and_texts() {
        let relabel = Relabel {
            label: LangMap::from([("en".into(), "Both".into())]),
            ..Relabel::default()
        };
        let m = plan_merge(
            &files(BOOK),
            &["A2".into(), "A1".into()],
            "AX",
            &relabel,
            &stamp(),
        )
        .unwrap();
        let cb = m.new_codebook().unwrap();
        let ax = cb.indicator(&"AX".into()).unwrap();
        assert_eq!(ax.label.get("en"), "Both");
        assert_eq!(ax.label.get("zh"), "二");
        assert_eq!(cb.categories[0].indicators.len(), 1);
    }

    #[test]
    fn add_goes_to_the_end_of_the_list_or_creates_it() {
        let new = NewIndicator {
            id: "A9".into(),
            category: "A".into(),
            label: LangMap::from([("en".into(), "Nine".into()), ("zh".into(), "九".into())]),
            definition: LangMap::from([("en".into(), "N.".into()), ("zh".into(), "九。".into())]),
            include: vec![LangMap::from([("en".into(), "<b>\"q\"</b>".into())])],
            attributes: BTreeMap::new(),
            ..NewIndicator::default()
        };
        let m = plan_add(&files(BOOK), &new, &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(
            text.contains("二。}\n\n      - id: A9\n        label: {en: \"Nine\", zh: \"九\"}\n"),
            "{text}"
        );
        let mut sub = new.clone();
        sub.id = "BB1".into();
        sub.category = "BB".into();
        let m = plan_add(&files(BOOK), &sub, &stamp()).unwrap();
        let cb = m.new_codebook().unwrap();
        assert_eq!(cb.indicator(&"BB1".into()).unwrap().category, 2);
        let mut missing = new.clone();
        missing.label.remove("zh");
        let err = plan_add(&files(BOOK), &missing, &stamp()).unwrap_err();
        assert!(err.to_string().contains("label in 'zh'"), "{err}");
    }

    #[test]
    fn flow_style_indicators_are_refused() {
        let text = BOOK.replace(
            "      - id: A1\n        label: {en: One, zh: 一}\n        definition: {en: One., zh: 一。}\n        exclude:\n          - {en: \"Not A2: code A2.\", zh: 不}\n",
            "      - {id: A1, label: {en: One, zh: 一}, definition: {en: One., zh: 一。}}\n",
        );
        let err = plan_retire(&files(&text), "A1", &stamp()).unwrap_err();
        assert!(err.to_string().contains("block layout"), "{err}");
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let crlf = BOOK.replace('\n', "\r\n");
        let m = plan_retire(&files(&crlf), "A2", &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
        assert!(
            text.contains("二。}\r\n        retired: true\r\n"),
            "{text:?}"
        );
        let m = plan_merge(
            &files(&crlf),
            &["A1".into(), "A2".into()],
            "A1",
            &Relabel::default(),
            &stamp(),
        )
        .unwrap();
        assert!(!m.codebook.unwrap().replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn history_lists_are_extended_in_any_start_state() {
        let with_empty = BOOK.replace(
            "languages: [en, zh]\n",
            "languages: [en, zh]\nhistory: []  # none yet\n",
        );
        let m = plan_retire(&files(&with_empty), "A1", &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(
            text.contains("history: # none yet\n  - version: \"1.1\"\n    date: 2026-11-27\n"),
            "{text}"
        );
        let files2 = files(&text);
        let m = plan_retire(&files2, "A2", &stamp()).unwrap();
        let cb = m.new_codebook().unwrap();
        assert_eq!(cb.version, "1.2");
        let versions: Vec<&str> = cb.history().iter().map(|e| e.version.as_str()).collect();
        assert_eq!(versions, ["1.1", "1.2"]);
        // The new entry follows the first, before `categories:`.
        let text = m.codebook.unwrap();
        assert!(
            text.find("version: \"1.2\"\n    date").unwrap() < text.find("categories:").unwrap()
        );
    }

    #[test]
    fn the_last_indicator_of_the_file_and_empty_lists() {
        let book = format!("{BOOK}        indicators: []\n");
        let new = NewIndicator {
            id: "BB1".into(),
            category: "BB".into(),
            label: LangMap::from([("en".into(), "x".into()), ("zh".into(), "x".into())]),
            definition: LangMap::from([("en".into(), "x".into()), ("zh".into(), "x".into())]),
            ..NewIndicator::default()
        };
        let m = plan_add(&files(&book), &new, &stamp()).unwrap();
        let text = m.codebook.unwrap();
        assert!(
            text.contains("        indicators:\n          - id: BB1\n"),
            "{text}"
        );
        let m = plan_merge(
            &files(&text),
            &["BB1".into(), "A1".into()],
            "A1",
            &Relabel::default(),
            &stamp(),
        )
        .unwrap();
        let text = m.codebook.unwrap();
        assert!(text.contains("乙乙}\n\nhistory:"), "{text}");
    }

    #[test]
    fn an_unfinished_journal_of_another_change_blocks_planning() {
        let mut f = files(BOOK);
        f.journal = Some(Journal {
            operation: OperationKind::Rename,
            ids: vec!["A1".into(), "A5".into()],
            from_version: Some("1.0".into()),
            to_version: Some("1.1".into()),
            started: None,
            assignments: Vec::new(),
        });
        let err = plan_retire(&f, "A2", &stamp()).unwrap_err().to_string();
        assert!(err.contains("normcode codebook rename A1 A5"), "{err}");
        let m = plan_rename(&f, "A1", "A5", &stamp()).unwrap();
        assert!(m.completes && m.codebook.is_some());
    }

    fn with_coder(text: &str, units: &[(&str, &[&str])]) -> ProjectFiles {
        let mut file = CoderFile::new("bob", Some("1.0".into()));
        let coding =
            std::sync::Arc::make_mut(file.documents.entry(DocumentId::new("d")).or_default());
        for (unit, codes) in units {
            coding.annotations.push(Annotation::new_unit(
                UnitId::new(*unit),
                codes.iter().map(|c| IndicatorId::from(*c)).collect(),
                annotations::now(),
            ));
        }
        let text_of_file = yaml::to_string(&file).unwrap();
        ProjectFiles {
            codebook_text: text.to_string(),
            coders: vec![CoderSource {
                name: "bob".into(),
                text: text_of_file,
                file,
            }],
            journal: None,
        }
    }

    fn codes_of(m: &Migration, unit: &str) -> Vec<String> {
        let file = &m.coders[0].file;
        file.documents[&DocumentId::new("d")]
            .annotations
            .iter()
            .find(|a| a.unit.as_str() == unit)
            .unwrap()
            .codes
            .iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn edit_rewrites_only_the_indicator_entry() {
        let change = IndicatorEdit {
            label: LangMap::from([("zh".into(), "第二".into())]),
            definition: LangMap::from([("en".into(), "Two, sharper: \"quoted\".".into())]),
            exclude: Some(vec![LangMap::from([("en".into(), "Not one.".into())])]),
            ..Default::default()
        };
        let m = plan_edit(&files(BOOK), "A2", &change, &stamp()).unwrap();
        assert_eq!(
            m.summary,
            "Edited indicator A2 (label (zh), definition (en), exclude)."
        );
        let text = m.codebook.clone().unwrap();
        assert!(
            text.contains(
                "      # about A2\n      - id: A2\n        label: {en: \"Two\", zh: \"第二\"}\n        definition:\n          en: \"Two, sharper: \\\"quoted\\\".\"\n          zh: \"二。\"\n        exclude:\n          - {en: \"Not one.\"}\n\n  - id: B"
            ),
            "{text}"
        );
        // Everything else is byte for byte as it was.
        let before =
            &BOOK[BOOK.find("languages").unwrap()..BOOK.find("      - id: \"A2\"").unwrap()];
        assert!(text.contains(before), "{text}");
        let book = m.new_codebook().unwrap();
        let a2 = book.indicator(&IndicatorId::from("A2")).unwrap();
        assert_eq!(a2.label.0["en"], "Two");
        assert_eq!(a2.label.0["zh"], "第二");
        assert_eq!(a2.exclude.len(), 1);
        assert_eq!(book.version, "1.1");
    }

    #[test]
    fn edit_refuses_nothing_new_unknown_languages_and_empty_labels() {
        let same = IndicatorEdit {
            label: LangMap::from([("en".into(), "Two".into())]),
            ..Default::default()
        };
        let err = plan_edit(&files(BOOK), "A2", &same, &stamp()).unwrap_err();
        assert!(err.to_string().contains("nothing to change"), "{err}");
        let french = IndicatorEdit {
            label: LangMap::from([("fr".into(), "Deux".into())]),
            ..Default::default()
        };
        let err = plan_edit(&files(BOOK), "A2", &french, &stamp()).unwrap_err();
        assert!(err.to_string().contains("no language 'fr'"), "{err}");
        let empty = IndicatorEdit {
            definition: LangMap::from([("en".into(), "  ".into())]),
            ..Default::default()
        };
        let err = plan_edit(&files(BOOK), "A2", &empty, &stamp()).unwrap_err();
        assert!(err.to_string().contains("cannot be empty"), "{err}");
        let nowhere = IndicatorEdit {
            category: Some("Z".into()),
            ..Default::default()
        };
        let err = plan_edit(&files(BOOK), "A2", &nowhere, &stamp()).unwrap_err();
        assert!(err.to_string().contains("no category 'Z'"), "{err}");
    }

    #[test]
    fn move_takes_the_entry_and_its_comments_to_the_other_category() {
        let change = IndicatorEdit {
            category: Some("B".into()),
            ..Default::default()
        };
        let m = plan_edit(&files(BOOK), "A2", &change, &stamp()).unwrap();
        assert_eq!(m.summary, "Moved indicator A2 from category A to B.");
        let book = m.new_codebook().unwrap();
        let b = book.categories.iter().find(|c| c.id == "B").unwrap();
        let ids: Vec<&str> = b
            .indicators
            .iter()
            .map(|&i| book.indicators[i].id.as_str())
            .collect();
        assert_eq!(ids, ["B1", "A2"]);
        let text = m.codebook.unwrap();
        assert!(
            text.contains(
                "        definition: {en: Three., zh: 三。}\n      # about A2\n      - id: \"A2\"\n"
            ),
            "{text}"
        );
        // Moving into a category without indicators opens its list.
        let change = IndicatorEdit {
            category: Some("BB".into()),
            ..Default::default()
        };
        let m = plan_edit(&files(BOOK), "B1", &change, &stamp()).unwrap();
        let book = m.new_codebook().unwrap();
        let bb = book.categories.iter().find(|c| c.id == "BB").unwrap();
        assert_eq!(bb.indicators.len(), 1);
        let b = book.categories.iter().find(|c| c.id == "B").unwrap();
        assert!(b.indicators.is_empty());
    }

    #[test]
    fn split_recodes_each_segment_and_replaces_the_source() {
        let files = with_coder(
            BOOK,
            &[("1", &["A1"]), ("2", &["A1", "A2"]), ("3", &["B1"])],
        );
        let segments = split_segments(&files, "A1");
        assert_eq!(segments.len(), 2);
        let assignments = vec![segments[0].assign("A1x"), segments[1].assign("A2")];
        let m = plan_split(
            &files,
            "A1",
            &["A1x".into(), "A2".into()],
            &assignments,
            &stamp(),
        )
        .unwrap();
        assert_eq!(
            m.summary,
            "Split indicator A1 into A1x, A2 (2 segments: 1 to A1x, 1 to A2)."
        );
        assert_eq!(codes_of(&m, "1"), ["A1x"]);
        assert_eq!(codes_of(&m, "2"), ["A2"]);
        assert_eq!(codes_of(&m, "3"), ["B1"]);
        let book = m.new_codebook().unwrap();
        assert!(book.indicator(&IndicatorId::from("A1")).is_none());
        let new = book.indicator(&IndicatorId::from("A1x")).unwrap();
        assert_eq!(new.label.0["en"], "One (A1x)");
        assert_eq!(new.exclude.len(), 1, "rules are kept");
        let a = &book.categories[0];
        let ids: Vec<&str> = a
            .indicators
            .iter()
            .map(|&i| book.indicators[i].id.as_str())
            .collect();
        assert_eq!(ids, ["A1x", "A2"], "in the source's place");
        assert_eq!(m.coders[0].version, Some(("1.0".into(), "1.1".into())));
    }

    #[test]
    fn split_with_segments_left_retires_the_source() {
        let files = with_coder(BOOK, &[("1", &["A1"]), ("2", &["A1"])]);
        let segments = split_segments(&files, "A1");
        let m = plan_split(
            &files,
            "A1",
            &["A1x".into(), "A1y".into()],
            &[segments[1].assign("A1y")],
            &stamp(),
        )
        .unwrap();
        assert!(
            m.summary.ends_with("; 1 left with A1, now retired)."),
            "{}",
            m.summary
        );
        assert_eq!(codes_of(&m, "1"), ["A1"]);
        assert_eq!(codes_of(&m, "2"), ["A1y"]);
        let book = m.new_codebook().unwrap();
        assert!(book.indicator(&IndicatorId::from("A1")).unwrap().retired);
        let a = &book.categories[0];
        let ids: Vec<&str> = a
            .indicators
            .iter()
            .map(|&i| book.indicators[i].id.as_str())
            .collect();
        assert_eq!(ids, ["A1", "A1x", "A1y", "A2"]);
    }

    #[test]
    fn split_refuses_bad_assignments() {
        let files = with_coder(BOOK, &[("1", &["A1"])]);
        let segments = split_segments(&files, "A1");
        let wrong_target = [segments[0].assign("B1")];
        let err = plan_split(&files, "A1", &["A1x".into()], &wrong_target, &stamp()).unwrap_err();
        assert!(err.to_string().contains("not one of A1x"), "{err}");
        let mut nowhere = segments[0].assign("A1x");
        nowhere.unit = "9".into();
        let err = plan_split(&files, "A1", &["A1x".into()], &[nowhere], &stamp()).unwrap_err();
        assert!(
            err.to_string().contains("names no annotation of A1"),
            "{err}"
        );
        let err = plan_split(&files, "A1", &["A1".into()], &[], &stamp()).unwrap_err();
        assert!(err.to_string().contains("into itself"), "{err}");
        let err = plan_split(&files, "A1", &["A1x".into()], &[], &stamp()).unwrap_err();
        assert!(
            err.to_string().contains("no segment of A1 is assigned"),
            "{err}"
        );
    }

    #[test]
    fn an_interrupted_split_is_completed_from_its_journal() {
        let files = with_coder(BOOK, &[("1", &["A1"]), ("2", &["A1", "B1"])]);
        let segments = split_segments(&files, "A1");
        let assignments: Vec<SplitAssignment> = segments.iter().map(|s| s.assign("A1x")).collect();
        let first = plan_split(&files, "A1", &["A1x".into()], &assignments, &stamp()).unwrap();
        // The codebook was written, the coder file not yet.
        let interrupted = ProjectFiles {
            codebook_text: first.codebook.clone().unwrap(),
            coders: files.coders.clone(),
            journal: Some(Journal {
                operation: OperationKind::Split,
                ids: vec!["A1".into(), "A1x".into()],
                from_version: Some("1.0".into()),
                to_version: Some("1.1".into()),
                started: None,
                assignments: first.assignments.clone(),
            }),
        };
        let other = plan_retire(&interrupted, "A2", &stamp()).unwrap_err();
        assert!(
            other.to_string().contains("normcode codebook split A1"),
            "{other}"
        );
        let m = plan_split(&interrupted, "A1", &["A1x".into()], &[], &stamp()).unwrap();
        assert!(m.completes && m.codebook.is_none());
        assert_eq!(codes_of(&m, "1"), ["A1x"]);
        assert_eq!(codes_of(&m, "2"), ["A1x", "B1"]);
        assert_eq!(m.coders[0].version, Some(("1.0".into(), "1.1".into())));
    }

    #[test]
    fn whole_word_mentions() {
        assert!(mentions("code A2.", "A2"));
        assert!(!mentions("code A21", "A2"));
        assert!(!mentions("codeA2", "A2"));
    }
}
