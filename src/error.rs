//! The one error type of the core: every message says where the problem is.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a file: the path, and the 1-based line and column where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePos {
    pub path: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl SourcePos {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    pub fn at(path: impl Into<PathBuf>, line: u64, column: u64) -> Self {
        Self {
            path: path.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The content of a file is wrong: bad YAML, an unknown field, a duplicate id, ...
    #[error("{at}: {message}")]
    Invalid { at: SourcePos, message: String },
    /// A problem that is not tied to one file (a bad argument, a missing project).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: impl AsRef<Path>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            action,
            source,
        }
    }

    pub fn invalid(at: SourcePos, message: impl Into<String>) -> Self {
        Error::Invalid {
            at,
            message: message.into(),
        }
    }

    /// True for errors caused by what the user asked for rather than by file content.
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Usage(_) | Error::Io { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
