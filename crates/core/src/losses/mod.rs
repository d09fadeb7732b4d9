//! Losses: one file per loss, each with its forward, its gradient and its tests. This file is
//! the registry: the [`Loss`] enum, its ABI ids and the dispatch.
//!
//! # Conventions (Keras semantics)
//! Predictions are viewed as `rows × cols`, where `cols` is the last axis and `rows` is every
//! axis before it. Each loss first reduces over the last axis to a per-sample value (a mean
//! for MSE, MAE, Huber, binary cross-entropy, the hinges, MAPE, MSLE, log-cosh and Poisson; a
//! sum over classes for categorical cross-entropy and KL divergence; a row-wise value for
//! categorical hinge and cosine proximity) and then averages those over the rows (Keras's default
//! reduction `"sum_over_batch_size"`). [`Loss::backward`] writes `d(mean loss)/d(pred)`.
//!
//! Keras reference: <https://keras.io/api/losses/>. Probabilities are clipped to
//! `[ε, 1 − ε]` with `ε = 1e-7` ([`EPSILON`], Keras's `backend.epsilon()`), and the clip has a
//! zero gradient outside that interval (inclusive at its ends, as TF.js's `clipByValue`).
//!
//! The losses added from TF.js's compile list (ids 8–14: MAPE, MSLE, log-cosh, Poisson, the
//! squared and categorical hinges, cosine proximity) are compiled for size in the wasm build
//! (`optimize(size)`): a loss costs O(outputs) per step beside the layers' O(weights), and the
//! module's size budget is tight.
//!
//! ```
//! use neurite_core::losses::Loss;
//! let mse = Loss::from_abi(0, &[]).unwrap();
//! assert_eq!(mse.forward(&[1.0, 2.0], &[0.0, 0.0], 1, 2), 2.5);
//! ```

pub mod binary_crossentropy;
pub mod categorical_crossentropy;
pub mod categorical_hinge;
pub mod check;
pub mod cosine_proximity;
pub mod dice;
pub mod hinge;
pub mod huber;
pub mod kl_divergence;
pub mod logcosh;
pub mod mae;
pub mod mape;
pub mod mse;
pub mod msle;
pub mod poisson;
pub mod reduction;
pub mod sparse_categorical_crossentropy;
pub mod squared_hinge;

pub use reduction::Reduction;

use crate::{bail, Result};
use crate::error::js_number;

/// The fuzz factor of Keras (`keras.backend.epsilon()`) and TF.js (`backend.epsilon()` for
/// float32): probabilities are clipped to `[EPSILON, 1 − EPSILON]`.
pub const EPSILON: f32 = 1e-7;

/// A loss and its options. Ids (the order of [`Loss::KIND_NAMES`]) are the ABI: append-only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    MeanSquaredError,
    MeanAbsoluteError,
    Huber { delta: f32 },
    BinaryCrossentropy { from_logits: bool, label_smoothing: f32 },
    CategoricalCrossentropy { from_logits: bool, label_smoothing: f32 },
    /// `ignore_class`: Keras 3's, targets of that class count neither in the loss nor in the
    /// mean's denominator (`sparse_categorical_crossentropy.rs`).
    SparseCategoricalCrossentropy { from_logits: bool, ignore_class: Option<i32> },
    KullbackLeiblerDivergence,
    Hinge,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Logcosh,
    Poisson,
    SquaredHinge,
    CategoricalHinge,
    CosineProximity,
    /// Keras 3's Dice loss over the whole batch (`dice.rs`).
    Dice,
}

impl Loss {
    /// The public names, indexed by ABI id.
    pub const KIND_NAMES: [&'static str; 16] = [
        "meanSquaredError",
        "meanAbsoluteError",
        "huber",
        "binaryCrossentropy",
        "categoricalCrossentropy",
        "sparseCategoricalCrossentropy",
        "kullbackLeiblerDivergence",
        "hinge",
        "meanAbsolutePercentageError",
        "meanSquaredLogarithmicError",
        "logcosh",
        "poisson",
        "squaredHinge",
        "categoricalHinge",
        "cosineProximity",
        "dice",
    ];

