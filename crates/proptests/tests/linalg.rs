//! `linalg::qr` and `linalg::band_part` on random shapes and values: QR reconstructs x with
//! orthonormal columns of Q and an exactly upper-triangular R (tall, wide, square, batched,
//! empty, reduced or full); bandPart against its definition, and its backward (the same band)
//! is its own adjoint: ⟨band(x), y⟩ = ⟨x, band(y)⟩.

use neurite_core::linalg::{band_part::band_part, qr::qr};
use neurite_core::{Shape, Tensor};
use proptest::prelude::*;

fn tensor(dims: &[usize], v: &[f32]) -> Tensor {
    let n: usize = dims.iter().product();
    Tensor::new("t", Shape::from(dims), v.iter().cycle().take(n).copied().collect()).unwrap()
}

proptest! {
    #[test]
    fn qr_reconstructs_with_orthonormal_q(batch in 0usize..3, m in 0usize..7, n in 0usize..7, full: bool,
                                          v in prop::collection::vec(-100f32..100.0, 1..60)) {
        let x = tensor(&[batch, m, n], &v);
        let (q, r) = qr(&x, full).unwrap();
        let k = if m >= n && !full { n } else { m };
        prop_assert_eq!(q.dims(), &[batch, m, k][..]);
        prop_assert_eq!(r.dims(), &[batch, k, n][..]);
        let scale = v.iter().fold(1f32, |a, b| a.max(b.abs()));
        for b in 0..batch {
            let (qb, rb, xb) = (&q.data()[b * m * k..][..m * k], &r.data()[b * k * n..][..k * n], &x.data()[b * m * n..][..m * n]);
            for i in 0..m {
                for j in 0..n {
                    let s: f64 = (0..k).map(|l| qb[i * k + l] as f64 * rb[l * n + j] as f64).sum();
                    prop_assert!((s - xb[i * n + j] as f64).abs() <= 1e-5 * scale as f64 * (n as f64).max(1.0), "QR[{}][{}] = {}, x = {}", i, j, s, xb[i * n + j]);
                }
            }
            for i in 0..k {
                for j in 0..k {
                    let s: f64 = (0..m).map(|l| qb[l * k + i] as f64 * qb[l * k + j] as f64).sum();
                    // A column that was zero keeps Q's column of I: orthonormal all the same.
                    prop_assert!((s - if i == j { 1.0 } else { 0.0 }).abs() < 1e-5, "QtQ[{}][{}] = {}", i, j, s);
                }
                for j in 0..i.min(n) {
                    prop_assert_eq!(rb[i * n + j], 0.0);
                }
            }
        }
    }

    #[test]
    fn band_part_matches_its_definition_and_is_self_adjoint(lead in prop::collection::vec(0usize..3, 0..3), m in 0usize..6, n in 0usize..6,
                                                            lo in -1i64..6, up in -1i64..6, v in prop::collection::vec(-10f32..10.0, 1..40)) {
        let mut dims = lead.clone();
        dims.extend([m, n]);
        let x = tensor(&dims, &v);
        let res = band_part(&x, lo, up);
        if lo > m as i64 || up > n as i64 {
            prop_assert!(res.is_err());
            return Ok(());
        }
        let y = res.unwrap();
        for (k, (&a, &b)) in y.data().iter().zip(x.data()).enumerate() {
            let d = ((k / n.max(1)) % m.max(1)) as i64 - (k % n.max(1)) as i64;
            let keep = (lo < 0 || d <= lo) && (up < 0 || -d <= up);
            prop_assert_eq!(a, if keep { b } else { 0.0 });
        }
        let w: Vec<f32> = v.iter().rev().copied().collect();
        let z = tensor(&dims, &w);
        let bz = band_part(&z, lo, up).unwrap();
        let lhs: f64 = y.data().iter().zip(z.data()).map(|(a, b)| *a as f64 * *b as f64).sum();
        let rhs: f64 = x.data().iter().zip(bz.data()).map(|(a, b)| *a as f64 * *b as f64).sum();
        prop_assert!((lhs - rhs).abs() < 1e-6 * (1.0 + lhs.abs()));
    }
}
