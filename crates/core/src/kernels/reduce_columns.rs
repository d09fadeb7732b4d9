//! Leading-axis reductions of short rows: `r` rows of `inner <` [`SHORT_INNER`] values
//! reduced column by column (`sum(x, 0)`, `max(x, 0)`, `moments(x, 0)` of `[n, k]` with a small
//! `k`: a normalization layer's adapt, a small dense layer's batch statistics). No allocation,
//! no validation.
//!
//! `ops::reduce` folds a leading axis with the row accumulators (`reduce::acc_add`, …), one
//! call per row: for rows of 2–15 values the calls cost more than the arithmetic (`sum(x, 0)`
//! of `[1e6, 2]` ran at 1.16× TF.js `wasm`). These kernels keep every column's order:
//!
//! ```text
//! sums (rows of 2–4 values): the leaves of ops::reduce's pairwise tree (≤ 32 rows each, a
//!       leaf's rows added in order to its first row, or to 0 for the variance's deviations)
//!       are taken four at a time, one leaf per chain (four independent chains of adds in
//!       registers, not one through memory), then joined by the same tree: the bits of the
//!       row-by-row leaves (rows of 5–15 values keep the row accumulators: a chain per column
//!       spilled to memory and ran slower than them)
//! max, min: the rows in blocks of p = lcm(4, inner)·⌈64 / lcm(4, inner)⌉ values (whole rows)
//!       folded into p running values with reduce::acc_max (SIMD), the p folded into the inner
//!       columns, the last rows one at a time: max_f32/min_f32 are order-independent, so the
//!       bits are the row-by-row fold's
//! ```

use super::elementwise::{max_f32, min_f32};
use super::reduce as k;

/// Rows shorter than this take these kernels.
pub const SHORT_INNER: usize = 16;

/// Whether [`leaf_sums`] takes rows of `inner` values (2 to 4: the accumulators of four
/// chains stay in registers; longer rows keep the row accumulators, one call per row).
pub fn chained(inner: usize) -> bool {
    (2..=4).contains(&inner)
}

/// `out[c][j] = ` the column-`j` fold of leaf `c` (rows `at..at + len` of `block`, rows of
/// `inner` values, [`chained`]) of `v = d·d` (`square`) or `v = d`, `d = x − m[j]`: from its
/// first row's `v` (`from_first`) or from 0, adding `v` of each later row in order. Up to four
/// leaves; their chains run side by side. (A sum is `m = 0` and `d`: `x − 0` and `d·1` are `x`
/// exactly, −0 too.) Returns `false` (doing nothing) if `inner` is not [`chained`].
pub fn leaf_sums(block: &[f32], inner: usize, leaves: &[(usize, usize)], from_first: bool, m: &[f32], square: bool, out: &mut [[f32; SHORT_INNER]; 4]) -> bool {
    match inner {
        2 => chains::<2>(block, leaves, from_first, m, square, out),
        3 => chains::<3>(block, leaves, from_first, m, square, out),
        4 => chains::<4>(block, leaves, from_first, m, square, out),
        _ => return false,
    }
    true
}

/// [`leaf_sums`] for rows of `K` values.
#[inline(never)]
fn chains<const K: usize>(block: &[f32], leaves: &[(usize, usize)], from_first: bool, m: &[f32], square: bool, out: &mut [[f32; SHORT_INNER]; 4]) {
    let mm: [f32; K] = core::array::from_fn(|j| m.get(j).copied().unwrap_or(0.0));
    let f = |x: f32, j: usize| {
        let d = x - mm[j];
        d * if square { d } else { 1.0 }
    };
    // Missing leaves repeat the first (their results are not read).
    let leaf = |c: usize| leaves.get(c).or(leaves.first()).copied().unwrap_or((0, 0));
    let ls: [(usize, usize); 4] = core::array::from_fn(leaf);
    let rows: [&[[f32; K]]; 4] = ls.map(|(at, len)| block.get(at * K..(at + len) * K).unwrap_or(&[]).as_chunks::<K>().0);
    let start = usize::from(from_first);
    let mut acc = [[0f32; K]; 4];
    if from_first {
        for (a, r) in acc.iter_mut().zip(&rows) {
            if let Some(first) = r.first() {
                *a = core::array::from_fn(|j| f(first[j], j));
            }
        }
    }
    let common = rows.iter().map(|r| r.len()).min().unwrap_or(0).max(start);
    let [r0, r1, r2, r3] = rows.map(|r| &r[start.min(r.len())..common.min(r.len())]);
    let [a0, a1, a2, a3] = &mut acc;
    for (((y0, y1), y2), y3) in r0.iter().zip(r1).zip(r2).zip(r3) {
        for j in 0..K {
            a0[j] += f(y0[j], j);
            a1[j] += f(y1[j], j);
            a2[j] += f(y2[j], j);
            a3[j] += f(y3[j], j);
        }
    }
    for (a, r) in acc.iter_mut().zip(&rows) {
        for y in r.get(common..).unwrap_or(&[]) {
            for j in 0..K {
                a[j] += f(y[j], j);
            }
        }
    }
    for (o, a) in out.iter_mut().zip(&acc) {
        o[..K].copy_from_slice(a);
    }
}

