//! From a project to index documents: one per unit, with its document's variables and the
//! coders' codes and memos; and the record of what the index holds, to update it incrementally.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::annotations::{Annotation, DocumentCoding};
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

/// Every coder's annotations, looked up by document when needed, in coder order.
pub struct Coding<'a> {
    coders: Vec<&'a LoadedCoder>,
    hashes: Option<&'a AnnotationHashes>,
}

/// Each document's annotation hash, with the coders' documents it was computed from.
///
/// Holding those `Arc`s keeps them alive, so a document whose `Arc`s are the same pointers
/// is unchanged (an edit goes through `Arc::make_mut`, which copies a shared document): an
/// index update then hashes only what changed, not all annotations of the project.
#[derive(Debug, Default)]
pub struct AnnotationHashes {
    by_document: Mutex<HashMap<DocumentId, CachedHash>>,
}

#[derive(Debug)]
struct CachedHash {
    from: Vec<(String, Arc<DocumentCoding>)>,
    hash: String,
}

impl<'a> Coding<'a> {
    pub fn new(coders: impl IntoIterator<Item = &'a LoadedCoder>) -> Self {
        let mut coders: Vec<&LoadedCoder> = coders.into_iter().collect();
        coders.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            coders,
            hashes: None,
        }
    }

    /// Reuses (and fills) `hashes` for documents whose annotations did not change.
    pub fn with_hashes(mut self, hashes: &'a AnnotationHashes) -> Self {
        self.hashes = Some(hashes);
        self
    }

    /// Each coder's part of a document, in coder order.
    fn parts(&self, id: &DocumentId) -> impl Iterator<Item = (&'a str, &'a Arc<DocumentCoding>)> {
        self.coders
            .iter()
            .filter_map(move |coder| Some((coder.name.as_str(), coder.file.documents.get(id)?)))
    }

    /// The annotations on a document that the index keeps (anchored ones), in coder order.
    fn of(&self, id: &DocumentId) -> Vec<(&'a str, &'a Annotation)> {
        self.parts(id)
            .flat_map(|(coder, coding)| {
                coding
                    .annotations
                    .iter()
                    .filter(|a| !a.is_orphaned())
                    .map(move |a| (coder, a))
            })
            .collect()
    }

    /// A hash of what the index keeps of the annotations on a document.
    pub fn hash(&self, id: &DocumentId) -> String {
        let Some(hashes) = self.hashes else {
            return self.compute_hash(id);
        };
        let mut cache = hashes.by_document.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = cache.get(id) {
            let mut parts = self.parts(id);
            let same = cached.from.iter().all(|(name, coding)| {
                parts
                    .next()
                    .is_some_and(|(n, c)| n == name && Arc::ptr_eq(c, coding))
            }) && parts.next().is_none();
            if same {
                return cached.hash.clone();
            }
        }
        let hash = self.compute_hash(id);
        let from = self
            .parts(id)
            .map(|(name, coding)| (name.to_string(), Arc::clone(coding)))
            .collect();
        cache.insert(
            id.clone(),
            CachedHash {
                from,
                hash: hash.clone(),
            },
        );
        hash
    }

    fn compute_hash(&self, id: &DocumentId) -> String {
        // The bytes are gathered first and hashed in one call: BLAKE3 of the concatenation is
        // the same digest as feeding the pieces one by one, and many tiny updates are slow.
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
        doc.add_text(fields.text_grams, document.unit_text(unit));
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
