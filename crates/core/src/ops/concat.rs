//! `concat(xs, axis)` joins tensors along an existing axis; `stack(xs, axis)` joins them along
//! a new one.
//!
//! # Shapes
//! - `concat`: every `xs[i]` has the same rank `n >= 1` and the same dims except on `axis`
//!   (`-n <= axis < n`) → the common shape with `d[axis] = Σ xs[i].shape[axis]`.
//! - `stack`: every `xs[i]` has the same shape `[d0, ..., dn-1]`; `axis` in `-(n+1)..=n`
//!   (negative counts from the end of the *output*) → `[d0, ..., k, ..., dn-1]` with
//!   `k = xs.len()` inserted at `axis`.
//!
//! Both view each input as `[outer, len_i]` (`outer` = product of the dims before `axis`) and
//! write output row `o` as row `o` of every input in turn ([`interleave`]).
//!
//! # Backward
//! `dxs[i]` is the slice of `dy` that `xs[i]` filled (a `split` of `dy` along `axis`).
//!
//! ```
//! use neurite_core::{ops::concat::{concat, stack}, Tensor};
//! let a = Tensor::new("doc", [2].into(), vec![1., 2.]).unwrap();
//! let b = Tensor::new("doc", [2].into(), vec![3., 4.]).unwrap();
//! assert_eq!(concat(&[&a, &b], 0).unwrap().data(), &[1., 2., 3., 4.]);
//! assert_eq!(stack(&[&a, &b], 1).unwrap().data(), &[1., 3., 2., 4.]);
//! ```

use crate::kernels::copy::interleave;
use crate::{bail, bail_shape, Result, Shape, Tensor};

/// Resolves an axis in `-(rank)..rank` (or `-(rank+1)..=rank` when `insert` is true, for an
/// axis that will be created). The message names `what` ("tensors" or "x") and its shape.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn resolve_axis(op: &'static str, axis: i64, rank: usize, insert: bool, what: &str, shape: &Shape) -> Result<usize> {
    let r = rank as i64 + i64::from(insert);
    let a = if axis < 0 { axis + r } else { axis };
    if a < 0 || a >= r {
        let (lo, hi) = (-r, r - 1);
        bail!(op, "axis {axis} is out of range [{lo}, {hi}] for {what} of rank {rank} (shape {shape})");
    }
    Ok(a as usize)
}

/// Joins `xs` along the existing axis `axis`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn concat(xs: &[&Tensor], axis: i64) -> Result<Tensor> {
    const OP: &str = "concat";
    let Some(first) = xs.first() else {
        bail!(OP, "tensors is empty; pass at least one tensor");
    };
    let rank = first.rank();
    for (i, x) in xs.iter().enumerate().skip(1) {
        if x.rank() != rank {
            bail_shape!(OP, "tensors[{i}] has rank {} (shape {}) but tensors[0] has rank {rank} (shape {})", x.rank(), x.shape(), first.shape());
        }
    }
    if rank == 0 {
        bail!(OP, "cannot concatenate scalars (tensors[0] has shape []); use stack to join them along a new axis");
    }
    let ax = resolve_axis(OP, axis, rank, false, "tensors", first.shape())?;
    let mut dims = first.dims().to_vec();
    for (i, x) in xs.iter().enumerate().skip(1) {
        let same = x.dims().iter().zip(first.dims()).enumerate().all(|(d, (a, b))| d == ax || a == b);
        if !same {
            bail_shape!(
                OP,
                "tensors[{i}] has shape {} but tensors[0] has shape {}; they must match on every axis except axis {ax}",
                x.shape(),
                first.shape()
            );
        }
        dims[ax] = crate::shape::dim_add(OP, dims[ax], x.dims()[ax], || format!("the joined axis {ax} after tensors[{i}]"))?;
    }
    let outer: usize = dims[..ax].iter().product();
    join(OP, xs, Shape::new(OP, &dims)?, outer)
}

/// Joins `xs`, all of one shape, along a new axis `axis`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn stack(xs: &[&Tensor], axis: i64) -> Result<Tensor> {
    const OP: &str = "stack";
    let Some(first) = xs.first() else {
        bail!(OP, "tensors is empty; pass at least one tensor");
    };
    for (i, x) in xs.iter().enumerate().skip(1) {
        if x.shape() != first.shape() {
            bail_shape!(OP, "tensors[{i}] has shape {} but tensors[0] has shape {}; stack needs equal shapes", x.shape(), first.shape());
        }
    }
    let ax = resolve_axis(OP, axis, first.rank(), true, "tensors", first.shape())?;
    let mut dims = first.dims().to_vec();
    dims.insert(ax, xs.len());
    // Shape::new below checks the new axis against the largest dimension.
    let outer: usize = dims[..ax].iter().product();
    join(OP, xs, Shape::new(OP, &dims)?, outer)
}

