//! REFI-QDA project archives (`.qdpx`): a zip with `project.qde` (QDA-XML 1.0, namespace
//! `urn:QDA-XML:project:1.0`) and the documents' texts under `sources/`.
//!
//! - Users: one per coder.
//! - CodeBook: as in a `.qdc` ([`super::qdc`]), plus any code the annotations use that the
//!   codebook does not define.
//! - Variables: the document variables of the `csv` export (publisher, publisher_group, year,
//!   language, the codebook's others), with each document's values on its source.
//! - Sources: one `TextSource` per document, its text the document body (front matter left
//!   out, `\r\n` read as `\n`) in `sources/<guid>.txt`, UTF-8 without BOM, referred to as
//!   `internal://<guid>.txt`.
//! - One `PlainTextSelection` per annotation × code × coder, `startPosition`/`endPosition`
//!   counting Unicode code points from 0 in that text, the end exclusive (the selected text is
//!   `text[start..end]`); a whole-unit annotation selects the unit. It holds one `Coding` with
//!   the `CodeRef` and the coder as `creatingUser`; the annotation memo is its `Description`.
//! - A coder's document memo is a `Note` (its text in `PlainTextContent`, the coder as
//!   `creatingUser`) that the document's source refers to with a `NoteRef`.
//! - Sets: the indicators of each attribute value, as in a `.qdc`.
//!
//! Annotations that cannot be placed in their document (see `normcode check`) are left out,
//! with a warning.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::corpus::{DocumentId, IndicatorId};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

use super::guid;
use super::qdc;
use super::table::{VariableColumns, coded};
use super::xml::Xml;

pub const NAMESPACE: &str = "urn:QDA-XML:project:1.0";

