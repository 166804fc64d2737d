//! Where and why coders disagree: per indicator the prevalence (with a note when it is extreme,
//! the kappa paradox), the two coders' 2 × 2 table, Gwet's AC1 and PABAK; the indicator pairs
//! confused with each other, most frequent first; and the coder-pair matrix as text.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::adjudication::Disagreement;
use crate::corpus::IndicatorId;
use crate::reliability::{
    CoderPair, KappaWeights, ReliabilityData, contingency_table, gwet_ac, prevalence_bias,
};

use super::render::{Grid, number, wrap};
use super::{AgreementTable, PRESENT, Value, value};

/// Below this share of present values (or above one minus it) an indicator's prevalence is
/// extreme: kappa and alpha can be low beside high percent agreement.
pub const EXTREME_PREVALENCE: f64 = 0.05;

/// Presence/absence details of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Presence {
    /// Share of all values (every coder, every unit) that are "present".
    pub prevalence: f64,
    /// The prevalence is below [`EXTREME_PREVALENCE`] or above `1 −` it.
    pub extreme: bool,
    /// Two coders only: units both coded present, only the first, only the second, neither.
    pub table: Option<TwoByTwo>,
    /// Gwet's AC1 on presence/absence.
    #[serde(serialize_with = "serialize_value")]
    pub gwet_ac1: Value,
    /// PABAK, `2 P_o − 1` (two coders only).
    #[serde(serialize_with = "serialize_value")]
    pub pabak: Value,
}

/// Two coders' presence/absence table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TwoByTwo {
    pub both: usize,
    pub only_first: usize,
    pub only_second: usize,
    pub neither: usize,
}

fn serialize_value<S: serde::Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Ok(v) => s.serialize_f64(*v),
        Err(_) => s.serialize_none(),
    }
}

/// The presence details of a presence/absence matrix (labels `present` and `absent`).
pub(super) fn presence(data: &ReliabilityData) -> Presence {
    let (mut present, mut total) = (0usize, 0usize);
    for unit in data.units() {
        for coding in unit {
            total += 1;
            present += usize::from(data.value_text(coding.value).as_deref() == Some(PRESENT));
        }
    }
    let prevalence = if total == 0 {
        0.0
    } else {
        present as f64 / total as f64
    };
    let two = data.n_coders() == 2;
    let table = two
        .then(|| contingency_table(data).ok())
        .flatten()
        .map(|t| {
            let index = |label: &str| t.labels().iter().position(|l| l == label);
            let cell = |a: Option<usize>, b: Option<usize>| match (a, b) {
                (Some(a), Some(b)) => t.count(a, b) as usize,
                _ => 0,
            };
            let (p, a) = (index(PRESENT), index(super::ABSENT));
            TwoByTwo {
                both: cell(p, p),
                only_first: cell(p, a),
                only_second: cell(a, p),
                neither: cell(a, a),
            }
        });
    Presence {
        prevalence,
        extreme: !(EXTREME_PREVALENCE..=1.0 - EXTREME_PREVALENCE).contains(&prevalence),
        table,
        gwet_ac1: value(gwet_ac(data, KappaWeights::Unweighted).map(|g| g.coefficient)),
        pabak: if two {
            value(prevalence_bias(data).pabak)
        } else {
            Err("PABAK compares exactly two coders".to_owned())
        },
    }
}

/// Two indicators that coders gave to the same unit in place of each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// The two indicators, in id order.
    pub indicators: [IndicatorId; 2],
    /// Units on which one coder gave the first (and not the second) where another gave the
    /// second (and not the first), counted once per unit.
    pub units: usize,
}

/// The indicator pairs confused on the disagreements, most frequent first (then by id): for each
/// unit and pair of coders, every indicator only the one gave against every indicator only the
/// other gave.
pub(super) fn confusions(disagreements: &[Disagreement]) -> Vec<Confusion> {
    let mut counts: BTreeMap<[IndicatorId; 2], usize> = BTreeMap::new();
    for d in disagreements {
        let mut seen = std::collections::BTreeSet::new();
        for (g, first) in d.codes.iter().enumerate() {
            for second in &d.codes[g + 1..] {
                for x in first.difference(second) {
                    for y in second.difference(first) {
                        let mut pair = [x.clone(), y.clone()];
                        pair.sort();
                        seen.insert(pair);
                    }
                }
            }
        }
        for pair in seen {
            *counts.entry(pair).or_default() += 1;
        }
    }
    let mut list: Vec<Confusion> = counts
        .into_iter()
        .map(|(indicators, units)| Confusion { indicators, units })
        .collect();
    list.sort_by(|a, b| b.units.cmp(&a.units).then(a.indicators.cmp(&b.indicators)));
    list
}

fn percent(v: f64) -> String {
    format!("{}%", number(v * 100.0, 1))
}

fn value_text(v: &Value) -> String {
    v.as_ref()
        .map_or_else(|_| "n/a".to_owned(), |&v| number(v, 3))
}

