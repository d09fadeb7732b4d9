//! `conv2dTranspose`: a transposed 2-D convolution layer ("deconvolution"),
//! `y = act(conv2dTranspose(x, W) + b)`, channels last: the adjoint of a `conv2d` with the
//! same kernel, strides and padding, the way a convolutional decoder grows an image back. It is
//! a [`Conv2d`] with `transposed` set (the same options, weights, activation and caches); this
//! file holds what differs.
//!
//! # Shapes
//! `x: [batch, h, w, in]` → `y: [batch, oh, ow, filters]` with `oh = h·s` for `same` padding
//! and `h·s + max(k_eff − s, 0)` for `valid` (TF.js's `deconvLength`, Keras's without
//! `output_padding`; [`Window::transposed_len`]); with Keras 3's `output_padding` `op`,
//! `(h − 1)·s + k_eff − 2·pad + op` and JAX's padding ([`Window::transposed_padded`]).
//! `W: [kh, kw, filters, in]`, `b: [filters]` (TF.js and Keras layouts). Dilation as Keras 3's
//! (TF.js's layer ignores it), not with strides above 1. `conv1dTranspose` (Keras 3's
//! `Conv1DTranspose`) is this layer on `[1, steps, channels]`.
//!
//! # Forward and backward
//! [`conv::transpose_forward`] and [`conv::transpose_backward`], the functions the
//! `conv2dTranspose` tensor op and its tape rule use: for the convolution `c(y) = conv2d(y, W)`
//! from the output image to the input, the forward is `c`'s input gradient applied to `x`; the
//! backward gives `dx = c(dz)` and `dW` from `c`'s kernel gradient with `dz` as the image and
//! `x` as the output gradient. Initializers
//! see Keras's fans for the kernel's layout: `fan_in = kh·kw·filters`, `fan_out = kh·kw·in`.

use super::conv2d::{Conv2d, Conv2dConfig};
use super::{image_batch, Init, Param};
use crate::ops::window::{Placement, Window};
use crate::ops::conv;
use crate::config::Reader;
use crate::error::ints;
use crate::{bail, Error, Result, Shape, Tensor};

const OP: &str = "conv2dTranspose";

