//! `normcode agree`: agreement between coder files, and the stand-alone calculator.
//!
//! - On the real samples (the repository root is a project with coders alice and bob; only
//!   read): the table and the JSON, and one indicator's unit-level alpha and percent agreement
//!   recomputed here from the coder files read directly with serde-saphyr.
//! - On `tests/fixtures/agree/project`, a small project with known answers (computed by hand in
//!   the comments below): five two-paragraph documents (units `p1`, `p2`), coders alice, bob and
//!   carol, and a `consensus` file that the default must leave out. Bob has not finished `doc5`,
//!   so with him it is left out; alice and carol both finished it.
//! - `--data` and `--spans` on the published data sets of `tests/fixtures/reliability`, and broken
//!   CSV files (`tests/fixtures/agree/*.csv`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;
use serde_json::Value;

use normcode::project::Project;
use normcode::reliability::{Metric, ReliabilityData, krippendorff_alpha};

const BIN: &str = env!("CARGO_BIN_EXE_normcode");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/agree/project")
}

fn run(project: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--project")
        .arg(project)
        .arg("agree")
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .env_remove("NORMCODE_CODER")
        .output()
        .unwrap()
}

/// `normcode agree ARGS` on `project`; it must succeed. Returns stdout.
fn agree(project: &Path, args: &[&str]) -> String {
    let out = run(project, args);
    assert!(
        out.status.success(),
        "normcode agree {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(project: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&agree(project, &all)).unwrap()
}

fn row<'a>(report: &'a Value, indicator: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == indicator)
        .unwrap_or_else(|| panic!("no row {indicator} in {report:#}"))
}

#[track_caller]
fn close(value: &Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number, expected {expected}"));
    assert!(
        (got - expected).abs() < 1e-9,
        "got {got}, expected {expected}"
    );
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

/// The text with line breaks and runs of spaces as single spaces: notes are wrapped to the width.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The line of a table that starts with `first`.
fn line<'a>(table: &'a str, first: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(first))
        .unwrap_or_else(|| panic!("no line for {first} in\n{table}"))
}

// --- The samples -------------------------------------------------------------------------------

#[test]
fn samples_table_lists_indicators_and_the_documents_left_out() {
    let table = agree(&repo(), &[]);
    assert!(table.starts_with("Agreement of alice and bob at the unit level"));
    let header = line(&table, "indicator");
    for column in ["label", "units", "coded", "agree", "kappa", "pi", "alpha"] {
        assert!(header.contains(column), "{header}");
    }
    // Indicators from several groups, and the overall line with its MASI alpha.
    for id in ["IL01", "CI01", "VU01", "NM01", "TH02"] {
        line(&table, id);
    }
    let overall = line(&table, "overall");
    assert!(overall.contains("MASI"), "{overall}");
    // Alice is still coding the Microsoft 2018 paper: it is left out, and the table says why.
    assert!(
        table.contains("company/microsoft-2018 (alice: in progress)"),
        "{table}"
    );
    assert!(flat(&table).contains("Krippendorff's floor for tentative conclusions"));
    assert!(table.contains("(list them with --disagreements)"));
}

