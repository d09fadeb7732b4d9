//! Counter-based random numbers: Philox4x32-10.
//!
//! Philox (Salmon, Moraes, Dror, Shaw, "Parallel Random Numbers: As Easy as 1, 2, 3", SC'11,
//! <https://www.thesalmons.org/john/random123/papers/random123sc11.pdf>) is a keyed bijection of
//! a 128-bit counter. With a 64-bit key `k = (k0, k1)` and a counter `c = (c0, c1, c2, c3)`,
//! one round is
//!
//! ```text
//! (hi0, lo0) = M0 · c0        (hi1, lo1) = M1 · c2          (32×32 → 64-bit products)
//! c' = (hi1 ⊕ c1 ⊕ k0,  lo1,  hi0 ⊕ c3 ⊕ k1,  lo0)
//! k' = (k0 + W0, k1 + W1)    (mod 2³², applied between rounds)
//! ```
//!
//! with `M0 = 0xD2511F53`, `M1 = 0xCD9E8D57`, `W0 = 0x9E3779B9`, `W1 = 0xBB67AE85`; ten rounds
//! give four u32 outputs that pass BigCrush. Because the output is a pure function of
//! `(key, counter)`, there is no state to split or share: any element of any tensor can be
//! computed on its own.
//!
//! # How neurite uses it
//! - key = the u64 `seed` (`k0` = low 32 bits, `k1` = high 32 bits);
//! - counter = `(block lo, block hi, stream, draw)`: value number `i` of a stream is lane `i % 4`
//!   of the block `i / 4`. `stream` separates independent sequences under one seed (the TS
//!   facade gives explicit seeds stream 0 and its global generator streams 1, 2, ...);
//!   `draw` is 0 except for the re-draws of [`fill_truncated_normal`].
//!
//! Element `i` of a random tensor depends only on `(seed, stream, i)`: the first `k` values of
//! a size-`n` tensor equal a size-`k` tensor with the same seed, and a tensor can be filled in
//! pieces ([`fill_uniform`] takes an `offset`). Only integer operations, f32 arithmetic and
//! Rust's own `ln`/`sin`/`cos` (compiled into the `.wasm`) are used, so the same module gives
//! the same bits in every JS runtime.
//!
//! # Distributions
//! - uniform `[0, 1)`: `(u >> 8) · 2⁻²⁴` (24 random bits, exact in f32, never 1);
//! - normal (Box–Muller): for the pair of values `(a, b)` at positions `2p, 2p+1`,
//!   `u1 = ((a >> 8) + 1) · 2⁻²⁴ ∈ (0, 1]`, `u2 = (b >> 8) · 2⁻²⁴`, `r = √(−2 ln u1)`,
//!   `z[2p] = r cos 2πu2`, `z[2p+1] = r sin 2πu2` (|z| ≤ 5.77);
//! - truncated normal: `z` is re-drawn (with `draw = 1, 2, ...`) while `|z| > 2`, as
//!   `tf.truncatedNormal` and Keras do.
//!
//! ```
//! use neurite_core::rng::{fill_uniform, Philox};
//! let mut rng = Philox::new(42, 0);
//! let a: Vec<f32> = (0..6).map(|_| rng.uniform_f32()).collect();
//! let mut b = [0.0f32; 4];
//! fill_uniform(42, 0, 2, &mut b); // values 2..6 of the same stream
//! assert_eq!(&a[2..], &b);
//! ```

/// The multipliers and Weyl key increments of Philox4x32 (Random123 `philox.h`).
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// 2⁻²⁴: the spacing of the 24-bit uniform grid.
const UNIT: f32 = 1.0 / 16_777_216.0;

/// How many draws [`fill_truncated_normal`] tries per element before it clamps. The chance
/// that one normal falls outside ±2 is 4.55%, so 64 misses in a row (p ≈ 1e-86) never happen;
/// the cap only keeps the loop finite.
pub const MAX_TRUNCATED_DRAWS: u32 = 64;

