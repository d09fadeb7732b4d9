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
//!
//! - `varianceScaling(scale, mode, distribution)`: with `fan` the mode's fan (`fan_in`,
//!   `fan_out` or their mean, at least 1) and `v = scale / fan`: `uniform` U(−l, l),
//!   l = √(3v); `normal` and `truncatedNormal` truncated N(0, √v / 0.879 625 661 034 239 78)
//!   (Keras 3's, whose `"normal"` means `"truncated_normal"`); `untruncatedNormal` N(0, √v).
//!   With its defaults (1, `fanIn`, `normal`) it is `lecunNormal`, bit for bit.
//! - `orthogonal(gain)` (Keras 3's `Orthogonal`, as TF.js's): the weight flattened to
//!   `rows = prod(shape[:-1])`, `cols = shape[-1]`; a standard normal `[max, min]` draw, its QR
//!   ([`crate::linalg::qr::householder`]), `Q` times `sign(diag(R))` (the QR with a positive
//!   diagonal, whatever the reflections' signs), transposed when `rows < cols`, times `gain`.
//!   A weight of rank < 2 is an error.
//! - `identity(gain)`: `gain · I` for a square 2-D weight only (TF.js's rule; Keras 3 also
//!   takes a rectangular one).

use crate::rng::Philox;
use crate::{bail, Result};
use crate::error::{ints, js_number};

/// Std of a standard normal truncated to [−2, 2] (Keras 3's 0.87962566103423978).
const TRUNC_STD: f32 = 0.879_625_66;

/// Which fan a variance-scaling initializer divides its scale by (ABI: the index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanMode {
    FanIn,
    FanOut,
    FanAvg,
}

/// A variance-scaling initializer's distribution (ABI: the index). `Normal` and
/// `TruncatedNormal` draw alike (Keras 3's meaning of both); they are kept apart so that a
/// saved config keeps its spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distribution {
    Normal,
    Uniform,
    TruncatedNormal,
    UntruncatedNormal,
}

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
    Orthogonal { gain: f32 },
    VarianceScaling { scale: f32, mode: FanMode, distribution: Distribution },
    Identity { gain: f32 },
}

impl Initializer {
    /// ABI kind ids = index.
    pub const KIND_NAMES: [&'static str; 15] = [
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
        "orthogonal",
        "varianceScaling",
        "identity",
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
            12 => Initializer::Orthogonal { gain: get(0, 1.0) },
            13 => {
                // p0 the scale, p1 `mode + 3 · distribution`.
                let (scale, code) = (get(0, 1.0), get(1, 0.0));
                if !(scale >= 0.0) {
                    bail!(OP, "varianceScaling's scale must be >= 0, got {v}", v = js_number(scale));
                }
                let modes = [FanMode::FanIn, FanMode::FanOut, FanMode::FanAvg];
                let dists = [Distribution::Normal, Distribution::Uniform, Distribution::TruncatedNormal, Distribution::UntruncatedNormal];
                if code.fract() != 0.0 || !(0.0..12.0).contains(&code) {
                    bail!(OP, "varianceScaling's mode and distribution code must be an integer in [0, 12), got {v}", v = js_number(code));
                }
                let c = code as usize;
                Initializer::VarianceScaling { scale, mode: modes[c % 3], distribution: dists[c / 3] }
            }
            14 => Initializer::Identity { gain: get(0, 1.0) },
            _ => bail!(OP, "unknown initializer id {kind}"),
        })
    }

    /// Whether this initializer can fill a weight of shape `shape` (`orthogonal`: rank >= 2;
    /// `identity`: a square matrix), else an error naming `op`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_shape(&self, op: &'static str, shape: &[usize]) -> Result<()> {
        match self {
            Initializer::Orthogonal { .. } if shape.len() < 2 => {
                bail!(op, "the orthogonal initializer needs a weight of rank >= 2, got a weight of shape {s}", s = ints(shape))
            }
            Initializer::Identity { .. } if shape.len() != 2 || shape[0] != shape[1] => {
                bail!(op, "the identity initializer needs a square 2-D weight (TF.js's rule), got a weight of shape {s}", s = ints(shape))
            }
            _ => Ok(()),
        }
    }

    /// Fills `out`, a weight of shape `shape` with the given fans, from stream `stream` of
    /// `seed`. `op` names the layer in an error: `orthogonal` on a weight of rank < 2,
    /// `identity` on one that is not a square matrix, or no memory for `orthogonal`'s QR.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn fill(&self, op: &'static str, out: &mut [f32], shape: &[usize], fan_in: usize, fan_out: usize, seed: u64, stream: u32) -> Result<()> {
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
            Initializer::VarianceScaling { scale, mode, distribution } => {
                let fan = match mode {
                    FanMode::FanIn => fi,
                    FanMode::FanOut => fo,
                    FanMode::FanAvg => ((fan_in as f32 + fan_out as f32) / 2.0).max(1.0),
                };
                // `(1 / fan).sqrt()` for scale 1, as lecunNormal computes it (the same bits).
                let v = scale / fan;
                match distribution {
                    Distribution::Uniform => {
                        let l = (3.0 * v).sqrt();
                        uniform(out, &mut rng, -l, l)
                    }
                    Distribution::Normal | Distribution::TruncatedNormal => truncated(out, &mut rng, 0.0, v.sqrt() / TRUNC_STD),
                    Distribution::UntruncatedNormal => {
                        let sd = v.sqrt();
                        for o in out.iter_mut() {
                            *o = sd * rng.normal_f32();
                        }
                    }
                }
            }
            Initializer::Orthogonal { gain } => orthogonal(op, out, shape, gain, &mut rng)?,
            Initializer::Identity { gain } => {
                self.check_shape(op, shape)?;
                out.fill(0.0);
                for i in 0..shape[0] {
                    out[i * shape[0] + i] = gain;
                }
            }
        }
        Ok(())
    }
}

