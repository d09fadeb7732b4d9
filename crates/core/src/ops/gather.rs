//! `gather(x, indices, axis)`: picks slices of `x` along `axis` by index.
//!
//! `y[a.., j.., b..] = x[a.., indices[j..], b..]`, where `a..` are the axes before `axis` and
//! `b..` those after it.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]` (rank >= 1), `-n <= axis < n`, `indices: [k...]` of any rank holding
//! integers in `0..d[axis]` (float values, since tensors are float32) →
//! `x.shape[..axis] ++ indices.shape ++ x.shape[axis+1..]`.
//!
//! # Backward
//! `dx` is zero except that `dy[a.., j.., b..]` is added into `dx[a.., indices[j..], b..]`
//! (a scatter-add: repeated indices accumulate). `indices` has no gradient.
//!
//! ```
//! use neurite_core::{ops::gather::gather, Tensor};
//! let x = Tensor::new("doc", [3].into(), vec![10., 20., 30.]).unwrap();
//! let i = Tensor::new("doc", [2].into(), vec![2., 0.]).unwrap();
//! assert_eq!(gather(&x, &i, 0).unwrap().data(), &[30., 10.]);
//! ```

use super::concat::resolve_axis;
use crate::kernels::copy::gather_rows;
use crate::{bail, Result, Shape, Tensor};
use crate::error::js_number;

/// Formats flat position `flat` of a tensor with `dims` as `[i0,i1,...]` for messages
/// (empty for a scalar).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn position(flat: usize, dims: &[usize]) -> String {
    if dims.is_empty() {
        return String::new();
    }
    let mut idx = vec![0; dims.len()];
    let mut rest = flat;
    for (i, &d) in dims.iter().enumerate().rev() {
        if d > 0 {
            idx[i] = rest % d;
            rest /= d;
        }
    }
    let parts: Vec<String> = idx.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(","))
}

/// Checks that `v` (at flat `pos` of the argument `arg`) is an integer and returns it.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn integer_index(op: &'static str, arg: &str, v: f32, pos: usize, indices: &Tensor) -> Result<i64> {
    if !v.is_finite() || v.fract() != 0.0 {
        bail!(
            op,
            "{arg}{} = {v} is not an integer ({arg} has shape {})",
            position(pos, indices.dims()),
            indices.shape(),
            v = js_number(v)
        );
    }
    Ok(v as i64)
}

/// Slices of `x` along `axis` picked by `indices`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn gather(x: &Tensor, indices: &Tensor, axis: i64) -> Result<Tensor> {
    const OP: &str = "gather";
    if x.rank() == 0 {
        bail!(OP, "x is a scalar (shape []); gather needs rank >= 1");
    }
    let ax = resolve_axis(OP, axis, x.rank(), false, "x", x.shape())?;
    let idx = checked_indices(OP, "indices", indices, x.dims()[ax], &|| format!("for axis {ax} of x (shape {})", x.shape()))?;
    gather_checked(OP, x, ax, &idx, indices.dims())
}

/// The values of `indices` (the argument `arg` of `op`) as offsets into an axis of `dim`
/// entries: each must be an integer in `0..dim`, else an error naming its position and value,
/// the range and `axis_note()` (what the axis is).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn checked_indices(op: &'static str, arg: &str, indices: &Tensor, dim: usize, axis_note: &dyn Fn() -> String) -> Result<Vec<usize>> {
    let mut idx = Vec::new();
    idx.try_reserve_exact(indices.size())
        .map_err(|_| crate::Error::OutOfMemory { op, bytes: indices.size() as u64 * 8 })?;
    for (pos, &v) in indices.data().iter().enumerate() {
        let i = integer_index(op, arg, v, pos, indices)?;
        if i < 0 || i >= dim as i64 {
            // The value given, not `i`: a float beyond i64 (1e30) saturates in the cast.
            bail!(op, "{arg}{} = {v} is out of range [0, {dim}) {}", position(pos, indices.dims()), axis_note(), v = js_number(v));
        }
        idx.push(i as usize);
    }
    Ok(idx)
}

