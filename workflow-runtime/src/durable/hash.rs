//! A fast hasher for the engine's own maps (journal keys and instance ids: trusted,
//! short strings), in place of `SipHash`, which cost a durable step a tenth of its
//! time. The `FxHash` of rustc, written out (no dependency).

use core::hash::{BuildHasher, Hasher};
use std::collections::HashMap;

/// A `HashMap` with [`Fx`].
pub(crate) type FastMap<K, V> = HashMap<K, V, Fx>;

/// Builds [`FxHasher`]s.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fx;

impl BuildHasher for Fx {
    type Hasher = FxHasher;

    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

/// rustc's `FxHasher`: a rotate, a xor and a multiply per word.
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown reads the top bits: spread the low ones up.
        self.0.rotate_left(26)
    }
}
