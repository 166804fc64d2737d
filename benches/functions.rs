//! Function-level benchmarks with divan: `cargo bench --bench functions`.
//!
//! Fixtures are generated (seeded, see `normcode::synth`) into `target/bench-data/functions/` on
//! first use: a 10 MB English corpus with a 100,000-annotation coder file and its index, a 10 MB
//! and a 10 KB document for rendering, and 1,000,000 reliability codings. The target figures
//! (100 MB corpora, whole processes, peak memory) come from `cargo bench --bench suite`.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use divan::Bencher;
use normcode::corpus::DocumentId;
use normcode::project::{LoadedCoder, Project};
use normcode::reliability::{CodingsCsv, Metric, data_report};
use normcode::search::{OpenOptions, SearchIndex, SearchOptions};
use normcode::synth::{self, CorpusSpec, Language};
use normcode::tui::app::App;
use normcode::tui::keymap::Keymap;
use normcode::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SEED: u64 = 20261127;
const VERSION: &str = "functions-1";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/functions")
}

struct Fixture {
    project: Arc<Project>,
    alice: LoadedCoder,
    index: SearchIndex,
    codings: PathBuf,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let root = root();
    let dir = root.join("project");
    let marker = root.join("complete");
    if std::fs::read_to_string(&marker).ok().as_deref() != Some(VERSION) {
        let _ = std::fs::remove_dir_all(&root);
        synth::write_project(&dir, &CorpusSpec::sized(Language::English, 10, SEED)).unwrap();
        let mut rng = synth::Rng::new(SEED);
        let docs = dir.join("documents/render");
        std::fs::create_dir_all(&docs).unwrap();
        for (name, bytes) in [("big", 10_000_000), ("small", 10_000)] {
            let text = synth::document_text(&mut rng, Language::English, false, 0, bytes);
            std::fs::write(docs.join(format!("{name}.md")), text).unwrap();
        }
        let project = Project::open(&dir).unwrap();
        let mut alice = synth::coder_file(&project, "alice", 100_000, SEED + 1);
        project.save_coder(&mut alice).unwrap();
        synth::write_codings_csv(&root.join("codings.csv"), 1_000_000, 3, 0.1, SEED).unwrap();
        std::fs::write(&marker, VERSION).unwrap();
    }
    let project = Project::open(&dir).unwrap();
    let alice = project.load_coder("alice").unwrap();
    let options = OpenOptions {
        index_dir: Some(root.join("index")),
        ..OpenOptions::default()
    };
    let (index, _) = SearchIndex::open_with(
        &project,
        std::slice::from_ref(&alice),
        &options,
        &mut |_| {},
    )
    .unwrap();
    Fixture {
        project: Arc::new(project),
        alice,
        index,
        codings: root.join("codings.csv"),
    }
});

fn main() {
    divan::main();
}

#[divan::bench(args = [
    "vulnerabilities",
    "\"supply chain\"",
    "vulnerab*",
    "publisher:microsoft year:[2010 TO 2015] infrastructure",
    "code:VU01 coder:alice",
])]
fn search_10mb(bencher: Bencher, query: &str) {
    let fixture = &*FIXTURE;
    let options = SearchOptions {
        limit: 20,
        ..SearchOptions::default()
    };
    bencher.bench(|| fixture.index.search_with_total(query, &options).unwrap());
}

#[divan::bench(args = ["render/small", "render/big"])]
fn render_frame(bencher: Bencher, document: &str) {
    let fixture = &*FIXTURE;
    let position = fixture
        .project
        .corpus
        .position(&DocumentId::new(document))
        .unwrap();
    let coder = fixture.project.load_coder("nobody").unwrap();
    let mut app = App::new(Arc::clone(&fixture.project), coder, Keymap::default());
    app.open_document(position, 0);
    let units = fixture.project.corpus.documents[position].units.len();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| {
            ui::render(f, &app);
        })
        .unwrap();
    app.go_to_unit(units / 2);
    bencher.bench_local(|| {
        terminal
            .draw(|f| {
                ui::render(f, &app);
            })
            .unwrap();
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn save_coder_100k(bencher: Bencher) {
    let fixture = &*FIXTURE;
    let mut alice = fixture.alice.clone();
    bencher.bench_local(|| fixture.project.save_coder(&mut alice).unwrap());
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn clone_coder_100k(bencher: Bencher) {
    let fixture = &*FIXTURE;
    bencher.bench(|| fixture.alice.file.clone());
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn agree_1m_codings(bencher: Bencher) {
    let fixture = &*FIXTURE;
    bencher.bench(|| {
        let csv = CodingsCsv::from_path(&fixture.codings).unwrap();
        data_report(&csv, Metric::Nominal).unwrap()
    });
}
