//! Agreement coefficients other than Krippendorff's alpha: percent agreement, Cohen, Scott,
//! Fleiss, and Bennett, Alpert & Goldstein's S (Holsti is in [`super::pairwise`]).
//!
//! Values are compared for equality of their ids, so numbers and sets act as nominal categories
//! here (`1` and `1.0` are the same number; `a|b` and `b|a` the same set).

use serde::Serialize;

use super::alpha::Pairable;
use super::data::{DataError, Domain, ReliabilityData, to_id};
use super::stat::{Stat, Undefined, power_of_two_scale, ratio};

/// Percent agreement as the *mean pairwise agreement* over units with at least two values.
///
/// For each unit `u` with `m_u ≥ 2` values, of which `n_uc` are category `c`, the unit's
/// agreement is the share of agreeing pairs of coders, `P_u = Σ_c n_uc (n_uc − 1) / (m_u (m_u − 1))`;
/// the result is the unweighted mean of `P_u` over those units. This is Fleiss' (1971) `P̄`,
/// extended to units with different numbers of values. With two coders it is the share of units
/// (coded by both) on which they agree. Units with fewer than two values are left out; undefined
/// when none is left ([`Undefined::NoPairableValues`]). For the agreement that weights units by
/// their number of values, see [`observed_agreement`](super::observed_agreement).
pub fn percent_agreement(data: &ReliabilityData) -> Stat {
    percent_agreement_in(&Pairable::new(data))
}

pub(crate) fn percent_agreement_in(pairable: &Pairable) -> Stat {
    if pairable.is_empty() {
        return Err(Undefined::NoPairableValues);
    }
    let total: f64 = pairable.units().map(unit_pairwise_agreement).sum();
    Ok(total / pairable.len() as f64)
}

/// `Σ_c n_c (n_c − 1) / (m (m − 1))` for a unit's sorted values.
fn unit_pairwise_agreement(unit: &[u32]) -> f64 {
    let m = unit.len() as f64;
    let agreeing: f64 = unit
        .chunk_by(|a, b| a == b)
        .map(|run| (run.len() * (run.len() - 1)) as f64)
        .sum();
    agreeing / (m * (m - 1.0))
}

/// Cohen's (1960) kappa for exactly two coders, on the units both coded (see
/// [`contingency_table`] and [`ContingencyTable::cohen_kappa`]).
pub fn cohen_kappa(data: &ReliabilityData, weights: KappaWeights) -> Stat {
    contingency_table(data)?.cohen_kappa(weights)
}

/// Scott's (1955) pi for exactly two coders, on the units both coded (see
/// [`ContingencyTable::scott_pi`]).
pub fn scott_pi(data: &ReliabilityData) -> Stat {
    contingency_table(data)?.scott_pi()
}

/// Bennett, Alpert & Goldstein's (1954) S, also Brennan & Prediger's (1981) free-marginal kappa
/// and Janson & Vegelius' C: `S = (P_o − 1/k) / (1 − 1/k)`, with chance agreement `1/k` for `k`
/// equally likely categories.
///
/// `P_o` is the mean pairwise [`percent_agreement`] (for more than two coders this is the
/// multi-rater form of Brennan & Prediger). `k` is `categories`, the number of categories the
/// coders could choose from; when `None`, the number of distinct values in the data, which
/// understates `k` when some categories were never used. Undefined for `k < 2`.
pub fn bennett_s(data: &ReliabilityData, categories: Option<usize>) -> Stat {
    let k = categories.unwrap_or_else(|| distinct_values(data));
    bennett_s_from(percent_agreement(data), k)
}

/// S from the mean pairwise agreement and `k` categories.
pub(crate) fn bennett_s_from(observed: Stat, k: usize) -> Stat {
    if k < 2 {
        return Err(Undefined::TooFewCategories);
    }
    let observed = observed?;
    let chance = 1.0 / k as f64;
    Ok((observed - chance) / (1.0 - chance))
}

