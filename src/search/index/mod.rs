//! The index on disk: where it lives, opening, building and updating it, one writer at a time.

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::index::SegmentId;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::{Term, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use crate::corpus::{CodePointRange, DocumentId, UnitId};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

use super::build::{AnnotationHashes, Coding, State, doc_state, unit_documents};
use super::fresh::ProjectSnapshot;
use super::grams::{CommonGrams, GramRule};
use super::query::{self, Highlighter, ParseMode};
use super::schema::{Fields, Layout, SCHEMA_VERSION};
use super::snippet::Snippet;
use super::tokenizer;

/// The file next to the index that records its layout version.
pub const META_FILE: &str = "normcode-index.json";
/// The file a writing process holds an OS lock on (released when the process ends, however).
pub const LOCK_FILE: &str = "normcode.lock";
/// The sub-folder with tantivy's files; a rebuild replaces it.
const TANTIVY_DIR: &str = "tantivy";
/// Memory for a full (re)build, and for small updates.
const BUILD_MEMORY: usize = 64 << 20;
const UPDATE_MEMORY: usize = 16 << 20;
/// Up to this many documents to (re)index, a write uses one thread and [`UPDATE_MEMORY`].
const SMALL_PLAN: usize = 16;
/// Code points of unit text a snippet shows.
const SNIPPET_CHARS: usize = 200;

/// The platform's cache folder for normcode (`$XDG_CACHE_HOME/normcode` or
/// `~/.cache/normcode` on Linux, `~/Library/Caches/normcode` on macOS).
pub fn cache_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "normcode")
        .map(|dirs| dirs.cache_dir().to_path_buf())
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a cache folder for the search index (no home folder is known); \
                 set XDG_CACHE_HOME"
                    .to_string(),
            )
        })
}

/// Where the index of the project at `project_root` lives by default:
/// `<cache dir>/indexes/<first 16 hex digits of BLAKE3 of the canonical project path>`.
pub fn default_index_dir(project_root: &Path) -> Result<PathBuf> {
    let root = project_root
        .canonicalize()
        .map_err(|e| Error::io(project_root, "cannot open project folder", e))?;
    let hash = blake3::hash(root.as_os_str().as_encoded_bytes()).to_hex();
    Ok(cache_dir()?.join("indexes").join(&hash.as_str()[..16]))
}

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

/// The stored record of the layout, next to the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MetaFile {
    #[serde(flatten)]
    layout: Layout,
    /// The project, for people looking into the cache folder.
    project: String,
    /// The CJK phrases indexed whole, chosen when the index was built (see [`super::grams`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    common_grams: Vec<String>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Arc<Fields>,
    layout: Layout,
    grams: Arc<CommonGrams>,
    meta_stamp: Option<MetaStamp>,
}

impl Inner {
    fn new(dir: &Path, opened: Opened, fields: Fields, layout: Layout) -> Result<Self> {
        let Opened {
            mut index,
            grams,
            meta_stamp,
        } = opened;
        // A query runs over the index's segments in parallel (a phrase over common CJK bigrams
        // spends milliseconds per segment).
        index
            .set_default_multithread_executor()
            .map_err(tantivy_error(dir, "cannot start the search threads"))?;
        let reader = reader_for(dir, &index)?;
        Ok(Self {
            index,
            reader,
            fields: Arc::new(fields),
            layout,
            grams,
            meta_stamp,
        })
    }
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

/// An exclusive OS lock on the index folder's lock file, held while writing.
struct WriteLock {
    _file: File,
}

/// The write lock an opener already holds, and why it made a new index (if it did).
struct Held {
    lock: WriteLock,
    new_index: Option<String>,
}

/// Waits up to `wait` for the write lock; `None` when another process still holds it.
fn acquire(dir: &Path, wait: Duration) -> Result<Option<WriteLock>> {
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, "cannot open lock file", e))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(WriteLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(&path, "cannot lock", e));
            }
        }
    }
}

fn busy_message(dir: &Path) -> String {
    format!(
        "another normcode process is writing the search index in {}",
        dir.display()
    )
}

