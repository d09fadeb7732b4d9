//! Hinge loss: `L = mean_rows( mean_cols( max(0, 1 − t·p) ) )` with targets `t ∈ {−1, 1}`.
//! As Keras, targets that are all in `{0, 1}` are first converted to `2t − 1`.
//!
//! Derivative: `∂L/∂p = −t / (rows·cols)` where `1 − t·p > 0`, else 0 (the subgradient at the
//! kink is 0, as TF.js's `hingeLoss`, which uses `relu`). Keras `Hinge`:
//! <https://keras.io/api/losses/hinge_losses/#hinge-class>.
//!
//! ```
//! use neurite_core::losses::hinge;
//! assert_eq!(hinge::forward(&[0.25, 2.0], &[1.0, 0.0], 1, 2), (0.75 + 3.0) / 2.0);
//! ```

/// Whether targets use the 0/1 convention (and so are converted to −1/1). The convention is the
/// batch's: a row of per-row losses converts (or not) as its whole batch does.
pub fn zero_one(target: &[f32]) -> bool {
    // Targets all 1 read the same either way: as ±1 (no conversion), so the target gradient is
    // TF.js's (converting by 2t − 1 doubled it).
    target.iter().all(|&t| t == 0.0 || t == 1.0) && target.contains(&0.0)
}

/// Mean loss over `rows` samples of `cols` values.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    forward_as(pred, target, rows, cols, zero_one(target))
}

/// [`forward`] with the 0/1 convention given (`conv`: convert by `2t − 1`).
pub fn forward_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool) -> f32 {
    let sum: f64 = pred
        .iter()
        .zip(target)
        .map(|(&p, &t)| {
            let t = if conv { 2.0 * t - 1.0 } else { t };
            // Not `max(0.0)`, which drops a NaN: a NaN prediction gives a NaN loss.
            let m = 1.0 - t * p;
            (if m > 0.0 || m.is_nan() { m } else { 0.0 }) as f64
        })
        .sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    backward_as(pred, target, rows, cols, zero_one(target), dpred)
}

/// [`backward`] with the 0/1 convention given.
pub fn backward_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        let t = if conv { 2.0 * t - 1.0 } else { t };
        *d = if p.is_nan() { f32::NAN } else if 1.0 - t * p > 0.0 { -t * scale } else { 0.0 };
    }
}

/// `dtarget = ∂L/∂t = −p·k / (rows·cols)` where `1 − t·p > 0` (else 0), `k` = 2 for 0/1
/// targets (converted by `2t − 1`) and 1 otherwise.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    backward_target_as(pred, target, rows, cols, zero_one(target), dtarget)
}

/// [`backward_target`] with the 0/1 convention given.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool, dtarget: &mut [f32]) {
    let scale = if conv { 2.0 } else { 1.0 } / (rows * cols) as f32;
    for ((d, &p), &t) in dtarget.iter_mut().zip(pred).zip(target) {
        let y = if conv { 2.0 * t - 1.0 } else { t };
        *d = if p.is_nan() { f32::NAN } else if 1.0 - y * p > 0.0 { -p * scale } else { 0.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_label_conversion() {
        let p = [0.5, -2.0, 1.0, 0.0];
        // t = [1, −1, 1, −1]: margins 0.5, 0 (−1·−2 = 2 → 1−2 < 0), 0 (kink), 1.
        let t = [1.0, -1.0, 1.0, -1.0];
        assert_eq!(forward(&p, &t, 2, 2), 1.5 / 4.0);
        let mut d = [9.0; 4];
        backward(&p, &t, 2, 2, &mut d);
        assert_eq!(d, [-0.25, 0.0, 0.0, 0.25]);
        // The same labels as 0/1 give the same loss and gradient.
        let t01 = [1.0, 0.0, 1.0, 0.0];
        assert_eq!(forward(&p, &t01, 2, 2), 1.5 / 4.0);
        let mut d01 = [0.0; 4];
        backward(&p, &t01, 2, 2, &mut d01);
        assert_eq!(d01, d);
    }

    /// Targets all 1 are ±1 labels (no conversion): the target gradient is TF.js's
    /// `−p·[1 − t·p > 0] / n`, not twice it (a reviewer's find on squaredHinge; hinge too).
    #[test]
    fn targets_all_one_are_not_converted() {
        assert!(!zero_one(&[1.0, 1.0]) && zero_one(&[1.0, 0.0]) && !zero_one(&[1.0, -1.0]));
        let mut dt = [0.0; 2];
        backward_target_as(&[0.5, 2.0], &[1.0, 1.0], 1, 2, zero_one(&[1.0, 1.0]), &mut dt);
        assert_eq!(dt, [-0.25, 0.0]);
        let mut ds = [0.0; 2];
        crate::losses::squared_hinge::backward_target_as(&[0.5, 2.0], &[1.0, 1.0], 1, 2, zero_one(&[1.0, 1.0]), &mut ds);
        // d/dt (1 − t·p)² / n = −2p(1 − t·p)/n: −2·0.5·0.5/2.
        assert_eq!(ds, [-0.25, 0.0]);
    }
}
