//! `exp`, `ln` and the logistic `sigmoid` over slices, as a scalar reference (`scalar`) and a
//! wasm32 simd128 twin (`simd128_transcendental.rs`) that agree bit for bit (checked from JS by
//! `test/simd.test.ts`). Only exact IEEE `f32` operations are used (add, sub, mul, div, compares,
//! integer bit moves; no FMA, no relaxed SIMD), so every runtime gets the same bits.
//!
//! - `exp` (Cephes `expf`): `n = round(x·log2 e)`, `r = x − n·ln2` (ln 2 split into an exact
//!   high part and a low part), `e^r ≈ 1 + r + r²·P(r)` with `P` of degree 5, then `·2^n` in two
//!   exact power-of-two steps so subnormal results round once. `x` is first clamped to
//!   `[−104, 89]` (beyond which the result is 0 or +Inf anyway); NaN stays NaN.
//! - `ln` (Cephes `logf`): `x = m·2^e` with `m ∈ [√½, √2)`, `ln(1 + f) ≈ f − f²/2 + f³·Q(f)`
//!   with `Q` of degree 8, plus `e·ln 2` (split). Subnormals are scaled by 2^23 first;
//!   `ln(+Inf) = +Inf`, `ln(±0) = −Inf`, `ln(x < 0) = ln(NaN) = NaN`.
//! - `sigmoid`: `e = exp(−|x|)`, then `1 / (1 + e)` for `x ≥ 0` and `e / (1 + e)` otherwise, so
//!   `e` never exceeds 1: it saturates to exactly 1 for `x ≳ 17` and decays through the
//!   subnormals to exactly 0 below `x ≈ −104`.
//!
//! - `elu`: `pos·x` for `x > 0`, else `neg·(e^x − 1)`, with `e^x − 1` as musl's `expm1f`
//!   composes it: `x` clamped to `[−26, 0]` (below, `e^x − 1` rounds to −1), `n`, `r` and `P`
//!   as in `exp`, `e^r − 1 = r + r²·P(r)` (no cancellation: `|r| ≤ ln2/2`), then
//!   `2^n·(e^r − 1) − (1 − 2^n)` (`1 − 2^n` and the scaling are exact for `−38 ≤ n ≤ 0`, one
//!   rounding). `e^−0 − 1` is −0, as `expm1`.
//!
//! All are within 2 ulp of the correctly rounded result over the whole `f32` range (tested
//! against `f64` below).
//!
//! ```
//! use neurite_core::kernels::transcendental::{exp, ln, sigmoid};
//! let mut out = [0.0; 3];
//! exp(&[0.0, 1.0, f32::NEG_INFINITY], &mut out);
//! assert_eq!(out[0], 1.0);
//! assert!((out[1] - std::f32::consts::E).abs() <= 2.5e-7 && out[2] == 0.0);
//! ln(&[1.0, 0.0, -1.0], &mut out);
//! assert!(out[0] == 0.0 && out[1] == f32::NEG_INFINITY && out[2].is_nan());
//! sigmoid(&[0.0, 100.0, -200.0], &mut out);
//! assert_eq!(out, [0.5, 1.0, 0.0]);
//! ```

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_transcendental as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// `out[i] = e^x[i]`.
pub fn exp(x: &[f32], out: &mut [f32]) {
    imp::exp(x, out);
}

/// `out[i] = e^(x[i] − m)`, as [`exp`] of the exact differences (softmax's shifted rows).
pub fn exp_shifted(x: &[f32], m: f32, out: &mut [f32]) {
    imp::exp_shifted(x, m, out);
}

/// `out[i] = ln x[i]`.
pub fn ln(x: &[f32], out: &mut [f32]) {
    imp::ln(x, out);
}

/// `out[i] = 1 / (1 + e^−x[i])`.
pub fn sigmoid(x: &[f32], out: &mut [f32]) {
    imp::sigmoid(x, out);
}

/// `out[i] = ln(1 + x[i])`.
pub fn log1p(x: &[f32], out: &mut [f32]) {
    imp::log1p(x, out);
}

