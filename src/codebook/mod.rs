//! The codebook: categories, indicators and document variables, checked on load.

mod file;
pub mod history;
pub mod publish;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use file::{CategoryFile, CodebookFile, IndicatorFile};
pub use file::{LangMap, TextItem, VariableType};
pub use history::HistoryEntry;

use crate::corpus::IndicatorId;
use crate::error::{Error, Result, SourcePos};
use crate::yaml;

/// Text in the codebook's languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localized(pub LangMap);

impl Localized {
    /// The text in `lang`, else in the first language that has one.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: IndicatorId,
    pub label: Localized,
    pub definition: Localized,
    pub include: Vec<Localized>,
    pub exclude: Vec<Localized>,
    pub examples: Vec<Localized>,
    pub attributes: BTreeMap<String, String>,
    pub color: Option<String>,
    pub retired: bool,
    /// Position of its category in [`Codebook::categories`].
    pub category: usize,
}

/// A category, flattened: `parent` and `depth` give the tree.
#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub label: Localized,
    pub description: Option<Localized>,
    pub parent: Option<usize>,
    pub depth: usize,
    /// Positions of its own indicators in [`Codebook::indicators`].
    pub indicators: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct VariableValue {
    pub id: String,
    pub label: Option<Localized>,
    pub group: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub id: String,
    pub label: Localized,
    pub kind: VariableType,
    pub groups: Vec<(String, Localized)>,
    pub values: Vec<VariableValue>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Variable {
    /// The group of a category value, e.g. the publisher group of "UN GGE".
    pub fn group_of(&self, value: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.id == value)
            .and_then(|v| v.group.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub id: String,
    pub label: Localized,
    pub values: Vec<String>,
}

/// A checked codebook. Categories are listed depth first, in file order.
#[derive(Debug, Clone)]
pub struct Codebook {
    pub name: String,
    pub version: String,
    pub languages: Vec<String>,
    pub description: Option<Localized>,
    pub variables: Vec<Variable>,
    pub attributes: Vec<Attribute>,
    pub categories: Vec<Category>,
    pub indicators: Vec<Indicator>,
    positions: HashMap<IndicatorId, usize>,
    /// The `history:` list, oldest first; see [`Codebook::history`].
    history: Vec<HistoryEntry>,
}

impl Codebook {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
        Self::parse(path, &text)
    }

    /// Parses and checks codebook YAML; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let file: CodebookFile = yaml::parse(path, text, 0)?;
        Builder::new(path).build(file)
    }

    pub fn indicator(&self, id: &IndicatorId) -> Option<&Indicator> {
        self.position(id).map(|i| &self.indicators[i])
    }

    pub fn position(&self, id: &IndicatorId) -> Option<usize> {
        self.positions.get(id).copied()
    }

    pub fn variable(&self, id: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.id == id)
    }

    /// The path of category ids from the root to `category`.
    pub fn category_path(&self, category: usize) -> Vec<&Category> {
        let mut path = vec![&self.categories[category]];
        while let Some(parent) = path.last().and_then(|c| c.parent) {
            path.push(&self.categories[parent]);
        }
        path.reverse();
        path
    }

    /// The default display language.
    pub fn language(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }
}

