//! Editing `codebook.yaml` as text, in place, so that its comments and layout survive: the
//! lines of a sequence item, removing items, appending to a category's `indicators:`, and
//! recording the new version in `history:`.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{
    outline::Outline,
    render::{RenderItem, json_quote, render_indicator, scalar},
};
use crate::codebook::history::HistoryEntry;
use crate::error::{Error, Result, SourcePos};
use crate::project::CODEBOOK_FILE;

/// The source split in lines.
pub(super) struct Src<'a> {
    pub(super) text: &'a str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
    pub(super) nl: &'static str,
}

impl<'a> Src<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| i + 1)
                .filter(|&i| i < text.len()),
        );
        if text.is_empty() {
            starts.clear();
        }
        Self {
            text,
            starts,
            nl: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    pub(super) fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The byte offset where line `i` starts; the end of the text past the last line.
    pub(super) fn start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The byte offset of line `i`'s end, before its line break.
    fn end_of_line(&self, i: usize) -> usize {
        let end = self.start(i + 1);
        let line = &self.text[self.start(i)..end];
        end - (line.len() - line.trim_end_matches(['\n', '\r']).len())
    }

    pub(super) fn line(&self, i: usize) -> &'a str {
        &self.text[self.start(i)..self.end_of_line(i)]
    }

    pub(super) fn line_of(&self, byte: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= byte)
            .saturating_sub(1)
    }

    fn indent(&self, i: usize) -> usize {
        let line = self.line(i);
        line.len() - line.trim_start_matches(' ').len()
    }

    pub(super) fn blank(&self, i: usize) -> bool {
        self.line(i).trim().is_empty()
    }

    pub(super) fn comment(&self, i: usize) -> bool {
        self.line(i).trim_start().starts_with('#')
    }
}

/// An item of a block sequence (`- id: X` and its mapping), in lines.
#[derive(Debug, Clone, Copy)]
pub(super) struct Block {
    /// The line with the item's `-`.
    pub(super) start: usize,
    /// The first of the comment lines directly above `start` at its indentation.
    pub(super) attached: usize,
    /// Past the last line of the item's own content.
    pub(super) content_end: usize,
    /// `content_end` and the blank lines after it.
    pub(super) removal_end: usize,
    /// Column of the `-`.
    pub(super) dash: usize,
    /// Column of the item's keys.
    pub(super) key: usize,
}

fn unsupported(src: &Src, byte: usize, what: &str) -> Error {
    let line = src.line_of(byte);
    let column = src.text[src.start(line)..byte].chars().count() + 1;
    Error::invalid(
        SourcePos::at(CODEBOOK_FILE, line as u64 + 1, column as u64),
        format!(
            "{what} is not written in the block layout normcode edits in place (`- id: ...` \
             with one key per line); nothing was changed: make the change by hand, or rewrite \
             it in that layout"
        ),
    )
}

/// The block of the sequence item whose `id` value starts at byte `id_off`.
pub(super) fn item_block(src: &Src, id_off: usize, what: &str) -> Result<Block> {
    let l = src.line_of(id_off);
    let prefix = &src.text[src.start(l)..id_off];
    let Some(before) = prefix.trim_end().strip_suffix("id:") else {
        return Err(unsupported(src, id_off, what));
    };
    let key = before.len();
    let head = before.trim_end();
    let (start, dash) = if head.trim_start().is_empty() {
        // `id` is not the item's first key: find the `-` line above.
        let mut found = None;
        let mut k = l;
        while k > 0 {
            k -= 1;
            if src.blank(k) || src.comment(k) || src.indent(k) >= key {
                continue;
            }
            let line = src.line(k);
            let ind = src.indent(k);
            if let Some(after) = line[ind..].strip_prefix('-') {
                let spaces = after.len() - after.trim_start_matches(' ').len();
                if spaces > 0 && ind + 1 + spaces == key {
                    found = Some((k, ind));
                }
            }
            break;
        }
        found.ok_or_else(|| unsupported(src, id_off, what))?
    } else if head.trim_start() == "-" {
        (l, head.len() - 1)
    } else {
        return Err(unsupported(src, id_off, what));
    };
    let n = src.lines();
    let mut boundary = start + 1;
    while boundary < n {
        if !src.blank(boundary) && !src.comment(boundary) && src.indent(boundary) <= dash {
            break;
        }
        boundary += 1;
    }
    let mut content_end = boundary;
    while content_end > start + 1 {
        let k = content_end - 1;
        if src.blank(k) || (src.comment(k) && src.indent(k) <= dash) {
            content_end -= 1;
        } else {
            break;
        }
    }
    let mut removal_end = content_end;
    while removal_end < n && src.blank(removal_end) {
        removal_end += 1;
    }
    let mut attached = start;
    while attached > 0 && src.comment(attached - 1) && src.indent(attached - 1) == dash {
        attached -= 1;
    }
    Ok(Block {
        start,
        attached,
        content_end,
        removal_end,
        dash,
        key,
    })
}

