//! `prelu`: parametric ReLU with learnable slopes (He et al. 2015,
//! https://arxiv.org/abs/1502.01852): `y = x` for `x > 0`, `y = α·x` otherwise.
//!
//! # Shapes
//! `x: [batch, d1, …, dn]`; `α` has the per-sample shape `[d1, …, dn]` with a 1 on each shared
//! axis (TF.js's and Keras's `sharedAxes`, 1-based as there: the batch is axis 0). No shared axis
//! (their default) is one slope per value of a sample; `sharedAxes: [1, 2]` after a 2-D
//! convolution is one slope per channel. Initial α = 0 unless configured.
//!
//! # Backward
//! `dx = dy` where `x > 0`, else `α·dy`; `dα = Σ dy·x` over `x ≤ 0`, summed over the batch and
//! the shared axes.

use super::{no_forward, Init, Layer, Mode, Param};
use crate::activations::prelu;
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::regularizers::Regularizer;
use crate::{bail_shape, Result, Shape, Tensor};

pub struct PRelu {
    init: WeightInit,
    reg: Option<Regularizer>,
    /// The shared axes, 1-based (axis 0 is the batch).
    shared: Vec<usize>,
    alpha: Option<Param>,
    /// The per-sample input shape α was built for (`resize` keeps only shapes α broadcasts to).
    input: Vec<usize>,
    x: Option<Tensor>,
}

impl PRelu {
    /// Layout: `alphaInitializer(kind, p0, p1), alphaRegularizer(l1, l2), n, sharedAxes[n]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<PRelu> {
        let mut r = Reader::new("prelu", p);
        let init = r.initializer("alphaInitializer")?;
        let reg = r.regularizer()?;
        let n = r.usize("sharedAxes count")?;
        let mut shared = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let a = r.usize("sharedAxes")?;
            if a == 0 {
                crate::bail!("prelu", "sharedAxes must be axes from 1 (axis 0 is the batch), got 0");
            }
            shared.push(a);
        }
        Ok(PRelu { init, reg, shared, alpha: None, input: Vec::new(), x: None })
    }

    /// α as `[1, …its shape]`, to broadcast over a batch in the `prelu` op.
    fn batched(alpha: &Tensor) -> Result<Tensor> {
        Ok(alpha.clone().with_shape(Shape::new("prelu", &[&[1][..], alpha.dims()].concat())?))
    }
}

