//! Symmetric eigen-decomposition in f64: Householder tridiagonalisation followed by the
//! implicit QL algorithm with Wilkinson-style shifts.
//!
//! # Math
//! A real symmetric `A` (`n × n`) is reduced to a tridiagonal `T = Qᵀ·A·Q` by `n − 2`
//! Householder reflections (accumulated into `Q`), then `T` is diagonalised by implicit QL
//! sweeps, each a chain of Givens rotations applied to `Q` too. The result is
//! `A = V·diag(λ)·Vᵀ` with `V` orthonormal. Cost about `9·n³` flops; for `n = 784` a fraction
//! of a second. This is the EISPACK `tred2`/`tql2` pair (Wilkinson & Reinsch, *Handbook for
//! Automatic Computation* II, 1971), as in the public-domain JAMA library, rewritten so that
//! every inner loop walks a row: the working matrix is stored transposed, so the eigenvectors
//! come out as rows.
//!
//! Eigenvalues are returned in descending order, each eigenvector as a row of `vectors`.

use crate::{Error, Result};

/// Eigenvalues (descending) and eigenvectors (the rows of `a`, in place) of the symmetric
/// `n × n` row-major matrix `a`. Only symmetry is assumed; a non-finite entry or QL not
/// converging (which does not happen for finite symmetric input) is an internal error.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn symmetric_eigen(a: &mut [f64], n: usize) -> Result<Vec<f64>> {
    debug_assert_eq!(a.len(), n * n);
    let mut d = crate::tensor::try_vec("eigen", n, 0f64)?;
    let mut e = crate::tensor::try_vec("eigen", n, 0f64)?;
    if n == 0 {
        return Ok(d);
    }
    // `a` is symmetric, so it is also its own transpose: `w[y·n + x]` below is `V[x][y]` of
    // the textbook algorithm.
    tridiagonalise(a, n, &mut d, &mut e);
    ql_implicit(a, n, &mut d, &mut e)?;
    // Sort descending (selection sort swapping rows: O(n²) row swaps at most, O(n³) copies
    // worst case — negligible next to QL).
    for i in 0..n {
        let mut best = i;
        for j in i + 1..n {
            if d[j] > d[best] {
                best = j;
            }
        }
        if best != i {
            d.swap(i, best);
            let (lo, hi) = a.split_at_mut(best * n);
            lo[i * n..(i + 1) * n].swap_with_slice(&mut hi[..n]);
        }
    }
    Ok(d)
}

/// `Σ aᵢ·bᵢ` over the shorter length, with four independent partial sums (so the compiler can
/// keep SIMD lanes busy: a single running sum would serialise every addition).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4.remainder().iter().zip(b4.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a4.zip(b4) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Householder reduction to tridiagonal form (`tred2`). On return `d` holds the diagonal,
/// `e[1..]` the sub-diagonal, and `w` the accumulated transformation, transposed.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn tridiagonalise(w: &mut [f64], n: usize, d: &mut [f64], e: &mut [f64]) {
    for j in 0..n {
        d[j] = w[j * n + n - 1];
    }
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|v| v.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = w[j * n + i - 1];
                w[j * n + i] = 0.0;
                w[i * n + j] = 0.0;
            }
        } else {
            for v in &mut d[..i] {
                *v /= scale;
                h += *v * *v;
            }
            let f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].fill(0.0);
            for j in 0..i {
                let f = d[j];
                w[i * n + j] = f;
                let row = &w[j * n..j * n + i];
                let g = e[j] + row[j] * f + dot(&row[j + 1..], &d[j + 1..i]);
                for (ek, &rk) in e[j + 1..i].iter_mut().zip(&row[j + 1..]) {
                    *ek += rk * f;
                }
                e[j] = g;
            }
            let mut f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                let (f, g) = (d[j], e[j]);
                let row = &mut w[j * n..j * n + i];
                for k in j..i {
                    row[k] -= f * e[k] + g * d[k];
                }
                d[j] = row[i - 1];
                w[j * n + i] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        w[i * n + n - 1] = w[i * n + i];
        w[i * n + i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = w[(i + 1) * n + k] / h;
            }
            let (lo, hi) = w.split_at_mut((i + 1) * n);
            let col = &hi[..=i];
            for j in 0..=i {
                let row = &mut lo[j * n..j * n + i + 1];
                let g = dot(col, row);
                for (r, dk) in row.iter_mut().zip(&d[..=i]) {
                    *r -= g * dk;
                }
            }
        }
        w[(i + 1) * n..(i + 1) * n + i + 1].fill(0.0);
    }
    for j in 0..n {
        d[j] = w[j * n + n - 1];
        w[j * n + n - 1] = 0.0;
    }
    w[(n - 1) * n + n - 1] = 1.0;
    e[0] = 0.0;
}

