//! The tokenizers of the index and the query side: runs of Latin letters and digits are words,
//! CJK characters are taken one position each, everything else separates.
//!
//! Positions are sequential over all tokens, one per word and one per CJK character, in both
//! forms below, so a phrase's positions are the same whichever form is used.
//!
//! - [`analyze`] (the query side and highlighting) makes every CJK character a token of its own.
//! - The index ([`text_analyzer`]) stores, at each CJK character's position, the *bigram* of
//!   that character and the next one of the same run (`关键基础设施` is `关键` `键基` `基础`
//!   `础设` `设施` `施`), and for the last character of a run the character alone; between
//!   two CJK characters that are not adjacent (`关键，基础`) it leaves a position free. As in
//!   Lucene's CJK bigram analyzer, a phrase of n characters then needs about n / 2 much rarer
//!   terms instead of n very common ones. [`query_terms`] turns analysed query text into index
//!   terms: non-overlapping bigrams at their positions, the last odd character as one more
//!   overlapping bigram, and a lone last character as "any term that starts with it", so any
//!   CJK substring still finds exactly the units that contain it.
//!
//! Offsets are byte offsets into the analysed text, as tantivy expects; [`analyze`] turns them
//! into code points for callers that show them.

use std::ops::Range;
use std::str::CharIndices;
use std::sync::Arc;

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

use super::grams::{CommonGrams, GramTokenizer};

/// The name the text tokenizer is registered under in every index.
pub const TEXT_TOKENIZER: &str = "normcode_text";
/// The name of the tokenizer for identifiers (codes, coders, document ids): the whole value,
/// lower-cased.
pub const KEYWORD_TOKENIZER: &str = "normcode_keyword";
/// The name of the tokenizer of the grams field ([`GramTokenizer`]).
pub const GRAMS_TOKENIZER: &str = "normcode_grams";

/// Tokens longer than this (in bytes) are not indexed: they are never words a person types.
const MAX_TOKEN_BYTES: usize = 100;

/// Characters that are a token each: Han ideographs of all blocks, kana, Hangul, bopomofo.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005..=0x3007          // 々 〆 〇
        | 0x3021..=0x3029        // Suzhou numerals
        | 0x3038..=0x303B
        | 0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3100..=0x312F        // Bopomofo
        | 0x3131..=0x318E        // Hangul compatibility jamo
        | 0x31A0..=0x31BF        // Bopomofo extended
        | 0x31F0..=0x31FF        // Katakana phonetic extensions
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xAC00..=0xD7AF        // Hangul syllables
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFF66..=0xFF9D        // half-width katakana
        | 0x20000..=0x323AF      // extensions B to H, compatibility supplement
    )
}

/// Letters, digits and combining marks continue a word (unless they are CJK).
fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() || matches!(c as u32, 0x0300..=0x036F)) && !is_cjk(c)
}

/// Full-width ASCII letters and digits (`Ａ`, `１`) read as their ASCII forms.
fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// Splits text into CJK characters (or bigrams) and lower-cased words; drops punctuation and
/// spaces.
#[derive(Clone, Default)]
pub struct CjkTokenizer {
    token: Token,
    /// The index form: a CJK character followed by another of the same run is stored as the
    /// pair (see the module documentation).
    bigrams: bool,
}

impl CjkTokenizer {
    /// The index form: CJK bigrams, a run's last character alone.
    pub fn bigrams() -> Self {
        Self {
            token: Token::default(),
            bigrams: true,
        }
    }
}

