//! The status bar.

use std::sync::atomic::Ordering;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::ModeKind;
use crate::tui::app::App;
use crate::tui::panes::help;
use crate::tui::text::{sanitize, str_width};

pub(crate) fn ago(at: Option<Instant>) -> String {
    match at {
        None => "not yet".into(),
        Some(at) => {
            let secs = at.elapsed().as_secs();
            if secs < 60 {
                format!("{secs} s ago")
            } else {
                format!("{} min ago", secs / 60)
            }
        }
    }
}

pub(crate) fn render_status(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let (coded, units) = app.document_progress();
    let (done, documents) = app.corpus_progress();
    let save = if app.read_only {
        Span::styled("read-only", t.warning)
    } else if app.disk.unreadable.is_some() {
        // Saved beside the coder's file, which cannot be read: not where the coder expects.
        Span::styled("NOT SAVED (kept beside)", t.alert)
    } else if let Some(error) = &app.save.error {
        // The error names a path and can be long: with a message to show (such as the warning
        // when quitting unsaved), it would push the message off the screen.
        let text = match &app.message {
            Some(_) => "NOT SAVED".to_string(),
            None => format!("NOT SAVED: {}", sanitize(error)),
        };
        Span::styled(text, t.alert)
    } else if app.save.is_dirty() {
        Span::styled("saving…", t.warning)
    } else {
        Span::styled(format!("saved {}", ago(app.save.last_saved)), t.ok)
    };
    let sep = Span::styled(" │ ", t.dim);
    let mut spans = vec![
        Span::styled(" normcode ", t.badge),
        Span::raw(" "),
        Span::styled(
            app.coder.name.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        sep.clone(),
        Span::raw(format!(
            "unit {}/{units}",
            if units == 0 { 0 } else { app.unit + 1 }
        )),
        sep.clone(),
        Span::raw(format!("coded {coded}/{units}")),
        sep.clone(),
        match &app.loading {
            Some(loading) => Span::styled(
                format!(
                    "loading documents {}/{}…",
                    loading.read.load(Ordering::Relaxed).min(loading.documents),
                    loading.documents
                ),
                t.warning,
            ),
            None => Span::raw(format!(
                "doc {}/{documents}, {done} done",
                if documents == 0 { 0 } else { app.doc + 1 }
            )),
        },
        sep.clone(),
        save,
    ];
    if let Some(message) = &app.message {
        spans.push(sep.clone());
        let style = if message.is_error {
            t.error
        } else {
            Style::new()
        };
        spans.push(Span::styled(sanitize(&message.text).into_owned(), style));
        // A message that does not fit takes the place of the progress counts (unit, coded,
        // doc): what just happened matters more than counts that are on screen elsewhere.
        if Line::from(spans.clone()).width() > area.width as usize {
            spans.drain(3..9);
        }
    } else {
        // The keys of the mode, from the action table: only what fits after the counts.
        spans.push(sep);
        let kind = app.mode.kind();
        let badge = kind.badge().map_or(0, str_width);
        let width = |spans: &Vec<Span>| Line::from(spans.clone()).width() + badge;
        // Outside normal mode the keys matter more than the counts (on screen elsewhere).
        if kind != ModeKind::Normal && width(&spans) + 30 > area.width as usize && spans.len() > 9 {
            spans.drain(3..9);
        }
        let room = (area.width as usize).saturating_sub(width(&spans));
        let shown = help::legend_that_fits(&app.keymap.legend(kind), room);
        if shown.is_empty() {
            spans.pop();
        } else {
            spans.push(Span::styled(sanitize(&shown).into_owned(), t.dim));
        }
    }
    if let Some(badge) = app.mode.kind().badge() {
        spans.insert(1, Span::styled(badge, t.badge_warning));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
