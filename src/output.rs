//! Where an output command (`export`, `report`, `codebook export`) writes its result: standard
//! output, a pipe or device written straight through, or a file written atomically. Never one of
//! the project's own files, and never over an existing file unless asked (`--force`).
//!
//! The destination is chosen, and refused, before anything is computed or written: a refused
//! command changes nothing on disk.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::project::{ANNOTATIONS_DIR, CODEBOOK_FILE, SETTINGS_FILE};

/// The project's own files and folders, which no output may replace: the project file, the
/// codebook, and everything under the documents and annotations folders. Paths are
/// canonical, so `./x/../codebook.yaml` and symlinks to them are recognised.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    files: Vec<(PathBuf, &'static str)>,
    folders: Vec<(PathBuf, &'static str)>,
}

impl Protected {
    /// Nothing is protected (no project, as for `export --import-qdc` outside one).
    pub fn none() -> Self {
        Self::default()
    }

    /// The files of the project at `root` whose documents are in `documents` (relative to
    /// `root`, as in `normcode.yaml`, or absolute).
    pub fn project(root: &Path, documents: &Path) -> Self {
        let canonical = |p: PathBuf| fs::canonicalize(&p).unwrap_or(p);
        Self {
            files: vec![
                (
                    canonical(root.join(CODEBOOK_FILE)),
                    "the project's codebook",
                ),
                (canonical(root.join(SETTINGS_FILE)), "the project file"),
            ],
            folders: vec![
                (
                    canonical(root.join(documents)),
                    "in the project's documents folder",
                ),
                (
                    canonical(root.join(ANNOTATIONS_DIR)),
                    "in the project's annotations folder (coder files)",
                ),
            ],
        }
    }

    /// What the canonical `path` is, when it is one of the project's own files.
    fn what(&self, path: &Path) -> Option<&'static str> {
        self.files
            .iter()
            .find(|(file, _)| file == path)
            .or_else(|| {
                self.folders
                    .iter()
                    .find(|(folder, _)| path.starts_with(folder))
            })
            .map(|(_, what)| *what)
    }
}

/// Where output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (no `--out`, or `--out -`).
    Stdout,
    /// A pipe, a FIFO or a character device (`/dev/null`, `/dev/stdout`, `>(cmd)`): written
    /// straight through, never replaced.
    Stream(PathBuf),
    /// A regular file, new or (with `--force`) replaced atomically. `path` is where it is
    /// written: a symlink's target, so that the symlink stays.
    File { path: PathBuf, shown: PathBuf },
}

impl Destination {
    /// The path as the user gave it, for messages (`-` for standard output).
    pub fn shown(&self) -> PathBuf {
        match self {
            Destination::Stdout => PathBuf::from("-"),
            Destination::Stream(path) => path.clone(),
            Destination::File { shown, .. } => shown.clone(),
        }
    }
}

fn refuse(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {why}; nothing was written", path.display()))
}

/// Chooses where `--out PATH` writes (`None` or `-`: standard output), or says why it may not:
/// it is one of the `protected` files, a folder, or an existing regular file and `force` is
/// off.
pub fn destination(out: Option<&Path>, protected: &Protected, force: bool) -> Result<Destination> {
    let Some(path) = out else {
        return Ok(Destination::Stdout);
    };
    if path.as_os_str() == "-" {
        return Ok(Destination::Stdout);
    }
    if path.as_os_str().is_empty() {
        return Err(Error::Usage("--out needs a file name".into()));
    }
    // A pipe or a device (`>(cmd)` is `/dev/fd/N`, a link to a pipe that has no path).
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if meta.file_type().is_block_device() {
                return Err(refuse(path, "is a disk device; choose a file with --out"));
            }
        }
        return Ok(Destination::Stream(path.to_path_buf()));
    }
    let canonical = canonical_target(path)?;
    if let Some(what) = protected.what(&canonical) {
        return Err(refuse(
            path,
            format!(
                "this is {what}, and output never replaces the project's own files; \
                 choose another --out"
            ),
        ));
    }
    match fs::metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Destination::File {
            path: canonical,
            shown: path.to_path_buf(),
        }),
        Err(e) => Err(Error::io(path, "cannot write there", e)),
        Ok(meta) if meta.is_dir() => Err(refuse(
            path,
            "is a folder; give the name of a file in it with --out",
        )),
        Ok(meta) if meta.is_file() => {
            if force {
                Ok(Destination::File {
                    path: canonical,
                    shown: path.to_path_buf(),
                })
            } else {
                Err(refuse(
                    path,
                    "exists; choose another --out, or pass --force to overwrite it",
                ))
            }
        }
        Ok(_) => Ok(Destination::Stream(path.to_path_buf())),
    }
}

