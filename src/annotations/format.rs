//! The coder-file layout, written and read by hand: the same bytes serde-saphyr writes, in a
//! fraction of the time (a coder file can hold 100,000 annotations and is saved every few
//! seconds while coding).
//!
//! The writer spells every scalar as serde-saphyr does ([`super::scalar`]); what serde-saphyr
//! writes over several lines (block scalars: multi-line memos, long quotes) is left to it, one
//! document at a time, in the same place of the file, so the output is the same either way.
//!
//! The reader accepts the layout the writer produces and nothing else: any other line (a
//! comment, another order, a block scalar, a hand-written alias) ends its fast path and the
//! caller parses the file with serde-saphyr, which reads everything YAML allows and reports
//! errors with their line and column. A document the fast path cannot read line by line is
//! parsed alone by serde-saphyr and kept only if writing it back gives exactly its text, so
//! the result is always what serde-saphyr would have read.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

use super::scalar::{Place, Spellings};
use super::{Annotation, CoderFile, DocumentCoding, Status, Suggested};
use crate::corpus::{CodePointRange, Corpus, DocumentId, IndicatorId, UnitId};
use crate::error::Result;
use crate::parallel;
use crate::yaml;

// ----- writing -----

/// The text of `file` as serde-saphyr would write it.
pub fn write(file: &CoderFile) -> Result<String> {
    let mut spellings = Spellings::default();
    let Some(mut out) = write_header(file, 64 + file.annotation_count() * 200, &mut spellings)
    else {
        return yaml::to_string(file);
    };
    for (id, coding) in &file.documents {
        write_document(&mut out, id, coding, &mut spellings)?;
    }
    Ok(out)
}

/// Everything before the first document, with `capacity` reserved for the rest; `None` when
/// the coder name or codebook version needs a block scalar (serde-saphyr writes those files).
fn write_header(file: &CoderFile, capacity: usize, spellings: &mut Spellings) -> Option<String> {
    let mut out = String::with_capacity(capacity);
    let _ = writeln!(out, "schema: {}", file.schema);
    out.push_str("coder: ");
    spellings.push(&mut out, &file.coder, Place::Value)?;
    out.push('\n');
    if let Some(version) = &file.codebook_version {
        out.push_str("codebook_version: ");
        spellings.push(&mut out, version, Place::Value)?;
        out.push('\n');
    }
    out.push_str(if file.documents.is_empty() {
        "documents: {}\n"
    } else {
        "documents:\n"
    });
    Some(out)
}

/// Writes a coder file again and again (autosave), normalized, re-writing only the documents
/// that changed since the last time: a document whose `Arc` is the one written last time is
/// unchanged, since holding that `Arc` here keeps anyone from changing it in place
/// (`Arc::make_mut` copies a shared document).
#[derive(Debug, Default)]
pub struct IncrementalWriter {
    written: HashMap<DocumentId, (Arc<DocumentCoding>, String)>,
}

impl IncrementalWriter {
    /// The text of `file` normalized against `corpus` (see [`CoderFile::normalize`]): always
    /// the same corpus for one writer, since a document's text depends on its unit order.
    pub fn write(&mut self, file: &CoderFile, corpus: &Corpus) -> Result<String> {
        let capacity = self
            .written
            .values()
            .map(|(_, text)| text.len())
            .sum::<usize>()
            + 256;
        let mut spellings = Spellings::default();
        let Some(mut out) = write_header(file, capacity, &mut spellings) else {
            self.written.clear();
            let mut file = file.clone();
            file.normalize(corpus);
            return yaml::to_string(&file);
        };
        let mut written = HashMap::with_capacity(file.documents.len());
        for (id, coding) in &file.documents {
            let text = match self.written.remove(id) {
                Some((before, text)) if Arc::ptr_eq(&before, coding) => text,
                _ => {
                    let document = corpus.get(id);
                    let mut text = String::new();
                    if coding.is_normalized(document) {
                        write_document(&mut text, id, coding, &mut spellings)?;
                    } else {
                        let mut normalized = DocumentCoding::clone(coding);
                        normalized.normalize(document);
                        write_document(&mut text, id, &normalized, &mut spellings)?;
                    }
                    text
                }
            };
            out.push_str(&text);
            written.insert(id.clone(), (Arc::clone(coding), text));
        }
        self.written = written;
        Ok(out)
    }
}

