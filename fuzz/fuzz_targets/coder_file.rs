//! The annotation loader: a coder file parsed from any text and anchored against a small fixed
//! corpus. Invariants: anchoring never panics; what it places lies in its unit and matches its
//! quote; anchoring again changes nothing; save then load gives the same file; one document read
//! alone (the workspace's first frame) is never other than what the whole file holds.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use normcode::annotations::{
    Anchoring, CoderFile, anchor_all, coder_file_to_string, parse_coder_file, read_document_of,
};
use normcode::corpus::{Corpus, Document, DocumentId, Segmentation, without_label};

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let texts = [
            (
                "un/gge-2015",
                "---\ntitle: Report\nyear: 2015\n---\n# Norms\n\n13. States should cooperate.\n(a) Not harm;\n(b) Report vulnerabilities.\n\n14. Last point.\n",
            ),
            (
                "zh/report",
                "一、总则\n\n13．各国应当：\n（a）开展合作；\n（b）不损害关键基础设施。\n\nMixed 中文 and English text.",
            ),
            ("empty", ""),
        ];
        let documents = texts
            .iter()
            .map(|(id, raw)| {
                Document::parse(
                    DocumentId::new(*id),
                    Path::new(id),
                    raw,
                    Segmentation::Paragraph,
                )
                .unwrap()
            })
            .collect();
        Corpus::from_documents(documents, Vec::new())
    })
}

fn without_anchoring(file: &CoderFile) -> CoderFile {
    let mut file = file.clone();
    for coding in file.documents.values_mut() {
        for a in &mut std::sync::Arc::make_mut(coding).annotations {
            a.anchoring = Anchoring::Anchored;
        }
    }
    file
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_coder_file(Path::new("annotations/fuzz.yaml"), text);
    // Read alone, a document is what the whole file says of it, or the reader defers (`None`).
    // (From a file broken elsewhere it may still be read: the loader then reports the error.)
    for id in ["un/gge-2015", "zh/report", "empty", "absent"] {
        let id = DocumentId::new(id);
        if let (Some(alone), Ok(whole)) = (read_document_of(text, &id), &parsed) {
            assert_eq!(alone.as_ref(), whole.documents.get(&id).map(|c| &**c), "{id}");
        }
    }
    let Ok(mut file) = parsed else {
        return;
    };
    let _ = file.check_header(Path::new("annotations/fuzz.yaml"), "fuzz");
    let corpus = corpus();
    let report = anchor_all(&mut file, corpus);
    let orphans = report.orphaned.len();
    for (id, coding) in &file.documents {
        for a in &coding.annotations {
            if a.is_orphaned() {
                continue;
            }
            let document = corpus.get(id).expect("placed only in a known document");
            let unit = document.unit(&a.unit).expect("placed in a unit of it");
            let quote = a.quote.as_deref().expect("a placed annotation has a quote");
            match a.span {
                Some(span) => {
                    assert!(unit.range.contains_range(&span), "{a:?}");
                    assert_eq!(document.slice(span), Some(quote), "{a:?}");
                }
                None => {
                    // As `unit_quote` makes them: a unit that is only a label keeps it.
                    let text = document.unit_text(unit);
                    let rest = without_label(text);
                    assert!(
                        rest.starts_with(quote) || (rest.is_empty() && text.starts_with(quote)),
                        "{a:?}"
                    );
                }
            }
        }
    }
    // Anchoring is idempotent: a second pass finds everything where the first put it.
    let mut again = file.clone();
    let second = anchor_all(&mut again, corpus);
    assert!(second.reanchored.is_empty(), "{second:?}");
    assert_eq!(second.orphaned.len(), orphans);
    assert_eq!(without_anchoring(&again), without_anchoring(&file));
    // Save then load is the identity.
    file.normalize(corpus);
    let saved = coder_file_to_string(&file).expect("a loaded file can be saved");
    let loaded = parse_coder_file(Path::new("annotations/fuzz.yaml"), &saved)
        .unwrap_or_else(|e| panic!("saved file does not load: {e}\n{saved}"));
    assert_eq!(
        without_anchoring(&loaded),
        without_anchoring(&file),
        "{saved}"
    );
});