/// `out[i] = ln(1 + e^x[i])` (softplus), as `max(x, 0) + log1p(e^−|x|)`.
pub fn softplus(x: &[f32], out: &mut [f32]) {
    imp::softplus(x, out);
}

/// `out[i] = tanh x[i]`, as `−t / (2 + t)` with `t = e^(−2|x|) − 1` (`expm1`, no cancellation
/// near 0), the sign of `x` put back.
pub fn tanh(x: &[f32], out: &mut [f32]) {
    imp::tanh(x, out);
}

/// `out[i] = cosh x[i]`, computed in f64 and rounded once.
pub fn cosh(x: &[f32], out: &mut [f32]) {
    imp::cosh(x, out);
}

/// `out[i] = pos·x[i]` for `x[i] > 0`, else `neg·(e^x[i] − 1)`: elu (`pos` 1, `neg` α) and
/// selu (`pos` λ, `neg` λα).
pub fn elu(x: &[f32], pos: f32, neg: f32, out: &mut [f32]) {
    imp::elu(x, pos, neg, out);
}

/// The scalar reference. The simd128 twin repeats each operation lane-wise, in the same order.
pub mod scalar {
    /// `exp` clamps its argument to `[EXP_LO, EXP_HI]`: `e^−104` is below half the smallest
    /// subnormal and `e^89` overflows, so the clamp changes no result.
    pub(crate) const EXP_LO: f32 = -104.0;
    pub(crate) const EXP_HI: f32 = 89.0;
    pub(crate) const LOG2E: f32 = std::f32::consts::LOG2_E;
    /// Adding and subtracting 1.5·2^23 rounds to the nearest integer, ties to even (|v| < 2^22).
    pub(crate) const ROUND: f32 = 12_582_912.0;
    /// ln 2 = `LN2_HI + LN2_LO`; `LN2_HI` has 9 significant bits, so `n·LN2_HI` is exact.
    pub(crate) const LN2_HI: f32 = 0.693_359_375;
    pub(crate) const LN2_LO: f32 = -2.121_944_4e-4;
    /// Cephes `expf` polynomial, highest degree first.
    pub(crate) const EXP_P: [f32; 6] = [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1];
    /// Cephes `logf` polynomial, highest degree first.
    pub(crate) const LN_Q: [f32; 9] = [
        7.037_683_6e-2, -1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1, -1.666_805_8e-1, 2.000_071_4e-1, -2.499_999_4e-1,
        3.333_333_1e-1,
    ];
    pub(crate) const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    /// 2^23, the scale for subnormal `ln` arguments.
    pub(crate) const TWO_23: f32 = 8_388_608.0;

    /// `2^k` for `−126 ≤ k ≤ 127`.
    #[inline(always)]
    fn pow2(k: i32) -> f32 {
        f32::from_bits((k.wrapping_add(127) as u32) << 23)
    }

    /// The range reduction and polynomial `exp_one` and `expm1_neg_one` share: `x = n·ln 2 + r`
    /// (Cody–Waite, ln 2 in two parts) and Cephes' `P(r)·r²`, with `e^r − 1 ≈ P(r)·r² + r`.
    /// Returns `(k, r, P(r)·r²)`, `k` the integer `n`: for `|x| ≤ 104` the rounding sum
    /// `t = x·log2 e + 1.5·2^23` lies in `[2^23, 2^24)`, where the spacing is 1, so its low
    /// mantissa bits hold `n` exactly and `bits(t) − bits(1.5·2^23) = n` (an integer
    /// subtraction; a float-to-int conversion costs several instructions per lane on x86).
    /// For a NaN `x`, `k` is arbitrary and the result NaN anyway.
    #[inline(always)]
    fn reduce(x: f32) -> (i32, f32, f32) {
        let t = x * LOG2E + ROUND;
        let n = t - ROUND;
        let r = x - n * LN2_HI;
        let r = r - n * LN2_LO;
        let z = r * r;
        let mut y = EXP_P[0];
        for &c in &EXP_P[1..] {
            y = y * r + c;
        }
        ((t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32), r, y * z)
    }

