//! Matrix multiply kernels: `C[m,n] = op(A)·op(B)`, where `op` is identity or transpose.
//!
//! Row-major storage. `A` is `[m,k]` (or `[k,m]` when `trans_a`), `B` is `[k,n]` (or `[n,k]`
//! when `trans_b`). `C` is overwritten: `C[i,j] = Σ_p op(A)[i,p] · op(B)[p,j]`.
//!
//! [`gemm`] is the blocked kernel (the GotoBLAS/BLIS scheme,
//! <https://www.cs.utexas.edu/~flame/pubs/GotoTOMS_final.pdf>), split over the thread pool
//! ([`crate::parallel`]) by row bands of `C`:
//!
//! ```text
//! for jc in 0..n step nc                      // column block: packed op(B) ≤ B_PACK_MAX floats
//!   pack op(B)[0..k, jc..] into NR-wide panels             (tasks: groups of panels)
//!   for each row band ic..ic+mt of C          // one task each (mt ≤ MC, a multiple of MR)
//!     for pc in 0..k step kc                  // shared dimension block
//!       pack op(A)[ic.., pc..] into MR-tall panels          (the task's own buffer)
//!       for each NR panel: C tile (+)= micro-kernel        (matmul_tile)
//! ```
//!
//! Every element of `C` is summed the same way whatever the cut: over each `kc` block from 0
//! in order of `p`, then stored (first block) or added to `C`. So the results do not depend on
//! the bands, on which thread runs a band, or on the number of threads; they are also the
//! bits of the single-threaded kernel before the split (same `kc` blocks, same micro-kernel).
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

use super::matmul_pack::{pack_a, pack_b_panel, Gemm};
use super::matmul_tile::{tile_column, tile_wide, ABlock, MR, NR, W1, W2};

/// Shared-dimension block (at most; `k` is split into equal blocks): a `KC × NR` panel of `B`
/// (8 KiB) stays in L1.
pub const KC: usize = 256;
/// Rows of `A` packed at a time, at most (a multiple of `MR`): an `MC × KC` packed block
/// (128 KiB) stays in L2. A task's row band is never taller.
pub const MC: usize = 128 / MR * MR;
/// The packed `op(B)` (all of `k` for a block of columns) is at most this many floats (4 MiB);
/// wider products are done one such column block at a time.
pub const B_PACK_MAX: usize = 1 << 20;
/// `B` is read in place (not packed) when `op(A)` has at most this many rows: each panel of
/// `B` then feeds at most two tiles, and packing it cost more than the strided reads
/// (measured +10–30% for m = 5..8; at m = 16 packing wins when `n` is a large power of two).
const DIRECT_B_MAX_M: usize = 2 * MR;
/// `A` is read in place (not packed) when `op(B)` has at most this many columns: each panel of
/// `A` then feeds at most two tiles, and packing it cost as much as the products (25% of the
/// time of 128×64·64×10).
const DIRECT_A_MAX_N: usize = 2 * NR;
/// Threads: a product is cut into row bands of `C` (multiples of `MR` rows, at most `MC`),
/// at most this many per column block (more when `m` needs more bands of `MC`), each at least
/// [`TASK_FLOPS`] of work. Every band reads all of the packed `B`, so fewer, taller bands read
/// it less often: with 16 bands 128×784·784×128 ran 1.34× faster on 2 threads than on 1, with
/// 4 bands 1.61× (512³ 1.95× either way; Node 20, idle 2-core machine). When `m` needs more
/// bands than this, their count is rounded up to a multiple of it: 784×128ᵀ·128×128 (the first
/// layer's weight gradient) went from 7 bands, 1.57×, to 8 bands, 1.77–1.80×.
pub const MAX_TASKS: usize = 4;
/// The least work (flops) worth a task of its own.
pub const TASK_FLOPS: usize = 1 << 20;
/// Packing `B` is cut into groups of panels of at least this many floats.
const PACK_TASK_FLOATS: usize = 1 << 15;
/// Work units per packed float for the pool's split threshold (a strided read and a store).
const PACK_COST: usize = 8;

const _: () = assert!(MC.is_multiple_of(MR));

thread_local! {
    /// The packed `op(B)` reused by [`gemm`] on this thread, so the hot path does not
    /// allocate. It grows to at most [`B_PACK_MAX`] floats and is kept for the next call.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// The packed block of `A` of the task running on this thread (at most `MC·KC` floats).
    static A_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
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
/// (see [`gemm_with_scratch`] to pass your own), split over the thread pool
/// ([`crate::parallel`]) by row bands of `C`.
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

/// How a product is cut: column blocks of `nc` (the packed `B` of one fits in
/// [`B_PACK_MAX`]), and in each, row bands of `mt` rows, one task each. It depends on the
/// sizes only; and since every element of `C` is summed in the same order in any cut (`k` in
/// blocks of `kc`, each block from 0 in order of `p`, then added to `C`), so do the results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    pub kc: usize,
    pub nc: usize,
    pub mt: usize,
}

