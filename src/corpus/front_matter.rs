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
        let values: BTreeMap<String, MetaValue> = yaml::parse(path, yaml_text, 1)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
