//! The coding session: coding through the core (`annotations::coding`), undo and redo, the
//! codebook pane's filter and counts, memos.

use std::sync::Arc;
use std::time::Instant;

use crate::annotations::coding::{self, CodingError, Place};
use crate::annotations::{CoderFile, DocumentCoding, Status};
use crate::corpus::{CodePointRange, DocumentId, UnitId};

use super::modes::Mode;

use super::app::{App, Change, PromptKind, Row};

impl App {
    /// Makes `edit`, a coding change of the core on this coder's file, one undoable step, and
    /// says what it did (or `nothing` when it changed nothing). Returns whether it changed the
    /// file.
    pub(crate) fn edit(
        &mut self,
        nothing: Option<String>,
        edit: impl FnOnce(&mut CoderFile) -> Result<coding::Change, CodingError>,
    ) -> bool {
        if self.read_only {
            self.error("read-only: another session has this coder's file open");
            return false;
        }
        let mut change = match edit(&mut self.coder.file) {
            Ok(change) => change,
            Err(err) => {
                self.error(err.to_string());
                return false;
            }
        };
        let mut file =
            std::mem::replace(&mut self.coder.file, CoderFile::new(&self.coder.name, None));
        self.note_assisted(&mut change, &mut file);
        self.coder.file = file;
        let Some((first, _, _)) = change.entries.first() else {
            if let Some(nothing) = nothing {
                self.info(nothing);
            }
            return false;
        };
        let document = self
            .document()
            .map(|d| d.id.clone())
            .unwrap_or_else(|| first.clone());
        self.set_coding();
        let label = change.label.clone();
        self.undo.push(Change {
            codebook: None,
            document,
            unit: self.unit,
            coding: change,
        });
        self.redo.clear();
        self.info(label);
        true
    }

    /// Notes that the coder file changed: to save, and to count again.
    pub(crate) fn set_coding(&mut self) {
        self.save.generation += 1;
        self.save.last_change = Some(Instant::now());
        self.recount();
    }

    /// Toggles indicator `indicator` on the current unit, or on the selected span.
    pub fn toggle(&mut self, indicator: usize) {
        let project = Arc::clone(&self.project);
        let Some((document, unit)) = project
            .corpus
            .documents
            .get(self.doc)
            .and_then(|d| Some((d, d.units.get(self.unit)?)))
        else {
            self.error("this document has no units to code");
            return;
        };
        let codebook = &project.codebook;
        let code = &codebook.indicators[indicator].id;
        if let Err(err) = coding::check_code(codebook, code) {
            self.error(err.to_string());
            return;
        }
        let place = Place {
            document,
            unit,
            span: self.selection(),
        };
        let added = !coding::has_code(&self.coder.file, place, code);
        let now = crate::annotations::now();
        self.edit(None, |file| {
            coding::toggle(file, codebook, place, code, now)
        });
        if added {
            coding::note_recent(&mut self.recent, code);
        }
        if place.span.is_some() {
            self.mode = Mode::Normal;
        }
    }

    pub(crate) fn toggle_done(&mut self) {
        let Some(document) = self.document().map(|d| d.id.clone()) else {
            return;
        };
        let status = if self.status() == Status::Done {
            Status::InProgress
        } else {
            Status::Done
        };
        self.edit(None, |file| Ok(coding::set_status(file, &document, status)));
    }

    pub(crate) fn set_memo(
        &mut self,
        unit: Option<UnitId>,
        span: Option<CodePointRange>,
        memo: String,
    ) {
        let project = Arc::clone(&self.project);
        let Some(document) = project.corpus.documents.get(self.doc) else {
            return;
        };
        let now = crate::annotations::now();
        match unit {
            None => self.edit(None, |file| {
                Ok(coding::set_document_memo(file, &document.id, &memo))
            }),
            Some(unit) => {
                let Some(unit) = document.unit(&unit) else {
                    return;
                };
                let place = Place {
                    document,
                    unit,
                    span,
                };
                self.edit(None, |file| Ok(coding::set_memo(file, place, &memo, now)))
            }
        };
    }

    pub(crate) fn open_memo(&mut self, span: Option<CodePointRange>) {
        let (Some(document), Some(unit)) = (self.document(), self.current_unit()) else {
            return;
        };
        let kind = PromptKind::Memo {
            document: document.id.clone(),
            unit: Some(unit.id.clone()),
            span,
        };
        self.open_prompt(kind);
    }

