//! RMSProp (Hinton, Lecture 6e, <https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf>),
//! optionally centered (Graves 2013, <https://arxiv.org/abs/1308.0850>) and with momentum.
//!
//! Update rule (TF.js `RMSPropOptimizer`; `ρ` the decay, `μ` the momentum):
//! ```text
//! s ← ρ·s + (1 − ρ)·g²                         (mean square)
//! centered:  ḡ ← ρ·ḡ + (1 − ρ)·g,  d = s − ḡ² + ε
//! otherwise: d = s + ε
//! Δ = η·g / √d
//! μ > 0: a ← μ·a + Δ,  p ← p − a;     μ = 0: p ← p − Δ
//! ```
//! Defaults (TF.js and Keras): `ρ = 0.9, μ = 0, ε = 1e-7, centered = false`; Keras's
//! default rate is 0.001.
//! NOTE: for the centered form TF.js computes `√(s − (ḡ² + ε))`, which is NaN whenever
//! `s − ḡ² < ε` (e.g. tiny gradients); we add ε as Keras 3 and TF do.
//! References: <https://github.com/tensorflow/tfjs/blob/master/tfjs-core/src/optimizers/rmsprop_optimizer.ts>,
//! <https://keras.io/api/optimizers/rmsprop/>.
//!
//! State: slot `s`, then `a` when `μ > 0`, then `ḡ` when centered; all initially 0;
//! subnormal values are stored as 0 ([`flush`](super::flush), see the [module docs](super)).
//!
//! ```
//! use neurite_core::optim::rmsprop;
//! let (mut p, mut s) = ([1.0f32], [0.0f32]);
//! rmsprop::update(0.1, 0.9, 0.0, 1e-7, false, &mut p, &[1.0], &mut s, &mut [], &mut []);
//! assert!((p[0] - (1.0 - 0.1 / 0.1f32.sqrt())).abs() < 1e-5);
//! ```

/// State floats per parameter element.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn slots(momentum: f32, centered: bool) -> usize {
    1 + usize::from(momentum > 0.0) + usize::from(centered)
}

use super::flush;

/// One step. `ms` is the mean square; `mom` is empty unless `momentum > 0`; `mg` is empty
/// unless `centered`. Each non-empty slot is `param.len()` long.
#[allow(clippy::too_many_arguments)]
pub fn update(lr: f32, rho: f32, momentum: f32, epsilon: f32, centered: bool, param: &mut [f32], grad: &[f32], ms: &mut [f32], mom: &mut [f32], mg: &mut [f32]) {
    for (i, (p, &g)) in param.iter_mut().zip(grad).enumerate() {
        let Some(s) = ms.get_mut(i) else { return };
        *s = flush(rho * *s + (1.0 - rho) * g * g);
        let denom = if centered {
            let Some(gbar) = mg.get_mut(i) else { return };
            *gbar = flush(rho * *gbar + (1.0 - rho) * g);
            *s - *gbar * *gbar + epsilon
        } else {
            *s + epsilon
        };
        let delta = lr * g / denom.sqrt();
        if momentum > 0.0 {
            let Some(a) = mom.get_mut(i) else { return };
            *a = flush(momentum * *a + delta);
            *p -= *a;
        } else {
            *p -= delta;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        let (lr, rho, eps) = (0.01f64, 0.9f64, 1e-7f64);
        // Plain: s = 0.4, p = 1 − 0.01·2/√(0.4+ε); s = 0.36 + 0.1 = 0.46, p += 0.01/√(0.46+ε).
        let (mut p, mut s) = ([1.0f32], [0.0f32]);
        update(0.01, 0.9, 0.0, 1e-7, false, &mut p, &[2.0], &mut s, &mut [], &mut []);
        update(0.01, 0.9, 0.0, 1e-7, false, &mut p, &[-1.0], &mut s, &mut [], &mut []);
        let want = 1.0 - lr * 2.0 / (0.4 + eps).sqrt() + lr / (0.46 + eps).sqrt();
        assert!((p[0] as f64 - want).abs() < 1e-6, "{} vs {want}", p[0]);
        // Momentum 0.5: a₁ = Δ₁, a₂ = 0.5·Δ₁ + Δ₂.
        let (mut p, mut s, mut a) = ([1.0f32], [0.0f32], [0.0f32]);
        update(0.01, 0.9, 0.5, 1e-7, false, &mut p, &[2.0], &mut s, &mut a, &mut []);
        update(0.01, 0.9, 0.5, 1e-7, false, &mut p, &[-1.0], &mut s, &mut a, &mut []);
        let (d1, d2) = (lr * 2.0 / (0.4 + eps).sqrt(), -lr / (0.46 + eps).sqrt());
        let want = 1.0 - d1 - (0.5 * d1 + d2);
        assert!((p[0] as f64 - want).abs() < 1e-6, "{} vs {want}", p[0]);
        // Centered: ḡ₁ = 0.2, d₁ = 0.4 − 0.04 + ε; ḡ₂ = 0.18 − 0.1 = 0.08, d₂ = 0.46 − 0.0064 + ε.
        let (mut p, mut s, mut g) = ([1.0f32], [0.0f32], [0.0f32]);
        update(0.01, 0.9, 0.0, 1e-7, true, &mut p, &[2.0], &mut s, &mut [], &mut g);
        update(0.01, 0.9, 0.0, 1e-7, true, &mut p, &[-1.0], &mut s, &mut [], &mut g);
        let want = 1.0 - lr * 2.0 / (0.36 + eps).sqrt() + lr / (0.46 - 0.0064 + eps).sqrt();
        assert!((p[0] as f64 - want).abs() < 1e-6, "{} vs {want}", p[0]);
        let _ = rho;
    }

    #[test]
    fn centered_tiny_gradients_stay_finite() {
        let (mut p, mut s, mut g) = ([1.0f32], [0.0f32], [0.0f32]);
        for _ in 0..5 {
            update(0.01, 0.9, 0.0, 1e-7, true, &mut p, &[1e-6], &mut s, &mut [], &mut g);
        }
        assert!(p[0].is_finite());
    }
}
