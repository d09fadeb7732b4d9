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
//!   pack op(B)[0..k, jc..] into NR-wide panels             (large: tasks, groups of panels)
//!   for each row band ic..ic+mt of C          // one task each (mt ≤ MC, a multiple of MR)
//!     (small op(B): packed here, once per thread per block, into the thread's own buffer)
//!     for pc in 0..k step kc                  // shared dimension block
//!       pack op(A)[ic.., pc..] into MR-tall panels          (the task's own buffer)
//!       for each NR panel: C tile (+)= micro-kernel        (matmul_tile)
//! ```
//!
//! Every band reads all of the packed `op(B)`. Packed once and shared, it moves from the core
//! that wrote it to every other core, and back when the next product overwrites it; up to
//! [`LOCAL_B_MAX`] floats every thread that runs a band packs its own copy instead (the
//! packing is then done once per thread, in parallel, and stays in that core's cache).
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
//! columns, it reads `A` in place. Products with at most `STREAM_ROWS_MAX` (12) rows and a `B`
//! too large for the cache (at most 2 rows if `B` is transposed), and their transposes (few
//! columns), go to `matmul_stream.rs` instead, which reads `B` once in long contiguous runs and sums every
//! element in the same order as here (the same bits).
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
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::matmul_pack::{pack_a, pack_b_panel, Gemm};
use super::matmul_stream::{gemm_stream, STREAM_MAX_M, STREAM_ROWS_MAX};
use super::matmul_tile::{tile_column, tile_wide, ABlock, MR, W1, W2};
pub use super::matmul_tile::{taps_column, Taps, NR};

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
/// The least `k·n` for which a few-row product with `B` not transposed streams `B` (4 MiB,
/// more than a core's L2 here): see `stream_pays`.
const STREAM_MIN_B: usize = 1 << 20;
/// The same for `B` transposed (below it the packed kernel's overhead is about even).
const STREAM_MIN_BT: usize = 1 << 12;
/// `A` is read in place (not packed) when `op(B)` has at most this many columns: each panel of
/// `A` then feeds at most four tiles, and packing it cost as much as the products (25% of the
/// time of 128×64·64×10). At 32 columns (a convolution's 30,976×144 patches times 144×32
/// filters) reading in place ran 4–9% faster than packing (interleaved, Node 20, Xeon); at
/// 64 and 128 the two were within the noise.
const DIRECT_A_MAX_N: usize = 4 * NR;
/// Threads: a product is cut into row bands of `C` (multiples of `MR` rows, at most `MC`),
/// at most this many per column block (more when `m` needs more bands of `MC`), each at least
/// [`TASK_FLOPS`] of work. Every band reads all of the packed `B`, so fewer, taller bands read
/// it less often: with 16 bands 128×784·784×128 ran 1.34× faster on 2 threads than on 1, with
/// 4 bands 1.61× (512³ 1.95× either way; Node 20, idle 2-core machine). When `m` needs more
/// bands than this, their count is rounded up to a multiple of it: 784×128ᵀ·128×128 (the first
/// layer's weight gradient) went from 7 bands, 1.57×, to 8 bands, 1.77–1.80×.
pub const MAX_TASKS: usize = 4;
/// The least work (flops) worth a task of its own: 128×64·64×10 (164 Kflop, 10 µs with the
/// JS call) is two tasks, 1.19× faster on 2 threads than on 1 (one task before); with the
/// copies of `B` per thread, four bands of 128×128·128×64 instead of two went from 1.66× to
/// 1.74× (TASK_FLOPS was 2²⁰; training as fast either way).
pub const TASK_FLOPS: usize = 1 << 16;
/// Work units per flop for the pool's split threshold ([`crate::parallel::min_work`], tuned
/// for element-wise ops): a band of a GEMM works on data it mostly packs for itself, so a
/// GEMM pays off split at fewer units than an element-wise op, from about 130 Kflop.
const WORK_PER_FLOP: usize = 2;
/// Packing `B` is cut into groups of panels of at least this many floats.
const PACK_TASK_FLOATS: usize = 1 << 15;
/// Work units per packed float for the pool's split threshold (a strided read and a store).
const PACK_COST: usize = 8;
/// A packed `op(B)` block of at most this many floats (512 KiB) is packed by each thread that
/// runs bands of it, into its own buffer, rather than once for all. A shared copy made the
/// bands of the thread that did not write it 12–25% slower (its reads miss to the other
/// core), and the writer paid again when it repacked over lines the reader held. With a copy
/// per thread (and `C` no longer zero-filled by the calling thread first, see
/// [`gemm_uninit`]), 2 threads against 1 went from 1.20× to 1.66× on 128×128·128×64 and from
/// 1.60–1.75× to 1.80–1.84× on the 784-wide MLP products (Node 20, quiet 2-core Xeon,
/// interleaved runs). Larger blocks are packed once, in parallel: with copies per thread up
/// to 2²⁰ floats, 512³ ran 1.96× against 1.87× (within the noise) but 1024³ 1.81× against
/// 1.99× (4 MiB per thread, more than a core's L2 here).
pub const LOCAL_B_MAX: usize = 1 << 17;

