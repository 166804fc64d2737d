//! The command line: parse with clap, call the core, print, choose the exit code.

mod agree;
mod annotations;
mod code;
mod codebook;
mod commands;
mod export;
mod import;
mod index;
pub(crate) mod out;
mod report;
mod search;
mod suggest;
mod sync;
mod units;
mod variable;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;

#[derive(Debug, Parser)]
#[command(
    name = "normcode",
    version,
    about = "Qualitative content analysis of policy and norm texts, in the terminal",
    long_about = "Qualitative content analysis of policy and norm texts, in the terminal.\n\n\
        Without a command, opens the coding workspace on the project in the current folder \
        (or the nearest parent that holds a codebook.yaml)."
)]
pub struct Cli {
    /// The project folder (default: the current folder or the nearest parent that is one).
    #[arg(long, global = true, env = "NORMCODE_PROJECT", value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Who is coding (default: the configured name, else the user name).
    #[arg(long, global = true, env = "NORMCODE_CODER", value_name = "NAME")]
    pub coder: Option<String>,
    /// Open the workspace for a coder who has no file yet without asking (without a terminal
    /// to ask on, a new coder is refused unless this is given).
    #[arg(long, global = true)]
    pub new_coder: bool,
    /// Open the workspace without the recommender's suggestions (blind coding for
    /// reliability; `suggestions: false` in normcode.yaml turns them off for everyone).
    #[arg(long)]
    pub no_suggestions: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty project with a copy of the default codebook.
    Init {
        /// The folder to create (it may exist, but must not be a project yet).
        dir: PathBuf,
        /// Also make it a git repository (unless it is in one) set up for a team: see
        /// `normcode sync --setup`.
        #[arg(long)]
        git: bool,
    },
    /// Check the codebook, documents and coder files. Exit 0 when clean, 1 when problems were
    /// found, 2 when the check could not run.
    Check,
    /// Documents, units, coders, and what each coder has coded.
    Status {
        #[arg(long, value_enum, default_value_t)]
        format: TextOrJson,
    },
    // Its help text is on `ExportArgs` (a doc comment here would replace the long help).
    Export(export::ExportArgs),
    // Help texts are on `SearchArgs` and `IndexArgs`.
    Search(search::SearchArgs),
    Index(index::IndexArgs),
    // Its help text is on `CodebookArgs`.
    Codebook(codebook::CodebookArgs),
    // Help texts are on `ReportArgs` and `ImportArgs`.
    Report(report::ReportArgs),
    Import(import::ImportArgs),
    // Its help text is on `AgreeArgs`.
    Agree(agree::AgreeArgs),
    // Its help text is on `CodeArgs`.
    Code(code::CodeArgs),
    // Its help text is on `AnnotationsArgs`.
    Annotations(annotations::AnnotationsArgs),
    // Its help text is on `SuggestArgs`.
    Suggest(suggest::SuggestArgs),
    // Help texts are on `SyncArgs` and `MergeDriverArgs`.
    Sync(sync::SyncArgs),
    MergeDriver(sync::MergeDriverArgs),
    // Its help text is on `UnitsArgs`.
    Units(units::UnitsArgs),
    /// The workspace's keys, mode by mode, with each action's name for `keys:` in
    /// config.yaml (your config applied).
    Keys,
}

/// Runs the command line; the returned code is the process's exit code.
pub fn run(cli: Cli) -> ExitCode {
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            out::message(&format!("normcode: {err}"));
            exit_code_for(&err)
        }
    }
}

/// 1 for bad input (the files are wrong), 2 for usage and I/O errors.
pub fn exit_code_for(err: &Error) -> ExitCode {
    if err.is_usage() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}
