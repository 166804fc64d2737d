//! `normcode code`: coding from the command line or a script, as a coder of its own.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::annotations::script::{self, Instruction, LineError, Target};
use crate::annotations::{self, CheckedWriteError, CoderLock, CoderName, DiskVersion, Status};
use crate::corpus::{DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result};
use crate::text::sanitize;

use super::commands::open_coded_project;
use super::out::{self, say};

#[derive(Debug, Args)]
#[command(
    about = "Code units or spans from the command line or a JSON Lines batch (scripts, \
             dictionaries, outside pipelines), as a coder of its own",
    long_about = "Code units or spans from the command line or a JSON Lines batch, with the \
        same operations the workspace uses, into annotations/CODER.yaml (created if absent).\n\n\
        One instruction:\n  normcode code --coder dict --document un/gge-2015 --unit 13 --add VU01\n  \
        normcode code --coder dict --document un/gge-2015 --quote 'supply chain' --add SC01\n\n\
        A batch (FILE, or - for standard input), one JSON object a line:\n  \
        {\"document\": \"un/gge-2015\", \"unit\": \"13\", \"add\": [\"VU01\"], \"remove\": [], \"memo\": \"...\"}\n  \
        {\"document\": \"un/gge-2015\", \"span\": {\"start\": 120, \"end\": 140}, \"add\": [\"TH02\"]}\n  \
        {\"document\": \"un/gge-2015\", \"span\": {\"quote\": \"supply chain\"}, \"add\": [\"SC01\"]}\n  \
        {\"document\": \"un/gge-2015\", \"status\": \"done\"}\n\n\
        Spans count Unicode code points of the document's text (as `normcode search --format \
        json` reports them) and lie inside one unit; a quote must be found exactly once (in the \
        unit, when one is given). Every line is checked first: on any error, each is listed with \
        its line (and column), and nothing is written. Refused while the coder's workspace is open."
)]
pub struct CodeArgs {
    /// The document (its id, as `normcode status` lists it).
    #[arg(long, value_name = "DOC", conflicts_with = "batch")]
    pub document: Option<String>,
    /// The unit (a whole unit, or the unit a span or quote lies in).
    #[arg(long, value_name = "UNIT", conflicts_with = "batch")]
    pub unit: Option<String>,
    /// A span of the document's text, START..END in code points.
    #[arg(long, value_name = "START..END", conflicts_with_all = ["batch", "quote"])]
    pub span: Option<String>,
    /// A span given by its exact text, found once in the document (or the unit).
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub quote: Option<String>,
    /// Indicators to add (repeat, or comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID",
        conflicts_with = "batch"
    )]
    pub add: Vec<String>,
    /// Indicators to remove (repeat, or comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID",
        conflicts_with = "batch"
    )]
    pub remove: Vec<String>,
    /// The memo of the coded unit or span (an empty memo removes it).
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    pub memo: Option<String>,
    /// The document's status afterwards: done (its uncoded units count as absent for
    /// agreement), in_progress or not_started.
    #[arg(long, value_name = "STATUS", value_parser = parse_status, conflicts_with = "batch")]
    pub status: Option<Status>,
    /// A JSON Lines file of instructions (- reads standard input).
    #[arg(long, value_name = "FILE.jsonl")]
    pub batch: Option<PathBuf>,
}

fn parse_status(text: &str) -> std::result::Result<Status, String> {
    match text {
        "done" => Ok(Status::Done),
        "in_progress" | "in-progress" => Ok(Status::InProgress),
        "not_started" | "not-started" => Ok(Status::NotStarted),
        _ => Err(format!(
            "'{text}' is not a status: done, in_progress or not_started"
        )),
    }
}

