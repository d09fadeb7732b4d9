//! `saltAndPepper`: during training, sets each input to `low` (pepper) or `high` (salt) with
//! probability `rate`, half each, and leaves the others as they are — the masking noise of
//! denoising autoencoders (Vincent et al. 2008). Identity at inference. The mask of step `s`
//! comes from the seeded counter-based generator, as `dropout`'s does.
//!
//! # Backward
//! A corrupted entry is a constant, so `dx = dy` where the input was kept and `0` where it was
//! replaced.

use super::{no_forward, step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{bail, Result, Tensor};
use crate::error::js_number;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SaltAndPepperConfig {
    /// Fraction of entries corrupted, in [0, 1].
    pub rate: f32,
    /// The pepper value (default 0).
    pub low: f32,
    /// The salt value (default 1).
    pub high: f32,
}

impl SaltAndPepperConfig {
    /// Layout: `rate, low, high`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<SaltAndPepperConfig> {
        let mut r = crate::config::Reader::new("saltAndPepper", p);
        let cfg = SaltAndPepperConfig { rate: r.f32("rate")?, low: r.finite("low")?, high: r.finite("high")? };
        if !(0.0..=1.0).contains(&cfg.rate) {
            return Err(super::out_of_range("saltAndPepper", "rate", "in [0, 1]", cfg.rate));
        }
        if cfg.low > cfg.high {
            bail!("saltAndPepper", "low ({}) must not exceed high ({})", js_number(cfg.low), js_number(cfg.high));
        }
        Ok(cfg)
    }
}

pub struct SaltAndPepper {
    cfg: SaltAndPepperConfig,
    /// Distinguishes this layer's random stream from other layers'.
    stream: u32,
    /// 1 where the input was kept, 0 where it was replaced (from the last training forward).
    kept: Option<Vec<f32>>,
}

impl SaltAndPepper {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: SaltAndPepperConfig, stream: u32) -> SaltAndPepper {
        SaltAndPepper { cfg, stream, kept: None }
    }
}

impl Layer for SaltAndPepper {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "saltAndPepper"
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
                self.kept = Some(Vec::new());
            }
            return Ok(x);
        };
        let mut rng = Philox::new(step_seed(seed, step) ^ 0x5a17_9e99, self.stream);
        let mut kept = crate::tensor::alloc("saltAndPepper", x.size())?;
        let SaltAndPepperConfig { rate, low, high } = self.cfg;
        for (k, v) in kept.iter_mut().zip(x.try_data_mut("saltAndPepper")?) {
            // One draw per entry: u < rate/2 → pepper, u < rate → salt, else kept.
            let u = rng.uniform_f32();
            *k = if u < 0.5 * rate {
                *v = low;
                0.0
            } else if u < rate {
                *v = high;
                0.0
            } else {
                1.0
            };
        }
        self.kept = Some(kept);
        Ok(x)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let kept = self.kept.take().ok_or_else(|| no_forward("saltAndPepper"))?;
        if kept.is_empty() {
            return Ok(dy); // traced (or an empty batch): the identity
        }
        for (d, k) in dy.try_data_mut("saltAndPepper")?.iter_mut().zip(&kept) {
            *d *= k;
        }
        Ok(dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    fn layer(rate: f32) -> SaltAndPepper {
        SaltAndPepper::new(SaltAndPepperConfig::from_abi(&[rate, -1.0, 2.0]).unwrap(), 3)
    }

    #[test]
    fn corrupts_about_rate_of_the_inputs_with_low_or_high_and_is_seeded() {
        let x = Tensor::new("t", Shape::from([100, 100]), vec![0.5; 10_000]).unwrap();
        let mode = Mode::Train { seed: 9, step: 4 };
        let y = layer(0.3).forward(x.clone(), mode).unwrap();
        let low = y.data().iter().filter(|&&v| v == -1.0).count();
        let high = y.data().iter().filter(|&&v| v == 2.0).count();
        let same = y.data().iter().filter(|&&v| v == 0.5).count();
        assert_eq!(low + high + same, 10_000);
        assert!((1350..1650).contains(&low) && (1350..1650).contains(&high), "low {low}, high {high}");
        // Same seed and step: the same mask; another step: another mask.
        assert_eq!(layer(0.3).forward(x.clone(), mode).unwrap().data(), y.data());
        assert_ne!(layer(0.3).forward(x.clone(), Mode::Train { seed: 9, step: 5 }).unwrap().data(), y.data());
        // Inference: identity. rate 0: identity; rate 1: everything replaced.
        assert_eq!(layer(0.3).forward(x.clone(), Mode::Infer).unwrap().data(), x.data());
        assert_eq!(layer(0.0).forward(x.clone(), mode).unwrap().data(), x.data());
        assert!(layer(1.0).forward(x, mode).unwrap().data().iter().all(|&v| v == -1.0 || v == 2.0));
    }

    #[test]
    fn backward_passes_the_gradient_only_through_kept_entries() {
        let x = Tensor::new("t", Shape::from([4, 50]), vec![0.25; 200]).unwrap();
        let mut l = layer(0.5);
        let y = l.forward(x, Mode::Train { seed: 1, step: 0 }).unwrap();
        let dy = Tensor::new("t", Shape::from([4, 50]), (0..200).map(|i| i as f32).collect()).unwrap();
        let dx = l.backward(dy.clone()).unwrap();
        for ((&yv, &d), &g) in y.data().iter().zip(dx.data()).zip(dy.data()) {
            assert_eq!(d, if yv == 0.25 { g } else { 0.0 });
        }
        assert!(l.backward(dy).is_err(), "a second backward without a forward is an error");
    }

    #[test]
    fn bad_options_are_named() {
        let e = |p: &[f32]| SaltAndPepperConfig::from_abi(p).unwrap_err().to_string();
        assert_eq!(e(&[-0.1, 0.0, 1.0]), "saltAndPepper: rate must be in [0, 1], got -0.1");
        assert_eq!(e(&[1.5, 0.0, 1.0]), "saltAndPepper: rate must be in [0, 1], got 1.5");
        assert_eq!(e(&[f32::NAN, 0.0, 1.0]), "saltAndPepper: rate must be in [0, 1], got NaN");
        assert_eq!(e(&[0.1, 2.0, 1.0]), "saltAndPepper: low (2) must not exceed high (1)");
    }
}
