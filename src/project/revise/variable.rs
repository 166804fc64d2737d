//! Changing a document variable's values and groups (the publishers of a study and their
//! groups): add, rename and remove a value, move it to another group, add, rename and remove a
//! group. The codebook is edited in place like the other changes; documents whose front matter
//! uses a renamed value are rewritten with it; coder files move to the new version.

use crate::project::check::shell_word;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::{
    Migration, Operation, ProjectFiles, Stamp,
    documents::{DocumentSource, set_value, using},
    journal::check_journal,
    plan::{Planned, check_language, finish, journal_versions},
    recode::migrate_coders,
    render::{json_quote, scalar, scalar_like},
    shape::Shape,
    text_edit::{Edit, Src, apply_edits, ensure_final_newline, item_block},
};
use crate::codebook::{Codebook, LangMap, Variable, VariableType};
use crate::error::{Error, Result};
use crate::project::CODEBOOK_FILE;
use crate::yaml;

/// What to change in a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableAction {
    /// A new value, in `group` (created with the value when the variable has no such group),
    /// with labels by language.
    AddValue {
        value: String,
        group: Option<String>,
        label: LangMap,
    },
    /// A value renamed, in the codebook and in every document's front matter.
    RenameValue {
        old: String,
        new: String,
    },
    /// A value removed. Documents using it are refused unless `replace_with` (they take that
    /// value instead) or `force` (they keep it, and `normcode check` reports them).
    RemoveValue {
        value: String,
        replace_with: Option<String>,
        force: bool,
    },
    /// A value moved to another group.
    SetGroup {
        value: String,
        group: String,
    },
    AddGroup {
        group: String,
        label: LangMap,
    },
    RenameGroup {
        old: String,
        new: String,
    },
    /// A group no value is in any more.
    RemoveGroup {
        group: String,
    },
}

/// A change of one variable: the operation of [`plan_variable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableChange {
    pub variable: String,
    pub action: VariableAction,
}

impl VariableChange {
    /// The journal's `ids`: `[VARIABLE, ACTION, ARGUMENT...]` (labels and `force` are not kept:
    /// re-running the command completes the change).
    pub(super) fn to_ids(&self) -> Vec<String> {
        let mut ids = vec![self.variable.clone()];
        let (action, args): (&str, Vec<&str>) = match &self.action {
            VariableAction::AddValue { value, group, .. } => {
                ("add", vec![value, group.as_deref().unwrap_or("")])
            }
            VariableAction::RenameValue { old, new } => ("rename", vec![old, new]),
            VariableAction::RemoveValue {
                value,
                replace_with,
                ..
            } => ("remove", vec![value, replace_with.as_deref().unwrap_or("")]),
            VariableAction::SetGroup { value, group } => ("set-group", vec![value, group]),
            VariableAction::AddGroup { group, .. } => ("add-group", vec![group]),
            VariableAction::RenameGroup { old, new } => ("rename-group", vec![old, new]),
            VariableAction::RemoveGroup { group } => ("remove-group", vec![group]),
        };
        ids.push(action.to_string());
        ids.extend(args.into_iter().map(str::to_string));
        ids
    }

    pub(super) fn from_ids(ids: &[String]) -> Option<Self> {
        let [variable, action, args @ ..] = ids else {
            return None;
        };
        let opt = |s: &String| (!s.is_empty()).then(|| s.clone());
        let action = match (action.as_str(), args) {
            ("add", [value, group]) => VariableAction::AddValue {
                value: value.clone(),
                group: opt(group),
                label: LangMap::new(),
            },
            ("rename", [old, new]) => VariableAction::RenameValue {
                old: old.clone(),
                new: new.clone(),
            },
            ("remove", [value, with]) => VariableAction::RemoveValue {
                value: value.clone(),
                replace_with: opt(with),
                force: false,
            },
            ("set-group", [value, group]) => VariableAction::SetGroup {
                value: value.clone(),
                group: group.clone(),
            },
            ("add-group", [group]) => VariableAction::AddGroup {
                group: group.clone(),
                label: LangMap::new(),
            },
            ("rename-group", [old, new]) => VariableAction::RenameGroup {
                old: old.clone(),
                new: new.clone(),
            },
            ("remove-group", [group]) => VariableAction::RemoveGroup {
                group: group.clone(),
            },
            _ => return None,
        };
        Some(Self {
            variable: variable.clone(),
            action,
        })
    }

