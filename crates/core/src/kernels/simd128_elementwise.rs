//! The wasm32 simd128 twins of the element-wise kernels in `elementwise.rs`: same signatures,
//! same run forms, bit-identical results (checked from JS by `test/elementwise.test.ts`).
//!
//! ```text
//! for each 4-lane chunk:  out[i..i+4] = vop(x[i..i+4] | splat(x0), y[i..i+4] | splat(y0))
//! tail (< 4 values):      out[i] = sop(x[i], y[i])          // the scalar reference op
//! ```
//!
//! The lane ops are exact IEEE operations (`f32x4.add/sub/mul/div/sqrt/floor/ceil/nearest`),
//! NaN-propagating `f32x4.max/min` (= `max_f32`/`min_f32`), comparison masks ANDed with
//! `1.0`, and `pmax`/`pmin` for `clip` (= `scalar::clip_one`).

use core::arch::wasm32::*;
use core::iter::repeat;

use super::elementwise::{max_f32, min_f32, scalar};
use crate::ops::unary::UnaryOp;

/// Loads 4 lanes (shared with the other simd128 kernels).
#[inline(always)]
pub(super) fn load(c: &[f32; 4]) -> v128 {
    // SAFETY: `c` is 16 readable bytes; wasm loads need no alignment.
    unsafe { v128_load(c.as_ptr().cast()) }
}

/// Stores 4 lanes (shared with the other simd128 kernels).
#[inline(always)]
pub(super) fn store(c: &mut [f32; 4], v: v128) {
    // SAFETY: `c` is 16 writable bytes; wasm stores need no alignment.
    unsafe { v128_store(c.as_mut_ptr().cast(), v) }
}

/// `out = f(x, y)` over runs, 4 lanes at a time, with `s` on the tail and for single values.
#[inline(always)]
fn zip(x: &[f32], y: &[f32], out: &mut [f32], v: impl Fn(v128, v128) -> v128, s: impl Fn(f32, f32) -> f32) {
    let n = out.len();
    let (oc, ot) = out.as_chunks_mut::<4>();
    match (x, y) {
        (&[a], &[b]) if n != 1 => {
            let r = s(a, b);
            oc.iter_mut().for_each(|o| *o = [r; 4]);
            ot.fill(r);
        }
        (&[a], _) if n != 1 => {
            let (yc, yt) = y.as_chunks::<4>();
            let av = f32x4_splat(a);
            oc.iter_mut().zip(yc).for_each(|(o, b)| store(o, v(av, load(b))));
            ot.iter_mut().zip(yt).for_each(|(o, &b)| *o = s(a, b));
        }
        (_, &[b]) if n != 1 => {
            let (xc, xt) = x.as_chunks::<4>();
            let bv = f32x4_splat(b);
            oc.iter_mut().zip(xc).for_each(|(o, a)| store(o, v(load(a), bv)));
            ot.iter_mut().zip(xt).for_each(|(o, &a)| *o = s(a, b));
        }
        _ => {
            let ((xc, xt), (yc, yt)) = (x.as_chunks::<4>(), y.as_chunks::<4>());
            // Four 4-lane chunks per iteration, unrolled here: the build does not unroll loops
            // of unknown trip count (scripts/build-wasm.mjs, -unroll-runtime=false).
            let m = oc.len().min(xc.len()).min(yc.len());
            let ((o4, o1), (x4, x1), (y4, y1)) = (oc[..m].as_chunks_mut::<4>(), xc[..m].as_chunks::<4>(), yc[..m].as_chunks::<4>());
            o4.iter_mut().zip(x4).zip(y4).for_each(|((o, a), b)| (0..4).for_each(|i| store(&mut o[i], v(load(&a[i]), load(&b[i])))));
            o1.iter_mut().zip(x1).zip(y1).for_each(|((o, a), b)| store(o, v(load(a), load(b))));
            ot.iter_mut().zip(xt).zip(yt).for_each(|((o, &a), &b)| *o = s(a, b));
        }
    }
}

