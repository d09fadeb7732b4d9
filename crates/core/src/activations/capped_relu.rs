//! `cappedRelu` and `relu6`: relu capped at `m` (`maxValue`, finite, ≥ 0),
//! `f(x) = min(max(x, 0), m)`; `relu6` is `m = 6` (Krizhevsky 2010; MobileNet's activation;
//! TF.js and Keras `relu6`), the other caps are TF.js's `ReLU` layer with its `maxValue`
//! (`clipByValue(relu(x), 0, maxValue)`). NaN stays NaN; −0 goes to +0, as TF.js's
//! `Math.min(Math.max(0, x), 6)`.
//!
//! # Derivative
//! `f'(x) = 1` on `(0, m]`, `0` elsewhere: TF.js's rule, 0 at the lower kink and 1 at the
//! upper one (`relu6`: `dy · (x ≤ 6) · step(x)`; the `ReLU` layer: relu's `step(x)` times
//! `clipByValue`'s `0 ≤ relu(x) ≤ m`, the same mask). With `m = 0` it is 0 everywhere.

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32], cap: f32) {
    // NOTE: comparisons, not f32::max/min, so NaN propagates.
    map(x, y, |v| if v <= 0.0 { 0.0 } else if v >= cap { cap } else { v });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], cap: f32) {
    map_grad(x, y, dy, dx, |v, _, d| {
        if v > 0.0 && v <= cap {
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
        forward(&x, &mut y, 6.0);
        assert_eq!(y[..10], [0.0, 0.0, 0.0, 2.5, 6.0, 6.0, 6.0, 0.0, 6.0, 0.0]);
        assert!(y[1].is_sign_positive(), "-0 goes to +0");
        assert!(y[10].is_nan());
        let mut dx = [9.0; 11];
        backward(&x, &y, &[2.0; 11], &mut dx, 6.0);
        assert_eq!(dx[..10], [0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(dx[10].is_nan());
    }

    #[test]
    fn other_caps() {
        let x = [-1.0, 0.0, 0.5, 1.5, 1.5000001, 1e30, f32::NAN];
        let (mut y, mut dx) = ([9.0; 7], [9.0; 7]);
        forward(&x, &mut y, 1.5);
        assert_eq!(y[..6], [0.0, 0.0, 0.5, 1.5, 1.5, 1.5]);
        backward(&x, &y, &[3.0; 7], &mut dx, 1.5);
        assert_eq!(dx[..6], [0.0, 0.0, 3.0, 3.0, 0.0, 0.0]);
        assert!(y[6].is_nan() && dx[6].is_nan());
        // A cap of 0: the constant 0 (of sign +), no gradient anywhere.
        forward(&x, &mut y, 0.0);
        backward(&x, &y, &[3.0; 7], &mut dx, 0.0);
        assert!(y[..6].iter().all(|v| v.to_bits() == 0) && dx[..6].iter().all(|&d| d == 0.0));
        assert!(y[6].is_nan() && dx[6].is_nan());
    }
}
