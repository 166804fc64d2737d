//! Issue 17's "done when": a corpus shaped like the study (tests/fixtures/study: 13 texts, two
//! publisher groups, English and Chinese, a bulleted list, a PDF-like text without blank lines,
//! lettered sub-paragraphs) goes from a new project to the agenda table and figure with no
//! hand-editing: every step is a normcode command a researcher would run, through the real
//! binary, in a fresh project.

mod common;
use common::{copy_dir, normcode, repo, run};

use std::path::Path;

use serde_json::Value;

/// A new project with the study's documents in it, one of them by a publisher the default
/// codebook does not know (a Chinese academic article).
fn new_study_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), &["init", "study"]);
    assert_eq!(code, 0, "init: {err}");
    let root = dir.path().join("study");
    copy_dir(
        &repo().join("tests/fixtures/study/documents"),
        &root.join("documents"),
    );
    let article = root.join("documents/company/company-2017-zh.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        text.replace("publisher: Microsoft\n", "publisher: 学术研究\n"),
    )
    .unwrap();
    dir
}

fn json(root: &Path, args: &[&str]) -> Value {
    let (code, out, err) = run(root, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

/// Codes for two coders who agree on everything but one unit; every document marked done.
fn code_the_study(root: &Path) {
    let documents = [
        "intergovernmental/gge-2013",
        "intergovernmental/gge-2015",
        "intergovernmental/gge-2017-zh",
        "intergovernmental/gge-2021",
        "intergovernmental/oewg-2019-pdf",
        "intergovernmental/oewg-2021",
        "company/company-2014",
        "company/company-2016",
        "company/company-2017-zh",
        "company/company-2018-principles",
        "company/company-2019",
        "company/company-2020",
        "company/company-2021",
    ];
    let shared = [
        r#"{"document": "intergovernmental/gge-2015", "span": {"quote": "keep supply chains whole"}, "add": ["SC01"]}"#,
        r#"{"document": "intergovernmental/gge-2015", "span": {"quote": "protect their own critical infrastructure"}, "add": ["CI02"]}"#,
        r#"{"document": "company/company-2018-principles", "unit": "p4.6", "add": ["SC01"]}"#,
        r#"{"document": "company/company-2018-principles", "unit": "p4.2", "add": ["CI05"]}"#,
        r#"{"document": "company/company-2021", "span": {"quote": "Supply chains must be protected"}, "add": ["SC01"]}"#,
        r#"{"document": "company/company-2017-zh", "span": {"quote": "企业应尽快修补漏洞"}, "add": ["VU01"]}"#,
        r#"{"document": "intergovernmental/oewg-2019-pdf", "unit": "p7.a", "add": ["CB02"]}"#,
    ];
    for (coder, own) in [
        (
            "alice",
            r#"{"document": "intergovernmental/gge-2021", "span": {"quote": "designate critical infrastructure"}, "add": ["CI02"]}"#,
        ),
        (
            "bob",
            r#"{"document": "intergovernmental/gge-2021", "span": {"quote": "designate critical infrastructure"}, "add": ["CI01"]}"#,
        ),
    ] {
        let mut batch: Vec<String> = shared.iter().map(|l| l.to_string()).collect();
        batch.push(own.to_string());
        batch.extend(
            documents
                .iter()
                .map(|d| format!(r#"{{"document": "{d}", "status": "done"}}"#)),
        );
        let file = root.join(format!("{coder}.jsonl"));
        std::fs::write(&file, batch.join("\n") + "\n").unwrap();
        let (code, out, err) = run(
            root,
            &["code", "--coder", coder, "--batch", file.to_str().unwrap()],
        );
        assert_eq!(code, 0, "code --batch for {coder}: {out}{err}");
        std::fs::remove_file(file).unwrap();
    }
}

fn row<'a>(series: &'a Value, indicator: &str) -> &'a Value {
    series["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == indicator)
        .unwrap_or_else(|| panic!("{indicator} is on the agenda: {series}"))
}

#[test]
fn the_study_goes_from_documents_to_the_agenda_table_and_figure_with_no_hand_editing() {
    let dir = new_study_project();
    let root = dir.path().join("study");

    // The unknown publisher is an error that names the command to run, and the command fixes it.
    let (code, out, err) = run(&root, &["check"]);
    assert_ne!(code, 0, "an unknown publisher fails check: {out}{err}");
    let said = format!("{out}{err}");
    assert!(
        said.contains("normcode codebook variable publisher --add '学术研究'"),
        "check names the command: {said}"
    );
    assert!(
        said.contains("1 error,"),
        "one error, in the singular: {said}"
    );
    let (code, _, err) = run(
        &root,
        &[
            "codebook",
            "variable",
            "publisher",
            "--add",
            "学术研究",
            "--group",
            "academic",
        ],
    );
    assert_eq!(code, 0, "codebook variable: {err}");
    let (code, out, err) = run(&root, &["check"]);
    assert_eq!(code, 0, "check is clean afterwards: {out}{err}");
    assert!(out.contains("13 documents"), "{out}");

    // The structure of the texts is the structure of the units: the nine principles are nine
    // units, the PDF-like text's lettered items are units under their paragraph.
    let units = json(
        &root,
        &[
            "units",
            "company/company-2018-principles",
            "--format",
            "json",
        ],
    );
    let ids: Vec<&str> = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    for i in 1..=9 {
        assert!(ids.contains(&format!("p4.{i}").as_str()), "{ids:?}");
    }
    let pdf = json(
        &root,
        &[
            "units",
            "intergovernmental/oewg-2019-pdf",
            "--format",
            "json",
        ],
    );
    let pdf_ids: Vec<&str> = pdf["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(
        pdf_ids.contains(&"p7.a") && pdf_ids.contains(&"p7.c"),
        "{pdf_ids:?}"
    );

    code_the_study(&root);

    // Status, agree and the agenda count the same 13 documents.
    let status = json(&root, &["status", "--format", "json"]);
    let agree = json(
        &root,
        &["agree", "--coders", "alice,bob", "--format", "json"],
    );
    assert_eq!(
        agree["compared_documents"].as_array().map(Vec::len),
        Some(13),
        "agree compares every document: {agree}"
    );
    for coder in status["coders"].as_array().unwrap() {
        assert_eq!(coder["documents_done"], 13, "{coder}");
    }
    assert_eq!(status["documents"], 13);

    let agenda = json(&root, &["report", "agenda", "--format", "json"]);
    assert_eq!(
        agenda["left_out"].as_array().map(Vec::len),
        Some(0),
        "{agenda}"
    );
    for series in agenda["series"].as_array().unwrap() {
        let sc01 = row(series, "SC01");
        assert_eq!(sc01["first"], serde_json::json!(["intergovernmental"]));
        assert_eq!(sc01["first_year"], 2015);
        assert_eq!(sc01["lead"], 3, "the company raised it in 2018: {sc01}");
        let ci05 = row(series, "CI05");
        assert_eq!(ci05["first"], serde_json::json!(["company"]));
        assert!(ci05["lead"].is_null(), "only the company raised CI05");
        let vu01 = row(series, "VU01");
        assert_eq!(vu01["first"], serde_json::json!(["academic"]));
        assert_eq!(vu01["first_year"], 2017);
    }
    // The two coders differ where they should: CI01 for bob, CI02 from 2021 for alice too.
    let bob = &agenda["series"].as_array().unwrap()[1];
    assert_eq!(bob["name"], "bob");
    assert_eq!(row(bob, "CI01")["first_year"], 2021);

    // The table a paper takes, in Markdown and LaTeX, and the figure as SVG and PNG.
    let (code, md, err) = run(&root, &["report", "agenda", "--format", "md"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("Company (only)"), "{md}");
    let (code, tex, err) = run(&root, &["report", "agenda", "--format", "latex"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        tex.contains("\\toprule") && tex.contains("\\bottomrule"),
        "{tex}"
    );
    let (code, svg, err) = run(&root, &["report", "agenda", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    assert!(!svg.contains('…'), "no label is cut");
    let png = root.join("agenda.png");
    normcode(&root)
        .args(["report", "agenda", "--format", "png", "--out"])
        .arg(&png)
        .assert()
        .success();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert!(bytes.len() > 10_000, "a figure, not an empty image");
}
