//! `normcode search`: full-text search over the project's units (the index is built or
//! updated first, with a progress bar on a terminal).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use crate::corpus::{CodePointRange, DocumentId, UnitId};

use crate::codebook::Codebook;
use crate::error::{Error, Result};
use crate::project::{CODEBOOK_FILE, Project};
use crate::search::{
    self, Hit, OpenOptions, ParseMode, Progress, ProjectSnapshot, SearchIndex, SearchOptions, Stage,
};

use super::TextOrJson;
use super::commands::project_root;
use super::out::note;

#[derive(Debug, Args)]
#[command(
    about = "Search the units of the project (words, phrases, Chinese, codes, coders, memos)",
    long_about = "Search the units of the project. The search index is kept in the cache \
        folder (see `normcode index`) and brought up to date before each search.\n\n\
        Query syntax:\n  \
        words            every word must occur (AND is the default): ict disclosure\n  \
        \"a phrase\"       the words in this order\n  \
        关键基础设施        Chinese (and any CJK) text matches as an exact substring, quoted or not\n  \
        vulnerab*        a prefix; \"responsible report\"* ends a phrase with a prefix\n  \
        a OR b, a AND b, NOT a, +a, -a, (groups)\n  \
        field:value      title, publisher, year, date, language, symbol, source, document, \
        unit, text, memo, code, coder, and the codebook's document variables\n  \
        year:[2013 TO 2016]   a range ({} for exclusive bounds, * for open ones)\n  \
        code:VU01 coder:alice   units alice coded VU01 (side by side, code and coder go \
        together)\n  \
        memo:attribution  words in the coders' memos\n  \
        field:*          units with any value in the field (memo:*, code:*)\n\n\
        Unfielded words search the unit's text and its document's title. --fuzzy lets single \
        words match near spellings. Offsets in --format json are Unicode code points in the \
        document body. A malformed query exits with status 2 and says what is wrong.",
    after_help = "Examples:\n  \
        normcode search \"responsible reporting\" vulnerab*\n  \
        normcode search 关键基础设施 --format json\n  \
        normcode search 'code:VU01 coder:alice disclosure'\n  \
        normcode search 'publisher:microsoft year:[2013 TO 2016] -cloud'"
)]
pub struct SearchArgs {
    /// The query (several arguments are joined with spaces). Quote it when it starts with
    /// `-`, or put `--` before it: normcode search -- -cloud security
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Show at most this many hits, the best first.
    #[arg(long, short = 'n', default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t)]
    pub format: TextOrJson,
    /// Let single words match words one or two letters different.
    #[arg(long)]
    pub fuzzy: bool,
}

