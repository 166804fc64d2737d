//! What every plan shares: checks of ids and languages, and [`finish`], which adds version
//! and history, checks the edited codebook against the intended [`Shape`] and recodes the
//! coder files.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use super::{
    CoderChange, Migration, Operation, ProjectFiles, SplitAssignment, Stamp,
    recode::migrate_coders,
    shape::Shape,
    split::migrate_split,
    text_edit::{Src, record_version, top_level_block},
};
use crate::codebook::history::{HistoryEntry, bump_minor};
use crate::codebook::{Codebook, LangMap};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};
use crate::project::CODEBOOK_FILE;

pub(super) fn check_language(codebook: &Codebook, lang: &str) -> Result<()> {
    if codebook.languages.iter().any(|l| l == lang) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "the codebook has no language '{lang}' (its languages: {})",
            codebook.languages.join(", ")
        )))
    }
}

pub(super) fn unknown_category(codebook: &Codebook, id: &str) -> Error {
    let known: Vec<&str> = codebook.categories.iter().map(|c| c.id.as_str()).collect();
    Error::Usage(format!(
        "there is no category '{id}'; the categories are: {}",
        known.join(", ")
    ))
}

/// `ids` without repeats, in their first order.
pub(super) fn unique_in_order(ids: &[String]) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    unique
}

pub(super) fn nonempty(items: &[LangMap]) -> Vec<LangMap> {
    items
        .iter()
        .map(|m| {
            m.iter()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<LangMap>()
        })
        .filter(|m| !m.is_empty())
        .collect()
}

pub(super) fn unknown_indicator(codebook: &Codebook, id: &str) -> Error {
    if codebook.categories.iter().any(|c| c.id == id) {
        return Error::Usage(format!(
            "'{id}' is a category, not an indicator; only indicators can be changed this way"
        ));
    }
    let lower = id.to_lowercase();
    let similar: Vec<&str> = codebook
        .indicators
        .iter()
        .map(|i| i.id.as_str())
        .filter(|c| {
            let c = c.to_lowercase();
            c == lower || c.contains(&lower) || (lower.len() >= 3 && lower.contains(&c))
        })
        .take(5)
        .collect();
    let hint = if similar.is_empty() {
        "`normcode codebook list` shows the ids".to_string()
    } else {
        format!("did you mean {}?", similar.join(", "))
    };
    Error::Usage(format!(
        "there is no indicator '{id}' in the codebook; {hint}"
    ))
}

/// A new id: allowed characters, not taken by an indicator or category.
pub(super) fn check_new_id(codebook: &Codebook, id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Error::Usage(format!(
            "'{id}' cannot be an id: use letters, digits, '_', '-' and '.'"
        )));
    }
    if codebook.indicator(&IndicatorId::from(id)).is_some() {
        return Err(Error::Usage(format!("'{id}' is already an indicator")));
    }
    if codebook.categories.iter().any(|c| c.id == id) {
        return Err(Error::Usage(format!(
            "'{id}' is already a category id (ids are unique across the codebook)"
        )));
    }
    Ok(())
}

/// A codebook edit, before version and history.
pub(super) struct Planned {
    pub(super) op: Operation,
    pub(super) summary: String,
    pub(super) text: String,
    pub(super) expected: Shape,
    pub(super) code_map: HashMap<String, String>,
    /// A split recodes by segment instead of by `code_map`: its source and assignments.
    pub(super) split: Option<(String, Vec<SplitAssignment>)>,
    pub(super) notes: Vec<String>,
}

impl Planned {
    /// A change of the codebook alone: coder files only move to the new version.
    pub(super) fn codebook_only(
        op: Operation,
        summary: String,
        text: String,
        expected: Shape,
        notes: Vec<String>,
    ) -> Self {
        Self {
            op,
            summary,
            text,
            expected,
            code_map: HashMap::new(),
            split: None,
            notes,
        }
    }

    /// A change that recodes annotations by `code_map`, with a note for every place the new
    /// codebook still mentions one of the `gone` ids.
    pub(super) fn recoding(
        op: Operation,
        summary: String,
        text: String,
        expected: Shape,
        code_map: HashMap<String, String>,
        gone: &[&str],
    ) -> Self {
        let mut notes = Vec::new();
        mention_note(&text, gone, None, &mut notes);
        Self {
            op,
            summary,
            text,
            expected,
            code_map,
            split: None,
            notes,
        }
    }
}