/// `gather` with checked offsets `idx` along axis `ax` (an index tensor of shape `idx_dims`).
#[inline(never)]
pub(crate) fn gather_checked(op: &'static str, x: &Tensor, ax: usize, idx: &[usize], idx_dims: &[usize]) -> Result<Tensor> {
    let dims = x.dims();
    let mut out_dims = dims[..ax].to_vec();
    out_dims.extend_from_slice(idx_dims);
    out_dims.extend_from_slice(&dims[ax + 1..]);
    let mut out = Tensor::zeros(op, Shape::new(op, &out_dims)?)?;
    let inner: usize = dims[ax + 1..].iter().product();
    gather_rows(x.data(), dims[ax], inner, idx, out.data_mut());
    Ok(out)
}

/// The gradient of `gather` w.r.t. `x`: `dy` rows scatter-added back to the gathered
/// positions (an index that repeats receives the sum).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn gather_backward(x_shape: &Shape, indices: &Tensor, axis: i64, dy: &Tensor) -> Result<Tensor> {
    const OP: &str = "gather";
    let ax = resolve_axis(OP, axis, x_shape.rank(), false, "x", x_shape)?;
    let dims = x_shape.dims();
    let inner: usize = dims[ax + 1..].iter().product();
    let outer: usize = dims[..ax].iter().product();
    let mut dx = Tensor::zeros(OP, x_shape.clone())?;
    scatter_add_rows(dy.data(), indices.data(), outer, dims[ax], inner, dx.data_mut());
    Ok(dx)
}

/// The scatter-add of `gather`'s backward, into `out` (`[outer, dim, inner]`, added to):
/// `out[o, indices[j], :] += g[o, j, :]` for each `o`, then each `j` in order, so repeated
/// indices accumulate in a fixed order (the same bits on any thread count). `indices` hold
/// checked offsets (integers in `0..dim`, as floats).
#[inline(never)]
pub(crate) fn scatter_add_rows(g: &[f32], indices: &[f32], outer: usize, dim: usize, inner: usize, out: &mut [f32]) {
    if inner == 0 {
        return;
    }
    let k = indices.len();
    for o in 0..outer {
        for (j, &iv) in indices.iter().enumerate() {
            let i = iv as usize;
            let src = &g[(o * k + j) * inner..(o * k + j + 1) * inner];
            let dst = &mut out[(o * dim + i) * inner..(o * dim + i + 1) * inner];
            for (d, &v) in dst.iter_mut().zip(src) {
                *d += v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_util::t;

    #[test]
    fn shapes_follow_the_indices() {
        let x = t(&[2, 3], vec![1., 2., 3., 4., 5., 6.]);
        let i = t(&[2, 2], vec![0., 2., 1., 1.]);
        let y = gather(&x, &i, 1).unwrap();
        assert_eq!(y.dims(), &[2, 2, 2]);
        assert_eq!(y.data(), &[1., 3., 2., 2., 4., 6., 5., 5.]);
        let y = gather(&x, &Tensor::scalar(1.), 0).unwrap();
        assert_eq!((y.dims(), y.data()), (&[3][..], &[4., 5., 6.][..]));
        let y = gather(&x, &t(&[0], vec![]), -1).unwrap();
        assert_eq!(y.dims(), &[2, 0]);
    }

    #[test]
    fn bad_indices_are_named() {
        let x = t(&[2, 3], vec![0.; 6]);
        let e = gather(&x, &t(&[2, 2], vec![0., 1., 3., 0.]), 1).unwrap_err();
        assert_eq!(e.to_string(), "gather: indices[1,0] = 3 is out of range [0, 3) for axis 1 of x (shape [2,3])");
        let e = gather(&x, &t(&[3], vec![0., 0.5, 1.]), 0).unwrap_err();
        assert_eq!(e.to_string(), "gather: indices[1] = 0.5 is not an integer (indices has shape [3])");
        assert!(gather(&x, &t(&[1], vec![f32::NAN]), 0).unwrap_err().to_string().contains("= NaN is not an integer"));
        assert!(gather(&x, &t(&[1], vec![-1.]), 0).unwrap_err().to_string().contains("= -1 is out of range"));
        assert!(gather(&x, &t(&[1], vec![0.]), 2).unwrap_err().to_string().contains("axis 2 is out of range"));
        assert!(gather(&Tensor::scalar(1.), &t(&[1], vec![0.]), 0).is_err());
        assert_eq!(position(5, &[2, 3]), "[1,2]");
        assert_eq!(position(0, &[]), "");
    }
}
