//! Suggestions in the workspace: the recommender's best indicators for the current unit,
//! shown ghosted beside the codebook with their reasons. `y` accepts the first (Alt-1 to
//! Alt-5 the others) as an ordinary annotation that records where it came from; `x` rejects
//! the first (remembered in `annotations/rejections/CODER.yaml`, never offered again for the
//! unit); `w` goes to the unit the recommender is least sure about (active learning).
//!
//! The recommender is trained on the coder's own documents marked done (no other coder's
//! codes leak into blind coding), again after every change, on a thread of its own that
//! wakes the event loop; headless (tests) it is trained at once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use crate::annotations::coding::{self, Place};
use crate::annotations::rejections::{self, Rejections};
use crate::annotations::{CoderFile, CoderName, Status, Suggested};
use crate::corpus::IndicatorId;
use crate::project::Project;
use crate::suggest::{self, Recommender, Suggestion, TrainOn};

use crate::tui::app::App;
use crate::tui::event::{Event, wake};

/// How many suggestions are shown for a unit.
pub const SHOWN: usize = 3;

/// Why suggestions are off, when they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Off {
    /// `suggestions: false` in normcode.yaml: blind coding for reliability.
    Project,
    /// `--no-suggestions`.
    Flag,
}

impl Off {
    pub fn describe(self) -> &'static str {
        match self {
            Off::Project => {
                "suggestions are off for this project (normcode.yaml: suggestions: false)"
            }
            Off::Flag => "suggestions are off (--no-suggestions)",
        }
    }
}

/// The suggestions' state: the recommender, its training, the coder's rejections and what is
/// shown for the current unit.
pub struct SuggestState {
    pub off: Option<Off>,
    pub rejections: Rejections,
    recommender: Option<Arc<Recommender>>,
    /// The coding generation the recommender was trained on, and the one being trained.
    trained: Option<u64>,
    training: Option<(u64, Receiver<Recommender>)>,
    /// What is shown for the current unit, and for which (document, unit, generation,
    /// rejections).
    pub current: Vec<Suggestion>,
    shown_for: Option<(usize, usize, u64, usize, Option<u64>)>,
}

impl SuggestState {
    pub fn new(off: Option<Off>, rejections: Rejections) -> Self {
        Self {
            off,
            rejections,
            recommender: None,
            trained: None,
            training: None,
            current: Vec::new(),
            shown_for: None,
        }
    }

    pub fn is_on(&self) -> bool {
        self.off.is_none()
    }

    /// Units the recommender was trained on; `None` before its first training.
    pub fn trained_units(&self) -> Option<usize> {
        self.recommender.as_ref().map(|r| r.trained_units())
    }

    pub fn is_training(&self) -> bool {
        self.training.is_some()
    }
}

/// Trains a recommender on the coder's own documents marked done, with their rejections.
fn train(project: &Project, file: &CoderFile, rejections: &Rejections) -> Recommender {
    let on = TrainOn::Coder(file.coder.clone());
    let examples = suggest::examples(&project.corpus, &[file], &on, &rejections.flat());
    Recommender::train(&project.codebook, &examples)
}

impl App {
    /// Turns suggestions on (or records why they are off) and loads the coder's rejections.
    pub fn start_suggestions(&mut self, no_suggestions: bool) {
        let off = if !self.project.settings.suggestions {
            Some(Off::Project)
        } else if no_suggestions {
            Some(Off::Flag)
        } else {
            None
        };
        let rejections = match CoderName::parse(&self.coder.name)
            .and_then(|name| rejections::load(&self.project.annotations_dir(), &name))
        {
            Ok((rejections, _)) => rejections,
            Err(err) => {
                self.error(format!("rejected suggestions not read: {err}"));
                Rejections::new(&self.coder.name)
            }
        };
        self.suggest = Some(SuggestState::new(off, rejections));
        self.poll_suggestions();
    }

