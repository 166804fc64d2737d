//! Keys to actions, per mode. The defaults come from the action table ([`super::action`]),
//! the user's changes from the config file; the reverse map (action → keys) feeds the help
//! and the legends, so they never lie. Config files and test scripts write keys the same way
//! ([`Key::parse`], [`Key::parse_script`]).

use std::collections::{BTreeMap, HashMap};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::action::{ACTIONS, Action, ActionDef, ModeKind};

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

    /// Reads a key as the config file and the docs write it: `j`, `G`, `Enter`, `C-r`,
    /// `A-Enter`, `S-Tab`, `Space`, `F1`. Names of special keys ignore case (`enter`, `c-r`).
    pub fn parse(text: &str) -> Option<Self> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.get(..2).map(str::to_ascii_lowercase);
            match lower.as_deref() {
                Some("c-") if rest.len() > 2 => ctrl = true,
                Some("a-") if rest.len() > 2 => alt = true,
                _ => break,
            }
            rest = &rest[2..];
        }
        if rest.chars().count() == 1 {
            let c = rest.chars().next()?;
            return Some(Self {
                code: KeyCode::Char(c),
                ctrl,
                alt,
            });
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "cr" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "s-tab" | "backtab" => KeyCode::BackTab,
            "backspace" | "bs" => KeyCode::Backspace,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "lt" => KeyCode::Char('<'),
            "gt" => KeyCode::Char('>'),
            s => {
                let n: u8 = s.strip_prefix('f')?.parse().ok()?;
                KeyCode::F(n)
            }
        };
        Some(Self { code, ctrl, alt })
    }

    /// A key script, as tests and the docs write key presses: characters stand for
    /// themselves, a key with a name or modifiers goes in angle brackets as in the config
    /// file: `jj<Enter>a<C-r><Esc>`. `<lt>` is `<`.
    pub fn parse_script(script: &str) -> Result<Vec<Key>, String> {
        let mut keys = Vec::new();
        let mut rest = script;
        while let Some(c) = rest.chars().next() {
            if c == '<'
                && let Some(end) = rest[1..].find('>').map(|e| e + 1)
                && end > 1
            {
                let name = &rest[1..end];
                keys.push(Key::parse(name).ok_or_else(|| format!("unknown key <{name}>"))?);
                rest = &rest[end + 1..];
            } else {
                keys.push(Key {
                    code: KeyCode::Char(c),
                    ctrl: false,
                    alt: false,
                });
                rest = &rest[c.len_utf8()..];
            }
        }
        Ok(keys)
    }

    /// The terminal event this key arrives as.
    pub fn to_event(self) -> KeyEvent {
        let mut modifiers = KeyModifiers::NONE;
        if self.ctrl {
            modifiers |= KeyModifiers::CONTROL;
        }
        if self.alt {
            modifiers |= KeyModifiers::ALT;
        }
        match self.code {
            KeyCode::BackTab => modifiers |= KeyModifiers::SHIFT,
            KeyCode::Char(c) if c.is_uppercase() => modifiers |= KeyModifiers::SHIFT,
            _ => {}
        }
        KeyEvent::new(self.code, modifiers)
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

#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<(ModeKind, Key), Action>,
    /// Per action, its keys in the order given (defaults or config), for the help.
    bound: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::with_overrides(&BTreeMap::new()).0
    }
}

