//! `leastSquares`: regularized linear least squares, solved in closed form.
//!
//! # Math
//! `X = argmin ‖A·X − B‖² + λ‖X‖²` satisfies the normal equations `(AᵀA + λI)·X = AᵀB`.
//! `AᵀA + λI` is symmetric positive definite when `λ > 0` or `A` has full column rank, so it is
//! factored as `L·Lᵀ` (Cholesky) and `X` found by one forward and one backward substitution
//! per column of `B`. Everything runs in f64: forming `AᵀA` squares the condition number, and
//! f64 keeps the f32 result accurate for the well-posed systems this is for (RBF output
//! layers, small regressions). A pivot below `1e-12 ×` the largest diagonal entry means the
//! columns of `A` are (numerically) dependent; that is an error suggesting `λ > 0`.
//!
//! # Shapes
//! `A: [n, p]`, `B: [n]` → `X: [p]`; `B: [n, m]` → `X: [p, m]`.

use crate::tensor::try_vec;
use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "leastSquares";

/// Factors the symmetric positive definite `m` (`p × p`, row-major) in place into its lower
/// Cholesky factor `L` (the upper triangle is left as is). On failure returns the index of the
/// first column whose pivot is not positive.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn cholesky(m: &mut [f64], p: usize) -> core::result::Result<(), usize> {
    let scale = (0..p).map(|i| m[i * p + i].abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    for j in 0..p {
        let mut diag = m[j * p + j];
        for k in 0..j {
            diag -= m[j * p + k] * m[j * p + k];
        }
        // NOTE: also rejects a NaN pivot.
        if diag.is_nan() || diag <= 1e-12 * scale {
            return Err(j);
        }
        let ljj = diag.sqrt();
        m[j * p + j] = ljj;
        for i in j + 1..p {
            let mut s = m[i * p + j];
            for k in 0..j {
                s -= m[i * p + k] * m[j * p + k];
            }
            m[i * p + j] = s / ljj;
        }
    }
    Ok(())
}

/// Solves `L·Lᵀ·x = b` in place for each of the `cols` columns of `b` (`p × cols`, row-major).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn cholesky_solve(l: &[f64], p: usize, b: &mut [f64], cols: usize) {
    for c in 0..cols {
        // L·y = b
        for i in 0..p {
            let mut s = b[i * cols + c];
            for k in 0..i {
                s -= l[i * p + k] * b[k * cols + c];
            }
            b[i * cols + c] = s / l[i * p + i];
        }
        // Lᵀ·x = y
        for i in (0..p).rev() {
            let mut s = b[i * cols + c];
            for k in i + 1..p {
                s -= l[k * p + i] * b[k * cols + c];
            }
            b[i * cols + c] = s / l[i * p + i];
        }
    }
}

