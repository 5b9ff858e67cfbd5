//! The set of visited states: each state's fingerprint as bytes (exact),
//! or as a 64-bit hash of them (hash compaction: 8 bytes a state, with a
//! small chance that two states share a hash and one is never explored).

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};

use crate::sim::Sim;

/// A hasher that keeps the bytes it is fed.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl Hasher for Bytes {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// Visited states.
pub struct Visited {
    exact: HashSet<Box<[u8]>, rustc_hash::FxBuildHasher>,
    compact: Option<HashSet<u64, rustc_hash::FxBuildHasher>>,
    /// The preemptions used to reach a state are part of it (with a bound).
    with_preemptions: bool,
    buffer: Bytes,
    bytes: u64,
}

impl Visited {
    pub fn new(compact: bool, with_preemptions: bool) -> Visited {
        Visited {
            exact: HashSet::default(),
            compact: compact.then(HashSet::default),
            with_preemptions,
            buffer: Bytes::default(),
            bytes: 0,
        }
    }

    /// Adds a state; false if it was there.
    pub fn insert(&mut self, sim: &Sim, preemptions: u32) -> bool {
        self.buffer.0.clear();
        sim.fingerprint(&mut self.buffer);
        if self.with_preemptions {
            self.buffer.write_u32(preemptions);
        }
        if let Some(set) = &mut self.compact {
            let hash = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default()
                .hash_one(&self.buffer.0[..]);
            let new = set.insert(hash);
            if new {
                self.bytes += 16;
            }
            return new;
        }
        if self.exact.contains(&self.buffer.0[..]) {
            return false;
        }
        // The key, the table's slot and the allocator's rounding.
        self.bytes += self.buffer.0.len() as u64 + 32;
        self.exact.insert(self.buffer.0.clone().into_boxed_slice())
    }

    /// About how many bytes the set holds.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}
