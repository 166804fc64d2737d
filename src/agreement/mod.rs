//! Agreement between coder files: the tables behind `normcode agree` and the review screen.
//!
//! # Which documents
//!
//! Coders are compared on the documents that **every** compared coder has marked `done`
//! ([`adjudication::compared_documents`]). In a document a coder has not finished, an uncoded unit
//! means "not coded yet", not "absent", so such a document is left out entirely and reported in
//! [`AgreementTable::left_out_documents`] with each unfinished coder's status. Orphaned
//! annotations (those that could not be re-anchored after an edit) count nowhere.
//!
//! # Levels
//!
//! - [`Level::Unit`]: each text unit of the compared documents is a recording unit. For each
//!   indicator, each coder's value on each unit is *present* (the coder gave the indicator to the
//!   unit, whole or in a span inside it) or *absent*. The overall row takes all the codes a coder
//!   gave a unit as **one set-valued code** and compares the sets with Krippendorff's alpha under
//!   the MASI distance ([`Metric::Masi`]); its percent agreement is the share of units on which
//!   the coders' code sets are identical.
//! - [`Level::Document`]: each compared document is a unit, and an indicator is present when the
//!   coder gave it anywhere in the document: the classic indicators × documents design of
//!   content analysis. The overall row **pools** presence/absence over every (indicator,
//!   document) pair of the indicators in the table.
//! - [`Level::Span`]: Krippendorff's unitizing alpha `αU` per indicator
//!   ([`reliability::unitizing_alpha`]). The continuum is the **concatenation** of the compared
//!   documents' bodies in corpus order: each document's code points `[0, len)` are shifted by the
//!   total length of the documents before it, so no span crosses a document boundary and the
//!   expected disagreement is that of the whole compared text. A span annotation is its code-point
//!   range; a whole-unit annotation is a span covering the unit's range. A coder's spans of the
//!   same indicator that overlap (a whole-unit code plus a span inside the same unit) are merged
//!   into one; spans that merely touch stay two. Percent agreement is the share of code points
//!   on which the coders agree about the indicator's presence (mean pairwise with more than two
//!   coders). The overall row is `αU` over all indicators, `1 − Σ D_o / Σ D_e`, and the mean of
//!   the rows' percent agreement (code points × indicators, pooled).
//!
//! # Rows
//!
//! One [`IndicatorRow`] per indicator that at least one compared coder used in the compared
//! documents, in codebook order (codes the codebook does not know come last, labelled as such).
//! Indicators nobody used are **omitted** from the rows and listed in
//! [`AgreementTable::unused`] (retired indicators are not listed). Each row has the number of
//! units, how many of them each coder coded, percent agreement, Cohen's kappa with two coders or
//! Fleiss' kappa with more ([`KappaKind`]), Scott's pi with two coders, and Krippendorff's
//! alpha (nominal on presence/absence; `αU` at the span level). A statistic without a value is a
//! [`Value`] `Err` holding the reason (no variation, a statistic for two coders only, …): "n/a"
//! in the table, `null` in JSON with the reason under `undefined`.
//!
//! A row is flagged when its alpha is below [`AgreementTable::threshold`], by default
//! [`DEFAULT_THRESHOLD`] (.667, Krippendorff's floor for tentative conclusions; he asks for
//! [`FIRM_THRESHOLD`], .800, for firm ones).

mod assist;
mod calculator;
mod diagnose;
mod drift;
mod gold;
mod methods;
mod plan;
mod render;
mod spans;

use std::collections::{BTreeSet, HashMap};

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::adjudication::{self, Disagreement};
use crate::annotations::{CoderFile, Status};
use crate::corpus::{DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result};
use crate::project::Project;
use crate::reliability::{
    AlphaBootstrap, BootstrapConfig, CoderPair, DataBuilder, KappaWeights, Metric, ReliabilityData,
    Stat, ValueKind, alpha_bootstrap, coder_pairs, cohen_kappa, fleiss_kappa, krippendorff_alpha,
    percent_agreement, scott_pi,
};

