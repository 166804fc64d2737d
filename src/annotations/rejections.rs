//! The suggestions a coder rejected, `annotations/rejections/CODER.yaml`: never offered again
//! for that unit, and negative examples for the recommender. Sorted and one unit a line, so
//! that `git diff` and merges stay small:
//!
//! ```yaml
//! schema: 1
//! coder: alice
//! rejected:
//!   un/gge-2015:
//!     '13': [TH02, VU01]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};

use crate::corpus::{DocumentId, IndicatorId, UnitId};
use crate::error::{Error, Result, SourcePos};
use crate::yaml;

use super::{CoderName, DiskVersion, SCHEMA_VERSION, write_atomic};

/// The folder of rejections files, inside `annotations/`.
pub const REJECTIONS_DIR: &str = "rejections";

/// What the recommender reads: the indicators rejected on each (document, unit).
pub type Rejected = BTreeMap<(DocumentId, UnitId), BTreeSet<IndicatorId>>;

/// The content of a rejections file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejections {
    pub schema: u32,
    pub coder: String,
    #[serde(default, serialize_with = "flow_sets")]
    pub rejected: BTreeMap<DocumentId, BTreeMap<UnitId, BTreeSet<IndicatorId>>>,
}

fn flow_sets<S: Serializer>(
    rejected: &BTreeMap<DocumentId, BTreeMap<UnitId, BTreeSet<IndicatorId>>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let flow: BTreeMap<&DocumentId, BTreeMap<&UnitId, serde_saphyr::FlowSeq<Vec<&IndicatorId>>>> =
        rejected
            .iter()
            .map(|(document, units)| {
                let units = units
                    .iter()
                    .filter(|(_, codes)| !codes.is_empty())
                    .map(|(unit, codes)| (unit, serde_saphyr::FlowSeq(codes.iter().collect())))
                    .collect();
                (document, units)
            })
            .filter(|(_, units): &(_, BTreeMap<_, _>)| !units.is_empty())
            .collect();
    flow.serialize(s)
}

impl Rejections {
    pub fn new(coder: &str) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            coder: coder.to_string(),
            rejected: BTreeMap::new(),
        }
    }

    /// Whether `code` was rejected on `unit` of `document`.
    pub fn is_rejected(&self, document: &DocumentId, unit: &UnitId, code: &IndicatorId) -> bool {
        self.rejected
            .get(document)
            .and_then(|units| units.get(unit))
            .is_some_and(|codes| codes.contains(code))
    }

    /// The codes rejected on `unit` of `document`.
    pub fn on_unit(&self, document: &DocumentId, unit: &UnitId) -> BTreeSet<IndicatorId> {
        self.rejected
            .get(document)
            .and_then(|units| units.get(unit))
            .cloned()
            .unwrap_or_default()
    }

    /// Records a rejection; false if it was recorded already.
    pub fn reject(&mut self, document: &DocumentId, unit: &UnitId, code: &IndicatorId) -> bool {
        self.rejected
            .entry(document.clone())
            .or_default()
            .entry(unit.clone())
            .or_default()
            .insert(code.clone())
    }

    /// Takes a rejection back (undo); false if there was none.
    pub fn unreject(&mut self, document: &DocumentId, unit: &UnitId, code: &IndicatorId) -> bool {
        let Some(units) = self.rejected.get_mut(document) else {
            return false;
        };
        let Some(codes) = units.get_mut(unit) else {
            return false;
        };
        let removed = codes.remove(code);
        if codes.is_empty() {
            units.remove(unit);
        }
        if units.is_empty() {
            self.rejected.remove(document);
        }
        removed
    }

    /// Every rejection, keyed as the recommender reads them.
    pub fn flat(&self) -> Rejected {
        self.rejected
            .iter()
            .flat_map(|(document, units)| {
                units
                    .iter()
                    .map(move |(unit, codes)| ((document.clone(), unit.clone()), codes.clone()))
            })
            .collect()
    }

    pub fn count(&self) -> usize {
        self.rejected
            .values()
            .flat_map(|units| units.values())
            .map(BTreeSet::len)
            .sum()
    }

    pub fn to_yaml(&self) -> Result<String> {
        yaml::to_string(self)
    }
}

