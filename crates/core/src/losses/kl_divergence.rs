//! Kullback–Leibler divergence `KL(t ‖ p)` over the last axis, averaged over rows.
//!
//! As TF.js, both sides are clipped to `[ε, 1]` inside the logarithm and the weight is the
//! target itself: `t̂ = clip(t, ε, 1)`, `p̂ = clip(p, ε, 1)`, `ℓ = Σ_j t_j·ln(t̂_j / p̂_j)`
//! (Keras 3 weights by `t̂`, which makes a zero target cost `ε·ln(ε/p̂)`, slightly negative).
//! Derivatives: `∂ℓ/∂p_j = −t_j / p̂_j` where `ε ≤ p_j ≤ 1`, else 0 (the clip's gradient);
//! `∂ℓ/∂t_j = ln(t̂_j / p̂_j) + 1` where `ε ≤ t_j ≤ 1`, else `ln(t̂_j / p̂_j)`.
//! `L = mean_rows(ℓ)`. TF.js's `losses.kullbackLeiblerDivergence`.
//! Keras `KLDivergence`: <https://keras.io/api/losses/probabilistic_losses/#kldivergence-class>;
//! definition: <https://en.wikipedia.org/wiki/Kullback%E2%80%93Leibler_divergence>.
//!
//! ```
//! use neurite_core::losses::kl_divergence as kld;
//! assert!(kld::forward(&[0.3, 0.7], &[0.3, 0.7], 1, 2).abs() < 1e-7);
//! ```

use super::EPSILON;

#[inline]
fn clip(v: f32) -> (f32, bool) {
    if v < EPSILON {
        (EPSILON, false)
    } else if v > 1.0 {
        (1.0, false)
    } else {
        (v, true)
    }
}

/// Mean loss over `rows` samples of `cols` classes.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, _cols: usize) -> f32 {
    let sum: f64 = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| {
            let (tc, pc) = (clip(t).0 as f64, clip(p).0 as f64);
            t as f64 * (tc / pc).ln()
        })
        .sum();
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], rows: usize, _cols: usize, dpred: &mut [f32]) {
    let scale = 1.0 / rows as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        *d = match clip(p) {
            (pc, true) => -scale * t / pc,
            (_, false) => 0.0,
        };
    }
}

/// `dtarget = ∂L/∂t = (ln(t̂/p̂) + 1) / rows` where `t` is inside its clip `[ε, 1]`, else
/// `ln(t̂/p̂) / rows` (the weight `t` still has its gradient).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, _cols: usize, dtarget: &mut [f32]) {
    let scale = 1.0 / rows as f32;
    for ((d, &p), &t) in dtarget.iter_mut().zip(pred).zip(target) {
        let (tc, inside) = clip(t);
        let log = (tc / clip(p).0).ln();
        *d = scale * if inside { log + 1.0 } else { log };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TF.js's form: a zero target weighs its term by 0 (Keras 3's clipped weight made it
    /// `ε·ln(ε/p̂)`), and the target's gradient there is `ln(ε/p̂)`.
    #[test]
    fn zero_targets_as_tfjs() {
        let (p, t) = ([0.2f32, 0.8, 0.0], [0.0f32, 1.0, 0.0]);
        let l = forward(&p, &t, 1, 3) as f64;
        assert!((l - (1.0f64 / 0.8).ln()).abs() < 1e-6, "{l}");
        let mut dt = [0.0; 3];
        backward_target(&p, &t, 1, 3, &mut dt);
        assert!((dt[0] as f64 - (1e-7f64 / 0.2).ln()).abs() < 1e-4 && (dt[1] as f64 - ((1.0f64 / 0.8).ln() + 1.0)).abs() < 1e-5 && dt[2].abs() < 1e-4, "{dt:?}");
        let mut dp = [0.0; 3];
        backward(&p, &t, 1, 3, &mut dp);
        assert_eq!(dp[0], 0.0);
    }

    #[test]
    fn closed_form() {
        // KL([0.5, 0.5] ‖ [0.25, 0.75]) = 0.5·ln 2 + 0.5·ln(2/3).
        let l = forward(&[0.25, 0.75], &[0.5, 0.5], 1, 2) as f64;
        assert!((l - (0.5 * 2f64.ln() + 0.5 * (2.0f64 / 3.0).ln())).abs() < 1e-6);
        let mut d = [0.0; 2];
        backward(&[0.25, 0.75], &[0.5, 0.5], 1, 2, &mut d);
        assert!((d[0] + 2.0).abs() < 1e-6 && (d[1] + 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn zero_targets_and_predictions_are_stable() {
        // t = 0 contributes ε·ln(ε/p̂) ≈ 0; p = 0 is clipped to ε.
        let l = forward(&[0.0, 1.0], &[0.0, 1.0], 1, 2);
        assert!(l.abs() < 1e-5, "{l}");
        let l = forward(&[0.0, 1.0], &[1.0, 0.0], 1, 2);
        assert!((l - 16.118).abs() < 1e-2, "{l}");
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, &mut d);
        assert!(d[0] == 0.0 && d[1].is_finite());
    }
}
