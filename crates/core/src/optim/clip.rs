//! Gradient clipping (Keras's `clipvalue`, `clipnorm` and `global_clipnorm` options,
//! <https://keras.io/api/optimizers/#base-optimizer-class>).
//!
//! - by value: `g ← clip(g, −c, c)` element-wise;
//! - by norm (per gradient, Keras `clipnorm`): `g ← g · c / max(‖g‖₂, c)`;
//! - by global norm (all gradients together, Keras `global_clipnorm`, TF
//!   `clip_by_global_norm`): with `N = √(Σ_i ‖g_i‖₂²)`, every `g_i ← g_i · c / max(N, c)`.
//!
//! Per-gradient norm clipping is [`clip_by_global_norm`] on a one-element list.
//! NOTE: a non-finite norm (a gradient with NaN or ±∞) leaves the gradients unchanged, so the
//! caller's finiteness check reports the real problem instead of a silent rescale.
//!
//! ```
//! use neurite_core::optim::{clip_by_global_norm, global_norm};
//! let (mut a, mut b) = ([3.0f32], [4.0f32]);
//! assert_eq!(global_norm(&[&a, &b]), 5.0);
//! clip_by_global_norm(&mut [&mut a, &mut b], 1.0);
//! assert_eq!((a[0], b[0]), (0.6, 0.8));
//! ```

use crate::{bail, Result};
use crate::error::js_number;

/// `g ← clip(g, −clip, clip)`. NaN stays NaN.
pub fn clip_by_value(grads: &mut [f32], clip: f32) {
    for g in grads {
        // NOTE: comparisons rather than clamp (which panics on a NaN bound) or max/min (which
        // would turn a NaN gradient into −clip and hide it).
        if *g > clip {
            *g = clip;
        } else if *g < -clip {
            *g = -clip;
        }
    }
}

/// `√(Σ_i Σ_j g_ij²)` over all gradients, accumulated in f64 (∞ when it is beyond f32).
pub fn global_norm(grads: &[&[f32]]) -> f32 {
    norm_f64(grads.iter().copied()) as f32
}

/// The global norm in f64: finite for any finite gradients (f32's largest squared is ~1e77).
fn norm_f64<'a>(grads: impl Iterator<Item = &'a [f32]>) -> f64 {
    grads.flat_map(|g| g.iter()).map(|&v| (v as f64) * (v as f64)).sum::<f64>().sqrt()
}

/// Rescales all gradients together so that their global norm is at most `max_norm`.
/// NOTE: a norm beyond f32 (finite values around 1e38, the explosion clipping is for) is
/// rescaled in f64: cast to f32 it was ∞ and the gradients passed unclipped. A norm within f32
/// keeps the f32 scale (the bits pinned in test/fixtures/optimizer-step-bits.json).
pub fn clip_by_global_norm(grads: &mut [&mut [f32]], max_norm: f32) {
    let wide = norm_f64(grads.iter().map(|g| &**g));
    let norm = wide as f32;
    if norm.is_finite() {
        if norm > max_norm {
            let scale = max_norm / norm;
            grads.iter_mut().for_each(|g| g.iter_mut().for_each(|v| *v *= scale));
        }
    } else if wide.is_finite() {
        let scale = max_norm as f64 / wide;
        grads.iter_mut().for_each(|g| g.iter_mut().for_each(|v| *v = (*v as f64 * scale) as f32));
    }
}

/// A clipping mode, as the optimizer options carry it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// Keras `clipvalue`.
    Value(f32),
    /// Keras `clipnorm`: each gradient separately.
    Norm(f32),
    /// Keras `global_clipnorm`: all gradients of a step together.
    GlobalNorm(f32),
}