impl Keymap {
    /// The defaults with the user's bindings: an action named in `overrides` gets exactly the
    /// keys given there, in every mode it belongs to; every other action keeps its defaults,
    /// except for keys the user's bindings took in a mode they share. Returns messages for
    /// names and keys that could not be read.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let mut bound: BTreeMap<Action, Vec<Key>> = ACTIONS
            .iter()
            .map(|def| {
                let keys = def.keys.iter().filter_map(|k| Key::parse(k)).collect();
                (def.action, keys)
            })
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
            // A key taken by the user's binding is released from whatever had it by default
            // in a mode the two share.
            let modes = action.def().modes;
            for (other, keys) in bound.iter_mut() {
                if other.def().modes.iter().any(|m| modes.contains(m)) {
                    keys.retain(|k| !parsed.contains(k));
                }
            }
            bound.insert(action, parsed);
        }
        let mut keys = HashMap::new();
        for (action, list) in &bound {
            for mode in action.def().modes {
                // In a mode that takes text, printable keys are typed.
                let typed = |key: &&Key| {
                    mode.takes_text()
                        && !key.ctrl
                        && !key.alt
                        && matches!(key.code, KeyCode::Char(_))
                };
                for key in list.iter().filter(|k| !typed(k)) {
                    if let Some(previous) = keys.insert((*mode, *key), *action)
                        && previous != *action
                    {
                        problems.push(format!(
                            "{} is bound to both '{}' and '{}' in {}; '{}' wins",
                            key.label(),
                            previous.name(),
                            action.name(),
                            mode.title(),
                            action.name()
                        ));
                    }
                }
            }
        }
        (Self { keys, bound }, problems)
    }

    /// What `event` does in `mode`.
    pub fn action(&self, mode: ModeKind, event: &KeyEvent) -> Option<Action> {
        self.action_for(mode, &Key::from_event(event))
    }

    pub fn action_for(&self, mode: ModeKind, key: &Key) -> Option<Action> {
        self.keys.get(&(mode, *key)).copied()
    }

    /// The keys bound to `action`, as the config file writes them.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.bound
            .get(&action)
            .map(|keys| keys.iter().map(Key::label).collect())
            .unwrap_or_default()
    }

    /// The keys that do `action` in `mode`.
    pub fn keys_in(&self, mode: ModeKind, action: Action) -> Vec<String> {
        self.bound
            .get(&action)
            .into_iter()
            .flatten()
            .filter(|k| self.keys.get(&(mode, **k)) == Some(&action))
            .map(Key::label)
            .collect()
    }

    /// The actions of `mode` in table order, with their keys.
    pub fn mode_actions(&self, mode: ModeKind) -> Vec<(Action, Vec<String>)> {
        ACTIONS
            .iter()
            .filter(|def| def.modes.contains(&mode))
            .map(|def| (def.action, self.keys_in(mode, def.action)))
            .filter(|(_, keys)| !keys.is_empty())
            .collect()
    }

    /// The legend of `mode`: its actions with a short label, as "key label"; the digits of
    /// a numbered family as one range ("1-9 take coder").
    ///
    /// The way out comes first, outside normal mode (where it has nothing to leave).
    pub fn legend(&self, mode: ModeKind) -> Vec<String> {
        let cancel = Action::Cancel.def();
        let first = (mode != ModeKind::Normal).then_some(cancel);
        // Then the mode's own actions, then those it shares with normal mode.
        let own = |def: &&ActionDef| !def.modes.contains(&ModeKind::Normal);
        let rest = ACTIONS.iter().filter(|def| def.action != Action::Cancel);
        first
            .into_iter()
            .chain(rest.clone().filter(own))
            .chain(rest.filter(|def| !own(def)))
            .filter(|def| def.modes.contains(&mode) && !def.short.is_empty())
            .filter_map(|def| {
                let mut key = self.keys_in(mode, def.action).into_iter().next()?;
                if def.action == Action::Take1
                    && let Some(last) = self.keys_in(mode, Action::Take9).into_iter().next()
                {
                    key = format!("{key}-{last}");
                }
                Some(format!("{key} {}", def.short))
            })
            .collect()
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
        let (map, problems) = Keymap::with_overrides(&BTreeMap::new());
        assert_eq!(
            problems,
            Vec::<String>::new(),
            "no key is bound twice in a mode"
        );
        let a = |code, m| map.action(ModeKind::Normal, &event(code, m));
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
        // The same key does what its mode says.
        let search = |code| map.action(ModeKind::Search, &event(code, KeyModifiers::NONE));
        assert_eq!(search(KeyCode::Enter), Some(Action::OpenHit));
        assert_eq!(search(KeyCode::Char('a')), Some(Action::CodeHits));
        assert_eq!(search(KeyCode::Char('j')), Some(Action::Down));
        let review = |code| map.action(ModeKind::Review, &event(code, KeyModifiers::NONE));
        assert_eq!(review(KeyCode::Char('1')), Some(Action::Take1));
        assert_eq!(review(KeyCode::Esc), Some(Action::Cancel));
        for def in ACTIONS {
            assert!(
                !map.keys_for(def.action).is_empty(),
                "{} has no key",
                def.name
            );
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
        let u = event(KeyCode::Char('u'), KeyModifiers::NONE);
        assert_eq!(map.action(ModeKind::Normal, &u), None);
        assert_eq!(
            map.action(ModeKind::Review, &u),
            None,
            "undo moved in review too"
        );
        assert_eq!(map.keys_for(Action::Down), ["j", "Down"], "untouched");
    }

    #[test]
    fn a_key_taken_by_the_user_leaves_its_default_action_only_where_they_meet() {
        // `t` shows the agreement table in review; bound to next_uncoded (normal mode), the
        // review keeps it.
        let overrides = BTreeMap::from([("next_uncoded".to_string(), vec!["t".to_string()])]);
        let (map, _) = Keymap::with_overrides(&overrides);
        let t = event(KeyCode::Char('t'), KeyModifiers::NONE);
        assert_eq!(map.action(ModeKind::Normal, &t), Some(Action::NextUncoded));
        assert_eq!(
            map.action(ModeKind::Review, &t),
            Some(Action::AgreementTable)
        );
        // `j` taken for next_uncoded: down loses j in normal mode but keeps Down.
        let overrides = BTreeMap::from([("next_uncoded".to_string(), vec!["j".to_string()])]);
        let (map, _) = Keymap::with_overrides(&overrides);
        assert_eq!(map.keys_for(Action::Down), ["Down"]);
    }

    #[test]
    fn scripts_and_config_write_keys_the_same_way() {
        let keys = Key::parse_script("jA<Enter><C-r><S-Tab><esc><space>x").unwrap();
        let labels: Vec<String> = keys.iter().map(Key::label).collect();
        assert_eq!(
            labels,
            ["j", "A", "Enter", "C-r", "S-Tab", "Esc", "Space", "x"]
        );
        for label in labels {
            assert_eq!(Key::parse(&label).unwrap().label(), label);
        }
        assert!(Key::parse_script("<Nonsense>").is_err());
    }
}
