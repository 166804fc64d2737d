//! Labels at the start of a unit (`13.`, `(a)`, `a)`, `(iv)`, `1)`, `-`, `•`) and the ids of
//! list items, numbered under the paragraph that introduces them.
//!
//! The rules, as the README's section on units states them:
//!
//! - A UN paragraph number (`13.` or `13．`) heads a numbered paragraph with id `13`, as before,
//!   unless it continues a numbered list (`2.` after item `1.`), or is a `1.` right under a line
//!   that ends with a colon (no blank line between): then it starts a list under that line.
//! - A letter (`(a)`, `（a）`, `a)`) heads a sub-paragraph, a roman numeral (`(i)`, `(iv)`, `iv)`)
//!   a sub-sub-paragraph, a bullet (`-`, `*`, `+`, `•`, `●`, `▪`, `◦`, `–`) or `1)` a list item:
//!   each is a unit of its own.
//! - An item continues the list before it (its letter or number follows the list's last one, or
//!   it comes right after the list's last item); otherwise it starts a list under the unit just
//!   before it, which may be a paragraph (`p14` → `p14.1` … `p14.9`), a numbered paragraph
//!   (`13` → `13.a`), or an item (`13.a` → `13.a.i`). `(i)` after `(h)` is the letter i; after
//!   `(a)` it is the roman one. Indented items (Markdown) nest under the item above them.
//! - An item's id is its parent's id, a dot and its own label: the letter or roman numeral as
//!   written, the number as written, or a bullet's place in its list (1, 2, …). An item with no
//!   unit above it (first in its section) or whose id is taken keeps its place, `p7`.

use std::collections::BTreeSet;

use super::UnitKind;

/// How a label is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// `13.` or `13．`: a paragraph number, or an item of a numbered list.
    Stop,
    /// `1)`, `a)`, `iv)`.
    Close,
    /// `(a)`, `（a）`, `(iv)`.
    Parens,
    /// `-`, `•`, …
    Bullet,
}

/// A label at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Marker<'a> {
    /// The label without brackets or stop: `13`, `a`, `iv`, or the bullet.
    pub label: &'a str,
    pub style: Style,
    /// Bytes the label takes at the start of the text (brackets and stop included).
    pub len: usize,
}

impl Marker<'_> {
    fn number(&self) -> Option<u32> {
        if self.label.bytes().all(|b| b.is_ascii_digit()) {
            self.label.parse().ok()
        } else {
            None
        }
    }

    /// The letter's place in the alphabet (`a` 1, `z` 26, `aa` 27, `ab` 28: as HTML counts).
    fn letter(&self) -> Option<u32> {
        let bytes = self.label.as_bytes();
        if !bytes.iter().all(u8::is_ascii_lowercase) {
            return None;
        }
        match bytes {
            [a] => Some(u32::from(a - b'a') + 1),
            [a, b] => Some(26 * (u32::from(a - b'a') + 1) + u32::from(b - b'a') + 1),
            _ => None,
        }
    }

    fn roman(&self) -> Option<u32> {
        roman_value(self.label)
    }
}

/// Bullets that head a list item (followed by white space; the non-ASCII ones may also touch
/// the text, as they do in Chinese).
const BULLETS: &[char] = &['-', '*', '+', '•', '●', '○', '◦', '▪', '■', '‣', '⁃', '–'];

/// `13. text` → Some("13"). Also accepts the full-width stop `．`.
pub(super) fn paragraph_number(text: &str) -> Option<&str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &text[digits..];
    // Chinese text follows the full-width stop without a space.
    if rest.starts_with('．') {
        return Some(&text[..digits]);
    }
    let rest = rest.strip_prefix('.')?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| &text[..digits])
}

/// The value of a lower-case roman numeral from 1 to 39 (`i` … `xxxix`), written the usual way.
fn roman_value(text: &str) -> Option<u32> {
    const UNITS: [&str; 10] = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"];
    let tens = text.bytes().take_while(|&b| b == b'x').count();
    let rest = &text[tens..];
    if tens > 3 || (tens == 0 && rest.is_empty()) {
        return None;
    }
    let unit = UNITS.iter().position(|u| *u == rest)?;
    Some(tens as u32 * 10 + unit as u32)
}

