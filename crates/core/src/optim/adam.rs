//! Adam: adaptive moment estimation (Kingma & Ba 2014, <https://arxiv.org/abs/1412.6980>).
//!
//! Update rule at step `k` (1-based), exactly as TF.js `AdamOptimizer`:
//! ```text
//! m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
//! m̂ = m / (1 − β₁ᵏ)              v̂ = v / (1 − β₂ᵏ)
//! p ← p − (m̂ / (√v̂ + ε)) · η
//! ```
//! (in TF.js's order of operations: the ratio first, then times η, so the rounding is TF.js's;
//! it also keeps `η·m̂` of a decaying `m` from going subnormal, see [`flush`]).
//! Defaults (TF.js and Keras): `η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-7` (TF.js takes ε
//! from `backend.epsilon()`, 1e-7 for float32).
//! NOTE: Keras 3 puts ε outside the bias correction (`p ← p − η·√(1−β₂ᵏ)/(1−β₁ᵏ)·m/(√v + ε)`,
//! i.e. an effective `ε·√(1 − β₂ᵏ)`); we follow TF.js, which is also PyTorch's form.
//! Reference: <https://github.com/tensorflow/tfjs/blob/master/tfjs-core/src/optimizers/adam_optimizer.ts>.
//!
//! AMSGrad (Reddi, Kale & Kumar 2018, <https://openreview.net/forum?id=ryQu7f-RZ>; Keras 3
//! `Adam(amsgrad=True)`, PyTorch `Adam(amsgrad=True)`) keeps the running maximum `v_max` of
//! the raw second moment and divides by it instead of `v`:
//! ```text
//! v_max ← max(v_max, v)          p ← p − η · m̂ / (√(v_max / (1 − β₂ᵏ)) + ε)
//! ```
//! (TF.js has no AMSGrad; the ε placement is TF.js's/PyTorch's as above.)
//!
//! State: two slots, `m` then `v`, both initially 0; with AMSGrad a third, `v_max`, also 0.
//! Subnormal `m` and `v` are stored as 0 ([`flush`], see the [module docs](super)).
//!
//! ```
//! use neurite_core::optim::adam;
//! let (mut p, mut m, mut v) = ([1.0f32], [0.0f32], [0.0f32]);
//! adam::update(1, 0.1, 0.9, 0.999, 1e-7, &mut p, &[0.5], &mut m, &mut v);
//! assert!((p[0] - 0.9).abs() < 1e-6); // the first step moves by ≈ η·sign(g)
//! ```

use super::flush;

/// `1 − βᵏ`, computed in f64 (TF.js multiplies a float32 `β` accumulator each step; the two
/// agree to float32 rounding).
pub fn bias_correction(beta: f32, step: u64) -> f32 {
    let k = step.clamp(1, i32::MAX as u64) as i32;
    (1.0 - (beta as f64).powi(k)) as f32
}

/// One step on `param` with moment slots `m` and `v` (each `param.len()` long).
#[allow(clippy::too_many_arguments)]
pub fn update(step: u64, lr: f32, beta1: f32, beta2: f32, epsilon: f32, param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]) {
    let (bc1, bc2) = (bias_correction(beta1, step), bias_correction(beta2, step));
    for (((p, &g), m), v) in param.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = flush(beta1 * *m + (1.0 - beta1) * g);
        *v = flush(beta2 * *v + (1.0 - beta2) * g * g);
        *p -= (*m / bc1) / ((*v / bc2).sqrt() + epsilon) * lr;
    }
}

