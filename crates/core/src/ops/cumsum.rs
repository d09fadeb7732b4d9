//! `cumsum(x, axis, exclusive, reverse)`: running sums along one axis, as TF.js `cumsum`.
//!
//! Along `axis` (length `d`), with `exclusive = false`: `y_j = x_0 + … + x_j`; with
//! `exclusive = true`: `y_j = x_0 + … + x_{j−1}` (`y_0 = 0`). With `reverse = true` the sums
//! run from the end: `y_j = x_j + … + x_{d−1}` (exclusive: from `x_{j+1}`). The sums are taken
//! in that order in float32, one addition per step, as TF.js's kernels do, so the bits are
//! TF.js `cpu`'s.
//!
//! # Shapes
//! `x`: rank ≥ 1; `axis` in `[−rank, rank)` → the shape of `x`.
//!
//! # Backward
//! `dx = cumsum(dy, axis, exclusive, !reverse)`: each `x_k` adds to the sums after it (before
//! it, reversed).
//!
//! ```
//! use neurite_core::{ops::cumsum::cumsum, Tensor};
//! let x = Tensor::new("doc", [4].into(), vec![1., 2., 3., 4.]).unwrap();
//! assert_eq!(cumsum(&x, 0, false, false).unwrap().data(), &[1., 3., 6., 10.]);
//! assert_eq!(cumsum(&x, 0, true, false).unwrap().data(), &[0., 1., 3., 6.]);
//! assert_eq!(cumsum(&x, 0, false, true).unwrap().data(), &[10., 9., 7., 4.]);
//! ```

use crate::{bail, Result, Tensor};

/// Running sums of `x` along `axis`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn cumsum(x: &Tensor, axis: i64, exclusive: bool, reverse: bool) -> Result<Tensor> {
    scan("cumsum", x, axis, exclusive, reverse, 0.0, |a, b| a + b)
}

/// A running fold of `x` along `axis` from `init` with `f`, one float32 step per entry in
/// scan order (`cumsum`, `cumprod`): with `exclusive` each entry gets the fold of those before
/// it; with `reverse` the fold runs from the end of the axis.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn scan(op: &'static str, x: &Tensor, axis: i64, exclusive: bool, reverse: bool, init: f32, f: impl Fn(f32, f32) -> f32) -> Result<Tensor> {
    if x.rank() == 0 {
        bail!(op, "x is a scalar (shape []); {op} runs along an axis of a tensor of rank >= 1 (reshape it to [1] first)");
    }
    let a = x.shape().axis(op, axis)?;
    let dims = x.dims();
    let (d, inner) = (dims[a], dims[a + 1..].iter().product::<usize>());
    let mut out = x.clone();
    if d == 0 || inner == 0 {
        return Ok(out);
    }
    let src = x.data();
    // The copy a write makes of x's buffer is fallible: out of memory is an error.
    let dst = out.try_data_mut(op)?;
    for (xb, yb) in src.chunks_exact(d * inner).zip(dst.chunks_exact_mut(d * inner)) {
        for i in 0..inner {
            // Positions along the axis in scan order.
            let at = |j: usize| (if reverse { d - 1 - j } else { j }) * inner + i;
            let mut acc = init;
            for j in 0..d {
                let v = xb[at(j)];
                if exclusive {
                    yb[at(j)] = acc;
                    acc = f(acc, v);
                } else {
                    acc = f(acc, v);
                    yb[at(j)] = acc;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `scan` (cumsum or cumprod) against the fold `f` from `init` over each lane, every axis
    /// and mode.
    pub(crate) fn matches_the_fold(scan: fn(&Tensor, i64, bool, bool) -> Result<Tensor>, init: f32, f: fn(f32, f32) -> f32, x: &Tensor) {
        let dims = x.dims().to_vec();
        let strides = x.shape().strides();
        for axis in 0..dims.len() {
            for (exclusive, reverse) in [(false, false), (true, false), (false, true), (true, true)] {
                let y = scan(x, axis as i64 - dims.len() as i64, exclusive, reverse).unwrap();
                for flat in 0..x.size() {
                    let j = flat / strides[axis] % dims[axis];
                    let base = flat - j * strides[axis];
                    let range: Vec<usize> = match (exclusive, reverse) {
                        (false, false) => (0..=j).collect(),
                        (true, false) => (0..j).collect(),
                        (false, true) => (j..dims[axis]).rev().collect(),
                        (true, true) => (j + 1..dims[axis]).rev().collect(),
                    };
                    let want = range.iter().fold(init, |s, &k| f(s, x.data()[base + k * strides[axis]]));
                    assert_eq!(y.data()[flat], want, "axis {axis} exclusive {exclusive} reverse {reverse} at {flat}");
                }
            }
        }
    }

    #[test]
    fn every_axis_and_mode_matches_the_definition() {
        let x = Tensor::new("t", [2, 3, 4].into(), (0..24).map(|v| (v as f32 - 7.5) * 0.37).collect()).unwrap();
        matches_the_fold(cumsum, 0.0, |a, b| a + b, &x);
    }

    #[test]
    fn empty_axes_scalars_and_bad_axes() {
        let e = Tensor::zeros("t", [3, 0].into()).unwrap();
        assert_eq!(cumsum(&e, 1, false, false).unwrap().dims(), &[3, 0]);
        assert_eq!(cumsum(&e, 0, true, true).unwrap().dims(), &[3, 0]);
        assert!(cumsum(&Tensor::scalar(1.), 0, false, false).unwrap_err().to_string().starts_with("cumsum: x is a scalar"));
        let x = Tensor::zeros("t", [2].into()).unwrap();
        assert_eq!(cumsum(&x, 1, false, false).unwrap_err().to_string(), "cumsum: axis 1 is out of range for a tensor of rank 1 (shape [2])");
    }
}
