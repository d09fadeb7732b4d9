//! The activation tensor ops: [`activation`] (`y = f(x)`) and [`activation_grad`] (the
//! vector-Jacobian product `dx = dyᵀ·∂f/∂x`), with shape checks and any softmax axis.
//!
//! # Shapes
//! `x`, `dy` and the result all have the same shape. Element-wise activations ignore `axis`.
//! Softmax and logSoftmax normalise along `axis` (negative counts from the end; `-1` is the
//! last): the last axis is processed in place as rows; another axis is moved last with a
//! transpose, processed, and moved back.

use super::Activation;
use crate::ops::transpose::transpose;
use crate::{bail, bail_shape, Result, Tensor};

/// The rows-of-`cols` layout for `act` on `x` along `axis`: `Some(perm)` when `axis` is not
/// the last one and has to be moved there first.
fn layout(act: &Activation, x: &Tensor, axis: i64) -> Result<(usize, Option<Vec<i64>>)> {
    if !act.is_row_wise() {
        return Ok((1, None));
    }
    if x.rank() == 0 {
        bail!(act.name(), "x must have at least one dimension to normalise over, got a scalar (shape [])");
    }
    let ax = x.shape().axis(act.name(), axis)?;
    let last = x.rank() - 1;
    if ax == last {
        return Ok((x.dims()[last], None));
    }
    let mut perm: Vec<i64> = (0..x.rank() as i64).filter(|&d| d != ax as i64).collect();
    perm.push(ax as i64);
    Ok((x.dims()[ax], Some(perm)))
}

/// The inverse of a permutation.
fn inverse(perm: &[i64]) -> Vec<i64> {
    let mut inv = vec![0i64; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p as usize] = i as i64;
    }
    inv
}

/// `f(x)` over a tensor whose normalised axis (if any) is already last.
fn forward_last(act: &Activation, x: &Tensor, cols: usize) -> Result<Tensor> {
    let mut y = Tensor::zeros(act.name(), x.shape().clone())?;
    act.forward(x.data(), y.data_mut(), cols);
    Ok(y)
}

/// `y = f(x)`; `axis` is used by softmax and logSoftmax only.
pub fn activation(act: &Activation, x: &Tensor, axis: i64) -> Result<Tensor> {
    let (cols, perm) = layout(act, x, axis)?;
    match perm {
        None => forward_last(act, x, cols),
        Some(p) => {
            let y = forward_last(act, &transpose(x, Some(&p))?, cols)?;
            transpose(&y, Some(&inverse(&p)))
        }
    }
}

/// `dx = dyᵀ·∂f(x)/∂x`, the gradient of `sum(dy ⊙ f(x))` with respect to `x`.
pub fn activation_grad(act: &Activation, x: &Tensor, dy: &Tensor, axis: i64) -> Result<Tensor> {
    let op = act.name();
    if dy.shape() != x.shape() {
        bail_shape!(op, "dy has shape {} but x has shape {}; they must be equal", dy.shape(), x.shape());
    }
    let (cols, perm) = layout(act, x, axis)?;
    let grad = |x: &Tensor, dy: &Tensor| -> Result<Tensor> {
        let y = forward_last(act, x, cols)?;
        let mut dx = Tensor::zeros(op, x.shape().clone())?;
        act.backward(x.data(), y.data(), dy.data(), dx.data_mut(), cols);
        Ok(dx)
    };
    match perm {
        None => grad(x, dy),
        Some(p) => {
            let dx = grad(&transpose(x, Some(&p))?, &transpose(dy, Some(&p))?)?;
            transpose(&dx, Some(&inverse(&p)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    #[test]
    fn softmax_along_any_axis() {
        // [2, 3]: softmax over axis 0 is softmax over each column.
        let x = t(&[2, 3], vec![0.0, 1.0, 2.0, 1.0, 1.0, 0.0]);
        let y = activation(&Activation::Softmax, &x, 0).unwrap();
        let (s1, s2) = (1.0 / (1.0 + 1f32.exp()), 1.0 / (1.0 + (-2f32).exp()));
        let want = [s1, 0.5, s2, 1.0 - s1, 0.5, 1.0 - s2];
        for (a, b) in y.data().iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{:?}", y.data());
        }
        // Axis 0 of x equals axis -1 of xᵀ, transposed back.
        let xt = transpose(&x, None).unwrap();
        let yt = activation(&Activation::Softmax, &xt, -1).unwrap();
        assert_eq!(transpose(&yt, None).unwrap().data(), y.data());
        // The gradient along axis 0 likewise.
        let dy = t(&[2, 3], vec![1.0, -2.0, 0.5, 3.0, 0.0, -1.0]);
        let g = activation_grad(&Activation::LogSoftmax, &x, &dy, 0).unwrap();
        let gt = activation_grad(&Activation::LogSoftmax, &xt, &transpose(&dy, None).unwrap(), 1).unwrap();
        assert_eq!(transpose(&gt, None).unwrap().data(), g.data());
    }

    #[test]
    fn middle_axis_of_rank_3() {
        let x = t(&[2, 3, 2], (0..12).map(|v| (v as f32 * 0.37).sin()).collect());
        let y = activation(&Activation::Softmax, &x, 1).unwrap();
        assert_eq!(y.dims(), &[2, 3, 2]);
        // Every (i, ·, k) fibre sums to 1.
        for i in 0..2 {
            for k in 0..2 {
                let s: f32 = (0..3).map(|j| y.data()[i * 6 + j * 2 + k]).sum();
                assert!((s - 1.0).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn errors_name_the_op_and_shapes() {
        let x = t(&[2, 3], vec![0.0; 6]);
        let e = activation(&Activation::Softmax, &x, 2).unwrap_err().to_string();
        assert_eq!(e, "softmax: axis 2 is out of range for a tensor of rank 2 (shape [2,3])");
        let e = activation(&Activation::LogSoftmax, &Tensor::scalar(1.0), -1).unwrap_err().to_string();
        assert_eq!(e, "logSoftmax: x must have at least one dimension to normalise over, got a scalar (shape [])");
        let dy = t(&[3, 2], vec![0.0; 6]);
        let e = activation_grad(&Activation::Relu, &x, &dy, -1).unwrap_err().to_string();
        assert_eq!(e, "relu: dy has shape [3,2] but x has shape [2,3]; they must be equal");
        // Element-wise activations work on scalars and ignore the axis.
        let s = activation(&Activation::Relu, &Tensor::scalar(-2.0), 7).unwrap();
        assert_eq!((s.rank(), s.data()), (0, &[0.0][..]));
        let e = activation(&Activation::Softmax, &t(&[0, 4], vec![]), -1).unwrap();
        assert_eq!(e.dims(), &[0, 4]);
    }
}
