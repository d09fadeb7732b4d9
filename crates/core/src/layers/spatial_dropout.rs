//! `spatialDropout1d`: dropout of whole channels (TF.js's and Keras's `SpatialDropout1D`,
//! Tompson et al. 2015): on `[batch, steps, channels]`, each (sample, channel) is zeroed with
//! probability `rate` at every step, the rest scaled by `1/(1 − rate)` — TF.js's dropout with
//! the noise shape `[batch, 1, channels]`. For sequences whose neighbouring steps are
//! correlated, where dropping single values regularizes little. The identity at inference and
//! for `rate` 0. Seeded per step as `dropout`.
//!
//! # Backward
//! `dx = dy ⊙ mask` (the channel's mask at every step).

use super::{no_forward, step_seed, Init, Layer, Mode};
use crate::rng::Philox;
use crate::{bail, Result, Shape, Tensor};

pub struct SpatialDropout1d {
    rate: f32,
    stream: u32,
    /// The `[batch, channels]` mask of the last forward that kept it (empty: the identity).
    mask: Option<Vec<f32>>,
}

impl SpatialDropout1d {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(rate: f32, stream: u32) -> Result<SpatialDropout1d> {
        Ok(SpatialDropout1d { rate: super::dropout_rate("spatialDropout1d", rate)?, stream, mask: None })
    }
}

/// `[batch, steps, channels]` of `x`, or an error naming its shape.
fn dims(x: &Tensor) -> Result<[usize; 3]> {
    match *x.dims() {
        [b, s, c] => Ok([b, s, c]),
        _ => bail!("spatialDropout1d", "expects inputs of shape [batch, steps, channels], got {}", x.shape()),
    }
}

impl Layer for SpatialDropout1d {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "spatialDropout1d"
    }

    /// No weights: any per-sample shape the layer takes (shared at several shapes, as TF.js).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        if input.len() != 2 {
            bail!("spatialDropout1d", "expects per-sample inputs of shape [steps, channels] (a batch [batch, steps, channels], as TF.js's SpatialDropout1D), got per-sample shape {}", Shape::from(input));
        }
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        let [b, s, c] = dims(&x)?;
        let random = mode.random().filter(|_| self.rate > 0.0);
        let Some((seed, step)) = random else {
            if mode.keeps() {
                self.mask = Some(Vec::new());
            }
            return Ok(x);
        };
        let scale = 1.0 / (1.0 - self.rate);
        let mut rng = Philox::new(step_seed(seed, step) ^ 0x5a71_d20b, self.stream);
        let mut mask = crate::tensor::alloc("spatialDropout1d", b * c)?;
        for m in mask.iter_mut() {
            *m = if rng.uniform_f32() < self.rate { 0.0 } else { scale };
        }
        apply(x.try_data_mut("spatialDropout1d")?, &mask, s, c);
        if mode.keeps() {
            self.mask = Some(mask);
        }
        Ok(x)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let mask = self.mask.take().ok_or_else(|| no_forward("spatialDropout1d"))?;
        if mask.is_empty() {
            return Ok(dy);
        }
        let [_, s, c] = dims(&dy)?;
        apply(dy.try_data_mut("spatialDropout1d")?, &mask, s, c);
        Ok(dy)
    }
}

/// `v[b, t, ch] *= mask[b, ch]` for every step `t`.
fn apply(v: &mut [f32], mask: &[f32], steps: usize, c: usize) {
    if c == 0 || steps == 0 {
        return;
    }
    for (sample, m) in v.chunks_mut(steps * c).zip(mask.chunks(c)) {
        for row in sample.chunks_mut(c) {
            for (x, k) in row.iter_mut().zip(m) {
                *x *= k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_whole_channels() {
        let (b, s, c) = (40, 7, 50);
        let x = Tensor::new("t", [b, s, c].into(), (0..b * s * c).map(|i| 1.0 + (i % 13) as f32).collect()).unwrap();
        let rate = 0.3f32;
        let mut l = SpatialDropout1d::new(rate, 4).unwrap();
        assert!(l.build(&[s, c], Init::seeded(0)).is_ok());
        let y = l.forward(x.clone(), Mode::Train { seed: 8, step: 1 }).unwrap();
        let scale = 1.0 / (1.0 - rate);
        let mut dropped = 0;
        for i in 0..b {
            for ch in 0..c {
                let at = |t: usize| (i * s + t) * c + ch;
                let zero = y.data()[at(0)] == 0.0;
                dropped += usize::from(zero);
                for t in 0..s {
                    let want = if zero { 0.0 } else { x.data()[at(t)] * scale };
                    assert_eq!(y.data()[at(t)], want, "sample {i} channel {ch} step {t}");
                }
            }
        }
        let p = dropped as f64 / (b * c) as f64;
        assert!((p - 0.3).abs() < 5.0 * (0.21f64 / (b * c) as f64).sqrt(), "dropped {p}");
        let dx = l.backward(Tensor::new("t", [b, s, c].into(), vec![1.0; b * s * c]).unwrap()).unwrap();
        assert!(dx.data().iter().zip(y.data()).zip(x.data()).all(|((d, yv), xv)| *d * xv == *yv));
    }

    #[test]
    fn shapes_rates_and_inference() {
        let mut l = SpatialDropout1d::new(0.5, 0).unwrap();
        assert!(l.build(&[3], Init::seeded(0)).err().unwrap().to_string().contains("[steps, channels]"));
        let x = Tensor::new("t", [1, 2, 2].into(), vec![1., 2., 3., 4.]).unwrap();
        assert_eq!(l.forward(x.clone(), Mode::Infer).unwrap().data(), x.data());
        assert!(SpatialDropout1d::new(1.0, 0).err().unwrap().to_string().contains("rate must be in [0, 1), got 1"));
        let empty = Tensor::new("t", [0, 2, 2].into(), vec![]).unwrap();
        assert_eq!(l.forward(empty, Mode::Train { seed: 1, step: 0 }).unwrap().size(), 0);
    }
}
