//! The coefficients a methods section asks for beyond alpha: Gwet's AC1 and AC2 with their
//! intervals, Conger's and Light's kappa, Holsti for any number of coders, the kappa paradox's
//! PABAK, prevalence and bias indices, the coder-pair matrix, and the number of units to plan.
//!
//! Published values are asserted to the precision printed in the source. Values marked
//! "crosscheck.py --irrcac" were computed once by `tests/fixtures/reliability/crosscheck.py
//! --irrcac` (irrCAC 0.4.4, statsmodels 0.15.0, numpy 1.26.4, pandas 2.3.3, scipy 1.12.0; the
//! command is in its docstring) on the seeded data sets below, and are asserted to 1e-9.

use normcode::reliability::{
    CodingsCsv, KappaWeights, Metric, ReliabilityData, Undefined, coder_pairs, cohen_kappa,
    conger_kappa, data_report, gwet_ac, holsti, light_kappa, percent_agreement, prevalence_bias,
    sample_plan,
};

#[track_caller]
fn assert_published(actual: f64, published: f64, decimals: i32) {
    let tolerance = 0.5 * 10f64.powi(-decimals);
    assert!(
        (actual - published).abs() <= tolerance,
        "{actual} is not {published} to {decimals} decimals"
    );
}

#[track_caller]
fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9,
        "{actual} differs from {expected} by more than 1e-9"
    );
}

/// A text matrix of numbers: one row per line, `.` for missing.
fn numbers(text: &str) -> Vec<Vec<Option<f64>>> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            line.split_whitespace()
                .map(|cell| (cell != ".").then(|| cell.parse().unwrap()))
                .collect()
        })
        .collect()
}

/// Two coders' data from a contingency table of labels: `count` units coded `(a, b)`.
fn from_table(cells: &[(&str, &str, usize)]) -> ReliabilityData {
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for &(a, b, count) in cells {
        for _ in 0..count {
            first.push(Some(a));
            second.push(Some(b));
        }
    }
    ReliabilityData::from_coder_rows(&[first, second]).unwrap()
}

// --- Published values ------------------------------------------------------------------------

/// irrCAC's `cac.raw4raters` (Gwet 2014's 12 subjects × 4 raters with missing ratings; the
/// README of github.com/kgwet/irrCAC, rows are units here).
const RAW_4_RATERS: &str = "
    1 1 . 1
    2 2 3 2
    3 3 3 3
    3 3 3 3
    2 2 2 2
    1 2 3 4
    4 4 4 4
    1 1 2 1
    2 2 2 2
    . 5 5 5
    . . 1 1
    . . 3 .";

/// irrCAC README: `gwet.ac1.raw(cac.raw4raters)`: p_a 0.8181818, p_e 0.1903212, AC1 0.77544,
/// SE 0.14295, 95 % CI (0.461, 1); `conger.kappa.raw`: 0.76282 (p_e 0.2334252).
#[test]
fn gwet_and_conger_on_irrcac_raw_4_raters() {
    let data = ReliabilityData::from_unit_rows(&numbers(RAW_4_RATERS)).unwrap();
    let ac1 = gwet_ac(&data, KappaWeights::Unweighted).unwrap();
    assert_published(ac1.percent_agreement, 0.8181818, 7);
    assert_published(ac1.chance_agreement, 0.1903212, 7);
    assert_published(ac1.coefficient, 0.77544, 5);
    let interval = ac1.interval.unwrap();
    assert_published(interval.standard_error, 0.14295, 5);
    assert_published(interval.lower, 0.461, 3);
    assert_eq!(interval.upper, 1.0, "the upper end is capped at 1");
    assert_eq!(ac1.units, 12);
    assert_published(conger_kappa(&data).unwrap(), 0.76282, 5);
}

/// irrCAC README, `cont3x3abstractors` (Gwet 2014): 100 subjects, two abstractors, table
/// 13 0 0 / 0 20 7 / 0 4 56: AC1 0.8493305 with SE 0.04321747 from the table formula, whose
/// variance divides by n² where the raw-data formula divides by n (n − 1): the raw SE is the
/// table's times √(100/99). Cohen's kappa 0.7964094.
#[test]
fn gwet_ac1_on_irrcac_contingency_table() {
    let data = from_table(&[
        ("Ectopic", "Ectopic", 13),
        ("AIU", "AIU", 20),
        ("AIU", "NIU", 7),
        ("NIU", "AIU", 4),
        ("NIU", "NIU", 56),
    ]);
    let ac1 = gwet_ac(&data, KappaWeights::Unweighted).unwrap();
    assert_published(ac1.coefficient, 0.8493305, 7);
    assert_published(
        ac1.interval.unwrap().standard_error,
        0.04321747 * (100.0f64 / 99.0).sqrt(),
        7,
    );
    assert_published(
        cohen_kappa(&data, KappaWeights::Unweighted).unwrap(),
        0.7964094,
        7,
    );
    // Conger's kappa with two coders and complete data is Cohen's.
    assert_close(
        conger_kappa(&data).unwrap(),
        cohen_kappa(&data, KappaWeights::Unweighted).unwrap(),
    );
}

