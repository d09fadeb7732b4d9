//! Element-wise kernels over slices: binary ops, unary ops, `clip` and `select` (`where`), and
//! pooling's steps (`pool_max_strided`, `pool_argmax_strided`, `pool_sum_strided`: one window
//! offset over a row of output positions). No allocation, no shape checks (the op in `ops/`
//! did them).
//!
//! # Run forms
//! Binary kernels take each input either as a full run (`len == out.len()`) or as a single
//! value (`len == 1`) that is repeated. That covers tensor ⊕ tensor, tensor ⊕ scalar and the
//! inner runs of every broadcast (`ops::broadcast::Plan` cuts a broadcast into such runs).
//!
//! # Scalar reference and SIMD twins
//! [`scalar`] holds the reference kernels. On `wasm32` with `simd128`, the hot ones have
//! twins in `simd128_elementwise.rs` with identical signatures; the public functions here pick
//! the twin when it exists. The twins give bit-identical results: `+ − × ÷ √`, `floor`,
//! `ceil`, `round` and the comparisons are exact IEEE operations in both, and
//! `maximum`/`minimum` follow [`max_f32`]/[`min_f32`], which are exactly `f32x4.max/min`.
//! The JS suite `test/elementwise.test.ts` checks the wasm build against a JS reference;
//! `test/conv-ops.test.ts` checks the pooling steps' twins (against the taped form and TF.js).
//!
//! ```
//! use neurite_core::kernels::elementwise::{binary_kernel, select};
//! use neurite_core::ops::binary::BinaryOp;
//! let mut out = [0.0; 3];
//! binary_kernel(BinaryOp::Sub)(&[5.0, 6.0, 7.0], &[1.0], &mut out); // [5,6,7] - 1
//! assert_eq!(out, [4.0, 5.0, 6.0]);
//! select(&[1.0, 0.0, f32::NAN], &[1.0, 2.0, 3.0], &[-1.0], &mut out);
//! assert_eq!(out, [1.0, -1.0, 3.0]);
//! ```

use super::broadcast_rows::{self, Form};
use crate::ops::binary::BinaryOp;
use crate::ops::unary::UnaryOp;
use crate::parallel;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_elementwise as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// `out = f(x, y)` over runs (each input full or a single value).
pub type BinaryKernel = fn(&[f32], &[f32], &mut [f32]);
/// `out = f(x)`.
pub type UnaryKernel = fn(&[f32], &mut [f32]);

/// IEEE 754-2019 `maximum`: NaN if either is NaN, and `+0 > −0`. This is wasm's `f32.max`
/// and JS `Math.max`, so TF.js `maximum` agrees.
#[inline(always)]
pub fn max_f32(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else if b > a {
        b
    } else if a == b {
        // Equal: the same bits, or ±0 where +0 wins (clear the sign unless both are −0).
        f32::from_bits(a.to_bits() & b.to_bits())
    } else {
        f32::NAN
    }
}

/// IEEE 754-2019 `minimum`: NaN if either is NaN, and `−0 < +0` (wasm `f32.min`, JS `Math.min`).
#[inline(always)]
pub fn min_f32(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else if b < a {
        b
    } else if a == b {
        f32::from_bits(a.to_bits() | b.to_bits())
    } else {
        f32::NAN
    }
}

/// The kernel computing `op`: the simd128 twin when this build has one, else the reference.
pub fn binary_kernel(op: BinaryOp) -> BinaryKernel {
    match op {
        BinaryOp::Add => imp::add,
        BinaryOp::Sub => imp::sub,
        BinaryOp::Mul => imp::mul,
        BinaryOp::Div => imp::div,
        BinaryOp::Pow => super::pow::pow,
        BinaryOp::Maximum => imp::maximum,
        BinaryOp::Minimum => imp::minimum,
        BinaryOp::Equal => imp::equal,
        BinaryOp::NotEqual => imp::not_equal,
        BinaryOp::Greater => imp::greater,
        BinaryOp::GreaterEqual => imp::greater_equal,
        BinaryOp::Less => imp::less,
        BinaryOp::LessEqual => imp::less_equal,
        BinaryOp::Atan2 => scalar::atan2,
        BinaryOp::Mod => scalar::modulo,
        BinaryOp::FloorDiv => scalar::floor_div,
    }
}

