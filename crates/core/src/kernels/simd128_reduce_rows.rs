//! The wasm32 simd128 twins of the short-row kernels in `reduce_rows.rs`: same signatures, same
//! bits. Four rows at a time, one per lane: value `j` of the four rows is gathered into one
//! vector (`v128.load32_lane`), and each lane folds its row in the scalar order.
//!
//! ```text
//! col(j) = [x[j], x[r + j], x[2r + j], x[3r + j]]      for the 4 rows at x
//! sum:  s = 0; s += col(0); …; s += col(r − 1)          (f32x4.add: each lane's row in order)
//! rows left over (< 4): copied into a zeroed block of 4 rows (spare results dropped)
//! ```

use core::arch::wasm32::*;

use super::simd128_elementwise::store;

/// Value `j` of the four rows of `r` values at `rows` (`4·r` values), one row per lane.
#[inline(always)]
fn col(rows: &[f32], r: usize, j: usize) -> v128 {
    debug_assert!(j < r && rows.len() == 4 * r);
    let p = rows.as_ptr();
    // SAFETY: `j < r`, so `3r + j < 4r = rows.len()`: every read is inside `rows`; wasm
    // loads need no alignment.
    unsafe {
        let v = v128_load32_zero(p.add(j).cast());
        let v = v128_load32_lane::<1>(v, p.add(r + j).cast());
        let v = v128_load32_lane::<2>(v, p.add(2 * r + j).cast());
        v128_load32_lane::<3>(v, p.add(3 * r + j).cast())
    }
}

/// `out[4i..4i+4] = f(the 4 rows)` for every 4 rows; the last 1–3 rows are copied into a
/// zeroed block of 4 rows first (the spare rows' results are dropped), so no scalar tail.
#[inline(always)]
fn quads(x: &[f32], r: usize, out: &mut [f32], f: impl Fn(&[f32]) -> v128) {
    if r == 0 {
        let mut o = [0f32; 4];
        store(&mut o, f(&[]));
        return out.fill(o[0]);
    }
    // Outside the kernels' contract (`ops` never calls them so): NaN rather than a wrong value.
    debug_assert!(r < super::reduce_rows::SHORT_ROW, "rows of {r} values");
    if r >= super::reduce_rows::SHORT_ROW {
        return out.fill(f32::NAN);
    }
    let (oq, ot) = out.as_chunks_mut::<4>();
    let done = oq.len() * 4 * r;
    for (o, rows) in oq.iter_mut().zip(x.chunks_exact(4 * r)) {
        store(o, f(rows));
    }
    if !ot.is_empty() {
        let mut pad = [0f32; 4 * super::reduce_rows::SHORT_ROW];
        let rest = x.get(done..).unwrap_or(&[]);
        pad[..rest.len()].copy_from_slice(rest);
        let mut o = [0f32; 4];
        store(&mut o, f(&pad[..4 * r]));
        let n = ot.len();
        ot.copy_from_slice(&o[..n]);
    }
}

/// The four rows folded with `op` from `init`, value 0 first.
#[inline(always)]
fn fold(rows: &[f32], r: usize, init: v128, op: impl Fn(v128, v128) -> v128) -> v128 {
    (0..r).fold(init, |s, j| op(s, col(rows, r, j)))
}

/// The simd128 twin of `scalar::rows_sum`.
pub fn rows_sum(x: &[f32], r: usize, out: &mut [f32]) {
    quads(x, r, out, |rows| fold(rows, r, f32x4_splat(0.0), |a, b| f32x4_add(a, b)))
}

/// The simd128 twin of `scalar::rows_max` (`f32x4.max` is `max_f32`: NaN wins, `+0 > −0`).
pub fn rows_max(x: &[f32], r: usize, out: &mut [f32]) {
    quads(x, r, out, |rows| fold(rows, r, f32x4_splat(f32::NEG_INFINITY), |a, b| f32x4_max(a, b)))
}

/// The simd128 twin of `scalar::rows_min`.
pub fn rows_min(x: &[f32], r: usize, out: &mut [f32]) {
    quads(x, r, out, |rows| fold(rows, r, f32x4_splat(f32::INFINITY), |a, b| f32x4_min(a, b)))
}

/// The simd128 twin of `scalar::rows_arg`: `reduce_rows::takes` as lane masks.
pub fn rows_arg(x: &[f32], r: usize, out: &mut [f32], max: bool) {
    let best = |rows: &[f32]| {
        if r == 0 {
            return f32x4_splat(0.0);
        }
        let (mut b, mut at) = (col(rows, r, 0), f32x4_splat(0.0));
        for j in 1..r {
            let v = col(rows, r, j);
            let better = if max { f32x4_gt(v, b) } else { f32x4_lt(v, b) };
            let take = v128_andnot(v128_or(f32x4_ne(v, v), better), f32x4_ne(b, b));
            b = v128_bitselect(v, b, take);
            at = v128_bitselect(f32x4_splat(j as f32), at, take);
        }
        at
    };
    quads(x, r, out, best)
}

/// The simd128 twin of `scalar::rows_variance` (`corrected_variance` on lanes).
pub fn rows_variance(x: &[f32], r: usize, out: &mut [f32]) {
    let n = f32x4_splat(r as f32);
    let zero = f32x4_splat(0.0);
    let var = |rows: &[f32]| {
        let m = f32x4_div(fold(rows, r, zero, |a, b| f32x4_add(a, b)), n);
        let (mut s2, mut s1) = (zero, zero);
        for j in 0..r {
            let d = f32x4_sub(col(rows, r, j), m);
            s2 = f32x4_add(s2, f32x4_mul(d, d));
            s1 = f32x4_add(s1, d);
        }
        let v = f32x4_div(f32x4_sub(s2, f32x4_mul(s1, f32x4_div(s1, n))), n);
        v128_bitselect(zero, v, f32x4_lt(v, zero))
    };
    quads(x, r, out, var)
}
