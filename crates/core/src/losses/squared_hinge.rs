//! Squared hinge loss: `L = mean_rows( mean_cols( max(0, 1 − y·p)² ) )` with `y ∈ {−1, 1}`.
//! As neurite's [`super::hinge`] (and Keras 3's `squared_hinge`), targets that are all in
//! `{0, 1}` are first converted to `y = 2t − 1`, the batch's convention deciding; TF.js's
//! `squaredHinge` (tfjs-layers `losses.ts`) does not convert, so on 0/1 labels it differs (a 0
//! label costs `1` there whatever `p`). On ±1 labels the two agree.
//!
//! Derivatives, with `m = 1 − y·p`: `∂L/∂p = −2·y·m / (rows·cols)` where `m > 0`, else 0;
//! `∂L/∂t = −2·k·p·m / (rows·cols)` where `m > 0` (`k` = 2 for converted 0/1 targets, else 1).
//! Keras `SquaredHinge`: <https://keras.io/api/losses/hinge_losses/#squaredhinge-class>.
//!
//! ```
//! use neurite_core::losses::squared_hinge;
//! assert_eq!(squared_hinge::forward(&[0.5, 2.0], &[1.0, 0.0], 1, 2), (0.25 + 9.0) / 2.0);
//! ```

use super::hinge::zero_one;

/// `m = 1 − y·p` and `y` for a target under the 0/1 convention `conv`; `m` kept when NaN.
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn margin(p: f32, t: f32, conv: bool) -> (f32, f32) {
    let y = if conv { 2.0 * t - 1.0 } else { t };
    let m = 1.0 - y * p;
    // Not `max(0.0)`, which drops a NaN.
    (if m > 0.0 || m.is_nan() { m } else { 0.0 }, y)
}

/// Mean loss over `rows` samples of `cols` values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
    forward_as(pred, target, rows, cols, zero_one(target))
}

/// [`forward`] with the 0/1 convention given (`conv`: convert by `2t − 1`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn forward_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool) -> f32 {
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| (margin(p, t, conv).0 as f64).powi(2)).sum();
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
    backward_as(pred, target, rows, cols, zero_one(target), dpred)
}

/// [`backward`] with the 0/1 convention given.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool, dpred: &mut [f32]) {
    let scale = 2.0 / (rows * cols) as f32;
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        let (m, y) = margin(p, t, conv);
        *d = -scale * y * m;
    }
}

/// `dtarget = ∂L/∂t`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
    backward_target_as(pred, target, rows, cols, zero_one(target), dtarget)
}

/// [`backward_target`] with the 0/1 convention given.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn backward_target_as(pred: &[f32], target: &[f32], rows: usize, cols: usize, conv: bool, dtarget: &mut [f32]) {
    let scale = if conv { 4.0 } else { 2.0 } / (rows * cols) as f32;
    for ((d, &p), &t) in dtarget.iter_mut().zip(pred).zip(target) {
        *d = -scale * p * margin(p, t, conv).0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_and_label_conversion() {
        let p = [0.5, -2.0, 1.0, 0.0];
        // t = [1, −1, 1, −1]: margins 0.5, 0 (clipped), 0 (the kink), 1.
        let t = [1.0, -1.0, 1.0, -1.0];
        assert_eq!(forward(&p, &t, 2, 2), 1.25 / 4.0);
        let mut d = [9.0; 4];
        backward(&p, &t, 2, 2, &mut d);
        assert_eq!(d, [-0.25, 0.0, 0.0, 0.5]);
        let t01 = [1.0, 0.0, 1.0, 0.0];
        assert_eq!(forward(&p, &t01, 2, 2), 1.25 / 4.0);
        let mut d01 = [0.0; 4];
        backward(&p, &t01, 2, 2, &mut d01);
        assert_eq!(d01, d);
        crate::losses::tests::gradcheck(crate::losses::Loss::SquaredHinge, &[0.5, -1.3, 2.0, 0.3], &[1.0, -1.0, -1.0, 1.0], 2, 2);
    }
}