    /// `e^x`.
    #[inline(always)]
    pub fn exp_one(x: f32) -> f32 {
        // pmin / pmax: a NaN `x` passes through both.
        let x = if EXP_HI < x { EXP_HI } else { x };
        let x = if x < EXP_LO { EXP_LO } else { x };
        let (k, r, yz) = reduce(x); // −150 ≤ k ≤ 128
        let p = yz + r + 1.0;
        let k1 = k >> 1;
        p * pow2(k1) * pow2(k.wrapping_sub(k1))
    }

    /// `expm1` clamps its argument to `[EXPM1_LO, 0]`: `e^−26 − 1` rounds to −1 (as every
    /// smaller argument's), and `2^n` stays normal.
    pub(crate) const EXPM1_LO: f32 = -26.0;

    /// `e^x − 1` for `x ≤ 0` (a positive `x` is taken as 0; NaN stays NaN).
    #[inline(always)]
    pub fn expm1_neg_one(x: f32) -> f32 {
        let x = if 0.0 < x { 0.0 } else { x }; // pmin, then pmax, as in exp_one
        let x = if x < EXPM1_LO { EXPM1_LO } else { x };
        let (k, r, yz) = reduce(x); // −38 ≤ k ≤ 0
        let p = yz + r; // e^r − 1
        let s = pow2(k);
        let e = s * p - (1.0 - s);
        // −0 for x = −0 (the sum above gives +0); a no-op for x < 0, where e < 0.
        f32::from_bits(e.to_bits() | (x.to_bits() & 0x8000_0000))
    }

    /// `tanh x = −t / (2 + t)` for `x ≥ 0`, `t = e^(−2x) − 1 ∈ [−1, 0]` (so `2 + t ≥ 1`), and
    /// odd: the sign bit of `x` is put on the result (`tanh −0 = −0`). `t` saturates to −1 for
    /// `|x| ≥ 13` (`e^−26 − 1` rounds to −1), giving exactly ±1; NaN stays NaN.
    #[inline(always)]
    pub fn tanh_one(x: f32) -> f32 {
        let t = expm1_neg_one(-2.0 * x.abs());
        let y = -t / (2.0 + t);
        f32::from_bits(y.to_bits() | (x.to_bits() & 0x8000_0000))
    }

    /// `pos·x` for `x > 0`, else `neg·(e^x − 1)`.
    #[inline(always)]
    pub fn elu_one(x: f32, pos: f32, neg: f32) -> f32 {
        let e = neg * expm1_neg_one(x);
        if x > 0.0 { pos * x } else { e }
    }

    /// `ln x`.
    #[inline(always)]
    pub fn ln_one(x: f32) -> f32 {
        let sub = x < f32::MIN_POSITIVE;
        let xs = if sub { x * TWO_23 } else { x };
        let bits = xs.to_bits();
        let e = ((bits >> 23) & 0xff) as i32 - 126 - if sub { 23 } else { 0 };
        let m = f32::from_bits((bits & 0x807f_ffff) | 0x3f00_0000); // [0.5, 1)
        let small = m < SQRT_HALF;
        let e = if small { e - 1 } else { e };
        let m = if small { m + m - 1.0 } else { m - 1.0 };
        let z = m * m;
        let mut y = LN_Q[0];
        for &c in &LN_Q[1..] {
            y = y * m + c;
        }
        let fe = e as f32;
        let y = y * m * z;
        let y = y + fe * LN2_LO;
        let y = y + -0.5 * z;
        let r = m + y;
        let r = r + fe * LN2_HI;
        if x == f32::INFINITY {
            f32::INFINITY
        } else if x == 0.0 {
            f32::NEG_INFINITY
        } else if !(x > 0.0) {
            f32::NAN
        } else {
            r
        }
    }

