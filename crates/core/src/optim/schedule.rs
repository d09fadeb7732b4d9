//! Learning-rate schedules, with an optional linear warm-up.
//!
//! `t = step − 1` is the number of updates already applied (Keras's `optimizer.iterations`),
//! so the first update (step 1) uses the initial rate. With `η₀` the initial rate:
//! - `Constant(η)`: `η`;
//! - `ExponentialDecay`: `η₀ · rate^(t / decay_steps)` (the exponent floored when
//!   `staircase`) — Keras <https://keras.io/api/optimizers/learning_rate_schedules/exponential_decay/>;
//! - `StepDecay`: `η₀ · drop^⌊t / every⌋`;
//! - `CosineDecay`: `η₀ · ((1 − α)·½(1 + cos(π·min(t, T)/T)) + α)` with `T = decay_steps` —
//!   Keras <https://keras.io/api/optimizers/learning_rate_schedules/cosine_decay/>,
//!   Loshchilov & Hutter <https://arxiv.org/abs/1608.03983>.
//!
//! Warm-up over `W` steps: for `t < W` the rate is `η₀ · (t + 1)/W` (ramping to `η₀`, never
//! a wasted step at rate 0); afterwards the schedule runs on `t − W`, as Keras 3's
//! `CosineDecay(warmup_steps=…)` counts its decay from the end of the warm-up.
//!
//! ```
//! use neurite_core::optim::{LrSchedule, Schedule};
//! let s = LrSchedule { schedule: Schedule::StepDecay { initial: 0.1, drop: 0.5, every: 10 }, warmup_steps: 0 };
//! assert_eq!((s.lr(1), s.lr(10), s.lr(11)), (0.1, 0.1, 0.05));
//! ```

use crate::{bail, Result};
use crate::error::js_number;

/// A schedule without warm-up. `step`s here are 0-based (`t`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    Constant(f32),
    ExponentialDecay { initial: f32, decay_steps: u64, decay_rate: f32, staircase: bool },
    StepDecay { initial: f32, drop: f32, every: u64 },
    CosineDecay { initial: f32, decay_steps: u64, alpha: f32 },
}

impl Schedule {
    /// The rate after `t` updates.
    pub fn at(&self, t: u64) -> f32 {
        let t = t as f64;
        let v = match *self {
            Schedule::Constant(v) => v as f64,
            Schedule::ExponentialDecay { initial, decay_steps, decay_rate, staircase } => {
                let mut e = t / decay_steps.max(1) as f64;
                if staircase {
                    e = e.floor();
                }
                initial as f64 * (decay_rate as f64).powf(e)
            }
            Schedule::StepDecay { initial, drop, every } => initial as f64 * (drop as f64).powf((t / every.max(1) as f64).floor()),
            Schedule::CosineDecay { initial, decay_steps, alpha } => {
                let big_t = decay_steps.max(1) as f64;
                let cosine = 0.5 * (1.0 + (core::f64::consts::PI * t.min(big_t) / big_t).cos());
                initial as f64 * ((1.0 - alpha as f64) * cosine + alpha as f64)
            }
        };
        v as f32
    }
}

/// A schedule with a linear warm-up of `warmup_steps` updates (0 for none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrSchedule {
    pub schedule: Schedule,
    pub warmup_steps: u64,
}

impl LrSchedule {
    /// The public names of the schedule kinds, indexed by ABI id.
    pub const KIND_NAMES: [&'static str; 4] = ["constant", "exponentialDecay", "stepDecay", "cosineDecay"];

    /// The parameters of each kind, in ABI order (`warmupSteps` last; the TS option names,
    /// checked against `ts/schedules.ts` by `test/codes.test.ts`).
    pub const PARAMS: [&'static [&'static str]; 4] = [
        &["learningRate", "warmupSteps"],
        &["initialLearningRate", "decaySteps", "decayRate", "staircase", "warmupSteps"],
        &["initialLearningRate", "drop", "every", "warmupSteps"],
        &["initialLearningRate", "decaySteps", "alpha", "warmupSteps"],
    ];

    /// A constant rate, no warm-up.
    pub fn constant(lr: f32) -> LrSchedule {
        LrSchedule { schedule: Schedule::Constant(lr), warmup_steps: 0 }
    }

    /// The rate of update number `step` (1-based, the step given to `Optimizer::update`;
    /// step 0 is treated as 1).
    pub fn lr(&self, step: u64) -> f32 {
        let t = step.saturating_sub(1);
        let w = self.warmup_steps;
        if t < w {
            (self.schedule.at(0) as f64 * (t + 1) as f64 / w as f64) as f32
        } else {
            self.schedule.at(t - w)
        }
    }

