//! From a project to index documents: one per unit, with its document's variables and the
//! coders' codes and memos; and the record of what the index holds, to update it incrementally.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::annotations::Annotation;
use crate::corpus::{Document, DocumentId, MetaValue, Segmentation};
use crate::project::{LoadedCoder, Project};

use super::schema::{FieldKind, Fields};
use super::tokenizer::keyword_term;

/// What the index holds of one document: hashes of its file and of the annotations on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocState {
    pub content: String,
    pub annotations: String,
}

/// What the index holds, stored as the payload of each commit (so it changes atomically with
/// the index itself).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub documents: BTreeMap<DocumentId, DocState>,
}

/// Every annotation of every coder, by document, in coder order.
pub struct Coding<'a> {
    by_document: HashMap<&'a DocumentId, Vec<(&'a str, &'a Annotation)>>,
}

impl<'a> Coding<'a> {
    pub fn new(coders: impl IntoIterator<Item = &'a LoadedCoder>) -> Self {
        let mut sorted: Vec<&LoadedCoder> = coders.into_iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        let mut by_document: HashMap<&DocumentId, Vec<(&str, &Annotation)>> = HashMap::new();
        for coder in sorted {
            for (id, coding) in &coder.file.documents {
                for annotation in &coding.annotations {
                    if !annotation.is_orphaned() {
                        by_document
                            .entry(id)
                            .or_default()
                            .push((coder.name.as_str(), annotation));
                    }
                }
            }
        }
        Self { by_document }
    }

    fn of(&self, id: &DocumentId) -> &[(&'a str, &'a Annotation)] {
        self.by_document.get(id).map_or(&[], Vec::as_slice)
    }

    /// A hash of what the index keeps of the annotations on a document.
    pub fn hash(&self, id: &DocumentId) -> String {
        // The bytes are gathered first and hashed in one call: BLAKE3 of the concatenation is
        // the same digest as feeding the pieces one by one, and many tiny updates are slow
        // (this runs for every document on every index update).
        let mut bytes = Vec::with_capacity(256);
        for (coder, annotation) in self.of(id) {
            bytes.extend_from_slice(coder.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(annotation.unit.as_str().as_bytes());
            bytes.push(0);
            for code in &annotation.codes {
                bytes.extend_from_slice(code.as_str().as_bytes());
                bytes.push(b',');
            }
            bytes.push(0);
            if let Some(memo) = &annotation.memo {
                bytes.extend_from_slice(memo.as_bytes());
            }
            bytes.push(1);
        }
        blake3::hash(&bytes).to_hex().to_string()
    }
}

/// The content part of a document's state: its file, and how it is split into units.
pub fn content_key(document: &Document, segmentation: Segmentation) -> String {
    let mode = match segmentation {
        Segmentation::Paragraph => "paragraph",
        Segmentation::Sentence => "sentence",
        Segmentation::Line => "line",
    };
    format!("{}:{mode}", document.content_hash)
}

pub fn doc_state(project: &Project, coding: &Coding<'_>, document: &Document) -> DocState {
    DocState {
        content: content_key(document, project.settings.segmentation),
        annotations: coding.hash(&document.id),
    }
}

fn meta_integer(value: &MetaValue) -> Option<i64> {
    match value {
        MetaValue::Integer(v) => Some(*v),
        MetaValue::Text(t) => t.trim().parse().ok(),
        MetaValue::Float(_) | MetaValue::Bool(_) => None,
    }
}

/// The index documents of one document: one per unit.
pub fn unit_documents(
    fields: &Fields,
    document: &Document,
    coding: &Coding<'_>,
) -> Vec<TantivyDocument> {
    let annotations = coding.of(&document.id);
    let title = document.metadata.title();
    let year = document.metadata.year();
    let mut units = Vec::with_capacity(document.units.len());
    for (position, unit) in document.units.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.doc_key, document.id.as_str());
        doc.add_text(fields.document, document.id.as_str());
        doc.add_text(fields.unit, unit.id.as_str());
        doc.add_u64(fields.position, position as u64);
        doc.add_u64(fields.start, unit.range.start as u64);
        doc.add_u64(fields.end, unit.range.end as u64);
        doc.add_text(fields.text, document.unit_text(unit));
        if let Some(title) = &title {
            doc.add_text(fields.title, title);
        }
        if let Some(year) = year {
            doc.add_i64(fields.year, year);
        }
        for variable in &fields.variables {
            let Some(value) = document.metadata.get(&variable.key) else {
                continue;
            };
            match variable.kind {
                FieldKind::Integer => {
                    if let Some(v) = meta_integer(value) {
                        doc.add_i64(variable.field, v);
                    }
                }
                FieldKind::Text | FieldKind::Keyword => {
                    doc.add_text(variable.field, value.to_string());
                }
            }
        }
        let mut codes = BTreeSet::new();
        let mut coders = BTreeSet::new();
        let mut pairs = BTreeSet::new();
        for (coder, annotation) in annotations.iter().filter(|(_, a)| a.unit == unit.id) {
            coders.insert(*coder);
            for code in &annotation.codes {
                codes.insert(code.as_str());
                pairs.insert(keyword_term(&format!("{coder}:{code}")));
            }
            if let Some(memo) = &annotation.memo {
                doc.add_text(fields.memo, memo);
            }
        }
        for code in codes {
            doc.add_text(fields.code, code);
        }
        for coder in coders {
            doc.add_text(fields.coder, coder);
        }
        for pair in pairs {
            doc.add_text(fields.coded, pair);
        }
        units.push(doc);
    }
    units
}