/// The label at the start of `text` (trimmed at its start), if any.
pub(super) fn marker(text: &str) -> Option<Marker<'_>> {
    if let Some(number) = paragraph_number(text) {
        let stop = text[number.len()..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        return Some(Marker {
            label: number,
            style: Style::Stop,
            len: number.len() + stop,
        });
    }
    // `(a)` or `（a）`: letters or a roman numeral.
    let open = if text.starts_with('(') {
        Some((1, ')'))
    } else if text.starts_with('（') {
        Some(('（'.len_utf8(), '）'))
    } else {
        None
    };
    if let Some((open_len, close)) = open {
        let rest = &text[open_len..];
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        let label = &rest[..letters];
        if rest[letters..].starts_with(close) && is_letters_or_roman(label) {
            return Some(Marker {
                label,
                style: Style::Parens,
                len: open_len + letters + close.len_utf8(),
            });
        }
        return None;
    }
    // `1)`, `a)`, `iv)` followed by white space (`a)` in running text is rare at a line start,
    // `ok)` would be: one letter or a roman numeral only).
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let letters = text.bytes().take_while(u8::is_ascii_lowercase).count();
    let (label_len, is_label) = if (1..=3).contains(&digits) {
        (digits, true)
    } else if letters == 1 || (letters > 1 && roman_value(&text[..letters]).is_some()) {
        (letters, true)
    } else {
        (0, false)
    };
    if is_label {
        let rest = &text[label_len..];
        for close in [')', '）'] {
            if let Some(after) = rest.strip_prefix(close)
                && after.starts_with(char::is_whitespace)
            {
                return Some(Marker {
                    label: &text[..label_len],
                    style: Style::Close,
                    len: label_len + close.len_utf8(),
                });
            }
        }
    }
    let first = text.chars().next()?;
    if BULLETS.contains(&first) {
        let after = &text[first.len_utf8()..];
        let spaced = after.starts_with([' ', '\t', '\u{a0}', '\u{3000}']);
        // A rule (`- - -`, `* * *`) is no item.
        let rule = after.chars().all(|c| c.is_whitespace() || c == first);
        let touching =
            !first.is_ascii() && after.chars().next().is_some_and(|c| !c.is_whitespace());
        if (spaced || touching) && !rule {
            return Some(Marker {
                label: &text[..first.len_utf8()],
                style: Style::Bullet,
                len: first.len_utf8(),
            });
        }
    }
    None
}

fn is_letters_or_roman(label: &str) -> bool {
    (1..=2).contains(&label.len()) || roman_value(label).is_some()
}

/// The unit's text without its leading label (`13. `, `(a) `, `- `, `# `), which renumbering
/// or a change of list style may change while the text stays the same.
pub fn without_label(text: &str) -> &str {
    let rest = if let Some(marker) = marker(text) {
        &text[marker.len..]
    } else if super::is_heading(text) {
        text.trim_start_matches('#')
    } else {
        text
    };
    rest.trim_start()
}

/// What kind of list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    Letter,
    Roman,
    Bullet,
}

/// A list still open: later items may continue it.
#[derive(Debug)]
struct Open {
    class: Class,
    /// The bullet, for bullet lists: another bullet at the same indent starts another list.
    bullet: char,
    indent: usize,
    /// The id of the unit the list is under, if it has one.
    parent: Option<String>,
    /// The last item's number, letter or roman value; a bullet list's count of items.
    last: u32,
}

/// The unit before the one being placed.
#[derive(Debug)]
struct Previous {
    id: String,
    /// The depth in the open lists of the list it is an item of.
    depth: Option<usize>,
    indent: usize,
    /// Whether its text ends with a colon (it introduces what follows).
    introduces: bool,
}

/// Gives units their ids in document order.
#[derive(Debug, Default)]
pub(super) struct Ids {
    open: Vec<Open>,
    previous: Option<Previous>,
    /// Ids given so far (besides positional ones, which never clash with them).
    taken: BTreeSet<String>,
}

/// One piece of the body to place: its text (trimmed), how far its first line is indented and
/// whether it touches the piece before it (no blank line between).
pub(super) struct Piece<'a> {
    pub text: &'a str,
    pub indent: usize,
    pub touches: bool,
    /// Its place among the pieces, from 1: the id of last resort (`p7`).
    pub ordinal: usize,
}

impl Ids {
    /// The kind and id of `piece`, the next piece of the body.
    pub(super) fn place(&mut self, piece: &Piece) -> (UnitKind, String) {
        let text = piece.text;
        let (kind, wanted) = if super::is_heading(text) {
            self.open.clear();
            (UnitKind::Heading, None)
        } else {
            match marker(text) {
                None => (UnitKind::Paragraph, None),
                Some(marker) => self.labelled(piece, marker),
            }
        };
        let id = match wanted {
            Some(id) if self.taken.insert(id.clone()) => id,
            _ => format!("p{}", piece.ordinal),
        };
        let depth = match kind {
            UnitKind::SubParagraph | UnitKind::ListItem => self.open.len().checked_sub(1),
            // An indented paragraph inside a list (a Markdown item's second paragraph) leaves
            // the list open for the items after it.
            UnitKind::Paragraph if piece.indent > 0 => self.previous.as_ref().and_then(|p| p.depth),
            _ => None,
        };
        self.previous = (kind != UnitKind::Heading).then(|| Previous {
            id: id.clone(),
            depth,
            indent: piece.indent,
            introduces: text.trim_end().ends_with([':', '：']),
        });
        (kind, id)
    }

