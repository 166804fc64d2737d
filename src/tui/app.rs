//! The one app state, and every change to it. Keys become [`Action`]s (or text input); actions
//! change the state here; rendering (in `ui`) only reads it.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::annotations::coding::{self, CodingError, Place};
use crate::annotations::{Annotation, CoderFile, DocumentCoding, Status};
use crate::corpus::{CodePointRange, Document, DocumentId, IndicatorId, Unit, UnitId};
use crate::project::{LoadedCoder, Project};

use super::action::ModeKind;
use super::fuzzy;
use super::keymap::{Action, Keymap};
use super::modes::{HelpMode, PromptMode, ReviewMode, VisualMode};
pub use super::modes::{Mode, ReportView};
use super::review::Review;
use super::saver::Saver;
use super::search::{Reply, Request, Worker};
use super::split::SplitSession;
use super::text;
use crate::adjudication::{self, Resolution};
use crate::search::Hit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Document,
    Codebook,
    Details,
    Search,
}

/// Where the search index is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStatus {
    Opening { done: usize, total: usize },
    Ready,
    Failed(String),
}

/// The search pane: the query, its results, and the hits marked for coding.
#[derive(Debug, Clone)]
pub struct SearchState {
    pub query: String,
    /// Bumped with every query sent; replies for older ones are dropped.
    pub generation: u64,
    /// The generation the hits answer.
    pub answered: u64,
    pub hits: Vec<Hit>,
    pub total: usize,
    pub selected: usize,
    /// Hits marked (Space) to code in one go.
    pub marked: BTreeSet<usize>,
    pub status: SearchStatus,
    pub error: Option<String>,
}

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

/// A row of the codebook pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Category(usize),
    Indicator(usize),
}

/// One undoable change: a coding change (the coding of one or more documents before and
/// after, see [`coding::Change`]), or a codebook change.
#[derive(Debug, Clone)]
struct Change {
    /// A codebook change: the project's files as they were before it (undo writes them back).
    codebook: Option<crate::project::revise::ProjectFiles>,
    /// Where the change was made, to show it again on undo.
    document: DocumentId,
    unit: usize,
    /// What it did to the coder file (nothing for a codebook change), and its label.
    coding: coding::Change,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
    pub at: Instant,
}

/// Where the last frame put things, for mouse clicks and page sizes.
#[derive(Debug, Clone, Default)]
pub struct LayoutCache {
    pub document: Rect,
    pub codebook: Rect,
    pub details: Rect,
    /// (first row, last row exclusive, unit position) of each unit drawn.
    pub units: Vec<(u16, u16, usize)>,
    /// (row, index into `rows`) of each codebook row drawn.
    pub codebook_rows: Vec<(u16, usize)>,
}

/// Save state shown in the status bar.
#[derive(Debug, Clone, Default)]
pub struct SaveState {
    /// Bumped by every change.
    pub generation: u64,
    /// The generation on disk.
    pub saved_generation: u64,
    pub last_change: Option<Instant>,
    pub last_saved: Option<Instant>,
    pub error: Option<String>,
}

impl SaveState {
    pub fn is_dirty(&self) -> bool {
        self.generation != self.saved_generation
    }
}

pub struct App {
    pub project: Arc<Project>,
    pub coder: LoadedCoder,
    pub keymap: Keymap,
    pub language: String,
    pub read_only: bool,
    pub focus: Focus,
    /// The mode, with its state (see [`super::modes`]).
    pub mode: Mode,
    /// Current document and unit positions.
    pub doc: usize,
    pub unit: usize,
    /// The first unit shown in the document pane.
    pub top: usize,
    pub codebook_filter: String,
    pub rows: Vec<Row>,
    /// Index into `rows` of the highlighted indicator.
    pub selected_row: usize,
    pub codebook_top: usize,
    pub recent: Vec<IndicatorId>,
    undo: Vec<Change>,
    redo: Vec<Change>,
    pub save: SaveState,
    pub message: Option<Message>,
    pub quit: bool,
    /// Where the last frame put things: what [`super::ui::render`] returned.
    pub layout: LayoutCache,
    /// The styles, chosen once at start (`NO_COLOR`).
    pub theme: super::theme::Theme,
    /// Per indicator: uses in this document, uses in the corpus (this coder).
    pub counts: Vec<(usize, usize)>,
    /// Per unit of the current document: its codes in codebook order.
    unit_codes: Vec<Vec<IndicatorId>>,
    pub search: Option<SearchState>,
    search_worker: Option<Worker>,
    /// Where the search index goes; `None` for the cache folder.
    pub search_index_dir: Option<PathBuf>,
    /// Whether the search worker has its index open, and the last query generation sent to
    /// it: a search pane opened again starts from them, so it neither waits for an index that
    /// is already open nor takes an old answer for a new query.
    search_ready: bool,
    search_generation: u64,
    /// The last place in a unit (document, unit, code point from the unit's start): where a
    /// selection ended or a search hit matched. `v` starts there.
    pub cursor: Option<(usize, usize, usize)>,
    /// Documents marked done whose coding the coder confirmed changing in this session.
    confirmed_done: Vec<DocumentId>,
    /// The autosave worker of the coder's file (none in headless tests: saves are direct).
    pub saver: Option<Saver>,
    /// Held while the workspace runs; codebook changes write coder files under it.
    pub lock: Option<crate::annotations::CoderLock>,
    /// Where workers tell the event loop they have something (none headless: polled).
    pub waker: super::event::Waker,
    /// Set once `q` was refused with a warning: the next `q` quits regardless.
    quit_warned: bool,
    /// Set while this is the preview shown as the project loads (see [`super::startup`]).
    pub loading: Option<super::startup::Loading>,
    /// The project's files on disk as last read or written (see [`super::disk`]).
    pub disk: super::disk::DiskWatch,
}

impl App {
    pub fn new(project: Arc<Project>, coder: LoadedCoder, keymap: Keymap) -> Self {
        let language = project.codebook.language().to_string();
        let disk = super::disk::DiskWatch::new(&project, &coder);
        let mut app = Self {
            project,
            coder,
            keymap,
            language,
            read_only: false,
            focus: Focus::Document,
            mode: Mode::Normal,
            doc: 0,
            unit: 0,
            top: 0,
            codebook_filter: String::new(),
            rows: Vec::new(),
            selected_row: 0,
            codebook_top: 0,
            recent: Vec::new(),
            undo: Vec::new(),
            redo: Vec::new(),
            save: SaveState::default(),
            message: None,
            quit: false,
            layout: LayoutCache::default(),
            theme: super::theme::Theme::from_env(),
            counts: Vec::new(),
            unit_codes: Vec::new(),
            search: None,
            search_worker: None,
            search_index_dir: None,
            search_ready: false,
            search_generation: 0,
            cursor: None,
            confirmed_done: Vec::new(),
            waker: None,
            quit_warned: false,
            saver: None,
            lock: None,
            loading: None,
            disk,
        };
        app.rebuild_rows();
        app.recount();
        let orphans = app.coder.anchors.orphaned.len();
        if orphans > 0 {
            app.error(format!(
                "{orphans} annotations could not be placed: see `normcode check`"
            ));
        }
        app
    }

