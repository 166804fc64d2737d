//! Bringing the index up to date: planning what changed, writing it under the lock, and
//! merging a new build into balanced segments.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::index::SegmentId;
use tantivy::indexer::NoMergePolicy;
use tantivy::schema::Term;
use tantivy::{Index, IndexWriter, TantivyDocument, TantivyError};

use crate::corpus::DocumentId;
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};
use crate::search::build::{Coding, State, doc_state, unit_documents};
use crate::search::schema::Layout;

use super::lock::{Held, acquire, busy_message};
use super::state::{STATE_DIR, STATE_PAYLOAD, commit_payload, state_file};
use super::{OpenOptions, Progress, SearchIndex, Stage, SyncReport, tantivy_error};

/// Memory for a full (re)build, and for small updates.
const BUILD_MEMORY: usize = 64 << 20;
const UPDATE_MEMORY: usize = 16 << 20;

/// Up to this many documents to (re)index, a write uses one thread and [`UPDATE_MEMORY`].
const SMALL_PLAN: usize = 16;

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
pub(super) enum Scope {
    Everything,
    Annotations,
}

impl SearchIndex {
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
    pub(super) fn sync_with(
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
