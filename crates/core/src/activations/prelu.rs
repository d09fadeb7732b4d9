//! `prelu`: the parametric ReLU (He et al. 2015, <https://arxiv.org/abs/1502.01852>) with a
//! learnable slope per unit: `f(x) = x` for `x > 0`, `α_u·x` otherwise, where `u` is the
//! position along the last axis (`x` is `rows × units`, `α` has `units` values).
//!
//! # Derivatives
//! - `∂f/∂x = 1` for `x > 0`, `α_u` for `x ≤ 0` (α at the kink, as TF.js);
//! - `∂f/∂α_u = x` for `x ≤ 0`, else 0; so `dα_u = Σ_rows dy·x` over `x ≤ 0`.
//!
//! The kernels take slices (`forward`, `backward`, used by the layer); [`prelu`] and
//! [`prelu_grad`] are the tensor ops, which also accept a single shared α.

use crate::{bail_shape, Result, Tensor};

/// `y = prelu(x; α)` over rows of `alpha.len()` units.
pub fn forward(x: &[f32], alpha: &[f32], y: &mut [f32]) {
    if alpha.is_empty() {
        return; // no units, so no values (the op checked the shapes)
    }
    for (xr, yr) in x.chunks_exact(alpha.len()).zip(y.chunks_exact_mut(alpha.len())) {
        for ((o, &v), &a) in yr.iter_mut().zip(xr).zip(alpha) {
            *o = if v > 0.0 { v } else { a * v };
        }
    }
}

/// `dx = dy ⊙ ∂f/∂x`, and `dalpha += Σ_rows dy ⊙ ∂f/∂α` (accumulated: clear it first for a
/// fresh gradient).
pub fn backward(x: &[f32], alpha: &[f32], dy: &[f32], dx: &mut [f32], dalpha: &mut [f32]) {
    let units = alpha.len();
    if units == 0 {
        return;
    }
    let rows = x.chunks_exact(units).zip(dy.chunks_exact(units)).zip(dx.chunks_exact_mut(units));
    for ((xr, gr), dr) in rows {
        for ((((o, &v), &g), &a), da) in dr.iter_mut().zip(xr).zip(gr).zip(alpha).zip(dalpha.iter_mut()) {
            if v > 0.0 {
                *o = g;
            } else if v <= 0.0 {
                *o = a * g;
                *da += g * v;
            } else {
                // NaN input: NaN gradients, as every activation.
                *o = v;
                *da += v;
            }
        }
    }
}

/// The per-unit α for `x`: `alpha` must be a single value (shared) or hold exactly the
/// `units` of `x`'s last axis, with at most `x`'s rank (leading 1s allowed: `[1, units]`).
fn per_unit(op: &'static str, x: &Tensor, alpha: &Tensor) -> Result<Vec<f32>> {
    let units = x.dims().last().copied().unwrap_or(1);
    let a = alpha.dims();
    let leading_ones = a.iter().take(a.len().saturating_sub(1)).all(|&d| d == 1);
    if alpha.rank() > x.rank() {
        bail_shape!(op, "alpha has shape {} but x has shape {}: alpha must have at most x's rank", alpha.shape(), x.shape());
    }
    if alpha.size() == 1 {
        return Ok(vec![alpha.data()[0]; units]);
    }
    if !leading_ones || alpha.size() != units {
        bail_shape!(
            op,
            "alpha has shape {} but x has shape {}: alpha must be a single value or hold one slope per unit of the last axis ([{units}])",
            alpha.shape(),
            x.shape()
        );
    }
    Ok(alpha.data().to_vec())
}

/// `prelu(x, α)` as a tensor op: α is a single shared slope or one slope per unit of the last
/// axis.
pub fn prelu(x: &Tensor, alpha: &Tensor) -> Result<Tensor> {
    const OP: &str = "prelu";
    let a = per_unit(OP, x, alpha)?;
    let mut y = Tensor::zeros(OP, x.shape().clone())?;
    forward(x.data(), &a, y.data_mut());
    Ok(y)
}

