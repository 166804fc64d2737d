//! Selecting a span of the current unit. Both ends are kept as code points from the unit's
//! start and as byte offsets, so every motion costs what it moves over, not the unit's length:
//! a 100 MB paragraph moves as fast as a sentence.

use std::sync::Arc;

use crate::annotations::Status;

use crate::tui::modes::Mode;

use crate::tui::app::{App, Prompt, PromptKind};

use crate::tui::text::char_width;

use super::super::action::Action;

/// A place in the unit's text: code points from its start, and the byte offset of that char.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pos {
    point: usize,
    byte: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualMode {
    anchor: Pos,
    cursor: Pos,
    /// The unit's last character.
    last: Pos,
}

impl VisualMode {
    /// Starts a selection of one character at code point `at` of `text` (clamped to its
    /// last character). `None` for an empty unit.
    pub fn start(text: &str, at: usize) -> Option<Self> {
        let (last_byte, _) = text.char_indices().next_back()?;
        let last = Pos {
            point: text.chars().count() - 1,
            byte: last_byte,
        };
        let cursor = if at >= last.point {
            last
        } else {
            let byte = text.char_indices().nth(at).map_or(last.byte, |(b, _)| b);
            Pos { point: at, byte }
        };
        Some(Self {
            anchor: cursor,
            cursor,
            last,
        })
    }

    pub fn anchor(&self) -> usize {
        self.anchor.point
    }

    pub fn cursor(&self) -> usize {
        self.cursor.point
    }

    /// The selection, both ends included, as (first, last) code points of the unit.
    pub fn range(&self) -> (usize, usize) {
        let (a, b) = (self.anchor.point, self.cursor.point);
        (a.min(b), a.max(b))
    }

    /// Moves the moving end (or swaps the ends) for a motion action; false for any other
    /// action. `text` must be the unit the selection was started in.
    pub fn motion(&mut self, action: Action, text: &str) -> bool {
        let cursor = self.cursor;
        // The moving end snaps to words as its role wants: the end of a selection to word
        // ends, its start (after `o`) to word starts, so whole words are selected.
        let is_start = cursor.point < self.anchor.point;
        self.cursor = match action {
            Action::CharRight => self.forward(text, cursor),
            Action::CharLeft => self.backward(text, cursor),
            Action::WordForward if is_start => self.next_word_start(text, cursor),
            Action::WordForward => self.word_end(text, cursor),
            Action::WordBack if is_start => self.word_start(text, cursor),
            Action::WordBack => self.previous_word_end(text, cursor),
            Action::UnitStart => Pos { point: 0, byte: 0 },
            Action::UnitEnd => self.last,
            Action::SwapEnds => {
                // Swap ends, as in vim, to move the other one.
                self.cursor = self.anchor;
                self.anchor = cursor;
                return true;
            }
            _ => return false,
        };
        true
    }

    fn at(text: &str, p: Pos) -> char {
        text[p.byte..].chars().next().unwrap_or(' ')
    }

    fn forward(&self, text: &str, p: Pos) -> Pos {
        if p.point >= self.last.point {
            return self.last;
        }
        Pos {
            point: p.point + 1,
            byte: p.byte + Self::at(text, p).len_utf8(),
        }
    }

    fn backward(&self, text: &str, p: Pos) -> Pos {
        match text[..p.byte].chars().next_back() {
            Some(c) if p.point > 0 => Pos {
                point: p.point - 1,
                byte: p.byte - c.len_utf8(),
            },
            _ => Pos { point: 0, byte: 0 },
        }
    }

    fn next_word_start(&self, text: &str, from: Pos) -> Pos {
        let mut i = from;
        while i.point < self.last.point && joined(Self::at(text, i), self.after(text, i)) {
            i = self.forward(text, i);
        }
        i = self.forward(text, i);
        while i.point < self.last.point && Self::at(text, i).is_whitespace() {
            i = self.forward(text, i);
        }
        i
    }

    fn word_end(&self, text: &str, from: Pos) -> Pos {
        let mut i = self.forward(text, from);
        while i.point < self.last.point && Self::at(text, i).is_whitespace() {
            i = self.forward(text, i);
        }
        while i.point < self.last.point && joined(Self::at(text, i), self.after(text, i)) {
            i = self.forward(text, i);
        }
        i
    }