const _: () = assert!(MC.is_multiple_of(MR));

thread_local! {
    /// The packed `op(B)` reused by [`gemm`] on this thread, so the hot path does not
    /// allocate. It grows to at most [`B_PACK_MAX`] floats and is kept for the next call.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// The packed block of `A` of the task running on this thread (at most `MC·KC` floats).
    static A_SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// This thread's own packed `op(B)` block (at most [`LOCAL_B_MAX`] floats) and the block
    /// it holds (a number from [`B_BLOCKS`]; 0: none).
    static B_LOCAL: RefCell<(u64, Vec<f32>)> = const { RefCell::new((0, Vec::new())) };
}

/// Frees this thread's packing buffers of their borrows after JS abandoned a call that was
/// inside a product ([`crate::interrupt`]); the half-packed block is forgotten. Returns whether
/// they are free.
///
/// # Safety
/// Only for borrows held by the frames of the abandoned call (see
/// [`crate::interrupt::reset_borrow`]).
pub unsafe fn reset_after_interrupt() -> bool {
    // SAFETY: the caller's contract.
    let free = unsafe {
        SCRATCH.with(|s| crate::interrupt::reset_borrow(s))
            & A_SCRATCH.with(|s| crate::interrupt::reset_borrow(s))
            & B_LOCAL.with(|s| crate::interrupt::reset_borrow(s))
            & super::matmul_stream::reset_after_interrupt()
    };
    B_LOCAL.with(|s| {
        if let Ok(mut b) = s.try_borrow_mut() {
            b.0 = 0;
        }
    });
    free
}

/// Frees this thread's packing buffers (a worker leaving its pool: wasm runs no thread-local
/// destructors, and the next pool's workers start with fresh thread-local blocks, so buffers
/// left here would be lost for good). A buffer in use is left as it is.
pub fn free_thread_buffers() {
    for s in [&SCRATCH, &A_SCRATCH] {
        s.with(|s| {
            if let Ok(mut v) = s.try_borrow_mut() {
                *v = Vec::new();
            }
        });
    }
    B_LOCAL.with(|s| {
        if let Ok(mut b) = s.try_borrow_mut() {
            *b = (0, Vec::new());
        }
    });
    super::matmul_stream::free_thread_buffers();
}

/// Numbers the `op(B)` blocks packed per thread, so a thread packs a block once however many
/// of its bands it runs (and never mistakes an older block for it).
static B_BLOCKS: AtomicU64 = AtomicU64::new(0);

/// Where a band task reads `op(B)`.
#[derive(Clone, Copy)]
enum BSource<'a> {
    /// All panels of the column block, packed (panel-major over all of `k`).
    Packed(&'a [f32]),
    /// `b` itself (not transposed, few rows of `A`); narrow panels are packed on the fly.
    InPlace,
    /// Each panel packed on the fly for its `kc` block (a thread that could not get a buffer
    /// for the block: same values, so the same bits, only slower).
    OnTheFly,
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
    gemm_uninit_with(&Gemm { m, k, n, a: &a[..m * k], trans_a, b: &b[..k * n], trans_b }, as_uninit(&mut c[..m * n]), false, None);
}

/// What runs on whole rows of `C` once they are final (see [`gemm_uninit_then`]).
pub type Finish<'a> = &'a (dyn Fn(&mut [f32]) + Sync);

/// [`gemm`] into memory not yet initialised, such as the spare capacity of a new tensor's
/// buffer: all `m·n` values of `c` are written. There is no zero-fill pass first: each task
/// initialises the rows of `C` it computes, on the thread that computes them, so those rows
/// are not written by one core and then taken over by another.
///
/// # Shapes
/// As [`gemm`]; `c.len() ≥ m·n`.
#[allow(clippy::too_many_arguments)]
pub fn gemm_uninit(m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool, c: &mut [MaybeUninit<f32>]) {
    gemm_uninit_with(&Gemm { m, k, n, a: &a[..m * k], trans_a, b: &b[..k * n], trans_b }, &mut c[..m * n], true, None);
}

