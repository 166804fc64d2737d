//! The review of disagreements between coders, over the main panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::tui::widgets::popup::clear;

use crate::corpus::IndicatorId;
use crate::tui::app::App;
use crate::tui::panes::{help, label};
use crate::tui::text::truncate;
use crate::tui::theme::indicator_color;
use crate::tui::widgets::wrap::{wrapped, wrapped_memo};

pub(crate) fn render_review(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(review) = app.mode.review().map(|r| &r.review) else {
        return;
    };
    clear(frame, area);
    let names: Vec<&str> = review.coders.iter().map(|c| c.name.as_str()).collect();
    let title = format!(
        " Review · {} · {} of {} resolved · {} agreed units in the consensus ",
        names.join(" vs "),
        review.resolved(),
        review.items.len(),
        review.agreed
    );
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(t.review_border)
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = t.dim;
    if review.show_table {
        let text = match &review.agreement {
            Some(table) => crate::agreement::render_table(table, width),
            None => "The agreement table could not be computed for these coders.".into(),
        };
        let mut lines: Vec<Line> = text
            .lines()
            .skip(review.table_scroll)
            .map(|l| Line::raw(truncate(l, width)))
            .collect();
        let room = (inner.height as usize).saturating_sub(1);
        lines.truncate(room);
        lines.resize(room, Line::raw(""));
        lines.push(Line::styled(help::review_table_legend(app), dim));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let Some(item) = review.item() else {
        let text = format!(
            "No disagreements: every coder coded the same in the {} documents all of them marked done.",
            review.compared_documents
        );
        frame.render_widget(
            Paragraph::new(wrapped(&text, width, "", Style::new())),
            inner,
        );
        return;
    };
    let codebook = &app.project.codebook;
    let mut lines = Vec::new();
    let state = if review.is_resolved(review.current) {
        Span::styled(" resolved ", t.badge_ok)
    } else {
        Span::styled(" open ", t.badge_warning)
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!("{}/{}  ", review.current + 1, review.items.len()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("{} · unit {}  ", item.document, item.unit),
            t.accent,
        ),
        state,
    ]));
    if let Some(document) = app.project.corpus.get(&item.document)
        && let Some(unit) = document.units.get(item.position)
    {
        let mut text = wrapped(document.unit_text(unit), width, "", Style::new());
        text.truncate(6);
        lines.extend(text);
    }
    lines.push(Line::raw(""));
    let code_spans = |codes: &mut dyn Iterator<Item = &IndicatorId>| -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for code in codes {
            spans.push(Span::styled(
                format!("{code} "),
                Style::new()
                    .fg(indicator_color(app, code))
                    .add_modifier(Modifier::BOLD),
            ));
        }
        if spans.is_empty() {
            spans.push(Span::styled("(no code) ", dim));
        }
        spans
    };
    for (n, coder) in review.coders.iter().enumerate() {
        let mut spans = vec![Span::styled(
            format!("{} {:<12}", n + 1, truncate(&coder.name, 12)),
            t.note,
        )];
        spans.extend(code_spans(&mut item.codes[n].iter()));
        lines.push(Line::from(spans));
        for a in coder
            .file
            .annotations(&item.document)
            .iter()
            .filter(|a| a.unit == item.unit && !a.is_orphaned())
        {
            if let Some(memo) = &a.memo {
                lines.extend(wrapped_memo(memo, width, "    ✎ ", t.note));
            }
            if let (Some(span), Some(quote)) = (a.span, &a.quote) {
                lines.push(Line::styled(
                    truncate(&format!("    span [{span}] “{quote}”"), width),
                    dim,
                ));
            }
        }
    }
    let consensus = review.consensus_codes();
    let mut spans = vec![Span::styled(format!("= {:<12}", "consensus"), t.heading)];
    if review.is_resolved(review.current) {
        spans.extend(code_spans(&mut consensus.iter()));
    } else {
        spans.push(Span::styled("(open)", dim));
    }
    lines.push(Line::from(spans));
    lines.push(Line::raw(""));
    for code in item.union() {
        let Some(indicator) = codebook.indicator(&code) else {
            lines.push(Line::styled(
                format!("{code}: not in the codebook"),
                t.error,
            ));
            continue;
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{code} "),
                Style::new()
                    .fg(indicator_color(app, &code))
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                label(app, &indicator.label).to_string(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ]));
        lines.extend(wrapped(
            label(app, &indicator.definition),
            width,
            "  ",
            Style::new(),
        ));
        for rule in &indicator.exclude {
            lines.extend(wrapped(label(app, rule), width, "  not: ", t.error));
        }
    }
    let legend = help::review_legend(app);
    let room = inner.height as usize;
    if lines.len() >= room {
        lines.truncate(room.saturating_sub(1));
    } else {
        lines.resize(room - 1, Line::raw(""));
    }
    lines.push(Line::styled(truncate(&legend, width), dim));
    frame.render_widget(Paragraph::new(lines), inner);
}
