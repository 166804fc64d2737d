//! Common CJK phrases, indexed as terms of their own.
//!
//! The index stores CJK text as bigrams ([`super::tokenizer`]), so `关键基础设施` is the phrase
//! `关键` `基础` `设施`: three terms whose positions must be checked in every unit that has all
//! three. That is fast for a rare phrase, but a phrase found in a sixth of a large corpus costs
//! milliseconds of position checks. Like the "common grams" of Lucene and Elasticsearch, a
//! full build therefore picks the CJK phrases of 3 to [`MAX_GRAM_CHARS`] characters that are
//! common in the corpus (in at least [`GramRule::min_units`] units, estimated from a sample of
//! units), and a field of their own (without positions) holds, for each CJK character of a
//! unit, the longest of them that starts there ([`GramTokenizer`]). A gram `g` is then at every
//! place where one of the grams that start with `g` is stored (the longest gram at a place
//! where `g` starts is `g` or longer), so a query for a gram is a few terms and no position
//! checks ([`CommonGrams::extensions`]); other phrases are searched as bigrams.
//!
//! The list is chosen once, when the index is built from scratch, and kept with it: documents
//! added later are indexed with the same list, so a gram is in the index wherever the text
//! has it, and a query may use it. Which phrases are on the list only changes speed: a phrase
//! finds exactly the units that contain it either way.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::tokenizer::is_cjk;

/// The longest gram, in characters. Longer phrases are covered by several grams.
pub const MAX_GRAM_CHARS: usize = 8;
/// The shortest gram: shorter phrases are one bigram already.
const MIN_GRAM_CHARS: usize = 3;

/// Which phrases become grams.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GramRule {
    /// A phrase must be in at least this many units...
    pub min_units: usize,
    /// ...and in at least this share of all units.
    pub min_share: f64,
    /// Units looked at to estimate how common a phrase is (evenly spread over the corpus).
    pub sample_units: usize,
    /// The most grams kept (the commonest).
    pub max_grams: usize,
}

impl Default for GramRule {
    /// A phrase in fewer than 2,000 units is searched in well under a millisecond as bigrams;
    /// above that, and above 0.5% of the corpus, it is worth a term of its own.
    fn default() -> Self {
        Self {
            min_units: 2_000,
            min_share: 0.005,
            sample_units: 4_000,
            max_grams: 10_000,
        }
    }
}

/// The grams of an index, and how to find them in text and in a query.
#[derive(Debug, Clone, Default)]
pub struct CommonGrams {
    /// Sorted, as stored next to the index.
    grams: Vec<String>,
    /// The same, as characters, to look up windows of text.
    set: FxHashSet<Vec<char>>,
    /// For the first two characters of grams, the lengths of the grams that start with them
    /// (bit n for n characters): most places in a text start none.
    lengths_by_start: FxHashMap<[char; 2], u16>,
}

impl CommonGrams {
    /// The grams in `grams` that are runs of 3 to [`MAX_GRAM_CHARS`] CJK characters (others
    /// are ignored: an index meta file edited by hand must not break tokenizing).
    pub fn new(grams: impl IntoIterator<Item = String>) -> Self {
        let mut grams: Vec<String> = grams.into_iter().filter(|g| is_gram(g)).collect();
        grams.sort();
        grams.dedup();
        let set: FxHashSet<Vec<char>> = grams.iter().map(|g| g.chars().collect()).collect();
        let mut lengths_by_start = FxHashMap::default();
        for gram in &set {
            *lengths_by_start.entry([gram[0], gram[1]]).or_default() |= 1u16 << gram.len();
        }
        Self {
            grams,
            set,
            lengths_by_start,
        }
    }

