//! `qr(x, full_matrices)`: the QR decomposition `x = Q·R` of each innermost `[M, N]` matrix
//! of `x` by Householder reflections (TF.js's `tf.linalg.qr`).
//!
//! Step `j` (for `j < min(M, N)`) reflects column `j` of the remaining rows onto `−sign(r_jj)·‖·‖`
//! (`+‖·‖` when `r_jj = 0`): `H_j = I − τ w wᵀ` with `w = [1, r_{j+1..,j} / u]`,
//! `u = r_jj + sign·‖·‖` and `τ = −s·u/‖·‖`, `s = r_jj > 0 ? −1 : 1`. That is TF.js 4.22's
//! Householder loop (`qr2d` in tfjs-core's `ops/linalg/qr.ts`), step for step, so the signs of
//! `Q`'s columns and `R`'s rows agree with TF.js's: `R`'s diagonal is `−sign(x_jj)·‖·‖`, and the
//! last step of a wide or square matrix reflects its one-entry column too (it flips the sign of
//! `R`'s last row and `Q`'s last column, as TF.js does). `R` is exactly upper triangular (the
//! entries below the diagonal are set to 0, not left at the reflections' rounding).
//!
//! NOTE: the reflections run in f64 on a copy of each matrix (f32 in and out): no overflow of
//! `‖·‖²` for entries near f32's limits, no underflow for tiny ones, and `QᵀQ = I` to f32's
//! rounding. A column that is already zero below and on the diagonal (`‖·‖ = 0`) is left
//! as it is (`H = I`), where TF.js divides by zero and returns NaN everywhere; NaN or ±∞ in a
//! matrix gives NaN in that matrix's `Q` and `R`.
//!
//! # Shapes
//! `x`: `[…, M, N]`, rank >= 2. With `M >= N` and not `full_matrices`: `Q [… M, N]`,
//! `R [… N, N]`; otherwise `Q [… M, M]`, `R [… M, N]`.
//!
//! # Backward
//! None: TF.js has no gradient for `qr` (its loop goes through `greater`, which has none); the
//! tape answers a gradient through it with an error naming `linalg.qr`.
//!
//! ```
//! use neurite_core::{linalg::qr::qr, Tensor};
//! let x = Tensor::new("doc", [2, 2].into(), vec![1., 2., 3., 4.]).unwrap();
//! let (q, r) = qr(&x, false).unwrap();
//! // TF.js: Q = [[-0.316, 0.949], [-0.949, -0.316]], R = [[-3.162, -4.427], [0, 0.632]].
//! assert!((r.data()[0] + 10f32.sqrt()).abs() < 1e-6 && r.data()[2] == 0.0);
//! assert!((q.data()[1] - 0.948_683_3).abs() < 1e-6);
//! ```

use crate::error::ints;
use crate::shape::Shape;
use crate::tensor::try_vec;
use crate::{bail, Result, Tensor};

/// QR of every innermost matrix of `x`; see the module doc.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn qr(x: &Tensor, full_matrices: bool) -> Result<(Tensor, Tensor)> {
    const OP: &str = "linalg.qr";
    let dims = x.dims();
    let rank = dims.len();
    if rank < 2 {
        bail!(OP, "x must have rank >= 2, got shape {s} (rank {rank})", s = ints(dims));
    }
    let (m, n) = (dims[rank - 2], dims[rank - 1]);
    let lead = &dims[..rank - 2];
    let batch: usize = lead.iter().product();
    // Q's columns and R's rows: N for the reduced form of a tall matrix, else M.
    let k = if m >= n && !full_matrices { n } else { m };
    let shape = |a: usize, b: usize| -> Result<Shape> {
        let mut s = lead.to_vec();
        s.extend([a, b]);
        Shape::new(OP, &s)
    };
    let mut q = Tensor::zeros(OP, shape(m, k)?)?;
    let mut r = Tensor::zeros(OP, shape(k, n)?)?;
    if batch == 0 {
        return Ok((q, r));
    }
    let mut a = try_vec(OP, m * n, 0f64)?;
    let (qd, rd) = (q.data_mut(), r.data_mut());
    for (b, mat) in x.data().chunks_exact((m * n).max(1)).enumerate().take(if m * n == 0 { 0 } else { batch }) {
        for (d, &v) in a.iter_mut().zip(mat) {
            *d = v as f64;
        }
        let qm = householder(&mut a, m, n, k)?;
        for (d, &v) in qd[b * m * k..(b + 1) * m * k].iter_mut().zip(&qm) {
            *d = v as f32;
        }
        for (d, &v) in rd[b * k * n..(b + 1) * k * n].iter_mut().zip(&a[..k * n]) {
            *d = v as f32;
        }
    }
    // An empty matrix (M or N zero) has no chunk: its Q is the identity's first K columns.
    if m * n == 0 {
        for b in 0..batch {
            for i in 0..m.min(k) {
                qd[b * m * k + i * k + i] = 1.0;
            }
        }
    }
    Ok((q, r))
}

