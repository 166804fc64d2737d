//! Evidence 3: the codebook itself. BM25 (Robertson and Zaragoza 2009; k1 = 1.2, b = 0.75)
//! between the unit's features and each indicator's label, definition, include rules and
//! examples in all the codebook's languages: suggestions exist before anything is coded.

use rustc_hash::FxHashMap;

use super::features::feature_counts;
use super::phrases::CodebookText;

const K1: f64 = 1.2;
const B: f64 = 0.75;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Label,
    Definition,
    Include,
    Example,
}

impl Field {
    fn describe(self) -> &'static str {
        match self {
            Field::Label => "label",
            Field::Definition => "definition",
            Field::Include => "include rule",
            Field::Example => "example",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Entry {
    /// Feature id → (count, the first field that has it).
    terms: FxHashMap<u32, (f64, Field)>,
    length: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CodebookMatch {
    entries: Vec<Entry>,
    /// Feature id → inverse document frequency over the indicators.
    idf: FxHashMap<u32, f64>,
    average_length: f64,
}

pub(crate) struct Match {
    pub score: f64,
    /// The feature that contributed most, and where it is.
    pub best: u32,
    pub field: &'static str,
}

impl CodebookMatch {
    /// `intern` gives each feature its id in the recommender's vocabulary.
    pub fn build(texts: &[CodebookText], mut intern: impl FnMut(&str) -> u32) -> Self {
        let mut entries = Vec::with_capacity(texts.len());
        let mut df: FxHashMap<u32, f64> = FxHashMap::default();
        for text in texts {
            let mut entry = Entry::default();
            let fields = [
                (Field::Label, &text.label),
                (Field::Definition, &text.definition),
                (Field::Include, &text.include),
                (Field::Example, &text.examples),
            ];
            for (field, items) in fields {
                for item in items {
                    for (feature, n) in feature_counts(item) {
                        let id = intern(&feature);
                        entry.length += f64::from(n);
                        entry.terms.entry(id).or_insert((0.0, field)).0 += f64::from(n);
                    }
                }
            }
            for id in entry.terms.keys() {
                *df.entry(*id).or_insert(0.0) += 1.0;
            }
            entries.push(entry);
        }
        let n = entries.len() as f64;
        let idf = df
            .into_iter()
            .map(|(id, d)| (id, (1.0 + (n - d + 0.5) / (d + 0.5)).ln()))
            .collect();
        let average_length = if entries.is_empty() {
            1.0
        } else {
            (entries.iter().map(|e| e.length).sum::<f64>() / n).max(1.0)
        };
        Self {
            entries,
            idf,
            average_length,
        }
    }

    pub fn score(&self, indicator: usize, features: &[u32]) -> Option<Match> {
        let entry = self.entries.get(indicator)?;
        let norm = K1 * (1.0 - B + B * entry.length / self.average_length);
        let mut score = 0.0;
        let mut best: Option<(f64, u32, Field)> = None;
        for f in features {
            let Some(&(tf, field)) = entry.terms.get(f) else {
                continue;
            };
            let idf = self.idf.get(f).copied().unwrap_or(0.0);
            let part = idf * tf * (K1 + 1.0) / (tf + norm);
            score += part;
            if best.is_none_or(|(b, _, _)| part > b) {
                best = Some((part, *f, field));
            }
        }
        let (_, best, field) = best?;
        Some(Match {
            score,
            best,
            field: field.describe(),
        })
    }
}
