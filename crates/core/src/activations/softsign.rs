//! `softsign`: `f(x) = x / (1 + |x|)`, in `(−1, 1)` (Bergstra et al. 2009; TF.js and Keras
//! `softsign`). `f(±∞) = ±1` is taken explicitly (instead of `∞/∞ = NaN`).
//!
//! # Derivative
//! `f'(x) = 1 / (1 + |x|)²`.

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| if v.is_infinite() { v.signum() } else { v / (1.0 + v.abs()) });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let q = 1.0 + v.abs();
        d / (q * q)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -3.0, 100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [0.0; 9];
        forward(&x, &mut y);
        assert_eq!(y[..8], [0.0, 0.5, -0.75, 100.0 / 101.0, 1.0, -1.0, 1.0, -1.0]);
        assert!(y[8].is_nan());
        let mut dx = [0.0; 9];
        backward(&x, &y, &[1.0; 9], &mut dx);
        assert_eq!(dx[..8], [1.0, 0.25, 0.0625, 1.0 / 10201.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(dx[8].is_nan());
    }
}
