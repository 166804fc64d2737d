//! The recommender (`normcode::suggest`) and `normcode suggest`: it learns what coders code, it
//! does not offer again what a coder rejected, its evaluation never tests on what it trained
//! on, Chinese works, and the command line's table and JSON say the same.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use normcode::codebook::Codebook;
use normcode::corpus::IndicatorId;
use normcode::suggest::{Example, Recommender, Source, evaluate};
use normcode::synth::Rng;
use serde_json::Value;

use common::{run, samples_copy};

/// A codebook of `ids`, each with a definition in words the synthetic units never use.
fn codebook(indicators: &[(&str, &str, &str)]) -> Codebook {
    let mut yaml = String::from(
        "name: Test\nversion: \"1.0\"\nlanguages: [en, zh]\ncategories:\n  - id: ALL\n    \
         label: {en: All, zh: 全部}\n    indicators:\n",
    );
    for (id, en, zh) in indicators {
        yaml.push_str(&format!(
            "      - id: {id}\n        label: {{en: \"{id}\", zh: \"{id}\"}}\n        \
             definition: {{en: \"{en}\", zh: \"{zh}\"}}\n"
        ));
    }
    Codebook::parse(Path::new("codebook.yaml"), &yaml).unwrap()
}

const FILLER: &[&str] = &[
    "states",
    "cooperation",
    "security",
    "information",
    "technologies",
    "international",
    "measures",
    "development",
    "capacity",
    "use",
    "norms",
    "behaviour",
    "responsible",
    "framework",
    "dialogue",
    "regional",
    "national",
    "confidence",
    "building",
    "exchange",
    "views",
    "promote",
    "support",
    "report",
    "group",
    "experts",
    "recommend",
    "consider",
];