pub use assist::{AssistGroup, AssistReport, by_assist, render_by_assist};
pub use calculator::{
    render_data_report, render_data_report_csv, render_plan, render_plan_csv, render_span_report,
    render_span_report_csv,
};
pub use diagnose::{Confusion, EXTREME_PREVALENCE, Presence, TwoByTwo, render_diagnostics};
pub use drift::{Batch, DriftReport, drift, render_drift, render_drift_csv};
pub use gold::{
    CoderResult, GOLD_THRESHOLD, GoldReport, GoldRow, Scores, gold_report, render_gold,
    render_gold_csv,
};
pub use methods::{Lang, apa, methods_text};
pub use plan::{PlanCheck, Rarest, plan_check, render_plan_check};
pub use render::{render_csv, render_disagreements, render_disagreements_csv, render_table};

/// Krippendorff's floor for drawing tentative conclusions from data: alpha ≥ .667.
pub const DEFAULT_THRESHOLD: f64 = 0.667;
/// Krippendorff's customary requirement for firm conclusions: alpha ≥ .800.
pub const FIRM_THRESHOLD: f64 = 0.800;

/// A statistic in an agreement table: its value, or why it has none (undefined for these data,
/// or not computed at this level or for this number of coders).
pub type Value = std::result::Result<f64, String>;

fn value(stat: Stat) -> Value {
    stat.map_err(|why| why.to_string())
}

/// What the coders' codings are compared on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Presence of each indicator on each text unit; overall: code sets per unit (MASI).
    #[default]
    Unit,
    /// Presence of each indicator anywhere in each document; overall: pooled.
    Document,
    /// Unitizing alpha on the spans, the documents' text concatenated into one continuum.
    Span,
}

impl Level {
    /// `unit`, `document` or `span`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unit => "unit",
            Self::Document => "document",
            Self::Span => "span",
        }
    }
}

/// Which kappa a table's `kappa` column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KappaKind {
    /// Cohen's kappa: exactly two coders.
    Cohen,
    /// Fleiss' kappa: three or more coders.
    Fleiss,
}

impl KappaKind {
    fn for_coders(coders: usize) -> Self {
        if coders == 2 {
            Self::Cohen
        } else {
            Self::Fleiss
        }
    }

    /// `Cohen's kappa` or `Fleiss' kappa`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cohen => "Cohen's kappa",
            Self::Fleiss => "Fleiss' kappa",
        }
    }
}

/// The statistics of one row (an indicator, or the overall row).
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Units the statistics are computed on: text units, documents, (indicator, document)
    /// pairs, or spans at the span level.
    pub units: usize,
    /// For each coder (in [`AgreementTable::coders`] order): the units (documents, spans) the
    /// coder gave the indicator.
    pub coded: Vec<usize>,
    /// Percent agreement as a proportion (mean pairwise agreement with more than two coders).
    pub percent_agreement: Value,
    /// Cohen's kappa (two coders) or Fleiss' kappa (more), see [`AgreementTable::kappa`].
    pub kappa: Value,
    /// Scott's pi (two coders only).
    pub scott_pi: Value,
    /// Krippendorff's alpha: nominal at the unit and document levels (MASI for the unit level's
    /// overall row), unitizing `αU` at the span level.
    pub alpha: Value,
    /// Alpha is below the table's threshold.
    pub flagged: bool,
}

impl Stats {
    fn flag(&mut self, threshold: f64) {
        self.flagged = self.alpha.as_ref().is_ok_and(|&alpha| alpha < threshold);
    }

    /// The statistics with their JSON keys, in column order.
    fn values(&self) -> [(&'static str, &Value); 4] {
        [
            ("percent_agreement", &self.percent_agreement),
            ("kappa", &self.kappa),
            ("scott_pi", &self.scott_pi),
            ("alpha", &self.alpha),
        ]
    }
}

/// One indicator's agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    pub indicator: IndicatorId,
    /// The codebook label in the codebook's first language; `None` for a code the codebook does
    /// not know.
    pub label: Option<String>,
    pub stats: Stats,
    /// Prevalence, the two coders' 2 × 2 table, AC1 and PABAK (unit and document levels).
    pub presence: Option<Presence>,
}

