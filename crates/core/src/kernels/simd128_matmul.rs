//! The wasm32 simd128 GEMM micro-kernel, the SIMD twin of the portable `tile_rows` in
//! `matmul_tile.rs` (same signature, same order of operations, bit-identical results).
//!
//! ```text
//! for p in 0..kc:                          // one step: V loads, R splats, R·V mul + add
//!     b[v]   = pb[p·ldb + 4v .. 4v+4]      // v < V
//!     a      = splat(A(r, p))              // r < R: a[p·step + r·row]
//!     acc[r][v] = acc[r][v] + a · b[v]     // f32x4.mul then f32x4.add
//! ```
//!
//! NOTE: the default build uses plain `f32x4.mul` + `f32x4.add`, not relaxed SIMD's
//! `relaxed_madd`: a fused multiply-add rounds once, an unfused one twice, and runtimes differ
//! in which they pick, so results would depend on the engine (and the CPU). Plain SIMD is
//! deterministic everywhere. A build with `-C target-feature=+relaxed-simd` (the opt-in
//! relaxed `.wasm`) uses `f32x4.relaxed_madd` in the step instead: faster where the engine
//! fuses it, and its results are still the same for any number of threads on one machine and
//! engine, but not across machines or engines, and not equal to the default build's.

#[cfg(not(target_feature = "relaxed-simd"))]
use core::arch::wasm32::f32x4_mul;
#[cfg(target_feature = "relaxed-simd")]
use core::arch::wasm32::f32x4_relaxed_madd;
use core::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_splat, i32x4_shuffle, i64x2_shuffle, v128, v128_load, v128_load32_splat, v128_store};
use core::ptr::with_exposed_provenance;

use super::matmul_tile::{store, APanel, Taps, NR};

/// One step of `p`: `acc[r][v] += splat(*a[r]) · b[4v..4v+4]`.
///
/// # Safety
/// `*a[r]` (r < R) and `b[..4·V]` must be readable.
#[inline(always)]
unsafe fn step<const R: usize, const V: usize>(a: [*const f32; R], b: *const f32, acc: &mut [[v128; V]; R]) {
    let bv: [v128; V] = core::array::from_fn(|v| v128_load(b.add(4 * v).cast()));
    for (row, &ar) in acc.iter_mut().zip(&a) {
        let av = v128_load32_splat(ar.cast());
        for (x, &bb) in row.iter_mut().zip(&bv) {
            #[cfg(not(target_feature = "relaxed-simd"))]
            {
                *x = f32x4_add(*x, f32x4_mul(av, bb));
            }
            // x + a·b, fused where the engine chooses to (see the module docs).
            #[cfg(target_feature = "relaxed-simd")]
            {
                *x = f32x4_relaxed_madd(av, bb, *x);
            }
        }
    }
}

/// `x + a·b` lane by lane, as [`step`] computes it (fused in the `+relaxed-simd` build).
#[inline(always)]
fn madd(a: v128, b: v128, x: v128) -> v128 {
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(x, f32x4_mul(a, b))
    }
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, x)
    }
}