/// [`gemm_uninit`], then `finish` on each band of whole rows of `C` as soon as the band is
/// final, on the thread that computed it, while its rows are still in that core's cache: a
/// layer's bias and activation cost no pass of their own over the output (which for a
/// convolution's is megabytes). The bands are those of the [`Plan`], so they depend on the
/// sizes only; `finish` must compute each row (or element) on its own for the results not to
/// depend on the cut. All of `C` is covered, each row once.
#[allow(clippy::too_many_arguments)]
pub fn gemm_uninit_then(m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool, c: &mut [MaybeUninit<f32>], finish: Finish) {
    gemm_uninit_with(&Gemm { m, k, n, a: &a[..m * k], trans_a, b: &b[..k * n], trans_b }, &mut c[..m * n], true, Some(finish));
}

/// `C = op(A)·op(B)` in a new vector of `m·n` values (see [`gemm_uninit`]), or
/// [`crate::Error::OutOfMemory`] naming `op`.
#[allow(clippy::too_many_arguments)]
pub fn gemm_vec(op: &'static str, m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool) -> crate::Result<Vec<f32>> {
    let len = m.checked_mul(n).ok_or(crate::Error::OutOfMemory { op, bytes: u64::MAX })?;
    let mut v = crate::tensor::alloc_empty(op, len)?;
    gemm_uninit(m, k, n, a, trans_a, b, trans_b, &mut v.spare_capacity_mut()[..len]);
    // SAFETY: gemm_uninit wrote all `len` values.
    unsafe { v.set_len(len) };
    Ok(v)
}

/// The thread-local packing buffer, then [`gemm_with_scratch_uninit`].
fn gemm_uninit_with(g: &Gemm, c: &mut [MaybeUninit<f32>], init: bool, finish: Option<Finish>) {
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut buf) => gemm_with_scratch_uninit(g, c, init, &mut buf, finish),
        // Only reachable if a caller re-enters gemm from inside gemm; stay correct anyway.
        Err(_) => gemm_with_scratch_uninit(g, c, init, &mut Vec::new(), finish),
    })
}

/// `c` viewed as possibly-uninitialised floats, for the `*_uninit` functions (called with
/// `init == false`, which then only write valid values into it).
fn as_uninit(c: &mut [f32]) -> &mut [MaybeUninit<f32>] {
    // SAFETY: f32 and MaybeUninit<f32> have the same layout; only valid f32s are written.
    unsafe { &mut *(c as *mut [f32] as *mut [MaybeUninit<f32>]) }
}

/// `part` as initialised floats: zeroed first if `init` (it may be uninitialised), else as is.
fn init_part(part: &mut [MaybeUninit<f32>], init: bool) -> &mut [f32] {
    if init {
        part.fill(MaybeUninit::new(0.0));
    }
    // SAFETY: every element is initialised: just above, or by the caller when `init` is false.
    unsafe { &mut *(part as *mut [MaybeUninit<f32>] as *mut [f32]) }
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

/// Whether [`gemm_stream`] (few rows or few columns, `B` read once in place) beats the packed
/// kernel, and in which form (measured on Node 20, Zen 4, interleaved with the packed kernel; see
/// `matmul_stream.rs`): with at most [`STREAM_MAX_M`] rows of `op(A)` and `B` not transposed,
/// once `B` no longer stays in cache (from [`STREAM_MIN_B`] floats: 1×512·512×512 ran 1.35×
/// slower streamed, 1×1024·1024×1024 as fast, 1×4096·4096×4096 1.8× faster, 8×1024·1024×1024
/// 1.25×); with `B` transposed, for one or two rows (the packed kernel packs all of `B` per
/// call: 1×1024·(1024×1024)ᵀ 1.15×, 1×4096·(4096×4096)ᵀ 1.3×; from 4 rows, re-transposing `B`
/// per 4 rows of `A` lost up to 1.9×). With few columns of `op(B)` and many rows of `op(A)`,
/// the same rule on `Cᵀ = op(B)ᵀ·op(A)ᵀ` (`matMul(Bᵀ, Aᵀ, true, true)` of batch-1 inference:
/// 3.5× at 4096). From 9 rows the packed kernel packed all of `B` per call (9 rows took
/// 1.9× the time of 8); streamed, up to [`STREAM_ROWS_MAX`] rows (in groups of 4, each reading
/// a piece of `B` from L1), 9×1024·1024×1024 ran 1.3–2× faster, 12 rows 1.25–1.8×, 9–12×
/// 2048·2048×2048 1.4–2.4×, 9–12×784·784×2000 1.1–1.9×; from 14–16 rows the two were even, and
/// at 16×2048·2048×2048 the packed kernel 1.5× faster (Node 20, one thread, a busy 2-core
/// machine: interleaved runs, ranges over runs). Some(swap): which form; None: packed.
fn stream_form(m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool) -> Option<bool> {
    let rows = |m: usize, k: usize, n: usize, trans_b: bool| {
        let b = k.saturating_mul(n);
        if trans_b { m <= 2 && b >= STREAM_MIN_BT } else { m <= STREAM_ROWS_MAX && b >= STREAM_MIN_B }
    };
    let (direct, swapped) = (rows(m, k, n, trans_b), m > STREAM_MAX_M && rows(n, k, m, !trans_a));
    // Both: the form with fewer rows.
    if swapped && (!direct || n < m) {
        Some(true)
    } else {
        direct.then_some(false)
    }
}

/// [`gemm`] with a caller-owned buffer for the packed `B`. `scratch` grows (once) to what this
/// size needs and is never shrunk. If it cannot grow, each band packs the panels of `B` it
/// reads on the fly instead (the same bits, slower).
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
    gemm_with_scratch_uninit(&Gemm { m, k, n, a: &a[..m * k], trans_a, b: &b[..k * n], trans_b }, as_uninit(&mut c[..m * n]), false, scratch, None);
}