/// `op(x, y)` for inputs of equal length, appended to `out` (which has the capacity), for the
/// ops where writing the output once — with no zero-fill before — is the whole cost. Returns
/// `false` (and leaves `out` empty) for the other ops. Results are bit-identical to the
/// kernels above; the loops auto-vectorise under simd128. Long runs are split over the
/// thread pool in chunks of [`CHUNK`].
/// Either input may also be a single value (a scalar broadcast over the other).
pub fn binary_into(op: BinaryOp, x: &[f32], y: &[f32], out: &mut Vec<f32>) -> bool {
    if !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div) {
        return false;
    }
    let n = x.len().max(y.len());
    if parallel::may_split(n.div_ceil(CHUNK), n) {
        binary_into_split(op, x, y, out);
        return true;
    }
    // NOTE: the one-thread loops stay as they were, apart from the split form (kept out of
    // line): with the split form inlined here, `add` of 4–64 Ki elements ran 1.1–1.6× slower.
    macro_rules! run {
        ($f:expr) => {
            match (x, y) {
                (&[a], _) if y.len() != 1 => out.extend(y.iter().map(|&b| $f(a, b))),
                (_, &[b]) if x.len() != 1 => out.extend(x.iter().map(|&a| $f(a, b))),
                _ => out.extend(x.iter().zip(y).map(|(&a, &b)| $f(a, b))),
            }
        };
    }
    match op {
        BinaryOp::Add => run!(|a: f32, b: f32| a + b),
        BinaryOp::Sub => run!(|a: f32, b: f32| a - b),
        BinaryOp::Mul => run!(|a: f32, b: f32| a * b),
        _ => run!(|a: f32, b: f32| a / b),
    }
    true
}

/// [`binary_into`] over the thread pool, in chunks of [`CHUNK`] computed by the kernels
/// above (same values).
#[inline(never)]
fn binary_into_split(op: BinaryOp, x: &[f32], y: &[f32], out: &mut Vec<f32>) {
    let n = x.len().max(y.len());
    let kernel = binary_kernel(op);
    parallel::extend_with(out, n, CHUNK, n, 0.0, |i, o| {
        let r = i * CHUNK..i * CHUNK + o.len();
        kernel(part(x, r.clone()), part(y, r), o)
    });
}

/// `op(a, b)` over `m` rows of `n` values, each input full, a column or a row
/// ([`broadcast_rows::Form`]), appended to `out` (which has the capacity): the short-row
/// broadcasts (`0 < n <` [`broadcast_rows::MAX_ROW`]). Returns `false` (and leaves `out`
/// empty) for longer rows. Split over the thread pool in chunks of whole blocks of rows (each
/// value computed alone: the same bits for any count).
pub fn binary_rows_into(op: BinaryOp, a: &[f32], fa: Form, b: &[f32], fb: Form, m: usize, n: usize, out: &mut Vec<f32>) -> bool {
    if n == 0 || n >= broadcast_rows::MAX_ROW {
        return false;
    }
    let size = m * n;
    let block = broadcast_rows::block_len(n);
    let chunk = (CHUNK / block).max(1) * block;
    let rows = chunk / n;
    let cost = if matches!(op, BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Mod | BinaryOp::FloorDiv) { TRANSCENDENTAL_COST } else { 1 };
    let kernel = binary_kernel(op);
    parallel::extend_with(out, size, chunk, size.saturating_mul(cost), 0.0, |i, o| {
        let r0 = i * rows;
        broadcast_rows::rows(kernel, fa.from_row(a, r0, n), fa, fb.from_row(b, r0, n), fb, n, o)
    });
    true
}

