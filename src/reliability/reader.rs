//! The CSV inputs of `normcode agree`: codings (`unit,coder,value`) and spans
//! (`coder,begin,length,category`).
//!
//! Both need their header line. Fields are trimmed; a UTF-8 byte-order mark is ignored. Every
//! error names the line (1-based, counting the header) where the problem is.
//!
//! # Codings: `unit,coder,value`
//!
//! One line per coding. An empty value is missing data (the unit still counts, as does the
//! coder). A value containing `|` is a set of labels (`IL01|VU01`), for set-valued units. Each
//! `(unit, coder)` pair may appear once. How values are read depends on the metric asked for, see
//! [`CodingsCsv::to_data`].
//!
//! # Spans: `coder,begin,length,category`
//!
//! One line per span `[begin, begin + length)` (integers, such as code point offsets). A line with
//! only a coder (`carol,,,`) declares a coder who marked no span at all, who still counts in the
//! number of coders.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::alpha::Metric;
use super::data::{Domain, ReliabilityData, intern_number, intern_set};
use super::hash::{FxHashMap, Interner};
use super::unitizing::{Continuum, SpanData, SpanError, UnitizingAlpha, unitizing_alpha};

/// Why a CSV file could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The file could not be opened.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The CSV layer failed (invalid UTF-8, unbalanced quotes, I/O).
    #[error("cannot read CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The file has no header line.
    #[error("the file is empty: it needs the header line `{expected}`")]
    MissingHeader {
        /// The header needed.
        expected: &'static str,
    },
    /// The header line is not the one expected.
    #[error("line {line}: the header must be `{expected}`, found `{found}`")]
    BadHeader {
        /// Its line.
        line: u64,
        /// The header needed.
        expected: &'static str,
        /// The header found.
        found: String,
    },
    /// A field is not valid UTF-8.
    #[error("line {line}: the text is not valid UTF-8")]
    NotUtf8 {
        /// Its line.
        line: u64,
    },
    /// A row has more or fewer fields than the header.
    #[error("line {line}: expected {expected} fields like the header, found {found}")]
    Ragged {
        /// Its line.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields on the line.
        found: usize,
    },
    /// A required field is empty.
    #[error("line {line}: the {field} is empty")]
    EmptyField {
        /// Its line.
        line: u64,
        /// The field's name.
        field: &'static str,
    },
    /// A `(unit, coder)` pair appears twice.
    #[error(
        "line {line}: unit `{unit}` is coded a second time by coder `{coder}` (first on line {first_line})"
    )]
    Duplicate {
        /// The second occurrence's line.
        line: u64,
        /// The first occurrence's line.
        first_line: u64,
        /// The unit.
        unit: String,
        /// The coder.
        coder: String,
    },
    /// A value is not a finite number but the metric needs numbers.
    #[error(
        "line {line}: value `{value}` (unit `{unit}`, coder `{coder}`) is not a number, but the {metric} metric needs numbers"
    )]
    NotNumeric {
        /// The first line with that value.
        line: u64,
        /// The value.
        value: String,
        /// Its unit.
        unit: String,
        /// Its coder.
        coder: String,
        /// The metric asked for.
        metric: Metric,
    },
    /// A value is negative but the ratio metric needs values of 0 or more.
    #[error(
        "line {line}: value `{value}` (unit `{unit}`, coder `{coder}`) is negative, but the ratio metric needs values of 0 or more"
    )]
    NegativeRatio {
        /// The first line with that value.
        line: u64,
        /// The value.
        value: String,
        /// Its unit.
        unit: String,
        /// Its coder.
        coder: String,
    },
    /// A span's begin or length is not an integer.
    #[error("line {line}: {field} `{value}` is not an integer")]
    NotInteger {
        /// Its line.
        line: u64,
        /// `begin` or `length`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// Some but not all of begin, length and category are empty.
    #[error(
        "line {line}: begin, length and category must all be given (or all be empty, to declare a coder without spans)"
    )]
    IncompleteSpan {
        /// Its line.
        line: u64,
    },
    /// A span's length is 0 or negative.
    #[error("line {line}: the span's length must be 1 or more, found {length}")]
    SpanLength {
        /// Its line.
        line: u64,
        /// Its length.
        length: i64,
    },
    /// A span reaches outside the continuum.
    #[error("line {line}: the span [{begin}, {end}) lies outside the continuum {continuum}")]
    SpanOutside {
        /// Its line.
        line: u64,
        /// Its first position.
        begin: i64,
        /// One past its last position.
        end: i64,
        /// The continuum.
        continuum: Continuum,
    },
    /// Two spans of the same coder and category overlap.
    #[error(
        "line {line}: the span overlaps the span on line {other_line} (coder `{coder}`, category `{category}`)"
    )]
    SpanOverlap {
        /// The later span's line.
        line: u64,
        /// The earlier span's line.
        other_line: u64,
        /// The coder.
        coder: String,
        /// The category.
        category: String,
    },
    /// The continuum is unusable.
    #[error("{0}")]
    Continuum(SpanError),
}

