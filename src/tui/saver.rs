//! The autosave worker: writes the coder file off the UI thread, atomically, and reports back.
//! A write first checks that the file on disk is still the version the workspace last read or
//! wrote ([`DiskVersion`]); when it changed elsewhere, nothing is written and the workspace
//! merges (see `App::sync_with_disk`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::annotations::{
    CheckedWriteError, CoderFile, DiskVersion, IncrementalWriter, write_atomic, write_if_unchanged,
};
use crate::project::Project;

use super::app::SaveState;
use super::{AUTOSAVE_DELAY, AUTOSAVE_MAX_WAIT};

/// Where a save goes, and what must be there for it to go ahead.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    /// The version the file must still be at; `None` writes whatever is there (a copy kept
    /// beside the coder's file, whose only writer is this workspace).
    pub expected: Option<DiskVersion>,
}

struct Job {
    generation: u64,
    /// A clone: the documents are shared (`Arc`), so handing it over copies only pointers.
    file: CoderFile,
    /// The project the file is anchored in (its corpus orders the annotations).
    project: Arc<Project>,
    target: Target,
}

/// A save that went through: what is on disk now.
#[derive(Debug, Clone)]
pub struct Saved {
    pub generation: u64,
    pub path: PathBuf,
    pub version: DiskVersion,
    pub file: CoderFile,
}

enum Outcome {
    Saved(Saved),
    ChangedOnDisk,
    Failed(String),
}

/// What a poll of the worker found.
#[derive(Debug, Default)]
pub struct Polled {
    /// The status bar changed.
    pub changed: bool,
    /// The saves that went through, oldest first.
    pub saved: Vec<Saved>,
    /// A save found the file changed on disk since it was last read or written.
    pub changed_on_disk: bool,
}

/// One autosave worker per coder file.
pub struct Saver {
    jobs: Option<Sender<Job>>,
    done: Receiver<Outcome>,
    worker: Option<JoinHandle<()>>,
    in_flight: std::cell::Cell<Option<u64>>,
    retry_after: std::cell::Cell<Option<Instant>>,
    /// The last generation handed to the worker, and since when a newer one waits: steady
    /// changes never settle, so a save also starts once a change has waited
    /// [`AUTOSAVE_MAX_WAIT`].
    sent: std::cell::Cell<u64>,
    waiting_since: std::cell::Cell<Option<Instant>>,
}

/// Why a save failed, the cause first: the status bar has one line, and a long path before
/// the cause would push it out of view.
fn describe(err: crate::Error) -> String {
    match err {
        crate::Error::Io {
            path,
            action,
            source,
        } => {
            let name = path.file_name().unwrap_or(path.as_os_str());
            format!("{source}: {action} {}", name.to_string_lossy())
        }
        other => other.to_string(),
    }
}

/// Saves `file` normalized, atomically, if the target is still at the expected version;
/// `writer` re-writes only the documents that changed since its last save.
fn write(
    project: &Project,
    target: &Target,
    file: &CoderFile,
    writer: &mut IncrementalWriter,
) -> Result<DiskVersion, CheckedWriteError> {
    let failed = |e: String| CheckedWriteError::Failed(crate::Error::Usage(e));
    let text = writer
        .write(file, &project.corpus)
        .map_err(|e| failed(describe(e)))?;
    if let Some(dir) = target.path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| failed(format!("{e}: cannot create the folder {}", dir.display())))?;
    }
    match target.expected {
        Some(expected) => write_if_unchanged(&target.path, expected, text.as_bytes()),
        None => write_atomic(&target.path, text.as_bytes())
            .map(|()| DiskVersion::of(text.as_bytes()))
            .map_err(CheckedWriteError::Failed),
    }
}

fn outcome(
    generation: u64,
    target: &Target,
    file: CoderFile,
    result: Result<DiskVersion, CheckedWriteError>,
) -> Outcome {
    match result {
        Ok(version) => Outcome::Saved(Saved {
            generation,
            path: target.path.clone(),
            version,
            file,
        }),
        Err(CheckedWriteError::ChangedOnDisk) => Outcome::ChangedOnDisk,
        Err(CheckedWriteError::Failed(e)) => Outcome::Failed(describe(e)),
    }
}