    /// The parameters of each kind, in ABI order (the TS option names; `ts/options.ts` is
    /// checked against this by `test/codes.test.ts`).
    pub const PARAMS: [&'static [&'static str]; 16] = [
        &[],
        &[],
        &["delta"],
        &["fromLogits", "labelSmoothing"],
        &["fromLogits", "labelSmoothing"],
        &["fromLogits", "ignoreClass"],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
        &[],
    ];

    /// The ABI id of this loss.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn kind(&self) -> u32 {
        match self {
            Loss::MeanSquaredError => 0,
            Loss::MeanAbsoluteError => 1,
            Loss::Huber { .. } => 2,
            Loss::BinaryCrossentropy { .. } => 3,
            Loss::CategoricalCrossentropy { .. } => 4,
            Loss::SparseCategoricalCrossentropy { .. } => 5,
            Loss::KullbackLeiblerDivergence => 6,
            Loss::Hinge => 7,
            Loss::MeanAbsolutePercentageError => 8,
            Loss::MeanSquaredLogarithmicError => 9,
            Loss::Logcosh => 10,
            Loss::Poisson => 11,
            Loss::SquaredHinge => 12,
            Loss::CategoricalHinge => 13,
            Loss::CosineProximity => 14,
            Loss::Dice => 15,
        }
    }

    /// The public (TS) name, e.g. `"binaryCrossentropy"`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn name(&self) -> &'static str {
        Loss::KIND_NAMES[self.kind() as usize]
    }

    /// A loss from its ABI id and parameters:
    /// - `huber`: `[delta]` (> 0; Keras default 1);
    /// - `binaryCrossentropy`, `categoricalCrossentropy`: `[from_logits (0|1), label_smoothing
    ///   (in [0, 1])]`;
    /// - `sparseCategoricalCrossentropy`: `[from_logits (0|1), ignore_class (an integer, or NaN
    ///   for none)]`;
    /// - every other loss: `[]`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: u32, params: &[f32]) -> Result<Loss> {
        const OP: &str = "loss";
        let Some(&name) = Loss::KIND_NAMES.get(kind as usize) else {
            bail!(OP, "unknown loss id {kind} (known ids are 0..{})", Loss::KIND_NAMES.len());
        };
        let want = Loss::PARAMS[kind as usize].len();
        if params.len() != want {
            bail!(OP, "{name} takes {want} parameter(s), got {}", params.len());
        }
        let flag = |i: usize, field: &str| -> Result<bool> {
            let v = params[i];
            if v != 0.0 && v != 1.0 {
                bail!(name, "{field} must be 0 or 1 (false or true), got {v}", v = js_number(v));
            }
            Ok(v == 1.0)
        };
        let smoothing = |i: usize| -> Result<f32> {
            let s = params[i];
            if !(0.0..=1.0).contains(&s) {
                bail!(name, "labelSmoothing must be in [0, 1], got {s}", s = js_number(s));
            }
            Ok(s)
        };
        Ok(match kind {
            0 => Loss::MeanSquaredError,
            1 => Loss::MeanAbsoluteError,
            2 => {
                let delta = params[0];
                if !(delta.is_finite() && delta > 0.0) {
                    bail!(name, "delta must be a finite number > 0, got {delta}", delta = js_number(delta));
                }
                Loss::Huber { delta }
            }
            3 => Loss::BinaryCrossentropy { from_logits: flag(0, "fromLogits")?, label_smoothing: smoothing(1)? },
            4 => Loss::CategoricalCrossentropy { from_logits: flag(0, "fromLogits")?, label_smoothing: smoothing(1)? },
            5 => {
                let c = params[1];
                if !c.is_nan() && !(c.fract() == 0.0 && c.abs() <= 16_777_216.0) {
                    bail!(name, "ignoreClass must be an integer (a class index such as -1 or 255), got {c}", c = js_number(c));
                }
                Loss::SparseCategoricalCrossentropy { from_logits: flag(0, "fromLogits")?, ignore_class: (!c.is_nan()).then_some(c as i32) }
            }
            6 => Loss::KullbackLeiblerDivergence,
            7 => Loss::Hinge,
            8 => Loss::MeanAbsolutePercentageError,
            9 => Loss::MeanSquaredLogarithmicError,
            10 => Loss::Logcosh,
            11 => Loss::Poisson,
            12 => Loss::SquaredHinge,
            13 => Loss::CategoricalHinge,
            14 => Loss::CosineProximity,
            _ => Loss::Dice,
        })
    }

    /// The ABI parameters of this loss (the inverse of [`Loss::from_abi`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn abi_params(&self) -> Vec<f32> {
        let b = |v: bool| if v { 1.0 } else { 0.0 };
        match *self {
            Loss::Huber { delta } => vec![delta],
            Loss::BinaryCrossentropy { from_logits, label_smoothing }
            | Loss::CategoricalCrossentropy { from_logits, label_smoothing } => vec![b(from_logits), label_smoothing],
            Loss::SparseCategoricalCrossentropy { from_logits, ignore_class } => vec![b(from_logits), ignore_class.map_or(f32::NAN, |c| c as f32)],
            _ => Vec::new(),
        }
    }

    /// Checks targets against predictions: `pred` is rows×cols (cols = last axis).
    /// - Dense losses need `target` of the prediction's shape (a trailing axis of size 1 may be
    ///   added or dropped, as Keras's `squeeze_or_expand_to_same_rank`).
    /// - Sparse categorical cross-entropy needs one target per row, each an integer in `0..cols`.
    /// - Cross-entropies and KL divergence need targets in `[0, 1]`; hinge and squared hinge
    ///   need targets all in `{-1, 1}` or all in `{0, 1}` (0/1 labels are converted to −1/1,
    ///   as Keras does); the other losses take any finite target, as TF.js.
    /// - NaN or ±Infinity in a target is an error naming its index.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check(&self, pred_shape: &[usize], target_shape: &[usize], target: &[f32]) -> Result<()> {
        check::check(self, pred_shape, target_shape, target)
    }

    /// Mean loss over the batch (Keras `"sum_over_batch_size"`: the per-sample loss averaged
    /// over `rows`). The caller has run [`Loss::check`]; inconsistent lengths never panic.
    /// Of no values, what the formula gives ([`Loss::of_nothing`]).
    pub fn forward(&self, pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
        if rows == 0 || cols == 0 {
            return self.of_nothing(rows);
        }
        match *self {
            Loss::MeanSquaredError => mse::forward(pred, target, rows, cols),
            Loss::MeanAbsoluteError => mae::forward(pred, target, rows, cols),
            Loss::Huber { delta } => huber::forward(pred, target, rows, cols, delta),
            Loss::BinaryCrossentropy { from_logits, label_smoothing } => {
                binary_crossentropy::forward(pred, target, rows, cols, from_logits, label_smoothing)
            }
            Loss::CategoricalCrossentropy { from_logits, label_smoothing } => {
                categorical_crossentropy::forward(pred, target, rows, cols, from_logits, label_smoothing)
            }
            Loss::SparseCategoricalCrossentropy { from_logits, ignore_class } => {
                sparse_categorical_crossentropy::forward(pred, target, rows, cols, from_logits, ignore_class)
            }
            Loss::KullbackLeiblerDivergence => kl_divergence::forward(pred, target, rows, cols),
            Loss::Hinge => hinge::forward(pred, target, rows, cols),
            Loss::MeanAbsolutePercentageError => mape::forward(pred, target, rows, cols),
            Loss::MeanSquaredLogarithmicError => msle::forward(pred, target, rows, cols),
            Loss::Logcosh => logcosh::forward(pred, target, rows, cols),
            Loss::Poisson => poisson::forward(pred, target, rows, cols),
            Loss::SquaredHinge => squared_hinge::forward(pred, target, rows, cols),
            Loss::CategoricalHinge => categorical_hinge::forward(pred, target, rows, cols),
            Loss::CosineProximity => cosine_proximity::forward(pred, target, rows, cols),
            Loss::Dice => dice::forward(pred, target, rows, cols),
        }
    }

    /// `dpred = d(mean loss)/d(pred)`, overwritten.
    pub fn backward(&self, pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
        dpred.fill(0.0);
        if rows == 0 || cols == 0 {
            return;
        }
        match *self {
            Loss::MeanSquaredError => mse::backward(pred, target, rows, cols, dpred),
            Loss::MeanAbsoluteError => mae::backward(pred, target, rows, cols, dpred),
            Loss::Huber { delta } => huber::backward(pred, target, rows, cols, delta, dpred),
            Loss::BinaryCrossentropy { from_logits, label_smoothing } => {
                binary_crossentropy::backward(pred, target, rows, cols, from_logits, label_smoothing, dpred)
            }
            Loss::CategoricalCrossentropy { from_logits, label_smoothing } => {
                categorical_crossentropy::backward(pred, target, rows, cols, from_logits, label_smoothing, dpred)
            }
            Loss::SparseCategoricalCrossentropy { from_logits, ignore_class } => {
                sparse_categorical_crossentropy::backward(pred, target, rows, cols, from_logits, ignore_class, dpred)
            }
            Loss::KullbackLeiblerDivergence => kl_divergence::backward(pred, target, rows, cols, dpred),
            Loss::Hinge => hinge::backward(pred, target, rows, cols, dpred),
            Loss::MeanAbsolutePercentageError => mape::backward(pred, target, rows, cols, dpred),
            Loss::MeanSquaredLogarithmicError => msle::backward(pred, target, rows, cols, dpred),
            Loss::Logcosh => logcosh::backward(pred, target, rows, cols, dpred),
            Loss::Poisson => poisson::backward(pred, target, rows, cols, dpred),
            Loss::SquaredHinge => squared_hinge::backward(pred, target, rows, cols, dpred),
            Loss::CategoricalHinge => categorical_hinge::backward(pred, target, rows, cols, dpred),
            Loss::CosineProximity => cosine_proximity::backward(pred, target, rows, cols, dpred),
            Loss::Dice => dice::backward(pred, target, rows, cols, dpred),
        }
    }
}