/// `out[j] =` the largest (`max`) or smallest value of column `j` of the rows of `block`
/// (rows of `out.len() <` [`SHORT_INNER`] values, at least one row): NaN if any is NaN, `+0 > −0`.
pub fn column_extreme(block: &[f32], out: &mut [f32], max: bool) {
    let inner = out.len();
    let (acc_f, one): (fn(&mut [f32], &[f32]), fn(f32, f32) -> f32) = if max { (k::acc_max, max_f32) } else { (k::acc_min, min_f32) };
    let p = inner * 4 / gcd(inner, 4);
    let p = p * 64_usize.div_ceil(p);
    let whole = block.len() / p * p;
    let mut rows = block[whole..].chunks_exact(inner);
    if whole >= 2 * p {
        let mut acc = [0f32; 2 * 64];
        let acc = &mut acc[..p];
        let mut blocks = block[..whole].chunks_exact(p);
        if let Some(first) = blocks.next() {
            acc.copy_from_slice(first);
        }
        blocks.for_each(|b| acc_f(acc, b));
        out.copy_from_slice(&acc[..inner]);
        for row in acc[inner..].chunks_exact(inner) {
            acc_f(out, row);
        }
    } else {
        rows = block.chunks_exact(inner);
        if let Some(first) = rows.next() {
            out.copy_from_slice(first);
        }
    }
    for row in rows {
        for (o, &x) in out.iter_mut().zip(row) {
            *o = one(*o, x);
        }
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize) -> Vec<f32> {
        let specials = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 3e38, -3e38, 1e-40, -1e-45];
        (0..n).map(|i| if i % 97 == 13 { specials[(i / 97) % specials.len()] } else { ((i as f32) * 0.731).sin() * 10.0 }).collect()
    }

    /// Against a row-by-row fold with `max_f32`/`min_f32`, with NaN, ±0, ±∞ and subnormals,
    /// at row counts around the block.
    #[test]
    fn column_extreme_is_the_row_by_row_fold() {
        for inner in 1..SHORT_INNER {
            for r in [1usize, 2, 3, 5, 16, 31, 32, 33, 63, 64, 65, 127, 1000, 1031] {
                for clean in [false, true] {
                    let mut x = values(r * inner);
                    if clean {
                        x.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 1.0);
                    }
                    for max in [true, false] {
                        let f = if max { max_f32 } else { min_f32 };
                        let mut want = x[..inner].to_vec();
                        for row in x.chunks_exact(inner).skip(1) {
                            want.iter_mut().zip(row).for_each(|(w, &v)| *w = f(*w, v));
                        }
                        let mut got = vec![0.0; inner];
                        column_extreme(&x, &mut got, max);
                        let bits = |v: &[f32]| v.iter().map(|v| if v.is_nan() { u32::MAX } else { v.to_bits() }).collect::<Vec<_>>();
                        assert_eq!(bits(&got), bits(&want), "inner={inner} r={r} max={max}");
                    }
                }
            }
        }
    }

    /// Each chain is its leaf's fold in order, whatever the others' lengths; rows not chained
    /// are refused.
    #[test]
    fn leaf_sums_fold_each_leaf_in_order() {
        let leaves = [(0usize, 31usize), (31, 32), (63, 1), (64, 30)];
        for inner in 2..=4 {
            let x = values(200 * inner);
            let m: Vec<f32> = (0..inner).map(|j| j as f32).collect();
            for count in 1..=4 {
                for (from_first, square) in [(true, false), (false, false), (false, true)] {
                    let mut out = [[0f32; SHORT_INNER]; 4];
                    assert!(leaf_sums(&x, inner, &leaves[..count], from_first, &m, square, &mut out));
                    for (c, &(at, len)) in leaves[..count].iter().enumerate() {
                        for j in 0..inner {
                            let col = (at..at + len).map(|t| {
                                let d = x[t * inner + j] - m[j];
                                if square { d * d } else { d }
                            });
                            let want = if from_first { col.reduce(|s, v| s + v).unwrap() } else { col.fold(0.0, |s, v| s + v) };
                            let bits = |v: f32| if v.is_nan() { u32::MAX } else { v.to_bits() };
                            assert_eq!(bits(out[c][j]), bits(want), "inner {inner} leaf {c} column {j} from_first={from_first} square={square}");
                        }
                    }
                }
            }
        }
        assert!(!leaf_sums(&[0.0; 10], 5, &[(0, 2)], true, &[0.0; 5], false, &mut [[0f32; SHORT_INNER]; 4]));
    }
}
