//! The wasm32 simd128 twin of `broadcast_rows::expand_column`: same signature, same values
//! (copies).
//!
//! ```text
//! n a multiple of 4:  each row: splat(c[i]) stored n/4 times
//! otherwise, p = lcm(4, n) (p/n ∈ {2, 4} rows, p/4 vectors per period):
//!   cv = load(c + t·p/n)                          the period's column values (4 readable)
//!   out[t·p + 4q ..][..4] = swizzle(cv, pattern[q]),  lane l ← value ⌊(4q + l) / n⌋
//! the rows after the last such period: one value at a time
//! ```

use core::arch::wasm32::*;

use super::broadcast_rows::MAX_ROW;
use super::simd128_elementwise::{load, store};

/// The bytes of lane `l` ← value `at[l]` (4 bytes each).
fn lanes(at: [usize; 4]) -> v128 {
    let b = |l: usize, k: usize| (at[l] * 4 + k) as u8;
    u8x16(b(0, 0), b(0, 1), b(0, 2), b(0, 3), b(1, 0), b(1, 1), b(1, 2), b(1, 3), b(2, 0), b(2, 1), b(2, 2), b(2, 3), b(3, 0), b(3, 1), b(3, 2), b(3, 3))
}

/// The simd128 twin of `scalar::expand_column`.
pub fn expand_column(c: &[f32], n: usize, out: &mut [f32]) {
    let m = (out.len() / n.max(1)).min(c.len());
    if n == 0 || n >= MAX_ROW {
        return super::broadcast_rows::scalar::expand_column(c, n, out);
    }
    if n.is_multiple_of(4) {
        for (row, &v) in out.chunks_exact_mut(n).zip(&c[..m]) {
            let s = f32x4_splat(v);
            row.as_chunks_mut::<4>().0.iter_mut().for_each(|o| store(o, s));
        }
        return;
    }
    let p = if n.is_multiple_of(2) { 2 * n } else { 4 * n };
    let (rp, vp) = (p / n, p / 4);
    // Whole periods whose 4-value load stays inside `c`.
    let periods = if m >= 4 { ((m - 4) / rp + 1).min(m / rp) } else { 0 };
    let mut pattern = [i8x16_splat(0); MAX_ROW];
    for (q, pat) in pattern[..vp].iter_mut().enumerate() {
        *pat = lanes(core::array::from_fn(|l| (4 * q + l) / n));
    }
    let (chunks, _) = out.as_chunks_mut::<4>();
    for (t, period) in chunks[..periods * vp].chunks_exact_mut(vp).enumerate() {
        let Some(Ok(four)) = c.get(t * rp..t * rp + 4).map(<&[f32; 4]>::try_from) else { break };
        let cv = load(four);
        for (o, &pat) in period.iter_mut().zip(&pattern) {
            store(o, i8x16_swizzle(cv, pat));
        }
    }
    let done = periods * rp;
    super::broadcast_rows::scalar::expand_column(&c[done..m], n, &mut out[done * n..m * n]);
}