/// `annotations/rejections/CODER.yaml`.
pub fn path(annotations_dir: &Path, coder: &CoderName) -> PathBuf {
    annotations_dir
        .join(REJECTIONS_DIR)
        .join(format!("{coder}.yaml"))
}

/// The coder's rejections with the file's version (none yet: empty and
/// [`DiskVersion::MISSING`]); an error names the file, line and column.
pub fn load(annotations_dir: &Path, coder: &CoderName) -> Result<(Rejections, DiskVersion)> {
    let path = path(annotations_dir, coder);
    let shown = Path::new(crate::project::ANNOTATIONS_DIR)
        .join(REJECTIONS_DIR)
        .join(format!("{coder}.yaml"));
    let (version, bytes) = DiskVersion::read(&path)?;
    let Some(bytes) = bytes else {
        return Ok((Rejections::new(coder), version));
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(SourcePos::file(&shown), "is not UTF-8 text"))?;
    if text.trim().is_empty() {
        return Ok((Rejections::new(coder), version));
    }
    let rejections: Rejections = yaml::parse(&shown, &text, 0)?;
    if rejections.schema != SCHEMA_VERSION {
        return Err(Error::invalid(
            SourcePos::file(&shown),
            format!(
                "schema {} is not supported (this normcode reads schema {SCHEMA_VERSION})",
                rejections.schema
            ),
        ));
    }
    if rejections.coder != coder.as_str() {
        return Err(Error::invalid(
            SourcePos::file(&shown),
            format!(
                "the file says coder '{}', but its name says '{coder}'",
                rejections.coder
            ),
        ));
    }
    Ok((rejections, version))
}

/// Writes the rejections atomically (the folder is made if needed); returns the version
/// written.
pub fn save(
    annotations_dir: &Path,
    coder: &CoderName,
    rejections: &Rejections,
) -> Result<DiskVersion> {
    let path = path(annotations_dir, coder);
    let dir = annotations_dir.join(REJECTIONS_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create", e))?;
    let text = rejections.to_yaml()?;
    write_atomic(&path, text.as_bytes())?;
    Ok(DiskVersion::of(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_save_sorted_one_unit_a_line_and_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let coder = CoderName::parse("alice").unwrap();
        let (mut r, version) = load(dir.path(), &coder).unwrap();
        assert_eq!(version, DiskVersion::MISSING);
        let (d, u) = (DocumentId::new("un/gge-2015"), UnitId::new("13"));
        assert!(r.reject(&d, &u, &IndicatorId::new("VU01")));
        assert!(r.reject(&d, &u, &IndicatorId::new("TH02")));
        assert!(!r.reject(&d, &u, &IndicatorId::new("TH02")));
        r.reject(
            &DocumentId::new("a"),
            &UnitId::new("p1"),
            &IndicatorId::new("X"),
        );
        save(dir.path(), &coder, &r).unwrap();
        let text = std::fs::read_to_string(path(dir.path(), &coder)).unwrap();
        assert_eq!(
            text,
            "schema: 1\ncoder: alice\nrejected:\n  a:\n    p1: [X]\n  un/gge-2015:\n    \"13\": [TH02, VU01]\n"
        );
        let (back, _) = load(dir.path(), &coder).unwrap();
        assert_eq!(back, r);
        assert!(back.is_rejected(&d, &u, &IndicatorId::new("VU01")));
        assert_eq!(back.flat().len(), 2);
        assert!(r.unreject(&d, &u, &IndicatorId::new("VU01")));
        assert!(r.unreject(&d, &u, &IndicatorId::new("TH02")));
        assert!(!r.rejected.contains_key(&d));
    }

    #[test]
    fn a_broken_rejections_file_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let coder = CoderName::parse("bob").unwrap();
        std::fs::create_dir_all(dir.path().join(REJECTIONS_DIR)).unwrap();
        std::fs::write(
            path(dir.path(), &coder),
            "schema: 1\ncoder: bob\nrejected:\n  d:\n    p1: [A, \n",
        )
        .unwrap();
        let err = load(dir.path(), &coder).unwrap_err().to_string();
        assert!(err.contains("rejections/bob.yaml"), "{err}");
        assert!(
            err.contains(":5") || err.contains("line 5") || err.contains(":6"),
            "{err}"
        );
    }
}
