//! Checking annotations against the documents, and placing them again after an edit.

use std::sync::Arc;

use crate::corpus::{CodePointRange, Corpus, Document, DocumentId, UnitId, without_label};

use super::{Annotation, CoderFile, DocumentCoding};
use crate::parallel::{available_threads, map_in_order};

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
    // With its label too: a quote taken before a label was read as one (a bullet that was
    // part of a paragraph's text) still finds the unit; a quote that is only a label finds a
    // unit that is only that label.
    let label = text.len() - rest.len();
    rest.starts_with(quote)
        || (rest.is_empty() && text.starts_with(quote))
        || (quote.len() > label && text.starts_with(quote))
}

/// How many units, from `position` on, the quote runs through when it starts with the unit's
/// whole text and goes on into the units after it: a unit that the segmentation split (a
/// paragraph whose list items became units of their own). `None` unless it does.
fn split_units(document: &Document, position: usize, quote: &str) -> Option<usize> {
    let mut rest = quote;
    for (offset, unit) in document.units[position..].iter().enumerate() {
        let text = document.unit_text(unit);
        if offset > 0 && text.starts_with(rest) {
            return Some(offset + 1);
        }
        rest = rest.strip_prefix(text)?.trim_start();
        if rest.is_empty() {
            return (offset > 0).then_some(offset + 1);
        }
    }
    None
}

/// Whether `quote` starts at one of the lines of unit `position` after its first (labels and
/// indentation aside): a unit another one was merged into.
fn holds_at_line_start(document: &Document, position: usize, quote: &str) -> bool {
    let quote = without_label(quote).trim();
    let bytes = &document.units[position].bytes;
    let body = &document.body;
    // The quote may run on past the unit's end when the text after it became units of its own.
    !quote.is_empty()
        && body[bytes.clone()].match_indices('\n').any(|(at, _)| {
            let rest = body[bytes.start + at + 1..].trim_start();
            rest.starts_with(quote) || without_label(rest).starts_with(quote)
        })
}

/// What anchoring found in one coder file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnchorReport {
    /// (document, old place, new place) for each annotation that moved.
    pub reanchored: Vec<(DocumentId, String, String)>,
    /// (document, place, why) for each annotation that could not be placed.
    pub orphaned: Vec<(DocumentId, String, String)>,
    /// Annotations without a quote: placed by their unit id (and offsets) alone, so an edit of
    /// the document that gives the id to other text cannot be detected.
    pub unquoted: usize,
}

fn place(unit: &UnitId, span: Option<CodePointRange>) -> String {
    match span {
        Some(span) => format!("unit {unit} [{span}]"),
        None => format!("unit {unit}"),
    }
}

/// Fewer annotations than this are anchored on one thread (about 1 ms of work).
const MIN_ANNOTATIONS_PER_GROUP: usize = 2_000;

/// Groups of documents per thread: on a shared machine a thread that gets less time takes
/// fewer of them.
const GROUPS_PER_THREAD: usize = 8;

/// Anchors every annotation of `file` in `corpus`. An annotation without a quote is placed by
/// its unit id and offsets alone and keeps no quote (see [`add_quotes`]): taking one from the
/// text as it is now would bless whatever text its id names after an edit. Documents are
/// anchored on every core: each annotation is placed in its own document only.
pub fn anchor_all(file: &mut CoderFile, corpus: &Corpus) -> AnchorReport {
    anchor_on_threads(file, corpus, available_threads(), MIN_ANNOTATIONS_PER_GROUP)
}

/// [`anchor_all`] on up to `threads` threads, in groups of consecutive documents of at least
/// `min_group` annotations; the report lists entries in document order, as one thread would.
fn anchor_on_threads(
    file: &mut CoderFile,
    corpus: &Corpus,
    threads: usize,
    min_group: usize,
) -> AnchorReport {
    let annotations = file.annotation_count();
    let mut documents: Vec<_> = file.documents.iter_mut().collect();
    let groups = (annotations / min_group.max(1)).min(threads * GROUPS_PER_THREAD);
    if groups <= 1 || threads <= 1 {
        let mut report = AnchorReport::default();
        anchor_documents(&mut documents, corpus, &mut report);
        return report;
    }
    let groups = split_by_annotations(&mut documents, groups, annotations);
    let reports = map_in_order(
        groups,
        threads,
        || (),
        |(), group| {
            let mut report = AnchorReport::default();
            anchor_documents(group, corpus, &mut report);
            report
        },
    );
    let mut report = AnchorReport::default();
    for part in reports {
        report.reanchored.extend(part.reanchored);
        report.orphaned.extend(part.orphaned);
        report.unquoted += part.unquoted;
    }
    report
}

type DocumentEntry<'a> = (&'a DocumentId, &'a mut Arc<DocumentCoding>);

