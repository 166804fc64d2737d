//! `normcode codebook variable`: a document variable's values and groups (the study's
//! publishers and their groups), listed and changed through the journaled codebook change.

use std::path::Path;
use std::process::ExitCode;

use clap::{ArgGroup, Args};

use crate::codebook::LangMap;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::project::Project;
use crate::project::revise::{self, VariableAction, VariableChange};

use super::codebook::migrate;
use super::commands::project_root;
use super::out;

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("action")
        .args(["add", "rename", "remove", "set_group", "add_group", "rename_group", "remove_group"])
))]
pub struct VariableArgs {
    /// The variable, e.g. publisher (`normcode codebook variable` lists them).
    pub variable: Option<String>,
    /// Add a value (with --group GROUP: in that group, which is created if the variable has
    /// none of that name; --label-en/--label-zh: its labels).
    #[arg(long, value_name = "VALUE")]
    pub add: Option<String>,
    /// Rename a value (--to NEW); documents whose front matter has it are rewritten with NEW.
    #[arg(long, value_name = "VALUE", requires = "to")]
    pub rename: Option<String>,
    /// Remove a value. Refused while documents have it, unless --replace-with VALUE (they take
    /// that value) or --force (they keep it, and `normcode check` reports them).
    #[arg(long, value_name = "VALUE")]
    pub remove: Option<String>,
    /// Move a value to another group (--group GROUP).
    #[arg(long, value_name = "VALUE", requires = "group")]
    pub set_group: Option<String>,
    /// Add a group (labels with --label-en/--label-zh; the id where none is given).
    #[arg(long, value_name = "GROUP")]
    pub add_group: Option<String>,
    /// Rename a group (--to NEW); its values follow.
    #[arg(long, value_name = "GROUP", requires = "to")]
    pub rename_group: Option<String>,
    /// Remove a group no value is in.
    #[arg(long, value_name = "GROUP")]
    pub remove_group: Option<String>,
    /// The new name, for --rename and --rename-group.
    #[arg(long, value_name = "NEW")]
    pub to: Option<String>,
    /// The group, for --add and --set-group.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// For --remove: the value its documents take instead.
    #[arg(long, value_name = "VALUE", requires = "remove")]
    pub replace_with: Option<String>,
    /// For --remove: remove it although documents have it.
    #[arg(long, requires = "remove", conflicts_with = "replace_with")]
    pub force: bool,
    #[arg(long, value_name = "TEXT")]
    pub label_en: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub label_zh: Option<String>,
    /// A label in any language of the codebook (repeatable).
    #[arg(long, value_name = "LANG=TEXT")]
    pub label: Vec<String>,
    /// Show what would change, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl VariableArgs {
    fn labels(&self) -> Result<LangMap> {
        let mut map = LangMap::new();
        for (lang, text) in [("en", &self.label_en), ("zh", &self.label_zh)] {
            if let Some(text) = text {
                map.insert(lang.to_string(), text.clone());
            }
        }
        for item in &self.label {
            let Some((lang, text)) = item.split_once('=').filter(|(l, _)| !l.trim().is_empty())
            else {
                return Err(Error::Usage(format!(
                    "a --label must look like LANG=TEXT, not '{item}'"
                )));
            };
            map.insert(lang.trim().to_string(), text.to_string());
        }
        Ok(map)
    }

