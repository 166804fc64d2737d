//! The serializable reports of `normcode agree`.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::agreement::{
    KappaWeights, bennett_s_from, cohen_kappa, distinct_values, fleiss_kappa_in,
    percent_agreement_in, scott_pi,
};
use super::alpha::{Metric, Pairable, alpha_detail_in, observed_agreement_in};
use super::data::ReliabilityData;
use super::gwet::{GwetAc, Interval, UnitCounts, conger_kappa_in, gwet_ac_in};
use super::pairwise::{
    CoderPair, PairCodings, coder_pairs_in, holsti_in, light_kappa_in, prevalence_bias,
};
use super::reader::{CodingsCsv, CsvError, SpansCsv};
use super::stat::{Stat, Undefined, serialize_stat};
use super::unitizing::{CategoryAlpha, Continuum};

/// The report of `normcode agree --data FILE.csv [--metric …]`.
///
/// Every statistic is a number, or `null` when undefined; `undefined` then says why, by key.
/// Every key is always present. Agreement coefficients other than alpha compare values for
/// equality (numbers and sets as nominal categories).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataReport {
    /// Units, including units whose values are all missing.
    pub units: usize,
    /// Coders.
    pub coders: usize,
    /// Non-missing values.
    pub codings: usize,
    /// Units with at least two values.
    pub pairable_units: usize,
    /// Values in pairable units (Krippendorff's `n`).
    pub pairable_values: usize,
    /// Distinct values used.
    pub categories: usize,
    /// Mean pairwise agreement over pairable units, each unit weighted equally
    /// ([`percent_agreement`](super::percent_agreement)).
    #[serde(serialize_with = "serialize_stat")]
    pub percent_agreement: Stat,
    /// Krippendorff's `1 − D_o`, nominal, each unit weighted by its pairable values
    /// ([`observed_agreement`](super::observed_agreement)).
    #[serde(serialize_with = "serialize_stat")]
    pub observed_agreement: Stat,
    /// The metric of `krippendorff_alpha`.
    pub metric: Metric,
    /// Krippendorff's alpha with `metric`.
    #[serde(serialize_with = "serialize_stat")]
    pub krippendorff_alpha: Stat,
    /// Fleiss' kappa over the units with the most common number of values
    /// ([`fleiss_kappa`](super::fleiss_kappa)).
    #[serde(serialize_with = "serialize_stat")]
    pub fleiss_kappa: Stat,
    /// Units used by Fleiss' kappa (0 when it is undefined).
    pub fleiss_units: usize,
    /// Bennett, Alpert & Goldstein's S with `k` = `categories`.
    #[serde(serialize_with = "serialize_stat")]
    pub bennett_s: Stat,
    /// Cohen's kappa, two coders only.
    #[serde(serialize_with = "serialize_stat")]
    pub cohen_kappa: Stat,
    /// Cohen's kappa with linear weights, two coders and numeric values only.
    #[serde(serialize_with = "serialize_stat")]
    pub cohen_kappa_linear: Stat,
    /// Cohen's kappa with quadratic weights, two coders and numeric values only.
    #[serde(serialize_with = "serialize_stat")]
    pub cohen_kappa_quadratic: Stat,
    /// Scott's pi, two coders only.
    #[serde(serialize_with = "serialize_stat")]
    pub scott_pi: Stat,
    /// Holsti's coefficient, the mean over coder pairs.
    #[serde(serialize_with = "serialize_stat")]
    pub holsti: Stat,
    /// Gwet's AC1.
    #[serde(serialize_with = "serialize_stat")]
    pub gwet_ac1: Stat,
    /// Gwet's AC2 with linear weights, numeric values only.
    #[serde(serialize_with = "serialize_stat")]
    pub gwet_ac2_linear: Stat,
    /// Gwet's AC2 with quadratic weights, numeric values only.
    #[serde(serialize_with = "serialize_stat")]
    pub gwet_ac2_quadratic: Stat,
    /// Conger's kappa, any number of coders.
    #[serde(serialize_with = "serialize_stat")]
    pub conger_kappa: Stat,
    /// Light's kappa: mean pairwise Cohen's kappa.
    #[serde(serialize_with = "serialize_stat")]
    pub light_kappa: Stat,
    /// Prevalence-adjusted bias-adjusted kappa, two coders only.
    #[serde(serialize_with = "serialize_stat")]
    pub pabak: Stat,
    /// Byrt et al.'s prevalence index, two coders and two categories only.
    #[serde(serialize_with = "serialize_stat")]
    pub prevalence_index: Stat,
    /// Byrt et al.'s bias index, two coders and two categories only.
    #[serde(serialize_with = "serialize_stat")]
    pub bias_index: Stat,
    /// Standard error and 95 % confidence interval of each Gwet coefficient, by key (`null` when
    /// the coefficient is undefined or there is only one unit).
    pub intervals: BTreeMap<&'static str, Option<Interval>>,
    /// Every pair of coders: units in common, percent agreement, alpha (with `metric`) and
    /// Cohen's kappa.
    pub coder_pairs: Vec<CoderPair>,
    /// Why each `null` statistic is undefined, by key.
    pub undefined: BTreeMap<&'static str, Undefined>,
}

