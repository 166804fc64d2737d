//! How the coder-file writer spells one YAML scalar: plain or double-quoted, exactly as
//! serde-saphyr 2.2 does with its default options (YAML 1.1 ambiguity rules), so that the fast
//! writer produces the same bytes and the fast reader accepts only what it reads the same way.
//!
//! The rules are those of serde-saphyr's `ser/quoting.rs` (MIT OR Apache-2.0), restricted to
//! the options the crate uses; `tests.rs` checks them against serde-saphyr itself.

use std::fmt::Write;

/// Strings longer than this many characters that could be plain are written by serde-saphyr as
/// folded block scalars (`>`): not the fast writer's business.
pub const FOLDED_WRAP_CHARS: usize = 80;

fn is_numeric(s: &str) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if is_sexagesimal(s) {
        return true;
    }
    if let Some((radix, digits)) = radix_digits(unsigned)
        && is_digit_run(digits, radix, false)
    {
        return true;
    }
    let normalized;
    let s = if s.contains('_') {
        normalized = s.replace('_', "");
        normalized.as_str()
    } else {
        s
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        let digits = if s.starts_with("0b") || s.starts_with("0o") {
            digits.strip_prefix(['+', '-']).unwrap_or(digits)
        } else {
            digits
        };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn radix_digits(s: &str) -> Option<(u32, &str)> {
    match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => Some((2, &s[2..])),
        [b'0', b'o' | b'O', ..] => Some((8, &s[2..])),
        [b'0', b'x' | b'X', ..] => Some((16, &s[2..])),
        _ => None,
    }
}

fn is_digit_run(s: &str, radix: u32, strict_underscores: bool) -> bool {
    let is_digit = |b: u8| b.is_ascii() && char::from(b).is_digit(radix);
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            is_digit(b)
                || (b == b'_'
                    && (!strict_underscores
                        || (i > 0
                            && is_digit(bytes[i - 1])
                            && bytes.get(i + 1).is_some_and(|&next| is_digit(next)))))
        })
}

/// YAML 1.1 base-60 numbers (`1:30`).
fn is_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else {
        return false;
    };
    let Some(first_digit) = first.as_bytes().first() else {
        return false;
    };
    if !first_digit.is_ascii_digit()
        || (fraction.is_none() && *first_digit == b'0')
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    if !rest.split(':').all(|part| match part.as_bytes() {
        [digit] => digit.is_ascii_digit(),
        [tens, units] => matches!(tens, b'0'..=b'5') && units.is_ascii_digit(),
        _ => false,
    }) {
        return false;
    }
    fraction.is_none_or(|part| part.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// YAML 1.1 timestamps, without calendar validation.
fn is_timestamp(mut s: &str) -> bool {
    fn digits(s: &mut &str, min: usize, max: usize) -> bool {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&len) {
            return false;
        }
        *s = &s[len..];
        true
    }
    fn prefix(s: &mut &str, ch: char) -> bool {
        if let Some(rest) = s.strip_prefix(ch) {
            *s = rest;
            true
        } else {
            false
        }
    }
    if !digits(&mut s, 4, 4)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if s.is_empty() {
        return true;
    }
    if let Some(rest) = s.strip_prefix(['T', 't']) {
        s = rest;
    } else {
        let rest = s.trim_start_matches([' ', '\t']);
        if rest.len() == s.len() {
            return false;
        }
        s = rest;
    }
    if !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if prefix(&mut s, '.') || prefix(&mut s, ',') {
        digits(&mut s, 0, usize::MAX);
    }
    s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() || s == "Z" {
        return true;
    }
    if !(prefix(&mut s, '+') || prefix(&mut s, '-')) || !digits(&mut s, 1, 2) {
        return false;
    }
    if prefix(&mut s, ':') && !digits(&mut s, 2, 2) {
        return false;
    }
    s.is_empty()
}

fn is_yaml11_bool(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    ["true", "yes", "y", "on", "false", "no", "n", "off"]
        .iter()
        .any(|word| t.eq_ignore_ascii_case(word))
}

