//! The panes of the main screen and the views drawn over them.

pub mod codebook;
pub mod details;
pub mod document;
pub mod help;
pub mod prompt;
pub mod reports;
pub mod review;
pub mod search;
pub mod split;
pub mod status;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use crate::codebook::Localized;
use crate::tui::app::App;
use crate::tui::text::fit_title;

/// A pane's frame; its title cut between words to fit `width` (the pane's).
pub(crate) fn pane_block(title: String, focused: bool, width: u16) -> Block<'static> {
    let title = fit_title(&title, (width as usize).saturating_sub(2));
    let style = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ))
}
pub(crate) fn label<'a>(app: &App, text: &'a Localized) -> &'a str {
    text.get(&app.language)
}
