//! `normcode sync` and `normcode merge-driver`: a team on git.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::config::Config;
use crate::error::Result;
use crate::sync::{self, Outcome, Side};

use super::commands::{coder_name, project_root};
use super::out::{note, say};

#[derive(Debug, Args)]
#[command(
    about = "Commit your coding, pull the team's, push yours (git)",
    long_about = "Commit your coding, pull the team's, merge, push: the project must be in a \
        git repository with the team's remote.\n\n\
        A sync commits only what this machine changed: your own coder file \
        (annotations/CODER.yaml), codebook.yaml when it differs from the last commit (only a \
        change made here can make it differ), another coder's file only when a codebook change \
        made here rewrote it, and .gitattributes/.gitignore. The commit message says what you \
        did (units coded, documents done). Then it pulls: coder files both sides changed are \
        merged annotation by annotation by `normcode merge-driver`, never with conflict \
        markers; codebook.yaml changed on both sides is merged through its history by \
        `normcode merge-driver --codebook` (a conflict there is left to you, named). Your \
        file is then brought up to the codebook's version (renames and merges \
        the lead made are applied to your codes) and pushed.\n\n\
        Without a remote, or with the network down, the work stays committed here: sync \
        again later. A merge left under way (a sync killed half-way) is completed by the next \
        sync. Every sync first runs --setup (it changes nothing when done already)."
)]
pub struct SyncArgs {
    /// Only set up git for normcode in this clone: `.gitattributes` (`annotations/*.yaml
    /// merge=normcode`, `codebook.yaml merge=normcode-codebook`), `.gitignore` (session
    /// files), and the repository's merge.normcode.driver and merge.normcode-codebook.driver.
    /// Idempotent.
    #[arg(long)]
    pub setup: bool,
}

#[derive(Debug, Args)]
#[command(
    about = "Git's merge driver for coder files (set up by `normcode sync --setup`)",
    long_about = "Git's merge driver for coder files: `normcode merge-driver %O %A %B %P`, set up \
        by `normcode sync --setup`; git runs it, you do not need to.\n\n\
        It merges the two versions of a coder file annotation by annotation against their \
        common ancestor: annotations and codes added on either side are kept; one removed on \
        either side is removed; a memo changed on one side takes that side's text, and a memo \
        changed differently on both sides keeps both texts, yours first, under the line \
        \"── changed in two places at once; the other version: ──\"; a document's status \
        changed differently on both sides takes the one further along (done, then in \
        progress, then not started), so a document marked done on either machine stays done \
        unless the other reopened it and this one left it alone. The result, in the form \
        the workspace writes, replaces %A and the exit code is 0. It never writes conflict \
        markers: it exits non-zero (git then leaves its own conflict) only when a side is not \
        a valid coder file, naming it on standard error.\n\n\
        With --codebook (`merge.normcode-codebook.driver`), it merges codebook.yaml: both \
        machines' `normcode codebook` changes are kept when they touch different lines, their \
        history entries one after the other (theirs renumbered after ours) and `version:` \
        the last one (when both sides have new entries, all are renumbered after the higher \
        of the two versions). When both changed the same lines, %A gets git's own \
        line-by-line merge with its conflict markers and the exit code is 1; when the \
        result would not be a valid codebook, %A is left as it is and the exit code is 1."
)]
pub struct MergeDriverArgs {
    /// Merge codebook.yaml instead of a coder file: the version and the history entries of
    /// both sides are set aside, git merges the rest line by line (`git merge-file`), and
    /// the new history entries of both sides follow each other, renumbered. A conflict there,
    /// or a result that is not a valid codebook, leaves git's conflict (exit code 1).
    #[arg(long)]
    pub codebook: bool,
    /// %O: the common ancestor's version (a temporary file).
    pub ancestor: PathBuf,
    /// %A: ours; the merge is written here.
    pub ours: PathBuf,
    /// %B: theirs.
    pub theirs: PathBuf,
    /// %P: the file's path in the repository (for messages).
    pub path: PathBuf,
}

pub fn run(args: SyncArgs, project: Option<&Path>, coder: Option<&str>) -> Result<ExitCode> {
    let root = project_root(project)?;
    if args.setup {
        let done = sync::setup(&root)?;
        for line in done.describe() {
            say!("{line}")?;
        }
        if done.changed_anything() {
            say!("set up; commit .gitattributes (the next `normcode sync` does)")?;
        } else {
            say!("already set up; nothing was changed")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load()?;
    let coder = coder_name(coder, &config)?;
    let mut failed_to_print = None;
    let outcome = sync::sync(&root, &coder, &mut |line| {
        if let Err(err) = say!("{line}") {
            failed_to_print.get_or_insert(err);
        }
    })?;
    if let Some(err) = failed_to_print {
        return Err(err);
    }
    match outcome {
        Outcome::Synced => {
            say!("synced")?;
            Ok(ExitCode::SUCCESS)
        }
        Outcome::LocalOnly(why) => {
            note!("normcode: not synced: {why}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The three files git hands a merge driver, named for messages.
fn sides(args: &MergeDriverArgs) -> [Side<'_>; 3] {
    [
        Side {
            path: &args.ancestor,
            name: "the common ancestor",
        },
        Side {
            path: &args.ours,
            name: "ours",
        },
        Side {
            path: &args.theirs,
            name: "theirs",
        },
    ]
}

pub fn merge_driver(args: MergeDriverArgs) -> Result<ExitCode> {
    if args.codebook {
        return merge_codebook(&args);
    }
    let here = std::env::current_dir()
        .map_err(|e| crate::Error::io(".", "cannot find the current folder", e))?;
    let [ancestor, ours, theirs] = sides(&args);
    let result = sync::driver::run(&here, &ancestor, &ours, &theirs, &args.path);
    match result {
        Ok(merged) => {
            for line in &merged.notes {
                note!("normcode merge-driver: {line}");
            }
            let came_in = merged.report.describe();
            if !came_in.is_empty() {
                note!(
                    "normcode merge-driver: {}: merged ({came_in})",
                    args.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            note!(
                "normcode merge-driver: {} was not merged, so git leaves its conflict: {err}",
                args.path.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}

fn merge_codebook(args: &MergeDriverArgs) -> Result<ExitCode> {
    let [ancestor, ours, theirs] = sides(args);
    let result = sync::codebook_driver::run(&ancestor, &ours, &theirs, &args.path);
    match result {
        Ok(merged) => {
            if !merged.from_theirs.is_empty() {
                let entries: Vec<String> =
                    merged.from_theirs.iter().map(|e| e.to_string()).collect();
                note!(
                    "normcode merge-driver: {}: merged; came in: {}",
                    args.path.display(),
                    entries.join(" | ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            note!(
                "normcode merge-driver: {} was not merged, so git leaves its conflict: {err}",
                args.path.display()
            );
            Ok(ExitCode::from(1))
        }
    }
}
