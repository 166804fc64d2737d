//! The benchmark suite behind BENCHMARKS.md: generates seeded corpora, coder files and
//! reliability data under `target/bench-data/`, measures every target, and prints (and writes
//! to `target/bench-data/results.md`) the tables.
//!
//! Run: `cargo bench --bench suite` (all sizes: 1, 10, 100 MB; English, Chinese, mixed).
//! Environment:
//! - `NORMCODE_BENCH_SIZES=1,10` corpus sizes in MB (default `1,10,100`)
//! - `NORMCODE_BENCH_LANGS=en` languages among `en,zh,mixed` (default all three)
//! - `NORMCODE_BENCH_CODINGS=10000,100000,1000000` reliability data sizes
//! - `NORMCODE_BENCH_SKIP=agree,rss,...` skip parts: `build`, `search`, `reindex`, `tui`, `save`,
//!   `rss`, `render`, `visual`, `agree` (with all of the per-corpus ones, `build` to `rss`,
//!   skipped, no corpus is generated or loaded); only the visual-mode part:
//!   `NORMCODE_BENCH_SKIP=build,search,reindex,tui,save,rss,render,agree`
//! - `NORMCODE_BENCH_VISUAL_ROUNDS=5` rounds of the visual-mode key sequence per document and
//!   terminal size
//!
//! Hidden modes, used by the suite on itself (whole-process measurements):
//! - `--bench-open DIR`: opens the project, loads coder alice, builds the App, renders one
//!   frame (peak memory is measured around this process with `/usr/bin/time -v`)
//! - `--agree CSV`: reads the `unit,coder,value` file and prints nominal alpha (what
//!   `normcode agree --data CSV` does, for when that command is missing)

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use normcode::corpus::{Document, DocumentId};
use normcode::project::{LoadedCoder, Project};
use normcode::reliability::{CodingsCsv, Metric, data_report};
use normcode::search::{OpenOptions, SearchIndex, SearchOptions};
use normcode::synth::{self, CorpusSpec, Language};
use normcode::tui::action::ModeKind;
use normcode::tui::app::App;
use normcode::tui::keymap::{Key, Keymap};
use normcode::tui::startup;
use normcode::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Bump when the generator changes, so cached data is written again.
const GENERATOR_VERSION: &str = "synth-1";
const SEED: u64 = 20261127;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--bench-open") {
        bench_open(Path::new(&args[i + 1]));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--agree") {
        let csv = CodingsCsv::from_path(&args[i + 1]).expect("readable CSV");
        let report = data_report(&csv, Metric::Nominal).expect("a report");
        println!(
            "{:.15}",
            report.krippendorff_alpha.expect("alpha is defined")
        );
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument selects nothing here.
    Suite::new().run();
}

// ----- helpers -----

fn data_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank]
}

fn median(samples: &[Duration]) -> Duration {
    percentile(samples, 50.0)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn run_quiet(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Median wall time of `runs` runs of a whole process (after one warm-up run).
fn time_process(runs: usize, mut make: impl FnMut() -> Command) -> Option<Duration> {
    if !run_quiet(&mut make()) {
        return None;
    }
    let samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let mut cmd = make();
            let start = Instant::now();
            let ok = run_quiet(&mut cmd);
            assert!(ok, "{cmd:?} failed");
            start.elapsed()
        })
        .collect();
    Some(median(&samples))
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn language(code: &str) -> Language {
    match code {
        "en" => Language::English,
        "zh" => Language::Chinese,
        "mixed" => Language::Mixed,
        other => panic!("unknown language {other}: use en, zh or mixed"),
    }
}

/// A generated project (documents + coder files alice and bob), cached by spec.
struct Corpus {
    dir: PathBuf,
    project_dir: PathBuf,
    index_dir: PathBuf,
    spec: CorpusSpec,
    bytes: u64,
    annotations: usize,
}

fn corpus(lang: Language, megabytes: u64) -> Corpus {
    let spec = CorpusSpec::sized(lang, megabytes, SEED);
    let annotations = (megabytes as usize * 1000).min(100_000);
    let dir = data_root().join(format!("{}-{megabytes}mb", lang.code()));
    let project_dir = dir.join("project");
    let marker = dir.join("complete");
    let want = format!("{GENERATOR_VERSION} {spec:?} annotations={annotations}");
    let bytes = match std::fs::read_to_string(&marker) {
        Ok(text) if text.lines().next() == Some(want.as_str()) => text
            .lines()
            .nth(1)
            .and_then(|l| l.parse().ok())
            .unwrap_or(0),
        _ => {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("generating {} ...", dir.display());
            let summary = synth::write_project(&project_dir, &spec).expect("corpus written");
            let project = Project::open(&project_dir).expect("the generated project opens");
            for (coder, n, seed) in [("alice", annotations, 1), ("bob", annotations / 2, 2)] {
                let mut loaded = synth::coder_file(&project, coder, n, SEED + seed);
                project.save_coder(&mut loaded).expect("coder file saved");
            }
            std::fs::write(&marker, format!("{want}\n{}\n", summary.bytes)).unwrap();
            summary.bytes
        }
    };
    Corpus {
        index_dir: dir.join("index"),
        dir,
        project_dir,
        spec,
        bytes,
        annotations,
    }
}

fn index_options(corpus: &Corpus, rebuild: bool) -> OpenOptions {
    OpenOptions {
        index_dir: Some(corpus.index_dir.clone()),
        rebuild,
        ..OpenOptions::default()
    }
}

fn render_once(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| {
            ui::render(frame, app);
        })
        .unwrap();
}

