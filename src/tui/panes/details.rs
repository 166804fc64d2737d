//! The details pane: the current unit's annotations and the document's metadata.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Focus};
use crate::tui::panes::{label, pane_block};
use crate::tui::text::truncate;
use crate::tui::theme::indicator_color;
use crate::tui::widgets::wrap::{wrapped, wrapped_memo};

pub(crate) fn render_details(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let block = pane_block(
        &app.theme,
        " Details ".into(),
        app.focus == Focus::Details,
        area.width,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let dim = t.dim;
    if let (Some(document), Some(unit)) = (app.document(), app.current_unit()) {
        let codebook = &app.project.codebook;
        for annotation in app.unit_annotations(app.unit) {
            let place = match annotation.span {
                Some(span) => {
                    format!(
                        "“{}” ",
                        truncate(annotation.quote.as_deref().unwrap_or_default(), 24)
                    ) + &format!("[{span}]")
                }
                None => format!("unit {}", unit.id),
            };
            let mut spans = vec![Span::styled(format!("{place}: "), dim)];
            for code in &annotation.codes {
                let name = codebook
                    .indicator(code)
                    .map(|i| label(app, &i.label).to_string())
                    .unwrap_or_else(|| "not in the codebook".into());
                spans.push(Span::styled(
                    format!("{code} "),
                    Style::new()
                        .fg(indicator_color(app, code))
                        .add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::raw(format!("{} ", truncate(&name, 24))));
            }
            lines.push(Line::from(spans));
            if let Some(memo) = &annotation.memo {
                lines.extend(wrapped_memo(memo, width, "  ✎ ", t.note));
            }
        }
        if lines.is_empty() {
            lines.push(Line::styled(format!("unit {} is not coded", unit.id), dim));
        }
        let meta: Vec<String> = ["publisher", "year", "symbol", "language"]
            .iter()
            .filter_map(|k| document.metadata.text(k).map(|v| format!("{k}: {v}")))
            .collect();
        if !meta.is_empty() {
            lines.extend(wrapped(&meta.join(" · "), width, "", dim));
        }
        if let Some(memo) = app.coding().and_then(|c| c.memo.as_ref()) {
            lines.extend(wrapped_memo(memo, width, "document ✎ ", t.note));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