/// Householder QR of the row-major `m × n` matrix `a`, in place: `a` becomes `R` (`m × n`, zero
/// below the diagonal) and the result is `Q`'s first `qcols` columns (`m × qcols`, row-major),
/// `Q = H_0 H_1 … H_{min(m,n)−1}` (applied to `I`'s first columns from the last reflection
/// back, so a tall matrix never forms the whole `m × m` `Q`). See the module doc for the
/// reflections and their signs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn householder(a: &mut [f64], m: usize, n: usize, qcols: usize) -> Result<Vec<f64>> {
    const OP: &str = "linalg.qr";
    let steps = m.min(n);
    // The reflections: τ_j and w_j (w_j[0] = 1 is not stored; its tail is m − j − 1 long).
    let mut taus = try_vec(OP, steps, 0f64)?;
    let mut ws = try_vec(OP, steps * m, 0f64)?;
    let mut dots = try_vec(OP, n.max(qcols), 0f64)?;
    for j in 0..steps {
        let norm = (j..m).map(|i| a[i * n + j] * a[i * n + j]).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue; // H = I (τ = 0)
        }
        let rjj = a[j * n + j];
        let s = if rjj > 0.0 { -1.0 } else { 1.0 };
        let u = rjj - s * norm;
        let w = &mut ws[j * m..j * m + m - j];
        w[0] = 1.0;
        for i in j + 1..m {
            w[i - j] = a[i * n + j] / u;
        }
        let tau = -s * u / norm;
        taus[j] = tau;
        // R[j.., j..] −= τ w (wᵀ R[j.., j..]), row by row (the columns before j are zero there).
        reflect(&mut a[j * n..], n, j, w, tau, &mut dots);
        for i in j + 1..m {
            a[i * n + j] = 0.0;
        }
    }
    let mut q = try_vec(OP, m * qcols, 0f64)?;
    for i in 0..m.min(qcols) {
        q[i * qcols + i] = 1.0;
    }
    for j in (0..steps).rev() {
        let tau = taus[j];
        if tau == 0.0 {
            continue;
        }
        let w = &ws[j * m..j * m + m - j];
        reflect(&mut q[j * qcols..], qcols, 0, w, tau, &mut dots);
    }
    Ok(q)
}

