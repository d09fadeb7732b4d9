//! Unit tests of [`super::Pca`]: the eigen-equation on the scatter matrix, both paths
//! (covariance and Gram), rank deficiency, reconstruction error, round trips and errors.

use super::*;

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn t(dims: &[usize], v: Vec<f32>) -> Tensor {
    Tensor::new("t", Shape::from(dims), v).unwrap()
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn random(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n * d)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            // Columns of different scales, so the eigenvalues are well separated.
            (((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * (1.0 + (i % d) as f64)) as f32
        })
        .collect()
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn fit(x: &Tensor, k: usize, whiten: bool) -> Pca {
    let mut p = Pca::new(PcaConfig { components: k, whiten }).unwrap();
    p.fit(x).unwrap();
    p
}

/// The centred scatter matrix in f64, straight from the definition.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn scatter(x: &[f32], n: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mean: Vec<f64> = (0..d).map(|j| (0..n).map(|i| f64::from(x[i * d + j])).sum::<f64>() / n as f64).collect();
    let mut s = vec![0.0; d * d];
    for i in 0..n {
        for a in 0..d {
            for b in 0..d {
                s[a * d + b] += (f64::from(x[i * d + a]) - mean[a]) * (f64::from(x[i * d + b]) - mean[b]);
            }
        }
    }
    (s, mean)
}

