//! AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2017,
//! <https://arxiv.org/abs/1711.05101>).
//!
//! Update rule at step `k` (1-based), `λ` the weight decay:
//! ```text
//! p ← p − η·λ·p                  (decoupled decay, applied first, as Keras 3)
//! then the Adam step of [`super::adam`] on the decayed p.
//! ```
//! The decay follows Keras 3 (`variable -= variable · weight_decay · lr` before the update,
//! <https://keras.io/api/optimizers/adamw/>) and PyTorch's `AdamW`; the Adam step uses TF.js's
//! placement of ε (see `adam.rs`), so `AdamW` with `λ = 0` is exactly [`super::adam`].
//! Defaults (Keras): `η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-7, λ = 0.004`. The decay is
//! [`super::weight_decay`], the rule every optimizer's `weightDecay` shares (in
//! [`super::Optimizer::update`]); AdamW is Adam with a default λ.
//!
//! State: two slots, `m` then `v`, both initially 0 (with AMSGrad a third, `v_max`).
//!
//! ```
//! use neurite_core::optim::adamw;
//! let (mut p, mut m, mut v) = ([1.0f32], [0.0f32], [0.0f32]);
//! adamw::update(1, 0.1, 0.9, 0.999, 1e-7, 0.5, &mut p, &[0.0], &mut m, &mut v);
//! assert!((p[0] - 0.95).abs() < 1e-6); // zero gradient: only the decay 1 − 0.1·0.5
//! ```

use super::{adam, weight_decay};

/// One step on `param` with moment slots `m` and `v` (each `param.len()` long).
#[allow(clippy::too_many_arguments)]
pub fn update(step: u64, lr: f32, beta1: f32, beta2: f32, epsilon: f32, weight_decay: f32, param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]) {
    weight_decay::apply(lr, weight_decay, param);
    adam::update(step, lr, beta1, beta2, epsilon, param, grad, m, v);
}

/// One step with AMSGrad (see [`adam::update_amsgrad`]): the decay, then the AMSGrad step.
#[allow(clippy::too_many_arguments)]
pub fn update_amsgrad(step: u64, lr: f32, beta1: f32, beta2: f32, epsilon: f32, weight_decay: f32, param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], v_max: &mut [f32]) {
    weight_decay::apply(lr, weight_decay, param);
    adam::update_amsgrad(step, lr, beta1, beta2, epsilon, param, grad, m, v, v_max);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        let (lr, b1, b2, eps, wd) = (0.01f32, 0.9f32, 0.999f32, 1e-7f32, 0.1f32);
        let (mut p, mut m, mut v) = ([1.0f32], [0.0f32], [0.0f32]);
        update(1, lr, b1, b2, eps, wd, &mut p, &[2.0], &mut m, &mut v);
        // Decay: 1 − 0.001 = 0.999; Adam: − 0.01·2/(2 + ε).
        let p1 = 0.999 - 0.01 * 2.0 / (2.0 + 1e-7f64);
        assert!((p[0] as f64 - p1).abs() < 1e-7);
        update(2, lr, b1, b2, eps, wd, &mut p, &[-1.0], &mut m, &mut v);
        let (mh, vh) = (0.08 / 0.19f64, 0.004996 / (1.0 - 0.999f64 * 0.999));
        let p2 = p1 * (1.0 - 0.001) - 0.01 * mh / (vh.sqrt() + 1e-7);
        assert!((p[0] as f64 - p2).abs() < 1e-6, "{} vs {p2}", p[0]);
    }

    #[test]
    fn zero_decay_is_adam() {
        let (mut p, mut m, mut v) = ([0.3f32, -2.0], [0.0f32; 2], [0.0f32; 2]);
        let (mut q, mut m2, mut v2) = (p, m, v);
        for (k, g) in [[0.5f32, -0.1], [1.5, 0.2], [-0.7, 0.0]].iter().enumerate() {
            update(k as u64 + 1, 0.01, 0.9, 0.999, 1e-7, 0.0, &mut p, g, &mut m, &mut v);
            adam::update(k as u64 + 1, 0.01, 0.9, 0.999, 1e-7, &mut q, g, &mut m2, &mut v2);
        }
        assert_eq!(p, q);
    }
}