/// `--bench-open DIR`: what the TUI holds with the project open, for peak memory: the preview
/// on screen while the loader thread reads the project, then the loaded workspace.
fn bench_open(dir: &Path) {
    let read = Arc::new(AtomicUsize::new(0));
    let preview = startup::preview(dir, "alice", Keymap::default(), None, Arc::clone(&read))
        .expect("project opens")
        .expect("the coder file is readable");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    render_once(&mut terminal, &preview);
    let loader = startup::Loader::start(dir.to_path_buf(), "alice".into(), read, None);
    let (project, coder) = loader.finish().expect("project and coder file load");
    let app = App::new(Arc::new(project), coder, Keymap::default());
    render_once(&mut terminal, &app);
    drop(preview);
}

// ----- results -----

#[derive(Default, Clone)]
struct CorpusResult {
    lang: String,
    mb: u64,
    bytes: u64,
    documents: usize,
    units: usize,
    annotations: usize,
    load: Option<Duration>,
    build: Option<Duration>,
    query_p50: Option<Duration>,
    query_p99: Option<Duration>,
    query_max: Option<Duration>,
    word: String,
    word_p50: Option<Duration>,
    rg: Option<Duration>,
    search_process: Option<Duration>,
    reindex: Option<Duration>,
    first_frame: Option<Duration>,
    workspace_loaded: Option<Duration>,
    /// The whole `normcode` process in a terminal: to its first frame, and until loaded.
    terminal: Option<(Duration, Duration)>,
    first_frame_parts: String,
    save: Option<Duration>,
    clone: Option<Duration>,
    save_parts: String,
    load_coder_parts: String,
    peak_rss_mb: Option<f64>,
    load_avg: String,
}

struct Suite {
    sizes: Vec<u64>,
    langs: Vec<String>,
    codings: Vec<usize>,
    skip: Vec<String>,
    out: String,
    normcode: PathBuf,
}

impl Suite {
    fn new() -> Self {
        Self {
            sizes: env_list("NORMCODE_BENCH_SIZES", "1,10,100")
                .iter()
                .map(|s| s.parse().expect("sizes in MB"))
                .collect(),
            langs: env_list("NORMCODE_BENCH_LANGS", "en,zh,mixed"),
            codings: env_list("NORMCODE_BENCH_CODINGS", "10000,100000,1000000")
                .iter()
                .map(|s| s.parse().expect("numbers of codings"))
                .collect(),
            skip: env_list("NORMCODE_BENCH_SKIP", ""),
            out: String::new(),
            normcode: PathBuf::from(env!("CARGO_BIN_EXE_normcode")),
        }
    }

    fn wants(&self, part: &str) -> bool {
        !self.skip.iter().any(|s| s == part)
    }

    fn say(&mut self, line: impl AsRef<str>) {
        println!("{}", line.as_ref());
        self.out.push_str(line.as_ref());
        self.out.push('\n');
    }

    fn run(mut self) {
        std::fs::create_dir_all(data_root()).unwrap();
        let started = chrono::Utc::now();
        self.say(format!(
            "# normcode benchmark results, {}",
            started.format("%Y-%m-%d %H:%M UTC")
        ));
        self.say(format!("machine: {}", machine()));
        self.say(format!("load average at start: {}", uptime()));
        self.say("");
        let mut results = Vec::new();
        let per_corpus = ["build", "search", "reindex", "tui", "save", "rss"];
        let corpora = per_corpus.iter().any(|part| self.wants(part));
        for lang in self.langs.clone() {
            for mb in self.sizes.clone() {
                if !corpora {
                    break;
                }
                let r = self.measure_corpus(language(&lang), mb);
                self.print_corpus(&r);
                results.push(r);
            }
        }
        self.growth_tables(&results);
        if self.wants("render") {
            self.render_bench();
        }
        if self.wants("visual") {
            self.visual_bench();
        }
        if self.wants("agree") {
            self.agree_bench();
        }
        self.say(format!("load average at end: {}", uptime()));
        let path = data_root().join("results.md");
        std::fs::write(&path, &self.out).unwrap();
        println!("\nwritten to {}", path.display());
    }

