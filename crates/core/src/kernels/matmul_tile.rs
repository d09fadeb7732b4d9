//! The GEMM micro-kernel: one `rows × cols` tile of `C` from a packed panel of `A` and a panel
//! of `B`, accumulated in registers.
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
//! hide the 3-cycle add latency.
//!
//! On wasm32 with simd128 the tile is computed by `simd128_matmul::tile_rows`. Elsewhere the
//! portable version below runs with the same blocking and the same order of operations, so both
//! give bit-identical results.

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

const _: () = assert!(MR == 4, "update the row dispatch in `tile` when MR changes");

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_matmul::tile_rows;

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

/// Computes (or accumulates into) one `rows × cols` tile of `C` (`rows ≤ MR`, `cols ≤ NR`),
/// where `c[0]` is its top-left element and rows are `ldc` apart.
///
/// Preconditions (the driver guarantees them): `1 ≤ rows ≤ MR`, `1 ≤ cols ≤ NR`,
/// `a.a.len() > (kc-1)·a.step + (rows-1)·a.row`, `pb.len() ≥ (kc-1)·ldb + NR`,
/// `c.len() ≥ (rows-1)·ldc + cols`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn tile(rows: usize, cols: usize, kc: usize, a: APanel, pb: &[f32], ldb: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    macro_rules! rows {
        ($v:expr, $own_rows:literal) => {
            match rows {
                4 => tile_rows::<4, { $v }, $own_rows>(kc, a, pb, ldb, c, ldc, cols, accumulate),
                3 => tile_rows::<3, { $v }, $own_rows>(kc, a, pb, ldb, c, ldc, cols, accumulate),
                2 => tile_rows::<2, { $v }, $own_rows>(kc, a, pb, ldb, c, ldc, cols, accumulate),
                1 => tile_rows::<1, { $v }, $own_rows>(kc, a, pb, ldb, c, ldc, cols, accumulate),
                _ => {}
            }
        };
    }
    // A last panel of at most 4 columns (n = 10 → 8 + 2) runs one vector wide: half the
    // work of computing 8 columns and discarding most of them.
    match (cols <= 4, a.row == 1) {
        (false, true) => rows!(NV, false),
        (false, false) => rows!(NV, true),
        (true, true) => rows!(1, false),
        (true, false) => rows!(1, true),
    }
}

/// A full `1 × W1` tile (`rows == 1`) or `2 × W2` tile (`rows == 2`) from a packed `A` panel;
/// same contract as [`tile`] with the wider `B` panel.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn tile_wide(rows: usize, kc: usize, pa: &[f32], pb: &[f32], ldb: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    let a = APanel::packed(pa);
    match rows {
        1 => tile_rows::<1, V1, false>(kc, a, pb, ldb, c, ldc, W1, accumulate),
        2 => tile_rows::<2, V2, false>(kc, a, pb, ldb, c, ldc, W2, accumulate),
        _ => {}
    }
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