const CODINGS_HEADER: &str = "unit,coder,value";
const SPANS_HEADER: &str = "coder,begin,length,category";
const MISSING: u32 = u32::MAX;

fn open(path: &Path) -> Result<File, CsvError> {
    File::open(path).map_err(|source| CsvError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The most fields a record of either format has.
const MAX_FIELDS: usize = 4;

/// Reads all of `input`: the line of each record is then counted from its byte offset (the
/// `csv` crate's own line numbers skip blank lines).
fn read_all<R: Read>(mut input: R) -> Result<Vec<u8>, CsvError> {
    let mut text = Vec::new();
    input.read_to_end(&mut text).map_err(csv::Error::from)?;
    Ok(text)
}

/// The records of a CSV text after its checked header line, with their line numbers.
struct Records<'a> {
    reader: csv::Reader<&'a [u8]>,
    text: &'a [u8],
    /// Line terminators are counted in `text[..scanned]`.
    scanned: usize,
    /// The line at byte `scanned`.
    line: u64,
}

impl<'a> Records<'a> {
    /// Reads and checks the header line.
    fn new(text: &'a [u8], expected: &'static str) -> Result<Self, CsvError> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut records = Self {
            reader,
            text,
            scanned: 0,
            line: 1,
        };
        let mut header = csv::ByteRecord::new();
        if !records.reader.read_byte_record(&mut header)? {
            return Err(CsvError::MissingHeader { expected });
        }
        let line = records.line_of(&header);
        let names = header
            .iter()
            .map(|field| field_text(field, line))
            .collect::<Result<Vec<_>, _>>()?;
        let found = names.join(",");
        if found.trim_start_matches('\u{feff}').to_ascii_lowercase() != expected {
            return Err(CsvError::BadHeader {
                line,
                expected,
                found,
            });
        }
        Ok(records)
    }

    /// The 1-based line where `record` starts. Records come in order, so each byte of the text
    /// is scanned once. A line ends with `\n`, `\r\n` or a lone `\r`.
    fn line_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let mut start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX))
            .min(self.text.len());
        // The position of a record after blank lines is that of the blank lines, which the
        // parser skipped; a record itself never begins with a line terminator.
        while matches!(self.text.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if start > self.scanned {
            let chunk = &self.text[self.scanned..start];
            let newlines = chunk.iter().filter(|&&b| b == b'\n').count();
            let lone_returns = if chunk.contains(&b'\r') {
                (self.scanned..start)
                    .filter(|&i| self.text[i] == b'\r' && self.text.get(i + 1) != Some(&b'\n'))
                    .count()
            } else {
                0
            };
            self.line += (newlines + lone_returns) as u64;
            self.scanned = start;
        }
        self.line
    }

    /// Hands `f` every record's trimmed fields and line, after checking the field count.
    fn for_each(
        &mut self,
        fields: usize,
        mut f: impl FnMut(&[&str], u64) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        debug_assert!(fields <= MAX_FIELDS);
        let mut record = csv::ByteRecord::new();
        while self.reader.read_byte_record(&mut record)? {
            let line = self.line_of(&record);
            if record.len() != fields {
                return Err(CsvError::Ragged {
                    line,
                    expected: fields,
                    found: record.len(),
                });
            }
            let mut cells = [""; MAX_FIELDS];
            for (cell, field) in cells.iter_mut().zip(&record) {
                *cell = field_text(field, line)?;
            }
            f(&cells[..fields], line)?;
        }
        Ok(())
    }
}

/// A field as trimmed UTF-8 text. (Byte records trimmed here are several times faster than the
/// `csv` crate's trimming string records.)
fn field_text(field: &[u8], line: u64) -> Result<&str, CsvError> {
    std::str::from_utf8(field)
        .map(str::trim)
        .map_err(|_| CsvError::NotUtf8 { line })
}

#[derive(Debug, Clone, Copy)]
struct Row {
    unit: u32,
    coder: u32,
    /// Raw value id, or [`MISSING`].
    value: u32,
    line: u64,
}