    fn labelled(&mut self, piece: &Piece, marker: Marker) -> (UnitKind, Option<String>) {
        match marker.style {
            Style::Stop => {
                let number = marker.number().unwrap_or(0);
                // `13.` after a blank line, after a list under paragraph `12.`, is paragraph 13,
                // not the list's next item.
                let next_paragraph = |list: &Open| {
                    !piece.touches
                        && list
                            .parent
                            .as_deref()
                            .and_then(|p| p.parse::<u32>().ok())
                            .is_some_and(|p| p + 1 == number)
                };
                if let Some(depth) = self.continues(piece, Class::Number, number, '.')
                    && !next_paragraph(&self.open[depth])
                {
                    return self.item(depth, marker, number);
                }
                let starts_list = number == 1
                    && piece.touches
                    && self.previous.as_ref().is_some_and(|p| p.introduces);
                if starts_list {
                    return self.start(piece, Class::Number, '.', marker, number);
                }
                // A UN paragraph number: a new paragraph, out of every list.
                self.open.clear();
                (UnitKind::Numbered, Some(marker.label.to_string()))
            }
            Style::Close if marker.number().is_some() => {
                let number = marker.number().unwrap_or(0);
                match self.continues(piece, Class::Number, number, ')') {
                    Some(depth) => self.item(depth, marker, number),
                    None => self.start(piece, Class::Number, ')', marker, number),
                }
            }
            Style::Close | Style::Parens => self.lettered(piece, marker),
            Style::Bullet => {
                let bullet = marker.label.chars().next().unwrap_or('-');
                match self.continues(piece, Class::Bullet, 0, bullet) {
                    Some(depth) => {
                        let count = self.open[depth].last + 1;
                        self.item(depth, marker, count)
                    }
                    None => self.start(piece, Class::Bullet, bullet, marker, 1),
                }
            }
        }
    }

    /// A letter or roman numeral: `(i)` is the letter after `(h)`, the numeral after `(a)`.
    fn lettered(&mut self, piece: &Piece, marker: Marker) -> (UnitKind, Option<String>) {
        let letter = marker.letter();
        let roman = marker.roman();
        // The deepest open list that this label follows on from.
        let follows = self.candidates(piece.indent).find(|&depth| {
            let list = &self.open[depth];
            match list.class {
                Class::Letter => letter == Some(list.last + 1),
                Class::Roman => roman == Some(list.last + 1),
                _ => false,
            }
        });
        if let Some(depth) = follows {
            let value = match self.open[depth].class {
                Class::Roman => roman,
                _ => letter,
            };
            return self.item(depth, marker, value.unwrap_or(0));
        }
        let previous_class = self
            .previous
            .as_ref()
            .filter(|p| p.indent == piece.indent)
            .and_then(|p| p.depth)
            .map(|depth| (depth, self.open[depth].class));
        // `(i)` right under a lettered item starts its roman list.
        if roman == Some(1) && matches!(previous_class, Some((_, Class::Letter))) {
            return self.start(piece, Class::Roman, '(', marker, 1);
        }
        // Right after an item of a list of the same kind (a letter repeated or skipped): the
        // same list.
        if let Some((depth, class)) = previous_class {
            let value = match class {
                Class::Letter => letter,
                Class::Roman => roman,
                _ => None,
            };
            if let Some(value) = value {
                return self.item(depth, marker, value);
            }
        }
        match letter {
            Some(value) => self.start(piece, Class::Letter, '(', marker, value),
            None => self.start(piece, Class::Roman, '(', marker, roman.unwrap_or(0)),
        }
    }

