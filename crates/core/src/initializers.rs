//! Weight initializers, all seeded: the same seed gives the same bits on every runtime.
//!
//! Keras definitions (https://keras.io/api/layers/initializers/): with `fan_in`/`fan_out` the
//! input/output sizes of a kernel,
//! - `glorotUniform`: U(−l, l), l = √(6 / (fan_in + fan_out))  (the Keras kernel default)
//! - `glorotNormal`: truncated N(0, σ), σ = √(2 / (fan_in + fan_out)) / 0.8796
//! - `heUniform`: l = √(6 / fan_in); `heNormal`: σ = √(2 / fan_in) / 0.8796 (truncated)
//! - `lecunUniform`: l = √(3 / fan_in); `lecunNormal`: σ = √(1 / fan_in) / 0.8796 (truncated)
//!
//! The 0.8796 (= std of a standard normal truncated at ±2) keeps the variance after truncation.

use crate::rng::Philox;
use crate::{bail, Result};
use crate::error::js_number;

/// Std of a standard normal truncated to [−2, 2].
const TRUNC_STD: f32 = 0.879_625_66;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Initializer {
    Zeros,
    Ones,
    Constant(f32),
    RandomUniform { min: f32, max: f32 },
    RandomNormal { mean: f32, stddev: f32 },
    TruncatedNormal { mean: f32, stddev: f32 },
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
}

impl Initializer {
    /// ABI kind ids = index.
    pub const KIND_NAMES: [&'static str; 12] = [
        "zeros",
        "ones",
        "constant",
        "randomUniform",
        "randomNormal",
        "truncatedNormal",
        "glorotUniform",
        "glorotNormal",
        "heUniform",
        "heNormal",
        "lecunUniform",
        "lecunNormal",
    ];

    /// From an ABI kind id and up to two parameters.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, p: &[f32]) -> Result<Initializer> {
        const OP: &str = "initializer";
        let get = |i: usize, default: f32| p.get(i).copied().unwrap_or(default);
        for (i, v) in p.iter().enumerate() {
            if !v.is_finite() {
                bail!(OP, "parameter {i} must be finite, got {v}", v = js_number(*v));
            }
        }
        Ok(match kind {
            0 => Initializer::Zeros,
            1 => Initializer::Ones,
            2 => Initializer::Constant(get(0, 0.0)),
            3 => {
                let (min, max) = (get(0, -0.05), get(1, 0.05));
                if min >= max {
                    bail!(OP, "randomUniform needs minval < maxval, got {min} and {max}", min = js_number(min), max = js_number(max));
                }
                Initializer::RandomUniform { min, max }
            }
            4 | 5 => {
                let (mean, stddev) = (get(0, 0.0), get(1, 0.05));
                if stddev < 0.0 {
                    bail!(OP, "stddev must be >= 0, got {stddev}", stddev = js_number(stddev));
                }
                if kind == 4 {
                    Initializer::RandomNormal { mean, stddev }
                } else {
                    Initializer::TruncatedNormal { mean, stddev }
                }
            }
            6 => Initializer::GlorotUniform,
            7 => Initializer::GlorotNormal,
            8 => Initializer::HeUniform,
            9 => Initializer::HeNormal,
            10 => Initializer::LecunUniform,
            11 => Initializer::LecunNormal,
            _ => bail!(OP, "unknown initializer id {kind}"),
        })
    }

    /// Fills `out` for a weight with the given fans, from stream `stream` of `seed`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fill(&self, out: &mut [f32], fan_in: usize, fan_out: usize, seed: u64, stream: u32) {
        let (fi, fo) = (fan_in.max(1) as f32, fan_out.max(1) as f32);
        let mut rng = Philox::new(seed, stream);
        let uniform = |out: &mut [f32], rng: &mut Philox, lo: f32, hi: f32| {
            for v in out.iter_mut() {
                *v = lo + (hi - lo) * rng.uniform_f32();
            }
        };
        let truncated = |out: &mut [f32], rng: &mut Philox, mean: f32, sd: f32| {
            for v in out.iter_mut() {
                let z = loop {
                    let z = rng.normal_f32();
                    if z.abs() <= 2.0 {
                        break z;
                    }
                };
                *v = mean + sd * z;
            }
        };
        match *self {
            Initializer::Zeros => out.fill(0.0),
            Initializer::Ones => out.fill(1.0),
            Initializer::Constant(c) => out.fill(c),
            Initializer::RandomUniform { min, max } => uniform(out, &mut rng, min, max),
            Initializer::RandomNormal { mean, stddev } => {
                for v in out.iter_mut() {
                    *v = mean + stddev * rng.normal_f32();
                }
            }
            Initializer::TruncatedNormal { mean, stddev } => truncated(out, &mut rng, mean, stddev),
            Initializer::GlorotUniform => {
                let l = (6.0 / (fi + fo)).sqrt();
                uniform(out, &mut rng, -l, l)
            }
            Initializer::GlorotNormal => truncated(out, &mut rng, 0.0, (2.0 / (fi + fo)).sqrt() / TRUNC_STD),
            Initializer::HeUniform => {
                let l = (6.0 / fi).sqrt();
                uniform(out, &mut rng, -l, l)
            }
            Initializer::HeNormal => truncated(out, &mut rng, 0.0, (2.0 / fi).sqrt() / TRUNC_STD),
            Initializer::LecunUniform => {
                let l = (3.0 / fi).sqrt();
                uniform(out, &mut rng, -l, l)
            }
            Initializer::LecunNormal => truncated(out, &mut rng, 0.0, (1.0 / fi).sqrt() / TRUNC_STD),
        }
    }
}

