//! What REFI-QDA has no element for, kept as YAML in a description so that normcode reads it
//! back: the codebook's name, version, languages, description, document variables, indicator
//! attributes and history, and in a project also the coders' codebook versions and the
//! segmentation.
//!
//! A `.qdpx` keeps it in the project's `<Description>` (QualCoder keeps that as the project
//! memo and writes it back); a `.qdc`, which has no such element, in a `Set` named
//! [`SET_NAME`] with no members. The text starts with a sentence for people, then a line
//! `normcode:` and the YAML under it:
//!
//! ```text
//! normcode settings: normcode reads the lines below back; please keep them as they are.
//! normcode:
//!   codebook:
//!     name: Cybersecurity norms
//!     version: '1.0'
//!     ...
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::codebook::{Codebook, LangMap, Localized, VariableType};
use crate::corpus::Segmentation;
use crate::error::{Error, Result};

/// The name of the `.qdc` set that holds the header.
pub const SET_NAME: &str = "normcode codebook settings";

const INTRO: &str =
    "normcode settings: normcode reads the lines below back; please keep them as they are.";
const MARKER: &str = "normcode:";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub codebook: CodebookHeader,
    /// Per coder: the codebook version their file was coded against.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub coders: BTreeMap<String, CoderHeader>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segmentation: Option<Segmentation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoderHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codebook_version: Option<String>,
}

/// The codebook without its categories, in the shape of `codebook.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CodebookHeader {
    pub name: String,
    pub version: String,
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LangMap>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<VariableOut>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeOut>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableOut {
    pub id: String,
    pub label: LangMap,
    #[serde(rename = "type")]
    pub kind: VariableType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupOut>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueOut>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupOut {
    pub id: String,
    pub label: LangMap,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueOut {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LangMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeOut {
    pub id: String,
    pub label: LangMap,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryOut {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

fn map(text: &Localized) -> LangMap {
    text.0.clone()
}

impl CodebookHeader {
    pub fn of(codebook: &Codebook) -> Self {
        Self {
            name: codebook.name.clone(),
            version: codebook.version.clone(),
            languages: codebook.languages.clone(),
            description: codebook.description.as_ref().map(map),
            variables: codebook
                .variables
                .iter()
                .map(|v| VariableOut {
                    id: v.id.clone(),
                    label: map(&v.label),
                    kind: v.kind,
                    groups: v
                        .groups
                        .iter()
                        .map(|(id, label)| GroupOut {
                            id: id.clone(),
                            label: map(label),
                        })
                        .collect(),
                    values: v
                        .values
                        .iter()
                        .map(|value| ValueOut {
                            id: value.id.clone(),
                            label: value.label.as_ref().map(map),
                            group: value.group.clone(),
                        })
                        .collect(),
                    min: v.min,
                    max: v.max,
                })
                .collect(),
            attributes: codebook
                .attributes
                .iter()
                .map(|a| AttributeOut {
                    id: a.id.clone(),
                    label: map(&a.label),
                    values: a.values.clone(),
                })
                .collect(),
            history: codebook
                .history()
                .iter()
                .map(|h| HistoryOut {
                    version: h.version.clone(),
                    date: h.date.clone(),
                    by: h.by.clone(),
                    changes: h.changes.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Wrapper {
    normcode: Header,
}

impl Header {
    /// The description text: the sentence for people, then the YAML.
    pub fn to_text(&self) -> Result<String> {
        let yaml = serde_saphyr::to_string(&Wrapper {
            normcode: self.clone(),
        })
        .map_err(|e| Error::Usage(format!("cannot write YAML: {e}")))?;
        Ok(format!("{INTRO}\n{}", yaml.trim_end()))
    }

    /// The header in a description, if it holds one; `path` names the file in errors. A
    /// description without the `normcode:` line is `Ok(None)`; one with it that does not read
    /// is an error (someone edited it).
    pub fn from_text(path: &Path, text: &str) -> Result<Option<Self>> {
        Self::from_text_at(path, text, 0)
    }

    /// [`Header::from_text`] for a description that starts on line `first_line` + 1 of the
    /// file, so that errors name the file's line.
    pub fn from_text_at(path: &Path, text: &str, first_line: u64) -> Result<Option<Self>> {
        let mut offset = 0;
        for (lines_before, line) in text.split_inclusive('\n').enumerate() {
            let lines_before = lines_before as u64 + first_line;
            if line.trim_end() == MARKER {
                let yaml = &text[offset..];
                let wrapper: Wrapper =
                    crate::yaml::parse(path, yaml, lines_before).map_err(|e| match e {
                        Error::Invalid { at, message } => Error::Invalid {
                            at,
                            message: format!(
                                "the normcode settings in a description do not read \
                                 (were they edited?): {message}"
                            ),
                        },
                        other => other,
                    })?;
                return Ok(Some(wrapper.normcode));
            }
            offset += line.len();
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_reads_back() {
        let header = Header {
            codebook: CodebookHeader {
                name: "Norms: a test".into(),
                version: "1.10".into(),
                languages: vec!["en".into(), "zh".into()],
                ..Default::default()
            },
            segmentation: Some(Segmentation::Sentence),
            ..Default::default()
        };
        let text = header.to_text().unwrap();
        assert!(text.starts_with(INTRO));
        let back = Header::from_text(Path::new("x.qdc"), &text).unwrap();
        assert_eq!(back, Some(header));
        assert_eq!(Header::from_text(Path::new("x"), "a memo").unwrap(), None);
        assert!(Header::from_text(Path::new("x"), "normcode:\n  codebook: [").is_err());
    }
}