/// `documents` cut into about `count` runs of consecutive documents with similar numbers of
/// annotations (`total` in all).
fn split_by_annotations<'s, 'a>(
    documents: &'s mut [DocumentEntry<'a>],
    count: usize,
    total: usize,
) -> Vec<&'s mut [DocumentEntry<'a>]> {
    let mut cuts = Vec::with_capacity(count);
    let mut seen = 0;
    for (i, (_, coding)) in documents.iter().enumerate() {
        // Cut before document `i` once the documents before it hold their share.
        if seen * count >= total * (cuts.len() + 1) && cuts.len() + 1 < count {
            cuts.push(i);
        }
        seen += coding.annotations.len();
    }
    let mut groups = Vec::with_capacity(cuts.len() + 1);
    let mut rest = documents;
    let mut taken = 0;
    for cut in cuts {
        let (group, after) = rest.split_at_mut(cut - taken);
        groups.push(group);
        rest = after;
        taken = cut;
    }
    groups.push(rest);
    groups
}

/// Anchors the annotations of `documents`, one after another, into `report`.
fn anchor_documents(documents: &mut [DocumentEntry], corpus: &Corpus, report: &mut AnchorReport) {
    for (id, coding) in documents {
        let id: &DocumentId = id;
        // A file is anchored when it is loaded, before anything shares its documents.
        let coding = Arc::make_mut(coding);
        report.unquoted += coding
            .annotations
            .iter()
            .filter(|a| a.quote.is_none())
            .count();
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
                Ok(Placed::Moved { from, note }) => {
                    let to = note.unwrap_or_else(|| place(&a.unit, a.span));
                    report.reanchored.push((id.clone(), from, to));
                }
                Err(why) => report
                    .orphaned
                    .push((id.clone(), place(&a.unit, a.span), why)),
            }
        }
    }
}

/// Gives every placed annotation of `file` without a quote the quote of the text it is on now
/// (a span's text, or the start of its unit's: [`unit_quote`]), so that a later edit of the
/// document is detected. Only right while the texts are still those the coder coded. Returns
/// how many quotes were added; orphaned annotations and documents not in `corpus` are left as
/// they are.
pub fn add_quotes(file: &mut CoderFile, corpus: &Corpus) -> usize {
    let mut added = 0;
    for (id, coding) in &mut file.documents {
        let Some(document) = corpus.get(id) else {
            continue;
        };
        if coding
            .annotations
            .iter()
            .all(|a| a.quote.is_some() || a.is_orphaned())
        {
            continue;
        }
        for a in &mut Arc::make_mut(coding).annotations {
            if a.quote.is_some() || a.is_orphaned() {
                continue;
            }
            let quote = match a.span {
                Some(span) => document.slice(span).map(str::to_string),
                None => document
                    .unit(&a.unit)
                    .map(|u| unit_quote(document.unit_text(u))),
            };
            if quote.is_some() {
                a.quote = quote;
                added += 1;
            }
        }
    }
    added
}