/// `op(x)` appended to `out` (see [`binary_into`]); `false` for ops not handled here.
pub fn unary_into(op: UnaryOp, x: &[f32], out: &mut Vec<f32>) -> bool {
    if !matches!(op, UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Square | UnaryOp::Sqrt) {
        return false;
    }
    let n = x.len();
    if parallel::may_split(n.div_ceil(CHUNK), n) {
        let kernel = unary_kernel(op);
        parallel::extend_with(out, n, CHUNK, n, 0.0, |i, o| kernel(&x[i * CHUNK..i * CHUNK + o.len()], o));
        return true;
    }
    match op {
        UnaryOp::Neg => out.extend(x.iter().map(|&a| -a)),
        UnaryOp::Abs => out.extend(x.iter().map(|&a| a.abs())),
        UnaryOp::Square => out.extend(x.iter().map(|&a| a * a)),
        _ => out.extend(x.iter().map(|&a| a.sqrt())),
    }
    true
}

/// Element-wise kernels run on the thread pool in chunks of this many elements (the cut
/// depends on the length only; every element is computed alone, so the bits never change).
pub const CHUNK: usize = 16 * 1024;

/// Work units (≈ flops) per element of the ops computed with a libm-style function.
const TRANSCENDENTAL_COST: usize = 16;

/// A run input for the elements `r` of the output: the run's part, or the single value.
#[inline(always)]
fn part(x: &[f32], r: core::ops::Range<usize>) -> &[f32] {
    if x.len() == 1 {
        x
    } else {
        &x[r]
    }
}

/// `out = op(x, y)` over runs (each input full or a single value), split over the thread pool
/// in chunks of [`CHUNK`].
pub fn binary(op: BinaryOp, x: &[f32], y: &[f32], out: &mut [f32]) {
    let kernel = binary_kernel(op);
    let cost = if matches!(op, BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Mod | BinaryOp::FloorDiv) { TRANSCENDENTAL_COST } else { 1 };
    let n = out.len();
    parallel::for_each_chunk_mut(out, CHUNK, n.saturating_mul(cost), |i, o| {
        let r = i * CHUNK..i * CHUNK + o.len();
        kernel(part(x, r.clone()), part(y, r), o)
    });
}

/// The kernel computing `op`: the simd128 twin when this build has one, else the reference.
pub fn unary_kernel(op: UnaryOp) -> UnaryKernel {
    match op {
        UnaryOp::Neg => imp::neg,
        UnaryOp::Abs => imp::abs,
        UnaryOp::Sqrt => imp::sqrt,
        UnaryOp::Square => imp::square,
        UnaryOp::Floor => imp::floor,
        UnaryOp::Ceil => imp::ceil,
        UnaryOp::Round => imp::round,
        UnaryOp::Reciprocal => imp::reciprocal,
        UnaryOp::Exp => crate::kernels::transcendental::exp,
        UnaryOp::Log => crate::kernels::transcendental::ln,
        UnaryOp::Sign => scalar::sign,
        UnaryOp::Log1p => crate::kernels::transcendental::log1p,
        UnaryOp::Expm1 => scalar::expm1,
        UnaryOp::Sin => scalar::sin,
        UnaryOp::Cos => scalar::cos,
        UnaryOp::Tan => scalar::tan,
        UnaryOp::Asin => scalar::asin,
        UnaryOp::Acos => scalar::acos,
        UnaryOp::Atan => scalar::atan,
        UnaryOp::Sinh => scalar::sinh,
        UnaryOp::Cosh => crate::kernels::transcendental::cosh,
        UnaryOp::Asinh => scalar::asinh,
        UnaryOp::Acosh => scalar::acosh,
        UnaryOp::Atanh => scalar::atanh,
        UnaryOp::Erf => scalar::erf,
        UnaryOp::Rsqrt => imp::rsqrt,
    }
}

