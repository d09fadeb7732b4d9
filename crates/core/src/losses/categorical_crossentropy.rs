//! Categorical cross-entropy over the last axis (classes), averaged over rows.
//!
//! With label smoothing `s` over `K = cols` classes, targets become `ỹ = t·(1 − s) + s/K`.
//! - On probabilities (Keras and TF.js): each row is renormalised, `q = p / Σp`, then clipped,
//!   `c = clip(q, ε, 1 − ε)`, and `ℓ = −Σ_j ỹ_j·ln c_j`. With `g_j = −ỹ_j / c_j` where
//!   `ε ≤ q_j ≤ 1 − ε` (else 0: the clip's gradient), `∂ℓ/∂p_i = (g_i − Σ_j g_j·q_j) / Σp`.
//! - On logits `z` (TF's `softmax_cross_entropy_with_logits`, via log-sum-exp):
//!   `ℓ = Σ_j ỹ_j·(lse(z) − z_j)`; `∂ℓ/∂z_i = softmax(z)_i·Σ_j ỹ_j − ỹ_i`.
//!
//! `L = mean_rows(ℓ)`, so each row's gradient is divided by `rows`.
//! Keras `CategoricalCrossentropy`:
//! <https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class>.
//!
//! ```
//! use neurite_core::losses::categorical_crossentropy as cce;
//! let l = cce::forward(&[0.25, 0.75], &[0.0, 1.0], 1, 2, false, 0.0);
//! assert!((l - 0.75f32.ln().abs()).abs() < 1e-6);
//! ```

use super::clip_prob;
use crate::kernels::transcendental::exp_shifted;

/// Values per block of a row's exponentials where they are not kept (on the stack).
const BLOCK: usize = 256;

/// A row of logits `z` as `lse(z) = m + ln(1 + tail)`: `m = z[k]` its first largest value and
/// `tail = Σ_{j≠k} e^(z_j − m)`.
///
/// The exponentials are the SIMD kernel `kernels::transcendental::exp_shifted` (float32, within
/// 2 ulp of `e^d`, `d = z_j − m` rounded to float32, as softmax's), each taken in f64 times
/// `1 + δ` with `δ = (z_j − m) − d` the rounding of the difference (exact in f64), so a term is
/// within 2 ulp of `e^(z_j − m)` whatever the logits' scale (`d` alone is off by up to 2^-18
/// near −80: 60 ulp of the term). They are summed in f64 in four running sums, `j mod 4`,
/// then `(s₀ + s₁) + (s₂ + s₃)`: a fixed order, one row at a time, so the same bits for any
/// number of threads and in every runtime (IEEE float32 and float64 operations only, no FMA).
/// Leaving out `e^0 = 1` keeps a small tail's digits: `ln_1p(tail)` is then accurate where
/// `ln(1 + tail)` would round `tail` to 2^-53 (the loss of a confidently right row).
pub(crate) struct Lse {
    pub m: f32,
    pub k: usize,
    pub tail: f64,
}

impl Lse {
    /// `lse(z) − z_j = (m − z_j) + ln(1 + tail)` (the difference exact in f64, and both parts
    /// are ≥ 0: no cancellation).
    #[inline]
    pub fn minus(&self, l: f64, z: f32) -> f64 {
        (self.m as f64 - z as f64) + l
    }
}

/// The term `e^(z − m)` from its float32 kernel value `e = e^(fl(z − m))` (see [`Lse`]); 0 where
/// `e` is (a `−∞` logit, whose `δ` is NaN, or one 104 below the largest).
#[inline(always)]
pub(crate) fn term(e: f32, z: f32, m: f32) -> f64 {
    let d = z - m;
    let t = e as f64;
    let c = t * ((z as f64 - m as f64) - d as f64);
    if e > 0.0 { t + c } else { 0.0 }
}