impl Plan {
    pub fn new(m: usize, k: usize, n: usize) -> Plan {
        // Equal k blocks (784 = 4 × 196, not 3 × 256 + 16): a short last block would pay the
        // per-tile overhead for little work.
        let kc = k.div_ceil(k.div_ceil(KC).max(1)).max(1);
        let nc = (B_PACK_MAX / k.max(1) / NR * NR).max(NR);
        let flops = (2 * m).saturating_mul(k).saturating_mul(nc.min(n));
        let panels = m.div_ceil(MR);
        let tasks = (flops / TASK_FLOPS).clamp(1, MAX_TASKS).min(panels).max(m.div_ceil(MC));
        // Tall products need more bands than MAX_TASKS (each at most MC rows): a multiple of
        // MAX_TASKS of them shares out evenly over 2 or 4 threads (784 rows: 8 bands, not 7).
        let tasks = if tasks > MAX_TASKS { tasks.next_multiple_of(MAX_TASKS).min(panels) } else { tasks };
        Plan { kc, nc, mt: panels.div_ceil(tasks.max(1)) * MR }
    }
}

/// [`gemm`] with a caller-owned buffer for the packed `B`. `scratch` grows (once) to what this
/// size needs and is never shrunk. If it cannot grow, the scalar reference kernel runs instead.
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
    let plan = Plan::new(m, k, n);
    let b_len = if direct_b { 0 } else { n.min(plan.nc).next_multiple_of(NR) * k };
    if scratch.len() < b_len {
        if scratch.try_reserve(b_len - scratch.len()).is_err() {
            return gemm_reference(m, k, n, a, trans_a, b, trans_b, c);
        }
        scratch.resize(b_len, 0.0);
    }
    for jc in (0..n).step_by(plan.nc) {
        let nc = plan.nc.min(n - jc);
        let bpack = &mut scratch[..if direct_b { 0 } else { nc.next_multiple_of(NR) * k }];
        if !direct_b {
            // Panel-major over all of k: panel q holds op(B)[0..k, jc+q·NR ..] as k rows of NR.
            let group = (PACK_TASK_FLOATS / (k * NR)).max(1);
            crate::parallel::for_each_chunk_mut(bpack, group * k * NR, (k * nc).saturating_mul(PACK_COST), |t, panels| {
                for (q, panel) in panels.chunks_exact_mut(k * NR).enumerate() {
                    let j0 = jc + (t * group + q) * NR;
                    pack_b_panel(&g, 0, k, j0, NR.min(jc + nc - j0), panel);
                }
            });
        }
        let bpack = &*bpack;
        let work = (2 * m).saturating_mul(k).saturating_mul(nc);
        crate::parallel::for_each_chunk_mut(c, plan.mt * n, work, |t, band| {
            band_task(&g, plan, direct_b, jc, nc, bpack, t * plan.mt, band);
        });
    }
}