    /// Picks the grams of a corpus, given the text of all its units, by `rule`.
    pub fn select(units: &[&str], rule: &GramRule) -> Self {
        Self::new(select(units, rule))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.grams
    }

    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// For each place in `text` where a gram starts, the longest one, as a byte range; by start.
    pub fn longest_at_each_start(&self, text: &str) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        if self.grams.is_empty() {
            return found;
        }
        for run in cjk_runs(text) {
            let run_chars: Vec<char> = run.iter().map(|&(_, c)| c).collect();
            for start in 0..run_chars.len().saturating_sub(MIN_GRAM_CHARS - 1) {
                let Some(&lengths) = self
                    .lengths_by_start
                    .get(&[run_chars[start], run_chars[start + 1]])
                else {
                    continue;
                };
                let longest = (MIN_GRAM_CHARS..=(run_chars.len() - start).min(MAX_GRAM_CHARS))
                    .rev()
                    .filter(|n| lengths & (1 << n) != 0)
                    .find(|n| self.set.contains(&run_chars[start..start + n]));
                if let Some(n) = longest {
                    let end = run.get(start + n).map_or_else(
                        || run[start + n - 1].0 + run[start + n - 1].1.len_utf8(),
                        |&(at, _)| at,
                    );
                    found.push(run[start].0..end);
                }
            }
        }
        found
    }

    /// Whether `text` is one of the grams.
    pub fn contains(&self, text: &str) -> bool {
        self.grams
            .binary_search_by(|g| g.as_str().cmp(text))
            .is_ok()
    }

    /// The grams that start with `gram` (itself included): the terms the index stores where
    /// `gram` is, when it is a gram.
    pub fn extensions(&self, gram: &str) -> &[String] {
        let from = self.grams.partition_point(|g| g.as_str() < gram);
        let to = from + self.grams[from..].partition_point(|g| g.starts_with(gram));
        &self.grams[from..to]
    }
}

/// The tokenizer of the grams field: at each place where grams start, the longest one (see
/// the module documentation). Positions are not stored, so they are simply counted.
#[derive(Clone)]
pub struct GramTokenizer {
    grams: Arc<CommonGrams>,
    token: Token,
}

impl GramTokenizer {
    pub fn new(grams: Arc<CommonGrams>) -> Self {
        Self {
            grams,
            token: Token::default(),
        }
    }
}

pub struct GramTokenStream<'a> {
    text: &'a str,
    found: std::vec::IntoIter<Range<usize>>,
    token: &'a mut Token,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramTokenStream<'a> {
        self.token.reset();
        GramTokenStream {
            text,
            found: self.grams.longest_at_each_start(text).into_iter(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for GramTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(range) = self.found.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(&self.text[range.clone()]);
        self.token.offset_from = range.start;
        self.token.offset_to = range.end;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

fn is_gram(text: &str) -> bool {
    let n = text.chars().count();
    (MIN_GRAM_CHARS..=MAX_GRAM_CHARS).contains(&n) && text.chars().all(is_cjk)
}

/// The runs of adjacent CJK characters in `text`, with their byte offsets.
fn cjk_runs(text: &str) -> impl Iterator<Item = Vec<(usize, char)>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while chars.peek().is_some_and(|&(_, c)| !is_cjk(c)) {
            chars.next();
        }
        let mut run = Vec::new();
        while let Some(&(at, c)) = chars.peek()
            && is_cjk(c)
        {
            run.push((at, c));
            chars.next();
        }
        (!run.is_empty()).then_some(run)
    })
}

