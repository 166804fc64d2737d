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

impl Worker {
    pub fn start(project: Arc<Project>, coder: LoadedCoder, index_dir: Option<PathBuf>) -> Self {
        let (requests, request_rx) = channel::<Request>();
        let (reply_tx, replies) = channel();
        let handle = std::thread::spawn(move || {
            let options = OpenOptions {
                index_dir,
                ..OpenOptions::default()
            };
            let progress_tx = reply_tx.clone();
            let opened = SearchIndex::open_with(
                &project,
                std::slice::from_ref(&coder),
                &options,
                &mut |p| {
                    let _ = progress_tx.send(Reply::Progress(p));
                },
            );
            let index = match opened {
                Ok((index, report)) => {
                    let note = report
                        .read_only
                        .or(report.rebuilt.map(|why| format!("index rebuilt: {why}")));
                    let _ = reply_tx.send(Reply::Ready(Ok(note)));
                    index
                }
                Err(err) => {
                    let _ = reply_tx.send(Reply::Ready(Err(err.to_string())));
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
                    let _ = index.update_annotations(&project, std::slice::from_ref(&*coder));
                }
                if let Some((generation, query)) = query {
                    let options = SearchOptions {
                        limit: 200,
                        as_you_type: true,
                        ..SearchOptions::default()
                    };
                    let result = index
                        .search_with_total(&query, &options)
                        .map_err(|e| e.to_string());
                    if reply_tx
                        .send(Reply::Results { generation, result })
                        .is_err()
                    {
                        break;
                    }
                }
            }
        });
        Self {
            requests: Some(requests),
            replies,
            handle: Some(handle),
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