#[test]
fn samples_json_has_rows_with_numbers_or_nulls_and_the_overall_row() {
    let report = json(&repo(), &[]);
    assert_eq!(report["level"], "unit");
    assert_eq!(strings(&report["coders"]), ["alice", "bob"]);
    assert_eq!(report["kappa"], "cohen");
    let compared = strings(&report["compared_documents"]);
    assert!(!compared.contains(&"company/microsoft-2018"));
    let left_out: Vec<&str> = report["left_out_documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["document"].as_str().unwrap())
        .collect();
    assert!(left_out.contains(&"company/microsoft-2018"), "{left_out:?}");

    let rows = report["rows"].as_array().unwrap();
    assert!(rows.len() > 20, "{}", rows.len());
    for row in rows {
        for key in ["percent_agreement", "kappa", "scott_pi", "alpha"] {
            let value = &row[key];
            assert!(value.is_number() || value.is_null(), "{key}: {row:#}");
            // Every null says why.
            assert_eq!(
                value.is_null(),
                row["undefined"][key].is_string(),
                "{key}: {row:#}"
            );
        }
        assert!(row["coded"]["alice"].is_u64() && row["coded"]["bob"].is_u64());
        // A listed indicator was used by someone.
        assert!(
            row["coded"]["alice"].as_u64().unwrap() + row["coded"]["bob"].as_u64().unwrap() > 0
        );
    }
    // Unused indicators are listed, not rows.
    let unused = strings(&report["unused"]);
    for id in &unused {
        assert!(rows.iter().all(|r| r["indicator"] != *id));
    }

    let overall = &report["overall"];
    assert!(overall["description"].as_str().unwrap().contains("MASI"));
    let alpha = overall["alpha"].as_f64().unwrap();
    assert!(alpha > 0.0 && alpha <= 1.0, "{alpha}");
    assert!(overall["kappa"].is_null());
    assert!(
        overall["undefined"]["kappa"]
            .as_str()
            .unwrap()
            .contains("set-valued")
    );

    let disagreements = report["disagreements"].as_array().unwrap();
    assert!(!disagreements.is_empty());
    for d in disagreements {
        assert!(compared.contains(&d["document"].as_str().unwrap()));
        assert_ne!(d["codes"]["alice"], d["codes"]["bob"], "{d}");
    }
}

/// A coder file as written on disk, read here without the crate's loader.
#[derive(Deserialize)]
struct CoderYaml {
    documents: BTreeMap<String, DocumentYaml>,
}

#[derive(Deserialize)]
struct DocumentYaml {
    #[serde(default)]
    status: String,
    #[serde(default)]
    annotations: Vec<AnnotationYaml>,
}

#[derive(Deserialize)]
struct AnnotationYaml {
    unit: String,
    #[serde(default)]
    codes: Vec<String>,
}

fn read_coder(name: &str) -> CoderYaml {
    let text = std::fs::read_to_string(repo().join(format!("annotations/{name}.yaml"))).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// WP05 (escalation risk) at the unit level, recomputed from the two YAML files: the units of
/// the documents both coders marked done, present where a coder gave WP05 to the unit (whole or
/// in a span), absent elsewhere; then Krippendorff's alpha on that matrix, and percent agreement
/// counted by hand.
#[test]
fn samples_unit_level_alpha_of_one_indicator_checked_independently() {
    const INDICATOR: &str = "WP05";
    let alice = read_coder("alice");
    let bob = read_coder("bob");
    // The crate is only used for the units the documents are split into.
    let project = Project::open(&repo()).unwrap();
    let present = |coder: &CoderYaml, document: &str, unit: &str| {
        coder.documents.get(document).is_some_and(|d| {
            d.annotations
                .iter()
                .any(|a| a.unit == unit && a.codes.iter().any(|c| c == INDICATOR))
        })
    };
    let done = |coder: &CoderYaml, document: &str| {
        coder
            .documents
            .get(document)
            .is_some_and(|d| d.status == "done")
    };
    let mut rows: Vec<Vec<Option<&str>>> = Vec::new();
    let (mut agreeing, mut disagreeing) = (0usize, 0usize);
    let mut compared = 0;
    for document in &project.corpus.documents {
        let id = document.id.as_str();
        if !(done(&alice, id) && done(&bob, id)) {
            continue;
        }
        compared += 1;
        for unit in &document.units {
            let a = present(&alice, id, unit.id.as_str());
            let b = present(&bob, id, unit.id.as_str());
            let label = |p: bool| Some(if p { "present" } else { "absent" });
            rows.push(vec![label(a), label(b)]);
            if a == b {
                agreeing += 1;
            } else {
                disagreeing += 1;
            }
        }
    }
    assert!(disagreeing > 0, "pick an indicator the coders disagree on");
    let data = ReliabilityData::from_unit_rows(&rows).unwrap();
    let expected_alpha = krippendorff_alpha(&data, Metric::Nominal).unwrap();
    let expected_percent = agreeing as f64 / rows.len() as f64;

    let report = json(&repo(), &[]);
    assert_eq!(
        report["compared_documents"].as_array().unwrap().len(),
        compared
    );
    assert_eq!(report["units"], rows.len());
    let wp05 = row(&report, INDICATOR);
    assert_eq!(wp05["units"], rows.len());
    close(&wp05["alpha"], expected_alpha);
    close(&wp05["percent_agreement"], expected_percent);
    // Two coders: percent agreement is plainly agreeing units over units.
    assert_eq!(agreeing + disagreeing, rows.len());
}

// --- The fixture project -----------------------------------------------------------------------

/// Document level, alice and bob, on doc1–doc4 (doc5 is left out: bob is still coding it).
///
/// ```text
///          doc1  doc2  doc3  doc4
/// IL01  A   1     1     0     0       alice: docs 1, 2; bob: docs 1, 3
///       B   1     0     1     0
/// NM01  A/B 1     1     1     0       identical
/// CI01  A   0     0     0     1       only alice, in doc4
///       B   0     0     0     0
/// CO01  A/B 1     1     1     1       everyone, everywhere: no variation
/// ```
///
/// IL01: agreement 2/4 = .5. Cohen: p_o = .5, both coders have p(1) = .5, p_e = .25 + .25 = .5,
/// kappa = 0. Scott: pooled p(1) = .5, pi = 0. Alpha: n = 8 values, n_1 = n_0 = 4, two
/// disagreeing units give o_01 = 2, alpha = 1 − (n − 1) o_01 / (n_0 n_1) = 1 − 7·2/16 = .125.
///
/// CI01: agreement .75. Cohen: p_e = .25·0 + .75·1 = .75, kappa = 0. Scott: pooled p(1) = 1/8,
/// p_e = 1/64 + 49/64 = 50/64, pi = (.75 − 50/64)/(1 − 50/64) = −1/7. Alpha = 1 − 7·1/(7·1) = 0.
///
/// CO01: kappa, pi and alpha are 0/0 (null, "no variation"), agreement 1.
///
/// Overall, pooled over the 16 (indicator, document) pairs: 13 agree, p_o = 13/16. Alice has
/// 2 + 3 + 1 + 4 = 10 ones, bob 9. Cohen: p_e = (10·9 + 6·7)/256 = 132/256, kappa = (13/16 −
/// 132/256)/(1 − 132/256) = 76/124 = 19/31. Scott: p(1) = 19/32, p_e = (19² + 13²)/32² =
/// 265/512, pi = (416 − 265)/(512 − 265) = 151/247. Alpha: n = 32, n_1 = 19, n_0 = 13,
/// o_01 = 3, alpha = 1 − 31·3/(13·19) = 154/247.
#[test]
fn document_level_on_the_fixture_matches_the_hand_computation() {
    let report = json(
        &fixture(),
        &["--level", "document", "--coders", "alice,bob"],
    );
    assert_eq!(report["level"], "document");
    assert_eq!(
        strings(&report["compared_documents"]),
        ["doc1", "doc2", "doc3", "doc4"]
    );
    assert_eq!(report["units"], 4);

    let il01 = row(&report, "IL01");
    assert_eq!(il01["coded"]["alice"], 2);
    assert_eq!(il01["coded"]["bob"], 2);
    close(&il01["percent_agreement"], 0.5);
    close(&il01["kappa"], 0.0);
    close(&il01["scott_pi"], 0.0);
    close(&il01["alpha"], 0.125);
    assert_eq!(il01["flagged"], true);

    let nm01 = row(&report, "NM01");
    for key in ["percent_agreement", "kappa", "scott_pi", "alpha"] {
        close(&nm01[key], 1.0);
    }
    assert_eq!(nm01["flagged"], false);

    let ci01 = row(&report, "CI01");
    close(&ci01["percent_agreement"], 0.75);
    close(&ci01["kappa"], 0.0);
    close(&ci01["scott_pi"], -1.0 / 7.0);
    close(&ci01["alpha"], 0.0);

    let co01 = row(&report, "CO01");
    close(&co01["percent_agreement"], 1.0);
    for key in ["kappa", "scott_pi", "alpha"] {
        assert!(co01[key].is_null(), "{key}: {co01:#}");
        assert!(
            co01["undefined"][key]
                .as_str()
                .unwrap()
                .contains("no variation"),
            "{co01:#}"
        );
    }
    assert_eq!(co01["flagged"], false, "an undefined alpha is not flagged");

    let overall = &report["overall"];
    assert_eq!(overall["units"], 16);
    close(&overall["percent_agreement"], 13.0 / 16.0);
    close(&overall["kappa"], 19.0 / 31.0);
    close(&overall["scott_pi"], 151.0 / 247.0);
    close(&overall["alpha"], 154.0 / 247.0);
    assert!(overall["description"].as_str().unwrap().contains("pooled"));

    // VU01 is in the codebook but nobody used it: listed as unused, not a row.
    assert_eq!(strings(&report["unused"]), ["VU01"]);
    assert!(
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["indicator"] != "VU01")
    );

    // The table shows the undefined values as n/a, with the reason.
    let table = agree(
        &fixture(),
        &["--level", "document", "--coders", "alice,bob"],
    );
    let co01_line = line(&table, "CO01");
    assert_eq!(co01_line.matches("n/a").count(), 3, "{co01_line}");
    assert!(
        flat(&table).contains("n/a: no variation: all compared values are the same"),
        "{table}"
    );
    assert!(flat(&table).contains("Unused, omitted from the table: 1 indicator"));
    assert!(line(&table, "overall").contains("0.623"), "{table}");
}

/// The same coders at the unit level: on doc1 alice gave IL01 to p1 and bob to p2, so the
/// document level agrees there and the unit level does not.
///
/// IL01 on the 8 units: (1,0) doc1 p1, (0,1) doc1 p2, (1,0) doc2 p1, (0,1) doc3 p1 (bob's span),
/// (0,0) elsewhere. Agreement 4/8; alpha: n = 16, n_1 = 4, n_0 = 12, o_01 = 4,
/// alpha = 1 − 15·4/(12·4) = −.25. Overall: the code sets are identical on doc2 p2, doc3 p2 and
/// doc4 p2 only: 3/8.
#[test]
fn unit_level_on_the_fixture_compares_units_not_documents() {
    let report = json(&fixture(), &["--coders", "alice,bob"]);
    assert_eq!(report["units"], 8);
    let il01 = row(&report, "IL01");
    close(&il01["percent_agreement"], 0.5);
    close(&il01["alpha"], -0.25);
    // CO01 is on every p2 and no p1: perfect, and defined, at this level.
    close(&row(&report, "CO01")["alpha"], 1.0);
    close(&report["overall"]["percent_agreement"], 3.0 / 8.0);
    assert!(report["overall"]["alpha"].is_number());
}

#[test]
fn a_document_not_done_by_one_coder_is_left_out_and_reported() {
    let table = agree(
        &fixture(),
        &["--level", "document", "--coders", "alice,bob"],
    );
    assert!(
        table.contains("Compared: 4 documents that every coder marked done"),
        "{table}"
    );
    assert!(table.contains("doc5 (bob: in progress)"), "{table}");
    let report = json(
        &fixture(),
        &["--level", "document", "--coders", "alice,bob"],
    );
    assert_eq!(
        report["left_out_documents"],
        serde_json::json!([{"document": "doc5", "not_done": [{"coder": "bob", "status": "in_progress"}]}])
    );
    // Alice coded CI01 in doc5 too; it does not count while bob has not finished doc5.
    assert_eq!(row(&report, "CI01")["coded"]["alice"], 1);

    // Alice and carol both finished doc5: it is compared, and alice's CI01 there counts.
    let report = json(
        &fixture(),
        &["--level", "document", "--coders", "alice,carol"],
    );
    assert_eq!(report["compared_documents"].as_array().unwrap().len(), 5);
    assert_eq!(report["left_out_documents"], serde_json::json!([]));
    assert_eq!(row(&report, "CI01")["coded"]["alice"], 2);
}

/// All three coders (the default: every coder file but `consensus`), document level.
///
/// IL01: (1,1,1) doc1, (1,0,1) doc2, (0,1,0) doc3, (0,0,0) doc4. Fleiss: P_i = 1, 1/3, 1/3, 1,
/// P̄ = 2/3; p(1) = 6/12, P_e = 1/4 + 1/4 = 1/2; kappa = (2/3 − 1/2)/(1/2) = 1/3. Alpha: n = 12,
/// n_1 = n_0 = 6; doc2 and doc3 each give o_01 = 2·1/(3 − 1) = 1; alpha = 1 − 11·2/36 = 7/18.
/// Percent agreement is the mean pairwise agreement P̄ = 2/3.
#[test]
fn three_coders_use_fleiss_kappa_and_the_consensus_file_is_left_out() {
    let report = json(&fixture(), &["--level", "document"]);
    assert_eq!(strings(&report["coders"]), ["alice", "bob", "carol"]);
    assert_eq!(report["kappa"], "fleiss");
    let il01 = row(&report, "IL01");
    close(&il01["kappa"], 1.0 / 3.0);
    close(&il01["alpha"], 7.0 / 18.0);
    close(&il01["percent_agreement"], 2.0 / 3.0);
    assert!(il01["scott_pi"].is_null());
    assert!(
        il01["undefined"]["scott_pi"]
            .as_str()
            .unwrap()
            .contains("two coders")
    );
    assert_eq!(
        il01["coded"],
        serde_json::json!({"alice": 2, "bob": 2, "carol": 2})
    );
    // Only the consensus file used VU01: still unused.
    assert_eq!(strings(&report["unused"]), ["VU01"]);

    let table = agree(&fixture(), &["--level", "document"]);
    assert!(table.starts_with("Agreement of alice, bob and carol"));
    let header = line(&table, "indicator");
    assert!(!header.split_whitespace().any(|c| c == "pi"), "{header}");
    assert!(flat(&table).contains("kappa: Fleiss' kappa"), "{table}");
    assert!(line(&table, "IL01").contains("0.333"));
}

#[test]
fn threshold_flags_indicators_below_it() {
    let args = ["--level", "document", "--coders", "alice,bob"];
    // Default .667: IL01 (.125) and CI01 (0) are flagged, NM01 (1) is not.
    let table = agree(&fixture(), &args);
    assert!(line(&table, "IL01").trim_end().ends_with('!'));
    assert!(line(&table, "CI01").trim_end().ends_with('!'));
    assert!(!line(&table, "NM01").trim_end().ends_with('!'));
    let notes = flat(&table);
    assert!(
        notes.contains(
            "2 of 4 indicators have alpha below 0.667, Krippendorff's floor for tentative \
             conclusions; 0.800 for firm ones: IL01, CI01."
        ),
        "{table}"
    );

    // At .1, IL01's .125 passes and CI01's 0 does not.
    let mut lower = args.to_vec();
    lower.extend(["--threshold", "0.1"]);
    let table = agree(&fixture(), &lower);
    assert!(!line(&table, "IL01").trim_end().ends_with('!'), "{table}");
    assert!(line(&table, "CI01").trim_end().ends_with('!'));
    assert!(
        flat(&table).contains("1 of 4 indicators have alpha below 0.100"),
        "{table}"
    );
    let report = json(&fixture(), &lower);
    assert_eq!(report["threshold"], 0.1);
    assert_eq!(row(&report, "IL01")["flagged"], false);
    assert_eq!(row(&report, "CI01")["flagged"], true);

    let out = run(&fixture(), &["--threshold", "high"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Span level, alice and bob. The continuum is doc1–doc4 one after the other; each document is
/// 91 code points (`p1` = [0, 40), `p2` = [42, 90), a final newline), so the offsets are 0, 91,
/// 182 and 273 and the continuum is [0, 364). The spans, placed by hand:
///
/// - IL01: alice doc1 p1 [0, 40), doc2 p1 [91, 131); bob doc1 p2 [42, 90), his span
///   "international law" in doc3 p1 at 22..39 → [204, 221).
/// - NM01: both doc1 p1 [0, 40), doc2 p2 [133, 181) (alice's span "norms" inside it is merged
///   away), doc3 p2 [224, 272).
/// - CI01: alice doc4 p1 [273, 313).
/// - CO01: both every p2: [42, 90), [133, 181), [224, 272), [315, 363).
///
/// The stand-alone calculator on these spans must give the same alphas. IL01's spans never
/// overlap: the coders disagree on 40 + 48 + 40 + 17 = 145 of 364 code points.
#[test]
fn span_level_equals_the_calculator_on_spans_placed_by_hand() {
    let report = json(&fixture(), &["--level", "span", "--coders", "alice,bob"]);
    assert_eq!(report["units"], 364);

    let spans = "coder,begin,length,category\n\
        alice,0,40,IL01\nalice,91,40,IL01\nbob,42,48,IL01\nbob,204,17,IL01\n\
        alice,0,40,NM01\nalice,133,48,NM01\nalice,224,48,NM01\n\
        bob,0,40,NM01\nbob,133,48,NM01\nbob,224,48,NM01\n\
        alice,273,40,CI01\n\
        alice,42,48,CO01\nalice,133,48,CO01\nalice,224,48,CO01\nalice,315,48,CO01\n\
        bob,42,48,CO01\nbob,133,48,CO01\nbob,224,48,CO01\nbob,315,48,CO01\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spans.csv");
    std::fs::write(&path, spans).unwrap();
    let out = Command::new(BIN)
        .args(["agree", "--spans"])
        .arg(&path)
        .args(["--continuum", "0:364", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calculator: Value = serde_json::from_slice(&out.stdout).unwrap();

    for id in ["IL01", "NM01", "CI01", "CO01"] {
        close(
            &row(&report, id)["alpha"],
            calculator["by_category"][id].as_f64().unwrap(),
        );
        assert_eq!(
            row(&report, id)["units"],
            calculator["category_details"][id]["units"]
        );
    }
    close(
        &report["overall"]["alpha"],
        calculator["krippendorff_alpha_u"].as_f64().unwrap(),
    );
    close(&row(&report, "NM01")["alpha"], 1.0);
    close(&row(&report, "IL01")["percent_agreement"], 219.0 / 364.0);
    assert!(row(&report, "IL01")["kappa"].is_null());
    assert_eq!(row(&report, "NM01")["coded"]["alice"], 3);

    let table = agree(&fixture(), &["--level", "span", "--coders", "alice,bob"]);
    assert!(table.contains("364 code points"), "{table}");
    assert!(line(&table, "indicator").contains("spans"));
}

#[test]
fn disagreements_are_listed_on_request_and_always_in_json() {
    let args = ["--coders", "alice,bob"];
    let table = agree(&fixture(), &args);
    assert!(!table.contains("Disagreements:"));
    let mut with = args.to_vec();
    with.push("--disagreements");
    let table = agree(&fixture(), &with);
    let list = &table[table.find("Disagreements: 5 units").expect(&table)..];
    let header = line(list, "document");
    assert!(header.contains("alice") && header.contains("bob"));
    // doc1 p2: alice nothing, bob IL01 (and both CO01).
    let doc1_p2 = list
        .lines()
        .find(|l| l.starts_with("doc1") && l.split_whitespace().nth(1) == Some("p2"))
        .expect(list);
    assert_eq!(
        doc1_p2.split_whitespace().collect::<Vec<_>>(),
        ["doc1", "p2", "CO01", "CO01", "IL01"]
    );

    let report = json(&fixture(), &args);
    let disagreements = report["disagreements"].as_array().unwrap();
    assert_eq!(disagreements.len(), 5);
    assert_eq!(
        disagreements[0],
        serde_json::json!({"document": "doc1", "unit": "p1",
            "codes": {"alice": ["IL01", "NM01"], "bob": ["NM01"]}})
    );

    // CSV: the disagreements instead of the rows.
    let csv = agree(
        &fixture(),
        &[
            "--coders",
            "alice,bob",
            "--disagreements",
            "--format",
            "csv",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "document,unit,alice,bob");
    assert_eq!(lines[1], "doc1,p1,IL01|NM01,NM01");
    assert_eq!(lines.len(), 6);
}

#[test]
fn csv_has_a_row_per_indicator_and_the_overall_row() {
    let csv = agree(
        &fixture(),
        &[
            "--level",
            "document",
            "--coders",
            "alice,bob",
            "--format",
            "csv",
        ],
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "level",
            "indicator",
            "label",
            "units",
            "coded_alice",
            "coded_bob",
            "percent_agreement",
            "kappa",
            "kappa_kind",
            "scott_pi",
            "alpha",
            "flagged",
            "undefined"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = records.iter().map(|r| &r[1]).collect();
    assert_eq!(ids, ["IL01", "NM01", "CI01", "CO01", "overall"]);
    let co01 = &records[3];
    assert_eq!(&co01[10], "", "undefined alpha is an empty cell");
    assert!(co01[12].contains("alpha: no variation"), "{co01:?}");
    assert_eq!(&records[0][10], "0.125");
}

#[test]
fn unknown_coder_or_fewer_than_two_is_a_usage_error() {
    let out = run(&fixture(), &["--coders", "alice,zed"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("zed") && stderr.contains("alice, bob, carol"),
        "{stderr}"
    );

    let out = run(&fixture(), &["--coders", "alice"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least two coders"));
}

// --- The stand-alone calculator ----------------------------------------------------------------

fn calculator(args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(repo())
        .arg("agree")
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .output()
        .unwrap()
}

/// Krippendorff (2011), section C: 4 observers, 12 units, missing values; interval alpha .849.
#[test]
fn data_csv_gives_the_published_interval_alpha() {
    let file = "tests/fixtures/reliability/k2011_4obs_12units.csv";
    let out = calculator(&["--data", file, "--metric", "interval", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["metric"], "interval");
    assert_eq!(report["units"], 12);
    assert_eq!(report["coders"], 4);
    let alpha = report["krippendorff_alpha"].as_f64().unwrap();
    assert!((alpha - 0.849).abs() < 0.0005, "{alpha}");
    assert!(report["cohen_kappa"].is_null());

    // The default format is a table; the default metric nominal (.743).
    let out = calculator(&["--data", file]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(
        line(&table, "Krippendorff's").contains("(nominal)"),
        "{table}"
    );
    assert!(
        line(&table, "Krippendorff's").ends_with("0.7434"),
        "{table}"
    );
    assert!(flat(&table).contains("n/a: Cohen's kappa: needs exactly two coders"));
}

#[test]
fn broken_data_csv_exits_1_naming_the_line() {
    let cases = [
        ("ragged.csv", "nominal", "line 4: expected 3 fields"),
        (
            "duplicate.csv",
            "nominal",
            "line 5: unit `2` is coded a second time by coder `A`",
        ),
        ("not_numeric.csv", "interval", "line 3: value `high`"),
    ];
    for (file, metric, message) in cases {
        let path = format!("tests/fixtures/agree/{file}");
        let out = calculator(&["--data", &path, "--metric", metric]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{file}: {stderr}");
        assert!(stderr.contains(file), "{file}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    // A file that is not there is a usage error.
    let out = calculator(&["--data", "tests/fixtures/agree/no-such-file.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `normcode agree --data` on a temporary CSV with `rows` (after the header) and `args`.
fn calculator_on(rows: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codings.csv");
    std::fs::write(&path, format!("unit,coder,value\n{rows}")).unwrap();
    Command::new(BIN)
        .arg("agree")
        .arg("--data")
        .arg(&path)
        .args(args)
        .env_remove("NORMCODE_PROJECT")
        .output()
        .unwrap()
}

/// Values as large as numbers go (their differences overflow) and subnormal ones (their
/// squares vanish): alpha and the weighted kappas are the same as for everyday values, never
/// NaN and never "no variation".
#[test]
fn extreme_values_give_the_statistics_of_everyday_values() {
    let report = |rows: &str, metric: &str| -> Value {
        let out = calculator_on(rows, &["--metric", metric, "--format", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let everyday = "u1,a,1\nu1,b,-1\nu2,a,0\nu2,b,0\nu3,a,-1\nu3,b,-1\nu4,a,1\nu4,b,0\n";
    let cases = [
        (everyday.replace('1', "1e308"), "interval"),
        (everyday.replace('1', "1e-320"), "interval"),
        (everyday.replace('1', "1.7976931348623157e308"), "interval"),
    ];
    let expected = report(everyday, "interval");
    for (rows, metric) in &cases {
        let got = report(rows, metric);
        // Extreme values leave undefined only what everyday values leave undefined (the
        // prevalence and bias indices: three categories).
        assert_eq!(got["undefined"], expected["undefined"], "{rows}");
        for key in [
            "krippendorff_alpha",
            "cohen_kappa_linear",
            "cohen_kappa_quadratic",
            "gwet_ac1",
            "gwet_ac2_linear",
            "gwet_ac2_quadratic",
        ] {
            close(&got[key], expected[key].as_f64().unwrap());
        }
    }
    // Ratio: 1.7e308 + 1e308 overflows, yet the ratio of their difference to their sum is
    // the same as for 1.7 and 1.
    let ratio = report(
        "u1,a,1.7e308\nu1,b,1e308\nu2,a,1e308\nu2,b,1e308\nu3,a,0\nu3,b,1e308\n",
        "ratio",
    );
    let everyday = report(
        "u1,a,1.7\nu1,b,1\nu2,a,1\nu2,b,1\nu3,a,0\nu3,b,1\n",
        "ratio",
    );
    close(
        &ratio["krippendorff_alpha"],
        everyday["krippendorff_alpha"].as_f64().unwrap(),
    );

    // The table: no NaN, and n/a only for the indices of a 2 × 2 table (three values here).
    let out = calculator_on(
        "u1,a,1e308\nu1,b,-1e308\nu2,a,1\nu2,b,1\nu3,a,-1e308\nu3,b,-1e308\n",
        &["--metric", "interval"],
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(!table.contains("NaN"), "{table}");
    for l in table.lines().filter(|l| l.contains("n/a")) {
        assert!(
            [
                "prevalence index",
                "bias index",
                "n/a: prevalence index",
                "n/a: bias index"
            ]
            .iter()
            .any(|start| l.starts_with(start)),
            "{table}"
        );
    }
    // By hand: D_o = 8a²/6 and D_e = 40a²/30 for a = 1e308, so alpha is 0.
    assert!(
        line(&table, "Krippendorff's").ends_with("0.0000"),
        "{table}"
    );
}

/// A value that is not a finite number is refused under a numeric metric, naming the file,
/// the line and the column, and saying what is wrong with it; -0 is 0.
#[test]
fn non_finite_values_are_refused_naming_line_and_column() {
    for (value, why) in [
        ("inf", "is infinite"),
        ("-Infinity", "is infinite"),
        ("NaN", "is not a number (NaN)"),
        ("1e400", "is beyond the largest number"),
        ("-1e400", "is beyond the largest number"),
        ("1e-400", "is closer to 0 than the smallest number"),
    ] {
        for metric in ["interval", "ratio", "ordinal"] {
            let out = calculator_on(
                &format!("u1,a,1\nu1,b,{value}\nu2,a,2\nu2,b,2\n"),
                &["--metric", metric],
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{value} {metric}: {stderr}");
            assert!(out.stdout.is_empty(), "{value} {metric}");
            assert!(
                stderr.contains(&format!(
                    "codings.csv: line 3, column 3 (value): `{value}` (unit `u1`, coder `b`) {why}"
                )) && stderr.contains(&format!("the {metric} metric needs finite numbers")),
                "{value} {metric}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
    // Nominal values are labels: `inf` is a category like any other.
    assert!(calculator_on("u1,a,inf\nu1,b,nan\n", &[]).status.success());
    // -0 is 0, and 0e5 too.
    let json = |rows: &str| -> Value {
        let out = calculator_on(rows, &["--metric", "interval", "--format", "json"]);
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let zero = json("u1,a,0\nu1,b,1\nu2,a,0\nu2,b,0\nu3,a,2\nu3,b,2\n");
    let minus_zero = json("u1,a,-0\nu1,b,1\nu2,a,0e5\nu2,b,-0.0\nu3,a,2\nu3,b,2\n");
    assert_eq!(zero, minus_zero);
}

/// Krippendorff (2004), Fig. 2: unitizing alpha on [150, 450) is .8587 (c: .7286, k: 1).
#[test]
fn spans_csv_gives_the_published_unitizing_alpha() {
    let file = "tests/fixtures/reliability/k2004_unitizing_fig2.csv";
    let out = calculator(&[
        "--spans",
        file,
        "--continuum",
        "150:450",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let alpha = report["krippendorff_alpha_u"].as_f64().unwrap();
    assert!((alpha - 0.8587).abs() < 0.00005, "{alpha}");
    let c = report["by_category"]["c"].as_f64().unwrap();
    assert!((c - 0.7286).abs() < 0.00005, "{c}");

    let out = calculator(&["--spans", file, "--continuum", "150:450"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(line(&table, "overall").contains("0.8587"), "{table}");

    // A span outside the continuum is bad input, named by its line.
    let out = calculator(&["--spans", file, "--continuum", "300:450"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    // --spans without --continuum is a usage error.
    let out = calculator(&["--spans", file]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unused_is_consistent_with_the_rows() {
    // Every codebook indicator of the fixture is either a row or unused, at every level.
    for level in ["unit", "document", "span"] {
        let report = json(&fixture(), &["--level", level, "--coders", "alice,bob"]);
        let mut all: BTreeSet<&str> = strings(&report["unused"]).into_iter().collect();
        for r in report["rows"].as_array().unwrap() {
            assert!(all.insert(r["indicator"].as_str().unwrap()), "{level}");
        }
        assert_eq!(
            all.into_iter().collect::<Vec<_>>(),
            ["CI01", "CO01", "IL01", "NM01", "VU01"],
            "{level}"
        );
    }
}

// --- Reliability for the methods section (issue 19) ---------------------------------------------

/// `text` as a number, or `None` for "n/a"; a trailing `%` is divided by 100.
fn shown(text: &str) -> Option<f64> {
    if text == "n/a" {
        return None;
    }
    match text.strip_suffix('%') {
        Some(p) => p.parse::<f64>().ok().map(|p| p / 100.0),
        None => text.parse().ok(),
    }
}

/// Counted twice: every number the table shows equals the JSON's, rounded as shown (percent to
/// 0.1 %, coefficients to 0.001), for two and three coders.
#[test]
fn table_and_json_report_the_same_values() {
    for coders in ["alice,bob", "alice,bob,carol"] {
        let table = agree(&fixture(), &["--coders", coders]);
        let report = json(&fixture(), &["--coders", coders]);
        let keys: &[&str] = if coders.split(',').count() == 2 {
            &["percent_agreement", "kappa", "scott_pi", "alpha"]
        } else {
            &["percent_agreement", "kappa", "alpha"]
        };
        let mut rows: Vec<&Value> = report["rows"].as_array().unwrap().iter().collect();
        rows.push(&report["overall"]);
        for row in rows {
            let id = row["indicator"].as_str().unwrap_or("overall");
            let cells: Vec<&str> = line(&table, id).split_whitespace().collect();
            // The statistics are the last columns (before a trailing "!").
            let cells: Vec<&str> = cells.into_iter().filter(|c| *c != "!").collect();
            let cells = &cells[cells.len() - keys.len()..];
            for (key, cell) in keys.iter().zip(cells) {
                // Shown to 0.1 % or to 0.001: off by at most half of that.
                let tolerance = 0.0005;
                match (row[key].as_f64(), shown(cell)) {
                    (Some(json), Some(text)) => assert!(
                        (json - text).abs() <= tolerance + 1e-12,
                        "{coders} {id} {key}: table {cell}, JSON {json}"
                    ),
                    (None, None) => {}
                    (json, _) => panic!("{coders} {id} {key}: table {cell}, JSON {json:?}"),
                }
            }
        }
    }

    // The calculator: every statistic line of the table equals the JSON to 4 decimals.
    let file = "tests/fixtures/reliability/k2011_4obs_12units.csv";
    let out = calculator(&["--data", file, "--metric", "interval"]);
    let table = String::from_utf8(out.stdout).unwrap();
    let out = calculator(&["--data", file, "--metric", "interval", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (name, key) in [
        ("Krippendorff's alpha (interval)", "krippendorff_alpha"),
        ("Gwet's AC1", "gwet_ac1"),
        ("Gwet's AC2, quadratic weights", "gwet_ac2_quadratic"),
        ("Conger's kappa", "conger_kappa"),
        ("Light's kappa (mean pairwise Cohen)", "light_kappa"),
        ("Holsti's CR (mean over coder pairs)", "holsti"),
        ("PABAK", "pabak"),
    ] {
        let row = table
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line {name} in\n{table}"));
        let cell = row[name.len()..].split_whitespace().next().unwrap();
        match (report[key].as_f64(), shown(cell)) {
            (Some(json), Some(text)) => assert!((json - text).abs() <= 0.00005 + 1e-12, "{name}"),
            (None, None) => {}
            (json, _) => panic!("{name}: table {cell}, JSON {json:?}"),
        }
    }
    let ac1 = &report["intervals"]["gwet_ac1"];
    let row = table.lines().find(|l| l.starts_with("Gwet's AC1")).unwrap();
    let interval = format!(
        "[{:.4}, {:.4}]  SE {:.4}",
        ac1["lower"].as_f64().unwrap(),
        ac1["upper"].as_f64().unwrap(),
        ac1["standard_error"].as_f64().unwrap()
    );
    assert!(row.ends_with(&interval), "{row} vs {interval}");
}

/// Each indicator's presence table for two coders, by hand from the fixture: IL01 is alice's on
/// doc1 p1 and doc2 p1, bob's on doc1 p2 and doc3 p1, so 0 both, 2 only alice, 2 only bob, 4
/// neither, present in 4 of 16 values.
#[test]
fn presence_tables_and_prevalence_by_hand() {
    let report = json(&fixture(), &["--coders", "alice,bob"]);
    let presence = &row(&report, "IL01")["presence"];
    assert_eq!(presence["table"]["both"], 0);
    assert_eq!(presence["table"]["only_first"], 2);
    assert_eq!(presence["table"]["only_second"], 2);
    assert_eq!(presence["table"]["neither"], 4);
    close(&presence["prevalence"], 0.25);
    assert_eq!(presence["extreme"], false);
    // PABAK = 2 · 4/8 − 1.
    close(&presence["pabak"], 0.0);
    // CI01: alice alone coded it once in 16 values: extreme, and the table says so.
    let ci01 = &row(&report, "CI01")["presence"];
    close(&ci01["prevalence"], 1.0 / 16.0);
    assert_eq!(ci01["extreme"], false);
    let three = json(&fixture(), &[]);
    let ci01 = &row(&three, "CI01")["presence"];
    close(&ci01["prevalence"], 1.0 / 24.0);
    assert_eq!(ci01["extreme"], true);
    assert!(ci01["table"].is_null(), "2 × 2 tables are for two coders");
    assert!(ci01["pabak"].is_null());
    let table = agree(&fixture(), &[]);
    assert!(
        flat(&table).contains("Extreme prevalence")
            && flat(&table).contains("CI01 (present in 4.2% of values"),
        "{table}"
    );
    let listed = agree(&fixture(), &["--coders", "alice,bob", "--disagreements"]);
    let il01 = listed
        .lines()
        .skip_while(|l| !l.starts_with("Presence tables"))
        .find(|l| l.starts_with("IL01"))
        .unwrap();
    assert_eq!(
        il01.split_whitespace().take(5).collect::<Vec<_>>(),
        ["IL01", "0", "2", "2", "4"]
    );
}

/// The coder-pair matrix: bob and carol both finished doc1–doc4, exactly the documents the three
/// coders are compared on, so their cell equals `agree --coders bob,carol`.
#[test]
fn coder_pair_matrix_equals_the_two_coder_comparison() {
    let three = json(&fixture(), &[]);
    let pairs = three["overall"]["coder_pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    let pair = pairs
        .iter()
        .find(|p| p["coders"][0] == "bob" && p["coders"][1] == "carol")
        .unwrap();
    let two = json(&fixture(), &["--coders", "bob,carol"]);
    close(
        &pair["krippendorff_alpha"],
        two["overall"]["alpha"].as_f64().unwrap(),
    );
    close(
        &pair["percent_agreement"],
        two["overall"]["percent_agreement"].as_f64().unwrap(),
    );
    assert_eq!(pair["common_units"], 8);
    let listed = agree(&fixture(), &["--disagreements"]);
    assert!(line(&listed, "bob").starts_with("bob / carol"), "{listed}");
}

/// The confused indicator pairs of the samples equal a recount of the disagreements listed in
/// the same JSON, most frequent first.
#[test]
fn confusions_recount_the_disagreements() {
    let report = json(&repo(), &[]);
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in report["disagreements"].as_array().unwrap() {
        let codes: Vec<BTreeSet<&str>> = d["codes"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| strings(v).into_iter().collect())
            .collect();
        let mut seen = BTreeSet::new();
        for (g, a) in codes.iter().enumerate() {
            for b in &codes[g + 1..] {
                for x in a.difference(b) {
                    for y in b.difference(a) {
                        let pair = if x < y { (*x, *y) } else { (*y, *x) };
                        seen.insert((pair.0.to_owned(), pair.1.to_owned()));
                    }
                }
            }
        }
        for pair in seen {
            *counts.entry(pair).or_default() += 1;
        }
    }
    let confusions = report["confusions"].as_array().unwrap();
    assert_eq!(confusions.len(), counts.len());
    assert!(
        !confusions.is_empty(),
        "the samples have confused indicators"
    );
    for c in confusions {
        let pair = (
            c["indicators"][0].as_str().unwrap().to_owned(),
            c["indicators"][1].as_str().unwrap().to_owned(),
        );
        assert_eq!(c["units"], counts[&pair], "{pair:?}");
    }
    let units: Vec<u64> = confusions
        .iter()
        .map(|c| c["units"].as_u64().unwrap())
        .collect();
    assert!(units.windows(2).all(|w| w[0] >= w[1]), "{units:?}");
}

/// `agree --plan` needs no project and prints Krippendorff's table; bad numbers are usage errors.
#[test]
fn plan_needs_no_project() {
    let empty = std::env::temp_dir().join(format!("normcode-plan-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let plan = |args: &[&str]| {
        Command::new(BIN)
            .current_dir(&empty)
            .arg("agree")
            .arg("--plan")
            .args(args)
            .env_remove("NORMCODE_PROJECT")
            .output()
            .unwrap()
    };
    let out = plan(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(line(&table, "0.250").ends_with("139"), "{table}");
    let out = plan(&[
        "--alpha",
        "0.667",
        "--prevalence",
        "0.25",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["plans"][0]["units"], 81);
    assert!(
        report["project"].is_null(),
        "no project, no check: {report}"
    );
    for bad in [
        vec!["--alpha", "1.5"],
        vec!["--significance", "0"],
        vec!["--prevalence", "half"],
    ] {
        let out = plan(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains("above 0 and below 1"), "{message}");
    }
    let out = calculator(&["--alpha", "0.8"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&empty).unwrap();
}

/// `--plan` inside a project also measures the double-coding so far against the target: the
/// units, the overall alpha and its interval are `agree`'s own (JSON and the table say the same),
/// the margin is the interval's lower end minus the target, and the rarest coded indicator's
/// plan is the plan at its prevalence.
#[test]
fn plan_in_a_project_compares_the_coding_so_far() {
    let report = json(&repo(), &[]);
    let interval = &report["overall"]["alpha_interval"];
    let lower = interval["lower"].as_f64().unwrap();
    for (target, short) in [(0.5, false), (0.99, true)] {
        let t = target.to_string();
        let plan = json(&repo(), &["--plan", "--alpha", &t]);
        let check = &plan["project"];
        assert_eq!(check["units"], report["units"]);
        assert_eq!(
            check["documents"].as_u64().unwrap() as usize,
            report["compared_documents"].as_array().unwrap().len()
        );
        assert_eq!(check["alpha"], report["overall"]["alpha"]);
        assert_eq!(check["lower"], interval["lower"]);
        assert_eq!(check["upper"], interval["upper"]);
        close(&check["margin"], lower - target);
        assert_eq!(check["margin"].as_f64().unwrap() < 0.0, short);
        // The rarest indicator is the row with the smallest presence (or absence) share.
        let rarest = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let p = r["presence"]["prevalence"].as_f64().unwrap();
                (p.min(1.0 - p), r["indicator"].as_str().unwrap())
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)))
            .unwrap();
        assert_eq!(check["rarest"]["indicator"], rarest.1);
        let at = json(
            &repo(),
            &[
                "--plan",
                "--alpha",
                &t,
                "--prevalence",
                &rarest.0.to_string(),
            ],
        );
        assert_eq!(check["rarest"]["plan"]["units"], at["plans"][0]["units"]);

        let table = flat(&agree(&repo(), &["--plan", "--alpha", &t]));
        let said = format!(
            "its lower end is {:.3} {} the {target:.3} target",
            (lower - target).abs(),
            if short { "below" } else { "above" }
        );
        assert!(table.contains(&said), "{said}: {table}");
        assert!(
            table.contains(&format!("compared {} text units", report["units"])),
            "{table}"
        );
    }
    // The table's note on the overall alpha shows the JSON's interval.
    let table = flat(&agree(&repo(), &[]));
    assert!(
        table.contains(&format!(
            "95% bootstrap interval [{:.3}, {:.3}]",
            lower,
            interval["upper"].as_f64().unwrap()
        )),
        "{table}"
    );
}

/// `--gold alice`: bob against alice is the two-coder comparison read as a classification: per
/// indicator TP = both, FP = only bob, FN = only alice (the 2 × 2 table of `--coders alice,bob`),
/// precision, recall and F1 from them, and the pass mark on the overall alpha.
#[test]
fn gold_standard_scores_each_coder() {
    let gold = json(&fixture(), &["--gold", "alice", "--coders", "bob,carol"]);
    assert_eq!(gold["gold"], "alice");
    assert_eq!(gold["threshold"], 0.8);
    let pair = json(&fixture(), &["--coders", "alice,bob"]);
    let bob = &gold["coders"][0];
    assert_eq!(bob["coder"], "bob");
    for row in bob["rows"].as_array().unwrap() {
        let id = row["indicator"].as_str().unwrap();
        let table = &self::row(&pair, id)["presence"]["table"];
        let (tp, fp, fn_) = (
            table["both"].as_u64().unwrap(),
            table["only_second"].as_u64().unwrap(),
            table["only_first"].as_u64().unwrap(),
        );
        assert_eq!(row["true_positives"], tp, "{id}");
        assert_eq!(row["false_positives"], fp, "{id}");
        assert_eq!(row["false_negatives"], fn_, "{id}");
        if tp + fp > 0 {
            close(&row["precision"], tp as f64 / (tp + fp) as f64);
        } else {
            assert!(row["precision"].is_null());
        }
        if 2 * tp + fp + fn_ > 0 {
            close(&row["f1"], 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64);
        }
        assert_eq!(row["alpha"], self::row(&pair, id)["alpha"], "{id}");
    }
    close(&bob["alpha"], pair["overall"]["alpha"].as_f64().unwrap());
    // IL01: bob found neither of alice's two units and gave it to two others.
    let il01 = &bob["rows"][0];
    assert_eq!(
        (
            il01["true_positives"].as_u64(),
            il01["false_positives"].as_u64()
        ),
        (Some(0), Some(2))
    );
    // Alpha .337 and .788: both fail the default .800, both pass a .3 mark.
    assert_eq!(bob["passed"], false);
    assert_eq!(gold["coders"][1]["passed"], false);
    let lenient = json(
        &fixture(),
        &[
            "--gold",
            "alice",
            "--coders",
            "bob,carol",
            "--threshold",
            "0.3",
        ],
    );
    assert_eq!(lenient["coders"][0]["passed"], true);
    let table = agree(&fixture(), &["--gold", "alice", "--threshold", "0.3"]);
    assert!(table.contains("bob PASS: alpha 0.337"), "{table}");
    // The gold coder is not compared with itself; an unknown gold is a usage error.
    assert_eq!(
        gold["coders"].as_array().unwrap().len(),
        2,
        "alice is the gold, not a coder"
    );
    let out = run(&fixture(), &["--gold", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no coder file annotations/nobody.yaml"));
}

/// APA style, as the methods paragraph writes coefficients: `.832`, `−.250`, `1.000`.
fn apa(v: f64) -> String {
    let text = format!("{:.3}", v.abs());
    let text = text.strip_prefix('0').unwrap_or(&text).to_owned();
    if v < 0.0 && text != ".000" {
        format!("−{text}")
    } else {
        text
    }
}

/// `--methods-text`: the paragraph's numbers are the JSON report's (English and Chinese), for
/// the fixture at the unit level and the samples at the document level.
#[test]
fn methods_text_states_the_numbers_of_the_report() {
    for (project, args) in [
        (fixture(), vec!["--level", "unit"]),
        (repo(), vec!["--level", "document"]),
    ] {
        let report = json(&project, &args);
        let mut with = args.clone();
        with.push("--methods-text");
        let en = agree(&project, &with);
        with.extend(["--lang", "zh"]);
        let zh = agree(&project, &with);
        assert_eq!(en.lines().count(), 1, "one paragraph: {en}");
        let mut alphas: Vec<(f64, &str)> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| Some((r["alpha"].as_f64()?, r["indicator"].as_str()?)))
            .collect();
        alphas.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let (low, high) = (alphas[0], alphas[alphas.len() - 1]);
        let overall = report["overall"]["alpha"].as_f64().unwrap();
        let percent = format!(
            "{:.1}%",
            report["overall"]["percent_agreement"].as_f64().unwrap() * 100.0
        );
        let documents = report["compared_documents"].as_array().unwrap().len();
        let coders = report["coders"].as_array().unwrap().len();
        assert!(en.contains(&format!("by {coders} coders")), "{en}");
        assert!(zh.contains(&format!("由{coders}名编码员")), "{zh}");
        assert!(en.contains(&format!("{documents} document")), "{en}");
        assert!(zh.contains(&format!("{documents}份文档")), "{zh}");
        let interval = &report["overall"]["alpha_interval"];
        let (lower, upper) = (
            apa(interval["lower"].as_f64().unwrap()),
            apa(interval["upper"].as_f64().unwrap()),
        );
        assert!(lower < upper, "{interval}");
        for text in [&en, &zh] {
            assert!(text.contains(&format!("α = {}", apa(overall))), "{text}");
            assert!(text.contains(&format!("[{lower}, {upper}]")), "{text}");
            assert!(text.contains(&percent), "{text}");
            assert!(text.contains(&apa(low.0)) && text.contains(low.1), "{text}");
            assert!(
                text.contains(&apa(high.0)) && text.contains(high.1),
                "{text}"
            );
            for row in report["rows"].as_array().unwrap() {
                let id = row["indicator"].as_str().unwrap();
                let named = format!("{id} (α = ");
                let named_zh = format!("{id}（α = ");
                let flagged = row["flagged"].as_bool().unwrap();
                assert_eq!(
                    text.contains(&named) || text.contains(&named_zh),
                    flagged,
                    "{id} flagged {flagged}: {text}"
                );
                if flagged {
                    let alpha = apa(row["alpha"].as_f64().unwrap());
                    assert!(
                        text.contains(&format!("{named}{alpha})"))
                            || text.contains(&format!("{named_zh}{alpha}）")),
                        "{id}: {text}"
                    );
                }
            }
        }
        if report["level"] == "unit" {
            assert!(
                en.contains(&format!("{} text units", report["units"])),
                "{en}"
            );
        }
    }
    // The paragraph is text: JSON is the report.
    let out = run(&fixture(), &["--methods-text", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `--drift`: the samples' compared documents in coding order, cut into batches; one batch of
/// everything is the whole comparison, and the fixture (no timestamps) says why it has none.
#[test]
fn drift_batches_documents_in_coding_order() {
    let whole = json(&repo(), &[]);
    let drift = json(&repo(), &["--drift", "--batch", "3"]);
    let batches = drift["batches"].as_array().unwrap();
    assert!(batches.len() > 1);
    let froms: Vec<&str> = batches
        .iter()
        .map(|b| b["from"].as_str().unwrap())
        .collect();
    assert!(froms.windows(2).all(|w| w[0] <= w[1]), "{froms:?}");
    let mut documents: Vec<&str> = batches
        .iter()
        .flat_map(|b| strings(&b["documents"]))
        .collect();
    assert!(
        batches
            .iter()
            .all(|b| b["documents"].as_array().unwrap().len() <= 3)
    );
    let untimed = strings(&drift["untimed_documents"]);
    documents.extend(&untimed);
    documents.sort();
    let mut compared = strings(&whole["compared_documents"]);
    compared.sort();
    assert_eq!(documents, compared);
    let units: u64 = batches.iter().map(|b| b["units"].as_u64().unwrap()).sum();
    if untimed.is_empty() {
        assert_eq!(units, whole["units"].as_u64().unwrap());
        let one = json(&repo(), &["--drift", "--batch", "1000"]);
        close(
            &one["batches"][0]["alpha"],
            whole["overall"]["alpha"].as_f64().unwrap(),
        );
    }
    let table = agree(&fixture(), &["--drift"]);
    assert!(
        flat(&table).contains("without a timestamped annotation (no coding time): doc1"),
        "{table}"
    );
    assert_eq!(
        run(&fixture(), &["--drift", "--batch", "0"]).status.code(),
        Some(2)
    );
}
