//! Text with hard line wraps and no blank lines between paragraphs, as text copied out of a PDF
//! comes: where its paragraphs end.
//!
//! The rule (also in the README's section on units). A body is read as wrapped text when its
//! front matter says `segmentation: wrapped`, or, unless it says `segmentation: blank-lines`,
//! when it looks like one: at least five lines of text, not one blank line between two of
//! them, a usual line width (the width nine lines in ten stay within) of at least 40 columns,
//! and at least half of the lines filling 70% of that width. In wrapped text, besides blank
//! lines and headings, a line ends its paragraph when
//!
//! 1. it ends a sentence (`.`, `!`, `?`, `。`, `！`, `？`, maybe followed by a closing quote or
//!    bracket), it is clearly shorter than the usual width (by more than 15%), and the next line
//!    starts a new sentence (a capital letter, a digit, a Chinese character, an opening quote or
//!    bracket) or a label;
//! 2. it is short (under 65% of the usual width), does not end with a comma, hyphen,
//!    conjunction, article or preposition, and the next line starts with a capital letter, a digit, a Chinese character
//!    or a label: a title line, which becomes a unit of its own;
//! 3. the next line starts with a bullet (`•`, `-`, …);
//! 4. the next line starts with a number or letter label (`13.`, `(a)`, `(iv)`, `a)`) and this
//!    line ends a clause (`.`, `:`, `;`, `!`, `?` or their Chinese forms, or `and`, `or`, `和`,
//!    `或`), or is clearly short. A label at the start of a full line after a line that runs on
//!    (`… as set out in` / `(a) above`) does not start a paragraph.
//!
//! Lettered sub-paragraphs whose heading number was lost stay lettered units under the
//! paragraph before them (`p3.a`): see [`super::lists`].

use unicode_width::UnicodeWidthStr;

use super::lists::{Style, marker};

/// How a document's paragraphs are told apart: its front matter's `segmentation:`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Blank lines, unless the body looks wrapped (see the module's rule).
    #[default]
    Auto,
    /// Blank lines only: lines of a paragraph may be of any length.
    BlankLines,
    /// Wrapped text: the module's rule, whatever the body looks like.
    Wrapped,
}

impl Layout {
    /// The front matter values, for messages.
    pub const NAMES: &[&str] = &["auto", "blank-lines", "wrapped"];

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "auto" => Some(Self::Auto),
            "blank-lines" => Some(Self::BlankLines),
            "wrapped" => Some(Self::Wrapped),
            _ => None,
        }
    }
}

/// How a body is read: by blank lines, or as wrapped lines of about `width` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    BlankLines,
    Wrapped {
        /// The usual line width, in columns (a Chinese character is two).
        width: usize,
        /// Whether the body was found to be wrapped (rather than said to be).
        detected: bool,
    },
}

/// Fewer lines of text than this are never taken for wrapped text.
const MIN_LINES: usize = 5;
/// Narrower usual widths are never taken for wrapped text (a list of short lines is no PDF).
const MIN_WIDTH: usize = 40;

/// How `body` is read under `layout`.
pub fn reading(body: &str, layout: Layout) -> Reading {
    let widths = || {
        body.split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(UnicodeWidthStr::width)
    };
    match layout {
        Layout::BlankLines => Reading::BlankLines,
        Layout::Wrapped => Reading::Wrapped {
            width: usual_width(widths().collect()).max(1),
            detected: false,
        },
        Layout::Auto => {
            let text = body.trim_matches(|c: char| c.is_whitespace());
            let blank_inside = text.split('\n').any(|l| l.trim().is_empty());
            let widths: Vec<usize> = widths().collect();
            if blank_inside || widths.len() < MIN_LINES {
                return Reading::BlankLines;
            }
            let width = usual_width(widths.clone());
            let full = widths.iter().filter(|&&w| w * 10 >= width * 7).count();
            if width >= MIN_WIDTH && full * 2 >= widths.len() {
                Reading::Wrapped {
                    width,
                    detected: true,
                }
            } else {
                Reading::BlankLines
            }
        }
    }
}

/// The width nine lines in ten stay within.
fn usual_width(mut widths: Vec<usize>) -> usize {
    if widths.is_empty() {
        return 0;
    }
    widths.sort_unstable();
    widths[(widths.len() * 9 / 10).min(widths.len() - 1)]
}

