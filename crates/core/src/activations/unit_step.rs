//! `unitStep`: a threshold unit, `f(x) = 1` for `x ≥ t`, else `0` (threshold `t`, default 0;
//! so `f(0) = 1` by default, unlike [`heaviside`](super::heaviside)).
//!
//! # Derivative
//! `f'(x) = 0` for `x ≠ t` and undefined at `t`, so `dx = 0`; with `straight_through` the
//! backward pass is `dx = dy` (see `map::step_backward`).

use super::map::map;

pub fn forward(x: &[f32], y: &mut [f32], threshold: f32) {
    map(x, y, |v| {
        if v >= threshold {
            1.0
        } else if v < threshold {
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
    fn values() {
        let x = [-1e30, -1e-30, 0.0, -0.0, 0.5, 100.0, f32::NAN];
        let mut y = [0.0; 7];
        forward(&x, &mut y, 0.0);
        assert_eq!(y[..6], [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        assert!(y[6].is_nan());
        forward(&x[..6], &mut y[..6], 0.5);
        assert_eq!(y[..6], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    }
}
