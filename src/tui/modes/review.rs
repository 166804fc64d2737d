//! Review mode: the review session (see [`crate::tui::review`]) with the autosave worker of
//! its consensus file, and whether the unit is shown in its document (`peek`).

use std::sync::Arc;

use crate::adjudication::Resolution;
use crate::tui::keymap::Action;
use crate::tui::modes::Mode;

use crate::tui::app::{App, PromptKind};

use super::super::review::Review;
use super::super::saver::Saver;

pub struct ReviewMode {
    pub review: Review,
    pub saver: Saver,
    /// Showing the disagreement's unit in the document pane instead of the review.
    pub peek: bool,
}

impl App {
    pub(crate) fn start_review(&mut self, names: &[String]) {
        match Review::start(&self.project, names) {
            Ok(review) => {
                let message = if review.items.is_empty() {
                    format!(
                        "no disagreements in the {} documents every coder marked done",
                        review.compared_documents
                    )
                } else {
                    format!(
                        "{} disagreements in {} documents; {} agreed units copied to the consensus",
                        review.items.len(),
                        review.compared_documents,
                        review.seeded
                    )
                };
                self.mode = Mode::Review(Box::new(ReviewMode {
                    review,
                    saver: Saver::start_with(self.waker.clone()),
                    peek: false,
                }));
                self.info(message);
            }
            Err(err) => self.error(err.to_string()),
        }
    }

    pub(crate) fn review_action(&mut self, action: Action) {
        let project = Arc::clone(&self.project);
        let Mode::Review(mode) = &mut self.mode else {
            return;
        };
        let review = &mut mode.review;
        match action {
            Action::AgreementTable => review.show_table = !review.show_table,
            Action::NextDisagreement if review.show_table => review.table_scroll += 1,
            Action::PrevDisagreement if review.show_table => {
                review.table_scroll = review.table_scroll.saturating_sub(1)
            }
            Action::NextDisagreement | Action::PrevDisagreement => {
                review.step(if action == Action::NextDisagreement {
                    1
                } else {
                    -1
                });
                if mode.peek {
                    self.show_review_unit();
                }
            }
            Action::TakeUnion => review.resolve(&project, Resolution::Union),
            Action::TakeIntersection => review.resolve(&project, Resolution::Intersection),
            Action::EditConsensus => self.open_prompt(PromptKind::ReviewCode),
            Action::Undo => {
                if !review.undo() {
                    self.info("nothing to undo in this review");
                }
            }
            Action::ShowUnit => {
                // The unit in its document, the review still open: Enter returns to it.
                mode.peek = !mode.peek;
                if mode.peek {
                    self.show_review_unit();
                }
            }
            action => {
                if let Some(n) = action.take()
                    && n <= review.coders.len()
                {
                    review.resolve(&project, Resolution::Take(n - 1));
                }
            }
        }
    }

    /// Opens the document of the disagreement under review at its unit.
    pub(crate) fn show_review_unit(&mut self) {
        let Some(item) = self.mode.review().and_then(|r| r.review.item()).cloned() else {
            return;
        };
        if let Some(doc) = self.project.corpus.position(&item.document) {
            self.open_document(doc, item.position);
        }
    }

    /// Polls the consensus file's autosave; returns true when the screen should redraw.
    pub fn poll_review(&mut self) -> bool {
        let Some(mode) = self.mode.review_mut() else {
            return false;
        };
        let target = crate::tui::saver::Target {
            path: mode.review.consensus.path.clone(),
            expected: None,
        };
        mode.saver
            .poll(
                &mut mode.review.save,
                &mode.review.consensus.file,
                &self.project,
                Some(target),
            )
            .changed
    }

    /// Ends the review, saving the consensus file now; returns false (and says why) when it
    /// could not be saved, and the review stays open.
    pub fn close_review(&mut self) -> bool {
        let project = Arc::clone(&self.project);
        let Some(mode) = self.mode.review_mut() else {
            return true;
        };
        let review = &mut mode.review;
        if review.save.is_dirty() {
            mode.saver.wait_idle(&mut review.save);
            let target = crate::tui::saver::Target {
                path: review.consensus.path.clone(),
                expected: None,
            };
            if let Err(err) = crate::tui::saver::save_now(
                &mut review.save,
                &review.consensus.file,
                &project,
                &target,
            ) {
                self.error(format!("consensus not saved: {err}"));
                return false;
            }
        }
        *self.mode.base_mut() = Mode::Normal;
        if let Mode::Help(_) | Mode::Prompt(_) = self.mode {
            self.mode = Mode::Normal;
        }
        true
    }
}
