//! Three-way merge of coder files by annotation identity: what a workspace does when its
//! coder's file changed on disk (a `git pull`, a second machine, an editor) since it was
//! loaded or last written.
//!
//! An annotation is identified by its document, unit and span. Against the version both sides
//! started from (the base):
//! - codes are merged as sets: a code either side added is kept, a code either side removed is
//!   removed (an annotation deleted on one side is a set of codes removed);
//! - a memo changed on one side takes that side's text; changed differently on both, both texts
//!   are kept, one after the other, under a visible line ([`BOTH_MEMOS_MARKER`]);
//! - a document's status changed differently on both sides takes the one further along
//!   (done, then in progress, then not started): the coder can reopen it, but no `D` is lost.
//! - `codebook_version` is the older of the two sides' when they differ (see
//!   [`crate::project::migrate`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::corpus::{CodePointRange, DocumentId, IndicatorId, UnitId};

use super::{Annotation, CoderFile, DocumentCoding, Status};

/// The line between the two versions of a memo that was changed in two places at once.
pub const BOTH_MEMOS_MARKER: &str = "── changed in two places at once; the other version: ──";

/// What came in from the other side (`theirs`) in a merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Annotations the other side added.
    pub added: usize,
    /// Annotations the other side removed.
    pub removed: usize,
    /// Annotations whose codes or memo the other side changed.
    pub changed: usize,
    /// Documents whose status or memo the other side changed.
    pub documents: usize,
    /// Memos changed differently on both sides: both texts kept.
    pub both_memos: usize,
}

impl MergeReport {
    /// Nothing came in.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// "2 annotations added, 1 changed; both versions of 1 memo kept" (empty when nothing).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |n: usize, one: &str, many: &str| match n {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        };
        push(self.added, "annotation added", "annotations added");
        push(self.removed, "annotation removed", "annotations removed");
        push(self.changed, "annotation changed", "annotations changed");
        push(
            self.documents,
            "document memo or status changed",
            "document memos or statuses changed",
        );
        let mut text = parts.join(", ");
        if self.both_memos > 0 {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&match self.both_memos {
                1 => "both versions of 1 memo kept".to_string(),
                n => format!("both versions of {n} memos kept"),
            });
        }
        text
    }
}

type Key = (UnitId, Option<(usize, usize)>);

fn key(a: &Annotation) -> Key {
    (
        a.unit.clone(),
        a.span.map(|s: CodePointRange| (s.start, s.end)),
    )
}

/// One side's annotations of a document by identity; two with the same identity (a union
/// merge in git makes them) count as one with the codes of both.
fn by_key(coding: Option<&DocumentCoding>) -> BTreeMap<Key, Annotation> {
    let mut map: BTreeMap<Key, Annotation> = BTreeMap::new();
    for a in coding.map(|c| c.annotations.as_slice()).unwrap_or(&[]) {
        match map.get_mut(&key(a)) {
            Some(seen) => {
                seen.codes.extend(a.codes.iter().cloned());
                seen.codes.sort();
                seen.codes.dedup();
                if seen.memo.is_none() {
                    seen.memo.clone_from(&a.memo);
                }
            }
            None => {
                let mut a = a.clone();
                a.codes.sort();
                a.codes.dedup();
                map.insert(key(&a), a);
            }
        }
    }
    map
}

/// A value changed on at most one side takes that side's; `None` when both changed it
/// differently.
fn pick<T: PartialEq + Clone>(base: &T, ours: &T, theirs: &T) -> Option<T> {
    if ours == theirs || theirs == base {
        Some(ours.clone())
    } else if ours == base {
        Some(theirs.clone())
    } else {
        None
    }
}

fn merge_memo(
    base: &Option<String>,
    ours: &Option<String>,
    theirs: &Option<String>,
    report: &mut MergeReport,
) -> Option<String> {
    if let Some(memo) = pick(base, ours, theirs) {
        return memo;
    }
    match (ours, theirs) {
        // Removed on one side and rewritten on the other: the new text is kept.
        (None, Some(text)) | (Some(text), None) => Some(text.clone()),
        (Some(ours), Some(theirs)) => {
            report.both_memos += 1;
            Some(format!("{ours}\n{BOTH_MEMOS_MARKER}\n{theirs}"))
        }
        (None, None) => None,
    }
}

