//! Many short rows reduced at once: `x` holds `out.len()` rows of `r` values back to back and
//! `out[i]` is row `i`'s sum, maximum, index of the maximum or variance. No allocation, no
//! validation: `x.len() == out.len() · r` and `r <` [`SHORT_ROW`] (the simd128 twins give NaN
//! for longer rows).
//!
//! `ops::reduce` calls these for rows shorter than [`SHORT_ROW`], where reducing one row at a
//! time with the run kernels of `reduce.rs` cost more in per-row calls than in arithmetic
//! (`sum(x, -1)` of `[262144, 4]` was 3× slower than TF.js `wasm`). The simd128 twins
//! (`simd128_reduce_rows.rs`) put four rows on the four lanes, so each lane still reduces its
//! row in the order below, and the bits are those of the run kernels on each row:
//!
//! ```text
//! sum:       ((0 + x₀) + x₁) + … + x_{r−1}      left to right from 0: the 16-lane order of
//!                                              `reduce::sum` for a row shorter than 16
//! max, min:  fold from ∓∞ with max_f32/min_f32 (NaN wins, +0 > −0): order-independent
//! argMax:    the first best value, the first NaN winning (`reduce::arg_max`'s index)
//! variance:  m = sum / r, s₂ = Σ (x − m)², s₁ = Σ (x − m) (each left to right from 0),
//!            (s₂ − s₁·(s₁/r)) / r, below 0 → 0   (`ops::reduce`'s two-pass variance)
//! ```
//!
//! ```
//! use neurite_core::kernels::reduce_rows::{rows_arg_max, rows_sum};
//! let x = [1.0, 2.0, 3.0, 9.0, -1.0, 9.0];
//! let mut out = [0.0; 2];
//! rows_sum(&x, 3, &mut out);
//! assert_eq!(out, [6.0, 17.0]);
//! rows_arg_max(&x, 3, &mut out);
//! assert_eq!(out, [2.0, 0.0]);
//! ```

use super::elementwise::{max_f32, min_f32};

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_reduce_rows as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// Rows shorter than this are reduced by these kernels (the run kernels' 16-lane sum of a
/// shorter row is the left-to-right sum, so the bits do not change).
pub const SHORT_ROW: usize = 16;

/// `out[i] = Σ` row `i`, left to right from 0 (0 for `r == 0`).
pub fn rows_sum(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_sum(x, r, out)
}

/// `out[i] =` the largest value of row `i` (NaN if any is NaN; `−∞` for `r == 0`).
pub fn rows_max(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_max(x, r, out)
}

/// `out[i] =` the smallest value of row `i` (NaN if any is NaN; `+∞` for `r == 0`).
pub fn rows_min(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_min(x, r, out)
}

/// `out[i] =` the index (as a float) of the first largest value of row `i`, the first NaN
/// winning; 0 for `r == 0`.
pub fn rows_arg_max(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_arg(x, r, out, true)
}

/// `out[i] =` the index of the first smallest value of row `i`, the first NaN winning.
pub fn rows_arg_min(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_arg(x, r, out, false)
}

/// `out[i] =` the population variance of row `i` (the two-pass form in the module doc; NaN
/// for `r == 0`).
pub fn rows_variance(x: &[f32], r: usize, out: &mut [f32]) {
    imp::rows_variance(x, r, out)
}

/// The population variance from the second pass of a two-pass variance around `m`, the
/// values' mean rounded to f32: `s2 = Σ (x − m)²` and `s1 = Σ (x − m)` over `n` values. The
/// corrected form `(s2 − s1²/n) / n` is the variance around the exact mean: where the spread is
/// near f32's resolution of the mean, `m` one ulp off made `s2 / n` 25 % high (1000 values
/// `1e4 + (i % 7)·1e-3`). `s1` is 0 when `m` is exact; the result is never below 0.
#[inline(always)]
pub fn corrected_variance(s2: f32, s1: f32, n: f32) -> f32 {
    let v = (s2 - s1 * (s1 / n)) / n;
    if v < 0.0 { 0.0 } else { v }
}

/// Whether `x` beats the best so far `b` (the first best wins; a NaN wins and then stays).
#[inline(always)]
pub(crate) fn takes(x: f32, b: f32, max: bool) -> bool {
    let better = if max { x > b } else { x < b };
    !b.is_nan() & (x.is_nan() | better)
}

/// The scalar reference kernels; each has the signature of its public dispatcher.
pub mod scalar {
    use super::{corrected_variance, max_f32, min_f32, takes};

