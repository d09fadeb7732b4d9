//! Log-cosh loss: `L = mean_rows( mean_cols( ln cosh(p − t) ) )`, about `e²/2` for a small error
//! `e = p − t` and `|e| − ln 2` for a large one.
//!
//! TF.js's `logcosh` (tfjs-layers `losses.ts`) and Keras 3's `log_cosh` use the softplus form
//! `e + softplus(−2e) − ln 2`; this is the same function evaluated as
//! `|e| + ln(1 + e^{−2|e|}) − ln 2` in float64 (no cancellation for small `e`, and
//! `e = −∞` gives ∞ where the float32 softplus form gives `−∞ + ∞ = NaN`).
//! Derivative: `∂L/∂p = tanh(e) / (rows·cols)` (`1 − 2·sigmoid(−2e)`, TF.js's gradient of the
//! softplus form); `∂L/∂t = −∂L/∂p`.
//! Keras `LogCosh`: <https://keras.io/api/losses/regression_losses/#logcosh-class>.
//!
//! ```
//! use neurite_core::losses::logcosh;
//! let l = logcosh::forward(&[1.0], &[0.0], 1, 1);
//! assert!((l as f64 - 1f64.cosh().ln()).abs() < 1e-7);
//! ```

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| {
            let a = ((p - t) as f64).abs();
            // ln(1 + y) for y = e^{−2a} ≤ 1: absolute error ~1e-16 beside a (not ln_1p, whose
            // float64 code the module does not otherwise carry).
            a + (1.0 + (-2.0 * a).exp()).ln() - core::f64::consts::LN_2
        })
        .sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        *d = scale * (p - t).tanh();
    }
}

/// `dtarget = ∂L/∂t = −∂L/∂p` (the loss is a function of `p − t`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    backward(pred, target, rows, cols, dtarget);
    dtarget.iter_mut().for_each(|d| *d = -*d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_large_and_infinite_errors() {
        // e²/2 for a tiny error (the float32 softplus form loses it to cancellation).
        let l = forward(&[1e-4], &[0.0], 1, 1) as f64;
        assert!((l - 5e-9).abs() < 1e-14, "{l}");
        assert!((forward(&[-1e4], &[0.0], 1, 1) as f64 - (1e4 - 2f64.ln())).abs() < 1e-3);
        assert_eq!(forward(&[f32::NEG_INFINITY], &[0.0], 1, 1), f32::INFINITY);
        let mut d = [0.0; 2];
        backward(&[0.5, -30.0], &[0.0, 0.0], 1, 2, &mut d);
        assert!((d[0] as f64 - 0.5f64.tanh() / 2.0).abs() < 1e-7 && d[1] == -0.5, "{d:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::Logcosh, &[0.5, -1.0, 2.0, 3.0], &[1.0, -2.0, 0.5, -3.5], 2, 2);
    }
}
