//! Statistics over pairs of coders: Holsti's coefficient and Light's kappa for any number of
//! coders, the matrix of every coder pair, and the kappa paradox's indices for two coders
//! (PABAK, prevalence and bias; Byrt, Bishop & Carlin 1993).

use serde::Serialize;

use super::agreement::{KappaWeights, cohen_kappa, contingency_table, percent_agreement};
use super::alpha::{Metric, krippendorff_alpha};
use super::data::ReliabilityData;
use super::stat::{Stat, Undefined, serialize_stat};

/// Every pair of coder indices `(g, h)` with `g < h`.
fn pairs(coders: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..coders).flat_map(move |g| (g + 1..coders).map(move |h| (g, h)))
}

fn pair_data(data: &ReliabilityData, g: usize, h: usize) -> ReliabilityData {
    data.select_coders(&[g, h])
        .expect("two distinct coders in range")
}

/// Holsti's two-coder `2M / (N1 + N2)` for coders `g` and `h`, or `None` when they have no unit
/// in common.
fn pair_holsti(data: &ReliabilityData, g: u32, h: u32) -> Option<f64> {
    let (mut agreements, mut common, mut values) = (0usize, 0usize, 0usize);
    for unit in data.units() {
        let a = unit.iter().find(|c| c.coder == g);
        let b = unit.iter().find(|c| c.coder == h);
        values += usize::from(a.is_some()) + usize::from(b.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            common += 1;
            agreements += usize::from(a.value == b.value);
        }
    }
    (common > 0).then(|| 2.0 * agreements as f64 / values as f64)
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
    holsti_in(data, &pair_datas(data))
}

/// Every pair of coders `(g, h)`, `g < h`, with the matrix of just the two (coders 0 and 1).
pub(crate) fn pair_datas(data: &ReliabilityData) -> Vec<(usize, usize, ReliabilityData)> {
    pairs(data.n_coders())
        .map(|(g, h)| (g, h, pair_data(data, g, h)))
        .collect()
}

pub(crate) fn holsti_in(
    data: &ReliabilityData,
    pair_datas: &[(usize, usize, ReliabilityData)],
) -> Stat {
    if data.n_coders() < 2 {
        return Err(Undefined::TooFewCoders(data.n_coders()));
    }
    let values: Vec<f64> = pair_datas
        .iter()
        .filter_map(|(_, _, pair)| pair_holsti(pair, 0, 1))
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
    coder_pairs_in(data, &pair_datas(data), metric)
}

pub(crate) fn coder_pairs_in(
    data: &ReliabilityData,
    pair_datas: &[(usize, usize, ReliabilityData)],
    metric: Metric,
) -> Vec<CoderPair> {
    let names = data.coder_names();
    pair_datas
        .iter()
        .map(|(g, h, pair)| CoderPair {
            coders: [names[*g].clone(), names[*h].clone()],
            common_units: pair.units().filter(|u| u.len() == 2).count(),
            percent_agreement: percent_agreement(pair),
            krippendorff_alpha: krippendorff_alpha(pair, metric),
            cohen_kappa: cohen_kappa(pair, KappaWeights::Unweighted),
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
