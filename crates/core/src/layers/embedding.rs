//! `embedding`: a lookup table of `inputDim` learned vectors of length `outputDim` (TF.js's and
//! Keras's `Embedding`): each index of the input is replaced by its row of the table.
//!
//! # Shapes
//! `x: [batch, ...]` of integer indices (float32 values in `0..inputDim`), `E: [inputDim,
//! outputDim]` → `y: [batch, ..., outputDim]`, `y[b, .., :] = E[x[b, ..], :]` — the `gather`
//! op on axis 0 of `E` ([`ops::gather`]).
//!
//! # Backward
//! `dE` is `gather`'s rule: zero, with each row of `dy` added into the row of `E` its index
//! picked (a scatter-add: a repeated index receives the sum, in the inputs' order, so the bits
//! are the same on any thread count). The indices are integers: `dx` is zero.
//!
//! An index that is not an integer or lies outside `[0, inputDim)` is an error naming its
//! position and value (TF.js 4.22 casts to int32, truncating 1.7 to 1; its CPU and WASM
//! backends refuse an index out of range, naming neither the layer nor the position).

use super::{no_forward, Init, Layer, Mode, Param};
use crate::config::Reader;
use crate::initializers::WeightInit;
use crate::ops::gather::{checked_indices, gather_checked, scatter_add_rows};
use crate::regularizers::Regularizer;
use crate::{bail, Result, Shape, Tensor};

pub struct Embedding {
    input_dim: usize,
    output_dim: usize,
    init: WeightInit,
    reg: Option<Regularizer>,
    embeddings: Option<Param>,
    /// Keras's `mask_zero`: index 0 masks its step ([`Layer::compute_mask`]).
    mask_zero: bool,
    /// The indices of the last forward that kept values.
    x: Option<Tensor>,
    input_grad: bool,
}

impl Embedding {
    /// Layout: `inputDim, outputDim, embeddingsInitializer(kind, p0, p1),
    /// embeddingsRegularizer(l1, l2)[, maskZero (0|1)]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<Embedding> {
        let mut r = Reader::new("embedding", p);
        let input_dim = r.usize("inputDim")?;
        let output_dim = r.usize("outputDim")?;
        if input_dim == 0 || output_dim == 0 {
            bail!("embedding", "inputDim and outputDim must be positive integers, got {input_dim} and {output_dim}");
        }
        let init = r.initializer("embeddingsInitializer")?;
        let reg = r.regularizer()?;
        let mask_zero = match *r.rest() {
            [] => false,
            [v] if v == 0.0 || v == 1.0 => v == 1.0,
            _ => bail!("embedding", "maskZero must be one flag, 0 or 1 (false or true)"),
        };
        Ok(Embedding { input_dim, output_dim, init, reg, embeddings: None, mask_zero, x: None, input_grad: true })
    }

    /// The indices of `x` (argument `arg`) as rows of the table, each checked.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn rows(&self, arg: &str, x: &Tensor) -> Result<Vec<usize>> {
        let n = self.input_dim;
        checked_indices("embedding", arg, x, n, &|| format!("of the embedding's rows (inputDim {n}; {arg} has shape {})", x.shape()))
    }
}

impl Layer for Embedding {
    /// With `maskZero` it makes the mask (Keras 3: an embedding supports masking only then).
    fn masking(&self) -> super::Masking {
        if self.mask_zero { super::Masking::Make } else { super::Masking::Refuse }
    }

    /// Each index but 0 counts (Keras's `mask_zero`).
    fn compute_mask(&self, x: &Tensor) -> Option<Vec<f32>> {
        self.mask_zero.then(|| x.data().iter().map(|&v| if v != 0.0 { 1.0 } else { 0.0 }).collect())
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "embedding"
    }

