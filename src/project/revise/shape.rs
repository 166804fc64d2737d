//! What a codebook says, to check that an edit of its text did what was intended.

use std::collections::BTreeMap;

use super::render::RenderItem;
use crate::codebook::history::HistoryEntry;
use crate::codebook::{Codebook, LangMap, Localized};

/// What a codebook says, to compare the edited text with the intended change.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shape {
    name: String,
    pub(super) version: String,
    languages: Vec<String>,
    /// Category id, parent id, its indicator ids in order.
    categories: Vec<(String, Option<String>, Vec<String>)>,
    pub(super) indicators: BTreeMap<String, Record>,
    pub(super) history: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    category: String,
    pub(super) label: Localized,
    pub(super) definition: Localized,
    include: Vec<Localized>,
    exclude: Vec<Localized>,
    pub(super) examples: Vec<Localized>,
    attributes: BTreeMap<String, String>,
    color: Option<String>,
    pub(super) retired: bool,
}

impl Record {
    /// What the codebook should say of `item` in `category`.
    pub(super) fn of_item(category: &str, item: &RenderItem) -> Self {
        let localized = |items: &[LangMap]| items.iter().map(|m| Localized(m.clone())).collect();
        Self {
            category: category.to_string(),
            label: Localized(item.label.clone()),
            definition: Localized(item.definition.clone()),
            include: localized(&item.include),
            exclude: localized(&item.exclude),
            examples: localized(&item.examples),
            attributes: item.attributes.clone(),
            color: item.color.clone(),
            retired: item.retired,
        }
    }
}

impl Shape {
    pub(super) fn of(codebook: &Codebook) -> Self {
        let categories = codebook
            .categories
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.parent.map(|p| codebook.categories[p].id.clone()),
                    c.indicators
                        .iter()
                        .map(|&i| codebook.indicators[i].id.to_string())
                        .collect(),
                )
            })
            .collect();
        let indicators = codebook
            .indicators
            .iter()
            .map(|i| {
                (
                    i.id.to_string(),
                    Record {
                        category: codebook.categories[i.category].id.clone(),
                        label: i.label.clone(),
                        definition: i.definition.clone(),
                        include: i.include.clone(),
                        exclude: i.exclude.clone(),
                        examples: i.examples.clone(),
                        attributes: i.attributes.clone(),
                        color: i.color.clone(),
                        retired: i.retired,
                    },
                )
            })
            .collect();
        Self {
            name: codebook.name.clone(),
            version: codebook.version.clone(),
            languages: codebook.languages.clone(),
            categories,
            indicators,
            history: codebook.history().to_vec(),
        }
    }

    pub(super) fn rename(&mut self, old: &str, new: &str) {
        let record = self.indicators.remove(old).expect("exists");
        self.replace_in_lists(old, Some(new));
        self.indicators.insert(new.to_string(), record);
    }

    pub(super) fn replace(&mut self, old: &str, new: &str, record: Record) {
        self.indicators.remove(old);
        self.replace_in_lists(old, Some(new));
        self.indicators.insert(new.to_string(), record);
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.indicators.remove(id);
        self.replace_in_lists(id, None);
    }

    pub(super) fn add(&mut self, category: &str, id: &str, record: Record) {
        for (c, _, list) in &mut self.categories {
            if c == category {
                list.push(id.to_string());
            }
        }
        self.indicators.insert(id.to_string(), record);
    }

    /// Puts `records` in `category`'s list after `anchor`, or in its place when `replace`.
    pub(super) fn insert_at(
        &mut self,
        category: &str,
        anchor: &str,
        records: &[(String, Record)],
        replace: bool,
    ) {
        for (c, _, list) in &mut self.categories {
            if c == category
                && let Some(at) = list.iter().position(|i| i == anchor)
            {
                let ids = records.iter().map(|(id, _)| id.clone());
                if replace {
                    list.splice(at..=at, ids);
                } else {
                    list.splice(at + 1..at + 1, ids);
                }
            }
        }
        if replace {
            self.indicators.remove(anchor);
        }
        for (id, record) in records {
            self.indicators.insert(id.clone(), record.clone());
        }
    }

    fn replace_in_lists(&mut self, old: &str, new: Option<&str>) {
        for (_, _, list) in &mut self.categories {
            if let Some(at) = list.iter().position(|i| i == old) {
                match new {
                    Some(new) => list[at] = new.to_string(),
                    None => {
                        list.remove(at);
                    }
                }
            }
        }
    }

    pub(super) fn first_difference(&self, actual: &Shape) -> String {
        if self.version != actual.version || self.history != actual.history {
            return "version or history".into();
        }
        for (id, record) in &self.indicators {
            if actual.indicators.get(id) != Some(record) {
                return format!("indicator {id}");
            }
        }
        if let Some(id) = actual
            .indicators
            .keys()
            .find(|id| !self.indicators.contains_key(*id))
        {
            return format!("unexpected indicator {id}");
        }
        "categories".into()
    }
}
