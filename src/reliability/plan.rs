//! How many units to double-code: the minimum sample size for a reliability test.

use serde::Serialize;

use super::distribution::normal_quantile;

/// The plan's inputs were out of range.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The smallest acceptable alpha is not strictly between 0 and 1.
    #[error("the smallest acceptable alpha must be above 0 and below 1, such as 0.8; got {0}")]
    Alpha(f64),
    /// The level of significance is not strictly between 0 and 0.5.
    #[error("the level of significance must be above 0 and below 0.5, such as 0.05; got {0}")]
    Significance(f64),
    /// The smallest category proportion is not strictly between 0 and 1.
    #[error(
        "the prevalence (the proportion of the rarest category) must be above 0 and below 1, \
         such as 0.1; got {0}"
    )]
    Prevalence(f64),
}

/// The minimum number of units for a reliability test with two coders.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SamplePlan {
    /// The smallest alpha acceptable, `α_min`.
    pub alpha: f64,
    /// The level of significance `p` at which alpha must not fall below `α_min`.
    pub significance: f64,
    /// The estimated proportion of the rarest category, `p_c`.
    pub prevalence: f64,
    /// The one-tailed standard normal quantile `z` for `significance`.
    pub z: f64,
    /// The unrounded `N`.
    pub exact: f64,
    /// `N` rounded up: the units both coders must code.
    pub units: u64,
}

/// Krippendorff's minimum number of units coded by two coders (Krippendorff 2004, *Content
/// Analysis*, 2nd ed., §11.4.4 and Table 11.4; 2013, 3rd ed., §12.4.4), after Bloch & Kraemer
/// (1989, eq. 3.7):
///
/// ```text
/// N = 2 z² · ( (1 + α_min)(3 − α_min) / (4 (1 − α_min) p_c (1 − p_c)) − α_min )
/// ```
///
/// with `z` the one-tailed standard normal quantile for `significance` and `p_c` the
/// proportion of the rarest category (for presence/absence of an indicator, its prevalence).
pub fn sample_plan(
    alpha: f64,
    significance: f64,
    prevalence: f64,
) -> Result<SamplePlan, PlanError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(PlanError::Alpha(alpha));
    }
    if !(significance > 0.0 && significance < 0.5) {
        return Err(PlanError::Significance(significance));
    }
    if !(prevalence > 0.0 && prevalence < 1.0) {
        return Err(PlanError::Prevalence(prevalence));
    }
    let z = normal_quantile(1.0 - significance);
    let spread =
        (1.0 + alpha) * (3.0 - alpha) / (4.0 * (1.0 - alpha) * prevalence * (1.0 - prevalence));
    let exact = 2.0 * z * z * (spread - alpha);
    Ok(SamplePlan {
        alpha,
        significance,
        prevalence,
        z,
        exact,
        // Rounding up a tiny float excess (139.0000000001) would add a unit.
        units: (exact - 1e-9).ceil() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_inputs_are_refused() {
        assert_eq!(sample_plan(1.0, 0.05, 0.5), Err(PlanError::Alpha(1.0)));
        assert_eq!(
            sample_plan(0.8, 0.5, 0.5),
            Err(PlanError::Significance(0.5))
        );
        assert_eq!(sample_plan(0.8, 0.05, 0.0), Err(PlanError::Prevalence(0.0)));
        assert!(sample_plan(f64::NAN, 0.05, 0.5).is_err());
    }

    #[test]
    fn rarer_categories_need_more_units() {
        let common = sample_plan(0.8, 0.05, 0.5).unwrap().units;
        let rare = sample_plan(0.8, 0.05, 0.02).unwrap().units;
        assert!(rare > 10 * common, "{common} {rare}");
        // p_c and 1 − p_c are the same design.
        assert_eq!(
            sample_plan(0.8, 0.05, 0.9).unwrap().units,
            sample_plan(0.8, 0.05, 0.1).unwrap().units
        );
    }
}
