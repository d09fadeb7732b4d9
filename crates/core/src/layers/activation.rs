//! `activation`: applies an activation function on its own, `y = f(x)` (shape preserved).
//! Softmax-like activations work over the last axis.

use super::{no_forward, Init, Layer, Mode};
use crate::activations::Activation;
use crate::{Result, Tensor};

pub struct ActivationLayer {
    act: Activation,
    x: Option<Tensor>,
    y: Option<Tensor>,
}

impl ActivationLayer {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(act: Activation) -> ActivationLayer {
        ActivationLayer { act, x: None, y: None }
    }
}

fn cols(t: &Tensor) -> usize {
    t.dims().last().copied().unwrap_or(1)
}

impl Layer for ActivationLayer {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "activation"
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let mut y = Tensor::zeros("activation", x.shape().clone())?;
        self.act.forward(x.data(), y.data_mut(), cols(&x));
        if mode.keeps() {
            self.x = Some(x);
            self.y = Some(y.clone());
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward("activation"))?;
        let y = self.y.take().ok_or_else(|| no_forward("activation"))?;
        let mut dx = Tensor::zeros("activation", x.shape().clone())?;
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