/// The overall row and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Overall {
    /// What "overall" means at this level, in a sentence.
    pub description: String,
    pub stats: Stats,
    /// Every pair of coders on the overall row's data (unit and document levels).
    pub coder_pairs: Vec<CoderPair>,
    /// The overall alpha's 95% bootstrap interval: 1,000 resamples of the units (seed 0, so
    /// every run prints the same interval), unit and document levels; `None` where alpha is
    /// undefined and at the span level.
    pub alpha_interval: Option<AlphaBootstrap>,
}

/// A document left out of the comparison because not every coder marked it done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub document: DocumentId,
    /// The coders who have not marked it done, with their status.
    pub not_done: Vec<CoderStatus>,
}

/// A coder's status on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoderStatus {
    pub coder: String,
    pub status: Status,
}

/// Agreement between coders at one level: one row per indicator used, an overall row, which
/// documents were compared, and the units on which the coders disagree.
///
/// Serializes to the JSON of `normcode agree --format json` (see [`Serialize`] below).
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementTable {
    pub level: Level,
    /// The compared coders, in the order given.
    pub coders: Vec<String>,
    /// The documents every coder marked done, in corpus order.
    pub compared_documents: Vec<DocumentId>,
    /// Documents some coder has not marked done, in corpus order.
    pub left_out_documents: Vec<LeftOut>,
    /// The size of the comparison: text units (unit level), documents (document level) or code
    /// points of the continuum (span level).
    pub units: usize,
    /// The kappa of the `kappa` column.
    pub kappa: KappaKind,
    /// Rows with alpha below this are flagged.
    pub threshold: f64,
    /// The indicators some coder used, codebook order first.
    pub rows: Vec<IndicatorRow>,
    pub overall: Overall,
    /// Codebook indicators (not retired) that no compared coder used in the compared documents;
    /// omitted from `rows`.
    pub unused: Vec<IndicatorId>,
    /// The units of the compared documents where the coders' code sets differ
    /// ([`adjudication::disagreements`]), at every level.
    pub disagreements: Vec<Disagreement>,
    /// Indicator pairs confused on those units, most frequent first.
    pub confusions: Vec<Confusion>,
}

impl AgreementTable {
    /// Flags again, rows and overall, with alpha below `threshold`.
    pub fn set_threshold(&mut self, threshold: f64) {
        self.threshold = threshold;
        for row in &mut self.rows {
            row.stats.flag(threshold);
        }
        self.overall.stats.flag(threshold);
    }

    /// The rows flagged for alpha below the threshold.
    pub fn flagged(&self) -> impl Iterator<Item = &IndicatorRow> {
        self.rows.iter().filter(|r| r.stats.flagged)
    }

    /// What each column means at this level, by JSON key.
    pub fn column_descriptions(&self) -> Vec<(&'static str, String)> {
        let more = self.coders.len() > 2;
        let pairwise = if more {
            " (mean pairwise agreement)"
        } else {
            ""
        };
        let (units, coded, percent, alpha) = match self.level {
            Level::Unit => (
                "text units of the compared documents",
                "units each coder gave the indicator (whole or in a span)",
                format!("units on which the coders agree on presence or absence{pairwise}"),
                "Krippendorff's alpha, nominal, on presence/absence",
            ),
            Level::Document => (
                "compared documents",
                "documents in which each coder gave the indicator anywhere",
                format!("documents on which the coders agree on presence or absence{pairwise}"),
                "Krippendorff's alpha, nominal, on presence/absence",
            ),
            Level::Span => (
                "spans of the indicator, all coders together (overlapping spans of a coder merged)",
                "spans of each coder",
                format!(
                    "code points on which the coders agree on the indicator's presence{pairwise}"
                ),
                "Krippendorff's unitizing alpha (αU) on the compared documents' text",
            ),
        };
        let kappa = match (self.level, self.kappa) {
            (Level::Span, _) => "not computed for spans (unitizing alpha only)".to_owned(),
            (_, KappaKind::Cohen) => "Cohen's kappa".to_owned(),
            (_, KappaKind::Fleiss) => "Fleiss' kappa".to_owned(),
        };
        let pi = match (self.level, more) {
            (Level::Span, _) => "not computed for spans (unitizing alpha only)",
            (_, false) => "Scott's pi",
            (_, true) => "Scott's pi: two coders only",
        };
        vec![
            ("units", units.to_owned()),
            ("coded", coded.to_owned()),
            ("percent_agreement", percent),
            ("kappa", kappa),
            ("scott_pi", pi.to_owned()),
            ("alpha", alpha.to_owned()),
        ]
    }
}

