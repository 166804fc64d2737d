//! The benchmark of the recommender (BENCHMARKS.md, "Suggestions"): 10,000 coded units of a
//! generated corpus (`normcode::synth`, seed 20261127, the repository's codebook), the time to
//! train on them (target: under 1 s) and to suggest for one unit (target: under 5 ms).
//!
//! ```sh
//! cargo run --release --example suggest_bench            # English, then Chinese, then mixed
//! NORMCODE_BENCH_LANGS=en NORMCODE_SUGGEST_UNITS=20000 cargo run --release --example suggest_bench
//! ```
//!
//! The coder file is synth's: random indicators on random units, so what is timed is the work
//! of the recommender on real-shaped text, not how well it learns (the evaluation on the
//! bundled samples, `normcode suggest --evaluate`, measures that).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use normcode::project::Project;
use normcode::suggest::{self, Recommender, Rejections, TrainOn};
use normcode::synth::{self, CorpusSpec, Language};

const SEED: u64 = 20261127;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let wanted: usize = std::env::var("NORMCODE_SUGGEST_UNITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let langs = std::env::var("NORMCODE_BENCH_LANGS").unwrap_or_else(|_| "en,zh,mixed".into());
    println!(
        "| corpus | training units | of them coded | train (median of 5) | suggest p50 | suggest p99 | margin p50 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for lang in langs.split(',') {
        let language = match lang.trim() {
            "en" => Language::English,
            "zh" => Language::Chinese,
            "mixed" => Language::Mixed,
            other => panic!("unknown language {other} (en, zh, mixed)"),
        };
        let dir = tempfile::tempdir().unwrap();
        // About 30 units per 10 KB document; 80% of documents are marked done by synth.
        let megabytes = (wanted as u64 / 2_000).max(1);
        synth::write_project(dir.path(), &CorpusSpec::sized(language, megabytes, SEED)).unwrap();
        let project = Project::open(dir.path()).unwrap();
        let coder = synth::coder_file(&project, "alice", wanted, SEED);
        let mut examples = suggest::examples(
            &project.corpus,
            &[&coder.file],
            &TrainOn::Coder("alice".into()),
            &Rejections::new(),
        );
        // Coded units first, then the rest, up to the number wanted.
        examples.sort_by_key(|e| e.codes.is_empty());
        examples.truncate(wanted);
        let coded = examples.iter().filter(|e| !e.codes.is_empty()).count();

        let mut trainings = Vec::new();
        let mut recommender = None;
        for _ in 0..5 {
            let start = Instant::now();
            let r = Recommender::train(&project.codebook, &examples);
            trainings.push(start.elapsed());
            recommender = Some(r);
        }
        let recommender = recommender.unwrap();

        let none = BTreeSet::new();
        let texts: Vec<&str> = project
            .corpus
            .documents
            .iter()
            .flat_map(|d| d.units.iter().map(move |u| d.unit_text(u)))
            .take(2_000)
            .collect();
        let mut suggests = Vec::with_capacity(texts.len());
        let mut margins = Vec::with_capacity(texts.len());
        for text in &texts {
            let start = Instant::now();
            let s = recommender.suggest(text, 5, &none);
            suggests.push(start.elapsed());
            std::hint::black_box(s);
            let start = Instant::now();
            std::hint::black_box(recommender.margin(text));
            margins.push(start.elapsed());
        }
        suggests.sort();
        margins.sort();
        println!(
            "| {lang} ({} documents) | {} | {} | {:.0} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            project.corpus.len(),
            examples.len(),
            coded,
            median(trainings).as_secs_f64() * 1000.0,
            percentile(&suggests, 0.5).as_secs_f64() * 1000.0,
            percentile(&suggests, 0.99).as_secs_f64() * 1000.0,
            percentile(&margins, 0.5).as_secs_f64() * 1000.0,
        );
    }
}
