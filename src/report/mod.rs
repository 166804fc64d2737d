//! Analysis reports over the coders' work: which issues each publisher group raised and when
//! ([`frequencies`], [`agenda`]), which issues are raised together ([`cooccurrence`]), and how
//! far the coding is ([`progress`]).
//!
//! A document *raises* an indicator when a coder coded it anywhere in the document: on a whole
//! unit or on a span. Only the documents a coder marked done are counted unless
//! [`Options::include`] asks for more; every report lists the documents it left out and why
//! ([`counted`]).
//! With several coders a report has one *series* per coder by default ([`Combine::PerCoder`]);
//! `any`, `all` and `majority` combine the chosen coders into one series instead: a document
//! (or, for co-occurrence within units, a unit) carries an indicator when at least one, every
//! one, or more than half of the chosen coders coded it there, among the documents every one of
//! them counts. A consensus file is a coder named `consensus`: `--coders consensus` reports on
//! it alone, with its unresolved disagreements counted per indicator.
//!
//! Publisher groups and years are the values the tidy export writes into its
//! `publisher_group` and `year` columns ([`crate::export::table::VariableColumns`]); documents
//! without one are left out of the tables by that variable, with a warning.
//!
//! Formats: Markdown (aligned tables for a terminal and GitHub), CSV (long, "tidy", for R:
//! one observation per row, zeros included, written by [`crate::export::table::write_csv`]),
//! JSON (the report's structure), LaTeX (booktabs tables, [`latex`]), and the agenda as a
//! figure: SVG, PNG or PDF ([`figure`]).

pub mod agenda;
pub mod cooccurrence;
pub mod counted;
pub mod figure;
pub mod frequencies;
pub mod latex;
mod markdown;
pub mod progress;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::codebook::Codebook;
use crate::corpus::{Document, DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result};
use crate::export::table::{self, Table, VariableColumns};
use crate::project::{LoadedCoder, Project};

pub use counted::{Include, LeftOut, Reason, Unresolved};
pub use markdown::MarkdownTable;

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Frequencies,
    Agenda,
    Cooccurrence,
    Progress,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Frequencies => "frequencies",
            Kind::Agenda => "agenda",
            Kind::Cooccurrence => "cooccurrence",
            Kind::Progress => "progress",
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Csv,
    Json,
    /// The agenda only: a timeline chart.
    Svg,
    /// The tables for a LaTeX paper (booktabs).
    Latex,
    /// The agenda only: the chart as a PNG image.
    Png,
    /// The agenda only: the chart as a PDF page.
    Pdf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Svg => "svg",
            Format::Latex => "latex",
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }

    /// Whether this is a figure: the agenda only.
    pub fn is_figure(self) -> bool {
        matches!(self, Format::Svg | Format::Png | Format::Pdf)
    }
}

/// How several coders make the series a report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combine {
    /// One series per coder.
    #[default]
    PerCoder,
    /// One series: coded by at least one of the coders.
    Any,
    /// One series: coded by every coder.
    All,
    /// One series: coded by more than half of the coders.
    Majority,
}

impl Combine {
    pub fn name(self) -> &'static str {
        match self {
            Combine::PerCoder => "per-coder",
            Combine::Any => "any",
            Combine::All => "all",
            Combine::Majority => "majority",
        }
    }

    /// Whether `votes` of `coders` coders carry it.
    fn holds(self, votes: usize, coders: usize) -> bool {
        match self {
            Combine::PerCoder | Combine::Any => votes >= 1,
            Combine::All => votes == coders && coders > 0,
            Combine::Majority => votes * 2 > coders,
        }
    }

    /// How a combined series reads, for the reader of a report.
    fn explain(self) -> &'static str {
        match self {
            Combine::PerCoder => "as this coder coded it",
            Combine::Any => "coded by at least one of the coders",
            Combine::All => "coded by every one of the coders",
            Combine::Majority => "coded by more than half of the coders",
        }
    }
}

