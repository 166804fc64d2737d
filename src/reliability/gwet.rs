//! Gwet's AC1 and AC2 with their standard errors and confidence intervals, and Conger's kappa,
//! for any number of coders with missing data, as Gwet (2014) defines them and his `irrCAC`
//! packages compute them from raw ratings.
//!
//! Gwet, K. L. (2014). *Handbook of Inter-Rater Reliability* (4th ed.), ch. 2–5. Advanced
//! Analytics; Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
//! presence of high agreement. *British Journal of Mathematical and Statistical Psychology* 61,
//! 29–48; Conger, A. J. (1980). Integration and generalization of kappas for multiple raters.
//! *Psychological Bulletin* 88, 322–328.

use serde::Serialize;

use super::agreement::KappaWeights;
use super::data::{Domain, ReliabilityData};
use super::distribution::student_t_quantile;
use super::stat::{Stat, Undefined, power_of_two_scale, ratio};

/// The confidence level of the intervals reported.
pub const CONFIDENCE_LEVEL: f64 = 0.95;

/// A coefficient's standard error and confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The standard error over units (Gwet 2014, §5: linearization, no finite-population
    /// correction).
    pub standard_error: f64,
    /// `coefficient − t · SE`, with `t` the quantile of Student's t with `units − 1` degrees of
    /// freedom.
    pub lower: f64,
    /// `min(1, coefficient + t · SE)`.
    pub upper: f64,
    /// The confidence level, [`CONFIDENCE_LEVEL`].
    pub level: f64,
}

/// Gwet's AC1 (unweighted) or AC2 (weighted) with its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GwetAc {
    /// `(p_a − p_e) / (1 − p_e)`.
    pub coefficient: f64,
    /// The weights: unweighted is AC1, linear and quadratic AC2.
    pub weights: KappaWeights,
    /// Weighted percent agreement `p_a` over the units with two or more values.
    pub percent_agreement: f64,
    /// Chance agreement `p_e`.
    pub chance_agreement: f64,
    /// Units with at least one value, `n`.
    pub units: usize,
    /// Categories `q`: the distinct values used.
    pub categories: usize,
    /// Standard error and confidence interval; `None` with fewer than two units.
    pub interval: Option<Interval>,
}

/// The categories used (value ids in order of first appearance) and each unit's values counted
/// by category: built once and shared by AC1, both AC2s and Conger's kappa.
pub(crate) struct UnitCounts {
    /// Category index by value id (`usize::MAX` for ids not used).
    index: Vec<usize>,
    /// Value id by category.
    ids: Vec<u32>,
    /// `counts[offsets[i]..offsets[i + 1]]` are the `(category, n_ik)` of the `i`-th unit with at
    /// least one value, by category.
    offsets: Vec<usize>,
    counts: Vec<(usize, f64)>,
    /// Each such unit's number of values `r_i`.
    values: Vec<f64>,
}

impl UnitCounts {
    pub(crate) fn new(data: &ReliabilityData) -> Self {
        let mut index = vec![usize::MAX; data.n_values()];
        let mut ids = Vec::new();
        let mut offsets = vec![0];
        let mut counts = Vec::with_capacity(data.n_codings());
        let mut values = Vec::with_capacity(data.n_units());
        let mut cats = Vec::new();
        for unit in data.units().filter(|u| !u.is_empty()) {
            cats.clear();
            for coding in unit {
                let slot = &mut index[coding.value as usize];
                if *slot == usize::MAX {
                    *slot = ids.len();
                    ids.push(coding.value);
                }
                cats.push(*slot);
            }
            cats.sort_unstable();
            counts.extend(
                cats.chunk_by(|a, b| a == b)
                    .map(|run| (run[0], run.len() as f64)),
            );
            offsets.push(counts.len());
            values.push(unit.len() as f64);
        }
        Self {
            index,
            ids,
            offsets,
            counts,
            values,
        }
    }

    /// The number of units with at least one value, `n`.
    fn len(&self) -> usize {
        self.values.len()
    }

    /// Each unit with at least one value: its categories with their counts, and `r_i`.
    fn iter(&self) -> impl Iterator<Item = (&[(usize, f64)], f64)> + '_ {
        self.offsets
            .windows(2)
            .zip(&self.values)
            .map(|(w, &r)| (&self.counts[w[0]..w[1]], r))
    }
}

