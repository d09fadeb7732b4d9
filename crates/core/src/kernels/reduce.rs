//! Reduction kernels: a run to one value (`sum`, `max`, `arg_max`, ...), and row accumulators
//! (`acc_add`: `acc[j] += x[j]`, ...) with which `ops::reduce` folds leading axes without a
//! transpose. No allocation, no validation.
//!
//! # Summation order (deterministic)
//! A run longer than [`CHUNK`] (16 Ki) is cut into chunks of `CHUNK` elements; each chunk is
//! summed as below (on the thread pool), and the chunk sums are combined pairwise on the
//! calling thread: neighbours first, `(s₀ + s₁)`, `(s₂ + s₃)`, …, then neighbouring pairs,
//! and so on, an odd one out at a level joining the next level as it is (a balanced tree, so
//! the rounding error grows with log₂ of the number of chunks rather than with the number:
//! `fill([1e6], 0.1).sum()` was 99998.98 with the left-to-right sum of the chunks). The cut
//! and the tree depend on the length only, so a sum is the same for any number of threads.
//! (Before the pool, sums of more than 16 Ki elements used one 16-lane pass over the whole
//! run, and before the tree the chunk sums were added left to right; their last bits differ.)
//!
//! Within a chunk, `sum` keeps 16 running sums, lane `i` taking elements `i, i+16, i+32, …` of the whole
//! 16-blocks: it adds them 32 at a time (the lane's elements of 32 consecutive 16-blocks,
//! summed in order from 0) to its running sum, so a value of a 16 Ki chunk goes through at
//! most 32 + 32 roundings instead of 1024 (the error of `fill([1e6], 0.1).sum()`: 1.0 → 0.03).
//! Then it folds the lanes in a fixed tree and adds the tail in order:
//!
//! ```text
//! acc[i] += (x[i] + x[16+i] + … + x[496+i])                 each 512 elements (fewer at the end)
//! l[i] = (acc[i] + acc[4+i]) + (acc[8+i] + acc[12+i])      i < 4
//! sum  = ((l[0] + l[1]) + (l[2] + l[3])) + tail[0] + tail[1] + …
//! ```
//!
//! Up to 512 elements this is the plain 16-lane sum (`0 + s = s`).
//!
//! That is exactly what four `f32x4` accumulators compute, so the simd128 twin in
//! `simd128_reduce.rs` gives the same bits as the scalar reference below, and a sum never
//! depends on the build. 16 partial sums are also more accurate than one running sum.
//! `max`/`min` fold with [`max_f32`]/[`min_f32`] (NaN wins, `+0 > −0`), which are
//! order-independent (so chunking does not change them).
//!
//! ```
//! use neurite_core::kernels::reduce::{arg_max, max, sum};
//! assert_eq!(sum(&[1.0, 2.0, 3.5]), 6.5);
//! assert_eq!(max(&[1.0, 7.0, 3.0]), 7.0);
//! assert_eq!(arg_max(&[1.0, 7.0, 7.0]), 1);
//! ```

use super::elementwise::{max_f32, min_f32};

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_reduce as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// Runs longer than this are reduced in chunks of this many elements, one partial per
/// chunk (on the thread pool), combined in chunk order on the calling thread.
pub const CHUNK: usize = 16 * 1024;
/// Partials computed per pool job (they live in a stack array, so no allocation).
const GROUP: usize = 256;
/// A lane's running sum takes its elements of this many 16-blocks at a time (module doc).
pub(crate) const LANE_BLOCK: usize = 32;

/// `f` over `v` (longer than [`CHUNK`]) in chunks of `CHUNK`, the partials combined pairwise
/// with `combine` (the tree in the module doc; `combine(earlier, later)`). (Out of line, so
/// the short-run path of the callers compiles as before.)
#[inline(never)]
fn chunked(v: &[f32], f: impl Fn(&[f32]) -> f32 + Sync, combine: impl Fn(f32, f32) -> f32) -> f32 {
    let chunks = v.len().div_ceil(CHUNK);
    let mut parts = [0f32; GROUP];
    // The tree, built as the partials come, as a binary counter: `tree[..depth]` holds one
    // complete subtree per level, the highest first; a new partial merges with the subtrees of
    // its own level. At most one per bit of the chunk count, so no allocation.
    let mut tree = [(0u32, 0f32); usize::BITS as usize];
    let mut depth = 0;
    for g0 in (0..chunks).step_by(GROUP) {
        let parts = &mut parts[..GROUP.min(chunks - g0)];
        let work = (parts.len() * CHUNK).min(v.len());
        crate::parallel::map_tasks(parts, work, |i| {
            let c = (g0 + i) * CHUNK;
            f(&v[c..v.len().min(c + CHUNK)])
        });
        for &p in parts.iter() {
            let (mut level, mut value) = (0, p);
            while depth > 0 && tree[depth - 1].0 == level {
                depth -= 1;
                value = combine(tree[depth].1, value);
                level += 1;
            }
            tree[depth] = (level, value);
            depth += 1;
        }
    }
    // The unpaired subtrees, from the last (the smallest) back to the first.
    tree[..depth].iter().rev().map(|&(_, s)| s).reduce(|later, earlier| combine(earlier, later)).unwrap_or(0.0)
}

