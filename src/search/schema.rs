//! The index layout: one tantivy document per unit, its document's variables, and what the
//! coders did on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::codebook::{Codebook, VariableType};

use super::tokenizer::{GRAMS_TOKENIZER, KEYWORD_TOKENIZER, TEXT_TOKENIZER};

/// The version of the index layout. Bump it whenever the schema, the tokenizers or what goes
/// into a field changes: indexes of another version are rebuilt on open.
///
/// 2: CJK bigrams in the index (see [`super::tokenizer`]).
/// 3: common CJK phrases in a field of their own (see [`super::grams`]).
pub const SCHEMA_VERSION: u32 = 3;

/// How a field is analysed, and so how a query value for it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Words and CJK bigrams ([`super::tokenizer::CjkTokenizer`]), with positions.
    Text,
    /// The whole value as one lower-cased term: codes, coders, ids, dates.
    Keyword,
    /// A whole number: `year:2015`, `year:[2013 TO 2016]`.
    Integer,
}

/// The fields of the index. Built from the codebook: every codebook variable that is not one
/// of the fixed fields gets a field of its own.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    /// The exact document id, for deleting a document's units.
    pub doc_key: Field,
    /// The document id (stored as written, searched lower-cased): `document:un/gge-2015`.
    pub document: Field,
    pub unit: Field,
    /// The unit's position in its document (for a stable order of equal scores).
    pub position: Field,
    /// The unit's range in the document body, in code points.
    pub start: Field,
    pub end: Field,
    pub text: Field,
    /// The common phrases of the text (see [`super::grams`]); not a field of the query language.
    pub text_grams: Field,
    pub title: Field,
    pub year: Field,
    pub code: Field,
    pub coder: Field,
    /// `coder:code` pairs (`alice:vu01`): what makes `code:X coder:Y` exact.
    pub coded: Field,
    pub memo: Field,
    /// Document variables other than `year` and `title`.
    pub variables: Vec<VariableField>,
    by_name: BTreeMap<String, (Field, FieldKind)>,
}

/// Fixed fields a user can name in a query, with their kinds. Aliases resolve to them.
const FIXED: &[(&str, FieldKind)] = &[
    ("document", FieldKind::Keyword),
    ("unit", FieldKind::Keyword),
    ("text", FieldKind::Text),
    ("title", FieldKind::Text),
    ("year", FieldKind::Integer),
    ("code", FieldKind::Keyword),
    ("coder", FieldKind::Keyword),
    ("coded", FieldKind::Keyword),
    ("memo", FieldKind::Text),
];

/// Front-matter keys every document may have, indexed whatever the codebook declares.
const KNOWN_VARIABLES: &[(&str, FieldKind)] = &[
    ("publisher", FieldKind::Text),
    ("date", FieldKind::Keyword),
    ("language", FieldKind::Keyword),
    ("symbol", FieldKind::Text),
    ("source", FieldKind::Text),
];

const ALIASES: &[(&str, &str)] = &[("doc", "document"), ("body", "text")];

/// Names that are never variable fields (internal ones included).
const RESERVED: &[&str] = &[
    "doc_key",
    "position",
    "start",
    "end",
    "doc",
    "body",
    "text_grams",
];

/// A document variable's field.
#[derive(Debug, Clone)]
pub struct VariableField {
    /// The field name in queries: the key, lower-cased.
    pub name: String,
    /// The front-matter key it is read from.
    pub key: String,
    pub field: Field,
    pub kind: FieldKind,
}

/// What the layout depends on; stored next to the index, compared on open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub schema_version: u32,
    /// `name:kind` of each variable field, in schema order.
    pub variables: Vec<String>,
}

fn text_options(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn keyword_options(stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KEYWORD_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Keyword => "keyword",
        FieldKind::Integer => "integer",
    }
}

/// The variable fields for a codebook: the known front-matter keys, then each declared
/// variable whose name is free, in codebook order.
fn variable_specs(codebook: &Codebook) -> Vec<(String, String, FieldKind)> {
    let mut specs: Vec<(String, String, FieldKind)> = KNOWN_VARIABLES
        .iter()
        .map(|(name, kind)| (name.to_string(), name.to_string(), *kind))
        .collect();
    for variable in &codebook.variables {
        let name = variable.id.to_lowercase();
        let taken = FIXED.iter().any(|(n, _)| *n == name)
            || RESERVED.contains(&name.as_str())
            || specs.iter().any(|(n, _, _)| *n == name);
        if taken || !tantivy::schema::is_valid_field_name(&name) {
            continue;
        }
        let kind = match variable.kind {
            VariableType::Integer => FieldKind::Integer,
            VariableType::Date => FieldKind::Keyword,
            VariableType::Category | VariableType::Text => FieldKind::Text,
        };
        specs.push((name, variable.id.clone(), kind));
    }
    specs
}

impl Layout {
    pub fn for_codebook(codebook: &Codebook) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            variables: variable_specs(codebook)
                .into_iter()
                .map(|(name, key, kind)| format!("{name}={key}:{}", kind_name(kind)))
                .collect(),
        }
    }
}

impl Fields {
    pub fn for_codebook(codebook: &Codebook) -> Self {
        let mut b = Schema::builder();
        let doc_key = b.add_text_field("doc_key", STRING);
        let document = b.add_text_field("document", keyword_options(true));
        let unit = b.add_text_field("unit", keyword_options(true));
        let position = b.add_u64_field("position", STORED | FAST);
        let start = b.add_u64_field("start", STORED);
        let end = b.add_u64_field("end", STORED);
        let text = b.add_text_field("text", text_options(true));
        let text_grams = b.add_text_field(
            "text_grams",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(GRAMS_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let title = b.add_text_field("title", text_options(false));
        let year = b.add_i64_field("year", INDEXED | FAST);
        let code = b.add_text_field("code", keyword_options(false));
        let coder = b.add_text_field("coder", keyword_options(false));
        let coded = b.add_text_field("coded", keyword_options(false));
        let memo = b.add_text_field("memo", text_options(false));
        let mut variables = Vec::new();
        for (name, key, kind) in variable_specs(codebook) {
            let field = match kind {
                FieldKind::Text => b.add_text_field(&name, text_options(false)),
                FieldKind::Keyword => b.add_text_field(&name, keyword_options(false)),
                FieldKind::Integer => b.add_i64_field(&name, INDEXED | FAST),
            };
            variables.push(VariableField {
                name,
                key,
                field,
                kind,
            });
        }
        let schema = b.build();
        let mut by_name = BTreeMap::new();
        for (name, kind) in FIXED {
            let field = schema
                .get_field(name)
                .expect("every fixed field is in the schema");
            by_name.insert(name.to_string(), (field, *kind));
        }
        for variable in &variables {
            by_name.insert(variable.name.clone(), (variable.field, variable.kind));
        }
        for (alias, target) in ALIASES {
            let resolved = by_name[*target];
            by_name.insert(alias.to_string(), resolved);
        }
        Self {
            schema,
            doc_key,
            document,
            unit,
            position,
            start,
            end,
            text,
            text_grams,
            title,
            year,
            code,
            coder,
            coded,
            memo,
            variables,
            by_name,
        }
    }

    /// The field a query names (case-insensitively), with its kind.
    pub fn resolve(&self, name: &str) -> Option<(Field, FieldKind)> {
        self.by_name.get(&name.to_lowercase()).copied()
    }

    /// Every name a query may use, sorted, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.by_name.keys().map(String::as_str).collect()
    }
}
