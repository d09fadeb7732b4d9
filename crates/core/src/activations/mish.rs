//! `mish`: `f(x) = x·tanh(softplus(x))` (Misra 2019, <https://arxiv.org/abs/1908.08681>; TF.js
//! and Keras 3 `mish`), a smooth, non-monotonic relu-like function with a minimum near
//! `f(−1.19) ≈ −0.31`. The softplus is the stable one of [`super::softplus`].
//!
//! # Derivative
//! `f'(x) = t + x·(1 − t²)·σ(x)` with `t = tanh(softplus(x))` (`softplus' = σ`). The limits are
//! taken explicitly where the product would be `∞·0`: `f(−∞) = −0`, `f'(−∞) = 0`, `f'(∞) = 1`.

use super::map::{map, map_grad};
use super::sigmoid::sigmoid;

fn t(v: f32) -> f32 {
    (v.max(0.0) + (-v.abs()).exp().ln_1p()).tanh()
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| {
        let t = t(v);
        if t == 0.0 && !v.is_nan() {
            -0.0
        } else {
            v * t
        }
    });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let t = t(v);
        let (s, q) = (sigmoid(v), 1.0 - t * t);
        // The second term is 0 where σ or 1 − t² is (x·0 would be NaN at x = ±∞).
        let second = if s == 0.0 || q == 0.0 { 0.0 } else { v * q * s };
        d * (t + second)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 100.0, -100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [0.0; 10];
        forward(&x, &mut y);
        assert_eq!(y[0], 0.0);
        // x·tanh(ln(1 + eˣ)) in f64: 0.865098388, −0.303401461.
        assert!((y[1] - 0.865_098_4).abs() < 1e-6 && (y[2] + 0.303_401_46).abs() < 1e-6, "{y:?}");
        assert_eq!(y[3], 100.0);
        assert!(y[4] <= 0.0 && y[4] > -1e-40);
        assert_eq!((y[5], y[6], y[7], y[8]), (1e30, 0.0, f32::INFINITY, 0.0));
        assert!(y[9].is_nan());
        let mut dx = [0.0; 10];
        backward(&x, &y, &[1.0; 10], &mut dx);
        // t(0) = tanh(ln 2) = 0.6, σ(0) = 0.5: f'(0) = 0.6.
        assert!((dx[0] - 0.6).abs() < 1e-6);
        // f'(1) and f'(−1) in f64: 1.049036220, 0.059216756.
        assert!((dx[1] - 1.049_036_2).abs() < 1e-5 && (dx[2] - 0.059_216_76).abs() < 1e-5, "{dx:?}");
        assert_eq!((dx[3], dx[5], dx[6], dx[7], dx[8]), (1.0, 1.0, 0.0, 1.0, 0.0));
        assert!(dx[9].is_nan());
    }
}
