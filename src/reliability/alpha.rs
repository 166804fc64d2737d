//! Krippendorff's alpha and the MASI distance.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::data::{Domain, ReliabilityData, ValueKind};
use super::stat::{Stat, Undefined, power_of_two_scale};

/// The difference function `δ²(c, k)` of Krippendorff's alpha (its "level of measurement").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// `δ² = 0` if `c = k`, else `1`. Applies to labels, numbers and sets (compared for equality).
    #[default]
    Nominal,
    /// `δ²(c, k) = (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)²`, with `n_g` the marginal frequency of value
    /// `g` among the pairable values (Krippendorff 2011, section E). This equals
    /// `(M_k − M_c)²` for the mid-ranks `M_c = Σ_{g<c} n_g + n_c/2`, which is how it is computed.
    /// Numbers only; values are ordered numerically.
    Ordinal,
    /// `δ² = (c − k)²`. Numbers only.
    Interval,
    /// `δ² = ((c − k)/(c + k))²` (0 when `c = k = 0`). Numbers of 0 or more only.
    Ratio,
    /// MASI distance between sets (Passonneau 2006), used as `δ²` directly, as NLTK's
    /// `AnnotationTask(distance=masi_distance).alpha()` does. Sets only. See [`masi_distance`].
    Masi,
}

impl Metric {
    /// Every metric, in declaration order.
    pub const ALL: [Metric; 5] = [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
        Metric::Masi,
    ];

    /// The metric's lowercase name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Nominal => "nominal",
            Self::Ordinal => "ordinal",
            Self::Interval => "interval",
            Self::Ratio => "ratio",
            Self::Masi => "masi",
        }
    }

    /// The kind of values the metric needs, or `None` if any kind will do (nominal).
    pub fn value_kind(self) -> Option<ValueKind> {
        match self {
            Self::Nominal => None,
            Self::Ordinal | Self::Interval | Self::Ratio => Some(ValueKind::Number),
            Self::Masi => Some(ValueKind::Set),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown metric name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric `{0}`: expected nominal, ordinal, interval, ratio or masi")]
pub struct UnknownMetric(pub String);

impl FromStr for Metric {
    type Err = UnknownMetric;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|m| m.name() == lower)
            .ok_or_else(|| UnknownMetric(s.to_owned()))
    }
}

/// Krippendorff's alpha with its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlphaDetail {
    /// `α = 1 − D_o / D_e`.
    pub alpha: f64,
    /// Observed disagreement `D_o`, in the values' squared units for interval alpha (infinite
    /// when that is beyond ±1.8e308, for values near that size; `alpha` is still right).
    pub observed_disagreement: f64,
    /// Expected disagreement `D_e`, in the same units as `D_o`.
    pub expected_disagreement: f64,
    /// Units with at least two values.
    pub pairable_units: usize,
    /// Values in those units, `n`.
    pub pairable_values: usize,
}

/// Krippendorff's alpha for any number of coders, with missing data, under `metric`.
///
/// Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
/// Communication, University of Pennsylvania; Krippendorff, K. (2004). *Content Analysis: An
/// Introduction to Its Methodology* (2nd ed.), ch. 11. Sage.
///
/// With `m_u` the number of values in unit `u`, only units with `m_u ≥ 2` are *pairable*; their
/// values number `n = Σ m_u`. The coincidence matrix is
/// `o_ck = Σ_u (number of c–k pairs of values from different coders in u) / (m_u − 1)` and its
/// marginals are `n_c = Σ_k o_ck`. Then
///
/// ```text
/// D_o = 1/n · Σ_c Σ_k o_ck · δ²(c, k)
/// D_e = 1/(n(n − 1)) · Σ_c Σ_k n_c · n_k · δ²(c, k)
/// α   = 1 − D_o / D_e
/// ```
///
/// The coincidence matrix is never materialised as a dense `V × V` table. Nominal alpha needs only
/// per-unit category counts and the marginals; interval alpha needs only per-unit and pooled sums
/// of squared deviations (`Σ_{i,j} (x_i − x_j)² = 2m · Σ_i (x_i − x̄)²`); ordinal alpha is
/// interval alpha on mid-ranks (see [`Metric::Ordinal`]). So these three cost
/// `O(n log m + V log V)` for `V` distinct values. Ratio and MASI distances do not decompose and
/// cost `O(Σ_u d_u² + V²)` for `d_u` distinct values in unit `u`.
///
/// Undefined when fewer than two values are pairable ([`Undefined::NoPairableValues`]), when the
/// pairable values are all the same ([`Undefined::NoVariation`]), or when the metric does not
/// apply to the data's values ([`Undefined::WrongValueKind`], [`Undefined::NegativeRatioValue`]).
pub fn krippendorff_alpha(data: &ReliabilityData, metric: Metric) -> Stat {
    alpha_detail(data, metric).map(|d| d.alpha)
}

