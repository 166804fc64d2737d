//! `normcode import`: PDF, HTML and DOCX files turned into corpus documents.
//!
//! Each file becomes a Markdown document with front matter (`title`, `source`: the original
//! file name, `year` where the text or the file's metadata gives one, `language`: `en` or `zh`
//! by the share of Han characters) and a body that keeps the original's paragraphs: one per
//! paragraph, a blank line between them, headings as `#` lines, and UN paragraph numbers
//! (`13.`) and lettered sub-paragraphs (`(a)`) each at the start of a paragraph of their own so
//! that the segmenter gives them their ids (see `docs/formats.md`, "Units").
//!
//! Readers: [`pdf`] (the text layer, laid out again by position; a PDF without one is an
//! error that says to run OCR first), [`html`] (html5ever's tokenizer), [`docx`] (zip +
//! quick-xml, with Word's automatic numbering written out).
//!
//! Nothing is overwritten: [`import`] converts every file first and writes none when any target
//! document exists (unless `force`) or any file cannot be read.

mod docx;
mod html;
mod pdf;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use text::{Block, BlockKind, YearFrom, detect_year, find_year, guess_language, render_body};

use crate::corpus::{Document, DocumentId, Segmentation};
use crate::error::{Error, Result, SourcePos};

/// What a reader found in a file.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub title: Option<String>,
    /// Dates from the file's metadata, most telling first (any format; the year is looked for).
    pub dates: Vec<String>,
    pub blocks: Vec<Block>,
}

/// The formats `normcode import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Pdf,
    Html,
    Docx,
}

impl SourceFormat {
    /// By extension (`.pdf`, `.html`/`.htm`/`.xhtml`, `.docx`), else by the first bytes.
    pub fn detect(path: &Path, bytes: &[u8]) -> Option<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("pdf") => return Some(Self::Pdf),
            Some("html" | "htm" | "xhtml") => return Some(Self::Html),
            Some("docx") => return Some(Self::Docx),
            _ => {}
        }
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Self::Docx)
        } else {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
            let head = head.trim_start_matches('\u{feff}').trim_start();
            (head.starts_with("<!doctype html") || head.starts_with("<html")).then_some(Self::Html)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Html => "HTML",
            Self::Docx => "DOCX",
        }
    }
}

/// A converted file: the document normcode writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub format: SourceFormat,
    pub title: String,
    /// The original file name.
    pub source: String,
    pub year: Option<i64>,
    /// `en` or `zh`.
    pub language: &'static str,
    pub body: String,
    /// Where the title came from.
    pub title_from: TitleFrom,
    /// Where the year came from (`None` when there is no year).
    pub year_from: Option<YearFrom>,
    /// The year the file's metadata gives, when it is not the one taken.
    pub metadata_year: Option<i64>,
}

/// Where a converted document's title came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TitleFrom {
    /// The file's metadata (DOCX `docProps/core.xml`, the PDF's document info, HTML `<title>`).
    Metadata,
    /// The first line of the text: its line in the body (1-based).
    TextLine(usize),
    FileName,
}

