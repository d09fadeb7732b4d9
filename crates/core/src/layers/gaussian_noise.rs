//! `gaussianNoise`: adds `N(0, stddev²)` noise during training (a regularizer, and the
//! corruption step of denoising autoencoders); identity at inference. Seeded per step.
//!
//! # Backward
//! `dx = dy` (the noise does not depend on x).

use super::{step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{Result, Tensor};

pub struct GaussianNoise {
    stddev: f32,
    stream: u32,
}

impl GaussianNoise {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(stddev: f32, stream: u32) -> Result<GaussianNoise> {
        if !(stddev.is_finite() && stddev >= 0.0) {
            return Err(super::out_of_range("gaussianNoise", "stddev", "a finite number >= 0", stddev));
        }
        Ok(GaussianNoise { stddev, stream })
    }
}

impl Layer for GaussianNoise {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "gaussianNoise"
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        if let Some((seed, step)) = mode.random() {
            let mut rng = Philox::new(step_seed(seed, step) ^ 0x9a55_1a7e, self.stream);
            for v in x.try_data_mut("gaussianNoise")? {
                *v += self.stddev * rng.normal_f32();
            }
        }
        Ok(x)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        Ok(dy)
    }
}
