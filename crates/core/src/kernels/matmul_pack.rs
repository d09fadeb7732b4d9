//! Packing for the blocked GEMM: copies a block of `op(A)` or `op(B)` into the contiguous,
//! panel-major layout the micro-kernel streams through. Transposes are resolved here, so the
//! micro-kernel (and therefore the speed) is the same for all four `trans_a`/`trans_b` forms.
//!
//! ```text
//! packed A, block rows ic..ic+mc, cols pc..pc+kc of op(A):   panel q = rows ic+q·MR ..
//!     out[q·kc·MR + p·MR + r] = op(A)[ic + q·MR + r, pc + p]       (r < rows in the panel)
//! packed B, one panel of cols j0..j0+NR of op(B), rows pc..pc+kc (the GEMM packs all of k):
//!     out[p·NR + j] = op(B)[pc + p, j0 + j]                          (j < cols in the panel)
//! ```
//!
//! `op(A)[i, p]` is `a[i·k + p]`, or `a[p·m + i]` when transposed (`a` stored `[k, m]`);
//! `op(B)[p, j]` is `b[p·n + j]`, or `b[j·k + p]` when transposed (`b` stored `[n, k]`).
//! Slots past the last row (A) or column (B) of a partial panel are left as they are: the
//! micro-kernel never reads those A rows, and computes those B columns without storing them.

use super::matmul_tile::{MR, NR};

/// The GEMM problem: `C[m,n] = op(A)·op(B)` with `op(A): [m,k]`, `op(B): [k,n]`.
#[derive(Clone, Copy)]
pub struct Gemm<'a> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub a: &'a [f32],
    pub trans_a: bool,
    pub b: &'a [f32],
    pub trans_b: bool,
}

/// Packs `op(A)[ic..ic+mc, pc..pc+kc]` into `out` (at least `ceil(mc/MR)·MR·kc` long).
pub fn pack_a(g: &Gemm, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for (q, panel) in out.chunks_exact_mut(kc * MR).take(mc.div_ceil(MR)).enumerate() {
        let i0 = ic + q * MR;
        let rows = MR.min(ic + mc - i0);
        if g.trans_a {
            // a is [k, m]: the MR values of one p are contiguous.
            for (p, dst) in panel.as_chunks_mut::<MR>().0.iter_mut().enumerate() {
                let s = (pc + p) * g.m + i0;
                copy_run(dst, &g.a[s..s + rows]);
            }
        } else {
            // a is [m, k]: each row is contiguous along p; interleave the rows.
            transpose_rows::<MR>(g.a, g.k, i0, rows, pc, kc, panel);
        }
    }
}

/// Packs `op(B)[pc..pc+kc, j0..j0+cols]` (`cols ≤ NR`) as one panel into `out[..kc·NR]`.
#[inline]
pub fn pack_b_panel(g: &Gemm, pc: usize, kc: usize, j0: usize, cols: usize, out: &mut [f32]) {
    let panel = &mut out[..kc * NR];
    if g.trans_b {
        // b is [n, k]: each column of op(B) is a contiguous row of b; interleave the rows.
        transpose_rows::<NR>(g.b, g.k, j0, cols, pc, kc, panel);
    } else {
        // b is [k, n]: the NR values of one p are contiguous.
        for (p, dst) in panel.as_chunks_mut::<NR>().0.iter_mut().enumerate() {
            let s = (pc + p) * g.n + j0;
            copy_run(dst, &g.b[s..s + cols]);
        }
    }
}

/// Interleaves `rows ≤ N` rows of the row-major matrix `x` (row length `ld`), starting at row
/// `r0`, columns `c0..c0+len`: `out[p·N + r] = x[(r0 + r)·ld + c0 + p]`.
#[inline(always)]
fn transpose_rows<const N: usize>(x: &[f32], ld: usize, r0: usize, rows: usize, c0: usize, len: usize, out: &mut [f32]) {
    let out = &mut out.as_chunks_mut::<N>().0[..len];
    if rows == N {
        // A full panel: read the N rows side by side, write one group of N per column.
        let src: [&[f32]; N] = core::array::from_fn(|r| &x[(r0 + r) * ld + c0..][..len]);
        // Four columns of four rows at a time as 4×4 blocks of vectors (a quarter of the loads
        // and stores of the scalar copy); the last `len % 4` columns value by value.
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let done = super::simd128_matmul::transpose_by_4(&src, out);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let done = 0;
        for (p, dst) in out.iter_mut().enumerate().skip(done) {
            *dst = core::array::from_fn(|r| src[r][p]);
        }
    } else {
        for r in 0..rows {
            let s = (r0 + r) * ld + c0;
            for (dst, &v) in out.iter_mut().zip(&x[s..s + len]) {
                dst[r] = v;
            }
        }
    }
}

/// Copies `src` (at most `N` values) to the start of `dst`. A full run is a fixed-size copy
/// (two or four loads and stores), not a `memcpy` call, which matters at 16–32 bytes.
#[inline(always)]
fn copy_run<const N: usize>(dst: &mut [f32; N], src: &[f32]) {
    match <&[f32; N]>::try_from(src) {
        Ok(full) => *dst = *full,
        Err(_) => dst[..src.len()].copy_from_slice(src),
    }
}
