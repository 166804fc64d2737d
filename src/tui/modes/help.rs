//! The help: every action of the mode it was opened in, then of every other mode, generated
//! from the action table and the user's keys, so it never lies.

use super::super::action::{Action, ModeKind};
use super::super::keymap::Keymap;
use super::Mode;

pub struct HelpMode {
    /// The first line shown (rendering clamps it to the last screenful).
    pub scroll: usize,
    /// The mode the help was opened over; it returns there.
    pub under: Mode,
}

impl HelpMode {
    pub fn new(under: Mode) -> Self {
        Self { scroll: 0, under }
    }

    /// Scrolls for a movement action; false for any other.
    pub fn motion(&mut self, action: Action, page: usize) -> bool {
        match action {
            Action::Down => self.scroll += 1,
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll += page,
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = usize::MAX / 2,
            _ => return false,
        }
        true
    }
}

/// One part of the help: a mode's title and its actions with their keys.
pub struct Section {
    pub mode: ModeKind,
    pub entries: Vec<(String, &'static str)>,
}

/// The help's sections: the mode it was opened in first, then every other mode.
pub fn sections(keymap: &Keymap, first: ModeKind) -> Vec<Section> {
    let mut modes = vec![first];
    modes.extend(
        ModeKind::ALL
            .into_iter()
            .filter(|m| *m != first && *m != ModeKind::Help),
    );
    modes
        .into_iter()
        .map(|mode| Section {
            mode,
            entries: keymap
                .mode_actions(mode)
                .into_iter()
                .map(|(action, keys)| (keys.join(" "), action.description()))
                .collect(),
        })
        .collect()
}

/// What the panes' numbers and marks mean, after the keys.
pub const NOTES: &[&str] = &[
    "Codebook pane: n/m beside an indicator is how often you used it in this document / in the \
     whole corpus.",
    "Document pane: the codes of each unit stand at its left; ▌ marks the current unit.",
    "Typing in a prompt or the search query: keys not listed there are typed.",
    "Keys are rebound in config.yaml under `keys:`, by the action names `normcode keys` lists.",
];
