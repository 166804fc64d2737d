//! Plain-text and CSV renderings of agreement tables and of the stand-alone calculator's
//! reports.

use std::collections::BTreeMap;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::reliability::Stat;
use crate::text::sanitize;

use super::{AgreementTable, FIRM_THRESHOLD, IndicatorRow, Level, Stats, Value};

/// `0.832`, never `-0.000`.
pub(super) fn number(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_owned()
    } else {
        text
    }
}

fn cell(v: &Value) -> String {
    v.as_ref()
        .map_or_else(|_| "n/a".to_owned(), |&v| number(v, 3))
}

fn percent(v: &Value) -> String {
    v.as_ref().map_or_else(
        |_| "n/a".to_owned(),
        |&v| format!("{}%", number(v * 100.0, 1)),
    )
}

pub(super) fn stat(v: &Stat, decimals: usize) -> String {
    v.as_ref()
        .map_or_else(|_| "n/a".to_owned(), |&v| number(v, decimals))
}

/// `text` cut to `columns` display columns, with `…` when cut.
fn truncate(text: &str, columns: usize) -> String {
    let text = &*sanitize(text);
    if text.width() <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if width + w + 1 > columns {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` wrapped at `width` columns, continuation lines indented by `indent`.
pub(super) fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width.max(20) {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(indent);
        } else if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// Columns of text, padded by display width; `right` marks numeric columns.
pub(super) struct Grid {
    pub(super) right: Vec<bool>,
    pub(super) rows: Vec<Vec<String>>,
}

impl Grid {
    pub(super) fn render(&self, out: &mut String) {
        // Cells quote ids, labels and names: each stays on its line, control characters shown.
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| sanitize(c).into_owned()).collect())
            .collect();
        let columns = self.right.len();
        let widths: Vec<usize> = (0..columns)
            .map(|i| rows.iter().map(|r| r[i].width()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let mut line = String::new();
            for (i, text) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(widths[i] - text.width());
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(text);
                } else {
                    line.push_str(text);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

/// A list of names: `a`, `a and b`, `a, b and c`.
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => sanitize(one).into_owned(),
        [init @ .., last] => format!("{} and {}", sanitize(&init.join(", ")), sanitize(last)),
    }
}

/// Which statistic columns a table shows.
fn shown_columns(table: &AgreementTable) -> Vec<&'static str> {
    match (table.level, table.coders.len() == 2) {
        (Level::Span, _) => vec!["percent_agreement", "alpha"],
        (_, true) => vec!["percent_agreement", "kappa", "scott_pi", "alpha"],
        (_, false) => vec!["percent_agreement", "kappa", "alpha"],
    }
}

fn header_of(key: &str) -> &'static str {
    match key {
        "percent_agreement" => "agree",
        "kappa" => "kappa",
        "scott_pi" => "pi",
        _ => "alpha",
    }
}

fn stat_of<'a>(stats: &'a Stats, key: &str) -> &'a Value {
    match key {
        "percent_agreement" => &stats.percent_agreement,
        "kappa" => &stats.kappa,
        "scott_pi" => &stats.scott_pi,
        _ => &stats.alpha,
    }
}

/// The plain-text agreement table, for a terminal `width` columns wide (labels are cut to fit;
/// notes are wrapped): a heading with the coders and the compared and left-out documents, one
/// line per indicator and the overall line, then notes on flagged indicators, "n/a" values,
/// unused indicators, what each column and the overall line mean, and the number of
/// disagreements (listed by [`render_disagreements`]).
pub fn render_table(table: &AgreementTable, width: usize) -> String {
    let mut out = String::new();
    let coders = and_list(&table.coders);
    out.push_str(&format!(
        "Agreement of {coders} at the {} level\n",
        table.level.name()
    ));
    let size = match table.level {
        Level::Unit => format!("{} text units", table.units),
        Level::Document => String::new(),
        Level::Span => format!("{} code points of text", table.units),
    };
    let compared = table.compared_documents.len();
    if compared == 0 {
        out.push_str(&wrap(
            &format!(
                "No document has been marked done by every coder ({coders}), so there is nothing \
                 to compare yet. Each coder marks a finished document done (key D)."
            ),
            width,
            0,
        ));
    } else {
        out.push_str(&wrap(
            &format!(
                "Compared: {compared} document{} that every coder marked done{}{size}.",
                plural(compared),
                if size.is_empty() { "" } else { "; " }
            ),
            width,
            0,
        ));
    }
    if !table.left_out_documents.is_empty() {
        let n = table.left_out_documents.len();
        out.push_str(&format!(
            "Left out: {n} document{} not marked done by every coder (their units are missing, \
             not absent):\n",
            plural(n)
        ));
        for left in &table.left_out_documents {
            let who: Vec<String> = left
                .not_done
                .iter()
                .map(|c| format!("{}: {}", sanitize(&c.coder), c.status.label()))
                .collect();
            // One line per document, whatever its name holds.
            out.push_str(&format!(
                "  {} ({})\n",
                sanitize(left.document.as_str()),
                who.join(", ")
            ));
        }
    }
    if compared == 0 {
        return out;
    }
    out.push('\n');

    let columns = shown_columns(table);
    let units_header = if table.level == Level::Span {
        "spans"
    } else {
        "units"
    };
    let mut header = vec![
        "indicator".to_owned(),
        "label".to_owned(),
        units_header.to_owned(),
        "coded".to_owned(),
    ];
    header.extend(columns.iter().map(|c| header_of(c).to_owned()));
    header.push(String::new());
    let line_of = |id: &str, label: &str, stats: &Stats| {
        let mut line = vec![
            id.to_owned(),
            label.to_owned(),
            stats.units.to_string(),
            stats
                .coded
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("/"),
        ];
        for key in &columns {
            let v = stat_of(stats, key);
            line.push(if *key == "percent_agreement" {
                percent(v)
            } else {
                cell(v)
            });
        }
        line.push(if stats.flagged { "!" } else { "" }.to_owned());
        line
    };
    let overall_label = match table.level {
        Level::Unit => "code sets per unit (MASI)",
        Level::Document => "pooled: indicators × documents",
        Level::Span => "αU over all indicators",
    };
    let mut rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            line_of(
                row.indicator.as_str(),
                row.label.as_deref().unwrap_or("(not in the codebook)"),
                &row.stats,
            )
        })
        .collect();
    rows.push(line_of("overall", overall_label, &table.overall.stats));
    // Cut labels so that a line fits the width.
    let fixed: usize = (0..header.len())
        .filter(|&i| i != 1)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([header[i].width()])
                .max()
                .unwrap_or(0)
        })
        .sum::<usize>()
        + 2 * (header.len() - 1);
    let label_width = width.saturating_sub(fixed).max(12);
    for row in &mut rows {
        row[1] = truncate(&row[1], label_width);
    }
    let overall = rows.pop().expect("the overall line was pushed");
    let mut all = vec![header];
    all.extend(rows);
    all.push(overall);
    let mut right = vec![false, false, true, true];
    right.extend(columns.iter().map(|_| true));
    right.push(false);
    Grid { right, rows: all }.render(&mut out);
    out.push('\n');

    notes(table, &columns, width, &mut out);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn notes(table: &AgreementTable, columns: &[&str], width: usize, out: &mut String) {
    let threshold = number(table.threshold, 3);
    let firm = number(FIRM_THRESHOLD, 3);
    let flagged: Vec<String> = table.flagged().map(|r| r.indicator.to_string()).collect();
    let floor = if (table.threshold - super::DEFAULT_THRESHOLD).abs() < 1e-12 {
        format!("{threshold}, Krippendorff's floor for tentative conclusions; {firm} for firm ones")
    } else {
        format!(
            "{threshold} (--threshold; Krippendorff asks for {} for tentative conclusions, {firm} \
             for firm ones)",
            number(super::DEFAULT_THRESHOLD, 3)
        )
    };
    let overall_flag = if table.overall.stats.flagged {
        " The overall alpha is below it too (!)."
    } else {
        ""
    };
    if flagged.is_empty() {
        out.push_str(&wrap(
            &format!("No indicator has alpha below {floor}.{overall_flag}"),
            width,
            2,
        ));
    } else {
        out.push_str(&wrap(
            &format!(
                "! {} of {} indicators have alpha below {floor}: {}.{overall_flag}",
                flagged.len(),
                table.rows.len(),
                flagged.join(", ")
            ),
            width,
            2,
        ));
    }

    // Why each n/a is n/a, grouped by reason: the rows and their columns.
    let mut reasons: BTreeMap<&str, Vec<(&str, Vec<&str>)>> = BTreeMap::new();
    let rows = table
        .rows
        .iter()
        .map(|r: &IndicatorRow| (r.indicator.as_str(), &r.stats))
        .chain([("overall", &table.overall.stats)]);
    for (id, stats) in rows {
        for key in columns {
            if let Err(why) = stat_of(stats, key) {
                let entry = reasons.entry(why.as_str()).or_default();
                match entry.last_mut() {
                    Some((last, keys)) if *last == id => keys.push(header_of(key)),
                    _ => entry.push((id, vec![header_of(key)])),
                }
            }
        }
    }
    for (why, rows) in &reasons {
        let rows: Vec<String> = rows
            .iter()
            .map(|(id, keys)| format!("{id} ({})", keys.join(", ")))
            .collect();
        out.push_str(&wrap(
            &format!("n/a: {why}: {}.", rows.join(", ")),
            width,
            2,
        ));
    }

    out.push_str(&super::diagnose::prevalence_note(table, width));
    if let Some(top) = table.confusions.first() {
        out.push_str(&wrap(
            &format!(
                "Most confused: {} ↔ {} on {} unit{} (all pairs, the coder-pair matrix and the \
                 2 × 2 tables with --disagreements).",
                top.indicators[0],
                top.indicators[1],
                top.units,
                plural(top.units)
            ),
            width,
            2,
        ));
    }
    if !table.unused.is_empty() {
        let unused: Vec<&str> = table.unused.iter().map(|i| i.as_str()).collect();
        out.push_str(&wrap(
            &format!(
                "Unused, omitted from the table: {} indicator{} that no compared coder gave in \
                 the compared documents: {}.",
                unused.len(),
                plural(unused.len()),
                unused.join(", ")
            ),
            width,
            2,
        ));
    }

    let descriptions: BTreeMap<&str, String> = table.column_descriptions().into_iter().collect();
    let mut parts = vec![
        format!(
            "{}: {}",
            if table.level == Level::Span {
                "spans"
            } else {
                "units"
            },
            descriptions["units"]
        ),
        format!(
            "coded: {} ({})",
            descriptions["coded"],
            table.coders.join("/")
        ),
    ];
    parts.extend(
        columns
            .iter()
            .map(|key| format!("{}: {}", header_of(key), descriptions[key])),
    );
    out.push_str(&wrap(&format!("Columns: {}.", parts.join("; ")), width, 2));
    out.push_str(&wrap(
        &format!("Overall: {}.", table.overall.description),
        width,
        2,
    ));
    if let Some(ci) = &table.overall.alpha_interval {
        out.push_str(&wrap(
            &format!(
                "Overall alpha {}, 95% bootstrap interval [{}, {}] ({} resamples of the units).",
                number(ci.alpha, 3),
                number(ci.lower, 3),
                number(ci.upper, 3),
                ci.replicates
            ),
            width,
            2,
        ));
    }
    let n = table.disagreements.len();
    out.push_str(&wrap(
        &format!(
            "{n} unit{} of the compared documents where the coders' codes differ.",
            plural(n)
        ),
        width,
        2,
    ));
}

/// Each coder's codes on a disagreement, `—` for none.
fn codes_text(codes: &std::collections::BTreeSet<crate::corpus::IndicatorId>) -> String {
    if codes.is_empty() {
        "—".to_owned()
    } else {
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The units where the coders' code sets differ: document, unit, and each coder's codes.
pub fn render_disagreements(table: &AgreementTable, width: usize) -> String {
    let mut out = String::new();
    let n = table.disagreements.len();
    out.push_str(&wrap(
        &format!(
            "Disagreements: {n} unit{} where the coders' codes differ (— is no code):",
            plural(n)
        ),
        width,
        0,
    ));
    if n == 0 {
        return out;
    }
    let mut header = vec!["document".to_owned(), "unit".to_owned()];
    header.extend(table.coders.iter().cloned());
    let mut rows = vec![header];
    for d in &table.disagreements {
        let mut row = vec![d.document.to_string(), d.unit.to_string()];
        row.extend(d.codes.iter().map(codes_text));
        rows.push(row);
    }
    let columns = rows[0].len();
    Grid {
        right: vec![false; columns],
        rows,
    }
    .render(&mut out);
    out
}

pub(super) fn csv_text(records: Vec<Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer
            .write_record(&record)
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 text is UTF-8")
}

fn csv_value(v: &Value) -> String {
    v.as_ref().map_or_else(|_| String::new(), |v| v.to_string())
}

/// The table as CSV: one row per indicator and a last row `overall`; columns `level,
/// indicator, label, units, coded_<coder>…, percent_agreement, kappa, kappa_kind, scott_pi,
/// alpha, flagged, undefined`. An undefined statistic is an empty cell, its reason in
/// `undefined` (`key: reason; …`). Percent agreement is a proportion.
pub fn render_csv(table: &AgreementTable) -> String {
    let mut header: Vec<String> = ["level", "indicator", "label", "units"]
        .map(str::to_owned)
        .to_vec();
    header.extend(table.coders.iter().map(|c| format!("coded_{c}")));
    header.extend(
        [
            "percent_agreement",
            "kappa",
            "kappa_kind",
            "scott_pi",
            "alpha",
            "flagged",
            "undefined",
        ]
        .map(str::to_owned),
    );
    let kind = match table.kappa {
        super::KappaKind::Cohen => "cohen",
        super::KappaKind::Fleiss => "fleiss",
    };
    let record = |id: &str, label: &str, stats: &Stats| {
        let mut r = vec![
            table.level.name().to_owned(),
            id.to_owned(),
            label.to_owned(),
            stats.units.to_string(),
        ];
        r.extend(stats.coded.iter().map(|c| c.to_string()));
        r.push(csv_value(&stats.percent_agreement));
        r.push(csv_value(&stats.kappa));
        r.push(kind.to_owned());
        r.push(csv_value(&stats.scott_pi));
        r.push(csv_value(&stats.alpha));
        r.push(stats.flagged.to_string());
        r.push(
            stats
                .values()
                .iter()
                .filter_map(|(key, v)| v.as_ref().err().map(|why| format!("{key}: {why}")))
                .collect::<Vec<_>>()
                .join("; "),
        );
        r
    };
    let mut records = vec![header];
    for row in &table.rows {
        records.push(record(
            row.indicator.as_str(),
            row.label.as_deref().unwrap_or(""),
            &row.stats,
        ));
    }
    records.push(record(
        "overall",
        &table.overall.description,
        &table.overall.stats,
    ));
    csv_text(records)
}

/// The disagreements as CSV: `document, unit`, then one column per coder with the codes joined
/// by `|` (empty for none).
pub fn render_disagreements_csv(table: &AgreementTable) -> String {
    let mut header = vec!["document".to_owned(), "unit".to_owned()];
    header.extend(table.coders.iter().cloned());
    let mut records = vec![header];
    for d in &table.disagreements {
        let mut r = vec![d.document.to_string(), d.unit.to_string()];
        r.extend(d.codes.iter().map(|codes| {
            codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("|")
        }));
        records.push(r);
    }
    csv_text(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_no_negative_zero() {
        assert_eq!(number(-0.0001, 3), "0.000");
        assert_eq!(number(-0.1429, 3), "-0.143");
        assert_eq!(number(0.8587, 4), "0.8587");
    }

    #[test]
    fn labels_are_cut_by_display_width() {
        assert_eq!(truncate("International law applies", 10), "Internati…");
        assert_eq!(truncate("国际法适用", 6), "国际…");
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn notes_wrap_at_the_width() {
        let text = wrap("one two three four five six seven eight nine ten", 20, 2);
        assert!(text.lines().all(|l| l.width() <= 20), "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("  "));
    }
}
