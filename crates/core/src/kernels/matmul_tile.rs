//! The GEMM micro-kernel: tiles of `C` accumulated in registers from a panel of `A` and a panel
//! of `B`, and [`tile_column`], which runs it down one column of tiles.
//!
//! ```text
//! acc[r][j] = Σ_{p < kc} A(r, p) · pb[p·ldb + j]        (summed in order of p)
//! C[r·ldc + j] = acc[r][j]        (first kc block)   or   C[r·ldc + j] += acc[r][j]
//! ```
//!
//! `A` is read through an [`APanel`]: a panel packed by `matmul_pack::pack_a` (`kc` groups of
//! `MR` values; only the first `rows` of each group are read), or `A` itself in place. `pb`
//! holds `kc` rows of `4·V` values, `ldb` apart: a packed panel (`ldb == NR`) or `B` itself
//! when it is read in place.
//!
//! The tile is `R` rows by `V` `f32x4` vectors. The main tile is `MR × NR` = 4 × 8: with
//! `f32x4.mul` + `f32x4.add` it holds 8 accumulators, 2 `B` vectors, 4 splats and a product in
//! V8's 15 allocatable xmm registers (bigger tiles spilled and ran 30–40% slower). One-row and
//! two-row problems use wider tiles ([`W1`], [`W2`]) so that enough independent accumulators
//! hide the 3-cycle add latency; a last column panel of at most 4 columns uses a 1-vector tile.
//! Measured on a 3.6 GHz Zen 4 in Node 20: about 41–45 GFLOP/s on the 4 × 8 tile (the loop
//! issues ~27 instructions per 64 flops; 16 flops/cycle is the mul + add port limit).
//!
//! On wasm32 with simd128 the tile is computed by `simd128_matmul::tile_rows`. Elsewhere the
//! portable version below runs with the same blocking and the same order of operations, so both
//! give bit-identical results (except the opt-in `+relaxed-simd` build, whose fused
//! multiply-add rounds once; see `simd128_matmul.rs`).

/// Rows of `C` per micro-tile.
pub const MR: usize = 4;
/// `f32x4` vectors per micro-tile row.
pub const NV: usize = 2;
/// Columns of `C` per micro-tile.
pub const NR: usize = 4 * NV;
/// `f32x4` vectors per row of the one-row tile (6 accumulators, 6 `B` vectors).
pub const V1: usize = 6;
/// Columns of the one-row tile.
pub const W1: usize = 4 * V1;
/// `f32x4` vectors per row of the two-row tile (6 accumulators, 3 `B` vectors).
pub const V2: usize = 3;
/// Columns of the two-row tile.
pub const W2: usize = 4 * V2;

const _: () = assert!(MR == 4, "update the row dispatch in `column` when MR changes");

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_matmul::{tile_rows, tile_taps};

/// Where a micro-tile reads its rows of `op(A)`: element `(r, p)` (row `r`, step `p`) is
/// `a[p·step + r·row]`.
///
/// * packed by `pack_a`: `step = MR`, `row = 1`;
/// * `A` stored transposed (`[k, m]`) and read in place: `step = m`, `row = 1`;
/// * `A` stored plainly (`[m, k]`) and read in place: `step = 1`, `row = k`.
///
/// With `row == 1` the rows sit at constant offsets from one address; otherwise each row is
/// walked on its own (one more add per row and step, cheaper than packing when `n` is small).
#[derive(Clone, Copy)]
pub struct APanel<'a> {
    pub a: &'a [f32],
    pub step: usize,
    pub row: usize,
}

impl<'a> APanel<'a> {
    /// The `MR`-row panel that starts at `a`, packed by `pack_a`.
    pub fn packed(a: &'a [f32]) -> Self {
        APanel { a, step: MR, row: 1 }
    }
}

/// The rows of `op(A)` for one column of tiles: `MR`-row panels `panel` apart, each read as
/// an [`APanel`] (packed: `panel = MR·kc`; in place: `MR` or `MR·k`).
#[derive(Clone, Copy)]
pub struct ABlock<'a> {
    pub a: &'a [f32],
    pub step: usize,
    pub row: usize,
    pub panel: usize,
}