/// A parsed `unit,coder,value` file: names and raw values interned, each row's line kept, no
/// duplicate `(unit, coder)` pair. Turn it into a [`ReliabilityData`] with
/// [`to_data`](Self::to_data).
#[derive(Debug, Clone)]
pub struct CodingsCsv {
    units: Vec<String>,
    coders: Vec<String>,
    /// Distinct raw value texts, by raw id.
    raw: Vec<String>,
    /// For each raw value, the index in `rows` of its first occurrence.
    first_row: Vec<usize>,
    rows: Vec<Row>,
}

impl CodingsCsv {
    /// Reads and checks a `unit,coder,value` file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, CsvError> {
        Self::parse(open(path.as_ref())?)
    }

    /// Reads and checks `unit,coder,value` CSV text.
    pub fn parse<R: Read>(input: R) -> Result<Self, CsvError> {
        let text = read_all(input)?;
        let mut records = Records::new(&text, CODINGS_HEADER)?;
        let (mut units, mut coders, mut raw) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let mut first_row = Vec::new();
        let mut rows = Vec::new();
        records.for_each(3, |record, line| {
            let field = |i: usize, name: &'static str| match record[i] {
                "" => Err(CsvError::EmptyField { line, field: name }),
                text => Ok(text),
            };
            let unit = units.intern(field(0, "unit")?);
            let coder = coders.intern(field(1, "coder")?);
            let value = match record[2] {
                "" => MISSING,
                text => {
                    let id = raw.intern(text);
                    if id as usize == first_row.len() {
                        first_row.push(rows.len());
                    }
                    id
                }
            };
            rows.push(Row {
                unit,
                coder,
                value,
                line,
            });
            Ok(())
        })?;
        let csv = Self {
            units: units.into_names(),
            coders: coders.into_names(),
            raw: raw.into_names(),
            first_row,
            rows,
        };
        csv.check_duplicates()?;
        Ok(csv)
    }

    /// Fails on the earliest line that repeats a `(unit, coder)` pair.
    fn check_duplicates(&self) -> Result<(), CsvError> {
        let mut keyed: Vec<(u64, usize)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| ((u64::from(row.unit) << 32) | u64::from(row.coder), r))
            .collect();
        // Rows of one pair end up together, in file order.
        keyed.sort_unstable();
        let duplicate = keyed
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (self.rows[w[0].1], self.rows[w[1].1]))
            .min_by_key(|(_, second)| second.line);
        match duplicate {
            None => Ok(()),
            Some((first, second)) => Err(CsvError::Duplicate {
                line: second.line,
                first_line: first.line,
                unit: self.units[first.unit as usize].clone(),
                coder: self.coders[first.coder as usize].clone(),
            }),
        }
    }

    /// The number of units (including units whose values are all missing).
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The number of coders.
    pub fn n_coders(&self) -> usize {
        self.coders.len()
    }

    /// The number of data lines.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// The matrix for `metric`:
    ///
    /// - `nominal`: values are category labels; a value with `|` is a set of labels, and sets
    ///   are equal when they have the same members (`a|b` = `b|a`).
    /// - `ordinal`, `interval`, `ratio`: values must be finite numbers (ratio: 0 or more);
    ///   otherwise the error names the first line with the offending value.
    /// - `masi`: values are sets of labels joined with `|` (a value without `|` is a one-label
    ///   set).
    pub fn to_data(&self, metric: Metric) -> Result<ReliabilityData, CsvError> {
        let (domain, ids) = match metric {
            Metric::Nominal => self.labels(),
            Metric::Ordinal | Metric::Interval | Metric::Ratio => self.numbers(metric)?,
            Metric::Masi => self.sets(),
        };
        let entries = self
            .rows
            .iter()
            .filter(|r| r.value != MISSING)
            .map(|r| (r.unit, r.coder, ids[r.value as usize]))
            .collect();
        Ok(ReliabilityData::from_parts(
            self.units.clone(),
            self.coders.clone(),
            domain,
            entries,
        ))
    }

    /// Labels, with sets (values containing `|`) in a canonical order.
    fn labels(&self) -> (Domain, Vec<u32>) {
        let mut labels = Interner::default();
        let ids = self
            .raw
            .iter()
            .map(|text| {
                if text.contains('|') {
                    labels.intern(&set_members(text).join("|"))
                } else {
                    labels.intern(text)
                }
            })
            .collect();
        (Domain::Labels(labels.into_names()), ids)
    }

    fn numbers(&self, metric: Metric) -> Result<(Domain, Vec<u32>), CsvError> {
        let mut number_ids = FxHashMap::default();
        let mut numbers = Vec::new();
        let mut ids = Vec::with_capacity(self.raw.len());
        for (raw_id, text) in self.raw.iter().enumerate() {
            let row = self.rows[self.first_row[raw_id]];
            let (unit, coder) = (
                self.units[row.unit as usize].clone(),
                self.coders[row.coder as usize].clone(),
            );
            let number = match text.parse::<f64>() {
                Ok(n) if n.is_finite() => n,
                _ => {
                    return Err(CsvError::NotNumeric {
                        line: row.line,
                        value: text.clone(),
                        unit,
                        coder,
                        metric,
                    });
                }
            };
            if metric == Metric::Ratio && number < 0.0 {
                return Err(CsvError::NegativeRatio {
                    line: row.line,
                    value: text.clone(),
                    unit,
                    coder,
                });
            }
            ids.push(intern_number(&mut number_ids, &mut numbers, number));
        }
        Ok((Domain::Numbers(numbers), ids))
    }

    fn sets(&self) -> (Domain, Vec<u32>) {
        let mut labels = Interner::default();
        let mut set_ids = FxHashMap::default();
        let mut sets = Vec::new();
        let ids = self
            .raw
            .iter()
            .map(|text| {
                let members = set_members(text).iter().map(|m| labels.intern(m)).collect();
                intern_set(&mut set_ids, &mut sets, members)
            })
            .collect();
        let domain = Domain::Sets {
            labels: labels.into_names(),
            sets,
        };
        (domain, ids)
    }
}

