//! `hardSilu` (also called hard swish): a piecewise-quadratic SiLU,
//! `f(x) = x · relu6(x + 3) / 6`: 0 for `x ≤ −3` (−0, as Keras's `x · 0`), `x` for `x ≥ 3`,
//! `x·(x + 3)/6` in between
//! (Howard et al. 2019, MobileNetV3, <https://arxiv.org/abs/1905.02244>; Keras 3
//! `keras.activations.hard_silu`, alias `hard_swish`; TF.js has none). The middle piece is
//! computed as Keras on JAX computes `x · (relu6(x + 3) / 6)`, XLA having made the division a
//! product with `fl(1/6)`: `x · ((x + 3) · fl(1/6))`, so the values are Keras's float32 bits;
//! the ends are taken explicitly, so `f(−∞) = −0` (Keras's `−∞ · 0` is NaN) and `f(+∞) = +∞`.
//! NaN stays NaN.
//!
//! # Derivative
//! `f'(x) = (2x + 3) / 6` on `(−3, 3)`, 0 for `x ≤ −3`, 1 for `x ≥ 3`. `f'` jumps at both
//! kinks (from 0 to −½ at −3, from 1.5 to 1 at 3); the value at each kink is the outer side's
//! (0 at −3, 1 at 3), what Keras's backends give (JAX's and TF's `relu6` pass no gradient at
//! either end of `[0, 6]`, so the product rule leaves `relu6(x + 3)/6`, 0 and 1 there). The
//! pieces are picked on `x + 3` rounded to float32, as Keras's: at `x = 3 − 2⁻²²`, `x + 3`
//! rounds to 6 and `f'` is 1 there too (Keras's bits, checked by
//! `test/keras-hard-silu-dice.test.ts`).

use super::map::{map, map_grad};

/// `1/6` rounded to float32, as XLA folds Keras's `/ 6`.
const SIXTH: f32 = 1.0 / 6.0;

pub fn forward(x: &[f32], y: &mut [f32]) {
    // NOTE: comparisons, not f32::max/min, so NaN falls through to the middle and propagates.
    // The pieces are chosen on `s = x + 3` as float32 rounds it, as Keras's `relu6(x + 3)`
    // does: just below 3, `x + 3` rounds to 6 and the slope is already the outer one.
    map(x, y, |v| {
        let s = v + 3.0;
        if s <= 0.0 {
            -0.0 // Keras's `x · 0` for a negative x
        } else if s >= 6.0 {
            v
        } else {
            v * (s * SIXTH)
        }
    });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        let s = v + 3.0;
        if s <= 0.0 {
            0.0
        } else if s >= 6.0 {
            d
        } else {
            d * ((2.0 * v + 3.0) / 6.0)
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_kinks_and_extremes() {
        let x = [-4.0, -3.0, -1.5, 0.0, 1.0, 3.0, 5.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [9.0; 12];
        forward(&x, &mut y);
        // By hand: -1.5·1.5/6 = -0.375, 1·4/6 = 2/3.
        assert_eq!(y[..11], [0.0, 0.0, -0.375, 0.0, 4.0f32 / 6.0, 3.0, 5.0, 1e30, 0.0, f32::INFINITY, 0.0]);
        assert!(y[11].is_nan());
        let mut dx = [9.0; 12];
        backward(&x, &y, &[2.0; 12], &mut dx);
        // f'(-1.5) = 0, f'(0) = 1/2, f'(1) = 5/6; the kinks take the outer side: 0 at -3, 1 at 3.
        assert_eq!(dx[..11], [0.0, 0.0, 0.0, 1.0, 2.0 * (5.0f32 / 6.0), 2.0, 2.0, 2.0, 0.0, 2.0, 0.0]);
        assert!(dx[11].is_nan());
        assert!(y[0].is_sign_negative() && y[8].is_sign_negative(), "-0 below -3, as Keras's x·0");
        // Just below 3, x + 3 rounds to 6 in float32: the outer slope, as Keras.
        let below = 3.0f32 - 2.0f32.powi(-22);
        let mut d = [0.0];
        backward(&[below], &[0.0], &[1.0], &mut d);
        assert_eq!(d[0], 1.0);
    }

    #[test]
    fn continuous_at_the_kinks() {
        let x = [-3.0 - 1e-6, -3.0 + 1e-6, 3.0 - 1e-6, 3.0 + 1e-6];
        let mut y = [0.0; 4];
        forward(&x, &mut y);
        assert!(y[0] == 0.0 && y[1].abs() < 1e-5);
        assert!((y[2] - 3.0).abs() < 1e-5 && (y[3] - 3.0).abs() < 1e-5);
    }
}
