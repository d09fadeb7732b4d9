//! `relu6`: relu capped at 6, `f(x) = min(max(x, 0), 6)` (Krizhevsky 2010; MobileNet's
//! activation; TF.js and Keras `relu6`). NaN stays NaN; −0 goes to +0, as TF.js's
//! `Math.min(Math.max(0, x), 6)`.
//!
//! # Derivative
//! `f'(x) = 1` on `(0, 6]`, `0` elsewhere: TF.js's rule (`dy · (x ≤ 6) · step(x)`), 0 at the
//! lower kink and 1 at the upper one.

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32]) {
    // NOTE: comparisons, not f32::max/min, so NaN propagates.
    map(x, y, |v| if v <= 0.0 { 0.0 } else if v >= 6.0 { 6.0 } else { v });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        if v > 0.0 && v <= 6.0 {
            d
        } else if v.is_nan() {
            v
        } else {
            0.0
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_kinks_and_extremes() {
        let x = [-1.0, -0.0, 0.0, 2.5, 6.0, 7.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [9.0; 11];
        forward(&x, &mut y);
        assert_eq!(y[..10], [0.0, 0.0, 0.0, 2.5, 6.0, 6.0, 6.0, 0.0, 6.0, 0.0]);
        assert!(y[1].is_sign_positive(), "-0 goes to +0");
        assert!(y[10].is_nan());
        let mut dx = [9.0; 11];
        backward(&x, &y, &[2.0; 11], &mut dx);
        assert_eq!(dx[..10], [0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(dx[10].is_nan());
    }
}
