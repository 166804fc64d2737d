//! Where the parts of `codebook.yaml` that edits touch are in its text.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::text_edit::Src;
use crate::error::{Error, Result};
use crate::project::CODEBOOK_FILE;
use crate::yaml;

/// A byte range of the source.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) off: usize,
    pub(super) len: usize,
}

impl Span {
    fn of(location: &Location) -> Result<Self> {
        let span = location.span();
        match (span.byte_offset(), span.byte_len()) {
            (Some(off), Some(len)) => Ok(Self {
                off: off as usize,
                len: len as usize,
            }),
            _ => Err(Error::Usage(
                "the YAML parser gave no position for a codebook id".into(),
            )),
        }
    }

    pub(super) fn range(&self) -> Range<usize> {
        self.off..self.off + self.len
    }
}

#[derive(Deserialize)]
struct OutlineFile {
    version: Spanned<AnyScalar>,
    #[serde(default)]
    categories: Vec<OutlineCategory>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnyScalar {
    Text(#[allow(dead_code)] String),
    Integer(#[allow(dead_code)] i64),
    Float(#[allow(dead_code)] f64),
}

#[derive(Deserialize)]
struct OutlineCategory {
    id: Spanned<String>,
    #[serde(default)]
    indicators: Option<Spanned<Vec<OutlineIndicator>>>,
    #[serde(default)]
    categories: Vec<OutlineCategory>,
}

#[derive(Deserialize)]
struct OutlineIndicator {
    id: Spanned<String>,
    #[serde(default)]
    retired: Option<Spanned<bool>>,
}

/// Where the parts of the codebook that edits touch are in its text.
pub(super) struct Outline {
    pub(super) version: Span,
    pub(super) categories: Vec<CategoryPos>,
    pub(super) indicators: Vec<IndicatorPos>,
}

pub(super) struct CategoryPos {
    pub(super) id: String,
    pub(super) id_span: Span,
    /// The `indicators:` value: its first `-`, or `[`.
    pub(super) list: Option<Span>,
    pub(super) indicators: Vec<usize>,
}

pub(super) struct IndicatorPos {
    pub(super) name: String,
    pub(super) id: Span,
    pub(super) retired: Option<Span>,
    pub(super) category: usize,
}

impl Outline {
    pub(super) fn parse(text: &str) -> Result<Self> {
        let file: OutlineFile = yaml::parse(Path::new(CODEBOOK_FILE), text, 0)?;
        let mut outline = Outline {
            version: Span::of(&file.version.referenced)?,
            categories: Vec::new(),
            indicators: Vec::new(),
        };
        for c in &file.categories {
            outline.add(c)?;
        }
        Ok(outline)
    }

    fn add(&mut self, c: &OutlineCategory) -> Result<()> {
        let position = self.categories.len();
        let mut list = None;
        let mut indicators = Vec::new();
        if let Some(items) = &c.indicators {
            list = Some(Span::of(&items.referenced)?);
            for i in &items.value {
                indicators.push(self.indicators.len());
                self.indicators.push(IndicatorPos {
                    name: i.id.value.clone(),
                    id: Span::of(&i.id.referenced)?,
                    retired: i
                        .retired
                        .as_ref()
                        .map(|r| Span::of(&r.referenced))
                        .transpose()?,
                    category: position,
                });
            }
        }
        self.categories.push(CategoryPos {
            id: c.id.value.clone(),
            id_span: Span::of(&c.id.referenced)?,
            list,
            indicators,
        });
        for child in &c.categories {
            self.add(child)?;
        }
        Ok(())
    }

    pub(super) fn indicator(&self, id: &str) -> Result<&IndicatorPos> {
        self.indicators
            .iter()
            .find(|i| i.name == id)
            .ok_or_else(|| Error::Usage(format!("there is no indicator '{id}' in the codebook")))
    }
}

/// Line and column (1-based) of indicator `id`'s id in the codebook text.
pub fn locate_indicator(codebook_text: &str, id: &str) -> Option<(u64, u64)> {
    let outline = Outline::parse(codebook_text).ok()?;
    let at = outline.indicator(id).ok()?.id.off;
    let src = Src::new(codebook_text);
    let line = src.line_of(at);
    let column = codebook_text[src.start(line)..at].chars().count() + 1;
    Some((line as u64 + 1, column as u64))
}