/// One entry of `documents:`, from its key line on.
pub fn write_document(
    out: &mut String,
    id: &DocumentId,
    coding: &DocumentCoding,
    spellings: &mut Spellings,
) -> Result<()> {
    let start = out.len();
    if write_document_by_lines(out, id, coding, spellings).is_none() {
        // A string serde-saphyr writes over several lines: it writes the whole document.
        out.truncate(start);
        write_document_by_serde(out, id, coding)?;
    }
    Ok(())
}

/// [`write_document`] when every string is written on its key's line; `None` otherwise, with
/// part of the document appended.
fn write_document_by_lines(
    out: &mut String,
    id: &DocumentId,
    coding: &DocumentCoding,
    spellings: &mut Spellings,
) -> Option<()> {
    out.push_str("  ");
    spellings.push(out, id.as_str(), Place::Key)?;
    out.push_str(":\n    status: ");
    out.push_str(status_name(coding.status));
    out.push('\n');
    if let Some(memo) = &coding.memo {
        out.push_str("    memo: ");
        spellings.push(out, memo, Place::Value)?;
        out.push('\n');
    }
    if coding.suggestions {
        out.push_str("    suggestions: true\n");
    }
    if coding.annotations.is_empty() {
        return Some(());
    }
    out.push_str("    annotations:\n");
    let mut time = String::new();
    for a in &coding.annotations {
        out.push_str("    - unit: ");
        spellings.push(out, a.unit.as_str(), Place::Value)?;
        out.push('\n');
        if let Some(span) = a.span {
            out.push_str("      span:\n        start: ");
            push_number(out, span.start);
            out.push_str("\n        end: ");
            push_number(out, span.end);
            out.push('\n');
        }
        if let Some(quote) = &a.quote {
            out.push_str("      quote: ");
            spellings.push(out, quote, Place::Value)?;
            out.push('\n');
        }
        out.push_str("      codes: [");
        for (i, code) in a.codes.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            spellings.push(out, code.as_str(), Place::FlowItem)?;
        }
        out.push_str("]\n");
        if !a.suggested.is_empty() {
            out.push_str("      suggested:\n");
            for suggested in &a.suggested {
                out.push_str("      - code: ");
                spellings.push(out, suggested.code.as_str(), Place::Value)?;
                out.push_str("\n        model: ");
                spellings.push(out, &suggested.model, Place::Value)?;
                out.push_str("\n        score: ");
                out.push_str(&float_text(suggested.score)?);
                out.push('\n');
            }
        }
        if let Some(memo) = &a.memo {
            out.push_str("      memo: ");
            spellings.push(out, memo, Place::Value)?;
            out.push('\n');
        }
        for (key, at) in [
            ("      created: ", a.created),
            ("      modified: ", a.modified),
        ] {
            if let Some(at) = at {
                out.push_str(key);
                push_time(out, &mut time, at, spellings)?;
            }
        }
    }
    Some(())
}