/// `out = op(x)`, split over the thread pool in chunks of [`CHUNK`].
pub fn unary(op: UnaryOp, x: &[f32], out: &mut [f32]) {
    let kernel = unary_kernel(op);
    let cost = match op {
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sqrt | UnaryOp::Square | UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Reciprocal => 1,
        _ => TRANSCENDENTAL_COST,
    };
    let n = out.len();
    parallel::for_each_chunk_mut(out, CHUNK, n.saturating_mul(cost), |i, o| kernel(&x[i * CHUNK..i * CHUNK + o.len()], o));
}

/// `out = min(max(x, lo), hi)` with NaN kept; the caller ensures `lo <= hi`.
pub fn clip(x: &[f32], lo: f32, hi: f32, out: &mut [f32]) {
    imp::clip(x, lo, hi, out)
}

/// `out = c != 0 ? a : b` over runs (each of `c`, `a`, `b` full or a single value).
/// NaN counts as non-zero (true), `−0` as zero.
pub fn select(c: &[f32], a: &[f32], b: &[f32], out: &mut [f32]) {
    imp::select(c, a, b, out)
}

/// Max pooling's step, for `best.len() / c` output positions of `c` channels: position `o`
/// takes `v = src[o·step ..][..c]`, each value replacing `best`'s where `v > best` or `v` is
/// NaN (ties keep `best`, so the first of equal values and of `±0` stays; a NaN wins over
/// numbers).
pub fn pool_max_strided(best: &mut [f32], src: &[f32], c: usize, step: usize) {
    imp::pool_max_strided(best, src, c, step)
}

/// Average pooling's step: `sum[o·c ..][..c] += src[o·step ..][..c]` for each of the
/// `sum.len() / c` output positions.
pub fn pool_sum_strided(sum: &mut [f32], src: &[f32], c: usize, step: usize) {
    imp::pool_sum_strided(sum, src, c, step)
}

/// [`pool_max_strided`] that also keeps where each maximum came from: a value taken from `src`
/// sets its `arg` to `first` plus its index in `src`. Training's form: a value is taken where
/// `v > best`, or `v` is NaN and `best` is not (the first NaN stays), or `arg` is still
/// `u32::MAX` (nothing taken yet, so the first input is taken even if it is −∞).
pub fn pool_argmax_strided(best: &mut [f32], arg: &mut [u32], src: &[f32], first: u32, c: usize, step: usize) {
    imp::pool_argmax_strided(best, arg, src, first, c, step)
}

/// The scalar reference kernels. Every function has the signature of its public dispatcher.
pub mod scalar {
    use super::{max_f32, min_f32};
    use crate::ops::{binary::BinaryOp, unary::UnaryOp};
    use core::iter::repeat;

    /// Runs `f` over `x`, `y` where either may be a single repeated value.
    #[inline(always)]
    fn zip(x: &[f32], y: &[f32], out: &mut [f32], f: impl Fn(f32, f32) -> f32) {
        let n = out.len();
        match (x, y) {
            (&[a], &[b]) if n != 1 => out.fill(f(a, b)),
            (&[a], _) if n != 1 => out.iter_mut().zip(y).for_each(|(o, &b)| *o = f(a, b)),
            (_, &[b]) if n != 1 => out.iter_mut().zip(x).for_each(|(o, &a)| *o = f(a, b)),
            _ => out.iter_mut().zip(x).zip(y).for_each(|((o, &a), &b)| *o = f(a, b)),
        }
    }

