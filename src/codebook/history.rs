//! Versions of a codebook: the `history:` list, version numbers, and what changed between two
//! codebooks (`normcode codebook diff`).
//!
//! Every change made with `normcode codebook` (or [`super::edit`]) bumps the minor version
//! (`1.0` → `1.1`, see [`bump_minor`]) and appends an entry to `history:`. A coder file records
//! the version it was coded against, so `normcode check` can list what changed since.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::file::HistoryEntryFile;
use super::{Codebook, Indicator, Localized};

/// One version of the codebook and what changed in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub version: String,
    /// `YYYY-MM-DD` as written in the file.
    pub date: Option<String>,
    /// Who made the change.
    pub by: Option<String>,
    pub changes: Vec<String>,
}

impl From<HistoryEntryFile> for HistoryEntry {
    fn from(file: HistoryEntryFile) -> Self {
        Self {
            version: file.version,
            date: file.date,
            by: file.by,
            changes: file.changes,
        }
    }
}

impl fmt::Display for HistoryEntry {
    /// `1.1 (2026-11-27, alice): change; change`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version)?;
        let meta: Vec<&str> = [self.date.as_deref(), self.by.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !meta.is_empty() {
            write!(f, " ({})", meta.join(", "))?;
        }
        write!(f, ": {}", self.changes.join("; "))
    }
}

impl Codebook {
    /// The `history:` list of the codebook file, oldest first (empty when it has none).
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// The history entries made after `version`: those after its last entry, or when the
    /// history does not name it, those with a higher version number.
    pub fn changes_since(&self, version: &str) -> &[HistoryEntry] {
        let start = match self.history.iter().rposition(|e| e.version == version) {
            Some(i) => i + 1,
            None => self
                .history
                .iter()
                .position(|e| compare_versions(&e.version, version) == Ordering::Greater)
                .unwrap_or(self.history.len()),
        };
        &self.history[start..]
    }

    /// The changes since `version` on one line for a message (`1.1 (date, by): change | 1.2
    /// ...`), or `None` when the history records none.
    pub fn describe_changes_since(&self, version: &str) -> Option<String> {
        let since = self.changes_since(version);
        if since.is_empty() {
            return None;
        }
        let entries: Vec<String> = since.iter().map(|e| e.to_string()).collect();
        Some(format!("changes since {version}: {}", entries.join(" | ")))
    }
}

/// A change in the history that coder files follow: what `normcode codebook` wrote as the
/// change's sentence ("Renamed indicator IL02 to IHL01.", "Merged indicators A and B into
/// C.", "Split indicator X into Y, Z (...).", "Retired indicator X (...)."). Ids hold no
/// spaces or commas ([`crate::project::revise`] checks new ids), so the sentence says them
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recoding {
    /// Every `old` code becomes `new`.
    Rename { old: String, new: String },
    /// Every code of `sources` becomes `into`.
    Merge { sources: Vec<String>, into: String },
    /// The coded segments were assigned one by one where the split was made (the coder files
    /// there carry them); a segment coded elsewhere meanwhile stays with `source`, retired.
    Split { source: String, into: Vec<String> },
    /// `id` stays on the annotations that have it, no longer offered for coding.
    Retire { id: String },
}

impl Recoding {
    /// Reads one change sentence; `None` for a change that recodes nothing (an edit, an add)
    /// or one written by hand.
    pub fn parse(change: &str) -> Option<Self> {
        let text = change.trim();
        let id = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && !s.contains(char::is_whitespace) && !s.contains(','))
                .then(|| s.to_string())
        };
        // The sentence's last '.' is not part of the last id.
        let body = |s: &str| s.strip_suffix('.').unwrap_or(s).to_string();
        if let Some(rest) = text.strip_prefix("Renamed indicator ") {
            let rest = body(rest);
            let (old, new) = rest.split_once(" to ")?;
            return Some(Self::Rename {
                old: id(old)?,
                new: id(new)?,
            });
        }
        if let Some(rest) = text.strip_prefix("Merged ") {
            let rest = body(rest);
            let (names, into) = rest.rsplit_once(" into ")?;
            // "into C" or "into C (new; ...)"
            let into = into.split(" (").next()?;
            let names = names
                .strip_prefix("indicators ")
                .or_else(|| names.strip_prefix("indicator "))?;
            let mut sources = Vec::new();
            for part in names.split(", ") {
                for name in part.split(" and ") {
                    sources.push(id(name)?);
                }
            }
            return Some(Self::Merge {
                sources,
                into: id(into)?,
            });
        }
        if let Some(rest) = text.strip_prefix("Split indicator ") {
            let (source, rest) = rest.split_once(" into ")?;
            let targets = rest.split(" (").next()?;
            let targets = targets.strip_suffix('.').unwrap_or(targets);
            return Some(Self::Split {
                source: id(source)?,
                into: targets.split(", ").map(id).collect::<Option<Vec<_>>>()?,
            });
        }
        if let Some(rest) = text.strip_prefix("Retired indicator ") {
            let rest = rest.split(" (").next()?;
            return Some(Self::Retire {
                id: id(&body(rest))?,
            });
        }
        None
    }
}