/// `Σ v`: the 16-lane order above within each chunk of [`CHUNK`], then the chunk sums
/// pairwise (0 for an empty run).
pub fn sum(v: &[f32]) -> f32 {
    if v.len() <= CHUNK {
        return imp::sum(v);
    }
    chunked(v, imp::sum, |a, b| a + b)
}

/// `Σ (v − m)²` in the same order as [`sum`] (the second pass of a two-pass variance).
pub fn sum_sq_dev(v: &[f32], m: f32) -> f32 {
    around(v, m, imp::sum_sq_dev)
}

/// `Σ (v − m)` in the same order as [`sum`]: the correction term of a two-pass variance
/// whose mean `m` is not exactly the values' mean.
pub fn sum_dev(v: &[f32], m: f32) -> f32 {
    around(v, m, imp::sum_dev)
}

/// A sum of `f(chunk, m)` over `v`, in [`sum`]'s order: one instance of [`chunked`] for
/// [`sum_sq_dev`] and [`sum_dev`] (`f` a function pointer, called once per chunk).
fn around(v: &[f32], m: f32, f: fn(&[f32], f32) -> f32) -> f32 {
    if v.len() <= CHUNK {
        return f(v, m);
    }
    chunked(v, |c| f(c, m), |a, b| a + b)
}

/// The largest value; NaN if any is NaN; `−∞` for an empty run.
pub fn max(v: &[f32]) -> f32 {
    if v.len() <= CHUNK {
        return imp::max(v);
    }
    chunked(v, imp::max, max_f32)
}

/// The largest value as a softmax row's shift `m`: [`max`] but for NaN, which may be
/// skipped, and a maximum of both `+0` and `−0`, which may be either (`f32x4.pmax`: one
/// instruction on x86, where `f32x4.max` is several). A row's NaN still makes its
/// `e^(x − m)` and so its sum NaN, and `x − (±0)` has the same exponential and, but for the
/// sign of a zero difference, the same value. A run longer than [`CHUNK`] takes [`max`]
/// (split over the thread pool; one instance of the split, not two).
pub fn shift_max(v: &[f32]) -> f32 {
    if v.len() <= CHUNK {
        return imp::shift_max(v);
    }
    max(v)
}

/// The smallest value; NaN if any is NaN; `+∞` for an empty run.
pub fn min(v: &[f32]) -> f32 {
    if v.len() <= CHUNK {
        return imp::min(v);
    }
    chunked(v, imp::min, min_f32)
}

/// `Π v`, left to right in f64, rounded once (1 for an empty run): a partial product out of
/// f32's range (`1e30·1e30·1e-30`) does not overflow or underflow, and the result is TF.js's
/// (its cpu kernel multiplies in f64 too).
pub fn prod(v: &[f32]) -> f32 {
    v.iter().fold(1f64, |p, &x| p * f64::from(x)) as f32
}

/// The column products of the rows of `block` (rows of `out.len()` values) into `out`, each
/// column left to right in f64 as [`prod`].
pub fn column_prod(block: &[f32], out: &mut [f32]) {
    const COLS: usize = 256;
    let inner = out.len();
    for c in (0..inner).step_by(COLS) {
        let end = (c + COLS).min(inner);
        let mut acc = [1f64; COLS];
        let acc = &mut acc[..end - c];
        for row in block.chunks_exact(inner) {
            acc.iter_mut().zip(&row[c..end]).for_each(|(a, &x)| *a *= f64::from(x));
        }
        out[c..end].iter_mut().zip(acc.iter()).for_each(|(o, &a)| *o = a as f32);
    }
}

