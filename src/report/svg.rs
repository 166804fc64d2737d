//! The agenda as an SVG timeline: indicators as rows, years as columns, one marker shape and
//! colour per publisher group (colour-blind-safe Okabe–Ito colours, and distinct shapes so the
//! chart also reads in black and white). A grey bar spans the first group's lead, from its
//! first year to the year the next group followed; the first marker has a dark outline. Every
//! marker has a tooltip (`<title>`). One panel per series.

use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::agenda::{Agenda, AgendaRow};
use super::describe;

const COLOURS: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
];
const FONT: &str = "DejaVu Sans, Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, \
                    PingFang SC, Helvetica, Arial, sans-serif";

const MARGIN: f64 = 20.0;
const ROW: f64 = 22.0;
const YEAR: f64 = 44.0;
const CHAR: f64 = 6.6;
const LABEL_COLUMNS: usize = 52;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to `columns` display columns, with `…` where cut.
fn truncate(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > columns.saturating_sub(1) {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A marker of group `index` centred on (x, y).
fn marker(index: usize, x: f64, y: f64, outline: bool, tip: &str) -> String {
    let colour = COLOURS[index % COLOURS.len()];
    let stroke = if outline {
        r##" stroke="#1a1a1a" stroke-width="1.6""##
    } else {
        r##" stroke="#ffffff" stroke-width="0.8""##
    };
    let r = 4.2;
    let shape = match index % 4 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{colour}"{stroke}>"#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"{stroke}>"#,
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        2 => format!(
            r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}"{stroke}>"#,
            x,
            y - r - 0.8,
            x + r + 0.6,
            y + r - 0.4,
            x - r - 0.6,
            y + r - 0.4
        ),
        _ => format!(
            r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}"{stroke}>"#,
            x,
            y - r - 1.0,
            x + r + 1.0,
            y,
            x,
            y + r + 1.0,
            x - r - 1.0,
            y
        ),
    };
    let close = if shape.starts_with("<circle") {
        "</circle>"
    } else if shape.starts_with("<rect") {
        "</rect>"
    } else {
        "</polygon>"
    };
    format!("{shape}<title>{}</title>{close}", escape(tip))
}

