//! How the coder-file writer spells one YAML scalar, so that its bytes are serde-saphyr's, and
//! which spellings the fast reader accepts.
//!
//! Two sources decide a spelling:
//!
//! - Our own rule, [`is_surely_plain`], deliberately narrow: a string that starts with a letter
//!   (so it can be no number, date, time or null), is none of the YAML 1.1/1.2 special words,
//!   holds only printable characters of a short list, no `: ` or ` #`, no surrounding space, no
//!   flow indicator where one matters, and is short enough never to be folded. Such a string
//!   is plain in any YAML reader, and serde-saphyr writes it plain too (`tests.rs` checks it).
//! - serde-saphyr itself for everything else: [`Spellings`] serializes the one string in the
//!   same place (a mapping value, a flow-sequence item, a mapping key) and keeps the scalar it
//!   wrote, memoised for the rest of one write or read (unit ids such as `"1"` or `13.a`
//!   repeat a lot). Those bytes are serde-saphyr's by construction.
//!
//! The reader accepts a scalar's text only if it is exactly what [`Spellings`] gives for the
//! string it stands for, so whatever it accepts is something serde-saphyr writes, and reads
//! back, as that string.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Strings longer than this many characters may be written by serde-saphyr as folded block
/// scalars (`>`); our own rule leaves them to serde-saphyr.
pub const FOLDED_WRAP_CHARS: usize = 80;

/// Where a scalar stands, which changes how it may be spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A block mapping value (`key: VALUE`).
    Value,
    /// An item of a flow sequence (`[A, B]`) that is a block mapping value.
    FlowItem,
    /// A block mapping key (`KEY:`).
    Key,
}

/// Words that YAML 1.1 or 1.2 reads as booleans, null or numbers in some case spelling.
const SPECIAL_WORDS: [&str; 11] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// Non-ASCII characters we let through besides letters and digits: general punctuation
/// (dashes, curly quotes, ellipsis), CJK punctuation and full-width forms. None of them is
/// whitespace, a control or format character, or a YAML indicator.
fn is_friendly_punctuation(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2027}' | '\u{3001}'..='\u{303F}' | '\u{FF01}'..='\u{FF5E}')
}

/// Our own rule: `s` is written plain in `place`, and a plain scalar with this text is read as
/// exactly `s`. `false` says nothing: serde-saphyr is asked.
pub fn is_surely_plain(s: &str, place: Place) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_alphabetic() {
        return false;
    }
    if s.len() <= 5 && SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    if s.len() > FOLDED_WRAP_CHARS && s.chars().count() > FOLDED_WRAP_CHARS {
        return false;
    }
    if s.is_ascii() {
        return is_surely_plain_ascii(s.as_bytes(), place);
    }
    let mut previous = first;
    for c in chars {
        let fine = match c {
            // `: ` ends a key, ` #` starts a comment.
            ' ' => previous != ':',
            '#' => previous != ' ',
            ':' => place != Place::Key,
            ',' | '[' | ']' | '{' | '}' => place == Place::Value,
            '!'..='~' => true,
            c if c.is_ascii() => false,
            c => c.is_alphanumeric() || is_friendly_punctuation(c),
        };
        if !fine {
            return false;
        }
        previous = c;
    }
    !matches!(previous, ' ' | ':')
}

/// [`is_surely_plain`] after its first checks, for ASCII text, byte by byte.
fn is_surely_plain_ascii(s: &[u8], place: Place) -> bool {
    let mut previous = s[0];
    for &b in &s[1..] {
        let fine = match b {
            b' ' => previous != b':',
            b'#' => previous != b' ',
            b':' => place != Place::Key,
            b',' | b'[' | b']' | b'{' | b'}' => place == Place::Value,
            b'!'..=b'~' => true,
            _ => false,
        };
        if !fine {
            return false;
        }
        previous = b;
    }
    !matches!(previous, b' ' | b':')
}

/// The scalar serde-saphyr writes for `s` in `place`, `None` when it is not one line (a block
/// scalar, or a key that is not a simple key).
fn ask_serde_saphyr(s: &str, place: Place, out: &mut String) -> Option<Box<str>> {
    #[derive(Serialize)]
    struct InValue<'a> {
        v: &'a str,
    }
    #[derive(Serialize)]
    struct InFlow<'a> {
        v: serde_saphyr::FlowSeq<[&'a str; 1]>,
    }
    out.clear();
    let (before, after) = match place {
        Place::Value => {
            serde_saphyr::to_fmt_writer(out, &InValue { v: s }).ok()?;
            ("v: ", "\n")
        }
        Place::FlowItem => {
            serde_saphyr::to_fmt_writer(
                out,
                &InFlow {
                    v: serde_saphyr::FlowSeq([s]),
                },
            )
            .ok()?;
            ("v: [", "]\n")
        }
        Place::Key => {
            serde_saphyr::to_fmt_writer(out, &BTreeMap::from([(s, 0u8)])).ok()?;
            ("", ": 0\n")
        }
    };
    let scalar = out.strip_prefix(before)?.strip_suffix(after)?;
    let block_or_complex = scalar.is_empty()
        || scalar.contains('\n')
        || scalar.starts_with(['|', '>'])
        || (place == Place::Key && scalar.starts_with("? "));
    (!block_or_complex).then(|| scalar.into())
}