/// The note on indicators with extreme prevalence, or nothing.
pub(super) fn prevalence_note(table: &AgreementTable, width: usize) -> String {
    let extreme: Vec<String> = table
        .rows
        .iter()
        .filter_map(|row| {
            let p = row.presence.as_ref().filter(|p| p.extreme)?;
            Some(format!(
                "{} (present in {} of values; agree {}, AC1 {})",
                row.indicator,
                percent(p.prevalence),
                row.stats
                    .percent_agreement
                    .as_ref()
                    .map_or_else(|_| "n/a".to_owned(), |&v| percent(v)),
                value_text(&p.gwet_ac1)
            ))
        })
        .collect();
    if extreme.is_empty() {
        return String::new();
    }
    wrap(
        &format!(
            "Extreme prevalence (present in under {0} or over {1} of values): kappa and alpha can \
             be low beside high agreement, because chance agreement is high; Gwet's AC1 (and \
             PABAK, for two coders) is less sensitive to it (2 × 2 tables with --disagreements): {2}.",
            percent(EXTREME_PREVALENCE),
            percent(1.0 - EXTREME_PREVALENCE),
            extreme.join(", ")
        ),
        width,
        2,
    )
}

/// The coder-pair matrix, each indicator's 2 × 2 table (two coders) and the confused indicator
/// pairs, as text: what `--disagreements` adds before the list of units.
pub fn render_diagnostics(table: &AgreementTable, width: usize) -> String {
    let mut out = String::new();
    let pairs = &table.overall.coder_pairs;
    if pairs.len() > 1 {
        out.push_str(&wrap(
            "Coder pairs (overall; the coder in every low pair is the one who deviates):",
            width,
            0,
        ));
        let mut rows = vec![
            ["coders", "units", "agree", "alpha"]
                .map(str::to_owned)
                .to_vec(),
        ];
        rows.extend(pairs.iter().map(|p: &CoderPair| {
            vec![
                format!("{} / {}", p.coders[0], p.coders[1]),
                p.common_units.to_string(),
                p.percent_agreement
                    .as_ref()
                    .map_or_else(|_| "n/a".to_owned(), |&v| percent(v)),
                p.krippendorff_alpha
                    .as_ref()
                    .map_or_else(|_| "n/a".to_owned(), |&v| number(v, 3)),
            ]
        }));
        Grid {
            right: vec![false, true, true, true],
            rows,
        }
        .render(&mut out);
        out.push('\n');
    }
    if table.coders.len() == 2 && table.rows.iter().any(|r| r.presence.is_some()) {
        let (a, b) = (&table.coders[0], &table.coders[1]);
        out.push_str(&wrap(&format!("Presence tables ({a} × {b}):"), width, 0));
        let mut rows = vec![vec![
            "indicator".to_owned(),
            "both".to_owned(),
            format!("only {a}"),
            format!("only {b}"),
            "neither".to_owned(),
            "prevalence".to_owned(),
            "AC1".to_owned(),
            "PABAK".to_owned(),
        ]];
        for row in &table.rows {
            let Some(p) = &row.presence else { continue };
            let Some(t) = p.table else { continue };
            rows.push(vec![
                row.indicator.to_string(),
                t.both.to_string(),
                t.only_first.to_string(),
                t.only_second.to_string(),
                t.neither.to_string(),
                percent(p.prevalence),
                value_text(&p.gwet_ac1),
                value_text(&p.pabak),
            ]);
        }
        Grid {
            right: vec![false, true, true, true, true, true, true, true],
            rows,
        }
        .render(&mut out);
        out.push('\n');
    }
    if !table.confusions.is_empty() {
        out.push_str(&wrap(
            "Confused indicators (units where one coder gave the one and another coder the \
             other), most frequent first:",
            width,
            0,
        ));
        let mut rows = vec![vec!["indicators".to_owned(), "units".to_owned()]];
        rows.extend(table.confusions.iter().map(|c| {
            vec![
                format!("{} ↔ {}", c.indicators[0], c.indicators[1]),
                c.units.to_string(),
            ]
        }));
        Grid {
            right: vec![false, true],
            rows,
        }
        .render(&mut out);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn codes(ids: &[&str]) -> BTreeSet<IndicatorId> {
        ids.iter().map(|id| IndicatorId::new(*id)).collect()
    }

    #[test]
    fn confusions_count_units_most_frequent_first() {
        let unit = |n: usize, a: &[&str], b: &[&str]| Disagreement {
            document: crate::corpus::DocumentId::new("d"),
            unit: crate::corpus::UnitId::new(format!("p{n}")),
            position: n,
            codes: vec![codes(a), codes(b)],
        };
        let list = confusions(&[
            unit(1, &["A"], &["B"]),
            unit(2, &["B", "C"], &["A", "C"]),
            unit(3, &["A"], &["C"]),
            unit(4, &["A"], &[]),
        ]);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].units, 2);
        assert_eq!(list[0].indicators[0].as_str(), "A");
        assert_eq!(list[0].indicators[1].as_str(), "B");
        assert_eq!(list[1].units, 1);
    }
}
