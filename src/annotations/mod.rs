//! Coder files: one YAML file per coder with the annotations made on each document.

mod anchor;
pub mod coding;
mod format;
mod merge;
mod orphans;
pub mod rejections;
mod scalar;
pub mod script;
mod store;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

pub use anchor::{AnchorReport, Anchoring, add_quotes, anchor_all, unit_quote};
pub use format::{IncrementalWriter, read_document_of};
pub use merge::{BOTH_MEMOS_MARKER, MergeReport, merge3};
pub use orphans::{CodingChange, delete, orphans, reattach};
pub use store::{
    CheckedWriteError, CoderLock, DiskVersion, FileSignature, coder_file_to_string,
    load_coder_file, parse_coder_file, parse_coder_file_reporting, save_coder_file, write_atomic,
    write_if_unchanged,
};

use crate::corpus::{CodePointRange, Corpus, Document, DocumentId, IndicatorId, Unit, UnitId};
use crate::error::{Error, Result};

/// The current time to the second: what annotation timestamps record.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(0)
}

/// The version of the coder-file layout this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A coder's progress on one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Done => "done",
        }
    }
}

/// One coded unit or span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    pub unit: UnitId,
    /// Body offsets in code points; `None` codes the whole unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<CodePointRange>,
    /// The span's exact text, or the start of the unit's text: what re-anchoring looks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(serialize_with = "flow_list")]
    pub codes: Vec<IndicatorId>,
    /// The codes that were accepted from the recommender's suggestions: by which model, with
    /// what score. Only codes the annotation has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested: Vec<Suggested>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
    /// Where anchoring placed it; not stored.
    #[serde(skip)]
    pub anchoring: Anchoring,
}

impl Annotation {
    pub fn new_unit(unit: UnitId, codes: Vec<IndicatorId>, now: DateTime<Utc>) -> Self {
        Self {
            unit,
            span: None,
            quote: None,
            codes,
            suggested: Vec::new(),
            memo: None,
            created: Some(now),
            modified: Some(now),
            anchoring: Anchoring::Anchored,
        }
    }

    /// A new annotation on `unit` of `document`, or on `span` of it, with its quote taken from
    /// the text as it is now.
    pub fn new_in(
        document: &Document,
        unit: &Unit,
        span: Option<CodePointRange>,
        codes: Vec<IndicatorId>,
        now: DateTime<Utc>,
    ) -> Self {
        let quote = match span {
            Some(span) => document.slice(span).unwrap_or_default().to_string(),
            None => unit_quote(document.unit_text(unit)),
        };
        Self {
            span,
            quote: Some(quote),
            ..Self::new_unit(unit.id.clone(), codes, now)
        }
    }

    pub fn is_orphaned(&self) -> bool {
        self.anchoring == Anchoring::Orphaned
    }

    /// The provenance of `code`, if it was accepted from a suggestion.
    pub fn suggested(&self, code: &IndicatorId) -> Option<&Suggested> {
        self.suggested.iter().find(|s| &s.code == code)
    }

    /// Provenance only for codes the annotation has, one per code, by code.
    pub(crate) fn tidy_suggested(&mut self) {
        let codes = &self.codes;
        self.suggested.retain(|s| codes.contains(&s.code));
        self.suggested.sort_by(|a, b| a.code.cmp(&b.code));
        self.suggested.dedup_by(|a, b| a.code == b.code);
    }
}

/// Where a code came from when the coder accepted it from a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suggested {
    pub code: IndicatorId,
    /// The recommender that suggested it, with its version (`normcode-recommender/1`).
    pub model: String,
    /// Its score for the code, rounded to three places.
    pub score: f64,
}

