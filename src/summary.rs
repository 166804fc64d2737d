//! Counts for `normcode status`: the corpus, and each coder's progress and codes.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::annotations::Status;
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct CoderSummary {
    pub coder: String,
    pub documents_done: usize,
    pub documents_in_progress: usize,
    /// Placed annotations (orphans are counted in `orphaned` only).
    pub annotations: usize,
    /// Distinct units with at least one code.
    pub coded_units: usize,
    pub orphaned: usize,
    /// Indicator id → number of annotations using it.
    pub by_indicator: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub project: String,
    pub codebook: String,
    pub codebook_version: String,
    pub indicators: usize,
    pub categories: usize,
    pub documents: usize,
    pub units: usize,
    /// Documents without a value the reports need, by variable (`publisher`, `year`): the
    /// same that `normcode check` warns about, one by one.
    pub missing: BTreeMap<String, Vec<String>>,
    pub coders: Vec<CoderSummary>,
}

pub fn summarize(project: &Project, coders: &[LoadedCoder]) -> Summary {
    let coders = coders
        .iter()
        .map(|coder| {
            let mut by_indicator = BTreeMap::new();
            let mut units = HashSet::new();
            let mut orphaned = 0;
            for (document, coding) in &coder.file.documents {
                for a in &coding.annotations {
                    // An orphan (not placed after an edit) is counted only as such.
                    if a.is_orphaned() {
                        orphaned += 1;
                        continue;
                    }
                    if !a.codes.is_empty() {
                        units.insert((document, &a.unit));
                    }
                    for code in &a.codes {
                        *by_indicator.entry(code.to_string()).or_insert(0) += 1;
                    }
                }
            }
            let count = |status| {
                coder
                    .file
                    .documents
                    .values()
                    .filter(|d| d.status == status)
                    .count()
            };
            CoderSummary {
                coder: coder.name.clone(),
                documents_done: count(Status::Done),
                documents_in_progress: count(Status::InProgress),
                annotations: coder.file.annotation_count() - orphaned,
                coded_units: units.len(),
                orphaned,
                by_indicator,
            }
        })
        .collect();
    Summary {
        project: project.root.display().to_string(),
        codebook: project.codebook.name.clone(),
        codebook_version: project.codebook.version.clone(),
        indicators: project.codebook.indicators.len(),
        categories: project.codebook.categories.len(),
        documents: project.corpus.len(),
        units: project.corpus.unit_count(),
        missing: {
            let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for m in crate::project::missing_report_values(project) {
                missing
                    .entry(m.variable.to_string())
                    .or_default()
                    .push(m.document);
            }
            missing
        },
        coders,
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "project   {}", self.project)?;
        writeln!(
            f,
            "codebook  {} (version {}): {} indicators in {} categories",
            self.codebook, self.codebook_version, self.indicators, self.categories
        )?;
        writeln!(
            f,
            "corpus    {} documents, {} units",
            self.documents, self.units
        )?;
        for (variable, documents) in &self.missing {
            let what = if variable == "publisher" {
                "a publisher group"
            } else {
                "a year"
            };
            writeln!(
                f,
                "missing   {} document{} without {what} (left out of the reports by it): {}; \
                 see `normcode check`",
                documents.len(),
                if documents.len() == 1 { "" } else { "s" },
                documents.join(", ")
            )?;
        }
        if self.coders.is_empty() {
            return writeln!(f, "coders    none yet");
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<16} {:>5} {:>11} {:>11} {:>11} {:>8}",
            "coder", "done", "in progress", "annotations", "coded units", "orphaned"
        )?;
        for c in &self.coders {
            writeln!(
                f,
                "{:<16} {:>5} {:>11} {:>11} {:>11} {:>8}",
                c.coder,
                c.documents_done,
                c.documents_in_progress,
                c.annotations,
                c.coded_units,
                c.orphaned
            )?;
        }
        let orphaned: usize = self.coders.iter().map(|c| c.orphaned).sum();
        if orphaned > 0 {
            writeln!(
                f,
                "{orphaned} orphaned annotation{} (not placed after a document edit) left out of \
                 the other counts: see `normcode check`",
                if orphaned == 1 { "" } else { "s" }
            )?;
        }
        let mut totals: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, c) in self.coders.iter().enumerate() {
            for (code, n) in &c.by_indicator {
                totals
                    .entry(code)
                    .or_insert_with(|| vec![0; self.coders.len()])[i] = *n;
            }
        }
        if !totals.is_empty() {
            writeln!(f)?;
            write!(f, "{:<10}", "indicator")?;
            for c in &self.coders {
                write!(f, " {:>10}", c.coder)?;
            }
            writeln!(f)?;
            for (code, counts) in totals {
                write!(f, "{code:<10}")?;
                for n in counts {
                    write!(f, " {n:>10}")?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
