//! `pow`: `x^y` element-wise, with an exact route for the exponents that are whole or half
//! numbers (`y = k/2`, `|y| ≤ 64`): `x^n` by binary powering in f64 (`x²` is exact there, each
//! further product rounds once to 53 bits), times `√x` (f64 `sqrt`) for a half, its reciprocal
//! for a negative exponent, then rounded once to f32. At most 13 f64 roundings (relative
//! error < 2^-49) come before the last, so the result is within 0.5 + 2^-25 ulp of `x^y`:
//! correctly rounded but within 2^-25 ulp of a tie. The intermediates cannot overflow or lose
//! precision where the f32 result is finite and nonzero (`|x^n|` lies between 1 and the result,
//! or the result is far outside f32's range). `y = 2, 0.5, −1` give `x·x`, `√x` and `1/x`
//! exactly as f32 operations would (one rounding of the exact value through f64 is innocuous
//! for them). Other exponents go to libm's `powf` (FreeBSD's, within 1 ulp).
//!
//! IEEE 754 `pow`'s special values hold on the route: `x^±0 = 1` (even NaN), odd powers keep
//! the sign of `x` (`(−0)^−3 = −∞`); a half exponent of `x < 0` is NaN but `(−0)^y` is that of
//! `+0` and `(−∞)^y` that of `+∞`.
//!
//! The simd128 twin of the route (two f64 lanes at a time, the same operations in the same
//! order) runs when `y` is one value; the bits are the scalar route's.
//!
//! ```
//! use neurite_core::kernels::pow::{pow, pow_one};
//! let mut out = [0.0; 4];
//! pow(&[2.0, -3.0, 0.25, -0.0], &[3.0], &mut out);
//! assert_eq!(out, [8.0, -27.0, 0.015_625, -0.0]);
//! assert_eq!((pow_one(4.0, -1.5), pow_one(-4.0, 0.5).is_nan(), pow_one(f32::NAN, 0.0)), (0.125, true, 1.0));
//! ```

/// `y = ±(n + half/2)`.
#[derive(Clone, Copy)]
struct Route {
    n: u32,
    half: bool,
    neg: bool,
}

/// The largest `|y|` on the route.
const MAX: f32 = 64.0;

/// The route for `y`, if it is a whole or half number within `±MAX`.
#[inline(always)]
fn route(y: f32) -> Option<Route> {
    let t = y * 2.0; // exact
    if !(t.abs() <= 2.0 * MAX) || t != t.trunc() {
        return None; // NaN, ±∞, large or another fraction
    }
    let k = t.abs() as u32;
    Some(Route { n: k >> 1, half: k & 1 == 1, neg: t < 0.0 })
}

/// `x^y` on `r`'s route (out of line: the one copy of the scalar route).
#[inline(never)]
fn routed(x: f32, r: Route) -> f32 {
    // A half power is taken of |x| (so −0 and −∞ act as +0 and +∞); x < 0 is NaN below.
    let a = f64::from(if r.half { x.abs() } else { x });
    let (mut p, mut b, mut k) = (1.0f64, a, r.n);
    while k != 0 {
        if k & 1 != 0 {
            p *= b;
        }
        k >>= 1;
        if k != 0 {
            b *= b;
        }
    }
    let p = if r.half { p * a.sqrt() } else { p };
    let p = if r.neg { 1.0 / p } else { p };
    if r.half && x < 0.0 && x != f32::NEG_INFINITY {
        f32::NAN
    } else {
        p as f32
    }
}

/// `x^y` for one value.
#[inline(never)]
pub fn pow_one(x: f32, y: f32) -> f32 {
    match route(y) {
        Some(r) => routed(x, r),
        None => x.powf(y),
    }
}