impl Clip {
    /// The clipping modes, indexed by ABI id (append-only): 0 is none. Checked against
    /// `ts/optimizers.ts` by `test/codes.test.ts`.
    pub const MODE_NAMES: [&'static str; 4] = ["none", "clipValue", "clipNorm", "globalClipNorm"];

    /// From ABI `mode` (0 none, 1 value, 2 norm, 3 global norm) and its threshold (> 0).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(mode: u32, value: f32) -> Result<Option<Clip>> {
        let name = match mode {
            0 => return Ok(None),
            1..=3 => Clip::MODE_NAMES[mode as usize],
            _ => bail!("optimizer", "unknown clipping mode {mode} (0 none, 1 clipValue, 2 clipNorm, 3 globalClipNorm)"),
        };
        if !(value.is_finite() && value > 0.0) {
            bail!("optimizer", "{name} must be a finite number > 0, got {value}", value = js_number(value));
        }
        Ok(Some(match mode {
            1 => Clip::Value(value),
            2 => Clip::Norm(value),
            _ => Clip::GlobalNorm(value),
        }))
    }

    /// Clips the gradients of one step in place.
    pub fn apply(&self, grads: &mut [&mut [f32]]) {
        match *self {
            Clip::Value(c) => grads.iter_mut().for_each(|g| clip_by_value(g, c)),
            Clip::Norm(c) => grads.iter_mut().for_each(|g| clip_by_global_norm(&mut [&mut **g], c)),
            Clip::GlobalNorm(c) => clip_by_global_norm(grads, c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_value() {
        let mut g = [-3.0, -0.5, 0.0, 2.0, f32::NAN];
        clip_by_value(&mut g, 1.0);
        assert_eq!(g[..4], [-1.0, -0.5, 0.0, 1.0]);
        assert!(g[4].is_nan());
    }

    #[test]
    fn by_norm_and_global_norm() {
        let (mut a, mut b) = ([3.0f32, 0.0], [0.0f32, 4.0]);
        Clip::Norm(1.0).apply(&mut [&mut a, &mut b]);
        assert_eq!((a, b), ([1.0, 0.0], [0.0, 1.0]));
        let (mut a, mut b) = ([3.0f32, 0.0], [0.0f32, 4.0]);
        Clip::GlobalNorm(10.0).apply(&mut [&mut a, &mut b]);
        assert_eq!((a, b), ([3.0, 0.0], [0.0, 4.0]), "under the threshold: unchanged");
        Clip::GlobalNorm(2.5).apply(&mut [&mut a, &mut b]);
        assert_eq!((a, b), ([1.5, 0.0], [0.0, 2.0]));
        let mut c = [f32::INFINITY, 1.0];
        clip_by_global_norm(&mut [&mut c], 1.0);
        assert_eq!(c[1], 1.0, "a non-finite norm leaves the gradients alone");
        assert_eq!(global_norm(&[]), 0.0);
    }

    #[test]
    fn a_norm_beyond_f32_is_still_clipped() {
        // ‖[2.5e38, 2.5e38]‖ = 3.54e38 > f32::MAX: every value finite, the norm not in f32.
        let mut g = [2.5e38f32, 2.5e38];
        assert_eq!(global_norm(&[&g]), f32::INFINITY);
        clip_by_global_norm(&mut [&mut g], 1.0);
        assert_eq!(g, [std::f32::consts::FRAC_1_SQRT_2; 2]);
        let (mut a, mut b) = ([3.0e38f32], [-3.0e38f32]);
        Clip::GlobalNorm(2.0).apply(&mut [&mut a, &mut b]);
        assert_eq!((a[0], b[0]), (std::f32::consts::SQRT_2, -std::f32::consts::SQRT_2));
        let mut tiny = [1e-30f32, 1e-30];
        clip_by_global_norm(&mut [&mut tiny], 1.0);
        assert_eq!(tiny, [1e-30, 1e-30], "under the threshold: unchanged");
    }

    #[test]
    fn abi() {
        assert_eq!(Clip::from_abi(0, 0.0).unwrap(), None);
        assert_eq!(Clip::from_abi(3, 2.0).unwrap(), Some(Clip::GlobalNorm(2.0)));
        assert_eq!(Clip::from_abi(1, -1.0).unwrap_err().to_string(), "optimizer: clipValue must be a finite number > 0, got -1");
        assert!(Clip::from_abi(9, 1.0).unwrap_err().to_string().contains("unknown clipping mode 9"));
    }
}
