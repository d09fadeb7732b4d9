//! Weight and activity regularizers: `l1`, `l2`, `l1l2`, and the activity regularizer
//! `klSparsity`.
//!
//! Penalty `R(w) = l1·Σ|w| + l2·Σw²`, gradient `l1·sign(w) + 2·l2·w` (Keras definitions;
//! Keras defaults are l1 = l2 = 0.01). At `w = 0` exactly, `sign(0) = 0` as in Keras 3, TF and
//! JAX; TF.js 4.22 differentiates `|w|` as `step(w, −1)`, −1 at 0, so a zero weight under l1
//! (a zero-initialised bias) takes a step of `lr·l1` there and not here (tested in
//! `test/model.test.ts`). Activity regularizers apply `R` to a layer's output
//! and, as in Keras, divide the penalty by the batch size.
//!
//! [`KlSparsity`] (sparse autoencoders, Ng's CS294A notes): with `ρ̂_j` the mean activation of
//! unit `j` over the rows of the batch, `P = weight·Σ_j KL(ρ ‖ ρ̂_j)`,
//! `KL(ρ ‖ ρ̂) = ρ·ln(ρ/ρ̂) + (1 − ρ)·ln((1 − ρ)/(1 − ρ̂))`. It is already a mean over the batch,
//! so it is *not* divided by the batch size again. `∂P/∂y_ij = weight·(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / rows`.
//! `ρ̂` is clamped to `[1e-6, 1 − 1e-6]` (no gradient where the clamp is active), so a dead
//! or saturated unit gives a large but finite penalty.

use crate::tensor::Tensor;
use crate::{bail, Result};
use crate::error::js_number;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Regularizer {
    pub l1: f32,
    pub l2: f32,
}

impl Regularizer {
    /// From ABI parameters `[l1, l2]`; `None` when both are zero.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(l1: f32, l2: f32) -> Result<Option<Regularizer>> {
        for (name, v) in [("l1", l1), ("l2", l2)] {
            if !v.is_finite() || v < 0.0 {
                bail!("regularizer", "{name} must be a finite number >= 0, got {v}", v = js_number(v));
            }
        }
        Ok((l1 != 0.0 || l2 != 0.0).then_some(Regularizer { l1, l2 }))
    }

    /// `R(w)`.
    pub fn penalty(&self, w: &[f32]) -> f32 {
        let (mut a, mut s) = (0.0f32, 0.0f32);
        for &x in w {
            a += x.abs();
            s += x * x;
        }
        self.l1 * a + self.l2 * s
    }

    /// `grad += scale · dR/dw`.
    pub fn add_grad(&self, w: &[f32], grad: &mut [f32], scale: f32) {
        let (l1, l2) = (self.l1 * scale, 2.0 * self.l2 * scale);
        for (g, &x) in grad.iter_mut().zip(w) {
            let sign = if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 };
            *g += l1 * sign + l2 * x;
        }
    }

    /// As an activity regularizer of a layer's output `y` (`[batch, …]`): `R(y)` over the
    /// batch size, as Keras (TF.js divides the same way), so the penalty does not grow with it.
    pub fn activity_penalty(&self, y: &Tensor) -> f32 {
        self.penalty(y.data()) / Regularizer::batch(y) as f32
    }

    /// `dy += d/dy` of [`Regularizer::activity_penalty`] at `y`.
    pub fn add_activity_grad(&self, y: &Tensor, dy: &mut [f32]) {
        self.add_grad(y.data(), dy, 1.0 / Regularizer::batch(y) as f32);
    }

    /// The batch size of an output `y`: its first dimension (at least 1).
    fn batch(y: &Tensor) -> usize {
        y.dims().first().copied().unwrap_or(1).max(1)
    }
}

/// The KL sparsity activity regularizer (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KlSparsity {
    /// `ρ`, in (0, 1).
    pub target: f32,
    /// `β`, >= 0.
    pub weight: f32,
}

/// The clamp of `ρ̂`.
const RHO_EPS: f64 = 1e-6;

