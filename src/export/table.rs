//! Tabular exports: the tidy table (`csv`, `jsonl`) and the documents × indicators `matrix`.
//!
//! Cells are [`serde_json::Value`]s: a string, a number, or `null` for "missing". CSV writes
//! `null` as an empty cell; JSON Lines keeps the types.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::annotations::{Annotation, Status};
use crate::codebook::{Codebook, VariableType};
use crate::corpus::{Document, DocumentId, IndicatorId, MetaValue};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

/// A table: a header, and rows of cells aligned with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The column's position in the header.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// The tidy columns before the document variables.
pub const LEADING_COLUMNS: &[&str] = &["coder", "document", "title"];

/// The tidy columns after the document variables.
pub const TIDY_COLUMNS: &[&str] = &[
    "unit",
    "unit_start",
    "unit_end",
    "span_start",
    "span_end",
    "indicator",
    "indicator_label",
    "category",
    "category_label",
    "quote",
    "memo",
    "status",
    "placement",
];

/// The `placement` of an annotation: `placed` where anchoring found its text, `orphaned` when it
/// could not be placed after an edit (then it has no offsets, and its own stored quote).
pub fn placement(annotation: &Annotation) -> &'static str {
    if annotation.is_orphaned() {
        "orphaned"
    } else {
        "placed"
    }
}

/// Where a document-variable column takes its value from.
#[derive(Debug, Clone)]
enum Source {
    /// A front matter key; `integer` turns text like `"2015"` into a number.
    Meta { key: String, integer: bool },
    /// The codebook group of a category variable's value (`publisher_group`).
    Group { variable: String },
}

/// The document-variable columns: `publisher`, `publisher_group`, `year`, `language`, then every
/// other codebook variable in codebook order (a category variable with groups also gets a
/// `<id>_group` column).
#[derive(Debug, Clone)]
pub struct VariableColumns {
    columns: Vec<(String, Source)>,
}

impl VariableColumns {
    pub fn new(codebook: &Codebook) -> Self {
        let mut columns: Vec<(String, Source)> = Vec::new();
        let mut push = |name: String, source: Source| {
            if !columns.iter().any(|(n, _)| *n == name) {
                columns.push((name, source));
            }
        };
        let integer = |id: &str| {
            id == "year"
                || codebook
                    .variable(id)
                    .is_some_and(|v| v.kind == VariableType::Integer)
        };
        for key in ["publisher", "year", "language"] {
            push(
                key.to_string(),
                Source::Meta {
                    key: key.to_string(),
                    integer: integer(key),
                },
            );
            if key == "publisher" {
                push(
                    "publisher_group".to_string(),
                    Source::Group {
                        variable: "publisher".to_string(),
                    },
                );
            }
        }
        for variable in &codebook.variables {
            push(
                variable.id.clone(),
                Source::Meta {
                    key: variable.id.clone(),
                    integer: integer(&variable.id),
                },
            );
            if !variable.groups.is_empty() {
                push(
                    format!("{}_group", variable.id),
                    Source::Group {
                        variable: variable.id.clone(),
                    },
                );
            }
        }
        Self { columns }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(name, _)| name.as_str())
    }

    /// Whether the column holds whole numbers (where the documents give them).
    pub fn is_integer(&self, name: &str) -> bool {
        self.columns
            .iter()
            .any(|(n, s)| n == name && matches!(s, Source::Meta { integer: true, .. }))
    }

    /// The values of `document` for each column; all `null` without a document.
    pub fn values(&self, codebook: &Codebook, document: Option<&Document>) -> Vec<Value> {
        self.columns
            .iter()
            .map(|(_, source)| match document {
                None => Value::Null,
                Some(document) => value_of(codebook, document, source),
            })
            .collect()
    }
}

fn value_of(codebook: &Codebook, document: &Document, source: &Source) -> Value {
    match source {
        Source::Meta { key, integer } => match document.metadata.get(key) {
            None => Value::Null,
            Some(MetaValue::Integer(i)) => Value::from(*i),
            Some(MetaValue::Float(f)) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::from(f.to_string())),
            Some(MetaValue::Bool(b)) => Value::from(*b),
            Some(MetaValue::Text(t)) => match t.trim().parse::<i64>() {
                Ok(i) if *integer => Value::from(i),
                _ => Value::from(t.as_str()),
            },
        },
        Source::Group { variable } => document
            .metadata
            .text(variable)
            .and_then(|value| {
                codebook
                    .variable(variable)
                    .and_then(|v| v.group_of(&value))
                    .map(Value::from)
            })
            .unwrap_or(Value::Null),
    }
}