fn merge_codes(
    base: &[IndicatorId],
    ours: &[IndicatorId],
    theirs: &[IndicatorId],
) -> Vec<IndicatorId> {
    let mut all: Vec<&IndicatorId> = ours.iter().chain(theirs).collect();
    all.sort();
    all.dedup();
    all.into_iter()
        .filter(|code| {
            let (b, o, t) = (
                base.contains(code),
                ours.contains(code),
                theirs.contains(code),
            );
            // Kept unless one side removed it from the base.
            (o && t) || (!b && (o || t))
        })
        .cloned()
        .collect()
}

fn merge_annotation(
    base: Option<&Annotation>,
    ours: Option<&Annotation>,
    theirs: Option<&Annotation>,
    report: &mut MergeReport,
) -> Option<Annotation> {
    let empty: Vec<IndicatorId> = Vec::new();
    let codes_of = |a: Option<&Annotation>| a.map(|a| a.codes.clone()).unwrap_or_default();
    let memo_of = |a: Option<&Annotation>| a.and_then(|a| a.memo.clone());
    if theirs != base {
        match (base, theirs) {
            (None, Some(_)) => report.added += 1,
            (Some(_), None) => report.removed += 1,
            _ => report.changed += 1,
        }
    }
    let codes = merge_codes(
        base.map_or(&empty, |a| &a.codes),
        &codes_of(ours),
        &codes_of(theirs),
    );
    let memo = merge_memo(&memo_of(base), &memo_of(ours), &memo_of(theirs), report);
    if codes.is_empty() && memo.is_none() {
        return None;
    }
    // Quote, times and placement from the side that changed it, ours first.
    let template = match (ours, theirs) {
        (Some(o), Some(t)) if Some(o) == base => t,
        (Some(o), _) => o,
        (None, Some(t)) => t,
        (None, None) => base?,
    };
    let created = [ours, theirs]
        .into_iter()
        .flatten()
        .filter_map(|a| a.created)
        .min();
    let modified = [ours, theirs]
        .into_iter()
        .flatten()
        .filter_map(|a| a.modified)
        .max();
    // Where each code kept came from, from whichever side accepted it from a suggestion.
    let suggested = [ours, theirs, base]
        .into_iter()
        .flatten()
        .flat_map(|a| a.suggested.iter().cloned())
        .collect();
    let mut merged = Annotation {
        codes,
        suggested,
        memo,
        created,
        modified,
        ..template.clone()
    };
    merged.tidy_suggested();
    Some(merged)
}

fn merge_document(
    base: Option<&DocumentCoding>,
    ours: Option<&DocumentCoding>,
    theirs: Option<&DocumentCoding>,
    report: &mut MergeReport,
) -> Option<DocumentCoding> {
    let status_of = |c: Option<&DocumentCoding>| c.map(|c| c.status).unwrap_or_default();
    let memo_of = |c: Option<&DocumentCoding>| c.and_then(|c| c.memo.clone());
    let (base_status, our_status, their_status) =
        (status_of(base), status_of(ours), status_of(theirs));
    if their_status != base_status || memo_of(theirs) != memo_of(base) {
        report.documents += 1;
    }
    let status = pick(&base_status, &our_status, &their_status)
        .unwrap_or_else(|| our_status.max(their_status));
    let memo = merge_memo(&memo_of(base), &memo_of(ours), &memo_of(theirs), report);

    let (base_map, our_map, their_map) = (by_key(base), by_key(ours), by_key(theirs));
    let mut keys: Vec<&Key> = our_map.keys().chain(their_map.keys()).collect();
    keys.extend(base_map.keys());
    keys.sort();
    keys.dedup();
    let annotations: Vec<Annotation> = keys
        .into_iter()
        .filter_map(|k| merge_annotation(base_map.get(k), our_map.get(k), their_map.get(k), report))
        .collect();
    // Suggestions shown on either side make the coding suggestion-assisted.
    let suggestions = [base, ours, theirs]
        .into_iter()
        .flatten()
        .any(|c| c.suggestions);
    let mut coding = DocumentCoding {
        status,
        memo,
        suggestions,
        annotations,
    };
    if coding.status == Status::NotStarted && coding != DocumentCoding::default() {
        coding.status = Status::InProgress;
    }
    (coding != DocumentCoding::default()).then_some(coding)
}

/// The codebook version a merge records: the older of the two sides' when they differ, since
/// the merged file may hold codes written under it; migrating the file from there
/// ([`crate::project::migrate`]) replays what it needs, and a change replayed on codes that
/// already follow it does nothing.
fn older_version(ours: &Option<String>, theirs: &Option<String>) -> Option<String> {
    match (ours, theirs) {
        (Some(a), Some(b)) => Some(
            if crate::codebook::history::compare_versions(b, a).is_lt() {
                b.clone()
            } else {
                a.clone()
            },
        ),
        (a, b) => a.clone().or_else(|| b.clone()),
    }
}

