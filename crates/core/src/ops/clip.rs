//! `clipByValue(x, min, max)`: every value limited to `[min, max]`.
//!
//! ```text
//! y = x < min ? min : (x > max ? max : x)          NaN stays NaN
//! dy/dx = 1 where min < x < max (and at the bounds, as TF.js), else 0
//! ```
//!
//! # Shapes
//! `x: any` → same shape. `min` and `max` are numbers with `min <= max`; neither may be NaN
//! (±∞ are fine, so one-sided clipping is `clip(x, -∞, max)`).
//!
//! ```
//! use neurite_core::{ops::clip::clip_by_value, Tensor, Shape};
//! let x = Tensor::new("doc", Shape::from([4]), vec![-2.0, 0.5, 3.0, f32::NAN]).unwrap();
//! let y = clip_by_value(&x, -1.0, 1.0).unwrap();
//! assert_eq!(&y.data()[..3], &[-1.0, 0.5, 1.0]);
//! assert!(y.data()[3].is_nan());
//! ```

use crate::kernels::elementwise as k;
use crate::error::js_number;
use crate::{bail, Result, Tensor};

const OP: &str = "clipByValue";

/// Clips `x` to `[min, max]`. The bounds are checked in `f64` (as given by the caller), then
/// rounded to `f32`.
#[inline(never)]
pub fn clip_by_value(x: &Tensor, min: f64, max: f64) -> Result<Tensor> {
    if min.is_nan() || max.is_nan() {
        bail!(OP, "min and max must be numbers, got min {} and max {}", js_number(min), js_number(max));
    }
    if min > max {
        bail!(OP, "min ({}) must be less than or equal to max ({})", js_number(min), js_number(max));
    }
    let mut out = Tensor::zeros(OP, x.shape().clone())?;
    k::clip(x.data(), min as f32, max as f32, out.data_mut());
    Ok(out)
}

/// The gradient: `dy` where `min <= x <= max`, else 0 (NaN inputs pass no gradient).
#[inline(never)]
pub fn clip_by_value_backward(x: &Tensor, dy: &Tensor, min: f64, max: f64) -> Result<Tensor> {
    if x.shape() != dy.shape() {
        crate::bail_shape!(OP, "dy has shape {} but x has shape {}", dy.shape(), x.shape());
    }
    let (lo, hi) = (min as f32, max as f32);
    let mut dx = Tensor::zeros(OP, x.shape().clone())?;
    for ((o, &v), &g) in dx.data_mut().iter_mut().zip(x.data()).zip(dy.data()) {
        *o = if v >= lo && v <= hi { g } else { 0.0 };
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f32>) -> Tensor {
        let n = v.len();
        Tensor::new("t", [n].into(), v).unwrap()
    }

    #[test]
    fn clips_and_keeps_nan_and_signed_zero() {
        let x = t(vec![-3.0, -0.0, 0.25, 7.0, f32::NAN, f32::NEG_INFINITY]);
        let y = clip_by_value(&x, -1.0, 2.0).unwrap();
        assert_eq!(&y.data()[..4], &[-1.0, -0.0, 0.25, 2.0]);
        assert!(y.data()[1].is_sign_negative() && y.data()[4].is_nan() && y.data()[5] == -1.0);
        let y = clip_by_value(&x, f64::NEG_INFINITY, 0.0).unwrap();
        assert_eq!(y.data()[0], -3.0);
        assert_eq!(y.data()[3], 0.0);
        let s = clip_by_value(&Tensor::scalar(5.0), 1.0, 1.0).unwrap();
        assert_eq!((s.rank(), s.data()[0]), (0, 1.0));
    }

    #[test]
    fn bad_bounds_name_the_values() {
        let x = t(vec![1.0]);
        let e = clip_by_value(&x, 3.0, 1.5).unwrap_err();
        assert_eq!(e.to_string(), "clipByValue: min (3) must be less than or equal to max (1.5)");
        let e = clip_by_value(&x, f64::NAN, 1.0).unwrap_err();
        assert_eq!(e.to_string(), "clipByValue: min and max must be numbers, got min NaN and max 1");
        assert_eq!(e.status(), crate::Status::InvalidArgument);
        let e = clip_by_value(&x, f64::INFINITY, 0.0).unwrap_err();
        assert_eq!(e.to_string(), "clipByValue: min (Infinity) must be less than or equal to max (0)");
    }

    #[test]
    fn gradient_passes_inside_the_bounds() {
        let x = t(vec![-2.0, -1.0, 0.0, 1.0, 2.0]);
        let dy = t(vec![1.0; 5]);
        let dx = clip_by_value_backward(&x, &dy, -1.0, 1.0).unwrap();
        assert_eq!(dx.data(), &[0.0, 1.0, 1.0, 1.0, 0.0]);
        assert!(clip_by_value_backward(&x, &t(vec![1.0]), -1.0, 1.0).is_err());
    }
}