/// The few-row kernel for `B` not transposed (`matmul_stream::piece_rows`): for rows
/// `i < rows_a` (at most 4) of `t` (`ldt` apart) and columns `j < cols`,
/// `t[i, j] = (…((t[i, j] + a(i, 0)·b[j]) + a(i, 1)·b[ldb + j]) + …) + a(i, Q-1)·b[(Q-1)·ldb + j]`
/// with `a(i, s) = a.a[s·step + i·row]`, starting from 0 instead of `t` if `from_zero`. The
/// `Q` rows of `B` are read once, left to right, in vectors of 4 columns, each used for all
/// rows; the last `cols % 4` columns go through one lane of a vector, so they round (and
/// fuse) as the others do.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn axpy_rows<const Q: usize>(rows_a: usize, a: APanel, b: &[f32], ldb: usize, cols: usize, t: &mut [f32], ldt: usize, from_zero: bool) {
    const MAX_R: usize = 4;
    let r_n = rows_a;
    assert!(Q >= 1 && r_n >= 1 && r_n <= MAX_R && cols >= 1);
    assert!(a.a.len() > (Q - 1) * a.step + (r_n - 1) * a.row && b.len() >= (Q - 1) * ldb + cols && t.len() >= (r_n - 1) * ldt + cols);
    // The splats of a(i, s), made once: the loop reads them at fixed offsets.
    let mut av = [[f32x4_splat(0.0); Q]; MAX_R];
    for (i, ai) in av.iter_mut().enumerate().take(r_n) {
        *ai = core::array::from_fn(|s| f32x4_splat(a.a[s * a.step + i * a.row]));
    }
    let av = &av[..r_n];
    let (b0, t0) = (b.as_ptr(), t.as_mut_ptr());
    let rows: [*const f32; Q] = core::array::from_fn(|s| b0.wrapping_add(s * ldb));
    let vecs = cols / 4;
    let zero = f32x4_splat(0.0);
    // SAFETY (all the loads and stores below): b[s·ldb + j] and t[i·ldt + j] for s < Q, i < R,
    // j < cols are in bounds by the asserts; wasm loads need no alignment.
    unsafe {
        let mut v = 0;
        if r_n == 1 {
            // Two vectors at a time: two independent chains of Q adds in flight (the adds of
            // one element are sequential; more elements at once hide their latency).
            while v + 2 <= vecs {
                let tp = t0.add(4 * v);
                let (mut x, mut y) = if from_zero { (zero, zero) } else { (v128_load(tp.cast()), v128_load(tp.add(4).cast())) };
                for s in 0..Q {
                    x = madd(av[0][s], v128_load(rows[s].add(4 * v).cast()), x);
                    y = madd(av[0][s], v128_load(rows[s].add(4 * v + 4).cast()), y);
                }
                v128_store(tp.cast(), x);
                v128_store(tp.add(4).cast(), y);
                v += 2;
            }
        }
        for v in v..vecs {
            let bv: [v128; Q] = core::array::from_fn(|s| v128_load(rows[s].add(4 * v).cast()));
            for (i, ai) in av.iter().enumerate() {
                let tp = t0.add(i * ldt + 4 * v);
                let mut x = if from_zero { zero } else { v128_load(tp.cast()) };
                for s in 0..Q {
                    x = madd(ai[s], bv[s], x);
                }
                v128_store(tp.cast(), x);
            }
        }
        for j in 4 * vecs..cols {
            for (i, ai) in av.iter().enumerate() {
                let tp = t0.add(i * ldt + j);
                let mut x = if from_zero { zero } else { f32x4_splat(*tp) };
                for s in 0..Q {
                    x = madd(ai[s], f32x4_splat(*rows[s].add(j)), x);
                }
                *tp = f32x4_extract_lane::<0>(x);
            }
        }
    }
}

/// The few-row kernel for `B` transposed (`matmul_stream::piece_transposed`): rows `0..R` and
/// columns `0..cols` (`cols ≤ 4G`) of `C` (`ldc` apart) over `kc` steps, where step `p` of
/// column `j` of `op(B)` is `b[j·ldb + p]` (rows of `b`, read along `p`). Each group of 4
/// rows of `b` is loaded 4 steps at a time and transposed in registers, so each accumulator
/// lane sums its column in order of `p` with [`madd`], as the micro-kernel does; stored (or
/// added, if `accumulate`) as [`tile_rows`] stores. Columns past `cols` repeat the last one
/// and are not stored.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn dot_tile<const R: usize, const G: usize>(kc: usize, a: APanel, b: &[f32], ldb: usize, cols: usize, c: &mut [f32], ldc: usize, accumulate: bool) {
    assert!(R >= 1 && G >= 1 && cols >= 1 && cols <= 4 * G);
    assert!(kc == 0 || (a.a.len() > (kc - 1) * a.step + (R - 1) * a.row && b.len() >= (cols - 1) * ldb + kc));
    assert!(c.len() >= (R - 1) * ldc + cols);
    let (a0, b0) = (a.a.as_ptr(), b.as_ptr());
    // SAFETY (all the loads below): rows j < cols of b hold kc steps and a(r, p) is in bounds
    // for r < R, p < kc, by the asserts; wasm loads need no alignment.
    unsafe {
        let rows: [[*const f32; 4]; G] = core::array::from_fn(|g| core::array::from_fn(|r| b0.add((4 * g + r).min(cols - 1) * ldb)));
        let ar: [*const f32; R] = core::array::from_fn(|r| a0.add(r * a.row));
        let mut acc = [[f32x4_splat(0.0); G]; R];
        let mut p = 0;
        while p + 4 <= kc {
            for (g, rg) in rows.iter().enumerate() {
                let [x0, x1, x2, x3]: [v128; 4] = core::array::from_fn(|r| v128_load(rg[r].add(p).cast()));
                let (x01, x23) = (i32x4_shuffle::<0, 4, 1, 5>(x0, x1), i32x4_shuffle::<0, 4, 1, 5>(x2, x3));
                let (y01, y23) = (i32x4_shuffle::<2, 6, 3, 7>(x0, x1), i32x4_shuffle::<2, 6, 3, 7>(x2, x3));
                let steps = [
                    i64x2_shuffle::<0, 2>(x01, x23),
                    i64x2_shuffle::<1, 3>(x01, x23),
                    i64x2_shuffle::<0, 2>(y01, y23),
                    i64x2_shuffle::<1, 3>(y01, y23),
                ];
                for (q, &bq) in steps.iter().enumerate() {
                    for (row, &ai) in acc.iter_mut().zip(&ar) {
                        row[g] = madd(v128_load32_splat(ai.add((p + q) * a.step).cast()), bq, row[g]);
                    }
                }
            }
            p += 4;
        }
        while p < kc {
            for (g, rg) in rows.iter().enumerate() {
                let bq = f32x4(*rg[0].add(p), *rg[1].add(p), *rg[2].add(p), *rg[3].add(p));
                for (row, &ai) in acc.iter_mut().zip(&ar) {
                    row[g] = madd(v128_load32_splat(ai.add(p * a.step).cast()), bq, row[g]);
                }
            }
            p += 1;
        }
        store_tile(&acc, c, ldc, cols, accumulate);
    }
}

