//! The result type of every statistic: a number, or the reason why there is none.

use serde::{Serialize, Serializer};

use super::alpha::Metric;
use super::data::ValueKind;

/// A statistic's value, or why the data leave it undefined.
///
/// Statistics never return NaN or infinity and never panic on degenerate data: they return
/// `Err(Undefined)` instead. In reports an undefined statistic is written as `null`.
pub type Stat = Result<f64, Undefined>;

/// Why a statistic has no value for the given data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Undefined {
    /// No unit has values from two coders, so no pair of values can be compared.
    #[error("fewer than two pairable values: no unit was coded by two or more coders")]
    NoPairableValues,
    /// Expected disagreement (or 1 − chance agreement) is zero: the pairable values show no
    /// variation, for example because every coder used the same single category throughout.
    #[error("no variation: all compared values are the same, so chance-corrected agreement is 0/0")]
    NoVariation,
    /// The statistic compares exactly two coders.
    #[error("needs exactly two coders, the data have {0}")]
    NotTwoCoders(usize),
    /// The statistic needs at least two coders.
    #[error("needs at least two coders, the data have {0}")]
    TooFewCoders(usize),
    /// The statistic needs a 2 × 2 table.
    #[error("needs exactly two categories (a 2 × 2 table), the data have {0}")]
    NotTwoCategories(usize),
    /// The two coders compared have no unit that both coded.
    #[error("no unit was coded by both coders")]
    NoCommonUnits,
    /// Fewer than two categories exist, so chance agreement `1/k` is 1 or undefined.
    #[error("needs at least two categories")]
    TooFewCategories,
    /// Weights for ordered categories were asked of unordered (label or set) values.
    #[error("weights (linear, quadratic) need ordered (numeric) categories")]
    UnorderedCategories,
    /// The metric does not apply to the kind of values in the data.
    #[error("the {metric} metric does not apply to {kind} values")]
    WrongValueKind {
        /// The metric asked for.
        metric: Metric,
        /// The kind of values the data hold.
        kind: ValueKind,
    },
    /// The ratio metric was asked of data with a negative value.
    #[error("the ratio metric needs values of 0 or more")]
    NegativeRatioValue,
    /// No bootstrap replicate produced a defined alpha (or zero replicates were asked for).
    #[error("no bootstrap replicate gave a defined alpha")]
    NoDefinedReplicates,
    /// The sums behind the statistic left the range of floating-point numbers, even with the
    /// values rescaled (only with astronomically many values).
    #[error(
        "values too large to compare: the sums of their differences exceed the largest floating-point number"
    )]
    TooLarge,
}

impl Serialize for Undefined {
    /// Serialized as its human-readable message.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Serializes a [`Stat`] as a number, or `null` when undefined.
pub(crate) fn serialize_stat<S: Serializer>(stat: &Stat, serializer: S) -> Result<S::Ok, S::Error> {
    match stat {
        Ok(value) => serializer.serialize_f64(*value),
        Err(_) => serializer.serialize_none(),
    }
}

/// The largest power of two not above `max` (`1` when `max` is 0, negative or not finite).
///
/// Dividing numbers of magnitude at most `max` by it keeps them in `[-2, 2]`, so their
/// differences, sums and squares neither overflow (values near ±1.8e308) nor vanish (subnormal
/// values near 5e-324). Division by a power of two is exact, so statistics that are invariant
/// under a change of scale (interval and ratio alpha, weighted kappa) come out bit for bit as
/// they would without it, wherever that arithmetic stayed in range.
pub(crate) fn power_of_two_scale(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let bits = max.to_bits();
    let exponent = bits >> 52;
    if exponent == 0 {
        // Subnormal: its highest set bit is the power of two.
        f64::from_bits(1 << (63 - bits.leading_zeros()))
    } else {
        f64::from_bits(exponent << 52)
    }
}

/// `numerator / denominator` when the denominator is positive, the given reason otherwise;
/// [`Undefined::TooLarge`] when either is not finite (the sums overflowed).
pub(crate) fn ratio(numerator: f64, denominator: f64, otherwise: Undefined) -> Stat {
    if !(numerator.is_finite() && denominator.is_finite()) {
        return Err(Undefined::TooLarge);
    }
    if denominator > 0.0 {
        Ok(numerator / denominator)
    } else {
        Err(otherwise)
    }
}
