//! Review mode: step through the units where coders disagree, side by side, and settle each
//! into the consensus coder file.

use std::collections::BTreeSet;

use crate::adjudication::{self, CONSENSUS, Disagreement, Resolution};
use crate::agreement::{self, AgreementTable};
use crate::annotations::CoderLock;
use crate::annotations::coding::Change;
use crate::corpus::{DocumentId, IndicatorId};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

use super::app::SaveState;

pub struct Review {
    /// The compared coders, as on disk when the review started.
    pub coders: Vec<LoadedCoder>,
    pub consensus: LoadedCoder,
    _lock: CoderLock,
    pub items: Vec<Disagreement>,
    pub current: usize,
    /// Units copied into the consensus because every coder agreed.
    pub seeded: usize,
    /// Units on which every coder agreed (in the consensus, copied now or before).
    pub agreed: usize,
    pub compared_documents: usize,
    pub save: SaveState,
    /// Unit-level agreement of the compared coders, as their files were at the start.
    pub agreement: Option<AgreementTable>,
    /// Showing the agreement table instead of the disagreement.
    pub show_table: bool,
    pub table_scroll: usize,
    /// The resolutions made, newest last, with the document of each: what undo takes back.
    undo: Vec<(DocumentId, Change)>,
}

impl Review {
    /// Starts a review of `names` (at least two coders; the consensus file is never one of
    /// them), seeding the consensus file with the units they agree on.
    pub fn start(project: &Project, names: &[String]) -> Result<Self> {
        let names: Vec<String> = names
            .iter()
            .filter(|n| n.as_str() != CONSENSUS)
            .cloned()
            .collect();
        if names.len() < 2 {
            return Err(Error::Usage(
                "a review needs at least two coder files besides the consensus".into(),
            ));
        }
        let coders = project.load_coders(Some(&names))?;
        let lock = CoderLock::acquire(
            &project.annotations_dir(),
            &crate::annotations::CoderName::parse(CONSENSUS)?,
        )?;
        let mut consensus = project.load_coder(CONSENSUS)?;
        let files = adjudication::files(&coders);
        let items = adjudication::disagreements(project, &files);
        let compared_documents = adjudication::compared_documents(project, &files).len();
        let agreement = agreement::unit_level(project, &files).ok();
        let agreed = adjudication::agreed_units(project, &files).len();
        let seeded = adjudication::seed_agreements(
            project,
            &mut consensus.file,
            &files,
            crate::annotations::now(),
        );
        let mut review = Self {
            coders,
            consensus,
            _lock: lock,
            items,
            current: 0,
            seeded,
            agreed,
            compared_documents,
            save: SaveState::default(),
            agreement,
            show_table: false,
            table_scroll: 0,
            undo: Vec::new(),
        };
        if seeded > 0 {
            review.changed();
        }
        review.current = review.first_open(0).unwrap_or(0);
        Ok(review)
    }

    pub fn item(&self) -> Option<&Disagreement> {
        self.items.get(self.current)
    }

    pub fn is_resolved(&self, index: usize) -> bool {
        self.items
            .get(index)
            .is_some_and(|d| adjudication::is_resolved(&self.consensus.file, d))
    }

    pub fn resolved(&self) -> usize {
        (0..self.items.len())
            .filter(|&i| self.is_resolved(i))
            .count()
    }

    /// The first unresolved disagreement at or after `from`, wrapping around.
    fn first_open(&self, from: usize) -> Option<usize> {
        let n = self.items.len();
        (0..n)
            .map(|k| (from + k) % n)
            .find(|&i| !self.is_resolved(i))
    }

    pub fn step(&mut self, delta: isize) {
        if self.items.is_empty() {
            return;
        }
        let n = self.items.len() as isize;
        self.current = (self.current as isize + delta).rem_euclid(n) as usize;
    }

    /// The consensus codes on the current unit.
    pub fn consensus_codes(&self) -> BTreeSet<IndicatorId> {
        self.item()
            .map(|d| {
                self.consensus
                    .file
                    .codes_on_unit(&d.document, &d.unit)
                    .into_iter()
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn changed(&mut self) {
        self.save.generation += 1;
        self.save.last_change = Some(std::time::Instant::now());
    }

    /// Settles the current disagreement and moves to the next open one.
    pub fn resolve(&mut self, project: &Project, resolution: Resolution) {
        let Some(item) = self.item().cloned() else {
            return;
        };
        let files = adjudication::files(&self.coders);
        let label = format!("settled unit {} of {}", item.unit, item.document);
        // Undo takes back the unit's document (not other documents `finish_documents` marks).
        let change = Change::record(
            &mut self.consensus.file,
            std::slice::from_ref(&item.document),
            label,
            |consensus| {
                adjudication::resolve(
                    project,
                    consensus,
                    &files,
                    &item,
                    &resolution,
                    crate::annotations::now(),
                );
                adjudication::finish_documents(consensus, &self.items);
            },
        );
        self.undo.push((item.document.clone(), change));
        self.changed();
        if let Some(next) = self.first_open(self.current) {
            self.current = next;
        }
    }

    /// Toggles one code in the consensus for the current unit (the "edit" resolution).
    /// Starts from the consensus's codes once the unit is decided, else from the codes every
    /// coder gave: an edit never drops a code both coders agree on unasked.
    pub fn toggle(&mut self, project: &Project, code: IndicatorId) {
        let Some(item) = self.item() else {
            return;
        };
        let decided = self
            .consensus
            .file
            .annotations(&item.document)
            .iter()
            .any(|a| a.unit == item.unit);
        let mut codes = if decided {
            self.consensus_codes()
        } else {
            item.intersection()
        };
        if !codes.remove(&code) {
            codes.insert(code);
        }
        let current = self.current;
        self.resolve(project, Resolution::Codes(codes));
        self.current = current;
    }

    pub fn undo(&mut self) -> bool {
        let Some((document, change)) = self.undo.pop() else {
            return false;
        };
        change.revert(&mut self.consensus.file);
        if let Some(i) = self.items.iter().position(|d| d.document == document) {
            self.current = self.first_open(i).unwrap_or(i);
        }
        self.changed();
        true
    }
}
