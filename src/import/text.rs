//! From the blocks a reader found (headings and paragraphs, with hard line breaks) to a
//! document body that normcode's segmenter splits the way the original was laid out: one
//! paragraph per block, a blank line between paragraphs, and every UN paragraph number (`13.`)
//! and lettered sub-paragraph (`(a)`) at the start of its own paragraph.

use std::sync::LazyLock;

use regex::Regex;

/// What a block of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading of level 1 to 6 (`#` to `######` in the body).
    Heading(u8),
    Paragraph,
}

/// A heading or paragraph as a reader found it. `text` may hold `\n` where the original broke a
/// line (a `<br>`, a line of a PDF); other white space is collapsed when the body is written. A
/// `\r` is a line break of the source that is no break of the text (HTML source lines): like a
/// space, except between two Chinese characters, where it vanishes (as browsers show it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Whether the `\n`s are where a page layout wrapped the lines (PDF) rather than breaks the
    /// author made (`<br>`, Word's line break). A label at the start of a wrapped line only
    /// starts a paragraph after a line that ends a clause (`;`, `:`, `.`, `and`).
    pub wrapped: bool,
}

impl Block {
    pub fn paragraph(text: impl Into<String>) -> Self {
        Self {
            kind: BlockKind::Paragraph,
            text: text.into(),
            wrapped: false,
        }
    }

    /// A paragraph whose lines were wrapped by a page layout.
    pub fn wrapped(text: impl Into<String>) -> Self {
        Self {
            wrapped: true,
            ..Self::paragraph(text)
        }
    }

    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Self {
            kind: BlockKind::Heading(level.clamp(1, 6)),
            text: text.into(),
            wrapped: false,
        }
    }
}

/// `13.` / `13．` followed by white space or the end, or `(a)` / `（a）`: the labels the segmenter
/// gives units their ids by. The number may be followed by a tab or no-break space in the
/// original; [`collapse`] has turned those into one space already.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,4}(?:\.(?:\s|$)|．)|\([a-z]{1,2}\)|（[a-z]{1,2}）)").expect("valid regex")
});

/// Whether `text` (trimmed) starts with a UN paragraph number or sub-paragraph letter.
pub fn starts_with_label(text: &str) -> bool {
    LABEL.is_match(text.trim_start())
}

/// Whether `text` is nothing but a label (`13.`, `(a)`): a number set apart from its text.
fn is_bare_label(text: &str) -> bool {
    let text = text.trim();
    LABEL
        .find(text)
        .is_some_and(|m| text[m.end()..].trim().is_empty())
}

/// Whether a line ends where a list item or numbered paragraph may follow.
fn ends_clause(text: &str) -> bool {
    let text = text.trim_end();
    text.ends_with(['.', ':', ';', '!', '?', '。', '；', '：', '！', '？'])
        || text.ends_with(" and")
        || text.ends_with(" or")
        || text.ends_with('和')
        || text.ends_with('或')
        || text.is_empty()
}

/// A Han ideograph or CJK punctuation: text joined across a line break without a space.
pub fn is_cjk(c: char) -> bool {
    is_han(c) || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// A Han (Chinese) character.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2a6df}'
        | '\u{2a700}'..='\u{2ebef}'
        | '\u{30000}'..='\u{3134f}')
}

/// Collapses every run of white space (tabs, no-break spaces, ideographic spaces) to one space,
/// drops soft hyphens and control characters, and trims.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut source_break = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            source_break |= c == '\r';
        } else if c == '\u{ad}' || c.is_control() || c == '\u{feff}' {
            continue;
        } else {
            let between_han = source_break && out.chars().last().is_some_and(is_cjk) && is_cjk(c);
            if space && !out.is_empty() && !between_han {
                out.push(' ');
            }
            space = false;
            source_break = false;
            out.push(c);
        }
    }
    out
}

