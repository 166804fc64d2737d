//! A fast non-cryptographic hasher and a string interner.
//!
//! Interning a million labels through SipHash costs more than computing every statistic; the
//! multiply-rotate hash used by rustc (`FxHash`), with a finishing mix, is several times faster. Inputs are the user's
//! own files, so hash flooding is not a concern.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// rustc's `FxHasher`: `hash = (hash.rotl(5) ^ word) * SEED` for every 8-byte word.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The low bits of a product depend only on the low bits of its factors, and hash tables pick
    /// buckets by the low bits, so the state is finished by folding its high bits down (the first
    /// half of MurmurHash3's `fmix64`). Without this, keys that differ only after a common first
    /// byte (`u1`, `u2`, …) collide.
    fn finish(&self) -> u64 {
        let h = self.hash ^ (self.hash >> 33);
        h.wrapping_mul(0xff51_afd7_ed55_8ccd) ^ (h >> 29)
    }
}

pub(crate) type FxBuildHasher = BuildHasherDefault<FxHasher>;
pub(crate) type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// Maps strings to dense `u32` ids in order of first appearance.
#[derive(Debug, Default, Clone)]
pub(crate) struct Interner {
    ids: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// The id returned last.
    last: u32,
}

impl Interner {
    /// The id of `name`, adding it if new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        // Files list a unit's codings together: try the last name first.
        if self
            .names
            .get(self.last as usize)
            .is_some_and(|last| **last == *name)
        {
            return self.last;
        }
        self.last = self.intern_new(name);
        self.last
    }

    fn intern_new(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("more than u32::MAX distinct names");
        let boxed: Box<str> = name.into();
        self.names.push(boxed.clone());
        self.ids.insert(boxed, id);
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The names, indexed by id.
    pub(crate) fn into_names(self) -> Vec<String> {
        self.names.into_iter().map(String::from).collect()
    }
}
