//! The one app state: keys become [`Action`]s of the current mode (see `action.rs`), or text
//! typed into a prompt; `act` sends each to its mode (the modes' actions live beside their
//! state in `modes/`), `Esc` and the help are handled here for all; `step` takes every event
//! of the loop. Rendering (`ui`, `panes/`) only reads the state.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use crate::annotations::coding::{self};
use crate::annotations::{Annotation, DocumentCoding, Status};
use crate::corpus::{CodePointRange, Document, DocumentId, IndicatorId, Unit};
use crate::project::{LoadedCoder, Project};

use super::action::ModeKind;
use super::fuzzy;
use super::keymap::{Action, Keymap};
use super::modes::HelpMode;
pub use super::modes::prompt::{Prompt, PromptKind};
pub use super::modes::search::{SearchState, SearchStatus};
pub use super::modes::{Mode, ReportView};
use super::saver::Saver;
use super::search::Worker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Document,
    Codebook,
    Details,
    Search,
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
pub(crate) struct Change {
    /// A codebook change: the project's files as they were before it (undo writes them back).
    pub(crate) codebook: Option<crate::project::revise::ProjectFiles>,
    /// Where the change was made, to show it again on undo.
    pub(crate) document: DocumentId,
    pub(crate) unit: usize,
    /// What it did to the coder file (nothing for a codebook change), and its label.
    pub(crate) coding: coding::Change,
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
    pub(crate) undo: Vec<Change>,
    pub(crate) redo: Vec<Change>,
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
    pub(crate) unit_codes: Vec<Vec<IndicatorId>>,
    pub search: Option<SearchState>,
    pub(crate) search_worker: Option<Worker>,
    /// Where the search index goes; `None` for the cache folder.
    pub search_index_dir: Option<PathBuf>,
    /// Whether the search worker has its index open, and the last query generation sent to
    /// it: a search pane opened again starts from them, so it neither waits for an index that
    /// is already open nor takes an old answer for a new query.
    pub(crate) search_ready: bool,
    pub(crate) search_generation: u64,
    /// The last place in a unit (document, unit, code point from the unit's start): where a
    /// selection ended or a search hit matched. `v` starts there.
    pub cursor: Option<(usize, usize, usize)>,
    /// Documents marked done whose coding the coder confirmed changing in this session.
    pub(crate) confirmed_done: Vec<DocumentId>,
    /// The autosave worker of the coder's file (none in headless tests: saves are direct).
    pub saver: Option<Saver>,
    /// Held while the workspace runs; codebook changes write coder files under it.
    pub lock: Option<crate::annotations::CoderLock>,
    /// Where workers tell the event loop they have something (none headless: polled).
    pub waker: super::event::Waker,
    /// Set once `q` was refused with a warning: the next `q` quits regardless.
    pub(crate) quit_warned: bool,
    /// Set while this is the preview shown as the project loads (see [`super::startup`]).
    pub loading: Option<super::startup::Loading>,
    /// The project's files on disk as last read or written (see [`super::disk`]).
    pub disk: super::disk::DiskWatch,
    /// The recommender's suggestions (see [`super::modes::suggest`]); `None` until
    /// [`App::start_suggestions`] (the workspace calls it; headless tests may).
    pub suggest: Option<super::modes::suggest::SuggestState>,
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
            suggest: None,
        };
        app.rebuild_rows();
        app.recount();
        let orphans = app.coder.anchors.orphaned.len();
        if orphans > 0 {
            let text = format!(
                "{orphans} annotations could not be placed: {}",
                app.reattach_hint()
            );
            app.error(text);
        }
        app
    }

    // ----- reading the state -----

    /// How to re-attach annotations that could not be placed: the key of the view, or the
    /// command that lists them when the key was unbound.
    pub(crate) fn reattach_hint(&self) -> String {
        match self
            .keymap
            .keys_in(ModeKind::Normal, Action::Orphans)
            .first()
        {
            Some(key) => format!("press {key} to re-attach them"),
            None => "see `normcode check`".to_string(),
        }
    }

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
            ModeKind::Orphans => self.orphans_action(action),
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
            Mode::Orphans(_) => self.focus = Focus::Document,
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

    pub(crate) fn toggle_help(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Help(help) => self.mode = help.under,
            other => self.mode = Mode::Help(Box::new(HelpMode::new(other))),
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
            Action::Orphans => self.open_orphans(),
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
            action if action.suggestion().is_some() => {
                self.accept_suggestion(action.suggestion().unwrap_or(1));
            }
            Action::RejectSuggestion => self.reject_suggestion(1),
            Action::LeastSure => self.least_sure(),
            // The actions of other modes.
            _ => {}
        }
    }

    // ----- coding -----

    // ----- prompts -----

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

    // ----- search -----

    /// Closes the search pane and its worker; the next search starts afresh.
    pub(crate) fn close_search_worker(&mut self) {
        self.leave_search();
        self.search_worker = None;
        self.search_ready = false;
    }

    // ----- review -----

    // ----- reports -----

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
            Event::Terminal(_) | Event::Loaded | Event::Trained => false,
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
        let suggested = self.poll_suggestions();
        redraw | saved | self.poll_review() | suggested
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
