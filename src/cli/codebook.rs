//! `normcode codebook`: look at the codebook, change it (with every coder file following), compare
//! two versions, and publish it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::codebook::{Codebook, LangMap, Localized, history, publish};
use crate::config::Config;
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};
use crate::project::revise::{
    self, IndicatorEdit, Migration, NewIndicator, ProjectFiles, Relabel, Stamp,
};

use super::TextOrJson;
use super::commands::{coder_name, project_root};
use super::out::{self, note, say};

#[derive(Debug, Args)]
#[command(
    about = "List, show, change, compare and publish the codebook",
    long_about = "List, show, change, compare and publish the codebook.\n\n\
        `add`, `rename`, `merge`, `retire` and `variable` change codebook.yaml in place (its comments and \
        layout are kept) and every coder file in annotations/ with it, in one step: all new \
        contents are prepared and checked first, nothing is written while a coder file is open \
        in a normcode session, and a journal (annotations/.codebook-migration.yaml) lets an \
        interrupted change be completed by running the same command again. Each change bumps \
        the codebook's minor version (1.0 → 1.1) and adds an entry to its `history:` (by \
        --coder or the user name, dated today)."
)]
pub struct CodebookArgs {
    // Boxed: `add` has many options, and the top-level command enum stays small.
    #[command(subcommand)]
    pub command: Box<CodebookCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// The category tree with ids and labels, and how many annotations of each coder use each
    /// indicator.
    List {
        /// Label language (default: the configured language, else the codebook's first).
        #[arg(long)]
        lang: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: TextOrJson,
    },
    /// Everything about one indicator: texts in every language, rules, attributes, use, history.
    Show {
        id: String,
        #[arg(long)]
        lang: Option<String>,
    },
    /// Add an indicator at the end of a category.
    Add(AddArgs),
    /// Rename an indicator id in the codebook and in every coder file.
    Rename {
        old: String,
        new: String,
        /// Show what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Merge indicators into one, in the codebook and in every coder file.
    ///
    /// Annotations using any of them use the target instead (once per annotation), and the
    /// merged indicators leave the codebook. The target may be one of them, another indicator,
    /// or a new id: then it takes the place of the first one, with its texts, except a label or
    /// definition given here.
    Merge {
        /// The indicators to merge.
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
        /// The indicator they become.
        #[arg(long, value_name = "ID")]
        into: String,
        #[command(flatten)]
        texts: TextArgs,
        #[arg(long)]
        dry_run: bool,
    },
    /// Retire an indicator: kept for existing annotations and reports, no longer offered for
    /// coding.
    Retire {
        id: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Change an indicator's label, definition, rules or examples, or move it to another
    /// category. Annotations keep it; only the codebook changes (and the version coder files
    /// record).
    ///
    /// A label or definition given replaces that language's text; `--include-*`, `--exclude-*`
    /// and `--example-*` replace the whole list (`--no-include` etc. empty it).
    Edit(EditArgs),
    /// Move an indicator to the end of another category.
    Move {
        id: String,
        /// The category it goes to.
        category: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Split an indicator into several: each coded segment goes to one of them, in every coder
    /// file.
    ///
    /// First `--list` writes every segment coded with ID as CSV (coder, document, unit, start,
    /// end, quote, into) to fill in the `into` column; then `--assign FILE` splits by that file.
    /// Targets not in the codebook are created with ID's texts. Segments left without a target
    /// stay with ID, which is then retired; when none is left, ID leaves the codebook. The
    /// workspace does the same interactively (`/` on an indicator).
    Split {
        id: String,
        /// The indicators to split into (new ids are created).
        #[arg(long, required = true, num_args = 1.., value_name = "ID")]
        into: Vec<String>,
        /// Write the segments to assign as CSV to standard output; change nothing.
        #[arg(long, conflicts_with = "assign")]
        list: bool,
        /// The filled-in CSV of `--list`: split by its `into` column.
        #[arg(long, value_name = "FILE")]
        assign: Option<PathBuf>,
        #[arg(long)]
        dry_run: bool,
    },
    /// A document variable's values and groups (e.g. the publishers and their groups): list
    /// them with the documents that have each, or add, rename or remove a value or a group.
    ///
    /// `normcode codebook variable publisher --add '学术研究' --group academic` adds a
    /// publisher (and the group, if there is none of that name); `--rename OLD --to NEW`
    /// renames a value in the codebook and in every document's front matter; `--remove VALUE`
    /// is refused while documents have it (unless --replace-with or --force).
    Variable(super::variable::VariableArgs),
    /// Compare two codebook files: indicators added, removed, renamed (guessed), relabelled,
    /// redefined, moved or retired; categories added or removed.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value_t)]
        format: TextOrJson,
        #[arg(long)]
        lang: Option<String>,
    },
    /// The codebook as a document for a paper's appendix (Markdown or self-contained HTML).
    Export {
        #[arg(long, value_enum, default_value_t)]
        format: DocFormat,
        #[arg(long)]
        lang: Option<String>,
        /// Write to this file instead of standard output (`-`: standard output). Never one
        /// of the project's own files; an existing file only with --force.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Overwrite --output if it is an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    #[default]
    Md,
    Html,
}

/// Label and definition texts.
#[derive(Debug, Clone, Default, Args)]
pub struct TextArgs {
    #[arg(long, value_name = "TEXT")]
    pub label_en: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub label_zh: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub definition_en: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub definition_zh: Option<String>,
    /// A label in any language of the codebook (repeatable).
    #[arg(long, value_name = "LANG=TEXT")]
    pub label: Vec<String>,
    /// A definition in any language of the codebook (repeatable).
    #[arg(long, value_name = "LANG=TEXT")]
    pub definition: Vec<String>,
}

impl TextArgs {
    fn relabel(&self) -> Result<Relabel> {
        Ok(Relabel {
            label: by_language(
                &self.label,
                [("en", &self.label_en), ("zh", &self.label_zh)],
            )?,
            definition: by_language(
                &self.definition,
                [("en", &self.definition_en), ("zh", &self.definition_zh)],
            )?,
        })
    }
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The new indicator's id (letters, digits, '_', '-', '.'; unique in the codebook).
    #[arg(long)]
    pub id: String,
    /// The id of the category it goes in.
    #[arg(long)]
    pub category: String,
    #[command(flatten)]
    pub texts: TextArgs,
    /// When to code it (repeatable; pairs with --include-zh by position).
    #[arg(long, value_name = "TEXT")]
    pub include_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub include_zh: Vec<String>,
    /// When not to code it (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub exclude_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub exclude_zh: Vec<String>,
    /// An example quote or paraphrase (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub example_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub example_zh: Vec<String>,
    /// An attribute declared in the codebook (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub attribute: Vec<String>,
    /// Display colour: a name or #rrggbb.
    #[arg(long)]
    pub color: Option<String>,
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The indicator to change.
    pub id: String,
    #[command(flatten)]
    pub texts: TextArgs,
    /// Move it to the end of this category.
    #[arg(long)]
    pub category: Option<String>,
    /// Replaces the include rules (repeatable; pairs with --include-zh by position).
    #[arg(long, value_name = "TEXT")]
    pub include_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub include_zh: Vec<String>,
    /// Removes every include rule.
    #[arg(long, conflicts_with_all = ["include_en", "include_zh"])]
    pub no_include: bool,
    /// Replaces the exclude rules (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub exclude_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub exclude_zh: Vec<String>,
    #[arg(long, conflicts_with_all = ["exclude_en", "exclude_zh"])]
    pub no_exclude: bool,
    /// Replaces the examples (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub example_en: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub example_zh: Vec<String>,
    #[arg(long, conflicts_with_all = ["example_en", "example_zh"])]
    pub no_examples: bool,
    #[arg(long)]
    pub dry_run: bool,
}

impl EditArgs {
    fn change(&self) -> Result<IndicatorEdit> {
        let texts = self.texts.relabel()?;
        let list = |en: &[String], zh: &[String], none: bool| {
            if none {
                Some(Vec::new())
            } else if en.is_empty() && zh.is_empty() {
                None
            } else {
                Some(paired(en, zh))
            }
        };
        Ok(IndicatorEdit {
            label: texts.label,
            definition: texts.definition,
            include: list(&self.include_en, &self.include_zh, self.no_include),
            exclude: list(&self.exclude_en, &self.exclude_zh, self.no_exclude),
            examples: list(&self.example_en, &self.example_zh, self.no_examples),
            category: self.category.clone(),
        })
    }
}

fn split_pair<'a>(text: &'a str, what: &str) -> Result<(&'a str, &'a str)> {
    text.split_once('=')
        .map(|(k, v)| (k.trim(), v))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::Usage(format!("{what} must look like KEY=TEXT, not '{text}'")))
}

fn by_language<const N: usize>(
    generic: &[String],
    named: [(&str, &Option<String>); N],
) -> Result<LangMap> {
    let mut map = LangMap::new();
    for (lang, text) in named {
        if let Some(text) = text {
            map.insert(lang.to_string(), text.clone());
        }
    }
    for item in generic {
        let (lang, text) = split_pair(item, "a --label or --definition")?;
        map.insert(lang.to_string(), text.to_string());
    }
    Ok(map)
}

/// Pairs `--include-en` and `--include-zh` items by position.
fn paired(en: &[String], zh: &[String]) -> Vec<LangMap> {
    (0..en.len().max(zh.len()))
        .map(|i| {
            let mut map = LangMap::new();
            if let Some(t) = en.get(i) {
                map.insert("en".into(), t.clone());
            }
            if let Some(t) = zh.get(i) {
                map.insert("zh".into(), t.clone());
            }
            map
        })
        .collect()
}

pub fn run(args: CodebookArgs, project: Option<&Path>, coder: Option<&str>) -> Result<ExitCode> {
    let config = Config::load().unwrap_or_default();
    match *args.command {
        CodebookCommand::List { lang, format } => list(project, &config, lang, format),
        CodebookCommand::Show { id, lang } => show(project, &config, &id, lang),
        CodebookCommand::Diff {
            old,
            new,
            format,
            lang,
        } => diff(&old, &new, format, lang, &config),
        CodebookCommand::Export {
            format,
            lang,
            output,
            force,
        } => export(project, &config, format, lang, output.as_deref(), force),
        CodebookCommand::Variable(args) => super::variable::run(args, project, coder, &config),
        CodebookCommand::Rename { old, new, dry_run } => {
            migrate(project, coder, &config, dry_run, |files, stamp| {
                revise::plan_rename(files, &old, &new, stamp)
            })
        }
        CodebookCommand::Merge {
            ids,
            into,
            texts,
            dry_run,
        } => {
            let relabel = texts.relabel()?;
            migrate(project, coder, &config, dry_run, |files, stamp| {
                revise::plan_merge(files, &ids, &into, &relabel, stamp)
            })
        }
        CodebookCommand::Retire { id, dry_run } => {
            migrate(project, coder, &config, dry_run, |files, stamp| {
                revise::plan_retire(files, &id, stamp)
            })
        }
        CodebookCommand::Edit(args) => {
            let change = args.change()?;
            migrate(project, coder, &config, args.dry_run, |files, stamp| {
                revise::plan_edit(files, &args.id, &change, stamp)
            })
        }
        CodebookCommand::Move {
            id,
            category,
            dry_run,
        } => {
            let change = IndicatorEdit {
                category: Some(category),
                ..Default::default()
            };
            migrate(project, coder, &config, dry_run, |files, stamp| {
                revise::plan_edit(files, &id, &change, stamp)
            })
        }
        CodebookCommand::Split {
            id,
            into,
            list,
            assign,
            dry_run,
        } => split(project, coder, &config, &id, &into, list, assign, dry_run),
        CodebookCommand::Add(add) => {
            let relabel = add.texts.relabel()?;
            let mut attributes = BTreeMap::new();
            for item in &add.attribute {
                let (key, value) = split_pair(item, "an --attribute")?;
                attributes.insert(key.to_string(), value.trim().to_string());
            }
            let new = NewIndicator {
                id: add.id.clone(),
                category: add.category.clone(),
                label: relabel.label,
                definition: relabel.definition,
                include: paired(&add.include_en, &add.include_zh),
                exclude: paired(&add.exclude_en, &add.exclude_zh),
                examples: paired(&add.example_en, &add.example_zh),
                attributes,
                color: add.color.clone(),
            };
            migrate(project, coder, &config, add.dry_run, |files, stamp| {
                revise::plan_add(files, &new, stamp)
            })
        }
    }
}

/// The columns of a split's CSV, in order.
const SPLIT_COLUMNS: [&str; 7] = ["coder", "document", "unit", "start", "end", "quote", "into"];

/// `codebook split`: lists the segments, or splits by a filled-in list.
#[allow(clippy::too_many_arguments)]
fn split(
    project: Option<&Path>,
    coder: Option<&str>,
    config: &Config,
    id: &str,
    into: &[String],
    list: bool,
    assign: Option<PathBuf>,
    dry_run: bool,
) -> Result<ExitCode> {
    if list {
        let root = project_root(project)?;
        let files = ProjectFiles::read(&root)?;
        let codebook = files.codebook()?;
        if codebook.indicator(&IndicatorId::from(id)).is_none() {
            return Err(Error::Usage(format!(
                "there is no indicator '{id}' in the codebook; `normcode codebook list` shows the ids"
            )));
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| Error::Usage(format!("cannot write the list: {e}"));
        writer.write_record(SPLIT_COLUMNS).map_err(failed)?;
        for segment in revise::split_segments(&files, id) {
            let (start, end) = segment
                .span
                .map(|s| (s.start.to_string(), s.end.to_string()))
                .unwrap_or_default();
            let quote =
                crate::export::table::escape_formula(segment.quote.as_deref().unwrap_or(""));
            writer
                .write_record([
                    segment.coder.as_str(),
                    segment.document.as_str(),
                    segment.unit.as_str(),
                    &start,
                    &end,
                    &quote,
                    "",
                ])
                .map_err(failed)?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| Error::Usage(format!("cannot write the list: {e}")))?;
        out::data(&bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = assign else {
        return Err(Error::Usage(format!(
            "say which segment goes where: `normcode codebook split {id} --into {} --list >              split.csv`, fill in its `into` column, then `--assign split.csv`",
            into.join(" ")
        )));
    };
    let assignments = read_split_csv(&path)?;
    migrate(project, coder, config, dry_run, |files, stamp| {
        revise::plan_split(files, id, into, &assignments, stamp)
    })
}

/// The rows of a filled-in split list that have an `into`.
fn read_split_csv(path: &Path) -> Result<Vec<revise::SplitAssignment>> {
    let shown = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::Usage(format!("{shown}: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{shown}:1: no `{name}` column (the columns of `--list` are: {})",
                    SPLIT_COLUMNS.join(",")
                ))
            })
    };
    let [coder, document, unit, start, end, into] =
        ["coder", "document", "unit", "start", "end", "into"].map(column);
    let (coder, document, unit, start, end, into) = (coder?, document?, unit?, start?, end?, into?);
    let mut assignments = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Usage(format!("{shown}: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if field(into).is_empty() {
            continue;
        }
        let number = |i: usize, name: &str| -> Result<Option<usize>> {
            match field(i) {
                "" => Ok(None),
                text => text.parse().map(Some).map_err(|_| {
                    Error::Usage(format!(
                        "{shown}:{line}: `{name}` must be a number, not '{text}'"
                    ))
                }),
            }
        };
        let span = match (number(start, "start")?, number(end, "end")?) {
            (Some(s), Some(e)) => Some(crate::corpus::CodePointRange::new(s, e)),
            (None, None) => None,
            _ => {
                return Err(Error::Usage(format!(
                    "{shown}:{line}: give both `start` and `end` (a span), or neither (a whole unit)"
                )));
            }
        };
        assignments.push(revise::SplitAssignment {
            coder: field(coder).to_string(),
            document: field(document).to_string(),
            unit: field(unit).to_string(),
            span,
            into: field(into).to_string(),
        });
    }
    Ok(assignments)
}

/// Plans with `plan`, writes it (unless `dry_run`), and only then says what changed: when the
/// change cannot be written (a coder has the workspace open), nothing claims it was.
pub(super) fn migrate(
    project: Option<&Path>,
    coder: Option<&str>,
    config: &Config,
    dry_run: bool,
    plan: impl FnOnce(&ProjectFiles, &Stamp) -> Result<Migration>,
) -> Result<ExitCode> {
    let root = project_root(project)?;
    let files = ProjectFiles::read(&root)?;
    let stamp = Stamp::today(coder_name(coder, config)?.to_string());
    let migration = plan(&files, &stamp)?;
    let mut report = String::new();
    if migration.completes {
        report.push_str(&format!(
            "Completing an interrupted change ({}).\n",
            migration.operation.describe()
        ));
    }
    if migration.codebook.is_some() {
        report.push_str(&format!("{}\n", migration.summary));
    }
    for line in migration.describe_files() {
        report.push_str(&format!("  {line}\n"));
    }
    if migration.is_empty() {
        report.push_str("  every file already says it; only the journal is left to remove\n");
    }
    if dry_run {
        report.push_str("Dry run: nothing was written.\n");
    } else {
        migration.apply(&root)?;
    }
    for note in &migration.notes {
        report.push_str(&format!("note: {note}\n"));
    }
    out::text(&report)?;
    Ok(ExitCode::SUCCESS)
}

/// `--lang`, else the configured language when the codebook has it, else its first.
fn language(codebook: &Codebook, given: Option<String>, config: &Config) -> Result<String> {
    if let Some(lang) = given {
        if !codebook.languages.contains(&lang) {
            return Err(Error::Usage(format!(
                "the codebook has no language '{lang}' (its languages: {})",
                codebook.languages.join(", ")
            )));
        }
        return Ok(lang);
    }
    Ok(config
        .language
        .clone()
        .filter(|l| codebook.languages.contains(l))
        .unwrap_or_else(|| codebook.language().to_string()))
}

/// Pads or cuts `text` to `width` terminal columns.
fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if text.width() <= width {
        out.push_str(text);
        used = text.width();
    } else {
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

#[derive(serde::Serialize)]
struct ListIndicator {
    id: String,
    label: String,
    retired: bool,
    /// coder → annotations using it
    counts: BTreeMap<String, usize>,
}

#[derive(serde::Serialize)]
struct ListCategory {
    id: String,
    label: String,
    parent: Option<String>,
    depth: usize,
    indicators: Vec<ListIndicator>,
}

#[derive(serde::Serialize)]
struct ListOutput {
    name: String,
    version: String,
    languages: Vec<String>,
    coders: Vec<String>,
    categories: Vec<ListCategory>,
}

fn list(
    project: Option<&Path>,
    config: &Config,
    lang: Option<String>,
    format: TextOrJson,
) -> Result<ExitCode> {
    let root = project_root(project)?;
    let files = ProjectFiles::read(&root)?;
    let codebook = files.codebook()?;
    let lang = language(&codebook, lang, config)?;
    let counts = files.code_counts();
    let coders: Vec<String> = counts.keys().cloned().collect();
    let count = |coder: &str, id: &str| counts[coder].get(id).copied().unwrap_or(0);
    let output = ListOutput {
        name: codebook.name.clone(),
        version: codebook.version.clone(),
        languages: codebook.languages.clone(),
        coders: coders.clone(),
        categories: codebook
            .categories
            .iter()
            .map(|c| ListCategory {
                id: c.id.clone(),
                label: c.label.get(&lang).to_string(),
                parent: c.parent.map(|p| codebook.categories[p].id.clone()),
                depth: c.depth,
                indicators: c
                    .indicators
                    .iter()
                    .map(|&i| {
                        let ind = &codebook.indicators[i];
                        ListIndicator {
                            id: ind.id.to_string(),
                            label: ind.label.get(&lang).to_string(),
                            retired: ind.retired,
                            counts: coders
                                .iter()
                                .map(|coder| (coder.clone(), count(coder, ind.id.as_str())))
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    if format == TextOrJson::Json {
        out::json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&output).expect("a list always serializes")
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    say!(
        "{} (version {}): {} indicators in {} categories",
        codebook.name,
        codebook.version,
        codebook.indicators.len(),
        codebook.categories.len()
    )?;
    let id_width = codebook
        .indicators
        .iter()
        .map(|i| i.id.as_str().width())
        .chain(codebook.categories.iter().map(|c| c.id.width()))
        .max()
        .unwrap_or(4);
    let max_depth = codebook
        .categories
        .iter()
        .map(|c| c.depth)
        .max()
        .unwrap_or(0);
    let label_width = 56;
    let line_start = 2 * (max_depth + 1) + id_width + 2;
    let widths: Vec<usize> = coders.iter().map(|c| c.width().max(5)).collect();
    if !coders.is_empty() {
        let mut head = " ".repeat(line_start + label_width);
        for (coder, w) in coders.iter().zip(&widths) {
            head.push_str(&format!(" {coder:>w$}"));
        }
        say!("\n{}", head.trim_end())?;
    } else {
        say!()?;
    }
    for category in &output.categories {
        let pad = "  ".repeat(category.depth);
        say!("{pad}{}  {}", category.id, category.label)?;
        for ind in &category.indicators {
            let pad = "  ".repeat(category.depth + 1);
            let lead = format!("{pad}{:<id_width$}  ", ind.id);
            let lead = format!("{lead:<line_start$}");
            let label = if ind.retired {
                format!("{} (retired)", ind.label)
            } else {
                ind.label.clone()
            };
            let mut line = format!("{lead}{}", fit(&label, label_width));
            for (coder, w) in coders.iter().zip(&widths) {
                line.push_str(&format!(" {:>w$}", ind.counts[coder]));
            }
            say!("{}", line.trim_end())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(
    project: Option<&Path>,
    config: &Config,
    id: &str,
    lang: Option<String>,
) -> Result<ExitCode> {
    let root = project_root(project)?;
    let files = ProjectFiles::read(&root)?;
    let codebook = files.codebook()?;
    let lang = language(&codebook, lang, config)?;
    let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
        let similar: Vec<&str> = codebook
            .indicators
            .iter()
            .map(|i| i.id.as_str())
            .filter(|c| c.eq_ignore_ascii_case(id) || c.to_lowercase().contains(&id.to_lowercase()))
            .take(5)
            .collect();
        let hint = if similar.is_empty() {
            "`normcode codebook list` shows the ids".to_string()
        } else {
            format!("did you mean {}?", similar.join(", "))
        };
        return Err(Error::Usage(format!(
            "there is no indicator '{id}' in the codebook; {hint}"
        )));
    };
    let field = |name: &str| format!("{name:<12}");
    let blank = " ".repeat(12);
    let localized = |name: &str, text: &Localized| -> Result<()> {
        let mut first = true;
        for lang in &codebook.languages {
            if let Some(t) = text.0.get(lang) {
                let head = if first { field(name) } else { blank.clone() };
                say!("{head}{lang}: {t}")?;
                first = false;
            }
        }
        Ok(())
    };
    say!("{}  {}", indicator.id, indicator.label.get(&lang))?;
    let path: Vec<String> = codebook
        .category_path(indicator.category)
        .iter()
        .map(|c| format!("{} {}", c.id, c.label.get(&lang)))
        .collect();
    say!("{}{}", field("category"), path.join(" › "))?;
    say!(
        "{}{}",
        field("status"),
        if indicator.retired {
            "retired (kept for existing annotations, not offered for coding)"
        } else {
            "in use"
        }
    )?;
    localized("label", &indicator.label)?;
    localized("definition", &indicator.definition)?;
    for (name, items) in [
        ("include", &indicator.include),
        ("exclude", &indicator.exclude),
        ("examples", &indicator.examples),
    ] {
        for (n, item) in items.iter().enumerate() {
            localized(
                &if n == 0 {
                    name.to_string()
                } else {
                    String::new()
                },
                item,
            )?;
        }
    }
    for (key, value) in &indicator.attributes {
        let label = codebook
            .attributes
            .iter()
            .find(|a| a.id == *key)
            .map(|a| format!(" ({})", a.label.get(&lang)))
            .unwrap_or_default();
        say!("{}{key}{label}: {value}", field("attribute"))?;
    }
    if let Some(color) = &indicator.color {
        say!("{}{color}", field("color"))?;
    }
    if let Some((line, column)) = revise::locate_indicator(&files.codebook_text, id) {
        say!("{}codebook.yaml:{line}:{column}", field("defined at"))?;
    }
    let mut used = Vec::new();
    for source in &files.coders {
        let mut annotations = 0;
        let mut documents = 0;
        for coding in source.file.documents.values() {
            let n = coding
                .annotations
                .iter()
                .filter(|a| a.codes.iter().any(|c| c.as_str() == id))
                .count();
            annotations += n;
            documents += usize::from(n > 0);
        }
        used.push(format!(
            "{}: {annotations} annotation{} in {documents} document{}",
            source.name,
            if annotations == 1 { "" } else { "s" },
            if documents == 1 { "" } else { "s" }
        ));
    }
    if used.is_empty() {
        say!("{}no coder files yet", field("used by"))?;
    } else {
        say!("{}{}", field("used by"), used.join("; "))?;
    }
    let word = |line: &str| {
        line.match_indices(id).any(|(at, _)| {
            let is_word = |c: char| c.is_alphanumeric() || c == '_';
            !line[..at].chars().next_back().is_some_and(is_word)
                && !line[at + id.len()..].chars().next().is_some_and(is_word)
        })
    };
    let mut first = true;
    for entry in codebook.history() {
        if entry.changes.iter().any(|c| word(c)) {
            let head = if first {
                field("history")
            } else {
                blank.clone()
            };
            say!("{head}{entry}")?;
            first = false;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(
    old: &Path,
    new: &Path,
    format: TextOrJson,
    lang: Option<String>,
    config: &Config,
) -> Result<ExitCode> {
    let old_book = Codebook::load(old)?;
    let new_book = Codebook::load(new)?;
    let lang = language(&new_book, lang, config)?;
    let changes = history::diff(&old_book, &new_book, &lang);
    match format {
        TextOrJson::Json => out::json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&changes).expect("a diff always serializes")
        ))?,
        TextOrJson::Text => {
            say!("{} → {}", old.display(), new.display())?;
            out::text(&changes.to_string())?;
            if !changes.indicators_renamed.is_empty() {
                say!(
                    "(renames are guessed: an indicator gone and one new with the same label or \
                     definition)"
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    project: Option<&Path>,
    config: &Config,
    format: DocFormat,
    lang: Option<String>,
    output: Option<&Path>,
    force: bool,
) -> Result<ExitCode> {
    let root = project_root(project)?;
    let destination =
        crate::output::destination(output, &super::export::protected_files(&root), force)?;
    let codebook = Codebook::load(&root.join(crate::project::CODEBOOK_FILE))?;
    let lang = language(&codebook, lang, config)?;
    let text = match format {
        DocFormat::Md => publish::to_markdown(&codebook, &lang),
        DocFormat::Html => publish::to_html(&codebook, &lang),
    };
    out::deliver(&destination, text.as_bytes())?;
    if destination != crate::output::Destination::Stdout {
        note!("normcode: wrote {}", out::shown(&destination.shown()));
    }
    Ok(ExitCode::SUCCESS)
}
