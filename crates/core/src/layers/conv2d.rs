//! `conv2d`: a 2-D convolution layer, `y = act(conv2d(x, W) + b)`, channels last.
//!
//! # Shapes
//! `x: [batch, h, w, in]` → `y: [batch, oh, ow, filters]`; `W: [kh, kw, in, filters]`,
//! `b: [filters]` (TF.js and Keras layouts, so saved weights load as they are). The output size
//! and padding follow [`crate::ops::window`].
//!
//! # Backward
//! The convolution is an affine map of the input's patches ([`crate::ops::conv`]): `dz = dy ⊙
//! act'(z)`, then conv's rule gives `dW`, `db` and `dx`. Initializers see Keras's fans:
//! `fan_in = kh·kw·in`, `fan_out = kh·kw·filters`.

use super::{activated, activation_backward, image_batch, no_forward, Init, Layer, Mode, Param};
use crate::activations::Activation;
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::ops::{affine, conv};
use crate::ops::window::{Placement, Window};
use crate::regularizers::Regularizer;
use crate::{bail, Error, Result, Shape, Tensor};

#[derive(Clone, Debug, PartialEq)]
pub struct Conv2dConfig {
    pub filters: usize,
    pub window: Window,
    pub use_bias: bool,
    pub activation: Activation,
    pub kernel_initializer: WeightInit,
    pub bias_initializer: WeightInit,
    pub kernel_regularizer: Option<Regularizer>,
    pub bias_regularizer: Option<Regularizer>,
    /// The output's penalty `(l1·Σ|y| + l2·Σy²) / batch`, as dense's (Keras's rule).
    pub activity_regularizer: Option<Regularizer>,
}

impl Conv2dConfig {
    /// Layout: `filters, kernelSize(2), strides(2), dilationRate(2), same, useBias,
    /// activation(kind, n, params…), kernelInit(kind, p0, p1), biasInit(kind, p0, p1),
    /// kernelReg(l1, l2), biasReg(l1, l2) [, activityReg(l1, l2)]` (absent or zeros: none).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<Conv2dConfig> {
        Conv2dConfig::read("conv2d", p)
    }

    /// [`Conv2dConfig::from_abi`] for layer `op` (conv2dTranspose has the same options).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn read(op: &'static str, p: &[f32]) -> Result<Conv2dConfig> {
        let mut r = Reader::new(op, p);
        let filters = r.usize("filters")?;
        if filters == 0 {
            bail!(op, "filters must be a positive integer, got 0");
        }
        let mut cfg = Conv2dConfig {
            filters,
            window: Window::from_abi(&mut r, "kernelSize")?,
            use_bias: r.bool("useBias")?,
            activation: r.activation()?,
            kernel_initializer: r.initializer("kernelInitializer")?,
            bias_initializer: r.initializer("biasInitializer")?,
            kernel_regularizer: r.regularizer()?,
            bias_regularizer: r.regularizer()?,
            activity_regularizer: None,
        };
        cfg.activity_regularizer = match r.rest() {
            [] => None,
            &[l1, l2] => Regularizer::from_abi(l1, l2)?,
            more => bail!(op, "expected 2 activityRegularizer parameters (l1, l2) after biasRegularizer, got {}", more.len()),
        };
        Ok(cfg)
    }
}

/// A conv2d layer, or with `transposed` a conv2dTranspose layer ([`super::conv2d_transpose`]
/// holds its math): the same options, weights, activation and caches.
pub struct Conv2d {
    pub(super) cfg: Conv2dConfig,
    pub(super) transposed: bool,
    /// conv2dTranspose (and conv1dTranspose): Keras 3's output padding per axis, when given.
    pub(super) output_padding: Option<[usize; 2]>,
    /// The window placed on the input (for conv2dTranspose: on the output image, the
    /// convolution it is the adjoint of).
    pub(super) place: Option<Placement>,
    pub(super) kernel: Option<Param>,
    pub(super) bias: Option<Param>,
    /// Kept by a forward that keeps values: the input, the pre-activation and the output.
    x: Option<Tensor>,
    z: Option<Tensor>,
    y: Option<Tensor>,
    /// The activity penalty of the last forward (already over the batch size).
    activity_loss: f32,
    /// Whether the last forward fed a training loss (`Mode::fitting`): backward then adds the
    /// activity penalty's gradient (a traced or replayed output has no penalty), as dense.
    penalized: bool,
    pub(super) input_grad: bool,
}