    // ----- reading the state -----

    pub fn document(&self) -> Option<&Document> {
        self.project.corpus.documents.get(self.doc)
    }

    pub fn current_unit(&self) -> Option<&Unit> {
        self.document().and_then(|d| d.units.get(self.unit))
    }

    pub fn selected_indicator(&self) -> Option<usize> {
        match self.rows.get(self.selected_row) {
            Some(Row::Indicator(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn coding(&self) -> Option<&DocumentCoding> {
        self.coder
            .file
            .documents
            .get(&self.document()?.id)
            .map(|c| &**c)
    }

    /// The codes on unit `position` of the current document, in codebook order.
    pub fn unit_codes(&self, position: usize) -> &[IndicatorId] {
        self.unit_codes.get(position).map_or(&[], Vec::as_slice)
    }

    pub fn unit_annotations(&self, position: usize) -> Vec<&Annotation> {
        let (Some(document), Some(coding)) = (self.document(), self.coding()) else {
            return Vec::new();
        };
        let Some(unit) = document.units.get(position) else {
            return Vec::new();
        };
        // An orphan is not shown on the unit that has its id now (see `normcode check`).
        coding
            .annotations
            .iter()
            .filter(|a| a.unit == unit.id && !a.is_orphaned())
            .collect()
    }

    pub fn status(&self) -> Status {
        self.document()
            .map(|d| self.coder.file.status(&d.id))
            .unwrap_or_default()
    }

    /// (coded units, units) of the current document.
    pub fn document_progress(&self) -> (usize, usize) {
        let Some(document) = self.document() else {
            return (0, 0);
        };
        let coded = (0..document.units.len())
            .filter(|&u| !self.unit_codes(u).is_empty())
            .count();
        (coded, document.units.len())
    }

    /// (documents done, documents) of the corpus.
    pub fn corpus_progress(&self) -> (usize, usize) {
        let done = self
            .project
            .corpus
            .documents
            .iter()
            .filter(|d| self.coder.file.status(&d.id) == Status::Done)
            .count();
        (done, self.project.corpus.len())
    }

    /// The selected span in body code points, while selecting.
    pub fn selection(&self) -> Option<CodePointRange> {
        let (a, b) = self.mode.visual()?.range();
        let unit = self.current_unit()?;
        Some(CodePointRange::new(
            unit.range.start + a,
            (unit.range.start + b + 1).min(unit.range.end),
        ))
    }

    /// Candidates for the quick-assign prompt, best first.
    pub fn quick_assign_candidates(&self, query: &str) -> Vec<usize> {
        let codebook = &self.project.codebook;
        let haystacks: Vec<String> = codebook
            .indicators
            .iter()
            .map(|i| {
                let labels: Vec<&str> = i.label.0.values().map(String::as_str).collect();
                format!("{} {}", i.id, labels.join(" "))
            })
            .collect();
        fuzzy::rank(query, &haystacks)
            .into_iter()
            .filter(|&i| !codebook.indicators[i].retired)
            .collect()
    }

    pub fn picker_candidates(&self, query: &str) -> Vec<usize> {
        let haystacks: Vec<String> = self
            .project
            .corpus
            .documents
            .iter()
            .map(|d| format!("{} {}", d.id, d.title()))
            .collect();
        fuzzy::rank(query, &haystacks)
    }

    // ----- messages -----

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            is_error: false,
            at: Instant::now(),
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            is_error: true,
            at: Instant::now(),
        });
    }

    // ----- input -----

    /// The prompt shown, if any.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.mode.prompt()
    }

