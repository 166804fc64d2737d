//! One function per subcommand, each a few lines over the core.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::annotations::CoderName;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::project::{self, Project};
use crate::summary;
use crate::text::sanitize;
use crate::tui;
use std::io::IsTerminal;

use super::out::{self, note, say};
use super::{Cli, Command, TextOrJson};

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    let Cli {
        project,
        coder,
        new_coder,
        no_suggestions,
        command,
    } = cli;
    match command {
        Some(Command::Init { dir, git }) => init(&dir, git),
        Some(Command::Check) => check(project.as_deref()),
        Some(Command::Status { format }) => status(project.as_deref(), format),
        Some(Command::Export(args)) => super::export::run(args, project.as_deref()),
        Some(Command::Search(args)) => super::search::run(args, project.as_deref()),
        Some(Command::Index(args)) => super::index::run(args, project.as_deref()),
        Some(Command::Codebook(args)) => {
            super::codebook::run(args, project.as_deref(), coder.as_deref())
        }
        Some(Command::Report(args)) => super::report::run(args, project.as_deref()),
        Some(Command::Import(args)) => super::import::run(args, project.as_deref()),
        Some(Command::Agree(args)) => super::agree::run(args, project.as_deref()),
        Some(Command::Code(args)) => super::code::run(args, project.as_deref(), coder.as_deref()),
        Some(Command::Annotations(args)) => super::annotations::run(args, project.as_deref()),
        Some(Command::Suggest(args)) => {
            super::suggest::run(args, project.as_deref(), coder.as_deref())
        }
        Some(Command::Sync(args)) => super::sync::run(args, project.as_deref(), coder.as_deref()),
        Some(Command::MergeDriver(args)) => super::sync::merge_driver(args),
        Some(Command::Units(args)) => super::units::run(args, project.as_deref()),
        Some(Command::Keys) => keys(),
        None => workspace(
            project.as_deref(),
            coder.as_deref(),
            new_coder,
            no_suggestions,
        ),
    }
}

/// The project root: `--project` as given (it must be a project), else discovered from here.
pub fn project_root(project: Option<&Path>) -> Result<PathBuf> {
    match project {
        Some(dir) => {
            if !dir.join(project::CODEBOOK_FILE).is_file()
                && !dir.join(project::SETTINGS_FILE).is_file()
            {
                return Err(Error::Usage(format!(
                    "{} is not a normcode project (it has no {})",
                    dir.display(),
                    project::CODEBOOK_FILE
                )));
            }
            Ok(dir.to_path_buf())
        }
        None => {
            let here = std::env::current_dir()
                .map_err(|e| Error::io(".", "cannot find the current folder", e))?;
            project::discover(&here)
        }
    }
}