/// Within what two indicators co-occur.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Within {
    /// The same unit (paragraph, sub-paragraph, sentence or line).
    #[default]
    Unit,
    /// The same document.
    Document,
}

impl Within {
    pub fn name(self) -> &'static str {
        match self {
            Within::Unit => "unit",
            Within::Document => "document",
        }
    }
}

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub combine: Combine,
    /// The language of codebook labels (one of the codebook's languages).
    pub lang: String,
    /// `agenda`: the publisher groups compared, in this order (`None`: every group present).
    pub groups: Option<Vec<String>>,
    /// `cooccurrence`: units or documents.
    pub within: Within,
    /// Which documents of each coder are counted.
    pub include: Include,
}

impl Options {
    /// Per-coder series, labels in the codebook's first language, every group, within units.
    pub fn new(codebook: &Codebook) -> Self {
        Self {
            combine: Combine::PerCoder,
            lang: codebook.language().to_string(),
            groups: None,
            within: Within::Unit,
            include: Include::Done,
        }
    }
}

/// One series of codings: a coder, or several coders combined.
#[derive(Debug, Clone)]
pub struct Series {
    /// The coder's name, or e.g. `any(alice,bob)`.
    pub name: String,
    pub coders: Vec<String>,
    /// The documents counted: those every coder of the series counts.
    pub counted: BTreeSet<DocumentId>,
    /// Indicators per counted document.
    pub documents: BTreeMap<DocumentId, BTreeSet<IndicatorId>>,
    /// Indicators per unit of a counted document.
    pub units: BTreeMap<(DocumentId, UnitId), BTreeSet<IndicatorId>>,
    /// A consensus series: what it has not decided yet.
    pub unresolved: Option<Unresolved>,
}

impl Series {
    /// Whether `document` raises `indicator` in this series.
    pub fn raises(&self, document: &DocumentId, indicator: &IndicatorId) -> bool {
        self.documents
            .get(document)
            .is_some_and(|codes| codes.contains(indicator))
    }

    /// Every indicator the series uses.
    pub fn used(&self) -> BTreeSet<&IndicatorId> {
        self.documents.values().flatten().collect()
    }
}

/// The codes of one coder by document and by unit, for the `counted` documents only.
fn coder_series(project: &Project, coder: &LoadedCoder, counted: BTreeSet<DocumentId>) -> Series {
    let mut documents: BTreeMap<DocumentId, BTreeSet<IndicatorId>> = BTreeMap::new();
    let mut units: BTreeMap<(DocumentId, UnitId), BTreeSet<IndicatorId>> = BTreeMap::new();
    for (id, coding) in &coder.file.documents {
        if !counted.contains(id) {
            continue;
        }
        for annotation in coding.annotations.iter().filter(|a| !a.is_orphaned()) {
            for code in &annotation.codes {
                documents
                    .entry(id.clone())
                    .or_default()
                    .insert(code.clone());
                units
                    .entry((id.clone(), annotation.unit.clone()))
                    .or_default()
                    .insert(code.clone());
            }
        }
    }
    Series {
        name: coder.name.clone(),
        coders: vec![coder.name.clone()],
        counted,
        documents,
        units,
        unresolved: counted::unresolved(project, coder),
    }
}

