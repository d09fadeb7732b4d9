//! `mish`: `f(x) = x·tanh(softplus(x))` (Misra 2019, <https://arxiv.org/abs/1908.08681>; TF.js
//! and Keras 3 `mish`), a smooth, non-monotonic relu-like function with a minimum near
//! `f(−1.19) ≈ −0.31`. The softplus is the stable one of [`super::softplus`].
//!
//! # Derivative
//! `f'(x) = t + x·(1 − t²)·σ(x)` with `t = tanh(softplus(x))` (`softplus' = σ`). The limits are
//! taken explicitly where the product would be `∞·0`: `f(−∞) = −0`, `f'(−∞) = 0`, `f'(∞) = 1`.
//!
//! The softplus, tanh and sigmoid are the SIMD kernels of `kernels::transcendental` (within 2,
//! 3 and 3 ulp, the same bits in every runtime), so `f` is within 5 ulp of `x·tanh(softplus(x))`
//! computed exactly where `softplus(x)` is a normal float (`x > −87.3`; below, its rounding
//! as a subnormal, at most `2^−149·|x|`; tested below).

use crate::kernels::transcendental::{sigmoid, softplus, tanh};

/// Values per piece: the kernels' intermediates sit in buffers on the stack.
const PIECE: usize = 256;

/// `t = tanh(softplus(x))` of each value, then `f(x, t)` for each piece of `out`.
fn with_t(x: &[f32], out: &mut [f32], mut f: impl FnMut(&[f32], &[f32], &mut [f32])) {
    let (mut sp, mut t) = ([0f32; PIECE], [0f32; PIECE]);
    for (xp, op) in x.chunks(PIECE).zip(out.chunks_mut(PIECE)) {
        let (sp, t) = (&mut sp[..xp.len()], &mut t[..xp.len()]);
        softplus(xp, sp);
        tanh(sp, t);
        f(xp, t, op);
    }
}

pub fn forward(x: &[f32], y: &mut [f32]) {
    with_t(x, y, |x, t, y| {
        for ((o, &v), &t) in y.iter_mut().zip(x).zip(t) {
            *o = if t == 0.0 && !v.is_nan() { -0.0 } else { v * t };
        }
    });
}

pub fn backward(x: &[f32], _y: &[f32], dy: &[f32], dx: &mut [f32]) {
    let mut s = [0f32; PIECE];
    let mut at = 0;
    with_t(x, dx, |x, t, dx| {
        let (s, dy) = (&mut s[..x.len()], &dy[at..at + x.len()]);
        at += x.len();
        sigmoid(x, s);
        for ((((o, &v), &t), &s), &d) in dx.iter_mut().zip(x).zip(t).zip(&*s).zip(dy) {
            let q = 1.0 - t * t;
            let second = if s == 0.0 || q == 0.0 { 0.0 } else { v * q * s };
            *o = d * (t + second);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 997th float against `x·tanh(softplus(x))` in f64: within 5 ulp where the result
    /// and `softplus(x)` are normal, else `2^−149·|x|`.
    #[test]
    fn within_five_ulp() {
        let mut worst = 0f64;
        let xs: Vec<f32> = (0..0x7f80_0000u32).step_by(997).flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)]).collect();
        let mut ys = vec![0f32; xs.len()];
        forward(&xs, &mut ys);
        {
            for (&x, &y) in xs.iter().zip(&ys) {
                let y = [y];
                let w = f64::from(x);
                let want = w * (w.max(0.0) + (-w.abs()).exp().ln_1p()).tanh();
                // Below x ≈ −87.3 softplus(x) ≈ e^x is subnormal: an absolute error of 2^−149·|x|.
                if !(want.abs() >= f64::from(f32::MIN_POSITIVE)) || want.abs() > f64::from(f32::MAX) || w < -87.3 {
                    assert!((f64::from(y[0]) - want).abs() <= 2f64.powi(-149) * (w.abs() + 1.0) || !want.is_finite(), "mish({x:e}) = {:e}, want {want:e}", y[0]);
                    continue;
                }
                let spacing = f64::from(f32::EPSILON) * 2f64.powi((want.abs()).log2().floor() as i32);
                let u = (f64::from(y[0]) - want).abs() / spacing;
                assert!(u <= 5.0, "mish({x:e}) = {:e}, {u} ulp from {want:e}", y[0]);
                worst = worst.max(u);
            }
        }
        eprintln!("mish: worst {worst} ulp");
    }

    #[test]
    fn values_and_extremes() {
        let x = [0.0, 1.0, -1.0, 100.0, -100.0, 1e30, -1e30, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        let mut y = [0.0; 10];
        forward(&x, &mut y);
        assert_eq!(y[0], 0.0);
        // x·tanh(ln(1 + eˣ)) in f64: 0.865098388, −0.303401461.
        assert!((y[1] - 0.865_098_4).abs() < 1e-6 && (y[2] + 0.303_401_46).abs() < 1e-6, "{y:?}");
        assert_eq!(y[3], 100.0);
        assert!(y[4] <= 0.0 && y[4] > -1e-40);
        assert_eq!((y[5], y[6], y[7], y[8]), (1e30, 0.0, f32::INFINITY, 0.0));
        assert!(y[9].is_nan());
        let mut dx = [0.0; 10];
        backward(&x, &y, &[1.0; 10], &mut dx);
        // t(0) = tanh(ln 2) = 0.6, σ(0) = 0.5: f'(0) = 0.6.
        assert!((dx[0] - 0.6).abs() < 1e-6);
        // f'(1) and f'(−1) in f64: 1.049036220, 0.059216756.
        assert!((dx[1] - 1.049_036_2).abs() < 1e-5 && (dx[2] - 0.059_216_76).abs() < 1e-5, "{dx:?}");
        assert_eq!((dx[3], dx[5], dx[6], dx[7], dx[8]), (1.0, 1.0, 0.0, 1.0, 0.0));
        assert!(dx[9].is_nan());
    }
}
