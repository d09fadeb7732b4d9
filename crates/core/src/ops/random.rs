//! Random tensors from a seed: uniform, normal and truncated normal.
//!
//! Element `i` is computed from `(seed, stream, i)` alone with the Philox4x32-10 generator of
//! [`crate::rng`], so equal seeds give equal bits on every runtime, and the first `k` values
//! of a size-`n` tensor equal a size-`k` tensor with the same seed.
//!
//! - `randomUniform`: `x = min + (max − min) · u`, `u ∈ [0, 1)` (computed in f64, then rounded
//!   to f32 and kept below `max`), so `x ∈ [min, max)`;
//! - `randomNormal`: `x = mean + stddev · z`, `z ~ N(0, 1)` (Box–Muller);
//! - `truncatedNormal`: as `randomNormal`, but `z` is re-drawn while `|z| > 2`, so
//!   `x ∈ [mean − 2·stddev, mean + 2·stddev]` (TF.js / Keras `truncatedNormal`).
//!
//! These have no gradient: they have no tensor inputs.
//!
//! ```
//! use neurite_core::{ops::random::random_uniform, Shape};
//! let a = random_uniform(Shape::from([2, 3]), -1.0, 1.0, 42, 0).unwrap();
//! let b = random_uniform(Shape::from([6]), -1.0, 1.0, 42, 0).unwrap();
//! assert_eq!(a.data(), b.data());
//! assert!(a.data().iter().all(|&x| (-1.0..1.0).contains(&x)));
//! ```

use crate::rng;
use crate::{bail, Result, Shape, Tensor};
use crate::error::js_number;

/// Requires `v` to be finite.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn finite(op: &'static str, name: &str, v: f32) -> Result<()> {
    if !v.is_finite() {
        bail!(op, "{name} must be a finite number, got {v}", v = js_number(v));
    }
    Ok(())
}

/// Checks `mean` and `stddev` of a normal distribution.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn check_normal(op: &'static str, mean: f32, stddev: f32) -> Result<()> {
    finite(op, "mean", mean)?;
    finite(op, "stddev", stddev)?;
    if stddev < 0.0 {
        bail!(op, "stddev must be >= 0, got {stddev}", stddev = js_number(stddev));
    }
    Ok(())
}

/// `x = mean + stddev · z` in place.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn scale_shift(z: &mut [f32], mean: f32, stddev: f32) {
    for v in z {
        *v = mean + stddev * *v;
    }
}

/// A tensor of uniform values in `[min, max)`.
///
/// # Shapes
/// Any `shape`; no inputs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn random_uniform(shape: Shape, min: f32, max: f32, seed: u64, stream: u32) -> Result<Tensor> {
    const OP: &str = "randomUniform";
    finite(OP, "min", min)?;
    finite(OP, "max", max)?;
    if min >= max {
        bail!(OP, "min ({min}) must be less than max ({max})", min = js_number(min), max = js_number(max));
    }
    let mut t = Tensor::zeros(OP, shape)?;
    let out = t.data_mut();
    rng::fill_uniform(seed, stream, 0, out);
    // NOTE: f64 keeps `max - min` finite for any f32 bounds; the product can still round up
    // to `max` in f32, so such values move to the largest float below `max`.
    let (lo, width) = (f64::from(min), f64::from(max) - f64::from(min));
    let below_max = max.next_down();
    for v in out {
        let x = (lo + width * f64::from(*v)) as f32;
        *v = if x >= max { below_max } else { x };
    }
    Ok(t)
}

/// A tensor of normal values with the given `mean` and `stddev`.
///
/// # Shapes
/// Any `shape`; no inputs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn random_normal(shape: Shape, mean: f32, stddev: f32, seed: u64, stream: u32) -> Result<Tensor> {
    const OP: &str = "randomNormal";
    check_normal(OP, mean, stddev)?;
    let mut t = Tensor::zeros(OP, shape)?;
    rng::fill_normal(seed, stream, 0, t.data_mut());
    scale_shift(t.data_mut(), mean, stddev);
    Ok(t)
}

