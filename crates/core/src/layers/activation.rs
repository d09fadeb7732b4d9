//! `activation`: applies an activation function on its own, `y = f(x)` (shape preserved).
//! Softmax-like activations work over the last axis.
//!
//! `rescaling` (TF.js 4.x's and Keras 3's `Rescaling`, `y = x·scale + offset`) is this layer with
//! the `linear` activation of slope `scale` and intercept `offset`: its rule, `dx = scale·dy`.

use super::{no_forward, Init, Layer, Mode};
use crate::activations::Activation;
use crate::{Result, Tensor};

pub struct ActivationLayer {
    kind: &'static str,
    act: Activation,
    x: Option<Tensor>,
    y: Option<Tensor>,
}

impl ActivationLayer {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(act: Activation) -> ActivationLayer {
        ActivationLayer { kind: "activation", act, x: None, y: None }
    }

    /// `rescaling`: `x·scale + offset`. Layout: `scale, offset` (finite numbers).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn rescaling(p: &[f32]) -> Result<ActivationLayer> {
        let mut r = crate::config::Reader::new("rescaling", p);
        let (slope, intercept) = (r.finite("scale")?, r.finite("offset")?);
        Ok(ActivationLayer { kind: "rescaling", act: Activation::Linear { slope, intercept }, x: None, y: None })
    }
}

fn cols(t: &Tensor) -> usize {
    t.dims().last().copied().unwrap_or(1)
}

impl Layer for ActivationLayer {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        self.kind
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let mut y = Tensor::zeros(self.kind, x.shape().clone())?;
        self.act.forward(x.data(), y.data_mut(), cols(&x));
        if mode.keeps() {
            self.x = Some(x);
            self.y = Some(y.clone());
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward(self.kind))?;
        let y = self.y.take().ok_or_else(|| no_forward(self.kind))?;
        let mut dx = Tensor::zeros(self.kind, x.shape().clone())?;
        self.act.backward(x.data(), y.data(), dy.data(), dx.data_mut(), cols(&x));
        Ok(dx)
    }

    fn output_activation(&self) -> Option<Activation> {
        Some(self.act)
    }

    fn backward_pre_activation(&mut self, dz: Tensor) -> Result<Tensor> {
        self.x = None;
        self.y = None;
        Ok(dz)
    }
}