/// Joins the lines of one paragraph: a space between words, none between Chinese characters,
/// none after a hyphen that ends a line.
fn join_lines(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        if let (Some(last), Some(first)) = (out.chars().last(), line.chars().next()) {
            let glue = !(is_cjk(last) && is_cjk(first)
                || last == '-' && out.chars().rev().nth(1).is_some_and(char::is_alphabetic));
            if glue {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

/// The paragraphs of one block: a new one at each line that starts with a label (in wrapped
/// text, only after a line that ends a clause), so that `(a)`, `(b)` on lines of their own
/// become units of their own.
fn paragraphs_of(text: &str, wrapped: bool) -> Vec<String> {
    let mut paragraphs: Vec<Vec<String>> = Vec::new();
    for raw in text.split('\n') {
        let line = collapse(raw);
        if line.is_empty() {
            continue;
        }
        let new = match paragraphs.last() {
            None => true,
            Some(current) => {
                let previous = current.last().map(String::as_str).unwrap_or("");
                starts_with_label(&line)
                    && (!wrapped || ends_clause(previous))
                    && !is_bare_label(previous)
            }
        };
        if new {
            paragraphs.push(vec![line]);
        } else if let Some(current) = paragraphs.last_mut() {
            current.push(line);
        }
    }
    paragraphs.iter().map(|lines| join_lines(lines)).collect()
}

/// The document body for `blocks`: paragraphs and `#` headings separated by blank lines, ending
/// with a newline. A paragraph that is only a label (`13.` set apart from its text) is joined
/// to the paragraph after it.
pub fn render_body(blocks: &[Block]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut pending_label: Option<String> = None;
    for block in blocks {
        match block.kind {
            BlockKind::Heading(level) => {
                let text = collapse(&block.text.replace('\n', " "));
                if text.is_empty() {
                    continue;
                }
                if let Some(label) = pending_label.take() {
                    out.push(label);
                }
                out.push(format!(
                    "{} {text}",
                    "#".repeat(usize::from(level.clamp(1, 6)))
                ));
            }
            BlockKind::Paragraph => {
                for paragraph in paragraphs_of(&block.text, block.wrapped) {
                    let paragraph = match pending_label.take() {
                        Some(label) => format!("{label} {paragraph}"),
                        None => paragraph,
                    };
                    if is_bare_label(&paragraph) {
                        pending_label = Some(paragraph);
                    } else {
                        out.push(paragraph);
                    }
                }
            }
        }
    }
    out.extend(pending_label);
    let mut body = out.join("\n\n");
    if !body.is_empty() {
        body.push('\n');
    }
    body
}

/// `en` or `zh`, by the share of Han characters among the letters of `text`: Chinese when at
/// least 30% of the letters are Han characters.
pub fn guess_language(text: &str) -> &'static str {
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        han += usize::from(is_han(c));
    }
    if letters > 0 && han * 10 >= letters * 3 {
        "zh"
    } else {
        "en"
    }
}

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|\
                      November|December";

/// Full dates a document states: `22 July 2015`, `July 22, 2015`, `2015年7月22日`,
/// `2015-07-22`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b\d{{1,2}}\s+(?:{MONTHS})\s+(?<a>\d{{4}})\b|\b(?:{MONTHS})\s+\d{{1,2}},\s*(?<b>\d{{4}})\b|(?<c>\d{{4}})\s*年\s*\d{{1,2}}\s*月|\b(?<d>\d{{4}})-\d{{2}}-\d{{2}}\b"
    ))
    .expect("valid regex")
});

/// A plausible year on its own (`2015`), in a title or a metadata value.
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\D)(?<y>(?:19|20)\d{2})(?:\D|$)").expect("valid regex"));

/// The years a document could be from.
pub const YEARS: std::ops::RangeInclusive<i64> = 1945..=2100;

/// How much of the text's start is searched for its date.
const HEAD_CHARS: usize = 4000;

