//! Mean squared logarithmic error: `L = mean_rows( mean_cols( (ln(1 + p̂) − ln(1 + t̂))² ) )`
//! with `p̂ = max(p, ε)`, `t̂ = max(t, ε)`, `ε = 1e-7` ([`super::EPSILON`]): predictions and
//! targets at or below 0 count as ε (no target is refused for being negative, as in TF.js).
//!
//! As TF.js's `meanSquaredLogarithmicError` (tfjs-layers `losses.ts`, `clipByValue(x, ε, MAX)`;
//! Keras 3's `maximum(x, ε)` is the same function). With `δ = ln(1 + p̂) − ln(1 + t̂)`:
//! `∂L/∂p = 2δ / ((1 + p)·rows·cols)` where `p ≥ ε` (inclusive, TF.js's `clipByValue`
//! gradient), else 0; `∂L/∂t = −2δ / ((1 + t)·rows·cols)` where `t ≥ ε`, else 0.
//! Keras `MeanSquaredLogarithmicError`:
//! <https://keras.io/api/losses/regression_losses/#meansquaredlogarithmicerror-class>.
//!
//! ```
//! use neurite_core::losses::msle;
//! let l = msle::forward(&[std::f32::consts::E - 1.0], &[0.0], 1, 1);
//! assert!((l - 1.0).abs() < 1e-6);
//! ```

use super::EPSILON;

/// `ln(1 + max(x, ε))` and whether `x ≥ ε` (the clip passes its gradient there; NaN passes).
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn log1(x: f32) -> (f64, bool) {
    // ln(1 + x) in float64 (1 + x is exact there); not ln_1p, whose float64 code the module
    // does not otherwise carry.
    if x < EPSILON { ((1.0 + EPSILON as f64).ln(), false) } else { ((1.0 + x as f64).ln(), true) }
}

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| (log1(p).0 - log1(t).0).powi(2)).sum();
    (sum / (rows * cols) as f64) as f32
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

/// `d = 2δ/((1 + x)·rows·cols)` per value of `x` against `y` (δ = ln(1 + x̂) − ln(1 + ŷ)).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn grad(x: &[f32], y: &[f32], rows: usize, cols: usize, d: &mut [f32]) {
    let scale = 2.0 / (rows * cols) as f64;
    for ((d, &a), &b) in d.iter_mut().zip(x).zip(y) {
        let (la, inside) = log1(a);
        *d = if inside { (scale * (la - log1(b).0) / (1.0 + a as f64)) as f32 } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_clip() {
        // Negative and zero values count as ε: equal then, and no gradient flows to them.
        assert!(forward(&[-3.0, 0.0], &[0.0, -1.0], 1, 2).abs() < 1e-12);
        let mut d = [9.0; 2];
        backward(&[-3.0, 3.0], &[1.0, 1.0], 1, 2, &mut d);
        let want = 2.0 * (4f64.ln() - 2f64.ln()) / (4.0 * 2.0);
        assert!(d[0] == 0.0 && (d[1] as f64 - want).abs() < 1e-6, "{d:?}");
        let mut dt = [9.0; 2];
        backward_target(&[-3.0, 3.0], &[1.0, -1.0], 1, 2, &mut dt);
        assert!(dt[0] != 0.0 && dt[1] == 0.0, "{dt:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::MeanSquaredLogarithmicError, &[0.5, 1.0, 2.0, 30.0], &[1.0, 0.0, 0.5, 3.5], 2, 2);
    }
}
