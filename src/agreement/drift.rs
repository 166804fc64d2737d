//! Drift: agreement per batch of documents in the order they were coded, to show whether
//! agreement held up over the coding period.
//!
//! A compared document's coding time is the earliest `created` timestamp of any compared coder's
//! annotation in it (when its coding began). Documents are ordered by that time (documents without
//! a timestamped annotation have no time and are left out, and listed) and cut into batches of
//! `batch_size` documents in that order; each batch gets the overall statistics of the level
//! (at the unit level Krippendorff's alpha with MASI on code sets, at the document level pooled
//! presence/absence).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::adjudication;
use crate::annotations::CoderFile;
use crate::corpus::DocumentId;
use crate::error::{Error, Result};
use crate::project::Project;

use super::render::{Grid, csv_text, number, wrap};
use super::{Level, agreement_within};

/// One batch of documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Batch {
    /// The batch's documents, in coding order.
    pub documents: Vec<DocumentId>,
    /// When coding of its first document began.
    pub from: DateTime<Utc>,
    /// When coding of its last document began.
    pub to: DateTime<Utc>,
    /// Units of the batch (text units or documents).
    pub units: usize,
    /// The level's overall percent agreement (`null` when undefined).
    pub percent_agreement: Option<f64>,
    /// The level's overall alpha (`null` when undefined).
    pub alpha: Option<f64>,
}

/// Agreement per batch, in coding order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    pub level: Level,
    pub coders: Vec<String>,
    pub batch_size: usize,
    pub batches: Vec<Batch>,
    /// Compared documents without a timestamped annotation, so without a coding time.
    pub untimed_documents: Vec<DocumentId>,
}

/// Agreement per batch of `batch_size` compared documents in coding order, at the unit or
/// document level.
pub fn drift(
    project: &Project,
    coders: &[&CoderFile],
    level: Level,
    batch_size: usize,
) -> Result<DriftReport> {
    if level == Level::Span {
        return Err(Error::Usage(
            "--drift compares batches at the unit or document level".to_owned(),
        ));
    }
    if batch_size == 0 {
        return Err(Error::Usage("--batch must be at least 1".to_owned()));
    }
    let compared = adjudication::compared_documents(project, coders);
    let mut timed = Vec::new();
    let mut untimed_documents = Vec::new();
    for document in compared {
        let began = coders
            .iter()
            .flat_map(|c| c.annotations(&document))
            .filter_map(|a| a.created)
            .min();
        match began {
            Some(time) => timed.push((time, document)),
            None => untimed_documents.push(document),
        }
    }
    timed.sort();
    let mut batches = Vec::new();
    for chunk in timed.chunks(batch_size) {
        let documents: Vec<DocumentId> = chunk.iter().map(|(_, d)| d.clone()).collect();
        let table = agreement_within(project, coders, level, Some(&documents))?;
        let overall = &table.overall.stats;
        batches.push(Batch {
            from: chunk[0].0,
            to: chunk[chunk.len() - 1].0,
            units: table.units,
            percent_agreement: overall.percent_agreement.as_ref().ok().copied(),
            alpha: overall.alpha.as_ref().ok().copied(),
            documents,
        });
    }
    Ok(DriftReport {
        level,
        coders: coders.iter().map(|c| c.coder.clone()).collect(),
        batch_size,
        batches,
        untimed_documents,
    })
}

/// The drift report as text: one line per batch.
pub fn render_drift(report: &DriftReport, width: usize) -> String {
    let mut out = wrap(
        &format!(
            "Agreement of {} per batch of {} document{} in the order they were coded ({} level; \
             alpha and agreement as in the overall row):",
            report.coders.join(", "),
            report.batch_size,
            if report.batch_size == 1 { "" } else { "s" },
            report.level.name()
        ),
        width,
        0,
    );
    let mut rows = vec![
        [
            "batch",
            "coded from",
            "to",
            "documents",
            "units",
            "agree",
            "alpha",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let cell = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| number(v, 3));
    for (i, batch) in report.batches.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            batch.from.format("%Y-%m-%d").to_string(),
            batch.to.format("%Y-%m-%d").to_string(),
            batch.documents.len().to_string(),
            batch.units.to_string(),
            batch.percent_agreement.map_or_else(
                || "n/a".to_owned(),
                |p| format!("{}%", number(p * 100.0, 1)),
            ),
            cell(batch.alpha),
        ]);
    }
    Grid {
        right: vec![true, false, false, true, true, true, true],
        rows,
    }
    .render(&mut out);
    if report.batches.is_empty() {
        out.push_str("  (no compared document has a timestamped annotation yet)\n");
    }
    if !report.untimed_documents.is_empty() {
        let ids: Vec<&str> = report
            .untimed_documents
            .iter()
            .map(|d| d.as_str())
            .collect();
        out.push_str(&wrap(
            &format!(
                "Left out: {} compared document{} without a timestamped annotation (no coding time): {}.",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", ")
            ),
            width,
            2,
        ));
    }
    out
}

/// The drift report as CSV: `batch, from, to, documents, units, percent_agreement, alpha`
/// (documents joined by `|`).
pub fn render_drift_csv(report: &DriftReport) -> String {
    let text = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let mut records = vec![
        [
            "batch",
            "from",
            "to",
            "documents",
            "units",
            "percent_agreement",
            "alpha",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for (i, batch) in report.batches.iter().enumerate() {
        records.push(vec![
            (i + 1).to_string(),
            batch.from.to_rfc3339(),
            batch.to.to_rfc3339(),
            batch
                .documents
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            batch.units.to_string(),
            text(batch.percent_agreement),
            text(batch.alpha),
        ]);
    }
    csv_text(records)
}
