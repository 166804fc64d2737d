//! Terminal-safe text: control characters made visible (never sent to a terminal raw), and JSON
//! with the characters a terminal would act on escaped. Used by the command line and the
//! workspace alike.

use std::borrow::Cow;

/// Replaces each control character by one visible placeholder character, so that escape
/// sequences in documents, memos or labels never reach the terminal raw, and code point
/// offsets stay the same.
pub fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('�'),
        '\u{7f}' => '␡',
        '\u{80}'..='\u{9f}' => '�',
        // Bidirectional overrides and isolates could reorder what the coder sees.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '�',
        c => c,
    }
}

/// `text` with every control character made visible; newlines too when `keep_newlines` is off.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| visible(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(visible).collect())
    }
}

/// `text` for printing to a terminal line by line (the command line's reports): newlines kept,
/// every other control character made visible as by [`sanitize`].
pub fn sanitize_lines(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c == '\n' || visible(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if c == '\n' { c } else { visible(c) })
                .collect(),
        )
    }
}

/// JSON text with the control characters a JSON writer leaves raw (C1 controls such as the
/// 8-bit CSI, bidirectional overrides) written as `\uXXXX` escapes: the same JSON value,
/// safe to show on a terminal. Such characters only occur inside JSON strings.
pub fn escape_json_controls(json: &str) -> Cow<'_, str> {
    // White space between tokens stays; inside strings the writer has escaped it already.
    let raw = |c: char| !matches!(c, '\n' | '\t' | '\r') && visible(c) != c;
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}
