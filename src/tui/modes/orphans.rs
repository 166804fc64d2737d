//! The re-attach view: this coder's annotations that could not be placed after a document
//! was edited ("orphans"), each to be attached again to the unit where its passage is now, or
//! deleted. The list is read from the coder file each time, so it always says what is left;
//! each change is one undo step.

use std::sync::Arc;

use crate::annotations::{self, Annotation, coding};
use crate::corpus::DocumentId;
use crate::tui::app::{App, Focus, Prompt, PromptKind};
use crate::tui::keymap::Action;
use crate::tui::modes::Mode;

pub struct OrphansMode {
    /// The highlighted annotation: an index into [`App::orphans`].
    pub selected: usize,
    /// Moving in the list (true), or in the document, to the unit to attach to.
    pub on_list: bool,
}

impl App {
    /// This coder's annotations that could not be placed: (document, index among that
    /// document's annotations), in file order.
    pub fn orphans(&self) -> Vec<(DocumentId, usize)> {
        annotations::orphans(&self.coder.file)
            .into_iter()
            .map(|(document, index)| (document.clone(), index))
            .collect()
    }

    /// The highlighted orphan of the re-attach view.
    pub fn selected_orphan(&self) -> Option<(DocumentId, usize, &Annotation)> {
        let selected = self.mode.orphans()?.selected;
        let (document, index) = self.orphans().into_iter().nth(selected)?;
        let annotation = self.coder.file.annotations(&document).get(index)?;
        Some((document, index, annotation))
    }

    pub(crate) fn open_orphans(&mut self) {
        if self.orphans().is_empty() {
            self.info("no annotations to re-attach");
            return;
        }
        self.mode = Mode::Orphans(Box::new(OrphansMode {
            selected: 0,
            on_list: true,
        }));
        self.focus = Focus::Details;
        self.show_orphan();
    }

    pub(crate) fn orphans_action(&mut self, action: Action) {
        let page = self.page() as isize;
        let Some(mode) = self.mode.orphans_mut() else {
            return;
        };
        let delta = match action {
            Action::Down => 1,
            Action::Up => -1,
            Action::PageDown => page,
            Action::PageUp => -page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            Action::OrphanSide => {
                mode.on_list = !mode.on_list;
                self.focus = if mode.on_list {
                    Focus::Details
                } else {
                    Focus::Document
                };
                return;
            }
            Action::Reattach => return self.reattach_orphan(),
            Action::DeleteOrphan => return self.confirm_delete_orphan(),
            Action::Undo | Action::Redo => {
                if action == Action::Undo {
                    self.undo();
                } else {
                    self.redo();
                }
                return self.after_orphan_change(true);
            }
            _ => return,
        };
        if mode.on_list {
            let count = self.orphans().len();
            let Some(mode) = self.mode.orphans_mut() else {
                return;
            };
            mode.selected = (mode.selected as isize)
                .saturating_add(delta)
                .clamp(0, count.saturating_sub(1) as isize) as usize;
            self.show_orphan();
        } else {
            self.move_unit(delta);
        }
    }

    /// Opens the document of the highlighted orphan, at the unit that has the id it had (the
    /// passage is often near), or the first.
    fn show_orphan(&mut self) {
        let Some((document, _, annotation)) = self.selected_orphan() else {
            return;
        };
        let unit = annotation.unit.clone();
        let Some(doc) = self.project.corpus.position(&document) else {
            return;
        };
        let position = self.project.corpus.documents[doc]
            .unit_position(&unit)
            .unwrap_or(0);
        self.open_document(doc, position);
    }

    /// `Enter`: attaches the highlighted orphan to the current unit, one undo step.
    fn reattach_orphan(&mut self) {
        let Some((document_id, index, _)) = self.selected_orphan() else {
            return;
        };
        let project = Arc::clone(&self.project);
        let Some(document) = self.document().filter(|d| d.id == document_id) else {
            self.error(format!(
                "this annotation belongs to {document_id}: attach it to a unit there"
            ));
            return;
        };
        let Some(unit) = self.current_unit().map(|u| u.id.clone()) else {
            self.error(format!("{document_id} has no units"));
            return;
        };
        let document = project
            .corpus
            .get(&document.id)
            .expect("the current document is in the corpus");
        let now = annotations::now();
        let label = format!("re-attached an annotation to unit {unit} of {document_id}");
        let mut failed = None;
        self.edit(None, |file| {
            Ok(coding::Change::record(
                file,
                std::slice::from_ref(&document_id),
                label,
                |file| {
                    if let Err(err) = annotations::reattach(file, document, index, &unit, None, now)
                    {
                        failed = Some(err);
                    }
                },
            ))
        });
        if let Some(err) = failed {
            self.error(err.to_string());
            return;
        }
        self.after_orphan_change(false);
    }

    /// `d`: asks before deleting the highlighted orphan.
    fn confirm_delete_orphan(&mut self) {
        let Some((document, index, annotation)) = self.selected_orphan() else {
            return;
        };
        let codes: Vec<&str> = annotation.codes.iter().map(|c| c.as_str()).collect();
        let what = format!(
            "the annotation {} of {document} (was unit {})",
            if codes.is_empty() {
                "with no code".to_string()
            } else {
                codes.join(" ")
            },
            annotation.unit
        );
        self.push_prompt(Prompt {
            kind: PromptKind::ConfirmDeleteOrphan {
                document,
                index,
                what,
            },
            input: String::new(),
            selected: 0,
        });
    }

    /// Deletes annotation `index` of `document` (after the coder confirmed), one undo step.
    pub(crate) fn delete_orphan(&mut self, document: &DocumentId, index: usize) {
        let still_orphaned = self
            .coder
            .file
            .annotations(document)
            .get(index)
            .is_some_and(Annotation::is_orphaned);
        if !still_orphaned {
            self.error("that annotation is no longer among those to re-attach");
            return;
        }
        let label = format!("deleted an annotation of {document} that could not be placed");
        let mut failed = None;
        self.edit(None, |file| {
            Ok(coding::Change::record(
                file,
                std::slice::from_ref(document),
                label,
                |file| {
                    if let Err(err) = annotations::delete(file, document, index) {
                        failed = Some(err);
                    }
                },
            ))
        });
        if let Some(err) = failed {
            self.error(err.to_string());
            return;
        }
        self.after_orphan_change(false);
    }

    /// After a change in the view: back to the coding when nothing is left to re-attach;
    /// otherwise the highlight stays where it was in the list, and the document pane shows
    /// the highlighted orphan; after an undo or redo, an orphan of the document the undo
    /// showed is highlighted, if there is one, and the document stays as the undo left it.
    fn after_orphan_change(&mut self, keep_document: bool) {
        let orphans = self.orphans();
        let current = self.document().map(|d| d.id.clone());
        let Some(mode) = self.mode.orphans_mut() else {
            return;
        };
        if orphans.is_empty() {
            self.mode = Mode::Normal;
            self.focus = Focus::Document;
            let done = "no annotations left to re-attach";
            let text = match &self.message {
                Some(m) if !m.is_error => format!("{}; {done}", m.text),
                _ => done.to_string(),
            };
            self.info(text);
            return;
        }
        let here = orphans
            .iter()
            .position(|(d, _)| Some(d) == current.as_ref());
        match here {
            Some(here) if keep_document => mode.selected = here,
            _ => {
                mode.selected = mode.selected.min(orphans.len() - 1);
                self.show_orphan();
            }
        }
    }
}
