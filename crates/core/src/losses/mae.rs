//! Mean absolute error: `L = mean_rows( mean_cols( |p − t| ) )`.
//!
//! Derivative: `∂L/∂p = sign(p − t) / (rows·cols)`, with `sign(0) = 0` (the subgradient TF
//! uses for `abs`). Keras `MeanAbsoluteError`:
//! <https://keras.io/api/losses/regression_losses/#meanabsoluteerror-class>.
//!
//! ```
//! use neurite_core::losses::mae;
//! assert_eq!(mae::forward(&[1.0, -3.0], &[0.0, 1.0], 1, 2), 2.5);
//! ```

/// Mean loss over `rows` samples of `cols` values.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| (p - t).abs() as f64).sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        let e = p - t;
        // NOTE: the subgradient at e = 0 is 0, as TF's `abs` gradient `sign(x)`.
        *d = if e > 0.0 { scale } else if e < 0.0 { -scale } else if e.is_nan() { f32::NAN } else { 0.0 };
    }
}

/// `dtarget = ∂L/∂t = −∂L/∂p` (the loss is a function of `p − t`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    backward(pred, target, rows, cols, dtarget);
    dtarget.iter_mut().for_each(|d| *d = -*d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_kink() {
        let (p, t) = ([1.0, 2.0, -1.0, 1.0], [0.0, 0.0, 1.0, 1.0]);
        assert_eq!(forward(&p, &t, 2, 2), 1.25);
        let mut d = [9.0; 4];
        backward(&p, &t, 2, 2, &mut d);
        assert_eq!(d, [0.25, 0.25, -0.25, 0.0]);
    }
}