/// `argmin ‖A·X − B‖² + l2·‖X‖²`; see the module docs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn least_squares(a: &Tensor, b: &Tensor, l2: f32) -> Result<Tensor> {
    let [n, p] = a.dims() else {
        bail_shape!(OP, "a must be a matrix [samples, features], got shape {}", a.shape());
    };
    let (n, p) = (*n, *p);
    let (bn, m, out_shape) = match b.dims() {
        [bn] => (*bn, 1, Shape::from([p])),
        [bn, m] => (*bn, *m, Shape::from([p, *m])),
        _ => bail_shape!(OP, "b must have shape [{n}] or [{n}, targets], got {}", b.shape()),
    };
    if bn != n {
        bail_shape!(OP, "a has {n} rows (shape {}) but b has {bn} (shape {}); they must be equal", a.shape(), b.shape());
    }
    if p == 0 {
        bail_shape!(OP, "a has no columns (shape {})", a.shape());
    }
    if !(l2.is_finite() && l2 >= 0.0) {
        bail!(OP, "l2 must be a finite number >= 0, got {l2}", l2 = js_number(l2));
    }
    for (name, t) in [("a", a), ("b", b)] {
        if let Some(i) = crate::kernels::finite::first_non_finite(t.data()) {
            bail!(OP, "{name} contains {} at flat index {i}", js_number(t.data()[i]));
        }
    }
    let (ad, bd) = (a.data(), b.data());
    // AᵀA + λI (lower triangle, mirrored) and AᵀB.
    // p·p may overflow (a has many columns); p·m is the size of the result.
    let pp = crate::shape::dims_product(OP, &[p, p])?;
    let mut g = try_vec(OP, pp, 0f64)?;
    let mut rhs = try_vec(OP, crate::shape::dims_product(OP, &[p, m])?, 0f64)?;
    for (row, brow) in ad.chunks_exact(p).zip(bd.chunks_exact(m)) {
        for i in 0..p {
            let ai = f64::from(row[i]);
            if ai == 0.0 {
                continue;
            }
            for j in 0..=i {
                g[i * p + j] += ai * f64::from(row[j]);
            }
            for (r, &bv) in rhs[i * m..(i + 1) * m].iter_mut().zip(brow) {
                *r += ai * f64::from(bv);
            }
        }
    }
    for i in 0..p {
        g[i * p + i] += f64::from(l2);
        for j in 0..i {
            g[j * p + i] = g[i * p + j];
        }
    }
    if let Err(col) = cholesky(&mut g, p) {
        bail!(
            OP,
            "aᵀa + l2·I is not positive definite (l2 = {l2}): column {col} of a is a linear combination of the others{}; pass l2 > 0 (e.g. 1e-6) to regularize",
            if n < p { format!(", as must happen with fewer rows ({n}) than columns ({p})") } else { String::new() },
            l2 = js_number(l2)
        );
    }
    cholesky_solve(&g, p, &mut rhs, m);
    let n_out = rhs.len();
    Tensor::new(OP, out_shape, crate::tensor::collect_n(OP, n_out, rhs.into_iter().map(|v| v as f32))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    #[test]
    fn exact_and_overdetermined_systems() {
        // 2x + y = 5, x + 3y = 10 → x = 1, y = 3.
        let x = least_squares(&t(&[2, 2], vec![2., 1., 1., 3.]), &t(&[2], vec![5., 10.]), 0.0).unwrap();
        assert!((x.data()[0] - 1.0).abs() < 1e-6 && (x.data()[1] - 3.0).abs() < 1e-6, "{:?}", x.data());
        // A line through noiseless points y = 2 − 0.5·t, two targets at once (the second is 3·t).
        let ts = [-2.0f32, -1.0, 0.0, 1.5, 4.0];
        let a: Vec<f32> = ts.iter().flat_map(|&v| [1.0, v]).collect();
        let b: Vec<f32> = ts.iter().flat_map(|&v| [2.0 - 0.5 * v, 3.0 * v]).collect();
        let x = least_squares(&t(&[5, 2], a), &t(&[5, 2], b), 0.0).unwrap();
        assert_eq!(x.dims(), &[2, 2]);
        for (g, w) in x.data().iter().zip([2.0, 0.0, -0.5, 3.0]) {
            assert!((g - w).abs() < 1e-5, "{:?}", x.data());
        }
    }

    #[test]
    fn ridge_matches_its_closed_form() {
        // One column: x = Σ a·b / (Σ a² + λ).
        let a = t(&[3, 1], vec![1., 2., 3.]);
        let b = t(&[3], vec![1., 1., 2.]);
        let x = least_squares(&a, &b, 0.5).unwrap();
        assert!((x.data()[0] - 9.0 / 14.5).abs() < 1e-6);
    }

    #[test]
    fn singular_systems_need_regularization() {
        let a = t(&[3, 2], vec![1., 2., 2., 4., 3., 6.]);
        let b = t(&[3], vec![1., 2., 3.]);
        let e = least_squares(&a, &b, 0.0).unwrap_err().to_string();
        assert!(e.starts_with("leastSquares: aᵀa + l2·I is not positive definite (l2 = 0): column 1"), "{e}");
        assert!(least_squares(&a, &b, 1e-3).is_ok());
        let wide = least_squares(&t(&[1, 2], vec![1., 1.]), &t(&[1], vec![1.]), 0.0).unwrap_err().to_string();
        assert!(wide.contains("fewer rows (1) than columns (2)"), "{wide}");
    }

    #[test]
    fn bad_input_is_named() {
        let a = t(&[3, 2], vec![1.; 6]);
        let e = |a: &Tensor, b: &Tensor, l2: f32| least_squares(a, b, l2).unwrap_err().to_string();
        assert_eq!(e(&a, &t(&[2], vec![1.; 2]), 0.1), "leastSquares: a has 3 rows (shape [3,2]) but b has 2 (shape [2]); they must be equal");
        assert!(e(&t(&[3], vec![1.; 3]), &t(&[3], vec![1.; 3]), 0.1).contains("a must be a matrix"));
        assert!(e(&a, &t(&[3, 1, 1], vec![1.; 3]), 0.1).contains("b must have shape [3] or [3, targets]"));
        assert_eq!(e(&a, &t(&[3], vec![1.; 3]), -1.0), "leastSquares: l2 must be a finite number >= 0, got -1");
        assert!(e(&a, &t(&[3], vec![1., f32::NAN, 1.]), 0.1).contains("b contains NaN at flat index 1"));
    }

    /// The normal matrix is p×p: for many columns that is an out-of-memory error, not an abort.
    #[test]
    fn huge_column_counts_are_out_of_memory() {
        let a = Tensor::zeros("t", Shape::from([0, 4_000_000_000])).unwrap();
        let b = Tensor::zeros("t", Shape::from([0])).unwrap();
        let e = least_squares(&a, &b, 1.0).unwrap_err();
        assert_eq!(e.status(), crate::Status::OutOfMemory, "{e}");
        assert!(e.to_string().starts_with("leastSquares: out of memory"), "{e}");
    }
}
