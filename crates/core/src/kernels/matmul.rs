//! Matrix multiply kernels: `C[m,n] = op(A)·op(B)`, where `op` is identity or transpose.
//!
//! Row-major storage. `A` is `[m,k]` (or `[k,m]` when `trans_a`), `B` is `[k,n]` (or `[n,k]`
//! when `trans_b`). `C` is overwritten: `C[i,j] = Σ_p op(A)[i,p] · op(B)[p,j]`.
//!
//! [`gemm`] is the blocked kernel (the GotoBLAS/BLIS scheme,
//! <https://www.cs.utexas.edu/~flame/pubs/GotoTOMS_final.pdf>):
//!
//! ```text
//! for jc in 0..n step NC                      // op(B) column block
//!   for pc in 0..k step KC                    // shared dimension block
//!     pack op(B)[pc.., jc..] into NR-wide panels          (matmul_pack, transposes resolved)
//!     for ic in 0..m step MC                  // op(A) row block, lives in L2
//!       pack op(A)[ic.., pc..] into MR-tall panels
//!       for each NR panel, for each MR panel: C tile (+)= micro-kernel   (matmul_tile)
//! ```
//!
//! Edge tiles (any `m`, `n`, `k`, including 0 and 1) use the same micro-kernel with fewer rows
//! and a partial store. Packing is skipped where it would cost as much as it saves: when
//! `op(A)` has few rows and `B` is not transposed, the micro-kernel reads `B` in place (and
//! one- or two-row products, as in batch-1 inference, use wider tiles); when `op(B)` has few
//! columns, it reads `A` in place.
//!
//! [`gemm_reference`] is the plain scalar kernel the tests compare against.
//!
//! ```
//! use neurite_core::kernels::matmul::gemm;
//! let (a, b) = ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
//! let mut c = [0.0; 4];
//! gemm(2, 3, 2, &a, false, &b, false, &mut c);
//! assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
//! ```

use std::cell::RefCell;

use super::matmul_pack::{pack_a, pack_b, pack_b_panel, Gemm};
use super::matmul_tile::{tile_column, tile_wide, ABlock, MR, NR, W1, W2};

/// Shared-dimension block (at most; `k` is split into equal blocks): a `KC × NR` panel of `B`
/// (8 KiB) stays in L1.
pub const KC: usize = 256;
/// Row block of `A` (a multiple of `MR`): an `MC × KC` packed block (128 KiB) stays in L2.
pub const MC: usize = 128 / MR * MR;
/// Column block of `B` (a multiple of `NR`): a `KC × NC` packed block (1 MiB).
pub const NC: usize = 1024 / NR * NR;
/// `B` is read in place (not packed) when `op(A)` has at most this many rows: each panel of
/// `B` then feeds at most two tiles, and packing it cost more than the strided reads
/// (measured +10–30% for m = 5..8; at m = 16 packing wins when `n` is a large power of two).
const DIRECT_B_MAX_M: usize = 2 * MR;
/// `A` is read in place (not packed) when `op(B)` has at most this many columns: each panel of
/// `A` then feeds at most two tiles, and packing it cost as much as the products (25% of the
/// time of 128×64·64×10).
const DIRECT_A_MAX_N: usize = 2 * NR;

const _: () = assert!(MC.is_multiple_of(MR) && NC.is_multiple_of(NR));

thread_local! {
    /// Packing buffers reused by [`gemm`] on this thread, so the hot path does not allocate.
    /// It grows to at most `(MC + NC)·KC` floats (1.1 MiB) and is kept for the next call.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The reference kernel (i-k-j order so the inner loop is contiguous in `B` and `C`).
#[allow(clippy::too_many_arguments)]
pub fn gemm_reference(m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool, c: &mut [f32]) {
    c[..m * n].fill(0.0);
    for i in 0..m {
        for p in 0..k {
            let av = if trans_a { a[p * m + i] } else { a[i * k + p] };
            let row = &mut c[i * n..(i + 1) * n];
            if trans_b {
                for (j, cv) in row.iter_mut().enumerate() {
                    *cv += av * b[j * k + p];
                }
            } else {
                for (cv, &bv) in row.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                    *cv += av * bv;
                }
            }
        }
    }
}