/// The gradients of `sum(dy ⊙ prelu(x, α))`: `(dx, dα)`, with `dα` shaped like `alpha` (a
/// shared α gets the sum over every unit).
pub fn prelu_grad(x: &Tensor, alpha: &Tensor, dy: &Tensor) -> Result<(Tensor, Tensor)> {
    const OP: &str = "preluGrad";
    if dy.shape() != x.shape() {
        bail_shape!(OP, "dy has shape {} but x has shape {}; they must be equal", dy.shape(), x.shape());
    }
    let a = per_unit(OP, x, alpha)?;
    let mut dx = Tensor::zeros(OP, x.shape().clone())?;
    let mut da = crate::tensor::alloc(OP, a.len())?;
    backward(x.data(), &a, dy.data(), dx.data_mut(), &mut da);
    let mut dalpha = Tensor::zeros(OP, alpha.shape().clone())?;
    if alpha.size() == 1 {
        dalpha.data_mut()[0] = da.iter().sum();
    } else {
        dalpha.data_mut().copy_from_slice(&da);
    }
    Ok((dx, dalpha))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    #[test]
    fn per_unit_slopes_and_accumulated_dalpha() {
        // 2 rows × 3 units.
        let x = [-1.0, 2.0, -3.0, 4.0, -5.0, 0.0];
        let alpha = [0.1, 0.2, 0.3];
        let mut y = [0.0; 6];
        forward(&x, &alpha, &mut y);
        assert_eq!(y, [-0.1, 2.0, -0.90000004, 4.0, -1.0, 0.0]);
        let dy = [1.0, 1.0, 2.0, 1.0, 3.0, 5.0];
        let mut dx = [0.0; 6];
        let mut da = [10.0, 20.0, 30.0];
        backward(&x, &alpha, &dy, &mut dx, &mut da);
        assert_eq!(dx, [0.1, 1.0, 0.6, 1.0, 0.6, 1.5]);
        // dα_u = Σ dy·x over x ≤ 0, added to what was there.
        assert_eq!(da, [10.0 - 1.0, 20.0 - 15.0, 30.0 - 6.0]);
    }

    #[test]
    fn nan_propagates() {
        let mut y = [0.0];
        forward(&[f32::NAN], &[0.25], &mut y);
        assert!(y[0].is_nan());
        let (mut dx, mut da) = ([0.0], [0.0]);
        backward(&[f32::NAN], &[0.25], &[1.0], &mut dx, &mut da);
        assert!(dx[0].is_nan() && da[0].is_nan());
    }

    #[test]
    fn tensor_op_shapes() {
        let x = Tensor::new("t", Shape::from([2, 2]), vec![-1.0, 1.0, -2.0, 2.0]).unwrap();
        let shared = Tensor::scalar(0.5);
        assert_eq!(prelu(&x, &shared).unwrap().data(), &[-0.5, 1.0, -1.0, 2.0]);
        let per = Tensor::new("t", Shape::from([1, 2]), vec![0.5, 0.25]).unwrap();
        assert_eq!(prelu(&x, &per).unwrap().data(), &[-0.5, 1.0, -1.0, 2.0]);
        let dy = Tensor::full("t", Shape::from([2, 2]), 1.0).unwrap();
        let (dx, da) = prelu_grad(&x, &shared, &dy).unwrap();
        assert_eq!((dx.data(), da.data(), da.dims()), (&[0.5, 1.0, 0.5, 1.0][..], &[-3.0][..], &[][..]));
        let (_, da) = prelu_grad(&x, &per, &dy).unwrap();
        assert_eq!((da.data(), da.dims()), (&[-3.0, 0.0][..], &[1, 2][..]));

        let bad = Tensor::new("t", Shape::from([3]), vec![0.1; 3]).unwrap();
        assert_eq!(
            prelu(&x, &bad).unwrap_err().to_string(),
            "prelu: alpha has shape [3] but x has shape [2,2]: alpha must be a single value or hold one slope per unit of the last axis ([2])"
        );
        let deep = Tensor::new("t", Shape::from([1, 1, 2]), vec![0.1; 2]).unwrap();
        assert!(prelu(&x, &deep).unwrap_err().to_string().contains("at most x's rank"));
        let dy3 = Tensor::zeros("t", Shape::from([4])).unwrap();
        assert_eq!(
            prelu_grad(&x, &per, &dy3).unwrap_err().to_string(),
            "preluGrad: dy has shape [4] but x has shape [2,2]; they must be equal"
        );
    }
}
