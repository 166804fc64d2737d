//! Following the project's files while the workspace is open: the coder's own file, the
//! codebook and the documents can change on disk (a `git pull`, a second machine, an editor).
//!
//! - The coder's file: every write first checks that the file is still the version last read
//!   or written; every second the workspace also looks. A change made elsewhere is read,
//!   merged with the workspace's work three-way by annotation identity
//!   ([`crate::annotations::merge3`]), and the coder is told what came in. A file that cannot
//!   be read (a conflict left by git, a broken edit) is never written over: the workspace's
//!   version is kept beside it (`CODER.yaml.workspace`) until the file reads again, and is then
//!   merged. A file removed on disk is written again.
//! - The codebook is read again when it changes; one that cannot be read keeps the one loaded.
//! - The documents are read again when any changes, and the coder's annotations anchored anew.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::annotations::{
    CheckedWriteError, CoderFile, DiskVersion, FileSignature, anchor_all, merge3,
};
use crate::codebook::Codebook;
use crate::corpus::DocumentId;
use crate::project::{CODEBOOK_FILE, LoadedCoder, Project};

use super::app::App;
use super::saver::{self, Saved, Target};

/// How often the workspace looks at the project's files.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// What the workspace knows of the project's files on disk.
#[derive(Debug, Clone)]
pub struct DiskWatch {
    /// The coder's file as last read or written (anchored): the base of a three-way merge.
    pub base: CoderFile,
    /// Its version on disk then.
    pub version: DiskVersion,
    /// Why the coder's file on disk cannot be read, while it cannot: saves go beside it.
    pub unreadable: Option<String>,
    coder_signature: Option<FileSignature>,
    codebook_signature: Option<FileSignature>,
    documents_digest: Option<String>,
    checked: Instant,
}

impl DiskWatch {
    pub fn new(project: &Project, coder: &LoadedCoder) -> Self {
        Self {
            base: coder.file.clone(),
            version: coder.disk,
            unreadable: None,
            coder_signature: FileSignature::of(&coder.path),
            codebook_signature: FileSignature::of(&project.root.join(CODEBOOK_FILE)),
            documents_digest: documents_digest(project),
            checked: Instant::now(),
        }
    }
}

fn documents_digest(project: &Project) -> Option<String> {
    crate::search::documents_digest(&project.root, &project.settings.documents)
}

impl App {
    /// Where the next save goes: the coder's file if it is still the version last read or
    /// written; beside it while it cannot be read; nowhere when read-only.
    pub fn save_target(&self) -> Option<Target> {
        if self.read_only {
            return None;
        }
        Some(match self.disk.unreadable {
            Some(_) => Target {
                path: saver::beside(&self.coder.path),
                expected: None,
            },
            None => Target {
                path: self.coder.path.clone(),
                expected: Some(self.disk.version),
            },
        })
    }

    /// A save went through: it is the new base.
    pub(crate) fn record_saved(&mut self, saved: Saved) {
        if saved.path == self.coder.path {
            self.disk.base = saved.file;
            self.disk.version = saved.version;
            self.disk.coder_signature = FileSignature::of(&self.coder.path);
        }
    }

    /// Takes a coder file just loaded from disk as the workspace's (after a codebook change).
    pub(crate) fn adopt_loaded(&mut self, coder: LoadedCoder) {
        self.disk.base = coder.file.clone();
        self.disk.version = coder.disk;
        self.disk.unreadable = None;
        self.disk.coder_signature = FileSignature::of(&coder.path);
        self.disk.codebook_signature = FileSignature::of(&self.project.root.join(CODEBOOK_FILE));
        self.coder = coder;
    }

    /// Looks at the project's files (at most once a [`WATCH_INTERVAL`]) and takes in what
    /// changed; returns true when the screen should redraw.
    pub fn watch_files(&mut self) -> bool {
        if self.disk.checked.elapsed() < WATCH_INTERVAL || self.loading.is_some() {
            return false;
        }
        self.disk.checked = Instant::now();
        let mut changed = false;
        if FileSignature::of(&self.coder.path) != self.disk.coder_signature {
            changed |= self.sync_with_disk();
        }
        let codebook = FileSignature::of(&self.project.root.join(CODEBOOK_FILE));
        if codebook != self.disk.codebook_signature {
            self.disk.codebook_signature = codebook;
            changed |= self.reload_changed_codebook();
        }
        let documents = documents_digest(&self.project);
        if documents.is_some() && documents != self.disk.documents_digest {
            self.disk.documents_digest = documents;
            changed |= self.reload_changed_documents();
        }
        changed
    }

    /// [`App::watch_files`] now, whenever it last looked.
    pub fn watch_files_now(&mut self) -> bool {
        self.disk.checked = Instant::now() - WATCH_INTERVAL;
        self.watch_files()
    }

