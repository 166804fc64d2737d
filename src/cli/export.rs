//! `normcode export`: write the coders' annotations for analysis elsewhere, or exchange a
//! codebook or a whole project with other QDA tools (REFI-QDA); `--import-qdc` reads a
//! REFI-QDA codebook back as codebook YAML.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::export::{self, Format, Options};
use crate::output::{self, Destination, Protected};

use super::commands::open_coded_project;
use super::out::{self, note};

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
    /// The file to write (default, or `-`: standard output; required for qdpx). Never one of
    /// the project's own files; an existing file only with --force.
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
    /// Overwrite --out if it is an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ExportArgs, project: Option<&Path>) -> Result<ExitCode> {
    if let Some(qdc) = &args.import_qdc {
        return import_qdc(qdc, &args, project);
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
    let destination = output::destination(
        args.out.as_deref(),
        &Protected::project(&project.root, &project.settings.documents),
        args.force,
    )?;
    let names = super::commands::chosen_coders(&project, args.coders.as_deref(), None)?;
    // The codebook alone needs no coder file (and is not stopped by a broken one).
    let coders = if format == Format::Qdc {
        Vec::new()
    } else {
        project.load_coders(Some(&names))?
    };
    super::out::read_as(&coders);
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
        if let std::borrow::Cow::Owned(escaped) = crate::text::escape_json_controls(&text) {
            output.bytes = escaped.into_bytes();
        }
    }
    for warning in &output.warnings {
        note!("warning: {warning}");
    }
    if destination == Destination::Stdout && !format.is_text() {
        // A zip archive is data for a pipe or a file, never for a terminal to interpret.
        if std::io::stdout().is_terminal() {
            return Err(Error::Usage(format!(
                "{} output is a zip file: redirect it, or say where to write it with --out FILE.{}",
                format.name(),
                format.name()
            )));
        }
        out::raw(&output.bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    out::deliver(&destination, &output.bytes)?;
    if destination != Destination::Stdout {
        let shown = out::shown(&destination.shown());
        if format == Format::Qdc {
            note!("wrote {shown}");
        } else {
            note!("wrote {shown} ({} coders)", coders.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import_qdc(qdc: &Path, args: &ExportArgs, project: Option<&Path>) -> Result<ExitCode> {
    // Inside a project, the project's own files are protected; outside one there is none.
    let protected = match super::commands::project_root(project) {
        Ok(root) => protected_files(&root),
        Err(_) => Protected::none(),
    };
    let destination = output::destination(args.out.as_deref(), &protected, args.force)?;
    let yaml = export::qdc::import_with(qdc, &args.language)?;
    out::deliver(&destination, yaml.as_bytes())?;
    if destination != Destination::Stdout {
        note!(
            "wrote {} from {}; check it with `normcode check`",
            out::shown(&destination.shown()),
            out::shown(qdc)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The files of the project at `root` that no output may replace (its documents folder as
/// `normcode.yaml` says, or the default when that file cannot be read).
pub(super) fn protected_files(root: &Path) -> Protected {
    let documents = crate::project::Project::read_settings_and_codebook(root)
        .map(|(settings, _)| settings.documents)
        .unwrap_or_else(|_| crate::project::Settings::default().documents);
    Protected::project(root, &documents)
}
