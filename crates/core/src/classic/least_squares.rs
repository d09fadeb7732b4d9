//! `leastSquares`: regularized linear least squares, solved by Householder QR.
//!
//! # Math
//! `X = argmin ‖A·X − B‖² + λ‖X‖²` is the plain least-squares solution of the stacked system
//! `[A; √λ·I]·X ≈ [B; 0]` (the ridge term is `p` extra rows; none when `λ = 0`). That matrix is
//! factored as `Q·R` by Householder reflections (Golub & Van Loan, *Matrix Computations*,
//! §5.2 and §5.3), `Qᵀ` is applied to the right-hand sides as the reflections are made, and
//! `R·X = (QᵀB)[..p]` is solved by back substitution. QR works on `A` itself; the normal
//! equations `(AᵀA + λI)·X = AᵀB` square its condition number (a 100 × 13 Vandermonde matrix:
//! 2.5e8, so 6e16 for `AᵀA`, past f64). Everything runs in f64 on the f32 inputs; the result
//! is rounded to f32 once.
//!
//! # Dependent columns
//! `|R[k,k]|` is the distance from column `k` to the span of columns `0..k`. Column `k` is
//! taken for a linear combination of the others when that distance is at most
//! [`DEPENDENT`] `= 1e-10` times the column's norm (with `λ > 0`, the stacked column's,
//! `√(‖aₖ‖² + λ)`), or when no row is left for it (fewer rows than columns). Householder QR is
//! backward stable column by column, so exact dependence (a repeated, scaled or zero column)
//! leaves `|R[k,k]|` near f64 rounding (~1e-16 of the norm), far below the tolerance; and
//! the tolerance is far below the resolution of f32 data (6e-8), so columns that are nearly
//! dependent but not exactly are solved, as NumPy's `lstsq` solves them. The error names the
//! first dependent column and suggests `λ > 0`.
//!
//! # Shapes
//! `A: [n, p]`, `B: [n]` → `X: [p]`; `B: [n, m]` → `X: [p, m]`.

use crate::tensor::try_vec;
use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

const OP: &str = "leastSquares";

/// A column whose distance to the span of the columns before it is at most this fraction of
/// its norm is a linear combination of them; see the module docs.
pub const DEPENDENT: f64 = 1e-10;

