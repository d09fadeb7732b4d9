//! Mean absolute percentage error: `L = mean_rows( mean_cols( 100·|t − p| / max(|t|, ε) ) )`,
//! `ε = 1e-7` ([`super::EPSILON`]), so a zero target costs `100·|p| / ε` rather than ∞.
//!
//! As TF.js's `meanAbsolutePercentageError` (tfjs-layers `losses.ts`: `clipByValue(|t|, ε,
//! MAX)`; Keras 3's `maximum(|t|, ε)` is the same function). With `c = max(|t|, ε)`:
//! `∂L/∂p = 100·sign(p − t) / (c·rows·cols)` (0 where `p = t`, TF's `abs` subgradient), and
//! `∂L/∂t = 100·sign(t − p)·(1/c − [|t| ≥ ε]·(t − p)·sign(t)/c²) / (rows·cols)` (the clip passes
//! its gradient only where `|t| ≥ ε`, inclusive, as TF.js's `clipByValue`).
//! Keras `MeanAbsolutePercentageError`:
//! <https://keras.io/api/losses/regression_losses/#meanabsolutepercentageerror-class>.
//!
//! ```
//! use neurite_core::losses::mape;
//! assert_eq!(mape::forward(&[1.5, 1.0], &[2.0, 4.0], 1, 2), (25.0 + 75.0) / 2.0);
//! ```

use super::EPSILON;

/// `max(|t|, ε)` and whether `|t|` was at least ε (the clip passes its gradient there).
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn denom(t: f32) -> (f32, bool) {
    let a = t.abs();
    if a < EPSILON { (EPSILON, false) } else { (a, true) }
}

/// `sign(e)` with `sign(0) = 0` and NaN kept.
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn sign(e: f32) -> f32 {
    if e > 0.0 { 1.0 } else if e < 0.0 { -1.0 } else { e * 0.0 }
}

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| ((t - p) as f64 / denom(t).0 as f64).abs()).sum();
    (100.0 * sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    let scale = 100.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        *d = scale * sign(p - t) / denom(t).0;
    }
}

/// `dtarget = ∂L/∂t` (see the module docs).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    let scale = 100.0 / (rows * cols) as f64;
    for ((d, &p), &t) in dtarget.iter_mut().zip(pred).zip(target) {
        let (c, inside) = denom(t);
        let (e, c) = ((t - p) as f64, c as f64);
        let through = if inside { e * sign(t) as f64 / (c * c) } else { 0.0 };
        *d = (scale * sign(t - p) as f64 * (1.0 / c - through)) as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_zero_targets() {
        // |2 − 1.5|/2 = 25%, |−4 − 1|/4 = 125%; a zero target divides by ε.
        assert_eq!(forward(&[1.5, 1.0], &[2.0, -4.0], 1, 2), 75.0);
        let l = forward(&[1e-6, 0.0], &[0.0, 0.0], 1, 2) as f64;
        assert!((l - 100.0 * 10.0 / 2.0).abs() < 1e-3, "{l}");
        let mut d = [9.0; 3];
        backward(&[1.5, 1.0, 3.0], &[2.0, -4.0, 3.0], 1, 3, &mut d);
        let s = 100.0 / 3.0;
        assert!((d[0] + s / 2.0).abs() < 1e-4 && (d[1] - s / 4.0).abs() < 1e-4 && d[2] == 0.0, "{d:?}");
        // A zero target has a gradient only through the numerator: the clip is active.
        let mut dt = [0.0; 1];
        backward_target(&[2.0], &[0.0], 1, 1, &mut dt);
        assert!((dt[0] as f64 + 100.0 / 1e-7).abs() < 1e3, "{dt:?}");
        crate::losses::tests::gradcheck(crate::losses::Loss::MeanAbsolutePercentageError, &[0.5, -1.0, 2.0, 3.0], &[1.0, -2.0, 0.5, 3.5], 2, 2);
    }
}
