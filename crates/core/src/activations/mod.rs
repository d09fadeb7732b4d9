//! Activation functions, one file per activation: `y = f(x)` and its vector-Jacobian product
//! `dx = dy ⊙ f'(x)` (for softmax and logSoftmax, `dx = dyᵀ·J` over each row).
//!
//! This file is the registry: the [`Activation`] enum, its ABI ids and parameters, and the
//! dispatch `match`. The math, its derivative and its tests live in the per-activation files.
//!
//! # Conventions shared by every activation
//! - Slices: `x`, `y`, `dy`, `dx` have equal lengths. Softmax-like activations work over
//!   contiguous rows of `cols` values (the last axis); the others ignore `cols`.
//! - NaN in, NaN out: a NaN input gives a NaN output and a NaN gradient.
//! - Kinks use one-sided derivatives chosen to match TF.js (documented in each file).
//! - Step-like activations (`stairStep`, `unitStep`, `heaviside`, `sign`) have a zero
//!   derivative wherever it exists. With `straight_through: true` their backward pass is the
//!   straight-through estimator instead (Bengio et al. 2013, <https://arxiv.org/abs/1308.3432>):
//!   `dx = dy`, as if the step were the identity.
//!
//! ```
//! use neurite_core::activations::Activation;
//! let act = Activation::from_abi(6, &[0.1]).unwrap(); // kind 6 is leakyRelu; alpha = 0.1
//! let (x, mut y, mut dx) = ([-2.0, 3.0], [0.0; 2], [0.0; 2]);
//! act.forward(&x, &mut y, 2);
//! act.backward(&x, &y, &[1.0, 1.0], &mut dx, 2);
//! assert_eq!((y, dx), ([-0.2, 3.0], [0.1, 1.0]));
//! ```
//!
//! # ABI
//! An activation crosses the C ABI as `(kind, params)`: `kind` is the index in
//! [`Activation::KIND_NAMES`] (append-only) and `params` the `f32` list of
//! [`Activation::PARAMS`] for that kind, in order. Trailing parameters may be left out and then
//! take their defaults; flags are `0.0` or `1.0`.
//!
//! Adding an activation: a file here with `forward`/`backward` and tests, a variant, its
//! entries in `KIND_NAMES`/`PARAMS`/`all_defaults`, its arms below, its kinks in
//! `gradcheck.rs` (which checks every variant of `all_defaults` by central differences), and
//! the name in `ts/wasm/codes.ts` (checked against Rust by `test/codes.test.ts`).

mod apply;
mod capped_relu;
mod elu;
pub mod erf;
mod gelu;
mod hard_sigmoid;
mod hard_silu;
mod heaviside;
mod leaky_relu;
mod linear;
mod log_softmax;
mod map;
mod params;
pub mod prelu;
mod relu;
mod selu;
mod sigmoid;
mod sign;
mod softmax;
mod softplus;
mod softsign;
mod mish;
mod gelu_new;
mod stair_step;
mod swish;
mod tanh;
mod unit_step;

#[cfg(test)]
mod gradcheck;

pub use apply::{activation, activation_grad};
pub use params::{ParamCheck, ParamSpec};

use params::{checked, p, ST};

use crate::{bail, Result};
use crate::error::js_numbers;

/// The stack buffer of [`Activation::forward_in_place`], in values (4 KiB: stays in L1).
const IN_PLACE: usize = 1024;

/// An activation function with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `f = slope·x + intercept`; the identity is slope 1, intercept 0.
    Linear { slope: f32, intercept: f32 },
    /// `f = floor(x / step)·step`.
    StairStep { step: f32, straight_through: bool },
    /// `f = 1` for `x ≥ threshold`, else 0.
    UnitStep { threshold: f32, straight_through: bool },
    /// `f = 0` for `x < 0`, `1` for `x > 0`, `at_zero` at 0.
    Heaviside { at_zero: f32, straight_through: bool },
    /// Bipolar step: `-1` for `x < 0`, `+1` for `x > 0`, `at_zero` at ±0 (default `+1`).
    Sign { straight_through: bool, at_zero: f32 },
    Relu,
    LeakyRelu { alpha: f32 },
    Softplus,
    Sigmoid,
    Tanh,
    /// Over each row of `cols` values.
    Softmax,
    /// Over each row of `cols` values.
    LogSoftmax,
    Elu { alpha: f32 },
    Selu,
    Gelu,
    Swish,
    HardSigmoid,
    Softsign,
    Relu6,
    Mish,
    GeluNew,
    /// `x · relu6(x + 3) / 6` (Keras 3 `hard_silu`).
    HardSilu,
    /// `min(max(x, 0), max_value)`: TF.js's `ReLU` layer with a `maxValue` (relu6 is 6).
    CappedRelu { max_value: f32 },
}

