//! `normcode report`: golden Markdown and CSV on a small fixture project
//! (`tests/fixtures/report/project`: two publisher groups, five documents from 2013 to 2016, one
//! in Chinese, two coders who disagree in places; every number in `expected/` was checked by
//! hand against the coder files), the agenda of the real samples for one indicator checked by
//! hand, the SVG chart, co-occurrence symmetry, Chinese labels, combining coders, and usage
//! errors. The fixture and the samples are only read; tests that change a project work on a copy.
//!
//! After an intended change of the output, `NORMCODE_BLESS=1 cargo test --test report` rewrites
//! the expected files; read the diff before committing it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/report")
}

fn run(project: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--project")
        .arg(project)
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .output()
        .unwrap()
}

/// `normcode report ARGS` on `project`; it must succeed. Returns stdout.
fn report(project: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let out = run(project, &all);
    assert!(
        out.status.success(),
        "normcode {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(project: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&report(project, &all)).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture project.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    copy_dir(&fixtures().join("project"), &root);
    (dir, root)
}

fn series<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no series {name}"))
}

fn row<'a>(series: &'a Value, indicator: &str) -> &'a Value {
    series["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == indicator)
        .unwrap_or_else(|| panic!("no row {indicator}"))
}

fn years(row: &Value, group: &str) -> Vec<i64> {
    row["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == group)
        .unwrap()["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y.as_i64().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Golden outputs

#[test]
fn every_report_matches_its_golden_markdown_and_csv() {
    let project = fixtures().join("project");
    let bless = std::env::var_os("NORMCODE_BLESS").is_some();
    let mut failed = Vec::new();
    for kind in ["frequencies", "agenda", "cooccurrence", "progress"] {
        for (format, extension) in [("md", "md"), ("csv", "csv")] {
            let got = report(&project, &[kind, "--format", format]);
            let path = fixtures().join(format!("expected/{kind}.{extension}"));
            if bless {
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap();
            if got != expected {
                failed.push(format!("{}:\n{got}", path.display()));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "reports differ from their golden files:\n{}",
        failed.join("\n")
    );
}

#[test]
fn markdown_tables_line_up_in_a_terminal() {
    let md = report(&fixtures().join("project"), &["agenda", "--lang", "zh"]);
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert!(table.len() >= 6, "{md}");
    // Every row of a table has its bars in the same display columns, Chinese labels included.
    let bars = |line: &str| {
        let mut at = Vec::new();
        let mut column = 0;
        for c in line.chars() {
            if c == '|' {
                at.push(column);
            }
            column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        at
    };
    let first = bars(table[0]);
    for line in &table[..6] {
        assert_eq!(bars(line), first, "misaligned: {line}");
    }
}

#[test]
fn csv_parses_with_one_header_and_typed_cells() {
    let csv_text = report(&fixtures().join("project"), &["agenda", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..2], ["coder", "indicator"]);
    let all: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let left_out = header
        .iter()
        .position(|h| h == "left_out_document")
        .unwrap();
    let (rows, left): (Vec<csv::StringRecord>, Vec<csv::StringRecord>) =
        all.into_iter().partition(|r| r[left_out].is_empty());
    // 2 coders × 4 indicators × 2 groups, then alice's two documents not done.
    assert_eq!(rows.len(), 16);
    assert_eq!(left.len(), 2);
    let lead = header.iter().position(|h| h == "lead_years").unwrap();
    let bob_il01 = rows
        .iter()
        .find(|r| &r[0] == "bob" && &r[1] == "IL01")
        .unwrap();
    assert_eq!(&bob_il01[lead], "3", "bob: UN GGE 2013, the company 2016");
}

// ---------------------------------------------------------------------------------------------
// The agenda on the real samples

/// Checked by hand in annotations/alice.yaml and the samples' front matter: alice coded VU01
/// in company/microsoft-2014 (Microsoft, 2014) and company/microsoft-2016 (2016), in
/// un/gge-2015, zh/gge-2015-zh (UN GGE, 2015), un/gge-2021 and un/oewg-2021 (2021), and in
/// industry/tech-accord-2018. So the company raised responsible vulnerability disclosure first,
/// one year before the intergovernmental process.
#[test]
fn on_the_samples_the_company_raised_vulnerability_disclosure_a_year_first() {
    let report = json(
        &repo(),
        &[
            "agenda",
            "--coders",
            "alice",
            "--groups",
            "company,intergovernmental",
        ],
    );
    let groups: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["company", "intergovernmental"]);
    let vu01 = row(series(&report, "alice"), "VU01");
    assert_eq!(years(vu01, "company"), [2014, 2016]);
    assert_eq!(years(vu01, "intergovernmental"), [2015, 2021]);
    assert_eq!(vu01["first"], serde_json::json!(["company"]));
    assert_eq!(vu01["first_year"], 2014);
    assert_eq!(vu01["lead"], 1);

    // With every group compared, the Tech Accord's 2018 changes nothing: still the company, +1.
    let all = json(&repo(), &["agenda", "--coders", "alice"]);
    let vu01 = row(series(&all, "alice"), "VU01");
    assert_eq!(years(vu01, "industry_coalition"), [2018]);
    assert_eq!(vu01["lead"], 1);

    let md = report_md_row(&["agenda", "--coders", "alice"], "VU01");
    assert!(
        md.contains("2014, 2016") && md.contains("| Company ") && md.contains("1 year"),
        "{md}"
    );
}

fn report_md_row(args: &[&str], indicator: &str) -> String {
    report(&repo(), args)
        .lines()
        .find(|l| l.starts_with(&format!("| {indicator} ")))
        .unwrap()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// SVG

#[test]
fn the_svg_chart_is_xml_with_one_row_per_indicator_and_a_legend() {
    let args = ["agenda", "--combine", "any"];
    let svg = report(&repo(), &[&args[..], &["--format", "svg"]].concat());
    let data = json(&repo(), &args);
    let expected_rows: Vec<String> = series(&data, "any(alice,bob)")["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(expected_rows.len() > 40, "{}", expected_rows.len());

    let mut reader = Reader::from_str(&svg);
    let mut root = None;
    let mut rows = Vec::new();
    let mut texts = String::new();
    loop {
        match reader.read_event().expect("the SVG is well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                if root.is_none() {
                    root = Some(name.clone());
                }
                let attr = |key: &str| {
                    e.attributes()
                        .map(Result::unwrap)
                        .find(|a| a.key.local_name().as_ref() == key)
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                };
                if name == "g" && attr("class").as_deref() == Some("row") {
                    rows.push(attr("data-indicator").unwrap());
                }
            }
            Event::Text(t) => texts.push_str(&t.xml10_content()),
            Event::GeneralRef(_) => {}
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("svg"));
    assert_eq!(rows, expected_rows, "one row per indicator, in order");
    for label in [
        "Intergovernmental process",
        "Company",
        "Industry coalition",
        "Multistakeholder initiative",
    ] {
        assert!(texts.contains(label), "legend lacks {label}");
    }
    for year in 2010..=2021 {
        assert!(texts.contains(&year.to_string()), "axis lacks {year}");
    }
    assert!(texts.contains("VU01"));
}

#[test]
fn svg_is_for_the_agenda_only() {
    let out = run(
        &fixtures().join("project"),
        &["report", "frequencies", "--format", "svg"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("agenda"));
}

// ---------------------------------------------------------------------------------------------
// Co-occurrence

#[test]
fn cooccurrence_is_symmetric_within_units_and_documents() {
    for within in ["unit", "document"] {
        let data = json(&repo(), &["cooccurrence", "--within", within]);
        for series in data["series"].as_array().unwrap() {
            let matrix: Vec<Vec<u64>> = series["matrix"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_u64().unwrap())
                        .collect()
                })
                .collect();
            let n = series["indicators"].as_array().unwrap().len();
            assert_eq!(matrix.len(), n);
            let mut off_diagonal = 0;
            for i in 0..n {
                assert!(matrix[i][i] > 0, "every listed indicator occurs");
                for j in 0..n {
                    assert_eq!(matrix[i][j], matrix[j][i], "{within}: [{i}][{j}]");
                    assert!(matrix[i][j] <= matrix[i][i].min(matrix[j][j]));
                    if i != j {
                        off_diagonal += matrix[i][j];
                    }
                }
            }
            assert!(off_diagonal > 0, "some indicators co-occur on the samples");
        }
    }
    // The csv lists each pair in both orders with the same count.
    let csv_text = report(&repo(), &["cooccurrence", "--format", "csv"]);
    let mut counts = std::collections::BTreeMap::new();
    for record in csv::Reader::from_reader(csv_text.as_bytes()).records() {
        let r = record.unwrap();
        counts.insert(
            (r[0].to_string(), r[2].to_string(), r[3].to_string()),
            r[6].to_string(),
        );
    }
    for ((coder, a, b), n) in &counts {
        assert_eq!(counts.get(&(coder.clone(), b.clone(), a.clone())), Some(n));
    }
}

#[test]
fn within_documents_counts_documents_not_units() {
    // alice codes IL01 in three units of the fixture but in two documents.
    let project = fixtures().join("project");
    let units = json(&project, &["cooccurrence", "--coders", "alice"]);
    let documents = json(
        &project,
        &["cooccurrence", "--coders", "alice", "--within", "document"],
    );
    let diagonal = |data: &Value, id: &str| {
        let s = series(data, "alice");
        let i = s["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["id"] == id)
            .unwrap();
        s["matrix"][i][i].as_u64().unwrap()
    };
    assert_eq!(diagonal(&units, "IL01"), 3);
    assert_eq!(diagonal(&documents, "IL01"), 2);
    // Within documents, IL01 and VU01 meet in un/gge-2015; they share no unit.
    let pair = |data: &Value| {
        let s = series(data, "alice");
        let ids: Vec<&str> = s["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let (i, j) = (
            ids.iter().position(|x| *x == "IL01").unwrap(),
            ids.iter().position(|x| *x == "VU01").unwrap(),
        );
        s["matrix"][i][j].as_u64().unwrap()
    };
    assert_eq!(pair(&units), 0);
    assert_eq!(pair(&documents), 1);
}

// ---------------------------------------------------------------------------------------------
// Languages, coders, combining

#[test]
fn lang_zh_gives_chinese_labels() {
    let project = fixtures().join("project");
    let md = report(&project, &["frequencies", "--lang", "zh"]);
    assert!(md.contains("负责任的漏洞披露"), "{md}");
    assert!(md.contains("政府间进程") && md.contains("企业"), "{md}");
    assert!(!md.contains("Responsible vulnerability disclosure"));
    let csv_text = report(&project, &["agenda", "--lang", "zh", "--format", "csv"]);
    assert!(csv_text.contains("VU01,负责任的漏洞披露,VULN,company,企业,2014;2016"));
    // On the samples' codebook too.
    let md = report_md_row(&["agenda", "--coders", "alice", "--lang", "zh"], "VU01");
    assert!(md.contains("负责任的协调漏洞披露"), "{md}");

    let out = run(&project, &["report", "agenda", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("en, zh"));
}

#[test]
fn coders_combine_as_any_all_or_majority() {
    let (_dir, root) = fixture_copy();
    // A third coder: VU01 in un/gge-2013 only, so that majority (2 of 3) differs from any and all.
    std::fs::write(
        root.join("annotations/carol.yaml"),
        "schema: 1\ncoder: carol\ndocuments:\n  un/gge-2013:\n    status: done\n    annotations:\n      \
         - unit: \"1\"\n        codes: [VU01, IL01]\n  company/ms-2016:\n    status: done\n    \
         annotations:\n      - unit: \"p2\"\n        codes: [IL01]\n",
    )
    .unwrap();
    // Every document counted, so that only the combination rule differs (what is counted by
    // default is tested below).
    let total = |combine: &str, indicator: &str| -> u64 {
        let data = json(
            &root,
            &["frequencies", "--combine", combine, "--include", "all"],
        );
        let all = data["series"].as_array().unwrap();
        assert_eq!(all.len(), 1, "one combined series");
        assert_eq!(all[0]["name"], format!("{combine}(alice,bob,carol)"));
        row(&all[0], indicator)["documents"].as_u64().unwrap()
    };
    // VU01: alice in gge-2015, ms-2014, ms-2016; bob in those and ms-2016-zh; carol in gge-2013
    // only. Any: 5 documents; all: none; majority (2 of 3): gge-2015, ms-2014, ms-2016.
    assert_eq!(total("any", "VU01"), 5);
    assert_eq!(total("all", "VU01"), 0);
    assert_eq!(total("majority", "VU01"), 3);
    // IL01: alice gge-2013, gge-2015; bob gge-2013, ms-2016; carol gge-2013, ms-2016.
    assert_eq!(total("any", "IL01"), 3);
    assert_eq!(total("all", "IL01"), 1);
    assert_eq!(total("majority", "IL01"), 2);

    // Per coder (the default) there is one series per coder, in the order asked for.
    let data = json(&root, &["frequencies", "--coders", "carol,alice"]);
    let names: Vec<&str> = data["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["carol", "alice"]);
    // A consensus file is just another coder.
    std::fs::copy(
        root.join("annotations/bob.yaml"),
        root.join("annotations/consensus.yaml"),
    )
    .unwrap();
    let text = std::fs::read_to_string(root.join("annotations/consensus.yaml")).unwrap();
    std::fs::write(
        root.join("annotations/consensus.yaml"),
        text.replace("coder: bob", "coder: consensus"),
    )
    .unwrap();
    let md = report(&root, &["agenda", "--coders", "consensus"]);
    assert!(md.contains("## Coder consensus"), "{md}");
}

#[test]
fn groups_pick_and_order_the_compared_groups() {
    let project = fixtures().join("project");
    let data = json(&project, &["agenda", "--groups", "company"]);
    let vu01 = row(series(&data, "alice"), "VU01");
    assert_eq!(vu01["groups"].as_array().unwrap().len(), 1);
    assert_eq!(vu01["first"], serde_json::json!(["company"]));
    assert_eq!(vu01["lead"], Value::Null, "no other group to lead");
    // IL01 is raised by no company document of alice's.
    let alice = series(&data, "alice");
    assert_eq!(alice["not_raised"], serde_json::json!(["IL01"]));

    let out = run(&project, &["report", "agenda", "--groups", "ngo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'ngo'") && err.contains("intergovernmental, company"),
        "{err}"
    );
    let out = run(&project, &["report", "frequencies", "--groups", "company"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn documents_without_a_year_or_group_are_left_out_with_a_warning() {
    let (_dir, root) = fixture_copy();
    std::fs::write(
        root.join("documents/undated.md"),
        "---\ntitle: Undated\n---\nVulnerabilities matter.\n",
    )
    .unwrap();
    let bob = root.join("annotations/bob.yaml");
    let text = std::fs::read_to_string(&bob).unwrap();
    std::fs::write(
        &bob,
        format!("{text}  undated:\n    status: done\n    annotations:\n      - unit: \"p1\"\n        codes: [VU01]\n"),
    )
    .unwrap();
    let out = run(
        &root,
        &["report", "agenda", "--coders", "bob", "--format", "json"],
    );
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: 1 document with no year") && err.contains("undated"),
        "{err}"
    );
    let data: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The undated document does not move VU01's years.
    let vu01 = row(series(&data, "bob"), "VU01");
    assert_eq!(years(vu01, "company"), [2014, 2016]);
    // Frequencies still count it in the total.
    let data = json(&root, &["frequencies", "--coders", "bob"]);
    assert_eq!(row(series(&data, "bob"), "VU01")["documents"], 5);
}

#[test]
fn progress_counts_units_coded_per_coder_and_document() {
    let data = json(&fixtures().join("project"), &["progress"]);
    let alice = &data["coders"][0];
    assert_eq!(alice["coder"], "alice");
    assert_eq!(alice["totals"]["done"], 3);
    assert_eq!(alice["totals"]["not_started"], 1);
    assert_eq!(alice["totals"]["units"], 14);
    assert_eq!(alice["totals"]["units_coded"], 8);
    let gge = alice["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document"] == "un/gge-2015")
        .unwrap();
    assert_eq!(
        (gge["units"].as_u64(), gge["units_coded"].as_u64()),
        (Some(4), Some(3))
    );
    let out = run(
        &fixtures().join("project"),
        &["report", "progress", "--combine", "any"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_coders_and_misplaced_options_are_usage_errors() {
    let project = fixtures().join("project");
    for args in [
        &["report", "agenda", "--coders", "zoe"][..],
        &["report", "agenda", "--within", "document"][..],
        &["report", "nonsense"][..],
    ] {
        let out = run(&project, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(&project, &["report", "agenda", "--coders", "zoe"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("alice, bob"));
}

#[test]
fn out_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agenda.svg");
    let out = run(
        &fixtures().join("project"),
        &[
            "report",
            "agenda",
            "--format",
            "svg",
            "--out",
            path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
}

// ---------------------------------------------------------------------------------------------
// What the reports count (issue 17, item 6)

fn left_out(report: &Value) -> Vec<(String, String, String)> {
    report["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["document"].as_str().unwrap().to_string(),
                l["coder"].as_str().unwrap().to_string(),
                l["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn command_json(project: &Path, args: &[&str]) -> Value {
    let out = run(project, args);
    assert!(
        out.status.success(),
        "normcode {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn reports_count_the_documents_each_coder_marked_done_and_list_the_rest() {
    let project = fixtures().join("project");
    // alice: ms-2016 in progress (VU01 there), ms-2016-zh not started; bob: all five done.
    let data = json(&project, &["frequencies"]);
    assert_eq!(series(&data, "alice")["documents"], 3);
    assert_eq!(series(&data, "bob")["documents"], 5);
    assert_eq!(
        row(series(&data, "alice"), "VU01")["documents"],
        2,
        "ms-2016 is in progress: its VU01 is not counted"
    );
    // The document row counts the counted documents: alice has one company document done.
    assert_eq!(series(&data, "alice")["documents_by_group"]["company"], 1);
    assert_eq!(series(&data, "bob")["documents_by_group"]["company"], 3);
    let expected = vec![
        (
            "company/ms-2016".to_string(),
            "alice".to_string(),
            "in_progress".to_string(),
        ),
        (
            "zh/ms-2016-zh".to_string(),
            "alice".to_string(),
            "not_started".to_string(),
        ),
    ];
    assert_eq!(left_out(&data), expected);
    for kind in ["agenda", "cooccurrence"] {
        assert_eq!(left_out(&json(&project, &[kind])), expected, "{kind}");
    }
    // Markdown says it, CSV has a row per document left out, stderr warns.
    let md = report(&project, &["agenda"]);
    assert!(
        md.contains("| alice | in progress |         1 | company/ms-2016 |"),
        "{md}"
    );
    let out = run(&project, &["report", "frequencies", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",left_out_document,left_out_reason")
    );
    assert!(
        csv.contains("\nalice,,,,,,,,,company/ms-2016,in_progress\n"),
        "{csv}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("alice: documents not counted: 1 not started, 1 in progress"),
        "{err}"
    );
    // The agenda does not call the group alone when a document not counted carries it.
    let md = report(&project, &["agenda", "--coders", "alice"]);
    assert!(md.contains("2014 (1 not counted)"), "{md}");

    // --include in-progress counts ms-2016; --include all counts everything.
    let data = json(&project, &["frequencies", "--include", "in-progress"]);
    assert_eq!(series(&data, "alice")["documents"], 4);
    assert_eq!(row(series(&data, "alice"), "VU01")["documents"], 3);
    assert_eq!(left_out(&data).len(), 1);
    let data = json(&project, &["frequencies", "--include", "all"]);
    assert_eq!(series(&data, "alice")["documents"], 5);
    assert!(left_out(&data).is_empty());
    let md = report(&project, &["frequencies", "--include", "all"]);
    assert!(md.contains("Nothing was left out."), "{md}");

    let out = run(&project, &["report", "progress", "--include", "all"]);
    assert_eq!(out.status.code(), Some(2), "progress lists every document");
}

#[test]
fn documents_coded_only_from_search_hits_are_left_out_until_marked_done() {
    let (_dir, root) = fixture_copy();
    // What coding search hits writes: whole units in one batch, one creation time, no memo.
    let alice = root.join("annotations/alice.yaml");
    let text = std::fs::read_to_string(&alice).unwrap();
    let batch = "created: \"2026-10-01T10:00:00Z\"\n        modified: \"2026-10-01T10:00:00Z\"";
    std::fs::write(
        &alice,
        text.replace("  company/ms-2016:\n    status: in_progress\n    annotations:\n      - unit: \"p1\"\n        codes: [VU01]\n",
            &format!("  company/ms-2016:\n    status: in_progress\n    annotations:\n      - unit: \"p1\"\n        codes: [VU01]\n        {batch}\n  zh/ms-2016-zh:\n    status: in_progress\n    annotations:\n      - unit: \"p2\"\n        codes: [VU01]\n        {batch}\n")),
    )
    .unwrap();
    let data = json(&root, &["agenda", "--coders", "alice"]);
    assert_eq!(
        left_out(&data),
        [
            (
                "company/ms-2016".into(),
                "alice".into(),
                "search_coded_only".into()
            ),
            (
                "zh/ms-2016-zh".into(),
                "alice".into(),
                "search_coded_only".into()
            ),
        ]
    );
    // Counting documents in progress still leaves them out; all counts them.
    let data = json(
        &root,
        &["agenda", "--coders", "alice", "--include", "in-progress"],
    );
    assert_eq!(left_out(&data).len(), 2);
    assert_eq!(
        years(row(series(&data, "alice"), "VU01"), "company"),
        [2014]
    );
    let data = json(&root, &["agenda", "--coders", "alice", "--include", "all"]);
    assert_eq!(
        years(row(series(&data, "alice"), "VU01"), "company"),
        [2014, 2016]
    );
    // Hand-coded (one annotation edited later): an ordinary document in progress.
    let text = std::fs::read_to_string(&alice).unwrap();
    std::fs::write(
        &alice,
        text.replacen(
            "modified: \"2026-10-01T10:00:00Z\"",
            "modified: \"2026-10-02T10:00:00Z\"",
            1,
        ),
    )
    .unwrap();
    let data = json(&root, &["agenda", "--coders", "alice"]);
    assert_eq!(left_out(&data)[0].2, "in_progress");
    assert_eq!(left_out(&data)[1].2, "search_coded_only");
}

#[test]
fn report_status_agree_and_export_count_the_same_documents() {
    let project = fixtures().join("project");
    // status: documents done per coder = the documents each coder's series counts.
    let status = command_json(&project, &["status", "--format", "json"]);
    let frequencies = json(&project, &["frequencies"]);
    for coder in status["coders"].as_array().unwrap() {
        let name = coder["coder"].as_str().unwrap();
        assert_eq!(
            series(&frequencies, name)["documents"],
            coder["documents_done"],
            "{name}"
        );
    }
    // agree: the documents compared = those a combined series counts, and the documents left
    // out are the same.
    let agree = command_json(&project, &["agree", "--format", "json"]);
    let combined = json(&project, &["frequencies", "--combine", "all"]);
    let all = &combined["series"][0];
    assert_eq!(
        all["documents"].as_u64().unwrap() as usize,
        agree["compared_documents"].as_array().unwrap().len()
    );
    let mut agree_left: Vec<(String, String, String)> = agree["left_out_documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["not_done"].as_array().unwrap().iter().map(move |c| {
                (
                    d["document"].as_str().unwrap().to_string(),
                    c["coder"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    agree_left.sort();
    let mut report_left = left_out(&combined);
    report_left.sort();
    assert_eq!(report_left, agree_left);
    // agree --level document: the documents where both coded IL01 equal the combined count.
    let document_level = command_json(
        &project,
        &["agree", "--level", "document", "--format", "json"],
    );
    assert_eq!(
        document_level["units"].as_u64(),
        all["documents"].as_u64(),
        "document-level agreement compares the documents the combined report counts"
    );

    // export matrix: a coder's rows with cells are the documents counted, and the cells add up
    // to the frequencies.
    let out = run(&project, &["export", "--format", "matrix"]);
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    for coder in ["alice", "bob"] {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == coder).collect();
        let with_cells = mine.iter().filter(|r| !r[at("VU01")].is_empty()).count();
        assert_eq!(
            with_cells as u64,
            series(&frequencies, coder)["documents"].as_u64().unwrap(),
            "{coder}"
        );
        for indicator in ["IL01", "NM01", "CI01", "VU01"] {
            let ones = mine.iter().filter(|r| r[at(indicator)] == "1").count();
            assert_eq!(
                ones as u64,
                row(series(&frequencies, coder), indicator)["documents"]
                    .as_u64()
                    .unwrap(),
                "{coder} {indicator}"
            );
        }
    }
    // Not done: missing, not 0.
    let ms2016 = rows
        .iter()
        .find(|r| r[0] == "alice" && r[1] == "company/ms-2016")
        .unwrap();
    assert_eq!(ms2016[at("status")], "in_progress");
    assert!(
        ["IL01", "NM01", "CI01", "VU01"]
            .iter()
            .all(|i| ms2016[at(i)].is_empty())
    );
}

/// A consensus of alice and bob half adjudicated: ms-2014 decided and done; in gge-2013 and
/// gge-2015 only the units they agreed on are in, the rest undecided.
fn half_consensus(root: &Path) {
    std::fs::write(
        root.join("annotations/consensus.yaml"),
        "schema: 1\ncoder: consensus\ndocuments:\n  company/ms-2014:\n    status: done\n    \
         annotations:\n      - unit: \"p2\"\n        codes: [CI01, VU01]\n      - unit: \"p3\"\n        \
         codes: [NM01]\n  un/gge-2013:\n    status: in_progress\n    annotations:\n      - unit: \"1\"\n        \
         codes: [IL01]\n  un/gge-2015:\n    status: in_progress\n    annotations:\n      - unit: \"1.b\"\n        \
         codes: [VU01]\n",
    )
    .unwrap();
}

#[test]
fn a_half_adjudicated_consensus_says_what_is_pending_and_claims_no_group_alone() {
    let (_dir, root) = fixture_copy();
    half_consensus(&root);
    // Undecided: gge-2013 unit 2 (alice IL01+NM01, bob NM01), gge-2015 1.a (CI01+IL01 / CI01)
    // and unit 2 (NM01 / nothing). Per indicator some coder gave: IL01 2, NM01 2, CI01 1.
    let data = json(&root, &["agenda", "--coders", "consensus"]);
    let consensus = series(&data, "consensus");
    assert_eq!(consensus["unresolved"]["units"], 3);
    assert_eq!(
        consensus["unresolved"]["by_indicator"],
        serde_json::json!({"CI01": 1, "IL01": 2, "NM01": 2})
    );
    // Only ms-2014 is done: CI01, VU01 and NM01 are the company's, but the intergovernmental
    // documents have units pending on CI01 and NM01 (and VU01 in a document not counted).
    let md = report(&root, &["agenda", "--coders", "consensus"]);
    assert!(!md.contains("(only) |"), "{md}");
    assert!(
        md.contains("Company (pending: Intergovernmental process)"),
        "{md}"
    );
    assert!(
        md.contains("disagreements of alice, bob not yet resolved"),
        "{md}"
    );
    let cell = row(consensus, "CI01")["groups"][0].clone();
    assert_eq!(cell["group"], "intergovernmental");
    assert_eq!(cell["pending_units"], 1);
    let freq = report(&root, &["frequencies", "--coders", "consensus"]);
    assert!(freq.contains("CI01 (1), IL01 (2), NM01 (2)"), "{freq}");

    // Once decided (everything marked done with the units in), nothing is pending.
    let decided = std::fs::read_to_string(root.join("annotations/consensus.yaml"))
        .unwrap()
        .replace("in_progress", "done");
    std::fs::write(root.join("annotations/consensus.yaml"), decided).unwrap();
    let data = json(&root, &["agenda", "--coders", "consensus"]);
    assert!(series(&data, "consensus").get("unresolved").is_none());
}

#[test]
fn combine_leaves_the_consensus_out_unless_named() {
    let (_dir, root) = fixture_copy();
    half_consensus(&root);
    let out = run(
        &root,
        &[
            "report",
            "frequencies",
            "--combine",
            "any",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success());
    let data: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        data["series"][0]["coders"],
        serde_json::json!(["alice", "bob"])
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("consensus is not combined"), "{err}");
    // Named, it is combined.
    let data = json(
        &root,
        &[
            "frequencies",
            "--combine",
            "any",
            "--coders",
            "alice,bob,consensus",
        ],
    );
    assert_eq!(
        data["series"][0]["coders"],
        serde_json::json!(["alice", "bob", "consensus"])
    );
    // Per coder, it is its own series.
    let data = json(&root, &["frequencies"]);
    assert_eq!(data["series"].as_array().unwrap().len(), 3);
}
