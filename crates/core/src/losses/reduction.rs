//! How a loss reduces its per-value terms to one number.
//!
//! - `mean` (the default, Keras's `"sum_over_batch_size"` and TF.js's default): each loss
//!   reduces the last axis to a per-sample value (a mean for MSE, MAE, Huber, binary
//!   cross-entropy and hinge; a sum for the categorical cross-entropies and KL divergence),
//!   then averages over the samples.
//! - `sumOverFeatures`: the per-sample value is the *sum* over the last axis, then the mean over
//!   the samples. This is the reconstruction term of a variational autoencoder's ELBO (binary
//!   cross-entropy summed over pixels gives nats per image). For the losses that already sum
//!   over the last axis it equals `mean`.
//!
//! Both are the mean reduction times a constant factor ([`Reduction::factor`]: `cols` or 1), so
//! the gradient, the fused sigmoid/softmax + cross-entropy paths included, scales by the same
//! factor.

use super::Loss;
use crate::{bail, Result};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    #[default]
    Mean,
    SumOverFeatures,
}

impl Reduction {
    /// Public names, indexed by ABI id (append-only; `ts/options.ts` `REDUCTIONS`, checked by
    /// `test/codes.test.ts`).
    pub const NAMES: [&'static str; 2] = ["mean", "sumOverFeatures"];

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32) -> Result<Reduction> {
        Ok(match id {
            0 => Reduction::Mean,
            1 => Reduction::SumOverFeatures,
            _ => bail!("loss", "unknown reduction id {id} (valid: {})", Reduction::NAMES.join(", ")),
        })
    }

    pub fn id(self) -> u32 {
        self as u32
    }

    /// The factor from the mean reduction to this one for `loss` over rows of `cols` values.
    pub fn factor(self, loss: &Loss, cols: usize) -> f32 {
        match (self, loss) {
            (Reduction::Mean, _) => 1.0,
            // These already sum over the last axis.
            (Reduction::SumOverFeatures, Loss::CategoricalCrossentropy { .. } | Loss::SparseCategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence) => 1.0,
            (Reduction::SumOverFeatures, _) => cols as f32,
        }
    }

    /// `loss.forward` under this reduction.
    pub fn forward(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize) -> f32 {
        loss.forward(pred, target, rows, cols) * self.factor(loss, cols)
    }

    /// `loss.backward` under this reduction.
    pub fn backward(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, dpred: &mut [f32]) {
        loss.backward(pred, target, rows, cols, dpred);
        let f = self.factor(loss, cols);
        if f != 1.0 {
            dpred.iter_mut().for_each(|d| *d *= f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::tests::every_loss;

    /// Sum over features is the per-sample sum of the element terms, averaged over rows, and
    /// its gradient matches central differences for every loss.
    #[test]
    fn sum_over_features_sums_the_last_axis() {
        let r = Reduction::SumOverFeatures;
        // BCE on 2 rows of 3: per-sample sums of −ln terms, mean over the 2 rows.
        let p = [0.2f32, 0.7, 0.9, 0.4, 0.5, 0.1];
        let t = [0.0f32, 1.0, 1.0, 1.0, 0.0, 0.0];
        let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let want: f64 = p.iter().zip(&t).map(|(&p, &t)| -((t as f64) * (p as f64).ln() + (1.0 - t as f64) * (1.0 - p as f64).ln())).sum::<f64>() / 2.0;
        assert!((r.forward(&bce, &p, &t, 2, 3) as f64 - want).abs() < 1e-5);
        assert_eq!(r.forward(&Loss::MeanSquaredError, &[1.0, 2.0], &[0.0, 0.0], 1, 2), 5.0);
        let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
        assert_eq!(r.forward(&cce, &p, &t, 2, 3), cce.forward(&p, &t, 2, 3));
        for loss in every_loss() {
            let (pred, tgt, rows, cols): (&[f32], &[f32], usize, usize) = match loss {
                Loss::SparseCategoricalCrossentropy { .. } => (&p, &[1.0, 0.0], 2, 3),
                Loss::Hinge => (&p, &[1.0, -1.0, 1.0, -1.0, -1.0, 1.0], 2, 3),
                _ => (&p, &t, 2, 3),
            };
            let mut d = vec![0.0; pred.len()];
            r.backward(&loss, pred, tgt, rows, cols, &mut d);
            let h = 1e-3f32;
            for i in 0..pred.len() {
                let mut q = pred.to_vec();
                q[i] += h;
                let up = r.forward(&loss, &q, tgt, rows, cols) as f64;
                q[i] -= 2.0 * h;
                let down = r.forward(&loss, &q, tgt, rows, cols) as f64;
                let fd = (up - down) / (2.0 * h as f64);
                assert!((fd - d[i] as f64).abs() <= 5e-3 + 1e-2 * fd.abs(), "{}: d[{i}] {} vs {fd}", loss.name(), d[i]);
            }
        }
    }

    #[test]
    fn unknown_ids_list_the_valid_names() {
        assert_eq!(Reduction::from_abi(2).unwrap_err().to_string(), "loss: unknown reduction id 2 (valid: mean, sumOverFeatures)");
        for (i, n) in Reduction::NAMES.iter().enumerate() {
            assert_eq!(Reduction::NAMES[Reduction::from_abi(i as u32).unwrap().id() as usize], *n);
        }
    }
}
