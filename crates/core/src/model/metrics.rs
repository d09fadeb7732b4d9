//! Metrics reported during `fit` and `evaluate`. `accuracy` resolves to binary, categorical or
//! sparse accuracy from the loss, as Keras does.
//!
//! - binary accuracy: mean of `[pred > 0.5] == [target > 0.5]` over all elements
//!   (threshold 0 for losses on logits)
//! - categorical accuracy: mean over rows of `argmax(pred) == argmax(target)`
//! - sparse categorical accuracy: mean over rows of `argmax(pred) == target`
//! - mse / mae: mean squared / absolute error over all elements

use crate::losses::Loss;
use crate::{bail, Result};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    BinaryAccuracy { threshold: f32 },
    CategoricalAccuracy,
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
                Loss::Hinge => Metric::BinaryAccuracy { threshold: 0.0 },
                _ => Metric::BinaryAccuracy { threshold: 0.5 },
            },
            1 => Metric::BinaryAccuracy { threshold: 0.5 },
            2 => Metric::CategoricalAccuracy,
            3 => Metric::SparseCategoricalAccuracy,
            4 => Metric::MeanSquaredError,
            5 => Metric::MeanAbsoluteError,
            _ => bail!("compile", "unknown metric id {id} (known ids are 0..{}: {})", Metric::ABI_NAMES.len(), Metric::ABI_NAMES.join(", ")),
        })
    }

    /// The metric on one batch: `pred` is rows × cols; `target` is rows × cols, or rows for sparse.
    pub fn compute(&self, pred: &[f32], target: &[f32], cols: usize) -> f32 {
        let n = pred.len().max(1) as f32;
        let argmax = |r: &[f32]| r.iter().enumerate().fold(0, |b, (i, &v)| if v > r[b] { i } else { b });
        match *self {
            Metric::BinaryAccuracy { threshold } => {
                let t_thr = if threshold == 0.0 { 0.0 } else { 0.5 };
                pred.iter().zip(target).filter(|(&p, &t)| (p > threshold) == (t > t_thr)).count() as f32 / n
            }
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
            Metric::MeanSquaredError => pred.iter().zip(target).map(|(p, t)| (p - t) * (p - t)).sum::<f32>() / n,
            Metric::MeanAbsoluteError => pred.iter().zip(target).map(|(p, t)| (p - t).abs()).sum::<f32>() / n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_an_id() {
        let l = Loss::MeanSquaredError;
        for id in 0..Metric::ABI_NAMES.len() as u32 {
            assert!(Metric::from_abi(id, &l).is_ok());
        }
        assert!(Metric::from_abi(6, &l).unwrap_err().to_string().starts_with("compile: unknown metric id 6 (known ids are 0..6: accuracy,"));
    }

    #[test]
    fn accuracies() {
        let p = [0.1, 0.9, 0.8, 0.2];
        assert_eq!(Metric::CategoricalAccuracy.compute(&p, &[0., 1., 0., 1.], 2), 0.5);
        assert_eq!(Metric::SparseCategoricalAccuracy.compute(&p, &[1., 0.], 2), 1.0);
        assert_eq!(Metric::BinaryAccuracy { threshold: 0.5 }.compute(&p, &[0., 1., 1., 1.], 1), 0.75);
        assert_eq!(Metric::MeanAbsoluteError.compute(&[1., 2.], &[0., 0.], 1), 1.5);
    }
}