/// A YAML double-quoted scalar (safe for any title: colons, quotes, `#`, leading dashes).
pub(crate) fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Converted {
    /// For each detected field, its name, the value and where it came from, with lines of the
    /// written document file, for `normcode import` to show so that the researcher can correct
    /// it.
    pub fn provenance(&self) -> Vec<(&'static str, String, String)> {
        let markdown = self.to_markdown();
        // Body line N is line N + this in the document file.
        let offset = markdown.lines().count() - self.body.lines().count();
        let metadata = match self.format {
            SourceFormat::Docx => "the file's metadata (docProps/core.xml)",
            SourceFormat::Pdf => "the file's metadata (PDF document info)",
            SourceFormat::Html => "the HTML <title>",
        };
        let title_from = match self.title_from {
            TitleFrom::Metadata => metadata.to_string(),
            TitleFrom::TextLine(n) => format!("text line {}", n + offset),
            TitleFrom::FileName => "the file name".to_string(),
        };
        let mut out = vec![(
            "title",
            format!("\"{}\"", self.title),
            format!("from {title_from}"),
        )];
        let year_from = match &self.year_from {
            None => "not found in the text, title, file name or metadata: add `year:`".to_string(),
            Some(from) => format!("from {}", self.describe_year(from, offset)),
        };
        out.push((
            "year",
            self.year.map_or("-".to_string(), |y| y.to_string()),
            year_from,
        ));
        out.push((
            "language",
            self.language.to_string(),
            "from the text (share of Chinese characters)".to_string(),
        ));
        out.push((
            "publisher",
            "-".to_string(),
            "not detected: add `publisher:` (a value of the codebook's publisher variable)"
                .to_string(),
        ));
        out
    }

    /// Where the year came from, with the line of the written document file.
    fn describe_year(&self, from: &YearFrom, offset: usize) -> String {
        let mut said = match from {
            YearFrom::Text { line, quote } => {
                format!("text line {}: \"{quote}\"", line + offset)
            }
            YearFrom::Title => "the title".to_string(),
            YearFrom::FileName => "the file name".to_string(),
            YearFrom::Metadata(date) => {
                format!("the file's metadata (date {date}), as the text states no date: check it")
            }
        };
        if let Some(other) = self.metadata_year
            && Some(other) != self.year
        {
            said.push_str(&format!(
                " (the file's metadata says {other}: not used, the text wins)"
            ));
        }
        said
    }

    /// The document file: front matter, then the body.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("---\n");
        out.push_str(&format!("title: {}\n", yaml_string(&self.title)));
        if let Some(year) = self.year {
            out.push_str(&format!("year: {year}\n"));
        }
        out.push_str(&format!("language: {}\n", self.language));
        out.push_str(&format!("source: {}\n", yaml_string(&self.source)));
        out.push_str("---\n");
        out.push_str(&self.body);
        out
    }
}

/// Converts the file at `path` (read from disk).
pub fn convert(path: &Path) -> Result<Converted> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
    convert_bytes(path, &bytes)
}

/// Converts a file's `bytes`; `path` names it (its extension picks the reader, its name is the
/// `source`).
pub fn convert_bytes(path: &Path, bytes: &[u8]) -> Result<Converted> {
    let format = SourceFormat::detect(path, bytes).ok_or_else(|| {
        Error::invalid(
            SourcePos::file(path),
            "not a PDF, HTML or DOCX file (normcode imports .pdf, .html, .htm and .docx; \
             put .txt and .md files into the documents folder as they are)",
        )
    })?;
    let extracted = match format {
        SourceFormat::Pdf => pdf::extract(path, bytes)?,
        SourceFormat::Html => html::extract(bytes),
        SourceFormat::Docx => docx::extract(path, bytes)?,
    };
    let body = render_body(&extracted.blocks);
    if body.trim().is_empty() {
        return Err(Error::invalid(
            SourcePos::file(path),
            format!("the {} file holds no text to import", format.name()),
        ));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let from_metadata = extracted
        .title
        .map(|t| text::collapse(&t))
        .filter(|t| !t.is_empty());
    let (title, title_from) = match from_metadata {
        Some(t) => (t, TitleFrom::Metadata),
        None => match body.lines().position(|l| !l.trim().is_empty()) {
            Some(index) => (
                body.lines()
                    .nth(index)
                    .unwrap_or("")
                    .trim_start_matches('#')
                    .trim()
                    .chars()
                    .take(200)
                    .collect(),
                TitleFrom::TextLine(index + 1),
            ),
            None => (stem.clone(), TitleFrom::FileName),
        },
    };
    let found = text::find_year(&body, Some(&title), Some(&stem), &extracted.dates);
    let metadata_year = text::find_year("", None, None, &extracted.dates).map(|(y, _)| y);
    let (year, year_from) = match found {
        Some((y, from)) => (Some(y), Some(from)),
        None => (None, None),
    };
    Ok(Converted {
        format,
        language: guess_language(&body),
        source: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        title,
        year,
        body,
        title_from,
        year_from,
        metadata_year,
    })
}

/// The file name a document from `path` gets: its stem in lower case, runs of anything but
/// letters, digits, `.` and `_` turned into `-`, then `.md`. Chinese names stay Chinese.
pub fn document_file_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut slug = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches(['-', '.']).to_string();
    format!("{}.md", if slug.is_empty() { "document" } else { &slug })
}

