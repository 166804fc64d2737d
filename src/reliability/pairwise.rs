//! Statistics over pairs of coders: Holsti's coefficient and Light's kappa for any number of
//! coders, the matrix of every coder pair, and the kappa paradox's indices for two coders
//! (PABAK, prevalence and bias; Byrt, Bishop & Carlin 1993).

use serde::Serialize;

use super::agreement::{KappaWeights, contingency_table, table_of_pairs};
use super::alpha::{Metric, Pairable, weighted_alpha};
use super::data::ReliabilityData;
use super::stat::{Stat, Undefined, serialize_stat};

/// Every pair of coder indices `(g, h)` with `g < h`.
fn pairs(coders: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..coders).flat_map(move |g| (g + 1..coders).map(move |h| (g, h)))
}

/// Coders `g < h` and their values `(g's, h's)` on each unit both coded, in unit order.
type PairValues = (usize, usize, Vec<(u32, u32)>);

/// Every coder pair's values on the units both coded, gathered in one pass over the units
/// (each pair's in unit order), and the number of values each coder gave.
pub(crate) struct PairCodings {
    /// In coder order.
    pairs: Vec<PairValues>,
    per_coder: Vec<usize>,
}

impl PairCodings {
    pub(crate) fn new(data: &ReliabilityData) -> Self {
        let m = data.n_coders();
        let mut index = vec![usize::MAX; m * m];
        let mut pairs: Vec<PairValues> = Vec::new();
        for (g, h) in self::pairs(m) {
            index[g * m + h] = pairs.len();
            pairs.push((g, h, Vec::new()));
        }
        let mut per_coder = vec![0usize; m];
        for unit in data.units() {
            // Codings are sorted by coder, so `a.coder < b.coder`.
            for (i, a) in unit.iter().enumerate() {
                per_coder[a.coder as usize] += 1;
                let row = a.coder as usize * m;
                for b in &unit[i + 1..] {
                    pairs[index[row + b.coder as usize]]
                        .2
                        .push((a.value, b.value));
                }
            }
        }
        Self { pairs, per_coder }
    }
}

/// The share of the units both coded on which two coders agree (what
/// [`percent_agreement`](super::percent_agreement) gives for their matrix: each unit counts 1 or
/// 0, and sums of those are exact).
fn pair_agreement(common: &[(u32, u32)]) -> Stat {
    if common.is_empty() {
        return Err(Undefined::NoPairableValues);
    }
    let agreements = common.iter().filter(|(a, b)| a == b).count();
    Ok(agreements as f64 / common.len() as f64)
}

/// Holsti's two-coder `2M / (N1 + N2)` for the pair `(g, h)` with values `common` on the units
/// both coded, or `None` when there is none.
fn pair_holsti(codings: &PairCodings, g: usize, h: usize, common: &[(u32, u32)]) -> Option<f64> {
    let agreements = common.iter().filter(|(a, b)| a == b).count();
    let values = codings.per_coder[g] + codings.per_coder[h];
    (!common.is_empty()).then(|| 2.0 * agreements as f64 / values as f64)
}

/// Holsti's (1969) coefficient of reliability `CR = 2M / (N1 + N2)`, for any number of coders
/// as the mean over coder pairs (as tidycomm's `test_icr`): for each pair, `M` is the number of
/// units on which they agree, `N1` and `N2` the numbers of values each gave.
///
/// With missing data `N1` and `N2` count every value the coder gave, including on units the other
/// coder left uncoded (so such units lower the coefficient); with complete data it equals mean
/// pairwise percent agreement. Pairs of coders without a unit in common are left out of the
/// mean. Undefined with fewer than two coders or when no pair has a unit in common.
pub fn holsti(data: &ReliabilityData) -> Stat {
    holsti_in(data, &PairCodings::new(data))
}

pub(crate) fn holsti_in(data: &ReliabilityData, codings: &PairCodings) -> Stat {
    if data.n_coders() < 2 {
        return Err(Undefined::TooFewCoders(data.n_coders()));
    }
    let values: Vec<f64> = codings
        .pairs
        .iter()
        .filter_map(|(g, h, common)| pair_holsti(codings, *g, *h, common))
        .collect();
    if values.is_empty() {
        return Err(Undefined::NoCommonUnits);
    }
    Ok(values.iter().sum::<f64>() / values.len() as f64)
}

/// Light's (1971) kappa: the mean of Cohen's kappa over every pair of coders, each pair on the
/// units both coded. With two coders it is Cohen's kappa. Undefined with fewer than two coders,
/// or when a pair's kappa is undefined (that pair's reason).
pub fn light_kappa(data: &ReliabilityData) -> Stat {
    light_kappa_in(data, &coder_pairs(data, Metric::Nominal))
}

/// Light's kappa from the Cohen's kappas of [`coder_pairs`].
pub(crate) fn light_kappa_in(data: &ReliabilityData, pairs: &[CoderPair]) -> Stat {
    if data.n_coders() < 2 {
        return Err(Undefined::TooFewCoders(data.n_coders()));
    }
    let mut sum = 0.0;
    for pair in pairs {
        sum += pair.cohen_kappa?;
    }
    Ok(sum / pairs.len() as f64)
}

