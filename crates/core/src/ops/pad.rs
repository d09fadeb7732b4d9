//! `pad(x, paddings, value)`: `x` surrounded by `value`, as TF.js `pad`.
//!
//! Axis `i` gets `paddings[i] = [before, after]` entries of `value` before and after `x`'s.
//!
//! # Shapes
//! `x: [d0, …, dn-1]`, `paddings`: `n` pairs of non-negative integers →
//! `[before0 + d0 + after0, …]`.
//!
//! # Backward
//! `dx` is the block of `dy` where `x` sits (a slice at `before`, spanning `x`'s shape); the
//! padding has no input.
//!
//! ```
//! use neurite_core::{ops::pad::pad, Tensor};
//! let x = Tensor::new("doc", [2].into(), vec![1., 2.]).unwrap();
//! assert_eq!(pad(&x, &[[1, 2]], 9.0).unwrap().data(), &[9., 1., 2., 9., 9.]);
//! ```

use crate::kernels::copy::place_block;
use crate::ops::slice::slice_resolved;
use crate::{bail, Result, Shape, Tensor};

/// The `before` entries of each pair and the padded shape's dims, checked against `x` (one
/// non-negative pair per axis, each padded axis within the largest dimension); `mirrorPad` adds
/// its own limits on top.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn check(op: &'static str, x: &Shape, paddings: &[[i64; 2]]) -> Result<(Vec<usize>, Vec<usize>)> {
    if paddings.len() != x.rank() {
        bail!(op, "paddings has {} pairs but x has rank {} (shape {x}); give one [before, after] per axis", paddings.len(), x.rank());
    }
    let mut before = Vec::with_capacity(paddings.len());
    let mut dims = Vec::with_capacity(paddings.len());
    for (i, (&[b, a], &d)) in paddings.iter().zip(x.dims()).enumerate() {
        if b < 0 || a < 0 {
            bail!(op, "paddings[{i}] = [{b}, {a}] is negative (x has shape {x}); padding must be >= 0");
        }
        // Checked once against the largest dimension (an overflow of u64 is past it too).
        let total = (b as u64).checked_add(a as u64).and_then(|s| s.checked_add(d as u64)).filter(|&t| t <= crate::shape::MAX_DIM as u64);
        let Some(total) = total else {
            bail!(op, "axis {i} of the result ({b} + {d} + {a} entries) would be longer than {}", crate::shape::MAX_DIM);
        };
        dims.push(total as usize);
        before.push(b as usize);
    }
    Ok((before, dims))
}

/// `x` with `paddings[i][0]` entries of `value` before and `paddings[i][1]` after it on axis `i`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn pad(x: &Tensor, paddings: &[[i64; 2]], value: f32) -> Result<Tensor> {
    const OP: &str = "pad";
    let (before, dims) = check(OP, x.shape(), paddings)?;
    let mut out = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
    // As TF.js: a value equal to 0 (−0 too) leaves the zeros the buffer starts with.
    if value != 0.0 {
        out.data_mut().fill(value);
    }
    place_block(x.data(), x.dims(), &dims, &before, out.data_mut());
    Ok(out)
}

/// The gradient of `pad`: the block of `dy` at `before` with `x`'s shape.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn pad_backward(x_shape: &Shape, paddings: &[[i64; 2]], dy: &Tensor) -> Result<Tensor> {
    let (before, _) = check("pad", x_shape, paddings)?;
    slice_resolved("pad", dy, &before, x_shape.dims())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::slice::slice;

    #[test]
    fn pads_each_axis_and_the_backward_slices_it_back() {
        let x = Tensor::new("t", [2, 3].into(), (1..=6).map(|v| v as f32).collect()).unwrap();
        let y = pad(&x, &[[1, 0], [2, 1]], -1.0).unwrap();
        assert_eq!(y.dims(), &[3, 6]);
        #[rustfmt::skip]
        assert_eq!(y.data(), &[
            -1., -1., -1., -1., -1., -1.,
            -1., -1., 1., 2., 3., -1.,
            -1., -1., 4., 5., 6., -1.,
        ]);
        assert_eq!(pad_backward(x.shape(), &[[1, 0], [2, 1]], &y).unwrap().data(), x.data());
        assert_eq!(slice(&y, &[1, 2], &[2, 3]).unwrap().data(), x.data());
        // −0 pads with +0, as TF.js (which fills only a value that is not 0).
        assert!(pad(&x, &[[0, 1], [0, 0]], -0.0).unwrap().data()[6..].iter().all(|v| v.to_bits() == 0));
    }

    #[test]
    fn scalars_empty_tensors_and_errors() {
        assert_eq!(pad(&Tensor::scalar(2.), &[], 0.).unwrap().data(), &[2.]);
        let e = Tensor::zeros("t", [0, 2].into()).unwrap();
        let y = pad(&e, &[[1, 1], [0, 0]], 7.).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 2][..], &[7., 7., 7., 7.][..]));
        assert_eq!(pad_backward(e.shape(), &[[1, 1], [0, 0]], &y).unwrap().dims(), &[0, 2]);
        let x = Tensor::zeros("t", [2, 3].into()).unwrap();
        assert_eq!(pad(&x, &[[1, 1]], 0.).unwrap_err().to_string(), "pad: paddings has 1 pairs but x has rank 2 (shape [2,3]); give one [before, after] per axis");
        assert_eq!(pad(&x, &[[0, 0], [0, -2]], 0.).unwrap_err().to_string(), "pad: paddings[1] = [0, -2] is negative (x has shape [2,3]); padding must be >= 0");
        assert!(pad(&x, &[[0, 0], [i64::MAX, 1]], 0.).is_err());
    }

    /// Every rank from 1 to 5, with no padding, full-width padding (each axis padded by its
    /// length on both sides), whole last rows and mixed pads, against index arithmetic; the
    /// backward slices `x` back; and slice's backward (the same block copy) places it again.
    #[test]
    fn every_rank_against_index_arithmetic() {
        use crate::ops::slice::slice_backward;
        use crate::ops::test_util::{coords, flat, iota, pad_cases};
        let all = [3usize, 1, 4, 2, 5];
        for dims in (1..=5).map(|r| all[..r].to_vec()).chain([vec![3, 0, 2], vec![2, 3, 1, 1, 17]]) {
            let x = iota(&dims);
            for paddings in pad_cases(&dims, |d| d) {
                let y = pad(&x, &paddings, -1.5).unwrap();
                let want: Vec<f32> = (0..y.size())
                    .map(|o| {
                        let c = coords(o, y.dims());
                        let inside: Option<Vec<usize>> = c.iter().zip(&paddings).zip(&dims).map(|((&c, p), &d)| c.checked_sub(p[0] as usize).filter(|&v| v < d)).collect();
                        inside.map_or(-1.5, |xc| x.data()[flat(&xc, &dims)])
                    })
                    .collect();
                assert_eq!(y.data(), want, "{dims:?} {paddings:?}");
                assert_eq!(pad_backward(x.shape(), &paddings, &y).unwrap().data(), x.data());
                let begin: Vec<i64> = paddings.iter().map(|p| p[0]).collect();
                let size: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
                let dx = slice_backward(y.shape(), &begin, &size, &x).unwrap();
                let zeros: Vec<f32> = want.iter().map(|&v| if v == -1.5 { 0.0 } else { v }).collect();
                assert_eq!(dx.data(), zeros, "{dims:?} {paddings:?}");
            }
        }
    }
}
