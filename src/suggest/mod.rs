//! The recommender: ranked indicator suggestions for a unit of text, learnt from the coding,
//! offline, in milliseconds.
//!
//! Three sources of evidence are combined into one ranked list, each suggestion with a score
//! and a reason a coder can read:
//! 1. [phrases](phrases): phrases of coded spans and units and of the codebook's labels,
//!    include rules and examples, scored by how often units with them were coded with each
//!    indicator; words of an exclude rule count against;
//! 2. a [model](model) per indicator over words, word pairs and Chinese character pairs
//!    (naive Bayes), trained on the units of documents marked done;
//! 3. [the codebook itself](codebook_match): BM25 between the unit and each indicator's
//!    definition, include rules and examples, so suggestions exist before anything is coded.
//!
//! The evidence is combined as a noisy-or, `1 − Π(1 − wᵢ·eᵢ)`, where the model's weight grows
//! with the number of units coded with the indicator; an exclude-rule word found in the unit
//! lowers the result. A pure core: no terminal, no files ([`examples`] reads loaded coder
//! files, [`evaluate`] and [`machine`] build on [`Recommender`]).

mod codebook_match;
pub mod evaluate;
mod features;
pub mod machine;
mod model;
mod phrases;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::annotations::{CoderFile, Status};
use crate::codebook::{Codebook, Localized};
use crate::corpus::{Corpus, DocumentId, IndicatorId, UnitId};

use codebook_match::CodebookMatch;
use phrases::{CodebookText, Phrases};

pub use evaluate::{Evaluation, evaluate, evaluate_with};

/// The recommender's name and version, recorded with every suggestion that is accepted.
pub const MODEL: &str = "normcode-recommender/1";

/// How the three sources are combined. [`Weights::default`] is what normcode uses; the others
/// are for measuring (`examples/suggest_bench.rs` sweeps them on the bundled samples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Weights of the phrases, the model (reached with many coded units) and the codebook in
    /// the noisy-or.
    pub phrase: f64,
    pub model: f64,
    pub codebook: f64,
    /// The BM25 score at which the codebook's evidence is one half.
    pub codebook_half: f64,
    /// What each exclude-rule word found in the unit leaves of the score (at most two count).
    pub exclude: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            // Measured on the bundled samples (BENCHMARKS.md, "Suggestions"): phrases weigh
            // less than the codebook, whose wording the coders' units share closely.
            phrase: 0.3,
            model: 0.6,
            codebook: 0.6,
            codebook_half: 8.0,
            exclude: 0.6,
        }
    }
}

/// Rejected suggestions: the indicators a coder said no to, per document and unit.
pub type Rejections = BTreeMap<(DocumentId, UnitId), BTreeSet<IndicatorId>>;

/// A coded span inside a training unit: its text and codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedSpan {
    pub text: String,
    pub codes: BTreeSet<IndicatorId>,
}

/// One training unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub document: DocumentId,
    pub unit: UnitId,
    pub text: String,
    /// Every code on the unit, whole-unit and span annotations together.
    pub codes: BTreeSet<IndicatorId>,
    /// Indicators suggested for the unit and rejected: extra negatives.
    pub rejected: BTreeSet<IndicatorId>,
    /// The unit's coded spans (their text is a phrase source).
    pub spans: Vec<CodedSpan>,
}

impl Example {
    /// A unit with its codes, no rejections and no spans.
    pub fn new(
        document: impl Into<DocumentId>,
        unit: impl Into<UnitId>,
        text: impl Into<String>,
        codes: impl IntoIterator<Item = IndicatorId>,
    ) -> Self {
        Self {
            document: document.into(),
            unit: unit.into(),
            text: text.into(),
            codes: codes.into_iter().collect(),
            rejected: BTreeSet::new(),
            spans: Vec::new(),
        }
    }
}

