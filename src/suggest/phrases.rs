//! Evidence 1: phrases. The phrases of coded spans, of units coded more than once with the same
//! indicator, and of the codebook's labels, include rules and examples, matched in a new unit;
//! a phrase's strength for an indicator is how often units that have it were coded with it.
//! Words of an indicator's exclude rule that its own definition does not use count against it.

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use super::features::{content_words, phrases};

/// Where a phrase came from in the codebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Label,
    Include,
    Example,
}

impl Origin {
    fn describe(self) -> &'static str {
        match self {
            Origin::Label => "label",
            Origin::Include => "include rule",
            Origin::Example => "example",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// Training units that have the phrase.
    units: f64,
    /// Per indicator position: units with the phrase coded with it.
    coded: Vec<(usize, f64)>,
    /// The indicators whose codebook text has it.
    codebook: Vec<(usize, Origin)>,
    /// Indicators it may speak for: from their codebook text, a span coded with them, or two
    /// units coded with them.
    candidates: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Phrases {
    table: FxHashMap<String, Stats>,
    /// Per indicator position: its exclude rules' words that its own text does not use.
    exclude: Vec<HashSet<String>>,
}

/// The strongest phrase for one indicator in one unit.
pub(crate) struct Match {
    pub strength: f64,
    pub reason: String,
}

/// One training unit as the phrase table sees it: its phrases ([`super::features::phrases`]),
/// its codes, and the phrases of each of its coded spans with the span's codes.
pub(crate) struct Row<'a> {
    pub phrases: &'a [String],
    pub codes: &'a [usize],
    pub spans: &'a [(Vec<String>, Vec<usize>)],
}

/// An indicator's codebook text, all languages.
pub(crate) struct CodebookText {
    pub label: Vec<String>,
    pub definition: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub examples: Vec<String>,
}

impl Phrases {
    pub fn train(codebook: &[CodebookText], rows: &[Row]) -> Self {
        // The phrases of the codebook's labels, include rules and examples, per indicator.
        let codebook_phrases: Vec<Vec<(Origin, Vec<String>)>> = codebook
            .iter()
            .map(|text| {
                [
                    (Origin::Label, &text.label),
                    (Origin::Include, &text.include),
                    (Origin::Example, &text.examples),
                ]
                .into_iter()
                .flat_map(|(origin, items)| items.iter().map(move |item| (origin, phrases(item))))
                .collect()
            })
            .collect();
        // Counted on the rows' own text: only the phrases kept below are copied.
        let mut table: FxHashMap<&str, Stats> = FxHashMap::default();
        for row in rows {
            for phrase in row.phrases {
                let stats = table.entry(phrase.as_str()).or_default();
                stats.units += 1.0;
                for &c in row.codes {
                    match stats.coded.iter_mut().find(|(i, _)| *i == c) {
                        Some((_, n)) => *n += 1.0,
                        None => stats.coded.push((c, 1.0)),
                    }
                }
            }
            for (span_phrases, codes) in row.spans {
                for phrase in span_phrases {
                    if let Some(stats) = table.get_mut(phrase.as_str()) {
                        stats.candidates.extend(codes.iter().copied());
                    }
                }
            }
        }
        for (c, fields) in codebook_phrases.iter().enumerate() {
            for (origin, item_phrases) in fields {
                for phrase in item_phrases {
                    let stats = table.entry(phrase.as_str()).or_default();
                    if !stats.codebook.iter().any(|(i, _)| *i == c) {
                        stats.codebook.push((c, *origin));
                        stats.candidates.push(c);
                    }
                }
            }
        }
        // Keep only what speaks for some indicator: the table of every phrase of every unit
        // would be most of the corpus again.
        let table: FxHashMap<String, Stats> = table
            .into_iter()
            .filter_map(|(phrase, mut stats)| {
                for &(c, n) in &stats.coded {
                    if n >= 2.0 {
                        stats.candidates.push(c);
                    }
                }
                stats.candidates.sort_unstable();
                stats.candidates.dedup();
                (!stats.candidates.is_empty()).then(|| (phrase.to_string(), stats))
            })
            .collect();
        let exclude = codebook
            .iter()
            .map(|text| {
                let own: HashSet<String> = text
                    .label
                    .iter()
                    .chain(&text.definition)
                    .chain(&text.include)
                    .chain(&text.examples)
                    .flat_map(|t| content_words(t))
                    .collect();
                text.exclude
                    .iter()
                    .flat_map(|t| content_words(t))
                    .filter(|w| {
                        !w.chars().all(crate::search::tokenizer::is_cjk) && !own.contains(w)
                    })
                    .collect()
            })
            .collect();
        Self { table, exclude }
    }

    /// The unit's phrases ([`super::features::phrases`]), looked up once for all indicators.
    pub fn matches(&self, unit_phrases: &[String]) -> Vec<(&str, &Stats)> {
        unit_phrases
            .iter()
            .filter_map(|p| self.table.get_key_value(p.as_str()))
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    /// The phrase of the unit that speaks most for `indicator`: how much more often than the
    /// indicator's share of all training units (`base`) units with it were coded with it,
    /// shrunk towards nothing for a phrase seen in few units. A phrase of the indicator's
    /// codebook text counts as one unit coded with it.
    pub fn strongest(found: &[(&str, &Stats)], indicator: usize, base: f64) -> Option<Match> {
        let mut best: Option<(f64, String)> = None;
        for (phrase, stats) in found {
            if !stats.candidates.contains(&indicator) {
                continue;
            }
            let coded = stats
                .coded
                .iter()
                .find(|(i, _)| *i == indicator)
                .map_or(0.0, |(_, n)| *n);
            let origin = stats
                .codebook
                .iter()
                .find(|(i, _)| *i == indicator)
                .map(|(_, o)| *o);
            let prior = if origin.is_some() { 1.0 } else { 0.0 };
            if coded + prior == 0.0 {
                continue;
            }
            let units = stats.units + prior;
            let strength = (coded + prior - units * base) / (units + 2.0);
            if strength <= 0.0 {
                continue;
            }
            if best.as_ref().is_some_and(|(s, _)| *s >= strength) {
                continue;
            }
            let reason = if coded > 0.0 {
                format!("phrase “{phrase}” coded {coded}× with")
            } else {
                format!(
                    "phrase “{phrase}” from the codebook's {} of",
                    origin.map_or("text", Origin::describe)
                )
            };
            best = Some((strength, reason));
        }
        best.map(|(strength, reason)| Match { strength, reason })
    }

    /// The indicator's exclude words found in the unit's content words.
    pub fn excluded<'a>(&self, indicator: usize, words: &'a HashSet<String>) -> Vec<&'a str> {
        let Some(exclude) = self.exclude.get(indicator) else {
            return Vec::new();
        };
        let mut found: Vec<&str> = words
            .iter()
            .filter(|w| exclude.contains(*w))
            .map(String::as_str)
            .collect();
        found.sort_unstable();
        found
    }
}
