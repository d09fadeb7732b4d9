//! `cumprod(x, axis, exclusive, reverse)`: running products along one axis, as TF.js `cumprod`.
//!
//! Along `axis` (length `d`), with `exclusive = false`: `y_j = x_0 · … · x_j`; with
//! `exclusive = true`: `y_j = x_0 · … · x_{j−1}` (`y_0 = 1`). With `reverse = true` the
//! products run from the end of the axis. One float32 multiplication per step in that order,
//! as TF.js's kernel, so the bits are TF.js `cpu`'s.
//!
//! # Shapes
//! `x`: rank ≥ 1; `axis` in `[−rank, rank)` → the shape of `x`.
//!
//! # Backward
//! TF.js 4.22 has no gradient for cumprod; this one is exact also where `x` holds zeros (no
//! division by `x`). In scan order, with `P_j = x_0 · … · x_{j−1}` (the exclusive products):
//! inclusive `y_k = P_k·x_k`, so `dx_j = P_j · S_j` with `S_j = Σ_{k≥j} dy_k · x_{j+1} · … · x_k`,
//! that is `S_{d−1} = dy_{d−1}`, `S_j = dy_j + x_{j+1}·S_{j+1}`; exclusive `y_k = P_k`, so
//! `dx_j = P_j · T_j` with `T_{d−1} = 0`, `T_j = dy_{j+1} + x_{j+1}·T_{j+1}`. Both run in
//! float64 and are rounded once.
//!
//! ```
//! use neurite_core::{ops::cumprod::cumprod, Tensor};
//! let x = Tensor::new("doc", [4].into(), vec![1., 2., 3., 4.]).unwrap();
//! assert_eq!(cumprod(&x, 0, false, false).unwrap().data(), &[1., 2., 6., 24.]);
//! assert_eq!(cumprod(&x, 0, true, false).unwrap().data(), &[1., 1., 2., 6.]);
//! assert_eq!(cumprod(&x, 0, false, true).unwrap().data(), &[24., 24., 12., 4.]);
//! ```

use super::cumsum::scan;
use crate::{Result, Tensor};

/// Running products of `x` along `axis`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn cumprod(x: &Tensor, axis: i64, exclusive: bool, reverse: bool) -> Result<Tensor> {
    scan("cumprod", x, axis, exclusive, reverse, 1.0, |a, b| a * b)
}