/// `R × 4V` micro-kernel; `OWN_ROWS` is `a.row != 1`. See `matmul_tile::tile` for the
/// contract; it is re-checked here because the loads below are unchecked.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn tile_rows<const R: usize, const V: usize, const OWN_ROWS: bool>(
    kc: usize,
    a: APanel,
    pb: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
    cols: usize,
    accumulate: bool,
) {
    assert!(R >= 1 && cols >= 1 && cols <= 4 * V && OWN_ROWS == (a.row != 1));
    assert!(kc == 0 || (a.a.len() > (kc - 1) * a.step + (R - 1) * a.row && pb.len() >= (kc - 1) * ldb + 4 * V));
    assert!(c.len() >= (R - 1) * ldc + cols);
    let mut acc = [[f32x4_splat(0.0); V]; R];
    // NOTE: the panels are walked with integer addresses, not pointer increments. LLVM's loop
    // strength reduction rewrites pointer induction variables into plain (wrapping) adds,
    // which the wasm backend then cannot fold into the loads' constant offsets: every load
    // would pay an extra `i32.add`. Through an integer address LLVM keeps `a + 4r` as a
    // load offset. Measured: ~10% on the 4×8 tile.
    let a0 = a.a.as_ptr().expose_provenance();
    let mut ar: [usize; R] = core::array::from_fn(|r| a0 + 4 * r * a.row);
    let mut b = pb.as_ptr().expose_provenance();
    for _ in 0..kc {
        let rows: [*const f32; R] = if OWN_ROWS {
            ar.map(with_exposed_provenance)
        } else {
            let a: *const f32 = with_exposed_provenance(ar[0]);
            // SAFETY: in bounds by the asserts (row r of step p is a[p·step + r]).
            core::array::from_fn(|r| unsafe { a.add(r) })
        };
        // SAFETY: step p reads a[p·step + r·row] (r < R) and pb[p·ldb .. p·ldb + 4V]; the
        // asserts above keep both in bounds for p < kc. wasm loads need no alignment.
        unsafe { step(rows, with_exposed_provenance(b), &mut acc) };
        if OWN_ROWS {
            for x in &mut ar {
                *x += 4 * a.step;
            }
        } else {
            ar[0] += 4 * a.step;
        }
        b += ldb * 4;
    }
    store_tile(&acc, c, ldc, cols, accumulate);
}