pub struct CjkTokenStream<'a> {
    chars: std::iter::Peekable<CharIndices<'a>>,
    text: &'a str,
    token: &'a mut Token,
    next_position: usize,
    bigrams: bool,
    /// Where the last CJK character (the first of its token) ended, when the last token was
    /// one: the index leaves a position free between CJK characters that are not adjacent.
    cjk_end: Option<usize>,
}

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream<'a> {
        self.token.reset();
        CjkTokenStream {
            chars: text.char_indices().peekable(),
            text,
            token: &mut self.token,
            next_position: 0,
            bigrams: self.bigrams,
            cjk_end: None,
        }
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        while let Some((start, c)) = self.chars.next() {
            if is_cjk(c) {
                // `关键，基础` must not hold the phrase `关键基础`: with a free position between
                // `键` and `基`, non-overlapping bigrams at consecutive positions can only
                // match adjacent characters.
                if self.bigrams && self.cjk_end.is_some_and(|end| end != start) {
                    self.next_position += 1;
                }
                self.cjk_end = Some(start + c.len_utf8());
                self.token.offset_from = start;
                self.token.offset_to = start + c.len_utf8();
                self.token.text.push(c);
                // The next character is not consumed: it gets its own position (and bigram).
                if self.bigrams
                    && let Some(&(at, next)) = self.chars.peek()
                    && is_cjk(next)
                {
                    self.token.text.push(next);
                    self.token.offset_to = at + next.len_utf8();
                }
            } else if is_word_char(c) {
                let mut end = start + c.len_utf8();
                self.token.text.extend(fold_width(c).to_lowercase());
                while let Some(&(at, next)) = self.chars.peek() {
                    if !is_word_char(next) {
                        break;
                    }
                    self.token.text.extend(fold_width(next).to_lowercase());
                    end = at + next.len_utf8();
                    self.chars.next();
                }
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.cjk_end = None;
            } else {
                continue;
            }
            debug_assert!(self.text.is_char_boundary(self.token.offset_to));
            self.token.position = self.next_position;
            self.token.position_length = 1;
            self.next_position += 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer of the index's text fields: [`CjkTokenizer::bigrams`], long tokens dropped,
/// accents folded (`é` → `e`).
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CjkTokenizer::bigrams())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The query side's analyzer: as [`text_analyzer`], but every CJK character alone.
fn character_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CjkTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The analyzer for identifiers: the whole value as one token, lower-cased.
pub fn keyword_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// Registers the analyzers, the grams one with the index's grams; must follow every open or
/// creation of an index, since tantivy does not store custom tokenizers.
pub fn register(index: &Index, grams: Arc<CommonGrams>) {
    index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
    index
        .tokenizers()
        .register(KEYWORD_TOKENIZER, keyword_analyzer());
    index.tokenizers().register(
        GRAMS_TOKENIZER,
        TextAnalyzer::from(GramTokenizer::new(grams)),
    );
}

/// One token of analysed text, with its place in code points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextToken {
    /// The indexed form: lower-cased, accents folded.
    pub text: String,
    /// Byte offsets in the analysed text.
    pub bytes: Range<usize>,
    /// Code point offsets in the analysed text.
    pub chars: Range<usize>,
    pub position: usize,
}

/// Runs the query side's analyzer over `text`: words and single CJK characters, at the positions
/// the index has them.
pub fn analyze(text: &str) -> Vec<TextToken> {
    let mut analyzer = character_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    // Byte offsets grow monotonically, so code points are counted in one pass.
    let (mut byte_at, mut char_at) = (0usize, 0usize);
    let mut to_chars = |byte: usize| {
        if byte >= byte_at {
            char_at += text[byte_at..byte].chars().count();
        } else {
            char_at = text[..byte].chars().count();
        }
        byte_at = byte;
        char_at
    };
    while stream.advance() {
        let token = stream.token();
        let start = to_chars(token.offset_from);
        let end = to_chars(token.offset_to);
        tokens.push(TextToken {
            text: token.text.clone(),
            bytes: token.offset_from..token.offset_to,
            chars: start..end,
            position: token.position,
        });
    }
    tokens
}

/// The words and CJK characters of `text`, in order (see [`analyze`]).
pub fn terms(text: &str) -> Vec<String> {
    analyze(text).into_iter().map(|t| t.text).collect()
}

/// The terms the index stores for `text`, with their positions.
pub fn indexed_terms(text: &str) -> Vec<(usize, String)> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        let token = stream.token();
        terms.push((token.position, token.text.clone()));
    }
    terms
}

/// One term of a query, in the index's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryTerm {
    /// This term at this position.
    Exact(usize, String),
    /// Any term that starts with this CJK character: the character alone (last of its run) or
    /// a bigram it begins. Only ever the last term of a query.
    StartsWith(usize, char),
}

impl QueryTerm {
    pub fn position(&self) -> usize {
        match self {
            QueryTerm::Exact(position, _) | QueryTerm::StartsWith(position, _) => *position,
        }
    }
}

fn single_cjk(token: &TextToken) -> Option<char> {
    let mut chars = token.text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if is_cjk(c) => Some(c),
        _ => None,
    }
}

/// The index terms that find the phrase `tokens` (from [`analyze`]) exactly where the index
/// has it. CJK characters at consecutive positions are read as one run (what separates them in
/// the query does not matter; in the text they must be adjacent):
///
/// - a run of two or more becomes its non-overlapping bigrams (`关键` `基础` `设施` for
///   `关键基础设施`), plus, when its length is odd, the bigram of its last two characters;
/// - a lone character followed by a word is the last of its run in the text, so it is stored
///   alone: an exact term;
/// - a lone character at the end may be followed by anything in the text: [`QueryTerm::StartsWith`].
pub fn query_terms(tokens: &[TextToken]) -> Vec<QueryTerm> {
    let mut terms = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let run_end = tokens[i..]
            .iter()
            .position(|t| single_cjk(t).is_none())
            .map_or(tokens.len(), |n| i + n);
        if run_end == i {
            terms.push(QueryTerm::Exact(tokens[i].position, tokens[i].text.clone()));
            i += 1;
            continue;
        }
        let run: Vec<char> = tokens[i..run_end].iter().filter_map(single_cjk).collect();
        let at = |k: usize| tokens[i + k].position;
        let pair = |k: usize| [run[k], run[k + 1]].iter().collect::<String>();
        match run.len() {
            1 if run_end < tokens.len() => terms.push(QueryTerm::Exact(at(0), run[0].to_string())),
            1 => terms.push(QueryTerm::StartsWith(at(0), run[0])),
            n => {
                for k in (0..n - 1).step_by(2) {
                    terms.push(QueryTerm::Exact(at(k), pair(k)));
                }
                if n % 2 == 1 {
                    terms.push(QueryTerm::Exact(at(n - 2), pair(n - 2)));
                }
            }
        }
        i = run_end;
    }
    terms
}

