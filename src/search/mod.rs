//! Full-text search over a project's units, with tantivy.
//!
//! # The index
//!
//! One tantivy document per unit: its document id, unit id, position and range (code points
//! in the document body), its text, its document's variables (`title`, `publisher`, `year`,
//! `date`, `language`, `symbol`, `source`, and every variable the codebook declares), and what
//! the coders did on it: `code` (every code any coder applied), `coder` (who coded it),
//! `coded` (`coder:code` pairs, like `alice:vu01`) and `memo` (the annotation memos).
//!
//! The index lives in the platform's cache folder, never in the project:
//! `<cache>/normcode/indexes/<hash of the canonical project path>/` (on Linux `<cache>` is
//! `$XDG_CACHE_HOME` or `~/.cache`), see [`default_index_dir`]. [`OpenOptions::index_dir`]
//! puts it elsewhere (tests do). The folder holds [`META_FILE`] (the layout version and the
//! codebook variables it was built for), [`LOCK_FILE`], and tantivy's files in `tantivy/`.
//!
//! It is built on first use, and updated incrementally afterwards: documents whose file hash
//! (or segmentation) changed are reindexed, deleted ones removed, and documents whose
//! annotations changed reindexed. What the index holds (per document: the content hash and a
//! hash of its annotations) is stored as the payload of each tantivy commit, so it always
//! matches the index. A different [`SCHEMA_VERSION`] or different codebook variables rebuild
//! the index from scratch.
//!
//! One process writes at a time: a writer takes an OS lock on [`LOCK_FILE`] (released however
//! the process ends; it also guards rebuilds, which replace tantivy's folder), then tantivy's own
//! writer lock. A process that finds the lock taken waits up to [`OpenOptions::lock_wait`], then
//! searches the last commit as it is and says so in [`SyncReport::read_only`] (or, when there
//! is no index yet, fails with a message).
//!
//! # Text, Chinese and mixed
//!
//! [`tokenizer::CjkTokenizer`] makes each Han (or other CJK) character a token with sequential
//! positions, and each run of letters and digits a lower-cased, accent-folded word; punctuation
//! separates. A query word is tokenized the same way, and several tokens make a phrase query,
//! so any Chinese substring, unquoted or quoted, finds exactly the units that contain it:
//! `基础` and `础设` find `关键基础设施`, `设基` does not. The index stores CJK text as bigrams
//! (see [`tokenizer`]); on a large corpus, a build from scratch also picks the CJK phrases found
//! in many units and keeps them whole in a field of their own, so that searching for one needs
//! no position checks (see [`grams`]; the list is kept in [`META_FILE`]).
//!
//! # Queries
//!
//! Words (all required: AND is the default), `"phrases"`, `AND`, `OR`, `NOT`, `+word`,
//! `-word`, `(groups)`, prefixes `vulnerab*` and `"responsible report"*`, boosts `word^2`,
//! sloppy phrases `"a b"~2`, and fields: `title:`, `publisher:`, `language:`, `date:`,
//! `symbol:`, `source:`, `document:` (`doc:`), `unit:`, `text:` (`body:`), `code:`, `coder:`,
//! `coded:`, `memo:`, any codebook variable, `year:2015`, ranges `year:[2013 TO 2016]`
//! (`{}` for exclusive bounds, `*` for open ones), `field:IN [a b]`, and `field:*` (has a
//! value). Unfielded words search the text and the title (title matches weigh half).
//!
//! `code:VU01 coder:alice` side by side in a conjunction mean "units alice coded VU01": each
//! such code–coder pair must appear together (it is searched as `coded:alice:vu01`). With
//! several codes and coders, every coder must have applied every code. `code:` and `coder:`
//! under `OR` or negated keep their own meaning (any coder, any code).
//!
//! Fuzzy search ([`SearchOptions::fuzzy`]) lets single unquoted words match words one edit
//! away (words of 3 to 5 letters) or two (longer words); phrases, prefixes and CJK characters
//! stay exact. [`ParseMode::Lenient`] never fails: a half-typed query (`"vulner`, `code:`,
//! `year:[2013 TO`) searches what can be made of it. [`ParseMode::Strict`] returns
//! [`crate::Error::Usage`] with a message saying what is wrong.
//!
//! # API (for the TUI)
//!
//! ```no_run
//! use normcode::project::Project;
//! use normcode::search::{OpenOptions, SearchIndex, SearchOptions};
//!
//! # fn main() -> normcode::Result<()> {
//! let project = Project::open(std::path::Path::new("."))?;
//! let coders = project.load_coders(None)?;
//! // On a worker thread: build or update, reporting progress for a gauge.
//! let (index, report) = SearchIndex::open_with(&project, &coders, &OpenOptions::default(),
//!     &mut |p| eprintln!("{:?} {}/{}", p.stage, p.done, p.total))?;
//! if let Some(why) = &report.read_only { eprintln!("{why}"); }
//! // On every keystroke (cheap: one reader, reloaded on commit):
//! let options = SearchOptions { as_you_type: true, ..SearchOptions::default() };
//! for hit in index.search("关键 OR vulnerab", &options)? {
//!     // hit.document, hit.unit, hit.score, hit.unit_range, hit.matches (body code points),
//!     // hit.snippet.text with hit.snippet.highlights
//! }
//! // After each save of a coder file (cheap: only documents whose annotations changed):
//! index.update_annotations(&project, &coders)?;
//! # Ok(()) }
//! ```
//!
//! [`SearchIndex`] is `Send + Sync`: share it in an `Arc` between the UI and a worker. Its
//! methods take `&self`; writes are serialized inside the process and across processes.
//! [`Highlighter`] (also [`match_ranges`]) finds a query's words and phrases in any text, for
//! highlighting without the index.

mod build;
mod fresh;
pub mod grams;
mod index;
mod query;
mod schema;
mod snippet;
pub mod tokenizer;

pub use fresh::{ProjectSnapshot, documents_digest};
pub use index::{
    Hit, LOCK_FILE, META_FILE, OpenOptions, Progress, SearchIndex, SearchOptions, SearchResults,
    Stage, SyncReport, cache_dir, check_query, default_index_dir,
};
pub use query::{Highlighter, ParseMode, as_you_type};
pub use schema::SCHEMA_VERSION;
pub use snippet::Snippet;

use crate::corpus::CodePointRange;

/// Where `query`'s words and phrases occur in `text`, in code points plus `offset` (pass a
/// unit's start to get document body offsets). The query is read leniently.
pub fn match_ranges(query: &str, fuzzy: bool, text: &str, offset: usize) -> Vec<CodePointRange> {
    Highlighter::new(query, fuzzy).matches(text, offset)
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_index_can_be_shared_between_threads() {
        assert_send_sync::<super::SearchIndex>();
        assert_send_sync::<super::Hit>();
    }
}
