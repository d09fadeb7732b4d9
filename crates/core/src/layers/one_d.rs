//! The 1-D layers (TF.js `conv1d`, `maxPooling1d`, `averagePooling1d`, `globalMaxPooling1d`,
//! `globalAveragePooling1d`): the 2-D layer run on each sample `[steps, channels]` seen as an
//! image one row high, `[1, steps, channels]` (a reshape, no copy), so the kernels, the backward
//! rules and the tape are the 2-D layers'. TF.js's conv1d kernel `[k, in, filters]` is the 2-D
//! kernel `[1, k, in, filters]` with the same values in the same order.
//!
//! `conv1dTranspose` (Keras 3's `Conv1DTranspose`; TF.js has none) is conv2dTranspose's layer
//! the same way, with Keras's dilation and `output_padding` along the steps
//! ([`super::conv2d::Conv2d::transpose`]); its kernel `[k, filters, in]` is Keras's.
//!
//! `upSampling1d`, `zeroPadding1d` and `cropping1d` (Keras 3's `UpSampling1D`, `ZeroPadding1D`
//! and `Cropping1D`; TF.js has none) are upSampling2d (size `[1, size]`, exact repeats: see
//! `up_sampling.rs`), zeroPadding2d and cropping2d (`[[0, 0], [start, end]]`) the same way. As
//! in Keras 3, none of them takes a mask (Keras drops it with a warning; neurite refuses it at
//! build, as every layer that does not support masking).
//!
//! `causal` padding (conv1d) puts `(k − 1)·dilation` zero steps before the first, so output `t`
//! sees inputs up to `t` only (WaveNet); backward drops their gradient.
//!
//! ```
//! use neurite_core::layers::{from_abi, Init, Mode};
//! use neurite_core::Tensor;
//! // maxPooling1d, pool 2: [1, 4, 1] → [1, 2, 1].
//! let l = from_abi(29, &[1., 2., 1., 2., 1., 1., 0.], 0).unwrap();
//! assert_eq!(l.borrow_mut().build(&[4, 1], Init::seeded(0)).unwrap(), vec![2, 1]);
//! let x = Tensor::new("doc", [1, 4, 1].into(), vec![1., 5., 2., 0.]).unwrap();
//! assert_eq!(l.borrow_mut().forward(x, Mode::Infer).unwrap().data(), &[5., 2.]);
//! ```

use super::{Init, Layer, Mode, Param};
use crate::activations::Activation;
use crate::ops::window::Window;
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};

pub struct OneD {
    kind: &'static str,
    inner: Box<dyn Layer>,
    /// Zero steps added before the first (conv1d's `causal` padding).
    causal: usize,
    /// Whether the inner layer's output is a sequence (`[1, steps, c]`) or a vector (global).
    sequence: bool,
    input_grad: bool,
    /// The inner layer's window (its columns are the steps), to say in 1-D terms when a
    /// sequence is too short for it; `None` for a global pooling.
    window: Option<Window>,
    /// The mask and step count of the last masked forward that kept values (its backward's).
    masked: Option<(Vec<f32>, usize)>,
}

impl OneD {
    pub fn new(kind: &'static str, inner: Box<dyn Layer>, causal: usize, window: Option<Window>) -> OneD {
        OneD { kind, inner, causal, sequence: true, input_grad: true, window, masked: None }
    }