/// `acc[j mod 4] += term(e_j, z_j, m)` over a piece of a row that starts at a multiple of 4
/// (the last < 4 values padded with `e = 0`, whose term is 0: `acc + 0` is `acc`).
#[inline(always)]
fn add_terms(z: &[f32], e: &[f32], m: f32, acc: &mut [f64; 4]) {
    let (zc, zt) = z.as_chunks::<4>();
    let (ec, et) = e.as_chunks::<4>();
    let (mut zp, mut ep) = ([0f32; 4], [0f32; 4]);
    zp[..zt.len()].copy_from_slice(zt);
    ep[..et.len()].copy_from_slice(et);
    // One loop over the whole 4-blocks and then the padded one (a chained iterator makes two
    // copies of the body).
    for c in 0..=zc.len().min(ec.len()) {
        let (zs, es) = if c < zc.len().min(ec.len()) { (&zc[c], &ec[c]) } else { (&zp, &ep) };
        for i in 0..4 {
            acc[i] += term(es[i], zs[i], m);
        }
    }
}

/// The row's [`Lse`], `None` when its largest value is not finite (a NaN, `+∞`, or only `−∞`)
/// or the row is empty. With `keep`, its exponentials `e^(fl(z_j − m))` are left there (`keep[k]`
/// is 1); without, they go through a block on the stack. Either way a block at a time.
pub(crate) fn lse(z: &[f32], keep: Option<&mut [f32]>) -> Option<Lse> {
    if z.is_empty() {
        return None;
    }
    // The first largest logit; the first NaN when there is one (then the row has no lse).
    let k = crate::kernels::reduce::arg_max(z);
    let m = z[k];
    if !m.is_finite() {
        return None;
    }
    let (mut acc, mut buf, mut keep) = ([0f64; 4], [0f32; BLOCK], keep);
    for (i, zb) in z.chunks(BLOCK).enumerate() {
        let e = match keep.as_deref_mut() {
            Some(row) => &mut row[i * BLOCK..i * BLOCK + zb.len()],
            None => &mut buf[..zb.len()],
        };
        exp_shifted(zb, m, e);
        let top = (k / BLOCK == i).then_some(k % BLOCK);
        if let Some(j) = top {
            e[j] = 0.0;
        }
        add_terms(zb, e, m, &mut acc);
        if let Some(j) = top {
            e[j] = 1.0;
        }
    }
    Some(Lse { m, k, tail: (acc[0] + acc[1]) + (acc[2] + acc[3]) })
}

/// `log Σ_j e^{z_j}` as TF's `reduce_logsumexp` takes it for a row whose largest value `m` is
/// not finite: `m` itself (NaN, `+∞`, or `−∞` for a row of only `−∞`).
#[inline]
fn lse_or_max(z: &[f32]) -> f64 {
    crate::kernels::reduce::max(z) as f64
}

/// The loss of one row against smoothed targets produced by `y(j)`.
fn row_loss(p: &[f32], y: impl Fn(usize) -> f32, from_logits: bool) -> f64 {
    if from_logits {
        let Some(r) = lse(p, None) else {
            let m = lse_or_max(p);
            return p.iter().enumerate().map(|(j, &z)| y(j) as f64 * (m - z as f64)).sum();
        };
        let l = r.tail.ln_1p();
        p.iter().enumerate().map(|(j, &z)| y(j) as f64 * r.minus(l, z)).sum()
    } else {
        let sum: f32 = p.iter().sum();
        p.iter().enumerate().map(|(j, &v)| -(y(j) as f64) * (clip_prob(v / sum).0 as f64).ln()).sum()
    }
}

