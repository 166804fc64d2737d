//! Reading a REFI-QDA code tree (a `.qdc` codebook, or the `<CodeBook>` of a project) as a
//! normcode codebook; see [`crate::export::qdc`] for the format normcode writes and reads back.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde::Serialize;

use crate::codebook::{Codebook, LangMap, TextItem};
use crate::error::{Error, Result, SourcePos};
use crate::export::qdc::{EXAMPLES, EXCLUDE, INCLUDE, TRAILER, color_from_rgb};
use crate::refi::header::{AttributeOut, Header, HistoryOut, VariableOut};

/// The deepest nesting of XML elements read (codes inside codes, ...): far deeper than any
/// real codebook, and far from exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 100;

/// A `<Code>` as read.
#[derive(Debug, Default)]
pub(crate) struct Node {
    guid: Option<String>,
    name: String,
    color: Option<String>,
    description: Option<String>,
    children: Vec<Node>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Category,
    Indicator,
}

/// The last line of a description written by normcode.
#[derive(Debug)]
struct Trailer {
    kind: Kind,
    id: String,
    languages: Vec<String>,
    retired: bool,
    /// Indicator attributes (`attr:KEY=VALUE`).
    attributes: BTreeMap<String, String>,
}

fn split_trailer(description: &str) -> (&str, Option<Trailer>) {
    let trimmed = description.trim_end();
    let (body, last) = match trimmed.rfind('\n') {
        Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
        None => ("", trimmed),
    };
    let Some(rest) = last.trim().strip_prefix(TRAILER) else {
        return (description, None);
    };
    let mut kind = None;
    let mut languages = Vec::new();
    let mut retired = false;
    let mut attributes = BTreeMap::new();
    for token in rest.split_whitespace() {
        if let Some(pair) = token.strip_prefix("attr:") {
            let decoded = pair.split_once('=').and_then(|(key, value)| {
                Some((
                    crate::refi::decode_token(key)?,
                    crate::refi::decode_token(value)?,
                ))
            });
            match decoded {
                Some((key, value)) => {
                    attributes.insert(key, value);
                    continue;
                }
                None => return (description, None),
            }
        }
        match token.split_once('=') {
            Some(("indicator", id)) => kind = Some((Kind::Indicator, id)),
            Some(("category", id)) => kind = Some((Kind::Category, id)),
            Some(("languages", list)) => {
                languages = list
                    .split(',')
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            None if token == "retired" => retired = true,
            _ => return (description, None),
        }
    }
    match kind {
        Some((kind, id)) if !id.is_empty() => (
            body,
            Some(Trailer {
                kind,
                id: id.to_string(),
                languages,
                retired,
                attributes,
            }),
        ),
        _ => (description, None),
    }
}

/// One language's part of a normcode description.
#[derive(Debug, Default, Clone)]
struct Block {
    label: Option<String>,
    text: Vec<String>,
    include: Vec<String>,
    exclude: Vec<String>,
    examples: Vec<String>,
}

impl Block {
    fn text(&self) -> String {
        self.text.join("\n").trim().to_string()
    }
}

/// Splits a normcode description body into per-language blocks.
fn parse_blocks(body: &str, languages: &[String]) -> BTreeMap<String, Block> {
    #[derive(Clone, Copy)]
    enum Section {
        Text,
        Include,
        Exclude,
        Examples,
    }
    let mut blocks: Vec<(String, Block)> = vec![(languages[0].clone(), Block::default())];
    let mut section = Section::Text;
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix('[')
            && let Some((lang, label)) = rest.split_once(']')
            && languages[1..].iter().any(|l| l == lang)
            && (label.is_empty() || label.starts_with(' '))
        {
            blocks.push((
                lang.to_string(),
                Block {
                    label: Some(label.trim().to_string()),
                    ..Block::default()
                },
            ));
            section = Section::Text;
            continue;
        }
        match line.trim_end() {
            INCLUDE => {
                section = Section::Include;
                continue;
            }
            EXCLUDE => {
                section = Section::Exclude;
                continue;
            }
            EXAMPLES => {
                section = Section::Examples;
                continue;
            }
            _ => {}
        }
        let block = &mut blocks.last_mut().expect("one block at least").1;
        let list = match section {
            Section::Text => {
                block.text.push(line.to_string());
                continue;
            }
            Section::Include => &mut block.include,
            Section::Exclude => &mut block.exclude,
            Section::Examples => &mut block.examples,
        };
        if line.trim_end() == "-" {
            list.push(String::new());
        } else if let Some(item) = line.strip_prefix("- ") {
            list.push(item.to_string());
        } else if let Some(more) = line.strip_prefix("  ")
            && let Some(last) = list.last_mut()
        {
            last.push('\n');
            last.push_str(more);
        } else if !line.trim().is_empty() {
            list.push(line.trim().to_string());
        }
    }
    blocks.into_iter().collect()
}

