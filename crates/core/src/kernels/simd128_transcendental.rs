//! The wasm32 simd128 twins of `transcendental::scalar`: the same operations lane-wise, in the
//! same order, bit-identical results (checked from JS by `test/simd.test.ts`). Each runs over
//! 4-lane chunks; the tail (< 4 values) goes through one more vector, padded with zeros (the
//! lanes are independent, so a value gets the same bits in the tail as in a full vector), and
//! the module carries no scalar copy of each kernel.

use core::arch::wasm32::*;

use super::simd128_elementwise::{load, store};
use super::transcendental::scalar::{COSH_HI, EXP64_P, LN2_HI64, LN2_LO64, ROUND64, EXPM1_LO, EXP_HI, EXP_LO, EXP_P, LN2_HI, LN2_LO, LN_Q, LOG2E, ROUND, SQRT_HALF, TWO_23};

/// `out = v(x)`, 4 lanes at a time; the tail is copied into a zero-padded vector and given to
/// `whole` (the kernel itself, out of line: one copy of `v` per kernel, and the loop over
/// whole vectors stays as tight as without a tail).
#[inline(always)]
fn map(x: &[f32], out: &mut [f32], v: impl Fn(v128) -> v128, whole: impl Fn(&[f32], &mut [f32])) {
    let (oc, ot) = out.as_chunks_mut::<4>();
    let (xc, xt) = x.as_chunks::<4>();
    oc.iter_mut().zip(xc).for_each(|(o, a)| store(o, v(load(a))));
    let n = ot.len().min(xt.len());
    if n > 0 {
        let (mut a, mut o) = ([0f32; 4], [0f32; 4]);
        a[..n].copy_from_slice(&xt[..n]);
        whole(&a, &mut o);
        ot[..n].copy_from_slice(&o[..n]);
    }
}

/// `2^k` lane-wise for `−126 ≤ k ≤ 127`.
#[inline(always)]
fn pow2(k: v128) -> v128 {
    i32x4_shl(i32x4_add(k, i32x4_splat(127)), 23)
}

/// `scalar::reduce`, lane-wise: `(k, r, P(r)·r²)`.
#[inline(always)]
fn reduce4(x: v128) -> (v128, v128, v128) {
    let round = f32x4_splat(ROUND);
    let t = f32x4_add(f32x4_mul(x, f32x4_splat(LOG2E)), round);
    let n = f32x4_sub(t, round);
    let r = f32x4_sub(x, f32x4_mul(n, f32x4_splat(LN2_HI)));
    let r = f32x4_sub(r, f32x4_mul(n, f32x4_splat(LN2_LO)));
    let z = f32x4_mul(r, r);
    let mut y = f32x4_splat(EXP_P[0]);
    for &c in &EXP_P[1..] {
        y = f32x4_add(f32x4_mul(y, r), f32x4_splat(c));
    }
    (i32x4_sub(t, round), r, f32x4_mul(y, z))
}

/// `scalar::exp_one`, lane-wise.
#[inline(always)]
fn exp4(x: v128) -> v128 {
    exp_below4(f32x4_pmin(x, f32x4_splat(EXP_HI))) // EXP_HI < x ? EXP_HI : x
}

/// `scalar::exp_one` of an `x ≤ EXP_HI` (or NaN), lane-wise: [`exp4`] without its upper clamp,
/// which is `x` itself for such lanes (NaN included), so the same bits with one operation less.
#[inline(always)]
fn exp_below4(x: v128) -> v128 {
    let x = f32x4_pmax(x, f32x4_splat(EXP_LO)); // x < EXP_LO ? EXP_LO : x
    let (k, r, yz) = reduce4(x);
    let p = f32x4_add(f32x4_add(yz, r), f32x4_splat(1.0));
    let k1 = i32x4_shr(k, 1);
    f32x4_mul(f32x4_mul(p, pow2(k1)), pow2(i32x4_sub(k, k1)))
}

/// `scalar::expm1_neg_one`, lane-wise.
#[inline(always)]
fn expm1_neg4(x: v128) -> v128 {
    let x = f32x4_pmin(x, f32x4_splat(0.0)); // 0 < x ? 0 : x
    let x = f32x4_pmax(x, f32x4_splat(EXPM1_LO)); // x < EXPM1_LO ? EXPM1_LO : x
    let (k, r, yz) = reduce4(x);
    let p = f32x4_add(yz, r);
    let s = pow2(k);
    let e = f32x4_sub(f32x4_mul(s, p), f32x4_sub(f32x4_splat(1.0), s));
    v128_or(e, v128_and(x, u32x4_splat(0x8000_0000)))
}

