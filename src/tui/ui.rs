//! Rendering: reads the app state and draws a frame. Only the units in view are wrapped and
//! drawn, so a long document costs no more per frame than a short one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::Color;

use super::app::{App, LayoutCache};
use super::panes::codebook::{render_codebook, render_definition};
use super::panes::details::render_details;
use super::panes::document::render_document;
use super::panes::help::render_help;
use super::panes::orphans::render_orphans;
use super::panes::prompt::render_prompt;
use super::panes::reports::render_reports;
use super::panes::review::render_review;
use super::panes::search::render_search;
use super::panes::split::render_split;
use super::panes::status::render_status;

pub use super::theme::indicator_color;

/// Columns left of the text in the document pane: marker, unit id or code, space.
pub const GUTTER: usize = 9;

/// Draws `app` and returns where it put things (the caller keeps it as `App::layout`).
pub fn render(frame: &mut Frame, app: &App) -> LayoutCache {
    let [main, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    let document_share = if main.width >= 140 { 60 } else { 56 };
    let [document, right] = Layout::horizontal([
        Constraint::Percentage(document_share),
        Constraint::Percentage(100 - document_share),
    ])
    .areas(main);
    let [codebook, definition, details] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Percentage(30),
        Constraint::Percentage(25),
    ])
    .areas(right);

    let mut layout = LayoutCache {
        document,
        codebook,
        details,
        ..LayoutCache::default()
    };
    layout.units = render_document(frame, app, document);
    if app.mode.orphans().is_some() {
        // The re-attach view takes the codebook's column; the document pane stays, to move
        // to the unit an annotation goes to.
        render_orphans(frame, app, right);
        layout.codebook = Default::default();
        layout.details = Default::default();
    } else {
        let codebook = match &app.suggest {
            Some(state) if state.is_on() && codebook.height >= 10 => {
                let [codebook, suggestions] = Layout::vertical([
                    Constraint::Min(4),
                    Constraint::Length(super::modes::suggest::SHOWN as u16 + 2),
                ])
                .areas(codebook);
                super::panes::suggest::render_suggestions(frame, app, suggestions);
                codebook
            }
            _ => codebook,
        };
        layout.codebook = codebook;
        layout.codebook_rows = render_codebook(frame, app, codebook);
        render_definition(frame, app, definition);
        if app.mode.split().is_some() {
            render_split(frame, app, details);
        } else if app.search.is_some() {
            render_search(frame, app, details);
        } else {
            render_details(frame, app, details);
        }
    }
    render_status(frame, app, status);
    let reviewing = app.mode.review().is_some_and(|r| !r.peek);
    if reviewing {
        render_review(frame, app, main);
    }
    if app.mode.reports().is_some() {
        render_reports(frame, app, main);
    }
    if app.prompt().is_some() {
        render_prompt(frame, app, if reviewing { main } else { document });
    }
    if app.mode.help().is_some() {
        render_help(frame, app, main);
    }
    if !app.theme.color {
        // NO_COLOR: whatever a pane asked for, the terminal's own colours (the theme's
        // modifiers still mark selection, focus, matches and errors).
        for cell in &mut frame.buffer_mut().content {
            cell.fg = Color::Reset;
            cell.bg = Color::Reset;
        }
    }
    layout
}
