//! Coding: adding, removing and toggling a code on a unit or a span, coding many units at once,
//! a document's status and memos. Each function changes the coder file in memory and returns
//! the [`Change`] it made, which undo reverts; none writes a file or knows who asked (the
//! workspace, review, a command).
//!
//! The rules every edit of one document follows (as the workspace always did):
//! - a document with something in it that was "not started" becomes "in progress";
//! - a document left with nothing at all (no annotation, no memo, not started) is dropped from
//!   the file;
//! - an annotation left with neither codes nor memo is removed;
//! - annotations that could not be placed (orphans) are never touched: coding a unit that now
//!   has an orphan's id makes a new annotation beside it;
//! - new annotations go in document order ([`DocumentCoding::sort`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::codebook::Codebook;
use crate::corpus::{CodePointRange, Corpus, Document, DocumentId, IndicatorId, Unit, UnitId};

use super::{Annotation, CoderFile, DocumentCoding, Status, Suggested, normalize_line_ends};

/// One document's coding before and after a change; `None` when the file has no entry for it.
pub type Entry = (DocumentId, Option<DocumentCoding>, Option<DocumentCoding>);

/// What one coding action changed: the codings of the documents it touched, before and after,
/// and what to call it ("added TH02 to unit p3"). Empty when nothing changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    pub label: String,
    pub entries: Vec<Entry>,
}

impl Change {
    /// A change of no document (yet), called `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            entries: Vec::new(),
        }
    }

    /// Whether the change changed nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The documents it changed, in the order changed.
    pub fn documents(&self) -> impl Iterator<Item = &DocumentId> {
        self.entries.iter().map(|(document, _, _)| document)
    }

    /// Makes the change again (redo): each document as it was after.
    pub fn apply(&self, file: &mut CoderFile) {
        for (document, _, after) in &self.entries {
            set(file, document, after.clone());
        }
    }

    /// Takes the change back (undo): each document as it was before, last changed first.
    pub fn revert(&self, file: &mut CoderFile) {
        for (document, before, _) in self.entries.iter().rev() {
            set(file, document, before.clone());
        }
    }

    /// Records what `change` does to `documents` of `file`, for changes made by other means
    /// (an adjudication). Documents it leaves as they were are not recorded.
    pub fn record(
        file: &mut CoderFile,
        documents: &[DocumentId],
        label: impl Into<String>,
        change: impl FnOnce(&mut CoderFile),
    ) -> Self {
        let before: Vec<Option<DocumentCoding>> =
            documents.iter().map(|d| current(file, d)).collect();
        change(file);
        let entries = documents
            .iter()
            .zip(before)
            .filter_map(|(document, before)| {
                let after = current(file, document);
                (after != before).then(|| (document.clone(), before, after))
            })
            .collect();
        Self {
            label: label.into(),
            entries,
        }
    }
}

/// Why a code cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodingError {
    #[error("{0} is retired and no longer offered for coding")]
    Retired(IndicatorId),
    #[error("{0} is not an indicator of the codebook")]
    Unknown(IndicatorId),
}

impl From<CodingError> for crate::Error {
    fn from(err: CodingError) -> Self {
        crate::Error::Usage(err.to_string())
    }
}

/// Where a code goes: a whole unit of a document, or a span of it. The whole unit and each span
/// are separate annotations.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub document: &'a Document,
    pub unit: &'a Unit,
    /// Body offsets in code points; `None` for the whole unit.
    pub span: Option<CodePointRange>,
}

impl<'a> Place<'a> {
    pub fn unit(document: &'a Document, unit: &'a Unit) -> Self {
        Self {
            document,
            unit,
            span: None,
        }
    }

    /// "unit p3", or "span 120..140 of p3".
    pub fn describe(&self) -> String {
        match self.span {
            Some(span) => format!("span {span} of {}", self.unit.id),
            None => format!("unit {}", self.unit.id),
        }
    }

    /// Whether `annotation` is the one of this place (orphans never are).
    fn holds(&self, annotation: &Annotation) -> bool {
        annotation.unit == self.unit.id && annotation.span == self.span && !annotation.is_orphaned()
    }
}

/// The coding of `document` in `file`, copied.
fn current(file: &CoderFile, document: &DocumentId) -> Option<DocumentCoding> {
    file.documents.get(document).map(|c| (**c).clone())
}

fn set(file: &mut CoderFile, document: &DocumentId, coding: Option<DocumentCoding>) {
    match coding {
        Some(coding) => {
            file.documents.insert(document.clone(), Arc::new(coding));
        }
        None => {
            file.documents.remove(document);
        }
    }
}

