//! The reliability matrix: units × coders, with missing values.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::hash::{FxHashMap, Interner};

/// The kind of values a [`ReliabilityData`] matrix holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// Category labels (nominal data).
    Label,
    /// Finite numbers (ordinal, interval or ratio data; also usable as nominal categories).
    Number,
    /// Sets of category labels (set-valued units, compared with MASI).
    Set,
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Label => "label",
            Self::Number => "number",
            Self::Set => "set",
        })
    }
}

/// The distinct values of a matrix, indexed by value id.
#[derive(Debug, Clone)]
pub(crate) enum Domain {
    Labels(Vec<String>),
    Numbers(Vec<f64>),
    Sets {
        /// Member labels, indexed by label id.
        labels: Vec<String>,
        /// Each set as its sorted, deduplicated label ids.
        sets: Vec<Box<[u32]>>,
    },
}

impl Domain {
    pub(crate) fn kind(&self) -> ValueKind {
        match self {
            Self::Labels(_) => ValueKind::Label,
            Self::Numbers(_) => ValueKind::Number,
            Self::Sets { .. } => ValueKind::Set,
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Labels(labels) => labels.len(),
            Self::Numbers(numbers) => numbers.len(),
            Self::Sets { sets, .. } => sets.len(),
        }
    }
}

/// One non-missing value: which coder gave which value (by value id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Coding {
    /// The coder's index, see [`ReliabilityData::coder_names`].
    pub coder: u32,
    /// The value's id, see [`ReliabilityData::value_text`].
    pub value: u32,
}

/// A reliability matrix of units × coders with missing values.
///
/// Stored sparsely: for each unit, the codings of the coders who gave it a value, sorted by
/// coder. A missing value is simply absent; a unit that no coder coded is an empty row (it counts
/// in [`n_units`](Self::n_units) but in no statistic). Values are interned to dense `u32` ids, so
/// memory is `O(units + codings + distinct values)`.
#[derive(Debug, Clone)]
pub struct ReliabilityData {
    /// Shared with the CSV file read and with coder selections.
    units: Arc<[String]>,
    coders: Vec<String>,
    domain: Domain,
    /// `codings[offsets[u]..offsets[u + 1]]` are unit `u`'s codings.
    offsets: Vec<usize>,
    codings: Vec<Coding>,
}

/// Why a matrix or a table could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// A value of another kind than the matrix's was added.
    #[error("a {found} value was added to a matrix of {expected} values")]
    WrongKind {
        /// The matrix's kind.
        expected: ValueKind,
        /// The added value's kind.
        found: ValueKind,
    },
    /// A number was NaN or infinite.
    #[error("unit `{unit}`, coder `{coder}`: {value} is not a finite number")]
    NotFinite {
        /// The unit's name.
        unit: String,
        /// The coder's name.
        coder: String,
        /// The offending number.
        value: f64,
    },
    /// The same coder coded the same unit twice.
    #[error("unit `{unit}` is coded twice by coder `{coder}`")]
    Duplicate {
        /// The unit's name.
        unit: String,
        /// The coder's name.
        coder: String,
    },
    /// A contingency table was not square or had a negative or non-finite count.
    #[error("a contingency table must be square, with finite counts of 0 or more")]
    BadTable,
    /// Category scores were not one finite number per category.
    #[error("category scores must be one finite number per category")]
    BadScores,
}

impl ReliabilityData {
    /// Builds a matrix whose rows are coders and columns units (the layout of Krippendorff's
    /// reliability data matrices). Units are named `1`, `2`, … and coders likewise; rows may be of
    /// unequal length (absent cells are missing).
    ///
    /// ```
    /// use normcode::reliability::{ReliabilityData, krippendorff_alpha, Metric};
    /// let data = ReliabilityData::from_coder_rows(&[
    ///     vec![Some("a"), Some("a"), Some("b"), None],
    ///     vec![Some("a"), Some("b"), Some("b"), Some("c")],
    /// ]).unwrap();
    /// assert_eq!(data.n_units(), 4);
    /// assert!(krippendorff_alpha(&data, Metric::Nominal).is_ok());
    /// ```
    pub fn from_coder_rows<T: Cell, R: AsRef<[Option<T>]>>(rows: &[R]) -> Result<Self, DataError> {
        let n_units = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
        let mut builder = DataBuilder::new(T::KIND);
        let unit_names: Vec<String> = (1..=n_units).map(|u| u.to_string()).collect();
        for name in &unit_names {
            builder.add_unit(name);
        }
        for (c, row) in rows.iter().enumerate() {
            let coder = (c + 1).to_string();
            builder.add_coder(&coder);
            for (u, cell) in row.as_ref().iter().enumerate() {
                if let Some(value) = cell {
                    value.push_to(&mut builder, &unit_names[u], &coder)?;
                }
            }
        }
        builder.build()
    }