    /// The same change, whatever its labels and `force`.
    pub(super) fn same_as(&self, other: &Self) -> bool {
        self.to_ids() == other.to_ids()
    }

    /// The command that makes (and, re-run, completes) this change.
    pub fn command(&self) -> String {
        let w = shell_word;
        let rest = match &self.action {
            VariableAction::AddValue { value, group, .. } => match group {
                Some(g) => format!("--add {} --group {}", w(value), w(g)),
                None => format!("--add {}", w(value)),
            },
            VariableAction::RenameValue { old, new } => {
                format!("--rename {} --to {}", w(old), w(new))
            }
            VariableAction::RemoveValue {
                value,
                replace_with,
                ..
            } => match replace_with {
                Some(r) => format!("--remove {} --replace-with {}", w(value), w(r)),
                None => format!("--remove {}", w(value)),
            },
            VariableAction::SetGroup { value, group } => {
                format!("--set-group {} --group {}", w(value), w(group))
            }
            VariableAction::AddGroup { group, .. } => format!("--add-group {}", w(group)),
            VariableAction::RenameGroup { old, new } => {
                format!("--rename-group {} --to {}", w(old), w(new))
            }
            VariableAction::RemoveGroup { group } => format!("--remove-group {}", w(group)),
        };
        format!("normcode codebook variable {} {rest}", w(&self.variable))
    }

    /// `publisher: rename value 'A' → 'B'`
    pub fn describe(&self) -> String {
        let what = match &self.action {
            VariableAction::AddValue { value, .. } => format!("add value '{value}'"),
            VariableAction::RenameValue { old, new } => {
                format!("rename value '{old}' → '{new}'")
            }
            VariableAction::RemoveValue { value, .. } => format!("remove value '{value}'"),
            VariableAction::SetGroup { value, group } => {
                format!("move value '{value}' to group {group}")
            }
            VariableAction::AddGroup { group, .. } => format!("add group {group}"),
            VariableAction::RenameGroup { old, new } => format!("rename group {old} → {new}"),
            VariableAction::RemoveGroup { group } => format!("remove group {group}"),
        };
        format!("{}: {what}", self.variable)
    }
}

// ----- where the variables are in the text -----

#[derive(Deserialize)]
struct VariablesFile {
    #[serde(default)]
    variables: Vec<VariablePos>,
}

#[derive(Deserialize)]
struct VariablePos {
    id: Spanned<String>,
    #[serde(default)]
    groups: Vec<ItemPos>,
    #[serde(default)]
    values: Vec<ValuePos>,
}

#[derive(Deserialize)]
struct ItemPos {
    id: Spanned<String>,
}

#[derive(Deserialize)]
struct ValuePos {
    id: Spanned<String>,
    #[serde(default)]
    group: Option<Spanned<String>>,
}

fn span(location: &Location) -> Result<std::ops::Range<usize>> {
    let span = location.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(off), Some(len)) => Ok(off as usize..(off + len) as usize),
        _ => Err(Error::Usage(
            "the YAML parser gave no position for a codebook id".into(),
        )),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `{en: "...", zh: "..."}` in the codebook's language order.
