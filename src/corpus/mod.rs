//! The corpus: documents read from the documents folder, each split into units.

mod front_matter;
mod ids;
mod segment;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use front_matter::{KNOWN_KEYS, MetaValue, Metadata};
pub use ids::{CodePointRange, DocumentId, IndicatorId, UnitId};
pub use segment::{
    Layout, Reading, Segmentation, Unit, UnitKind, reading, segment, segment_with, without_label,
};

use crate::error::{Error, Result, SourcePos};
use crate::parallel::{available_threads, map_in_order};

/// One document of the corpus.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: DocumentId,
    /// The file, as given to [`Document::parse`] (relative to the project where loaded from one).
    pub path: PathBuf,
    pub metadata: Metadata,
    /// The text after the front matter, `\r\n` read as `\n`, without BOM.
    pub body: String,
    pub units: Vec<Unit>,
    /// Lines of the file before the body (the front matter), to turn body lines into file lines.
    pub body_line_offset: u64,
    /// BLAKE3 of the whole file as read: the search index reindexes when it changes.
    pub content_hash: String,
    /// How the body's paragraphs were told apart (by blank lines, or as wrapped text).
    pub reading: Reading,
    /// Unit indices sorted by unit id, to find a unit by id (no map of cloned ids to build).
    units_by_id: Vec<usize>,
}

impl Document {
    /// Parses a document from its raw text.
    pub fn parse(id: DocumentId, path: &Path, raw: &str, mode: Segmentation) -> Result<Self> {
        Self::parse_owned(id, path, raw.to_string(), mode)
    }

    /// [`parse`](Self::parse), keeping `raw`'s buffer for the body (a copy less per document).
    pub fn parse_owned(
        id: DocumentId,
        path: &Path,
        raw: String,
        mode: Segmentation,
    ) -> Result<Self> {
        let content_hash = blake3::hash(raw.as_bytes()).to_hex().to_string();
        let mut text = raw;
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        if text.contains('\r') {
            text = text.replace("\r\n", "\n").replace('\r', "\n");
        }
        let (metadata, body_start, body_line_offset) = {
            let (metadata, body, body_line_offset) = front_matter::split(path, &text)?;
            (metadata, text.len() - body.len(), body_line_offset)
        };
        text.drain(..body_start);
        let body = text;
        let layout = layout_of(path, &metadata)?;
        let reading = match mode {
            Segmentation::Line => Reading::BlankLines,
            _ => reading(&body, layout),
        };
        let units = segment_with(&body, mode, layout);
        let mut units_by_id: Vec<usize> = (0..units.len()).collect();
        units_by_id.sort_unstable_by(|&a, &b| units[a].id.cmp(&units[b].id));
        Ok(Self {
            id,
            path: path.to_path_buf(),
            metadata,
            body,
            units,
            body_line_offset,
            content_hash,
            reading,
            units_by_id,
        })
    }

    /// The title from front matter, else the id.
    pub fn title(&self) -> String {
        self.metadata.title().unwrap_or_else(|| self.id.to_string())
    }

    pub fn unit_position(&self, id: &UnitId) -> Option<usize> {
        let found = self
            .units_by_id
            .binary_search_by(|&i| self.units[i].id.cmp(id))
            .ok()?;
        Some(self.units_by_id[found])
    }

    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.unit_position(id).map(|i| &self.units[i])
    }

    pub fn unit_text(&self, unit: &Unit) -> &str {
        &self.body[unit.bytes.clone()]
    }

    /// The unit that contains code point `offset`, if any.
    pub fn unit_at(&self, offset: usize) -> Option<usize> {
        let after = self.units.partition_point(|u| u.range.start <= offset);
        let candidate = after.checked_sub(1)?;
        (offset < self.units[candidate].range.end).then_some(candidate)
    }

    /// The byte offset of code point `offset` in the body, or `None` past its end.
    pub fn byte_offset(&self, offset: usize) -> Option<usize> {
        // Start from the nearest unit before `offset`, so long documents are not walked whole.
        let after = self.units.partition_point(|u| u.range.start <= offset);
        let (byte, char_at) = match after.checked_sub(1) {
            Some(i) => (self.units[i].bytes.start, self.units[i].range.start),
            None => (0, 0),
        };
        // A unit can be a 100 MB paragraph: its chars are counted a block at a time.
        byte_of_char(&self.body[byte..], offset - char_at).map(|b| byte + b)
    }

    /// The text of `range`, or `None` if it lies outside the body.
    pub fn slice(&self, range: CodePointRange) -> Option<&str> {
        if range.end < range.start {
            return None;
        }
        let start = self.byte_offset(range.start)?;
        let len: usize = self.body[start..]
            .chars()
            .take(range.len())
            .map(char::len_utf8)
            .sum();
        let end = start + len;
        (self.body[start..end].chars().count() == range.len()).then(|| &self.body[start..end])
    }

    /// Code point length of the body.
    pub fn len_chars(&self) -> usize {
        self.units
            .last()
            .map(|u| u.range.end + self.body[u.bytes.end..].chars().count())
            .unwrap_or_else(|| self.body.chars().count())
    }
}