/// Agreement at the unit level (see the [module documentation](self)). Fails with fewer than two
/// coders or the same coder twice.
pub fn unit_level(project: &Project, coders: &[&CoderFile]) -> Result<AgreementTable> {
    agreement(project, coders, Level::Unit)
}

/// Agreement at the document level (see the [module documentation](self)).
pub fn document_level(project: &Project, coders: &[&CoderFile]) -> Result<AgreementTable> {
    agreement(project, coders, Level::Document)
}

/// Agreement at the span level (see the [module documentation](self)).
pub fn span_level(project: &Project, coders: &[&CoderFile]) -> Result<AgreementTable> {
    agreement(project, coders, Level::Span)
}

/// Agreement at `level`, flagged at [`DEFAULT_THRESHOLD`] (change it with
/// [`AgreementTable::set_threshold`]).
pub fn agreement(project: &Project, coders: &[&CoderFile], level: Level) -> Result<AgreementTable> {
    agreement_within(project, coders, level, None)
}

/// Agreement at `level` on the compared documents that are also in `within` (all of them when
/// `None`); the others are left out as usual.
pub(crate) fn agreement_within(
    project: &Project,
    coders: &[&CoderFile],
    level: Level,
    within: Option<&[DocumentId]>,
) -> Result<AgreementTable> {
    let names: Vec<String> = coders.iter().map(|c| c.coder.clone()).collect();
    if names.len() < 2 {
        return Err(Error::Usage(format!(
            "agreement needs at least two coders, got {}",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        )));
    }
    if let Some(twice) = names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
    {
        return Err(Error::Usage(format!(
            "coder {} is named twice: each coder is compared once",
            twice.1
        )));
    }
    let mut compared = adjudication::compared_documents(project, coders);
    if let Some(within) = within {
        compared.retain(|d| within.contains(d));
    }
    let left_out = project
        .corpus
        .documents
        .iter()
        .filter(|d| !compared.contains(&d.id) && within.is_none_or(|w| w.contains(&d.id)))
        .map(|d| LeftOut {
            document: d.id.clone(),
            not_done: coders
                .iter()
                .filter(|c| c.status(&d.id) != Status::Done)
                .map(|c| CoderStatus {
                    coder: c.coder.clone(),
                    status: c.status(&d.id),
                })
                .collect(),
        })
        .collect();
    let context = Context {
        project,
        coders,
        names: &names,
        compared: &compared,
    };
    let (units, rows, overall) = match level {
        Level::Unit => context.unit_level(),
        Level::Document => context.document_level(),
        Level::Span => spans::span_level(&context),
    };
    let used: BTreeSet<&IndicatorId> = rows.iter().map(|r| &r.indicator).collect();
    let unused = project
        .codebook
        .indicators
        .iter()
        .filter(|i| !i.retired && !used.contains(&i.id))
        .map(|i| i.id.clone())
        .collect();
    let disagreements = adjudication::disagreements(project, coders);
    let mut table = AgreementTable {
        level,
        coders: names.clone(),
        compared_documents: compared.clone(),
        left_out_documents: left_out,
        units,
        kappa: KappaKind::for_coders(names.len()),
        threshold: DEFAULT_THRESHOLD,
        rows,
        overall,
        unused,
        confusions: diagnose::confusions(&disagreements),
        disagreements,
    };
    table.set_threshold(DEFAULT_THRESHOLD);
    Ok(table)
}

/// What every level needs.
struct Context<'a> {
    project: &'a Project,
    coders: &'a [&'a CoderFile],
    names: &'a [String],
    compared: &'a [DocumentId],
}

/// The label for a present indicator, and for an absent one.
pub(crate) const PRESENT: &str = "present";
pub(crate) const ABSENT: &str = "absent";

