//! `depthwiseConv2d` and `separableConv2d`: convolution layers that filter each input channel on
//! its own (channels last).
//!
//! - depthwiseConv2d: `y = act(depthwiseConv2d(x, D) + b)`.
//! - separableConv2d: `y = act(depthwiseConv2d(x, D)·P + b)`, the depthwise stage followed by a
//!   pointwise (1×1) convolution that mixes the channels: far fewer weights than a conv2d with
//!   the same window (`kh·kw·c·m + c·m·filters` against `kh·kw·c·filters`).
//!
//! # Shapes
//! `x: [batch, h, w, c]`; the depthwise kernel `D: [kh, kw, c, m]` (`m` the depth multiplier)
//! gives `c·m` channels, output channel `ch·m + j` from input channel `ch` and filter `j`. The
//! pointwise kernel `P: [1, 1, c·m, filters]`; `b: [c·m]` (depthwise) or `[filters]`
//! (separable). TF.js's and Keras's layouts, so saved weights load as they are. The output
//! size and padding follow [`crate::ops::window`], with the window's dilation (which TF.js
//! 4.22's depthwiseConv2d layer ignores; Keras 3 applies it, as here).
//!
//! # Backward
//! One rule per op: `dz = dy ⊙ act'(z)`; for separable, [`affine::backward`] on the
//! depthwise output's pixels as rows gives `dP`, `db` and the depthwise output's gradient; then
//! [`depthwise::depthwise_conv2d_backward`] gives `dD` and `dx`. Initializers see Keras's fans:
//! `kh·kw·c` and `kh·kw·m` for `D`, `c·m` and `filters` for `P`.

use super::{activated, activation_backward, image_batch, no_forward, Init, Layer, Mode, Param};
use crate::activations::Activation;
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::ops::affine;
use crate::ops::depthwise;
use crate::ops::window::{Placement, Window};
use crate::regularizers::Regularizer;
use crate::{bail, Error, Result, Shape, Tensor};

/// The pointwise stage of a separableConv2d layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Pointwise {
    pub filters: usize,
    pub initializer: WeightInit,
    pub regularizer: Option<Regularizer>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DepthwiseConv2dConfig {
    pub depth_multiplier: usize,
    pub window: Window,
    pub use_bias: bool,
    pub activation: Activation,
    pub depthwise_initializer: WeightInit,
    pub bias_initializer: WeightInit,
    pub depthwise_regularizer: Option<Regularizer>,
    pub bias_regularizer: Option<Regularizer>,
    /// `Some` for a separableConv2d layer.
    pub pointwise: Option<Pointwise>,
}

impl DepthwiseConv2dConfig {
    /// depthwiseConv2d's layout: `depthMultiplier, kernelSize(2), strides(2), dilationRate(2),
    /// same, useBias, activation(kind, n, params…), depthwiseInit(kind, p0, p1),
    /// biasInit(kind, p0, p1), depthwiseReg(l1, l2), biasReg(l1, l2)`.
    ///
    /// separableConv2d's: `filters` first, then the same with `pointwiseInit(kind, p0, p1)`
    /// after depthwiseInit and `pointwiseReg(l1, l2)` after depthwiseReg.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(separable: bool, p: &[f32]) -> Result<DepthwiseConv2dConfig> {
        let op = if separable { "separableConv2d" } else { "depthwiseConv2d" };
        let mut r = Reader::new(op, p);
        let positive = |r: &mut Reader, field: &'static str| -> Result<usize> {
            let v = r.usize(field)?;
            if v == 0 {
                bail!(op, "{field} must be a positive integer, got 0");
            }
            Ok(v)
        };
        let filters = if separable { positive(&mut r, "filters")? } else { 0 };
        let depth_multiplier = positive(&mut r, "depthMultiplier")?;
        let window = Window::from_abi(&mut r, "kernelSize")?;
        let use_bias = r.bool("useBias")?;
        let activation = r.activation()?;
        let depthwise_initializer = r.initializer("depthwiseInitializer")?;
        let pointwise_initializer = if separable { Some(r.initializer("pointwiseInitializer")?) } else { None };
        let bias_initializer = r.initializer("biasInitializer")?;
        let depthwise_regularizer = r.regularizer()?;
        let pointwise_regularizer = if separable { r.regularizer()? } else { None };
        let bias_regularizer = r.regularizer()?;
        if !r.rest().is_empty() {
            bail!(op, "config has parameters past biasRegularizer");
        }
        Ok(DepthwiseConv2dConfig {
            depth_multiplier,
            window,
            use_bias,
            activation,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            pointwise: pointwise_initializer.map(|initializer| Pointwise { filters, initializer, regularizer: pointwise_regularizer }),
        })
    }
}