/// `out = f(x)`, 4 lanes at a time, with `s` on the tail.
#[inline(always)]
pub(super) fn map(x: &[f32], out: &mut [f32], v: impl Fn(v128) -> v128, s: impl Fn(f32) -> f32) {
    let (oc, ot) = out.as_chunks_mut::<4>();
    let (xc, xt) = x.as_chunks::<4>();
    oc.iter_mut().zip(xc).for_each(|(o, a)| store(o, v(load(a))));
    ot.iter_mut().zip(xt).for_each(|(o, &a)| *o = s(a));
}

macro_rules! binary {
    ($($name:ident = $v:expr, $s:expr;)*) => {$(
        /// The simd128 twin of `scalar::
        #[doc = stringify!($name)]
        /// `.
        // Out of line: `greater` and `greater_equal` call `less` and `less_equal` rather than
        // each inlining a copy of the loop.
        #[inline(never)]
        pub fn $name(x: &[f32], y: &[f32], out: &mut [f32]) {
            zip(x, y, out, $v, $s)
        }
    )*};
}

macro_rules! unary {
    ($($name:ident = $v:expr, $s:expr;)*) => {$(
        /// The simd128 twin of `scalar::
        #[doc = stringify!($name)]
        /// `.
        pub fn $name(x: &[f32], out: &mut [f32]) {
            map(x, out, $v, $s)
        }
    )*};
}

/// A comparison mask (all ones or all zeros per lane) as 1.0 / 0.0.
#[inline(always)]
fn ones(mask: v128) -> v128 {
    v128_and(mask, f32x4_splat(1.0))
}

#[inline(always)]
fn b(c: bool) -> f32 {
    if c {
        1.0
    } else {
        0.0
    }
}

binary! {
    add = |a, b| f32x4_add(a, b), |a, b| a + b;
    sub = |a, b| f32x4_sub(a, b), |a, b| a - b;
    mul = |a, b| f32x4_mul(a, b), |a, b| a * b;
    div = |a, b| f32x4_div(a, b), |a, b| a / b;
    maximum = |a, b| f32x4_max(a, b), max_f32;
    minimum = |a, b| f32x4_min(a, b), min_f32;
    equal = |a, b| ones(f32x4_eq(a, b)), |x, y| b(x == y);
    not_equal = |a, b| ones(f32x4_ne(a, b)), |x, y| b(x != y);
    less = |a, b| ones(f32x4_lt(a, b)), |x, y| b(x < y);
    less_equal = |a, b| ones(f32x4_le(a, b)), |x, y| b(x <= y);
}

/// The simd128 twin of `scalar::greater`: `x > y` is `y < x` (both false when either is NaN),
/// so it is [`less`] with the operands swapped, one body for both (the broadcast forms swap
/// too: a single `x` is `less`'s single `y`). 1.7 kB of wasm code less than a copy of its own.
pub fn greater(x: &[f32], y: &[f32], out: &mut [f32]) {
    less(y, x, out)
}

/// The simd128 twin of `scalar::greater_equal`: `x >= y` is `y <= x`, [`less_equal`] with the
/// operands swapped (as [`greater`]).
pub fn greater_equal(x: &[f32], y: &[f32], out: &mut [f32]) {
    less_equal(y, x, out)
}

unary! {
    neg = |a| f32x4_neg(a), |a: f32| -a;
    abs = |a| f32x4_abs(a), f32::abs;
    sqrt = |a| f32x4_sqrt(a), f32::sqrt;
    square = |a| f32x4_mul(a, a), |a: f32| a * a;
    floor = |a| f32x4_floor(a), f32::floor;
    ceil = |a| f32x4_ceil(a), f32::ceil;
    round = |a| f32x4_nearest(a), f32::round_ties_even;
    reciprocal = |a| f32x4_div(f32x4_splat(1.0), a), |a: f32| 1.0 / a;
}

