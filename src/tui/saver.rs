//! The autosave worker: writes the coder file off the UI thread, atomically, and reports back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::annotations::{CoderFile, save_coder_file};
use crate::project::Project;

use super::{AUTOSAVE_DELAY, App};

struct Job {
    generation: u64,
    file: CoderFile,
}

struct Done {
    generation: u64,
    result: Result<(), String>,
}

pub struct Saver {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    worker: Option<JoinHandle<()>>,
    project: Arc<Project>,
    path: PathBuf,
    in_flight: std::cell::Cell<Option<u64>>,
    retry_after: std::cell::Cell<Option<Instant>>,
}

fn write(project: &Project, path: &std::path::Path, mut file: CoderFile) -> Result<(), String> {
    file.normalize(&project.corpus);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    save_coder_file(path, &file).map_err(|e| e.to_string())
}

impl Saver {
    pub fn start(project: Arc<Project>, path: PathBuf) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (done_tx, done) = channel();
        let worker_project = Arc::clone(&project);
        let worker_path = path.clone();
        let worker = std::thread::spawn(move || {
            while let Ok(mut job) = job_rx.recv() {
                // Only the newest state matters.
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                let result = write(&worker_project, &worker_path, job.file);
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
        }
    }

    /// Collects finished saves and starts a new one when the state changed and settled.
    /// Returns true when the status bar changed.
    pub fn poll(&self, app: &mut App) -> bool {
        let mut changed = false;
        while let Ok(done) = self.done.try_recv() {
            self.in_flight.set(None);
            changed = true;
            match done.result {
                Ok(()) => {
                    app.save.saved_generation = app.save.saved_generation.max(done.generation);
                    app.save.last_saved = Some(Instant::now());
                    app.save.error = None;
                    self.retry_after.set(None);
                    app.on_saved();
                }
                Err(err) => {
                    // The work stays in memory; try again shortly.
                    app.save.error = Some(err);
                    self.retry_after
                        .set(Some(Instant::now() + Duration::from_secs(2)));
                }
            }
        }
        let settled = app
            .save
            .last_change
            .is_some_and(|t| t.elapsed() >= AUTOSAVE_DELAY);
        let may_retry = self.retry_after.get().is_none_or(|t| Instant::now() >= t);
        if app.save.is_dirty()
            && settled
            && may_retry
            && self.in_flight.get().is_none()
            && !app.read_only
            && let Some(jobs) = &self.jobs
        {
            let generation = app.save.generation;
            if jobs
                .send(Job {
                    generation,
                    file: app.coder.file.clone(),
                })
                .is_ok()
            {
                self.in_flight.set(Some(generation));
            }
        }
        changed
    }

    /// Saves on this thread, now (for quitting).
    pub fn save_now(&self, app: &mut App) -> Result<(), String> {
        let generation = app.save.generation;
        write(&self.project, &self.path, app.coder.file.clone())?;
        app.save.saved_generation = generation;
        app.save.error = None;
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