/// A timestamp as chrono's `Serialize` spells it, as a value, and the end of its line.
fn push_time(
    out: &mut String,
    buffer: &mut String,
    at: DateTime<Utc>,
    spellings: &mut Spellings,
) -> Option<()> {
    use chrono::{Datelike, Timelike};
    // Whole seconds in years 0 to 9999 (what normcode writes): `"YYYY-MM-DDTHH:MM:SSZ"`,
    // a timestamp to YAML, so always quoted. chrono's own text for everything else.
    if at.nanosecond() == 0
        && let Ok(year) = u32::try_from(at.year())
        && year <= 9999
    {
        let mut text = *b"\"0000-00-00T00:00:00Z\"\n";
        let mut digits = |at: usize, value: u32, width: usize| {
            let mut value = value;
            for i in (0..width).rev() {
                text[at + i] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        digits(1, year, 4);
        digits(6, at.month(), 2);
        digits(9, at.day(), 2);
        digits(12, at.hour(), 2);
        digits(15, at.minute(), 2);
        digits(18, at.second(), 2);
        // Only ASCII digits went in.
        out.push_str(std::str::from_utf8(&text).unwrap_or_default());
        return Some(());
    }
    buffer.clear();
    let _ = write!(buffer, "{at:?}");
    spellings.push(out, buffer, Place::Value)?;
    out.push('\n');
    Some(())
}

/// A float as serde-saphyr spells it (its own writer, for one number: suggestion scores are
/// few); `None` for a spelling over more than one line, which never happens.
fn float_text(value: f64) -> Option<String> {
    let text = serde_saphyr::to_string(&value).ok()?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    (!text.contains('\n')).then(|| text.to_string())
}

/// A float the writer spelled: read only when writing it again gives the same text.
fn read_float(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    (float_text(value)? == text).then_some(value)
}

fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "not_started",
        Status::InProgress => "in_progress",
        Status::Done => "done",
    }
}

/// serde-saphyr writes the document in the context it has in a whole file (under
/// `documents:`), so block scalars get the same indentation.
fn write_document_by_serde(
    out: &mut String,
    id: &DocumentId,
    coding: &DocumentCoding,
) -> Result<()> {
    #[derive(Serialize)]
    struct Documents<'a> {
        documents: BTreeMap<&'a DocumentId, &'a DocumentCoding>,
    }
    let text = yaml::to_string(&Documents {
        documents: BTreeMap::from([(id, coding)]),
    })?;
    out.push_str(text.strip_prefix("documents:\n").unwrap_or(&text));
    Ok(())
}

// ----- reading -----

/// Reads a coder file in the layout [`write`] produces; `None` for anything else (the caller
/// then parses it with serde-saphyr, for its result or its error).
pub fn read(text: &str) -> Option<CoderFile> {
    read_in_chunks(text, parallel::available_threads(), MIN_CHUNK_BYTES)
}

/// Fewer bytes of documents than this are read on one thread: the reader takes about 1 ms for
/// them, far more than starting a thread.
const MIN_CHUNK_BYTES: usize = 256 * 1024;

/// Chunks per thread: on a shared machine a thread that gets less time takes fewer of them.
const CHUNKS_PER_THREAD: usize = 8;

/// [`read`] with the documents split into chunks of at least `min_chunk_bytes` at document
/// key lines, read on up to `threads` threads. Any split gives the same result as reading the
/// documents one after another: every line indented by exactly two spaces is where the
/// sequential reader starts a document (a document ends before it, line by line or not).
pub(super) fn read_in_chunks(
    text: &str,
    threads: usize,
    min_chunk_bytes: usize,
) -> Option<CoderFile> {
    // memchr's search is several times faster than `str::contains` on a 20 MB file, and
    // this scan is not shared among threads.
    if !text.ends_with('\n') || memchr::memchr(b'\r', text.as_bytes()).is_some() {
        return None;
    }
    let mut lines = Lines::new(text);
    let sp = &mut Spellings::default();
    let schema = lines
        .next()?
        .strip_prefix("schema: ")
        .and_then(read_number)?;
    let schema = u32::try_from(schema).ok()?;
    let coder = sp.read_whole(lines.next()?.strip_prefix("coder: ")?, Place::Value)?;
    let mut line = lines.next()?;
    let codebook_version = match line.strip_prefix("codebook_version: ") {
        Some(value) => {
            let version = sp.read_whole(value, Place::Value)?;
            line = lines.next()?;
            Some(version)
        }
        None => None,
    };
    let mut file = CoderFile {
        schema,
        coder,
        codebook_version,
        documents: BTreeMap::new(),
    };
    match line {
        "documents: {}" => return lines.is_empty().then_some(file),
        "documents:" => {}
        _ => return None,
    }
    let documents = &text[lines.at..];
    let chunks = (documents.len() / min_chunk_bytes.max(1)).min(threads * CHUNKS_PER_THREAD);
    let entries = if chunks <= 1 || threads <= 1 {
        read_entries(documents, sp)?
    } else {
        let chunks = split_at_document_keys(documents, chunks);
        parallel::map_in_order(chunks, threads, Spellings::default, |sp, chunk| {
            read_entries(chunk, sp)
        })
        .into_iter()
        .collect::<Option<Vec<_>>>()?
        .concat()
    };
    file.documents = into_document_map(entries)?;
    Some(file)
}

