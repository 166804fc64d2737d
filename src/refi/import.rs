//! `normcode import FILE.qdpx --into DIR`: a REFI-QDA project (from QualCoder, MAXQDA, NVivo,
//! ATLAS.ti, or normcode) becomes a normcode project.
//!
//! - Codes become the codebook ([`super::codes`]): codes with sub-codes categories, the others
//!   indicators, ids from normcode's own description lines or derived from the names. The
//!   settings normcode writes into the project's description ([`super::header`]) give back the
//!   codebook's name, version, languages, variables, attributes and history.
//! - Text sources become documents `documents/ID.md`: the text (a BOM dropped, `\r\n` read as
//!   `\n`) after front matter with the title and the source's variable values (and those of
//!   its cases). The id is the one normcode wrote into the description, else the source's name
//!   (without extension, `/` kept as folders, other characters file names cannot hold as `_`).
//!   A PDF source is read from its text representation, or through `normcode import`'s PDF
//!   reader; a source with only a DOCX through its DOCX reader.
//! - Users become coders (`annotations/NAME.yaml`); codings without a known user go to
//!   `unknown`.
//! - Text selections become annotations: each is placed by checking its name (the selected text,
//!   as QualCoder and normcode write it) against the text, which tells code points from UTF-16
//!   code units, `\r\n` counted as one or two, and inclusive from exclusive ends
//!   ([`super::positions`]); what was read otherwise than the standard says is reported. A
//!   selection that covers a whole unit codes the unit; one that crosses units is split at
//!   their edges. Codings of one coder on the same text are one annotation with several codes.
//! - Notes a source refers to become the coder's document memo; notes on a selection or coding
//!   join that annotation's memo.
//! - What has no place in normcode (pictures, audio, video, PDF areas, graphs, links, sets,
//!   journals, codings on codes that have sub-codes) is counted in the report, never dropped
//!   silently.
//!
//! Nothing is written unless all of it succeeds: the project is built in a temporary folder
//! next to `DIR`, loaded and checked, then renamed to `DIR`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;

pub use super::archive::write;
use super::archive::{Archive, utf8};
use super::mapping::{
    coder_name, id_from_name, lower, parse_time, pieces, plural, short, status_of, unique,
};

use super::codes::{self, Kind};
use super::dom::{self, Element};
use super::header::{Header, VariableOut};
use super::positions::{self, Placed, Reading, Text};
use crate::annotations::{Annotation, CoderFile, DocumentCoding, SCHEMA_VERSION, Status};
use crate::corpus::{CodePointRange, Document, DocumentId, IndicatorId, MetaValue, Segmentation};
use crate::error::{Error, Result, SourcePos};
use crate::export::guid;

/// A project read from a `.qdpx`, ready to be written.
#[derive(Debug, Default)]
pub struct Imported {
    /// `(path inside the project, content)`.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub documents: usize,
    pub coders: Vec<String>,
    pub annotations: usize,
    pub memos: usize,
    pub indicators: usize,
    /// How things were read: corrections, ids derived, statuses assumed.
    pub notes: Vec<String>,
    /// What could not be mapped, and was left out.
    pub left_out: Vec<String>,
}

/// A variable of the project.
struct Variable {
    name: String,
    /// The front matter key.
    key: String,
    kind: String,
}

/// A value of a variable on a source, as text, with whether it was typed a number.
fn variable_values(element: &Element) -> Vec<(String, String)> {
    element
        .all("VariableValue")
        .filter_map(|v| {
            let guid = lower(v.first("VariableRef")?.attr("targetGUID"))?;
            let value = v
                .children
                .iter()
                .find(|c| c.name != "VariableRef")
                .map(|c| c.text.trim().to_string())?;
            Some((guid, value))
        })
        .collect()
}

/// One source, read.
struct Source<'a> {
    element: &'a Element,
    /// The text as stored (BOM removed), and its selections' element.
    raw: String,
    id: String,
    title: String,
    /// A description that is not a title: the creating user's memo.
    memo: Option<String>,
    statuses: Vec<(String, Status)>,
    values: BTreeMap<String, MetaValue>,
    /// The element holding `PlainTextSelection`s (the source, or a PDF's representation).
    selections_in: &'a Element,
}

/// The front matter, title first, one `key: value` line each (text double-quoted).
fn front_matter(title: &str, values: &BTreeMap<String, MetaValue>) -> String {
    let mut out = format!("title: {}\n", crate::import::yaml_string(title));
    for (key, value) in values {
        let value = match value {
            MetaValue::Integer(n) => n.to_string(),
            other => crate::import::yaml_string(&other.to_string()),
        };
        out.push_str(&format!("{key}: {value}\n"));
    }
    out
}

/// One coder's work on one document, as it is built.
#[derive(Default)]
struct Work {
    annotations: Vec<Annotation>,
    /// (unit, span) → position in `annotations`.
    index: HashMap<(String, Option<(usize, usize)>), usize>,
    memos: Vec<String>,
    status: Option<Status>,
}

