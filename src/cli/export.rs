//! `normcode export`: write the coders' annotations for analysis elsewhere, or exchange a
//! codebook or a whole project with other QDA tools (REFI-QDA); `--import-qdc` reads a
//! REFI-QDA codebook back as codebook YAML.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::export::{self, Format, Options};

use super::commands::open_coded_project;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Long ("tidy") CSV: one row per coder × document × unit or span × indicator.
    Csv,
    /// Wide CSV: documents × indicators, one block of rows per coder (0/1, or --counts).
    Matrix,
    /// The csv rows as JSON objects, one per line, with numbers and nulls typed.
    Jsonl,
    /// All coder files merged into one YAML document (coder name -> file).
    Yaml,
    /// The codebook as a REFI-QDA codebook (.qdc), for MAXQDA, ATLAS.ti, NVivo, QualCoder...
    Qdc,
    /// The project as a REFI-QDA project archive (.qdpx): coders, codes, texts, codings, memos.
    Qdpx,
}

impl From<ExportFormat> for Format {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Matrix => Format::Matrix,
            ExportFormat::Jsonl => Format::Jsonl,
            ExportFormat::Yaml => Format::Yaml,
            ExportFormat::Qdc => Format::Qdc,
            ExportFormat::Qdpx => Format::Qdpx,
        }
    }
}

#[derive(Debug, Args)]
#[command(
    about = "Export annotations (csv, matrix, jsonl, yaml) or REFI-QDA files (qdc, qdpx); \
             import a .qdc codebook",
    long_about = "Export the coders' annotations for analysis elsewhere, or exchange the codebook \
        or the whole project with other QDA tools in the REFI-QDA format (QDA-XML 1.0).\n\n\
        Every coder file in annotations/ is exported unless --coders names some (a consensus \
        file is just another coder). Offsets are Unicode code points in the document body.\n\n\
        csv columns: coder, document, title, publisher, publisher_group, year, language, the \
        codebook's other document variables, unit, unit_start, unit_end, span_start, span_end \
        (empty for a whole-unit annotation), indicator, indicator_label, category (the top \
        category), category_label, quote (the span's or the whole unit's text), memo, status \
        (the coder's status for the document).\n\n\
        Spreadsheet safety: in csv and matrix output, a text cell that begins with =, +, -, @, \
        a tab or a carriage return is written with a single quote ' in front, so that \
        spreadsheets show it as text instead of running it as a formula (OWASP's advice \
        against CSV injection). Strip that quote if you read the file with a program that \
        does not need it. --bom starts the file with a UTF-8 byte order mark, which Excel \
        needs to show Chinese text.\n\n\
        Import: `normcode export --import-qdc CODES.qdc --out codebook.yaml` turns a REFI-QDA \
        codebook from any tool into a normcode codebook (codes with children become \
        categories, the others indicators; ids derived from the names). It needs no project \
        and never overwrites a file unless --force is given.",
    after_help = "Examples:\n  \
        normcode export --format csv --bom --out codings.csv\n  \
        normcode export --format matrix --counts --coders alice,bob --out matrix.csv\n  \
        normcode export --format qdpx --out study.qdpx\n  \
        normcode export --import-qdc maxqda-codes.qdc --out codebook.yaml"
)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum, required_unless_present = "import_qdc")]
    pub format: Option<ExportFormat>,
    /// The file to write (default: standard output; required for qdpx).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Export only these coders, in this order (comma-separated).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub coders: Option<Vec<String>>,
    /// Start csv/matrix output with a UTF-8 byte order mark (so Excel shows Chinese).
    #[arg(long)]
    pub bom: bool,
    /// matrix: the number of annotations per document and indicator instead of 0/1.
    #[arg(long)]
    pub counts: bool,
    /// Instead of exporting, import a REFI-QDA codebook (.qdc) as codebook YAML.
    #[arg(
        long,
        value_name = "FILE.qdc",
        conflicts_with_all = ["format", "coders", "bom", "counts"]
    )]
    pub import_qdc: Option<PathBuf>,
    /// With --import-qdc: the language of the codebook's names and descriptions.
    #[arg(
        long,
        value_name = "LANG",
        default_value = "en",
        requires = "import_qdc"
    )]
    pub language: String,
    /// With --import-qdc: overwrite --out if it exists.
    #[arg(long, requires = "import_qdc")]
    pub force: bool,
}

pub fn run(args: ExportArgs, project: Option<&Path>) -> Result<ExitCode> {
    if let Some(qdc) = &args.import_qdc {
        return import_qdc(qdc, &args);
    }
    let format: Format = args
        .format
        .ok_or_else(|| Error::Usage("--format is required".into()))?
        .into();
    if args.bom && !format.is_spreadsheet() {
        return Err(Error::Usage(format!(
            "--bom is for csv and matrix output, not {}",
            format.name()
        )));
    }
    if args.counts && format != Format::Matrix {
        return Err(Error::Usage(format!(
            "--counts is for matrix output, not {}",
            format.name()
        )));
    }
    if !format.is_text() && args.out.is_none() {
        return Err(Error::Usage(format!(
            "{} output is a zip file: say where to write it with --out FILE.{}",
            format.name(),
            format.name()
        )));
    }
    let project = open_coded_project(project)?;
    let names = super::commands::chosen_coders(&project, args.coders.as_deref(), None)?;
    // The codebook alone needs no coder file (and is not stopped by a broken one).
    let coders = if format == Format::Qdc {
        Vec::new()
    } else {
        project.load_coders(Some(&names))?
    };
    let options = Options {
        format,
        bom: args.bom,
        counts: args.counts,
    };
    let mut output = export::export(&project, &coders, &options)?;
    if format == Format::Jsonl {
        // Bidi overrides and C1 controls in memos and quotes are valid raw in JSON, but
        // rewrite what a terminal or an editor shows; escaped, they read back the same.
        let text = String::from_utf8_lossy(&output.bytes);
        if let std::borrow::Cow::Owned(escaped) = crate::tui::text::escape_json_controls(&text) {
            output.bytes = escaped.into_bytes();
        }
    }
    for warning in &output.warnings {
        eprintln!("warning: {warning}");
    }
    match &args.out {
        Some(path) => {
            crate::annotations::write_atomic(path, &output.bytes)?;
            if format == Format::Qdc {
                eprintln!("wrote {}", path.display());
            } else {
                eprintln!("wrote {} ({} coders)", path.display(), coders.len());
            }
        }
        None => write_stdout(&output.bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn import_qdc(qdc: &Path, args: &ExportArgs) -> Result<ExitCode> {
    let yaml = export::qdc::import_with(qdc, &args.language)?;
    match &args.out {
        Some(path) => {
            if path.exists() && !args.force {
                return Err(Error::Usage(format!(
                    "{} exists; choose another --out, or pass --force to overwrite it",
                    path.display()
                )));
            }
            crate::annotations::write_atomic(path, yaml.as_bytes())?;
            eprintln!(
                "wrote {} from {}; check it with `normcode check`",
                path.display(),
                qdc.display()
            );
        }
        None => write_stdout(yaml.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", "cannot write", e)),
    }
}
