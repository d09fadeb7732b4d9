//! `geluNew`: the tanh approximation of [`super::gelu`] (Hendrycks & Gimpel 2016), `f(x) =
//! ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: TF.js layers' `'gelu_new'` and Keras
//! `gelu(approximate=True)` (GPT-2's and BERT's activation).
//!
//! Computed as `x·σ(v)` with `v = 2·√(2/π)·(x + 0.044715·x³)`, since `½·(1 + tanh(v/2)) = σ(v)`:
//! no cancellation in `1 + tanh` for negative `x` (TF.js's form loses all digits below
//! `x ≈ −5`). `v` is computed in f64 and rounded once, `σ` is the SIMD sigmoid of
//! `kernels::transcendental` (3 ulp, the same bits in every runtime), so `f` is within
//! 3 ulp of the exact value for `x ≥ 0` (2.0 in the test's sweep) and `8 + |v|·σ(−v)` ulp for
//! `x < 0` (the rounding of `v` grows by `|v|` in `σ(v)` where it is small: 9 ulp at
//! `x ∈ [−3.5, −3]`, where `f ≈ −1e−3`; tested below). The f64 evaluation before was correctly
//! rounded but 5× slower.
//!
//! # Derivative
//! `f'(x) = σ(v) + x·σ(v)·σ(−v)·v'(x)` with `v' = 2·√(2/π)·(1 + 3·0.044715·x²)` (the tanh form's
//! `½·(1 + t) + ½·x·(1 − t²)·u'`, as `1 − t² = 4·σ(v)·σ(−v)`). The limits are taken explicitly
//! where a product would be `∞·0`: `f(−∞) = −0`, `f'(±∞) = 0, 1`.

use crate::kernels::transcendental::sigmoid;
use core::f64::consts::PI;

const C: f64 = 0.044715;
/// Values per piece: the kernels' intermediates sit in buffers on the stack.
const PIECE: usize = 256;

/// `v = 2·√(2/π)·(x + C·x³)` (in f64, rounded once) and `dv/dx`.
fn v(x: f32) -> (f32, f32) {
    let (x, k) = (f64::from(x), 2.0 * (2.0 / PI).sqrt());
    ((k * (x + C * x * x * x)) as f32, (k * (1.0 + 3.0 * C * x * x)) as f32)
}

/// `s = σ(v)` (and `σ(−v)` into `s2` if given) of each value, then `f` on each piece.
fn with_s(x: &[f32], out: &mut [f32], both: bool, mut f: impl FnMut(usize, &[f32], &[f32], &[f32], &mut [f32])) {
    let (mut vb, mut s, mut s2) = ([0f32; PIECE], [0f32; PIECE], [0f32; PIECE]);
    for (i, (xp, op)) in x.chunks(PIECE).zip(out.chunks_mut(PIECE)).enumerate() {
        let n = xp.len();
        let (vb, s, s2) = (&mut vb[..n], &mut s[..n], &mut s2[..n]);
        vb.iter_mut().zip(xp).for_each(|(o, &x)| *o = v(x).0);
        sigmoid(vb, s);
        if both {
            vb.iter_mut().for_each(|v| *v = -*v);
            sigmoid(vb, s2);
        }
        f(i * PIECE, xp, s, s2, op);
    }
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    with_s(x, y, false, |_, x, s, _, y| {
        for ((o, &x), &s) in y.iter_mut().zip(x).zip(s) {
            *o = if s == 0.0 && !x.is_nan() { -0.0 } else { x * s };
        }
    });
}

pub fn backward(x: &[f32], _y: &[f32], dy: &[f32], dx: &mut [f32]) {
    with_s(x, dx, true, |at, x, s, s2, dx| {
        for ((((o, &x), &s), &s2), &d) in dx.iter_mut().zip(x).zip(s).zip(s2).zip(&dy[at..]) {
            let q = s * s2;
            let second = if q == 0.0 { 0.0 } else { x * q * v(x).1 };
            *o = d * (s + second);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 997th float against the formula in f64: within `8 + |v|·σ(−v)` ulp
    /// (the rounding of `v`, then σ's 3 ulp and the product's, each up to twice as many ulp as
    /// its relative error), where the results are normal; 3 ulp for `x ≥ 0`.
    #[test]
    fn within_the_stated_ulp_bound() {
        let mut worst = 0f64;
        let xs: Vec<f32> = (0..0x7f80_0000u32).step_by(997).flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)]).collect();
        let mut ys = vec![0f32; xs.len()];
        forward(&xs, &mut ys);
        {
            for (&x, &y) in xs.iter().zip(&ys) {
                let y = [y];
                let w = f64::from(x);
                let k = (2.0 / PI).sqrt();
                // The tanh form in f64, as x·σ(v): 1 + tanh cancels in f64 too for negative x.
                let want = w / (1.0 + (-2.0 * k * (w + C * w * w * w)).exp());
                if !(want.abs() >= f64::from(f32::MIN_POSITIVE)) || want.abs() > f64::from(f32::MAX) {
                    continue;
                }
                let vv = 2.0 * k * (w + C * w * w * w);
                let spacing = f64::from(f32::EPSILON) * 2f64.powi((want.abs()).log2().floor() as i32);
                let u = (f64::from(y[0]) - want).abs() / spacing;
                let bound = 8.0 + vv.abs() / (1.0 + vv.exp());
                assert!(u <= bound, "geluNew({x:e}) = {:e}, {u} ulp from {want:e} (bound {bound})", y[0]);
                worst = worst.max(u - 8.0);
                assert!(x < 0.0 || u <= 3.0, "geluNew({x:e}): {u} ulp");
            }
        }
        eprintln!("geluNew: worst excess over 8 ulp {worst}");
    }

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 3.0, 100.0, -100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [9.0; 11];
        forward(&x, &mut y);
        // In f64: f(1) = 0.841191990, f(−1) = −0.158808010, f(3) = 2.996362607.
        assert_eq!(y[0], 0.0);
        assert!((y[1] - 0.841_192).abs() < 1e-6 && (y[2] + 0.158_808_01).abs() < 1e-6 && (y[3] - 2.996_362_6).abs() < 1e-6, "{y:?}");
        assert_eq!((y[4], y[5], y[6], y[7], y[8], y[9]), (100.0, 0.0, 1e30, 0.0, f32::INFINITY, 0.0));
        assert!(y[10].is_nan());
        let mut dx = [9.0; 11];
        backward(&x, &y, &[1.0; 11], &mut dx);
        // f'(0) = ½; f'(1) = 1.082963, f'(−1) = −0.082963 (f'(x) + f'(−x) = 1).
        assert_eq!(dx[0], 0.5);
        assert!((dx[1] + dx[2] - 1.0).abs() < 1e-6 && (dx[1] - 1.082_964).abs() < 1e-5, "{dx:?}");
        assert_eq!((dx[4], dx[5], dx[6], dx[7], dx[8], dx[9]), (1.0, 0.0, 1.0, 0.0, 1.0, 0.0));
        assert!(dx[10].is_nan());
    }
}
