//! `batchNormalization` (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167) over the last
//! axis, with Keras defaults (momentum 0.99, epsilon 1e-3, center and scale on).
//!
//! Training: per feature `μ, σ²` over all other axes (the N rows), `x̂ = (x − μ)/√(σ² + ε)`,
//! `y = γ·x̂ + β`; the moving statistics follow `m ← m·momentum + μ·(1 − momentum)`.
//! Inference uses the moving statistics.
//!
//! With a mask over the rows (Keras 3's BatchNormalization after a `masking` layer or an
//! embedding with `maskZero`; `m_r` 1 for a real row, 0 for a masked one), training takes the
//! moments over the real rows only, as Keras 3's `_moments`: `μ = Σ m·x / D`,
//! `σ² = Σ m·(x − μ)² / D` with `D = Σ m + 1e-7` (Keras's `backend.epsilon()`, added in float32:
//! `D = Σ m` from 2 real rows on; 0 real rows give μ = σ² = 0). Every row, masked or not, is
//! normalized with them; the moving statistics follow the masked moments. Inference ignores the
//! mask (moving statistics).
//!
//! # Backward (per feature, `s = 1/√(σ² + ε)`, `D` = N rows without a mask)
//! `dβ = Σ dy`, `dγ = Σ dy·x̂` (sums over every row), and
//! `dx_r = (γ·s/D)·(D·dy_r − m_r·(Σdy + x̂_r·Σ(dy·x̂)))`: without a mask (`m = 1`, `D = N`) the
//! textbook `(γ·s/N)·(N·dy − Σdy − x̂·Σ(dy·x̂))`; a masked row moves no statistic, so its `dx` is
//! `γ·s·dy`. One rule for `fit` and the tape.
//! NOTE: with `D = Σm + 1e-7`, `Σ m·(x − μ) = μ·(D − Σm)` is not exactly 0: the exact variance
//! term of a real row is `(x̂_r − s·μ·(D − Σm)/D)·Σ(dy·x̂)`. `D − Σm` is 0 in float32 from 2 real
//! rows on. With one real row it is 1.2e-7, σ² is `x²·(D − 1)²/D` (≈ 1e-14·x²) and so is the
//! exact term, while `x̂_r` is float32 noise there (`x − x/D` is 0 or one ulp, times `s`, times
//! the masked rows' large `Σ(dy·x̂)`: 1% of dx in the unit test): that row's dx drops the
//! variance term.

use crate::kernels::norm;
use crate::kernels::reduce::{acc_add, acc_dev, acc_mul, acc_sq_dev};
use crate::parallel::for_each_chunks_mut;
use crate::tensor::{collect_n, try_vec};

