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
use std::sync::Arc;

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
    /// A value reads as a number that arithmetic cannot use: NaN, an infinity, or a number
    /// beyond the range of floating-point numbers.
    #[error(
        "line {line}, column 3 (value): `{value}` (unit `{unit}`, coder `{coder}`) {why}: the {metric} metric needs finite numbers"
    )]
    NotFinite {
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
        /// What is wrong with it.
        why: &'static str,
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

/// Checks the header line of CSV `text`, then hands `f` every record's trimmed fields and line,
/// after checking the field count.
///
/// Text without any quote character that is valid UTF-8 (nearly every file) is split by hand in
/// one pass; anything else goes through the `csv` crate. Both read the same records, lines and
/// errors (`plain_text_reads_like_the_csv_crate` checks this).
fn for_each_record(
    text: &[u8],
    reading: Reading,
    expected: &'static str,
    fields: usize,
    f: impl FnMut(&[&str], u64) -> Result<(), CsvError>,
) -> Result<(), CsvError> {
    let plain = match reading {
        Reading::Fastest => plain_text(text),
        #[cfg(test)]
        Reading::CsvCrate => None,
    };
    match plain {
        Some(plain) => PlainRecords::new(plain, expected)?.for_each(fields, f),
        None => Records::new(text, expected)?.for_each(fields, f),
    }
}

/// How to read CSV text: the tests compare both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// By hand where the text allows it, else with the `csv` crate.
    Fastest,
    /// Always with the `csv` crate.
    #[cfg(test)]
    CsvCrate,
}