/// `text` cut into about `count` pieces of similar length, each starting at the start of
/// `text` or at a document key line (two spaces, then not a space).
fn split_at_document_keys(text: &str, count: usize) -> Vec<&str> {
    let mut chunks = Vec::with_capacity(count);
    let mut start = 0;
    for k in 1..count {
        let target = text.len() / count * k;
        if target <= start {
            continue;
        }
        let Some(key) = next_document_key(text, target) else {
            break;
        };
        chunks.push(&text[start..key]);
        start = key;
    }
    chunks.push(&text[start..]);
    chunks
}

/// Where the first document key line starting at or after byte `from` (> 0) starts.
fn next_document_key(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let search_from = from - 1;
    memchr::memmem::find_iter(&bytes[search_from..], b"\n  ")
        .map(|newline| search_from + newline + 1)
        .find(|&line| {
            bytes
                .get(line + 2)
                .is_some_and(|&b| b != b' ' && b != b'\n')
        })
}

/// The documents of `text` (whole entries of `documents:`, key line first) in their order.
fn read_entries(text: &str, sp: &mut Spellings) -> Option<Vec<(DocumentId, Arc<DocumentCoding>)>> {
    let mut lines = Lines::new(text);
    let mut entries = Vec::new();
    while !lines.is_empty() {
        let start = lines.at;
        let id = read_key(lines.next()?, sp)?;
        let coding = match read_document(&mut lines, sp) {
            Some(coding) => coding,
            None => {
                lines.seek(start);
                read_document_by_serde(&mut lines, &id, sp)?
            }
        };
        entries.push((id, Arc::new(coding)));
    }
    Some(entries)
}

/// The documents by id; `None` for a key twice (serde-saphyr decides what that means).
fn into_document_map(
    entries: Vec<(DocumentId, Arc<DocumentCoding>)>,
) -> Option<BTreeMap<DocumentId, Arc<DocumentCoding>>> {
    if entries.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        // Keys in order, as the writer puts them: none twice, and the map is built at once.
        return Some(entries.into_iter().collect());
    }
    let mut documents = BTreeMap::new();
    for (id, coding) in entries {
        if documents.insert(id, coding).is_some() {
            return None;
        }
    }
    Some(documents)
}

/// The lines of a text that ends with a newline, with the next one found once.
struct Lines<'a> {
    text: &'a str,
    /// Where the next line starts.
    at: usize,
    /// The next line, without its newline.
    line: Option<&'a str>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Self {
            text,
            at: 0,
            line: None,
        };
        lines.seek(0);
        lines
    }

    fn seek(&mut self, at: usize) {
        self.at = at;
        let rest = self.text.get(at..).unwrap_or_default();
        self.line = (!rest.is_empty()).then(|| match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(end) => &rest[..end],
            None => rest,
        });
    }

    fn is_empty(&self) -> bool {
        self.line.is_none()
    }

    fn peek(&self) -> Option<&'a str> {
        self.line
    }

    fn next(&mut self) -> Option<&'a str> {
        let line = self.line?;
        self.seek(self.at + line.len() + 1);
        Some(line)
    }

    /// The next line if it starts with `prefix`, without the prefix.
    fn next_with(&mut self, prefix: &str) -> Option<&'a str> {
        let rest = self.line?.strip_prefix(prefix)?;
        self.next();
        Some(rest)
    }
}

