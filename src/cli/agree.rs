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
    CodingsCsv, Continuum, CsvError, Metric, SpansCsv, data_report, sample_plan, span_report,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese.
    Zh,
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
        Certification: --gold NAME compares every other coder (--coders, default all but \
        consensus) with the gold coder NAME (a master coder or consensus) on the documents both \
        marked done: alpha, precision, recall and F1 per indicator and overall, PASS when the \
        overall alpha is at least --threshold (default 0.800 with --gold).\n\n\
        --drift [--batch N] gives the overall alpha per batch of N documents (default 5) in the \
        order they were coded (the first annotation's timestamp).\n\
        --by-assist gives agreement on the documents some coder coded with the recommender's \
        suggestions on and on the others apart (each coder file records it per document).\n\
        --methods-text [--lang en|zh] writes the paragraph a paper's methods section needs, from \
        the same numbers as the table.\n\n\
        Planning (no project needed):\n  \
        --plan            the units two coders must both code so that alpha is at least --alpha \
        (default 0.8) at the --significance level (default 0.05), for the --prevalence of the \
        rarest category (default: a table of prevalences); Krippendorff (2004), Table 11.4. In a \
        project it also compares the units double-coded so far, the overall alpha's 95% \
        bootstrap interval and the rarest coded indicator with the target\n\n\
        Exit 0 on success, 1 when an input file is wrong (the message names the line), 2 for \
        usage errors (an unknown coder, fewer than two coders, a missing file).",
    after_help = "Examples:\n  \
        normcode agree\n  \
        normcode agree --level document --coders alice,bob,carol\n  \
        normcode agree --disagreements\n  \
        normcode agree --format json > agreement.json\n  \
        normcode agree --data codings.csv --metric interval\n  \
        normcode agree --spans spans.csv --continuum 0:1200 --format json\n  \
        normcode agree --gold consensus --threshold 0.8\n  \
        normcode agree --methods-text --lang zh\n  \
        normcode agree --drift --batch 3\n  \
        normcode agree --by-assist\n  \
        normcode agree --plan --alpha 0.8 --significance 0.05 --prevalence 0.1"
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
    /// Flag indicators with alpha below this [default: 0.667; with --gold, the pass mark,
    /// default 0.800].
    #[arg(long, value_name = "ALPHA", value_parser = parse_threshold, conflicts_with_all = ["data", "spans"])]
    pub threshold: Option<f64>,
    /// After the table: the coder-pair matrix, each indicator's 2 × 2 table (two coders), the
    /// indicators confused with each other, and the units where the coders disagree (JSON always
    /// has them; with --format csv, writes the units instead of the indicator rows).
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
    /// Compare each coder with this gold coder (a master coder, or `consensus`): alpha,
    /// precision, recall and F1 per indicator and overall, and PASS when the overall alpha is at
    /// least --threshold (default 0.800 with --gold).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["data", "spans", "plan", "disagreements"])]
    pub gold: Option<String>,
    /// Write the methods paragraph (coefficients, level, units, coders, missing documents, the
    /// values, the thresholds and the indicators below them) instead of the table.
    #[arg(long, conflicts_with_all = ["data", "spans", "plan", "gold", "disagreements", "format"])]
    pub methods_text: bool,
    /// --methods-text: the paragraph's language [default: en].
    #[arg(long, value_enum, requires = "methods_text")]
    pub lang: Option<LangArg>,
    /// Agreement per batch of --batch documents in the order they were coded (by the first
    /// annotation's timestamp), to show whether agreement held up over the coding period.
    #[arg(long, conflicts_with_all = ["data", "spans", "plan", "gold", "methods_text", "disagreements"])]
    pub drift: bool,
    /// --drift: documents per batch [default: 5].
    #[arg(long, value_name = "N", requires = "drift")]
    pub batch: Option<usize>,
    /// Agreement on suggestion-assisted documents (some coder coded them with the
    /// recommender's suggestions on) and on unassisted ones, apart: suggestions can anchor a
    /// coder. --format table or json.
    #[arg(long, conflicts_with_all = ["data", "spans", "plan", "gold", "methods_text", "drift"])]
    pub by_assist: bool,
    /// How many units two coders must both code (Krippendorff's table); no project needed. In a
    /// project, also how far the double-coding so far is from the target.
    #[arg(long, conflicts_with_all = ["data", "spans", "coders", "level", "threshold", "disagreements"])]
    pub plan: bool,
    /// --plan: the smallest acceptable alpha [default: 0.8].
    #[arg(long, value_name = "ALPHA", requires = "plan", value_parser = parse_unit_interval)]
    pub alpha: Option<f64>,
    /// --plan: the level of significance [default: 0.05].
    #[arg(long, value_name = "P", requires = "plan", value_parser = parse_unit_interval)]
    pub significance: Option<f64>,
    /// --plan: the proportion of the rarest category, such as 0.1 [default: a table of .5, .25,
    /// .1, .05, .02 and .01].
    #[arg(long, value_name = "P", requires = "plan", value_parser = parse_unit_interval)]
    pub prevalence: Option<f64>,
}

fn parse_unit_interval(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if t > 0.0 && t < 1.0 => Ok(t),
        _ => Err(format!(
            "`{text}` is not a number above 0 and below 1, such as 0.8 or 0.05"
        )),
    }
}

/// The prevalences of `--plan`'s table when none is given.
const PLAN_PREVALENCES: [f64; 6] = [0.5, 0.25, 0.1, 0.05, 0.02, 0.01];