    fn measure_corpus(&mut self, lang: Language, mb: u64) -> CorpusResult {
        let corpus = corpus(lang, mb);
        eprintln!("measuring {} ...", corpus.dir.display());
        let mut r = CorpusResult {
            lang: lang.code().to_string(),
            mb,
            bytes: corpus.bytes,
            annotations: corpus.annotations,
            load_avg: uptime(),
            ..CorpusResult::default()
        };
        let _ = corpus.spec;
        // Project load (warm page cache: one run first).
        let _ = Project::open(&corpus.project_dir).unwrap();
        let loads: Vec<Duration> = (0..3)
            .map(|_| time(|| Project::open(&corpus.project_dir).unwrap()).1)
            .collect();
        r.load = Some(median(&loads));
        let project = Project::open(&corpus.project_dir).unwrap();
        r.documents = project.corpus.documents.len();
        r.units = project.corpus.documents.iter().map(|d| d.units.len()).sum();
        let coders = project.load_coders(None).unwrap();

        // Full index build (coder files included), median of 3 (1 at 100 MB and more).
        if self.wants("build") || !corpus.index_dir.exists() {
            let runs = if mb >= 100 { 1 } else { 3 };
            let builds: Vec<Duration> = (0..runs)
                .map(|_| {
                    time(|| {
                        SearchIndex::open_with(
                            &project,
                            &coders,
                            &index_options(&corpus, true),
                            &mut |_| {},
                        )
                        .unwrap()
                    })
                    .1
                })
                .collect();
            r.build = Some(median(&builds));
        }
        let (index, report) = SearchIndex::open_with(
            &project,
            &coders,
            &index_options(&corpus, false),
            &mut |_| {},
        )
        .unwrap();
        assert!(
            !report.changed(),
            "a warm index needs no update: {report:?}"
        );

        if self.wants("search") {
            self.search(&corpus, &index, lang, &mut r);
        }
        if self.wants("reindex") {
            r.reindex = Some(reindex_one(&corpus, &project, &coders, &index));
        }
        drop(index);
        if self.wants("tui") {
            let (first, loaded, parts) = first_frame(&corpus.project_dir);
            r.first_frame = Some(first);
            r.workspace_loaded = Some(loaded);
            r.first_frame_parts = parts;
            r.terminal = terminal_start(
                &self.normcode,
                &corpus.dir,
                &corpus.project_dir,
                corpus.spec.documents,
            );
        }
        if self.wants("save") {
            let mut alice = coders.into_iter().find(|c| c.name == "alice").unwrap();
            // What the UI thread does per autosave: clone the file for the worker.
            let clones: Vec<Duration> = (0..5).map(|_| time(|| alice.file.clone()).1).collect();
            r.clone = Some(median(&clones));
            let saves: Vec<Duration> = (0..5)
                .map(|_| time(|| project.save_coder(&mut alice).unwrap()).1)
                .collect();
            r.save = Some(median(&saves));
            // Where a save's time goes.
            let (_, normalize) = time(|| alice.file.normalize(&project.corpus));
            let (text, serialize) =
                time(|| normcode::annotations::coder_file_to_string(&alice.file).unwrap());
            let (_, write) =
                time(|| normcode::annotations::write_atomic(&alice.path, text.as_bytes()).unwrap());
            // The serializer the hand-written one replaced, for comparison (same bytes).
            let (by_serde, serde_serialize) =
                time(|| serde_saphyr::to_string(&alice.file).unwrap());
            assert_eq!(by_serde, text, "the writer gives serde-saphyr's bytes");
            // What the autosave worker does (src/tui/saver.rs): after a first save, one
            // document changed, only that one written again; median of 5.
            let mut writer = normcode::annotations::IncrementalWriter::default();
            writer.write(&alice.file, &project.corpus).unwrap();
            let ids: Vec<_> = alice.file.documents.keys().cloned().collect();
            // As the worker does: each write first checks the file is the version it wrote.
            let mut version = normcode::annotations::DiskVersion::read(&alice.path)
                .unwrap()
                .0;
            let autosaves: Vec<Duration> = (0..5)
                .map(|i| {
                    let id = &ids[i * ids.len() / 5];
                    let coding = alice.file.documents.get_mut(id).unwrap();
                    std::sync::Arc::make_mut(coding).memo = Some(format!("autosave {i}"));
                    time(|| {
                        let text = writer.write(&alice.file, &project.corpus).unwrap();
                        version = normcode::annotations::write_if_unchanged(
                            &alice.path,
                            version,
                            text.as_bytes(),
                        )
                        .unwrap();
                    })
                    .1
                })
                .collect();
            r.save_parts = format!(
                "normalize {:.0} ms, YAML serialize {:.0} ms (serde-saphyr: {:.0} ms), \
                 atomic write {:.0} ms ({:.1} MB); autosave worker with one document changed \
                 {:.0} ms",
                ms(normalize),
                ms(serialize),
                ms(serde_serialize),
                ms(write),
                text.len() as f64 / 1e6,
                ms(median(&autosaves))
            );
            // Where a load's time goes.
            let (text, read) = time(|| std::fs::read_to_string(&alice.path).unwrap());
            let (mut file, parse) =
                time(|| normcode::annotations::parse_coder_file(&alice.path, &text).unwrap());
            let (_, anchor) =
                time(|| normcode::annotations::anchor_all(&mut file, &project.corpus));
            let (by_serde, serde_parse) = time(|| {
                // Without limits: the comparison is about speed.
                let mut options = serde_saphyr::Options::default();
                options.budget = None;
                serde_saphyr::from_str_with_options::<normcode::annotations::CoderFile>(
                    &text, options,
                )
                .unwrap()
            });
            assert_eq!(
                by_serde,
                normcode::annotations::parse_coder_file(&alice.path, &text).unwrap(),
                "same file either way"
            );
            r.load_coder_parts = format!(
                "read {:.0} ms, YAML parse {:.0} ms (serde-saphyr: {:.0} ms), anchoring {:.0} ms",
                ms(read),
                ms(parse),
                ms(serde_parse),
                ms(anchor)
            );
        }
        drop(project);
        if self.wants("rss") {
            r.peak_rss_mb = peak_rss_mb(&corpus.project_dir);
        }
        r
    }

    fn search(
        &mut self,
        corpus: &Corpus,
        index: &SearchIndex,
        lang: Language,
        r: &mut CorpusResult,
    ) {
        let english = [
            "vulnerabilities",
            "critical infrastructure",
            "\"supply chain\"",
            "capacity-building",
            "confidence",
            "electoral",
            "human rights",
            "vulnerab*",
            "publisher:microsoft year:[2010 TO 2015] infrastructure",
            "code:VU01",
            "code:VU01 coder:alice",
            "States -attacks",
        ];
        let chinese = [
            "关键基础设施",
            "漏洞",
            "供应链",
            "能力建设",
            "建立信任措施",
            "人权",
            "code:VU01",
            "publisher:microsoft 选举",
        ];
        let (queries, word): (Vec<&str>, &str) = match lang {
            Language::English => (english.to_vec(), "vulnerabilities"),
            Language::Chinese => (chinese.to_vec(), "关键基础设施"),
            Language::Mixed => (
                english.iter().chain(&chinese).copied().collect(),
                "vulnerabilities",
            ),
        };
        let options = SearchOptions {
            limit: 20,
            ..SearchOptions::default()
        };
        for q in &queries {
            index.search_with_total(q, &options).unwrap();
        }
        let mut samples = Vec::new();
        let mut word_samples = Vec::new();
        for _ in 0..40 {
            for q in &queries {
                let (results, took) = time(|| index.search_with_total(q, &options).unwrap());
                assert!(results.total > 0, "query {q} finds nothing");
                samples.push(took);
                if *q == word {
                    word_samples.push(took);
                }
            }
        }
        r.query_p50 = Some(median(&samples));
        r.query_p99 = Some(percentile(&samples, 99.0));
        r.query_max = samples.iter().max().copied();
        r.word = word.to_string();
        r.word_p50 = Some(median(&word_samples));
        let documents = corpus.project_dir.join("documents");
        if have("rg") {
            r.rg = time_process(5, || {
                let mut cmd = Command::new("rg");
                cmd.args(["-F", "-i", "-c", word]).arg(&documents);
                cmd
            });
        }
        // The whole `normcode search` process (loads the project, checks the index is current,
        // searches); its index lives in its own cache folder under the corpus folder.
        let cache = corpus.dir.join("cache");
        r.search_process = time_process(5, || {
            let mut cmd = Command::new(&self.normcode);
            cmd.env("XDG_CACHE_HOME", &cache)
                .arg("--project")
                .arg(&corpus.project_dir)
                .args(["search", word]);
            cmd
        });
    }

