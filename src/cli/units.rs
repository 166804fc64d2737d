//! `normcode units DOC`: how a document is split into units, to check before coding it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::corpus::{Document, DocumentId, Reading};
use crate::error::{Error, Result};
use crate::project::Project;

use super::commands::project_root;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum UnitsFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Args)]
#[command(
    about = "Show how a document is split into units (id, kind, length, first words)",
    long_about = "Show how a document is split into units: each unit's id, kind (heading, \
        paragraph, numbered, sub-paragraph, list item, sentence, line), length in characters \
        and first words, and whether the body was read by its blank lines or as wrapped text \
        (lines without blank lines between paragraphs, as text copied from a PDF comes). Check \
        it before coding: a document's front matter `segmentation: wrapped` or `segmentation: \
        blank-lines` overrides what normcode finds. DOC is a document id (`un/gge-2015`) or the \
        path of a .md or .txt file, inside the project or not."
)]
pub struct UnitsArgs {
    /// A document id, or the path of a text file.
    #[arg(value_name = "DOC")]
    pub document: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: UnitsFormat,
}

/// How many columns of a unit's text the table shows.
const FIRST_WORDS: usize = 56;

pub fn run(args: UnitsArgs, project: Option<&Path>) -> Result<ExitCode> {
    let project = Project::open(&project_root(project)?)?;
    let owned;
    let document = match find(&project, &args.document)? {
        Found::Loaded(position) => &project.corpus.documents[position],
        Found::File(document) => {
            owned = document;
            &*owned
        }
    };
    match args.format {
        UnitsFormat::Table => super::out::text(&table(document))?,
        UnitsFormat::Json => super::out::json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json(document)).expect("units always serialize")
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

enum Found {
    Loaded(usize),
    File(Box<Document>),
}

/// The document named `wanted`: a document of the corpus by id or by file, else a text file
/// read as the project would read it.
fn find(project: &Project, wanted: &str) -> Result<Found> {
    let id = DocumentId::new(wanted.trim_end_matches(['/']));
    if let Some(position) = project.corpus.position(&id) {
        return Ok(Found::Loaded(position));
    }
    let path = PathBuf::from(wanted);
    let canonical = path.canonicalize().ok();
    if let Some(canonical) = &canonical {
        for (position, document) in project.corpus.documents.iter().enumerate() {
            let file = project.root.join(&document.path).canonicalize().ok();
            if file.as_ref() == Some(canonical) {
                return Ok(Found::Loaded(position));
            }
        }
    }
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "'{}' is neither a document of the project (ids look like '{}'; `normcode status \
             --format json` lists them) nor a file",
            crate::text::sanitize(wanted),
            project
                .corpus
                .documents
                .first()
                .map_or("un/gge-2015", |d| d.id.as_str())
        )));
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
    let raw = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::invalid(
            crate::error::SourcePos::at(&path, line as u64, 1),
            "not UTF-8 text (convert it to UTF-8, or import it with `normcode import`)",
        )
    })?;
    if raw.contains('\0') {
        return Err(Error::invalid(
            crate::error::SourcePos::file(&path),
            "a binary file (it holds NUL bytes), not text",
        ));
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let document = Document::parse_owned(
        DocumentId::new(stem),
        &path,
        raw,
        project.settings.segmentation,
    )?;
    Ok(Found::File(Box::new(document)))
}

/// What the table's first line says about how the body was read.
fn reading_note(reading: Reading) -> String {
    match reading {
        Reading::BlankLines => "paragraphs end at blank lines".into(),
        Reading::Wrapped {
            width,
            detected: true,
        } => format!(
            "read as wrapped text: no blank lines between paragraphs, lines of about {width} \
             columns, so a short line that ends a sentence ends its paragraph (found by \
             normcode; `segmentation: blank-lines` in the front matter turns this off)"
        ),
        Reading::Wrapped {
            width,
            detected: false,
        } => format!(
            "read as wrapped text (the front matter says `segmentation: wrapped`): lines of \
             about {width} columns, a short line that ends a sentence ends its paragraph"
        ),
    }
}

/// The first `columns` columns of `text` on one line, with `…` if cut.
fn first_words(text: &str, columns: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        let width = c.width().unwrap_or(0) + usize::from(space);
        if used + width > columns.saturating_sub(1) {
            out.push('…');
            return out;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        used += width;
    }
    out
}

fn table(document: &Document) -> String {
    let units = &document.units;
    let mut out = format!(
        "{}: {} unit{}; {}\n\n",
        document.id,
        units.len(),
        if units.len() == 1 { "" } else { "s" },
        reading_note(document.reading)
    );
    let id_width = units
        .iter()
        .map(|u| u.id.as_str().chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    out.push_str(&format!(
        "{:<id_width$}  {:<13}  {:>6}  text\n",
        "unit", "kind", "chars"
    ));
    for unit in units {
        out.push_str(&format!(
            "{:<id_width$}  {:<13}  {:>6}  {}\n",
            unit.id.as_str(),
            unit.kind.name(),
            unit.range.len(),
            first_words(document.unit_text(unit), FIRST_WORDS)
        ));
    }
    out
}

#[derive(Serialize)]
struct UnitsJson<'a> {
    document: &'a str,
    path: String,
    /// `blank-lines` or `wrapped`.
    reading: &'static str,
    /// For wrapped text: the usual line width, and whether normcode found it (or the front
    /// matter said so).
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detected: Option<bool>,
    units: Vec<UnitJson<'a>>,
}

#[derive(Serialize)]
struct UnitJson<'a> {
    id: &'a str,
    kind: &'static str,
    /// Code points in the body, end exclusive.
    start: usize,
    end: usize,
    text: &'a str,
}

fn json(document: &Document) -> UnitsJson<'_> {
    let (reading, width, detected) = match document.reading {
        Reading::BlankLines => ("blank-lines", None, None),
        Reading::Wrapped { width, detected } => ("wrapped", Some(width), Some(detected)),
    };
    UnitsJson {
        document: document.id.as_str(),
        path: document.path.display().to_string(),
        reading,
        width,
        detected,
        units: document
            .units
            .iter()
            .map(|unit| UnitJson {
                id: unit.id.as_str(),
                kind: unit.kind.name(),
                start: unit.range.start,
                end: unit.range.end,
                text: document.unit_text(unit),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::first_words;

    #[test]
    fn first_words_fit_their_columns_and_say_when_cut() {
        assert_eq!(first_words("one  two\nthree", 40), "one two three");
        assert_eq!(first_words("one two three four", 10), "one two t…");
        assert_eq!(first_words("各国应当合作", 7), "各国应…");
        assert_eq!(first_words("", 7), "");
    }
}
