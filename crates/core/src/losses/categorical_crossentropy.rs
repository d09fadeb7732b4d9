//! Categorical cross-entropy over the last axis (classes), averaged over rows.
//!
//! With label smoothing `s` over `K = cols` classes, targets become `ỹ = t·(1 − s) + s/K`.
//! - On probabilities (Keras and TF.js): each row is renormalised, `q = p / Σp`, then clipped,
//!   `c = clip(q, ε, 1 − ε)`, and `ℓ = −Σ_j ỹ_j·ln c_j`. With `g_j = −ỹ_j / c_j` where
//!   `ε ≤ q_j ≤ 1 − ε` (else 0: the clip's gradient), `∂ℓ/∂p_i = (g_i − Σ_j g_j·q_j) / Σp`.
//! - On logits `z` (TF's `softmax_cross_entropy_with_logits`, via log-sum-exp):
//!   `ℓ = Σ_j ỹ_j·(lse(z) − z_j)`; `∂ℓ/∂z_i = softmax(z)_i·Σ_j ỹ_j − ỹ_i`.
//!
//! `L = mean_rows(ℓ)`, so each row's gradient is divided by `rows`.
//! Keras `CategoricalCrossentropy`:
//! <https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class>.
//!
//! ```
//! use neurite_core::losses::categorical_crossentropy as cce;
//! let l = cce::forward(&[0.25, 0.75], &[0.0, 1.0], 1, 2, false, 0.0);
//! assert!((l - 0.75f32.ln().abs()).abs() < 1e-6);
//! ```

use super::clip_prob;

/// `log Σ_j e^{z_j}`, shifted by the max so it never overflows.
#[inline(never)]
pub fn logsumexp(z: &[f32]) -> f64 {
    // The library's max, NaN when any logit is NaN (`f32::max` would drop it, and an infinite
    // logit beside it would then give ±∞ for the row); −∞ for an empty row.
    let m = crate::kernels::reduce::max(z);
    if !m.is_finite() {
        return m as f64;
    }
    let s: f64 = z.iter().map(|&v| ((v - m) as f64).exp()).sum();
    m as f64 + s.ln()
}

/// The loss of one row against smoothed targets produced by `y(j)`.
fn row_loss(p: &[f32], y: impl Fn(usize) -> f32, from_logits: bool) -> f64 {
    if from_logits {
        let lse = logsumexp(p);
        p.iter().enumerate().map(|(j, &z)| y(j) as f64 * (lse - z as f64)).sum()
    } else {
        let sum: f32 = p.iter().sum();
        p.iter().enumerate().map(|(j, &v)| -(y(j) as f64) * (clip_prob(v / sum).0 as f64).ln()).sum()
    }
}

/// The gradient of one row's loss, scaled by `scale`, written to `d`.
fn row_grad(p: &[f32], y: impl Fn(usize) -> f32, from_logits: bool, scale: f32, d: &mut [f32]) {
    if from_logits {
        let lse = logsumexp(p);
        let ysum: f32 = (0..p.len()).map(&y).sum();
        for (j, (dj, &z)) in d.iter_mut().zip(p).enumerate() {
            let soft = ((z as f64) - lse).exp() as f32;
            *dj = scale * (soft * ysum - y(j));
        }
    } else {
        let sum: f32 = p.iter().sum();
        // g_j = dℓ/dq_j, stored in d first; then the quotient rule through q = p/Σp.
        let mut gq = 0.0f32;
        for (j, (dj, &v)) in d.iter_mut().zip(p).enumerate() {
            let q = v / sum;
            *dj = match clip_prob(q) {
                (c, true) => -y(j) / c,
                // NOTE: zero gradient where the clip is active (TF and TF.js `clipByValue`).
                (_, false) => 0.0,
            };
            gq += *dj * q;
        }
        for dj in d.iter_mut() {
            *dj = scale * (*dj - gq) / sum;
        }
    }
}