impl Saver {
    /// A worker that says nothing when it is done: it is polled.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// A worker that tells the event loop when a save is done.
    pub fn start_with(waker: super::event::Waker) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (done_tx, done) = channel();
        let worker = std::thread::spawn(move || {
            let mut writer = IncrementalWriter::default();
            let mut corpus_of: Option<Arc<Project>> = None;
            while let Ok(mut job) = job_rx.recv() {
                // Only the newest state matters.
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                // A document's text depends on its corpus: a new one starts afresh.
                if !corpus_of
                    .as_ref()
                    .is_some_and(|p| Arc::ptr_eq(p, &job.project))
                {
                    writer = IncrementalWriter::default();
                    corpus_of = Some(Arc::clone(&job.project));
                }
                let result = write(&job.project, &job.target, &job.file, &mut writer);
                if result.is_err() {
                    // What it remembers may not be on disk.
                    writer = IncrementalWriter::default();
                }
                let outcome = outcome(job.generation, &job.target, job.file, result);
                if done_tx.send(outcome).is_err() {
                    break;
                }
                super::event::wake(&waker, super::event::Event::Saved);
            }
        });
        Self {
            jobs: Some(jobs),
            done,
            worker: Some(worker),
            in_flight: std::cell::Cell::new(None),
            retry_after: std::cell::Cell::new(None),
            sent: std::cell::Cell::new(0),
            waiting_since: std::cell::Cell::new(None),
        }
    }

    fn take(&self, save: &mut SaveState, outcome: Outcome, polled: &mut Polled) {
        self.in_flight.set(None);
        polled.changed = true;
        match outcome {
            Outcome::Saved(saved) => {
                save.saved_generation = save.saved_generation.max(saved.generation);
                save.last_saved = Some(Instant::now());
                save.error = None;
                self.retry_after.set(None);
                polled.saved.push(saved);
            }
            Outcome::ChangedOnDisk => {
                // The workspace merges, then saves again at once.
                polled.changed_on_disk = true;
                self.retry_after.set(None);
            }
            Outcome::Failed(err) => {
                // The work stays in memory; try again shortly.
                save.error = Some(err);
                self.retry_after
                    .set(Some(Instant::now() + Duration::from_secs(2)));
            }
        }
    }

    /// Collects finished saves into `save` and starts a new one when `file` changed and
    /// settled, or changes keep coming and the oldest unsaved one has waited
    /// [`AUTOSAVE_MAX_WAIT`]. `target` is `None` while nothing may be written.
    pub fn poll(
        &self,
        save: &mut SaveState,
        file: &CoderFile,
        project: &Arc<Project>,
        target: Option<Target>,
    ) -> Polled {
        let mut polled = Polled::default();
        while let Ok(outcome) = self.done.try_recv() {
            self.take(save, outcome, &mut polled);
        }
        if polled.changed_on_disk {
            // Nothing more until the workspace has merged.
            return polled;
        }
        let settled = save
            .last_change
            .is_some_and(|t| t.elapsed() >= AUTOSAVE_DELAY);
        if save.generation != self.sent.get() && self.waiting_since.get().is_none() {
            // The workspace polls after every event (`App::step`), the change's own included:
            // this is when the change was made.
            self.waiting_since.set(Some(Instant::now()));
        }
        let overdue = self
            .waiting_since
            .get()
            .is_some_and(|t| t.elapsed() >= AUTOSAVE_MAX_WAIT);
        let may_retry = self.retry_after.get().is_none_or(|t| Instant::now() >= t);
        if save.is_dirty()
            && (settled || overdue)
            && may_retry
            && self.in_flight.get().is_none()
            && let Some(target) = target
            && let Some(jobs) = &self.jobs
        {
            let generation = save.generation;
            if jobs
                .send(Job {
                    generation,
                    file: file.clone(),
                    project: Arc::clone(project),
                    target,
                })
                .is_ok()
            {
                self.in_flight.set(Some(generation));
                self.sent.set(generation);
                self.waiting_since.set(None);
            }
        }
        polled
    }

    /// Waits for a save under way to finish (its outcome goes into `save` and the result).
    pub fn wait_idle(&self, save: &mut SaveState) -> Polled {
        let mut polled = Polled::default();
        while self.in_flight.get().is_some() {
            match self.done.recv_timeout(Duration::from_secs(10)) {
                Ok(outcome) => self.take(save, outcome, &mut polled),
                Err(_) => break,
            }
        }
        polled
    }
}

/// Saves `file` on this thread, now (for quitting and before codebook changes), if the target
/// is still at the expected version.
pub fn save_now(
    save: &mut SaveState,
    file: &CoderFile,
    project: &Project,
    target: &Target,
) -> Result<Saved, CheckedWriteError> {
    let generation = save.generation;
    let version = write(project, target, file, &mut IncrementalWriter::default())?;
    save.saved_generation = generation;
    save.error = None;
    Ok(Saved {
        generation,
        path: target.path.clone(),
        version,
        file: file.clone(),
    })
}

/// Where the workspace's version goes when the coder's file on disk cannot be read:
/// `annotations/CODER.yaml.workspace`, beside it (not read as anyone's coder file).
pub fn beside(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".workspace");
    path.with_file_name(name)
}

impl Drop for Saver {
    fn drop(&mut self) {
        // Closing the channel ends the worker once it has written what it has.
        self.jobs.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