/// The number of distinct values that occur in the data.
pub(crate) fn distinct_values(data: &ReliabilityData) -> usize {
    let mut seen = vec![false; data.n_values()];
    for unit in data.units() {
        for coding in unit {
            seen[coding.value as usize] = true;
        }
    }
    seen.into_iter().filter(|&s| s).count()
}

fn check_two_coders(data: &ReliabilityData) -> Result<(), Undefined> {
    match data.n_coders() {
        2 => Ok(()),
        n => Err(Undefined::NotTwoCoders(n)),
    }
}

/// Fleiss' kappa with its parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FleissKappa {
    /// `κ = (P̄ − P̄_e) / (1 − P̄_e)`.
    pub kappa: f64,
    /// Mean agreement over the units used, `P̄`.
    pub mean_agreement: f64,
    /// Chance agreement `P̄_e = Σ_j p_j²`.
    pub chance_agreement: f64,
    /// Units used: those with exactly `raters` values.
    pub units: usize,
    /// Values per unit used, `n`.
    pub raters: usize,
    /// Units with at least one value that were left out for having another number of values.
    pub excluded_units: usize,
}

/// Fleiss' (1971) kappa: `κ = (P̄ − P̄_e)/(1 − P̄_e)` with
/// `P_i = (Σ_j n_ij² − n) / (n (n − 1))`, `P̄` their mean, `p_j = Σ_i n_ij / (N n)` and
/// `P̄_e = Σ_j p_j²`, for `N` units each rated by `n` raters, `n_ij` of whom chose category `j`.
///
/// Fleiss' kappa needs the same number of ratings per unit and ignores rater identity. With
/// missing data, `n` is the most common number of values per unit (the larger one on a tie; at
/// least 2), and only units with exactly `n` values are used: the others are excluded and
/// counted in [`FleissKappa::excluded_units`]. Undefined when no unit has two or more values or
/// the units used show no variation.
pub fn fleiss_kappa(data: &ReliabilityData) -> Result<FleissKappa, Undefined> {
    fleiss_kappa_in(data, &Pairable::new(data))
}

pub(crate) fn fleiss_kappa_in(
    data: &ReliabilityData,
    pairable: &Pairable,
) -> Result<FleissKappa, Undefined> {
    let mut units_by_size = std::collections::BTreeMap::<usize, usize>::new();
    for unit in pairable.units() {
        *units_by_size.entry(unit.len()).or_default() += 1;
    }
    let (raters, units) = units_by_size
        .iter()
        .max_by_key(|&(&size, &count)| (count, size))
        .map(|(&size, &count)| (size, count))
        .ok_or(Undefined::NoPairableValues)?;
    let excluded_units = data.units().filter(|u| !u.is_empty()).count() - units;

    let mut category_totals = vec![0usize; data.n_values()];
    let mut agreement_sum = 0.0;
    for unit in pairable.units().filter(|u| u.len() == raters) {
        agreement_sum += unit_pairwise_agreement(unit);
        for &v in unit {
            category_totals[v as usize] += 1;
        }
    }
    let total = (units * raters) as f64;
    let mean_agreement = agreement_sum / units as f64;
    let chance_agreement: f64 = category_totals
        .iter()
        .map(|&c| (c as f64 / total).powi(2))
        .sum();
    let kappa = ratio(
        mean_agreement - chance_agreement,
        1.0 - chance_agreement,
        Undefined::NoVariation,
    )?;
    Ok(FleissKappa {
        kappa,
        mean_agreement,
        chance_agreement,
        units,
        raters,
        excluded_units,
    })
}

/// Weights for Cohen's kappa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KappaWeights {
    /// Cohen's (1960) kappa: every disagreement counts fully.
    #[default]
    Unweighted,
    /// Disagreement weight `|s_i − s_j|` for category scores `s` (Cicchetti & Allison 1971).
    Linear,
    /// Disagreement weight `(s_i − s_j)²` (Fleiss & Cohen 1973).
    Quadratic,
}

