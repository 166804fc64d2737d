//! Scriptable coding: instructions from a command line or a JSON Lines batch ("code unit p3 of
//! this document with TH02, take VU01 off"), checked against the project first, then applied
//! with the same operations the workspace uses ([`super::coding`]), all or nothing.
//!
//! A batch line is one JSON object: `document`, `unit` or `span` (`{"start": N, "end": M}` in
//! code points of the document's text, or `{"quote": "..."}`), `add` and `remove` (lists of
//! indicator ids), `memo` and `status` (`done`, `in_progress`: a line with only `document` and
//! `status` sets the status). Nothing is applied unless every line is good.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::codebook::Codebook;
use crate::corpus::{CodePointRange, Corpus, Document, DocumentId, IndicatorId, Unit, UnitId};

use super::CoderFile;
use super::coding::{self, Change, Place};

/// Where an instruction puts its codes, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The document itself (an instruction that only sets its status).
    Document,
    /// A whole unit.
    Unit(UnitId),
    /// Code points `start..end` of the document's text (in `unit`, when one is named).
    Span {
        unit: Option<UnitId>,
        range: CodePointRange,
    },
    /// The one passage of the document (or of `unit`) with exactly this text.
    Quote { unit: Option<UnitId>, quote: String },
}

/// One thing to do to one place, as written (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub document: DocumentId,
    pub target: Target,
    pub add: Vec<IndicatorId>,
    pub remove: Vec<IndicatorId>,
    pub memo: Option<String>,
    /// The document's status after the instruction (`done` makes its uncoded units count as
    /// absent for agreement).
    pub status: Option<super::Status>,
}

/// What is wrong with one instruction: `line` is 1-based (0 for the command line), `column`
/// set for JSON errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

impl LineError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            message: message.into(),
        }
    }

    /// "batch.jsonl line 3, column 12: ...", or the message alone for the command line.
    pub fn describe(&self, source: &str) -> String {
        match (self.line, self.column) {
            (0, _) => self.message.clone(),
            (line, Some(column)) => {
                format!("{source} line {line}, column {column}: {}", self.message)
            }
            (line, None) => format!("{source} line {line}: {}", self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    document: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    span: Option<RawSpan>,
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    memo: Option<String>,
    #[serde(default)]
    status: Option<super::Status>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawSpan {
    Range { start: usize, end: usize },
    Quote { quote: String },
}

/// The instructions of a JSON Lines batch, with the line each came from, and the errors of the
/// lines that are not instructions; blank lines are skipped. Every line is read.
pub fn parse_batch(text: &str) -> (Vec<(usize, Instruction)>, Vec<LineError>) {
    let mut instructions = Vec::new();
    let mut errors = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RawLine>(line) {
            Ok(raw) => match instruction(raw) {
                Ok(instruction) => instructions.push((number, instruction)),
                Err(message) => errors.push(LineError::at(number, message)),
            },
            Err(err) => errors.push(LineError {
                line: number,
                column: Some(err.column()),
                message: json_message(&err),
            }),
        }
    }
    if instructions.is_empty() && errors.is_empty() {
        errors.push(LineError::at(
            1,
            "the batch has no instructions (one JSON object a line)",
        ));
    }
    (instructions, errors)
}

/// serde_json's message without its own " at line 1 column 12" (the caller says where).
fn json_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    if text.starts_with("data did not match any variant") {
        "`span` must be {\"start\": N, \"end\": M} (code points) or {\"quote\": \"...\"}".into()
    } else {
        format!("not a valid instruction: {text}")
    }
}

fn instruction(raw: RawLine) -> Result<Instruction, String> {
    let unit = raw.unit.map(UnitId::new);
    let target = match (unit, raw.span) {
        (None, None) if raw.add.is_empty() && raw.remove.is_empty() && raw.memo.is_none() => {
            Target::Document
        }
        (None, None) => return Err("give `unit` or `span` (where the codes go)".into()),
        (Some(unit), None) => Target::Unit(unit),
        (unit, Some(RawSpan::Range { start, end })) => Target::Span {
            unit,
            range: CodePointRange::new(start, end),
        },
        (unit, Some(RawSpan::Quote { quote })) => Target::Quote { unit, quote },
    };
    let instruction = Instruction {
        document: DocumentId::new(raw.document),
        target,
        add: raw.add.into_iter().map(IndicatorId::new).collect(),
        remove: raw.remove.into_iter().map(IndicatorId::new).collect(),
        memo: raw.memo,
        status: raw.status,
    };
    if instruction.add.is_empty()
        && instruction.remove.is_empty()
        && instruction.memo.is_none()
        && instruction.status.is_none()
    {
        return Err("nothing to do: give `add`, `remove`, `memo` or `status`".into());
    }
    Ok(instruction)
}

/// An instruction checked against the project: the place exists, the codes can be given.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub document: &'a Document,
    /// `None` for an instruction on the document itself (its status).
    pub unit: Option<&'a Unit>,
    pub span: Option<CodePointRange>,
    pub instruction: Instruction,
}

