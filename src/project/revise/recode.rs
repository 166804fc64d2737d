//! Recoding the annotations of every coder file, and moving their `codebook_version`.

use std::collections::HashMap;

use super::{CoderChange, ProjectFiles, files::shown_coder_path};
use crate::annotations::{Annotation, CoderFile};
use crate::corpus::{DocumentId, IndicatorId};
use crate::error::{Error, Result};
use crate::yaml;

/// Recodes every coder file with `map` (old code → new code, deduplicated per annotation), and
/// moves `codebook_version` from the old version to the new one where it was the old (or
/// already the new: an interrupted change). Only files that change are returned.
pub(super) fn migrate_coders(
    files: &ProjectFiles,
    map: &HashMap<String, String>,
    versions: Option<(&str, &str)>,
) -> Result<Vec<CoderChange>> {
    migrate_coders_with(files, versions, |_, _, annotation| {
        annotation
            .codes
            .iter()
            .any(|c| map.contains_key(c.as_str()))
            .then(|| {
                annotation
                    .codes
                    .iter()
                    .map(|c| match map.get(c.as_str()) {
                        Some(new) => IndicatorId::new(new.clone()),
                        None => c.clone(),
                    })
                    .collect()
            })
    })
}

/// Recodes every coder file: `recode(coder, document, annotation)` gives an annotation's new
/// codes (deduplicated and sorted here), or `None` to leave it. See [`migrate_coders`] for the
/// versions.
pub(super) fn migrate_coders_with(
    files: &ProjectFiles,
    versions: Option<(&str, &str)>,
    recode: impl Fn(&str, &DocumentId, &Annotation) -> Option<Vec<IndicatorId>>,
) -> Result<Vec<CoderChange>> {
    let mut changes = Vec::new();
    for source in &files.coders {
        let mut file = source.file.clone();
        let mut recoded = 0;
        for (document, coding) in file.documents.iter_mut() {
            let new_codes: Vec<(usize, Vec<IndicatorId>)> = coding
                .annotations
                .iter()
                .enumerate()
                .filter_map(|(i, annotation)| {
                    let mut codes = recode(&source.name, document, annotation)?;
                    codes.sort();
                    codes.dedup();
                    (codes != annotation.codes).then_some((i, codes))
                })
                .collect();
            if new_codes.is_empty() {
                continue;
            }
            // Documents are shared with the file as read: copied only when they change.
            let coding = std::sync::Arc::make_mut(coding);
            for (i, codes) in new_codes {
                coding.annotations[i].codes = codes;
                recoded += 1;
            }
        }
        let mut version = None;
        if let Some((from, to)) = versions
            && file.codebook_version.as_deref() == Some(from)
            && from != to
        {
            version = Some((from.to_string(), to.to_string()));
            file.codebook_version = Some(to.to_string());
        }
        if recoded == 0 && version.is_none() {
            continue;
        }
        let shown = shown_coder_path(&source.name);
        let text = yaml::to_string(&file)?;
        let back: CoderFile = yaml::parse(&shown, &text, 0)?;
        if back != file {
            return Err(Error::Usage(format!(
                "{}: the recoded file does not read back the same, so nothing was written",
                shown.display()
            )));
        }
        changes.push(CoderChange {
            coder: source.name.clone(),
            path: shown,
            recoded,
            version,
            file,
            text,
        });
    }
    Ok(changes)
}
