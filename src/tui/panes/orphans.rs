//! The re-attach view, over the codebook's column: the annotations that could not be placed,
//! the highlighted one's quote, codes and memo, and the unit `Enter` would attach it to (the
//! document pane beside shows that unit).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::panes::{help, label, pane_block};
use crate::tui::text::truncate;
use crate::tui::theme::indicator_color;
use crate::tui::widgets::list::render_list;
use crate::tui::widgets::popup::clear;
use crate::tui::widgets::wrap::{wrapped, wrapped_memo};

pub(crate) fn render_orphans(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(mode) = app.mode.orphans() else {
        return;
    };
    clear(frame, area);
    let orphans = app.orphans();
    let title = format!(" Re-attach · {} not placed ", orphans.len());
    let block = pane_block(t, title, mode.on_list, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 8 {
        return;
    }
    let width = inner.width as usize;
    // The list takes at most a third of the pane; the rest says what the highlighted one is.
    let list_height = (orphans.len() as u16).min((inner.height / 3).max(1));
    let list_area = Rect {
        height: list_height,
        ..inner
    };
    let codebook = &app.project.codebook;
    render_list(
        frame,
        list_area,
        orphans.len(),
        Some(mode.selected),
        t,
        |i| {
            let (document, index) = &orphans[i];
            let annotation = app.coder.file.annotations(document).get(*index);
            let codes = annotation.map_or(String::new(), |a| {
                a.codes
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let unit = annotation.map_or(String::new(), |a| a.unit.to_string());
            let text = truncate(&format!("{document} · was {unit} · {codes}"), width);
            let style = if i == mode.selected {
                if mode.on_list {
                    t.selection
                } else {
                    t.selection_unfocused
                }
            } else {
                Style::new()
            };
            Line::styled(text, style)
        },
    );
    let mut lines = vec![Line::raw("")];
    if let Some((document, _, annotation)) = app.selected_orphan() {
        lines.push(Line::styled(
            truncate(&format!("{document} · was unit {}", annotation.unit), width),
            t.accent,
        ));
        let quote = annotation.quote.as_deref().unwrap_or("(no quote kept)");
        let mut quote = wrapped(&format!("“{quote}”"), width, "", t.note);
        if quote.len() > 4 {
            quote.truncate(4);
            quote.push(Line::styled("…", t.dim));
        }
        lines.extend(quote);
        for code in &annotation.codes {
            let name = codebook
                .indicator(code)
                .map_or("not in the codebook", |i| label(app, &i.label));
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{code} "),
                    Style::new()
                        .fg(indicator_color(app, code))
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(truncate(
                    name,
                    width.saturating_sub(code.as_str().len() + 1),
                )),
            ]));
        }
        if let Some(memo) = &annotation.memo {
            lines.extend(wrapped_memo(memo, width, "✎ ", t.note));
        }
        lines.push(Line::raw(""));
        match (app.document(), app.current_unit()) {
            (Some(d), Some(unit)) if d.id == document => {
                let text = d.unit_text(unit).split_whitespace().collect::<Vec<_>>();
                let mut target = wrapped(
                    &format!("Enter attaches it to unit {}: {}", unit.id, text.join(" ")),
                    width,
                    "",
                    t.heading,
                );
                if target.len() > 3 {
                    target.truncate(3);
                    target.push(Line::styled("…", t.dim));
                }
                lines.extend(target);
            }
            _ => lines.push(Line::styled(
                truncate(&format!("open {document} to attach it"), width),
                t.dim,
            )),
        }
    }
    let room = (inner.height - list_height) as usize;
    let legend = help::orphans_legend(app);
    lines.truncate(room.saturating_sub(1));
    lines.resize(room.saturating_sub(1), Line::raw(""));
    lines.push(Line::styled(truncate(&legend, width), t.dim));
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            y: inner.y + list_height,
            height: inner.height - list_height,
            ..inner
        },
    );
}
