//! Stable GUIDs for REFI-QDA files: UUID version 5 (SHA-1, name based) of a kind prefix and
//! normcode's own ids, in one fixed namespace. The same code, document, coder or coding gets
//! the same GUID in every export, so another tool can match a new export against an old one.

use uuid::Uuid;

use crate::corpus::{CodePointRange, DocumentId, IndicatorId, UnitId};

/// normcode's namespace: the UUID v5 of `urn:normcode:refi-qda` in the URL namespace.
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:normcode:refi-qda")
}

fn make(kind: &str, parts: &[&str]) -> String {
    // Ids never hold a newline, so joining with one cannot make two inputs collide.
    let name = format!("{kind}\n{}", parts.join("\n"));
    Uuid::new_v5(&namespace(), name.as_bytes())
        .hyphenated()
        .to_string()
}

/// An indicator (a codable code).
pub fn code(indicator: &IndicatorId) -> String {
    make("code", &[indicator.as_str()])
}

/// A category (a code that groups codes).
pub fn category(id: &str) -> String {
    make("category", &[id])
}

/// A document (a text source); its text file in a `.qdpx` is `sources/<guid>.txt`.
pub fn source(document: &DocumentId) -> String {
    make("source", &[document.as_str()])
}

/// A document's case (one case per document).
pub fn case(document: &DocumentId) -> String {
    make("case", &[document.as_str()])
}

/// A coder (a user).
pub fn user(coder: &str) -> String {
    make("user", &[coder])
}

fn span_key(span: Option<CodePointRange>) -> String {
    span.map(|s| format!("{}-{}", s.start, s.end))
        .unwrap_or_else(|| "unit".to_string())
}

/// One coder's coding of one unit or span with one code (a plain text selection).
pub fn selection(
    coder: &str,
    document: &DocumentId,
    unit: &UnitId,
    span: Option<CodePointRange>,
    code: &IndicatorId,
) -> String {
    make(
        "selection",
        &[
            coder,
            document.as_str(),
            unit.as_str(),
            &span_key(span),
            code.as_str(),
        ],
    )
}

/// The coding inside a selection.
pub fn coding(
    coder: &str,
    document: &DocumentId,
    unit: &UnitId,
    span: Option<CodePointRange>,
    code: &IndicatorId,
) -> String {
    make(
        "coding",
        &[
            coder,
            document.as_str(),
            unit.as_str(),
            &span_key(span),
            code.as_str(),
        ],
    )
}

/// A coder's memo on a document (a note).
pub fn document_memo(coder: &str, document: &DocumentId) -> String {
    make("memo", &[coder, document.as_str()])
}

/// A document variable.
pub fn variable(name: &str) -> String {
    make("variable", &[name])
}

/// A set of codes: the indicators with one attribute value.
pub fn attribute_set(attribute: &str, value: &str) -> String {
    make("set", &[attribute, value])
}

/// The `.qdc` set that holds the codebook's settings ([`crate::refi::header`]).
pub fn settings() -> String {
    make("settings", &["codebook"])
}

/// The selection inside a document memo's note: the whole document.
pub fn memo_selection(coder: &str, document: &DocumentId) -> String {
    make("memo-selection", &[coder, document.as_str()])
}
