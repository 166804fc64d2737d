//! The words a unit is made of, as the recommender sees them: the search's tokenizer
//! ([`crate::search::tokenizer::analyze`]: lower-cased, accent-folded words, every CJK character
//! a token of its own), turned into features and phrases.
//!
//! - Features (the model and the codebook match): every word that is not a stop word, every pair
//!   of adjacent words (`critical infrastructure`), and every pair of adjacent CJK characters
//!   (`关键`, `键基`, ...: character bigrams need no dictionary).
//! - Phrases: runs of two or three words that neither start nor end with a stop word, and runs
//!   of three or four CJK characters.

use crate::search::tokenizer::{TextToken, analyze, is_cjk};

/// English function words: never a feature on their own, never the first or last word of a
/// phrase.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "but", "by", "can", "could", "do", "does", "each", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "more", "most", "must",
    "no", "not", "of", "on", "or", "other", "our", "shall", "she", "should", "so", "such", "than",
    "that", "the", "their", "them", "there", "these", "they", "this", "those", "to", "under",
    "upon", "us", "was", "we", "were", "what", "when", "which", "while", "who", "will", "with",
    "would", "you", "your",
];

pub(crate) fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// A token run: words, or CJK characters adjacent in the text.
#[derive(Debug, PartialEq)]
enum Run {
    Words(Vec<String>),
    Cjk(Vec<char>),
}

fn runs(text: &str) -> Vec<Run> {
    let tokens: Vec<TextToken> = analyze(text);
    let mut runs: Vec<Run> = Vec::new();
    let mut cjk_end: Option<usize> = None;
    for token in tokens {
        let mut chars = token.text.chars();
        let first = chars.next();
        let cjk = first.is_some_and(is_cjk) && chars.next().is_none();
        if cjk {
            let c = first.unwrap_or_default();
            match (runs.last_mut(), cjk_end) {
                (Some(Run::Cjk(run)), Some(end)) if end == token.chars.start => run.push(c),
                _ => runs.push(Run::Cjk(vec![c])),
            }
            cjk_end = Some(token.chars.end);
        } else {
            cjk_end = None;
            match runs.last_mut() {
                Some(Run::Words(run)) => run.push(token.text),
                _ => runs.push(Run::Words(vec![token.text])),
            }
        }
    }
    runs
}

/// The features and the phrases of `text` (see [`features`], [`phrases`]) from one pass of the
/// tokenizer.
pub(crate) fn features_and_phrases(text: &str) -> (Vec<String>, Vec<String>) {
    let runs = runs(text);
    (features_of(&runs), phrases_of(&runs))
}

/// The features of `text`, each once, in first-seen order.
pub(crate) fn features(text: &str) -> Vec<String> {
    features_of(&runs(text))
}

fn features_of(runs: &[Run]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for run in runs {
        match run {
            Run::Words(words) => {
                for (i, word) in words.iter().enumerate() {
                    if !is_stop_word(word) && word.chars().count() > 1 {
                        out.push(word.clone());
                    }
                    if let Some(next) = words.get(i + 1) {
                        out.push(format!("{word} {next}"));
                    }
                }
            }
            Run::Cjk(chars) => {
                if chars.len() == 1 {
                    out.push(chars[0].to_string());
                }
                for pair in chars.windows(2) {
                    out.push(pair.iter().collect());
                }
            }
        }
    }
    dedup_in_order(&mut out);
    out
}

/// Every feature of `text` with how often it occurs (for the codebook match, where repetition
/// in a definition says something).
pub(crate) fn feature_counts(text: &str) -> Vec<(String, u32)> {
    let mut counts: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut order = Vec::new();
    for run in runs(text) {
        let mut add = |feature: String| {
            let count = counts.entry(feature.clone()).or_insert(0);
            if *count == 0 {
                order.push(feature);
            }
            *count += 1;
        };
        match run {
            Run::Words(words) => {
                for (i, word) in words.iter().enumerate() {
                    if !is_stop_word(word) && word.chars().count() > 1 {
                        add(word.clone());
                    }
                    if let Some(next) = words.get(i + 1) {
                        add(format!("{word} {next}"));
                    }
                }
            }
            Run::Cjk(chars) => {
                if chars.len() == 1 {
                    add(chars[0].to_string());
                }
                for pair in chars.windows(2) {
                    add(pair.iter().collect());
                }
            }
        }
    }
    order
        .into_iter()
        .map(|f| {
            let n = counts[&f];
            (f, n)
        })
        .collect()
}

/// The phrases of `text`, each once: runs of 2–3 words that neither start nor end with a stop
/// word, runs of 3–4 CJK characters.
pub(crate) fn phrases(text: &str) -> Vec<String> {
    phrases_of(&runs(text))
}

fn phrases_of(runs: &[Run]) -> Vec<String> {
    let mut out = Vec::new();
    for run in runs {
        match run {
            Run::Words(words) => {
                for n in 2..=3 {
                    for window in words.windows(n) {
                        if is_stop_word(&window[0]) || is_stop_word(&window[n - 1]) {
                            continue;
                        }
                        out.push(window.join(" "));
                    }
                }
            }
            Run::Cjk(chars) => {
                for n in 3..=4 {
                    for window in chars.windows(n) {
                        out.push(window.iter().collect());
                    }
                }
            }
        }
    }
    dedup_in_order(&mut out);
    out
}

/// The content words of `text` (no stop words, no single letters), each once.
pub(crate) fn content_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = features(text)
        .into_iter()
        .filter(|f| !f.contains(' ') && f.chars().count() > 1)
        .collect();
    dedup_in_order(&mut out);
    out
}

fn dedup_in_order(items: &mut Vec<String>) {
    // Which to keep, decided on borrowed text (no copy of every item).
    let keep: Vec<bool> = {
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        seen.reserve(items.len());
        items
            .iter()
            .map(|item| seen.insert(item.as_str()))
            .collect()
    };
    let mut keep = keep.into_iter();
    items.retain(|_| keep.next().unwrap_or(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.is_sorted());
    }

    #[test]
    fn english_words_and_pairs() {
        let f = features("The critical infrastructure of States.");
        assert!(f.contains(&"critical".to_string()));
        assert!(f.contains(&"critical infrastructure".to_string()));
        assert!(f.contains(&"the critical".to_string()));
        assert!(!f.contains(&"the".to_string()));
    }

    #[test]
    fn chinese_character_bigrams_do_not_cross_punctuation() {
        let f = features("关键基础，设施");
        assert!(f.contains(&"关键".to_string()));
        assert!(f.contains(&"基础".to_string()));
        assert!(!f.contains(&"础设".to_string()), "{f:?}");
        assert!(f.contains(&"设施".to_string()));
    }

    #[test]
    fn phrases_skip_stop_word_edges() {
        let p = phrases("the responsible disclosure of vulnerabilities");
        assert!(p.contains(&"responsible disclosure".to_string()));
        assert!(p.contains(&"disclosure of vulnerabilities".to_string()));
        assert!(!p.iter().any(|p| p.starts_with("the ")));
        let zh = phrases("负责任地报告漏洞");
        assert!(zh.contains(&"报告漏洞".to_string()));
    }
}
