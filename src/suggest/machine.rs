//! The recommender as a coder of its own (`normcode suggest --as-coder NAME`): a coder file
//! with its codes on every unit of every document, so that `normcode agree --coders alice,NAME`
//! measures it like a person.
//!
//! A document the recommender trained on is coded by a recommender trained without it (the
//! same folds as [`super::evaluate`]), so its agreement with the coders it learnt from is not
//! flattered by having seen their answers. Every document of the file carries a memo that
//! starts with [`MARK`]: that is how a later run knows the file is the recommender's to
//! replace, and how training on "all" coders leaves it out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::evaluate::folds;
use super::{Example, MODEL, Recommender};
use crate::annotations::{Annotation, CoderFile, DocumentCoding, Status};
use crate::codebook::Codebook;
use crate::corpus::{Corpus, DocumentId, IndicatorId};

/// How the memo of every document of a file the recommender wrote begins.
pub const MARK: &str = "Coded by normcode suggest";

/// Whether `file` was written by `normcode suggest --as-coder` (every document's memo says so).
pub fn is_machine_file(file: &CoderFile) -> bool {
    !file.documents.is_empty()
        && file
            .documents
            .values()
            .all(|d| d.memo.as_deref().is_some_and(|m| m.starts_with(MARK)))
}

/// The coder file of the recommender as coder `name`: on every unit the indicators whose score
/// is at least `threshold`; every document marked done.
pub fn code_corpus(
    codebook: &Codebook,
    corpus: &Corpus,
    examples: &[Example],
    name: &str,
    threshold: f64,
    trained_on: &str,
    now: DateTime<Utc>,
) -> CoderFile {
    let folds = folds(examples);
    let mut model_for: BTreeMap<&DocumentId, usize> = BTreeMap::new();
    for (i, fold) in folds.iter().enumerate() {
        for d in fold {
            model_for.insert(d, i);
        }
    }
    // One recommender per fold (trained without it), and one on everything for the rest.
    let work: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..folds.len()).map(Some))
        .collect();
    let recommenders = crate::parallel::map_in_order(
        work,
        crate::parallel::available_threads(),
        || (),
        |_, fold| {
            let train: Vec<Example> = match fold {
                None => examples.to_vec(),
                Some(f) => examples
                    .iter()
                    .filter(|e| !folds[f].contains(&e.document))
                    .cloned()
                    .collect(),
            };
            Recommender::train(codebook, &train)
        },
    );
    let mut file = CoderFile::new(name, Some(codebook.version.clone()));
    let none = BTreeSet::new();
    for document in &corpus.documents {
        let fold = model_for.get(&document.id).copied();
        let recommender = &recommenders[fold.map_or(0, |f| f + 1)];
        let mut annotations = Vec::new();
        for unit in &document.units {
            let codes: Vec<IndicatorId> = recommender
                .suggest(document.unit_text(unit), usize::MAX, &none)
                .into_iter()
                .filter(|s| s.score >= threshold)
                .map(|s| s.indicator)
                .collect();
            if !codes.is_empty() {
                annotations.push(Annotation::new_in(document, unit, None, codes, now));
            }
        }
        let how = if fold.is_some() {
            "by a model that did not train on this document"
        } else {
            "by a model trained on all documents marked done"
        };
        let memo = format!(
            "{MARK} ({MODEL}) {how}; trained on {trained_on}; codes scored at least {threshold}."
        );
        let mut coding = DocumentCoding {
            status: Status::Done,
            memo: Some(memo),
            suggestions: false,
            annotations,
        };
        coding.normalize(Some(document));
        file.documents.insert(document.id.clone(), Arc::new(coding));
    }
    file
}
