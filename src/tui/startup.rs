//! Opening the workspace without making the coder wait for a large project to load.
//!
//! Reading ten thousand documents and a coder file of a hundred thousand annotations takes a
//! good part of a second. The workspace shows at once the one document the coder will see
//! first (where they left off, else the first document), read alone with the coder's codes
//! on it: a preview, built as the loaded workspace is but from that document only. The whole
//! project loads meanwhile on another thread; keys pressed before it is ready are kept and
//! applied, in order, to the loaded workspace, which then takes the preview's place.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::thread::JoinHandle;

use crate::annotations::{self, CoderFile, anchor_all};
use crate::corpus::{Corpus, DocumentId, UnitId};
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

use super::App;
use super::keymap::Keymap;

/// What a preview shows of the load under way.
#[derive(Debug, Clone)]
pub struct Loading {
    /// Document files found in the project.
    pub documents: usize,
    /// How many of them the loader has read.
    pub read: Arc<AtomicUsize>,
}

/// The workspace as it will open, from the one document it shows first, with the coder's
/// codes on it. A coder file in the layout normcode writes is read only where that document
/// is; one written by hand is read whole. `None` when the coder file cannot be read: the
/// loader reports why.
///
/// `position` is where the coder left off ([`super::config::saved_position`]); `read` is the
/// counter the [`Loader`] advances, shown in the status bar.
pub fn preview(
    root: &Path,
    coder: &str,
    keymap: Keymap,
    position: Option<(DocumentId, UnitId)>,
    read: Arc<AtomicUsize>,
) -> Result<Option<App>> {
    let (settings, codebook) = Project::read_settings_and_codebook(root)?;
    let folder = root.join(&settings.documents);
    let (document, documents) = if folder.is_dir() {
        let wanted = position.as_ref().map(|(document, _)| document);
        Corpus::load_one(&folder, root, settings.segmentation, wanted)?
    } else {
        (None, 0)
    };
    let project = Project {
        root: root.to_path_buf(),
        settings,
        codebook,
        corpus: Corpus::from_documents(document.into_iter().collect(), Vec::new()),
    };
    let path = project.coder_path(coder)?;
    let mut file = CoderFile::new(coder, Some(project.codebook.version.clone()));
    let mut disk = annotations::DiskVersion::MISSING;
    if let Some(document) = project.corpus.documents.first()
        && path.exists()
    {
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
        disk = annotations::DiskVersion::of(text.as_bytes());
        let coding = match annotations::read_document_of(&text, &document.id) {
            Some(coding) => coding.map(Arc::new),
            // Not in normcode's layout (written by hand): read whole, as the loader will.
            None => match annotations::parse_coder_file(&path, &text) {
                Ok(mut whole) => whole.documents.remove(&document.id),
                // The loader reports it.
                Err(_) => return Ok(None),
            },
        };
        if let Some(coding) = coding {
            file.documents.insert(document.id.clone(), coding);
        }
        // As every reader of a coder file sees it (repeats merged, memo line ends).
        file.tidy();
    }
    let anchors = anchor_all(&mut file, &project.corpus);
    let coder = LoadedCoder {
        name: coder.to_string(),
        path,
        file,
        anchors,
        disk,
        migrated: None,
    };
    let mut app = App::new(Arc::new(project), coder, keymap);
    // What could not be placed is told once the whole file is read.
    app.message = None;
    // As the loaded workspace does: the unit only in the document it was in.
    if let Some((wanted, unit)) = position
        && let Some(document) = app.document()
        && document.id == wanted
    {
        let unit = document.unit_position(&unit).unwrap_or(0);
        app.open_document(0, unit);
    }
    app.loading = Some(Loading { documents, read });
    Ok(Some(app))
}

/// The whole project and the coder's file, loaded on another thread.
pub struct Loader {
    handle: JoinHandle<Result<(Project, LoadedCoder)>>,
}

impl Loader {
    /// Starts loading; `read` counts the document files read; `waker` hears when it is done.
    pub fn start(
        root: PathBuf,
        coder: String,
        read: Arc<AtomicUsize>,
        waker: super::event::Waker,
    ) -> Self {
        let handle = std::thread::Builder::new()
            .name("normcode-load".into())
            .spawn(move || {
                let loaded = (|| {
                    let project = Project::open_counting(&root, &read)?;
                    let coder = project.load_coder_as_written(&coder)?;
                    Ok((project, coder))
                })();
                super::event::wake(&waker, super::event::Event::Loaded);
                loaded
            })
            .expect("the OS lets a process start a thread");
        Self { handle }
    }

    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Waits for the load; its error, or its panic (on this thread, where the panic hook
    /// restores the terminal).
    pub fn finish(self) -> Result<(Project, LoadedCoder)> {
        self.handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}
