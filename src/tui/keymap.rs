//! Keys to actions. The defaults, the user's changes from the config file, and the reverse map
//! that the help overlay is generated from, so the help never lies.

use std::collections::{BTreeMap, HashMap};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key in the normal (not text-entry) mode does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextUncoded,
    PrevUncoded,
    NextCoded,
    PrevCoded,
    NextDocument,
    PrevDocument,
    PickDocument,
    Toggle,
    QuickAssign,
    Recent(u8),
    Visual,
    Memo,
    DocumentMemo,
    ToggleDone,
    Undo,
    Redo,
    Search,
    NextHit,
    PrevHit,
    Filter,
    Review,
    Reports,
    NewIndicator,
    RenameIndicator,
    MergeIndicator,
    RetireIndicator,
    EditIndicator,
    SplitIndicator,
}

impl Action {
    /// Every action, in the order the help lists them.
    pub fn all() -> Vec<Action> {
        let mut all = vec![
            Action::Down,
            Action::Up,
            Action::PageDown,
            Action::PageUp,
            Action::Top,
            Action::Bottom,
            Action::NextUncoded,
            Action::PrevUncoded,
            Action::NextCoded,
            Action::PrevCoded,
            Action::NextDocument,
            Action::PrevDocument,
            Action::PickDocument,
            Action::NextPane,
            Action::PrevPane,
            Action::Toggle,
            Action::QuickAssign,
        ];
        all.extend((1..=9).map(Action::Recent));
        all.extend([
            Action::Visual,
            Action::Memo,
            Action::DocumentMemo,
            Action::ToggleDone,
            Action::Undo,
            Action::Redo,
            Action::Filter,
            Action::Search,
            Action::NextHit,
            Action::PrevHit,
            Action::Review,
            Action::Reports,
            Action::NewIndicator,
            Action::RenameIndicator,
            Action::MergeIndicator,
            Action::EditIndicator,
            Action::SplitIndicator,
            Action::RetireIndicator,
            Action::Help,
            Action::Quit,
        ]);
        all
    }

    /// The name used in the config file.
    pub fn name(self) -> String {
        let name = match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextPane => "next_pane",
            Action::PrevPane => "previous_pane",
            Action::Down => "down",
            Action::Up => "up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextUncoded => "next_uncoded",
            Action::PrevUncoded => "previous_uncoded",
            Action::NextCoded => "next_coded",
            Action::PrevCoded => "previous_coded",
            Action::NextDocument => "next_document",
            Action::PrevDocument => "previous_document",
            Action::PickDocument => "pick_document",
            Action::Toggle => "toggle",
            Action::QuickAssign => "quick_assign",
            Action::Recent(n) => return format!("recent_{n}"),
            Action::Visual => "select_span",
            Action::Memo => "memo",
            Action::DocumentMemo => "document_memo",
            Action::ToggleDone => "toggle_done",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::Search => "search",
            Action::NextHit => "next_hit",
            Action::PrevHit => "previous_hit",
            Action::Filter => "filter_codebook",
            Action::Review => "review",
            Action::Reports => "reports",
            Action::NewIndicator => "new_indicator",
            Action::RenameIndicator => "rename_indicator",
            Action::MergeIndicator => "merge_indicator",
            Action::RetireIndicator => "retire_indicator",
            Action::EditIndicator => "edit_indicator",
            Action::SplitIndicator => "split_indicator",
        };
        name.to_string()
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::all().into_iter().find(|a| a.name() == name)
    }

    pub fn description(self) -> String {
        let text = match self {
            Action::Quit => "save and quit",
            Action::Help => "show or hide this help",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Down => "next unit / indicator",
            Action::Up => "previous unit / indicator",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "first unit",
            Action::Bottom => "last unit",
            Action::NextUncoded => "next uncoded unit",
            Action::PrevUncoded => "previous uncoded unit",
            Action::NextCoded => "next coded unit",
            Action::PrevCoded => "previous coded unit",
            Action::NextDocument => "next document",
            Action::PrevDocument => "previous document",
            Action::PickDocument => "open a document (fuzzy picker)",
            Action::Toggle => "toggle the highlighted indicator on the unit (or selected span)",
            Action::QuickAssign => "quick-assign: type an id or part of a label",
            Action::Recent(n) => return format!("toggle recently used indicator #{n}"),
            Action::Visual => "select a span (h/l char, w/b word, 0/$ ends, Enter codes it)",
            Action::Memo => "memo on the unit's annotation",
            Action::DocumentMemo => "memo on the document",
            Action::ToggleDone => "mark the document done / in progress",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::Search => "search the corpus",
            Action::NextHit => "next search hit",
            Action::PrevHit => "previous search hit",
            Action::Filter => "filter the codebook by id or label",
            Action::Review => "review disagreements between coders and adjudicate",
            Action::Reports => "reports: indicator frequencies and progress as bar charts",
            Action::NewIndicator => "new indicator on the spot, and code the unit with it",
            Action::RenameIndicator => {
                "rename the highlighted indicator (every coder file follows)"
            }
            Action::MergeIndicator => "merge the highlighted indicator into another",
            Action::RetireIndicator => "retire the highlighted indicator",
            Action::EditIndicator => {
                "edit the highlighted indicator: labels, definition, rules, examples, category"
            }
            Action::SplitIndicator => {
                "split the highlighted indicator: assign each coded segment to a new one"
            }
        };
        text.to_string()
    }
}

