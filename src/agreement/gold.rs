//! Coders against a gold standard (`normcode agree --gold NAME`): how coding projects certify a
//! coder on a master-coded training set before the coder codes for real.
//!
//! Each coder is compared with the gold coder (a master coder, or the `consensus` file) on the
//! documents both marked done, at the unit or document level. Per indicator: Krippendorff's alpha
//! of the two, and precision, recall and F1 of the coder's presence codes against the gold's
//! (true positives are units both coded with the indicator). Overall: the comparison's overall
//! alpha (MASI on code sets at the unit level, pooled at the document level) and precision,
//! recall and F1 micro-averaged over the indicators. A coder passes when the overall alpha is at
//! least the threshold.

use serde::Serialize;

use crate::annotations::CoderFile;
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};
use crate::project::Project;

use super::render::{Grid, csv_text, number, wrap};
use super::{Level, agreement};

/// The default pass mark: Krippendorff's alpha .800, the level he asks of data for firm
/// conclusions (and the usual certification standard).
pub const GOLD_THRESHOLD: f64 = super::FIRM_THRESHOLD;

/// True positives, false positives and false negatives of a coder against the gold, with the
/// scores they give (`null` when the denominator is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Units both the gold and the coder gave the indicator.
    pub true_positives: usize,
    /// Units the coder gave the indicator and the gold did not.
    pub false_positives: usize,
    /// Units the gold gave the indicator and the coder did not.
    pub false_negatives: usize,
    /// `TP / (TP + FP)`.
    pub precision: Option<f64>,
    /// `TP / (TP + FN)`.
    pub recall: Option<f64>,
    /// `2 P R / (P + R)`, i.e. `2 TP / (2 TP + FP + FN)`.
    pub f1: Option<f64>,
}

impl Scores {
    fn new(tp: usize, fp: usize, fn_: usize) -> Self {
        let share = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);
        Self {
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            precision: share(tp, tp + fp),
            recall: share(tp, tp + fn_),
            f1: share(2 * tp, 2 * tp + fp + fn_),
        }
    }
}

/// One indicator of one coder against the gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldRow {
    pub indicator: IndicatorId,
    /// Krippendorff's alpha of the coder and the gold (`null` when undefined).
    pub alpha: Option<f64>,
    #[serde(flatten)]
    pub scores: Scores,
}

/// One coder against the gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoderResult {
    pub coder: String,
    /// Documents both the coder and the gold marked done.
    pub compared_documents: usize,
    pub rows: Vec<GoldRow>,
    /// The comparison's overall alpha.
    pub alpha: Option<f64>,
    /// Why the overall alpha is `null`.
    pub alpha_undefined: Option<String>,
    /// Micro-averaged over the indicators.
    pub overall: Scores,
    /// The overall alpha is at least the threshold.
    pub passed: bool,
}

/// Every coder against the gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldReport {
    pub gold: String,
    pub level: Level,
    pub threshold: f64,
    pub coders: Vec<CoderResult>,
}

/// Compares each of `coders` with `gold` at `level` (unit or document).
pub fn gold_report(
    project: &Project,
    gold: &CoderFile,
    coders: &[&CoderFile],
    level: Level,
    threshold: f64,
) -> Result<GoldReport> {
    if level == Level::Span {
        return Err(Error::Usage(
            "--gold compares codes on units or documents: use --level unit or --level document"
                .to_owned(),
        ));
    }
    let mut results = Vec::new();
    for coder in coders {
        let table = agreement(project, &[gold, coder], level)?;
        let mut totals = (0, 0, 0);
        let rows: Vec<GoldRow> = table
            .rows
            .iter()
            .map(|row| {
                let t = row.presence.as_ref().and_then(|p| p.table);
                let (tp, fn_, fp) = t.map_or((0, 0, 0), |t| (t.both, t.only_first, t.only_second));
                totals = (totals.0 + tp, totals.1 + fp, totals.2 + fn_);
                GoldRow {
                    indicator: row.indicator.clone(),
                    alpha: row.stats.alpha.as_ref().ok().copied(),
                    scores: Scores::new(tp, fp, fn_),
                }
            })
            .collect();
        let alpha = table.overall.stats.alpha.clone();
        results.push(CoderResult {
            coder: coder.coder.clone(),
            compared_documents: table.compared_documents.len(),
            rows,
            passed: alpha.as_ref().is_ok_and(|&a| a >= threshold),
            alpha: alpha.as_ref().ok().copied(),
            alpha_undefined: alpha.err(),
            overall: Scores::new(totals.0, totals.1, totals.2),
        });
    }
    Ok(GoldReport {
        gold: gold.coder.clone(),
        level,
        threshold,
        coders: results,
    })
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| number(v, 3))
}