/// The agreement weights between the categories used.
struct Categories {
    q: usize,
    weights: KappaWeights,
    /// Category values scaled into [-2, 2], for weighted coefficients.
    scaled: Vec<f64>,
    /// `max − min` of `scaled`.
    range: f64,
}

impl Categories {
    fn new(
        data: &ReliabilityData,
        units: &UnitCounts,
        weights: KappaWeights,
    ) -> Result<Self, Undefined> {
        let ids = &units.ids;
        let q = ids.len();
        let (scaled, range) = match (weights, data.domain()) {
            (KappaWeights::Unweighted, _) => (Vec::new(), 0.0),
            (_, Domain::Numbers(numbers)) => {
                let values: Vec<f64> = ids.iter().map(|&v| numbers[v as usize]).collect();
                let scale = power_of_two_scale(values.iter().fold(0.0, |m, v| v.abs().max(m)));
                let scaled: Vec<f64> = values.iter().map(|v| v / scale).collect();
                let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let min = scaled.iter().copied().fold(f64::INFINITY, f64::min);
                (scaled, max - min)
            }
            _ => return Err(Undefined::UnorderedCategories),
        };
        if q < 2 {
            return Err(Undefined::TooFewCategories);
        }
        Ok(Self {
            q,
            weights,
            scaled,
            range,
        })
    }

    /// The agreement weight `w_kl` (1 on the diagonal).
    fn weight(&self, k: usize, l: usize) -> f64 {
        if k == l {
            return 1.0;
        }
        let d = || (self.scaled[k] - self.scaled[l]).abs() / self.range;
        match self.weights {
            KappaWeights::Unweighted => 0.0,
            KappaWeights::Linear => 1.0 - d(),
            KappaWeights::Quadratic => 1.0 - d().powi(2),
        }
    }

    /// `Σ_k Σ_l w_kl`, in `O(q log q)`.
    fn weight_sum(&self) -> f64 {
        let q = self.q as f64;
        match self.weights {
            KappaWeights::Unweighted => q,
            KappaWeights::Linear => {
                // Σ_{k,l} |x_k − x_l| = 2 Σ_i x_(i) (2i − q + 1) over the sorted values.
                let mut sorted = self.scaled.clone();
                sorted.sort_by(f64::total_cmp);
                let spread: f64 = sorted
                    .iter()
                    .enumerate()
                    .map(|(i, x)| x * (2.0 * i as f64 - q + 1.0))
                    .sum();
                q * q - 2.0 * spread / self.range
            }
            KappaWeights::Quadratic => {
                // Σ_{k,l} (x_k − x_l)² = 2q Σ (x − x̄)².
                let mean = self.scaled.iter().sum::<f64>() / q;
                let squares: f64 = self.scaled.iter().map(|x| (x - mean).powi(2)).sum();
                q * q - 2.0 * q * squares / (self.range * self.range)
            }
        }
    }

    /// `Σ_k n_ik (Σ_l w_kl n_il − 1)`: the unit's agreeing (ordered, weighted) pairs of values.
    fn agreeing_pairs(&self, counts: &[(usize, f64)]) -> f64 {
        counts
            .iter()
            .map(|&(k, n_k)| {
                let weighted: f64 = counts.iter().map(|&(l, n_l)| self.weight(k, l) * n_l).sum();
                n_k * (weighted - 1.0)
            })
            .sum()
    }
}

/// Weighted percent agreement `p_a` over units with two or more values, and how many there are.
fn percent_agreement(categories: &Categories, units: &UnitCounts) -> (f64, usize) {
    let (mut sum, mut pairable) = (0.0, 0usize);
    for (counts, r) in units.iter().filter(|(_, r)| *r >= 2.0) {
        sum += categories.agreeing_pairs(counts) / (r * (r - 1.0));
        pairable += 1;
    }
    (sum / pairable as f64, pairable)
}

