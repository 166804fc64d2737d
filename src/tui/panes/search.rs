//! The search pane: the query, its state, and the hits.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Focus, SearchStatus};
use crate::tui::panes::{help, pane_block};
use crate::tui::text::{self, sanitize, str_width, truncate};
use crate::tui::widgets::wrap::wrapped;

pub(crate) fn render_search(frame: &mut Frame, app: &App, area: Rect) {
    let Some(search) = &app.search else {
        return;
    };
    let block = pane_block(" Search ".into(), app.focus == Focus::Search);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", Style::new().fg(Color::Yellow)),
        Span::raw(sanitize(&search.query).into_owned()),
        Span::styled(
            if search.editing && app.focus == Focus::Search {
                "█"
            } else {
                ""
            },
            Style::new().fg(Color::Yellow),
        ),
    ])];
    let dim = Style::new().fg(Color::DarkGray);
    match &search.status {
        SearchStatus::Opening { done, total } => {
            lines.push(Line::styled(
                format!("building the index… {done}/{total} documents"),
                Style::new().fg(Color::Yellow),
            ));
            let ratio = if *total == 0 {
                0.0
            } else {
                *done as f64 / *total as f64
            };
            let filled = ((width as f64) * ratio).round() as usize;
            lines.push(Line::from(vec![
                Span::styled("█".repeat(filled), Style::new().fg(Color::Cyan)),
                Span::styled("░".repeat(width.saturating_sub(filled)), dim),
            ]));
        }
        SearchStatus::Failed(err) => lines.push(Line::styled(
            truncate(&format!("search unavailable: {err}"), width),
            Style::new().fg(Color::Red),
        )),
        SearchStatus::Ready => {
            if let Some(err) = &search.error {
                // All of it: the end says what to change in the query.
                lines.extend(wrapped(err, width, "", Style::new().fg(Color::Red)));
            } else {
                let summary = if search.query.trim().is_empty() {
                    Line::styled(help::search_empty_hint(), dim)
                } else if search.answered != search.generation {
                    Line::styled("searching…", dim)
                } else {
                    let marked = if search.marked.is_empty() {
                        String::new()
                    } else {
                        format!(", {} marked", search.marked.len())
                    };
                    // The keys that work now: while the query is typed, letters go into it.
                    let keys = help::search_keys(search.editing);
                    Line::styled(
                        truncate(
                            &format!(
                                "{} hit{}{marked} · {keys}",
                                search.total,
                                if search.total == 1 { "" } else { "s" }
                            ),
                            width,
                        ),
                        dim,
                    )
                };
                lines.push(summary);
            }
        }
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    let offset = search.selected.saturating_sub(room.saturating_sub(1));
    for (i, hit) in search.hits.iter().enumerate().skip(offset).take(room) {
        let selected = i == search.selected && app.focus == Focus::Search && !search.editing;
        let base = if selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        let mark = if search.marked.contains(&i) {
            "■ "
        } else {
            "  "
        };
        let head = format!("{mark}{} {} ", hit.document, hit.unit);
        let mut spans = vec![Span::styled(head.clone(), base.fg(Color::Cyan))];
        // The snippet, its matches in bold yellow.
        let snippet: Vec<char> = hit.snippet.text.chars().map(text::visible).collect();
        let room = width.saturating_sub(str_width(&head));
        let mut used = 0;
        let mut at = 0;
        while at < snippet.len() && used < room {
            let highlighted = hit.snippet.highlights.iter().any(|r| r.contains(&at));
            let mut run = String::new();
            while at < snippet.len()
                && hit.snippet.highlights.iter().any(|r| r.contains(&at)) == highlighted
            {
                let w = text::char_width(snippet[at]);
                if used + w > room {
                    break;
                }
                used += w;
                run.push(if snippet[at] == '\n' {
                    ' '
                } else {
                    snippet[at]
                });
                at += 1;
            }
            if run.is_empty() {
                break;
            }
            let style = if highlighted {
                base.fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                base
            };
            spans.push(Span::styled(run, style));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
