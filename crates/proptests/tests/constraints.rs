//! Weight constraints (`neurite_core::constraints`) on random shapes, axes and values: each
//! slice's norm after the projection is what the rule says (maxNorm at most `maxValue`,
//! unitNorm 1, minMaxNorm inside the interval at rate 1), every value keeps its sign, a slice
//! already inside the bounds moves by at most ε/n, and nonNeg leaves no negative value.

use neurite_core::constraints::Constraint;
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A shape of rank 1 to 4 with dimensions 0 to 5, and a non-empty set of its axes.
fn shape_and_axes() -> impl Strategy<Value = (Vec<usize>, Vec<i32>)> {
    prop::collection::vec(0usize..=5, 1..=4).prop_flat_map(|dims| {
        let r = dims.len();
        (Just(dims), prop::collection::btree_set(0..r as i32, 1..=r).prop_map(|s| s.into_iter().collect::<Vec<_>>()))
    })
}

/// The slices' norms (f64) of `w` along `axes`, with each element's slice.
fn norms(dims: &[usize], axes: &[i32], w: &[f32]) -> (Vec<f64>, Vec<usize>) {
    let mut slice = Vec::with_capacity(w.len());
    let mut keys: Vec<Vec<usize>> = Vec::new();
    for i in 0..w.len() {
        let (mut rest, mut key) = (i, Vec::new());
        for d in (0..dims.len()).rev() {
            if !axes.contains(&(d as i32)) {
                key.push(rest % dims[d]);
            }
            rest /= dims[d];
        }
        let k = keys.iter().position(|x| *x == key).unwrap_or_else(|| {
            keys.push(key);
            keys.len() - 1
        });
        slice.push(k);
    }
    let mut n = vec![0.0f64; keys.len()];
    for (i, &k) in slice.iter().enumerate() {
        n[k] += (w[i] as f64).powi(2);
    }
    (n.into_iter().map(f64::sqrt).collect(), slice)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn projections_do_what_their_rule_says((dims, axes) in shape_and_axes(), kind in 0u32..4, scale in prop::sample::select(vec![1e-3f32, 1.0, 30.0, 1e15]), seed in any::<u64>(), (lo, hi) in (0.0f32..2.0, 0.0f32..2.0)) {
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let size: usize = dims.iter().product();
        let mut s = seed;
        let w: Vec<f32> = (0..size).map(|_| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * scale }).collect();
        let params: Vec<f32> = match kind { 0 => vec![hi], 1 => vec![lo, hi, 1.0], _ => vec![] };
        let abi: Vec<f32> = params.iter().copied().chain(if kind == 2 { vec![] } else { axes.iter().map(|&a| a as f32).collect() }).collect();
        let c = Constraint::from_abi(kind, &abi).unwrap().resolve("t", "c", "w", &dims).unwrap();
        let mut out = w.clone();
        let mut scratch = Vec::new();
        c.reserve("t", &dims, &mut scratch).unwrap();
        c.project(&dims, &mut out, &mut scratch);
        for (a, b) in w.iter().zip(&out) {
            prop_assert!(b.is_finite() && (*b == 0.0 || a.signum() == b.signum()), "{a} -> {b}");
        }
        if kind == 2 {
            prop_assert!(out.iter().zip(&w).all(|(b, a)| *b == a.max(0.0)));
            return Ok(());
        }
        let (before, _) = norms(&dims, &axes, &w);
        let (after, _) = norms(&dims, &axes, &out);
        let eps = 1e-7;
        for (k, (&n0, &n1)) in before.iter().zip(&after).enumerate() {
            // The rule's target norm, times n / (ε + n), with float32 rounding of each value.
            let want = match kind { 0 => n0.min(hi as f64), 1 => n0.max(lo as f64).min(hi as f64), _ => 1.0 } * n0 / (eps + n0);
            prop_assert!((n1 - want).abs() <= 1e-6 * want + 1e-30, "{dims:?} axes {axes:?} kind {kind} slice {k}: norm {n0} -> {n1}, want {want}");
        }
    }
}
