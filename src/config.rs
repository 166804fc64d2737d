//! The user's configuration: `config.yaml` in the platform's config folder. Read by the CLI
//! (the default coder) and the workspace (language, keys; see `tui::keymap`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Result;

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
    /// `--no-suggestions`: the workspace shows no suggestions (not read from the file).
    #[serde(skip)]
    pub no_suggestions: bool,
}

/// The platform's folders for normcode (config, data).
pub(crate) fn dirs() -> Option<directories::ProjectDirs> {
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
}
