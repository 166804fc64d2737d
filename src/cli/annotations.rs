//! `normcode annotations`: maintenance of the coder files.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::annotations::{self, CoderLock, CoderName};
use crate::error::{Error, Result};
use crate::project::Project;

use super::commands::{chosen_coders, project_root};

#[derive(Debug, Args)]
#[command(about = "Maintain the coder files (annotations/CODER.yaml)")]
pub struct AnnotationsArgs {
    #[command(subcommand)]
    pub command: AnnotationsCommand,
}

#[derive(Debug, Subcommand)]
pub enum AnnotationsCommand {
    /// Give every annotation without a quote the quote of the text it is on now, so that a later
    /// edit of the document is detected (`normcode check` lists files that need it). Run it while
    /// the documents are still the texts that were coded. Refused while a workspace has the
    /// coder open; each file is written atomically, and only if something was added.
    AddQuotes {
        /// Only these coders (comma-separated; default: every coder file).
        #[arg(long, value_delimiter = ',', value_name = "NAMES")]
        coders: Option<Vec<String>>,
    },
}

pub fn run(args: AnnotationsArgs, project: Option<&Path>) -> Result<ExitCode> {
    match args.command {
        AnnotationsCommand::AddQuotes { coders } => add_quotes(project, coders.as_deref()),
    }
}

fn add_quotes(project: Option<&Path>, coders: Option<&[String]>) -> Result<ExitCode> {
    let project = Project::open(&project_root(project)?)?;
    let names = chosen_coders(&project, coders, None)?;
    let dir = project.annotations_dir();
    // Every lock first: nothing is written unless no workspace has any of these coders open.
    let mut locks = Vec::new();
    for name in &names {
        locks.push(CoderLock::acquire(&dir, &CoderName::parse(name)?).map_err(
            |err| match err {
                Error::Usage(_) => Error::Usage(format!(
                    "coder '{name}' has the workspace open in another normcode session; \
                     nothing was changed: close it there, then run this again"
                )),
                other => other,
            },
        )?);
    }
    let mut loaded = Vec::new();
    for name in &names {
        let mut coder = project.load_coder(name)?;
        let added = annotations::add_quotes(&mut coder.file, &project.corpus);
        loaded.push((coder, added));
    }
    for (coder, added) in &mut loaded {
        let shown = format!("annotations/{}.yaml", coder.name);
        let left = coder.anchors.unquoted - *added;
        if *added > 0 {
            project.save_coder(coder)?;
        }
        let quotes = if *added == 1 { "quote" } else { "quotes" };
        print!("{shown}: added {added} {quotes}");
        if left > 0 {
            print!(
                "; {left} annotation{} could not be placed and {} none",
                if left == 1 { "" } else { "s" },
                if left == 1 { "has" } else { "have" }
            );
        }
        println!();
    }
    drop(locks);
    Ok(ExitCode::SUCCESS)
}
