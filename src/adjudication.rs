//! Disagreements between coders, and their resolution into a consensus coder file.
//!
//! Units are compared on the documents every compared coder has marked done (elsewhere an
//! uncoded unit means "not coded yet", not "absent"). A unit's codes are all the codes of all
//! its annotations, whole-unit and span. A consensus file is an ordinary coder file
//! (`annotations/consensus.yaml`), so export, reports and agreement use it like any coder.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::annotations::{Annotation, CoderFile, DocumentCoding, Status};
use crate::corpus::{DocumentId, IndicatorId, UnitId};
use crate::project::{LoadedCoder, Project};

/// The usual name of the consensus coder file.
pub const CONSENSUS: &str = "consensus";

/// One unit on which the coders did not all code the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub document: DocumentId,
    pub unit: UnitId,
    /// Position of the unit in its document.
    pub position: usize,
    /// Each compared coder's codes on the unit, in the order the coders were given.
    pub codes: Vec<BTreeSet<IndicatorId>>,
}

impl Disagreement {
    pub fn union(&self) -> BTreeSet<IndicatorId> {
        self.codes.iter().flatten().cloned().collect()
    }

    pub fn intersection(&self) -> BTreeSet<IndicatorId> {
        let mut sets = self.codes.iter();
        let first = sets.next().cloned().unwrap_or_default();
        sets.fold(first, |acc, s| acc.intersection(s).cloned().collect())
    }
}

/// Every coder's codes per unit of a document.
fn codes_by_unit(
    file: &CoderFile,
    document: &DocumentId,
) -> BTreeMap<UnitId, BTreeSet<IndicatorId>> {
    let mut units: BTreeMap<UnitId, BTreeSet<IndicatorId>> = BTreeMap::new();
    for a in file.annotations(document) {
        if !a.is_orphaned() {
            units
                .entry(a.unit.clone())
                .or_default()
                .extend(a.codes.iter().cloned());
        }
    }
    units
}

/// The documents every coder in `coders` has marked done, in corpus order.
pub fn compared_documents(project: &Project, coders: &[&CoderFile]) -> Vec<DocumentId> {
    project
        .corpus
        .documents
        .iter()
        .filter(|d| !coders.is_empty() && coders.iter().all(|c| c.status(&d.id) == Status::Done))
        .map(|d| d.id.clone())
        .collect()
}

/// The units of the compared documents where the coders' code sets differ, in corpus order.
pub fn disagreements(project: &Project, coders: &[&CoderFile]) -> Vec<Disagreement> {
    let mut found = Vec::new();
    for id in compared_documents(project, coders) {
        let Some(document) = project.corpus.get(&id) else {
            continue;
        };
        let per_coder: Vec<_> = coders.iter().map(|c| codes_by_unit(c, &id)).collect();
        for (position, unit) in document.units.iter().enumerate() {
            let codes: Vec<BTreeSet<IndicatorId>> = per_coder
                .iter()
                .map(|m| m.get(&unit.id).cloned().unwrap_or_default())
                .collect();
            if codes.windows(2).any(|w| w[0] != w[1]) {
                found.push(Disagreement {
                    document: id.clone(),
                    unit: unit.id.clone(),
                    position,
                    codes,
                });
            }
        }
    }
    found
}

/// How a disagreement is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Take coder `n`'s annotations on the unit as they are (spans and memos included).
    Take(usize),
    /// The codes any coder gave.
    Union,
    /// The codes every coder gave.
    Intersection,
    /// Exactly these codes, on the whole unit.
    Codes(BTreeSet<IndicatorId>),
}

/// Whether the consensus file has decided `unit` (it has annotations there, or the unit is in
/// a document the consensus marks done).
pub fn is_resolved(consensus: &CoderFile, disagreement: &Disagreement) -> bool {
    consensus
        .annotations(&disagreement.document)
        .iter()
        .any(|a| a.unit == disagreement.unit)
        || consensus.status(&disagreement.document) == Status::Done
}