/// One AMSGrad step: as [`update`], dividing by the running maximum `v_max` of `v` (a third
/// slot, `param.len()` long).
#[allow(clippy::too_many_arguments)]
pub fn update_amsgrad(step: u64, lr: f32, beta1: f32, beta2: f32, epsilon: f32, param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], v_max: &mut [f32]) {
    let (bc1, bc2) = (bias_correction(beta1, step), bias_correction(beta2, step));
    for ((((p, &g), m), v), vm) in param.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()).zip(v_max.iter_mut()) {
        *m = flush(beta1 * *m + (1.0 - beta1) * g);
        *v = flush(beta2 * *v + (1.0 - beta2) * g * g);
        *vm = vm.max(*v);
        *p -= (*m / bc1) / ((*vm / bc2).sqrt() + epsilon) * lr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_steps_by_hand() {
        let (lr, b1, b2, eps) = (0.01f32, 0.9f32, 0.999f32, 1e-7f32);
        let (mut p, mut m, mut v) = ([1.0f32], [0.0f32], [0.0f32]);
        // Step 1, g = 2: m = 0.2, v = 0.004, m̂ = 2, v̂ = 4 → p = 1 − 0.01·2/(2 + ε).
        update(1, lr, b1, b2, eps, &mut p, &[2.0], &mut m, &mut v);
        let p1 = 1.0 - 0.01 * 2.0 / (2.0 + 1e-7f64);
        assert!((p[0] as f64 - p1).abs() < 1e-7, "{}", p[0]);
        // Step 2, g = −1: m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996;
        // m̂ = 0.08/0.19, v̂ = 0.004996/0.001999 (v to 5e-5: 1 − β₂ in f32 is 0.00099998713).
        update(2, lr, b1, b2, eps, &mut p, &[-1.0], &mut m, &mut v);
        let (mh, vh) = (0.08 / 0.19f64, 0.004996 / (1.0 - 0.999f64 * 0.999));
        let p2 = p1 - 0.01 * mh / (vh.sqrt() + 1e-7);
        assert!((m[0] as f64 - 0.08).abs() < 1e-7 && (v[0] as f64 / 0.004996 - 1.0).abs() < 5e-5, "m {} v {}", m[0], v[0]);
        assert!((p[0] as f64 - p2).abs() < 1e-6, "{} vs {p2}", p[0]);
    }

    #[test]
    fn amsgrad_divides_by_the_largest_second_moment() {
        let (lr, b1, b2, eps) = (0.1f32, 0.9f32, 0.5f32, 0.0f32);
        let (mut p, mut m, mut v, mut vm) = ([0.0f32], [0.0f32], [0.0f32], [0.0f32]);
        let (mut q, mut m2, mut v2) = ([0.0f32], [0.0f32], [0.0f32]);
        // A large gradient, then a small one: v falls (0.5·4 + 0.5·0.01), v_max stays at 2.
        for (k, g) in [(1, 2.0f32), (2, 0.1)] {
            update_amsgrad(k, lr, b1, b2, eps, &mut p, &[g], &mut m, &mut v, &mut vm);
            update(k, lr, b1, b2, eps, &mut q, &[g], &mut m2, &mut v2);
        }
        assert_eq!((m, v), (m2, v2), "the moments are Adam's");
        assert_eq!(vm[0], 2.0);
        assert!((v[0] - 1.005).abs() < 1e-6);
        // Step 1 is Adam's (v_max = v): −0.1. Step 2: m = 0.19, m̂ = 0.19/0.19 = 1;
        // v_max/(1 − 0.25) = 8/3 → −0.1/√(8/3); Adam divides by √(1.005/0.75) instead.
        let want = -0.1 - 0.1 / (8.0f64 / 3.0).sqrt();
        assert!((p[0] as f64 - want).abs() < 1e-6, "{} vs {want}", p[0]);
        let adam = -0.1 - 0.1 / (1.005f64 / 0.75).sqrt();
        assert!((q[0] as f64 - adam).abs() < 1e-6, "{} vs {adam}", q[0]);
    }

    #[test]
    fn step_zero_is_treated_as_one() {
        assert_eq!(bias_correction(0.9, 0), bias_correction(0.9, 1));
        assert!((bias_correction(0.9, 1) - 0.1).abs() < 1e-7);
        assert!(bias_correction(0.999, u64::MAX) == 1.0);
    }
}
