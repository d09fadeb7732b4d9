//! A training step in two calls, with the loss computed elsewhere between them: `compile` with
//! a loss function, whose loss (a user's function of tensor ops) is differentiated on the
//! gradient tape with respect to the model's output only.
//!
//! [`Trainer::split_forward`] runs `fit`'s forward half ([`Trainer::forward_half`]: training
//! behaviour, the layers keeping what backward needs) and opens the step;
//! [`Trainer::split_backward`] takes `dL/d(output)` and the data loss and runs `fit`'s backward
//! half ([`Trainer::backward_half`]: the KL and regularization penalties and their gradients,
//! backward, clipping, the update and the constraints), closing it. The same code as the fused
//! step, so a loss function equal to a named loss trains as the name does (up to the loss's
//! own rounding), and the reported loss is `data + kl + regularization` as `fit`'s.
//!
//! The open step is checked, never trusted: a second forward while one is open, a backward
//! without one, a gradient of another shape than the output, or any forward or backward of the
//! model's layers in between (their caches then belong to another pass; seen through
//! [`Sequential::cache_passes`]) is an error, and the update is not made.

use super::{Sequential, StepResult, Trainer};
use crate::{bail, bail_shape, Error, Result, Tensor};

const OP: &str = "trainStep";

/// What a split step's forward half leaves for its backward half to check.
#[derive(Clone, Debug)]
pub struct OpenStep {
    /// The pass ids of the model's leaf layers right after the forward.
    passes: Vec<u64>,
    /// The output's shape (packed, for several outputs): `dL/d(output)` must have it.
    dims: Vec<usize>,
    /// The trainer's step at the forward (a step in between would move it).
    step: u64,
}

impl Trainer {
    /// The forward half of a split step on the batch `xb`: the model's output (packed, for
    /// several), the step then open. An error if a step is already open (nothing runs), or
    /// for an input the model does not take.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn split_forward(&mut self, model: &mut Sequential, xb: Tensor) -> Result<Tensor> {
        if self.split.is_some() {
            bail!(OP, "a training step is already open (its forward ran, its backward has not): run its backward, or cancel it, before the next forward");
        }
        model.check_input(OP, &xb)?;
        if xb.dims()[0] == 0 {
            bail_shape!(OP, "x has no samples (shape {}); at least one is needed", xb.shape());
        }
        let pred = self.forward_half(model, xb)?;
        if model.output_mask().is_some() {
            // Keras 3 masks a loss function's per-step values too; a function here sees none.
            bail!(OP, "the model's output carries a mask (an embedding with maskZero or a masking layer), which a loss function cannot see: compile with a built-in loss, which uses it, or end the model with globalAveragePooling1d");
        }
        let passes = model.cache_passes(0..model.len())?;
        self.split = Some(OpenStep { passes, dims: pred.dims().to_vec(), step: self.step });
        Ok(pred)
    }

    /// The backward half of the open split step: `dp` = `dL/d(output)` (the output's shape),
    /// `data` the data loss it is the gradient of. Returns the loss `data + kl +
    /// regularization` and its parts (no metrics). The step is closed whatever happens; on an
    /// error the weights and the optimizer state are as they were.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn split_backward(&mut self, model: &mut Sequential, dp: Tensor, data: f32) -> Result<StepResult> {
        let open = self.split.take().ok_or_else(|| Error::invalid(OP, "no training step is open: run the forward half first (a backward runs once per forward)"))?;
        if dp.dims() != open.dims {
            bail_shape!(OP, "dL/dyPred has shape {} but the model's output has shape {}", dp.shape(), crate::Shape::from(&open.dims[..]));
        }
        if self.step != open.step || model.cache_passes(0..model.len())? != open.passes {
            bail!(OP, "the model ran (forward, backward or an update) between the step's forward and its backward, so what its backward needs is gone; run the forward again");
        }
        let (kl, regularization) = self.backward_half(model, dp, &[], data)?;
        Ok(StepResult { loss: data + kl + regularization, metrics: Vec::new(), weighted: Vec::new(), weight_sums: Vec::new(), kl, regularization, heads: Vec::new() })
    }

    /// Closes the open split step, if any, without a backward or an update.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn split_cancel(&mut self) {
        self.split = None;
    }
}