impl Loss {
    /// The loss of `rows` rows of no values, as its formula gives it (TF.js's too:
    /// `tf.losses.meanSquaredError` of `[0, 3]` is NaN): a mean over no rows is NaN; a row's
    /// mean of nothing NaN, a row's sum of nothing 0 (the categorical cross-entropies, KL
    /// divergence and cosine proximity sum their row); Dice, one overlap of nothing, is
    /// `1 − 2·0 / (0 + ε)` = 1 (Keras's formula).
    pub fn of_nothing(&self, rows: usize) -> f32 {
        match self {
            Loss::Dice => 1.0,
            _ if rows == 0 => f32::NAN,
            Loss::CategoricalCrossentropy { .. } | Loss::SparseCategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence | Loss::CosineProximity => 0.0,
            _ => f32::NAN,
        }
    }

    /// The rows of `target` that count in the mean's denominator: `rows`, but for sparse
    /// categorical cross-entropy with `ignore_class` those whose target is another class.
    pub fn counted_rows(&self, target: &[f32], rows: usize) -> usize {
        match *self {
            Loss::SparseCategoricalCrossentropy { ignore_class, .. } => sparse_categorical_crossentropy::valid_rows(target, rows, ignore_class),
            _ => rows,
        }
    }

    /// Whether some rows may not count in the mean's denominator ([`Loss::counted_rows`]), so
    /// that a batch's mean depends on the batch (evaluate then averages batch by batch, as Keras).
    pub fn masks(&self) -> bool {
        matches!(self, Loss::SparseCategoricalCrossentropy { ignore_class: Some(_), .. })
    }

