//! The codebook pane and the definition of the selected indicator.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Focus, Row};
use crate::tui::panes::{label, pane_block};
use crate::tui::text::{str_width, truncate};
use crate::tui::theme::indicator_color;
use crate::tui::widgets::list::render_list;
use crate::tui::widgets::wrap::wrapped;

/// Draws the codebook pane; returns (row, index into `app.rows`) of each row drawn.
pub(crate) fn render_codebook(frame: &mut Frame, app: &App, area: Rect) -> Vec<(u16, usize)> {
    let t = &app.theme;
    let codebook = &app.project.codebook;
    let title = if app.codebook_filter.is_empty() {
        format!(" Codebook · {} ", truncate(&codebook.name, 20))
    } else {
        format!(
            " Codebook · filter: {} ",
            truncate(&app.codebook_filter, 20)
        )
    };
    let block = pane_block(&app.theme, title, app.focus == Focus::Codebook, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return Vec::new();
    }
    let on_unit = app.unit_codes(app.unit);
    let width = inner.width as usize;
    if app.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "no indicator matches the filter (Esc clears it)",
                t.dim,
            )),
            inner,
        );
        return Vec::new();
    }
    let selected = Some(app.selected_row);
    render_list(frame, inner, app.rows.len(), selected, t, |index| {
        let row = &app.rows[index];
        match *row {
            Row::Category(c) => {
                let category = &codebook.categories[c];
                let indent = "  ".repeat(category.depth);
                let text = format!("{indent}▾ {} {}", category.id, label(app, &category.label));
                Line::styled(truncate(&text, width), t.heading)
            }
            Row::Indicator(i) => {
                let indicator = &codebook.indicators[i];
                let depth = codebook.categories[indicator.category].depth + 1;
                let (here, total) = app.counts.get(i).copied().unwrap_or_default();
                // Uses in the corpus are known once the whole coder file is read.
                let count = match app.loading {
                    Some(_) => format!(" {here}/…"),
                    None => format!(" {here}/{total}"),
                };
                let mark = if on_unit.contains(&indicator.id) {
                    "●"
                } else {
                    " "
                };
                let head = format!("{}{mark}", "  ".repeat(depth).get(1..).unwrap_or(""));
                let id = format!("{:<5} ", indicator.id);
                let room =
                    width.saturating_sub(str_width(&head) + str_width(&id) + str_width(&count));
                let name = truncate(label(app, &indicator.label), room);
                let pad = " ".repeat(room.saturating_sub(str_width(&name)));
                let selected = index == app.selected_row;
                let mut style = Style::new();
                if selected {
                    style = if app.focus == Focus::Codebook {
                        style.add_modifier(Modifier::REVERSED)
                    } else {
                        style.add_modifier(Modifier::UNDERLINED)
                    };
                }
                let color = indicator_color(app, &indicator.id);
                Line::from(vec![
                    Span::styled(head, style.fg(color)),
                    Span::styled(id, style.fg(color).add_modifier(Modifier::BOLD)),
                    Span::styled(format!("{name}{pad}"), style),
                    Span::styled(count, style.patch(t.dim)),
                ])
            }
        }
    })
}

pub(crate) fn render_definition(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let codebook = &app.project.codebook;
    let Some(i) = app.selected_indicator() else {
        frame.render_widget(
            pane_block(&app.theme, " Definition ".into(), false, area.width),
            area,
        );
        return;
    };
    let indicator = &codebook.indicators[i];
    let title = format!(
        " {} · {} ",
        indicator.id,
        truncate(label(app, &indicator.label), 30)
    );
    let block = pane_block(&app.theme, title, false, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = wrapped(label(app, &indicator.definition), width, "", Style::new());
    let heading = t.heading;
    for (name, items, color) in [
        ("Include", &indicator.include, Color::Green),
        ("Exclude", &indicator.exclude, Color::Red),
        ("Example", &indicator.examples, Color::Reset),
    ] {
        if items.is_empty() {
            continue;
        }
        lines.push(Line::styled(format!("{name}:"), heading.fg(color)));
        for item in items {
            let mut item_lines = wrapped(label(app, item), width, "  ", Style::new());
            if let Some(first) = item_lines.first_mut() {
                first.spans[0] = Span::raw("• ");
            }
            lines.extend(item_lines);
        }
    }
    for (key, value) in &indicator.attributes {
        lines.push(Line::styled(format!("{key}: {value}"), t.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