/// The index must not end up inside the project (it would be committed, synced, indexed...).
/// Checked before anything is created: the nearest existing folder is resolved, the rest
/// appended.
fn ensure_outside_project(dir: &Path, root: &Path) -> Result<()> {
    let root = root
        .canonicalize()
        .map_err(|e| Error::io(root, "cannot open project folder", e))?;
    let absolute = std::path::absolute(dir).map_err(|e| Error::io(dir, "cannot resolve", e))?;
    let existing = absolute
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(Path::new("/"));
    let rest = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
    let resolved = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, "cannot resolve", e))?
        .join(rest);
    if resolved.starts_with(&root) {
        return Err(Error::Usage(format!(
            "the search index folder {} is inside the project {}; point XDG_CACHE_HOME (or the \
             index folder) somewhere else",
            resolved.display(),
            root.display()
        )));
    }
    Ok(())
}

/// The index in `dir` if it is there and has the layout this build and codebook expect; else
/// why it has to be rebuilt.
fn open_existing(
    dir: &Path,
    layout: &Layout,
    fields: &Fields,
) -> std::result::Result<Opened, String> {
    let meta_path = dir.join(META_FILE);
    // Taken first: a rebuild by another process from here on is seen by the next check.
    let meta_stamp = meta_stamp(dir);
    let text = match std::fs::read_to_string(&meta_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("there was no index yet".to_string());
        }
        Err(e) => return Err(format!("{} could not be read ({e})", meta_path.display())),
    };
    let meta: MetaFile = serde_json::from_str(&text)
        .map_err(|e| format!("{} could not be read ({e})", meta_path.display()))?;
    if meta.layout.schema_version != layout.schema_version {
        return Err(format!(
            "the index has layout version {}, this normcode writes version {}",
            meta.layout.schema_version, layout.schema_version
        ));
    }
    if meta.layout.variables != layout.variables {
        return Err("the codebook's document variables changed".to_string());
    }
    let index = Index::open_in_dir(dir.join(TANTIVY_DIR))
        .map_err(|e| format!("the index could not be opened ({e})"))?;
    let grams = Arc::new(CommonGrams::new(meta.common_grams));
    tokenizer::register(&index, grams.clone());
    let same_schema =
        serde_json::to_value(index.schema()).ok() == serde_json::to_value(&fields.schema).ok();
    if !same_schema {
        return Err("the index's fields differ from this normcode's".to_string());
    }
    Ok(Opened {
        index,
        grams,
        meta_stamp,
    })
}

/// An index as opened or created, with what was read from [`META_FILE`].
struct Opened {
    index: Index,
    grams: Arc<CommonGrams>,
    meta_stamp: Option<MetaStamp>,
}

/// When [`META_FILE`] was written and its length: it is written anew whenever the index is
/// built from scratch, by this process or another.
type MetaStamp = (std::time::SystemTime, u64);

fn meta_stamp(dir: &Path) -> Option<MetaStamp> {
    let metadata = std::fs::metadata(dir.join(META_FILE)).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// Replaces whatever is in `dir` with a new, empty index, with the grams `rule` picks from the
/// project's units. Only under the write lock.
fn create_index(
    dir: &Path,
    layout: &Layout,
    fields: &Fields,
    project: &Project,
    rule: &GramRule,
) -> Result<Opened> {
    let path = dir.join(TANTIVY_DIR);
    if path.exists() {
        std::fs::remove_dir_all(&path)
            .map_err(|e| Error::io(&path, "cannot remove the old index", e))?;
    }
    std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, "cannot create", e))?;
    let index = Index::create_in_dir(&path, fields.schema.clone())
        .map_err(tantivy_error(&path, "cannot create the search index"))?;
    let units: Vec<&str> = project
        .corpus
        .documents
        .iter()
        .flat_map(|document| document.units.iter().map(|unit| document.unit_text(unit)))
        .collect();
    let grams = Arc::new(CommonGrams::select(&units, rule));
    tokenizer::register(&index, grams.clone());
    let meta = MetaFile {
        layout: layout.clone(),
        project: project.root.display().to_string(),
        common_grams: grams.as_slice().to_vec(),
    };
    let text = serde_json::to_string_pretty(&meta).expect("the index meta always serializes");
    crate::annotations::write_atomic(&dir.join(META_FILE), text.as_bytes())?;
    Ok(Opened {
        index,
        grams,
        meta_stamp: meta_stamp(dir),
    })
}

/// What the index holds, read from the state file its last commit names (and so, like the
/// commit, always matching the index), with the commit's payload. `None` when the commit does
/// not say, or the file is gone or damaged.
type Recorded = (String, Arc<State>);