impl Codebook {
    /// The recodings made after `version`, oldest first, each with the version that made it.
    pub fn recodings_since(&self, version: &str) -> Vec<(String, Recoding)> {
        self.changes_since(version)
            .iter()
            .flat_map(|entry| {
                entry
                    .changes
                    .iter()
                    .filter_map(|c| Recoding::parse(c))
                    .map(|r| (entry.version.clone(), r))
            })
            .collect()
    }
}

/// The next minor version: `1.0` → `1.1`, `1.9` → `1.10`, `2` → `2.1`, `1.2.3` → `1.3`. A
/// version whose second part is not a number gets `.1` appended (`draft` → `draft.1`).
pub fn bump_minor(version: &str) -> String {
    let version = version.trim();
    let parts: Vec<&str> = version.split('.').collect();
    match parts.as_slice() {
        [major] if major.parse::<u64>().is_ok() => format!("{major}.1"),
        [major, minor, ..] => match minor.parse::<u64>() {
            Ok(n) => format!("{major}.{}", n + 1),
            Err(_) => format!("{version}.1"),
        },
        _ => format!("{version}.1"),
    }
}

/// Compares versions part by part, numbers as numbers (`1.10` > `1.9`), other parts as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut a_parts = a.trim().split('.');
    let mut b_parts = b.trim().split('.');
    loop {
        match (a_parts.next(), b_parts.next()) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

// ----- diff -----

/// An indicator named in a diff: id, label in the display language, category id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorRef {
    pub id: String,
    pub label: String,
    pub category: String,
}

/// A category named in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryRef {
    pub id: String,
    pub label: String,
}

/// An indicator that seems to have been renamed: gone under `old`, new under `new`, with the
/// same label or definition. A heuristic: `matched_on` says what was the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    pub old: String,
    pub new: String,
    /// `"label and definition"`, `"label"` or `"definition"`.
    pub matched_on: String,
}

/// One change to an indicator that exists in both codebooks (or was renamed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndicatorChange {
    Relabelled {
        language: String,
        old: String,
        new: String,
    },
    DefinitionChanged {
        language: String,
        old: String,
        new: String,
    },
    /// `field` is `include`, `exclude` or `examples`.
    RulesChanged {
        field: String,
    },
    AttributesChanged {
        old: BTreeMap<String, String>,
        new: BTreeMap<String, String>,
    },
    Moved {
        from: String,
        to: String,
    },
    Retired,
    Unretired,
}

impl fmt::Display for IndicatorChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndicatorChange::Relabelled { language, old, new } => {
                write!(f, "relabelled ({language}): \"{old}\" → \"{new}\"")
            }
            IndicatorChange::DefinitionChanged { language, old, new } => {
                write!(f, "definition changed ({language}): \"{old}\" → \"{new}\"")
            }
            IndicatorChange::RulesChanged { field } => write!(f, "{field} changed"),
            IndicatorChange::AttributesChanged { old, new } => {
                let show = |m: &BTreeMap<String, String>| {
                    let items: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", items.join(", "))
                };
                write!(f, "attributes {} → {}", show(old), show(new))
            }
            IndicatorChange::Moved { from, to } => write!(f, "moved from category {from} to {to}"),
            IndicatorChange::Retired => write!(f, "retired"),
            IndicatorChange::Unretired => write!(f, "no longer retired"),
        }
    }
}

/// The changes of one indicator, under its id in the new codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedIndicator {
    pub id: String,
    pub changes: Vec<IndicatorChange>,
}

/// What changed from one codebook to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodebookDiff {
    pub old_version: String,
    pub new_version: String,
    pub categories_added: Vec<CategoryRef>,
    pub categories_removed: Vec<CategoryRef>,
    pub indicators_added: Vec<IndicatorRef>,
    pub indicators_removed: Vec<IndicatorRef>,
    pub indicators_renamed: Vec<Renamed>,
    pub indicators_changed: Vec<ChangedIndicator>,
}

