//! `softplus`: a smooth relu, `f(x) = ln(1 + e^x)`.
//!
//! Evaluated as `max(x, 0) + ln1p(e^(−|x|))`, which equals `ln(1 + e^x)` exactly and never
//! overflows: `softplus(100) = 100` (not `ln(∞)`), and `softplus(−100) = e^(−100)` keeps its
//! tiny value through `ln1p`.
//!
//! # Derivative
//! `f'(x) = e^x / (1 + e^x) = σ(x)`, the (stable) sigmoid.

use super::map::map_grad;
use super::sigmoid::sigmoid;

pub fn forward(x: &[f32], y: &mut [f32]) {
    // The simd128 kernel (polynomial exp and log1p, within 2 ulp); NaN stays NaN.
    crate::kernels::transcendental::softplus(x, y);
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| d * sigmoid(v));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 100.0, -100.0, 1e30, -1e30, f32::NAN];
        let mut y = [0.0; 8];
        forward(&x, &mut y);
        assert!((y[0] - core::f32::consts::LN_2).abs() < 1e-7);
        assert!((y[1] - 1.313_261_7).abs() < 1e-6);
        assert!((y[2] - 0.313_261_7).abs() < 1e-7);
        assert_eq!(y[3], 100.0);
        // (subnormal spacing is 1.4e-45, about 4% of the value)
        assert!(y[4] > 0.0 && (f64::from(y[4]) / 3.720_075_976e-44 - 1.0).abs() < 0.04);
        assert_eq!((y[5], y[6]), (1e30, 0.0));
        assert!(y[7].is_nan());
        let mut dx = [0.0; 8];
        backward(&x, &y, &[1.0; 8], &mut dx);
        assert_eq!(dx[0], 0.5);
        assert!((dx[1] - 0.731_058_6).abs() < 1e-7);
        assert_eq!((dx[3], dx[5], dx[6]), (1.0, 1.0, 0.0));
        assert!(dx[7].is_nan());
    }
}
