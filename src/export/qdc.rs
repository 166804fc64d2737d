//! REFI-QDA codebooks (`.qdc`, QDA-XML 1.0, namespace `urn:QDA-XML:codebook:1.0`).
//!
//! Export: categories become codes with `isCodable="false"` and their sub-categories and
//! indicators as children; indicators become codable codes. A code's `name` is its label in the
//! codebook's first language; its colour is `#RRGGBB` (colour names are mapped to the xterm
//! palette); its `<Description>` holds, readable in any tool:
//!
//! ```text
//! The definition, in the first language.
//!
//! Include:
//! - a rule
//!
//! Exclude:
//! - a rule
//!
//! Examples:
//! - an example
//!
//! [zh] the label in the next language
//! the definition in that language, its rules and examples
//!
//! normcode: indicator=IL01 languages=en,zh attr:orientation=relevance
//! ```
//!
//! The last line keeps what the format has no place for (the id, the languages, `retired`, the
//! indicator's attributes), so that a normcode export imports back with the same ids, labels,
//! definitions, attributes and hierarchy, also after a tool that keeps only codes (QualCoder).
//! Indicator attributes are also exported as sets of codes ("Need for orientation:
//! relevance"), and the codebook's name, version, languages, variables, attribute declarations
//! and history as YAML in a set without members named "normcode codebook settings"
//! ([`crate::refi::header`]).
//!
//! Import ([`import`]): any tool's `.qdc` (MAXQDA, ATLAS.ti, NVivo, QualCoder, ...) becomes a
//! normcode codebook: a code with child codes becomes a category, a code without children an
//! indicator (top-level ones go to an `uncategorized` category); names become labels; ids are
//! derived from the names (letters and digits kept, the rest `_`, made unique); the description
//! becomes the definition (the label where there is none); languages are `[en]` unless told
//! otherwise. Codes written by normcode keep what their last description line says.

use crate::codebook::{Codebook, Localized};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};
use crate::refi::header::{CodebookHeader, Header};

pub use crate::refi::codes::{derive_id, import, import_str, import_with};

use super::guid;
use super::xml::Xml;

pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

// ---------------------------------------------------------------------------------------------
// Colours

/// Colour names normcode accepts, as xterm shows them.
const PALETTE: &[(&str, &str)] = &[
    ("black", "#000000"),
    ("red", "#CD0000"),
    ("green", "#00CD00"),
    ("yellow", "#CDCD00"),
    ("blue", "#0000EE"),
    ("magenta", "#CD00CD"),
    ("cyan", "#00CDCD"),
    ("gray", "#E5E5E5"),
    ("grey", "#E5E5E5"),
    ("darkgray", "#7F7F7F"),
    ("darkgrey", "#7F7F7F"),
    ("lightred", "#FF0000"),
    ("lightgreen", "#00FF00"),
    ("lightyellow", "#FFFF00"),
    ("lightblue", "#5C5CFF"),
    ("lightmagenta", "#FF00FF"),
    ("lightcyan", "#00FFFF"),
    ("white", "#FFFFFF"),
];

/// `#RRGGBB` (upper case) for a colour name or `#rgb`/`#rrggbb`; `None` for anything else.
pub fn color_to_rgb(color: &str) -> Option<String> {
    let color = color.trim();
    if let Some(hex) = color.strip_prefix('#')
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return match hex.len() {
            6 => Some(format!("#{}", hex.to_ascii_uppercase())),
            3 => Some(format!(
                "#{}",
                hex.chars()
                    .flat_map(|c| [c, c])
                    .collect::<String>()
                    .to_ascii_uppercase()
            )),
            _ => None,
        };
    }
    let key: String = color
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    PALETTE
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, rgb)| rgb.to_string())
}