/// The front matter's `segmentation:` (how paragraphs are told apart), `auto` if absent.
fn layout_of(path: &Path, metadata: &Metadata) -> Result<Layout> {
    let Some(value) = metadata.get("segmentation") else {
        return Ok(Layout::Auto);
    };
    Layout::parse(&value.to_string()).ok_or_else(|| {
        let at = match metadata.lines.get("segmentation") {
            Some(&line) => SourcePos::at(path, line, 1),
            None => SourcePos::file(path),
        };
        Error::invalid(
            at,
            format!(
                "segmentation '{value}' is not one of: {} (units by sentence or line are a \
                 project option: `segmentation:` in normcode.yaml)",
                Layout::NAMES.join(", ")
            ),
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// Something wrong with the input that did not stop the load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}", self.message)
    }
}

/// All documents of a project, in id order.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    /// Files skipped or questionable, to report; the rest loaded fine.
    pub problems: Vec<Problem>,
    positions: HashMap<DocumentId, usize>,
}

const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md", "markdown"];

impl Corpus {
    pub fn from_documents(mut documents: Vec<Document>, problems: Vec<Problem>) -> Self {
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        let positions = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        Self {
            documents,
            problems,
            positions,
        }
    }

    /// Loads every `.txt` and `.md` file below `folder`. `project_root` bounds where a symbolic
    /// link may lead; `display_base` is what paths in messages are shown relative to.
    pub fn load(folder: &Path, project_root: &Path, mode: Segmentation) -> Result<Self> {
        Self::load_counting(folder, project_root, mode, &AtomicUsize::new(0))
    }

    /// [`Corpus::load`], adding one to `loaded` as each file is read (for a progress display).
    pub fn load_counting(
        folder: &Path,
        project_root: &Path,
        mode: Segmentation,
        loaded: &AtomicUsize,
    ) -> Result<Self> {
        let (files, mut problems) = document_files(folder, project_root)?;
        // Reading and parsing is most of the time, and each file's is independent of the others:
        // done on every core, then taken in file order as before.
        let threads = available_threads().min(files.len() / FILES_PER_THREAD);
        let loaded = map_in_order(
            files.iter().collect(),
            threads,
            || (),
            |(), file| {
                let file = load_file(folder, project_root, file, mode);
                loaded.fetch_add(1, Ordering::Relaxed);
                file
            },
        );
        let mut documents: Vec<Document> = Vec::with_capacity(files.len());
        let mut seen: HashMap<DocumentId, PathBuf> = HashMap::new();
        for LoadedFile { id, shown, outcome } in loaded {
            if let Some(first) = seen.get(&id) {
                problems.push(Problem::error(format!(
                    "{}: document id '{id}' is already used by {}; skipped",
                    shown.display(),
                    first.display()
                )));
                continue;
            }
            match outcome {
                Outcome::Unreadable(err) => return Err(err),
                Outcome::Skipped(problem) => problems.push(problem),
                Outcome::Parsed(document) => {
                    if document.units.is_empty() {
                        problems.push(Problem::warning(format!(
                            "{}: document has no text to code",
                            shown.display()
                        )));
                    }
                    seen.insert(id, shown);
                    documents.push(*document);
                }
            }
        }
        Ok(Self::from_documents(documents, problems))
    }

    /// One document of `folder`, loaded alone, as [`Corpus::load`] would load it: `wanted` if
    /// the folder has it, else the first document; with the number of document files. For
    /// showing a document before the whole corpus has loaded.
    pub fn load_one(
        folder: &Path,
        project_root: &Path,
        mode: Segmentation,
        wanted: Option<&DocumentId>,
    ) -> Result<(Option<Document>, usize)> {
        let (files, _) = document_files(folder, project_root)?;
        // In id order (the corpus's); among files with one id, in file order, as `load` keeps
        // the first that parses.
        let mut candidates: Vec<(DocumentId, &PathBuf)> = files
            .iter()
            .map(|file| (document_id(folder, file), file))
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        let wanted = candidates.iter().filter(|(id, _)| Some(id) == wanted);
        for (_, file) in wanted.chain(&candidates) {
            match load_file(folder, project_root, file, mode).outcome {
                Outcome::Parsed(document) => return Ok((Some(*document), files.len())),
                Outcome::Skipped(_) => {}
                Outcome::Unreadable(err) => return Err(err),
            }
        }
        Ok((None, files.len()))
    }

    pub fn get(&self, id: &DocumentId) -> Option<&Document> {
        self.position(id).map(|i| &self.documents[i])
    }

    pub fn position(&self, id: &DocumentId) -> Option<usize> {
        self.positions.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    pub fn unit_count(&self) -> usize {
        self.documents.iter().map(|d| d.units.len()).sum()
    }
}

/// One file of the documents folder, read and parsed.
struct LoadedFile {
    id: DocumentId,
    /// The path shown in messages.
    shown: PathBuf,
    outcome: Outcome,
}

enum Outcome {
    Parsed(Box<Document>),
    /// Not loaded, for the reason given (binary, not UTF-8, bad front matter).
    Skipped(Problem),
    /// The file could not be read: the load fails (unless another file has its id).
    Unreadable(Error),
}

fn load_file(folder: &Path, project_root: &Path, file: &Path, mode: Segmentation) -> LoadedFile {
    let shown = file
        .strip_prefix(project_root)
        .unwrap_or(file)
        .to_path_buf();
    let id = document_id(folder, file);
    let outcome = match std::fs::read(file).map(utf16_as_utf8) {
        Err(e) => Outcome::Unreadable(Error::io(&shown, "cannot read", e)),
        Ok(bytes) if bytes.contains(&0) => Outcome::Skipped(Problem::warning(format!(
            "{}: binary file (it holds NUL bytes); skipped",
            shown.display()
        ))),
        // std's UTF-8 check is quick on ASCII (and keeps the buffer), but is a third of loading
        // Chinese text, which simdutf8 checks several times faster (the body is copied then).
        Ok(bytes) if bytes.is_ascii() => match String::from_utf8(bytes) {
            Ok(raw) => parsed(Document::parse_owned(id.clone(), &shown, raw, mode)),
            Err(err) => not_utf8(&shown, err.as_bytes()),
        },
        Ok(bytes) => match simdutf8::basic::from_utf8(&bytes) {
            Ok(raw) => parsed(Document::parse(id.clone(), &shown, raw, mode)),
            Err(_) => not_utf8(&shown, &bytes),
        },
    };
    LoadedFile { id, shown, outcome }
}

/// A UTF-16 text (as Windows Notepad and Word save it: starting with a byte order mark) as
/// UTF-8; any other bytes as they are.
fn utf16_as_utf8(bytes: Vec<u8>) -> Vec<u8> {
    let decoded = match encoding_rs::Encoding::for_bom(&bytes) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .map(|text| text.into_owned()),
        _ => None,
    };
    // Not valid UTF-16 after all: reported as binary or not UTF-8, as any such file.
    decoded.map_or(bytes, String::into_bytes)
}

fn parsed(document: Result<Document>) -> Outcome {
    match document {
        Ok(document) => Outcome::Parsed(Box::new(document)),
        Err(err) => Outcome::Skipped(Problem::error(format!("{err}; document skipped"))),
    }
}

/// The warning for a file that is not UTF-8, naming the line of the first bad byte.
fn not_utf8(shown: &Path, bytes: &[u8]) -> Outcome {
    let valid_up_to = std::str::from_utf8(bytes)
        .err()
        .map_or(bytes.len(), |e| e.valid_up_to());
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    Outcome::Skipped(Problem::warning(format!(
        "{}:{line}: not UTF-8 text; skipped (convert it to UTF-8 to code it)",
        shown.display()
    )))
}

/// Fewer files than this per thread are not worth a thread.
const FILES_PER_THREAD: usize = 16;

fn document_id(folder: &Path, file: &Path) -> DocumentId {
    let relative = file.strip_prefix(folder).unwrap_or(file).with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    DocumentId::new(parts.join("/"))
}

/// The document files below `folder`, sorted, with the problems met listing them.
///
/// Symbolic links are followed, to files and to folders alike, where they stay inside the
/// project, and each target is read once: a folder already walked (a link back up, a second
/// link to one folder) or a file already listed is skipped with a warning, so a link loop
/// ends. Real entries come before links, so a link never hides what it points to.
pub fn document_files(folder: &Path, project_root: &Path) -> Result<(Vec<PathBuf>, Vec<Problem>)> {
    let root = project_root
        .canonicalize()
        .map_err(|e| Error::io(project_root, "cannot open project folder", e))?;
    let mut walk = Walk {
        root: &root,
        project_root,
        folders: HashMap::new(),
        files: HashMap::new(),
        links: Vec::new(),
        listed: Vec::new(),
        problems: Vec::new(),
    };
    let metadata = std::fs::metadata(folder).map_err(|e| Error::io(folder, "cannot list", e))?;
    walk.folders
        .insert(file_key(&metadata), folder.to_path_buf());
    walk.folder(folder)?;
    // Links found while walking links are queued behind them: the queue only grows by folders
    // not walked before, so it ends.
    let mut next = 0;
    while next < walk.links.len() {
        let link = walk.links[next].clone();
        next += 1;
        walk.link(&link)?;
    }
    let Walk {
        mut listed,
        problems,
        ..
    } = walk;
    listed.sort();
    Ok((listed, problems))
}

/// A file's identity on its device: two paths with one key are one file (or folder).
fn file_key(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

/// The walk of a documents folder (see [`document_files`]).
struct Walk<'a> {
    /// The project folder, canonical: where links may lead.
    root: &'a Path,
    /// The project folder as given: what paths in messages are shown relative to.
    project_root: &'a Path,
    /// Every folder entered, by identity, with the path it was entered by.
    folders: HashMap<(u64, u64), PathBuf>,
    /// Every document file listed, by identity, with the path it was listed by.
    files: HashMap<(u64, u64), PathBuf>,
    /// Symbolic links met, followed once the real entries are all walked.
    links: Vec<PathBuf>,
    listed: Vec<PathBuf>,
    problems: Vec<Problem>,
}

impl Walk<'_> {
    fn shown<'p>(&self, path: &'p Path) -> std::path::Display<'p> {
        path.strip_prefix(self.project_root)
            .unwrap_or(path)
            .display()
    }

    fn folder(&mut self, folder: &Path) -> Result<()> {
        let mut entries = std::fs::read_dir(folder)
            .map_err(|e| Error::io(folder, "cannot list", e))?
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::io(folder, "cannot list", e))?;
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let file_type = entry
                .file_type()
                .map_err(|e| Error::io(&path, "cannot inspect", e))?;
            if file_type.is_symlink() {
                self.links.push(path);
            } else if file_type.is_dir() {
                let metadata = entry
                    .metadata()
                    .map_err(|e| Error::io(&path, "cannot inspect", e))?;
                if self.enter(&path, &metadata) {
                    self.folder(&path)?;
                }
            } else if is_document_file(&path) {
                let metadata = entry
                    .metadata()
                    .map_err(|e| Error::io(&path, "cannot inspect", e))?;
                self.list(path, &metadata);
            }
        }
        Ok(())
    }

    /// Follows one symbolic link, if it stays inside the project and leads somewhere new.
    fn link(&mut self, path: &Path) -> Result<()> {
        // A link may point anywhere; only follow it where it stays inside the project.
        let metadata = match (path.canonicalize(), std::fs::metadata(path)) {
            (Ok(target), Ok(metadata)) if target.starts_with(self.root) => metadata,
            _ => {
                self.problems.push(Problem::warning(format!(
                    "{}: symbolic link leads outside the project (or nowhere); skipped",
                    self.shown(path)
                )));
                return Ok(());
            }
        };
        if metadata.is_dir() {
            if self.enter(path, &metadata) {
                self.folder(path)?;
            }
        } else if is_document_file(path) {
            self.list(path.to_path_buf(), &metadata);
        }
        Ok(())
    }

    /// Whether `folder` is new (then it is recorded as entered), else says it is skipped.
    fn enter(&mut self, folder: &Path, metadata: &std::fs::Metadata) -> bool {
        match self.folders.get(&file_key(metadata)) {
            Some(first) => {
                self.problems.push(Problem::warning(format!(
                    "{}: a link back to {}, skipped",
                    self.shown(folder),
                    self.shown(first)
                )));
                false
            }
            None => {
                self.folders
                    .insert(file_key(metadata), folder.to_path_buf());
                true
            }
        }
    }

    fn list(&mut self, file: PathBuf, metadata: &std::fs::Metadata) {
        match self.files.get(&file_key(metadata)) {
            Some(first) => self.problems.push(Problem::warning(format!(
                "{}: a link to {}, which is already read; skipped",
                self.shown(&file),
                self.shown(first)
            ))),
            None => {
                self.files.insert(file_key(metadata), file.clone());
                self.listed.push(file);
            }
        }
    }
}

