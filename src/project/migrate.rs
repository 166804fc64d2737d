//! Bringing a coder file written under an older codebook up to the codebook here, through the
//! codebook's `history:` ([`Codebook::recodings_since`]).
//!
//! Renames and merges recode every annotation that has an old id. A split's segments were
//! assigned where the split was made, and that machine's coder files carry the assignments
//! (they arrive by the merge); a segment coded elsewhere meanwhile keeps the split indicator,
//! which is retired, as a split leaves unassigned segments. Retired indicators stay on the
//! annotations that have them; the coder is told how many.
//!
//! Replaying a change is harmless on a file that already follows it (a rename finds no old
//! id; an id the codebook has again, added after it was renamed away, is never recoded), so a merged file records the older of its two sides' versions
//! ([`crate::annotations::merge3`]) and is migrated from there.
//!
//! [`crate::project::Project::load_coder`] migrates every coder file it reads, in memory: the
//! commands that only read count a file of an older codebook under today's ids and never write
//! it; `normcode sync` and the workspace write the coder's own file migrated.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::annotations::CoderFile;
use crate::codebook::Codebook;
use crate::codebook::history::{Recoding, compare_versions};
use crate::corpus::IndicatorId;
use crate::error::{Error, Result};

/// What [`migrate`] did to a coder file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrated {
    pub from: String,
    pub to: String,
    /// Annotations whose codes changed.
    pub recoded: usize,
    /// The changes replayed: "rename IL02 → IHL01 (1.1)".
    pub replayed: Vec<String>,
    /// Retired indicators the file still uses, with how many annotations have each.
    pub retired_in_use: BTreeMap<String, usize>,
}

impl Migrated {
    /// "codebook 1.0 → 1.2: 3 annotations recoded (rename IL02 → IHL01 (1.1)); 1 annotation
    /// keeps retired X"
    pub fn describe(&self) -> String {
        let mut text = format!("codebook {} → {}", self.from, self.to);
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if self.recoded > 0 {
            text.push_str(&format!(
                ": {} annotation{} recoded ({})",
                self.recoded,
                plural(self.recoded),
                self.replayed.join("; ")
            ));
        } else {
            text.push_str(": no annotation needed recoding");
        }
        for (id, n) in &self.retired_in_use {
            text.push_str(&format!(
                "; {n} annotation{} keep{} retired {id}",
                plural(*n),
                if *n == 1 { "s" } else { "" }
            ));
        }
        text
    }
}

/// The error for a coder file written under a newer codebook than the one here.
pub fn newer_codebook(shown: &Path, file_version: &str, codebook: &Codebook) -> Error {
    Error::Usage(format!(
        "{} was written under codebook {file_version}, but {} here is version {}: pull first \
         (`normcode sync`, or `git pull`) so that the codebook is the newer one too",
        shown.display(),
        crate::project::CODEBOOK_FILE,
        codebook.version
    ))
}