/// Edits that remove the blocks of `ids`; a list left empty loses its `indicators:` key too.
pub(super) fn removal_edits(src: &Src, outline: &Outline, ids: &[&String]) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    let mut by_category: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for id in ids {
        let position = outline
            .indicators
            .iter()
            .position(|i| i.name == **id)
            .ok_or_else(|| Error::Usage(format!("there is no indicator '{id}' in the codebook")))?;
        by_category
            .entry(outline.indicators[position].category)
            .or_default()
            .push(position);
    }
    for (category, removed) in by_category {
        let cat = &outline.categories[category];
        let what = |i: usize| format!("indicator {}", outline.indicators[i].name);
        if removed.len() == cat.indicators.len() {
            // The whole list goes, with its key line.
            let first_index = cat.indicators[0];
            let first = item_block(
                src,
                outline.indicators[first_index].id.off,
                &what(first_index),
            )?;
            let last_index = *cat.indicators.last().expect("not empty");
            let last = item_block(
                src,
                outline.indicators[last_index].id.off,
                &what(last_index),
            )?;
            let mut key_line = first.attached;
            loop {
                if key_line == 0 {
                    return Err(unsupported(
                        src,
                        cat.id_span.off,
                        &format!("category {}", cat.id),
                    ));
                }
                key_line -= 1;
                if src.blank(key_line) || src.comment(key_line) {
                    continue;
                }
                break;
            }
            let line = src.line(key_line);
            let content = line.split(" #").next().unwrap_or("").trim();
            if content != "indicators:" {
                return Err(unsupported(
                    src,
                    cat.id_span.off,
                    &format!("category {}", cat.id),
                ));
            }
            edits.push(Edit {
                range: src.start(key_line)..src.start(last.content_end),
                text: String::new(),
            });
        } else {
            for i in removed {
                let block = item_block(src, outline.indicators[i].id.off, &what(i))?;
                // Blank lines after it go too when a blank line before it (or the list's start)
                // keeps the spacing.
                let first = cat.indicators.first() == Some(&i);
                let spaced = block.attached > 0 && src.blank(block.attached - 1);
                let end = if first || spaced {
                    block.removal_end
                } else {
                    block.content_end
                };
                edits.push(Edit {
                    range: src.start(block.attached)..src.start(end),
                    text: String::new(),
                });
            }
        }
    }
    Ok(edits)
}

/// The lines of a top-level key's block (`history:` and what is indented under it).
pub(super) fn top_level_block(src: &Src, key: &str) -> Option<Range<usize>> {
    let head = format!("{key}:");
    let start = (0..src.lines()).find(|&l| src.line(l).starts_with(&head))?;
    let mut end = start + 1;
    while end < src.lines() {
        if !src.blank(end) && !src.comment(end) && src.indent(end) == 0 {
            break;
        }
        end += 1;
    }
    Some(start..end)
}

pub(super) struct Edit {
    pub(super) range: Range<usize>,
    pub(super) text: String,
}

/// Turns `key: []` (the brackets at `open..close`) into `key:` followed by the lines of
/// `block`, keeping a comment after the brackets.
fn open_empty_list(src: &Src, open: usize, close: usize, block: &str) -> Edit {
    let line = src.line_of(open);
    let key_end = src.text[..open].trim_end_matches(' ').len();
    let comment = src.text[close..src.end_of_line(line)].trim();
    let mut text = String::new();
    if !comment.is_empty() {
        text.push(' ');
        text.push_str(comment);
    }
    text.push_str(src.nl);
    text.push_str(block);
    Edit {
        range: key_end..src.start(line + 1),
        text,
    }
}

/// Applies non-overlapping edits.
pub(super) fn apply_edits(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for edit in edits {
        assert!(edit.range.end <= limit, "overlapping codebook edits");
        limit = edit.range.start;
        out.replace_range(edit.range, &edit.text);
    }
    out
}

pub(super) fn ensure_final_newline(text: &str) -> String {
    let mut text = text.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
    }
    text
}

/// An edit that appends `items` at the end of category `category`'s `indicators:` list, laid
/// out like the indicators already there.
pub(super) fn append_edit(
    src: &Src,
    outline: &Outline,
    category: &str,
    items: &[RenderItem],
    languages: &[String],
) -> Result<Edit> {
    append_blocks(src, outline, category, &|dash, key| {
        items
            .iter()
            .map(|item| render_indicator(item, languages, dash, key, src.nl))
            .collect()
    })
}

