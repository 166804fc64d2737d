//! The operations and their journal, `annotations/.codebook-migration.yaml`, which lets an
//! interrupted change be completed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ProjectFiles, SplitAssignment, VariableChange, files::read_text};
use crate::error::{Error, Result, SourcePos};
use crate::project::ANNOTATIONS_DIR;
use crate::yaml;

/// The journal of a codebook change in progress, in the annotations folder.
pub const JOURNAL_FILE: &str = ".codebook-migration.yaml";

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
    /// A document variable's values or groups: see [`VariableChange`].
    Variable(VariableChange),
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
            Operation::Variable(change) => change.command(),
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
            Operation::Variable(change) => change.describe(),
        }
    }

    pub(super) fn to_journal_ids(&self) -> (OperationKind, Vec<String>) {
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
            Operation::Variable(change) => (OperationKind::Variable, change.to_ids()),
        }
    }

    /// The same operation, whatever the order of merge sources.
    pub(super) fn same_as(&self, other: &Operation) -> bool {
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
            (Operation::Variable(a), Operation::Variable(b)) => a.same_as(b),
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
    Variable,
}

/// `annotations/.codebook-migration.yaml`: written before a change touches any file, removed
/// when every file is written.
///
/// ```yaml
/// operation: rename          # rename | merge | retire | add | edit | split | variable
/// ids: [IL02, IHL01]         # rename: [OLD, NEW]; merge: [SOURCE..., INTO]; retire, add,
///                            # edit: [ID]; split: [SOURCE, INTO...] (and `assignments:`);
///                            # variable: [VARIABLE, ACTION, ARGUMENT...]
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
            (OperationKind::Variable, ids) => {
                Operation::Variable(VariableChange::from_ids(ids).ok_or_else(bad)?)
            }
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

/// Refuses while a journal of another operation is pending.
pub(super) fn check_journal(files: &ProjectFiles, op: &Operation) -> Result<()> {
    if let Some(journal) = &files.journal {
        let theirs = journal.operation()?;
        if !theirs.same_as(op) {
            return Err(other_journal(journal));
        }
    }
    Ok(())
}

pub(super) fn other_journal(journal: &Journal) -> Error {
    Error::Usage(format!(
        "{}\nnothing was changed: complete that change first",
        journal.describe()
    ))
}