/// Adds version and history, checks the new codebook, and migrates the coder files.
pub(super) fn finish(
    files: &ProjectFiles,
    old: &Codebook,
    planned: Planned,
    stamp: &Stamp,
) -> Result<Migration> {
    let from = old.version.clone();
    let to = bump_minor(&from);
    let entry = HistoryEntry {
        version: to.clone(),
        date: Some(stamp.date.format("%Y-%m-%d").to_string()),
        by: Some(stamp.by.clone()),
        changes: vec![planned.summary.clone()],
    };
    let text = record_version(&planned.text, &entry)?;
    let new = Codebook::parse(Path::new(CODEBOOK_FILE), &text).map_err(|err| {
        Error::Usage(format!(
            "the changed codebook would not be valid, so nothing was written: {err}"
        ))
    })?;
    let mut expected = planned.expected;
    expected.version = to.clone();
    expected.history.push(entry);
    let actual = Shape::of(&new);
    if actual != expected {
        return Err(Error::Usage(format!(
            "editing {CODEBOOK_FILE} in place did not give the intended result ({}), so nothing \
             was written; its layout may be unusual there: make the change by hand",
            expected.first_difference(&actual)
        )));
    }
    let coders = match &planned.split {
        Some((source, assignments)) => {
            migrate_split(files, source, assignments, Some((&from, &to)))?
        }
        None => migrate_coders(files, &planned.code_map, Some((&from, &to)))?,
    };
    Ok(Migration {
        operation: planned.op,
        summary: planned.summary,
        versions: Some((from, to)),
        codebook: Some(text),
        coders,
        documents: Vec::new(),
        notes: planned.notes,
        completes: files.journal.is_some(),
        assignments: planned.split.map(|(_, a)| a).unwrap_or_default(),
        codebook_before: files.codebook_text.clone(),
        coders_before: files
            .coders
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect(),
    })
}

/// The codebook already says it: only the coder files follow (and a journal is removed).
pub(super) fn complete(
    files: &ProjectFiles,
    op: Operation,
    summary: String,
    code_map: &HashMap<String, String>,
    nothing: impl FnOnce() -> String,
) -> Result<Migration> {
    let versions = journal_versions(files);
    let coders = migrate_coders(
        files,
        code_map,
        versions.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
    )?;
    complete_with(files, op, summary, coders, nothing)
}

/// The versions an unfinished change moves between, from its journal.
pub(super) fn journal_versions(files: &ProjectFiles) -> Option<(String, String)> {
    files
        .journal
        .as_ref()
        .and_then(|j| Some((j.from_version.clone()?, j.to_version.clone()?)))
}

/// Like [`complete`], with the coder files already recoded.
pub(super) fn complete_with(
    files: &ProjectFiles,
    op: Operation,
    summary: String,
    coders: Vec<CoderChange>,
    nothing: impl FnOnce() -> String,
) -> Result<Migration> {
    if coders.is_empty() && files.journal.is_none() {
        return Err(Error::Usage(nothing()));
    }
    Ok(Migration {
        operation: op,
        summary,
        versions: journal_versions(files),
        codebook: None,
        coders,
        documents: Vec::new(),
        notes: Vec::new(),
        completes: true,
        assignments: Vec::new(),
        codebook_before: files.codebook_text.clone(),
        coders_before: files
            .coders
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect(),
    })
}

/// Notes the lines of `text` (outside comments, the history and `skip`) that still mention one
/// of `ids`, e.g. an exclude rule saying "code IL02".
pub(super) fn mention_note(
    text: &str,
    ids: &[&str],
    skip: Option<Range<usize>>,
    notes: &mut Vec<String>,
) {
    let src = Src::new(text);
    let history = top_level_block(&src, "history");
    for id in ids {
        let lines: Vec<String> = (0..src.lines())
            .filter(|l| !src.comment(*l))
            .filter(|l| !skip.as_ref().is_some_and(|r| r.contains(l)))
            .filter(|l| !history.as_ref().is_some_and(|r| r.contains(l)))
            .filter(|l| mentions(src.line(*l), id))
            .map(|l| (l + 1).to_string())
            .collect();
        if !lines.is_empty() {
            notes.push(format!(
                "{CODEBOOK_FILE} still mentions {id} on line{} {}: edit those texts by hand",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            ));
        }
    }
}

/// `id` as a whole word in `line`.
pub(super) fn mentions(line: &str, id: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(id).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + id.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}
