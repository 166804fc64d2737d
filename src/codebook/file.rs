//! The codebook file as written on disk. [`super::Codebook`] is the checked form.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::Spanned;

/// Text in several languages: `{en: ..., zh: ...}`.
pub type LangMap = BTreeMap<String, String>;

/// An include/exclude rule or an example: one string, or one per language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextItem {
    Plain(String),
    ByLanguage(LangMap),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodebookFile {
    pub name: String,
    #[serde(deserialize_with = "string_or_number")]
    pub version: String,
    pub languages: Vec<String>,
    #[serde(default)]
    pub description: Option<LangMap>,
    #[serde(default)]
    pub variables: Vec<VariableFile>,
    #[serde(default)]
    pub attributes: Vec<AttributeFile>,
    pub categories: Vec<CategoryFile>,
    /// Optional: the versions of the codebook and what changed in each, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntryFile>,
}

/// One item of `history:`: `{version, date, by, changes: [text, ...]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntryFile {
    #[serde(deserialize_with = "string_or_number")]
    pub version: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableType {
    Category,
    Integer,
    Text,
    Date,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableFile {
    pub id: Spanned<String>,
    pub label: Spanned<LangMap>,
    #[serde(rename = "type")]
    pub kind: VariableType,
    #[serde(default)]
    pub groups: Vec<GroupFile>,
    #[serde(default)]
    pub values: Vec<ValueFile>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub id: Spanned<String>,
    pub label: Spanned<LangMap>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFile {
    pub id: Spanned<String>,
    #[serde(default)]
    pub label: Option<Spanned<LangMap>>,
    #[serde(default)]
    pub group: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeFile {
    pub id: Spanned<String>,
    pub label: Spanned<LangMap>,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryFile {
    pub id: Spanned<String>,
    pub label: Spanned<LangMap>,
    #[serde(default)]
    pub description: Option<LangMap>,
    #[serde(default)]
    pub categories: Vec<CategoryFile>,
    #[serde(default)]
    pub indicators: Vec<IndicatorFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFile {
    pub id: Spanned<String>,
    pub label: Spanned<LangMap>,
    pub definition: Spanned<LangMap>,
    #[serde(default)]
    pub include: Vec<TextItem>,
    #[serde(default)]
    pub exclude: Vec<TextItem>,
    #[serde(default)]
    pub examples: Vec<TextItem>,
    #[serde(default)]
    pub attributes: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub color: Option<Spanned<String>>,
    #[serde(default)]
    pub retired: bool,
}

/// `version: 1.0` and `version: "1.0"` both mean the string "1.0".
fn string_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Version {
        Text(String),
        Integer(i64),
        Float(f64),
    }
    Ok(match Version::deserialize(deserializer)? {
        Version::Text(t) => t,
        Version::Integer(i) => i.to_string(),
        Version::Float(f) => format!("{f:?}"),
    })
}