/// The index of the first largest value; the first NaN wins (as NumPy). 0 for an empty run.
///
/// Two SIMD passes instead of one branchy scalar scan: [`max`] (NaN if any value is NaN), then
/// the first value equal to it (the first NaN if it is NaN). The first largest value is the
/// first equal to the maximum, `±0` included (`−0 == +0`, and a scan taking only a strictly
/// larger value keeps the first zero of either sign), so the index is the scan's.
pub fn arg_max(v: &[f32]) -> usize {
    imp::first_of(v, max(v))
}

/// The index of the first smallest value; the first NaN wins. 0 for an empty run.
pub fn arg_min(v: &[f32]) -> usize {
    imp::first_of(v, min(v))
}

/// `acc[j] += x[j]`.
pub fn acc_add(acc: &mut [f32], x: &[f32]) {
    imp::acc_add(acc, x)
}

/// `acc[j] *= x[j]`.
pub fn acc_mul(acc: &mut [f32], x: &[f32]) {
    imp::acc_mul(acc, x)
}

/// `acc[j] = max_f32(acc[j], x[j])`.
pub fn acc_max(acc: &mut [f32], x: &[f32]) {
    imp::acc_max(acc, x)
}

/// `acc[j] = min_f32(acc[j], x[j])`.
pub fn acc_min(acc: &mut [f32], x: &[f32]) {
    imp::acc_min(acc, x)
}

/// `acc[j] += (x[j] − m[j])²`.
pub fn acc_sq_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
    imp::acc_sq_dev(acc, x, m)
}

/// `acc[j] += x[j] − m[j]`.
pub fn acc_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
    imp::acc_dev(acc, x, m)
}

/// The scalar reference kernels; each has the signature of its public dispatcher.
pub mod scalar {
    use super::{max_f32, min_f32};

    /// The index of the first value equal to `m` (of the first NaN for a NaN `m`), 0 if none.
    pub fn first_of(v: &[f32], m: f32) -> usize {
        let nan = m.is_nan();
        v.iter().position(|&x| x == m || (nan && x.is_nan())).unwrap_or(0)
    }

    /// The 16-lane sum of `f(v[i])` (see the module docs for the order).
    #[inline(always)]
    fn lanes16(v: &[f32], f: impl Fn(f32) -> f32) -> f32 {
        let (chunks, tail) = v.as_chunks::<16>();
        let mut acc = [0f32; 16];
        for group in chunks.chunks(super::LANE_BLOCK) {
            let mut part = [0f32; 16];
            for c in group {
                for (p, &x) in part.iter_mut().zip(c) {
                    *p += f(x);
                }
            }
            for (a, p) in acc.iter_mut().zip(part) {
                *a += p;
            }
        }
        let l: [f32; 4] = core::array::from_fn(|i| (acc[i] + acc[4 + i]) + (acc[8 + i] + acc[12 + i]));
        let mut s = (l[0] + l[1]) + (l[2] + l[3]);
        for &x in tail {
            s += f(x);
        }
        s
    }

    pub fn sum(v: &[f32]) -> f32 {
        lanes16(v, |x| x)
    }

    pub fn sum_sq_dev(v: &[f32], m: f32) -> f32 {
        lanes16(v, |x| (x - m) * (x - m))
    }

    pub fn sum_dev(v: &[f32], m: f32) -> f32 {
        lanes16(v, |x| x - m)
    }

    pub fn max(v: &[f32]) -> f32 {
        v.iter().fold(f32::NEG_INFINITY, |a, &x| max_f32(a, x))
    }

    pub fn min(v: &[f32]) -> f32 {
        v.iter().fold(f32::INFINITY, |a, &x| min_f32(a, x))
    }

    /// `f32x4.pmax` on one value: `b` if `a < b`, else `a`.
    #[inline(always)]
    pub fn pmax(a: f32, b: f32) -> f32 {
        if a < b {
            b
        } else {
            a
        }
    }

    pub fn shift_max(v: &[f32]) -> f32 {
        v.iter().fold(f32::NEG_INFINITY, |a, &x| pmax(a, x))
    }

    pub fn acc_add(acc: &mut [f32], x: &[f32]) {
        acc.iter_mut().zip(x).for_each(|(a, &x)| *a += x);
    }

    pub fn acc_mul(acc: &mut [f32], x: &[f32]) {
        acc.iter_mut().zip(x).for_each(|(a, &x)| *a *= x);
    }

