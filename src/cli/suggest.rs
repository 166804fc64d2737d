//! `normcode suggest`: the recommender's suggestions for units, its evaluation on held-out
//! documents, and the recommender written out as a coder of its own.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::annotations::{CoderFile, CoderLock, CoderName, Status};
use crate::config::Config;
use crate::corpus::{Document, DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result};
use crate::project::{ANNOTATIONS_DIR, Project};
use crate::suggest::{
    self, Evaluation, Example, MODEL, Recommender, Rejections, Suggestion, TrainOn, machine,
};
use crate::text::sanitize;

use super::commands::{coder_name, open_coded_project};
use super::out::{self, note, say};

/// The score from which a suggestion counts as a code (--as-coder, and precision and recall
/// in --evaluate).
const DEFAULT_THRESHOLD: f64 = 0.5;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum SuggestFormat {
    /// Aligned text.
    #[default]
    Table,
    /// Everything, with each source's evidence.
    Json,
}

fn parse_probability(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a score from 0 to 1, such as 0.5")),
    }
}

fn parse_top(text: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(k) if k > 0 => Ok(k),
        _ => Err(format!(
            "`{text}` is not a number of suggestions (1 or more)"
        )),
    }
}

#[derive(Debug, Args)]
#[command(
    about = "Suggested indicators for units, learnt from the coding (offline); their evaluation",
    long_about = "Suggested indicators for the units of a document, best first, each with a score \
        from 0 to 1 and a reason. Three sources of evidence are combined: phrases of coded spans \
        and units and of the codebook's labels, include rules and examples (scored by how often \
        units with them were coded with each indicator; exclude-rule words count against); a \
        naive Bayes model per indicator over words, word pairs and Chinese character pairs; and \
        BM25 similarity with each indicator's definition, include rules and examples, so that \
        there are suggestions before anything is coded. Nothing leaves the machine.\n\n\
        The recommender trains on the units of documents marked done. Whose: --train-on NAME \
        (a coder), `all` (every coder file but those --as-coder wrote) or `consensus`. Default: \
        the coder (--coder, the configured name or the user name), so that no one's codes leak \
        into another's blind coding; with --evaluate and --as-coder, `all`.\n\n\
        Without DOC: every unit of every document the coder has not marked done. The \
        indicators the coder (--coder, else the one trained on, else the configured one) \
        already gave a unit are not suggested for it.\n\n\
        --evaluate  leave-one-document-out over the documents marked done (in ten groups of \
        documents beyond 50): each document's units are suggested for by a recommender trained \
        on the other documents only. hit@1 and hit@3 are the shares of coded units whose codes \
        include the top suggestion / one of the top three; precision, recall and F1 per \
        indicator count a suggestion scored at least --threshold as a code; the learning curve \
        gives hit@1 and hit@3 when training on 10%, 20%, ... 100% of the other documents.\n\n\
        --as-coder NAME  writes annotations/NAME.yaml: on every unit of every document the \
        indicators scored at least --threshold (default 0.5), every document marked done, so \
        that `normcode agree --coders alice,NAME` measures the recommender like a coder. A \
        document it trained on is coded by a recommender trained without that document. It \
        replaces only a file it wrote itself (each document's memo says so); a coder's own file \
        is never overwritten.\n\n\
        Exit 0 on success, 1 when a project file is wrong, 2 for usage errors (an unknown \
        document, unit or coder, nothing marked done to evaluate).",
    after_help = "Examples:\n  \
        normcode suggest un/gge-2015 --coder alice\n  \
        normcode suggest un/gge-2015 --unit 13 --train-on all --format json\n  \
        normcode suggest --evaluate\n  \
        normcode suggest --evaluate --train-on consensus --format json\n  \
        normcode suggest --as-coder machine --threshold 0.4 && normcode agree --coders alice,machine"
)]
pub struct SuggestArgs {
    /// The document, by id (such as un/gge-2015) [default: every document the coder has not
    /// marked done].
    #[arg(value_name = "DOC")]
    pub document: Option<String>,
    /// Only this unit of DOC (such as 13 or 13.a).
    #[arg(long, value_name = "U", requires = "document")]
    pub unit: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: SuggestFormat,
    /// Suggestions per unit.
    #[arg(long, value_name = "K", default_value = "3", value_parser = parse_top)]
    pub top: usize,
    /// Whose coding trains the recommender: a coder's name, `all` or `consensus` [default: the
    /// coder; with --evaluate and --as-coder, all].
    #[arg(long, value_name = "WHO")]
    pub train_on: Option<String>,
    /// Measure the suggestions on held-out documents (leave-one-document-out).
    #[arg(long, conflicts_with_all = ["document", "as_coder", "top"])]
    pub evaluate: bool,
    /// Write the recommender's codes as the coder file annotations/NAME.yaml.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["document", "top", "format"])]
    pub as_coder: Option<String>,
    /// The score from which a suggestion counts as a code (--as-coder, --evaluate) [default:
    /// 0.5].
    #[arg(long, value_name = "P", value_parser = parse_probability)]
    pub threshold: Option<f64>,
}