/// `out = x^y` over runs (each input full or a single value, as the other binary kernels).
pub fn pow(x: &[f32], y: &[f32], out: &mut [f32]) {
    if let (&[b], true) = (y, x.len() == out.len()) {
        if let Some(r) = route(b) {
            return routed_run(x, r, out);
        }
    }
    let at = |v: &[f32], i: usize| if v.len() == 1 { v[0] } else { v[i] };
    for (i, o) in out.iter_mut().enumerate() {
        *o = pow_one(at(x, i), at(y, i));
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn routed_run(x: &[f32], r: Route, out: &mut [f32]) {
    out.iter_mut().zip(x).for_each(|(o, &a)| *o = routed(a, r));
}

/// [`routed`] four lanes at a time (two f64 pairs), the tail through the scalar route.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
fn routed_run(x: &[f32], r: Route, out: &mut [f32]) {
    use core::arch::wasm32::*;
    let pair = |a: v128| {
        let (mut p, mut b, mut k) = (f64x2_splat(1.0), a, r.n);
        while k != 0 {
            if k & 1 != 0 {
                p = f64x2_mul(p, b);
            }
            k >>= 1;
            if k != 0 {
                b = f64x2_mul(b, b);
            }
        }
        let p = if r.half { f64x2_mul(p, f64x2_sqrt(a)) } else { p };
        let p = if r.neg { f64x2_div(f64x2_splat(1.0), p) } else { p };
        f32x4_demote_f64x2_zero(p)
    };
    let lanes = |v: v128| {
        let a = if r.half { f32x4_abs(v) } else { v };
        let y = i64x2_shuffle::<0, 2>(pair(f64x2_promote_low_f32x4(a)), pair(f64x2_promote_low_f32x4(i64x2_shuffle::<1, 1>(a, a))));
        if r.half {
            let bad = v128_and(f32x4_lt(v, f32x4_splat(0.0)), f32x4_ne(v, f32x4_splat(f32::NEG_INFINITY)));
            v128_bitselect(f32x4_splat(f32::NAN), y, bad)
        } else {
            y
        }
    };
    let (oc, ot) = out.as_chunks_mut::<4>();
    let (xc, xt) = x.as_chunks::<4>();
    oc.iter_mut().zip(xc).for_each(|(o, a)| super::simd128_elementwise::store(o, lanes(super::simd128_elementwise::load(a))));
    ot.iter_mut().zip(xt).for_each(|(o, &a)| *o = routed(a, r));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance of `got` from the exact `want` in units of the f32 spacing at `want`.
    fn ulps(got: f32, want: f64) -> f64 {
        if f64::from(got) == want || (got.is_infinite() && (want as f32) == got) {
            return 0.0;
        }
        let w = (want as f32).abs();
        let spacing = if w < f32::MIN_POSITIVE { f64::from(f32::from_bits(1)) } else { f64::from(f32::from_bits(w.to_bits() + 1) - w) };
        (f64::from(got) - want).abs() / spacing
    }

    #[test]
    fn the_route_is_correctly_rounded_but_near_ties() {
        // Every 4099th float of both signs, for whole and half exponents.
        let ys = [3.0, 0.5, -1.0, 2.5, -0.5, 2.0, 4.0, -2.0, 1.5, 7.0, -3.5, 13.0, 64.0, -64.0, 31.5, 1.0, 0.0];
        let mut worst = 0.0f64;
        for bits in (0..0x7f80_0000u32).step_by(4099) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                for &y in &ys {
                    let got = pow_one(x, y);
                    let want = f64::from(x).powf(f64::from(y));
                    if want.is_nan() {
                        assert!(got.is_nan(), "{x:e}^{y} = {got:e}, want NaN");
                        continue;
                    }
                    let u = ulps(got, want);
                    assert!(u <= 0.5 + 1e-6, "{x:e}^{y} = {got:e}, {u} ulp from {want:e}");
                    worst = worst.max(u);
                }
            }
        }
        assert!(worst > 0.4, "the sweep compared nothing");
    }

    #[test]
    fn exact_cases_and_ieee_special_values() {
        // x², √x, 1/x as f32 operations.
        for bits in (0..0x7f80_0000u32).step_by(65_537) {
            let x = f32::from_bits(bits);
            assert_eq!(pow_one(x, 2.0).to_bits(), (x * x).to_bits());
            assert_eq!(pow_one(-x, 2.0).to_bits(), (x * x).to_bits());
            assert_eq!(pow_one(x, 0.5).to_bits(), x.sqrt().to_bits());
            assert_eq!(pow_one(-x, -1.0).to_bits(), (1.0 / -x).to_bits());
        }
        let (inf, nan) = (f32::INFINITY, f32::NAN);
        for (x, y) in [(0.0, 3.0), (-0.0, 3.0), (-0.0, 2.0), (0.0, -3.0), (-0.0, -3.0), (-0.0, -2.0), (-0.0, 0.5), (-0.0, -0.5), (-0.0, 2.5)]
            .into_iter()
            .chain([(-inf, 3.0), (-inf, -3.0), (-inf, 2.0), (-inf, 0.5), (-inf, -0.5), (inf, -2.5), (nan, 0.0), (nan, -0.0), (inf, 0.0), (-1.0, 64.0), (-1.0, -63.0)])
            .chain([(-2.0, 0.5), (-1e-30, 2.5), (nan, 3.0), (nan, 0.5), (1.0, 64.0), (2.0, 64.0), (0.5, 64.0), (3e38, 1.5), (1e-45, -1.5)])
        {
            let (got, want) = (pow_one(x, y), x.powf(y));
            assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{x}^{y}: {got:e}, powf {want:e}");
        }
    }

    #[test]
    fn other_exponents_and_run_forms() {
        let mut out = [0.0; 3];
        pow(&[2.0, 3.0, 4.0], &[0.3], &mut out);
        assert_eq!(out, [2f32.powf(0.3), 3f32.powf(0.3), 4f32.powf(0.3)]);
        pow(&[2.0], &[3.0, 0.5, -1.25], &mut out);
        assert_eq!(out, [8.0, 2f32.sqrt(), 2f32.powf(-1.25)]);
        pow(&[2.0, 9.0, 4.0], &[3.0, 0.5, 65.0], &mut out);
        assert_eq!(out, [8.0, 3.0, 4f32.powf(65.0)]);
    }
}