/// The gradient of one row's loss, scaled by `scale`, written to `d`.
fn row_grad(p: &[f32], y: impl Fn(usize) -> f32, from_logits: bool, scale: f32, d: &mut [f32]) {
    if from_logits {
        let ysum: f64 = (0..p.len()).map(|j| y(j) as f64).sum();
        let scale = scale as f64;
        let Some(r) = lse(p, Some(d)) else {
            // No softmax (a NaN, +∞, or only −∞): NaN, as TF's (∞ − ∞ in its shifted row).
            d.fill(f32::NAN);
            return;
        };
        // softmax(z)_j = e^(z_j − m) / (1 + tail), from the exponentials `lse` left in d.
        let inv = 1.0 / (1.0 + r.tail);
        for (j, (dj, &z)) in d.iter_mut().zip(p).enumerate() {
            *dj = (scale * (term(*dj, z, r.m) * inv * ysum - y(j) as f64)) as f32;
        }
    } else {
        let sum: f32 = p.iter().sum();
        // g_j = dℓ/dq_j, stored in d first; then the quotient rule through q = p/Σp.
        let mut gq = 0.0f32;
        for (j, (dj, &v)) in d.iter_mut().zip(p).enumerate() {
            let q = v / sum;
            *dj = match clip_prob(q) {
                (c, true) => -y(j) / c,
                // NOTE: zero gradient where the clip is active (TF and TF.js `clipByValue`).
                (_, false) => 0.0,
            };
            gq += *dj * q;
        }
        for dj in d.iter_mut() {
            *dj = scale * (*dj - gq) / sum;
        }
    }
}

/// Mean loss over `rows` samples of `cols` classes.
pub fn forward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32) -> f32 {
    let k = cols as f32;
    let sum: f64 = pred
        .chunks_exact(cols)
        .zip(target.chunks_exact(cols))
        .map(|(p, t)| row_loss(p, |j| t[j] * (1.0 - smoothing) + smoothing / k, from_logits))
        .sum();
    (sum / rows as f64) as f32
}

/// `dpred = ∂L/∂p` (or `∂L/∂z` on logits).
pub fn backward(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dpred: &mut [f32]) {
    let k = cols as f32;
    let scale = 1.0 / rows as f32;
    for ((p, t), d) in pred.chunks_exact(cols).zip(target.chunks_exact(cols)).zip(dpred.chunks_exact_mut(cols)) {
        row_grad(p, |j| t[j] * (1.0 - smoothing) + smoothing / k, from_logits, scale, d);
    }
}

