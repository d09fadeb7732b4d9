//! `prelu`: parametric ReLU with a learnable slope per unit (He et al. 2015,
//! https://arxiv.org/abs/1502.01852): `y = x` for `x > 0`, `y = α·x` otherwise.
//!
//! # Shapes
//! `x: [batch, ..., units]`, `α: [units]` (shared over all other axes; Keras `shared_axes`
//! over everything but the last). Initial α = 0.25 unless configured.
//!
//! # Backward
//! `dx = dy` where `x > 0`, else `α·dy`; `dα = Σ dy·x` over `x ≤ 0`.

use super::{no_forward, Init, Layer, Mode, Param};
use crate::activations::prelu;
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::regularizers::Regularizer;
use crate::{bail, Result, Shape, Tensor};

pub struct PRelu {
    init: WeightInit,
    reg: Option<Regularizer>,
    alpha: Option<Param>,
    x: Option<Tensor>,
}

impl PRelu {
    /// Layout: `alphaInitializer(kind, p0, p1), alphaRegularizer(l1, l2)`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<PRelu> {
        let mut r = Reader::new("prelu", p);
        Ok(PRelu { init: r.initializer("alphaInitializer")?, reg: r.regularizer()?, alpha: None, x: None })
    }
}

impl Layer for PRelu {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "prelu"
    }

    /// Any input whose last axis has alpha's channels.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.alpha.as_ref()?.value.size();
        Some(super::last_axis_resize("prelu", want, input, want))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let Some(&units) = input.last() else {
            bail!("prelu", "input must have at least one dimension per sample, got shape []");
        };
        let mut a = Tensor::zeros("prelu", Shape::from([units]))?;
        init.fill("prelu", &self.init, &mut a, units, units, 0)?;
        self.alpha = Some(Param::new("alpha", a, self.reg)?);
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let alpha = self.alpha.as_ref().ok_or_else(|| no_forward("prelu"))?;
        let mut y = Tensor::zeros("prelu", x.shape().clone())?;
        prelu::forward(x.data(), alpha.value.data(), y.data_mut());
        if mode.keeps() {
            self.x = Some(x);
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward("prelu"))?;
        let alpha = self.alpha.as_mut().ok_or_else(|| no_forward("prelu"))?;
        let mut dx = Tensor::zeros("prelu", x.shape().clone())?;
        alpha.grad_mut()?.fill(0.0);
        prelu::backward(x.data(), alpha.value.data(), dy.data(), dx.data_mut(), &mut alpha.grad);
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.alpha.iter_mut().collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.alpha.iter().collect()
    }
}