impl Suggested {
    pub fn new(code: IndicatorId, model: &str, score: f64) -> Self {
        let score = if score.is_finite() {
            (score * 1000.0).round() / 1000.0
        } else {
            0.0
        };
        Self {
            code,
            model: model.to_string(),
            score,
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn flow_list<S: Serializer>(codes: &[IndicatorId], s: S) -> std::result::Result<S::Ok, S::Error> {
    serde_saphyr::FlowSeq(codes).serialize(s)
}

/// Everything one coder did on one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentCoding {
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Suggestions were shown while this coder coded the document (at any time): its coding is
    /// suggestion-assisted (`agree --by-assist`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub suggestions: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

impl DocumentCoding {
    /// Puts the annotations in document order (unit position, then span): the order files are
    /// written in. Annotations on units the document no longer has go last.
    pub fn sort(&mut self, document: Option<&Document>) {
        // Saves sort every document, and nearly all are in order already: checking costs no
        // allocation, and a stable sort of sorted annotations would change nothing.
        if self.is_sorted(document) {
            return;
        }
        self.annotations.sort_by_cached_key(|a| {
            let position = document
                .and_then(|d| d.unit_position(&a.unit))
                .unwrap_or(usize::MAX);
            (
                position,
                a.unit.to_string(),
                a.span.map(|s| (s.start, s.end)),
            )
        });
    }

    fn is_sorted(&self, document: Option<&Document>) -> bool {
        // One position look-up per annotation, none for the next annotation on the same unit.
        let mut previous: Option<(usize, &Annotation)> = None;
        for a in &self.annotations {
            let position = match previous {
                Some((position, p)) if p.unit == a.unit => position,
                _ => document
                    .and_then(|d| d.unit_position(&a.unit))
                    .unwrap_or(usize::MAX),
            };
            if let Some((previous_position, p)) = previous {
                let before = (
                    previous_position,
                    p.unit.as_str(),
                    p.span.map(|s| (s.start, s.end)),
                );
                if before > (position, a.unit.as_str(), a.span.map(|s| (s.start, s.end))) {
                    return false;
                }
            }
            previous = Some((position, a));
        }
        true
    }

    /// Whether [`DocumentCoding::normalize`] would change nothing.
    pub(crate) fn is_normalized(&self, document: Option<&Document>) -> bool {
        // Strictly ascending codes are sorted and without duplicates.
        self.annotations.iter().all(|a| {
            a.codes.is_sorted_by(|x, y| x < y)
                && a.suggested.is_sorted_by(|x, y| x.code < y.code)
                && a.suggested.iter().all(|s| a.codes.contains(&s.code))
        }) && self.is_sorted(document)
    }

    /// Codes sorted without duplicates, annotations in document order.
    pub(crate) fn normalize(&mut self, document: Option<&Document>) {
        for annotation in &mut self.annotations {
            annotation.codes.sort();
            annotation.codes.dedup();
            annotation.tidy_suggested();
        }
        self.sort(document);
    }
}

/// The content of `annotations/CODER.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoderFile {
    pub schema: u32,
    pub coder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codebook_version: Option<String>,
    /// Shared, so that handing the file to the autosave thread copies pointers, not
    /// annotations; an edit replaces or copies (`Arc::make_mut`) only its own document.
    #[serde(default)]
    pub documents: BTreeMap<DocumentId, Arc<DocumentCoding>>,
}

impl CoderFile {
    pub fn new(coder: &str, codebook_version: Option<String>) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            coder: coder.to_string(),
            codebook_version,
            documents: BTreeMap::new(),
        }
    }

    pub fn status(&self, document: &DocumentId) -> Status {
        self.documents
            .get(document)
            .map(|d| d.status)
            .unwrap_or_default()
    }

    pub fn annotations(&self, document: &DocumentId) -> &[Annotation] {
        self.documents
            .get(document)
            .map(|d| d.annotations.as_slice())
            .unwrap_or(&[])
    }