/// See [`CommonGrams::select`]. A phrase can only be common if each of its bigrams is, so
/// the bigrams are counted first and only runs of common bigrams are read for longer phrases.
fn select(units: &[&str], rule: &GramRule) -> Vec<String> {
    let threshold = (rule.min_units as f64).max(rule.min_share * units.len() as f64);
    if units.is_empty() || (units.len() as f64) < threshold || rule.max_grams == 0 {
        return Vec::new();
    }
    let step = units.len().div_ceil(rule.sample_units.max(1));
    let sample: Vec<Vec<Vec<char>>> = units
        .iter()
        .step_by(step)
        .map(|text| {
            cjk_runs(text)
                .filter(|run| run.len() >= MIN_GRAM_CHARS)
                .map(|run| run.into_iter().map(|(_, c)| c).collect())
                .collect()
        })
        .collect();
    // A phrase in `threshold` of all units is expected in this many units of the sample.
    let needed = ((threshold * sample.len() as f64 / units.len() as f64).ceil() as u32).max(1);

    let mut bigram_units: HashMap<[char; 2], u32> = HashMap::new();
    let mut seen = HashSet::new();
    for runs in &sample {
        seen.clear();
        for run in runs {
            for pair in run.windows(2) {
                if seen.insert([pair[0], pair[1]]) {
                    *bigram_units.entry([pair[0], pair[1]]).or_default() += 1;
                }
            }
        }
    }
    let common_bigram = |pair: &[char]| {
        bigram_units
            .get(&[pair[0], pair[1]])
            .is_some_and(|&n| n >= needed)
    };

    let mut gram_units: HashMap<&[char], u32> = HashMap::new();
    let mut seen: HashSet<&[char]> = HashSet::new();
    for runs in &sample {
        seen.clear();
        for run in runs {
            let common: Vec<bool> = run.windows(2).map(common_bigram).collect();
            for start in 0..run.len() {
                // The longest stretch from `start` whose bigrams are all common.
                let stretch = common[start.min(common.len())..]
                    .iter()
                    .take_while(|&&c| c)
                    .count();
                let longest = (stretch + 1).min(MAX_GRAM_CHARS);
                for n in MIN_GRAM_CHARS..=longest {
                    let gram = &run[start..start + n];
                    if seen.insert(gram) {
                        *gram_units.entry(gram).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut common: Vec<(u32, String)> = gram_units
        .into_iter()
        .filter(|&(_, n)| n >= needed)
        .map(|(gram, n)| (n, gram.iter().collect()))
        .collect();
    // The commonest first, then in text order, so the choice does not depend on hashing.
    common.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    common.truncate(rule.max_grams);
    common.into_iter().map(|(_, gram)| gram).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(min_units: usize) -> GramRule {
        GramRule {
            min_units,
            min_share: 0.0,
            sample_units: 1_000,
            max_grams: 100,
        }
    }

    #[test]
    fn phrases_in_enough_units_become_grams_with_their_parts() {
        let mut units = vec!["关键基础设施的保护"; 30];
        units.extend(["网络安全与关键基础设施"; 10]);
        units.extend(["信息通信技术"; 5]);
        units.extend(["no chinese here"; 20]);
        let grams = CommonGrams::select(&units, &rule(40));
        assert!(grams.as_slice().contains(&"关键基础设施".to_string()));
        assert!(grams.as_slice().contains(&"基础设".to_string()));
        // In 30 units only, below 40.
        assert!(!grams.as_slice().contains(&"施的保".to_string()));
        assert!(!grams.as_slice().iter().any(|g| g.contains('信')));
        assert!(grams.as_slice().iter().all(|g| is_gram(g)));
    }

    #[test]
    fn small_corpora_get_no_grams() {
        let units = vec!["关键基础设施"; 100];
        assert!(CommonGrams::select(&units, &GramRule::default()).is_empty());
    }

    fn tokens(grams: CommonGrams, text: &str) -> Vec<String> {
        let mut tokenizer = GramTokenizer::new(Arc::new(grams));
        let mut stream = tokenizer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().text.clone());
        }
        tokens
    }

    #[test]
    fn the_field_holds_the_longest_gram_at_each_place_one_starts() {
        let grams =
            CommonGrams::new(["基础设施", "关键基础", "关键基础设施", "础设施"].map(String::from));
        assert_eq!(
            tokens(grams, "x关键基础设施，基础设施"),
            ["关键基础设施", "基础设施", "础设施", "基础设施", "础设施"]
        );
        assert!(tokens(CommonGrams::default(), "关键基础设施").is_empty());
    }

    proptest::proptest! {
        /// The field holds, at each place, the longest gram that the text has there: checked
        /// against trying every gram at every character.
        #[test]
        fn the_longest_gram_at_each_place_is_found(
            text in "[关键基础设施a ，]{0,40}",
            grams in proptest::collection::vec("[关键基础设施]{3,8}", 0..12),
        ) {
            let grams = CommonGrams::new(grams);
            let mut expected = Vec::new();
            for (start, _) in text.char_indices() {
                let longest = grams
                    .as_slice()
                    .iter()
                    .filter(|g| text[start..].starts_with(g.as_str()))
                    .max_by_key(|g| g.len());
                if let Some(gram) = longest {
                    expected.push(start..start + gram.len());
                }
            }
            proptest::prop_assert_eq!(grams.longest_at_each_start(&text), expected);
        }
    }

    #[test]
    fn grams_are_runs_of_cjk_characters_and_know_their_extensions() {
        let grams = CommonGrams::new(
            [
                "关键基",
                "关键基础设施",
                "abc",
                "关键",
                "关键基础",
                "关闭设施",
            ]
            .map(String::from),
        );
        assert_eq!(
            grams.as_slice(),
            ["关键基", "关键基础", "关键基础设施", "关闭设施"],
            "not CJK or too short"
        );
        assert_eq!(
            grams.extensions("关键基"),
            ["关键基", "关键基础", "关键基础设施"]
        );
        assert_eq!(grams.extensions("关键基础设施"), ["关键基础设施"]);
        assert!(grams.extensions("键基础").is_empty());
        assert!(grams.contains("关键基础") && !grams.contains("键基础"));
    }
}
