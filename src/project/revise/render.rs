//! Writing an indicator, and scalars, as YAML in the layout of the default codebook.

use std::collections::BTreeMap;

use crate::codebook::{Indicator, LangMap, Localized};

/// An indicator to write out as YAML.
#[derive(Debug, Clone)]
pub(super) struct RenderItem {
    pub(super) id: String,
    pub(super) label: LangMap,
    pub(super) definition: LangMap,
    pub(super) include: Vec<LangMap>,
    pub(super) exclude: Vec<LangMap>,
    pub(super) examples: Vec<LangMap>,
    pub(super) attributes: BTreeMap<String, String>,
    pub(super) color: Option<String>,
    pub(super) retired: bool,
}

impl RenderItem {
    pub(super) fn from_indicator(indicator: &Indicator) -> Self {
        let maps = |items: &[Localized]| items.iter().map(|l| l.0.clone()).collect();
        Self {
            id: indicator.id.to_string(),
            label: indicator.label.0.clone(),
            definition: indicator.definition.0.clone(),
            include: maps(&indicator.include),
            exclude: maps(&indicator.exclude),
            examples: maps(&indicator.examples),
            attributes: indicator.attributes.clone(),
            color: indicator.color.clone(),
            retired: indicator.retired,
        }
    }
}

/// `- id: X` and its keys, in the layout of the default codebook.
pub(super) fn render_indicator(
    item: &RenderItem,
    languages: &[String],
    dash: usize,
    key: usize,
    nl: &str,
) -> String {
    let first = format!(
        "{}-{}",
        " ".repeat(dash),
        " ".repeat(key.saturating_sub(dash + 1).max(1))
    );
    let pad = " ".repeat(key);
    let mut out = format!("{first}id: {}{nl}", scalar(&item.id));
    out.push_str(&format!(
        "{pad}label: {}{nl}",
        flow_map(&item.label, languages)
    ));
    out.push_str(&format!("{pad}definition:{nl}"));
    for (lang, text) in ordered(&item.definition, languages) {
        out.push_str(&format!(
            "{pad}  {}: {}{nl}",
            scalar(lang),
            json_quote(text)
        ));
    }
    for (name, items) in [
        ("include", &item.include),
        ("exclude", &item.exclude),
        ("examples", &item.examples),
    ] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("{pad}{name}:{nl}"));
        for map in items {
            out.push_str(&format!("{pad}  - {}{nl}", flow_map(map, languages)));
        }
    }
    if !item.attributes.is_empty() {
        let pairs: Vec<String> = item
            .attributes
            .iter()
            .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
            .collect();
        out.push_str(&format!("{pad}attributes: {{{}}}{nl}", pairs.join(", ")));
    }
    if let Some(color) = &item.color {
        out.push_str(&format!("{pad}color: {}{nl}", scalar(color)));
    }
    if item.retired {
        out.push_str(&format!("{pad}retired: true{nl}"));
    }
    out
}

/// The codebook's languages first, in its order, then any others.
fn ordered<'m>(map: &'m LangMap, languages: &[String]) -> Vec<(&'m String, &'m String)> {
    let mut items: Vec<(&String, &String)> = map.iter().collect();
    items.sort_by_key(|(lang, _)| {
        languages
            .iter()
            .position(|l| l == *lang)
            .unwrap_or(usize::MAX)
    });
    items
}

fn flow_map(map: &LangMap, languages: &[String]) -> String {
    let pairs: Vec<String> = ordered(map, languages)
        .into_iter()
        .map(|(lang, text)| format!("{}: {}", scalar(lang), json_quote(text)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
pub(super) fn json_quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// `text` as a plain scalar when that reads back as the same string, else double-quoted.
pub(super) fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        text.to_string()
    } else {
        json_quote(text)
    }
}

/// `new` written like `original` was: quoted when it was quoted.
pub(super) fn scalar_like(original: &str, new: &str) -> String {
    if original.starts_with('\'') && !new.contains('\'') {
        format!("'{new}'")
    } else if original.starts_with('"') {
        json_quote(new)
    } else {
        scalar(new)
    }
}