impl Resolved<'_> {
    pub fn place(&self) -> Option<Place<'_>> {
        Some(Place {
            document: self.document,
            unit: self.unit?,
            span: self.span,
        })
    }
}

/// Checks `instruction` against the corpus and codebook: the document, unit and indicators
/// exist, a span lies inside one unit, a quote is found exactly once.
pub fn resolve<'a>(
    corpus: &'a Corpus,
    codebook: &Codebook,
    instruction: Instruction,
) -> Result<Resolved<'a>, String> {
    let document = corpus.get(&instruction.document).ok_or_else(|| {
        format!(
            "no document '{}' in the project (`normcode status` lists them)",
            instruction.document
        )
    })?;
    let named_unit = |unit: &Option<UnitId>| -> Result<Option<&'a Unit>, String> {
        unit.as_ref()
            .map(|id| {
                document
                    .unit(id)
                    .ok_or_else(|| format!("document '{}' has no unit '{id}'", document.id))
            })
            .transpose()
    };
    let (unit, span) = match &instruction.target {
        Target::Document => (None, None),
        Target::Unit(id) => (named_unit(&Some(id.clone()))?, None),
        Target::Span { unit, range } => {
            let named = named_unit(unit)?;
            (Some(span_unit(document, named, *range)?), Some(*range))
        }
        Target::Quote { unit, quote } => {
            let named = named_unit(unit)?;
            let range = find_quote(document, named, quote)?;
            (Some(span_unit(document, named, range)?), Some(range))
        }
    };
    for code in &instruction.add {
        coding::check_code(codebook, code).map_err(|e| e.to_string())?;
    }
    for code in &instruction.remove {
        if codebook.indicator(code).is_none() {
            return Err(format!("{code} is not an indicator of the codebook"));
        }
    }
    if let Some(code) = instruction
        .add
        .iter()
        .find(|c| instruction.remove.contains(c))
    {
        return Err(format!("{code} is both added and removed"));
    }
    Ok(Resolved {
        document,
        unit,
        span,
        instruction,
    })
}

/// The unit a span lies in (the named one, which must hold it).
fn span_unit<'a>(
    document: &'a Document,
    named: Option<&'a Unit>,
    range: CodePointRange,
) -> Result<&'a Unit, String> {
    let length = document.len_chars();
    if range.is_empty() {
        return Err(format!("span {range} is empty (start must be below end)"));
    }
    if range.end > length {
        return Err(format!(
            "span {range} is out of range: document '{}' has {length} code points",
            document.id
        ));
    }
    let unit = document
        .unit_at(range.start)
        .map(|i| &document.units[i])
        .filter(|u| u.range.contains_range(&range));
    match (named, unit) {
        (Some(named), Some(unit)) if named.id == unit.id => Ok(unit),
        (Some(named), _) => Err(format!(
            "span {range} is not inside unit {} ({})",
            named.id, named.range
        )),
        (None, Some(unit)) => Ok(unit),
        (None, None) => Err(format!(
            "span {range} is not inside one unit of document '{}' (a span codes part of one unit)",
            document.id
        )),
    }
}