impl Conv2d {
    /// A transposed convolution layer from its ABI parameters: `hasOutputPadding,
    /// outputPadding(2), ` then conv2d's layout ([`Conv2dConfig::read`]). conv2dTranspose and
    /// conv1dTranspose (on `[1, steps, channels]`, its output padding `[0, op]`) both read it.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn transpose_from_abi(op: &'static str, p: &[f32]) -> Result<Conv2d> {
        let mut r = Reader::new(op, p);
        let given = r.bool("hasOutputPadding")?;
        let pad = [r.usize("outputPadding")?, r.usize("outputPadding")?];
        Conv2d::transpose(op, Conv2dConfig::read(op, p.get(3..).unwrap_or_default())?, given.then_some(pad))
    }

    /// A transposed convolution layer for `cfg` (the conv2d layer's options) with Keras 3's
    /// `output_padding` per axis when given (the output sizes and padding of
    /// [`Window::transposed_padded`]; without it TF.js's sizes, which are Keras's too), and
    /// Keras's rules: each output padding below its stride, and no stride above 1 with a
    /// dilation above 1 (`BaseConvTranspose`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn transpose(op: &'static str, cfg: Conv2dConfig, output_padding: Option<[usize; 2]>) -> Result<Conv2d> {
        let (s, d) = (cfg.window.strides, cfg.window.dilation);
        if let Some(o) = output_padding.filter(|o| o[0] >= s[0] || o[1] >= s[1]) {
            bail!(op, "outputPadding must be less than strides on each axis, got outputPadding {} with strides {}", ints(&o[..]), ints(&s[..]));
        }
        if s.iter().any(|&v| v > 1) && d.iter().any(|&v| v > 1) {
            bail!(op, "strides > 1 is not supported together with dilationRate > 1 (as Keras), got strides {} and dilationRate {}", ints(&s[..]), ints(&d[..]));
        }
        let mut layer = Conv2d::new(cfg);
        layer.transposed = true;
        layer.output_padding = output_padding;
        Ok(layer)
    }

    /// Builds for the per-sample input `[h, w, in]`, placing the window on the output image.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub(super) fn build_transposed(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let (p, out) = self.place_transposed(input)?;
        let [kh, kw] = self.cfg.window.size;
        let (f, c) = (self.cfg.filters, input[2]);
        self.make_weights(OP, [kh, kw, f, c], (kh * kw * f, kh * kw * c), init)?;
        self.place = Some(p);
        Ok(out.to_vec())
    }

    /// The window placed on the output image of per-sample input `[h, w, in]`, and the
    /// per-sample output shape `[oh, ow, filters]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub(super) fn place_transposed(&self, input: &[usize]) -> Result<(Placement, [usize; 3])> {
        let &[h, w, c] = input else {
            bail!(OP, "expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape {}", Shape::new(OP, input)?);
        };
        let win: Window = self.cfg.window;
        let f = self.cfg.filters;
        if let Some(op) = self.output_padding {
            // Keras's lengths and padding: the convolution from such an output need not give
            // [h, w] back by TensorFlow's rule, so the placement is made here.
            let (Some((oh, top)), Some((ow, left))) = (win.transposed_padded(0, h, op[0]), win.transposed_padded(1, w, op[1])) else {
                bail!(OP, "per-sample input [{h}, {w}, {c}] has no output with outputPadding [{}, {}] (an input needs at least one step)", op[0], op[1]);
            };
            let p = Placement { win, h: oh, w: ow, c: f, oh: h, ow: w, pad_top: top, pad_left: left };
            return Ok((p, [oh, ow, f]));
        }
        let (Some(oh), Some(ow)) = (win.transposed_len(0, h), win.transposed_len(1, w)) else {
            bail!(OP, "the output of per-sample input [{h}, {w}, {c}] with strides [{}, {}] is too large", win.strides[0], win.strides[1]);
        };
        let p = win.place(OP, &[oh, ow, f])?;
        if [p.oh, p.ow] != [h, w] {
            return Err(Error::Internal { msg: format!("conv2dTranspose: the output [{oh}, {ow}] does not convolve back to [{h}, {w}]") });
        }
        Ok((p, [oh, ow, f]))
    }

    /// `conv2dTranspose(x, W) + b` before the activation: the input gradient of the
    /// convolution from the output image, with `x` as its dL/dy.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub(super) fn forward_transposed(&self, x: &Tensor) -> Result<Tensor> {
        let (p, kernel) = self.built()?;
        // [kh, kw, filters, in] (conv1dTranspose's [k, filters, in]).
        let cin = *kernel.value.dims().last().expect("a kernel has axes");
        let batch = image_batch(OP, x, [p.oh, p.ow, cin])?;
        let z = conv::transpose_forward(OP, &p, x.data(), batch, kernel.value.data(), cin, self.bias.as_ref().map(|b| b.value.data()))?;
        Tensor::new(OP, Shape::new(OP, &[batch, p.h, p.w, self.cfg.filters])?, z)
    }

    /// `dL/dz → dL/dx` for the input `x` of the last forward, filling dW and db.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub(super) fn backward_transposed(&mut self, x: Tensor, dz: Tensor) -> Result<Tensor> {
        let p = self.place.expect("built");
        let batch = x.dims()[0];
        let (w, dw) = self.kernel.as_mut().expect("built").value_and_grad()?;
        let cin = *w.dims().last().expect("a kernel has axes");
        let db = self.bias.as_mut().map(Param::grad_mut).transpose()?;
        match conv::transpose_backward(OP, &p, x.data(), batch, w.data(), cin, dz.data(), Some(dw), db, self.input_grad)? {
            Some(dx) => Tensor::new(OP, x.shape().clone(), dx),
            // The first layer's input is data: the caller ignores what is returned.
            None => Ok(dz),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activations::Activation;
    use crate::initializers::Initializer;
    use crate::layers::{Layer, Mode};

    fn layer(filters: usize, size: [usize; 2], strides: [usize; 2], same: bool, activation: Activation) -> Conv2d {
        padded(filters, size, strides, [1, 1], same, activation, None)
    }

    fn padded(filters: usize, size: [usize; 2], strides: [usize; 2], dilation: [usize; 2], same: bool, activation: Activation, op: Option<[usize; 2]>) -> Conv2d {
        let cfg = Conv2dConfig {
            filters,
            window: Window::new(OP, size, strides, dilation, same).unwrap(),
            use_bias: true,
            activation,
            kernel_initializer: Initializer::GlorotUniform.into(),
            bias_initializer: Initializer::Zeros.into(),
            kernel_regularizer: None,
            bias_regularizer: None,
            activity_regularizer: None,
        };
        Conv2d::transpose(OP, cfg, op).unwrap()
    }

    /// Values that differ from each other and from zero, of both signs.
    fn wave(n: usize, phase: f32) -> Vec<f32> {
        (0..n).map(|i| ((i as f32 * 0.73 + phase).sin() * 0.9) + 0.05).collect()
    }

    /// The definition, in f64: every input value scatters `x·W[ki, kj, f, c]` to output row
    /// `i·s + ki·d − pad_top` and column `j·s + kj·d − pad_left`. Without an output padding,
    /// TensorFlow's padding of the convolution from the output back (`max(k_eff − s, 0)` for
    /// `same`, the smaller half before); with one, Keras 3's sizes and JAX's padding
    /// (`keras/src/backend/common/backend_utils.py`: `(n − 1)·s + k_eff − 2·⌊k_eff/2⌋ + op`
    /// for `same`, `+ k_eff + op` for `valid`, `⌊(k_eff − k_eff mod 2 − op) / 2⌋` before).
    #[allow(clippy::too_many_arguments)]
    fn reference(x: &[f32], [b, h, w, c]: [usize; 4], k: &[f32], [kh, kw]: [usize; 2], f: usize, s: [usize; 2], d: [usize; 2], same: bool, op: Option<[usize; 2]>, bias: &[f32]) -> (Vec<f64>, [usize; 2]) {
        let axis = |n: usize, k: usize, a: usize| -> (usize, usize) {
            let (ke, s) = ((k - 1) * d[a] + 1, s[a]);
            match (op, same) {
                (None, true) => (n * s, ke.saturating_sub(s) / 2),
                (None, false) => (n * s + ke.saturating_sub(s), 0),
                (Some(o), true) => ((n - 1) * s + ke % 2 + o[a], (ke - ke % 2).saturating_sub(o[a]) / 2),
                (Some(o), false) => ((n - 1) * s + ke + o[a], 0),
            }
        };
        let ((oh, pt), (ow, pl)) = (axis(h, kh, 0), axis(w, kw, 1));
        let mut y = vec![0f64; b * oh * ow * f];
        for n in 0..b {
            for i in 0..h {
                for j in 0..w {
                    for ch in 0..c {
                        let v = x[((n * h + i) * w + j) * c + ch] as f64;
                        for ki in 0..kh {
                            for kj in 0..kw {
                                let (Some(r), Some(q)) = ((i * s[0] + ki * d[0]).checked_sub(pt), (j * s[1] + kj * d[1]).checked_sub(pl)) else { continue };
                                if r >= oh || q >= ow {
                                    continue;
                                }
                                for o in 0..f {
                                    y[((n * oh + r) * ow + q) * f + o] += v * k[((ki * kw + kj) * f + o) * c + ch] as f64;
                                }
                            }
                        }
                    }
                }
            }
        }
        for row in y.chunks_mut(f) {
            for (v, &bi) in row.iter_mut().zip(bias) {
                *v += bi as f64;
            }
        }
        (y, [oh, ow])
    }

    type Case = (usize, usize, usize, usize, usize, [usize; 2], [usize; 2], [usize; 2], bool, Option<[usize; 2]>);

    /// (batch, h, w, in, filters, kernel, strides, dilation, same, output padding): strides
    /// above, below and equal to the kernel, both paddings, non-square shapes, one input
    /// channel; Keras 3's output padding 0, 1 and 2 per axis (even kernels with `same`, a
    /// stride above the kernel), dilation with stride 1.
    const CASES: [Case; 11] = [
        (2, 3, 4, 2, 3, [3, 3], [2, 2], [1, 1], false, None),
        (2, 3, 4, 2, 3, [3, 3], [2, 2], [1, 1], true, None),
        (1, 2, 3, 3, 2, [2, 3], [1, 2], [1, 1], true, None),
        (3, 2, 2, 1, 2, [1, 1], [3, 2], [1, 1], false, None),
        (1, 4, 3, 2, 1, [4, 2], [2, 3], [1, 1], true, None),
        (2, 2, 3, 2, 2, [2, 2], [2, 2], [1, 1], false, None),
        (2, 3, 5, 2, 2, [3, 3], [2, 2], [1, 1], true, Some([1, 0])),
        (1, 4, 3, 1, 2, [4, 2], [2, 3], [1, 1], true, Some([0, 2])),
        (2, 3, 2, 2, 1, [2, 3], [3, 2], [1, 1], false, Some([2, 1])),
        (1, 2, 3, 2, 2, [1, 2], [3, 3], [1, 1], true, Some([2, 1])),
        (1, 3, 4, 2, 2, [3, 2], [1, 1], [2, 3], true, Some([0, 0])),
    ];

    fn set(l: &mut Conv2d, k: &[f32], b: &[f32]) {
        l.kernel.as_mut().unwrap().value.data_mut().copy_from_slice(k);
        l.bias.as_mut().unwrap().value.data_mut().copy_from_slice(b);
    }

    #[test]
    fn forward_is_the_definition_and_shapes_follow_tfjs() {
        for (bn, h, w, c, f, ks, st, d, same, op) in CASES {
            let mut l = padded(f, ks, st, d, same, Activation::Linear { slope: 1.0, intercept: 0.0 }, op);
            let out = l.build(&[h, w, c], Init::seeded(1)).unwrap();
            let (k, b, x) = (wave(ks[0] * ks[1] * f * c, 0.3), wave(f, 1.1), wave(bn * h * w * c, 2.0));
            set(&mut l, &k, &b);
            assert_eq!(l.kernel.as_ref().unwrap().value.dims(), &[ks[0], ks[1], f, c]);
            let (want, [oh, ow]) = reference(&x, [bn, h, w, c], &k, ks, f, st, d, same, op, &b);
            assert_eq!(out, vec![oh, ow, f], "case {h}x{w} k {ks:?} s {st:?} d {d:?} same {same} op {op:?}");
            for mode in [Mode::Infer, Mode::Trace] {
                let y = l.forward(Tensor::new("t", Shape::new("t", &[bn, h, w, c]).unwrap(), x.clone()).unwrap(), mode).unwrap();
                assert_eq!(y.dims(), &[bn, oh, ow, f]);
                for (i, (&a, &e)) in y.data().iter().zip(&want).enumerate() {
                    assert!((a as f64 - e).abs() < 1e-5 * (1.0 + e.abs()), "case {h}x{w} k {ks:?} s {st:?} d {d:?} same {same} op {op:?}: y[{i}] {a} vs {e}");
                }
            }
        }
        // TF.js's deconvLength: 3 rows, kernel 3, stride 2: 7 (valid), 6 (same); kernel 1, stride 3: 9.
        let l = |k, s, same| layer(1, [k, k], [s, s], same, Activation::Linear { slope: 1.0, intercept: 0.0 });
        assert_eq!(l(3, 2, false).build(&[3, 3, 1], Init::seeded(0)).unwrap(), vec![7, 7, 1]);
        assert_eq!(l(3, 2, true).build(&[3, 3, 1], Init::seeded(0)).unwrap(), vec![6, 6, 1]);
        assert_eq!(l(1, 3, false).build(&[3, 3, 1], Init::seeded(0)).unwrap(), vec![9, 9, 1]);
    }

    /// dL/dx, dL/dW and dL/db for L = Σ g·tanh(y) against central differences of the forward.
    #[test]
    fn backward_matches_central_differences() {
        for (bn, h, w, c, f, ks, st, d, same, op) in CASES {
            let mut l = padded(f, ks, st, d, same, Activation::Tanh, op);
            let out = l.build(&[h, w, c], Init::seeded(1)).unwrap();
            let (k, b, x) = (wave(ks[0] * ks[1] * f * c, 0.3), wave(f, 1.1), wave(bn * h * w * c, 2.0));
            set(&mut l, &k, &b);
            let shape = Shape::new("t", &[bn, h, w, c]).unwrap();
            let g = wave(bn * out.iter().product::<usize>(), 0.7);
            let loss = |l: &mut Conv2d, x: &[f32]| -> f64 {
                let y = l.forward(Tensor::new("t", shape.clone(), x.to_vec()).unwrap(), Mode::Infer).unwrap();
                y.data().iter().zip(&g).map(|(&a, &b)| a as f64 * b as f64).sum()
            };
            l.forward(Tensor::new("t", shape.clone(), x.clone()).unwrap(), Mode::Trace).unwrap();
            let dx = l.backward(Tensor::new("t", Shape::new("t", &[bn, out[0], out[1], out[2]]).unwrap(), g.clone()).unwrap()).unwrap();
            let (dk, db) = (l.kernel.as_ref().unwrap().grad.clone(), l.bias.as_ref().unwrap().grad.clone());
            let close = |a: f32, fd: f64, what: &str| assert!((a as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()), "case {h}x{w} k {ks:?} s {st:?} d {d:?} same {same} op {op:?}: {what} {a} vs differences {fd}");
            let e = 1e-2f32;
            for i in 0..x.len() {
                let (mut a, mut z) = (x.clone(), x.clone());
                a[i] += e;
                z[i] -= e;
                close(dx.data()[i], (loss(&mut l, &a) - loss(&mut l, &z)) / (2.0 * e as f64), &format!("dx[{i}]"));
            }
            for i in 0..k.len() {
                let mut kk = k.clone();
                kk[i] += e;
                set(&mut l, &kk, &b);
                let up = loss(&mut l, &x);
                kk[i] -= 2.0 * e;
                set(&mut l, &kk, &b);
                close(dk[i], (up - loss(&mut l, &x)) / (2.0 * e as f64), &format!("dW[{i}]"));
            }
            set(&mut l, &k, &b);
            for i in 0..b.len() {
                let mut bb = b.clone();
                bb[i] += e;
                set(&mut l, &k, &bb);
                let up = loss(&mut l, &x);
                bb[i] -= 2.0 * e;
                set(&mut l, &k, &bb);
                close(db[i], (up - loss(&mut l, &x)) / (2.0 * e as f64), &format!("db[{i}]"));
            }
        }
    }

    #[test]
    fn refuses_keras_rules_and_other_input_ranks() {
        let mut cfg = layer(2, [3, 3], [1, 2], true, Activation::Tanh).cfg;
        cfg.window.dilation = [2, 1];
        let e = Conv2d::transpose(OP, cfg.clone(), None).err().unwrap().to_string();
        assert_eq!(e, "conv2dTranspose: strides > 1 is not supported together with dilationRate > 1 (as Keras), got strides [1, 2] and dilationRate [2, 1]");
        cfg.window.dilation = [1, 1];
        let e = Conv2d::transpose(OP, cfg, Some([1, 1])).err().unwrap().to_string();
        assert_eq!(e, "conv2dTranspose: outputPadding must be less than strides on each axis, got outputPadding [1, 1] with strides [1, 2]");
        let e = layer(2, [3, 3], [1, 1], true, Activation::Tanh).build(&[4, 4], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("[height, width, channels]"), "{e}");
    }
}
