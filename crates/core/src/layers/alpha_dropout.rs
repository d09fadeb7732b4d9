//! `alphaDropout`: dropout for self-normalizing networks (Klambauer et al. 2017, TF.js's and
//! Keras's `AlphaDropout`): during training each value is kept with probability `1 − rate`
//! or set to SELU's negative saturation `α' = −λα ≈ −1.7581`, then the affine map
//! `a·x + b` with `a = ((1 − p)(1 + p·α'²))^(−1/2)` and `b = −a·α'·p` (`p` = rate) restores the
//! mean and variance of a standardized input (mean 0, variance 1). The identity at inference
//! and for `rate` 0. Seeded per step as `dropout`.
//!
//! Keras's formula, `x·kept + α'·(1 − kept)`: TF.js 4.22 writes `x·kept + (kept − 1)·α'`, which
//! sets dropped values to `+1.7581` (a sign slip), so its outputs do not keep the mean (README,
//! Porting).
//!
//! # Backward
//! `dx = dy · a` where the value was kept, 0 where it was dropped.

use super::{step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{Result, Tensor};

/// SELU's `α` and `λ` (TF.js's and Keras's constants).
const ALPHA: f64 = 1.673_263_242_354_377_3;
const SCALE: f64 = 1.050_700_987_355_480_5;

pub struct AlphaDropout {
    rate: f32,
    stream: u32,
    /// `a` for the kept values, 0 for the dropped ones, of the last forward that kept them
    /// (empty: the identity).
    grad: Option<Vec<f32>>,
}

impl AlphaDropout {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(rate: f32, stream: u32) -> Result<AlphaDropout> {
        Ok(AlphaDropout { rate: super::dropout_rate("alphaDropout", rate)?, stream, grad: None })
    }

    /// `(a, b, α')` for the rate (in f64, rounded once as Keras's Python floats are).
    pub fn affine(rate: f32) -> (f32, f32, f32) {
        let p = f64::from(rate);
        let alpha_p = -ALPHA * SCALE;
        let a = ((1.0 - p) * (1.0 + p * alpha_p * alpha_p)).powf(-0.5);
        let b = -a * alpha_p * p;
        (a as f32, b as f32, alpha_p as f32)
    }
}

impl Layer for AlphaDropout {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "alphaDropout"
    }

    /// No weights: any per-sample shape the layer takes (shared at several shapes, as TF.js).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        let random = mode.random().filter(|_| self.rate > 0.0);
        let Some((seed, step)) = random else {
            if mode.keeps() {
                self.grad = Some(Vec::new());
            }
            return Ok(x);
        };
        let (a, b, alpha_p) = AlphaDropout::affine(self.rate);
        let mut rng = Philox::new(step_seed(seed, step) ^ 0xa1fa_d20b, self.stream);
        let mut grad = crate::tensor::alloc("alphaDropout", x.size())?;
        for (g, v) in grad.iter_mut().zip(x.try_data_mut("alphaDropout")?) {
            let kept = rng.uniform_f32() >= self.rate;
            *g = if kept { a } else { 0.0 };
            *v = a * (if kept { *v } else { alpha_p }) + b;
        }
        if mode.keeps() {
            self.grad = Some(grad);
        }
        Ok(x)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        super::scale_by_kept("alphaDropout", self.grad.take(), dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_mean_and_variance_of_a_standardized_input() {
        let n = 200_000;
        let mut g = Philox::new(11, 0);
        let x = Tensor::new("t", [4, n / 4].into(), (0..n).map(|_| g.normal_f32()).collect()).unwrap();
        for rate in [0.05f32, 0.2, 0.5] {
            let mut l = AlphaDropout::new(rate, 2).unwrap();
            let y = l.forward(x.clone(), Mode::Train { seed: 3, step: 9 }).unwrap();
            let mean = y.data().iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            let var = y.data().iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(mean.abs() < 0.015, "rate {rate}: mean {mean}");
            assert!((var - 1.0).abs() < 0.02, "rate {rate}: variance {var}");
            // Dropped values are a·α' + b; kept ones a·x + b, with dx = a·dy.
            let (a, b, alpha_p) = AlphaDropout::affine(rate);
            let dx = l.backward(Tensor::new("t", [4, n / 4].into(), vec![1.0; n]).unwrap()).unwrap();
            let mut dropped = 0;
            for ((&xv, &yv), &d) in x.data().iter().zip(y.data()).zip(dx.data()) {
                if d == 0.0 {
                    dropped += 1;
                    assert_eq!(yv, a * alpha_p + b);
                } else {
                    assert_eq!((d, yv), (a, a * xv + b));
                }
            }
            let p = dropped as f64 / n as f64;
            assert!((p - f64::from(rate)).abs() < 5.0 * (f64::from(rate) * (1.0 - f64::from(rate)) / n as f64).sqrt(), "rate {rate}: dropped {p}");
        }
    }

    #[test]
    fn identity_at_inference_and_rate_0_and_bad_rates() {
        let x = Tensor::new("t", [1, 3].into(), vec![1., -2., 3.]).unwrap();
        assert_eq!(AlphaDropout::new(0.3, 0).unwrap().forward(x.clone(), Mode::Infer).unwrap().data(), x.data());
        assert_eq!(AlphaDropout::new(0.0, 0).unwrap().forward(x.clone(), Mode::Train { seed: 1, step: 1 }).unwrap().data(), x.data());
        for bad in [-0.1, 1.0, 2.0, f32::NAN] {
            assert!(AlphaDropout::new(bad, 0).err().unwrap().to_string().contains("rate must be in [0, 1)"));
        }
    }
}
