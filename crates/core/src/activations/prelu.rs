//! `prelu`: the parametric ReLU (He et al. 2015, <https://arxiv.org/abs/1502.01852>) with a
//! learnable slope per unit: `f(x) = x` for `x > 0`, `α_u·x` otherwise, where `u` is the
//! position along the last axis (`x` is `rows × units`, `α` has `units` values).
//!
//! # Derivatives
//! - `∂f/∂x = 1` for `x > 0`, `α_u` for `x ≤ 0` (α at the kink, as TF.js);
//! - `∂f/∂α_u = x` for `x ≤ 0`, else 0; so `dα_u = Σ_rows dy·x` over `x ≤ 0`.
//!
//! At `x = ±0` the value is `α·x` (a signed zero) for a finite α, and `x` itself for a NaN or
//! infinite α, as TF.js (`prelu([0, −0, 2, −2], NaN) = [0, −0, 2, NaN]`), not `0·∞ = NaN`.
//!
//! The kernels take slices (`forward`, `backward`, used by the layer); [`prelu`] and
//! [`prelu_grad`] are the tensor ops, which also accept a single shared α.

use crate::ops::binary::{binary, BinaryOp};
use crate::{bail_shape, Result, Shape, Tensor};

/// `y = prelu(x; α)` over rows of `alpha.len()` units.
pub fn forward(x: &[f32], alpha: &[f32], y: &mut [f32]) {
    if alpha.is_empty() {
        return; // no units, so no values (the op checked the shapes)
    }
    for (xr, yr) in x.chunks_exact(alpha.len()).zip(y.chunks_exact_mut(alpha.len())) {
        for ((o, &v), &a) in yr.iter_mut().zip(xr).zip(alpha) {
            // ±0 times a non-finite slope would be NaN: x ≥ 0 passes through there, as TF.js's
            // select (`x < 0 ? α·x : x`). A finite slope keeps α·x (the sign of α·0).
            *o = if v > 0.0 || (v == 0.0 && !a.is_finite()) { v } else { a * v };
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

/// The slopes for `x`: one per unit of the last axis when `alpha` is a single value or holds
/// exactly those units (leading 1s allowed: `[1, units]`), the layer's case; otherwise (any
/// other shape that broadcasts to `x`'s, as TF.js's `prelu` takes) one per value of `x`.
fn slopes(op: &'static str, x: &Tensor, alpha: &Tensor) -> Result<Vec<f32>> {
    let units = x.dims().last().copied().unwrap_or(1);
    let a = alpha.dims();
    let leading_ones = a.iter().take(a.len().saturating_sub(1)).all(|&d| d == 1);
    // The broadcast is x's shape only when alpha's rank is at most x's and its axes fit.
    if !Shape::broadcast(op, x.shape(), alpha.shape()).is_ok_and(|s| &s == x.shape()) {
        bail_shape!(
            op,
            "alpha has shape {} but x has shape {}: alpha must broadcast to x's shape (a single value, one slope per unit of the last axis [{units}], or any shape whose axes are 1 or x's)",
            alpha.shape(),
            x.shape()
        );
    }
    if alpha.size() == 1 {
        return crate::tensor::collect_n(op, units, core::iter::repeat_n(alpha.data()[0], units));
    }
    if leading_ones && alpha.size() == units {
        return crate::tensor::copy_of(op, alpha.data());
    }
    // alpha · 1 broadcast to x's shape: the slopes exactly (-0 and NaN included), through the
    // broadcasting kernels every binary op already has.
    let ones = Tensor::full(op, x.shape().clone(), 1.0)?;
    Ok(binary(BinaryOp::Mul, alpha, &ones)?.into_data())
}

/// `prelu(x, α)` as a tensor op: α is a single shared slope or one slope per unit of the last
/// axis.
pub fn prelu(x: &Tensor, alpha: &Tensor) -> Result<Tensor> {
    const OP: &str = "prelu";
    let a = slopes(OP, x, alpha)?;
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
    let a = slopes(OP, x, alpha)?;
    let mut dx = Tensor::zeros(OP, x.shape().clone())?;
    let mut da = crate::tensor::alloc(OP, a.len())?;
    backward(x.data(), &a, dy.data(), dx.data_mut(), &mut da);
    if alpha.size() == 1 {
        let mut dalpha = Tensor::zeros(OP, alpha.shape().clone())?;
        dalpha.data_mut()[0] = da.iter().sum();
        return Ok((dx, dalpha));
    }
    if a.len() == alpha.size() {
        return Ok((dx, Tensor::new(OP, alpha.shape().clone(), da)?));
    }
    // One slope per value of x: dα is that gradient summed back to alpha's shape.
    let per_value = Tensor::new(OP, x.shape().clone(), da)?;
    Ok((dx, crate::autodiff::sum_to(per_value, alpha.shape())?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn non_finite_slopes_pass_zeros_through() {
        let x = [0.0, -0.0, 2.0, -2.0];
        for (a, want) in [(f32::NAN, [0.0, -0.0, 2.0, f32::NAN]), (f32::INFINITY, [0.0, -0.0, 2.0, f32::NEG_INFINITY]), (f32::NEG_INFINITY, [0.0, -0.0, 2.0, f32::INFINITY])] {
            let mut y = [1.0; 4];
            forward(&x, &[a; 4], &mut y);
            let bits = |v: [f32; 4]| v.map(|f| if f.is_nan() { u32::MAX } else { f.to_bits() });
            assert_eq!(bits(y), bits(want), "alpha {a}");
        }
        // A finite slope keeps α·x at the zeros: −0.5·0 = −0, −0.5·−0 = 0.
        let mut y = [1.0; 4];
        forward(&x, &[-0.5; 4], &mut y);
        assert_eq!(y.map(f32::to_bits), [-0.0f32, 0.0, 2.0, 1.0].map(f32::to_bits));
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
            "prelu: alpha has shape [3] but x has shape [2,2]: alpha must broadcast to x's shape (a single value, one slope per unit of the last axis [2], or any shape whose axes are 1 or x's)"
        );
        let deep = Tensor::new("t", Shape::from([1, 1, 2]), vec![0.1; 2]).unwrap();
        assert!(prelu(&x, &deep).unwrap_err().to_string().contains("alpha must broadcast to x's shape"));
        let dy3 = Tensor::zeros("t", Shape::from([4])).unwrap();
        assert_eq!(
            prelu_grad(&x, &per, &dy3).unwrap_err().to_string(),
            "preluGrad: dy has shape [4] but x has shape [2,2]; they must be equal"
        );
    }

    #[test]
    fn alpha_broadcast_over_other_axes_as_tfjs() {
        // x [2, 3, 2]; alpha [3, 1] (one slope per middle index), [2, 1, 1], and x's own shape.
        let xv: Vec<f32> = (0..12).map(|i| if i % 3 == 0 { 1.0 + i as f32 } else { -1.0 - i as f32 }).collect();
        let x = Tensor::new("t", Shape::from([2, 3, 2]), xv.clone()).unwrap();
        let dy = Tensor::new("t", Shape::from([2, 3, 2]), (0..12).map(|i| 0.5 + i as f32).collect()).unwrap();
        for (adims, av) in [(vec![3, 1], vec![0.1, 0.2, 0.3]), (vec![2, 1, 1], vec![0.25, 0.5]), (vec![2, 3, 2], (0..12).map(|i| 0.01 * i as f32).collect::<Vec<f32>>())] {
            let alpha = Tensor::new("t", Shape::from(adims.as_slice()), av.clone()).unwrap();
            // The slope of value (i, j, k): alpha at (i, j, k) with its size-1 axes read at 0.
            let slope = |flat: usize| {
                let (i, j, k) = (flat / 6, (flat / 2) % 3, flat % 2);
                let pad = 3 - adims.len();
                let idx: Vec<usize> = [i, j, k][pad..].iter().zip(&adims).map(|(&v, &d)| if d == 1 { 0 } else { v }).collect();
                let mut at = 0;
                for (v, d) in idx.iter().zip(&adims) {
                    at = at * d + v;
                }
                at
            };
            let y = prelu(&x, &alpha).unwrap();
            let want: Vec<f32> = xv.iter().enumerate().map(|(f, &v)| if v > 0.0 { v } else { av[slope(f)] * v }).collect();
            assert_eq!(y.data(), want.as_slice());
            let (dx, da) = prelu_grad(&x, &alpha, &dy).unwrap();
            let want_dx: Vec<f32> = xv.iter().enumerate().map(|(f, &v)| if v > 0.0 { dy.data()[f] } else { av[slope(f)] * dy.data()[f] }).collect();
            assert_eq!(dx.data(), want_dx.as_slice());
            let mut want_da = vec![0.0f32; av.len()];
            for (f, &v) in xv.iter().enumerate() {
                if v <= 0.0 {
                    want_da[slope(f)] += dy.data()[f] * v;
                }
            }
            assert_eq!(da.dims(), adims.as_slice());
            for (g, w) in da.data().iter().zip(&want_da) {
                assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{g} vs {w}");
            }
        }
    }
}
