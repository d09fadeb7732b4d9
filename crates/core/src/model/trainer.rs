//! The training state `compile` creates, and the training step.
//!
//! [`Trainer::train_batch`] does a whole step in one call: gather the batch rows, forward in
//! training mode, loss (+ weight and activity regularization), backward — fusing softmax or
//! sigmoid with cross-entropy so the gradient w.r.t. the logits is `p − y` — gradient
//! clipping, and the optimizer update with the scheduled learning rate.

use super::{Metric, Sequential};
use crate::activations::Activation;
use crate::layers::{Mode, Param};
use crate::losses::Loss;
use crate::optim::{Clip, LrSchedule, Optimizer};
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};

#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub loss: Loss,
    pub optimizer: Optimizer,
    pub schedule: LrSchedule,
    /// Gradient clipping (Keras `clipvalue`, `clipnorm` or `global_clipnorm`), after
    /// regularization gradients are added.
    pub clip: Option<Clip>,
    pub metrics: Vec<Metric>,
}

impl TrainConfig {
    /// Layout: `lossKind, n, lossParams…, optimizerKind, n, optimizerParams…, scheduleKind, n, scheduleParams…,
    /// clipMode (0 none, 1 value, 2 norm, 3 global norm), clipValue, metricCount, metricIds…`.
    pub fn from_abi(p: &[f32]) -> Result<TrainConfig> {
        use crate::config::Reader;
        let mut r = Reader::new("compile", p);
        let kind = r.usize("loss")? as u32;
        let n = r.usize("loss parameter count")?;
        let loss = Loss::from_abi(kind, r.slice(n, "loss parameters")?)?;
        let kind = r.usize("optimizer")? as u32;
        let n = r.usize("optimizer parameter count")?;
        let optimizer = Optimizer::from_abi(kind, r.slice(n, "optimizer parameters")?)?;
        let kind = r.usize("schedule")? as u32;
        let n = r.usize("schedule parameter count")?;
        let schedule = LrSchedule::from_abi(kind, r.slice(n, "schedule parameters")?)?;
        let mode = r.usize("clip mode")? as u32;
        let clip = Clip::from_abi(mode, r.f32("clip value")?)?;
        let n = r.usize("metric count")?;
        let ids = r.slice(n, "metrics")?;
        let metrics = ids.iter().map(|&id| Metric::from_abi(id as u32, &loss)).collect::<Result<Vec<_>>>()?;
        Ok(TrainConfig { loss, optimizer, schedule, clip, metrics })
    }
}

/// Loss and metric values of one step or evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct StepResult {
    pub loss: f32,
    pub metrics: Vec<f32>,
}

pub struct Trainer {
    pub cfg: TrainConfig,
    /// Optimizer state per parameter (lazily sized).
    state: Vec<Vec<f32>>,
    /// Optimizer steps taken (1-based in the update).
    pub step: u64,
    pub seed: u64,
    /// Multiplier applied to the scheduled learning rate (reduceLROnPlateau writes it).
    pub lr_scale: f32,
}

/// Copies rows `idx` of `t` (batch-first) into a new tensor.
pub fn gather_rows(op: &'static str, t: &Tensor, idx: &[u32]) -> Result<Tensor> {
    let n = t.dims().first().copied().unwrap_or(0);
    let per: usize = t.dims()[1..].iter().product();
    let mut dims = t.dims().to_vec();
    dims[0] = idx.len();
    let mut out = Tensor::zeros(op, Shape::new(op, &dims)?)?;
    for (o, &i) in out.data_mut().chunks_exact_mut(per.max(1)).zip(idx) {
        let i = i as usize;
        if i >= n {
            bail!(op, "batch index {i} is out of range for {n} samples");
        }
        o.copy_from_slice(&t.data()[i * per..(i + 1) * per]);
    }
    Ok(out)
}

