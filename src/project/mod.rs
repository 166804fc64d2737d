//! A project on disk: where its parts are, loading them, and creating a new one; changing its
//! codebook with every coder file following ([`revise`]).

mod check;
pub mod migrate;
pub mod revise;

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicUsize;

use serde::Deserialize;

pub use check::{CheckReport, MissingValue, check, missing_report_values};
pub use migrate::Migrated;

use crate::annotations::{self, AnchorReport, CoderFile, DiskVersion};
use crate::codebook::{Codebook, DEFAULT_CODEBOOK};
use crate::corpus::{Corpus, Segmentation};
use crate::error::{Error, Result, SourcePos};
use crate::yaml;

pub const SETTINGS_FILE: &str = "normcode.yaml";
pub const CODEBOOK_FILE: &str = "codebook.yaml";
pub const ANNOTATIONS_DIR: &str = "annotations";

/// `normcode.yaml`: optional; every setting has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default = "default_documents")]
    pub documents: PathBuf,
    #[serde(default)]
    pub segmentation: Segmentation,
    /// Whether the workspace offers the recommender's suggestions (`suggestions: false` for
    /// blind reliability coding: suggestions can anchor a coder).
    #[serde(default = "yes")]
    pub suggestions: bool,
}

fn yes() -> bool {
    true
}

fn default_documents() -> PathBuf {
    PathBuf::from("documents")
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            documents: default_documents(),
            segmentation: Segmentation::default(),
            suggestions: true,
        }
    }
}

/// A loaded project: codebook and corpus. Coder files are loaded on demand.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub settings: Settings,
    pub codebook: Codebook,
    pub corpus: Corpus,
}

/// A coder file loaded and anchored in the corpus.
#[derive(Debug, Clone)]
pub struct LoadedCoder {
    pub name: String,
    pub path: PathBuf,
    pub file: CoderFile,
    pub anchors: AnchorReport,
    /// What the file on disk held when it was read (or last written by this process).
    pub disk: DiskVersion,
    /// The file was written under an older codebook and read as this one
    /// ([`Project::load_coder`]); the file on disk is as it was.
    pub migrated: Option<Migrated>,
}

impl LoadedCoder {
    /// For a file read as a newer codebook than it was written under: "annotations/bob.yaml
    /// was written under codebook 1.2; read as 1.4 (rename TH02 → TH09 (1.3)); the file is left
    /// as it is". What the commands that only read say on standard error.
    pub fn read_as(&self) -> Option<String> {
        let migrated = self.migrated.as_ref()?;
        let mut text = format!(
            "{ANNOTATIONS_DIR}/{}.yaml was written under codebook {}; read as {}",
            self.name, migrated.from, migrated.to
        );
        if migrated.recoded > 0 {
            text.push_str(&format!(
                " ({} annotation{} recoded: {})",
                migrated.recoded,
                if migrated.recoded == 1 { "" } else { "s" },
                migrated.replayed.join("; ")
            ));
        } else {
            text.push_str(" (no code changed)");
        }
        text.push_str(&format!(
            "; the file is left as it is until {}'s next `normcode sync`",
            self.name
        ));
        Some(text)
    }
}

fn is_project(dir: &Path) -> bool {
    dir.join(CODEBOOK_FILE).is_file() || dir.join(SETTINGS_FILE).is_file()
}

/// The folder itself if it is a project, else the nearest parent that is.
pub fn discover(start: &Path) -> Result<PathBuf> {
    let start = start
        .canonicalize()
        .map_err(|e| Error::io(start, "cannot open", e))?;
    start
        .ancestors()
        .find(|dir| is_project(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Error::Usage(format!(
                "no normcode project in {} or any parent folder (a project holds {CODEBOOK_FILE}); \
                 create one with `normcode init DIR` or pass --project DIR",
                start.display()
            ))
        })
}

/// A path from a project file must stay inside the project: relative, without `..`.
fn inside_project(path: &Path, settings_file: &Path) -> Result<()> {
    let escapes = path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if escapes {
        return Err(Error::invalid(
            SourcePos::file(settings_file),
            format!(
                "documents folder '{}' must be a relative path inside the project",
                path.display()
            ),
        ));
    }
    Ok(())
}

impl Project {
    /// Loads the project at `root` (which must be a project folder).
    pub fn open(root: &Path) -> Result<Self> {
        Self::open_counting(root, &AtomicUsize::new(0))
    }