impl CodebookDiff {
    pub fn is_empty(&self) -> bool {
        self.categories_added.is_empty()
            && self.categories_removed.is_empty()
            && self.indicators_added.is_empty()
            && self.indicators_removed.is_empty()
            && self.indicators_renamed.is_empty()
            && self.indicators_changed.is_empty()
    }
}

fn indicator_ref(codebook: &Codebook, indicator: &Indicator, lang: &str) -> IndicatorRef {
    IndicatorRef {
        id: indicator.id.to_string(),
        label: indicator.label.get(lang).to_string(),
        category: codebook.categories[indicator.category].id.clone(),
    }
}

fn text_changes(
    old: &Localized,
    new: &Localized,
    make: impl Fn(String, String, String) -> IndicatorChange,
) -> Vec<IndicatorChange> {
    let languages: Vec<&String> = {
        let mut all: Vec<&String> = old.0.keys().chain(new.0.keys()).collect();
        all.sort();
        all.dedup();
        all
    };
    languages
        .into_iter()
        .filter_map(|lang| {
            let a = old.0.get(lang).map(String::as_str).unwrap_or("");
            let b = new.0.get(lang).map(String::as_str).unwrap_or("");
            (a != b).then(|| make(lang.clone(), a.to_string(), b.to_string()))
        })
        .collect()
}

fn indicator_changes(
    old_book: &Codebook,
    old: &Indicator,
    new_book: &Codebook,
    new: &Indicator,
) -> Vec<IndicatorChange> {
    let mut changes = text_changes(&old.label, &new.label, |language, old, new| {
        IndicatorChange::Relabelled { language, old, new }
    });
    changes.extend(text_changes(
        &old.definition,
        &new.definition,
        |language, old, new| IndicatorChange::DefinitionChanged { language, old, new },
    ));
    for (field, a, b) in [
        ("include", &old.include, &new.include),
        ("exclude", &old.exclude, &new.exclude),
        ("examples", &old.examples, &new.examples),
    ] {
        if a != b {
            changes.push(IndicatorChange::RulesChanged {
                field: field.to_string(),
            });
        }
    }
    if old.attributes != new.attributes {
        changes.push(IndicatorChange::AttributesChanged {
            old: old.attributes.clone(),
            new: new.attributes.clone(),
        });
    }
    let from = &old_book.categories[old.category].id;
    let to = &new_book.categories[new.category].id;
    if from != to {
        changes.push(IndicatorChange::Moved {
            from: from.clone(),
            to: to.clone(),
        });
    }
    match (old.retired, new.retired) {
        (false, true) => changes.push(IndicatorChange::Retired),
        (true, false) => changes.push(IndicatorChange::Unretired),
        _ => {}
    }
    changes
}

/// What changed from `old` to `new`. Labels are shown in `lang`. Renames are guessed: an
/// indicator that disappeared and one that appeared with the same label (in every language) or
/// the same definition are reported as renamed, each pair once, in codebook order.
pub fn diff(old: &Codebook, new: &Codebook, lang: &str) -> CodebookDiff {
    let old_categories: HashSet<&str> = old.categories.iter().map(|c| c.id.as_str()).collect();
    let new_categories: HashSet<&str> = new.categories.iter().map(|c| c.id.as_str()).collect();
    let category_ref = |c: &super::Category| CategoryRef {
        id: c.id.clone(),
        label: c.label.get(lang).to_string(),
    };
    let categories_added = new
        .categories
        .iter()
        .filter(|c| !old_categories.contains(c.id.as_str()))
        .map(category_ref)
        .collect();
    let categories_removed = old
        .categories
        .iter()
        .filter(|c| !new_categories.contains(c.id.as_str()))
        .map(category_ref)
        .collect();

    let mut removed: Vec<&Indicator> = old
        .indicators
        .iter()
        .filter(|i| new.indicator(&i.id).is_none())
        .collect();
    let mut added: Vec<&Indicator> = new
        .indicators
        .iter()
        .filter(|i| old.indicator(&i.id).is_none())
        .collect();

    // Pair removed and added indicators that look the same: a rename.
    let mut renamed = Vec::new();
    let mut pairs: HashMap<String, &Indicator> = HashMap::new();
    removed.retain(|gone| {
        let found = added.iter().position(|new_one| {
            gone.label == new_one.label || gone.definition == new_one.definition
        });
        match found {
            Some(at) => {
                let new_one = added.remove(at);
                let matched_on = match (
                    gone.label == new_one.label,
                    gone.definition == new_one.definition,
                ) {
                    (true, true) => "label and definition",
                    (true, false) => "label",
                    _ => "definition",
                };
                renamed.push(Renamed {
                    old: gone.id.to_string(),
                    new: new_one.id.to_string(),
                    matched_on: matched_on.to_string(),
                });
                pairs.insert(new_one.id.to_string(), gone);
                false
            }
            None => true,
        }
    });

    let mut changed = Vec::new();
    for indicator in &new.indicators {
        let before = old
            .indicator(&indicator.id)
            .or_else(|| pairs.get(indicator.id.as_str()).copied());
        if let Some(before) = before {
            let changes = indicator_changes(old, before, new, indicator);
            if !changes.is_empty() {
                changed.push(ChangedIndicator {
                    id: indicator.id.to_string(),
                    changes,
                });
            }
        }
    }

    CodebookDiff {
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        categories_added,
        categories_removed,
        indicators_added: added.iter().map(|i| indicator_ref(new, i, lang)).collect(),
        indicators_removed: removed
            .iter()
            .map(|i| indicator_ref(old, i, lang))
            .collect(),
        indicators_renamed: renamed,
        indicators_changed: changed,
    }
}

