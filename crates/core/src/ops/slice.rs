//! `slice(x, begin, size)`: the block of `x` that starts at `begin` and spans `size`.
//!
//! `y[i0, ..., in-1] = x[begin0 + i0, ..., beginn-1 + in-1]`.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]`, `begin` and `size` with at most `n` entries → `size` (resolved).
//! As in TF.js, a short `begin` is padded with `0` and a short `size` with `-1`; a size of
//! `-1` means "to the end of the axis" (`d - begin`). Every `0 <= begin[i]` and
//! `begin[i] + size[i] <= d[i]`.
//!
//! # Backward
//! `dx` is zero except for the block, where it is `dy` (a pad of `dy`).
//!
//! ```
//! use neurite_core::{ops::slice::slice, Tensor};
//! let x = Tensor::new("doc", [2, 3].into(), vec![1., 2., 3., 4., 5., 6.]).unwrap();
//! let y = slice(&x, &[0, 1], &[-1, 2]).unwrap();
//! assert_eq!((y.dims(), y.data()), (&[2, 2][..], &[2., 3., 5., 6.][..]));
//! ```

use crate::kernels::copy::{place_block, slice_block};
use crate::{bail, Result, Shape, Tensor};

/// Resolves `begin`/`size` against `x`'s shape (padding short lists as TF.js does) and checks
/// that the block lies inside `x`. Returns `(begin, size)` with one entry per axis.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn resolve_block(op: &'static str, shape: &Shape, begin: &[i64], size: &[i64]) -> Result<(Vec<usize>, Vec<usize>)> {
    let dims = shape.dims();
    let rank = dims.len();
    if begin.len() > rank {
        bail!(op, "begin {begin} has {} entries but x has rank {rank} (shape {shape})", begin.len(), begin = crate::error::ints(begin));
    }
    if size.len() > rank {
        bail!(op, "size {size} has {} entries but x has rank {rank} (shape {shape})", size.len(), size = crate::error::ints(size));
    }
    let mut b = Vec::with_capacity(rank);
    let mut s = Vec::with_capacity(rank);
    for (axis, &dim) in dims.iter().enumerate() {
        let bi = begin.get(axis).copied().unwrap_or(0);
        let si = size.get(axis).copied().unwrap_or(-1);
        let d = dim as i64;
        if bi < 0 {
            bail!(op, "begin[{axis}] = {bi} is negative (begin {begin}, x has shape {shape})", begin = crate::error::ints(begin));
        }
        if bi > d {
            bail!(op, "begin[{axis}] = {bi} is past the end of axis {axis} of size {d} (begin {begin}, x has shape {shape})", begin = crate::error::ints(begin));
        }
        let si = match si {
            -1 => d - bi,
            v if v < 0 => bail!(op, "size[{axis}] = {v} is negative; only -1 (to the end) is allowed (size {size})", size = crate::error::ints(size)),
            v => v,
        };
        if bi + si > d {
            bail!(
                op,
                "begin[{axis}] = {bi} plus size[{axis}] = {si} runs past the end of axis {axis} of size {d} (begin {begin}, size {size}, x has shape {shape})", begin = crate::error::ints(begin), size = crate::error::ints(size)
            );
        }
        b.push(bi as usize);
        s.push(si as usize);
    }
    Ok((b, s))
}

/// Copies an already resolved block of `x`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn slice_resolved(op: &'static str, x: &Tensor, begin: &[usize], size: &[usize]) -> Result<Tensor> {
    let mut out = Tensor::zeros(op, Shape::new(op, size)?)?;
    slice_block(x.data(), x.dims(), begin, size, out.data_mut());
    Ok(out)
}

/// The block of `x` at `begin` spanning `size` (`-1` = to the end).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn slice(x: &Tensor, begin: &[i64], size: &[i64]) -> Result<Tensor> {
    const OP: &str = "slice";
    let (b, s) = resolve_block(OP, x.shape(), begin, size)?;
    slice_resolved(OP, x, &b, &s)
}

/// The gradient of `slice`: `dy` placed at the block's position in zeros of `x`'s shape.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn slice_backward(x_shape: &Shape, begin: &[i64], size: &[i64], dy: &Tensor) -> Result<Tensor> {
    const OP: &str = "slice";
    let (b, s) = resolve_block(OP, x_shape, begin, size)?;
    let mut dx = Tensor::zeros(OP, x_shape.clone())?;
    place_block(dy.data(), &s, x_shape.dims(), &b, dx.data_mut());
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ops::test_util::iota;

    #[test]
    fn pads_like_tfjs() {
        let x = iota(&[3, 4]);
        let y = slice(&x, &[1], &[]).unwrap();
        assert_eq!(y.dims(), &[2, 4]);
        assert_eq!(y.data(), &[4., 5., 6., 7., 8., 9., 10., 11.]);
        let y = slice(&x, &[1, 2], &[1]).unwrap();
        assert_eq!((y.dims(), y.data()), (&[1, 2][..], &[6., 7.][..]));
        // The end of an axis is a valid begin for an empty block.
        assert_eq!(slice(&x, &[3, 0], &[-1, 2]).unwrap().dims(), &[0, 2]);
        let s = Tensor::scalar(5.0);
        assert_eq!(slice(&s, &[], &[]).unwrap().data(), &[5.0]);
    }

    #[test]
    fn errors_name_axis_begin_size_and_shape() {
        let x = iota(&[2, 4]);
        let e = slice(&x, &[0, 3], &[1, 2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "slice: begin[1] = 3 plus size[1] = 2 runs past the end of axis 1 of size 4 (begin [0, 3], size [1, 2], x has shape [2,4])"
        );
        assert!(slice(&x, &[0, 5], &[]).unwrap_err().to_string().contains("begin[1] = 5 is past the end of axis 1"));
        assert!(slice(&x, &[-1], &[]).unwrap_err().to_string().contains("begin[0] = -1 is negative"));
        assert!(slice(&x, &[0], &[-2]).unwrap_err().to_string().contains("size[0] = -2 is negative"));
        assert!(slice(&x, &[0, 0, 0], &[]).unwrap_err().to_string().contains("has 3 entries but x has rank 2"));
        assert!(slice(&x, &[], &[1, 1, 1]).unwrap_err().to_string().contains("size [1, 1, 1] has 3 entries"));
    }
}