/// A document key line: `  KEY:`.
fn read_key(line: &str, sp: &mut Spellings) -> Option<DocumentId> {
    let key = line.strip_prefix("  ")?.strip_suffix(':')?;
    sp.read_whole(key, Place::Key).map(DocumentId::new)
}

/// A number as written: digits, no sign, no leading zero.
fn read_number(text: &str) -> Option<usize> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

fn read_time(text: &str, sp: &mut Spellings) -> Option<DateTime<Utc>> {
    if let Some(at) = read_whole_second_time(text) {
        return Some(at);
    }
    // What chrono's `Deserialize` does with the string.
    let at: DateTime<FixedOffset> = sp.read_whole(text, Place::Value)?.parse().ok()?;
    Some(at.with_timezone(&Utc))
}

/// `"YYYY-MM-DDTHH:MM:SSZ"`, what normcode writes, without chrono's general parser.
fn read_whole_second_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.as_bytes();
    if t.len() != 22
        || t[0] != b'"'
        || t[5] != b'-'
        || t[8] != b'-'
        || t[11] != b'T'
        || t[14] != b':'
        || t[17] != b':'
        || &t[20..] != b"Z\""
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        t[from..to].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(number(1, 5)?).ok()?,
        number(6, 8)?,
        number(9, 11)?,
    )?;
    let time = chrono::NaiveTime::from_hms_opt(number(12, 14)?, number(15, 17)?, number(18, 20)?)?;
    Some(date.and_time(time).and_utc())
}

/// `[A, B]`: plain or quoted items.
fn read_codes(text: &str, sp: &mut Spellings) -> Option<Vec<IndicatorId>> {
    let mut rest = text.strip_prefix('[')?;
    let mut codes = Vec::new();
    if rest == "]" {
        return Some(codes);
    }
    loop {
        let (code, after) = sp.read_start(rest, Place::FlowItem)?;
        codes.push(IndicatorId::new(code));
        if after == "]" {
            return Some(codes);
        }
        rest = after.strip_prefix(", ")?;
    }
}

fn read_status(text: &str) -> Option<Status> {
    match text {
        "not_started" => Some(Status::NotStarted),
        "in_progress" => Some(Status::InProgress),
        "done" => Some(Status::Done),
        _ => None,
    }
}

/// The lines of one document after its key, up to the next key or the end.
fn read_document(lines: &mut Lines, sp: &mut Spellings) -> Option<DocumentCoding> {
    let status = read_status(lines.next_with("    status: ")?)?;
    let memo = match lines.next_with("    memo: ") {
        Some(memo) => Some(sp.read_whole(memo, Place::Value)?),
        None => None,
    };
    let suggestions = match lines.next_with("    suggestions: ") {
        Some("true") => true,
        Some(_) => return None,
        None => false,
    };
    let mut annotations = Vec::new();
    if lines
        .next_with("    annotations:")
        .is_some_and(str::is_empty)
    {
        while let Some(unit) = lines.next_with("    - unit: ") {
            annotations.push(read_annotation(lines, unit, sp)?);
        }
        if annotations.is_empty() {
            return None;
        }
    }
    // The document ends at the next key (two spaces and more) or the end of the file.
    let next_is_key = lines.peek().is_none_or(|line| {
        line.starts_with("  ") && !line[2..].starts_with(' ') && !line[2..].is_empty()
    });
    next_is_key.then_some(DocumentCoding {
        status,
        memo,
        suggestions,
        annotations,
    })
}

