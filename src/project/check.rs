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
    problems.extend(
        missing_report_values(project)
            .iter()
            .map(|m| Problem::warning(m.describe())),
    );
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

/// A value the reports need that a document lacks: its publisher group (a `publisher` of the
/// codebook with a group) or its year. The agenda and frequency tables leave it out there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    pub document: String,
    /// The document file, relative to the project.
    pub path: std::path::PathBuf,
    /// `publisher` (no publisher, or one without a group) or `year`.
    pub variable: &'static str,
    /// What the document has there, when it has something (a publisher without a group).
    pub has: Option<String>,
    /// The year of its `date`, to suggest.
    pub date_year: Option<i64>,
}

impl MissingValue {
    /// The warning `normcode check` prints.
    pub fn describe(&self) -> String {
        let at = self.path.display();
        match (self.variable, &self.has) {
            ("publisher", Some(value)) => format!(
                "{at}: publisher '{value}' has no group, so the reports by publisher group leave \
                 this document out; give it one with `normcode codebook variable publisher \
                 --set-group {} --group GROUP`",
                shell_word(value)
            ),
            ("publisher", None) => format!(
                "{at}: no publisher, so the reports by publisher group leave this document out; \
                 add `publisher: NAME` (a value of the codebook's publisher variable) to its \
                 front matter"
            ),
            (variable, _) => {
                let suggestion = match self.date_year {
                    Some(y) => format!("`{variable}: {y}` (the year of its `date`)"),
                    None => format!("`{variable}: YYYY`"),
                };
                format!(
                    "{at}: no {variable}, so the reports by year leave this document out; add \
                     {suggestion} to its front matter"
                )
            }
        }
    }
}

/// `'学术研究'`, `UN` or `'it'"'"'s'` as a shell word, for commands a message suggests.
pub(super) fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Every document's missing [`MissingValue`]s, as the reports read the documents
/// ([`crate::report::facts`]). A value that is there but wrong (a publisher not in the codebook,
/// a year that is not a number) is an error of its own, not repeated here.
pub fn missing_report_values(project: &Project) -> Vec<MissingValue> {
    let facts = crate::report::facts(project);
    let publisher = project.codebook.variable("publisher");
    let mut out = Vec::new();
    for document in &project.corpus.documents {
        let Some(f) = facts.get(&document.id) else {
            continue;
        };
        let missing = |variable: &'static str, has: Option<String>| MissingValue {
            document: document.id.to_string(),
            path: document.path.clone(),
            variable,
            has,
            date_year: document
                .metadata
                .text("date")
                .and_then(|d| d.get(..4).and_then(|y| y.parse().ok())),
        };
        if f.group.is_none() {
            match document.metadata.text("publisher") {
                None => out.push(missing("publisher", None)),
                // Known but in no group: only when the codebook has groups to put it in.
                Some(value) => {
                    if let Some(v) = publisher
                        && !v.groups.is_empty()
                        && v.values.iter().any(|x| x.id == value)
                    {
                        out.push(missing("publisher", Some(value)));
                    }
                }
            }
        }
        if f.year.is_none() && document.metadata.get("year").is_none() {
            out.push(missing("year", None));
        }
    }
    out
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
                        let groups: Vec<&str> =
                            variable.groups.iter().map(|(g, _)| g.as_str()).collect();
                        let command = if groups.is_empty() {
                            format!(
                                "`normcode codebook variable {} --add {}`",
                                shell_word(key),
                                shell_word(&text)
                            )
                        } else {
                            format!(
                                "`normcode codebook variable {} --add {} --group GROUP` (its \
                                 groups: {}; a new group name creates one)",
                                shell_word(key),
                                shell_word(&text),
                                groups.join(", ")
                            )
                        };
                        problems.push(Problem::error(format!(
                            "{at}: {key} '{text}' is not one of the codebook's values ({}); if it \
                             is right, add it to the codebook with {command}",
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
