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
//! so it is *not* divided by the batch size again. The "rows" are every axis but the last (the
//! units'): `n·T` rows for an output `[n, T, units]`, so `ρ̂` (and the penalty) depends on the
//! batch it is computed on. `∂P/∂y_ij = weight·(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / rows`.
//!
//! The *value* clamps `ρ̂` to `[1e-6, 1 − 1e-6]`, so a dead or saturated unit gives a large but
//! finite penalty. The *gradient* does not use that clamp: it is taken at the true `ρ̂`, with
//! `ρ̂` and `1 − ρ̂` floored only at `1e-30` (and the result kept within f32's range) so it stays
//! finite at `ρ̂ = 0` or `1` exactly. A dead sigmoid unit (`ρ̂ < 1e-6`) thus still gets the
//! `−ρ/ρ̂` pull that revives it: through `σ' = y(1 − y)` it moves the unit's bias by about
//! `weight·ρ` per step at learning rate 1, whatever `ρ̂` is. Where the activation's derivative is
//! exactly 0 (hardSigmoid's flat parts, a sigmoid that rounded to 0 or 1 in f32) the finite
//! gradient times 0 stays 0: such a unit gets nothing, as with any gradient.

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

/// The clamp of `ρ̂` in the penalty's value.
const RHO_EPS: f64 = 1e-6;
/// The floor of `ρ̂` and `1 − ρ̂` in the gradient (only keeps it finite at 0 and 1 exactly).
const GRAD_FLOOR: f64 = 1e-30;

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

    /// Per-unit mean activations `ρ̂_j` of `y` viewed as `rows × cols` (unclamped), and `rows`.
    fn means(y: &[f32], cols: usize) -> (Vec<f64>, usize) {
        let mut m = vec![0.0f64; cols];
        let mut rows = 0usize;
        for row in y.chunks_exact(cols.max(1)) {
            rows += 1;
            for (a, &v) in m.iter_mut().zip(row) {
                *a += v as f64;
            }
        }
        let n = rows.max(1) as f64;
        m.iter_mut().for_each(|a| *a /= n);
        (m, rows)
    }

    /// `P(y)` for `y` of `rows × cols`, with `ρ̂` clamped to `[1e-6, 1 − 1e-6]`.
    pub fn penalty(&self, y: &[f32], cols: usize) -> f32 {
        let rho = self.target as f64;
        let kl: f64 = KlSparsity::means(y, cols)
            .0
            .iter()
            .map(|&r| {
                let r = r.clamp(RHO_EPS, 1.0 - RHO_EPS);
                rho * (rho / r).ln() + (1.0 - rho) * ((1.0 - rho) / (1.0 - r)).ln()
            })
            .sum();
        (self.weight as f64 * kl) as f32
    }

    /// `grad += ∂P/∂y`, at the unclamped `ρ̂` (floored at [`GRAD_FLOOR`]; see the module docs).
    pub fn add_grad(&self, y: &[f32], cols: usize, grad: &mut [f32]) {
        if cols == 0 {
            return;
        }
        let rho = self.target as f64;
        let (means, rows) = KlSparsity::means(y, cols);
        let max = f32::MAX as f64;
        let g: Vec<f32> = means
            .iter()
            .map(|&r| {
                let d = -rho / r.max(GRAD_FLOOR) + (1.0 - rho) / (1.0 - r).max(GRAD_FLOOR);
                (self.weight as f64 * d / rows.max(1) as f64).clamp(-max, max) as f32
            })
            .collect();
        for row in grad.chunks_exact_mut(cols) {
            for (d, &gj) in row.iter_mut().zip(&g) {
                *d += gj;
            }
        }
    }

    /// The shape check of [`KlSparsity::apply`]: `y` is `[..., units]` with a row and a unit;
    /// gives `units` (the columns of the `rows × units` view).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn units_of(y: &Tensor) -> Result<usize> {
        const OP: &str = "klSparsity.apply";
        let Some(&units) = y.dims().last() else {
            bail!(OP, "x must have a last axis of units ([..., units]), got a scalar");
        };
        if y.size() == 0 {
            bail!(OP, "x must have at least one row and one unit (ρ̂ is a mean over the rows), got shape {}", y.shape());
        }
        Ok(units)
    }

    /// `regularizers.klSparsity(…).apply(y)`: [`KlSparsity::penalty`] of a layer output `y`
    /// (`[..., units]`) as a scalar, the value `fit` and `evaluate` add. Its backward rule is
    /// [`KlSparsity::apply_backward`], the gradient `fit` adds.
    /// A mean outside `[0, 1]` (a tanh or linear output) is an error: its penalty would be the
    /// clamp's and its gradient the floor's (−7.5e28 for a negative mean), an exploding step.
    pub fn apply(&self, y: &Tensor) -> Result<Tensor> {
        let units = KlSparsity::units_of(y)?;
        if let Some((j, &r)) = KlSparsity::means(y.data(), units).0.iter().enumerate().find(|(_, r)| !(0.0..=1.0).contains(*r)) {
            bail!(
                "klSparsity.apply",
                "the mean activation of unit {j} is {r}, outside [0, 1] (x has shape {}): KL sparsity compares mean activations in [0, 1] with its target, as a sigmoid, hardSigmoid or softmax layer gives them; for a tanh or linear output use regularizers.l1",
                y.shape(),
                r = js_number(r as f32)
            );
        }
        Ok(Tensor::scalar(self.penalty(y.data(), units)))
    }

    /// The vector-Jacobian product of [`KlSparsity::apply`] at `y` for the scalar gradient `g`:
    /// `g ·` [`KlSparsity::add_grad`]'s rule (the unclamped `ρ̂`'s, as in `fit`).
    pub fn apply_backward(&self, y: &Tensor, g: &Tensor) -> Result<Tensor> {
        let units = KlSparsity::units_of(y)?;
        let &[s] = g.data() else {
            bail!("klSparsity.apply", "the gradient at the output must be a scalar, got shape {}", g.shape());
        };
        let mut d = Tensor::zeros("grad", y.shape().clone())?;
        self.add_grad(y.data(), units, d.data_mut());
        d.data_mut().iter_mut().for_each(|v| *v *= s);
        Ok(d)
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
        // A dead unit: finite penalty (the clamped value), finite gradient (floored ρ̂).
        assert!(r.penalty(&[0.0, 0.0], 1).is_finite());
        assert!((r.penalty(&[0.0, 0.0], 1) as f64 - 2.0 * kl(0.1, 1e-6)).abs() < 1e-4);
        let mut g = [0.0; 2];
        r.add_grad(&[0.0, 0.0], 1, &mut g);
        assert!(g.iter().all(|v| v.is_finite() && *v < 0.0), "{g:?}");
        assert_eq!(KlSparsity::from_abi(0.05, 0.0).unwrap(), None);
        assert_eq!(KlSparsity::from_abi(0.05, -1.0).unwrap_err().to_string(), "klSparsity: weight must be a finite number >= 0, got -1");
        assert_eq!(KlSparsity::from_abi(1.0, 3.0).unwrap_err().to_string(), "klSparsity: target must be in (0, 1), got 1");
    }

    /// The tester's dead sigmoid units through a real dense layer: x = ±e₁, ±e₂ (4 rows),
    /// W = [[0.5, 0.5], [0.5, −0.5]], biases −30 and −12 (ρ̂ ≈ 1e-13, below the value's clamp,
    /// and ≈ 6e-6, above it), ρ = 0.05, β = 3, no loss gradient: the bias gradient of each unit
    /// is the float64 value of the unclamped rule, `β·(−ρ/ρ̂ + (1 − ρ)/(1 − ρ̂))·Σ σ'/rows`, so
    /// SGD at learning rate 1 steps the biases by ≈ +0.150000 and +0.149979 (β·ρ = 0.15).
    #[test]
    fn kl_sparsity_revives_a_dead_sigmoid_unit() {
        use crate::activations::Activation;
        use crate::initializers::Initializer;
        use crate::layers::dense::{Dense, DenseConfig};
        use crate::layers::{Init, Layer, Mode};
        use crate::Shape;
        let (rho, beta) = (0.05f64, 3.0f64);
        let mut l = Dense::new(DenseConfig {
            units: 2,
            activation: Activation::Sigmoid,
            use_bias: true,
            kernel_initializer: Initializer::Zeros.into(),
            bias_initializer: Initializer::Zeros.into(),
            kernel_regularizer: None,
            bias_regularizer: None,
            activity_regularizer: None,
            kl_sparsity: KlSparsity::from_abi(rho as f32, beta as f32).unwrap(),
        });
        l.build(&[2], Init::seeded(1)).unwrap();
        let (w, b) = ([0.5f32, 0.5, 0.5, -0.5], [-30.0f32, -12.0]);
        {
            let mut ps = l.params_mut();
            ps[0].value.data_mut().copy_from_slice(&w);
            ps[1].value.data_mut().copy_from_slice(&b);
        }
        let xs = [1.0f32, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, -1.0];
        let x = Tensor::new("t", Shape::from([4, 2]), xs.to_vec()).unwrap();
        let y = l.forward(x, Mode::Train { seed: 1, step: 0 }).unwrap();
        l.backward(Tensor::zeros("t", y.shape().clone()).unwrap()).unwrap();
        let db = l.params_mut()[1].grad.clone();
        let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
        for j in 0..2 {
            let s: Vec<f64> = xs.chunks(2).map(|r| sig(b[j] as f64 + r[0] as f64 * w[j] as f64 + r[1] as f64 * w[2 + j] as f64)).collect();
            let q = s.iter().sum::<f64>() / 4.0;
            let want = beta * (-rho / q + (1.0 - rho) / (1.0 - q)) * s.iter().map(|v| v * (1.0 - v)).sum::<f64>() / 4.0;
            assert!((db[j] as f64 - want).abs() < 1e-5 * want.abs(), "unit {j}: ρ̂ {q:e}, bias grad {} vs f64 {want}", db[j]);
        }
        assert!(KlSparsity::means(y.data(), 2).0[0] < 1e-12, "unit 0 is below the clamp");
        assert!((-db[0] - 0.150000).abs() < 5e-6 && (-db[1] - 0.149979).abs() < 5e-6, "{db:?}");
        // The value is still the clamped one (finite, and the same as before the change).
        let kl = |p: f64, q: f64| p * (p / q).ln() + (1.0 - p) * ((1.0 - p) / (1.0 - q)).ln();
        let q1 = KlSparsity::means(y.data(), 2).0[1];
        assert!((l.activity_loss() as f64 - beta * (kl(rho, 1e-6) + kl(rho, q1))).abs() < 1e-4 * l.activity_loss() as f64);
    }

    /// ρ̂ = 0 or 1 exactly: a finite penalty and gradient, and the activations' zero
    /// derivatives there (sigmoid rounded to 0 or 1, hardSigmoid's flat parts) give exactly 0,
    /// not NaN, even at a weight so large that the gradient is capped at f32::MAX.
    #[test]
    fn kl_sparsity_at_exactly_zero_and_one_is_finite() {
        use crate::activations::Activation;
        for weight in [3.0f32, 1e30, f32::MAX] {
            let k = KlSparsity::from_abi(0.05, weight).unwrap().unwrap();
            for v in [0.0f32, 1.0] {
                let y = [v; 6]; // 3 rows × 2 units
                assert!(k.penalty(&y, 2).is_finite() || weight > 1e30, "weight {weight}, ρ̂ {v}");
                let mut g = [0.0f32; 6];
                k.add_grad(&y, 2, &mut g);
                assert!(g.iter().all(|d| d.is_finite()), "weight {weight}, ρ̂ {v}: {g:?}");
                assert!(g.iter().all(|&d| if v == 0.0 { d < 0.0 } else { d > 0.0 }), "{g:?}");
                let mut dz = [f32::NAN; 6];
                Activation::Sigmoid.backward(&[if v == 0.0 { -200.0 } else { 200.0 }; 6], &y, &g, &mut dz, 2);
                assert_eq!(dz, [0.0; 6], "sigmoid, weight {weight}, ρ̂ {v}");
                let mut dz = [f32::NAN; 6];
                Activation::HardSigmoid.backward(&[if v == 0.0 { -10.0 } else { 10.0 }; 6], &y, &g, &mut dz, 2);
                assert_eq!(dz, [0.0; 6], "hardSigmoid, weight {weight}, ρ̂ {v}");
            }
        }
        // A mixed batch: one unit at 0, one at 1, one inside; the inside one keeps the usual rule.
        let k = KlSparsity::from_abi(0.2, 1.5).unwrap().unwrap();
        let y = [0.0f32, 1.0, 0.3, 0.0, 1.0, 0.5];
        let mut g = [0.0f32; 6];
        k.add_grad(&y, 3, &mut g);
        assert!(g.iter().all(|d| d.is_finite()), "{g:?}");
        let want = 1.5 * (-0.2 / 0.4 + 0.8 / 0.6) / 2.0;
        assert!((g[2] as f64 - want).abs() < 1e-6 && g[2] == g[5], "{g:?}");
    }

    /// Inside the clamp the gradient is unchanged, and below it it matches central differences
    /// of the *unclamped* KL (the function the gradient now follows), with ρ̂ ≈ 1e-9.
    #[test]
    fn kl_sparsity_gradient_below_the_clamp_is_the_unclamped_one() {
        let k = KlSparsity::from_abi(0.05, 3.0).unwrap().unwrap();
        let y = [1e-9f32, 3e-9, 2e-9, 2e-9]; // 4 rows × 1 unit: ρ̂ = 2e-9
        let mut g = [0.0f32; 4];
        k.add_grad(&y, 1, &mut g);
        let unclamped = |q: f64| 3.0 * (0.05 * (0.05 / q).ln() + 0.95 * (0.95 / (1.0 - q)).ln());
        let (q, h) = (2e-9f64, 1e-13f64);
        let fd = (unclamped(q + h) - unclamped(q - h)) / (2.0 * h) / 4.0; // ∂ρ̂/∂y_i = 1/4
        for d in g {
            assert!((d as f64 - fd).abs() < 1e-5 * fd.abs(), "{d} vs {fd}");
        }
    }

    /// `apply` is `penalty` over the rows of `[..., units]` (every axis but the last), and
    /// `apply_backward` is `add_grad` times the output's gradient: the rules `fit` uses.
    #[test]
    fn kl_sparsity_apply_is_the_layer_rule() {
        let k = KlSparsity::from_abi(0.1, 2.0).unwrap().unwrap();
        let v: Vec<f32> = (0..12).map(|i| 0.05 + 0.07 * i as f32).collect();
        let y = Tensor::new("t", crate::Shape::new("t", &[2, 3, 2]).unwrap(), v.clone()).unwrap();
        assert_eq!(k.apply(&y).unwrap().data(), [k.penalty(&v, 2)]);
        let mut want = vec![0.0f32; 12];
        k.add_grad(&v, 2, &mut want);
        let d = k.apply_backward(&y, &Tensor::scalar(-0.5)).unwrap();
        assert_eq!(d.dims(), [2, 3, 2]);
        assert!(d.data().iter().zip(&want).all(|(a, b)| *a == -0.5 * b), "{:?} vs {want:?}", d.data());
        let msg = |r: Result<Tensor>| r.unwrap_err().to_string();
        assert_eq!(msg(k.apply(&Tensor::scalar(0.5))), "klSparsity.apply: x must have a last axis of units ([..., units]), got a scalar");
        let empty = Tensor::zeros("t", crate::Shape::new("t", &[0, 3]).unwrap()).unwrap();
        assert_eq!(msg(k.apply(&empty)), "klSparsity.apply: x must have at least one row and one unit (ρ̂ is a mean over the rows), got shape [0,3]");
        assert_eq!(msg(k.apply_backward(&y, &y)), "klSparsity.apply: the gradient at the output must be a scalar, got shape [2,3,2]");
        // A mean outside [0, 1] (a tanh layer's) is refused, not given a floor-sized gradient.
        let tanh = Tensor::new("t", crate::Shape::new("t", &[2, 2]).unwrap(), vec![-0.5, 0.3, -0.1, 0.4]).unwrap();
        assert_eq!(msg(k.apply(&tanh)), "klSparsity.apply: the mean activation of unit 0 is -0.3, outside [0, 1] (x has shape [2,2]): KL sparsity compares mean activations in [0, 1] with its target, as a sigmoid, hardSigmoid or softmax layer gives them; for a tanh or linear output use regularizers.l1");
        let nan = Tensor::new("t", crate::Shape::new("t", &[1, 2]).unwrap(), vec![0.5, f32::NAN]).unwrap();
        assert!(msg(k.apply(&nan)).starts_with("klSparsity.apply: the mean activation of unit 1 is NaN, outside [0, 1]"));
    }
}
