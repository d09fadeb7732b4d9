//! `geluNew`: the tanh approximation of [`super::gelu`] (Hendrycks & Gimpel 2016), `f(x) =
//! ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: TF.js layers' `'gelu_new'` and Keras
//! `gelu(approximate=True)` (GPT-2's and BERT's activation). Evaluated in f64 and rounded once.
//!
//! # Derivative
//! `f'(x) = ½·(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)` with `t` the tanh above. The
//! limits are taken explicitly where a product would be `∞·0`: `f(−∞) = −0`, `f'(±∞) = 0, 1`.

use super::map::{map, map_grad};
use core::f64::consts::PI;

const C: f64 = 0.044715;

/// `tanh(√(2/π)·(x + C·x³))` and the derivative of its argument.
fn t(x: f64) -> (f64, f64) {
    let k = (2.0 / PI).sqrt();
    ((k * (x + C * x * x * x)).tanh(), k * (1.0 + 3.0 * C * x * x))
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| {
        let x = f64::from(v);
        let one_plus = 1.0 + t(x).0;
        if one_plus == 0.0 && !x.is_nan() {
            -0.0
        } else {
            (0.5 * x * one_plus) as f32
        }
    });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let x = f64::from(v);
        let (t, dk) = t(x);
        let q = 1.0 - t * t;
        // x·q·dk is 0 where q is (at ±∞ it would be ∞·0).
        let second = if q == 0.0 { 0.0 } else { 0.5 * x * q * dk };
        (f64::from(d) * (0.5 * (1.0 + t) + second)) as f32
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 3.0, 100.0, -100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [9.0; 11];
        forward(&x, &mut y);
        // In f64: f(1) = 0.841191990, f(−1) = −0.158808010, f(3) = 2.996362607.
        assert_eq!(y[0], 0.0);
        assert!((y[1] - 0.841_192).abs() < 1e-6 && (y[2] + 0.158_808_01).abs() < 1e-6 && (y[3] - 2.996_362_6).abs() < 1e-6, "{y:?}");
        assert_eq!((y[4], y[5], y[6], y[7], y[8], y[9]), (100.0, 0.0, 1e30, 0.0, f32::INFINITY, 0.0));
        assert!(y[10].is_nan());
        let mut dx = [9.0; 11];
        backward(&x, &y, &[1.0; 11], &mut dx);
        // f'(0) = ½; f'(1) = 1.082963, f'(−1) = −0.082963 (f'(x) + f'(−x) = 1).
        assert_eq!(dx[0], 0.5);
        assert!((dx[1] + dx[2] - 1.0).abs() < 1e-6 && (dx[1] - 1.082_964).abs() < 1e-5, "{dx:?}");
        assert_eq!((dx[4], dx[5], dx[6], dx[7], dx[8], dx[9]), (1.0, 0.0, 1.0, 0.0, 1.0, 0.0));
        assert!(dx[10].is_nan());
    }
}
