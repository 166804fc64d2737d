//! Splitting a document body into units: paragraphs (with UN-style numbered paragraphs,
//! lettered sub-paragraphs and list items: [`lists`]; wrapped text without blank lines:
//! [`wrapped`]), sentences or lines. Offsets are code points.

mod lists;
mod wrapped;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::ids::{CodePointRange, UnitId};

pub use lists::without_label;
pub use wrapped::{Layout, Reading, reading};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segmentation {
    #[default]
    Paragraph,
    Sentence,
    Line,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Heading,
    Paragraph,
    Numbered,
    /// A lettered (`(a)`) or roman (`(iv)`) sub-paragraph.
    SubParagraph,
    /// A bulleted (`-`, `•`) or numbered (`1)`, `1.` in a list) item.
    ListItem,
    Sentence,
    Line,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    /// Code points in the body.
    pub range: CodePointRange,
    /// Bytes in the body, for slicing.
    pub bytes: Range<usize>,
}

/// A line of the body with its byte and code-point starts.
struct Line<'a> {
    text: &'a str,
    byte_start: usize,
    char_start: usize,
}

fn lines(body: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let (mut byte_start, mut char_start) = (0, 0);
    for text in body.split('\n') {
        out.push(Line {
            text,
            byte_start,
            char_start,
        });
        byte_start += text.len() + 1;
        char_start += text.chars().count() + 1;
    }
    out
}

/// A stretch of the body, trimmed of surrounding white space.
#[derive(Clone, Copy)]
struct Piece {
    bytes: (usize, usize),
    chars: (usize, usize),
}

fn trimmed(body: &str, byte_start: usize, byte_end: usize, char_start: usize) -> Option<Piece> {
    let text = &body[byte_start..byte_end];
    let lead = text.len() - text.trim_start().len();
    let inner = text.trim();
    if inner.is_empty() {
        return None;
    }
    let lead_chars = text[..lead].chars().count();
    let chars = inner.chars().count();
    let start = char_start + lead_chars;
    Some(Piece {
        bytes: (byte_start + lead, byte_start + lead + inner.len()),
        chars: (start, start + chars),
    })
}

fn is_heading(text: &str) -> bool {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && text[hashes..].starts_with(' ')
}

impl UnitKind {
    /// The kind's name, as `normcode units` shows it.
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Heading => "heading",
            UnitKind::Paragraph => "paragraph",
            UnitKind::Numbered => "numbered",
            UnitKind::SubParagraph => "sub-paragraph",
            UnitKind::ListItem => "list item",
            UnitKind::Sentence => "sentence",
            UnitKind::Line => "line",
        }
    }
}

/// Splits `body` into units by `mode`, finding by itself whether the body is wrapped text.
pub fn segment(body: &str, mode: Segmentation) -> Vec<Unit> {
    segment_with(body, mode, Layout::Auto)
}

/// Splits `body` into units by `mode`, its paragraphs told apart as `layout` says (a
/// document's front matter `segmentation:`).
pub fn segment_with(body: &str, mode: Segmentation, layout: Layout) -> Vec<Unit> {
    match mode {
        Segmentation::Paragraph => paragraphs(body, reading(body, layout)),
        Segmentation::Sentence => sentences(body, paragraphs(body, reading(body, layout))),
        Segmentation::Line => line_units(body),
    }
}

/// `body[start..end]` without surrounding white space, as byte offsets, unless that is empty.
fn trimmed_bytes(body: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let text = &body[start..end];
    let inner = text.trim();
    if inner.is_empty() {
        return None;
    }
    let lead = text.len() - text.trim_start().len();
    Some((start + lead, start + lead + inner.len()))
}

/// Turns increasing byte offsets of a text into code point offsets, counting each stretch of the
/// text once.
struct CodePoints<'a> {
    text: &'a str,
    byte: usize,
    code_points: usize,
}

impl<'a> CodePoints<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            code_points: 0,
        }
    }

    /// The code point offset of byte offset `byte`, which is no less than the one before.
    fn at(&mut self, byte: usize) -> usize {
        debug_assert!(byte >= self.byte, "offsets must come in increasing order");
        self.code_points += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.code_points
    }
}