    /// The codes on a unit, whole-unit and span annotations together, without duplicates.
    pub fn codes_on_unit(&self, document: &DocumentId, unit: &UnitId) -> Vec<&IndicatorId> {
        let mut codes: Vec<&IndicatorId> = self
            .annotations(document)
            .iter()
            .filter(|a| &a.unit == unit)
            .flat_map(|a| a.codes.iter())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    pub fn annotation_count(&self) -> usize {
        self.documents.values().map(|d| d.annotations.len()).sum()
    }

    /// Puts documents and annotations in the stable order files are written in: annotations by
    /// unit position, then span; codes sorted. Keeps `git diff` of two saves small.
    pub fn normalize(&mut self, corpus: &Corpus) {
        for (id, coding) in &mut self.documents {
            let document = corpus.get(id);
            // A document shared with a save under way is copied only if it changes.
            if !coding.is_normalized(document) {
                Arc::make_mut(coding).normalize(document);
            }
        }
    }

    /// What every reader of a coder file sees, whatever the file holds: each annotation's codes
    /// sorted and without repeats; annotations on one unit and span (a union merge in git
    /// makes them) merged into one with the codes of all and each different memo; memo line
    /// ends as `\n`. Returns the merges made: (document, unit, how many were merged into one).
    pub fn tidy(&mut self) -> Merges {
        let mut merges = Vec::new();
        for (id, coding) in &mut self.documents {
            let needs = coding.memo.as_deref().is_some_and(|m| m.contains('\r'))
                || coding.annotations.iter().any(|a| {
                    !a.codes.is_sorted_by(|x, y| x < y)
                        || !a.suggested.is_sorted_by(|x, y| x.code < y.code)
                        || a.suggested.iter().any(|s| !a.codes.contains(&s.code))
                        || a.memo.as_deref().is_some_and(|m| m.contains('\r'))
                })
                || has_repeated_place(&coding.annotations);
            if !needs {
                continue;
            }
            let coding = Arc::make_mut(coding);
            normalize_line_ends(&mut coding.memo);
            let mut kept: Vec<Annotation> = Vec::with_capacity(coding.annotations.len());
            let mut merged_into: Vec<usize> = Vec::new();
            let mut places: std::collections::HashMap<(UnitId, Option<CodePointRange>), usize> =
                std::collections::HashMap::new();
            for mut annotation in std::mem::take(&mut coding.annotations) {
                normalize_line_ends(&mut annotation.memo);
                annotation.codes.sort();
                annotation.codes.dedup();
                annotation.tidy_suggested();
                let place = (annotation.unit.clone(), annotation.span);
                let Some(&i) = places.get(&place) else {
                    places.insert(place, kept.len());
                    kept.push(annotation);
                    merged_into.push(1);
                    continue;
                };
                merged_into[i] += 1;
                let first = &mut kept[i];
                first.codes.extend(annotation.codes);
                first.codes.sort();
                first.codes.dedup();
                first.memo = match (first.memo.take(), annotation.memo) {
                    (Some(a), Some(b)) if a != b && !a.split("\n\n").any(|part| part == b) => {
                        Some(format!("{a}\n\n{b}"))
                    }
                    (a, b) => a.or(b),
                };
                for suggested in annotation.suggested {
                    if !first.suggested.iter().any(|s| s.code == suggested.code) {
                        first.suggested.push(suggested);
                    }
                }
                first.tidy_suggested();
                first.quote = first.quote.take().or(annotation.quote);
                first.created = match (first.created, annotation.created) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                first.modified = first.modified.max(annotation.modified);
            }
            for (annotation, count) in kept.iter().zip(&merged_into) {
                if *count > 1 {
                    merges.push((id.clone(), annotation.unit.clone(), *count));
                }
            }
            coding.annotations = kept;
        }
        merges
    }

    /// Checks that the file belongs to `coder` and is of a layout this build reads.
    pub fn check_header(&self, path: &std::path::Path, coder: &str) -> Result<()> {
        use crate::error::SourcePos;
        if self.schema != SCHEMA_VERSION {
            return Err(Error::invalid(
                SourcePos::file(path),
                format!(
                    "schema {} is not supported (this normcode reads schema {SCHEMA_VERSION})",
                    self.schema
                ),
            ));
        }
        if self.coder != coder {
            return Err(Error::invalid(
                SourcePos::file(path),
                format!(
                    "the file says coder '{}', but its name says '{coder}'",
                    self.coder
                ),
            ));
        }
        Ok(())
    }
}

/// The merges [`CoderFile::tidy`] made: (document, unit, how many annotations became one).
pub type Merges = Vec<(DocumentId, UnitId, usize)>;

/// `\r\n` and a lone `\r` as `\n`: memos pasted from other systems end lines either way.
pub fn normalize_line_ends(text: &mut Option<String>) {
    if let Some(t) = text
        && t.contains('\r')
    {
        *t = t.replace("\r\n", "\n").replace('\r', "\n");
    }
}

/// Whether two annotations have one unit and span.
fn has_repeated_place(annotations: &[Annotation]) -> bool {
    let mut places: Vec<(&UnitId, Option<(usize, usize)>)> = annotations
        .iter()
        .map(|a| (&a.unit, a.span.map(|s| (s.start, s.end))))
        .collect();
    places.sort_unstable();
    places.windows(2).any(|w| w[0] == w[1])
}

/// A coder name checked by [`valid_coder_name`]: only such a name becomes a file name (the
/// coder file, the session lock).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CoderName(String);

impl CoderName {
    /// The name, if it can be a coder name; else an error that says why.
    pub fn parse(name: &str) -> Result<Self> {
        if name.is_empty() {
            return Err(Error::Usage(
                "the coder name is empty: pass --coder NAME (letters, digits, '_', '-' or '.')"
                    .into(),
            ));
        }
        if !valid_coder_name(name) {
            return Err(Error::Usage(format!(
                "'{name}' cannot be a coder name: use up to 64 bytes of letters, digits, '_', \
                 '-' or '.' (not first); nothing was created"
            )));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CoderName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for CoderName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// A coder name is also a file name: letters, digits, `_`, `-`, `.`; not starting with `.`.
pub fn valid_coder_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests;
