//! Decoupled weight decay, the one rule every optimizer shares (Keras 3's base `Optimizer`
//! `weight_decay`, <https://keras.io/api/optimizers/#base-optimizer-class>; Loshchilov &
//! Hutter 2017, <https://arxiv.org/abs/1711.05101>):
//! ```text
//! p ← p − η·λ·p      before the optimizer's own update, at that update's rate η
//! ```
//! Keras 3 (`BaseOptimizer._apply_weight_decay`) applies it to each variable not excluded
//! (`exclude_from_weight_decay`) after clipping and before `update_step`, with
//! `learning_rate` at the same iteration as the update (a schedule's current value). It is not
//! an L2 penalty: the gradient (and so Adam's moments) never sees it. With `λ = 0` nothing
//! changes (bit for bit).
//!
//! ```
//! use neurite_core::optim::weight_decay;
//! let mut p = [1.0f32, -2.0];
//! weight_decay::apply(0.1, 0.5, &mut p);
//! assert_eq!(p, [0.95, -1.9]);
//! ```

/// `p ← p − (η·λ)·p` for every element (nothing when `λ·η` is 0).
#[inline]
pub fn apply(lr: f32, weight_decay: f32, param: &mut [f32]) {
    let k = lr * weight_decay;
    if k != 0.0 {
        for p in param.iter_mut() {
            *p -= k * *p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_towards_zero_and_zero_is_a_no_op() {
        let mut p = [1.0f32, -4.0, 0.0, 1e30, -1e-30];
        apply(0.01, 0.1, &mut p);
        let want: Vec<f32> = [1.0f32, -4.0, 0.0, 1e30, -1e-30].iter().map(|&v| v - 0.001 * v).collect();
        assert_eq!(p.to_vec(), want);
        let before = p;
        apply(0.0, 0.5, &mut p);
        apply(0.5, 0.0, &mut p);
        assert_eq!(p.map(f32::to_bits), before.map(f32::to_bits));
    }
}
