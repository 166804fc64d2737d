//! Changing the codebook from the workspace: new, edited, renamed, merged, retired and split
//! indicators, each planned over the files on disk and undoable.

use crate::annotations::coding::{self};
use crate::corpus::{DocumentId, IndicatorId};

use super::keymap::Action;
use super::modes::Mode;
use super::split::SplitSession;

use super::app::{App, Change};

impl App {
    /// The questions of the new-indicator prompt, in order.
    pub fn new_indicator_steps(&self) -> Vec<String> {
        let mut steps = vec!["id (e.g. VU09)".to_string(), "category id".to_string()];
        for lang in &self.project.codebook.languages {
            steps.push(format!("label ({lang})"));
        }
        for lang in &self.project.codebook.languages {
            steps.push(format!("definition ({lang})"));
        }
        steps
    }

    /// What a step of the new-indicator prompt starts with: the highlighted indicator's category.
    pub(crate) fn new_indicator_default(&self, step: usize) -> String {
        if step != 1 {
            return String::new();
        }
        self.selected_indicator()
            .map(|i| {
                let codebook = &self.project.codebook;
                codebook.categories[codebook.indicators[i].category]
                    .id
                    .clone()
            })
            .unwrap_or_default()
    }

    pub(crate) fn add_indicator(&mut self, fields: &[String]) {
        let languages = self.project.codebook.languages.clone();
        let n = languages.len();
        let new = crate::project::revise::NewIndicator {
            id: fields[0].clone(),
            category: fields[1].clone(),
            label: languages
                .iter()
                .cloned()
                .zip(fields[2..2 + n].iter().cloned())
                .collect(),
            definition: languages
                .iter()
                .cloned()
                .zip(fields[2 + n..2 + 2 * n].iter().cloned())
                .collect(),
            ..Default::default()
        };
        let id = IndicatorId::new(new.id.clone());
        if self.change_codebook(|files, stamp| crate::project::revise::plan_add(files, &new, stamp))
        {
            // Code the unit with it in the same step.
            if let Some(i) = self.project.codebook.position(&id) {
                self.toggle(i);
                // One step: undoing the new indicator also takes back this coding.
                if self.undo.last().is_some_and(|c| c.codebook.is_none()) {
                    self.undo.pop();
                }
                self.info(format!(
                    "added indicator {id} to the codebook and coded the unit with it"
                ));
            }
        }
    }

    /// The questions of the edit-indicator prompt, in order: labels and definitions in each
    /// language, the category, then the include and exclude rules and the examples in each
    /// language, items separated by ` | `.
    pub fn edit_indicator_steps(&self) -> Vec<String> {
        let languages = &self.project.codebook.languages;
        let mut steps = Vec::new();
        for what in ["label", "definition"] {
            steps.extend(languages.iter().map(|lang| format!("{what} ({lang})")));
        }
        steps.push("category id (another moves it there)".to_string());
        for what in ["include rules", "exclude rules", "examples"] {
            steps.extend(
                languages
                    .iter()
                    .map(|lang| format!("{what} ({lang}), separated by ' | '")),
            );
        }
        steps
    }

    /// What the codebook says now for a step of the edit-indicator prompt.
    pub(crate) fn edit_indicator_default(&self, id: &str, step: usize) -> String {
        let codebook = &self.project.codebook;
        let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
            return String::new();
        };
        let n = codebook.languages.len();
        let text_in =
            |map: &crate::codebook::LangMap, lang: &str| map.get(lang).cloned().unwrap_or_default();
        let list_in = |items: &[crate::codebook::Localized], lang: &str| {
            items
                .iter()
                .filter_map(|item| item.0.get(lang).map(String::as_str))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        match step {
            s if s < n => text_in(&indicator.label.0, &codebook.languages[s]),
            s if s < 2 * n => text_in(&indicator.definition.0, &codebook.languages[s - n]),
            s if s == 2 * n => codebook.categories[indicator.category].id.clone(),
            s => {
                let s = s - 2 * n - 1;
                let lang = codebook.languages.get(s % n).map_or("", String::as_str);
                match s / n {
                    0 => list_in(&indicator.include, lang),
                    1 => list_in(&indicator.exclude, lang),
                    _ => list_in(&indicator.examples, lang),
                }
            }
        }
    }

