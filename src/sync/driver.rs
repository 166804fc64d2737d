//! `normcode merge-driver %O %A %B %P`: git's merge of a coder file, annotation by annotation
//! ([`merge3`]) instead of line by line, so that a coder file never holds conflict markers.
//!
//! Git runs it (see [`super::setup`]) for every `annotations/*.yaml` both sides changed, with
//! the common ancestor's version (`%O`), ours (`%A`, where the result goes), theirs (`%B`) and
//! the file's path in the repository (`%P`). The result is written in the form the workspace
//! writes (annotations in document order when the project's documents can be read).
//!
//! The rules are [`merge3`]'s: additions from both sides kept, deletions honoured, a memo
//! changed differently on both sides keeps both texts under a visible line, a document's
//! status changed differently on both sides takes the one further along (done, then in
//! progress, then not started), and the older of the two codebook versions, from which the
//! next `normcode sync` (or the workspace) migrates the file.

use std::path::{Path, PathBuf};

use crate::annotations::{
    CoderFile, MergeReport, coder_file_to_string, merge3, parse_coder_file, valid_coder_name,
};
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::project::{ANNOTATIONS_DIR, Project};

/// One side of a merge, as git hands it over.
pub struct Side<'a> {
    /// The temporary file git wrote.
    pub path: &'a Path,
    /// "ours", "theirs", "the common ancestor": for messages.
    pub name: &'a str,
}

/// What a merge did.
#[derive(Debug, Clone)]
pub struct Merged {
    pub file: CoderFile,
    pub text: String,
    /// What came in from theirs.
    pub report: MergeReport,
    /// A note for the user (the ancestor could not be read, ...).
    pub notes: Vec<String>,
}

/// Reads one side: an empty file is an empty coder file (git passes one for a file that both
/// sides added).
fn read_side(side: &Side, shown: &Path, coder: &str) -> Result<CoderFile> {
    let bytes = std::fs::read(side.path).map_err(|e| Error::io(side.path, "cannot read", e))?;
    let label = PathBuf::from(format!("{} ({})", shown.display(), side.name));
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            crate::error::SourcePos::file(&label),
            format!(
                "is not UTF-8 text (a byte that is not UTF-8 at byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    if text.trim().is_empty() {
        return Ok(CoderFile::new(coder, None));
    }
    let file = parse_coder_file(&label, &text)?;
    file.check_header(&label, coder)?;
    Ok(file)
}

/// The coder whose file `shown` (`annotations/CODER.yaml`) is.
fn coder_of(shown: &Path) -> Result<String> {
    let name = shown
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| valid_coder_name(s))
        .filter(|_| shown.extension().is_some_and(|e| e == "yaml"));
    match name {
        Some(name) => Ok(name.to_string()),
        None => Err(Error::Usage(format!(
            "{} is not a coder file (annotations/CODER.yaml): the normcode merge driver merges \
             only those; check the `merge=normcode` line of .gitattributes",
            shown.display()
        ))),
    }
}

/// The documents of the project that holds `shown` (relative to `repo`), to put annotations
/// in document order; `None` when they cannot be read (the order is then by unit id).
fn corpus_for(repo: &Path, shown: &Path) -> Option<Corpus> {
    let annotations = repo.join(shown).parent()?.to_path_buf();
    if annotations.file_name()? != ANNOTATIONS_DIR {
        return None;
    }
    let root = annotations.parent()?;
    let (settings, _) = Project::read_settings_and_codebook(root).ok()?;
    let folder = root.join(&settings.documents);
    folder
        .is_dir()
        .then(|| Corpus::load(&folder, root, settings.segmentation).ok())
        .flatten()
}

/// Merges theirs into ours with the ancestor as base; `shown` is the file's path in the
/// repository (git's `%P`), `repo` where git runs (the top of the work tree). Errors when ours
/// or theirs is not a valid coder file (git then leaves its own conflict).
pub fn merge_files(
    repo: &Path,
    base: &Side,
    ours: &Side,
    theirs: &Side,
    shown: &Path,
) -> Result<Merged> {
    let coder = coder_of(shown)?;
    let our_file = read_side(ours, shown, &coder)?;
    let their_file = read_side(theirs, shown, &coder)?;
    let mut notes = Vec::new();
    let base_file = match read_side(base, shown, &coder) {
        Ok(file) => file,
        Err(err) => {
            notes.push(format!(
                "the common ancestor of {} cannot be read, so nothing either side removed is \
                 removed ({err})",
                shown.display()
            ));
            CoderFile::new(&coder, None)
        }
    };
    let (mut file, report) = merge3(&base_file, &our_file, &their_file);
    match corpus_for(repo, shown) {
        Some(corpus) => file.normalize(&corpus),
        None => file.normalize(&Corpus::default()),
    }
    let text = coder_file_to_string(&file)?;
    Ok(Merged {
        file,
        text,
        report,
        notes,
    })
}

/// [`merge_files`], writing the result over ours (`%A`), as git expects of a merge driver.
pub fn run(repo: &Path, base: &Side, ours: &Side, theirs: &Side, shown: &Path) -> Result<Merged> {
    let merged = merge_files(repo, base, ours, theirs, shown)?;
    std::fs::write(ours.path, merged.text.as_bytes())
        .map_err(|e| Error::io(ours.path, "cannot write the merge to", e))?;
    Ok(merged)
}