/// tidycomm's tests (test-icr_agreement.R): 9 units, Holsti's CR 0.778 for two coders and, as the
/// mean over coder pairs, for three.
#[test]
fn holsti_on_tidycomm_examples() {
    let two = "
        1 1
        2 2
        4 3
        1 1
        2 2
        1 2
        1 1
        1 1
        2 2";
    let three = "
        1 1 1
        2 2 2
        4 3 3
        1 1 1
        2 2 2
        1 1 2
        1 1 1
        1 2 1
        2 2 2";
    for text in [two, three] {
        let data = ReliabilityData::from_unit_rows(&numbers(text)).unwrap();
        assert_published(holsti(&data).unwrap(), 0.778, 3);
    }
    // Complete data: the mean over pairs is the mean pairwise percent agreement, 7/9.
    let data = ReliabilityData::from_unit_rows(&numbers(three)).unwrap();
    assert_close(holsti(&data).unwrap(), 7.0 / 9.0);
    assert_close(percent_agreement(&data).unwrap(), 7.0 / 9.0);
}

/// The kappa paradox (Feinstein & Cicchetti 1990, *High agreement but low kappa*, J Clin
/// Epidemiol 43, 543–549): two tables with P_o = .85, kappa .70 and .32. Byrt, Bishop & Carlin
/// (1993) explain the gap with PABAK = 2 P_o − 1 = .70, the prevalence index |a − d|/n (.05 and
/// .75) and the bias index |b − c|/n (.03 and .05), and kappa =
/// (PABAK − PI² + BI²)/(1 − PI² + BI²).
#[test]
fn pabak_prevalence_and_bias_on_the_paradox_tables() {
    for (cells, kappa, prevalence, bias) in [
        ([40, 9, 6, 45], 0.70, 0.05, 0.03),
        ([80, 10, 5, 5], 0.32, 0.75, 0.05),
    ] {
        let data = from_table(&[
            ("yes", "yes", cells[0]),
            ("yes", "no", cells[1]),
            ("no", "yes", cells[2]),
            ("no", "no", cells[3]),
        ]);
        let k = cohen_kappa(&data, KappaWeights::Unweighted).unwrap();
        assert_published(k, kappa, 2);
        let pb = prevalence_bias(&data);
        let (pabak, pi, bi) = (
            pb.pabak.unwrap(),
            pb.prevalence_index.unwrap(),
            pb.bias_index.unwrap(),
        );
        assert_close(pabak, 0.70);
        assert_close(pi, prevalence);
        assert_close(bi, bias);
        let byrt = (pabak - pi * pi + bi * bi) / (1.0 - pi * pi + bi * bi);
        assert!((byrt - k).abs() < 1e-12, "{byrt} vs {k}");
        // The table read in the other order gives the same (absolute) indices.
        let swapped = from_table(&[
            ("no", "no", cells[3]),
            ("no", "yes", cells[2]),
            ("yes", "no", cells[1]),
            ("yes", "yes", cells[0]),
        ]);
        assert_eq!(prevalence_bias(&swapped), pb);
    }
    // Three categories: PABAK is (k P_o − 1)/(k − 1); the indices need a 2 × 2 table.
    let three = from_table(&[("a", "a", 5), ("b", "b", 3), ("c", "a", 2)]);
    let pb = prevalence_bias(&three);
    assert_close(pb.pabak.unwrap(), (3.0 * 0.8 - 1.0) / 2.0);
    assert_eq!(pb.prevalence_index, Err(Undefined::NotTwoCategories(3)));
}

/// Krippendorff (2004, Table 11.4), as quoted by the ATLAS.ti manual ("Sample size and decision
/// rules"): with p_c = .25 at the .05 level, 139 units for alpha .800 and 81 for .667.
#[test]
fn sample_plan_matches_krippendorffs_table() {
    assert_eq!(sample_plan(0.800, 0.05, 0.25).unwrap().units, 139);
    assert_eq!(sample_plan(0.667, 0.05, 0.25).unwrap().units, 81);
    // Stricter significance, rarer categories and higher alpha all need more units.
    let base = sample_plan(0.8, 0.05, 0.25).unwrap().units;
    assert!(sample_plan(0.8, 0.01, 0.25).unwrap().units > base);
    assert!(sample_plan(0.8, 0.05, 0.1).unwrap().units > base);
    assert!(sample_plan(0.9, 0.05, 0.25).unwrap().units > base);
}

