//! Loops shared by the element-wise activations, and the backward pass of the step-like ones.
//!
//! Each activation file passes a closure; the loop is monomorphised per closure, so simple
//! ones auto-vectorise under simd128. Iteration is by `zip`, so a length mismatch can never
//! index out of bounds (the op layer guarantees equal lengths).

/// `y[i] = f(x[i])`.
#[inline(always)]
pub(crate) fn map(x: &[f32], y: &mut [f32], f: impl Fn(f32) -> f32) {
    for (o, &a) in y.iter_mut().zip(x) {
        *o = f(a);
    }
}

/// `dx[i] = g(x[i], y[i], dy[i])`.
#[inline(always)]
pub(crate) fn map_grad(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], g: impl Fn(f32, f32, f32) -> f32) {
    for (((o, &a), &b), &d) in dx.iter_mut().zip(x).zip(y).zip(dy) {
        *o = g(a, b, d);
    }
}

/// Backward of a step-like activation (`stairStep`, `unitStep`, `heaviside`, `sign`).
///
/// The true derivative is 0 wherever it exists (and undefined at the jumps), so `dx = 0`.
/// With `straight_through` the straight-through estimator is used instead: `dx = dy`, the
/// gradient of the identity (Bengio et al. 2013, <https://arxiv.org/abs/1308.3432>). Either
/// way a NaN input gives a NaN gradient.
pub(crate) fn step_backward(x: &[f32], dy: &[f32], dx: &mut [f32], straight_through: bool) {
    for ((o, &a), &d) in dx.iter_mut().zip(x).zip(dy) {
        *o = if a.is_nan() {
            f32::NAN
        } else if straight_through {
            d
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_backward_is_zero_or_identity() {
        let x = [-1.0, 0.0, 2.0, f32::NAN];
        let dy = [3.0, -4.0, 5.0, 6.0];
        let mut dx = [9.0; 4];
        step_backward(&x, &dy, &mut dx, false);
        assert_eq!(dx[..3], [0.0, 0.0, 0.0]);
        assert!(dx[3].is_nan());
        step_backward(&x, &dy, &mut dx, true);
        assert_eq!(dx[..3], [3.0, -4.0, 5.0]);
        assert!(dx[3].is_nan());
    }
}
