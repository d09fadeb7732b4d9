//! Optimizers: per-parameter state machines, one file per optimizer, plus learning-rate
//! schedules and gradient clipping. This file is the registry: the [`Optimizer`] enum, its
//! ABI ids and the dispatch.
//!
//! An optimizer knows nothing about models: [`Optimizer::update`] takes one parameter, its
//! gradient and its state (`slots()` floats per element, slot-major: slot `k` of an `n`-element
//! parameter is `state[k·n .. (k+1)·n]`). Formulas and defaults follow TF.js where TF.js has
//! the optimizer (so trajectories match `tf.train.*`) and Keras 3 otherwise; each file cites
//! its source.
//!
//! ```
//! use neurite_core::optim::Optimizer;
//! let adam = Optimizer::from_abi(1, &[0.9, 0.999, 1e-7, 0.0, 0.0]).unwrap();
//! let (mut p, g) = (vec![1.0f32, -1.0], vec![0.5f32, -0.5]);
//! let mut state = vec![0.0; adam.slots() * p.len()];
//! adam.init_state(&mut state);
//! adam.update(1, 0.1, true, &mut p, &g, &mut state);
//! assert!((p[0] - 0.9).abs() < 1e-5 && (p[1] + 0.9).abs() < 1e-5);
//! ```
//!
//! # Subnormal state is flushed to zero
//! A running average that only decays (Adam's `m` and `v`, momentum, RMSProp's averages) of a
//! weight whose gradient stays 0 — the weights of an always-black MNIST border pixel — falls
//! into float32's subnormal range after some 750 Adam steps and then sticks at the smallest
//! subnormal (`0.9 × 2⁻¹⁴⁹` rounds back up). Subnormal arithmetic is slow on x86 and ARM (and
//! WebAssembly cannot turn on the CPU's flush-to-zero mode), so a training step became 2.5×
//! slower after ~700 steps. The optimizers therefore store state values below
//! [`f32::MIN_POSITIVE`] (1.18e-38) in magnitude as 0, with [`flush`], as XLA does on CPU
//! (Keras/JAX, TensorFlow). The weights do not change: such a value moves a weight by at most
//! `η · 1.2e-38 / ε` (1.2e-34 for Adam's defaults), below the rounding of any weight larger in
//! magnitude than about 1e-27. TF.js keeps the subnormals (and slows down).

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod adamw;
pub mod clip;
pub mod rmsprop;
pub mod schedule;
pub mod sgd;
pub mod weight_decay;

pub use clip::{clip_by_global_norm, clip_by_value, global_norm, Clip};
pub use schedule::{LrSchedule, Schedule};

use crate::parallel::{self, SharedMut};
use crate::{bail, Result};
use crate::error::js_number;

/// An optimizer and its hyper-parameters (the learning rate comes with each update, from an
/// [`LrSchedule`]). Ids (the order of [`Optimizer::KIND_NAMES`]) are the ABI: append-only.
#[derive(Clone, Debug, PartialEq)]
pub enum Optimizer {
    Sgd { momentum: f32, nesterov: bool, weight_decay: f32 },
    Adam { beta1: f32, beta2: f32, epsilon: f32, amsgrad: bool, weight_decay: f32 },
    AdamW { beta1: f32, beta2: f32, epsilon: f32, weight_decay: f32, amsgrad: bool },
    RmsProp { rho: f32, momentum: f32, epsilon: f32, centered: bool, weight_decay: f32 },
    Adagrad { initial_accumulator: f32, epsilon: f32, weight_decay: f32 },
    Adamax { beta1: f32, beta2: f32, epsilon: f32, decay: f32, weight_decay: f32 },
    Adadelta { rho: f32, epsilon: f32, weight_decay: f32 },
}

impl Optimizer {
    /// The public names, indexed by ABI id.
    pub const KIND_NAMES: [&'static str; 7] = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "adadelta"];

    /// The parameter names of each kind, in ABI order (the TS option names; checked against
    /// `ts/optimizers.ts` by `test/codes.test.ts`).
    pub const PARAMS: [&'static [&'static str]; 7] = [
        &["momentum", "nesterov", "weightDecay"],
        &["beta1", "beta2", "epsilon", "amsgrad", "weightDecay"],
        &["beta1", "beta2", "epsilon", "weightDecay", "amsgrad"],
        &["rho", "momentum", "epsilon", "centered", "weightDecay"],
        &["initialAccumulatorValue", "epsilon", "weightDecay"],
        &["beta1", "beta2", "epsilon", "decay", "weightDecay"],
        &["rho", "epsilon", "weightDecay"],
    ];

