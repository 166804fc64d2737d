//! Reliability statistics against published values, an independent implementation, edge cases
//! and the CSV readers.
//!
//! Published values are asserted to the precision printed in the source. Values marked
//! "crosscheck.py" come from independent Python implementations, computed by
//! `tests/fixtures/reliability/crosscheck.py` (the exact command and package versions are in its
//! docstring: krippendorff 0.9.0, nltk 3.10.4, scikit-learn 1.9.1, statsmodels 0.15.0) and are
//! asserted to 1e-9.

use std::path::PathBuf;

use normcode::reliability::{
    BootstrapConfig, CodingsCsv, ContingencyTable, Continuum, CsvError, DataReport, KappaWeights,
    Metric, ReliabilityData, SpanData, SpansCsv, Undefined, alpha_bootstrap, alpha_detail,
    bennett_s, cohen_kappa, contingency_table, data_report, fleiss_kappa, holsti,
    krippendorff_alpha, observed_agreement, percent_agreement, scott_pi, span_report,
    unitizing_alpha,
};
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reliability")
        .join(name)
}

fn codings(name: &str, metric: Metric) -> ReliabilityData {
    CodingsCsv::from_path(fixture(name))
        .unwrap()
        .to_data(metric)
        .unwrap()
}

/// `actual` equals `published` to the published number of decimals (half a unit in the last
/// place).
#[track_caller]
fn assert_published(actual: f64, published: f64, decimals: i32) {
    let tolerance = 0.5 * 10f64.powi(-decimals);
    assert!(
        (actual - published).abs() <= tolerance,
        "{actual} is not {published} to {decimals} decimals"
    );
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} differs from {expected} by more than {tolerance}"
    );
}

// ---------------------------------------------------------------------------------------------
// The four shared fixtures (tests/fixtures/reliability/, copied from shared/reliability/).

/// Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section C: 4 observers,
/// 12 units, values 1–5, missing data.
#[test]
fn k2011_four_observers_alpha_by_metric() {
    let nominal = krippendorff_alpha(
        &codings("k2011_4obs_12units.csv", Metric::Nominal),
        Metric::Nominal,
    );
    assert_close(nominal.unwrap(), 113.0 / 152.0, 1e-12);
    for (metric, published) in [
        (Metric::Ordinal, 0.815),
        (Metric::Interval, 0.849),
        (Metric::Ratio, 0.797),
    ] {
        let data = codings("k2011_4obs_12units.csv", metric);
        assert_published(krippendorff_alpha(&data, metric).unwrap(), published, 3);
    }
}

/// Krippendorff (2004), Content Analysis, p. 230: observed agreement `1 − D_o` = .800 for the same
/// data; and the counts of section C (n = 40 pairable values; unit 12 has one value).
#[test]
fn k2011_four_observers_observed_agreement_and_counts() {
    let data = codings("k2011_4obs_12units.csv", Metric::Nominal);
    assert_published(observed_agreement(&data).unwrap(), 0.800, 3);
    let detail = alpha_detail(&data, Metric::Nominal).unwrap();
    assert_eq!(detail.pairable_values, 40);
    assert_eq!(detail.pairable_units, 11);
    // D_o = 8/40 by hand (units 2, 6 and 8 disagree: 6/3 + 12/3 + 6/3 = 8).
    assert_close(detail.observed_disagreement, 0.2, 1e-12);
}

/// The report's keys for the K2011 data (4 coders: no two-coder statistics).
#[test]
fn k2011_data_report_json() {
    let csv = CodingsCsv::from_path(fixture("k2011_4obs_12units.csv")).unwrap();
    let report = data_report(&csv, Metric::Interval).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["units"], 12);
    assert_eq!(json["coders"], 4);
    assert_eq!(json["pairable_values"], 40);
    assert_eq!(json["metric"], "interval");
    assert_published(json["krippendorff_alpha"].as_f64().unwrap(), 0.849, 3);
    assert_published(json["observed_agreement"].as_f64().unwrap(), 0.800, 3);
    // Mean pairwise agreement by hand: units 2 and 8 have 6 of 12 agreeing ordered pairs, unit 6
    // none, the other 8 pairable units all: (8 + 0.5 + 0.5 + 0) / 11.
    assert_close(
        json["percent_agreement"].as_f64().unwrap(),
        9.0 / 11.0,
        1e-12,
    );
    // Fleiss: the 8 units with 4 values.
    assert_eq!(json["fleiss_units"], 8);
    assert!(json["fleiss_kappa"].is_f64());
    assert!(json["bennett_s"].is_f64());
    // Holsti is the mean over the 6 coder pairs.
    assert!(json["holsti"].is_f64());
    for key in ["cohen_kappa", "scott_pi"] {
        assert!(json[key].is_null(), "{key} should be null with 4 coders");
        assert_eq!(
            json["undefined"][key],
            "needs exactly two coders, the data have 4"
        );
    }
}

/// Wikipedia, "Cohen's kappa", worked example: 50 units, Yes/No, table 20 5 / 10 15.
#[test]
fn wikipedia_cohen_simple_example() {
    let data = codings("wikipedia_cohen_2x2.csv", Metric::Nominal);
    assert_published(
        cohen_kappa(&data, KappaWeights::Unweighted).unwrap(),
        0.40,
        2,
    );
    assert_published(percent_agreement(&data).unwrap(), 0.70, 2);
    // With complete data Holsti's coefficient equals percent agreement.
    assert_close(holsti(&data).unwrap(), 0.70, 1e-12);

    let csv = CodingsCsv::from_path(fixture("wikipedia_cohen_2x2.csv")).unwrap();
    let json = serde_json::to_value(data_report(&csv, Metric::Nominal).unwrap()).unwrap();
    assert_published(json["cohen_kappa"].as_f64().unwrap(), 0.40, 2);
    assert_published(json["percent_agreement"].as_f64().unwrap(), 0.70, 2);
    assert_published(json["holsti"].as_f64().unwrap(), 0.70, 2);
    assert!(json["scott_pi"].is_f64());
    // Labels are unordered: no weighted kappa.
    assert!(json["cohen_kappa_linear"].is_null());
}

/// Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
#[test]
fn wikipedia_fleiss_example() {
    let data = codings("wikipedia_fleiss_10x14.csv", Metric::Nominal);
    let fleiss = fleiss_kappa(&data).unwrap();
    assert_published(fleiss.kappa, 0.210, 3);
    assert_published(fleiss.mean_agreement, 0.378, 3);
    assert_eq!(
        (fleiss.units, fleiss.raters, fleiss.excluded_units),
        (10, 14, 0)
    );
    // P̄ is the mean pairwise percent agreement.
    assert_published(percent_agreement(&data).unwrap(), 0.378, 3);
}

/// Krippendorff (2004), Measuring the reliability of qualitative text analysis data, Fig. 2:
/// two observers, categories c and k, continuum [150, 450).
#[test]
fn k2004_unitizing_figure_2() {
    let csv = SpansCsv::from_path(fixture("k2004_unitizing_fig2.csv")).unwrap();
    let continuum: Continuum = "150:450".parse().unwrap();
    let alpha = csv.unitizing_alpha(continuum).unwrap();
    // Printed as .8591 from rounded intermediates (1 − .0144/(.0532 + .0490)); unrounded .8587.
    assert_published(alpha.overall.unwrap(), 0.8587, 4);
    let c = alpha.by_category["c"];
    assert_published(c.alpha.unwrap(), 0.7286, 4);
    assert_published(c.observed_disagreement, 0.0144, 4);
    assert_published(c.expected_disagreement, 0.0532, 4);
    let k = alpha.by_category["k"];
    assert_eq!(k.alpha, Ok(1.0));
    assert_eq!(k.observed_disagreement, 0.0);
    assert_published(k.expected_disagreement, 0.0490, 4);

    let report = span_report(&csv, continuum).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_published(json["krippendorff_alpha_u"].as_f64().unwrap(), 0.8587, 4);
    assert_published(json["by_category"]["c"].as_f64().unwrap(), 0.7286, 4);
    assert_eq!(json["by_category"]["k"].as_f64(), Some(1.0));
    assert_eq!(json["coders"], 2);
}

/// The unitizing result does not depend on the coders' names or the order of spans, and a
/// third coder identical to one of the two keeps category k perfect.
#[test]
fn unitizing_invariances() {
    let continuum = Continuum::new(150, 450).unwrap();
    let spans = [
        ("0", 225, 70, "c"),
        ("0", 370, 30, "c"),
        ("1", 220, 80, "c"),
        ("1", 355, 20, "c"),
        ("1", 400, 20, "c"),
        ("0", 180, 60, "k"),
        ("0", 300, 50, "k"),
        ("1", 180, 60, "k"),
        ("1", 300, 50, "k"),
    ];
    let mut reversed = SpanData::new();
    for &(coder, begin, length, category) in spans.iter().rev() {
        reversed.push(
            if coder == "0" { "j" } else { "i" },
            category,
            begin,
            length,
        );
    }
    let alpha = unitizing_alpha(&reversed, continuum).unwrap();
    assert_published(alpha.overall.unwrap(), 0.8587, 4);

    let mut three = reversed.clone();
    three.push("h", "k", 180, 60);
    three.push("h", "k", 300, 50);
    assert_eq!(
        unitizing_alpha(&three, continuum).unwrap().by_category["k"].alpha,
        Ok(1.0)
    );

    // A declared coder who marked nothing disagrees with everyone.
    let mut silent = reversed.clone();
    silent.add_coder("silent");
    let alpha = unitizing_alpha(&silent, continuum).unwrap();
    assert_eq!(alpha.coders, 3);
    assert!(alpha.by_category["k"].alpha.unwrap() < 0.5);
}

// ---------------------------------------------------------------------------------------------
// More published worked examples (data and values reconstructed with certainty).

/// Krippendorff (2011), section A: binary data, two observers, no missing data; α = .095
/// (= 1 − 19·4/(14·6) = 2/21).
#[test]
fn k2011_binary_two_observers() {
    let data = ReliabilityData::from_coder_rows(&[
        [0, 1, 0, 0, 0, 0, 0, 0, 1, 0].map(Some),
        [1, 1, 1, 0, 0, 1, 0, 0, 0, 0].map(Some),
    ])
    .unwrap();
    let alpha = krippendorff_alpha(&data, Metric::Nominal).unwrap();
    assert_published(alpha, 0.095, 3);
    assert_close(alpha, 2.0 / 21.0, 1e-12);
}

/// Krippendorff (2011), section B: nominal data, two observers, no missing data; α = .692
/// (= 1 − 23·6/448).
#[test]
fn k2011_nominal_two_observers() {
    let data = ReliabilityData::from_coder_rows(&[
        ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"].map(Some),
        ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"].map(Some),
    ])
    .unwrap();
    let alpha = krippendorff_alpha(&data, Metric::Nominal).unwrap();
    assert_published(alpha, 0.692, 3);
    assert_close(alpha, 1.0 - 138.0 / 448.0, 1e-12);
}

