//! `logSoftmax`: the log of [`softmax`](super::softmax) over each row of `cols` values,
//! `y_i = x_i − m − ln Σ_j e^(x_j − m)` with `m` the row maximum.
//!
//! Computed directly in that form (not as `ln(softmax)`), so it stays finite where softmax
//! underflows: `logSoftmax([0, −1000]) = [0, −1000]`, not `[0, −∞]`. The max and the
//! exponentials run on SIMD lanes (`kernels::reduce::max`, `kernels::transcendental`, within
//! 2 ulp, the same bits in every runtime); their sum is accumulated in f64 (four partial sums,
//! a fixed order). Rows with `+∞`, NaN, or only `−∞` give NaN, as TF.js.
//!
//! # Derivative
//! `∂y_i/∂x_j = δ_ij − softmax(x)_j`, so the vector-Jacobian product is
//! `dx_j = dy_j − e^(y_j)·Σ_i dy_i` (with `e^(y_j) = softmax(x)_j`).

use super::softmax::rows;
use crate::kernels::transcendental::{exp, exp_shifted};

/// `Σ v` in f64, four partial sums (vector lanes) added at the end.
fn sum_f64(v: &[f32]) -> f64 {
    let (quads, tail) = v.as_chunks::<4>();
    let mut acc = [0f64; 4];
    for q in quads {
        for (a, &x) in acc.iter_mut().zip(q) {
            *a += f64::from(x);
        }
    }
    tail.iter().fold((acc[0] + acc[1]) + (acc[2] + acc[3]), |s, &x| s + f64::from(x))
}

pub fn forward(x: &[f32], y: &mut [f32], cols: usize) {
    for (xr, yr) in rows(x, y, cols) {
        // A NaN makes the max NaN and so the whole row NaN.
        let m = crate::kernels::reduce::shift_max(xr);
        exp_shifted(xr, m, yr);
        let log_sum = sum_f64(yr).ln() as f32;
        for (o, &v) in yr.iter_mut().zip(xr) {
            // (v − m) first: with huge logits, v − (m + log_sum) would lose log_sum entirely.
            *o = (v - m) - log_sum;
        }
    }
}

pub fn backward(_x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], cols: usize) {
    let c = cols.max(1);
    for ((yr, gr), dr) in y.chunks_exact(c).zip(dy.chunks_exact(c)).zip(dx.chunks_exact_mut(c)) {
        let total = sum_f64(gr) as f32;
        exp(yr, dr);
        for (o, &g) in dr.iter_mut().zip(gr) {
            *o = g - *o * total;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_large_logits() {
        let x = [1.0, 2.0, 3.0, 0.0, -1000.0, 1e30];
        let mut y = [0.0; 6];
        forward(&x[..3], &mut y[..3], 3);
        let e = [-2.407_605_964_444_38_f64, -1.407_605_964_444_38, -0.407_605_964_444_38];
        for i in 0..3 {
            assert!((f64::from(y[i]) - e[i]).abs() < 1e-6, "{y:?}");
        }
        forward(&x[3..5], &mut y[3..5], 2);
        assert_eq!(y[3..5], [0.0, -1000.0]);
        forward(&[1e30, 0.0], &mut y[..2], 2);
        assert_eq!(y[..2], [0.0, -1e30]);
        forward(&[f32::NAN, 0.0], &mut y[..2], 2);
        assert!(y[0].is_nan() && y[1].is_nan());
    }

    #[test]
    fn jacobian_matches_the_formula() {
        let x = [0.3, -1.2, 2.0];
        let mut y = [0.0; 3];
        forward(&x, &mut y, 3);
        let p: Vec<f32> = y.iter().map(|v| v.exp()).collect();
        for i in 0..3 {
            let mut dy = [0.0; 3];
            dy[i] = 1.0;
            let mut dx = [0.0; 3];
            backward(&x, &y, &dy, &mut dx, 3);
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 } - p[j];
                assert!((dx[j] - want).abs() < 1e-6, "J[{i}][{j}] = {} want {want}", dx[j]);
            }
        }
    }
}