/// Whether, in wrapped text of usual width `width`, the paragraph ends between line `this` and
/// line `next` (both trimmed, neither blank).
pub(super) fn ends_between(this: &str, next: &str, width: usize) -> bool {
    let columns = this.width();
    let clearly_short = columns * 100 < width * 85;
    let short = columns * 100 < width * 65;
    match marker(next) {
        Some(m) if m.style == Style::Bullet => return true,
        Some(_) => return ends_clause(this) || clearly_short,
        None => {}
    }
    let starts_sentence = starts_sentence(next);
    (ends_sentence(this) && clearly_short && starts_sentence)
        || (short && starts_sentence && !runs_on(this))
}

fn ends_sentence(text: &str) -> bool {
    let text = text.trim_end_matches(['"', '\'', ')', '”', '’', '」', '）', '»']);
    text.ends_with(['.', '!', '?', '。', '！', '？'])
}

/// Whether a line ends where a list item or numbered paragraph may follow.
fn ends_clause(text: &str) -> bool {
    ends_sentence(text)
        || text.ends_with([':', ';', '：', '；'])
        || text.ends_with(" and")
        || text.ends_with(" or")
        || text.ends_with(['和', '或'])
}

/// Whether a line ends mid-sentence for sure: a comma, a hyphen, a conjunction.
fn runs_on(text: &str) -> bool {
    text.ends_with([',', '-', '，', '、', '(', '（'])
        || [
            "and", "or", "the", "of", "to", "a", "an", "in", "on", "at", "by", "for", "with",
            "from", "as", "that", "which", "its", "their",
        ]
        .iter()
        .any(|w| text.ends_with(&format!(" {w}")))
}

fn starts_sentence(text: &str) -> bool {
    let text = text.trim_start_matches(['"', '\'', '(', '“', '‘', '「', '（', '«']);
    text.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || is_han(c))
}

/// A Han (Chinese) character: Chinese sentences start with one.
fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ebef}'
        | '\u{30000}'..='\u{3134f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_values_are_read() {
        assert_eq!(Layout::parse("wrapped"), Some(Layout::Wrapped));
        assert_eq!(Layout::parse(" blank-lines "), Some(Layout::BlankLines));
        assert_eq!(Layout::parse("auto"), Some(Layout::Auto));
        assert_eq!(Layout::parse("sentence"), None);
    }

    #[test]
    fn a_short_line_that_ends_a_sentence_ends_its_paragraph() {
        let width = 80;
        assert!(ends_between("of the Internet.", "States also noted", width));
        assert!(ends_between("of the Internet.”", "“States also", width));
        assert!(
            !ends_between("of the Internet.", "and more", width),
            "no new sentence"
        );
        let full = "States reaffirmed that international law applies to the use of ICTs by U.N.";
        assert!(!ends_between(full, "Member States", width), "a full line");
        assert!(
            ends_between("Introduction", "The Group met", width),
            "a title"
        );
        assert!(
            !ends_between("in the use of", "ICTs by States", width),
            "runs on"
        );
        assert!(ends_between("专家组注意到风险。", "各国应合作", width));
    }

    #[test]
    fn labels_start_a_paragraph_after_a_clause_only() {
        let full = "The Group recommends that the following measures be considered by States:";
        assert!(ends_between(full, "(a) Cooperate", 76));
        let running = "The Group recommends measures that States could take, as set out in";
        assert!(!ends_between(
            running,
            "(a) above and in the annex to this report",
            70
        ));
        assert!(
            ends_between(running, "• Cooperate", 70),
            "a bullet always does"
        );
    }

    #[test]
    fn wrapped_bodies_are_detected_and_others_not() {
        let wrapped = "The Group met in four sessions and considered existing and emerging\n\
                       threats, norms, rules and principles of responsible behaviour of\n\
                       States, confidence-building measures and capacity-building.\n\
                       ICTs have become a vital part of daily life and bring immense\n\
                       benefits to economic and social development in every region of\n\
                       the world.\n";
        assert!(matches!(
            reading(wrapped, Layout::Auto),
            Reading::Wrapped { detected: true, .. }
        ));
        assert_eq!(
            reading(wrapped, Layout::BlankLines),
            Reading::BlankLines,
            "front matter says no"
        );
        let with_blank = wrapped.replacen("building.\n", "building.\n\n", 1);
        assert_eq!(reading(&with_blank, Layout::Auto), Reading::BlankLines);
        let short_lines = "one\ntwo\nthree\nfour\nfive\nsix\n";
        assert_eq!(reading(short_lines, Layout::Auto), Reading::BlankLines);
        assert!(matches!(
            reading(short_lines, Layout::Wrapped),
            Reading::Wrapped {
                detected: false,
                ..
            }
        ));
        assert_eq!(
            reading("", Layout::Wrapped),
            Reading::Wrapped {
                width: 1,
                detected: false
            }
        );
    }
}