/// Wikipedia, "Krippendorff's alpha", computational example: 3 coders, 15 units, missing data;
/// nominal α = .691 (also the `krippendorff` package's value, 0.691358024691358).
#[test]
fn wikipedia_krippendorff_example() {
    let data = ReliabilityData::from_coder_rows(&numbers(
        "
        . . . . . 3 4 1 2 1 1 3 3 . 3
        1 . 2 1 3 3 4 3 . . . . . . .
        . . 2 1 3 4 4 . 2 1 1 3 3 . 4",
    ))
    .unwrap();
    let alpha = krippendorff_alpha(&data, Metric::Nominal).unwrap();
    assert_published(alpha, 0.691, 3);
    assert_close(alpha, 0.691358024691358, 1e-12);
}

/// Wikipedia, "Cohen's kappa", "same percentages but different numbers": both tables have
/// P_o = .60; κ = .1304 and .2593.
#[test]
fn wikipedia_cohen_same_percentages() {
    let first = ContingencyTable::from_rows(&[[45.0, 15.0], [25.0, 15.0]]).unwrap();
    assert_published(first.percent_agreement().unwrap(), 0.60, 2);
    assert_published(
        first.cohen_kappa(KappaWeights::Unweighted).unwrap(),
        0.1304,
        4,
    );
    let second = ContingencyTable::from_rows(&[[25.0, 35.0], [5.0, 35.0]]).unwrap();
    assert_published(second.percent_agreement().unwrap(), 0.60, 2);
    assert_published(
        second.cohen_kappa(KappaWeights::Unweighted).unwrap(),
        0.2593,
        4,
    );
}

/// Scott's pi on the 3 × 3 table 1 2 3 / 4 5 6 / 7 8 9 (N = 45), by hand: P_o = 15/45,
/// pooled proportions 18/90, 30/90, 42/90, P_e = 2988/8100, π = −288/5112.
#[test]
fn scott_pi_three_categories_by_hand() {
    let table =
        ContingencyTable::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]).unwrap();
    assert_close(table.scott_pi().unwrap(), -288.0 / 5112.0, 1e-12);
}

/// Weighted kappa by hand, three ordered categories scored 0, 1, 2:
/// table 10 2 0 / 3 8 1 / 0 2 4 (N = 30), rows 12 12 6, columns 13 12 5.
#[test]
fn weighted_kappa_by_hand() {
    let table =
        ContingencyTable::from_rows(&[[10.0, 2.0, 0.0], [3.0, 8.0, 1.0], [0.0, 2.0, 4.0]]).unwrap();
    // Linear: observed Σ|i−j| o = 2 + 3 + 1 + 2 = 8; expected Σ|i−j| r_i c_j / N
    // = (12·12 + 12·5·2 + 12·13 + 12·5 + 6·13·2 + 6·12)/30 = (144 + 120 + 156 + 60 + 156 + 72)/30 = 708/30.
    assert_close(
        table.cohen_kappa(KappaWeights::Linear).unwrap(),
        1.0 - 8.0 * 30.0 / 708.0,
        1e-12,
    );
    // Quadratic: observed 8 (no two-step disagreements); expected
    // (144 + 12·5·4 + 156 + 60 + 6·13·4 + 72)/30 = (144 + 240 + 156 + 60 + 312 + 72)/30 = 984/30.
    assert_close(
        table.cohen_kappa(KappaWeights::Quadratic).unwrap(),
        1.0 - 8.0 * 30.0 / 984.0,
        1e-12,
    );
    // Scores 1, 2, 3 or 10, 20, 30 give the same weighted kappa.
    let scaled = table.clone().with_scores(vec![10.0, 20.0, 30.0]).unwrap();
    assert_close(
        scaled.cohen_kappa(KappaWeights::Quadratic).unwrap(),
        table.cohen_kappa(KappaWeights::Quadratic).unwrap(),
        1e-12,
    );
}

// ---------------------------------------------------------------------------------------------
// Cross-checks against independent implementations (crosscheck.py).

/// Parses a text matrix: one row per line, cells separated by spaces, `.` for missing.
fn matrix_cells(text: &str) -> Vec<Vec<Option<&str>>> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.split_whitespace()
                .map(|cell| (cell != ".").then_some(cell))
                .collect()
        })
        .collect()
}

/// A text matrix of numbers.
fn numbers(text: &str) -> Vec<Vec<Option<f64>>> {
    matrix_cells(text)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| c.map(|c| c.parse().unwrap()))
                .collect()
        })
        .collect()
}

/// A text matrix of `|`-joined sets.
fn sets(text: &str) -> Vec<Vec<Option<Vec<&str>>>> {
    matrix_cells(text)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| c.map(|c| c.split('|').collect()))
                .collect()
        })
        .collect()
}

/// crosscheck.py: 5 coders × 30 units (rows are coders), with an all-missing unit and a unit
/// with one value.
const INTEGERS_5X30: &str = "
    . 2 2 1 4 . 5 . 4 5 5 2 3 4 5 4 . 3 1 3 2 1 3 2 1 5 5 . 2 .
    . . 1 4 3 5 1 3 . 3 5 . 5 1 . 2 3 . . . 4 . 5 3 2 1 3 1 . 5
    . . 4 . 1 4 . . 5 . 5 . 5 2 4 5 3 1 4 4 4 3 3 . 1 5 . 2 4 2
    . . 4 3 2 5 1 3 2 4 . 5 3 2 3 1 4 . 5 1 4 5 2 5 . 1 2 4 1 .
    . . . 4 2 1 . 2 4 1 2 . 3 2 . . 4 5 . 4 3 3 . 1 4 1 1 . 5 1";

