//! Sparse categorical cross-entropy: targets are class indices `y` (one per row), not one-hot.
//!
//! - On logits `z`: `ℓ = lse(z) − z_y`; `∂ℓ/∂z_i = softmax(z)_i − [i = y]`.
//! - On probabilities (Keras's TF backend: clip, log, then softmax cross-entropy):
//!   `c = clip(p, ε, 1 − ε)`, `ℓ = ln Σ_j c_j − ln c_y`;
//!   `∂ℓ/∂p_i = 1/Σc − [i = y]/c_y` where `ε ≤ p_i ≤ 1 − ε`, else 0 (the clip's gradient).
//!   For rows that sum to 1 this is `−ln p_y`. NOTE: TF.js instead clips, renormalises and
//!   clips again (`−ln clip(c_y/Σc)`); the two agree unless a row is clipped.
//!
//! `L = mean_rows(ℓ)`. Keras `SparseCategoricalCrossentropy`:
//! <https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class>.
//!
//! With `ignore` (Keras 3's `ignore_class`, keras/src/losses/losses.py and loss.py's
//! `apply_mask`): a row whose target is the ignored class gives 0 and no gradient, and the mean
//! divides by the rows that are *not* ignored (`divide_no_nan`: 0 when every row is ignored).
//!
//! ```
//! use neurite_core::losses::sparse_categorical_crossentropy as scce;
//! let l = scce::forward(&[0.25, 0.75], &[1.0], 1, 2, false, None);
//! assert!((l + 0.75f32.ln()).abs() < 1e-6);
//! ```

use super::categorical_crossentropy::{lse, term};
use super::clip_prob;

/// The class index of a target, if it is one (checked targets always are).
#[inline]
fn label(t: f32, cols: usize) -> Option<usize> {
    (t >= 0.0 && t.fract() == 0.0 && (t as usize) < cols).then_some(t as usize)
}

/// Whether target `t` is the ignored class.
#[inline]
pub fn ignored(t: f32, ignore: Option<i32>) -> bool {
    ignore.is_some_and(|c| t == c as f32)
}

/// The rows of `target` that count: all of them, or those not of the ignored class.
pub fn valid_rows(target: &[f32], rows: usize, ignore: Option<i32>) -> usize {
    if ignore.is_none() { rows } else { target.iter().take(rows).filter(|&&t| !ignored(t, ignore)).count() }
}

/// Mean loss over the `rows` samples of `cols` classes whose target is not `ignore`.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, ignore: Option<i32>) -> f32 {
    let valid = valid_rows(target, rows, ignore);
    if valid == 0 {
        return 0.0;
    }
    let mut sum = 0.0f64;
    for (p, &t) in pred.chunks_exact(cols).zip(target) {
        if ignored(t, ignore) {
            continue;
        }
        let Some(y) = label(t, cols) else { return f32::NAN };
        sum += if from_logits {
            // lse(z) − z_y = (m − z_y) + ln(1 + tail); a NaN, +∞ or all-−∞ row: m − z_y, as TF's
            // reduce_logsumexp (NaN, or ∞ beside a finite z_y).
            match lse(p, None) {
                Some(r) => r.minus(r.tail.ln_1p(), p[y]),
                None => crate::kernels::reduce::max(p) as f64 - p[y] as f64,
            }
        } else {
            let total: f64 = p.iter().map(|&v| clip_prob(v).0 as f64).sum();
            total.ln() - (clip_prob(p[y]).0 as f64).ln()
        };
    }
    (sum / valid as f64) as f32
}