/// Reads the `.qdpx` at `path`.
pub fn read(path: &Path, language: &str) -> Result<Imported> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
    read_bytes(path, &bytes, language)
}

/// Reads a `.qdpx` archive's `bytes`; `path` names it in messages.
pub fn read_bytes(path: &Path, bytes: &[u8], language: &str) -> Result<Imported> {
    let archive = Archive::read(path, bytes)?;
    let (qde_name, qde_bytes) = archive.project_qde()?;
    let qde_path = archive.shown(qde_name);
    let qde = utf8(&qde_path, qde_bytes)?;
    let root = dom::parse(&qde_path, &qde)?;
    if root.name != "Project" {
        return Err(Error::invalid(
            SourcePos::at(&qde_path, 1, 1),
            format!(
                "not a REFI-QDA project: the root element is <{}>, not <Project>",
                root.name
            ),
        ));
    }
    let context = Context {
        archive: &archive,
        qde: &qde,
        qde_path: &qde_path,
    };
    let header = match root.first("Description") {
        Some(d) => {
            let line = dom::line_column(&qde, d.offset).0;
            Header::from_text_at(&qde_path, &d.text, line - 1)?
        }
        None => None,
    };
    let mut counts = Counts::default();

    let tree = codes::read_codes(&qde_path, &qde)?;
    let project_name = root
        .attr("name")
        .map(|n| n.trim_end_matches(".qda").trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Imported project".to_string());
    let mut built = codes::build(&project_name, &tree.roots, header.as_ref(), language)?;
    let users = read_users(&root, &context)?;
    let mut variables = read_variables(&root, header.as_ref());
    let case_values = read_cases(&root, &mut counts);
    let sources = read_sources(&root, &context, &mut variables, &case_values, &mut counts)?;
    let notes = read_notes(&root, &context)?;

    let mut coding = Coding {
        context: &context,
        notes: &notes,
        notes_used: BTreeSet::new(),
        users: &users,
        codes: &built.codes,
        from_normcode: header.is_some(),
        segmentation: header
            .as_ref()
            .and_then(|h| h.segmentation)
            .unwrap_or_default(),
        work: BTreeMap::new(),
        counts: &mut counts,
    };
    let mut documents = Vec::new();
    for source in &sources {
        documents.push(coding.read_document(source)?);
    }
    let Coding {
        notes_used,
        work,
        segmentation,
        ..
    } = coding;
    // Notes nothing refers to: journals, project memos.
    let loose: Vec<String> = notes
        .iter()
        .filter(|(guid, _)| !notes_used.contains(*guid))
        .map(|(_, n)| n.attr("name").unwrap_or("(no name)").to_string())
        .collect();

    let mut out = Imported {
        indicators: built
            .codes
            .values()
            .filter(|(kind, _)| *kind == Kind::Indicator)
            .count(),
        ..Imported::default()
    };
    add_declared_variables(&mut built, &variables.declared);
    write_settings(&mut out, path, &qde_path, &built, segmentation)?;
    out.documents = documents.len();
    write_coders(&mut out, work, &documents, header.as_ref(), &mut counts)?;
    for (relative, _, markdown) in documents {
        out.files.push((relative, markdown.into_bytes()));
    }
    report(&mut out, &counts, header.is_some(), loose);
    report_unmapped(&mut out, &root);
    Ok(out)
}

/// What every reading step needs: the archive, and the project file for positions in messages.
struct Context<'a> {
    archive: &'a Archive,
    qde: &'a str,
    qde_path: &'a Path,
}

impl Context<'_> {
    /// Where `element` starts in the project file.
    fn at(&self, element: &Element) -> SourcePos {
        let (line, column) = dom::line_column(self.qde, element.offset);
        SourcePos::at(self.qde_path, line, column)
    }

    /// A file inside the archive that `element` refers to, as text; `what` names it in the error.
    fn internal_text(&self, element: &Element, reference: &str, what: String) -> Result<String> {
        let (inner, bytes) = self
            .archive
            .internal(reference)
            .ok_or_else(|| Error::invalid(self.at(element), what))?;
        utf8(&self.archive.shown(inner), bytes)
    }

    /// A file inside the archive that `element` refers to, converted by `normcode import`'s
    /// readers (DOCX, PDF, ...).
    fn internal_converted(
        &self,
        element: &Element,
        reference: &str,
        what: String,
    ) -> Result<String> {
        let (inner, bytes) = self
            .archive
            .internal(reference)
            .ok_or_else(|| Error::invalid(self.at(element), what))?;
        Ok(crate::import::convert_bytes(&self.archive.shown(inner), bytes)?.body)
    }

    /// A note's text, inline or in the archive.
    fn note_text(&self, note: &Element) -> Result<String> {
        if let Some(text) = note.child_text("PlainTextContent") {
            return Ok(text.trim().to_string());
        }
        match note
            .attr("plainTextPath")
            .and_then(|p| self.archive.internal(p))
        {
            Some((inner, bytes)) => Ok(utf8(&self.archive.shown(inner), bytes)?.trim().to_string()),
            None => Ok(String::new()),
        }
    }
}

