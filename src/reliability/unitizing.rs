//! Krippendorff's unitizing alpha `αU` for spans on a continuum.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::hash::Interner;
use super::stat::{Stat, Undefined, ratio};

/// The stretch `[begin, end)` that the coders divided into spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Continuum {
    /// The first position.
    pub begin: i64,
    /// One past the last position.
    pub end: i64,
}

impl Continuum {
    /// The continuum `[begin, end)`; fails unless `end > begin` and its length fits an `i64`.
    pub fn new(begin: i64, end: i64) -> Result<Self, SpanError> {
        if end > begin && end.checked_sub(begin).is_some() {
            Ok(Self { begin, end })
        } else {
            Err(SpanError::EmptyContinuum { begin, end })
        }
    }

    /// Its length `L = end − begin`.
    pub fn length(&self) -> i64 {
        self.end - self.begin
    }
}

impl fmt::Display for Continuum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.begin, self.end)
    }
}

impl FromStr for Continuum {
    type Err = SpanError;

    /// Parses `BEGIN:END`, such as `150:450`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SpanError::BadContinuum(s.to_owned());
        let (begin, end) = s.split_once(':').ok_or_else(bad)?;
        let begin = begin.trim().parse().map_err(|_| bad())?;
        let end = end.trim().parse().map_err(|_| bad())?;
        Self::new(begin, end)
    }
}

/// One coder's span of one category: positions `[begin, begin + length)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// The coder's index in [`SpanData::coder_name`].
    pub coder: u32,
    /// The category's index in [`SpanData::category_name`].
    pub category: u32,
    /// The first position.
    pub begin: i64,
    /// The number of positions.
    pub length: i64,
}

/// Why span data cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    /// The continuum has no positions.
    #[error("the continuum {begin}:{end} is empty: END must be greater than BEGIN")]
    EmptyContinuum {
        /// Its begin.
        begin: i64,
        /// Its end.
        end: i64,
    },
    /// A continuum was not written `BEGIN:END`.
    #[error("continuum `{0}` is not BEGIN:END with two integers, such as 0:1200")]
    BadContinuum(String),
    /// A span's length is 0 or negative.
    #[error("span #{index}: the length must be 1 or more, found {length}")]
    NonPositiveLength {
        /// The span's index in [`SpanData::spans`].
        index: usize,
        /// Its length.
        length: i64,
    },
    /// A span reaches outside the continuum.
    #[error("span #{index} [{begin}, {end}) lies outside the continuum {continuum}")]
    OutsideContinuum {
        /// The span's index in [`SpanData::spans`].
        index: usize,
        /// Its first position.
        begin: i64,
        /// One past its last position.
        end: i64,
        /// The continuum.
        continuum: Continuum,
    },
    /// Two spans of the same coder and category overlap.
    #[error("span #{index} overlaps span #{other} of the same coder and category")]
    Overlap {
        /// The later span's index in [`SpanData::spans`].
        index: usize,
        /// The earlier span's index.
        other: usize,
    },
}

/// Spans of several coders on one continuum.
#[derive(Debug, Clone, Default)]
pub struct SpanData {
    coders: Interner,
    categories: Interner,
    spans: Vec<Span>,
}

impl SpanData {
    /// No coders, no spans.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a coder, who counts in `m` even without any span; returns its index.
    pub fn add_coder(&mut self, name: &str) -> usize {
        self.coders.intern(name) as usize
    }

    /// Adds a span and returns its index. Spans are checked by [`unitizing_alpha`].
    pub fn push(&mut self, coder: &str, category: &str, begin: i64, length: i64) -> usize {
        let coder = self.coders.intern(coder);
        let category = self.categories.intern(category);
        self.spans.push(Span {
            coder,
            category,
            begin,
            length,
        });
        self.spans.len() - 1
    }

    /// The number of coders, `m`.
    pub fn n_coders(&self) -> usize {
        self.coders.len()
    }

    /// The coder's name.
    pub fn coder_name(&self, coder: u32) -> &str {
        self.coders.name(coder)
    }

    /// The category's name.
    pub fn category_name(&self, category: u32) -> &str {
        self.categories.name(category)
    }

    /// The number of categories.
    pub fn n_categories(&self) -> usize {
        self.categories.len()
    }

    /// The spans, in the order added.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
}

/// One category's unitizing alpha.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CategoryAlpha {
    /// `αU_k = 1 − D_o / D_e`, or why it is undefined.
    #[serde(serialize_with = "super::stat::serialize_stat")]
    pub alpha: Stat,
    /// `D_o` (0 with fewer than two coders).
    pub observed_disagreement: f64,
    /// `D_e` (0 with fewer than two coders).
    pub expected_disagreement: f64,
    /// Units (spans) of the category over all coders, `N_k`.
    pub units: usize,
}

