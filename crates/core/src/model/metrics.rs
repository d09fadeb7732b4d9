//! Metrics reported during `fit` and `evaluate`. `accuracy` resolves to binary, categorical or
//! sparse accuracy from the loss and the output's shape, as TF.js does: categorical for the
//! categorical cross-entropy and KL divergence, sparse for the sparse one, binary for binary
//! cross-entropy, hinge and squared hinge; for the other losses (mse, mae, huber, mape, msle,
//! logcosh, poisson, categorical hinge, cosine proximity) binary when each sample's output has
//! one value, else categorical.
//!
//! - binary accuracy: mean of `target == [pred > 0.5]` over all elements, as TF.js and Keras
//!   (a target other than 0 or 1 never matches); for losses on logits and hinge (targets ±1 or
//!   0/1), `[pred > 0] == [target > 0]`
//! - categorical accuracy: mean over rows of `argmax(pred) == argmax(target)`
//! - sparse categorical accuracy: mean over rows of `argmax(pred) == target`
//! - mse / mae: mean squared / absolute error over all elements
//!
//! Weighted (Keras 3's `weighted_metrics`, [`Metric::compute_weighted`]): `Σ wᵣ·mᵣ / Σ wᵣ` over
//! the rows r (a sample, or a step of a sequence output), `mᵣ` the row's metric (its hit, or its
//! mean over the last axis for binary accuracy, mse and mae), `wᵣ` its sample weight.

use crate::losses::Loss;
use crate::{bail, Result};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    BinaryAccuracy { threshold: f32 },
    CategoricalAccuracy,
    /// `accuracy` under a loss that does not decide it: binary (threshold 0.5) when each
    /// sample's output has one value, else categorical (TF.js's rule).
    AccuracyByShape,
    SparseCategoricalAccuracy,
    MeanSquaredError,
    MeanAbsoluteError,
}

impl Metric {
    /// The public names, indexed by ABI id (append-only); `accuracy` resolves from the loss.
    /// `ts/models/compile.ts` `METRICS` is checked against this by `test/codes.test.ts`.
    pub const ABI_NAMES: [&'static str; 6] = ["accuracy", "binaryAccuracy", "categoricalAccuracy", "sparseCategoricalAccuracy", "mse", "mae"];

    /// ABI ids: 0 accuracy (resolved from the loss), 1 binaryAccuracy, 2 categoricalAccuracy,
    /// 3 sparseCategoricalAccuracy, 4 mse, 5 mae.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32, loss: &Loss) -> Result<Metric> {
        Ok(match id {
            0 => match loss {
                Loss::CategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence => Metric::CategoricalAccuracy,
                Loss::SparseCategoricalCrossentropy { .. } => Metric::SparseCategoricalAccuracy,
                Loss::BinaryCrossentropy { from_logits: true, .. } => Metric::BinaryAccuracy { threshold: 0.0 },
                Loss::Hinge | Loss::SquaredHinge => Metric::BinaryAccuracy { threshold: 0.0 },
                Loss::BinaryCrossentropy { .. } => Metric::BinaryAccuracy { threshold: 0.5 },
                // TF.js's rule for every other loss (training.ts: binary for one output, else categorical).
                _ => Metric::AccuracyByShape,
            },
            1 => Metric::BinaryAccuracy { threshold: 0.5 },
            2 => Metric::CategoricalAccuracy,
            3 => Metric::SparseCategoricalAccuracy,
            4 => Metric::MeanSquaredError,
            5 => Metric::MeanAbsoluteError,
            _ => bail!("compile", "unknown metric id {id} (known ids are 0..{}: {})", Metric::ABI_NAMES.len(), Metric::ABI_NAMES.join(", ")),
        })
    }

