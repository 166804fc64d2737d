//! REFI-QDA project archives (`.qdpx`): a zip with `project.qde` (QDA-XML 1.0, namespace
//! `urn:QDA-XML:project:1.0`) and the documents' texts under `sources/`.
//!
//! - Users: one per coder.
//! - CodeBook: as in a `.qdc` ([`super::qdc`]), plus any code the annotations use that the
//!   codebook does not define.
//! - Variables: the document variables of the `csv` export (publisher, publisher_group, year,
//!   language, the codebook's others) and any other front matter key (date, symbol, source),
//!   each with its label as description, and each document's values on its source.
//! - Sources: one `TextSource` per document, its text the document body (front matter left
//!   out, `\r\n` read as `\n`) in `sources/<guid>.txt`, UTF-8 without BOM, referred to as
//!   `internal://<guid>.txt`. Its name is the document id with `_` for `/` (tools use it as a
//!   file name); its description the title, then a line `normcode: document=ID status=...`
//!   that keeps the id and each coder's status. Its dates come from the project (see
//!   [`UNDATED`]), its creating user the first coder. Each document is also a `Case` (its
//!   title, a `SourceRef` to its source, its variable values).
//! - One `PlainTextSelection` per annotation × code × coder, `startPosition`/`endPosition`
//!   counting Unicode code points from 0 in that text, the end exclusive (the selected text is
//!   `text[start..end]`); a whole-unit annotation selects the unit. It holds one `Coding` with
//!   the `CodeRef` and the coder as `creatingUser`; the annotation memo is its `Description`.
//! - A coder's document memo is a `Note` (its text in `PlainTextContent`, the coder as
//!   `creatingUser`, dates from the coder's annotations on the document or the coder file)
//!   that the document's source refers to with a `NoteRef`; the note holds a
//!   `PlainTextSelection` of the whole document, which is how QualCoder reads a source's note.
//! - Sets: the indicators of each attribute value, as in a `.qdc`.
//! - The project's `<Description>`: the codebook's settings and the coders' codebook versions
//!   ([`crate::refi::header`]), so that `normcode import` gives back the same project.
//!
//! Every element that can carry dates and users carries them: QualCoder's import stops at a
//! note without a date.
//!
//! Annotations that cannot be placed in their document (see `normcode check`) are left out,
//! with a warning.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::annotations::Status;
use crate::corpus::{DocumentId, IndicatorId, MetaValue};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

use super::guid;
use super::qdc;
use crate::refi::header::{CodebookHeader, CoderHeader, Header};

use super::table::VariableColumns;
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

/// A coder's memo on a document.
struct Memo<'a> {
    guid: String,
    coder: &'a str,
    text: &'a str,
    created: String,
    modified: String,
}

/// The date a source carries when nothing in the project dates it: 2000-01-01T00:00:00Z.
/// Dates never come from files' modification times, so the same project exports the same
/// XML wherever and whenever it is checked out.
pub const UNDATED: i64 = 946_684_800;

/// A document's dates: the first annotation any coder made on it (and the last change to one),
/// else its front matter's `date` (`YYYY-MM-DD` or RFC 3339), else [`UNDATED`].
fn document_times(
    document: &crate::corpus::Document,
    coders: &[LoadedCoder],
) -> (DateTime<Utc>, DateTime<Utc>) {
    let annotations = coders
        .iter()
        .filter_map(|c| c.file.documents.get(&document.id))
        .flat_map(|d| d.annotations.iter());
    let first = annotations.clone().filter_map(|a| a.created).min();
    let last = annotations.filter_map(|a| a.modified.or(a.created)).max();
    let created = first
        .or_else(|| front_matter_date(document))
        .unwrap_or_else(|| DateTime::from_timestamp(UNDATED, 0).unwrap_or_default());
    (created, last.unwrap_or(created).max(created))
}