// --- Cross-checks against irrCAC and statsmodels (crosscheck.py --irrcac) ---------------------

/// crosscheck.py: 5 coders × 30 units (rows are coders), an all-missing unit and a unit with one
/// value (the same data as tests/reliability_published.rs).
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

/// crosscheck.py: 7 coders × 12 units, values 0–3, 40 % missing.
const INTEGERS_7X12: &str = "
    . . 1 . . 2 . 3 2 . 3 .
    . . . 1 3 3 . 2 . . 1 2
    . . . . 3 . . 1 3 0 . 3
    . . . . . . 0 1 3 0 3 .
    . . 2 1 3 . 3 0 3 2 2 .
    . . . 0 3 . . 1 2 2 . 3
    . . 1 0 . 2 2 2 2 . 0 3";

/// crosscheck.py: 2 coders × 40 units, values 1–5.
const TWO_CODERS: &str = "
    5 3 1 3 5 2 4 4 2 4 4 1 3 3 1 2 3 1 4 4 4 3 1 2 1 2 5 1 4 5 3 3 1 1 5 2 1 3 3 1
    5 2 3 2 2 2 5 1 2 3 4 1 3 3 1 1 2 1 4 4 3 3 2 2 1 4 1 2 4 5 3 4 1 1 4 1 1 3 2 2";

/// Per data set: Gwet's (coefficient, SE, CI lower, CI upper) for identity, linear and
/// quadratic weights, Conger's kappa, Light's kappa.
type Expected = ([[f64; 4]; 3], f64, f64);

const IRRCAC: [(&str, Expected); 4] = [
    (
        INTEGERS_5X30,
        (
            [
                [
                    -0.05625238401658,
                    0.03641724121581,
                    -0.130849721007526,
                    0.018344952974366,
                ],
                [
                    -0.163227755953985,
                    0.069923095039414,
                    -0.306458723209149,
                    -0.019996788698821,
                ],
                [
                    -0.265991779173389,
                    0.121311751967076,
                    -0.51448763828644,
                    -0.017495920060337,
                ],
            ],
            -0.051724606158761,
            -0.007073154053163685,
        ),
    ),
    (
        REALS_3X20,
        (
            [
                [
                    0.117140563477197,
                    0.079002918427182,
                    -0.049541024514756,
                    0.28382215146915,
                ],
                [
                    0.015387409141183,
                    0.171015577019157,
                    -0.345423919305966,
                    0.376198737588331,
                ],
                [
                    -0.00195872959173,
                    0.2735591259938,
                    -0.579118035071879,
                    0.575200575888419,
                ],
            ],
            0.131725417439703,
            0.09319745295355053,
        ),
    ),
    (
        INTEGERS_7X12,
        (
            [
                [
                    0.145695892166242,
                    0.120118873970986,
                    -0.126031878967607,
                    0.41742366330009,
                ],
                [
                    0.297631170709887,
                    0.165308410573805,
                    -0.076322434330973,
                    0.671584775750748,
                ],
                [
                    0.419198589172661,
                    0.206543327055881,
                    -0.048034877543156,
                    0.886432055888478,
                ],
            ],
            0.12098171404975,
            0.10311817116328394,
        ),
    ),
    (
        TWO_CODERS,
        (
            [
                [
                    0.409307296220732,
                    0.099736726907808,
                    0.207570725138142,
                    0.611043867303323,
                ],
                [
                    0.575677211593105,
                    0.094818496272652,
                    0.383888700918059,
                    0.76746572226815,
                ],
                [
                    0.670467083486576,
                    0.120610843180404,
                    0.42650862712891,
                    0.914425539844242,
                ],
            ],
            0.397781299524564,
            0.3977812995245642,
        ),
    ),
];

/// Gwet's AC1 and AC2 (linear, quadratic) with SE and 95 % interval, and Conger's kappa, against
/// irrCAC 0.4.4 `CAC(ratings, weights=…, digits=15).gwet()` and `.conger()`; Light's kappa
/// against the mean of statsmodels 0.15.0 `cohens_kappa` over the coder pairs; to 1e-9. The
/// interval's ends to 1e-8 only: irrCAC takes Student's t quantile from SciPy's `stats.t.ppf`
/// (cdflib), which is off by up to ~4e-9 relative (t_.975 with 39 df: 2.0226909117 where the
/// root of the incomplete beta function is 2.0226909200; see `distribution.rs`).
#[test]
fn gwet_conger_and_light_match_irrcac_and_statsmodels() {
    for (text, (gwet, conger, light)) in IRRCAC {
        let data = ReliabilityData::from_coder_rows(&numbers(text)).unwrap();
        for (weights, expected) in [
            KappaWeights::Unweighted,
            KappaWeights::Linear,
            KappaWeights::Quadratic,
        ]
        .into_iter()
        .zip(gwet)
        {
            let ac = gwet_ac(&data, weights).unwrap();
            let interval = ac.interval.unwrap();
            for ((got, want), tolerance) in [
                ac.coefficient,
                interval.standard_error,
                interval.lower,
                interval.upper,
            ]
            .into_iter()
            .zip(expected)
            .zip([1e-9, 1e-9, 1e-8, 1e-8])
            {
                assert!(
                    (got - want).abs() < tolerance,
                    "{weights:?}: {got} != {want} in {ac:?}\n{text}"
                );
            }
        }
        assert_close(conger_kappa(&data).unwrap(), conger);
        assert_close(light_kappa(&data).unwrap(), light);
    }
}

