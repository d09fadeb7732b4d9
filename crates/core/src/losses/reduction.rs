//! How a loss reduces its per-value terms to one number.
//!
//! - `mean` (the default, Keras's `"sum_over_batch_size"` and TF.js's default): each loss
//!   reduces the last axis to a per-sample value (a mean for MSE, MAE, Huber, binary
//!   cross-entropy, the hinges, MAPE, MSLE, log-cosh and Poisson; a sum for the categorical
//!   cross-entropies and KL divergence; the row's value for categorical hinge and cosine
//!   proximity), then averages over the samples.
//! - `sumOverFeatures`: the per-sample value is the *sum* over all of a sample's values (every
//!   axis but the batch: the last axis of `[batch, 784]`, and height, width and channels of
//!   images `[batch, h, w, c]`), then the mean over the samples. This is the reconstruction
//!   term of a variational autoencoder's ELBO (binary cross-entropy summed over pixels gives
//!   nats per image). For the losses that already reduce the last axis by a sum or a row-wise
//!   value (categorical cross-entropies, KL divergence, categorical hinge, cosine proximity) it sums their
//!   per-row values over the sample's rows (equal to `mean` for `[batch, classes]`).
//!
//! - `none`: no reduction over the samples — the per-sample losses of `mean`, one per row
//!   (Keras's `reduction=None`), for the tensor-level losses only ([`Reduction::per_row`]):
//!   a training loss is one number, so `compile` refuses it.
//!
//! `mean` and `sumOverFeatures` are the mean reduction times a constant factor
//! ([`Reduction::factor`]: the rows of one sample, times `cols` unless the loss sums the last
//! axis itself), so the gradient, the fused sigmoid/softmax + cross-entropy paths included,
//! scales by the same factor. A sample's rows are the values of the axes between the batch and
//! the last ([`rows_per_sample`]); 1 for `[batch, features]`.

use super::{hinge, squared_hinge, Loss};
use crate::{bail, Result};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    #[default]
    Mean,
    SumOverFeatures,
    None,
}

impl Reduction {
    /// Public names, indexed by ABI id (append-only; `ts/options.ts` `REDUCTIONS`, checked by
    /// `test/codes.test.ts`).
    pub const NAMES: [&'static str; 3] = ["mean", "sumOverFeatures", "none"];

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(id: u32) -> Result<Reduction> {
        Ok(match id {
            0 => Reduction::Mean,
            1 => Reduction::SumOverFeatures,
            2 => Reduction::None,
            _ => bail!("loss", "unknown reduction id {id} (valid: {})", Reduction::NAMES.join(", ")),
        })
    }

    pub fn id(self) -> u32 {
        self as u32
    }

    /// Whether `loss` can be reduced this way: Dice is one value over the whole batch (Keras's
    /// `axis=None`), so it has no per-sample values to sum or to return (`mean` only).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_for(self, op: &'static str, loss: &Loss) -> Result<()> {
        if matches!(loss, Loss::Dice) && self != Reduction::Mean {
            bail!(op, "dice is one value over the whole batch (Keras's Dice with axis=None), so it has only the reduction 'mean', got '{}'", Reduction::NAMES[self as usize]);
        }
        Ok(())
    }

    /// The factor from the mean reduction to this one for `loss` over rows of `cols` values,
    /// `per_sample` rows to a sample (1 for `none`, whose per-row values are the mean
    /// reduction's).
    pub fn factor(self, loss: &Loss, cols: usize, per_sample: usize) -> f32 {
        match (self, loss) {
            (Reduction::Mean | Reduction::None, _) => 1.0,
            // These already sum over the last axis.
            (
                Reduction::SumOverFeatures,
                Loss::CategoricalCrossentropy { .. } | Loss::SparseCategoricalCrossentropy { .. } | Loss::KullbackLeiblerDivergence | Loss::CategoricalHinge | Loss::CosineProximity,
            ) => per_sample as f32,
            (Reduction::SumOverFeatures, _) => (cols * per_sample) as f32,
        }
    }

    /// `loss.forward` under this reduction, `per_sample` rows to a sample.
    pub fn forward(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, per_sample: usize) -> f32 {
        loss.forward(pred, target, rows, cols) * self.factor(loss, cols, per_sample)
    }