/// A tensor of normal values re-drawn while more than two `stddev` away from `mean`.
///
/// # Shapes
/// Any `shape`; no inputs.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn truncated_normal(shape: Shape, mean: f32, stddev: f32, seed: u64, stream: u32) -> Result<Tensor> {
    const OP: &str = "truncatedNormal";
    check_normal(OP, mean, stddev)?;
    let mut t = Tensor::zeros(OP, shape)?;
    rng::fill_truncated_normal(seed, stream, 0, t.data_mut());
    scale_shift(t.data_mut(), mean, stddev);
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(v: &[f32]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let var = v.iter().map(|&x| (f64::from(x) - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }

    const N: usize = 100_000;

    #[test]
    fn uniform_statistics_and_range() {
        let t = random_uniform(Shape::from([N]), -2.0, 6.0, 7, 0).unwrap();
        let (m, s) = moments(t.data());
        // Uniform(-2, 6): mean 2, std 8/√12 = 2.309; standard errors 0.0073 and ~0.004.
        assert!((m - 2.0).abs() < 0.04, "mean {m}");
        assert!((s - 8.0 / 12f64.sqrt()).abs() < 0.03, "std {s}");
        assert!(t.data().iter().all(|&x| (-2.0..6.0).contains(&x)));
        // Each eighth of the range holds about an eighth of the values.
        let mut bins = [0usize; 8];
        for &x in t.data() {
            bins[((x + 2.0) as usize).min(7)] += 1;
        }
        assert!(bins.iter().all(|&b| (N / 8 - 600..N / 8 + 600).contains(&b)), "{bins:?}");
    }

    #[test]
    fn uniform_never_reaches_max() {
        // A range so narrow that many products round up to max in f32.
        let t = random_uniform(Shape::from([4096]), 1.0, 1.0 + f32::EPSILON, 1, 0).unwrap();
        assert!(t.data().iter().all(|&x| x == 1.0));
        let t = random_uniform(Shape::from([4096]), -f32::MAX, f32::MAX, 1, 0).unwrap();
        assert!(t.data().iter().all(|x| x.is_finite()));
    }

    #[test]
    fn normal_statistics() {
        let t = random_normal(Shape::from([N]), 3.0, 0.5, 123, 0).unwrap();
        let (m, s) = moments(t.data());
        assert!((m - 3.0).abs() < 0.01, "mean {m}");
        assert!((s - 0.5).abs() < 0.01, "std {s}");
        // About 68.3% within one stddev.
        let inside = t.data().iter().filter(|&&x| (x - 3.0).abs() < 0.5).count() as f64 / N as f64;
        assert!((inside - 0.6827).abs() < 0.01, "{inside}");
        let zero = random_normal(Shape::from([5]), 1.5, 0.0, 1, 0).unwrap();
        assert_eq!(zero.data(), &[1.5; 5]);
    }

    #[test]
    fn truncated_normal_statistics_and_bound() {
        let t = truncated_normal(Shape::from([N]), -1.0, 2.0, 5, 0).unwrap();
        assert!(t.data().iter().all(|&x| (-5.0..=3.0).contains(&x)));
        let (m, s) = moments(t.data());
        // N(0,1) truncated to [-2, 2] has std 0.8796; scaled by 2: 1.759.
        assert!((m + 1.0).abs() < 0.02, "mean {m}");
        assert!((s - 1.759).abs() < 0.02, "std {s}");
    }

    #[test]
    fn same_seed_same_bits_and_prefix_stability() {
        let a = random_normal(Shape::from([10, 10]), 0.0, 1.0, 42, 0).unwrap();
        let b = random_normal(Shape::from([100]), 0.0, 1.0, 42, 0).unwrap();
        assert_eq!(a.data(), b.data());
        for k in [0, 1, 3, 4, 5, 37] {
            let p = truncated_normal(Shape::from([k]), 0.0, 1.0, 42, 0).unwrap();
            let whole = truncated_normal(Shape::from([100]), 0.0, 1.0, 42, 0).unwrap();
            assert_eq!(p.data(), &whole.data()[..k]);
        }
        let c = random_normal(Shape::from([100]), 0.0, 1.0, 43, 0).unwrap();
        let d = random_normal(Shape::from([100]), 0.0, 1.0, 42, 1).unwrap();
        let same = |x: &Tensor, y: &Tensor| x.data().iter().zip(y.data()).filter(|(p, q)| p == q).count();
        assert_eq!(same(&a, &c), 0);
        assert_eq!(same(&a, &d), 0);
    }

    #[test]
    fn bad_arguments_name_the_option() {
        let s = || Shape::from([2]);
        let msg = |r: Result<Tensor>| r.unwrap_err().to_string();
        assert_eq!(msg(random_uniform(s(), 1.0, 1.0, 0, 0)), "randomUniform: min (1) must be less than max (1)");
        assert_eq!(msg(random_uniform(s(), f32::NAN, 1.0, 0, 0)), "randomUniform: min must be a finite number, got NaN");
        assert_eq!(msg(random_uniform(s(), 0.0, f32::INFINITY, 0, 0)), "randomUniform: max must be a finite number, got Infinity");
        assert_eq!(msg(random_normal(s(), 0.0, -1.0, 0, 0)), "randomNormal: stddev must be >= 0, got -1");
        assert_eq!(msg(truncated_normal(s(), f32::NAN, 1.0, 0, 0)), "truncatedNormal: mean must be a finite number, got NaN");
        let big = random_normal(Shape::from([usize::MAX / 2, 4]), 0.0, 1.0, 0, 0).unwrap_err();
        assert_eq!(big.status(), crate::Status::OutOfMemory);
    }
}