/// Whether a plain scalar with this text would be read as something other than this string.
fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    // Every ambiguous spelling starts with one of these (the YAML 1.1 booleans after
    // whitespace): most strings are settled by their first byte.
    if !matches!(
        s.as_bytes().first(),
        None | Some(
            b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'0'
                ..=b'9'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'_'
                    | b'i'
                    | b'I'
                    | b'y'
                    | b'Y'
                    | b'o'
                    | b'O'
                    | b'<'
                    | b'='
                    | b' '
                    | b'\t'
                    | b'\r'
                    | b'\n'
        )
    ) {
        return false;
    }
    // After a letter, only short words are ambiguous (and those with trailing whitespace).
    let bytes = s.as_bytes();
    if s.len() > 5
        && bytes[0].is_ascii_alphabetic()
        && !bytes[bytes.len() - 1].is_ascii_whitespace()
    {
        return false;
    }
    s.is_empty()
        || s == "~"
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || (if yaml_12 {
            is_numeric_yaml12(s)
        } else {
            is_numeric(s)
        })
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("inf")
        || s.eq_ignore_ascii_case("+inf")
        || s.eq_ignore_ascii_case("-inf")
        || (!yaml_12 && (is_yaml11_bool(s) || is_timestamp(s) || matches!(s, "<<" | "=")))
}

