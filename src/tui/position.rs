//! Where each coder left off in each project (in the platform's data folder), so the next
//! session opens there.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::annotations::write_atomic;
use crate::config::dirs;
use crate::corpus::{DocumentId, UnitId};
use crate::project::Project;

use super::App;

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