/// One annotation × code of one coder, in export order.
#[derive(Debug, Clone, Copy)]
pub struct Coded<'a> {
    pub document_id: &'a DocumentId,
    /// `None` when the document is not in the corpus (any more).
    pub document: Option<&'a Document>,
    pub status: Status,
    pub annotation: &'a Annotation,
    /// `None` for an annotation without codes (kept for its memo).
    pub code: Option<&'a IndicatorId>,
}

/// A coder's annotations × codes in a stable order: documents by id; annotations by unit
/// position, then span (whole unit first), then file order; codes sorted.
pub fn coded<'a>(project: &'a Project, coder: &'a LoadedCoder) -> Vec<Coded<'a>> {
    let mut out = Vec::new();
    for (document_id, coding) in &coder.file.documents {
        let document = project.corpus.get(document_id);
        let mut annotations: Vec<&Annotation> = coding.annotations.iter().collect();
        annotations.sort_by_cached_key(|a| {
            let position = document
                .and_then(|d| d.unit_position(&a.unit))
                .unwrap_or(usize::MAX);
            (
                position,
                a.unit.to_string(),
                a.span.map(|s| (s.start, s.end)),
            )
        });
        for annotation in annotations {
            let mut codes: Vec<&IndicatorId> = annotation.codes.iter().collect();
            codes.sort();
            codes.dedup();
            let base = Coded {
                document_id,
                document,
                status: coding.status,
                annotation,
                code: None,
            };
            if codes.is_empty() {
                out.push(base);
            }
            for code in codes {
                out.push(Coded {
                    code: Some(code),
                    ..base
                });
            }
        }
    }
    out
}

/// The status as written in coder files: `not_started`, `in_progress`, `done`.
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not_started",
        Status::InProgress => "in_progress",
        Status::Done => "done",
    }
}

fn opt_str(text: Option<&str>) -> Value {
    text.map(Value::from).unwrap_or(Value::Null)
}

