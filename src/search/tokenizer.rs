//! The tokenizer shared by the index and the query side: every Han (and other CJK) character is
//! a token of its own, runs of Latin letters and digits are words, everything else separates.
//!
//! Positions are sequential over all tokens, so the phrase `关键基础设施` is six tokens at
//! consecutive positions and any substring of it is a phrase query that matches exactly there.
//! Offsets are byte offsets into the analysed text, as tantivy expects; [`analyze`] turns them
//! into code points for callers that show them.

use std::ops::Range;
use std::str::CharIndices;

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// The name the text tokenizer is registered under in every index.
pub const TEXT_TOKENIZER: &str = "normcode_text";
/// The name of the tokenizer for identifiers (codes, coders, document ids): the whole value,
/// lower-cased.
pub const KEYWORD_TOKENIZER: &str = "normcode_keyword";

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

/// Splits text into CJK characters and lower-cased words; drops punctuation and spaces.
#[derive(Clone, Default)]
pub struct CjkTokenizer {
    token: Token,
}

pub struct CjkTokenStream<'a> {
    chars: std::iter::Peekable<CharIndices<'a>>,
    text: &'a str,
    token: &'a mut Token,
    next_position: usize,
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
        }
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        while let Some((start, c)) = self.chars.next() {
            if is_cjk(c) {
                self.token.offset_from = start;
                self.token.offset_to = start + c.len_utf8();
                self.token.text.push(c);
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

/// The analyzer for text fields: [`CjkTokenizer`], long tokens dropped, accents folded
/// (`é` → `e`).
pub fn text_analyzer() -> TextAnalyzer {
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

/// Registers both analyzers; must follow every open or creation of an index, since tantivy
/// does not store custom tokenizers.
pub fn register(index: &Index) {
    index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
    index
        .tokenizers()
        .register(KEYWORD_TOKENIZER, keyword_analyzer());
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

/// Runs the text analyzer over `text`, the way the index sees it.
pub fn analyze(text: &str) -> Vec<TextToken> {
    let mut analyzer = text_analyzer();
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

/// The indexed terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    analyze(text).into_iter().map(|t| t.text).collect()
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
    fn keyword_values_are_whole_and_lower_cased() {
        let mut analyzer = keyword_analyzer();
        let mut stream = analyzer.token_stream("Alice:VU01");
        assert!(stream.advance());
        assert_eq!(stream.token().text, "alice:vu01");
        assert!(!stream.advance());
    }
}
