//! The search pane: its state (kept while the coder works elsewhere, for `n`/`N`), the
//! worker that answers queries, and the keys of its two modes (typing the query, the results).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::annotations::Status;
use crate::annotations::coding::{self};
use crate::corpus::{CodePointRange, DocumentId, UnitId};

use crate::search::Hit;
use crate::tui::keymap::Action;
use crate::tui::modes::Mode;
use crate::tui::search::{Reply, Request, Worker};

use crate::tui::app::{App, Focus, PromptKind};

/// Where the search index is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStatus {
    Opening { done: usize, total: usize },
    Ready,
    Failed(String),
}

/// The search pane: the query, its results, and the hits marked for coding.
#[derive(Debug, Clone)]
pub struct SearchState {
    pub query: String,
    /// Bumped with every query sent; replies for older ones are dropped.
    pub generation: u64,
    /// The generation the hits answer.
    pub answered: u64,
    pub hits: Vec<Hit>,
    pub total: usize,
    pub selected: usize,
    /// Hits marked (Space) to code in one go.
    pub marked: BTreeSet<usize>,
    pub status: SearchStatus,
    pub error: Option<String>,
}

impl App {
    /// Closes the search pane (the worker and its index stay open for the next search).
    pub(crate) fn leave_search(&mut self) {
        if let Some(search) = self.search.take() {
            self.search_generation = self.search_generation.max(search.generation);
        }
        if self.focus == Focus::Search {
            self.focus = Focus::Document;
        }
        if let Mode::Search { .. } = self.mode {
            self.mode = Mode::Normal;
        }
    }

    /// Opens the search pane (starting the index worker on first use) with the query editable.
    pub(crate) fn open_search(&mut self) {
        if self.search_worker.is_none() {
            self.search_worker = Some(Worker::start(
                Arc::clone(&self.project),
                self.coder.clone(),
                self.search_index_dir.clone(),
                self.waker.clone(),
            ));
        }
        let (ready, generation) = (self.search_ready, self.search_generation);
        self.search.get_or_insert_with(|| SearchState {
            query: String::new(),
            generation,
            answered: generation,
            hits: Vec::new(),
            total: 0,
            selected: 0,
            marked: BTreeSet::new(),
            status: if ready {
                SearchStatus::Ready
            } else {
                SearchStatus::Opening { done: 0, total: 0 }
            },
            error: None,
        });
        self.focus = Focus::Search;
        self.mode = Mode::Search { editing: true };
    }

    /// Typing the query: keys that are not typed.
    pub(crate) fn query_action(&mut self, action: Action) {
        let Some(search) = &mut self.search else {
            return;
        };
        match action {
            Action::EndQuery => self.mode = Mode::Search { editing: false },
            Action::DeleteChar => {
                search.query.pop();
                self.send_query();
            }
            Action::ClearInput => {
                search.query.clear();
                self.send_query();
            }
            _ => {}
        }
    }

    /// In the search results: their own keys, then the document pane's.
    pub(crate) fn search_action(&mut self, action: Action) {
        let Some(search) = &mut self.search else {
            self.mode = Mode::Normal;
            return;
        };
        match action {
            Action::OpenHit => self.jump_to_hit(),
            Action::MarkHit => {
                let selected = search.selected;
                if selected < search.hits.len() && !search.marked.remove(&selected) {
                    search.marked.insert(selected);
                }
                self.move_hit(1);
            }
            Action::CodeHits => {
                if search.hits.is_empty() {
                    self.error("no hits to code");
                } else {
                    self.open_prompt(PromptKind::CodeHits);
                }
            }
            Action::Search => self.mode = Mode::Search { editing: true },
            Action::Top => self.move_hit(isize::MIN / 2),
            Action::Bottom => self.move_hit(isize::MAX / 2),
            other => self.apply(other),
        }
    }

    pub(crate) fn send_query(&mut self) {
        let Some(search) = &mut self.search else {
            return;
        };
        search.generation += 1;
        search.marked.clear();
        if search.query.trim().is_empty() {
            search.hits.clear();
            search.total = 0;
            search.error = None;
            search.answered = search.generation;
            return;
        }
        if let Some(worker) = &self.search_worker {
            worker.send(Request::Query {
                generation: search.generation,
                query: search.query.clone(),
            });
        }
    }

    pub(crate) fn move_hit(&mut self, delta: isize) {
        if let Some(search) = &mut self.search
            && !search.hits.is_empty()
        {
            let last = search.hits.len() as isize - 1;
            search.selected = (search.selected as isize)
                .saturating_add(delta)
                .clamp(0, last) as usize;
        }
    }

    /// Opens the selected hit's document at its unit.
    pub(crate) fn jump_to_hit(&mut self) {
        let Some(hit) = self
            .search
            .as_ref()
            .and_then(|s| s.hits.get(s.selected))
            .cloned()
        else {
            return;
        };
        let Some(doc) = self.project.corpus.position(&hit.document) else {
            self.error(format!("{} is no longer in the corpus", hit.document));
            return;
        };
        let unit = self.project.corpus.documents[doc]
            .unit_position(&hit.unit)
            .unwrap_or(0);
        if doc != self.doc {
            self.open_document(doc, unit);
        } else {
            self.go_to_unit(unit);
        }
        // `v` starts at the match.
        if let Some(first) = hit.matches.iter().find(|m| m.start >= hit.unit_range.start) {
            self.cursor = Some((doc, unit, first.start - hit.unit_range.start));
        }
        self.set_focus(Focus::Document);
    }