/// The Philox4x32-10 bijection: ten rounds over `ctr` keyed by `key`.
#[inline]
pub fn philox4x32_10(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = ctr;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let p0 = u64::from(M0) * u64::from(c[0]);
        let p1 = u64::from(M1) * u64::from(c[2]);
        let (hi0, lo0) = ((p0 >> 32) as u32, p0 as u32);
        let (hi1, lo1) = ((p1 >> 32) as u32, p1 as u32);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// Seed `seed` mixed with an index `i` (SplitMix64's finaliser): a model's per-layer seeds,
/// the seeds of a layer's later use batches ([`crate::layers::Mode::for_group`]).
pub fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key for a u64 seed: low word first.
#[inline]
fn key_of(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// The four u32 values of block `block` of `(seed, stream)` at re-draw `draw`.
#[inline]
pub fn block_u32(seed: u64, stream: u32, block: u64, draw: u32) -> [u32; 4] {
    philox4x32_10([block as u32, (block >> 32) as u32, stream, draw], key_of(seed))
}

/// A u32 to a uniform float in `[0, 1)` on the 2⁻²⁴ grid.
#[inline]
pub fn unit_f32(u: u32) -> f32 {
    (u >> 8) as f32 * UNIT
}

/// Box–Muller: two u32 values to two independent standard normals `(r cos θ, r sin θ)`.
#[inline]
pub fn box_muller(a: u32, b: u32) -> (f32, f32) {
    // NOTE: u1 is in (0, 1], so ln(u1) is finite; u2 in [0, 1) covers the circle once.
    let u1 = ((a >> 8) + 1) as f32 * UNIT;
    let theta = core::f32::consts::TAU * unit_f32(b);
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = theta.sin_cos();
    (r * c, r * s)
}

/// Four standard normals from one block: lanes 0, 1 from the pair (0, 1), lanes 2, 3 from (2, 3).
#[inline]
fn normal_block(seed: u64, stream: u32, block: u64, draw: u32) -> [f32; 4] {
    let u = block_u32(seed, stream, block, draw);
    let (z0, z1) = box_muller(u[0], u[1]);
    let (z2, z3) = box_muller(u[2], u[3]);
    [z0, z1, z2, z3]
}

/// Fills `out[j]` with value `offset + j` of a stream, one block of four values at a time.
/// Indices wrap modulo 2⁶⁴ (a stream has 2⁶⁴ values).
fn fill_by_block<T: Copy>(offset: u64, out: &mut [T], mut block: impl FnMut(u64) -> [T; 4]) {
    let mut i = 0usize;
    while i < out.len() {
        let idx = offset.wrapping_add(i as u64);
        let lane = (idx % 4) as usize;
        let vals = block(idx / 4);
        let take = (4 - lane).min(out.len() - i);
        out[i..i + take].copy_from_slice(&vals[lane..lane + take]);
        i += take;
    }
}

/// `out[j]` = raw u32 value `offset + j` of `(seed, stream)`.
pub fn fill_u32(seed: u64, stream: u32, offset: u64, out: &mut [u32]) {
    fill_by_block(offset, out, |b| block_u32(seed, stream, b, 0));
}

/// `out[j]` = uniform `[0, 1)` value `offset + j` of `(seed, stream)`.
pub fn fill_uniform(seed: u64, stream: u32, offset: u64, out: &mut [f32]) {
    fill_by_block(offset, out, |b| block_u32(seed, stream, b, 0).map(unit_f32));
}

/// `out[j]` = standard normal value `offset + j` of `(seed, stream)` (Box–Muller, see the module
/// docs).
pub fn fill_normal(seed: u64, stream: u32, offset: u64, out: &mut [f32]) {
    fill_by_block(offset, out, |b| normal_block(seed, stream, b, 0));
}

/// `out[j]` = standard normal value `offset + j` of `(seed, stream)` truncated to `[-2, 2]`:
/// an element outside is replaced by the same element of re-draw 1, 2, ... until it falls
/// inside, so each element still depends only on `(seed, stream, index)`.
pub fn fill_truncated_normal(seed: u64, stream: u32, offset: u64, out: &mut [f32]) {
    fill_by_block(offset, out, |b| {
        let mut z = normal_block(seed, stream, b, 0);
        for (lane, v) in z.iter_mut().enumerate() {
            let mut draw = 1;
            while v.abs() > 2.0 && draw < MAX_TRUNCATED_DRAWS {
                *v = normal_block(seed, stream, b, draw)[lane];
                draw += 1;
            }
            *v = v.clamp(-2.0, 2.0);
        }
        z
    });
}

/// A sequential view of one Philox stream, for code that draws values one at a time (weight
/// initialisers, dropout masks, shuffles).
///
/// The stream has a position counted in u32 values. [`Philox::next_u32`] and
/// [`Philox::uniform_f32`] consume one value; [`Philox::normal_f32`] consumes two values every
/// second call (Box–Muller gives two normals; the second is kept for the next call). So,
/// starting at position 0, `n` calls of `uniform_f32` equal [`fill_uniform`]`(seed, stream, 0)`
/// and `n` calls of `normal_f32` equal [`fill_normal`]`(seed, stream, 0)`.
#[derive(Clone, Debug)]
pub struct Philox {
    seed: u64,
    stream: u32,
    /// The position of the next u32 value.
    pos: u64,
    /// The block that holds `pos`, if already computed: `(block index, values)`.
    cached: Option<(u64, [u32; 4])>,
    /// The second normal of the last Box–Muller pair, not yet returned.
    spare_normal: Option<f32>,
}

impl Philox {
    /// Stream `stream` of the generator keyed by `seed`, at position 0.
    pub fn new(seed: u64, stream: u32) -> Philox {
        Philox { seed, stream, pos: 0, cached: None, spare_normal: None }
    }

    /// The position (in u32 values) of the next draw.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Moves to position `pos`, dropping a pending spare normal.
    pub fn seek(&mut self, pos: u64) {
        self.pos = pos;
        self.spare_normal = None;
    }

    /// The next raw 32-bit value.
    pub fn next_u32(&mut self) -> u32 {
        let block = self.pos / 4;
        let vals = match self.cached {
            Some((b, v)) if b == block => v,
            _ => {
                let v = block_u32(self.seed, self.stream, block, 0);
                self.cached = Some((block, v));
                v
            }
        };
        let out = vals[(self.pos % 4) as usize];
        self.pos = self.pos.wrapping_add(1);
        out
    }

    /// The next 64-bit value (two u32 values, low word first).
    pub fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        lo | (u64::from(self.next_u32()) << 32)
    }

    /// A uniform float in `[0, 1)`.
    pub fn uniform_f32(&mut self) -> f32 {
        unit_f32(self.next_u32())
    }

    /// A standard normal float (Box–Muller; see the type docs for how positions are used).
    pub fn normal_f32(&mut self) -> f32 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let a = self.next_u32();
        let b = self.next_u32();
        let (z0, z1) = box_muller(a, b);
        self.spare_normal = Some(z1);
        z0
    }

    /// A standard normal re-drawn while it lies outside `[-2, 2]` (at most
    /// [`MAX_TRUNCATED_DRAWS`] tries, then clamped).
    pub fn truncated_normal_f32(&mut self) -> f32 {
        let mut z = self.normal_f32();
        let mut tries = 1;
        while z.abs() > 2.0 && tries < MAX_TRUNCATED_DRAWS {
            z = self.normal_f32();
            tries += 1;
        }
        z.clamp(-2.0, 2.0)
    }

    /// An unbiased integer in `[0, n)`; `0` when `n == 0`. Lemire's multiply-and-reject
    /// (<https://arxiv.org/abs/1805.10941>) on 64-bit draws.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Products whose low half is below 2⁶⁴ mod n would make some results more likely.
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates): every permutation is equally likely.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from the Random123 distribution (`tests/kat_vectors`, the three
    /// `philox4x32 10` lines): counter, key → output.
    #[test]
    fn known_answer_vectors() {
        let kat: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            ([0; 4], [0; 2], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
            ([u32::MAX; 4], [u32::MAX; 2], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
            (
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0],
                [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
            ),
        ];
        for (ctr, key, want) in kat {
            assert_eq!(philox4x32_10(ctr, key), want, "ctr {ctr:08x?} key {key:08x?}");
        }
    }

    #[test]
    fn counter_layout_is_block_stream_draw() {
        let seed = 0x0123_4567_89ab_cdef_u64;
        let want = philox4x32_10([5, 0, 7, 0], [0x89ab_cdef, 0x0123_4567]);
        assert_eq!(block_u32(seed, 7, 5, 0), want);
        let mut out = [0u32; 4];
        fill_u32(seed, 7, 20, &mut out);
        assert_eq!(out, want);
    }

    #[test]
    fn fills_are_independent_of_how_they_are_split() {
        let mut whole = vec![0.0f32; 103];
        fill_normal(9, 3, 0, &mut whole);
        for cut in [0, 1, 2, 3, 5, 50, 102, 103] {
            let mut a = vec![0.0f32; cut];
            let mut b = vec![0.0f32; 103 - cut];
            fill_normal(9, 3, 0, &mut a);
            fill_normal(9, 3, cut as u64, &mut b);
            a.extend_from_slice(&b);
            assert_eq!(a, whole, "cut at {cut}");
        }
    }

    #[test]
    fn the_stream_matches_the_fills() {
        let mut u = [0.0f32; 13];
        let mut z = [0.0f32; 13];
        fill_uniform(1, 2, 0, &mut u);
        fill_normal(1, 2, 0, &mut z);
        let mut r = Philox::new(1, 2);
        assert_eq!(u.to_vec(), (0..13).map(|_| r.uniform_f32()).collect::<Vec<_>>());
        let mut r = Philox::new(1, 2);
        assert_eq!(z.to_vec(), (0..13).map(|_| r.normal_f32()).collect::<Vec<_>>());
        r.seek(4);
        let mut raw = [0u32; 1];
        fill_u32(1, 2, 4, &mut raw);
        assert_eq!(r.next_u32(), raw[0]);
        assert_eq!(r.position(), 5);
    }

    #[test]
    fn streams_and_seeds_differ() {
        let draw = |seed, stream| {
            let mut v = [0u32; 8];
            fill_u32(seed, stream, 0, &mut v);
            v
        };
        assert_ne!(draw(1, 0), draw(2, 0));
        assert_ne!(draw(1, 0), draw(1, 1));
        assert_ne!(draw(1 << 32, 0), draw(1, 0)); // the high key word matters
        assert_eq!(draw(5, 5), draw(5, 5));
    }

    #[test]
    fn unit_and_box_muller_edges() {
        assert_eq!(unit_f32(0), 0.0);
        assert_eq!(unit_f32(u32::MAX), 1.0 - UNIT);
        let (z0, z1) = box_muller(u32::MAX, 0); // u1 = 1: r = 0
        assert_eq!((z0, z1), (0.0, 0.0));
        let (z0, _) = box_muller(0, 0); // u1 = 2^-24: the largest radius, θ = 0
        assert!((z0 - (-2.0 * UNIT.ln()).sqrt()).abs() < 1e-5 && z0 < 5.8);
    }

    #[test]
    fn truncated_normals_stay_within_two() {
        let mut v = vec![0.0f32; 20_000];
        fill_truncated_normal(3, 0, 0, &mut v);
        assert!(v.iter().all(|z| z.abs() <= 2.0));
        let mut plain = vec![0.0f32; 20_000];
        fill_normal(3, 0, 0, &mut plain);
        // Values already inside are kept; the others are re-drawn.
        for (t, p) in v.iter().zip(&plain) {
            if p.abs() <= 2.0 {
                assert_eq!(t, p);
            }
        }
        assert!(plain.iter().filter(|z| z.abs() > 2.0).count() > 500);
        let mut r = Philox::new(3, 0);
        assert!((0..5000).all(|_| r.truncated_normal_f32().abs() <= 2.0));
    }

    #[test]
    fn below_is_in_range_and_shuffle_permutes() {
        let mut r = Philox::new(11, 0);
        assert_eq!(r.below(0), 0);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[r.below(6) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
        let mut xs: Vec<u32> = (0..100).collect();
        r.shuffle(&mut xs);
        assert_ne!(xs, (0..100).collect::<Vec<_>>());
        xs.sort_unstable();
        assert_eq!(xs, (0..100).collect::<Vec<_>>());
        r.shuffle::<u8>(&mut []);
    }
}