    /// Whether the loss has a gradient with respect to its targets (every loss but sparse
    /// categorical cross-entropy, whose targets are class indices).
    pub fn target_has_gradient(&self) -> bool {
        !matches!(self, Loss::SparseCategoricalCrossentropy { .. })
    }

    /// `dtarget = d(mean loss)/d(target)`, overwritten (zeros where
    /// [`Loss::target_has_gradient`] is false). Losses are differentiable in their targets as
    /// in TF.js and Keras, where they are made of ops: a target may be another network's
    /// output (distillation, a consistency loss).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn backward_target(&self, pred: &[f32], target: &[f32], rows: usize, cols: usize, dtarget: &mut [f32]) {
        dtarget.fill(0.0);
        if rows == 0 || cols == 0 {
            return;
        }
        match *self {
            Loss::MeanSquaredError => mse::backward_target(pred, target, rows, cols, dtarget),
            Loss::MeanAbsoluteError => mae::backward_target(pred, target, rows, cols, dtarget),
            Loss::Huber { delta } => huber::backward_target(pred, target, rows, cols, delta, dtarget),
            Loss::BinaryCrossentropy { from_logits, label_smoothing } => {
                binary_crossentropy::backward_target(pred, target, rows, cols, from_logits, label_smoothing, dtarget)
            }
            Loss::CategoricalCrossentropy { from_logits, label_smoothing } => {
                categorical_crossentropy::backward_target(pred, target, rows, cols, from_logits, label_smoothing, dtarget)
            }
            Loss::SparseCategoricalCrossentropy { .. } => {}
            Loss::KullbackLeiblerDivergence => kl_divergence::backward_target(pred, target, rows, cols, dtarget),
            Loss::Hinge => hinge::backward_target(pred, target, rows, cols, dtarget),
            Loss::MeanAbsolutePercentageError => mape::backward_target(pred, target, rows, cols, dtarget),
            Loss::MeanSquaredLogarithmicError => msle::backward_target(pred, target, rows, cols, dtarget),
            Loss::Logcosh => logcosh::backward_target(pred, target, rows, cols, dtarget),
            Loss::Poisson => poisson::backward_target(pred, target, rows, cols, dtarget),
            Loss::SquaredHinge => squared_hinge::backward_target(pred, target, rows, cols, dtarget),
            Loss::CategoricalHinge => categorical_hinge::backward_target(pred, target, rows, cols, dtarget),
            Loss::CosineProximity => cosine_proximity::backward_target(pred, target, rows, cols, dtarget),
            Loss::Dice => dice::backward_target(pred, target, rows, cols, dtarget),
        }
    }
}