/// The simd128 twin of `scalar::rsqrt`: `1 / √x` in f64 lanes (two at a time), rounded once to
/// f32, the same exact IEEE operations as the reference.
pub fn rsqrt(x: &[f32], out: &mut [f32]) {
    let one = f64x2_splat(1.0);
    let half = |v: v128| f32x4_demote_f64x2_zero(f64x2_div(one, f64x2_sqrt(f64x2_promote_low_f32x4(v))));
    map(x, out, |a| i64x2_shuffle::<0, 2>(half(a), half(i64x2_shuffle::<1, 1>(a, a))), |a| UnaryOp::Rsqrt.apply(a))
}

/// The simd128 twin of `scalar::clip`: `pmin(pmax(x, lo), hi)`.
pub fn clip(x: &[f32], lo: f32, hi: f32, out: &mut [f32]) {
    let (lv, hv) = (f32x4_splat(lo), f32x4_splat(hi));
    map(x, out, |a| f32x4_pmin(f32x4_pmax(a, lv), hv), |a| scalar::clip_one(a, lo, hi))
}

/// Runs `f(q, from)` for every four lanes of a pooling step over the `len / c` output
/// positions: lanes `q..q+4` of the output (position `o`'s channels from `o·c`) and
/// `from..from+4` of `src` (from `o·step`); with stride 1 (`step == c`) the positions are one
/// run in both, taken without a loop per position. Checks that `src` holds every position;
/// `c` is a multiple of 4.
#[inline(always)]
fn pool_lanes(len: usize, src: &[f32], c: usize, step: usize, f: impl Fn(usize, usize)) {
    let n = len / c;
    if n == 0 {
        return;
    }
    assert!(src.len() >= (n - 1) * step + c, "pooling step: src too short");
    if step == c {
        return (0..n * c).step_by(4).for_each(|q| f(q, q));
    }
    for o in 0..n {
        for q in (0..c).step_by(4) {
            f(o * c + q, o * step + q);
        }
    }
}

/// The simd128 twin of `scalar::pool_max_strided`: `bitselect(v, pmax(best, v), v != v)`
/// (channels in fours; other channel counts run the scalar kernel).
pub fn pool_max_strided(best: &mut [f32], src: &[f32], c: usize, step: usize) {
    if !c.is_multiple_of(4) {
        return scalar::pool_max_strided(best, src, c, step);
    }
    let (b0, s0) = (best.as_mut_ptr(), src.as_ptr());
    pool_lanes(best.len(), src, c, step, |q, from| {
        // SAFETY: pool_lanes passes lanes inside `best` and `src` (it checks `src`); wasm loads
        // and stores need no alignment.
        unsafe {
            let (b, v) = (b0.add(q), s0.add(from));
            let (bv, vv) = (v128_load(b.cast()), v128_load(v.cast()));
            // pmax(b, v) = b < v ? v : b takes v where v > b (ties and a NaN b keep b); a NaN v
            // is then taken by the mask.
            v128_store(b.cast(), v128_bitselect(vv, f32x4_pmax(bv, vv), f32x4_ne(vv, vv)));
        }
    });
}

/// The simd128 twin of `scalar::pool_sum_strided` (channels in fours; other channel counts run
/// the scalar kernel).
pub fn pool_sum_strided(sum: &mut [f32], src: &[f32], c: usize, step: usize) {
    if !c.is_multiple_of(4) {
        return scalar::pool_sum_strided(sum, src, c, step);
    }
    let (a0, s0) = (sum.as_mut_ptr(), src.as_ptr());
    pool_lanes(sum.len(), src, c, step, |q, from| {
        // SAFETY: as in pool_max_strided.
        unsafe {
            let (a, v) = (a0.add(q), s0.add(from));
            v128_store(a.cast(), f32x4_add(v128_load(a.cast()), v128_load(v.cast())));
        }
    });
}

