//! `mirrorPad(x, paddings, mode)`: `x` padded with its own mirror image, as TF.js `mirrorPad`
//! (and NumPy's `pad` modes `reflect` and `symmetric`).
//!
//! Along axis `i`, output position `j − before` (`j` from `−before` to `d + after − 1`) reads
//! `x` at `j` inside `[0, d)`, and outside it:
//! - `reflect` (the edge not repeated): `−j` before, `2(d − 1) − j` after; each padding at most
//!   `d − 1`;
//! - `symmetric` (the edge repeated): `−j − 1` before, `2d − 1 − j` after; each at most `d`.
//!
//! # Backward
//! The adjoint: each `dy` is added to the entry of `x` it was read from, so an entry near an
//! edge gets its own gradient plus its mirror images'. (TF.js 4.22 slices `dy` as `pad` does,
//! dropping the mirrored part: its gradient is wrong.)
//!
//! ```
//! use neurite_core::{ops::mirror_pad::mirror_pad, Tensor};
//! let x = Tensor::new("doc", [3].into(), vec![1., 2., 3.]).unwrap();
//! assert_eq!(mirror_pad(&x, &[[2, 1]], false).unwrap().data(), &[3., 2., 1., 2., 3., 2.]);
//! assert_eq!(mirror_pad(&x, &[[2, 1]], true).unwrap().data(), &[2., 1., 1., 2., 3., 3.]);
//! ```

use crate::kernels::copy::copy_short;
use crate::{bail, Error, Result, Shape, Tensor};

const OP: &str = "mirrorPad";

/// The output shape, after checking `paddings` against `x`: `pad`'s checks (one non-negative
/// pair per axis), then TF.js's limits of each mode.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn out_shape(x: &Shape, paddings: &[[i64; 2]], symmetric: bool) -> Result<Shape> {
    if x.rank() == 0 {
        bail!(OP, "x is a scalar; mirrorPad needs a tensor of rank 1 or more (as TF.js)");
    }
    let (_, dims) = super::pad::check(OP, x, paddings)?;
    let mode = if symmetric { "symmetric" } else { "reflect" };
    for (i, (&[b, a], &d)) in paddings.iter().zip(x.dims()).enumerate() {
        let max = d as i64 - !symmetric as i64;
        if b > max || a > max {
            let limit = if symmetric { format!("its length {d}") } else { format!("its length {d} minus 1") };
            bail!(OP, "paddings[{i}] = [{b}, {a}] must be between 0 and {max} ({limit}, mode '{mode}') for x of shape {x}");
        }
    }
    Shape::new(OP, &dims)
}

/// The index into an axis of length `d` (`d > 0`) that output position `j` reads (`j` counted
/// from `x`'s first entry, so negative in the padding before).
#[inline]
fn mirror(j: i64, d: i64, symmetric: bool) -> usize {
    let k = match (j < 0, j >= d, symmetric) {
        (true, _, false) => -j,
        (true, _, true) => -j - 1,
        (_, true, false) => 2 * (d - 1) - j,
        (_, true, true) => 2 * d - 1 - j,
        _ => j,
    };
    k as usize
}

/// For each of the axes of `x` but the last (`x` not empty), the index into `x` that each
/// output position along it reads; `last` adds the last axis' table.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn sources(x: &Shape, paddings: &[[i64; 2]], symmetric: bool, last: bool) -> Result<Vec<Vec<usize>>> {
    let axes = x.rank() - !last as usize;
    let mut tables = Vec::with_capacity(axes);
    for (&[b, a], &d) in paddings.iter().zip(x.dims()).take(axes) {
        let d = d as i64;
        let mut t = crate::tensor::try_vec(OP, (b + d + a) as usize, 0usize)?;
        for (s, j) in t.iter_mut().zip(-b..d + a) {
            *s = mirror(j, d, symmetric);
        }
        tables.push(t);
    }
    Ok(tables)
}

/// Calls `f(offset in x of the source row, output index of the row's first entry)` for every
/// row of `row` outputs (all axes but the last), in output order; `outer` holds the tables of
/// [`sources`] for the axes before the last.
fn each_row(x: &Shape, outer: &[Vec<usize>], row: usize, mut f: impl FnMut(usize, usize)) {
    let strides = x.strides();
    let rows = outer.iter().map(Vec::len).product::<usize>();
    let mut idx = vec![0usize; outer.len()];
    for i in 0..rows {
        f(outer.iter().zip(&idx).zip(&strides).map(|((t, &i), &s)| t[i] * s).sum(), i * row);
        // The next row: an odometer over the axes before the last.
        for k in (0..outer.len()).rev() {
            idx[k] += 1;
            if idx[k] < outer[k].len() {
                break;
            }
            idx[k] = 0;
        }
    }
}