impl Context<'_> {
    /// The rows' indicators: the codebook's in its order, then unknown codes sorted.
    fn ordered(&self, used: &BTreeSet<IndicatorId>) -> Vec<(IndicatorId, Option<String>)> {
        let codebook = &self.project.codebook;
        let lang = codebook.language();
        let mut ordered: Vec<(IndicatorId, Option<String>)> = codebook
            .indicators
            .iter()
            .filter(|i| used.contains(&i.id))
            .map(|i| (i.id.clone(), Some(i.label.get(lang).to_owned())))
            .collect();
        ordered.extend(
            used.iter()
                .filter(|id| codebook.indicator(id).is_none())
                .map(|id| (id.clone(), None)),
        );
        ordered
    }

    /// A presence/absence matrix with every coder registered, in order.
    fn builder(&self) -> DataBuilder {
        let mut builder = DataBuilder::new(ValueKind::Label);
        for name in self.names {
            builder.add_coder(name);
        }
        builder
    }

    /// The statistics of a complete presence/absence (or set) matrix.
    fn stats(&self, data: &ReliabilityData, metric: Metric, coded: Vec<usize>) -> Stats {
        let two = self.names.len() == 2;
        let (kappa, pi) = if metric == Metric::Masi {
            let why = "not computed for set-valued units: see alpha (MASI)".to_owned();
            (Err(why.clone()), Err(why))
        } else if two {
            (
                value(cohen_kappa(data, KappaWeights::Unweighted)),
                value(scott_pi(data)),
            )
        } else {
            (
                value(fleiss_kappa(data).map(|f| f.kappa)),
                Err("Scott's pi compares exactly two coders; see Fleiss' kappa".to_owned()),
            )
        };
        Stats {
            units: data.n_units(),
            coded,
            percent_agreement: value(percent_agreement(data)),
            kappa,
            scott_pi: pi,
            alpha: value(krippendorff_alpha(data, metric)),
            flagged: false,
        }
    }

    /// Each coder's codes per unit of `document`, orphaned annotations left out.
    fn codes_by_unit(
        &self,
        document: &DocumentId,
    ) -> Vec<HashMap<&UnitId, BTreeSet<&IndicatorId>>> {
        self.coders
            .iter()
            .map(|coder| {
                let mut units: HashMap<&UnitId, BTreeSet<&IndicatorId>> = HashMap::new();
                for a in coder.annotations(document) {
                    if !a.is_orphaned() {
                        units.entry(&a.unit).or_default().extend(a.codes.iter());
                    }
                }
                units
            })
            .collect()
    }

    fn unit_level(&self) -> (usize, Vec<IndicatorRow>, Overall) {
        // For every unit of the compared documents, each coder's code set.
        let mut units: Vec<Vec<BTreeSet<IndicatorId>>> = Vec::new();
        for id in self.compared {
            let Some(document) = self.project.corpus.get(id) else {
                continue;
            };
            let per_coder = self.codes_by_unit(id);
            for unit in &document.units {
                units.push(
                    per_coder
                        .iter()
                        .map(|m| {
                            m.get(&unit.id)
                                .map(|s| s.iter().map(|&c| c.clone()).collect())
                                .unwrap_or_default()
                        })
                        .collect(),
                );
            }
        }
        let used: BTreeSet<IndicatorId> = units.iter().flatten().flatten().cloned().collect();
        let names: Vec<String> = (0..units.len()).map(|u| u.to_string()).collect();
        let rows = self.presence_rows(&used, &names, &units);

        let mut sets = DataBuilder::new(ValueKind::Set);
        for name in self.names {
            sets.add_coder(name);
        }
        let mut coded = vec![0; self.names.len()];
        for (u, unit) in units.iter().enumerate() {
            for (c, codes) in unit.iter().enumerate() {
                coded[c] += usize::from(!codes.is_empty());
                sets.push_set(&names[u], &self.names[c], codes.iter().map(|i| i.as_str()))
                    .expect("a set matrix takes sets");
            }
        }
        let data = sets.build().expect("one set per unit and coder");
        let overall = Overall {
            description: "all the codes a coder gave a unit taken as one set-valued code: \
                percent agreement is the share of units with identical code sets, alpha is \
                Krippendorff's alpha with the MASI distance"
                .to_owned(),
            stats: self.stats(&data, Metric::Masi, coded),
            coder_pairs: coder_pairs(&data, Metric::Masi),
            alpha_interval: alpha_bootstrap(&data, Metric::Masi, &BootstrapConfig::default()).ok(),
        };
        (units.len(), rows, overall)
    }

    fn document_level(&self) -> (usize, Vec<IndicatorRow>, Overall) {
        let documents: Vec<Vec<BTreeSet<IndicatorId>>> = self
            .compared
            .iter()
            .map(|id| {
                self.codes_by_unit(id)
                    .into_iter()
                    .map(|units| units.into_values().flatten().cloned().collect())
                    .collect()
            })
            .collect();
        let used: BTreeSet<IndicatorId> = documents.iter().flatten().flatten().cloned().collect();
        let names: Vec<String> = self.compared.iter().map(|d| d.to_string()).collect();
        let rows = self.presence_rows(&used, &names, &documents);

        let mut pooled = self.builder();
        for row in &rows {
            for (d, document) in documents.iter().enumerate() {
                let unit = format!("{}\u{1f}{}", row.indicator, names[d]);
                pooled.add_unit(&unit);
                for (c, codes) in document.iter().enumerate() {
                    let label = if codes.contains(&row.indicator) {
                        PRESENT
                    } else {
                        ABSENT
                    };
                    pooled
                        .push_label(&unit, &self.names[c], label)
                        .expect("a label matrix takes labels");
                }
            }
        }
        let data = pooled.build().expect("one value per unit and coder");
        let coded = (0..self.names.len())
            .map(|c| rows.iter().map(|r| r.stats.coded[c]).sum())
            .collect();
        let overall = Overall {
            description: "presence/absence pooled over every (indicator, document) pair of the \
                indicators in the table: each pair is one unit"
                .to_owned(),
            stats: self.stats(&data, Metric::Nominal, coded),
            coder_pairs: coder_pairs(&data, Metric::Nominal),
            alpha_interval: alpha_bootstrap(&data, Metric::Nominal, &BootstrapConfig::default())
                .ok(),
        };
        (documents.len(), rows, overall)
    }

    /// One presence/absence row per used indicator, over units named `names` whose code sets
    /// per coder are `units`.
    fn presence_rows(
        &self,
        used: &BTreeSet<IndicatorId>,
        names: &[String],
        units: &[Vec<BTreeSet<IndicatorId>>],
    ) -> Vec<IndicatorRow> {
        self.ordered(used)
            .into_iter()
            .map(|(indicator, label)| {
                let mut builder = self.builder();
                let mut coded = vec![0; self.names.len()];
                for (u, unit) in units.iter().enumerate() {
                    builder.add_unit(&names[u]);
                    for (c, codes) in unit.iter().enumerate() {
                        let present = codes.contains(&indicator);
                        coded[c] += usize::from(present);
                        let label = if present { PRESENT } else { ABSENT };
                        builder
                            .push_label(&names[u], &self.names[c], label)
                            .expect("a label matrix takes labels");
                    }
                }
                let data = builder.build().expect("one value per unit and coder");
                IndicatorRow {
                    indicator,
                    label,
                    stats: self.stats(&data, Metric::Nominal, coded),
                    presence: Some(diagnose::presence(&data)),
                }
            })
            .collect()
    }
}

