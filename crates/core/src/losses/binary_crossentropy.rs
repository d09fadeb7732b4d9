//! Binary cross-entropy, element-wise, averaged over the last axis and then over rows.
//!
//! With label smoothing `s`, targets become `ỹ = t·(1 − s) + ½·s` (Keras).
//! - On probabilities: `c = clip(p, ε, 1 − ε)`, `ℓ = −(ỹ·ln c + (1 − ỹ)·ln(1 − c))` (the `ln`
//!   kernel of `kernels::transcendental`, in blocks);
//!   `∂ℓ/∂p = (c − ỹ) / (c·(1 − c))` where `ε ≤ p ≤ 1 − ε`, else 0 (the clip's gradient).
//! - On logits `z` (stable form of TF's `sigmoid_cross_entropy_with_logits`):
//!   `ℓ = max(z, 0) − z·ỹ + ln(1 + e^−|z|)`; `∂ℓ/∂z = σ(z) − ỹ`. `ln(1 + e^−|z|)` and `σ` are
//!   the `softplus` and `sigmoid` kernels (in blocks; within 2 and 3 ulp), the rest in f64.
//!
//! `L = mean(ℓ)` over all `rows·cols` values, so `∂L/∂p = ∂ℓ/∂p / (rows·cols)`.
//! Keras `BinaryCrossentropy`: <https://keras.io/api/losses/probabilistic_losses/#binarycrossentropy-class>;
//! the logits form: <https://www.tensorflow.org/api_docs/python/tf/nn/sigmoid_cross_entropy_with_logits>.
//!
//! ```
//! use neurite_core::losses::binary_crossentropy as bce;
//! let l = bce::forward(&[0.5], &[1.0], 1, 1, false, 0.0);
//! assert!((l - std::f32::consts::LN_2).abs() < 1e-6);
//! ```

use super::clip_prob;
use crate::kernels::transcendental;

/// `ỹ = t·(1 − s) + ½·s`.
#[inline]
fn smooth(t: f32, s: f32) -> f32 {
    t * (1.0 - s) + 0.5 * s
}

/// Values per block of the probability form: `ln` runs over a block at a time (on the stack).
const BLOCK: usize = 256;

/// Mean loss over `rows` samples of `cols` values.
///
/// On probabilities, `ln c` and `ln(1 − c)` (with `1 − c` rounded to `f32`) come from the
/// simd128 kernel `kernels::transcendental::ln` (within 2 ulp), and the terms are combined and
/// summed in `f64`, in order.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32) -> f32 {
    let mut sum = 0.0f64;
    if from_logits {
        // max(z, 0) − z·ỹ + ln(1 + e^−|z|): ln(1 + e^−|z|) is the softplus kernel of −|z| (its
        // max(x, 0) is 0 there), and the rest is exact in f64, so a confident right answer keeps
        // its small loss (softplus(z) − z in float32 rounds it to 0 for z ≳ 17).
        let ([mut a], [mut l]) = ([[0.0f32; BLOCK]], [[0.0f32; BLOCK]]);
        for (pb, tb) in pred.chunks(BLOCK).zip(target.chunks(BLOCK)) {
            let n = pb.len().min(tb.len());
            for (ai, &z) in a.iter_mut().zip(pb) {
                *ai = -z.abs();
            }
            transcendental::softplus(&a[..n], &mut l[..n]);
            for ((&z, &t), &li) in pb.iter().zip(tb).zip(&l[..n]) {
                let pos = if z > 0.0 { z as f64 } else { 0.0 };
                sum += (pos - (z as f64) * (smooth(t, smoothing) as f64)) + li as f64;
            }
        }
    } else {
        let ([mut c, mut c1], [mut lc, mut lc1]) = ([[0.0f32; BLOCK]; 2], [[0.0f32; BLOCK]; 2]);
        for (pb, tb) in pred.chunks(BLOCK).zip(target.chunks(BLOCK)) {
            let n = pb.len().min(tb.len());
            for ((&p, ci), c1i) in pb.iter().zip(&mut c).zip(&mut c1) {
                *ci = clip_prob(p).0;
                *c1i = 1.0 - *ci;
            }
            transcendental::ln(&c[..n], &mut lc[..n]);
            transcendental::ln(&c1[..n], &mut lc1[..n]);
            for ((&t, &a), &b) in tb.iter().zip(&lc[..n]).zip(&lc1[..n]) {
                let y = smooth(t, smoothing) as f64;
                sum -= y * a as f64 + (1.0 - y) * b as f64;
            }
        }
    }
    (sum / (rows * cols) as f64) as f32
}

/// `dpred = ∂L/∂p` (or `∂L/∂z` on logits).
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dpred: &mut [f32]) {
    let scale = 1.0 / (rows * cols) as f32;
    if from_logits {
        // σ(z) from the simd128 kernel (within 3 ulp), written in place, then scale·(σ − ỹ).
        let n = pred.len().min(target.len()).min(dpred.len());
        transcendental::sigmoid(&pred[..n], &mut dpred[..n]);
        for (d, &t) in dpred[..n].iter_mut().zip(target) {
            *d = scale * (*d - smooth(t, smoothing));
        }
        return;
    }
    for ((d, &p), &t) in dpred.iter_mut().zip(pred).zip(target) {
        let y = smooth(t, smoothing);
        *d = match clip_prob(p) {
            (c, true) => scale * (c - y) / (c * (1.0 - c)),
            // NOTE: clip(p, ε, 1−ε) has zero gradient outside [ε, 1−ε] (TF and TF.js).
            (_, false) => 0.0,
        };
    }
}