    /// `cosh` clamps `|x|` to `COSH_HI`: `cosh(90)` already overflows f32, `e^100` fits f64.
    pub(crate) const COSH_HI: f64 = 100.0;
    /// Adding and subtracting 1.5·2^52 rounds an f64 to the nearest integer (ties to even);
    /// the sum's low bits then hold that integer.
    pub(crate) const ROUND64: f64 = 6_755_399_441_055_744.0;
    /// ln 2 = `LN2_HI64 + LN2_LO64` (fdlibm's split: `n·LN2_HI64` is exact for `|n| < 2^20`).
    pub(crate) const LN2_HI64: f64 = 6.931_471_803_691_238_164_9e-1;
    pub(crate) const LN2_LO64: f64 = 1.908_214_929_270_587_700_02e-10;
    /// `1/k!` for k = 11 down to 2: Taylor's `e^r` on `|r| ≤ ln2/2` to 6e-15 relative.
    pub(crate) const EXP64_P: [f64; 10] = [
        1.0 / 39_916_800.0, 1.0 / 3_628_800.0, 1.0 / 362_880.0, 1.0 / 40_320.0, 1.0 / 5_040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5,
    ];

    /// `cosh x = (e^|x| + e^−|x|) / 2` in f64, rounded once to f32: `e^|x| = 2^n·p` with
    /// `n = round(|x|·log2 e)`, `r = |x| − n·ln2` (split) and `p = e^r` (degree-11 Taylor), then
    /// `p·2^(n−1) + (1/p)·2^(−n−1)`, the powers of two built from the bits of the rounding sum.
    /// Within 1e-14 relative in f64, so the f32 result is f64 libm's rounded (correctly
    /// rounded) but for values within that of a rounding tie. NaN stays NaN; ±∞ gives +∞.
    #[inline(always)]
    pub fn cosh_one(x: f32) -> f32 {
        let a = f64::from(x.abs());
        let a = if COSH_HI < a { COSH_HI } else { a }; // pmin: NaN passes
        let t = a * core::f64::consts::LOG2_E + ROUND64;
        let n = t - ROUND64; // 0 ≤ n ≤ 145
        let r = a - n * LN2_HI64;
        let r = r - n * LN2_LO64;
        let mut y = EXP64_P[0];
        for &c in &EXP64_P[1..] {
            y = y * r + c;
        }
        let p = (y * r + 1.0) * r + 1.0;
        let k = t.to_bits();
        let up = f64::from_bits(k.wrapping_add(1022) << 52); // 2^(n−1)
        let down = f64::from_bits(1022u64.wrapping_sub(k) << 52); // 2^(−n−1)
        (p * up + (1.0 / p) * down) as f32
    }

    /// `ln(1 + x)`: `u = 1 + x` rounded, then `ln u + (x − (u − 1)) / u`, the second term
    /// the first-order correction for the rounding of `u` (Goldberg's log1p; `u − 1` is
    /// exact). `u = 1` gives `x` itself (tiny `x`, signed zeros); a NaN correction (`x = −1`
    /// or `+∞`, where `ln u` is already the answer) is dropped.
    #[inline(always)]
    pub fn log1p_one(x: f32) -> f32 {
        let u = 1.0 + x;
        let c = (x - (u - 1.0)) / u;
        let c = if c == c { c } else { 0.0 };
        let r = ln_one(u) + c;
        if u == 1.0 { x } else { r }
    }

    /// `ln(1 + e^x)` as `max(x, 0) + log1p(e^−|x|)` (no overflow; NaN stays NaN).
    #[inline(always)]
    pub fn softplus_one(x: f32) -> f32 {
        let m = if x > 0.0 { x } else { 0.0 };
        m + log1p_one(exp_one(-x.abs()))
    }

    /// `1 / (1 + e^−x)`, from `e = e^−|x| ≤ 1`.
    #[inline(always)]
    pub fn sigmoid_one(x: f32) -> f32 {
        let e = exp_one(-x.abs());
        let d = 1.0 + e;
        (if x >= 0.0 { 1.0 } else { e }) / d
    }