/// A value as a JSON number, or `null`.
struct Number<'a>(&'a Value);

impl Serialize for Number<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Ok(v) => serializer.serialize_f64(*v),
            Err(_) => serializer.serialize_none(),
        }
    }
}

/// Pairs serialized as a JSON object in their order.
struct OrderedMap<I>(I);

impl<K, V, I> Serialize for OrderedMap<I>
where
    I: Iterator<Item = (K, V)> + Clone,
    K: Serialize,
    V: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.clone())
    }
}

/// A row's (or the overall row's) fields.
struct StatsJson<'a> {
    stats: &'a Stats,
    coders: &'a [String],
}

impl StatsJson<'_> {
    fn write<M: SerializeMap>(&self, map: &mut M) -> std::result::Result<(), M::Error> {
        let stats = self.stats;
        map.serialize_entry("units", &stats.units)?;
        map.serialize_entry(
            "coded",
            &OrderedMap(self.coders.iter().zip(stats.coded.iter())),
        )?;
        for (key, v) in stats.values() {
            map.serialize_entry(key, &Number(v))?;
        }
        map.serialize_entry("flagged", &stats.flagged)?;
        map.serialize_entry(
            "undefined",
            &OrderedMap(
                stats
                    .values()
                    .into_iter()
                    .filter_map(|(key, v)| v.as_ref().err().map(|why| (key, why))),
            ),
        )
    }
}

