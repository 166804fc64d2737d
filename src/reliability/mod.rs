//! Intercoder reliability statistics.
//!
//! Everything here is a pure function of the data, written by hand (no statistics crates), except
//! the [`reader`] module, which reads the two CSV formats of `normcode agree`.
//!
//! # Data model
//!
//! [`ReliabilityData`] is a reliability matrix of *units × coders* with missing values. Every
//! value is interned to a `u32` id, and the matrix is stored sparsely, unit by unit, so memory is
//! linear in the number of codings and a million codings take a few megabytes. A matrix holds one
//! [`ValueKind`]: category labels, numbers, or sets of labels (set-valued units, such as a text
//! unit coded with several codes).
//!
//! # Statistics
//!
//! | function | statistic |
//! |---|---|
//! | [`percent_agreement`] | mean pairwise agreement over units with at least two values |
//! | [`observed_agreement`] | Krippendorff's observed agreement `1 − D_o` (nominal) |
//! | [`holsti`] | Holsti's coefficient `2M / (N1 + N2)`, mean over coder pairs |
//! | [`cohen_kappa`] | Cohen's kappa, unweighted or with linear / quadratic weights |
//! | [`scott_pi`] | Scott's pi |
//! | [`fleiss_kappa`] | Fleiss' kappa |
//! | [`bennett_s`] | Bennett, Alpert & Goldstein's S (Brennan & Prediger's kappa_n) |
//! | [`gwet_ac`] | Gwet's AC1 and AC2 with standard error and confidence interval |
//! | [`conger_kappa`] | Conger's kappa for any number of coders |
//! | [`light_kappa`] | Light's kappa: mean pairwise Cohen's kappa |
//! | [`coder_pairs`] | percent agreement, alpha and Cohen's kappa of every pair of coders |
//! | [`prevalence_bias`] | PABAK, prevalence and bias index for two coders (the kappa paradox) |
//! | [`krippendorff_alpha`] | Krippendorff's alpha, [`Metric`] nominal / ordinal / interval / ratio / MASI |
//! | [`alpha_bootstrap`] | a seeded unit-bootstrap confidence interval for alpha |
//! | [`sample_plan`] | Krippendorff's minimum number of units to double-code |
//! | [`unitizing_alpha`] | Krippendorff's unitizing alpha `αU` for spans on a continuum |
//!
//! A statistic that has no value for the data at hand (no variation, fewer than two pairable
//! values, not two coders, …) is `Err(`[`Undefined`]`)` with the reason: never NaN, never a panic.
//!
//! # Reports
//!
//! [`data_report`] and [`span_report`] compute the serializable [`DataReport`] and
//! [`SpanReport`] behind `normcode agree --data` and `normcode agree --spans`.

mod agreement;
mod alpha;
mod bootstrap;
mod data;
mod distribution;
mod gwet;
mod hash;
mod pairwise;
mod plan;
pub mod reader;
mod report;
mod stat;
mod unitizing;

pub use agreement::{
    ContingencyTable, FleissKappa, KappaWeights, bennett_s, cohen_kappa, contingency_table,
    fleiss_kappa, percent_agreement, scott_pi,
};
pub use alpha::{
    AlphaDetail, Metric, UnknownMetric, alpha_detail, krippendorff_alpha, masi_distance,
    observed_agreement,
};
pub use bootstrap::{AlphaBootstrap, BootstrapConfig, SplitMix64, alpha_bootstrap};
pub use data::{Cell, Coding, DataBuilder, DataError, ReliabilityData, ValueKind};
pub use gwet::{CONFIDENCE_LEVEL, GwetAc, Interval, conger_kappa, gwet_ac};
pub use pairwise::{CoderPair, PrevalenceBias, coder_pairs, holsti, light_kappa, prevalence_bias};
pub use plan::{PlanError, SamplePlan, sample_plan};
pub use reader::{CodingsCsv, CsvError, SpansCsv};
pub use report::{DataReport, SpanReport, data_report, span_report};
pub use stat::{Stat, Undefined};
pub use unitizing::{
    CategoryAlpha, Continuum, Span, SpanData, SpanError, UnitizingAlpha, unitizing_alpha,
};
