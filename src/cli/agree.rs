//! `normcode agree`: intercoder agreement between coder files, and a stand-alone calculator for
//! any reliability data (`--data`, `--spans`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::adjudication;
use crate::agreement::{self, Level};
use crate::error::{Error, Result, SourcePos};
use crate::reliability::{
    CodingsCsv, Continuum, CsvError, Metric, SpansCsv, data_report, span_report,
};

use super::commands::open_coded_project;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// Presence of each indicator on each text unit; overall: code sets per unit (MASI alpha).
    Unit,
    /// Presence of each indicator anywhere in a document; overall: pooled over indicators.
    Document,
    /// Unitizing alpha on the spans (whole-unit codes are spans covering the unit).
    Span,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum AgreeFormat {
    /// An aligned table with notes.
    #[default]
    Table,
    /// Everything, disagreements included (--data, --spans: the report as is).
    Json,
    /// One row per indicator and an overall row (with --disagreements: the disagreements).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
    /// Sets of labels joined with `|`, compared with the MASI distance.
    Masi,
}

impl From<MetricArg> for Metric {
    fn from(metric: MetricArg) -> Self {
        match metric {
            MetricArg::Nominal => Metric::Nominal,
            MetricArg::Ordinal => Metric::Ordinal,
            MetricArg::Interval => Metric::Interval,
            MetricArg::Ratio => Metric::Ratio,
            MetricArg::Masi => Metric::Masi,
        }
    }
}