/// What the report counts while reading.
#[derive(Default)]
struct Counts {
    unknown_user: std::cell::Cell<usize>,
    unknown_variable: usize,
    named_cases: usize,
    left_out_sources: BTreeMap<String, usize>,
    pdf_areas: usize,
    ids_derived: usize,
    corrections: BTreeMap<Reading, usize>,
    unchecked: usize,
    split: usize,
    empty: usize,
    on_categories: BTreeMap<String, usize>,
    unknown_codes: usize,
    uncoded_memos: usize,
    assumed_status: usize,
}

/// Users by GUID, as coder names.
struct Users(HashMap<String, String>);

impl Users {
    /// The coder a `creatingUser` GUID names, else `unknown` (counted).
    fn coder_of(&self, guid: Option<&str>, counts: &Counts) -> String {
        match lower(guid).and_then(|g| self.0.get(&g).cloned()) {
            Some(name) => name,
            None => {
                counts.unknown_user.set(counts.unknown_user.get() + 1);
                "unknown".to_string()
            }
        }
    }
}

/// The project's users, each a unique coder name.
fn read_users(root: &Element, context: &Context) -> Result<Users> {
    let mut used_names = BTreeSet::new();
    let mut users: HashMap<String, String> = HashMap::new();
    for user in root.first("Users").into_iter().flat_map(|u| u.all("User")) {
        let Some(guid) = lower(user.attr("guid")) else {
            continue;
        };
        let name = user.attr("name").or(user.attr("id")).unwrap_or("coder");
        if users.contains_key(&guid) {
            return Err(Error::invalid(
                context.at(user),
                format!("two users have the GUID {guid}"),
            ));
        }
        users.insert(guid, unique(coder_name(name), &mut used_names));
    }
    Ok(Users(users))
}

/// The project's variables, and the front matter keys the sources' values take.
struct Variables<'h> {
    by_guid: HashMap<String, Variable>,
    /// The variables normcode's settings declare, by id.
    header: BTreeMap<String, &'h VariableOut>,
    /// Keys the sources use that neither normcode's settings nor the corpus know: (name,
    /// whether every value was a whole number).
    declared: BTreeMap<String, (String, bool)>,
}

fn read_variables<'h>(root: &Element, header: Option<&'h Header>) -> Variables<'h> {
    let header_variables: BTreeMap<String, &VariableOut> = header
        .map(|h| {
            h.codebook
                .variables
                .iter()
                .map(|v| (v.id.clone(), v))
                .collect()
        })
        .unwrap_or_default();
    let mut by_guid: HashMap<String, Variable> = HashMap::new();
    for v in root
        .first("Variables")
        .into_iter()
        .flat_map(|v| v.all("Variable"))
    {
        let Some(guid) = lower(v.attr("guid")) else {
            continue;
        };
        let name = v.attr("name").unwrap_or("variable").to_string();
        // Front matter keys are lower case, except a variable normcode declared otherwise.
        let key = if header_variables.contains_key(&name) {
            name.clone()
        } else {
            codes::derive_id(&name).to_lowercase()
        };
        by_guid.insert(
            guid,
            Variable {
                name,
                key,
                kind: v.attr("typeOfVariable").unwrap_or("Text").to_string(),
            },
        );
    }
    Variables {
        by_guid,
        header: header_variables,
        declared: BTreeMap::new(),
    }
}

impl Variables<'_> {
    /// A `<variable>_group` column normcode derives from a category variable's groups.
    fn derived(&self, key: &str) -> bool {
        key.strip_suffix("_group")
            .and_then(|base| self.header.get(base))
            .is_some_and(|v| !v.groups.is_empty())
    }

    /// Adds `values` (variable GUID, text) to front matter `into`, typed; a key already there
    /// stays.
    fn typed(
        &mut self,
        values: Vec<(String, String)>,
        into: &mut BTreeMap<String, MetaValue>,
        counts: &mut Counts,
    ) {
        for (guid, text) in values {
            let Some(variable) = self.by_guid.get(&guid) else {
                counts.unknown_variable += 1;
                continue;
            };
            if text.is_empty() || self.derived(&variable.key) || into.contains_key(&variable.key) {
                continue;
            }
            let number = text
                .parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64);
            let header_kind = self.header.get(&variable.key).map(|v| v.kind);
            let integer = match header_kind {
                Some(kind) => kind == crate::codebook::VariableType::Integer,
                None => {
                    variable.key == "year" || matches!(variable.kind.as_str(), "Integer" | "Float")
                }
            };
            let value = match number {
                Some(n) if integer => MetaValue::Integer(n),
                _ => MetaValue::Text(text),
            };
            let known = crate::corpus::KNOWN_KEYS.contains(&variable.key.as_str());
            if !known && !self.header.contains_key(&variable.key) {
                let entry = self
                    .declared
                    .entry(variable.key.clone())
                    .or_insert_with(|| (variable.name.clone(), true));
                entry.1 &= matches!(value, MetaValue::Integer(_));
            }
            into.insert(variable.key.clone(), value);
        }
    }
}

