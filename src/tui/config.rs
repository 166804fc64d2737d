//! The user's configuration (`config.yaml` in the platform's config folder) and where each
//! coder left off (in the platform's data folder).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::annotations::write_atomic;
use crate::corpus::{DocumentId, UnitId};
use crate::error::Result;
use crate::project::Project;

use super::App;
use super::keymap::Keymap;

/// `config.yaml`: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The coder name used when `--coder` is not given.
    #[serde(default)]
    pub coder: Option<String>,
    /// Display language for codebook labels (default: the codebook's first).
    #[serde(default)]
    pub language: Option<String>,
    /// Action name → keys, e.g. `next_uncoded: [x]`. Only the actions named change.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "normcode")
}

impl Config {
    pub fn path() -> Option<PathBuf> {
        dirs().map(|d| d.config_dir().join("config.yaml"))
    }

    /// Reads the config file; a missing file is the default config.
    pub fn load() -> Result<Self> {
        match Self::path() {
            Some(path) if path.is_file() => Self::load_from(&path),
            _ => Ok(Self::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| crate::error::Error::io(path, "cannot read", e))?;
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        crate::yaml::parse(path, &text, 0)
    }

    pub fn keymap(&self) -> (Keymap, Vec<String>) {
        Keymap::with_overrides(&self.keys)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Position {
    document: DocumentId,
    unit: UnitId,
}

fn position_path(root: &Path, coder: &str) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let key = blake3::hash(root.to_string_lossy().as_bytes()).to_hex();
    Some(
        dirs()?
            .data_local_dir()
            .join("positions")
            .join(format!("{}-{coder}.yaml", &key[..16])),
    )
}

/// Where `coder` left off in the project at `root`: a document and a unit in it.
pub fn saved_position(root: &Path, coder: &str) -> Option<(DocumentId, UnitId)> {
    let text = std::fs::read_to_string(position_path(root, coder)?).ok()?;
    let position: Position = crate::yaml::parse(Path::new(""), &text, 0).ok()?;
    Some((position.document, position.unit))
}

/// Where `coder` left off in `project`: (document, unit) positions.
pub fn load_position(project: &Project, coder: &str) -> Option<(usize, usize)> {
    let (document, unit) = saved_position(&project.root, coder)?;
    let doc = project.corpus.position(&document)?;
    let unit = project.corpus.documents[doc]
        .unit_position(&unit)
        .unwrap_or(0);
    Some((doc, unit))
}

/// Remembers where the coder is; failing to is not worth bothering the coder about.
pub fn save_position(project: &Project, coder: &str, app: &App) {
    let (Some(path), Some(document), Some(unit)) = (
        position_path(&project.root, coder),
        app.document(),
        app.current_unit(),
    ) else {
        return;
    };
    let position = Position {
        document: document.id.clone(),
        unit: unit.id.clone(),
    };
    if let (Some(dir), Ok(text)) = (path.parent(), crate::yaml::to_string(&position))
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = write_atomic(&path, text.as_bytes());
    }
}
