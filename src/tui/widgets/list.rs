//! The one scrolling list: the codebook rows, the search hits, the prompt's candidates. It
//! keeps the selection in view, marks with ▲/▼ on the column right of it (the pane's border)
//! that there is more above or below, and says which rows it drew, for mouse clicks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::theme::Theme;

/// The first item shown: as far down as keeps `selected` on the last row, no further.
pub(crate) fn offset(len: usize, selected: Option<usize>, height: usize) -> usize {
    match selected {
        Some(s) if len > 0 && height > 0 => s.min(len - 1).saturating_sub(height - 1),
        _ => 0,
    }
}

/// Draws items `offset..` of a list of `len` in `area`, each made by `line(index)` (only the
/// items in view are made); returns (row, index) of each item drawn.
pub(crate) fn render_list<'a>(
    frame: &mut Frame,
    area: Rect,
    len: usize,
    selected: Option<usize>,
    theme: &Theme,
    line: impl FnMut(usize) -> Line<'a>,
) -> Vec<(u16, usize)> {
    let height = area.height as usize;
    if height == 0 || len == 0 {
        return Vec::new();
    }
    let first = offset(len, selected, height);
    let end = (first + height).min(len);
    let lines: Vec<Line> = (first..end).map(line).collect();
    frame.render_widget(Paragraph::new(lines), area);
    let buffer = frame.buffer_mut();
    if first > 0
        && let Some(cell) = buffer.cell_mut((area.right(), area.y))
    {
        cell.set_symbol("▲").set_style(theme.dim);
    }
    if end < len
        && let Some(cell) = buffer.cell_mut((area.right(), area.bottom() - 1))
    {
        cell.set_symbol("▼").set_style(theme.dim);
    }
    (first..end)
        .enumerate()
        .map(|(row, index)| (area.y + row as u16, index))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    #[test]
    fn the_selection_stays_in_view_and_the_rows_drawn_are_reported() {
        assert_eq!(offset(100, Some(3), 10), 0);
        assert_eq!(offset(100, Some(15), 10), 6);
        assert_eq!(offset(100, Some(500), 10), 90);
        assert_eq!(offset(5, None, 10), 0);
        let mut terminal = Terminal::new(TestBackend::new(12, 6)).unwrap();
        let mut rows = Vec::new();
        terminal
            .draw(|frame| {
                let area = Rect::new(1, 1, 10, 4);
                rows = render_list(frame, area, 20, Some(9), &Theme::plain(), |i| {
                    Line::raw(format!("item {i}"))
                });
            })
            .unwrap();
        assert_eq!(rows, [(1, 6), (2, 7), (3, 8), (4, 9)]);
        let buffer = terminal.backend().buffer();
        assert_eq!(buffer[(11, 1)].symbol(), "▲");
        assert_eq!(buffer[(11, 4)].symbol(), "▼");
        assert_eq!(buffer[(1, 4)].symbol(), "i");
    }
}