/// Cases: their variable values, by the GUID of each source they refer to.
fn read_cases(root: &Element, counts: &mut Counts) -> HashMap<String, Vec<(String, String)>> {
    let mut case_values: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for case in root.first("Cases").into_iter().flat_map(|c| c.all("Case")) {
        let values = variable_values(case);
        if case.attr("name").is_some() {
            counts.named_cases += 1;
        }
        for source in case.all("SourceRef") {
            if let Some(guid) = lower(source.attr("targetGUID")) {
                case_values
                    .entry(guid)
                    .or_default()
                    .extend(values.iter().cloned());
            }
        }
    }
    case_values
}

/// The text sources (and PDF sources with a text), each with its document id, title and
/// front matter; other sources are counted as left out.
fn read_sources<'a>(
    root: &'a Element,
    context: &Context,
    variables: &mut Variables,
    case_values: &HashMap<String, Vec<(String, String)>>,
    counts: &mut Counts,
) -> Result<Vec<Source<'a>>> {
    let mut used_ids = BTreeSet::new();
    let mut sources: Vec<Source> = Vec::new();
    let mut source_guids: BTreeSet<String> = BTreeSet::new();
    for element in root
        .first("Sources")
        .into_iter()
        .flat_map(|s| s.children.iter())
    {
        let guid = lower(element.attr("guid")).ok_or_else(|| {
            Error::invalid(
                context.at(element),
                format!("<{}> without a guid", element.name),
            )
        })?;
        if !source_guids.insert(guid.clone()) {
            return Err(Error::invalid(
                context.at(element),
                format!("two sources have the GUID {guid}"),
            ));
        }
        let name = element.attr("name").unwrap_or("").to_string();
        let shown_name = if name.is_empty() {
            guid.clone()
        } else {
            name.clone()
        };
        let Some((raw, selections_in)) = source_text(context, element, &shown_name, counts)? else {
            continue;
        };
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw).to_string();
        let description = element.child_text("Description").unwrap_or("").trim();
        let (described, trailer) = split_description(description);
        let id = match trailer.id {
            Some(id) if id_from_name(&id) == id => id,
            _ => {
                counts.ids_derived += 1;
                id_from_name(if name.is_empty() { &guid } else { &name })
            }
        };
        let id = unique(id, &mut used_ids);
        let (title, memo) = title_and_memo(described, &shown_name, trailer.present);
        let mut values = BTreeMap::new();
        variables.typed(variable_values(element), &mut values, counts);
        if let Some(more) = case_values.get(&guid) {
            variables.typed(more.clone(), &mut values, counts);
        }
        sources.push(Source {
            element,
            raw,
            id,
            title,
            memo,
            statuses: trailer.statuses,
            values,
            selections_in,
        });
    }
    Ok(sources)
}

/// A source's text and the element holding its selections; `None` for a kind of source
/// normcode does not read (counted).
fn source_text<'a>(
    context: &Context,
    element: &'a Element,
    shown_name: &str,
    counts: &mut Counts,
) -> Result<Option<(String, &'a Element)>> {
    Ok(Some(match element.name.as_str() {
        "TextSource" => {
            if let Some(content) = element.child_text("PlainTextContent") {
                (content.to_string(), element)
            } else if let Some(reference) = element.attr("plainTextPath") {
                let what =
                    format!("source {shown_name:?}: its text {reference} is not in the archive");
                (context.internal_text(element, reference, what)?, element)
            } else if let Some(reference) = element.attr("richTextPath") {
                let what =
                    format!("source {shown_name:?}: its file {reference} is not in the archive");
                (
                    context.internal_converted(element, reference, what)?,
                    element,
                )
            } else {
                return Err(Error::invalid(
                    context.at(element),
                    format!("source {shown_name:?} has no text (no plainTextPath)"),
                ));
            }
        }
        "PDFSource" => {
            counts.pdf_areas += element.all("PDFSelection").count();
            let representation = element.first("Representation");
            if let Some(rep) = representation
                && let Some(reference) = rep.attr("plainTextPath")
                && let Some((inner, bytes)) = context.archive.internal(reference)
            {
                (utf8(&context.archive.shown(inner), bytes)?, rep)
            } else if let Some(rep) = representation
                && let Some(content) = rep.child_text("PlainTextContent")
            {
                (content.to_string(), rep)
            } else {
                let reference = element.attr("path").unwrap_or("");
                let what = format!(
                    "PDF source {shown_name:?}: its file {reference:?} is not in the archive"
                );
                (
                    context.internal_converted(element, reference, what)?,
                    element,
                )
            }
        }
        other => {
            *counts
                .left_out_sources
                .entry(other.to_string())
                .or_default() += 1;
            return Ok(None);
        }
    }))
}

