//! The search pane: the query, its state, and the hits.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::action::ModeKind;
use crate::tui::app::{App, Focus, SearchStatus};
use crate::tui::panes::{help, pane_block};
use crate::tui::text::{self, sanitize, str_width, truncate};
use crate::tui::widgets::list::render_list;
use crate::tui::widgets::wrap::wrapped;

pub(crate) fn render_search(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(search) = &app.search else {
        return;
    };
    let block = pane_block(
        &app.theme,
        " Search ".into(),
        app.focus == Focus::Search,
        area.width,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", t.note),
        Span::raw(sanitize(&search.query).into_owned()),
        Span::styled(
            if app.mode.kind() == ModeKind::Query {
                "█"
            } else {
                ""
            },
            t.note,
        ),
    ])];
    let dim = t.dim;
    match &search.status {
        SearchStatus::Opening { done, total } => {
            lines.push(Line::styled(
                format!("building the index… {done}/{total} documents"),
                t.note,
            ));
            let ratio = if *total == 0 {
                0.0
            } else {
                *done as f64 / *total as f64
            };
            let filled = ((width as f64) * ratio).round() as usize;
            lines.push(Line::from(vec![
                Span::styled("█".repeat(filled), t.accent),
                Span::styled("░".repeat(width.saturating_sub(filled)), dim),
            ]));
        }
        SearchStatus::Failed(err) => lines.push(Line::styled(
            truncate(&format!("search unavailable: {err}"), width),
            t.error,
        )),
        SearchStatus::Ready => {
            if let Some(err) = &search.error {
                // All of it: the end says what to change in the query.
                lines.extend(wrapped(err, width, "", t.error));
            } else {
                let summary = if search.query.trim().is_empty() {
                    Line::styled(help::search_empty_hint(app), dim)
                } else if search.answered != search.generation {
                    Line::styled("searching…", dim)
                } else {
                    let marked = if search.marked.is_empty() {
                        String::new()
                    } else {
                        format!(", {} marked", search.marked.len())
                    };
                    // The keys that work now: while the query is typed, letters go into it.
                    let keys = help::search_keys(app);
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
    let header = (lines.len() as u16).min(inner.height);
    frame.render_widget(Paragraph::new(lines), inner);
    let list_area = Rect {
        y: inner.y + header,
        height: inner.height - header,
        ..inner
    };
    render_list(
        frame,
        list_area,
        search.hits.len(),
        Some(search.selected),
        t,
        |i| {
            let hit = &search.hits[i];
            let selected = i == search.selected && app.mode.kind() == ModeKind::Search;
            let base = if selected { t.selection } else { Style::new() };
            let mark = if search.marked.contains(&i) {
                "■ "
            } else {
                "  "
            };
            let head = hit_head(mark, hit.document.as_str(), hit.unit.as_str(), width);
            let mut spans = vec![Span::styled(head.clone(), base.patch(t.accent))];
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
                    if !text::is_zero_width_format(snippet[at]) {
                        run.push(if snippet[at] == '\n' {
                            ' '
                        } else {
                            snippet[at]
                        });
                    }
                    at += 1;
                }
                if run.is_empty() {
                    break;
                }
                let style = if highlighted {
                    base.patch(t.snippet_match)
                } else {
                    base
                };
                spans.push(Span::styled(run, style));
            }
            Line::from(spans)
        },
    );
}

/// A hit's mark, document and unit: a long document id is cut (to at most half the row) so
/// the unit and some of the snippet stay in view.
fn hit_head(mark: &str, document: &str, unit: &str, width: usize) -> String {
    let room = (width / 2)
        .saturating_sub(str_width(mark) + str_width(unit) + 2)
        .max(6);
    format!("{mark}{} {} ", truncate(document, room), truncate(unit, 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_document_id_leaves_room_for_the_unit_and_the_snippet() {
        let id = "company/microsoft-2017-keynote-on-digital-peace-and-the-geneva-convention";
        let head = hit_head("  ", id, "p12", 60);
        assert!(head.contains(" p12 "), "{head}");
        assert!(head.contains('…'), "{head}");
        assert!(str_width(&head) <= 30, "{head}");
        assert_eq!(hit_head("  ", "un/gge-2015", "p3", 60), "  un/gge-2015 p3 ");
    }
}
