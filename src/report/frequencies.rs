//! `frequencies`: how many documents raise each indicator, by publisher group and by year.
//! Each series counts its own documents ([`super::counted`]): the "(documents)" row gives how
//! many of them there are in each column, so a share is of the documents coded.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{
    Combine, GroupInfo, Include, IndicatorInfo, LeftOut, MarkdownTable, Options, Render,
    Unresolved, counted, describe, facts, groups, indicators, series,
};
use crate::export::table::Table;
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct Frequencies {
    pub report: &'static str,
    pub combine: Combine,
    pub lang: String,
    /// Which documents each coder's series counts.
    pub include: Include,
    /// Every publisher group some document belongs to, with its number of documents in the
    /// corpus.
    pub groups: Vec<GroupColumn>,
    /// Every year some document is from, with its number of documents in the corpus.
    pub years: Vec<YearColumn>,
    /// The documents of the corpus.
    pub documents: usize,
    pub series: Vec<FrequencySeries>,
    /// The coders' documents not counted, and why.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupColumn {
    pub id: String,
    pub label: String,
    pub documents: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearColumn {
    pub year: i64,
    pub documents: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrequencySeries {
    /// The coder, or the combination (`any(alice,bob)`).
    pub name: String,
    pub coders: Vec<String>,
    /// The documents counted in this series.
    pub documents: usize,
    /// Counted documents per group id (every group of [`Frequencies::groups`]).
    pub documents_by_group: BTreeMap<String, usize>,
    /// Counted documents per year (every year of [`Frequencies::years`]).
    pub documents_by_year: BTreeMap<i64, usize>,
    pub indicators: Vec<FrequencyRow>,
    /// A consensus: its disagreements not resolved yet, per indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<Unresolved>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrequencyRow {
    #[serde(flatten)]
    pub indicator: IndicatorInfo,
    /// Documents raising it, in all.
    pub documents: usize,
    /// Documents raising it per group id (every group of [`Frequencies::groups`]).
    pub by_group: BTreeMap<String, usize>,
    /// Documents raising it per year (every year of [`Frequencies::years`]).
    pub by_year: BTreeMap<i64, usize>,
}

pub fn build(project: &Project, coders: &[LoadedCoder], options: &Options) -> Frequencies {
    let facts = facts(project);
    let group_list: Vec<GroupInfo> = groups(project, &options.lang, true);
    let count_group = |id: &str| {
        facts
            .values()
            .filter(|f| f.group.as_deref() == Some(id))
            .count()
    };
    let mut year_counts: BTreeMap<i64, usize> = BTreeMap::new();
    for year in facts.values().filter_map(|f| f.year) {
        *year_counts.entry(year).or_default() += 1;
    }
    let (all_series, left_out) = series(project, coders, options);
    let used = all_series.iter().flat_map(|s| s.used()).collect();
    let infos = indicators(&project.codebook, &options.lang, &used);
    let series = all_series
        .iter()
        .map(|s| {
            let mut documents_by_group: BTreeMap<String, usize> =
                group_list.iter().map(|g| (g.id.clone(), 0)).collect();
            let mut documents_by_year: BTreeMap<i64, usize> =
                year_counts.keys().map(|y| (*y, 0)).collect();
            for id in &s.counted {
                let fact = &facts[id];
                if let Some(n) = fact
                    .group
                    .as_ref()
                    .and_then(|g| documents_by_group.get_mut(g))
                {
                    *n += 1;
                }
                if let Some(n) = fact.year.and_then(|y| documents_by_year.get_mut(&y)) {
                    *n += 1;
                }
            }
            let indicators = infos
                .iter()
                .map(|info| {
                    let mut by_group: BTreeMap<String, usize> =
                        group_list.iter().map(|g| (g.id.clone(), 0)).collect();
                    let mut by_year: BTreeMap<i64, usize> =
                        year_counts.keys().map(|y| (*y, 0)).collect();
                    let mut documents = 0;
                    for (id, codes) in &s.documents {
                        if !codes.iter().any(|c| c.as_str() == info.id) {
                            continue;
                        }
                        documents += 1;
                        let fact = &facts[id];
                        if let Some(n) = fact.group.as_ref().and_then(|g| by_group.get_mut(g)) {
                            *n += 1;
                        }
                        if let Some(n) = fact.year.and_then(|y| by_year.get_mut(&y)) {
                            *n += 1;
                        }
                    }
                    FrequencyRow {
                        indicator: info.clone(),
                        documents,
                        by_group,
                        by_year,
                    }
                })
                .collect();
            FrequencySeries {
                name: s.name.clone(),
                coders: s.coders.clone(),
                documents: s.counted.len(),
                documents_by_group,
                documents_by_year,
                indicators,
                unresolved: s.unresolved.clone().filter(|u| !u.is_empty()),
            }
        })
        .collect();
    Frequencies {
        report: "frequencies",
        combine: options.combine,
        lang: options.lang.clone(),
        include: options.include,
        groups: group_list
            .iter()
            .map(|g| GroupColumn {
                id: g.id.clone(),
                label: g.label.clone(),
                documents: count_group(&g.id),
            })
            .collect(),
        years: year_counts
            .into_iter()
            .map(|(year, documents)| YearColumn { year, documents })
            .collect(),
        documents: facts.len(),
        series,
        left_out,
    }
}

impl Render for Frequencies {
    fn markdown(&self) -> String {
        let mut out = String::from("# Frequencies\n\n");
        out.push_str(
            "Documents raising each indicator (a document raises an indicator when it was coded \
             anywhere in the document). The first row gives the number of documents counted in \
             each column. Indicators no document raises are left out here; csv and json list \
             them with zeros.\n",
        );
        for series in &self.series {
            let raised: Vec<&FrequencyRow> = series
                .indicators
                .iter()
                .filter(|r| r.documents > 0)
                .collect();
            out.push_str(&format!(
                "\n## {}\n\n{} documents counted; {} of {} indicators raised in at least one.\n",
                describe(&series.name, &series.coders, self.combine),
                series.documents,
                raised.len(),
                series.indicators.len()
            ));
            if let Some(unresolved) = &series.unresolved {
                out.push_str(&format!("\n{}\n", unresolved.sentence()));
            }

            out.push_str("\n### By publisher group\n\n");
            let mut header: Vec<(&str, bool)> = vec![("Indicator", false), ("Label", false)];
            header.extend(self.groups.iter().map(|g| (g.label.as_str(), true)));
            header.push(("All", true));
            let mut table = MarkdownTable::new(&header);
            let mut first = vec!["".to_string(), "(documents)".to_string()];
            first.extend(
                self.groups
                    .iter()
                    .map(|g| series.documents_by_group[&g.id].to_string()),
            );
            first.push(series.documents.to_string());
            table.push(first);
            for row in &raised {
                let mut cells = vec![row.indicator.id.clone(), row.indicator.label.clone()];
                cells.extend(self.groups.iter().map(|g| row.by_group[&g.id].to_string()));
                cells.push(row.documents.to_string());
                table.push(cells);
            }
            out.push_str(&table.render());

            out.push_str("\n### By year\n\n");
            let years: Vec<String> = self.years.iter().map(|y| y.year.to_string()).collect();
            let mut header: Vec<(&str, bool)> = vec![("Indicator", false), ("Label", false)];
            header.extend(years.iter().map(|y| (y.as_str(), true)));
            let mut table = MarkdownTable::new(&header);
            let mut first = vec!["".to_string(), "(documents)".to_string()];
            first.extend(
                self.years
                    .iter()
                    .map(|y| series.documents_by_year[&y.year].to_string()),
            );
            table.push(first);
            for row in &raised {
                let mut cells = vec![row.indicator.id.clone(), row.indicator.label.clone()];
                cells.extend(self.years.iter().map(|y| row.by_year[&y.year].to_string()));
                table.push(cells);
            }
            out.push_str(&table.render());
        }
        out.push_str(&counted::markdown(self.include, &self.left_out));
        out
    }

    /// Long form: one row per series × indicator × publisher group or year.
    fn table(&self) -> Table {
        let header = [
            "coder",
            "dimension",
            "level",
            "indicator",
            "indicator_label",
            "category",
            "documents",
            "documents_total",
            "share",
        ];
        let mut rows = Vec::new();
        let share = |n: usize, total: usize| {
            if total == 0 {
                Value::Null
            } else {
                serde_json::Number::from_f64(
                    (n as f64 / total as f64 * 10_000.0).round() / 10_000.0,
                )
                .map(Value::Number)
                .unwrap_or(Value::Null)
            }
        };
        for series in &self.series {
            for row in &series.indicators {
                let lead = |dimension: &str, level: Value| {
                    vec![
                        Value::from(series.name.as_str()),
                        Value::from(dimension),
                        level,
                        Value::from(row.indicator.id.as_str()),
                        Value::from(row.indicator.label.as_str()),
                        Value::from(row.indicator.category.as_str()),
                    ]
                };
                for group in &self.groups {
                    let n = row.by_group[&group.id];
                    let total = series.documents_by_group[&group.id];
                    let mut cells = lead("publisher_group", Value::from(group.id.as_str()));
                    cells.extend([Value::from(n), Value::from(total), share(n, total)]);
                    rows.push(cells);
                }
                for year in &self.years {
                    let n = row.by_year[&year.year];
                    let total = series.documents_by_year[&year.year];
                    let mut cells = lead("year", Value::from(year.year));
                    cells.extend([Value::from(n), Value::from(total), share(n, total)]);
                    rows.push(cells);
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
