//! `leakyRelu`: `f(x) = x` for `x > 0`, `α·x` otherwise (Maas et al. 2013,
//! <https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf>). Default α = 0.2,
//! the default of TF.js `tf.leakyRelu` and Keras 3 `leaky_relu` (the Keras/TF.js *layer*
//! `LeakyReLU` defaults to 0.3; pass it explicitly if you port such a model).
//!
//! # Derivative
//! `f'(x) = 1` for `x > 0`, `α` for `x ≤ 0` (α at the kink, as TF.js).

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32], alpha: f32) {
    map(x, y, |v| if v > 0.0 { v } else { alpha * v });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], alpha: f32) {
    map_grad(x, y, dy, dx, |v, _, d| {
        if v > 0.0 {
            d
        } else if v <= 0.0 {
            alpha * d
        } else {
            v // NaN
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_kink() {
        let x = [-1e30, -100.0, 0.0, 2.0, 1e30, f32::NAN];
        let mut y = [0.0; 6];
        forward(&x, &mut y, 0.2);
        assert_eq!(y[..5], [-2e29, -20.0, 0.0, 2.0, 1e30]);
        assert!(y[5].is_nan());
        let mut dx = [0.0; 6];
        backward(&x, &y, &[1.0; 6], &mut dx, 0.2);
        assert_eq!(dx[..5], [0.2, 0.2, 0.2, 1.0, 1.0]);
        assert!(dx[5].is_nan());
        // alpha = 0 is relu.
        forward(&[-3.0], &mut y[..1], 0.0);
        assert_eq!(y[0], 0.0);
    }
}
