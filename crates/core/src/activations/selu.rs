//! `selu`: the scaled exponential linear unit (Klambauer et al. 2017, "Self-Normalizing
//! Neural Networks", <https://arxiv.org/abs/1706.02515>):
//! `f(x) = λ·x` for `x > 0`, `λ·α·(e^x − 1)` for `x ≤ 0`, with the paper's constants
//! `α ≈ 1.6732632423543772` and `λ ≈ 1.0507009873554805` (the same as TF.js and Keras).
//! The forward pass is elu's kernel (`kernels::transcendental::elu`) with `λ` and `λ·α`.
//!
//! # Derivative
//! `f'(x) = λ` for `x > 0`, `λ·α·e^x` for `x ≤ 0`; at the kink the left derivative `λ·α`, as
//! TF.js.

use super::map::map_grad;

/// α of the paper (eq. 14).
pub(crate) const ALPHA: f32 = 1.673_263_242_354_377_3_f64 as f32;
/// λ of the paper (eq. 14).
pub(crate) const SCALE: f32 = 1.050_700_987_355_480_5_f64 as f32;

pub fn forward(x: &[f32], y: &mut [f32]) {
    crate::kernels::transcendental::elu(x, SCALE, SCALE * ALPHA, y);
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| if v > 0.0 { d * SCALE } else { d * (SCALE * ALPHA) * v.exp() });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [1.0, -1.0, 0.0, -100.0, 1e30, -1e30, f32::NAN];
        let mut y = [0.0; 7];
        forward(&x, &mut y);
        assert!((y[0] - 1.050_701).abs() < 1e-6);
        assert!((y[1] + 1.111_330_7).abs() < 1e-6);
        assert_eq!(y[2], 0.0);
        assert!((y[3] + 1.758_099_3).abs() < 1e-6 && (y[5] + 1.758_099_3).abs() < 1e-6);
        assert_eq!(y[4], 1.050_701e30);
        assert!(y[6].is_nan());
        let mut dx = [0.0; 7];
        backward(&x, &y, &[1.0; 7], &mut dx);
        assert!((dx[0] - 1.050_701).abs() < 1e-6);
        assert!((dx[1] - 0.646_768_6).abs() < 1e-6);
        assert!((dx[2] - 1.758_099_3).abs() < 1e-6);
        assert!(dx[3] > 0.0 && dx[3] < 1e-40 && dx[5] == 0.0);
        assert!(dx[6].is_nan());
    }
}
