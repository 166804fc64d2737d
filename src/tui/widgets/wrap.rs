//! Wrapped, styled lines.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::text::{sanitize, str_width, wrap};

/// Wraps `text` to `width` with `style`, each line prefixed by `indent`.
pub(crate) fn wrapped(text: &str, width: usize, indent: &str, style: Style) -> Vec<Line<'static>> {
    let safe = sanitize(text);
    let chars: Vec<char> = safe.chars().collect();
    wrap(&safe, width.saturating_sub(str_width(indent)))
        .into_iter()
        .map(|l| {
            Line::from(vec![
                Span::raw(indent.to_string()),
                Span::styled(chars[l.start..l.end].iter().collect::<String>(), style),
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