/// Merges `ours` (the workspace's) and `theirs` (what is on disk now), both changed from
/// `base` (what was last read or written); returns the merge and what came in from `theirs`.
/// All three must be anchored in the same corpus, so that the same text has the same unit.
pub fn merge3(base: &CoderFile, ours: &CoderFile, theirs: &CoderFile) -> (CoderFile, MergeReport) {
    let mut report = MergeReport::default();
    let mut merged = CoderFile {
        codebook_version: older_version(&ours.codebook_version, &theirs.codebook_version),
        documents: BTreeMap::new(),
        ..ours.clone()
    };
    let mut ids: Vec<&DocumentId> = ours.documents.keys().collect();
    ids.extend(theirs.documents.keys());
    ids.extend(base.documents.keys());
    ids.sort();
    ids.dedup();
    for id in ids {
        let (b, o, t) = (
            base.documents.get(id),
            ours.documents.get(id),
            theirs.documents.get(id),
        );
        let same = |x: Option<&Arc<DocumentCoding>>, y: Option<&Arc<DocumentCoding>>| match (x, y) {
            (Some(x), Some(y)) => Arc::ptr_eq(x, y) || x == y,
            (None, None) => true,
            _ => false,
        };
        // Unchanged on disk, or changed there as here: ours, shared (most documents).
        let coding = if same(t, b) || same(o, t) {
            o.cloned()
        } else if same(o, b) {
            // Changed on disk only: theirs as it is; what came in is counted all the same.
            merge_document(
                b.map(|c| &**c),
                o.map(|c| &**c),
                t.map(|c| &**c),
                &mut report,
            );
            t.cloned()
        } else {
            merge_document(
                b.map(|c| &**c),
                o.map(|c| &**c),
                t.map(|c| &**c),
                &mut report,
            )
            .map(Arc::new)
        };
        if let Some(coding) = coding {
            merged.documents.insert(id.clone(), coding);
        }
    }
    (merged, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IndicatorId {
        IndicatorId::new(s)
    }

    fn annotation(unit: &str, codes: &[&str], memo: Option<&str>) -> Annotation {
        let mut a = Annotation::new_unit(
            UnitId::new(unit),
            codes.iter().map(|c| id(c)).collect(),
            chrono::DateTime::UNIX_EPOCH,
        );
        a.memo = memo.map(str::to_string);
        a
    }

    fn file(docs: &[(&str, Status, Vec<Annotation>)]) -> CoderFile {
        let mut f = CoderFile::new("alice", Some("1.0".into()));
        for (doc, status, annotations) in docs {
            f.documents.insert(
                DocumentId::new(*doc),
                Arc::new(DocumentCoding {
                    status: *status,
                    memo: None,
                    suggestions: false,
                    annotations: annotations.clone(),
                }),
            );
        }
        f
    }

    fn codes(f: &CoderFile, doc: &str, unit: &str) -> Vec<String> {
        f.codes_on_unit(&DocumentId::new(doc), &UnitId::new(unit))
            .into_iter()
            .map(|c| c.to_string())
            .collect()
    }

    #[test]
    fn additions_from_both_sides_are_kept() {
        let base = file(&[("d", Status::InProgress, vec![annotation("1", &["A"], None)])]);
        let ours = file(&[(
            "d",
            Status::InProgress,
            vec![
                annotation("1", &["A", "B"], None),
                annotation("2", &["C"], None),
            ],
        )]);
        let theirs = file(&[(
            "d",
            Status::InProgress,
            vec![
                annotation("1", &["A", "D"], None),
                annotation("3", &["E"], None),
            ],
        )]);
        let (merged, report) = merge3(&base, &ours, &theirs);
        assert_eq!(codes(&merged, "d", "1"), ["A", "B", "D"]);
        assert_eq!(codes(&merged, "d", "2"), ["C"]);
        assert_eq!(codes(&merged, "d", "3"), ["E"]);
        assert_eq!(report.added, 1);
        assert_eq!(report.changed, 1);
    }

    #[test]
    fn deletions_on_either_side_are_honoured() {
        let base = file(&[(
            "d",
            Status::InProgress,
            vec![
                annotation("1", &["A", "B"], None),
                annotation("2", &["C"], None),
            ],
        )]);
        // Ours removed B; theirs removed the whole annotation on unit 2.
        let ours = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A"], None), annotation("2", &["C"], None)],
        )]);
        let theirs = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A", "B"], None)],
        )]);
        let (merged, report) = merge3(&base, &ours, &theirs);
        assert_eq!(codes(&merged, "d", "1"), ["A"]);
        assert!(codes(&merged, "d", "2").is_empty());
        assert_eq!(report.removed, 1);
    }

    #[test]
    fn a_memo_changed_on_both_sides_keeps_both_texts() {
        let base = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A"], Some("old"))],
        )]);
        let ours = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A"], Some("mine"))],
        )]);
        let theirs = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A"], Some("theirs"))],
        )]);
        let (merged, report) = merge3(&base, &ours, &theirs);
        let memo = merged.annotations(&DocumentId::new("d"))[0]
            .memo
            .clone()
            .unwrap();
        assert_eq!(memo, format!("mine\n{BOTH_MEMOS_MARKER}\ntheirs"));
        assert_eq!(report.both_memos, 1);
        assert!(report.describe().contains("both versions of 1 memo kept"));
    }

    #[test]
    fn a_memo_changed_on_one_side_takes_that_side() {
        let base = file(&[("d", Status::InProgress, vec![annotation("1", &["A"], None)])]);
        let ours = base.clone();
        let theirs = file(&[(
            "d",
            Status::InProgress,
            vec![annotation("1", &["A"], Some("new"))],
        )]);
        let (merged, report) = merge3(&base, &ours, &theirs);
        let memo = merged.annotations(&DocumentId::new("d"))[0].memo.clone();
        assert_eq!(memo.as_deref(), Some("new"));
        assert_eq!(report.describe(), "1 annotation changed");
    }

    #[test]
    fn status_changed_on_both_sides_takes_the_one_further_along() {
        let a = || vec![annotation("1", &["A"], None)];
        let base = file(&[("d", Status::NotStarted, a())]);
        let ours = file(&[("d", Status::InProgress, a())]);
        let theirs = file(&[("d", Status::Done, a())]);
        let (merged, _) = merge3(&base, &ours, &theirs);
        assert_eq!(merged.status(&DocumentId::new("d")), Status::Done);
        // Reopened here, untouched there: reopened.
        let base = file(&[("d", Status::Done, a())]);
        let ours = file(&[("d", Status::InProgress, a())]);
        let (merged, _) = merge3(&base, &ours, &base);
        assert_eq!(merged.status(&DocumentId::new("d")), Status::InProgress);
    }

    #[test]
    fn nothing_changed_on_disk_reports_nothing_and_keeps_ours() {
        let base = file(&[("d", Status::InProgress, vec![annotation("1", &["A"], None)])]);
        let ours = file(&[("d", Status::Done, vec![annotation("1", &["A", "B"], None)])]);
        let (merged, report) = merge3(&base, &ours, &base);
        assert!(report.is_empty());
        assert_eq!(merged, ours);
    }

    #[test]
    fn duplicates_on_one_side_count_once() {
        let base = file(&[]);
        let theirs = file(&[(
            "d",
            Status::InProgress,
            vec![
                annotation("1", &["A"], None),
                annotation("1", &["A", "B"], None),
            ],
        )]);
        let ours = file(&[("d", Status::InProgress, vec![annotation("2", &["C"], None)])]);
        let (merged, report) = merge3(&base, &ours, &theirs);
        assert_eq!(merged.annotations(&DocumentId::new("d")).len(), 2);
        assert_eq!(codes(&merged, "d", "1"), ["A", "B"]);
        assert_eq!(report.added, 1);
    }

    #[test]
    fn a_merge_records_the_older_codebook_version() {
        let a = || vec![annotation("1", &["A"], None)];
        let base = file(&[("d", Status::InProgress, a())]);
        let mut theirs = file(&[("d", Status::InProgress, a())]);
        theirs.codebook_version = Some("1.10".into());
        let mut ours = file(&[("d", Status::Done, a())]);
        ours.codebook_version = Some("1.9".into());
        let (merged, _) = merge3(&base, &ours, &theirs);
        assert_eq!(merged.codebook_version.as_deref(), Some("1.9"));
        let (merged, _) = merge3(&base, &theirs, &ours);
        assert_eq!(merged.codebook_version.as_deref(), Some("1.9"));
        let (merged, _) = merge3(&base, &theirs, &theirs);
        assert_eq!(merged.codebook_version.as_deref(), Some("1.10"));
    }
}
