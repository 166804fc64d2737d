//! Identifier types, so that a document id is never passed where a unit id is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `pad` honours width and alignment, so ids line up in tables.
                f.pad(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// A document's path inside the documents folder, without extension, `/`-separated.
    DocumentId
);
string_id!(
    /// A unit's readable id inside its document: `13`, `13.a`, `p4`, `p4.s2`, `l12`.
    UnitId
);
string_id!(
    /// An indicator's (code's) id from the codebook: `VU01`.
    IndicatorId
);

/// A half-open range `[start, end)` of Unicode code points in a document body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CodePointRange {
    pub start: usize,
    pub end: usize,
}

impl CodePointRange {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn contains_range(&self, other: &CodePointRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl fmt::Display for CodePointRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
