//! YAML front matter between `---` lines at the top of a document.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, SourcePos};
use crate::yaml;

/// A scalar value from front matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MetaValue {
    Integer(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl fmt::Display for MetaValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetaValue::Integer(v) => write!(f, "{v}"),
            MetaValue::Float(v) => write!(f, "{v}"),
            MetaValue::Bool(v) => write!(f, "{v}"),
            MetaValue::Text(v) => f.write_str(v),
        }
    }
}

/// The keys every document may have, whatever the codebook declares.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "publisher",
    "year",
    "date",
    "language",
    "symbol",
    "source",
    // How paragraphs are told apart: `auto`, `blank-lines` or `wrapped` (see `Layout`).
    "segmentation",
];

/// A document's metadata: the known keys plus the codebook's variables, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub values: BTreeMap<String, MetaValue>,
    /// The line (1-based, in the file) of each key, to point errors at it.
    pub lines: BTreeMap<String, u64>,
}

impl Metadata {
    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.values.get(key)
    }

    pub fn text(&self, key: &str) -> Option<String> {
        self.values.get(key).map(ToString::to_string)
    }

    pub fn title(&self) -> Option<String> {
        self.text("title")
    }

    pub fn year(&self) -> Option<i64> {
        match self.values.get("year")? {
            MetaValue::Integer(y) => Some(*y),
            MetaValue::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Splits `raw` (BOM and `\r` already removed) into metadata and body. The body starts on the
/// line after the closing `---`. Returns the number of lines before the body.
pub fn split<'a>(path: &Path, raw: &'a str) -> Result<(Metadata, &'a str, u64)> {
    let Some(rest) = raw.strip_prefix("---\n") else {
        return Ok((Metadata::default(), raw, 0));
    };
    // The closing fence is the first line that is exactly `---` (or `...`).
    let mut offset = 0;
    let mut close = None;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare == "---" || bare == "..." {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start)) = close else {
        return Err(Error::invalid(
            SourcePos::at(path, 1, 1),
            "front matter opened with '---' is never closed by a '---' line",
        ));
    };
    let yaml_text = &rest[..yaml_end];
    let lines_before_body = 2 + yaml_text.lines().count() as u64;
    let metadata = if yaml_text.trim().is_empty() {
        Metadata::default()
    } else {
        let values: BTreeMap<String, MetaValue> = match simple_front_matter(yaml_text) {
            Some(values) => values,
            None => yaml::parse(path, yaml_text, 1)?,
        };
        let mut lines = BTreeMap::new();
        for (index, line) in yaml_text.lines().enumerate() {
            if let Some((key, _)) = line.split_once(':')
                && !key.starts_with([' ', '#', '-'])
            {
                lines.insert(key.trim().to_string(), index as u64 + 2);
            }
        }
        Metadata { values, lines }
    };
    Ok((metadata, &rest[body_start..], lines_before_body))
}

/// Front matter made only of `key: value` lines whose values cannot be read two ways (a
/// whole number, text that starts with a letter, or such text in double quotes), read without
/// the YAML parser, which costs more than the rest of loading a document. `None` for anything
/// else (comments, lists, block scalars, escapes, `yes`, dates, duplicate keys...): the YAML
/// parser then reads it, and reports its errors.
fn simple_front_matter(yaml: &str) -> Option<BTreeMap<String, MetaValue>> {
    let mut values = BTreeMap::new();
    for line in yaml.split('\n') {
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once(':')?;
        let value = value.strip_prefix(' ')?.trim_matches(' ');
        if !is_simple_key(key) {
            return None;
        }
        if values
            .insert(key.to_string(), simple_value(value)?)
            .is_some()
        {
            return None;
        }
    }
    Some(values)
}

/// Words YAML may read as booleans, null or special numbers, in any case.
const RESERVED_WORDS: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf", "infinity",
];

fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// `title`, `publisher_2`, `short-name`: ASCII, starting with a letter.
fn is_simple_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !is_reserved(key)
}

/// A character with no meaning in YAML beyond itself, inside text.
fn is_plain_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '-' | '_' | '.' | '/' | '(' | ')' | '+' | ';')
    } else {
        // Not line or paragraph separators, the byte-order mark, or other control characters.
        !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    }
}

/// Text that YAML reads as text, whether quoted or not: starts with a letter, is not a reserved
/// word, holds no character with a meaning in YAML.
fn is_plain_text(text: &str) -> bool {
    text.starts_with(char::is_alphabetic) && !is_reserved(text) && text.chars().all(is_plain_char)
}