/// Solves `min ‖W·X − C‖` in place by Householder QR: `w` is the `rows × p` matrix and `c` the
/// right-hand sides, both column-major (`w[j·rows + i]` is row `i` of column `j`); `diag`
/// (`min(rows, p)` long) receives R's diagonal, as the reflection vectors take its place in
/// `w`. On success the first `p` entries of each column of `c` are that column's solution. On
/// failure returns the first dependent column (see [`DEPENDENT`]).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn qr_solve(w: &mut [f64], rows: usize, p: usize, c: &mut [f64], diag: &mut [f64]) -> core::result::Result<(), usize> {
    for k in 0..p {
        if k >= rows {
            return Err(k);
        }
        let (left, right) = w.split_at_mut((k + 1) * rows);
        let (above, v) = left[k * rows..].split_at_mut(k);
        let alpha = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        // The reflections are orthogonal, so the column's norm is that of R[..k, k] and the rest.
        let norm = (above.iter().map(|x| x * x).sum::<f64>() + alpha * alpha).sqrt();
        // NOTE: `!(a > b)` also rejects NaN.
        if !(alpha > DEPENDENT * norm) {
            return Err(k);
        }
        // H = I − v·vᵀ·2/(vᵀv) with v = x − r·e₁ maps x to r·e₁; r takes the sign opposite to
        // x₀ so that v₀ = x₀ − r does not cancel. vᵀv = −2·r·v₀.
        let r = if v[0] > 0.0 { -alpha } else { alpha };
        v[0] -= r;
        diag[k] = r;
        let scale = 1.0 / (r * v[0]);
        let v: &[f64] = v;
        for col in right.chunks_exact_mut(rows).chain(c.chunks_exact_mut(rows)) {
            let t = &mut col[k..];
            let f = v.iter().zip(t.iter()).map(|(a, b)| a * b).sum::<f64>() * scale;
            for (ti, &vi) in t.iter_mut().zip(v) {
                *ti += f * vi;
            }
        }
    }
    // R·x = (Qᵀc)[..p], R[i, l] = w[l·rows + i] above the diagonal.
    for col in c.chunks_exact_mut(rows) {
        for i in (0..p).rev() {
            let mut s = col[i];
            for l in i + 1..p {
                s -= w[l * rows + i] * col[l];
            }
            col[i] = s / diag[i];
        }
    }
    Ok(())
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
    if m == 0 {
        // No targets: the solution has no columns (NumPy's lstsq gives a [p, 0] array too).
        return Tensor::zeros(OP, out_shape);
    }
    let (ad, bd) = (a.data(), b.data());
    // The stacked system [A; √λ·I]·X ≈ [B; 0], column-major; (n + p)·p may overflow.
    let ridge = l2 > 0.0;
    let rows = if ridge { n.checked_add(p).ok_or(crate::Error::OutOfMemory { op: OP, bytes: u64::MAX })? } else { n };
    let mut w = try_vec(OP, crate::shape::dims_product(OP, &[rows, p])?, 0f64)?;
    let mut c = try_vec(OP, crate::shape::dims_product(OP, &[rows, m])?, 0f64)?;
    for (i, (row, brow)) in ad.chunks_exact(p).zip(bd.chunks_exact(m)).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            w[j * rows + i] = f64::from(v);
        }
        for (j, &v) in brow.iter().enumerate() {
            c[j * rows + i] = f64::from(v);
        }
    }
    let sqrt_l2 = f64::from(l2).sqrt();
    if ridge {
        for j in 0..p {
            w[j * rows + n + j] = sqrt_l2;
        }
    }
    let mut diag = try_vec(OP, rows.min(p), 0f64)?;
    if let Err(col) = qr_solve(&mut w, rows, p, &mut c, &mut diag) {
        let why = if col >= rows {
            String::new()
        } else if col == 0 {
            ": it is all zeros".to_string()
        } else {
            format!(": no more than 1e-10 of its norm lies outside the span of columns 0 to {}", col - 1)
        };
        bail!(
            OP,
            "column {col} of a is a linear combination of the others (l2 = {l2}){why}{}; pass {} to regularize",
            if n < p { format!(", as must happen with fewer rows ({n}) than columns ({p})") } else { String::new() },
            if ridge { "a larger l2" } else { "l2 > 0 (e.g. 1e-6)" },
            l2 = js_number(l2)
        );
    }
    let n_out = crate::shape::dims_product(OP, &[p, m])?;
    let x = crate::tensor::collect_n(OP, n_out, (0..p).flat_map(|i| c.chunks_exact(rows).map(move |col| col[i] as f32)))?;
    Tensor::new(OP, out_shape, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::from(dims), v).unwrap()
    }

    #[test]
    fn no_targets_give_an_empty_solution() {
        // b of shape [n, 0] (it trapped: chunks_exact(0)), with and without l2.
        for l2 in [0.0, 0.1] {
            let x = least_squares(&t(&[3, 2], vec![1., 0., 0., 1., 1., 1.]), &t(&[3, 0], vec![]), l2).unwrap();
            assert_eq!(x.dims(), &[2, 0]);
        }
        let x = least_squares(&t(&[0, 2], vec![]), &t(&[0, 0], vec![]), 0.0).unwrap();
        assert_eq!(x.dims(), &[2, 0]);
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
    fn ridge_matches_the_regularized_normal_equations() {
        // (AᵀA + λI)⁻¹AᵀB by NumPy (np.linalg.solve; the script is in test/classic.test.ts,
        // "leastSquares … NumPy"), λ = 0.5, three columns, two targets.
        let a = t(&[5, 3], vec![1., 2., 0.5, 0., 1., -1., 3., -1., 2., 1., 1., 1., 2., 0., -2.]);
        let b = t(&[5, 2], vec![1., 0., 2., 1., 0., -1., 1., 3., -1., 2.]);
        let want = [-0.0497893527384144, 0.35541937954806585, 0.6960660939979209, 0.6091809377906658, 0.22049570498440663, -0.431142966570006];
        let x = least_squares(&a, &b, 0.5).unwrap();
        for (g, w) in x.data().iter().zip(want) {
            assert!((f64::from(*g) - w).abs() < 1e-6, "{:?}", x.data());
        }
    }

    /// A 100 × 13 Vandermonde matrix (x = i/99, powers 0..=12; condition 2.5e8) and y = eˣ:
    /// the normal equations (condition 6e16) refused it as "column 11 … a linear combination";
    /// QR reaches NumPy's residual (lstsq: 4.40e-7; its solution rounded to f32: 5.56e-7).
    #[test]
    fn ill_conditioned_vandermonde_is_solved() {
        let xs: Vec<f64> = (0..100).map(|i| f64::from(i) / 99.0).collect();
        let a: Vec<f32> = xs.iter().flat_map(|&x| (0..13).map(move |j| x.powi(j) as f32)).collect();
        let b: Vec<f32> = xs.iter().map(|&x| x.exp() as f32).collect();
        let w = least_squares(&t(&[100, 13], a.clone()), &t(&[100], b.clone()), 0.0).unwrap();
        let res = a.chunks_exact(13).zip(&b).map(|(row, &y)| {
            let p: f64 = row.iter().zip(w.data()).map(|(&v, &c)| f64::from(v) * f64::from(c)).sum();
            (p - f64::from(y)).powi(2)
        });
        let res = res.sum::<f64>().sqrt();
        assert!(res < 6e-7, "residual {res}");
    }

    #[test]
    fn dependent_columns_need_regularization() {
        let a = t(&[3, 2], vec![1., 2., 2., 4., 3., 6.]);
        let b = t(&[3], vec![1., 2., 3.]);
        let e = least_squares(&a, &b, 0.0).unwrap_err().to_string();
        assert_eq!(e, "leastSquares: column 1 of a is a linear combination of the others (l2 = 0): no more than 1e-10 of its norm lies outside the span of columns 0 to 0; pass l2 > 0 (e.g. 1e-6) to regularize");
        assert!(least_squares(&a, &b, 1e-3).is_ok());
        let zero = least_squares(&t(&[2, 2], vec![0., 1., 0., 2.]), &t(&[2], vec![1., 1.]), 0.0).unwrap_err().to_string();
        assert!(zero.contains("column 0 of a is a linear combination of the others (l2 = 0): it is all zeros;"), "{zero}");
        let wide = least_squares(&t(&[1, 2], vec![1., 1.]), &t(&[1], vec![1.]), 0.0).unwrap_err().to_string();
        assert_eq!(wide, "leastSquares: column 1 of a is a linear combination of the others (l2 = 0), as must happen with fewer rows (1) than columns (2); pass l2 > 0 (e.g. 1e-6) to regularize");
        // With a ridge the stacked system always has full rank: 1 row, 3 columns, x = aᵀ(aaᵀ + λ)⁻¹b.
        let x = least_squares(&t(&[1, 3], vec![1., 2., 2.]), &t(&[1], vec![9.]), 1.0).unwrap();
        for (g, w) in x.data().iter().zip([0.9, 1.8, 1.8]) {
            assert!((g - w).abs() < 1e-6, "{:?}", x.data());
        }
        // A ridge too small to matter against the column norms is still dependent.
        let tiny = least_squares(&a, &b, 1e-30).unwrap_err().to_string();
        assert!(tiny.starts_with("leastSquares: column 1 of a is a linear combination of the others (l2 = 0.000") && tiny.ends_with("pass a larger l2 to regularize"), "{tiny}");
        // Nearly dependent (f32 rounding apart) is not dependent: NumPy solves it too.
        let near = t(&[3, 2], vec![1., 2., 2., 4.000001, 3., 6.]);
        assert!(least_squares(&near, &b, 0.0).is_ok());
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
