//! Rendering: reads the app state and draws a frame. Only the units in view are wrapped and
//! drawn, so a long document costs no more per frame than a short one.

use std::sync::atomic::Ordering;
use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::annotations::Status;
use crate::codebook::Localized;
use crate::corpus::{CodePointRange, IndicatorId};

use super::action::ModeKind;
use super::app::{App, Focus, PromptKind, Row, SearchStatus};
use super::text::{self, sanitize, str_width, truncate, wrap};

/// Columns left of the text in the document pane: marker, unit id or code, space.
pub const GUTTER: usize = 9;

const PALETTE: [Color; 8] = [
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
    Color::Red,
    Color::LightCyan,
    Color::LightGreen,
];

/// The indicator's colour: from the codebook, else a stable pick from a palette.
pub fn indicator_color(app: &App, id: &IndicatorId) -> Color {
    let named = app
        .project
        .codebook
        .indicator(id)
        .and_then(|i| i.color.as_deref())
        .and_then(|c| c.parse::<Color>().ok());
    named.unwrap_or_else(|| {
        let hash = id
            .as_str()
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        PALETTE[hash as usize % PALETTE.len()]
    })
}

fn pane_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ))
}

pub fn render(frame: &mut Frame, app: &App) {
    let [main, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    let document_share = if main.width >= 140 { 60 } else { 56 };
    let [document, right] = Layout::horizontal([
        Constraint::Percentage(document_share),
        Constraint::Percentage(100 - document_share),
    ])
    .areas(main);
    let [codebook, definition, details] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Percentage(30),
        Constraint::Percentage(25),
    ])
    .areas(right);

    {
        let mut layout = app.layout.borrow_mut();
        layout.document = document;
        layout.codebook = codebook;
        layout.details = details;
    }
    render_document(frame, app, document);
    render_codebook(frame, app, codebook);
    render_definition(frame, app, definition);
    if app.mode.split().is_some() {
        render_split(frame, app, details);
    } else if app.search.is_some() {
        render_search(frame, app, details);
    } else {
        render_details(frame, app, details);
    }
    render_status(frame, app, status);
    let reviewing = app.mode.review().is_some_and(|r| !r.peek);
    if reviewing {
        render_review(frame, app, main);
    }
    if app.mode.reports().is_some() {
        render_reports(frame, app, main);
    }
    if app.prompt().is_some() {
        render_prompt(frame, app, if reviewing { main } else { document });
    }
    if app.mode.help().is_some() {
        render_help(frame, app, main);
    }
}

