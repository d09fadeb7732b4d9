//! Reductions over any set of axes: `sum mean max min prod variance argMax argMin`.
//!
//! The input is viewed as `[outer, r]`, where `r` is the product of the reduced dimensions
//! (the reduced axes are moved last first if they are not already). With `keep_dims` the
//! reduced axes stay as size-1 dimensions.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]`, `axes ⊆ 0..n` (negative counts from the end) → `x` without those axes.
//! `argMax`/`argMin` take exactly one axis and return indices as floats.

use super::transpose::permute;
use crate::{bail, Result, Shape, Tensor};

/// Every reduction. The discriminant is the ABI id: append-only.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    Sum = 0,
    Mean = 1,
    Max = 2,
    Min = 3,
    Prod = 4,
    ArgMax = 5,
    ArgMin = 6,
    /// Population variance (divides by `r`), as TF.js `moments`.
    Variance = 7,
}

impl ReduceOp {
    pub const ALL: [ReduceOp; 8] = [
        ReduceOp::Sum,
        ReduceOp::Mean,
        ReduceOp::Max,
        ReduceOp::Min,
        ReduceOp::Prod,
        ReduceOp::ArgMax,
        ReduceOp::ArgMin,
        ReduceOp::Variance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Mean => "mean",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
            ReduceOp::Prod => "prod",
            ReduceOp::ArgMax => "argMax",
            ReduceOp::ArgMin => "argMin",
            ReduceOp::Variance => "variance",
        }
    }

    pub fn from_id(id: u32) -> Option<ReduceOp> {
        ReduceOp::ALL.get(id as usize).copied()
    }

    fn has_identity(self) -> bool {
        matches!(self, ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Variance)
    }

    /// Reduces one contiguous row.
    fn row(self, v: &[f32]) -> f32 {
        match self {
            ReduceOp::Sum => sum(v),
            ReduceOp::Mean => sum(v) / v.len() as f32,
            ReduceOp::Prod => v.iter().product(),
            ReduceOp::Max => pick(v, |a, b| a > b).1,
            ReduceOp::Min => pick(v, |a, b| a < b).1,
            ReduceOp::ArgMax => pick(v, |a, b| a > b).0 as f32,
            ReduceOp::ArgMin => pick(v, |a, b| a < b).0 as f32,
            ReduceOp::Variance => {
                let m = sum(v) / v.len() as f32;
                let mut acc = [0f32; 8];
                let chunks = v.chunks_exact(8);
                let tail = chunks.remainder();
                for c in chunks {
                    for (a, &x) in acc.iter_mut().zip(c) {
                        *a += (x - m) * (x - m);
                    }
                }
                let mut s: f32 = acc.iter().sum();
                for &x in tail {
                    s += (x - m) * (x - m);
                }
                s / v.len() as f32
            }
        }
    }
}

/// Sums with eight interleaved accumulators: vectorisable, and more accurate than one.
pub fn sum(v: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = v.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for &x in tail {
        s += x;
    }
    s
}

/// The index and value of the first element that wins `better`; NaN wins (propagates).
fn pick(v: &[f32], better: impl Fn(f32, f32) -> bool) -> (usize, f32) {
    let mut best = (0, v[0]);
    for (i, &x) in v.iter().enumerate().skip(1) {
        if best.1.is_nan() {
            break;
        }
        if x.is_nan() || better(x, best.1) {
            best = (i, x);
        }
    }
    best
}

/// Reduces `x` over `axes` (each in `-rank..rank`, no repeats).
pub fn reduce(op: ReduceOp, x: &Tensor, axes: &[i64], keep_dims: bool) -> Result<Tensor> {
    let name = op.name();
    let rank = x.rank();
    let mut reduced = vec![false; rank];
    for &a in axes {
        let ax = x.shape().axis(name, a)?;
        if reduced[ax] {
            bail!(name, "axis {a} is listed twice in axes {axes:?}");
        }
        reduced[ax] = true;
    }
    if matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin) && axes.len() != 1 && rank > 0 {
        bail!(name, "takes exactly one axis, got {axes:?}");
    }
    let dims = x.dims();
    let r: usize = (0..rank).filter(|&i| reduced[i]).map(|i| dims[i]).product();
    if r == 0 && !op.has_identity() {
        bail!(name, "cannot reduce over an empty axis: x has shape {}", x.shape());
    }
    let out_dims: Vec<usize> = (0..rank)
        .filter_map(|i| match (reduced[i], keep_dims) {
            (false, _) => Some(dims[i]),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    let mut out = Tensor::zeros(name, Shape::from(out_dims))?;
    // Move the reduced axes last (stable order), unless they already are.
    let perm: Vec<usize> = (0..rank).filter(|&i| !reduced[i]).chain((0..rank).filter(|&i| reduced[i])).collect();
    let moved;
    let src = if perm.iter().enumerate().all(|(i, &p)| i == p) {
        x
    } else {
        moved = permute(name, x, &perm)?;
        &moved
    };
    if r == 0 {
        let fill = match op {
            ReduceOp::Sum => 0.0,
            ReduceOp::Prod => 1.0,
            _ => f32::NAN,
        };
        out.data_mut().fill(fill);
    } else {
        for (o, row) in out.data_mut().iter_mut().zip(src.data().chunks_exact(r)) {
            *o = op.row(row);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Tensor {
        Tensor::new("t", [2, 3].into(), vec![1., 5., 3., 4., 2., 6.]).unwrap()
    }

    #[test]
    fn axes_and_keep_dims() {
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[0, 1], false).unwrap().data(), &[21.]);
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[0], false).unwrap().data(), &[5., 7., 9.]);
        let m = reduce(ReduceOp::Max, &x(), &[-1], true).unwrap();
        assert_eq!((m.dims(), m.data()), (&[2usize, 1][..], &[5f32, 6.][..]));
        assert_eq!(reduce(ReduceOp::ArgMax, &x(), &[1], false).unwrap().data(), &[1., 2.]);
        assert_eq!(reduce(ReduceOp::ArgMin, &x(), &[0], false).unwrap().data(), &[0., 1., 0.]);
        assert_eq!(reduce(ReduceOp::Prod, &x(), &[1], false).unwrap().data(), &[15., 48.]);
        let v = reduce(ReduceOp::Variance, &x(), &[0], false).unwrap();
        assert_eq!(v.data(), &[2.25, 2.25, 2.25]);
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[], false).unwrap(), x());
    }

    #[test]
    fn empty_and_bad_axes() {
        let e = Tensor::zeros("t", [0, 3].into()).unwrap();
        assert_eq!(reduce(ReduceOp::Sum, &e, &[0], false).unwrap().data(), &[0., 0., 0.]);
        assert!(reduce(ReduceOp::Max, &e, &[0], false).is_err());
        assert!(reduce(ReduceOp::Sum, &x(), &[2], false).is_err());
        assert!(reduce(ReduceOp::Sum, &x(), &[1, -1], false).is_err());
        assert!(reduce(ReduceOp::ArgMax, &x(), &[0, 1], false).is_err());
    }
}
