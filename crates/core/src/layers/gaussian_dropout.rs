//! `gaussianDropout`: multiplies each value by noise drawn from `N(1, rate / (1 − rate))` during
//! training (TF.js's and Keras's `GaussianDropout`, Srivastava et al. 2014, section 10); the
//! identity at inference and for `rate` 0. The noise of step `s` comes from the seeded
//! counter-based generator (the model's seed, the step and the layer's index), so a run is
//! reproducible bit for bit, for any thread count.
//!
//! # Backward
//! `dx = dy ⊙ noise`.

use super::{step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{Result, Tensor};

pub struct GaussianDropout {
    rate: f32,
    stream: u32,
    /// The noise of the last forward that kept it (empty: the identity).
    noise: Option<Vec<f32>>,
}

impl GaussianDropout {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(rate: f32, stream: u32) -> Result<GaussianDropout> {
        Ok(GaussianDropout { rate: super::dropout_rate("gaussianDropout", rate)?, stream, noise: None })
    }
}

impl Layer for GaussianDropout {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "gaussianDropout"
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
                self.noise = Some(Vec::new());
            }
            return Ok(x);
        };
        let stddev = (f64::from(self.rate) / (1.0 - f64::from(self.rate))).sqrt() as f32;
        let mut rng = Philox::new(step_seed(seed, step) ^ 0x6a55_d20b, self.stream);
        let mut noise = crate::tensor::alloc("gaussianDropout", x.size())?;
        for (m, v) in noise.iter_mut().zip(x.try_data_mut("gaussianDropout")?) {
            *m = 1.0 + stddev * rng.normal_f32();
            *v *= *m;
        }
        if mode.keeps() {
            self.noise = Some(noise);
        }
        Ok(x)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        super::scale_by_kept("gaussianDropout", self.noise.take(), dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ones(n: usize) -> Tensor {
        Tensor::new("t", [1, n].into(), vec![1.0; n]).unwrap()
    }

    #[test]
    fn noise_is_n_1_rate_over_1_minus_rate() {
        for rate in [0.1f32, 0.5, 0.8] {
            let mut l = GaussianDropout::new(rate, 3).unwrap();
            let n = 200_000;
            let y = l.forward(ones(n), Mode::Train { seed: 7, step: 2 }).unwrap();
            let mean = y.data().iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
            let var = y.data().iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n as f64;
            let want = f64::from(rate) / (1.0 - f64::from(rate));
            // Standard errors: sqrt(var / n) for the mean, var·sqrt(2 / n) for the variance.
            assert!((mean - 1.0).abs() < 5.0 * (want / n as f64).sqrt(), "rate {rate}: mean {mean}");
            assert!((var - want).abs() < 5.0 * want * (2.0 / n as f64).sqrt(), "rate {rate}: variance {var} vs {want}");
            // dx = dy ⊙ noise, and the noise is y / x.
            let dx = l.backward(Tensor::new("t", [1, n].into(), vec![2.0; n]).unwrap()).unwrap();
            assert!(dx.data().iter().zip(y.data()).all(|(d, v)| *d == 2.0 * v));
        }
    }

    #[test]
    fn seeded_identity_at_inference_and_rate_0() {
        let x = Tensor::new("t", [2, 3].into(), vec![1., -2., 3., 0.5, 0., 9.]).unwrap();
        let run = |rate: f32, mode: Mode| GaussianDropout::new(rate, 1).unwrap().forward(x.clone(), mode).unwrap().data().to_vec();
        let train = Mode::Train { seed: 5, step: 0 };
        assert_eq!(run(0.4, Mode::Infer), x.data());
        assert_eq!(run(0.4, Mode::Trace), x.data());
        assert_eq!(run(0.0, train), x.data());
        assert_eq!(run(0.4, train), run(0.4, train));
        assert_eq!(run(0.4, Mode::Replay { seed: 5, step: 0 }), run(0.4, train));
        assert_ne!(run(0.4, train), run(0.4, Mode::Train { seed: 5, step: 1 }));
        for bad in [-0.1, 1.0, f32::NAN] {
            assert!(GaussianDropout::new(bad, 0).is_err());
        }
    }
}