/// [`gemm_with_scratch`] into `c[..m·n]`, which is uninitialised if `init` (each task then
/// zeroes its rows before computing them). Per column block, `op(B)` is read in place, packed
/// by each thread for itself (up to [`LOCAL_B_MAX`] floats), or packed once into `scratch`
/// by tasks on the pool. `finish` as in [`gemm_uninit_then`].
fn gemm_with_scratch_uninit(g: &Gemm, c: &mut [MaybeUninit<f32>], init: bool, scratch: &mut Vec<f32>, finish: Option<Finish>) {
    let (m, k, n) = (g.m, g.k, g.n);
    let c = &mut c[..m * n];
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.fill(MaybeUninit::new(0.0));
        return finish.into_iter().for_each(|f| f(init_part(c, false)));
    }
    if let Some(swap) = stream_form(m, k, n, g.trans_a, g.trans_b) {
        return gemm_stream(g, swap, c, finish);
    }
    gemm_packed(g, c, init, scratch, finish);
}

/// The blocked kernel (`gemm_with_scratch_uninit` past the empty and few-row cases).
fn gemm_packed(g: &Gemm, c: &mut [MaybeUninit<f32>], init: bool, scratch: &mut Vec<f32>, finish: Option<Finish>) {
    let (m, k, n) = (g.m, g.k, g.n);
    let direct_b = !g.trans_b && m <= DIRECT_B_MAX_M;
    let plan = Plan::new(m, k, n);
    let b_len = if direct_b { 0 } else { n.min(plan.nc).next_multiple_of(NR) * k };
    let local_b = b_len <= LOCAL_B_MAX;
    // Packed once for all bands into `scratch`, if it can grow; else each band packs every
    // panel on the fly (the same bits, only slower).
    let shared_b = !local_b && (scratch.len() >= b_len || scratch.try_reserve(b_len - scratch.len()).is_ok());
    if shared_b && scratch.len() < b_len {
        scratch.resize(b_len, 0.0);
    }
    for jc in (0..n).step_by(plan.nc) {
        let nc = plan.nc.min(n - jc);
        let work = (2 * WORK_PER_FLOP * m).saturating_mul(k).saturating_mul(nc);
        let last = jc + nc == n;
        let band = |t: usize, band: &mut [MaybeUninit<f32>], source: BSource| {
            let rows = init_part(band, init && jc == 0);
            band_task(g, plan, jc, nc, source, t * plan.mt, rows);
            // The band's rows are final after the last column block.
            if let (Some(f), true) = (finish, last) {
                f(rows);
            }
        };
        if direct_b {
            crate::parallel::for_each_chunk_mut(c, plan.mt * n, work, |t, c| band(t, c, BSource::InPlace));
        } else if local_b {
            let block = B_BLOCKS.fetch_add(1, Relaxed) + 1;
            crate::parallel::for_each_chunk_mut(c, plan.mt * n, work, |t, c| with_local_b(g, jc, nc, block, |source| band(t, c, source)));
        } else if !shared_b {
            crate::parallel::for_each_chunk_mut(c, plan.mt * n, work, |t, c| band(t, c, BSource::OnTheFly));
        } else {
            // Panel-major over all of k: panel q holds op(B)[0..k, jc+q·NR ..] as k rows of NR.
            let bpack = &mut scratch[..nc.next_multiple_of(NR) * k];
            let group = (PACK_TASK_FLOATS / (k * NR)).max(1);
            crate::parallel::for_each_chunk_mut(bpack, group * k * NR, (k * nc).saturating_mul(PACK_COST), |t, panels| {
                pack_b_panels(g, jc + t * group * NR, jc + nc, panels);
            });
            let bpack = &*bpack;
            crate::parallel::for_each_chunk_mut(c, plan.mt * n, work, |t, c| band(t, c, BSource::Packed(bpack)));
        }
    }
}

