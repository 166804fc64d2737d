//! Evidence 2: a model per indicator over the unit's features, naive Bayes written out.
//!
//! Each indicator is a yes/no question: positives are the training units coded with it,
//! negatives every other training unit and, once more, each unit where the coder rejected it.
//! Features are counted once per unit (binarized multinomial naive Bayes, which ranks text as
//! well as logistic regression on short texts, Wang & Manning 2012) with add-α smoothing. The
//! log-odds are scaled by the square root of the number of known features, so that a long unit
//! does not become certain of everything (naive Bayes counts correlated words as independent
//! evidence), and turned into a probability.

use rustc_hash::FxHashMap;

/// Add-α smoothing.
const ALPHA: f64 = 0.5;

/// One training unit as the model sees it: feature ids, and indicator positions.
pub(crate) struct Row<'a> {
    pub features: &'a [u32],
    pub codes: &'a [usize],
    pub rejected: &'a [usize],
}

#[derive(Debug, Clone, Default)]
struct PerIndicator {
    positives: f64,
    negatives: f64,
    /// Units coded with the indicator that have the feature.
    with: FxHashMap<u32, f64>,
    /// Units where the indicator was rejected that have the feature.
    rejected: FxHashMap<u32, f64>,
    rejected_units: f64,
    ln_with_denominator: f64,
    ln_without_denominator: f64,
    prior: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    per: Vec<PerIndicator>,
    /// Units that have each feature (all training units).
    all: Vec<f64>,
}

/// What the model says about one indicator for one unit.
pub(crate) struct Verdict {
    pub probability: f64,
    /// The unit's features that speak most for the indicator, strongest first.
    pub words: Vec<u32>,
}

impl Model {
    pub fn train(indicators: usize, vocabulary: usize, rows: &[Row]) -> Self {
        let mut per = vec![PerIndicator::default(); indicators];
        let mut all = vec![0.0f64; vocabulary];
        let mut all_tokens = 0.0;
        let mut with_tokens = vec![0.0f64; indicators];
        let mut rejected_tokens = vec![0.0f64; indicators];
        for row in rows {
            let n = row.features.len() as f64;
            all_tokens += n;
            for &f in row.features {
                all[f as usize] += 1.0;
            }
            for &c in row.codes {
                let p = &mut per[c];
                p.positives += 1.0;
                with_tokens[c] += n;
                for &f in row.features {
                    *p.with.entry(f).or_insert(0.0) += 1.0;
                }
            }
            for &c in row.rejected {
                if row.codes.contains(&c) {
                    continue;
                }
                let p = &mut per[c];
                p.rejected_units += 1.0;
                rejected_tokens[c] += n;
                for &f in row.features {
                    *p.rejected.entry(f).or_insert(0.0) += 1.0;
                }
            }
        }
        let units = rows.len() as f64;
        let v = vocabulary.max(1) as f64;
        for (c, p) in per.iter_mut().enumerate() {
            p.negatives = units - p.positives + p.rejected_units;
            let without_tokens = all_tokens - with_tokens[c] + rejected_tokens[c];
            p.ln_with_denominator = (with_tokens[c] + ALPHA * v).ln();
            p.ln_without_denominator = (without_tokens + ALPHA * v).ln();
            p.prior = ((p.positives + 0.5) / (p.negatives + 0.5)).ln();
        }
        Self { per, all }
    }

    /// How many training units were coded with the indicator.
    pub fn positives(&self, indicator: usize) -> f64 {
        self.per.get(indicator).map_or(0.0, |p| p.positives)
    }

    pub fn verdict(&self, indicator: usize, features: &[u32]) -> Option<Verdict> {
        let p = self.per.get(indicator)?;
        if p.positives == 0.0 {
            return None;
        }
        let mut sum = 0.0;
        let mut known = 0usize;
        let mut best: Vec<(f64, u32)> = Vec::new();
        for &f in features {
            let Some(&all) = self.all.get(f as usize) else {
                continue;
            };
            if all == 0.0 {
                continue;
            }
            known += 1;
            let with = p.with.get(&f).copied().unwrap_or(0.0);
            let without = all - with + p.rejected.get(&f).copied().unwrap_or(0.0);
            let llr = ((with + ALPHA).ln() - p.ln_with_denominator)
                - ((without + ALPHA).ln() - p.ln_without_denominator);
            sum += llr;
            if with > 0.0 && llr > 0.0 {
                best.push((llr * with.sqrt(), f));
            }
        }
        if known == 0 {
            return None;
        }
        let z = p.prior + sum / (known as f64).sqrt();
        best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Some(Verdict {
            probability: 1.0 / (1.0 + (-z).exp()),
            words: best.into_iter().take(3).map(|(_, f)| f).collect(),
        })
    }
}