/// What normcode wrote at the end of a source's description.
#[derive(Default)]
struct Trailer {
    present: bool,
    id: Option<String>,
    statuses: Vec<(String, Status)>,
}

/// A source's description: the text before normcode's trailer, and the trailer read.
fn split_description(description: &str) -> (&str, Trailer) {
    let Some(at) = description.rfind(crate::export::qdpx::SOURCE_TRAILER) else {
        return (description, Trailer::default());
    };
    let mut trailer = Trailer {
        present: true,
        ..Trailer::default()
    };
    for token in description[at + "normcode: ".len()..].split_whitespace() {
        match token.split_once('=') {
            Some(("document", value)) => trailer.id = super::decode_token(value),
            Some(("status", list)) => {
                for pair in list.split(',') {
                    if let Some((coder, status)) = pair.split_once(':')
                        && let Some(coder) = super::decode_token(coder)
                        && let Some(status) = status_of(status)
                    {
                        trailer.statuses.push((coder, status));
                    }
                }
            }
            _ => {}
        }
    }
    (description[..at].trim(), trailer)
}

/// A source's title and memo: a short one-line description (or any beside normcode's trailer)
/// is the title; a longer one is a memo and the title is the source's name.
fn title_and_memo(described: &str, shown_name: &str, trailer: bool) -> (String, Option<String>) {
    if trailer
        || (!described.contains('\n') && described.chars().count() <= 200 && !described.is_empty())
    {
        let title = if described.is_empty() {
            shown_name
        } else {
            described
        };
        (title.to_string(), None)
    } else {
        (
            shown_name.trim_end_matches(".txt").to_string(),
            (!described.is_empty()).then(|| described.to_string()),
        )
    }
}

/// The project's notes by GUID.
fn read_notes<'a>(root: &'a Element, context: &Context) -> Result<HashMap<String, &'a Element>> {
    let mut notes: HashMap<String, &Element> = HashMap::new();
    for note in root.first("Notes").into_iter().flat_map(|n| n.all("Note")) {
        if let Some(guid) = lower(note.attr("guid"))
            && notes.insert(guid.clone(), note).is_some()
        {
            return Err(Error::invalid(
                context.at(note),
                format!("two notes have the GUID {guid}"),
            ));
        }
    }
    Ok(notes)
}

/// Turning sources into documents and their selections into each coder's annotations.
struct Coding<'a, 'c> {
    context: &'a Context<'a>,
    notes: &'a HashMap<String, &'a Element>,
    notes_used: BTreeSet<String>,
    users: &'a Users,
    codes: &'a HashMap<String, (Kind, String)>,
    from_normcode: bool,
    segmentation: Segmentation,
    work: BTreeMap<String, BTreeMap<DocumentId, Work>>,
    counts: &'c mut Counts,
}

impl Coding<'_, '_> {
    /// `coder`'s work on `document`.
    fn slot(&mut self, coder: String, document: &DocumentId) -> &mut Work {
        self.work
            .entry(coder)
            .or_default()
            .entry(document.clone())
            .or_default()
    }

    /// A source's document (path, parsed, Markdown), its memos and its codings.
    fn read_document(&mut self, source: &Source) -> Result<(PathBuf, Document, String)> {
        let at = |e: &Element| self.context.at(e);
        let text = Text::new(&source.raw);
        let body = text.slice(CodePointRange::new(0, text.char_count()));
        let front = front_matter(&source.title, &source.values);
        let markdown = format!("---\n{front}---\n{body}");
        let relative = PathBuf::from("documents").join(format!("{}.md", source.id));
        let document_id = DocumentId::new(source.id.as_str());
        let document =
            Document::parse(document_id.clone(), &relative, &markdown, self.segmentation).map_err(
                |e| {
                    Error::invalid(
                        at(source.element),
                        format!("source {:?} does not make a document: {e}", source.id),
                    )
                },
            )?;
        if document.body != body {
            return Err(Error::invalid(
                at(source.element),
                format!(
                    "source {:?}: its text does not read back the same; please report this",
                    source.id
                ),
            ));
        }
        for (coder, status) in &source.statuses {
            self.slot(coder_name(coder), &document_id).status = Some(*status);
        }
        self.document_memos(source, &document_id, &text)?;
        let mut selection_guids = BTreeSet::new();
        for selection in source.selections_in.all("PlainTextSelection") {
            if let Some(guid) = lower(selection.attr("guid"))
                && !selection_guids.insert(guid.clone())
            {
                return Err(Error::invalid(
                    self.context.at(selection),
                    format!(
                        "two selections in source {:?} have the GUID {guid}",
                        source.id
                    ),
                ));
            }
            self.read_selection(source, &document, &text, selection)?;
        }
        Ok((relative, document, markdown))
    }