fn render_document(frame: &mut Frame, app: &App, area: Rect) {
    let Some(document) = app.document() else {
        let block = pane_block(" no documents ".into(), true);
        let text = Paragraph::new(vec![
            Line::raw("This project has no documents yet."),
            Line::raw(""),
            Line::raw(format!(
                "Put .txt or .md files into {} and start normcode again.",
                app.project.settings.documents.display()
            )),
        ])
        .block(block);
        frame.render_widget(text, area);
        return;
    };
    let status = app.status();
    let title = format!(
        " {} · {} · {} ",
        truncate(
            &document.title(),
            (area.width as usize).saturating_sub(30).max(8)
        ),
        document.id,
        status.label()
    );
    let block = pane_block(title, app.focus == Focus::Document);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    if width <= GUTTER + 2 || inner.height == 0 {
        return;
    }
    let text_width = width - GUTTER;
    let selection = app.selection();
    let matches = app.search_matches();
    let mut lines: Vec<Line> = Vec::new();
    let mut unit_rows = Vec::new();
    let height = inner.height as usize;
    let mut unit = app.top;
    while unit < document.units.len() && lines.len() < height {
        let u = &document.units[unit];
        let current = unit == app.unit;
        // Only as much of the unit as the rows left can show.
        let (body_text, wrapped) =
            text::wrap_rows(document.unit_text(u), text_width, height - lines.len());
        let chars: Vec<char> = body_text.chars().map(text::visible).collect();
        let codes = app.unit_codes(unit);
        // Coded spans of this unit, with their first code's colour.
        let spans: Vec<(CodePointRange, Color)> = app
            .unit_annotations(unit)
            .iter()
            .filter_map(|a| {
                let span = a.span?;
                let code = a.codes.first()?;
                Some((span, indicator_color(app, code)))
            })
            .collect();
        let rows = wrapped.len().max(1 + codes.len());
        let first_row = lines.len();
        for row in 0..rows {
            let mut line_spans = Vec::new();
            // The gutter: a marker and the unit id on the first row, codes below it.
            let marker = if current { "▌" } else { " " };
            let marker_style = Style::new().fg(Color::Cyan);
            line_spans.push(Span::styled(marker, marker_style));
            if row == 0 {
                let id_style = if current {
                    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
                } else if codes.is_empty() {
                    Style::new().fg(Color::DarkGray)
                } else {
                    Style::new().fg(Color::Gray)
                };
                line_spans.push(Span::styled(
                    format!("{:>6} ", truncate(u.id.as_str(), 6)),
                    id_style,
                ));
            } else if let Some(code) = codes.get(row - 1) {
                line_spans.push(Span::styled(
                    format!("{:<7}", truncate(code.as_str(), 6)),
                    Style::new()
                        .fg(indicator_color(app, code))
                        .add_modifier(Modifier::BOLD),
                ));
            } else {
                line_spans.push(Span::raw("       "));
            }
            line_spans.push(Span::styled(
                if codes.is_empty() { " " } else { "│" },
                Style::new().fg(codes
                    .first()
                    .map_or(Color::DarkGray, |c| indicator_color(app, c))),
            ));
            if let Some(segment) = wrapped.get(row) {
                let base = if current {
                    Style::new().bg(Color::Indexed(236))
                } else {
                    Style::new()
                };
                let style_at = |i: usize| {
                    let at = u.range.start + i;
                    let mut style = base;
                    if let Some((_, color)) =
                        spans.iter().find(|(s, _)| s.start <= at && at < s.end)
                    {
                        style = style.fg(*color).add_modifier(Modifier::UNDERLINED);
                    }
                    if matches.iter().any(|m| m.start <= at && at < m.end) {
                        style = style.bg(Color::Yellow).fg(Color::Black);
                    }
                    if selection.is_some_and(|s| s.start <= at && at < s.end) {
                        style = style.add_modifier(Modifier::REVERSED);
                    }
                    style
                };
                let mut run = String::new();
                let mut run_style = None;
                for (i, &c) in chars
                    .iter()
                    .enumerate()
                    .take(segment.end)
                    .skip(segment.start)
                {
                    let style = style_at(i);
                    if run_style.is_some_and(|s| s != style) {
                        line_spans.push(Span::styled(
                            std::mem::take(&mut run),
                            run_style.unwrap_or(base),
                        ));
                    }
                    run_style = Some(style);
                    run.push(c);
                }
                if !run.is_empty() {
                    line_spans.push(Span::styled(run, run_style.unwrap_or(base)));
                }
                if current {
                    let used =
                        str_width(&chars[segment.start..segment.end].iter().collect::<String>());
                    line_spans.push(Span::styled(
                        " ".repeat(text_width.saturating_sub(used)),
                        base,
                    ));
                }
            }
            lines.push(Line::from(line_spans));
            if lines.len() >= height {
                break;
            }
        }
        unit_rows.push((
            inner.y + first_row as u16,
            inner.y + lines.len() as u16,
            unit,
        ));
        lines.push(Line::raw(""));
        unit += 1;
    }
    if document.units.is_empty() {
        lines.push(Line::styled(
            "This document has no text to code.",
            Style::new().fg(Color::DarkGray),
        ));
    }
    app.layout.borrow_mut().units = unit_rows;
    frame.render_widget(Paragraph::new(lines), inner);
}

