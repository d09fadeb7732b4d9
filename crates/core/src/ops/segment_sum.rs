//! `unsortedSegmentSum(x, segmentIds, numSegments)`: sums of the slices of `x` that share a
//! segment id, as TF.js `unsortedSegmentSum`; the scatter-add that `scatterND` and the other
//! scatters are made of.
//!
//! `y[s, b..] = Σ { x[i.., b..] : segmentIds[i..] = s }`, where `i..` are the leading axes of
//! `x` that `segmentIds` covers and `b..` the rest. A negative id drops its row (TensorFlow's
//! documented rule; `bincount` marks the values it does not count so); an id at or past
//! `numSegments` is an error naming it, as TensorFlow's CPU kernel raises (TF.js 4.22 drops
//! the row silently, losing data). The sums run in the order of `x`'s rows, in float32.
//!
//! # Shapes
//! `x: [d0, …, dn−1]`, `segmentIds`: a shape that is a prefix of `x`'s (TF.js takes the 1-D
//! `[d0]`), holding integers → `[numSegments] ++ x.shape[segmentIds.rank..]`.
//!
//! # Backward
//! `dx[i.., b..] = dy[segmentIds[i..], b..]` (a gather; 0 for a dropped id). `segmentIds` has
//! no gradient.
//!
//! ```
//! use neurite_core::{ops::segment_sum::unsorted_segment_sum, Tensor};
//! let x = Tensor::new("doc", [3, 2].into(), vec![1., 2., 3., 4., 5., 6.]).unwrap();
//! let ids = Tensor::new("doc", [3].into(), vec![0., 2., 0.]).unwrap();
//! assert_eq!(unsorted_segment_sum(&x, &ids, 3).unwrap().data(), &[6., 8., 0., 0., 3., 4.]);
//! ```

use super::gather::{integer_index, position};
use crate::{bail, Result, Shape, Tensor};

/// The segment of each row of `x` (`None`: a negative id, dropped) and the row length, after
/// the checks (an id at or past `num_segments` is an error).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn segments(x: &Shape, ids: &Tensor, num_segments: usize) -> Result<(Vec<Option<usize>>, usize)> {
    const OP: &str = "unsortedSegmentSum";
    let k = ids.rank();
    if k > x.rank() || ids.dims() != &x.dims()[..k] {
        bail!(OP, "segmentIds has shape {} but must have the shape of x's leading axes (x has shape {}; TF.js takes segmentIds of shape [{}])", ids.shape(), x, x.dims().first().copied().unwrap_or(1));
    }
    let mut seg = Vec::new();
    seg.try_reserve_exact(ids.size()).map_err(|_| crate::Error::OutOfMemory { op: OP, bytes: ids.size() as u64 * 16 })?;
    for (pos, &v) in ids.data().iter().enumerate() {
        let i = integer_index(OP, "segmentIds", v, pos, ids)?;
        if i >= num_segments as i64 {
            bail!(
                OP,
                "segmentIds{} = {i} is out of range: numSegments is {num_segments}, so ids must be below {num_segments} (segmentIds has shape {}; a negative id drops its row, as in TensorFlow)",
                position(pos, ids.dims()),
                ids.shape()
            );
        }
        seg.push(usize::try_from(i).ok());
    }
    Ok((seg, x.dims()[k..].iter().product()))
}

/// Sums of `x`'s slices by segment id.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn unsorted_segment_sum(x: &Tensor, segment_ids: &Tensor, num_segments: usize) -> Result<Tensor> {
    const OP: &str = "unsortedSegmentSum";
    let (seg, row) = segments(x.shape(), segment_ids, num_segments)?;
    let mut dims = vec![num_segments];
    dims.extend_from_slice(&x.dims()[segment_ids.rank()..]);
    let mut out = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
    if row == 0 {
        return Ok(out);
    }
    let y = out.data_mut();
    for (s, src) in seg.iter().zip(x.data().chunks_exact(row)) {
        if let Some(s) = *s {
            for (d, &v) in y[s * row..(s + 1) * row].iter_mut().zip(src) {
                *d += v;
            }
        }
    }
    Ok(out)
}