    /// Starts a training when the coding changed since the last one (none while one runs),
    /// takes a finished one, and works out what to show for the current unit. True when what
    /// is shown changed.
    pub fn poll_suggestions(&mut self) -> bool {
        let generation = self.save.generation;
        let Some(state) = &mut self.suggest else {
            return false;
        };
        if !state.is_on() {
            return false;
        }
        if let Some((trained, rx)) = &state.training
            && let Ok(recommender) = rx.try_recv()
        {
            state.trained = Some(*trained);
            state.recommender = Some(Arc::new(recommender));
            state.training = None;
        }
        if state.training.is_none() && state.trained != Some(generation) {
            let project = Arc::clone(&self.project);
            let file = self.coder.file.clone();
            let rejections = state.rejections.clone();
            match &self.waker {
                // Headless: at once, so that every frame shows what the coding says.
                None => {
                    state.recommender = Some(Arc::new(train(&project, &file, &rejections)));
                    state.trained = Some(generation);
                }
                Some(_) => {
                    let (tx, rx) = channel();
                    let waker = self.waker.clone();
                    let spawned = std::thread::Builder::new()
                        .name("normcode-suggest".into())
                        .spawn(move || {
                            let recommender = train(&project, &file, &rejections);
                            if tx.send(recommender).is_ok() {
                                wake(&waker, Event::Trained);
                            }
                        });
                    if spawned.is_ok() {
                        state.training = Some((generation, rx));
                    }
                }
            }
        }
        self.refresh_suggestions()
    }

    /// The suggestions for the current unit, worked out again when the unit, the coding, the
    /// rejections or the recommender changed. True when they were.
    fn refresh_suggestions(&mut self) -> bool {
        let key = (
            self.doc,
            self.unit,
            self.save.generation,
            self.suggest.as_ref().map_or(0, |s| s.rejections.count()),
            self.suggest.as_ref().and_then(|s| s.trained),
        );
        let (Some(document), Some(unit)) = (self.document(), self.current_unit()) else {
            return false;
        };
        let Some(state) = &self.suggest else {
            return false;
        };
        if state.shown_for == Some(key) {
            return false;
        }
        let Some(recommender) = state.recommender.clone() else {
            return false;
        };
        let mut skip: BTreeSet<IndicatorId> = state.rejections.on_unit(&document.id, &unit.id);
        skip.extend(self.unit_codes(self.unit).iter().cloned());
        let current = recommender.suggest(document.unit_text(unit), SHOWN, &skip);
        if let Some(state) = &mut self.suggest {
            state.current = current;
            state.shown_for = Some(key);
        }
        true
    }

    /// The suggestions shown for the current unit (none when they are off).
    pub fn suggestions(&self) -> &[Suggestion] {
        match &self.suggest {
            Some(state) if state.is_on() => state.current.as_slice(),
            _ => &[],
        }
    }

    /// Says why there is nothing to accept or reject; true when there is.
    fn suggestions_usable(&mut self, n: usize) -> bool {
        if let Some(off) = self.suggest.as_ref().and_then(|s| s.off) {
            self.error(off.describe());
            return false;
        }
        if self.suggestions().len() < n {
            self.error(match n {
                1 => "no suggestion for this unit".to_string(),
                n => format!("no suggestion #{n} for this unit"),
            });
            return false;
        }
        true
    }

    /// Accepts suggestion #`n` (1-based) on the current unit: an ordinary code that records
    /// the model and its score; undo takes it back.
    pub(crate) fn accept_suggestion(&mut self, n: usize) {
        if !self.suggestions_usable(n) {
            return;
        }
        if self.status() == Status::Done
            && let Some(document) = self.document().map(|d| d.id.clone())
            && !self.confirmed_done.contains(&document)
        {
            self.error(
                "this document is marked done: reopen it with D (or change it once with Enter, \
                 which asks) before accepting suggestions",
            );
            return;
        }
        let suggestion = self.suggestions()[n - 1].clone();
        let project = Arc::clone(&self.project);
        let Some((document, unit)) = project
            .corpus
            .documents
            .get(self.doc)
            .and_then(|d| Some((d, d.units.get(self.unit)?)))
        else {
            return;
        };
        let place = Place::unit(document, unit);
        let now = crate::annotations::now();
        let suggested = Suggested::new(
            suggestion.indicator.clone(),
            suggest::MODEL,
            suggestion.score,
        );
        let accepted = self.edit(None, |file| {
            coding::accept(file, &project.codebook, place, suggested, now)
        });
        if accepted {
            coding::note_recent(&mut self.recent, &suggestion.indicator);
        }
    }