fn label<'a>(app: &App, text: &'a Localized) -> &'a str {
    text.get(&app.language)
}

fn render_codebook(frame: &mut Frame, app: &App, area: Rect) {
    let codebook = &app.project.codebook;
    let title = if app.codebook_filter.is_empty() {
        format!(" Codebook · {} ", truncate(&codebook.name, 20))
    } else {
        format!(
            " Codebook · filter: {} ",
            truncate(&app.codebook_filter, 20)
        )
    };
    let block = pane_block(title, app.focus == Focus::Codebook);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let height = inner.height as usize;
    let offset = app.selected_row.saturating_sub(height.saturating_sub(1));
    let on_unit = app.unit_codes(app.unit);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (index, row) in app.rows.iter().enumerate().skip(offset).take(height) {
        rows.push((inner.y + lines.len() as u16, index));
        match *row {
            Row::Category(c) => {
                let category = &codebook.categories[c];
                let indent = "  ".repeat(category.depth);
                let text = format!("{indent}▾ {} {}", category.id, label(app, &category.label));
                lines.push(Line::styled(
                    truncate(&text, width),
                    Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD),
                ));
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
                lines.push(Line::from(vec![
                    Span::styled(head, style.fg(color)),
                    Span::styled(id, style.fg(color).add_modifier(Modifier::BOLD)),
                    Span::styled(format!("{name}{pad}"), style),
                    Span::styled(count, style.fg(Color::DarkGray)),
                ]));
            }
        }
    }
    if app.rows.is_empty() {
        lines.push(Line::styled(
            "no indicator matches the filter (Esc clears it)",
            Style::new().fg(Color::DarkGray),
        ));
    }
    app.layout.borrow_mut().codebook_rows = rows;
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Wraps `text` to `width` with `style`, each line prefixed by `indent`.
fn wrapped(text: &str, width: usize, indent: &str, style: Style) -> Vec<Line<'static>> {
    let safe = sanitize(text);
    let chars: Vec<char> = safe.chars().collect();
    wrap(&safe, width.saturating_sub(str_width(indent)))
        .into_iter()
        .map(|l| {
            Line::from(vec![
                Span::raw(indent.to_string()),
                Span::styled(chars[l.start..l.end].iter().collect::<String>(), style),
            ])
        })
        .collect()
}

/// A memo as [`wrapped`] lines, each of its own lines starting a new screen line: `indent`
/// before the first, as many spaces before the others.
fn wrapped_memo(memo: &str, width: usize, indent: &str, style: Style) -> Vec<Line<'static>> {
    let pad = " ".repeat(str_width(indent));
    let mut lines = Vec::new();
    for (i, line) in memo.lines().enumerate() {
        let lead = if i == 0 { indent } else { pad.as_str() };
        let mut these = wrapped(line, width, lead, style);
        if these.is_empty() {
            these.push(Line::from(lead.to_string()));
        }
        lines.extend(these);
    }
    lines
}