/// Krippendorff's alpha with `D_o`, `D_e` and the counts of pairable units and values.
pub fn alpha_detail(data: &ReliabilityData, metric: Metric) -> Result<AlphaDetail, Undefined> {
    alpha_detail_in(data, &Pairable::new(data), metric)
}

pub(crate) fn alpha_detail_in(
    data: &ReliabilityData,
    pairable: &Pairable,
    metric: Metric,
) -> Result<AlphaDetail, Undefined> {
    let sums = disagreement_sums(data, pairable, metric, None)?;
    // Back in the values' own units (squared, for interval): infinite if they do not fit.
    let unscale = |d: f64| d * sums.scale * sums.scale;
    let observed = unscale(sums.observed / sums.n);
    let expected = unscale(sums.expected / (sums.n * (sums.n - 1.0)));
    Ok(AlphaDetail {
        alpha: sums.alpha(),
        observed_disagreement: observed,
        expected_disagreement: expected,
        pairable_units: pairable.len(),
        pairable_values: pairable.values.len(),
    })
}

/// Krippendorff's observed agreement `1 − D_o` with the nominal metric (Krippendorff 2004,
/// p. 230): the share of agreeing pairs, each pairable unit weighted by its number of values
/// `m_u`, each pair within a unit by `1/(m_u − 1)`.
///
/// Unlike [`percent_agreement`](super::percent_agreement), which weights units equally, this is
/// the agreement that alpha corrects for chance. Undefined with fewer than two pairable values.
pub fn observed_agreement(data: &ReliabilityData) -> Stat {
    observed_agreement_in(&Pairable::new(data))
}

pub(crate) fn observed_agreement_in(pairable: &Pairable) -> Stat {
    if pairable.is_empty() {
        return Err(Undefined::NoPairableValues);
    }
    let n = pairable.values.len() as f64;
    let observed: f64 = pairable.units().map(nominal_unit_disagreement).sum();
    Ok(1.0 - observed / n)
}

/// MASI, "Measuring Agreement on Set-valued Items" (Passonneau 2006, *Measuring agreement on
/// set-valued items (MASI) for semantic and pragmatic annotation*, LREC): the distance
/// `1 − J · M` between two sets, where `J = |A ∩ B| / |A ∪ B|` is the Jaccard coefficient and the
/// monotonicity `M` is 1 if `A = B`, 2/3 if one is a subset of the other, 1/3 if they intersect
/// otherwise, and 0 if they are disjoint. This is the formula of NLTK's
/// `nltk.metrics.distance.masi_distance` (not DKPro's variant). Two empty sets are at distance 0.
pub fn masi_distance<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f64 {
    let common = a.intersection(b).count();
    masi_from_sizes(a.len(), b.len(), common)
}

fn masi_from_sizes(len_a: usize, len_b: usize, common: usize) -> f64 {
    let union = len_a + len_b - common;
    if union == 0 {
        return 0.0;
    }
    let monotonicity = if common == len_a && common == len_b {
        1.0
    } else if common == len_a.min(len_b) {
        2.0 / 3.0
    } else if common > 0 {
        1.0 / 3.0
    } else {
        0.0
    };
    1.0 - common as f64 / union as f64 * monotonicity
}

/// MASI distance between two sorted, deduplicated slices of label ids.
fn masi_sorted(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    masi_from_sizes(a.len(), b.len(), common)
}

/// The pairable units (those with at least two values), each unit's value ids sorted.
#[derive(Debug, Clone)]
pub(crate) struct Pairable {
    offsets: Vec<usize>,
    values: Vec<u32>,
}

impl Pairable {
    pub(crate) fn new(data: &ReliabilityData) -> Self {
        let mut offsets = vec![0];
        let mut values = Vec::with_capacity(data.n_codings());
        for unit in data.units().filter(|u| u.len() >= 2) {
            let start = values.len();
            values.extend(unit.iter().map(|c| c.value));
            values[start..].sort_unstable();
            offsets.push(values.len());
        }
        Self { offsets, values }
    }