/// Where anchoring put an annotation.
enum Placed {
    /// Where the file says.
    Where,
    /// Elsewhere: `from` is the place the file said; `note`, if any, says more than the new
    /// place (what the coder should check).
    Moved { from: String, note: Option<String> },
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
        // A hand-written annotation without a quote: placed by its id, unverified.
        old_position.ok_or("no such unit, and no quote to find it by")?;
        return Ok(Placed::Where);
    };
    if let Some(position) = old_position
        && unit_starts_with(document, position, quote)
    {
        return Ok(Placed::Where);
    }
    // The nearest unit, by position, whose text starts with the quote.
    let target = old_position.unwrap_or(0);
    let found = (0..document.units.len())
        .filter(|&i| !quote.is_empty() && unit_starts_with(document, i, quote))
        .min_by_key(|i| i.abs_diff(target));
    let from = place(&a.unit, a.span);
    if let Some(found) = found {
        a.unit = document.units[found].id.clone();
        return Ok(Placed::Moved { from, note: None });
    }
    // The unit was split (its list items became units): the codes stay on its first part,
    // and the report says which units the coder should look at.
    let split = (0..document.units.len())
        .filter_map(|i| split_units(document, i, quote).map(|parts| (i, parts)))
        .min_by_key(|(i, _)| i.abs_diff(target));
    let Some((found, parts)) = split else {
        // The unit was merged into the one before it (a body now read by blank lines rather
        // than as wrapped text): the codes go to the unit that holds the quote at a line's
        // start, and the report says the unit now holds more text.
        let found = (0..document.units.len())
            .filter(|&i| !quote.is_empty() && holds_at_line_start(document, i, quote))
            .min_by_key(|i| i.abs_diff(target))
            .ok_or("its quote is no longer at the start of any unit")?;
        a.unit = document.units[found].id.clone();
        return Ok(Placed::Moved {
            from,
            note: Some(format!(
                "{}, which its passage is now part of (the unit holds more text than before): \
                 check the codes still fit it",
                place(&a.unit, None)
            )),
        });
    };
    a.unit = document.units[found].id.clone();
    let last = &document.units[found + parts - 1].id;
    Ok(Placed::Moved {
        from,
        note: Some(format!(
            "{}, the first of the units it was split into ({} to {last}, and maybe more): \
             check which of them the codes belong to",
            place(&a.unit, None),
            a.unit
        )),
    })
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
            if unit_ok && text.is_some() {
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
    Ok(Placed::Moved { from, note: None })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::annotations::Status;
    use crate::corpus::Segmentation;

    const BODIES: [&str; 3] = [
        "Intro.\n\n1. States should cooperate.\n(a) to report ICT vulnerabilities;\n(b) to protect 关键基础设施.\n\n2. Capacity building matters.\n",
        "1. 各国应合作。\n\n2. 保护关键基础设施。\n\n3. Repeated words, repeated words.\n",
        "Only one paragraph here, with words.\n",
    ];

    fn corpus() -> Corpus {
        let documents = BODIES
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let id = DocumentId::new(format!("doc-{i}"));
                let path = format!("doc-{i}.md");
                Document::parse(id, Path::new(&path), body, Segmentation::Paragraph).unwrap()
            })
            .collect();
        Corpus::from_documents(documents, vec![])
    }

    /// An annotation on document `document` (one past the corpus: a missing document) that is
    /// where it says, moved, or lost, depending on `kind`.
    fn annotation(corpus: &Corpus, document: usize, unit: usize, kind: u8) -> Annotation {
        let id = DocumentId::new(format!("doc-{document}"));
        let now = "2026-10-14T09:12:00Z".parse().unwrap();
        let Some(doc) = corpus.get(&id) else {
            return Annotation::new_unit(UnitId::new("1"), vec![], now);
        };
        let unit = &doc.units[unit % doc.units.len()];
        let other = &doc.units[(unit_index(doc, unit) + 1) % doc.units.len()];
        let span =
            CodePointRange::new(unit.range.start, unit.range.start + 2.min(unit.range.len()));
        let mut a = match kind % 6 {
            0 => Annotation::new_in(doc, unit, None, vec![], now),
            1 => Annotation::new_in(doc, unit, Some(span), vec![], now),
            // The quote of one unit on another: moved (or lost, if no unit starts so).
            2 => Annotation {
                unit: other.id.clone(),
                ..Annotation::new_in(doc, unit, None, vec![], now)
            },
            3 => Annotation {
                span: Some(CodePointRange::new(span.start + 1, span.end + 1)),
                ..Annotation::new_in(doc, unit, Some(span), vec![], now)
            },
            4 => Annotation {
                quote: Some("words nowhere in the text".into()),
                ..Annotation::new_in(doc, unit, Some(span), vec![], now)
            },
            _ => Annotation::new_unit(unit.id.clone(), vec![], now),
        };
        a.anchoring = Anchoring::Anchored;
        a
    }

    fn unit_index(document: &Document, unit: &crate::corpus::Unit) -> usize {
        document.unit_position(&unit.id).unwrap_or(0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// On any number of threads, anchoring gives the same file and the same report, in the
        /// same order, as on one.
        #[test]
        fn anchoring_on_threads_equals_anchoring_on_one(
            annotations in prop::collection::vec((0usize..4, 0usize..8, 0u8..6), 0..60),
        ) {
            let corpus = corpus();
            let mut file = CoderFile::new("alice", None);
            for (document, unit, kind) in annotations {
                let coding = file
                    .documents
                    .entry(DocumentId::new(format!("doc-{document}")))
                    .or_insert_with(|| Arc::new(DocumentCoding { status: Status::Done, ..Default::default() }));
                Arc::make_mut(coding).annotations.push(annotation(&corpus, document, unit, kind));
            }
            let mut alone = file.clone();
            let expected = anchor_on_threads(&mut alone, &corpus, 1, 1);
            for (threads, min_group) in [(2, 1), (3, 2), (4, 5)] {
                let mut together = file.clone();
                let report = anchor_on_threads(&mut together, &corpus, threads, min_group);
                prop_assert_eq!(&report, &expected);
                prop_assert_eq!(&together, &alone);
            }
        }
    }

    #[test]
    fn groups_are_consecutive_runs_with_similar_numbers_of_annotations() {
        let mut file = CoderFile::new("alice", None);
        let now = "2026-10-14T09:12:00Z".parse().unwrap();
        for (i, n) in [5, 1, 1, 1, 1, 1, 0, 3, 3, 4].into_iter().enumerate() {
            let a = Annotation::new_unit(UnitId::new("1"), vec![], now);
            file.documents.insert(
                DocumentId::new(format!("d{i}")),
                Arc::new(DocumentCoding {
                    annotations: vec![a; n],
                    ..Default::default()
                }),
            );
        }
        let mut documents: Vec<_> = file.documents.iter_mut().collect();
        let groups = split_by_annotations(&mut documents, 4, 20);
        let sizes: Vec<Vec<usize>> = groups
            .iter()
            .map(|g| g.iter().map(|(_, c)| c.annotations.len()).collect())
            .collect();
        assert_eq!(
            sizes,
            [vec![5], vec![1, 1, 1, 1, 1], vec![0, 3, 3], vec![4]]
        );
    }
}
