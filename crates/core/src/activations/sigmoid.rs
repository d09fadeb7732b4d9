//! `sigmoid`: the logistic function, `σ(x) = 1 / (1 + e^(−x))`.
//!
//! Evaluated without overflow on both sides: `1 / (1 + e^(−x))` for `x ≥ 0`, and
//! `e^x / (1 + e^x)` for `x < 0`, so `e^(±x)` never exceeds 1 and `σ(−100)` is the tiny
//! positive `e^(−100)`, not 0 from `1 / (1 + ∞)`. The forward pass is the simd128 kernel
//! `kernels::transcendental::sigmoid` (polynomial `exp`, within 2 ulp), and the scalar
//! [`sigmoid`] used by `swish`, `softplus` and the tails is its scalar reference.
//!
//! # Derivative
//! `σ'(x) = σ(x)·(1 − σ(x))`, computed from the saved output `y`.

use super::map::map_grad;
use crate::kernels::transcendental;

/// The logistic function of one value, stable for any `x`.
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    transcendental::scalar::sigmoid_one(x) // NaN stays NaN
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    transcendental::sigmoid(x, y);
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |_, s, d| d * s * (1.0 - s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 2.0, -2.0, 100.0, -100.0, 1e30, -1e30, f32::NAN];
        let mut y = [0.0; 8];
        forward(&x, &mut y);
        assert_eq!(y[0], 0.5);
        assert!((y[1] - 0.880_797_1).abs() < 1e-7);
        assert!((y[2] - 0.119_202_92).abs() < 1e-7);
        assert_eq!(y[3], 1.0);
        // e^-100 = 3.72e-44 is a subnormal f32: positive, not flushed to 0.
        // (subnormal spacing is 1.4e-45, about 4% of the value)
        assert!(y[4] > 0.0 && (f64::from(y[4]) / 3.720_075_976e-44 - 1.0).abs() < 0.04);
        assert_eq!((y[5], y[6]), (1.0, 0.0));
        assert!(y[7].is_nan());
        let mut dx = [0.0; 8];
        backward(&x, &y, &[1.0; 8], &mut dx);
        assert_eq!(dx[0], 0.25);
        assert!((dx[1] - 0.104_993_59).abs() < 1e-7);
        assert_eq!((dx[3], dx[5], dx[6]), (0.0, 0.0, 0.0));
        assert!(dx[7].is_nan());
    }
}