#[derive(Debug, Serialize)]
pub(crate) struct CodebookOut {
    name: String,
    version: String,
    pub languages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<LangMap>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<VariableOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<AttributeOut>,
    pub categories: Vec<CategoryOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history: Vec<HistoryOut>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CategoryOut {
    id: String,
    label: LangMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<LangMap>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    indicators: Vec<IndicatorOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<CategoryOut>,
}

#[derive(Debug, Serialize)]
struct IndicatorOut {
    id: String,
    label: LangMap,
    definition: LangMap,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include: Vec<TextItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exclude: Vec<TextItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    examples: Vec<TextItem>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    retired: bool,
}

/// An id from a code name: letters, digits, `_`, `-` and `.` kept, any other run of characters
/// turned into one `_`; at most 40 characters; `code` when nothing is left.
pub fn derive_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('_') {
            id.push('_');
        }
    }
    let id: String = id.trim_matches(['_', '-', '.']).chars().take(40).collect();
    let id = id.trim_end_matches(['_', '-', '.']);
    if id.is_empty() {
        "code".to_string()
    } else {
        id.to_string()
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

struct Importer {
    languages: Vec<String>,
    /// The GUID of each code read, with what it became.
    guids: HashMap<String, (Kind, String)>,
    /// Ids given so far.
    used: HashSet<String>,
    /// Ids that normcode wrote into the file: derived ids make way for them.
    reserved: HashSet<String>,
}

impl Importer {
    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) || self.reserved.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }

    fn id_for(&mut self, node: &Node, trailer: Option<&Trailer>) -> String {
        match trailer {
            Some(t) if valid_id(&t.id) && self.used.insert(t.id.clone()) => t.id.clone(),
            Some(t) if valid_id(&t.id) => self.unique(t.id.clone()),
            _ => self.unique(derive_id(&node.name)),
        }
    }

    /// Label, text and lists in every language, from a normcode description or a foreign one.
    fn blocks(&self, node: &Node) -> (Option<Trailer>, BTreeMap<String, Block>) {
        let description = node.description.as_deref().unwrap_or("");
        let (body, trailer) = split_trailer(description);
        let mut blocks = match &trailer {
            Some(t) if t.languages.first() == self.languages.first() => {
                parse_blocks(body, &self.languages)
            }
            _ => BTreeMap::from([(
                self.languages[0].clone(),
                Block {
                    text: vec![body.trim().to_string()],
                    ..Block::default()
                },
            )]),
        };
        blocks.entry(self.languages[0].clone()).or_default().label =
            Some(node.name.trim().to_string());
        (trailer, blocks)
    }

    fn label(&self, blocks: &BTreeMap<String, Block>, fallback: &str) -> LangMap {
        self.languages
            .iter()
            .map(|lang| {
                let label = blocks
                    .get(lang)
                    .and_then(|b| b.label.clone())
                    .filter(|l| !l.trim().is_empty())
                    .unwrap_or_else(|| fallback.to_string());
                (lang.clone(), label)
            })
            .collect()
    }

    fn category(&mut self, node: &Node) -> CategoryOut {
        let (trailer, blocks) = self.blocks(node);
        let id = self.id_for(node, trailer.as_ref());
        if let Some(guid) = &node.guid {
            self.guids
                .insert(guid.clone(), (Kind::Category, id.clone()));
        }
        let fallback = if node.name.trim().is_empty() {
            id.clone()
        } else {
            node.name.trim().to_string()
        };
        let label = self.label(&blocks, &fallback);
        let description: LangMap = blocks
            .iter()
            .filter(|(lang, _)| self.languages.contains(lang))
            .map(|(lang, b)| (lang.clone(), b.text()))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        let mut out = CategoryOut {
            id,
            label,
            description: (!description.is_empty()).then_some(description),
            indicators: Vec::new(),
            categories: Vec::new(),
        };
        for child in &node.children {
            match self.kind(child) {
                Kind::Category => out.categories.push(self.category(child)),
                Kind::Indicator => out.indicators.push(self.indicator(child)),
            }
        }
        out
    }

    fn items(
        &self,
        blocks: &BTreeMap<String, Block>,
        list: fn(&Block) -> &Vec<String>,
    ) -> Vec<TextItem> {
        let len = blocks.values().map(|b| list(b).len()).max().unwrap_or(0);
        (0..len)
            .filter_map(|i| {
                let map: LangMap = self
                    .languages
                    .iter()
                    .filter_map(|lang| {
                        let text = list(blocks.get(lang)?).get(i)?;
                        (!text.trim().is_empty()).then(|| (lang.clone(), text.clone()))
                    })
                    .collect();
                if map.is_empty() {
                    None
                } else if self.languages.len() == 1 {
                    map.into_values().next().map(TextItem::Plain)
                } else {
                    Some(TextItem::ByLanguage(map))
                }
            })
            .collect()
    }

    fn indicator(&mut self, node: &Node) -> IndicatorOut {
        let (trailer, blocks) = self.blocks(node);
        let id = self.id_for(node, trailer.as_ref());
        if let Some(guid) = &node.guid {
            self.guids
                .insert(guid.clone(), (Kind::Indicator, id.clone()));
        }
        let fallback = if node.name.trim().is_empty() {
            id.clone()
        } else {
            node.name.trim().to_string()
        };
        let label = self.label(&blocks, &fallback);
        let first = blocks
            .get(&self.languages[0])
            .map(Block::text)
            .filter(|t| !t.is_empty());
        let definition = self
            .languages
            .iter()
            .map(|lang| {
                let text = blocks
                    .get(lang)
                    .map(Block::text)
                    .filter(|t| !t.is_empty())
                    .or_else(|| first.clone())
                    .unwrap_or_else(|| label[lang].clone());
                (lang.clone(), text)
            })
            .collect();
        IndicatorOut {
            include: self.items(&blocks, |b| &b.include),
            exclude: self.items(&blocks, |b| &b.exclude),
            examples: self.items(&blocks, |b| &b.examples),
            id,
            label,
            definition,
            color: node.color.as_deref().and_then(color_from_rgb),
            attributes: trailer
                .as_ref()
                .map(|t| t.attributes.clone())
                .unwrap_or_default(),
            retired: trailer.is_some_and(|t| t.retired),
        }
    }

    fn kind(&self, node: &Node) -> Kind {
        let (_, trailer) = split_trailer(node.description.as_deref().unwrap_or(""));
        match trailer {
            // An indicator that another tool gave sub-codes keeps them, as a category.
            Some(t) if t.kind == Kind::Indicator && !node.children.is_empty() => Kind::Category,
            Some(t) => t.kind,
            None if node.children.is_empty() => Kind::Indicator,
            None => Kind::Category,
        }
    }
}

