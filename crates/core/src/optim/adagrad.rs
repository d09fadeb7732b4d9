//! Adagrad (Duchi et al. 2011, <https://jmlr.org/papers/v12/duchi11a.html>).
//!
//! Update rule (TF.js `AdagradOptimizer`, Keras 3 `Adagrad`):
//! ```text
//! s ← s + g²
//! p ← p − η·g / √(s + ε)
//! ```
//! with `s` starting at the initial accumulator value. Defaults: initial accumulator 0.1
//! (TF.js and Keras), `ε = 1e-7`; Keras's default rate is 0.001.
//! Reference: <https://github.com/tensorflow/tfjs/blob/master/tfjs-core/src/optimizers/adagrad_optimizer.ts>.
//!
//! State: one slot, the accumulator `s`.
//!
//! ```
//! use neurite_core::optim::adagrad;
//! let (mut p, mut s) = ([1.0f32], [0.0f32]);
//! adagrad::update(0.1, 0.0, &mut p, &[2.0], &mut s);
//! assert_eq!((p[0], s[0]), (0.9, 4.0));
//! ```

/// One step on `param` with accumulator `acc` (`param.len()` long).
pub fn update(lr: f32, epsilon: f32, param: &mut [f32], grad: &[f32], acc: &mut [f32]) {
    for ((p, &g), s) in param.iter_mut().zip(grad).zip(acc.iter_mut()) {
        *s += g * g;
        *p -= lr * g / (*s + epsilon).sqrt();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        // s₀ = 0.1: s = 4.1, p = 1 − 0.1·2/√(4.1+ε); s = 5.1, p += 0.1/√(5.1+ε).
        let (mut p, mut s) = ([1.0f32], [0.1f32]);
        update(0.1, 1e-7, &mut p, &[2.0], &mut s);
        update(0.1, 1e-7, &mut p, &[-1.0], &mut s);
        let want = 1.0 - 0.2 / (4.1f64 + 1e-7).sqrt() + 0.1 / (5.1f64 + 1e-7).sqrt();
        assert!((s[0] - 5.1).abs() < 1e-6);
        assert!((p[0] as f64 - want).abs() < 1e-6, "{} vs {want}", p[0]);
    }
}
