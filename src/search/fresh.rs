//! Knowing the index is current without loading the project: a digest of the file system
//! metadata of every file the index is built from, as git's index keeps (size, times, inode)
//! beside each file's content hash.
//!
//! A caller that builds or updates the index from the files on disk takes a
//! [`ProjectSnapshot`] *before* it reads the project, and records it with the commit it made
//! ([`super::SearchIndex::record_snapshot`]). The next search takes a snapshot again (one
//! `stat` per file, no reading, no parsing) and, when the digest and the commit are the same,
//! searches the index as it is: every file is as it was when the index was brought up to date
//! from it. Anything else (a changed, added or removed file, another commit, a snapshot that
//! could not be taken) goes the slow way, which loads the project and checks every hash.
//!
//! A file changed within the clock's resolution after its metadata was read can keep the
//! same size and times (git's "racy" case): a snapshot holding any entry changed less than
//! [`RACY_MARGIN`] before it was taken is never recorded.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::project::{ANNOTATIONS_DIR, CODEBOOK_FILE, SETTINGS_FILE, Settings};

/// Entries changed this close to (or after) the start of a snapshot make it unusable.
pub const RACY_MARGIN: Duration = Duration::from_secs(2);

/// The state of a project's files, as a digest of their metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSnapshot {
    /// BLAKE3 of every entry's path, kind, size, modification and change times and inode.
    pub digest: String,
    /// The documents folder the walk covered (from the settings file, whose metadata is in the
    /// digest).
    pub documents: PathBuf,
    /// Some entry changed too recently to be trusted (see the module documentation).
    #[serde(skip)]
    pub racy: bool,
}

struct Walk {
    hasher: blake3::Hasher,
    racy_after: SystemTime,
    racy: bool,
}

impl Walk {
    fn entry(&mut self, relative: &Path, metadata: Option<&Metadata>) {
        self.hasher.update(relative.as_os_str().as_encoded_bytes());
        self.hasher.update(&[0]);
        let Some(m) = metadata else {
            self.hasher.update(b"absent\n");
            return;
        };
        if m.is_dir() {
            // A folder's own times change with any entry, hidden ones (an editor's swap file)
            // included; its entries are listed anyway.
            self.hasher.update(b"folder\n");
            return;
        }
        for number in [
            m.len() as i64,
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec(),
            m.ino() as i64,
            m.dev() as i64,
        ] {
            self.hasher.update(&number.to_le_bytes());
        }
        self.hasher.update(b"\n");
        let changed = [m.modified().ok(), ctime(m)];
        if changed.into_iter().flatten().any(|t| t >= self.racy_after) {
            self.racy = true;
        }
    }
}

type Listing = Vec<(PathBuf, Metadata)>;

/// The entries of `dir`, sorted, without those whose name starts with `.` (the corpus skips
/// them). `None` when a symbolic link is met: where it leads is not followed here; the
/// documents folder is then listed by the corpus's own walk ([`linked_documents`]).
fn entries(dir: &Path) -> Option<Vec<(std::ffi::OsString, Metadata)>> {
    // `DirEntry::metadata` asks relative to the open folder (and does not follow links):
    // much cheaper than resolving each full path again.
    let mut entries: Vec<(std::ffi::OsString, Metadata)> = std::fs::read_dir(dir)
        .ok()?
        .filter(|entry| {
            entry.as_ref().map_or(true, |e| {
                !e.file_name().as_encoded_bytes().starts_with(b".")
            })
        })
        .map(|entry| entry.and_then(|e| Ok((e.file_name(), e.metadata()?))))
        .collect::<std::io::Result<_>>()
        .ok()?;
    if entries.iter().any(|(_, m)| m.file_type().is_symlink()) {
        return None;
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(entries)
}

/// Every entry under `relative`, each folder followed by its entries.
fn list(root: &Path, relative: &Path, out: &mut Listing) -> Option<()> {
    for (name, metadata) in entries(&root.join(relative))? {
        let path = relative.join(&name);
        let folder = metadata.is_dir();
        out.push((path.clone(), metadata));
        if folder {
            list(root, &path, out)?;
        }
    }
    Some(())
}

/// As [`list`], the sub-folders of `relative` listed on several threads (one `stat` per file
/// is most of a search that finds nothing changed).
fn list_in_parallel(root: &Path, relative: &Path) -> Option<Listing> {
    let top = entries(&root.join(relative))?;
    let folders: Vec<usize> = (0..top.len()).filter(|&i| top[i].1.is_dir()).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(folders.len().max(1));
    let mut below: Vec<Listing> = vec![Vec::new(); top.len()];
    let listed: Option<Vec<(usize, Listing)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let mine: Vec<usize> = folders
                    .iter()
                    .copied()
                    .skip(worker)
                    .step_by(threads)
                    .collect();
                let top = &top;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    for i in mine {
                        let mut out = Vec::new();
                        list(root, &relative.join(&top[i].0), &mut out)?;
                        done.push((i, out));
                    }
                    Some(done)
                })
            })
            .collect();
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.join().ok()??);
        }
        Some(all)
    });
    for (i, out) in listed? {
        below[i] = out;
    }
    let mut listing = Vec::new();
    for ((name, metadata), under) in top.into_iter().zip(below) {
        listing.push((relative.join(name), metadata));
        listing.extend(under);
    }
    Some(listing)
}