/// `x` padded by `paddings[i] = [before, after]` along axis `i` with its mirror image:
/// `symmetric` repeats the edge, else (`reflect`) it does not.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn mirror_pad(x: &Tensor, paddings: &[[i64; 2]], symmetric: bool) -> Result<Tensor> {
    let shape = out_shape(x.shape(), paddings, symmetric)?;
    let mut y = crate::tensor::alloc(OP, shape.size())?;
    if x.size() > 0 {
        let (xd, outer) = (x.data(), sources(x.shape(), paddings, symmetric, false)?);
        let [b, a] = paddings[x.rank() - 1];
        let d = x.dims()[x.rank() - 1] as i64;
        let (row, bu, du) = ((b + d + a) as usize, b as usize, d as usize);
        // Each output row: its mirrored ends value by value, the middle (the source row as it
        // is) in one copy.
        each_row(x.shape(), &outer, row, |s, o| {
            let (src, dst) = (&xd[s..s + du], &mut y[o..o + row]);
            for (v, j) in dst[..bu].iter_mut().zip(-b..0) {
                *v = src[mirror(j, d, symmetric)];
            }
            copy_short(&mut dst[bu..bu + du], src);
            for (v, j) in dst[bu + du..].iter_mut().zip(d..d + a) {
                *v = src[mirror(j, d, symmetric)];
            }
        });
    }
    Tensor::new(OP, shape, y)
}

