//! Backward rules of the reductions (`ops/reduce.rs`).
//!
//! With `ĝ` the output gradient reshaped to keep the reduced axes (size 1) and broadcast
//! back over them: `sum` → `ĝ`; `mean` → `ĝ / n`; `max`/`min` → `ĝ` where `x` equals the
//! result (every tie receives it, as in TF.js); `prod` → `ĝ · y / x` (computed without
//! dividing by zero: the product of the other elements); `variance` → `ĝ · 2(x − μ)/n`;
//! `argMax`/`argMin` → none.

use crate::ops::binary::{binary, BinaryOp};
use crate::ops::reduce::{reduce, ReduceOp};
use crate::{Result, Shape, Tensor};

/// The shape of the output with reduced axes kept as 1.
fn kept_shape(x: &Tensor, axes: &[i64]) -> Result<Shape> {
    let mut dims = x.dims().to_vec();
    for &a in axes {
        let ax = x.shape().axis("grad", a)?;
        dims[ax] = 1;
    }
    Shape::new("grad", &dims)
}

/// `dx` for `y = op(x, axes, keep_dims)` given `g = dL/dy`.
pub fn reduce_backward(op: ReduceOp, x: &Tensor, y: &Tensor, g: &Tensor, axes: &[i64], _keep_dims: bool) -> Result<Option<Tensor>> {
    let kept = kept_shape(x, axes)?;
    let n: usize = axes.iter().map(|&a| x.shape().axis("grad", a).map(|ax| x.dims()[ax])).collect::<Result<Vec<usize>>>()?.iter().product();
    let gk = g.clone().with_shape(kept.clone());
    let yk = y.clone().with_shape(kept);
    let zeros = Tensor::zeros("grad", x.shape().clone())?;
    let gb = binary(BinaryOp::Add, &zeros, &gk)?; // ĝ broadcast to x's shape
    let out = match op {
        ReduceOp::Sum => gb,
        ReduceOp::Mean => {
            let mut t = gb;
            t.data_mut().iter_mut().for_each(|v| *v /= n.max(1) as f32);
            t
        }
        ReduceOp::Max | ReduceOp::Min => {
            let yb = binary(BinaryOp::Add, &zeros, &yk)?;
            let mut t = gb;
            for ((o, &xv), &yv) in t.data_mut().iter_mut().zip(x.data()).zip(yb.data()) {
                if xv != yv {
                    *o = 0.0;
                }
            }
            t
        }
        ReduceOp::Prod => {
            // ∂/∂xᵢ Πx = Π_{j≠i} xⱼ, computed per element by leave-one-out products so zeros
            // are handled exactly.
            let others = leave_one_out_products(x, axes)?;
            binary(BinaryOp::Mul, &gb, &others)?
        }
        ReduceOp::Variance => {
            let mean = reduce(ReduceOp::Mean, x, axes, true)?;
            let centered = binary(BinaryOp::Sub, x, &mean)?;
            let mut t = binary(BinaryOp::Mul, &gb, &centered)?;
            t.data_mut().iter_mut().for_each(|v| *v *= 2.0 / n.max(1) as f32);
            t
        }
        ReduceOp::ArgMax | ReduceOp::ArgMin => return Ok(None),
    };
    Ok(Some(out))
}

/// For each element, the product of the other elements in its reduction group.
fn leave_one_out_products(x: &Tensor, axes: &[i64]) -> Result<Tensor> {
    let mut out = Tensor::zeros("grad", x.shape().clone())?;
    let rank = x.rank();
    let reduced: Vec<bool> = (0..rank).map(|i| axes.iter().any(|&a| x.shape().axis("grad", a).ok() == Some(i))).collect();
    let strides = x.shape().strides();
    // Group key: the flat index with reduced coordinates zeroed. Sorted by (key, index), so
    // each group is a run with its members in index order (no hash map in the wasm).
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(x.size());
    for flat in 0..x.size() {
        let mut key = 0;
        let mut rest = flat;
        for d in 0..rank {
            let c = rest / strides[d];
            rest %= strides[d];
            if !reduced[d] {
                key += c * strides[d];
            }
        }
        order.push((key, flat));
    }
    crate::sort::heapsort_by(&mut order, |a, b| a < b);
    for group in order.chunk_by(|a, b| a.0 == b.0) {
        for &(_, i) in group {
            let p: f32 = group.iter().filter(|&&(_, j)| j != i).map(|&(_, j)| x.data()[j]).product();
            out.data_mut()[i] = p;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_finite_differences() {
        let x = Tensor::new("t", [2, 3].into(), vec![0.5, 1.5, -0.7, 2.0, 0.0, 1.2]).unwrap();
        let g = Tensor::new("t", [2].into(), vec![1.0, -2.0]).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod, ReduceOp::Variance] {
            let y = reduce(op, &x, &[1], false).unwrap();
            let d = reduce_backward(op, &x, &y, &g, &[1], false).unwrap().unwrap();
            let f = |t: &Tensor| -> f32 { reduce(op, t, &[1], false).unwrap().data().iter().zip(g.data()).map(|(a, b)| a * b).sum() };
            for i in 0..6 {
                let eps = 1e-3;
                let mut p = x.clone();
                p.data_mut()[i] += eps;
                let mut m = x.clone();
                m.data_mut()[i] -= eps;
                let num = (f(&p) - f(&m)) / (2.0 * eps);
                assert!((num - d.data()[i]).abs() < 1e-2 * (1.0 + num.abs()), "{op:?}[{i}]: {num} vs {}", d.data()[i]);
            }
        }
    }
}