    fn print_corpus(&mut self, r: &CorpusResult) {
        let f = |d: Option<Duration>| d.map_or("-".to_string(), |d| format!("{:.2} ms", ms(d)));
        let mbps = |d: Option<Duration>| {
            d.map_or("-".to_string(), |d| {
                format!("{:.1} MB/s", r.bytes as f64 / 1e6 / d.as_secs_f64())
            })
        };
        self.say(format!(
            "## {} {} MB ({} bytes, {} documents, {} units, {} annotations alice) [load {}]",
            r.lang, r.mb, r.bytes, r.documents, r.units, r.annotations, r.load_avg
        ));
        self.say(format!("- project load (Project::open): {}", f(r.load)));
        self.say(format!(
            "- full index build: {} = {}",
            f(r.build),
            mbps(r.build)
        ));
        self.say(format!(
            "- query: p50 {}, p99 {}, max {} (limit 20, mixed query set)",
            f(r.query_p50),
            f(r.query_p99),
            f(r.query_max)
        ));
        if let (Some(word), Some(rg)) = (r.word_p50, r.rg) {
            self.say(format!(
                "- `{}`: in-process query p50 {} vs `rg -F -i -c` {} = {:.0}x; whole `normcode search` process {} = {:.2}x rg",
                r.word,
                f(Some(word)),
                f(Some(rg)),
                rg.as_secs_f64() / word.as_secs_f64(),
                f(r.search_process),
                r.search_process.map_or(0.0, |p| rg.as_secs_f64() / p.as_secs_f64()),
            ));
        }
        self.say(format!(
            "- one changed document reindexed: {}",
            f(r.reindex)
        ));
        self.say(format!(
            "- TUI first frame (preview + render): {}; workspace loaded: {} ({})",
            f(r.first_frame),
            f(r.workspace_loaded),
            r.first_frame_parts
        ));
        self.say(format!(
            "- `normcode` process in a terminal (`script`): first frame {}, loaded {}",
            f(r.terminal.map(|t| t.0)),
            f(r.terminal.map(|t| t.1))
        ));
        self.say(format!(
            "- save coder file (normalize + write, fsync): {} ({}); UI-thread clone {}",
            f(r.save),
            r.save_parts,
            f(r.clone)
        ));
        self.say(format!("- load coder file alice: {}", r.load_coder_parts));
        if let Some(rss) = r.peak_rss_mb {
            self.say(format!(
                "- peak RSS (open + App + frame): {rss:.0} MB (target < {:.0} MB)",
                2.0 * r.bytes as f64 / 1e6 + 100.0
            ));
        }
        self.say("");
    }

    fn growth_tables(&mut self, results: &[CorpusResult]) {
        for lang in self.langs.clone() {
            let rows: Vec<&CorpusResult> = results.iter().filter(|r| r.lang == lang).collect();
            if rows.is_empty() {
                continue;
            }
            self.say(format!("## Growth with corpus size ({lang})"));
            self.say("");
            let mut header = "| cost |".to_string();
            let mut rule = "|---|".to_string();
            for r in &rows {
                let _ = write!(header, " {} MB ({} docs) |", r.mb, r.documents);
                rule.push_str("---|");
            }
            self.say(header);
            self.say(rule);
            let f = |d: Option<Duration>| d.map_or("-".to_string(), |d| format!("{:.2} ms", ms(d)));
            type Cell = Box<dyn Fn(&CorpusResult) -> String>;
            let lines: Vec<(&str, Cell)> = vec![
                ("project load", Box::new(move |r| f(r.load))),
                (
                    "full index build",
                    Box::new(move |r| {
                        r.build.map_or("-".into(), |d| {
                            format!(
                                "{:.2} s ({:.1} MB/s)",
                                d.as_secs_f64(),
                                r.bytes as f64 / 1e6 / d.as_secs_f64()
                            )
                        })
                    }),
                ),
                ("query p50", Box::new(move |r| f(r.query_p50))),
                ("query p99", Box::new(move |r| f(r.query_p99))),
                ("`rg -F -i -c` (process)", Box::new(move |r| f(r.rg))),
                (
                    "`normcode search` (process)",
                    Box::new(move |r| f(r.search_process)),
                ),
                (
                    "reindex one changed document",
                    Box::new(move |r| f(r.reindex)),
                ),
                ("TUI first frame", Box::new(move |r| f(r.first_frame))),
                (
                    "TUI workspace loaded",
                    Box::new(move |r| f(r.workspace_loaded)),
                ),
                (
                    "`normcode` in a terminal: first frame / loaded",
                    Box::new(move |r| {
                        r.terminal.map_or("-".to_string(), |(first, loaded)| {
                            format!("{} / {}", f(Some(first)), f(Some(loaded)))
                        })
                    }),
                ),
                ("save coder file", Box::new(move |r| f(r.save))),
                (
                    "coder file clone (UI thread)",
                    Box::new(move |r| f(r.clone)),
                ),
                (
                    "peak RSS",
                    Box::new(|r| r.peak_rss_mb.map_or("-".into(), |m| format!("{m:.0} MB"))),
                ),
            ];
            for (name, cell) in lines {
                let mut line = format!("| {name} |");
                for r in &rows {
                    let _ = write!(line, " {} |", cell(r));
                }
                self.say(line);
            }
            self.say("");
        }
    }

