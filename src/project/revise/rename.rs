//! Renaming an indicator.

use std::collections::HashMap;

use super::{
    Migration, Operation, ProjectFiles, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{Planned, check_new_id, complete, finish, unknown_indicator},
    render::scalar_like,
    shape::Shape,
    text_edit::{Edit, apply_edits, ensure_final_newline},
};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};

/// Renames indicator `old` to `new` in the codebook and in every coder file.
///
/// When `old` is no longer in the codebook and `new` is (an interrupted rename, or a coder file
/// still using an old id), only the coder files are recoded.
pub fn plan_rename(files: &ProjectFiles, old: &str, new: &str, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Rename {
        old: old.to_string(),
        new: new.to_string(),
    };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let has = |id: &str| codebook.indicator(&IndicatorId::from(id)).is_some();
    if old == new {
        return Err(Error::Usage(format!("'{old}' and '{new}' are the same id")));
    }
    let code_map = HashMap::from([(old.to_string(), new.to_string())]);
    let summary = format!("Renamed indicator {old} to {new}.");
    if !has(old) {
        if has(new) {
            return complete(files, op, summary, &code_map, || {
                format!(
                    "nothing to do: '{old}' is not in the codebook, '{new}' is, and no coder file uses '{old}'"
                )
            });
        }
        return Err(unknown_indicator(&codebook, old));
    }
    if has(new) {
        return Err(Error::Usage(format!(
            "'{new}' is already an indicator; to fold '{old}' into it, use `normcode codebook \
             merge {old} --into {new}`"
        )));
    }
    check_new_id(&codebook, new)?;

    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let ind = outline.indicator(old)?;
    let original = &text[ind.id.range()];
    let edit = Edit {
        range: ind.id.range(),
        text: scalar_like(original, new),
    };
    let edited = apply_edits(&text, vec![edit]);

    let mut expected = Shape::of(&codebook);
    expected.rename(old, new);
    let planned = Planned::recoding(op, summary, edited, expected, code_map, &[old]);
    finish(files, &codebook, planned, stamp)
}