/// The YAML 1.2 numeric check keys use (stricter than 1.1: no base 60, strict underscores).
fn is_numeric_yaml12(s: &str) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if let Some((radix, digits)) = radix_digits(unsigned) {
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn starts_with_document_marker(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("---").or_else(|| s.strip_prefix("...")) else {
        return false;
    };
    rest.is_empty() || rest.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
}

/// Characters that only a double-quoted scalar can hold.
fn needs_escaping(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

fn contains_any_or_is_control(s: &str, values: &[char]) -> bool {
    if s.is_ascii() {
        return s
            .bytes()
            .any(|b| b < 0x20 || b == 0x7F || values.iter().any(|&v| v as u32 == u32::from(b)));
    }
    s.chars().any(|x| needs_escaping(x) || values.contains(&x))
}

/// Whether `c` stands for itself inside double quotes (see [`push_quoted`]).
fn is_unescaped(c: char) -> bool {
    c != '"' && c != '\\' && !needs_escaping(c)
}

/// Whether no character of `s` needs an escape inside double quotes.
fn has_no_escapes(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes()
            .all(|b| b >= 0x20 && b != 0x7F && b != b'"' && b != b'\\')
    } else {
        s.chars().all(is_unescaped)
    }
}

/// A `#` after whitespace would start a comment.
fn has_comment_start(s: &str) -> bool {
    s.match_indices('#').any(|(index, _)| {
        s[..index]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
    })
}

/// Whether `s` may be written as a plain scalar in value position (in a flow sequence when
/// `in_flow`).
pub fn is_plain_value(s: &str, in_flow: bool) -> bool {
    if is_ambiguous(s, false) || starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    match bytes {
        [b'-' | b'?', b1, ..] if b1.is_ascii_whitespace() => return false,
        [b'-' | b'?']
        | [
            b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
            | b'\'' | b'"' | b'%' | b'@' | b'`',
            ..,
        ] => return false,
        _ => {}
    }
    if s.is_ascii() {
        return is_plain_ascii_body(s, in_flow);
    }
    if s.contains(": ") || s.trim().ends_with(':') {
        return false;
    }
    if in_flow {
        !contains_any_or_is_control(s, &[',', '[', ']', '{', '}']) && !has_comment_start(s)
    } else {
        !contains_any_or_is_control(s, &[]) && !has_comment_start(s)
    }
}

/// The rest of [`is_plain_value`] in one pass, for ASCII text without surrounding whitespace:
/// no control character, no `: `, no `#` after a space, no final `:`, and in a flow sequence
/// none of `,[]{}`.
fn is_plain_ascii_body(s: &str, in_flow: bool) -> bool {
    let mut previous = 0u8;
    for &byte in s.as_bytes() {
        let bad = match byte {
            0..=0x1F | 0x7F => true,
            b' ' => previous == b':',
            b'#' => previous == b' ',
            b',' | b'[' | b']' | b'{' | b'}' => in_flow,
            _ => false,
        };
        if bad {
            return false;
        }
        previous = byte;
    }
    previous != b':'
}

/// Whether `s` may be written as a plain mapping key.
pub fn is_plain_key(s: &str) -> bool {
    if is_ambiguous(s, true) || s == "<<" || starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    match bytes[0] {
        b'-' | b'?' if bytes.len() == 1 || bytes[1].is_ascii_whitespace() => return false,
        b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
        | b'\'' | b'"' | b'%' | b'@' | b'`' => return false,
        _ => {}
    }
    !contains_any_or_is_control(s, &[':']) && !has_comment_start(s) && is_plain_value(s, true)
}

/// Whether serde-saphyr would write `s`, as a block mapping value, as a plain or
/// double-quoted scalar on one line; otherwise it chooses a block scalar (`|` or `>`).
pub fn is_inline_value(s: &str) -> bool {
    if s.contains('\n') {
        return false;
    }
    if s.len() <= FOLDED_WRAP_CHARS {
        return true;
    }
    let probe = s.trim_end_matches(' ');
    let foldable = !probe.is_empty() && is_plain_value(probe, false);
    !(foldable && s.chars().count() > FOLDED_WRAP_CHARS)
}

/// Appends `s` double-quoted, with YAML escapes.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    if has_no_escapes(s) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{FEFF}' => out.push_str("\\uFEFF"),
            '\u{0085}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) <= 0xFF && (c.is_control() || (0x7F..=0x9F).contains(&(c as u32))) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF && needs_escaping(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `s` as a one-line value (the caller checked [`is_inline_value`] for block values).
pub fn push_value(out: &mut String, s: &str, in_flow: bool) {
    if let Some(quoted) = single_quoted_punctuation(s) {
        out.push_str(quoted);
    } else if is_plain_value(s, in_flow) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

/// serde-saphyr writes these three one-character values single-quoted.
fn single_quoted_punctuation(s: &str) -> Option<&'static str> {
    match s {
        "." => Some("'.'"),
        "#" => Some("'#'"),
        "-" => Some("'-'"),
        _ => None,
    }
}

/// The value of a single-quoted [`single_quoted_punctuation`] at the start of `text`.
pub fn read_single_quoted_punctuation(text: &str) -> Option<(&'static str, &str)> {
    ["'.'", "'#'", "'-'"]
        .into_iter()
        .find_map(|quoted| Some((&quoted[1..2], text.strip_prefix(quoted)?)))
}

pub fn push_key(out: &mut String, s: &str) {
    if is_plain_key(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

/// Reads a double-quoted scalar at the start of `text` (which starts with `"`): the string and
/// the rest of `text` after the closing quote. Only what [`push_quoted`] writes is accepted,
/// byte for byte; anything else (other escapes, raw control characters) gives `None`, and the
/// caller leaves the file to serde-saphyr.
pub fn read_quoted(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('"')?;
    // Most quoted values hold nothing to unescape.
    if let Some(end) = body.find(['"', '\\'])
        && body.as_bytes()[end] == b'"'
        && has_no_escapes(&body[..end])
    {
        return Some((body[..end].to_string(), &body[end + 1..]));
    }
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((at, ch)) = chars.next() {
        match ch {
            '"' => {
                let rest = &body[at + 1..];
                // Canonical spelling only: what we would write for this value.
                let mut again = String::with_capacity(at + 2);
                push_quoted(&mut again, &value);
                return (again.len() == at + 2 && again[1..again.len() - 1] == body[..at])
                    .then_some((value, rest));
            }
            '\\' => {
                let (_, escape) = chars.next()?;
                let decoded = match escape {
                    '\\' => '\\',
                    '"' => '"',
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    'N' => '\u{85}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' | 'u' => {
                        let digits = if escape == 'x' { 2 } else { 4 };
                        let mut code = 0u32;
                        for _ in 0..digits {
                            let (_, d) = chars.next()?;
                            code = code * 16 + d.to_digit(16)?;
                        }
                        char::from_u32(code)?
                    }
                    _ => return None,
                };
                value.push(decoded);
            }
            c => value.push(c),
        }
    }
    None
}