/// The parts of a `.qdpx`, before zipping.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    /// The text of `project.qde`.
    pub project_qde: String,
    /// `(path in the zip, text)`: `sources/<guid>.txt` for each document.
    pub sources: Vec<(String, String)>,
    /// Annotations left out, and why.
    pub warnings: Vec<String>,
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// At most `max` code points of `text`, on one line: a selection's name.
fn short(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// One selection to write into a source.
struct Selection {
    guid: String,
    coding_guid: String,
    name: String,
    start: usize,
    end: usize,
    user: String,
    created: Option<String>,
    modified: Option<String>,
    code: String,
    memo: Option<String>,
}

/// Builds the archive's parts.
pub fn build(project: &Project, coders: &[LoadedCoder]) -> Archive {
    let codebook = &project.codebook;
    let corpus = &project.corpus;
    let mut warnings = Vec::new();

    // Codes the annotations use that the codebook lacks.
    let extra: BTreeSet<&IndicatorId> = coders
        .iter()
        .flat_map(|c| c.file.documents.values())
        .flat_map(|d| d.annotations.iter())
        .flat_map(|a| a.codes.iter())
        .filter(|code| codebook.indicator(code).is_none())
        .collect();
    let extra: Vec<&IndicatorId> = extra.into_iter().collect();

    // Selections and memos, per document position in the corpus.
    let mut selections: Vec<Vec<Selection>> = (0..corpus.len()).map(|_| Vec::new()).collect();
    let mut memos: Vec<Vec<(String, &str, &str)>> = (0..corpus.len()).map(|_| Vec::new()).collect();
    for coder in coders {
        let user = guid::user(&coder.name);
        let mut orphaned = 0;
        let mut missing: BTreeSet<&DocumentId> = BTreeSet::new();
        for (document_id, coding) in &coder.file.documents {
            match corpus.position(document_id) {
                Some(position) => {
                    if let Some(memo) = coding.memo.as_deref().filter(|m| !m.trim().is_empty()) {
                        memos[position].push((
                            guid::document_memo(&coder.name, document_id),
                            coder.name.as_str(),
                            memo,
                        ));
                    }
                }
                None if !coding.annotations.is_empty() || coding.memo.is_some() => {
                    missing.insert(document_id);
                }
                None => {}
            }
        }
        for item in coded(project, coder) {
            let (Some(document), Some(code)) = (item.document, item.code) else {
                continue;
            };
            let a = item.annotation;
            let range = match a.span {
                Some(span) => Some(span),
                None => document.unit(&a.unit).map(|u| u.range),
            };
            let text = range.and_then(|r| document.slice(r));
            let (Some(range), Some(text), false) = (range, text, a.is_orphaned()) else {
                orphaned += 1;
                continue;
            };
            let position = corpus.position(&document.id).expect("a corpus document");
            selections[position].push(Selection {
                guid: guid::selection(&coder.name, &document.id, &a.unit, a.span, code),
                coding_guid: guid::coding(&coder.name, &document.id, &a.unit, a.span, code),
                name: short(text, 60),
                start: range.start,
                end: range.end,
                user: user.clone(),
                created: time(a.created),
                modified: time(a.modified.or(a.created)),
                code: guid::code(code),
                memo: a.memo.clone().filter(|m| !m.trim().is_empty()),
            });
        }
        if orphaned > 0 {
            warnings.push(format!(
                "{}: {orphaned} coding{} could not be placed in {} document and {} left out \
                 (see `normcode check`)",
                coder.name,
                if orphaned == 1 { "" } else { "s" },
                if orphaned == 1 { "its" } else { "their" },
                if orphaned == 1 { "was" } else { "were" },
            ));
        }
        if !missing.is_empty() {
            warnings.push(format!(
                "{}: documents not in the corpus were left out: {}",
                coder.name,
                missing
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    let variables = VariableColumns::new(codebook);
    let variable_names: Vec<&str> = variables.names().collect();

    let mut xml = Xml::new();
    let name = super::merged::project_name(project);
    xml.open(
        "Project",
        &[
            ("xmlns", Some(NAMESPACE)),
            ("name", Some(&name)),
            ("origin", Some(super::ORIGIN)),
        ],
    );
    if !coders.is_empty() {
        xml.open("Users", &[]);
        for coder in coders {
            let guid = guid::user(&coder.name);
            xml.empty(
                "User",
                &[
                    ("guid", Some(&guid)),
                    ("name", Some(&coder.name)),
                    ("id", Some(&coder.name)),
                ],
            );
        }
        xml.close();
    }
    if !codebook.categories.is_empty() || !extra.is_empty() {
        xml.open("CodeBook", &[]);
        qdc::write_codes(&mut xml, codebook, &extra);
        xml.close();
    }
    if !variable_names.is_empty() {
        xml.open("Variables", &[]);
        for name in &variable_names {
            let guid = guid::variable(name);
            let kind = if variables.is_integer(name) {
                "Integer"
            } else {
                "Text"
            };
            xml.empty(
                "Variable",
                &[
                    ("guid", Some(&guid)),
                    ("name", Some(name)),
                    ("typeOfVariable", Some(kind)),
                ],
            );
        }
        xml.close();
    }

    let mut sources = Vec::new();
    if !corpus.is_empty() {
        xml.open("Sources", &[]);
        for (position, document) in corpus.documents.iter().enumerate() {
            let guid = guid::source(&document.id);
            let path = format!("internal://{guid}.txt");
            xml.open(
                "TextSource",
                &[
                    ("guid", Some(&guid)),
                    ("name", Some(document.id.as_str())),
                    ("plainTextPath", Some(&path)),
                ],
            );
            if let Some(title) = document.metadata.title() {
                xml.text("Description", &[], &title);
            }
            for s in &selections[position] {
                let start = s.start.to_string();
                let end = s.end.to_string();
                xml.open(
                    "PlainTextSelection",
                    &[
                        ("guid", Some(&s.guid)),
                        ("name", Some(&s.name)),
                        ("startPosition", Some(&start)),
                        ("endPosition", Some(&end)),
                        ("creatingUser", Some(&s.user)),
                        ("creationDateTime", s.created.as_deref()),
                        ("modifyingUser", Some(&s.user)),
                        ("modifiedDateTime", s.modified.as_deref()),
                    ],
                );
                if let Some(memo) = &s.memo {
                    xml.text("Description", &[], memo);
                }
                xml.open(
                    "Coding",
                    &[
                        ("guid", Some(&s.coding_guid)),
                        ("creatingUser", Some(&s.user)),
                        ("creationDateTime", s.created.as_deref()),
                    ],
                );
                xml.empty("CodeRef", &[("targetGUID", Some(&s.code))]);
                xml.close();
                xml.close();
            }
            for (note, _, _) in &memos[position] {
                xml.empty("NoteRef", &[("targetGUID", Some(note))]);
            }
            let values = variables.values(codebook, Some(document));
            for (name, value) in variable_names.iter().zip(values) {
                let (element, text) = match value {
                    Value::Number(n) if variables.is_integer(name) && n.is_i64() => {
                        ("IntegerValue", n.to_string())
                    }
                    Value::Null => continue,
                    _ if variables.is_integer(name) => continue,
                    Value::String(s) => ("TextValue", s),
                    other => ("TextValue", other.to_string()),
                };
                let guid = guid::variable(name);
                xml.open("VariableValue", &[]);
                xml.empty("VariableRef", &[("targetGUID", Some(&guid))]);
                xml.text(element, &[], &text);
                xml.close();
            }
            xml.close();
            sources.push((format!("sources/{guid}.txt"), document.body.clone()));
        }
        xml.close();
    }

    let notes: Vec<(&DocumentId, &(String, &str, &str))> = corpus
        .documents
        .iter()
        .zip(&memos)
        .flat_map(|(d, m)| m.iter().map(move |memo| (&d.id, memo)))
        .collect();
    if !notes.is_empty() {
        xml.open("Notes", &[]);
        for (document, (guid, coder, memo)) in notes {
            let user = guid::user(coder);
            let name = format!("{coder}: memo on {document}");
            xml.open(
                "Note",
                &[
                    ("guid", Some(guid)),
                    ("name", Some(&name)),
                    ("creatingUser", Some(&user)),
                ],
            );
            xml.text("PlainTextContent", &[], memo);
            xml.close();
        }
        xml.close();
    }
    qdc::write_attribute_sets(&mut xml, codebook, "targetGUID");
    xml.close();

    Archive {
        project_qde: xml.finish(),
        sources,
        warnings,
    }
}

impl Archive {
    /// The `.qdpx` zip: `project.qde`, then the sources, deflated, with fixed timestamps so
    /// that the same project gives the same bytes.
    pub fn to_zip(&self) -> Result<Vec<u8>> {
        let fail = |e: &dyn std::fmt::Display| Error::Usage(format!("cannot write .qdpx: {e}"));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        zip.start_file("project.qde", options)
            .map_err(|e| fail(&e))?;
        zip.write_all(self.project_qde.as_bytes())
            .map_err(|e| fail(&e))?;
        for (path, text) in &self.sources {
            zip.start_file(path.as_str(), options)
                .map_err(|e| fail(&e))?;
            zip.write_all(text.as_bytes()).map_err(|e| fail(&e))?;
        }
        Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
    }
}
