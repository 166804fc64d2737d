//! DOCX: a zip of XML parts (ECMA-376, Office Open XML), read with the `zip` and `quick-xml`
//! crates. `word/document.xml` holds the paragraphs (`w:p`) with their runs of text (`w:t`),
//! tabs and line breaks; `word/styles.xml` says which paragraph styles are headings;
//! `word/numbering.xml` holds automatic numbering, which Word shows but does not store in the
//! text: normcode writes the number (`13.`, `(a)`) in front of the paragraph, as Word shows it.
//! `docProps/core.xml` gives the title and dates.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::Extracted;
use super::text::Block;
use crate::error::{Error, Result, SourcePos};

/// Parts larger than this are refused (a zip bomb, not a document).
const MAX_PART: u64 = 256 << 20;

/// An XML element start (or empty element) with its attributes by local name, or text.
#[derive(Debug)]
enum Xml {
    Open {
        name: String,
        attrs: Vec<(String, String)>,
    },
    Close(String),
    Text(String),
}

impl Xml {
    fn attr(attrs: &[(String, String)], key: &str) -> Option<String> {
        attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }
}

fn open(start: &BytesStart<'_>) -> std::result::Result<Xml, String> {
    let name = start.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(Xml::Open { name, attrs })
}

/// The events of an XML part, names without their namespace prefixes.
fn events(xml: &str) -> std::result::Result<Vec<Xml>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => out.push(open(&start)?),
            Event::Empty(start) => {
                let element = open(&start)?;
                let Xml::Open { name, .. } = &element else {
                    unreachable!("open() makes an Open")
                };
                let name = name.clone();
                out.push(element);
                out.push(Xml::Close(name));
            }
            Event::End(end) => out.push(Xml::Close(end.local_name().as_ref().to_string())),
            Event::Text(t) => out.push(Xml::Text(t.xml10_content().into_owned())),
            Event::CData(t) => out.push(Xml::Text(t.xml10_content().into_owned())),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or("")
                        .to_string(),
                };
                out.push(Xml::Text(resolved));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Lower-case Roman numerals.
