//! `stairStep`: quantises to a grid, `f(x) = floor(x / s)·s` for a step `s > 0`
//! (`s = 1` is `floor`). Values on a grid point stay there: `f(2s) = 2s`, `f(2s − ε) = s`.
//!
//! # Derivative
//! `f'(x) = 0` between grid points and undefined on them, so `dx = 0`; with
//! `straight_through` the backward pass is `dx = dy` (see `map::step_backward`).

use super::map::map;

pub fn forward(x: &[f32], y: &mut [f32], step: f32) {
    map(x, y, |v| (v / step).floor() * step);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let x = [-1.5, -0.0, 0.0, 0.49, 0.5, 0.99, 1.0, 1e30, -100.0, f32::NAN];
        let mut y = [0.0; 10];
        forward(&x, &mut y, 0.5);
        assert_eq!(y[..9], [-1.5, -0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 1e30, -100.0]);
        assert!(y[9].is_nan());
        forward(&[2.7, -2.7], &mut y[..2], 1.0);
        assert_eq!(y[..2], [2.0, -3.0]);
    }
}