/// crosscheck.py: 3 coders × 20 units, one-decimal reals in [0, 10].
const REALS_3X20: &str = "
    . . 4.2 7.3 0.2 7.9 3 7.5 1.5 2.1 3.3 4.7 2.2 6.3 . 6.4 8.4 4.1 . 0.6
    . . 2.7 7.3 4.8 1.5 . 9.5 5.3 2.1 6.8 . 2.2 . . 6.4 0.5 6 . 6.8
    . . 1 6.5 0.4 2.3 8.6 1.8 3.3 . 8.9 . 0.4 . 8.2 1.6 . 7.8 1.5 4.3";

/// crosscheck.py: 7 coders × 12 units, values 0–3 (zeros exercise the ratio metric's 0/0 case),
/// 40 % missing.
const INTEGERS_7X12: &str = "
    . . 1 . . 2 . 3 2 . 3 .
    . . . 1 3 3 . 2 . . 1 2
    . . . . 3 . . 1 3 0 . 3
    . . . . . . 0 1 3 0 3 .
    . . 2 1 3 . 3 0 3 2 2 .
    . . . 0 3 . . 1 2 2 . 3
    . . 1 0 . 2 2 2 2 . 0 3";

/// Krippendorff's alpha against the `krippendorff` package (0.9.0), each metric, to 1e-9.
#[test]
fn alpha_matches_krippendorff_package() {
    let metrics = [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ];
    let cases = [
        (
            INTEGERS_5X30,
            [
                -0.0317911836267355,
                -0.1563819711413501,
                -0.1544290477752268,
                -0.120496793001454,
            ],
        ),
        (
            REALS_3X20,
            [
                0.11869031377899053,
                0.028157856460125474,
                0.0387118865048347,
                0.03319197388148709,
            ],
        ),
        (
            INTEGERS_7X12,
            [
                0.12056631892697456,
                0.36659182036888527,
                0.34113805970149236,
                0.11193274832239497,
            ],
        ),
    ];
    for (text, expected) in cases {
        let data = ReliabilityData::from_coder_rows(&numbers(text)).unwrap();
        for (metric, expected) in metrics.into_iter().zip(expected) {
            let alpha = krippendorff_alpha(&data, metric).unwrap();
            assert!(
                (alpha - expected).abs() < 1e-9,
                "{metric}: {alpha} != {expected}\n{text}"
            );
        }
    }
}

/// crosscheck.py: 4 coders × 15 units of label sets (rows are coders).
const MASI_SETS: &str = "
    a c   d     d b   d a|d a|b .   a|b a|c b|d .   c a
    . b   d     d b   . a|d b|c a|c d   a|c b|d a|d b c
    a .   b|c|d . c   . a|d a|b .   a|c .   b|d c   c .
    a b|d d     d b|c d b   .   .   a|b a|c b|d c|d b a";

/// Alpha with MASI on set-valued data against NLTK 3.10.4's
/// `AnnotationTask(distance=masi_distance).alpha()`, and nominal alpha on the same sets against
/// `AnnotationTask().alpha()` (binary distance), to 1e-9.
#[test]
fn masi_alpha_matches_nltk() {
    let data = ReliabilityData::from_coder_rows(&sets(MASI_SETS)).unwrap();
    assert_close(
        krippendorff_alpha(&data, Metric::Masi).unwrap(),
        0.4405830554843124,
        1e-9,
    );
    assert_close(
        krippendorff_alpha(&data, Metric::Nominal).unwrap(),
        0.45013661202185795,
        1e-9,
    );
}

/// The same sets read from CSV (`|`-joined, members in another order) give the same alphas.
#[test]
fn masi_alpha_from_csv() {
    let mut text = String::from("unit,coder,value\n");
    for (c, row) in sets(MASI_SETS).iter().enumerate() {
        for (u, cell) in row.iter().enumerate() {
            let value = cell.as_ref().map(|set| {
                let mut members = set.clone();
                members.reverse();
                members.join("|")
            });
            text.push_str(&format!("u{u},c{c},{}\n", value.unwrap_or_default()));
        }
    }
    let csv = CodingsCsv::parse(text.as_bytes()).unwrap();
    let masi = csv.to_data(Metric::Masi).unwrap();
    assert_close(
        krippendorff_alpha(&masi, Metric::Masi).unwrap(),
        0.4405830554843124,
        1e-9,
    );
    let nominal = csv.to_data(Metric::Nominal).unwrap();
    assert_close(
        krippendorff_alpha(&nominal, Metric::Nominal).unwrap(),
        0.45013661202185795,
        1e-9,
    );
}

/// crosscheck.py: 2 coders × 40 units, values 1–5 (all five used).
const TWO_CODERS: &str = "
    5 3 1 3 5 2 4 4 2 4 4 1 3 3 1 2 3 1 4 4 4 3 1 2 1 2 5 1 4 5 3 3 1 1 5 2 1 3 3 1
    5 2 3 2 2 2 5 1 2 3 4 1 3 3 1 1 2 1 4 4 3 3 2 2 1 4 1 2 4 5 3 4 1 1 4 1 1 3 2 2";

