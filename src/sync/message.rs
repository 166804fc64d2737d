//! What a sync's commit message says: the coder's work since the last commit, in the words of
//! a coder ("12 units coded, 2 documents done"), not of a diff.

use std::collections::{BTreeMap, BTreeSet};

use crate::annotations::{CoderFile, Status};
use crate::corpus::{DocumentId, IndicatorId, UnitId};

/// The difference between a coder file as committed and as it is now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Work {
    /// Units that have codes now and had none.
    pub coded: usize,
    /// Units whose codes changed.
    pub recoded: usize,
    /// Units whose codes were all removed.
    pub uncoded: usize,
    /// Annotations whose memo changed, and documents whose memo changed.
    pub memos: usize,
    /// Documents marked done.
    pub done: Vec<DocumentId>,
    /// Documents that were done and are no longer.
    pub reopened: Vec<DocumentId>,
}

type Codes<'a> = BTreeMap<(&'a DocumentId, &'a UnitId), BTreeSet<&'a IndicatorId>>;

fn codes(file: &CoderFile) -> Codes<'_> {
    let mut map: Codes = BTreeMap::new();
    for (id, coding) in &file.documents {
        for a in &coding.annotations {
            if !a.codes.is_empty() {
                map.entry((id, &a.unit)).or_default().extend(a.codes.iter());
            }
        }
    }
    map
}

fn memos(file: &CoderFile) -> BTreeMap<String, &str> {
    let mut map = BTreeMap::new();
    for (id, coding) in &file.documents {
        if let Some(memo) = &coding.memo {
            map.insert(format!("{id}"), memo.as_str());
        }
        for a in &coding.annotations {
            if let Some(memo) = &a.memo {
                map.insert(
                    format!("{id}\u{0}{}\u{0}{:?}", a.unit, a.span),
                    memo.as_str(),
                );
            }
        }
    }
    map
}

impl Work {
    /// What changed from `before` (`None`: no file committed yet) to `after`.
    pub fn between(before: Option<&CoderFile>, after: &CoderFile) -> Self {
        let empty = CoderFile::new(&after.coder, None);
        let before = before.unwrap_or(&empty);
        let (old, new) = (codes(before), codes(after));
        let mut work = Work::default();
        for (key, now) in &new {
            match old.get(key) {
                None => work.coded += 1,
                Some(was) if was != now => work.recoded += 1,
                Some(_) => {}
            }
        }
        work.uncoded = old.keys().filter(|k| !new.contains_key(*k)).count();
        let (old_memos, new_memos) = (memos(before), memos(after));
        let mut keys: BTreeSet<&String> = old_memos.keys().collect();
        keys.extend(new_memos.keys());
        work.memos = keys
            .into_iter()
            .filter(|k| old_memos.get(*k) != new_memos.get(*k))
            .count();
        for (id, coding) in &after.documents {
            if coding.status == Status::Done && before.status(id) != Status::Done {
                work.done.push(id.clone());
            }
        }
        for id in before.documents.keys() {
            if before.status(id) == Status::Done && after.status(id) != Status::Done {
                work.reopened.push(id.clone());
            }
        }
        work
    }

    /// "12 units coded, 3 recoded, 2 documents done" (empty when nothing a coder would name).
    pub fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let mut parts = Vec::new();
        if self.coded > 0 {
            parts.push(count(self.coded, "unit coded", "units coded"));
        }
        if self.recoded > 0 {
            parts.push(count(self.recoded, "unit recoded", "units recoded"));
        }
        if self.uncoded > 0 {
            parts.push(count(self.uncoded, "unit uncoded", "units uncoded"));
        }
        if self.memos > 0 {
            parts.push(count(self.memos, "memo written", "memos written"));
        }
        if !self.done.is_empty() {
            parts.push(count(self.done.len(), "document done", "documents done"));
        }
        if !self.reopened.is_empty() {
            parts.push(count(
                self.reopened.len(),
                "document reopened",
                "documents reopened",
            ));
        }
        parts.join(", ")
    }

    /// Lines for the body of the message: which documents.
    pub fn details(&self) -> Vec<String> {
        let list = |ids: &[DocumentId]| {
            let shown: Vec<String> = ids.iter().take(20).map(|d| d.to_string()).collect();
            let more = ids.len().saturating_sub(20);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        let mut lines = Vec::new();
        if !self.done.is_empty() {
            lines.push(format!("Done: {}", list(&self.done)));
        }
        if !self.reopened.is_empty() {
            lines.push(format!("Reopened: {}", list(&self.reopened)));
        }
        lines
    }
}