    /// The loss of predictions of shape `pred_shape` holding no values (a 0 in the shape), as
    /// the formula gives it: under `mean` [`Loss::of_nothing`]; under `sumOverFeatures` each
    /// sample's sum of nothing is 0, so the loss is 0, or NaN when there are no samples (a
    /// batch axis of 0). A 1-d prediction is one sample, as for values.
    pub fn of_empty(self, loss: &Loss, pred_shape: &[usize]) -> f32 {
        match (self, pred_shape) {
            (Reduction::SumOverFeatures, [0, _, ..]) => f32::NAN,
            (Reduction::SumOverFeatures, _) => 0.0,
            _ => loss.of_nothing(super::check::rows_cols(pred_shape).0),
        }
    }

    /// `loss.backward` under this reduction, `per_sample` rows to a sample.
    pub fn backward(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, per_sample: usize, dpred: &mut [f32]) {
        loss.backward(pred, target, rows, cols, dpred);
        scale(self.factor(loss, cols, per_sample), dpred);
    }

    /// `loss.backward_target` under this reduction, `per_sample` rows to a sample.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[allow(clippy::too_many_arguments)]
    pub fn backward_target(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, per_sample: usize, dtarget: &mut [f32]) {
        loss.backward_target(pred, target, rows, cols, dtarget);
        scale(self.factor(loss, cols, per_sample), dtarget);
    }


    /// The loss of each of `rows` rows of `cols` predictions (`out[r]`, the forward of that
    /// row alone), each row's targets being `target.len() / rows` values (`cols`, or one class
    /// index for sparse categorical cross-entropy). The mean of `out` is the `mean` reduction's
    /// loss. The hinges' 0/1 convention is the batch's, not each row's ([`hinge::zero_one`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn per_row(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, out: &mut [f32]) {
        let hinge01 = hinge_convention(loss, target);
        let f = self.factor(loss, cols, 1);
        for (r, o) in out.iter_mut().enumerate().take(rows) {
            let (p, t) = row(pred, target, rows, cols, r);
            *o = match hinge01 {
                Some(conv) if matches!(loss, Loss::Hinge) => hinge::forward_as(p, t, 1, cols, conv) * f,
                Some(conv) => squared_hinge::forward_as(p, t, 1, cols, conv) * f,
                None => self.forward(loss, p, t, 1, cols, 1),
            };
        }
    }

    /// The backward of [`Reduction::per_row`]: `dpred` (rows × cols) = `g[r]` times the
    /// gradient of row `r`'s loss, for `g` (one value per row) the gradient at its output; and
    /// the same with respect to the targets into `dtarget` when given.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[allow(clippy::too_many_arguments)]
    pub fn per_row_backward(self, loss: &Loss, pred: &[f32], target: &[f32], rows: usize, cols: usize, g: &[f32], dpred: &mut [f32], mut dtarget: Option<&mut [f32]>) {
        let tc = target.len().checked_div(rows).unwrap_or(0);
        let hinge01 = hinge_convention(loss, target);
        let f = self.factor(loss, cols, 1);
        for r in 0..rows.min(g.len()) {
            let (p, t) = row(pred, target, rows, cols, r);
            let Some(d) = dpred.get_mut(r * cols..(r + 1) * cols) else { return };
            match hinge01 {
                Some(conv) if matches!(loss, Loss::Hinge) => hinge::backward_as(p, t, 1, cols, conv, d),
                Some(conv) => squared_hinge::backward_as(p, t, 1, cols, conv, d),
                None => loss.backward(p, t, 1, cols, d),
            }
            d.iter_mut().for_each(|v| *v *= g[r] * f);
            if let Some(dt) = dtarget.as_deref_mut().and_then(|dt| dt.get_mut(r * tc..(r + 1) * tc)) {
                match hinge01 {
                    Some(conv) if matches!(loss, Loss::Hinge) => hinge::backward_target_as(p, t, 1, cols, conv, dt),
                    Some(conv) => squared_hinge::backward_target_as(p, t, 1, cols, conv, dt),
                    None => loss.backward_target(p, t, 1, cols, dt),
                }
                dt.iter_mut().for_each(|v| *v *= g[r] * f);
            }
        }
    }
}

/// The hinges' 0/1 convention, decided by the whole batch (`None` for the other losses).
fn hinge_convention(loss: &Loss, target: &[f32]) -> Option<bool> {
    // No targets (rows of no values): no convention, each row's loss is Loss::forward's.
    (matches!(loss, Loss::Hinge | Loss::SquaredHinge) && !target.is_empty()).then(|| hinge::zero_one(target))
}

/// Multiplies a mean-reduction gradient by `f` (a [`Reduction::factor`]).
fn scale(f: f32, d: &mut [f32]) {
    if f != 1.0 {
        d.iter_mut().for_each(|v| *v *= f);
    }
}