/// Gwet's AC1 (`weights` unweighted) or AC2 (linear or quadratic weights, the weights of
/// [`KappaWeights`] scaled to agreement weights `1 − |x_k − x_l| / (max − min)` and
/// `1 − (x_k − x_l)² / (max − min)²`, as irrCAC's `"linear"` and `"quadratic"`), for any number
/// of coders with missing data.
///
/// With `n_ik` the values in category `k` of unit `i`, `r_i` the unit's values, `n` the units
/// with at least one value and `q` the categories used:
///
/// ```text
/// p_a = mean over units with r_i ≥ 2 of Σ_k n_ik (Σ_l w_kl n_il − 1) / (r_i (r_i − 1))
/// π_k = (1/n) Σ_i n_ik / r_i
/// p_e = (Σ_kl w_kl) / (q (q − 1)) · Σ_k π_k (1 − π_k)
/// AC  = (p_a − p_e) / (1 − p_e)
/// ```
///
/// The standard error is Gwet's linearization over units (irrCAC's `gwet.ac1.raw`), and the
/// interval `AC ± t_{n−1} · SE` with its upper end capped at 1. Undefined with fewer than two
/// categories, no unit with two values, or weights asked of unordered values.
pub fn gwet_ac(data: &ReliabilityData, weights: KappaWeights) -> Result<GwetAc, Undefined> {
    gwet_ac_in(data, &UnitCounts::new(data), weights)
}

/// [`gwet_ac`] from the data's [`UnitCounts`].
pub(crate) fn gwet_ac_in(
    data: &ReliabilityData,
    units: &UnitCounts,
    weights: KappaWeights,
) -> Result<GwetAc, Undefined> {
    let categories = Categories::new(data, units, weights)?;
    let (pa, pairable) = percent_agreement(&categories, units);
    if pairable == 0 {
        return Err(Undefined::NoPairableValues);
    }
    let n = units.len() as f64;
    let q = categories.q as f64;
    let mut pi = vec![0.0; categories.q];
    for (counts, r) in units.iter() {
        for &(k, n_k) in counts {
            pi[k] += n_k / r / n;
        }
    }
    let factor = categories.weight_sum() / (q * (q - 1.0));
    let pe = factor * pi.iter().map(|p| p * (1.0 - p)).sum::<f64>();
    let coefficient = ratio(pa - pe, 1.0 - pe, Undefined::NoVariation)?;

    let interval = (units.len() >= 2).then(|| {
        let squares: f64 = units
            .iter()
            .map(|(counts, r)| {
                let two = r >= 2.0;
                let pa_i = if two {
                    categories.agreeing_pairs(counts) / (r * (r - 1.0))
                } else {
                    0.0
                };
                let pe_r2 = if two { pe } else { 0.0 };
                let ac_i = n / pairable as f64 * (pa_i - pe_r2) / (1.0 - pe);
                let pe_i = factor
                    * counts
                        .iter()
                        .map(|&(k, n_k)| n_k * (1.0 - pi[k]))
                        .sum::<f64>()
                    / r;
                let linearized = ac_i - 2.0 * (1.0 - coefficient) * (pe_i - pe) / (1.0 - pe);
                (linearized - coefficient).powi(2)
            })
            .sum();
        interval(coefficient, (squares / (n * (n - 1.0))).sqrt(), units.len())
    });
    Ok(GwetAc {
        coefficient,
        weights,
        percent_agreement: pa,
        chance_agreement: pe,
        units: units.len(),
        categories: categories.q,
        interval,
    })
}

/// The `CONFIDENCE_LEVEL` interval `coefficient ± t_{n−1} · se`, its upper end capped at 1.
pub(crate) fn interval(coefficient: f64, standard_error: f64, units: usize) -> Interval {
    let t = student_t_quantile((1.0 + CONFIDENCE_LEVEL) / 2.0, (units - 1) as f64);
    Interval {
        standard_error,
        lower: coefficient - t * standard_error,
        upper: (coefficient + t * standard_error).min(1.0),
        level: CONFIDENCE_LEVEL,
    }
}

/// Conger's (1980) kappa for any number of coders with missing data, as irrCAC's
/// `conger.kappa.raw`: Fleiss' multi-rater percent agreement `p_a` (as for [`gwet_ac`]),
/// corrected by the mean over ordered pairs of coders `g ≠ h` of Cohen's chance agreement
/// `Σ_k p_gk p_hk`, where `p_gk` is the share of coder `g`'s values in category `k`:
///
/// ```text
/// p_e = Σ_k (P_k² − Σ_g p_gk²) / (r (r − 1)),   P_k = Σ_g p_gk
/// κ   = (p_a − p_e) / (1 − p_e)
/// ```
///
/// Coders without any value are left out of `r`. With two coders and complete data this is
/// Cohen's kappa. Undefined with fewer than two coders with values, fewer than two categories,
/// no unit with two values, or no variation.
pub fn conger_kappa(data: &ReliabilityData) -> Stat {
    conger_kappa_in(data, &UnitCounts::new(data))
}