/// The number of activation kinds.
pub const KIND_COUNT: usize = 23;

impl Activation {
    /// ABI kind ids: the index of each name. Append-only.
    pub const KIND_NAMES: [&'static str; KIND_COUNT] = [
        "linear",
        "stairStep",
        "unitStep",
        "heaviside",
        "sign",
        "relu",
        "leakyRelu",
        "softplus",
        "sigmoid",
        "tanh",
        "softmax",
        "logSoftmax",
        "elu",
        "selu",
        "gelu",
        "swish",
        "hardSigmoid",
        "softsign",
        "relu6",
        "mish",
        "geluNew",
        "hardSilu",
        "cappedRelu",
    ];

    /// The parameters of each kind, in ABI order, with their defaults.
    pub const PARAMS: [&'static [ParamSpec]; KIND_COUNT] = [
        &[p("slope", 1.0, ParamCheck::Finite), p("intercept", 0.0, ParamCheck::Finite)],
        &[p("step", 1.0, ParamCheck::Positive), ST],
        &[p("threshold", 0.0, ParamCheck::Finite), ST],
        &[p("atZero", 0.5, ParamCheck::UnitInterval), ST],
        // atZero after straightThrough: the ABI's parameters are appended, so a list of one
        // (from before atZero) keeps its meaning. Default +1, the unit's value at 0 before it.
        &[ST, p("atZero", 1.0, ParamCheck::SignedUnitInterval)],
        &[],
        // TF.js `tf.leakyRelu` default (Keras 3 `leaky_relu` also 0.2; its layer uses 0.3). Any
        // finite slope, negative too, as TF.js (Keras 3 refuses a negative one).
        &[p("alpha", 0.2, ParamCheck::Finite)],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[p("alpha", 1.0, ParamCheck::NonNegative)],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        // No default cap in TF.js (its ReLU layer's maxValue is null: plain relu); 6 is relu6's.
        &[p("maxValue", 6.0, ParamCheck::NonNegative)],
    ];