/// A depthwiseConv2d layer, or with a pointwise stage a separableConv2d layer.
pub struct DepthwiseConv2d {
    cfg: DepthwiseConv2dConfig,
    place: Option<Placement>,
    depthwise: Option<Param>,
    pointwise: Option<Param>,
    bias: Option<Param>,
    /// Kept by a forward that keeps values: the input, the depthwise output (separable only),
    /// the pre-activation and the output.
    x: Option<Tensor>,
    d: Option<Tensor>,
    z: Option<Tensor>,
    y: Option<Tensor>,
    input_grad: bool,
}

impl DepthwiseConv2d {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: DepthwiseConv2dConfig) -> DepthwiseConv2d {
        DepthwiseConv2d { cfg, place: None, depthwise: None, pointwise: None, bias: None, x: None, d: None, z: None, y: None, input_grad: true }
    }

    /// The output channels: `c·m`, or the pointwise stage's filters.
    fn units(&self, p: &Placement) -> usize {
        self.cfg.pointwise.as_ref().map_or(p.c * self.cfg.depth_multiplier, |pw| pw.filters)
    }

    fn built(&self) -> Result<(Placement, &Param)> {
        match (self.place, self.depthwise.as_ref()) {
            (Some(p), Some(k)) => Ok((p, k)),
            _ => Err(Error::Internal { msg: format!("{} used before build", self.kind()) }),
        }
    }

    /// `dL/dz → dL/dx`, filling the parameters' gradients. Shared by the normal and the
    /// fused-softmax paths.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_from_z(&mut self, dz: Tensor) -> Result<Tensor> {
        let op = self.kind();
        let x = self.x.take().ok_or_else(|| no_forward(op))?;
        let (p, _) = self.built()?;
        let cm = p.c * self.cfg.depth_multiplier;
        let units = self.units(&p);
        let db = self.bias.as_mut().map(Param::grad_mut).transpose()?;
        // dL/d(depthwise output): through the pointwise stage, or dz itself.
        let dd = match self.pointwise.as_mut() {
            Some(pw) => {
                let (w, dw) = pw.value_and_grad()?;
                let d = self.d.take().ok_or_else(|| no_forward(op))?;
                let rows = d.size() / cm.max(1);
                let dd = affine::backward(op, d.data(), rows, cm, units, w.data(), dz.data(), Some(dw), db, true)?.expect("asked for");
                Tensor::new(op, d.shape().clone(), dd)?
            }
            None => {
                if let Some(db) = db {
                    affine::bias_grad(dz.data(), db);
                }
                dz
            }
        };
        let kernel = self.depthwise.as_mut().expect("built");
        let (dx, dk) = depthwise::depthwise_conv2d_backward(&x, &kernel.value, p.win, &dd, [self.input_grad, true])?;
        kernel.grad_mut()?.copy_from_slice(dk.expect("asked for").data());
        // The first layer's input is data: the caller ignores what is returned.
        Ok(dx.unwrap_or(dd))
    }
}