    pub fn acc_max(acc: &mut [f32], x: &[f32]) {
        acc.iter_mut().zip(x).for_each(|(a, &x)| *a = max_f32(*a, x));
    }

    pub fn acc_min(acc: &mut [f32], x: &[f32]) {
        acc.iter_mut().zip(x).for_each(|(a, &x)| *a = min_f32(*a, x));
    }

    pub fn acc_sq_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
        acc.iter_mut().zip(x).zip(m).for_each(|((a, &x), &m)| *a += (x - m) * (x - m));
    }

    pub fn acc_dev(acc: &mut [f32], x: &[f32], m: &[f32]) {
        acc.iter_mut().zip(x).zip(m).for_each(|((a, &x), &m)| *a += x - m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lane order spelled out with indices, independent of `lanes16`.
    fn sum_by_index(v: &[f32]) -> f32 {
        let whole = v.len() / 16 * 16;
        let mut acc = [0f32; 16];
        let mut part = [0f32; 16];
        for (i, &x) in v[..whole].iter().enumerate() {
            part[i % 16] += x;
            // After each 512 elements, and after the last whole 16-block.
            if (i + 1) % (16 * LANE_BLOCK) == 0 || i + 1 == whole {
                for k in 0..16 {
                    acc[k] += part[k];
                    part[k] = 0.0;
                }
            }
        }
        let l = |i: usize| (acc[i] + acc[4 + i]) + (acc[8 + i] + acc[12 + i]);
        let mut s = (l(0) + l(1)) + (l(2) + l(3));
        for &x in &v[whole..] {
            s += x;
        }
        s
    }

    #[test]
    fn sum_follows_the_documented_order() {
        for n in [0usize, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 255, 256, 257, 511, 512, 513, 527, 528, 1023, 4099] {
            let v: Vec<f32> = (0..n).map(|i| ((i * 7919) % 113) as f32 * 0.37 - 20.0 + 1e-3 * i as f32).collect();
            assert_eq!(sum(&v).to_bits(), sum_by_index(&v).to_bits(), "n={n}");
            let exact: f64 = v.iter().map(|&x| x as f64).sum();
            assert!((sum(&v) as f64 - exact).abs() <= 1e-5 * (1.0 + exact.abs()), "n={n}");
            let m = 1.5f32;
            let d: Vec<f32> = v.iter().map(|&x| (x - m) * (x - m)).collect();
            assert_eq!(sum_sq_dev(&v, m).to_bits(), sum_by_index(&d).to_bits());
            let e: Vec<f32> = v.iter().map(|&x| x - m).collect();
            assert_eq!(sum_dev(&v, m).to_bits(), sum_by_index(&e).to_bits());
        }
    }

    #[test]
    fn max_min_and_args() {
        assert_eq!(max(&[]), f32::NEG_INFINITY);
        assert_eq!(min(&[3.0, -1.0, 2.0]), -1.0);
        assert!(max(&[1.0, f32::NAN, 3.0]).is_nan());
        assert_eq!(max(&[-0.0, 0.0]).to_bits(), 0.0f32.to_bits());
        assert_eq!(min(&[0.0, -0.0]).to_bits(), (-0.0f32).to_bits());
        assert_eq!(arg_max(&[1.0, 5.0, 5.0, 2.0]), 1);
        assert_eq!(arg_min(&[4.0, 1.0, 9.0, 1.0]), 1);
        assert_eq!(arg_max(&[1.0, f32::NAN, 9.0, f32::NAN]), 1);
        assert_eq!(arg_min(&[]), 0);
        assert_eq!(prod(&[2.0, 3.0, -1.0]), -6.0);
        // Partial products out of f32's range: the product is computed in f64.
        assert_eq!(prod(&[1e30, 1e30, 1e-30]), 1e30);
        assert_eq!(prod(&[1e-30, 1e-30, 1e30, 1e30]), 1.0);
        assert_eq!(prod(&[f32::MAX, 2.0]), f32::INFINITY);
        let mut out = [0.0; 300];
        let block: Vec<f32> = [1e30f32, 1e30, 1e-30, 1e-30].iter().flat_map(|&v| (0..300).map(move |j| v * (1.0 + j as f32 / 512.0))).collect();
        column_prod(&block, &mut out);
        for (j, &o) in out.iter().enumerate() {
            let col: Vec<f32> = block.iter().skip(j).step_by(300).copied().collect();
            assert_eq!(o, prod(&col), "column {j}");
        }
    }

    #[test]
    fn accumulators() {
        let mut a = vec![1.0, -2.0, 3.0, 0.0, 5.0];
        acc_add(&mut a, &[1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(a, [2.0, -1.0, 4.0, 1.0, 6.0]);
        acc_mul(&mut a, &[2.0; 5]);
        assert_eq!(a, [4.0, -2.0, 8.0, 2.0, 12.0]);
        acc_max(&mut a, &[5.0, f32::NAN, 0.0, 2.0, 0.0]);
        assert!(a[1].is_nan() && a[0] == 5.0 && a[4] == 12.0);
        acc_min(&mut a, &[0.0; 5]);
        assert_eq!(a[0], 0.0);
        let mut s = vec![0.0; 3];
        acc_sq_dev(&mut s, &[1.0, 2.0, 3.0], &[0.0, 1.0, 5.0]);
        assert_eq!(s, [1.0, 1.0, 4.0]);
        acc_dev(&mut s, &[1.0, 2.0, 3.0, 9.0], &[0.0, 1.0, 5.0]);
        assert_eq!(s, [2.0, 2.0, 2.0]);
    }

    /// The chunked order spelled out: each chunk by `sum_by_index`, then the chunk sums level
    /// by level, neighbours added in pairs and an odd last one carried up as it is.
    fn chunked_sum_by_index(v: &[f32]) -> f32 {
        let mut level: Vec<f32> = v.chunks(CHUNK).map(sum_by_index).collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|p| if p.len() == 2 { p[0] + p[1] } else { p[0] }).collect();
        }
        level.first().copied().unwrap_or(0.0)
    }

    /// The blocked lanes and the chunk tree keep the rounding error of long sums small: a
    /// million 0.1s (61 chunks) sum to within 1e-6 of the exact value; with every element added
    /// to its lane's running sum and the chunks added left to right it was 99998.98 (1e-5).
    #[test]
    fn long_sums_stay_accurate() {
        for (n, x) in [(1_000_000usize, 0.1f32), (300_000, 1.0 / 3.0), (70_001, 0.7)] {
            let v = vec![x; n];
            let exact = n as f64 * f64::from(x);
            let got = f64::from(sum(&v));
            assert!((got - exact).abs() <= 1e-6 * exact, "n={n}: {got} vs {exact}");
        }
    }

    #[test]
    fn long_runs_are_summed_by_chunks_with_the_same_bits_for_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        let lens = [0, 1, 7, 13, 127, 509, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1, GROUP * CHUNK + 17];
        let got = same_bits_for_all_counts("reductions", || {
            let mut out = Vec::new();
            for n in lens {
                let v: Vec<f32> = (0..n).map(|i| ((i * 7919) % 113) as f32 * 0.37 - 20.0 + 1e-3 * (i % 1000) as f32).collect();
                out.extend([sum(&v), sum_sq_dev(&v, 0.5), max(&v), min(&v), sum_dev(&v, 0.5)]);
            }
            out
        });
        for (k, n) in lens.into_iter().enumerate() {
            let v: Vec<f32> = (0..n).map(|i| ((i * 7919) % 113) as f32 * 0.37 - 20.0 + 1e-3 * (i % 1000) as f32).collect();
            let d: Vec<f32> = v.iter().map(|&x| (x - 0.5) * (x - 0.5)).collect();
            let e: Vec<f32> = v.iter().map(|&x| x - 0.5).collect();
            assert_eq!(got[5 * k].to_bits(), chunked_sum_by_index(&v).to_bits(), "sum n={n}");
            assert_eq!(got[5 * k + 1].to_bits(), chunked_sum_by_index(&d).to_bits(), "sum_sq_dev n={n}");
            assert_eq!(got[5 * k + 2].to_bits(), scalar::max(&v).to_bits(), "max n={n}");
            assert_eq!(got[5 * k + 3].to_bits(), scalar::min(&v).to_bits(), "min n={n}");
            assert_eq!(got[5 * k + 4].to_bits(), chunked_sum_by_index(&e).to_bits(), "sum_dev n={n}");
            let exact: f64 = v.iter().map(|&x| x as f64).sum();
            assert!((got[5 * k] as f64 - exact).abs() <= 1e-5 * (1.0 + exact.abs()) * (1.0 + (n as f64 / CHUNK as f64)), "n={n}");
        }
    }
}
