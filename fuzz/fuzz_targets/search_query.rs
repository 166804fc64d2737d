//! The search query parser: strict parsing and compiling (`check_query`), the lenient parse
//! behind search as you type and highlighting, and `as_you_type`. Input: the query, then a
//! newline, then a text to highlight in. Highlights lie in the text, sorted, not overlapping.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use normcode::codebook::Codebook;
use normcode::search::{Highlighter, as_you_type, check_query, match_ranges};

fn codebook() -> &'static Codebook {
    static CODEBOOK: OnceLock<Codebook> = OnceLock::new();
    CODEBOOK.get_or_init(|| {
        Codebook::parse(
            Path::new("codebook.yaml"),
            include_str!("../../codebook.yaml"),
        )
        .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (query, text) = input
        .split_once('\n')
        .unwrap_or((input, "States should cooperate. 各国应当开展合作。"));
    let typed = as_you_type(query);
    for fuzzy in [false, true] {
        let _ = check_query(codebook(), query, fuzzy);
        let _ = check_query(codebook(), &typed, fuzzy);
        let highlighter = Highlighter::new(query, fuzzy);
        let ranges = highlighter.matches(text, 7);
        let len = text.chars().count();
        let mut previous_end = 7;
        for range in &ranges {
            assert!(
                range.start >= previous_end && range.start < range.end,
                "{ranges:?}"
            );
            assert!(range.end <= len + 7, "{ranges:?} past {len}");
            previous_end = range.end;
        }
        let _ = match_ranges(&typed, fuzzy, text, 0);
    }
});