/// The gradient of [`cumprod`] w.r.t. `x`, for `dy` at its output.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn cumprod_backward(x: &Tensor, axis: i64, exclusive: bool, reverse: bool, dy: &Tensor) -> Result<Tensor> {
    const OP: &str = "cumprod";
    let a = x.shape().axis(OP, axis)?;
    let dims = x.dims();
    let (d, inner) = (dims[a], dims[a + 1..].iter().product::<usize>());
    let mut dx = Tensor::zeros(OP, x.shape().clone())?;
    if d == 0 || inner == 0 {
        return Ok(dx);
    }
    let (xs, gs) = (x.data(), dy.data());
    let mut prefix = vec![0.0f64; d];
    for (base, out) in dx.data_mut().chunks_exact_mut(d * inner).enumerate() {
        let base = base * d * inner;
        for i in 0..inner {
            // Flat position of the j-th entry in scan order.
            let at = |j: usize| base + (if reverse { d - 1 - j } else { j }) * inner + i;
            let mut p = 1.0f64;
            for (j, pj) in prefix.iter_mut().enumerate() {
                *pj = p;
                p *= f64::from(xs[at(j)]);
            }
            // s = S_j (inclusive) or T_j (exclusive), from the end of the scan.
            let mut s = 0.0f64;
            for j in (0..d).rev() {
                if j + 1 < d {
                    let next = f64::from(xs[at(j + 1)]);
                    s = if exclusive { f64::from(gs[at(j + 1)]) + next * s } else { next * s };
                }
                if !exclusive {
                    s += f64::from(gs[at(j)]);
                }
                out[at(j) - base] = (prefix[j] * s) as f32;
            }
        }
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dx_j = Σ_k dy_k · ∂y_k/∂x_j` with `∂y_k/∂x_j` the product of the other factors of
    /// `y_k` (when `x_j` is one of them), from the definition.
    fn direct(x: &[f64], dy: &[f64], exclusive: bool) -> Vec<f64> {
        let d = x.len();
        (0..d)
            .map(|j| {
                (0..d)
                    .map(|k| {
                        let last = if exclusive { k } else { k + 1 };
                        if j >= last {
                            return 0.0;
                        }
                        dy[k] * (0..last).filter(|&m| m != j).map(|m| x[m]).product::<f64>()
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn forward_matches_the_definition_in_every_mode() {
        let x = Tensor::new("t", [2, 3, 4].into(), (0..24).map(|v| 0.6 + (v % 7) as f32 * 0.15).collect()).unwrap();
        crate::ops::cumsum::tests::matches_the_fold(cumprod, 1.0, |a, b| a * b, &x);
    }

    #[test]
    fn backward_matches_the_definition_also_at_zeros() {
        let xs = [[1.5, -2.0, 0.5, 3.0, -0.75], [2.0, 0.0, 3.0, 0.0, 4.0], [0.0, 1.5, 2.0, -1.0, 0.5]];
        let dy = [0.3, -1.1, 0.7, 2.0, -0.4];
        for xv in xs {
            for exclusive in [false, true] {
                for reverse in [false, true] {
                    let x = Tensor::new("t", [5].into(), xv.to_vec()).unwrap();
                    let g = Tensor::new("t", [5].into(), dy.to_vec()).unwrap();
                    let got = cumprod_backward(&x, 0, exclusive, reverse, &g).unwrap();
                    // Reverse is the forward scan on the reversed axis.
                    let order: Vec<usize> = if reverse { (0..5).rev().collect() } else { (0..5).collect() };
                    let xo: Vec<f64> = order.iter().map(|&i| xv[i] as f64).collect();
                    let go: Vec<f64> = order.iter().map(|&i| dy[i] as f64).collect();
                    let want = direct(&xo, &go, exclusive);
                    for (n, &i) in order.iter().enumerate() {
                        let (a, b) = (got.data()[i] as f64, want[n]);
                        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "x {xv:?} ex {exclusive} rev {reverse} at {i}: {a} vs {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn backward_runs_along_inner_axes() {
        // Axis 1 of [2, 3, 2]: each of the 4 lanes is its own scan.
        let x = Tensor::new("t", [2, 3, 2].into(), (0..12).map(|v| 0.5 + v as f32 * 0.25).collect()).unwrap();
        let g = Tensor::new("t", [2, 3, 2].into(), (0..12).map(|v| 1.0 - v as f32 * 0.125).collect()).unwrap();
        let dx = cumprod_backward(&x, 1, false, false, &g).unwrap();
        for (o, i) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let at = |j: usize| o * 6 + j * 2 + i;
            let xl: Vec<f64> = (0..3).map(|j| x.data()[at(j)] as f64).collect();
            let gl: Vec<f64> = (0..3).map(|j| g.data()[at(j)] as f64).collect();
            let want = direct(&xl, &gl, false);
            for j in 0..3 {
                assert!((dx.data()[at(j)] as f64 - want[j]).abs() < 1e-5, "lane ({o},{i}) at {j}");
            }
        }
    }

    #[test]
    fn empty_axes_scalars_and_bad_axes() {
        let e = Tensor::zeros("t", [3, 0].into()).unwrap();
        assert_eq!(cumprod(&e, 1, false, false).unwrap().dims(), &[3, 0]);
        assert_eq!(cumprod_backward(&e, 1, true, true, &e).unwrap().dims(), &[3, 0]);
        assert_eq!(
            cumprod(&Tensor::scalar(1.), 0, false, false).unwrap_err().to_string(),
            "cumprod: x is a scalar (shape []); cumprod runs along an axis of a tensor of rank >= 1 (reshape it to [1] first)"
        );
        let x = Tensor::zeros("t", [2].into()).unwrap();
        assert_eq!(cumprod(&x, -2, false, false).unwrap_err().to_string(), "cumprod: axis -2 is out of range for a tensor of rank 1 (shape [2])");
    }
}