/// The normcode colour for a `#rgb`/`#rrggbb`: a palette name where it is one, else `#rrggbb`.
pub fn color_from_rgb(rgb: &str) -> Option<String> {
    let rgb = color_to_rgb(rgb.trim()).filter(|_| rgb.trim().starts_with('#'))?;
    Some(
        PALETTE
            .iter()
            .find(|(_, hex)| *hex == rgb)
            .map(|(name, _)| name.to_string())
            .unwrap_or_else(|| rgb.to_ascii_lowercase()),
    )
}

// ---------------------------------------------------------------------------------------------
// Export

pub(crate) const INCLUDE: &str = "Include:";
pub(crate) const EXCLUDE: &str = "Exclude:";
pub(crate) const EXAMPLES: &str = "Examples:";
pub(crate) const TRAILER: &str = "normcode: ";

fn push_text(lines: &mut Vec<String>, text: &str) {
    lines.extend(text.lines().map(str::to_string));
}

fn push_list(lines: &mut Vec<String>, title: &str, items: &[Localized], lang: &str) {
    if !items
        .iter()
        .any(|i| i.0.get(lang).is_some_and(|t| !t.is_empty()))
    {
        return;
    }
    lines.push(String::new());
    lines.push(title.to_string());
    for item in items {
        let text = item.0.get(lang).map(String::as_str).unwrap_or("");
        lines.push(format!("- {}", text.replace('\n', "\n  ")));
    }
}

fn exact<'a>(text: &'a Localized, lang: &str) -> &'a str {
    text.0.get(lang).map(String::as_str).unwrap_or("")
}

/// The `<Description>` of an indicator (see the module docs).
pub fn indicator_description(
    codebook: &Codebook,
    indicator: &crate::codebook::Indicator,
) -> String {
    let mut lines = Vec::new();
    for (i, lang) in codebook.languages.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
            lines.push(format!("[{lang}] {}", indicator.label.get(lang)));
        }
        push_text(&mut lines, exact(&indicator.definition, lang));
        push_list(&mut lines, INCLUDE, &indicator.include, lang);
        push_list(&mut lines, EXCLUDE, &indicator.exclude, lang);
        push_list(&mut lines, EXAMPLES, &indicator.examples, lang);
    }
    lines.push(String::new());
    let attributes: String = indicator
        .attributes
        .iter()
        .map(|(key, value)| {
            format!(
                " attr:{}={}",
                crate::refi::encode_token(key),
                crate::refi::encode_token(value)
            )
        })
        .collect();
    lines.push(format!(
        "{TRAILER}indicator={} languages={}{}{attributes}",
        indicator.id,
        codebook.languages.join(","),
        if indicator.retired { " retired" } else { "" }
    ));
    lines.join("\n").trim_start().to_string()
}

/// The `<Description>` of a category: its description and its labels in the other languages.
pub fn category_description(codebook: &Codebook, category: &crate::codebook::Category) -> String {
    let mut lines = Vec::new();
    for (i, lang) in codebook.languages.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
            lines.push(format!("[{lang}] {}", category.label.get(lang)));
        }
        if let Some(description) = &category.description {
            push_text(&mut lines, exact(description, lang));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "{TRAILER}category={} languages={}",
        category.id,
        codebook.languages.join(",")
    ));
    lines.join("\n").trim_start().to_string()
}

/// Writes `<Codes>` with the codebook's tree, then `extra` codes (codes the annotations use that
/// the codebook does not know) at the top level. Returns false, writing nothing, when there is
/// no code at all.
pub(crate) fn write_codes(xml: &mut Xml, codebook: &Codebook, extra: &[&IndicatorId]) -> bool {
    if codebook.categories.is_empty() && extra.is_empty() {
        return false;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); codebook.categories.len()];
    let mut roots = Vec::new();
    for (i, category) in codebook.categories.iter().enumerate() {
        match category.parent {
            Some(parent) => children[parent].push(i),
            None => roots.push(i),
        }
    }
    xml.open("Codes", &[]);
    for root in roots {
        write_category(xml, codebook, &children, root);
    }
    for code in extra {
        let guid = guid::code(code);
        xml.open(
            "Code",
            &[
                ("guid", Some(&guid)),
                ("name", Some(code.as_str())),
                ("isCodable", Some("true")),
            ],
        );
        xml.text(
            "Description",
            &[],
            "A code the annotations use that the codebook does not define.",
        );
        xml.close();
    }
    xml.close();
    true
}

