//! `hardSigmoid`: a piecewise-linear sigmoid, `f(x) = clip(0.2·x + 0.5, 0, 1)`: 0 for
//! `x ≤ −2.5`, 1 for `x ≥ 2.5`, linear in between.
//!
//! This is the TF.js layers (`K.hardSigmoid`) and Keras 2 definition. Keras 3 changed
//! `hard_sigmoid` to `relu6(x + 3) / 6` (slope 1/6, saturating at ±3); to port a Keras 3
//! model use a `linear` layer and clip, or expect small differences.
//!
//! # Derivative
//! `f'(x) = 0.2` where `0 ≤ 0.2·x + 0.5 ≤ 1` (the kinks ±2.5 included, as the gradient of
//! TF's `clipByValue`), else 0.

use super::map::{map, map_grad};

const SLOPE: f32 = 0.2;
const SHIFT: f32 = 0.5;

pub fn forward(x: &[f32], y: &mut [f32]) {
    // NOTE: f32::clamp propagates NaN.
    map(x, y, |v| (SLOPE * v + SHIFT).clamp(0.0, 1.0));
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let z = SLOPE * v + SHIFT;
        if (0.0..=1.0).contains(&z) {
            d * SLOPE
        } else if z.is_nan() {
            z
        } else {
            0.0
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_kinks() {
        let x = [0.0, 1.0, -2.5, 2.5, 3.0, -3.0, 1e30, -1e30, f32::NAN];
        let mut y = [0.0; 9];
        forward(&x, &mut y);
        assert_eq!(y[..8], [0.5, 0.7, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
        assert!(y[8].is_nan());
        let mut dx = [0.0; 9];
        backward(&x, &y, &[1.0; 9], &mut dx);
        assert_eq!(dx[..8], [0.2, 0.2, 0.2, 0.2, 0.0, 0.0, 0.0, 0.0]);
        assert!(dx[8].is_nan());
    }
}
