//! Splitting an indicator into several, segment by segment.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{
    CoderChange, Migration, Operation, ProjectFiles, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{
        Planned, check_new_id, complete_with, finish, journal_versions, mention_note,
        unique_in_order, unknown_indicator,
    },
    recode::migrate_coders_with,
    render::{RenderItem, render_indicator},
    shape::{Record, Shape},
    text_edit::{Edit, Src, apply_edits, ensure_final_newline, item_block, removal_edits},
};
use crate::annotations::Annotation;
use crate::codebook::Localized;
use crate::corpus::{CodePointRange, DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result};

/// One coded segment of a split and the indicator it goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitAssignment {
    pub coder: String,
    pub document: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<CodePointRange>,
    /// The indicator it goes to.
    pub into: String,
}

impl SplitAssignment {
    fn key(&self) -> SegmentKey {
        SegmentKey {
            coder: self.coder.clone(),
            document: self.document.clone(),
            unit: self.unit.clone(),
            span: self.span,
        }
    }
}

/// Where an annotation is: what a split assignment names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SegmentKey {
    coder: String,
    document: String,
    unit: String,
    span: Option<CodePointRange>,
}

impl SegmentKey {
    fn of(coder: &str, document: &DocumentId, annotation: &Annotation) -> Self {
        Self {
            coder: coder.to_string(),
            document: document.as_str().to_string(),
            unit: annotation.unit.as_str().to_string(),
            span: annotation.span,
        }
    }
}

/// An annotation that uses the indicator being split, for a front end to show and assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSegment {
    pub coder: String,
    pub document: DocumentId,
    pub unit: UnitId,
    pub span: Option<CodePointRange>,
    pub quote: Option<String>,
    pub memo: Option<String>,
    pub codes: Vec<IndicatorId>,
}

impl SplitSegment {
    /// This segment goes to `into`.
    pub fn assign(&self, into: &str) -> SplitAssignment {
        SplitAssignment {
            coder: self.coder.clone(),
            document: self.document.as_str().to_string(),
            unit: self.unit.as_str().to_string(),
            span: self.span,
            into: into.to_string(),
        }
    }
}

/// Every coder's annotations that use `source`, by coder, then document, in file order. Two
/// annotations of one coder on the same place are one segment (they get the same target).
pub fn split_segments(files: &ProjectFiles, source: &str) -> Vec<SplitSegment> {
    let mut seen = HashSet::new();
    let mut segments = Vec::new();
    for coder in &files.coders {
        for (document, coding) in &coder.file.documents {
            for a in &coding.annotations {
                if a.codes.iter().any(|c| c.as_str() == source)
                    && seen.insert(SegmentKey::of(&coder.name, document, a))
                {
                    segments.push(SplitSegment {
                        coder: coder.name.clone(),
                        document: document.clone(),
                        unit: a.unit.clone(),
                        span: a.span,
                        quote: a.quote.clone(),
                        memo: a.memo.clone(),
                        codes: a.codes.clone(),
                    });
                }
            }
        }
    }
    segments
}

