//! The documents a variable change touches: reading their front matter, and rewriting one
//! key's value in place (the rest of the file, its body above all, byte for byte as it was).

use std::path::{Path, PathBuf};

use super::DocumentChange;
use super::files::read_text;
use super::render::json_quote;
use crate::corpus::{Corpus, DocumentId, MetaValue, Metadata, Segmentation};
use crate::error::{Error, Result};
use crate::project::Project;

/// A document of the project as read for planning: where it is and its front matter.
#[derive(Debug, Clone)]
pub struct DocumentSource {
    /// The file, relative to the project.
    pub path: PathBuf,
    pub id: DocumentId,
    pub metadata: Metadata,
}

/// Every document of the project at `root` (what `normcode check` reads), with its metadata.
pub fn read_documents(root: &Path) -> Result<Vec<DocumentSource>> {
    let (settings, _) = Project::read_settings_and_codebook(root)?;
    let folder = root.join(&settings.documents);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    // Units are not needed here: the cheapest segmentation will do.
    let corpus = Corpus::load(&folder, root, Segmentation::default())?;
    Ok(corpus
        .documents
        .into_iter()
        .map(|d| DocumentSource {
            path: d.path,
            id: d.id,
            metadata: d.metadata,
        })
        .collect())
}

/// The documents whose `key` is `value`.
pub(super) fn using<'a>(
    documents: &'a [DocumentSource],
    key: &str,
    value: &str,
) -> Vec<&'a DocumentSource> {
    documents
        .iter()
        .filter(|d| d.metadata.text(key).as_deref() == Some(value))
        .collect()
}

/// `value` as front matter writes it: plain where that reads back as the same text, else in
/// double quotes.
fn front_matter_scalar(value: &str) -> String {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let plain = value.starts_with(char::is_alphabetic)
        && !reserved.iter().any(|w| w.eq_ignore_ascii_case(value))
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | '(' | ')'))
        && !value.ends_with(' ');
    if plain {
        value.to_string()
    } else {
        json_quote(value)
    }
}

/// The change that sets `key: new` in `document`'s front matter, checked: the file read back
/// has `new` there, every other key as before, and the same body.
pub(super) fn set_value(
    root: &Path,
    document: &DocumentSource,
    key: &str,
    old: &str,
    new: &str,
) -> Result<DocumentChange> {
    let shown = document.path.display().to_string();
    let by_hand = |why: &str| {
        Error::Usage(format!(
            "{shown}: cannot change its `{key}` in place ({why}); nothing was changed: edit that \
             line of its front matter by hand, then run the command again"
        ))
    };
    let before = read_text(&root.join(&document.path))?;
    let line = *document
        .metadata
        .lines
        .get(key)
        .ok_or_else(|| by_hand("its line was not found"))?;
    let lines: Vec<&str> = before.split_inclusive('\n').collect();
    let index = (line as usize)
        .checked_sub(1)
        .filter(|&i| i < lines.len())
        .ok_or_else(|| by_hand("its line was not found"))?;
    let target = lines[index];
    if !target.starts_with(&format!("{key}:")) {
        return Err(by_hand("its line does not start with the key"));
    }
    if lines
        .get(index + 1)
        .is_some_and(|next| next.starts_with([' ', '\t']) && !next.trim().is_empty())
    {
        return Err(by_hand("the value goes on over several lines"));
    }
    let ending = &target[target.trim_end_matches(['\n', '\r']).len()..];
    let mut text = String::with_capacity(before.len() + new.len());
    for (i, l) in lines.iter().enumerate() {
        if i == index {
            text.push_str(&format!("{key}: {}{ending}", front_matter_scalar(new)));
        } else {
            text.push_str(l);
        }
    }
    // Read back as the corpus reads it.
    let old_doc = crate::corpus::Document::parse(
        document.id.clone(),
        &document.path,
        &before,
        Segmentation::default(),
    )?;
    let new_doc = crate::corpus::Document::parse(
        document.id.clone(),
        &document.path,
        &text,
        Segmentation::default(),
    )
    .map_err(|_| by_hand("the rewritten front matter would not read back"))?;
    let mut expected = old_doc.metadata.values.clone();
    expected.insert(key.to_string(), MetaValue::Text(new.to_string()));
    let mut actual = new_doc.metadata.values.clone();
    if let Some(v) = actual.get_mut(key) {
        // A value such as `2021` reads back as a number: compare as text.
        *v = MetaValue::Text(v.to_string());
    }
    if actual != expected || new_doc.body != old_doc.body {
        return Err(by_hand(
            "the rewritten front matter did not read back as intended",
        ));
    }
    Ok(DocumentChange {
        path: document.path.clone(),
        what: format!("{key} '{old}' → '{new}'"),
        text,
        before,
    })
}