    /// Any input shape: the table depends on `inputDim` only (sequences of other lengths).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        self.embeddings.as_ref()?;
        let mut out = input.to_vec();
        out.push(self.output_dim);
        Some(Shape::new("embedding", &out).map(|_| out))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], init: Init) -> Result<Vec<usize>> {
        let (n, d) = (self.input_dim, self.output_dim);
        let mut e = Tensor::zeros("embedding", Shape::new("embedding", &[n, d])?)?;
        // Keras's fans of a [inputDim, outputDim] weight.
        init.fill("embedding", &self.init, &mut e, n, d, 0)?;
        self.embeddings = Some(Param::new("embeddings", e, self.reg)?);
        let mut out = input.to_vec();
        out.push(d);
        Shape::new("embedding", &out)?;
        Ok(out)
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let e = self.embeddings.as_ref().ok_or_else(|| no_forward("embedding"))?;
        let rows = self.rows("input", &x)?;
        let y = gather_checked("embedding", &e.value, 0, &rows, x.dims())?;
        if mode.keeps() {
            self.x = Some(x);
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward("embedding"))?;
        let e = self.embeddings.as_mut().ok_or_else(|| no_forward("embedding"))?;
        e.grad_mut()?.fill(0.0);
        scatter_add_rows(dy.data(), x.data(), 1, self.input_dim, self.output_dim, &mut e.grad);
        if !self.input_grad {
            return Ok(x);
        }
        Tensor::zeros("embedding", x.shape().clone())
    }

    fn set_input_grad(&mut self, on: bool) {
        self.input_grad = on;
    }

    fn check_data(&self, arg: &str, x: &Tensor) -> Result<()> {
        self.rows(arg, x).map(|_| ())
    }

    fn checks_data(&self) -> bool {
        true
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        self.embeddings.iter_mut().collect()
    }

    fn params(&self) -> Vec<&Param> {
        self.embeddings.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(n: usize, d: usize, input: &[usize]) -> Embedding {
        let init = crate::initializers::Initializer::RandomUniform { min: -1.0, max: 1.0 }.into();
        let mut l = Embedding { input_dim: n, output_dim: d, init, reg: None, embeddings: None, mask_zero: false, x: None, input_grad: true };
        l.build(input, Init::seeded(5)).unwrap();
        l
    }

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::new("t", dims).unwrap(), v).unwrap()
    }

    #[test]
    fn looks_up_rows_for_any_index_rank() {
        let mut l = layer(5, 3, &[2, 2]);
        let e = l.params()[0].value.data().to_vec();
        let x = t(&[2, 2, 2], vec![0., 4., 4., 1., 2., 0., 3., 3.]);
        let y = l.forward(x.clone(), Mode::Infer).unwrap();
        assert_eq!(y.dims(), &[2, 2, 2, 3]);
        for (k, &i) in x.data().iter().enumerate() {
            assert_eq!(&y.data()[k * 3..k * 3 + 3], &e[i as usize * 3..i as usize * 3 + 3], "index {k}");
        }
        // Rank-1 indices (one index per sample): [batch] → [batch, outputDim].
        let mut l1 = layer(5, 3, &[]);
        let y = l1.forward(t(&[3], vec![2., 2., 0.]), Mode::Infer).unwrap();
        assert_eq!(y.dims(), &[3, 3]);
        assert_eq!(&y.data()[..3], &y.data()[3..6]);
    }

    /// dE of L = Σ g·y by central differences (L is linear in E: exact up to rounding), with a
    /// repeated index; dx is zero.
    #[test]
    fn backward_scatter_adds_repeated_indices() {
        let mut l = layer(4, 3, &[3]);
        let x = t(&[2, 3], vec![1., 3., 1., 0., 1., 3.]);
        let g: Vec<f32> = (0..18).map(|i| ((i as f32) * 0.71).sin()).collect();
        l.forward(x.clone(), Mode::Trace).unwrap();
        let dx = l.backward(t(&[2, 3, 3], g.clone())).unwrap();
        assert_eq!((dx.dims(), dx.data().iter().all(|&v| v == 0.0)), (&[2, 3][..], true));
        let grad = l.params()[0].grad.clone();
        let loss = |l: &mut Embedding| -> f64 { l.forward(x.clone(), Mode::Infer).unwrap().data().iter().zip(&g).map(|(&y, &g)| f64::from(y) * f64::from(g)).sum() };
        let h = 1e-2f32;
        for k in 0..12 {
            let v = l.params()[0].value.data()[k];
            l.params_mut()[0].value.data_mut()[k] = v + h;
            let up = loss(&mut l);
            l.params_mut()[0].value.data_mut()[k] = v - h;
            let down = loss(&mut l);
            l.params_mut()[0].value.data_mut()[k] = v;
            let fd = (up - down) / (2.0 * f64::from(h));
            assert!((fd - f64::from(grad[k])).abs() < 1e-4, "dE[{k}]: {fd} vs {}", grad[k]);
        }
        // Row 2 is never picked; row 1 three times: the sum of its three dy rows, in order.
        assert_eq!(&grad[6..9], &[0.0; 3]);
        let want: Vec<f32> = (0..3).map(|c| g[c] + g[6 + c] + g[12 + c]).collect();
        assert_eq!(&grad[3..6], &want[..]);
    }

    #[test]
    fn bad_indices_name_position_value_and_range() {
        let mut l = layer(4, 2, &[3]);
        let e = l.forward(t(&[2, 3], vec![0., 1., 2., 3., 4., 0.]), Mode::Infer).unwrap_err().to_string();
        assert_eq!(e, "embedding: input[1,1] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [2,3])");
        let e = l.forward(t(&[2, 3], vec![0., 1.5, 2., 3., 0., 0.]), Mode::Infer).unwrap_err().to_string();
        assert_eq!(e, "embedding: input[0,1] = 1.5 is not an integer (input has shape [2,3])");
        let e = l.forward(t(&[1, 3], vec![-1., 0., 0.]), Mode::Infer).unwrap_err().to_string();
        assert!(e.contains("input[0,0] = -1 is out of range [0, 4)"), "{e}");
        assert!(l.forward(t(&[1, 3], vec![f32::NAN, 0., 0.]), Mode::Infer).unwrap_err().to_string().contains("= NaN is not an integer"));
        assert!(l.check_data("x", &t(&[1, 3], vec![0., 0., 9.])).unwrap_err().to_string().contains("x[0,2] = 9 is out of range"));
        // It says it checks (a model of several inputs splits its packed x only for such layers).
        assert!(l.checks_data());
        assert!(Embedding::from_abi(&[0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]).is_err());
    }

    #[test]
    fn indices_beyond_i64_are_printed_as_given() {
        // 1e30 and -1e30 saturate to i64::MAX and i64::MIN in the cast; the message has the value
        // (js_number, which writes no exponent).
        let l = layer(4, 2, &[3]);
        let e = l.check_data("x", &t(&[1, 3], vec![0., 1e30, 0.])).unwrap_err().to_string();
        assert_eq!(e, "embedding: x[0,1] = 1000000000000000000000000000000 is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [1,3])");
        let e = l.check_data("validationData x", &t(&[2, 2], vec![0., 1., 2., -1e30])).unwrap_err().to_string();
        assert_eq!(e, "embedding: validationData x[1,1] = -1000000000000000000000000000000 is out of range [0, 4) of the embedding's rows (inputDim 4; validationData x has shape [2,2])");
        let e = l.check_data("x", &t(&[1, 1], vec![3e9])).unwrap_err().to_string();
        assert!(e.contains("x[0,0] = 3000000000 is out of range"), "{e}");
    }
}
