//! The autosave worker: writes the coder file off the UI thread, atomically, and reports back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::annotations::{CoderFile, IncrementalWriter, write_atomic};
use crate::project::Project;

use super::app::SaveState;
use super::{AUTOSAVE_DELAY, AUTOSAVE_MAX_WAIT};

struct Job {
    generation: u64,
    /// A clone: the documents are shared (`Arc`), so handing it over copies only pointers.
    file: CoderFile,
}

struct Done {
    generation: u64,
    result: Result<(), String>,
}

/// One autosave worker per coder file.
pub struct Saver {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    worker: Option<JoinHandle<()>>,
    project: Arc<Project>,
    path: PathBuf,
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

/// Saves `file` normalized, atomically; `writer` re-writes only the documents that changed
/// since its last save.
fn write(
    project: &Project,
    path: &std::path::Path,
    file: &CoderFile,
    writer: &mut IncrementalWriter,
) -> Result<(), String> {
    let text = writer.write(file, &project.corpus).map_err(describe)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{e}: cannot create the folder {}", dir.display()))?;
    }
    write_atomic(path, text.as_bytes()).map_err(describe)
}

impl Saver {
    pub fn start(project: Arc<Project>, path: PathBuf) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (done_tx, done) = channel();
        let worker_project = Arc::clone(&project);
        let worker_path = path.clone();
        let worker = std::thread::spawn(move || {
            let mut writer = IncrementalWriter::default();
            while let Ok(mut job) = job_rx.recv() {
                // Only the newest state matters.
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                let result = write(&worker_project, &worker_path, &job.file, &mut writer);
                if done_tx
                    .send(Done {
                        generation: job.generation,
                        result,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        Self {
            jobs: Some(jobs),
            done,
            worker: Some(worker),
            project,
            path,
            in_flight: std::cell::Cell::new(None),
            retry_after: std::cell::Cell::new(None),
            sent: std::cell::Cell::new(0),
            waiting_since: std::cell::Cell::new(None),
        }
    }

    /// Collects finished saves into `save` and starts a new one when `file` changed and
    /// settled, or changes keep coming and the oldest unsaved one has waited
    /// [`AUTOSAVE_MAX_WAIT`]. Returns (the status changed, a save just succeeded).
    pub fn poll(&self, save: &mut SaveState, file: &CoderFile, read_only: bool) -> (bool, bool) {
        let mut changed = false;
        let mut saved = false;
        while let Ok(done) = self.done.try_recv() {
            self.in_flight.set(None);
            changed = true;
            match done.result {
                Ok(()) => {
                    save.saved_generation = save.saved_generation.max(done.generation);
                    save.last_saved = Some(Instant::now());
                    save.error = None;
                    self.retry_after.set(None);
                    saved = true;
                }
                Err(err) => {
                    // The work stays in memory; try again shortly.
                    save.error = Some(err);
                    self.retry_after
                        .set(Some(Instant::now() + Duration::from_secs(2)));
                }
            }
        }
        let settled = save
            .last_change
            .is_some_and(|t| t.elapsed() >= AUTOSAVE_DELAY);
        if save.generation != self.sent.get() && self.waiting_since.get().is_none() {
            // Polls run at least every 100 ms: close enough to when the change was made.
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
            && !read_only
            && let Some(jobs) = &self.jobs
        {
            let generation = save.generation;
            if jobs
                .send(Job {
                    generation,
                    file: file.clone(),
                })
                .is_ok()
            {
                self.in_flight.set(Some(generation));
                self.sent.set(generation);
                self.waiting_since.set(None);
            }
        }
        (changed, saved)
    }

    /// Waits for a save under way to finish (its outcome goes into `save`).
    pub fn wait_idle(&self, save: &mut SaveState) {
        while self.in_flight.get().is_some() {
            match self.done.recv_timeout(Duration::from_secs(10)) {
                Ok(done) => {
                    self.in_flight.set(None);
                    match done.result {
                        Ok(()) => {
                            save.saved_generation = save.saved_generation.max(done.generation);
                            save.last_saved = Some(Instant::now());
                        }
                        Err(err) => save.error = Some(err),
                    }
                }
                Err(_) => break,
            }
        }
    }

    /// Saves on this thread, now (for quitting).
    pub fn save_now(&self, save: &mut SaveState, file: &CoderFile) -> Result<(), String> {
        let generation = save.generation;
        write(
            &self.project,
            &self.path,
            file,
            &mut IncrementalWriter::default(),
        )?;
        save.saved_generation = generation;
        save.error = None;
        Ok(())
    }
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