    /// Checks that `n` steps fit the window with `valid` padding (causal padding always fits),
    /// naming the option that sets it and the length it needs: a conv1d's kernelSize (and
    /// dilationRate), a pooling's poolSize.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    fn fits(&self, n: usize, c: usize) -> Result<()> {
        let Some(w) = self.window.filter(|w| !w.same && self.causal == 0) else { return Ok(()) };
        let need = w.extent(1);
        if n >= need {
            return Ok(());
        }
        let conv = self.kind == "conv1d";
        let (option, fix) = if conv { ("kernelSize", "padding 'same' or 'causal'") } else { ("poolSize", "padding 'same'") };
        let dilated = if w.dilation[1] > 1 { format!(" at dilationRate {}", w.dilation[1]) } else { String::new() };
        bail_shape!(
            self.kind,
            "{option} {}{dilated} needs sequences of at least {need} steps with padding 'valid', got {n} (per-sample input [{n}, {c}]); use {fix}, a smaller {option} or longer sequences",
            w.size[1]
        );
    }

    /// `x` `[b, steps, c]` as `[b, 1, causal + steps, c]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn as_image(&self, x: Tensor) -> Result<Tensor> {
        let d = x.dims();
        if d.len() != 3 {
            bail_shape!(self.kind, "expected input of shape [batch, steps, channels], got {}", x.shape());
        }
        let (b, n, c) = (d[0], d[1], d[2]);
        let shape = Shape::new(self.kind, &[b, 1, n + self.causal, c])?;
        if self.causal == 0 {
            return Ok(x.with_shape(shape));
        }
        let mut out = Tensor::zeros(self.kind, shape)?;
        let (row, pad) = (n * c, self.causal * c);
        for (o, i) in out.data_mut().chunks_exact_mut(row + pad).zip(x.data().chunks_exact(row.max(1))) {
            o[pad..].copy_from_slice(&i[..row]);
        }
        Ok(out)
    }

    /// The inner layer's output `[b, 1, steps, f]` as `[b, steps, f]`.
    fn from_image(&self, y: Tensor) -> Result<Tensor> {
        if !self.sequence {
            return Ok(y);
        }
        let d = y.dims().to_vec();
        Ok(y.with_shape(Shape::new(self.kind, &[d[0], d[2], d[3]])?))
    }

    /// `dL/dy` `[b, steps, f]` as the inner layer's `[b, 1, steps, f]`.
    fn dy_image(&self, dy: Tensor) -> Result<Tensor> {
        if !self.sequence {
            return Ok(dy);
        }
        let d = dy.dims().to_vec();
        if d.len() != 3 {
            return Err(Error::Internal { msg: format!("{}: dy has shape {}", self.kind, dy.shape()) });
        }
        Ok(dy.with_shape(Shape::new(self.kind, &[d[0], 1, d[1], d[2]])?))
    }

    /// The inner layer's `dL/dx` `[b, 1, causal + steps, c]` as `[b, steps, c]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn dx_steps(&self, dx: Tensor) -> Result<Tensor> {
        if !self.input_grad {
            return Ok(dx); // the caller ignores it (see Layer::set_input_grad)
        }
        let d = dx.dims().to_vec();
        let (b, n, c) = (d[0], d[2] - self.causal, d[3]);
        let shape = Shape::new(self.kind, &[b, n, c])?;
        if self.causal == 0 {
            return Ok(dx.with_shape(shape));
        }
        let (row, pad) = (n * c, self.causal * c);
        let mut v = Vec::with_capacity(b * row);
        for r in dx.data().chunks_exact((row + pad).max(1)) {
            v.extend_from_slice(&r[pad..]);
        }
        Tensor::new(self.kind, shape, v)
    }
}

