//! The agenda as a timeline in the reports view: years across, indicators down under their
//! category, one marker shape per publisher group in the years its documents raise the
//! indicator; the group that raised it first has its first marker drawn as a badge, and the
//! last column names it with its lead. Shapes differ per group, so the chart reads without
//! colour (`NO_COLOR`) too.
//!
//! The columns fit the width: at 80 columns the years are `'13`, with room for two markers
//! (side by side when two groups raised it the same year); a wide terminal gets full years,
//! whole labels and room for every group's marker.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::report::agenda::{Agenda, AgendaRow};
use crate::tui::text::{str_width, truncate};
use crate::tui::theme::Theme;

/// The marker of the group at `order` in the codebook.
pub(crate) fn marker(order: usize) -> &'static str {
    const SHAPES: [&str; 6] = ["●", "▲", "■", "◆", "★", "✚"];
    SHAPES[order % SHAPES.len()]
}

fn group_color(theme: &Theme, order: usize) -> Style {
    if !theme.color {
        return Style::new();
    }
    const COLORS: [Color; 6] = [
        Color::Blue,
        Color::Yellow,
        Color::Magenta,
        Color::Green,
        Color::Red,
        Color::Cyan,
    ];
    Style::new().fg(COLORS[order % COLORS.len()])
}

fn pad(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    let room = width.saturating_sub(str_width(&cut));
    format!("{cut}{}", " ".repeat(room))
}

/// The timeline's lines for `width` columns.
pub(crate) fn lines(
    agenda: &Agenda,
    theme: &Theme,
    width: usize,
    category_label: impl Fn(&str) -> String,
) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    let years: Vec<i64> = {
        let mut all: Vec<i64> = agenda
            .series
            .iter()
            .flat_map(|s| &s.indicators)
            .flat_map(|r| &r.groups)
            .flat_map(|g| g.years.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        match (all.first(), all.last()) {
            (Some(&first), Some(&last)) => (first..=last).collect(),
            _ => Vec::new(),
        }
    };
    // The legend: one shape per compared group, wrapped to the width.
    let mut legend: Vec<Span<'static>> = vec![Span::raw("Groups:")];
    let mut used = "Groups:".len();
    let mut items: Vec<(Vec<Span<'static>>, usize)> = agenda
        .groups
        .iter()
        .map(|group| {
            let text = format!(" {}", group.label);
            let w = 2 + str_width(&text);
            (
                vec![
                    Span::raw(" "),
                    Span::styled(marker(group.order), group_color(theme, group.order)),
                    Span::raw(text),
                ],
                w,
            )
        })
        .collect();
    items.push((
        vec![Span::raw("  "), Span::styled("▌first▐", theme.badge)],
        9,
    ));
    for (spans, w) in items {
        if used + w > width && used > 0 {
            out.push(Line::from(std::mem::take(&mut legend)));
            used = 0;
        }
        legend.extend(spans);
        used += w;
    }
    out.push(Line::from(legend));

    let groups = agenda.groups.len().max(1);
    // Columns: label, one cell per year, "first" at the end.
    let first_width = if width >= 120 { 34 } else { groups + 9 };
    let full_years = width >= 120 || years.len() * 5 + 24 + first_width <= width;
    let min_cell = if full_years { 4 } else { 3 };
    let cell = {
        let wanted = (groups + 1).max(min_cell);
        let room = width.saturating_sub(24 + first_width);
        let fits = room / years.len().max(1);
        wanted.min(fits).max(2)
    };
    let mut label_width = width
        .saturating_sub(cell * years.len() + first_width + 1)
        .clamp(10, 60);
    let mut cell = cell;
    if width >= 120 {
        // A wide terminal: whole labels, the rest shared out between the years.
        let rows = || agenda.series.iter().flat_map(|s| &s.indicators);
        let longest = rows()
            .map(|r| str_width(&format!(" {} {}", r.indicator.id, r.indicator.label)) + 1)
            .max()
            .unwrap_or(10);
        let first = rows()
            .map(|r| str_width(&agenda.first_text(r)) + 6)
            .max()
            .unwrap_or(10);
        label_width = longest.min(width / 2);
        let room = width.saturating_sub(label_width + first);
        cell = (room / years.len().max(1)).clamp(cell, 8);
    }
    for series in &agenda.series {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!(
                "Who raised each issue first, coded by {} ({} documents counted)",
                series.name, series.documents
            ),
            bold,
        ));
        if let Some(unresolved) = &series.unresolved {
            out.push(Line::styled(unresolved.sentence(), theme.warning));
        }
        if series.indicators.is_empty() {
            out.push(Line::styled(
                "no indicator raised in a counted document with a year and a publisher group",
                theme.dim,
            ));
            continue;
        }
        let mut header = vec![Span::raw(pad("", label_width))];
        for year in &years {
            let text = if cell >= 4 {
                year.to_string()
            } else {
                format!("'{:02}", year.rem_euclid(100))
            };
            header.push(Span::styled(pad(&text, cell), theme.dim));
        }
        header.push(Span::styled(" First", theme.dim));
        out.push(Line::from(header));
        let mut category = String::new();
        for row in &series.indicators {
            if row.indicator.category != category {
                category = row.indicator.category.clone();
                let heading = if category.is_empty() {
                    "(codes the codebook does not know)".to_string()
                } else {
                    category_label(&category)
                };
                out.push(Line::styled(heading, theme.heading));
            }
            out.push(row_line(
                agenda,
                row,
                theme,
                &years,
                cell,
                label_width,
                width >= 120,
            ));
        }
        if !series.not_raised.is_empty() {
            out.push(Line::styled(
                format!(
                    "Not raised by these groups ({}): {}",
                    series.not_raised.len(),
                    series.not_raised.join(", ")
                ),
                theme.dim,
            ));
        }
    }
    out
}