    /// `out[i] = exp_one(x[i])`.
    pub fn exp(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = exp_one(a));
    }

    /// `out[i] = exp_one(x[i] − m)`.
    pub fn exp_shifted(x: &[f32], m: f32, out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = exp_one(a - m));
    }

    /// `out[i] = ln_one(x[i])`.
    pub fn ln(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = ln_one(a));
    }

    /// `out[i] = sigmoid_one(x[i])`.
    pub fn sigmoid(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = sigmoid_one(a));
    }

    /// `out[i] = tanh_one(x[i])`.
    pub fn tanh(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = tanh_one(a));
    }

    /// `out[i] = cosh_one(x[i])`.
    pub fn cosh(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = cosh_one(a));
    }

    /// `out[i] = log1p_one(x[i])`.
    pub fn log1p(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = log1p_one(a));
    }

    /// `out[i] = softplus_one(x[i])`.
    pub fn softplus(x: &[f32], out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = softplus_one(a));
    }

    /// `out[i] = elu_one(x[i], pos, neg)`.
    pub fn elu(x: &[f32], pos: f32, neg: f32, out: &mut [f32]) {
        out.iter_mut().zip(x).for_each(|(o, &a)| *o = elu_one(a, pos, neg));
    }
}

#[cfg(test)]
mod tests {
    use super::scalar::{cosh_one, elu_one, exp_one, expm1_neg_one, ln_one, log1p_one, sigmoid_one, softplus_one, tanh_one};

    /// Distance in ulps of `got` from the exact `want`, in units of the `f32` spacing at `want`.
    fn ulps(got: f32, want: f64) -> f64 {
        if got as f64 == want || (got.is_infinite() && (want as f32) == got) {
            return 0.0;
        }
        let w = want as f32;
        let spacing = if w.abs() < f32::MIN_POSITIVE { f64::from(f32::from_bits(1)) } else { f64::from(f32::from_bits(w.abs().to_bits() + 1) - w.abs()) };
        (got as f64 - want).abs() / spacing
    }

    /// Every 997th bit pattern of the positive and negative floats (~4.3 million values).
    fn sweep(mut f: impl FnMut(f32)) {
        for bits in (0..0x7f80_0000u32).step_by(997) {
            f(f32::from_bits(bits));
            f(f32::from_bits(bits | 0x8000_0000));
        }
    }

    #[test]
    fn tanh_is_within_three_ulp_over_the_range_and_odd() {
        let mut worst = 0.0f64;
        sweep(|x| {
            let got = tanh_one(x);
            assert_eq!(got.to_bits(), (-tanh_one(-x)).to_bits(), "tanh({x:e}) is not odd");
            let u = ulps(got, (x as f64).tanh());
            assert!(u <= 3.0, "tanh({x:e}) = {got:e}, {u} ulp from {:e}", (x as f64).tanh());
            worst = worst.max(u);
        });
        assert!(worst > 0.0, "the sweep compared nothing");
        assert_eq!([tanh_one(0.0).to_bits(), tanh_one(-0.0).to_bits()], [0.0f32.to_bits(), (-0.0f32).to_bits()]);
        assert_eq!([tanh_one(13.0), tanh_one(-100.0), tanh_one(f32::INFINITY), tanh_one(f32::NEG_INFINITY)], [1.0, -1.0, 1.0, -1.0]);
        assert_eq!(tanh_one(1e-30), 1e-30);
        assert!(tanh_one(f32::NAN).is_nan());
    }

    #[test]
    fn exp_is_within_two_ulp_over_the_range() {
        let mut worst = 0.0f64;
        sweep(|x| {
            let want = (x as f64).exp();
            let u = ulps(exp_one(x), if want > f32::MAX as f64 * (1.0 + 2f64.powi(-25)) { f64::INFINITY } else { want });
            worst = worst.max(u);
        });
        assert!(worst <= 2.0, "worst {worst} ulp");
        assert_eq!((exp_one(0.0), exp_one(-0.0)), (1.0, 1.0));
        assert_eq!((exp_one(f32::INFINITY), exp_one(f32::NEG_INFINITY)), (f32::INFINITY, 0.0));
        assert_eq!((exp_one(89.0), exp_one(-104.0), exp_one(1e30), exp_one(-1e30)), (f32::INFINITY, 0.0, f32::INFINITY, 0.0));
        assert!(exp_one(f32::NAN).is_nan());
        // Near the largest finite result, and a subnormal one.
        let top = exp_one(88.722_83);
        assert!(top.is_finite() && ulps(top, f64::from(88.722_83f32).exp()) <= 2.0);
        assert!(ulps(exp_one(-100.0), (-100f64).exp()) <= 1.0);
    }