fn coding_mut<'a>(consensus: &'a mut CoderFile, document: &DocumentId) -> &'a mut DocumentCoding {
    let coding = std::sync::Arc::make_mut(consensus.documents.entry(document.clone()).or_default());
    if coding.status == Status::NotStarted {
        coding.status = Status::InProgress;
    }
    coding
}

/// Writes the resolution of `disagreement` into the consensus file, replacing whatever it had
/// on that unit.
pub fn resolve(
    project: &Project,
    consensus: &mut CoderFile,
    coders: &[&CoderFile],
    disagreement: &Disagreement,
    resolution: &Resolution,
    now: DateTime<Utc>,
) {
    let Some(document) = project.corpus.get(&disagreement.document) else {
        return;
    };
    let Some(unit) = document.units.get(disagreement.position) else {
        return;
    };
    let new: Vec<Annotation> = match resolution {
        Resolution::Take(n) => coders
            .get(*n)
            .map(|c| {
                c.annotations(&disagreement.document)
                    .iter()
                    .filter(|a| a.unit == unit.id)
                    .map(|a| Annotation {
                        created: Some(now),
                        modified: Some(now),
                        ..a.clone()
                    })
                    .collect()
            })
            .unwrap_or_default(),
        other => {
            let codes = match other {
                Resolution::Union => disagreement.union(),
                Resolution::Intersection => disagreement.intersection(),
                Resolution::Codes(codes) => codes.clone(),
                Resolution::Take(_) => unreachable!("handled above"),
            };
            vec![Annotation::new_in(
                document,
                unit,
                None,
                codes.into_iter().collect(),
                now,
            )]
        }
    };
    let coding = coding_mut(consensus, &disagreement.document);
    coding.annotations.retain(|a| a.unit != unit.id);
    // An empty decision ("none of these codes") is kept as a memo-free, code-free annotation
    // so that the unit counts as decided.
    if new.is_empty() {
        let mut a = Annotation::new_in(document, unit, None, Vec::new(), now);
        a.memo = Some("adjudicated: no code".into());
        coding.annotations.push(a);
    } else {
        coding.annotations.extend(new);
    }
    coding.sort(Some(document));
}

/// Copies into the consensus file every unit on which all coders agree (and coded something),
/// where the consensus has nothing yet. Returns how many units were copied.
pub fn seed_agreements(
    project: &Project,
    consensus: &mut CoderFile,
    coders: &[&CoderFile],
    now: DateTime<Utc>,
) -> usize {
    let Some(first) = coders.first() else {
        return 0;
    };
    let mut copied = 0;
    for (id, unit) in agreed_units(project, coders) {
        let decided = consensus.annotations(&id).iter().any(|a| a.unit == unit);
        if !decided {
            let copies: Vec<Annotation> = first
                .annotations(&id)
                .iter()
                .filter(|a| a.unit == unit)
                .map(|a| Annotation {
                    created: Some(now),
                    modified: Some(now),
                    ..a.clone()
                })
                .collect();
            coding_mut(consensus, &id).annotations.extend(copies);
            copied += 1;
        }
    }
    consensus.normalize(&project.corpus);
    copied
}

/// The units of the compared documents on which every coder gave the same codes (at least one).
pub fn agreed_units(project: &Project, coders: &[&CoderFile]) -> Vec<(DocumentId, UnitId)> {
    let mut agreed = Vec::new();
    if coders.is_empty() {
        return agreed;
    }
    for id in compared_documents(project, coders) {
        let per_coder: Vec<_> = coders.iter().map(|c| codes_by_unit(c, &id)).collect();
        for (unit, codes) in &per_coder[0] {
            if !codes.is_empty() && per_coder.iter().all(|m| m.get(unit) == Some(codes)) {
                agreed.push((id.clone(), unit.clone()));
            }
        }
    }
    agreed
}

