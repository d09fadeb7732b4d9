//! `sign` (activation): the bipolar step, `f(x) = −1` for `x < 0`, `+1` for `x > 0`, and
//! `f(0) = a` (`atZero`, in `[−1, 1]`, default `+1`). Both `+0` and `−0` count as zero.
//!
//! Unlike the `sign` tensor op (which gives 0 at 0, as NumPy and TF.js), the default never
//! outputs 0: a binary ±1 unit, as in binarised networks. Rosenblatt's perceptron as
//! `classic::perceptron` implements it (`+1` only when `w·x + b > 0`) is `atZero = −1`;
//! `atZero = 0` is the op's value.
//!
//! # Derivative
//! `f'(x) = 0` for `x ≠ 0` and undefined at 0, so `dx = 0`; with `straight_through` the
//! backward pass is `dx = dy` (see `map::step_backward`).

use super::map::map;

pub fn forward(x: &[f32], y: &mut [f32], at_zero: f32) {
    map(x, y, |v| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
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
        let x = [-1e30, -1e-30, -0.0, 0.0, 1e-30, 100.0, f32::NAN];
        let mut y = [0.0; 7];
        forward(&x, &mut y, 1.0);
        assert_eq!(y[..6], [-1.0, -1.0, 1.0, 1.0, 1.0, 1.0]);
        assert!(y[6].is_nan());
        for a in [-1.0, 0.0, 0.25] {
            forward(&x, &mut y, a);
            assert_eq!(y[..6], [-1.0, -1.0, a, a, 1.0, 1.0], "atZero {a}");
            assert!(y[6].is_nan());
        }
    }
}