/// `dpred = ∂L/∂p` (or `∂L/∂z` on logits).
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, ignore: Option<i32>, dpred: &mut [f32]) {
    let scale = 1.0 / valid_rows(target, rows, ignore).max(1) as f32;
    for ((p, &t), d) in pred.chunks_exact(cols).zip(target).zip(dpred.chunks_exact_mut(cols)) {
        if ignored(t, ignore) {
            d.fill(0.0);
            continue;
        }
        let Some(y) = label(t, cols) else {
            d.fill(f32::NAN);
            continue;
        };
        if from_logits {
            let scale = scale as f64;
            let Some(r) = lse(p, Some(d)) else {
                // No softmax (a NaN, +∞, or only −∞): NaN, as TF's (∞ − ∞ in its shifted row).
                d.fill(f32::NAN);
                continue;
            };
            // softmax(z)_i = e^(z_i − m) / (1 + tail), from the exponentials `lse` left in d;
            // at the label, softmax − 1 = −(1 + tail − e^(z_y − m)) / (1 + tail), which is −tail
            // over it at the largest logit (1 − softmax there keeps a small tail's digits).
            let inv = 1.0 / (1.0 + r.tail);
            let ty = term(d[y], p[y], r.m);
            let s = scale * inv;
            for (di, &z) in d.iter_mut().zip(p) {
                *di = (s * term(*di, z, r.m)) as f32;
            }
            let rest = if y == r.k { r.tail } else { 1.0 + (r.tail - ty) };
            d[y] = (-s * rest) as f32;
        } else {
            let total: f32 = p.iter().map(|&v| clip_prob(v).0).sum();
            let cy = clip_prob(p[y]).0;
            for (i, (di, &v)) in d.iter_mut().zip(p).enumerate() {
                *di = match clip_prob(v) {
                    (_, true) => scale * (1.0 / total - if i == y { 1.0 / cy } else { 0.0 }),
                    // NOTE: zero gradient where the clip is active.
                    (_, false) => 0.0,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::categorical_crossentropy as cce;
    use cce::tests::{close, logit_rows, lse_minus_f64, softmax_f64, U};

    /// Logits: every row's loss and gradient for three labels (the first, the middle, the
    /// largest logit's) against f64, relative to the terms' size; a −∞ logit's gradient is 0.
    #[test]
    fn logits_match_float64() {
        let (mut worst_l, mut worst_d) = (0.0f64, 0.0f64);
        for z in logit_rows() {
            let n = z.len();
            let lm = lse_minus_f64(&z);
            let soft = softmax_f64(&z);
            let top = (0..n).fold(0, |k, i| if z[i] > z[k] { i } else { k });
            for y in [0, n / 2, top] {
                let want = lm[y];
                let got = forward(&z, &[y as f32], 1, n, true, None);
                assert!(close(got, want, want), "{n} classes, label {y}: loss {got} vs {want}");
                if want > 1e-30 && want.is_finite() {
                    worst_l = worst_l.max((got as f64 - want).abs() / want);
                }
                let mut d = vec![9.0; n];
                backward(&z, &[y as f32], 1, n, true, None, &mut d);
                for j in 0..n {
                    let hot = if j == y { 1.0 } else { 0.0 };
                    // At the label, softmax − 1 = −(Σ_{i≠y} softmax_i), which f64 keeps.
                    let want = if j == y { -(0..n).filter(|&i| i != y).map(|i| soft[i]).sum::<f64>() } else { soft[j] };
                    let mag = soft[j] + hot;
                    assert!(close(d[j], want, want.abs().max(mag * U)), "{n} classes, label {y}: d[{j}] {} vs {want}", d[j]);
                    if z[j] == f32::NEG_INFINITY && j != y {
                        assert_eq!(d[j], 0.0);
                    }
                    if want.abs() > 1e-30 {
                        worst_d = worst_d.max((d[j] as f64 - want).abs() / want.abs());
                    }
                }
            }
        }
        eprintln!("sparse categorical on logits: loss within {:.2} ulp, gradient {:.2} ulp (relative to each value)", worst_l / U, worst_d / U);
    }

    /// A NaN logit makes the row's loss and gradient NaN; a +∞ one gives a loss of ∞ at a
    /// finite label (TF's reduce_logsumexp: lse = the max) and a NaN gradient (no softmax, as
    /// TF's); a row of one class has loss 0 and no gradient.
    #[test]
    fn non_finite_rows_and_one_class() {
        let mut d = [0.0; 3];
        assert!(forward(&[0.0, f32::NAN, 1.0], &[0.0], 1, 3, true, None).is_nan());
        backward(&[0.0, f32::NAN, 1.0], &[0.0], 1, 3, true, None, &mut d);
        assert!(d.iter().all(|v| v.is_nan()), "{d:?}");
        assert_eq!(forward(&[f32::INFINITY, 0.0, 1.0], &[1.0], 1, 3, true, None), f32::INFINITY);
        assert!(forward(&[f32::NEG_INFINITY; 3], &[1.0], 1, 3, true, None).is_nan());
        for z in [[f32::INFINITY, 0.0, 1.0], [f32::NEG_INFINITY; 3]] {
            backward(&z, &[1.0], 1, 3, true, None, &mut d);
            assert!(d.iter().all(|v| v.is_nan()), "{z:?}: {d:?}");
        }
        for z in [-80.0, 0.0, 1e30] {
            assert_eq!(forward(&[z], &[0.0], 1, 1, true, None), 0.0);
            backward(&[z], &[0.0], 1, 1, true, None, &mut d[..1]);
            assert_eq!(d[0], 0.0);
        }
    }

    #[test]
    fn equals_categorical_on_one_hot_targets() {
        let p = [0.5, 0.3, 0.2, 0.1, 0.7, 0.2];
        let z = [0.3, -1.0, 2.0, 0.5, 0.5, -3.0];
        let onehot = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let idx = [1.0, 2.0];
        for (x, logits) in [(&p, false), (&z, true)] {
            let a = forward(x, &idx, 2, 3, logits, None);
            let b = cce::forward(x, &onehot, 2, 3, logits, 0.0);
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
            let (mut da, mut db) = ([0.0; 6], [0.0; 6]);
            backward(x, &idx, 2, 3, logits, None, &mut da);
            cce::backward(x, &onehot, 2, 3, logits, 0.0, &mut db);
            if logits {
                assert!(da.iter().zip(db).all(|(a, b)| (a - b).abs() < 1e-6), "{da:?} vs {db:?}");
            } else {
                // On normalised probabilities the gradients differ only along (1,1,…,1), the
                // direction that leaves q = p/Σp unchanged.
                for r in 0..2 {
                    let diff: Vec<f32> = (0..3).map(|j| da[3 * r + j] - db[3 * r + j]).collect();
                    assert!(diff.iter().all(|v| (v - diff[0]).abs() < 1e-5), "{diff:?}");
                }
            }
        }
    }

    #[test]
    fn stable_at_zero_and_one() {
        let l = forward(&[0.0, 1.0], &[0.0], 1, 2, false, None);
        assert!(l.is_finite() && l > 16.0 && l < 16.2, "{l}");
        let l = forward(&[0.0, 1.0], &[1.0], 1, 2, false, None);
        assert!(l.abs() < 2e-7);
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[0.0], 1, 2, false, None, &mut d);
        assert_eq!(d, [0.0, 0.0]);
        assert!(forward(&[0.5, 0.5], &[2.0], 1, 2, true, None).is_nan(), "an unchecked bad label gives NaN, not a panic");
    }

    /// Keras 3's `ignore_class`: ignored rows give 0 and leave the mean over the others; a batch
    /// of ignored rows gives 0 and a zero gradient (no NaN); central differences agree.
    #[test]
    fn ignored_rows_leave_the_mean_over_the_others() {
        let z = [0.3, -1.0, 2.0, 0.5, 0.5, -3.0, 1.0, 0.0, -1.0];
        let all = forward(&z[..3], &[1.0], 1, 3, true, None) + forward(&z[6..], &[0.0], 1, 3, true, None);
        let l = forward(&z, &[1.0, -1.0, 0.0], 3, 3, true, Some(-1));
        assert!((l - all / 2.0).abs() < 1e-6, "{l} vs {}", all / 2.0);
        assert_eq!(forward(&z, &[-1.0; 3], 3, 3, true, Some(-1)), 0.0);
        let mut d = [9.0; 9];
        backward(&z, &[-1.0; 3], 3, 3, true, Some(-1), &mut d);
        assert_eq!(d, [0.0; 9]);
        // An ignored class inside [0, cols): its rows drop out too.
        assert!((forward(&z, &[1.0, 2.0, 0.0], 3, 3, true, Some(2)) - all / 2.0).abs() < 1e-6);
        for logits in [true, false] {
            let p = if logits { z.to_vec() } else { vec![0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.25, 0.25, 0.5] };
            let t = [1.0, 7.0, 0.0];
            let mut d = [0.0; 9];
            backward(&p, &t, 3, 3, logits, Some(7), &mut d);
            for i in 0..9 {
                let (mut up, mut down) = (p.clone(), p.clone());
                up[i] += 1e-3;
                down[i] -= 1e-3;
                let fd = (forward(&up, &t, 3, 3, logits, Some(7)) - forward(&down, &t, 3, 3, logits, Some(7))) / 2e-3;
                assert!((fd - d[i]).abs() < 2e-3, "d[{i}] {} vs {fd}", d[i]);
            }
        }
    }
}
