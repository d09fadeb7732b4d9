//! `dropout`: during training, zeroes each element with probability `rate` and scales the
//! rest by `1/(1−rate)` (inverted dropout, Srivastava et al. 2014); identity at inference.
//! The mask of step `s` comes from the seeded counter-based generator, so training is
//! reproducible.
//!
//! # Backward
//! `dx = dy ⊙ mask / (1 − rate)`.

use super::{step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{Result, Tensor};

pub struct Dropout {
    rate: f32,
    /// Distinguishes this layer's random stream from other layers'.
    stream: u32,
    mask: Option<Vec<f32>>,
}

impl Dropout {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(rate: f32, stream: u32) -> Result<Dropout> {
        Ok(Dropout { rate: super::dropout_rate("dropout", rate)?, stream, mask: None })
    }
}

impl Layer for Dropout {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "dropout"
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
        let Some((seed, step)) = mode.random() else {
            // Inference is the identity; a traced one differentiates as the identity.
            if mode.keeps() {
                self.mask = Some(Vec::new());
            }
            return Ok(x);
        };
        if self.rate == 0.0 {
            self.mask = Some(crate::tensor::try_vec("dropout", x.size(), 1.0)?);
            return Ok(x);
        }
        let scale = 1.0 / (1.0 - self.rate);
        let mut rng = Philox::new(step_seed(seed, step) ^ 0x5eed_d20b, self.stream);
        let mut mask = crate::tensor::alloc("dropout", x.size())?;
        for (m, v) in mask.iter_mut().zip(x.try_data_mut("dropout")?) {
            *m = if rng.uniform_f32() < self.rate { 0.0 } else { scale };
            *v *= *m;
        }
        self.mask = Some(mask);
        Ok(x)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        super::scale_by_kept("dropout", self.mask.take(), dy)
    }
}