fn attributes(path: &Path, text: &str, offset: u64, start: &BytesStart<'_>) -> Result<Node> {
    let mut node = Node::default();
    for attr in start.attributes() {
        let fail = |e: &dyn std::fmt::Display| {
            let (line, column) = super::dom::line_column(text, offset);
            Error::invalid(
                SourcePos::at(path, line, column),
                format!("bad attribute: {e}"),
            )
        };
        let attr = attr.map_err(|e| fail(&e))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| fail(&e))?;
        match attr.key.local_name().as_ref() {
            "name" => node.name = value.into_owned(),
            "color" => node.color = Some(value.into_owned()),
            "guid" => node.guid = Some(value.trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    Ok(node)
}

/// A code tree as read, and the normcode settings of a `.qdc` ([`Header`]) if it has them.
#[derive(Debug, Default)]
pub(crate) struct CodeTree {
    pub roots: Vec<Node>,
    pub settings: Option<String>,
}

/// Reads the code tree of a `.qdc` codebook (or of a `.qde` project's `<CodeBook>`).
pub(crate) fn read_codes(path: &Path, text: &str) -> Result<CodeTree> {
    let mut reader = Reader::from_str(text);
    let mut elements: Vec<String> = Vec::new();
    let mut open: Vec<Node> = Vec::new();
    let mut roots: Vec<Node> = Vec::new();
    let mut description: Option<String> = None;
    // Inside the set that holds normcode's settings, and its description when read.
    let mut in_settings = false;
    let mut settings_text: Option<String> = None;
    let at = |offset: u64| {
        let (line, column) = super::dom::line_column(text, offset);
        SourcePos::at(path, line, column)
    };
    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            Error::invalid(
                at(reader.error_position()),
                format!("not well-formed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(start) | Event::Empty(start) if elements.is_empty() => {
                let name = start.local_name().as_ref().to_string();
                if name != "CodeBook" && name != "Project" {
                    return Err(Error::invalid(
                        at(offset),
                        format!(
                            "not a REFI-QDA codebook: the root element is <{name}>, not <CodeBook>"
                        ),
                    ));
                }
                elements.push(name);
            }
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_string();
                let parent = elements.last().map(String::as_str);
                if elements.len() >= MAX_DEPTH {
                    return Err(Error::invalid(
                        at(offset),
                        format!("elements nested more than {MAX_DEPTH} deep"),
                    ));
                }
                if name == "Code" && matches!(parent, Some("Codes" | "Code")) {
                    open.push(attributes(path, text, offset, &start)?);
                } else if name == "Description" && parent == Some("Code") && !open.is_empty() {
                    description = Some(String::new());
                } else if name == "Set" && parent == Some("Sets") {
                    in_settings = attributes(path, text, offset, &start)?.name
                        == crate::refi::header::SET_NAME;
                } else if name == "Description" && parent == Some("Set") && in_settings {
                    description = Some(String::new());
                }
                elements.push(name);
            }
            Event::Empty(start) => {
                let local = start.local_name();
                let name = local.as_ref();
                let parent = elements.last().map(String::as_str);
                if name == "Code" && matches!(parent, Some("Codes" | "Code")) {
                    let node = attributes(path, text, offset, &start)?;
                    match open.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => roots.push(node),
                    }
                }
            }
            Event::End(_) => {
                let name = elements.pop().unwrap_or_default();
                let parent = elements.last().map(String::as_str);
                if name == "Description" && parent == Some("Set") && in_settings {
                    settings_text = description.take();
                } else if name == "Description"
                    && let Some(text) = description.take()
                    && let Some(code) = open.last_mut()
                {
                    // Windows tools write `&#xD;&#xA;`, which XML keeps as is.
                    code.description = Some(text.replace("\r\n", "\n").replace('\r', "\n"));
                } else if name == "Code" && matches!(parent, Some("Codes" | "Code")) {
                    let node = open.pop().expect("a Code was opened");
                    match open.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => roots.push(node),
                    }
                }
            }
            Event::Text(t) => {
                if let Some(d) = description.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(d) = description.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(d) = description.as_mut() {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => {
                            quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string)
                        }
                        Err(_) => None,
                    };
                    let Some(resolved) = resolved else {
                        return Err(Error::invalid(
                            at(offset),
                            format!("unknown entity reference &{};", &*r),
                        ));
                    };
                    d.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(CodeTree {
        roots,
        settings: settings_text,
    })
}