    /// [`Project::open`], adding one to `documents_read` as each document file is read.
    pub fn open_counting(root: &Path, documents_read: &AtomicUsize) -> Result<Self> {
        let (settings, codebook) = Self::read_settings_and_codebook(root)?;
        let documents = root.join(&settings.documents);
        let corpus = if documents.is_dir() {
            Corpus::load_counting(&documents, root, settings.segmentation, documents_read)?
        } else {
            Corpus::default()
        };
        Ok(Self {
            root: root.to_path_buf(),
            settings,
            codebook,
            corpus,
        })
    }

    /// The project's settings and codebook, read and checked.
    pub fn read_settings_and_codebook(root: &Path) -> Result<(Settings, Codebook)> {
        let settings_path = root.join(SETTINGS_FILE);
        let settings = if settings_path.is_file() {
            let text = std::fs::read_to_string(&settings_path)
                .map_err(|e| Error::io(&settings_path, "cannot read", e))?;
            if text.trim().is_empty() {
                Settings::default()
            } else {
                yaml::parse(Path::new(SETTINGS_FILE), &text, 0)?
            }
        } else {
            Settings::default()
        };
        inside_project(&settings.documents, Path::new(SETTINGS_FILE))?;
        let codebook_path = root.join(CODEBOOK_FILE);
        let codebook_text = std::fs::read_to_string(&codebook_path)
            .map_err(|e| Error::io(&codebook_path, "cannot read", e))?;
        let codebook = Codebook::parse(Path::new(CODEBOOK_FILE), &codebook_text)?;
        Ok((settings, codebook))
    }

    /// Finds the project from `start` (see [`discover`]) and loads it.
    pub fn discover_and_open(start: &Path) -> Result<Self> {
        Self::open(&discover(start)?)
    }

    pub fn annotations_dir(&self) -> PathBuf {
        self.root.join(ANNOTATIONS_DIR)
    }

    pub fn documents_dir(&self) -> PathBuf {
        self.root.join(&self.settings.documents)
    }

    /// `annotations/CODER.yaml`, for a name that is safe as a file name.
    pub fn coder_path(&self, coder: &str) -> Result<PathBuf> {
        annotations::CoderName::parse(coder)?;
        Ok(self.annotations_dir().join(format!("{coder}.yaml")))
    }

    /// The coders with a file in `annotations/`, sorted.
    pub fn coder_names(&self) -> Result<Vec<String>> {
        coder_names(&self.root)
    }

    /// Loads and anchors one coder's file; a coder without a file gets an empty one.
    ///
    /// A file written under an older codebook is read as this one, through the codebook's
    /// history ([`migrate::migrate`], in memory only: [`LoadedCoder::migrated`] says what
    /// changed); a file written under a newer codebook is an error that says to pull first.
    pub fn load_coder(&self, coder: &str) -> Result<LoadedCoder> {
        let mut loaded = self.load_coder_as_written(coder)?;
        let shown = Path::new(ANNOTATIONS_DIR).join(format!("{coder}.yaml"));
        loaded.migrated = migrate::migrate(&mut loaded.file, &self.codebook, &shown)?;
        Ok(loaded)
    }

    /// [`Project::load_coder`] without the migration: the codes as the file has them (the
    /// workspace migrates its coder's file itself, and says so in its own way).
    pub fn load_coder_as_written(&self, coder: &str) -> Result<LoadedCoder> {
        let path = self.coder_path(coder)?;
        let (disk, file) = self.read_coder_on_disk(coder)?;
        let mut file =
            file.unwrap_or_else(|| CoderFile::new(coder, Some(self.codebook.version.clone())));
        let anchors = annotations::anchor_all(&mut file, &self.corpus);
        Ok(LoadedCoder {
            name: coder.to_string(),
            path,
            file,
            anchors,
            disk,
            migrated: None,
        })
    }