/// Whose coding trains the recommender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainOn {
    /// One coder's own work: the default, so that no coder's codes leak into another's blind
    /// coding.
    Coder(String),
    /// Every coder's files (not those `normcode suggest --as-coder` wrote).
    All,
    /// The adjudicated consensus file (`annotations/consensus.yaml`).
    Consensus,
}

impl TrainOn {
    /// `all`, `consensus`, or a coder's name.
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "all" => TrainOn::All,
            crate::adjudication::CONSENSUS => TrainOn::Consensus,
            name => TrainOn::Coder(name.to_string()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            TrainOn::Coder(name) => format!("{name}'s coding"),
            TrainOn::All => "every coder's coding".to_string(),
            TrainOn::Consensus => "the consensus".to_string(),
        }
    }

    fn takes(&self, file: &CoderFile) -> bool {
        match self {
            TrainOn::Coder(name) => file.coder == *name,
            TrainOn::All => !machine::is_machine_file(file),
            TrainOn::Consensus => file.coder == crate::adjudication::CONSENSUS,
        }
    }
}

/// The training units: every unit of every document the chosen coders marked done, with the
/// codes each coder gave it (a unit two coders coded is two examples), and the rejections as
/// extra negatives. Orphaned annotations (their passage is gone) do not count.
pub fn examples(
    corpus: &Corpus,
    coders: &[&CoderFile],
    on: &TrainOn,
    rejected: &Rejections,
) -> Vec<Example> {
    let mut out = Vec::new();
    for file in coders.iter().filter(|f| on.takes(f)) {
        for (id, coding) in &file.documents {
            if coding.status != Status::Done {
                continue;
            }
            let Some(document) = corpus.get(id) else {
                continue;
            };
            let mut codes: HashMap<&UnitId, BTreeSet<IndicatorId>> = HashMap::new();
            let mut spans: HashMap<&UnitId, Vec<CodedSpan>> = HashMap::new();
            for annotation in coding.annotations.iter().filter(|a| !a.is_orphaned()) {
                codes
                    .entry(&annotation.unit)
                    .or_default()
                    .extend(annotation.codes.iter().cloned());
                if let Some(span) = annotation.span
                    && let Some(text) = document.slice(span)
                {
                    spans.entry(&annotation.unit).or_default().push(CodedSpan {
                        text: text.to_string(),
                        codes: annotation.codes.iter().cloned().collect(),
                    });
                }
            }
            for unit in &document.units {
                out.push(Example {
                    document: id.clone(),
                    unit: unit.id.clone(),
                    text: document.unit_text(unit).to_string(),
                    codes: codes.remove(&unit.id).unwrap_or_default(),
                    rejected: rejected
                        .get(&(id.clone(), unit.id.clone()))
                        .cloned()
                        .unwrap_or_default(),
                    spans: spans.remove(&unit.id).unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Which source weighed most in a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Phrase,
    Model,
    Codebook,
}

/// The three sources' evidence for one suggestion, each from 0 to 1 (before weighting).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub phrase: f64,
    pub model: f64,
    pub codebook: f64,
    /// Exclude-rule words of the indicator found in the unit.
    pub excluded: usize,
    pub strongest: Source,
}

/// One suggested indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Suggestion {
    pub indicator: IndicatorId,
    /// From 0 to 1; higher is surer.
    pub score: f64,
    pub evidence: Evidence,
    /// Why, in words a coder reads: `phrase “responsible disclosure” coded 4× with VU01`.
    pub reason: String,
}

/// A trained recommender. Cheap to query, `Send + Sync`: train it on a background thread and
/// share it.
#[derive(Debug, Clone)]
pub struct Recommender {
    indicators: Vec<IndicatorId>,
    vocabulary: rustc_hash::FxHashMap<String, u32>,
    words: Vec<String>,
    model: model::Model,
    phrases: Phrases,
    codebook: CodebookMatch,
    units: usize,
    weights: Weights,
}

/// One training unit, tokenized: its features and phrases, its codes and rejections as
/// indicator positions, and its coded spans' phrases with their codes.
struct Tokenized {
    features: Vec<String>,
    phrases: Vec<String>,
    codes: Vec<usize>,
    rejected: Vec<usize>,
    spans: Vec<(Vec<String>, Vec<usize>)>,
}

fn all_languages(text: &Localized) -> Vec<String> {
    text.0
        .values()
        .filter(|t| !t.trim().is_empty())
        .cloned()
        .collect()
}

fn all_of(items: &[Localized]) -> Vec<String> {
    items.iter().flat_map(all_languages).collect()
}

impl Recommender {
    /// Trains on `examples` for the codebook's indicators that are not retired; codes the
    /// codebook does not have are ignored.
    pub fn train(codebook: &Codebook, examples: &[Example]) -> Self {
        Self::train_with(codebook, examples, Weights::default())
    }

    /// [`Recommender::train`] with other weights.
    pub fn train_with(codebook: &Codebook, examples: &[Example], weights: Weights) -> Self {
        let live: Vec<&crate::codebook::Indicator> =
            codebook.indicators.iter().filter(|i| !i.retired).collect();
        let indicators: Vec<IndicatorId> = live.iter().map(|i| i.id.clone()).collect();
        let position: HashMap<&IndicatorId, usize> = indicators
            .iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let texts: Vec<CodebookText> = live
            .iter()
            .map(|i| CodebookText {
                label: all_languages(&i.label),
                definition: all_languages(&i.definition),
                include: all_of(&i.include),
                exclude: all_of(&i.exclude),
                examples: all_of(&i.examples),
            })
            .collect();

        let mut vocabulary: rustc_hash::FxHashMap<String, u32> = Default::default();
        let mut words: Vec<String> = Vec::new();
        let mut intern = |feature: &str| -> u32 {
            if let Some(&id) = vocabulary.get(feature) {
                return id;
            }
            let id = words.len() as u32;
            vocabulary.insert(feature.to_string(), id);
            words.push(feature.to_string());
            id
        };
        let codebook_match = CodebookMatch::build(&texts, &mut intern);

        let to_positions = |codes: &BTreeSet<IndicatorId>| -> Vec<usize> {
            codes
                .iter()
                .filter_map(|c| position.get(c).copied())
                .collect()
        };
        // Each unit tokenized once, for its features and its phrases, on every core: the
        // tokenizer is most of the work of training.
        let tokenized: Vec<Tokenized> = crate::parallel::map_in_order(
            examples.iter().collect(),
            crate::parallel::available_threads(),
            || (),
            |_, e: &Example| {
                let (features, phrases) = features::features_and_phrases(&e.text);
                Tokenized {
                    features,
                    phrases,
                    codes: to_positions(&e.codes),
                    rejected: to_positions(&e.rejected),
                    spans: e
                        .spans
                        .iter()
                        .map(|s| (features::phrases(&s.text), to_positions(&s.codes)))
                        .collect(),
                }
            },
        );
        let features: Vec<Vec<u32>> = tokenized
            .iter()
            .map(|t| t.features.iter().map(|f| intern(f)).collect())
            .collect();

        let rows: Vec<model::Row> = (0..examples.len())
            .map(|i| model::Row {
                features: &features[i],
                codes: &tokenized[i].codes,
                rejected: &tokenized[i].rejected,
            })
            .collect();
        let model = model::Model::train(indicators.len(), words.len(), &rows);
        let phrase_rows: Vec<phrases::Row> = (0..examples.len())
            .map(|i| phrases::Row {
                phrases: &tokenized[i].phrases,
                codes: &tokenized[i].codes,
                spans: &tokenized[i].spans,
            })
            .collect();
        let phrases = Phrases::train(&texts, &phrase_rows);
        Self {
            indicators,
            vocabulary,
            words,
            model,
            phrases,
            codebook: codebook_match,
            units: examples.len(),
            weights,
        }
    }

    /// How many units it was trained on.
    pub fn trained_units(&self) -> usize {
        self.units
    }

    /// The `k` best indicators for `text`, best first, none of those in `skip` (the unit's codes
    /// already, the suggestions the coder rejected for it), none with a score of 0.
    pub fn suggest(&self, text: &str, k: usize, skip: &BTreeSet<IndicatorId>) -> Vec<Suggestion> {
        let mut all = self.score_all(text, skip);
        all.truncate(k);
        all
    }

    /// Best score minus second best: the smaller, the less sure the recommender is (0 when it
    /// has nothing to say).
    pub fn margin(&self, text: &str) -> f64 {
        let top = self.suggest(text, 2, &BTreeSet::new());
        match top.as_slice() {
            [] => 0.0,
            [one] => one.score,
            [a, b, ..] => a.score - b.score,
        }
    }

    fn score_all(&self, text: &str, skip: &BTreeSet<IndicatorId>) -> Vec<Suggestion> {
        let (feature_texts, unit_phrases) = features::features_and_phrases(text);
        let ids: Vec<u32> = feature_texts
            .iter()
            .filter_map(|f| self.vocabulary.get(f.as_str()).copied())
            .collect();
        let words: HashSet<String> = feature_texts
            .into_iter()
            .filter(|f| !f.contains(' '))
            .collect();
        let found = self.phrases.matches(&unit_phrases);
        let mut out = Vec::new();
        for (c, id) in self.indicators.iter().enumerate() {
            if skip.contains(id) {
                continue;
            }
            let positives = self.model.positives(c);
            let base = if self.units == 0 {
                0.0
            } else {
                positives / self.units as f64
            };
            let phrase = Phrases::strongest(&found, c, base);
            let verdict = self.model.verdict(c, &ids);
            let matched = self.codebook.score(c, &ids);
            let w = &self.weights;
            let model_weight = w.model * positives / (positives + 2.0);
            let e_phrase = phrase.as_ref().map_or(0.0, |m| m.strength);
            let e_model = verdict.as_ref().map_or(0.0, |v| v.probability);
            let e_codebook = matched
                .as_ref()
                .map_or(0.0, |m| m.score / (m.score + w.codebook_half));
            let parts = [
                (Source::Phrase, w.phrase * e_phrase),
                (Source::Model, model_weight * e_model),
                (Source::Codebook, w.codebook * e_codebook),
            ];
            let mut score = 1.0 - parts.iter().map(|(_, p)| 1.0 - p).product::<f64>();
            if score <= 0.0 {
                continue;
            }
            let excluded = self.phrases.excluded(c, &words);
            score *= w.exclude.powi(excluded.len().min(2) as i32);
            let strongest = parts
                .iter()
                .fold(parts[0], |best, p| if p.1 > best.1 { *p } else { best })
                .0;
            let mut reason = match strongest {
                Source::Phrase => phrase
                    .as_ref()
                    .map(|m| format!("{} {id}", m.reason))
                    .unwrap_or_default(),
                Source::Model => {
                    let named: Vec<&str> = verdict
                        .as_ref()
                        .map(|v| v.words.iter().map(|w| self.word(*w)).collect())
                        .unwrap_or_default();
                    if named.is_empty() {
                        "model: the unit as a whole".to_string()
                    } else {
                        format!("model: words {}", named.join(", "))
                    }
                }
                Source::Codebook => matched
                    .as_ref()
                    .map(|m| format!("codebook: {} matches “{}”", m.field, self.word(m.best)))
                    .unwrap_or_default(),
            };
            if !excluded.is_empty() {
                reason.push_str(&format!(
                    "; but “{}” is in its exclude rule",
                    excluded.join("”, “")
                ));
            }
            out.push(Suggestion {
                indicator: id.clone(),
                score,
                evidence: Evidence {
                    phrase: e_phrase,
                    model: e_model,
                    codebook: e_codebook,
                    excluded: excluded.len(),
                    strongest,
                },
                reason,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.indicator.cmp(&b.indicator))
        });
        out
    }

    fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests;
