//! The index on disk: where it lives, opening, building and updating it, one writer at a time.
//!
//! Where it lives ([`location`]), one writer at a time ([`lock`]), opening or building it
//! ([`open`]), what its last commit holds ([`state`]), bringing it up to date ([`sync`]) and
//! running queries ([`search`]).

mod location;
mod lock;
mod open;
mod search;
mod state;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;
use tantivy::{Index, IndexReader, TantivyError};

use crate::corpus::{CodePointRange, DocumentId, UnitId};
use crate::error::Error;

use super::build::AnnotationHashes;
use super::grams::{CommonGrams, GramRule};
use super::query::ParseMode;
use super::schema::{Fields, Layout};
use super::snippet::Snippet;

use open::MetaStamp;
use state::Recorded;

pub use location::{cache_dir, default_index_dir};
pub use search::check_query;

/// The file next to the index that records its layout version.
pub const META_FILE: &str = "normcode-index.json";
/// The file a writing process holds an OS lock on (released when the process ends, however).
pub const LOCK_FILE: &str = "normcode.lock";
/// The sub-folder with tantivy's files; a rebuild replaces it.
const TANTIVY_DIR: &str = "tantivy";

/// How to open an index.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The index folder; `None` for [`default_index_dir`]. It must not be inside the project.
    pub index_dir: Option<PathBuf>,
    /// Throw the index away and build it again.
    pub rebuild: bool,
    /// How long to wait for another process that is writing the index. After that, the last
    /// committed index is searched as it is (see [`SyncReport::read_only`]), or, when there is
    /// none yet, opening fails.
    pub lock_wait: Duration,
    /// Which CJK phrases a build from scratch also indexes whole (see [`super::grams`]).
    pub common_grams: GramRule,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            index_dir: None,
            rebuild: false,
            lock_wait: Duration::from_secs(5),
            common_grams: GramRule::default(),
        }
    }
}

/// Where a build or update is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `done` of `total` documents written.
    Indexing,
    /// Writing the index to disk.
    Committing,
}

/// Reported to the progress callback while the index is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

/// What an open, [`SearchIndex::sync`] or [`SearchIndex::update_annotations`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Documents indexed for the first time.
    pub added: usize,
    /// Documents reindexed because their file or the annotations on them changed.
    pub updated: usize,
    /// Documents no longer in the corpus, removed from the index.
    pub removed: usize,
    pub unchanged: usize,
    /// Units written.
    pub units: usize,
    /// Why the index was built from scratch, when it was.
    pub rebuilt: Option<String>,
    /// Set when the index could not be updated because another process was writing it: what
    /// is searched is the last committed index, maybe out of date.
    pub read_only: Option<String>,
    /// Coder files that could not be read (their annotations are not in the index).
    pub warnings: Vec<String>,
    pub elapsed: Duration,
}

impl SyncReport {
    /// True when the index was written.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0 || self.rebuilt.is_some()
    }
}

/// Options of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// At most this many hits (the best first).
    pub limit: usize,
    /// Single unquoted words also match words one or two edits away.
    pub fuzzy: bool,
    pub mode: ParseMode,
    /// Search as you type: the last word, when the query ends in one, is a prefix.
    pub as_you_type: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            limit: 50,
            fuzzy: false,
            mode: ParseMode::Lenient,
            as_you_type: false,
        }
    }
}

/// One unit that matches a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub document: DocumentId,
    pub unit: UnitId,
    pub score: f32,
    /// The unit's place in the document body (code points).
    pub unit_range: CodePointRange,
    /// The unit's text.
    pub text: String,
    /// Where the query's words and phrases occur, in code points of the document body.
    pub matches: Vec<CodePointRange>,
    pub snippet: Snippet,
}

/// Hits and how many units match in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub total: usize,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Arc<Fields>,
    layout: Layout,
    grams: Arc<CommonGrams>,
    meta_stamp: Option<MetaStamp>,
}

/// A project's full-text index; see the [module documentation](super).
pub struct SearchIndex {
    dir: PathBuf,
    inner: RwLock<Inner>,
    /// Serializes writers inside this process (the lock file does it across processes).
    writing: Mutex<()>,
    /// The last state read or written, with its commit payload (most syncs find the same).
    state: Mutex<Option<Recorded>>,
    /// The commit payload of the last sync that left the index matching the project.
    synced: Mutex<Option<String>>,
    annotation_hashes: AnnotationHashes,
    /// How a rebuild picks its grams.
    gram_rule: GramRule,
}

fn tantivy_error<'a>(
    dir: &'a Path,
    action: &'static str,
) -> impl FnOnce(TantivyError) -> Error + 'a {
    move |err| Error::io(dir, action, std::io::Error::other(err))
}
