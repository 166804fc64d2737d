//! Which documents a report counts, which it leaves out and why, and what a consensus file has
//! not decided yet.
//!
//! # Counted documents
//!
//! By default ([`Include::Done`]) a report counts, for each coder, the documents that coder
//! marked done, as `normcode agree` does: in a document the coder has not finished, an uncoded
//! unit means "not coded yet", and its codes may be the first few a search coded. A series that
//! combines coders counts the documents every one of them counts (so `--combine all` over two
//! coders counts the documents `agree` compares). [`Include::InProgress`] also counts the
//! documents a coder is still coding, except those coded only from search results;
//! [`Include::All`] counts every document of the corpus, whatever its status.
//!
//! Every document a coder's series does not count is listed ([`LeftOut`]) with the reason:
//! `not_started`, `in_progress` or `search_coded_only`.
//!
//! # Search-coded only
//!
//! Coder files do not record how an annotation was made, but coding search hits
//! ([`crate::annotations::coding::code_many`]) leaves a trace no hand coding does: one batch of
//! whole-unit annotations created at the same second, without memo, never modified. A document
//! not marked done whose every annotation is of that kind (and shares its creation time with
//! another annotation of the coder's) is "search-coded only": nobody has read it yet.
//!
//! # Unresolved disagreements of a consensus
//!
//! A consensus file ([`crate::adjudication::CONSENSUS`]) is built unit by unit from the other
//! coders' disagreements. While some are not decided, the consensus series of a report says how
//! many per indicator (the undecided units where some coder gave the indicator: whether the
//! consensus will keep it there is open), and the agenda does not call a group the only one to
//! raise an indicator while units of another group's documents are still pending on it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::adjudication::{self, CONSENSUS};
use crate::annotations::{CoderFile, Status};
use crate::corpus::{DocumentId, IndicatorId};
use crate::export::table::Table;
use crate::project::{LoadedCoder, Project};

/// Which documents of each coder a report counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Include {
    /// The documents the coder marked done.
    #[default]
    Done,
    /// Also those in progress, unless coded only from search results.
    InProgress,
    /// Every document of the corpus, whatever its status.
    All,
}

impl Include {
    pub fn name(self) -> &'static str {
        match self {
            Include::Done => "done",
            Include::InProgress => "in-progress",
            Include::All => "all",
        }
    }

    /// What is counted, for the reader of a report.
    pub fn explain(self) -> &'static str {
        match self {
            Include::Done => "the documents each coder marked done",
            Include::InProgress => {
                "the documents each coder marked done or is coding (not those only search-coded)"
            }
            Include::All => "every document of the corpus, whatever its status",
        }
    }
}

/// Why a coder's document is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NotStarted,
    InProgress,
    SearchCodedOnly,
}

impl Reason {
    pub fn label(self) -> &'static str {
        match self {
            Reason::NotStarted => "not started",
            Reason::InProgress => "in progress",
            Reason::SearchCodedOnly => "search-coded only",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Reason::NotStarted => "not_started",
            Reason::InProgress => "in_progress",
            Reason::SearchCodedOnly => "search_coded_only",
        }
    }
}

/// A document a coder's series does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub document: DocumentId,
    pub coder: String,
    pub reason: Reason,
}