/// `text` as a `str` without its byte-order mark, if it is UTF-8 and has no quote character, so
/// that every `,` separates fields and every line terminator ends a record.
fn plain_text(text: &[u8]) -> Option<&str> {
    if memchr::memchr(b'"', text).is_some() {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?;
    // The `csv` crate skips a byte-order mark at the very start, and only there.
    Some(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The records of CSV text without quotes: lines end with `\n`, `\r\n` or a lone `\r`, empty
/// lines are skipped, fields are separated by `,` (what the `csv` crate reads from such text).
struct PlainRecords<'a> {
    text: &'a str,
    /// Where the next line starts.
    pos: usize,
    /// The line at `pos` (1-based).
    line: u64,
}

/// The header line (its fields joined by commas) must name the expected columns.
fn check_header(line: u64, expected: &'static str, found: String) -> Result<(), CsvError> {
    if found.trim_start_matches('\u{feff}').to_ascii_lowercase() == expected {
        Ok(())
    } else {
        Err(CsvError::BadHeader {
            line,
            expected,
            found,
        })
    }
}

impl<'a> PlainRecords<'a> {
    /// Reads and checks the header line.
    fn new(text: &'a str, expected: &'static str) -> Result<Self, CsvError> {
        let mut records = Self {
            text,
            pos: 0,
            line: 1,
        };
        let Some((line, header)) = records.next_record() else {
            return Err(CsvError::MissingHeader { expected });
        };
        let found = header
            .split(',')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(",");
        check_header(line, expected, found)?;
        Ok(records)
    }

    /// The next non-empty line and its number.
    fn next_record(&mut self) -> Option<(u64, &'a str)> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            let start = self.pos;
            let end =
                memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let line = self.line;
            self.pos = end;
            if end < bytes.len() {
                self.pos += if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                self.line += 1;
            }
            if end > start {
                return Some((line, &self.text[start..end]));
            }
        }
        None
    }

    /// Hands `f` every record's trimmed fields and line, after checking the field count.
    fn for_each(
        &mut self,
        fields: usize,
        mut f: impl FnMut(&[&str], u64) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        debug_assert!(fields <= MAX_FIELDS);
        while let Some((line, record)) = self.next_record() {
            let mut cells = [""; MAX_FIELDS];
            let mut found = 0;
            for field in record.split(',') {
                if let Some(cell) = cells.get_mut(found) {
                    *cell = trim_field(field);
                }
                found += 1;
            }
            if found != fields {
                return Err(CsvError::Ragged {
                    line,
                    expected: fields,
                    found,
                });
            }
            f(&cells[..fields], line)?;
        }
        Ok(())
    }
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
        check_header(line, expected, found)?;
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

/// `field.trim()`, without looking at characters when it starts and ends with visible ASCII
/// (a character that starts with an ASCII byte is that ASCII character).
fn trim_field(field: &str) -> &str {
    match field.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => field,
        [only] if only.is_ascii_graphic() => field,
        _ => field.trim(),
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
    /// Shared with the matrices made from the file.
    units: Arc<[String]>,
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
        Self::from_text(&read_all(input)?, Reading::Fastest)
    }

    fn from_text(text: &[u8], reading: Reading) -> Result<Self, CsvError> {
        let (mut units, mut coders, mut raw) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let mut first_row = Vec::new();
        let mut rows = Vec::new();
        for_each_record(text, reading, CODINGS_HEADER, 3, |record, line| {
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
            units: units.into_names().into(),
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
        let duplicate = match self.units.len().checked_mul(self.coders.len()) {
            // One slot per (unit, coder) pair, when that is not much more than the rows.
            Some(pairs) if pairs <= 4 * self.rows.len() + 1024 => self.duplicate_in_grid(pairs),
            _ => self.duplicate_by_sorting(),
        };
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

    /// The first and second rows of the earliest repeated pair, marking each pair's first row in
    /// a units × coders grid.
    fn duplicate_in_grid(&self, pairs: usize) -> Option<(Row, Row)> {
        const NONE: usize = usize::MAX;
        let mut first_row = vec![NONE; pairs];
        let n_coders = self.coders.len();
        for (r, row) in self.rows.iter().enumerate() {
            let slot = &mut first_row[row.unit as usize * n_coders + row.coder as usize];
            if *slot != NONE {
                // Rows are in file order: this is the earliest line repeating a pair.
                return Some((self.rows[*slot], *row));
            }
            *slot = r;
        }
        None
    }

    /// The same as [`duplicate_in_grid`](Self::duplicate_in_grid), by sorting the rows by pair.
    fn duplicate_by_sorting(&self) -> Option<(Row, Row)> {
        let mut keyed: Vec<(u64, usize)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| ((u64::from(row.unit) << 32) | u64::from(row.coder), r))
            .collect();
        // Rows of one pair end up together, in file order.
        keyed.sort_unstable();
        keyed
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| (self.rows[w[0].1], self.rows[w[1].1]))
            .min_by_key(|(_, second)| second.line)
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
            Arc::clone(&self.units),
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
                Ok(n) => match unusable_number(text, n) {
                    None => n,
                    Some(why) => {
                        return Err(CsvError::NotFinite {
                            line: row.line,
                            value: text.clone(),
                            unit,
                            coder,
                            metric,
                            why,
                        });
                    }
                },
                Err(_) => {
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

/// Why `number`, read from `text`, cannot be used as a number, if it cannot: NaN, an infinity,
/// or a number whose size is beyond what a 64-bit float holds (read as infinity or as 0).
fn unusable_number(text: &str, number: f64) -> Option<&'static str> {
    let spelled_out = |word: &str| text.to_ascii_lowercase().contains(word);
    if number.is_nan() {
        Some("is not a number (NaN)")
    } else if number.is_infinite() && spelled_out("inf") {
        Some("is infinite")
    } else if number.is_infinite() {
        Some("is beyond the largest number, ±1.7976931348623157e308")
    } else if number == 0.0
        && text
            .split(['e', 'E'])
            .next()
            .is_some_and(|digits| digits.bytes().any(|b| matches!(b, b'1'..=b'9')))
    {
        Some(
            "is closer to 0 than the smallest number, 5e-324, and would count as 0 (write 0 if 0 is meant)",
        )
    } else {
        None
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
        Self::from_text(&read_all(input)?, Reading::Fastest)
    }

    fn from_text(text: &[u8], reading: Reading) -> Result<Self, CsvError> {
        let mut data = SpanData::new();
        let mut lines = Vec::new();
        for_each_record(text, reading, SPANS_HEADER, 4, |record, line| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Both ways of reading `text`, as codings and as spans, give the same result or error.
    fn assert_readings_agree(text: &[u8]) {
        let read = |reading| match CodingsCsv::from_text(text, reading) {
            Ok(csv) => format!(
                "{csv:?} {:?}",
                csv.to_data(Metric::Nominal).map(|d| d.n_codings())
            ),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(read(Reading::Fastest), read(Reading::CsvCrate), "{text:?}");
        let read = |reading| match SpansCsv::from_text(text, reading) {
            Ok(csv) => format!("{csv:?}"),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(read(Reading::Fastest), read(Reading::CsvCrate), "{text:?}");
    }

    #[test]
    fn plain_text_reads_like_the_csv_crate() {
        for text in [
            "",
            "\n\r\n",
            "unit,coder,value\n",
            "\u{feff}unit,coder,value\nu1,a,1\nu1,b,2\n",
            "\u{feff}Unit , CODER,value\r\nu1,a,1\r\n\r\nu1,b,\r\n",
            "\n\nunit,coder,value\ru1,a,1\r\ru2,a,2\r\n\nu2,b,x",
            "unit,coder,value\nu1,a,1\nu1,a,2\nu2,a,1\nu2,a,3\n",
            "unit,coder,value\nu1,a,1\nu2,a,1,4\n",
            "unit,coder,value\nu1,a\n",
            "unit,coder,value\n  \n",
            "unit,coder,value\n,a,1\n",
            "unit,coder,value\nu1, ,1\n",
            "unit,coder\nu1,a\n",
            "unit,coder,value\nu1,a, 1 | 2 \nu1,b,2|1",
            "unit,coder,value\nu\u{feff}1,a,1\n",
            "coder,begin,length,category\na,0,3,x\nb,,,\nc,1,,x\n",
            "coder,begin,length,category\r\na,0,3,x\r\na,2,x,y\r\n",
        ] {
            assert_readings_agree(text.as_bytes());
        }
        // Quotes and invalid UTF-8 go through the `csv` crate either way.
        assert_readings_agree(b"unit,coder,value\n\"u,1\",a,1\n");
        assert_readings_agree(b"unit,coder,value\nu1,a,\xff\n");
        assert!(plain_text(b"a,\"b\"").is_none());
        assert!(plain_text(b"a,\xff").is_none());
        for field in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "ab",
            " \u{3000}ab\u{a0}",
            "a\u{3000}",
            "\u{85}a",
            "a\tb",
        ] {
            assert_eq!(trim_field(field), field.trim(), "{field:?}");
        }
    }

    proptest! {
        #[test]
        fn random_plain_text_reads_like_the_csv_crate(
            bom in any::<bool>(),
            header in prop::sample::select(vec!["unit,coder,value", "Unit, Coder ,VALUE", "unit,coder", "coder,begin,length,category"]),
            lines in prop::collection::vec(
                (
                    prop::collection::vec(prop::sample::select(vec!["", " ", "u1", "u2", "u10", "a", "b ", "1", "2", "-3", "x|y", "é", "\u{3000}"]), 0..6),
                    prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\r\r\n"]),
                ),
                0..12,
            ),
        ) {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(header);
            text.push('\n');
            for (fields, end) in &lines {
                text.push_str(&fields.join(","));
                text.push_str(end);
            }
            assert_readings_agree(text.as_bytes());
        }
    }

    #[test]
    fn duplicates_are_found_alike_in_the_grid_and_by_sorting() {
        let text = "unit,coder,value\nu1,a,1\nu2,a,1\nu1,b,1\nu2,a,2\nu1,a,3\nu2,a,3\n";
        let err = CodingsCsv::parse(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err,
            "line 5: unit `u2` is coded a second time by coder `a` (first on line 3)"
        );
        // The same rows, checked by sorting.
        let mut units = Interner::default();
        let mut coders = Interner::default();
        let rows: Vec<Row> = text
            .lines()
            .skip(1)
            .enumerate()
            .map(|(i, line)| {
                let mut fields = line.split(',');
                Row {
                    unit: units.intern(fields.next().unwrap()),
                    coder: coders.intern(fields.next().unwrap()),
                    value: MISSING,
                    line: i as u64 + 2,
                }
            })
            .collect();
        let csv = CodingsCsv {
            units: units.into_names().into(),
            coders: coders.into_names(),
            raw: Vec::new(),
            first_row: Vec::new(),
            rows,
        };
        let (first, second) = csv.duplicate_by_sorting().unwrap();
        assert_eq!((first.line, second.line), (3, 5));
        let (first, second) = csv.duplicate_in_grid(4).unwrap();
        assert_eq!((first.line, second.line), (3, 5));
    }
}