impl Conv2d {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: Conv2dConfig) -> Conv2d {
        Conv2d { cfg, transposed: false, output_padding: None, place: None, kernel: None, bias: None, x: None, z: None, y: None, activity_loss: 0.0, penalized: false, input_grad: true }
    }

    /// The kernel `[kh, kw, a, b]` (a zero-filled bias `[filters]` with `use_bias`) with the
    /// initializers' fans `(fan_in, fan_out)`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub(super) fn make_weights(&mut self, op: &'static str, shape: [usize; 4], fans: (usize, usize), init: Init) -> Result<()> {
        let mut w = Tensor::zeros(op, Shape::new(op, &shape)?)?;
        init.fill(op, &self.cfg.kernel_initializer, &mut w, fans.0, fans.1, 0)?;
        self.kernel = Some(Param::new("kernel", w, self.cfg.kernel_regularizer)?);
        if self.cfg.use_bias {
            let mut b = Tensor::zeros(op, Shape::from([self.cfg.filters]))?;
            init.fill(op, &self.cfg.bias_initializer, &mut b, fans.0, fans.1, 1)?;
            self.bias = Some(Param::new("bias", b, self.cfg.bias_regularizer)?);
        }
        Ok(())
    }

    pub(super) fn built(&self) -> Result<(Placement, &Param)> {
        match (self.place, self.kernel.as_ref()) {
            (Some(p), Some(k)) => Ok((p, k)),
            _ => Err(Error::Internal { msg: format!("{} used before build", self.kind()) }),
        }
    }

    /// The activity penalty of the output `y` (`[batch, …]`), over the batch size (Keras).
    fn activity_penalty(&self, y: &Tensor) -> f32 {
        self.cfg.activity_regularizer.map_or(0.0, |r| r.activity_penalty(y))
    }

    /// `dy += dP/dy` for the activity penalty of the kept output `y` (a fitting forward only).
    fn add_activity_grad(&self, y: &Tensor, dy: &mut Tensor) -> Result<()> {
        if let (Some(r), true) = (self.cfg.activity_regularizer, self.penalized) {
            r.add_activity_grad(y, dy.try_data_mut(self.kind())?);
        }
        Ok(())
    }

    /// `dL/dz → dL/dx`, filling dW and db. Shared by the normal and the fused-softmax paths.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_from_z(&mut self, dz: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward(self.kind()))?;
        if self.transposed {
            return self.backward_transposed(x, dz);
        }
        let p = self.place.expect("built");
        let batch = x.dims()[0];
        let (w, dw) = self.kernel.as_mut().expect("built").value_and_grad()?;
        let db = self.bias.as_mut().map(Param::grad_mut).transpose()?;
        match conv::backward("conv2d", &p, x.data(), batch, w.data(), self.cfg.filters, dz.data(), Some(dw), db, self.input_grad)? {
            Some(dx) => Tensor::new("conv2d", x.shape().clone(), dx),
            // The first layer's input is data: the caller ignores what is returned.
            None => Ok(dz),
        }
    }
}

