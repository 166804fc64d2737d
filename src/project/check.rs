//! `normcode check`: everything that is wrong or questionable in a project, in one list.

use std::path::Path;

use crate::annotations;
use crate::codebook::VariableType;
use crate::corpus::{KNOWN_KEYS, MetaValue, Problem, Severity, metadata_pos};

use super::{ANNOTATIONS_DIR, Project};

#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub problems: Vec<Problem>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

/// Checks documents against the codebook's variables and every coder file against the corpus
/// and codebook. The codebook itself was checked when the project loaded.
pub fn check(project: &Project) -> CheckReport {
    let mut problems = project.corpus.problems.clone();
    match super::revise::pending_migration(&project.root) {
        Ok(Some(journal)) => problems.push(Problem::error(journal.describe())),
        Ok(None) => {}
        Err(err) => problems.push(Problem::error(err.to_string())),
    }
    check_metadata(project, &mut problems);
    match super::ignored_coder_files(&project.root) {
        Ok(ignored) => problems.extend(ignored.iter().map(|file| Problem::error(file.describe()))),
        Err(err) => problems.push(Problem::error(err.to_string())),
    }
    match project.coder_names() {
        Ok(names) => {
            for name in names {
                check_coder(project, &name, &mut problems);
            }
        }
        Err(err) => problems.push(Problem::error(err.to_string())),
    }
    CheckReport { problems }
}

fn check_metadata(project: &Project, problems: &mut Vec<Problem>) {
    let codebook = &project.codebook;
    for document in &project.corpus.documents {
        for (key, value) in &document.metadata.values {
            let at = metadata_pos(document, key);
            let Some(variable) = codebook.variable(key) else {
                if !KNOWN_KEYS.contains(&key.as_str()) {
                    let mut expected: Vec<&str> = KNOWN_KEYS.to_vec();
                    expected.extend(codebook.variables.iter().map(|v| v.id.as_str()));
                    problems.push(Problem::error(format!(
                        "{at}: unknown front matter key '{key}', expected one of: {}",
                        expected.join(", ")
                    )));
                }
                continue;
            };
            match variable.kind {
                VariableType::Category if !variable.values.is_empty() => {
                    let text = value.to_string();
                    if !variable.values.iter().any(|v| v.id == text) {
                        let allowed: Vec<_> =
                            variable.values.iter().map(|v| v.id.as_str()).collect();
                        problems.push(Problem::error(format!(
                            "{at}: {key} '{text}' is not one of the codebook's values: {}",
                            allowed.join(", ")
                        )));
                    }
                }
                VariableType::Integer => match value {
                    MetaValue::Integer(n) => {
                        let low = variable.min.is_some_and(|min| *n < min);
                        let high = variable.max.is_some_and(|max| *n > max);
                        if low || high {
                            problems.push(Problem::error(format!(
                                "{at}: {key} {n} is outside {}..={}",
                                variable.min.map_or("".into(), |m| m.to_string()),
                                variable.max.map_or("".into(), |m| m.to_string()),
                            )));
                        }
                    }
                    other => problems.push(Problem::error(format!(
                        "{at}: {key} must be a whole number, not '{other}'"
                    ))),
                },
                _ => {}
            }
        }
    }
}

fn check_coder(project: &Project, name: &str, problems: &mut Vec<Problem>) {
    let coder = match project.load_coder(name) {
        Ok(coder) => coder,
        Err(err) => {
            problems.push(Problem::error(err.to_string()));
            return;
        }
    };
    let shown = Path::new(ANNOTATIONS_DIR).join(format!("{name}.yaml"));
    let shown = shown.display();
    // A file of an older codebook is read as this one (its codes recoded through the history);
    // the file itself still records the older version until its coder syncs.
    let written_under = match &coder.migrated {
        Some(migrated) => Some(&migrated.from),
        None => coder.file.codebook_version.as_ref(),
    };
    if let Some(version) = written_under
        && *version != project.codebook.version
    {
        let mut message = format!(
            "{shown}: coded against codebook version {version}; the codebook is now version {}",
            project.codebook.version
        );
        if let Some(changes) = project.codebook.describe_changes_since(version) {
            message.push_str("; ");
            message.push_str(&changes);
        }
        problems.push(Problem::warning(message));
    }
    let unquoted = coder.anchors.unquoted;
    if unquoted > 0 {
        problems.push(Problem::warning(format!(
            "{shown}: {unquoted} annotation{s} no quote, so a document edit cannot be detected; \
             run `normcode annotations add-quotes` while the texts still match",
            s = if unquoted == 1 { " has" } else { "s have" },
        )));
    }
    for (document, place, why) in &coder.anchors.orphaned {
        problems.push(Problem::warning(format!(
            "{shown}: {document} {place}: orphaned annotation, kept as it was: {why}"
        )));
    }
    for (document, from, to) in &coder.anchors.reanchored {
        problems.push(Problem::warning(format!(
            "{shown}: {document}: the document changed; annotation at {from} now found at {to} \
             (the file is updated at the next save)"
        )));
    }
    if let Ok(text) = std::fs::read_to_string(&coder.path)
        && let Ok((_, merges)) = annotations::parse_coder_file_reporting(&coder.path, &text)
    {
        for (document, unit, count) in merges {
            problems.push(Problem::warning(format!(
                "{shown}: {document}: {count} annotations on unit {unit} merged into one as \
                 read (same unit and span: a union merge in git makes them)"
            )));
        }
    }
    for (document, coding) in &coder.file.documents {
        for annotation in &coding.annotations {
            for code in &annotation.codes {
                if project.codebook.indicator(code).is_none() {
                    problems.push(Problem::warning(format!(
                        "{shown}: {document} unit {}: code '{code}' is not in the codebook (kept)",
                        annotation.unit
                    )));
                }
            }
            if annotation.codes.is_empty() && annotation.memo.is_none() {
                problems.push(Problem::warning(format!(
                    "{shown}: {document} unit {}: annotation with neither codes nor memo",
                    annotation.unit
                )));
            }
        }
    }
}
