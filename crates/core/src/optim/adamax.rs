//! Adamax: Adam with the infinity norm (Kingma & Ba 2014, section 7.1,
//! <https://arxiv.org/abs/1412.6980>).
//!
//! Update rule at step `k` (1-based), exactly as TF.js `AdamaxOptimizer`:
//! ```text
//! m ← β₁·m + (1 − β₁)·g          u ← max(β₂·u, |g|)
//! η_k = η / (1 + decay·(k − 1))
//! p ← p − (η_k / (1 − β₁ᵏ)) · m / (u + ε)
//! ```
//! (TF.js's order of operations: the scaled rate times the ratio.) Defaults (TF.js): `η =
//! 0.002, β₁ = 0.9, β₂ = 0.999, ε = 1e-7, decay = 0`; Keras 3 has the same rule with `η =
//! 0.001` and no `decay` (a schedule does that).
//! Reference: <https://github.com/tensorflow/tfjs/blob/master/tfjs-core/src/optimizers/adamax_optimizer.ts>.
//!
//! State: two slots, `m` then `u` (the weighted infinity norm; TF.js names it `v`), both 0 at
//! first. Subnormal values are stored as 0 ([`flush`], see the [module docs](super)).
//!
//! ```
//! use neurite_core::optim::adamax;
//! let (mut p, mut m, mut u) = ([1.0f32], [0.0f32], [0.0f32]);
//! adamax::update(1, 0.1, 0.9, 0.999, 1e-7, 0.0, &mut p, &[0.5], &mut m, &mut u);
//! assert!((p[0] - 0.9).abs() < 1e-6); // the first step moves by ≈ η·sign(g)
//! ```

use super::{adam::bias_correction, flush};

/// One step on `param` with the moment `m` and the norm `u` (each `param.len()` long).
#[allow(clippy::too_many_arguments)]
pub fn update(step: u64, lr: f32, beta1: f32, beta2: f32, epsilon: f32, decay: f32, param: &mut [f32], grad: &[f32], m: &mut [f32], u: &mut [f32]) {
    let k = step.max(1);
    let rate = lr / (1.0 + decay * (k - 1) as f32) / bias_correction(beta1, k);
    for (((p, &g), m), u) in param.iter_mut().zip(grad).zip(m.iter_mut()).zip(u.iter_mut()) {
        *m = flush(beta1 * *m + (1.0 - beta1) * g);
        *u = flush((beta2 * *u).max(g.abs()));
        *p -= rate * (*m / (*u + epsilon));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand_with_decay() {
        // β₁ = 0.5, β₂ = 0.5, η = 0.1, decay 1: step 1 rate 0.1/(1−0.5) = 0.2, m = 1, u = 2;
        // step 2 (g = −1) rate 0.1/2/(1−0.25), m = 0.5·1 − 0.5 = 0, u = max(1, 1) = 1.
        let (mut p, mut m, mut u) = ([1.0f32], [0.0f32], [0.0f32]);
        update(1, 0.1, 0.5, 0.5, 1e-7, 1.0, &mut p, &[2.0], &mut m, &mut u);
        assert_eq!((m[0], u[0]), (1.0, 2.0));
        let p1 = 1.0 - 0.2 * (1.0 / (2.0 + 1e-7f64));
        assert!((p[0] as f64 - p1).abs() < 1e-7, "{} vs {p1}", p[0]);
        update(2, 0.1, 0.5, 0.5, 1e-7, 1.0, &mut p, &[-1.0], &mut m, &mut u);
        assert_eq!((m[0], u[0]), (0.0, 1.0));
        assert!((p[0] as f64 - p1).abs() < 1e-7);
        // The norm keeps the larger of the decayed norm and |g|.
        update(3, 0.1, 0.5, 0.5, 1e-7, 0.0, &mut p, &[0.25], &mut m, &mut u);
        assert_eq!(u[0], 0.5);
    }
}
