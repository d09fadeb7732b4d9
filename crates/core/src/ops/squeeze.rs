//! `squeeze(x, axes)` removes size-1 axes; `expand_dims(x, axis)` inserts one. Both keep the
//! values and change only the shape, like `reshape`.
//!
//! # Shapes
//! - `squeeze`: `x: [d0, ..., dn-1]`; with no axes (or an empty list) every `di == 1` is
//!   dropped; with axes (each in `-n..n`, repeats allowed) exactly those are dropped, and each
//!   must have size 1.
//! - `expand_dims`: `x: [d0, ..., dn-1]`, `axis` in `-(n+1)..=n` (`-1` appends) →
//!   the shape with a `1` inserted at `axis`.
//!
//! # Backward
//! `dx = reshape(dy, x.shape)`.
//!
//! ```
//! use neurite_core::{ops::squeeze::{expand_dims, squeeze}, Tensor};
//! let x = Tensor::zeros("doc", [1, 3, 1].into()).unwrap();
//! assert_eq!(squeeze(&x, None).unwrap().dims(), &[3]);
//! assert_eq!(squeeze(&x, Some(&[-1])).unwrap().dims(), &[1, 3]);
//! assert_eq!(expand_dims(&x, -1).unwrap().dims(), &[1, 3, 1, 1]);
//! ```

use super::concat::resolve_axis;
use crate::{bail, Result, Shape, Tensor};

/// The shape of `x` without the listed size-1 axes (all size-1 axes if `axes` is `None` or
/// empty).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn squeeze_shape(op: &'static str, shape: &Shape, axes: Option<&[i64]>) -> Result<Shape> {
    let dims = shape.dims();
    let mut drop = vec![false; dims.len()];
    match axes {
        None | Some([]) => {
            for (d, flag) in dims.iter().zip(drop.iter_mut()) {
                *flag = *d == 1;
            }
        }
        Some(list) => {
            for &a in list {
                let ax = shape.axis(op, a)?;
                if dims[ax] != 1 {
                    bail!(op, "cannot squeeze axis {a}: its size is {}, not 1 (axis {list}, x has shape {shape})", dims[ax], list = crate::error::ints(list));
                }
                drop[ax] = true;
            }
        }
    }
    let kept: Vec<usize> = dims.iter().zip(&drop).filter(|(_, &d)| !d).map(|(&v, _)| v).collect();
    Shape::new(op, &kept)
}

/// `x` without size-1 axes (all of them, or those listed in `axes`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn squeeze(x: &Tensor, axes: Option<&[i64]>) -> Result<Tensor> {
    let s = squeeze_shape("squeeze", x.shape(), axes)?;
    Ok(x.clone().with_shape(s))
}

/// `x` with a new size-1 axis at `axis` (negative counts from the end of the output).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn expand_dims(x: &Tensor, axis: i64) -> Result<Tensor> {
    const OP: &str = "expandDims";
    let ax = resolve_axis(OP, axis, x.rank(), true, "x", x.shape())?;
    let mut dims = x.dims().to_vec();
    dims.insert(ax, 1);
    let s = Shape::new(OP, &dims)?;
    Ok(x.clone().with_shape(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeeze_all_or_listed() {
        let x = Tensor::zeros("t", [1, 2, 1, 1].into()).unwrap();
        assert_eq!(squeeze(&x, None).unwrap().dims(), &[2]);
        assert_eq!(squeeze(&x, Some(&[])).unwrap().dims(), &[2]);
        assert_eq!(squeeze(&x, Some(&[0, -1])).unwrap().dims(), &[2, 1]);
        assert_eq!(squeeze(&x, Some(&[2, 2])).unwrap().dims(), &[1, 2, 1]);
        let s = Tensor::zeros("t", [1, 1].into()).unwrap();
        assert_eq!(squeeze(&s, None).unwrap().rank(), 0);
        let e = squeeze(&x, Some(&[1])).unwrap_err();
        assert_eq!(e.to_string(), "squeeze: cannot squeeze axis 1: its size is 2, not 1 (axis [1], x has shape [1,2,1,1])");
        assert!(squeeze(&x, Some(&[4])).unwrap_err().to_string().contains("axis 4 is out of range"));
    }

    #[test]
    fn expand_dims_range() {
        let x = Tensor::new("t", [2].into(), vec![1., 2.]).unwrap();
        assert_eq!(expand_dims(&x, 0).unwrap().dims(), &[1, 2]);
        assert_eq!(expand_dims(&x, 1).unwrap().dims(), &[2, 1]);
        assert_eq!(expand_dims(&x, -1).unwrap().dims(), &[2, 1]);
        assert_eq!(expand_dims(&x, -2).unwrap().dims(), &[1, 2]);
        assert_eq!(expand_dims(&Tensor::scalar(3.), 0).unwrap().dims(), &[1]);
        let e = expand_dims(&x, 2).unwrap_err();
        assert_eq!(e.to_string(), "expandDims: axis 2 is out of range [-2, 1] for x of rank 1 (shape [2])");
        assert!(expand_dims(&x, -3).is_err());
    }
}
