//! Annotations that could not be placed after an edit: attaching one again to the text it
//! belongs to, or deleting it. Both return the change, so that a caller (the workspace, a
//! command) can undo it; neither writes a file.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::corpus::{CodePointRange, Document, DocumentId, UnitId};
use crate::error::{Error, Result};

use super::{Anchoring, CoderFile, DocumentCoding, unit_quote};

/// The coding of one document before and after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct CodingChange {
    pub document: DocumentId,
    pub before: DocumentCoding,
    pub after: DocumentCoding,
}

/// The annotations of `file` that could not be placed: (document, index among that document's
/// annotations), in file order.
pub fn orphans(file: &CoderFile) -> Vec<(&DocumentId, usize)> {
    file.documents
        .iter()
        .flat_map(|(id, coding)| {
            coding
                .annotations
                .iter()
                .enumerate()
                .filter(|(_, a)| a.is_orphaned())
                .map(move |(i, _)| (id, i))
        })
        .collect()
}

fn coding_mut<'f>(
    file: &'f mut CoderFile,
    document: &DocumentId,
    index: usize,
) -> Result<&'f mut Arc<DocumentCoding>> {
    let coder = file.coder.clone();
    file.documents
        .get_mut(document)
        .filter(|c| index < c.annotations.len())
        .ok_or_else(|| {
            Error::Usage(format!(
                "coder '{coder}' has no annotation {} on document {document}",
                index + 1
            ))
        })
}

/// Attaches annotation `index` of `document` in `file` to `unit` (or to `span` of it) of the
/// document as it is now: its quote is taken from that text, and it counts as placed again.
/// Refuses a unit the document does not have, or a span outside the unit; then nothing changes.
pub fn reattach(
    file: &mut CoderFile,
    document: &Document,
    index: usize,
    unit: &UnitId,
    span: Option<CodePointRange>,
    now: DateTime<Utc>,
) -> Result<CodingChange> {
    let target = document
        .unit(unit)
        .ok_or_else(|| Error::Usage(format!("document {} has no unit {unit}", document.id)))?;
    let quote = match span {
        None => unit_quote(document.unit_text(target)),
        Some(span) => {
            let text = document
                .slice(span)
                .filter(|_| !span.is_empty() && target.range.contains_range(&span));
            text.ok_or_else(|| {
                Error::Usage(format!(
                    "span {span} is not inside unit {unit} ({}) of document {}",
                    target.range, document.id
                ))
            })?
            .to_string()
        }
    };
    let coding = coding_mut(file, &document.id, index)?;
    let before = DocumentCoding::clone(coding);
    let a = &mut Arc::make_mut(coding).annotations[index];
    a.unit = unit.clone();
    a.span = span;
    a.quote = Some(quote);
    a.anchoring = Anchoring::Anchored;
    a.modified = Some(now);
    Ok(CodingChange {
        document: document.id.clone(),
        before,
        after: DocumentCoding::clone(coding),
    })
}

/// Deletes annotation `index` of `document` in `file`.
pub fn delete(file: &mut CoderFile, document: &DocumentId, index: usize) -> Result<CodingChange> {
    let coding = coding_mut(file, document, index)?;
    let before = DocumentCoding::clone(coding);
    Arc::make_mut(coding).annotations.remove(index);
    Ok(CodingChange {
        document: document.clone(),
        before,
        after: DocumentCoding::clone(coding),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::annotations::{Annotation, anchor_all};
    use crate::corpus::{Corpus, Segmentation};

    const BODY: &str = "Intro.\n\n1. States should cooperate.\n\n2. Protect 关键基础设施 now.\n";

    fn document(body: &str) -> Document {
        Document::parse("d".into(), Path::new("d.md"), body, Segmentation::Paragraph).unwrap()
    }

    /// A file with a whole-unit annotation on unit 2 and a span on 关键基础设施, anchored in a
    /// document where both texts are gone: both orphaned.
    fn orphaned_file() -> (CoderFile, Document) {
        let now = "2026-10-14T09:12:00Z".parse().unwrap();
        let original = document(BODY);
        let unit = original.unit(&"2".into()).unwrap();
        let start = BODY.chars().position(|c| c == '关').unwrap();
        let span = CodePointRange::new(start, start + 6);
        let mut file = CoderFile::new("alice", None);
        let coding = DocumentCoding {
            annotations: vec![
                Annotation::new_in(&original, unit, None, vec!["CI01".into()], now),
                Annotation::new_in(&original, unit, Some(span), vec!["CI02".into()], now),
            ],
            ..Default::default()
        };
        file.documents.insert("d".into(), Arc::new(coding));
        let edited = "Intro.\n\n1. States should cooperate.\n\n2. Something else entirely.\n\n3. Later: protect 关键 infrastructure.\n";
        let corpus = Corpus::from_documents(vec![document(edited)], vec![]);
        let report = anchor_all(&mut file, &corpus);
        assert_eq!(report.orphaned.len(), 2, "{report:?}");
        (file, document(edited))
    }

    #[test]
    fn reattaching_places_an_orphan_on_the_text_named_with_its_quote() {
        let (mut file, edited) = orphaned_file();
        let now = "2026-11-01T10:00:00Z".parse().unwrap();
        assert_eq!(orphans(&file).len(), 2);
        let change = reattach(&mut file, &edited, 0, &"3".into(), None, now).unwrap();
        let a = &file.annotations(&"d".into())[0];
        assert_eq!(a.unit.as_str(), "3");
        assert_eq!(
            a.quote.as_deref(),
            Some("Later: protect 关键 infrastructure.")
        );
        assert!(!a.is_orphaned());
        assert_eq!(a.modified, Some(now));
        assert!(change.before.annotations[0].is_orphaned());
        assert_eq!(&change.after, &*file.documents[&DocumentId::new("d")]);
        // A span in Chinese text, in code points.
        let start = edited.body.chars().position(|c| c == '关').unwrap();
        let span = CodePointRange::new(start, start + 2);
        reattach(&mut file, &edited, 1, &"3".into(), Some(span), now).unwrap();
        let a = &file.annotations(&"d".into())[1];
        assert_eq!(a.quote.as_deref(), Some("关键"));
        assert!(orphans(&file).is_empty());
    }

    #[test]
    fn reattaching_to_a_missing_unit_or_outside_the_unit_changes_nothing() {
        let (mut file, edited) = orphaned_file();
        let before = file.clone();
        let now = "2026-11-01T10:00:00Z".parse().unwrap();
        let err = reattach(&mut file, &edited, 0, &"9".into(), None, now).unwrap_err();
        assert!(err.to_string().contains("has no unit 9"), "{err}");
        let outside = CodePointRange::new(0, 12);
        let err = reattach(&mut file, &edited, 0, &"3".into(), Some(outside), now).unwrap_err();
        assert!(err.to_string().contains("not inside unit 3"), "{err}");
        let err = reattach(&mut file, &edited, 7, &"3".into(), None, now).unwrap_err();
        assert!(err.to_string().contains("no annotation 8"), "{err}");
        assert_eq!(file, before);
    }

    #[test]
    fn deleting_removes_one_annotation_and_returns_what_it_was() {
        let (mut file, _) = orphaned_file();
        let change = delete(&mut file, &"d".into(), 0).unwrap();
        assert_eq!(change.before.annotations.len(), 2);
        assert_eq!(change.after.annotations.len(), 1);
        assert_eq!(file.annotations(&"d".into())[0].codes, ["CI02".into()]);
        assert!(delete(&mut file, &"other".into(), 0).is_err());
    }
}