/// Unitizing alpha overall and by category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitizingAlpha {
    /// `αU = 1 − Σ_k D_o,k / Σ_k D_e,k`.
    #[serde(serialize_with = "super::stat::serialize_stat")]
    pub overall: Stat,
    /// Each category's alpha, by name.
    pub by_category: BTreeMap<String, CategoryAlpha>,
    /// The number of coders, `m`.
    pub coders: usize,
}

/// A section of one coder's tiling of the continuum for one category.
#[derive(Debug, Clone, Copy)]
struct Section {
    begin: i64,
    length: i64,
    unit: bool,
}

impl Section {
    fn end(self) -> i64 {
        self.begin + self.length
    }
}

/// Krippendorff's unitizing alpha, overall and for each category, for two or more coders.
///
/// Krippendorff, K. (1995). On the reliability of unitizing continuous data. *Sociological
/// Methodology* 25, 47–76; Krippendorff, K. (2004). Measuring the reliability of qualitative
/// text analysis data. *Quality & Quantity* 38, 787–800.
///
/// For each category `k` separately, every coder's continuum `[B, E)` of length `L = E − B` is cut
/// into *sections*: the coder's units (spans) of category `k` (`w = 1`) and the gaps between them
/// (`w = 0`), so that each coder's sections tile the continuum. Section `g` of coder `i` begins at
/// `b_ig` and has length `l_ig`. The difference of two sections of different coders is
///
/// ```text
/// δ²(ig, jh) = (b_ig − b_jh)² + (b_ig + l_ig − b_jh − l_jh)²  if both are units that overlap,
///                                                             −l_ig < b_ig − b_jh < l_jh
///            = l_ig²    if g is a unit inside the gap h, 0 ≤ b_ig − b_jh ≤ l_jh − l_ig
///            = l_jh²    if h is a unit inside the gap g, 0 ≤ b_jh − b_ig ≤ l_ig − l_jh
///            = 0        otherwise
/// ```
///
/// and, for `m` coders and `N_k` units of category `k` over all coders,
///
/// ```text
/// D_o = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(ig, jh) / (m (m − 1) L²)
/// D_e = 2/L · Σ_i Σ_g w_ig [ (N_k − 1)/3 · (2 l_ig³ − 3 l_ig² + l_ig)
///                            + l_ig² Σ_j Σ_h (1 − w_jh) (l_jh − l_ig + 1) [l_jh ≥ l_ig] ]
///       / ( m L (m L − 1) − Σ_i Σ_g w_ig l_ig (l_ig − 1) )
/// αU_k = 1 − D_o / D_e,         αU = 1 − Σ_k D_o,k / Σ_k D_e,k
/// ```
///
/// In `D_e` the sum over gaps `Σ_j Σ_h` runs over all coders, `i` included, which reproduces the
/// figures published for Krippendorff's (2004) Fig. 2 (`D_e` = .0532 for c, .0490 for k).
///
/// Positions are integers (code points), as the `+ 1` and `l (l − 1)` terms assume. Since a
/// coder's sections tile the continuum and only overlapping sections can differ, `D_o` is
/// computed by merging the two coders' tilings, `O(m² S)` for `S` sections per coder, and the gap
/// sum of `D_e` with sorted gap lengths and prefix sums, `O(S log S)`.
///
/// Fails when a span is empty, reaches outside `continuum`, or overlaps another span of the same
/// coder and category (spans of different categories may overlap: each category is analysed on
/// its own). A category's alpha is undefined with fewer than two coders
/// ([`Undefined::TooFewCoders`]) or when its expected disagreement is zero
/// ([`Undefined::NoVariation`]).
pub fn unitizing_alpha(data: &SpanData, continuum: Continuum) -> Result<UnitizingAlpha, SpanError> {
    check_spans(data, continuum)?;
    let coders = data.n_coders();
    let length = continuum.length() as f64;

    // Span indices grouped by category, then coder, then begin (overlaps checked above).
    let mut order: Vec<usize> = (0..data.spans.len()).collect();
    order.sort_by_key(|&s| {
        let span = data.spans[s];
        (span.category, span.coder, span.begin)
    });

    let mut by_category = BTreeMap::new();
    let (mut observed_total, mut expected_total) = (0.0, 0.0);
    for group in order.chunk_by(|&a, &b| data.spans[a].category == data.spans[b].category) {
        let category = data.spans[group[0]].category;
        let units = group.len();
        let result = if coders < 2 {
            CategoryAlpha {
                alpha: Err(Undefined::TooFewCoders(coders)),
                observed_disagreement: 0.0,
                expected_disagreement: 0.0,
                units,
            }
        } else {
            let tilings = tilings(data, group, coders, continuum);
            let observed = observed_disagreement(&tilings, length);
            let expected = expected_disagreement(&tilings, units, length);
            observed_total += observed;
            expected_total += expected;
            CategoryAlpha {
                alpha: ratio(observed, expected, Undefined::NoVariation).map(|r| 1.0 - r),
                observed_disagreement: observed,
                expected_disagreement: expected,
                units,
            }
        };
        by_category.insert(data.category_name(category).to_owned(), result);
    }
    let overall = if coders < 2 {
        Err(Undefined::TooFewCoders(coders))
    } else {
        ratio(observed_total, expected_total, Undefined::NoVariation).map(|r| 1.0 - r)
    };
    Ok(UnitizingAlpha {
        overall,
        by_category,
        coders,
    })
}