struct RowJson<'a> {
    row: &'a IndicatorRow,
    coders: &'a [String],
}

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("indicator", &self.row.indicator)?;
        map.serialize_entry("label", &self.row.label)?;
        StatsJson {
            stats: &self.row.stats,
            coders: self.coders,
        }
        .write(&mut map)?;
        map.serialize_entry("presence", &self.row.presence)?;
        map.end()
    }
}

struct OverallJson<'a> {
    overall: &'a Overall,
    coders: &'a [String],
}

impl Serialize for OverallJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("description", &self.overall.description)?;
        StatsJson {
            stats: &self.overall.stats,
            coders: self.coders,
        }
        .write(&mut map)?;
        map.serialize_entry("coder_pairs", &self.overall.coder_pairs)?;
        map.serialize_entry("alpha_interval", &self.overall.alpha_interval)?;
        map.end()
    }
}

struct DisagreementJson<'a> {
    disagreement: &'a Disagreement,
    coders: &'a [String],
}

impl Serialize for DisagreementJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let d = self.disagreement;
        let mut s = serializer.serialize_struct("Disagreement", 3)?;
        s.serialize_field("document", &d.document)?;
        s.serialize_field("unit", &d.unit)?;
        s.serialize_field("codes", &OrderedMap(self.coders.iter().zip(d.codes.iter())))?;
        s.end()
    }
}

impl Serialize for AgreementTable {
    /// `level`, `coders`, `compared_documents`, `left_out_documents` (document and the coders
    /// who have not marked it done, with their status), `units`, `kappa` (`cohen` or `fleiss`),
    /// `threshold`, `columns` (what each statistic means at this level), `rows` (indicator, label,
    /// units, coded by coder, percent_agreement, kappa, scott_pi, alpha — numbers or `null` —,
    /// flagged, `undefined`: why each `null` is null, and `presence`: prevalence, extreme, the
    /// two coders' 2 × 2 `table`, `gwet_ac1`, `pabak`), `overall` (description, the same
    /// fields and `coder_pairs`), `unused`, `disagreements` (document, unit, each coder's
    /// codes) and `confusions` (indicator pairs and their number of units).
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let coders = &self.coders;
        let columns = self.column_descriptions();
        let mut s = serializer.serialize_struct("AgreementTable", 14)?;
        s.serialize_field("level", &self.level)?;
        s.serialize_field("coders", coders)?;
        s.serialize_field("compared_documents", &self.compared_documents)?;
        s.serialize_field("left_out_documents", &self.left_out_documents)?;
        s.serialize_field("units", &self.units)?;
        s.serialize_field("kappa", &self.kappa)?;
        s.serialize_field("threshold", &self.threshold)?;
        s.serialize_field("columns", &OrderedMap(columns.iter().map(|(k, v)| (k, v))))?;
        let rows: Vec<RowJson> = self
            .rows
            .iter()
            .map(|row| RowJson { row, coders })
            .collect();
        s.serialize_field("rows", &rows)?;
        s.serialize_field(
            "overall",
            &OverallJson {
                overall: &self.overall,
                coders,
            },
        )?;
        s.serialize_field("unused", &self.unused)?;
        let disagreements: Vec<DisagreementJson> = self
            .disagreements
            .iter()
            .map(|disagreement| DisagreementJson {
                disagreement,
                coders,
            })
            .collect();
        s.serialize_field("disagreements", &disagreements)?;
        s.serialize_field("confusions", &self.confusions)?;
        s.end()
    }
}