fn is_document_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Where a front matter key sits, for messages about it.
/// The byte offset of code point `n` of `text` (`text.len()` for `n` equal to its length,
/// `None` past that): what `text.char_indices().nth(n)` gives, found by counting the chars of
/// 1 KB blocks eight bytes at a time (a char starts at every byte that is not a UTF-8
/// continuation byte), many times faster than a char at a time on a unit of many megabytes.
pub fn byte_of_char(text: &str, n: usize) -> Option<usize> {
    const BLOCK: usize = 1024;
    let bytes = text.as_bytes();
    let mut left = n;
    let mut at = 0;
    while bytes.len() - at > BLOCK {
        let count = char_starts(&bytes[at..at + BLOCK]);
        if count > left {
            break;
        }
        left -= count;
        at += BLOCK;
    }
    for (i, &b) in bytes[at..].iter().enumerate() {
        if (b as i8) >= -0x40 {
            if left == 0 {
                return Some(at + i);
            }
            left -= 1;
        }
    }
    (left == 0).then_some(bytes.len())
}

/// Bytes of `block` (at most 2,040 bytes) that start a char, eight at a time: in each byte
/// lane, 1 unless the byte is `0b10xx_xxxx`.
fn char_starts(block: &[u8]) -> usize {
    const LSB: u64 = 0x0101_0101_0101_0101;
    const PAIRS: u64 = 0x00FF_00FF_00FF_00FF;
    let mut words = block.chunks_exact(8);
    let mut lanes = 0u64;
    for word in words.by_ref() {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        lanes += ((!w >> 7) | (w >> 6)) & LSB;
    }
    let pairs = (lanes & PAIRS) + ((lanes >> 8) & PAIRS);
    let sum = (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
    sum + words
        .remainder()
        .iter()
        .filter(|&&b| (b as i8) >= -0x40)
        .count()
}

pub fn metadata_pos(document: &Document, key: &str) -> SourcePos {
    match document.metadata.lines.get(key) {
        Some(&line) => SourcePos::at(&document.path, line, 1),
        None => SourcePos::file(&document.path),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn byte_of_char_finds_what_char_indices_finds_across_blocks() {
        // Chars of 1 to 4 bytes, so block edges fall inside chars; longer than several blocks.
        let text = "a é 关键 🙂 States ".repeat(2_000);
        let chars = text.chars().count();
        for n in (0..chars).step_by(7).chain(chars - 20..chars) {
            let want = text.char_indices().nth(n).map(|(b, _)| b);
            assert_eq!(super::byte_of_char(&text, n), want, "code point {n}");
        }
        assert_eq!(super::byte_of_char(&text, chars), Some(text.len()));
        assert_eq!(super::byte_of_char(&text, chars + 1), None);
        assert_eq!(super::byte_of_char("", 0), Some(0));
        assert_eq!(super::byte_of_char("", 1), None);
    }

    use super::*;

    fn doc(raw: &str) -> Document {
        Document::parse(
            DocumentId::new("d"),
            Path::new("d.md"),
            raw,
            Segmentation::Paragraph,
        )
        .unwrap()
    }

    #[test]
    fn slices_and_offsets_are_in_code_points() {
        let d = doc("---\ntitle: t\n---\n中文 text.\n\n第二段 second.");
        assert_eq!(d.slice(CodePointRange::new(0, 2)), Some("中文"));
        assert_eq!(d.slice(CodePointRange::new(10, 13)), Some("第二段"));
        assert_eq!(d.unit_at(11), Some(1));
        assert_eq!(d.unit_at(9), None, "the blank line belongs to no unit");
        assert_eq!(d.slice(CodePointRange::new(20, 40)), None);
        assert_eq!(d.len_chars(), 21);
    }

    #[test]
    fn crlf_and_bom_are_normalized() {
        let d = doc("\u{feff}---\r\ntitle: t\r\n---\r\nOne.\r\n\r\nTwo.");
        assert_eq!(d.body, "One.\n\nTwo.");
        assert_eq!(d.units.len(), 2);
    }

    #[test]
    fn units_are_found_by_id() {
        let d = doc("---\ntitle: t\n---\n2. Two.\n\n1. One.\n(a) A.\n\nText.\n\n1. Again.");
        let ids: Vec<_> = d.units.iter().map(|u| u.id.to_string()).collect();
        assert_eq!(ids, ["2", "1", "1.a", "p4", "p5"]);
        for (i, unit) in d.units.iter().enumerate() {
            assert_eq!(d.unit_position(&unit.id), Some(i));
        }
        assert_eq!(d.unit_position(&UnitId::new("3")), None);
    }

    #[test]
    fn parallel_load_keeps_file_order_and_first_of_duplicate_ids() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        for i in 0..100 {
            std::fs::write(docs.join(format!("d{i:03}.md")), format!("Doc {i}.")).unwrap();
        }
        std::fs::write(docs.join("d050.txt"), "Same id.").unwrap();
        std::fs::write(docs.join("d060.txt"), b"\x00").unwrap();
        let corpus = Corpus::load(&docs, dir.path(), Segmentation::Paragraph).unwrap();
        assert_eq!(corpus.len(), 100);
        for (i, d) in corpus.documents.iter().enumerate() {
            assert_eq!(d.id.as_str(), format!("d{i:03}"));
            assert_eq!(d.body, format!("Doc {i}."));
        }
        let messages: Vec<_> = corpus.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("d050.txt: document id 'd050' is already used"));
        assert!(messages[1].contains("d060.txt: document id 'd060' is already used"));
    }

    #[test]
    fn loads_folder_skips_binary_and_non_utf8_with_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir_all(docs.join("un")).unwrap();
        std::fs::write(docs.join("un/a.md"), "---\ntitle: A\n---\nText.").unwrap();
        std::fs::write(docs.join("b.txt"), "Plain.").unwrap();
        std::fs::write(docs.join("bin.txt"), b"\x00\x01").unwrap();
        std::fs::write(docs.join("latin1.txt"), b"caf\xe9").unwrap();
        std::fs::write(docs.join("notes.pdf"), b"%PDF").unwrap();
        std::fs::write(docs.join("zh.md"), "---\ntitle: 报告\n---\n各国应合作。").unwrap();
        std::fs::write(docs.join("zh-bad.md"), b"\xe5\x90\x84\n\xe5\x90").unwrap();
        let corpus = Corpus::load(&docs, dir.path(), Segmentation::Paragraph).unwrap();
        let ids: Vec<_> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["b", "un/a", "zh"]);
        assert_eq!(corpus.documents[2].body, "各国应合作。");
        assert_eq!(corpus.problems.len(), 3, "{:?}", corpus.problems);
        assert!(
            corpus
                .problems
                .iter()
                .any(|p| p.message.contains("zh-bad.md:2: not UTF-8")),
            "{:?}",
            corpus.problems
        );
        assert!(corpus.problems.iter().any(|p| p.message.contains("binary")));
        assert!(
            corpus
                .problems
                .iter()
                .any(|p| p.message.contains("not UTF-8"))
        );
    }
}