/// Symmetric tridiagonal QL with implicit shifts (`tql2`), rotating the rows of `w`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn ql_implicit(w: &mut [f64], n: usize, d: &mut [f64], e: &mut [f64]) -> Result<()> {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut f = 0.0;
    let mut tst1: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                if iterations > 100 || !tst1.is_finite() {
                    return Err(Error::Internal { msg: format!("eigen: QL did not converge for eigenvalue {l} of {n}") });
                }
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let h = g - d[l];
                for v in &mut d[l + 2..n] {
                    *v -= h;
                }
                f += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    // Rotate rows i and i+1 (columns of the textbook V).
                    let (lo, hi) = w.split_at_mut((i + 1) * n);
                    let (ri, ri1) = (&mut lo[i * n..], &mut hi[..n]);
                    for (a, b) in ri.iter_mut().zip(ri1.iter_mut()) {
                        let h = *b;
                        *b = s * *a + c * h;
                        *a = c * *a - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &[f64], n: usize) {
        let mut v = a.to_vec();
        let lambda = symmetric_eigen(&mut v, n).unwrap();
        let scale = a.iter().fold(1e-300f64, |m, x| m.max(x.abs()));
        for i in 1..n {
            assert!(lambda[i - 1] >= lambda[i], "descending: {lambda:?}");
        }
        // A·v = λ·v and VᵀV = I.
        for c in 0..n {
            let vc = &v[c * n..(c + 1) * n];
            for r in 0..n {
                let av: f64 = (0..n).map(|j| a[r * n + j] * vc[j]).sum();
                assert!((av - lambda[c] * vc[r]).abs() < 1e-10 * scale * n as f64, "n={n} c={c} r={r}: {av} vs {}", lambda[c] * vc[r]);
            }
            for c2 in 0..n {
                let dot: f64 = (0..n).map(|j| vc[j] * v[c2 * n + j]).sum();
                let want = if c == c2 { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-10, "orthonormal: {c},{c2} = {dot}");
            }
        }
    }

    #[test]
    fn two_by_two_by_hand() {
        // [[2, 1], [1, 2]]: λ = 3 (v ∝ [1, 1]) and 1 (v ∝ [1, −1]).
        let mut a = vec![2.0, 1.0, 1.0, 2.0];
        let l = symmetric_eigen(&mut a, 2).unwrap();
        assert!((l[0] - 3.0).abs() < 1e-14 && (l[1] - 1.0).abs() < 1e-14, "{l:?}");
        assert!((a[0].abs() - 0.5f64.sqrt()).abs() < 1e-14 && (a[0] - a[1]).abs() < 1e-14);
    }

    #[test]
    fn random_diagonal_degenerate_and_zero_matrices() {
        let mut s = 12345u64;
        let mut rnd = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        for n in [1usize, 2, 3, 5, 8, 17, 40] {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..=i {
                    let v = rnd();
                    a[i * n + j] = v;
                    a[j * n + i] = v;
                }
            }
            check(&a, n);
            // Rank one (many equal zero eigenvalues) and a diagonal with repeats.
            let u: Vec<f64> = (0..n).map(|_| rnd()).collect();
            let r1: Vec<f64> = (0..n * n).map(|k| u[k / n] * u[k % n]).collect();
            check(&r1, n);
            let diag: Vec<f64> = (0..n * n).map(|k| if k / n == k % n { ((k / n) % 3) as f64 } else { 0.0 }).collect();
            check(&diag, n);
            check(&vec![0.0; n * n], n);
        }
        assert!(symmetric_eigen(&mut [], 0).unwrap().is_empty());
    }
}