/// [`conger_kappa`] from the data's [`UnitCounts`].
pub(crate) fn conger_kappa_in(data: &ReliabilityData, units: &UnitCounts) -> Stat {
    let categories = Categories::new(data, units, KappaWeights::Unweighted)?;
    let (pa, pairable) = percent_agreement(&categories, units);
    let q = categories.q;
    let mut by_coder = vec![vec![0.0; q]; data.n_coders()];
    for unit in data.units() {
        for coding in unit {
            by_coder[coding.coder as usize][units.index[coding.value as usize]] += 1.0;
        }
    }
    let shares: Vec<Vec<f64>> = by_coder
        .into_iter()
        .filter_map(|counts| {
            let total: f64 = counts.iter().sum();
            (total > 0.0).then(|| counts.iter().map(|c| c / total).collect())
        })
        .collect();
    let r = shares.len();
    if r < 2 {
        return Err(Undefined::TooFewCoders(r));
    }
    if pairable == 0 {
        return Err(Undefined::NoPairableValues);
    }
    let r = r as f64;
    let pe: f64 = (0..q)
        .map(|k| {
            let total: f64 = shares.iter().map(|p| p[k]).sum();
            let own: f64 = shares.iter().map(|p| p[k] * p[k]).sum();
            total * total - own
        })
        .sum::<f64>()
        / (r * (r - 1.0));
    ratio(pa - pe, 1.0 - pe, Undefined::NoVariation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_coders(a: &[i32], b: &[i32]) -> ReliabilityData {
        let rows: Vec<Vec<Option<i32>>> = [a, b]
            .iter()
            .map(|r| r.iter().map(|&v| Some(v)).collect())
            .collect();
        ReliabilityData::from_coder_rows(&rows).unwrap()
    }

    #[test]
    fn weight_sums_match_the_matrix() {
        let data = two_coders(&[1, 2, 4, 7, 7], &[2, 2, 4, 1, 9]);
        for weights in [
            KappaWeights::Unweighted,
            KappaWeights::Linear,
            KappaWeights::Quadratic,
        ] {
            let c = Categories::new(&data, &UnitCounts::new(&data), weights).unwrap();
            let direct: f64 = (0..c.q)
                .flat_map(|k| (0..c.q).map(move |l| (k, l)))
                .map(|(k, l)| c.weight(k, l))
                .sum();
            assert!((c.weight_sum() - direct).abs() < 1e-12, "{weights:?}");
        }
    }

    #[test]
    fn conger_with_two_complete_coders_is_cohen() {
        let data = two_coders(&[1, 2, 3, 1, 2, 3, 1, 1], &[1, 2, 2, 1, 3, 3, 2, 1]);
        let cohen = super::super::cohen_kappa(&data, KappaWeights::Unweighted).unwrap();
        assert!((conger_kappa(&data).unwrap() - cohen).abs() < 1e-12);
    }

    #[test]
    fn degenerate_data_is_undefined() {
        let one = two_coders(&[1, 1, 1], &[1, 1, 1]);
        assert_eq!(
            gwet_ac(&one, KappaWeights::Unweighted),
            Err(Undefined::TooFewCategories)
        );
        assert_eq!(conger_kappa(&one), Err(Undefined::TooFewCategories));
        let labels =
            ReliabilityData::from_coder_rows(&[vec![Some("a"), Some("b")], vec![Some("a"), None]])
                .unwrap();
        assert_eq!(
            gwet_ac(&labels, KappaWeights::Linear),
            Err(Undefined::UnorderedCategories)
        );
        // One unit with two values: AC1 is defined, its interval is not.
        let single =
            ReliabilityData::from_coder_rows(&[vec![Some("a"), Some("b")], vec![Some("a"), None]])
                .unwrap();
        let ac = gwet_ac(&single, KappaWeights::Unweighted).unwrap();
        assert!(ac.interval.is_some());
        let lone = ReliabilityData::from_coder_rows(&[vec![Some("a")], vec![Some("b")]]).unwrap();
        assert_eq!(
            gwet_ac(&lone, KappaWeights::Unweighted).map(|a| a.interval),
            Ok(None)
        );
    }
}