    fn render_bench(&mut self) {
        let dir = data_root().join("render");
        let project_dir = dir.join("project");
        let marker = dir.join("complete");
        let want = format!("{GENERATOR_VERSION} render");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(want.as_str()) {
            let _ = std::fs::remove_dir_all(&dir);
            let spec = CorpusSpec {
                language: Language::English,
                bytes: 0,
                documents: 0,
                seed: SEED,
            };
            synth::write_project(&project_dir, &spec).unwrap();
            let docs = project_dir.join("documents");
            std::fs::create_dir_all(&docs).unwrap();
            let mut rng = synth::Rng::new(SEED);
            for (name, bytes, language, chinese) in [
                ("big", 10_000_000, Language::English, false),
                ("small", 10_000, Language::English, false),
                ("big-zh", 10_000_000, Language::Chinese, true),
                ("small-zh", 10_000, Language::Chinese, true),
            ] {
                let text = synth::document_text(&mut rng, language, chinese, 0, bytes);
                std::fs::write(docs.join(format!("{name}.md")), text).unwrap();
            }
            std::fs::write(&marker, &want).unwrap();
        }
        let project = Arc::new(Project::open(&project_dir).unwrap());
        self.say(format!(
            "## One frame rendered (TestBackend {WIDTH}x{HEIGHT}) [load {}]",
            uptime()
        ));
        self.say("");
        self.say("| document | at the first unit | in the middle | at the last unit |");
        self.say("|---|---|---|---|");
        for name in ["small", "big", "small-zh", "big-zh"] {
            let position = project.corpus.position(&DocumentId::new(name)).unwrap();
            let coder = project.load_coder("alice").unwrap();
            let mut app = App::new(Arc::clone(&project), coder, Keymap::default());
            app.open_document(position, 0);
            let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
            render_once(&mut terminal, &app);
            let units = project.corpus.documents[position].units.len();
            let mut cells = Vec::new();
            for unit in [0, units / 2, units - 1] {
                app.go_to_unit(unit);
                render_once(&mut terminal, &app);
                app.ensure_visible();
                let samples: Vec<Duration> = (0..200)
                    .map(|_| time(|| render_once(&mut terminal, &app)).1)
                    .collect();
                cells.push(format!("{:.3} ms", ms(median(&samples))));
            }
            let size = std::fs::metadata(project_dir.join(format!("documents/{name}.md")))
                .unwrap()
                .len();
            self.say(format!(
                "| {name} ({:.1} KB, {units} units) | {} |",
                size as f64 / 1000.0,
                cells.join(" | ")
            ));
        }
        self.say("");
    }