/// A key with its modifiers, as written in the config file: `j`, `Enter`, `C-r`, `S-Tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Self {
        // Shift is part of the character for printable keys ('G', '?').
        let code = match event.code {
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            code => code,
        };
        Self {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("C-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("A-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "S-Tab" | "BackTab" => KeyCode::BackTab,
            "Backspace" => KeyCode::Backspace,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Space" => KeyCode::Char(' '),
            s if s.chars().count() == 1 => KeyCode::Char(s.chars().next()?),
            s => {
                let n: u8 = s.strip_prefix('F')?.parse().ok()?;
                KeyCode::F(n)
            }
        };
        Some(Self { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Backspace => "Backspace".to_string(),
            KeyCode::Up => "Up".to_string(),
            KeyCode::Down => "Down".to_string(),
            KeyCode::Left => "Left".to_string(),
            KeyCode::Right => "Right".to_string(),
            KeyCode::PageUp => "PageUp".to_string(),
            KeyCode::PageDown => "PageDown".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        format!(
            "{}{}{base}",
            if self.ctrl { "C-" } else { "" },
            if self.alt { "A-" } else { "" }
        )
    }
}

fn defaults() -> Vec<(Action, &'static [&'static str])> {
    vec![
        (Action::Quit, &["q"]),
        (Action::Help, &["?", "F1"]),
        (Action::NextPane, &["Tab"]),
        (Action::PrevPane, &["S-Tab"]),
        (Action::Down, &["j", "Down"]),
        (Action::Up, &["k", "Up"]),
        (Action::PageDown, &["PageDown", "C-d"]),
        (Action::PageUp, &["PageUp", "C-u"]),
        (Action::Top, &["g", "Home"]),
        (Action::Bottom, &["G", "End"]),
        (Action::NextUncoded, &[">"]),
        (Action::PrevUncoded, &["<"]),
        (Action::NextCoded, &["}"]),
        (Action::PrevCoded, &["{"]),
        (Action::NextDocument, &["]"]),
        (Action::PrevDocument, &["["]),
        (Action::PickDocument, &["o", "C-p"]),
        (Action::Toggle, &["Enter"]),
        (Action::QuickAssign, &["a"]),
        (Action::Recent(1), &["1"]),
        (Action::Recent(2), &["2"]),
        (Action::Recent(3), &["3"]),
        (Action::Recent(4), &["4"]),
        (Action::Recent(5), &["5"]),
        (Action::Recent(6), &["6"]),
        (Action::Recent(7), &["7"]),
        (Action::Recent(8), &["8"]),
        (Action::Recent(9), &["9"]),
        (Action::Visual, &["v"]),
        (Action::Memo, &["m"]),
        (Action::DocumentMemo, &["M"]),
        (Action::ToggleDone, &["D"]),
        (Action::Undo, &["u"]),
        (Action::Redo, &["C-r"]),
        (Action::Search, &["/"]),
        (Action::NextHit, &["n"]),
        (Action::PrevHit, &["N"]),
        (Action::Filter, &["f"]),
        (Action::Review, &["R"]),
        (Action::Reports, &["r"]),
        (Action::NewIndicator, &["+"]),
        (Action::RenameIndicator, &["e"]),
        (Action::MergeIndicator, &["&"]),
        (Action::RetireIndicator, &["X"]),
        (Action::EditIndicator, &["E"]),
        (Action::SplitIndicator, &["S"]),
    ]
}