/// With symbolic links in the documents folder: the document files the corpus reads, found by
/// its own walk (links followed, each target once), each with its target's metadata.
fn linked_documents(root: &Path, folder: &Path) -> Option<Listing> {
    let (files, _) = crate::corpus::document_files(&root.join(folder), root).ok()?;
    files
        .into_iter()
        .map(|file| {
            let metadata = std::fs::metadata(&file).ok()?;
            Some((file.strip_prefix(root).ok()?.to_path_buf(), metadata))
        })
        .collect()
}

fn ctime(m: &Metadata) -> Option<SystemTime> {
    let seconds = u64::try_from(m.ctime()).ok()?;
    let nanos = u32::try_from(m.ctime_nsec()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
}

/// The documents folder the project's settings file names (the default without one); `None`
/// when the settings cannot be read (loading the project will say why).
fn documents_folder(root: &Path) -> Option<PathBuf> {
    let text = match std::fs::read_to_string(root.join(SETTINGS_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(_) => return None,
    };
    if text.trim().is_empty() {
        return Some(Settings::default().documents);
    }
    crate::yaml::parse::<Settings>(Path::new(SETTINGS_FILE), &text, 0)
        .ok()
        .map(|settings| settings.documents)
}

impl ProjectSnapshot {
    /// Takes a snapshot of the project at `root`, its documents folder read from its settings.
    pub fn of_project(root: &Path) -> Option<Self> {
        Self::take(root, &documents_folder(root)?)
    }

    /// Takes a snapshot of the project at `root`, whose documents are in `documents` (relative
    /// to the root). `None` when it cannot be taken (a symbolic link outside the documents
    /// folder, an unreadable folder).
    pub fn take(root: &Path, documents: &Path) -> Option<Self> {
        let started = SystemTime::now();
        let mut walk = Walk {
            hasher: blake3::Hasher::new(),
            racy_after: started.checked_sub(RACY_MARGIN)?,
            racy: false,
        };
        walk.hasher.update(documents.as_os_str().as_encoded_bytes());
        walk.hasher.update(&[0]);
        for file in [SETTINGS_FILE, CODEBOOK_FILE] {
            let metadata = std::fs::symlink_metadata(root.join(file)).ok();
            if metadata
                .as_ref()
                .is_some_and(|m| m.file_type().is_symlink())
            {
                return None;
            }
            walk.entry(Path::new(file), metadata.as_ref());
        }
        for (folder, recurse) in [(Path::new(ANNOTATIONS_DIR), false), (documents, true)] {
            match std::fs::symlink_metadata(root.join(folder)) {
                Ok(m) if m.is_dir() => {
                    walk.entry(folder, Some(&m));
                    let listing = if recurse {
                        match list_in_parallel(root, folder) {
                            Some(listing) => listing,
                            None => linked_documents(root, folder)?,
                        }
                    } else {
                        entries(&root.join(folder))?
                            .into_iter()
                            .map(|(name, metadata)| (folder.join(name), metadata))
                            .collect()
                    };
                    for (path, metadata) in &listing {
                        walk.entry(path, Some(metadata));
                    }
                }
                Ok(m) if m.file_type().is_symlink() => return None,
                Ok(m) => walk.entry(folder, Some(&m)),
                Err(_) => walk.entry(folder, None),
            }
        }
        Some(Self {
            digest: walk.hasher.finalize().to_hex().to_string(),
            documents: documents.to_path_buf(),
            racy: walk.racy,
        })
    }
}

/// A digest of the metadata of every entry in the documents folder `documents` (relative to
/// `root`): it changes when any document is added, removed or changed. `None` when it cannot
/// be taken.
pub fn documents_digest(root: &Path, documents: &Path) -> Option<String> {
    let mut hasher = blake3::Hasher::new();
    match std::fs::symlink_metadata(root.join(documents)) {
        Ok(m) if m.is_dir() => {
            for (path, m) in &list_in_parallel(root, documents)? {
                hasher.update(path.as_os_str().as_encoded_bytes());
                hasher.update(&[0]);
                hasher.update(&m.len().to_le_bytes());
                hasher.update(&m.mtime().to_le_bytes());
                hasher.update(&m.mtime_nsec().to_le_bytes());
                hasher.update(&m.ino().to_le_bytes());
            }
        }
        _ => return None,
    }
    Some(hasher.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn any_change_to_a_project_file_changes_the_digest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join(CODEBOOK_FILE), "name: t\n");
        write(&root.join("documents/a/one.md"), "one");
        write(&root.join("annotations/alice.yaml"), "x");
        let docs = Path::new("documents");
        let first = ProjectSnapshot::take(root, docs).unwrap();
        assert!(first.racy, "files written just now are never trusted");
        assert_eq!(ProjectSnapshot::take(root, docs).unwrap(), first);

        let changes: Vec<Box<dyn Fn()>> = vec![
            // Same size: the times (or inode) must tell.
            Box::new(|| write(&root.join("documents/a/one.md"), "eno")),
            Box::new(|| write(&root.join("documents/a/two.md"), "two")),
            Box::new(|| std::fs::remove_file(root.join("documents/a/two.md")).unwrap()),
            Box::new(|| write(&root.join("annotations/alice.yaml"), "y")),
            Box::new(|| write(&root.join("annotations/bob.yaml"), "")),
            Box::new(|| write(&root.join(SETTINGS_FILE), "")),
            Box::new(|| write(&root.join(CODEBOOK_FILE), "name: u\n")),
        ];
        let mut before = first;
        for change in changes {
            // The file system's clock may not have moved on since the last write.
            std::thread::sleep(Duration::from_millis(20));
            change();
            let after = ProjectSnapshot::take(root, docs).unwrap();
            assert_ne!(after.digest, before.digest);
            before = after;
        }
        // Hidden files are not part of the corpus.
        write(&root.join("documents/.notes.md"), "hidden");
        assert_eq!(
            ProjectSnapshot::take(root, docs).unwrap().digest,
            before.digest
        );
    }

    #[test]
    fn the_parallel_listing_is_the_sequential_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "d/a/1.md",
            "d/a/b/2.md",
            "d/c/3.md",
            "d/4.md",
            "d/e/f/g/5.md",
            "d/.h/6.md",
        ] {
            write(&root.join(path), path);
        }
        let mut sequential = Vec::new();
        list(root, Path::new("d"), &mut sequential).unwrap();
        let parallel = list_in_parallel(root, Path::new("d")).unwrap();
        let paths = |l: &Listing| l.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&parallel), paths(&sequential));
        assert_eq!(
            sequential.len(),
            11,
            "no hidden entries: {:?}",
            paths(&sequential)
        );
    }

    #[test]
    fn with_symbolic_links_the_corpus_walk_is_taken_and_a_loop_ends() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("documents/one.md"), "one");
        write(&root.join("more/two.md"), "two");
        std::os::unix::fs::symlink("..", root.join("documents/up")).unwrap();
        std::os::unix::fs::symlink("../more", root.join("documents/more")).unwrap();
        let take = || ProjectSnapshot::take(root, Path::new("documents")).unwrap();
        let before = take();
        assert_eq!(take().digest, before.digest);
        // A change behind a link changes the digest.
        write(&root.join("more/two.md"), "two, longer");
        assert_ne!(take().digest, before.digest);
    }
}
