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
    /// The two coders compared have no unit that both coded.
    #[error("no unit was coded by both coders")]
    NoCommonUnits,
    /// Fewer than two categories exist, so chance agreement `1/k` is 1 or undefined.
    #[error("needs at least two categories")]
    TooFewCategories,
    /// Weights for ordered categories were asked of unordered (label or set) values.
    #[error("weighted kappa needs ordered (numeric) categories")]
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

/// `numerator / denominator` when the denominator is positive, the given reason otherwise.
pub(crate) fn ratio(numerator: f64, denominator: f64, otherwise: Undefined) -> Stat {
    if denominator > 0.0 && numerator.is_finite() && denominator.is_finite() {
        Ok(numerator / denominator)
    } else {
        Err(otherwise)
    }
}