fn simple_value(value: &str) -> Option<MetaValue> {
    if let Some(quoted) = value.strip_prefix('"') {
        let inner = quoted.strip_suffix('"')?;
        let safe = inner.starts_with(char::is_alphabetic)
            && !is_reserved(inner)
            && !inner
                .chars()
                .any(|c| matches!(c, '"' | '\\') || !is_plain_char(c) && !c.is_ascii_punctuation());
        return safe.then(|| MetaValue::Text(inner.to_string()));
    }
    let digits = value.strip_prefix('-').unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Leading zeros (octal in YAML 1.1) and numbers near i64's limits go to the parser.
        let canonical = (digits == "0" && value == "0") || !digits.starts_with('0');
        return (canonical && digits.len() <= 18)
            .then(|| value.parse().ok().map(MetaValue::Integer))
            .flatten();
    }
    is_plain_text(value).then(|| MetaValue::Text(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reading, where it applies, gives what the YAML parser gives.
    fn assert_agrees_with_yaml(yaml: &str) -> bool {
        let Some(fast) = simple_front_matter(yaml) else {
            return false;
        };
        let parsed: BTreeMap<String, MetaValue> =
            yaml::parse(Path::new("a.md"), yaml, 1).expect("simple front matter is valid YAML");
        assert_eq!(fast, parsed, "{yaml:?}");
        true
    }

    #[test]
    fn simple_front_matter_reads_like_yaml() {
        for yaml in [
            "title: \"UN OEWG report on developments in the field of ICTs, number 7656\"\npublisher: UN OEWG\nyear: 2021\nlanguage: en\nsymbol: A/76/7756\n",
            "title: 信息安全报告（第二版）\nyear: 2015\nsymbol: A/70/174\n",
            "title: \"关于信息安全的报告，第 12 号\"\nlanguage: zh\n",
            "title: Report (draft) by the Group\nyear: -12\ncount: 0\n\nrank: 42\n",
            "title: \"Report: the (draft) 'one'; #2 & more\"\n",
            "title:   spaced out   \nyear:  1999\n",
        ] {
            assert!(assert_agrees_with_yaml(yaml), "not read fast: {yaml:?}");
        }
    }

    #[test]
    fn anything_else_goes_to_the_yaml_parser() {
        for yaml in [
            "# comment\ntitle: a\n",
            "title: a # comment\n",
            "title: a\ntitle: b\n",
            "draft: yes\n",
            "draft: True\n",
            "year: 02015\n",
            "year: 1_000\n",
            "year: 12345678901234567890\n",
            "ratio: 1.5\n",
            "date: 2015-07-22\n",
            "title: \"yes\"\n",
            "title: \"2015\"\n",
            "title: \"a \\\" b\"\n",
            "title: 'single'\n",
            "title: a: b\n",
            "title:\n  nested: x\n",
            "tags: [a, b]\n",
            "tags:\n- a\n",
            "title: |\n  block\n",
            "title: a\n  continued\n",
            "title:\tx\n",
            "title: ~\n",
            "title: \n",
            "null: x\n",
            "title: *anchor\n",
            "title: !tag x\n",
            "title: Nan\n",
            "title: inf\n",
        ] {
            assert!(simple_front_matter(yaml).is_none(), "read fast: {yaml:?}");
        }
    }

    #[test]
    fn random_simple_values_read_like_yaml() {
        let values = [
            "a",
            "UN OEWG",
            "A/76/7756",
            "x-y_z",
            "Doc (1)",
            "é",
            "文件",
            "ab;cd",
            "a+b",
            "0",
            "7",
            "-3",
            "2021",
            "999999999999999999",
            "\"a, b\"",
            "\"a: b\"",
            "\"a#b\"",
            "\"x'y\"",
            "\"文件，一\"",
            "\"Z 9\"",
        ];
        let keys = ["title", "year", "k", "a_b", "a-b", "x1"];
        let mut read_fast = 0;
        for (i, value) in values.iter().enumerate() {
            for (j, key) in keys.iter().enumerate() {
                let other = values[(i * 7 + j * 3) % values.len()];
                let yaml = format!("{key}: {value}\nzz{j}: {other}\n");
                if assert_agrees_with_yaml(&yaml) {
                    read_fast += 1;
                }
            }
        }
        assert_eq!(read_fast, values.len() * keys.len());
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let (meta, body, skipped) = split(Path::new("a.md"), "Hello\n\nWorld").unwrap();
        assert!(meta.values.is_empty());
        assert_eq!(body, "Hello\n\nWorld");
        assert_eq!(skipped, 0);
    }

    #[test]
    fn front_matter_values_and_body() {
        let raw = "---\ntitle: 报告\nyear: 2015\nsymbol: A/70/174\n---\n1. Body.\n";
        let (meta, body, skipped) = split(Path::new("a.md"), raw).unwrap();
        assert_eq!(meta.title().as_deref(), Some("报告"));
        assert_eq!(meta.year(), Some(2015));
        assert_eq!(meta.lines["symbol"], 4);
        assert_eq!(body, "1. Body.\n");
        assert_eq!(skipped, 5);
    }

    #[test]
    fn broken_front_matter_names_the_file_line_and_column() {
        let raw = "---\ntitle: ok\nyear: [2015\n---\nBody";
        let err = split(Path::new("docs/x.md"), raw).unwrap_err().to_string();
        assert!(err.starts_with("docs/x.md:"), "{err}");
        let line: u64 = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!((3..=4).contains(&line), "{err}");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split(Path::new("x.md"), "---\ntitle: a\nBody").unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
    }
}
