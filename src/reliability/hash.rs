//! A string interner over a fast non-cryptographic hash.
//!
//! Interning a million labels through SipHash costs more than computing every statistic;
//! rustc's `FxHash` (the `rustc-hash` crate) is several times faster. Inputs are the user's own
//! files, so hash flooding is not a concern.

use std::hash::Hasher;

pub(crate) use rustc_hash::FxHashMap;
use rustc_hash::FxHasher;

/// Maps strings to dense `u32` ids in order of first appearance.
///
/// The names live end to end in one `String` (no allocation per name), found through a map from
/// each name's 64-bit hash to its first id; the rare names sharing a hash are chained by id.
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    /// Every name, end to end.
    text: String,
    /// `text[ends[id - 1]..ends[id]]` is name `id` (from 0 for the first).
    ends: Vec<usize>,
    /// The first id of each hash.
    by_hash: FxHashMap<u64, u32>,
    /// The next id with the same hash as this one, or `u32::MAX`.
    same_hash: Vec<u32>,
    /// The id returned last.
    last: u32,
}

const NO_ID: u32 = u32::MAX;

/// Up to this many names, a new name is first compared with each.
const FEW_NAMES: usize = 8;

fn hash_name(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(name.as_bytes());
    hasher.finish()
}

impl Interner {
    /// The id of `name`, adding it if new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        // Files list a unit's codings together: try the last name first.
        if (self.last as usize) < self.ends.len() && self.bytes(self.last) == name.as_bytes() {
            return self.last;
        }
        self.last = self.intern_new(name);
        self.last
    }

    fn intern_new(&mut self, name: &str) -> u32 {
        // A few names (coders, categories) are found sooner by comparing than by hashing.
        if self.ends.len() <= FEW_NAMES
            && let Some(id) =
                (0..self.ends.len() as u32).find(|&id| self.bytes(id) == name.as_bytes())
        {
            return id;
        }
        let hash = hash_name(name);
        let mut candidate = self.by_hash.get(&hash).copied().unwrap_or(NO_ID);
        let mut tail = NO_ID;
        while candidate != NO_ID {
            if self.bytes(candidate) == name.as_bytes() {
                return candidate;
            }
            tail = candidate;
            candidate = self.same_hash[candidate as usize];
        }
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id != NO_ID)
            .expect("more than u32::MAX distinct names");
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.same_hash.push(NO_ID);
        if tail == NO_ID {
            self.by_hash.insert(hash, id);
        } else {
            self.same_hash[tail as usize] = id;
        }
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        let (start, end) = self.span(id);
        &self.text[start..end]
    }

    /// Name `id` as bytes, to compare without checking character boundaries.
    fn bytes(&self, id: u32) -> &[u8] {
        let (start, end) = self.span(id);
        &self.text.as_bytes()[start..end]
    }

    fn span(&self, id: u32) -> (usize, usize) {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        (start, self.ends[id])
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The names, indexed by id.
    pub(crate) fn into_names(self) -> Vec<String> {
        (0..self.ends.len())
            .map(|id| self.name(id as u32).to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_gives_dense_ids_in_order_of_first_appearance() {
        let mut interner = Interner::default();
        let names = ["u1", "u2", "u1", "", "coder", "u2", "u10", ""];
        let ids: Vec<u32> = names.iter().map(|n| interner.intern(n)).collect();
        assert_eq!(ids, [0, 1, 0, 2, 3, 1, 4, 2]);
        assert_eq!(interner.len(), 5);
        assert_eq!(interner.name(4), "u10");
        assert_eq!(interner.into_names(), ["u1", "u2", "", "coder", "u10"]);
    }

    #[test]
    fn names_sharing_a_hash_keep_their_own_ids() {
        let mut interner = Interner::default();
        let (a, b) = (interner.intern("a"), interner.intern("b"));
        // Pretend that `c` hashes like `a`, whose chain goes on to `b`.
        interner.same_hash[a as usize] = b;
        interner.by_hash.insert(hash_name("c"), a);
        interner.last = NO_ID;
        assert_eq!(interner.intern_new("a"), a);
        assert_eq!(interner.intern_new("b"), b);
        let c = interner.intern_new("c");
        assert_eq!(c, 2);
        assert_eq!(interner.same_hash[b as usize], c);
        assert_eq!(interner.intern_new("c"), c);
    }
}