    /// The source's memo and the notes it refers to become document memos.
    fn document_memos(
        &mut self,
        source: &Source,
        document_id: &DocumentId,
        text: &Text,
    ) -> Result<()> {
        if let Some(memo) = &source.memo {
            let coder = self
                .users
                .coder_of(source.element.attr("creatingUser"), self.counts);
            self.slot(coder, document_id).memos.push(memo.clone());
        }
        for reference in source.element.all("NoteRef") {
            let Some(guid) = lower(reference.attr("targetGUID")) else {
                continue;
            };
            let Some(note) = self.notes.get(&guid).copied() else {
                return Err(Error::invalid(
                    self.context.at(reference),
                    format!(
                        "source {:?} refers to a note {guid} that the project does not have",
                        source.id
                    ),
                ));
            };
            self.notes_used.insert(guid);
            let mut memo = self.context.note_text(note)?;
            if memo.is_empty() {
                continue;
            }
            // A note on part of the text (QualCoder's annotations) says which part.
            if let Some(selection) = note.first("PlainTextSelection")
                && let (Some(start), Some(end)) = (
                    selection.attr("startPosition").and_then(|s| s.parse().ok()),
                    selection.attr("endPosition").and_then(|s| s.parse().ok()),
                )
                && let Placed::Checked(range, _) | Placed::Unchecked(range) =
                    positions::place(text, start, end, None)
                && range != CodePointRange::new(0, text.char_count())
                && !range.is_empty()
            {
                self.counts.uncoded_memos += 1;
                memo = format!("[on \"{}\"] {memo}", short(&text.slice(range)));
            }
            let coder = self.users.coder_of(
                note.attr("creatingUser").or(note.attr("modifyingUser")),
                self.counts,
            );
            self.slot(coder, document_id).memos.push(memo);
        }
        Ok(())
    }