/// Inference on the batch `x` as [`Trainer::evaluate`] runs it, for a loss computed outside:
/// the output (packed, for several), the variational layers' KL at inference (what `evaluate`
/// adds to the data loss) and the weight and activity penalties (reported beside it).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn predict_terms(model: &mut Sequential, x: &Tensor) -> Result<(Tensor, f32, f32)> {
    let (pred, activity, kl) = model.predict_with_activity(x, x.dims().first().copied().unwrap_or(0).max(1))?;
    Ok((pred, kl, activity + super::trainer::weight_penalty(model)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{self, Mode};
    use crate::losses::{Loss, Reduction};
    use crate::model::TrainConfig;
    use crate::optim::{LrSchedule, Optimizer};
    use crate::Shape;

    const GLOROT_UNIFORM: f32 = 6.0;
    const TANH: f32 = 4.0;

    /// A dense layer's ABI parameters: `units`, `activation` (no parameters), Glorot-uniform
    /// kernel, zero bias, kernel regularizer `k` and activity regularizer `a` (`[l1, l2]`).
    fn dense(units: f32, act: f32, k: [f32; 2], a: [f32; 2]) -> Vec<f32> {
        vec![units, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, k[0], k[1], 0.0, 0.0, a[0], a[1]]
    }

    /// `dense(6, tanh, kernel l2, activity l1) → dropout(0.25) → dense(3, linear, kernel l1l2)` on 4 inputs.
    fn mlp() -> Sequential {
        let mut m = Sequential::new(5);
        m.add(layers::from_abi(0, &dense(6.0, TANH, [0.0, 0.02], [0.01, 0.0]), 0).unwrap()).unwrap();
        m.add(layers::from_abi(3, &[0.25], 1).unwrap()).unwrap();
        m.add(layers::from_abi(0, &dense(3.0, 0.0, [0.01, 0.02], [0.0, 0.0]), 2).unwrap()).unwrap();
        m.build_all(&[4]).unwrap();
        m
    }

    fn cfg(optimizer: Optimizer) -> TrainConfig {
        TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer, schedule: LrSchedule::constant(0.05), clip: None, metrics: vec![], weighted: vec![], heads: vec![] }
    }

    /// Rows `from..from + rows` of a fixed data set.
    fn batch(from: usize, rows: usize) -> (Tensor, Tensor) {
        let x = Tensor::new("x", Shape::from([rows, 4]), (from * 4..(from + rows) * 4).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect()).unwrap();
        let y = Tensor::new("y", Shape::from([rows, 3]), (from * 3..(from + rows) * 3).map(|i| ((i * 5 % 7) as f32 - 3.0) / 4.0).collect()).unwrap();
        (x, y)
    }

    fn bits(m: &Sequential) -> Vec<u32> {
        m.param_values().unwrap().iter().flat_map(|(t, _)| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect()
    }

    /// MSE and its gradient computed outside the trainer by the loss's own rules (what the
    /// fused step computes between its halves): the split step is the fused step, bit for
    /// bit — the same dropout masks, penalties, their gradients and updates — batch after
    /// batch, with a partial last batch; and the reported loss includes the penalties.
    #[test]
    fn a_split_step_given_the_fused_losses_gradient_is_the_fused_step() {
        let adam = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
        for opt in [Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, adam] {
            let (mut fused, mut split) = (mlp(), mlp());
            let (mut tf, mut ts) = (Trainer::new(cfg(opt.clone()), 9), Trainer::new(cfg(opt.clone()), 9));
            for (from, rows) in [(0, 8), (8, 8), (16, 5), (0, 8)] {
                let (x, y) = batch(from, rows);
                let a = tf.train_on(&mut fused, x.clone(), &y).unwrap();
                let p = ts.split_forward(&mut split, x).unwrap();
                let data = Reduction::Mean.forward(&Loss::MeanSquaredError, p.data(), y.data(), rows, 3, 1);
                let mut g = vec![0.0; p.size()];
                Reduction::Mean.backward(&Loss::MeanSquaredError, p.data(), y.data(), rows, 3, 1, &mut g);
                let dp = Tensor::new("dp", p.shape().clone(), g).unwrap();
                let b = ts.split_backward(&mut split, dp, data).unwrap();
                assert_eq!((a.loss.to_bits(), a.kl, a.regularization.to_bits()), (b.loss.to_bits(), b.kl, b.regularization.to_bits()), "{}", opt.name());
                assert!(b.regularization > 0.0 && b.loss > data, "the loss {} includes the penalties {} over the data loss {data}", b.loss, b.regularization);
                assert_eq!(bits(&fused), bits(&split), "{}", opt.name());
            }
            assert_eq!((tf.step, ts.step), (4, 4));
        }
    }

    /// Out-of-order calls, a gradient of another shape and a forward in between are errors
    /// that change nothing; after each, the next forward and backward work.
    #[test]
    fn an_open_step_is_checked_not_trusted() {
        let mut m = mlp();
        let mut tr = Trainer::new(cfg(Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }), 1);
        let (x, _) = batch(0, 4);
        let dp = |dims: [usize; 2]| Tensor::new("dp", Shape::from(dims), vec![0.1; dims[0] * dims[1]]).unwrap();
        let before = bits(&m);
        let msg = |r: Result<StepResult>| r.unwrap_err().to_string();
        assert_eq!(msg(tr.split_backward(&mut m, dp([4, 3]), 1.0)), "trainStep: no training step is open: run the forward half first (a backward runs once per forward)");
        tr.split_forward(&mut m, x.clone()).unwrap();
        assert!(tr.split_forward(&mut m, x.clone()).unwrap_err().to_string().starts_with("trainStep: a training step is already open"));
        let e = tr.split_backward(&mut m, dp([4, 2]), 1.0).unwrap_err();
        assert_eq!(e.to_string(), "trainStep: dL/dyPred has shape [4,2] but the model's output has shape [4,3]");
        assert_eq!(e.status(), crate::error::Status::ShapeMismatch);
        // The failed backward closed the step.
        assert!(tr.split_backward(&mut m, dp([4, 3]), 1.0).is_err());
        // Another forward of the layers between the halves (their caches are another pass's).
        tr.split_forward(&mut m, x.clone()).unwrap();
        m.forward_all(x.clone(), Mode::Infer).unwrap();
        assert!(msg(tr.split_backward(&mut m, dp([4, 3]), 1.0)).starts_with("trainStep: the model ran (forward, backward or an update) between"));
        // A cancelled step.
        tr.split_forward(&mut m, x.clone()).unwrap();
        tr.split_cancel();
        // A bad input: nothing opens.
        let wide = Tensor::new("x", Shape::from([2, 5]), vec![0.0; 10]).unwrap();
        assert!(tr.split_forward(&mut m, wide).is_err());
        let empty = Tensor::new("x", Shape::from([0, 4]), vec![]).unwrap();
        assert!(tr.split_forward(&mut m, empty).unwrap_err().to_string().contains("x has no samples"));
        // A non-finite gradient: refused, nothing updated.
        tr.split_forward(&mut m, x.clone()).unwrap();
        let nan = Tensor::new("dp", Shape::from([4, 3]), vec![f32::NAN; 12]).unwrap();
        assert!(msg(tr.split_backward(&mut m, nan, 1.0)).contains("is not finite"));
        assert_eq!((bits(&m), tr.step), (before.clone(), 0), "nothing was updated");
        tr.split_forward(&mut m, x).unwrap();
        tr.split_backward(&mut m, dp([4, 3]), 1.0).unwrap();
        assert_eq!(tr.step, 1);
        assert_ne!(bits(&m), before);
    }
}
