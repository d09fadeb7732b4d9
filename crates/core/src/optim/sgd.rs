//! Stochastic gradient descent, with optional (Nesterov) momentum.
//!
//! Update rule (TF.js `SGDOptimizer` and `MomentumOptimizer`, `a` the accumulation, `μ` the
//! momentum, `η` the learning rate):
//! - plain (`μ = 0`): `p ← p − η·g`;
//! - momentum: `a ← μ·a + g`, `p ← p − η·a`;
//! - Nesterov: `a ← μ·a + g`, `p ← p − η·(g + μ·a)`.
//!
//! NOTE: Keras 3 keeps the velocity with the rate folded in (`v ← μ·v − η·g`, `p ← p + v`, or
//! `p ← p + μ·v − η·g` for Nesterov); with `v = −η·a` the two are identical while `η` is
//! constant, and differ only in how a changing (scheduled) rate enters old velocity.
//! References: TF.js `momentum_optimizer.ts`
//! (<https://github.com/tensorflow/tfjs/blob/master/tfjs-core/src/optimizers/momentum_optimizer.ts>),
//! Keras `SGD` (<https://keras.io/api/optimizers/sgd/>), Sutskever et al. 2013
//! (<http://proceedings.mlr.press/v28/sutskever13.html>).
//!
//! State: one slot (the accumulation, initially 0) when `μ > 0`, none otherwise; subnormal
//! values are stored as 0 ([`flush`](super::flush), see the [module docs](super)).
//!
//! ```
//! use neurite_core::optim::sgd;
//! let mut p = [1.0f32];
//! sgd::update(0.5, 0.0, false, &mut p, &[2.0], &mut []);
//! assert_eq!(p, [0.0]);
//! ```

use super::flush;

/// State floats per parameter element.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn slots(momentum: f32) -> usize {
    usize::from(momentum > 0.0)
}

/// One step. `acc` is empty for plain SGD and `param.len()` long with momentum.
pub fn update(lr: f32, momentum: f32, nesterov: bool, param: &mut [f32], grad: &[f32], acc: &mut [f32]) {
    if momentum > 0.0 {
        for ((p, &g), a) in param.iter_mut().zip(grad).zip(acc.iter_mut()) {
            *a = flush(momentum * *a + g);
            *p -= if nesterov { lr * (g + momentum * *a) } else { lr * *a };
        }
    } else {
        for (p, &g) in param.iter_mut().zip(grad) {
            *p -= lr * g;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        // Plain: p = 1 − 0.1·2 = 0.8, then 0.8 − 0.1·(−1) = 0.9.
        let mut p = [1.0];
        update(0.1, 0.0, false, &mut p, &[2.0], &mut []);
        update(0.1, 0.0, false, &mut p, &[-1.0], &mut []);
        assert!((p[0] - 0.9).abs() < 1e-7);
        // Momentum 0.9: a = 2, p = 1 − 0.2 = 0.8; a = 1.8 − 1 = 0.8, p = 0.8 − 0.08 = 0.72.
        let (mut p, mut a) = ([1.0], [0.0]);
        update(0.1, 0.9, false, &mut p, &[2.0], &mut a);
        assert!((p[0] - 0.8).abs() < 1e-7 && a[0] == 2.0);
        update(0.1, 0.9, false, &mut p, &[-1.0], &mut a);
        assert!((p[0] - 0.72).abs() < 1e-6 && (a[0] - 0.8).abs() < 1e-6);
        // Nesterov: a = 2, p = 1 − 0.1·(2 + 1.8) = 0.62; a = 0.8, p = 0.62 − 0.1·(−1 + 0.72) = 0.648.
        let (mut p, mut a) = ([1.0], [0.0]);
        update(0.1, 0.9, true, &mut p, &[2.0], &mut a);
        assert!((p[0] - 0.62).abs() < 1e-6);
        update(0.1, 0.9, true, &mut p, &[-1.0], &mut a);
        assert!((p[0] - 0.648).abs() < 1e-6, "{}", p[0]);
    }

    #[test]
    fn matches_keras_velocity_form_at_constant_rate() {
        let (lr, mu) = (0.05f32, 0.8f32);
        let grads = [0.3f32, -1.2, 0.7, 2.0, -0.1];
        for nesterov in [false, true] {
            let (mut p, mut a) = ([0.5f32], [0.0f32]);
            let (mut q, mut v) = (0.5f32, 0.0f32);
            for &g in &grads {
                update(lr, mu, nesterov, &mut p, &[g], &mut a);
                v = mu * v - lr * g;
                q += if nesterov { mu * v - lr * g } else { v };
            }
            assert!((p[0] - q).abs() < 1e-6, "{nesterov}: {} vs {q}", p[0]);
        }
    }
}
