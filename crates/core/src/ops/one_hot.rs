//! `one_hot(indices, depth, on, off)`: one row of length `depth` per index.
//!
//! `y[i.., k] = on` if `indices[i..] == k`, else `off`.
//!
//! # Shapes
//! `indices: [k...]` of any rank → `[k..., depth]`.
//!
//! # Out-of-range and non-integer indices
//! An integer index outside `0..depth` (negative or too large) gives a row of `off`, as in
//! TF.js. A NaN, infinite or fractional index is an error naming the value and its position.
//! NOTE: TF.js truncates such values silently (its indices are int32); a float index that
//! is not an integer is almost always a bug upstream (e.g. labels that were normalised), so
//! we report it instead of guessing.
//!
//! # Backward
//! No gradient flows to `indices` (they are labels, not parameters).
//!
//! ```
//! use neurite_core::{ops::one_hot::one_hot, Tensor};
//! let i = Tensor::new("doc", [3].into(), vec![0., 2., 5.]).unwrap();
//! let y = one_hot(&i, 3, 1.0, 0.0).unwrap();
//! assert_eq!(y.data(), &[1., 0., 0., 0., 0., 1., 0., 0., 0.]);
//! ```

use super::gather::integer_index;
use crate::kernels::copy;
use crate::{Result, Shape, Tensor};

/// One-hot encodes `indices` into rows of length `depth`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn one_hot(indices: &Tensor, depth: usize, on: f32, off: f32) -> Result<Tensor> {
    const OP: &str = "oneHot";
    // One inline test per value; the checked (out-of-line) form only for the error message.
    if let Some(pos) = indices.data().iter().position(|&v| !(v.is_finite() && v.trunc() == v)) {
        integer_index(OP, "indices", indices.data()[pos], pos, indices)?;
    }
    let mut dims = indices.dims().to_vec();
    dims.push(depth);
    let shape = Shape::new(OP, &dims)?;
    // Written once: `off` everywhere (no zero-fill first), then the `on` of each row.
    let n = shape.checked_size(OP)?;
    let mut v = crate::tensor::alloc_empty(OP, n)?;
    v.resize(n, off);
    copy::one_hot_on(indices.data(), depth, on, &mut v);
    Tensor::new(OP, shape, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_out_of_range() {
        let i = Tensor::new("t", [2, 2].into(), vec![1., -1., 0., 4.]).unwrap();
        let y = one_hot(&i, 4, 5.0, -1.0).unwrap();
        assert_eq!(y.dims(), &[2, 2, 4]);
        assert_eq!(
            y.data(),
            &[-1., 5., -1., -1., -1., -1., -1., -1., 5., -1., -1., -1., -1., -1., -1., -1.]
        );
        let y = one_hot(&Tensor::scalar(1.), 2, 1., 0.).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2][..], &[0., 1.][..]));
        assert_eq!(one_hot(&i, 0, 1., 0.).unwrap().dims(), &[2, 2, 0]);
    }

    #[test]
    fn non_integers_are_errors() {
        let i = Tensor::new("t", [3].into(), vec![0., 1.5, 2.]).unwrap();
        let e = one_hot(&i, 3, 1., 0.).unwrap_err();
        assert_eq!(e.to_string(), "oneHot: indices[1] = 1.5 is not an integer (indices has shape [3])");
        let i = Tensor::new("t", [1, 1].into(), vec![f32::NAN]).unwrap();
        assert!(one_hot(&i, 3, 1., 0.).unwrap_err().to_string().contains("indices[0,0] = NaN"));
    }
}