/// `scalar::ln_one`, lane-wise.
#[inline(always)]
fn ln4(x: v128) -> v128 {
    let sub = f32x4_lt(x, f32x4_splat(f32::MIN_POSITIVE));
    let xs = v128_bitselect(f32x4_mul(x, f32x4_splat(TWO_23)), x, sub);
    let e = v128_and(u32x4_shr(xs, 23), i32x4_splat(0xff));
    let e = i32x4_sub(i32x4_sub(e, i32x4_splat(126)), v128_and(sub, i32x4_splat(23)));
    let m = v128_or(v128_and(xs, u32x4_splat(0x807f_ffff)), i32x4_splat(0x3f00_0000));
    let small = f32x4_lt(m, f32x4_splat(SQRT_HALF));
    let e = i32x4_add(e, small); // the mask is −1 where small
    let one = f32x4_splat(1.0);
    let m = v128_bitselect(f32x4_sub(f32x4_add(m, m), one), f32x4_sub(m, one), small);
    let z = f32x4_mul(m, m);
    let mut y = f32x4_splat(LN_Q[0]);
    for &c in &LN_Q[1..] {
        y = f32x4_add(f32x4_mul(y, m), f32x4_splat(c));
    }
    let fe = f32x4_convert_i32x4(e);
    let y = f32x4_mul(f32x4_mul(y, m), z);
    let y = f32x4_add(y, f32x4_mul(fe, f32x4_splat(LN2_LO)));
    let y = f32x4_add(y, f32x4_mul(f32x4_splat(-0.5), z));
    let r = f32x4_add(m, y);
    let r = f32x4_add(r, f32x4_mul(fe, f32x4_splat(LN2_HI)));
    // The scalar if-chain's precedence, applied last-first: NaN, then −Inf, then +Inf.
    let r = v128_bitselect(f32x4_splat(f32::NAN), r, v128_not(f32x4_gt(x, f32x4_splat(0.0))));
    let r = v128_bitselect(f32x4_splat(f32::NEG_INFINITY), r, f32x4_eq(x, f32x4_splat(0.0)));
    v128_bitselect(f32x4_splat(f32::INFINITY), r, f32x4_eq(x, f32x4_splat(f32::INFINITY)))
}

/// `−|x|` lane-wise: the sign bit set, one operation (`f32x4.abs` and `f32x4.neg` each build a
/// mask on x86 before applying it); the same bits, NaN included.
#[inline(always)]
fn neg_abs4(x: v128) -> v128 {
    v128_or(x, u32x4_splat(0x8000_0000))
}

/// `scalar::sigmoid_one`, lane-wise.
#[inline(always)]
fn sigmoid4(x: v128) -> v128 {
    let e = exp_below4(neg_abs4(x)); // −|x| ≤ 0 < EXP_HI
    let d = f32x4_add(f32x4_splat(1.0), e);
    f32x4_div(v128_bitselect(f32x4_splat(1.0), e, f32x4_ge(x, f32x4_splat(0.0))), d)
}

/// `scalar::tanh_one`, lane-wise.
#[inline(always)]
fn tanh4(x: v128) -> v128 {
    // 2·(−|x|) is −2·|x|, and t / (−2 − t) is −t / (2 + t) (IEEE products, sums and
    // quotients are sign-symmetric): the same bits without `f32x4.abs` and `f32x4.neg`.
    let t = expm1_neg4(f32x4_mul(f32x4_splat(2.0), neg_abs4(x)));
    let y = f32x4_div(t, f32x4_sub(f32x4_splat(-2.0), t));
    v128_or(y, v128_and(x, u32x4_splat(0x8000_0000)))
}