/// The front matter's `date`, as a time (midnight UTC for a day).
fn front_matter_date(document: &crate::corpus::Document) -> Option<DateTime<Utc>> {
    let text = document.metadata.text("date")?;
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The source's name: the document id with `_` for `/` and for characters file names cannot
/// hold, made unique with ` (2)`, ` (3)`...
fn source_names(ids: &[&DocumentId]) -> Vec<String> {
    let mut used = BTreeSet::new();
    ids.iter()
        .map(|id| {
            let base: String = id
                .as_str()
                .chars()
                .map(|c| {
                    if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base} ({n})");
                n += 1;
            }
            name
        })
        .collect()
}

/// The last line of a source's description: `normcode: document=ID status=CODER:STATUS,...`.
pub(crate) const SOURCE_TRAILER: &str = "normcode: document=";

/// Builds the archive's parts.
pub fn build(project: &Project, coders: &[LoadedCoder]) -> Result<Archive> {
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

    // Selections, memos and statuses, per document position in the corpus.
    let mut selections: Vec<Vec<Selection>> = (0..corpus.len()).map(|_| Vec::new()).collect();
    let mut memos: Vec<Vec<Memo>> = (0..corpus.len()).map(|_| Vec::new()).collect();
    let mut statuses: Vec<Vec<(&str, Status)>> = (0..corpus.len()).map(|_| Vec::new()).collect();
    let mut first_created: Option<DateTime<Utc>> = None;
    let mut last_modified: Option<DateTime<Utc>> = None;
    let times: Vec<(DateTime<Utc>, DateTime<Utc>)> = corpus
        .documents
        .iter()
        .map(|d| document_times(d, coders))
        .collect();
    for coder in coders {
        let user = guid::user(&coder.name);
        let mut orphaned = 0;
        let mut missing: BTreeSet<&DocumentId> = BTreeSet::new();
        for (document_id, coding) in &coder.file.documents {
            let Some(position) = corpus.position(document_id) else {
                if !coding.annotations.is_empty() || coding.memo.is_some() {
                    missing.insert(document_id);
                }
                continue;
            };
            let document = &corpus.documents[position];
            statuses[position].push((coder.name.as_str(), coding.status));
            let created = coding.annotations.iter().filter_map(|a| a.created).min();
            let modified = coding
                .annotations
                .iter()
                .filter_map(|a| a.modified.or(a.created))
                .max();
            first_created = first_created.min(created).or(first_created).or(created);
            last_modified = last_modified.max(modified);
            if let Some(memo) = coding.memo.as_deref().filter(|m| !m.trim().is_empty()) {
                memos[position].push(Memo {
                    guid: guid::document_memo(&coder.name, document_id),
                    coder: coder.name.as_str(),
                    text: memo,
                    created: stamp(created.unwrap_or(times[position].0)),
                    modified: stamp(modified.unwrap_or(times[position].0)),
                });
            }
            for a in &coding.annotations {
                let range = match a.span {
                    Some(span) => Some(span),
                    None => document.unit(&a.unit).map(|u| u.range),
                };
                let text = range.and_then(|r| document.slice(r));
                let (Some(range), Some(text), false) = (range, text, a.is_orphaned()) else {
                    orphaned += a.codes.len();
                    continue;
                };
                let mut seen = BTreeSet::new();
                for code in a.codes.iter().filter(|c| seen.insert(*c)) {
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
            }
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
    let mut variable_names: Vec<String> = variables.names().map(str::to_string).collect();
    // Other front matter keys (date, symbol, source...), in name order; the title is the
    // source's description.
    let others: BTreeSet<&str> = corpus
        .documents
        .iter()
        .flat_map(|d| d.metadata.values.keys())
        .map(String::as_str)
        .filter(|key| *key != "title" && !variable_names.iter().any(|n| n == key))
        .collect();
    variable_names.extend(others.into_iter().map(str::to_string));

    let mut xml = Xml::new();
    let name = super::merged::project_name(project);
    let owner = coders.first().map(|c| guid::user(&c.name));
    let project_created = time(first_created);
    let project_modified = time(last_modified);
    xml.open(
        "Project",
        &[
            ("xmlns", Some(NAMESPACE)),
            ("name", Some(&name)),
            ("origin", Some(super::ORIGIN)),
            ("creatingUserGUID", owner.as_deref()),
            ("creationDateTime", project_created.as_deref()),
            ("modifyingUserGUID", owner.as_deref()),
            ("modifiedDateTime", project_modified.as_deref()),
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
            let base = name.strip_suffix("_group").unwrap_or(name);
            let label = codebook
                .variable(name)
                .map(|v| v.label.get(codebook.language()).to_string())
                .or_else(|| {
                    codebook
                        .variable(base)
                        .filter(|_| base != name)
                        .map(|v| format!("{} group", v.label.get(codebook.language())))
                });
            xml.open(
                "Variable",
                &[
                    ("guid", Some(&guid)),
                    ("name", Some(name)),
                    ("typeOfVariable", Some(kind)),
                ],
            );
            if let Some(label) = label {
                xml.text("Description", &[], &label);
            }
            xml.close();
        }
        xml.close();
    }

    // Each document's variable values: (variable GUID, element, text).
    let values: Vec<Vec<(String, &'static str, String)>> = corpus
        .documents
        .iter()
        .map(|document| {
            let mut out = Vec::new();
            let values = variables.values(codebook, Some(document));
            let values = values.into_iter().map(Some).chain(std::iter::repeat(None));
            for (name, value) in variable_names.iter().zip(values) {
                let value = match value {
                    Some(value) => value,
                    None => match document.metadata.get(name) {
                        Some(MetaValue::Integer(n)) => Value::from(*n),
                        Some(other) => Value::String(other.to_string()),
                        None => continue,
                    },
                };
                let (element, text) = match value {
                    Value::Number(n) if variables.is_integer(name) && n.is_i64() => {
                        ("IntegerValue", n.to_string())
                    }
                    Value::Null => continue,
                    _ if variables.is_integer(name) => continue,
                    Value::String(s) => ("TextValue", s),
                    other => ("TextValue", other.to_string()),
                };
                out.push((guid::variable(name), element, text));
            }
            out
        })
        .collect();

    // One case per document, as NVivo's "case per document": its title, its source, its
    // variable values. Case names must be unique (QualCoder refuses a second case of the same
    // name): a title two documents share is followed by the document's id.
    if !corpus.is_empty() {
        let titles: Vec<String> = corpus.documents.iter().map(|d| d.title()).collect();
        xml.open("Cases", &[]);
        for (position, document) in corpus.documents.iter().enumerate() {
            let guid = guid::case(&document.id);
            let title = &titles[position];
            let name = if titles.iter().filter(|t| *t == title).count() > 1 {
                format!("{title} ({})", document.id)
            } else {
                title.clone()
            };
            xml.open("Case", &[("guid", Some(&guid)), ("name", Some(&name))]);
            for (variable, element, text) in &values[position] {
                xml.open("VariableValue", &[]);
                xml.empty("VariableRef", &[("targetGUID", Some(variable))]);
                xml.text(element, &[], text);
                xml.close();
            }
            let source = guid::source(&document.id);
            xml.empty("SourceRef", &[("targetGUID", Some(&source))]);
            xml.close();
        }
        xml.close();
    }

    let mut sources = Vec::new();
    if !corpus.is_empty() {
        let ids: Vec<&DocumentId> = corpus.documents.iter().map(|d| &d.id).collect();
        let names = source_names(&ids);
        xml.open("Sources", &[]);
        for (position, document) in corpus.documents.iter().enumerate() {
            let guid = guid::source(&document.id);
            let path = format!("internal://{guid}.txt");
            let (created, modified) = times[position];
            let (created, modified) = (Some(stamp(created)), Some(stamp(modified)));
            xml.open(
                "TextSource",
                &[
                    ("guid", Some(&guid)),
                    ("name", Some(&names[position])),
                    ("plainTextPath", Some(&path)),
                    ("creatingUser", owner.as_deref()),
                    ("creationDateTime", created.as_deref()),
                    ("modifyingUser", owner.as_deref()),
                    ("modifiedDateTime", modified.as_deref()),
                ],
            );
            let mut trailer = format!(
                "{SOURCE_TRAILER}{}",
                crate::refi::encode_token(document.id.as_str())
            );
            if !statuses[position].is_empty() {
                let list: Vec<String> = statuses[position]
                    .iter()
                    .map(|(coder, status)| {
                        format!(
                            "{}:{}",
                            crate::refi::encode_token(coder),
                            status_name(*status)
                        )
                    })
                    .collect();
                trailer.push_str(&format!(" status={}", list.join(",")));
            }
            let description = match document.metadata.title() {
                Some(title) => format!("{title}\n\n{trailer}"),
                None => trailer,
            };
            xml.text("Description", &[], &description);
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
            for memo in &memos[position] {
                xml.empty("NoteRef", &[("targetGUID", Some(&memo.guid))]);
            }
            for (guid, element, text) in &values[position] {
                xml.open("VariableValue", &[]);
                xml.empty("VariableRef", &[("targetGUID", Some(guid))]);
                xml.text(element, &[], text);
                xml.close();
            }
            xml.close();
            sources.push((format!("sources/{guid}.txt"), document.body.clone()));
        }
        xml.close();
    }

    let notes: Vec<(&crate::corpus::Document, &Memo)> = corpus
        .documents
        .iter()
        .zip(&memos)
        .flat_map(|(d, m)| m.iter().map(move |memo| (d, memo)))
        .collect();
    if !notes.is_empty() {
        xml.open("Notes", &[]);
        for (document, memo) in notes {
            let user = guid::user(memo.coder);
            let name = format!("{}: memo on {}", memo.coder, document.id);
            xml.open(
                "Note",
                &[
                    ("guid", Some(&memo.guid)),
                    ("name", Some(&name)),
                    ("creatingUser", Some(&user)),
                    ("creationDateTime", Some(&memo.created)),
                    ("modifyingUser", Some(&user)),
                    ("modifiedDateTime", Some(&memo.modified)),
                ],
            );
            xml.text("PlainTextContent", &[], memo.text);
            let selection = guid::memo_selection(memo.coder, &document.id);
            let end = document.len_chars().to_string();
            xml.empty(
                "PlainTextSelection",
                &[
                    ("guid", Some(&selection)),
                    ("name", Some(&short(&document.title(), 60))),
                    ("startPosition", Some("0")),
                    ("endPosition", Some(&end)),
                    ("creatingUser", Some(&user)),
                    ("creationDateTime", Some(&memo.created)),
                    ("modifyingUser", Some(&user)),
                    ("modifiedDateTime", Some(&memo.modified)),
                ],
            );
            xml.close();
        }
        xml.close();
    }
    qdc::write_attribute_sets(&mut xml, codebook, "targetGUID", None);
    let settings = Header {
        codebook: CodebookHeader::of(codebook),
        coders: coders
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    CoderHeader {
                        codebook_version: c.file.codebook_version.clone(),
                    },
                )
            })
            .collect(),
        segmentation: Some(project.settings.segmentation),
    };
    xml.text("Description", &[], &settings.to_text()?);
    xml.close();

    Ok(Archive {
        project_qde: xml.finish(),
        sources,
        warnings,
    })
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A status as coder files write it.
pub(crate) fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not_started",
        Status::InProgress => "in_progress",
        Status::Done => "done",
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
