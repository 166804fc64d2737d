//! A centred popup rectangle, and clearing the cells under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;

pub(crate) fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears the cells under a popup and a column of margin on each side, so that no letter of
/// the text behind stands against its borders as if it were part of it (pane borders in the
/// margin stay). A wide character whose right half the left border would cover goes too: left
/// there, the terminal would draw it over the border (the frame diff skips the cell after a
/// wide character).
pub(crate) fn clear(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let buffer = frame.buffer_mut();
    let margins = [rect.x.checked_sub(1), Some(rect.right())];
    for x in margins.into_iter().flatten() {
        for y in rect.top()..rect.bottom() {
            if let Some(cell) = buffer.cell_mut((x, y))
                && !cell
                    .symbol()
                    .chars()
                    .all(|c| ('\u{2500}'..='\u{257f}').contains(&c))
            {
                cell.reset();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::{Block, Paragraph};

    #[test]
    fn no_letter_of_the_text_behind_touches_a_popup_and_pane_borders_stay() {
        let mut terminal = Terminal::new(TestBackend::new(20, 5)).unwrap();
        terminal
            .draw(|frame| {
                let area = frame.area();
                frame.render_widget(
                    Paragraph::new("sssssssssssssssssss\n中文中文中文中文中文")
                        .block(Block::bordered()),
                    area,
                );
                let rect = popup(area, 10, 3);
                clear(frame, rect);
                frame.render_widget(Block::bordered(), rect);
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        let row = |y: u16| (0..20).map(|x| buffer[(x, y)].symbol()).collect::<String>();
        assert_eq!(row(1), "│sss ┌────────┐ sss│", "{}", row(1));
        assert!(
            row(2).starts_with('│') && row(2).ends_with('│'),
            "{}",
            row(2)
        );
        assert!(row(2).contains(" │        │ "), "{}", row(2));
    }
}