/// One imported document.
#[derive(Debug, Clone)]
pub struct Imported {
    pub from: PathBuf,
    pub to: PathBuf,
    pub converted: Converted,
    /// How many units normcode's paragraph segmenter finds in it.
    pub units: usize,
}

/// Imports `files` into the folder `into`: converts them all, checks that no target exists
/// (with `force`, an existing `.md` target is replaced; a `.txt` of the same name never is,
/// since both would claim one document id), then writes them atomically. On any error nothing
/// is written.
pub fn import(files: &[PathBuf], into: &Path, force: bool) -> Result<Vec<Imported>> {
    if files.is_empty() {
        return Err(Error::Usage("name the files to import".into()));
    }
    let mut planned: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    let mut out = Vec::new();
    for file in files {
        let converted = convert(file)?;
        let name = document_file_name(file);
        let to = into.join(&name);
        if let Some(first) = planned.insert(to.clone(), file) {
            return Err(Error::Usage(format!(
                "{} and {} would both become {}; import them one at a time under other names",
                first.display(),
                file.display(),
                to.display()
            )));
        }
        let stem = name.trim_end_matches(".md");
        for extension in ["md", "txt", "markdown"] {
            let existing = into.join(format!("{stem}.{extension}"));
            let replaceable = force && extension == "md";
            if existing.exists() && !replaceable {
                return Err(Error::Usage(format!(
                    "{} already exists; nothing was imported{}",
                    existing.display(),
                    if extension == "md" {
                        " (pass --force to replace it)"
                    } else {
                        " (a document of the same id; rename the file to import)"
                    }
                )));
            }
        }
        let id = DocumentId::new(stem);
        let units = Document::parse(id, &to, &converted.to_markdown(), Segmentation::Paragraph)?
            .units
            .len();
        out.push(Imported {
            from: file.clone(),
            to,
            converted,
            units,
        });
    }
    std::fs::create_dir_all(into).map_err(|e| Error::io(into, "cannot create", e))?;
    for imported in &out {
        crate::annotations::write_atomic(
            &imported.to,
            imported.converted.to_markdown().as_bytes(),
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_front_matter() {
        assert_eq!(
            document_file_name(Path::new("A_70_174 Report.PDF")),
            "a_70_174-report.md"
        );
        assert_eq!(
            document_file_name(Path::new("网络 安全.docx")),
            "网络-安全.md"
        );
        assert_eq!(document_file_name(Path::new("---.html")), "document.md");
        let converted = Converted {
            format: SourceFormat::Html,
            title: "Norms: \"a\" # b".into(),
            source: "x.html".into(),
            year: Some(2015),
            language: "en",
            body: "1. Text.\n".into(),
            title_from: TitleFrom::Metadata,
            year_from: Some(YearFrom::Title),
            metadata_year: None,
        };
        let document = Document::parse(
            DocumentId::new("x"),
            Path::new("x.md"),
            &converted.to_markdown(),
            Segmentation::Paragraph,
        )
        .unwrap();
        assert_eq!(document.title(), "Norms: \"a\" # b");
        assert_eq!(document.metadata.year(), Some(2015));
        assert_eq!(document.units[0].id.as_str(), "1");
    }
}
