//! The affine map `y = x·W + b` over the last axis of `x`: a dense layer before its activation,
//! each head of a variational layer, and the gradient tape's `Affine` record (a variational
//! layer's heads recorded by `encodeDistribution`). Its forward and its one backward rule live
//! here, so `fit` and the tape differentiate it the same way.
//!
//! Shapes: `x` is `rows × inp` (any leading axes flattened into rows), `W` is `inp × units`,
//! `b` is `units`, `y` and `dL/dy` are `rows × units`.

use std::mem::MaybeUninit;

use crate::activations::Activation;
use crate::kernels::matmul::{gemm, gemm_uninit_then, gemm_vec};
use crate::Result;

/// `act(x·W + b)` (`b` and `act` optional), a new `rows × units` buffer. The bias and the
/// activation are applied to each band of rows as the GEMM finishes it ([`forward_into`]),
/// not in passes of their own over `y`.
#[allow(clippy::too_many_arguments)]
pub fn forward(op: &'static str, x: &[f32], rows: usize, inp: usize, units: usize, w: &[f32], b: Option<&[f32]>, act: Option<&Activation>) -> Result<Vec<f32>> {
    let len = rows.checked_mul(units).ok_or(crate::Error::OutOfMemory { op, bytes: u64::MAX })?;
    let mut y = crate::tensor::alloc_empty(op, len)?;
    let (fused, after) = split_activation(act, units);
    forward_into(x, rows, inp, units, w, b, fused, &mut y.spare_capacity_mut()[..len]);
    // SAFETY: forward_into wrote all `len` values.
    unsafe { y.set_len(len) };
    activate_after(op, after, &mut y, units)?;
    Ok(y)
}

/// `x·W + b`, then `act`, into `y` (`rows × units`, not yet initialised; all written). The
/// bias and `act` run on each band of rows of the GEMM as soon as it is final, on the thread
/// that computed it ([`gemm_uninit_then`]): for a convolution's output of megabytes that
/// saves two passes over memory. `act` must be one [`split_activation`] lets through.
#[allow(clippy::too_many_arguments)]
pub fn forward_into(x: &[f32], rows: usize, inp: usize, units: usize, w: &[f32], b: Option<&[f32]>, act: Option<&Activation>, y: &mut [MaybeUninit<f32>]) {
    gemm_uninit_then(rows, inp, units, x, false, w, false, y, &|band: &mut [f32]| finish(band, units, b, act));
}

/// `act(band + b)` in place on whole rows of `units` (each when given): what [`forward_into`]
/// applies to each band of the GEMM's output.
pub fn finish(band: &mut [f32], units: usize, b: Option<&[f32]>, act: Option<&Activation>) {
    if let Some(b) = b {
        add_bias(band, b);
    }
    if let Some(act) = act {
        act.forward_in_place(band, units);
    }
}

/// `act` as (what [`forward_into`] applies, what [`activate_after`] applies to the finished
/// output): the identity is neither; a row-wise activation (softmax) whose rows of `units`
/// are too long for [`Activation::forward_in_place`] runs after.
pub fn split_activation(act: Option<&Activation>, units: usize) -> (Option<&Activation>, Option<&Activation>) {
    match act {
        Some(a) if crate::layers::is_identity(a) => (None, None),
        Some(a) if a.in_place_piece(units) == 0 => (None, Some(a)),
        a => (a, None),
    }
}

/// `y = act(y)` over a whole output (rows of `units`), through a copy of `y`: for what
/// [`split_activation`] leaves after the GEMM, and outputs not made by one. The identity
/// leaves `y` as it is.
pub fn activate_after(op: &'static str, act: Option<&Activation>, y: &mut [f32], units: usize) -> Result<()> {
    if let Some(act) = act.filter(|a| !crate::layers::is_identity(a)) {
        let pre = crate::tensor::copy_of(op, y)?;
        act.forward(&pre, y, units);
    }
    Ok(())
}