fn paragraphs(body: &str, reading: Reading) -> Vec<Unit> {
    // First the raw pieces (as bytes): blocks between blank lines, with headings and labelled
    // lines (numbers, letters, bullets) starting new pieces, and in wrapped text the ends of
    // paragraphs that [`wrapped::ends_between`] finds. Each piece keeps its first line's indent
    // and whether a blank line came before it.
    struct Raw {
        start: usize,
        end: usize,
        indent: usize,
        touches: bool,
    }
    let mut pieces: Vec<Raw> = Vec::new();
    let mut block: Option<(usize, usize, bool)> = None; // byte start, indent, touches
    let mut blank_before = true;
    let close = |block: &mut Option<(usize, usize, bool)>, end: usize, pieces: &mut Vec<Raw>| {
        if let Some((start, indent, touches)) = block.take()
            && let Some((start, end)) = trimmed_bytes(body, start, end)
        {
            pieces.push(Raw {
                start,
                end,
                indent,
                touches,
            });
        }
    };
    let mut previous_line: Option<&str> = None;
    let mut next_line = 0;
    for text in body.split('\n') {
        let line_start = next_line;
        next_line += text.len() + 1;
        let stripped = text.trim_start();
        let line_end = line_start + text.len();
        if stripped.is_empty() {
            close(&mut block, line_start, &mut pieces);
            blank_before = true;
            previous_line = None;
            continue;
        }
        let heading = is_heading(stripped);
        let starts_new = heading
            || match (reading, previous_line) {
                (Reading::Wrapped { width, .. }, Some(previous)) => {
                    wrapped::ends_between(previous.trim(), stripped.trim_end(), width)
                }
                _ => lists::marker(stripped).is_some(),
            };
        if starts_new && block.is_some() {
            close(&mut block, line_start, &mut pieces);
        }
        if block.is_none() {
            let indent = text.len() - stripped.len();
            block = Some((line_start, indent, !blank_before));
        }
        blank_before = false;
        previous_line = Some(text);
        // A heading is a block of its own.
        if heading {
            close(&mut block, line_end, &mut pieces);
            previous_line = None;
        }
    }
    close(&mut block, body.len(), &mut pieces);

    // Then ids: numbers and letters where the text gives them, under the paragraph they belong
    // to ([`lists`]), positions elsewhere.
    let mut ids = lists::Ids::default();
    let mut units = Vec::with_capacity(pieces.len());
    let mut code_points = CodePoints::new(body);
    for (index, raw) in pieces.into_iter().enumerate() {
        let (kind, id) = ids.place(&lists::Piece {
            text: &body[raw.start..raw.end],
            indent: raw.indent,
            touches: raw.touches,
            ordinal: index + 1,
        });
        units.push(Unit {
            id: UnitId::new(id),
            kind,
            range: CodePointRange::new(code_points.at(raw.start), code_points.at(raw.end)),
            bytes: raw.start..raw.end,
        });
    }
    units
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
}

fn is_cjk_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？')
}

