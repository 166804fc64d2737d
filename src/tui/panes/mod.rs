//! The panes of the main screen and the views drawn over them.

pub mod codebook;
pub mod details;
pub mod document;
pub mod help;
pub mod orphans;
pub mod prompt;
pub mod reports;
pub mod review;
pub mod search;
pub mod split;
pub mod status;
pub mod suggest;
pub mod timeline;

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use crate::codebook::Localized;
use crate::tui::app::App;
use crate::tui::text::fit_title;
use crate::tui::theme::Theme;

/// A pane's frame; its title cut between words to fit `width` (the pane's).
pub(crate) fn pane_block(
    theme: &Theme,
    title: String,
    focused: bool,
    width: u16,
) -> Block<'static> {
    let title = fit_title(&title, (width as usize).saturating_sub(2));
    let style = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(title, theme.title))
}
pub(crate) fn label<'a>(app: &App, text: &'a Localized) -> &'a str {
    text.get(&app.language)
}