    /// From an ABI id and parameters (steps are integers below 2²⁴, exact in f32):
    /// - 0 `constant`: `[lr, warmup]`
    /// - 1 `exponentialDecay`: `[initial, decay_steps, decay_rate, staircase (0|1), warmup]`
    /// - 2 `stepDecay`: `[initial, drop, every, warmup]`
    /// - 3 `cosineDecay`: `[initial, decay_steps, alpha, warmup]`
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, params: &[f32]) -> Result<LrSchedule> {
        let Some(&name) = Self::KIND_NAMES.get(kind as usize) else {
            bail!("learningRate", "unknown schedule id {kind} (known ids are 0..{})", Self::KIND_NAMES.len());
        };
        let want = Self::PARAMS[kind as usize].len();
        if params.len() != want {
            bail!(name, "takes {want} parameters, got {}", params.len());
        }
        let rate = |i: usize, field: &str| -> Result<f32> {
            let v = params[i];
            if !(v.is_finite() && v >= 0.0) {
                bail!(name, "{field} must be a finite number >= 0, got {v}", v = js_number(v));
            }
            Ok(v)
        };
        let steps = |i: usize, field: &str, min: f32| -> Result<u64> {
            let v = params[i];
            if !(v >= min && v.fract() == 0.0 && v < 16_777_216.0) {
                bail!(name, "{field} must be an integer in [{min}, 2^24), got {v}", min = js_number(min), v = js_number(v));
            }
            Ok(v as u64)
        };
        let schedule = match kind {
            0 => Schedule::Constant(rate(0, "learningRate")?),
            1 => {
                let decay_rate = params[2];
                if !(decay_rate.is_finite() && decay_rate > 0.0) {
                    bail!(name, "decayRate must be a finite number > 0, got {decay_rate}", decay_rate = js_number(decay_rate));
                }
                let staircase = match params[3] {
                    v if v == 0.0 || v == 1.0 => v == 1.0,
                    v => bail!(name, "staircase must be 0 or 1 (false or true), got {v}", v = js_number(v)),
                };
                Schedule::ExponentialDecay { initial: rate(0, "initialLearningRate")?, decay_steps: steps(1, "decaySteps", 1.0)?, decay_rate, staircase }
            }
            2 => {
                let drop = params[1];
                if !(drop.is_finite() && drop > 0.0) {
                    bail!(name, "drop must be a finite number > 0, got {drop}", drop = js_number(drop));
                }
                Schedule::StepDecay { initial: rate(0, "initialLearningRate")?, drop, every: steps(2, "every", 1.0)? }
            }
            _ => {
                let alpha = params[2];
                if !(0.0..=1.0).contains(&alpha) {
                    bail!(name, "alpha must be in [0, 1], got {alpha}", alpha = js_number(alpha));
                }
                Schedule::CosineDecay { initial: rate(0, "initialLearningRate")?, decay_steps: steps(1, "decaySteps", 1.0)?, alpha }
            }
        };
        Ok(LrSchedule { schedule, warmup_steps: steps(want - 1, "warmupSteps", 0.0)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f64) -> bool {
        (a as f64 - b).abs() <= 1e-7 + 1e-6 * b.abs()
    }

    #[test]
    fn known_steps() {
        let e = LrSchedule::from_abi(1, &[0.1, 10.0, 0.5, 0.0, 0.0]).unwrap();
        assert!(close(e.lr(1), 0.1) && close(e.lr(6), 0.1 * 0.5f64.powf(0.5)) && close(e.lr(21), 0.025));
        let s = LrSchedule::from_abi(1, &[0.1, 10.0, 0.5, 1.0, 0.0]).unwrap();
        assert!(close(s.lr(10), 0.1) && close(s.lr(11), 0.05) && close(s.lr(25), 0.025));
        let st = LrSchedule::from_abi(2, &[1.0, 0.1, 3.0, 0.0]).unwrap();
        assert!(close(st.lr(3), 1.0) && close(st.lr(4), 0.1) && close(st.lr(7), 0.01));
        let c = LrSchedule::from_abi(3, &[0.2, 100.0, 0.1, 0.0]).unwrap();
        assert!(close(c.lr(1), 0.2) && close(c.lr(51), 0.2 * (0.9 * 0.5 + 0.1)));
        assert!(close(c.lr(101), 0.02) && close(c.lr(10_000), 0.02));
        assert_eq!(LrSchedule::from_abi(0, &[0.3, 0.0]).unwrap(), LrSchedule::constant(0.3));
    }

    #[test]
    fn warmup_ramps_then_starts_the_schedule() {
        let w = LrSchedule::from_abi(2, &[1.0, 0.5, 2.0, 4.0]).unwrap();
        let got: Vec<f32> = (1..=8).map(|k| w.lr(k)).collect();
        assert_eq!(got, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 0.5, 0.5]);
        assert_eq!(w.lr(0), 0.25);
    }

    #[test]
    fn bad_parameters_are_named() {
        let msg = |k, p: &[f32]| LrSchedule::from_abi(k, p).unwrap_err().to_string();
        assert_eq!(msg(4, &[]), "learningRate: unknown schedule id 4 (known ids are 0..4)");
        assert_eq!(msg(0, &[0.1]), "constant: takes 2 parameters, got 1");
        assert_eq!(msg(0, &[-0.1, 0.0]), "constant: learningRate must be a finite number >= 0, got -0.1");
        assert_eq!(msg(1, &[0.1, 0.0, 0.5, 0.0, 0.0]), "exponentialDecay: decaySteps must be an integer in [1, 2^24), got 0");
        assert_eq!(msg(1, &[0.1, 5.0, 0.0, 0.0, 0.0]), "exponentialDecay: decayRate must be a finite number > 0, got 0");
        assert_eq!(msg(2, &[0.1, 0.5, 2.5, 0.0]), "stepDecay: every must be an integer in [1, 2^24), got 2.5");
        assert_eq!(msg(3, &[0.1, 5.0, 2.0, 0.0]), "cosineDecay: alpha must be in [0, 1], got 2");
        assert_eq!(msg(3, &[0.1, 5.0, 0.0, -1.0]), "cosineDecay: warmupSteps must be an integer in [0, 2^24), got -1");
    }
}
