//! `relu`: the rectified linear unit, `f(x) = max(x, 0)` (Nair & Hinton 2010,
//! <https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf>).
//!
//! # Derivative
//! `f'(x) = 1` for `x > 0`, `0` for `x < 0`. At the kink `x = 0` we use 0, as TF.js
//! (`dy · step(x)`) and PyTorch do.

use super::map::{map, map_grad};

pub fn forward(x: &[f32], y: &mut [f32]) {
    // NOTE: written as a comparison, not `f32::max`, so NaN propagates (`f32::max(NaN, 0)` is
    // 0); `<=` sends −0 to +0, as TF.js's `Math.max(0, x)` does.
    map(x, y, |v| if v <= 0.0 { 0.0 } else { v });
}

pub fn backward(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32]) {
    map_grad(x, y, dy, dx, |v, _, d| {
        if v > 0.0 {
            d
        } else if v <= 0.0 {
            0.0
        } else {
            v // NaN
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_kink() {
        let x = [-1e30, -100.0, -0.0, 0.0, 1e-30, 3.0, 1e30, f32::NAN];
        let mut y = [0.0; 8];
        forward(&x, &mut y);
        assert_eq!(y[..7], [0.0, 0.0, 0.0, 0.0, 1e-30, 3.0, 1e30]);
        assert_eq!(y[2].to_bits(), 0, "relu(-0) is +0, as TF.js's");
        assert!(y[7].is_nan());
        let mut dx = [0.0; 8];
        backward(&x, &y, &[2.0; 8], &mut dx);
        assert_eq!(dx[..7], [0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0]);
        assert!(dx[7].is_nan());
    }
}
