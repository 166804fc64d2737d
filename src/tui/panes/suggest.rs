//! The suggestions box beside the codebook: the recommender's best indicators for the current
//! unit, ghosted (they are not codes until accepted), each with its key, score and reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::{Action, ModeKind};
use crate::tui::app::App;
use crate::tui::panes::{label, pane_block};
use crate::tui::text::{str_width, truncate};

/// The first key the key map gives `action` in the document pane ("-" when unbound).
fn first_key(app: &App, action: Action) -> String {
    app.keymap
        .keys_in(ModeKind::Normal, action)
        .first()
        .cloned()
        .unwrap_or_else(|| "-".into())
}

/// The key shown for suggestion #n.
fn key_for(app: &App, n: usize) -> String {
    let action = match n {
        1 => Action::AcceptSuggestion1,
        2 => Action::AcceptSuggestion2,
        3 => Action::AcceptSuggestion3,
        4 => Action::AcceptSuggestion4,
        _ => Action::AcceptSuggestion5,
    };
    first_key(app, action)
}

pub(crate) fn render_suggestions(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(state) = &app.suggest else {
        return;
    };
    let title = format!(
        " Suggestions · {} accept · {} reject · {} least sure ",
        first_key(app, Action::AcceptSuggestion1),
        first_key(app, Action::RejectSuggestion),
        first_key(app, Action::LeastSure)
    );
    let block = pane_block(t, title, false, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let lines: Vec<Line> = if app.suggestions().is_empty() {
        let text = match state.trained_units() {
            None => "training the recommender…",
            Some(_) => "no suggestion for this unit",
        };
        vec![Line::styled(truncate(text, width), t.dim)]
    } else {
        app.suggestions()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let key = format!("{:<4}", key_for(app, i + 1));
                let name = app
                    .project
                    .codebook
                    .indicator(&s.indicator)
                    .map(|ind| label(app, &ind.label).to_string())
                    .unwrap_or_default();
                let head = format!("{key}{} {:.2} ", s.indicator, s.score);
                let rest = format!("{name} · {}", s.reason);
                let room = width.saturating_sub(str_width(&head));
                Line::from(vec![
                    Span::styled(head, t.accent),
                    Span::styled(truncate(&rest, room), t.dim),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
