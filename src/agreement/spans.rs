//! The span level: unitizing alpha on the compared documents' text as one continuum.

use std::collections::{BTreeMap, BTreeSet};

use crate::corpus::IndicatorId;
use crate::reliability::{Continuum, SpanData, unitizing_alpha};

use super::{Context, IndicatorRow, Overall, Stats, Value, value};

const NOT_FOR_SPANS: &str = "not computed for spans: unitizing alpha only";

/// `(begin, end)` code points on the continuum.
type Interval = (i64, i64);

/// Each indicator's spans, per coder: sorted, overlapping ones merged.
type Spans = BTreeMap<IndicatorId, Vec<Vec<Interval>>>;

/// The compared documents' spans on the concatenated continuum, and its length.
fn collect(context: &Context) -> (Spans, i64) {
    let coders = context.coders.len();
    let mut spans: Spans = BTreeMap::new();
    let mut offset: i64 = 0;
    for id in context.compared {
        let Some(document) = context.project.corpus.get(id) else {
            continue;
        };
        let length = document.len_chars();
        for (c, coder) in context.coders.iter().enumerate() {
            for a in coder.annotations(id) {
                if a.is_orphaned() {
                    continue;
                }
                let range = match a.span {
                    Some(range) => range,
                    None => match document.unit(&a.unit) {
                        Some(unit) => unit.range,
                        None => continue,
                    },
                };
                if range.is_empty() || range.end > length {
                    continue;
                }
                let interval = (offset + range.start as i64, offset + range.end as i64);
                for code in &a.codes {
                    spans
                        .entry(code.clone())
                        .or_insert_with(|| vec![Vec::new(); coders])[c]
                        .push(interval);
                }
            }
        }
        offset += length as i64;
    }
    for per_coder in spans.values_mut() {
        for intervals in per_coder {
            *intervals = merge(std::mem::take(intervals));
        }
    }
    (spans, offset)
}

/// Sorts intervals and merges those that overlap (touching ones stay apart).
fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for (begin, end) in intervals {
        match merged.last_mut() {
            Some(last) if begin < last.1 => last.1 = last.1.max(end),
            _ => merged.push((begin, end)),
        }
    }
    merged
}

/// The share of the continuum's code points on which the coders agree about presence: mean
/// pairwise agreement at each code point, averaged over the continuum.
fn code_point_agreement(per_coder: &[Vec<Interval>], length: i64) -> f64 {
    let m = per_coder.len();
    let pairwise = |k: usize| {
        let agreeing = k * k.saturating_sub(1) + (m - k) * (m - k).saturating_sub(1);
        agreeing as f64 / (m * (m - 1)) as f64
    };
    let mut events: Vec<(i64, i64)> = per_coder
        .iter()
        .flatten()
        .flat_map(|&(begin, end)| [(begin, 1), (end, -1)])
        .collect();
    events.sort_unstable();
    let (mut total, mut at, mut active) = (0.0, 0i64, 0i64);
    for (position, change) in events {
        total += (position - at) as f64 * pairwise(active as usize);
        at = position;
        active += change;
    }
    total += (length - at) as f64 * pairwise(0);
    total / length as f64
}

pub(super) fn span_level(context: &Context) -> (usize, Vec<IndicatorRow>, Overall) {
    let (spans, length) = collect(context);
    let coders = context.names.len();
    let used: BTreeSet<IndicatorId> = spans.keys().cloned().collect();
    let not_computed = || -> Value { Err(NOT_FOR_SPANS.to_owned()) };
    let description = "Krippendorff's unitizing alpha over all indicators, 1 − Σ D_o / Σ D_e; \
        percent agreement pooled over code points and indicators"
        .to_owned();
    let Ok(continuum) = Continuum::new(0, length) else {
        let why = || -> Value {
            Err("no text to compare: no document with text was marked done by every coder".into())
        };
        let overall = Overall {
            description,
            stats: Stats {
                units: 0,
                coded: vec![0; coders],
                percent_agreement: why(),
                kappa: not_computed(),
                scott_pi: not_computed(),
                alpha: why(),
                flagged: false,
            },
            coder_pairs: Vec::new(),
            alpha_interval: None,
        };
        return (0, Vec::new(), overall);
    };

    let mut data = SpanData::new();
    for name in context.names {
        data.add_coder(name);
    }
    for (indicator, per_coder) in &spans {
        for (c, intervals) in per_coder.iter().enumerate() {
            for &(begin, end) in intervals {
                data.push(&context.names[c], indicator.as_str(), begin, end - begin);
            }
        }
    }
    let alpha = unitizing_alpha(&data, continuum)
        .expect("spans are inside the continuum, non-empty and merged per coder and indicator");

    let mut rows = Vec::new();
    for (indicator, label) in context.ordered(&used) {
        let per_coder = &spans[&indicator];
        let detail = alpha.by_category.get(indicator.as_str());
        rows.push(IndicatorRow {
            stats: Stats {
                units: detail.map_or(0, |d| d.units),
                coded: per_coder.iter().map(Vec::len).collect(),
                percent_agreement: Ok(code_point_agreement(per_coder, length)),
                kappa: not_computed(),
                scott_pi: not_computed(),
                alpha: detail.map_or_else(
                    || Err("the indicator has no span".to_owned()),
                    |d| value(d.alpha),
                ),
                flagged: false,
            },
            indicator,
            label,
            presence: None,
        });
    }
    let percent_agreement = if rows.is_empty() {
        Err("no indicator has a span in the compared documents".to_owned())
    } else {
        let sum: f64 = rows
            .iter()
            .filter_map(|r| r.stats.percent_agreement.as_ref().ok())
            .sum();
        Ok(sum / rows.len() as f64)
    };
    let overall = Overall {
        description,
        stats: Stats {
            units: rows.iter().map(|r| r.stats.units).sum(),
            coded: (0..coders)
                .map(|c| rows.iter().map(|r| r.stats.coded[c]).sum())
                .collect(),
            percent_agreement,
            kappa: not_computed(),
            scott_pi: not_computed(),
            alpha: value(alpha.overall),
            flagged: false,
        },
        coder_pairs: Vec::new(),
        alpha_interval: None,
    };
    (length as usize, rows, overall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_merge_and_touching_ones_do_not() {
        assert_eq!(
            merge(vec![(10, 20), (0, 5), (15, 30), (30, 40)]),
            vec![(0, 5), (10, 30), (30, 40)]
        );
    }

    #[test]
    fn code_point_agreement_counts_agreeing_positions() {
        // Coder 1 marks [0, 10), coder 2 [5, 10) on 20 code points: they differ on 5.
        let agreement = code_point_agreement(&[vec![(0, 10)], vec![(5, 10)]], 20);
        assert!((agreement - 0.75).abs() < 1e-12);
        // Three coders, one marks [0, 4) of 4: every position has 1 agreeing pair of 3.
        let agreement = code_point_agreement(&[vec![(0, 4)], vec![], vec![]], 4);
        assert!((agreement - 1.0 / 3.0).abs() < 1e-12);
    }
}
