//! Where an index lives: the cache folder, a folder per project, never inside the project.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The platform's cache folder for normcode (`$XDG_CACHE_HOME/normcode` or
/// `~/.cache/normcode` on Linux, `~/Library/Caches/normcode` on macOS).
pub fn cache_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "normcode")
        .map(|dirs| dirs.cache_dir().to_path_buf())
        .ok_or_else(|| {
            Error::Usage(
                "cannot find a cache folder for the search index (no home folder is known); \
                 set XDG_CACHE_HOME"
                    .to_string(),
            )
        })
}

/// Where the index of the project at `project_root` lives by default:
/// `<cache dir>/indexes/<first 16 hex digits of BLAKE3 of the canonical project path>`.
pub fn default_index_dir(project_root: &Path) -> Result<PathBuf> {
    let root = project_root
        .canonicalize()
        .map_err(|e| Error::io(project_root, "cannot open project folder", e))?;
    let hash = blake3::hash(root.as_os_str().as_encoded_bytes()).to_hex();
    Ok(cache_dir()?.join("indexes").join(&hash.as_str()[..16]))
}

/// The index must not end up inside the project (it would be committed, synced, indexed...).
/// Checked before anything is created: the nearest existing folder is resolved, the rest
/// appended.
pub(super) fn ensure_outside_project(dir: &Path, root: &Path) -> Result<()> {
    let root = root
        .canonicalize()
        .map_err(|e| Error::io(root, "cannot open project folder", e))?;
    let absolute = std::path::absolute(dir).map_err(|e| Error::io(dir, "cannot resolve", e))?;
    let existing = absolute
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(Path::new("/"));
    let rest = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
    let resolved = existing
        .canonicalize()
        .map_err(|e| Error::io(existing, "cannot resolve", e))?
        .join(rest);
    if resolved.starts_with(&root) {
        return Err(Error::Usage(format!(
            "the search index folder {} is inside the project {}; point XDG_CACHE_HOME (or the \
             index folder) somewhere else",
            resolved.display(),
            root.display()
        )));
    }
    Ok(())
}