/// The members of a `|`-joined set: trimmed, non-empty, sorted, deduplicated.
fn set_members(text: &str) -> Vec<&str> {
    let mut members: Vec<&str> = text
        .split('|')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    members.sort_unstable();
    members.dedup();
    members
}

/// A parsed `coder,begin,length,category` file, with each span's line.
#[derive(Debug, Clone)]
pub struct SpansCsv {
    data: SpanData,
    lines: Vec<u64>,
}

impl SpansCsv {
    /// Reads a `coder,begin,length,category` file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, CsvError> {
        Self::parse(open(path.as_ref())?)
    }

    /// Reads `coder,begin,length,category` CSV text.
    pub fn parse<R: Read>(input: R) -> Result<Self, CsvError> {
        let text = read_all(input)?;
        let mut records = Records::new(&text, SPANS_HEADER)?;
        let mut data = SpanData::new();
        let mut lines = Vec::new();
        records.for_each(4, |record, line| {
            let coder = match record[0] {
                "" => {
                    return Err(CsvError::EmptyField {
                        line,
                        field: "coder",
                    });
                }
                coder => coder,
            };
            let (begin, length, category) = (record[1], record[2], record[3]);
            if begin.is_empty() && length.is_empty() && category.is_empty() {
                data.add_coder(coder);
                return Ok(());
            }
            if begin.is_empty() || length.is_empty() || category.is_empty() {
                return Err(CsvError::IncompleteSpan { line });
            }
            let integer = |field: &'static str, text: &str| {
                text.parse::<i64>().map_err(|_| CsvError::NotInteger {
                    line,
                    field,
                    value: text.to_owned(),
                })
            };
            data.push(
                coder,
                category,
                integer("begin", begin)?,
                integer("length", length)?,
            );
            lines.push(line);
            Ok(())
        })?;
        Ok(Self { data, lines })
    }

    /// The spans read.
    pub fn data(&self) -> &SpanData {
        &self.data
    }

    /// Unitizing alpha on `continuum`, with span errors reported by line.
    pub fn unitizing_alpha(&self, continuum: Continuum) -> Result<UnitizingAlpha, CsvError> {
        unitizing_alpha(&self.data, continuum).map_err(|error| self.locate(error))
    }

    fn locate(&self, error: SpanError) -> CsvError {
        match error {
            SpanError::NonPositiveLength { index, length } => CsvError::SpanLength {
                line: self.lines[index],
                length,
            },
            SpanError::OutsideContinuum {
                index,
                begin,
                end,
                continuum,
            } => CsvError::SpanOutside {
                line: self.lines[index],
                begin,
                end,
                continuum,
            },
            SpanError::Overlap { index, other } => {
                let span = self.data.spans()[index];
                CsvError::SpanOverlap {
                    line: self.lines[index],
                    other_line: self.lines[other],
                    coder: self.data.coder_name(span.coder).to_owned(),
                    category: self.data.category_name(span.category).to_owned(),
                }
            }
            other @ (SpanError::EmptyContinuum { .. } | SpanError::BadContinuum(_)) => {
                CsvError::Continuum(other)
            }
        }
    }
}