/// The gold report as text: per coder a verdict, then one line per indicator.
pub fn render_gold(report: &GoldReport, width: usize) -> String {
    let mut out = wrap(
        &format!(
            "Coders against the gold standard {} at the {} level; pass: overall alpha at least {}.",
            report.gold,
            report.level.name(),
            number(report.threshold, 3)
        ),
        width,
        0,
    );
    for coder in &report.coders {
        out.push('\n');
        let verdict = if coder.passed { "PASS" } else { "FAIL" };
        out.push_str(&wrap(
            &format!(
                "{} {verdict}: alpha {}, precision {}, recall {}, F1 {} on {} document{}{}.",
                coder.coder,
                cell(coder.alpha),
                cell(coder.overall.precision),
                cell(coder.overall.recall),
                cell(coder.overall.f1),
                coder.compared_documents,
                if coder.compared_documents == 1 {
                    ""
                } else {
                    "s"
                },
                coder
                    .alpha_undefined
                    .as_ref()
                    .map_or(String::new(), |why| format!(" (alpha n/a: {why})"))
            ),
            width,
            2,
        ));
        let mut rows = vec![
            [
                "indicator",
                "alpha",
                "precision",
                "recall",
                "F1",
                "TP",
                "FP",
                "FN",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        for row in &coder.rows {
            rows.push(vec![
                row.indicator.to_string(),
                cell(row.alpha),
                cell(row.scores.precision),
                cell(row.scores.recall),
                cell(row.scores.f1),
                row.scores.true_positives.to_string(),
                row.scores.false_positives.to_string(),
                row.scores.false_negatives.to_string(),
            ]);
        }
        Grid {
            right: vec![false, true, true, true, true, true, true, true],
            rows,
        }
        .render(&mut out);
    }
    out.push('\n');
    out.push_str(&wrap(
        "precision: of the units the coder gave the indicator, the share the gold gave it too; \
         recall: of the gold's, the share the coder found; F1: their harmonic mean; overall: \
         micro-averaged over the indicators. TP/FP/FN: units both, only the coder, only the gold.",
        width,
        2,
    ));
    out
}

/// The gold report as CSV: one row per coder and indicator, and an `overall` row per coder.
pub fn render_gold_csv(report: &GoldReport) -> String {
    let text = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let mut records = vec![
        [
            "coder",
            "indicator",
            "alpha",
            "precision",
            "recall",
            "f1",
            "true_positives",
            "false_positives",
            "false_negatives",
            "passed",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for coder in &report.coders {
        let record = |indicator: &str, alpha: Option<f64>, s: &Scores, passed: String| {
            vec![
                coder.coder.clone(),
                indicator.to_owned(),
                text(alpha),
                text(s.precision),
                text(s.recall),
                text(s.f1),
                s.true_positives.to_string(),
                s.false_positives.to_string(),
                s.false_negatives.to_string(),
                passed,
            ]
        };
        for row in &coder.rows {
            records.push(record(
                row.indicator.as_str(),
                row.alpha,
                &row.scores,
                String::new(),
            ));
        }
        records.push(record(
            "overall",
            coder.alpha,
            &coder.overall,
            coder.passed.to_string(),
        ));
    }
    csv_text(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_hand() {
        let s = Scores::new(3, 1, 2);
        assert_eq!(s.precision, Some(0.75));
        assert_eq!(s.recall, Some(0.6));
        let f1 = 2.0 * 0.75 * 0.6 / (0.75 + 0.6);
        assert!((s.f1.unwrap() - f1).abs() < 1e-12);
        let none = Scores::new(0, 0, 0);
        assert_eq!((none.precision, none.recall, none.f1), (None, None, None));
    }
}
