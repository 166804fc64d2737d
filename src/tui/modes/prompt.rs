//! Prompts: the one-line and memo prompts, and the questions before wider changes. A
//! prompt opens over a mode and returns to it.

use std::sync::Arc;

use crate::corpus::{CodePointRange, DocumentId, UnitId};

use crate::adjudication::{self};
use crate::tui::action::ModeKind;
use crate::tui::keymap::Action;
use crate::tui::modes::Mode;
use crate::tui::modes::PromptMode;

use crate::tui::app::{App, Focus};

/// What a text prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    QuickAssign,
    /// Code every marked search hit (or every hit) with one indicator.
    CodeHits,
    /// Which coders to review: names separated by commas.
    ReviewCoders,
    /// Toggle a code in the consensus for the unit under review.
    ReviewCode,
    /// A new indicator, one field at a time: id, category, then label and definition in
    /// each of the codebook's languages.
    NewIndicator {
        fields: Vec<String>,
    },
    /// The new id of the highlighted indicator.
    RenameIndicator {
        id: String,
    },
    /// The indicator to merge the highlighted one into.
    MergeIndicator {
        id: String,
    },
    /// Confirm retiring an indicator.
    RetireIndicator {
        id: String,
    },
    /// Confirm coding search hits across units and documents: `what` says how many.
    ConfirmCodeHits {
        indicator: usize,
        what: String,
    },
    /// Confirm changing the coding of a document marked done (once per document and
    /// session), then toggle `indicator` as asked.
    ConfirmDone {
        indicator: usize,
        document: DocumentId,
    },
    /// Confirm deleting annotation `index` of `document`, one that could not be placed
    /// after an edit: `what` says which.
    ConfirmDeleteOrphan {
        document: DocumentId,
        index: usize,
        what: String,
    },
    /// An indicator's texts and category, one field at a time (see
    /// [`App::edit_indicator_steps`]), each starting with what the codebook says now.
    EditIndicator {
        id: String,
        fields: Vec<String>,
    },
    /// The ids to split the highlighted indicator into.
    SplitInto {
        id: String,
    },
    Filter,
    PickDocument,
    /// A memo on the annotation of `unit` (and `span`), or on the document when `unit` is None.
    Memo {
        document: DocumentId,
        unit: Option<UnitId>,
        span: Option<CodePointRange>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    /// The highlighted candidate (quick-assign, picker).
    pub selected: usize,
}

impl App {
    /// Opens `prompt` over the current mode.
    pub(crate) fn push_prompt(&mut self, prompt: Prompt) {
        let under = std::mem::replace(&mut self.mode, Mode::Normal);
        self.mode = Mode::Prompt(Box::new(PromptMode { prompt, under }));
    }