pub(crate) fn roman(mut n: i64) -> String {
    const NUMERALS: &[(i64, &str)] = &[
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for &(value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

fn letters(n: i64) -> String {
    let mut out = Vec::new();
    let mut n = n;
    while n > 0 {
        n -= 1;
        out.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    out.iter().rev().collect()
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: i64,
    format: String,
    text: String,
}

impl Level {
    fn format(&self, n: i64) -> String {
        match self.format.as_str() {
            "lowerLetter" => letters(n),
            "upperLetter" => letters(n).to_uppercase(),
            "lowerRoman" => roman(n),
            "upperRoman" => roman(n).to_uppercase(),
            "none" | "bullet" => String::new(),
            _ => n.to_string(),
        }
    }
}

/// `word/numbering.xml`: list instances (`w:num`) and their levels.
#[derive(Debug, Default)]
struct Numbering {
    /// numId → levels (with start overrides applied).
    lists: HashMap<String, Vec<Level>>,
    /// numId → the current count of each level (`None`: not used since its parent moved on).
    counters: HashMap<String, Vec<Option<i64>>>,
}

/// A list instance (`w:num`): its abstract definition and start overrides by level.
#[derive(Debug, Default)]
struct Instance {
    id: String,
    abstract_id: String,
    overrides: Vec<(usize, i64)>,
}

impl Numbering {
    fn parse(xml: &str) -> std::result::Result<Self, String> {
        let mut abstracts: HashMap<String, Vec<Level>> = HashMap::new();
        let mut nums: Vec<Instance> = Vec::new();
        let mut current_abstract: Option<String> = None;
        let mut level: Option<usize> = None;
        let mut current_num: Option<Instance> = None;
        let mut override_level: Option<usize> = None;
        for event in events(xml)? {
            let Xml::Open { name, attrs } = event else {
                if let Xml::Close(name) = event {
                    match name.as_str() {
                        "abstractNum" => current_abstract = None,
                        "lvl" => level = None,
                        "num" => nums.extend(current_num.take()),
                        "lvlOverride" => override_level = None,
                        _ => {}
                    }
                }
                continue;
            };
            let val = Xml::attr(&attrs, "val");
            match name.as_str() {
                "abstractNum" => current_abstract = Xml::attr(&attrs, "abstractNumId"),
                "lvl" if current_abstract.is_some() => {
                    let ilvl: usize = Xml::attr(&attrs, "ilvl")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0)
                        .min(8);
                    level = Some(ilvl);
                    let levels = abstracts
                        .entry(current_abstract.clone().expect("checked"))
                        .or_default();
                    if levels.len() <= ilvl {
                        levels.resize(
                            ilvl + 1,
                            Level {
                                start: 1,
                                ..Level::default()
                            },
                        );
                    }
                }
                "start" | "numFmt" | "lvlText" => {
                    if let (Some(a), Some(l)) = (&current_abstract, level)
                        && let Some(entry) = abstracts.get_mut(a).and_then(|v| v.get_mut(l))
                    {
                        let val = val.unwrap_or_default();
                        match name.as_str() {
                            "start" => entry.start = val.parse().unwrap_or(1),
                            "numFmt" => entry.format = val,
                            _ => entry.text = val,
                        }
                    }
                }
                "num" => {
                    current_num = Xml::attr(&attrs, "numId").map(|id| Instance {
                        id,
                        ..Instance::default()
                    })
                }
                "abstractNumId" => {
                    if let Some(num) = current_num.as_mut() {
                        num.abstract_id = val.unwrap_or_default();
                    }
                }
                "lvlOverride" => {
                    override_level = Xml::attr(&attrs, "ilvl").and_then(|v| v.parse().ok())
                }
                "startOverride" => {
                    if let (Some(num), Some(l)) = (current_num.as_mut(), override_level) {
                        num.overrides
                            .push((l, val.and_then(|v| v.parse().ok()).unwrap_or(1)));
                    }
                }
                _ => {}
            }
        }
        let mut lists = HashMap::new();
        for num in nums {
            let mut levels = abstracts.get(&num.abstract_id).cloned().unwrap_or_default();
            for (l, start) in num.overrides {
                if let Some(level) = levels.get_mut(l) {
                    level.start = start;
                }
            }
            lists.insert(num.id, levels);
        }
        Ok(Self {
            lists,
            counters: HashMap::new(),
        })
    }

    /// The label of the next paragraph of list `num` at level `ilvl` (`13.`, `(a)`), if the
    /// level shows one.
    fn next(&mut self, num: &str, ilvl: usize) -> Option<String> {
        let levels = self.lists.get(num)?;
        let level = levels.get(ilvl)?;
        let counters = self
            .counters
            .entry(num.to_string())
            .or_insert_with(|| vec![None; levels.len()]);
        counters[ilvl] = Some(counters[ilvl].map_or(level.start, |n| n + 1));
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        if level.format == "bullet" || level.format == "none" {
            return None;
        }
        let mut label = level.text.clone();
        for (i, l) in levels.iter().enumerate().take(ilvl + 1) {
            let n = counters[i].unwrap_or(l.start);
            label = label.replace(&format!("%{}", i + 1), &l.format(n));
        }
        let label = label.trim().to_string();
        (!label.is_empty()).then_some(label)
    }
}

/// A paragraph style: whether it is a heading, and numbering it brings.
#[derive(Debug, Clone, Default)]
struct Style {
    heading: Option<u8>,
    numbering: Option<(String, usize)>,
}

fn heading_level(name: &str) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    if name == "title" {
        return Some(1);
    }
    let rest = name.strip_prefix("heading")?.trim();
    rest.parse::<u8>().ok().filter(|l| (1..=9).contains(l))
}

/// `word/styles.xml`: paragraph styles by id.
fn parse_styles(xml: &str) -> std::result::Result<HashMap<String, Style>, String> {
    let mut styles = HashMap::new();
    let mut current: Option<(String, Style)> = None;
    for event in events(xml)? {
        match event {
            Xml::Open { name, attrs } => match name.as_str() {
                "style" => {
                    current = Xml::attr(&attrs, "styleId").map(|id| {
                        let style = Style {
                            heading: heading_level(&id),
                            numbering: None,
                        };
                        (id, style)
                    });
                }
                "name" => {
                    if let Some((_, style)) = current.as_mut()
                        && let Some(level) =
                            Xml::attr(&attrs, "val").and_then(|n| heading_level(&n))
                    {
                        style.heading = Some(level);
                    }
                }
                "outlineLvl" => {
                    if let Some((_, style)) = current.as_mut()
                        && let Some(level) = Xml::attr(&attrs, "val")
                            .and_then(|v| v.parse::<u8>().ok())
                            .filter(|l| *l < 9)
                    {
                        style.heading.get_or_insert(level + 1);
                    }
                }
                "numId" => {
                    if let Some((_, style)) = current.as_mut() {
                        let id = Xml::attr(&attrs, "val").unwrap_or_default();
                        let ilvl = style.numbering.as_ref().map_or(0, |n| n.1);
                        style.numbering = Some((id, ilvl));
                    }
                }
                "ilvl" => {
                    if let Some((_, style)) = current.as_mut() {
                        let ilvl = Xml::attr(&attrs, "val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        let id = style.numbering.take().map(|n| n.0).unwrap_or_default();
                        style.numbering = Some((id, ilvl));
                    }
                }
                _ => {}
            },
            Xml::Close(name) if name == "style" => {
                if let Some((id, style)) = current.take() {
                    styles.insert(id, style);
                }
            }
            _ => {}
        }
    }
    Ok(styles)
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Paragraph {
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<usize>,
    text: String,
}

/// The paragraphs of `word/document.xml` (or any part with `w:p`s).
fn paragraphs(
    xml: &str,
    styles: &HashMap<String, Style>,
    numbering: &mut Numbering,
) -> std::result::Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Vec<Paragraph> = Vec::new();
    // Where text counts: inside w:t of a run, not in deleted text, field codes or properties.
    let mut in_text = false;
    let mut in_properties = 0usize;
    for event in events(xml)? {
        match event {
            Xml::Open { name, attrs } => match name.as_str() {
                "p" => open.push(Paragraph::default()),
                "pPr" | "rPr" | "sectPr" | "tblPr" | "trPr" | "tcPr" => in_properties += 1,
                "pStyle" if in_properties > 0 => {
                    if let Some(p) = open.last_mut() {
                        p.style = Xml::attr(&attrs, "val");
                    }
                }
                "numId" if in_properties > 0 => {
                    if let Some(p) = open.last_mut() {
                        p.num_id = Xml::attr(&attrs, "val");
                    }
                }
                "ilvl" if in_properties > 0 => {
                    if let Some(p) = open.last_mut() {
                        p.ilvl = Xml::attr(&attrs, "val").and_then(|v| v.parse().ok());
                    }
                }
                "t" if in_properties == 0 => in_text = true,
                "tab" if in_properties == 0 => {
                    if let Some(p) = open.last_mut() {
                        p.text.push('\t');
                    }
                }
                "br" | "cr" if in_properties == 0 => {
                    let page = Xml::attr(&attrs, "type").is_some_and(|t| t != "textWrapping");
                    if let Some(p) = open.last_mut() {
                        p.text.push(if page { ' ' } else { '\n' });
                    }
                }
                "noBreakHyphen" if in_properties == 0 => {
                    if let Some(p) = open.last_mut() {
                        p.text.push('-');
                    }
                }
                _ => {}
            },
            Xml::Close(name) => match name.as_str() {
                "t" => in_text = false,
                "pPr" | "rPr" | "sectPr" | "tblPr" | "trPr" | "tcPr" => {
                    in_properties = in_properties.saturating_sub(1)
                }
                "p" => {
                    let Some(p) = open.pop() else { continue };
                    let style = p.style.as_deref().and_then(|s| styles.get(s));
                    let heading = style
                        .and_then(|s| s.heading)
                        .or_else(|| p.style.as_deref().and_then(heading_level));
                    let from_style = style.and_then(|s| s.numbering.clone());
                    let num = match (p.num_id, from_style) {
                        (Some(id), from_style) => {
                            Some((id, p.ilvl.or(from_style.as_ref().map(|s| s.1)).unwrap_or(0)))
                        }
                        (None, Some((id, ilvl))) => Some((id, p.ilvl.unwrap_or(ilvl))),
                        (None, None) => None,
                    };
                    if p.text.trim().is_empty() {
                        continue;
                    }
                    let label = num
                        .filter(|(id, _)| id != "0")
                        .and_then(|(id, ilvl)| numbering.next(&id, ilvl));
                    let text = match label {
                        Some(label) => format!("{label} {}", p.text),
                        None => p.text,
                    };
                    blocks.push(match heading {
                        Some(level) => Block::heading(level.min(6), text),
                        None => Block::paragraph(text),
                    });
                }
                _ => {}
            },
            Xml::Text(text) => {
                if in_text && let Some(p) = open.last_mut() {
                    p.text.push_str(&text);
                }
            }
        }
    }
    Ok(blocks)
}

/// Title and dates of `docProps/core.xml`.
fn core_properties(xml: &str) -> std::result::Result<(Option<String>, Vec<String>), String> {
    let mut title = None;
    let mut dates = Vec::new();
    let mut current: Option<String> = None;
    let mut text = String::new();
    for event in events(xml)? {
        match event {
            Xml::Open { name, .. } => {
                current = Some(name);
                text.clear();
            }
            Xml::Text(t) => text.push_str(&t),
            Xml::Close(name) => {
                if current.as_deref() == Some(name.as_str()) {
                    let value = super::text::collapse(&text);
                    if !value.is_empty() {
                        match name.as_str() {
                            "title" => title = Some(value),
                            "created" | "modified" => dates.push(value),
                            _ => {}
                        }
                    }
                }
                current = None;
            }
        }
    }
    Ok((title, dates))
}

/// Reads the paragraphs of the DOCX file in `bytes`.
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let invalid = |message: String| Error::invalid(SourcePos::file(path), message);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        invalid(format!(
            "not a DOCX file (cannot open it as a zip archive: {e}); an old .doc file must be \
             saved as .docx first"
        ))
    })?;
    let mut part = |name: &str| -> Result<Option<String>> {
        let Ok(file) = archive.by_name(name) else {
            return Ok(None);
        };
        let mut text = String::new();
        file.take(MAX_PART)
            .read_to_string(&mut text)
            .map_err(|e| invalid(format!("cannot read {name} in the DOCX file: {e}")))?;
        Ok(Some(text))
    };
    let document = part("word/document.xml")?
        .ok_or_else(|| invalid("not a DOCX file: it has no word/document.xml".into()))?;
    let styles = part("word/styles.xml")?;
    let numbering = part("word/numbering.xml")?;
    let core = part("docProps/core.xml")?;
    let bad = |name: &str, e: String| invalid(format!("{name} in the DOCX file: {e}"));
    let styles = match styles {
        Some(xml) => parse_styles(&xml).map_err(|e| bad("word/styles.xml", e))?,
        None => HashMap::new(),
    };
    let mut numbering = match numbering {
        Some(xml) => Numbering::parse(&xml).map_err(|e| bad("word/numbering.xml", e))?,
        None => Numbering::default(),
    };
    let blocks =
        paragraphs(&document, &styles, &mut numbering).map_err(|e| bad("word/document.xml", e))?;
    let (title, dates) = match core {
        Some(xml) => core_properties(&xml).map_err(|e| bad("docProps/core.xml", e))?,
        None => (None, Vec::new()),
    };
    Ok(Extracted {
        title,
        dates,
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_counts_levels_and_restarts_deeper_ones() {
        let xml = r#"<w:numbering xmlns:w="w">
          <w:abstractNum w:abstractNumId="7">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>
          </w:abstractNum>
          <w:num w:numId="3"><w:abstractNumId w:val="7"/>
            <w:lvlOverride w:ilvl="0"><w:startOverride w:val="12"/></w:lvlOverride></w:num>
        </w:numbering>"#;
        let mut n = Numbering::parse(xml).unwrap();
        let labels: Vec<_> = [(0, "3"), (0, "3"), (1, "3"), (1, "3"), (0, "3"), (1, "3")]
            .iter()
            .map(|(l, id)| n.next(id, *l).unwrap())
            .collect();
        assert_eq!(labels, ["12.", "13.", "(a)", "(b)", "14.", "(a)"]);
        assert_eq!(n.next("99", 0), None);
    }

    #[test]
    fn roman_and_letters() {
        assert_eq!(roman(14), "xiv");
        assert_eq!(letters(27), "aa");
    }
}
