//! `agree --by-assist`: agreement on suggestion-assisted and unassisted documents apart.
//! Suggestions can anchor a coder (they see the machine's guess before their own); a study
//! that used them reports reliability for both kinds of coding, so a reviewer can see
//! whether agreement was bought by the suggestions.

use serde::Serialize;

use crate::adjudication;
use crate::annotations::CoderFile;
use crate::corpus::DocumentId;
use crate::error::Result;
use crate::project::Project;

use super::{AgreementTable, Level, agreement_within, render_table};

/// One group of compared documents and the agreement on them (none when the group is empty).
#[derive(Debug, Serialize)]
pub struct AssistGroup {
    pub documents: Vec<DocumentId>,
    pub table: Option<AgreementTable>,
}

#[derive(Debug, Serialize)]
pub struct AssistReport {
    /// Compared documents that at least one of the coders coded with suggestions on.
    pub assisted: AssistGroup,
    /// Compared documents that every coder coded without suggestions.
    pub unassisted: AssistGroup,
}

/// Whether some coder coded `document` with suggestions on.
fn assisted(coders: &[&CoderFile], document: &DocumentId) -> bool {
    coders
        .iter()
        .any(|c| c.documents.get(document).is_some_and(|d| d.suggestions))
}

pub fn by_assist(
    project: &Project,
    coders: &[&CoderFile],
    level: Level,
    threshold: Option<f64>,
) -> Result<AssistReport> {
    let compared = adjudication::compared_documents(project, coders);
    let (with, without): (Vec<DocumentId>, Vec<DocumentId>) =
        compared.into_iter().partition(|d| assisted(coders, d));
    let group = |documents: Vec<DocumentId>| -> Result<AssistGroup> {
        let table = if documents.is_empty() {
            None
        } else {
            let mut table = agreement_within(project, coders, level, Some(&documents))?;
            if let Some(threshold) = threshold {
                table.set_threshold(threshold);
            }
            Some(table)
        };
        Ok(AssistGroup { documents, table })
    };
    Ok(AssistReport {
        assisted: group(with)?,
        unassisted: group(without)?,
    })
}

/// Both tables, each under a heading that says which documents it covers.
pub fn render_by_assist(report: &AssistReport, width: usize) -> String {
    let mut out = String::new();
    for (title, group) in [
        (
            "Suggestion-assisted documents (some coder coded them with suggestions on)",
            &report.assisted,
        ),
        (
            "Unassisted documents (every coder coded them without suggestions)",
            &report.unassisted,
        ),
    ] {
        out.push_str(&format!("## {title}: {}\n\n", group.documents.len()));
        match &group.table {
            Some(table) => out.push_str(&render_table(table, width)),
            None => out.push_str("No compared document is in this group.\n"),
        }
        out.push('\n');
    }
    out
}