    pub(crate) fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        match &mut self.mode {
            Mode::Prompt(p) => Some(&mut p.prompt),
            _ => None,
        }
    }

    /// Text typed or pasted into the prompt or the search query.
    pub(crate) fn type_text(&mut self, text: &str) {
        if let Mode::Search { editing: true } = self.mode {
            if let Some(search) = &mut self.search {
                search.query.push_str(text);
                self.send_query();
            }
            return;
        }
        let Some(prompt) = self.prompt_mut() else {
            return;
        };
        prompt.input.push_str(text);
        prompt.selected = 0;
        if prompt.kind == PromptKind::Filter {
            let input = prompt.input.clone();
            self.set_filter(input);
        }
    }

    pub(crate) fn prompt_action(&mut self, action: Action) {
        let Some(prompt) = self.prompt_mut() else {
            return;
        };
        match action {
            Action::Submit | Action::SaveMemo | Action::Yes => {
                let Mode::Prompt(prompt) = std::mem::replace(&mut self.mode, Mode::Normal) else {
                    return;
                };
                let PromptMode { prompt, under } = *prompt;
                self.mode = under;
                self.submit(prompt);
                return;
            }
            Action::NewLine => prompt.input.push('\n'),
            Action::DeleteChar => {
                prompt.input.pop();
                prompt.selected = 0;
            }
            Action::ClearInput => {
                prompt.input.clear();
                prompt.selected = 0;
            }
            Action::NextCandidate => prompt.selected = prompt.selected.saturating_add(1),
            Action::PrevCandidate => prompt.selected = prompt.selected.saturating_sub(1),
            _ => return,
        }
        if prompt.kind == PromptKind::Filter {
            let input = prompt.input.clone();
            self.set_filter(input);
        }
    }

    pub(crate) fn open_prompt(&mut self, kind: PromptKind) {
        let input = match &kind {
            PromptKind::Filter => self.codebook_filter.clone(),
            PromptKind::ReviewCoders => adjudication::default_coders(&self.project)
                .unwrap_or_default()
                .join(", "),
            PromptKind::Memo {
                document,
                unit,
                span,
            } => {
                let coding = self.coder.file.documents.get(document);
                match unit {
                    None => coding.and_then(|c| c.memo.clone()),
                    Some(unit) => coding.and_then(|c| {
                        c.annotations
                            .iter()
                            .find(|a| &a.unit == unit && a.span == *span && !a.is_orphaned())
                            .and_then(|a| a.memo.clone())
                    }),
                }
                .unwrap_or_default()
            }
            _ => String::new(),
        };
        self.push_prompt(Prompt {
            kind,
            input,
            selected: 0,
        });
    }

    /// Pastes text (bracketed paste) into the prompt or the search query being typed.
    pub fn paste(&mut self, text: &str) {
        if !self.mode.kind().takes_text() {
            return;
        }
        // Terminals send a pasted line end as `\r` (some as `\r\n`): a memo keeps `\n`, a
        // one-line prompt gets a space.
        let mut text = Some(text.to_string());
        crate::annotations::normalize_line_ends(&mut text);
        let mut text = text.unwrap_or_default();
        if self.mode.kind() != ModeKind::Memo {
            text = text.replace('\n', " ");
        }
        self.type_text(&text);
    }

    pub(crate) fn submit(&mut self, prompt: Prompt) {
        match prompt.kind {
            PromptKind::NewIndicator { mut fields } => {
                fields.push(prompt.input.trim().to_string());
                if fields.len() < self.new_indicator_steps().len() {
                    let input = self.new_indicator_default(fields.len());
                    self.push_prompt(Prompt {
                        kind: PromptKind::NewIndicator { fields },
                        input,
                        selected: 0,
                    });
                } else {
                    self.add_indicator(&fields);
                }
            }
            PromptKind::RenameIndicator { id } => {
                let new = prompt.input.trim().to_string();
                self.change_codebook(|files, stamp| {
                    crate::project::revise::plan_rename(files, &id, &new, stamp)
                });
            }
            PromptKind::MergeIndicator { id } => {
                let into = prompt.input.trim().to_string();
                self.change_codebook(|files, stamp| {
                    crate::project::revise::plan_merge(
                        files,
                        std::slice::from_ref(&id),
                        &into,
                        &crate::project::revise::Relabel::default(),
                        stamp,
                    )
                });
            }
            PromptKind::RetireIndicator { id } => {
                self.change_codebook(|files, stamp| {
                    crate::project::revise::plan_retire(files, &id, stamp)
                });
            }
            PromptKind::EditIndicator { id, mut fields } => {
                fields.push(prompt.input.trim().to_string());
                if fields.len() < self.edit_indicator_steps().len() {
                    let input = self.edit_indicator_default(&id, fields.len());
                    self.push_prompt(Prompt {
                        kind: PromptKind::EditIndicator { id, fields },
                        input,
                        selected: 0,
                    });
                } else {
                    self.edit_indicator(&id, &fields);
                }
            }
            PromptKind::SplitInto { id } => {
                let targets: Vec<String> = prompt
                    .input
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
                self.start_split(id, targets);
            }
            PromptKind::ReviewCoders => {
                let names: Vec<String> = prompt
                    .input
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect();
                self.start_review(&names);
            }
            PromptKind::ReviewCode => {
                let candidates = self.quick_assign_candidates(&prompt.input);
                match candidates.get(prompt.selected.min(candidates.len().saturating_sub(1))) {
                    Some(&i) if !candidates.is_empty() => {
                        let code = self.project.codebook.indicators[i].id.clone();
                        let project = Arc::clone(&self.project);
                        if let Some(review) = self.mode.review_mut() {
                            review.review.toggle(&project, code);
                        }
                    }
                    _ => self.error(format!("no indicator matches '{}'", prompt.input)),
                }
            }
            PromptKind::CodeHits => {
                let candidates = self.quick_assign_candidates(&prompt.input);
                match candidates.get(prompt.selected.min(candidates.len().saturating_sub(1))) {
                    Some(&i) if !candidates.is_empty() => {
                        // More than the current unit: say what, and wait for a yes.
                        let what = self.hits_summary(i);
                        self.push_prompt(Prompt {
                            kind: PromptKind::ConfirmCodeHits { indicator: i, what },
                            input: String::new(),
                            selected: 0,
                        });
                    }
                    _ => self.error(format!("no indicator matches '{}'", prompt.input)),
                }
            }
            PromptKind::ConfirmCodeHits { indicator, .. } => self.code_hits(indicator),
            PromptKind::ConfirmDone {
                indicator,
                document,
            } => {
                if self.document().map(|d| &d.id) == Some(&document) {
                    self.confirmed_done.push(document);
                    self.code(indicator);
                }
            }
            PromptKind::ConfirmDeleteOrphan {
                document, index, ..
            } => self.delete_orphan(&document, index),
            PromptKind::QuickAssign => {
                let candidates = self.quick_assign_candidates(&prompt.input);
                match candidates.get(prompt.selected.min(candidates.len().saturating_sub(1))) {
                    Some(&i) if !candidates.is_empty() => self.code(i),
                    _ => self.error(format!("no indicator matches '{}'", prompt.input)),
                }
            }
            PromptKind::Filter => {
                self.set_filter(prompt.input);
                self.focus = Focus::Codebook;
            }
            PromptKind::PickDocument => {
                let candidates = self.picker_candidates(&prompt.input);
                match candidates.get(prompt.selected.min(candidates.len().saturating_sub(1))) {
                    Some(&d) if !candidates.is_empty() => self.open_document(d, 0),
                    _ => self.error(format!("no document matches '{}'", prompt.input)),
                }
            }
            PromptKind::Memo {
                document,
                unit,
                span,
            } => {
                if self.document().map(|d| &d.id) == Some(&document) {
                    self.set_memo(unit, span, prompt.input);
                    if span.is_some() {
                        self.leave_visual();
                    }
                }
            }
        }
    }
}
