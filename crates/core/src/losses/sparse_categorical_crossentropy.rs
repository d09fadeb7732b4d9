//! Sparse categorical cross-entropy: targets are class indices `y` (one per row), not one-hot.
//!
//! - On logits `z`: `ℓ = lse(z) − z_y`; `∂ℓ/∂z_i = softmax(z)_i − [i = y]`.
//! - On probabilities (Keras's TF backend: clip, log, then softmax cross-entropy):
//!   `c = clip(p, ε, 1 − ε)`, `ℓ = ln Σ_j c_j − ln c_y`;
//!   `∂ℓ/∂p_i = 1/Σc − [i = y]/c_y` where `ε ≤ p_i ≤ 1 − ε`, else 0 (the clip's gradient).
//!   For rows that sum to 1 this is `−ln p_y`. NOTE: TF.js instead clips, renormalises and
//!   clips again (`−ln clip(c_y/Σc)`); the two agree unless a row is clipped.
//!
//! `L = mean_rows(ℓ)`. Keras `SparseCategoricalCrossentropy`:
//! <https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class>.
//!
//! ```
//! use neurite_core::losses::sparse_categorical_crossentropy as scce;
//! let l = scce::forward(&[0.25, 0.75], &[1.0], 1, 2, false);
//! assert!((l + 0.75f32.ln()).abs() < 1e-6);
//! ```

use super::categorical_crossentropy::logsumexp;
use super::clip_prob;

/// The class index of a target, if it is one (checked targets always are).
#[inline]
fn label(t: f32, cols: usize) -> Option<usize> {
    (t >= 0.0 && t.fract() == 0.0 && (t as usize) < cols).then_some(t as usize)
}

/// Mean loss over `rows` samples of `cols` classes.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool) -> f32 {
    let mut sum = 0.0f64;
    for (p, &t) in pred.chunks_exact(cols).zip(target) {
        let Some(y) = label(t, cols) else { return f32::NAN };
        sum += if from_logits {
            logsumexp(p) - p[y] as f64
        } else {
            let total: f64 = p.iter().map(|&v| clip_prob(v).0 as f64).sum();
            total.ln() - (clip_prob(p[y]).0 as f64).ln()
        };
    }
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p` (or `∂L/∂z` on logits).
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, dpred: &mut [f32]) {
    let scale = 1.0 / rows as f32;
    for ((p, &t), d) in pred.chunks_exact(cols).zip(target).zip(dpred.chunks_exact_mut(cols)) {
        let Some(y) = label(t, cols) else {
            d.fill(f32::NAN);
            continue;
        };
        if from_logits {
            let lse = logsumexp(p);
            for (i, (di, &z)) in d.iter_mut().zip(p).enumerate() {
                let soft = ((z as f64) - lse).exp() as f32;
                *di = scale * (soft - if i == y { 1.0 } else { 0.0 });
            }
        } else {
            let total: f32 = p.iter().map(|&v| clip_prob(v).0).sum();
            let cy = clip_prob(p[y]).0;
            for (i, (di, &v)) in d.iter_mut().zip(p).enumerate() {
                *di = match clip_prob(v) {
                    (_, true) => scale * (1.0 / total - if i == y { 1.0 / cy } else { 0.0 }),
                    // NOTE: zero gradient where the clip is active.
                    (_, false) => 0.0,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::categorical_crossentropy as cce;

    #[test]
    fn equals_categorical_on_one_hot_targets() {
        let p = [0.5, 0.3, 0.2, 0.1, 0.7, 0.2];
        let z = [0.3, -1.0, 2.0, 0.5, 0.5, -3.0];
        let onehot = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let idx = [1.0, 2.0];
        for (x, logits) in [(&p, false), (&z, true)] {
            let a = forward(x, &idx, 2, 3, logits);
            let b = cce::forward(x, &onehot, 2, 3, logits, 0.0);
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
            let (mut da, mut db) = ([0.0; 6], [0.0; 6]);
            backward(x, &idx, 2, 3, logits, &mut da);
            cce::backward(x, &onehot, 2, 3, logits, 0.0, &mut db);
            if logits {
                assert!(da.iter().zip(db).all(|(a, b)| (a - b).abs() < 1e-6), "{da:?} vs {db:?}");
            } else {
                // On normalised probabilities the gradients differ only along (1,1,…,1), the
                // direction that leaves q = p/Σp unchanged.
                for r in 0..2 {
                    let diff: Vec<f32> = (0..3).map(|j| da[3 * r + j] - db[3 * r + j]).collect();
                    assert!(diff.iter().all(|v| (v - diff[0]).abs() < 1e-5), "{diff:?}");
                }
            }
        }
    }

    #[test]
    fn stable_at_zero_and_one() {
        let l = forward(&[0.0, 1.0], &[0.0], 1, 2, false);
        assert!(l.is_finite() && l > 16.0 && l < 16.2, "{l}");
        let l = forward(&[0.0, 1.0], &[1.0], 1, 2, false);
        assert!(l.abs() < 2e-7);
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[0.0], 1, 2, false, &mut d);
        assert_eq!(d, [0.0, 0.0]);
        assert!(forward(&[0.5, 0.5], &[2.0], 1, 2, true).is_nan(), "an unchecked bad label gives NaN, not a panic");
    }
}