pub fn run(args: SearchArgs, project: Option<&Path>) -> Result<ExitCode> {
    let query = args.query.join(" ");
    let root = project_root(project)?;
    let index = match unchanged_index(&root)? {
        // Nothing changed since the index was last brought up to date: no need to load the
        // project (reading and hashing every document) nor the coder files.
        Some((index, codebook)) => {
            search::check_query(&codebook, &query, args.fuzzy)?;
            index
        }
        None => update_index(&root, &query, args.fuzzy)?,
    };
    let options = SearchOptions {
        limit: args.limit as usize,
        fuzzy: args.fuzzy,
        mode: ParseMode::Strict,
        as_you_type: false,
    };
    let results = index.search_with_total(&query, &options)?;
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        TextOrJson::Json => {
            let json = JsonResults {
                query: &query,
                total: results.total,
                hits: results.hits.iter().map(JsonHit::from).collect(),
            };
            let text = serde_json::to_string_pretty(&json).expect("search results serialize");
            writeln!(out, "{text}")
        }
        TextOrJson::Text => {
            let (open, close) = if std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            {
                ("\x1b[1m", "\x1b[0m")
            } else {
                ("[", "]")
            };
            write_text(&mut out, &results, open, close)
        }
    };
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `normcode search x | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Error::io("standard output", "cannot write", e)),
    }
}

/// The index as it is, with the codebook, when no project file changed since it was last
/// brought up to date from them (see [`SearchIndex::open_unchanged`]).
fn unchanged_index(root: &Path) -> Result<Option<(SearchIndex, Codebook)>> {
    let Ok(text) = std::fs::read_to_string(root.join(CODEBOOK_FILE)) else {
        return Ok(None);
    };
    let Ok(codebook) = Codebook::parse(Path::new(CODEBOOK_FILE), &text) else {
        return Ok(None);
    };
    Ok(SearchIndex::open_unchanged(root, &codebook, None)?.map(|index| (index, codebook)))
}

/// Loads the project and brings the index up to date, then records what the files looked like
/// before they were read, for the next search.
fn update_index(root: &Path, query: &str, fuzzy: bool) -> Result<SearchIndex> {
    let snapshot = ProjectSnapshot::of_project(root);
    let project = Project::open(root)?;
    // A bad query fails before any indexing.
    search::check_query(&project.codebook, query, fuzzy)?;
    let mut bar = ProgressBar::new();
    let opened = SearchIndex::open_with(&project, &[], &OpenOptions::default(), &mut |p| {
        bar.update(p)
    });
    bar.finish();
    let (index, report) = opened?;
    for warning in &report.warnings {
        note!("normcode: warning: {warning}");
    }
    if let Some(note) = &report.read_only {
        note!("normcode: {note}");
    }
    record(&index, &project, &report, snapshot);
    Ok(index)
}

/// Records `snapshot` with the index when the sync was complete and quiet (warnings must be
/// shown again next time, so they need the slow way).
pub(super) fn record(
    index: &SearchIndex,
    project: &Project,
    report: &search::SyncReport,
    snapshot: Option<ProjectSnapshot>,
) {
    let Some(snapshot) = snapshot else { return };
    if report.warnings.is_empty()
        && report.read_only.is_none()
        && snapshot.documents == project.settings.documents
    {
        // Only a hint for the next search: when it cannot be written, that one goes the slow
        // way.
        let _ = index.record_snapshot(&snapshot);
    }
}

/// `--format json`: the hits in order, offsets in code points of the document body.
#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    /// How many units match in all (the hits are the best `--limit`).
    total: usize,
    hits: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    document: &'a DocumentId,
    unit: &'a UnitId,
    score: f32,
    /// The unit in the document body.
    range: CodePointRange,
    text: &'a str,
    /// Part of the unit's text with the matches in `[` `]`.
    snippet: String,
    /// Where the query's words and phrases occur in the document body.
    matches: &'a [CodePointRange],
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(hit: &'a Hit) -> Self {
        Self {
            document: &hit.document,
            unit: &hit.unit,
            score: hit.score,
            range: hit.unit_range,
            text: &hit.text,
            snippet: hit.snippet.render("[", "]"),
            matches: &hit.matches,
        }
    }
}

fn write_text(
    out: &mut impl Write,
    results: &search::SearchResults,
    open: &str,
    close: &str,
) -> std::io::Result<()> {
    use crate::text::sanitize;
    for hit in &results.hits {
        writeln!(
            out,
            "{}  {}  (score {:.2})",
            sanitize(hit.document.as_str()),
            sanitize(hit.unit.as_str()),
            hit.score
        )?;
        // The documents' own control characters made visible (one for one, so the highlights
        // stay in place); only the highlighting's escape sequences reach the terminal.
        let snippet = search::Snippet {
            text: sanitize(&hit.snippet.text).into_owned(),
            highlights: hit.snippet.highlights.clone(),
        };
        writeln!(out, "    {}", snippet.render(open, close))?;
    }
    match (results.total, results.hits.len()) {
        (0, _) => writeln!(out, "no hits"),
        (1, _) => writeln!(out, "1 hit"),
        (total, shown) if shown < total => {
            writeln!(out, "{total} hits, the best {shown} shown (see --limit)")
        }
        (total, _) => writeln!(out, "{total} hits"),
    }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
pub(super) struct ProgressBar {
    enabled: bool,
    drawn: bool,
    last: Option<Instant>,
}

impl ProgressBar {
    pub(super) fn new() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            drawn: false,
            last: None,
        }
    }

    pub(super) fn update(&mut self, progress: Progress) {
        if !self.enabled || progress.total == 0 {
            return;
        }
        let final_step = progress.stage == Stage::Committing || progress.done == progress.total;
        if !final_step
            && self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(80))
        {
            return;
        }
        self.last = Some(Instant::now());
        const WIDTH: usize = 30;
        let filled = progress.done * WIDTH / progress.total.max(1);
        let label = match progress.stage {
            Stage::Indexing => "indexing",
            Stage::Committing => "saving  ",
        };
        eprint!(
            "\r\x1b[2K{label} [{}{}] {}/{} documents",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            progress.done,
            progress.total
        );
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }

    /// Clears the bar.
    pub(super) fn finish(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.drawn = false;
        }
    }
}