/// `scalar::cosh_one` on two f64 lanes (the f32 lanes 0 and 1 of `x`), lanes 0 and 1 of the result.
#[inline(always)]
fn cosh2(x: v128) -> v128 {
    let a = f64x2_pmin(f64x2_promote_low_f32x4(f32x4_abs(x)), f64x2_splat(COSH_HI));
    let round = f64x2_splat(ROUND64);
    let t = f64x2_add(f64x2_mul(a, f64x2_splat(core::f64::consts::LOG2_E)), round);
    let n = f64x2_sub(t, round);
    let r = f64x2_sub(a, f64x2_mul(n, f64x2_splat(LN2_HI64)));
    let r = f64x2_sub(r, f64x2_mul(n, f64x2_splat(LN2_LO64)));
    let mut y = f64x2_splat(EXP64_P[0]);
    for &c in &EXP64_P[1..] {
        y = f64x2_add(f64x2_mul(y, r), f64x2_splat(c));
    }
    let one = f64x2_splat(1.0);
    let p = f64x2_add(f64x2_mul(f64x2_add(f64x2_mul(y, r), one), r), one);
    let up = i64x2_shl(i64x2_add(t, i64x2_splat(1022)), 52);
    let down = i64x2_shl(i64x2_sub(i64x2_splat(1022), t), 52);
    f32x4_demote_f64x2_zero(f64x2_add(f64x2_mul(p, up), f64x2_mul(f64x2_div(one, p), down)))
}

/// `scalar::log1p_one`, lane-wise.
#[inline(always)]
fn log1p4(x: v128) -> v128 {
    let one = f32x4_splat(1.0);
    let u = f32x4_add(one, x);
    let c = f32x4_div(f32x4_sub(x, f32x4_sub(u, one)), u);
    let c = v128_and(c, f32x4_eq(c, c)); // NaN -> +0
    let r = f32x4_add(ln4(u), c);
    v128_bitselect(x, r, f32x4_eq(u, one))
}

/// `scalar::softplus_one`, lane-wise.
#[inline(always)]
fn softplus4(x: v128) -> v128 {
    let m = v128_and(x, f32x4_gt(x, f32x4_splat(0.0))); // x > 0 ? x : +0
    f32x4_add(m, log1p4(exp_below4(neg_abs4(x)))) // −|x| ≤ 0 < EXP_HI
}

/// The simd128 twin of `scalar::cosh`.
#[inline(never)]
pub fn cosh(x: &[f32], out: &mut [f32]) {
    map(x, out, |v| i64x2_shuffle::<0, 2>(cosh2(v), cosh2(i64x2_shuffle::<1, 1>(v, v))), cosh);
}

/// The simd128 twin of `scalar::log1p`.
#[inline(never)]
pub fn log1p(x: &[f32], out: &mut [f32]) {
    map(x, out, log1p4, log1p);
}

/// The simd128 twin of `scalar::softplus`.
#[inline(never)]
pub fn softplus(x: &[f32], out: &mut [f32]) {
    map(x, out, softplus4, softplus);
}

/// The simd128 twin of `scalar::exp`.
#[inline(never)]
pub fn exp(x: &[f32], out: &mut [f32]) {
    map(x, out, exp4, exp);
}

/// The simd128 twin of `scalar::exp_shifted`.
#[inline(never)]
pub fn exp_shifted(x: &[f32], m: f32, out: &mut [f32]) {
    let mv = f32x4_splat(m);
    map(x, out, |v| exp4(f32x4_sub(v, mv)), |a, o| exp_shifted(a, m, o));
}

/// The simd128 twin of `scalar::ln`.
#[inline(never)]
pub fn ln(x: &[f32], out: &mut [f32]) {
    map(x, out, ln4, ln);
}

/// The simd128 twin of `scalar::tanh`.
#[inline(never)]
pub fn tanh(x: &[f32], out: &mut [f32]) {
    map(x, out, tanh4, tanh);
}

/// The simd128 twin of `scalar::sigmoid`.
#[inline(never)]
pub fn sigmoid(x: &[f32], out: &mut [f32]) {
    map(x, out, sigmoid4, sigmoid);
}

/// The simd128 twin of `scalar::elu`.
#[inline(never)]
pub fn elu(x: &[f32], pos: f32, neg: f32, out: &mut [f32]) {
    let (pv, nv) = (f32x4_splat(pos), f32x4_splat(neg));
    let lane = |v: v128| v128_bitselect(f32x4_mul(pv, v), f32x4_mul(nv, expm1_neg4(v)), f32x4_gt(v, f32x4_splat(0.0)));
    map(x, out, lane, |a, o| elu(a, pos, neg, o));
}
