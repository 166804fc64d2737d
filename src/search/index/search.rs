//! Running a query on the index, and checking one without it.

use std::borrow::Cow;

use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;

use crate::corpus::{CodePointRange, DocumentId, UnitId};
use crate::error::{Error, Result};
use crate::search::grams::CommonGrams;
use crate::search::query::{self, Highlighter, ParseMode};
use crate::search::schema::Fields;
use crate::search::snippet::Snippet;

use super::{Hit, SearchIndex, SearchOptions, SearchResults, tantivy_error};

/// Code points of unit text a snippet shows.
const SNIPPET_CHARS: usize = 200;

impl SearchIndex {
    /// Searches; see [`SearchIndex::search_with_total`].
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Vec<Hit>> {
        Ok(self.search_with_total(query, options)?.hits)
    }

    /// The best `options.limit` units for `query`, and how many match in all. Ties are broken
    /// by document id and unit position. In lenient mode only I/O and a query beyond
    /// [`query::check_limits`] can fail; in strict mode a malformed query is an
    /// [`Error::Usage`] that says what is wrong.
    pub fn search_with_total(&self, query: &str, options: &SearchOptions) -> Result<SearchResults> {
        let text = if options.as_you_type {
            query::as_you_type(query)
        } else {
            Cow::Borrowed(query)
        };
        let parsed =
            query::parse(&text, options.mode, options.fuzzy).map_err(|m| bad_query(query, &m))?;
        self.follow_rebuild();
        let (searcher, fields, grams) = {
            let inner = self.read_inner();
            (
                inner.reader.searcher(),
                inner.fields.clone(),
                inner.grams.clone(),
            )
        };
        let compiled =
            query::compile(&parsed, &fields, &grams).map_err(|m| bad_query(query, &m))?;
        let dir = &self.dir;
        let (top, total) = if options.limit == 0 {
            (
                Vec::new(),
                searcher
                    .search(&*compiled, &Count)
                    .map_err(tantivy_error(dir, "cannot search the index"))?,
            )
        } else {
            searcher
                .search(
                    &*compiled,
                    &(TopDocs::with_limit(options.limit).order_by_score(), Count),
                )
                .map_err(tantivy_error(dir, "cannot search the index"))?
        };
        let highlighter = Highlighter::for_query(&parsed);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(tantivy_error(dir, "cannot read the search index"))?;
            let text_of = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let number =
                |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let text = text_of(fields.text);
            let unit_range = CodePointRange::new(number(fields.start), number(fields.end));
            let local = highlighter.matches(&text, 0);
            let snippet = Snippet::new(&text, &local, SNIPPET_CHARS);
            let matches = local
                .iter()
                .map(|m| CodePointRange::new(m.start + unit_range.start, m.end + unit_range.start))
                .collect();
            hits.push((
                number(fields.position),
                Hit {
                    document: DocumentId::new(text_of(fields.document)),
                    unit: UnitId::new(text_of(fields.unit)),
                    score,
                    unit_range,
                    text,
                    matches,
                    snippet,
                },
            ));
        }
        hits.sort_by(|(pa, a), (pb, b)| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.document.cmp(&b.document))
                .then(pa.cmp(pb))
        });
        Ok(SearchResults {
            hits: hits.into_iter().map(|(_, hit)| hit).collect(),
            total,
        })
    }
}

fn bad_query(query: &str, message: &str) -> Error {
    // A query pasted by mistake (a whole page, thousands of brackets) is not repeated in full.
    const SHOWN: usize = 40;
    let shown = match query.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &query[..end]),
        None => query.to_owned(),
    };
    Error::Usage(format!("bad query '{shown}': {message}"))
}

/// Checks a query the way a strict search does, without an index: the syntax, the field
/// names (from the codebook's variables) and the values.
pub fn check_query(codebook: &crate::codebook::Codebook, query: &str, fuzzy: bool) -> Result<()> {
    let parsed = query::parse(query, ParseMode::Strict, fuzzy).map_err(|m| bad_query(query, &m))?;
    // Grams change how a query is run, never whether it is valid.
    query::compile(
        &parsed,
        &Fields::for_codebook(codebook),
        &CommonGrams::default(),
    )
    .map_err(|m| bad_query(query, &m))?;
    Ok(())
}