    /// The pairable units of two coders from their values `(first, second)` on the units both
    /// coded: what [`new`](Self::new) gives for the two coders' matrix.
    pub(crate) fn of_pairs(pairs: &[(u32, u32)]) -> Self {
        let values = pairs
            .iter()
            .flat_map(|&(a, b)| [a.min(b), a.max(b)])
            .collect();
        let offsets = (0..=pairs.len()).map(|i| 2 * i).collect();
        Self { offsets, values }
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn n_values(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn units(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.offsets.windows(2).map(|w| &self.values[w[0]..w[1]])
    }
}

/// `(value, count)` for each run of equal values in a sorted slice.
fn runs(sorted: &[u32]) -> impl Iterator<Item = (u32, usize)> + '_ {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len()))
}

/// A unit's nominal disagreement `Σ_{c≠k} o_ck` contribution: `(m² − Σ_c n_c²)/(m − 1)`.
pub(crate) fn nominal_unit_disagreement(unit: &[u32]) -> f64 {
    let m = unit.len() as f64;
    let same: f64 = runs(unit).map(|(_, n)| (n * n) as f64).sum();
    (m * m - same) / (m - 1.0)
}

/// `Σ_c Σ_k o_ck δ²` (observed), `Σ_c Σ_k n_c n_k δ²` (expected) and `n`, each unit counted
/// `weights[u]` times (once without weights).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sums {
    pub(crate) observed: f64,
    pub(crate) expected: f64,
    pub(crate) n: f64,
    /// For interval alpha, the values were divided by this before squaring differences: the
    /// sums times its square are in the values' own units. 1 for the other metrics.
    pub(crate) scale: f64,
}

impl Sums {
    /// `α = 1 − D_o / D_e = 1 − (n − 1) · observed / expected`.
    fn alpha(self) -> f64 {
        1.0 - (self.n - 1.0) * self.observed / self.expected
    }
}

/// Alpha from the pairable units, each counted `weights[u]` times (bootstrap) or once.
pub(crate) fn weighted_alpha(
    data: &ReliabilityData,
    pairable: &Pairable,
    metric: Metric,
    weights: Option<&[u32]>,
) -> Stat {
    disagreement_sums(data, pairable, metric, weights).map(|sums| sums.alpha())
}

pub(crate) fn disagreement_sums(
    data: &ReliabilityData,
    pairable: &Pairable,
    metric: Metric,
    weights: Option<&[u32]>,
) -> Result<Sums, Undefined> {
    let domain = data.domain();
    if metric.value_kind().is_some_and(|k| k != domain.kind()) {
        return Err(Undefined::WrongValueKind {
            metric,
            kind: domain.kind(),
        });
    }
    let weight = |u: usize| weights.map_or(1.0, |w| f64::from(w[u]));

    // Marginal frequencies n_c of the pairable values.
    let mut counts = vec![0.0_f64; domain.len()];
    for (u, unit) in pairable.units().enumerate() {
        let w = weight(u);
        if w > 0.0 {
            for &v in unit {
                counts[v as usize] += w;
            }
        }
    }
    let n: f64 = counts.iter().sum();
    if n < 2.0 {
        return Err(Undefined::NoPairableValues);
    }
    let present: Vec<u32> = (0..counts.len())
        .filter(|&v| counts[v] > 0.0)
        .map(|v| v as u32)
        .collect();
    if present.len() < 2 {
        return Err(Undefined::NoVariation);
    }

    // Interval and ratio alpha do not change when every value is multiplied by the same
    // positive number: rescaled to at most 2 in magnitude, values near ±1e308 do not overflow
    // when subtracted or squared, nor do subnormal ones vanish.
    let scale = match domain {
        Domain::Numbers(numbers) => power_of_two_scale(
            present
                .iter()
                .map(|&v| numbers[v as usize].abs())
                .fold(0.0, f64::max),
        ),
        _ => 1.0,
    };
    let (observed, expected) = match (metric, domain) {
        (Metric::Nominal, _) => {
            let observed = weighted_sum(pairable, weight, nominal_unit_disagreement);
            let same: f64 = present.iter().map(|&v| counts[v as usize].powi(2)).sum();
            (observed, n * n - same)
        }
        (Metric::Interval, Domain::Numbers(numbers)) => {
            squared_differences(pairable, weight, &counts, &present, n, |v| {
                numbers[v as usize] / scale
            })
        }
        (Metric::Ordinal, Domain::Numbers(numbers)) => {
            let mut order = present.clone();
            order.sort_by(|&a, &b| numbers[a as usize].total_cmp(&numbers[b as usize]));
            let mut midrank = vec![0.0_f64; domain.len()];
            let mut below = 0.0;
            for &v in &order {
                let c = counts[v as usize];
                midrank[v as usize] = below + c / 2.0;
                below += c;
            }
            squared_differences(pairable, weight, &counts, &present, n, |v| {
                midrank[v as usize]
            })
        }
        (Metric::Ratio, Domain::Numbers(numbers)) => {
            if present.iter().any(|&v| numbers[v as usize] < 0.0) {
                return Err(Undefined::NegativeRatioValue);
            }
            let delta = |a: u32, b: u32| {
                let (x, y) = (numbers[a as usize] / scale, numbers[b as usize] / scale);
                if x + y == 0.0 {
                    0.0
                } else {
                    ((x - y) / (x + y)).powi(2)
                }
            };
            pairwise(pairable, weight, &counts, &present, delta)
        }
        (Metric::Masi, Domain::Sets { sets, .. }) => {
            let delta = |a: u32, b: u32| masi_sorted(&sets[a as usize], &sets[b as usize]);
            pairwise(pairable, weight, &counts, &present, delta)
        }
        // Excluded by the value-kind check above.
        (metric, domain) => {
            return Err(Undefined::WrongValueKind {
                metric,
                kind: domain.kind(),
            });
        }
    };
    if !(observed.is_finite() && expected.is_finite()) {
        return Err(Undefined::TooLarge);
    }
    if expected <= 0.0 {
        return Err(Undefined::NoVariation);
    }
    Ok(Sums {
        observed,
        expected,
        n,
        scale: if metric == Metric::Interval {
            scale
        } else {
            1.0
        },
    })
}