/// Packs the panels of `op(B)` columns `j0 ..` (up to `end`) over all of `k` into `panels`,
/// one `k·NR` panel after another.
fn pack_b_panels(g: &Gemm, j0: usize, end: usize, panels: &mut [f32]) {
    for (q, panel) in panels.chunks_exact_mut(g.k * NR).enumerate() {
        let j = j0 + q * NR;
        pack_b_panel(g, 0, g.k, j, NR.min(end - j), panel);
    }
}

/// Runs `f` with this thread's own packed copy of the column block `jc .. jc + nc` of `op(B)`
/// (`B_LOCAL`), packing it first unless the thread already holds block number `block`. A
/// thread whose buffer is busy or cannot grow gets [`BSource::OnTheFly`] instead.
fn with_local_b(g: &Gemm, jc: usize, nc: usize, block: u64, f: impl FnOnce(BSource)) {
    let len = nc.next_multiple_of(NR) * g.k;
    B_LOCAL.with(|s| {
        // Busy: re-entered from inside a band (not done today).
        let Ok(mut s) = s.try_borrow_mut() else { return f(BSource::OnTheFly) };
        let (held, buf) = &mut *s;
        if *held != block {
            *held = 0;
            if buf.len() < len {
                if buf.try_reserve(len - buf.len()).is_err() {
                    return f(BSource::OnTheFly);
                }
                buf.resize(len, 0.0);
            }
            pack_b_panels(g, jc, jc + nc, &mut buf[..len]);
            *held = block;
        }
        f(BSource::Packed(&buf[..len]))
    })
}

