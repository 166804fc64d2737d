//! The search pane's worker: opens (builds or updates) the index off the UI thread with
//! progress, answers queries as the coder types, and reindexes the coder's annotations after
//! each save. Replies carry the generation of their query; the app drops stale ones.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use crate::project::{LoadedCoder, Project};
use crate::search::{OpenOptions, Progress, SearchIndex, SearchOptions, SearchResults};

pub enum Request {
    Query {
        generation: u64,
        query: String,
    },
    /// The coder's file as just saved: reindex the documents whose annotations changed.
    Saved(Box<LoadedCoder>),
}

pub enum Reply {
    Progress(Progress),
    /// The index is open; `Some` says it is read-only or was rebuilt, and why.
    Ready(Result<Option<String>, String>),
    Results {
        generation: u64,
        result: Result<SearchResults, String>,
    },
}

pub struct Worker {
    requests: Option<Sender<Request>>,
    pub replies: Receiver<Reply>,
    handle: Option<JoinHandle<()>>,
}

/// The worker thread's name: the panic hook leaves the terminal alone for its panics, which
/// the worker catches and shows in the search pane while the workspace goes on.
pub const THREAD_NAME: &str = "normcode-search";

/// Runs `f`; a panic becomes an error message for the search pane.
fn caught<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".to_owned());
        Err(format!("{what} failed on an internal error ({why})"))
    })
}

impl Worker {
    /// Starts the worker; `waker` hears of every reply.
    pub fn start(
        project: Arc<Project>,
        coder: LoadedCoder,
        index_dir: Option<PathBuf>,
        waker: super::event::Waker,
    ) -> Self {
        let (requests, request_rx) = channel::<Request>();
        let (reply_tx, replies) = channel();
        let reply_tx = Replies {
            tx: reply_tx,
            waker,
        };
        let spawned = std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                let options = OpenOptions {
                    index_dir,
                    ..OpenOptions::default()
                };
                let progress_tx = reply_tx.clone();
                let opened = caught("opening the search index", || {
                    SearchIndex::open_with(
                        &project,
                        std::slice::from_ref(&coder),
                        &options,
                        &mut |p| {
                            let _ = progress_tx.send(Reply::Progress(p));
                        },
                    )
                    .map_err(|e| e.to_string())
                });
                let index = match opened {
                    Ok((index, report)) => {
                        let note = report
                            .read_only
                            .or(report.rebuilt.map(|why| format!("index rebuilt: {why}")));
                        let _ = reply_tx.send(Reply::Ready(Ok(note)));
                        index
                    }
                    Err(err) => {
                        let _ = reply_tx.send(Reply::Ready(Err(err)));
                        return;
                    }
                };
                while let Ok(first) = request_rx.recv() {
                    // Keep only the newest query and the newest saved file.
                    let (mut query, mut saved) = (None, None);
                    for request in std::iter::once(first).chain(request_rx.try_iter()) {
                        match request {
                            Request::Query {
                                generation,
                                query: q,
                            } => query = Some((generation, q)),
                            Request::Saved(coder) => saved = Some(coder),
                        }
                    }
                    if let Some(coder) = saved {
                        let _ = caught("updating the search index", || {
                            index
                                .update_annotations(&project, std::slice::from_ref(&*coder))
                                .map_err(|e| e.to_string())
                        });
                    }
                    if let Some((generation, query)) = query {
                        let options = SearchOptions {
                            limit: 200,
                            as_you_type: true,
                            ..SearchOptions::default()
                        };
                        let result = caught("the search", || {
                            index
                                .search_with_total(&query, &options)
                                .map_err(|e| e.to_string())
                        });
                        if reply_tx
                            .send(Reply::Results { generation, result })
                            .is_err()
                        {
                            break;
                        }
                    }
                }
            });
        let handle = match spawned {
            Ok(handle) => Some(handle),
            Err(err) => {
                let (reply_tx, replies) = channel();
                let _ = reply_tx.send(Reply::Ready(Err(format!(
                    "cannot start the search thread: {err}"
                ))));
                return Self {
                    requests: None,
                    replies,
                    handle: None,
                };
            }
        };
        Self {
            requests: Some(requests),
            replies,
            handle,
        }
    }

    pub fn send(&self, request: Request) {
        if let Some(requests) = &self.requests {
            let _ = requests.send(request);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.requests.take();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// The worker's side of the replies: each one sent wakes the event loop.
#[derive(Clone)]
struct Replies {
    tx: Sender<Reply>,
    waker: super::event::Waker,
}

impl Replies {
    fn send(&self, reply: Reply) -> Result<(), std::sync::mpsc::SendError<Reply>> {
        self.tx.send(reply)?;
        super::event::wake(&self.waker, super::event::Event::Search);
        Ok(())
    }
}
