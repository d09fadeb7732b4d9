//! Few-row products (`op(A)` with at most [`STREAM_ROWS_MAX`] rows, [`STREAM_MAX_M`] for the
//! transposed form: batch-1 inference and small batches through wide layers): `op(B)` is read once, in place and in its own layout, in
//! long contiguous runs, with every row of `op(A)` computed against each piece of it.
//!
//! The packed GEMM (`matmul.rs`) reads `B` in `KC × NR` panels: a column strip down `kc` rows,
//! `n` floats apart. With few rows of `A` the product is bound by reading `B`, and those
//! strided reads (one new page per row) missed the hardware prefetchers: 1×4096·4096×4096 ran
//! at 9 GB/s, half of TF.js `wasm`'s speed. Here:
//!
//! ```text
//! B [k, n] (not transposed): rows p..p+4 of B stream left to right (four runs at once),
//!     t[i, j] = (((t[i, j] + a(i,p)·B[p,j]) + a(i,p+1)·B[p+1,j]) + …)    for every row i
//!     (t: the rows of C of a chunk of columns, in a buffer on the stack)
//! B [n, k] (transposed): rows j..j+8 of b stream along p (eight runs at once), 4×4 blocks
//!     are transposed in registers so that each vector holds op(B)[p, j..j+4], and
//!     acc[i][j..j+4] += a(i,p)·op(B)[p, j..j+4]            (a tile of at most 2 × 8 of C)
//! ```
//!
//! Every element of `C` is summed exactly as the packed GEMM sums it: over each `kc` block of
//! the [`super::matmul::Plan`] from 0, in order of `p`, from zero (`0 + a·b`, then `+ a·b`,
//! each product rounded, then added), then stored (first block) or added to `C`. So the
//! results are the bits of the packed path, for all four transpose forms and any number of
//! rows (a row of a batch equals the same row alone), and in the opt-in `+relaxed-simd` build
//! they fuse exactly where its micro-kernel does (`f32x4.relaxed_madd`, also on the last
//! columns, which go through vectors one lane at a time).
//!
//! Threads: the columns of `C` are cut into chunks whose bounds depend on the sizes only (a
//! multiple of 8 columns), one task each; a column is computed the same way in any chunk.

use std::cell::RefCell;
use std::mem::MaybeUninit;

use super::matmul::{Finish, Plan, MAX_TASKS, TASK_FLOPS};
use super::matmul_pack::Gemm;
use super::matmul_tile::APanel;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_matmul::{axpy_rows, dot_tile};

/// Products with more rows of `op(A)` than this take the few-column (swapped) form only
/// (see `matmul::stream_form` for the measurements that set the limits).
pub const STREAM_MAX_M: usize = 8;
/// The most rows of `op(A)` streamed against a `B` that is not transposed (each group of up to
/// 4 rows reads a piece of `B` from L1; `B` itself is read from memory once, however many rows).
/// From 14–16 rows the packed kernel is as fast or faster.
pub const STREAM_ROWS_MAX: usize = 12;
/// Floats of the stack buffer that holds a chunk of `C`'s rows while it is summed (and as
/// many for the partial sum of a `kc` block): 16 KiB each.
const T_LEN: usize = 4096;
/// Column chunks are multiples of this many columns.
const CHUNK_ALIGN: usize = 8;
/// Column chunks (tasks) are at least this wide: long runs of each row of `B` (measured below).
const MIN_CHUNK: usize = 2048;
/// Rows of `B` read at once by the kernel for `B` not transposed (eight runs, one pass over
/// the rows of `C` per eight rows of `B`; 4 was slower, 16 no faster on one row of `A` and
/// slower on several).
const QR: usize = 8;

/// `C = op(A)·op(B)`, or with `swap` as `Cᵀ = op(B)ᵀ·op(A)ᵀ` (the same products summed in the
/// same order), into `c` (`m·n` values, uninitialised or not: every value is written), then
/// `finish` on all of `C`. Any number of rows gives the bits of the packed kernel; few rows
/// (at most [`STREAM_ROWS_MAX`], or 2 with `B` transposed) give its speed or better.
pub fn gemm_stream(g: &Gemm, swap: bool, c: &mut [MaybeUninit<f32>], finish: Option<Finish>) {
    assert!(g.k >= 1 && c.len() == g.m * g.n);
    let g = &if swap { Gemm { m: g.n, k: g.k, n: g.m, a: g.b, trans_a: !g.trans_b, b: g.a, trans_b: !g.trans_a } } else { *g };
    let (m, k, n) = (g.m, g.k, g.n);
    let kc = Plan::new(m, k, n).kc;
    let flops = (2 * m).saturating_mul(k).saturating_mul(n);
    let tasks = (flops / TASK_FLOPS).clamp(1, MAX_TASKS).min(n.div_ceil(MIN_CHUNK));
    let chunk = n.div_ceil(tasks).next_multiple_of(CHUNK_ALIGN);
    let out = crate::parallel::SharedMut::new(c);
    let task = |t: usize| {
        let j0 = t * chunk;
        let j1 = n.min(j0 + chunk);
        if j0 < j1 {
            columns(g, kc, j0, j1, swap, &out);
        }
    };
    crate::parallel::run(n.div_ceil(chunk), flops.saturating_mul(2), &task);
    if let Some(f) = finish {
        // SAFETY: every value of `c` was written above (the chunks cover 0..n for each row).
        f(unsafe { &mut *(c as *mut [MaybeUninit<f32>] as *mut [f32]) });
    }
}