fn filler(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| *rng.pick(FILLER))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ten indicators whose definitions share no word with the units.
fn ten_indicators() -> Codebook {
    let defs: Vec<(String, String, String)> = (0..10)
        .map(|i| {
            (
                format!("C{i}"),
                format!("Definition number {i} of the codebook"),
                format!("定义{i}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = defs
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    codebook(&refs)
}

/// Twelve documents of twelve units; a unit with the phrase "quantum lattice treaty" is coded
/// C2, one with "orbital debris pact" C7, the rest are coded with nothing.
fn planted_corpus(seed: u64) -> Vec<Example> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for d in 0..12 {
        for u in 0..12 {
            let mut text = filler(&mut rng, 12);
            let mut codes = Vec::new();
            if u % 4 == 0 {
                text.push_str(" quantum lattice treaty ");
                codes.push(IndicatorId::new("C2"));
            } else if u % 4 == 1 {
                text.push_str(" orbital debris pact ");
                codes.push(IndicatorId::new("C7"));
            }
            text.push_str(&filler(&mut rng, 8));
            out.push(Example::new(
                &*format!("doc{d}"),
                &*format!("{u}"),
                text,
                codes,
            ));
        }
    }
    out
}

#[test]
fn learns_a_planted_phrase_to_code_rule() {
    let cb = ten_indicators();
    let recommender = Recommender::train(&cb, &planted_corpus(1));
    let none = BTreeSet::new();
    let with_phrase = recommender.suggest(
        "the group of experts agreed a quantum lattice treaty for regional dialogue",
        3,
        &none,
    );
    assert_eq!(with_phrase[0].indicator.as_str(), "C2", "{with_phrase:#?}");
    assert!(with_phrase[0].score > 0.5, "{with_phrase:#?}");
    assert!(
        with_phrase[0].reason.contains("quantum") || with_phrase[0].reason.contains("lattice"),
        "the reason names the phrase or its words: {}",
        with_phrase[0].reason
    );
    let other = recommender.suggest("states support an orbital debris pact", 3, &none);
    assert_eq!(other[0].indicator.as_str(), "C7", "{other:#?}");
    // Without either phrase, neither code is suggested with any confidence.
    let plain = recommender.suggest("states promote national capacity building", 3, &none);
    assert!(
        plain.iter().all(|s| s.score < with_phrase[0].score / 2.0),
        "{plain:#?}"
    );
}

#[test]
fn a_rejected_suggestion_is_not_offered_again_for_that_unit() {
    let cb = ten_indicators();
    let mut examples = planted_corpus(2);
    let text = "regional dialogue on a quantum lattice treaty and an orbital debris pact";
    let recommender = Recommender::train(&cb, &examples);
    let first = recommender.suggest(text, 3, &BTreeSet::new());
    let top = first[0].indicator.clone();
    // The workspace passes the unit's rejections as `skip`: never offered again.
    let again = recommender.suggest(text, 10, &BTreeSet::from([top.clone()]));
    assert!(again.iter().all(|s| s.indicator != top), "{again:#?}");
    assert!(!again.is_empty());
    // And once retrained, the rejection is a negative: the same text scores lower for it.
    let mut rejected = Example::new("doc99", "1", text, []);
    rejected.rejected = BTreeSet::from([top.clone()]);
    for _ in 0..5 {
        examples.push(rejected.clone());
    }
    let retrained = Recommender::train(&cb, &examples);
    let score = |r: &Recommender| {
        r.suggest(text, 10, &BTreeSet::new())
            .into_iter()
            .find(|s| s.indicator == top)
            .map_or(0.0, |s| s.score)
    };
    assert!(
        score(&retrained) < score(&recommender),
        "{} !< {}",
        score(&retrained),
        score(&recommender)
    );
}

/// Every document has a phrase and a code of its own: a recommender that saw the held-out
/// document would get every unit right; one that did not cannot get any.
#[test]
fn the_evaluation_never_tests_on_a_document_it_trained_on() {
    let cb = ten_indicators();
    let mut rng = Rng::new(3);
    let mut examples = Vec::new();
    for d in 0..10 {
        for u in 0..8 {
            let text = format!(
                "{} zorblax{d} quindle{d} {}",
                filler(&mut rng, 10),
                filler(&mut rng, 6)
            );
            examples.push(Example::new(
                &*format!("doc{d}"),
                &*format!("{u}"),
                text,
                [IndicatorId::new(format!("C{d}"))],
            ));
        }
    }
    let evaluation = evaluate(&cb, &examples, 0.5).unwrap();
    assert_eq!(evaluation.documents, 10);
    assert_eq!(evaluation.coded_units, 80);
    assert_eq!(
        evaluation.hit_at_1,
        Some(0.0),
        "a document leaked into its own training"
    );
    assert_eq!(
        evaluation.hit_at_3,
        Some(0.0),
        "a document leaked into its own training"
    );
    for point in &evaluation.learning_curve {
        assert_eq!(point.hit_at_3, Some(0.0), "leak at share {}", point.share);
    }
    assert_eq!(evaluation.codebook_only.hit_at_3, Some(0.0));
    // The control: had it trained on the document, it would have found every code.
    let seen = Recommender::train(&cb, &examples);
    let right = examples
        .iter()
        .filter(|e| {
            let top = seen.suggest(&e.text, 1, &BTreeSet::new());
            top.first().is_some_and(|s| e.codes.contains(&s.indicator))
        })
        .count();
    assert_eq!(right, examples.len());
}

#[test]
fn the_evaluation_finds_a_rule_shared_across_documents() {
    let evaluation = evaluate(&ten_indicators(), &planted_corpus(4), 0.5).unwrap();
    assert_eq!(evaluation.method, "leave-one-document-out");
    assert_eq!(evaluation.folds, 12);
    assert!(evaluation.hit_at_1.unwrap() > 0.95, "{evaluation:#?}");
    let c2 = evaluation
        .indicators
        .iter()
        .find(|i| i.indicator.as_str() == "C2")
        .unwrap();
    assert_eq!(c2.scores.coded, 36);
    assert!(c2.scores.recall.unwrap() > 0.95, "{c2:#?}");
    assert!(c2.scores.precision.unwrap() > 0.95, "{c2:#?}");
    assert_eq!(evaluation.learning_curve.len(), 10);
    // More training documents never make it worse here, and the last point is all of them.
    assert_eq!(evaluation.learning_curve[9].training_documents, 11.0);
    assert!(evaluation.learning_curve[0].training_documents >= 1.0);
    // The codebook alone knows nothing of the planted phrases.
    assert_eq!(evaluation.codebook_only.training_documents, 0.0);
    assert!(
        evaluation.codebook_only.hit_at_1.unwrap() < 0.1,
        "{evaluation:#?}"
    );
}

#[test]
fn an_evaluation_needs_two_documents_marked_done() {
    let cb = ten_indicators();
    let err = evaluate(&cb, &[], 0.5).unwrap_err().to_string();
    assert!(err.contains("no document is marked done"), "{err}");
    let one = vec![Example::new("only", "1", "text", [IndicatorId::new("C1")])];
    let err = evaluate(&cb, &one, 0.5).unwrap_err().to_string();
    assert!(
        err.contains("only one document is marked done (only)"),
        "{err}"
    );
}

#[test]
fn chinese_units_learn_from_character_pairs_and_match_the_codebook() {
    let cb = codebook(&[
        (
            "VU01",
            "Reporting vulnerabilities",
            "负责任地报告信息通信技术漏洞",
        ),
        (
            "CI01",
            "Protecting critical infrastructure",
            "保护关键基础设施免受攻击",
        ),
        ("CB01", "Capacity building", "能力建设与技术援助"),
    ]);
    // Before anything is coded: the codebook alone.
    let cold = Recommender::train(&cb, &[]);
    let first = cold.suggest(
        "各国应采取适当措施保护其关键基础设施。",
        3,
        &BTreeSet::new(),
    );
    assert_eq!(first[0].indicator.as_str(), "CI01", "{first:#?}");
    assert_eq!(first[0].evidence.strongest, Source::Codebook);
    assert!(
        first[0].reason.starts_with("codebook: "),
        "{}",
        first[0].reason
    );
    // Coded units teach it a phrase the codebook does not have.
    let mut examples = Vec::new();
    for d in 0..4 {
        examples.push(Example::new(
            &*format!("zh{d}"),
            "1",
            "各国应当分享关于供应链完整性的信息。",
            [IndicatorId::new("VU01")],
        ));
        examples.push(Example::new(
            &*format!("zh{d}"),
            "2",
            "各国应当加强区域合作与对话。",
            [],
        ));
    }
    let warm = Recommender::train(&cb, &examples);
    let s = warm.suggest("确保供应链完整性是共同责任", 3, &BTreeSet::new());
    assert_eq!(s[0].indicator.as_str(), "VU01", "{s:#?}");
    assert!(s[0].reason.contains("供应"), "{}", s[0].reason);
}

#[test]
fn the_margin_is_small_where_the_recommender_hesitates() {
    let cb = ten_indicators();
    let recommender = Recommender::train(&cb, &planted_corpus(5));
    let sure = recommender.margin("the quantum lattice treaty");
    let torn = recommender.margin("a quantum lattice treaty and an orbital debris pact");
    assert!(torn < sure, "{torn} !< {sure}");
    assert_eq!(recommender.margin(""), 0.0);
}

// ---------------------------------------------------------------------------------------------
// The command line, on a copy of the bundled samples.

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn cli_table_and_json_say_the_same() {
    let project = samples_copy();
    let dir = project.path();
    let args = ["suggest", "un/gge-2015", "--coder", "alice", "--top", "3"];
    let (code, table, err) = run(dir, &args);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(dir, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let value = json(&out);
    assert_eq!(value["model"], "normcode-recommender/1");
    assert_eq!(value["trained_on"], "alice's coding");
    let units = value["units"].as_array().unwrap();
    assert!(units.len() > 10);
    let mut lines = table.lines();
    assert!(table.starts_with(&format!(
        "normcode-recommender/1, trained on alice's coding ({} units of {} documents",
        value["training_units"], value["training_documents"]
    )));
    let mut shown = 0;
    for unit in units {
        let heading = format!("un/gge-2015 {}", unit["unit"].as_str().unwrap());
        assert!(lines.any(|l| l == heading), "no heading {heading}");
        for (i, s) in unit["suggestions"].as_array().unwrap().iter().enumerate() {
            let line = lines.next().unwrap();
            let expected = format!(
                "  {}. {:<6} {:.3}  {}: {}",
                i + 1,
                s["indicator"].as_str().unwrap(),
                s["score"].as_f64().unwrap(),
                s["label"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            );
            assert_eq!(line, expected);
            shown += 1;
        }
    }
    assert!(shown > 20, "{table}");
    // One unit alone: the same suggestions as in the whole document.
    let (code, one, err) = run(
        dir,
        &[&args[..], &["--unit", "13", "--format", "json"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let one = json(&one);
    let thirteen = units.iter().find(|u| u["unit"] == "13").unwrap();
    assert_eq!(one["units"][0], *thirteen);
}

#[test]
fn cli_evaluation_reports_hits_scores_and_a_learning_curve() {
    let project = samples_copy();
    let dir = project.path();
    let (code, out, err) = run(dir, &["suggest", "--evaluate", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["method"], "leave-one-document-out");
    assert_eq!(v["trained_on"], "every coder's coding");
    for key in ["hit_at_1", "hit_at_3"] {
        let x = v[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{key} {x}");
    }
    assert!(v["hit_at_3"].as_f64() >= v["hit_at_1"].as_f64());
    let indicators = v["indicators"].as_array().unwrap();
    assert!(indicators.iter().any(|i| i["f1"].is_f64()));
    for i in indicators {
        for key in ["precision", "recall", "f1", "coded", "suggested", "correct"] {
            assert!(i.get(key).is_some(), "{i}");
        }
    }
    assert_eq!(v["learning_curve"].as_array().unwrap().len(), 10);
    let (code, table, _) = run(dir, &["suggest", "--evaluate"]);
    assert_eq!(code, 0);
    assert!(
        table.contains(&format!("hit@1  {:.3}", v["hit_at_1"].as_f64().unwrap())),
        "{table}"
    );
    assert!(
        table.contains(&format!("hit@3  {:.3}", v["hit_at_3"].as_f64().unwrap())),
        "{table}"
    );
}

#[test]
fn cli_as_coder_writes_a_coder_agree_can_measure_and_never_a_persons_file() {
    let project = samples_copy();
    let dir = project.path();
    let (code, out, err) = run(
        dir,
        &["suggest", "--as-coder", "machine", "--threshold", "0.4"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote annotations/machine.yaml"), "{out}");
    let written = std::fs::read_to_string(dir.join("annotations/machine.yaml")).unwrap();
    assert!(written.contains("Coded by normcode suggest"), "{written}");
    let (code, _, err) = run(dir, &["check"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        dir,
        &["agree", "--coders", "alice,machine", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("machine"));
    // It replaces its own file...
    let (code, _, err) = run(
        dir,
        &["suggest", "--as-coder", "machine", "--threshold", "0.6"],
    );
    assert_eq!(code, 0, "{err}");
    // ... and training on all coders leaves it out.
    let (_, a, _) = run(dir, &["suggest", "--evaluate", "--format", "json"]);
    std::fs::remove_file(dir.join("annotations/machine.yaml")).unwrap();
    let (_, b, _) = run(dir, &["suggest", "--evaluate", "--format", "json"]);
    assert_eq!(json(&a)["units"], json(&b)["units"]);
    // Never a person's.
    let before = std::fs::read(dir.join("annotations/alice.yaml")).unwrap();
    let (code, _, err) = run(dir, &["suggest", "--as-coder", "alice"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("annotations/alice.yaml is a coder's own work"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.join("annotations/alice.yaml")).unwrap(),
        before
    );
}

#[test]
fn cli_bad_input_is_refused_clearly_and_changes_nothing() {
    let project = samples_copy();
    let dir = project.path();
    let cases: &[(&[&str], &str)] = &[
        (
            &["suggest", "un/gge-2099", "--coder", "alice"],
            "no document 'un/gge-2099'",
        ),
        (
            &[
                "suggest",
                "un/gge-2015",
                "--unit",
                "99.z",
                "--coder",
                "alice",
            ],
            "document un/gge-2015 has no unit '99.z'",
        ),
        (
            &["suggest", "un/gge-2015", "--coder", "zed"],
            "no coder file annotations/zed.yaml to train on",
        ),
        (
            &["suggest", "--evaluate", "--train-on", "consensus"],
            "no consensus file",
        ),
        (&["suggest", "--as-coder", "../evil"], "coder"),
        (
            &[
                "suggest",
                "un/gge-2015",
                "--threshold",
                "0.5",
                "--coder",
                "alice",
            ],
            "--threshold",
        ),
        (
            &["suggest", "--evaluate", "--threshold", "2"],
            "not a score from 0 to 1",
        ),
    ];
    for (args, message) in cases {
        let (code, out, err) = run(dir, args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A coder with nothing marked done: nothing to evaluate, said so.
    std::fs::write(
        dir.join("annotations/carol.yaml"),
        "schema: 1\ncoder: carol\ndocuments: {}\n",
    )
    .unwrap();
    let (code, _, err) = run(dir, &["suggest", "--evaluate", "--train-on", "carol"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("carol's coding has no document marked done"),
        "{err}"
    );
    let (code, _, err) = run(dir, &["suggest", "--as-coder", "m", "--train-on", "carol"]);
    assert_eq!(code, 2, "{err}");
    assert!(!dir.join("annotations/m.yaml").exists());
    // Suggestions still come, from the codebook, with a note.
    let (code, out, err) = run(
        dir,
        &["suggest", "un/gge-2015", "--unit", "13", "--coder", "carol"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("the suggestions come from the codebook alone"),
        "{err}"
    );
    assert!(out.contains("codebook: "), "{out}");
}