    /// Applies the answers of the edit-indicator prompt: only what differs from the codebook.
    pub(crate) fn edit_indicator(&mut self, id: &str, fields: &[String]) {
        use crate::codebook::LangMap;
        let codebook = &self.project.codebook;
        let Some(indicator) = codebook.indicator(&IndicatorId::from(id)) else {
            self.error(format!("{id} is no longer in the codebook"));
            return;
        };
        let languages = codebook.languages.clone();
        let n = languages.len();
        let changed_texts = |current: &LangMap, answers: &[String]| -> LangMap {
            languages
                .iter()
                .zip(answers)
                .filter(|(lang, answer)| current.get(*lang) != Some(*answer))
                .map(|(lang, answer)| (lang.clone(), answer.clone()))
                .collect()
        };
        let list = |current: &[crate::codebook::Localized], answers: &[String]| {
            let per_language: Vec<Vec<String>> = answers
                .iter()
                .map(|a| {
                    a.split('|')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect();
            let longest = per_language.iter().map(Vec::len).max().unwrap_or(0);
            let items: Vec<LangMap> = (0..longest)
                .map(|i| {
                    languages
                        .iter()
                        .zip(&per_language)
                        .filter_map(|(lang, texts)| Some((lang.clone(), texts.get(i)?.clone())))
                        .collect()
                })
                .collect();
            let before: Vec<LangMap> = current.iter().map(|l| l.0.clone()).collect();
            (items != before).then_some(items)
        };
        let category = &fields[2 * n];
        let change = crate::project::revise::IndicatorEdit {
            label: changed_texts(&indicator.label.0, &fields[..n]),
            definition: changed_texts(&indicator.definition.0, &fields[n..2 * n]),
            category: (*category != codebook.categories[indicator.category].id)
                .then(|| category.clone()),
            include: list(&indicator.include, &fields[2 * n + 1..3 * n + 1]),
            exclude: list(&indicator.exclude, &fields[3 * n + 1..4 * n + 1]),
            examples: list(&indicator.examples, &fields[4 * n + 1..5 * n + 1]),
        };
        if change == crate::project::revise::IndicatorEdit::default() {
            self.info(format!("{id} unchanged"));
            return;
        }
        self.change_codebook(|files, stamp| {
            crate::project::revise::plan_edit(files, id, &change, stamp)
        });
    }

    /// Starts stepping through the segments coded with `source` (every coder's, from the files
    /// on disk after saving this coder's work).
    pub(crate) fn start_split(&mut self, source: String, targets: Vec<String>) {
        if targets.is_empty() {
            self.error("name the indicators to split into, e.g. `VU01a VU01b`");
            return;
        }
        if targets.len() > 9 {
            self.error("split into at most 9 indicators at a time (keys 1 to 9)");
            return;
        }
        if targets.contains(&source) {
            self.error(format!(
                "{source} cannot be split into itself; skip (s) the segments that stay with it"
            ));
            return;
        }
        if let Err(err) = self.save_now() {
            self.error(format!("save first: {err}"));
            return;
        }
        let segments = match crate::project::revise::ProjectFiles::read(&self.project.root) {
            Ok(files) => crate::project::revise::split_segments(&files, &source),
            Err(err) => {
                self.error(err.to_string());
                return;
            }
        };
        if segments.is_empty() {
            self.error(format!(
                "no coder has coded anything with {source}: rename or retire it instead"
            ));
            return;
        }
        self.mode = Mode::Split(Box::new(SplitSession::new(source, targets, segments)));
        self.show_split_segment();
    }

    /// Opens the document of the segment being decided at its unit.
    pub(crate) fn show_split_segment(&mut self) {
        let Some(segment) = self.mode.split().and_then(|s| s.current()).cloned() else {
            return;
        };
        if let Some(doc) = self.project.corpus.position(&segment.document) {
            let unit = self.project.corpus.documents[doc]
                .unit_position(&segment.unit)
                .unwrap_or(0);
            self.open_document(doc, unit);
        }
    }

    pub(crate) fn split_action(&mut self, action: Action) {
        let Mode::Split(split) = &mut self.mode else {
            return;
        };
        match action {
            action if action.take().is_some() => {
                if !split.assign(action.take().unwrap_or(1) - 1) {
                    let count = split.targets.len();
                    self.error(format!("keys 1 to {count} choose a target"));
                    return;
                }
            }
            Action::SkipSegment => split.skip(),
            Action::BackSegment => split.back(),
            Action::ApplySplit => {
                let session = (**split).clone();
                let done = self.change_codebook(|files, stamp| {
                    crate::project::revise::plan_split(
                        files,
                        &session.source,
                        &session.targets,
                        &session.assignments(),
                        stamp,
                    )
                });
                if done {
                    self.mode = Mode::Normal;
                }
                return;
            }
            _ => return,
        }
        self.show_split_segment();
    }

    /// Plans a codebook change over the files on disk (after saving this coder's work), applies
    /// it under this session's lock, and reloads. Returns true when it was made.
    pub(crate) fn change_codebook(
        &mut self,
        plan: impl FnOnce(
            &crate::project::revise::ProjectFiles,
            &crate::project::revise::Stamp,
        ) -> crate::Result<crate::project::revise::Migration>,
    ) -> bool {
        use crate::project::revise::{ProjectFiles, Stamp};
        if let Err(err) = self.save_now() {
            self.error(format!("save first: {err}"));
            return false;
        }
        let root = self.project.root.clone();
        let result = ProjectFiles::read(&root).and_then(|before| {
            let migration = plan(&before, &Stamp::today(self.coder.name.clone()))?;
            let held: Vec<&crate::annotations::CoderLock> = self.lock.iter().collect();
            migration.apply_holding(&root, &held)?;
            Ok((before, migration.summary))
        });
        match result
            .and_then(|(before, summary)| self.reload_codebook().map(|()| (before, summary)))
        {
            Ok((before, summary)) => {
                // Undo entries made before would bring back old ids.
                self.undo.clear();
                self.redo.clear();
                self.undo.push(Change {
                    codebook: Some(before),
                    document: self
                        .document()
                        .map(|d| d.id.clone())
                        .unwrap_or_else(|| DocumentId::new("")),
                    unit: self.unit,
                    coding: coding::Change::new(summary.clone()),
                });
                self.info(summary);
                true
            }
            Err(err) => {
                self.error(err.to_string());
                false
            }
        }
    }

    /// Writes back the codebook and coder files as they were (undo of a codebook change).
    pub(crate) fn restore_project_files(
        &mut self,
        before: &crate::project::revise::ProjectFiles,
    ) -> crate::Result<()> {
        use crate::annotations::{CoderLock, write_atomic};
        self.save_now().map_err(crate::Error::Usage)?;
        let dir = self.project.annotations_dir();
        let mut locks = Vec::new();
        for coder in &before.coders {
            if coder.name != self.coder.name {
                let name = crate::annotations::CoderName::parse(&coder.name)?;
                locks.push(CoderLock::acquire(&dir, &name)?);
            }
        }
        for coder in &before.coders {
            write_atomic(
                &dir.join(format!("{}.yaml", coder.name)),
                coder.text.as_bytes(),
            )?;
        }
        write_atomic(
            &self.project.root.join(crate::project::CODEBOOK_FILE),
            before.codebook_text.as_bytes(),
        )?;
        drop(locks);
        self.reload_codebook()
    }

    /// Reads the codebook and this coder's file again after they changed on disk.
    pub(crate) fn reload_codebook(&mut self) -> crate::Result<()> {
        let codebook = crate::codebook::Codebook::load(
            &self.project.root.join(crate::project::CODEBOOK_FILE),
        )?;
        let mut project = (*self.project).clone();
        project.codebook = codebook;
        let coder = project.load_coder_as_written(&self.coder.name)?;
        self.replace_project(project);
        self.adopt_loaded(coder);
        self.save.saved_generation = self.save.generation;
        self.recount();
        Ok(())
    }
}