/// `X[.., from..] −= τ w (wᵀ X[.., from..])` for the row-major rows `x` (`w.len()` rows of
/// `cols`), with `dots` (at least `cols` long) as scratch.
fn reflect(x: &mut [f64], cols: usize, from: usize, w: &[f64], tau: f64, dots: &mut [f64]) {
    let dots = &mut dots[from..cols];
    dots.fill(0.0);
    for (row, &wi) in x.chunks_exact(cols).zip(w) {
        for (d, &v) in dots.iter_mut().zip(&row[from..]) {
            *d += wi * v;
        }
    }
    for (row, &wi) in x.chunks_exact_mut(cols).zip(w) {
        let f = tau * wi;
        for (v, &d) in row[from..].iter_mut().zip(dots.iter()) {
            *v -= f * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_util::t;

    /// `Q·R = x`, `QᵀQ = I` and `R` upper triangular, for every matrix of `x`.
    fn check(x: &Tensor, full: bool, tol: f32) {
        let (q, r) = qr(x, full).unwrap();
        let d = x.dims();
        let (m, n) = (d[d.len() - 2], d[d.len() - 1]);
        let k = q.dims()[q.rank() - 1];
        assert_eq!(r.dims()[r.rank() - 2], k);
        let batch = x.size() / (m * n).max(1);
        for b in 0..batch {
            let (qb, rb, xb) = (&q.data()[b * m * k..][..m * k], &r.data()[b * k * n..][..k * n], &x.data()[b * m * n..][..m * n]);
            for i in 0..m {
                for j in 0..n {
                    let v: f32 = (0..k).map(|l| qb[i * k + l] * rb[l * n + j]).sum();
                    assert!((v - xb[i * n + j]).abs() <= tol, "QR[{i}][{j}] = {v}, x = {}", xb[i * n + j]);
                }
            }
            for i in 0..k {
                for j in 0..k {
                    let v: f32 = (0..m).map(|l| qb[l * k + i] * qb[l * k + j]).sum();
                    assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-6, "QtQ[{i}][{j}] = {v}");
                }
                for j in 0..i.min(n) {
                    assert_eq!(rb[i * n + j], 0.0);
                }
            }
        }
    }

    #[test]
    fn reconstructs_and_is_orthogonal_for_tall_wide_square_and_batched() {
        let x = t(&[3, 2], vec![1., 2., 3., 4., 5., 6.]);
        let (q, r) = qr(&x, false).unwrap();
        assert_eq!((q.dims(), r.dims()), (&[3, 2][..], &[2, 2][..]));
        // TF.js 4.22: tf.linalg.qr([[1, 2], [3, 4], [5, 6]]).
        let tf_q = [-0.169_030_79, 0.897_084_95, -0.507_092_48, 0.276_026_73, -0.845_154_2, -0.345_033_1];
        let tf_r = [-5.916_079, -7.437_357, 0.0, 0.828_078_6];
        for (a, b) in q.data().iter().zip(tf_q).chain(r.data().iter().zip(tf_r)) {
            assert!((a - b).abs() < 2e-6, "{a} vs TF.js {b}");
        }
        let (qf, rf) = qr(&x, true).unwrap();
        assert_eq!((qf.dims(), rf.dims()), (&[3, 3][..], &[3, 2][..]));
        check(&x, true, 1e-5);
        let vals: Vec<f32> = (0..2 * 3 * 5 * 4).map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0).collect();
        for (dims, full) in [([2, 3, 5, 4], false), ([2, 3, 5, 4], true), ([2, 3, 4, 5], false), ([2, 3, 4, 5], true)] {
            let x = t(&dims, vals.clone());
            check(&x, full, 1e-5);
        }
        check(&t(&[1, 1], vec![-3.0]), false, 0.0);
        check(&t(&[1, 4], vec![2., -1., 0., 5.]), false, 1e-6);
    }

    #[test]
    fn zero_columns_huge_and_tiny_values_nan_and_empty_matrices() {
        // A zero column: H = I (TF.js returns NaN everywhere).
        check(&t(&[2, 2], vec![0., 1., 0., 2.]), false, 1e-6);
        check(&t(&[3, 3], vec![0.0; 9]), false, 0.0);
        check(&t(&[2, 2], vec![3e37, 1e38, -2e38, 3e38]), false, 3e32);
        check(&t(&[2, 2], vec![3e-38, 1e-38, -2e-38, 3e-38]), false, 1e-44);
        let (q, r) = qr(&t(&[2, 2], vec![1., f32::NAN, 3., 4.]), false).unwrap();
        assert!(q.data().iter().chain(r.data()).any(|v| v.is_nan()));
        let (q, r) = qr(&t(&[0, 3], vec![]), false).unwrap();
        assert_eq!((q.dims(), r.dims()), (&[0, 0][..], &[0, 3][..]));
        let (q, r) = qr(&t(&[3, 0], vec![]), true).unwrap();
        assert_eq!((q.data(), r.dims()), (&[1., 0., 0., 0., 1., 0., 0., 0., 1.][..], &[3, 0][..]));
        let (q, r) = qr(&t(&[0, 2, 2], vec![]), false).unwrap();
        assert_eq!((q.dims(), r.dims()), (&[0, 2, 2][..], &[0, 2, 2][..]));
        let e = qr(&t(&[3], vec![1., 2., 3.]), false).unwrap_err().to_string();
        assert_eq!(e, "linalg.qr: x must have rank >= 2, got shape [3] (rank 1)");
    }
}
