//! The set of visited states: each state's fingerprint as bytes (exact),
//! or as a 64-bit hash of them (hash compaction: 8 bytes a state, with a
//! small chance that two states share a hash and one is never explored).
//!
//! Exact fingerprints are kept end to end in one arena; the table holds
//! each one's hash, start and length, so a state costs its bytes plus 16.

use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;

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

    fn write_u8(&mut self, i: u8) {
        self.0.push(i);
    }

    // Numbers as variable-length integers (seven bits a byte): most of a
    // state's numbers are small, and the encoding of each is prefix-free,
    // so equal states still give equal bytes and different ones differ.
    fn write_u16(&mut self, i: u16) {
        self.varint(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.varint(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.varint(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.varint(i as u64);
    }

    fn write_i32(&mut self, i: i32) {
        self.write_i64(i64::from(i));
    }

    fn write_i64(&mut self, i: i64) {
        // Zigzag: small negative numbers are small too.
        self.varint(((i << 1) ^ (i >> 63)) as u64);
    }

    fn write_isize(&mut self, i: isize) {
        self.write_i64(i as i64);
    }
}

impl Bytes {
    fn varint(&mut self, mut i: u64) {
        while i >= 0x80 {
            self.0.push((i as u8) | 0x80);
            i >>= 7;
        }
        self.0.push(i as u8);
    }
}

/// One stored fingerprint: its hash and where its bytes are in the arena.
#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    start: u64,
    len: u32,
}

/// Visited states.
pub struct Visited {
    table: HashTable<Slot>,
    arena: Vec<u8>,
    /// Keep hashes only.
    compact: bool,
    /// The preemptions used to reach a state are part of it (with a bound).
    with_preemptions: bool,
    buffer: Bytes,
}

impl Visited {
    pub fn new(compact: bool, with_preemptions: bool) -> Visited {
        Visited {
            table: HashTable::new(),
            arena: Vec::new(),
            compact,
            with_preemptions,
            buffer: Bytes::default(),
        }
    }

    /// Adds a state; false if it was there.
    pub fn insert(&mut self, sim: &Sim, preemptions: u32) -> bool {
        self.buffer.0.clear();
        self.buffer.0.reserve(256);
        sim.fingerprint(&mut self.buffer);
        if self.with_preemptions {
            self.buffer.write_u32(preemptions);
        }
        let key = &self.buffer.0[..];
        let hasher = std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default();
        let hash = if self.compact {
            hasher.hash_one(key)
        } else {
            rustc_hash::FxBuildHasher.hash_one(key)
        };
        let arena = &self.arena;
        let compact = self.compact;
        let found = self.table.find(hash, |s| {
            s.hash == hash
                && (compact
                    || arena.get(s.start as usize..s.start as usize + s.len as usize) == Some(key))
        });
        if found.is_some() {
            return false;
        }
        let start = self.arena.len() as u64;
        if !self.compact {
            self.arena.extend_from_slice(key);
        }
        let slot = Slot {
            hash,
            start,
            len: key.len() as u32,
        };
        self.table.insert_unique(hash, slot, |s| s.hash);
        true
    }

    /// About how many bytes the set holds.
    pub fn bytes(&self) -> u64 {
        let slot = std::mem::size_of::<Slot>() as u64 + 1;
        self.arena.len() as u64 + self.table.capacity() as u64 * slot
    }
}
