//! `agenda`: for every indicator, the years in which each publisher group's documents raise it,
//! which group raised it first, and by how many years it led: "issue, years the companies
//! raised it, years the intergovernmental process raised it, who was first".
//!
//! The lead is the number of years between the first group's first year and the next group's
//! first year (among the groups compared). Groups that raise an indicator in the same first
//! year are tied (all of them are "first", the lead is 0); an indicator only one group raised
//! has that group first and no lead. Documents without a year or group cannot be placed and
//! are left out (with a warning), and so are the documents a coder has not marked done unless
//! asked ([`super::counted`]).
//!
//! A consensus series with undecided disagreements marks, per group, the units still pending
//! on an indicator; a group is never called the only one to raise an indicator while another
//! compared group's documents have units pending on it ("Company (pending: Intergovernmental
//! process)").

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{
    Combine, GroupInfo, Include, IndicatorInfo, LeftOut, MarkdownTable, Options, Render,
    Unresolved, counted, describe, facts, groups, indicators, opt_number, series,
};
use crate::corpus::{DocumentId, IndicatorId};
use crate::export::table::Table;
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub report: &'static str,
    pub combine: Combine,
    pub lang: String,
    /// The groups compared, in the order asked for (or codebook order).
    pub groups: Vec<GroupInfo>,
    /// Which documents each coder's series counts.
    pub include: Include,
    pub series: Vec<AgendaSeries>,
    /// The coders' documents not counted, and why.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgendaSeries {
    pub name: String,
    pub coders: Vec<String>,
    /// Indicators raised by at least one compared group, in codebook order.
    pub indicators: Vec<AgendaRow>,
    /// Indicators none of the compared groups raised.
    pub not_raised: Vec<String>,
    /// The documents counted in this series.
    pub documents: usize,
    /// A consensus: its disagreements not resolved yet, per indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<Unresolved>,
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
    /// A consensus: units of the group's documents still undecided on the indicator.
    pub pending_units: usize,
    /// The group's documents not counted in this series (not done, see `left_out`) in which
    /// its coders gave the indicator.
    pub uncounted_documents: usize,
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
    let (all_series, left_out) = series(project, coders, options);
    let used = all_series.iter().flat_map(|s| s.used()).collect();
    let infos = indicators(&project.codebook, &options.lang, &used);
    // Per series, the codes its coders gave in the documents it does not count.
    let uncounted_codes: BTreeMap<&str, BTreeMap<&DocumentId, BTreeSet<&str>>> = all_series
        .iter()
        .map(|s| {
            let mut docs: BTreeMap<&DocumentId, BTreeSet<&str>> = BTreeMap::new();
            for coder in coders.iter().filter(|c| s.coders.contains(&c.name)) {
                for (id, coding) in &coder.file.documents {
                    if s.counted.contains(id) || project.corpus.get(id).is_none() {
                        continue;
                    }
                    let codes = coding
                        .annotations
                        .iter()
                        .filter(|a| !a.is_orphaned())
                        .flat_map(|a| a.codes.iter().map(IndicatorId::as_str));
                    docs.entry(id).or_default().extend(codes);
                }
            }
            (s.name.as_str(), docs)
        })
        .collect();
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
                let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
                if let Some(docs) = s.unresolved.as_ref().and_then(|u| {
                    u.documents
                        .iter()
                        .find(|(code, _)| code.as_str() == info.id)
                        .map(|(_, docs)| docs)
                }) {
                    for (id, n) in docs {
                        if let Some(group) = facts.get(id).and_then(|f| f.group.as_deref()) {
                            *pending.entry(group).or_default() += n;
                        }
                    }
                }
                let mut uncounted: BTreeMap<&str, usize> = BTreeMap::new();
                for (id, codes) in &uncounted_codes[s.name.as_str()] {
                    if codes.contains(info.id.as_str())
                        && let Some(group) = facts.get(*id).and_then(|f| f.group.as_deref())
                    {
                        *uncounted.entry(group).or_default() += 1;
                    }
                }
                let per_group: Vec<GroupYears> = compared
                    .iter()
                    .map(|g| GroupYears {
                        uncounted_documents: uncounted.get(g.id.as_str()).copied().unwrap_or(0),
                        pending_units: pending.get(g.id.as_str()).copied().unwrap_or(0),
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
                documents: s.counted.len(),
                unresolved: s.unresolved.clone().filter(|u| !u.is_empty()),
            }
        })
        .collect();
    Agenda {
        report: "agenda",
        combine: options.combine,
        lang: options.lang.clone(),
        groups: compared,
        include: options.include,
        series,
        left_out,
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

    /// "Company", "tie: Company, Intergovernmental process", "Company (only)", or, while a
    /// consensus has units of another group pending on the indicator, "Company (pending:
    /// Intergovernmental process)".
    pub fn first_text(&self, row: &AgendaRow) -> String {
        let labels: Vec<String> = row.first.iter().map(|g| self.group_label(g)).collect();
        let pending = self.pending_others(row);
        if labels.len() > 1 {
            format!("tie: {}", labels.join(", "))
        } else if row.lead.is_none() && !pending.is_empty() {
            format!("{} (pending: {})", labels.join(""), pending.join(", "))
        } else if row.lead.is_none() && self.groups.len() > 1 {
            format!("{} (only)", labels.join(""))
        } else {
            labels.join("")
        }
    }

    /// The labels of the groups that have not raised `row`'s indicator in a counted document
    /// but may yet: units pending on it in a consensus, or documents not counted (not done)
    /// where it was coded.
    pub fn pending_others(&self, row: &AgendaRow) -> Vec<String> {
        row.groups
            .iter()
            .filter(|g| g.years.is_empty() && (g.pending_units > 0 || g.uncounted_documents > 0))
            .map(|g| self.group_label(&g.group))
            .collect()
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
             it. \"(only)\" means no other group's counted document raises it; where a group's \
             documents not counted (see the end) carry the indicator, or a consensus has units \
             pending on it, its cell says so and the group is named \"pending\" instead.\n",
        );
        for series in &self.series {
            out.push_str(&format!(
                "\n## {}\n\n{} document{} counted.\n\n",
                describe(&series.name, &series.coders, self.combine),
                series.documents,
                if series.documents == 1 { "" } else { "s" }
            ));
            if let Some(unresolved) = &series.unresolved {
                out.push_str(&format!(
                    "{} A group's cell says how many of its units are pending on the \
                     indicator.\n\n",
                    unresolved.sentence()
                ));
            }
            let mut header: Vec<(&str, bool)> = vec![("Indicator", false), ("Label", false)];
            header.extend(self.groups.iter().map(|g| (g.label.as_str(), false)));
            header.extend([("First", false), ("Lead", true)]);
            let mut table = MarkdownTable::new(&header);
            for row in &series.indicators {
                let mut cells = vec![row.indicator.id.clone(), row.indicator.label.clone()];
                cells.extend(row.groups.iter().map(|g| {
                    let mut cell = g
                        .years
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    let mut notes = Vec::new();
                    if g.pending_units > 0 {
                        notes.push(format!(
                            "{} unit{} pending",
                            g.pending_units,
                            if g.pending_units == 1 { "" } else { "s" }
                        ));
                    }
                    if g.uncounted_documents > 0 {
                        notes.push(format!("{} not counted", g.uncounted_documents));
                    }
                    if !notes.is_empty() {
                        if !cell.is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(&format!("({})", notes.join(", ")));
                    }
                    cell
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
        out.push_str(&counted::markdown(self.include, &self.left_out));
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
            "pending_units",
            "uncounted_documents",
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
                        Value::from(group.pending_units),
                        Value::from(group.uncounted_documents),
                    ]);
                }
            }
        }
        let mut table = Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        };
        counted::append_csv(&mut table, &self.left_out);
        table
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
        let only = led
            .iter()
            .filter(|r| r.lead.is_none() && agenda.pending_others(r).is_empty())
            .count();
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
