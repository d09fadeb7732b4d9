//! Cosine proximity over the last axis: per row `ℓ = −Σ_j t̂_j·p̂_j` with
//! `x̂ = x / sqrt(max(Σ x², ε))`, `ε = 1e-7` ([`super::EPSILON`]); `L = mean_rows(ℓ)`, in
//! `[−1, 1]` (−1 when `p` points along `t`; no mean over the last axis).
//!
//! TF.js's `cosineProximity` (tfjs-layers `losses.ts`, its `l2Normalize`), the same function as
//! Keras 3's `cosine_similarity` (also accepted as `'cosineSimilarity'`) but for the clamp of
//! small vectors: TF.js bounds the *squared* norm by ε (so the norm by √ε ≈ 3.2e-4), Keras 3
//! the norm itself by ε; TF.js's is followed, so the two differ for rows whose norm is below
//! √ε. A zero row gives 0. With `a = sqrt(max(Σt², ε))`, `b = sqrt(max(Σp², ε))`,
//! `s = Σ t_j·p_j`: `∂ℓ/∂p_j = −t_j/(a·b) + [Σp² ≥ ε]·s·p_j/(a·b³)` (the clamp passes the
//! gradient where `Σp² ≥ ε`, as TF.js's `maximum`), and the same with `t` and `p` swapped for
//! `∂ℓ/∂t`; divided by `rows`.
//! Keras `CosineSimilarity`:
//! <https://keras.io/api/losses/regression_losses/#cosinesimilarity-class>.
//!
//! ```
//! use neurite_core::losses::cosine_proximity;
//! assert!((cosine_proximity::forward(&[2.0, 0.0], &[3.0, 0.0], 1, 2) + 1.0).abs() < 1e-6);
//! ```

use super::EPSILON;

/// `(sqrt(max(Σx², ε)), Σx² ≥ ε)` of a row.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn norm(x: &[f32]) -> (f64, bool) {
    let s: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
    // NaN passes as inside, so it reaches the gradient.
    if s < EPSILON as f64 { ((EPSILON as f64).sqrt(), false) } else { (s.sqrt(), true) }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum()
}

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.chunks_exact(cols).zip(target.chunks_exact(cols)).map(|(p, t)| -dot(p, t) / (norm(p).0 * norm(t).0)).sum();
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    grad(pred, target, rows, cols, dpred);
}

/// `dtarget = ∂L/∂t` (the loss is symmetric in `p` and `t`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    grad(target, pred, rows, cols, dtarget);
}

/// `∂L/∂x` of `−Σ x̂·ŷ` averaged over rows.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn grad(x: &[f32], y: &[f32], rows: usize, cols: usize, d: &mut [f32]) {
    let scale = 1.0 / rows as f64;
    for ((d, x), y) in d.chunks_exact_mut(cols).zip(x.chunks_exact(cols)).zip(y.chunks_exact(cols)) {
        let ((nx, inside), ny) = (norm(x), norm(y).0);
        let s = if inside { dot(x, y) / (nx * nx) } else { 0.0 };
        for ((d, &a), &b) in d.iter_mut().zip(x).zip(y) {
            *d = (scale * (s * a as f64 - b as f64) / (nx * ny)) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_small_and_zero_rows() {
        // Row 1 at 90°, row 2 opposite: (0 + 1) / 2.
        assert!((forward(&[1.0, 0.0, -1.0, -1.0], &[0.0, 2.0, 3.0, 3.0], 2, 2) - 0.5).abs() < 1e-6);
        // A zero row costs 0 and passes a finite gradient; a row below √ε is not renormalised.
        assert_eq!(forward(&[0.0, 0.0], &[1.0, 0.0], 1, 2), 0.0);
        let l = forward(&[1e-4, 0.0], &[1.0, 0.0], 1, 2) as f64;
        assert!((l + 1e-4 / (1e-7f32 as f64).sqrt()).abs() < 1e-6, "{l}");
        let mut d = [9.0; 2];
        backward(&[0.0, 0.0], &[1.0, 0.0], 1, 2, &mut d);
        assert!((d[0] as f64 + 1.0 / (1e-7f32 as f64).sqrt()).abs() < 1e-2 && d[1] == 0.0, "{d:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::CosineProximity, &[0.5, -1.3, 2.0, 0.3, 0.9, 0.1], &[0.0, 1.0, 0.0, 0.2, 0.5, 0.3], 2, 3);
    }
}
