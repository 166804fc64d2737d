//! `progress`: for each coder and document, the units, how many of them carry a code, and the
//! coder's status; totals per coder. Always one series per coder (combining makes no sense for
//! progress).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::{MarkdownTable, Render};
use crate::annotations::Status;
use crate::corpus::UnitId;
use crate::export::table::{Table, status_name};
use crate::project::{LoadedCoder, Project};

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub report: &'static str,
    pub coders: Vec<CoderProgress>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoderProgress {
    pub coder: String,
    pub totals: Totals,
    pub documents: Vec<DocumentProgress>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub done: usize,
    pub in_progress: usize,
    pub not_started: usize,
    pub units: usize,
    pub units_coded: usize,
    pub annotations: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentProgress {
    pub document: String,
    pub title: String,
    /// `not_started`, `in_progress` or `done`, as in coder files.
    pub status: &'static str,
    pub units: usize,
    /// Units of the document with at least one code.
    pub units_coded: usize,
    pub annotations: usize,
}

pub fn build(project: &Project, coders: &[LoadedCoder]) -> Progress {
    let coders = coders
        .iter()
        .map(|coder| {
            let mut totals = Totals::default();
            let documents: Vec<DocumentProgress> = project
                .corpus
                .documents
                .iter()
                .map(|document| {
                    // Orphans (not placed after an edit) are left out.
                    let annotations: Vec<_> = coder
                        .file
                        .annotations(&document.id)
                        .iter()
                        .filter(|a| !a.is_orphaned())
                        .collect();
                    let coded: BTreeSet<&UnitId> = annotations
                        .iter()
                        .filter(|a| !a.codes.is_empty() && document.unit(&a.unit).is_some())
                        .map(|a| &a.unit)
                        .collect();
                    let status = coder.file.status(&document.id);
                    totals.documents += 1;
                    match status {
                        Status::Done => totals.done += 1,
                        Status::InProgress => totals.in_progress += 1,
                        Status::NotStarted => totals.not_started += 1,
                    }
                    totals.units += document.units.len();
                    totals.units_coded += coded.len();
                    totals.annotations += annotations.len();
                    DocumentProgress {
                        document: document.id.to_string(),
                        title: document.title(),
                        status: status_name(status),
                        units: document.units.len(),
                        units_coded: coded.len(),
                        annotations: annotations.len(),
                    }
                })
                .collect();
            CoderProgress {
                coder: coder.name.clone(),
                totals,
                documents,
            }
        })
        .collect();
    Progress {
        report: "progress",
        coders,
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

impl Render for Progress {
    fn markdown(&self) -> String {
        let mut out = String::from("# Progress\n\n");
        out.push_str(
            "Units coded: units with at least one code. Reliability counts the uncoded units of a \
             document as \"absent\" only once the coder has marked it done.\n\n",
        );
        let mut totals = MarkdownTable::new(&[
            ("Coder", false),
            ("Done", true),
            ("In progress", true),
            ("Not started", true),
            ("Units coded", true),
            ("Units", true),
            ("Coded", true),
            ("Annotations", true),
        ]);
        for coder in &self.coders {
            let t = &coder.totals;
            totals.push(vec![
                coder.coder.clone(),
                format!("{}/{}", t.done, t.documents),
                t.in_progress.to_string(),
                t.not_started.to_string(),
                t.units_coded.to_string(),
                t.units.to_string(),
                percent(t.units_coded, t.units),
                t.annotations.to_string(),
            ]);
        }
        out.push_str(&totals.render());
        for coder in &self.coders {
            out.push_str(&format!("\n## Coder {}\n\n", coder.coder));
            let mut table = MarkdownTable::new(&[
                ("Document", false),
                ("Status", false),
                ("Units coded", true),
                ("Units", true),
                ("Coded", true),
                ("Annotations", true),
            ]);
            for d in &coder.documents {
                table.push(vec![
                    d.document.clone(),
                    d.status.replace('_', " "),
                    d.units_coded.to_string(),
                    d.units.to_string(),
                    percent(d.units_coded, d.units),
                    d.annotations.to_string(),
                ]);
            }
            out.push_str(&table.render());
        }
        out
    }

    /// One row per coder × document (totals are sums of these).
    fn table(&self) -> Table {
        let header = [
            "coder",
            "document",
            "title",
            "status",
            "units",
            "units_coded",
            "annotations",
        ];
        let mut rows = Vec::new();
        for coder in &self.coders {
            for d in &coder.documents {
                rows.push(vec![
                    Value::from(coder.coder.as_str()),
                    Value::from(d.document.as_str()),
                    Value::from(d.title.as_str()),
                    Value::from(d.status),
                    Value::from(d.units),
                    Value::from(d.units_coded),
                    Value::from(d.annotations),
                ]);
            }
        }
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}