fn plan(args: &AgreeArgs, project: Option<&Path>) -> Result<ExitCode> {
    let prevalences = args
        .prevalence
        .map_or_else(|| PLAN_PREVALENCES.to_vec(), |p| vec![p]);
    let (target, significance) = (args.alpha.unwrap_or(0.8), args.significance.unwrap_or(0.05));
    let plans = prevalences
        .into_iter()
        .map(|p| sample_plan(target, significance, p))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::Usage(e.to_string()))?;
    let check = plan_check(project, target, significance)?;
    print(
        &match args.format {
            AgreeFormat::Table => {
                let mut text = agreement::render_plan(&plans, width());
                if let Some(check) = &check {
                    text.push_str(&agreement::render_plan_check(check, width()));
                }
                text
            }
            AgreeFormat::Json => json(&serde_json::json!({ "plans": plans, "project": check })),
            AgreeFormat::Csv => agreement::render_plan_csv(&plans),
        },
        args.format,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `--plan` inside a project whose default coders (two or more) have documents in common: the
/// double-coding so far against the target. Outside a project, or with nothing to compare yet,
/// `None`: the plan needs no project.
fn plan_check(
    project: Option<&Path>,
    target: f64,
    significance: f64,
) -> Result<Option<agreement::PlanCheck>> {
    let found = match project {
        Some(dir) => Some(dir.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| crate::project::discover(&dir).ok()),
    };
    let Some(root) = found else {
        return Ok(None);
    };
    let project = open_coded_project(Some(&root))?;
    let names = adjudication::default_coders(&project)?;
    if names.len() < 2 {
        return Ok(None);
    }
    let coders = project.load_coders(Some(&names))?;
    super::out::read_as(&coders);
    let files = adjudication::files(&coders);
    let table = agreement::agreement(&project, &files, Level::Unit)?;
    if table.compared_documents.is_empty() {
        return Ok(None);
    }
    agreement::plan_check(&table, target, significance)
        .map(Some)
        .map_err(|e| Error::Usage(e.to_string()))
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
    if args.plan {
        return plan(&args, project);
    }
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
    if names.len() < 2 && args.gold.is_none() {
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
    let level = match args.level.unwrap_or(LevelArg::Unit) {
        LevelArg::Unit => Level::Unit,
        LevelArg::Document => Level::Document,
        LevelArg::Span => Level::Span,
    };
    if let Some(gold) = &args.gold {
        return gold_standard(&project, gold, &names, level, &args);
    }
    let coders = project.load_coders(Some(&names))?;
    super::out::read_as(&coders);
    let files = adjudication::files(&coders);
    if args.drift {
        let report = agreement::drift(&project, &files, level, args.batch.unwrap_or(5))?;
        print(
            &match args.format {
                AgreeFormat::Table => agreement::render_drift(&report, width()),
                AgreeFormat::Json => json(&report),
                AgreeFormat::Csv => agreement::render_drift_csv(&report),
            },
            args.format,
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.by_assist {
        let report = agreement::by_assist(&project, &files, level, args.threshold)?;
        let text = match args.format {
            AgreeFormat::Table => agreement::render_by_assist(&report, width()),
            AgreeFormat::Json => json(&report),
            AgreeFormat::Csv => {
                return Err(Error::Usage(
                    "--by-assist writes --format table or json".into(),
                ));
            }
        };
        print(&text, args.format)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = agreement::agreement(&project, &files, level)?;
    if let Some(threshold) = args.threshold {
        table.set_threshold(threshold);
    }
    if args.methods_text {
        let lang = match args.lang {
            Some(LangArg::Zh) => agreement::Lang::Zh,
            _ => agreement::Lang::En,
        };
        print(&agreement::methods_text(&table, lang), AgreeFormat::Table)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        AgreeFormat::Table => {
            let width = width();
            let mut text = agreement::render_table(&table, width);
            if args.disagreements {
                text.push('\n');
                text.push_str(&agreement::render_diagnostics(&table, width));
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

/// `agree --gold NAME`: every other chosen coder against the gold coder.
fn gold_standard(
    project: &crate::project::Project,
    gold: &str,
    names: &[String],
    level: Level,
    args: &AgreeArgs,
) -> Result<ExitCode> {
    let gold = super::commands::chosen_coders(project, Some(&[gold.to_owned()]), None)?;
    let others: Vec<String> = names.iter().filter(|n| **n != gold[0]).cloned().collect();
    if others.is_empty() {
        return Err(Error::Usage(format!(
            "--gold {} needs another coder to compare with it; coder files: {}",
            gold[0],
            project.coder_names()?.join(", ")
        )));
    }
    let gold_file = project.load_coders(Some(&gold))?;
    let coders = project.load_coders(Some(&others))?;
    super::out::read_as(&gold_file);
    super::out::read_as(&coders);
    let report = agreement::gold_report(
        project,
        &gold_file[0].file,
        &adjudication::files(&coders),
        level,
        args.threshold.unwrap_or(agreement::GOLD_THRESHOLD),
    )?;
    print(
        &match args.format {
            AgreeFormat::Table => agreement::render_gold(&report, width()),
            AgreeFormat::Json => json(&report),
            AgreeFormat::Csv => agreement::render_gold_csv(&report),
        },
        args.format,
    )?;
    Ok(ExitCode::SUCCESS)
}