/// One task: rows `ic .. ic + band.len()/n` of `C`, columns `jc .. jc + nc`, all of `k`.
/// `band` is those rows of `C` (whole rows).
#[allow(clippy::too_many_arguments)]
fn band_task(g: &Gemm, plan: Plan, direct_b: bool, jc: usize, nc: usize, bpack: &[f32], ic: usize, band: &mut [f32]) {
    let (m, k, n) = (g.m, g.k, g.n);
    let mc = band.len() / n;
    // A is read in place when B has few columns, and also (same bits) if this thread's
    // packing buffer is busy or cannot grow.
    let direct_a = n <= DIRECT_A_MAX_N && m > 2;
    let a_len = if direct_a { 0 } else { mc.next_multiple_of(MR) * plan.kc };
    // A column panel narrower than NR, when B is read in place, is packed here: the last one,
    // or the one after the 12-wide two-row tiles (n = 16: 12 + 4).
    let edge_len = if direct_b { plan.kc * NR } else { 0 };
    A_SCRATCH.with(|s| {
        let mut guard = s.try_borrow_mut().ok();
        let need = a_len + edge_len;
        let ready = guard.as_deref_mut().is_some_and(|buf| {
            if buf.len() < need && buf.try_reserve(need - buf.len()).is_ok() {
                buf.resize(need, 0.0);
            }
            buf.len() >= need
        });
        // Busy (re-entered) or out of memory: read A in place (same bits); the rare edge
        // panel gets a buffer of its own.
        let buf: &mut [f32] = match (ready, guard.as_deref_mut()) {
            (true, Some(buf)) => &mut buf[..need],
            _ => &mut [],
        };
        let mut own_edge = Vec::new();
        let (mut abuf, edge) = if buf.is_empty() {
            own_edge.resize(edge_len, 0.0);
            (None, &mut own_edge[..])
        } else {
            let (a, e) = buf.split_at_mut(a_len);
            (if direct_a { None } else { Some(a) }, e)
        };
        for pc in (0..k).step_by(plan.kc) {
            let kc = plan.kc.min(k - pc);
            let accumulate = pc > 0;
            let ab = match (abuf.as_deref_mut(), g.trans_a) {
                (Some(buf), _) => {
                    pack_a(g, ic, mc, pc, kc, buf);
                    ABlock { a: &*buf, step: MR, row: 1, panel: MR * kc }
                }
                (None, true) => ABlock { a: &g.a[pc * m + ic..], step: m, row: 1, panel: MR },
                (None, false) => ABlock { a: &g.a[ic * k + pc..], step: 1, row: k, panel: MR * k },
            };
            let mut jr = 0;
            if direct_b && mc <= 2 && ab.step == MR {
                // One or two rows: wider tiles, B read in place.
                let w = if mc == 1 { W1 } else { W2 };
                while nc - jr >= w {
                    tile_wide(mc, kc, &ab.a[..kc * MR], &g.b[pc * n + jc + jr..], n, &mut band[jc + jr..], n, accumulate);
                    jr += w;
                }
            }
            while jr < nc {
                let cols = NR.min(nc - jr);
                let (pb, ldb): (&[f32], usize) = if !direct_b {
                    (&bpack[jr * k + pc * NR..], NR)
                } else if cols == NR {
                    (&g.b[pc * n + jc + jr..], n)
                } else {
                    pack_b_panel(g, pc, kc, jc + jr, cols, edge);
                    (&edge[..kc * NR], NR)
                };
                tile_column(mc, cols, kc, ab, pb, ldb, &mut band[jc + jr..], n, accumulate);
                jr += NR;
            }
        }
    })
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
            for &n in &[11, 12, 13, 16, 23, 24, 25, 28, 36, 40, 48, 50, 128, 130, 136] {
                for &k in &[1, 7, 200, KC + 50, 784] {
                    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(m, k, n, ta, tb);
                    }
                }
            }
        }
    }

    /// Every small width and height, so each mix of the in-place paths, the wide tiles and
    /// the narrow panels after them is covered.
    #[test]
    fn matches_reference_for_every_small_shape() {
        for m in 1..=10 {
            for n in 1..=41 {
                for &k in &[1, 5, 300] {
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
            check(MC + 5, 9, 40, ta, tb);
            check(9, 1025, 1030, ta, tb); // two column blocks (B_PACK_MAX / 1025 = 1016 columns)
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

    /// The pool gives the same bits for 0, 1, 2, 3 and 8 workers, on every path (packed,
    /// B in place, A in place, wide tiles in a last band of one or two rows, two column blocks:
    /// B_PACK_MAX / 2049 = 504 columns), at sizes one below, at and
    /// one above a split into two tasks (2·TASK_FLOPS = 2·128·128·64), and at primes.
    #[test]
    fn the_same_bits_with_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        let shapes = [
            (0, 7, 5),
            (1, 1, 1),
            (7, 13, 127),
            (128, 127, 64),
            (128, 128, 64),
            (128, 129, 64),
            (257, 127, 129),
            (7, 509, 301),
            (6, 1021, 172),
            (5, 2000, 136),
            (2, 1021, 131),
            (509, 257, 13),
            (9, 2049, 509),
        ];
        for (m, k, n) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = fill(m * k, (m * 31 + k * 7 + n) as u32);
                let b = fill(k * n, (n * 17 + k + 3) as u32);
                let got = same_bits_for_all_counts(&format!("gemm {m}x{k}x{n} ta={ta} tb={tb}"), || {
                    let mut c = vec![f32::NAN; m * n];
                    gemm(m, k, n, &a, ta, &b, tb, &mut c);
                    c
                });
                let mut want = vec![0.0; m * n];
                gemm_reference(m, k, n, &a, ta, &b, tb, &mut want);
                let tol = 1e-5 * (k.max(1) as f32).sqrt();
                for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
                    assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{m}x{k}x{n} ta={ta} tb={tb} at {i}: got {g}, want {w}");
                }
            }
        }
    }

    #[test]
    fn the_plan_depends_on_the_sizes_only_and_bands_fit_the_packing_buffer() {
        assert_eq!(Plan::new(128, 127, 64).mt, 128);
        assert_eq!(Plan::new(128, 128, 64).mt, 64);
        assert_eq!(Plan::new(512, 512, 512), Plan { kc: 256, nc: 2048, mt: 128 });
        assert_eq!(Plan::new(128, 784, 128).mt, 32);
        // 784 rows need 7 bands of ≤ 128: 8 bands of 100 (and 84) share out evenly.
        assert_eq!(Plan::new(784, 128, 128).mt, 100);
        for (m, k, n) in [(1, 1, 1), (129, 5000, 3), (100_000, 2, 2), (4096, 4096, 4096)] {
            let p = Plan::new(m, k, n);
            assert!(p.mt <= MC && p.mt.is_multiple_of(MR) && p.kc <= KC && p.nc * k <= B_PACK_MAX.max(NR * k), "{m}x{k}x{n}: {p:?}");
        }
    }
}
