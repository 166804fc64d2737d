//! What the index holds: the state file its last commit names, and the fresh-file that lets
//! [`SearchIndex::open_unchanged`] skip loading the project.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::error::{Error, Result};
use crate::search::build::State;
use crate::search::fresh::ProjectSnapshot;
use crate::search::schema::{Fields, Layout, SCHEMA_VERSION};

use super::location::default_index_dir;
use super::open::open_existing;
use super::{OpenOptions, SearchIndex, tantivy_error};

/// What the index holds, read from the state file its last commit names (and so, like the
/// commit, always matching the index), with the commit's payload. `None` when the commit does
/// not say, or the file is gone or damaged.
pub(super) type Recorded = (String, Arc<State>);

/// The payload of each commit names the file with the state it holds: `normcode-state:HASH`,
/// HASH the BLAKE3 of `STATE_DIR/HASH.json`. (The state used to be the payload itself, but
/// tantivy parses `meta.json`, payload included, several times per commit.)
pub(super) const STATE_PAYLOAD: &str = "normcode-state:";

pub(super) const STATE_DIR: &str = "state";

/// The record of what the index was last synced from: see [`crate::search::fresh`].
const FRESH_FILE: &str = "normcode-fresh.json";

/// The fresh-file: a project snapshot and the commit the index had when it was taken.
#[derive(Debug, Serialize, Deserialize)]
struct FreshFile {
    schema_version: u32,
    payload: String,
    snapshot: ProjectSnapshot,
}

pub(super) fn state_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(STATE_DIR).join(format!("{name}.json"))
}

pub(super) fn commit_payload(dir: &Path, index: &Index) -> Result<Option<String>> {
    Ok(index
        .load_metas()
        .map_err(tantivy_error(dir, "cannot read the search index"))?
        .payload)
}

impl SearchIndex {
    /// What the last commit says the index holds (see [`Recorded`]).
    pub(super) fn read_state(&self, index: &Index) -> Result<Option<Recorded>> {
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

    pub(super) fn set_synced(&self, payload: Option<String>) {
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
}