/// A weight's initializer with TF.js's optional per-initializer `seed`. With a seed, the draws
/// come from that seed alone (stream 0 of the Philox key `seed`), whatever the model's seed and
/// the weight's place in it: the same seeded initializer gives the same values in any model, and
/// to every weight of one shape it fills, as TF.js's (`randomUniform(shape, lo, hi, dtype,
/// seed)` starts again from `seed` on each call) and Keras 3's (an int seed draws the same
/// values on each call). Without one, the weight's stream of its layer's seed (derived from the
/// model's seed, see [`crate::layers::Init`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightInit {
    pub kind: Initializer,
    pub seed: Option<u64>,
}

impl WeightInit {
    /// The flag added to an initializer's ABI kind id when a seed follows it (see
    /// [`crate::config::Reader::initializer`]; `SEEDED` in `ts/layers/initializers.ts`).
    pub const SEEDED: u32 = 1 << 8;
}

impl From<Initializer> for WeightInit {
    fn from(kind: Initializer) -> WeightInit {
        WeightInit { kind, seed: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[kind + SEEDED, p0, p1, s0, s1, s2]` reads the seed `s0 + s1·2²² + s2·2⁴⁴`, and the
    /// weight is drawn from it alone: the layer's seed and the weight's stream do not matter.
    #[test]
    fn a_seeded_initializer_draws_from_its_own_seed() {
        use crate::config::Reader;
        use crate::layers::Init;
        let seed = (5u64 << 44) | (3 << 22) | 7;
        let w = Reader::new("t", &[6.0 + 256.0, 0.0, 0.0, 7.0, 3.0, 5.0]).initializer("k").unwrap();
        assert_eq!(w, WeightInit { kind: Initializer::GlorotUniform, seed: Some(seed) });
        let (mut a, mut b, mut c) = ([0.0f32; 12], [0.0f32; 12], [0.0f32; 12]);
        Init::seeded(1).fill(&w, &mut a, 3, 4, 0);
        Init::seeded(2).fill(&w, &mut b, 3, 4, 1);
        assert_eq!(a, b);
        Initializer::GlorotUniform.fill(&mut c, 3, 4, seed, 0);
        assert_eq!(a, c);
        // Without a seed: the layer's seed and the weight's stream, as before.
        let plain = Reader::new("t", &[6.0, 0.0, 0.0]).initializer("k").unwrap();
        assert_eq!(plain, WeightInit::from(Initializer::GlorotUniform));
        Init::seeded(1).fill(&plain, &mut b, 3, 4, 1);
        Initializer::GlorotUniform.fill(&mut c, 3, 4, 1, 1);
        assert_eq!(b, c);
        assert_ne!(a, b);
        // The top word has 20 bits, the others 22; a missing word is named.
        let e = Reader::new("t", &[262.0, 0.0, 0.0, 0.0, 0.0, 1048576.0]).initializer("k").unwrap_err().to_string();
        assert_eq!(e, "t: `k` has a malformed seed (words of 22, 22 and 20 bits), got 1048576");
        assert!(Reader::new("t", &[262.0, 0.0, 0.0, 4194303.0, 4194303.0, 1048575.0]).initializer("k").is_ok());
        assert!(Reader::new("t", &[262.0, 0.0, 0.0, 4194304.0, 0.0, 0.0]).initializer("k").is_err());
        assert!(Reader::new("t", &[262.0, 0.0, 0.0, 0.5, 0.0, 0.0]).initializer("k").is_err());
        let e = Reader::new("t", &[262.0, 0.0, 0.0, 1.0]).initializer("k").unwrap_err().to_string();
        assert!(e.contains("missing `k`"), "{e}");
    }

    #[test]
    fn glorot_uniform_bounds_and_determinism() {
        let mut a = vec![0.0; 1000];
        let mut b = vec![0.0; 1000];
        Initializer::GlorotUniform.fill(&mut a, 30, 20, 7, 0);
        Initializer::GlorotUniform.fill(&mut b, 30, 20, 7, 0);
        assert_eq!(a, b);
        let l = (6.0f32 / 50.0).sqrt();
        assert!(a.iter().all(|v| v.abs() <= l));
        let mean: f32 = a.iter().sum::<f32>() / 1000.0;
        assert!(mean.abs() < 0.03);
        Initializer::GlorotUniform.fill(&mut b, 30, 20, 8, 0);
        assert_ne!(a, b);
    }

    #[test]
    fn he_normal_variance() {
        let mut a = vec![0.0; 20000];
        Initializer::HeNormal.fill(&mut a, 100, 10, 1, 0);
        let var: f32 = a.iter().map(|v| v * v).sum::<f32>() / a.len() as f32;
        assert!((var - 0.02).abs() < 0.002, "var {var}");
        assert!(Initializer::from_abi(3, &[1.0, 0.0]).is_err());
        assert!(Initializer::from_abi(99, &[]).is_err());
    }
}
