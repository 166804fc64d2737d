//! Editing an indicator's texts, and moving it to another category.

use super::{
    IndicatorEdit, Migration, Operation, ProjectFiles, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{Planned, check_language, finish, nonempty, unknown_category, unknown_indicator},
    render::{RenderItem, render_indicator},
    shape::{Record, Shape},
    text_edit::{
        Edit, Src, append_blocks, apply_edits, ensure_final_newline, item_block, removal_edits,
    },
};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};
use crate::project::CODEBOOK_FILE;

/// Edits indicator `id`'s label, definition, rules and examples, and moves it to another
/// category. Annotations keep their code, so coder files change only their
/// `codebook_version`. The indicator's entry is written anew in the codebook's layout; comments
/// inside it are not kept (a note says so), those above it move with it.
pub fn plan_edit(
    files: &ProjectFiles,
    id: &str,
    change: &IndicatorEdit,
    stamp: &Stamp,
) -> Result<Migration> {
    let op = Operation::Edit { id: id.to_string() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
        return Err(unknown_indicator(&codebook, id));
    };
    let old_category = codebook.categories[indicator.category].id.clone();
    for (what, map) in [("label", &change.label), ("definition", &change.definition)] {
        for (lang, text) in map {
            check_language(&codebook, lang)?;
            if text.trim().is_empty() {
                return Err(Error::Usage(format!(
                    "the {what} in '{lang}' cannot be empty"
                )));
            }
        }
    }
    for items in [&change.include, &change.exclude, &change.examples]
        .into_iter()
        .flatten()
    {
        for lang in items.iter().flat_map(|m| m.keys()) {
            check_language(&codebook, lang)?;
        }
    }
    let new_category = match &change.category {
        Some(c) if *c != old_category => {
            if !codebook.categories.iter().any(|k| k.id == *c) {
                return Err(unknown_category(&codebook, c));
            }
            Some(c.clone())
        }
        _ => None,
    };

    let mut item = RenderItem::from_indicator(indicator);
    item.label.extend(change.label.clone());
    item.definition.extend(change.definition.clone());
    let mut changed = Vec::new();
    for lang in &codebook.languages {
        if item.label.get(lang) != indicator.label.0.get(lang) {
            changed.push(format!("label ({lang})"));
        }
    }
    for lang in &codebook.languages {
        if item.definition.get(lang) != indicator.definition.0.get(lang) {
            changed.push(format!("definition ({lang})"));
        }
    }
    for (name, given, list) in [
        ("include", &change.include, &mut item.include),
        ("exclude", &change.exclude, &mut item.exclude),
        ("examples", &change.examples, &mut item.examples),
    ] {
        if let Some(items) = given {
            let items = nonempty(items);
            if items != *list {
                changed.push(name.to_string());
                *list = items;
            }
        }
    }
    if changed.is_empty() && new_category.is_none() {
        return Err(Error::Usage(format!(
            "nothing to change: {id} already says that"
        )));
    }
    let summary = match (&new_category, changed.is_empty()) {
        (Some(to), true) => format!("Moved indicator {id} from category {old_category} to {to}."),
        (Some(to), false) => format!(
            "Edited indicator {id} ({}) and moved it from category {old_category} to {to}.",
            changed.join(", ")
        ),
        (None, _) => format!("Edited indicator {id} ({}).", changed.join(", ")),
    };

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(id)?;
    let what = format!("indicator {id}");
    let block = item_block(&src, ind.id.off, &what)?;
    let mut notes = Vec::new();
    if !changed.is_empty() && (block.start + 1..block.content_end).any(|l| src.comment(l)) {
        notes.push(format!(
            "the comments inside {id}'s entry in {CODEBOOK_FILE} were not kept (it was written anew)"
        ));
    }
    let mut edits = Vec::new();
    match &new_category {
        None => edits.push(Edit {
            range: src.start(block.start)..src.start(block.content_end),
            text: render_indicator(&item, &codebook.languages, block.dash, block.key, src.nl),
        }),
        Some(to) => {
            // Comments directly above the entry go with it.
            let mut moved = src.text[src.start(block.attached)..src.start(block.start)].to_string();
            let id_string = id.to_string();
            edits.extend(removal_edits(&src, &outline, &[&id_string])?);
            // Moved as written when only the category changes, written anew when edited too.
            let original = &src.text[src.start(block.start)..src.start(block.content_end)];
            let languages = &codebook.languages;
            let mut append = append_blocks(&src, &outline, to, &|dash, key| {
                if changed.is_empty() {
                    vec![reindent(original, block.dash, dash)]
                } else {
                    vec![render_indicator(&item, languages, dash, key, src.nl)]
                }
            })?;
            if !moved.is_empty()
                && let Some((at, indent)) = first_item_line(&append.text)
            {
                // Re-indented like the new entry.
                moved = moved
                    .lines()
                    .map(|l| format!("{}{}{}", " ".repeat(indent), l.trim_start(), src.nl))
                    .collect();
                append.text.insert_str(at, &moved);
            }
            edits.push(append);
        }
    }
    let edited = apply_edits(&text, edits);
    let mut expected = Shape::of(&codebook);
    let record = Record::of_item(new_category.as_deref().unwrap_or(&old_category), &item);
    match &new_category {
        Some(to) => {
            expected.remove(id);
            expected.add(to, id, record);
        }
        None => {
            expected.indicators.insert(id.to_string(), record);
        }
    }
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}

/// `block` (an item whose `-` is at column `from`) with its `-` at column `to`.
fn reindent(block: &str, from: usize, to: usize) -> String {
    block
        .split_inclusive('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            if line.trim().is_empty() {
                line.to_string()
            } else {
                let new = (indent + to).saturating_sub(from);
                format!("{}{}", " ".repeat(new), &line[indent..])
            }
        })
        .collect()
}

/// Byte offset and indentation of the first line of `text` that starts a list item (`-`).
fn first_item_line(text: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        if trimmed.starts_with('-') {
            return Some((at, line.len() - trimmed.len()));
        }
        at += line.len();
    }
    None
}
