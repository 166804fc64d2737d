//! Wrapped, styled lines.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::text::{drawable, sanitize_lines, str_width, wrap};

/// Wraps `text` to `width` with `style`: `indent` before the first line, as many spaces before
/// the others (a label such as "not: " is not repeated). Line breaks in the text start new
/// lines.
pub(crate) fn wrapped(text: &str, width: usize, indent: &str, style: Style) -> Vec<Line<'static>> {
    let safe = sanitize_lines(text);
    let chars: Vec<char> = safe.chars().collect();
    let pad = " ".repeat(str_width(indent));
    wrap(&safe, width.saturating_sub(str_width(indent)))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let lead = if i == 0 { indent } else { pad.as_str() };
            Line::from(vec![
                Span::raw(lead.to_string()),
                Span::styled(drawable(&chars[l.start..l.end]), style),
            ])
        })
        .collect()
}

/// A memo as [`wrapped`] lines, each of its own lines starting a new screen line: `indent`
/// before the first, as many spaces before the others.
pub(crate) fn wrapped_memo(
    memo: &str,
    width: usize,
    indent: &str,
    style: Style,
) -> Vec<Line<'static>> {
    let pad = " ".repeat(str_width(indent));
    let mut lines = Vec::new();
    for (i, line) in memo.lines().enumerate() {
        let lead = if i == 0 { indent } else { pad.as_str() };
        let mut these = wrapped(line, width, lead, style);
        if these.is_empty() {
            these.push(Line::from(lead.to_string()));
        }
        lines.extend(these);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_wrapped_label_is_not_repeated_on_the_following_lines() {
        let lines = wrapped(
            "Mere statements of support for multilateralism in general.",
            24,
            "  not: ",
            Style::new(),
        );
        let texts = texts(&lines);
        assert!(texts.len() > 1, "{texts:?}");
        assert!(texts[0].starts_with("  not: "), "{texts:?}");
        for line in &texts[1..] {
            assert!(!line.contains("not:"), "{texts:?}");
            assert!(line.starts_with("       "), "{texts:?}");
        }
    }

    #[test]
    fn line_breaks_are_real_line_breaks_not_symbols() {
        let lines = wrapped("first line\nsecond line", 40, "", Style::new());
        assert_eq!(texts(&lines), ["first line", "second line"]);
        let memo = wrapped_memo("one\ntwo", 40, "  ✎ ", Style::new());
        assert_eq!(texts(&memo), ["  ✎ one", "    two"]);
    }
}
