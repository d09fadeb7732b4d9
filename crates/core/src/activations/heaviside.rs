//! `heaviside`: the Heaviside step, `H(x) = 0` for `x < 0`, `1` for `x > 0`, and `H(0) = a`
//! (`atZero`, default ½, the symmetric convention; NumPy's `heaviside(x, a)`). Both `+0` and
//! `−0` count as zero.
//!
//! # Derivative
//! `H'(x) = 0` for `x ≠ 0` (the Dirac delta at 0 is not representable), so `dx = 0`; with
//! `straight_through` the backward pass is `dx = dy` (see `map::step_backward`).

use super::map::map;

pub fn forward(x: &[f32], y: &mut [f32], at_zero: f32) {
    map(x, y, |v| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            0.0
        } else if v == 0.0 {
            at_zero
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
        let x = [-100.0, -1e-30, -0.0, 0.0, 1e-30, 1e30, f32::NAN];
        let mut y = [0.0; 7];
        forward(&x, &mut y, 0.5);
        assert_eq!(y[..6], [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]);
        assert!(y[6].is_nan());
        forward(&x[..6], &mut y[..6], 1.0);
        assert_eq!(y[2..4], [1.0, 1.0]);
    }
}