    /// Reads the coder's file if it changed on disk since it was last read or written and
    /// merges it with the workspace's work. Returns true when anything changed.
    pub fn sync_with_disk(&mut self) -> bool {
        let name = self.coder.name.clone();
        // The file name alone: the status bar has one line.
        let shown = format!("{name}.yaml");
        self.disk.coder_signature = FileSignature::of(&self.coder.path);
        let (version, theirs) = match self.project.read_coder_on_disk(&name) {
            Ok(read) => read,
            // The file cannot be reached (permissions, a folder in its place): the save fails
            // and says so, keeping the work in memory, as for any other write error.
            Err(crate::Error::Io { .. }) => return false,
            Err(err) => {
                let why = err.to_string();
                if self.disk.unreadable.as_ref() != Some(&why) {
                    self.disk.unreadable = Some(why.clone());
                    // Everything since the last good read goes beside the file.
                    self.save.saved_generation = 0;
                    self.save.generation += 1;
                    self.save.last_change = Some(Instant::now());
                    self.error(format!(
                        "{shown} changed on disk and cannot be read, so it is not written \
                         over: your work is saved beside it in {} until it reads again. {why}",
                        saver::beside(&self.coder.path).display()
                    ));
                }
                return true;
            }
        };
        let was_unreadable = self.disk.unreadable.take().is_some();
        if version == self.disk.version && !was_unreadable {
            return false;
        }
        let Some(mut theirs) = theirs else {
            // Removed on disk: the workspace writes it again.
            self.disk.version = version;
            self.mark_changed();
            self.info(format!("{shown} was removed on disk; it is written again"));
            return true;
        };
        anchor_all(&mut theirs, &self.project.corpus);
        let (merged, report) = merge3(&self.disk.base, &self.coder.file, &theirs);
        let touched: Vec<DocumentId> = merged
            .documents
            .iter()
            .filter(|(id, coding)| self.coder.file.documents.get(*id) != Some(*coding))
            .map(|(id, _)| id.clone())
            .chain(
                self.coder
                    .file
                    .documents
                    .keys()
                    .filter(|id| !merged.documents.contains_key(*id))
                    .cloned(),
            )
            .collect();
        let needs_save = merged != theirs;
        self.coder.file = merged;
        self.disk.base = theirs;
        self.disk.version = version;
        self.forget_undo_of(&touched);
        if needs_save {
            self.mark_changed();
        } else {
            self.save.saved_generation = self.save.generation;
            self.save.error = None;
        }
        self.recount();
        let came_in = report.describe();
        // A merge with a file of an older codebook records that version: brought up again.
        let followed = self.migrate_to_codebook();
        let mut message = if came_in.is_empty() {
            format!("{shown} changed on disk; merged with your work")
        } else {
            format!("{shown} changed on disk; merged: {came_in}")
        };
        if was_unreadable {
            message.push_str(&format!(
                " (it reads again; {} is no longer updated)",
                saver::beside(&self.coder.path).display()
            ));
        }
        match followed {
            Some(Ok(text)) => self.info(format!("{message}; {text}")),
            Some(Err(text)) => self.error(format!("{message}; {text}")),
            None => self.info(message),
        }
        true
    }

    /// Brings the coder's file up to the codebook loaded (renames and merges from its
    /// `history:`; see [`crate::project::migrate`]) and says so: on opening, after the codebook
    /// changed on disk. A file from a newer codebook is left as it is, with "pull first".
    pub(crate) fn follow_codebook(&mut self) {
        match self.migrate_to_codebook() {
            Some(Ok(text)) => self.info(text),
            Some(Err(text)) => self.error(text),
            None => {}
        }
    }

    /// The migration of [`App::follow_codebook`], with what to say (an error: pull first).
    fn migrate_to_codebook(&mut self) -> Option<std::result::Result<String, String>> {
        let shown = format!("{}.yaml", self.coder.name);
        match crate::project::migrate::migrate(
            &mut self.coder.file,
            &self.project.codebook,
            std::path::Path::new(&shown),
        ) {
            Ok(None) => None,
            Ok(Some(migrated)) => {
                self.mark_changed();
                self.recount();
                // A version moved with no code to change is recorded, not told.
                (migrated.recoded > 0 || !migrated.retired_in_use.is_empty()).then(|| {
                    Ok(format!(
                        "{shown} follows the codebook: {}",
                        migrated.describe()
                    ))
                })
            }
            Err(err) => Some(Err(err.to_string())),
        }
    }

    fn mark_changed(&mut self) {
        self.save.generation += 1;
        self.save.last_change = Some(Instant::now());
    }