const OP: &str = "batchNormalization";
use super::{no_forward, rows_cols, values_or, Domain, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::{bail, Result, Shape, Tensor};

/// Rows of a per-row pass per task: about this many values, whole rows (at least one).
const TASK_VALUES: usize = 16 * 1024;

/// `f(parts, start)` over whole rows of `c` values of the equally long `outs`, cut into tasks
/// of about [`TASK_VALUES`] on the thread pool (`start`: the parts' offset in the slices).
/// Each row's values are computed alone, so the cut does not change a bit.
fn by_rows<const N: usize>(outs: [&mut [f32]; N], c: usize, f: impl Fn([&mut [f32]; N], usize) + Sync) {
    let len = outs[0].len();
    if c == 0 || len == 0 {
        return;
    }
    let chunk = (TASK_VALUES / c).max(1) * c;
    for_each_chunks_mut(outs, chunk, len, |i, parts| f(parts, i * chunk));
}

pub struct BatchNorm {
    momentum: f32,
    epsilon: f32,
    center: bool,
    scale: bool,
    gamma: Option<Param>,
    beta: Option<Param>,
    moving_mean: Option<Param>,
    moving_var: Option<Param>,
    /// Saved by a forward that keeps values: x̂ and 1/√(σ²+ε) per feature (the batch's
    /// variance when training, the moving one when traced).
    xhat: Option<Tensor>,
    inv_std: Vec<f32>,
    /// Set by a traced forward (inference, `Mode::Trace`): backward differentiates the
    /// inference function, whose slope is `γ/√(moving σ²+ε)` per feature.
    traced: bool,
    /// The training forward's divisor `D` (rows, or `Σ m + 1e-7` with a mask), its number of
    /// real rows and its row mask, for its backward.
    moments: (f32, usize, Option<Vec<f32>>),
}

impl BatchNorm {
    /// `dβ = Σ dy` and `dγ = Σ dy·x̂` over the batch, into the parameters' gradients (when the
    /// layer has them) and returned.
    fn affine_grads(&mut self, dy: &Tensor, xhat: &Tensor, c: usize) -> Result<(Vec<f32>, Vec<f32>)> {
        let mut sum_dy = try_vec(OP, c, 0.0f32)?;
        let mut sum_dy_xhat = try_vec(OP, c, 0.0f32)?;
        for (d, h) in dy.data().chunks_exact(c).zip(xhat.data().chunks_exact(c)) {
            acc_add(&mut sum_dy, d);
            norm::acc_dot(&mut sum_dy_xhat, d, h);
        }
        if let Some(b) = self.beta.as_mut() {
            b.grad_mut()?.copy_from_slice(&sum_dy);
        }
        if let Some(g) = self.gamma.as_mut() {
            g.grad_mut()?.copy_from_slice(&sum_dy_xhat);
        }
        Ok((sum_dy, sum_dy_xhat))
    }

    /// Layout: `momentum, epsilon, center, scale`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<BatchNorm> {
        let mut r = Reader::new("batchNormalization", p);
        let momentum = r.finite("momentum")?;
        let epsilon = r.finite("epsilon")?;
        if !(0.0..=1.0).contains(&momentum) {
            return Err(super::out_of_range("batchNormalization", "momentum", "in [0, 1]", momentum));
        }
        if epsilon <= 0.0 {
            return Err(super::out_of_range("batchNormalization", "epsilon", "> 0", epsilon));
        }
        Ok(BatchNorm {
            momentum,
            epsilon,
            center: r.bool("center")?,
            scale: r.bool("scale")?,
            gamma: None,
            beta: None,
            moving_mean: None,
            moving_var: None,
            xhat: None,
            inv_std: Vec::new(),
            traced: false,
            moments: (0.0, 0, None),
        })
    }
}

