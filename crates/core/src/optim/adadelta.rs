//! Adadelta (Zeiler 2012, <https://arxiv.org/abs/1212.5701>).
//!
//! Update rule, as Keras 3 `Adadelta` and the paper:
//! ```text
//! a ← ρ·a + (1 − ρ)·g²
//! Δ = √(d + ε) / √(a + ε) · g
//! d ← ρ·d + (1 − ρ)·Δ²
//! p ← p − η·Δ
//! ```
//! Defaults (Keras 3 and TF.js): `η = 0.001, ρ = 0.95, ε = 1e-7`.
//! NOTE: not TF.js's rule. TF.js's `AdadeltaOptimizer` (4.22) divides by the average *before*
//! this step's gradient enters it, `Δ = √(d + ε)/√(a_old + ε)·g`; with both averages starting
//! at 0 that makes `d` equal `a` after every step and `Δ = g` always, i.e. plain SGD at rate
//! `η` (`test/optimizers.test.ts` shows TF.js's trajectory is `tf.train.sgd`'s). We keep the
//! algorithm; a trajectory from `tf.train.adadelta` is not reproduced.
//! Reference: <https://github.com/keras-team/keras/blob/master/keras/src/optimizers/adadelta.py>.
//!
//! State: two slots, `a` (TF.js's name `accum_grad`) then `d` (`accum_var`), both 0 at first.
//! Subnormal values are stored as 0 ([`flush`], see the [module docs](super)).
//!
//! ```
//! use neurite_core::optim::adadelta;
//! let (mut p, mut a, mut d) = ([1.0f32], [0.0f32], [0.0f32]);
//! adadelta::update(1.0, 0.5, 1e-6, &mut p, &[2.0], &mut a, &mut d);
//! assert_eq!(a[0], 2.0); // 0.5·0 + 0.5·4
//! assert!((p[0] - (1.0 - 2.0 * (1e-6f32).sqrt() / 2.0f32.sqrt())).abs() < 1e-6);
//! ```

use super::flush;

/// One step on `param` with the accumulators `a` (squared gradients) and `d` (squared steps).
pub fn update(lr: f32, rho: f32, epsilon: f32, param: &mut [f32], grad: &[f32], a: &mut [f32], d: &mut [f32]) {
    for (((p, &g), a), d) in param.iter_mut().zip(grad).zip(a.iter_mut()).zip(d.iter_mut()) {
        *a = flush(rho * *a + g * g * (1.0 - rho));
        let delta = (*d + epsilon).sqrt() / (*a + epsilon).sqrt() * g;
        *d = flush(rho * *d + delta * delta * (1.0 - rho));
        *p -= lr * delta;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        let (rho, eps, lr) = (0.9f64, 1e-3f64, 0.5f64);
        let (mut p, mut a, mut d) = ([1.0f32], [0.0f32], [0.0f32]);
        let (mut pp, mut aa, mut dd) = (1.0f64, 0.0f64, 0.0f64);
        for g in [2.0f64, -0.5] {
            update(lr as f32, rho as f32, eps as f32, &mut p, &[g as f32], &mut a, &mut d);
            aa = rho * aa + (1.0 - rho) * g * g;
            let delta = (dd + eps).sqrt() / (aa + eps).sqrt() * g;
            dd = rho * dd + (1.0 - rho) * delta * delta;
            pp -= lr * delta;
            assert!((p[0] as f64 - pp).abs() < 1e-6 && (a[0] as f64 - aa).abs() < 1e-6 && (d[0] as f64 - dd).abs() < 1e-6, "{p:?} {a:?} {d:?} vs {pp} {aa} {dd}");
        }
    }
}