/// The report for a `unit,coder,value` file: reads its values as `metric` needs (see
/// [`CodingsCsv::to_data`]) and computes every statistic.
pub fn data_report(csv: &CodingsCsv, metric: Metric) -> Result<DataReport, CsvError> {
    Ok(DataReport::from_data(&csv.to_data(metric)?, metric))
}

impl DataReport {
    /// The report for a matrix.
    pub fn from_data(data: &ReliabilityData, metric: Metric) -> Self {
        let pairable = Pairable::new(data);
        let fleiss = fleiss_kappa_in(data, &pairable);
        let percent_agreement = percent_agreement_in(&pairable);
        let categories = distinct_values(data);
        let weighted = |weights| {
            if data.n_coders() == 2 {
                cohen_kappa(data, weights)
            } else {
                Err(Undefined::NotTwoCoders(data.n_coders()))
            }
        };
        let unit_counts = UnitCounts::new(data);
        let gwet = |weights| gwet_ac_in(data, &unit_counts, weights);
        let (ac1, linear, quadratic) = (
            gwet(KappaWeights::Unweighted),
            gwet(KappaWeights::Linear),
            gwet(KappaWeights::Quadratic),
        );
        let coefficient = |g: &Result<GwetAc, Undefined>| g.map(|g| g.coefficient);
        let intervals = [
            ("gwet_ac1", &ac1),
            ("gwet_ac2_linear", &linear),
            ("gwet_ac2_quadratic", &quadratic),
        ]
        .into_iter()
        .map(|(key, g)| (key, g.ok().and_then(|g| g.interval)))
        .collect();
        let paradox = if data.n_coders() == 2 {
            prevalence_bias(data)
        } else {
            let why = Err(Undefined::NotTwoCoders(data.n_coders()));
            super::pairwise::PrevalenceBias {
                pabak: why,
                prevalence_index: why,
                bias_index: why,
            }
        };
        let pair_codings = PairCodings::new(data);
        let coder_pairs = coder_pairs_in(data, &pair_codings, metric);
        let mut report = Self {
            units: data.n_units(),
            coders: data.n_coders(),
            codings: data.n_codings(),
            pairable_units: pairable.len(),
            pairable_values: pairable.n_values(),
            categories,
            percent_agreement,
            observed_agreement: observed_agreement_in(&pairable),
            metric,
            krippendorff_alpha: alpha_detail_in(data, &pairable, metric).map(|d| d.alpha),
            fleiss_kappa: fleiss.map(|f| f.kappa),
            fleiss_units: fleiss.map_or(0, |f| f.units),
            bennett_s: bennett_s_from(percent_agreement, categories),
            cohen_kappa: cohen_kappa(data, KappaWeights::Unweighted),
            cohen_kappa_linear: weighted(KappaWeights::Linear),
            cohen_kappa_quadratic: weighted(KappaWeights::Quadratic),
            scott_pi: scott_pi(data),
            holsti: holsti_in(data, &pair_codings),
            gwet_ac1: coefficient(&ac1),
            gwet_ac2_linear: coefficient(&linear),
            gwet_ac2_quadratic: coefficient(&quadratic),
            conger_kappa: conger_kappa_in(data, &unit_counts),
            light_kappa: light_kappa_in(data, &coder_pairs),
            pabak: paradox.pabak,
            prevalence_index: paradox.prevalence_index,
            bias_index: paradox.bias_index,
            intervals,
            coder_pairs,
            undefined: BTreeMap::new(),
        };
        let stats = [
            ("percent_agreement", report.percent_agreement),
            ("observed_agreement", report.observed_agreement),
            ("krippendorff_alpha", report.krippendorff_alpha),
            ("fleiss_kappa", report.fleiss_kappa),
            ("bennett_s", report.bennett_s),
            ("cohen_kappa", report.cohen_kappa),
            ("cohen_kappa_linear", report.cohen_kappa_linear),
            ("cohen_kappa_quadratic", report.cohen_kappa_quadratic),
            ("scott_pi", report.scott_pi),
            ("holsti", report.holsti),
            ("gwet_ac1", report.gwet_ac1),
            ("gwet_ac2_linear", report.gwet_ac2_linear),
            ("gwet_ac2_quadratic", report.gwet_ac2_quadratic),
            ("conger_kappa", report.conger_kappa),
            ("light_kappa", report.light_kappa),
            ("pabak", report.pabak),
            ("prevalence_index", report.prevalence_index),
            ("bias_index", report.bias_index),
        ];
        report.undefined = stats
            .into_iter()
            .filter_map(|(key, stat)| stat.err().map(|why| (key, why)))
            .collect();
        report
    }
}

