//! `elu`: the exponential linear unit (Clevert et al. 2015, <https://arxiv.org/abs/1511.07289>),
//! `f(x) = x` for `x > 0`, `α·(e^x − 1)` for `x ≤ 0` (default α = 1, as TF.js and Keras).
//!
//! The forward pass is the simd128 kernel `kernels::transcendental::elu`: its `e^x − 1` is an
//! `expm1` (within 2 ulp, accurate for small `|x|`) built on the polynomial `exp`, the same bits
//! on every runtime, thread count and chunking (the scalar tail is its exact twin).
//!
//! # Derivative
//! `f'(x) = 1` for `x > 0`, `α·e^x` for `x ≤ 0`. At the kink the left derivative `α` is used
//! (with α = 1 both sides agree, as TF.js's `EluGrad`).

use super::map::map_grad;

pub fn forward(x: &[f32], y: &mut [f32], alpha: f32) {
    crate::kernels::transcendental::elu(x, 1.0, alpha, y);
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], alpha: f32) {
    map_grad(x, y, dy, dx, |v, _, d| if v > 0.0 { d } else { d * alpha * v.exp() });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [1e-8, -1e-8, -1.0, 2.0, -100.0, 1e30, -1e30, 0.0, f32::NAN];
        let mut y = [0.0; 9];
        forward(&x, &mut y, 1.0);
        assert_eq!(y[0], 1e-8);
        // expm1 keeps the tiny negative value that e^x − 1 would round to 0.
        assert!((y[1] + 1e-8).abs() < 1e-15);
        assert!((y[2] + 0.632_120_56).abs() < 1e-7);
        assert_eq!(y[3..8], [2.0, -1.0, 1e30, -1.0, 0.0]);
        assert!(y[8].is_nan());
        let mut dx = [0.0; 9];
        backward(&x, &y, &[1.0; 9], &mut dx, 1.0);
        assert!((dx[2] - 0.367_879_44).abs() < 1e-7);
        // e^-100 is a subnormal f32, kept rather than flushed.
        assert!(dx[4] > 0.0 && dx[4] < 1e-40);
        assert_eq!((dx[3], dx[5], dx[6], dx[7]), (1.0, 1.0, 0.0, 1.0));
        assert!(dx[8].is_nan());
        forward(&[-1.0], &mut y[..1], 0.5);
        assert!((y[0] + 0.316_060_28).abs() < 1e-7);
        backward(&[0.0], &y[..1], &[1.0], &mut dx[..1], 0.5);
        assert_eq!(dx[0], 0.5);
    }
}