/// One task: rows `ic .. ic + band.len()/n` of `C`, columns `jc .. jc + nc`, all of `k`.
/// `band` is those rows of `C` (whole rows).
#[allow(clippy::too_many_arguments)]
fn band_task(g: &Gemm, plan: Plan, jc: usize, nc: usize, source: BSource, ic: usize, band: &mut [f32]) {
    let (m, k, n) = (g.m, g.k, g.n);
    let mc = band.len() / n;
    // A is read in place when B has few columns, and also (same bits) if this thread's
    // packing buffer is busy or cannot grow.
    let direct_a = n <= DIRECT_A_MAX_N && m > 2;
    let a_len = if direct_a { 0 } else { mc.next_multiple_of(MR) * plan.kc };
    // A panel of B packed on the fly goes here: when B is read in place, a column panel
    // narrower than NR (the last one, or the one after the 12-wide two-row tiles: n = 16 is
    // 12 + 4); without a packed block, every panel.
    let direct_b = matches!(source, BSource::InPlace);
    let edge_len = if matches!(source, BSource::Packed(_)) { 0 } else { plan.kc * NR };
    A_SCRATCH.with(|s| {
        let mut guard = s.try_borrow_mut().ok();
        let need = a_len + edge_len;
        let ready = guard.as_deref_mut().is_some_and(|buf| {
            if buf.len() < need && buf.try_reserve(need - buf.len()).is_ok() {
                buf.resize(need, 0.0);
            }
            buf.len() >= need
        });
        // Busy (re-entered) or out of memory: read A in place (same bits); the edge panel
        // goes on the stack (KC·NR floats, 8 KiB).
        let mut stack_edge;
        let (mut abuf, edge): (Option<&mut [f32]>, &mut [f32]) = match (ready, guard.as_deref_mut()) {
            (true, Some(buf)) => {
                let (a, e) = buf[..need].split_at_mut(a_len);
                (if direct_a { None } else { Some(a) }, e)
            }
            _ => {
                stack_edge = [0.0f32; KC * NR];
                (None, &mut stack_edge[..edge_len])
            }
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
                let (pb, ldb): (&[f32], usize) = match source {
                    BSource::Packed(bpack) => (&bpack[jr * k + pc * NR..], NR),
                    BSource::InPlace if cols == NR => (&g.b[pc * n + jc + jr..], n),
                    BSource::InPlace | BSource::OnTheFly => {
                        pack_b_panel(g, pc, kc, jc + jr, cols, edge);
                        (&edge[..kc * NR], NR)
                    }
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

    /// `C` in f64 and, per element, `Σ_p |a_ip|·|b_pj|` (the scale of any order's rounding).
    fn reference_f64(g: &Gemm) -> (Vec<f64>, Vec<f64>) {
        let (m, k, n) = (g.m, g.k, g.n);
        let (mut c, mut scale) = (vec![0f64; m * n], vec![0f64; m * n]);
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    let x = f64::from(if g.trans_a { g.a[p * m + i] } else { g.a[i * k + p] });
                    let y = f64::from(if g.trans_b { g.b[j * k + p] } else { g.b[p * n + j] });
                    c[i * n + j] += x * y;
                    scale[i * n + j] += (x * y).abs();
                }
            }
        }
        (c, scale)
    }

    /// `gemm_stream` (the few-column form if `swap`) and `gemm_packed` on the same product.
    fn stream_and_packed(g: &Gemm, swap: bool) -> (Vec<f32>, Vec<f32>) {
        let mut s = vec![f32::NAN; g.m * g.n];
        gemm_stream(g, swap, as_uninit(&mut s), None);
        let mut p = vec![f32::NAN; g.m * g.n];
        gemm_packed(g, as_uninit(&mut p), false, &mut Vec::new(), None);
        (s, p)
    }

    /// The few-row (and few-column) path sums each element as the packed kernel does: the
    /// same bits, for every transpose form, across its tails (rows, columns, steps of `B`),
    /// `kc` blocks, stack-buffer pieces and column chunks; and close to an f64 reference.
    #[test]
    fn the_streamed_path_gives_the_bits_of_the_packed_kernel() {
        let ks = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 197, KC - 1, KC + 1, 784, 1021];
        let ns = [1, 2, 3, 5, 7, 8, 9, 13, 31, 127, 521, 1031, 2053, 4099];
        let mut count = 0;
        for m in 1..=STREAM_MAX_M + 1 {
            for (q, &n) in ns.iter().enumerate() {
                let k = ks[(m * 5 + q * 3) % ks.len()];
                for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                    let a = fill(m * k, (m * 31 + k * 7 + n) as u32);
                    let b = fill(k * n, (n * 17 + k + 3) as u32);
                    // Both the product and its transpose (few columns: the swapped form).
                    for g in [Gemm { m, k, n, a: &a, trans_a: ta, b: &b, trans_b: tb }, Gemm { m: n, k, n: m, a: &b, trans_a: !tb, b: &a, trans_b: !ta }] {
                        if g.m.min(g.n) > STREAM_MAX_M {
                            continue;
                        }
                        let (s, p) = stream_and_packed(&g, g.m > STREAM_MAX_M);
                        let (want, scale) = reference_f64(&g);
                        for i in 0..s.len() {
                            let what = format!("{}x{}x{} ta={} tb={} at {i}", g.m, g.k, g.n, g.trans_a, g.trans_b);
                            assert_eq!(s[i].to_bits(), p[i].to_bits(), "{what}: streamed {} vs packed {}", s[i], p[i]);
                            let tol = 2.0 * f64::from(f32::EPSILON) * (g.k as f64) * scale[i] + 1e-30;
                            assert!((f64::from(s[i]) - want[i]).abs() <= tol, "{what}: {} vs f64 {}", s[i], want[i]);
                        }
                        count += 1;
                    }
                }
            }
        }
        assert!(count > 400);
    }

    /// 9 to 33 rows streamed against `B` not transposed (the rows in groups of up to 4, each
    /// element summed as the packed kernel sums it): the bits of the packed kernel, at odd `k`
    /// and `n` (tails of every kind, `kc` blocks, several stack-buffer pieces), `A` transposed
    /// or not; and `gemm` itself where it takes this path (`k·n ≥ STREAM_MIN_B`) or its
    /// few-column transpose.
    #[test]
    fn more_rows_streamed_give_the_bits_of_the_packed_kernel() {
        let ks = [1, 7, 9, 17, KC + 1, 263, 1021];
        let ns = [1, 3, 9, 31, 127, 521, 1031];
        for m in STREAM_MAX_M + 1..=STREAM_ROWS_MAX + 1 {
            for (q, &n) in ns.iter().enumerate() {
                let k = ks[(m * 3 + q) % ks.len()];
                for ta in [false, true] {
                    let a = fill(m * k, (m * 13 + k * 5 + n) as u32);
                    let b = fill(k * n, (n * 11 + k + 1) as u32);
                    let (s, p) = stream_and_packed(&Gemm { m, k, n, a: &a, trans_a: ta, b: &b, trans_b: false }, false);
                    assert!(s.iter().zip(&p).all(|(s, p)| s.to_bits() == p.to_bits()), "{m}x{k}x{n} ta={ta}");
                }
            }
        }
        // Past STREAM_ROWS_MAX rows the packed kernel takes over (as fast or faster there).
        assert_eq!(stream_form(STREAM_ROWS_MAX + 1, 1025, 1031, false, false), None);
        for (m, k, n) in [(9, 1031, 1025), (11, 2053, 513), (STREAM_ROWS_MAX, 1025, 1031)] {
            for ta in [false, true] {
                let a = fill(m * k, (m + k) as u32);
                let b = fill(k * n, (n + 3 * k) as u32);
                let g = Gemm { m, k, n, a: &a, trans_a: ta, b: &b, trans_b: false };
                assert_eq!(stream_form(m, k, n, ta, false), Some(false));
                let mut got = vec![f32::NAN; m * n];
                gemm(m, k, n, &a, ta, &b, false, &mut got);
                let mut want = vec![f32::NAN; m * n];
                gemm_packed(&g, as_uninit(&mut want), false, &mut Vec::new(), None);
                assert!(got.iter().zip(&want).all(|(s, p)| s.to_bits() == p.to_bits()), "gemm {m}x{k}x{n} ta={ta}");
                // The transposed product (few columns: streamed swapped).
                let gt = Gemm { m: n, k, n: m, a: &b, trans_a: true, b: &a, trans_b: !ta };
                assert_eq!(stream_form(n, k, m, true, !ta), Some(true));
                let mut got = vec![f32::NAN; m * n];
                gemm(n, k, m, &b, true, &a, !ta, &mut got);
                let mut want = vec![f32::NAN; m * n];
                gemm_packed(&gt, as_uninit(&mut want), false, &mut Vec::new(), None);
                assert!(got.iter().zip(&want).all(|(s, p)| s.to_bits() == p.to_bits()), "gemm transposed {m}x{k}x{n} ta={ta}");
            }
        }
    }

    #[test]
    fn the_streamed_path_propagates_nan_and_infinity() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let (m, k, n) = (3, 261, 37);
            let mut a = fill(m * k, 5);
            let mut b = fill(k * n, 6);
            // op(A)[1, 200] = NaN; op(B)[7, 30] = +inf; op(A)[2, 7] = 0 (0·inf = NaN).
            a[if ta { 200 * m + 1 } else { k + 200 }] = f32::NAN;
            b[if tb { 30 * k + 7 } else { 7 * n + 30 }] = f32::INFINITY;
            a[if ta { 7 * m + 2 } else { 2 * k + 7 }] = 0.0;
            let g = Gemm { m, k, n, a: &a, trans_a: ta, b: &b, trans_b: tb };
            let (s, p) = stream_and_packed(&g, false);
            for i in 0..m * n {
                assert_eq!(s[i].to_bits(), p[i].to_bits(), "ta={ta} tb={tb} at {i}");
            }
            assert!((0..n).all(|j| s[n + j].is_nan()), "row 1 is NaN");
            assert!(s[2 * n + 30].is_nan() && s[30].is_infinite());
            assert!(s[5].is_finite());
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
    /// one above a split into two tasks (2·TASK_FLOPS = 2·16·64·64), and at primes.
    #[test]
    fn the_same_bits_with_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        let shapes = [
            (0, 7, 5),
            (1, 1, 1),
            (7, 13, 127),
            (16, 63, 64),
            (16, 64, 64),
            (16, 65, 64),
            (128, 128, 64),
            (257, 127, 129),
            (7, 509, 301),
            (6, 1021, 172),
            (5, 2000, 136),
            (2, 1021, 131),
            (509, 257, 13),
            (9, 2049, 509),
            // The streamed path: column chunks (tasks) and stack-buffer pieces, both forms.
            (1, 300, 4103),
            (2, 99, 4100),
            (3, 129, 8200),
            (8, 520, 2100),
            (4103, 67, 1),
            (6150, 171, 7),
            // More rows streamed (B not transposed, k·n ≥ STREAM_MIN_B), and their transposes.
            (12, 1030, 1025),
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

    /// `gemm_vec` (uninitialised output, each task zeroing its own rows) gives the bits of
    /// `gemm` into a zeroed buffer, with any number of workers, on the per-thread packing
    /// path (small B), the shared one (B over LOCAL_B_MAX: 2 column blocks at k = 2049) and
    /// B in place; `k = 0` gives zeros.
    #[test]
    fn uninitialised_output_gets_the_same_bits() {
        use crate::parallel::testing::same_bits_for_all_counts;
        for (m, k, n) in [(0, 3, 4), (3, 0, 5), (1, 7, 9), (7, 13, 127), (128, 128, 64), (257, 127, 129), (9, 2049, 509), (130, 1025, 130)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = fill(m * k, (m * 5 + k) as u32);
                let b = fill(k * n, (n * 3 + k + 1) as u32);
                let mut want = vec![0.0; m * n];
                gemm(m, k, n, &a, ta, &b, tb, &mut want);
                let got = same_bits_for_all_counts(&format!("gemm_vec {m}x{k}x{n} ta={ta} tb={tb}"), || gemm_vec("test", m, k, n, &a, ta, &b, tb).unwrap());
                assert_eq!(got.len(), m * n);
                assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()), "{m}x{k}x{n} ta={ta} tb={tb}");
            }
        }
    }

    /// A thread whose own packed-B buffer or A buffer is busy (a GEMM re-entered from inside
    /// a band) packs each panel on the fly, into a stack buffer: same bits.
    #[test]
    fn busy_packing_buffers_give_the_same_bits() {
        for (m, k, n) in [(5, 300, 37), (33, 65, 127), (128, 784, 20), (2, 40, 30)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = fill(m * k, (m + k) as u32);
                let b = fill(k * n, (n + 2 * k) as u32);
                let mut want = vec![0.0; m * n];
                gemm(m, k, n, &a, ta, &b, tb, &mut want);
                let mut got_b = vec![f32::NAN; m * n];
                B_LOCAL.with(|s| {
                    let _busy = s.borrow_mut();
                    gemm(m, k, n, &a, ta, &b, tb, &mut got_b);
                });
                let mut got_a = vec![f32::NAN; m * n];
                A_SCRATCH.with(|s| {
                    let _busy = s.borrow_mut();
                    gemm(m, k, n, &a, ta, &b, tb, &mut got_a);
                });
                for (what, got) in [("B busy", &got_b), ("A busy", &got_a)] {
                    assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()), "{what}: {m}x{k}x{n} ta={ta} tb={tb}");
                }
            }
        }
    }

    /// A thread's packed B is tagged with its block: a second product of the same shape with
    /// another B packs again (a stale copy would give the first product's answer).
    #[test]
    fn each_product_packs_its_own_b() {
        let (m, k, n) = (64, 96, 48);
        let a = fill(m * k, 1);
        for seed in 2..6 {
            let b = fill(k * n, seed);
            let mut got = vec![0.0; m * n];
            gemm(m, k, n, &a, false, &b, false, &mut got);
            let mut want = vec![0.0; m * n];
            gemm_reference(m, k, n, &a, false, &b, false, &mut want);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-4 * (1.0 + w.abs()), "B seed {seed}: got {g}, want {w}");
            }
        }
    }

    /// `gemm_uninit_then` runs `finish` once on every row of `C` after its last column block
    /// (one block, several blocks when `k` is long, `k = 0`, B read in place, one row): the
    /// values are those of `gemm` and then `finish` over all of `C`, bit for bit, for any
    /// number of threads.
    #[test]
    fn finish_runs_once_on_every_final_row() {
        let finish = |rows: &mut [f32]| rows.iter_mut().for_each(|v| *v = *v * 2.0 + 1.0);
        for (m, k, n) in [(1, 3, 5), (7, 0, 9), (5, 9, 17), (130, 33, 32), (300, 17, 40), (9, 5000, 300), (129, 65, 3)] {
            let a = fill(m * k, 7);
            let b = fill(k * n, 8);
            let mut want = vec![0.0; m * n];
            gemm(m, k, n, &a, false, &b, false, &mut want);
            finish(&mut want);
            let got = crate::parallel::testing::same_bits_for_all_counts("gemm finish", || {
                let mut c = vec![MaybeUninit::new(f32::NAN); m * n];
                gemm_uninit_then(m, k, n, &a, false, &b, false, &mut c, &finish);
                // SAFETY: all m·n values are written.
                c.into_iter().map(|v| unsafe { v.assume_init() }).collect()
            });
            assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()), "{m}x{k}x{n}");
        }
    }

    #[test]
    fn the_plan_depends_on_the_sizes_only_and_bands_fit_the_packing_buffer() {
        assert_eq!(Plan::new(16, 63, 64).mt, 16);
        assert_eq!(Plan::new(16, 64, 64).mt, 8);
        assert_eq!(Plan::new(128, 64, 10).mt, 64);
        assert_eq!(Plan::new(128, 128, 64).mt, 32);
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
