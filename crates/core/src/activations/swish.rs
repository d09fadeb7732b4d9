//! `swish` (also called SiLU): `f(x) = x·σ(x)` (Ramachandran et al. 2017,
//! <https://arxiv.org/abs/1710.05941>; Elfwing et al. 2017). As TF.js `'swish'` and Keras 3
//! `silu` (β = 1).
//!
//! # Derivative
//! `f'(x) = σ(x) + x·σ(x)·(1 − σ(x)) = σ(x)·(1 + x·(1 − σ(x)))`.
//!
//! The limits at `x → −∞` (where `x·σ(x) → 0`) are taken explicitly, so `f(−∞) = 0` and
//! `f'(−∞) = 0` instead of `−∞·0 = NaN`, and `f'(+∞) = 1`.

use super::map::{map, map_grad};
use super::sigmoid::sigmoid;

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| {
        let s = sigmoid(v);
        if s == 0.0 {
            -0.0
        } else {
            v * s
        }
    });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let s = sigmoid(v);
        if s == 0.0 {
            0.0
        } else if s == 1.0 {
            // x·(1 − σ) is 0 for every finite x here, and its limit at +∞: the same bits, no ∞·0.
            d
        } else {
            d * s * (1.0 + v * (1.0 - s))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 100.0, -100.0, 1e30, -1e30, f32::NEG_INFINITY, f32::NAN, f32::INFINITY];
        let mut y = [0.0; 10];
        forward(&x, &mut y);
        assert_eq!(y[0], 0.0);
        assert!((y[1] - 0.731_058_6).abs() < 1e-7 && (y[2] + 0.268_941_43).abs() < 1e-7);
        assert_eq!(y[3], 100.0);
        assert!(y[4] < 0.0 && y[4] > -1e-40);
        assert_eq!((y[5], y[6], y[7]), (1e30, 0.0, 0.0));
        assert!(y[8].is_nan());
        assert_eq!(y[9], f32::INFINITY);
        let mut dx = [0.0; 10];
        backward(&x, &y, &[1.0; 10], &mut dx);
        assert_eq!(dx[0], 0.5);
        assert!((dx[1] - 0.927_670_4).abs() < 1e-6 && (dx[2] - 0.072_329_6).abs() < 1e-6);
        assert_eq!((dx[3], dx[5], dx[6], dx[7]), (1.0, 1.0, 0.0, 0.0));
        assert!(dx[8].is_nan());
        assert_eq!(dx[9], 1.0);
    }
}
