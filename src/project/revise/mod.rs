//! Changing the codebook and every coder file with it, in one journaled step.
//!
//! The operations are split in two, so that a front end can show what will happen first:
//!
//! 1. **Plan** (pure, writes nothing): [`ProjectFiles::read`] reads the codebook text and every
//!    coder file; [`plan_rename`], [`plan_merge`], [`plan_retire`] and [`plan_add`] (and
//!    [`plan_variable`], which also reads the documents, [`read_documents`]) return a
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

// Reading the project's files, one plan per operation, and applying a plan with its journal.
mod files;

mod add;
mod edit;
mod merge;
mod rename;
mod retire;
mod split;
mod variable;

// The documents a variable change rewrites.
mod documents;

mod apply;
mod journal;

// What the plans share: checks and `finish`, recoding coder files, the expected result.
mod plan;
mod recode;
mod shape;

// Editing codebook.yaml as text: where things are, the edits, writing new entries.
mod history_text;
mod outline;
mod render;
mod text_edit;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::codebook::LangMap;

pub use add::plan_add;
pub use apply::{CoderChange, DocumentChange, Migration};
pub use documents::{DocumentSource, read_documents};
pub use edit::plan_edit;
pub use files::{CoderSource, ProjectFiles};
pub use history_text::{record_versions, with_history_of};
pub use journal::{JOURNAL_FILE, Journal, Operation, OperationKind, pending_migration};
pub use merge::plan_merge;
pub use outline::locate_indicator;
pub use rename::plan_rename;
pub use retire::plan_retire;
pub use split::{SplitAssignment, SplitSegment, plan_split, split_segments};
pub use variable::{VariableAction, VariableChange, plan_variable};

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
