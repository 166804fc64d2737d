//! The reports view: indicator frequencies and coding progress as bars.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::tui::widgets::popup::clear;

use crate::tui::app::App;
use crate::tui::panes::help;
use crate::tui::theme::indicator_color;
use crate::tui::widgets::bar::bar_line;

pub(crate) fn render_reports(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(view) = app.mode.reports() else {
        return;
    };
    clear(frame, area);
    let tabs = ["Indicator frequencies", "Coding progress"];
    let title: Vec<Span> = tabs
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            let style = if i == view.tab { t.badge } else { Style::new() };
            [Span::styled(format!(" {name} "), style), Span::raw(" ")]
        })
        .collect();
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(t.border_focused)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = t.dim;
    let mut lines = Vec::new();
    if view.tab == 0 {
        let documents = view.frequencies.documents;
        for series in &view.frequencies.series {
            lines.push(Line::styled(
                format!(
                    "Documents raising each indicator, coded by {} (of {documents} documents)",
                    series.name
                ),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            let max = series
                .indicators
                .iter()
                .map(|r| r.documents)
                .max()
                .unwrap_or(0);
            let used: Vec<_> = series
                .indicators
                .iter()
                .filter(|r| r.documents > 0)
                .collect();
            if used.is_empty() {
                lines.push(Line::styled("nothing coded yet", dim));
            }
            for row in used {
                let id = crate::corpus::IndicatorId::new(row.indicator.id.clone());
                let label = format!("{} {}", row.indicator.id, row.indicator.label);
                lines.push(bar_line(
                    &label,
                    row.documents,
                    max,
                    row.documents.to_string(),
                    width,
                    indicator_color(app, &id),
                ));
            }
        }
    } else {
        for coder in &view.progress.coders {
            let t = &coder.totals;
            lines.push(Line::styled(
                format!(
                    "{}: {} of {} documents done, {} in progress; {} of {} units coded",
                    coder.coder, t.done, t.documents, t.in_progress, t.units_coded, t.units
                ),
                Style::new().add_modifier(Modifier::BOLD),
            ));
            lines.push(bar_line(
                "documents done",
                t.done,
                t.documents,
                format!("{}/{}", t.done, t.documents),
                width,
                Color::Green,
            ));
            lines.push(bar_line(
                "units coded",
                t.units_coded,
                t.units,
                format!("{}/{}", t.units_coded, t.units),
                width,
                Color::Cyan,
            ));
            for document in &coder.documents {
                let mark = match document.status {
                    "done" => "✓",
                    "in_progress" => "…",
                    _ => " ",
                };
                let label = format!("  {mark} {}", document.document);
                lines.push(bar_line(
                    &label,
                    document.units_coded,
                    document.units,
                    format!("{}/{}", document.units_coded, document.units),
                    width,
                    Color::Blue,
                ));
            }
            lines.push(Line::raw(""));
        }
    }
    let room = (inner.height as usize).saturating_sub(1);
    let mut lines: Vec<Line> = lines.into_iter().skip(view.scroll).take(room).collect();
    lines.resize(room, Line::raw(""));
    lines.push(Line::styled(help::reports_legend(app), dim));
    frame.render_widget(Paragraph::new(lines), inner);
}