/// The payload of each commit names the file with the state it holds: `normcode-state:HASH`,
/// HASH the BLAKE3 of `STATE_DIR/HASH.json`. (The state used to be the payload itself, but
/// tantivy parses `meta.json`, payload included, several times per commit.)
const STATE_PAYLOAD: &str = "normcode-state:";
const STATE_DIR: &str = "state";
/// The record of what the index was last synced from: see [`super::fresh`].
const FRESH_FILE: &str = "normcode-fresh.json";

/// The fresh-file: a project snapshot and the commit the index had when it was taken.
#[derive(Debug, Serialize, Deserialize)]
struct FreshFile {
    schema_version: u32,
    payload: String,
    snapshot: ProjectSnapshot,
}

fn state_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(STATE_DIR).join(format!("{name}.json"))
}

fn commit_payload(dir: &Path, index: &Index) -> Result<Option<String>> {
    Ok(index
        .load_metas()
        .map_err(tantivy_error(dir, "cannot read the search index"))?
        .payload)
}

fn reader_for(dir: &Path, index: &Index) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .try_into()
        .map_err(tantivy_error(dir, "cannot read the search index"))
}

/// Every coder file of the project: those given (as the caller has them in memory) and the
/// rest read from disk. Files that cannot be read are left out, with a warning.
fn all_coders<'a>(
    project: &Project,
    given: &'a [LoadedCoder],
    warnings: &mut Vec<String>,
) -> Result<Vec<Cow<'a, LoadedCoder>>> {
    let mut coders: Vec<Cow<'a, LoadedCoder>> = given.iter().map(Cow::Borrowed).collect();
    for name in project.coder_names()? {
        if given.iter().any(|c| c.name == name) {
            continue;
        }
        match project.load_coder(&name) {
            Ok(coder) => coders.push(Cow::Owned(coder)),
            Err(err) => warnings.push(format!(
                "{err} (the annotations of coder '{name}' are not searchable)"
            )),
        }
    }
    Ok(coders)
}

/// What to write: positions in the corpus to (re)index, ids to remove.
#[derive(Debug, Default)]
struct Plan {
    add: Vec<usize>,
    update: Vec<usize>,
    remove: Vec<DocumentId>,
    unchanged: usize,
    state: State,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.add.is_empty() && self.update.is_empty() && self.remove.is_empty()
    }

    /// Everything that differs from `old`: new, changed and deleted documents.
    fn full(project: &Project, coding: &Coding<'_>, old: &State) -> Self {
        let mut plan = Plan::default();
        for (position, document) in project.corpus.documents.iter().enumerate() {
            let now = doc_state(project, coding, document);
            match old.documents.get(&document.id) {
                None => plan.add.push(position),
                Some(before) if *before != now => plan.update.push(position),
                Some(_) => plan.unchanged += 1,
            }
            plan.state.documents.insert(document.id.clone(), now);
        }
        plan.remove = old
            .documents
            .keys()
            .filter(|id| project.corpus.get(id).is_none())
            .cloned()
            .collect();
        plan
    }

    /// Only indexed documents whose annotations changed; the rest stays as recorded.
    fn annotations(project: &Project, coding: &Coding<'_>, old: &State) -> Self {
        let mut plan = Plan {
            state: (*old).clone(),
            ..Plan::default()
        };
        for (position, document) in project.corpus.documents.iter().enumerate() {
            let Some(before) = old.documents.get(&document.id) else {
                continue;
            };
            let annotations = coding.hash(&document.id);
            if before.annotations == annotations {
                plan.unchanged += 1;
                continue;
            }
            plan.update.push(position);
            plan.state
                .documents
                .insert(document.id.clone(), doc_state(project, coding, document));
        }
        plan
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Everything,
    Annotations,
}

impl SearchIndex {
    /// Opens the project's index in the cache folder, building or updating it as needed (coder
    /// files read from disk, no progress reports).
    pub fn open(project: &Project) -> Result<Self> {
        Ok(Self::open_with(project, &[], &OpenOptions::default(), &mut |_| {})?.0)
    }