    /// A key: the action it has in the current mode, or a character typed into the mode's
    /// text (a prompt, the search query).
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let kind = self.mode.kind();
        match self.keymap.action(kind, &key) {
            Some(action) => self.act(kind, action),
            None if kind.takes_text() => {
                let plain = !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if let (KeyCode::Char(c), true) = (key.code, plain) {
                    self.type_text(&c.to_string());
                }
            }
            None => {}
        }
    }

    /// Runs `action` in a mode of kind `kind` (the current one).
    pub fn act(&mut self, kind: ModeKind, action: Action) {
        match action {
            Action::Cancel => return self.cancel(),
            Action::Help => return self.toggle_help(),
            Action::Close if !kind.takes_text() => return self.cancel(),
            _ => {}
        }
        match kind {
            ModeKind::Normal => self.apply(action),
            ModeKind::Visual => self.visual_action(action),
            ModeKind::Search => self.search_action(action),
            ModeKind::Query => self.query_action(action),
            ModeKind::Prompt | ModeKind::Memo | ModeKind::Confirm => self.prompt_action(action),
            ModeKind::Help => {
                // Half the smallest help box: a page never skips a line.
                if let Mode::Help(help) = &mut self.mode {
                    help.motion(action, 10);
                }
            }
            ModeKind::Review => self.review_action(action),
            ModeKind::Reports => {
                if let Mode::Reports(view) = &mut self.mode {
                    view.handle(action);
                }
            }
            ModeKind::Split => self.split_action(action),
        }
    }

    /// `Esc`: closes the prompt or the help (back to the mode under it); from any mode, back
    /// to the document pane with nothing left open.
    pub fn cancel(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Prompt(prompt) => {
                if prompt.prompt.kind == PromptKind::Filter {
                    self.set_filter(String::new());
                }
                self.mode = prompt.under;
            }
            Mode::Help(help) => self.mode = help.under,
            Mode::Normal => {
                self.message = None;
                if !self.codebook_filter.is_empty() {
                    self.set_filter(String::new());
                }
            }
            Mode::Visual(visual) => {
                self.remember_cursor(&visual);
                self.message = None;
            }
            Mode::Search { .. } => {
                self.mode = Mode::Search { editing: false };
                self.leave_search();
            }
            Mode::Review(review) => {
                self.mode = Mode::Review(review);
                self.close_review();
            }
            Mode::Reports(_) => {}
            Mode::Split(split) => {
                self.info(format!(
                    "split of {} cancelled; nothing changed",
                    split.source
                ));
            }
        }
        if self.mode.is_normal() && self.focus == Focus::Search {
            self.focus = Focus::Document;
        }
    }

    fn toggle_help(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Help(help) => self.mode = help.under,
            other => self.mode = Mode::Help(Box::new(HelpMode::new(other))),
        }
    }

    /// Opens `prompt` over the current mode.
    fn push_prompt(&mut self, prompt: Prompt) {
        let under = std::mem::replace(&mut self.mode, Mode::Normal);
        self.mode = Mode::Prompt(Box::new(PromptMode { prompt, under }));
    }

    fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        match &mut self.mode {
            Mode::Prompt(p) => Some(&mut p.prompt),
            _ => None,
        }
    }

    /// Text typed or pasted into the prompt or the search query.
    fn type_text(&mut self, text: &str) {
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

    fn prompt_action(&mut self, action: Action) {
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

    pub fn handle_mouse(&mut self, mouse: MouseEvent) {
        let at = Position::new(mouse.column, mouse.row);
        let layout = self.layout.clone();
        let pane = if layout.document.contains(at) {
            Some(Focus::Document)
        } else if layout.codebook.contains(at) {
            Some(Focus::Codebook)
        } else if layout.details.contains(at) {
            Some(Focus::Details)
        } else {
            None
        };
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(pane) = pane {
                    self.focus = pane;
                }
                if let Some(&(_, _, unit)) = layout
                    .units
                    .iter()
                    .find(|(top, bottom, _)| (*top..*bottom).contains(&mouse.row))
                    .filter(|_| pane == Some(Focus::Document))
                {
                    self.go_to_unit(unit);
                }
                if let Some(&(_, row)) = layout
                    .codebook_rows
                    .iter()
                    .find(|(y, _)| *y == mouse.row)
                    .filter(|_| pane == Some(Focus::Codebook))
                    && matches!(self.rows.get(row), Some(Row::Indicator(_)))
                {
                    self.selected_row = row;
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = mouse.kind == MouseEventKind::ScrollDown;
                match pane {
                    Some(Focus::Codebook) => self.move_codebook(if down { 3 } else { -3 }),
                    _ => self.move_unit(if down { 3 } else { -3 }),
                }
            }
            _ => {}
        }
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::NextPane => self.cycle_focus(1),
            Action::PrevPane => self.cycle_focus(-1),
            Action::Down => self.move_in_focus(1),
            Action::Up => self.move_in_focus(-1),
            Action::PageDown => self.move_in_focus(self.page() as isize),
            Action::PageUp => self.move_in_focus(-(self.page() as isize)),
            Action::Top => self.move_in_focus(isize::MIN / 2),
            Action::Bottom => self.move_in_focus(isize::MAX / 2),
            Action::NextUncoded => self.jump(true, false),
            Action::PrevUncoded => self.jump(false, false),
            Action::NextCoded => self.jump(true, true),
            Action::PrevCoded => self.jump(false, true),
            Action::NextDocument => self.switch_document(self.doc as isize + 1),
            Action::PrevDocument => self.switch_document(self.doc as isize - 1),
            Action::PickDocument => self.open_prompt(PromptKind::PickDocument),
            Action::Toggle => {
                if let Some(indicator) = self.selected_indicator() {
                    self.code(indicator);
                } else {
                    self.error("no indicator highlighted in the codebook pane");
                }
            }
            Action::QuickAssign => self.open_prompt(PromptKind::QuickAssign),
            action if action.recent().is_some() => {
                let n = action.recent().unwrap_or(1);
                match self.recent.get(n - 1).cloned() {
                    Some(id) => {
                        if let Some(i) = self.project.codebook.position(&id) {
                            self.code(i);
                        }
                    }
                    None => self.error(format!("no recently used indicator #{n} yet")),
                }
            }
            Action::Visual => self.start_visual(),
            Action::Memo => self.open_memo(None),
            Action::DocumentMemo => {
                if let Some(document) = self.document() {
                    let kind = PromptKind::Memo {
                        document: document.id.clone(),
                        unit: None,
                        span: None,
                    };
                    self.open_prompt(kind);
                }
            }
            Action::ToggleDone => self.toggle_done(),
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::Filter => {
                self.focus = Focus::Codebook;
                self.open_prompt(PromptKind::Filter);
            }
            Action::Search => self.open_search(),
            Action::NextHit => self.step_hit(1),
            Action::PrevHit => self.step_hit(-1),
            Action::Reports => self.open_reports(),
            Action::NewIndicator => {
                self.open_prompt(PromptKind::NewIndicator { fields: Vec::new() })
            }
            Action::RenameIndicator | Action::MergeIndicator | Action::RetireIndicator => {
                let Some(i) = self.selected_indicator() else {
                    self.error("highlight an indicator in the codebook pane first");
                    return;
                };
                let id = self.project.codebook.indicators[i].id.to_string();
                self.open_prompt(match action {
                    Action::RenameIndicator => PromptKind::RenameIndicator { id },
                    Action::MergeIndicator => PromptKind::MergeIndicator { id },
                    _ => PromptKind::RetireIndicator { id },
                });
            }
            Action::EditIndicator | Action::SplitIndicator => {
                let Some(i) = self.selected_indicator() else {
                    self.error("highlight an indicator in the codebook pane first");
                    return;
                };
                let id = self.project.codebook.indicators[i].id.to_string();
                if action == Action::SplitIndicator {
                    self.open_prompt(PromptKind::SplitInto { id });
                } else {
                    let input = self.edit_indicator_default(&id, 0);
                    self.push_prompt(Prompt {
                        kind: PromptKind::EditIndicator {
                            id,
                            fields: Vec::new(),
                        },
                        input,
                        selected: 0,
                    });
                }
            }
            Action::Review => self.open_prompt(PromptKind::ReviewCoders),
            // The actions of other modes.
            _ => {}
        }
    }

    /// Toggles `indicator` on the unit or the selected span, after a yes when the document
    /// is marked done (asked once per document in a session).
    fn code(&mut self, indicator: usize) {
        if let Some(document) = self.document().map(|d| d.id.clone())
            && self.status() == Status::Done
            && !self.confirmed_done.contains(&document)
            && !self.read_only
        {
            self.push_prompt(Prompt {
                kind: PromptKind::ConfirmDone {
                    indicator,
                    document,
                },
                input: String::new(),
                selected: 0,
            });
            return;
        }
        let visual = self.mode.visual().cloned();
        self.toggle(indicator);
        if let Some(visual) = visual
            && self.mode.visual().is_none()
        {
            self.remember_cursor(&visual);
        }
    }

    /// Remembers where a selection's moving end was, for the next `v` in the unit.
    fn remember_cursor(&mut self, visual: &VisualMode) {
        self.cursor = Some((self.doc, self.unit, visual.cursor()));
    }

    /// `v`: a selection of one character, where the cursor was last in this unit (else at
    /// the unit's start).
    fn start_visual(&mut self) {
        let at = match self.cursor {
            Some((doc, unit, at)) if doc == self.doc && unit == self.unit => at,
            _ => 0,
        };
        let project = Arc::clone(&self.project);
        let Some(document) = project.corpus.documents.get(self.doc) else {
            return;
        };
        let Some(unit) = document.units.get(self.unit) else {
            self.error("this document has no units to select in");
            return;
        };
        match VisualMode::start(document.unit_text(unit), at) {
            Some(visual) => {
                self.mode = Mode::Visual(visual);
                self.message = None;
            }
            None => self.error("this unit is empty"),
        }
    }

    /// An action while selecting: a motion, or coding the span.
    fn visual_action(&mut self, action: Action) {
        let project = Arc::clone(&self.project);
        let Some(document) = project.corpus.documents.get(self.doc) else {
            return;
        };
        let Some(unit) = document.units.get(self.unit) else {
            self.mode = Mode::Normal;
            return;
        };
        if let Mode::Visual(visual) = &mut self.mode
            && visual.motion(action, document.unit_text(unit))
        {
            return;
        }
        match action {
            Action::QuickAssign => self.open_prompt(PromptKind::QuickAssign),
            Action::Memo => {
                let span = self.selection();
                self.open_memo(span);
            }
            _ => self.apply(action),
        }
    }

    fn page(&self) -> usize {
        let height = self.layout.document.height.saturating_sub(2) as usize;
        (height / 4).max(1)
    }

    fn cycle_focus(&mut self, step: isize) {
        let last = if self.search.is_some() {
            Focus::Search
        } else {
            Focus::Details
        };
        let order = [Focus::Document, Focus::Codebook, last];
        let at = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.set_focus(order[(at + step).rem_euclid(order.len() as isize) as usize]);
    }

    /// Focuses a pane: the search pane's keys are the search mode's.
    fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        match (&self.mode, focus) {
            (Mode::Normal, Focus::Search) => self.mode = Mode::Search { editing: false },
            (Mode::Search { .. }, f) if f != Focus::Search => self.mode = Mode::Normal,
            _ => {}
        }
    }

    fn move_in_focus(&mut self, delta: isize) {
        match self.focus {
            Focus::Codebook => self.move_codebook(delta),
            Focus::Search => self.move_hit(delta),
            Focus::Document | Focus::Details => self.move_unit(delta),
        }
    }

    fn move_unit(&mut self, delta: isize) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        if count == 0 {
            return;
        }
        let target = (self.unit as isize)
            .saturating_add(delta)
            .clamp(0, count as isize - 1);
        self.go_to_unit(target as usize);
    }

    pub fn go_to_unit(&mut self, position: usize) {
        self.leave_visual();
        self.unit = position;
        self.ensure_visible();
    }

    /// A selection ends when the cursor leaves its unit; other modes stay (a review or a
    /// split shows its units in the document pane).
    fn leave_visual(&mut self) {
        if let Mode::Visual(visual) = &self.mode {
            let visual = visual.clone();
            self.remember_cursor(&visual);
            self.mode = Mode::Normal;
        }
    }

    fn move_codebook(&mut self, delta: isize) {
        let indicators: Vec<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Indicator(_)))
            .map(|(i, _)| i)
            .collect();
        if indicators.is_empty() {
            return;
        }
        let at = indicators
            .iter()
            .position(|&r| r >= self.selected_row)
            .unwrap_or(0) as isize;
        let target = at
            .saturating_add(delta)
            .clamp(0, indicators.len() as isize - 1);
        self.selected_row = indicators[target as usize];
    }

    fn jump(&mut self, forward: bool, coded: bool) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        let mut positions: Box<dyn Iterator<Item = usize>> = if forward {
            Box::new(self.unit + 1..count)
        } else {
            Box::new((0..self.unit).rev())
        };
        match positions.find(|&u| self.unit_codes(u).is_empty() != coded) {
            Some(u) => self.go_to_unit(u),
            None => self.info(format!(
                "no {} unit {} in this document",
                if coded { "coded" } else { "uncoded" },
                if forward { "below" } else { "above" }
            )),
        }
    }

    pub fn switch_document(&mut self, target: isize) {
        let count = self.project.corpus.len();
        if count == 0 {
            return;
        }
        if target < 0 || target as usize >= count {
            self.info(if target < 0 {
                "this is the first document"
            } else {
                "this is the last document"
            });
            return;
        }
        self.open_document(target as usize, 0);
    }

    pub fn open_document(&mut self, doc: usize, unit: usize) {
        self.leave_visual();
        self.doc = doc;
        self.unit = unit.min(
            self.document()
                .map_or(0, |d| d.units.len().saturating_sub(1)),
        );
        self.top = self.unit.saturating_sub(2);
        self.recount();
        self.ensure_visible();
    }

    /// Scrolls so that the current unit is in view, using the last frame's pane size. Only the
    /// units between the top and the cursor are measured, so this is cheap in long documents.
    pub fn ensure_visible(&mut self) {
        let area = self.layout.document;
        let (width, height) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
        let room = height as usize + 1; // the blank row after the last unit may be cut off
        if self.unit < self.top {
            self.top = self.unit;
            self.fill_pane(width as usize, room);
            return;
        }
        if width == 0 || height == 0 {
            return;
        }
        let mut rows = 0;
        let fits = (self.top..=self.unit).all(|u| {
            rows += self.unit_height(u, width as usize) + 1;
            rows <= room
        });
        if fits {
            self.fill_pane(width as usize, room);
            return;
        }
        // Put the current unit at the bottom: walk up while units above still fit.
        let mut rows = self.unit_height(self.unit, width as usize) + 1;
        let mut top = self.unit;
        while top > 0 {
            let above = self.unit_height(top - 1, width as usize) + 1;
            if rows + above > room {
                break;
            }
            rows += above;
            top -= 1;
        }
        self.top = top;
        self.fill_pane(width as usize, room);
    }

    /// Near the end of the document, scrolls up so the units from the top to the last fill the
    /// pane instead of leaving its bottom empty.
    fn fill_pane(&mut self, width: usize, room: usize) {
        let Some(count) = self.document().map(|d| d.units.len()) else {
            return;
        };
        if width == 0 || room <= 1 {
            return;
        }
        let mut rows = 0;
        for u in self.top..count {
            rows += self.unit_height(u, width) + 1;
            if rows >= room {
                return;
            }
        }
        while self.top > 0 {
            let above = self.unit_height(self.top - 1, width) + 1;
            if rows + above > room {
                break;
            }
            rows += above;
            self.top -= 1;
        }
    }

    /// Rows a unit takes in a document pane `width` columns wide (without the blank row after),
    /// counted up to a little more than the pane's height: all that scrolling needs to know.
    pub fn unit_height(&self, position: usize, width: usize) -> usize {
        let Some(document) = self.document() else {
            return 1;
        };
        let text = document.unit_text(&document.units[position]);
        let limit = self.layout.document.height as usize + 2;
        let lines = text::wrap_rows(text, width.saturating_sub(super::ui::GUTTER), limit)
            .1
            .len();
        lines.max(1 + self.unit_codes(position).len())
    }

    // ----- coding -----

    /// Makes `edit`, a coding change of the core on this coder's file, one undoable step, and
    /// says what it did (or `nothing` when it changed nothing). Returns whether it changed the
    /// file.
    fn edit(
        &mut self,
        nothing: Option<String>,
        edit: impl FnOnce(&mut CoderFile) -> Result<coding::Change, CodingError>,
    ) -> bool {
        if self.read_only {
            self.error("read-only: another session has this coder's file open");
            return false;
        }
        let change = match edit(&mut self.coder.file) {
            Ok(change) => change,
            Err(err) => {
                self.error(err.to_string());
                return false;
            }
        };
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
    fn set_coding(&mut self) {
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

    fn toggle_done(&mut self) {
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

    fn set_memo(&mut self, unit: Option<UnitId>, span: Option<CodePointRange>, memo: String) {
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

    fn open_memo(&mut self, span: Option<CodePointRange>) {
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

    fn undo(&mut self) {
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

    fn redo(&mut self) {
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
    fn show_change(&mut self, document: &DocumentId, unit: usize) {
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

    // ----- prompts -----

    fn open_prompt(&mut self, kind: PromptKind) {
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

    fn submit(&mut self, prompt: Prompt) {
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

    // ----- saving -----

    /// Polls the autosave worker; returns true when the status bar changed.
    pub fn poll_saver(&mut self) -> bool {
        let Some(saver) = &self.saver else {
            return false;
        };
        let target = self.save_target();
        let polled = saver.poll(&mut self.save, &self.coder.file, &self.project, target);
        let saved = !polled.saved.is_empty();
        for saved in polled.saved {
            self.record_saved(saved);
        }
        if polled.changed_on_disk {
            self.sync_with_disk();
        }
        if saved {
            self.on_saved();
        }
        polled.changed
    }

    /// Starts the autosave worker (the workspace does; headless tests may).
    pub fn start_autosave(&mut self) {
        self.saver = Some(Saver::start_with(self.waker.clone()));
    }

    // ----- codebook development -----

    /// The questions of the new-indicator prompt, in order.
    pub fn new_indicator_steps(&self) -> Vec<String> {
        let mut steps = vec!["id (e.g. VU09)".to_string(), "category id".to_string()];
        for lang in &self.project.codebook.languages {
            steps.push(format!("label ({lang})"));
        }
        for lang in &self.project.codebook.languages {
            steps.push(format!("definition ({lang})"));
        }
        steps
    }

    /// What a step of the new-indicator prompt starts with: the highlighted indicator's category.
    fn new_indicator_default(&self, step: usize) -> String {
        if step != 1 {
            return String::new();
        }
        self.selected_indicator()
            .map(|i| {
                let codebook = &self.project.codebook;
                codebook.categories[codebook.indicators[i].category]
                    .id
                    .clone()
            })
            .unwrap_or_default()
    }

    fn add_indicator(&mut self, fields: &[String]) {
        let languages = self.project.codebook.languages.clone();
        let n = languages.len();
        let new = crate::project::revise::NewIndicator {
            id: fields[0].clone(),
            category: fields[1].clone(),
            label: languages
                .iter()
                .cloned()
                .zip(fields[2..2 + n].iter().cloned())
                .collect(),
            definition: languages
                .iter()
                .cloned()
                .zip(fields[2 + n..2 + 2 * n].iter().cloned())
                .collect(),
            ..Default::default()
        };
        let id = IndicatorId::new(new.id.clone());
        if self.change_codebook(|files, stamp| crate::project::revise::plan_add(files, &new, stamp))
        {
            // Code the unit with it in the same step.
            if let Some(i) = self.project.codebook.position(&id) {
                self.toggle(i);
                // One step: undoing the new indicator also takes back this coding.
                if self.undo.last().is_some_and(|c| c.codebook.is_none()) {
                    self.undo.pop();
                }
                self.info(format!(
                    "added indicator {id} to the codebook and coded the unit with it"
                ));
            }
        }
    }

    /// The questions of the edit-indicator prompt, in order: labels and definitions in each
    /// language, the category, then the include and exclude rules and the examples in each
    /// language, items separated by ` | `.
    pub fn edit_indicator_steps(&self) -> Vec<String> {
        let languages = &self.project.codebook.languages;
        let mut steps = Vec::new();
        for what in ["label", "definition"] {
            steps.extend(languages.iter().map(|lang| format!("{what} ({lang})")));
        }
        steps.push("category id (another moves it there)".to_string());
        for what in ["include rules", "exclude rules", "examples"] {
            steps.extend(
                languages
                    .iter()
                    .map(|lang| format!("{what} ({lang}), separated by ' | '")),
            );
        }
        steps
    }

    /// What the codebook says now for a step of the edit-indicator prompt.
    fn edit_indicator_default(&self, id: &str, step: usize) -> String {
        let codebook = &self.project.codebook;
        let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
            return String::new();
        };
        let n = codebook.languages.len();
        let text_in =
            |map: &crate::codebook::LangMap, lang: &str| map.get(lang).cloned().unwrap_or_default();
        let list_in = |items: &[crate::codebook::Localized], lang: &str| {
            items
                .iter()
                .filter_map(|item| item.0.get(lang).map(String::as_str))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        match step {
            s if s < n => text_in(&indicator.label.0, &codebook.languages[s]),
            s if s < 2 * n => text_in(&indicator.definition.0, &codebook.languages[s - n]),
            s if s == 2 * n => codebook.categories[indicator.category].id.clone(),
            s => {
                let s = s - 2 * n - 1;
                let lang = codebook.languages.get(s % n).map_or("", String::as_str);
                match s / n {
                    0 => list_in(&indicator.include, lang),
                    1 => list_in(&indicator.exclude, lang),
                    _ => list_in(&indicator.examples, lang),
                }
            }
        }
    }

    /// Applies the answers of the edit-indicator prompt: only what differs from the codebook.
    fn edit_indicator(&mut self, id: &str, fields: &[String]) {
        use crate::codebook::LangMap;
        let codebook = &self.project.codebook;
        let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
            self.error(format!("{id} is no longer in the codebook"));
            return;
        };
        let languages = codebook.languages.clone();
        let n = languages.len();
        let changed_texts = |current: &LangMap, answers: &[String]| -> LangMap {
            languages
                .iter()
                .zip(answers)
                .filter(|(lang, answer)| current.get(*lang) != Some(*answer))
                .map(|(lang, answer)| (lang.clone(), answer.clone()))
                .collect()
        };
        let list = |current: &[crate::codebook::Localized], answers: &[String]| {
            let per_language: Vec<Vec<String>> = answers
                .iter()
                .map(|a| {
                    a.split('|')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect();
            let longest = per_language.iter().map(Vec::len).max().unwrap_or(0);
            let items: Vec<LangMap> = (0..longest)
                .map(|i| {
                    languages
                        .iter()
                        .zip(&per_language)
                        .filter_map(|(lang, texts)| Some((lang.clone(), texts.get(i)?.clone())))
                        .collect()
                })
                .collect();
            let before: Vec<LangMap> = current.iter().map(|l| l.0.clone()).collect();
            (items != before).then_some(items)
        };
        let category = &fields[2 * n];
        let change = crate::project::revise::IndicatorEdit {
            label: changed_texts(&indicator.label.0, &fields[..n]),
            definition: changed_texts(&indicator.definition.0, &fields[n..2 * n]),
            category: (*category != codebook.categories[indicator.category].id)
                .then(|| category.clone()),
            include: list(&indicator.include, &fields[2 * n + 1..3 * n + 1]),
            exclude: list(&indicator.exclude, &fields[3 * n + 1..4 * n + 1]),
            examples: list(&indicator.examples, &fields[4 * n + 1..5 * n + 1]),
        };
        if change == crate::project::revise::IndicatorEdit::default() {
            self.info(format!("{id} unchanged"));
            return;
        }
        self.change_codebook(|files, stamp| {
            crate::project::revise::plan_edit(files, id, &change, stamp)
        });
    }

    /// Starts stepping through the segments coded with `source` (every coder's, from the files
    /// on disk after saving this coder's work).
    fn start_split(&mut self, source: String, targets: Vec<String>) {
        if targets.is_empty() {
            self.error("name the indicators to split into, e.g. `VU01a VU01b`");
            return;
        }
        if targets.len() > 9 {
            self.error("split into at most 9 indicators at a time (keys 1 to 9)");
            return;
        }
        if targets.contains(&source) {
            self.error(format!(
                "{source} cannot be split into itself; skip (s) the segments that stay with it"
            ));
            return;
        }
        if let Err(err) = self.save_now() {
            self.error(format!("save first: {err}"));
            return;
        }
        let segments = match crate::project::revise::ProjectFiles::read(&self.project.root) {
            Ok(files) => crate::project::revise::split_segments(&files, &source),
            Err(err) => {
                self.error(err.to_string());
                return;
            }
        };
        if segments.is_empty() {
            self.error(format!(
                "no coder has coded anything with {source}: rename or retire it instead"
            ));
            return;
        }
        self.mode = Mode::Split(Box::new(SplitSession::new(source, targets, segments)));
        self.show_split_segment();
    }

    /// Opens the document of the segment being decided at its unit.
    fn show_split_segment(&mut self) {
        let Some(segment) = self.mode.split().and_then(|s| s.current()).cloned() else {
            return;
        };
        if let Some(doc) = self.project.corpus.position(&segment.document) {
            let unit = self.project.corpus.documents[doc]
                .unit_position(&segment.unit)
                .unwrap_or(0);
            self.open_document(doc, unit);
        }
    }

    fn split_action(&mut self, action: Action) {
        let Mode::Split(split) = &mut self.mode else {
            return;
        };
        match action {
            action if action.take().is_some() => {
                if !split.assign(action.take().unwrap_or(1) - 1) {
                    let count = split.targets.len();
                    self.error(format!("keys 1 to {count} choose a target"));
                    return;
                }
            }
            Action::SkipSegment => split.skip(),
            Action::BackSegment => split.back(),
            Action::ApplySplit => {
                let session = (**split).clone();
                let done = self.change_codebook(|files, stamp| {
                    crate::project::revise::plan_split(
                        files,
                        &session.source,
                        &session.targets,
                        &session.assignments(),
                        stamp,
                    )
                });
                if done {
                    self.mode = Mode::Normal;
                }
                return;
            }
            _ => return,
        }
        self.show_split_segment();
    }

    /// Plans a codebook change over the files on disk (after saving this coder's work), applies
    /// it under this session's lock, and reloads. Returns true when it was made.
    fn change_codebook(
        &mut self,
        plan: impl FnOnce(
            &crate::project::revise::ProjectFiles,
            &crate::project::revise::Stamp,
        ) -> crate::Result<crate::project::revise::Migration>,
    ) -> bool {
        use crate::project::revise::{ProjectFiles, Stamp};
        if let Err(err) = self.save_now() {
            self.error(format!("save first: {err}"));
            return false;
        }
        let root = self.project.root.clone();
        let result = ProjectFiles::read(&root).and_then(|before| {
            let migration = plan(&before, &Stamp::today(self.coder.name.clone()))?;
            let held: Vec<&crate::annotations::CoderLock> = self.lock.iter().collect();
            migration.apply_holding(&root, &held)?;
            Ok((before, migration.summary))
        });
        match result
            .and_then(|(before, summary)| self.reload_codebook().map(|()| (before, summary)))
        {
            Ok((before, summary)) => {
                // Undo entries made before would bring back old ids.
                self.undo.clear();
                self.redo.clear();
                self.undo.push(Change {
                    codebook: Some(before),
                    document: self
                        .document()
                        .map(|d| d.id.clone())
                        .unwrap_or_else(|| DocumentId::new("")),
                    unit: self.unit,
                    coding: coding::Change::new(summary.clone()),
                });
                self.info(summary);
                true
            }
            Err(err) => {
                self.error(err.to_string());
                false
            }
        }
    }

    /// Writes back the codebook and coder files as they were (undo of a codebook change).
    fn restore_project_files(
        &mut self,
        before: &crate::project::revise::ProjectFiles,
    ) -> crate::Result<()> {
        use crate::annotations::{CoderLock, write_atomic};
        self.save_now().map_err(crate::Error::Usage)?;
        let dir = self.project.annotations_dir();
        let mut locks = Vec::new();
        for coder in &before.coders {
            if coder.name != self.coder.name {
                let name = crate::annotations::CoderName::parse(&coder.name)?;
                locks.push(CoderLock::acquire(&dir, &name)?);
            }
        }
        for coder in &before.coders {
            write_atomic(
                &dir.join(format!("{}.yaml", coder.name)),
                coder.text.as_bytes(),
            )?;
        }
        write_atomic(
            &self.project.root.join(crate::project::CODEBOOK_FILE),
            before.codebook_text.as_bytes(),
        )?;
        drop(locks);
        self.reload_codebook()
    }

    /// Reads the codebook and this coder's file again after they changed on disk.
    fn reload_codebook(&mut self) -> crate::Result<()> {
        let codebook = crate::codebook::Codebook::load(
            &self.project.root.join(crate::project::CODEBOOK_FILE),
        )?;
        let mut project = (*self.project).clone();
        project.codebook = codebook;
        let coder = project.load_coder(&self.coder.name)?;
        self.replace_project(project);
        self.adopt_loaded(coder);
        self.save.saved_generation = self.save.generation;
        self.recount();
        Ok(())
    }

    // ----- search -----

    /// Closes the search pane and its worker; the next search starts afresh.
    pub(crate) fn close_search_worker(&mut self) {
        self.leave_search();
        self.search_worker = None;
        self.search_ready = false;
    }

    /// Closes the search pane (the worker and its index stay open for the next search).
    fn leave_search(&mut self) {
        if let Some(search) = self.search.take() {
            self.search_generation = self.search_generation.max(search.generation);
        }
        if self.focus == Focus::Search {
            self.focus = Focus::Document;
        }
        if let Mode::Search { .. } = self.mode {
            self.mode = Mode::Normal;
        }
    }

    /// Opens the search pane (starting the index worker on first use) with the query editable.
    fn open_search(&mut self) {
        if self.search_worker.is_none() {
            self.search_worker = Some(Worker::start(
                Arc::clone(&self.project),
                self.coder.clone(),
                self.search_index_dir.clone(),
                self.waker.clone(),
            ));
        }
        let (ready, generation) = (self.search_ready, self.search_generation);
        self.search.get_or_insert_with(|| SearchState {
            query: String::new(),
            generation,
            answered: generation,
            hits: Vec::new(),
            total: 0,
            selected: 0,
            marked: BTreeSet::new(),
            status: if ready {
                SearchStatus::Ready
            } else {
                SearchStatus::Opening { done: 0, total: 0 }
            },
            error: None,
        });
        self.focus = Focus::Search;
        self.mode = Mode::Search { editing: true };
    }

    /// Typing the query: keys that are not typed.
    fn query_action(&mut self, action: Action) {
        let Some(search) = &mut self.search else {
            return;
        };
        match action {
            Action::EndQuery => self.mode = Mode::Search { editing: false },
            Action::DeleteChar => {
                search.query.pop();
                self.send_query();
            }
            Action::ClearInput => {
                search.query.clear();
                self.send_query();
            }
            _ => {}
        }
    }

    /// In the search results: their own keys, then the document pane's.
    fn search_action(&mut self, action: Action) {
        let Some(search) = &mut self.search else {
            self.mode = Mode::Normal;
            return;
        };
        match action {
            Action::OpenHit => self.jump_to_hit(),
            Action::MarkHit => {
                let selected = search.selected;
                if selected < search.hits.len() && !search.marked.remove(&selected) {
                    search.marked.insert(selected);
                }
                self.move_hit(1);
            }
            Action::CodeHits => {
                if search.hits.is_empty() {
                    self.error("no hits to code");
                } else {
                    self.open_prompt(PromptKind::CodeHits);
                }
            }
            Action::Search => self.mode = Mode::Search { editing: true },
            Action::Top => self.move_hit(isize::MIN / 2),
            Action::Bottom => self.move_hit(isize::MAX / 2),
            other => self.apply(other),
        }
    }

    fn send_query(&mut self) {
        let Some(search) = &mut self.search else {
            return;
        };
        search.generation += 1;
        search.marked.clear();
        if search.query.trim().is_empty() {
            search.hits.clear();
            search.total = 0;
            search.error = None;
            search.answered = search.generation;
            return;
        }
        if let Some(worker) = &self.search_worker {
            worker.send(Request::Query {
                generation: search.generation,
                query: search.query.clone(),
            });
        }
    }

    fn move_hit(&mut self, delta: isize) {
        if let Some(search) = &mut self.search
            && !search.hits.is_empty()
        {
            let last = search.hits.len() as isize - 1;
            search.selected = (search.selected as isize)
                .saturating_add(delta)
                .clamp(0, last) as usize;
        }
    }

    /// Opens the selected hit's document at its unit.
    fn jump_to_hit(&mut self) {
        let Some(hit) = self
            .search
            .as_ref()
            .and_then(|s| s.hits.get(s.selected))
            .cloned()
        else {
            return;
        };
        let Some(doc) = self.project.corpus.position(&hit.document) else {
            self.error(format!("{} is no longer in the corpus", hit.document));
            return;
        };
        let unit = self.project.corpus.documents[doc]
            .unit_position(&hit.unit)
            .unwrap_or(0);
        if doc != self.doc {
            self.open_document(doc, unit);
        } else {
            self.go_to_unit(unit);
        }
        // `v` starts at the match.
        if let Some(first) = hit.matches.iter().find(|m| m.start >= hit.unit_range.start) {
            self.cursor = Some((doc, unit, first.start - hit.unit_range.start));
        }
        self.set_focus(Focus::Document);
    }

    /// `n` / `N`: the next or previous hit, from anywhere.
    fn step_hit(&mut self, step: isize) {
        match &self.search {
            Some(search) if !search.hits.is_empty() => {
                let count = search.hits.len() as isize;
                let next = (search.selected as isize + step).rem_euclid(count) as usize;
                if let Some(search) = &mut self.search {
                    search.selected = next;
                }
                let focus = self.focus;
                self.jump_to_hit();
                self.focus = focus;
                let total = self.search.as_ref().map_or(0, |s| s.hits.len());
                self.info(format!("hit {}/{total}", next + 1));
            }
            _ => self.info("no search hits: press / to search"),
        }
    }

    /// The match ranges of the search hits in the current document, for highlighting.
    pub fn search_matches(&self) -> Vec<CodePointRange> {
        let (Some(search), Some(document)) = (&self.search, self.document()) else {
            return Vec::new();
        };
        search
            .hits
            .iter()
            .filter(|h| h.document == document.id)
            .flat_map(|h| h.matches.iter().copied())
            .collect()
    }

    /// Adds `indicator` to the unit of every marked hit (every hit when none is marked), as one
    /// undoable change.
    /// The hits code-all would code: marked ones, or all.
    fn hit_targets(&self) -> Vec<&Hit> {
        let Some(search) = &self.search else {
            return Vec::new();
        };
        if search.marked.is_empty() {
            search.hits.iter().collect()
        } else {
            search
                .marked
                .iter()
                .filter_map(|&i| search.hits.get(i))
                .collect()
        }
    }

    /// "TH02 on 8 units in 7 documents, 3 of them marked done".
    fn hits_summary(&self, indicator: usize) -> String {
        let targets = self.hit_targets();
        let mut documents: Vec<&DocumentId> = targets.iter().map(|h| &h.document).collect();
        documents.sort();
        documents.dedup();
        let done = documents
            .iter()
            .filter(|d| self.coder.file.status(d) == Status::Done)
            .count();
        let code = &self.project.codebook.indicators[indicator].id;
        let units = targets.len();
        let mut what = format!(
            "{code} on {units} unit{} in {} document{}",
            if units == 1 { "" } else { "s" },
            documents.len(),
            if documents.len() == 1 { "" } else { "s" }
        );
        if done > 0 {
            what.push_str(&format!(", {done} of them marked done"));
        }
        what
    }

    fn code_hits(&mut self, indicator: usize) {
        let targets: Vec<(DocumentId, UnitId)> = self
            .hit_targets()
            .into_iter()
            .map(|hit| (hit.document.clone(), hit.unit.clone()))
            .collect();
        let project = Arc::clone(&self.project);
        let code = &project.codebook.indicators[indicator].id;
        let now = crate::annotations::now();
        let coded = self.edit(Some(format!("every hit already has {code}")), |file| {
            let (mut change, added) = coding::code_many(
                file,
                &project.codebook,
                &project.corpus,
                &targets,
                code,
                now,
            )?;
            change.label = format!("added {code} to {added} units from the search");
            Ok(change)
        });
        if !coded {
            return;
        }
        coding::note_recent(&mut self.recent, code);
        if let Some(search) = &mut self.search {
            search.marked.clear();
        }
    }

    /// Applies what the search worker sent; returns true when something changed on screen.
    pub fn poll_search(&mut self) -> bool {
        let Some(worker) = &self.search_worker else {
            return false;
        };
        let replies: Vec<Reply> = worker.replies.try_iter().collect();
        let changed = !replies.is_empty();
        for reply in replies {
            // The index is open whether or not the pane still is.
            if let Reply::Ready(Ok(_)) = &reply {
                self.search_ready = true;
            }
            let Some(search) = &mut self.search else {
                continue;
            };
            match reply {
                Reply::Progress(p) => {
                    search.status = SearchStatus::Opening {
                        done: p.done,
                        total: p.total,
                    }
                }
                Reply::Ready(Ok(note)) => {
                    search.status = SearchStatus::Ready;
                    if let Some(note) = note {
                        self.info(note);
                    }
                    // A query typed while the index was opening.
                    self.send_query();
                }
                Reply::Ready(Err(err)) => {
                    search.status = SearchStatus::Failed(err.clone());
                    self.search_worker = None;
                    self.error(format!("search unavailable: {err}"));
                    return true;
                }
                Reply::Results { generation, result } if generation == search.generation => {
                    search.answered = generation;
                    match result {
                        Ok(results) => {
                            search.hits = results.hits;
                            search.total = results.total;
                            search.selected =
                                search.selected.min(search.hits.len().saturating_sub(1));
                            search.error = None;
                        }
                        Err(err) => search.error = Some(err),
                    }
                }
                // An answer to a query the coder has typed past.
                Reply::Results { .. } => {}
            }
        }
        changed
    }

    /// Called after a save: the index learns the coder's new annotations.
    pub fn on_saved(&mut self) {
        if let Some(worker) = &self.search_worker {
            worker.send(Request::Saved(Box::new(self.coder.clone())));
        }
    }

    /// Waits (up to `timeout`) until the search worker has answered the current query; for
    /// tests and scripted use.
    pub fn wait_for_search(&mut self, timeout: std::time::Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            self.poll_search();
            if let Some(search) = &self.search {
                let answered = matches!(search.status, SearchStatus::Failed(_))
                    || (search.status == SearchStatus::Ready
                        && search.answered == search.generation);
                if answered {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    // ----- review -----

    fn start_review(&mut self, names: &[String]) {
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

    fn review_action(&mut self, action: Action) {
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
    fn show_review_unit(&mut self) {
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
        let target = super::saver::Target {
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
            let target = super::saver::Target {
                path: review.consensus.path.clone(),
                expected: None,
            };
            if let Err(err) =
                super::saver::save_now(&mut review.save, &review.consensus.file, &project, &target)
            {
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

    // ----- reports -----

    fn open_reports(&mut self) {
        use crate::report::{Options, frequencies, progress};
        // Every coder's file as on disk, but this coder's as it is now.
        let mut coders = match self.project.load_coders(None) {
            Ok(coders) => coders,
            Err(err) => {
                self.error(format!("cannot read the coder files: {err}"));
                return;
            }
        };
        coders.retain(|c| c.name != self.coder.name);
        let mut options = Options::new(&self.project.codebook);
        options.lang = self.language.clone();
        let frequencies =
            frequencies::build(&self.project, std::slice::from_ref(&self.coder), &options);
        coders.insert(0, self.coder.clone());
        let progress = progress::build(&self.project, &coders);
        self.mode = Mode::Reports(Box::new(ReportView {
            frequencies,
            progress,
            tab: 0,
            scroll: 0,
        }));
    }

    // ----- the event loop -----

    /// Handles one event; true when the screen should be drawn again. The terminal's loop
    /// and headless tests both come through here.
    pub fn step(&mut self, event: super::event::Event) -> bool {
        use super::event::Event;
        use ratatui::crossterm::event::Event as Terminal;
        let redraw = match event {
            Event::Terminal(Terminal::Key(key)) => {
                self.handle_key(key);
                true
            }
            Event::Terminal(Terminal::Mouse(mouse)) => {
                self.handle_mouse(mouse);
                true
            }
            Event::Terminal(Terminal::Paste(text)) => {
                self.paste(&text);
                true
            }
            Event::Terminal(Terminal::Resize(..)) => {
                self.ensure_visible();
                true
            }
            Event::Terminal(_) | Event::Loaded => false,
            Event::Search => self.poll_search(),
            Event::Saved => false,
            Event::Tick => {
                self.tick();
                self.watch_files();
                // "saved 3 s ago" moves on.
                true
            }
        };
        // Saves start (and finished ones are taken) after every event: steady typing never
        // lets the autosave delay pass, and must be saved within its longest wait.
        let saved = self.poll_saver();
        redraw | saved | self.poll_review()
    }

    /// How long the loop may sleep when nothing happens: until an autosave is due, and at
    /// most a second (the look at the files on disk, the status bar's clock).
    pub fn next_deadline(&self) -> Duration {
        let mut wait = Duration::from_secs(1);
        if self.save.is_dirty() {
            let due = self.save.last_change.map_or(Duration::ZERO, |at| {
                (at + super::AUTOSAVE_DELAY).saturating_duration_since(Instant::now())
            });
            wait = wait.min(due.max(Duration::from_millis(20)));
        }
        if self.mode.review().is_some_and(|r| r.review.save.is_dirty()) {
            wait = wait.min(Duration::from_millis(100));
        }
        wait
    }

    /// After `q`: whether the workspace may end now. Everything is saved first; a coder
    /// file that cannot be written or read is said once, and a second `q` leaves anyway
    /// (with the error, when the work could not be saved anywhere).
    pub fn finish_quit(&mut self) -> Result<bool, crate::Error> {
        if !self.close_review() && !self.quit_warned {
            self.quit = false;
            self.quit_warned = true;
            return Ok(false);
        }
        if !self.save.is_dirty() && self.disk.unreadable.is_none() {
            return Ok(true);
        }
        match self.save_now() {
            // Saved beside a coder file that cannot be read: say so once before leaving.
            Ok(()) if self.disk.unreadable.is_some() && !self.quit_warned => {
                self.quit = false;
                self.quit_warned = true;
                let name = |p: &std::path::Path| {
                    p.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned()
                };
                self.error(format!(
                    "press q again to quit: your work is only in {} ({} cannot be read; \
                     fix it and the work is merged into it)",
                    name(&super::disk::kept_beside(&self.coder.path)),
                    name(&self.coder.path)
                ));
                Ok(false)
            }
            Ok(()) => Ok(true),
            Err(err) if self.quit_warned => {
                Err(crate::Error::Usage(format!("quit without saving: {err}")))
            }
            Err(err) => {
                self.quit = false;
                self.quit_warned = true;
                self.error(format!(
                    // What to do first: the error names a path and may not fit the line.
                    "press q again to quit WITHOUT saving, or fix this and the next save \
                     will go through: {err}"
                ));
                Ok(false)
            }
        }
    }

    // ----- time -----

    /// Drops a stale message; called between frames.
    pub fn tick(&mut self) {
        if let Some(message) = &self.message
            && !message.is_error
            && message.at.elapsed() > Duration::from_secs(6)
        {
            self.message = None;
        }
    }
}
