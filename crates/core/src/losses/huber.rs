//! Huber loss with threshold `δ`, on the error `e = p − t`:
//! `ℓ(e) = ½·e²` for `|e| ≤ δ`, and `δ·|e| − ½·δ²` otherwise; `L = mean_rows(mean_cols(ℓ))`.
//!
//! Derivative: `ℓ'(e) = e` for `|e| ≤ δ`, `δ·sign(e)` otherwise (continuous at `|e| = δ`);
//! `∂L/∂p = ℓ'(e) / (rows·cols)`. Keras `Huber` (default `δ = 1`):
//! <https://keras.io/api/losses/regression_losses/#huber-class>;
//! paper: <https://doi.org/10.1214/aoms/1177703732>.
//!
//! ```
//! use neurite_core::losses::huber;
//! assert_eq!(huber::forward(&[0.5, 3.0], &[0.0, 0.0], 1, 2, 1.0), (0.125 + 2.5) / 2.0);
//! ```

/// Mean loss over `rows` samples of `cols` values.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, delta: f32) -> f32 {
    let d = delta as f64;
    let sum: f64 = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| {
            let e = (p - t).abs() as f64;
            if e <= d { 0.5 * e * e } else { d * e - 0.5 * d * d }
        })
        .sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, delta: f32, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        // NOTE: max/min rather than clamp, which panics on a NaN bound.
        // Not max/min, which would turn a NaN error into −delta (nor f32::clamp, whose panic
        // message formats floats into the wasm).
        let e = p - t;
        *d = scale * if e > delta { delta } else if e < -delta { -delta } else { e };
    }
}

/// `dtarget = ∂L/∂t = −∂L/∂p` (the loss is a function of `p − t`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, delta: f32, dtarget: &mut [f32]) {
    backward(pred, target, rows, cols, delta, dtarget);
    dtarget.iter_mut().for_each(|d| *d = -*d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_both_branches() {
        // e = [0.5, −3, 1]: ½·0.25, 1·3 − ½, ½·1 (at the threshold) → mean (0.125+2.5+0.5)/3.
        let (p, t) = ([0.5, -3.0, 2.0], [0.0, 0.0, 1.0]);
        assert!((forward(&p, &t, 1, 3, 1.0) - 3.125 / 3.0).abs() < 1e-7);
        let mut d = [0.0; 3];
        backward(&p, &t, 1, 3, 1.0, &mut d);
        assert_eq!(d, [0.5 / 3.0, -1.0 / 3.0, 1.0 / 3.0]);
        // δ = 2: e = −3 is linear: 2·3 − 2 = 4.
        assert_eq!(forward(&[-3.0], &[0.0], 1, 1, 2.0), 4.0);
    }
}
