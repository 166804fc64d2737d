//! `normcode report`: frequencies, the agenda (who raised each issue first), co-occurrence and
//! progress, as Markdown, CSV, JSON or (the agenda) an SVG chart.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::output::{self, Destination, Protected};
use crate::report::{self, Combine, Format, Include, Kind, Options, Within};

use super::commands::open_coded_project;
use super::out::{self, note};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// Documents raising each indicator, by publisher group and by year.
    Frequencies,
    /// For every indicator: the years each publisher group raised it, who was first, the lead.
    Agenda,
    /// Indicator × indicator: how often two are coded in the same unit (or document).
    Cooccurrence,
    /// Per coder and document: units, units coded, status; totals per coder.
    Progress,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown tables, aligned for a terminal, rendered by GitHub.
    #[default]
    Md,
    /// Long ("tidy") CSV for R and spreadsheets.
    Csv,
    /// The report's structure as JSON.
    Json,
    /// agenda only: a timeline chart (indicators × years, a marker per publisher group).
    Svg,
    /// The tables as a LaTeX fragment (booktabs longtables) to \input into a paper.
    Latex,
    /// agenda only: the chart as a PNG image (2 pixels per SVG pixel), drawn with the system's
    /// fonts (DejaVu Sans; Noto Sans CJK for Chinese).
    Png,
    /// agenda only: the chart as a one-page PDF (text kept as text, fonts embedded).
    Pdf,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum CombineArg {
    /// One series (table, panel) per coder.
    #[default]
    PerCoder,
    /// One series: coded by at least one of the coders.
    Any,
    /// One series: coded by every one of the coders.
    All,
    /// One series: coded by more than half of the coders.
    Majority,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum IncludeArg {
    /// The documents each coder marked done (as `normcode agree` compares).
    #[default]
    Done,
    /// Also the documents a coder is still coding, except those only coded from search hits.
    InProgress,
    /// Every document of the corpus, whatever its status.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WithinArg {
    Unit,
    Document,
}

#[derive(Debug, Args)]
#[command(
    about = "Reports: frequencies, agenda (who raised each issue first), cooccurrence, progress",
    long_about = "Analysis reports over the coders' work (KIND, listed below). The agenda is \
        the comparison at the heart of a norm study: for every indicator, the years each \
        publisher group's documents raise it, which group raised it first, and its lead in \
        years; --groups picks the groups compared, --format svg draws it as a timeline chart.\n\n\
        A document raises an indicator when a coder coded it anywhere in the document (a whole \
        unit or a span). Only the documents a coder marked done are counted, as by `normcode \
        agree` (--include in-progress or all counts more); every report lists the documents \
        it left out, with the coder and the reason (not started, in progress, search-coded \
        only). With several coders, each coder gets its own table by default (--combine \
        per-coder); --combine any|all|majority makes one table of the chosen coders instead, \
        over the documents every one of them counts: an indicator counts where at least one, \
        every one, or more than half of them coded it (in the document, or for cooccurrence \
        --within unit in the unit). A consensus file is a coder named consensus: --coders \
        consensus reports on it, with its unresolved disagreements per indicator; --combine \
        leaves it out unless --coders names it.\n\n\
        Publisher groups and years come from the documents' front matter (publisher, year) and \
        the codebook's publisher groups, as in the publisher_group and year columns of \
        `normcode export --format csv`; documents without one are left out of those tables, \
        with a warning.\n\n\
        md tables line up in a terminal and render on GitHub; csv is long (one observation per \
        row, zeros included) for R; json holds the report's structure. Labels are in the \
        codebook's first language unless --lang names another.",
    after_help = "Examples:\n  \
        normcode report agenda --groups company,intergovernmental\n  \
        normcode report agenda --coders consensus --format svg --out agenda.svg\n  \
        normcode report agenda --combine any --lang zh --format pdf --out agenda.pdf\n  \
        normcode report frequencies --format latex --out frequencies.tex\n  \
        normcode report frequencies --combine majority --format csv --out freq.csv\n  \
        normcode report cooccurrence --within document --lang zh\n  \
        normcode report progress"
)]
pub struct ReportArgs {
    /// The report.
    #[arg(value_enum)]
    pub kind: ReportKind,
    /// Report on these coders only, in this order (comma-separated; default: every coder file).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub coders: Option<Vec<String>>,
    /// How several coders make the tables: one per coder, or one of them combined.
    #[arg(long, value_enum, default_value_t)]
    pub combine: CombineArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Which documents of each coder are counted (default: done, those marked done).
    #[arg(long, value_enum, value_name = "WHICH")]
    pub include: Option<IncludeArg>,
    /// The language of codebook labels (default: the codebook's first language).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// agenda: the publisher groups compared, in this order (default: every group present).
    #[arg(long, value_name = "G1,G2", value_delimiter = ',')]
    pub groups: Option<Vec<String>>,
    /// cooccurrence: count pairs within units (default) or within documents.
    #[arg(long, value_enum)]
    pub within: Option<WithinArg>,
    /// The file to write (default, or `-`: standard output). Never one of the project's own
    /// files; an existing file only with --force.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Overwrite --out if it is an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ReportArgs, project: Option<&Path>) -> Result<ExitCode> {
    let kind = match args.kind {
        ReportKind::Frequencies => Kind::Frequencies,
        ReportKind::Agenda => Kind::Agenda,
        ReportKind::Cooccurrence => Kind::Cooccurrence,
        ReportKind::Progress => Kind::Progress,
    };
    let format = match args.format {
        ReportFormat::Md => Format::Markdown,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
        ReportFormat::Svg => Format::Svg,
        ReportFormat::Latex => Format::Latex,
        ReportFormat::Png => Format::Png,
        ReportFormat::Pdf => Format::Pdf,
    };
    let combine = match args.combine {
        CombineArg::PerCoder => Combine::PerCoder,
        CombineArg::Any => Combine::Any,
        CombineArg::All => Combine::All,
        CombineArg::Majority => Combine::Majority,
    };
    if args.within.is_some() && kind != Kind::Cooccurrence {
        return Err(Error::Usage(format!(
            "--within is for the cooccurrence report, not {}",
            kind.name()
        )));
    }
    if combine != Combine::PerCoder && kind == Kind::Progress {
        return Err(Error::Usage(
            "--combine is not for progress: progress is always per coder".into(),
        ));
    }
    if matches!(format, Format::Png | Format::Pdf)
        && args.out.as_deref().is_none_or(|o| o == Path::new("-"))
        && std::io::stdout().is_terminal()
    {
        return Err(Error::Usage(format!(
            "--format {} is binary: name a file with --out (or pipe standard output)",
            format.name()
        )));
    }
    if args.include.is_some() && kind == Kind::Progress {
        return Err(Error::Usage(
            "--include is not for progress: progress lists every document with its status".into(),
        ));
    }
    let project = open_coded_project(project)?;
    let destination = output::destination(
        args.out.as_deref(),
        &Protected::project(&project.root, &project.settings.documents),
        args.force,
    )?;
    let names = super::commands::chosen_coders(&project, args.coders.as_deref(), None)?;
    let (names, not_combined) = report::counted::default_coders(
        names,
        args.coders.is_none() && kind != Kind::Progress && combine != Combine::PerCoder,
    );
    for name in not_combined {
        note!(
            "note: {name} is not combined with the coders it decides between (name it in --coders to combine it)"
        );
    }
    let coders = project.load_coders(Some(&names))?;
    out::read_as(&coders);
    let mut options = Options::new(&project.codebook);
    options.combine = combine;
    options.include = match args.include.unwrap_or_default() {
        IncludeArg::Done => Include::Done,
        IncludeArg::InProgress => Include::InProgress,
        IncludeArg::All => Include::All,
    };
    if let Some(lang) = args.lang {
        options.lang = lang;
    }
    options.groups = args.groups.map(|groups| {
        groups
            .into_iter()
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .collect()
    });
    options.within = match args.within {
        Some(WithinArg::Document) => Within::Document,
        _ => Within::Unit,
    };
    let output = report::report(&project, &coders, kind, format, &options)?;
    for warning in &output.warnings {
        note!("warning: {warning}");
    }
    match (&destination, format) {
        // Labels and metadata in the report must not bring control characters to the
        // terminal: made visible, or escaped in JSON (the same value). `--out` writes the
        // report as it is.
        (Destination::Stdout, Format::Json) => out::json(&String::from_utf8_lossy(&output.bytes))?,
        (Destination::Stdout, Format::Png | Format::Pdf) => out::raw(&output.bytes)?,
        (Destination::Stdout, _) => out::text(&String::from_utf8_lossy(&output.bytes))?,
        _ => out::deliver(&destination, &output.bytes)?,
    }
    if destination != Destination::Stdout {
        note!("wrote {}", out::shown(&destination.shown()));
    }
    Ok(ExitCode::SUCCESS)
}
