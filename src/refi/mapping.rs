//! How REFI-QDA values become normcode's: GUIDs, times, document ids and coder names that
//! files can hold, statuses, and the units a selection covers.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::annotations::Status;
use crate::corpus::{CodePointRange, Document};

pub(crate) fn lower(guid: Option<&str>) -> Option<String> {
    guid.map(|g| g.trim().trim_matches(['{', '}']).to_ascii_lowercase())
}

/// A date-time as tools write it (`2019-06-04T05:25:16Z`, with or without zone).
pub(crate) fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    let text = text?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .map(|t| t.and_utc())
}

/// A file-name-safe path segment: letters, digits, `-`, `_`, `.` kept, runs of anything else
/// one `_`.
pub(crate) fn safe_segment(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches(['_', '.']).to_string();
    if out.is_empty() {
        "document".to_string()
    } else {
        out
    }
}

/// A document id from a source name: extension dropped, `/` kept as folders.
pub(crate) fn id_from_name(name: &str) -> String {
    let name = name.trim();
    let lower = name.to_ascii_lowercase();
    let stem = [
        ".txt", ".docx", ".pdf", ".rtf", ".md", ".odt", ".doc", ".html", ".htm",
    ]
    .iter()
    .find(|ext| lower.ends_with(*ext))
    .map_or(name, |ext| &name[..name.len() - ext.len()]);
    stem.split(['/', '\\'])
        .filter(|s| !s.trim().is_empty())
        .map(safe_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// The coder name for a user name: what a coder file name can hold.
pub(crate) fn coder_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out.trim_start_matches('.').chars().take(60).collect();
    if out.is_empty() {
        "coder".to_string()
    } else {
        out
    }
}

pub(crate) fn unique(base: String, used: &mut BTreeSet<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn status_of(text: &str) -> Option<Status> {
    match text {
        "not_started" => Some(Status::NotStarted),
        "in_progress" => Some(Status::InProgress),
        "done" => Some(Status::Done),
        _ => None,
    }
}

/// At most 40 characters of a text, on one line.
pub(crate) fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= 40 {
        one
    } else {
        let mut cut: String = one.chars().take(39).collect();
        cut.push('…');
        cut
    }
}

/// The units a range covers: `(unit position, None)` for a whole unit, a span for part of one.
pub(crate) fn pieces(
    document: &Document,
    range: CodePointRange,
) -> Vec<(usize, Option<CodePointRange>)> {
    let first = document
        .units
        .partition_point(|u| u.range.end <= range.start);
    let mut out = Vec::new();
    for (i, unit) in document.units.iter().enumerate().skip(first) {
        if unit.range.start >= range.end {
            break;
        }
        let start = unit.range.start.max(range.start);
        let end = unit.range.end.min(range.end);
        if start >= end {
            continue;
        }
        let part = CodePointRange::new(start, end);
        if part == unit.range {
            out.push((i, None));
        } else if !document.slice(part).is_some_and(|t| t.trim().is_empty()) {
            out.push((i, Some(part)));
        }
    }
    out
}
