//! Front matter and segmentation: `Document::parse` on any text, in every segmentation mode.
//! Invariants: units are sorted, non-empty, non-overlapping and trimmed; code-point ranges and
//! byte ranges describe the same text; ids are unique and found again.
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use normcode::corpus::Document;
use normcode::corpus::{DocumentId, Segmentation, without_label};

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [
        Segmentation::Paragraph,
        Segmentation::Sentence,
        Segmentation::Line,
    ] {
        let Ok(document) =
            Document::parse(DocumentId::new("fuzz"), Path::new("fuzz.md"), raw, mode)
        else {
            continue;
        };
        let _ = document.title();
        let _ = document.metadata.year();
        let body = &document.body;
        assert_eq!(document.len_chars(), body.chars().count());
        let mut ids = HashSet::new();
        let mut previous_end = 0;
        for (i, unit) in document.units.iter().enumerate() {
            let text = document.unit_text(unit);
            assert!(!text.is_empty(), "empty unit {unit:?}");
            assert_eq!(text, text.trim(), "unit not trimmed: {unit:?}");
            assert!(
                unit.range.start >= previous_end,
                "units overlap or are unsorted"
            );
            previous_end = unit.range.end;
            assert_eq!(text.chars().count(), unit.range.len());
            assert_eq!(document.slice(unit.range), Some(text));
            assert_eq!(
                document.byte_offset(unit.range.start),
                Some(unit.bytes.start)
            );
            assert_eq!(document.byte_offset(unit.range.end), Some(unit.bytes.end));
            assert_eq!(document.unit_at(unit.range.start), Some(i));
            assert_eq!(document.unit_at(unit.range.end - 1), Some(i));
            assert!(ids.insert(unit.id.clone()), "duplicate unit id {}", unit.id);
            assert_eq!(document.unit_position(&unit.id), Some(i));
            let rest = without_label(text);
            assert!(text.ends_with(rest));
        }
        assert_eq!(document.byte_offset(document.len_chars()), Some(body.len()));
        assert_eq!(document.byte_offset(document.len_chars() + 1), None);
    }
});
