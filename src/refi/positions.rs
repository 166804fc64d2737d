//! Where a REFI-QDA selection really is. The standard counts Unicode code points from 0 with
//! the end exclusive, in the source text as stored; tools differ: some count UTF-16 code units
//! (an emoji is two), some count `\r\n` as one character (ATLAS.ti), some make the end
//! inclusive. Each selection is checked against the text it names (its `name`, which QualCoder
//! and normcode fill with the selected text) and read the way that matches.

use crate::corpus::CodePointRange;

/// How a selection's positions were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reading {
    pub utf16: bool,
    /// `\r\n` counted as one character (the text as normcode stores it).
    pub crlf_as_one: bool,
    pub inclusive_end: bool,
}

impl Reading {
    /// What the standard says.
    pub const STANDARD: Reading = Reading {
        utf16: false,
        crlf_as_one: false,
        inclusive_end: false,
    };

    /// Words for a report ("UTF-16 code units, an inclusive end").
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.utf16 {
            parts.push("counted UTF-16 code units instead of code points");
        }
        if self.crlf_as_one {
            parts.push("counted a line break \\r\\n as one character");
        }
        if self.inclusive_end {
            parts.push("had an inclusive end");
        }
        parts.join(", ")
    }
}

/// A source text as stored (`raw`, BOM removed) and as normcode keeps it (`\r\n` and `\r`
/// read as `\n`), with what it takes to turn positions into code points of the latter.
pub struct Text {
    /// Code point index in `raw` → code point index in the normalized text.
    raw_to_norm: Vec<usize>,
    /// UTF-16 offset → code point offset, for `raw` and the normalized text (`None` inside a
    /// surrogate pair).
    raw_utf16: Vec<Option<usize>>,
    norm_utf16: Vec<Option<usize>>,
    norm_chars: Vec<char>,
}

fn utf16_map(chars: impl Iterator<Item = char>) -> Vec<Option<usize>> {
    let mut map = vec![Some(0)];
    for (i, c) in chars.enumerate() {
        if c.len_utf16() == 2 {
            map.push(None);
        }
        map.push(Some(i + 1));
    }
    map
}

impl Text {
    pub fn new(raw: &str) -> Self {
        let raw_chars: Vec<char> = raw.chars().collect();
        let mut raw_to_norm = Vec::with_capacity(raw_chars.len() + 1);
        let mut norm_chars = Vec::with_capacity(raw_chars.len());
        let mut i = 0;
        while i < raw_chars.len() {
            raw_to_norm.push(norm_chars.len());
            if raw_chars[i] == '\r' && raw_chars.get(i + 1) == Some(&'\n') {
                // The `\n` of a `\r\n` is the same character in the normalized text.
                raw_to_norm.push(norm_chars.len());
                norm_chars.push('\n');
                i += 2;
            } else {
                norm_chars.push(if raw_chars[i] == '\r' {
                    '\n'
                } else {
                    raw_chars[i]
                });
                i += 1;
            }
        }
        raw_to_norm.push(norm_chars.len());
        Self {
            raw_to_norm,
            raw_utf16: utf16_map(raw_chars.iter().copied()),
            norm_utf16: utf16_map(norm_chars.iter().copied()),
            norm_chars,
        }
    }

    /// The normalized text's length in code points.
    pub fn char_count(&self) -> usize {
        self.norm_chars.len()
    }

    /// The normalized text of `range`.
    pub fn slice(&self, range: CodePointRange) -> String {
        self.norm_chars[range.start..range.end].iter().collect()
    }