impl Layer for OneD {
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The inner layer set for `[1, steps, channels]`: a conv1d at other lengths, a pooling
    /// at any shape.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let &[n, c] = input else {
            return Some(Err(crate::Error::shape(self.kind, format!("expects per-sample inputs of shape [steps, channels], got {}", Shape::from(input)))));
        };
        if let Err(e) = self.fits(n, c) {
            return Some(Err(e));
        }
        let out = match self.inner.resize(&[1, n + self.causal, c])? {
            Ok(out) => out,
            Err(e) => return Some(Err(e.within(self.kind, "each sample as an image one row high"))),
        };
        Some(Ok(if self.sequence { out[1..].to_vec() } else { out }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let &[n, c] = input else {
            bail!(self.kind, "expects per-sample inputs of shape [steps, channels], got {}", crate::error::ints(input));
        };
        self.fits(n, c)?;
        let out = self.inner.build(&[1, n + self.causal, c], init).map_err(|e| e.within(self.kind, "each sample as an image one row high"))?;
        // TF.js's conv1d kernel: [k, in, filters], the 2-D kernel without its leading 1.
        for p in self.inner.params_mut() {
            if p.name == "kernel" {
                let d = p.value.dims()[1..].to_vec();
                p.value = p.value.clone().with_shape(Shape::new(self.kind, &d)?);
            }
        }
        self.sequence = out.len() == 3;
        Ok(if self.sequence { out[1..].to_vec() } else { out })
    }

    fn masking(&self) -> super::Masking {
        if self.kind == "globalAveragePooling1d" { super::Masking::Consume } else { super::Masking::Refuse }
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        self.forward_with_mask(x, None, mode)
    }

    /// `globalAveragePooling1d` with a mask of the steps: the average over the kept ones.
    fn forward_with_mask(&mut self, x: Tensor, mask: Option<Vec<f32>>, mode: Mode) -> Result<Tensor> {
        self.masked = None;
        if let Some(m) = mask {
            let (y, t) = masked_average(self.kind, &x, &m)?;
            if mode.keeps() {
                self.masked = Some((m, t));
            }
            return Ok(y);
        }
        let img = self.as_image(x)?;
        let y = self.inner.forward(img, mode)?;
        self.from_image(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        if let Some((m, t)) = self.masked.take() {
            return masked_average_backward(self.kind, &dy, &m, t);
        }
        let dy = self.dy_image(dy)?;
        let dx = self.inner.backward(dy)?;
        self.dx_steps(dx)
    }

    fn backward_pre_activation(&mut self, dz: Tensor) -> Result<Tensor> {
        let dz = self.dy_image(dz)?;
        let dx = self.inner.backward_pre_activation(dz)?;
        self.dx_steps(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.inner.params_mut()
    }

    fn params(&self) -> Vec<&Param> {
        self.inner.params()
    }

    fn output_activation(&self) -> Option<Activation> {
        self.inner.output_activation()
    }

    fn activity_loss(&self) -> f32 {
        self.inner.activity_loss()
    }

    fn has_activity_regularizer(&self) -> bool {
        self.inner.has_activity_regularizer()
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
        self.inner.set_input_grad(on);
    }
}

/// Keras 3's masked `GlobalAveragePooling1D`: `y[b, j] = Σ_t m[b,t]·x[b,t,j] / Σ_t m[b,t]` for
/// `x` `[batch, steps, c]` and the mask `m` `[batch, steps]` (1 kept, 0 masked). A row with every
/// step masked gives 0 (Keras 3 divides 0 by 0: NaN). Returns `y` and the step count.
fn masked_average(op: &'static str, x: &Tensor, m: &[f32]) -> Result<(Tensor, usize)> {
    let &[b, t, c] = x.dims() else { bail_shape!(op, "a mask needs inputs [batch, steps, channels], got {}", x.shape()) };
    if m.len() != b * t {
        bail_shape!(op, "the mask has {} values for an input {} ({} steps)", m.len(), x.shape(), b * t);
    }
    let mut y = Tensor::zeros(op, Shape::new(op, &[b, c])?)?;
    for ((yr, xr), mr) in y.data_mut().chunks_exact_mut(c.max(1)).zip(x.data().chunks_exact((t * c).max(1))).zip(m.chunks_exact(t.max(1))) {
        let count: f32 = mr.iter().sum();
        if count == 0.0 {
            continue;
        }
        let mut acc = vec![0.0f64; c];
        for (step, &k) in xr.chunks_exact(c.max(1)).zip(mr) {
            if k != 0.0 {
                acc.iter_mut().zip(step).for_each(|(a, &v)| *a += f64::from(v));
            }
        }
        yr.iter_mut().zip(&acc).for_each(|(o, &a)| *o = (a / f64::from(count)) as f32);
    }
    Ok((y, t))
}

/// The backward of [`masked_average`]: `dx[b,t,j] = m[b,t]·dy[b,j] / Σ_t m[b,t]` (0 for a row
/// with every step masked).
fn masked_average_backward(op: &'static str, dy: &Tensor, m: &[f32], t: usize) -> Result<Tensor> {
    let &[b, c] = dy.dims() else { bail_shape!(op, "the gradient has shape {}, expected [batch, channels]", dy.shape()) };
    let mut dx = Tensor::zeros(op, Shape::new(op, &[b, t, c])?)?;
    for ((dxr, dyr), mr) in dx.data_mut().chunks_exact_mut((t * c).max(1)).zip(dy.data().chunks_exact(c.max(1))).zip(m.chunks_exact(t.max(1))) {
        let count: f32 = mr.iter().sum();
        if count == 0.0 {
            continue;
        }
        for (step, &k) in dxr.chunks_exact_mut(c.max(1)).zip(mr) {
            if k != 0.0 {
                step.iter_mut().zip(dyr).for_each(|(d, &g)| *d = g / count);
            }
        }
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use crate::layers::{from_abi, Init, Mode};
    use crate::{Shape, Tensor};

    /// conv1d (filters 2, kernel 3, stride, dilation, padding, linear, no bias) as the ABI lays it out.
    fn conv1d(causal: bool, stride: f32, dilation: f32, same: bool) -> Vec<f32> {
        vec![f32::from(u8::from(causal)), 2., 1., 3., 1., stride, 1., dilation, f32::from(u8::from(same)), 0., 0., 0., 6., 0., 0., 0., 0., 0., 0., 0., 0., 0.]
    }

    /// Σ_k Σ_i x[t·s + k·d − pad + ·] · W[k, i, f] by hand, against the layer, for every option.
    #[test]
    fn conv1d_is_the_sum_over_taps() {
        let (n, c) = (7, 2);
        for (causal, s, d, same) in [(false, 1., 1., false), (false, 2., 1., true), (true, 1., 2., false), (true, 2., 1., false), (false, 1., 3., true)] {
            let l = from_abi(28, &conv1d(causal, s, d, same), 0).unwrap();
            let out = l.borrow_mut().build(&[n, c], Init::seeded(3)).unwrap();
            let w = l.borrow().layer().params()[0].value.clone();
            assert_eq!(w.dims(), &[3, 2, 2], "TF.js's kernel shape");
            let x = Tensor::new("t", Shape::from([2, n, c]), (0..2 * n * c).map(|i| ((i * 37) % 11) as f32 - 5.0).collect()).unwrap();
            let y = l.borrow_mut().forward(x.clone(), Mode::Infer).unwrap();
            let (s, d) = (s as usize, d as usize);
            let k_eff = 2 * d + 1;
            // TF.js's sizes: causal pads (k − 1)·d before; same pads (total) before ⌊p/2⌋.
            let (pad, on) = if causal {
                (k_eff - 1, (n - 1) / s + 1)
            } else if same {
                let o = n.div_ceil(s);
                (((o - 1) * s + k_eff).saturating_sub(n) / 2, o)
            } else {
                (0, (n - k_eff) / s + 1)
            };
            assert_eq!(out, vec![on, 2]);
            assert_eq!(y.dims(), &[2, on, 2]);
            for b in 0..2 {
                for t in 0..on {
                    for f in 0..2 {
                        let mut want = 0.0;
                        for k in 0..3 {
                            let at = (t * s + k * d) as i64 - pad as i64;
                            if at < 0 || at >= n as i64 {
                                continue;
                            }
                            for i in 0..c {
                                want += x.data()[(b * n + at as usize) * c + i] * w.data()[(k * c + i) * 2 + f];
                            }
                        }
                        let got = y.data()[(b * on + t) * 2 + f];
                        assert!((got - want).abs() < 1e-4, "causal {causal} s {s} d {d} same {same}: y[{b},{t},{f}] = {got}, by hand {want}");
                    }
                }
            }
        }
    }

    /// dL/dx and dL/dW of causal conv1d against central differences.
    #[test]
    fn causal_conv1d_gradients_match_differences() {
        let l = from_abi(28, &conv1d(true, 1., 2., false), 0).unwrap();
        l.borrow_mut().build(&[5, 2], Init::seeded(4)).unwrap();
        let xs: Vec<f32> = (0..10).map(|i| (i as f32 * 0.7).sin()).collect();
        let c: Vec<f32> = (0..10).map(|i| (i as f32 * 1.3).cos()).collect();
        let f = |xs: &[f32]| -> f64 {
            let y = l.borrow_mut().forward(Tensor::new("t", Shape::from([1, 5, 2]), xs.to_vec()).unwrap(), Mode::Infer).unwrap();
            y.data().iter().zip(&c).map(|(&a, &b)| a as f64 * b as f64).sum()
        };
        l.borrow_mut().forward(Tensor::new("t", Shape::from([1, 5, 2]), xs.clone()).unwrap(), Mode::Trace).unwrap();
        let dx = l.borrow_mut().backward(Tensor::new("t", Shape::from([1, 5, 2]), c.clone()).unwrap()).unwrap();
        assert_eq!(dx.dims(), &[1, 5, 2]);
        for i in 0..10 {
            let (mut a, mut b) = (xs.clone(), xs.clone());
            a[i] += 1e-2;
            b[i] -= 1e-2;
            let fd = (f(&a) - f(&b)) / 2e-2;
            assert!((dx.data()[i] as f64 - fd).abs() < 1e-3, "dx[{i}]: {} vs {fd}", dx.data()[i]);
        }
        // Outputs never read later inputs: dL/dx[last step] only from the last output.
        let dw = l.borrow().layer().params()[0].grad.clone();
        assert!(dw.iter().any(|&g| g != 0.0));
    }

    /// conv1dTranspose (filters 2, kernel k, stride, dilation, padding, output padding,
    /// linear, with a zero bias) as the ABI lays it out.
    fn conv1d_transpose(k: usize, stride: usize, dilation: usize, same: bool, out_pad: Option<usize>) -> Vec<f32> {
        let mut p = vec![f32::from(u8::from(out_pad.is_some())), 0., out_pad.unwrap_or(0) as f32];
        p.extend([2., 1., k as f32, 1., stride as f32, 1., dilation as f32, f32::from(u8::from(same)), 1., 0., 0., 6., 0., 0., 0., 0., 0., 0., 0., 0., 0.]);
        p
    }

    /// (kernel, stride, dilation, same, output padding, steps).
    const TRANSPOSED: [(usize, usize, usize, bool, Option<usize>, usize); 10] = [
        (3, 2, 1, true, None, 5),
        (3, 2, 1, false, None, 5),
        (4, 2, 1, true, Some(0), 5),
        (4, 2, 1, true, Some(1), 4),
        (3, 3, 1, false, Some(2), 3),
        (2, 3, 1, true, Some(1), 4),
        (3, 1, 2, true, None, 6),
        (3, 1, 2, false, Some(0), 4),
        (5, 3, 1, true, Some(2), 1),
        (1, 1, 1, false, None, 3),
    ];

    /// Keras 3's lengths and placement by hand (JAX's padding): input step i and tap j land on
    /// output `i·s + j·d − before`.
    fn keras_transposed(k: usize, s: usize, d: usize, same: bool, op: Option<usize>, n: usize) -> (usize, i64) {
        let ke = (k - 1) * d + 1;
        let (len, left) = match (same, op) {
            (false, None) => ((n - 1) * s + ke.max(s), ke - 1),
            (false, Some(o)) => ((n - 1) * s + ke + o, ke - 1),
            (true, o) => {
                let (len, pad_len) = match o { None => (n * s, s + ke - 2), Some(o) => ((n - 1) * s + ke % 2 + o, ke + ke % 2 - 2 + o) };
                (len, (pad_len / 2 + pad_len % 2).min(ke - 1))
            }
        };
        (len, (ke - 1 - left) as i64)
    }

    /// y[t, f] = Σ x[i, c]·W[j, f, c] over i·s + j·d − before = t, against the layer, for
    /// strides 1-3, both paddings, output padding and dilation; Keras's kernel [k, filters, in].
    #[test]
    fn conv1d_transpose_is_the_scatter_of_keras() {
        let c = 3;
        for (k, s, d, same, op, n) in TRANSPOSED {
            let l = from_abi(46, &conv1d_transpose(k, s, d, same, op), 0).unwrap();
            let out = l.borrow_mut().build(&[n, c], Init::seeded(3)).unwrap();
            let (len, before) = keras_transposed(k, s, d, same, op, n);
            assert_eq!(out, vec![len, 2], "k {k} s {s} d {d} same {same} op {op:?} n {n}");
            let w = l.borrow().layer().params()[0].value.clone();
            assert_eq!(w.dims(), &[k, 2, c], "Keras's kernel shape");
            let x = Tensor::new("t", Shape::from([2, n, c]), (0..2 * n * c).map(|i| ((i * 37) % 11) as f32 - 5.0).collect()).unwrap();
            let y = l.borrow_mut().forward(x.clone(), Mode::Infer).unwrap();
            assert_eq!(y.dims(), &[2, len, 2]);
            let mut want = vec![0f64; 2 * len * 2];
            for b in 0..2 {
                for i in 0..n {
                    for j in 0..k {
                        let t = (i * s + j * d) as i64 - before;
                        if t < 0 || t >= len as i64 {
                            continue;
                        }
                        for f in 0..2 {
                            for ch in 0..c {
                                want[(b * len + t as usize) * 2 + f] += f64::from(x.data()[(b * n + i) * c + ch] * w.data()[(j * 2 + f) * c + ch]);
                            }
                        }
                    }
                }
            }
            for (idx, (&g, &e)) in y.data().iter().zip(&want).enumerate() {
                assert!((f64::from(g) - e).abs() < 1e-4, "k {k} s {s} d {d} same {same} op {op:?}: y[{idx}] = {g}, by hand {e}");
            }
        }
    }

    /// dL/dx, dL/dW and dL/db of conv1dTranspose against central differences.
    #[test]
    fn conv1d_transpose_gradients_match_differences() {
        for (k, s, d, same, op, n) in TRANSPOSED {
            let l = from_abi(46, &conv1d_transpose(k, s, d, same, op), 0).unwrap();
            let out = l.borrow_mut().build(&[n, 2], Init::seeded(4)).unwrap();
            let xs: Vec<f32> = (0..2 * n).map(|i| (i as f32 * 0.7).sin()).collect();
            let g: Vec<f32> = (0..out[0] * 2).map(|i| (i as f32 * 1.3).cos()).collect();
            let shape = Shape::from([1, n, 2]);
            let f = |xs: &[f32]| -> f64 {
                let y = l.borrow_mut().forward(Tensor::new("t", shape.clone(), xs.to_vec()).unwrap(), Mode::Infer).unwrap();
                y.data().iter().zip(&g).map(|(&a, &b)| a as f64 * b as f64).sum()
            };
            l.borrow_mut().forward(Tensor::new("t", shape.clone(), xs.clone()).unwrap(), Mode::Trace).unwrap();
            let dx = l.borrow_mut().backward(Tensor::new("t", Shape::from([1, out[0], 2]), g.clone()).unwrap()).unwrap();
            assert_eq!(dx.dims(), &[1, n, 2]);
            let close = |a: f32, fd: f64, what: &str| assert!((f64::from(a) - fd).abs() < 2e-3 * (1.0 + fd.abs()), "k {k} s {s} d {d} same {same} op {op:?}: {what} {a} vs {fd}");
            for i in 0..xs.len() {
                let (mut a, mut b) = (xs.clone(), xs.clone());
                a[i] += 1e-2;
                b[i] -= 1e-2;
                close(dx.data()[i], (f(&a) - f(&b)) / 2e-2, &format!("dx[{i}]"));
            }
            let grads: Vec<Vec<f32>> = l.borrow().layer().params().iter().map(|p| p.grad.clone()).collect();
            for (pi, grad) in grads.iter().enumerate() {
                for i in 0..grad.len() {
                    let bump = |e: f32| {
                        let mut lb = l.borrow_mut();
                        let mut ps = lb.layer_mut().params_mut();
                        ps[pi].value.data_mut()[i] += e;
                    };
                    bump(1e-2);
                    let up = f(&xs);
                    bump(-2e-2);
                    let down = f(&xs);
                    bump(1e-2);
                    close(grad[i], (up - down) / 2e-2, &format!("param {pi}[{i}]"));
                }
            }
        }
    }

    #[test]
    fn conv1d_transpose_errors_and_other_lengths() {
        let e = from_abi(46, &conv1d_transpose(3, 2, 1, true, Some(2)), 0).err().unwrap().to_string();
        assert_eq!(e, "conv1dTranspose: outputPadding must be less than strides on each axis, got outputPadding [0, 2] with strides [1, 2]");
        let e = from_abi(46, &conv1d_transpose(3, 2, 2, true, None), 0).err().unwrap().to_string();
        assert!(e.contains("strides > 1 is not supported together with dilationRate > 1 (as Keras), got strides [1, 2] and dilationRate [1, 2]"), "{e}");
        // Built at 5 steps, it runs at 7 (null steps); its channels are fixed.
        let l = from_abi(46, &conv1d_transpose(3, 2, 1, false, Some(1)), 0).unwrap();
        assert_eq!(l.borrow_mut().build(&[5, 2], Init::seeded(0)).unwrap(), vec![12, 2]);
        assert_eq!(l.borrow_mut().layer_mut().resize(&[7, 2]).unwrap().unwrap(), vec![16, 2]);
        let e = l.borrow_mut().layer_mut().resize(&[7, 3]).unwrap().unwrap_err().to_string();
        assert!(e.contains("channels"), "{e}");
        // Zero steps: no output with an output padding (Keras's length is negative).
        let e = l.borrow_mut().layer_mut().resize(&[0, 2]).unwrap().unwrap_err().to_string();
        assert!(e.contains("outputPadding [0, 1]"), "{e}");
        // An even kernel with output padding 0 and one step: an output of no steps.
        let l = from_abi(46, &conv1d_transpose(2, 1, 1, true, Some(0)), 0).unwrap();
        assert_eq!(l.borrow_mut().build(&[1, 2], Init::seeded(0)).unwrap(), vec![0, 2]);
        let y = l.borrow_mut().forward(Tensor::new("t", Shape::from([3, 1, 2]), vec![1.; 6]).unwrap(), Mode::Infer).unwrap();
        assert_eq!(y.dims(), &[3, 0, 2]);
    }

    #[test]
    fn pooling1d_and_errors() {
        let g = from_abi(32, &[], 0).unwrap();
        assert_eq!(g.borrow_mut().build(&[3, 2], Init::seeded(0)).unwrap(), vec![2]);
        let x = Tensor::new("t", Shape::from([1, 3, 2]), vec![1., 2., 3., 4., 5., 9.]).unwrap();
        assert_eq!(g.borrow_mut().forward(x, Mode::Infer).unwrap().data(), &[3., 5.]);
        let a = from_abi(30, &[1., 2., 1., 1., 1., 1., 1.], 0).unwrap();
        assert_eq!(a.borrow_mut().build(&[3, 1], Init::seeded(0)).unwrap(), vec![3, 1], "same: ⌈3 / 1⌉");
        // A sequence too short for a 'valid' window, in 1-D terms: the option and the length it needs.
        let e = from_abi(28, &conv1d(false, 1., 1., false), 0).unwrap().borrow_mut().build(&[2, 1], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "conv1d: kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 (per-sample input [2, 1]); use padding 'same' or 'causal', a smaller kernelSize or longer sequences");
        let c = from_abi(28, &conv1d(false, 1., 2., false), 0).unwrap();
        assert_eq!(c.borrow_mut().build(&[5, 1], Init::seeded(0)).unwrap(), vec![1, 2], "5 steps fit a kernel of 3 at dilation 2");
        let e = c.borrow_mut().build(&[4, 1], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("kernelSize 3 at dilationRate 2 needs sequences of at least 5 steps with padding 'valid', got 4"), "{e}");
        // Causal padding fits any length from 1; 'same' too.
        for (causal, same) in [(true, false), (false, true)] {
            assert_eq!(from_abi(28, &conv1d(causal, 1., 2., same), 0).unwrap().borrow_mut().build(&[1, 1], Init::seeded(0)).unwrap(), vec![1, 2]);
        }
        let p = from_abi(30, &[1., 3., 1., 1., 1., 1., 0.], 0).unwrap();
        assert_eq!(p.borrow_mut().build(&[3, 1], Init::seeded(0)).unwrap(), vec![1, 1]);
        let e = p.borrow_mut().build(&[2, 1], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "build: averagePooling1d was built for per-sample input shape [3, 1], but here it receives [2, 1]: poolSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 (per-sample input [2, 1]); use padding 'same', a smaller poolSize or longer sequences");
        let e = from_abi(29, &[1., 2., 1., 2., 1., 1., 0.], 0).unwrap().borrow_mut().build(&[4, 1, 1], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("maxPooling1d: expects per-sample inputs of shape [steps, channels], got [4, 1, 1]"), "{e}");
    }

    /// Global average pooling over 200,000 steps keeps float32 accuracy (a window's running
    /// sum gave 0.0997975 for a constant 0.1; the rows are added pairwise now) and its
    /// gradient is still dy / steps.
    #[test]
    fn global_average_of_a_long_sequence() {
        let g = from_abi(32, &[], 0).unwrap();
        let n = 200_000;
        g.borrow_mut().build(&[n, 2], Init::seeded(0)).unwrap();
        let x = Tensor::new("t", Shape::from([1, n, 2]), vec![0.1; 2 * n]).unwrap();
        let y = g.borrow_mut().forward(x, Mode::Train { seed: 0, step: 1 }).unwrap();
        for &v in y.data() {
            assert!((f64::from(v) - 0.1).abs() < 1e-7, "{v}");
        }
        let dx = g.borrow_mut().backward(Tensor::new("dy", Shape::from([1, 2]), vec![1.0, 2.0]).unwrap()).unwrap();
        assert_eq!((dx.data()[0], dx.data()[1]), (1.0 / n as f32, 2.0 / n as f32));
    }

    /// The masked average over the kept steps, 0 for a row with none; its gradient matches
    /// central differences.
    #[test]
    fn masked_global_average() {
        let x = Tensor::new("t", [2, 3, 2].into(), vec![1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.]).unwrap();
        let m = [1., 0., 1., 0., 0., 0.];
        let (y, t) = super::masked_average("t", &x, &m).unwrap();
        assert_eq!((y.data(), t), (&[3., 4., 0., 0.][..], 3));
        let dy = Tensor::new("t", [2, 2].into(), vec![1., 2., 3., 4.]).unwrap();
        let dx = super::masked_average_backward("t", &dy, &m, 3).unwrap();
        assert_eq!(dx.data(), &[0.5, 1., 0., 0., 0.5, 1., 0., 0., 0., 0., 0., 0.]);
        assert!(super::masked_average("t", &x, &m[..4]).is_err());
    }

    /// The per-step values of `x` `[b, n, c]` placed by hand: upSampling1d repeats each step
    /// `size` times; zeroPadding1d puts `start` zero steps before and `end` after; cropping1d
    /// cuts them; backward is dL/dx of L = Σ g·f(x) for these linear maps:
    /// the sum of g over the outputs that read each input.
    #[test]
    fn shape_layers_place_steps_by_hand() {
        // (kind, params, steps, channels, batch)
        let cases: [(u32, Vec<f32>, usize, usize, usize); 9] = [
            (47, vec![2.], 7, 3, 2),
            (47, vec![3.], 1, 2, 1),
            (47, vec![49.], 2, 1, 1),
            (47, vec![1.], 5, 2, 3),
            (48, vec![1., 1.], 7, 3, 2),
            (48, vec![0., 3.], 2, 1, 1),
            (48, vec![2., 0.], 0, 2, 2),
            (49, vec![1., 2.], 7, 3, 2),
            (49, vec![0., 0.], 4, 1, 0),
        ];
        for (kind, p, n, c, b) in cases {
            let l = from_abi(kind, &p, 0).unwrap();
            let out = l.borrow_mut().build(&[n, c], Init::seeded(0)).unwrap();
            let x: Vec<f32> = (0..b * n * c).map(|i| i as f32 + 1.0).collect();
            let y = l.borrow_mut().forward(Tensor::new("t", Shape::from([b, n, c]), x.clone()).unwrap(), Mode::Trace).unwrap();
            // Output step t of sample s reads input step src(t), or is 0.
            let (m, src): (usize, Box<dyn Fn(usize) -> Option<usize>>) = match kind {
                47 => (n * p[0] as usize, Box::new(|t| Some(t / p[0] as usize))),
                48 => (n + p[0] as usize + p[1] as usize, Box::new(|t| t.checked_sub(p[0] as usize).filter(|&i| i < n))),
                _ => (n - p[0] as usize - p[1] as usize, Box::new(|t| Some(t + p[0] as usize))),
            };
            assert_eq!(out, vec![m, c], "kind {kind} {p:?}");
            assert_eq!(y.dims(), &[b, m, c]);
            for s in 0..b {
                for t in 0..m {
                    for ch in 0..c {
                        let want = src(t).map_or(0.0, |i| x[(s * n + i) * c + ch]);
                        assert_eq!(y.data()[(s * m + t) * c + ch], want, "kind {kind} {p:?}: y[{s}, {t}, {ch}]");
                    }
                }
            }
            let g: Vec<f32> = (0..y.size()).map(|i| ((i as f32) * 0.37).cos()).collect();
            let dx = l.borrow_mut().backward(Tensor::new("g", y.shape().clone(), g.clone()).unwrap()).unwrap();
            assert_eq!(dx.dims(), &[b, n, c]);
            for (i, &d) in dx.data().iter().enumerate() {
                // dL/dx[i] = Σ g over the outputs that read x[i] (the central difference of a
                // linear map is exact: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h).
                let (s, rest) = (i / (n * c), i % (n * c));
                let (step, ch) = (rest / c, rest % c);
                let want: f32 = (0..m).filter(|&t| src(t) == Some(step)).map(|t| g[(s * m + t) * c + ch]).sum();
                assert!((d - want).abs() < 1e-5, "kind {kind} {p:?}: dx[{i}] = {d}, by hand {want}");
            }
        }
    }

    #[test]
    fn shape_layers_errors() {
        let msg = |kind: u32, p: &[f32], input: &[usize]| from_abi(kind, p, 0).and_then(|l| l.borrow_mut().build(input, Init::seeded(0))).unwrap_err().to_string();
        assert_eq!(msg(49, &[2., 1.], &[3, 2]), "cropping1d: cropping [2, 1] leaves nothing of the per-sample input [3, 2]: the steps cut (3) must be fewer than the input's 3 steps");
        assert_eq!(msg(49, &[0., 0.], &[0, 2]), "cropping1d: cropping [0, 0] leaves nothing of the per-sample input [0, 2]: the steps cut (0) must be fewer than the input's 0 steps");
        assert_eq!(msg(47, &[0.], &[3, 2]), "upSampling1d: size must be a positive integer up to 65536, got 0");
        assert_eq!(msg(47, &[1.5], &[3, 2]), "upSampling1d: `size` must be a non-negative integer, got 1.5");
        assert_eq!(msg(47, &[], &[3, 2]), "upSampling1d: config is missing `size` (parameter 0)");
        assert_eq!(msg(48, &[1.], &[3, 2]), "zeroPadding1d: config is missing `padding` (parameter 1)");
        assert_eq!(msg(48, &[70000., 0.], &[3, 2]), "zeroPadding1d: padding must be integers from 0 to 65536, got 70000");
        assert_eq!(msg(48, &[1., 1.], &[3, 2, 1]), "zeroPadding1d: expects per-sample inputs of shape [steps, channels], got [3, 2, 1]");
        // An output of more steps than a dimension holds is an error, not a wrapped length.
        assert_eq!(msg(47, &[65536.], &[70000, 1]), "upSampling1d: the output steps (steps × size) is 4587520000, more than a dimension holds (4294967295)");
        assert_eq!(msg(48, &[65536., 1.], &[4294967295 - 65536, 1]), "zeroPadding1d: the output steps (start + steps + end) is 4294967296, more than a dimension holds (4294967295)");
        // Built at 7 steps, each runs at other lengths (null steps).
        let l = from_abi(49, &[1., 2.], 0).unwrap();
        assert_eq!(l.borrow_mut().build(&[7, 3], Init::seeded(0)).unwrap(), vec![4, 3]);
        assert_eq!(l.borrow_mut().layer_mut().resize(&[9, 3]).unwrap().unwrap(), vec![6, 3]);
        let e = l.borrow_mut().layer_mut().resize(&[3, 3]).unwrap().unwrap_err().to_string();
        assert!(e.starts_with("cropping1d: cropping [1, 2] leaves nothing"), "{e}");
        let e = l.borrow_mut().forward(Tensor::new("t", Shape::from([2, 7]), vec![0.; 14]).unwrap(), Mode::Infer).unwrap_err().to_string();
        assert_eq!(e, "cropping1d: expects per-sample inputs of shape [steps, channels], got [7]");
    }
}
