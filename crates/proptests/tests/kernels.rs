//! The kernels against plain reference loops: matmul against a naive triple loop (f64) at odd
//! sizes including 0, with transposes and broadcast batch dims; element-wise kernels against
//! the per-element definition (bit for bit, run forms included); reductions against folds.

use neurite_core::kernels::{elementwise, matmul, reduce};
use neurite_core::ops::binary::BinaryOp;
use neurite_core::ops::matmul::matmul as matmul_op;
use neurite_core::ops::unary::UnaryOp;
use neurite_core::{Shape, Tensor};
use proptest::prelude::*;

/// `C = op(A)·op(B)` in f64 with `|A|·|B|` for the error bound.
fn naive(m: usize, k: usize, n: usize, a: &[f32], ta: bool, b: &[f32], tb: bool) -> (Vec<f64>, Vec<f64>) {
    let (mut c, mut mag) = (vec![0.0; m * n], vec![0.0; m * n]);
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let av = f64::from(if ta { a[p * m + i] } else { a[i * k + p] });
                let bv = f64::from(if tb { b[j * k + p] } else { b[p * n + j] });
                c[i * n + j] += av * bv;
                mag[i * n + j] += (av * bv).abs();
            }
        }
    }
    (c, mag)
}

fn values(n: usize) -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(-2.0f32..2.0, n)
}

/// Odd and awkward sizes around the kernel's register and cache blocks, and 0.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..=9, 10usize..=40, Just(63), Just(65), Just(129)]
}

/// Bit equality that treats every NaN as equal.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn special() -> impl Strategy<Value = f32> {
    prop_oneof![
        8 => -100.0f32..100.0,
        1 => prop::sample::select(vec![0.0f32, -0.0, 1.0, -1.0, 0.5, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MIN_POSITIVE, f32::MAX]),
    ]
}

