//! `dense`: a fully connected layer, `y = act(x·W + b)`.
//!
//! # Shapes
//! `x: [batch, ..., in]` → `y: [batch, ..., units]`; `W: [in, units]`, `b: [units]`. The layer
//! applies to the last axis (as Keras `Dense`), so rows = everything before it.
//!
//! # Backward
//! With `z = x·W + b`: `dz = dy ⊙ act'(z)`, `dW = xᵀ·dz`, `db = Σ_rows dz`, `dx = dz·Wᵀ`.
//! The transposed products run on the same packed matmul kernel as the forward one.

use super::{activated, activation_backward, rows_cols, Init, Layer, Mode, Param};
use crate::activations::Activation;
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::ops::affine;
use crate::regularizers::{KlSparsity, Regularizer};
use crate::{bail, Error, Result, Shape, Tensor};

#[derive(Clone, Debug, PartialEq)]
pub struct DenseConfig {
    pub units: usize,
    pub activation: Activation,
    pub use_bias: bool,
    pub kernel_initializer: WeightInit,
    pub bias_initializer: WeightInit,
    pub kernel_regularizer: Option<Regularizer>,
    pub bias_regularizer: Option<Regularizer>,
    pub activity_regularizer: Option<Regularizer>,
    /// The `klSparsity` activity regularizer (only on an activation with values in [0, 1]).
    pub kl_sparsity: Option<KlSparsity>,
}

impl DenseConfig {
    /// Layout: `units, useBias, activation(kind, n, params…), kernelInit(kind, p0, p1),
    /// biasInit(kind, p0, p1), kernelReg(l1, l2), biasReg(l1, l2), activityReg(l1, l2)
    /// [, klSparsity(target, weight)]` (weight 0 or absent: none).
    ///
    /// `klSparsity` needs unit activations in (0, 1): the activation must be `sigmoid`,
    /// `hardSigmoid` or `softmax`; any other is an error (relu, linear, tanh… can leave [0, 1]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<DenseConfig> {
        let mut r = Reader::new("dense", p);
        let units = r.usize("units")?;
        if units == 0 {
            bail!("dense", "units must be a positive integer, got 0");
        }
        let mut cfg = DenseConfig {
            units,
            use_bias: r.bool("useBias")?,
            activation: r.activation()?,
            kernel_initializer: r.initializer("kernelInitializer")?,
            bias_initializer: r.initializer("biasInitializer")?,
            kernel_regularizer: r.regularizer()?,
            bias_regularizer: r.regularizer()?,
            activity_regularizer: r.regularizer()?,
            kl_sparsity: None,
        };
        cfg.kl_sparsity = match r.rest() {
            [] => None,
            &[target, weight] => KlSparsity::from_abi(target, weight)?,
            more => bail!("dense", "expected 2 klSparsity parameters (target, weight) at the end, got {}", more.len()),
        };
        if cfg.kl_sparsity.is_some() && !matches!(cfg.activation, Activation::Sigmoid | Activation::HardSigmoid | Activation::Softmax) {
            bail!(
                "dense",
                "activityRegularizer klSparsity needs activations in (0, 1), but the activation is {}; use 'sigmoid', 'hardSigmoid' or 'softmax'",
                cfg.activation.name()
            );
        }
        Ok(cfg)
    }
}

pub struct Dense {
    cfg: DenseConfig,
    kernel: Option<Param>,
    bias: Option<Param>,
    /// Saved by a training forward: the input, the pre-activation and the output.
    x: Option<Tensor>,
    z: Option<Tensor>,
    y: Option<Tensor>,
    activity_loss: f32,
    /// Whether the last forward kept values for a training loss (`Mode::fitting`): backward
    /// then adds the activity penalties' gradients. A traced or replayed forward (the gradient
    /// tape's) differentiates the output alone, which has no penalty.
    penalized: bool,
    /// Whether backward computes `dL/dx` (off for the first layer while training).
    input_grad: bool,
}

impl Dense {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: DenseConfig) -> Dense {
        Dense { cfg, kernel: None, bias: None, x: None, z: None, y: None, activity_loss: 0.0, penalized: false, input_grad: true }
    }

    fn kernel(&self) -> Result<&Param> {
        self.kernel.as_ref().ok_or_else(|| Error::Internal { msg: "dense used before build".into() })
    }

    /// `dL/dz → dL/dx`, filling dW and db. Shared by the normal and the fused-softmax paths.
    pub fn backward_from_z(&mut self, dz: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| Error::Internal { msg: "dense backward without a training forward".into() })?;
        let (rows, inp) = rows_cols(&x);
        let units = self.cfg.units;
        let (w, dw) = self.kernel.as_mut().expect("built").value_and_grad()?;
        let db = self.bias.as_mut().map(Param::grad_mut).transpose()?;
        // NOTE: the first layer's input is data; skipping dx saves a third of the backward
        // FLOPs of a typical MLP. The caller then ignores what is returned.
        match affine::backward("dense", x.data(), rows, inp, units, w.data(), dz.data(), Some(dw), db, self.input_grad)? {
            Some(dx) => Tensor::new("dense", x.shape().clone(), dx),
            None => Ok(dz),
        }
    }
}

