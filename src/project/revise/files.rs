//! What planning reads: the codebook's text and every coder file of a project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Journal, pending_migration};
use crate::annotations::{self, CoderFile};
use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::project::{ANNOTATIONS_DIR, CODEBOOK_FILE, coder_names};

/// A coder file as read from disk.
#[derive(Debug, Clone)]
pub struct CoderSource {
    pub name: String,
    pub text: String,
    pub file: CoderFile,
}

/// What planning works on: the codebook's text, every coder file, and an unfinished journal.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    pub codebook_text: String,
    /// Every `annotations/CODER.yaml`, by coder name.
    pub coders: Vec<CoderSource>,
    pub journal: Option<Journal>,
}

impl ProjectFiles {
    /// Reads `codebook.yaml`, `annotations/*.yaml` and the journal of the project at `root`.
    pub fn read(root: &Path) -> Result<Self> {
        let codebook_path = root.join(CODEBOOK_FILE);
        let codebook_text = read_text(&codebook_path)?;
        let mut coders = Vec::new();
        for name in coder_names(root)? {
            let path = root.join(ANNOTATIONS_DIR).join(format!("{name}.yaml"));
            let shown = shown_coder_path(&name);
            let text = read_text(&path)?;
            let file = annotations::parse_coder_file(&shown, &text)?;
            file.check_header(&shown, &name)?;
            coders.push(CoderSource { name, text, file });
        }
        Ok(Self {
            codebook_text,
            coders,
            journal: pending_migration(root)?,
        })
    }

    /// The codebook, parsed and checked.
    pub fn codebook(&self) -> Result<Codebook> {
        Codebook::parse(Path::new(CODEBOOK_FILE), &self.codebook_text)
    }

    /// How many annotations of each coder use each code: coder → code → count.
    pub fn code_counts(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        self.coders
            .iter()
            .map(|c| {
                let mut counts = BTreeMap::new();
                for coding in c.file.documents.values() {
                    for a in &coding.annotations {
                        for code in &a.codes {
                            *counts.entry(code.to_string()).or_insert(0) += 1;
                        }
                    }
                }
                (c.name.clone(), counts)
            })
            .collect()
    }
}

pub(super) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))
}

pub(super) fn shown_coder_path(coder: &str) -> PathBuf {
    Path::new(ANNOTATIONS_DIR).join(format!("{coder}.yaml"))
}
