//! Reading and writing coder files: atomic saves and one writer per coder file.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::yaml;

use super::{CoderFile, CoderName, Merges, format};

/// Writes `contents` to `path` so that a crash at any moment leaves either the old file or the
/// new one: a temporary file in the same folder, fsync, rename over, fsync of the folder.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|e| Error::io(path, "cannot save (creating a temporary file failed)", e))?;
    // A temporary file is private (0600); the saved file keeps the mode of the one it
    // replaces, or gets the usual 0644, so coders sharing a repository can read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        let _ = temp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode));
    }
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(path, "cannot save", e))?;
    // Dropping a failed `persist` removes the temporary file: nothing is left behind.
    temp.persist(path)
        .map_err(|e| Error::io(path, "cannot save (rename failed)", e.error))?;
    // The rename itself must reach the disk too.
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// What a file held when it was last read or written (a hash of its bytes), or that there was
/// none: a write compares it with the file on disk first, so that changes made elsewhere (a
/// `git pull`, an editor, another machine) are never written over unseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskVersion(Option<blake3::Hash>);

impl DiskVersion {
    /// No file at the path.
    pub const MISSING: Self = Self(None);

    pub fn of(bytes: &[u8]) -> Self {
        Self(Some(blake3::hash(bytes)))
    }

    /// The version at `path` now, with the file's text (`None`: no file).
    pub fn read(path: &Path) -> Result<(Self, Option<Vec<u8>>)> {
        match std::fs::read(path) {
            Ok(bytes) => Ok((Self::of(&bytes), Some(bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Self::MISSING, None)),
            Err(e) => Err(Error::io(path, "cannot read", e)),
        }
    }
}

/// Size, modification time and inode of a file: a cheap sign that it may have changed (the
/// hash in [`DiskVersion`] says whether it did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSignature {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl FileSignature {
    /// `None` when there is no file (or it cannot be looked at).
    pub fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(&meta),
        })
    }
}

/// Why [`write_if_unchanged`] wrote nothing.
#[derive(Debug)]
pub enum CheckedWriteError {
    /// The file is no longer what `expected` says: read it, merge, and write again.
    ChangedOnDisk,
    Failed(Error),
}

impl std::fmt::Display for CheckedWriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ChangedOnDisk => f.write_str(
                "the file changed on disk since it was read; nothing was written over it",
            ),
            Self::Failed(err) => err.fmt(f),
        }
    }
}

/// Writes `contents` to `path` atomically, unless the file changed since it was at `expected`.
/// Returns the version written.
pub fn write_if_unchanged(
    path: &Path,
    expected: DiskVersion,
    contents: &[u8],
) -> std::result::Result<DiskVersion, CheckedWriteError> {
    let (now, _) = DiskVersion::read(path).map_err(CheckedWriteError::Failed)?;
    if now != expected {
        return Err(CheckedWriteError::ChangedOnDisk);
    }
    write_atomic(path, contents).map_err(CheckedWriteError::Failed)?;
    Ok(DiskVersion::of(contents))
}

pub fn load_coder_file(path: &Path) -> Result<CoderFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    parse_coder_file(path, &text)
}

/// Parses the text of a coder file; `path` is only used in messages. The layout normcode
/// writes is read by hand ([`format::read`]); anything else, and every error, by serde-saphyr.
///
/// Every reader sees the file tidied ([`CoderFile::tidy`]): repeated codes and annotations
/// merged, memo line ends as `\n`.
pub fn parse_coder_file(path: &Path, text: &str) -> Result<CoderFile> {
    parse_coder_file_reporting(path, text).map(|(file, _)| file)
}

/// [`parse_coder_file`], with the merges [`CoderFile::tidy`] made (for `normcode check`).
pub fn parse_coder_file_reporting(path: &Path, text: &str) -> Result<(CoderFile, Merges)> {
    let mut file: CoderFile = match format::read(text) {
        Some(file) => file,
        None => yaml::parse(path, text, 0)?,
    };
    let merges = file.tidy();
    Ok((file, merges))
}

/// The text [`save_coder_file`] writes for `file`: what serde-saphyr writes, by hand.
pub fn coder_file_to_string(file: &CoderFile) -> Result<String> {
    format::write(file)
}

pub fn save_coder_file(path: &Path, file: &CoderFile) -> Result<()> {
    let text = coder_file_to_string(file)?;
    write_atomic(path, text.as_bytes())
}

/// Removes what a save of `CODER.yaml` killed between writing its temporary file and renaming
/// it left behind (`.CODER.yaml.XXXXXX.tmp`, see [`write_atomic`]). Only the holder of the
/// coder's lock writes that file, so none of them can be a save under way.
fn remove_stale_temporaries(annotations_dir: &Path, coder: &str) {
    let prefix = format!(".{coder}.yaml.");
    let Ok(entries) = std::fs::read_dir(annotations_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `.CODER.yaml.` + random letters and digits + `.tmp`; not another coder's whose name
        // starts like this one's (`a` and `a.yaml.b`).
        let random = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        if random.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An exclusive OS lock on a coder file, held while a session may write it. The OS drops it
/// when the process ends, however it ends, so a crash leaves no stale lock.
#[derive(Debug)]
pub struct CoderLock {
    _file: File,
    pub path: PathBuf,
}

impl CoderLock {
    /// Locks `annotations/.CODER.lock`; fails at once if another process holds it.
    /// The name is checked before anything is created: a lock only ever exists for a coder
    /// name that can be a file name.
    pub fn acquire(annotations_dir: &Path, coder: &CoderName) -> Result<Self> {
        std::fs::create_dir_all(annotations_dir)
            .map_err(|e| Error::io(annotations_dir, "cannot create", e))?;
        let path = annotations_dir.join(format!(".{coder}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "cannot open lock file", e))?;
        match file.try_lock() {
            Ok(()) => {
                remove_stale_temporaries(annotations_dir, coder);
                Ok(Self { _file: file, path })
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Usage(format!(
                "coder '{coder}' is already open in another normcode session (lock {}); \
                 close it there, or pass --coder with another name",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, "cannot lock", e)),
        }
    }
}