/// Keras's fans of a weight shape (`compute_fans`): a vector's length both ways; `[in, out]`;
/// a kernel's receptive field times its last two axes.
fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [i, o] => (*i, *o),
        [lead @ .., i, o] => {
            let r: usize = lead.iter().product();
            (i * r, o * r)
        }
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

    /// Any input α broadcasts to: the same rank, and each axis α does not share the same size.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        let alpha = self.alpha.as_ref()?;
        let a = alpha.value.dims();
        if a.len() == input.len() && a.iter().zip(input).all(|(&w, &g)| w == 1 || w == g) {
            return Some(Ok(input.to_vec()));
        }
        let shared = if self.shared.is_empty() { "none (one slope per value)".to_string() } else { format!("[{}]", self.shared.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")) };
        Some(Err(crate::Error::shape(
            "prelu",
            format!(
                "its alpha has shape {} (built for per-sample input {}, sharedAxes {shared}) and does not fit per-sample input {}; a layer keeps its weights wherever it is used, so only shared axes may differ in size (for sequences of any length, share the steps: sharedAxes [1])",
                alpha.value.shape(),
                Shape::from(self.input.as_slice()),
                Shape::from(input)
            ),
        )))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        if input.is_empty() {
            bail_shape!("prelu", "input must have at least one dimension per sample, got shape []");
        }
        if let Some(&bad) = self.shared.iter().find(|&&a| a > input.len()) {
            bail_shape!("prelu", "sharedAxes has axis {bad}, but the input [batch, {}] has axes 1 to {} besides the batch", input.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "), input.len());
        }
        let dims: Vec<usize> = input.iter().enumerate().map(|(i, &d)| if self.shared.contains(&(i + 1)) { 1 } else { d }).collect();
        let mut a = Tensor::zeros("prelu", Shape::new("prelu", &dims)?)?;
        let (fan_in, fan_out) = fans(&dims);
        init.fill("prelu", &self.init, &mut a, fan_in, fan_out, 0)?;
        self.alpha = Some(Param::new("alpha", a, self.reg)?);
        self.input = input.to_vec();
        Ok(input.to_vec())
    }

    /// The `prelu` op and its gradient (one rule with the tape's), α broadcast over the batch
    /// and the shared axes.
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let alpha = self.alpha.as_ref().ok_or_else(|| no_forward("prelu"))?;
        let y = prelu::prelu(&x, &PRelu::batched(&alpha.value)?)?;
        if mode.keeps() {
            self.x = Some(x);
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward("prelu"))?;
        let alpha = self.alpha.as_mut().ok_or_else(|| no_forward("prelu"))?;
        let (dx, da) = prelu::prelu_grad(&x, &PRelu::batched(&alpha.value)?, &dy)?;
        alpha.grad_mut()?.copy_from_slice(da.data());
        Ok(dx)
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.alpha.iter_mut().collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.alpha.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prelu with a zeros initializer, no regularizer and these shared axes (α set by hand).
    fn layer(shared: &[usize]) -> PRelu {
        let mut p = vec![0.0, 0.0, 0.0, 0.0, 0.0, shared.len() as f32];
        p.extend(shared.iter().map(|&a| a as f32));
        PRelu::from_abi(&p).unwrap()
    }

    fn set_alpha(l: &mut PRelu, v: &[f32]) {
        l.alpha.as_mut().unwrap().value.data_mut().copy_from_slice(v);
    }

    /// y and dα by the definition, α read at each value's position with shared axes at 0.
    fn reference(x: &Tensor, alpha: &Tensor, dy: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let xd = x.dims();
        let ad = alpha.dims();
        let mut y = vec![0.0; x.size()];
        let mut da = vec![0.0f64; alpha.size()];
        for (flat, (&v, &g)) in x.data().iter().zip(dy).enumerate() {
            let mut r = flat;
            let mut idx = vec![0; xd.len()];
            for k in (0..xd.len()).rev() {
                idx[k] = r % xd[k];
                r /= xd[k];
            }
            let mut ai = 0;
            for k in 0..ad.len() {
                ai = ai * ad[k] + if ad[k] == 1 { 0 } else { idx[k + 1] };
            }
            let a = alpha.data()[ai];
            y[flat] = if v > 0.0 { v } else { a * v };
            if v <= 0.0 {
                da[ai] += f64::from(g) * f64::from(v);
            }
        }
        (y, da.into_iter().map(|d| d as f32).collect())
    }

    #[test]
    fn shared_axes_shape_alpha_and_its_gradient() {
        let dims = [3usize, 4, 5, 2];
        let n: usize = dims.iter().product();
        let xv: Vec<f32> = (0..n).map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.25).collect();
        let dyv: Vec<f32> = (0..n).map(|i| ((i * 11 % 7) as f32 - 3.0) * 0.5).collect();
        for (shared, want) in [(vec![], vec![4, 5, 2]), (vec![1, 2], vec![1, 1, 2]), (vec![1], vec![1, 5, 2]), (vec![3], vec![4, 5, 1]), (vec![1, 2, 3], vec![1, 1, 1]), (vec![2], vec![4, 1, 2])] {
            let mut l = layer(&shared);
            assert_eq!(l.build(&dims[1..], Init::seeded(1)).unwrap(), dims[1..].to_vec());
            let alpha_dims = l.alpha.as_ref().unwrap().value.dims().to_vec();
            assert_eq!(alpha_dims, want, "sharedAxes {shared:?}");
            let av: Vec<f32> = (0..alpha_dims.iter().product::<usize>()).map(|i| 0.1 + 0.07 * i as f32).collect();
            set_alpha(&mut l, &av);
            let x = Tensor::new("t", Shape::from(&dims[..]), xv.clone()).unwrap();
            let y = l.forward(x.clone(), Mode::Trace).unwrap();
            let dx = l.backward(Tensor::new("t", Shape::from(&dims[..]), dyv.clone()).unwrap()).unwrap();
            let (wy, wda) = reference(&x, &l.alpha.as_ref().unwrap().value, &dyv);
            assert_eq!(y.data(), &wy[..], "y, sharedAxes {shared:?}");
            for (i, (&v, &g)) in xv.iter().zip(&dyv).enumerate() {
                let slope = y.data()[i] / v;
                let want_dx = if v > 0.0 { g } else if v == 0.0 { dx.data()[i] } else { slope * g };
                assert!((dx.data()[i] - want_dx).abs() <= 1e-6 * want_dx.abs().max(1.0), "dx[{i}]");
            }
            let got = &l.alpha.as_ref().unwrap().grad;
            for (g, w) in got.iter().zip(&wda) {
                assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "dα {got:?} vs {wda:?}, sharedAxes {shared:?}");
            }
        }
    }

    #[test]
    fn resize_only_along_shared_axes_and_bad_axes_named() {
        let mut l = layer(&[1]);
        l.build(&[7, 3], Init::seeded(0)).unwrap();
        assert_eq!(l.resize(&[12, 3]).unwrap().unwrap(), vec![12, 3]);
        let e = l.resize(&[7, 4]).unwrap().unwrap_err().to_string();
        assert!(e.contains("alpha has shape [1,3]") && e.contains("per-sample input [7,4]"), "{e}");
        let mut per_value = layer(&[]);
        per_value.build(&[7, 3], Init::seeded(0)).unwrap();
        let e = per_value.resize(&[8, 3]).unwrap().unwrap_err().to_string();
        assert!(e.contains("sharedAxes none") && e.contains("sharedAxes [1]"), "{e}");
        let e = layer(&[3]).build(&[7, 3], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("sharedAxes has axis 3") && e.contains("axes 1 to 2"), "{e}");
        assert!(PRelu::from_abi(&[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]).is_err());
    }

    #[test]
    fn keras_fans() {
        assert_eq!(fans(&[5]), (5, 5));
        assert_eq!(fans(&[4, 6]), (4, 6));
        assert_eq!(fans(&[1, 1, 8]), (1, 8));
        assert_eq!(fans(&[3, 4, 5]), (12, 15));
    }
}