/// Where `quote` is in the document (or the named unit): exactly one place.
fn find_quote(
    document: &Document,
    named: Option<&Unit>,
    quote: &str,
) -> Result<CodePointRange, String> {
    if quote.is_empty() {
        return Err("the quote is empty".into());
    }
    let (text, offset) = match named {
        Some(unit) => (document.unit_text(unit), unit.range.start),
        None => (document.body.as_str(), 0),
    };
    let found: Vec<usize> = text
        .match_indices(quote)
        .map(|(at, _)| at)
        .take(3)
        .collect();
    let scope = match named {
        Some(unit) => format!("unit {} of '{}'", unit.id, document.id),
        None => format!("document '{}'", document.id),
    };
    match found.as_slice() {
        [] => Err(format!("the quote is not found in {scope}")),
        [at] => {
            let start = offset + text[..*at].chars().count();
            Ok(CodePointRange::new(start, start + quote.chars().count()))
        }
        _ => Err(format!(
            "the quote is found more than once in {scope}: give the unit or a longer quote"
        )),
    }
}

/// Checks every instruction; all errors with their lines, or all resolved.
pub fn resolve_all<'a>(
    corpus: &'a Corpus,
    codebook: &Codebook,
    instructions: Vec<(usize, Instruction)>,
) -> Result<Vec<Resolved<'a>>, Vec<LineError>> {
    let mut resolved = Vec::new();
    let mut errors = Vec::new();
    for (line, instruction) in instructions {
        match resolve(corpus, codebook, instruction) {
            Ok(r) => resolved.push(r),
            Err(message) => errors.push(LineError::at(line, message)),
        }
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(errors)
    }
}

/// What applying a batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub added: usize,
    pub removed: usize,
    pub memos: usize,
    pub statuses: usize,
    /// Documents changed that their coder had marked done.
    pub done_documents: Vec<DocumentId>,
    pub changes: usize,
}

/// Applies resolved instructions in order with the workspace's operations; returns what was
/// done and the changes (for undo, or to know whether to write).
pub fn apply(
    file: &mut CoderFile,
    codebook: &Codebook,
    resolved: &[Resolved],
    now: DateTime<Utc>,
) -> (Applied, Vec<Change>) {
    let mut applied = Applied::default();
    let mut changes = Vec::new();
    for r in resolved {
        let was_done = file.status(&r.document.id) == super::Status::Done;
        let before = changes.len();
        let mut push = |change: Change, count: &mut usize| {
            if !change.is_empty() {
                *count += 1;
                changes.push(change);
            }
        };
        if let Some(place) = r.place() {
            for code in &r.instruction.add {
                // Checked in `resolve`.
                if let Ok(change) = coding::add(file, codebook, place, code, now) {
                    push(change, &mut applied.added);
                }
            }
            for code in &r.instruction.remove {
                push(coding::remove(file, place, code, now), &mut applied.removed);
            }
            if let Some(memo) = &r.instruction.memo {
                push(coding::set_memo(file, place, memo, now), &mut applied.memos);
            }
        }
        if let Some(status) = r.instruction.status {
            let change = coding::set_status(file, &r.document.id, status);
            push(change, &mut applied.statuses);
            continue;
        }
        if was_done && changes.len() > before && !applied.done_documents.contains(&r.document.id) {
            applied.done_documents.push(r.document.id.clone());
        }
    }
    applied.changes = changes.len();
    (applied, changes)
}

/// `10..42` as a range of code points.
pub fn parse_range(text: &str) -> Result<CodePointRange, String> {
    let (start, end) = text
        .split_once("..")
        .ok_or_else(|| format!("'{text}' is not a span: write START..END in code points"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("'{text}' is not a span: write START..END in code points"))
    };
    Ok(CodePointRange::new(number(start)?, number(end)?))
}
