//! How good the suggestions are, measured the way a methods section measures a coder: on
//! documents the recommender did not train on.
//!
//! Leave-one-document-out over the documents marked done: each document is held out in turn,
//! the recommender is trained on the units of the others and suggests for the held-out units.
//! With more than [`MAX_SINGLE_FOLDS`] documents they are held out in ten groups instead (each
//! group trained on the other nine), so that a large project is measured in ten trainings.
//! Every unit of a held-out document is predicted by a recommender that never saw that
//! document, whoever coded it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Example, Recommender, Weights};
use crate::codebook::Codebook;
use crate::corpus::{DocumentId, IndicatorId};
use crate::error::{Error, Result};

/// Up to this many documents, each is a fold of its own.
pub const MAX_SINGLE_FOLDS: usize = 50;
/// Points of the learning curve: 10%, 20%, ... 100% of the training documents.
const CURVE_POINTS: usize = 10;

/// Precision, recall and F1 of one indicator (or all together); `None` where undefined (no
/// unit suggested, no unit coded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Units coded with it.
    pub coded: usize,
    /// Units it was suggested for (score at or above the threshold).
    pub suggested: usize,
    /// Units both.
    pub correct: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Scores {
    fn new(coded: usize, suggested: usize, correct: usize) -> Self {
        let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
        let precision = ratio(correct, suggested);
        let recall = ratio(correct, coded);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Self {
            coded,
            suggested,
            correct,
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScores {
    pub indicator: IndicatorId,
    #[serde(flatten)]
    pub scores: Scores,
}

/// One point of the learning curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// The share of each fold's training documents used.
    pub share: f64,
    /// Training documents per fold, on average.
    pub training_documents: f64,
    pub hit_at_1: Option<f64>,
    pub hit_at_3: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub model: &'static str,
    /// `leave-one-document-out`, or `10 groups of documents` for a large project.
    pub method: String,
    pub folds: usize,
    /// Documents marked done that were held out.
    pub documents: usize,
    /// Units of those documents (one per coder who coded it).
    pub units: usize,
    /// Units with at least one code: what hit@1 and hit@3 are shares of.
    pub coded_units: usize,
    /// Share of coded units whose codes include the top suggestion.
    pub hit_at_1: Option<f64>,
    /// Share of coded units whose codes include one of the top three suggestions.
    pub hit_at_3: Option<f64>,
    /// The score from which a suggestion counts as a code for precision, recall and F1.
    pub threshold: f64,
    /// All indicators pooled (micro average).
    pub overall: Scores,
    pub indicators: Vec<IndicatorScores>,
    /// hit@1 and hit@3 of the recommender trained on nothing: the codebook's evidence alone
    /// (share 0), the baseline the coding has to beat.
    pub codebook_only: CurvePoint,
    /// hit@1 and hit@3 trained on 10%, 20%, ... 100% of each fold's training documents (in a
    /// fixed shuffled order).
    pub learning_curve: Vec<CurvePoint>,
}

/// The documents of `examples` in folds: each its own up to [`MAX_SINGLE_FOLDS`], else ten
/// groups (documents in a fixed shuffled order, dealt round-robin).
pub fn folds(examples: &[Example]) -> Vec<Vec<DocumentId>> {
    let documents = shuffled_documents(examples);
    if documents.len() <= MAX_SINGLE_FOLDS {
        return documents.into_iter().map(|d| vec![d]).collect();
    }
    let mut folds = vec![Vec::new(); 10];
    for (i, d) in documents.into_iter().enumerate() {
        folds[i % 10].push(d);
    }
    folds
}

/// The documents in a fixed order that does not follow their names (so that a learning curve's
/// first documents are not all of one publisher): sorted by a hash of the id.
fn shuffled_documents(examples: &[Example]) -> Vec<DocumentId> {
    let unique: BTreeSet<&DocumentId> = examples.iter().map(|e| &e.document).collect();
    let mut documents: Vec<DocumentId> = unique.into_iter().cloned().collect();
    documents.sort_by_cached_key(|d| *blake3::hash(d.as_str().as_bytes()).as_bytes());
    documents
}

/// What one fold's held-out units gave.
#[derive(Default)]
struct Tally {
    units: usize,
    coded_units: usize,
    hit1: usize,
    hit3: usize,
    /// Per indicator: (coded, suggested, correct).
    per: BTreeMap<IndicatorId, (usize, usize, usize)>,
}

fn tally(
    recommender: &Recommender,
    held_out: &[&Example],
    threshold: f64,
    with_scores: bool,
) -> Tally {
    let mut t = Tally::default();
    let none = BTreeSet::new();
    for example in held_out {
        t.units += 1;
        let k = if with_scores { usize::MAX } else { 3 };
        let suggestions = recommender.suggest(&example.text, k, &none);
        if !example.codes.is_empty() {
            t.coded_units += 1;
            let hit = |n: usize| {
                suggestions
                    .iter()
                    .take(n)
                    .any(|s| example.codes.contains(&s.indicator))
            };
            t.hit1 += usize::from(hit(1));
            t.hit3 += usize::from(hit(3));
        }
        if !with_scores {
            continue;
        }
        for code in &example.codes {
            t.per.entry(code.clone()).or_default().0 += 1;
        }
        for s in suggestions.iter().filter(|s| s.score >= threshold) {
            let entry = t.per.entry(s.indicator.clone()).or_default();
            entry.1 += 1;
            if example.codes.contains(&s.indicator) {
                entry.2 += 1;
            }
        }
    }
    t
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// Evaluates the recommender on `examples` (see the module documentation). At least two
/// documents are needed: one to hold out and one to train on.
pub fn evaluate(codebook: &Codebook, examples: &[Example], threshold: f64) -> Result<Evaluation> {
    evaluate_with(codebook, examples, threshold, Weights::default())
}

/// [`evaluate`] with other weights.
pub fn evaluate_with(
    codebook: &Codebook,
    examples: &[Example],
    threshold: f64,
    weights: Weights,
) -> Result<Evaluation> {
    let folds = folds(examples);
    let documents: usize = folds.iter().map(Vec::len).sum();
    if documents == 0 {
        return Err(Error::Usage(
            "nothing to evaluate: no document is marked done (mark documents done with `D` in \
             the workspace; only their units train and test the recommender)"
                .to_string(),
        ));
    }
    if documents < 2 {
        return Err(Error::Usage(format!(
            "nothing to evaluate on: only one document is marked done ({}); leave-one-document-out \
             needs at least two, one to train on and one to test",
            folds[0][0]
        )));
    }
    let order = shuffled_documents(examples);
    // Per fold: the full training with per-indicator scores (None), then the codebook alone
    // (Some(0)) and each point of the learning curve (Some(1..=10)).
    let plan =
        |f: usize| std::iter::once((f, None)).chain((0..=CURVE_POINTS).map(move |p| (f, Some(p))));
    let work: Vec<(usize, Option<usize>)> = (0..folds.len()).flat_map(plan).collect();
    let threads = crate::parallel::available_threads();
    let results = crate::parallel::map_in_order(
        work,
        threads,
        || (),
        |_, (f, point)| {
            let held: &Vec<DocumentId> = &folds[f];
            // The training documents: never one of the held-out ones.
            let mut training: Vec<&DocumentId> =
                order.iter().filter(|d| !held.contains(d)).collect();
            if let Some(p) = point {
                let n = (training.len() * p).div_ceil(CURVE_POINTS);
                training.truncate(if p == 0 { 0 } else { n.max(1) });
            }
            let training_set: BTreeSet<&DocumentId> = training.iter().copied().collect();
            let train: Vec<Example> = examples
                .iter()
                .filter(|e| training_set.contains(&e.document) && !held.contains(&e.document))
                .cloned()
                .collect();
            let test: Vec<&Example> = examples
                .iter()
                .filter(|e| held.contains(&e.document))
                .collect();
            let recommender = Recommender::train_with(codebook, &train, weights);
            (
                training.len(),
                tally(&recommender, &test, threshold, point.is_none()),
            )
        },
    );

    let mut total = Tally::default();
    // curve[0]: the codebook alone; curve[p]: p tenths of the training documents.
    let mut curve: Vec<(f64, Tally)> = (0..=CURVE_POINTS)
        .map(|_| (0.0, Tally::default()))
        .collect();
    for ((_, point), (trained, t)) in (0..folds.len()).flat_map(plan).zip(results) {
        let into = match point {
            None => &mut total,
            Some(p) => {
                curve[p].0 += trained as f64;
                &mut curve[p].1
            }
        };
        into.units += t.units;
        into.coded_units += t.coded_units;
        into.hit1 += t.hit1;
        into.hit3 += t.hit3;
        for (id, (a, b, c)) in t.per {
            let e = into.per.entry(id).or_default();
            e.0 += a;
            e.1 += b;
            e.2 += c;
        }
    }
    let (mut coded, mut suggested, mut correct) = (0, 0, 0);
    let indicators = codebook
        .indicators
        .iter()
        .filter(|i| !i.retired || total.per.contains_key(&i.id))
        .map(|i| {
            let (a, b, c) = total.per.get(&i.id).copied().unwrap_or_default();
            coded += a;
            suggested += b;
            correct += c;
            IndicatorScores {
                indicator: i.id.clone(),
                scores: Scores::new(a, b, c),
            }
        })
        .collect();
    let mut points = curve
        .into_iter()
        .enumerate()
        .map(|(i, (trained, t))| CurvePoint {
            share: i as f64 / CURVE_POINTS as f64,
            training_documents: trained / folds.len() as f64,
            hit_at_1: share(t.hit1, t.coded_units),
            hit_at_3: share(t.hit3, t.coded_units),
        });
    let codebook_only = points.next().expect("the codebook-only point");
    let learning_curve = points.collect();
    Ok(Evaluation {
        model: super::MODEL,
        method: if folds.iter().all(|f| f.len() == 1) {
            "leave-one-document-out".to_string()
        } else {
            format!("{} groups of documents, each held out in turn", folds.len())
        },
        folds: folds.len(),
        documents,
        units: total.units,
        coded_units: total.coded_units,
        hit_at_1: share(total.hit1, total.coded_units),
        hit_at_3: share(total.hit3, total.coded_units),
        threshold,
        overall: Scores::new(coded, suggested, correct),
        indicators,
        codebook_only,
        learning_curve,
    })
}