fn sentences(body: &str, paragraphs: Vec<Unit>) -> Vec<Unit> {
    let mut units = Vec::new();
    for paragraph in paragraphs {
        if paragraph.kind == UnitKind::Heading {
            units.push(paragraph);
            continue;
        }
        let text = &body[paragraph.bytes.clone()];
        let mut cuts = Vec::new(); // byte offsets in `text` where a sentence ends
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if !is_sentence_end(c) {
                continue;
            }
            let end = at + c.len_utf8();
            // Closing quotes and brackets stay with their sentence.
            let mut end = end;
            while let Some(&(next_at, next)) = chars.peek() {
                if matches!(next, '"' | '\'' | ')' | '”' | '’' | '」' | '）') {
                    end = next_at + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let followed_by_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
            // "13." at the very start is a paragraph number, not a sentence.
            let is_number = lists::paragraph_number(text).is_some_and(|n| end == n.len() + 1);
            if (is_cjk_sentence_end(c) || followed_by_space) && !is_number {
                cuts.push(end);
            }
        }
        let mut start = 0;
        let mut ordinal = 0;
        let char_base = paragraph.range.start;
        let mut char_start = 0;
        for cut in cuts.into_iter().chain(std::iter::once(text.len())) {
            if cut <= start {
                continue;
            }
            let piece = trimmed(
                body,
                paragraph.bytes.start + start,
                paragraph.bytes.start + cut,
                char_base + char_start,
            );
            char_start += text[start..cut].chars().count();
            start = cut;
            if let Some(piece) = piece {
                ordinal += 1;
                units.push(Unit {
                    id: UnitId::new(format!("{}.s{ordinal}", paragraph.id)),
                    kind: UnitKind::Sentence,
                    range: CodePointRange::new(piece.chars.0, piece.chars.1),
                    bytes: piece.bytes.0..piece.bytes.1,
                });
            }
        }
    }
    units
}

fn line_units(body: &str) -> Vec<Unit> {
    lines(body)
        .iter()
        .enumerate()
        .filter_map(|(index, line)| {
            let piece = trimmed(
                body,
                line.byte_start,
                line.byte_start + line.text.len(),
                line.char_start,
            )?;
            Some(Unit {
                id: UnitId::new(format!("l{}", index + 1)),
                kind: UnitKind::Line,
                range: CodePointRange::new(piece.chars.0, piece.chars.1),
                bytes: piece.bytes.0..piece.bytes.1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: &str, mode: Segmentation) -> Vec<String> {
        segment(body, mode)
            .into_iter()
            .map(|u| u.id.to_string())
            .collect()
    }

    fn texts(body: &str, mode: Segmentation) -> Vec<String> {
        segment(body, mode)
            .into_iter()
            .map(|u| body[u.bytes].to_string())
            .collect()
    }

    #[test]
    fn un_numbered_paragraphs_and_lettered_sub_paragraphs_are_their_own_units() {
        let body = "# Report\n\nIntroduction text.\n\n12. First point.\n\n13. States should consider:\n(a) Cooperate;\n(b) Not harm;\n\n(c) Respect rights.\n\n14. Last.\n";
        assert_eq!(
            ids(body, Segmentation::Paragraph),
            ["p1", "p2", "12", "13", "13.a", "13.b", "13.c", "14"]
        );
        assert_eq!(
            texts(body, Segmentation::Paragraph)[4..6],
            ["(a) Cooperate;", "(b) Not harm;"]
        );
    }

    #[test]
    fn offsets_count_code_points_not_bytes() {
        let body = "一、总则\n\n13．各国应当：\n（a）开展合作；\n（b）不损害关键基础设施。";
        let units = segment(body, Segmentation::Paragraph);
        assert_eq!(
            ids(body, Segmentation::Paragraph),
            ["p1", "13", "13.a", "13.b"]
        );
        for unit in &units {
            let by_chars: String = body
                .chars()
                .skip(unit.range.start)
                .take(unit.range.len())
                .collect();
            assert_eq!(by_chars, &body[unit.bytes.clone()]);
        }
        assert_eq!(units[2].range, CodePointRange::new(15, 23));
    }

    #[test]
    fn labels_are_stripped_for_quotes() {
        assert_eq!(without_label("13. States should"), "States should");
        assert_eq!(without_label("13．各国"), "各国");
        assert_eq!(without_label("(b) to report"), "to report");
        assert_eq!(without_label("（b）开展合作"), "开展合作");
        assert_eq!(without_label("## Heading"), "Heading");
        assert_eq!(without_label("2015 was a year"), "2015 was a year");
    }

    #[test]
    fn duplicate_numbers_fall_back_to_positions() {
        let body = "1. One.\n\n2. Two.\n\nAnnex\n\n1. Again one.";
        assert_eq!(ids(body, Segmentation::Paragraph), ["1", "2", "p3", "p4"]);
    }

    #[test]
    fn sentences_split_latin_and_chinese_and_keep_paragraph_ids() {
        let body = "13. States should act. They should cooperate!\n\n各国应合作。各国应负责。";
        assert_eq!(
            texts(body, Segmentation::Sentence),
            [
                "13. States should act.",
                "They should cooperate!",
                "各国应合作。",
                "各国应负责。"
            ]
        );
        assert_eq!(
            ids(body, Segmentation::Sentence),
            ["13.s1", "13.s2", "p2.s1", "p2.s2"]
        );
    }

    #[test]
    fn lines_are_numbered_by_their_line_in_the_body() {
        let body = "first\n\n  second  \nthird";
        assert_eq!(ids(body, Segmentation::Line), ["l1", "l3", "l4"]);
        assert_eq!(
            texts(body, Segmentation::Line),
            ["first", "second", "third"]
        );
    }

    proptest::proptest! {
        #[test]
        fn code_point_ranges_match_byte_ranges(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "", "  ", "13. 各国应当：", "13. Again.", "(a) one;", "（b）二", "(b) two.", "# Head",
                    "plain text. More!", " 中文。句子。 ", "\t(c) x", "2. Two", "\u{3000}全角",
                    "Intro:", "- item", "  - nested", "•项目", "(i) i", "(ii) ii", "a) a", "1) one",
                    "1. First", "* star", "(h) h",
                ]),
                0..20,
            )
        ) {
            let body = lines.join("\n");
            for mode in [Segmentation::Paragraph, Segmentation::Sentence, Segmentation::Line] {
                let units = segment(&body, mode);
                for unit in &units {
                    let text = &body[unit.bytes.clone()];
                    proptest::prop_assert_eq!(unit.range.start, body[..unit.bytes.start].chars().count());
                    proptest::prop_assert_eq!(unit.range.len(), text.chars().count());
                    proptest::prop_assert!(!text.is_empty());
                    proptest::prop_assert_eq!(text.trim(), text);
                }
                let mut ids: Vec<_> = units.iter().map(|u| u.id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                proptest::prop_assert_eq!(ids.len(), units.len(), "unit ids are unique");
            }
        }
    }

    #[test]
    fn list_items_are_units_under_their_paragraph_and_sentences_keep_their_ids() {
        let body =
            "The principles are:\n- Protect people.\n- Protect the core. Keep it open.\n\nAfter.";
        assert_eq!(
            ids(body, Segmentation::Paragraph),
            ["p1", "p1.1", "p1.2", "p4"]
        );
        assert_eq!(
            ids(body, Segmentation::Sentence),
            ["p1.s1", "p1.1.s1", "p1.2.s1", "p1.2.s2", "p4.s1"]
        );
        assert_eq!(
            segment(body, Segmentation::Paragraph)[1].kind,
            UnitKind::ListItem
        );
    }

    #[test]
    fn a_numbered_line_is_a_list_item_only_right_under_a_colon() {
        // Stable for existing documents: `1.` after a blank line is a numbered paragraph.
        let loose = "We commit to:\n\n1. Protect.\n\n2. Curb.";
        assert_eq!(ids(loose, Segmentation::Paragraph), ["p1", "1", "2"]);
        let tight = "We commit to:\n1. Protect.\n2. Curb.\n\n3. A paragraph of its own.";
        assert_eq!(
            ids(tight, Segmentation::Paragraph),
            ["p1", "p1.1", "p1.2", "p1.3"]
        );
        let under_paragraph = "12. States should:\n1. Protect.\n2. Curb.\n\n13. Next.";
        assert_eq!(
            ids(under_paragraph, Segmentation::Paragraph),
            ["12", "12.1", "12.2", "13"]
        );
    }

    #[test]
    fn a_repeated_label_keeps_a_unique_id() {
        let body = "Intro:\n- a\n- b\n\nMore:\n- c\n\n- d\n\n(a) x\n(a) y";
        let ids = ids(body, Segmentation::Paragraph);
        assert_eq!(
            ids[..7],
            ["p1", "p1.1", "p1.2", "p4", "p4.1", "p4.2", "p4.2.a"]
        );
        assert_eq!(
            ids[7], "p8",
            "the second (a) under p4.2 falls back to its place"
        );
    }

    #[test]
    fn empty_and_blank_bodies_have_no_units() {
        assert!(segment("", Segmentation::Paragraph).is_empty());
        assert!(segment(" \n\n\t\n", Segmentation::Sentence).is_empty());
    }
}