fn flow_map(map: &LangMap, languages: &[String]) -> String {
    let mut pairs: Vec<(&String, &String)> = map.iter().collect();
    pairs.sort_by_key(|(lang, _)| {
        languages
            .iter()
            .position(|l| l == *lang)
            .unwrap_or(usize::MAX)
    });
    let pairs: Vec<String> = pairs
        .into_iter()
        .map(|(lang, text)| format!("{}: {}", scalar(lang), json_quote(text)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// The lines of a new list item: `- id: ...` then `key: value` lines.
fn render_item(id: &str, keys: &[(&str, String)], dash: usize, nl: &str) -> String {
    let mut out = format!("{}- id: {id}{nl}", " ".repeat(dash));
    for (key, value) in keys {
        out.push_str(&format!("{}{key}: {value}{nl}", " ".repeat(dash + 2)));
    }
    out
}

/// An edit appending `item(dash, key)` to a variable's `list` (`groups` or `values`): after its
/// last item, or as a new list at the end of the variable's entry.
fn append_item(
    src: &Src,
    variable: &VariablePos,
    list: &[&Spanned<String>],
    name: &str,
    item: &dyn Fn(usize) -> String,
) -> Result<Edit> {
    let what = format!("variable {}", variable.id.value);
    match list.last() {
        Some(last) => {
            let block = item_block(src, span(&last.referenced)?.start, &what)?;
            let at = src.start(block.content_end);
            Ok(Edit {
                range: at..at,
                text: item(block.dash),
            })
        }
        None => {
            let block = item_block(src, span(&variable.id.referenced)?.start, &what)?;
            let at = src.start(block.content_end);
            let mut text = format!("{}{name}:{}", " ".repeat(block.key), src.nl);
            text.push_str(&item(block.key + 2));
            Ok(Edit {
                range: at..at,
                text,
            })
        }
    }
}

/// An edit removing the item at `index` of a variable's `list`; the last one goes with the
/// list's key line.
fn remove_item(
    src: &Src,
    variable: &VariablePos,
    list: &[&Spanned<String>],
    name: &str,
    index: usize,
) -> Result<Edit> {
    let what = format!("variable {}", variable.id.value);
    let block = item_block(src, span(&list[index].referenced)?.start, &what)?;
    if list.len() > 1 {
        return Ok(Edit {
            range: src.start(block.attached)..src.start(block.content_end),
            text: String::new(),
        });
    }
    let mut key_line = block.attached;
    loop {
        if key_line == 0 {
            return Err(layout_error(&what));
        }
        key_line -= 1;
        if !src.blank(key_line) && !src.comment(key_line) {
            break;
        }
    }
    let line = src.line(key_line);
    if line.split(" #").next().unwrap_or("").trim() != format!("{name}:")
        || indent(line) > block.dash
    {
        return Err(layout_error(&what));
    }
    Ok(Edit {
        range: src.start(key_line)..src.start(block.content_end),
        text: String::new(),
    })
}

fn layout_error(what: &str) -> Error {
    Error::Usage(format!(
        "{what} in {CODEBOOK_FILE} is not written in the block layout normcode edits in place \
         (`- id: ...` with one key per line); nothing was changed: make the change by hand"
    ))
}

// ----- what the variables should be -----

type ValueShape = (String, Option<LangMap>, Option<String>);
type VariableShape = (String, Vec<(String, LangMap)>, Vec<ValueShape>);

fn shape_of(codebook: &Codebook) -> Vec<VariableShape> {
    codebook
        .variables
        .iter()
        .map(|v| {
            (
                v.id.clone(),
                v.groups
                    .iter()
                    .map(|(id, l)| (id.clone(), l.0.clone()))
                    .collect(),
                v.values
                    .iter()
                    .map(|x| {
                        (
                            x.id.clone(),
                            x.label.as_ref().map(|l| l.0.clone()),
                            x.group.clone(),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

// ----- checks -----

/// A value as a document's front matter and the reports show it: one line of text.
fn check_value_text(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::Usage("a value cannot be empty".into()));
    }
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}'))
    {
        return Err(Error::Usage(format!(
            "the value {} holds a line break, tab, escape or other control character; a value \
             is one line of text",
            crate::text::sanitize(&format!("{value:?}"))
        )));
    }
    if value.trim() != value {
        return Err(Error::Usage(format!(
            "the value '{value}' starts or ends with a space"
        )));
    }
    if value.chars().count() > 200 {
        return Err(Error::Usage(
            "a value is at most 200 characters long".into(),
        ));
    }
    Ok(())
}

/// Every id of the codebook, lower-cased: a new group id must differ from all of them in more
/// than case.
fn taken_ids(codebook: &Codebook) -> HashSet<String> {
    let mut ids = HashSet::new();
    for v in &codebook.variables {
        ids.insert(v.id.to_lowercase());
        ids.extend(v.groups.iter().map(|(g, _)| g.to_lowercase()));
    }
    ids.extend(codebook.attributes.iter().map(|a| a.id.to_lowercase()));
    ids.extend(codebook.categories.iter().map(|c| c.id.to_lowercase()));
    ids.extend(
        codebook
            .indicators
            .iter()
            .map(|i| i.id.as_str().to_lowercase()),
    );
    ids
}

fn check_group_id(codebook: &Codebook, group: &str) -> Result<()> {
    let valid = !group.is_empty()
        && group
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(Error::Usage(format!(
            "{} cannot be a group id: use letters, digits, '_', '-' and '.'",
            crate::text::sanitize(&format!("{group:?}"))
        )));
    }
    if taken_ids(codebook).contains(&group.to_lowercase()) {
        return Err(Error::Usage(format!(
            "'{group}' is already an id in the codebook (ids are unique across it, and must \
             differ in more than case)"
        )));
    }
    Ok(())
}

fn unknown_variable(codebook: &Codebook, id: &str) -> Error {
    let known: Vec<&str> = codebook.variables.iter().map(|v| v.id.as_str()).collect();
    Error::Usage(format!(
        "there is no variable '{id}' in the codebook; its variables are: {}",
        if known.is_empty() {
            "(none)".to_string()
        } else {
            known.join(", ")
        }
    ))
}

fn unknown_value(variable: &Variable, value: &str) -> Error {
    let known: Vec<&str> = variable.values.iter().map(|v| v.id.as_str()).collect();
    Error::Usage(format!(
        "'{value}' is not a value of {}; its values are: {}",
        variable.id,
        known.join(", ")
    ))
}

fn unknown_group(variable: &Variable, group: &str) -> Error {
    let known: Vec<&str> = variable.groups.iter().map(|(g, _)| g.as_str()).collect();
    Error::Usage(format!(
        "{} has no group '{group}'; its groups are: {} (add one with `normcode codebook variable \
         {} --add-group {group}`)",
        variable.id,
        if known.is_empty() {
            "(none)".to_string()
        } else {
            known.join(", ")
        },
        shell_word(&variable.id)
    ))
}

/// "samples/a.md, samples/b.md and 3 more"
fn list_documents(documents: &[&DocumentSource]) -> String {
    let mut names: Vec<String> = documents
        .iter()
        .take(8)
        .map(|d| d.path.display().to_string())
        .collect();
    if documents.len() > 8 {
        names.push(format!("and {} more", documents.len() - 8));
    }
    names.join(", ")
}

/// Labels for every language of the codebook: those given, the id for the others.
fn full_label(codebook: &Codebook, id: &str, given: &LangMap) -> Result<(LangMap, Vec<String>)> {
    let mut label = LangMap::new();
    for (lang, text) in given {
        check_language(codebook, lang)?;
        if text.trim().is_empty() || text.contains(['\n', '\r']) {
            return Err(Error::Usage(format!(
                "the label in '{lang}' must be one line of text"
            )));
        }
        label.insert(lang.clone(), text.clone());
    }
    let mut defaulted = Vec::new();
    for lang in &codebook.languages {
        if !label.contains_key(lang) {
            label.insert(lang.clone(), id.to_string());
            defaulted.push(lang.clone());
        }
    }
    Ok((label, defaulted))
}

// ----- the plan -----

/// Plans `change` of a variable. `documents` are the project's documents (see
/// [`read_documents`](super::read_documents)); those whose front matter uses a renamed or
/// replaced value are rewritten.
pub fn plan_variable(
    root: &Path,
    files: &ProjectFiles,
    documents: &[DocumentSource],
    change: &VariableChange,
    stamp: &Stamp,
) -> Result<Migration> {
    let op = Operation::Variable(change.clone());
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let name = change.variable.as_str();
    let Some(variable) = codebook.variable(name) else {
        return Err(unknown_variable(&codebook, name));
    };
    if variable.kind != VariableType::Category {
        return Err(Error::Usage(format!(
            "'{name}' is {} variable; only a category variable (such as publisher) has values \
             and groups",
            match variable.kind {
                VariableType::Integer => "a whole-number",
                _ => "a free-text",
            }
        )));
    }
    let has_value = |v: &str| variable.values.iter().any(|x| x.id == v);
    let has_group = |g: &str| variable.groups.iter().any(|(x, _)| x == g);
    let nothing = |what: String| -> Result<Migration> {
        if files.journal.is_some() {
            complete(root, files, op.clone(), documents, None)
        } else {
            Err(Error::Usage(format!("nothing to do: {what}")))
        }
    };

    let text = ensure_final_newline(&files.codebook_text);
    let positions: VariablesFile = yaml::parse(Path::new(CODEBOOK_FILE), &text, 0)?;
    let pos = positions
        .variables
        .iter()
        .find(|v| v.id.value == name)
        .ok_or_else(|| unknown_variable(&codebook, name))?;
    let src = Src::new(&text);
    let values: Vec<&Spanned<String>> = pos.values.iter().map(|v| &v.id).collect();
    let groups: Vec<&Spanned<String>> = pos.groups.iter().map(|g| &g.id).collect();
    let value_at = |v: &str| pos.values.iter().position(|x| x.id.value == v);
    let group_at = |g: &str| pos.groups.iter().position(|x| x.id.value == g);

    let mut expected = shape_of(&codebook);
    let var_at = codebook
        .variables
        .iter()
        .position(|v| v.id == name)
        .expect("found above");
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    let mut document_changes = Vec::new();
    let summary;
    match &change.action {
        VariableAction::AddValue {
            value,
            group,
            label,
        } => {
            check_value_text(value)?;
            if has_value(value) {
                return nothing(format!("'{value}' is already a value of {name}"));
            }
            if let Some(same) = variable
                .values
                .iter()
                .find(|x| x.id.to_lowercase() == value.to_lowercase())
            {
                return Err(Error::Usage(format!(
                    "'{value}' differs only in case from the value '{}': values must differ in \
                     more than case",
                    same.id
                )));
            }
            if let Some(g) = group
                && !has_group(g)
            {
                // A group named with the value is created with it.
                check_group_id(&codebook, g)?;
                let (glabel, _) = full_label(&codebook, g, &LangMap::new())?;
                let languages = codebook.languages.clone();
                let nl = src.nl;
                let g2 = g.clone();
                edits.push(append_item(&src, pos, &groups, "groups", &|dash| {
                    render_item(
                        &scalar(&g2),
                        &[("label", flow_map(&glabel, &languages))],
                        dash,
                        nl,
                    )
                })?);
                expected[var_at].1.push((g.clone(), glabel));
                notes.push(format!(
                    "group '{g}' was created, labelled '{g}'; give it labels with `normcode \
                     codebook variable {} --add-group` next time, or edit them in {CODEBOOK_FILE}",
                    shell_word(name)
                ));
            }
            let label = if label.is_empty() {
                None
            } else {
                for (lang, text) in label {
                    check_language(&codebook, lang)?;
                    if text.trim().is_empty() || text.contains(['\n', '\r']) {
                        return Err(Error::Usage(format!(
                            "the label in '{lang}' must be one line of text"
                        )));
                    }
                }
                Some(label.clone())
            };
            let mut keys = Vec::new();
            if let Some(l) = &label {
                keys.push(("label", flow_map(l, &codebook.languages)));
            }
            if let Some(g) = group {
                keys.push(("group", scalar(g)));
            }
            let id = json_quote(value);
            let nl = src.nl;
            edits.push(append_item(&src, pos, &values, "values", &|dash| {
                render_item(&id, &keys, dash, nl)
            })?);
            expected[var_at]
                .2
                .push((value.clone(), label.clone(), group.clone()));
            summary = match group {
                Some(g) => format!("Added value '{value}' (group {g}) to variable {name}."),
                None => format!("Added value '{value}' to variable {name}."),
            };
        }
        VariableAction::RenameValue { old, new } => {
            check_value_text(new)?;
            if old == new {
                return Err(Error::Usage(format!(
                    "'{old}' and '{new}' are the same value"
                )));
            }
            if !has_value(old) {
                if has_value(new) {
                    // Done in the codebook (interrupted, or by hand): documents follow.
                    return complete(root, files, op.clone(), documents, Some((name, old, new)));
                }
                return Err(unknown_value(variable, old));
            }
            if has_value(new) {
                return Err(Error::Usage(format!(
                    "'{new}' is already a value of {name}; to move the documents of '{old}' to \
                     it, use `normcode codebook variable {} --remove {} --replace-with {}`",
                    shell_word(name),
                    shell_word(old),
                    shell_word(new)
                )));
            }
            if let Some(same) = variable
                .values
                .iter()
                .find(|x| x.id != *old && x.id.to_lowercase() == new.to_lowercase())
            {
                return Err(Error::Usage(format!(
                    "'{new}' differs only in case from the value '{}': values must differ in \
                     more than case",
                    same.id
                )));
            }
            let at = value_at(old).ok_or_else(|| unknown_value(variable, old))?;
            let range = span(&pos.values[at].id.referenced)?;
            edits.push(Edit {
                text: scalar_like(&text[range.clone()], new),
                range,
            });
            for v in &mut expected[var_at].2 {
                if v.0 == *old {
                    v.0 = new.clone();
                }
            }
            for d in using(documents, name, old) {
                document_changes.push(set_value(root, d, name, old, new)?);
            }
            summary = format!("Renamed value '{old}' of variable {name} to '{new}'.");
        }
        VariableAction::RemoveValue {
            value,
            replace_with,
            force,
        } => {
            if !has_value(value) {
                if files.journal.is_some() {
                    let done = replace_with.as_deref().map(|r| (name, value.as_str(), r));
                    return complete(root, files, op.clone(), documents, done);
                }
                return Err(unknown_value(variable, value));
            }
            let users = using(documents, name, value);
            match replace_with {
                Some(r) => {
                    if r == value {
                        return Err(Error::Usage(format!(
                            "'{value}' cannot be replaced with itself"
                        )));
                    }
                    if !has_value(r) {
                        return Err(unknown_value(variable, r));
                    }
                    for d in &users {
                        document_changes.push(set_value(root, d, name, value, r)?);
                    }
                }
                None if !users.is_empty() && !force => {
                    return Err(Error::Usage(format!(
                        "{} document{} still {} {name} '{value}': {}; nothing was changed. Give \
                         them another value with --replace-with VALUE, or remove it anyway with \
                         --force (then `normcode check` reports {})",
                        users.len(),
                        if users.len() == 1 { "" } else { "s" },
                        if users.len() == 1 { "has" } else { "have" },
                        list_documents(&users),
                        if users.len() == 1 { "it" } else { "them" },
                    )));
                }
                None if !users.is_empty() => notes.push(format!(
                    "{} document{} still {} {name} '{value}', which `normcode check` now reports: \
                     {}",
                    users.len(),
                    if users.len() == 1 { "" } else { "s" },
                    if users.len() == 1 { "has" } else { "have" },
                    list_documents(&users)
                )),
                None => {}
            }
            let at = value_at(value).ok_or_else(|| unknown_value(variable, value))?;
            edits.push(remove_item(&src, pos, &values, "values", at)?);
            expected[var_at].2.retain(|v| v.0 != *value);
            summary = match replace_with {
                Some(r) => format!(
                    "Removed value '{value}' of variable {name} (its documents now have '{r}')."
                ),
                None => format!("Removed value '{value}' of variable {name}."),
            };
        }
        VariableAction::SetGroup { value, group } => {
            if !has_value(value) {
                return Err(unknown_value(variable, value));
            }
            if !has_group(group) {
                return Err(unknown_group(variable, group));
            }
            if variable.group_of(value) == Some(group.as_str()) {
                return nothing(format!("'{value}' is already in group {group}"));
            }
            let at = value_at(value).ok_or_else(|| unknown_value(variable, value))?;
            match &pos.values[at].group {
                Some(g) => edits.push(Edit {
                    range: span(&g.referenced)?,
                    text: scalar(group),
                }),
                None => {
                    let block = item_block(
                        &src,
                        span(&pos.values[at].id.referenced)?.start,
                        &format!("value '{value}'"),
                    )?;
                    let at = src.start(block.content_end);
                    edits.push(Edit {
                        range: at..at,
                        text: format!(
                            "{}group: {}{}",
                            " ".repeat(block.key),
                            scalar(group),
                            src.nl
                        ),
                    });
                }
            }
            for v in &mut expected[var_at].2 {
                if v.0 == *value {
                    v.2 = Some(group.clone());
                }
            }
            summary = format!("Moved value '{value}' of variable {name} to group {group}.");
        }
        VariableAction::AddGroup { group, label } => {
            if has_group(group) {
                return nothing(format!("{name} already has a group '{group}'"));
            }
            check_group_id(&codebook, group)?;
            let (label, defaulted) = full_label(&codebook, group, label)?;
            if !defaulted.is_empty() {
                notes.push(format!(
                    "group '{group}' is labelled '{group}' in {} (no --label given for it)",
                    defaulted.join(", ")
                ));
            }
            let rendered = flow_map(&label, &codebook.languages);
            let id = scalar(group);
            let nl = src.nl;
            edits.push(append_item(&src, pos, &groups, "groups", &|dash| {
                render_item(&id, &[("label", rendered.clone())], dash, nl)
            })?);
            expected[var_at].1.push((group.clone(), label));
            summary = format!("Added group {group} to variable {name}.");
        }
        VariableAction::RenameGroup { old, new } => {
            if old == new {
                return Err(Error::Usage(format!(
                    "'{old}' and '{new}' are the same group"
                )));
            }
            if !has_group(old) {
                if has_group(new) {
                    return nothing(format!("{name} has group '{new}' and no '{old}'"));
                }
                return Err(unknown_group(variable, old));
            }
            if has_group(new) {
                return Err(Error::Usage(format!(
                    "{name} already has a group '{new}'; to move the values of '{old}' into it, \
                     use --set-group VALUE --group {new} for each, then --remove-group {old}"
                )));
            }
            check_group_id(&codebook, new)?;
            let at = group_at(old).ok_or_else(|| unknown_group(variable, old))?;
            let range = span(&pos.groups[at].id.referenced)?;
            edits.push(Edit {
                text: scalar_like(&text[range.clone()], new),
                range,
            });
            for v in &pos.values {
                if let Some(g) = &v.group
                    && g.value == *old
                {
                    let range = span(&g.referenced)?;
                    edits.push(Edit {
                        text: scalar_like(&text[range.clone()], new),
                        range,
                    });
                }
            }
            for g in &mut expected[var_at].1 {
                if g.0 == *old {
                    g.0 = new.clone();
                }
            }
            for v in &mut expected[var_at].2 {
                if v.2.as_deref() == Some(old) {
                    v.2 = Some(new.clone());
                }
            }
            summary = format!("Renamed group {old} of variable {name} to {new}.");
        }
        VariableAction::RemoveGroup { group } => {
            if !has_group(group) {
                return nothing(format!("{name} has no group '{group}'"));
            }
            let members: Vec<&str> = variable
                .values
                .iter()
                .filter(|v| v.group.as_deref() == Some(group.as_str()))
                .map(|v| v.id.as_str())
                .collect();
            if !members.is_empty() {
                return Err(Error::Usage(format!(
                    "group '{group}' still has {} value{}: {}; nothing was changed: move {} to \
                     another group first (--set-group VALUE --group GROUP)",
                    members.len(),
                    if members.len() == 1 { "" } else { "s" },
                    members.join(", "),
                    if members.len() == 1 { "it" } else { "them" },
                )));
            }
            let at = group_at(group).ok_or_else(|| unknown_group(variable, group))?;
            edits.push(remove_item(&src, pos, &groups, "groups", at)?);
            expected[var_at].1.retain(|g| g.0 != *group);
            summary = format!("Removed group {group} of variable {name}.");
        }
    }

    let edited = apply_edits(&text, edits);
    let new = Codebook::parse(Path::new(CODEBOOK_FILE), &edited).map_err(|err| {
        Error::Usage(format!(
            "the changed codebook would not be valid, so nothing was written: {err}"
        ))
    })?;
    if shape_of(&new) != expected {
        return Err(Error::Usage(format!(
            "editing {CODEBOOK_FILE} in place did not give the intended result (variable \
             {name}), so nothing was written; its layout may be unusual there: make the change \
             by hand"
        )));
    }
    let planned = Planned::codebook_only(op, summary, edited, Shape::of(&codebook), notes);
    let mut migration = finish(files, &codebook, planned, stamp)?;
    migration.documents = document_changes;
    Ok(migration)
}

/// The codebook already says it (an interrupted change, or one made by hand): documents still
/// using `old` take `new` (`rename`: variable, old, new), coder files move to the journal's
/// version, and the journal goes.
fn complete(
    root: &Path,
    files: &ProjectFiles,
    op: Operation,
    documents: &[DocumentSource],
    rename: Option<(&str, &str, &str)>,
) -> Result<Migration> {
    let mut changes = Vec::new();
    if let Some((name, old, new)) = rename {
        for d in using(documents, name, old) {
            changes.push(set_value(root, d, name, old, new)?);
        }
    }
    let versions = journal_versions(files);
    let coders = migrate_coders(
        files,
        &Default::default(),
        versions.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
    )?;
    if files.journal.is_none() && changes.is_empty() {
        let what = match rename {
            Some((name, old, new)) => {
                format!("{name} has '{new}' and no '{old}', and no document uses '{old}'")
            }
            None => "the codebook already says it".into(),
        };
        return Err(Error::Usage(format!("nothing to do: {what}")));
    }
    let summary = match &op {
        Operation::Variable(c) => c.describe(),
        other => other.describe(),
    };
    Ok(Migration {
        operation: op,
        summary,
        versions,
        codebook: None,
        coders,
        documents: changes,
        notes: Vec::new(),
        completes: files.journal.is_some(),
        assignments: Vec::new(),
        codebook_before: files.codebook_text.clone(),
        coders_before: files
            .coders
            .iter()
            .map(|c| (c.name.clone(), c.text.clone()))
            .collect::<BTreeMap<_, _>>(),
    })
}
