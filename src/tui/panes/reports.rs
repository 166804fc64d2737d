//! The reports view: indicator frequencies and coding progress as bars, the agenda as a
//! timeline ([`super::timeline`]).

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
    let tabs = [
        "Indicator frequencies",
        "Agenda timeline",
        "Coding progress",
    ];
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
                    "Documents raising each indicator, coded by {}: {} of {documents} done",
                    series.name, series.documents
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
        left_out_lines(&mut lines, app, &view.frequencies.left_out);
    } else if view.tab == 1 {
        let codebook = &app.project.codebook;
        lines.extend(super::timeline::lines(&view.agenda, t, width, |id| {
            codebook
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| format!("{id} {}", c.label.get(&app.language)))
                .unwrap_or_else(|| id.to_string())
        }));
        left_out_lines(&mut lines, app, &view.agenda.left_out);
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
    // Scrolled no further than the last screenful.
    let scroll = view.scroll.min(lines.len().saturating_sub(room));
    let mut lines: Vec<Line> = lines.into_iter().skip(scroll).take(room).collect();
    lines.resize(room, Line::raw(""));
    lines.push(Line::styled(help::reports_legend(app), dim));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What frequencies and the agenda did not count: per reason, the documents.
fn left_out_lines(lines: &mut Vec<Line<'static>>, app: &App, left_out: &[crate::report::LeftOut]) {
    if left_out.is_empty() {
        return;
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "Not counted ({}): only documents marked done (D) count",
            left_out.len()
        ),
        app.theme.warning,
    ));
    let mut reasons: Vec<(crate::report::Reason, Vec<&str>)> = Vec::new();
    for l in left_out {
        match reasons.iter_mut().find(|(r, _)| *r == l.reason) {
            Some((_, docs)) => docs.push(l.document.as_str()),
            None => reasons.push((l.reason, vec![l.document.as_str()])),
        }
    }
    reasons.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
    for (reason, docs) in reasons {
        lines.push(Line::styled(
            format!("  {} ({}):", reason.label(), docs.len()),
            app.theme.dim,
        ));
        for doc in docs {
            lines.push(Line::raw(format!("    {doc}")));
        }
    }
}