/// Two coders' agreement, one cell of the pairwise matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoderPair {
    /// The two coders.
    pub coders: [String; 2],
    /// Units both coded.
    pub common_units: usize,
    /// Share of the common units on which they agree.
    #[serde(serialize_with = "serialize_stat")]
    pub percent_agreement: Stat,
    /// Krippendorff's alpha of the two, with the report's metric.
    #[serde(serialize_with = "serialize_stat")]
    pub krippendorff_alpha: Stat,
    /// Cohen's kappa of the two.
    #[serde(serialize_with = "serialize_stat")]
    pub cohen_kappa: Stat,
}

/// Every pair of coders, in coder order (`(1, 2), (1, 3), …, (2, 3), …`): the matrix that shows
/// which coder deviates.
pub fn coder_pairs(data: &ReliabilityData, metric: Metric) -> Vec<CoderPair> {
    coder_pairs_in(data, &PairCodings::new(data), metric)
}

pub(crate) fn coder_pairs_in(
    data: &ReliabilityData,
    codings: &PairCodings,
    metric: Metric,
) -> Vec<CoderPair> {
    let names = data.coder_names();
    codings
        .pairs
        .iter()
        .map(|(g, h, common)| {
            let pairable = Pairable::of_pairs(common);
            CoderPair {
                coders: [names[*g].clone(), names[*h].clone()],
                common_units: common.len(),
                percent_agreement: pair_agreement(common),
                krippendorff_alpha: weighted_alpha(data, &pairable, metric, None),
                cohen_kappa: table_of_pairs(data, common)
                    .and_then(|t| t.cohen_kappa(KappaWeights::Unweighted)),
            }
        })
        .collect()
}

/// The kappa paradox's indices for two coders (Byrt, Bishop & Carlin 1993, *Bias, prevalence and
/// kappa*, Journal of Clinical Epidemiology 46, 423–429), on the units both coded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrevalenceBias {
    /// Prevalence-adjusted bias-adjusted kappa `2 P_o − 1`; with `k > 2` categories its
    /// generalization `(k P_o − 1)/(k − 1)`.
    pub pabak: Stat,
    /// `|a − d| / n` for the 2 × 2 table `a b / c d`: how far the two categories are from equally
    /// frequent (0 balanced, 1 all in one category).
    pub prevalence_index: Stat,
    /// `|b − c| / n`: how differently often the two coders use the first category.
    pub bias_index: Stat,
}

/// PABAK, prevalence index and bias index for two coders. The indices need two categories; a
/// table in which only one category was used is a 2 × 2 table with an empty category
/// (prevalence index 1). Then Cohen's kappa is
/// `(PABAK − PI² + BI²) / (1 − PI² + BI²)` (Byrt et al. 1993, p. 425).
pub fn prevalence_bias(data: &ReliabilityData) -> PrevalenceBias {
    let table = match contingency_table(data) {
        Ok(table) => table,
        Err(why) => {
            return PrevalenceBias {
                pabak: Err(why),
                prevalence_index: Err(why),
                bias_index: Err(why),
            };
        }
    };
    let n = table.total();
    let k = table.k();
    let pabak = table.percent_agreement().map(|po| {
        let k = k.max(2) as f64;
        (k * po - 1.0) / (k - 1.0)
    });
    let (prevalence_index, bias_index) = match k {
        1 => (Ok(1.0), Ok(0.0)),
        2 => {
            let (a, b, c, d) = (
                table.count(0, 0),
                table.count(0, 1),
                table.count(1, 0),
                table.count(1, 1),
            );
            (Ok((a - d).abs() / n), Ok((b - c).abs() / n))
        }
        k => (
            Err(Undefined::NotTwoCategories(k)),
            Err(Undefined::NotTwoCategories(k)),
        ),
    };
    PrevalenceBias {
        pabak,
        prevalence_index,
        bias_index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holsti_with_missing_data_counts_values_on_units_coded_once() {
        // Coder 1 agrees on 2 of the 3 common units, and coded one unit alone.
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some("a"), Some("b"), Some("c"), Some("d")],
            vec![Some("a"), Some("b"), Some("a"), None],
        ])
        .unwrap();
        assert!((holsti(&data).unwrap() - 4.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn pairs_without_common_units_are_left_out() {
        // Coders 1 and 3 never coded the same unit.
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some("a"), Some("b"), None, None],
            vec![Some("a"), Some("a"), Some("b"), Some("b")],
            vec![None, None, Some("b"), Some("a")],
        ])
        .unwrap();
        // (1, 2): 2·1/(2 + 4); (2, 3): 2·1/(4 + 2).
        assert!((holsti(&data).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(light_kappa(&data), Err(Undefined::NoCommonUnits));
        let matrix = coder_pairs(&data, Metric::Nominal);
        assert_eq!(matrix.len(), 3);
        assert_eq!(matrix[1].coders, ["1".to_owned(), "3".to_owned()]);
        assert_eq!(matrix[1].common_units, 0);
        assert_eq!(
            matrix[1].percent_agreement,
            Err(Undefined::NoPairableValues)
        );
    }

    #[test]
    fn one_category_is_a_two_by_two_table_with_an_empty_category() {
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some("no"), Some("no")],
            vec![Some("no"), Some("no")],
        ])
        .unwrap();
        let pb = prevalence_bias(&data);
        assert_eq!(pb.pabak, Ok(1.0));
        assert_eq!(pb.prevalence_index, Ok(1.0));
        assert_eq!(pb.bias_index, Ok(0.0));
    }
}
