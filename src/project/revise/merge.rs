//! Merging indicators into one.

use std::collections::HashMap;

use super::{
    Migration, Operation, ProjectFiles, Relabel, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{Planned, check_new_id, complete, finish, unique_in_order, unknown_indicator},
    render::{RenderItem, render_indicator, scalar_like},
    shape::Shape,
    text_edit::{Edit, Src, apply_edits, ensure_final_newline, item_block, removal_edits},
};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};

/// Merges `sources` into `into`: every coder's annotations that use a source now use `into`
/// (once per annotation), and the sources disappear from the codebook. `into` may be one of
/// the sources, another indicator, or a new id: then it takes the place of the first source,
/// with its texts, except the label and definition texts given in `relabel`.
pub fn plan_merge(
    files: &ProjectFiles,
    sources: &[String],
    into: &str,
    relabel: &Relabel,
    stamp: &Stamp,
) -> Result<Migration> {
    let unique = unique_in_order(sources);
    let op = Operation::Merge {
        sources: unique.clone(),
        into: into.to_string(),
    };
    check_journal(files, &op)?;
    let removed: Vec<&String> = unique.iter().filter(|s| *s != into).collect();
    if removed.is_empty() || (unique.len() < 2 && unique.contains(&into.to_string())) {
        return Err(Error::Usage(
            "a merge needs at least two different indicators: `merge A B --into C`".into(),
        ));
    }
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    let code_map: HashMap<String, String> = removed
        .iter()
        .map(|s| (s.to_string(), into.to_string()))
        .collect();
    let into_is_new = !unique.iter().any(|s| s == into) && !has(into);
    let summary = {
        let names = match removed.as_slice() {
            [one] => format!("indicator {one}"),
            more => {
                let (last, rest) = more.split_last().expect("not empty");
                let rest: Vec<&str> = rest.iter().map(|s| s.as_str()).collect();
                format!("indicators {} and {last}", rest.join(", "))
            }
        };
        let kept: Vec<&String> = unique.iter().filter(|s| *s == into).collect();
        let how = if !kept.is_empty() || has(into) {
            String::new()
        } else if relabel.is_empty() {
            format!(" (new; label and definition from {})", unique[0])
        } else {
            format!(" (new; based on {})", unique[0])
        };
        format!("Merged {names} into {into}{how}.")
    };

    if removed.iter().all(|s| !has(s)) && has(into) {
        return complete(files, op, summary, &code_map, || {
            format!(
                "nothing to do: {} not in the codebook, '{into}' is, and no coder file uses them",
                removed
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    for s in &unique {
        if !has(s) {
            return Err(unknown_indicator(&codebook, s));
        }
    }
    if into_is_new {
        check_new_id(&codebook, into)?;
    } else if !relabel.is_empty() {
        return Err(Error::Usage(format!(
            "'{into}' already exists and keeps its label and definition; the label and \
             definition options are for a new merge target (edit codebook.yaml to change them)"
        )));
    }
    for lang in relabel.label.keys().chain(relabel.definition.keys()) {
        if !codebook.languages.contains(lang) {
            return Err(Error::Usage(format!(
                "the codebook has no language '{lang}' (its languages: {})",
                codebook.languages.join(", ")
            )));
        }
    }

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let mut edits = Vec::new();
    let mut expected = Shape::of(&codebook);

    if into_is_new {
        // The new indicator takes the place of the first source.
        let first = &unique[0];
        let ind = outline.indicator(first)?;
        let block = item_block(&src, ind.id.off, &format!("indicator {first}"))?;
        let new_block = if relabel.is_empty() {
            let range = src.start(block.start)..src.start(block.content_end);
            let mut copy = text[range.clone()].to_string();
            let at = ind.id.off - range.start;
            let id_text = scalar_like(&text[ind.id.range()], into);
            copy.replace_range(at..at + ind.id.len, &id_text);
            copy
        } else {
            let source = codebook
                .indicator(&IndicatorId::from(first.as_str()))
                .expect("checked above");
            let mut item = RenderItem::from_indicator(source);
            item.id = into.to_string();
            item.label.extend(relabel.label.clone());
            item.definition.extend(relabel.definition.clone());
            render_indicator(&item, &codebook.languages, block.dash, block.key, src.nl)
        };
        edits.push(Edit {
            range: src.start(block.start)..src.start(block.content_end),
            text: new_block,
        });
        let mut record = expected.indicators[first.as_str()].clone();
        record.label.0.extend(relabel.label.clone());
        record.definition.0.extend(relabel.definition.clone());
        expected.replace(first, into, record);
    }
    let skip_first = usize::from(into_is_new);
    let to_remove: Vec<&String> = unique
        .iter()
        .skip(skip_first)
        .filter(|s| *s != into)
        .collect();
    edits.extend(removal_edits(&src, &outline, &to_remove)?);
    for s in &to_remove {
        expected.remove(s);
    }
    let edited = apply_edits(&text, edits);
    let gone: Vec<&str> = removed.iter().map(|s| s.as_str()).collect();
    let planned = Planned::recoding(op, summary, edited, expected, code_map, &gone);
    finish(files, &codebook, planned, stamp)
}