/// `dtarget = ∂L/∂t`: with `ỹ = t·(1 − s) + s/2`, `∂ℓ/∂ỹ = −z` on logits and
/// `−(ln c − ln(1 − c))` on probabilities (c the clipped p; the clip is on p, not t).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dtarget: &mut [f32]) {
    let scale = (1.0 - smoothing) / (rows * cols) as f32;
    for (d, &p) in dtarget.iter_mut().zip(pred).take(target.len()) {
        *d = if from_logits {
            -scale * p
        } else {
            let c = clip_prob(p).0;
            -scale * (c.ln() - (1.0 - c).ln())
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::categorical_crossentropy::tests::{close, logit_rows, U};
    use crate::losses::EPSILON;

    /// Logits: each value's loss and gradient, and a whole row's mean, against f64 (targets 0,
    /// 1 and 0.3, label smoothing 0 and 0.1), relative to the terms' size.
    #[test]
    fn logits_match_float64() {
        let (mut worst_l, mut worst_d) = (0.0f64, 0.0f64);
        for z in logit_rows() {
            let n = z.len();
            for (t, s) in [(1.0f32, 0.0f32), (0.0, 0.0), (0.3, 0.0), (1.0, 0.1)] {
                let y = smooth(t, s) as f64;
                let (mut sum, mut mag) = (0.0f64, 0.0f64);
                let mut d = vec![0.0; n];
                backward(&z, &vec![t; n], 1, n, true, s, &mut d);
                for (j, &v) in z.iter().enumerate() {
                    let w = v as f64;
                    let l1 = (-w.abs()).exp().ln_1p();
                    let want = (w.max(0.0) - w * y) + l1;
                    if want.is_nan() {
                        continue;
                    }
                    let got = forward(&[v], &[t], 1, 1, true, s);
                    let m = l1 + w.max(0.0) + (w * y).abs();
                    assert!(close(got, want, m), "z {v}, ỹ {y}: loss {got} vs {want}");
                    if m > 1e-30 && want.is_finite() {
                        worst_l = worst_l.max((got as f64 - want).abs() / m);
                    }
                    sum += want;
                    mag += m;
                    let sig = 1.0 / (1.0 + (-w).exp());
                    let want = (sig - y) / n as f64;
                    let m = (sig + y) / n as f64;
                    assert!(close(d[j], want, 2.0 * m), "z {v}, ỹ {y}: d {} vs {want}", d[j]);
                    if m > 1e-30 {
                        worst_d = worst_d.max((d[j] as f64 - want).abs() / m);
                    }
                }
                if z.iter().all(|v| v.is_finite()) {
                    let got = forward(&z, &vec![t; n], 1, n, true, s);
                    assert!(close(got, sum / n as f64, mag / n as f64), "{n} values: {got} vs {}", sum / n as f64);
                }
            }
        }
        eprintln!("binary on logits: loss within {:.2} ulp, gradient {:.2} ulp of the terms", worst_l / U, worst_d / U);
        // A confident right answer keeps its loss (float32 softplus(z) − z gave 0 from z ≈ 17).
        let l = forward(&[30.0], &[1.0], 1, 1, true, 0.0) as f64;
        assert!((l - (-30f64).exp()).abs() < 1e-6 * l, "{l}");
    }

    #[test]
    fn closed_form() {
        // −(ln 0.8 + ln 0.6)/2 for p = [0.8, 0.4], t = [1, 0].
        let l = forward(&[0.8, 0.4], &[1.0, 0.0], 1, 2, false, 0.0);
        assert!((l as f64 + (0.8f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-6);
        // Logits: ℓ(z, y) = ln(1 + e^z) − z·y; z = 0 → ln 2 whatever y.
        let l = forward(&[0.0, 2.0], &[0.3, 1.0], 1, 2, true, 0.0);
        let want = (2f64.ln() + ((1.0 + 2f64.exp()).ln() - 2.0)) / 2.0;
        assert!((l as f64 - want).abs() < 1e-6);
    }

    #[test]
    fn probabilities_of_exactly_zero_and_one_are_stable() {
        // p = 1 with t = 1: −ln(1 − ε); p = 0 with t = 1: −ln ε ≈ 16.1, never infinite.
        let hi = forward(&[1.0], &[1.0], 1, 1, false, 0.0);
        assert!(hi > 0.0 && hi < 2e-7, "{hi}");
        let lo = forward(&[0.0], &[1.0], 1, 1, false, 0.0);
        assert!((lo as f64 + (EPSILON as f64).ln()).abs() < 1e-4, "{lo}");
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, false, 0.0, &mut d);
        assert_eq!(d, [0.0, 0.0], "the clip stops the gradient");
        // Logits far out stay finite.
        let big = forward(&[100.0, -100.0], &[0.0, 1.0], 1, 2, true, 0.0);
        assert!((big - 100.0).abs() < 1e-4);
        backward(&[100.0, -100.0], &[0.0, 1.0], 1, 2, true, 0.0, &mut d);
        assert_eq!(d, [0.5, -0.5]);
    }

    #[test]
    fn label_smoothing() {
        // s = 0.2: targets 1 → 0.9 and 0 → 0.1; from logits the gradient at z = 0 is ½ − ỹ.
        let mut d = [0.0; 2];
        backward(&[0.0, 0.0], &[1.0, 0.0], 1, 2, true, 0.2, &mut d);
        assert!((d[0] - (0.5 - 0.9) / 2.0).abs() < 1e-7 && (d[1] - (0.5 - 0.1) / 2.0).abs() < 1e-7);
        let l = forward(&[0.7], &[1.0], 1, 1, false, 0.2) as f64;
        assert!((l + (0.9 * 0.7f64.ln() + 0.1 * 0.3f64.ln())).abs() < 1e-6);
    }
}