/// The single keyword term of an identifier (`VU01` → `vu01`).
pub fn keyword_term(value: &str) -> String {
    value.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_characters_are_single_tokens_with_sequential_positions() {
        let tokens = analyze("关键基础设施");
        let texts: Vec<_> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["关", "键", "基", "础", "设", "施"]);
        let positions: Vec<_> = tokens.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4, 5]);
        assert_eq!(tokens[1].bytes, 3..6, "byte offsets, as tantivy expects");
        assert_eq!(tokens[1].chars, 1..2);
    }

    #[test]
    fn mixed_text_lowercases_words_and_drops_punctuation() {
        let tokens = analyze("ICT安全, Résumé of A/70/174！（ＵＮ１２）");
        let texts: Vec<_> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["ict", "安", "全", "resume", "of", "a", "70", "174", "un12"]
        );
        let text = "ICT安全, Résumé of A/70/174！（ＵＮ１２）";
        let resume = &tokens[3];
        assert_eq!(&text[resume.bytes.clone()], "Résumé");
        let chars: Vec<char> = text.chars().collect();
        let from_chars: String = chars[resume.chars.clone()].iter().collect();
        assert_eq!(from_chars, "Résumé");
    }

    #[test]
    fn the_index_stores_bigrams_and_the_last_character_of_a_run() {
        let terms = indexed_terms("关键基础设施，安 ICT安全");
        let expected = [
            (0, "关键"),
            (1, "键基"),
            (2, "基础"),
            (3, "础设"),
            (4, "设施"),
            (5, "施"),
            // A free position: `施` and `安` are not adjacent.
            (7, "安"),
            (8, "ict"),
            (9, "安全"),
            (10, "全"),
        ];
        let expected: Vec<(usize, String)> =
            expected.iter().map(|(p, t)| (*p, t.to_string())).collect();
        assert_eq!(terms, expected, "one term per CJK character or word");
        let positions: Vec<usize> = analyze("关键基础设施，安 ICT安全")
            .iter()
            .map(|t| t.position)
            .collect();
        assert_eq!(positions, (0..10).collect::<Vec<_>>());
    }

    fn query(text: &str) -> Vec<QueryTerm> {
        query_terms(&analyze(text))
    }

    fn exact(position: usize, text: &str) -> QueryTerm {
        QueryTerm::Exact(position, text.to_string())
    }

    #[test]
    fn queries_use_non_overlapping_bigrams_and_a_prefix_for_a_lone_last_character() {
        assert_eq!(query("关"), [QueryTerm::StartsWith(0, '关')]);
        assert_eq!(query("关键"), [exact(0, "关键")]);
        assert_eq!(query("关键基"), [exact(0, "关键"), exact(1, "键基")]);
        assert_eq!(query("关键基础"), [exact(0, "关键"), exact(2, "基础")]);
        assert_eq!(
            query("关键基础设"),
            [exact(0, "关键"), exact(2, "基础"), exact(3, "础设")]
        );
        assert_eq!(
            query("关键基础设施"),
            [exact(0, "关键"), exact(2, "基础"), exact(4, "设施")]
        );
        // A lone character before a word ends its run in the text: stored alone.
        assert_eq!(query("安 ICT"), [exact(0, "安"), exact(1, "ict")]);
        assert_eq!(
            query("ICT安"),
            [exact(0, "ict"), QueryTerm::StartsWith(1, '安')]
        );
        assert_eq!(
            query("ICT安全 framework"),
            [exact(0, "ict"), exact(1, "安全"), exact(3, "framework")]
        );
        // What separates characters in the query does not split the run.
        assert_eq!(query("关 键"), [exact(0, "关键")]);
        assert_eq!(query("vulnerabilities"), [exact(0, "vulnerabilities")]);
        assert!(query("，。").is_empty());
    }

    #[test]
    fn keyword_values_are_whole_and_lower_cased() {
        let mut analyzer = keyword_analyzer();
        let mut stream = analyzer.token_stream("Alice:VU01");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "alice:vu01");
        assert!(!stream.advance());
    }
}
