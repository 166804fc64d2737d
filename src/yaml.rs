//! YAML in and out, in one place: limits against hostile input, and errors that name the file,
//! line and column.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_saphyr::{Budget, Options};

use crate::error::{Error, Result, SourcePos};

/// Limits far above any real codebook or coder file, far below what would exhaust memory.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = 64;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_events = 20_000_000;
    budget.max_nodes = 20_000_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options
}

/// Parses `text` read from `path`. `line_offset` is the number of lines in the file before
/// `text` starts (front matter starts after its `---` line), so reported lines are the file's.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str, line_offset: u64) -> Result<T> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|err| {
        let (line, column) = match err.location() {
            Some(loc) if loc.line() > 0 => (Some(loc.line() + line_offset), Some(loc.column())),
            _ => (None, None),
        };
        Error::Invalid {
            at: SourcePos {
                path: path.to_path_buf(),
                line,
                column,
            },
            message: plain_message(&err),
        }
    })
}

/// The error's message without the location and snippet that serde-saphyr adds, since we print
/// our own `file:line:col:` prefix.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr appends " at line L, column C"; drop it, it is in our prefix.
    let first = match first.rfind(" at line ") {
        Some(at) => &first[..at],
        None => first,
    };
    first.trim_end_matches(':').to_string()
}

pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    serde_saphyr::to_string(value).map_err(|err| Error::Usage(format!("cannot write YAML: {err}")))
}