/// The report of `normcode agree --spans FILE.csv --continuum BEGIN:END`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanReport {
    /// The continuum.
    pub continuum: Continuum,
    /// Coders, `m`.
    pub coders: usize,
    /// Categories.
    pub categories: usize,
    /// Spans.
    pub spans: usize,
    /// Krippendorff's unitizing alpha over all categories, or `null`.
    #[serde(serialize_with = "serialize_stat")]
    pub krippendorff_alpha_u: Stat,
    /// Each category's unitizing alpha (number or `null`), by category name.
    #[serde(serialize_with = "serialize_stat_map")]
    pub by_category: BTreeMap<String, Stat>,
    /// Each category's `αU`, `D_o`, `D_e` and number of spans.
    pub category_details: BTreeMap<String, CategoryAlpha>,
    /// Why each `null` is undefined: `krippendorff_alpha_u`, or a category's name.
    pub undefined: BTreeMap<String, Undefined>,
}

/// The unitizing report for a `coder,begin,length,category` file on `continuum`; span errors
/// are reported by line.
pub fn span_report(csv: &SpansCsv, continuum: Continuum) -> Result<SpanReport, CsvError> {
    let alpha = csv.unitizing_alpha(continuum)?;
    let mut undefined = BTreeMap::new();
    if let Err(why) = alpha.overall {
        undefined.insert("krippendorff_alpha_u".to_owned(), why);
    }
    for (category, detail) in &alpha.by_category {
        if let Err(why) = detail.alpha {
            undefined.insert(category.clone(), why);
        }
    }
    Ok(SpanReport {
        continuum,
        coders: alpha.coders,
        categories: alpha.by_category.len(),
        spans: csv.data().spans().len(),
        krippendorff_alpha_u: alpha.overall,
        by_category: alpha
            .by_category
            .iter()
            .map(|(name, detail)| (name.clone(), detail.alpha))
            .collect(),
        category_details: alpha.by_category,
        undefined,
    })
}

fn serialize_stat_map<S: Serializer>(
    map: &BTreeMap<String, Stat>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter().map(|(k, v)| (k, v.as_ref().ok())))
}