/// A year the text states on its own line, not as part of a full date: `June 2015`,
/// `Published in 2020`, `Issued: 2018`, `© 2019`, `2015年6月` (`年` and `月` without a day).
static STATED_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{MONTHS})\s+(?<e>\d{{4}})\b|(?i:\b(?:published|issued|adopted|released|dated|printed|copyright)\b(?:\s+(?:in|on))?\s*:?\s*(?<f>\d{{4}})\b)|©\s*(?<g>\d{{4}})\b|(?<h>\d{{4}})\s*年\s*(?:\d{{1,2}}\s*月|发布|出版|印发)"
    ))
    .expect("valid regex")
});

/// Where a document's year was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearFrom {
    /// A date on line `line` (1-based) of the body, with that line's text.
    Text { line: usize, quote: String },
    /// A year in the title.
    Title,
    /// A year in the original file's name.
    FileName,
    /// The file's metadata (a DOCX's created date, a PDF's CreationDate): the date in it.
    Metadata(String),
}

/// The document's year: the latest full date in the first pages of the text (a report cites
/// earlier dates, rarely later ones), else a year in the title, else the first year in the
/// file's metadata dates (which may be the date of the file rather than of the text).
pub fn detect_year(body: &str, title: Option<&str>, metadata_dates: &[String]) -> Option<i64> {
    find_year(body, title, None, metadata_dates).map(|(year, _)| year)
}

