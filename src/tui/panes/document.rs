//! The document pane: only the units in view are wrapped and drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::corpus::CodePointRange;
use crate::tui::app::{App, Focus};
use crate::tui::panes::pane_block;
use crate::tui::text::{self, str_width, truncate};
use crate::tui::theme::indicator_color;
use crate::tui::ui::GUTTER;

/// Draws the document pane; returns (first row, last row exclusive, unit position) of each
/// unit drawn.
pub(crate) fn render_document(frame: &mut Frame, app: &App, area: Rect) -> Vec<(u16, u16, usize)> {
    let t = &app.theme;
    let Some(document) = app.document() else {
        let block = pane_block(&app.theme, " no documents ".into(), true, area.width);
        let text = Paragraph::new(vec![
            Line::raw("This project has no documents yet."),
            Line::raw(""),
            Line::raw(format!(
                "Put .txt or .md files into {} and start normcode again.",
                app.project.settings.documents.display()
            )),
        ])
        .block(block);
        frame.render_widget(text, area);
        return Vec::new();
    };
    let status = app.status();
    // The document's title gives way first, then a long id, so the status stays in view.
    let room = (area.width as usize).saturating_sub(4);
    let status_label = status.label();
    let id_room = room.saturating_sub(str_width(status_label) + 6 + 10).max(8);
    let tail = format!(
        " · {} · {status_label} ",
        truncate(document.id.as_str(), id_room)
    );
    let title_room = room.saturating_sub(1 + str_width(&tail)).max(8);
    let title = format!(" {}{tail}", truncate(&document.title(), title_room));
    let block = pane_block(&app.theme, title, app.focus == Focus::Document, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    if width <= GUTTER + 2 || inner.height == 0 {
        return Vec::new();
    }
    let text_width = width - GUTTER;
    let selection = app.selection();
    let matches = app.search_matches();
    let mut lines: Vec<Line> = Vec::new();
    let mut unit_rows = Vec::new();
    let height = inner.height as usize;
    // Near the end of the document the units fill the pane: the top may have been set for a
    // smaller pane (before a resize), which would leave the bottom of this one empty.
    let mut top = app.top.min(document.units.len());
    let mut rows = 0;
    let below_fit = (top..document.units.len()).all(|u| {
        rows += app.unit_height(u, width) + 1;
        rows <= height + 1
    });
    if below_fit {
        while top > 0 {
            let above = app.unit_height(top - 1, width) + 1;
            if rows + above > height + 1 {
                break;
            }
            rows += above;
            top -= 1;
        }
    }
    let mut unit = top;
    while unit < document.units.len() && lines.len() < height {
        let u = &document.units[unit];
        let current = unit == app.unit;
        // Only as much of the unit as the rows left can show.
        let (body_text, wrapped) =
            text::wrap_rows(document.unit_text(u), text_width, height - lines.len());
        let chars: Vec<char> = body_text.chars().map(text::visible).collect();
        let codes = app.unit_codes(unit);
        // Coded spans of this unit, with their first code's colour.
        let spans: Vec<(CodePointRange, Color)> = app
            .unit_annotations(unit)
            .iter()
            .filter_map(|a| {
                let span = a.span?;
                let code = a.codes.first()?;
                Some((span, indicator_color(app, code)))
            })
            .collect();
        let rows = wrapped.len().max(1 + codes.len());
        let first_row = lines.len();
        for row in 0..rows {
            let mut line_spans = Vec::new();
            // The gutter: a marker and the unit id on the first row, codes below it.
            let marker = if current { "▌" } else { " " };
            let marker_style = t.accent;
            line_spans.push(Span::styled(marker, marker_style));
            if row == 0 {
                let id_style = if current {
                    t.accent.add_modifier(Modifier::BOLD)
                } else if codes.is_empty() {
                    t.dim
                } else {
                    Style::new()
                };
                line_spans.push(Span::styled(
                    format!("{:>6} ", truncate(u.id.as_str(), 6)),
                    id_style,
                ));
            } else if let Some(code) = codes.get(row - 1) {
                line_spans.push(Span::styled(
                    format!("{:<7}", truncate(code.as_str(), 6)),
                    Style::new()
                        .fg(indicator_color(app, code))
                        .add_modifier(Modifier::BOLD),
                ));
            } else {
                line_spans.push(Span::raw("       "));
            }
            line_spans.push(Span::styled(
                if codes.is_empty() { " " } else { "│" },
                Style::new().fg(codes
                    .first()
                    .map_or(t.dim.fg.unwrap_or_default(), |c| indicator_color(app, c))),
            ));
            if let Some(segment) = wrapped.get(row) {
                let base = if current {
                    t.current_unit
                } else {
                    Style::new()
                };
                let style_at = |i: usize| {
                    let at = u.range.start + i;
                    let mut style = base;
                    if let Some((_, color)) =
                        spans.iter().find(|(s, _)| s.start <= at && at < s.end)
                    {
                        style = style.fg(*color).add_modifier(Modifier::UNDERLINED);
                    }
                    if matches.iter().any(|m| m.start <= at && at < m.end) {
                        style = style.patch(t.search_match);
                    }
                    if selection.is_some_and(|s| s.start <= at && at < s.end) {
                        style = style.add_modifier(Modifier::REVERSED);
                    }
                    style
                };
                let mut run = String::new();
                let mut run_style = None;
                for (i, &c) in chars
                    .iter()
                    .enumerate()
                    .take(segment.end)
                    .skip(segment.start)
                {
                    let style = style_at(i);
                    if run_style.is_some_and(|s| s != style) {
                        line_spans.push(Span::styled(
                            std::mem::take(&mut run),
                            run_style.unwrap_or(base),
                        ));
                    }
                    run_style = Some(style);
                    if !text::is_zero_width_format(c) {
                        run.push(c);
                    }
                }
                if !run.is_empty() {
                    line_spans.push(Span::styled(run, run_style.unwrap_or(base)));
                }
                if current {
                    let used =
                        str_width(&chars[segment.start..segment.end].iter().collect::<String>());
                    line_spans.push(Span::styled(
                        " ".repeat(text_width.saturating_sub(used)),
                        base,
                    ));
                }
            }
            lines.push(Line::from(line_spans));
            if lines.len() >= height {
                break;
            }
        }
        unit_rows.push((
            inner.y + first_row as u16,
            inner.y + lines.len() as u16,
            unit,
        ));
        lines.push(Line::raw(""));
        unit += 1;
    }
    if document.units.is_empty() {
        lines.push(Line::styled("This document has no text to code.", t.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    unit_rows
}