    #[test]
    fn ln_is_within_two_ulp_over_the_range() {
        let mut worst = 0.0f64;
        sweep(|x| {
            if x > 0.0 {
                worst = worst.max(ulps(ln_one(x), (x as f64).ln()));
            } else if x < 0.0 {
                assert!(ln_one(x).is_nan(), "ln({x})");
            }
        });
        assert!(worst <= 2.0, "worst {worst} ulp");
        assert_eq!(ln_one(1.0), 0.0);
        assert_eq!((ln_one(0.0), ln_one(-0.0), ln_one(f32::INFINITY)), (f32::NEG_INFINITY, f32::NEG_INFINITY, f32::INFINITY));
        assert!(ln_one(f32::NAN).is_nan() && ln_one(f32::NEG_INFINITY).is_nan() && ln_one(-1e-45).is_nan());
        assert!(ulps(ln_one(f32::from_bits(1)), (f64::from(f32::from_bits(1))).ln()) <= 1.0);
        assert!(ulps(ln_one(f32::MAX), (f32::MAX as f64).ln()) <= 1.0);
    }

    #[test]
    fn expm1_is_within_two_ulp_on_the_negatives() {
        let mut worst = 0.0f64;
        sweep(|x| {
            if x < 0.0 {
                worst = worst.max(ulps(expm1_neg_one(x), (x as f64).exp_m1()));
            }
        });
        assert!(worst <= 2.0, "worst {worst} ulp");
        // Tiny arguments keep their value (e^x − 1 would round them to 0), the clamp points,
        // the signed zeros and the ends.
        assert_eq!((expm1_neg_one(-1e-8), expm1_neg_one(-1e-40), expm1_neg_one(-f32::MIN_POSITIVE)), (-1e-8, -1e-40, -f32::MIN_POSITIVE));
        assert_eq!((expm1_neg_one(-26.0), expm1_neg_one(-1e30), expm1_neg_one(f32::NEG_INFINITY)), (-1.0, -1.0, -1.0));
        assert_eq!(expm1_neg_one(-16.0), (-16f64).exp_m1() as f32);
        assert_eq!((expm1_neg_one(-0.0).to_bits(), expm1_neg_one(0.0).to_bits()), (0x8000_0000, 0));
        assert!(expm1_neg_one(f32::NAN).is_nan());
        // elu and selu forms: the positive side is pos·x exactly.
        assert_eq!((elu_one(3.5, 1.0, 0.7), elu_one(1e30, 2.0, 0.7), elu_one(-0.0, 1.0, 0.7).to_bits()), (3.5, 2e30, 0x8000_0000));
        assert_eq!(elu_one(-1e30, 1.0, 0.7), -0.7);
        assert!(elu_one(f32::NAN, 1.0, 1.0).is_nan() && elu_one(f32::INFINITY, 1.0, 1.0) == f32::INFINITY);
    }