    /// Visual mode (span selection) on a document whose body is one paragraph of 100 MB:
    /// each key timed from `App::handle_key` to a rendered frame (`ui::render` into a
    /// `TestBackend`, its layout kept as the event loop keeps it), at 120x40 and 80x24.
    fn visual_bench(&mut self) {
        const BYTES: usize = 100_000_000;
        let dir = data_root().join("visual");
        let project_dir = dir.join("project");
        let marker = dir.join("complete");
        let want = format!("{GENERATOR_VERSION} visual {BYTES} parts of 300 bytes");
        if std::fs::read_to_string(&marker).ok().as_deref() != Some(want.as_str()) {
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("generating {} ...", dir.display());
            let spec = CorpusSpec {
                language: Language::English,
                bytes: 0,
                documents: 0,
                seed: SEED,
            };
            synth::write_project(&project_dir, &spec).unwrap();
            let docs = project_dir.join("documents");
            std::fs::create_dir_all(&docs).unwrap();
            let mut rng = synth::Rng::new(SEED);
            for (name, language) in [
                ("para-en", Language::English),
                ("para-mixed", Language::Mixed),
            ] {
                let mut text = format!(
                    "---\ntitle: \"One paragraph of 100 MB ({})\"\n---\n",
                    language.code()
                );
                let mut index = 0;
                while text.len() < BYTES {
                    // Generated paragraphs (in the mixed document every other one Chinese,
                    // from the first, so both are on screen), their line breaks made spaces:
                    // one paragraph, one unit.
                    let chinese = language == Language::Mixed && index % 2 == 0;
                    let part = synth::document_text(&mut rng, language, chinese, index, 300);
                    let body = part.split_once("\n\n").map_or("", |(_, body)| body);
                    for word in body.split_whitespace() {
                        text.push_str(word);
                        text.push(' ');
                    }
                    index += 1;
                }
                text.pop();
                text.push('\n');
                std::fs::write(docs.join(format!("{name}.md")), text).unwrap();
            }
            std::fs::write(&marker, &want).unwrap();
        }
        let rounds: usize = env_list("NORMCODE_BENCH_VISUAL_ROUNDS", "5")
            .first()
            .map_or(5, |n| n.parse().expect("a number of rounds"));
        let project = Arc::new(Project::open(&project_dir).unwrap());
        self.say(format!(
            "## Visual mode on a 100 MB paragraph: key + frame (TestBackend), {rounds} rounds [load {}]",
            uptime()
        ));
        self.say("");
        self.say(
            "Per round: `v`, `w` x20, `b`, `$`, `0`, `l`, `o`, `w`, `a` (prompt opens), `Esc` \
             (back to the selection), `Esc` (selection left), then `v`, `w`, `Enter` (span coded \
             with the highlighted indicator), `u` (undone), `Enter` (whole unit coded), `u`; \
             then a span at the paragraph's end: `v`, `$`, `Esc`, `v` (starts at the end), `b`, \
             `Enter`, `u`, `v` (starts a word before the end), `Esc`.",
        );
        self.say("");
        self.say("| document | terminal | key | n | p50 | max |");
        self.say("|---|---|---|---|---|---|");
        // Keys in the order pressed, with the kind each is reported under.
        let mut script: Vec<(&str, &str)> = vec![("v", "v")];
        script.extend(std::iter::repeat_n(("w", "w"), 20));
        script.extend([
            ("b", "b"),
            ("$", "$"),
            ("0", "0"),
            ("l", "l"),
            ("o", "o"),
            ("w", "w"),
            ("a", "a (prompt)"),
            ("<esc>", "Esc (prompt)"),
            ("<esc>", "Esc (selection)"),
            ("v", "v"),
            ("w", "w"),
            ("<enter>", "Enter (span)"),
            ("u", "u"),
            ("<enter>", "Enter (unit)"),
            ("u", "u"),
            // A span at the paragraph's end, 100 MB from its start.
            ("v", "v"),
            ("$", "$"),
            ("<esc>", "Esc (selection)"),
            ("v", "v (at the end)"),
            ("b", "b"),
            ("<enter>", "Enter (span at the end)"),
            ("u", "u"),
            ("v", "v (near the end)"),
            ("<esc>", "Esc (selection)"),
        ]);
        let mut worst = Duration::ZERO;
        for name in ["para-en", "para-mixed"] {
            let position = project.corpus.position(&DocumentId::new(name)).unwrap();
            let document = &project.corpus.documents[position];
            assert_eq!(document.units.len(), 1, "{name} is one paragraph");
            let size = document.unit_text(&document.units[0]).len();
            for (width, height) in [(WIDTH, HEIGHT), (80, 24)] {
                let coder = project.load_coder("alice").unwrap();
                let mut app = App::new(Arc::clone(&project), coder, Keymap::default());
                app.open_document(position, 0);
                app.selected_row = app
                    .rows
                    .iter()
                    .position(|r| matches!(r, normcode::tui::app::Row::Indicator(_)))
                    .expect("the codebook has indicators");
                let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                let mut frame = |app: &mut App| {
                    let mut layout = None;
                    terminal
                        .draw(|frame| layout = Some(ui::render(frame, app)))
                        .unwrap();
                    app.layout = layout.unwrap();
                };
                frame(&mut app);
                let mut samples: Vec<(&str, Duration)> = Vec::new();
                for _ in 0..rounds {
                    for &(key, kind) in &script {
                        let event = Key::parse_script(key).unwrap()[0].to_event();
                        let annotations = app.unit_annotations(0).len();
                        let ((), took) = time(|| {
                            app.handle_key(event);
                            frame(&mut app);
                        });
                        samples.push((kind, took));
                        let mode = app.mode.kind();
                        if mode == ModeKind::Confirm {
                            // The document is marked done: coding it asks first.
                            let event = Key::parse_script("y").unwrap()[0].to_event();
                            let ((), took) = time(|| {
                                app.handle_key(event);
                                frame(&mut app);
                            });
                            samples.push(("y (confirm)", took));
                        }
                        // What each key must have done.
                        match kind {
                            "v" | "v (at the end)" | "v (near the end)" | "w" | "b" | "$" | "0"
                            | "l" | "o" | "Esc (prompt)" => {
                                assert_eq!(app.mode.kind(), ModeKind::Visual, "after {kind}")
                            }
                            "a (prompt)" => assert_eq!(app.mode.kind(), ModeKind::Prompt),
                            "Esc (selection)" => assert_eq!(app.mode.kind(), ModeKind::Normal),
                            "Enter (span)" | "Enter (span at the end)" | "Enter (unit)" => {
                                let added: Vec<_> = app.unit_annotations(0);
                                assert_eq!(added.len(), annotations + 1, "{kind} codes");
                                let span = added.iter().any(|a| a.span.is_some());
                                assert_eq!(span, kind != "Enter (unit)", "{kind}");
                            }
                            "u" => assert_eq!(app.unit_annotations(0).len(), annotations - 1),
                            _ => {}
                        }
                    }
                }
                let mut kinds: Vec<&str> = Vec::new();
                for (kind, _) in &samples {
                    if !kinds.contains(kind) {
                        kinds.push(kind);
                    }
                }
                for kind in kinds {
                    let of: Vec<Duration> = samples
                        .iter()
                        .filter(|(k, _)| *k == kind)
                        .map(|(_, d)| *d)
                        .collect();
                    let max = *of.iter().max().unwrap();
                    worst = worst.max(max);
                    self.say(format!(
                        "| {name} ({:.1} MB) | {width}x{height} | `{kind}` | {} | {:.2} ms | {:.2} ms |",
                        size as f64 / 1e6,
                        of.len(),
                        ms(median(&of)),
                        ms(max)
                    ));
                }
            }
        }
        self.say("");
        self.say(format!(
            "Slowest key + frame: {:.2} ms (target < 50 ms) [load {}]",
            ms(worst),
            uptime()
        ));
        self.say("");
    }

