//! Terminal-safe text: control characters made visible, and wrapping by display width
//! (at word boundaries for Latin text, between characters for Chinese).

use unicode_width::UnicodeWidthChar;

pub use crate::text::{escape_json_controls, sanitize, sanitize_lines, visible};

pub fn char_width(c: char) -> usize {
    visible(c).width().unwrap_or(0)
}

pub fn str_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn is_wide(c: char) -> bool {
    char_width(c) > 1
}

/// One wrapped line: code points `[start, end)` of the text it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrappedLine {
    pub start: usize,
    pub end: usize,
}

/// The first `max_rows` lines of `wrap(text, width)`, and the start of `text` they index into,
/// reading no more of `text` than they can hold: a unit of 50 MB on one line costs what the
/// rows on screen cost. (Exact unless the text holds runs of spaces longer than a row, which
/// wrapping drops at line starts: then fewer rows may come back.)
pub fn wrap_rows(text: &str, width: usize, max_rows: usize) -> (&str, Vec<WrappedLine>) {
    // A row holds at most `width` characters and the space it breaks at; one more row makes
    // the last one wanted independent of where the prefix is cut.
    let budget = max_rows.saturating_add(1).saturating_mul(width.max(2) + 1);
    let prefix = text
        .char_indices()
        .nth(budget)
        .map_or(text, |(byte, _)| &text[..byte]);
    let mut lines = wrap(prefix, width);
    lines.truncate(max_rows);
    (prefix, lines)
}

/// Wraps `text` to `width` columns. Newlines in the text end lines. Lines break after white
/// space or next to a wide (CJK) character; a word longer than the line is broken anywhere.
pub fn wrap(text: &str, width: usize) -> Vec<WrappedLine> {
    let width = width.max(2);
    let chars: Vec<char> = text.chars().collect();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut col = 0;
    // The last place the current line may end (exclusive), and the column there.
    let mut last_break: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            lines.push(WrappedLine { start, end: i });
            start = i + 1;
            col = 0;
            last_break = None;
            i += 1;
            continue;
        }
        let w = char_width(c);
        if col + w > width && i > start {
            if c == ' ' {
                // The space that would overflow is where the line breaks; it is not shown.
                lines.push(WrappedLine { start, end: i });
                start = i + 1;
                col = 0;
                last_break = None;
                i += 1;
                continue;
            }
            let end = last_break.filter(|&b| b > start).unwrap_or(i);
            // A space the line ends on is not shown.
            let mut shown_end = end;
            while shown_end > start && chars[shown_end - 1] == ' ' {
                shown_end -= 1;
            }
            lines.push(WrappedLine {
                start,
                end: shown_end,
            });
            start = end;
            // Spaces at the start of a wrapped line are dropped.
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
            col = chars[start..i].iter().map(|&c| char_width(c)).sum();
            last_break = None;
            if start > i {
                i = start;
                continue;
            }
        }
        col += w;
        let next_is_wide = i + 1 < chars.len() && is_wide(chars[i + 1]);
        if c == ' ' || c == '-' || is_wide(c) || next_is_wide {
            last_break = Some(i + 1);
        }
        i += 1;
    }
    if start < chars.len() || lines.is_empty() {
        lines.push(WrappedLine {
            start,
            end: chars.len(),
        });
    }
    lines
}

/// Cuts `text` to at most `width` columns, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if str_width(text) <= width {
        return drawable(&text.chars().collect::<Vec<_>>());
    }
    let mut out = String::new();
    let mut col = 0;
    for c in text.chars().filter(|&c| !is_zero_width_format(c)) {
        let w = char_width(c);
        if col + w + 1 > width {
            break;
        }
        out.push(visible(c));
        col += w;
    }
    out.push('…');
    out
}

/// Zero-width format characters (joiners, zero-width spaces, variation selectors): terminals
/// disagree on them (one draws a joined emoji in two cells, another each part in its own), so
/// they are not drawn, and every part of a sequence takes the cells its width says.
pub fn is_zero_width_format(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}'
            | '\u{2060}'..='\u{2064}'
            | '\u{feff}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{180e}'
    )
}

/// `chars` as drawn: control characters made visible, zero-width format characters left out.
pub fn drawable(chars: &[char]) -> String {
    chars
        .iter()
        .filter(|&&c| !is_zero_width_format(c))
        .map(|&c| visible(c))
        .collect()
}