#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<Key, Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::with_overrides(&BTreeMap::new()).0
    }
}

impl Keymap {
    /// The defaults with the user's bindings: an action named in `overrides` gets exactly the
    /// keys given there; every other action keeps its defaults. Returns messages for names and
    /// keys that could not be read.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let mut bindings: BTreeMap<Action, Vec<Key>> = defaults()
            .into_iter()
            .map(|(action, keys)| (action, keys.iter().filter_map(|k| Key::parse(k)).collect()))
            .collect();
        for (name, keys) in overrides {
            let Some(action) = Action::from_name(name) else {
                problems.push(format!("unknown action '{name}' in key bindings"));
                continue;
            };
            let mut parsed = Vec::new();
            for key in keys {
                match Key::parse(key) {
                    Some(k) => parsed.push(k),
                    None => problems.push(format!("cannot read key '{key}' for '{name}'")),
                }
            }
            // A key taken by the user's binding is released from whatever had it by default.
            for other in bindings.values_mut() {
                other.retain(|k| !parsed.contains(k));
            }
            bindings.insert(action, parsed);
        }
        let keys = bindings
            .into_iter()
            .flat_map(|(action, keys)| keys.into_iter().map(move |k| (k, action)))
            .collect();
        (Self { keys }, problems)
    }

    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.keys.get(&Key::from_event(event)).copied()
    }

    /// The keys bound to `action`, sorted, for the help overlay.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        let mut keys: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| k.label())
            .collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_cover_the_documented_keys() {
        let map = Keymap::default();
        let a = |code, m| map.action(&event(code, m));
        assert_eq!(
            a(KeyCode::Char('j'), KeyModifiers::NONE),
            Some(Action::Down)
        );
        assert_eq!(
            a(KeyCode::Char('r'), KeyModifiers::CONTROL),
            Some(Action::Redo)
        );
        assert_eq!(
            a(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Action::Bottom)
        );
        assert_eq!(a(KeyCode::Tab, KeyModifiers::SHIFT), Some(Action::PrevPane));
        assert_eq!(
            a(KeyCode::BackTab, KeyModifiers::SHIFT),
            Some(Action::PrevPane)
        );
        assert_eq!(a(KeyCode::Enter, KeyModifiers::NONE), Some(Action::Toggle));
        for action in Action::all() {
            assert!(!map.keys_for(action).is_empty(), "{action:?} has no key");
        }
    }

    #[test]
    fn user_bindings_patch_only_what_they_name() {
        let overrides = BTreeMap::from([
            ("next_uncoded".to_string(), vec!["x".to_string()]),
            ("undo".to_string(), vec!["C-z".to_string()]),
            ("nonsense".to_string(), vec!["y".to_string()]),
        ]);
        let (map, problems) = Keymap::with_overrides(&overrides);
        assert_eq!(problems, ["unknown action 'nonsense' in key bindings"]);
        assert_eq!(map.keys_for(Action::NextUncoded), ["x"]);
        assert_eq!(map.keys_for(Action::Undo), ["C-z"]);
        assert_eq!(
            map.action(&event(KeyCode::Char('u'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(map.keys_for(Action::Down), ["Down", "j"], "untouched");
    }
}
