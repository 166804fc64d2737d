//! The prompt popup: a line of input, and candidates to pick from.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::annotations::Status;
use crate::tui::action::ModeKind;
use crate::tui::app::{App, PromptKind};
use crate::tui::panes::{help, label};
use crate::tui::text::{fit_title, sanitize, truncate};
use crate::tui::widgets::list::render_list;
use crate::tui::widgets::popup::{clear, popup};
use crate::tui::widgets::wrap::wrapped;

pub(crate) fn render_prompt(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let Some(prompt) = app.prompt() else {
        return;
    };
    let codebook = &app.project.codebook;
    let title = help::prompt_title(app, prompt);
    let candidates: Vec<String> = match &prompt.kind {
        PromptKind::NewIndicator { fields } => app
            .new_indicator_steps()
            .iter()
            .zip(fields)
            .map(|(question, answer)| format!("{question}: {answer}"))
            .collect(),
        PromptKind::QuickAssign | PromptKind::CodeHits | PromptKind::ReviewCode => app
            .quick_assign_candidates(&prompt.input)
            .into_iter()
            .map(|i| {
                let ind = &codebook.indicators[i];
                format!("{:<6}{}", ind.id, label(app, &ind.label))
            })
            .collect(),
        PromptKind::PickDocument => app
            .picker_candidates(&prompt.input)
            .into_iter()
            .map(|d| {
                let doc = &app.project.corpus.documents[d];
                let status = app.coder.file.status(&doc.id);
                let mark = match status {
                    Status::Done => "✓",
                    Status::InProgress => "…",
                    Status::NotStarted => " ",
                };
                format!("{mark} {:<28} {}", doc.id.as_str(), doc.title())
            })
            .collect(),
        _ => Vec::new(),
    };
    if app.mode.kind() == ModeKind::Confirm {
        return render_question(frame, app, area, &title);
    }
    let is_memo = matches!(prompt.kind, PromptKind::Memo { .. });
    // Long texts (definitions) wrap; Enter still submits.
    let wraps = is_memo || matches!(prompt.kind, PromptKind::EditIndicator { .. });
    let height = if wraps {
        10
    } else if candidates.is_empty() {
        3
    } else {
        (candidates.len() as u16 + 3).min(14)
    };
    let rect = popup(area, area.width.saturating_sub(4).max(20), height);
    clear(frame, rect);
    let block = Block::bordered()
        .border_style(t.popup_border)
        .title(fit_title(&title, (rect.width as usize).saturating_sub(2)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let width = inner.width as usize;
    let mut lines = if wraps {
        let mut lines = wrapped(&prompt.input, width.saturating_sub(1), "", Style::new());
        if prompt.input.ends_with('\n') || lines.is_empty() {
            lines.push(Line::raw(""));
        }
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::styled("█", t.note));
        }
        let skip = lines.len().saturating_sub(inner.height as usize);
        lines.into_iter().skip(skip).collect()
    } else {
        vec![Line::from(vec![
            Span::styled("> ", t.note),
            Span::raw(sanitize(&prompt.input).into_owned()),
            Span::styled("█", t.note),
        ])]
    };
    let selected = prompt.selected.min(candidates.len().saturating_sub(1));
    if !is_memo
        && candidates.is_empty()
        && !matches!(
            prompt.kind,
            PromptKind::Filter
                | PromptKind::ReviewCoders
                | PromptKind::NewIndicator { .. }
                | PromptKind::RenameIndicator { .. }
                | PromptKind::MergeIndicator { .. }
                | PromptKind::RetireIndicator { .. }
                | PromptKind::ConfirmCodeHits { .. }
                | PromptKind::ConfirmDone { .. }
                | PromptKind::EditIndicator { .. }
                | PromptKind::SplitInto { .. }
        )
    {
        lines.push(Line::styled("no match", t.dim));
    }
    let input_rows = (lines.len() as u16).min(inner.height);
    frame.render_widget(Paragraph::new(lines), inner);
    if !candidates.is_empty() {
        let list_area = Rect {
            y: inner.y + input_rows,
            height: inner.height - input_rows,
            ..inner
        };
        render_list(
            frame,
            list_area,
            candidates.len(),
            Some(selected),
            &app.theme,
            |i| {
                let style = if i == selected {
                    app.theme.selection
                } else {
                    Style::new()
                };
                Line::styled(truncate(&candidates[i], width), style)
            },
        );
    }
}

/// A question before a change wider than the current unit: its whole text wrapped (a title
/// would cut it at 80 columns), then the keys that answer it.
fn render_question(frame: &mut Frame, app: &App, area: Rect, question: &str) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4).max(20);
    let inner_width = width.saturating_sub(2) as usize;
    let mut lines = wrapped(question.trim(), inner_width, "", Style::new());
    lines.push(Line::raw(""));
    let legend = app.keymap.legend(ModeKind::Confirm).join(" · ");
    lines.extend(wrapped(&legend, inner_width, "", t.dim));
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = popup(area, width, height);
    clear(frame, rect);
    let block = Block::bordered()
        .border_style(t.popup_border)
        .title(" Confirm ");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines), inner);
}
