//! The help overlay and the key hints of each mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::app::{App, Prompt, PromptKind};
use crate::tui::text::{sanitize, str_width, truncate, wrap};
use crate::tui::widgets::popup::{clear, popup};
use crate::tui::widgets::wrap::wrapped;

pub(crate) fn render_help(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let rect = popup(area, 100, area.height.saturating_sub(2));
    clear(frame, rect);
    let block = Block::bordered()
        .border_style(t.border_focused)
        .title(help_title());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let lines = help_lines(app, inner.width as usize);
    // Scrolled no further than the last screenful; the title row says where.
    let height = inner.height as usize;
    let top = app.help_scroll.min(lines.len().saturating_sub(height));
    if lines.len() > height {
        let shown = format!(
            " lines {}-{} of {} ",
            top + 1,
            (top + height).min(lines.len()),
            lines.len()
        );
        let x = rect.x + rect.width.saturating_sub(str_width(&shown) as u16 + 2);
        frame.render_widget(
            Paragraph::new(Span::styled(shown, t.accent)),
            Rect::new(
                x,
                rect.y + rect.height.saturating_sub(1),
                rect.width.min(30),
                1,
            ),
        );
    }
    let visible: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

/// Every action with its keys, descriptions wrapped (never cut) beside a column of keys, then
/// what the panes' numbers mean.
pub(crate) fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    const KEYS: usize = 14;
    let mut lines = Vec::new();
    for action in crate::tui::keymap::Action::all() {
        let keys = sanitize(&app.keymap.keys_for(action).join(" ")).into_owned();
        let description = action.description();
        let text_width = width.saturating_sub(KEYS + 2).max(10);
        let rows = wrap(&description, text_width);
        let chars: Vec<char> = description.chars().collect();
        for (i, row) in rows.iter().enumerate() {
            let lead = if i == 0 {
                format!("{:>KEYS$}  ", truncate(&keys, KEYS))
            } else {
                " ".repeat(KEYS + 2)
            };
            lines.push(Line::from(vec![
                Span::styled(lead, t.note),
                Span::raw(chars[row.start..row.end].iter().collect::<String>()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    for note in [
        "Codebook pane: n/m beside an indicator is how often you used it in this document / in \
         the whole corpus.",
        "Document pane: the codes of each unit stand at its left; ▌ marks the current unit.",
        "Search (/): type the query; Enter to the results, then Enter opens a hit, Space marks \
         it, a codes the marked hits (or all) after you confirm, n/N step through hits; Esc \
         leaves.",
        "Select (v): h/l and w/b move, o swaps the ends, a or Enter codes the span, Esc leaves.",
        "Review (R): 1-9 take a coder's codes, U union, I intersection, a edit (starting from \
         the codes every coder gave), u undo, t the agreement table, Esc leaves.",
    ] {
        lines.extend(wrapped(note, width, "", t.dim));
    }
    lines
}

fn help_title() -> &'static str {
    " Keys · j/k scroll · Esc closes · rebind them in the config file "
}

/// The status bar's pointer to the help, in normal mode.
pub(crate) fn status_hint() -> &'static str {
    "? help"
}

/// The search pane's summary line while nothing is typed.
pub(crate) fn search_empty_hint() -> &'static str {
    "type to search; Enter to the results, Esc closes"
}

/// The keys that work on the search results now: while the query is typed, letters go into it.
pub(crate) fn search_keys(editing: bool) -> &'static str {
    if editing {
        "Enter to the results · Esc closes"
    } else {
        "Enter open · Space mark · a code marked/all · n/N next · Esc closes"
    }
}

/// The review's legend under the disagreement.
pub(crate) fn review_legend() -> &'static str {
    "1-9 take a coder's · U union · I intersection · a edit · u undo · j/k next/previous · t agreement table · Enter show in document · Esc leave"
}

/// The review's legend under the agreement table.
pub(crate) fn review_table_legend() -> &'static str {
    "t back to the disagreements · j/k scroll · Esc leave"
}

/// The reports' legend.
pub(crate) fn reports_legend() -> &'static str {
    "Tab other chart · j/k scroll · Esc close"
}

/// The split's legend, with the segments left to decide.
pub(crate) fn split_legend(source: &str, left: usize) -> String {
    format!("s keep with {source} ({left}) · ← back · Enter split · Esc cancel")
}

/// The split's line once every segment is seen.
pub(crate) fn split_done_hint() -> &'static str {
    "Enter splits; ← goes back to change a decision"
}

/// A prompt's title: what it asks and its keys.
pub(crate) fn prompt_title(app: &App, prompt: &Prompt) -> String {
    match &prompt.kind {
        PromptKind::NewIndicator { fields } => {
            let steps = app.new_indicator_steps();
            let step = fields.len().min(steps.len() - 1);
            format!(
                " New indicator {}/{}: {} (Enter next, Esc cancel) ",
                step + 1,
                steps.len(),
                steps[step]
            )
        }
        PromptKind::EditIndicator { id, fields } => {
            let steps = app.edit_indicator_steps();
            let step = fields.len().min(steps.len() - 1);
            format!(
                " Edit {id} {}/{}: {} (Enter keeps or changes, Esc cancels) ",
                step + 1,
                steps.len(),
                steps[step]
            )
        }
        PromptKind::SplitInto { id } => format!(
            " Split {id} into… (ids separated by spaces; new ones are created; Enter starts) "
        ),
        PromptKind::RenameIndicator { id } => {
            format!(" Rename {id} to… (every coder file follows; Enter renames, Esc cancels) ")
        }
        PromptKind::MergeIndicator { id } => {
            format!(" Merge {id} into… (an indicator id; every coder file follows) ")
        }
        PromptKind::RetireIndicator { id } => format!(
            " Retire {id}? Kept for old annotations, no longer offered. Enter retires, Esc cancels "
        ),
        PromptKind::ConfirmCodeHits { what, .. } => {
            format!(" Code {what}? Enter codes them (one undo), Esc cancels ")
        }
        PromptKind::ReviewCoders => {
            " Review which coders? (names separated by commas; Enter starts) ".into()
        }
        PromptKind::ReviewCode => " Toggle in the consensus… (Enter toggles, Esc cancels) ".into(),
        PromptKind::CodeHits => {
            let count = app.search.as_ref().map_or(0, |s| {
                if s.marked.is_empty() {
                    s.hits.len()
                } else {
                    s.marked.len()
                }
            });
            format!(" Code {count} search hits with… (Enter adds, Esc cancels) ")
        }
        PromptKind::QuickAssign if app.selection().is_some() => {
            " Code the selected span with… (Enter toggles, Esc cancels) ".into()
        }
        PromptKind::QuickAssign => " Code this unit with… (Enter toggles, Esc cancels) ".into(),
        PromptKind::PickDocument => " Open document (Enter opens, Esc cancels) ".into(),
        PromptKind::Filter => " Filter the codebook (Enter keeps it, Esc clears) ".into(),
        PromptKind::Memo { unit, .. } => match unit {
            Some(u) => format!(" Memo on unit {u} (Enter new line, Ctrl-S save, Esc cancel) "),
            None => " Document memo (Enter new line, Ctrl-S save, Esc cancel) ".into(),
        },
    }
}