/// Columns `j0..j1` of every row of `C`, computed in pieces as wide as the stack buffers hold.
fn columns(g: &Gemm, kc: usize, j0: usize, j1: usize, swap: bool, out: &crate::parallel::SharedMut<MaybeUninit<f32>>) {
    let m = g.m;
    let width = (T_LEN / m / CHUNK_ALIGN * CHUNK_ALIGN).max(CHUNK_ALIGN);
    STREAM_SCRATCH.with(|s| {
        let mut guard = s.try_borrow_mut().ok();
        let ready = guard.as_deref_mut().is_some_and(|buf| {
            if buf.len() < 2 * T_LEN && buf.try_reserve(2 * T_LEN - buf.len()).is_ok() {
                buf.resize(2 * T_LEN, 0.0);
            }
            buf.len() >= 2 * T_LEN
        });
        match (ready, guard.as_deref_mut()) {
            (true, Some(buf)) => {
                let (t, u) = buf.split_at_mut(T_LEN);
                columns_in(g, kc, j0, j1, swap, out, width, t, u)
            }
            // Busy (re-entered) or out of memory: buffers on the stack (zeroed: 32 KiB a call).
            _ => columns_in(g, kc, j0, j1, swap, out, width, &mut [0f32; T_LEN], &mut [0f32; T_LEN]),
        }
    })
}

thread_local! {
    /// The two `T_LEN` buffers of [`columns`] on this thread, kept for the next call.
    static STREAM_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Frees [`STREAM_SCRATCH`] of a borrow an abandoned call left (see `matmul::reset_after_interrupt`).
///
/// # Safety
/// As [`crate::interrupt::reset_borrow`].
pub(super) unsafe fn reset_after_interrupt() -> bool {
    // SAFETY: the caller's contract.
    STREAM_SCRATCH.with(|s| unsafe { crate::interrupt::reset_borrow(s) })
}

/// Frees [`STREAM_SCRATCH`] (see `matmul::free_thread_buffers`).
pub(super) fn free_thread_buffers() {
    STREAM_SCRATCH.with(|s| {
        if let Ok(mut v) = s.try_borrow_mut() {
            *v = Vec::new();
        }
    });
}

/// [`columns`] with its buffers.
#[allow(clippy::too_many_arguments)]
fn columns_in(g: &Gemm, kc: usize, j0: usize, j1: usize, swap: bool, out: &crate::parallel::SharedMut<MaybeUninit<f32>>, width: usize, t: &mut [f32], u: &mut [f32]) {
    let (m, n) = (g.m, g.n);
    for s0 in (j0..j1).step_by(width) {
        let w = width.min(j1 - s0);
        if g.trans_b {
            piece_transposed(g, kc, s0, w, t);
        } else {
            piece_rows(g, kc, s0, w, t, u);
        }
        if swap {
            // C is stored transposed: columns s0..s0+w of this product are rows of C.
            // SAFETY: those rows belong to this task alone (its chunk of columns).
            let dst = unsafe { out.part(s0 * m..(s0 + w) * m) };
            for (j, row) in dst.chunks_exact_mut(m).enumerate() {
                for (i, d) in row.iter_mut().enumerate() {
                    *d = MaybeUninit::new(t[i * w + j]);
                }
            }
            continue;
        }
        for i in 0..m {
            // SAFETY: row i, columns s0..s0+w belong to this task alone (its chunk of columns).
            let dst = unsafe { out.part(i * n + s0..i * n + s0 + w) };
            for (d, &v) in dst.iter_mut().zip(&t[i * w..i * w + w]) {
                *d = MaybeUninit::new(v);
            }
        }
    }
}

/// Where row `i`, step `p` of `op(A)` is: `a[p·step + i·row]`.
fn a_panel<'a>(g: &Gemm<'a>, p: usize) -> APanel<'a> {
    if g.trans_a {
        APanel { a: &g.a[p * g.m..], step: g.m, row: 1 }
    } else {
        APanel { a: &g.a[p..], step: 1, row: g.k }
    }
}