fn check_spans(data: &SpanData, continuum: Continuum) -> Result<(), SpanError> {
    for (index, span) in data.spans.iter().enumerate() {
        if span.length < 1 {
            return Err(SpanError::NonPositiveLength {
                index,
                length: span.length,
            });
        }
        let end = span.begin.checked_add(span.length);
        if span.begin < continuum.begin || end.is_none_or(|e| e > continuum.end) {
            return Err(SpanError::OutsideContinuum {
                index,
                begin: span.begin,
                end: end.unwrap_or(i64::MAX),
                continuum,
            });
        }
    }
    let mut order: Vec<usize> = (0..data.spans.len()).collect();
    order.sort_by_key(|&s| {
        let span = data.spans[s];
        (span.category, span.coder, span.begin, s)
    });
    for pair in order.windows(2) {
        let (a, b) = (data.spans[pair[0]], data.spans[pair[1]]);
        if a.category == b.category && a.coder == b.coder && a.begin + a.length > b.begin {
            return Err(SpanError::Overlap {
                index: pair[0].max(pair[1]),
                other: pair[0].min(pair[1]),
            });
        }
    }
    Ok(())
}

/// Each coder's tiling of the continuum by the category's units (sorted, non-overlapping spans
/// in `group`) and the gaps between them.
fn tilings(
    data: &SpanData,
    group: &[usize],
    coders: usize,
    continuum: Continuum,
) -> Vec<Vec<Section>> {
    let mut tilings = vec![Vec::new(); coders];
    let mut cursor = vec![continuum.begin; coders];
    for &s in group {
        let span = data.spans[s];
        let coder = span.coder as usize;
        if span.begin > cursor[coder] {
            tilings[coder].push(Section {
                begin: cursor[coder],
                length: span.begin - cursor[coder],
                unit: false,
            });
        }
        tilings[coder].push(Section {
            begin: span.begin,
            length: span.length,
            unit: true,
        });
        cursor[coder] = span.begin + span.length;
    }
    for (tiling, cursor) in tilings.iter_mut().zip(cursor) {
        if cursor < continuum.end {
            tiling.push(Section {
                begin: cursor,
                length: continuum.end - cursor,
                unit: false,
            });
        }
    }
    tilings
}

/// `δ²` of section `g` (one coder) and section `h` (another coder).
fn delta(g: Section, h: Section) -> f64 {
    let d = g.begin - h.begin;
    let sq = |x: i64| (x as f64) * (x as f64);
    match (g.unit, h.unit) {
        (true, true) if -g.length < d && d < h.length => sq(d) + sq(g.end() - h.end()),
        (true, false) if 0 <= d && d <= h.length - g.length => sq(g.length),
        (false, true) if h.length - g.length <= d && d <= 0 => sq(h.length),
        _ => 0.0,
    }
}

/// `D_o`: every ordered pair of different coders, every pair of overlapping sections (only
/// those can differ), found by merging the two tilings.
fn observed_disagreement(tilings: &[Vec<Section>], length: f64) -> f64 {
    let m = tilings.len() as f64;
    let mut sum = 0.0;
    for (i, a) in tilings.iter().enumerate() {
        for b in &tilings[i + 1..] {
            let (mut x, mut y) = (0, 0);
            while x < a.len() && y < b.len() {
                sum += delta(a[x], b[y]);
                let (end_a, end_b) = (a[x].end(), b[y].end());
                if end_a <= end_b {
                    x += 1;
                }
                if end_b <= end_a {
                    y += 1;
                }
            }
        }
    }
    // δ² is symmetric, so each unordered pair of coders stands for two ordered pairs.
    2.0 * sum / (m * (m - 1.0) * length * length)
}