/// The tidy table: one row per coder × document × annotation × indicator.
pub fn tidy(project: &Project, coders: &[LoadedCoder]) -> Table {
    let codebook = &project.codebook;
    let lang = codebook.language();
    let variables = VariableColumns::new(codebook);
    let mut header: Vec<String> = LEADING_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(variables.names().map(str::to_string));
    header.extend(TIDY_COLUMNS.iter().map(|c| c.to_string()));

    let mut rows = Vec::new();
    for coder in coders {
        for item in coded(project, coder) {
            let a = item.annotation;
            let document = item.document;
            // An orphan's unit id may name other text now: no offsets of that text.
            let unit = document
                .and_then(|d| d.unit(&a.unit))
                .filter(|_| !a.is_orphaned());
            let span = a.span.filter(|_| !a.is_orphaned());
            let title = match document {
                Some(d) => Value::from(d.title()),
                None => Value::Null,
            };
            let quote = match (document, unit, a.span) {
                (Some(d), _, Some(span)) if !a.is_orphaned() => d.slice(span).map(str::to_string),
                (Some(d), Some(u), None) if !a.is_orphaned() => Some(d.unit_text(u).to_string()),
                _ => a.quote.clone(),
            };
            let indicator = item.code.and_then(|c| codebook.indicator(c));
            let category = indicator.map(|i| codebook.category_path(i.category)[0]);
            let mut row = vec![
                Value::from(coder.name.as_str()),
                Value::from(item.document_id.as_str()),
                title,
            ];
            row.extend(variables.values(codebook, document));
            row.extend([
                Value::from(a.unit.as_str()),
                unit.map(|u| Value::from(u.range.start))
                    .unwrap_or(Value::Null),
                unit.map(|u| Value::from(u.range.end))
                    .unwrap_or(Value::Null),
                span.map(|s| Value::from(s.start)).unwrap_or(Value::Null),
                span.map(|s| Value::from(s.end)).unwrap_or(Value::Null),
                opt_str(item.code.map(IndicatorId::as_str)),
                opt_str(indicator.map(|i| i.label.get(lang))),
                opt_str(category.map(|c| c.id.as_str())),
                opt_str(category.map(|c| c.label.get(lang))),
                opt_str(quote.as_deref()),
                opt_str(a.memo.as_deref()),
                Value::from(status_name(item.status)),
                Value::from(placement(a)),
            ]);
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// The matrix: one row per coder × document (every document of the corpus, and any other a
/// coder file names), one column per indicator (the codebook's in codebook order, then codes
/// the codebook does not know, sorted). A cell is 1 when the coder used the indicator in the
/// document (0 otherwise), or with `counts` the number of annotations that carry it. Where
/// the coder has not marked the document done (not started, in progress), the cells are
/// missing (empty in CSV, `NA` in R): an uncoded indicator there means "not coded yet", not
/// "absent", as in `normcode agree` and the reports; the `status` column says which.
pub fn matrix(project: &Project, coders: &[LoadedCoder], counts: bool) -> Table {
    let codebook = &project.codebook;
    let variables = VariableColumns::new(codebook);
    let mut indicators: Vec<&IndicatorId> = codebook.indicators.iter().map(|i| &i.id).collect();
    let unknown: BTreeSet<&IndicatorId> = coders
        .iter()
        .flat_map(|c| c.file.documents.values())
        .flat_map(|d| d.annotations.iter())
        .flat_map(|a| a.codes.iter())
        .filter(|code| codebook.indicator(code).is_none())
        .collect();
    indicators.extend(unknown);

    let mut header: Vec<String> = LEADING_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(variables.names().map(str::to_string));
    header.push("status".to_string());
    header.extend(indicators.iter().map(|i| i.to_string()));

    let mut rows = Vec::new();
    for coder in coders {
        let mut tally: BTreeMap<(&DocumentId, &IndicatorId), u64> = BTreeMap::new();
        // An orphan is not counted: nothing says it still belongs to its document's text.
        for item in coded(project, coder) {
            if item.annotation.is_orphaned() {
                continue;
            }
            if let Some(code) = item.code {
                *tally.entry((item.document_id, code)).or_default() += 1;
            }
        }
        let documents: BTreeSet<&DocumentId> = project
            .corpus
            .documents
            .iter()
            .map(|d| &d.id)
            .chain(coder.file.documents.keys())
            .collect();
        for document_id in documents {
            let document = project.corpus.get(document_id);
            let mut row = vec![
                Value::from(coder.name.as_str()),
                Value::from(document_id.as_str()),
                match document {
                    Some(d) => Value::from(d.title()),
                    None => Value::Null,
                },
            ];
            row.extend(variables.values(codebook, document));
            let status = coder.file.status(document_id);
            row.push(Value::from(status_name(status)));
            for indicator in &indicators {
                if status != Status::Done {
                    row.push(Value::Null);
                    continue;
                }
                let n = tally.get(&(document_id, *indicator)).copied().unwrap_or(0);
                row.push(Value::from(if counts { n } else { u64::from(n > 0) }));
            }
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// Protects a spreadsheet cell against formula injection (OWASP): text that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub fn escape_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn csv_cell(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) => escape_formula(s),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        other => Cow::Owned(other.to_string()),
    }
}

/// The UTF-8 byte order mark that `--bom` writes first.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `table` as CSV (UTF-8, `\n` line ends, quoted where needed), text cells escaped with
/// [`escape_formula`].
pub fn write_csv(table: &Table, bom: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(BOM);
    }
    let mut writer = csv::Writer::from_writer(out);
    let fail = |e: &dyn std::fmt::Display| Error::Usage(format!("cannot write CSV: {e}"));
    writer
        .write_record(table.header.iter().map(|h| escape_formula(h).into_owned()))
        .map_err(|e| fail(&e))?;
    for row in &table.rows {
        writer
            .write_record(row.iter().map(|v| csv_cell(v).into_owned()))
            .map_err(|e| fail(&e))?;
    }
    writer.into_inner().map_err(|e| fail(&e))
}

/// One row as a JSON object whose keys keep the header's order.
struct JsonRow<'a> {
    header: &'a [String],
    row: &'a [Value],
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.header.len()))?;
        for (key, value) in self.header.iter().zip(self.row) {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Writes `table` as JSON Lines: one object per row, `\n` after each.
pub fn write_jsonl(table: &Table) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for row in &table.rows {
        serde_json::to_writer(
            &mut out,
            &JsonRow {
                header: &table.header,
                row,
            },
        )
        .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// A warning per coder with annotations that could not be placed in their documents.
pub fn orphan_warnings(coders: &[LoadedCoder], what_happens: &str) -> Vec<String> {
    coders
        .iter()
        .filter(|c| !c.anchors.orphaned.is_empty())
        .map(|c| {
            let n = c.anchors.orphaned.len();
            format!(
                "{}: {n} annotation{} could not be placed in {} document ({what_happens}; \
                 see `normcode check`)",
                c.name,
                if n == 1 { "" } else { "s" },
                if n == 1 { "its" } else { "their" },
            )
        })
        .collect()
}
