//! `layerNormalization` (Ba et al. 2016, https://arxiv.org/abs/1607.06450) over the last axis,
//! Keras defaults (epsilon 1e-3, center and scale on). The same in training and inference.
//!
//! Per row of C features: `x̂ = (x − μ)/√(σ² + ε)`, `y = γ·x̂ + β`.
//!
//! # Backward (per row, `g = dy·γ`, `s = 1/√(σ² + ε)`)
//! `dx = (s/C)·(C·g − Σg − x̂·Σ(g·x̂))`, `dγ = Σ_rows dy·x̂`, `dβ = Σ_rows dy`.

use crate::tensor::try_vec;

const OP: &str = "layerNormalization";
use super::{no_forward, rows_cols, values_or, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::{bail, Result, Shape, Tensor};

pub struct LayerNorm {
    epsilon: f32,
    center: bool,
    scale: bool,
    gamma: Option<Param>,
    beta: Option<Param>,
    xhat: Option<Tensor>,
    inv_std: Vec<f32>,
}

impl LayerNorm {
    /// Layout: `epsilon, center, scale`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<LayerNorm> {
        let mut r = Reader::new("layerNormalization", p);
        let epsilon = r.finite("epsilon")?;
        if epsilon <= 0.0 {
            return Err(super::out_of_range("layerNormalization", "epsilon", "> 0", epsilon));
        }
        Ok(LayerNorm { epsilon, center: r.bool("center")?, scale: r.bool("scale")?, gamma: None, beta: None, xhat: None, inv_std: Vec::new() })
    }
}

impl Layer for LayerNorm {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "layerNormalization"
    }

    /// Any input whose last axis has γ's and β's features (any input without either).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let Some(want) = self.gamma.as_ref().or(self.beta.as_ref()).map(|p| p.value.size()) else {
            return Some(self.build(input, Init { seed: 0, fill: false }));
        };
        Some(super::last_axis_resize(OP, want, input, want))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let Some(&c) = input.last() else {
            bail!("layerNormalization", "input must have at least one dimension per sample, got shape []");
        };
        if self.scale {
            self.gamma = Some(Param::new("gamma", Tensor::full("layerNormalization", Shape::from([c]), 1.0)?, None)?);
        }
        if self.center {
            self.beta = Some(Param::new("beta", Tensor::zeros("layerNormalization", Shape::from([c]))?, None)?);
        }
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        let (rows, c) = rows_cols(&x);
        let gamma = values_or(OP, &self.gamma, c, 1.0)?;
        let beta = values_or(OP, &self.beta, c, 0.0)?;
        let mut xhat = if mode.keeps() { Some(Tensor::zeros(OP, x.shape().clone())?) } else { None };
        self.inv_std.clear();
        if mode.keeps() {
            self.inv_std.try_reserve_exact(rows).map_err(|_| crate::Error::OutOfMemory { op: OP, bytes: rows as u64 * 4 })?;
        }
        for (r, row) in x.try_data_mut(OP)?.chunks_exact_mut(c).enumerate() {
            // In f64: a float32 sum of values far from zero with a small spread (2e6 ± 0.5)
            // lost the spread, and the output was off by about one standard deviation.
            let mean = (row.iter().map(|&v| f64::from(v)).sum::<f64>() / c as f64) as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / c as f32;
            let s = 1.0 / (var + self.epsilon).sqrt();
            for j in 0..c {
                let h = (row[j] - mean) * s;
                if let Some(xh) = xhat.as_mut() {
                    xh.data_mut()[r * c + j] = h;
                }
                row[j] = gamma[j] * h + beta[j];
            }
            if mode.keeps() {
                self.inv_std.push(s);
            }
        }
        debug_assert!(!mode.keeps() || self.inv_std.len() == rows);
        self.xhat = xhat;
        Ok(x)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let xhat = self.xhat.take().ok_or_else(|| no_forward("layerNormalization"))?;
        let (_, c) = rows_cols(&xhat);
        let gamma = values_or(OP, &self.gamma, c, 1.0)?;
        let mut dgamma = try_vec(OP, c, 0.0f32)?;
        let mut dbeta = try_vec(OP, c, 0.0f32)?;
        let mut dx = Tensor::zeros("layerNormalization", xhat.shape().clone())?;
        let n = c as f32;
        for (((o, d), h), &s) in dx.data_mut().chunks_exact_mut(c).zip(dy.data().chunks_exact(c)).zip(xhat.data().chunks_exact(c)).zip(&self.inv_std) {
            let (mut sg, mut sgh) = (0.0f32, 0.0f32);
            for j in 0..c {
                let g = d[j] * gamma[j];
                sg += g;
                sgh += g * h[j];
                dgamma[j] += d[j] * h[j];
                dbeta[j] += d[j];
            }
            for j in 0..c {
                o[j] = s / n * (n * d[j] * gamma[j] - sg - h[j] * sgh);
            }
        }
        if let Some(g) = self.gamma.as_mut() {
            g.grad_mut()?.copy_from_slice(&dgamma);
        }
        if let Some(b) = self.beta.as_mut() {
            b.grad_mut()?.copy_from_slice(&dbeta);
        }
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        [&mut self.gamma, &mut self.beta].into_iter().filter_map(|p| p.as_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        [&self.gamma, &self.beta].into_iter().filter_map(|p| p.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row of 2e6 + 0, 0.5, 1, 1.5 repeated (exact in float32): the standardized values of
    /// the exact moments, as TF.js gives (a float32 sum lost the spread).
    #[test]
    fn moments_of_large_offsets() {
        for c in [64, 1024] {
            let mut l = LayerNorm::from_abi(&[1e-3, 1.0, 1.0]).unwrap();
            l.build(&[c], Init { seed: 0, fill: true }).unwrap();
            let x = Tensor::new("t", Shape::from([1, c]), (0..c).map(|i| 2e6 + (i % 4) as f32 * 0.5).collect()).unwrap();
            let y = l.forward(x, Mode::Infer).unwrap();
            for (i, &v) in y.data()[..4].iter().enumerate() {
                let want = (f64::from(i as u8) * 0.5 - 0.75) / (0.3125f64 + 1e-3).sqrt();
                assert!((f64::from(v) - want).abs() < 1e-4, "{c} features, value {i}: {v} vs {want}");
            }
        }
    }
}
