//! `split(x, sizes, axis)`: cuts `x` along `axis` into consecutive pieces.
//!
//! Piece `p` is `x[..., o_p .. o_p + sizes[p], ...]` on `axis`, with `o_p = Σ_{q<p} sizes[q]`.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]` (rank >= 1), `-n <= axis < n`. Either `num` equal pieces
//! ([`split_sizes`] with a count; `num` must divide `d[axis]`), or explicit sizes summing to
//! `d[axis]`, one of which may be `-1` (inferred) → pieces `[..., sizes[p], ...]`.
//!
//! # Backward
//! `dx` is the concatenation of the pieces' gradients along `axis`.
//!
//! ```
//! use neurite_core::{ops::split::{split, SplitSpec}, Tensor};
//! let x = Tensor::new("doc", [5].into(), vec![1., 2., 3., 4., 5.]).unwrap();
//! let parts = split(&x, &SplitSpec::Sizes(vec![2, -1]), 0).unwrap();
//! assert_eq!(parts[1].data(), &[3., 4., 5.]);
//! ```

use super::concat::resolve_axis;
use super::slice::slice_resolved;
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};

/// How to cut: into `Count(k)` equal pieces, or into pieces of the given sizes (one may be -1).
#[derive(Debug, Clone, PartialEq)]
pub enum SplitSpec {
    Count(i64),
    Sizes(Vec<i64>),
}

/// The size of each piece along an axis of length `dim` (`shape` is for messages).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn split_sizes(op: &'static str, spec: &SplitSpec, dim: usize, axis: usize, shape: &Shape) -> Result<Vec<usize>> {
    match spec {
        SplitSpec::Count(k) => {
            if *k < 1 {
                bail!(op, "numOrSizeSplits = {k} must be a positive number of pieces (x has shape {shape})");
            }
            let k = *k as u64;
            if !(dim as u64).is_multiple_of(k) {
                bail_shape!(op, "numOrSizeSplits = {k} does not evenly divide axis {axis} of size {dim} (x has shape {shape})");
            }
            let n = (dim as u64 / k) as usize;
            // k is unbounded only when dim == 0; reserve fallibly rather than abort.
            let k = usize::try_from(k).map_err(|_| Error::OutOfMemory { op, bytes: u64::MAX })?;
            let mut out = Vec::new();
            out.try_reserve_exact(k).map_err(|_| Error::OutOfMemory { op, bytes: (k as u64).saturating_mul(8) })?;
            out.resize(k, n);
            Ok(out)
        }
        SplitSpec::Sizes(sizes) => {
            let mut infer = None;
            let mut total: i64 = 0;
            for (i, &s) in sizes.iter().enumerate() {
                if s == -1 {
                    if infer.is_some() {
                        bail!(op, "numOrSizeSplits {sizes} has more than one -1", sizes = crate::error::ints(sizes));
                    }
                    infer = Some(i);
                } else if s < 0 {
                    bail!(op, "numOrSizeSplits[{i}] = {s} is negative; only one -1 (inferred) is allowed (numOrSizeSplits {sizes})", sizes = crate::error::ints(sizes));
                } else {
                    total = total.saturating_add(s);
                }
            }
            let d = dim as i64;
            let mut out: Vec<usize> = sizes.iter().map(|&s| s.max(0) as usize).collect();
            match infer {
                Some(i) if total <= d => out[i] = (d - total) as usize,
                _ if total == d => {}
                _ => bail_shape!(
                    op,
                    "numOrSizeSplits {sizes} sum to {total}, which does not match axis {axis} of size {dim} (x has shape {shape})", sizes = crate::error::ints(sizes)
                ),
            }
            Ok(out)
        }
    }
}

/// Cuts `x` along `axis` into the pieces described by `spec`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn split(x: &Tensor, spec: &SplitSpec, axis: i64) -> Result<Vec<Tensor>> {
    split_range(x, spec, axis, 0, usize::MAX).map(|(_, pieces)| pieces)
}

