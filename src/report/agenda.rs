//! `agenda`: for every indicator, the years in which each publisher group's documents raise it,
//! which group raised it first, and by how many years it led: "issue, years the companies
//! raised it, years the intergovernmental process raised it, who was first".
//!
//! The lead is the number of years between the first group's first year and the next group's
//! first year (among the groups compared). Groups that raise an indicator in the same first
//! year are tied (all of them are "first", the lead is 0); an indicator only one group raised
//! has that group first and no lead. Documents without a year or group cannot be placed and
//! are left out (with a warning).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{
    Combine, GroupInfo, IndicatorInfo, MarkdownTable, Options, Render, describe, facts, groups,
    indicators, opt_number, series,
};
use crate::export::table::Table;
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub report: &'static str,
    pub combine: Combine,
    pub lang: String,
    /// The groups compared, in the order asked for (or codebook order).
    pub groups: Vec<GroupInfo>,
    pub series: Vec<AgendaSeries>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaSeries {
    pub name: String,
    pub coders: Vec<String>,
    /// Indicators raised by at least one compared group, in codebook order.
    pub indicators: Vec<AgendaRow>,
    /// Indicators none of the compared groups raised.
    pub not_raised: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaRow {
    #[serde(flatten)]
    pub indicator: IndicatorInfo,
    /// One entry per compared group, in [`Agenda::groups`] order.
    pub groups: Vec<GroupYears>,
    /// The group(s) that raised it first (several when tied).
    pub first: Vec<String>,
    pub first_year: i64,
    /// Years until the next group raised it; `None` when no other group did.
    pub lead: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupYears {
    pub group: String,
    /// The years of the group's documents that raise the indicator, ascending.
    pub years: Vec<i64>,
    /// How many of the group's documents raise it.
    pub documents: usize,
}

impl GroupYears {
    pub fn first(&self) -> Option<i64> {
        self.years.first().copied()
    }
}

/// The groups compared: those asked for, else every group some document belongs to.
fn compared(project: &Project, options: &Options) -> Vec<GroupInfo> {
    match &options.groups {
        Some(ids) => {
            let all = groups(project, &options.lang, false);
            ids.iter()
                .filter_map(|id| all.iter().find(|g| g.id == *id).cloned())
                .collect()
        }
        None => groups(project, &options.lang, true),
    }
}

pub fn build(project: &Project, coders: &[LoadedCoder], options: &Options) -> Agenda {
    let facts = facts(project);
    let compared = compared(project, options);
    let all_series = series(project, coders, options.combine);
    let used = all_series.iter().flat_map(|s| s.used()).collect();
    let infos = indicators(&project.codebook, &options.lang, &used);
    let series = all_series
        .iter()
        .map(|s| {
            let mut rows = Vec::new();
            let mut not_raised = Vec::new();
            for info in &infos {
                let mut years: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
                let mut documents: BTreeMap<&str, usize> = BTreeMap::new();
                for (id, codes) in &s.documents {
                    if !codes.iter().any(|c| c.as_str() == info.id) {
                        continue;
                    }
                    let fact = &facts[id];
                    if let (Some(group), Some(year)) = (fact.group.as_deref(), fact.year) {
                        years.entry(group).or_default().insert(year);
                        *documents.entry(group).or_default() += 1;
                    }
                }
                let per_group: Vec<GroupYears> = compared
                    .iter()
                    .map(|g| GroupYears {
                        group: g.id.clone(),
                        years: years
                            .get(g.id.as_str())
                            .map(|y| y.iter().copied().collect())
                            .unwrap_or_default(),
                        documents: documents.get(g.id.as_str()).copied().unwrap_or(0),
                    })
                    .collect();
                let firsts: BTreeSet<i64> =
                    per_group.iter().filter_map(GroupYears::first).collect();
                let Some(&first_year) = firsts.first() else {
                    not_raised.push(info.id.clone());
                    continue;
                };
                let first: Vec<String> = per_group
                    .iter()
                    .filter(|g| g.first() == Some(first_year))
                    .map(|g| g.group.clone())
                    .collect();
                let raised_by = per_group.iter().filter(|g| g.first().is_some()).count();
                let lead = if first.len() > 1 {
                    Some(0)
                } else if raised_by > 1 {
                    firsts.iter().nth(1).map(|next| next - first_year)
                } else {
                    None
                };
                rows.push(AgendaRow {
                    indicator: info.clone(),
                    groups: per_group,
                    first,
                    first_year,
                    lead,
                });
            }
            AgendaSeries {
                name: s.name.clone(),
                coders: s.coders.clone(),
                indicators: rows,
                not_raised,
            }
        })
        .collect();
    Agenda {
        report: "agenda",
        combine: options.combine,
        lang: options.lang.clone(),
        groups: compared,
        series,
    }
}

impl Agenda {
    pub fn group_label(&self, id: &str) -> String {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.label.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// "Company", "tie: Company, Intergovernmental process", "Company (only)".
    pub fn first_text(&self, row: &AgendaRow) -> String {
        let labels: Vec<String> = row.first.iter().map(|g| self.group_label(g)).collect();
        if labels.len() > 1 {
            format!("tie: {}", labels.join(", "))
        } else if row.lead.is_none() && self.groups.len() > 1 {
            format!("{} (only)", labels.join(""))
        } else {
            labels.join("")
        }
    }

    /// "1 year", "3 years", "—".
    pub fn lead_text(row: &AgendaRow) -> String {
        match row.lead {
            Some(1) => "1 year".to_string(),
            Some(n) => format!("{n} years"),
            None => "—".to_string(),
        }
    }
}

impl Render for Agenda {
    fn markdown(&self) -> String {
        let mut out = String::from("# Agenda: who raised each issue first\n\n");
        out.push_str(
            "For each indicator, the years in which each publisher group's documents raise it, \
             the group that raised it first, and its lead: the years until the next group raised \
             it.\n",
        );
        for series in &self.series {
            out.push_str(&format!(
                "\n## {}\n\n",
                describe(&series.name, &series.coders, self.combine)
            ));
            let mut header: Vec<(&str, bool)> = vec![("Indicator", false), ("Label", false)];
            header.extend(self.groups.iter().map(|g| (g.label.as_str(), false)));
            header.extend([("First", false), ("Lead", true)]);
            let mut table = MarkdownTable::new(&header);
            for row in &series.indicators {
                let mut cells = vec![row.indicator.id.clone(), row.indicator.label.clone()];
                cells.extend(row.groups.iter().map(|g| {
                    g.years
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                }));
                cells.push(self.first_text(row));
                cells.push(Self::lead_text(row));
                table.push(cells);
            }
            out.push_str(&table.render());
            let summary = summary(self, series);
            if !summary.is_empty() {
                out.push('\n');
                out.push_str(&summary);
            }
            if !series.not_raised.is_empty() {
                out.push_str(&format!(
                    "\nNot raised by any of these groups ({}): {}\n",
                    series.not_raised.len(),
                    series.not_raised.join(", ")
                ));
            }
        }
        out
    }

    /// Long form: one row per series × indicator × compared group.
    fn table(&self) -> Table {
        let header = [
            "coder",
            "indicator",
            "indicator_label",
            "category",
            "group",
            "group_label",
            "years",
            "first_year",
            "documents",
            "first_group",
            "lead_years",
        ];
        let mut rows = Vec::new();
        for series in &self.series {
            for row in &series.indicators {
                for group in &row.groups {
                    let years: Vec<String> = group.years.iter().map(i64::to_string).collect();
                    rows.push(vec![
                        Value::from(series.name.as_str()),
                        Value::from(row.indicator.id.as_str()),
                        Value::from(row.indicator.label.as_str()),
                        Value::from(row.indicator.category.as_str()),
                        Value::from(group.group.as_str()),
                        Value::from(self.group_label(&group.group)),
                        if years.is_empty() {
                            Value::Null
                        } else {
                            Value::from(years.join(";"))
                        },
                        opt_number(group.first()),
                        Value::from(group.documents),
                        Value::from(row.first.join(";")),
                        opt_number(row.lead),
                    ]);
                }
            }
        }
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

/// "Company first on 12 indicators (mean lead 1.5 years), ..." for a series.
fn summary(agenda: &Agenda, series: &AgendaSeries) -> String {
    let mut lines = Vec::new();
    for group in &agenda.groups {
        let led: Vec<&AgendaRow> = series
            .indicators
            .iter()
            .filter(|r| r.first.len() == 1 && r.first[0] == group.id)
            .collect();
        if led.is_empty() {
            continue;
        }
        let leads: Vec<i64> = led.iter().filter_map(|r| r.lead).collect();
        let only = led.len() - leads.len();
        let mut line = format!(
            "- {} first on {} indicator{}",
            group.label,
            led.len(),
            if led.len() == 1 { "" } else { "s" }
        );
        if !leads.is_empty() {
            let mean = leads.iter().sum::<i64>() as f64 / leads.len() as f64;
            line.push_str(&format!(
                ", by {mean:.1} years on average where another group followed"
            ));
        }
        if only > 0 && agenda.groups.len() > 1 {
            line.push_str(&format!(" ({only} raised by it alone)"));
        }
        lines.push(line);
    }
    let ties = series
        .indicators
        .iter()
        .filter(|r| r.first.len() > 1)
        .count();
    if ties > 0 {
        lines.push(format!(
            "- tied (raised first in the same year) on {ties} indicator{}",
            if ties == 1 { "" } else { "s" }
        ));
    }
    if lines.is_empty() {
        String::new()
    } else {
        lines.join("\n") + "\n"
    }
}