    /// Builds an activation from its ABI kind id and parameters, validating every parameter.
    /// Missing trailing parameters take their defaults.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, params: &[f32]) -> Result<Activation> {
        let Some(&name) = Activation::KIND_NAMES.get(kind as usize) else {
            bail!(
                "activation",
                "unknown activation kind {kind}; valid kinds are 0..={} ({})",
                KIND_COUNT - 1,
                Activation::KIND_NAMES.join(", ")
            );
        };
        let spec = Activation::PARAMS[kind as usize];
        if params.len() > spec.len() {
            let names: Vec<&str> = spec.iter().map(|p| p.name).collect();
            bail!(name, "takes at most {} parameters ({}), got {}: {params}", spec.len(), names.join(", "), params.len(), params = js_numbers(params));
        }
        let mut v = [0.0f32; 2];
        for (i, ps) in spec.iter().enumerate() {
            v[i] = checked(name, ps, params.get(i).copied().unwrap_or(ps.default))?;
        }
        let flag = |i: usize| v[i] != 0.0;
        Ok(match kind {
            0 => Activation::Linear { slope: v[0], intercept: v[1] },
            1 => Activation::StairStep { step: v[0], straight_through: flag(1) },
            2 => Activation::UnitStep { threshold: v[0], straight_through: flag(1) },
            3 => Activation::Heaviside { at_zero: v[0], straight_through: flag(1) },
            4 => Activation::Sign { straight_through: flag(0), at_zero: v[1] },
            5 => Activation::Relu,
            6 => Activation::LeakyRelu { alpha: v[0] },
            7 => Activation::Softplus,
            8 => Activation::Sigmoid,
            9 => Activation::Tanh,
            10 => Activation::Softmax,
            11 => Activation::LogSoftmax,
            12 => Activation::Elu { alpha: v[0] },
            13 => Activation::Selu,
            14 => Activation::Gelu,
            15 => Activation::Swish,
            16 => Activation::HardSigmoid,
            17 => Activation::Softsign,
            18 => Activation::Relu6,
            19 => Activation::Mish,
            20 => Activation::GeluNew,
            21 => Activation::HardSilu,
            _ => Activation::CappedRelu { max_value: v[0] },
        })
    }

    /// The ABI kind id (index in [`Activation::KIND_NAMES`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn kind(&self) -> u32 {
        match self {
            Activation::Linear { .. } => 0,
            Activation::StairStep { .. } => 1,
            Activation::UnitStep { .. } => 2,
            Activation::Heaviside { .. } => 3,
            Activation::Sign { .. } => 4,
            Activation::Relu => 5,
            Activation::LeakyRelu { .. } => 6,
            Activation::Softplus => 7,
            Activation::Sigmoid => 8,
            Activation::Tanh => 9,
            Activation::Softmax => 10,
            Activation::LogSoftmax => 11,
            Activation::Elu { .. } => 12,
            Activation::Selu => 13,
            Activation::Gelu => 14,
            Activation::Swish => 15,
            Activation::HardSigmoid => 16,
            Activation::Softsign => 17,
            Activation::Relu6 => 18,
            Activation::Mish => 19,
            Activation::GeluNew => 20,
            Activation::HardSilu => 21,
            Activation::CappedRelu { .. } => 22,
        }
    }

    /// The ABI parameters, in [`Activation::PARAMS`] order (`from_abi(kind(), &params())`
    /// round-trips).
    pub fn params(&self) -> Vec<f32> {
        let f = |b: bool| if b { 1.0 } else { 0.0 };
        match *self {
            Activation::Linear { slope, intercept } => vec![slope, intercept],
            Activation::StairStep { step, straight_through } => vec![step, f(straight_through)],
            Activation::UnitStep { threshold, straight_through } => vec![threshold, f(straight_through)],
            Activation::Heaviside { at_zero, straight_through } => vec![at_zero, f(straight_through)],
            Activation::Sign { straight_through, at_zero } => vec![f(straight_through), at_zero],
            Activation::LeakyRelu { alpha } | Activation::Elu { alpha } => vec![alpha],
            Activation::CappedRelu { max_value } => vec![max_value],
            _ => Vec::new(),
        }
    }

    /// The public (TS) name.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(&self) -> &'static str {
        Activation::KIND_NAMES[self.kind() as usize]
    }

    /// Whether the activation normalises over rows (softmax, logSoftmax) rather than acting
    /// element by element.
    pub fn is_row_wise(&self) -> bool {
        matches!(self, Activation::Softmax | Activation::LogSoftmax)
    }

    /// `y = f(x)`. `cols` is the row length for softmax and logSoftmax (`x.len()` must be a
    /// multiple of it); the others ignore it. Long inputs are split over the thread pool in
    /// chunks of whole rows ([`Activation::chunk`]); each element (row) is computed alone, so
    /// the bits never depend on the cut.
    pub fn forward(&self, x: &[f32], y: &mut [f32], cols: usize) {
        let (n, chunk) = (y.len(), self.chunk(cols));
        if x.len() != n || chunk == 0 {
            return self.forward_run(x, y, cols);
        }
        crate::parallel::for_each_chunk_mut(y, chunk, n.saturating_mul(self.cost()), |i, y| self.forward_run(&x[i * chunk..i * chunk + y.len()], y, cols));
    }

    /// How many values [`Activation::forward_in_place`] takes at a time for rows of `cols`
    /// (whole rows for the row-wise kinds); 0 when a row is longer than its buffer.
    pub fn in_place_piece(&self, cols: usize) -> usize {
        match (self.is_row_wise(), cols) {
            (false, _) => IN_PLACE,
            (true, 0) => 0,
            (true, c) => IN_PLACE / c * c,
        }
    }

    /// `y = f(y)` on this thread, for a caller already on the thread pool (the GEMM's bands,
    /// `kernels::matmul::gemm_uninit_then`): [`Activation::in_place_piece`] values at a time
    /// are copied to a buffer on the stack and computed back into `y`, so no copy of all of
    /// `y` is made. Each element (row) is computed alone, so the bits are those of
    /// [`Activation::forward`].
    ///
    /// # Panics
    /// If [`Activation::in_place_piece`] is 0 for `cols`.
    pub fn forward_in_place(&self, y: &mut [f32], cols: usize) {
        let piece = self.in_place_piece(cols);
        assert!(piece > 0, "forward_in_place: rows of {cols} are longer than its buffer of {IN_PLACE}");
        let mut buf = [0f32; IN_PLACE];
        for y in y.chunks_mut(piece) {
            let x = &mut buf[..y.len()];
            x.copy_from_slice(y);
            self.forward_run(x, y, cols);
        }
    }

    /// How many elements of a long input one task of the thread pool takes: about
    /// [`crate::kernels::elementwise::CHUNK`], whole rows for the row-wise kinds (0: do not
    /// split, for a row-wise kind with `cols == 0`).
    pub fn chunk(&self, cols: usize) -> usize {
        let chunk = crate::kernels::elementwise::CHUNK;
        match (self.is_row_wise(), cols) {
            (false, _) => chunk,
            (true, 0) => 0,
            (true, c) => (chunk / c).max(1) * c,
        }
    }

    /// Work units (≈ flops) per element, for the pool's split threshold.
    fn cost(&self) -> usize {
        match self {
            Activation::Linear { .. }
            | Activation::StairStep { .. }
            | Activation::UnitStep { .. }
            | Activation::Heaviside { .. }
            | Activation::Sign { .. }
            | Activation::Relu
            | Activation::LeakyRelu { .. }
            | Activation::Relu6
            | Activation::CappedRelu { .. }
            | Activation::HardSigmoid => 1,
            _ => 16,
        }
    }

    /// [`Activation::forward`] on one run, on this thread.
    fn forward_run(&self, x: &[f32], y: &mut [f32], cols: usize) {
        match *self {
            Activation::Linear { slope, intercept } => linear::forward(x, y, slope, intercept),
            Activation::StairStep { step, .. } => stair_step::forward(x, y, step),
            Activation::UnitStep { threshold, .. } => unit_step::forward(x, y, threshold),
            Activation::Heaviside { at_zero, .. } => heaviside::forward(x, y, at_zero),
            Activation::Sign { at_zero, .. } => sign::forward(x, y, at_zero),
            Activation::Relu => relu::forward(x, y),
            Activation::LeakyRelu { alpha } => leaky_relu::forward(x, y, alpha),
            Activation::Softplus => softplus::forward(x, y),
            Activation::Sigmoid => sigmoid::forward(x, y),
            Activation::Tanh => tanh::forward(x, y),
            Activation::Softmax => softmax::forward(x, y, cols),
            Activation::LogSoftmax => log_softmax::forward(x, y, cols),
            Activation::Elu { alpha } => elu::forward(x, y, alpha),
            Activation::Selu => selu::forward(x, y),
            Activation::Gelu => gelu::forward(x, y),
            Activation::Swish => swish::forward(x, y),
            Activation::HardSigmoid => hard_sigmoid::forward(x, y),
            Activation::Softsign => softsign::forward(x, y),
            Activation::Relu6 => capped_relu::forward(x, y, 6.0),
            Activation::Mish => mish::forward(x, y),
            Activation::GeluNew => gelu_new::forward(x, y),
            Activation::HardSilu => hard_silu::forward(x, y),
            Activation::CappedRelu { max_value } => capped_relu::forward(x, y, max_value),
        }
    }

    /// `dx = dy ⊙ f'(x)` given the input `x` and the output `y = f(x)` of the forward pass
    /// (for softmax and logSoftmax, the vector-Jacobian product over each row of `cols`).
    /// Split over the thread pool as [`Activation::forward`].
    pub fn backward(&self, x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], cols: usize) {
        let (n, chunk) = (dx.len(), self.chunk(cols));
        if x.len() != n || y.len() != n || dy.len() != n || chunk == 0 {
            return self.backward_run(x, y, dy, dx, cols);
        }
        crate::parallel::for_each_chunk_mut(dx, chunk, n.saturating_mul(self.cost()), |i, dx| {
            let r = i * chunk..i * chunk + dx.len();
            self.backward_run(&x[r.clone()], &y[r.clone()], &dy[r], dx, cols)
        });
    }

    /// [`Activation::backward`] on one run, on this thread.
    fn backward_run(&self, x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], cols: usize) {
        match *self {
            Activation::Linear { slope, .. } => linear::backward(x, y, dy, dx, slope),
            Activation::StairStep { straight_through, .. }
            | Activation::UnitStep { straight_through, .. }
            | Activation::Heaviside { straight_through, .. }
            | Activation::Sign { straight_through, .. } => map::step_backward(x, dy, dx, straight_through),
            Activation::Relu => relu::backward(x, y, dy, dx),
            Activation::LeakyRelu { alpha } => leaky_relu::backward(x, y, dy, dx, alpha),
            Activation::Softplus => softplus::backward(x, y, dy, dx),
            Activation::Sigmoid => sigmoid::backward(x, y, dy, dx),
            Activation::Tanh => tanh::backward(x, y, dy, dx),
            Activation::Softmax => softmax::backward(x, y, dy, dx, cols),
            Activation::LogSoftmax => log_softmax::backward(x, y, dy, dx, cols),
            Activation::Elu { alpha } => elu::backward(x, y, dy, dx, alpha),
            Activation::Selu => selu::backward(x, y, dy, dx),
            Activation::Gelu => gelu::backward(x, y, dy, dx),
            Activation::Swish => swish::backward(x, y, dy, dx),
            Activation::HardSigmoid => hard_sigmoid::backward(x, y, dy, dx),
            Activation::Softsign => softsign::backward(x, y, dy, dx),
            Activation::Relu6 => capped_relu::backward(x, y, dy, dx, 6.0),
            Activation::Mish => mish::backward(x, y, dy, dx),
            Activation::GeluNew => gelu_new::backward(x, y, dy, dx),
            Activation::HardSilu => hard_silu::backward(x, y, dy, dx),
            Activation::CappedRelu { max_value } => capped_relu::backward(x, y, dy, dx, max_value),
        }
    }

    /// One instance of every kind, with default parameters, in kind order.
    pub fn all_defaults() -> Vec<Activation> {
        vec![
            Activation::Linear { slope: 1.0, intercept: 0.0 },
            Activation::StairStep { step: 1.0, straight_through: false },
            Activation::UnitStep { threshold: 0.0, straight_through: false },
            Activation::Heaviside { at_zero: 0.5, straight_through: false },
            Activation::Sign { straight_through: false, at_zero: 1.0 },
            Activation::Relu,
            Activation::LeakyRelu { alpha: 0.2 },
            Activation::Softplus,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Softmax,
            Activation::LogSoftmax,
            Activation::Elu { alpha: 1.0 },
            Activation::Selu,
            Activation::Gelu,
            Activation::Swish,
            Activation::HardSigmoid,
            Activation::Softsign,
            Activation::Relu6,
            Activation::Mish,
            Activation::GeluNew,
            Activation::HardSilu,
            Activation::CappedRelu { max_value: 6.0 },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_the_abi() {
        let all = Activation::all_defaults();
        assert_eq!(all.len(), KIND_COUNT);
        for (k, a) in all.iter().enumerate() {
            assert_eq!(a.kind() as usize, k);
            assert_eq!(a.name(), Activation::KIND_NAMES[k]);
            assert_eq!(Activation::from_abi(k as u32, &[]).unwrap(), *a, "defaults of {}", a.name());
            assert_eq!(Activation::from_abi(k as u32, &a.params()).unwrap(), *a);
            assert_eq!(a.params().len(), Activation::PARAMS[k].len());
        }
        let a = Activation::from_abi(1, &[0.5, 1.0]).unwrap();
        assert_eq!(a, Activation::StairStep { step: 0.5, straight_through: true });
        assert_eq!(Activation::from_abi(0, &[2.0]).unwrap(), Activation::Linear { slope: 2.0, intercept: 0.0 });
    }

    #[test]
    fn bad_parameters_are_named() {
        let msg = |k: u32, p: &[f32]| Activation::from_abi(k, p).unwrap_err().to_string();
        assert_eq!(msg(1, &[0.0]), "stairStep: step must be a finite number > 0, got 0");
        assert_eq!(msg(1, &[1.0, 0.5]), "stairStep: straightThrough must be 0 (false) or 1 (true), got 0.5");
        assert_eq!(msg(6, &[f32::NAN]), "leakyRelu: alpha must be a finite number, got NaN");
        assert_eq!(Activation::from_abi(6, &[-0.1]).unwrap(), Activation::LeakyRelu { alpha: -0.1 });
        assert_eq!(msg(12, &[f32::NAN]), "elu: alpha must be a finite number >= 0, got NaN");
        assert_eq!(msg(0, &[f32::INFINITY]), "linear: slope must be a finite number, got Infinity");
        assert_eq!(msg(3, &[2.0]), "heaviside: atZero must be a finite number in [0, 1], got 2");
        assert_eq!(msg(4, &[0.0, -1.5]), "sign: atZero must be a finite number in [-1, 1], got -1.5");
        assert_eq!(Activation::from_abi(4, &[1.0]).unwrap(), Activation::Sign { straight_through: true, at_zero: 1.0 });
        assert_eq!(Activation::from_abi(4, &[0.0, -1.0]).unwrap(), Activation::Sign { straight_through: false, at_zero: -1.0 });
        assert_eq!(msg(5, &[1.0]), "relu: takes at most 0 parameters (), got 1: [1]");
        assert_eq!(msg(22, &[-1.0]), "cappedRelu: maxValue must be a finite number >= 0, got -1");
        assert_eq!(msg(22, &[f32::INFINITY]), "cappedRelu: maxValue must be a finite number >= 0, got Infinity");
        assert_eq!(Activation::from_abi(22, &[0.0]).unwrap(), Activation::CappedRelu { max_value: 0.0 });
        assert!(msg(23, &[]).starts_with("activation: unknown activation kind 23; valid kinds are 0..=22 (linear, stairStep,"));
    }

    /// Forward and backward of every kind, split over the pool, give the bits of one run on
    /// one thread, for 0, 1, 2, 3 and 8 workers, at lengths around the chunk (and rows of
    /// 13, 1000 and CHUNK + 1 for the row-wise kinds).
    #[test]
    fn split_runs_give_the_single_run_bits_for_any_number_of_workers() {
        use crate::kernels::elementwise::CHUNK;
        use crate::parallel::testing::same_bits_for_all_counts;
        let val = |i: usize, s: u32| ((i as u32).wrapping_mul(2_654_435_761) ^ s) as f32 / u32::MAX as f32 * 10.0 - 5.0;
        let mut cases = Vec::new();
        for act in Activation::all_defaults() {
            let shapes: Vec<(usize, usize)> = if act.is_row_wise() {
                vec![(1, 13), (7, 13), (CHUNK / 13, 13), (CHUNK / 13 + 1, 13), (33, 1000), (2, CHUNK + 1)]
            } else {
                [0, 1, 7, 13, 509, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1].iter().map(|&n| (1, n)).collect()
            };
            for (rows, cols) in shapes {
                cases.push((act, rows * cols, cols));
            }
        }
        let run = |serial: bool| {
            let mut all = Vec::new();
            for (act, n, cols) in &cases {
                let x: Vec<f32> = (0..*n).map(|i| val(i, 1)).collect();
                let dy: Vec<f32> = (0..*n).map(|i| val(i, 2)).collect();
                let (mut y, mut dx) = (vec![f32::NAN; *n], vec![f32::NAN; *n]);
                if serial {
                    act.forward_run(&x, &mut y, *cols);
                    act.backward_run(&x, &y, &dy, &mut dx, *cols);
                } else {
                    act.forward(&x, &mut y, *cols);
                    act.backward(&x, &y, &dy, &mut dx, *cols);
                }
                all.extend(y);
                all.extend(dx);
            }
            all
        };
        let got = same_bits_for_all_counts("activations", || run(false));
        let want = run(true);
        assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()));
    }

    /// `forward_in_place` (through its stack buffer, a piece at a time) gives the bits of
    /// `forward`, for every kind, at lengths around the buffer, with NaN, ±∞ and ±0 among the
    /// values; a row-wise kind with rows longer than the buffer says so (the GEMM's callers
    /// then activate after, see `ops::affine::split_activation`).
    #[test]
    fn in_place_gives_the_bits_of_forward() {
        let special = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, 1e30, -1e-30];
        let val = |i: usize| special.get(i % 97).copied().unwrap_or(((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32 * 20.0 - 10.0);
        for act in Activation::all_defaults() {
            let shapes: Vec<(usize, usize)> = if act.is_row_wise() {
                vec![(0, 5), (1, 13), (200, 13), (3, IN_PLACE), (5, 1000)]
            } else {
                [0, 1, 3, IN_PLACE - 1, IN_PLACE, IN_PLACE + 5, 3 * IN_PLACE + 2].iter().map(|&n| (1, n)).collect()
            };
            for (rows, cols) in shapes {
                let x: Vec<f32> = (0..rows * cols).map(val).collect();
                let mut want = vec![0.0; x.len()];
                act.forward(&x, &mut want, cols);
                let mut got = x.clone();
                act.forward_in_place(&mut got, cols);
                assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()), "{} rows {rows} of {cols}", act.name());
            }
        }
        assert_eq!(Activation::Softmax.in_place_piece(IN_PLACE + 1), 0);
        assert_eq!(Activation::Softmax.in_place_piece(0), 0);
        assert_eq!(Activation::Softmax.in_place_piece(300), 900);
        assert_eq!(Activation::Relu.in_place_piece(IN_PLACE + 1), IN_PLACE);
    }
}