fn row_line(
    agenda: &Agenda,
    row: &AgendaRow,
    theme: &Theme,
    years: &[i64],
    cell: usize,
    label_width: usize,
    wide: bool,
) -> Line<'static> {
    let label = format!(" {} {}", row.indicator.id, row.indicator.label);
    let mut spans = vec![Span::raw(pad(&label, label_width.saturating_sub(1)) + " ")];
    // Per year, the groups raising it then, in the order compared.
    let mut by_year: BTreeMap<i64, Vec<(usize, bool)>> = BTreeMap::new();
    for (g, group) in row.groups.iter().enumerate() {
        let order = agenda.groups.get(g).map_or(g, |info| info.order);
        let first = row.first.contains(&group.group);
        for &year in &group.years {
            by_year
                .entry(year)
                .or_default()
                .push((order, first && year == row.first_year));
        }
    }
    for year in years {
        let marks = by_year.get(year).map(Vec::as_slice).unwrap_or(&[]);
        let room = cell.saturating_sub(1).max(1);
        let shown = if marks.len() > room {
            room.saturating_sub(1).max(1)
        } else {
            marks.len()
        };
        for (order, first) in &marks[..shown] {
            let style = if *first {
                group_color(theme, *order).patch(theme.badge)
            } else {
                group_color(theme, *order)
            };
            spans.push(Span::styled(marker(*order), style));
        }
        let mut used = shown;
        if shown < marks.len() && used < cell {
            spans.push(Span::styled("+", theme.dim));
            used += 1;
        }
        if marks.is_empty() {
            spans.push(Span::styled("·", theme.dim));
            used = 1;
        }
        spans.push(Span::raw(" ".repeat(cell.saturating_sub(used))));
    }
    let lead = match row.lead {
        Some(0) | None => String::new(),
        Some(n) => format!(" +{n}y"),
    };
    if wide {
        spans.push(Span::raw(format!(" {}{lead}", agenda.first_text(row))));
    } else {
        // The first groups' shapes, and what the wide view says in words.
        spans.push(Span::raw(" "));
        for g in &row.first {
            let order = agenda
                .groups
                .iter()
                .find(|info| info.id == *g)
                .map_or(0, |info| info.order);
            spans.push(Span::styled(marker(order), group_color(theme, order)));
        }
        let note = if row.first.len() > 1 {
            " tie".to_string()
        } else if row.lead.is_none() && !agenda.pending_others(row).is_empty() {
            " pending".to_string()
        } else if row.lead.is_none() && agenda.groups.len() > 1 {
            " only".to_string()
        } else {
            lead
        };
        spans.push(Span::raw(note));
    }
    Line::from(spans)
}
