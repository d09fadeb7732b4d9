//! A binary op over `m` short rows of `n` values (`n <` [`MAX_ROW`]), each input a full
//! `[m, n]`, a column (one value per row, `[m, 1]`) or a row (the same `n` values for every row,
//! `[n]` or `[1, n]`): the 2-D broadcasts `ops::broadcast::Plan` reduces `[n,k] ⊕ [n,1]`,
//! `[n,k] ⊕ [k]` and `[n,1] ⊕ [1,k]` to. No allocation (the blocks are on the stack), no shape
//! checks.
//!
//! The rows go in blocks of whole periods of `p = lcm(4, n)` values (at most [`BLOCK`]
//! values, in L1): a row input is tiled once into a block, a column input's values are spread
//! over each block ([`expand_column`]), and the op's run kernel (`elementwise::binary_kernel`,
//! the same kernel as a same-shape op) runs once per block on full slices. So every element is
//! the op's one IEEE answer, the bits of one kernel call per row (and of TF.js).
//!
//! [`expand_column`]'s simd128 twin (`simd128_broadcast_rows.rs`) takes a period at a time: its
//! `p / n` ∈ {1, 2, 4} column values loaded once and spread over the period's `p / 4` vectors by
//! a fixed `i8x16.swizzle` each (a row of a multiple of 4 values: one splat per row). Before it,
//! the blocked walk of `ops::broadcast` wrote each row's value with a store per row (and ran no
//! threads): `[262144,4] − [262144,1]` took 6× a same-shape `add` of the same size.
//!
//! ```text
//! out[i·n + j] = op(a(i, j), b(i, j))     full: x[i·n + j]   column: x[i]   row: x[j]
//! ```
//!
//! ```
//! use neurite_core::kernels::broadcast_rows::{rows, Form};
//! use neurite_core::kernels::elementwise::binary_kernel;
//! use neurite_core::ops::binary::BinaryOp;
//! let mut out = [0.0; 6];
//! rows(binary_kernel(BinaryOp::Sub), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], Form::Full, &[1.0, 4.0], Form::Column, 3, &mut out);
//! assert_eq!(out, [0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
//! ```

use super::elementwise::BinaryKernel;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_broadcast_rows as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// Rows shorter than this take these kernels (longer ones are a kernel call per row, whose
/// cost is the arithmetic): the broadcast walk's short-run bound.
pub const MAX_ROW: usize = crate::ops::broadcast::SHORT_RUN;

/// Values per block at most (4 KiB per input, on the stack: L1, as the blocked walk's
/// `ops::broadcast::BLOCK`; with 512, `[104857,10] + [10]` ran 1.2× slower than that walk).
pub const BLOCK: usize = 1024;

/// How one input of a 2-D broadcast `[m, n]` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `m·n` values, row after row.
    Full,
    /// One value per row (`m` values).
    Column,
    /// The same `n` values for every row.
    Row,
}

impl Form {
    /// The part of `x` (read as `self`) that rows `r0..` read.
    pub fn from_row(self, x: &[f32], r0: usize, n: usize) -> &[f32] {
        match self {
            Form::Full => x.get(r0 * n..).unwrap_or(&[]),
            Form::Column => x.get(r0..).unwrap_or(&[]),
            Form::Row => x,
        }
    }

    /// Value `(i, j)` of `x` read as `self` (rows of `n`).
    #[inline(always)]
    pub fn at(self, x: &[f32], i: usize, j: usize, n: usize) -> f32 {
        match self {
            Form::Full => x[i * n + j],
            Form::Column => x[i],
            Form::Row => x[j],
        }
    }
}

/// The values per block for rows of `n` (`0 < n <` [`MAX_ROW`]): whole periods of
/// `lcm(4, n)` values, at most [`BLOCK`].
pub fn block_len(n: usize) -> usize {
    let p = if n.is_multiple_of(4) { n } else if n.is_multiple_of(2) { 2 * n } else { 4 * n };
    BLOCK / p * p
}

/// `out[i·n + j] = kernel(a(i, j), b(i, j))` for the `out.len() / n` rows of `out` (`0 < n <`
/// [`MAX_ROW`]; a full input holds at least `out.len()` values, a column one per row, a row `n`;
/// `kernel` a run kernel of `elementwise`).
pub fn rows(kernel: BinaryKernel, a: &[f32], fa: Form, b: &[f32], fb: Form, n: usize, out: &mut [f32]) {
    let block = block_len(n);
    let (mut ba, mut bb) = ([0f32; BLOCK], [0f32; BLOCK]);
    // A row input's tile, made once.
    for (f, x, buf) in [(fa, a, &mut ba), (fb, b, &mut bb)] {
        if f == Form::Row {
            for (t, &v) in buf[..block].iter_mut().zip(x[..n].iter().cycle()) {
                *t = v;
            }
        }
    }
    let rows = block / n;
    for (i, o) in out.chunks_mut(block).enumerate() {
        let (r0, len) = (i * rows, o.len());
        if fa == Form::Column {
            imp::expand_column(&a[r0..r0 + len / n], n, &mut ba[..len]);
        }
        if fb == Form::Column {
            imp::expand_column(&b[r0..r0 + len / n], n, &mut bb[..len]);
        }
        let sa = if fa == Form::Full { &a[r0 * n..r0 * n + len] } else { &ba[..len] };
        let sb = if fb == Form::Full { &b[r0 * n..r0 * n + len] } else { &bb[..len] };
        kernel(sa, sb, o);
    }
}

/// `out[i·n + j] = c[i]` for the `out.len() / n` rows of `out` (`c` holds one value per row).
pub fn expand_column(c: &[f32], n: usize, out: &mut [f32]) {
    imp::expand_column(c, n, out)
}

/// The reference.
pub mod scalar {
    pub fn expand_column(c: &[f32], n: usize, out: &mut [f32]) {
        for (row, &v) in out.chunks_exact_mut(n.max(1)).zip(c) {
            row.fill(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::elementwise::binary_kernel;
    use crate::ops::binary::BinaryOp;

    /// Every form pair against `BinaryOp::apply` element by element, on row counts that end
    /// in a partial block (the wasm build is checked from JS by `test/broadcast-rows.test.ts`).
    #[test]
    fn every_form_pair_matches_apply() {
        let pairs = [(Form::Full, Form::Column), (Form::Column, Form::Full), (Form::Full, Form::Row), (Form::Row, Form::Full), (Form::Column, Form::Row), (Form::Row, Form::Column)];
        for n in [1usize, 2, 3, 4, 5, 7, 8, 13, 16, 17, 63] {
            for m in [0usize, 1, 3, 4, 5, 11, 200] {
                let len = |f: Form| match f {
                    Form::Full => m * n,
                    Form::Column => m,
                    Form::Row => n,
                };
                for (fa, fb) in pairs {
                    let a: Vec<f32> = (0..len(fa)).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
                    let b: Vec<f32> = (0..len(fb)).map(|i| (i as f32 * 0.71).cos() + 0.5).collect();
                    for op in BinaryOp::ALL {
                        let mut out = vec![f32::NAN; m * n];
                        rows(binary_kernel(op), &a, fa, &b, fb, n, &mut out);
                        for (k, o) in out.iter().enumerate() {
                            let want = op.apply(fa.at(&a, k / n, k % n, n), fb.at(&b, k / n, k % n, n));
                            assert_eq!(o.to_bits(), want.to_bits(), "{op:?} {fa:?} {fb:?} m={m} n={n} at {k}");
                        }
                    }
                }
            }
        }
    }
}