/// Turns the file form into the checked form, collecting the first error with its place.
struct Builder<'a> {
    path: &'a Path,
    languages: Vec<String>,
    /// Every id so far, lower-cased (ids must differ in more than case), with its spelling and
    /// where it is defined.
    ids: HashMap<String, (String, Location)>,
    attributes: HashMap<String, HashSet<String>>,
    categories: Vec<Category>,
    indicators: Vec<Indicator>,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path) -> Self {
        Self {
            path,
            languages: Vec::new(),
            ids: HashMap::new(),
            attributes: HashMap::new(),
            categories: Vec::new(),
            indicators: Vec::new(),
        }
    }

    fn at(&self, location: &Location) -> SourcePos {
        if location.line() == 0 {
            SourcePos::file(self.path)
        } else {
            SourcePos::at(self.path, location.line(), location.column())
        }
    }

    fn fail<T>(&self, location: &Location, message: impl Into<String>) -> Result<T> {
        Err(Error::invalid(self.at(location), message))
    }

    fn check_id(&mut self, id: &Spanned<String>, what: &str) -> Result<()> {
        let valid = !id.value.is_empty()
            && id
                .value
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid {
            return self.fail(
                &id.referenced,
                format!(
                    "{what} id '{}' may only hold letters, digits, '_', '-' and '.'",
                    id.value
                ),
            );
        }
        let folded = id.value.to_lowercase();
        if let Some((spelling, first)) = self.ids.get(&folded) {
            let first = self.at(first);
            let message = if *spelling == id.value {
                format!("duplicate id '{}' (first defined at {first})", id.value)
            } else {
                format!(
                    "id '{}' differs only in case from '{spelling}' (defined at {first}): ids \
                     must differ in more than case, as searches and coders do not tell them apart",
                    id.value
                )
            };
            return self.fail(&id.referenced, message);
        }
        self.ids.insert(folded, (id.value.clone(), id.referenced));
        Ok(())
    }

    fn localized(&self, text: &Spanned<LangMap>, what: &str) -> Result<Localized> {
        for lang in &self.languages {
            if text.value.get(lang).is_none_or(|t| t.trim().is_empty()) {
                return self.fail(
                    &text.referenced,
                    format!("{what} has no text for language '{lang}'"),
                );
            }
        }
        self.known_languages(&text.value, &text.referenced, what)?;
        Ok(Localized(text.value.clone()))
    }

    fn known_languages(&self, map: &LangMap, at: &Location, what: &str) -> Result<()> {
        if let Some(lang) = map.keys().find(|l| !self.languages.contains(l)) {
            return self.fail(
                at,
                format!(
                    "{what} uses language '{lang}', which is not in `languages` ({})",
                    self.languages.join(", ")
                ),
            );
        }
        Ok(())
    }

    fn build(mut self, file: CodebookFile) -> Result<Codebook> {
        if file.languages.is_empty() {
            return Err(Error::invalid(
                SourcePos::file(self.path),
                "`languages` must list at least one language, e.g. [en, zh]",
            ));
        }
        self.languages = file.languages.clone();

        let mut variables = Vec::new();
        for v in file.variables {
            self.check_id(&v.id, "variable")?;
            let label = self.localized(&v.label, &format!("variable '{}'", v.id.value))?;
            let mut groups = Vec::new();
            for g in &v.groups {
                self.check_id(&g.id, "group")?;
                let label = self.localized(&g.label, &format!("group '{}'", g.id.value))?;
                groups.push((g.id.value.clone(), label));
            }
            let mut values = Vec::new();
            let mut seen = HashSet::new();
            for value in &v.values {
                if !seen.insert(value.id.value.clone()) {
                    return self.fail(
                        &value.id.referenced,
                        format!(
                            "duplicate value '{}' in variable '{}'",
                            value.id.value, v.id.value
                        ),
                    );
                }
                if let Some(group) = &value.group
                    && !groups.iter().any(|(id, _)| *id == group.value)
                {
                    return self.fail(
                        &group.referenced,
                        format!(
                            "value '{}' names group '{}', which variable '{}' does not define",
                            value.id.value, group.value, v.id.value
                        ),
                    );
                }
                let label = match &value.label {
                    Some(l) => {
                        self.known_languages(&l.value, &l.referenced, "value label")?;
                        Some(Localized(l.value.clone()))
                    }
                    None => None,
                };
                values.push(VariableValue {
                    id: value.id.value.clone(),
                    label,
                    group: value.group.as_ref().map(|g| g.value.clone()),
                });
            }
            if v.kind != VariableType::Category && !(values.is_empty() && groups.is_empty()) {
                return self.fail(
                    &v.id.referenced,
                    format!(
                        "variable '{}': only a category variable has values and groups",
                        v.id.value
                    ),
                );
            }
            variables.push(Variable {
                id: v.id.value,
                label,
                kind: v.kind,
                groups,
                values,
                min: v.min,
                max: v.max,
            });
        }

        let mut attributes = Vec::new();
        for a in file.attributes {
            self.check_id(&a.id, "attribute")?;
            let label = self.localized(&a.label, &format!("attribute '{}'", a.id.value))?;
            self.attributes
                .insert(a.id.value.clone(), a.values.iter().cloned().collect());
            attributes.push(Attribute {
                id: a.id.value,
                label,
                values: a.values,
            });
        }

        for category in file.categories {
            self.category(category, None, 0)?;
        }
        let positions = self
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.clone(), i))
            .collect();
        Ok(Codebook {
            name: file.name,
            version: file.version,
            languages: self.languages,
            description: file.description.map(Localized),
            variables,
            attributes,
            categories: self.categories,
            indicators: self.indicators,
            positions,
            history: file.history.into_iter().map(HistoryEntry::from).collect(),
        })
    }

    fn category(&mut self, file: CategoryFile, parent: Option<usize>, depth: usize) -> Result<()> {
        self.check_id(&file.id, "category")?;
        let label = self.localized(&file.label, &format!("category '{}'", file.id.value))?;
        let position = self.categories.len();
        self.categories.push(Category {
            id: file.id.value.clone(),
            label,
            description: file.description.map(Localized),
            parent,
            depth,
            indicators: Vec::new(),
        });
        for indicator in file.indicators {
            let index = self.indicator(indicator, position)?;
            self.categories[position].indicators.push(index);
        }
        for child in file.categories {
            self.category(child, Some(position), depth + 1)?;
        }
        Ok(())
    }

    fn text_items(
        &self,
        items: Vec<TextItem>,
        at: &Location,
        what: &str,
    ) -> Result<Vec<Localized>> {
        items
            .into_iter()
            .map(|item| match item {
                TextItem::Plain(text) => Ok(Localized(LangMap::from([(
                    self.languages[0].clone(),
                    text,
                )]))),
                TextItem::ByLanguage(map) => {
                    self.known_languages(&map, at, what)?;
                    Ok(Localized(map))
                }
            })
            .collect()
    }

    fn indicator(&mut self, file: IndicatorFile, category: usize) -> Result<usize> {
        self.check_id(&file.id, "indicator")?;
        let id = file.id.value.clone();
        let what = format!("indicator '{id}'");
        let label = self.localized(&file.label, &format!("{what} label"))?;
        let definition = self.localized(&file.definition, &format!("{what} definition"))?;
        let at = file.id.referenced;
        let include = self.text_items(file.include, &at, &what)?;
        let exclude = self.text_items(file.exclude, &at, &what)?;
        let examples = self.text_items(file.examples, &at, &what)?;
        let mut attributes = BTreeMap::new();
        for (key, value) in file.attributes {
            let Some(allowed) = self.attributes.get(&key) else {
                return self.fail(
                    &value.referenced,
                    format!("{what}: attribute '{key}' is not declared under `attributes`"),
                );
            };
            if !allowed.contains(&value.value) {
                let mut allowed: Vec<_> = allowed.iter().cloned().collect();
                allowed.sort();
                return self.fail(
                    &value.referenced,
                    format!(
                        "{what}: '{}' is not a value of attribute '{key}' (expected one of: {})",
                        value.value,
                        allowed.join(", ")
                    ),
                );
            }
            attributes.insert(key, value.value);
        }
        self.indicators.push(Indicator {
            id: IndicatorId::new(id),
            label,
            definition,
            include,
            exclude,
            examples,
            attributes,
            color: file.color.map(|c| c.value),
            retired: file.retired,
            category,
        });
        Ok(self.indicators.len() - 1)
    }
}

/// The default codebook shipped inside the binary (the repository's own `codebook.yaml`).
pub const DEFAULT_CODEBOOK: &str = include_str!("../../codebook.yaml");

#[cfg(test)]
mod tests;