    /// `start`..`end` read as `reading` says, in code points of the normalized text; `None`
    /// when out of range or inside a character.
    pub fn range(&self, start: u64, end: u64, reading: Reading) -> Option<CodePointRange> {
        let end = if reading.inclusive_end {
            end.checked_add(1)?
        } else {
            end
        };
        if start > end {
            return None;
        }
        let convert = |at: u64| -> Option<usize> {
            let at = usize::try_from(at).ok()?;
            match (reading.utf16, reading.crlf_as_one) {
                (false, true) => (at <= self.norm_chars.len()).then_some(at),
                (true, true) => *self.norm_utf16.get(at)?,
                (false, false) => self.raw_to_norm.get(at).copied(),
                (true, false) => {
                    let raw = (*self.raw_utf16.get(at)?)?;
                    self.raw_to_norm.get(raw).copied()
                }
            }
        };
        Some(CodePointRange::new(convert(start)?, convert(end)?))
    }
}

/// The readings tried, the standard's first.
pub fn readings() -> Vec<Reading> {
    let mut all = Vec::new();
    for inclusive_end in [false, true] {
        for utf16 in [false, true] {
            for crlf_as_one in [false, true] {
                all.push(Reading {
                    utf16,
                    crlf_as_one,
                    inclusive_end,
                });
            }
        }
    }
    all
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `selected` is the text a selection's `name` shows: the same words, or their start
/// when the name is cut short (normcode ends those with `…`).
pub fn name_matches(name: &str, selected: &str) -> bool {
    let name = collapse(name);
    let selected = collapse(selected);
    if name == selected {
        return true;
    }
    match name.strip_suffix('…') {
        Some(start) => !start.is_empty() && selected.starts_with(start),
        None => false,
    }
}

/// Where a selection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// Its name matched the text read this way.
    Checked(CodePointRange, Reading),
    /// Its name did not say (none, or not the text): read as the standard says.
    Unchecked(CodePointRange),
    /// Out of range in every reading.
    Outside,
}

/// Finds where a selection `start`..`end` named `name` is in `text`.
pub fn place(text: &Text, start: u64, end: u64, name: Option<&str>) -> Placed {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = name {
        for reading in readings() {
            if let Some(range) = text.range(start, end, reading)
                && !range.is_empty()
                && name_matches(name, &text.slice(range))
            {
                return Placed::Checked(range, reading);
            }
        }
    }
    match text.range(start, end, Reading::STANDARD) {
        Some(range) => Placed::Unchecked(range),
        None => Placed::Outside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_inclusive_and_crlf_are_recognized() {
        let text = Text::new("😀 ab\r\ncd");
        // Code points: 😀=0, ' '=1, a=2, b=3, \r=4, \n=5, c=6.
        assert_eq!(
            place(&text, 2, 4, Some("ab")),
            Placed::Checked(CodePointRange::new(2, 4), Reading::STANDARD)
        );
        // UTF-16: the emoji is two units.
        let Placed::Checked(range, reading) = place(&text, 3, 5, Some("ab")) else {
            panic!()
        };
        assert_eq!(range, CodePointRange::new(2, 4));
        assert!(reading.utf16 && !reading.inclusive_end);
        // Inclusive end.
        let Placed::Checked(range, reading) = place(&text, 2, 3, Some("ab")) else {
            panic!()
        };
        assert_eq!(range, CodePointRange::new(2, 4));
        assert!(reading.inclusive_end);
        // `cd` after the CRLF: 6..8 counting it as two, 5..7 in the normalized text.
        assert_eq!(
            place(&text, 6, 8, Some("cd")),
            Placed::Checked(CodePointRange::new(5, 7), Reading::STANDARD)
        );
        let Placed::Checked(range, reading) = place(&text, 5, 7, Some("cd")) else {
            panic!()
        };
        assert_eq!(range, CodePointRange::new(5, 7));
        assert!(reading.crlf_as_one);
        assert_eq!(place(&text, 0, 99, Some("x")), Placed::Outside);
        assert_eq!(
            place(&text, 0, 1, None),
            Placed::Unchecked(CodePointRange::new(0, 1))
        );
    }

    #[test]
    fn cut_names_match_their_start() {
        assert!(name_matches(
            "Governments should…",
            "Governments  should\nrefrain"
        ));
        assert!(!name_matches(
            "Governments must…",
            "Governments should refrain"
        ));
    }
}
