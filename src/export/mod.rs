//! Batch export of the coders' annotations, and REFI-QDA (QDA-XML 1.0) interchange.
//!
//! Formats ([`Format`]):
//!
//! - `csv`: long ("tidy") form, one row per coder × document × annotation (a unit or a span) ×
//!   indicator; see [`table::TIDY_COLUMNS`] and [`table::VariableColumns`] for the columns.
//! - `matrix`: documents × indicators, one block of rows per coder (presence 0/1, or counts).
//! - `jsonl`: the csv rows as JSON objects, one per line, typed (numbers, `null`).
//! - `yaml`: every coder file merged into one YAML document, coder name → file.
//! - `qdc`: the codebook as a REFI-QDA codebook ([`qdc`]); `.qdc` files also import
//!   ([`qdc::import`]).
//! - `qdpx`: the whole project (coders, codebook, documents, codings, memos) as a REFI-QDA
//!   project archive ([`qdpx`]).
//!
//! Spreadsheet safety: in `csv` and `matrix` output, a text cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return gets a single quote `'` in front, so that Excel, LibreOffice
//! and Google Sheets show it as text instead of running it as a formula (OWASP's advice against
//! CSV injection). `jsonl`, `yaml` and the REFI-QDA formats carry text unchanged.
//!
//! Offsets are Unicode code points in the document body, as everywhere in normcode.

pub mod guid;
pub mod merged;
pub mod qdc;
pub mod qdpx;
pub mod table;
mod xml;

use crate::error::Result;
use crate::project::{LoadedCoder, Project};

/// The `origin` written into REFI-QDA files.
pub const ORIGIN: &str = concat!("normcode ", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Matrix,
    Jsonl,
    Yaml,
    Qdc,
    Qdpx,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Matrix => "matrix",
            Format::Jsonl => "jsonl",
            Format::Yaml => "yaml",
            Format::Qdc => "qdc",
            Format::Qdpx => "qdpx",
        }
    }

    /// Whether the output is text a terminal can show (all but the `.qdpx` zip).
    pub fn is_text(self) -> bool {
        self != Format::Qdpx
    }

    /// Whether the output is for spreadsheets (gets `--bom`, formula escaping).
    pub fn is_spreadsheet(self) -> bool {
        matches!(self, Format::Csv | Format::Matrix)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    /// Start `csv`/`matrix` output with a UTF-8 byte order mark (for Excel).
    pub bom: bool,
    /// `matrix`: counts instead of 0/1.
    pub counts: bool,
}

impl Options {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            bom: false,
            counts: false,
        }
    }
}

/// What an export produced: the file's bytes, and what the user should know about it.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub bytes: Vec<u8>,
    /// Annotations that were exported as stored or left out, and why.
    pub warnings: Vec<String>,
}

/// Exports `coders` (in the order given) of `project` in `options.format`.
pub fn export(project: &Project, coders: &[LoadedCoder], options: &Options) -> Result<Output> {
    let mut warnings = Vec::new();
    let bytes = match options.format {
        Format::Csv => {
            warnings.extend(table::orphan_warnings(
                coders,
                "exported with placement `orphaned`, its stored quote and no offsets",
            ));
            table::write_csv(&table::tidy(project, coders), options.bom)?
        }
        Format::Matrix => {
            warnings.extend(table::orphan_warnings(coders, "left out of the counts"));
            table::write_csv(&table::matrix(project, coders, options.counts), options.bom)?
        }
        Format::Jsonl => {
            warnings.extend(table::orphan_warnings(
                coders,
                "exported with placement `orphaned`, its stored quote and no offsets",
            ));
            table::write_jsonl(&table::tidy(project, coders))?
        }
        Format::Yaml => merged::to_yaml(project, coders)?.into_bytes(),
        Format::Qdc => qdc::export(&project.codebook)?.into_bytes(),
        Format::Qdpx => {
            let archive = qdpx::build(project, coders)?;
            warnings.extend(archive.warnings.iter().cloned());
            archive.to_zip()?
        }
    };
    Ok(Output { bytes, warnings })
}