/// `Σ_u w_u · f(unit u)` over units of positive weight.
fn weighted_sum(
    pairable: &Pairable,
    weight: impl Fn(usize) -> f64,
    mut f: impl FnMut(&[u32]) -> f64,
) -> f64 {
    pairable
        .units()
        .enumerate()
        .map(|(u, unit)| (weight(u), unit))
        .filter(|(w, _)| *w > 0.0)
        .map(|(w, unit)| w * f(unit))
        .sum()
}

/// Sums for `δ²(c, k) = (x(c) − x(k))²`, from sums of squared deviations:
/// within a unit, `Σ_{i≠j} (x_i − x_j)² = 2 m Σ_i (x_i − x̄)²`; pooled likewise with the
/// marginal counts.
fn squared_differences(
    pairable: &Pairable,
    weight: impl Fn(usize) -> f64,
    counts: &[f64],
    present: &[u32],
    n: f64,
    x: impl Fn(u32) -> f64,
) -> (f64, f64) {
    let observed = weighted_sum(pairable, weight, |unit| {
        let m = unit.len() as f64;
        let mean = unit.iter().map(|&v| x(v)).sum::<f64>() / m;
        let deviations: f64 = unit.iter().map(|&v| (x(v) - mean).powi(2)).sum();
        2.0 * m * deviations / (m - 1.0)
    });
    let mean = present
        .iter()
        .map(|&v| counts[v as usize] * x(v))
        .sum::<f64>()
        / n;
    let deviations: f64 = present
        .iter()
        .map(|&v| counts[v as usize] * (x(v) - mean).powi(2))
        .sum();
    (observed, 2.0 * n * deviations)
}