/// The chart of `agenda`.
pub fn agenda(agenda: &Agenda) -> String {
    let years: Vec<i64> = agenda
        .series
        .iter()
        .flat_map(|s| &s.indicators)
        .flat_map(|r| &r.groups)
        .flat_map(|g| g.years.iter().copied())
        .collect();
    let (first, last) = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (0, -1),
    };
    let year_count = (last - first + 1).max(0) as usize;
    let label_width = agenda
        .series
        .iter()
        .flat_map(|s| &s.indicators)
        .map(|r| label_of(r).width())
        .max()
        .unwrap_or(20)
        .min(LABEL_COLUMNS) as f64
        * CHAR
        + 16.0;
    let verdict_width = agenda
        .series
        .iter()
        .flat_map(|s| &s.indicators)
        .map(|r| verdict(agenda, r).width())
        .max()
        .unwrap_or(10) as f64
        * CHAR
        + 24.0;
    let grid_x = MARGIN + label_width;
    let width = grid_x + year_count as f64 * YEAR + verdict_width + MARGIN;
    let group_count = agenda.groups.len().max(1);
    let slot = |group: usize| {
        let spread = (YEAR - 14.0) / group_count as f64;
        (group as f64 - (group_count as f64 - 1.0) / 2.0) * spread.min(10.0)
    };
    let year_x = |year: i64| grid_x + (year - first) as f64 * YEAR + YEAR / 2.0;

    let mut body = String::new();
    let mut y = MARGIN + 18.0;
    let title = "Agenda: who raised each issue first";
    let _ = writeln!(
        body,
        r#"  <text x="{MARGIN}" y="{y}" font-size="16" font-weight="bold">{}</text>"#,
        escape(title)
    );
    y += 12.0;
    for series in &agenda.series {
        y += 22.0;
        let _ = writeln!(
            body,
            r#"  <text x="{MARGIN}" y="{y}" font-size="13" font-weight="bold">{}</text>"#,
            escape(&describe(&series.name, &series.coders, agenda.combine))
        );
        y += 22.0;
        // Year axis.
        let _ = writeln!(body, r##"  <g class="years" font-size="11" fill="#333">"##);
        for (i, year) in (first..=last).enumerate() {
            let x = grid_x + i as f64 * YEAR + YEAR / 2.0;
            let _ = writeln!(
                body,
                r#"    <text x="{x:.1}" y="{y:.1}" text-anchor="middle">{year}</text>"#
            );
        }
        let _ = writeln!(
            body,
            r#"    <text x="{:.1}" y="{y:.1}">First, lead</text>"#,
            grid_x + year_count as f64 * YEAR + 12.0
        );
        let _ = writeln!(body, "  </g>");
        y += 8.0;
        let top = y;
        let rows_height = series.indicators.len() as f64 * ROW;
        // Stripes and grid.
        for (i, _) in series.indicators.iter().enumerate() {
            if i % 2 == 0 {
                let _ = writeln!(
                    body,
                    r##"  <rect x="{MARGIN}" y="{:.1}" width="{:.1}" height="{ROW}" fill="#f3f4f6"/>"##,
                    top + i as f64 * ROW,
                    width - 2.0 * MARGIN
                );
            }
        }
        for i in 0..=year_count {
            let x = grid_x + i as f64 * YEAR;
            let _ = writeln!(
                body,
                r##"  <line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}" stroke="#d0d4da" stroke-width="0.6"/>"##,
                top + rows_height
            );
        }
        for (i, row) in series.indicators.iter().enumerate() {
            let cy = top + i as f64 * ROW + ROW / 2.0;
            let _ = writeln!(
                body,
                r#"  <g class="row" data-indicator="{}">"#,
                escape(&row.indicator.id)
            );
            let _ = writeln!(
                body,
                r#"    <text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                MARGIN + 6.0,
                cy + 4.0,
                escape(&truncate(&label_of(row), LABEL_COLUMNS))
            );
            // The lead: from the first year to the next group's first year.
            if let Some(lead) = row.lead.filter(|l| *l > 0) {
                // From the first marker to the marker of the group that followed.
                let at = |year: i64| {
                    row.groups
                        .iter()
                        .position(|g| g.first() == Some(year))
                        .map_or(year_x(year), |g| year_x(year) + slot(g))
                };
                let x1 = at(row.first_year);
                let x2 = at(row.first_year + lead);
                let _ = writeln!(
                    body,
                    r##"    <line class="lead" x1="{x1:.1}" y1="{cy:.1}" x2="{x2:.1}" y2="{cy:.1}" stroke="#9aa0a6" stroke-width="5" stroke-linecap="round" opacity="0.55"/>"##
                );
            }
            for (g, group) in row.groups.iter().enumerate() {
                let label = agenda.group_label(&group.group);
                let style = agenda.groups.get(g).map_or(g, |info| info.order);
                for &year in &group.years {
                    let outline = year == row.first_year && row.first.contains(&group.group);
                    let tip = format!("{}: {label}, {year}", row.indicator.id);
                    let _ = writeln!(
                        body,
                        "    {}",
                        marker(style, year_x(year) + slot(g), cy, outline, &tip)
                    );
                }
            }
            let _ = writeln!(
                body,
                r#"    <text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                grid_x + year_count as f64 * YEAR + 12.0,
                cy + 4.0,
                escape(&verdict(agenda, row))
            );
            let _ = writeln!(body, "  </g>");
        }
        y = top + rows_height;
        if !series.not_raised.is_empty() {
            y += 16.0;
            let _ = writeln!(
                body,
                r##"  <text x="{MARGIN}" y="{y:.1}" font-size="10" fill="#555">{}</text>"##,
                escape(&format!(
                    "Not raised by these groups: {}",
                    truncate(&series.not_raised.join(", "), 200)
                ))
            );
        }
    }
    // Legend.
    y += 30.0;
    let _ = writeln!(body, r#"  <g class="legend" font-size="11">"#);
    let mut x = MARGIN + 6.0;
    for group in &agenda.groups {
        let _ = writeln!(
            body,
            "    {}",
            marker(group.order, x, y - 4.0, false, &group.label)
        );
        let _ = writeln!(
            body,
            r#"    <text x="{:.1}" y="{y:.1}">{}</text>"#,
            x + 10.0,
            escape(&group.label)
        );
        x += 10.0 + group.label.width() as f64 * CHAR + 28.0;
    }
    let _ = writeln!(
        body,
        r##"    <line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#9aa0a6" stroke-width="5" stroke-linecap="round" opacity="0.55"/>"##,
        y - 4.0,
        x + 22.0,
        y - 4.0
    );
    let note = "lead of the first group (outlined) until the next group";
    let _ = writeln!(
        body,
        r#"    <text x="{:.1}" y="{y:.1}">{}</text>"#,
        x + 30.0,
        escape(note)
    );
    let legend_end = x + 30.0 + note.width() as f64 * CHAR + MARGIN;
    let _ = writeln!(body, "  </g>");
    let width = width.max(legend_end);
    let height = y + MARGIN;

    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}">"#
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(title));
    let _ = writeln!(
        out,
        r##"  <rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

fn label_of(row: &AgendaRow) -> String {
    if row.indicator.label.is_empty() {
        row.indicator.id.clone()
    } else {
        format!("{}  {}", row.indicator.id, row.indicator.label)
    }
}

/// "Company +1", "tie: A, B", "Company only".
fn verdict(agenda: &Agenda, row: &AgendaRow) -> String {
    let labels: Vec<String> = row.first.iter().map(|g| agenda.group_label(g)).collect();
    match row.lead {
        _ if labels.len() > 1 => format!("tie: {}", labels.join(", ")),
        Some(lead) => format!("{} +{lead}", labels.join("")),
        None if agenda.groups.len() > 1 => format!("{} only", labels.join("")),
        None => labels.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_display_columns() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("漏洞披露规则", 6), "漏洞…");
        assert_eq!(truncate("short", 10), "short");
    }
}