fn write_category(xml: &mut Xml, codebook: &Codebook, children: &[Vec<usize>], position: usize) {
    let lang = codebook.language();
    let category = &codebook.categories[position];
    let guid = guid::category(&category.id);
    xml.open(
        "Code",
        &[
            ("guid", Some(&guid)),
            ("name", Some(category.label.get(lang))),
            ("isCodable", Some("false")),
        ],
    );
    xml.text(
        "Description",
        &[],
        &category_description(codebook, category),
    );
    for &i in &category.indicators {
        let indicator = &codebook.indicators[i];
        let guid = guid::code(&indicator.id);
        let color = indicator.color.as_deref().and_then(color_to_rgb);
        xml.open(
            "Code",
            &[
                ("guid", Some(&guid)),
                ("name", Some(indicator.label.get(lang))),
                ("isCodable", Some("true")),
                ("color", color.as_deref()),
            ],
        );
        xml.text(
            "Description",
            &[],
            &indicator_description(codebook, indicator),
        );
        xml.close();
    }
    for &child in &children[position] {
        write_category(xml, codebook, children, child);
    }
    xml.close();
}

/// Writes `<Sets>`, one set per indicator attribute value with its indicators, if there is any,
/// and a set without members holding `settings` (a `.qdc`'s [`Header`]) when given.
/// Members refer to codes by `member_attr`: `guid` in a codebook, `targetGUID` in a project.
pub(crate) fn write_attribute_sets(
    xml: &mut Xml,
    codebook: &Codebook,
    member_attr: &'static str,
    settings: Option<&str>,
) {
    let lang = codebook.language();
    let mut sets = Vec::new();
    for attribute in &codebook.attributes {
        for value in &attribute.values {
            let members: Vec<String> = codebook
                .indicators
                .iter()
                .filter(|i| i.attributes.get(&attribute.id) == Some(value))
                .map(|i| guid::code(&i.id))
                .collect();
            if !members.is_empty() {
                sets.push((attribute, value, members));
            }
        }
    }
    if sets.is_empty() && settings.is_none() {
        return;
    }
    xml.open("Sets", &[]);
    if let Some(settings) = settings {
        let guid = guid::settings();
        xml.open(
            "Set",
            &[
                ("guid", Some(&guid)),
                ("name", Some(crate::refi::header::SET_NAME)),
            ],
        );
        xml.text("Description", &[], settings);
        xml.close();
    }
    for (attribute, value, members) in sets {
        let guid = guid::attribute_set(&attribute.id, value);
        let name = format!("{}: {value}", attribute.label.get(lang));
        xml.open("Set", &[("guid", Some(&guid)), ("name", Some(&name))]);
        xml.text(
            "Description",
            &[],
            &format!("normcode indicator attribute {} = {value}", attribute.id),
        );
        for member in &members {
            xml.empty("MemberCode", &[(member_attr, Some(member))]);
        }
        xml.close();
    }
    xml.close();
}

/// The codebook as a `.qdc` file.
pub fn export(codebook: &Codebook) -> Result<String> {
    let mut xml = Xml::new();
    xml.open(
        "CodeBook",
        &[("xmlns", Some(NAMESPACE)), ("origin", Some(super::ORIGIN))],
    );
    if !write_codes(&mut xml, codebook, &[]) {
        return Err(Error::Usage(
            "the codebook has no categories: a .qdc file must hold at least one code".into(),
        ));
    }
    let settings = Header {
        codebook: CodebookHeader::of(codebook),
        ..Header::default()
    }
    .to_text()?;
    write_attribute_sets(&mut xml, codebook, "guid", Some(&settings));
    xml.close();
    Ok(xml.finish())
}