    fn agree_bench(&mut self) {
        let dir = data_root().join("reliability");
        std::fs::create_dir_all(&dir).unwrap();
        let agree_wired = run_quiet(Command::new(&self.normcode).args(["agree", "--help"]));
        let python_ok = Command::new("python3")
            .args(["-c", "import krippendorff, pandas, numpy"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/krippendorff_alpha.py");
        let me = std::env::current_exe().unwrap();
        self.say(format!(
            "## Reliability: nominal alpha from `unit,coder,value` CSV, 3 coders, 10% missing [load {}]",
            uptime()
        ));
        self.say("");
        self.say(if agree_wired {
            "normcode side: `normcode agree --data FILE --metric nominal --format json` (whole process; alpha read from its JSON)"
        } else {
            "normcode side: `normcode agree` is not wired in this build; measured as the whole \
             process `suite --agree FILE` (CodingsCsv::from_path + data_report, nominal: \
             every statistic of the report, not only alpha)"
        });
        self.say("");
        self.say("| codings | normcode | python krippendorff + pandas | speed-up | alpha normcode | alpha python | |diff| |");
        self.say("|---|---|---|---|---|---|---|");
        for &n in &self.codings.clone() {
            let path = dir.join(format!("codings-{n}.csv"));
            if !path.exists() {
                synth::write_codings_csv(&path, n, 3, 0.10, SEED).unwrap();
            }
            let normcode_cmd = || {
                if agree_wired {
                    let mut cmd = Command::new(&self.normcode);
                    cmd.args(["agree", "--data"])
                        .arg(&path)
                        .args(["--metric", "nominal", "--format", "json"]);
                    cmd
                } else {
                    let mut cmd = Command::new(&me);
                    cmd.arg("--agree").arg(&path);
                    cmd
                }
            };
            let ours = time_process(5, normcode_cmd);
            let ours_alpha = if agree_wired {
                let out = normcode_cmd().output().unwrap();
                serde_json::from_slice::<serde_json::Value>(&out.stdout)
                    .ok()
                    .and_then(|v| v["krippendorff_alpha"].as_f64())
            } else {
                alpha_of(&me, &path)
            };
            let (theirs, their_alpha) = if python_ok {
                let t = time_process(3, || {
                    let mut cmd = Command::new("python3");
                    cmd.arg(&script).arg(&path);
                    cmd
                });
                let out = Command::new("python3")
                    .arg(&script)
                    .arg(&path)
                    .output()
                    .unwrap();
                let alpha: Option<f64> = String::from_utf8_lossy(&out.stdout).trim().parse().ok();
                (t, alpha)
            } else {
                (None, None)
            };
            let f = |d: Option<Duration>| d.map_or("-".to_string(), |d| format!("{:.0} ms", ms(d)));
            let speedup = match (ours, theirs) {
                (Some(a), Some(b)) => format!("{:.1}x", b.as_secs_f64() / a.as_secs_f64()),
                _ => "-".into(),
            };
            let diff = match (ours_alpha, their_alpha) {
                (Some(a), Some(b)) => format!("{:.1e}", (a - b).abs()),
                _ => "-".into(),
            };
            let show = |a: Option<f64>| a.map_or("-".to_string(), |a| format!("{a:.12}"));
            self.say(format!(
                "| {n} | {} | {} | {speedup} | {} | {} | {diff} |",
                f(ours),
                f(theirs),
                show(ours_alpha),
                show(their_alpha)
            ));
        }
        self.say("");
    }
}

fn alpha_of(me: &Path, csv: &Path) -> Option<f64> {
    let out = Command::new(me).arg("--agree").arg(csv).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The `normcode` workspace as a user starts it, in a terminal (`script` gives it one, 120x40):
/// from spawning the process to the first frame on its output (the status bar), and to the
/// loaded workspace's (the status bar's document count); median of 3 after a warm-up. `None`
/// without `script` (util-linux).
fn terminal_start(
    normcode: &Path,
    scratch: &Path,
    project: &Path,
    documents: usize,
) -> Option<(Duration, Duration)> {
    // The loaded status bar's `doc 1/N, M done` (`loading documents 5/N…` before).
    let loaded_mark = format!("/{documents}, ");
    let command = format!(
        "stty cols 120 rows 40; exec '{}' --project '{}' --coder alice",
        normcode.display(),
        project.display()
    );
    let mut runs = Vec::new();
    for _ in 0..4 {
        let started = Instant::now();
        let mut child = Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            // Where it left off is kept per user: a folder of the benchmark's own.
            .env("XDG_DATA_HOME", scratch.join("data"))
            .env("XDG_CACHE_HOME", scratch.join("cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut out = child.stdout.take()?;
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 65536];
            while let Ok(n @ 1..) = std::io::Read::read(&mut out, &mut buffer) {
                if send.send((buffer[..n].to_vec(), Instant::now())).is_err() {
                    break;
                }
            }
        });
        let mut screen = Screen::new(120, 40);
        let mut first = None;
        let mut loaded = None;
        let deadline = started + Duration::from_secs(60);
        while loaded.is_none() {
            let wait = deadline.saturating_duration_since(Instant::now());
            let Ok((bytes, at)) = receive.recv_timeout(wait) else {
                break;
            };
            screen.feed(&bytes);
            let status = screen.row(39);
            if first.is_none() && status.contains("coded ") {
                first = Some(at - started);
            }
            if status.contains(&loaded_mark) {
                loaded = Some(at - started);
            }
        }
        if let Some(stdin) = child.stdin.as_mut() {
            let _ = std::io::Write::write_all(stdin, b"q");
        }
        // Quit as a user does, and wait: the next run needs the coder's lock.
        let quit_by = Instant::now() + Duration::from_secs(10);
        while child.try_wait().ok()?.is_none() {
            if Instant::now() > quit_by {
                let _ = child.kill();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        runs.push((first?, loaded?));
    }
    runs.remove(0);
    runs.sort();
    Some(runs[runs.len() / 2])
}

/// What a terminal shows, from what a program writes to it: enough of a terminal for
/// ratatui's output (cursor moves `ESC [ row ; col H`, text; other sequences are skipped).
struct Screen {
    cells: Vec<Vec<char>>,
    row: usize,
    col: usize,
    pending: Vec<u8>,
}

impl Screen {
    fn new(width: usize, height: usize) -> Self {
        Self {
            cells: vec![vec![' '; width]; height],
            row: 0,
            col: 0,
            pending: Vec::new(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        // A character or a sequence split between two reads waits for the rest.
        let text = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.to_string(),
            Err(e) => String::from_utf8_lossy(&self.pending[..e.valid_up_to()]).into_owned(),
        };
        let mut chars = text.char_indices().peekable();
        let mut done = 0;
        while let Some((at, c)) = chars.next() {
            if c == '\u{1b}' {
                let mut sequence = String::new();
                let mut complete = false;
                match chars.next() {
                    Some((_, '[')) => {
                        for (_, c) in chars.by_ref() {
                            sequence.push(c);
                            if ('@'..='~').contains(&c) {
                                complete = true;
                                break;
                            }
                        }
                    }
                    Some((_, ']')) => complete = chars.by_ref().any(|(_, c)| c == '\u{7}'),
                    Some(_) => complete = true,
                    None => {}
                }
                if !complete {
                    done = at;
                    break;
                }
                if let Some(place) = sequence.strip_suffix('H') {
                    let mut numbers = place.split(';').map(|n| n.parse::<usize>().unwrap_or(1));
                    self.row = numbers.next().unwrap_or(1).saturating_sub(1);
                    self.col = numbers.next().unwrap_or(1).saturating_sub(1);
                }
            } else if c == '\r' {
                self.col = 0;
            } else if c == '\n' {
                self.row += 1;
            } else if !c.is_control() {
                if let Some(cell) = self
                    .cells
                    .get_mut(self.row)
                    .and_then(|r| r.get_mut(self.col))
                {
                    *cell = c;
                }
                self.col += unicode_width::UnicodeWidthChar::width(c)
                    .unwrap_or(1)
                    .max(1);
            }
            done = chars.peek().map_or(text.len(), |(next, _)| *next);
        }
        let consumed = text[..done].len();
        self.pending.drain(..consumed);
    }

    fn row(&self, row: usize) -> String {
        self.cells
            .get(row)
            .map(|r| r.iter().collect())
            .unwrap_or_default()
    }
}

/// Changes one document on disk and in the loaded project, and times the index update (the
/// project as the TUI or a watcher holds it: the other documents are not read again). Median of
/// 5, alternating between two versions of the document.
fn reindex_one(
    corpus: &Corpus,
    project: &Project,
    coders: &[LoadedCoder],
    index: &SearchIndex,
) -> Duration {
    let mut project = project.clone();
    let position = project.corpus.documents.len() / 2;
    let original = project.corpus.documents[position].clone();
    let path = corpus.project_dir.join(&original.path);
    let raw = std::fs::read_to_string(&path).unwrap();
    let mut samples = Vec::new();
    for round in 0..6 {
        let text = if round % 2 == 0 {
            raw.replacen("1. ", "1. Edited in round. ", 1)
        } else {
            raw.clone()
        };
        std::fs::write(&path, &text).unwrap();
        let document = Document::parse(
            original.id.clone(),
            &original.path,
            &text,
            project.settings.segmentation,
        )
        .unwrap();
        project.corpus.documents[position] = document;
        let (report, took) = time(|| index.sync(&project, coders, &mut |_| {}).unwrap());
        assert_eq!(report.updated, 1, "{report:?}");
        if round > 0 {
            samples.push(took);
        }
    }
    std::fs::write(&path, &raw).unwrap();
    median(&samples)
}

/// What the workspace does at start (src/tui/mod.rs `run`), in-process, median of 3 after a
/// warm-up: the first frame is the preview (settings, codebook, the list of files, the first
/// document and its part of the coder file) rendered once; the workspace is loaded when the
/// whole project and coder file are read and its `App` built (what the loader thread does
/// while the preview is on screen, done here after it).
fn first_frame(dir: &Path) -> (Duration, Duration, String) {
    let mut runs = Vec::new();
    for _ in 0..4 {
        let started = Instant::now();
        let read = Arc::new(AtomicUsize::new(0));
        let (preview, preview_took) = time(|| {
            startup::preview(dir, "alice", Keymap::default(), None, Arc::clone(&read))
                .unwrap()
                .expect("the coder file is readable")
        });
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
        let ((), render) = time(|| render_once(&mut terminal, &preview));
        let first = started.elapsed();
        let (project, load) = time(|| Project::open_counting(dir, &read).unwrap());
        let (coder, coder_load) = time(|| project.load_coder("alice").unwrap());
        let (app, new) = time(|| App::new(Arc::new(project), coder, Keymap::default()));
        let loaded = started.elapsed();
        runs.push((first, loaded, preview_took, render, load, coder_load, new));
        drop(app);
    }
    runs.remove(0);
    runs.sort();
    let (first, loaded, preview, render, load, coder, new) = runs[runs.len() / 2];
    (
        first,
        loaded,
        format!(
            "preview {:.1} ms + render {:.1} ms; then project {:.0} ms, coder file {:.0} ms, App::new {:.1} ms",
            ms(preview),
            ms(render),
            ms(load),
            ms(coder),
            ms(new)
        ),
    )
}

/// Max RSS of `suite --bench-open DIR` under `/usr/bin/time -v`.
fn peak_rss_mb(dir: &Path) -> Option<f64> {
    let me = std::env::current_exe().ok()?;
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(me)
        .arg("--bench-open")
        .arg(dir)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))?
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0 * 1.048576)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines().next().and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or("?".into(), |kb| format!("{:.1} GB", kb / 1024.0 / 1024.0));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cores} cores ({cpu}), {mem} memory, {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