    /// The ABI id.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn kind(&self) -> u32 {
        match self {
            Optimizer::Sgd { .. } => 0,
            Optimizer::Adam { .. } => 1,
            Optimizer::AdamW { .. } => 2,
            Optimizer::RmsProp { .. } => 3,
            Optimizer::Adagrad { .. } => 4,
            Optimizer::Adamax { .. } => 5,
            Optimizer::Adadelta { .. } => 6,
        }
    }

    /// The public (TS) name.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(&self) -> &'static str {
        Optimizer::KIND_NAMES[self.kind() as usize]
    }

    /// An optimizer from its ABI id and parameters:
    /// - 0 `sgd`: `[momentum (in [0, 1]), nesterov (0|1), weight_decay (≥ 0)]`
    /// - 1 `adam`: `[beta1, beta2 (in [0, 1)), epsilon (≥ 0), amsgrad (0|1), weight_decay]`
    /// - 2 `adamw`: `[beta1, beta2, epsilon, weight_decay (≥ 0), amsgrad (0|1)]`
    /// - 3 `rmsprop`: `[rho (in [0, 1)), momentum (in [0, 1]), epsilon, centered (0|1), weight_decay]`
    /// - 4 `adagrad`: `[initial_accumulator (≥ 0), epsilon, weight_decay]`
    /// - 5 `adamax`: `[beta1, beta2 (in [0, 1)), epsilon (> 0), decay (≥ 0), weight_decay]`
    /// - 6 `adadelta`: `[rho (in [0, 1)), epsilon (> 0), weight_decay]`
    ///
    /// Every optimizer's `weight_decay` (finite, ≥ 0) is the decoupled decay of
    /// [`weight_decay`] (Keras 3's base `Optimizer`), applied by [`Optimizer::update`].
    ///
    /// A zero accumulator with a zero epsilon (adagrad), and a zero epsilon for Adam, AdamW,
    /// RMSProp, Adamax and Adadelta, are rejected: an update could divide zero by zero (TF.js
    /// and Keras take it and write NaN into a weight whose gradient is zero).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, params: &[f32]) -> Result<Optimizer> {
        let Some(&name) = Optimizer::KIND_NAMES.get(kind as usize) else {
            bail!("optimizer", "unknown optimizer id {kind} (known ids are 0..{})", Optimizer::KIND_NAMES.len());
        };
        let want = Optimizer::PARAMS[kind as usize].len();
        if params.len() != want {
            bail!(name, "takes {want} parameters, got {}", params.len());
        }
        let unit = |i: usize, field: &str, closed: bool| -> Result<f32> {
            let v = params[i];
            if !(v >= 0.0 && (v < 1.0 || (closed && v == 1.0))) {
                bail!(name, "{field} must be in [0, 1{}, got {v}", if closed { "]" } else { ")" }, v = js_number(v));
            }
            Ok(v)
        };
        let nonneg = |i: usize, field: &str| -> Result<f32> {
            let v = params[i];
            if !(v.is_finite() && v >= 0.0) {
                bail!(name, "{field} must be a finite number >= 0, got {v}", v = js_number(v));
            }
            Ok(v)
        };
        // epsilon (parameter i), > 0: without it `what` is 0 / 0 at a zero gradient.
        let positive = |i: usize, what: &str| -> Result<f32> {
            let v = nonneg(i, "epsilon")?;
            if v == 0.0 {
                bail!(name, "epsilon must be > 0 ({what} would be 0 / 0 at a zero gradient), got 0");
            }
            Ok(v)
        };
        let flag = |i: usize, field: &str| -> Result<bool> {
            match params[i] {
                v if v == 0.0 || v == 1.0 => Ok(v == 1.0),
                v => bail!(name, "{field} must be 0 or 1 (false or true), got {v}", v = js_number(v)),
            }
        };
        // The decay is last in every list but AdamW's (which had it first, in Keras's order).
        let weight_decay = nonneg(if kind == 2 { 3 } else { want - 1 }, "weightDecay")?;
        Ok(match kind {
            0 => Optimizer::Sgd { momentum: unit(0, "momentum", true)?, nesterov: flag(1, "nesterov")?, weight_decay },
            1 => Optimizer::Adam {
                beta1: unit(0, "beta1", false)?,
                beta2: unit(1, "beta2", false)?,
                epsilon: positive(2, "m̂ / (√v̂ + ε)")?,
                amsgrad: flag(3, "amsgrad")?,
                weight_decay,
            },
            2 => Optimizer::AdamW {
                beta1: unit(0, "beta1", false)?,
                beta2: unit(1, "beta2", false)?,
                epsilon: positive(2, "m̂ / (√v̂ + ε)")?,
                weight_decay,
                amsgrad: flag(4, "amsgrad")?,
            },
            3 => {
                let epsilon = nonneg(2, "epsilon")?;
                if epsilon == 0.0 {
                    bail!(name, "epsilon must be > 0 (it keeps √(s + ε) away from zero), got 0");
                }
                Optimizer::RmsProp { rho: unit(0, "rho", false)?, momentum: unit(1, "momentum", true)?, epsilon, centered: flag(3, "centered")?, weight_decay }
            }
            4 => {
                let (initial_accumulator, epsilon) = (nonneg(0, "initialAccumulatorValue")?, nonneg(1, "epsilon")?);
                if initial_accumulator == 0.0 && epsilon == 0.0 {
                    bail!(name, "initialAccumulatorValue and epsilon cannot both be 0 (the first update would divide by zero)");
                }
                Optimizer::Adagrad { initial_accumulator, epsilon, weight_decay }
            }
            5 => Optimizer::Adamax {
                beta1: unit(0, "beta1", false)?,
                beta2: unit(1, "beta2", false)?,
                epsilon: positive(2, "m / (u + ε)")?,
                decay: nonneg(3, "decay")?,
                weight_decay,
            },
            _ => Optimizer::Adadelta { rho: unit(0, "rho", false)?, epsilon: positive(1, "√(d + ε) / √(a + ε)")?, weight_decay },
        })
    }

    /// The ABI parameters (the inverse of [`Optimizer::from_abi`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn abi_params(&self) -> Vec<f32> {
        let b = |v: bool| if v { 1.0 } else { 0.0 };
        match *self {
            Optimizer::Sgd { momentum, nesterov, weight_decay } => vec![momentum, b(nesterov), weight_decay],
            Optimizer::Adam { beta1, beta2, epsilon, amsgrad, weight_decay } => vec![beta1, beta2, epsilon, b(amsgrad), weight_decay],
            Optimizer::AdamW { beta1, beta2, epsilon, weight_decay, amsgrad } => vec![beta1, beta2, epsilon, weight_decay, b(amsgrad)],
            Optimizer::RmsProp { rho, momentum, epsilon, centered, weight_decay } => vec![rho, momentum, epsilon, b(centered), weight_decay],
            Optimizer::Adagrad { initial_accumulator, epsilon, weight_decay } => vec![initial_accumulator, epsilon, weight_decay],
            Optimizer::Adamax { beta1, beta2, epsilon, decay, weight_decay } => vec![beta1, beta2, epsilon, decay, weight_decay],
            Optimizer::Adadelta { rho, epsilon, weight_decay } => vec![rho, epsilon, weight_decay],
        }
    }

    /// The decoupled weight decay λ (0: none), which [`Optimizer::update`] applies first.
    pub fn weight_decay(&self) -> f32 {
        match *self {
            Optimizer::Sgd { weight_decay, .. }
            | Optimizer::Adam { weight_decay, .. }
            | Optimizer::AdamW { weight_decay, .. }
            | Optimizer::RmsProp { weight_decay, .. }
            | Optimizer::Adagrad { weight_decay, .. }
            | Optimizer::Adamax { weight_decay, .. }
            | Optimizer::Adadelta { weight_decay, .. } => weight_decay,
        }
    }

    /// State floats per parameter element.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn slots(&self) -> usize {
        match *self {
            Optimizer::Sgd { momentum, .. } => sgd::slots(momentum),
            Optimizer::Adam { amsgrad, .. } | Optimizer::AdamW { amsgrad, .. } => 2 + usize::from(amsgrad),
            Optimizer::RmsProp { momentum, centered, .. } => rmsprop::slots(momentum, centered),
            Optimizer::Adagrad { .. } => 1,
            Optimizer::Adamax { .. } | Optimizer::Adadelta { .. } => 2,
        }
    }

    /// The names of the state slots, in slot order (`slots()` of them), as TF.js names the
    /// optimizer weights where it has the optimizer (`momentum`; `m`, `v`; `rms`, `momentum`,
    /// `mg`; `accumulator`; Adamax's `m`, `v`; Adadelta's `accum_grad`, `accum_var`) and Keras 3
    /// otherwise (AMSGrad's `vhat`). Checkpoints name slot
    /// `k` of weight `w` as `w/<name k>`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn slot_names(&self) -> Vec<&'static str> {
        match *self {
            Optimizer::Sgd { momentum, .. } => if momentum > 0.0 { vec!["momentum"] } else { vec![] },
            Optimizer::Adam { amsgrad, .. } | Optimizer::AdamW { amsgrad, .. } => if amsgrad { vec!["m", "v", "vhat"] } else { vec!["m", "v"] },
            Optimizer::RmsProp { momentum, centered, .. } => {
                let mut v = vec!["rms"];
                if momentum > 0.0 {
                    v.push("momentum");
                }
                if centered {
                    v.push("mg");
                }
                v
            }
            Optimizer::Adagrad { .. } => vec!["accumulator"],
            Optimizer::Adamax { .. } => vec!["m", "v"],
            Optimizer::Adadelta { .. } => vec!["accum_grad", "accum_var"],
        }
    }

    /// Whether slot `k` holds a running mean of squares (or a sum or maximum of them), which
    /// can never be negative: a negative value there would make the next update take `√` of a
    /// negative number (NaN weights), so restored state must respect it.
    pub fn slot_is_nonneg(&self, k: usize) -> bool {
        match self {
            Optimizer::Sgd { .. } => false,
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } | Optimizer::Adamax { .. } => k >= 1,
            Optimizer::RmsProp { .. } | Optimizer::Adagrad { .. } => k == 0,
            Optimizer::Adadelta { .. } => true,
        }
    }

    /// Sets fresh state (`slots()·n` floats): zeros, or Adagrad's initial accumulator.
    pub fn init_state(&self, state: &mut [f32]) {
        let v = match *self {
            Optimizer::Adagrad { initial_accumulator, .. } => initial_accumulator,
            _ => 0.0,
        };
        state.fill(v);
    }

    /// Checks the lengths [`Optimizer::update`] needs; `op` and `what` name the call in errors.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check(&self, op: &'static str, what: &str, param: usize, grad: usize, state: usize) -> Result<()> {
        if grad != param {
            bail!(op, "{what}: the gradient has {grad} values but the parameter has {param}");
        }
        if state != self.slots() * param {
            bail!(op, "{what}: {} state needs {} values ({} per parameter value), got {state}", self.name(), self.slots() * param, self.slots());
        }
        Ok(())
    }

    /// One update of `param` from `grad` with learning rate `lr`; `step` is 1-based (for
    /// Adam's bias correction; 0 is treated as 1). `state` holds `slots()·param.len()` floats.
    /// With `decay` (the parameter is not excluded from weight decay), the decoupled
    /// [`weight_decay`] `p ← p − η·λ·p` comes first, at the same rate: one rule for every
    /// optimizer (AdamW is Adam with it).
    /// Lengths are the caller's contract ([`Optimizer::check`]); on a mismatch nothing is
    /// updated (and debug builds assert), never a panic in release.
    ///
    /// Long parameters are updated on the thread pool in chunks of [`CHUNK`] elements (every
    /// element is updated alone, so the bits never depend on the cut or the threads).
    pub fn update(&self, step: u64, lr: f32, decay: bool, param: &mut [f32], grad: &[f32], state: &mut [f32]) {
        let n = param.len();
        let slots = self.slots();
        let ok = grad.len() == n && state.len() == slots * n;
        debug_assert!(ok, "optimizer update: param {n}, grad {}, state {}", grad.len(), state.len());
        if !ok || n == 0 {
            return;
        }
        let (param, state) = (SharedMut::new(param), SharedMut::new(state));
        let task = |t: usize| {
            let r = t * CHUNK..n.min((t + 1) * CHUNK);
            // SAFETY: task t alone touches elements r of the parameter and of each slot
            // (slot k of element i is state[k·n + i]).
            let (p, s) = unsafe {
                let s: [&mut [f32]; 3] = core::array::from_fn(|k| if k < slots { state.part(k * n + r.start..k * n + r.end) } else { &mut [][..] });
                (param.part(r.clone()), s)
            };
            self.update_run(step, lr, decay, p, &grad[r], s);
        };
        parallel::run(n.div_ceil(CHUNK), n.saturating_mul(UPDATE_COST), &task);
    }

    /// [`Optimizer::update`] of one run on this thread, with the state as (up to three) slots
    /// of the run's length (unused ones empty): the decay (with `decay`), then the rule.
    fn update_run(&self, step: u64, lr: f32, decay: bool, param: &mut [f32], grad: &[f32], slots: [&mut [f32]; 3]) {
        let [s0, s1, s2] = slots;
        if decay {
            weight_decay::apply(lr, self.weight_decay(), param);
        }
        match *self {
            Optimizer::Sgd { momentum, nesterov, .. } => sgd::update(lr, momentum, nesterov, param, grad, s0),
            // AdamW's decay is the shared one (`update`): its step is Adam's.
            Optimizer::Adam { beta1, beta2, epsilon, amsgrad: false, .. } | Optimizer::AdamW { beta1, beta2, epsilon, amsgrad: false, .. } => {
                adam::update(step, lr, beta1, beta2, epsilon, param, grad, s0, s1)
            }
            Optimizer::Adam { beta1, beta2, epsilon, amsgrad: true, .. } | Optimizer::AdamW { beta1, beta2, epsilon, amsgrad: true, .. } => {
                adam::update_amsgrad(step, lr, beta1, beta2, epsilon, param, grad, s0, s1, s2)
            }
            Optimizer::RmsProp { rho, momentum, epsilon, centered, .. } => {
                // Slots: ms, then mom (if momentum > 0), then mg (if centered).
                let (mom, mg) = if momentum > 0.0 { (s1, s2) } else { (s2, s1) };
                rmsprop::update(lr, rho, momentum, epsilon, centered, param, grad, s0, mom, mg)
            }
            Optimizer::Adagrad { epsilon, .. } => adagrad::update(lr, epsilon, param, grad, s0),
            Optimizer::Adamax { beta1, beta2, epsilon, decay, .. } => adamax::update(step, lr, beta1, beta2, epsilon, decay, param, grad, s0, s1),
            Optimizer::Adadelta { rho, epsilon, .. } => adadelta::update(lr, rho, epsilon, param, grad, s0, s1),
        }
    }
}

