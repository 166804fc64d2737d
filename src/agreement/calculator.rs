//! Plain-text and CSV renderings of the stand-alone calculator's reports (`agree --data`,
//! `agree --spans`, `agree --plan`).

use crate::reliability::{DataReport, SamplePlan, SpanReport, Stat};

use super::render::{Grid, csv_text, number, stat, wrap};

/// The statistics of a [`DataReport`] with their display names and JSON keys.
fn data_statistics(report: &DataReport) -> Vec<(String, &'static str, &Stat)> {
    vec![
        (
            format!("Krippendorff's alpha ({})", report.metric),
            "krippendorff_alpha",
            &report.krippendorff_alpha,
        ),
        (
            "percent agreement (mean pairwise)".to_owned(),
            "percent_agreement",
            &report.percent_agreement,
        ),
        (
            "observed agreement (1 − D_o, nominal)".to_owned(),
            "observed_agreement",
            &report.observed_agreement,
        ),
        (
            format!("Fleiss' kappa ({} units)", report.fleiss_units),
            "fleiss_kappa",
            &report.fleiss_kappa,
        ),
        (
            "Bennett, Alpert & Goldstein's S".to_owned(),
            "bennett_s",
            &report.bennett_s,
        ),
        (
            "Cohen's kappa".to_owned(),
            "cohen_kappa",
            &report.cohen_kappa,
        ),
        (
            "Cohen's kappa, linear weights".to_owned(),
            "cohen_kappa_linear",
            &report.cohen_kappa_linear,
        ),
        (
            "Cohen's kappa, quadratic weights".to_owned(),
            "cohen_kappa_quadratic",
            &report.cohen_kappa_quadratic,
        ),
        ("Scott's pi".to_owned(), "scott_pi", &report.scott_pi),
        (
            "Holsti's CR (mean over coder pairs)".to_owned(),
            "holsti",
            &report.holsti,
        ),
        ("Gwet's AC1".to_owned(), "gwet_ac1", &report.gwet_ac1),
        (
            "Gwet's AC2, linear weights".to_owned(),
            "gwet_ac2_linear",
            &report.gwet_ac2_linear,
        ),
        (
            "Gwet's AC2, quadratic weights".to_owned(),
            "gwet_ac2_quadratic",
            &report.gwet_ac2_quadratic,
        ),
        (
            "Conger's kappa".to_owned(),
            "conger_kappa",
            &report.conger_kappa,
        ),
        (
            "Light's kappa (mean pairwise Cohen)".to_owned(),
            "light_kappa",
            &report.light_kappa,
        ),
        ("PABAK".to_owned(), "pabak", &report.pabak),
        (
            "prevalence index".to_owned(),
            "prevalence_index",
            &report.prevalence_index,
        ),
        ("bias index".to_owned(), "bias_index", &report.bias_index),
    ]
}

/// The 95 % interval of a statistic that has one: `[0.461, 1.000], SE 0.1430`.
fn interval_text(report: &DataReport, key: &str) -> String {
    match report.intervals.get(key) {
        Some(Some(i)) => format!(
            "[{}, {}]  SE {}",
            number(i.lower, 4),
            number(i.upper, 4),
            number(i.standard_error, 4)
        ),
        _ => String::new(),
    }
}

/// The report of `normcode agree --data` as text: the counts, then one line per statistic
/// (4 decimals, "n/a" with the reason below).
pub fn render_data_report(report: &DataReport, width: usize) -> String {
    let mut out = wrap(
        &format!(
            "Reliability data: {} units, {} coders, {} values; {} units with two or more values \
             ({} values), {} distinct values.",
            report.units,
            report.coders,
            report.codings,
            report.pairable_units,
            report.pairable_values,
            report.categories
        ),
        width,
        0,
    );
    out.push('\n');
    let statistics = data_statistics(report);
    let mut rows = vec![vec![
        "statistic".to_owned(),
        "value".to_owned(),
        "95% CI".to_owned(),
    ]];
    rows.extend(
        statistics
            .iter()
            .map(|(name, key, v)| vec![name.clone(), stat(v, 4), interval_text(report, key)]),
    );
    Grid {
        right: vec![false, true, false],
        rows,
    }
    .render(&mut out);
    if report.coder_pairs.len() > 1 {
        out.push('\n');
        out.push_str(&wrap(
            &format!(
                "Coder pairs (alpha with the {} metric; a coder whose pairs are all low is the \
                 one who deviates):",
                report.metric
            ),
            width,
            0,
        ));
        let mut rows = vec![
            ["coders", "units", "agree", "alpha", "kappa"]
                .map(str::to_owned)
                .to_vec(),
        ];
        for pair in &report.coder_pairs {
            rows.push(vec![
                format!("{} / {}", pair.coders[0], pair.coders[1]),
                pair.common_units.to_string(),
                stat(&pair.percent_agreement, 4),
                stat(&pair.krippendorff_alpha, 4),
                stat(&pair.cohen_kappa, 4),
            ]);
        }
        Grid {
            right: vec![false, true, true, true, true],
            rows,
        }
        .render(&mut out);
    }
    let undefined: Vec<String> = statistics
        .iter()
        .filter_map(|(name, _, v)| v.as_ref().err().map(|why| format!("{name}: {why}")))
        .collect();
    if !undefined.is_empty() {
        out.push('\n');
        for line in undefined {
            out.push_str(&wrap(&format!("n/a: {line}"), width, 2));
        }
    }
    out
}