/// `B` not transposed: columns `s0..s0+w` of `C` into `t` (rows `w` apart); `u` holds the
/// partial sum of each `kc` block after the first.
fn piece_rows(g: &Gemm, kc: usize, s0: usize, w: usize, t: &mut [f32], u: &mut [f32]) {
    let (m, k, n) = (g.m, g.k, g.n);
    let (t, u) = (&mut t[..m * w], &mut u[..m * w]);
    for pc in (0..k).step_by(kc) {
        let dst: &mut [f32] = if pc == 0 { &mut *t } else { &mut *u };
        let end = pc + kc.min(k - pc);
        let mut p = pc;
        while p < end {
            // Steps of QR rows of B, then one at a time (kc is most often a multiple of QR).
            let q = if end - p >= QR { QR } else { 1 };
            let (a, b) = (a_panel(g, p), &g.b[p * n + s0..]);
            let mut i = 0;
            while i < m {
                let (a, dst) = (APanel { a: &a.a[i * a.row..], ..a }, &mut dst[i * w..]);
                let r = (m - i).min(4);
                // Single steps (the end of a kc block) go row by row: one kernel, for size.
                let r = if q == 1 { 1 } else { r };
                if q == QR {
                    axpy_rows::<QR>(r, a, b, n, w, dst, w, p == pc);
                } else {
                    axpy_rows::<1>(1, a, b, n, w, dst, w, p == pc);
                }
                i += r;
            }
            p += q;
        }
        if pc > 0 {
            for (x, &y) in t.iter_mut().zip(&*u) {
                *x += y;
            }
        }
    }
}

/// `B` transposed (`b` is `[n, k]`): columns `s0..s0+w` of `C` into `t` (rows `w` apart), in
/// tiles of at most 2 rows × 8 columns, each over one `kc` block at a time.
fn piece_transposed(g: &Gemm, kc: usize, s0: usize, w: usize, t: &mut [f32]) {
    let (m, k) = (g.m, g.k);
    for jg in (0..w).step_by(8) {
        let cols = 8.min(w - jg);
        let b = &g.b[(s0 + jg) * k..];
        for pc in (0..k).step_by(kc) {
            let kcb = kc.min(k - pc);
            let accumulate = pc > 0;
            let mut i = 0;
            while i < m {
                let (a, c) = (a_panel(g, pc), &mut t[i * w + jg..]);
                let a = APanel { a: &a.a[i * a.row..], ..a };
                let b = &b[pc..];
                // Tiles of 2 × 8 (1 × 8 for the last row). The path takes B transposed for
                // one or two rows only (`matmul::stream_pays`); more rows, correct but slower
                // (B is transposed again per two rows), keep the wasm small.
                if m - i == 1 {
                    dot_tile::<1, 2>(kcb, a, b, k, cols, c, w, accumulate);
                } else {
                    dot_tile::<2, 2>(kcb, a, b, k, cols, c, w, accumulate);
                }
                i += 2;
            }
        }
    }
}

/// The portable twin of `simd128_matmul::axpy_rows`: rows `0..rows_a` (at most 4) of `t` (`ldt` apart),
/// columns `0..cols`, plus `Q` steps of `op(A)` (from `a`) times rows of `B` (from `b`, `ldb`
/// apart), the steps in order; `from_zero` starts from 0 instead of `t`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[allow(clippy::too_many_arguments)]
fn axpy_rows<const Q: usize>(rows_a: usize, a: APanel, b: &[f32], ldb: usize, cols: usize, t: &mut [f32], ldt: usize, from_zero: bool) {
    assert!(Q >= 1 && (1..=4).contains(&rows_a) && cols >= 1);
    for i in 0..rows_a {
        let row = &mut t[i * ldt..i * ldt + cols];
        for (j, x) in row.iter_mut().enumerate() {
            let mut acc = if from_zero { 0.0 } else { *x };
            for s in 0..Q {
                acc += a.a[s * a.step + i * a.row] * b[s * ldb + j];
            }
            *x = acc;
        }
    }
}

/// The portable twin of `simd128_matmul::dot_tile`: rows `0..R` and columns `0..cols`
/// (`cols ≤ 4G`) of `C` (`ldc` apart) over `kc` steps, where step `p` of column `j` of
/// `op(B)` is `b[j·ldb + p]`; stored, or added if `accumulate`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[allow(clippy::too_many_arguments)]
fn dot_tile<const R: usize, const G: usize>(kc: usize, a: APanel, b: &[f32], ldb: usize, cols: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    assert!(R >= 1 && G >= 1 && cols >= 1 && cols <= 4 * G);
    for r in 0..R {
        for j in 0..cols {
            let mut acc = 0f32;
            for p in 0..kc {
                acc += a.a[p * a.step + r * a.row] * b[j * ldb + p];
            }
            let x = &mut c[r * ldc + j];
            *x = if accumulate { *x + acc } else { acc };
        }
    }
}