    /// Rejects suggestion #`n` on the current unit: never offered again there, and a negative
    /// example for the next training.
    pub(crate) fn reject_suggestion(&mut self, n: usize) {
        if !self.suggestions_usable(n) {
            return;
        }
        if self.read_only {
            self.error("read-only: another session has this coder's file open");
            return;
        }
        let code = self.suggestions()[n - 1].indicator.clone();
        let (Some(document), Some(unit)) = (
            self.document().map(|d| d.id.clone()),
            self.current_unit().map(|u| u.id.clone()),
        ) else {
            return;
        };
        let dir = self.project.annotations_dir();
        let Ok(name) = CoderName::parse(&self.coder.name) else {
            return;
        };
        let Some(state) = &mut self.suggest else {
            return;
        };
        state.rejections.reject(&document, &unit, &code);
        match rejections::save(&dir, &name, &state.rejections) {
            Ok(_) => {
                // A negative example now: the next training learns from it.
                state.trained = None;
                self.info(format!(
                    "rejected {code} for unit {unit}: not offered there again"
                ));
            }
            Err(err) => {
                state.rejections.unreject(&document, &unit, &code);
                self.error(format!("the rejection could not be saved: {err}"));
            }
        }
        self.poll_suggestions();
    }

    /// Goes to the uncoded unit the recommender is least sure about (the smallest margin
    /// between its best and second-best indicator; headings aside): in this document, else
    /// in the next document not marked done that has one.
    pub(crate) fn least_sure(&mut self) {
        if let Some(off) = self.suggest.as_ref().and_then(|s| s.off) {
            self.error(off.describe());
            return;
        }
        let Some(recommender) = self.suggest.as_ref().and_then(|s| s.recommender.clone()) else {
            self.error("the recommender is still being trained; try again in a moment");
            return;
        };
        let project = Arc::clone(&self.project);
        let documents = &project.corpus.documents;
        let count = documents.len();
        for step in 0..count {
            let doc = (self.doc + step) % count;
            let document = &documents[doc];
            if step > 0 && self.coder.file.status(&document.id) == Status::Done {
                continue;
            }
            let coded: BTreeSet<&crate::corpus::UnitId> = self
                .coder
                .file
                .annotations(&document.id)
                .iter()
                .filter(|a| !a.codes.is_empty())
                .map(|a| &a.unit)
                .collect();
            let best = document
                .units
                .iter()
                .enumerate()
                // Headings are titles, not passages to code.
                .filter(|(i, u)| {
                    u.kind != crate::corpus::UnitKind::Heading
                        && !(coded.contains(&u.id) || (step == 0 && *i == self.unit))
                })
                .map(|(i, u)| (recommender.margin(document.unit_text(u)), i))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((margin, unit)) = best {
                if doc == self.doc {
                    self.go_to_unit(unit);
                } else {
                    self.open_document(doc, unit);
                }
                self.info(format!(
                    "the recommender is least sure here (margin {margin:.2} between its two \
                     best indicators)"
                ));
                return;
            }
        }
        self.info("every unit is coded");
    }

    /// After a coding change while suggestions are shown: the documents it touched are
    /// recorded as coded with suggestions on, as part of the same change (undo takes it
    /// back too).
    pub(crate) fn note_assisted(&self, change: &mut coding::Change, file: &mut CoderFile) {
        if !self.suggest.as_ref().is_some_and(SuggestState::is_on) {
            return;
        }
        for (document, _, after) in &mut change.entries {
            if let Some(after) = after
                && !after.suggestions
            {
                after.suggestions = true;
                if let Some(coding) = file.documents.get_mut(document) {
                    Arc::make_mut(coding).suggestions = true;
                }
            }
        }
    }
}