/// `clip(p, ε, 1 − ε)` and whether `p` was inside (the clip passes the gradient only there).
#[inline]
pub(crate) fn clip_prob(p: f32) -> (f32, bool) {
    const HI: f32 = 1.0 - EPSILON;
    if p < EPSILON {
        (EPSILON, false)
    } else if p > HI {
        (HI, false)
    } else {
        (p, true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A NaN prediction gives a NaN loss and a NaN gradient at that value, for every loss (a
    /// `max(0.0)` or a `max/min` clamp used to drop it: hinge returned a finite loss, huber and
    /// mae finite gradients).
    #[test]
    fn a_nan_prediction_is_never_dropped() {
        let on_logits = [Loss::from_abi(3, &[1.0, 0.0]), Loss::from_abi(4, &[1.0, 0.0]), Loss::from_abi(5, &[1.0, f32::NAN])].map(Result::unwrap);
        for loss in every_loss().into_iter().chain(on_logits) {
            let (p, t): (&[f32], &[f32]) = match loss {
                Loss::SparseCategoricalCrossentropy { .. } => (&[f32::NAN, 0.3, 0.2, 0.5], &[0.0, 1.0]),
                Loss::Hinge | Loss::SquaredHinge => (&[f32::NAN, 0.5, 2.0, -1.0], &[1.0, -1.0, 1.0, -1.0]),
                _ => (&[f32::NAN, 0.3, 0.2, 0.5], &[0.0, 1.0, 0.5, 0.5]),
            };
            assert!(loss.forward(p, t, 2, 2).is_nan(), "{}: loss", loss.name());
            let mut d = [0.0; 4];
            loss.backward(p, t, 2, 2, &mut d);
            assert!(d[0].is_nan(), "{}: gradient {d:?}", loss.name());
            // Beside an infinite value in its row, the target on a third (a max that skipped the
            // NaN gave logsumexp ∞ and a loss of ∞ for the row).
            let t: &[f32] = if matches!(loss, Loss::SparseCategoricalCrossentropy { .. }) { &[2.0] } else { &[0.0, 0.0, 1.0] };
            if !matches!(loss, Loss::Hinge | Loss::SquaredHinge) {
                assert!(loss.forward(&[f32::NAN, f32::INFINITY, 1.0], t, 1, 3).is_nan(), "{}: loss beside ∞", loss.name());
            }
        }
    }

    /// Central finite differences of the mean loss, compared with `backward`.
    pub fn gradcheck(loss: Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize) {
        let mut d = vec![0.0; pred.len()];
        loss.backward(pred, target, rows, cols, &mut d);
        let h = 1e-3f32;
        for i in 0..pred.len() {
            let mut p = pred.to_vec();
            p[i] = pred[i] + h;
            let up = loss.forward(&p, target, rows, cols) as f64;
            p[i] = pred[i] - h;
            let down = loss.forward(&p, target, rows, cols) as f64;
            let fd = (up - down) / (2.0 * h as f64);
            let tol = 2e-3 + 1e-2 * fd.abs();
            assert!(
                (fd - d[i] as f64).abs() <= tol,
                "{}: d/dpred[{i}] analytic {} vs numeric {fd} (pred {pred:?}, target {target:?})",
                loss.name(),
                d[i]
            );
        }
    }

    #[test]
    fn ids_round_trip() {
        for (id, name) in Loss::KIND_NAMES.iter().enumerate() {
            let params: &[f32] = match id {
                2 => &[1.5],
                3 | 4 => &[1.0, 0.1],
                5 => &[1.0, -1.0],
                _ => &[],
            };
            let l = Loss::from_abi(id as u32, params).unwrap();
            assert_eq!(l.kind() as usize, id);
            assert_eq!(l.name(), *name);
            assert_eq!(l.abi_params(), params);
            assert_eq!(params.len(), Loss::PARAMS[id].len());
            assert_eq!(Loss::from_abi(id as u32, &l.abi_params()).unwrap(), l);
        }
    }

    #[test]
    fn bad_options_are_named() {
        let msg = |k, p: &[f32]| Loss::from_abi(k, p).unwrap_err().to_string();
        assert_eq!(msg(16, &[]), "loss: unknown loss id 16 (known ids are 0..16)");
        assert_eq!(msg(2, &[]), "loss: huber takes 1 parameter(s), got 0");
        assert_eq!(msg(2, &[-1.0]), "huber: delta must be a finite number > 0, got -1");
        assert_eq!(msg(3, &[0.5, 0.0]), "binaryCrossentropy: fromLogits must be 0 or 1 (false or true), got 0.5");
        assert_eq!(msg(4, &[0.0, 1.5]), "categoricalCrossentropy: labelSmoothing must be in [0, 1], got 1.5");
        assert_eq!(msg(4, &[0.0, f32::NAN]), "categoricalCrossentropy: labelSmoothing must be in [0, 1], got NaN");
        assert_eq!(msg(5, &[0.0, 0.5]), "sparseCategoricalCrossentropy: ignoreClass must be an integer (a class index such as -1 or 255), got 0.5");
        assert_eq!(Loss::from_abi(5, &[0.0, f32::NAN]).unwrap().abi_params()[1].is_nan(), true);
    }

    /// Every loss: the analytic gradient matches finite differences on generic inputs.
    #[test]
    fn gradients_match_finite_differences() {
        let probs = [0.2, 0.5, 0.3, 0.6, 0.3, 0.1];
        let logits = [0.3, -1.2, 2.0, 0.7, 0.1, -0.4];
        let onehot = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        let soft = [0.1, 0.7, 0.2, 0.5, 0.25, 0.25];
        let reals = [0.3, -1.2, 2.0, 0.7, 0.1, -0.4];
        let tgt = [1.0, -0.5, 0.25, 2.0, -1.0, 0.0];
        gradcheck(Loss::MeanSquaredError, &reals, &tgt, 2, 3);
        gradcheck(Loss::MeanAbsoluteError, &reals, &tgt, 2, 3);
        gradcheck(Loss::Huber { delta: 1.0 }, &reals, &tgt, 2, 3);
        gradcheck(Loss::Huber { delta: 0.3 }, &reals, &tgt, 3, 2);
        for from_logits in [false, true] {
            let pred = if from_logits { &logits } else { &probs };
            for s in [0.0, 0.2] {
                gradcheck(Loss::BinaryCrossentropy { from_logits, label_smoothing: s }, pred, &soft, 2, 3);
                gradcheck(Loss::CategoricalCrossentropy { from_logits, label_smoothing: s }, pred, &onehot, 2, 3);
                gradcheck(Loss::CategoricalCrossentropy { from_logits, label_smoothing: s }, pred, &soft, 2, 3);
            }
            gradcheck(Loss::SparseCategoricalCrossentropy { from_logits, ignore_class: None }, pred, &[1.0, 0.0], 2, 3);
            gradcheck(Loss::SparseCategoricalCrossentropy { from_logits, ignore_class: Some(-1) }, pred, &[-1.0, 0.0], 2, 3);
        }
        gradcheck(Loss::KullbackLeiblerDivergence, &probs, &soft, 2, 3);
        // Target rows that do not sum to 1: multi-hot, all zero, summing to 0.3 and 2.5.
        let odd = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 1.0, 1.0, 0.5];
        let probs4 = [0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.25, 0.25, 0.5, 0.1, 0.8, 0.1];
        let logits4 = [0.3, -1.2, 2.0, 0.7, 0.1, -0.4, 1.5, 0.0, -2.0, 0.4, 0.4, -0.9];
        for s in [0.0, 0.2] {
            for from_logits in [false, true] {
                let pred = if from_logits { &logits4 } else { &probs4 };
                gradcheck(Loss::CategoricalCrossentropy { from_logits, label_smoothing: s }, pred, &odd, 4, 3);
                gradcheck(Loss::BinaryCrossentropy { from_logits, label_smoothing: s }, pred, &odd, 4, 3);
            }
        }
        gradcheck(Loss::KullbackLeiblerDivergence, &probs4, &odd, 4, 3);
        gradcheck(Loss::Hinge, &reals, &[1.0, -1.0, 1.0, -1.0, -1.0, 1.0], 2, 3);
        gradcheck(Loss::Hinge, &reals, &[1.0, 0.0, 1.0, 0.0, 0.0, 1.0], 3, 2);
        gradcheck(Loss::SquaredHinge, &reals, &[1.0, -1.0, 1.0, -1.0, -1.0, 1.0], 2, 3);
        gradcheck(Loss::SquaredHinge, &reals, &[1.0, 0.0, 1.0, 0.0, 0.0, 1.0], 3, 2);
        // Targets of either sign and zero where the losses take them (MAPE's zero target, where
        // it divides by ε, is checked in mape.rs: too steep for float32 differences here).
        gradcheck(Loss::MeanAbsolutePercentageError, &reals, &[1.0, -0.5, 0.25, 2.0, -1.0, 0.5], 2, 3);
        gradcheck(Loss::MeanSquaredLogarithmicError, &[0.3, 1.2, 2.0, 0.7, 0.1, 4.0], &tgt, 2, 3);
        gradcheck(Loss::Logcosh, &reals, &tgt, 3, 2);
        gradcheck(Loss::Poisson, &[0.3, 1.2, 2.0, 0.7, 0.1, 4.0], &tgt, 2, 3);
        gradcheck(Loss::CategoricalHinge, &reals, &onehot, 2, 3);
        gradcheck(Loss::CategoricalHinge, &reals, &soft, 3, 2);
        gradcheck(Loss::CosineProximity, &reals, &tgt, 2, 3);
        gradcheck(Loss::CosineProximity, &logits4, &odd, 4, 3);
        gradcheck(Loss::Dice, &probs4, &odd, 4, 3);
        gradcheck(Loss::Dice, &reals, &tgt, 2, 3);
    }

    /// One loss of each kind, with its options.
    pub fn every_loss() -> Vec<Loss> {
        (0..Loss::KIND_NAMES.len() as u32)
            .map(|id| {
                let p: &[f32] = match id {
                    2 => &[1.0],
                    3 | 4 => &[0.0, 0.1],
                    5 => &[0.0, f32::NAN],
                    _ => &[],
                };
                Loss::from_abi(id, p).unwrap()
            })
            .collect()
    }

    #[test]
    fn empty_or_inconsistent_inputs_do_not_panic() {
        for l in every_loss() {
            // A mean over no rows is NaN; rows of nothing are a row's mean (NaN) or sum (0).
            let sums = matches!(l, Loss::CategoricalCrossentropy { .. } | Loss::SparseCategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence | Loss::CosineProximity);
            let dice = matches!(l, Loss::Dice);
            assert!(if dice { l.forward(&[], &[], 0, 3) == 1.0 } else { l.forward(&[], &[], 0, 3).is_nan() }, "{}", l.name());
            let two_empty_rows = l.forward(&[], &[], 2, 0);
            assert!(if dice { two_empty_rows == 1.0 } else if sums { two_empty_rows.to_bits() == 0 } else { two_empty_rows.is_nan() }, "{}", l.name());
            let mut d: [f32; 0] = [];
            l.backward(&[], &[], 0, 0, &mut d);
            // Inconsistent lengths (a caller bug) must not panic either.
            let _ = l.forward(&[0.5; 5], &[1.0; 2], 2, 3);
            let mut d = [0.0; 5];
            l.backward(&[0.5; 5], &[1.0; 2], 2, 3, &mut d);
            let mut d = [0.0; 2];
            l.backward(&[0.5; 6], &[1.0; 6], 2, 3, &mut d);
        }
    }
}
