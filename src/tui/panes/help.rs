//! The help overlay and the key hints of each mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::action::{Action, ModeKind};
use crate::tui::app::{App, Prompt, PromptKind};
use crate::tui::text::{sanitize, str_width, wrap};
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
    let top = app
        .mode
        .help()
        .map_or(0, |h| h.scroll)
        .min(lines.len().saturating_sub(height));
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

/// Every action of the mode the help was opened in, then of every other mode, with its keys
/// (generated from the action table and the user's keys); descriptions wrapped (never cut)
/// beside a column of keys; then what the panes' numbers mean.
pub(crate) fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    const KEYS: usize = 14;
    let first = app.mode.help().map_or(ModeKind::Normal, |h| h.under.kind());
    let mut lines = Vec::new();
    for section in crate::tui::modes::help::sections(&app.keymap, first) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(section.mode.title().to_string(), t.heading));
        for (keys, description) in section.entries {
            let keys = sanitize(&keys).into_owned();
            let text_width = width.saturating_sub(KEYS + 2).max(10);
            let rows = wrap(description, text_width);
            let chars: Vec<char> = description.chars().collect();
            // Keys that do not fit their column take a line of their own.
            let long_keys = str_width(&keys) > KEYS;
            if long_keys {
                lines.push(Line::styled(keys.clone(), t.note));
            }
            for (i, row) in rows.iter().enumerate() {
                let lead = if i == 0 && !long_keys {
                    format!("{keys:>KEYS$}  ")
                } else {
                    " ".repeat(KEYS + 2)
                };
                lines.push(Line::from(vec![
                    Span::styled(lead, t.note),
                    Span::raw(chars[row.start..row.end].iter().collect::<String>()),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    for note in crate::tui::modes::help::NOTES {
        lines.extend(wrapped(note, width, "", t.dim));
    }
    lines
}

fn help_title() -> &'static str {
    " Keys · j/k scroll · Esc closes "
}

/// As many items of a legend as fit in `room` columns, joined by " · ".
pub(crate) fn legend_that_fits(legend: &[String], room: usize) -> String {
    let mut shown = String::new();
    for item in legend {
        let next = if shown.is_empty() {
            item.clone()
        } else {
            format!("{shown} · {item}")
        };
        if str_width(&next) > room {
            break;
        }
        shown = next;
    }
    shown
}

/// The search pane's summary line while nothing is typed.
pub(crate) fn search_empty_hint(app: &App) -> String {
    format!(
        "type to search · {}",
        app.keymap.legend(ModeKind::Query).join(" · ")
    )
}

/// The first key of `action` in `mode`, as the user bound it.
fn key(app: &App, mode: ModeKind, action: Action) -> String {
    app.keymap
        .keys_in(mode, action)
        .into_iter()
        .next()
        .unwrap_or_else(|| format!("({})", action.name()))
}

/// The keys that work in the search pane now (from the action table): while the query is
/// typed, letters go into it.
pub(crate) fn search_keys(app: &App) -> String {
    let kind = match app.mode.kind() {
        ModeKind::Query => ModeKind::Query,
        _ => ModeKind::Search,
    };
    app.keymap.legend(kind).join(" · ")
}

/// The review's legend under the disagreement (from the action table).
pub(crate) fn review_legend(app: &App) -> String {
    app.keymap.legend(ModeKind::Review).join(" · ")
}

/// The review's legend under the agreement table.
pub(crate) fn review_table_legend(app: &App) -> String {
    let key = |action| key(app, ModeKind::Review, action);
    format!(
        "{} back to the disagreements · {}/{} scroll · {} leave",
        key(Action::AgreementTable),
        key(Action::NextDisagreement),
        key(Action::PrevDisagreement),
        key(Action::Cancel)
    )
}

/// The reports' legend (from the action table).
pub(crate) fn reports_legend(app: &App) -> String {
    app.keymap.legend(ModeKind::Reports).join(" · ")
}

/// The re-attach view's legend (from the action table).
pub(crate) fn orphans_legend(app: &App) -> String {
    app.keymap.legend(ModeKind::Orphans).join(" · ")
}

/// The split's legend, with the segments left to decide (from the action table).
pub(crate) fn split_legend(app: &App, source: &str, left: usize) -> String {
    format!(
        "{left} left (s keeps one with {source}) · {}",
        app.keymap.legend(ModeKind::Split).join(" · ")
    )
}

/// The split's line once every segment is seen.
pub(crate) fn split_done_hint(app: &App) -> String {
    format!(
        "{} splits; {} goes back to change a decision",
        key(app, ModeKind::Split, Action::ApplySplit),
        key(app, ModeKind::Split, Action::BackSegment)
    )
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
            format!(" Code {what}? Enter or y codes them (one undo), Esc cancels ")
        }
        PromptKind::ConfirmDeleteOrphan { what, .. } => {
            format!(" Delete {what}? Enter or y deletes it (u undoes), Esc cancels ")
        }
        PromptKind::ConfirmDone {
            indicator,
            document,
        } => format!(
            " {document} is marked done. Change its coding ({})? A yes holds for this \
             document until you quit. ",
            app.project.codebook.indicators[*indicator].id
        ),
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
