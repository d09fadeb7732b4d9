//! `batchNormalization` (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167) over the last
//! axis, with Keras defaults (momentum 0.99, epsilon 1e-3, center and scale on).
//!
//! Training: per feature `μ, σ²` over all other axes (the N rows), `x̂ = (x − μ)/√(σ² + ε)`,
//! `y = γ·x̂ + β`; the moving statistics follow `m ← m·momentum + μ·(1 − momentum)`.
//! Inference uses the moving statistics.
//!
//! # Backward (per feature, N rows, `s = 1/√(σ² + ε)`)
//! `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = (γ·s/N)·(N·dy − Σdy − x̂·Σ(dy·x̂))`.

use crate::tensor::{collect_n, try_vec};

const OP: &str = "batchNormalization";
use super::{no_forward, rows_cols, values_or, Domain, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::{bail, Result, Shape, Tensor};
use crate::error::js_number;

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
}

impl BatchNorm {
    /// `dβ = Σ dy` and `dγ = Σ dy·x̂` over the batch, into the parameters' gradients (when the
    /// layer has them) and returned.
    fn affine_grads(&mut self, dy: &Tensor, xhat: &Tensor, c: usize) -> Result<(Vec<f32>, Vec<f32>)> {
        let mut sum_dy = try_vec(OP, c, 0.0f32)?;
        let mut sum_dy_xhat = try_vec(OP, c, 0.0f32)?;
        for (d, h) in dy.data().chunks_exact(c).zip(xhat.data().chunks_exact(c)) {
            for j in 0..c {
                sum_dy[j] += d[j];
                sum_dy_xhat[j] += d[j] * h[j];
            }
        }
        if let Some(b) = self.beta.as_mut() {
            b.grad.copy_from_slice(&sum_dy);
        }
        if let Some(g) = self.gamma.as_mut() {
            g.grad.copy_from_slice(&sum_dy_xhat);
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
            bail!("batchNormalization", "momentum must be in [0, 1], got {momentum}", momentum = js_number(momentum));
        }
        if epsilon <= 0.0 {
            bail!("batchNormalization", "epsilon must be > 0, got {epsilon}", epsilon = js_number(epsilon));
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
        })
    }
}

impl Layer for BatchNorm {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "batchNormalization"
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
        self.moving_mean = Some(Param::state("movingMean", v(0.0)?));
        self.moving_var = Some(Param::state("movingVariance", v(1.0)?).within(Domain::NonNegative));
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
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
            if mode.keeps() {
                // Traced: keep x̂ = (x − moving μ)/√(moving σ²+ε) for γ's gradient.
                let mut xhat = x.clone();
                for row in xhat.try_data_mut(OP)?.chunks_exact_mut(c) {
                    for j in 0..c {
                        row[j] = (row[j] - mm.value.data()[j]) * inv[j];
                    }
                }
                self.xhat = Some(xhat);
            }
            for row in x.try_data_mut(OP)?.chunks_exact_mut(c) {
                for j in 0..c {
                    row[j] = gamma[j] * (row[j] - mm.value.data()[j]) * inv[j] + beta[j];
                }
            }
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
        let mut mean = try_vec(OP, c, 0.0f32)?;
        let mut var = try_vec(OP, c, 0.0f32)?;
        for row in x.data().chunks_exact(c) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= rows as f32);
        for row in x.data().chunks_exact(c) {
            for j in 0..c {
                var[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
        }
        var.iter_mut().for_each(|v| *v /= rows as f32);
        self.inv_std = collect_n(OP, c, var.iter().map(|v| 1.0 / (v + self.epsilon).sqrt()))?;
        let mut xhat = Tensor::zeros(OP, x.shape().clone())?;
        for (row, hrow) in x.try_data_mut(OP)?.chunks_exact_mut(c).zip(xhat.data_mut().chunks_exact_mut(c)) {
            for j in 0..c {
                let h = (row[j] - mean[j]) * self.inv_std[j];
                hrow[j] = h;
                row[j] = gamma[j] * h + beta[j];
            }
        }
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
            for row in dy.try_data_mut(OP)?.chunks_exact_mut(c.max(1)) {
                for (j, d) in row.iter_mut().enumerate() {
                    *d *= gamma[j] * self.inv_std[j];
                }
            }
            return Ok(dy);
        }
        let xhat = self.xhat.take().ok_or_else(|| no_forward("batchNormalization"))?;
        let (rows, c) = rows_cols(&xhat);
        let (sum_dy, sum_dy_xhat) = self.affine_grads(&dy, &xhat, c)?;
        let gamma = values_or(OP, &self.gamma, c, 1.0)?;
        let n = rows as f32;
        let mut dx = Tensor::zeros("batchNormalization", xhat.shape().clone())?;
        for ((o, d), h) in dx.data_mut().chunks_exact_mut(c).zip(dy.data().chunks_exact(c)).zip(xhat.data().chunks_exact(c)) {
            for j in 0..c {
                o[j] = gamma[j] * self.inv_std[j] / n * (n * d[j] - sum_dy[j] - h[j] * sum_dy_xhat[j]);
            }
        }
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        [&mut self.gamma, &mut self.beta, &mut self.moving_mean, &mut self.moving_var].into_iter().filter_map(|p| p.as_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        [&self.gamma, &self.beta, &self.moving_mean, &self.moving_var].into_iter().filter_map(|p| p.as_ref()).collect()
    }
}
