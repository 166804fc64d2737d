//! How the recommender's weights and threshold fare on the bundled samples (BENCHMARKS.md,
//! "Suggestions"): leave-one-document-out over every coder's documents marked done, for the
//! default weights and a few others, and precision/recall/F1 at a few thresholds.
//!
//! ```sh
//! cargo run --release --example suggest_tune           # in the repository (the samples)
//! cargo run --release --example suggest_tune -- DIR    # another project
//! ```

use normcode::project::Project;
use normcode::suggest::{self, Rejections, TrainOn, Weights};

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").to_string());
    let project = Project::open(std::path::Path::new(&dir)).unwrap();
    let coders = project.load_coders(None).unwrap();
    let files: Vec<_> = coders.iter().map(|c| &c.file).collect();
    let examples = suggest::examples(&project.corpus, &files, &TrainOn::All, &Rejections::new());
    let d = Weights::default();
    let variants: Vec<(&str, Weights)> = vec![
        ("default", d),
        ("no phrases", Weights { phrase: 0.0, ..d }),
        ("no model", Weights { model: 0.0, ..d }),
        ("no codebook", Weights { codebook: 0.0, ..d }),
        (
            "phrase 0.8, model 0.9",
            Weights {
                phrase: 0.8,
                model: 0.9,
                ..d
            },
        ),
        ("codebook 0.8", Weights { codebook: 0.8, ..d }),
        (
            "codebook half 4",
            Weights {
                codebook_half: 4.0,
                ..d
            },
        ),
    ];
    println!("| weights | hit@1 | hit@3 | codebook alone hit@3 | P / R / F1 at 0.5 |");
    println!("|---|---|---|---|---|");
    for (name, w) in variants {
        let e = suggest::evaluate_with(&project.codebook, &examples, 0.5, w).unwrap();
        println!(
            "| {name} | {} | {} | {} | {} / {} / {} |",
            ratio(e.hit_at_1),
            ratio(e.hit_at_3),
            ratio(e.codebook_only.hit_at_3),
            ratio(e.overall.precision),
            ratio(e.overall.recall),
            ratio(e.overall.f1)
        );
    }
    println!();
    println!("| threshold | suggested | coded | precision | recall | F1 |");
    println!("|---|---|---|---|---|---|");
    for t in [0.4, 0.5, 0.6, 0.7] {
        let e = suggest::evaluate(&project.codebook, &examples, t).unwrap();
        println!(
            "| {t} | {} | {} | {} | {} | {} |",
            e.overall.suggested,
            e.overall.coded,
            ratio(e.overall.precision),
            ratio(e.overall.recall),
            ratio(e.overall.f1)
        );
    }
}
