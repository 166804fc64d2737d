//! The agenda as an SVG figure for a paper: indicators as rows, years as columns, one panel per
//! series (coder, or coders combined), each with its own legend and a year axis (a tick per
//! year and a title) at its foot. Every publisher group has its own marker shape *and*
//! colour-blind-safe Okabe–Ito colour, so the chart also reads in greyscale; markers of one
//! year sit side by side. A grey bar spans the first group's lead, from its first year to the
//! year the next group followed; the first marker has a dark outline. Labels are wrapped by
//! their measured width ([`Fonts`]), never cut, and the figure is as wide as its content.
//!
//! Element ids name what a test (or a reader of the SVG) looks for: `plot-P` (the years' area
//! of panel P), `label-P-R-L` (line L of row R's label), `verdict-P-R-L`, `tick-P-YEAR`,
//! `axis-P`, `legend-P` (a group holding `legend-P-G` markers), `footer-P-L`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::fonts::{Fonts, font_family};
use super::words::Words;
use super::wrap::wrap;
use crate::report::agenda::{Agenda, AgendaRow};

/// Okabe–Ito: distinguishable with any of the common colour-vision deficiencies.
const COLOURS: &[&str] = &[
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
];

const MARGIN: f64 = 24.0;
const TITLE: f64 = 16.0;
const HEAD: f64 = 13.0;
const TEXT: f64 = 11.0;
const SMALL: f64 = 10.0;
const LINE: f64 = 14.0;
const ROW: f64 = 20.0;
/// Widest label text before it wraps.
const LABEL_MAX: f64 = 300.0;
/// Widest verdict ("First, lead") before it wraps.
const VERDICT_MAX: f64 = 220.0;
/// Distance between the centres of two markers of the same year.
const STEP: f64 = 12.0;
const R: f64 = 4.3;

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The shape of group style `index` centred on (x, y), with a tooltip.
fn marker(index: usize, x: f64, y: f64, outline: bool, id: Option<&str>, tip: &str) -> String {
    let colour = COLOURS[index % COLOURS.len()];
    let stroke = if outline {
        r##"stroke="#1a1a1a" stroke-width="1.6""##
    } else {
        r##"stroke="#ffffff" stroke-width="0.8""##
    };
    let id = id.map(|id| format!(r#" id="{id}""#)).unwrap_or_default();
    let points = |pts: &[(f64, f64)]| {
        pts.iter()
            .map(|(dx, dy)| format!("{:.1},{:.1}", x + dx, y + dy))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (element, shape) = match index % 6 {
        0 => ("circle", format!(r#"cx="{x:.1}" cy="{y:.1}" r="{R}""#)),
        1 => {
            let s = R * 0.9;
            (
                "rect",
                format!(
                    r#"x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}""#,
                    x - s,
                    y - s,
                    2.0 * s,
                    2.0 * s
                ),
            )
        }
        2 => (
            "polygon",
            format!(
                r#"points="{}""#,
                points(&[(0.0, -R - 1.0), (R + 0.8, R - 0.2), (-R - 0.8, R - 0.2)])
            ),
        ),
        3 => (
            "polygon",
            format!(
                r#"points="{}""#,
                points(&[
                    (0.0, -R - 1.0),
                    (R + 1.0, 0.0),
                    (0.0, R + 1.0),
                    (-R - 1.0, 0.0)
                ])
            ),
        ),
        4 => (
            "polygon",
            format!(
                r#"points="{}""#,
                points(&[(0.0, R + 1.0), (R + 0.8, -R + 0.2), (-R - 0.8, -R + 0.2)])
            ),
        ),
        _ => {
            // A plus sign.
            let (a, b) = (R + 0.6, R * 0.38);
            (
                "polygon",
                format!(
                    r#"points="{}""#,
                    points(&[
                        (-b, -a),
                        (b, -a),
                        (b, -b),
                        (a, -b),
                        (a, b),
                        (b, b),
                        (b, a),
                        (-b, a),
                        (-b, b),
                        (-a, b),
                        (-a, -b),
                        (-b, -b)
                    ])
                ),
            )
        }
    };
    format!(
        r#"<{element}{id} {shape} fill="{colour}" {stroke}><title>{}</title></{element}>"#,
        escape(tip)
    )
}

fn label_of(row: &AgendaRow) -> &str {
    &row.indicator.label
}

/// A text line with an id.
fn text(out: &mut String, id: &str, x: f64, y: f64, attrs: &str, content: &str) {
    let _ = writeln!(
        out,
        r#"  <text id="{id}" x="{x:.1}" y="{y:.1}"{attrs}>{}</text>"#,
        escape(content)
    );
}

/// The figure of `agenda`, measured with `fonts`.
pub fn agenda(agenda: &Agenda, fonts: &Fonts) -> String {
    let words = Words::new(&agenda.lang);
    let measure = |size: f64, bold: bool| move |s: &str| fonts.width(s, size, bold);
    let w_text = measure(TEXT, false);
    let w_small = measure(SMALL, false);
    let rows = || agenda.series.iter().flat_map(|s| &s.indicators);

    let years: Vec<i64> = rows()
        .flat_map(|r| &r.groups)
        .flat_map(|g| g.years.iter().copied())
        .collect();
    let (first, last) = match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => (0, -1),
    };
    let year_count = (last - first + 1).max(0) as usize;
    let label_of_group = |id: &str| agenda.group_label(id);
    let verdict = |row: &AgendaRow| {
        let firsts: Vec<String> = row.first.iter().map(|g| label_of_group(g)).collect();
        words.verdict(
            &firsts,
            row.lead,
            agenda.groups.len(),
            &agenda.pending_others(row),
        )
    };

    // Columns.
    let id_width = rows()
        .map(|r| w_text(&r.indicator.id))
        .fold(w_text(words.indicator()).min(40.0), f64::max)
        + 8.0;
    let label_width = rows()
        .map(|r| w_text(label_of(r)))
        .fold(0.0, f64::max)
        .min(LABEL_MAX);
    let grid_x = MARGIN + 4.0 + id_width + label_width + 10.0;
    let most_in_a_year = rows()
        .flat_map(|r| {
            let mut per_year: BTreeMap<i64, usize> = BTreeMap::new();
            for g in &r.groups {
                for y in &g.years {
                    *per_year.entry(*y).or_default() += 1;
                }
            }
            per_year.into_values()
        })
        .max()
        .unwrap_or(1);
    let year_w = (w_text("8888") + 14.0)
        .max(most_in_a_year as f64 * STEP + 8.0)
        .max(36.0);
    let plot_w = year_count as f64 * year_w;
    let verdict_w = rows()
        .map(|r| w_text(&verdict(r)))
        .fold(w_text(words.first_lead()), f64::max)
        .min(VERDICT_MAX);
    let verdict_x = grid_x + plot_w + 12.0;
    let content_w = (verdict_x + verdict_w + 6.0 - MARGIN).max(360.0);
    let width = (MARGIN + content_w + MARGIN).ceil();
    let year_x = |year: i64| grid_x + (year - first) as f64 * year_w + year_w / 2.0;

    let mut body = String::new();
    let mut y = MARGIN;
    for (i, line) in wrap(words.title(), content_w, &measure(TITLE, true))
        .iter()
        .enumerate()
    {
        y += TITLE + 4.0;
        text(
            &mut body,
            &format!("title-{i}"),
            MARGIN,
            y,
            r#" font-size="16" font-weight="bold""#,
            line,
        );
    }

    for (p, series) in agenda.series.iter().enumerate() {
        y += 14.0;
        let heading = words.series(&series.name, &series.coders, agenda.combine);
        for (i, line) in wrap(&heading, content_w, &measure(HEAD, true))
            .iter()
            .enumerate()
        {
            y += HEAD + 5.0;
            text(
                &mut body,
                &format!("heading-{p}-{i}"),
                MARGIN,
                y,
                r#" font-size="13" font-weight="bold""#,
                line,
            );
        }
        // Column headings: the indicator column, the years, the verdict.
        let verdict_head = wrap(words.first_lead(), verdict_w, &w_text);
        y += 10.0 + (verdict_head.len() as f64 - 1.0) * LINE;
        let head_y = y + TEXT;
        let _ = writeln!(
            body,
            r##"  <g class="columns" font-size="11" fill="#333">"##
        );
        text(
            &mut body,
            &format!("colhead-{p}"),
            MARGIN + 4.0,
            head_y,
            "",
            words.indicator(),
        );
        for year in first..=last {
            text(
                &mut body,
                &format!("year-{p}-{year}"),
                year_x(year),
                head_y,
                r#" text-anchor="middle""#,
                &year.to_string(),
            );
        }
        let lines = verdict_head.len() as f64;
        for (i, line) in verdict_head.iter().enumerate() {
            text(
                &mut body,
                &format!("verdicthead-{p}-{i}"),
                verdict_x,
                head_y - (lines - 1.0 - i as f64) * LINE,
                "",
                line,
            );
        }
        let _ = writeln!(body, "  </g>");
        y = head_y + 6.0;

        // Rows: wrapped labels and verdicts decide each row's height.
        let top = y;
        let laid: Vec<(Vec<String>, Vec<String>, f64)> = series
            .indicators
            .iter()
            .map(|row| {
                let label = wrap(label_of(row), label_width.max(1.0), &w_text);
                let verdict = wrap(&verdict(row), verdict_w, &w_text);
                let lines = label.len().max(verdict.len()) as f64;
                (label, verdict, (lines * LINE + 6.0).max(ROW))
            })
            .collect();
        let rows_h: f64 = laid.iter().map(|(_, _, h)| h).sum();
        let mut row_y = top;
        for (i, (_, _, h)) in laid.iter().enumerate() {
            if i % 2 == 0 {
                let _ = writeln!(
                    body,
                    r##"  <rect x="{MARGIN}" y="{row_y:.1}" width="{content_w:.1}" height="{h:.1}" fill="#f3f4f6"/>"##
                );
            }
            row_y += h;
        }
        let _ = writeln!(
            body,
            r##"  <rect id="plot-{p}" x="{grid_x:.1}" y="{top:.1}" width="{plot_w:.1}" height="{rows_h:.1}" fill="none" stroke="#b0b6be" stroke-width="0.6"/>"##
        );
        for i in 1..year_count {
            let x = grid_x + i as f64 * year_w;
            let _ = writeln!(
                body,
                r##"  <line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{:.1}" stroke="#d0d4da" stroke-width="0.6"/>"##,
                top + rows_h
            );
        }
        let mut row_y = top;
        for (r, (row, (label, verdict_lines, h))) in series.indicators.iter().zip(&laid).enumerate()
        {
            let cy = row_y + h / 2.0;
            let first_line =
                cy + 4.0 - (label.len().max(verdict_lines.len()) as f64 - 1.0) * LINE / 2.0;
            let _ = writeln!(
                body,
                r#"  <g class="row" data-indicator="{}" font-size="11">"#,
                escape(&row.indicator.id)
            );
            text(
                &mut body,
                &format!("id-{p}-{r}"),
                MARGIN + 4.0,
                first_line,
                r#" font-weight="bold""#,
                &row.indicator.id,
            );
            for (l, line) in label.iter().enumerate() {
                if line.is_empty() {
                    continue;
                }
                text(
                    &mut body,
                    &format!("label-{p}-{r}-{l}"),
                    MARGIN + 4.0 + id_width,
                    first_line + l as f64 * LINE,
                    "",
                    line,
                );
            }
            // Markers of one year side by side, in group order.
            let mut at: BTreeMap<(usize, i64), f64> = BTreeMap::new();
            for year in first..=last {
                let here: Vec<usize> = row
                    .groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.years.contains(&year))
                    .map(|(g, _)| g)
                    .collect();
                for (k, g) in here.iter().enumerate() {
                    let offset = (k as f64 - (here.len() as f64 - 1.0) / 2.0) * STEP;
                    at.insert((*g, year), year_x(year) + offset);
                }
            }
            if let Some(lead) = row.lead.filter(|l| *l > 0) {
                let x_of = |year: i64| {
                    row.groups
                        .iter()
                        .position(|g| g.first() == Some(year))
                        .and_then(|g| at.get(&(g, year)).copied())
                        .unwrap_or_else(|| year_x(year))
                };
                let x1 = x_of(row.first_year);
                let x2 = x_of(row.first_year + lead);
                let _ = writeln!(
                    body,
                    r##"    <line class="lead" x1="{x1:.1}" y1="{cy:.1}" x2="{x2:.1}" y2="{cy:.1}" stroke="#9aa0a6" stroke-width="5" stroke-linecap="round" opacity="0.6"/>"##
                );
            }
            for (g, group) in row.groups.iter().enumerate() {
                let label = agenda.group_label(&group.group);
                let style = agenda.groups.get(g).map_or(g, |info| info.order);
                for &year in &group.years {
                    let outline = year == row.first_year && row.first.contains(&group.group);
                    let tip = words.marker_tip(&row.indicator.id, &label, year);
                    let x = at.get(&(g, year)).copied().unwrap_or_else(|| year_x(year));
                    let _ = writeln!(body, "    {}", marker(style, x, cy, outline, None, &tip));
                }
            }
            for (l, line) in verdict_lines.iter().enumerate() {
                text(
                    &mut body,
                    &format!("verdict-{p}-{r}-{l}"),
                    verdict_x,
                    first_line + l as f64 * LINE,
                    "",
                    line,
                );
            }
            let _ = writeln!(body, "  </g>");
            row_y += h;
        }
        y = top + rows_h;

        // The year axis: a tick and a label per year, and its title.
        let _ = writeln!(
            body,
            r##"  <g class="axis" font-size="11" fill="#333" stroke-linecap="square">"##
        );
        let _ = writeln!(
            body,
            r##"    <line x1="{grid_x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#333" stroke-width="1"/>"##,
            grid_x + plot_w
        );
        for year in first..=last {
            let x = year_x(year);
            let _ = writeln!(
                body,
                r##"    <line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333" stroke-width="1"/>"##,
                y + 4.0
            );
            text(
                &mut body,
                &format!("tick-{p}-{year}"),
                x,
                y + 16.0,
                r#" text-anchor="middle""#,
                &year.to_string(),
            );
        }
        text(
            &mut body,
            &format!("axis-{p}"),
            grid_x + plot_w / 2.0,
            y + 31.0,
            r#" text-anchor="middle" font-weight="bold""#,
            words.axis(),
        );
        let _ = writeln!(body, "  </g>");
        y += 31.0;

        // This panel's legend: a marker per group, then the lead bar; wrapped into lines.
        y += 8.0;
        let _ = writeln!(
            body,
            r#"  <g id="legend-{p}" class="legend" font-size="11">"#
        );
        let mut x = MARGIN;
        let mut line_y = y + LINE;
        let right = MARGIN + content_w;
        for group in &agenda.groups {
            let label_lines = wrap(&group.label, content_w - 16.0, &w_text);
            let item_w = 16.0 + label_lines.iter().map(|l| w_text(l)).fold(0.0, f64::max);
            if x > MARGIN && x + item_w > right {
                x = MARGIN;
                line_y += LINE + 4.0;
            }
            let _ = writeln!(
                body,
                "    {}",
                marker(
                    group.order,
                    x + R + 1.0,
                    line_y - 4.0,
                    false,
                    Some(&format!("legend-{p}-{}", escape(&group.id))),
                    &group.label
                )
            );
            for (l, line) in label_lines.iter().enumerate() {
                text(
                    &mut body,
                    &format!("legendtext-{p}-{}-{l}", escape(&group.id)),
                    x + 14.0,
                    line_y + l as f64 * LINE,
                    "",
                    line,
                );
            }
            line_y += (label_lines.len() as f64 - 1.0) * LINE;
            x += item_w + 18.0;
        }
        // The lead bar and the outlined first marker, on a line of their own.
        x = MARGIN;
        line_y += LINE + 4.0;
        let _ = writeln!(
            body,
            r##"    <line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#9aa0a6" stroke-width="5" stroke-linecap="round" opacity="0.6"/>"##,
            x + 3.0,
            line_y - 4.0,
            x + 22.0,
            line_y - 4.0
        );
        let _ = writeln!(
            body,
            r##"    <circle cx="{:.1}" cy="{:.1}" r="{R}" fill="#ffffff" stroke="#1a1a1a" stroke-width="1.6"/>"##,
            x + 3.0,
            line_y - 4.0
        );
        let note = wrap(words.lead_note(), content_w - 32.0, &w_text);
        for (l, line) in note.iter().enumerate() {
            text(
                &mut body,
                &format!("legendnote-{p}-{l}"),
                x + 32.0,
                line_y + l as f64 * LINE,
                "",
                line,
            );
        }
        line_y += (note.len() as f64 - 1.0) * LINE;
        let _ = writeln!(body, "  </g>");
        y = line_y;

        if !series.not_raised.is_empty() {
            y += 6.0;
            let _ = writeln!(body, r##"  <g class="footer" font-size="10" fill="#555">"##);
            for (l, line) in wrap(&words.not_raised(&series.not_raised), content_w, &w_small)
                .iter()
                .enumerate()
            {
                y += 13.0;
                text(&mut body, &format!("footer-{p}-{l}"), MARGIN, y, "", line);
            }
            let _ = writeln!(body, "  </g>");
        }
        y += 10.0;
    }
    let height = (y + MARGIN).ceil();

    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{}" lang="{}">"#,
        font_family(),
        escape(&agenda.lang)
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(words.title()));
    let _ = writeln!(
        out,
        r##"  <rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}