/// The gradient of [`unsorted_segment_sum`] w.r.t. `x` (of shape `x_shape`), for `dy` at its
/// output.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn unsorted_segment_sum_backward(x_shape: &Shape, segment_ids: &Tensor, dy: &Tensor) -> Result<Tensor> {
    let num_segments = dy.dims().first().copied().unwrap_or(0);
    let (seg, row) = segments(x_shape, segment_ids, num_segments)?;
    let mut dx = Tensor::zeros("unsortedSegmentSum", x_shape.clone())?;
    if row == 0 {
        return Ok(dx);
    }
    for (s, dst) in seg.iter().zip(dx.data_mut().chunks_exact_mut(row)) {
        if let Some(s) = *s {
            dst.copy_from_slice(&dy.data()[s * row..(s + 1) * row]);
        }
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_util::t;

    #[test]
    fn sums_by_id_and_drops_negative_ids() {
        let x = t(&[4, 2], vec![1., 2., 3., 4., 5., 6., 7., 8.]);
        let y = unsorted_segment_sum(&x, &t(&[4], vec![1., -1., 1., -7.]), 2).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 2][..], &[0., 0., 6., 8.][..]));
        // Ids covering two leading axes: each scalar is a row.
        let y = unsorted_segment_sum(&x, &t(&[4, 2], vec![0., 1., 1., 0., 2., 2., 0., 0.]), 3).unwrap();
        assert_eq!(y.data(), &[1. + 4. + 7. + 8., 2. + 3., 5. + 6.]);
        // Zero segments, empty rows, a scalar id.
        assert_eq!(unsorted_segment_sum(&x, &t(&[4], vec![-1.; 4]), 0).unwrap().dims(), &[0, 2]);
        let e = Tensor::zeros("t", [3, 0].into()).unwrap();
        assert_eq!(unsorted_segment_sum(&e, &t(&[3], vec![0., 1., 0.]), 2).unwrap().dims(), &[2, 0]);
        let y = unsorted_segment_sum(&t(&[2], vec![5., 6.]), &Tensor::scalar(1.), 2).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 2][..], &[0., 0., 5., 6.][..]));
    }

    #[test]
    fn backward_is_the_gather_of_dy() {
        let x = Shape::from([4, 2]);
        let ids = t(&[4], vec![1., -1., 1., -5.]);
        let dy = t(&[2, 2], vec![1., 2., 3., 4.]);
        let dx = unsorted_segment_sum_backward(&x, &ids, &dy).unwrap();
        assert_eq!(dx.data(), &[3., 4., 0., 0., 3., 4., 0., 0.]);
    }

    #[test]
    fn bad_ids_are_named() {
        let x = t(&[3, 2], vec![0.; 6]);
        let e = unsorted_segment_sum(&x, &t(&[2], vec![0., 1.]), 2).unwrap_err();
        assert_eq!(e.to_string(), "unsortedSegmentSum: segmentIds has shape [2] but must have the shape of x's leading axes (x has shape [3,2]; TF.js takes segmentIds of shape [3])");
        let e = unsorted_segment_sum(&x, &t(&[3], vec![0., 0.5, 1.]), 2).unwrap_err();
        assert_eq!(e.to_string(), "unsortedSegmentSum: segmentIds[1] = 0.5 is not an integer (segmentIds has shape [3])");
        assert!(unsorted_segment_sum(&x, &t(&[3], vec![0., f32::NAN, 1.]), 2).is_err());
        // An id past the last segment would lose its row: an error naming it (TensorFlow's rule).
        let e = unsorted_segment_sum(&t(&[4], vec![10., 20., 30., 40.]), &t(&[4], vec![0., 1., 5., 1.]), 2).unwrap_err();
        assert_eq!(e.to_string(), "unsortedSegmentSum: segmentIds[2] = 5 is out of range: numSegments is 2, so ids must be below 2 (segmentIds has shape [4]; a negative id drops its row, as in TensorFlow)");
        let e = unsorted_segment_sum(&x, &t(&[3, 2], vec![0., 0., 0., 0., 0., 2.]), 2).unwrap_err();
        assert!(e.to_string().starts_with("unsortedSegmentSum: segmentIds[2,1] = 2 is out of range: numSegments is 2"), "{e}");
        assert!(unsorted_segment_sum(&x, &t(&[3], vec![0., 0., 0.]), 0).is_err());
    }
}
