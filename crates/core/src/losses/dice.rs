//! Dice loss (Keras 3 `keras.losses.Dice`, its default `axis=None`):
//! `L = 1 − 2·Σ(t·p) / (Σt + Σp + ε)`, ε = 1e-7 (Keras's `backend.epsilon()`), every sum over
//! **every value of the batch**: one overlap for the whole batch, not a mean of per-sample
//! values (so `rows` and `cols` do not change it, and a batch's loss is not the mean of its
//! samples' losses). TF.js has no Dice loss.
//!
//! Derivatives, with `I = Σ t·p` and `D = Σt + Σp + ε`:
//! `∂L/∂pᵢ = 2·(I − tᵢ·D) / D²` and `∂L/∂tᵢ = 2·(I − pᵢ·D) / D²`.
//!
//! Targets and predictions may be any finite values, as in Keras (overlaps of probabilities
//! and 0/1 masks are the intended use: then `L` is in `[0, 1]`); an all-zero batch gives
//! `L = 1` and a zero gradient. Sums are taken in f64.
//!
//! ```
//! use neurite_core::losses::dice;
//! // Keras's docstring example: 1 − 2·2.9 / (4 + 3.3 + ε) ≈ 0.6164384.
//! let t = [1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
//! let p = [0.0, 1.0, 0.0, 1.0, 0.4, 0.0, 0.0, 0.9];
//! assert!((dice::forward(&p, &t, 2, 4) - 0.616_438_4).abs() < 1e-7);
//! ```

const EPS: f64 = super::EPSILON as f64;

/// `(I, D)`: `Σ t·p` and `Σt + Σp + ε` over every value.
fn sums(pred: &[f32], target: &[f32]) -> (f64, f64) {
    let (mut i, mut d) = (0.0f64, EPS);
    for (&p, &t) in pred.iter().zip(target) {
        i += f64::from(t) * f64::from(p);
        d += f64::from(t) + f64::from(p);
    }
    (i, d)
}

/// The loss of the whole batch (`rows` and `cols` only describe it).
pub fn forward(pred: &[f32], target: &[f32], _rows: usize, _cols: usize) -> f32 {
    let (i, d) = sums(pred, target);
    (1.0 - 2.0 * i / d) as f32
}

/// `out[k] = 2·(I − o[k]·D) / D²`, `o` the other argument.
fn grad(pred: &[f32], target: &[f32], other: &[f32], out: &mut [f32]) {
    let (i, d) = sums(pred, target);
    let dd = d * d;
    for (g, &o) in out.iter_mut().zip(other) {
        *g = (2.0 * (i - f64::from(o) * d) / dd) as f32;
    }
}

/// `dpred = ∂L/∂p`.
pub fn backward(pred: &[f32], target: &[f32], _rows: usize, _cols: usize, dpred: &mut [f32]) {
    grad(pred, target, target, dpred);
}

/// `dtarget = ∂L/∂t` (the loss is symmetric in `t` and `p`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward_target(pred: &[f32], target: &[f32], _rows: usize, _cols: usize, dtarget: &mut [f32]) {
    grad(pred, target, pred, dtarget);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form() {
        // I = 0.5·1 + 0.25·1 = 0.75, D = 2 + 1.75 = 3.75: L = 1 − 1.5/3.75 = 0.6.
        let (p, t) = ([0.5, 0.25, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]);
        assert!((forward(&p, &t, 2, 2) - 0.6).abs() < 1e-7);
        // The same values as one row, or four: one overlap over the batch.
        assert_eq!(forward(&p, &t, 1, 4), forward(&p, &t, 4, 1));
        let mut d = [0.0; 4];
        backward(&p, &t, 2, 2, &mut d);
        // 2·(0.75 − t·3.75)/3.75²: −0.42666… where t = 1, 0.10666… where t = 0.
        let want = [-0.426_666_7, -0.426_666_7, 0.106_666_67, 0.106_666_67];
        assert!(d.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-7), "{d:?}");
    }

    #[test]
    fn perfect_overlap_empty_masks_and_symmetry() {
        // p = t = a 0/1 mask: L = 1 − 2n/(2n + ε) ≈ 0.
        assert!(forward(&[1.0, 0.0, 1.0], &[1.0, 0.0, 1.0], 1, 3).abs() < 1e-7);
        // Nothing predicted and nothing to find: 1 − 0/ε = 1, no gradient.
        assert_eq!(forward(&[0.0; 4], &[0.0; 4], 2, 2), 1.0);
        let mut d = [9.0; 4];
        backward(&[0.0; 4], &[0.0; 4], 2, 2, &mut d);
        assert_eq!(d, [0.0; 4]);
        // Symmetric in its arguments: dtarget(p, t) = dpred(t, p).
        let (p, t) = ([0.3, 0.9, 0.1], [0.0, 1.0, 0.5]);
        let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
        backward_target(&p, &t, 1, 3, &mut a);
        backward(&t, &p, 1, 3, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn gradients_match_central_differences() {
        let p = [0.3, 0.9, 0.1, 0.6, 0.05, 0.7];
        let t = [0.0, 1.0, 0.5, 1.0, 0.0, 0.2];
        let mut d = [0.0; 6];
        backward(&p, &t, 2, 3, &mut d);
        let mut dt = [0.0; 6];
        backward_target(&p, &t, 2, 3, &mut dt);
        let h = 1e-3f32;
        for k in 0..6 {
            let at = |q: &[f32], s: &[f32]| f64::from(forward(q, s, 2, 3));
            let (mut up, mut down) = (p, p);
            up[k] += h;
            down[k] -= h;
            let fd = (at(&up, &t) - at(&down, &t)) / f64::from(up[k] - down[k]);
            assert!((fd - f64::from(d[k])).abs() < 1e-3 * (1.0 + fd.abs()), "dpred[{k}] {} vs {fd}", d[k]);
            let (mut up, mut down) = (t, t);
            up[k] += h;
            down[k] -= h;
            let fd = (at(&p, &up) - at(&p, &down)) / f64::from(up[k] - down[k]);
            assert!((fd - f64::from(dt[k])).abs() < 1e-3 * (1.0 + fd.abs()), "dtarget[{k}] {} vs {fd}", dt[k]);
        }
    }
}