    /// Builds a matrix whose rows are units and columns coders. Units are named `1`, `2`, … and
    /// coders likewise; rows may be of unequal length (absent cells are missing).
    pub fn from_unit_rows<T: Cell, R: AsRef<[Option<T>]>>(rows: &[R]) -> Result<Self, DataError> {
        let n_coders = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
        let mut builder = DataBuilder::new(T::KIND);
        let coder_names: Vec<String> = (1..=n_coders).map(|c| c.to_string()).collect();
        for name in &coder_names {
            builder.add_coder(name);
        }
        for (u, row) in rows.iter().enumerate() {
            let unit = (u + 1).to_string();
            builder.add_unit(&unit);
            for (c, cell) in row.as_ref().iter().enumerate() {
                if let Some(value) = cell {
                    value.push_to(&mut builder, &unit, &coder_names[c])?;
                }
            }
        }
        builder.build()
    }

    /// Assembles a matrix from entries `(unit, coder, value)` that have no duplicate
    /// `(unit, coder)` pair (the caller checked), in any order.
    pub(crate) fn from_parts(
        units: Arc<[String]>,
        coders: Vec<String>,
        domain: Domain,
        entries: Vec<(u32, u32, u32)>,
    ) -> Self {
        // A counting sort by unit (entries usually come unit by unit already), then each unit's
        // few codings by coder: linear, where sorting all entries was `n log n`.
        let mut offsets = vec![0usize; units.len() + 1];
        for &(unit, _, _) in &entries {
            offsets[unit as usize + 1] += 1;
        }
        for u in 0..units.len() {
            offsets[u + 1] += offsets[u];
        }
        let mut next = offsets.clone();
        let mut codings = vec![Coding { coder: 0, value: 0 }; entries.len()];
        for (unit, coder, value) in entries {
            let slot = &mut next[unit as usize];
            codings[*slot] = Coding { coder, value };
            *slot += 1;
        }
        for w in offsets.windows(2) {
            codings[w[0]..w[1]].sort_unstable_by_key(|c| c.coder);
        }
        Self {
            units,
            coders,
            domain,
            offsets,
            codings,
        }
    }

    /// The number of units, including units that no coder coded.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The number of coders, including coders without any value.
    pub fn n_coders(&self) -> usize {
        self.coders.len()
    }

    /// The number of non-missing values.
    pub fn n_codings(&self) -> usize {
        self.codings.len()
    }

    /// The number of distinct values (categories, numbers or sets).
    pub fn n_values(&self) -> usize {
        self.domain.len()
    }

    /// The kind of values the matrix holds.
    pub fn kind(&self) -> ValueKind {
        self.domain.kind()
    }

    /// Unit names, indexed by unit.
    pub fn unit_names(&self) -> &[String] {
        &self.units[..]
    }

    /// Coder names, indexed by coder.
    pub fn coder_names(&self) -> &[String] {
        &self.coders
    }

    /// The index of the coder called `name`.
    pub fn coder_index(&self, name: &str) -> Option<usize> {
        self.coders.iter().position(|c| c == name)
    }

    /// Unit `unit`'s codings, sorted by coder.
    ///
    /// # Panics
    /// If `unit >= n_units()`.
    pub fn unit(&self, unit: usize) -> &[Coding] {
        &self.codings[self.offsets[unit]..self.offsets[unit + 1]]
    }