    pub(crate) fn undo(&mut self) {
        let Some(change) = self.undo.pop() else {
            self.info("nothing to undo");
            return;
        };
        if let Some(before) = &change.codebook {
            match self.restore_project_files(before) {
                Ok(()) => self.info(format!(
                    "undone: {} (redo is not available for codebook changes)",
                    change.coding.label
                )),
                Err(err) => {
                    self.error(format!("cannot undo the codebook change: {err}"));
                    self.undo.push(change);
                }
            }
            return;
        }
        change.coding.revert(&mut self.coder.file);
        self.set_coding();
        self.show_change(&change.document, change.unit);
        self.info(format!("undone: {}", change.coding.label));
        self.redo.push(change);
    }

    /// Keeps the undo and redo steps whose document entries `keep` accepts (codebook changes
    /// are always kept).
    pub(crate) fn retain_changes(
        &mut self,
        keep: impl Fn(&[(DocumentId, Option<DocumentCoding>, Option<DocumentCoding>)]) -> bool,
    ) {
        self.undo
            .retain(|c| c.codebook.is_some() || keep(&c.coding.entries));
        self.redo
            .retain(|c| c.codebook.is_some() || keep(&c.coding.entries));
    }

    pub(crate) fn redo(&mut self) {
        let Some(change) = self.redo.pop() else {
            self.info("nothing to redo");
            return;
        };
        change.coding.apply(&mut self.coder.file);
        self.set_coding();
        self.show_change(&change.document, change.unit);
        self.info(format!("redone: {}", change.coding.label));
        self.undo.push(change);
    }

    /// Shows where a change was made: undo works across documents.
    pub(crate) fn show_change(&mut self, document: &DocumentId, unit: usize) {
        if let Some(position) = self.project.corpus.position(document) {
            if position != self.doc {
                self.open_document(position, unit);
            } else {
                self.go_to_unit(unit);
            }
        }
    }

    // ----- codebook pane -----

    pub fn set_filter(&mut self, filter: String) {
        self.codebook_filter = filter;
        self.rebuild_rows();
    }

    pub(crate) fn rebuild_rows(&mut self) {
        let codebook = &self.project.codebook;
        let shown: Vec<bool> = if self.codebook_filter.trim().is_empty() {
            codebook.indicators.iter().map(|i| !i.retired).collect()
        } else {
            let mut shown = vec![false; codebook.indicators.len()];
            for i in self.quick_assign_candidates(&self.codebook_filter) {
                shown[i] = true;
            }
            shown
        };
        // A category is listed when it or a descendant has a shown indicator.
        let mut listed = vec![false; codebook.categories.len()];
        for (i, indicator) in codebook.indicators.iter().enumerate() {
            if shown[i] {
                let mut category = Some(indicator.category);
                while let Some(c) = category {
                    listed[c] = true;
                    category = codebook.categories[c].parent;
                }
            }
        }
        let mut rows = Vec::new();
        for (c, category) in codebook.categories.iter().enumerate() {
            if !listed[c] {
                continue;
            }
            rows.push(Row::Category(c));
            rows.extend(
                category
                    .indicators
                    .iter()
                    .filter(|&&i| shown[i])
                    .map(|&i| Row::Indicator(i)),
            );
        }
        let previous = self.selected_indicator();
        self.rows = rows;
        self.selected_row = previous
            .and_then(|p| self.rows.iter().position(|r| *r == Row::Indicator(p)))
            .or_else(|| {
                self.rows
                    .iter()
                    .position(|r| matches!(r, Row::Indicator(_)))
            })
            .unwrap_or(0);
    }

    /// Recomputes what is derived from the coding: the per-indicator counts of the codebook
    /// pane and the codes of each unit of the current document. Runs after every change.
    pub fn recount(&mut self) {
        let codebook = &self.project.codebook;
        let mut unit_codes = vec![Vec::new(); self.document().map_or(0, |d| d.units.len())];
        if let (Some(document), Some(coding)) = (self.document(), self.coding()) {
            for a in coding.annotations.iter().filter(|a| !a.is_orphaned()) {
                if let Some(position) = document.unit_position(&a.unit) {
                    unit_codes[position].extend(a.codes.iter().cloned());
                }
            }
        }
        for codes in &mut unit_codes {
            codes.sort_by_key(|c| (codebook.position(c).unwrap_or(usize::MAX), c.clone()));
            codes.dedup();
        }
        self.unit_codes = unit_codes;
        let mut counts = vec![(0, 0); codebook.indicators.len()];
        let current = self.document().map(|d| d.id.clone());
        for (document, coding) in &self.coder.file.documents {
            let here = Some(document) == current.as_ref();
            for a in coding.annotations.iter().filter(|a| !a.is_orphaned()) {
                for code in &a.codes {
                    if let Some(i) = codebook.position(code) {
                        counts[i].1 += 1;
                        if here {
                            counts[i].0 += 1;
                        }
                    }
                }
            }
        }
        self.counts = counts;
    }
}