/// serde-saphyr's one-line spelling of `s` in `place`, without our own rule (for tests).
#[cfg(test)]
pub fn serde_saphyr_spelling(s: &str, place: Place) -> Option<String> {
    ask_serde_saphyr(s, place, &mut String::new()).map(String::from)
}

/// The short strings [`Spellings`] remembers, by a quick hash.
type Known = FxHashMap<Box<str>, Option<Box<str>>>;

/// How strings are spelled, within one write or read: our own rule, else serde-saphyr's
/// answer, asked once per string and place.
#[derive(Debug, Default)]
pub struct Spellings {
    values: Known,
    flow_items: Known,
    keys: Known,
    buffer: String,
}

impl Spellings {
    /// The text of `s` as a one-line scalar in `place`; `None` when serde-saphyr writes it
    /// over several lines (the caller leaves that to serde-saphyr).
    pub fn spell<'a>(&'a mut self, s: &'a str, place: Place) -> Option<&'a str> {
        if is_surely_plain(s, place) {
            return Some(s);
        }
        let known = match place {
            Place::Value => &mut self.values,
            Place::FlowItem => &mut self.flow_items,
            Place::Key => &mut self.keys,
        };
        if !known.contains_key(s) {
            let spelled = ask_serde_saphyr(s, place, &mut self.buffer);
            known.insert(s.into(), spelled);
        }
        known.get(s).and_then(Option::as_deref)
    }

    /// Appends the spelling of `s`; `None` (and nothing appended) when it is not one line.
    pub fn push(&mut self, out: &mut String, s: &str, place: Place) -> Option<()> {
        out.push_str(self.spell(s, place)?);
        Some(())
    }

    /// Whether `text` is exactly how `s` is spelled in `place`.
    fn spells(&mut self, s: &str, place: Place, text: &str) -> bool {
        self.spell(s, place) == Some(text)
    }

    /// Reads a whole scalar `text` in `place`: the string it is the spelling of.
    pub fn read_whole(&mut self, text: &str, place: Place) -> Option<String> {
        match self.read_start(text, place)? {
            (value, "") => Some(value),
            _ => None,
        }
    }

    /// Reads the scalar at the start of `text` in `place`: the string, and the rest of `text`.
    /// A plain scalar ends at the end of `text`, or in a flow sequence before `,` or `]`.
    /// Only the exact spelling of the string is accepted.
    pub fn read_start<'t>(&mut self, text: &'t str, place: Place) -> Option<(String, &'t str)> {
        let (value, len) = match text.as_bytes().first() {
            Some(b'"') => read_double_quoted(text)?,
            Some(b'\'') => read_single_quoted(text)?,
            _ => {
                let len = if place == Place::FlowItem {
                    text.find([',', ']'])?
                } else {
                    text.len()
                };
                (text[..len].to_string(), len)
            }
        };
        self.spells(&value, place, &text[..len])
            .then(|| (value, &text[len..]))
    }
}

/// A double-quoted scalar on one line at the start of `text`: its value and its length in
/// bytes. The escapes are YAML's (YAML 1.2, 5.7).
fn read_double_quoted(text: &str) -> Option<(String, usize)> {
    let body = &text[1..];
    let end = body.find(['"', '\\'])?;
    if body.as_bytes()[end] == b'"' {
        return Some((body[..end].to_string(), end + 2));
    }
    let mut value = body[..end].to_string();
    let mut rest = body[end..].char_indices();
    while let Some((at, c)) = rest.next() {
        match c {
            '"' => return Some((value, 1 + end + at + 1)),
            '\\' => {
                let (_, kind) = rest.next()?;
                let hex_digits = match kind {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => 0,
                };
                let decoded = if hex_digits > 0 {
                    let mut code = 0u32;
                    for _ in 0..hex_digits {
                        code = code * 16 + rest.next()?.1.to_digit(16)?;
                    }
                    char::from_u32(code)?
                } else {
                    match kind {
                        '0' => '\0',
                        'a' => '\u{7}',
                        'b' => '\u{8}',
                        't' | '\t' => '\t',
                        'n' => '\n',
                        'v' => '\u{b}',
                        'f' => '\u{c}',
                        'r' => '\r',
                        'e' => '\u{1b}',
                        ' ' => ' ',
                        '"' => '"',
                        '/' => '/',
                        '\\' => '\\',
                        'N' => '\u{85}',
                        '_' => '\u{a0}',
                        'L' => '\u{2028}',
                        'P' => '\u{2029}',
                        _ => return None,
                    }
                };
                value.push(decoded);
            }
            c => value.push(c),
        }
    }
    None
}

/// A single-quoted scalar on one line at the start of `text` (`''` stands for `'`): its value
/// and its length in bytes.
fn read_single_quoted(text: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut at = 1;
    loop {
        let quote = at + text[at..].find('\'')?;
        value.push_str(&text[at..quote]);
        if text[quote + 1..].starts_with('\'') {
            value.push('\'');
            at = quote + 2;
        } else {
            return Some((value, quote + 1));
        }
    }
}
