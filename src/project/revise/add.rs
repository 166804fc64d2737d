//! Adding a new indicator.

use std::collections::HashMap;

use super::{
    Migration, NewIndicator, Operation, ProjectFiles, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{Planned, check_new_id, complete, finish, nonempty},
    render::RenderItem,
    shape::{Record, Shape},
    text_edit::{Src, append_edit, apply_edits, ensure_final_newline},
};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};

/// Adds a new indicator at the end of its category's `indicators:` list, checked like the
/// loader checks the codebook (unique id, label and definition in every language, known
/// category and attributes).
pub fn plan_add(files: &ProjectFiles, new: &NewIndicator, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Add { id: new.id.clone() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let id = new.id.as_str();
    let summary = format!(
        "Added indicator {id} ({}) to category {}.",
        new.label
            .get(codebook.language())
            .or_else(|| new.label.values().next())
            .map(String::as_str)
            .unwrap_or(""),
        new.category
    );
    if codebook.indicator(&IndicatorId::from(id)).is_some()
        && files
            .journal
            .as_ref()
            .is_some_and(|j| j.operation().is_ok_and(|o| o.same_as(&op)))
    {
        return complete(files, op, summary, &HashMap::new(), || {
            format!("nothing to do: '{id}' is already in the codebook")
        });
    }
    check_new_id(&codebook, id)?;
    let Some(category) = codebook
        .categories
        .iter()
        .position(|c| c.id == new.category)
    else {
        let known: Vec<&str> = codebook.categories.iter().map(|c| c.id.as_str()).collect();
        return Err(Error::Usage(format!(
            "there is no category '{}'; the categories are: {}",
            new.category,
            known.join(", ")
        )));
    };
    for (what, map) in [("label", &new.label), ("definition", &new.definition)] {
        for lang in &codebook.languages {
            if map.get(lang).is_none_or(|t| t.trim().is_empty()) {
                return Err(Error::Usage(format!(
                    "the new indicator needs a {what} in '{lang}' (--{what}-{lang}); the \
                     codebook's languages are {}",
                    codebook.languages.join(", ")
                )));
            }
        }
    }
    let item = RenderItem {
        id: id.to_string(),
        label: new.label.clone(),
        definition: new.definition.clone(),
        include: nonempty(&new.include),
        exclude: nonempty(&new.exclude),
        examples: nonempty(&new.examples),
        attributes: new.attributes.clone(),
        color: new.color.clone(),
        retired: false,
    };

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let edit = append_edit(
        &src,
        &outline,
        &new.category,
        std::slice::from_ref(&item),
        &codebook.languages,
    )?;
    let edited = apply_edits(&text, vec![edit]);
    let mut expected = Shape::of(&codebook);
    let category_id = &codebook.categories[category].id;
    expected.add(category_id, id, Record::of_item(category_id, &item));
    let notes = vec![format!(
        "documents already marked done were coded without {id}; review them for it"
    )];
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}