    /// Every unit's codings, in unit order.
    pub fn units(&self) -> impl ExactSizeIterator<Item = &[Coding]> + '_ {
        self.offsets.windows(2).map(|w| &self.codings[w[0]..w[1]])
    }

    /// The number behind value id `value`, for numeric data.
    pub fn number(&self, value: u32) -> Option<f64> {
        match &self.domain {
            Domain::Numbers(numbers) => numbers.get(value as usize).copied(),
            _ => None,
        }
    }

    /// Value id `value` as text: the label, the number, or the set's labels joined with `|`.
    pub fn value_text(&self, value: u32) -> Option<String> {
        let value = value as usize;
        match &self.domain {
            Domain::Labels(labels) => labels.get(value).cloned(),
            Domain::Numbers(numbers) => numbers.get(value).map(|n| n.to_string()),
            Domain::Sets { labels, sets } => sets.get(value).map(|set| {
                set.iter()
                    .map(|&l| labels[l as usize].as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            }),
        }
    }

    pub(crate) fn domain(&self) -> &Domain {
        &self.domain
    }
}

/// Adds codings one at a time, then checks them with [`build`](Self::build).
#[derive(Debug, Clone)]
pub struct DataBuilder {
    kind: ValueKind,
    units: Interner,
    coders: Interner,
    /// Value labels (label kind) or set member labels (set kind).
    labels: Interner,
    number_ids: FxHashMap<u64, u32>,
    numbers: Vec<f64>,
    set_ids: FxHashMap<Box<[u32]>, u32>,
    sets: Vec<Box<[u32]>>,
    entries: Vec<(u32, u32, u32)>,
}

impl DataBuilder {
    /// An empty builder for values of `kind`.
    pub fn new(kind: ValueKind) -> Self {
        Self {
            kind,
            units: Interner::default(),
            coders: Interner::default(),
            labels: Interner::default(),
            number_ids: FxHashMap::default(),
            numbers: Vec::new(),
            set_ids: FxHashMap::default(),
            sets: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// Registers a unit (so that it counts even if all its values are missing); returns its index.
    pub fn add_unit(&mut self, name: &str) -> usize {
        self.units.intern(name) as usize
    }

    /// Registers a coder (so that it counts even without values); returns its index.
    pub fn add_coder(&mut self, name: &str) -> usize {
        self.coders.intern(name) as usize
    }

    fn check_kind(&self, found: ValueKind) -> Result<(), DataError> {
        if self.kind == found {
            Ok(())
        } else {
            Err(DataError::WrongKind {
                expected: self.kind,
                found,
            })
        }
    }

    fn push_id(&mut self, unit: &str, coder: &str, value: u32) {
        let unit = self.units.intern(unit);
        let coder = self.coders.intern(coder);
        self.entries.push((unit, coder, value));
    }

    /// Adds a category label.
    pub fn push_label(&mut self, unit: &str, coder: &str, label: &str) -> Result<(), DataError> {
        self.check_kind(ValueKind::Label)?;
        let value = self.labels.intern(label);
        self.push_id(unit, coder, value);
        Ok(())
    }

    /// Adds a number; NaN and infinities are refused.
    pub fn push_number(&mut self, unit: &str, coder: &str, number: f64) -> Result<(), DataError> {
        self.check_kind(ValueKind::Number)?;
        if !number.is_finite() {
            return Err(DataError::NotFinite {
                unit: unit.to_owned(),
                coder: coder.to_owned(),
                value: number,
            });
        }
        let value = intern_number(&mut self.number_ids, &mut self.numbers, number);
        self.push_id(unit, coder, value);
        Ok(())
    }

    /// Adds a set of labels (duplicates are ignored, order does not matter).
    pub fn push_set<I, S>(&mut self, unit: &str, coder: &str, labels: I) -> Result<(), DataError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.check_kind(ValueKind::Set)?;
        let members: Vec<u32> = labels
            .into_iter()
            .map(|l| self.labels.intern(l.as_ref()))
            .collect();
        let value = intern_set(&mut self.set_ids, &mut self.sets, members);
        self.push_id(unit, coder, value);
        Ok(())
    }

    /// Records that `coder` left `unit` uncoded: registers both, adds no value.
    pub fn push_missing(&mut self, unit: &str, coder: &str) {
        self.units.intern(unit);
        self.coders.intern(coder);
    }

    /// Checks for duplicate `(unit, coder)` pairs and builds the matrix.
    pub fn build(self) -> Result<ReliabilityData, DataError> {
        let mut entries = self.entries;
        entries.sort_unstable();
        if let Some(pair) = entries
            .windows(2)
            .find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        {
            return Err(DataError::Duplicate {
                unit: self.units.name(pair[0].0).to_owned(),
                coder: self.coders.name(pair[0].1).to_owned(),
            });
        }
        let domain = match self.kind {
            ValueKind::Label => Domain::Labels(self.labels.into_names()),
            ValueKind::Number => Domain::Numbers(self.numbers),
            ValueKind::Set => Domain::Sets {
                labels: self.labels.into_names(),
                sets: self.sets,
            },
        };
        Ok(ReliabilityData::from_parts(
            self.units.into_names().into(),
            self.coders.into_names(),
            domain,
            entries,
        ))
    }
}

/// The id of `number` (`-0.0` is `0.0`), adding it if new.
pub(crate) fn intern_number(
    ids: &mut FxHashMap<u64, u32>,
    numbers: &mut Vec<f64>,
    number: f64,
) -> u32 {
    let number = if number == 0.0 { 0.0 } else { number };
    *ids.entry(number.to_bits()).or_insert_with(|| {
        numbers.push(number);
        to_id(numbers.len() - 1)
    })
}

/// The id of the set with label ids `members` (sorted and deduplicated here), adding it if new.
pub(crate) fn intern_set(
    ids: &mut FxHashMap<Box<[u32]>, u32>,
    sets: &mut Vec<Box<[u32]>>,
    mut members: Vec<u32>,
) -> u32 {
    members.sort_unstable();
    members.dedup();
    let members = members.into_boxed_slice();
    if let Some(&id) = ids.get(&members) {
        return id;
    }
    let id = to_id(sets.len());
    sets.push(members.clone());
    ids.insert(members, id);
    id
}

pub(crate) fn to_id(index: usize) -> u32 {
    u32::try_from(index).expect("more than u32::MAX distinct values")
}

/// A value that [`ReliabilityData::from_coder_rows`] and
/// [`ReliabilityData::from_unit_rows`] accept: `&str` and `String` (labels), `f64` and `i32`
/// (numbers), `Vec<&str>` and `Vec<String>` (sets).
pub trait Cell {
    /// The kind of value this type gives.
    const KIND: ValueKind;
    /// Adds this value for `unit` and `coder`.
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError>;
}

impl Cell for &str {
    const KIND: ValueKind = ValueKind::Label;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_label(unit, coder, self)
    }
}

