//! A small element tree over quick-xml, for reading a `project.qde`: local names (namespaces
//! ignored), attributes, the text directly inside each element, and where each element starts
//! (for messages). Nesting and the number of elements are limited, so that a hostile file
//! fails with a message instead of exhausting the stack or memory.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result, SourcePos};

/// The deepest nesting read: a project nests a dozen levels plus the code tree.
pub const MAX_DEPTH: usize = 100;
/// The most elements read from one file (a project with 100,000 codings has about 500,000).
pub const MAX_ELEMENTS: usize = 20_000_000;

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of the start tag in the file.
    pub offset: u64,
}

impl Element {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.first(name).map(|c| c.text.as_str())
    }
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: u64) -> (u64, u64) {
    let offset = (offset as usize).min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    (line, column)
}

fn element(path: &Path, text: &str, offset: u64, start: &BytesStart<'_>) -> Result<Element> {
    let mut out = Element {
        name: start.local_name().as_ref().to_string(),
        offset,
        ..Element::default()
    };
    for attr in start.attributes() {
        let fail = |e: &dyn std::fmt::Display| {
            let (line, column) = line_column(text, offset);
            Error::invalid(
                SourcePos::at(path, line, column),
                format!("bad attribute: {e}"),
            )
        };
        let attr = attr.map_err(|e| fail(&e))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| fail(&e))?;
        out.attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(out)
}

/// Parses `text` (read from `path`, named in errors) into its root element.
pub fn parse(path: &Path, text: &str) -> Result<Element> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let at = |offset: u64| {
        let (line, column) = line_column(text, offset);
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
            Event::Start(ref start) | Event::Empty(ref start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(Error::invalid(
                        at(offset),
                        format!("more than {MAX_ELEMENTS} elements"),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::invalid(
                        at(offset),
                        format!("elements nested more than {MAX_DEPTH} deep"),
                    ));
                }
                let is_empty = matches!(event, Event::Empty(_));
                let new = element(path, text, offset, start)?;
                if is_empty {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(new),
                        None => return Ok(new),
                    }
                } else {
                    stack.push(new);
                }
            }
            Event::End(_) => {
                let done = stack.pop().expect("quick-xml checks end tags");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
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
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::Eof => {
                return Err(Error::invalid(
                    SourcePos::file(path),
                    "the file ends before its root element is closed (or holds none)",
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_text() {
        let root = parse(
            Path::new("p.qde"),
            "<?xml version=\"1.0\"?>\n<P xmlns=\"urn:x\" a=\"1 &amp; 2\"><D>x &lt; y&#x1F600;</D><E/></P>",
        )
        .unwrap();
        assert_eq!(root.name, "P");
        assert_eq!(root.attr("a"), Some("1 & 2"));
        assert_eq!(root.child_text("D"), Some("x < y😀"));
        assert!(root.first("E").is_some());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "<a>".repeat(MAX_DEPTH + 5) + &"</a>".repeat(MAX_DEPTH + 5);
        let err = parse(Path::new("deep.qde"), &text).unwrap_err().to_string();
        assert!(err.contains("nested more than"), "{err}");
        let err = parse(Path::new("x.qde"), "<a><b></a>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.qde:1:"), "{err}");
    }
}