    fn rows<'a>(x: &'a [f32], r: usize, out: &'a mut [f32]) -> impl Iterator<Item = (&'a mut f32, &'a [f32])> {
        out.iter_mut().zip(x.chunks_exact(r.max(1)).chain(core::iter::repeat(&[][..])))
    }

    pub fn rows_sum(x: &[f32], r: usize, out: &mut [f32]) {
        rows(x, r, out).for_each(|(o, row)| *o = row.iter().fold(0.0, |s, &v| s + v));
    }

    pub fn rows_max(x: &[f32], r: usize, out: &mut [f32]) {
        rows(x, r, out).for_each(|(o, row)| *o = row.iter().fold(f32::NEG_INFINITY, |s, &v| max_f32(s, v)));
    }

    pub fn rows_min(x: &[f32], r: usize, out: &mut [f32]) {
        rows(x, r, out).for_each(|(o, row)| *o = row.iter().fold(f32::INFINITY, |s, &v| min_f32(s, v)));
    }

    pub fn rows_arg(x: &[f32], r: usize, out: &mut [f32], max: bool) {
        rows(x, r, out).for_each(|(o, row)| {
            let (mut b, mut at) = (row.first().copied().unwrap_or(0.0), 0.0);
            for (j, &v) in row.iter().enumerate().skip(1) {
                if takes(v, b, max) {
                    (b, at) = (v, j as f32);
                }
            }
            *o = at;
        });
    }

    pub fn rows_variance(x: &[f32], r: usize, out: &mut [f32]) {
        let n = r as f32;
        rows(x, r, out).for_each(|(o, row)| {
            let m = row.iter().fold(0.0, |s, &v| s + v) / n;
            let s2 = row.iter().fold(0.0, |s, &v| s + (v - m) * (v - m));
            let s1 = row.iter().fold(0.0, |s, &v| s + (v - m));
            *o = corrected_variance(s2, s1, n);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::reduce as k;

    /// Rows of every short length, with NaN, ±0, ±∞, ties and huge and tiny values.
    fn rows_of(r: usize, n: usize) -> Vec<f32> {
        let special = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 3e38, -3e38, 1e-40, 7.0, 7.0];
        (0..n * r)
            .map(|i| match (i * 7919) % 97 {
                s if s < special.len() && i % 5 == 0 => special[s],
                s => (s as f32 - 48.0) * 0.37 + 1e-3 * (i % 13) as f32,
            })
            .collect()
    }

    /// The dispatched kernels (simd128 on wasm) against the run kernels of `reduce.rs` applied
    /// row by row (the path they replace), bit for bit, at odd sizes.
    #[test]
    fn short_rows_have_the_bits_of_the_run_kernels_row_by_row() {
        for r in [1usize, 2, 3, 4, 5, 7, 8, 15] {
            for n in [0usize, 1, 2, 3, 4, 5, 7, 13, 31, 257] {
                let x = rows_of(r, n);
                let mut out = vec![0.0; n];
                let check = |out: &[f32], f: &dyn Fn(&[f32]) -> f32, what: &str| {
                    for (i, (o, row)) in out.iter().zip(x.chunks_exact(r)).enumerate() {
                        let w = f(row);
                        assert!(o.to_bits() == w.to_bits() || (o.is_nan() && w.is_nan()), "{what} r={r} n={n} row {i}: {o} vs {w}");
                    }
                };
                rows_sum(&x, r, &mut out);
                check(&out, &k::sum, "sum");
                rows_max(&x, r, &mut out);
                check(&out, &k::max, "max");
                rows_min(&x, r, &mut out);
                check(&out, &k::min, "min");
                rows_arg_max(&x, r, &mut out);
                check(&out, &|v| k::arg_max(v) as f32, "argMax");
                rows_arg_min(&x, r, &mut out);
                check(&out, &|v| k::arg_min(v) as f32, "argMin");
                rows_variance(&x, r, &mut out);
                check(&out, &|v| {
                    let m = k::sum(v) / r as f32;
                    corrected_variance(k::sum_sq_dev(v, m), k::sum_dev(v, m), r as f32)
                }, "variance");
            }
        }
    }

    #[test]
    fn empty_rows() {
        let mut out = [1.0; 3];
        rows_sum(&[], 0, &mut out);
        assert_eq!(out, [0.0; 3]);
        rows_max(&[], 0, &mut out);
        assert_eq!(out, [f32::NEG_INFINITY; 3]);
        rows_arg_min(&[], 0, &mut out);
        assert_eq!(out, [0.0; 3]);
        rows_variance(&[], 0, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }
}