impl KlSparsity {
    /// From ABI parameters `[target, weight]`; `None` when the weight is 0.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(target: f32, weight: f32) -> Result<Option<KlSparsity>> {
        if !(weight.is_finite() && weight >= 0.0) {
            bail!("klSparsity", "weight must be a finite number >= 0, got {weight}", weight = js_number(weight));
        }
        if weight == 0.0 {
            return Ok(None);
        }
        if !(target > 0.0 && target < 1.0) {
            bail!("klSparsity", "target must be in (0, 1), got {target}", target = js_number(target));
        }
        Ok(Some(KlSparsity { target, weight }))
    }

    /// Per-unit mean activations of `y` viewed as `rows × cols`, clamped, with whether the
    /// clamp was inactive.
    fn means(y: &[f32], cols: usize) -> Vec<(f64, bool)> {
        let mut m = vec![0.0f64; cols];
        let mut rows = 0usize;
        for row in y.chunks_exact(cols.max(1)) {
            rows += 1;
            for (a, &v) in m.iter_mut().zip(row) {
                *a += v as f64;
            }
        }
        m.into_iter()
            .map(|s| {
                let r = s / rows.max(1) as f64;
                (r.clamp(RHO_EPS, 1.0 - RHO_EPS), (RHO_EPS..=1.0 - RHO_EPS).contains(&r))
            })
            .collect()
    }

    /// `P(y)` for `y` of `rows × cols`.
    pub fn penalty(&self, y: &[f32], cols: usize) -> f32 {
        let rho = self.target as f64;
        let kl: f64 = KlSparsity::means(y, cols).iter().map(|&(r, _)| rho * (rho / r).ln() + (1.0 - rho) * ((1.0 - rho) / (1.0 - r)).ln()).sum();
        (self.weight as f64 * kl) as f32
    }

    /// `grad += ∂P/∂y`.
    pub fn add_grad(&self, y: &[f32], cols: usize, grad: &mut [f32]) {
        if cols == 0 {
            return;
        }
        let rows = y.len() / cols;
        let rho = self.target as f64;
        let g: Vec<f32> = KlSparsity::means(y, cols)
            .iter()
            .map(|&(r, inside)| if inside { (self.weight as f64 * (-rho / r + (1.0 - rho) / (1.0 - r)) / rows.max(1) as f64) as f32 } else { 0.0 })
            .collect();
        for row in grad.chunks_exact_mut(cols) {
            for (d, &gj) in row.iter_mut().zip(&g) {
                *d += gj;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_and_gradient() {
        let r = Regularizer { l1: 0.1, l2: 0.5 };
        let w = [1.0, -2.0, 0.0];
        assert!((r.penalty(&w) - (0.1 * 3.0 + 0.5 * 5.0)).abs() < 1e-6);
        let mut g = [0.0; 3];
        r.add_grad(&w, &mut g, 1.0);
        assert_eq!(g, [0.1 + 1.0, -0.1 - 2.0, 0.0]);
        // Finite differences agree away from the kink.
        let h = 1e-3;
        let f = |x: f32| r.penalty(&[x]);
        let fd = (f(0.7 + h) - f(0.7 - h)) / (2.0 * h);
        let mut g1 = [0.0];
        r.add_grad(&[0.7], &mut g1, 1.0);
        assert!((fd - g1[0]).abs() < 1e-2);
        assert_eq!(Regularizer::from_abi(0.0, 0.0).unwrap(), None);
        assert!(Regularizer::from_abi(-1.0, 0.0).is_err());
    }

    #[test]
    fn kl_sparsity_penalty_and_gradient() {
        let r = KlSparsity::from_abi(0.1, 2.0).unwrap().unwrap();
        // 2 rows × 2 units: means 0.3 and 0.1 → only the first unit is penalised.
        let y = [0.2, 0.05, 0.4, 0.15];
        let kl = |p: f64, q: f64| p * (p / q).ln() + (1.0 - p) * ((1.0 - p) / (1.0 - q)).ln();
        assert!((r.penalty(&y, 2) as f64 - 2.0 * (kl(0.1, 0.3) + kl(0.1, 0.1))).abs() < 1e-6);
        let mut g = [0.0; 4];
        r.add_grad(&y, 2, &mut g);
        let h = 1e-3f32;
        for i in 0..4 {
            let mut q = y;
            q[i] += h;
            let up = r.penalty(&q, 2) as f64;
            q[i] -= 2.0 * h;
            let down = r.penalty(&q, 2) as f64;
            let fd = (up - down) / (2.0 * h as f64);
            assert!((fd - g[i] as f64).abs() < 1e-3 + 1e-2 * fd.abs(), "y[{i}]: {} vs {fd}", g[i]);
        }
        // A dead unit: finite penalty, no gradient through the clamp.
        assert!(r.penalty(&[0.0, 0.0], 1).is_finite());
        let mut g = [0.0; 2];
        r.add_grad(&[0.0, 0.0], 1, &mut g);
        assert_eq!(g, [0.0, 0.0]);
        assert_eq!(KlSparsity::from_abi(0.05, 0.0).unwrap(), None);
        assert_eq!(KlSparsity::from_abi(0.05, -1.0).unwrap_err().to_string(), "klSparsity: weight must be a finite number >= 0, got -1");
        assert_eq!(KlSparsity::from_abi(1.0, 3.0).unwrap_err().to_string(), "klSparsity: target must be in (0, 1), got 1");
    }
}
