//! `softmax`: normalised exponentials over each row of `cols` values (the last axis),
//! `y_i = e^(x_i) / Σ_j e^(x_j)`.
//!
//! Stable for any logits: the row maximum `m` is subtracted first (`e^(x_i − m)`, the
//! largest term is exactly 1), so `softmax([1000, 0])` is `[1, 0]`, not `∞/∞`. The max, the
//! exponentials (`kernels::transcendental`) and their sum (`kernels::reduce::sum`, float32 in
//! a fixed 16-lane order, within a few ulp of the exact sum of terms in (0, 1]) run on SIMD
//! lanes. A row containing `+∞` or NaN, or made only of `−∞`, gives NaN (there is no
//! meaningful distribution), as TF.js.
//!
//! # Derivative
//! The Jacobian is `∂y_i/∂x_j = y_i·(δ_ij − y_j)`, so the vector-Jacobian product is
//! `dx_i = y_i·(dy_i − Σ_j dy_j·y_j)`, computed from the saved output in O(cols).

/// The rows of `x` and `y` (`cols == 0` means there are no rows).
pub(crate) fn rows<'a>(x: &'a [f32], y: &'a mut [f32], cols: usize) -> impl Iterator<Item = (&'a [f32], &'a mut [f32])> {
    let c = cols.max(1);
    debug_assert!(cols > 0 || x.is_empty(), "softmax: {} values with cols = 0", x.len());
    debug_assert_eq!(x.len() % c, 0, "softmax: {} values are not whole rows of {cols}", x.len());
    x.chunks_exact(c).zip(y.chunks_exact_mut(c))
}

/// Values per block of short rows in [`forward`] (on the stack).
const BLOCK: usize = 240;

pub fn forward(x: &[f32], y: &mut [f32], cols: usize) {
    if (1..crate::kernels::reduce_rows::SHORT_ROW).contains(&cols) {
        return forward_short(x, y, cols);
    }
    for (xr, yr) in rows(x, y, cols) {
        // The max, the exponentials and their sum four or sixteen lanes at a time, each
        // bit-identical to its scalar reference. A NaN makes the max NaN and so the whole row
        // NaN, as a NaN term did before through the sum.
        let m = crate::kernels::reduce::shift_max(xr);
        crate::kernels::transcendental::exp_shifted(xr, m, yr);
        let inv = 1.0 / crate::kernels::reduce::sum(yr);
        for o in yr.iter_mut() {
            *o *= inv;
        }
    }
}

/// [`forward`] on rows shorter than 16, a block of rows at a time: their maxima
/// (`reduce_rows`, several rows on SIMD lanes), the shifted values `x − m`, one `exp` over the
/// block, the row sums (`reduce_rows`), the scaling. The same operations on each value as the
/// row-by-row loop (whose max and 16-lane sum of a short row are these kernels' folds, and
/// whose `exp_shifted` is `exp` of `x − m`), so the same bits, without three calls per row.
fn forward_short(x: &[f32], y: &mut [f32], cols: usize) {
    use crate::kernels::{reduce_rows as kr, transcendental::exp};
    let per = BLOCK / cols * cols;
    let (mut m, mut d) = ([0f32; BLOCK], [0f32; BLOCK]);
    for (xb, yb) in x.chunks(per).zip(y.chunks_mut(per)) {
        let (n, d) = (xb.len() / cols, &mut d[..xb.len()]);
        let m = &mut m[..n];
        kr::rows_max(xb, cols, m);
        for ((dr, xr), &m) in d.chunks_exact_mut(cols).zip(xb.chunks_exact(cols)).zip(m.iter()) {
            dr.iter_mut().zip(xr).for_each(|(o, &v)| *o = v - m);
        }
        exp(d, yb);
        kr::rows_sum(yb, cols, m);
        for (yr, &s) in yb.chunks_exact_mut(cols).zip(m.iter()) {
            let inv = 1.0 / s;
            yr.iter_mut().for_each(|o| *o *= inv);
        }
    }
}

pub fn backward(_x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], cols: usize) {
    let c = cols.max(1);
    for ((yr, gr), dr) in y.chunks_exact(c).zip(dy.chunks_exact(c)).zip(dx.chunks_exact_mut(c)) {
        let dot: f64 = yr.iter().zip(gr).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
        let dot = dot as f32;
        for ((o, &a), &g) in dr.iter_mut().zip(yr).zip(gr) {
            *o = a * (g - dot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_large_logits() {
        let x = [1.0, 2.0, 3.0, 1000.0, 0.0, -1000.0, -1e30, 1e30, 0.0];
        let mut y = [0.0; 9];
        forward(&x, &mut y, 3);
        let e = [0.090_030_57, 0.244_728_48, 0.665_240_94];
        for i in 0..3 {
            assert!((y[i] - e[i]).abs() < 1e-7, "{y:?}");
        }
        assert_eq!(y[3..], [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        // Equal logits → uniform, whatever their size.
        forward(&[1e30, 1e30, -7.0, -7.0], &mut y[..4], 2);
        assert_eq!(y[..4], [0.5; 4]);
        // NaN and +inf poison their row only.
        forward(&[f32::NAN, 0.0, 0.0, 0.0, f32::INFINITY, 0.0], &mut y[..6], 2);
        assert!(y[0].is_nan() && y[1].is_nan() && y[4].is_nan() && y[5].is_nan());
        assert_eq!(y[2..4], [0.5, 0.5]);
    }

    #[test]
    fn jacobian_matches_the_formula() {
        let x = [0.3, -1.2, 2.0, 0.7];
        let mut y = [0.0; 4];
        forward(&x, &mut y, 4);
        // Row i of the Jacobian is the VJP with dy = e_i (J is symmetric).
        for i in 0..4 {
            let mut dy = [0.0; 4];
            dy[i] = 1.0;
            let mut dx = [0.0; 4];
            backward(&x, &y, &dy, &mut dx, 4);
            for j in 0..4 {
                let want = y[i] * (if i == j { 1.0 } else { 0.0 } - y[j]);
                assert!((dx[j] - want).abs() < 1e-7, "J[{i}][{j}] = {} want {want}", dx[j]);
            }
        }
        // A constant dy has no effect: softmax is invariant to shifting every output equally.
        let mut dx = [1.0; 4];
        backward(&x, &y, &[3.0; 4], &mut dx, 4);
        assert!(dx.iter().all(|d| d.abs() < 1e-6));
    }

    #[test]
    fn empty_input_is_fine() {
        forward(&[], &mut [], 0);
        backward(&[], &[], &[], &mut [], 0);
    }
}