/// Row `r` of `rows` rows of `cols` predictions and its targets (`target.len() / rows` each);
/// empty slices past the ends (lengths are checked by [`Loss::check`]; nothing panics).
fn row<'a>(pred: &'a [f32], target: &'a [f32], rows: usize, cols: usize, r: usize) -> (&'a [f32], &'a [f32]) {
    let tc = target.len().checked_div(rows).unwrap_or(0);
    (pred.get(r * cols..(r + 1) * cols).unwrap_or(&[]), target.get(r * tc..(r + 1) * tc).unwrap_or(&[]))
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
        assert!((r.forward(&bce, &p, &t, 2, 3, 1) as f64 - want).abs() < 1e-5);
        assert_eq!(r.forward(&Loss::MeanSquaredError, &[1.0, 2.0], &[0.0, 0.0], 1, 2, 1), 5.0);
        let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
        assert_eq!(r.forward(&cce, &p, &t, 2, 3, 1), cce.forward(&p, &t, 2, 3));
        for loss in every_loss() {
            let (pred, tgt, rows, cols): (&[f32], &[f32], usize, usize) = match loss {
                Loss::SparseCategoricalCrossentropy { .. } => (&p, &[1.0, 0.0], 2, 3),
                Loss::Hinge | Loss::SquaredHinge => (&p, &[1.0, -1.0, 1.0, -1.0, -1.0, 1.0], 2, 3),
                // No zero target: MAPE divides by ε there, too steep for float32 differences.
                Loss::MeanAbsolutePercentageError => (&p, &[0.5, 1.0, 1.0, 1.0, -0.5, 0.5], 2, 3),
                _ => (&p, &t, 2, 3),
            };
            let mut d = vec![0.0; pred.len()];
            r.backward(&loss, pred, tgt, rows, cols, 1, &mut d);
            let h = 1e-3f32;
            for i in 0..pred.len() {
                let mut q = pred.to_vec();
                q[i] += h;
                let up = r.forward(&loss, &q, tgt, rows, cols, 1) as f64;
                q[i] -= 2.0 * h;
                let down = r.forward(&loss, &q, tgt, rows, cols, 1) as f64;
                let fd = (up - down) / (2.0 * h as f64);
                assert!((fd - d[i] as f64).abs() <= 5e-3 + 1e-2 * fd.abs(), "{}: d[{i}] {} vs {fd}", loss.name(), d[i]);
            }
        }
    }

    /// With several rows to a sample (images `[batch, h, w, c]`), the per-sample value is the
    /// sum over all of the sample's values: the sum of every element term over 2 samples of
    /// 3 rows of 2, over 2; the categorical losses sum their per-row values the same way.
    #[test]
    fn sum_over_features_sums_every_axis_of_a_sample() {
        let r = Reduction::SumOverFeatures;
        let p: Vec<f32> = (0..12).map(|i| 0.05 + 0.075 * i as f32).collect();
        let t: Vec<f32> = (0..12).map(|i| if i % 3 == 0 { 1.0 } else { 0.0 }).collect();
        let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let want: f64 = p.iter().zip(&t).map(|(&p, &t)| -((t as f64) * (p as f64).ln() + (1.0 - t as f64) * (1.0 - p as f64).ln())).sum::<f64>() / 2.0;
        assert!((r.forward(&bce, &p, &t, 6, 2, 3) as f64 - want).abs() < 1e-4, "{} vs {want}", r.forward(&bce, &p, &t, 6, 2, 3));
        let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let rows: f64 = (0..6).map(|i| cce.forward(&p[2 * i..2 * i + 2], &t[2 * i..2 * i + 2], 1, 2) as f64).sum();
        assert!((r.forward(&cce, &p, &t, 6, 2, 3) as f64 - rows / 2.0).abs() < 1e-4);
        // The gradient scales the same way: against central differences.
        let mut d = vec![0.0; 12];
        r.backward(&bce, &p, &t, 6, 2, 3, &mut d);
        for i in 0..12 {
            let h = 1e-3f32;
            let mut q = p.clone();
            q[i] += h;
            let up = r.forward(&bce, &q, &t, 6, 2, 3) as f64;
            q[i] -= 2.0 * h;
            let fd = (up - r.forward(&bce, &q, &t, 6, 2, 3) as f64) / (2.0 * h as f64);
            assert!((fd - d[i] as f64).abs() <= 5e-3 + 1e-2 * fd.abs(), "d[{i}] {} vs {fd}", d[i]);
        }
        assert_eq!(crate::losses::check::rows_per_sample(&[2, 3, 2]), 3);
        assert_eq!(crate::losses::check::rows_per_sample(&[4, 28, 28, 1]), 784);
        for shape in [&[5, 7][..], &[7], &[], &[2, 0, 4]] {
            assert_eq!(crate::losses::check::rows_per_sample(shape), 1, "{shape:?}");
        }
    }

    /// Losses of no values are what their formulas give (TF.js's `tf.losses` too): a mean of
    /// nothing NaN, a sum of nothing 0, Dice 1; `none` gives each row of nothing its value.
    #[test]
    fn losses_of_no_values() {
        let (mse, cce) = (Loss::MeanSquaredError, Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 });
        for r in [Reduction::Mean, Reduction::SumOverFeatures] {
            assert!(r.of_empty(&mse, &[0, 3]).is_nan() && r.of_empty(&cce, &[0, 3]).is_nan(), "{r:?}: no samples");
            assert!(r.of_empty(&mse, &[0]).is_nan() == (r == Reduction::Mean), "{r:?}: one sample of no values");
        }
        assert_eq!(Reduction::Mean.of_empty(&cce, &[0]).to_bits(), 0);
        assert_eq!(Reduction::SumOverFeatures.of_empty(&mse, &[2, 0]).to_bits(), 0);
        assert_eq!(Reduction::SumOverFeatures.of_empty(&mse, &[2, 0, 3]).to_bits(), 0);
        assert!(Reduction::Mean.of_empty(&mse, &[2, 0, 3]).is_nan());
        assert_eq!(Reduction::Mean.of_empty(&Loss::Dice, &[0, 3]), 1.0);
        for loss in every_loss().into_iter().filter(|l| !matches!(l, Loss::Dice)) {
            let mut out = [7.0f32; 2];
            Reduction::None.per_row(&loss, &[], &[], 2, 0, &mut out);
            let sums = loss.of_nothing(1) == 0.0;
            assert!(out.iter().all(|v| if sums { v.to_bits() == 0 } else { v.is_nan() }), "{}: {out:?}", loss.name());
            let mut d: [f32; 0] = [];
            Reduction::None.per_row_backward(&loss, &[], &[], 2, 0, &[1.0, 1.0], &mut d, None);
        }
    }

    /// `none`'s per-row losses average to the mean loss, and its backward, for any gradient at
    /// the rows, matches central differences of `Σ g[r]·ℓ(row r)`.
    #[test]
    fn per_row_losses_and_their_gradient() {
        let p = [0.2f32, 0.7, 0.9, 0.4, 0.5, 0.1, 0.3, 0.6, 0.8];
        let t = [0.0f32, 1.0, 1.0, 1.0, 0.0, 0.0, 0.5, 0.25, 0.0];
        let g = [0.5f32, -2.0, 3.0];
        let r = Reduction::None;
        // Dice has no per-row values (one overlap for the batch): check_for refuses 'none'.
        for loss in every_loss().into_iter().filter(|l| !matches!(l, Loss::Dice)) {
            let (tgt, rows, cols): (&[f32], usize, usize) = match loss {
                Loss::SparseCategoricalCrossentropy { .. } => (&[1.0, 0.0, 2.0], 3, 3),
                // Hinge's convention is the batch's: ±1 targets with a row of 1s (which alone
                // would look like 0/1 targets, doubling its target gradient).
                Loss::Hinge | Loss::SquaredHinge => (&[1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0], 3, 3),
                Loss::MeanAbsolutePercentageError => (&[0.5, 1.0, 1.0, 1.0, -0.5, 0.5, 0.5, 0.25, 2.0], 3, 3),
                _ => (&t, 3, 3),
            };
            let mut out = [0.0f32; 3];
            r.per_row(&loss, &p, tgt, rows, cols, &mut out);
            let mean = out.iter().map(|&v| v as f64).sum::<f64>() / 3.0;
            let whole = Reduction::Mean.forward(&loss, &p, tgt, rows, cols, 1) as f64;
            assert!((mean - whole).abs() <= 1e-6 * (1.0 + whole.abs()), "{}: {mean} vs {whole}", loss.name());
            let mut d = [0.0f32; 9];
            r.per_row_backward(&loss, &p, tgt, rows, cols, &g, &mut d, None);
            let weighted = |q: &[f32]| -> f64 {
                let mut o = [0.0f32; 3];
                r.per_row(&loss, q, tgt, rows, cols, &mut o);
                o.iter().zip(&g).map(|(&v, &w)| v as f64 * w as f64).sum()
            };
            let h = 1e-3f32;
            for i in 0..p.len() {
                let mut q = p.to_vec();
                q[i] += h;
                let up = weighted(&q);
                q[i] -= 2.0 * h;
                let fd = (up - weighted(&q)) / (2.0 * h as f64);
                assert!((fd - d[i] as f64).abs() <= 1e-2 + 1e-2 * fd.abs(), "{}: d[{i}] {} vs {fd}", loss.name(), d[i]);
            }
        }
        // An empty last axis gives NaN per row, as a mean over nothing.
        let mut out = [0.0f32; 2];
        r.per_row(&Loss::MeanSquaredError, &[], &[], 2, 0, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
    }

    /// The target gradient (every reduction, and `none`'s per-row form) matches central
    /// differences in the targets, for every loss whose targets have one; targets off the
    /// 0/1 grid so hinge's convention and the clips stay put.
    #[test]
    fn target_gradients_match_central_differences() {
        let p = [0.2f32, 0.7, 0.9, 0.4, 0.5, 0.1];
        let t = [0.3f32, 0.6, 0.85, 0.15, 0.45, 0.2];
        let g = [1.5f32, -0.5];
        for loss in every_loss().into_iter().filter(|l| l.target_has_gradient()) {
            let tgt: Vec<f32> = if matches!(loss, Loss::Hinge | Loss::SquaredHinge) { vec![1.0, -1.0, 1.0, -1.0, -1.0, 1.0] } else { t.to_vec() };
            let fd = |f: &dyn Fn(&[f32]) -> f64, i: usize| {
                let h = 1e-3f32;
                let mut q = tgt.clone();
                q[i] += h;
                let up = f(&q);
                q[i] -= 2.0 * h;
                (up - f(&q)) / (2.0 * h as f64)
            };
            for r in [Reduction::Mean, Reduction::SumOverFeatures] {
                let mut d = vec![0.0; 6];
                r.backward_target(&loss, &p, &tgt, 2, 3, 1, &mut d);
                for (i, &di) in d.iter().enumerate() {
                    let want = fd(&|q| r.forward(&loss, &p, q, 2, 3, 1) as f64, i);
                    assert!((want - di as f64).abs() <= 5e-3 + 1e-2 * want.abs(), "{} {r:?}: dt[{i}] {di} vs {want}", loss.name());
                }
            }
            let (mut dp, mut dt) = (vec![0.0; 6], vec![0.0; 6]);
            Reduction::None.per_row_backward(&loss, &p, &tgt, 2, 3, &g, &mut dp, Some(&mut dt));
            for (i, &di) in dt.iter().enumerate() {
                let want = fd(&|q| {
                    let mut o = [0.0f32; 2];
                    Reduction::None.per_row(&loss, &p, q, 2, 3, &mut o);
                    o.iter().zip(&g).map(|(&v, &w)| v as f64 * w as f64).sum()
                }, i);
                assert!((want - di as f64).abs() <= 5e-3 + 1e-2 * want.abs(), "{} none: dt[{i}] {di} vs {want}", loss.name());
            }
        }
    }

    #[test]
    fn dice_takes_only_the_mean_reduction() {
        assert!(Reduction::Mean.check_for("dice", &Loss::Dice).is_ok());
        assert_eq!(
            Reduction::None.check_for("dice", &Loss::Dice).unwrap_err().to_string(),
            "dice: dice is one value over the whole batch (Keras's Dice with axis=None), so it has only the reduction 'mean', got 'none'"
        );
        assert!(Reduction::SumOverFeatures.check_for("compile", &Loss::Dice).unwrap_err().to_string().ends_with("got 'sumOverFeatures'"));
        for loss in every_loss().into_iter().filter(|l| !matches!(l, Loss::Dice)) {
            for r in [Reduction::Mean, Reduction::SumOverFeatures, Reduction::None] {
                assert!(r.check_for("loss", &loss).is_ok());
            }
        }
    }

    #[test]
    fn unknown_ids_list_the_valid_names() {
        assert_eq!(Reduction::from_abi(3).unwrap_err().to_string(), "loss: unknown reduction id 3 (valid: mean, sumOverFeatures, none)");
        for (i, n) in Reduction::NAMES.iter().enumerate() {
            assert_eq!(Reduction::NAMES[Reduction::from_abi(i as u32).unwrap().id() as usize], *n);
        }
    }
}
