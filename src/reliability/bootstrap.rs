//! A seeded bootstrap confidence interval for Krippendorff's alpha.

use serde::Serialize;

use super::alpha::{Metric, Pairable, weighted_alpha};
use super::data::ReliabilityData;
use super::stat::Undefined;

/// SplitMix64 (Steele, Lea & Flood 2014, *Fast splittable pseudorandom number generators*; the
/// constants of Vigna's reference `splitmix64.c`).
///
/// Small, fast and fully specified, so a seed gives the same stream on every platform and in
/// every version of normcode: bootstrap intervals are reproducible. Not for cryptography.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`), by Lemire's multiply-shift (bias below
    /// `bound / 2^64`, negligible for any data set).
    pub fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }
}

/// Settings of [`alpha_bootstrap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapConfig {
    /// The number of bootstrap samples.
    pub replicates: usize,
    /// The seed of the [`SplitMix64`] stream.
    pub seed: u64,
    /// The confidence level of the interval, such as `0.95` (clamped to `[0, 1]`; NaN is read
    /// as `0.95`).
    pub level: f64,
}

impl Default for BootstrapConfig {
    /// 1,000 replicates, seed 0, 95 %.
    fn default() -> Self {
        Self {
            replicates: 1000,
            seed: 0,
            level: 0.95,
        }
    }
}

/// Alpha with a bootstrap percentile interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaBootstrap {
    /// Alpha on the data themselves.
    pub alpha: f64,
    /// The lower bound of the interval.
    pub lower: f64,
    /// The upper bound of the interval.
    pub upper: f64,
    /// The confidence level.
    pub level: f64,
    /// Replicates drawn.
    pub replicates: usize,
    /// Replicates whose alpha was defined (the others, with no variation, are left out).
    pub defined_replicates: usize,
    #[serde(skip)]
    samples: Vec<f64>,
}

impl AlphaBootstrap {
    /// The share of defined replicates whose alpha is below `threshold`: an estimate of the
    /// probability that alpha falls short of a required minimum such as 0.800 or 0.667.
    pub fn share_below(&self, threshold: f64) -> f64 {
        let below = self.samples.partition_point(|&a| a < threshold);
        below as f64 / self.samples.len() as f64
    }

    /// The defined replicates' alphas, sorted ascending.
    pub fn samples(&self) -> &[f64] {
        &self.samples
    }
}

/// A nonparametric bootstrap interval for Krippendorff's alpha: the pairable units are resampled
/// with replacement (`N` draws for `N` pairable units), alpha is computed on each replicate, and
/// the interval is the `(1 − level)/2` and `(1 + level)/2` quantiles of the defined replicates
/// (percentile method, quantiles interpolated linearly between order statistics, as R's default
/// `quantile(type = 7)`).
///
/// Resampling units keeps each unit's values together, so the dependence of values within units
/// is respected (Efron & Tibshirani 1993, ch. 13). This is not the algorithm of Hayes &
/// Krippendorff's KALPHA macro, which resamples pairs of values; intervals differ from KALPHA's.
/// The same data, metric and config always give the same result.
///
/// Undefined when alpha itself is, or when no replicate gives a defined alpha.
pub fn alpha_bootstrap(
    data: &ReliabilityData,
    metric: Metric,
    config: &BootstrapConfig,
) -> Result<AlphaBootstrap, Undefined> {
    let pairable = Pairable::new(data);
    let alpha = weighted_alpha(data, &pairable, metric, None)?;
    let mut rng = SplitMix64::new(config.seed);
    let units = pairable.len();
    let mut weights = vec![0u32; units];
    let mut samples = Vec::with_capacity(config.replicates);
    for _ in 0..config.replicates {
        weights.fill(0);
        for _ in 0..units {
            weights[rng.below(units)] += 1;
        }
        if let Ok(a) = weighted_alpha(data, &pairable, metric, Some(&weights)) {
            samples.push(a);
        }
    }
    if samples.is_empty() {
        return Err(Undefined::NoDefinedReplicates);
    }
    samples.sort_by(f64::total_cmp);
    let level = if config.level.is_nan() {
        0.95
    } else {
        config.level.clamp(0.0, 1.0)
    };
    Ok(AlphaBootstrap {
        alpha,
        lower: quantile(&samples, (1.0 - level) / 2.0),
        upper: quantile(&samples, (1.0 + level) / 2.0),
        level,
        replicates: config.replicates,
        defined_replicates: samples.len(),
        samples,
    })
}

/// The `p` quantile of sorted, non-empty `xs`, interpolating linearly (R's type 7).
fn quantile(xs: &[f64], p: f64) -> f64 {
    let h = (xs.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_stream() {
        // Seed 1234567, the test vector of Vigna's splitmix64.c as used by the `rand` crates.
        let mut rng = SplitMix64::new(1_234_567);
        let expected = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(7);
        assert!((0..10_000).all(|_| rng.below(13) < 13));
    }

    #[test]
    fn quantiles_interpolate() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert_eq!(quantile(&xs, 1.0), 5.0);
        assert_eq!(quantile(&xs, 0.125), 1.5);
    }
}
