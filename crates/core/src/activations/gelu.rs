//! `gelu`: the Gaussian error linear unit (Hendrycks & Gimpel 2016,
//! <https://arxiv.org/abs/1606.08415>), in its exact form `f(x) = x·Φ(x)` with the standard
//! normal CDF `Φ(x) = ½·erfc(−x/√2)`.
//!
//! This is TF.js layers' `'gelu'` (which uses `erf`; the tanh approximation is its separate
//! `'gelu_new'`) and Keras `gelu(approximate=False)`. Φ is evaluated in f64 through our own
//! [`erf`](super::erf) and the result rounded once, so `f` is accurate to f32 rounding
//! everywhere, including the far negative tail (`gelu(−10) ≈ −7.6e-23`), where TF.js's
//! `0.5·x·(1 + erf(x/√2))` in f32 cancels to 0.
//!
//! # Derivative
//! `f'(x) = Φ(x) + x·φ(x)` with the standard normal density `φ(x) = e^(−x²/2)/√(2π)`.
//! The limits at `x → −∞` are taken explicitly (`f = 0`, `f' = 0`, not `−∞·0`).

use super::erf::erfc;
use super::map::{map, map_grad};
use core::f64::consts::{FRAC_1_SQRT_2, PI};

/// `Φ(x)`, the standard normal CDF.
#[inline]
fn cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// `x·Φ(x)`.
fn gelu(x: f32) -> f32 {
    let c = cdf(f64::from(x));
    if c == 0.0 {
        return -0.0;
    }
    (f64::from(x) * c) as f32
}

/// `Φ(x) + x·φ(x)`.
fn gelu_grad(x: f32) -> f32 {
    let xd = f64::from(x);
    let pdf = (-0.5 * xd * xd).exp() / (2.0 * PI).sqrt();
    let tail = if pdf == 0.0 { 0.0 } else { xd * pdf };
    (cdf(xd) + tail) as f32
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, gelu);
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| d * gelu_grad(v));
}

// Reference values keep all the digits mpmath printed.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    // (x, gelu(x), gelu'(x)) from mpmath at 30 digits.
    const REF: [(f32, f64, f64); 9] = [
        (0.5, 0.34573123063700655182, 0.86749512465616284253),
        (1.0, 0.84134474606854294859, 1.0833154705876862984),
        (-1.0, -0.15865525393145705141, -0.083315470587686298383),
        (2.0, 1.9544997361036415856, 1.0852318010781968967),
        (-3.0, -0.00404969409489028358, -0.011945647204183927),
        (-5.0, -1.4332578593959695584e-6, -7.1469460017922946279e-6),
        (-10.0, -7.619853024160526066e-23, -7.6184000964648140857e-22),
        (5.0, 4.999998566742140604, 1.0000071469460017923),
        (0.001, 0.00050039894221391107301, 0.50079788429484140495),
    ];

    #[test]
    fn matches_reference_values_to_f32_rounding() {
        for (x, f, df) in REF {
            let (y, d) = (gelu(x), gelu_grad(x));
            assert!(((f64::from(y) - f) / f).abs() < 1.2e-7, "gelu({x}) = {y} want {f}");
            assert!(((f64::from(d) - df) / df).abs() < 1.2e-7, "gelu'({x}) = {d} want {df}");
        }
    }

    #[test]
    fn extremes() {
        let x = [0.0, 100.0, -100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [0.0; 8];
        forward(&x, &mut y);
        assert_eq!(y[..7], [0.0, 100.0, 0.0, 1e30, 0.0, f32::INFINITY, 0.0]);
        assert!(y[7].is_nan());
        let mut dx = [0.0; 8];
        backward(&x, &y, &[1.0; 8], &mut dx);
        assert_eq!(dx[..7], [0.5, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert!(dx[7].is_nan());
    }
}