fn combine_maps<K: Ord + Clone>(
    maps: &[&BTreeMap<K, BTreeSet<IndicatorId>>],
    combine: Combine,
) -> BTreeMap<K, BTreeSet<IndicatorId>> {
    let mut votes: BTreeMap<&K, BTreeMap<&IndicatorId, usize>> = BTreeMap::new();
    for map in maps {
        for (key, codes) in *map {
            let entry = votes.entry(key).or_default();
            for code in codes {
                *entry.entry(code).or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(key, codes)| {
            let kept: BTreeSet<IndicatorId> = codes
                .into_iter()
                .filter(|(_, n)| combine.holds(*n, maps.len()))
                .map(|(code, _)| code.clone())
                .collect();
            (!kept.is_empty()).then(|| (key.clone(), kept))
        })
        .collect()
}

/// The series of `coders` under `options.combine`, counting the documents
/// `options.include` asks for, and the documents each coder's series left out.
pub fn series(
    project: &Project,
    coders: &[LoadedCoder],
    options: &Options,
) -> (Vec<Series>, Vec<LeftOut>) {
    let combine = options.combine;
    let (counted, left_out) = counted::counted(project, coders, options.include);
    let each: Vec<Series> = coders
        .iter()
        .zip(counted)
        .map(|(c, counted)| coder_series(project, c, counted))
        .collect();
    if combine == Combine::PerCoder || each.is_empty() {
        return (each, left_out);
    }
    let mut common = each[0].counted.clone();
    for s in &each[1..] {
        common.retain(|d| s.counted.contains(d));
    }
    let names: Vec<String> = each.iter().map(|s| s.name.clone()).collect();
    let mut documents = combine_maps(
        &each.iter().map(|s| &s.documents).collect::<Vec<_>>(),
        combine,
    );
    let mut units = combine_maps(&each.iter().map(|s| &s.units).collect::<Vec<_>>(), combine);
    documents.retain(|d, _| common.contains(d));
    units.retain(|(d, _), _| common.contains(d));
    // A consensus alone keeps what it has not decided.
    let unresolved = if each.len() == 1 {
        each[0].unresolved.clone()
    } else {
        None
    };
    let series = vec![Series {
        name: format!("{}({})", combine.name(), names.join(",")),
        coders: names,
        counted: common,
        documents,
        units,
        unresolved,
    }];
    (series, left_out)
}

/// How a series reads in a Markdown heading: `Coder alice`, or `Coders alice, bob combined:
/// coded by at least one of the coders`.
fn describe(name: &str, coders: &[String], combine: Combine) -> String {
    if coders.len() == 1 && combine == Combine::PerCoder {
        format!("Coder {name}")
    } else {
        format!(
            "Coders {} combined: {}",
            coders.join(", "),
            combine.explain()
        )
    }
}

/// An indicator as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorInfo {
    pub id: String,
    /// The label in the report's language; empty for a code the codebook does not know.
    pub label: String,
    /// The top category's id; empty for an unknown code.
    pub category: String,
}

/// The codebook's indicators in codebook order (retired ones only where `used`), then codes
/// the codebook does not know that are `used`, sorted.
pub fn indicators(
    codebook: &Codebook,
    lang: &str,
    used: &BTreeSet<&IndicatorId>,
) -> Vec<IndicatorInfo> {
    let mut out: Vec<IndicatorInfo> = codebook
        .indicators
        .iter()
        .filter(|i| !i.retired || used.contains(&i.id))
        .map(|i| IndicatorInfo {
            id: i.id.to_string(),
            label: i.label.get(lang).to_string(),
            category: codebook.category_path(i.category)[0].id.clone(),
        })
        .collect();
    out.extend(
        used.iter()
            .filter(|id| codebook.indicator(id).is_none())
            .map(|id| IndicatorInfo {
                id: id.to_string(),
                label: String::new(),
                category: String::new(),
            }),
    );
    out
}

/// A publisher group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    pub id: String,
    pub label: String,
    /// Its position among the codebook's groups: charts give each group one marker by it.
    #[serde(skip)]
    pub order: usize,
}

/// A document's publisher group and year, as the tidy export has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub group: Option<String>,
    pub year: Option<i64>,
}