/// `dtarget = ∂L/∂t`: with `ỹ = t·(1 − s) + s/K`, `∂ℓ/∂ỹ_j = lse(z) − z_j` on logits and
/// `−ln c_j` on probabilities (c the clipped, renormalised p).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], rows: usize, cols: usize, from_logits: bool, smoothing: f32, dtarget: &mut [f32]) {
    let scale = (1.0 - smoothing) / rows as f32;
    for (p, d) in pred.chunks_exact(cols).zip(dtarget.chunks_exact_mut(cols)).take(target.len() / cols.max(1)) {
        if from_logits {
            let r = lse(p, None);
            let (m, l) = r.as_ref().map_or((lse_or_max(p), 0.0), |r| (r.m as f64, r.tail.ln_1p()));
            for (dj, &z) in d.iter_mut().zip(p) {
                *dj = scale * ((m - z as f64) + l) as f32;
            }
        } else {
            let sum: f32 = p.iter().sum();
            for (dj, &v) in d.iter_mut().zip(p) {
                *dj = -scale * clip_prob(v / sum).0.ln();
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::losses::EPSILON;

    /// float32's unit roundoff, 2^-24.
    pub(crate) const U: f64 = 1.0 / 16_777_216.0;

    /// Rows of logits: uniform in ±scale for scales 1e-3 … 80 and 1 … 50,000 classes, rows with
    /// ±large values, −∞ logits, a confidently right row (its loss near 1e-30).
    pub(crate) fn logit_rows() -> Vec<Vec<f32>> {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        };
        let mut rows = Vec::new();
        for cols in [1, 2, 3, 7, 16, 100, 1000, 50_000] {
            for scale in [1e-3, 0.1, 1.0, 10.0, 30.0, 80.0] {
                rows.push((0..cols).map(|_| scale * rnd()).collect::<Vec<f32>>());
            }
        }
        let mut big = vec![0.0f32; 1000];
        big.iter_mut().for_each(|v| *v = 1000.0 * rnd());
        big[17] = 3e30;
        big[400] = -3e30;
        rows.push(big);
        rows.push(vec![1e30, -1e30, 1e30, 0.0]);
        rows.push(vec![-1e4, -1e4 + 0.5, -1e4 - 90.0]);
        rows.push(vec![f32::NEG_INFINITY, 2.0, f32::NEG_INFINITY, -1.0, 0.5]);
        rows.push(vec![f32::NEG_INFINITY, 0.0]);
        rows.push(vec![70.0, 0.1, -2.0, 1.0, 0.0, -70.0]);
        rows.push(vec![5.0; 9]);
        rows
    }

    /// `(m − z_j) + ln(1 + Σ_{i≠k} e^(z_i − m))` for every j, in f64 from the exact differences.
    pub(crate) fn lse_minus_f64(z: &[f32]) -> Vec<f64> {
        let k = (0..z.len()).fold(0, |k, i| if z[i] > z[k] { i } else { k });
        let m = z[k] as f64;
        let tail: f64 = z.iter().enumerate().filter(|&(i, _)| i != k).map(|(_, &v)| (v as f64 - m).exp()).sum();
        z.iter().map(|&v| (m - v as f64) + tail.ln_1p()).collect()
    }

    /// softmax(z)_j in f64.
    pub(crate) fn softmax_f64(z: &[f32]) -> Vec<f64> {
        lse_minus_f64(z).iter().map(|&l| (-l).exp()).collect()
    }

    /// Within 3·2^-24 relative of f64 (the kernel's 2 ulp and the result's rounding), or 2^-148
    /// absolute (a subnormal result).
    pub(crate) fn close(got: f32, want: f64, mag: f64) -> bool {
        got as f64 == want || (got as f64 - want).abs() <= 3.0 * U * mag + 2f64.powi(-148)
    }

    /// Logits: the loss and gradient of every row (soft and one-hot targets, with and without
    /// label smoothing) against f64, relative to the terms' size.
    #[test]
    fn logits_match_float64() {
        let (mut worst_l, mut worst_d) = (0.0f64, 0.0f64);
        for z in logit_rows() {
            let n = z.len();
            let lm = lse_minus_f64(&z);
            let soft = softmax_f64(&z);
            for (t, s) in [((0..n).map(|j| if j == n / 2 { 1.0 } else { 0.0 }).collect::<Vec<f32>>(), 0.0), ((0..n).map(|j| ((j * 7) % 5) as f32 / 10.0).collect(), 0.1)] {
                let y: Vec<f64> = t.iter().map(|&v| (v * (1.0 - s) + s / n as f32) as f64).collect();
                if lm.iter().zip(&y).any(|(l, y)| l.is_infinite() && *y == 0.0) {
                    // 0·∞ for a −∞ logit of target 0: NaN, as TF's and TF.js's.
                    assert!(forward(&z, &t, 1, n, true, s).is_nan());
                } else {
                    let want: f64 = lm.iter().zip(&y).map(|(l, y)| l * y).sum();
                    let got = forward(&z, &t, 1, n, true, s);
                    assert!(close(got, want, want.abs()), "{n} classes: loss {got} vs {want}");
                    if want.abs() > 1e-30 && want.is_finite() {
                        worst_l = worst_l.max((got as f64 - want).abs() / want.abs());
                    }
                }
                let ysum: f64 = y.iter().sum();
                let mut d = vec![0.0; n];
                backward(&z, &t, 1, n, true, s, &mut d);
                for j in 0..n {
                    let want = soft[j] * ysum - y[j];
                    let mag = soft[j] * ysum + y[j];
                    assert!(close(d[j], want, mag), "{n} classes: d[{j}] {} vs {want} (z {})", d[j], z[j]);
                    if mag > 1e-30 {
                        worst_d = worst_d.max((d[j] as f64 - want).abs() / mag);
                    }
                }
            }
        }
        eprintln!("categorical on logits: loss within {:.2} ulp, gradient {:.2} ulp of the terms", worst_l / U, worst_d / U);
    }

    /// NaN, +∞ and all −∞ rows keep TF's reduce_logsumexp answers (`lse` = the max): NaN, as
    /// `∞ − ∞` at the +∞ logit.
    #[test]
    fn non_finite_rows() {
        let t = [0.0, 1.0, 0.0];
        assert!(forward(&[0.0, f32::NAN, 1.0], &t, 1, 3, true, 0.0).is_nan());
        let mut d = [0.0; 3];
        backward(&[0.0, f32::NAN, 1.0], &t, 1, 3, true, 0.0, &mut d);
        assert!(d.iter().all(|v| v.is_nan()), "{d:?}");
        assert!(forward(&[f32::INFINITY, 0.0, 1.0], &t, 1, 3, true, 0.0).is_nan());
        assert!(forward(&[f32::NEG_INFINITY; 3], &t, 1, 3, true, 0.0).is_nan());
        // No softmax for such a row: a NaN gradient, as TF's.
        for z in [[f32::INFINITY, 0.0, 1.0], [f32::NEG_INFINITY; 3]] {
            backward(&z, &t, 1, 3, true, 0.0, &mut d);
            assert!(d.iter().all(|v| v.is_nan()), "{z:?}: {d:?}");
        }
        // One class: loss 0 and no gradient, whatever the logit.
        for z in [-80.0, 0.0, 1e30] {
            assert_eq!(forward(&[z], &[1.0], 1, 1, true, 0.0), 0.0);
            backward(&[z], &[1.0], 1, 1, true, 0.0, &mut d[..1]);
            assert_eq!(d[0], 0.0);
        }
    }

    #[test]
    fn closed_form() {
        // Two rows: −ln 0.5 and −ln 0.7.
        let p = [0.5, 0.3, 0.2, 0.1, 0.7, 0.2];
        let t = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let l = forward(&p, &t, 2, 3, false, 0.0) as f64;
        assert!((l + (0.5f64.ln() + 0.7f64.ln()) / 2.0).abs() < 1e-6);
        // Unnormalised rows are renormalised first (Keras, TF.js): [1, 3] is [0.25, 0.75].
        let a = forward(&[1.0, 3.0], &[0.0, 1.0], 1, 2, false, 0.0);
        assert!((a + 0.75f32.ln()).abs() < 1e-6);
        // Logits: lse([0, ln 3]) = ln 4 → −ln(3/4).
        let z = [0.0, 3f32.ln()];
        assert!((forward(&z, &[0.0, 1.0], 1, 2, true, 0.0) + 0.75f32.ln()).abs() < 1e-6);
        let mut d = [0.0; 2];
        backward(&z, &[0.0, 1.0], 1, 2, true, 0.0, &mut d);
        assert!((d[0] - 0.25).abs() < 1e-6 && (d[1] + 0.25).abs() < 1e-6);
    }

    #[test]
    fn probabilities_of_exactly_zero_and_one_are_stable() {
        let l = forward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, false, 0.0) as f64;
        assert!((l + (EPSILON as f64).ln()).abs() < 1e-4, "{l}");
        let l = forward(&[0.0, 1.0], &[0.0, 1.0], 1, 2, false, 0.0);
        assert!((0.0..2e-7).contains(&l));
        let mut d = [9.0; 2];
        backward(&[0.0, 1.0], &[1.0, 0.0], 1, 2, false, 0.0, &mut d);
        assert!(d.iter().all(|v| v.is_finite()));
        assert_eq!(d, [0.0, 0.0], "both entries are clipped: no gradient");
        // Huge logits.
        let l = forward(&[1000.0, -1000.0], &[0.0, 1.0], 1, 2, true, 0.0);
        assert!((l - 2000.0).abs() < 1e-2);
    }

    #[test]
    fn label_smoothing() {
        // K = 4, s = 0.2: one-hot [0,1,0,0] → [0.05, 0.85, 0.05, 0.05].
        let p = [0.1, 0.6, 0.2, 0.1];
        let l = forward(&p, &[0.0, 1.0, 0.0, 0.0], 1, 4, false, 0.2) as f64;
        let want = -(0.05 * 0.1f64.ln() + 0.85 * 0.6f64.ln() + 0.05 * 0.2f64.ln() + 0.05 * 0.1f64.ln());
        assert!((l - want).abs() < 1e-6);
        let mut d = [0.0; 4];
        backward(&[0.0; 4], &[0.0, 1.0, 0.0, 0.0], 1, 4, true, 0.2, &mut d);
        let want = [0.2, -0.6, 0.2, 0.2];
        assert!(d.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6), "{d:?}");
    }
}