    /// Saves now, on this thread (quitting, before a codebook change), merging first what
    /// changed on disk.
    pub fn save_now(&mut self) -> std::result::Result<(), String> {
        if let Some(saver) = &self.saver {
            let polled = saver.wait_idle(&mut self.save);
            for saved in polled.saved {
                self.record_saved(saved);
            }
        }
        for _attempt in 0..3 {
            self.sync_with_disk();
            let Some(target) = self.save_target() else {
                return Ok(());
            };
            match saver::save_now(&mut self.save, &self.coder.file, &self.project, &target) {
                Ok(saved) => {
                    self.record_saved(saved);
                    return Ok(());
                }
                // Changed again between the look and the write: merge again.
                Err(CheckedWriteError::ChangedOnDisk) => continue,
                Err(CheckedWriteError::Failed(err)) => return Err(err.to_string()),
            }
        }
        Err(format!(
            "{} keeps changing on disk; wait for what writes it to finish",
            self.coder.path.display()
        ))
    }

    /// Drops the undo and redo steps of documents a merge changed: undoing them would take
    /// back what came in from disk.
    fn forget_undo_of(&mut self, documents: &[DocumentId]) {
        if documents.is_empty() {
            return;
        }
        self.retain_changes(|entries| {
            entries
                .iter()
                .all(|(document, _, _)| !documents.contains(document))
        });
    }

    /// Reads the codebook again after it changed on disk; keeps the loaded one if it cannot be
    /// read.
    fn reload_changed_codebook(&mut self) -> bool {
        let path = self.project.root.join(CODEBOOK_FILE);
        match Codebook::load(&path) {
            Ok(codebook) => {
                let version = codebook.version.clone();
                let mut project = (*self.project).clone();
                project.codebook = codebook;
                self.replace_project(project);
                let message = format!(
                    "{CODEBOOK_FILE} changed on disk; the workspace uses it now (version {})",
                    version
                );
                match self.migrate_to_codebook() {
                    Some(Ok(text)) => self.info(format!("{message}; {text}")),
                    Some(Err(text)) => self.error(format!("{message}; {text}")),
                    None => self.info(message),
                }
                true
            }
            Err(err) => {
                self.error(format!(
                    "{CODEBOOK_FILE} changed on disk and cannot be read; the workspace keeps \
                     the codebook it had: {err}"
                ));
                true
            }
        }
    }

    /// Reads the documents again after they changed on disk and anchors the coder's work
    /// in them.
    fn reload_changed_documents(&mut self) -> bool {
        let current = self.document().map(|d| d.id.clone());
        let current_unit = self.current_unit().map(|u| u.id.clone());
        let project = match Project::open(&self.project.root) {
            Ok(project) => project,
            Err(err) => {
                self.error(format!(
                    "the documents changed on disk and cannot be read; the workspace keeps \
                     them as they were: {err}"
                ));
                return true;
            }
        };
        let before = self.coder.file.clone();
        let report = anchor_all(&mut self.coder.file, &project.corpus);
        anchor_all(&mut self.disk.base, &project.corpus);
        let moved = report.reanchored.len();
        let orphaned = report.orphaned.len();
        self.coder.anchors = report;
        self.replace_project(project);
        if self.coder.file != before {
            self.mark_changed();
        }
        let (doc, unit) = match current
            .as_ref()
            .and_then(|id| self.project.corpus.position(id))
        {
            Some(doc) => {
                let unit = current_unit
                    .and_then(|u| self.project.corpus.documents[doc].unit_position(&u))
                    .unwrap_or(0);
                (doc, unit)
            }
            None => (0, 0),
        };
        self.open_document(doc.min(self.project.corpus.len().saturating_sub(1)), unit);
        let mut message = "the documents changed on disk; reloaded".to_string();
        if moved > 0 {
            message.push_str(&format!("; {moved} annotations moved with their text"));
        }
        if orphaned > 0 {
            message.push_str(&format!(
                "; {orphaned} could not be placed ({})",
                self.reattach_hint()
            ));
            self.error(message);
        } else {
            self.info(message);
        }
        true
    }

    /// The workspace's project is now `project` (a new codebook or corpus): what was derived
    /// from the old one is derived again.
    pub(crate) fn replace_project(&mut self, project: Project) {
        self.project = Arc::new(project);
        self.recent
            .retain(|c| self.project.codebook.indicator(c).is_some());
        // The index learns the new codebook and texts when the search is next opened.
        self.close_search_worker();
        self.rebuild_rows();
        self.recount();
    }
}

/// Where the workspace's version of `coder`'s file is kept while the file cannot be read.
pub fn kept_beside(coder_path: &std::path::Path) -> PathBuf {
    saver::beside(coder_path)
}

/// The message to print when the workspace ended with the coder's file unreadable.
pub fn unreadable_at_exit(app: &App) -> Option<String> {
    app.disk.unreadable.as_ref().map(|why| {
        format!(
            "{} could not be read when the workspace closed, so it was not written over; your \
             work is in {}. Fix the file (or take the one beside it) and open the workspace \
             again. {why}",
            app.coder.path.display(),
            kept_beside(&app.coder.path).display()
        )
    })
}