/// Allocates `shape` and fills it row by row from `xs` (each viewed as `[outer, len_i]`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn join(op: &'static str, xs: &[&Tensor], shape: Shape, outer: usize) -> Result<Tensor> {
    let mut out = Tensor::zeros(op, shape)?;
    let parts: Vec<&[f32]> = xs.iter().map(|x| x.data()).collect();
    interleave(&parts, outer, out.data_mut());
    Ok(out)
}

/// The gradients of `concat(xs, axis)`: the slices of `dy` each input filled.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn concat_backward(xs: &[&Tensor], axis: i64, dy: &Tensor) -> Result<Vec<Tensor>> {
    let rank = dy.rank();
    let ax = resolve_axis("concat", axis, rank, false, "tensors", dy.shape())?;
    let mut begin = vec![0i64; rank];
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        let size: Vec<i64> = x.dims().iter().map(|&d| d as i64).collect();
        out.push(crate::ops::slice::slice(dy, &begin, &size)?);
        begin[ax] += x.dims()[ax] as i64;
    }
    Ok(out)
}

/// The gradients of `stack(xs, axis)`: `dy` split along `axis`, each piece without that axis.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn stack_backward(xs: &[&Tensor], axis: i64, dy: &Tensor) -> Result<Vec<Tensor>> {
    let rank = dy.rank();
    let ax = resolve_axis("stack", axis, rank, false, "tensors", dy.shape())?;
    let mut out = Vec::with_capacity(xs.len());
    for (i, x) in xs.iter().enumerate() {
        let mut begin = vec![0i64; rank];
        begin[ax] = i as i64;
        let mut size: Vec<i64> = dy.dims().iter().map(|&d| d as i64).collect();
        size[ax] = 1;
        out.push(crate::ops::slice::slice(dy, &begin, &size)?.with_shape(x.shape().clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iota(dims: &[usize], start: f32) -> Tensor {
        let n = dims.iter().product::<usize>();
        Tensor::new("t", dims.into(), (0..n).map(|v| start + v as f32).collect()).unwrap()
    }

    #[test]
    fn concat_along_each_axis() {
        let a = iota(&[2, 2], 0.);
        let b = iota(&[2, 1], 10.);
        let y = concat(&[&a, &b], 1).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 3][..], &[0., 1., 10., 2., 3., 11.][..]));
        let y = concat(&[&a, &a], -2).unwrap();
        assert_eq!(y.dims(), &[4, 2]);
        let empty = iota(&[2, 0], 0.);
        assert_eq!(concat(&[&empty, &b, &empty], 1).unwrap().data(), b.data());
        assert_eq!(concat(&[&a], 0).unwrap(), a);
    }

    #[test]
    fn stack_inserts_an_axis() {
        let a = iota(&[2], 0.);
        let b = iota(&[2], 10.);
        assert_eq!(stack(&[&a, &b], 0).unwrap().dims(), &[2, 2]);
        let y = stack(&[&a, &b], -1).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 2][..], &[0., 10., 1., 11.][..]));
        let s = Tensor::scalar(1.0);
        assert_eq!(stack(&[&s, &s, &s], 0).unwrap().dims(), &[3]);
    }

    #[test]
    fn errors_name_the_input() {
        let a = iota(&[2, 2], 0.);
        let b = iota(&[3, 3], 0.);
        let c = iota(&[2], 0.);
        let e = concat(&[&a, &a, &b], 0).unwrap_err();
        assert_eq!(e.to_string(), "concat: tensors[2] has shape [3,3] but tensors[0] has shape [2,2]; they must match on every axis except axis 0");
        assert!(concat(&[&a, &c], 0).unwrap_err().to_string().contains("tensors[1] has rank 1 (shape [2]) but tensors[0] has rank 2"));
        assert!(concat(&[&a], 2).unwrap_err().to_string().contains("axis 2 is out of range [-2, 1]"));
        assert!(concat(&[], 0).is_err());
        let s = Tensor::scalar(1.0);
        assert!(concat(&[&s, &s], 0).unwrap_err().to_string().contains("cannot concatenate scalars"));
        assert!(stack(&[&a, &b], 0).unwrap_err().to_string().contains("tensors[1] has shape [3,3]"));
        // Joined dimensions that overflow are errors (zero-size tensors make it cheap to try).
        let big = Tensor::zeros("t", [0, crate::shape::MAX_DIM - 1].into()).unwrap();
        let two = Tensor::zeros("t", [0, 2].into()).unwrap();
        let e = concat(&[&big, &two], 1).unwrap_err();
        assert_eq!(e.to_string(), "concat: the joined axis 1 after tensors[1] = 4294967294 + 2 overflows: a dimension must be at most 4294967295");
        assert!(stack(&[&a], 3).unwrap_err().to_string().contains("axis 3 is out of range [-3, 2]"));
    }
}