/// Marks consensus documents done whose disagreements are all resolved.
pub fn finish_documents(consensus: &mut CoderFile, disagreements: &[Disagreement]) {
    let documents: BTreeSet<&DocumentId> = consensus.documents.keys().collect();
    let mut done = Vec::new();
    for id in documents {
        let all = disagreements
            .iter()
            .filter(|d| &d.document == id)
            .all(|d| consensus.annotations(id).iter().any(|a| a.unit == d.unit));
        if all {
            done.push(id.clone());
        }
    }
    for id in done {
        if let Some(coding) = consensus.documents.get_mut(&id) {
            std::sync::Arc::make_mut(coding).status = Status::Done;
        }
    }
}

/// The coder files to compare: the named ones, or every coder but the consensus.
pub fn default_coders(project: &Project) -> crate::Result<Vec<String>> {
    Ok(project
        .coder_names()?
        .into_iter()
        .filter(|c| c != CONSENSUS)
        .collect())
}

/// Borrows the files of loaded coders.
pub fn files(coders: &[LoadedCoder]) -> Vec<&CoderFile> {
    coders.iter().map(|c| &c.file).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn project() -> Project {
        Project::open(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn disagreements_on_the_samples_only_cover_documents_both_finished() {
        let project = project();
        let coders = project
            .load_coders(Some(&["alice".into(), "bob".into()]))
            .unwrap();
        let files = files(&coders);
        let compared = compared_documents(&project, &files);
        assert!(!compared.is_empty());
        assert!(
            !compared
                .iter()
                .any(|d| d.as_str() == "company/microsoft-2018"),
            "alice is still coding it"
        );
        let found = disagreements(&project, &files);
        assert!(!found.is_empty());
        for d in &found {
            assert!(compared.contains(&d.document));
            assert_ne!(d.codes[0], d.codes[1]);
        }
    }

    #[test]
    fn resolutions_write_the_consensus_and_seeding_copies_agreements() {
        let project = project();
        let coders = project
            .load_coders(Some(&["alice".into(), "bob".into()]))
            .unwrap();
        let files = files(&coders);
        let found = disagreements(&project, &files);
        let now = crate::annotations::now();
        let mut consensus = CoderFile::new(CONSENSUS, Some(project.codebook.version.clone()));
        let seeded = seed_agreements(&project, &mut consensus, &files, now);
        assert!(seeded > 50, "{seeded}");
        assert!(
            found.iter().all(|d| !is_resolved(&consensus, d)),
            "seeding leaves disagreements open"
        );
        let d = &found[0];
        resolve(&project, &mut consensus, &files, d, &Resolution::Union, now);
        let codes: BTreeSet<_> = consensus
            .codes_on_unit(&d.document, &d.unit)
            .into_iter()
            .cloned()
            .collect();
        assert_eq!(codes, d.union());
        resolve(
            &project,
            &mut consensus,
            &files,
            d,
            &Resolution::Intersection,
            now,
        );
        let codes: BTreeSet<_> = consensus
            .codes_on_unit(&d.document, &d.unit)
            .into_iter()
            .cloned()
            .collect();
        assert_eq!(codes, d.intersection());
        assert!(is_resolved(&consensus, d));
        resolve(
            &project,
            &mut consensus,
            &files,
            d,
            &Resolution::Take(1),
            now,
        );
        let codes: BTreeSet<_> = consensus
            .codes_on_unit(&d.document, &d.unit)
            .into_iter()
            .cloned()
            .collect();
        assert_eq!(codes, d.codes[1]);
        // Resolve the rest of that document: it is then done.
        for other in found.iter().filter(|o| o.document == d.document) {
            resolve(
                &project,
                &mut consensus,
                &files,
                other,
                &Resolution::Take(0),
                now,
            );
        }
        finish_documents(&mut consensus, &found);
        assert_eq!(consensus.status(&d.document), Status::Done);
    }
}