/// Like [`append_edit`], with the entries' text from `blocks(dash column, key column)`.
pub(super) fn append_blocks(
    src: &Src,
    outline: &Outline,
    category: &str,
    blocks: &dyn Fn(usize, usize) -> Vec<String>,
) -> Result<Edit> {
    let text = src.text;
    let cat = outline
        .categories
        .iter()
        .find(|c| c.id == category)
        .ok_or_else(|| Error::Usage(format!("there is no category '{category}'")))?;
    let what = format!("category {category}");
    let cat_block = item_block(src, cat.id_span.off, &what)?;
    let render_all = |dash: usize, key: usize, spaced: bool| {
        let mut block = String::new();
        for item in blocks(dash, key) {
            if spaced {
                block.push_str(src.nl);
            }
            block.push_str(&item);
        }
        block
    };
    Ok(match (&cat.list, cat.indicators.last()) {
        (Some(_), Some(&last)) => {
            // After the last indicator, spaced like the others.
            let last_block = item_block(
                src,
                outline.indicators[last].id.off,
                &format!("indicator {}", outline.indicators[last].name),
            )?;
            let spaced = match cat.indicators.as_slice() {
                [_, second, ..] => {
                    let b = item_block(src, outline.indicators[*second].id.off, "indicator")?;
                    b.attached > 0 && src.blank(b.attached - 1)
                }
                _ => last_block.content_end < src.lines() && src.blank(last_block.content_end),
            };
            let at = src.start(last_block.content_end);
            Edit {
                range: at..at,
                text: render_all(last_block.dash, last_block.key, spaced),
            }
        }
        (Some(list), None) => {
            // `indicators: []`: the list becomes a block list.
            let line = src.line_of(list.off);
            if !text[list.off..].starts_with('[') {
                return Err(unsupported(src, list.off, &what));
            }
            let close = text[list.off..src.end_of_line(line)]
                .find(']')
                .map(|i| list.off + i + 1)
                .ok_or_else(|| unsupported(src, list.off, &what))?;
            let dash = cat_block.key + 2;
            open_empty_list(src, list.off, close, &render_all(dash, dash + 2, false))
        }
        (None, _) => {
            // No `indicators:` yet: before the nested `categories:`, else at the end.
            let key = cat_block.key;
            let at_line = (cat_block.start + 1..cat_block.content_end)
                .find(|&l| src.indent(l) == key && src.line(l)[key..].starts_with("categories:"))
                .unwrap_or(cat_block.content_end);
            let mut block = format!("{}indicators:{}", " ".repeat(key), src.nl);
            block.push_str(&render_all(key + 2, key + 4, false));
            let at = src.start(at_line);
            Edit {
                range: at..at,
                text: block,
            }
        }
    })
}

/// Sets `version:` to the entry's version and appends the entry to `history:` (created at the
/// end of the file when missing).
pub(super) fn record_version(text: &str, entry: &HistoryEntry) -> Result<String> {
    let outline = Outline::parse(text)?;
    let src = Src::new(text);
    let version_line = src.line_of(outline.version.off);
    let root = src.indent(version_line);
    if !src.line(version_line)[root..].starts_with("version:") {
        return Err(unsupported(&src, outline.version.off, "`version`"));
    }
    let mut edits = vec![Edit {
        range: outline.version.range(),
        text: json_quote(&entry.version),
    }];
    let head = "history:";
    let key_line =
        (0..src.lines()).find(|&l| src.indent(l) == root && src.line(l)[root..].starts_with(head));
    match key_line {
        Some(line) => {
            let rest = src.line(line)[root + head.len()..].trim();
            let rest_content = rest.split('#').next().unwrap_or("").trim();
            if rest_content.is_empty() {
                let mut end = line + 1;
                while end < src.lines() {
                    if !src.blank(end) && !src.comment(end) && src.indent(end) <= root {
                        break;
                    }
                    end += 1;
                }
                let mut content_end = end;
                while content_end > line + 1 {
                    let k = content_end - 1;
                    if src.blank(k) || (src.comment(k) && src.indent(k) <= root) {
                        content_end -= 1;
                    } else {
                        break;
                    }
                }
                let dash = (line + 1..content_end)
                    .find(|&l| !src.blank(l) && !src.comment(l))
                    .map(|l| src.indent(l))
                    .unwrap_or(root + 2);
                let at = src.start(content_end);
                edits.push(Edit {
                    range: at..at,
                    text: render_history_item(entry, dash, src.nl),
                });
            } else if rest_content.replace(' ', "") == "[]" {
                let open = src.start(line) + src.line(line).find('[').expect("has [");
                let close = src.start(line) + src.line(line).find(']').expect("has ]") + 1;
                let item = render_history_item(entry, root + 2, src.nl);
                edits.push(open_empty_list(&src, open, close, &item));
            } else {
                return Err(unsupported(&src, src.start(line), "`history`"));
            }
        }
        None => {
            let at = text.len();
            let mut block = String::new();
            block.push_str(src.nl);
            block.push_str(&" ".repeat(root));
            block.push_str(head);
            block.push_str(src.nl);
            block.push_str(&render_history_item(entry, root + 2, src.nl));
            edits.push(Edit {
                range: at..at,
                text: block,
            });
        }
    }
    Ok(apply_edits(text, edits))
}

fn render_history_item(entry: &HistoryEntry, dash: usize, nl: &str) -> String {
    let pad = " ".repeat(dash);
    let key = " ".repeat(dash + 2);
    let mut out = format!("{pad}- version: {}{nl}", json_quote(&entry.version));
    if let Some(date) = &entry.date {
        out.push_str(&format!("{key}date: {date}{nl}"));
    }
    if let Some(by) = &entry.by {
        out.push_str(&format!("{key}by: {}{nl}", scalar(by)));
    }
    out.push_str(&format!("{key}changes:{nl}"));
    for change in &entry.changes {
        out.push_str(&format!("{key}  - {}{nl}", json_quote(change)));
    }
    out
}
