//! Retiring an indicator.

use std::collections::HashMap;

use super::{
    Migration, Operation, ProjectFiles, Stamp,
    journal::check_journal,
    outline::Outline,
    plan::{Planned, complete, finish, mention_note, unknown_indicator},
    shape::Shape,
    text_edit::{Edit, Src, apply_edits, ensure_final_newline, item_block},
};
use crate::corpus::IndicatorId;
use crate::error::Result;

/// Marks indicator `id` as `retired: true`: kept for existing annotations and reports, no
/// longer offered for coding. Coder files keep their annotations.
pub fn plan_retire(files: &ProjectFiles, id: &str, stamp: &Stamp) -> Result<Migration> {
    let op = Operation::Retire { id: id.to_string() };
    check_journal(files, &op)?;
    let codebook = files.codebook()?;
    let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
        return Err(unknown_indicator(&codebook, id));
    };
    let summary = format!(
        "Retired indicator {id} (kept for existing annotations, no longer offered for coding)."
    );
    if indicator.retired {
        return complete(files, op, summary, &HashMap::new(), || {
            format!("nothing to do: '{id}' is already retired")
        });
    }
    let text = ensure_final_newline(&files.codebook_text);
    let outline = Outline::parse(&text)?;
    let src = Src::new(&text);
    let ind = outline.indicator(id)?;
    let block = item_block(&src, ind.id.off, &format!("indicator {id}"))?;
    let edit = match &ind.retired {
        Some(span) => Edit {
            range: span.range(),
            text: "true".into(),
        },
        None => {
            let at = src.start(block.content_end);
            Edit {
                range: at..at,
                text: format!("{}retired: true{}", " ".repeat(block.key), src.nl),
            }
        }
    };
    let edited = apply_edits(&text, vec![edit]);
    let mut expected = Shape::of(&codebook);
    if let Some(record) = expected.indicators.get_mut(id) {
        record.retired = true;
    }
    let mut notes = Vec::new();
    let own = Src::new(&edited);
    let outline_after = Outline::parse(&edited)?;
    let own_block = item_block(&own, outline_after.indicator(id)?.id.off, id)?;
    mention_note(
        &edited,
        &[id],
        Some(own_block.start..own_block.content_end),
        &mut notes,
    );
    finish(
        files,
        &codebook,
        Planned::codebook_only(op, summary, edited, expected, notes),
        stamp,
    )
}
