//! Checking annotations against the documents, and placing them again after an edit.

use crate::corpus::{CodePointRange, Corpus, Document, DocumentId, UnitId, without_label};

use super::{Annotation, CoderFile};

/// How many code points of a unit's text a whole-unit annotation keeps as its quote.
pub const UNIT_QUOTE_LEN: usize = 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Anchoring {
    /// Found where the file says.
    #[default]
    Anchored,
    /// The document changed; found again by its quote, at a new place.
    Reanchored,
    /// Cannot be placed: kept as it was, reported, never dropped.
    Orphaned,
}

/// The quote a whole-unit annotation keeps: the start of the unit's text after its paragraph
/// number or letter, so that renumbering does not orphan it. A unit that is nothing but a label
/// (`(a)`, `13.`) keeps the label: an empty quote would find no unit after an edit.
pub fn unit_quote(text: &str) -> String {
    let rest = without_label(text);
    let rest = if rest.is_empty() { text } else { rest };
    rest.chars().take(UNIT_QUOTE_LEN).collect()
}

fn unit_starts_with(document: &Document, position: usize, quote: &str) -> bool {
    let text = document.unit_text(&document.units[position]);
    let rest = without_label(text);
    rest.starts_with(quote) || (rest.is_empty() && text.starts_with(quote))
}

/// What anchoring found in one coder file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnchorReport {
    /// (document, old place, new place) for each annotation that moved.
    pub reanchored: Vec<(DocumentId, String, String)>,
    /// (document, place, why) for each annotation that could not be placed.
    pub orphaned: Vec<(DocumentId, String, String)>,
}

fn place(unit: &UnitId, span: Option<CodePointRange>) -> String {
    match span {
        Some(span) => format!("unit {unit} [{span}]"),
        None => format!("unit {unit}"),
    }
}

/// Anchors every annotation of `file` in `corpus`; fills in missing quotes.
pub fn anchor_all(file: &mut CoderFile, corpus: &Corpus) -> AnchorReport {
    let mut report = AnchorReport::default();
    for (id, coding) in &mut file.documents {
        // A file is anchored when it is loaded, before anything shares its documents.
        let coding = std::sync::Arc::make_mut(coding);
        let Some(document) = corpus.get(id) else {
            for a in &mut coding.annotations {
                a.anchoring = super::Anchoring::Orphaned;
                report.orphaned.push((
                    id.clone(),
                    place(&a.unit, a.span),
                    "the document is not in the corpus".into(),
                ));
            }
            continue;
        };
        for a in &mut coding.annotations {
            // Places are spelled out only for the report: most annotations are where they were.
            match anchor_one(a, document) {
                Ok(Placed::Where) => {}
                Ok(Placed::Moved { from }) => {
                    report
                        .reanchored
                        .push((id.clone(), from, place(&a.unit, a.span)));
                }
                Err(why) => report
                    .orphaned
                    .push((id.clone(), place(&a.unit, a.span), why)),
            }
        }
    }
    report
}

/// Where anchoring put an annotation.
enum Placed {
    /// Where the file says.
    Where,
    /// Elsewhere: `from` is the place the file said.
    Moved { from: String },
}

fn anchor_one(a: &mut Annotation, document: &Document) -> Result<Placed, String> {
    let outcome = match a.span {
        None => anchor_unit(a, document),
        Some(span) => anchor_span(a, span, document),
    };
    a.anchoring = match &outcome {
        Ok(Placed::Where) => Anchoring::Anchored,
        Ok(Placed::Moved { .. }) => Anchoring::Reanchored,
        Err(_) => Anchoring::Orphaned,
    };
    outcome
}

fn anchor_unit(a: &mut Annotation, document: &Document) -> Result<Placed, String> {
    let old_position = document.unit_position(&a.unit);
    let Some(quote) = a.quote.as_deref() else {
        // A hand-written annotation without a quote: take the unit's text as it is now.
        let position = old_position.ok_or("no such unit, and no quote to find it by")?;
        a.quote = Some(unit_quote(document.unit_text(&document.units[position])));
        return Ok(Placed::Where);
    };
    if let Some(position) = old_position
        && unit_starts_with(document, position, quote)
    {
        return Ok(Placed::Where);
    }
    // The nearest unit, by position, whose text starts with the quote.
    let target = old_position.unwrap_or(0);
    let found = document
        .units
        .iter()
        .enumerate()
        .map(|(i, _)| i)
        .filter(|&i| !quote.is_empty() && unit_starts_with(document, i, quote))
        .min_by_key(|i| i.abs_diff(target))
        .ok_or("its quote is no longer at the start of any unit")?;
    let from = place(&a.unit, a.span);
    a.unit = document.units[found].id.clone();
    Ok(Placed::Moved { from })
}

fn anchor_span(
    a: &mut Annotation,
    span: CodePointRange,
    document: &Document,
) -> Result<Placed, String> {
    let unit_ok = document
        .unit(&a.unit)
        .is_some_and(|u| u.range.contains_range(&span));
    let text = document.slice(span);
    match &a.quote {
        None => {
            // No quote to check against: trust the offsets if they fit the unit.
            if unit_ok && let Some(text) = text {
                a.quote = Some(text.to_string());
                return Ok(Placed::Where);
            }
            return Err("span lies outside its unit, and there is no quote to find it by".into());
        }
        Some(quote) if unit_ok && text == Some(quote.as_str()) => return Ok(Placed::Where),
        Some(_) => {}
    }
    let quote = a.quote.as_deref().unwrap_or_default();
    if quote.is_empty() {
        return Err("empty quote".into());
    }
    // Every occurrence of the quote, overlapping ones too, that lies inside one unit: the one
    // nearest the old start wins.
    let quote_len = quote.chars().count();
    let first_len = quote.chars().next().map_or(1, char::len_utf8);
    let distance = |at: usize| at.abs_diff(span.start);
    let mut best: Option<(usize, usize)> = None;
    let mut outside_units = false;
    let (mut char_at, mut last_byte, mut from) = (0, 0, 0);
    while let Some(found) = document.body[from..].find(quote) {
        let byte = from + found;
        char_at += document.body[last_byte..byte].chars().count();
        last_byte = byte;
        // Overlapping occurrences matter near the old place; far before it, skipping them keeps
        // a periodic text (`aaaa…`) from costing the quote's length per character.
        from = byte
            + if char_at + quote_len <= span.start {
                quote.len()
            } else {
                first_len
            };
        if best.is_some_and(|(b, _)| char_at > span.start && distance(char_at) >= distance(b)) {
            // Later occurrences are farther still.
            break;
        }
        let candidate = CodePointRange::new(char_at, char_at + quote_len);
        match document
            .unit_at(char_at)
            .filter(|&u| document.units[u].range.contains_range(&candidate))
        {
            Some(unit) if best.is_none_or(|(b, _)| distance(char_at) < distance(b)) => {
                best = Some((char_at, unit));
            }
            Some(_) => {}
            None => outside_units = true,
        }
    }
    let (start, unit) = best.ok_or(if outside_units {
        "its quote now crosses a unit boundary"
    } else {
        "its quote is no longer in the document"
    })?;
    let new_span = CodePointRange::new(start, start + quote_len);
    let from = place(&a.unit, a.span);
    a.unit = document.units[unit].id.clone();
    a.span = Some(new_span);
    Ok(Placed::Moved { from })
}