/// Imports a `.qdc` file as normcode codebook YAML, languages `[en]` (or those normcode wrote
/// into it). Parse the result with [`Codebook::parse`].
pub fn import(path: &Path) -> Result<String> {
    import_with(path, "en")
}

/// [`import`], with the language of the names and descriptions of a foreign codebook.
pub fn import_with(path: &Path, language: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            SourcePos::file(path),
            format!(
                "not UTF-8 text (byte {}): save the codebook as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Imported codebook".to_string());
    import_str(path, &name, text, language)
}

/// Imports `.qdc` text; `path` is only used in messages, `name` becomes the codebook's name
/// unless the file holds the settings normcode writes (then their name, version, languages,
/// variables, attributes and history are the codebook's).
pub fn import_str(path: &Path, name: &str, text: &str, language: &str) -> Result<String> {
    let tree = read_codes(path, text)?;
    if tree.roots.is_empty() {
        return Err(Error::invalid(
            SourcePos::file(path),
            "the codebook holds no <Code> elements",
        ));
    }
    let header = match &tree.settings {
        Some(settings) => Header::from_text(path, settings)?,
        None => None,
    };
    let built = build(name, &tree.roots, header.as_ref(), language)?;
    let yaml = built.codebook.to_yaml(path)?;
    Ok(format!(
        "# Imported by normcode from {}.\n# Ids were derived from code names where the file had none: check them before coding.\n{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        yaml
    ))
}

/// A codebook built from a code tree.
#[derive(Debug)]
pub(crate) struct Built {
    pub codebook: CodebookOut,
    /// Each code's GUID (lower case), with whether it became a category or an indicator, and
    /// its id.
    pub codes: HashMap<String, (Kind, String)>,
}