    /// The name of the metric that ran (`binaryAccuracy`, …; `accuracy` resolved), for
    /// messages: its entry in [`Metric::ABI_NAMES`], the ids [`Metric::from_abi`] reads.
    pub fn name(&self) -> &'static str {
        Metric::ABI_NAMES[match self {
            Metric::AccuracyByShape => 0,
            Metric::BinaryAccuracy { .. } => 1,
            Metric::CategoricalAccuracy => 2,
            Metric::SparseCategoricalAccuracy => 3,
            Metric::MeanSquaredError => 4,
            Metric::MeanAbsoluteError => 5,
        }]
    }

    /// Checks targets of shape `target` against predictions of shape `pred` (batch first) for
    /// this metric, as the losses check theirs: a metric never reads a part of the targets.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check(&self, pred: &[usize], target: &[usize]) -> Result<()> {
        if let Metric::AccuracyByShape = self {
            return Metric::by_shape(pred.last().copied().filter(|_| pred.len() > 1).unwrap_or(1)).check(pred, target);
        }
        let (name, show) = (self.name(), |d: &[usize]| crate::Shape::from(d.to_vec()));
        let sparse = pred.split_last().map(|(_, lead)| lead.to_vec()).unwrap_or_default();
        // A trailing axis of 1 on either side is the same shape, as the losses take it.
        let same = crate::losses::check::same_up_to_trailing_one;
        match self {
            Metric::SparseCategoricalAccuracy => {
                if !same(target, &sparse) {
                    crate::bail_shape!(name, "takes class indices of shape {} (or {} with a last axis of 1) for predictions of shape {}, got targets of shape {}; for one-hot targets use categoricalAccuracy", show(&sparse), show(&[&sparse[..], &[1]].concat()), show(pred), show(target));
                }
            }
            _ if !same(target, pred) => {
                let hint = if matches!(self, Metric::CategoricalAccuracy) && target == sparse.as_slice() { "; for class indices use sparseCategoricalAccuracy (or 'accuracy', which follows the loss)" } else { "" };
                crate::bail_shape!(name, "compares targets with predictions value by value, so they need the predictions' shape {}, got {}{hint}", show(pred), show(target));
            }
            _ => {}
        }
        Ok(())
    }

    /// [`Metric::AccuracyByShape`] for outputs of `cols` values per sample.
    fn by_shape(cols: usize) -> Metric {
        if cols == 1 { Metric::BinaryAccuracy { threshold: 0.5 } } else { Metric::CategoricalAccuracy }
    }

    /// The metric weighted by rows (Keras 3's `weighted_metrics`): `(Σ wᵣ·mᵣ / Σ wᵣ, Σ wᵣ)` over
    /// the rows r of `pred` (rows × cols; `target` rows × cols, or rows for sparse), `mᵣ` the
    /// metric of row r alone, `wᵣ = w[r / (rows / w.len())]` (a weight per sample of `rows /
    /// w.len()` rows, or per row). The mean is 0 when `Σ wᵣ` is 0 (Keras's `divide_no_nan`);
    /// sums in f64.
    pub fn compute_weighted(&self, pred: &[f32], target: &[f32], cols: usize, w: &[f32]) -> (f32, f32) {
        let m = if let Metric::AccuracyByShape = self { Metric::by_shape(cols) } else { *self };
        let cols = cols.max(1);
        let rows = pred.len() / cols;
        if rows == 0 || w.is_empty() {
            return (0.0, 0.0);
        }
        let per = (rows / w.len()).max(1);
        let t_cols = (target.len() / rows).max(1);
        let (mut sum, mut total) = (0.0f64, 0.0f64);
        for (r, (p, t)) in pred.chunks_exact(cols).zip(target.chunks_exact(t_cols)).enumerate() {
            let wr = f64::from(w.get(r / per).copied().unwrap_or(0.0));
            total += wr;
            if wr != 0.0 {
                sum += wr * f64::from(m.compute(p, t, cols));
            }
        }
        let mean = if total == 0.0 { 0.0 } else { (sum / total) as f32 };
        (mean, total as f32)
    }

    /// [`Metric::compute`] over the rows whose `mask` value is not 0 (Keras 3's metrics weigh
    /// each row by the output's mask): 0 when none is left.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn compute_masked(&self, pred: &[f32], target: &[f32], cols: usize, mask: &[f32]) -> f32 {
        let rows = mask.len();
        let (pc, tc) = (pred.len() / rows.max(1), target.len() / rows.max(1));
        let keep = |v: &[f32], c: usize| -> Vec<f32> { v.chunks_exact(c.max(1)).zip(mask).filter(|(_, &m)| m != 0.0).flat_map(|(r, _)| r.iter().copied()).collect() };
        let (p, t) = (keep(pred, pc), keep(target, tc));
        if p.is_empty() {
            return 0.0;
        }
        self.compute(&p, &t, cols)
    }

    /// The metric on one batch: `pred` is rows × cols; `target` is rows × cols, or rows for sparse.
    pub fn compute(&self, pred: &[f32], target: &[f32], cols: usize) -> f32 {
        if let Metric::AccuracyByShape = self {
            return Metric::by_shape(cols).compute(pred, target, cols);
        }
        let n = pred.len().max(1) as f32;
        let argmax = |r: &[f32]| r.iter().enumerate().fold(0, |b, (i, &v)| if v > r[b] { i } else { b });
        match *self {
            Metric::BinaryAccuracy { threshold } if threshold == 0.0 => pred.iter().zip(target).filter(|(&p, &t)| (p > 0.0) == (t > 0.0)).count() as f32 / n,
            Metric::BinaryAccuracy { threshold } => pred.iter().zip(target).filter(|(&p, &t)| t == if p > threshold { 1.0 } else { 0.0 }).count() as f32 / n,
            Metric::CategoricalAccuracy => {
                let rows = pred.len() / cols.max(1);
                let hits = pred.chunks_exact(cols).zip(target.chunks_exact(cols)).filter(|(p, t)| argmax(p) == argmax(t)).count();
                hits as f32 / rows.max(1) as f32
            }
            Metric::SparseCategoricalAccuracy => {
                let rows = pred.len() / cols.max(1);
                let hits = pred.chunks_exact(cols).zip(target).filter(|(p, &t)| argmax(p) as f32 == t).count();
                hits as f32 / rows.max(1) as f32
            }
            // The losses' own forward (a float64 sum): `compile({ loss: 'mse', metrics: ['mse'] })`
            // reports one number twice, not two roundings of it.
            Metric::MeanSquaredError if !pred.is_empty() => crate::losses::mse::forward(pred, target, 1, pred.len()),
            Metric::MeanAbsoluteError if !pred.is_empty() => crate::losses::mae::forward(pred, target, 1, pred.len()),
            Metric::MeanSquaredError | Metric::MeanAbsoluteError => 0.0,
            Metric::AccuracyByShape => Metric::by_shape(cols).compute(pred, target, cols),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mse_and_mae_metrics_are_the_losses_values() {
        // 3000 values whose float32 running sum rounds differently from the float64 one.
        let pred: Vec<f32> = (0..3000).map(|i| ((i * 37 % 101) as f32) * 0.013 + 0.1).collect();
        let target: Vec<f32> = (0..3000).map(|i| ((i * 53 % 97) as f32) * 0.011).collect();
        let l = Loss::MeanSquaredError;
        let mse = Metric::from_abi(Metric::ABI_NAMES.iter().position(|&n| n == "mse").unwrap() as u32, &l).unwrap();
        let mae = Metric::from_abi(Metric::ABI_NAMES.iter().position(|&n| n == "mae").unwrap() as u32, &l).unwrap();
        assert_eq!(mse.compute(&pred, &target, 30).to_bits(), crate::losses::mse::forward(&pred, &target, 100, 30).to_bits());
        assert_eq!(mae.compute(&pred, &target, 30).to_bits(), crate::losses::mae::forward(&pred, &target, 100, 30).to_bits());
        assert_eq!(mse.compute(&[], &[], 3), 0.0);
    }

    #[test]
    fn every_name_has_an_id() {
        let l = Loss::MeanSquaredError;
        for id in 0..Metric::ABI_NAMES.len() as u32 {
            let m = Metric::from_abi(id, &l).unwrap();
            // Every metric names itself by its own id ('accuracy' by the one it resolved to).
            assert_eq!(Metric::from_abi(Metric::ABI_NAMES.iter().position(|&n| n == m.name()).unwrap() as u32, &l).unwrap(), m);
            if id > 0 {
                assert_eq!(m.name(), Metric::ABI_NAMES[id as usize]);
            }
        }
        assert!(Metric::from_abi(6, &l).unwrap_err().to_string().starts_with("compile: unknown metric id 6 (known ids are 0..6: accuracy,"));
    }

    /// Weighted: Σ w·m / Σ w over rows (Keras 3's weighted_metrics), by hand.
    #[test]
    fn weighted_metrics_by_hand() {
        let p = [0.1, 0.9, 0.8, 0.2, 0.3, 0.7];
        let t = [0., 1., 0., 1., 1., 0.];
        // Row hits 1, 0, 0; weights 2, 1, 0.5: 2 / 3.5.
        assert_eq!(Metric::CategoricalAccuracy.compute_weighted(&p, &t, 2, &[2.0, 1.0, 0.5]), ((2.0f64 / 3.5) as f32, 3.5));
        // mae per row: 0.1, 0.8, 0.7; weights 0, 4, 1: (3.2 + 0.7) / 5.
        let (m, s) = Metric::MeanAbsoluteError.compute_weighted(&p, &t, 2, &[0.0, 4.0, 1.0]);
        assert!((m - 0.78).abs() < 1e-6 && s == 5.0, "{m} {s}");
        // All weights 0: 0 (Keras's divide_no_nan); no rows: 0.
        assert_eq!(Metric::MeanSquaredError.compute_weighted(&p, &t, 2, &[0.0; 3]), (0.0, 0.0));
        assert_eq!(Metric::MeanSquaredError.compute_weighted(&[], &[], 2, &[]), (0.0, 0.0));
        // Equal weights: the plain metric. A weight per sample of 3 rows each (sequence outputs).
        assert_eq!(Metric::MeanSquaredError.compute_weighted(&p, &t, 2, &[1.5; 3]).0, Metric::MeanSquaredError.compute(&p, &t, 2));
        assert_eq!(Metric::SparseCategoricalAccuracy.compute_weighted(&p, &[1., 0., 0.], 2, &[3.0]), ((2.0f64 / 3.0) as f32, 9.0));
    }

    #[test]
    fn accuracies() {
        let p = [0.1, 0.9, 0.8, 0.2];
        assert_eq!(Metric::CategoricalAccuracy.compute(&p, &[0., 1., 0., 1.], 2), 0.5);
        assert_eq!(Metric::SparseCategoricalAccuracy.compute(&p, &[1., 0.], 2), 1.0);
        assert_eq!(Metric::BinaryAccuracy { threshold: 0.5 }.compute(&p, &[0., 1., 1., 1.], 1), 0.75);
        // As TF.js: the target is compared as it is (0.9 and 2 are never a match).
        assert_eq!(Metric::BinaryAccuracy { threshold: 0.5 }.compute(&[1., 1., 1., 1.], &[0.9, 2., 0., 1.], 1), 0.25);
        assert_eq!(Metric::BinaryAccuracy { threshold: 0.0 }.compute(&[0.3, -2., 1., -1.], &[1., -1., -1., 0.], 1), 0.75);
    }

    /// `accuracy` under mse, mae and huber follows the output's shape (TF.js): categorical for
    /// several values per sample (it was binary, element by element: 0.58 where TF.js says
    /// 0.33), binary for one; its checks follow the same rule.
    #[test]
    fn accuracy_under_a_regression_loss_follows_the_output_shape() {
        for loss in [Loss::MeanSquaredError, Loss::MeanAbsoluteError, Loss::Huber { delta: 1.0 }] {
            let m = Metric::from_abi(0, &loss).unwrap();
            assert_eq!(m, Metric::AccuracyByShape);
            assert_eq!(m.name(), "accuracy");
            // Two rows of 3: argmax hits in row 0 only; element-wise it would be 4/6.
            let (p, t) = ([0.1, 0.7, 0.2, 0.6, 0.3, 0.1], [0., 1., 0., 0., 1., 0.]);
            assert_eq!(m.compute(&p, &t, 3), 0.5);
            assert_eq!(m.compute(&[0.2, 0.8, 0.6], &[0., 1., 0.], 1), 2.0 / 3.0);
            assert!(m.check(&[20, 3], &[20, 3]).is_ok() && m.check(&[20, 1], &[20]).is_ok() && m.check(&[20], &[20]).is_ok());
            assert!(m.check(&[20, 3], &[20]).unwrap_err().to_string().starts_with("categoricalAccuracy:"));
        }
        assert_eq!(Metric::from_abi(0, &Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 }).unwrap(), Metric::BinaryAccuracy { threshold: 0.5 });
    }

    #[test]
    fn targets_are_checked_against_the_predictions() {
        let e = |m: Metric, t: &[usize]| m.check(&[20, 3], t).map_err(|e| e.to_string());
        assert!(e(Metric::CategoricalAccuracy, &[20, 3]).is_ok());
        assert_eq!(e(Metric::CategoricalAccuracy, &[20]).unwrap_err(), "categoricalAccuracy: compares targets with predictions value by value, so they need the predictions' shape [20,3], got [20]; for class indices use sparseCategoricalAccuracy (or 'accuracy', which follows the loss)");
        assert!(e(Metric::SparseCategoricalAccuracy, &[20]).is_ok() && e(Metric::SparseCategoricalAccuracy, &[20, 1]).is_ok());
        assert_eq!(e(Metric::SparseCategoricalAccuracy, &[20, 3]).unwrap_err(), "sparseCategoricalAccuracy: takes class indices of shape [20] (or [20,1] with a last axis of 1) for predictions of shape [20,3], got targets of shape [20,3]; for one-hot targets use categoricalAccuracy");
        assert!(e(Metric::BinaryAccuracy { threshold: 0.5 }, &[20]).is_err() && e(Metric::MeanSquaredError, &[20, 3]).is_ok());
        // [n] and [n, 1] are the same targets for a prediction [n, 1] (and for sparse indices).
        assert!(Metric::BinaryAccuracy { threshold: 0.5 }.check(&[20, 1], &[20]).is_ok());
        assert!(Metric::SparseCategoricalAccuracy.check(&[20, 3], &[20, 1]).is_ok());
        assert_eq!(Metric::MeanAbsoluteError.compute(&[1., 2.], &[0., 0.], 1), 1.5);
    }
}