impl Dense {
    /// The activity penalties of output `y`: the norm regularizer (over the batch size) plus
    /// the KL sparsity (already a batch mean).
    fn activity_penalty(&self, y: &Tensor) -> f32 {
        let norm = self.cfg.activity_regularizer.map_or(0.0, |r| r.activity_penalty(y));
        norm + self.cfg.kl_sparsity.map_or(0.0, |k| k.penalty(y.data(), self.cfg.units))
    }

    /// `dy += dP/dy` for both activity penalties of the kept output `y` (a fitting forward
    /// only). Shared by the normal and the fused-loss backward paths.
    fn add_activity_grads(&self, y: &Tensor, dy: &mut Tensor) -> Result<()> {
        if !self.penalized {
            return Ok(());
        }
        if let Some(r) = self.cfg.activity_regularizer {
            r.add_activity_grad(y, dy.try_data_mut("dense")?);
        }
        if let Some(k) = self.cfg.kl_sparsity {
            k.add_grad(y.data(), self.cfg.units, dy.try_data_mut("dense")?);
        }
        Ok(())
    }
}

impl Layer for Dense {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "dense"
    }

    /// Any input whose last axis has the kernel's input features (`[t, d]` at another `t`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.kernel.as_ref()?.value.dims()[0];
        Some(super::last_axis_resize("dense", want, input, self.cfg.units))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let Some(&inp) = input.last() else {
            bail!("dense", "input must have at least one dimension per sample, got shape []");
        };
        let units = self.cfg.units;
        let mut w = Tensor::zeros("dense", Shape::new("dense", &[inp, units])?)?;
        init.fill("dense", &self.cfg.kernel_initializer, &mut w, inp, units, 0)?;
        self.kernel = Some(Param::new("kernel", w, self.cfg.kernel_regularizer)?);
        if self.cfg.use_bias {
            let mut b = Tensor::zeros("dense", Shape::from([units]))?;
            init.fill("dense", &self.cfg.bias_initializer, &mut b, inp, units, 1)?;
            self.bias = Some(Param::new("bias", b, self.cfg.bias_regularizer)?);
        }
        let mut out = input.to_vec();
        *out.last_mut().expect("non-empty") = units;
        Ok(out)
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let (rows, inp) = rows_cols(&x);
        let kernel = self.kernel()?;
        let units = self.cfg.units;
        if inp != kernel.value.dims()[0] {
            bail!("dense", "input has {inp} features on its last axis but the layer was built for {} (input shape {})", kernel.value.dims()[0], x.shape());
        }
        let mut out_dims = x.dims().to_vec();
        *out_dims.last_mut().expect("rank >= 1") = units;
        // Inference keeps nothing: the activation runs with the bias on the GEMM's bands.
        let fused = (!mode.keeps()).then_some(&self.cfg.activation);
        let z = affine::forward("dense", x.data(), rows, inp, units, kernel.value.data(), self.bias.as_ref().map(|b| b.value.data()), fused)?;
        let z = Tensor::new("dense", Shape::new("dense", &out_dims)?, z)?;
        if !mode.keeps() {
            // `evaluate` reports the activity penalty, as Keras does.
            if self.has_activity_regularizer() {
                self.activity_loss = self.activity_penalty(&z);
            }
            return Ok(z);
        }
        let y = activated("dense", &self.cfg.activation, &z, units)?;
        self.penalized = mode.fitting();
        if self.has_activity_regularizer() {
            self.activity_loss = self.activity_penalty(&y);
        }
        self.x = Some(x);
        self.z = Some(z);
        self.y = Some(y.clone());
        Ok(y)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let z = self.z.take().ok_or_else(|| Error::Internal { msg: "dense backward without a training forward".into() })?;
        let y = self.y.take().expect("saved with z");
        self.add_activity_grads(&y, &mut dy)?;
        let dz = activation_backward("dense", &self.cfg.activation, &z, &y, dy, self.cfg.units)?;
        self.backward_from_z(dz)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.kernel.iter_mut().chain(self.bias.iter_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.kernel.iter().chain(self.bias.iter()).collect()
    }

    fn activity_loss(&self) -> f32 {
        self.activity_loss
    }

    fn has_activity_regularizer(&self) -> bool {
        self.cfg.activity_regularizer.is_some() || self.cfg.kl_sparsity.is_some()
    }

    fn output_activation(&self) -> Option<Activation> {
        Some(self.cfg.activation)
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
    }

    fn backward_pre_activation(&mut self, mut dz: Tensor) -> Result<Tensor> {
        let (z, y) = (self.z.take(), self.y.take());
        if self.penalized && self.has_activity_regularizer() {
            // The fused loss gradient skips the activation, but the activity penalty is on
            // its output: add act'(z)·dP/dy.
            let (z, y) = z.zip(y).ok_or_else(|| Error::Internal { msg: "dense backward without a training forward".into() })?;
            let mut dy = Tensor::zeros("dense", y.shape().clone())?;
            self.add_activity_grads(&y, &mut dy)?;
            let extra = activation_backward("dense", &self.cfg.activation, &z, &y, dy, self.cfg.units)?;
            for (d, e) in dz.try_data_mut("dense")?.iter_mut().zip(extra.data()) {
                *d += e;
            }
        }
        self.backward_from_z(dz)
    }
}