/// Mean loss over `rows` samples of `cols` classes.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32) -> f32 {
    let k = cols as f32;
    let sum: f64 = pred
        .chunks_exact(cols)
        .zip(target.chunks_exact(cols))
        .map(|(p, t)| row_loss(p, |j| t[j] * (1.0 - smoothing) + smoothing / k, from_logits))
        .sum();
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p` (or `∂L/∂z` on logits).
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dpred: &mut [f32]) {
    let k = cols as f32;
    let scale = 1.0 / rows as f32;
    for ((p, t), d) in pred.chunks_exact(cols).zip(target.chunks_exact(cols)).zip(dpred.chunks_exact_mut(cols)) {
        row_grad(p, |j| t[j] * (1.0 - smoothing) + smoothing / k, from_logits, scale, d);
    }
}

/// `dtarget = ∂L/∂t`: with `ỹ = t·(1 − s) + s/K`, `∂ℓ/∂ỹ_j = lse(z) − z_j` on logits and
/// `−ln c_j` on probabilities (c the clipped, renormalised p).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dtarget: &mut [f32]) {
    let scale = (1.0 - smoothing) / rows as f32;
    for (p, d) in pred.chunks_exact(cols).zip(dtarget.chunks_exact_mut(cols)).take(target.len() / cols.max(1)) {
        if from_logits {
            let lse = logsumexp(p);
            for (dj, &z) in d.iter_mut().zip(p) {
                *dj = scale * (lse - z as f64) as f32;
            }
        } else {
            let sum: f32 = p.iter().sum();
            for (dj, &v) in d.iter_mut().zip(p) {
                *dj = -scale * clip_prob(v / sum).0.ln();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::EPSILON;

    #[test]
    fn closed_form() {
        // Two rows: −ln 0.5 and −ln 0.7.
        let p = [0.5, 0.3, 0.2, 0.1, 0.7, 0.2];
        let t = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let l = forward(&p, &t, 2, 3, false, 0.0) as f64;
        assert!((l + (0.5f64.ln() + 0.7f64.ln()) / 2.0).abs() < 1e-6);
        // Unnormalised rows are renormalised first (Keras, TF.js): [1, 3] is [0.25, 0.75].
        let a = forward(&[1.0, 3.0], &[0.0, 1.0], 1, 2, false, 0.0);
        assert!((a + 0.75f32.ln()).abs() < 1e-6);
        // Logits: lse([0, ln 3]) = ln 4 → −ln(3/4).
        let z = [0.0, 3f32.ln()];
        assert!((forward(&z, &[0.0, 1.0], 1, 2, true, 0.0) + 0.75f32.ln()).abs() < 1e-6);
        let mut d = [0.0; 2];
        backward(&z, &[0.0, 1.0], 1, 2, true, 0.0, &mut d);
        assert!((d[0] - 0.25).abs() < 1e-6 && (d[1] + 0.25).abs() < 1e-6);
    }

    #[test]
    fn probabilities_of_exactly_zero_and_one_are_stable() {
        let l = forward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, false, 0.0) as f64;
        assert!((l + (EPSILON as f64).ln()).abs() < 1e-4, "{l}");
        let l = forward(&[0.0, 1.0], &[0.0, 1.0], 1, 2, false, 0.0);
        assert!((0.0..2e-7).contains(&l));
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, false, 0.0, &mut d);
        assert!(d.iter().all(|v| v.is_finite()));
        assert_eq!(d, [0.0, 0.0], "both entries are clipped: no gradient");
        // Huge logits.
        let l = forward(&[1000.0, -1000.0], &[0.0, 1.0], 1, 2, true, 0.0);
        assert!((l - 2000.0).abs() < 1e-2);
    }

    #[test]
    fn label_smoothing() {
        // K = 4, s = 0.2: one-hot [0,1,0,0] → [0.05, 0.85, 0.05, 0.05].
        let p = [0.1, 0.6, 0.2, 0.1];
        let l = forward(&p, &[0.0, 1.0, 0.0, 0.0], 1, 4, false, 0.2) as f64;
        let want = -(0.05 * 0.1f64.ln() + 0.85 * 0.6f64.ln() + 0.05 * 0.2f64.ln() + 0.05 * 0.1f64.ln());
        assert!((l - want).abs() < 1e-6);
        let mut d = [0.0; 4];
        backward(&[0.0; 4], &[0.0, 1.0, 0.0, 0.0], 1, 4, true, 0.2, &mut d);
        let want = [0.2, -0.6, 0.2, 0.2];
        assert!(d.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6), "{d:?}");
    }
}
