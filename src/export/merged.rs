//! `yaml`: every coder file in one YAML document, coder name → the file's content.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::annotations::CoderFile;
use crate::error::{Error, Result};
use crate::project::{LoadedCoder, Project};

/// Coder files in the order given, each in its stable (saved) order.
struct Merged(Vec<(String, CoderFile)>);

impl Serialize for Merged {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, file) in &self.0 {
            map.serialize_entry(name, file)?;
        }
        map.end()
    }
}

/// The merged YAML. Annotations are as anchored on load (moved ones at their new place), in
/// the order coder files are saved in.
pub fn to_yaml(project: &Project, coders: &[LoadedCoder]) -> Result<String> {
    let merged = Merged(
        coders
            .iter()
            .map(|coder| {
                let mut file = coder.file.clone();
                file.normalize(&project.corpus);
                (coder.name.clone(), file)
            })
            .collect(),
    );
    let body = serde_saphyr::to_string(&merged)
        .map_err(|e| Error::Usage(format!("cannot write YAML: {e}")))?;
    Ok(format!(
        "# normcode export: the coder files of {}, coder name -> file\n{body}",
        project_name(project)
    ))
}

/// The project folder's name, for titles.
pub(crate) fn project_name(project: &Project) -> String {
    let root = project
        .root
        .canonicalize()
        .unwrap_or_else(|_| project.root.clone());
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| project.codebook.name.clone())
}