/// The kernel used by `matMul`: packed, register-blocked, with a thread-local packing buffer
/// (see [`gemm_with_scratch`] to pass your own).
///
/// # Shapes
/// `a.len() ≥ m·k`, `b.len() ≥ k·n`, `c.len() ≥ m·n`; the first `m·n` floats of `c` are written.
#[allow(clippy::too_many_arguments)]
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool, c: &mut [f32]) {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut buf) => gemm_with_scratch(m, k, n, a, trans_a, b, trans_b, c, &mut buf),
        // Only reachable if a caller re-enters gemm from inside gemm; stay correct anyway.
        Err(_) => gemm_with_scratch(m, k, n, a, trans_a, b, trans_b, c, &mut Vec::new()),
    })
}

/// [`gemm`] with a caller-owned packing buffer. `scratch` grows (once) to what this size needs
/// and is never shrunk. If it cannot grow, the scalar reference kernel runs instead.
///
#[allow(clippy::too_many_arguments)]
pub fn gemm_with_scratch(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    trans_a: bool,
    b: &[f32],
    trans_b: bool,
    c: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let c = &mut c[..m * n];
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.fill(0.0);
        return;
    }
    let g = Gemm { m, k, n, a: &a[..m * k], trans_a, b: &b[..k * n], trans_b };
    let direct_b = !trans_b && m <= DIRECT_B_MAX_M;
    let direct_a = n <= DIRECT_A_MAX_N && m > 2;
    // Equal k blocks (784 = 4 × 196, not 3 × 256 + 16): a short last block would pay the
    // per-tile overhead for little work.
    let kc_max = k.div_ceil(k.div_ceil(KC));
    let a_len = if direct_a { 0 } else { m.min(MC).next_multiple_of(MR) * kc_max };
    let b_len = if direct_b { NR } else { n.min(NC).next_multiple_of(NR) } * kc_max;
    if scratch.len() < a_len + b_len {
        if scratch.try_reserve(a_len + b_len - scratch.len()).is_err() {
            return gemm_reference(m, k, n, a, trans_a, b, trans_b, c);
        }
        scratch.resize(a_len + b_len, 0.0);
    }
    let (abuf, bbuf) = scratch.split_at_mut(a_len);
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(kc_max) {
            let kc = kc_max.min(k - pc);
            let accumulate = pc > 0;
            if !direct_b {
                pack_b(&g, pc, kc, jc, nc, bbuf);
            }
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                if !direct_a {
                    pack_a(&g, ic, mc, pc, kc, abuf);
                }
                let mut jr = 0;
                if direct_b && mc <= 2 {
                    // One or two rows: wider tiles, B read in place.
                    let w = if mc == 1 { W1 } else { W2 };
                    while nc - jr >= w {
                        let c0 = ic * n + jc + jr;
                        tile_wide(mc, kc, &abuf[..kc * MR], &g.b[pc * n + jc + jr..], n, &mut c[c0..], n, accumulate);
                        jr += w;
                    }
                }
                while jr < nc {
                    let cols = NR.min(nc - jr);
                    let (pb, ldb): (&[f32], usize) = if !direct_b {
                        (&bbuf[jr * kc..(jr + NR) * kc], NR)
                    } else if cols == NR {
                        (&g.b[pc * n + jc + jr..], n)
                    } else {
                        pack_b_panel(&g, pc, kc, jc + jr, cols, bbuf);
                        (&bbuf[..kc * NR], NR)
                    };
                    let ab = match (direct_a, trans_a) {
                        (false, _) => ABlock { a: &abuf[..mc.next_multiple_of(MR) * kc], step: MR, row: 1, panel: MR * kc },
                        (true, true) => ABlock { a: &g.a[pc * m + ic..], step: m, row: 1, panel: MR },
                        (true, false) => ABlock { a: &g.a[ic * k + pc..], step: 1, row: k, panel: MR * k },
                    };
                    tile_column(mc, cols, kc, ab, pb, ldb, &mut c[ic * n + jc + jr..], n, accumulate);
                    jr += NR;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random fill in [-1, 1) (xorshift32).
    fn fill(len: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2_654_435_761).max(1);
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
            })
            .collect()
    }

    fn check(m: usize, k: usize, n: usize, ta: bool, tb: bool) {
        let a = fill(m * k, (m * 31 + k * 7 + n) as u32);
        let b = fill(k * n, (n * 17 + k + 3) as u32);
        let mut want = vec![0.0; m * n];
        gemm_reference(m, k, n, &a, ta, &b, tb, &mut want);
        let mut got = vec![f32::NAN; m * n];
        gemm(m, k, n, &a, ta, &b, tb, &mut got);
        let tol = 1e-5 * (k.max(1) as f32).sqrt();
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= tol * (1.0 + w.abs()), "m={m} k={k} n={n} ta={ta} tb={tb} at {i}: got {g}, want {w}");
        }
    }

    const SIZES: [usize; 15] = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 65, 127, 129];

    #[test]
    fn matches_reference_on_edge_sizes_and_transposes() {
        for &m in &SIZES {
            for &n in &SIZES {
                for &k in &[0, 1, 3, 5, 8, 17, 65] {
                    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(m, k, n, ta, tb);
                    }
                }
            }
        }
    }

    #[test]
    fn matches_reference_for_every_edge_k() {
        for &k in &SIZES {
            for &(m, n) in &[(1, 1), (1, 129), (4, 8), (5, 9), (17, 3), (33, 127), (129, 17)] {
                for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                    check(m, k, n, ta, tb);
                }
            }
        }
    }

    #[test]
    fn matches_reference_across_k_blocks() {
        for &k in &[127, 129, KC - 1, KC, KC + 1, 2 * KC + 3] {
            for &(m, n) in &[(1, 9), (3, 17), (4, 8), (5, 33), (17, 15), (33, 65)] {
                for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                    check(m, k, n, ta, tb);
                }
            }
        }
    }

    #[test]
    fn matches_reference_for_one_and_two_rows() {
        for m in 1..=3 {
            for &n in &[11, 12, 13, 23, 24, 25, 36, 48, 50, 128, 130] {
                for &k in &[1, 7, 200, KC + 50, 784] {
                    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(m, k, n, ta, tb);
                    }
                }
            }
        }
    }

    #[test]
    fn matches_reference_across_m_and_n_blocks() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            check(MC + 5, 9, NC + 3, ta, tb);
            check(2 * MC + 1, KC + 2, 40, ta, tb);
        }
    }

    #[test]
    fn overwrites_c_and_handles_empty_and_single() {
        let mut c = vec![7.0; 4];
        gemm(2, 0, 2, &[], false, &[], false, &mut c);
        assert_eq!(c, [0.0; 4]);
        let mut c = vec![7.0; 1];
        gemm(1, 1, 1, &[3.0], true, &[-2.0], true, &mut c);
        assert_eq!(c, [-6.0]);
        gemm(0, 5, 3, &[], false, &[0.0; 15], false, &mut []);
    }

    #[test]
    fn caller_scratch_is_reused_and_non_finite_values_propagate() {
        let mut scratch = Vec::new();
        let (a, b) = ([1.0, f32::INFINITY, 0.0, 2.0], [1.0, 0.0, f32::NAN, 1.0]);
        let mut c = [0.0; 4];
        gemm_with_scratch(2, 2, 2, &a, false, &b, false, &mut c, &mut scratch);
        let mut want = [0.0; 4];
        gemm_reference(2, 2, 2, &a, false, &b, false, &mut want);
        assert_eq!(format!("{c:?}"), format!("{want:?}"));
        let cap = scratch.capacity();
        gemm_with_scratch(2, 2, 2, &a, false, &b, false, &mut c, &mut scratch);
        assert_eq!(scratch.capacity(), cap);
    }
}