/// Cohen's kappa (scikit-learn 1.9.1 `cohen_kappa_score`, unweighted, linear, quadratic),
/// Scott's pi and Bennett's S (NLTK 3.10.4 `AnnotationTask.pi()`, `.S()`), to 1e-9.
#[test]
fn two_coder_statistics_match_sklearn_and_nltk() {
    let data = ReliabilityData::from_coder_rows(&numbers(TWO_CODERS)).unwrap();
    let kappa = |weights| cohen_kappa(&data, weights).unwrap();
    assert_close(kappa(KappaWeights::Unweighted), 0.3977812995245642, 1e-9);
    assert_close(kappa(KappaWeights::Linear), 0.5333333333333333, 1e-9);
    assert_close(kappa(KappaWeights::Quadratic), 0.6056338028169015, 1e-9);
    assert_close(scott_pi(&data).unwrap(), 0.3936976465895493, 1e-9);
    assert_close(bennett_s(&data, None).unwrap(), 0.40625, 1e-9);
    assert_eq!(contingency_table(&data).unwrap().k(), 5);
    // Scott's pi and nominal alpha differ only by the small-sample factor (Krippendorff 2011):
    // α = 1 − (1 − π)(2N − 1)/(2N) with N = 40 units.
    let alpha = krippendorff_alpha(&data, Metric::Nominal).unwrap();
    let pi = scott_pi(&data).unwrap();
    assert_close(alpha, 1.0 - (1.0 - pi) * 79.0 / 80.0, 1e-12);
}

/// crosscheck.py: 20 units × 6 raters (rows are units), categories 0–3.
const FLEISS_UNITS: &str = "
    2 1 2 3 2 2
    1 1 1 1 2 2
    2 2 2 2 0 2
    2 0 2 3 0 1
    2 2 2 2 1 2
    2 1 0 3 1 2
    0 0 1 3 1 1
    1 1 1 1 3 1
    1 1 1 1 1 2
    0 0 0 0 2 2
    2 2 2 2 1 3
    2 2 2 2 0 0
    0 2 3 3 1 1
    2 0 3 3 1 0
    1 1 1 1 3 3
    1 1 1 1 2 0
    1 1 1 1 2 1
    1 3 2 1 1 2
    3 3 3 3 0 3
    1 3 1 2 0 2";