/// `y += b` on every row of `y` (`rows × b.len()`; nothing to do for no units).
pub fn add_bias(y: &mut [f32], b: &[f32]) {
    if b.is_empty() {
        return;
    }
    for row in y.chunks_exact_mut(b.len()) {
        for (v, &bv) in row.iter_mut().zip(b) {
            *v += bv;
        }
    }
}

/// The backward rule, given `dy` = dL/dy: writes dL/dW = xᵀ·dy into `dw` and dL/db = Σ dy
/// over the rows into `db` (each when given, overwriting), and returns dL/dx = dy·Wᵀ when
/// `need_dx`.
#[allow(clippy::too_many_arguments)]
pub fn backward(op: &'static str, x: &[f32], rows: usize, inp: usize, units: usize, w: &[f32], dy: &[f32], dw: Option<&mut [f32]>, db: Option<&mut [f32]>, need_dx: bool) -> Result<Option<Vec<f32>>> {
    if let Some(dw) = dw {
        // [inp, rows]·[rows, units]
        gemm(inp, rows, units, x, true, dy, false, dw);
    }
    if let Some(db) = db {
        bias_grad(dy, db);
    }
    // [rows, units]·[units, inp]
    if need_dx { Ok(Some(gemm_vec(op, rows, units, inp, dy, false, w, true)?)) } else { Ok(None) }
}

/// dL/db = Σ dy over the rows of `dy` (`rows × db.len()`), written into `db` (nothing to do
/// for no units).
pub fn bias_grad(dy: &[f32], db: &mut [f32]) {
    db.fill(0.0);
    if db.is_empty() {
        return;
    }
    for row in dy.chunks_exact(db.len()) {
        for (g, &d) in db.iter_mut().zip(row) {
            *g += d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the closed form on a 2×3 · 3×2 case, and dL/dx, dL/dW, dL/db against central
    /// differences of L = Σ c ⊙ y in f64.
    #[test]
    fn forward_and_backward_against_the_definition() {
        let (rows, inp, units) = (2, 3, 2);
        let x = [1.0f32, -2.0, 0.5, 3.0, 0.25, -1.0];
        let w = [0.5f32, -1.0, 2.0, 0.0, -0.5, 1.5];
        let b = [0.1f32, -0.2];
        let y = forward("t", &x, rows, inp, units, &w, Some(&b), None).unwrap();
        let want: Vec<f32> = (0..rows * units).map(|k| {
            let (i, j) = (k / units, k % units);
            (0..inp).map(|p| x[i * inp + p] * w[p * units + j]).sum::<f32>() + b[j]
        }).collect();
        assert_eq!(y, want);
        let c = [0.7f32, -1.3, 0.2, 2.0];
        let loss = |x: &[f32], w: &[f32], b: &[f32]| -> f64 {
            forward("t", x, rows, inp, units, w, Some(b), None).unwrap().iter().zip(&c).map(|(&v, &c)| v as f64 * c as f64).sum()
        };
        let (mut dw, mut db) = (vec![9.0; inp * units], vec![9.0; units]);
        let dx = backward("t", &x, rows, inp, units, &w, &c, Some(&mut dw), Some(&mut db), true).unwrap().unwrap();
        let diff = |f: &dyn Fn(f32) -> f64| (f(1e-2) - f(-1e-2)) / 2e-2;
        for i in 0..x.len() {
            let fd = diff(&|h| { let mut v = x; v[i] += h; loss(&v, &w, &b) });
            assert!((dx[i] as f64 - fd).abs() < 1e-3, "dx[{i}]: {} vs {fd}", dx[i]);
        }
        for i in 0..w.len() {
            let fd = diff(&|h| { let mut v = w; v[i] += h; loss(&x, &v, &b) });
            assert!((dw[i] as f64 - fd).abs() < 1e-3, "dW[{i}]: {} vs {fd}", dw[i]);
        }
        for i in 0..b.len() {
            let fd = diff(&|h| { let mut v = b; v[i] += h; loss(&x, &w, &v) });
            assert!((db[i] as f64 - fd).abs() < 1e-3, "db[{i}]: {} vs {fd}", db[i]);
        }
        assert!(backward("t", &x, rows, inp, units, &w, &c, None, None, false).unwrap().is_none());
    }
}
