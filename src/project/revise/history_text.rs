//! The version and the `history:` block of `codebook.yaml` as text, for git's merge of a
//! codebook changed on two machines ([`crate::sync::codebook_driver`]): every change bumps
//! `version:` and appends to `history:`, so those two places are set aside before git merges
//! the rest line by line, then written back the way `normcode codebook` writes them.

use std::ops::Range;

use super::outline::Outline;
use super::text_edit::{Edit, Src, apply_edits, record_version};
use crate::codebook::history::HistoryEntry;
use crate::error::{Error, Result};

/// Where the value of `version:` and the `history:` block (its key line to its last item,
/// trailing blank lines and comments left out) are in `text`.
fn places(text: &str) -> Result<(Range<usize>, Option<Range<usize>>)> {
    let outline = Outline::parse(text)?;
    let src = Src::new(text);
    let version = outline.version.range();
    let root = {
        let line = src.line(src.line_of(version.start));
        line.len() - line.trim_start_matches(' ').len()
    };
    let indent = |l: usize| {
        let line = src.line(l);
        line.len() - line.trim_start_matches(' ').len()
    };
    let key = (0..src.lines())
        .find(|&l| indent(l) == root && src.line(l)[root..].starts_with("history:"));
    let history = key.map(|line| {
        let mut end = line + 1;
        while end < src.lines() {
            if !src.blank(end) && !src.comment(end) && indent(end) <= root {
                break;
            }
            end += 1;
        }
        while end > line + 1
            && (src.blank(end - 1) || (src.comment(end - 1) && indent(end - 1) <= root))
        {
            end -= 1;
        }
        src.start(line)..src.start(end)
    });
    Ok((version, history))
}

/// `text` with the value of its `version:` and its `history:` block taken from `like`, so
/// that these two places are the same text in both. An error when one has a `history:` block
/// and the other none.
pub fn with_history_of(text: &str, like: &str) -> Result<String> {
    let (version, history) = places(text)?;
    let (like_version, like_history) = places(like)?;
    let mut edits = vec![Edit {
        range: version,
        text: like[like_version].to_string(),
    }];
    match (history, like_history) {
        (Some(here), Some(there)) => {
            let mut block = like[there].to_string();
            let ends_line = |s: &str| s.is_empty() || s.ends_with('\n');
            if !ends_line(&block) && !ends_line(&text[..here.end]) {
                block.push('\n');
            }
            edits.push(Edit {
                range: here,
                text: block,
            })
        }
        (None, None) => {}
        (Some(here), None) => edits.push(Edit {
            range: here,
            text: String::new(),
        }),
        (None, Some(_)) => {
            return Err(Error::Usage(
                "one side of the codebook has a `history:` block and the other none".into(),
            ));
        }
    }
    Ok(apply_edits(text, edits))
}

/// Records `entries` one after the other as `normcode codebook` does: `version:` set to each
/// entry's version, the entry appended to `history:`.
pub fn record_versions(text: &str, entries: &[HistoryEntry]) -> Result<String> {
    let mut text = text.to_string();
    for entry in entries {
        text = record_version(&text, entry)?;
    }
    Ok(text)
}