    fn word_start(&self, text: &str, from: Pos) -> Pos {
        let mut i = self.backward(text, from);
        while i.point > 0 && Self::at(text, i).is_whitespace() {
            i = self.backward(text, i);
        }
        while i.point > 0 && joined(self.before(text, i), Self::at(text, i)) {
            i = self.backward(text, i);
        }
        i
    }

    fn previous_word_end(&self, text: &str, from: Pos) -> Pos {
        let mut i = from;
        while i.point > 0 && joined(self.before(text, i), Self::at(text, i)) {
            i = self.backward(text, i);
        }
        i = self.backward(text, i);
        while i.point > 0 && Self::at(text, i).is_whitespace() {
            i = self.backward(text, i);
        }
        i
    }

    fn after(&self, text: &str, p: Pos) -> char {
        Self::at(text, self.forward(text, p))
    }

    fn before(&self, text: &str, p: Pos) -> char {
        Self::at(text, self.backward(text, p))
    }
}

/// Whether two neighbouring characters are in one word: a word is a run of non-space
/// characters; each Chinese (wide) character is a word of its own.
fn joined(a: char, b: char) -> bool {
    let wide = |c: char| char_width(c) == 2;
    !a.is_whitespace() && !b.is_whitespace() && !wide(a) && !wide(b)
}

impl App {
    /// Toggles `indicator` on the unit or the selected span, after a yes when the document
    /// is marked done (asked once per document in a session).
    pub(crate) fn code(&mut self, indicator: usize) {
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
    pub(crate) fn remember_cursor(&mut self, visual: &VisualMode) {
        self.cursor = Some((self.doc, self.unit, visual.cursor()));
    }

    /// `v`: a selection of one character, where the cursor was last in this unit (else at
    /// the unit's start).
    pub(crate) fn start_visual(&mut self) {
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
    pub(crate) fn visual_action(&mut self, action: Action) {
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
}

#[cfg(test)]
mod tests {
    use super::VisualMode;
    use crate::tui::action::Action;

    fn selected(text: &str, at: usize, moves: &[Action]) -> String {
        let mut v = VisualMode::start(text, at).unwrap();
        for m in moves {
            assert!(v.motion(*m, text));
        }
        let (a, b) = v.range();
        text.chars().skip(a).take(b - a + 1).collect()
    }

    #[test]
    fn words_are_selected_whole_from_either_end() {
        use Action::*;
        let text = "States should seek to prevent harm";
        assert_eq!(selected(text, 0, &[WordForward]), "States");
        assert_eq!(
            selected(text, 0, &[WordForward, WordForward]),
            "States should"
        );
        // From the middle: `o` then `w` puts the start on the next word's first letter.
        assert_eq!(
            selected(text, 14, &[WordForward, WordForward, WordForward]),
            "seek to prevent"
        );
        assert_eq!(
            selected(
                text,
                14,
                &[WordForward, WordForward, WordForward, SwapEnds, WordForward]
            ),
            "to prevent"
        );
        assert_eq!(
            selected(text, 25, &[UnitEnd, SwapEnds, WordBack]),
            "prevent harm"
        );
        assert_eq!(selected(text, 3, &[UnitStart]), "Stat");
        assert_eq!(
            selected(text, 100, &[]),
            "m",
            "clamped to the last character"
        );
    }

    #[test]
    fn chinese_characters_are_words_of_their_own() {
        use Action::*;
        let text = "各国应 protect 关键基础设施";
        assert_eq!(selected(text, 0, &[WordForward]), "各国");
        assert_eq!(selected(text, 0, &[CharRight, CharRight, CharLeft]), "各国");
        assert_eq!(selected(text, 4, &[WordForward]), "protect");
        assert_eq!(selected(text, 12, &[UnitEnd]), "关键基础设施");
    }

    #[test]
    fn motions_on_a_huge_unit_cost_what_they_move_over() {
        use Action::*;
        // 20 MB on one line: each motion below would take a visible pause if it walked the
        // whole unit (the test stays fast; the benchmark measures it).
        let text = "word ".repeat(4_000_000);
        let mut v = VisualMode::start(&text, 10_000_000).unwrap();
        for _ in 0..1000 {
            v.motion(WordForward, &text);
        }
        assert_eq!(v.range(), (10_000_000, 10_004_998));
        v.motion(UnitEnd, &text);
        v.motion(WordBack, &text);
        assert_eq!(v.cursor(), 19_999_998);
    }
}