/// Components are orthonormal, satisfy `S·v = λ·v`, and have the sign convention.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_eigen(x: &[f32], n: usize, d: usize, p: &Pca) {
    let (s, mean) = scatter(x, n, d);
    let f = p.fitted.as_ref().unwrap();
    let k = p.config.components;
    let smax = s.iter().fold(0f64, |m, v| m.max(v.abs()));
    for (i, (&m, &mu)) in f.mean.iter().zip(&mean).enumerate() {
        assert!((m - mu).abs() < 1e-9 * (1.0 + mu.abs()), "mean[{i}]");
    }
    for c in 0..k {
        let v = &f.components[c * d..(c + 1) * d];
        let lambda = f.variance[c] * (n - 1) as f64;
        for a in 0..d {
            let sv: f64 = (0..d).map(|b| s[a * d + b] * v[b]).sum();
            assert!((sv - lambda * v[a]).abs() < 1e-8 * smax * d as f64, "n={n} d={d} c={c} a={a}: {sv} vs {}", lambda * v[a]);
        }
        for c2 in 0..k {
            let dot: f64 = (0..d).map(|j| v[j] * f.components[c2 * d + j]).sum();
            assert!((dot - if c == c2 { 1.0 } else { 0.0 }).abs() < 1e-9, "orthonormal {c},{c2}: {dot}");
        }
        let big = v.iter().fold(0f64, |m, a| if a.abs() > m.abs() { *a } else { m });
        assert!(big > 0.0, "sign convention");
        if c > 0 {
            assert!(f.variance[c - 1] >= f.variance[c]);
        }
    }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn sq_err(a: &Tensor, b: &Tensor) -> f64 {
    a.data().iter().zip(b.data()).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum()
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn covariance_and_gram_paths_solve_the_eigen_equation() {
    for (n, d) in [(50, 7), (7, 50), (13, 13), (2, 5), (9, 1)] {
        let x = random(n, d, (n * 31 + d) as u64);
        let k = n.min(d);
        let p = fit(&t(&[n, d], x.clone()), k, false);
        check_eigen(&x, n, d, &p);
    }
}

/// Columns far from 0 (shifted by their mean), near 0 (not shifted) and sparse ones.
#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn offset_and_sparse_columns() {
    let (n, d) = (40, 6);
    let mut x = random(n, d, 8);
    for (i, v) in x.iter_mut().enumerate() {
        match i % d {
            0 => *v += 1.0e4,
            1 => *v = if i % 5 == 0 { *v + 1.0 } else { 0.0 },
            2 => *v += 0.1,
            _ => {}
        }
    }
    let p = fit(&t(&[n, d], x.clone()), d, false);
    check_eigen(&x, n, d, &p);
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn reconstruction_error_is_the_sum_of_dropped_eigenvalues() {
    let (n, d) = (40, 9);
    let x = t(&[n, d], random(n, d, 5));
    let all = fit(&x, d, false);
    let lambda: Vec<f64> = all.fitted.as_ref().unwrap().variance.iter().map(|v| v * (n - 1) as f64).collect();
    let mut last = f64::INFINITY;
    for k in 1..=d {
        let p = fit(&x, k, false);
        let back = p.inverse_transform(&p.transform(&x).unwrap()).unwrap();
        let err = sq_err(&x, &back);
        let dropped: f64 = lambda[k..].iter().sum();
        assert!((err - dropped).abs() < 1e-4 * (1.0 + dropped), "k={k}: {err} vs {dropped}");
        assert!(err <= last + 1e-6);
        last = err;
    }
    assert!(last < 1e-6, "k = d reconstructs exactly: {last}");
    let ratio: f64 = all.fitted.as_ref().unwrap().ratio.iter().sum();
    assert!((ratio - 1.0).abs() < 1e-12);
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn rank_deficient_data_and_k_above_the_rank() {
    // Duplicated columns and a constant column: rank 2 in 5 features.
    let (n, d) = (12, 5);
    let base = random(n, 2, 9);
    let x: Vec<f32> = (0..n).flat_map(|i| [base[2 * i], base[2 * i + 1], base[2 * i], 3.0, base[2 * i + 1]]).collect();
    let xt = t(&[n, d], x.clone());
    let p = fit(&xt, 5, false);
    check_eigen(&x, n, d, &p);
    let f = p.fitted.as_ref().unwrap();
    assert!(f.variance[1] > 0.0);
    assert_eq!(&f.variance[2..], &[0.0, 0.0, 0.0]);
    let back = p.inverse_transform(&p.transform(&xt).unwrap()).unwrap();
    assert!(sq_err(&xt, &back) < 1e-8);
    // The same through the Gram path (fewer samples than features).
    let wide: Vec<f32> = (0..3).flat_map(|i| (0..8).map(move |j| if j % 2 == 0 { i as f32 } else { 1.0 })).collect();
    let p = fit(&t(&[3, 8], wide.clone()), 3, true);
    check_eigen(&wide, 3, 8, &p);
    assert_eq!(&p.fitted.as_ref().unwrap().variance[1..], &[0.0, 0.0]);
    // Whitened codes of a zero-variance component are 0.
    let z = p.transform(&t(&[3, 8], wide)).unwrap();
    assert!(z.data().chunks(3).all(|r| r[1] == 0.0 && r[2] == 0.0), "{:?}", z.data());
    // No variance at all: ratios are 0, not NaN.
    let p = fit(&t(&[3, 2], vec![1.0; 6]), 2, false);
    assert!(p.fitted.as_ref().unwrap().ratio.iter().all(|&r| r == 0.0));
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn whitening_gives_unit_variance_and_inverts() {
    let (n, d) = (30, 4);
    let x = t(&[n, d], random(n, d, 2));
    let p = fit(&x, 3, true);
    let z = p.transform(&x).unwrap();
    for c in 0..3 {
        let var: f64 = (0..n).map(|i| f64::from(z.data()[i * 3 + c]).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((var - 1.0).abs() < 1e-5, "component {c}: {var}");
    }
    let plain = fit(&x, 3, false);
    let a = p.inverse_transform(&z).unwrap();
    let b = plain.inverse_transform(&plain.transform(&x).unwrap()).unwrap();
    assert!(sq_err(&a, &b) < 1e-8);
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn single_rows_and_parts() {
    let x = t(&[4, 3], random(4, 3, 1));
    let p = fit(&x, 2, false);
    let one = t(&[3], x.data()[3..6].to_vec());
    let z1 = p.transform(&one).unwrap();
    assert_eq!(z1.dims(), &[2]);
    assert_eq!(z1.data(), &p.transform(&x).unwrap().data()[2..4]);
    assert_eq!(p.inverse_transform(&z1).unwrap().dims(), &[3]);
    assert_eq!(p.get(PcaPart::Components).unwrap().dims(), &[2, 3]);
    assert_eq!(p.get(PcaPart::Mean).unwrap().dims(), &[3]);
    assert_eq!(p.get(PcaPart::ExplainedVarianceRatio).unwrap().dims(), &[2]);
    assert!(PcaPart::from_abi(4).is_err());
    let empty = p.transform(&t(&[0, 3], vec![])).unwrap();
    assert_eq!(empty.dims(), &[0, 2]);
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn bad_input_is_named() {
    assert_eq!(Pca::new(PcaConfig { components: 0, whiten: false }).unwrap_err().to_string(), "pca: components must be a positive integer, got 0");
    let mut p = Pca::new(PcaConfig { components: 3, whiten: false }).unwrap();
    let e = |r: Result<Tensor>| r.unwrap_err().to_string();
    assert_eq!(e(p.transform(&t(&[1, 2], vec![0.; 2]))), "pca.transform: the PCA is not fitted yet; call fit(x) first");
    let fe = |p: &mut Pca, x: Tensor| p.fit(&x).unwrap_err().to_string();
    assert_eq!(fe(&mut p, t(&[2, 2], vec![0.; 4])), "pca.fit: components (3) must be at most min(samples, features) = min(2, 2) = 2 (x has shape [2,2])");
    assert_eq!(fe(&mut p, t(&[4], vec![0.; 4])), "pca.fit: x must be a matrix [samples, features], got shape [4]");
    assert_eq!(fe(&mut p, t(&[1, 4], vec![0.; 4])), "pca.fit: x must have at least 2 samples to estimate a variance, got shape [1,4]");
    assert_eq!(fe(&mut p, t(&[4, 0], vec![])), "pca.fit: x has no features (shape [4,0])");
    assert_eq!(fe(&mut p, t(&[3, 3], vec![0., 1., 2., 3., f32::NAN, 0., 0., 0., 0.])), "pca.fit: x contains NaN at flat index 4 (shape [3,3])");
    assert!(!p.is_fitted(), "a failed fit leaves the PCA unfitted");
    p.fit(&t(&[3, 3], random(3, 3, 4))).unwrap();
    assert_eq!(e(p.transform(&t(&[2, 4], vec![0.; 8]))), "pca.transform: x has 4 features (shape [2,4]) but the PCA was fitted on 3 (x must be [samples, 3] or [3])");
    assert_eq!(e(p.transform(&t(&[1, 1, 3], vec![0.; 3]))), "pca.transform: x must be [samples, 3] or [3], got shape [1,1,3]");
    assert_eq!(e(p.transform(&t(&[1, 3], vec![0., f32::INFINITY, 0.]))), "pca.transform: x contains Infinity at flat index 1 (shape [1,3])");
    assert_eq!(e(p.inverse_transform(&t(&[2, 2], vec![0.; 4]))), "pca.inverseTransform: z has 2 components (shape [2,2]) but the PCA keeps 3 (z must be [samples, 3] or [3])");
    // The failed calls kept the fit.
    assert!(p.transform(&t(&[3], vec![1., 2., 3.])).is_ok());
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn a_small_real_component_beside_a_large_one_is_kept_and_exact_rank_still_gives_zero() {
    // A tester's unscaled data: 60,000 rows of an income (σ ≈ 29,000) and an independent rate
    // (σ ≈ 0.05): λ₂/λ₁ ≈ 3e-12. The cutoff ε·λ₁·max(n, d) dropped it (variance 0, ratio
    // [1, 0]) and put a basis vector in its place.
    let n = 60_000;
    let r = random(n, 2, 5);
    let x: Vec<f32> = (0..n).flat_map(|i| [50_000.0 + 100_000.0 * r[2 * i], 0.05 + 0.17 * r[2 * i + 1]]).collect();
    let (s, _) = scatter(&x, n, 2);
    let p = fit(&t(&[n, 2], x.clone()), 2, false);
    let f = p.fitted.as_ref().unwrap();
    // The 2×2 scatter's smaller eigenvalue in f64: det / λ₁ (the closed form's difference of
    // two near-equal numbers would lose it).
    let (a, b, c) = (s[0], s[1], s[3]);
    let big = ((a + c) + ((a - c) * (a - c) + 4.0 * b * b).sqrt()) / 2.0;
    let small = (a * c - b * b) / big / (n - 1) as f64;
    assert!(small > 1e-3, "{small}");
    // To the eigen solver's rounding, ~ε·λ₁ absolute (3.8e-5 of this λ₂).
    let floor = 4.0 * f64::EPSILON * big / (n - 1) as f64;
    assert!((f.variance[1] - small).abs() < floor, "{} vs {small} (floor {floor})", f.variance[1]);
    assert!(f.components[3].abs() > 0.999_999, "{:?}", &f.components);
    // Exact rank 1 at the same n (the rate a multiple of the income, exact in f32): still 0.
    let dup: Vec<f32> = (0..n).flat_map(|i| [x[2 * i], x[2 * i] * 0.5]).collect();
    let p = fit(&t(&[n, 2], dup), 2, false);
    assert_eq!(p.fitted.as_ref().unwrap().variance[1], 0.0);
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn explained_variances_in_f64_beyond_float32s_range() {
    // Data scaled by 5e19 has variances ~1e39 (4.4e38 is past float32's 3.4e38: the f32
    // part was Infinity); scaled by 1e-22, ~1e-44 (float32 subnormals: 25 % off). get_f64 gives
    // the fit's f64 values: the scale² times those of the unscaled data, to f64 rounding.
    let base = random(40, 3, 7);
    let p1 = fit(&t(&[40, 3], base.clone()), 3, false);
    let v1 = p1.get_f64(PcaPart::ExplainedVariance).unwrap().to_vec();
    for scale in [5e19f64, 1e-22] {
        let x: Vec<f32> = base.iter().map(|&v| (f64::from(v) * scale) as f32).collect();
        let p = fit(&t(&[40, 3], x), 3, false);
        let v = p.get_f64(PcaPart::ExplainedVariance).unwrap();
        for (a, b) in v.iter().zip(&v1) {
            // The scaled data is rounded to float32 (subnormal at 1e-22: ~1e-23 absolute).
            assert!(a.is_finite() && (a / (b * scale * scale) - 1.0).abs() < 1e-4, "scale {scale:e}: {a:e} vs {:e}", b * scale * scale);
        }
        assert_eq!(p.get_f64(PcaPart::ExplainedVarianceRatio).unwrap().len(), 3);
        let r: f64 = p.get_f64(PcaPart::ExplainedVarianceRatio).unwrap().iter().sum();
        assert!((r - 1.0).abs() < 1e-12, "scale {scale:e}: ratios sum to {r}");
    }
    // At 5e19 the largest is beyond float32: the f32 part could not hold it.
    let x: Vec<f32> = base.iter().map(|&v| (f64::from(v) * 5e19) as f32).collect();
    let p = fit(&t(&[40, 3], x), 3, false);
    assert!(p.get_f64(PcaPart::ExplainedVariance).unwrap()[0] > f64::from(f32::MAX));
    assert_eq!(p.get_f64(PcaPart::Mean).unwrap().len(), 3);
    assert_eq!(p.get_f64(PcaPart::Components).unwrap().len(), 9);
    let unfitted = Pca::new(PcaConfig { components: 1, whiten: false }).unwrap();
    assert_eq!(unfitted.get_f64(PcaPart::Mean).unwrap_err().to_string(), "pca: the PCA is not fitted yet; call fit(x) first");
}

#[test]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_input_is_the_transforms_checks() {
    let x = t(&[4, 3], random(4, 3, 2));
    let p = fit(&x, 2, false);
    assert_eq!(p.check_input(&x, false).unwrap(), 4);
    assert_eq!(p.check_input(&t(&[3], vec![1., 2., 3.]), false).unwrap(), 1);
    assert_eq!(p.check_input(&t(&[5, 2], vec![0.; 10]), true).unwrap(), 5);
    assert_eq!(p.check_input(&t(&[2], vec![0.; 2]), true).unwrap(), 1);
    let bad = [
        (t(&[2, 4], vec![0.; 8]), false),
        (t(&[1, 1, 3], vec![0.; 3]), false),
        (t(&[], vec![0.]), false),
        (t(&[1, 3], vec![0., f32::NAN, 0.]), false),
        (t(&[2, 3], vec![0.; 6]), true),
        (t(&[1, 1, 2], vec![0.; 2]), true),
        (t(&[1, 2], vec![f32::NEG_INFINITY, 0.]), true),
    ];
    for (v, inverse) in bad {
        let want = if inverse { p.inverse_transform(&v) } else { p.transform(&v) }.unwrap_err().to_string();
        assert_eq!(p.check_input(&v, inverse).unwrap_err().to_string(), want);
    }
    assert_eq!(p.check_input(&t(&[1, 3], vec![0., f32::NAN, 0.]), false).unwrap_err().to_string(), "pca.transform: x contains NaN at flat index 1 (shape [1,3])");
    assert_eq!(p.check_input(&t(&[1, 2], vec![f32::NEG_INFINITY, 0.]), true).unwrap_err().to_string(), "pca.inverseTransform: z contains -Infinity at flat index 0 (shape [1,2])");
}
