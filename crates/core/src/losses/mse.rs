//! Mean squared error: `L = mean_rows( mean_cols( (p − t)² ) )`.
//!
//! Derivative: `∂L/∂p = 2·(p − t) / (rows·cols)`.
//! Keras `MeanSquaredError`: <https://keras.io/api/losses/regression_losses/#meansquarederror-class>.
//!
//! ```
//! use neurite_core::losses::mse;
//! assert_eq!(mse::forward(&[1.0, 3.0], &[0.0, 1.0], 1, 2), 2.5);
//! ```

/// Mean loss over `rows` samples of `cols` values.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| ((p - t) as f64).powi(2)).sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    let scale = 2.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        *d = scale * (p - t);
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
    fn closed_form() {
        // Rows [1,2] vs [0,0] → 2.5 and [−1,1] vs [1,1] → 2; mean 2.25.
        let (p, t) = ([1.0, 2.0, -1.0, 1.0], [0.0, 0.0, 1.0, 1.0]);
        assert_eq!(forward(&p, &t, 2, 2), 2.25);
        let mut d = [0.0; 4];
        backward(&p, &t, 2, 2, &mut d);
        assert_eq!(d, [0.5, 1.0, -1.0, 0.0]);
    }
}