/// A pane title that fits in `room` columns: whole words, then "… " when some are left out
/// (never a word cut in half against the border).
pub fn fit_title(title: &str, room: usize) -> String {
    let title = drawable(&title.chars().collect::<Vec<_>>());
    if str_width(&title) <= room {
        return title;
    }
    if room < 3 {
        return String::new();
    }
    // Whole parts ("title · id · status") first, then whole words.
    let mut parts = String::new();
    for part in title.split(" · ") {
        let next = if parts.is_empty() {
            part.to_string()
        } else {
            format!("{parts} · {part}")
        };
        if str_width(&next) + 2 > room {
            break;
        }
        parts = next;
    }
    if !parts.trim().is_empty() {
        // The next part's first words too, where there is room for a few (a label, not the
        // first letters of a status).
        let used = str_width(&parts) + 3;
        if let Some(next) = title.get(parts.len()..).and_then(|r| r.strip_prefix(" · "))
            && room.saturating_sub(used + 2) >= 12
        {
            let mut words = String::new();
            for word in next.split(' ') {
                let more = if words.is_empty() {
                    word.to_string()
                } else {
                    format!("{words} {word}")
                };
                if used + str_width(&more) + 2 > room {
                    break;
                }
                words = more;
            }
            if !words.is_empty() {
                return format!("{parts} · {}… ", words.trim_end_matches([' ', '…']));
            }
        }
        return format!("{}… ", parts.trim_end_matches([' ', '…']));
    }
    let mut kept = String::new();
    for (i, word) in title.split(' ').enumerate() {
        let next = if i == 0 {
            word.to_string()
        } else {
            format!("{kept} {word}")
        };
        if str_width(&next) + 2 > room {
            break;
        }
        kept = next;
    }
    let kept = kept.trim_end_matches([' ', '·', '…']);
    if kept.trim().is_empty() {
        // A first word longer than the room: cut it, as `truncate` does.
        return format!("{} ", truncate(title.trim_start(), room - 1));
    }
    format!("{kept}… ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_title_is_cut_between_words_with_an_ellipsis() {
        let title = " Microsoft keynote · company/microsoft-2017-keynote · not started ";
        assert_eq!(super::fit_title(title, 80), title);
        let cut = super::fit_title(title, 60);
        assert_eq!(cut, " Microsoft keynote · company/microsoft-2017-keynote… ");
        assert!(super::str_width(&cut) <= 60);
        let label = " IL01 · International law and the UN Charter apply ";
        assert_eq!(
            super::fit_title(label, 33),
            " IL01 · International law and… "
        );
        let cut = super::fit_title(title, 10);
        assert!(super::str_width(&cut) <= 10, "{cut}");
        assert!(cut.ends_with("… "), "{cut}");
    }

    #[test]
    fn zero_width_joiners_are_not_drawn() {
        let family: Vec<char> = "a👨\u{200d}👩\u{200d}👧 b\u{200b}c\u{fe0f}"
            .chars()
            .collect();
        assert_eq!(super::drawable(&family), "a👨👩👧 bc");
        assert_eq!(super::truncate("x\u{200d}y", 10), "xy");
    }

    #[test]
    fn wrap_rows_gives_the_first_rows_of_wrap_reading_only_a_prefix() {
        let english = "States should cooperate to prevent harmful ICT practices. ".repeat(40);
        let chinese = "各国应合作防止有害的信息通信技术做法，".repeat(40);
        let mixed = format!("{english}\n\n{chinese} ICT CERT {english}");
        let long_word = "x".repeat(500);
        for text in [english.as_str(), &chinese, &mixed, &long_word, "", "short"] {
            for width in [2, 7, 30, 80] {
                let full = wrap(text, width);
                for rows in [0, 1, 3, 10, 1000] {
                    let (prefix, lines) = wrap_rows(text, width, rows);
                    assert!(text.starts_with(prefix));
                    assert_eq!(lines, full[..rows.min(full.len())], "{width} {rows}");
                }
            }
        }
        let huge = "word ".repeat(2_000_000);
        let (prefix, lines) = wrap_rows(&huge, 80, 40);
        assert_eq!(lines.len(), 40);
        assert!(prefix.len() < 10_000, "read {} bytes", prefix.len());
    }

    use super::*;

    fn lines(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        wrap(text, width)
            .into_iter()
            .map(|l| chars[l.start..l.end].iter().collect())
            .collect()
    }

    #[test]
    fn latin_text_wraps_at_word_boundaries() {
        assert_eq!(
            lines("States should not knowingly allow their territory", 20),
            ["States should not", "knowingly allow", "their territory"]
        );
    }

    #[test]
    fn chinese_text_wraps_between_characters_by_display_width() {
        // Each Han character is two columns wide: five fit in ten columns.
        assert_eq!(
            lines("各国应当开展合作保护关键基础设施", 10),
            ["各国应当开", "展合作保护", "关键基础设", "施"]
        );
    }

    #[test]
    fn mixed_text_and_long_words() {
        assert_eq!(
            lines("ICT供应链 integrity", 8),
            ["ICT供应", "链", "integrit", "y"]
        );
        assert_eq!(lines("a\nb", 10), ["a", "b"]);
        assert_eq!(lines("", 10), [""]);
    }

    #[test]
    fn escape_sequences_become_visible_placeholders() {
        let text = "evil\u{1b}]0;title\u{7}\u{1b}[2J";
        let safe = sanitize(text);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        assert_eq!(
            safe.chars().count(),
            text.chars().count(),
            "offsets are kept"
        );
        assert_eq!(safe, "evil␛]0;title␇␛[2J");
    }

    #[test]
    fn command_line_output_keeps_lines_and_json_values() {
        assert_eq!(sanitize_lines("a\u{1b}[2J\nb\r"), "a␛[2J\nb␍");
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "name": "csi \u{9b}1m, override \u{202e}, 中文 😀, tab\t, esc \u{1b}"
        }))
        .unwrap();
        let safe = escape_json_controls(&json);
        assert!(
            !safe.contains('\u{9b}') && !safe.contains('\u{202e}'),
            "{safe}"
        );
        assert!(
            safe.contains("\\u009b") && safe.contains("中文 😀"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        let original: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn truncation_respects_display_width() {
        assert_eq!(truncate("关键基础设施", 7), "关键基…");
        assert_eq!(truncate("short", 7), "short");
    }
}