/// Applies `edit` to the coding of `document` under the rules of the module, as one change.
fn edit(
    file: &mut CoderFile,
    document: &DocumentId,
    label: String,
    edit: impl FnOnce(&mut DocumentCoding),
) -> Change {
    let before = current(file, document);
    let mut coding = before.clone().unwrap_or_default();
    edit(&mut coding);
    if coding.status == Status::NotStarted && coding != DocumentCoding::default() {
        coding.status = Status::InProgress;
    }
    let after = (coding != DocumentCoding::default()).then_some(coding);
    let mut change = Change::new(label);
    if after != before {
        set(file, document, after.clone());
        change.entries.push((document.clone(), before, after));
    }
    change
}

/// Refuses a code the codebook does not offer for coding.
pub fn check_code(codebook: &Codebook, code: &IndicatorId) -> Result<(), CodingError> {
    match codebook.indicator(code) {
        None => Err(CodingError::Unknown(code.clone())),
        Some(indicator) if indicator.retired => Err(CodingError::Retired(code.clone())),
        Some(_) => Ok(()),
    }
}

/// Whether the annotation of `place` has `code`.
pub fn has_code(file: &CoderFile, place: Place, code: &IndicatorId) -> bool {
    file.annotations(&place.document.id)
        .iter()
        .find(|a| place.holds(a))
        .is_some_and(|a| a.codes.contains(code))
}

/// Adds `code` to `place` (a new annotation there if it has none). An empty change if it has
/// the code already.
pub fn add(
    file: &mut CoderFile,
    codebook: &Codebook,
    place: Place,
    code: &IndicatorId,
    now: DateTime<Utc>,
) -> Result<Change, CodingError> {
    check_code(codebook, code)?;
    let label = format!("added {code} to {}", place.describe());
    Ok(edit(file, &place.document.id, label, |coding| match coding
        .annotations
        .iter_mut()
        .find(|a| place.holds(a))
    {
        Some(a) if a.codes.contains(code) => {}
        Some(a) => {
            a.codes.push(code.clone());
            a.codes.sort();
            a.modified = Some(now);
        }
        None => {
            let a = Annotation::new_in(
                place.document,
                place.unit,
                place.span,
                vec![code.clone()],
                now,
            );
            coding.annotations.push(a);
            coding.sort(Some(place.document));
        }
    }))
}

/// Adds a code the coder accepted from a suggestion: as [`add`], with where it came from
/// recorded on the annotation, and the document marked as coded with suggestions on. A code the
/// place has already keeps what it had.
pub fn accept(
    file: &mut CoderFile,
    codebook: &Codebook,
    place: Place,
    suggested: Suggested,
    now: DateTime<Utc>,
) -> Result<Change, CodingError> {
    check_code(codebook, &suggested.code)?;
    if has_code(file, place, &suggested.code) {
        return Ok(Change::new(format!(
            "{} is already on {}",
            suggested.code,
            place.describe()
        )));
    }
    let label = format!(
        "accepted the suggestion {} for {}",
        suggested.code,
        place.describe()
    );
    Ok(edit(file, &place.document.id, label, |coding| {
        coding.suggestions = true;
        let code = suggested.code.clone();
        match coding.annotations.iter_mut().find(|a| place.holds(a)) {
            Some(a) => {
                a.codes.push(code);
                a.codes.sort();
                a.suggested.push(suggested);
                a.tidy_suggested();
                a.modified = Some(now);
            }
            None => {
                let mut a =
                    Annotation::new_in(place.document, place.unit, place.span, vec![code], now);
                a.suggested.push(suggested);
                coding.annotations.push(a);
                coding.sort(Some(place.document));
            }
        }
    }))
}

/// Records that suggestions were shown while the coder coded `document` (its coding is then
/// suggestion-assisted, for `agree --by-assist`). An empty change if it says so already.
pub fn note_suggestions(file: &mut CoderFile, document: &DocumentId) -> Change {
    edit(
        file,
        document,
        "coded with suggestions on".to_string(),
        |coding| coding.suggestions = true,
    )
}

/// Removes `code` from `place`; the annotation goes when it is left with no code and no memo.
/// An empty change if the place does not have the code. A retired code can be removed.
pub fn remove(
    file: &mut CoderFile,
    place: Place,
    code: &IndicatorId,
    now: DateTime<Utc>,
) -> Change {
    let label = format!("removed {code} from {}", place.describe());
    edit(file, &place.document.id, label, |coding| {
        let Some(i) = coding.annotations.iter().position(|a| place.holds(a)) else {
            return;
        };
        let a = &mut coding.annotations[i];
        let Some(at) = a.codes.iter().position(|c| c == code) else {
            return;
        };
        a.codes.remove(at);
        a.suggested.retain(|s| &s.code != code);
        a.modified = Some(now);
        if a.codes.is_empty() && a.memo.is_none() {
            coding.annotations.remove(i);
        }
    })
}