/// `orthogonal(gain)` into `out` (shape `shape`); see the module doc.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn orthogonal(op: &'static str, out: &mut [f32], shape: &[usize], gain: f32, rng: &mut Philox) -> Result<()> {
    Initializer::Orthogonal { gain }.check_shape(op, shape)?;
    let Some((&cols, lead)) = shape.split_last() else { return Ok(()) };
    let rows: usize = lead.iter().product();
    let (big, small) = (rows.max(cols), rows.min(cols));
    if small == 0 {
        return Ok(());
    }
    let mut a = crate::tensor::try_vec(op, big * small, 0f64)?;
    for v in a.iter_mut() {
        *v = rng.normal_f32() as f64;
    }
    let q = crate::linalg::qr::householder(&mut a, big, small, small)?;
    // `a` is R now: the sign of its diagonal makes the factorisation unique.
    let sign = |j: usize| {
        let d = a[j * small + j];
        if d > 0.0 { 1.0 } else if d < 0.0 { -1.0 } else { 0.0 }
    };
    for i in 0..big {
        for j in 0..small {
            let v = (q[i * small + j] * sign(j)) as f32 * gain;
            // Q is [big, small]: as is when rows >= cols, else transposed into [rows, cols].
            if rows >= cols {
                out[i * cols + j] = v;
            } else {
                out[j * cols + i] = v;
            }
        }
    }
    Ok(())
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
        let z = || crate::Tensor::zeros("t", [3, 4].into()).unwrap();
        let (mut a, mut b, mut c) = (z(), z(), z());
        Init::seeded(1).fill("t", &w, &mut a, 3, 4, 0).unwrap();
        Init::seeded(2).fill("t", &w, &mut b, 3, 4, 1).unwrap();
        assert_eq!(a.data(), b.data());
        Initializer::GlorotUniform.fill("t", c.data_mut(), &[3, 4], 3, 4, seed, 0).unwrap();
        assert_eq!(a.data(), c.data());
        // Without a seed: the layer's seed and the weight's stream, as before.
        let plain = Reader::new("t", &[6.0, 0.0, 0.0]).initializer("k").unwrap();
        assert_eq!(plain, WeightInit::from(Initializer::GlorotUniform));
        Init::seeded(1).fill("t", &plain, &mut b, 3, 4, 1).unwrap();
        Initializer::GlorotUniform.fill("t", c.data_mut(), &[3, 4], 3, 4, 1, 1).unwrap();
        assert_eq!(b.data(), c.data());
        assert_ne!(a.data(), b.data());
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
        Initializer::GlorotUniform.fill("t", &mut a, &[30, 20], 30, 20, 7, 0).unwrap();
        Initializer::GlorotUniform.fill("t", &mut b, &[30, 20], 30, 20, 7, 0).unwrap();
        assert_eq!(a, b);
        let l = (6.0f32 / 50.0).sqrt();
        assert!(a.iter().all(|v| v.abs() <= l));
        let mean: f32 = a.iter().sum::<f32>() / 1000.0;
        assert!(mean.abs() < 0.03);
        Initializer::GlorotUniform.fill("t", &mut b, &[30, 20], 30, 20, 8, 0).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn he_normal_variance() {
        let mut a = vec![0.0; 20000];
        Initializer::HeNormal.fill("t", &mut a, &[2000, 10], 100, 10, 1, 0).unwrap();
        let var: f32 = a.iter().map(|v| v * v).sum::<f32>() / a.len() as f32;
        assert!((var - 0.02).abs() < 0.002, "var {var}");
        assert!(Initializer::from_abi(3, &[1.0, 0.0]).is_err());
        assert!(Initializer::from_abi(99, &[]).is_err());
    }

    #[test]
    fn variance_scaling_defaults_are_lecun_normal_and_every_mode_and_distribution_has_its_variance() {
        let vs = |code: f32, scale: f32| Initializer::from_abi(13, &[scale, code]).unwrap();
        let (mut a, mut b) = (vec![0.0; 4000], vec![0.0; 4000]);
        vs(0.0, 1.0).fill("t", &mut a, &[40, 100], 40, 100, 5, 2).unwrap();
        Initializer::LecunNormal.fill("t", &mut b, &[40, 100], 40, 100, 5, 2).unwrap();
        assert_eq!(a, b);
        // Variance scale / fan for every mode and distribution (fans 50 and 200, scale 2).
        let mut big = vec![0.0f32; 40000];
        for code in 0..12 {
            let fan = [50.0, 200.0, 125.0][code % 3];
            vs(code as f32, 2.0).fill("t", &mut big, &[200, 200], 50, 200, 9, 0).unwrap();
            let n = big.len() as f64;
            let mean = big.iter().map(|&v| v as f64).sum::<f64>() / n;
            let var = big.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
            let want = 2.0 / fan;
            // Within 5 % (the sample variance of 40 000 draws has a relative sd under 1.5 %).
            assert!((var / want - 1.0).abs() < 0.05, "code {code}: var {var}, want {want}");
            let bound = big.iter().fold(0f32, |m, v| m.max(v.abs())) as f64;
            match code / 3 {
                1 => assert!(bound <= (3.0 * want).sqrt() + 1e-6),
                0 | 2 => assert!(bound <= 2.0 * want.sqrt() / 0.879_625_66 + 1e-5),
                _ => assert!(bound > 2.0 * want.sqrt() / 0.879_625_66),
            }
        }
        assert!(Initializer::from_abi(13, &[-1.0, 0.0]).is_err());
        assert!(Initializer::from_abi(13, &[0.0, 0.0]).is_ok());
        assert!(Initializer::from_abi(13, &[1.0, 12.0]).is_err());
        assert!(Initializer::from_abi(13, &[1.0, 0.5]).is_err());
    }

    #[test]
    fn orthogonal_is_orthogonal_seeded_and_refuses_rank_one() {
        let o = Initializer::from_abi(12, &[1.5]).unwrap();
        for shape in [&[3usize, 5][..], &[5, 3], &[2, 3, 4], &[1, 1], &[0, 3], &[3, 0], &[64, 64]] {
            let n: usize = shape.iter().product();
            let (mut a, mut b) = (vec![0.0f32; n], vec![0.0f32; n]);
            o.fill("t", &mut a, shape, 1, 1, 3, 0).unwrap();
            o.fill("t", &mut b, shape, 1, 1, 3, 0).unwrap();
            assert_eq!(a, b);
            let cols = shape[shape.len() - 1];
            let rows = n / cols.max(1);
            // The rows (wide) or the columns (tall) are orthonormal, times gain².
            let (k, len, at): (usize, usize, Box<dyn Fn(usize, usize) -> f32>) = if rows >= cols {
                (cols, rows, Box::new(|v, i| a[i * cols + v]))
            } else {
                (rows, cols, Box::new(|v, i| a[v * cols + i]))
            };
            for u in 0..k {
                for v in 0..k {
                    let d: f32 = (0..len).map(|i| at(u, i) * at(v, i)).sum();
                    let want = if u == v { 2.25 } else { 0.0 };
                    assert!((d - want).abs() < 1e-5 * 2.25, "{shape:?}: <{u}, {v}> = {d}");
                }
            }
        }
        let e = o.fill("dense", &mut [0.0; 3], &[3], 3, 3, 1, 0).unwrap_err().to_string();
        assert_eq!(e, "dense: the orthogonal initializer needs a weight of rank >= 2, got a weight of shape [3]");
        let id = Initializer::from_abi(14, &[2.0]).unwrap();
        let mut m = [9.0f32; 4];
        id.fill("t", &mut m, &[2, 2], 2, 2, 1, 0).unwrap();
        assert_eq!(m, [2.0, 0.0, 0.0, 2.0]);
        let e = id.fill("dense", &mut [0.0; 6], &[2, 3], 2, 3, 1, 0).unwrap_err().to_string();
        assert_eq!(e, "dense: the identity initializer needs a square 2-D weight (TF.js's rule), got a weight of shape [2, 3]");
    }
}