/// [`detect_year`], saying where the year was found. The text comes first: the latest date or
/// stated year (`22 July 2015`, `June 2015`, `Published in 2020`, `2015年6月`) in its first
/// pages; then a year in the title, then in the file name; the file's metadata last, since a
/// template's or a copy's date is not the text's.
pub fn find_year(
    body: &str,
    title: Option<&str>,
    file_name: Option<&str>,
    metadata_dates: &[String],
) -> Option<(i64, YearFrom)> {
    let mut from_text: Option<(i64, usize)> = None;
    let mut read = 0;
    for (index, line) in body.lines().enumerate() {
        if read > HEAD_CHARS {
            break;
        }
        read += line.chars().count() + 1;
        let years = DATE
            .captures_iter(line)
            .chain(STATED_YEAR.captures_iter(line))
            .filter_map(|c| {
                ["a", "b", "c", "d", "e", "f", "g", "h"]
                    .iter()
                    .find_map(|name| c.name(name))
                    .and_then(|m| m.as_str().parse::<i64>().ok())
            })
            .filter(|y| YEARS.contains(y));
        for year in years {
            if from_text.is_none_or(|(best, _)| year > best) {
                from_text = Some((year, index));
            }
        }
    }
    if let Some((year, index)) = from_text {
        let quote = body.lines().nth(index).unwrap_or("").trim();
        let quote: String = quote.chars().take(80).collect();
        return Some((
            year,
            YearFrom::Text {
                line: index + 1,
                quote,
            },
        ));
    }
    let first_year = |text: &str| {
        YEAR.captures_iter(text)
            .filter_map(|c| c["y"].parse::<i64>().ok())
            .find(|y| YEARS.contains(y))
    };
    // A PDF date is `D:20150722...`; an ISO date or a plain year starts with the year.
    let metadata_year = |text: &str| {
        let text = text.trim();
        let text = text.strip_prefix("D:").unwrap_or(text);
        text.get(..4)
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|y| y.parse::<i64>().ok())
            .filter(|y| YEARS.contains(y))
            .or_else(|| first_year(text))
    };
    title
        .and_then(first_year)
        .map(|y| (y, YearFrom::Title))
        .or_else(|| {
            file_name
                .and_then(first_year)
                .map(|y| (y, YearFrom::FileName))
        })
        .or_else(|| {
            metadata_dates.iter().find_map(|d| {
                metadata_year(d).map(|y| (y, YearFrom::Metadata(d.trim().to_string())))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_the_text_states_wins_and_says_its_line() {
        let metadata = ["2013-03-01T09:00:00Z".to_string()];
        for (body, year, line) in [
            ("Title\n\nPublished in 2020\n", 2020, 3),
            ("Title\nJune 2015\n", 2015, 2),
            ("网络安全\n2015年6月\n", 2015, 2),
            ("Report\nA/70/174 General Assembly 22 July 2015\n", 2015, 2),
            ("Report\n© 2019 Microsoft\n", 2019, 2),
        ] {
            let (found, from) = find_year(body, Some("Title"), Some("file"), &metadata).unwrap();
            assert_eq!(found, year, "{body:?}");
            assert!(
                matches!(&from, YearFrom::Text { line: l, .. } if *l == line),
                "{body:?}: {from:?}"
            );
        }
        assert_eq!(
            find_year("No date.", None, Some("gge-2015"), &metadata),
            Some((2015, YearFrom::FileName))
        );
        assert_eq!(
            find_year("No date.", None, None, &metadata),
            Some((2013, YearFrom::Metadata(metadata[0].clone())))
        );
    }

    #[test]
    fn labels_start_paragraphs_after_a_clause_ends() {
        let blocks = [
            Block::heading(1, "Report"),
            Block::paragraph("1.\tThe Group\nexamined threats."),
            Block::wrapped(
                "2. It recommends:\n(a) to cooperate;\n(b) not to harm; and\n(c) to report.",
            ),
            Block::wrapped("See the note in\n(a) above and the 2015\nreport."),
            Block::paragraph("A hard break\n(a) starts a unit after any line"),
        ];
        assert_eq!(
            render_body(&blocks),
            "# Report\n\n1. The Group examined threats.\n\n2. It recommends:\n\n(a) to cooperate;\n\n\
             (b) not to harm; and\n\n(c) to report.\n\nSee the note in (a) above and the 2015 report.\n\n\
             A hard break\n\n(a) starts a unit after any line\n"
        );
    }

    #[test]
    fn bare_labels_join_the_next_paragraph_and_chinese_lines_join_without_spaces() {
        let blocks = [
            Block::paragraph("13."),
            Block::paragraph("各国应当\n开展合作。"),
            Block::paragraph("（a）\u{3000}不损害关键基础设施；"),
            Block::wrapped("cyber-\nsecurity\u{ad} and\u{a0}more"),
            Block::paragraph("网络\r  安全 and\rmore"),
        ];
        assert_eq!(
            render_body(&blocks),
            "13. 各国应当开展合作。\n\n（a） 不损害关键基础设施；\n\ncyber-security and more\n\n\
             网络安全 and more\n"
        );
    }

    #[test]
    fn the_segmenter_finds_the_labels() {
        let body = render_body(&[
            Block::paragraph("13. States should:\n(a) cooperate;\n(b) report."),
            Block::paragraph("14. Last."),
        ]);
        let ids: Vec<String> =
            crate::corpus::segment(&body, crate::corpus::Segmentation::Paragraph)
                .into_iter()
                .map(|u| u.id.to_string())
                .collect();
        assert_eq!(ids, ["13", "13.a", "13.b", "14"]);
    }

    #[test]
    fn language_by_share_of_han_characters() {
        assert_eq!(guess_language("States should cooperate."), "en");
        assert_eq!(guess_language("各国应当开展 ICT 合作。"), "zh");
        assert_eq!(
            guess_language("The Chinese term 网络 appears in this English sentence."),
            "en"
        );
        assert_eq!(guess_language(""), "en");
    }

    #[test]
    fn year_from_text_dates_then_title_then_metadata() {
        let text = "Resolution 68/243 of 27 December 2013.\nDistr.: General 22 July 2015";
        assert_eq!(detect_year(text, None, &[]), Some(2015));
        assert_eq!(detect_year("发布于2017年4月12日", None, &[]), Some(2017));
        assert_eq!(
            detect_year("Issued on March 3, 2018.", None, &[]),
            Some(2018)
        );
        assert_eq!(
            detect_year("No date here. 1234 units.", Some("Norms paper 2016"), &[]),
            Some(2016)
        );
        assert_eq!(
            detect_year("Nothing.", None, &["D:20140601120000Z".to_string()]),
            Some(2014)
        );
        assert_eq!(detect_year("Nothing.", None, &[]), None);
    }
}