/// `x`, or 0 if `x` is subnormal (see the module docs). NaN and infinities pass through.
#[inline(always)]
pub fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// Optimizer updates run on the thread pool in chunks of this many elements.
pub const CHUNK: usize = 8 * 1024;

/// Work units (≈ flops) per element of an update, for the pool's split threshold.
const UPDATE_COST: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    fn every() -> Vec<Optimizer> {
        vec![
            Optimizer::from_abi(0, &[0.0, 0.0, 0.0]).unwrap(),
            Optimizer::from_abi(0, &[0.9, 1.0, 0.01]).unwrap(),
            Optimizer::from_abi(1, &[0.9, 0.999, 1e-7, 0.0, 0.0]).unwrap(),
            Optimizer::from_abi(1, &[0.9, 0.999, 1e-7, 1.0, 0.02]).unwrap(),
            Optimizer::from_abi(2, &[0.9, 0.999, 1e-7, 0.004, 0.0]).unwrap(),
            Optimizer::from_abi(2, &[0.9, 0.999, 1e-7, 0.004, 1.0]).unwrap(),
            Optimizer::from_abi(3, &[0.9, 0.0, 1e-7, 0.0, 0.0]).unwrap(),
            Optimizer::from_abi(3, &[0.9, 0.5, 1e-7, 1.0, 0.1]).unwrap(),
            Optimizer::from_abi(4, &[0.1, 1e-7, 0.03]).unwrap(),
            Optimizer::from_abi(5, &[0.9, 0.999, 1e-7, 0.0, 0.0]).unwrap(),
            Optimizer::from_abi(5, &[0.8, 0.99, 1e-6, 0.01, 0.004]).unwrap(),
            Optimizer::from_abi(6, &[0.95, 1e-7, 0.0]).unwrap(),
            Optimizer::from_abi(6, &[0.9, 1e-2, 0.05]).unwrap(),
        ]
    }

    #[test]
    fn ids_round_trip_and_slots() {
        let slots: Vec<usize> = every().iter().map(|o| o.slots()).collect();
        assert_eq!(slots, [0, 1, 2, 3, 2, 3, 1, 3, 1, 2, 2, 2, 2]);
        for o in every() {
            assert_eq!(Optimizer::from_abi(o.kind(), &o.abi_params()).unwrap(), o);
            assert_eq!(o.abi_params().len(), Optimizer::PARAMS[o.kind() as usize].len());
            assert_eq!(Optimizer::KIND_NAMES[o.kind() as usize], o.name());
        }
        let mut s = [9.0; 3];
        Optimizer::Adagrad { initial_accumulator: 0.1, epsilon: 1e-7, weight_decay: 0.0 }.init_state(&mut s);
        assert_eq!(s, [0.1; 3]);
    }

    #[test]
    fn decaying_state_is_flushed_to_zero_and_the_weights_do_not_change() {
        // A gradient that is 1 once, then 0: every decaying slot reaches the subnormal range,
        // where it is stored as 0; the weights are those of the same steps without the flush.
        let tiny = f32::MIN_POSITIVE;
        assert_eq!((flush(tiny), flush(-tiny), flush(tiny / 2.0), flush(-tiny / 3.0), flush(0.0)), (tiny, -tiny, 0.0, 0.0, 0.0));
        assert!(flush(f32::NAN).is_nan() && flush(f32::INFINITY) == f32::INFINITY);
        for o in every() {
            let slots = o.slots();
            let (mut p, mut state) = (vec![0.5f32, -0.25], vec![0.0; 2 * slots]);
            o.init_state(&mut state);
            let mut unflushed = (p.clone(), state.clone());
            for step in 1..=3000u64 {
                let g = if step == 1 { [1.0, -1e-3] } else { [0.0, 0.0] };
                o.update(step, 1e-3, true, &mut p, &g, &mut state);
                // The same update without the flush: the scalar rules written out below.
                reference_update(&o, step, 1e-3, &mut unflushed.0, &g, &mut unflushed.1);
                assert!(state.iter().all(|s| *s == 0.0 || s.abs() >= tiny), "{} step {step}: subnormal state {state:?}", o.name());
            }
            assert_eq!(p, unflushed.0, "{}: the flush changed the weights", o.name());
            if o.slots() > 0 && !matches!(o, Optimizer::Adagrad { .. }) {
                assert!(unflushed.1.iter().any(|s| *s != 0.0 && s.abs() < tiny), "{}: the test never reached subnormal state", o.name());
            }
        }
    }

    /// The update rules without the flush (the weight decay, then the formulas of adam.rs,
    /// sgd.rs, rmsprop.rs, adagrad.rs, adamax.rs, adadelta.rs, element by element).
    fn reference_update(o: &Optimizer, step: u64, lr: f32, p: &mut [f32], g: &[f32], s: &mut [f32]) {
        let n = p.len();
        for i in 0..n {
            let g = g[i];
            p[i] -= lr * o.weight_decay() * p[i];
            match *o {
                Optimizer::Sgd { momentum, nesterov, .. } => {
                    if momentum > 0.0 {
                        s[i] = momentum * s[i] + g;
                        p[i] -= if nesterov { lr * (g + momentum * s[i]) } else { lr * s[i] };
                    } else {
                        p[i] -= lr * g;
                    }
                }
                Optimizer::Adam { beta1, beta2, epsilon, amsgrad, .. } | Optimizer::AdamW { beta1, beta2, epsilon, amsgrad, .. } => {
                    let (bc1, bc2) = (adam::bias_correction(beta1, step), adam::bias_correction(beta2, step));
                    s[i] = beta1 * s[i] + (1.0 - beta1) * g;
                    s[n + i] = beta2 * s[n + i] + (1.0 - beta2) * g * g;
                    let v = if amsgrad {
                        s[2 * n + i] = s[2 * n + i].max(s[n + i]);
                        s[2 * n + i]
                    } else {
                        s[n + i]
                    };
                    p[i] -= (s[i] / bc1) / ((v / bc2).sqrt() + epsilon) * lr;
                }
                Optimizer::RmsProp { rho, momentum, epsilon, centered, .. } => {
                    s[i] = rho * s[i] + (1.0 - rho) * g * g;
                    let (mom, mg) = match (momentum > 0.0, centered) {
                        (true, true) => (n + i, 2 * n + i),
                        (true, false) => (n + i, usize::MAX),
                        (false, _) => (usize::MAX, n + i),
                    };
                    let denom = if centered {
                        s[mg] = rho * s[mg] + (1.0 - rho) * g;
                        s[i] - s[mg] * s[mg] + epsilon
                    } else {
                        s[i] + epsilon
                    };
                    let delta = lr * g / denom.sqrt();
                    if momentum > 0.0 {
                        s[mom] = momentum * s[mom] + delta;
                        p[i] -= s[mom];
                    } else {
                        p[i] -= delta;
                    }
                }
                Optimizer::Adagrad { epsilon, .. } => {
                    s[i] += g * g;
                    p[i] -= lr * g / (s[i] + epsilon).sqrt();
                }
                Optimizer::Adamax { beta1, beta2, epsilon, decay, .. } => {
                    s[i] = beta1 * s[i] + (1.0 - beta1) * g;
                    s[n + i] = (beta2 * s[n + i]).max(g.abs());
                    let rate = lr / (1.0 + decay * (step - 1) as f32) / adam::bias_correction(beta1, step);
                    p[i] -= rate * (s[i] / (s[n + i] + epsilon));
                }
                Optimizer::Adadelta { rho, epsilon, .. } => {
                    s[i] = rho * s[i] + g * g * (1.0 - rho);
                    let delta = (s[n + i] + epsilon).sqrt() / (s[i] + epsilon).sqrt() * g;
                    s[n + i] = rho * s[n + i] + delta * delta * (1.0 - rho);
                    p[i] -= lr * delta;
                }
            }
        }
    }

    #[test]
    fn weight_decay_is_one_rule_for_every_optimizer_and_skipped_when_excluded() {
        // Each optimizer with λ: the decay then the rule at λ = 0 (bit for bit); `decay: false`
        // (an excluded weight) is the rule alone.
        for o in every() {
            let mut bare = o.abi_params();
            let at = if o.kind() == 2 { 3 } else { bare.len() - 1 };
            bare[at] = 0.0;
            let bare = Optimizer::from_abi(o.kind(), &bare).unwrap();
            let (mut p, mut q, mut r) = (vec![0.7f32, -1.3, 0.0], vec![0.7f32, -1.3, 0.0], vec![0.7f32, -1.3, 0.0]);
            let mut st = [vec![0.0; o.slots() * 3], vec![0.0; o.slots() * 3], vec![0.0; o.slots() * 3]];
            st.iter_mut().for_each(|s| o.init_state(s));
            for step in 1..=4u64 {
                let g = [0.25 * step as f32, -0.5, 1.0];
                let lr = 0.1 / step as f32;
                o.update(step, lr, true, &mut p, &g, &mut st[0]);
                weight_decay::apply(lr, o.weight_decay(), &mut q);
                bare.update(step, lr, true, &mut q, &g, &mut st[1]);
                o.update(step, lr, false, &mut r, &g, &mut st[2]);
            }
            assert_eq!(p, q, "{}: decay then rule", o.name());
            let mut plain = vec![0.7f32, -1.3, 0.0];
            let mut s = vec![0.0; o.slots() * 3];
            bare.init_state(&mut s);
            for step in 1..=4u64 {
                bare.update(step, 0.1 / step as f32, true, &mut plain, &[0.25 * step as f32, -0.5, 1.0], &mut s);
            }
            assert_eq!(r, plain, "{}: excluded", o.name());
            assert_eq!(p != r, o.weight_decay() > 0.0, "{}", o.name());
        }
    }

    #[test]
    fn slot_names_match_slots() {
        let names: Vec<Vec<&str>> = every().iter().map(|o| o.slot_names()).collect();
        assert_eq!(names, [vec![], vec!["momentum"], vec!["m", "v"], vec!["m", "v", "vhat"], vec!["m", "v"], vec!["m", "v", "vhat"], vec!["rms"], vec!["rms", "momentum", "mg"], vec!["accumulator"], vec!["m", "v"], vec!["m", "v"], vec!["accum_grad", "accum_var"], vec!["accum_grad", "accum_var"]]);
        for o in every() {
            assert_eq!(o.slot_names().len(), o.slots(), "{}", o.name());
        }
        let centered = Optimizer::RmsProp { rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: true, weight_decay: 0.0 };
        assert_eq!(centered.slot_names(), ["rms", "mg"]);
        assert!(centered.slot_is_nonneg(0) && !centered.slot_is_nonneg(1));
    }

    #[test]
    fn every_optimizer_descends_a_quadratic() {
        // f(p) = ½‖p‖², g = p: 200 steps (Adadelta 3000) must shrink ‖p‖ for each optimizer.
        for o in every() {
            let mut p = vec![1.0f32, -2.0, 0.5];
            let mut st = vec![0.0; o.slots() * 3];
            o.init_state(&mut st);
            // Adagrad's steps shrink, Adadelta's start at √ε·sign(g) and grow: larger rates.
            let lr = match o.kind() { 4 => 0.5, 6 => 1.0, _ => 0.05 };
            // Adadelta at ε = 1e-7 needs longer to build its step size up.
            let steps = if o.kind() == 6 { 3000 } else { 200 };
            for k in 1..=steps {
                let g = p.clone();
                o.update(k, lr, true, &mut p, &g, &mut st);
            }
            let norm = p.iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!(norm < 0.5, "{}: ‖p‖ = {norm}", o.name());
        }
    }

    #[test]
    fn dispatch_splits_the_slots() {
        // RMSProp centered with momentum: slots are [s, a, ḡ].
        let o = Optimizer::RmsProp { rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: true, weight_decay: 0.0 };
        let (mut p, mut st) = ([1.0f32, 2.0], [0.0f32; 6]);
        o.update(1, 0.1, true, &mut p, &[1.0, -2.0], &mut st);
        assert!((st[0] - 0.1).abs() < 1e-7 && (st[1] - 0.4).abs() < 1e-6, "s: {st:?}");
        assert!(st[2] > 0.0 && st[3] < 0.0, "a: {st:?}");
        assert!((st[4] - 0.1).abs() < 1e-7 && (st[5] + 0.2).abs() < 1e-6, "ḡ: {st:?}");
    }

    #[test]
    fn bad_parameters_are_named() {
        let msg = |k, p: &[f32]| Optimizer::from_abi(k, p).unwrap_err().to_string();
        assert_eq!(msg(7, &[]), "optimizer: unknown optimizer id 7 (known ids are 0..7)");
        assert_eq!(msg(5, &[0.9, 0.999, 0.0, 0.0, 0.0]), "adamax: epsilon must be > 0 (m / (u + ε) would be 0 / 0 at a zero gradient), got 0");
        assert_eq!(msg(5, &[0.9, 0.999, 1e-7, -1.0, 0.0]), "adamax: decay must be a finite number >= 0, got -1");
        assert_eq!(msg(6, &[1.0, 1e-7, 0.0]), "adadelta: rho must be in [0, 1), got 1");
        assert_eq!(msg(6, &[0.95, 0.0, 0.0]), "adadelta: epsilon must be > 0 (√(d + ε) / √(a + ε) would be 0 / 0 at a zero gradient), got 0");
        assert_eq!(msg(1, &[0.9]), "adam: takes 5 parameters, got 1");
        assert_eq!(msg(1, &[0.9, 0.999, 0.0, 0.0, 0.0]), "adam: epsilon must be > 0 (m̂ / (√v̂ + ε) would be 0 / 0 at a zero gradient), got 0");
        assert_eq!(msg(1, &[0.9, 0.999, 0.0, 1.0, 0.0]), "adam: epsilon must be > 0 (m̂ / (√v̂ + ε) would be 0 / 0 at a zero gradient), got 0");
        assert_eq!(msg(2, &[0.9, 0.999, 0.0, 0.004, 0.0]), "adamw: epsilon must be > 0 (m̂ / (√v̂ + ε) would be 0 / 0 at a zero gradient), got 0");
        assert_eq!(msg(1, &[1.0, 0.999, 1e-7, 0.0, 0.0]), "adam: beta1 must be in [0, 1), got 1");
        assert_eq!(msg(1, &[0.9, 0.999, 1e-7, 0.5, 0.0]), "adam: amsgrad must be 0 or 1 (false or true), got 0.5");
        assert_eq!(msg(0, &[1.5, 0.0, 0.0]), "sgd: momentum must be in [0, 1], got 1.5");
        assert_eq!(msg(0, &[0.5, 2.0, 0.0]), "sgd: nesterov must be 0 or 1 (false or true), got 2");
        assert_eq!(msg(2, &[0.9, 0.999, 1e-7, -0.1, 0.0]), "adamw: weightDecay must be a finite number >= 0, got -0.1");
        assert_eq!(msg(0, &[0.0, 0.0, f32::NAN]), "sgd: weightDecay must be a finite number >= 0, got NaN");
        assert_eq!(msg(6, &[0.95, 1e-7, f32::INFINITY]), "adadelta: weightDecay must be a finite number >= 0, got Infinity");
        assert_eq!(msg(3, &[0.9, 0.0, f32::NAN, 0.0, 0.0]), "rmsprop: epsilon must be a finite number >= 0, got NaN");
        assert!(msg(4, &[0.0, 0.0, 0.0]).starts_with("adagrad: initialAccumulatorValue and epsilon cannot both be 0"));
    }

    #[test]
    fn lengths_are_checked_not_panicked() {
        let o = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
        assert_eq!(o.check("fit", "kernel", 3, 2, 6).unwrap_err().to_string(), "fit: kernel: the gradient has 2 values but the parameter has 3");
        assert_eq!(o.check("fit", "kernel", 3, 3, 5).unwrap_err().to_string(), "fit: kernel: adam state needs 6 values (2 per parameter value), got 5");
        assert!(o.check("fit", "kernel", 3, 3, 6).is_ok());
        let mut p: [f32; 0] = [];
        o.update(1, 0.1, true, &mut p, &[], &mut []);
    }

    /// Updates split over the pool give the bits of one run on one thread, for every
    /// optimizer, 0/1/2/3/8 workers and lengths around the chunk.
    #[test]
    fn split_updates_give_the_single_run_bits_for_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        let val = |i: usize, s: u32| ((i as u32).wrapping_mul(2_654_435_761) ^ s) as f32 / u32::MAX as f32 * 2.0 - 1.0;
        let run = |serial: bool| {
            let mut all = Vec::new();
            for opt in every() {
                for n in [1, 7, 13, 509, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 3] {
                    let mut p: Vec<f32> = (0..n).map(|i| val(i, 1)).collect();
                    let mut state = vec![0.0; opt.slots() * n];
                    opt.init_state(&mut state);
                    for step in 1..=3u64 {
                        let g: Vec<f32> = (0..n).map(|i| val(i, step as u32 + 7)).collect();
                        if serial {
                            let mut slots = state.chunks_mut(n.max(1));
                            let s: [&mut [f32]; 3] = core::array::from_fn(|_| slots.next().unwrap_or(&mut []));
                            opt.update_run(step, 0.01, true, &mut p, &g, s);
                        } else {
                            opt.update(step, 0.01, true, &mut p, &g, &mut state);
                        }
                    }
                    all.extend(p);
                    all.extend(state);
                }
            }
            all
        };
        let got = same_bits_for_all_counts("optimizers", || run(false));
        let want = run(true);
        assert_eq!(got.len(), want.len());
        assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()));
    }
}