/// Like [`split`], but builds only pieces `first .. first + max` (fewer at the end) and also
/// returns the total piece count, so a caller with limited room can page through them.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn split_range(x: &Tensor, spec: &SplitSpec, axis: i64, first: usize, max: usize) -> Result<(usize, Vec<Tensor>)> {
    const OP: &str = "split";
    if x.rank() == 0 {
        bail!(OP, "x is a scalar (shape []); split needs rank >= 1");
    }
    let ax = resolve_axis(OP, axis, x.rank(), false, "x", x.shape())?;
    let sizes = split_sizes(OP, spec, x.dims()[ax], ax, x.shape())?;
    let wanted = sizes.get(first..).unwrap_or(&[]);
    let wanted = &wanted[..wanted.len().min(max)];
    let mut begin = vec![0; x.rank()];
    begin[ax] = sizes[..first.min(sizes.len())].iter().sum();
    let mut size = x.dims().to_vec();
    let mut pieces = Vec::new();
    pieces.try_reserve_exact(wanted.len()).map_err(|_| Error::OutOfMemory { op: OP, bytes: wanted.len() as u64 * 32 })?;
    for &s in wanted {
        size[ax] = s;
        pieces.push(slice_resolved(OP, x, &begin, &size)?);
        begin[ax] += s;
    }
    Ok((sizes.len(), pieces))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ops::test_util::iota;

    #[test]
    fn equal_and_sized_pieces() {
        let x = iota(&[2, 4]);
        let p = split(&x, &SplitSpec::Count(2), 1).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].dims(), p[0].data()), (&[2, 2][..], &[0., 1., 4., 5.][..]));
        assert_eq!(p[1].data(), &[2., 3., 6., 7.]);
        // -1 first (TF.js 4.22 mis-infers this case; we do not).
        let p = split(&x, &SplitSpec::Sizes(vec![-1, 1]), -1).unwrap();
        assert_eq!(p[0].dims(), &[2, 3]);
        assert_eq!(p[1].data(), &[3., 7.]);
        let p = split(&x, &SplitSpec::Sizes(vec![0, 2, 0]), 0).unwrap();
        assert_eq!(p.iter().map(|t| t.dims()[0]).collect::<Vec<_>>(), vec![0, 2, 0]);
        // Zero-length axis: any count splits it into empty pieces.
        let e = iota(&[0, 3]);
        assert_eq!(split(&e, &SplitSpec::Count(3), 0).unwrap().len(), 3);
        // Paging: pieces 1..3 of 4, then past the end.
        let x = iota(&[8]);
        let (n, p) = split_range(&x, &SplitSpec::Count(4), 0, 1, 2).unwrap();
        assert_eq!(n, 4);
        assert_eq!(p.iter().map(|t| t.data().to_vec()).collect::<Vec<_>>(), vec![vec![2., 3.], vec![4., 5.]]);
        let (n, p) = split_range(&x, &SplitSpec::Sizes(vec![3, -1]), 0, 5, 2).unwrap();
        assert_eq!((n, p.len()), (2, 0));
    }

    #[test]
    fn errors_name_the_sizes_and_shape() {
        let x = iota(&[2, 5]);
        let e = split(&x, &SplitSpec::Count(2), 1).unwrap_err();
        assert_eq!(e.to_string(), "split: numOrSizeSplits = 2 does not evenly divide axis 1 of size 5 (x has shape [2,5])");
        let e = split(&x, &SplitSpec::Sizes(vec![2, 2]), 1).unwrap_err();
        assert_eq!(e.to_string(), "split: numOrSizeSplits [2, 2] sum to 4, which does not match axis 1 of size 5 (x has shape [2,5])");
        assert!(split(&x, &SplitSpec::Sizes(vec![6, -1]), 1).unwrap_err().to_string().contains("sum to 6"));
        assert!(split(&x, &SplitSpec::Sizes(vec![-1, -1]), 1).unwrap_err().to_string().contains("more than one -1"));
        assert!(split(&x, &SplitSpec::Sizes(vec![-2, 7]), 1).unwrap_err().to_string().contains("numOrSizeSplits[0] = -2"));
        assert!(split(&x, &SplitSpec::Count(0), 1).unwrap_err().to_string().contains("numOrSizeSplits = 0"));
        assert!(split(&x, &SplitSpec::Count(1), 2).unwrap_err().to_string().contains("axis 2 is out of range"));
        assert!(split(&Tensor::scalar(1.0), &SplitSpec::Count(1), 0).is_err());
    }
}
