//! Line breaking by measured width: labels of a figure are wrapped, never cut.
//!
//! Lines break at spaces, after `-` and `/`, and between Chinese (wide) characters, except
//! before closing punctuation (`，。、）` ...), which stays with the character before it. A word
//! wider than a whole line is broken between characters.

use unicode_width::UnicodeWidthChar;

/// Closing punctuation that never starts a line.
fn closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | ','
            | '.'
            | ';'
            | ':'
            | ')'
            | '!'
            | '?'
    )
}

/// `text` cut into pieces after which a line may break; spaces are pieces of their own.
fn pieces(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(" ".into());
        } else if closing(c) {
            current.push(c);
        } else if c.width() == Some(2) {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push(c);
        } else {
            // After a wide character, a narrow one starts a new piece.
            if current.chars().last().is_some_and(|l| l.width() == Some(2)) {
                out.push(std::mem::take(&mut current));
            }
            current.push(c);
            if c == '-' || c == '/' {
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `text` in lines no wider than `max` by `width` (at least one line; every character kept,
/// spaces at a break dropped).
pub fn wrap(text: &str, max: f64, width: &dyn Fn(&str) -> f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces(text) {
        if piece == " " {
            if !line.is_empty() {
                line.push(' ');
            }
            continue;
        }
        let candidate = format!("{line}{piece}");
        if width(candidate.trim_end()) <= max || line.trim().is_empty() {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = piece;
        }
        // A piece wider than a line on its own: broken between characters.
        while width(line.trim_end()) > max && line.chars().count() > 1 {
            let mut head = String::new();
            for c in line.chars() {
                let next = format!("{head}{c}");
                if width(&next) > max && !head.is_empty() {
                    break;
                }
                head = next;
            }
            let rest = line[head.len()..].to_string();
            if rest.is_empty() {
                break;
            }
            lines.push(head.trim_end().to_string());
            line = rest.trim_start().to_string();
        }
    }
    let last = line.trim_end().to_string();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(text: &str) -> f64 {
        text.chars().map(|c| c.width().unwrap_or(0) as f64).sum()
    }

    #[test]
    fn english_breaks_at_spaces_and_keeps_every_word() {
        let lines = wrap("International law and the UN Charter apply", 16.0, &columns);
        assert_eq!(lines, ["International", "law and the UN", "Charter apply"]);
        assert!(lines.iter().all(|l| columns(l) <= 16.0));
    }

    #[test]
    fn chinese_breaks_between_characters_but_not_before_a_comma() {
        let lines = wrap("国际法和《联合国宪章》适用，各国重申", 8.0, &columns);
        assert_eq!(lines.concat(), "国际法和《联合国宪章》适用，各国重申");
        assert!(lines.iter().all(|l| columns(l) <= 8.0));
        assert!(lines.iter().all(|l| !l.starts_with('，')));
    }

    #[test]
    fn a_word_longer_than_a_line_is_broken_not_cut() {
        let lines = wrap("Supercalifragilistic", 8.0, &columns);
        assert_eq!(lines.concat(), "Supercalifragilistic");
        assert!(lines.iter().all(|l| columns(l) <= 8.0));
        assert_eq!(wrap("", 8.0, &columns), [""]);
    }
}