/// `PROPTEST_CASES` from the environment (for longer runs), else `default`. Failures print
/// their minimal input and are not persisted to files.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn gemm_matches_a_naive_triple_loop((m, k, n) in (size(), size(), size()), ta in any::<bool>(), tb in any::<bool>(), seed in any::<u64>()) {
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0 };
        let a: Vec<f32> = (0..m * k).map(|_| next()).collect();
        let b: Vec<f32> = (0..k * n).map(|_| next()).collect();
        let mut c = vec![f32::NAN; m * n];
        matmul::gemm(m, k, n, &a, ta, &b, tb, &mut c);
        let (want, mag) = naive(m, k, n, &a, ta, &b, tb);
        for i in 0..m * n {
            let tol = 1e-6 * mag[i] * (k as f64).sqrt().max(1.0) + 1e-30;
            prop_assert!((f64::from(c[i]) - want[i]).abs() <= tol * 4.0, "({m},{k},{n}) ta {ta} tb {tb} at {i}: {} vs {}", c[i], want[i]);
        }
        // The reference kernel agrees too.
        let mut r = vec![f32::NAN; m * n];
        matmul::gemm_reference(m, k, n, &a, ta, &b, tb, &mut r);
        for i in 0..m * n {
            prop_assert!((f64::from(r[i]) - want[i]).abs() <= 4e-6 * mag[i] * (k as f64).sqrt().max(1.0) + 1e-30);
        }
    }

    /// The batched op: batch dims broadcast, each batch is its own product.
    #[test]
    fn batched_matmul_broadcasts_batches((m, k, n) in (0usize..6, 0usize..6, 0usize..6), ba in 1usize..4, bb_one in any::<bool>(), a_vals in values(3 * 36), b_vals in values(3 * 36)) {
        let bb = if bb_one { 1 } else { ba };
        let a = Tensor::new("t", Shape::from([ba, m, k]), a_vals[..ba * m * k].to_vec()).unwrap();
        let b = Tensor::new("t", Shape::from([bb, k, n]), b_vals[..bb * k * n].to_vec()).unwrap();
        let y = matmul_op(&a, &b, false, false).unwrap();
        prop_assert_eq!(y.dims(), &[ba, m, n]);
        for i in 0..ba {
            let j = if bb == 1 { 0 } else { i };
            let (want, mag) = naive(m, k, n, &a.data()[i * m * k..(i + 1) * m * k], false, &b.data()[j * k * n..(j + 1) * k * n], false);
            for (q, (&w, &g)) in want.iter().zip(&mag).enumerate() {
                prop_assert!((f64::from(y.data()[i * m * n + q]) - w).abs() <= 1e-5 * g + 1e-30);
            }
        }
    }

    /// Every binary kernel, in each run form (full ⊕ full, full ⊕ one, one ⊕ full), equals
    /// `BinaryOp::apply` element by element, bit for bit.
    #[test]
    fn binary_kernels_match_their_definition(len in 0usize..70, x in prop::collection::vec(special(), 70), y in prop::collection::vec(special(), 70)) {
        for op in BinaryOp::ALL {
            let mut out = vec![0.0; len];
            elementwise::binary(op, &x[..len], &y[..len], &mut out);
            for i in 0..len {
                prop_assert!(same(out[i], op.apply(x[i], y[i])), "{} at {i}: {} {} -> {}", op.name(), x[i], y[i], out[i]);
            }
            elementwise::binary(op, &x[..len], &y[..1], &mut out);
            for i in 0..len {
                prop_assert!(same(out[i], op.apply(x[i], y[0])), "{} (x, scalar) at {i}", op.name());
            }
            elementwise::binary(op, &x[..1], &y[..len], &mut out);
            for i in 0..len {
                prop_assert!(same(out[i], op.apply(x[0], y[i])), "{} (scalar, y) at {i}", op.name());
            }
        }
    }

    #[test]
    fn unary_kernels_match_their_definition(x in prop::collection::vec(special(), 0..70)) {
        for op in UnaryOp::ALL {
            let mut out = vec![0.0; x.len()];
            elementwise::unary(op, &x, &mut out);
            for (i, (&o, &v)) in out.iter().zip(&x).enumerate() {
                prop_assert!(same(o, op.apply(v)), "{} at {i}: {v} -> {o}", op.name());
            }
        }
    }

    #[test]
    fn clip_and_select_match_their_definition(x in prop::collection::vec(special(), 0..40), lo in -5.0f32..0.0, hi in 0.0f32..5.0) {
        let mut out = vec![0.0; x.len()];
        elementwise::clip(&x, lo, hi, &mut out);
        for (&o, &v) in out.iter().zip(&x) {
            let want = if v.is_nan() { v } else { v.max(lo).min(hi) };
            prop_assert!(same(o, want), "clip({v}, {lo}, {hi}) = {o}");
        }
        let c: Vec<f32> = x.iter().map(|v| if v.is_nan() { 1.0 } else { (v > &0.0) as u8 as f32 }).collect();
        let b: Vec<f32> = x.iter().map(|v| -v).collect();
        elementwise::select(&c, &x, &b, &mut out);
        for i in 0..x.len() {
            let want = if c[i] != 0.0 { x[i] } else { b[i] };
            prop_assert!(same(out[i], want), "select at {}", i);
        }
    }

    /// `sum` follows its documented 16-lane order exactly (and is close to the f64 sum);
    /// `max`/`min`/`argMax`/`argMin` agree with folds.
    #[test]
    fn reductions_match_folds(v in prop::collection::vec(-1000.0f32..1000.0, 0..100)) {
        let s = reduce::sum(&v);
        let mut acc = [0.0f32; 16];
        let whole = v.len() / 16 * 16;
        for (i, &x) in v[..whole].iter().enumerate() {
            acc[i % 16] += x;
        }
        let l: Vec<f32> = (0..4).map(|i| (acc[i] + acc[4 + i]) + (acc[8 + i] + acc[12 + i])).collect();
        let mut want = (l[0] + l[1]) + (l[2] + l[3]);
        for &x in &v[whole..] {
            want += x;
        }
        prop_assert!(same(s, want), "{s} vs {want}");
        let exact: f64 = v.iter().map(|&x| f64::from(x)).sum();
        let mag: f64 = v.iter().map(|&x| f64::from(x).abs()).sum();
        prop_assert!((f64::from(s) - exact).abs() <= 1e-6 * mag + 1e-3);
        if !v.is_empty() {
            let mx = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mn = v.iter().copied().fold(f32::INFINITY, f32::min);
            prop_assert_eq!(reduce::max(&v), mx);
            prop_assert_eq!(reduce::min(&v), mn);
            prop_assert_eq!(v[reduce::arg_max(&v)], mx);
            prop_assert_eq!(v[reduce::arg_min(&v)], mn);
            prop_assert_eq!(reduce::arg_max(&v), v.iter().position(|&x| x == mx).unwrap(), "first index of the max");
        }
    }
}