/// Builds the codebook YAML from a code tree and normcode's settings where there are some.
/// Codes given no id by their description get one derived from their name.
pub(crate) fn build(
    name: &str,
    roots: &[Node],
    header: Option<&Header>,
    language: &str,
) -> Result<Built> {
    if !valid_id(language) {
        return Err(Error::Usage(format!("'{language}' is not a language code")));
    }
    let header = header.map(|h| &h.codebook);
    // A codebook written by normcode says its languages on every code.
    let languages = header
        .map(|h| h.languages.clone())
        .filter(|l| !l.is_empty())
        .or_else(|| first_trailer(roots).map(|t| t.languages))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| vec![language.to_string()]);
    let mut importer = Importer {
        languages,
        guids: HashMap::new(),
        used: HashSet::new(),
        reserved: HashSet::new(),
    };
    reserve_ids(roots, &mut importer.reserved);
    let mut categories = Vec::new();
    let mut loose = Vec::new();
    for root in roots {
        match importer.kind(root) {
            Kind::Category => categories.push(importer.category(root)),
            Kind::Indicator => loose.push(root),
        }
    }
    if !loose.is_empty() {
        let id = importer.unique("uncategorized".to_string());
        let label = importer
            .languages
            .iter()
            .map(|l| (l.clone(), "Uncategorized".to_string()))
            .collect();
        let indicators = loose.iter().map(|n| importer.indicator(n)).collect();
        categories.push(CategoryOut {
            id,
            label,
            description: None,
            indicators,
            categories: Vec::new(),
        });
    }
    // Attributes the codes carry that no settings declare (a tool that dropped the settings
    // kept the codes' descriptions): declared with their values as found.
    let mut attributes: Vec<AttributeOut> =
        header.map(|h| h.attributes.clone()).unwrap_or_default();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    collect_attributes(&categories, &mut found);
    for (id, values) in found {
        match attributes.iter_mut().find(|a| a.id == id) {
            Some(declared) => {
                for value in values {
                    if !declared.values.contains(&value) {
                        declared.values.push(value);
                    }
                }
            }
            None => attributes.push(AttributeOut {
                label: importer
                    .languages
                    .iter()
                    .map(|l| (l.clone(), id.clone()))
                    .collect(),
                id,
                values,
            }),
        }
    }
    let out = CodebookOut {
        name: header.map_or_else(|| name.to_string(), |h| h.name.clone()),
        version: header.map_or_else(|| "1.0".to_string(), |h| h.version.clone()),
        languages: importer.languages.clone(),
        description: header.and_then(|h| h.description.clone()),
        variables: header.map(|h| h.variables.clone()).unwrap_or_default(),
        attributes,
        categories,
        history: header.map(|h| h.history.clone()).unwrap_or_default(),
    };
    Ok(Built {
        codebook: out,
        codes: importer.guids,
    })
}

impl CodebookOut {
    /// The YAML, checked to load.
    pub(crate) fn to_yaml(&self, path: &Path) -> Result<String> {
        let yaml = serde_saphyr::to_string(self)
            .map_err(|e| Error::Usage(format!("cannot write YAML: {e}")))?;
        // What is written must load: a failure here is a bug in this importer, or settings
        // someone edited, said as such.
        Codebook::parse(Path::new("codebook.yaml"), &yaml).map_err(|e| {
            Error::invalid(
                SourcePos::file(path),
                format!("the imported codebook does not load ({e}); if the file's normcode settings were not edited, please report this"),
            )
        })?;
        Ok(yaml)
    }
}

/// Every indicator attribute and its values, in the order met.
fn collect_attributes(categories: &[CategoryOut], found: &mut BTreeMap<String, Vec<String>>) {
    for category in categories {
        for indicator in &category.indicators {
            for (key, value) in &indicator.attributes {
                let values = found.entry(key.clone()).or_default();
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
        }
        collect_attributes(&category.categories, found);
    }
}

fn first_trailer(nodes: &[Node]) -> Option<Trailer> {
    nodes.iter().find_map(|n| {
        split_trailer(n.description.as_deref().unwrap_or(""))
            .1
            .or_else(|| first_trailer(&n.children))
    })
}

fn reserve_ids(nodes: &[Node], used: &mut HashSet<String>) {
    for node in nodes {
        if let (_, Some(t)) = split_trailer(node.description.as_deref().unwrap_or(""))
            && valid_id(&t.id)
        {
            used.insert(t.id);
        }
        reserve_ids(&node.children, used);
    }
}
