//! Categorical hinge loss over the last axis: per row `ℓ = max(0, 1 + neg − pos)` with
//! `pos = Σ_j t_j·p_j` and `neg = max_j (1 − t_j)·p_j`; `L = mean_rows(ℓ)` (no mean over the
//! classes: a row-wise loss, like the categorical cross-entropies).
//!
//! As TF.js's `categoricalHinge` (tfjs-layers `losses.ts`) and Keras 3's: targets are meant to
//! be one-hot but any finite values are accepted. Gradients follow TF.js's rules: `max` passes
//! its gradient to every class that attains it (ties included), and `max(0, z)` only where
//! `z > 0`. Where `ℓ > 0`, `∂ℓ/∂p_j = −t_j + (1 − t_j)·[j attains neg]` and
//! `∂ℓ/∂t_j = −p_j − p_j·[j attains neg]`; divided by `rows`.
//! Keras `CategoricalHinge`: <https://keras.io/api/losses/hinge_losses/#categoricalhinge-class>.
//!
//! ```
//! use neurite_core::losses::categorical_hinge;
//! // pos = 0.5, neg = 0.8: 1 + 0.8 − 0.5.
//! let l = categorical_hinge::forward(&[0.8, 0.5, 0.1], &[0.0, 1.0, 0.0], 1, 3);
//! assert!((l - 1.3).abs() < 1e-6);
//! ```

/// `z = 1 + neg − pos` of one row and `neg` (NaN when any term is NaN).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn row(p: &[f32], t: &[f32]) -> (f64, f32) {
    let mut pos = 0.0f64;
    let mut neg = f32::NEG_INFINITY;
    for (&p, &t) in p.iter().zip(t) {
        pos += t as f64 * p as f64;
        let n = (1.0 - t) * p;
        // Not `f32::max`, which drops a NaN: a NaN term makes `neg` NaN for good.
        if !neg.is_nan() && (n > neg || n.is_nan()) {
            neg = n;
        }
    }
    (1.0 + neg as f64 - pos, neg)
}

/// Mean loss over `rows` samples of `cols` classes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred
        .chunks_exact(cols)
        .zip(target.chunks_exact(cols))
        .map(|(p, t)| {
            let z = row(p, t).0;
            if z > 0.0 || z.is_nan() { z } else { 0.0 }
        })
        .sum();
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    grad(pred, target, rows, cols, dpred, false);
}

/// `dtarget = ∂L/∂t`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    grad(pred, target, rows, cols, dtarget, true);
}

/// The gradient with respect to the predictions, or the targets with `wrt_target`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn grad(pred: &[f32], target: &[f32], rows: usize, cols: usize, d: &mut [f32], wrt_target: bool) {
    let scale = 1.0 / rows as f32;
    for ((d, p), t) in d.chunks_exact_mut(cols).zip(pred.chunks_exact(cols)).zip(target.chunks_exact(cols)) {
        let (z, neg) = row(p, t);
        for ((d, &p), &t) in d.iter_mut().zip(p).zip(t) {
            let at_max = ((1.0 - t) * p == neg) as u8 as f32;
            *d = if z.is_nan() {
                f32::NAN
            } else if z > 0.0 {
                scale * if wrt_target { -p - p * at_max } else { -t + (1.0 - t) * at_max }
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_ties_and_the_flat_side() {
        // Row 1: pos 0.5, neg 0.8 → 1.3. Row 2: pos 3, neg 0.2 → max(0, −1.8) = 0.
        let p = [0.8, 0.5, 0.1, 0.2, 3.0, -1.0];
        let t = [0.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        assert!((forward(&p, &t, 2, 3) - 0.65).abs() < 1e-6);
        let mut d = [9.0; 6];
        backward(&p, &t, 2, 3, &mut d);
        assert_eq!(d, [0.5, -0.5, 0.0, 0.0, 0.0, 0.0]);
        // A tie for the max: both classes get the gradient, as TF.js's max.
        let mut d = [9.0; 3];
        backward(&[0.4, 0.4, 0.1], &[0.0, 0.0, 1.0], 1, 3, &mut d);
        assert_eq!(d, [1.0, 1.0, -1.0]);
        let mut dt = [9.0; 3];
        backward_target(&[0.4, 0.4, 0.1], &[0.0, 0.0, 1.0], 1, 3, &mut dt);
        assert!((dt[0] + 0.8).abs() < 1e-7 && (dt[1] + 0.8).abs() < 1e-7 && (dt[2] + 0.1).abs() < 1e-7, "{dt:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::CategoricalHinge, &[0.5, -1.3, 2.0, 0.3, 0.9, 0.1], &[0.0, 1.0, 0.0, 0.2, 0.5, 0.3], 2, 3);
    }
}