/// The backward rule of [`mirror_pad`]: dL/dx (`x`'s shape) for dL/dy = `g`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn mirror_pad_backward(x: &Shape, paddings: &[[i64; 2]], symmetric: bool, g: &Tensor) -> Result<Tensor> {
    let shape = out_shape(x, paddings, symmetric)?;
    if g.size() != shape.size() {
        return Err(Error::Internal { msg: "mirrorPad: the gradient does not have the output's size".into() });
    }
    let mut dx = crate::tensor::alloc(OP, x.size())?;
    if x.size() > 0 {
        let (gd, mut tables) = (g.data(), sources(x, paddings, symmetric, true)?);
        let last = tables.pop().unwrap_or_default();
        // In output order, so each entry of dx sums its terms in the same order on every run.
        each_row(x, &tables, last.len(), |s, o| {
            for (&j, &gv) in last.iter().zip(&gd[o..o + last.len()]) {
                dx[s + j] += gv;
            }
        });
    }
    Tensor::new(OP, x.clone(), dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_util::iota;

    #[test]
    fn two_axes_by_hand() {
        // [[0, 1, 2], [3, 4, 5]] reflected by one row before and two columns after.
        let y = mirror_pad(&iota(&[2, 3]), &[[1, 0], [0, 2]], false).unwrap();
        assert_eq!(y.dims(), &[3, 5]);
        #[rustfmt::skip]
        assert_eq!(y.data(), &[3., 4., 5., 4., 3., 0., 1., 2., 1., 0., 3., 4., 5., 4., 3.]);
        let y = mirror_pad(&iota(&[2, 3]), &[[2, 0], [0, 3]], true).unwrap();
        assert_eq!(y.dims(), &[4, 6]);
        #[rustfmt::skip]
        assert_eq!(y.data(), &[3., 4., 5., 5., 4., 3., 0., 1., 2., 2., 1., 0., 0., 1., 2., 2., 1., 0., 3., 4., 5., 5., 4., 3.]);
    }

    /// Backward is the adjoint: ⟨dy, f(x)⟩ = ⟨f*(dy), x⟩, and by hand on one axis.
    #[test]
    fn backward_is_the_adjoint() {
        let g = Tensor::new("t", [6].into(), vec![1., 10., 100., 1000., 10000., 100000.]).unwrap();
        // reflect [[2, 1]] of 3 entries reads 2, 1, 0, 1, 2, 1.
        assert_eq!(mirror_pad_backward(&[3].into(), &[[2, 1]], false, &g).unwrap().data(), &[100., 101010., 10001.]);
        for symmetric in [false, true] {
            for (dims, p) in [(vec![4, 3, 2], vec![[1, 2], [0, 2], [1, 1]]), (vec![5], vec![[3, 3]]), (vec![2, 2, 1, 3], vec![[1, 1], [1, 0], [0, 0], [2, 2]])] {
                let x = iota(&dims);
                let y = mirror_pad(&x, &p, symmetric).unwrap();
                let gy = Tensor::new("t", y.shape().clone(), (0..y.size()).map(|i| ((i as f32) * 0.37).cos()).collect()).unwrap();
                let dx = mirror_pad_backward(x.shape(), &p, symmetric, &gy).unwrap();
                let lhs: f64 = gy.data().iter().zip(y.data()).map(|(&a, &b)| a as f64 * b as f64).sum();
                let rhs: f64 = dx.data().iter().zip(x.data()).map(|(&a, &b)| a as f64 * b as f64).sum();
                assert!((lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()), "{dims:?} {p:?}: {lhs} vs {rhs}");
            }
        }
    }

    #[test]
    fn limits_and_errors() {
        let x = iota(&[3, 2]);
        assert_eq!(mirror_pad(&x, &[[2, 2], [1, 1]], false).unwrap().dims(), &[7, 4]);
        assert_eq!(mirror_pad(&x, &[[3, 3], [2, 2]], true).unwrap().dims(), &[9, 6]);
        let e = mirror_pad(&x, &[[3, 0], [0, 0]], false).unwrap_err().to_string();
        assert_eq!(e, "mirrorPad: paddings[0] = [3, 0] must be between 0 and 2 (its length 3 minus 1, mode 'reflect') for x of shape [3,2]");
        let e = mirror_pad(&x, &[[0, 0], [0, 3]], true).unwrap_err().to_string();
        assert!(e.contains("paddings[1] = [0, 3] must be between 0 and 2 (its length 2, mode 'symmetric')"), "{e}");
        assert!(mirror_pad(&x, &[[-1, 0], [0, 0]], true).unwrap_err().to_string().contains("paddings[0] = [-1, 0]"));
        assert!(mirror_pad(&x, &[[0, 0]], true).unwrap_err().to_string().contains("paddings has 1 pairs but x has rank 2"));
        assert!(mirror_pad(&Tensor::scalar(1.0), &[], true).unwrap_err().to_string().contains("scalar"));
        // An empty axis: symmetric with no padding gives an empty result; reflect cannot (TF.js).
        let empty = iota(&[0, 3]);
        assert_eq!(mirror_pad(&empty, &[[0, 0], [1, 2]], true).unwrap().dims(), &[0, 6]);
        assert!(mirror_pad(&empty, &[[0, 0], [1, 1]], false).is_err());
    }

    /// Every rank from 1 to 5, with no padding, the widest padding each mode allows, whole last
    /// rows and mixed pads, against index arithmetic; the backward bit for bit against adding
    /// each `dy` in output order.
    #[test]
    fn every_rank_against_index_arithmetic() {
        use crate::ops::test_util::{coords, flat, pad_cases};
        let all = [3usize, 1, 4, 2, 5];
        for dims in (1..=5).map(|r| all[..r].to_vec()).chain([vec![2, 3, 1, 2, 17]]) {
            let x = Tensor::new("t", dims.as_slice().into(), (0..dims.iter().product::<usize>()).map(|v| (v as f32 * 0.37).sin()).collect()).unwrap();
            for symmetric in [false, true] {
                for paddings in pad_cases(&dims, |d| if symmetric { d } else { d - 1 }) {
                    let y = mirror_pad(&x, &paddings, symmetric).unwrap();
                    let source = |o: usize| -> usize {
                        let c = coords(o, y.dims());
                        let xc: Vec<usize> = c.iter().zip(&paddings).zip(&dims).map(|((&c, p), &d)| {
                            let (j, d) = (c as i64 - p[0], d as i64);
                            (if j < 0 { -j - symmetric as i64 } else if j >= d { 2 * d - 1 - j - !symmetric as i64 } else { j }) as usize
                        }).collect();
                        flat(&xc, &dims)
                    };
                    let want: Vec<f32> = (0..y.size()).map(|o| x.data()[source(o)]).collect();
                    assert_eq!(y.data(), want, "{dims:?} {paddings:?} symmetric={symmetric}");
                    let g = Tensor::new("t", y.shape().clone(), (0..y.size()).map(|i| (i as f32 * 0.61).cos()).collect()).unwrap();
                    let mut dx = vec![0f32; x.size()];
                    (0..y.size()).for_each(|o| dx[source(o)] += g.data()[o]);
                    let got = mirror_pad_backward(x.shape(), &paddings, symmetric, &g).unwrap();
                    assert_eq!(got.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>(), dx.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
                }
            }
        }
    }
}