/// A two-coder contingency table: `count(i, j)` units put in category `i` by the first coder and
/// category `j` by the second.
#[derive(Debug, Clone, PartialEq)]
pub struct ContingencyTable {
    k: usize,
    counts: Vec<f64>,
    scores: Vec<f64>,
    ordered: bool,
    labels: Vec<String>,
}

/// The contingency table of a two-coder matrix over the units both coded.
///
/// Its categories are the distinct values that occur in those units. Numbers are ordered
/// numerically and scored by their value (for weighted kappa); labels and sets keep the order of
/// first appearance and are unordered. Undefined unless there are exactly two coders with a unit
/// in common.
pub fn contingency_table(data: &ReliabilityData) -> Result<ContingencyTable, Undefined> {
    check_two_coders(data)?;
    let pairs: Vec<(u32, u32)> = data
        .units()
        .filter_map(|unit| match unit {
            [a, b] => Some((a.value, b.value)),
            _ => None,
        })
        .collect();
    table_of_pairs(data, &pairs)
}

/// The contingency table of two coders' values `(first, second)` on the units both coded, with
/// `data`'s values (see [`contingency_table`]).
pub(crate) fn table_of_pairs(
    data: &ReliabilityData,
    pairs: &[(u32, u32)],
) -> Result<ContingencyTable, Undefined> {
    if pairs.is_empty() {
        return Err(Undefined::NoCommonUnits);
    }
    // The value ids used, ascending: marked in a table when there are few values, else sorted.
    let mut categories: Vec<u32> = if data.n_values() <= 2 * pairs.len() {
        let mut seen = vec![false; data.n_values()];
        for &(a, b) in pairs {
            seen[a as usize] = true;
            seen[b as usize] = true;
        }
        (0..seen.len()).filter(|&v| seen[v]).map(to_id).collect()
    } else {
        let mut categories: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        categories.sort_unstable();
        categories.dedup();
        categories
    };
    let ordered = matches!(data.domain(), Domain::Numbers(_));
    if let Domain::Numbers(numbers) = data.domain() {
        categories.sort_by(|&a, &b| numbers[a as usize].total_cmp(&numbers[b as usize]));
    }
    let mut index = vec![usize::MAX; data.n_values()];
    for (i, &v) in categories.iter().enumerate() {
        index[v as usize] = i;
    }
    let k = categories.len();
    let mut counts = vec![0.0; k * k];
    for &(a, b) in pairs {
        counts[index[a as usize] * k + index[b as usize]] += 1.0;
    }
    let scores = match data.domain() {
        Domain::Numbers(numbers) => categories.iter().map(|&v| numbers[v as usize]).collect(),
        _ => (0..k).map(|i| i as f64).collect(),
    };
    let labels = categories
        .iter()
        .map(|&v| data.value_text(v).unwrap_or_default())
        .collect();
    Ok(ContingencyTable {
        k,
        counts,
        scores,
        ordered,
        labels,
    })
}