fn parse_threshold(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if (-1.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!(
            "`{text}` is not a number from -1 to 1 (alpha's range), such as 0.667 or 0.8"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    about = "Intercoder agreement: per indicator and overall, flagged below alpha .667",
    long_about = "Intercoder agreement between coder files, one row per indicator: units, how \
        many each coder coded, percent agreement, Cohen's kappa (two coders) or Fleiss' kappa \
        (more), Scott's pi (two coders) and Krippendorff's alpha, then an overall row.\n\n\
        Coders are compared on the documents every one of them marked done; a document someone \
        has not finished is left out and listed (its units are missing, not absent).\n\n\
        --level unit (default)  presence/absence of each indicator on each text unit; overall: \
        all codes of a unit as one set, Krippendorff's alpha with the MASI distance (and the \
        share of units with identical code sets)\n\
        --level document        presence of each indicator anywhere in a document \
        (indicators × documents); overall: presence/absence pooled over every (indicator, \
        document) pair\n\
        --level span            Krippendorff's unitizing alpha per indicator on the compared \
        documents' text, concatenated into one continuum; whole-unit codes are spans covering \
        the unit; overall: alpha-U over all indicators\n\n\
        Indicators nobody used are omitted from the rows and listed as unused. A statistic \
        without a value (no variation, e.g.) is n/a in the table and null in JSON, with the \
        reason. Indicators with alpha below --threshold (default .667, Krippendorff's floor for \
        tentative conclusions; .800 for firm ones) are flagged with !.\n\n\
        Stand-alone calculator for any reliability data, without a project:\n  \
        --data FILE.csv   columns unit,coder,value (empty value = missing; a|b = a set), with \
        --metric nominal|ordinal|interval|ratio|masi (default nominal)\n  \
        --spans FILE.csv  columns coder,begin,length,category, with --continuum BEGIN:END\n\n\
        Exit 0 on success, 1 when an input file is wrong (the message names the line), 2 for \
        usage errors (an unknown coder, fewer than two coders, a missing file).",
    after_help = "Examples:\n  \
        normcode agree\n  \
        normcode agree --level document --coders alice,bob,carol\n  \
        normcode agree --disagreements\n  \
        normcode agree --format json > agreement.json\n  \
        normcode agree --data codings.csv --metric interval\n  \
        normcode agree --spans spans.csv --continuum 0:1200 --format json"
)]
pub struct AgreeArgs {
    /// The coders compared, at least two (comma-separated; default: every coder file except
    /// `consensus`).
    #[arg(long, value_name = "A,B", value_delimiter = ',', conflicts_with_all = ["data", "spans"])]
    pub coders: Option<Vec<String>>,
    /// What a unit is: a text unit (default), a document, or spans on the text.
    #[arg(long, value_enum, conflicts_with_all = ["data", "spans"])]
    pub level: Option<LevelArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: AgreeFormat,
    /// Flag indicators with alpha below this [default: 0.667].
    #[arg(long, value_name = "ALPHA", value_parser = parse_threshold, conflicts_with_all = ["data", "spans"])]
    pub threshold: Option<f64>,
    /// List the units where the coders disagree, after the table (JSON always has them; with
    /// --format csv, writes them instead of the indicator rows).
    #[arg(long, conflicts_with_all = ["data", "spans"])]
    pub disagreements: bool,
    /// Compute agreement on a `unit,coder,value` CSV file instead of a project.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "spans")]
    pub data: Option<PathBuf>,
    /// --data: the level of measurement of the values [default: nominal].
    #[arg(long, value_enum, requires = "data")]
    pub metric: Option<MetricArg>,
    /// Compute unitizing alpha on a `coder,begin,length,category` CSV file instead of a project.
    #[arg(long, value_name = "FILE.csv", requires = "continuum")]
    pub spans: Option<PathBuf>,
    /// --spans: the stretch the coders divided into spans, such as 0:1200.
    #[arg(long, value_name = "BEGIN:END", requires = "spans")]
    pub continuum: Option<Continuum>,
}

/// The width tables are laid out for: the terminal's, else 100 columns.
fn width() -> usize {
    if std::io::stdout().is_terminal()
        && let Ok((columns, _)) = ratatui::crossterm::terminal::size()
        && columns >= 40
    {
        return usize::from(columns);
    }
    100
}

/// Tables and notes quote labels, document ids and coder names: control characters made
/// visible. JSON is escaped (the same value); CSV is data, exact unless it goes to a terminal.
fn print(text: &str, format: AgreeFormat) -> Result<()> {
    match format {
        AgreeFormat::Table => super::out::text(text),
        AgreeFormat::Json => super::out::json(text),
        AgreeFormat::Csv => super::out::data(text.as_bytes()),
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("reports always serialize");
    text.push('\n');
    text
}

/// A CSV input error: a missing file is a usage error (exit 2), anything wrong inside the file is
/// bad input (exit 1) whose message names the line.
fn csv_error(path: &Path, error: CsvError) -> Error {
    match error {
        CsvError::Io { path, source } => Error::io(path, "cannot open", source),
        other => Error::invalid(SourcePos::file(path), other.to_string()),
    }
}

pub fn run(args: AgreeArgs, project: Option<&Path>) -> Result<ExitCode> {
    if let Some(path) = &args.data {
        return data(
            path,
            args.metric.map_or(Metric::Nominal, Metric::from),
            args.format,
        );
    }
    if let (Some(path), Some(continuum)) = (&args.spans, args.continuum) {
        return spans(path, continuum, args.format);
    }
    let project = open_coded_project(project)?;
    let names = super::commands::chosen_coders(
        &project,
        args.coders.as_deref(),
        Some(adjudication::default_coders(&project)?),
    )?;
    if names.len() < 2 {
        let known = project.coder_names()?;
        return Err(Error::Usage(format!(
            "agreement needs at least two coders, {}; coder files: {}",
            match names.as_slice() {
                [] => "none was found".to_owned(),
                [one] => format!("only {one} was given"),
                _ => unreachable!("fewer than two"),
            },
            if known.is_empty() {
                "none yet".to_owned()
            } else {
                known.join(", ")
            }
        )));
    }
    let coders = project.load_coders(Some(&names))?;
    super::out::read_as(&coders);
    let files = adjudication::files(&coders);
    let level = match args.level.unwrap_or(LevelArg::Unit) {
        LevelArg::Unit => Level::Unit,
        LevelArg::Document => Level::Document,
        LevelArg::Span => Level::Span,
    };
    let mut table = agreement::agreement(&project, &files, level)?;
    if let Some(threshold) = args.threshold {
        table.set_threshold(threshold);
    }
    let text = match args.format {
        AgreeFormat::Table => {
            let width = width();
            let mut text = agreement::render_table(&table, width);
            if args.disagreements {
                text.push('\n');
                text.push_str(&agreement::render_disagreements(&table, width));
            } else if !table.disagreements.is_empty() {
                text.push_str("  (list them with --disagreements)\n");
            }
            text
        }
        AgreeFormat::Json => json(&table),
        AgreeFormat::Csv if args.disagreements => agreement::render_disagreements_csv(&table),
        AgreeFormat::Csv => agreement::render_csv(&table),
    };
    print(&text, args.format)?;
    Ok(ExitCode::SUCCESS)
}

fn data(path: &Path, metric: Metric, format: AgreeFormat) -> Result<ExitCode> {
    let csv = CodingsCsv::from_path(path).map_err(|e| csv_error(path, e))?;
    let report = data_report(&csv, metric).map_err(|e| csv_error(path, e))?;
    print(
        &match format {
            AgreeFormat::Table => agreement::render_data_report(&report, width()),
            AgreeFormat::Json => json(&report),
            AgreeFormat::Csv => agreement::render_data_report_csv(&report),
        },
        format,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn spans(path: &Path, continuum: Continuum, format: AgreeFormat) -> Result<ExitCode> {
    let csv = SpansCsv::from_path(path).map_err(|e| csv_error(path, e))?;
    let report = span_report(&csv, continuum).map_err(|e| csv_error(path, e))?;
    print(
        &match format {
            AgreeFormat::Table => agreement::render_span_report(&report, width()),
            AgreeFormat::Json => json(&report),
            AgreeFormat::Csv => agreement::render_span_report_csv(&report),
        },
        format,
    )?;
    Ok(ExitCode::SUCCESS)
}