impl Layer for BatchNorm {
    /// Keras 3's `supports_masking`, and its training moments over the unmasked rows.
    fn masking(&self) -> super::Masking {
        super::Masking::Use
    }


    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "batchNormalization"
    }

    /// Any input whose last axis has the moving statistics' features.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.moving_mean.as_ref()?.value.size();
        Some(super::last_axis_resize(OP, want, input, want))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let Some(&c) = input.last() else {
            bail!("batchNormalization", "input must have at least one dimension per sample, got shape []");
        };
        let v = |x: f32| Tensor::full("batchNormalization", Shape::from([c]), x);
        if self.scale {
            self.gamma = Some(Param::new("gamma", v(1.0)?, None)?);
        }
        if self.center {
            self.beta = Some(Param::new("beta", v(0.0)?, None)?);
        }
        self.moving_mean = Some(Param::state("moving_mean", v(0.0)?));
        self.moving_var = Some(Param::state("moving_variance", v(1.0)?).within(Domain::NonNegative));
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_with_mask(x, None, mode)
    }

    /// With a row mask (1 real, 0 masked), training takes its moments over the real rows.
    fn forward_with_mask(&mut self, mut x: Tensor, mask: Option<Vec<f32>>, mode: Mode) -> Result<Tensor> {
        let (rows, c) = rows_cols(&x);
        let (mm, mv) = match (&mut self.moving_mean, &mut self.moving_var) {
            (Some(m), Some(v)) => (m, v),
            _ => return Err(no_forward("batchNormalization")),
        };
        let gamma = values_or(OP, &self.gamma, c, 1.0)?;
        let beta = values_or(OP, &self.beta, c, 0.0)?;
        if !mode.training() {
            // 1/√(moving σ²+ε) per feature, once rather than per row.
            let inv = collect_n(OP, c, mv.value.data().iter().map(|v| 1.0 / (v + self.epsilon).sqrt()))?;
            let m = mm.value.data();
            if mode.keeps() {
                // Traced: keep x̂ = (x − moving μ)/√(moving σ²+ε) for γ's gradient.
                let mut xhat = Tensor::zeros(OP, x.shape().clone())?;
                by_rows([xhat.data_mut()], c, |[h], i| {
                    let xs = &x.data()[i..][..h.len()];
                    h.chunks_exact_mut(c).zip(xs.chunks_exact(c)).for_each(|(h, x)| norm::standardize(h, x, m, &inv));
                });
                self.xhat = Some(xhat);
            }
            by_rows([x.try_data_mut(OP)?], c, |[x], _| {
                x.chunks_exact_mut(c).for_each(|x| norm::normalize_inference(x, m, &inv, &gamma, &beta));
            });
            self.traced = mode.keeps();
            if self.traced {
                self.inv_std = inv;
            }
            return Ok(x);
        }
        self.traced = false;
        if rows == 0 {
            bail!("batchNormalization", "cannot train on an empty batch (input shape {})", x.shape());
        }
        if let Some(m) = &mask {
            if m.len() != rows {
                bail!("batchNormalization", "the mask has {} values for the {rows} rows of input {}", m.len(), x.shape());
            }
        }
        // Whether row `r` counts for the moments (every row without a mask).
        let real = |r: usize| mask.as_ref().is_none_or(|m| m[r] != 0.0);
        let count = mask.as_ref().map_or(rows, |m| m.iter().filter(|&&v| v != 0.0).count());
        let d = if mask.is_some() { count as f32 + 1e-7 } else { rows as f32 };
        let mut mean = try_vec(OP, c, 0.0f32)?;
        let mut var = try_vec(OP, c, 0.0f32)?;
        // Summed as deviations from the first counted row, then shifted back: a plain float32
        // sum of features far from zero with a small spread (2e6 ± 0.5) lost the spread, and the
        // output was off by about one standard deviation.
        let mut shift = try_vec(OP, c, 0.0f32)?;
        if let Some(r) = (0..rows).find(|&r| real(r)) {
            shift.copy_from_slice(&x.data()[r * c..][..c]);
        }
        for (r, row) in x.data().chunks_exact(c).enumerate() {
            if real(r) {
                acc_dev(&mut mean, row, &shift);
            }
        }
        let share = count as f32 / d;
        mean.iter_mut().zip(&shift).for_each(|(m, &s)| *m = s * share + *m / d);
        for (r, row) in x.data().chunks_exact(c).enumerate() {
            if real(r) {
                acc_sq_dev(&mut var, row, &mean);
            }
        }
        var.iter_mut().for_each(|v| *v /= d);
        self.inv_std = collect_n(OP, c, var.iter().map(|v| 1.0 / (v + self.epsilon).sqrt()))?;
        let mut xhat = Tensor::zeros(OP, x.shape().clone())?;
        let inv = &self.inv_std;
        by_rows([x.try_data_mut(OP)?, xhat.data_mut()], c, |[x, h], _| {
            for (x, h) in x.chunks_exact_mut(c).zip(h.chunks_exact_mut(c)) {
                norm::normalize(x, Some(h), &mean, inv, &gamma, &beta);
            }
        });
        // A replay (the tape's rule for apply with training) leaves the statistics alone: the
        // call it replays updated them.
        if mode.updates_state() {
            let m = self.momentum;
            // The moving statistics may be shared with a tensor from getWeights: copy fallibly.
            for (s, &mu) in mm.value.try_data_mut(OP)?.iter_mut().zip(&mean) {
                *s = *s * m + mu * (1.0 - m);
            }
            for (s, &v) in mv.value.try_data_mut(OP)?.iter_mut().zip(&var) {
                *s = *s * m + v * (1.0 - m);
            }
        }
        self.xhat = Some(xhat);
        self.moments = (d, count, mask);
        Ok(x)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        if core::mem::take(&mut self.traced) {
            // Inference is affine per feature, y = γ·x̂ + β with x̂ = (x − moving μ)/√(moving σ²+ε):
            // dβ = Σ dy, dγ = Σ dy·x̂, dx = dy · γ/√(moving σ²+ε).
            let (_, c) = rows_cols(&dy);
            let xhat = self.xhat.take().ok_or_else(|| no_forward("batchNormalization"))?;
            self.affine_grads(&dy, &xhat, c)?;
            let gamma = values_or(OP, &self.gamma, c, 1.0)?;
            let slope = collect_n(OP, c, gamma.iter().zip(&self.inv_std).map(|(g, s)| g * s))?;
            by_rows([dy.try_data_mut(OP)?], c, |[d], _| d.chunks_exact_mut(c).for_each(|d| acc_mul(d, &slope)));
            return Ok(dy);
        }
        let xhat = self.xhat.take().ok_or_else(|| no_forward("batchNormalization"))?;
        let (_, c) = rows_cols(&xhat);
        let (sum_dy, sum_dy_xhat) = self.affine_grads(&dy, &xhat, c)?;
        let gamma = values_or(OP, &self.gamma, c, 1.0)?;
        let (n, count, mask) = core::mem::take(&mut self.moments);
        let k = collect_n(OP, c, gamma.iter().zip(&self.inv_std).map(|(g, s)| g * s / n))?;
        // A masked row's dx has no statistics' terms: the same kernel with zero sums. With one
        // real row, its variance term is left out (see the NOTE above).
        let zeros = try_vec(OP, if mask.is_some() { c } else { 0 }, 0.0f32)?;
        let sum_dy_xhat = if mask.is_some() && count == 1 { zeros.clone() } else { sum_dy_xhat };
        let mut dx = Tensor::zeros("batchNormalization", xhat.shape().clone())?;
        by_rows([dx.data_mut()], c, |[o], i| {
            let (ds, hs) = (&dy.data()[i..][..o.len()], &xhat.data()[i..][..o.len()]);
            for (r, ((o, d), h)) in o.chunks_exact_mut(c).zip(ds.chunks_exact(c)).zip(hs.chunks_exact(c)).enumerate() {
                let real = mask.as_ref().is_none_or(|m| m[i / c + r] != 0.0);
                let (sd, sdh) = if real { (&sum_dy, &sum_dy_xhat) } else { (&zeros, &zeros) };
                norm::input_grad(o, d, h, &k, n, sd, sdh);
            }
        });
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        [&mut self.gamma, &mut self.beta, &mut self.moving_mean, &mut self.moving_var].into_iter().filter_map(|p| p.as_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        [&self.gamma, &self.beta, &self.moving_mean, &self.moving_var].into_iter().filter_map(|p| p.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(c: usize) -> BatchNorm {
        let mut l = BatchNorm::from_abi(&[0.9, 1e-3, 1.0, 1.0]).unwrap();
        l.build(&[c], Init::seeded(0)).unwrap();
        let ps = l.params_mut();
        for (p, v) in ps.into_iter().zip([[1.5f32, -0.5, 2.0], [0.25, -1.0, 0.5], [0.1, 0.2, -0.3], [1.0, 2.0, 0.5]]) {
            p.value.data_mut().copy_from_slice(&v[..c]);
        }
        l
    }

    fn input(n: usize, c: usize) -> Tensor {
        Tensor::new("t", Shape::from([n, c]), (0..n * c).map(|i| ((i as f32) * 0.77).sin() * 2.0 + (i % 3) as f32).collect()).unwrap()
    }

    /// Σ w·y of a training forward that updates nothing (the tape's replay), in f64.
    fn loss(l: &mut BatchNorm, x: &Tensor, w: &[f32], mask: Option<&[f32]>) -> f64 {
        let y = l.forward_with_mask(x.clone(), mask.map(<[f32]>::to_vec), Mode::Replay { seed: 1, step: 1 }).unwrap();
        y.data().iter().zip(w).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum()
    }

    /// Keras 3's masked moments: the statistics of the real rows only (a masked row's values
    /// change no other row's output), the moving statistics after a step; dx, dγ and dβ match
    /// central differences with and without a mask, with one real row and with none.
    #[test]
    fn masked_moments_and_their_gradient() {
        let (n, c) = (7, 3);
        let x = input(n, c);
        let w: Vec<f32> = (0..n * c).map(|i| ((i as f32) * 1.3).cos()).collect();
        for mask in [None, Some(vec![1., 0., 1., 1., 0., 0., 1.]), Some(vec![0., 0., 0., 1., 0., 0., 0.]), Some(vec![0.; 7])] {
            let mut l = layer(c);
            // The moments over the real rows, Keras's D = count + 1e-7.
            let real: Vec<usize> = (0..n).filter(|&r| mask.as_ref().is_none_or(|m| m[r] != 0.0)).collect();
            let d = if mask.is_some() { real.len() as f32 + 1e-7 } else { n as f32 };
            let mean: Vec<f32> = (0..c).map(|j| real.iter().map(|&r| x.data()[r * c + j]).sum::<f32>() / d).collect();
            let var: Vec<f32> = (0..c).map(|j| real.iter().map(|&r| (x.data()[r * c + j] - mean[j]).powi(2)).sum::<f32>() / d).collect();
            let y = l.forward_with_mask(x.clone(), mask.clone(), Mode::Train { seed: 1, step: 1 }).unwrap();
            for r in 0..n {
                for j in 0..c {
                    let g = [1.5f32, -0.5, 2.0][j];
                    let b = [0.25f32, -1.0, 0.5][j];
                    let want = g * (x.data()[r * c + j] - mean[j]) / (var[j] + 1e-3).sqrt() + b;
                    assert!((y.data()[r * c + j] - want).abs() < 1e-4, "{mask:?} row {r}: {} vs {want}", y.data()[r * c + j]);
                }
            }
            let ps = l.params();
            for j in 0..c {
                assert!((ps[2].value.data()[j] - (0.9 * [0.1f32, 0.2, -0.3][j] + 0.1 * mean[j])).abs() < 1e-6);
                assert!((ps[3].value.data()[j] - (0.9 * [1.0f32, 2.0, 0.5][j] + 0.1 * var[j])).abs() < 1e-6);
            }
            // Backward of the replayed function against central differences.
            let mut l = layer(c);
            loss(&mut l, &x, &w, mask.as_deref());
            let dx = l.backward(Tensor::new("t", x.shape().clone(), w.clone()).unwrap()).unwrap();
            let (dg, db) = (l.params()[0].grad.clone(), l.params()[1].grad.clone());
            let h = 1e-2f32;
            for i in 0..n * c {
                let mut xp = x.clone();
                xp.data_mut()[i] += h;
                let mut xm = x.clone();
                xm.data_mut()[i] -= h;
                let fd = (loss(&mut layer(c), &xp, &w, mask.as_deref()) - loss(&mut layer(c), &xm, &w, mask.as_deref())) / (2.0 * f64::from(h));
                assert!((f64::from(dx.data()[i]) - fd).abs() < 2e-3 * (1.0 + fd.abs()), "{mask:?} dx[{i}] = {} vs {fd}", dx.data()[i]);
            }
            for (k, grad) in [(0usize, &dg), (1, &db)] {
                for j in 0..c {
                    let at = |delta: f32| {
                        let mut l = layer(c);
                        l.params_mut()[k].value.data_mut()[j] += delta;
                        loss(&mut l, &x, &w, mask.as_deref())
                    };
                    let fd = (at(h) - at(-h)) / (2.0 * f64::from(h));
                    assert!((f64::from(grad[j]) - fd).abs() < 2e-3 * (1.0 + fd.abs()), "{mask:?} param {k}[{j}] = {} vs {fd}", grad[j]);
                }
            }
        }
        // A masked row moves no statistic: changing it changes its own output only.
        let mask = vec![1., 0., 1., 1., 0., 0., 1.];
        let mut l = layer(c);
        let a = l.forward_with_mask(x.clone(), Some(mask.clone()), Mode::Replay { seed: 1, step: 1 }).unwrap();
        let mut x2 = x.clone();
        x2.data_mut()[c..2 * c].copy_from_slice(&[100.0, -100.0, 7.0]);
        let b = l.forward_with_mask(x2, Some(mask), Mode::Replay { seed: 1, step: 1 }).unwrap();
        for r in (0..n).filter(|&r| r != 1) {
            assert_eq!(a.data()[r * c..(r + 1) * c], b.data()[r * c..(r + 1) * c]);
        }
        // A mask of the wrong length is an error naming both.
        let mut l = layer(c);
        let e = l.forward_with_mask(x, Some(vec![1.0; 3]), Mode::Train { seed: 1, step: 1 }).unwrap_err().to_string();
        assert!(e.contains("the mask has 3 values for the 7 rows"), "{e}");
    }

    /// Features far from zero with a small spread (2e6 + 0, 0.5, 1, 1.5, exact in float32):
    /// the standardized values of the exact moments (mean 2e6 + 0.75, variance 0.3125), as TF.js
    /// gives; a float32 sum of the rows lost the spread and shifted every output by ~1.
    #[test]
    fn moments_of_large_offsets() {
        let mut l = BatchNorm::from_abi(&[0.9, 1e-3, 1.0, 1.0]).unwrap();
        l.build(&[1], Init::seeded(0)).unwrap();
        let x = Tensor::new("t", Shape::from([64, 1]), (0..64).map(|i| 2e6 + (i % 4) as f32 * 0.5).collect()).unwrap();
        let y = l.forward(x, Mode::Train { seed: 1, step: 1 }).unwrap();
        for (i, &v) in y.data()[..4].iter().enumerate() {
            let want = (f64::from(i as u8) * 0.5 - 0.75) / (0.3125f64 + 1e-3).sqrt();
            assert!((f64::from(v) - want).abs() < 1e-4, "row {i}: {v} vs {want}");
        }
        // The moving variance after one step: 0.9 + 0.1 · 0.3125.
        let mv = l.params()[3].value.data()[0];
        assert!((mv - 0.93125).abs() < 1e-6, "{mv}");
    }
}