impl ContingencyTable {
    /// A table from its rows (first coder) and columns (second coder), for ordered categories
    /// scored `0, 1, …, k − 1` (change with [`with_scores`](Self::with_scores)). Fails unless the
    /// table is square with finite counts of 0 or more.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self, DataError> {
        let k = rows.len();
        let mut counts = Vec::with_capacity(k * k);
        for row in rows {
            let row = row.as_ref();
            if row.len() != k || row.iter().any(|c| !c.is_finite() || *c < 0.0) {
                return Err(DataError::BadTable);
            }
            counts.extend_from_slice(row);
        }
        Ok(Self {
            k,
            counts,
            scores: (0..k).map(|i| i as f64).collect(),
            ordered: true,
            labels: (0..k).map(|i| i.to_string()).collect(),
        })
    }

    /// The same table with category scores for weighted kappa (one finite number per category).
    pub fn with_scores(mut self, scores: Vec<f64>) -> Result<Self, DataError> {
        if scores.len() != self.k || scores.iter().any(|s| !s.is_finite()) {
            return Err(DataError::BadScores);
        }
        self.scores = scores;
        self.ordered = true;
        Ok(self)
    }

    /// The number of categories.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The categories' labels (numbers as text for numeric data, `0..k` for tables from rows).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Units put in category `i` by the first coder and `j` by the second.
    pub fn count(&self, i: usize, j: usize) -> f64 {
        self.counts[i * self.k + j]
    }

    /// The number of units, `N`.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }

    fn row_totals(&self) -> Vec<f64> {
        (0..self.k)
            .map(|i| (0..self.k).map(|j| self.count(i, j)).sum())
            .collect()
    }

    fn column_totals(&self) -> Vec<f64> {
        (0..self.k)
            .map(|j| (0..self.k).map(|i| self.count(i, j)).sum())
            .collect()
    }

    /// The share of units on the diagonal, `P_o`.
    pub fn percent_agreement(&self) -> Stat {
        let diagonal: f64 = (0..self.k).map(|i| self.count(i, i)).sum();
        ratio(diagonal, self.total(), Undefined::NoCommonUnits)
    }

    /// Cohen's kappa, `κ = (P_o − P_e) / (1 − P_e)` with `P_e = Σ_i r_i c_i / N²` from the row and
    /// column totals (Cohen 1960); weighted, `κ_w = 1 − Σ v_ij o_ij / Σ v_ij e_ij` with
    /// `e_ij = r_i c_j / N` and disagreement weights `v_ij` from [`KappaWeights`] (Cohen 1968).
    /// The weights `1 − |i − j|/(k − 1)` and `1 − (i − j)²/(k − 1)²` of Cicchetti–Allison and
    /// Fleiss–Cohen give the same kappa as `v = |s_i − s_j|` and `(s_i − s_j)²` for equally spaced
    /// scores, since the scale cancels.
    ///
    /// Undefined when chance disagreement is zero (both coders used one and the same category),
    /// and for weights on unordered categories.
    pub fn cohen_kappa(&self, weights: KappaWeights) -> Stat {
        if weights != KappaWeights::Unweighted && !self.ordered {
            return Err(Undefined::UnorderedCategories);
        }
        let total = self.total();
        if total <= 0.0 {
            return Err(Undefined::NoCommonUnits);
        }
        let (rows, columns) = (self.row_totals(), self.column_totals());
        // The weights are relative (their scale cancels), so scores are divided by a power of
        // two that brings them within ±2: differences of scores near ±1e308 do not overflow,
        // nor do those of subnormal scores vanish when squared.
        let scale = power_of_two_scale(self.scores.iter().map(|s| s.abs()).fold(0.0, f64::max));
        let weight = |i: usize, j: usize| {
            let d = self.scores[i] / scale - self.scores[j] / scale;
            match weights {
                KappaWeights::Unweighted => f64::from(u8::from(i != j)),
                KappaWeights::Linear => d.abs(),
                KappaWeights::Quadratic => d * d,
            }
        };
        let (mut observed, mut expected) = (0.0, 0.0);
        for (i, row_total) in rows.iter().enumerate() {
            for (j, column_total) in columns.iter().enumerate() {
                let w = weight(i, j);
                observed += w * self.count(i, j);
                expected += w * row_total * column_total / total;
            }
        }
        Ok(1.0 - ratio(observed, expected, Undefined::NoVariation)?)
    }

    /// Scott's (1955) pi, `π = (P_o − P_e) / (1 − P_e)` with `P_e = Σ_i ((r_i + c_i) / 2N)²`:
    /// chance agreement from the pooled distribution of both coders' values. Undefined when both
    /// coders used one and the same category.
    pub fn scott_pi(&self) -> Stat {
        let total = self.total();
        let observed = self.percent_agreement()?;
        let (rows, columns) = (self.row_totals(), self.column_totals());
        let chance: f64 = rows
            .iter()
            .zip(&columns)
            .map(|(r, c)| ((r + c) / (2.0 * total)).powi(2))
            .sum();
        ratio(observed - chance, 1.0 - chance, Undefined::NoVariation)
    }

    /// Bennett, Alpert & Goldstein's S, `(P_o − 1/k)/(1 − 1/k)`, for `categories` possible
    /// categories (the table's `k` when `None`). Undefined for fewer than two categories.
    pub fn bennett_s(&self, categories: Option<usize>) -> Stat {
        let k = categories.unwrap_or(self.k);
        if k < 2 {
            return Err(Undefined::TooFewCategories);
        }
        let chance = 1.0 / k as f64;
        Ok((self.percent_agreement()? - chance) / (1.0 - chance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_categories_weights_do_not_matter() {
        let table = ContingencyTable::from_rows(&[[20.0, 5.0], [10.0, 15.0]]).unwrap();
        let plain = table.cohen_kappa(KappaWeights::Unweighted).unwrap();
        assert!((plain - 0.4).abs() < 1e-12);
        for weights in [KappaWeights::Linear, KappaWeights::Quadratic] {
            assert!((table.cohen_kappa(weights).unwrap() - plain).abs() < 1e-12);
        }
    }

    /// Weighted kappa's weights are relative: scores near ±1e308 (whose differences overflow)
    /// or subnormal (whose squares vanish) give the kappa of everyday scores, not "no variation".
    #[test]
    fn weighted_kappa_is_the_same_at_any_scale() {
        let table =
            ContingencyTable::from_rows(&[[5.0, 2.0, 0.0], [1.0, 6.0, 3.0], [0.0, 2.0, 9.0]])
                .unwrap();
        let scores = [-1.0, 0.25, 1.0];
        for weights in [KappaWeights::Linear, KappaWeights::Quadratic] {
            let everyday = table
                .clone()
                .with_scores(scores.to_vec())
                .unwrap()
                .cohen_kappa(weights)
                .unwrap();
            for factor in [1e308, 1.7e308, 2f64.powi(-1070)] {
                let extreme = table
                    .clone()
                    .with_scores(scores.iter().map(|s| s * factor).collect())
                    .unwrap()
                    .cohen_kappa(weights);
                assert!(
                    extreme.is_ok_and(|k| (k - everyday).abs() < 1e-12),
                    "{weights:?} × {factor:e}: {extreme:?}, expected {everyday}"
                );
            }
        }
    }

    #[test]
    fn bad_tables_are_refused() {
        assert_eq!(
            ContingencyTable::from_rows(&[vec![1.0, 2.0]]),
            Err(DataError::BadTable)
        );
        assert_eq!(
            ContingencyTable::from_rows(&[[1.0, -2.0], [0.0, 1.0]]),
            Err(DataError::BadTable)
        );
        let t = ContingencyTable::from_rows(&[[1.0, 2.0], [0.0, 1.0]]).unwrap();
        assert_eq!(t.with_scores(vec![1.0]), Err(DataError::BadScores));
    }

    #[test]
    fn weighted_kappa_on_labels_is_undefined() {
        let data = ReliabilityData::from_coder_rows(&[
            vec![Some("a"), Some("b"), Some("c")],
            vec![Some("a"), Some("c"), Some("c")],
        ])
        .unwrap();
        assert!(cohen_kappa(&data, KappaWeights::Unweighted).is_ok());
        assert_eq!(
            cohen_kappa(&data, KappaWeights::Linear),
            Err(Undefined::UnorderedCategories)
        );
    }

    #[test]
    fn one_shared_category_is_no_variation() {
        let table = ContingencyTable::from_rows(&[[7.0]]).unwrap();
        assert_eq!(table.percent_agreement(), Ok(1.0));
        assert_eq!(
            table.cohen_kappa(KappaWeights::Unweighted),
            Err(Undefined::NoVariation)
        );
        assert_eq!(table.scott_pi(), Err(Undefined::NoVariation));
        assert_eq!(table.bennett_s(None), Err(Undefined::TooFewCategories));
        assert!((table.bennett_s(Some(4)).unwrap() - 1.0).abs() < 1e-12);
    }
}