fn render_definition(frame: &mut Frame, app: &App, area: Rect) {
    let codebook = &app.project.codebook;
    let Some(i) = app.selected_indicator() else {
        frame.render_widget(pane_block(" Definition ".into(), false), area);
        return;
    };
    let indicator = &codebook.indicators[i];
    let title = format!(
        " {} · {} ",
        indicator.id,
        truncate(label(app, &indicator.label), 30)
    );
    let block = pane_block(title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = wrapped(label(app, &indicator.definition), width, "", Style::new());
    let heading = Style::new().fg(Color::Gray).add_modifier(Modifier::BOLD);
    for (name, items, color) in [
        ("Include", &indicator.include, Color::Green),
        ("Exclude", &indicator.exclude, Color::Red),
        ("Example", &indicator.examples, Color::Gray),
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
        lines.push(Line::styled(
            format!("{key}: {value}"),
            Style::new().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_details(frame: &mut Frame, app: &App, area: Rect) {
    let block = pane_block(" Details ".into(), app.focus == Focus::Details);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    let dim = Style::new().fg(Color::DarkGray);
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
                lines.extend(wrapped_memo(
                    memo,
                    width,
                    "  ✎ ",
                    Style::new().fg(Color::Yellow),
                ));
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
            lines.extend(wrapped_memo(
                memo,
                width,
                "document ✎ ",
                Style::new().fg(Color::Yellow),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn ago(at: Option<Instant>) -> String {
    match at {
        None => "not yet".into(),
        Some(at) => {
            let secs = at.elapsed().as_secs();
            if secs < 60 {
                format!("{secs} s ago")
            } else {
                format!("{} min ago", secs / 60)
            }
        }
    }
}

fn render_status(frame: &mut Frame, app: &App, area: Rect) {
    let (coded, units) = app.document_progress();
    let (done, documents) = app.corpus_progress();
    let save = if app.read_only {
        Span::styled("read-only", Style::new().fg(Color::Yellow))
    } else if app.disk.unreadable.is_some() {
        // Saved beside the coder's file, which cannot be read: not where the coder expects.
        Span::styled(
            "NOT SAVED (kept beside)",
            Style::new().fg(Color::White).bg(Color::Red),
        )
    } else if let Some(error) = &app.save.error {
        // The error names a path and can be long: with a message to show (such as the warning
        // when quitting unsaved), it would push the message off the screen.
        let text = match &app.message {
            Some(_) => "NOT SAVED".to_string(),
            None => format!("NOT SAVED: {}", sanitize(error)),
        };
        Span::styled(text, Style::new().fg(Color::White).bg(Color::Red))
    } else if app.save.is_dirty() {
        Span::styled("saving…", Style::new().fg(Color::Yellow))
    } else {
        Span::styled(
            format!("saved {}", ago(app.save.last_saved)),
            Style::new().fg(Color::Green),
        )
    };
    let sep = Span::styled(" │ ", Style::new().fg(Color::DarkGray));
    let mut spans = vec![
        Span::styled(" normcode ", Style::new().fg(Color::Black).bg(Color::Cyan)),
        Span::raw(" "),
        Span::styled(
            app.coder.name.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        sep.clone(),
        Span::raw(format!(
            "unit {}/{units}",
            if units == 0 { 0 } else { app.unit + 1 }
        )),
        sep.clone(),
        Span::raw(format!("coded {coded}/{units}")),
        sep.clone(),
        match &app.loading {
            Some(loading) => Span::styled(
                format!(
                    "loading documents {}/{}…",
                    loading.read.load(Ordering::Relaxed).min(loading.documents),
                    loading.documents
                ),
                Style::new().fg(Color::Yellow),
            ),
            None => Span::raw(format!(
                "doc {}/{documents}, {done} done",
                if documents == 0 { 0 } else { app.doc + 1 }
            )),
        },
        sep.clone(),
        save,
    ];
    if let Some(message) = &app.message {
        spans.push(sep.clone());
        let style = if message.is_error {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        spans.push(Span::styled(sanitize(&message.text).into_owned(), style));
        // A message that does not fit takes the place of the progress counts (unit, coded,
        // doc): what just happened matters more than counts that are on screen elsewhere.
        if Line::from(spans.clone()).width() > area.width as usize {
            spans.drain(3..9);
        }
    } else {
        // The keys of the mode, from the action table.
        spans.push(sep);
        let kind = app.mode.kind();
        let legend = app.keymap.legend(kind);
        // Only what fits after the counts: the legend gives way, never the counts.
        let badge = app.mode.kind().badge().map_or(0, str_width);
        let width = |spans: &Vec<Span>| Line::from(spans.clone()).width() + badge;
        // Outside normal mode the keys matter more than the counts (on screen elsewhere).
        if kind != ModeKind::Normal && width(&spans) + 30 > area.width as usize && spans.len() > 9 {
            spans.drain(3..9);
        }
        let room = (area.width as usize).saturating_sub(width(&spans));
        let mut shown = String::new();
        for item in legend {
            let next = if shown.is_empty() {
                item
            } else {
                format!("{shown} · {item}")
            };
            if str_width(&next) > room {
                break;
            }
            shown = next;
        }
        if shown.is_empty() {
            spans.pop();
        } else {
            spans.push(Span::styled(
                sanitize(&shown).into_owned(),
                Style::new().fg(Color::DarkGray),
            ));
        }
    }
    if let Some(badge) = app.mode.kind().badge() {
        spans.insert(
            1,
            Span::styled(badge, Style::new().fg(Color::Black).bg(Color::Yellow)),
        );
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn render_prompt(frame: &mut Frame, app: &App, area: Rect) {
    let Some(prompt) = app.prompt() else {
        return;
    };
    let codebook = &app.project.codebook;
    let (title, candidates): (String, Vec<String>) = match &prompt.kind {
        PromptKind::NewIndicator { fields } => {
            let steps = app.new_indicator_steps();
            let step = fields.len().min(steps.len() - 1);
            (
                format!(
                    " New indicator {}/{}: {} (Enter next, Esc cancel) ",
                    step + 1,
                    steps.len(),
                    steps[step]
                ),
                steps
                    .iter()
                    .zip(fields)
                    .map(|(question, answer)| format!("{question}: {answer}"))
                    .collect(),
            )
        }
        PromptKind::EditIndicator { id, fields } => {
            let steps = app.edit_indicator_steps();
            let step = fields.len().min(steps.len() - 1);
            (
                format!(
                    " Edit {id} {}/{}: {} (Enter keeps or changes, Esc cancels) ",
                    step + 1,
                    steps.len(),
                    steps[step]
                ),
                Vec::new(),
            )
        }
        PromptKind::SplitInto { id } => (
            format!(
                " Split {id} into… (ids separated by spaces; new ones are created; Enter starts) "
            ),
            vec![],
        ),
        PromptKind::RenameIndicator { id } => (
            format!(" Rename {id} to… (every coder file follows; Enter renames, Esc cancels) "),
            vec![],
        ),
        PromptKind::MergeIndicator { id } => (
            format!(" Merge {id} into… (an indicator id; every coder file follows) "),
            vec![],
        ),
        PromptKind::RetireIndicator { id } => (
            format!(
                " Retire {id}? Kept for old annotations, no longer offered. Enter retires, Esc cancels "
            ),
            vec![],
        ),
        PromptKind::ConfirmCodeHits { what, .. } => (
            format!(" Code {what}? Enter or y codes them (one undo), Esc cancels "),
            vec![],
        ),
        PromptKind::ConfirmDone {
            indicator,
            document,
        } => (
            format!(
                " {document} is marked done. Change its coding ({})? Enter or y: yes, for this \
                 document until you quit; Esc cancels ",
                app.project.codebook.indicators[*indicator].id
            ),
            vec![],
        ),
        PromptKind::ReviewCoders => (
            " Review which coders? (names separated by commas; Enter starts) ".into(),
            vec![],
        ),
        PromptKind::QuickAssign | PromptKind::CodeHits | PromptKind::ReviewCode => (
            if prompt.kind == PromptKind::ReviewCode {
                " Toggle in the consensus… (Enter toggles, Esc cancels) ".into()
            } else if prompt.kind == PromptKind::CodeHits {
                let count = app.search.as_ref().map_or(0, |s| {
                    if s.marked.is_empty() {
                        s.hits.len()
                    } else {
                        s.marked.len()
                    }
                });
                format!(" Code {count} search hits with… (Enter adds, Esc cancels) ")
            } else if app.selection().is_some() {
                " Code the selected span with… (Enter toggles, Esc cancels) ".into()
            } else {
                " Code this unit with… (Enter toggles, Esc cancels) ".into()
            },
            app.quick_assign_candidates(&prompt.input)
                .into_iter()
                .map(|i| {
                    let ind = &codebook.indicators[i];
                    format!("{:<6}{}", ind.id, label(app, &ind.label))
                })
                .collect(),
        ),
        PromptKind::PickDocument => (
            " Open document (Enter opens, Esc cancels) ".into(),
            app.picker_candidates(&prompt.input)
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
        ),
        PromptKind::Filter => (
            " Filter the codebook (Enter keeps it, Esc clears) ".into(),
            vec![],
        ),
        PromptKind::Memo { unit, .. } => (
            match unit {
                Some(u) => format!(" Memo on unit {u} (Enter new line, Ctrl-S save, Esc cancel) "),
                None => " Document memo (Enter new line, Ctrl-S save, Esc cancel) ".into(),
            },
            vec![],
        ),
    };
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
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(Style::new().fg(Color::Yellow))
        .title(title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let width = inner.width as usize;
    let mut lines = if wraps {
        let mut lines = wrapped(&prompt.input, width.saturating_sub(1), "", Style::new());
        if prompt.input.ends_with('\n') || lines.is_empty() {
            lines.push(Line::raw(""));
        }
        if let Some(last) = lines.last_mut() {
            last.spans
                .push(Span::styled("█", Style::new().fg(Color::Yellow)));
        }
        let skip = lines.len().saturating_sub(inner.height as usize);
        lines.into_iter().skip(skip).collect()
    } else {
        vec![Line::from(vec![
            Span::styled("> ", Style::new().fg(Color::Yellow)),
            Span::raw(sanitize(&prompt.input).into_owned()),
            Span::styled("█", Style::new().fg(Color::Yellow)),
        ])]
    };
    let selected = prompt.selected.min(candidates.len().saturating_sub(1));
    let room = (inner.height as usize).saturating_sub(1);
    let offset = selected.saturating_sub(room.saturating_sub(1));
    for (i, candidate) in candidates.iter().enumerate().skip(offset).take(room) {
        let style = if i == selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::styled(truncate(candidate, width), style));
    }
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
                | PromptKind::ConfirmDone { .. }
                | PromptKind::ConfirmCodeHits { .. }
                | PromptKind::EditIndicator { .. }
                | PromptKind::SplitInto { .. }
        )
    {
        lines.push(Line::styled("no match", Style::new().fg(Color::DarkGray)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The split under way: the segment to decide, its quote, the targets and the tally.
fn render_split(frame: &mut Frame, app: &App, area: Rect) {
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
    let block = pane_block(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = Style::new().fg(Color::DarkGray);
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
                    wrapped(
                        &format!("“{quote}”"),
                        width,
                        "",
                        Style::new().fg(Color::Cyan),
                    )
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
        None => lines.push(Line::raw("Enter splits; ← goes back to change a decision")),
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
        truncate(
            &format!(
                "s keep with {} ({left}) · ← back · Enter split · Esc cancel",
                split.source
            ),
            width,
        ),
        dim,
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_help(frame: &mut Frame, app: &App, area: Rect) {
    let rect = popup(area, 100, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_style(Style::new().fg(Color::Cyan))
        .title(" Keys · j/k scroll · Esc closes ");
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
            Paragraph::new(Span::styled(shown, Style::new().fg(Color::Cyan))),
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

/// Every action of the mode the help was opened in, then of every other mode, with its keys;
/// descriptions wrapped (never cut) beside a column of keys; then what the panes' numbers mean.
fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    const KEYS: usize = 14;
    let first = app.mode.help().map_or(ModeKind::Normal, |h| h.under.kind());
    let mut lines = Vec::new();
    let heading = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    for section in super::modes::help::sections(&app.keymap, first) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(section.mode.title().to_string(), heading));
        for (keys, description) in section.entries {
            let keys = sanitize(&keys).into_owned();
            let text_width = width.saturating_sub(KEYS + 2).max(10);
            let rows = wrap(description, text_width);
            let chars: Vec<char> = description.chars().collect();
            // Keys that do not fit their column take a line of their own.
            let long_keys = str_width(&keys) > KEYS;
            if long_keys {
                lines.push(Line::styled(keys.clone(), Style::new().fg(Color::Yellow)));
            }
            for (i, row) in rows.iter().enumerate() {
                let lead = if i == 0 && !long_keys {
                    format!("{keys:>KEYS$}  ")
                } else {
                    " ".repeat(KEYS + 2)
                };
                lines.push(Line::from(vec![
                    Span::styled(lead, Style::new().fg(Color::Yellow)),
                    Span::raw(chars[row.start..row.end].iter().collect::<String>()),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    for note in super::modes::help::NOTES {
        lines.extend(wrapped(note, width, "", Style::new().fg(Color::DarkGray)));
    }
    lines
}

fn render_search(frame: &mut Frame, app: &App, area: Rect) {
    let Some(search) = &app.search else {
        return;
    };
    let block = pane_block(" Search ".into(), app.focus == Focus::Search);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled("/ ", Style::new().fg(Color::Yellow)),
        Span::raw(sanitize(&search.query).into_owned()),
        Span::styled(
            if app.mode.kind() == ModeKind::Query {
                "█"
            } else {
                ""
            },
            Style::new().fg(Color::Yellow),
        ),
    ])];
    let dim = Style::new().fg(Color::DarkGray);
    match &search.status {
        SearchStatus::Opening { done, total } => {
            lines.push(Line::styled(
                format!("building the index… {done}/{total} documents"),
                Style::new().fg(Color::Yellow),
            ));
            let ratio = if *total == 0 {
                0.0
            } else {
                *done as f64 / *total as f64
            };
            let filled = ((width as f64) * ratio).round() as usize;
            lines.push(Line::from(vec![
                Span::styled("█".repeat(filled), Style::new().fg(Color::Cyan)),
                Span::styled("░".repeat(width.saturating_sub(filled)), dim),
            ]));
        }
        SearchStatus::Failed(err) => lines.push(Line::styled(
            truncate(&format!("search unavailable: {err}"), width),
            Style::new().fg(Color::Red),
        )),
        SearchStatus::Ready => {
            if let Some(err) = &search.error {
                // All of it: the end says what to change in the query.
                lines.extend(wrapped(err, width, "", Style::new().fg(Color::Red)));
            } else {
                let summary = if search.query.trim().is_empty() {
                    Line::styled("type to search; Enter to the results, Esc closes", dim)
                } else if search.answered != search.generation {
                    Line::styled("searching…", dim)
                } else {
                    let marked = if search.marked.is_empty() {
                        String::new()
                    } else {
                        format!(", {} marked", search.marked.len())
                    };
                    // The keys that work now: while the query is typed, letters go into it.
                    let keys = app.keymap.legend(match app.mode.kind() {
                        ModeKind::Query => ModeKind::Query,
                        _ => ModeKind::Search,
                    });
                    let keys = keys.join(" · ");
                    Line::styled(
                        truncate(
                            &format!(
                                "{} hit{}{marked} · {keys}",
                                search.total,
                                if search.total == 1 { "" } else { "s" }
                            ),
                            width,
                        ),
                        dim,
                    )
                };
                lines.push(summary);
            }
        }
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    let offset = search.selected.saturating_sub(room.saturating_sub(1));
    for (i, hit) in search.hits.iter().enumerate().skip(offset).take(room) {
        let selected = i == search.selected && app.mode.kind() == ModeKind::Search;
        let base = if selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        let mark = if search.marked.contains(&i) {
            "■ "
        } else {
            "  "
        };
        let head = format!("{mark}{} {} ", hit.document, hit.unit);
        let mut spans = vec![Span::styled(head.clone(), base.fg(Color::Cyan))];
        // The snippet, its matches in bold yellow.
        let snippet: Vec<char> = hit.snippet.text.chars().map(text::visible).collect();
        let room = width.saturating_sub(str_width(&head));
        let mut used = 0;
        let mut at = 0;
        while at < snippet.len() && used < room {
            let highlighted = hit.snippet.highlights.iter().any(|r| r.contains(&at));
            let mut run = String::new();
            while at < snippet.len()
                && hit.snippet.highlights.iter().any(|r| r.contains(&at)) == highlighted
            {
                let w = text::char_width(snippet[at]);
                if used + w > room {
                    break;
                }
                used += w;
                run.push(if snippet[at] == '\n' {
                    ' '
                } else {
                    snippet[at]
                });
                at += 1;
            }
            if run.is_empty() {
                break;
            }
            let style = if highlighted {
                base.fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                base
            };
            spans.push(Span::styled(run, style));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_review(frame: &mut Frame, app: &App, area: Rect) {
    let Some(review) = app.mode.review().map(|r| &r.review) else {
        return;
    };
    frame.render_widget(Clear, area);
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
        .border_style(Style::new().fg(Color::Magenta))
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = Style::new().fg(Color::DarkGray);
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
        lines.push(Line::styled(
            "t back to the disagreements · j/k scroll · Esc leave",
            dim,
        ));
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
        Span::styled(" resolved ", Style::new().fg(Color::Black).bg(Color::Green))
    } else {
        Span::styled(" open ", Style::new().fg(Color::Black).bg(Color::Yellow))
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!("{}/{}  ", review.current + 1, review.items.len()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("{} · unit {}  ", item.document, item.unit),
            Style::new().fg(Color::Cyan),
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
            Style::new().fg(Color::Yellow),
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
                lines.extend(wrapped_memo(
                    memo,
                    width,
                    "    ✎ ",
                    Style::new().fg(Color::Yellow),
                ));
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
    let mut spans = vec![Span::styled(
        format!("= {:<12}", "consensus"),
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    )];
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
                Style::new().fg(Color::Red),
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
            lines.extend(wrapped(
                label(app, rule),
                width,
                "  not: ",
                Style::new().fg(Color::Red),
            ));
        }
    }
    let legend = "1-9 take a coder's · U union · I intersection · a edit · u undo · j/k next/previous · t agreement table · Enter show in document · Esc leave";
    let room = inner.height as usize;
    if lines.len() >= room {
        lines.truncate(room.saturating_sub(1));
    } else {
        lines.resize(room - 1, Line::raw(""));
    }
    lines.push(Line::styled(truncate(legend, width), dim));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One horizontal bar: `label`, a bar of `value / max` of the room, and the figure.
fn bar_line(
    label: &str,
    value: usize,
    max: usize,
    figure: String,
    width: usize,
    color: Color,
) -> Line<'static> {
    let label_width = 34.min(width / 2);
    let label = truncate(label, label_width);
    let pad = " ".repeat(label_width.saturating_sub(str_width(&label)) + 1);
    let room = width.saturating_sub(label_width + 2 + figure.len() + 1);
    let filled = if max == 0 {
        0
    } else {
        (room * value).div_ceil(max).min(room)
    };
    Line::from(vec![
        Span::raw(format!("{label}{pad}")),
        Span::styled("█".repeat(filled), Style::new().fg(color)),
        Span::raw(format!(" {figure}")),
    ])
}

fn render_reports(frame: &mut Frame, app: &App, area: Rect) {
    let Some(view) = app.mode.reports() else {
        return;
    };
    frame.render_widget(Clear, area);
    let tabs = ["Indicator frequencies", "Coding progress"];
    let title: Vec<Span> = tabs
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            let style = if i == view.tab {
                Style::new().fg(Color::Black).bg(Color::Cyan)
            } else {
                Style::new().fg(Color::Gray)
            };
            [Span::styled(format!(" {name} "), style), Span::raw(" ")]
        })
        .collect();
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(Style::new().fg(Color::Cyan))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let dim = Style::new().fg(Color::DarkGray);
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
    lines.push(Line::styled(
        "Tab other chart · j/k scroll · Esc close",
        dim,
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