/// The coders a command works on: those `--coders` names (each must have a file, in the order
/// given, without repeats), else `default`, else every coder file.
pub fn chosen_coders(
    project: &Project,
    asked: Option<&[String]>,
    default: Option<Vec<String>>,
) -> Result<Vec<String>> {
    let known = project.coder_names()?;
    let Some(asked) = asked else {
        return Ok(default.unwrap_or(known));
    };
    let mut names: Vec<String> = Vec::new();
    for name in asked.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        CoderName::parse(name)?;
        if !known.iter().any(|k| k == name) {
            return Err(Error::Usage(format!(
                "no coder file annotations/{name}.yaml (coders: {})",
                if known.is_empty() {
                    "none yet".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

pub fn open_project(project: Option<&Path>) -> Result<Project> {
    Project::open(&project_root(project)?)
}

/// [`open_project`], for a command over the coder files: says on standard error which files
/// in `annotations/` look like coder files but are not read (`normcode check` tells more).
pub fn open_coded_project(project: Option<&Path>) -> Result<Project> {
    let project = open_project(project)?;
    for file in project::ignored_coder_files(&project.root)? {
        note!(
            "normcode: warning: {} is not read as a coder file (rename it to {}; see `normcode \
             check`)",
            sanitize(&format!("{}/{}", project::ANNOTATIONS_DIR, file.name)),
            sanitize(&file.rename_to)
        );
    }
    Ok(project)
}

/// The coder: `--coder` (or `$NORMCODE_CODER`), else the configured name, else the user name
/// (`$USER`, `$USERNAME`), else "coder"; each checked by the one rule of [`CoderName::parse`]
/// before anything is done with it.
pub fn coder_name(given: Option<&str>, config: &Config) -> Result<CoderName> {
    let (name, whence) = if let Some(given) = given {
        (given.to_string(), "--coder")
    } else if let Some(configured) = &config.coder {
        (configured.clone(), "the configuration file")
    } else if let Some(user) = ["USER", "USERNAME"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
    {
        (user, "the user name")
    } else {
        ("coder".to_string(), "the default")
    };
    CoderName::parse(&name).map_err(|err| match err {
        Error::Usage(message) if whence != "--coder" => Error::Usage(format!(
            "{message} (it comes from {whence}; pass --coder NAME)"
        )),
        other => other,
    })
}

/// The coding workspace; without a terminal (a pipe, CI) the project summary instead.
fn workspace(
    project: Option<&Path>,
    coder: Option<&str>,
    new_coder: bool,
    no_suggestions: bool,
) -> Result<ExitCode> {
    let mut config = Config::load()?;
    config.no_suggestions = no_suggestions;
    // Checked first, terminal or not: a name that cannot be a coder is never passed over.
    let coder = coder_name(coder, &config)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        note!("normcode: not a terminal, so here is the project summary instead of the workspace");
        return status(project, TextOrJson::Text);
    }
    let root = project_root(project)?;
    if !new_coder && !confirm_new_coder(&root, &coder)? {
        note!("normcode: nothing was created");
        return Ok(ExitCode::from(1));
    }
    tui::run(&root, &coder, &config)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether to go on with `coder`: yes when it has a file, or is the first coder of the
/// project; else a new coder (a typo of another's name?) is asked about on the terminal, and
/// refused without one.
fn confirm_new_coder(root: &Path, coder: &CoderName) -> Result<bool> {
    let others = project::coder_names(root)?;
    if others.is_empty() || others.iter().any(|name| name == coder.as_str()) {
        return Ok(true);
    }
    let question = format!(
        "no coder file for '{coder}' yet (coders: {}): create it?",
        others.join(", ")
    );
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "{question} There is no terminal to ask on: pass --new-coder to create it, or \
             --coder with one of those names"
        )));
    }
    eprint!("{} [y/N] ", sanitize(&question));
    let _ = std::io::Write::flush(&mut std::io::stderr());
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Error::io("terminal", "cannot read the answer", e))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES"))
}

fn init(dir: &Path, git: bool) -> Result<ExitCode> {
    if git {
        // git is there before anything is created.
        crate::sync::git::Git::new(Path::new(".")).run(&["--version"])?;
    }
    project::init(dir)?;
    if git {
        for line in crate::sync::setup::init_repository(dir)? {
            say!("{line}")?;
        }
    }
    // The folder as given, on one line, with no control character of it reaching the terminal.
    let dir = crate::text::sanitize(&dir.to_string_lossy()).into_owned();
    say!(
        "Created a normcode project in {}:\n  codebook.yaml   the default codebook (edit it to fit your study)\n  documents/      put .txt and .md files here\n  annotations/    one file per coder, written as you code\n\nNext: cd {} && normcode check",
        dir,
        dir
    )?;
    Ok(ExitCode::SUCCESS)
}

fn check(project: Option<&Path>) -> Result<ExitCode> {
    let root = project_root(project)?;
    let project = match Project::open(&root) {
        Ok(project) => project,
        Err(err @ Error::Invalid { .. }) => {
            say!("error: {err}")?;
            say!("1 error")?;
            return Ok(ExitCode::from(1));
        }
        Err(err) => return Err(err),
    };
    let report = project::check(&project);
    for problem in &report.problems {
        // Messages quote file content (ids, values, what the YAML parser saw): one line each,
        // with no control character of theirs reaching the terminal.
        out::text(&format!(
            "{}\n",
            crate::text::sanitize(&problem.to_string())
        ))?;
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if report.is_clean() {
        say!(
            "ok: codebook ({}), {} ({}), {}",
            plural(project.codebook.indicators.len(), "indicator", "indicators"),
            plural(project.corpus.len(), "document", "documents"),
            plural(project.corpus.unit_count(), "unit", "units"),
            plural(project.coder_names()?.len(), "coder file", "coder files")
        )?;
        Ok(ExitCode::SUCCESS)
    } else {
        say!(
            "{}, {}",
            plural(report.errors(), "error", "errors"),
            plural(report.warnings(), "warning", "warnings")
        )?;
        Ok(ExitCode::from(1))
    }
}

fn status(project: Option<&Path>, format: TextOrJson) -> Result<ExitCode> {
    let project = open_coded_project(project)?;
    let coders = project.load_coders(None)?;
    super::out::read_as(&coders);
    let summary = summary::summarize(&project, &coders);
    match format {
        TextOrJson::Text => out::text(&summary.to_string())?,
        TextOrJson::Json => out::json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&summary).expect("a summary always serializes")
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `normcode keys`: every mode's actions with their keys and config names, from the action
/// table with the user's config applied; problems in the config's keys come first, on stderr.
fn keys() -> Result<ExitCode> {
    let config = Config::load()?;
    let (keymap, problems) = tui::keymap::Keymap::with_overrides(&config.keys);
    for problem in &problems {
        super::out::message(&format!("config: {problem}"));
    }
    let mut text = String::new();
    for mode in tui::action::ModeKind::ALL {
        text.push_str(&format!("{}\n", mode.title()));
        for (action, keys) in keymap.mode_actions(mode) {
            text.push_str(&format!(
                "  {:<16} {:<24} {}\n",
                keys.join(" "),
                action.name(),
                action.description()
            ));
        }
        text.push('\n');
    }
    super::out::text(&text)?;
    Ok(ExitCode::SUCCESS)
}