pub fn run(args: CodeArgs, project: Option<&Path>, coder: Option<&str>) -> Result<ExitCode> {
    let coder = CoderName::parse(coder.ok_or_else(|| {
        Error::Usage(
            "say whose codes these are: pass --coder NAME (a script or a dictionary is best a \
             coder of its own, so that its agreement with people can be measured)"
                .into(),
        )
    })?)?;
    let (source, instructions) = read_instructions(&args)?;
    let project = open_coded_project(project)?;
    let dir = project.annotations_dir();
    let lock = CoderLock::acquire(&dir, &coder).map_err(|err| match err {
        Error::Usage(_) => Error::Usage(format!(
            "coder '{coder}' has the workspace open in another normcode session; nothing was \
             changed: close it there, then run this again"
        )),
        other => other,
    })?;
    let (instructions, mut errors) = instructions;
    let resolved = match script::resolve_all(&project.corpus, &project.codebook, instructions) {
        Ok(resolved) if errors.is_empty() => resolved,
        Ok(_) => return Ok(refuse(&source, &errors)),
        Err(more) => {
            errors.extend(more);
            errors.sort_by_key(|e| e.line);
            return Ok(refuse(&source, &errors));
        }
    };
    let mut loaded = project.load_coder(&coder)?;
    let created = loaded.disk == DiskVersion::MISSING;
    let (applied, changes) = script::apply(
        &mut loaded.file,
        &project.codebook,
        &resolved,
        annotations::now(),
    );
    let shown = format!("annotations/{coder}.yaml");
    if changes.is_empty() {
        say!("{shown}: nothing changed (every instruction was already so)")?;
        return Ok(ExitCode::SUCCESS);
    }
    loaded.file.normalize(&project.corpus);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create", e))?;
    let text = annotations::coder_file_to_string(&loaded.file)?;
    annotations::write_if_unchanged(&loaded.path, loaded.disk, text.as_bytes()).map_err(|err| {
        match err {
            CheckedWriteError::ChangedOnDisk => Error::Usage(format!(
                "{shown} changed on disk while the batch was applied; nothing was written, run \
                 it again"
            )),
            CheckedWriteError::Failed(err) => err,
        }
    })?;
    drop(lock);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let done: Vec<String> = [
        (
            applied.added,
            plural(applied.added, "code added", "codes added"),
        ),
        (
            applied.removed,
            plural(applied.removed, "code removed", "codes removed"),
        ),
        (
            applied.memos,
            plural(applied.memos, "memo set", "memos set"),
        ),
        (
            applied.statuses,
            plural(applied.statuses, "status set", "statuses set"),
        ),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, text)| text)
    .collect();
    say!(
        "{}{shown}: {} ({} instruction{})",
        if created { "created " } else { "" },
        done.join(", "),
        resolved.len(),
        if resolved.len() == 1 { "" } else { "s" }
    )?;
    for document in &applied.done_documents {
        say!(
            "note: {coder} had marked {} done; its coding changed (it stays done)",
            sanitize(document.as_str())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists the errors on standard error; nothing was written.
fn refuse(source: &str, errors: &[LineError]) -> ExitCode {
    for error in errors {
        out::message(&format!("normcode: {}", sanitize(&error.describe(source))));
    }
    out::message(&format!(
        "normcode: {} error{}; nothing was written",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    ));
    ExitCode::from(1)
}

type Instructions = (Vec<(usize, Instruction)>, Vec<LineError>);

/// The instructions (or what is wrong with them), and what to call their source in messages.
fn read_instructions(args: &CodeArgs) -> Result<(String, Instructions)> {
    if let Some(batch) = &args.batch {
        let (source, bytes) = if batch == Path::new("-") {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io("standard input", "cannot read", e))?;
            ("standard input".to_string(), bytes)
        } else {
            let bytes = std::fs::read(batch).map_err(|e| Error::io(batch, "cannot read", e))?;
            (batch.display().to_string(), bytes)
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            Error::Usage(format!(
                "{source} line {line}: not UTF-8 text; save it as UTF-8; nothing was written"
            ))
        })?;
        return Ok((source, script::parse_batch(&text)));
    }
    let document = args.document.clone().ok_or_else(|| {
        Error::Usage(
            "say what to code: --document DOC with --unit, --span or --quote, or --batch FILE"
                .into(),
        )
    })?;
    let unit = args.unit.clone().map(UnitId::new);
    let target = match (&args.span, &args.quote, unit) {
        (Some(span), _, unit) => Target::Span {
            unit,
            range: script::parse_range(span).map_err(Error::Usage)?,
        },
        (None, Some(quote), unit) => Target::Quote {
            unit,
            quote: quote.clone(),
        },
        (None, None, Some(unit)) => Target::Unit(unit),
        (None, None, None)
            if args.add.is_empty()
                && args.remove.is_empty()
                && args.memo.is_none()
                && args.status.is_some() =>
        {
            Target::Document
        }
        (None, None, None) => {
            return Err(Error::Usage(
                "say where: --unit UNIT, --span START..END or --quote TEXT".into(),
            ));
        }
    };
    let instruction = Instruction {
        document: DocumentId::new(document),
        target,
        add: args.add.iter().map(IndicatorId::new).collect(),
        remove: args.remove.iter().map(IndicatorId::new).collect(),
        memo: args.memo.clone(),
        status: args.status,
    };
    if instruction.add.is_empty()
        && instruction.remove.is_empty()
        && instruction.memo.is_none()
        && instruction.status.is_none()
    {
        return Err(Error::Usage(
            "nothing to do: give --add ID, --remove ID, --memo TEXT or --status STATUS".into(),
        ));
    }
    Ok((
        "the command line".to_string(),
        (vec![(0, instruction)], Vec::new()),
    ))
}
