//! `cooccurrence`: how often two indicators are coded in the same unit (`--within unit`, the
//! default) or the same document (`--within document`). The matrix is symmetric; its diagonal
//! is the number of units (documents) that carry each indicator. A unit's codes are those of
//! its whole-unit and span annotations together.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{
    Combine, Include, IndicatorInfo, LeftOut, MarkdownTable, Options, Render, Within, counted,
    describe, indicators, series,
};
use crate::corpus::IndicatorId;
use crate::export::table::Table;
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct Cooccurrence {
    pub report: &'static str,
    pub combine: Combine,
    pub lang: String,
    pub within: Within,
    /// Which documents each coder's series counts.
    pub include: Include,
    pub series: Vec<CooccurrenceSeries>,
    /// The coders' documents not counted, and why.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CooccurrenceSeries {
    pub name: String,
    pub coders: Vec<String>,
    /// Units (or documents) with at least one code.
    pub contexts: usize,
    /// The indicators that occur, in codebook order: the rows and columns of `matrix`.
    pub indicators: Vec<IndicatorInfo>,
    /// `matrix[i][j]`: units (documents) carrying both indicator i and j; symmetric.
    pub matrix: Vec<Vec<usize>>,
}

impl CooccurrenceSeries {
    /// Every pair `i < j` that occurs together, most frequent first, then in codebook order.
    pub fn pairs(&self) -> Vec<(usize, usize, usize)> {
        let mut pairs = Vec::new();
        for i in 0..self.indicators.len() {
            for j in i + 1..self.indicators.len() {
                if self.matrix[i][j] > 0 {
                    pairs.push((i, j, self.matrix[i][j]));
                }
            }
        }
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        pairs
    }
}

pub fn build(project: &Project, coders: &[LoadedCoder], options: &Options) -> Cooccurrence {
    let (all_series, left_out) = series(project, coders, options);
    let series = all_series
        .iter()
        .map(|s| {
            let contexts: Vec<&BTreeSet<IndicatorId>> = match options.within {
                Within::Unit => s.units.values().collect(),
                Within::Document => s.documents.values().collect(),
            };
            let used: BTreeSet<&IndicatorId> = contexts.iter().copied().flatten().collect();
            let infos = indicators(&project.codebook, &options.lang, &used);
            let infos: Vec<IndicatorInfo> = infos
                .into_iter()
                .filter(|i| used.iter().any(|u| u.as_str() == i.id))
                .collect();
            let position: BTreeMap<&str, usize> = infos
                .iter()
                .enumerate()
                .map(|(i, info)| (info.id.as_str(), i))
                .collect();
            let mut matrix = vec![vec![0usize; infos.len()]; infos.len()];
            for codes in &contexts {
                let at: Vec<usize> = codes.iter().map(|c| position[c.as_str()]).collect();
                for &i in &at {
                    for &j in &at {
                        matrix[i][j] += 1;
                    }
                }
            }
            CooccurrenceSeries {
                name: s.name.clone(),
                coders: s.coders.clone(),
                contexts: contexts.len(),
                indicators: infos,
                matrix,
            }
        })
        .collect();
    Cooccurrence {
        report: "cooccurrence",
        combine: options.combine,
        lang: options.lang.clone(),
        within: options.within,
        include: options.include,
        series,
        left_out,
    }
}

impl Render for Cooccurrence {
    fn markdown(&self) -> String {
        let (context, contexts) = match self.within {
            Within::Unit => ("unit", "units"),
            Within::Document => ("document", "documents"),
        };
        let mut out = format!("# Co-occurrence within {contexts}\n\n");
        out.push_str(&format!(
            "Pairs of indicators coded in the same {context}, most frequent first; each pair \
             once. \"With A\" and \"With B\" count the {contexts} carrying each indicator. csv \
             and json hold the whole symmetric matrix.\n"
        ));
        for series in &self.series {
            out.push_str(&format!(
                "\n## {}\n\n{} coded {contexts}, {} indicators.\n\n",
                describe(&series.name, &series.coders, self.combine),
                series.contexts,
                series.indicators.len()
            ));
            let pairs = series.pairs();
            if pairs.is_empty() {
                out.push_str(&format!("No two indicators share a {context}.\n"));
                continue;
            }
            let mut table = MarkdownTable::new(&[
                ("A", false),
                ("Label A", false),
                ("B", false),
                ("Label B", false),
                ("Together", true),
                ("With A", true),
                ("With B", true),
            ]);
            for (i, j, n) in pairs {
                let (a, b) = (&series.indicators[i], &series.indicators[j]);
                table.push(vec![
                    a.id.clone(),
                    a.label.clone(),
                    b.id.clone(),
                    b.label.clone(),
                    n.to_string(),
                    series.matrix[i][i].to_string(),
                    series.matrix[j][j].to_string(),
                ]);
            }
            out.push_str(&table.render());
        }
        out.push_str(&counted::markdown(self.include, &self.left_out));
        out
    }

    /// Long form: one row per series × ordered pair that occurs together (both orders, and the
    /// diagonal), so that R can pivot it back into the matrix.
    fn table(&self) -> Table {
        let header = [
            "coder",
            "within",
            "indicator_a",
            "indicator_b",
            "label_a",
            "label_b",
            "count",
        ];
        let mut rows = Vec::new();
        for series in &self.series {
            for (i, a) in series.indicators.iter().enumerate() {
                for (j, b) in series.indicators.iter().enumerate() {
                    let n = series.matrix[i][j];
                    if n == 0 {
                        continue;
                    }
                    rows.push(vec![
                        Value::from(series.name.as_str()),
                        Value::from(self.within.name()),
                        Value::from(a.id.as_str()),
                        Value::from(b.id.as_str()),
                        Value::from(a.label.as_str()),
                        Value::from(b.label.as_str()),
                        Value::from(n),
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