    /// Where a selection lies in the text, checked and corrected.
    fn place(
        &mut self,
        source: &Source,
        text: &Text,
        selection: &Element,
    ) -> Result<CodePointRange> {
        let number = |key: &str| -> Result<u64> {
            selection
                .attr(key)
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| {
                    Error::invalid(
                        self.context.at(selection),
                        format!("a selection without a whole-number {key}"),
                    )
                })
        };
        let (start, end) = (number("startPosition")?, number("endPosition")?);
        match positions::place(text, start, end, selection.attr("name")) {
            Placed::Checked(range, reading) => {
                if reading != Reading::STANDARD {
                    *self.counts.corrections.entry(reading).or_default() += 1;
                }
                Ok(range)
            }
            Placed::Unchecked(range) => {
                self.counts.unchecked += 1;
                Ok(range)
            }
            Placed::Outside => Err(Error::invalid(
                self.context.at(selection),
                format!(
                    "a selection at {start}..{end} lies outside the text of source {:?} ({} characters)",
                    source.id,
                    text.char_count()
                ),
            )),
        }
    }

    /// A selection's memo: its description and the notes it and its codings refer to.
    fn selection_memo(&mut self, selection: &Element) -> Result<Option<String>> {
        let memo = selection
            .child_text("Description")
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        let mut note_memos: Vec<String> = Vec::new();
        for reference in selection
            .all("NoteRef")
            .chain(selection.all("Coding").flat_map(|c| c.all("NoteRef")))
        {
            if let Some(guid) = lower(reference.attr("targetGUID"))
                && let Some(note) = self.notes.get(&guid)
            {
                self.notes_used.insert(guid);
                let text = self.context.note_text(note)?;
                if !text.is_empty() {
                    note_memos.push(text);
                }
            }
        }
        let memo = memo
            .into_iter()
            .chain(note_memos)
            .collect::<Vec<_>>()
            .join("\n\n");
        Ok((!memo.is_empty()).then_some(memo))
    }

    /// A text selection: each of its codings becomes (part of) an annotation; without codings,
    /// its memo a document memo paragraph.
    fn read_selection(
        &mut self,
        source: &Source,
        document: &Document,
        text: &Text,
        selection: &Element,
    ) -> Result<()> {
        let range = self.place(source, text, selection)?;
        let memo = self.selection_memo(selection)?;
        let created = parse_time(selection.attr("creationDateTime"));
        let modified = parse_time(selection.attr("modifiedDateTime")).or(created);
        let codings: Vec<&Element> = selection.all("Coding").collect();
        if codings.is_empty() {
            // A memo on text without a code (MAXQDA): the document memo says where.
            if let Some(memo) = memo {
                self.counts.uncoded_memos += 1;
                let coder = self
                    .users
                    .coder_of(selection.attr("creatingUser"), self.counts);
                self.slot(coder, &document.id)
                    .memos
                    .push(format!("[on \"{}\"] {memo}", short(&text.slice(range))));
            }
            return Ok(());
        }
        for coding in codings {
            let code_guid = lower(coding.first("CodeRef").and_then(|c| c.attr("targetGUID")));
            let code = match code_guid.as_ref().and_then(|g| self.codes.get(g)) {
                Some((Kind::Indicator, id)) => IndicatorId::new(id.as_str()),
                Some((Kind::Category, id)) => {
                    *self.counts.on_categories.entry(id.clone()).or_default() += 1;
                    continue;
                }
                None => {
                    self.counts.unknown_codes += 1;
                    continue;
                }
            };
            let coder = self.users.coder_of(
                coding
                    .attr("creatingUser")
                    .or(selection.attr("creatingUser")),
                self.counts,
            );
            let coding_created = parse_time(coding.attr("creationDateTime")).or(created);
            let pieces = pieces(document, range);
            if pieces.is_empty() {
                self.counts.empty += 1;
                continue;
            }
            if pieces.len() > 1 {
                self.counts.split += 1;
            }
            let one = pieces.len() == 1;
            let from_normcode = self.from_normcode;
            let slot = self.slot(coder.clone(), &document.id);
            for (unit, mut span) in pieces {
                let unit = &document.units[unit];
                // normcode wrote a span that covers its whole unit: its GUID says so.
                if span.is_none()
                    && one
                    && from_normcode
                    && lower(selection.attr("guid"))
                        == Some(guid::selection(
                            &coder,
                            &document.id,
                            &unit.id,
                            Some(range),
                            &code,
                        ))
                {
                    span = Some(range);
                }
                let key = (unit.id.to_string(), span.map(|s| (s.start, s.end)));
                match slot.index.get(&key) {
                    Some(&at) => {
                        let a = &mut slot.annotations[at];
                        if !a.codes.contains(&code) {
                            a.codes.push(code.clone());
                        }
                        if let Some(memo) = &memo
                            && a.memo.as_deref().is_none_or(|m| !m.contains(memo.as_str()))
                        {
                            a.memo = Some(match a.memo.take() {
                                Some(old) => format!("{old}\n\n{memo}"),
                                None => memo.clone(),
                            });
                        }
                        a.created = a
                            .created
                            .min(coding_created)
                            .or(a.created)
                            .or(coding_created);
                        a.modified = a.modified.max(modified);
                    }
                    None => {
                        let mut a = Annotation::new_in(
                            document,
                            unit,
                            span,
                            vec![code.clone()],
                            Utc::now(),
                        );
                        a.created = coding_created;
                        a.modified = modified;
                        a.memo = memo.clone();
                        slot.index.insert(key, slot.annotations.len());
                        slot.annotations.push(a);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The codebook gains the variables the sources use that it does not declare.
fn add_declared_variables(built: &mut codes::Built, declared: &BTreeMap<String, (String, bool)>) {
    for (key, (name, integer)) in declared {
        built.codebook.variables.push(VariableOut {
            id: key.clone(),
            label: built
                .codebook
                .languages
                .iter()
                .map(|l| (l.clone(), name.clone()))
                .collect(),
            kind: if *integer {
                crate::codebook::VariableType::Integer
            } else {
                crate::codebook::VariableType::Text
            },
            groups: Vec::new(),
            values: Vec::new(),
            min: None,
            max: None,
        });
    }
}

/// `codebook.yaml` and `normcode.yaml`.
fn write_settings(
    out: &mut Imported,
    path: &Path,
    qde_path: &Path,
    built: &codes::Built,
    segmentation: Segmentation,
) -> Result<()> {
    let codebook_yaml = built.codebook.to_yaml(qde_path)?;
    out.files.push((
        PathBuf::from("codebook.yaml"),
        format!(
            "# Imported by normcode from {}.\n{codebook_yaml}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )
        .into_bytes(),
    ));
    out.files.push((
        PathBuf::from("normcode.yaml"),
        format!(
            "# Imported by normcode from a REFI-QDA project.\ndocuments: documents\nsegmentation: {}\n",
            match segmentation {
                Segmentation::Paragraph => "paragraph",
                Segmentation::Sentence => "sentence",
                Segmentation::Line => "line",
            }
        )
        .into_bytes(),
    ));
    Ok(())
}

/// One `annotations/CODER.yaml` per coder.
fn write_coders(
    out: &mut Imported,
    work: BTreeMap<String, BTreeMap<DocumentId, Work>>,
    documents: &[(PathBuf, Document, String)],
    header: Option<&Header>,
    counts: &mut Counts,
) -> Result<()> {
    let codebook_version = header.map(|h| h.codebook.version.clone());
    let by_id: HashMap<DocumentId, &Document> = documents
        .iter()
        .map(|(_, d, _)| (d.id.clone(), d))
        .collect();
    for (coder, docs) in work {
        let mut file = CoderFile {
            schema: SCHEMA_VERSION,
            coder: coder.clone(),
            codebook_version: header
                .and_then(|h| h.coders.get(&coder))
                .and_then(|c| c.codebook_version.clone())
                .or_else(|| codebook_version.clone()),
            documents: BTreeMap::new(),
        };
        for (id, w) in docs {
            let status = w.status.unwrap_or_else(|| {
                counts.assumed_status += 1;
                Status::InProgress
            });
            out.annotations += w.annotations.len();
            let memo = (!w.memos.is_empty()).then(|| w.memos.join("\n\n"));
            out.memos += usize::from(memo.is_some());
            let mut coding = DocumentCoding {
                status,
                memo,
                suggestions: false,
                annotations: w.annotations,
            };
            coding.sort(by_id.get(&id).copied());
            file.documents.insert(id, Arc::new(coding));
        }
        let text = crate::annotations::coder_file_to_string(&file)?;
        out.files.push((
            PathBuf::from("annotations").join(format!("{coder}.yaml")),
            text.into_bytes(),
        ));
        out.coders.push(coder);
    }
    Ok(())
}

/// The report: how things were read, and what was left out.
fn report(out: &mut Imported, counts: &Counts, from_normcode: bool, loose: Vec<String>) {
    for (reading, n) in &counts.corrections {
        out.notes.push(format!(
            "{} {}: read so (checked against the selected text)",
            plural(*n, "selection", "selections"),
            reading.describe()
        ));
    }
    let unchecked = counts.unchecked;
    if unchecked > 0 {
        out.notes.push(format!(
            "{} could not be checked against the selected text (no name, or a name that is \
             not that text) and {} read as the standard says (code points, end exclusive)",
            plural(unchecked, "selection", "selections"),
            if unchecked == 1 { "was" } else { "were" }
        ));
    }
    if counts.split > 0 {
        out.notes.push(format!(
            "{} crossed paragraph (unit) edges and were split into one annotation per unit",
            plural(counts.split, "coding", "codings")
        ));
    }
    if counts.ids_derived > 0 && from_normcode {
        out.notes.push(format!(
            "{} had no normcode document id: ids were derived from their names",
            plural(counts.ids_derived, "source", "sources")
        ));
    }
    if counts.assumed_status > 0 {
        out.notes.push(format!(
            "{} (coder × document) had no normcode status and were marked in_progress; mark \
             finished documents done (reliability reads only those)",
            plural(counts.assumed_status, "document", "documents")
        ));
    }
    if counts.uncoded_memos > 0 {
        out.notes.push(format!(
            "{} on part of a text without a code became document memo paragraphs starting \
             [on \"...\"]",
            plural(counts.uncoded_memos, "memo", "memos")
        ));
    }
    let unknown_user = counts.unknown_user.get();
    if unknown_user > 0 {
        out.notes.push(format!(
            "{} named no known user: they are the coder `unknown`'s",
            plural(unknown_user, "coding or memo", "codings or memos")
        ));
    }
    for (kind, n) in &counts.left_out_sources {
        out.left_out.push(format!(
            "{} ({kind}): normcode codes text only",
            plural(*n, "source", "sources")
        ));
    }
    if counts.pdf_areas > 0 {
        out.left_out.push(format!(
            "{} (areas of a PDF page)",
            plural(counts.pdf_areas, "PDF selection", "PDF selections")
        ));
    }
    for (category, n) in &counts.on_categories {
        out.left_out.push(format!(
            "{} on code {category}, which has sub-codes and became a category (normcode codes \
             with indicators only): add an indicator for it and code again",
            plural(*n, "coding", "codings")
        ));
    }
    if counts.unknown_codes > 0 {
        out.left_out.push(format!(
            "{} refer to codes the codebook does not have",
            plural(counts.unknown_codes, "coding", "codings")
        ));
    }
    if counts.empty > 0 {
        out.left_out.push(format!(
            "{} select only white space between paragraphs, or nothing",
            plural(counts.empty, "coding", "codings")
        ));
    }
    if counts.unknown_variable > 0 {
        out.left_out.push(format!(
            "{} of variables the project does not declare",
            plural(counts.unknown_variable, "value", "values")
        ));
    }
    if counts.named_cases > 0 {
        out.notes.push(format!(
            "{}: their variable values went to their sources' front matter; the cases \
             themselves are not kept",
            plural(counts.named_cases, "case", "cases")
        ));
    }
    if !loose.is_empty() {
        let mut names = loose;
        names.sort();
        out.left_out.push(format!(
            "{} no source or coding refers to (journals, project memos): {}",
            plural(names.len(), "note", "notes"),
            names.join(", ")
        ));
    }
}

/// Graphs, links and sets of other tools: counted as left out.
fn report_unmapped(out: &mut Imported, root: &Element) {
    for element in ["Graphs", "Links"] {
        if let Some(e) = root.first(element)
            && !e.children.is_empty()
        {
            out.left_out.push(format!(
                "{} {element} (normcode has no place for them)",
                e.children.len()
            ));
        }
    }
    if let Some(sets) = root.first("Sets") {
        let foreign = sets
            .all("Set")
            .filter(|s| {
                !s.child_text("Description")
                    .is_some_and(|d| d.starts_with("normcode indicator attribute"))
            })
            .count();
        if foreign > 0 {
            out.left_out.push(format!(
                "{} (groups of codes or sources; normcode has no place for them)",
                plural(foreign, "set", "sets")
            ));
        }
    }
}