impl fmt::Display for CodebookDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.old_version != self.new_version {
            writeln!(f, "version {} → {}", self.old_version, self.new_version)?;
        }
        if self.is_empty() {
            return writeln!(f, "no differences in categories or indicators");
        }
        for c in &self.categories_added {
            writeln!(f, "category added      {}  {}", c.id, c.label)?;
        }
        for c in &self.categories_removed {
            writeln!(f, "category removed    {}  {}", c.id, c.label)?;
        }
        for i in &self.indicators_added {
            writeln!(
                f,
                "added               {}  {}  (in {})",
                i.id, i.label, i.category
            )?;
        }
        for i in &self.indicators_removed {
            writeln!(
                f,
                "removed             {}  {}  (was in {})",
                i.id, i.label, i.category
            )?;
        }
        for r in &self.indicators_renamed {
            writeln!(
                f,
                "renamed             {} → {}  (guessed: same {})",
                r.old, r.new, r.matched_on
            )?;
        }
        for c in &self.indicators_changed {
            for change in &c.changes {
                writeln!(f, "changed             {}  {change}", c.id)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumping_the_minor_version() {
        assert_eq!(bump_minor("1.0"), "1.1");
        assert_eq!(bump_minor("1.9"), "1.10");
        assert_eq!(bump_minor("2"), "2.1");
        assert_eq!(bump_minor("1.2.3"), "1.3");
        assert_eq!(bump_minor("draft"), "draft.1");
        assert_eq!(bump_minor("draft.1"), "draft.2");
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare_versions("1.0", "1.0"), Ordering::Equal);
        assert_eq!(compare_versions("1", "1.0"), Ordering::Less);
    }

    #[test]
    fn change_sentences_read_as_recodings() {
        assert_eq!(
            Recoding::parse("Renamed indicator IL02 to IHL.1."),
            Some(Recoding::Rename {
                old: "IL02".into(),
                new: "IHL.1".into()
            })
        );
        assert_eq!(
            Recoding::parse("Merged indicators A, B and C into D (new; based on A)."),
            Some(Recoding::Merge {
                sources: vec!["A".into(), "B".into(), "C".into()],
                into: "D".into()
            })
        );
        assert_eq!(
            Recoding::parse("Merged indicator A into B."),
            Some(Recoding::Merge {
                sources: vec!["A".into()],
                into: "B".into()
            })
        );
        assert_eq!(
            Recoding::parse(
                "Split indicator X into Y, Z (3 segments: 2 to Y, 1 to Z; 1 left with X, now retired)."
            ),
            Some(Recoding::Split {
                source: "X".into(),
                into: vec!["Y".into(), "Z".into()]
            })
        );
        assert_eq!(
            Recoding::parse(
                "Retired indicator X (kept for existing annotations, no longer offered for coding)."
            ),
            Some(Recoding::Retire { id: "X".into() })
        );
        assert_eq!(Recoding::parse("Added indicator Q to category C."), None);
        assert_eq!(Recoding::parse("Renamed indicator a b to c."), None);
    }
}
