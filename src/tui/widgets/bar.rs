//! Horizontal bars for the reports.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use crate::tui::text::{str_width, truncate};

/// One horizontal bar: `label`, a bar of `value / max` of the room, and the figure.
pub(crate) fn bar_line(
    label: &str,
    value: usize,
    max: usize,
    figure: String,
    width: usize,
    color: Color,
) -> Line<'static> {
    let label_width = 34.min(width / 2);
    let label = truncate(label, label_width);
    let pad = " ".repeat(label_width.saturating_sub(str_width(&label)) + 1);
    let room = width.saturating_sub(label_width + 2 + figure.len() + 1);
    let filled = if max == 0 {
        0
    } else {
        (room * value).div_ceil(max).min(room)
    };
    Line::from(vec![
        Span::raw(format!("{label}{pad}")),
        Span::styled("█".repeat(filled), Style::new().fg(color)),
        Span::raw(format!(" {figure}")),
    ])
}
