//! The codebook loader: `Codebook::parse` on any text never panics, and what it accepts holds
//! together: every indicator is found by its id, and every category path ends at a root.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use normcode::codebook::Codebook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(codebook) = Codebook::parse(Path::new("codebook.yaml"), text) else {
        return;
    };
    let _ = codebook.language();
    for (i, indicator) in codebook.indicators.iter().enumerate() {
        assert_eq!(codebook.position(&indicator.id), Some(i));
        assert!(indicator.category < codebook.categories.len());
    }
    for c in 0..codebook.categories.len() {
        let path = codebook.category_path(c);
        assert!(path.len() <= codebook.categories.len());
    }
    for version in ["", "0", "1.0", &codebook.version] {
        let _ = codebook.changes_since(version);
        let _ = codebook.describe_changes_since(version);
    }
});
