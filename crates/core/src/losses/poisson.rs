//! Poisson loss: `L = mean_rows( mean_cols( p − t·ln(p + ε) ) )`, `ε = 1e-7`
//! ([`super::EPSILON`]), the negative log-likelihood of counts `t` under rates `p` (up to a
//! term in `t` alone).
//!
//! As TF.js's `poisson` (tfjs-layers `losses.ts`) and Keras 3's: the prediction is not clipped,
//! so `p < −ε` gives a NaN loss (`p = −ε`: `ln 0`), and any finite target is accepted
//! (negative ones too). Derivatives: `∂L/∂p = (1 − t/(p + ε)) / (rows·cols)`,
//! `∂L/∂t = −ln(p + ε) / (rows·cols)`; `p + ε` is rounded to float32 as TF.js does.
//! Keras `Poisson`: <https://keras.io/api/losses/probabilistic_losses/#poisson-class>.
//!
//! ```
//! use neurite_core::losses::poisson;
//! let l = poisson::forward(&[2.0], &[3.0], 1, 1);
//! assert!((l as f64 - (2.0 - 3.0 * 2f64.ln())).abs() < 1e-6);
//! ```

use super::EPSILON;

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| p as f64 - t as f64 * ((p + EPSILON) as f64).ln()).sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        *d = scale * (1.0 - t / (p + EPSILON));
    }
}

/// `dtarget = ∂L/∂t = −ln(p + ε) / (rows·cols)`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], _target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f64;
    for (d, &p) in dtarget.iter_mut().zip(pred) {
        *d = (-scale * ((p + EPSILON) as f64).ln()) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_domain() {
        // A zero rate against a zero count costs nothing; against a count, −t·ln ε.
        assert_eq!(forward(&[0.0], &[0.0], 1, 1), 0.0);
        assert!((forward(&[0.0], &[2.0], 1, 1) as f64 + 2.0 * (1e-7f32 as f64).ln()).abs() < 1e-4);
        // Negative rates below −ε: NaN, as TF.js (even against a zero count: 0·NaN).
        assert!(forward(&[-0.5], &[0.0], 1, 1).is_nan());
        let mut d = [0.0; 2];
        backward(&[2.0, 0.5], &[3.0, -1.0], 1, 2, &mut d);
        assert!((d[0] + 0.25).abs() < 1e-6 && (d[1] - 1.5).abs() < 1e-5, "{d:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::Poisson, &[0.5, 1.0, 2.0, 3.0], &[1.0, 0.0, 0.5, -3.5], 2, 2);
    }
}