fn read_annotation(lines: &mut Lines, unit: &str, sp: &mut Spellings) -> Option<Annotation> {
    let unit = UnitId::new(sp.read_whole(unit, Place::Value)?);
    let span = match lines.next_with("      span:") {
        Some("") => {
            let start = read_number(lines.next_with("        start: ")?)?;
            let end = read_number(lines.next_with("        end: ")?)?;
            Some(CodePointRange::new(start, end))
        }
        Some(_) => return None,
        None => None,
    };
    let quote = match lines.next_with("      quote: ") {
        Some(quote) => Some(sp.read_whole(quote, Place::Value)?),
        None => None,
    };
    let codes = read_codes(lines.next_with("      codes: ")?, sp)?;
    let mut suggested = Vec::new();
    match lines.next_with("      suggested:") {
        Some("") => {
            while let Some(code) = lines.next_with("      - code: ") {
                let code = IndicatorId::new(sp.read_whole(code, Place::Value)?);
                let model = sp.read_whole(lines.next_with("        model: ")?, Place::Value)?;
                let score = read_float(lines.next_with("        score: ")?)?;
                suggested.push(Suggested { code, model, score });
            }
            if suggested.is_empty() {
                return None;
            }
        }
        Some(_) => return None,
        None => {}
    }
    let memo = match lines.next_with("      memo: ") {
        Some(memo) => Some(sp.read_whole(memo, Place::Value)?),
        None => None,
    };
    let created = match lines.next_with("      created: ") {
        Some(at) => Some(read_time(at, sp)?),
        None => None,
    };
    let modified = match lines.next_with("      modified: ") {
        Some(at) => Some(read_time(at, sp)?),
        None => None,
    };
    Some(Annotation {
        unit,
        span,
        quote,
        codes,
        suggested,
        memo,
        created,
        modified,
        anchoring: Default::default(),
    })
}

/// A document the line reader did not follow (a multi-line memo, say): serde-saphyr parses its
/// lines alone, and the result counts only if writing it back gives exactly those lines.
fn read_document_by_serde(
    lines: &mut Lines,
    id: &DocumentId,
    sp: &mut Spellings,
) -> Option<DocumentCoding> {
    let start = lines.at;
    lines.next()?;
    // Up to the next line indented by exactly two spaces (the next key) or less.
    while let Some(line) = lines.peek() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent <= 2 && !line.is_empty() {
            break;
        }
        lines.next();
    }
    let fragment = &lines.text[start..lines.at];
    let mut parsed: BTreeMap<DocumentId, DocumentCoding> =
        yaml::parse(Path::new(""), fragment, 0).ok()?;
    let coding = parsed.remove(id).filter(|_| parsed.is_empty())?;
    let mut again = String::with_capacity(fragment.len());
    write_document(&mut again, id, &coding, sp).ok()?;
    (again == fragment).then_some(coding)
}

/// The coding of one document, read alone from a coder file in [`write`]'s layout, without
/// reading the rest: `Some(None)` when the file has nothing for it; `None` when the file is not
/// in that layout where it was looked at (read the whole file then).
///
/// Every document key in the layout is a line of two spaces and the key as [`write`] spells
/// it (every other line of a document is indented further), so the key line is found by
/// searching for it.
pub fn read_document_of(text: &str, id: &DocumentId) -> Option<Option<DocumentCoding>> {
    const DOCUMENTS: &str = "\ndocuments:\n";
    if !text.starts_with("schema: ")
        || !text.ends_with('\n')
        || memchr::memchr(b'\r', text.as_bytes()).is_some()
    {
        return None;
    }
    let sp = &mut Spellings::default();
    let documents = memchr::memmem::find(text.as_bytes(), DOCUMENTS.as_bytes())? + DOCUMENTS.len();
    let mut lines = Lines::new(text);
    lines.seek(documents);
    // The first entry shows whether the file is in the layout.
    read_key(lines.peek()?, sp)?;
    let mut key = String::from("\n");
    write_document(&mut key, id, &DocumentCoding::default(), sp).ok()?;
    let key = &key[..key.find(":\n")? + 2];
    let Some(at) = memchr::memmem::find(&text.as_bytes()[documents - 1..], key.as_bytes()) else {
        return Some(None);
    };
    let start = documents + at;
    lines.seek(start);
    if read_key(lines.next()?, sp).as_ref() != Some(id) {
        return None;
    }
    let coding = match read_document(&mut lines, sp) {
        Some(coding) => coding,
        None => {
            lines.seek(start);
            read_document_by_serde(&mut lines, id, sp)?
        }
    };
    Some(Some(coding))
}
