//! YAML in and out, in one place: limits against hostile input, and errors that name the file,
//! line and column.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_saphyr::{Budget, Options};

use crate::error::{Error, Result, SourcePos};

/// The most scalar text (keys and values) normcode reads from one YAML file or front matter:
/// a coder file of 100,000 annotations holds about 20 MB. Documented in README.md (Limits).
pub const MAX_SCALAR_BYTES: usize = 512 * 1024 * 1024;
/// The deepest nesting of lists and mappings read (README.md, Limits).
pub const MAX_DEPTH: usize = 64;
/// The most aliases (`*name`) and anchors (`&name`) read (README.md, Limits).
pub const MAX_ALIASES: usize = 1_000;
/// The most YAML nodes and parser events read (README.md, Limits).
pub const MAX_NODES: usize = 100_000_000;

/// Limits far above any real codebook or coder file, far below what would exhaust memory.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_events = MAX_NODES;
    budget.max_nodes = MAX_NODES;
    budget.max_total_scalar_bytes = MAX_SCALAR_BYTES;
    budget.max_reader_input_bytes = Some(MAX_SCALAR_BYTES);
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
/// our own `file:line:col:` prefix, and in normcode's words rather than the library's.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr appends " at line L, column C"; drop it, it is in our prefix.
    let first = match first.rfind(" at line ") {
        Some(at) => &first[..at],
        None => first,
    };
    in_our_words(first.trim_end_matches(':'))
}

const MB: usize = 1024 * 1024;

/// A serde or serde-saphyr message said as normcode says things: what is wrong, and what to do.
fn in_our_words(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest
            .strip_prefix(": ")
            .and_then(|r| r.split(", set DuplicateKeyPolicy").next())
            .filter(|k| !k.is_empty());
        return match key {
            Some(key) => format!(
                "key '{key}' appears twice in this mapping; keep one of them (a duplicate would \
                 silently replace the first)"
            ),
            None => "a key appears twice in this mapping (a duplicate key); keep one of them"
                .to_string(),
        };
    }
    if let Some(breach) = message.strip_prefix("budget breached: ") {
        let kind = breach.split([' ', '{', '(']).next().unwrap_or("");
        return match kind {
            "Depth" => format!(
                "lists and mappings are nested more than {MAX_DEPTH} levels deep, deeper than \
                 normcode reads; is the indentation right?"
            ),
            "Aliases" | "Anchors" | "MergeKeys" => format!(
                "more than {MAX_ALIASES} YAML aliases or anchors (*name, &name), more than \
                 normcode reads; write the values out instead"
            ),
            _ => format!(
                "the file is larger than normcode reads (limit {} MB of text, {} million YAML \
                 values); split it, or remove what does not belong in it",
                MAX_SCALAR_BYTES / MB,
                MAX_NODES / 1_000_000
            ),
        };
    }
    if message.contains("did not match any variant of untagged enum MetaValue") {
        return "a front matter value must be one piece of text, a number or true/false, not a \
                list or a mapping; quote it if it is text"
            .to_string();
    }
    if let Some(enum_name) = message
        .strip_prefix("data did not match any variant of untagged enum ")
        .map(str::trim)
    {
        return format!("this value has none of the shapes allowed here ({enum_name})");
    }
    if let Some(ty) = message.strip_prefix("invalid ") {
        let wanted = match ty {
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
                Some("a whole number, 0 or more (and not too large)")
            }
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => {
                Some("a whole number (and not too large)")
            }
            "f32" | "f64" => Some("a number"),
            "bool" => Some("true or false"),
            "char" => Some("a single character"),
            _ => None,
        };
        if let Some(wanted) = wanted {
            return format!("this value must be {wanted}");
        }
    }
    message.to_string()
}

pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    serde_saphyr::to_string(value).map_err(|err| Error::Usage(format!("cannot write YAML: {err}")))
}

#[cfg(test)]
mod tests {
    use super::in_our_words;

    #[test]
    fn library_messages_are_said_in_normcodes_words() {
        for (library, ours) in [
            (
                "duplicate mapping key: status, set DuplicateKeyPolicy in Options if acceptable",
                "key 'status' appears twice in this mapping",
            ),
            (
                "budget breached: ScalarBytes { total_scalar_bytes: 67108879 }",
                "larger than normcode reads (limit 512 MB",
            ),
            (
                "budget breached: Depth { depth: 65 }",
                "nested more than 64",
            ),
            (
                "data did not match any variant of untagged enum MetaValue",
                "one piece of text, a number or true/false",
            ),
            ("invalid u64", "a whole number, 0 or more"),
        ] {
            let said = in_our_words(library);
            assert!(said.contains(ours), "{library} -> {said}");
            for word in ["DuplicateKeyPolicy", "budget", "untagged", "u64"] {
                assert!(!said.contains(word), "{library} -> {said}");
            }
        }
    }
}
