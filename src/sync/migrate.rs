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
//! id), so a merged file records the older of its two sides' versions
//! ([`crate::annotations::merge3`]) and is migrated from there.

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
