//! `normcode index`: build or update the search index, and say what was done.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use crate::error::Result;
use crate::project::Project;
use crate::search::{OpenOptions, ProjectSnapshot, SearchIndex};

use super::commands::project_root;
use super::out::{note, say};
use super::search::ProgressBar;

#[derive(Debug, Args)]
#[command(
    about = "Build or update the search index (kept in the cache folder, not in the project)",
    long_about = "Build or update the search index of the project. `normcode search` does this \
        by itself; this command shows what it did. Only documents whose file or annotations \
        changed are reindexed, and deleted documents are removed.\n\n\
        The index lives in the cache folder ($XDG_CACHE_HOME/normcode/indexes/ or \
        ~/.cache/normcode/indexes/ on Linux, ~/Library/Caches/normcode/indexes/ on macOS), \
        one folder per project, never inside the project. It is safe to delete: it is built \
        again on the next search. While another normcode process writes the index, this one \
        waits a few seconds and then gives up.\n\n\
        On a large corpus, a build from scratch also keeps the Chinese (and other CJK) phrases \
        found in many units (at least 2,000 and 0.5% of all) whole, so that searching for one \
        takes no longer than for a single word. They are picked when the index is built from \
        scratch: after the corpus has grown a lot, `--rebuild` picks them again."
)]
pub struct IndexArgs {
    /// Throw the index away and build it again from scratch.
    #[arg(long)]
    pub rebuild: bool,
}

pub fn run(args: IndexArgs, project: Option<&Path>) -> Result<ExitCode> {
    let root = project_root(project)?;
    // Taken before the files are read: see `normcode search`.
    let snapshot = ProjectSnapshot::of_project(&root);
    let project = Project::open(&root)?;
    let options = OpenOptions {
        rebuild: args.rebuild,
        ..OpenOptions::default()
    };
    let mut bar = ProgressBar::new();
    let opened = SearchIndex::open_with(&project, &[], &options, &mut |p| bar.update(p));
    bar.finish();
    let (index, report) = opened?;
    super::search::record(&index, &project, &report, snapshot);
    for warning in &report.warnings {
        note!("normcode: warning: {warning}");
    }
    if let Some(note) = &report.read_only {
        note!("normcode: {note}");
        say!("Index not updated: another normcode process is writing it.")?;
        say!("Index folder: {}", index.dir().display())?;
        return Ok(ExitCode::from(2));
    }
    if let Some(reason) = &report.rebuilt {
        say!("Built the index from scratch ({reason}).")?;
        let grams = index.common_grams();
        if !grams.is_empty() {
            let mut longest = grams.clone();
            longest.sort_by_key(|g| std::cmp::Reverse(g.chars().count()));
            say!(
                "Common CJK phrases kept whole for fast search: {} (such as {}).",
                grams.len(),
                longest[..longest.len().min(3)].join(", ")
            )?;
        }
    }
    let documents = |n: usize| if n == 1 { "document" } else { "documents" };
    if report.changed() {
        say!(
            "{} {} indexed, {} updated, {} removed, {} unchanged ({} units written) in {:.2} s.",
            report.added,
            documents(report.added),
            report.updated,
            report.removed,
            report.unchanged,
            report.units,
            report.elapsed.as_secs_f64()
        )?;
    } else {
        say!(
            "The index is up to date ({} {}, checked in {:.2} s).",
            report.unchanged,
            documents(report.unchanged),
            report.elapsed.as_secs_f64()
        )?;
    }
    say!("Index folder: {}", index.dir().display())?;
    Ok(ExitCode::SUCCESS)
}