/// The canonical path `path` names: itself when it exists (symlinks resolved), else its
/// canonical folder and its file name.
fn canonical_target(path: &Path) -> Result<PathBuf> {
    if let Ok(canonical) = fs::canonicalize(path) {
        return Ok(canonical);
    }
    if fs::symlink_metadata(path).is_ok() {
        return Err(refuse(
            path,
            "is a symlink to a file or folder that does not exist; choose another --out",
        ));
    }
    let name = match path.components().next_back() {
        Some(Component::Normal(name)) => name,
        _ => return Err(refuse(path, "is not a file name; choose a file with --out")),
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = fs::canonicalize(folder).map_err(|e| {
        Error::io(
            folder,
            "cannot write there (the folder of --out must exist)",
            e,
        )
    })?;
    Ok(folder.join(name))
}

/// Writes `bytes` to a [`Destination::Stream`] or [`Destination::File`]; standard output is the
/// caller's (the command line knows whether it is a terminal). A reader that closed a pipe
/// early has taken what it wanted: that is not an error.
pub fn write(destination: &Destination, bytes: &[u8]) -> Result<()> {
    match destination {
        Destination::Stdout => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != ErrorKind::BrokenPipe => {
                    Err(Error::io("standard output", "cannot write", e))
                }
                _ => Ok(()),
            }
        }
        Destination::Stream(path) => {
            let written = OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut file| file.write_all(bytes).and_then(|()| file.flush()));
            match written {
                Err(e) if e.kind() != ErrorKind::BrokenPipe => {
                    Err(Error::io(path, "cannot write", e))
                }
                _ => Ok(()),
            }
        }
        Destination::File { path, .. } => crate::annotations::write_atomic(path, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(CODEBOOK_FILE), "x").unwrap();
        fs::create_dir(dir.path().join("documents")).unwrap();
        fs::create_dir(dir.path().join(ANNOTATIONS_DIR)).unwrap();
        fs::write(dir.path().join("annotations/alice.yaml"), "x").unwrap();
        dir
    }

    #[test]
    fn the_projects_own_files_are_refused_however_they_are_named() {
        let dir = project();
        let root = dir.path();
        let protected = Protected::project(root, Path::new("documents"));
        fs::create_dir(root.join("x")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join(CODEBOOK_FILE), root.join("link.yaml")).unwrap();
        for path in [
            root.join(CODEBOOK_FILE),
            root.join("x/../codebook.yaml"),
            root.join("annotations/alice.yaml"),
            root.join("annotations/bob.yaml"),
            root.join("documents/new.md"),
            root.join(SETTINGS_FILE),
            #[cfg(unix)]
            root.join("link.yaml"),
        ] {
            let err = destination(Some(&path), &protected, true).unwrap_err();
            assert!(err.to_string().contains("project's"), "{path:?}: {err}");
        }
        assert!(matches!(
            destination(Some(&root.join("out.csv")), &protected, false),
            Ok(Destination::File { .. })
        ));
    }

    #[test]
    fn an_existing_file_needs_force_and_devices_are_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.csv");
        fs::write(&file, "old").unwrap();
        let none = Protected::none();
        let err = destination(Some(&file), &none, false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        assert!(destination(Some(&file), &none, true).is_ok());
        #[cfg(unix)]
        assert_eq!(
            destination(Some(Path::new("/dev/null")), &none, false).unwrap(),
            Destination::Stream(PathBuf::from("/dev/null"))
        );
        assert_eq!(
            destination(Some(Path::new("-")), &none, false).unwrap(),
            Destination::Stdout
        );
    }
}