impl<'a> ABlock<'a> {
    fn panel(&self, q: usize) -> APanel<'a> {
        APanel { a: &self.a[q * self.panel..], step: self.step, row: self.row }
    }
}

/// Computes (or accumulates into) a column of tiles of `C`: rows `0..mc` (in micro-tiles of
/// `MR` rows, then the rest), columns `0..cols` (`cols ≤ NR`), with `c[0]` its top-left
/// element and rows `ldc` apart.
///
/// Preconditions (the driver guarantees them): `1 ≤ cols ≤ NR`; for every panel `q`,
/// `a.panel(q)` holds the `kc` steps of its rows; `pb.len() ≥ (kc-1)·ldb + NR`;
/// `c.len() ≥ (mc-1)·ldc + cols`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn tile_column(mc: usize, cols: usize, kc: usize, a: ABlock, pb: &[f32], ldb: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    // A last panel of at most 4 columns (n = 10 → 8 + 2) runs one vector wide: half the
    // work of computing 8 columns and discarding most of them.
    match (cols <= 4, a.row == 1) {
        (false, true) => column::<NV, false>(mc, cols, kc, a, pb, ldb, c, ldc, accumulate),
        (false, false) => column::<NV, true>(mc, cols, kc, a, pb, ldb, c, ldc, accumulate),
        (true, true) => column::<1, false>(mc, cols, kc, a, pb, ldb, c, ldc, accumulate),
        (true, false) => column::<1, true>(mc, cols, kc, a, pb, ldb, c, ldc, accumulate),
    }
}

/// [`tile_column`] for one tile width and `A` layout.
///
/// NOTE: `inline(never)` keeps the micro-kernel loops in a small wasm function of their own.
/// Inlined into the blocking loops (and those into `matMul`), V8's register allocator once
/// kept the accumulators and the memory base on the stack: 25 instead of 40+ GFLOP/s. The
/// loop over row panels stays inside, so the call is paid once per column of tiles, and V8
/// still unrolls the nested step loop. `inline(never)` binds LLVM only: binaryen's
/// `wasm-opt -O3` (scripts/build-wasm.mjs) inlines functions by its own rules, and a change
/// to the blocking code's call graph (2026-12-02: a second band function calling a second
/// column kernel) once made it inline these, and every GEMM ran at 0.70× — while the module
/// before wasm-opt (`target/wasm-mt/…/neurite_wasm.wasm`) ran at full speed. After changing
/// the calls around the micro-kernel, time the optimized module against that one.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn column<const V: usize, const OWN_ROWS: bool>(
    mc: usize,
    cols: usize,
    kc: usize,
    a: ABlock,
    pb: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    let full = mc / MR;
    for q in 0..full {
        tile_rows::<MR, V, OWN_ROWS>(kc, a.panel(q), pb, ldb, &mut c[q * MR * ldc..], ldc, cols, accumulate);
    }
    let rest = mc % MR;
    if rest == 0 {
        return;
    }
    let (pa, c) = (a.panel(full), &mut c[full * MR * ldc..]);
    match rest {
        3 => tile_rows::<3, V, OWN_ROWS>(kc, pa, pb, ldb, c, ldc, cols, accumulate),
        2 => tile_rows::<2, V, OWN_ROWS>(kc, pa, pb, ldb, c, ldc, cols, accumulate),
        _ => tile_rows::<1, V, OWN_ROWS>(kc, pa, pb, ldb, c, ldc, cols, accumulate),
    }
}

/// A full `1 × W1` tile (`rows == 1`) or `2 × W2` tile (`rows == 2`) from a packed `A` panel;
/// same contract as a one-panel [`tile_column`] with the wider `B` panel. (`inline(never)`
/// for the reason given at `column`.)
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn tile_wide(rows: usize, kc: usize, pa: &[f32], pb: &[f32], ldb: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    let a = APanel::packed(pa);
    match rows {
        1 => tile_rows::<1, V1, false>(kc, a, pb, ldb, c, ldc, W1, accumulate),
        2 => tile_rows::<2, V2, false>(kc, a, pb, ldb, c, ldc, W2, accumulate),
        _ => {}
    }
}