/// Creation times shared by two or more annotations of `file`: the batches of coded search hits.
fn batch_times(file: &CoderFile) -> BTreeSet<DateTime<Utc>> {
    let mut seen: BTreeMap<DateTime<Utc>, usize> = BTreeMap::new();
    for coding in file.documents.values() {
        for a in &coding.annotations {
            if let Some(t) = a.created {
                *seen.entry(t).or_default() += 1;
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(t, _)| t)
        .collect()
}

/// Whether every annotation of `document` in `file` was made by coding search hits.
fn search_coded_only(
    file: &CoderFile,
    document: &DocumentId,
    batches: &BTreeSet<DateTime<Utc>>,
) -> bool {
    let annotations = file.annotations(document);
    !annotations.is_empty()
        && file
            .documents
            .get(document)
            .is_none_or(|c| c.memo.is_none())
        && annotations.iter().all(|a| {
            a.span.is_none()
                && a.memo.is_none()
                && !a.codes.is_empty()
                && a.created.is_some_and(|t| batches.contains(&t))
                && a.modified == a.created
        })
}

/// Why `coder` does not count `document` under `include`; `None` when it counts it.
fn reason(
    file: &CoderFile,
    document: &DocumentId,
    include: Include,
    batches: &BTreeSet<DateTime<Utc>>,
) -> Option<Reason> {
    let status = file.status(document);
    if include == Include::All || status == Status::Done {
        return None;
    }
    if search_coded_only(file, document, batches) {
        return Some(Reason::SearchCodedOnly);
    }
    match status {
        Status::InProgress if include == Include::InProgress => None,
        Status::InProgress => Some(Reason::InProgress),
        _ => Some(Reason::NotStarted),
    }
}

/// Each coder's counted documents (corpus order) and everything left out, coder by coder.
pub fn counted(
    project: &Project,
    coders: &[LoadedCoder],
    include: Include,
) -> (Vec<BTreeSet<DocumentId>>, Vec<LeftOut>) {
    let mut counted = Vec::new();
    let mut left_out = Vec::new();
    for coder in coders {
        let batches = batch_times(&coder.file);
        let mut mine = BTreeSet::new();
        for document in &project.corpus.documents {
            match reason(&coder.file, &document.id, include, &batches) {
                None => {
                    mine.insert(document.id.clone());
                }
                Some(reason) => left_out.push(LeftOut {
                    document: document.id.clone(),
                    coder: coder.name.clone(),
                    reason,
                }),
            }
        }
        counted.push(mine);
    }
    (counted, left_out)
}

/// The consensus file's undecided disagreements of the other coders (every coder file but the
/// consensus): per indicator disputed there, the documents and how many units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The coders whose disagreements the consensus decides.
    pub coders: Vec<String>,
    /// Undecided units in all.
    pub units: usize,
    /// Per indicator: undecided units where some coder gave it.
    pub by_indicator: BTreeMap<IndicatorId, usize>,
    /// Per indicator: those units per document.
    #[serde(skip)]
    pub documents: BTreeMap<IndicatorId, BTreeMap<DocumentId, usize>>,
}

impl Unresolved {
    pub fn is_empty(&self) -> bool {
        self.units == 0
    }

    /// "2 disagreements not yet resolved: VU01 (1), WP01 (2)".
    pub fn sentence(&self) -> String {
        let per: Vec<String> = self
            .by_indicator
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        format!(
            "The consensus has {} disagreement{} of {} not yet resolved (units, per indicator \
             some coder gave there: {}); those units count nowhere until they are.",
            self.units,
            if self.units == 1 { "" } else { "s" },
            self.coders.join(", "),
            per.join(", ")
        )
    }
}

/// What the consensus file (if `coder` is one) has not decided yet; `None` for other coders.
pub fn unresolved(project: &Project, coder: &LoadedCoder) -> Option<Unresolved> {
    if coder.name != CONSENSUS {
        return None;
    }
    let names = adjudication::default_coders(project).ok()?;
    if names.len() < 2 {
        return Some(Unresolved::default());
    }
    let raw = project.load_coders(Some(&names)).ok()?;
    let files = adjudication::files(&raw);
    let mut out = Unresolved {
        coders: names,
        ..Unresolved::default()
    };
    for d in adjudication::disagreements(project, &files) {
        if adjudication::is_resolved(&coder.file, &d) {
            continue;
        }
        out.units += 1;
        for code in d.union() {
            *out.by_indicator.entry(code.clone()).or_default() += 1;
            *out.documents
                .entry(code.clone())
                .or_default()
                .entry(d.document.clone())
                .or_default() += 1;
        }
    }
    Some(out)
}

/// The coders a report combines when none were named: every coder file but the consensus (a
/// consensus is combined with the coders it decides between only when named). Per-coder
/// reports keep every coder. Returns the coders and those left out.
pub fn default_coders(names: Vec<String>, combining: bool) -> (Vec<String>, Vec<String>) {
    if !combining {
        return (names, Vec::new());
    }
    names.into_iter().partition(|n| n != CONSENSUS)
}

/// The Markdown section listing what was counted and what was left out.
pub fn markdown(include: Include, left_out: &[LeftOut]) -> String {
    let mut out = format!(
        "\n## Documents counted\n\nCounted: {} (`--include done|in-progress|all`).",
        include.explain()
    );
    if left_out.is_empty() {
        out.push_str(" Nothing was left out.\n");
        return out;
    }
    out.push_str(&format!(
        " Left out ({} coder × document):\n\n",
        left_out.len()
    ));
    let mut table = super::MarkdownTable::new(&[
        ("Coder", false),
        ("Reason", false),
        ("Documents", true),
        ("Which", false),
    ]);
    let mut groups: Vec<((&str, Reason), Vec<&str>)> = Vec::new();
    for l in left_out {
        let key = (l.coder.as_str(), l.reason);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, docs)) => docs.push(l.document.as_str()),
            None => groups.push((key, vec![l.document.as_str()])),
        }
    }
    for ((coder, reason), docs) in groups {
        table.push(vec![
            coder.to_string(),
            reason.label().to_string(),
            docs.len().to_string(),
            docs.join(", "),
        ]);
    }
    out.push_str(&table.render());
    out
}

/// The CSV columns naming what was left out, after a report's own columns.
pub const CSV_COLUMNS: [&str; 2] = ["left_out_document", "left_out_reason"];

/// Adds [`CSV_COLUMNS`] to `table` (empty on its rows) and one row per document left out,
/// with only `coder` and those columns filled: in R, `subset(t, is.na(left_out_document))`
/// keeps the report's rows.
pub fn append_csv(table: &mut Table, left_out: &[LeftOut]) {
    table
        .header
        .extend(CSV_COLUMNS.iter().map(|c| c.to_string()));
    let width = table.header.len();
    for row in &mut table.rows {
        row.resize(width, Value::Null);
    }
    let coder_at = table.column("coder");
    for l in left_out {
        let mut row = vec![Value::Null; width];
        if let Some(i) = coder_at {
            row[i] = Value::from(l.coder.as_str());
        }
        row[width - 2] = Value::from(l.document.as_str());
        row[width - 1] = Value::from(l.reason.name());
        table.rows.push(row);
    }
}
