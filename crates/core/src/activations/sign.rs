//! `sign` (activation): the bipolar step, `f(x) = −1` for `x < 0` and `+1` for `x ≥ 0`.
//!
//! Unlike the `sign` tensor op (which gives 0 at 0, as NumPy), this never outputs 0: a
//! binary ±1 unit, as in binarised networks. Both `+0` and `−0` map to `+1`.
//!
//! # Derivative
//! `f'(x) = 0` for `x ≠ 0` and undefined at 0, so `dx = 0`; with `straight_through` the
//! backward pass is `dx = dy` (see `map::step_backward`).

use super::map::map;

pub fn forward(x: &[f32], y: &mut [f32]) {
    map(x, y, |v| {
        if v >= 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
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
        let x = [-1e30, -1e-30, -0.0, 0.0, 1e-30, 100.0, f32::NAN];
        let mut y = [0.0; 7];
        forward(&x, &mut y);
        assert_eq!(y[..6], [-1.0, -1.0, 1.0, 1.0, 1.0, 1.0]);
        assert!(y[6].is_nan());
    }
}