    /// The change asked for, or `None` to list.
    fn action(&self) -> Result<Option<VariableAction>> {
        let labels = self.labels()?;
        let labelled = !labels.is_empty();
        let action = if let Some(value) = &self.add {
            VariableAction::AddValue {
                value: value.clone(),
                group: self.group.clone(),
                label: labels,
            }
        } else if let Some(group) = &self.add_group {
            VariableAction::AddGroup {
                group: group.clone(),
                label: labels,
            }
        } else {
            if labelled {
                return Err(Error::Usage("labels go with --add or --add-group".into()));
            }
            if self.group.is_some() && self.set_group.is_none() {
                return Err(Error::Usage(
                    "--group goes with --add or --set-group".into(),
                ));
            }
            let to = || self.to.clone().unwrap_or_default();
            if let Some(old) = &self.rename {
                VariableAction::RenameValue {
                    old: old.clone(),
                    new: to(),
                }
            } else if let Some(value) = &self.remove {
                VariableAction::RemoveValue {
                    value: value.clone(),
                    replace_with: self.replace_with.clone(),
                    force: self.force,
                }
            } else if let Some(value) = &self.set_group {
                VariableAction::SetGroup {
                    value: value.clone(),
                    group: self.group.clone().unwrap_or_default(),
                }
            } else if let Some(old) = &self.rename_group {
                VariableAction::RenameGroup {
                    old: old.clone(),
                    new: to(),
                }
            } else if let Some(group) = &self.remove_group {
                VariableAction::RemoveGroup {
                    group: group.clone(),
                }
            } else {
                if self.to.is_some() {
                    return Err(Error::Usage(
                        "--to goes with --rename or --rename-group".into(),
                    ));
                }
                return Ok(None);
            }
        };
        if self.to.is_some()
            && !matches!(
                action,
                VariableAction::RenameValue { .. } | VariableAction::RenameGroup { .. }
            )
        {
            return Err(Error::Usage(
                "--to goes with --rename or --rename-group".into(),
            ));
        }
        Ok(Some(action))
    }
}

pub fn run(
    args: VariableArgs,
    project: Option<&Path>,
    coder: Option<&str>,
    config: &Config,
) -> Result<ExitCode> {
    let action = args.action()?;
    let Some(variable) = args.variable.clone() else {
        if action.is_some() {
            return Err(Error::Usage(
                "name the variable to change, e.g. `normcode codebook variable publisher --add \
                 NAME --group GROUP`"
                    .into(),
            ));
        }
        return list(project, None);
    };
    let Some(action) = action else {
        return list(project, Some(&variable));
    };
    let change = VariableChange { variable, action };
    let root = project_root(project)?;
    migrate(project, coder, config, args.dry_run, |files, stamp| {
        let documents = revise::read_documents(&root)?;
        revise::plan_variable(&root, files, &documents, &change, stamp)
    })
}

/// The variables (or one), with their groups and values, and how many documents have each.
fn list(project: Option<&Path>, only: Option<&str>) -> Result<ExitCode> {
    let root = project_root(project)?;
    let project = Project::open(&root)?;
    let codebook = &project.codebook;
    let lang = codebook.language().to_string();
    if let Some(id) = only
        && codebook.variable(id).is_none()
    {
        let known: Vec<&str> = codebook.variables.iter().map(|v| v.id.as_str()).collect();
        return Err(Error::Usage(format!(
            "there is no variable '{id}' in the codebook; its variables are: {}",
            known.join(", ")
        )));
    }
    let mut text = String::new();
    for variable in &codebook.variables {
        if only.is_some_and(|id| id != variable.id) {
            continue;
        }
        let documents = project
            .corpus
            .documents
            .iter()
            .filter(|d| d.metadata.get(&variable.id).is_some())
            .count();
        text.push_str(&format!(
            "{} ({}, {:?}): {documents} of {} documents have it\n",
            variable.id,
            variable.label.get(&lang),
            variable.kind,
            project.corpus.len()
        ));
        let count = |value: &str| {
            project
                .corpus
                .documents
                .iter()
                .filter(|d| d.metadata.text(&variable.id).as_deref() == Some(value))
                .count()
        };
        let mut shown_groups: Vec<Option<&str>> = variable
            .groups
            .iter()
            .map(|(g, _)| Some(g.as_str()))
            .collect();
        shown_groups.push(None);
        for group in shown_groups {
            let values: Vec<_> = variable
                .values
                .iter()
                .filter(|v| v.group.as_deref() == group)
                .collect();
            match group {
                Some(g) => {
                    let label = variable
                        .groups
                        .iter()
                        .find(|(id, _)| id == g)
                        .map(|(_, l)| l.get(&lang).to_string())
                        .unwrap_or_default();
                    text.push_str(&format!("  group {g} ({label})\n"));
                }
                None if values.is_empty() => continue,
                None if variable.groups.is_empty() => {}
                None => text.push_str("  no group\n"),
            }
            for value in values {
                let n = count(&value.id);
                text.push_str(&format!(
                    "    {}  {n} document{}\n",
                    value.id,
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
    }
    out::text(&crate::text::sanitize_lines(&text))?;
    Ok(ExitCode::SUCCESS)
}