/// Splits indicator `source` into the indicators `into`: each segment in `assignments` (see
/// [`split_segments`]) is recoded from `source` to its target, in every coder's file. Targets
/// that are not in the codebook yet are created in `source`'s place, with its texts (the label
/// marked with the new id) for the user to refine with [`plan_edit`]. When every segment is
/// assigned, `source` leaves the codebook; otherwise it is retired and keeps the others.
pub fn plan_split(
    files: &ProjectFiles,
    source: &str,
    into: &[String],
    assignments: &[SplitAssignment],
    stamp: &Stamp,
) -> Result<Migration> {
    let targets = unique_in_order(into);
    let op = Operation::Split {
        source: source.to_string(),
        into: targets.clone(),
    };
    check_journal(files, &op)?;
    if targets.is_empty() {
        return Err(Error::Usage(
            "a split needs the indicators to split into: `split ID --into A B`".into(),
        ));
    }
    if targets.iter().any(|t| t == source) {
        return Err(Error::Usage(format!(
            "'{source}' cannot be split into itself; leave the segments that stay with it \
             unassigned"
        )));
    }
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    // An interrupted split: the journal has the assignments.
    let journal_assignments = files
        .journal
        .as_ref()
        .filter(|j| j.operation().is_ok_and(|o| o.same_as(&op)))
        .map(|j| j.assignments.clone());
    let assignments: Vec<SplitAssignment> = match &journal_assignments {
        Some(saved) if assignments.is_empty() => saved.clone(),
        _ => assignments.to_vec(),
    };
    let source_done = codebook
        .indicator(&IndicatorId::from(source))
        .is_none_or(|i| i.retired);
    if journal_assignments.is_some() && source_done && targets.iter().all(|t| has(t)) {
        let versions = journal_versions(files);
        let coders = migrate_split(
            files,
            source,
            &assignments,
            versions.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )?;
        let summary = format!("Split indicator {source} into {}.", targets.join(", "));
        let mut migration = complete_with(files, op, summary, coders, String::new)?;
        migration.assignments = assignments;
        return Ok(migration);
    }
    let Some(indicator) = codebook.indicator(&IndicatorId::from(source)) else {
        return Err(unknown_indicator(&codebook, source));
    };
    let mut new_targets = Vec::new();
    for t in &targets {
        if !has(t) {
            check_new_id(&codebook, t)?;
            new_targets.push(t.clone());
        }
    }
    let segments = split_segments(files, source);
    let known: HashSet<SegmentKey> = segments
        .iter()
        .map(|s| SegmentKey {
            coder: s.coder.clone(),
            document: s.document.as_str().to_string(),
            unit: s.unit.as_str().to_string(),
            span: s.span,
        })
        .collect();
    let mut assigned: HashMap<SegmentKey, &str> = HashMap::new();
    for (n, a) in assignments.iter().enumerate() {
        if !targets.contains(&a.into) {
            return Err(Error::Usage(format!(
                "assignment {} ({} {} {}) goes to '{}', which is not one of {}",
                n + 1,
                a.coder,
                a.document,
                a.unit,
                a.into,
                targets.join(", ")
            )));
        }
        let key = a.key();
        if !known.contains(&key) {
            return Err(Error::Usage(format!(
                "assignment {} names no annotation of {source}: coder {}, document {}, unit {}{}",
                n + 1,
                a.coder,
                a.document,
                a.unit,
                a.span
                    .map(|s| format!(", span {}-{}", s.start, s.end))
                    .unwrap_or_default()
            )));
        }
        if let Some(before) = assigned.insert(key, &a.into)
            && before != a.into
        {
            return Err(Error::Usage(format!(
                "assignment {} gives a segment to {} that an earlier one gave to {before}",
                n + 1,
                a.into
            )));
        }
    }
    if assigned.is_empty() {
        return Err(Error::Usage(format!(
            "no segment of {source} is assigned to {}; {} segment{} use{} it",
            targets.join(", "),
            segments.len(),
            if segments.len() == 1 { "" } else { "s" },
            if segments.len() == 1 { "s" } else { "" },
        )));
    }
    let left = segments.len() - assigned.len();
    let counts: Vec<String> = targets
        .iter()
        .map(|t| {
            let n = assigned.values().filter(|v| **v == t.as_str()).count();
            format!("{n} to {t}")
        })
        .collect();
    let summary = format!(
        "Split indicator {source} into {} ({} segment{}: {}{}).",
        targets.join(", "),
        assigned.len(),
        if assigned.len() == 1 { "" } else { "s" },
        counts.join(", "),
        if left > 0 {
            format!("; {left} left with {source}, now retired")
        } else {
            String::new()
        }
    );

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(source)?;
    let block = item_block(&src, ind.id.off, &format!("indicator {source}"))?;
    let spaced = (block.content_end < src.lines() && src.blank(block.content_end))
        || (block.attached > 0 && src.blank(block.attached - 1));
    let source_label = indicator.label.clone();
    let new_items: Vec<RenderItem> = new_targets
        .iter()
        .map(|t| {
            let mut item = RenderItem::from_indicator(indicator);
            item.id = t.clone();
            item.label = source_label
                .0
                .iter()
                .map(|(lang, text)| (lang.clone(), format!("{text} ({t})")))
                .collect();
            item.examples.clear();
            item.retired = false;
            item
        })
        .collect();
    let rendered: Vec<String> = new_items
        .iter()
        .map(|item| render_indicator(item, &codebook.languages, block.dash, block.key, src.nl))
        .collect();
    let mut edits = Vec::new();
    let category = codebook.categories[indicator.category].id.clone();
    let mut expected = Shape::of(&codebook);
    let new_records: Vec<(String, Record)> = new_items
        .iter()
        .map(|item| {
            let mut record = expected.indicators[source].clone();
            record.label = Localized(item.label.clone());
            record.examples.clear();
            record.retired = false;
            (item.id.clone(), record)
        })
        .collect();
    if left == 0 {
        if rendered.is_empty() {
            let source_id = source.to_string();
            edits.extend(removal_edits(&src, &outline, &[&source_id])?);
        } else {
            let joined = rendered.join(if spaced { src.nl } else { "" });
            edits.push(Edit {
                range: src.start(block.start)..src.start(block.content_end),
                text: joined,
            });
        }
        expected.insert_at(&category, source, &new_records, true);
    } else {
        let at = src.start(block.content_end);
        let mut insert = String::new();
        match &ind.retired {
            Some(span) if !indicator.retired => edits.push(Edit {
                range: span.range(),
                text: "true".into(),
            }),
            Some(_) => {}
            None => insert.push_str(&format!("{}retired: true{}", " ".repeat(block.key), src.nl)),
        }
        for r in &rendered {
            if spaced {
                insert.push_str(src.nl);
            }
            insert.push_str(r);
        }
        edits.push(Edit {
            range: at..at,
            text: insert,
        });
        if let Some(record) = expected.indicators.get_mut(source) {
            record.retired = true;
        }
        expected.insert_at(&category, source, &new_records, false);
    }
    let edited = apply_edits(&text, edits);
    let mut notes = Vec::new();
    if !new_targets.is_empty() {
        notes.push(format!(
            "{} got {source}'s texts: give {} its own label and definition \
             (`normcode codebook edit`, or `E` in the workspace)",
            new_targets.join(" and "),
            if new_targets.len() == 1 { "it" } else { "each" }
        ));
    }
    if left == 0 {
        mention_note(&edited, &[source], None, &mut notes);
    }
    let mut sorted: Vec<SplitAssignment> = assignments;
    sorted.sort_by(|a, b| {
        (&a.coder, &a.document, &a.unit, a.span).cmp(&(&b.coder, &b.document, &b.unit, b.span))
    });
    sorted.dedup();
    finish(
        files,
        &codebook,
        Planned {
            op,
            summary,
            text: edited,
            expected,
            code_map: HashMap::new(),
            split: Some((source.to_string(), sorted)),
            notes,
        },
        stamp,
    )
}

/// Recodes the segments of a split: each assigned annotation using `source` uses its target
/// instead; unassigned ones keep `source`.
pub(super) fn migrate_split(
    files: &ProjectFiles,
    source: &str,
    assignments: &[SplitAssignment],
    versions: Option<(&str, &str)>,
) -> Result<Vec<CoderChange>> {
    let targets: HashMap<SegmentKey, &str> = assignments
        .iter()
        .map(|a| (a.key(), a.into.as_str()))
        .collect();
    migrate_coders_with(files, versions, |coder, document, annotation| {
        if !annotation.codes.iter().any(|c| c.as_str() == source) {
            return None;
        }
        let key = SegmentKey::of(coder, document, annotation);
        let into = targets.get(&key)?;
        Some(
            annotation
                .codes
                .iter()
                .map(|c| {
                    if c.as_str() == source {
                        IndicatorId::from(*into)
                    } else {
                        c.clone()
                    }
                })
                .collect(),
        )
    })
}
