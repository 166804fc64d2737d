//! The workspace's modes. A mode owns its state inside its [`Mode`] value, so a mode and its
//! state cannot disagree; each answers the actions of its [`ModeKind`] (see the action table),
//! and its legend comes from the same table.
//!
//! Overlays (a prompt, the help) keep the mode they were opened over, and return to it when
//! they close; `Esc` in a mode returns to the document pane with nothing left open.

pub mod help;
pub mod orphans;
pub mod prompt;
pub mod reports;
pub mod review;
pub mod search;
pub mod suggest;
pub mod visual;

use super::action::ModeKind;
use super::app::{Prompt, PromptKind};
use super::split::SplitSession;

pub use help::HelpMode;
pub use orphans::OrphansMode;
pub use reports::ReportView;
pub use review::ReviewMode;
pub use visual::VisualMode;

pub enum Mode {
    /// The document, codebook and details panes.
    Normal,
    /// Selecting a span of the current unit.
    Visual(VisualMode),
    /// The search pane focused: typing the query (`editing`) or in its results. The results
    /// themselves stay on screen after leaving (`App::search`), for `n`/`N`.
    Search { editing: bool },
    /// A prompt, over the mode it was opened in.
    Prompt(Box<PromptMode>),
    /// The help, over the mode it was opened in.
    Help(Box<HelpMode>),
    /// Stepping through disagreements between coders.
    Review(Box<ReviewMode>),
    /// Bar charts of indicator frequencies and coding progress.
    Reports(Box<ReportView>),
    /// Assigning the segments of an indicator being split.
    Split(Box<SplitSession>),
    /// Re-attaching annotations that could not be placed after a document edit.
    Orphans(Box<OrphansMode>),
}

/// A prompt and the mode under it.
pub struct PromptMode {
    pub prompt: Prompt,
    pub under: Mode,
}

impl Mode {
    /// Which keys apply.
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Normal => ModeKind::Normal,
            Mode::Visual(_) => ModeKind::Visual,
            Mode::Search { editing: true } => ModeKind::Query,
            Mode::Search { editing: false } => ModeKind::Search,
            Mode::Prompt(p) => match p.prompt.kind {
                PromptKind::Memo { .. } => ModeKind::Memo,
                PromptKind::ConfirmCodeHits { .. }
                | PromptKind::RetireIndicator { .. }
                | PromptKind::ConfirmDone { .. }
                | PromptKind::ConfirmDeleteOrphan { .. } => ModeKind::Confirm,
                _ => ModeKind::Prompt,
            },
            Mode::Help(_) => ModeKind::Help,
            Mode::Review(_) => ModeKind::Review,
            Mode::Reports(_) => ModeKind::Reports,
            Mode::Split(_) => ModeKind::Split,
            Mode::Orphans(_) => ModeKind::Orphans,
        }
    }

    /// The mode under any prompt or help: what the screen shows behind them.
    pub fn base(&self) -> &Mode {
        match self {
            Mode::Prompt(p) => p.under.base(),
            Mode::Help(h) => h.under.base(),
            other => other,
        }
    }

    pub fn base_mut(&mut self) -> &mut Mode {
        match self {
            Mode::Prompt(p) => p.under.base_mut(),
            Mode::Help(h) => h.under.base_mut(),
            other => other,
        }
    }

    pub fn is_normal(&self) -> bool {
        matches!(self, Mode::Normal)
    }

    /// The prompt shown, if any.
    pub fn prompt(&self) -> Option<&Prompt> {
        match self {
            Mode::Prompt(p) => Some(&p.prompt),
            Mode::Help(h) => h.under.prompt(),
            _ => None,
        }
    }

    pub fn visual(&self) -> Option<&VisualMode> {
        match self.base() {
            Mode::Visual(v) => Some(v),
            _ => None,
        }
    }

    pub fn review(&self) -> Option<&ReviewMode> {
        match self.base() {
            Mode::Review(r) => Some(r),
            _ => None,
        }
    }

    pub fn review_mut(&mut self) -> Option<&mut ReviewMode> {
        match self.base_mut() {
            Mode::Review(r) => Some(r),
            _ => None,
        }
    }

    pub fn reports(&self) -> Option<&ReportView> {
        match self.base() {
            Mode::Reports(r) => Some(r),
            _ => None,
        }
    }

    pub fn split(&self) -> Option<&SplitSession> {
        match self.base() {
            Mode::Split(s) => Some(s),
            _ => None,
        }
    }

    pub fn orphans(&self) -> Option<&OrphansMode> {
        match self.base() {
            Mode::Orphans(o) => Some(o),
            _ => None,
        }
    }

    pub fn orphans_mut(&mut self) -> Option<&mut OrphansMode> {
        match self.base_mut() {
            Mode::Orphans(o) => Some(o),
            _ => None,
        }
    }

    pub fn help(&self) -> Option<&HelpMode> {
        match self {
            Mode::Help(h) => Some(h),
            _ => None,
        }
    }
}