/// Removes `code` from `place` if it has it, else adds it. A retired code is refused either
/// way: it is no longer offered for coding.
pub fn toggle(
    file: &mut CoderFile,
    codebook: &Codebook,
    place: Place,
    code: &IndicatorId,
    now: DateTime<Utc>,
) -> Result<Change, CodingError> {
    check_code(codebook, code)?;
    if has_code(file, place, code) {
        Ok(remove(file, place, code, now))
    } else {
        add(file, codebook, place, code, now)
    }
}

/// Adds `code` to each whole unit of `targets` (document, unit) that does not have it, as one
/// change over all their documents (in the order they first appear). Units the corpus does not
/// have are skipped. Returns the change and how many units got the code.
pub fn code_many(
    file: &mut CoderFile,
    codebook: &Codebook,
    corpus: &Corpus,
    targets: &[(DocumentId, UnitId)],
    code: &IndicatorId,
    now: DateTime<Utc>,
) -> Result<(Change, usize), CodingError> {
    check_code(codebook, code)?;
    let mut by_document: Vec<(&DocumentId, Vec<&UnitId>)> = Vec::new();
    for (document, unit) in targets {
        match by_document.iter_mut().find(|(d, _)| *d == document) {
            Some((_, units)) => units.push(unit),
            None => by_document.push((document, vec![unit])),
        }
    }
    let mut entries = Vec::new();
    let mut added = 0;
    for (id, units) in by_document {
        let Some(document) = corpus.get(id) else {
            continue;
        };
        let change = edit(file, id, String::new(), |coding| {
            for unit_id in units {
                let Some(unit) = document.unit(unit_id) else {
                    continue;
                };
                let place = Place::unit(document, unit);
                match coding.annotations.iter_mut().find(|a| place.holds(a)) {
                    Some(a) if a.codes.contains(code) => continue,
                    Some(a) => {
                        a.codes.push(code.clone());
                        a.codes.sort();
                        a.modified = Some(now);
                    }
                    None => {
                        let a = Annotation::new_in(document, unit, None, vec![code.clone()], now);
                        coding.annotations.push(a);
                    }
                }
                added += 1;
            }
            coding.sort(Some(document));
        });
        entries.extend(change.entries);
    }
    let label = format!(
        "added {code} to {added} unit{}",
        if added == 1 { "" } else { "s" }
    );
    Ok((Change { label, entries }, added))
}

/// Sets the status of `document`: "done" says its uncoded units count as absent.
pub fn set_status(file: &mut CoderFile, document: &DocumentId, status: Status) -> Change {
    let label = match status {
        Status::Done => "document marked done: its uncoded units now count as absent",
        Status::InProgress if file.status(document) == Status::Done => "document back in progress",
        Status::InProgress => "document marked in progress",
        Status::NotStarted => "document marked not started",
    };
    edit(file, document, label.to_string(), |coding| {
        coding.status = status;
    })
}

/// A memo as stored: none when blank, line ends as `\n`.
fn memo_text(memo: &str) -> Option<String> {
    let mut memo = (!memo.trim().is_empty()).then(|| memo.to_string());
    normalize_line_ends(&mut memo);
    memo
}

/// Sets the memo of `document` (a blank memo removes it).
pub fn set_document_memo(file: &mut CoderFile, document: &DocumentId, memo: &str) -> Change {
    let memo = memo_text(memo);
    edit(
        file,
        document,
        "document memo saved".to_string(),
        |coding| {
            coding.memo = memo;
        },
    )
}

/// Sets the memo of the annotation of `place`: a new annotation without codes if there is
/// none; a blank memo removes the memo, and the annotation if it has no codes.
pub fn set_memo(file: &mut CoderFile, place: Place, memo: &str, now: DateTime<Utc>) -> Change {
    let memo = memo_text(memo);
    let label = format!("memo on unit {} saved", place.unit.id);
    edit(file, &place.document.id, label, |coding| {
        match coding.annotations.iter().position(|a| place.holds(a)) {
            Some(i) => {
                let a = &mut coding.annotations[i];
                a.memo = memo;
                a.modified = Some(now);
                if a.codes.is_empty() && a.memo.is_none() {
                    coding.annotations.remove(i);
                }
            }
            None if memo.is_some() => {
                let mut a =
                    Annotation::new_in(place.document, place.unit, place.span, Vec::new(), now);
                a.memo = memo;
                coding.annotations.push(a);
                coding.sort(Some(place.document));
            }
            None => {}
        }
    })
}

/// How many codes the recently used list keeps (one per digit key).
pub const RECENT: usize = 9;

/// Notes `code` as just used in `recent` (newest first): a new code goes first; one already
/// listed keeps its place, so that the same digit keeps giving the same code.
pub fn note_recent(recent: &mut Vec<IndicatorId>, code: &IndicatorId) {
    if !recent.contains(code) {
        recent.insert(0, code.clone());
        recent.truncate(RECENT);
    }
}

#[cfg(test)]
mod tests;