/// Where the tiles of a convolution read their window (no gathered patches): tap
/// `p = i·kw + j` of output position `r` is `a[i·line + j·dx + r·sx]`, `a` being the window's
/// input rows (zero-padded, `line` apart), `dx` the dilation and `sx` the stride along the width.
/// With `c` channels and no dilation along the width, a window row's taps are one run: `kw` is
/// then the window's width times `c`, `dx` 1 and `sx` the stride times `c` (`ops::conv`).
#[derive(Clone, Copy)]
pub struct Taps {
    pub kh: usize,
    pub kw: usize,
    pub line: usize,
    pub dx: usize,
    pub sx: usize,
}

/// A row of output positions of a convolution read in place ([`Taps`]): positions `0..n` (in tiles of `MR`,
/// then one at a time) times filters `0..cols` (`cols ≤ NR`) from the packed filter panel `pb`
/// (`kh·kw` rows of `NR`), into `c` (positions `ldc` apart). Each tile sums the taps in order
/// of `p` from zero with the GEMM's steps, so its values are the bits of the GEMM over the
/// gathered patches. Two tile shapes only (`MR × NR`, `1 × NR`), for the size of the wasm.
/// (`inline(never)` for the reason given at `column`.)
#[inline(never)]
pub fn taps_column(n: usize, cols: usize, t: Taps, a: &[f32], pb: &[f32], c: &mut [f32], ldc: usize) {
    let full = n / MR;
    for q in 0..full {
        tile_taps::<MR, NV>(t, &a[q * MR * t.sx..], pb, &mut c[q * MR * ldc..], ldc, cols);
    }
    for r in full * MR..n {
        tile_taps::<1, NV>(t, &a[r * t.sx..], pb, &mut c[r * ldc..], ldc, cols);
    }
}

/// The portable in-place convolution tile (see [`taps_column`]): the steps of `tile_rows` over the taps.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn tile_taps<const R: usize, const V: usize>(t: Taps, a: &[f32], pb: &[f32], c: &mut [f32], ldc: usize, cols: usize) {
    let mut acc = [[[0f32; 4]; V]; R];
    for (p, b) in pb.chunks(NR).take(t.kh * t.kw).enumerate() {
        let b = &b[..4 * V];
        let at = (p / t.kw) * t.line + (p % t.kw) * t.dx;
        for (r, row) in acc.iter_mut().enumerate() {
            let av = a[at + r * t.sx];
            for (x, &bv) in row.as_flattened_mut().iter_mut().zip(b) {
                *x += av * bv;
            }
        }
    }
    store(&acc, c, ldc, cols, false);
}

/// The portable micro-kernel: `R` rows of `V` groups of 4 accumulators, in an array that the
/// compiler keeps in registers (and vectorises on targets with SIMD). `OWN_ROWS` is
/// `a.row != 1`; the portable version does not need the distinction.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tile_rows<const R: usize, const V: usize, const OWN_ROWS: bool>(
    kc: usize,
    a: APanel,
    pb: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    cols: usize,
    accumulate: bool,
) {
    let mut acc = [[[0f32; 4]; V]; R];
    for (p, b) in pb.chunks(ldb.max(1)).take(kc).enumerate() {
        let b = &b[..4 * V];
        for (r, row) in acc.iter_mut().enumerate() {
            let av = a.a[p * a.step + r * a.row];
            for (x, &bv) in row.as_flattened_mut().iter_mut().zip(b) {
                *x += av * bv;
            }
        }
    }
    store(&acc, c, ldc, cols, accumulate);
}

/// Writes (or adds) the first `cols` columns of each accumulator row into `C`.
#[inline(always)]
pub(super) fn store<const R: usize, const V: usize>(acc: &[[[f32; 4]; V]; R], c: &mut [f32], ldc: usize, cols: usize, accumulate: bool) {
    for (r, row) in acc.iter().enumerate() {
        let dst = &mut c[r * ldc..r * ldc + cols];
        let row = &row.as_flattened()[..cols];
        if accumulate {
            for (d, &v) in dst.iter_mut().zip(row) {
                *d += v;
            }
        } else {
            dst.copy_from_slice(row);
        }
    }
}