pub fn run(args: SuggestArgs, project: Option<&Path>, coder: Option<&str>) -> Result<ExitCode> {
    if args.threshold.is_some() && !args.evaluate && args.as_coder.is_none() {
        return Err(Error::Usage(
            "--threshold goes with --evaluate or --as-coder (suggestions for units are ranked, \
             not cut)"
                .to_string(),
        ));
    }
    let project = open_coded_project(project)?;
    let train_on = match &args.train_on {
        Some(who) => TrainOn::parse(who),
        None if args.evaluate || args.as_coder.is_some() => TrainOn::All,
        None => TrainOn::Coder(coder_name(coder, &Config::load()?)?.as_str().to_string()),
    };
    let files = training_files(&project, &train_on)?;
    let refs: Vec<&CoderFile> = files.iter().collect();
    // The suggestions the training coders rejected in the workspace are negative examples.
    let mut rejected = Rejections::new();
    for file in &refs {
        if let Ok(name) = crate::annotations::CoderName::parse(&file.coder) {
            let (theirs, _) =
                crate::annotations::rejections::load(&project.annotations_dir(), &name)?;
            for (place, codes) in theirs.flat() {
                rejected.entry(place).or_default().extend(codes);
            }
        }
    }
    let examples = suggest::examples(&project.corpus, &refs, &train_on, &rejected);
    let threshold = args.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if args.evaluate {
        return evaluate(&project, &train_on, &examples, threshold, args.format);
    }
    if let Some(name) = &args.as_coder {
        return as_coder(&project, &train_on, &examples, name, threshold);
    }
    let units = chosen_units(&project, &args, &train_on, &files)?;
    if examples.is_empty() {
        note!(
            "normcode: {} has no document marked done yet: the suggestions come from the \
             codebook alone",
            train_on.describe()
        );
    }
    let recommender = Recommender::train(&project.codebook, &examples);
    let own = own_file(&project, &train_on, &files, coder)?;
    let rows: Vec<UnitSuggestions> = units
        .iter()
        .map(|(document, unit)| {
            let text = document
                .unit(unit)
                .map(|u| document.unit_text(u))
                .unwrap_or_default();
            UnitSuggestions {
                document: document.id.clone(),
                unit: unit.clone(),
                suggestions: recommender
                    .suggest(text, args.top, &coded_already(own.as_ref(), document, unit))
                    .into_iter()
                    .map(|s| shown(&project, s))
                    .collect(),
            }
        })
        .collect();
    let report = SuggestReport {
        model: MODEL,
        trained_on: train_on.describe(),
        training_units: examples.len(),
        training_documents: documents_of(&examples),
        units: rows,
    };
    match args.format {
        SuggestFormat::Json => out::json(&to_json(&report)?)?,
        SuggestFormat::Table => out::text(&table(&report))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The coder file of the coder the suggestions are for (`--coder`, else the one trained on,
/// else the configured coder), if there is one: suggestions skip the codes it already gives
/// a unit.
fn own_file(
    project: &Project,
    train_on: &TrainOn,
    files: &[CoderFile],
    coder: Option<&str>,
) -> Result<Option<CoderFile>> {
    let name = match (coder, train_on) {
        (Some(name), _) => Some(name.trim().to_string()),
        (None, TrainOn::Coder(name)) => Some(name.clone()),
        (None, _) => Config::load()?.coder,
    };
    let Some(name) = name else {
        return Ok(None);
    };
    if let Some(file) = files.iter().find(|f| f.coder == name) {
        return Ok(Some(file.clone()));
    }
    if !project.coder_names()?.contains(&name) {
        return Ok(None);
    }
    Ok(project
        .load_coders(Some(std::slice::from_ref(&name)))?
        .into_iter()
        .next()
        .map(|c| c.file))
}

/// The codes `file` gives `unit` of `document` (annotations whose passage is gone do not count).
fn coded_already(
    file: Option<&CoderFile>,
    document: &Document,
    unit: &UnitId,
) -> BTreeSet<IndicatorId> {
    file.map(|f| {
        f.annotations(&document.id)
            .iter()
            .filter(|a| a.unit == *unit && !a.is_orphaned())
            .flat_map(|a| a.codes.iter().cloned())
            .collect()
    })
    .unwrap_or_default()
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

fn documents_of(examples: &[Example]) -> usize {
    examples
        .iter()
        .map(|e| &e.document)
        .collect::<BTreeSet<_>>()
        .len()
}

/// The coder files `train_on` reads; a coder or consensus file that does not exist is an error.
fn training_files(project: &Project, train_on: &TrainOn) -> Result<Vec<CoderFile>> {
    let known = project.coder_names()?;
    let wanted: Vec<String> = match train_on {
        TrainOn::All => known.clone(),
        TrainOn::Consensus => vec![crate::adjudication::CONSENSUS.to_string()],
        TrainOn::Coder(name) => {
            CoderName::parse(name)?;
            vec![name.clone()]
        }
    };
    for name in &wanted {
        if !known.contains(name) {
            let what = if matches!(train_on, TrainOn::Consensus) {
                "no consensus file annotations/consensus.yaml yet (build one with `R` in the \
                 workspace)"
                    .to_string()
            } else {
                format!("no coder file {ANNOTATIONS_DIR}/{name}.yaml to train on")
            };
            return Err(Error::Usage(format!(
                "{what} (coders: {}); pass --train-on NAME, `all` or `consensus`",
                if known.is_empty() {
                    "none yet".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    let loaded = project.load_coders(Some(&wanted))?;
    out::read_as(&loaded);
    Ok(loaded.into_iter().map(|c| c.file).collect())
}

fn find_document<'a>(project: &'a Project, id: &str) -> Result<&'a Document> {
    let wanted = id.trim().trim_end_matches(".md");
    if let Some(document) = project.corpus.get(&DocumentId::new(wanted)) {
        return Ok(document);
    }
    let all: Vec<&str> = project
        .corpus
        .documents
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let near: Vec<&str> = all
        .iter()
        .copied()
        .filter(|d| {
            let last = wanted.rsplit('/').next().unwrap_or(wanted);
            !last.is_empty() && d.contains(last)
        })
        .take(5)
        .collect();
    let listed = if near.is_empty() { &all } else { &near };
    let mut names = listed
        .iter()
        .take(8)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if listed.len() > 8 {
        names.push_str(", ...");
    }
    Err(Error::Usage(format!(
        "no document '{}' in the project ({}: {names})",
        sanitize(id),
        if near.is_empty() {
            "documents"
        } else {
            "did you mean"
        }
    )))
}

/// The units asked for: one unit, one document's, or those of every document the training
/// coder has not marked done.
fn chosen_units<'a>(
    project: &'a Project,
    args: &SuggestArgs,
    train_on: &TrainOn,
    files: &[CoderFile],
) -> Result<Vec<(&'a Document, UnitId)>> {
    let Some(id) = &args.document else {
        let done_by = |d: &DocumentId| match train_on {
            TrainOn::Coder(_) | TrainOn::Consensus => {
                files.iter().any(|f| f.status(d) == Status::Done)
            }
            TrainOn::All => false,
        };
        return Ok(project
            .corpus
            .documents
            .iter()
            .filter(|d| !done_by(&d.id))
            .flat_map(|d| d.units.iter().map(move |u| (d, u.id.clone())))
            .collect());
    };
    let document = find_document(project, id)?;
    match &args.unit {
        None => Ok(document
            .units
            .iter()
            .map(|u| (document, u.id.clone()))
            .collect()),
        Some(unit) => {
            let unit = UnitId::new(unit.trim());
            if document.unit(&unit).is_none() {
                let ids: Vec<&str> = document.units.iter().map(|u| u.id.as_str()).collect();
                let mut listed = ids.iter().take(12).copied().collect::<Vec<_>>().join(", ");
                if ids.len() > 12 {
                    listed.push_str(", ...");
                }
                return Err(Error::Usage(format!(
                    "document {} has no unit '{}' (its units: {})",
                    document.id,
                    sanitize(unit.as_str()),
                    if listed.is_empty() { "none" } else { &listed }
                )));
            }
            Ok(vec![(document, unit)])
        }
    }
}

#[derive(Serialize)]
struct ShownSuggestion {
    indicator: String,
    label: String,
    score: f64,
    reason: String,
    evidence: suggest::Evidence,
}

fn shown(project: &Project, s: Suggestion) -> ShownSuggestion {
    let lang = project
        .codebook
        .languages
        .first()
        .map_or("en", String::as_str);
    ShownSuggestion {
        label: project
            .codebook
            .indicator(&s.indicator)
            .map(|i| i.label.get(lang).to_string())
            .unwrap_or_default(),
        indicator: s.indicator.to_string(),
        score: (s.score * 1000.0).round() / 1000.0,
        reason: s.reason,
        evidence: s.evidence,
    }
}

#[derive(Serialize)]
struct UnitSuggestions {
    document: DocumentId,
    unit: UnitId,
    suggestions: Vec<ShownSuggestion>,
}

#[derive(Serialize)]
struct SuggestReport {
    model: &'static str,
    trained_on: String,
    training_units: usize,
    training_documents: usize,
    units: Vec<UnitSuggestions>,
}

fn table(report: &SuggestReport) -> String {
    let mut text = format!(
        "{}, trained on {} ({} units of {} documents marked done)\n",
        report.model, report.trained_on, report.training_units, report.training_documents
    );
    for unit in &report.units {
        text.push_str(&format!("\n{} {}\n", unit.document, unit.unit));
        if unit.suggestions.is_empty() {
            text.push_str("  (no suggestion)\n");
        }
        for (i, s) in unit.suggestions.iter().enumerate() {
            text.push_str(&format!(
                "  {}. {:<6} {:.3}  {}: {}\n",
                i + 1,
                s.indicator,
                s.score,
                s.label,
                s.reason
            ));
        }
    }
    text
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

fn evaluate(
    project: &Project,
    train_on: &TrainOn,
    examples: &[Example],
    threshold: f64,
    format: SuggestFormat,
) -> Result<ExitCode> {
    if examples.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to evaluate: {} has no document marked done (mark documents done with `D` \
             in the workspace; only their units train and test the recommender)",
            train_on.describe()
        )));
    }
    let evaluation = suggest::evaluate(&project.codebook, examples, threshold)?;
    #[derive(Serialize)]
    struct Report<'a> {
        trained_on: String,
        #[serde(flatten)]
        evaluation: &'a Evaluation,
    }
    let report = Report {
        trained_on: train_on.describe(),
        evaluation: &evaluation,
    };
    match format {
        SuggestFormat::Json => out::json(&to_json(&report)?)?,
        SuggestFormat::Table => out::text(&evaluation_table(&report.trained_on, &evaluation))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn evaluation_table(trained_on: &str, e: &Evaluation) -> String {
    let mut text = format!(
        "{}, trained on {trained_on}\n{} over {} documents marked done: {} units, {} of them \
         coded\n\n",
        e.model, e.method, e.documents, e.units, e.coded_units
    );
    text.push_str(&format!(
        "hit@1  {}   (share of coded units whose codes include the top suggestion)\n\
         hit@3  {}   (... one of the top three)\n\n",
        ratio(e.hit_at_1),
        ratio(e.hit_at_3)
    ));
    text.push_str(&format!(
        "A suggestion scored at least {} counts as a code:\n",
        e.threshold
    ));
    text.push_str(&format!(
        "{:<10} {:>6} {:>9} {:>7} {:>9} {:>7} {:>7}\n",
        "indicator", "coded", "suggested", "correct", "precision", "recall", "F1"
    ));
    let row = |name: &str, s: &suggest::evaluate::Scores| {
        format!(
            "{:<10} {:>6} {:>9} {:>7} {:>9} {:>7} {:>7}\n",
            name,
            s.coded,
            s.suggested,
            s.correct,
            ratio(s.precision),
            ratio(s.recall),
            ratio(s.f1)
        )
    };
    for i in &e.indicators {
        if i.scores.coded > 0 || i.scores.suggested > 0 {
            text.push_str(&row(i.indicator.as_str(), &i.scores));
        }
    }
    text.push_str(&row("overall", &e.overall));
    let unused = e
        .indicators
        .iter()
        .filter(|i| i.scores.coded == 0 && i.scores.suggested == 0)
        .count();
    if unused > 0 {
        text.push_str(&format!(
            "({unused} indicators neither coded nor suggested in these documents are left out; \
             --format json lists them)\n"
        ));
    }
    text.push_str(&format!(
        "\nThe codebook alone (trained on nothing): hit@1 {}, hit@3 {}\n",
        ratio(e.codebook_only.hit_at_1),
        ratio(e.codebook_only.hit_at_3)
    ));
    text.push_str("Learning curve (share of the other documents trained on):\n");
    text.push_str(&format!(
        "{:>6} {:>10} {:>7} {:>7}\n",
        "share", "documents", "hit@1", "hit@3"
    ));
    for p in &e.learning_curve {
        text.push_str(&format!(
            "{:>5.0}% {:>10.1} {:>7} {:>7}\n",
            p.share * 100.0,
            p.training_documents,
            ratio(p.hit_at_1),
            ratio(p.hit_at_3)
        ));
    }
    text
}

fn as_coder(
    project: &Project,
    train_on: &TrainOn,
    examples: &[Example],
    name: &str,
    threshold: f64,
) -> Result<ExitCode> {
    let coder = CoderName::parse(name)?;
    if examples.is_empty() {
        return Err(Error::Usage(format!(
            "{} has no document marked done: there is nothing to learn from, and nothing was \
             written",
            train_on.describe()
        )));
    }
    // Held while the file is checked and written: a workspace open on NAME refuses, and this
    // refuses while one is open.
    let _lock = CoderLock::acquire(&project.annotations_dir(), &coder)?;
    let path = project.coder_path(coder.as_str())?;
    if let (_, Some(existing)) = project.read_coder_on_disk(coder.as_str())? {
        if !machine::is_machine_file(&existing) {
            return Err(Error::Usage(format!(
                "{ANNOTATIONS_DIR}/{coder}.yaml is a coder's own work (normcode suggest did not \
                 write it), so it is not replaced; choose another name, such as {coder}-model. \
                 Nothing was written"
            )));
        }
    } else if path.exists() {
        return Err(Error::Usage(format!(
            "{ANNOTATIONS_DIR}/{coder}.yaml exists (empty) and was not written by normcode \
             suggest; choose another name. Nothing was written"
        )));
    }
    let file = machine::code_corpus(
        &project.codebook,
        &project.corpus,
        examples,
        coder.as_str(),
        threshold,
        &train_on.describe(),
        crate::annotations::now(),
    );
    let annotations = file.annotation_count();
    let mut loaded = project.load_coder_as_written(coder.as_str())?;
    loaded.file = file;
    project.save_coder(&mut loaded)?;
    say!(
        "wrote {ANNOTATIONS_DIR}/{coder}.yaml: {annotations} coded units in {} documents (all \
         marked done), by {MODEL} trained on {} ({} units of {} documents; each of those \
         documents coded by a model that did not train on it), scores of at least {threshold}",
        project.corpus.len(),
        train_on.describe(),
        examples.len(),
        documents_of(examples)
    )?;
    say!("compare it: normcode agree --coders ALICE,{coder}")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled project: alice and bob both coded unit p4 of company/microsoft-2013 with
    /// TH02, which a recommender trained on bob ranks first for it.
    #[test]
    fn suggestions_skip_the_codes_the_coder_already_gave_the_unit() {
        let project = Project::open(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let document = project
            .corpus
            .get(&DocumentId::new("company/microsoft-2013"))
            .unwrap();
        let unit = UnitId::new("p4");
        let text = document.unit_text(document.unit(&unit).unwrap());
        let th02 = IndicatorId::new("TH02");
        let on = TrainOn::Coder("bob".to_string());
        let files = training_files(&project, &on).unwrap();
        let refs: Vec<&CoderFile> = files.iter().collect();
        let examples = suggest::examples(&project.corpus, &refs, &on, &Rejections::new());
        let recommender = Recommender::train(&project.codebook, &examples);
        let top = |skip: &BTreeSet<IndicatorId>| -> Vec<IndicatorId> {
            recommender
                .suggest(text, 3, skip)
                .into_iter()
                .map(|s| s.indicator)
                .collect()
        };
        assert_eq!(top(&BTreeSet::new()).first(), Some(&th02));
        // The coder trained on (no --coder), and another coder named with --coder.
        for coder in [None, Some("alice")] {
            let own = own_file(&project, &on, &files, coder).unwrap();
            let skip = coded_already(own.as_ref(), document, &unit);
            assert!(skip.contains(&th02), "{coder:?}: {skip:?}");
            assert!(!top(&skip).contains(&th02), "{coder:?}");
        }
        // A coder without a file skips nothing.
        let own = own_file(&project, &on, &files, Some("nobody")).unwrap();
        assert!(own.is_none());
        assert!(coded_already(own.as_ref(), document, &unit).is_empty());
    }
}