/// [`Facts`] of every corpus document.
pub fn facts(project: &Project) -> BTreeMap<DocumentId, Facts> {
    let codebook = &project.codebook;
    let columns = VariableColumns::new(codebook);
    let names: Vec<&str> = columns.names().collect();
    let group_at = names.iter().position(|n| *n == "publisher_group");
    let year_at = names.iter().position(|n| *n == "year");
    project
        .corpus
        .documents
        .iter()
        .map(|document: &Document| {
            let values = columns.values(codebook, Some(document));
            let group = group_at
                .and_then(|i| values[i].as_str())
                .map(str::to_string);
            let year = year_at.and_then(|i| values[i].as_i64());
            (document.id.clone(), Facts { group, year })
        })
        .collect()
}

/// The publisher groups of the codebook (its `publisher` variable) in codebook order, with
/// labels in `lang`; `present` keeps only those some document belongs to.
pub fn groups(project: &Project, lang: &str, present: bool) -> Vec<GroupInfo> {
    let used: BTreeSet<String> = facts(project)
        .into_values()
        .filter_map(|f| f.group)
        .collect();
    project
        .codebook
        .variable("publisher")
        .map(|v| {
            v.groups
                .iter()
                .enumerate()
                .filter(|(_, (id, _))| !present || used.contains(id))
                .map(|(order, (id, label))| GroupInfo {
                    id: id.clone(),
                    label: label.get(lang).to_string(),
                    order,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Warnings about what a report leaves out: documents without a group or year (where the
/// report needs them), codings of documents not in the corpus, orphaned annotations.
fn warnings(project: &Project, coders: &[LoadedCoder], needs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let facts = facts(project);
    for need in needs {
        let missing: Vec<&str> = facts
            .iter()
            .filter(|(_, f)| match *need {
                "publisher_group" => f.group.is_none(),
                _ => f.year.is_none(),
            })
            .map(|(id, _)| id.as_str())
            .collect();
        if !missing.is_empty() {
            let what = if *need == "year" {
                "no year"
            } else {
                "no publisher group (a `publisher` of the codebook with a group)"
            };
            out.push(format!(
                "{} document{} with {what} left out of the tables by {}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                need.replace('_', " "),
                missing.join(", ")
            ));
        }
    }
    for coder in coders {
        let unknown: Vec<&str> = coder
            .file
            .documents
            .keys()
            .filter(|id| project.corpus.get(id).is_none())
            .map(DocumentId::as_str)
            .collect();
        if !unknown.is_empty() {
            out.push(format!(
                "{}: codings of documents not in the corpus left out: {}",
                coder.name,
                unknown.join(", ")
            ));
        }
    }
    out.extend(table::orphan_warnings(coders, "left out of the report"));
    out
}

/// A rendered report.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub bytes: Vec<u8>,
    /// What the reader should know: documents left out, orphaned annotations.
    pub warnings: Vec<String>,
}

/// Writes a JSON value, pretty, with a final newline.
fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A CSV cell for an optional number.
fn opt_number(n: Option<i64>) -> Value {
    n.map(Value::from).unwrap_or(Value::Null)
}

/// Checks `options` against the codebook and the report asked for.
fn check_options(project: &Project, kind: Kind, format: Format, options: &Options) -> Result<()> {
    let codebook = &project.codebook;
    if !codebook.languages.contains(&options.lang) {
        return Err(Error::Usage(format!(
            "--lang {}: the codebook's languages are {}",
            options.lang,
            codebook.languages.join(", ")
        )));
    }
    if format.is_figure() && kind != Kind::Agenda {
        return Err(Error::Usage(format!(
            "{} is a format of the agenda report only, not of {}",
            format.name(),
            kind.name()
        )));
    }
    if options.groups.is_some() && kind != Kind::Agenda {
        return Err(Error::Usage(format!(
            "--groups is for the agenda report, not {}",
            kind.name()
        )));
    }
    if let Some(asked) = &options.groups {
        let known = groups(project, &options.lang, false);
        for id in asked {
            if !known.iter().any(|g| g.id == *id) {
                let ids: Vec<&str> = known.iter().map(|g| g.id.as_str()).collect();
                return Err(Error::Usage(format!(
                    "--groups: '{id}' is not a publisher group of the codebook (groups: {})",
                    if ids.is_empty() {
                        "none".to_string()
                    } else {
                        ids.join(", ")
                    }
                )));
            }
        }
        if asked.is_empty() {
            return Err(Error::Usage("--groups: name at least one group".into()));
        }
    }
    Ok(())
}

/// Makes report `kind` of `coders` (in the order given) in `format`.
pub fn report(
    project: &Project,
    coders: &[LoadedCoder],
    kind: Kind,
    format: Format,
    options: &Options,
) -> Result<Output> {
    check_options(project, kind, format, options)?;
    if coders.is_empty() {
        return Err(Error::Usage(
            "no coder files in annotations/ yet: code some documents first".into(),
        ));
    }
    let (bytes, needs, left_out): (Vec<u8>, &[&str], Vec<LeftOut>) = match kind {
        Kind::Frequencies => {
            let report = frequencies::build(project, coders, options);
            let bytes = render(&report, format)?;
            (bytes, &["publisher_group", "year"], report.left_out)
        }
        Kind::Agenda => {
            let report = agenda::build(project, coders, options);
            let bytes = if format.is_figure() {
                let fonts = figure::Fonts::system();
                let svg = figure::agenda(&report, &fonts);
                match format {
                    Format::Png => figure::png(&svg, &fonts)?,
                    Format::Pdf => figure::pdf(&svg, &fonts)?,
                    _ => svg.into_bytes(),
                }
            } else {
                render(&report, format)?
            };
            (bytes, &["publisher_group", "year"], report.left_out)
        }
        Kind::Cooccurrence => {
            let report = cooccurrence::build(project, coders, options);
            let bytes = render(&report, format)?;
            (bytes, &[], report.left_out)
        }
        Kind::Progress => {
            let report = progress::build(project, coders);
            (render(&report, format)?, &[], Vec::new())
        }
    };
    let mut warnings = warnings(project, coders, needs);
    warnings.extend(left_out_warnings(&left_out, options.include));
    Ok(Output { bytes, warnings })
}

/// One warning per coder with documents left out: how many, for which reasons.
fn left_out_warnings(left_out: &[LeftOut], include: Include) -> Vec<String> {
    let mut per_coder: Vec<(&str, BTreeMap<Reason, usize>)> = Vec::new();
    for l in left_out {
        let at = match per_coder.iter().position(|(c, _)| *c == l.coder) {
            Some(at) => at,
            None => {
                per_coder.push((&l.coder, BTreeMap::new()));
                per_coder.len() - 1
            }
        };
        *per_coder[at].1.entry(l.reason).or_default() += 1;
    }
    let hint = match include {
        Include::Done => " (--include in-progress or all counts more)",
        Include::InProgress => " (--include all counts every document)",
        Include::All => "",
    };
    per_coder
        .into_iter()
        .map(|(coder, reasons)| {
            let parts: Vec<String> = reasons
                .iter()
                .map(|(r, n)| format!("{n} {}", r.label()))
                .collect();
            format!("{coder}: documents not counted: {}{hint}", parts.join(", "))
        })
        .collect()
}

/// What every report can be written as.
pub trait Render: Serialize {
    fn markdown(&self) -> String;
    fn table(&self) -> Table;
}

/// `report` in `format` (Markdown, CSV, JSON or LaTeX).
pub fn render(report: &impl Render, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Markdown => Ok(report.markdown().into_bytes()),
        Format::Csv => table::write_csv(&report.table(), false),
        Format::Json => json(report),
        Format::Latex => Ok(latex::from_markdown(&report.markdown()).into_bytes()),
        Format::Svg | Format::Png | Format::Pdf => Err(Error::Usage(format!(
            "{} is a format of the agenda report only",
            format.name()
        ))),
    }
}