impl Trainer {
    pub fn new(cfg: TrainConfig, seed: u64) -> Trainer {
        Trainer { cfg, state: Vec::new(), step: 0, seed, lr_scale: 1.0 }
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f32 {
        self.cfg.schedule.lr(self.step + 1) * self.lr_scale
    }

    /// Checks `y` against the model output for `n` samples.
    pub fn check_targets(&self, model: &Sequential, op: &'static str, x: &Tensor, y: &Tensor) -> Result<()> {
        model.check_input(op, x)?;
        let n = x.dims()[0];
        if n == 0 {
            bail_shape!(op, "x has no samples (shape {}); at least one is needed", x.shape());
        }
        if y.dims().first() != Some(&n) {
            bail_shape!(op, "x has {n} samples but y has shape {} (the first dimension of both is the batch)", y.shape());
        }
        let mut pred_shape = vec![n];
        pred_shape.extend(model.output_shape().unwrap_or(&[]));
        self.cfg.loss.check(&pred_shape, y.dims(), y.data())
    }

    /// Loss (with regularization) of `pred` against `y`; the model must have just run forward.
    fn loss_value(&self, model: &Sequential, pred: &Tensor, y: &Tensor) -> f32 {
        let cols = pred.dims().last().copied().unwrap_or(1);
        let rows = if cols == 0 { 0 } else { pred.size() / cols };
        let mut loss = self.cfg.loss.forward(pred.data(), y.data(), rows, cols);
        for p in model.params_all() {
            if let Some(r) = p.regularizer {
                loss += r.penalty(p.value.data());
            }
        }
        loss + model.activity_loss_all()
    }

    fn metrics(&self, pred: &Tensor, y: &Tensor) -> Vec<f32> {
        let cols = pred.dims().last().copied().unwrap_or(1);
        self.cfg.metrics.iter().map(|m| m.compute(pred.data(), y.data(), cols)).collect()
    }

    /// One training step on rows `idx` of `x`/`y`.
    pub fn train_batch(&mut self, model: &mut Sequential, x: &Tensor, y: &Tensor, idx: &[u32]) -> Result<StepResult> {
        if idx.is_empty() {
            bail!("fit", "empty batch");
        }
        let xb = gather_rows("fit", x, idx)?;
        let yb = gather_rows("fit", y, idx)?;
        self.train_on(model, xb, &yb)
    }

    /// One training step on a whole batch.
    pub fn train_on(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor) -> Result<StepResult> {
        model.set_input_grad_all(false);
        let r = self.gradients(model, xb, yb);
        model.set_input_grad_all(true);
        let (r, _) = r?;
        self.apply_gradients(model)?;
        Ok(r)
    }

    /// Forward and backward on a batch without updating: fills every parameter's `grad`
    /// (before regularization and clipping) and returns the loss, metrics and `dL/dx`.
    pub fn gradients(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor) -> Result<(StepResult, Tensor)> {
        let mode = Mode::Train { seed: self.seed, step: self.step };
        let pred = model.forward_all(xb, mode)?;
        let cols = pred.dims().last().copied().unwrap_or(1);
        let rows = if cols == 0 { 0 } else { pred.size() / cols };
        let loss = self.loss_value(model, &pred, yb);
        let metrics = self.metrics(&pred, yb);
        // dL/d(pred), or dL/d(logits) when the last activation fuses with the loss.
        let n_layers = model.len();
        let fused = fused_logit_grad(&self.cfg.loss, model.last_layer_mut().and_then(|l| l.output_activation()), &pred, yb, rows, cols);
        let dx = match fused {
            Some(dz) => {
                let last = model.last_layer_mut().expect("non-empty");
                let dx = last.backward_pre_activation(dz?)?;
                model.backward_through(n_layers - 1, dx)?
            }
            None => {
                let mut dp = Tensor::zeros("fit", pred.shape().clone())?;
                self.cfg.loss.backward(pred.data(), yb.data(), rows, cols, dp.data_mut());
                model.backward_through(n_layers, dp)?
            }
        };
        Ok((StepResult { loss, metrics }, dx))
    }

    /// Adds regularization gradients, clips, and updates every trainable parameter.
    fn apply_gradients(&mut self, model: &mut Sequential) -> Result<()> {
        let updated = model.params_updated();
        let mut all = model.params_with_layer();
        // Optimizer state is indexed by the position among *all* parameters, so freezing or
        // unfreezing a layer between steps never hands one parameter's state to another.
        if self.state.len() < all.len() {
            self.state.resize(all.len(), Vec::new());
        }
        let mut params: Vec<(usize, &mut Param)> = all.iter_mut().enumerate().filter(|(i, _)| updated[*i]).map(|(i, (_, p))| (i, &mut **p)).collect();
        for (_, p) in params.iter_mut() {
            if let Some(r) = p.regularizer {
                let Param { value, grad, .. } = &mut **p;
                r.add_grad(value.data(), grad, 1.0);
            }
        }
        if let Some(c) = self.cfg.clip {
            let mut grads: Vec<&mut [f32]> = params.iter_mut().map(|(_, p)| &mut p.grad[..]).collect();
            c.apply(&mut grads);
        }
        // All or nothing: a non-finite gradient leaves every weight (and the step count) as it was.
        if let Some((_, p)) = params.iter().find(|(_, p)| p.grad.iter().any(|g| !g.is_finite())) {
            return Err(Error::invalid("fit", format!("a gradient of `{}` is not finite (NaN or Infinity) at step {}; lower the learning rate, clip gradients, or check the data for NaN", p.name, self.step + 1)));
        }
        self.step += 1;
        let lr = self.cfg.schedule.lr(self.step) * self.lr_scale;
        let slots = self.cfg.optimizer.slots();
        for (i, p) in params {
            let st = &mut self.state[i];
            if st.len() != slots * p.value.size() {
                *st = crate::tensor::alloc("fit", slots * p.value.size())?;
                self.cfg.optimizer.init_state(st);
            }
            self.cfg.optimizer.update(self.step, lr, p.value.data_mut(), &p.grad, st);
        }
        Ok(())
    }

    /// Loss and metrics over all of `x`/`y`, in batches, without training.
    pub fn evaluate(&self, model: &mut Sequential, x: &Tensor, y: &Tensor, batch_size: usize) -> Result<StepResult> {
        let n = x.dims()[0];
        if n == 0 {
            bail!("evaluate", "x has no samples");
        }
        // As Keras: the data loss, plus the weight penalties, plus the activity penalties.
        let (pred, activity) = model.predict_with_activity(x, batch_size)?;
        let cols = pred.dims().last().copied().unwrap_or(1);
        let rows = if cols == 0 { 0 } else { pred.size() / cols };
        let mut loss = self.cfg.loss.forward(pred.data(), y.data(), rows, cols) + activity;
        for p in model.params_all() {
            if let Some(r) = p.regularizer {
                loss += r.penalty(p.value.data());
            }
        }
        Ok(StepResult { loss, metrics: self.metrics(&pred, y) })
    }
}

/// `dL/dz` for softmax + categorical cross-entropy and sigmoid + binary cross-entropy on
/// probabilities: `(p − ỹ)/rows` and `(p − ỹ)/(rows·cols)`, with ỹ the smoothed targets.
/// NOTE: the unfused chain differs only where the loss clips p to [1e-7, 1 − 1e-7].
fn fused_logit_grad(loss: &Loss, act: Option<Activation>, pred: &Tensor, y: &Tensor, rows: usize, cols: usize) -> Option<Result<Tensor>> {
    let mut dz = match Tensor::zeros("fit", pred.shape().clone()) {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    let p = pred.data();
    match (loss, act?) {
        (Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: s }, Activation::Softmax) => {
            let k = cols as f32;
            for ((d, &pv), &t) in dz.data_mut().iter_mut().zip(p).zip(y.data()) {
                *d = (pv - (t * (1.0 - s) + s / k)) / rows as f32;
            }
        }
        (Loss::SparseCategoricalCrossentropy { from_logits: false }, Activation::Softmax) => {
            for (r, (drow, prow)) in dz.data_mut().chunks_exact_mut(cols).zip(p.chunks_exact(cols)).enumerate() {
                let label = y.data()[r] as usize;
                for (j, (d, &pv)) in drow.iter_mut().zip(prow).enumerate() {
                    *d = (pv - if j == label { 1.0 } else { 0.0 }) / rows as f32;
                }
            }
        }
        (Loss::BinaryCrossentropy { from_logits: false, label_smoothing: s }, Activation::Sigmoid) => {
            let n = (rows * cols) as f32;
            for ((d, &pv), &t) in dz.data_mut().iter_mut().zip(p).zip(y.data()) {
                *d = (pv - (t * (1.0 - s) + 0.5 * s)) / n;
            }
        }
        _ => return None,
    }
    Some(Ok(dz))
}