    /// The coder's file as it is on disk now, read and checked but not anchored, with its
    /// version (`None` and [`DiskVersion::MISSING`] when there is no file).
    pub fn read_coder_on_disk(&self, coder: &str) -> Result<(DiskVersion, Option<CoderFile>)> {
        let path = self.coder_path(coder)?;
        let shown = Path::new(ANNOTATIONS_DIR).join(format!("{coder}.yaml"));
        let (disk, bytes) = DiskVersion::read(&path)?;
        let Some(bytes) = bytes else {
            return Ok((disk, None));
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::invalid(
                SourcePos::file(&shown),
                format!(
                    "is not UTF-8 text (a byte that is not UTF-8 at byte {}); save it as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        if text.trim().is_empty() {
            // An empty file (made by hand, or by `touch`): a coder who coded nothing yet.
            return Ok((disk, None));
        }
        let file = annotations::parse_coder_file(&shown, &text)?;
        file.check_header(&shown, coder)?;
        Ok((disk, Some(file)))
    }

    /// Loads every coder file of the project (or those named), each anchored and read as this
    /// codebook ([`Project::load_coder`]).
    pub fn load_coders(&self, only: Option<&[String]>) -> Result<Vec<LoadedCoder>> {
        let names = match only {
            Some(names) => names.to_vec(),
            None => self.coder_names()?,
        };
        names.iter().map(|name| self.load_coder(name)).collect()
    }

    /// Writes a coder file in its stable order, atomically.
    pub fn save_coder(&self, coder: &mut LoadedCoder) -> Result<()> {
        coder.file.normalize(&self.corpus);
        std::fs::create_dir_all(self.annotations_dir())
            .map_err(|e| Error::io(self.annotations_dir(), "cannot create", e))?;
        let text = annotations::coder_file_to_string(&coder.file)?;
        annotations::write_atomic(&coder.path, text.as_bytes())?;
        coder.disk = DiskVersion::of(text.as_bytes());
        Ok(())
    }
}

/// The coders with a file in `root/annotations/`, sorted (for callers that have not loaded the
/// project).
pub fn coder_names(root: &Path) -> Result<Vec<String>> {
    let dir = root.join(ANNOTATIONS_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, "cannot list", e))? {
        let path = entry.map_err(|e| Error::io(&dir, "cannot list", e))?.path();
        if path.extension().is_some_and(|e| e == "yaml")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            && annotations::valid_coder_name(stem)
        {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// A file in `annotations/` that looks like a coder file but is not read as one: coder files
/// are `NAME.yaml` exactly, with a valid coder name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredCoderFile {
    /// Its name in `annotations/`.
    pub name: String,
    /// The name it would be read under.
    pub rename_to: String,
}

impl IgnoredCoderFile {
    /// What `check` says of it: what is wrong and the command that fixes it.
    pub fn describe(&self) -> String {
        let from = shell_quoted(&format!("{ANNOTATIONS_DIR}/{}", self.name));
        let to = shell_quoted(&format!("{ANNOTATIONS_DIR}/{}", self.rename_to));
        format!(
            "{ANNOTATIONS_DIR}/{}: not read, so this coder is left out of agreement, exports and \
             reports (coder files are named NAME.yaml, NAME of letters, digits, '_', '-', '.'); \
             rename it: git mv {from} {to}",
            self.name
        )
    }
}

fn shell_quoted(path: &str) -> String {
    if path
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// The files of `root/annotations/` that look like coder files (`.yaml` or `.yml` in any case)
/// but are not read as one, sorted; hidden files (locks, temporaries) are not listed.
pub fn ignored_coder_files(root: &Path) -> Result<Vec<IgnoredCoderFile>> {
    let dir = root.join(ANNOTATIONS_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, "cannot list", e))? {
        let entry = entry.map_err(|e| Error::io(&dir, "cannot list", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Some((stem, extension)) = name.rsplit_once('.') else {
            continue;
        };
        if !matches!(extension.to_ascii_lowercase().as_str(), "yaml" | "yml") {
            continue;
        }
        if extension == "yaml" && annotations::valid_coder_name(stem) {
            continue;
        }
        let mut fixed: String = stem
            .trim()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fixed = fixed.trim_start_matches('.').to_string();
        while fixed.len() > 64 {
            fixed.pop();
        }
        if fixed.is_empty() {
            fixed = "coder".to_string();
        }
        ignored.push(IgnoredCoderFile {
            name,
            rename_to: format!("{fixed}.yaml"),
        });
    }
    ignored.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ignored)
}

/// Creates a new project in `dir`: the default codebook, an empty documents folder and an
/// empty annotations folder. Refuses to overwrite an existing project.
pub fn init(dir: &Path) -> Result<()> {
    if is_project(dir) {
        return Err(Error::Usage(format!(
            "{} is already a normcode project; nothing was changed",
            dir.display()
        )));
    }
    for sub in [
        dir.to_path_buf(),
        dir.join("documents"),
        dir.join(ANNOTATIONS_DIR),
    ] {
        std::fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, "cannot create", e))?;
    }
    annotations::write_atomic(&dir.join(CODEBOOK_FILE), DEFAULT_CODEBOOK.as_bytes())?;
    Ok(())
}