/// Brings `file` up to `codebook`'s version: `None` when it already is (or records no
/// version); an error naming `shown` when it was written under a newer codebook.
pub fn migrate(
    file: &mut CoderFile,
    codebook: &Codebook,
    shown: &Path,
) -> Result<Option<Migrated>> {
    let Some(from) = file.codebook_version.clone() else {
        return Ok(None);
    };
    match compare_versions(&from, &codebook.version) {
        Ordering::Equal => return Ok(None),
        Ordering::Greater => return Err(newer_codebook(shown, &from, codebook)),
        Ordering::Less => {}
    }
    let mut map: HashMap<String, String> = HashMap::new();
    let mut replayed = Vec::new();
    let mut retired: Vec<String> = Vec::new();
    for (version, recoding) in codebook.recodings_since(&from) {
        let mut follow = |old: &str, new: &str| {
            // Earlier renames that ended at `old` now end at `new`.
            for target in map.values_mut() {
                if target == old {
                    *target = new.to_string();
                }
            }
            map.insert(old.to_string(), new.to_string());
        };
        match &recoding {
            Recoding::Rename { old, new } => {
                follow(old, new);
                replayed.push(format!("rename {old} → {new} ({version})"));
            }
            Recoding::Merge { sources, into } => {
                for source in sources.iter().filter(|s| *s != into) {
                    follow(source, into);
                }
                replayed.push(format!(
                    "merge {} into {into} ({version})",
                    sources.join(", ")
                ));
            }
            Recoding::Split { source, .. } => retired.push(source.clone()),
            Recoding::Retire { id } => retired.push(id.clone()),
        }
    }
    // An id the codebook has now is never recoded: it was added again after it was renamed
    // or merged away, and a code with it was written under the new meaning.
    map.retain(|old, _| codebook.indicator(&IndicatorId::new(old.clone())).is_none());
    let mut recoded = 0;
    for coding in file.documents.values_mut() {
        let needs = coding
            .annotations
            .iter()
            .any(|a| a.codes.iter().any(|c| map.contains_key(c.as_str())));
        if !needs {
            continue;
        }
        let coding = Arc::make_mut(coding);
        for annotation in &mut coding.annotations {
            if !annotation
                .codes
                .iter()
                .any(|c| map.contains_key(c.as_str()))
            {
                continue;
            }
            let mut codes: Vec<IndicatorId> = annotation
                .codes
                .iter()
                .map(|c| match map.get(c.as_str()) {
                    Some(new) => IndicatorId::new(new.clone()),
                    None => c.clone(),
                })
                .collect();
            codes.sort();
            codes.dedup();
            annotation.codes = codes;
            recoded += 1;
        }
    }
    let mut retired_in_use = BTreeMap::new();
    for id in retired {
        let still_retired = codebook
            .indicator(&IndicatorId::new(id.clone()))
            .is_some_and(|i| i.retired);
        let n = file
            .documents
            .values()
            .flat_map(|c| c.annotations.iter())
            .filter(|a| a.codes.iter().any(|c| c.as_str() == id))
            .count();
        if still_retired && n > 0 {
            retired_in_use.insert(id, n);
        }
    }
    // Only the sentences that recoded something here are worth telling.
    if recoded == 0 {
        replayed.clear();
    }
    file.codebook_version = Some(codebook.version.clone());
    Ok(Some(Migrated {
        from,
        to: codebook.version.clone(),
        recoded,
        replayed,
        retired_in_use,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::{Annotation, DocumentCoding};
    use crate::corpus::{DocumentId, UnitId};

    const CODEBOOK: &str = r#"name: Test
version: "1.3"
languages: [en]
categories:
  - id: C
    label: {en: C}
    indicators:
      - id: B2
        label: {en: B}
        definition: {en: B.}
      - id: M
        label: {en: M}
        definition: {en: M.}
      - id: R
        label: {en: R}
        definition: {en: R.}
        retired: true
history:
  - version: "1.0"
    changes: [First.]
  - version: "1.1"
    changes: [Renamed indicator A to B.]
  - version: "1.2"
    changes: [Renamed indicator B to B2., "Merged indicators X and Y into M (new; based on X)."]
  - version: "1.3"
    changes: ["Retired indicator R (kept for existing annotations, no longer offered for coding)."]
"#;

    fn file(version: &str, units: &[(&str, &[&str])]) -> CoderFile {
        let mut f = CoderFile::new("alice", Some(version.into()));
        let annotations = units
            .iter()
            .map(|(unit, codes)| {
                Annotation::new_unit(
                    UnitId::new(*unit),
                    codes.iter().map(|c| IndicatorId::new(*c)).collect(),
                    chrono::DateTime::UNIX_EPOCH,
                )
            })
            .collect();
        f.documents.insert(
            DocumentId::new("d"),
            Arc::new(DocumentCoding {
                annotations,
                ..Default::default()
            }),
        );
        f
    }

    fn codes(f: &CoderFile) -> Vec<Vec<String>> {
        f.annotations(&DocumentId::new("d"))
            .iter()
            .map(|a| a.codes.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn renames_chain_merges_join_and_retired_codes_stay() {
        let codebook = Codebook::parse(Path::new("codebook.yaml"), CODEBOOK).unwrap();
        let mut f = file(
            "1.0",
            &[("1", &["A"]), ("2", &["X", "Y"]), ("3", &["R", "B"])],
        );
        let migrated = migrate(&mut f, &codebook, Path::new("alice.yaml"))
            .unwrap()
            .unwrap();
        // A → B (1.1) → B2 (1.2): chained; B → B2 (1.2); X and Y → M once.
        assert_eq!(codes(&f), [vec!["B2"], vec!["M"], vec!["B2", "R"]]);
        assert_eq!(f.codebook_version.as_deref(), Some("1.3"));
        assert_eq!(migrated.recoded, 3);
        assert_eq!(migrated.retired_in_use.get("R"), Some(&1));
        assert!(
            migrated
                .describe()
                .contains("codebook 1.0 → 1.3: 3 annotations recoded")
        );

        // From 1.1 on, the rename A → B is not replayed: an A written then stays.
        let mut f = file("1.1", &[("1", &["A", "B"])]);
        migrate(&mut f, &codebook, Path::new("alice.yaml")).unwrap();
        assert_eq!(codes(&f), [vec!["A", "B2"]]);
        // Replayed on a file that already follows it, nothing changes but the version.
        let mut f = file("1.2", &[("1", &["B2"])]);
        let migrated = migrate(&mut f, &codebook, Path::new("alice.yaml"))
            .unwrap()
            .unwrap();
        assert_eq!(migrated.recoded, 0);
        assert_eq!(codes(&f), [vec!["B2"]]);
    }

    #[test]
    fn the_same_version_is_left_and_a_newer_one_says_pull_first() {
        let codebook = Codebook::parse(Path::new("codebook.yaml"), CODEBOOK).unwrap();
        let mut f = file("1.3", &[("1", &["A"])]);
        assert_eq!(
            migrate(&mut f, &codebook, Path::new("a.yaml")).unwrap(),
            None
        );
        let mut f = file("1.10", &[("1", &["A"])]);
        let err = migrate(&mut f, &codebook, Path::new("annotations/alice.yaml")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("annotations/alice.yaml was written under codebook 1.10"),
            "{text}"
        );
        assert!(text.contains("pull first"), "{text}");
        assert_eq!(f.codebook_version.as_deref(), Some("1.10"));
    }
}