    /// Depths of the open lists an item at `indent` may continue, deepest first: those at its
    /// indent, above any list indented less.
    fn candidates(&self, indent: usize) -> impl Iterator<Item = usize> + '_ {
        self.open
            .iter()
            .enumerate()
            .rev()
            .skip_while(move |(_, list)| list.indent > indent)
            .take_while(move |(_, list)| list.indent == indent)
            .map(|(depth, _)| depth)
    }

    /// The depth of the open list that an item of `class` continues: for numbers, the list
    /// whose last number is one less; for bullets, a list of the same bullet that the item
    /// follows (the item before it is in that list, or in a list under it).
    fn continues(&self, piece: &Piece, class: Class, number: u32, style: char) -> Option<usize> {
        let previous_depth = self.previous.as_ref().and_then(|p| p.depth);
        self.candidates(piece.indent).find(|&depth| {
            let list = &self.open[depth];
            list.class == class
                && list.bullet == style
                && match class {
                    Class::Number => number == list.last + 1,
                    _ => previous_depth.is_some_and(|d| d >= depth),
                }
        })
    }

    /// An item of the open list at `depth`, with value `value`.
    fn item(&mut self, depth: usize, marker: Marker, value: u32) -> (UnitKind, Option<String>) {
        self.open.truncate(depth + 1);
        let list = &mut self.open[depth];
        list.last = value;
        let kind = kind_of(list.class);
        let own = own_label(list.class, marker, value);
        (kind, list.parent.as_ref().map(|p| format!("{p}.{own}")))
    }

    /// The first item of a new list, under the unit before it.
    fn start(
        &mut self,
        piece: &Piece,
        class: Class,
        style: char,
        marker: Marker,
        value: u32,
    ) -> (UnitKind, Option<String>) {
        let previous = self.previous.as_ref();
        let (keep, parent) = match previous.and_then(|p| p.depth.map(|d| (p, d))) {
            // After an item of a list of the same kind, at its indent: a list beside that one
            // (a bullet of another shape, a numbering that starts again), under its parent.
            Some((_, depth))
                if self.open[depth].class == class && self.open[depth].indent == piece.indent =>
            {
                (depth, self.open[depth].parent.clone())
            }
            // Under the item before: its list and those around it stay open.
            Some((previous, depth)) => (depth + 1, Some(previous.id.clone())),
            // Under a paragraph: lists less indented stay open, to be continued after it.
            None => (
                self.open
                    .iter()
                    .take_while(|list| list.indent <= piece.indent)
                    .count(),
                previous.map(|p| p.id.clone()),
            ),
        };
        self.open.truncate(keep);
        self.open.push(Open {
            class,
            bullet: style,
            indent: piece.indent,
            parent: parent.clone(),
            last: value,
        });
        let own = own_label(class, marker, value);
        (kind_of(class), parent.map(|p| format!("{p}.{own}")))
    }
}

fn kind_of(class: Class) -> UnitKind {
    match class {
        Class::Letter | Class::Roman => UnitKind::SubParagraph,
        Class::Number | Class::Bullet => UnitKind::ListItem,
    }
}

/// The item's part of its id: its letter or number as written, a bullet's place.
fn own_label(class: Class, marker: Marker, value: u32) -> String {
    match class {
        Class::Bullet => value.to_string(),
        _ => marker.label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_with_their_length() {
        fn m(t: &str) -> Option<(&str, Style, usize)> {
            marker(t).map(|m| (m.label, m.style, m.len))
        }
        assert_eq!(m("13. States"), Some(("13", Style::Stop, 3)));
        assert_eq!(m("13．各国"), Some(("13", Style::Stop, 5)));
        assert_eq!(m("(a) one"), Some(("a", Style::Parens, 3)));
        assert_eq!(m("（b）二"), Some(("b", Style::Parens, 7)));
        assert_eq!(m("(viii) eight"), Some(("viii", Style::Parens, 6)));
        assert_eq!(m("a) one"), Some(("a", Style::Close, 2)));
        assert_eq!(m("iv) four"), Some(("iv", Style::Close, 3)));
        assert_eq!(m("2) two"), Some(("2", Style::Close, 2)));
        assert_eq!(m("- item"), Some(("-", Style::Bullet, 1)));
        assert_eq!(m("•内容"), Some(("•", Style::Bullet, 3)));
        for not in [
            "(abc) x",
            "ok) fine",
            "-dash",
            "--- rule",
            "* * *",
            "2015 was",
            "*emphasis*",
            "a)b",
            "(A) upper",
            "12345. too long",
        ] {
            assert_eq!(marker(not), None, "{not}");
        }
    }

    #[test]
    fn roman_numerals_are_read_the_usual_way() {
        let values: Vec<_> = ["i", "iv", "ix", "xiv", "xxxix", "iiii", "vx", "x", ""]
            .iter()
            .map(|r| roman_value(r))
            .collect();
        assert_eq!(
            values,
            [
                Some(1),
                Some(4),
                Some(9),
                Some(14),
                Some(39),
                None,
                None,
                Some(10),
                None
            ]
        );
    }
}