    /// `n` / `N`: the next or previous hit, from anywhere.
    pub(crate) fn step_hit(&mut self, step: isize) {
        match &self.search {
            Some(search) if !search.hits.is_empty() => {
                let count = search.hits.len() as isize;
                let next = (search.selected as isize + step).rem_euclid(count) as usize;
                if let Some(search) = &mut self.search {
                    search.selected = next;
                }
                let focus = self.focus;
                self.jump_to_hit();
                self.focus = focus;
                let total = self.search.as_ref().map_or(0, |s| s.hits.len());
                self.info(format!("hit {}/{total}", next + 1));
            }
            _ => self.info("no search hits: press / to search"),
        }
    }

    /// The match ranges of the search hits in the current document, for highlighting.
    pub fn search_matches(&self) -> Vec<CodePointRange> {
        let (Some(search), Some(document)) = (&self.search, self.document()) else {
            return Vec::new();
        };
        search
            .hits
            .iter()
            .filter(|h| h.document == document.id)
            .flat_map(|h| h.matches.iter().copied())
            .collect()
    }

    /// Adds `indicator` to the unit of every marked hit (every hit when none is marked), as one
    /// undoable change.
    /// The hits code-all would code: marked ones, or all.
    pub(crate) fn hit_targets(&self) -> Vec<&Hit> {
        let Some(search) = &self.search else {
            return Vec::new();
        };
        if search.marked.is_empty() {
            search.hits.iter().collect()
        } else {
            search
                .marked
                .iter()
                .filter_map(|&i| search.hits.get(i))
                .collect()
        }
    }

    /// "TH02 on 8 units in 7 documents, 3 of them marked done".
    pub(crate) fn hits_summary(&self, indicator: usize) -> String {
        let targets = self.hit_targets();
        let mut documents: Vec<&DocumentId> = targets.iter().map(|h| &h.document).collect();
        documents.sort();
        documents.dedup();
        let done = documents
            .iter()
            .filter(|d| self.coder.file.status(d) == Status::Done)
            .count();
        let code = &self.project.codebook.indicators[indicator].id;
        let units = targets.len();
        let mut what = format!(
            "{code} on {units} unit{} in {} document{}",
            if units == 1 { "" } else { "s" },
            documents.len(),
            if documents.len() == 1 { "" } else { "s" }
        );
        if done > 0 {
            what.push_str(&format!(", {done} of them marked done"));
        }
        what
    }

    pub(crate) fn code_hits(&mut self, indicator: usize) {
        let targets: Vec<(DocumentId, UnitId)> = self
            .hit_targets()
            .into_iter()
            .map(|hit| (hit.document.clone(), hit.unit.clone()))
            .collect();
        let project = Arc::clone(&self.project);
        let code = &project.codebook.indicators[indicator].id;
        let now = crate::annotations::now();
        let coded = self.edit(Some(format!("every hit already has {code}")), |file| {
            let (mut change, added) = coding::code_many(
                file,
                &project.codebook,
                &project.corpus,
                &targets,
                code,
                now,
            )?;
            change.label = format!("added {code} to {added} units from the search");
            Ok(change)
        });
        if !coded {
            return;
        }
        coding::note_recent(&mut self.recent, code);
        if let Some(search) = &mut self.search {
            search.marked.clear();
        }
    }

    /// Applies what the search worker sent; returns true when something changed on screen.
    pub fn poll_search(&mut self) -> bool {
        let Some(worker) = &self.search_worker else {
            return false;
        };
        let replies: Vec<Reply> = worker.replies.try_iter().collect();
        let changed = !replies.is_empty();
        for reply in replies {
            // The index is open whether or not the pane still is.
            if let Reply::Ready(Ok(_)) = &reply {
                self.search_ready = true;
            }
            let Some(search) = &mut self.search else {
                continue;
            };
            match reply {
                Reply::Progress(p) => {
                    search.status = SearchStatus::Opening {
                        done: p.done,
                        total: p.total,
                    }
                }
                Reply::Ready(Ok(note)) => {
                    search.status = SearchStatus::Ready;
                    if let Some(note) = note {
                        self.info(note);
                    }
                    // A query typed while the index was opening.
                    self.send_query();
                }
                Reply::Ready(Err(err)) => {
                    search.status = SearchStatus::Failed(err.clone());
                    self.search_worker = None;
                    self.error(format!("search unavailable: {err}"));
                    return true;
                }
                Reply::Results { generation, result } if generation == search.generation => {
                    search.answered = generation;
                    match result {
                        Ok(results) => {
                            search.hits = results.hits;
                            search.total = results.total;
                            search.selected =
                                search.selected.min(search.hits.len().saturating_sub(1));
                            search.error = None;
                        }
                        Err(err) => search.error = Some(err),
                    }
                }
                // An answer to a query the coder has typed past.
                Reply::Results { .. } => {}
            }
        }
        changed
    }

    /// Called after a save: the index learns the coder's new annotations.
    pub fn on_saved(&mut self) {
        if let Some(worker) = &self.search_worker {
            worker.send(Request::Saved(Box::new(self.coder.clone())));
        }
    }

    /// Waits (up to `timeout`) until the search worker has answered the current query; for
    /// tests and scripted use.
    pub fn wait_for_search(&mut self, timeout: std::time::Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            self.poll_search();
            if let Some(search) = &self.search {
                let answered = matches!(search.status, SearchStatus::Failed(_))
                    || (search.status == SearchStatus::Ready
                        && search.answered == search.generation);
                if answered {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}