/// Sums for any symmetric `δ²` with `δ²(c, c) = 0`, pair by pair over distinct values.
fn pairwise(
    pairable: &Pairable,
    weight: impl Fn(usize) -> f64,
    counts: &[f64],
    present: &[u32],
    delta: impl Fn(u32, u32) -> f64,
) -> (f64, f64) {
    let mut distinct: Vec<(u32, usize)> = Vec::new();
    let observed = weighted_sum(pairable, weight, |unit| {
        distinct.clear();
        distinct.extend(runs(unit));
        let mut sum = 0.0;
        for (i, &(a, na)) in distinct.iter().enumerate() {
            for &(b, nb) in &distinct[i + 1..] {
                sum += (na * nb) as f64 * delta(a, b);
            }
        }
        2.0 * sum / (unit.len() as f64 - 1.0)
    });
    let mut expected = 0.0;
    for (i, &a) in present.iter().enumerate() {
        let ca = counts[a as usize];
        let row: f64 = present[i + 1..]
            .iter()
            .map(|&b| counts[b as usize] * delta(a, b))
            .sum();
        expected += ca * row;
    }
    (observed, 2.0 * expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn masi_matches_passonneau_cases() {
        let set = |xs: &[&'static str]| xs.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(masi_distance(&set(&["a", "b"]), &set(&["a", "b"])), 0.0);
        // NLTK's doctest: {1,2} vs {1,2,3,4}: J = 1/2, subset, 1 − 1/2 · 2/3 = 2/3.
        assert!(close(
            masi_distance(&set(&["1", "2"]), &set(&["1", "2", "3", "4"])),
            2.0 / 3.0
        ));
        // Overlap without subset: {a,b} vs {b,c}: J = 1/3, M = 1/3.
        assert!(close(
            masi_distance(&set(&["a", "b"]), &set(&["b", "c"])),
            1.0 - 1.0 / 9.0
        ));
        assert_eq!(masi_distance(&set(&["a"]), &set(&["b"])), 1.0);
        assert_eq!(masi_distance(&set(&[]), &set(&[])), 0.0);
        assert_eq!(masi_distance(&set(&[]), &set(&["a"])), 1.0);
        assert!(close(masi_sorted(&[1, 2], &[2, 3]), 1.0 - 1.0 / 9.0));
    }

    #[test]
    fn metric_names_round_trip() {
        for metric in Metric::ALL {
            assert_eq!(metric.name().parse::<Metric>(), Ok(metric));
        }
        assert_eq!("Interval".parse::<Metric>(), Ok(Metric::Interval));
        assert!("cardinal".parse::<Metric>().is_err());
    }

    /// The fast nominal, interval and ordinal paths against the generic pair-by-pair path.
    #[test]
    fn fast_paths_equal_pairwise_definition() {
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some(1.0), Some(2.0), Some(3.0), None, Some(2.5), Some(7.0)],
            vec![Some(1.0), Some(3.0), Some(3.0), Some(4.0), None, Some(6.0)],
            vec![None, Some(2.0), Some(1.0), Some(4.0), Some(2.5), Some(7.0)],
        ])
        .unwrap();
        let pairable = Pairable::new(&data);
        let Domain::Numbers(numbers) = data.domain() else {
            unreachable!()
        };
        let mut counts = vec![0.0; numbers.len()];
        for unit in pairable.units() {
            for &v in unit {
                counts[v as usize] += 1.0;
            }
        }
        let present: Vec<u32> = (0..numbers.len() as u32).collect();
        let one = |_| 1.0;

        let fast = disagreement_sums(&data, &pairable, Metric::Nominal, None).unwrap();
        let (o, e) = pairwise(&pairable, one, &counts, &present, |a, b| {
            f64::from(u8::from(a != b))
        });
        assert!(close(fast.observed, o) && close(fast.expected, e));

        let fast = disagreement_sums(&data, &pairable, Metric::Interval, None).unwrap();
        let (o, e) = pairwise(&pairable, one, &counts, &present, |a, b| {
            (numbers[a as usize] - numbers[b as usize]).powi(2)
        });
        // Values up to 7 were divided by 4 before squaring.
        assert_eq!(fast.scale, 4.0);
        let unscale = |d: f64| d * fast.scale * fast.scale;
        assert!(
            (unscale(fast.observed) - o).abs() < 1e-9 && (unscale(fast.expected) - e).abs() < 1e-9
        );

        // Ordinal by Krippendorff's definition (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)².
        let fast = disagreement_sums(&data, &pairable, Metric::Ordinal, None).unwrap();
        let mut order = present.clone();
        order.sort_by(|&a, &b| numbers[a as usize].total_cmp(&numbers[b as usize]));
        let rank = |v: u32| order.iter().position(|&o| o == v).unwrap();
        let (o, e) = pairwise(&pairable, one, &counts, &present, |a, b| {
            let (lo, hi) = (rank(a).min(rank(b)), rank(a).max(rank(b)));
            let between: f64 = order[lo..=hi].iter().map(|&g| counts[g as usize]).sum();
            (between - (counts[a as usize] + counts[b as usize]) / 2.0).powi(2)
        });
        assert!((fast.observed - o).abs() < 1e-9 && (fast.expected - e).abs() < 1e-9);
    }

    /// Rows of numbers, each multiplied by `factor`.
    fn scaled(rows: &[Vec<Option<f64>>], factor: f64) -> ReliabilityData {
        let rows: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|row| row.iter().map(|v| v.map(|x| x * factor)).collect())
            .collect();
        ReliabilityData::from_coder_rows(&rows).unwrap()
    }

    /// Interval and ratio alpha do not depend on the unit of measurement, however large or
    /// small: values near 1e308 (whose differences overflow) and subnormal values (whose squares
    /// vanish) give the alpha of the same data at an everyday scale, not NaN or "no variation".
    #[test]
    fn alpha_is_the_same_at_any_scale() {
        let rows = vec![
            vec![
                Some(1.0),
                Some(2.0),
                Some(3.0),
                None,
                Some(2.5),
                Some(7.0),
                Some(1.5),
            ],
            vec![
                Some(1.0),
                Some(3.0),
                Some(3.0),
                Some(4.0),
                None,
                Some(6.0),
                Some(1.75),
            ],
            vec![
                None,
                Some(2.0),
                Some(1.0),
                Some(4.0),
                Some(2.5),
                Some(7.0),
                Some(0.0),
            ],
        ];
        for metric in [Metric::Interval, Metric::Ratio, Metric::Ordinal] {
            let everyday = krippendorff_alpha(&scaled(&rows, 1.0), metric).unwrap();
            for factor in [1e300, 2.5e301, -1e300, 1e-300] {
                if metric == Metric::Ratio && factor < 0.0 {
                    continue;
                }
                let alpha = krippendorff_alpha(&scaled(&rows, factor), metric);
                assert!(
                    alpha.is_ok_and(|a| (a - everyday).abs() < 1e-12),
                    "{metric} × {factor:e}: {alpha:?}, expected {everyday}"
                );
            }
            // Subnormal: multiples of 2^-1071 are exact, so alpha is exactly the same.
            let tiny = krippendorff_alpha(&scaled(&rows, 2f64.powi(-1071)), metric);
            assert_eq!(tiny, Ok(everyday), "{metric} subnormal");
        }
    }

    #[test]
    fn values_near_the_largest_number_give_a_finite_alpha() {
        // One unit where the coders are as far apart as numbers go, two where they agree.
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some(1e308), Some(1.0), Some(-1e308)],
            vec![Some(-1e308), Some(1.0), Some(-1e308)],
        ])
        .unwrap();
        // By hand with a = 1e308 (values a, −a, 1, 1, −a, −a; 1 ≈ 0 next to a):
        // D_o = 8a²/6, D_e = 40a²/30, so alpha = 0.
        let detail = alpha_detail(&data, Metric::Interval).unwrap();
        assert!(detail.alpha.abs() < 1e-12, "{detail:?}");
        // D_o itself (about 1.3e616) is beyond floating point: infinite, not NaN.
        assert_eq!(detail.observed_disagreement, f64::INFINITY);
        let ratio = ReliabilityData::from_coder_rows(&[
            vec![Some(1.7e308), Some(1.0), Some(1.7e308)],
            vec![Some(1e308), Some(1.0), Some(1.7e308)],
        ])
        .unwrap();
        let everyday = ReliabilityData::from_coder_rows(&[
            vec![Some(1.7), Some(1e-308), Some(1.7)],
            vec![Some(1.0), Some(1e-308), Some(1.7)],
        ])
        .unwrap();
        let (big, small) = (
            krippendorff_alpha(&ratio, Metric::Ratio).unwrap(),
            krippendorff_alpha(&everyday, Metric::Ratio).unwrap(),
        );
        assert!((big - small).abs() < 1e-12, "{big} vs {small}");
    }

    #[test]
    fn metric_must_fit_values() {
        let labels = ReliabilityData::from_coder_rows(&[
            vec![Some("a"), Some("b")],
            vec![Some("a"), Some("a")],
        ])
        .unwrap();
        for metric in [
            Metric::Ordinal,
            Metric::Interval,
            Metric::Ratio,
            Metric::Masi,
        ] {
            assert_eq!(
                krippendorff_alpha(&labels, metric),
                Err(Undefined::WrongValueKind {
                    metric,
                    kind: ValueKind::Label
                })
            );
        }
        let negative =
            ReliabilityData::from_coder_rows(&[vec![Some(-1), Some(2)], vec![Some(1), Some(2)]])
                .unwrap();
        assert_eq!(
            krippendorff_alpha(&negative, Metric::Ratio),
            Err(Undefined::NegativeRatioValue)
        );
        assert!(krippendorff_alpha(&negative, Metric::Interval).is_ok());
    }
}
