//! `neuron`: one artificial neuron (McCulloch & Pitts 1943, with a graded activation),
//! `y = f(w·x + b)`: the weighted sum of the inputs plus the bias, through an activation `f`.
//!
//! # Shapes
//! `x: [inputs]` → a scalar (rank 0); `x: [batch, inputs]` → `[batch]`. `w: [inputs]`.
//! Softmax-like activations see one value per sample (a row of length 1), so softmax gives 1.

use crate::activations::Activation;
use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "neuron";

/// A single neuron: weights, bias and activation.
#[derive(Clone, Debug, PartialEq)]
pub struct Neuron {
    pub weights: Vec<f32>,
    pub bias: f32,
    pub activation: Activation,
}

impl Neuron {
    /// A neuron with at least one weight; weights and bias must be finite.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(weights: Vec<f32>, bias: f32, activation: Activation) -> Result<Neuron> {
        if weights.is_empty() {
            bail!(OP, "weights must hold at least one value, got none");
        }
        if let Some(i) = crate::kernels::finite::first_non_finite(&weights) {
            bail!(OP, "weights[{i}] must be a finite number, got {}", js_number(weights[i]));
        }
        if !bias.is_finite() {
            bail!(OP, "bias must be a finite number, got {bias}", bias = js_number(bias));
        }
        Ok(Neuron { weights, bias, activation })
    }

    /// `f(x·w + b)` for one input vector (rank 1 → scalar) or a batch (rank 2 → `[batch]`).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let n = self.weights.len();
        let (rows, out_shape) = match x.dims() {
            [len] => {
                if *len != n {
                    bail_shape!(OP, "the input has {len} values but the neuron has {n} weights");
                }
                (1, Shape::scalar())
            }
            [batch, len] => {
                if *len != n {
                    bail_shape!(OP, "each input row has {len} values (x has shape {}) but the neuron has {n} weights", x.shape());
                }
                (*batch, Shape::from([*batch]))
            }
            _ => bail_shape!(OP, "x must be one input vector [{n}] or a batch [batch, {n}], got shape {}", x.shape()),
        };
        let mut z = crate::tensor::alloc(OP, rows)?;
        for (zi, row) in z.iter_mut().zip(x.data().chunks_exact(n)) {
            *zi = row.iter().zip(&self.weights).map(|(a, w)| a * w).sum::<f32>() + self.bias;
        }
        let mut y = crate::tensor::alloc(OP, rows)?;
        self.activation.forward(&z, &mut y, 1);
        Tensor::new(OP, out_shape, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    #[test]
    fn weighted_sum_through_the_activation() {
        let n = Neuron::new(vec![0.5, -1.0], 0.25, Activation::Linear { slope: 1.0, intercept: 0.0 }).unwrap();
        let y = n.forward(&t(&[2], vec![2.0, 1.0])).unwrap();
        assert_eq!((y.rank(), y.data()), (0, &[0.25][..]));
        let s = Neuron::new(vec![1.0, 1.0], -1.5, Activation::UnitStep { threshold: 0.0, straight_through: false }).unwrap();
        let y = s.forward(&t(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.])).unwrap();
        assert_eq!((y.dims(), y.data()), (&[4][..], &[0., 0., 0., 1.][..]), "a step neuron computes AND");
        let g = Neuron::new(vec![2.0], 0.0, Activation::Sigmoid).unwrap();
        let y = g.forward(&t(&[1], vec![0.5])).unwrap();
        assert!((y.data()[0] - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
    }

    #[test]
    fn errors_name_both_lengths() {
        let n = Neuron::new(vec![1.0, 2.0], 0.0, Activation::Relu).unwrap();
        assert_eq!(n.forward(&t(&[3], vec![0.0; 3])).unwrap_err().to_string(), "neuron: the input has 3 values but the neuron has 2 weights");
        assert_eq!(
            n.forward(&t(&[4, 3], vec![0.0; 12])).unwrap_err().to_string(),
            "neuron: each input row has 3 values (x has shape [4,3]) but the neuron has 2 weights"
        );
        assert!(n.forward(&Tensor::scalar(1.0)).unwrap_err().to_string().contains("got shape []"));
        assert_eq!(Neuron::new(vec![], 0.0, Activation::Relu).unwrap_err().to_string(), "neuron: weights must hold at least one value, got none");
        assert!(Neuron::new(vec![f32::NAN], 0.0, Activation::Relu).unwrap_err().to_string().contains("weights[0]"));
        assert!(Neuron::new(vec![1.0], f32::INFINITY, Activation::Relu).unwrap_err().to_string().contains("bias"));
    }
}
