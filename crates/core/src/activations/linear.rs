//! `linear`: an affine map, `f(x) = m·x + b` (slope `m`, intercept `b`). With `m = 1, b = 0`
//! it is the identity, the default activation of a layer (Keras/TF.js `'linear'`).
//!
//! # Derivative
//! `f'(x) = m`, so `dx = m·dy`.

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32], slope: f32, intercept: f32) {
    map(x, y, |v| slope * v + intercept);
}

pub fn backward(x: &[f32], _y: &[f32], dy: &[f32], dx: &mut [f32], slope: f32) {
    // NOTE: NaN in x must still give NaN (the convention of every activation).
    map_grad(x, x, dy, dx, |v, _, d| if v.is_nan() { v } else { slope * d });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_slope() {
        let x = [-2.0, 0.0, 3.0, 1e30, f32::NAN];
        let mut y = [0.0; 5];
        forward(&x, &mut y, 2.0, -1.0);
        assert_eq!(y[..4], [-5.0, -1.0, 5.0, 2e30]);
        assert!(y[4].is_nan());
        let mut dx = [0.0; 5];
        backward(&x, &y, &[1.0, -1.0, 0.5, 1.0, 1.0], &mut dx, 2.0);
        assert_eq!(dx[..4], [2.0, -2.0, 1.0, 2.0]);
        assert!(dx[4].is_nan());
        // The identity is exact.
        forward(&x[..4], &mut y[..4], 1.0, 0.0);
        assert_eq!(y[..4], x[..4]);
    }
}