// --- The report ------------------------------------------------------------------------------

/// `agree --data` JSON: the new keys are numbers where defined and null with a reason where
/// not, and agree with the functions.
#[test]
fn data_report_has_the_new_coefficients() {
    let mut text = String::from("unit,coder,value\n");
    for (u, row) in numbers(RAW_4_RATERS).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let value = cell.map(|v| v.to_string()).unwrap_or_default();
            text.push_str(&format!("u{u},rater{c},{value}\n"));
        }
    }
    let csv = CodingsCsv::parse(text.as_bytes()).unwrap();
    let report = data_report(&csv, Metric::Interval).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_published(json["gwet_ac1"].as_f64().unwrap(), 0.77544, 5);
    assert_published(json["conger_kappa"].as_f64().unwrap(), 0.76282, 5);
    assert_published(
        json["intervals"]["gwet_ac1"]["standard_error"]
            .as_f64()
            .unwrap(),
        0.14295,
        5,
    );
    assert_eq!(json["intervals"]["gwet_ac1"]["level"], 0.95);
    // Numbers: AC2 is defined; Holsti and Light's kappa are means over the 6 pairs.
    assert!(json["gwet_ac2_quadratic"].is_f64());
    assert!(json["holsti"].is_f64());
    assert!(json["light_kappa"].is_f64());
    assert_eq!(json["coder_pairs"].as_array().unwrap().len(), 6);
    assert_eq!(json["coder_pairs"][0]["coders"][0], "rater0");
    for key in ["pabak", "prevalence_index", "bias_index", "cohen_kappa"] {
        assert!(json[key].is_null(), "{key}");
        assert_eq!(
            json["undefined"][key],
            "needs exactly two coders, the data have 4"
        );
    }

    // Labels: AC2 needs ordered values, and says so.
    let labels = data_report(&csv, Metric::Nominal).unwrap();
    let json = serde_json::to_value(&labels).unwrap();
    assert!(json["gwet_ac1"].is_f64());
    assert!(json["gwet_ac2_linear"].is_null());
    assert!(json["intervals"]["gwet_ac2_linear"].is_null());
}

/// The pair matrix shows the deviating coder: a third coder who disagrees with both others has
/// the two lowest pairs.
#[test]
fn coder_pairs_show_the_deviating_coder() {
    let data = ReliabilityData::from_coder_rows(&[
        vec![
            Some("a"),
            Some("b"),
            Some("a"),
            Some("c"),
            Some("b"),
            Some("a"),
        ],
        vec![
            Some("a"),
            Some("b"),
            Some("a"),
            Some("c"),
            Some("b"),
            Some("b"),
        ],
        vec![
            Some("c"),
            Some("a"),
            Some("b"),
            Some("c"),
            Some("a"),
            Some("a"),
        ],
    ])
    .unwrap();
    let pairs = coder_pairs(&data, Metric::Nominal);
    let alpha = |i: usize| pairs[i].krippendorff_alpha.unwrap();
    // (1, 2), (1, 3), (2, 3)
    assert!(alpha(0) > alpha(1) && alpha(0) > alpha(2), "{pairs:?}");
    assert_close(pairs[0].percent_agreement.unwrap(), 5.0 / 6.0);
    assert_eq!(pairs[0].common_units, 6);
}

/// Two coders who only ever used one category: PABAK and the indices are defined (a 2 × 2 table
/// with an empty category), AC1 is not (one category), and says why.
#[test]
fn degenerate_tables_stay_defined_or_explained() {
    let data = from_table(&[("no", "no", 10)]);
    let pb = prevalence_bias(&data);
    assert_eq!(pb.pabak, Ok(1.0));
    assert_eq!(pb.prevalence_index, Ok(1.0));
    assert_eq!(
        gwet_ac(&data, KappaWeights::Unweighted),
        Err(Undefined::TooFewCategories)
    );
}