/// Writes (or adds, if `accumulate`) the first `cols` columns of the `R × 4V` accumulators into
/// `C` (rows `ldc` apart): whole rows as v128 stores, a partial tile through `store`.
#[inline(always)]
fn store_tile<const R: usize, const V: usize>(acc: &[[v128; V]; R], c: &mut [f32], ldc: usize, cols: usize, accumulate: bool) {
    if cols == 4 * V {
        for (r, row) in acc.iter().enumerate() {
            let dst = &mut c[r * ldc..r * ldc + 4 * V];
            for (v, &x) in row.iter().enumerate() {
                // SAFETY: `dst` has 4V elements, so 4v..4v+4 is in bounds.
                unsafe {
                    let p = dst.as_mut_ptr().add(4 * v);
                    let y = if accumulate { f32x4_add(v128_load(p.cast()), x) } else { x };
                    v128_store(p.cast(), y);
                }
            }
        }
    } else {
        let mut out = [[[0f32; 4]; V]; R];
        for (o, row) in out.iter_mut().zip(acc) {
            for (o, &x) in o.iter_mut().zip(row) {
                // SAFETY: `o` is 4 floats, one v128.
                unsafe { v128_store(o.as_mut_ptr().cast(), x) };
            }
        }
        store(&out, c, ldc, cols, accumulate);
    }
}

/// The in-place convolution tile (`matmul_tile::taps_column`): `R` output positions ×
/// `4V` filters, the taps in order of `p = i·kw + j` with [`step`] (the GEMM's steps, so the
/// same bits as the GEMM over gathered patches), stored as `tile_rows` stores a first block.
#[inline(always)]
pub fn tile_taps<const R: usize, const V: usize>(t: Taps, a: &[f32], pb: &[f32], c: &mut [f32], ldc: usize, cols: usize) {
    let k = t.kh * t.kw;
    assert!(R >= 1 && cols >= 1 && cols <= 4 * V && k >= 1);
    assert!(a.len() > (t.kh - 1) * t.line + (t.kw - 1) * t.dx + (R - 1) * t.sx && pb.len() >= (k - 1) * NR + 4 * V);
    assert!(c.len() >= (R - 1) * ldc + cols);
    let mut acc = [[f32x4_splat(0.0); V]; R];
    let (a0, b0) = (a.as_ptr(), pb.as_ptr());
    for i in 0..t.kh {
        for j in 0..t.kw {
            let at = i * t.line + j * t.dx;
            // SAFETY: tap (i, j) of row r is a[at + r·sx] and its filters pb[p·NR .. p·NR + 4V],
            // in bounds by the asserts above; wasm loads need no alignment.
            unsafe {
                let rows: [*const f32; R] = core::array::from_fn(|r| a0.add(at + r * t.sx));
                step(rows, b0.add((i * t.kw + j) * NR), &mut acc);
            }
        }
    }
    store_tile(&acc, c, ldc, cols, false);
}

/// The packing's transpose (`matmul_pack::transpose_rows`) on whole 4×4 blocks:
/// `out[p][r] = src[r][p]` for `p` below `out.len()` rounded down to a multiple of 4, which it
/// returns (the caller copies the rest). `N` is a multiple of 4; every `src[r]` holds at least
/// `out.len()` values.
#[inline(always)]
pub fn transpose_by_4<const N: usize>(src: &[&[f32]; N], out: &mut [[f32; N]]) -> usize {
    let len = out.len() / 4 * 4;
    assert!(N.is_multiple_of(4) && src.iter().all(|s| s.len() >= len));
    for (g, rows) in src.chunks_exact(4).enumerate() {
        for (p, dst) in out[..len].chunks_exact_mut(4).enumerate() {
            // SAFETY: each row holds at least `len` values, so 4p..4p+4 is in bounds.
            let [a, b, c, d]: [v128; 4] = core::array::from_fn(|r| unsafe { v128_load(rows[r].as_ptr().add(4 * p).cast()) });
            // a0 b0 a1 b1 | c0 d0 c1 d1 | a2 b2 a3 b3 | c2 d2 c3 d3
            let (ab01, cd01) = (i32x4_shuffle::<0, 4, 1, 5>(a, b), i32x4_shuffle::<0, 4, 1, 5>(c, d));
            let (ab23, cd23) = (i32x4_shuffle::<2, 6, 3, 7>(a, b), i32x4_shuffle::<2, 6, 3, 7>(c, d));
            let cols = [
                i64x2_shuffle::<0, 2>(ab01, cd01),
                i64x2_shuffle::<1, 3>(ab01, cd01),
                i64x2_shuffle::<0, 2>(ab23, cd23),
                i64x2_shuffle::<1, 3>(ab23, cd23),
            ];
            for (line, col) in dst.iter_mut().zip(cols) {
                let four = &mut line[4 * g..4 * g + 4];
                // SAFETY: `four` is 4 floats, one v128; wasm stores need no alignment.
                unsafe { v128_store(four.as_mut_ptr().cast(), col) };
            }
        }
    }
    len
}