/// The simd128 twin of `scalar::pool_argmax_strided` (channels in fours; other channel counts
/// run the scalar kernel): the mask `v > best | (v != v & best == best) | arg == MAX` selects
/// both the value and its index.
pub fn pool_argmax_strided(best: &mut [f32], arg: &mut [u32], src: &[f32], first: u32, c: usize, step: usize) {
    if !c.is_multiple_of(4) {
        return scalar::pool_argmax_strided(best, arg, src, first, c, step);
    }
    assert!(arg.len() >= best.len(), "pool_argmax_strided: arg too short");
    let (none, lanes) = (u32x4_splat(u32::MAX), u32x4(0, 1, 2, 3));
    let (b0, a0, s0) = (best.as_mut_ptr(), arg.as_mut_ptr(), src.as_ptr());
    pool_lanes(best.len(), src, c, step, |q, from| {
        // SAFETY: as in pool_max_strided; `arg` is at least as long as `best`.
        unsafe {
            let (b, a, v) = (b0.add(q), a0.add(q), s0.add(from));
            let (bv, av, vv) = (v128_load(b.cast()), v128_load(a.cast()), v128_load(v.cast()));
            let nan_over_number = v128_and(f32x4_ne(vv, vv), f32x4_eq(bv, bv));
            let take = v128_or(v128_or(f32x4_gt(vv, bv), nan_over_number), i32x4_eq(av, none));
            let index = i32x4_add(u32x4_splat(first + from as u32), lanes);
            v128_store(b.cast(), v128_bitselect(vv, bv, take));
            v128_store(a.cast(), v128_bitselect(index, av, take));
        }
    });
}

/// The simd128 twin of `scalar::select`: `bitselect(a, b, c != 0)` per lane.
pub fn select(c: &[f32], a: &[f32], b: &[f32], out: &mut [f32]) {
    let n = out.len();
    let single = |s: &[f32]| (s.len() == 1 && n != 1).then(|| s[0]);
    if single(c).is_some() {
        // A fixed condition is a copy or a fill: nothing to vectorise.
        return scalar::select(c, a, b, out);
    }
    let zero = f32x4_splat(0.0);
    let (oc, ot) = out.as_chunks_mut::<4>();
    let (cc, ct) = c.as_chunks::<4>();
    // Each of `a`, `b` is a run of 4-lane chunks plus a tail, or a repeated value.
    macro_rules! run {
        ($av:expr, $at:expr, $bv:expr, $bt:expr) => {{
            for (((o, cv), av), bv) in oc.iter_mut().zip(cc).zip($av).zip($bv) {
                store(o, v128_bitselect(av, bv, f32x4_ne(load(cv), zero)));
            }
            for (((o, &cs), as_), bs) in ot.iter_mut().zip(ct).zip($at).zip($bt) {
                *o = if cs != 0.0 { as_ } else { bs };
            }
        }};
    }
    let (ac, at) = a.as_chunks::<4>();
    let (bc, bt) = b.as_chunks::<4>();
    fn lanes(c: &[[f32; 4]]) -> impl Iterator<Item = v128> + '_ {
        c.iter().map(load)
    }
    fn tail(t: &[f32]) -> impl Iterator<Item = f32> + '_ {
        t.iter().copied()
    }
    match (single(a), single(b)) {
        (None, None) => run!(lanes(ac), tail(at), lanes(bc), tail(bt)),
        (None, Some(vb)) => run!(lanes(ac), tail(at), repeat(f32x4_splat(vb)), repeat(vb)),
        (Some(va), None) => run!(repeat(f32x4_splat(va)), repeat(va), lanes(bc), tail(bt)),
        (Some(va), Some(vb)) => run!(repeat(f32x4_splat(va)), repeat(va), repeat(f32x4_splat(vb)), repeat(vb)),
    }
}
