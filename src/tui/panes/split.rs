//! The split of an indicator under way.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::corpus::IndicatorId;
use crate::tui::app::App;
use crate::tui::panes::{help, label, pane_block};
use crate::tui::text::truncate;
use crate::tui::widgets::wrap::wrapped;

/// The split under way: the segment to decide, its quote, the targets and the tally.
pub(crate) fn render_split(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(split) = app.mode.split() else {
        return;
    };
    let total = split.segments.len();
    let title = match split.current() {
        Some(_) => format!(
            " Split {}: segment {}/{total} ",
            split.source,
            split.position + 1
        ),
        None => format!(" Split {}: all {total} segments seen ", split.source),
    };
    let block = pane_block(&app.theme, title, true, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = t.dim;
    let mut lines = Vec::new();
    match split.current() {
        Some(segment) => {
            let place = match segment.span {
                Some(span) => format!(
                    "{} unit {} [{}-{}]",
                    segment.document, segment.unit, span.start, span.end
                ),
                None => format!("{} unit {}", segment.document, segment.unit),
            };
            lines.push(Line::raw(truncate(
                &format!("coder {} · {place}", segment.coder),
                width,
            )));
            if let Some(quote) = &segment.quote {
                lines.extend(
                    wrapped(&format!("“{quote}”"), width, "", t.accent)
                        .into_iter()
                        .take(2),
                );
            }
            let decided = split.choices[split.position]
                .map(|n| format!("now → {}", split.targets[n]))
                .unwrap_or_default();
            if !decided.is_empty() {
                lines.push(Line::styled(decided, dim));
            }
        }
        None => lines.push(Line::raw(help::split_done_hint(app))),
    }
    let (counts, left) = split.tally();
    let codebook = &app.project.codebook;
    for (n, (target, count)) in split.targets.iter().zip(&counts).enumerate() {
        let name = codebook
            .indicator(&IndicatorId::from(target.as_str()))
            .map(|i| label(app, &i.label).to_string())
            .unwrap_or_else(|| "new".to_string());
        lines.push(Line::raw(truncate(
            &format!("{} {target:<8} {count:>4}  {name}", n + 1),
            width,
        )));
    }
    lines.push(Line::styled(
        truncate(&help::split_legend(app, &split.source, left), width),
        dim,
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