impl Layer for DepthwiseConv2d {
    fn kind(&self) -> &'static str {
        if self.cfg.pointwise.is_some() {
            "separableConv2d"
        } else {
            "depthwiseConv2d"
        }
    }

    /// Any image with the depthwise kernel's channels (other heights and widths).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let want = self.depthwise.as_ref()?.value.dims()[2];
        let op = self.kind();
        let p = match self.cfg.window.place(op, input) {
            Ok(p) if p.c == want => p,
            Ok(p) => return Some(Err(super::refit_error(op, "channels (last axis)", want, p.c))),
            Err(e) => return Some(Err(e)),
        };
        self.place = Some(p);
        Some(Ok(vec![p.oh, p.ow, self.units(&p)]))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let op = self.kind();
        let p = self.cfg.window.place(op, input)?;
        let [kh, kw] = self.cfg.window.size;
        let m = self.cfg.depth_multiplier;
        let Some(cm) = p.c.checked_mul(m).filter(|&v| v < 1 << 31) else {
            bail!(op, "{} input channels × depthMultiplier {m} is too many output channels", p.c);
        };
        let cfg = &self.cfg;
        let mut d = Tensor::zeros(op, Shape::new(op, &[kh, kw, p.c, m])?)?;
        let mut fans = (kh * kw * p.c, kh * kw * m);
        init.fill(op, &cfg.depthwise_initializer, &mut d, fans.0, fans.1, 0)?;
        self.depthwise = Some(Param::new("depthwise_kernel", d, cfg.depthwise_regularizer)?);
        let units = self.units(&p);
        if let Some(pw) = &self.cfg.pointwise {
            let mut w = Tensor::zeros(op, Shape::new(op, &[1, 1, cm, pw.filters])?)?;
            fans = (cm, pw.filters);
            init.fill(op, &pw.initializer, &mut w, fans.0, fans.1, 2)?;
            self.pointwise = Some(Param::new("pointwise_kernel", w, pw.regularizer)?);
        }
        if self.cfg.use_bias {
            // The fans of the kernel before it, as conv2d's and dense's biases.
            let mut b = Tensor::zeros(op, Shape::from([units]))?;
            init.fill(op, &self.cfg.bias_initializer, &mut b, fans.0, fans.1, 1)?;
            self.bias = Some(Param::new("bias", b, self.cfg.bias_regularizer)?);
        }
        self.place = Some(p);
        Ok(vec![p.oh, p.ow, units])
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let op = self.kind();
        let (p, kernel) = self.built()?;
        image_batch(op, &x, [p.h, p.w, p.c])?;
        let units = self.units(&p);
        let d = depthwise::depthwise_conv2d(&x, &kernel.value, p.win)?;
        let bias = self.bias.as_ref().map(|b| b.value.data());
        // Inference keeps nothing: the activation runs with the bias (on the GEMM's bands for
        // separable), as conv2d's.
        let fused = (!mode.keeps()).then_some(&self.cfg.activation);
        let (d, z) = match &self.pointwise {
            Some(w) => {
                let (before, after) = affine::split_activation(fused, units);
                let rows = d.size() / d.dims()[3].max(1);
                let z = affine::forward(op, d.data(), rows, d.dims()[3], units, w.value.data(), bias, before)?;
                let mut z = Tensor::new(op, Shape::new(op, &[d.dims()[0], p.oh, p.ow, units])?, z)?;
                if !mode.keeps() {
                    affine::activate_after(op, after, z.data_mut(), units)?;
                    return Ok(z);
                }
                (Some(d), z)
            }
            None => {
                let mut z = d;
                if let Some(b) = bias {
                    affine::add_bias(z.data_mut(), b);
                }
                if !mode.keeps() {
                    affine::activate_after(op, fused, z.data_mut(), units)?;
                    return Ok(z);
                }
                (None, z)
            }
        };
        let y = activated(op, &self.cfg.activation, &z, units)?;
        self.x = Some(x);
        self.d = d;
        self.z = Some(z);
        self.y = Some(y.clone());
        Ok(y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let z = self.z.take().ok_or_else(|| no_forward(self.kind()))?;
        let y = self.y.take().expect("kept with z");
        let units = *z.dims().last().expect("rank 4");
        let dz = activation_backward(self.kind(), &self.cfg.activation, &z, &y, dy, units)?;
        self.backward_from_z(dz)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.depthwise.iter_mut().chain(self.pointwise.iter_mut()).chain(self.bias.iter_mut()).collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.depthwise.iter().chain(self.pointwise.iter()).chain(self.bias.iter()).collect()
    }

    fn output_activation(&self) -> Option<Activation> {
        Some(self.cfg.activation)
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward_pre_activation(&mut self, dz: Tensor) -> Result<Tensor> {
        self.z = None;
        self.y = None;
        self.backward_from_z(dz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initializers::Initializer;
    use crate::ops::conv::conv2d;
    use crate::ops::test_util::t;

    fn config(m: usize, window: Window, act: Activation, pointwise: Option<usize>) -> DepthwiseConv2dConfig {
        DepthwiseConv2dConfig {
            depth_multiplier: m,
            window,
            use_bias: true,
            activation: act,
            depthwise_initializer: Initializer::GlorotUniform.into(),
            bias_initializer: Initializer::RandomNormal { mean: 0.0, stddev: 1.0 }.into(),
            depthwise_regularizer: None,
            bias_regularizer: None,
            pointwise: pointwise.map(|filters| Pointwise { filters, initializer: Initializer::GlorotUniform.into(), regularizer: None }),
        }
    }

    fn wave(n: usize, phase: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.37 + phase).sin() * 2.0).collect()
    }

    /// The separable layer is the depthwise op, then a 1×1 conv2d with the pointwise kernel,
    /// plus the bias, through the activation.
    #[test]
    fn separable_is_depthwise_then_pointwise() {
        let w = Window::new("t", [3, 2], [2, 1], [1, 1], true).unwrap();
        let mut l = DepthwiseConv2d::new(config(2, w, Activation::Tanh, Some(5)));
        assert_eq!(l.build(&[7, 6, 3], Init::seeded(9)).unwrap(), vec![4, 6, 5]);
        let x = t(&[2, 7, 6, 3], wave(2 * 7 * 6 * 3, 0.3));
        let y = l.forward(x.clone(), Mode::Infer).unwrap();
        let ps = l.params();
        let d = depthwise::depthwise_conv2d(&x, &ps[0].value, w).unwrap();
        let z = conv2d(&d, &ps[1].value, Window::new("t", [1, 1], [1, 1], [1, 1], false).unwrap()).unwrap();
        for (i, (&a, &zv)) in y.data().iter().zip(z.data()).enumerate() {
            let want = (zv + ps[2].value.data()[i % 5]).tanh();
            assert!((a - want).abs() < 1e-5, "{i}: {a} vs {want}");
        }
    }

    /// Every gradient (the kernels', the bias's, the input's) against central differences of
    /// `L = Σ g ⊙ y`, for both layers, with a stride, dilation and padding.
    #[test]
    fn gradients_match_central_differences() {
        for pointwise in [None, Some(3)] {
            let w = Window::new("t", [2, 3], [1, 2], [2, 1], true).unwrap();
            let mut l = DepthwiseConv2d::new(config(2, w, Activation::Sigmoid, pointwise));
            let out = l.build(&[5, 6, 2], Init::seeded(4)).unwrap();
            let x = t(&[2, 5, 6, 2], wave(120, 1.1));
            let n_out = 2 * out.iter().product::<usize>();
            let g = wave(n_out, 0.7);
            let loss = |l: &mut DepthwiseConv2d, x: &Tensor| -> f64 { l.forward(x.clone(), Mode::Infer).unwrap().data().iter().zip(&g).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum() };
            l.forward(x.clone(), Mode::Trace).unwrap();
            let dx = l.backward(t(&[2, out[0], out[1], out[2]], g.clone())).unwrap();
            let grads: Vec<Vec<f32>> = l.params().iter().map(|p| p.grad.clone()).collect();
            let h = 1e-2f32;
            for (k, grad) in grads.iter().enumerate() {
                for i in 0..grad.len() {
                    let v = l.params()[k].value.data()[i];
                    l.params_mut()[k].value.data_mut()[i] = v + h;
                    let up = loss(&mut l, &x);
                    l.params_mut()[k].value.data_mut()[i] = v - h;
                    let down = loss(&mut l, &x);
                    l.params_mut()[k].value.data_mut()[i] = v;
                    let fd = (up - down) / (2.0 * f64::from(h));
                    assert!((f64::from(grad[i]) - fd).abs() < 2e-3 * fd.abs().max(1.0), "{} param {k} [{i}]: {} vs {fd}", l.kind(), grad[i]);
                }
            }
            for i in (0..x.size()).step_by(7) {
                let mut xp = x.clone();
                xp.data_mut()[i] += h;
                let up = loss(&mut l, &xp);
                xp.data_mut()[i] -= 2.0 * h;
                let down = loss(&mut l, &xp);
                let fd = (up - down) / (2.0 * f64::from(h));
                assert!((f64::from(dx.data()[i]) - fd).abs() < 2e-3 * fd.abs().max(1.0), "{} dx[{i}]: {} vs {fd}", l.kind(), dx.data()[i]);
            }
        }
    }

    /// Inference applies the activation with the bias; a keeping forward after. Same bits.
    #[test]
    fn inference_has_the_bits_of_a_keeping_forward() {
        for act in Activation::all_defaults() {
            for pointwise in [None, Some(4)] {
                let w = Window::new("t", [3, 3], [1, 1], [1, 1], true).unwrap();
                let mut l = DepthwiseConv2d::new(config(3, w, act, pointwise));
                l.build(&[4, 5, 2], Init::seeded(2)).unwrap();
                let x = t(&[3, 4, 5, 2], wave(120, 0.2));
                let kept = l.forward(x.clone(), Mode::Trace).unwrap();
                let inferred = l.forward(x, Mode::Infer).unwrap();
                assert!(kept.data().iter().zip(inferred.data()).all(|(a, b)| a.to_bits() == b.to_bits()), "{} {}", l.kind(), act.name());
            }
        }
    }

    #[test]
    fn configs_and_inputs_that_do_not_fit_are_errors() {
        // depthwiseConv2d's layout up to the activation: m, kernelSize, strides, dilationRate, same, useBias.
        let head = [0.0, 3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0];
        let e = DepthwiseConv2dConfig::from_abi(false, &head).unwrap_err();
        assert_eq!(e.to_string(), "depthwiseConv2d: depthMultiplier must be a positive integer, got 0");
        let mut head = head;
        head[0] = 1.0;
        assert!(DepthwiseConv2dConfig::from_abi(false, &head).is_err(), "the activation and the rest are missing");
        let w = Window::new("t", [3, 3], [1, 1], [1, 1], false).unwrap();
        let mut l = DepthwiseConv2d::new(config(1, w, Activation::Relu, None));
        assert!(l.build(&[2, 2, 1], Init::seeded(1)).is_err(), "a 3×3 valid window on a 2×2 image");
        let mut l = DepthwiseConv2d::new(config(1, w, Activation::Relu, None));
        l.build(&[4, 4, 2], Init::seeded(1)).unwrap();
        let e = l.forward(Tensor::zeros("t", [1, 4, 4, 3].into()).unwrap(), Mode::Infer).unwrap_err();
        assert_eq!(e.to_string(), "depthwiseConv2d: input has shape [1,4,4,3] but the layer was built for [batch, 4, 4, 2]");
    }
}