impl Cell for String {
    const KIND: ValueKind = ValueKind::Label;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_label(unit, coder, self)
    }
}

impl Cell for f64 {
    const KIND: ValueKind = ValueKind::Number;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_number(unit, coder, *self)
    }
}

impl Cell for i32 {
    const KIND: ValueKind = ValueKind::Number;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_number(unit, coder, f64::from(*self))
    }
}

impl Cell for Vec<&str> {
    const KIND: ValueKind = ValueKind::Set;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_set(unit, coder, self)
    }
}

impl Cell for Vec<String> {
    const KIND: ValueKind = ValueKind::Set;
    fn push_to(&self, builder: &mut DataBuilder, unit: &str, coder: &str) -> Result<(), DataError> {
        builder.push_set(unit, coder, self)
    }
}

impl ReliabilityData {
    /// The matrix restricted to the given coders, in the given order (for pairwise statistics on
    /// data with more coders). Units, unit names and value ids are kept. `None` if an index is
    /// out of range or repeated.
    pub fn select_coders(&self, coders: &[usize]) -> Option<Self> {
        let mut new_index = vec![u32::MAX; self.coders.len()];
        for (new, &old) in coders.iter().enumerate() {
            let slot = new_index.get_mut(old)?;
            if *slot != u32::MAX {
                return None;
            }
            *slot = to_id(new);
        }
        let mut entries = Vec::new();
        for (u, unit) in self.units().enumerate() {
            for coding in unit {
                let coder = new_index[coding.coder as usize];
                if coder != u32::MAX {
                    entries.push((to_id(u), coder, coding.value));
                }
            }
        }
        Some(Self::from_parts(
            Arc::clone(&self.units),
            coders.iter().map(|&c| self.coders[c].clone()).collect(),
            self.domain.clone(),
            entries,
        ))
    }
}