/// The report of `normcode agree --data` as CSV: `statistic,value,ci_lower,ci_upper,
/// standard_error` (empty when undefined or without an interval).
pub fn render_data_report_csv(report: &DataReport) -> String {
    let mut records = vec![
        [
            "statistic",
            "value",
            "ci_lower",
            "ci_upper",
            "standard_error",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let text = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    records.extend(data_statistics(report).into_iter().map(|(_, key, v)| {
        let interval = report.intervals.get(key).copied().flatten();
        vec![
            key.to_owned(),
            text(v.ok()),
            text(interval.map(|i| i.lower)),
            text(interval.map(|i| i.upper)),
            text(interval.map(|i| i.standard_error)),
        ]
    }));
    csv_text(records)
}

/// The report of `normcode agree --spans` as text: one line per category and the overall `αU`.
pub fn render_span_report(report: &SpanReport, width: usize) -> String {
    let mut out = wrap(
        &format!(
            "Unitizing alpha on the continuum {}: {} coders, {} categories, {} spans.",
            report.continuum, report.coders, report.categories, report.spans
        ),
        width,
        0,
    );
    out.push('\n');
    let mut rows = vec![
        ["category", "alpha_u", "D_o", "D_e", "spans"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for (name, detail) in &report.category_details {
        rows.push(vec![
            name.clone(),
            stat(&detail.alpha, 4),
            number(detail.observed_disagreement, 4),
            number(detail.expected_disagreement, 4),
            detail.units.to_string(),
        ]);
    }
    rows.push(vec![
        "overall".to_owned(),
        stat(&report.krippendorff_alpha_u, 4),
        String::new(),
        String::new(),
        report.spans.to_string(),
    ]);
    Grid {
        right: vec![false, true, true, true, true],
        rows,
    }
    .render(&mut out);
    if !report.undefined.is_empty() {
        out.push('\n');
        for (what, why) in &report.undefined {
            out.push_str(&wrap(&format!("n/a: {what}: {why}"), width, 2));
        }
    }
    out
}

/// The report of `normcode agree --spans` as CSV: `category, alpha_u, observed_disagreement,
/// expected_disagreement, spans`, and a last row `overall`.
pub fn render_span_report_csv(report: &SpanReport) -> String {
    let mut records = vec![
        [
            "category",
            "alpha_u",
            "observed_disagreement",
            "expected_disagreement",
            "spans",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let text = |v: &Stat| v.map_or(String::new(), |v| v.to_string());
    for (name, detail) in &report.category_details {
        records.push(vec![
            name.clone(),
            text(&detail.alpha),
            detail.observed_disagreement.to_string(),
            detail.expected_disagreement.to_string(),
            detail.units.to_string(),
        ]);
    }
    records.push(vec![
        "overall".to_owned(),
        text(&report.krippendorff_alpha_u),
        String::new(),
        String::new(),
        report.spans.to_string(),
    ]);
    csv_text(records)
}

/// The plan of `normcode agree --plan` as text: the minimum number of units for each
/// prevalence, and how it was computed.
pub fn render_plan(plans: &[SamplePlan], width: usize) -> String {
    let Some(first) = plans.first() else {
        return String::new();
    };
    let mut out = wrap(
        &format!(
            "Units two coders must both code so that alpha is at least {} at the {} level of \
             significance (Krippendorff 2004, Table 11.4):",
            number(first.alpha, 3),
            number(first.significance, 3)
        ),
        width,
        0,
    );
    let mut rows = vec![vec!["prevalence".to_owned(), "units".to_owned()]];
    for plan in plans {
        rows.push(vec![number(plan.prevalence, 3), plan.units.to_string()]);
    }
    Grid {
        right: vec![true, true],
        rows,
    }
    .render(&mut out);
    out.push('\n');
    out.push_str(&wrap(
        &format!(
            "prevalence: the proportion of the rarest category (for an indicator coded present or \
             absent, the share of units it is present in). N = 2z²((1 + α)(3 − α) / (4(1 − α)p(1 \
             − p)) − α) with z = {} (one-tailed), rounded up.",
            number(first.z, 4)
        ),
        width,
        2,
    ));
    out
}

/// The plan as CSV: `alpha, significance, prevalence, z, units`.
pub fn render_plan_csv(plans: &[SamplePlan]) -> String {
    let mut records = vec![
        ["alpha", "significance", "prevalence", "z", "units"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for plan in plans {
        records.push(vec![
            plan.alpha.to_string(),
            plan.significance.to_string(),
            plan.prevalence.to_string(),
            plan.z.to_string(),
            plan.units.to_string(),
        ]);
    }
    csv_text(records)
}
