//! `agree --plan` inside a project: how the double-coding done so far compares with the plan's
//! target, from the same agreement table as `agree` prints.

use serde::Serialize;

use super::AgreementTable;
use super::render::{number, wrap};
use crate::corpus::IndicatorId;
use crate::reliability::{PlanError, SamplePlan, sample_plan};

/// The project's double-coding against a plan's target alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanCheck {
    /// The compared coders.
    pub coders: Vec<String>,
    /// Documents every compared coder marked done.
    pub documents: usize,
    /// Text units of those documents: the units compared.
    pub units: usize,
    /// The target alpha, `--alpha`.
    pub target: f64,
    /// The overall alpha (MASI over the units' code sets), `None` when undefined.
    pub alpha: Option<f64>,
    /// Its 95% bootstrap interval, as `agree` reports it.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// `lower − target`: negative when the interval's lower end falls short of the target.
    pub margin: Option<f64>,
    /// The indicator with the rarest presence (or absence) among those coded, and what the plan
    /// asks at that prevalence.
    pub rarest: Option<Rarest>,
}

/// The rarest coded indicator and the plan at its prevalence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rarest {
    pub indicator: IndicatorId,
    /// The smaller of its presence and absence shares over every coder's values.
    pub prevalence: f64,
    /// Krippendorff's minimum number of units at that prevalence.
    pub plan: SamplePlan,
    /// `units − plan.units`: negative when more units are needed.
    pub surplus: i64,
}

/// Compares `table` (unit level) with a plan for `target` at `significance`.
pub fn plan_check(
    table: &AgreementTable,
    target: f64,
    significance: f64,
) -> Result<PlanCheck, PlanError> {
    let interval = table.overall.alpha_interval.as_ref();
    let rarest = table
        .rows
        .iter()
        .filter_map(|row| {
            let p = row.presence.as_ref()?.prevalence;
            let p = p.min(1.0 - p);
            (p > 0.0).then(|| (row.indicator.clone(), p))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let rarest = match rarest {
        Some((indicator, prevalence)) => {
            let plan = sample_plan(target, significance, prevalence)?;
            Some(Rarest {
                indicator,
                prevalence,
                surplus: table.units as i64 - plan.units as i64,
                plan,
            })
        }
        None => None,
    };
    Ok(PlanCheck {
        coders: table.coders.clone(),
        documents: table.compared_documents.len(),
        units: table.units,
        target,
        alpha: table.overall.stats.alpha.as_ref().ok().copied(),
        lower: interval.map(|i| i.lower),
        upper: interval.map(|i| i.upper),
        margin: interval.map(|i| i.lower - target),
        rarest,
    })
}

/// The check in words, after the plan's table.
pub fn render_plan_check(check: &PlanCheck, width: usize) -> String {
    let mut text = format!(
        "On this project: {} and {} compared {} text units of {} document{} both marked done.",
        check.coders[..check.coders.len().saturating_sub(1)].join(", "),
        check.coders.last().map_or("", String::as_str),
        check.units,
        check.documents,
        if check.documents == 1 { "" } else { "s" }
    );
    match (check.alpha, check.lower, check.upper, check.margin) {
        (Some(alpha), Some(lower), Some(upper), Some(margin)) => {
            text.push_str(&format!(
                " Overall alpha is {}, 95% bootstrap interval [{}, {}]: its lower end is {} {} \
                 the {} target.",
                number(alpha, 3),
                number(lower, 3),
                number(upper, 3),
                number(margin.abs(), 3),
                if margin < 0.0 { "below" } else { "above" },
                number(check.target, 3)
            ));
            if margin < 0.0 {
                text.push_str(
                    " Double-code more units, or revise the indicators the coders disagree on \
                     (`normcode agree --disagreements`).",
                );
            }
        }
        _ => text.push_str(" Overall alpha is undefined on these data (no variation)."),
    }
    if let Some(r) = &check.rarest {
        text.push_str(&format!(
            " The rarest indicator coded, {}, has a prevalence of {}: at that prevalence the plan \
             asks for {} units, {}.",
            r.indicator,
            number(r.prevalence, 3),
            r.plan.units,
            if r.surplus >= 0 {
                format!("and {} were compared", check.units)
            } else {
                format!("{} more than were compared", -r.surplus)
            }
        ));
    }
    let mut out = String::from("\n");
    out.push_str(&wrap(&text, width, 0));
    out
}