    #[test]
    fn log1p_and_softplus_are_within_two_ulp_over_the_range() {
        let (mut worst, mut worst_sp) = (0.0f64, 0.0f64);
        sweep(|x| {
            if x >= -1.0 {
                worst = worst.max(ulps(log1p_one(x), (x as f64).ln_1p()));
            } else {
                assert!(log1p_one(x).is_nan(), "log1p({x})");
            }
            let w = f64::from(x);
            worst_sp = worst_sp.max(ulps(softplus_one(x), w.max(0.0) + (-w.abs()).exp().ln_1p()));
        });
        eprintln!("log1p worst {worst} ulp, softplus worst {worst_sp} ulp");
        assert!(worst <= 2.0, "log1p: worst {worst} ulp");
        assert!(worst_sp <= 2.0, "softplus: worst {worst_sp} ulp");
        // Signed zeros, tiny values, the ends, and where 1 + x rounds.
        assert_eq!((log1p_one(0.0).to_bits(), log1p_one(-0.0).to_bits()), (0, 0x8000_0000));
        assert_eq!((log1p_one(1e-30), log1p_one(-1e-40), log1p_one(f32::from_bits(1))), (1e-30, -1e-40, f32::from_bits(1)));
        assert_eq!((log1p_one(-1.0), log1p_one(f32::INFINITY)), (f32::NEG_INFINITY, f32::INFINITY));
        assert!(log1p_one(f32::NAN).is_nan() && log1p_one(-1.000_000_1).is_nan() && log1p_one(f32::NEG_INFINITY).is_nan());
        assert!(ulps(log1p_one(f32::MAX), (f32::MAX as f64).ln_1p()) <= 1.0);
        assert!(ulps(log1p_one(-0.999_999_94), f64::from(-0.999_999_94f32).ln_1p()) <= 1.0);
        assert_eq!((softplus_one(f32::INFINITY), softplus_one(f32::NEG_INFINITY), softplus_one(1e30), softplus_one(-1e30)), (f32::INFINITY, 0.0, 1e30, 0.0));
        assert_eq!((softplus_one(100.0), softplus_one(0.0)), (100.0, core::f32::consts::LN_2));
        assert!(softplus_one(-100.0) > 0.0 && softplus_one(f32::NAN).is_nan());
    }

    #[test]
    fn cosh_is_libms_rounded_value() {
        let (mut worst, mut differ, mut count) = (0.0f64, 0u32, 0u32);
        sweep(|x| {
            let (got, libm) = (cosh_one(x), (x as f64).cosh() as f32);
            worst = worst.max(ulps(got, (x as f64).cosh()));
            differ += u32::from(got.to_bits() != libm.to_bits());
            count += 1;
        });
        // Denser where the result is neither 1 nor +∞: every 101st float of |x| in [2^-15, 90].
        for bits in (0x3800_0000u32..0x42b4_0000).step_by(101) {
            let x = f32::from_bits(bits);
            worst = worst.max(ulps(cosh_one(x), (x as f64).cosh()));
            differ += u32::from(cosh_one(-x).to_bits() != ((x as f64).cosh() as f32).to_bits());
            count += 1;
        }
        eprintln!("cosh worst {worst} ulp; {differ} of {count} differ from libm's rounded value");
        assert!(worst <= 0.51, "worst {worst} ulp");
        assert_eq!((cosh_one(0.0), cosh_one(-0.0), cosh_one(1e-30)), (1.0, 1.0, 1.0));
        assert_eq!((cosh_one(f32::INFINITY), cosh_one(f32::NEG_INFINITY), cosh_one(90.0), cosh_one(-1e30)), (f32::INFINITY, f32::INFINITY, f32::INFINITY, f32::INFINITY));
        assert!(cosh_one(89.0).is_finite() && cosh_one(89.0) == 89f64.cosh() as f32);
        assert!(cosh_one(f32::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_accurate_and_saturates() {
        let mut worst = 0.0f64;
        sweep(|x| {
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            worst = worst.max(ulps(sigmoid_one(x), want));
        });
        assert!(worst <= 3.0, "worst {worst} ulp");
        assert_eq!(sigmoid_one(0.0), 0.5);
        assert_eq!((sigmoid_one(17.0), sigmoid_one(f32::INFINITY), sigmoid_one(f32::NEG_INFINITY), sigmoid_one(-104.0)), (1.0, 1.0, 0.0, 0.0));
        assert!(sigmoid_one(-100.0) > 0.0 && sigmoid_one(f32::NAN).is_nan());
        // Monotone across the saturation points.
        let mut prev = 0.0;
        for i in -110_000..20_000 {
            let s = sigmoid_one(i as f32 / 1000.0);
            assert!(s >= prev, "sigmoid({}) = {s} < {prev}", i as f32 / 1000.0);
            prev = s;
        }
    }
}
