//! Opening an index: the existing one when its layout fits, else a new one (under the lock);
//! following another process's rebuild.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};
use crate::search::build::AnnotationHashes;
use crate::search::grams::{CommonGrams, GramRule};
use crate::search::schema::{Fields, Layout};
use crate::search::tokenizer;

use super::location::{default_index_dir, ensure_outside_project};
use super::lock::{Held, acquire, busy_message};
use super::sync::Scope;
use super::{
    Inner, META_FILE, OpenOptions, Progress, SearchIndex, SyncReport, TANTIVY_DIR, tantivy_error,
};

/// The stored record of the layout, next to the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MetaFile {
    #[serde(flatten)]
    layout: Layout,
    /// The project, for people looking into the cache folder.
    project: String,
    /// The CJK phrases indexed whole, chosen when the index was built (see
    /// [`crate::search::grams`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    common_grams: Vec<String>,
}

/// The index in `dir` if it is there and has the layout this build and codebook expect; else
/// why it has to be rebuilt.
pub(super) fn open_existing(
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
pub(super) struct Opened {
    pub(super) index: Index,
    grams: Arc<CommonGrams>,
    meta_stamp: Option<MetaStamp>,
}

/// When [`META_FILE`] was written and its length: it is written anew whenever the index is
/// built from scratch, by this process or another.
pub(super) type MetaStamp = (std::time::SystemTime, u64);

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

fn reader_for(dir: &Path, index: &Index) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .try_into()
        .map_err(tantivy_error(dir, "cannot read the search index"))
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

    pub(super) fn from_index(
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

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CJK phrases this index holds whole (see [`crate::search::grams`]), in order.
    pub fn common_grams(&self) -> Vec<String> {
        self.follow_rebuild();
        self.read_inner().grams.as_slice().to_vec()
    }

    /// Replaces the index with a new, empty one (under the write lock).
    pub(super) fn recreate(&self, project: &Project, layout: &Layout) -> Result<()> {
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
    pub(super) fn follow_rebuild(&self) {
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

    pub(super) fn read_inner(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
}