/// Fleiss' kappa against statsmodels 0.15.0 `fleiss_kappa`, to 1e-9; a unit with missing values
/// is excluded, not miscounted.
#[test]
fn fleiss_matches_statsmodels() {
    let mut rows = numbers(FLEISS_UNITS);
    let data = ReliabilityData::from_unit_rows(&rows).unwrap();
    assert_close(
        fleiss_kappa(&data).unwrap().kappa,
        0.17644765061415477,
        1e-9,
    );

    rows.push(vec![Some(1.0), None, Some(2.0), None, None, Some(1.0)]);
    let data = ReliabilityData::from_unit_rows(&rows).unwrap();
    let fleiss = fleiss_kappa(&data).unwrap();
    assert_close(fleiss.kappa, 0.17644765061415477, 1e-9);
    assert_eq!(
        (fleiss.units, fleiss.raters, fleiss.excluded_units),
        (20, 6, 1)
    );

    // n is the most common number of values, not the largest.
    rows.push(vec![Some(1.0); 7]);
    let data = ReliabilityData::from_unit_rows(&rows).unwrap();
    let fleiss = fleiss_kappa(&data).unwrap();
    assert_close(fleiss.kappa, 0.17644765061415477, 1e-9);
    assert_eq!(
        (fleiss.units, fleiss.raters, fleiss.excluded_units),
        (20, 6, 2)
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases.

#[test]
fn single_category_is_undefined_not_nan() {
    let data = ReliabilityData::from_coder_rows(&[
        vec![Some("x"), Some("x"), None],
        vec![Some("x"), Some("x"), Some("x")],
        vec![None, Some("x"), Some("x")],
    ])
    .unwrap();
    assert_eq!(
        krippendorff_alpha(&data, Metric::Nominal),
        Err(Undefined::NoVariation)
    );
    assert_eq!(percent_agreement(&data), Ok(1.0));
    assert_eq!(observed_agreement(&data), Ok(1.0));
    assert_eq!(
        fleiss_kappa(&data).map(|f| f.kappa),
        Err(Undefined::NoVariation)
    );
    assert_eq!(bennett_s(&data, None), Err(Undefined::TooFewCategories));
    let report = DataReport::from_data(&data, Metric::Nominal);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["krippendorff_alpha"].is_null());
    assert_eq!(
        json["undefined"]["krippendorff_alpha"],
        "no variation: all compared values are the same, so chance-corrected agreement is 0/0"
    );

    let numbers =
        ReliabilityData::from_coder_rows(&[vec![Some(0.1), Some(0.1)], vec![Some(0.1), Some(0.1)]])
            .unwrap();
    for metric in [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ] {
        assert_eq!(
            krippendorff_alpha(&numbers, metric),
            Err(Undefined::NoVariation)
        );
    }
}

#[test]
fn perfect_agreement_is_one() {
    let data = ReliabilityData::from_coder_rows(&[
        vec![Some(1), Some(2), Some(3), None, Some(5)],
        vec![Some(1), Some(2), Some(3), Some(4), Some(5)],
        vec![Some(1), None, Some(3), Some(4), Some(5)],
    ])
    .unwrap();
    for metric in [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ] {
        assert_eq!(krippendorff_alpha(&data, metric), Ok(1.0), "{metric}");
    }
    let two = data.select_coders(&[0, 1]).unwrap();
    assert_eq!(cohen_kappa(&two, KappaWeights::Unweighted), Ok(1.0));
    assert_eq!(cohen_kappa(&two, KappaWeights::Quadratic), Ok(1.0));
    assert_eq!(scott_pi(&two), Ok(1.0));
    assert_eq!(percent_agreement(&data), Ok(1.0));
    assert_eq!(bennett_s(&data, None), Ok(1.0));
    let sets = ReliabilityData::from_coder_rows(&[
        vec![Some(vec!["a", "b"]), Some(vec!["c"])],
        vec![Some(vec!["b", "a"]), Some(vec!["c"])],
    ])
    .unwrap();
    assert_eq!(krippendorff_alpha(&sets, Metric::Masi), Ok(1.0));
}

/// Units with one value or none are not pairable and change nothing.
#[test]
fn lone_values_and_all_missing_units_are_ignored() {
    let base = numbers(REALS_3X20);
    // Units 0 (all missing) and 1 (one value) dropped.
    let trimmed: Vec<Vec<Option<f64>>> = base.iter().map(|row| row[2..].to_vec()).collect();
    let full = ReliabilityData::from_coder_rows(&base).unwrap();
    let trimmed = ReliabilityData::from_coder_rows(&trimmed).unwrap();
    assert_eq!(full.n_units(), trimmed.n_units() + 2);
    for metric in [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ] {
        assert_close(
            krippendorff_alpha(&full, metric).unwrap(),
            krippendorff_alpha(&trimmed, metric).unwrap(),
            1e-12,
        );
    }
    assert_eq!(percent_agreement(&full), percent_agreement(&trimmed));

    let nothing_pairable =
        ReliabilityData::from_coder_rows(&[vec![Some("a"), None], vec![None, Some("b")]]).unwrap();
    assert_eq!(
        krippendorff_alpha(&nothing_pairable, Metric::Nominal),
        Err(Undefined::NoPairableValues)
    );
    assert_eq!(
        percent_agreement(&nothing_pairable),
        Err(Undefined::NoPairableValues)
    );
    assert_eq!(
        observed_agreement(&nothing_pairable),
        Err(Undefined::NoPairableValues)
    );
    assert_eq!(
        cohen_kappa(&nothing_pairable, KappaWeights::Unweighted),
        Err(Undefined::NoCommonUnits)
    );
    assert_eq!(holsti(&nothing_pairable), Err(Undefined::NoCommonUnits));
    assert_eq!(
        fleiss_kappa(&nothing_pairable).map(|f| f.kappa),
        Err(Undefined::NoPairableValues)
    );

    let empty = ReliabilityData::from_coder_rows::<&str, Vec<Option<&str>>>(&[]).unwrap();
    assert_eq!(
        krippendorff_alpha(&empty, Metric::Nominal),
        Err(Undefined::NoPairableValues)
    );
    assert_eq!(
        cohen_kappa(&empty, KappaWeights::Unweighted),
        Err(Undefined::NotTwoCoders(0))
    );
}

/// The MASI distances of Passonneau (2006) seen through alpha with two coders and two units.
#[test]
fn masi_alpha_two_units_by_hand() {
    // Unit 1: {a,b} vs {a} (subset: δ = 1 − ½·⅔ = ⅔); unit 2: {c} vs {c}.
    let data = ReliabilityData::from_coder_rows(&[
        vec![Some(vec!["a", "b"]), Some(vec!["c"])],
        vec![Some(vec!["a"]), Some(vec!["c"])],
    ])
    .unwrap();
    // Observed: unit 1 contributes 2·⅔/1; n = 4 → D_o = (4/3)/4 = 1/3.
    // Expected: values {a,b}, {a}, {c}, {c}: pairs {a,b}–{a} ⅔, {a,b}–{c} 1 (×2), {a}–{c} 1 (×2);
    // Σ over ordered pairs = 2·(⅔ + 2 + 2) = 28/3, D_e = (28/3)/(4·3) = 7/9.
    let detail = alpha_detail(&data, Metric::Masi).unwrap();
    assert_close(detail.observed_disagreement, 1.0 / 3.0, 1e-12);
    assert_close(detail.expected_disagreement, 7.0 / 9.0, 1e-12);
    assert_close(detail.alpha, 1.0 - 3.0 / 7.0, 1e-12);
}

#[test]
fn bootstrap_is_reproducible_and_brackets_alpha() {
    let data = ReliabilityData::from_coder_rows(&numbers(INTEGERS_5X30)).unwrap();
    let config = BootstrapConfig {
        replicates: 500,
        seed: 42,
        level: 0.95,
    };
    let first = alpha_bootstrap(&data, Metric::Interval, &config).unwrap();
    let again = alpha_bootstrap(&data, Metric::Interval, &config).unwrap();
    assert_eq!(first, again);
    assert_eq!(
        first.alpha,
        krippendorff_alpha(&data, Metric::Interval).unwrap()
    );
    assert!(
        first.lower < first.alpha && first.alpha < first.upper,
        "{first:?}"
    );
    assert_eq!(first.defined_replicates, 500);
    let other_seed = alpha_bootstrap(
        &data,
        Metric::Interval,
        &BootstrapConfig { seed: 43, ..config },
    )
    .unwrap();
    assert_ne!(first.lower, other_seed.lower);
    assert!(first.share_below(first.upper) > 0.9);

    let constant = ReliabilityData::from_coder_rows(&[vec![Some("a")], vec![Some("a")]]).unwrap();
    assert_eq!(
        alpha_bootstrap(&constant, Metric::Nominal, &config).map(|b| b.alpha),
        Err(Undefined::NoVariation)
    );
}

// ---------------------------------------------------------------------------------------------
// Invariance (proptest).

fn matrix() -> impl Strategy<Value = Vec<Vec<Option<i32>>>> {
    (2usize..6, 2usize..15).prop_flat_map(|(coders, units)| {
        prop::collection::vec(
            prop::collection::vec(prop::option::weighted(0.75, 0..5i32), units),
            coders,
        )
    })
}

fn permutation(len: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..len).collect::<Vec<_>>()).prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Alpha (every numeric metric), percent agreement and Fleiss' kappa do not depend on the
    /// order of coders or units.
    #[test]
    fn alpha_is_invariant_under_reordering(
        (rows, coder_order, unit_order) in matrix().prop_flat_map(|rows| {
            let (c, u) = (rows.len(), rows[0].len());
            (Just(rows), permutation(c), permutation(u))
        })
    ) {
        let shuffled: Vec<Vec<Option<i32>>> = coder_order
            .iter()
            .map(|&c| unit_order.iter().map(|&u| rows[c][u]).collect())
            .collect();
        let a = ReliabilityData::from_coder_rows(&rows).unwrap();
        let b = ReliabilityData::from_coder_rows(&shuffled).unwrap();
        for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval, Metric::Ratio] {
            match (krippendorff_alpha(&a, metric), krippendorff_alpha(&b, metric)) {
                (Ok(x), Ok(y)) => prop_assert!((x - y).abs() < 1e-9, "{metric}: {x} vs {y}"),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
        let (pa, pb) = (percent_agreement(&a), percent_agreement(&b));
        prop_assert!(pa.is_ok() == pb.is_ok());
        if let (Ok(x), Ok(y)) = (pa, pb) {
            prop_assert!((x - y).abs() < 1e-12);
        }
        let (fa, fb) = (fleiss_kappa(&a).map(|f| f.kappa), fleiss_kappa(&b).map(|f| f.kappa));
        prop_assert!(fa.is_ok() == fb.is_ok());
        if let (Ok(x), Ok(y)) = (fa, fb) {
            prop_assert!((x - y).abs() < 1e-9);
        }
    }

    /// Every statistic is a finite number in its range, or undefined: never NaN.
    #[test]
    fn statistics_are_finite_or_undefined(rows in matrix()) {
        let data = ReliabilityData::from_coder_rows(&rows).unwrap();
        for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval, Metric::Ratio] {
            if let Ok(alpha) = krippendorff_alpha(&data, metric) {
                prop_assert!(alpha.is_finite() && alpha <= 1.0 + 1e-12);
            }
        }
        for p in [percent_agreement(&data), observed_agreement(&data)].into_iter().flatten() {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&p));
        }
        let report = serde_json::to_value(DataReport::from_data(&data, Metric::Interval)).unwrap();
        for (key, value) in report.as_object().unwrap() {
            prop_assert!(!value.is_number() || value.as_f64().unwrap().is_finite(), "{}", key);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSV readers.

fn csv_error(text: &str) -> CsvError {
    CodingsCsv::parse(text.as_bytes()).unwrap_err()
}

#[test]
fn csv_ragged_row_names_the_line() {
    let error = csv_error("unit,coder,value\n1,A,x\n1,B\n");
    assert!(
        matches!(
            error,
            CsvError::Ragged {
                line: 3,
                expected: 3,
                found: 2
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "line 3: expected 3 fields like the header, found 2"
    );
    // CRLF line ends, and a quoted value spanning two lines, are counted.
    let error = csv_error("unit,coder,value\r\n1,A,\"two\nlines\"\r\n1,B\r\n");
    assert!(
        matches!(error, CsvError::Ragged { line: 4, .. }),
        "{error:?}"
    );
    // Blank lines are skipped but counted.
    let error = csv_error("unit,coder,value\n1,A,x\n\n1,B\n");
    assert!(
        matches!(error, CsvError::Ragged { line: 4, .. }),
        "{error:?}"
    );
    let error = csv_error("unit,coder,value\n1,A,x,extra\n");
    assert!(
        matches!(
            error,
            CsvError::Ragged {
                line: 2,
                found: 4,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn csv_duplicate_pair_names_both_lines() {
    let error = csv_error("unit,coder,value\n1,A,x\n2,A,y\n1,B,x\n1,A,\n");
    assert_eq!(
        error.to_string(),
        "line 5: unit `1` is coded a second time by coder `A` (first on line 2)"
    );
    // Of two duplicates, the one found first in the file is reported.
    let error = csv_error("unit,coder,value\n2,A,x\n1,A,x\n1,A,y\n2,A,z\n");
    assert!(
        matches!(
            error,
            CsvError::Duplicate {
                line: 4,
                first_line: 3,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn csv_non_numeric_value_for_interval_names_the_line() {
    let csv = CodingsCsv::parse("unit,coder,value\n1,A,1\n1,B,2.5\n2,A,high\n2,B,3\n".as_bytes())
        .unwrap();
    assert!(csv.to_data(Metric::Nominal).is_ok());
    let error = csv.to_data(Metric::Interval).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 4: value `high` (unit `2`, coder `A`) is not a number, but the interval metric needs numbers"
    );
    assert!(matches!(
        data_report(&csv, Metric::Ordinal),
        Err(CsvError::NotNumeric { line: 4, .. })
    ));
    let nan = CodingsCsv::parse("unit,coder,value\n1,A,NaN\n1,B,2\n".as_bytes()).unwrap();
    assert!(matches!(
        nan.to_data(Metric::Interval),
        Err(CsvError::NotFinite { line: 2, .. })
    ));
    let negative = CodingsCsv::parse("unit,coder,value\n1,A,-1\n1,B,2\n".as_bytes()).unwrap();
    assert!(matches!(
        negative.to_data(Metric::Ratio),
        Err(CsvError::NegativeRatio { line: 2, .. })
    ));
    assert!(negative.to_data(Metric::Interval).is_ok());
}

#[test]
fn csv_header_and_fields_are_checked() {
    assert!(matches!(csv_error(""), CsvError::MissingHeader { .. }));
    let error = csv_error("unit,rater,value\n1,A,x\n");
    assert_eq!(
        error.to_string(),
        "line 1: the header must be `unit,coder,value`, found `unit,rater,value`"
    );
    assert!(matches!(
        csv_error("unit,coder,value\n,A,x\n"),
        CsvError::EmptyField {
            line: 2,
            field: "unit"
        }
    ));
    // A byte-order mark, spaces and an upper-case header are fine; quoted commas too.
    let csv = CodingsCsv::parse(
        "\u{feff}Unit, Coder ,Value\n1, A ,\"x, y\"\n1,B,\"x, y\"\n2,A,\n".as_bytes(),
    )
    .unwrap();
    let data = csv.to_data(Metric::Nominal).unwrap();
    assert_eq!(
        (data.n_units(), data.n_coders(), data.n_codings()),
        (2, 2, 2)
    );
    assert_eq!(percent_agreement(&data), Ok(1.0));
}

#[test]
fn csv_sets_are_compared_as_sets_under_nominal() {
    let csv = CodingsCsv::parse("unit,coder,value\n1,A,a|b\n1,B,b|a\n2,A,c\n2,B,a| c\n".as_bytes())
        .unwrap();
    let data = csv.to_data(Metric::Nominal).unwrap();
    assert_eq!(percent_agreement(&data), Ok(0.5));
    let sets = csv.to_data(Metric::Masi).unwrap();
    // Unit 2: {c} vs {a,c}: 1 − ½·⅔ = ⅔.
    let detail = alpha_detail(&sets, Metric::Masi).unwrap();
    assert_close(detail.observed_disagreement, (2.0 * 2.0 / 3.0) / 4.0, 1e-12);
}

#[test]
fn span_csv_errors_name_lines() {
    let continuum = Continuum::new(0, 100).unwrap();
    let parse = |text: &str| SpansCsv::parse(text.as_bytes());
    let overlap = parse("coder,begin,length,category\na,10,20,x\nb,10,20,x\na,25,10,x\n").unwrap();
    assert_eq!(
        overlap.unitizing_alpha(continuum).unwrap_err().to_string(),
        "line 4: the span overlaps the span on line 2 (coder `a`, category `x`)"
    );
    let outside = parse("coder,begin,length,category\na,90,20,x\n").unwrap();
    assert!(matches!(
        outside.unitizing_alpha(continuum),
        Err(CsvError::SpanOutside { line: 2, .. })
    ));
    let empty = parse("coder,begin,length,category\na,10,0,x\n").unwrap();
    assert!(matches!(
        span_report(&empty, continuum),
        Err(CsvError::SpanLength { line: 2, length: 0 })
    ));
    assert!(matches!(
        parse("coder,begin,length,category\na,ten,20,x\n"),
        Err(CsvError::NotInteger {
            line: 2,
            field: "begin",
            ..
        })
    ));
    assert!(matches!(
        parse("coder,begin,length,category\na,10,,x\n"),
        Err(CsvError::IncompleteSpan { line: 2 })
    ));
    assert!(matches!(
        parse("coder,begin,length,category\na,10,20\n"),
        Err(CsvError::Ragged { line: 2, .. })
    ));
    // A coder-only line declares a coder without spans.
    let declared = parse("coder,begin,length,category\na,10,20,x\nb,,,\n").unwrap();
    let report = span_report(&declared, continuum).unwrap();
    assert_eq!(report.coders, 2);
}

// ---------------------------------------------------------------------------------------------
// Scale: `cargo test --release --test reliability_published -- --ignored`.

/// A million codings (100,000 units × 10 coders, 10 % missing) from CSV text to a full report.
#[test]
#[ignore = "timing; run in release"]
fn million_codings_in_well_under_a_second() {
    use std::fmt::Write;
    let mut text = String::from("unit,coder,value\n");
    let mut state = 1u64;
    for unit in 0..100_000 {
        let truth = unit % 7;
        for coder in 0..10 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (state >> 33) % 100;
            let value = if r < 10 {
                String::new()
            } else if r < 80 {
                truth.to_string()
            } else {
                (r % 7).to_string()
            };
            writeln!(text, "u{unit},c{coder},{value}").unwrap();
        }
    }
    let start = std::time::Instant::now();
    let csv = CodingsCsv::parse(text.as_bytes()).unwrap();
    let parsed = start.elapsed();
    for metric in [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ] {
        let report = data_report(&csv, metric).unwrap();
        assert!(report.krippendorff_alpha.is_ok());
    }
    let total = start.elapsed();
    eprintln!("parse {parsed:?}, parse + 4 reports {total:?}");

    // A million distinct reals: interval and ordinal alpha stay near-linear.
    let rows: Vec<Vec<Option<f64>>> = (0..100_000)
        .map(|unit| {
            (0..10)
                .map(|coder| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let noise = (state >> 11) as f64 / (1u64 << 53) as f64;
                    Some(f64::from(unit % 7) + noise + f64::from(coder) * 1e-7)
                })
                .collect()
        })
        .collect();
    let data = ReliabilityData::from_unit_rows(&rows).unwrap();
    assert!(data.n_values() > 999_000);
    let start = std::time::Instant::now();
    for metric in [Metric::Interval, Metric::Ordinal] {
        assert!(krippendorff_alpha(&data, metric).unwrap() > 0.9);
    }
    let reals = start.elapsed();
    eprintln!("interval + ordinal alpha on 10^6 distinct reals {reals:?}");
    if !cfg!(debug_assertions) {
        assert!(total.as_secs_f64() < 1.0, "{total:?}");
        assert!(reals.as_secs_f64() < 1.0, "{reals:?}");
    }
}
