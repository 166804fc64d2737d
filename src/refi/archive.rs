//! Reading a `.qdpx` zip safely (no path may leave the archive, sizes are limited) and writing
//! an imported project: into a temporary folder next to its place, checked, then renamed.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use super::import::Imported;
use crate::error::{Error, Result, SourcePos};

/// The largest file read from an archive (a zip bomb, not a project).
const MAX_ENTRY: u64 = 512 << 20;
/// The most bytes read from all of an archive's files together.
const MAX_TOTAL: u64 = 4 << 30;

/// The files of an archive, by their path inside it.
pub(crate) struct Archive {
    path: PathBuf,
    entries: BTreeMap<String, Vec<u8>>,
}

impl Archive {
    pub(crate) fn read(path: &Path, bytes: &[u8]) -> Result<Self> {
        let bad = |message: String| Error::invalid(SourcePos::file(path), message);
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| bad(format!("not a REFI-QDA project archive (a zip file): {e}")))?;
        let mut entries = BTreeMap::new();
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut file = zip
                .by_index(i)
                .map_err(|e| bad(format!("cannot read the archive: {e}")))?;
            let name = file
                .name()
                .map_err(|e| bad(format!("a file name in the archive does not read: {e}")))?
                .into_owned();
            if file.enclosed_name().is_none() || name.starts_with('/') || name.contains('\\') {
                return Err(bad(format!(
                    "the archive holds a file with an unsafe path, {name:?} (it would be written \
                     outside the project): refusing the whole archive"
                )));
            }
            if file.is_dir() {
                continue;
            }
            let mut content = Vec::new();
            file.by_ref()
                .take(MAX_ENTRY + 1)
                .read_to_end(&mut content)
                .map_err(|e| bad(format!("cannot read {name} in the archive: {e}")))?;
            if content.len() as u64 > MAX_ENTRY {
                return Err(bad(format!(
                    "{name} in the archive is larger than {} MB",
                    MAX_ENTRY >> 20
                )));
            }
            total += content.len() as u64;
            if total > MAX_TOTAL {
                return Err(bad(format!(
                    "the archive unpacks to more than {} GB",
                    MAX_TOTAL >> 30
                )));
            }
            entries.insert(name, content);
        }
        Ok(Self {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The file an `internal://NAME` path names: `sources/NAME` (or `Sources/NAME`).
    pub(crate) fn internal(&self, reference: &str) -> Option<(&str, &[u8])> {
        let name = reference
            .strip_prefix("internal://")?
            .trim_start_matches('/');
        self.entries
            .iter()
            .find(|(path, _)| {
                path.split_once('/').is_some_and(|(folder, rest)| {
                    folder.eq_ignore_ascii_case("sources") && rest == name
                }) || path.as_str() == name
            })
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
    }

    pub(crate) fn project_qde(&self) -> Result<(&str, &[u8])> {
        self.entries
            .get_key_value("project.qde")
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|(p, _)| !p.contains('/') && p.ends_with(".qde"))
            })
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .ok_or_else(|| {
                Error::invalid(
                    SourcePos::file(&self.path),
                    "not a REFI-QDA project archive: it holds no project.qde",
                )
            })
    }

    /// A path for messages: `study.qdpx/sources/x.txt`.
    pub(crate) fn shown(&self, inner: &str) -> PathBuf {
        self.path.join(inner)
    }
}

/// UTF-8 text without BOM.
pub(crate) fn utf8(path: &Path, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::invalid(
            SourcePos::file(path),
            format!(
                "not UTF-8 text (byte {}); REFI-QDA sources are UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Writes `imported` as the new project folder `into`, which must not exist (or be empty):
/// into a temporary folder next to it first, loaded and checked there, then renamed.
pub fn write(into: &Path, imported: &Imported) -> Result<()> {
    if into.exists() {
        let empty = into.is_dir()
            && std::fs::read_dir(into)
                .map_err(|e| Error::io(into, "cannot read", e))?
                .next()
                .is_none();
        if !empty {
            return Err(Error::Usage(format!(
                "{} exists and is not empty: import into a new folder; nothing was written",
                into.display()
            )));
        }
    }
    let parent = match into.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::Usage(format!(
            "{} does not exist: create it first; nothing was written",
            parent.display()
        )));
    }
    let temp = tempfile::Builder::new()
        .prefix(".normcode-import-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, "cannot create a temporary folder in", e))?;
    for (relative, bytes) in &imported.files {
        let path = temp.path().join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create", e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, "cannot write", e))?;
    }
    // What was written must load as a project, every annotation placed.
    let project = crate::project::Project::open(temp.path())?;
    let coders = project.load_coders(None)?;
    let orphaned: usize = coders.iter().map(|c| c.anchors.orphaned.len()).sum();
    if orphaned > 0 {
        return Err(Error::Usage(format!(
            "{orphaned} imported annotations do not anchor in their documents; please report \
             this; nothing was written"
        )));
    }
    if into.exists() {
        std::fs::remove_dir(into).map_err(|e| Error::io(into, "cannot replace", e))?;
    }
    let kept = temp.keep();
    std::fs::rename(&kept, into).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        Error::io(into, "cannot move the imported project to", e)
    })?;
    Ok(())
}