    /// Opens (creating, rebuilding or updating as needed) with options and a progress
    /// callback. `coders` are coder files as the caller holds them; the project's other coder
    /// files are read from disk.
    pub fn open_with(
        project: &Project,
        coders: &[LoadedCoder],
        options: &OpenOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, SyncReport)> {
        let started = Instant::now();
        let dir = match &options.index_dir {
            Some(dir) => dir.clone(),
            None => default_index_dir(&project.root)?,
        };
        ensure_outside_project(&dir, &project.root)?;
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create", e))?;
        let fields = Fields::for_codebook(&project.codebook);
        let layout = Layout::for_codebook(&project.codebook);

        let existing = if options.rebuild {
            Err("a rebuild was asked for".to_string())
        } else {
            open_existing(&dir, &layout, &fields)
        };
        if let Ok(opened) = existing {
            let this = Self::from_index(dir, opened, fields, layout, options)?;
            let report = this.sync_with(
                project,
                coders,
                Scope::Everything,
                progress,
                options.lock_wait,
                None,
                started,
            )?;
            return Ok((this, report));
        }
        // A new index is needed: only under the lock.
        let Some(lock) = acquire(&dir, options.lock_wait)? else {
            return Err(Error::Usage(format!(
                "{}; try again when it is done",
                busy_message(&dir)
            )));
        };
        // Another process may have built it while we waited.
        let reopened = if options.rebuild {
            Err("a rebuild was asked for".to_string())
        } else {
            open_existing(&dir, &layout, &fields)
        };
        let (opened, rebuilt) = match reopened {
            Ok(opened) => (opened, None),
            Err(reason) => (
                create_index(&dir, &layout, &fields, project, &options.common_grams)?,
                Some(reason),
            ),
        };
        let this = Self::from_index(dir, opened, fields, layout, options)?;
        let held = Held {
            lock,
            new_index: rebuilt,
        };
        let report = this.sync_with(
            project,
            coders,
            Scope::Everything,
            progress,
            options.lock_wait,
            Some(held),
            started,
        )?;
        Ok((this, report))
    }

    fn from_index(
        dir: PathBuf,
        opened: Opened,
        fields: Fields,
        layout: Layout,
        options: &OpenOptions,
    ) -> Result<Self> {
        let inner = Inner::new(&dir, opened, fields, layout)?;
        Ok(Self {
            dir,
            inner: RwLock::new(inner),
            writing: Mutex::new(()),
            state: Mutex::new(None),
            synced: Mutex::new(None),
            annotation_hashes: AnnotationHashes::default(),
            gram_rule: options.common_grams,
        })
    }