impl Layer for Conv2d {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        if self.transposed {
            "conv2dTranspose"
        } else {
            "conv2d"
        }
    }

    /// Any image with the kernel's input channels (other heights and widths).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let d = self.kernel.as_ref()?.value.dims();
        // conv2d [kh, kw, in, f] (conv1d's [k, in, f]); conv2dTranspose [kh, kw, f, in]
        // (conv1dTranspose's [k, f, in]).
        let want = if self.transposed { d[d.len() - 1] } else { d[d.len() - 2] };
        let op = self.kind();
        let placed = match input {
            &[.., c] if input.len() == 3 && c != want => Err(super::refit_error(op, "channels (last axis)", want, c)),
            _ if self.transposed => self.place_transposed(input).map(|(p, out)| (p, out.to_vec())),
            _ => self.cfg.window.place(op, input).map(|p| (p, vec![p.oh, p.ow, self.cfg.filters])),
        };
        Some(placed.map(|(p, out)| {
            self.place = Some(p);
            out
        }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        if self.transposed {
            return self.build_transposed(input, init);
        }
        let p = self.cfg.window.place("conv2d", input)?;
        let [kh, kw] = self.cfg.window.size;
        let f = self.cfg.filters;
        self.make_weights("conv2d", [kh, kw, p.c, f], (kh * kw * p.c, kh * kw * f), init)?;
        self.place = Some(p);
        Ok(vec![p.oh, p.ow, f])
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let op = self.kind();
        let f = self.cfg.filters;
        // Inference keeps nothing: the activation runs with the bias on the GEMM's bands.
        let fused = (!mode.keeps()).then_some(&self.cfg.activation);
        let mut z = if self.transposed {
            self.forward_transposed(&x)?
        } else {
            let (p, kernel) = self.built()?;
            let batch = image_batch(op, &x, [p.h, p.w, p.c])?;
            let z = conv::forward(op, &p, x.data(), batch, kernel.value.data(), f, self.bias.as_ref().map(|b| b.value.data()), fused)?;
            Tensor::new(op, Shape::new(op, &[batch, p.oh, p.ow, f])?, z)?
        };
        if !mode.keeps() {
            if self.transposed {
                affine::activate_after(op, fused, z.data_mut(), f)?;
            }
            // `evaluate` reports the activity penalty, as Keras does.
            self.activity_loss = self.activity_penalty(&z);
            return Ok(z);
        }
        let y = activated(op, &self.cfg.activation, &z, f)?;
        self.penalized = mode.fitting();
        self.activity_loss = self.activity_penalty(&y);
        self.x = Some(x);
        self.z = Some(z);
        self.y = Some(y.clone());
        Ok(y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let z = self.z.take().ok_or_else(|| no_forward(self.kind()))?;
        let y = self.y.take().expect("kept with z");
        self.add_activity_grad(&y, &mut dy)?;
        let dz = activation_backward(self.kind(), &self.cfg.activation, &z, &y, dy, self.cfg.filters)?;
        self.backward_from_z(dz)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.kernel.iter_mut().chain(self.bias.iter_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.kernel.iter().chain(self.bias.iter()).collect()
    }

    fn output_activation(&self) -> Option<Activation> {
        Some(self.cfg.activation)
    }

    fn activity_loss(&self) -> f32 {
        self.activity_loss
    }

    fn has_activity_regularizer(&self) -> bool {
        self.cfg.activity_regularizer.is_some()
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_pre_activation(&mut self, mut dz: Tensor) -> Result<Tensor> {
        let (z, y) = (self.z.take(), self.y.take());
        if let (Some(z), Some(y), true) = (z, y, self.penalized && self.has_activity_regularizer()) {
            // The fused loss gradient skips the activation, but the activity penalty is on its
            // output: add act'(z)·dP/dy (as dense).
            let mut dy = Tensor::zeros(self.kind(), y.shape().clone())?;
            self.add_activity_grad(&y, &mut dy)?;
            let extra = activation_backward(self.kind(), &self.cfg.activation, &z, &y, dy, self.cfg.filters)?;
            for (d, e) in dz.try_data_mut(self.kind())?.iter_mut().zip(extra.data()) {
                *d += e;
            }
        }
        self.backward_from_z(dz)
    }
}