    #[inline(always)]
    fn map(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = f(a));
    }

    macro_rules! binary {
        ($($(#[$m:meta])* $name:ident = $f:expr;)*) => {$(
            $(#[$m])*
            pub fn $name(x: &[f32], y: &[f32], out: &mut [f32]) {
                zip(x, y, out, $f)
            }
        )*};
    }

    macro_rules! unary {
        ($($(#[$m:meta])* $name:ident = $f:expr;)*) => {$(
            $(#[$m])*
            pub fn $name(x: &[f32], out: &mut [f32]) {
                map(x, out, $f)
            }
        )*};
    }

    fn b(c: bool) -> f32 {
        if c {
            1.0
        } else {
            0.0
        }
    }

    binary! {
        /// `x + y`.
        add = |a, b| a + b;
        /// `x − y`.
        sub = |a, b| a - b;
        /// `x · y`.
        mul = |a, b| a * b;
        /// `x / y` (IEEE: `x / 0` is ±∞ or NaN).
        div = |a, b| a / b;
        /// [`max_f32`] element-wise.
        maximum = max_f32;
        /// [`min_f32`] element-wise.
        minimum = min_f32;
        /// `x == y` as 1/0.
        equal = |x, y| b(x == y);
        /// `x != y` as 1/0 (true when either is NaN).
        not_equal = |x, y| b(x != y);
        /// `x > y` as 1/0.
        greater = |x, y| b(x > y);
        /// `x >= y` as 1/0.
        greater_equal = |x, y| b(x >= y);
        /// `x < y` as 1/0.
        less = |x, y| b(x < y);
        /// `x <= y` as 1/0.
        less_equal = |x, y| b(x <= y);
        /// `atan2(x, y)`, computed in f64 and rounded once.
        atan2 = |x, y| BinaryOp::Atan2.apply(x, y);
        /// `x mod y` with the sign of `y`, computed in f64 and rounded once.
        modulo = |x, y| BinaryOp::Mod.apply(x, y);
        /// `⌊x / y⌋`, computed in f64 and rounded once.
        floor_div = |x, y| BinaryOp::FloorDiv.apply(x, y);
    }

    unary! {
        /// `−x` (flips the sign bit, so `−0 ↔ +0`).
        neg = |a: f32| -a;
        /// `|x|`.
        abs = f32::abs;
        /// `√x`.
        sqrt = f32::sqrt;
        /// `x²`.
        square = |a: f32| a * a;
        /// Rounds down.
        floor = f32::floor;
        /// Rounds up.
        ceil = f32::ceil;
        /// Rounds to nearest, halves to even (wasm `f32.nearest`).
        round = f32::round_ties_even;
        /// `1 / x`.
        reciprocal = |a: f32| 1.0 / a;
        /// `eˣ`: the polynomial of `kernels/transcendental.rs` (within 2 ulp; its simd128 twin
        /// gives the same bits).
        exp = crate::kernels::transcendental::scalar::exp_one;
        /// `ln x`: as `exp`, the polynomial of `kernels/transcendental.rs`.
        log = crate::kernels::transcendental::scalar::ln_one;
        /// −1, 0 or 1; `sign(±0) = ±0`, `sign(NaN) = NaN`.
        sign = |a| UnaryOp::Sign.apply(a);
        /// `ln(1 + x)`: the polynomial of `kernels/transcendental.rs`.
        log1p = crate::kernels::transcendental::scalar::log1p_one;
        /// `eˣ − 1`.
        expm1 = f32::exp_m1;
        /// `sin x`.
        sin = f32::sin;
        /// `cos x`.
        cos = f32::cos;
        /// `tan x`, computed in f64 and rounded once.
        tan = |a| UnaryOp::Tan.apply(a);
        /// `asin x`, computed in f64 and rounded once.
        asin = |a| UnaryOp::Asin.apply(a);
        /// `acos x`, computed in f64 and rounded once.
        acos = |a| UnaryOp::Acos.apply(a);
        /// `atan x`, computed in f64 and rounded once.
        atan = |a| UnaryOp::Atan.apply(a);
        /// `sinh x`, computed in f64 and rounded once.
        sinh = |a| UnaryOp::Sinh.apply(a);
        /// `cosh x`, computed in f64 and rounded once (`kernels/transcendental.rs`).
        cosh = crate::kernels::transcendental::scalar::cosh_one;
        /// `asinh x`, computed in f64 and rounded once.
        asinh = |a| UnaryOp::Asinh.apply(a);
        /// `acosh x`, computed in f64 and rounded once.
        acosh = |a| UnaryOp::Acosh.apply(a);
        /// `atanh x`, computed in f64 and rounded once.
        atanh = |a| UnaryOp::Atanh.apply(a);
        /// `erf x`, computed in f64 and rounded once.
        erf = |a| UnaryOp::Erf.apply(a);
        /// `1 / √x`, computed in f64 and rounded once.
        rsqrt = |a| UnaryOp::Rsqrt.apply(a);
    }

    /// `(x < lo ? lo : x)`, then `(hi < t ? hi : t)`: NaN passes through (wasm `pmax`/`pmin`).
    #[inline(always)]
    pub fn clip_one(x: f32, lo: f32, hi: f32) -> f32 {
        let t = if x < lo { lo } else { x };
        if hi < t {
            hi
        } else {
            t
        }
    }

    /// See [`super::clip`].
    pub fn clip(x: &[f32], lo: f32, hi: f32, out: &mut [f32]) {
        map(x, out, |a| clip_one(a, lo, hi))
    }

    /// Max pooling's step on one value.
    #[inline(always)]
    pub fn pool_max_one(best: f32, v: f32) -> f32 {
        if v > best || v.is_nan() {
            v
        } else {
            best
        }
    }

    /// See [`super::pool_sum_strided`].
    pub fn pool_sum_strided(sum: &mut [f32], src: &[f32], c: usize, step: usize) {
        for (o, sum) in sum.chunks_exact_mut(c).enumerate() {
            sum.iter_mut().zip(&src[o * step..][..c]).for_each(|(a, &v)| *a += v);
        }
    }

    /// See [`super::pool_argmax_strided`].
    pub fn pool_argmax_strided(best: &mut [f32], arg: &mut [u32], src: &[f32], first: u32, c: usize, step: usize) {
        for (o, (best, arg)) in best.chunks_exact_mut(c).zip(arg.chunks_exact_mut(c)).enumerate() {
            for (k, ((b, a), &v)) in best.iter_mut().zip(arg).zip(&src[o * step..][..c]).enumerate() {
                if v > *b || (v.is_nan() && !b.is_nan()) || *a == u32::MAX {
                    *b = v;
                    *a = first + (o * step + k) as u32;
                }
            }
        }
    }

    /// See [`super::pool_max_strided`].
    pub fn pool_max_strided(best: &mut [f32], src: &[f32], c: usize, step: usize) {
        if c == 1 {
            // One channel (a grayscale image): a plain strided loop.
            return best.iter_mut().zip(src.iter().step_by(step)).for_each(|(b, &v)| *b = pool_max_one(*b, v));
        }
        for (o, best) in best.chunks_exact_mut(c).enumerate() {
            best.iter_mut().zip(&src[o * step..][..c]).for_each(|(b, &v)| *b = pool_max_one(*b, v));
        }
    }

    /// See [`super::select`]. Each input is iterated as its run or as a repeated value.
    pub fn select(c: &[f32], a: &[f32], b: &[f32], out: &mut [f32]) {
        let n = out.len();
        let single = |s: &[f32]| (s.len() == 1 && n != 1).then(|| s[0]);
        // One monomorphic loop per combination of full and single inputs.
        macro_rules! run {
            ($c:expr, $a:expr, $b:expr) => {
                for (((o, c), a), b) in out.iter_mut().zip($c).zip($a).zip($b) {
                    *o = if c != 0.0 { a } else { b };
                }
            };
        }
        fn it(s: &[f32]) -> core::iter::Copied<core::slice::Iter<'_, f32>> {
            s.iter().copied()
        }
        match (single(c), single(a), single(b)) {
            (None, None, None) => run!(it(c), it(a), it(b)),
            (None, None, Some(vb)) => run!(it(c), it(a), repeat(vb)),
            (None, Some(va), None) => run!(it(c), repeat(va), it(b)),
            (None, Some(va), Some(vb)) => run!(it(c), repeat(va), repeat(vb)),
            (Some(vc), ..) => fill_from(out, if vc != 0.0 { a } else { b }),
        }
    }

    /// Copies a run into `out`, or repeats a single value.
    pub(crate) fn fill_from(out: &mut [f32], src: &[f32]) {
        match src {
            &[v] if out.len() != 1 => out.fill(v),
            _ => out.iter_mut().zip(src).for_each(|(o, &v)| *o = v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Broadcasts against short rows split over the pool in whole periods: the same bits for
    /// 0, 1, 2, 3 and 8 workers, and those of the reference element by element.
    #[test]
    fn short_row_broadcasts_have_the_same_bits_for_any_worker_count() {
        use crate::parallel::testing::same_bits_for_all_counts;
        for n in [2usize, 3, 5, 8, 13] {
            let m = 3 * CHUNK / n + 7;
            let a: Vec<f32> = (0..m * n).map(|i| (i as f32 * 0.13).sin()).collect();
            let c: Vec<f32> = (0..m).map(|i| (i as f32 * 0.7).cos() + 1.5).collect();
            for (op, fb, b) in [(BinaryOp::Div, Form::Column, &c), (BinaryOp::Sub, Form::Row, &c[..n].to_vec())] {
                let got = same_bits_for_all_counts("short row broadcast", || {
                    let mut out = Vec::with_capacity(m * n);
                    assert!(binary_rows_into(op, &a, Form::Full, b, fb, m, n, &mut out));
                    out
                });
                for (e, g) in got.iter().enumerate() {
                    assert_eq!(g.to_bits(), op.apply(a[e], fb.at(b, e / n, e % n, n)).to_bits(), "{op:?} n={n} at {e}");
                }
            }
        }
    }

    #[test]
    fn max_min_follow_ieee_2019() {
        assert_eq!(max_f32(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(max_f32(0.0, -0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(max_f32(-0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(min_f32(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert!(max_f32(f32::NAN, 1.0).is_nan() && max_f32(1.0, f32::NAN).is_nan());
        assert!(min_f32(f32::NAN, 1.0).is_nan() && min_f32(1.0, f32::NAN).is_nan());
        assert_eq!(max_f32(f32::NEG_INFINITY, -3.0), -3.0);
        assert_eq!(min_f32(2.0, 3.0), 2.0);
    }

    #[test]
    fn every_run_form_on_odd_lengths() {
        for n in [0usize, 1, 3, 4, 5, 15, 16, 17, 1023] {
            let x: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 3.0).collect();
            let y: Vec<f32> = (0..n).map(|i| 7.0 - i as f32).collect();
            for op in BinaryOp::ALL {
                let mut out = vec![f32::NAN; n];
                binary(op, &x, &y, &mut out);
                for i in 0..n {
                    assert_eq!(out[i].to_bits(), op.apply(x[i], y[i]).to_bits(), "{op:?} n={n} i={i}");
                }
                if n > 0 {
                    binary(op, &x, &[2.0], &mut out);
                    assert!(out.iter().zip(&x).all(|(o, &a)| o.to_bits() == op.apply(a, 2.0).to_bits()));
                    binary(op, &[2.0], &y, &mut out);
                    assert!(out.iter().zip(&y).all(|(o, &b)| o.to_bits() == op.apply(2.0, b).to_bits()));
                }
            }
            for op in UnaryOp::ALL {
                let mut out = vec![0.0; n];
                unary(op, &x, &mut out);
                assert!(out.iter().zip(&x).all(|(o, &a)| o.to_bits() == op.apply(a).to_bits() || o.is_nan()));
            }
        }
    }

    #[test]
    fn clip_keeps_nan_and_signed_zero() {
        let x = [-2.0, -0.0, 0.5, 3.0, f32::NAN, f32::INFINITY];
        let mut out = [0.0; 6];
        clip(&x, -1.0, 1.0, &mut out);
        assert_eq!(&out[..4], &[-1.0, -0.0, 0.5, 1.0]);
        assert!(out[1].is_sign_negative() && out[4].is_nan() && out[5] == 1.0);
        clip(&x, 0.0, 0.0, &mut out);
        assert_eq!(out[0].to_bits(), 0.0f32.to_bits());
    }

    #[test]
    fn select_every_run_form() {
        let c = [1.0, 0.0, -0.0, f32::NAN];
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [10.0, 20.0, 30.0, 40.0];
        let mut out = [0.0; 4];
        select(&c, &a, &b, &mut out);
        assert_eq!(out, [1.0, 20.0, 30.0, 4.0]);
        select(&c, &[7.0], &b, &mut out);
        assert_eq!(out, [7.0, 20.0, 30.0, 7.0]);
        select(&c, &a, &[9.0], &mut out);
        assert_eq!(out, [1.0, 9.0, 9.0, 4.0]);
        select(&c, &[7.0], &[9.0], &mut out);
        assert_eq!(out, [7.0, 9.0, 9.0, 7.0]);
        select(&[0.0], &a, &b, &mut out);
        assert_eq!(out, b);
        select(&[2.0], &[5.0], &b, &mut out);
        assert_eq!(out, [5.0; 4]);
        let mut one = [0.0];
        select(&[0.0], &[1.0], &[2.0], &mut one);
        assert_eq!(one, [2.0]);
    }

    /// Lengths around the chunk (and the primes the thread tests use everywhere).
    const SPLIT_LENS: [usize; 11] = [0, 1, 7, 13, 127, 509, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1, 3 * CHUNK + 7];

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n).map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) as f32 / u32::MAX as f32 * 8.0 - 4.0).collect()
    }

    #[test]
    fn split_kernels_give_the_reference_bits_for_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        for n in SPLIT_LENS {
            let (x, y) = (values(n, 1), values(n, 2));
            for (xs, ys) in [(&x[..], &y[..]), (&x[..1.min(n)], &y[..]), (&x[..], &y[..1.min(n)])] {
                let len = xs.len().max(ys.len());
                if len != n {
                    continue;
                }
                for op in [BinaryOp::Add, BinaryOp::Div, BinaryOp::Maximum, BinaryOp::Pow] {
                    let mut want = vec![0.0; n];
                    let f = binary_kernel(op);
                    f(xs, ys, &mut want);
                    let got = same_bits_for_all_counts(&format!("{op:?} n={n}"), || {
                        let mut out = vec![f32::NAN; n];
                        binary(op, xs, ys, &mut out);
                        let mut into = Vec::with_capacity(n);
                        if binary_into(op, xs, ys, &mut into) {
                            assert_eq!(into.len(), n);
                            out.extend(into);
                        }
                        out
                    });
                    for (i, (g, w)) in got.iter().zip(want.iter().chain(&want)).enumerate() {
                        assert_eq!(g.to_bits(), w.to_bits(), "{op:?} n={n} at {i}");
                    }
                }
            }
            for op in [UnaryOp::Sqrt, UnaryOp::Exp, UnaryOp::Neg] {
                let mut want = vec![0.0; n];
                scalar_unary(op)(&x, &mut want);
                let got = same_bits_for_all_counts(&format!("{op:?} n={n}"), || {
                    let mut out = vec![f32::NAN; n];
                    unary(op, &x, &mut out);
                    let mut into = Vec::with_capacity(n);
                    if unary_into(op, &x, &mut into) {
                        out.extend(into);
                    }
                    out
                });
                for (i, (g, w)) in got.iter().zip(want.iter().chain(&want)).enumerate() {
                    assert_eq!(g.to_bits(), w.to_bits(), "{op:?} n={n} at {i}");
                }
            }
        }
    }

    fn scalar_unary(op: UnaryOp) -> UnaryKernel {
        match op {
            UnaryOp::Sqrt => scalar::sqrt,
            UnaryOp::Exp => scalar::exp,
            _ => scalar::neg,
        }
    }
}