    /// What the last commit says the index holds (see [`Recorded`]).
    fn read_state(&self, index: &Index) -> Result<Option<Recorded>> {
        let Some(payload) = commit_payload(&self.dir, index)? else {
            return Ok(None);
        };
        let mut cached = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, state)) = cached.as_ref()
            && *known == payload
        {
            return Ok(Some((payload, state.clone())));
        }
        let Some(name) = payload.strip_prefix(STATE_PAYLOAD) else {
            return Ok(None);
        };
        let path = state_file(&self.dir, name);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, "cannot read", e)),
        };
        if blake3::hash(&bytes).to_hex().as_str() != name {
            return Ok(None);
        }
        let Ok(state) = serde_json::from_slice::<State>(&bytes) else {
            return Ok(None);
        };
        let state = Arc::new(state);
        *cached = Some((payload.clone(), state.clone()));
        Ok(Some((payload, state)))
    }

    fn set_synced(&self, payload: Option<String>) {
        *self.synced.lock().unwrap_or_else(|e| e.into_inner()) = payload;
    }

    /// Records that the index's last commit was made from the project files as `snapshot`
    /// found them, so that [`SearchIndex::open_unchanged`] can trust it while they stay so.
    /// Take the snapshot *before* reading the project, and call this after a sync from the
    /// files on disk (not from coder files edited in memory). A racy snapshot, or an index
    /// that did not end its last sync matching the project, records nothing.
    pub fn record_snapshot(&self, snapshot: &ProjectSnapshot) -> Result<()> {
        let path = self.dir.join(FRESH_FILE);
        let synced = self
            .synced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let payload = match synced {
            Some(payload) if !snapshot.racy => payload,
            _ => {
                return match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Err(Error::io(&path, "cannot remove", e))
                    }
                    _ => Ok(()),
                };
            }
        };
        let fresh = FreshFile {
            schema_version: SCHEMA_VERSION,
            payload,
            snapshot: snapshot.clone(),
        };
        let text = serde_json::to_string(&fresh).expect("the fresh file always serializes");
        // A hint, not data: no fsync. A torn or lost file only means the slow way next time.
        let temporary = self
            .dir
            .join(format!("{FRESH_FILE}.{}", std::process::id()));
        std::fs::write(&temporary, text).map_err(|e| Error::io(&temporary, "cannot write", e))?;
        std::fs::rename(&temporary, &path).map_err(|e| Error::io(&path, "cannot write", e))
    }

    /// The project's index, without loading the project, when none of its files changed
    /// since [`SearchIndex::record_snapshot`] and the index is still at the commit recorded
    /// then; `None` otherwise (then open the project and use [`SearchIndex::open_with`]).
    /// `codebook` is the project's (its file is part of the snapshot).
    pub fn open_unchanged(
        root: &Path,
        codebook: &crate::codebook::Codebook,
        index_dir: Option<&Path>,
    ) -> Result<Option<Self>> {
        let dir = match index_dir {
            Some(dir) => dir.to_path_buf(),
            None => default_index_dir(root)?,
        };
        let Ok(text) = std::fs::read(dir.join(FRESH_FILE)) else {
            return Ok(None);
        };
        let Ok(fresh) = serde_json::from_slice::<FreshFile>(&text) else {
            return Ok(None);
        };
        if fresh.schema_version != SCHEMA_VERSION {
            return Ok(None);
        }
        let Some(now) = ProjectSnapshot::take(root, &fresh.snapshot.documents) else {
            return Ok(None);
        };
        if now.racy || now.digest != fresh.snapshot.digest {
            return Ok(None);
        }
        let fields = Fields::for_codebook(codebook);
        let layout = Layout::for_codebook(codebook);
        let Ok(opened) = open_existing(&dir, &layout, &fields) else {
            return Ok(None);
        };
        if commit_payload(&dir, &opened.index)?.as_deref() != Some(fresh.payload.as_str()) {
            return Ok(None);
        }
        let this = Self::from_index(dir, opened, fields, layout, &OpenOptions::default())?;
        this.set_synced(Some(fresh.payload));
        Ok(Some(this))
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CJK phrases this index holds whole (see [`super::grams`]), in order.
    pub fn common_grams(&self) -> Vec<String> {
        self.follow_rebuild();
        self.read_inner().grams.as_slice().to_vec()
    }

    /// Brings the index up to date with the project: new and changed documents (by content
    /// hash) and changed annotations are reindexed, deleted documents removed.
    pub fn sync(
        &self,
        project: &Project,
        coders: &[LoadedCoder],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport> {
        let wait = OpenOptions::default().lock_wait;
        self.sync_with(
            project,
            coders,
            Scope::Everything,
            progress,
            wait,
            None,
            Instant::now(),
        )
    }

    /// After a save: reindexes only the documents whose annotations changed. Pass the coder
    /// files you hold (as saved); the project's other coder files are read from disk. Cheap
    /// when little changed: one small commit, or nothing at all.
    pub fn update_annotations(
        &self,
        project: &Project,
        coders: &[LoadedCoder],
    ) -> Result<SyncReport> {
        let wait = OpenOptions::default().lock_wait;
        self.sync_with(
            project,
            coders,
            Scope::Annotations,
            &mut |_| {},
            wait,
            None,
            Instant::now(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn sync_with(
        &self,
        project: &Project,
        given: &[LoadedCoder],
        scope: Scope,
        progress: &mut dyn FnMut(Progress),
        wait: Duration,
        held: Option<Held>,
        started: Instant,
    ) -> Result<SyncReport> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        self.follow_rebuild();
        let mut report = SyncReport::default();
        let coders = all_coders(project, given, &mut report.warnings)?;
        let coding = Coding::new(coders.iter().map(|c| &**c)).with_hashes(&self.annotation_hashes);
        let layout = Layout::for_codebook(&project.codebook);

        let (mut lock, mut rebuild) = match held {
            Some(held) => (Some(held.lock), held.new_index),
            None => (None, None),
        };
        // The opener made a new, empty index already.
        let created = rebuild.is_some();
        if rebuild.is_none() && layout != self.read_inner().layout {
            rebuild = Some("the codebook's document variables changed".to_string());
        }
        let plan_for = |state: &State| match scope {
            Scope::Everything => Plan::full(project, &coding, state),
            Scope::Annotations => Plan::annotations(project, &coding, state),
        };
        self.set_synced(None);
        // The plan made before taking the lock, with the commit it was made from.
        let mut first: Option<(String, Plan)> = None;
        if rebuild.is_none() && lock.is_none() {
            // Nothing to write needs no lock. (A state that cannot be read is read again under
            // the lock: a writer may have just replaced it.)
            let index = self.read_inner().index.clone();
            if let Some((payload, state)) = self.read_state(&index)? {
                let plan = plan_for(&state);
                if plan.is_empty() {
                    report.unchanged = plan.unchanged;
                    report.elapsed = started.elapsed();
                    self.set_synced(Some(payload));
                    return Ok(report);
                }
                first = Some((payload, plan));
            }
        }
        let lock = match lock.take() {
            Some(lock) => lock,
            None => match acquire(&self.dir, wait)? {
                Some(lock) => lock,
                None => {
                    report.read_only = Some(format!(
                        "{}; searching the index as it was last saved, which may be out of date",
                        busy_message(&self.dir)
                    ));
                    report.elapsed = started.elapsed();
                    return Ok(report);
                }
            },
        };
        if rebuild.is_none() {
            // Read again under the lock: another process may have written since.
            let index = self.read_inner().index.clone();
            match self.read_state(&index)? {
                Some((payload, state)) => {
                    // Nobody wrote in between (the usual case): the plan stands.
                    let plan = match first.take() {
                        Some((before, plan)) if before == payload => plan,
                        _ => plan_for(&state),
                    };
                    report.added = plan.add.len();
                    report.updated = plan.update.len();
                    report.removed = plan.remove.len();
                    report.unchanged = plan.unchanged;
                    if plan.is_empty() {
                        self.set_synced(Some(payload));
                    } else {
                        report.units =
                            self.write(project, &coding, plan, scope, false, progress)?;
                    }
                    drop(lock);
                    report.elapsed = started.elapsed();
                    return Ok(report);
                }
                None => rebuild = Some("the index does not record what it holds".to_string()),
            }
        }
        if !created {
            self.recreate(project, &layout)?;
        }
        report.rebuilt = rebuild;
        let plan = Plan::full(project, &coding, &State::default());
        report.added = plan.add.len();
        report.unchanged = plan.unchanged;
        // Written even when empty, so the commit records the (empty) state.
        report.units = self.write(project, &coding, plan, Scope::Everything, true, progress)?;
        drop(lock);
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// Replaces the index with a new, empty one (under the write lock).
    fn recreate(&self, project: &Project, layout: &Layout) -> Result<()> {
        let fields = Fields::for_codebook(&project.codebook);
        let opened = create_index(&self.dir, layout, &fields, project, &self.gram_rule)?;
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) =
            Inner::new(&self.dir, opened, fields, layout.clone())?;
        Ok(())
    }

    /// When another process rebuilt the index since it was opened here (the index is read from
    /// the same folder, so its reader follows), reads it again with the grams it was built
    /// with: a query or a write with the old ones would miss their phrases. A rebuild for
    /// another layout is left to the next sync, which rebuilds again.
    fn follow_rebuild(&self) {
        let now = meta_stamp(&self.dir);
        let (fields, layout) = {
            let inner = self.read_inner();
            if inner.meta_stamp == now {
                return;
            }
            (Fields::clone(&inner.fields), inner.layout.clone())
        };
        let Ok(opened) = open_existing(&self.dir, &layout, &fields) else {
            return;
        };
        if let Ok(inner) = Inner::new(&self.dir, opened, fields, layout) {
            *self.inner.write().unwrap_or_else(|e| e.into_inner()) = inner;
        }
    }

    fn read_inner(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the plan and commits it with the new state; the reader then sees it at once.
    /// `balance` (for a build from scratch): leave the index in as many segments of about the
    /// same size as there are cores, so that a query (which searches segments in parallel)
    /// uses them all.
    fn write(
        &self,
        project: &Project,
        coding: &Coding<'_>,
        plan: Plan,
        scope: Scope,
        balance: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<usize> {
        let (index, fields) = {
            let inner = self.read_inner();
            (inner.index.clone(), inner.fields.clone())
        };
        let dir = &self.dir;
        // A few documents need neither several indexing threads nor a big arena (whose hash
        // tables tantivy allocates and walks in full, however little is written).
        let small = plan.add.len() + plan.update.len() <= SMALL_PLAN;
        let mut writer: IndexWriter<TantivyDocument> = match scope {
            Scope::Annotations => index.writer_with_num_threads(1, UPDATE_MEMORY),
            Scope::Everything if small => index.writer_with_num_threads(1, UPDATE_MEMORY),
            Scope::Everything => index.writer(BUILD_MEMORY),
        }
        .map_err(|e| match e {
            TantivyError::LockFailure(..) => Error::Usage(format!(
                "{}: tantivy's writer lock is taken",
                busy_message(dir)
            )),
            other => tantivy_error(dir, "cannot write the search index")(other),
        })?;
        if balance {
            // Merged below, into balanced segments, instead of by size as they come.
            writer.set_merge_policy(Box::new(NoMergePolicy));
        }
        let key = |id: &DocumentId| Term::from_field_text(fields.doc_key, id.as_str());
        for id in &plan.remove {
            writer.delete_term(key(id));
        }
        let positions: Vec<usize> = plan.add.iter().chain(&plan.update).copied().collect();
        let total = positions.len();
        let mut units = 0;
        progress(Progress {
            stage: Stage::Indexing,
            done: 0,
            total,
        });
        for (done, position) in positions.into_iter().enumerate() {
            let document = &project.corpus.documents[position];
            writer.delete_term(key(&document.id));
            for doc in unit_documents(&fields, document, coding) {
                writer
                    .add_document(doc)
                    .map_err(tantivy_error(dir, "cannot write the search index"))?;
                units += 1;
            }
            progress(Progress {
                stage: Stage::Indexing,
                done: done + 1,
                total,
            });
        }
        progress(Progress {
            stage: Stage::Committing,
            done: total,
            total,
        });
        // The state goes to its own file, written (and synced) before the commit that names
        // it; the previous commit's file is kept for processes still reading it.
        let bytes = serde_json::to_vec(&plan.state).expect("the index state always serializes");
        let name = blake3::hash(&bytes).to_hex().to_string();
        let states = dir.join(STATE_DIR);
        std::fs::create_dir_all(&states).map_err(|e| Error::io(&states, "cannot create", e))?;
        crate::annotations::write_atomic(&state_file(dir, &name), &bytes)?;
        let previous = commit_payload(dir, &index)?;
        let payload = format!("{STATE_PAYLOAD}{name}");
        let mut prepared = writer
            .prepare_commit()
            .map_err(tantivy_error(dir, "cannot save the search index"))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(tantivy_error(dir, "cannot save the search index"))?;
        let keep = |file: &str| {
            file.strip_suffix(".json").is_some_and(|stem| {
                stem == name
                    || previous
                        .as_deref()
                        .and_then(|p| p.strip_prefix(STATE_PAYLOAD))
                        == Some(stem)
            })
        };
        if let Ok(entries) = std::fs::read_dir(&states) {
            for entry in entries.flatten() {
                if !entry.file_name().to_str().is_some_and(keep) {
                    // Only an old record: failing to remove it changes nothing.
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((payload.clone(), Arc::new(plan.state)));
        self.set_synced(Some(payload));
        if balance {
            merge_into_balanced_segments(&index, &mut writer)
                .map_err(tantivy_error(dir, "cannot save the search index"))?;
        }
        writer
            .wait_merging_threads()
            .map_err(tantivy_error(dir, "cannot save the search index"))?;
        self.read_inner()
            .reader
            .reload()
            .map_err(tantivy_error(dir, "cannot read the search index"))?;
        Ok(units)
    }

    /// Searches; see [`SearchIndex::search_with_total`].
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Vec<Hit>> {
        Ok(self.search_with_total(query, options)?.hits)
    }

    /// The best `options.limit` units for `query`, and how many match in all. Ties are broken
    /// by document id and unit position. In lenient mode only I/O and a query beyond
    /// [`query::check_limits`] can fail; in strict mode a malformed query is an
    /// [`Error::Usage`] that says what is wrong.
    pub fn search_with_total(&self, query: &str, options: &SearchOptions) -> Result<SearchResults> {
        let text = if options.as_you_type {
            query::as_you_type(query)
        } else {
            Cow::Borrowed(query)
        };
        let parsed =
            query::parse(&text, options.mode, options.fuzzy).map_err(|m| bad_query(query, &m))?;
        self.follow_rebuild();
        let (searcher, fields, grams) = {
            let inner = self.read_inner();
            (
                inner.reader.searcher(),
                inner.fields.clone(),
                inner.grams.clone(),
            )
        };
        let compiled =
            query::compile(&parsed, &fields, &grams).map_err(|m| bad_query(query, &m))?;
        let dir = &self.dir;
        let (top, total) = if options.limit == 0 {
            (
                Vec::new(),
                searcher
                    .search(&*compiled, &Count)
                    .map_err(tantivy_error(dir, "cannot search the index"))?,
            )
        } else {
            searcher
                .search(
                    &*compiled,
                    &(TopDocs::with_limit(options.limit).order_by_score(), Count),
                )
                .map_err(tantivy_error(dir, "cannot search the index"))?
        };
        let highlighter = Highlighter::for_query(&parsed);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(tantivy_error(dir, "cannot read the search index"))?;
            let text_of = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let number =
                |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let text = text_of(fields.text);
            let unit_range = CodePointRange::new(number(fields.start), number(fields.end));
            let local = highlighter.matches(&text, 0);
            let snippet = Snippet::new(&text, &local, SNIPPET_CHARS);
            let matches = local
                .iter()
                .map(|m| CodePointRange::new(m.start + unit_range.start, m.end + unit_range.start))
                .collect();
            hits.push((
                number(fields.position),
                Hit {
                    document: DocumentId::new(text_of(fields.document)),
                    unit: UnitId::new(text_of(fields.unit)),
                    score,
                    unit_range,
                    text,
                    matches,
                    snippet,
                },
            ));
        }
        hits.sort_by(|(pa, a), (pb, b)| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.document.cmp(&b.document))
                .then(pa.cmp(pb))
        });
        Ok(SearchResults {
            hits: hits.into_iter().map(|(_, hit)| hit).collect(),
            total,
        })
    }
}

/// Merges the committed segments into one group per core (at most 8), the groups as even in
/// documents as the segments allow. (A merge keeps the last commit's payload.)
fn merge_into_balanced_segments(
    index: &Index,
    writer: &mut IndexWriter<TantivyDocument>,
) -> tantivy::Result<()> {
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    merge_into(index, writer, parts)
}

fn merge_into(
    index: &Index,
    writer: &mut IndexWriter<TantivyDocument>,
    parts: usize,
) -> tantivy::Result<()> {
    let mut segments = index.searchable_segment_metas()?;
    if segments.len() <= parts {
        return Ok(());
    }
    segments.sort_by_key(|meta| std::cmp::Reverse(meta.num_docs()));
    let mut groups: Vec<(u32, Vec<SegmentId>)> = vec![(0, Vec::new()); parts];
    for meta in segments {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(docs, _)| *docs)
            .expect("at least one group");
        lightest.0 += meta.num_docs();
        lightest.1.push(meta.id());
    }
    let merges: Vec<_> = groups
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(_, ids)| writer.merge(&ids))
        .collect();
    for merge in merges {
        merge.wait()?;
    }
    Ok(())
}

fn bad_query(query: &str, message: &str) -> Error {
    // A query pasted by mistake (a whole page, thousands of brackets) is not repeated in full.
    const SHOWN: usize = 40;
    let shown = match query.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &query[..end]),
        None => query.to_owned(),
    };
    Error::Usage(format!("bad query '{shown}': {message}"))
}

/// Checks a query the way a strict search does, without an index: the syntax, the field
/// names (from the codebook's variables) and the values.
pub fn check_query(codebook: &crate::codebook::Codebook, query: &str, fuzzy: bool) -> Result<()> {
    let parsed = query::parse(query, ParseMode::Strict, fuzzy).map_err(|m| bad_query(query, &m))?;
    // Grams change how a query is run, never whether it is valid.
    query::compile(
        &parsed,
        &Fields::for_codebook(codebook),
        &CommonGrams::default(),
    )
    .map_err(|m| bad_query(query, &m))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STORED, Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    use super::merge_into;

    #[test]
    fn segments_are_merged_into_even_groups_keeping_documents_and_payload() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT | STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(super::NoMergePolicy));
        // Seven commits, seven segments of 1 to 7 documents (28 in all).
        for size in 1..=7 {
            for n in 0..size {
                writer
                    .add_document(doc!(text => format!("unit {size} {n}")))
                    .unwrap();
            }
            let mut commit = writer.prepare_commit().unwrap();
            commit.set_payload("normcode-state:x");
            commit.commit().unwrap();
        }
        assert_eq!(index.searchable_segment_metas().unwrap().len(), 7);

        merge_into(&index, &mut writer, 2).unwrap();
        writer.wait_merging_threads().unwrap();

        let mut sizes: Vec<u32> = index
            .searchable_segment_metas()
            .unwrap()
            .iter()
            .map(|m| m.num_docs())
            .collect();
        sizes.sort();
        assert_eq!(sizes, [14, 14], "two groups as even as the segments allow");
        let meta = index.load_metas().unwrap();
        assert_eq!(meta.payload.as_deref(), Some("normcode-state:x"));
        let reader = index.reader().unwrap();
        assert_eq!(reader.searcher().num_docs(), 28);
    }
}