/// `D_e` of one category with `units` units over all coders.
fn expected_disagreement(tilings: &[Vec<Section>], units: usize, length: f64) -> f64 {
    let m = tilings.len() as f64;
    let sections = || tilings.iter().flatten();
    let mut gaps: Vec<i64> = sections().filter(|s| !s.unit).map(|s| s.length).collect();
    gaps.sort_unstable();
    // suffix[i] = Σ gaps[i..]
    let mut suffix = vec![0.0; gaps.len() + 1];
    for i in (0..gaps.len()).rev() {
        suffix[i] = suffix[i + 1] + gaps[i] as f64;
    }
    let n_minus_1 = units as f64 - 1.0;
    let (mut numerator, mut within_units) = (0.0, 0.0);
    for unit in sections().filter(|s| s.unit) {
        let l = unit.length as f64;
        let first = gaps.partition_point(|&g| g < unit.length);
        let longer = (gaps.len() - first) as f64;
        // Σ over gaps with l_h ≥ l of (l_h − l + 1)
        let gap_sum = suffix[first] - longer * (l - 1.0);
        numerator += n_minus_1 / 3.0 * (2.0 * l * l * l - 3.0 * l * l + l) + l * l * gap_sum;
        within_units += l * (l - 1.0);
    }
    let denominator = m * length * (m * length - 1.0) - within_units;
    if denominator > 0.0 {
        2.0 / length * numerator / denominator
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(begin: i64, length: i64) -> Section {
        Section {
            begin,
            length,
            unit: true,
        }
    }

    fn gap(begin: i64, length: i64) -> Section {
        Section {
            begin,
            length,
            unit: false,
        }
    }

    /// The distances printed for Krippendorff's (2004) Fig. 2.
    #[test]
    fn delta_of_figure_2() {
        assert_eq!(delta(unit(225, 70), unit(220, 80)), 50.0);
        assert_eq!(delta(unit(370, 30), unit(355, 20)), 850.0);
        assert_eq!(delta(gap(400, 50), unit(400, 20)), 400.0);
        assert_eq!(delta(unit(400, 20), gap(400, 50)), 400.0);
        // Adjacent units do not overlap; a unit straddling a gap's end is not inside it.
        assert_eq!(delta(unit(370, 30), unit(400, 20)), 0.0);
        assert_eq!(delta(unit(225, 70), gap(150, 100)), 0.0);
    }

    #[test]
    fn continuum_parses() {
        assert_eq!(
            "150:450".parse(),
            Ok(Continuum {
                begin: 150,
                end: 450
            })
        );
        assert!(matches!(
            "450:150".parse::<Continuum>(),
            Err(SpanError::EmptyContinuum { .. })
        ));
        assert!(matches!(
            "150-450".parse::<Continuum>(),
            Err(SpanError::BadContinuum(_))
        ));
    }

    #[test]
    fn invalid_spans_are_refused() {
        let continuum = Continuum::new(0, 100).unwrap();
        let mut data = SpanData::new();
        data.push("a", "x", 10, 0);
        assert!(matches!(
            unitizing_alpha(&data, continuum),
            Err(SpanError::NonPositiveLength { index: 0, .. })
        ));

        let mut data = SpanData::new();
        data.push("a", "x", 90, 20);
        assert!(matches!(
            unitizing_alpha(&data, continuum),
            Err(SpanError::OutsideContinuum { index: 0, .. })
        ));

        let mut data = SpanData::new();
        data.push("a", "x", 10, 20);
        data.push("a", "y", 15, 20); // another category: fine
        data.push("b", "x", 15, 20); // another coder: fine
        data.push("a", "x", 29, 5);
        assert_eq!(
            unitizing_alpha(&data, continuum),
            Err(SpanError::Overlap { index: 3, other: 0 })
        );
    }

    #[test]
    fn identical_spans_agree_perfectly_and_one_coder_is_undefined() {
        let continuum = Continuum::new(0, 100).unwrap();
        let mut data = SpanData::new();
        for coder in ["a", "b", "c"] {
            data.push(coder, "x", 10, 20);
            data.push(coder, "x", 50, 5);
        }
        let alpha = unitizing_alpha(&data, continuum).unwrap();
        assert_eq!(alpha.overall, Ok(1.0));

        let mut single = SpanData::new();
        single.push("a", "x", 10, 20);
        let alpha = unitizing_alpha(&single, continuum).unwrap();
        assert_eq!(alpha.overall, Err(Undefined::TooFewCoders(1)));
    }
}
