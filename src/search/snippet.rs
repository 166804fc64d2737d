//! A short stretch of a unit's text around its first match, with the matches marked.

use std::ops::Range;

use serde::Serialize;

use crate::corpus::CodePointRange;

/// How many code points of context a snippet keeps before its first match.
const LEAD: usize = 60;

/// A stretch of a unit's text for a result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The text: white space shown as single spaces, `…` where it was cut.
    pub text: String,
    /// What to highlight: code point ranges of `text`, sorted, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// A snippet of at most about `max_chars` code points of `text`, around the first of
    /// `matches` (code point ranges of `text`, sorted).
    pub fn new(text: &str, matches: &[CodePointRange], max_chars: usize) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        let max_chars = max_chars.max(1);
        let (mut start, mut end) = (0, len);
        if len > max_chars {
            let anchor = matches.first().map_or(0, |m| m.start.min(len));
            start = anchor.saturating_sub(LEAD);
            // Start at a word where one starts shortly before.
            if start > 0
                && let Some(space) = chars[start..anchor]
                    .iter()
                    .take(LEAD / 3)
                    .position(|c| c.is_whitespace())
            {
                start += space + 1;
            }
            end = (start + max_chars).min(len);
            if end == len {
                start = len.saturating_sub(max_chars);
            }
        }
        let lead = if start > 0 { "…" } else { "" };
        let tail = if end < len { "…" } else { "" };
        let body: String = chars[start..end]
            .iter()
            .map(|&c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let shift = lead.chars().count();
        let highlights = matches
            .iter()
            .filter_map(|m| {
                let (s, e) = (m.start.max(start), m.end.min(end));
                (s < e).then(|| s - start + shift..e - start + shift)
            })
            .collect();
        Self {
            text: format!("{lead}{body}{tail}"),
            highlights,
        }
    }

    /// The text with each highlight between `open` and `close`: `[`/`]`, or ANSI bold.
    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 8);
        let mut next = self.highlights.iter().peekable();
        let mut inside: Option<usize> = None;
        for (i, c) in self.text.chars().enumerate() {
            if let Some(end) = inside
                && i == end
            {
                out.push_str(close);
                inside = None;
            }
            if inside.is_none()
                && let Some(h) = next.peek()
                && h.start == i
            {
                out.push_str(open);
                inside = Some(h.end);
                next.next();
            }
            out.push(c);
        }
        if inside.is_some() {
            out.push_str(close);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole_and_marked() {
        let s = Snippet::new(
            "States should\nreport 漏洞.",
            &[CodePointRange::new(21, 23)],
            200,
        );
        assert_eq!(s.text, "States should report 漏洞.");
        assert_eq!(s.render("[", "]"), "States should report [漏洞].");
    }

    #[test]
    fn long_text_is_cut_around_the_first_match() {
        let text = format!("{} disclosure {}", "word ".repeat(100), "tail ".repeat(100));
        let start = 501;
        let s = Snippet::new(&text, &[CodePointRange::new(start, start + 10)], 120);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert!(s.render("[", "]").contains("[disclosure]"));
        assert!(s.text.chars().count() <= 122);
    }
}
