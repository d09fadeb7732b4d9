//! The training state `compile` creates, and the training step.
//!
//! [`Trainer::train_batch`] does a whole step in one call: gather the batch rows, forward in
//! training mode, loss (+ weight and activity regularization), backward — fusing softmax or
//! sigmoid with cross-entropy so the gradient w.r.t. the logits is `p·Σỹ − ỹ` (softmax; `p − ỹ`
//! only when a target row sums to 1) or `p − ỹ` (sigmoid, element-wise) — gradient clipping,
//! and the optimizer update with the scheduled learning rate.
//!
//! The step is two halves with the loss between them: [`Trainer::forward_half`] (the forward)
//! and [`Trainer::backward_half`] (the penalties, backward from `dL/d(output)`, the update).
//! `fit`'s fused step runs them around the compiled losses; a split step
//! ([`super::split`]) runs them in two calls around a loss computed elsewhere.

use std::borrow::Cow;

use super::graph::{columns, join_columns};
use super::{Metric, ParamSlot, Sequential};
use crate::activations::Activation;
use crate::layers::{Mode, Param};
use crate::losses::{categorical_crossentropy, clip_prob, sparse_categorical_crossentropy, Loss, Reduction};
use crate::optim::{Clip, LrSchedule, Optimizer};
use crate::{bail, bail_shape, Error, Result, Shape, Tensor};
use crate::error::js_number;

#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub loss: Loss,
    /// How the loss reduces the last axis (`mean` by default; `sumOverFeatures` for ELBOs).
    pub reduction: Reduction,
    pub optimizer: Optimizer,
    pub schedule: LrSchedule,
    /// Gradient clipping (Keras `clipvalue`, `clipnorm` or `global_clipnorm`), after
    /// regularization gradients are added.
    pub clip: Option<Clip>,
    pub metrics: Vec<Metric>,
    /// The metrics weighted by the sample weights (Keras 3's `weighted_metrics`) of one output.
    pub weighted: Vec<Metric>,
    /// A loss (with its weight and metrics) per output of a model with several (see
    /// [`Wiring::set_io`](super::graph::Wiring::set_io)); empty for one output, which `loss`,
    /// `reduction` and `metrics` describe.
    pub heads: Vec<Head>,
}

/// The loss of one output of a model with several outputs.
#[derive(Clone, Debug)]
pub struct Head {
    pub loss: Loss,
    pub reduction: Reduction,
    /// The factor on this output's loss in the total (Keras's `loss_weights`).
    pub weight: f32,
    pub metrics: Vec<Metric>,
    /// This output's metrics weighted by the sample weights (Keras 3's `weighted_metrics`).
    pub weighted: Vec<Metric>,
}

impl Head {
    /// The per-sample shape of this output's targets for an output of per-sample shape `pred`:
    /// class indices for sparse categorical cross-entropy, else `pred`.
    pub fn target_shape(&self, pred: &[usize]) -> Vec<usize> {
        match self.loss {
            Loss::SparseCategoricalCrossentropy { .. } => pred[..pred.len().saturating_sub(1)].to_vec(),
            _ => pred.to_vec(),
        }
    }
}

impl TrainConfig {
    /// Layout: `lossKind, n, lossParams…, optimizerKind, n, optimizerParams…, scheduleKind, n, scheduleParams…,
    /// clipMode (0 none, 1 value, 2 norm, 3 global norm), clipValue, metricCount, metricIds…[, reduction]`
    /// (the trailing reduction id, [`Reduction::NAMES`], defaults to `mean`), then for a model
    /// with several outputs `outputCount` and per output `lossKind, n, lossParams…, reduction,
    /// lossWeight, metricCount, metricIds…` (the single loss and metrics before them unused);
    /// then, optionally, the weighted metrics (`weightedMetrics`): `outputCount` 0 for one
    /// output, and per output (one for 0) `weightedCount, weightedIds…`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<TrainConfig> {
        use crate::config::Reader;
        let mut r = Reader::new("compile", p);
        let loss = read_loss(&mut r)?;
        let kind = r.usize("optimizer")? as u32;
        let n = r.usize("optimizer parameter count")?;
        let optimizer = Optimizer::from_abi(kind, r.slice(n, "optimizer parameters")?)?;
        let kind = r.usize("schedule")? as u32;
        let n = r.usize("schedule parameter count")?;
        let schedule = LrSchedule::from_abi(kind, r.slice(n, "schedule parameters")?)?;
        let mode = r.usize("clip mode")? as u32;
        let clip = Clip::from_abi(mode, r.f32("clip value")?)?;
        let metrics = read_metrics(&mut r, &loss)?;
        let rest = r.rest();
        let mut r = Reader::new("compile", rest);
        let reduction = if rest.is_empty() { Reduction::Mean } else { training_reduction(r.usize("reduction")?)? };
        reduction.check_for("compile", &loss)?;
        let mut heads = Vec::new();
        if rest.len() > 1 {
            let count = r.usize("output count")?;
            for _ in 0..count {
                let loss = read_loss(&mut r)?;
                let reduction = training_reduction(r.usize("reduction")?)?;
                reduction.check_for("compile", &loss)?;
                let weight = r.finite("loss weight")?;
                if weight < 0.0 {
                    bail!("compile", "a loss weight must be >= 0, got {}", js_number(weight));
                }
                let metrics = read_metrics(&mut r, &loss)?;
                heads.push(Head { loss, reduction, weight, metrics, weighted: Vec::new() });
            }
        }
        // `rest` takes what is left (the reader is then at its end).
        let tail = r.rest();
        let mut weighted = Vec::new();
        if !tail.is_empty() {
            let mut r = Reader::new("compile", tail);
            if heads.is_empty() {
                weighted = read_metrics(&mut r, &loss)?;
            }
            for h in &mut heads {
                h.weighted = read_metrics(&mut r, &h.loss)?;
            }
            if !r.rest().is_empty() {
                bail!("compile", "unexpected parameters after the outputs' losses and weighted metrics");
            }
        }
        Ok(TrainConfig { loss, reduction, optimizer, schedule, clip, metrics, weighted, heads })
    }
}

/// A training loss's reduction: `mean` or `sumOverFeatures` (a training loss is one number).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn training_reduction(id: usize) -> Result<Reduction> {
    match Reduction::from_abi(id as u32)? {
        Reduction::None => bail!("compile", "reduction 'none' gives one loss per sample, and a training loss is one number: use 'mean' or 'sumOverFeatures'"),
        r => Ok(r),
    }
}

/// `lossKind, n, lossParams…` of a compile config.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn read_loss(r: &mut crate::config::Reader<'_>) -> Result<Loss> {
    let kind = r.usize("loss")? as u32;
    let n = r.usize("loss parameter count")?;
    Loss::from_abi(kind, r.slice(n, "loss parameters")?)
}

/// `metricCount, metricIds…` of a compile config, for `loss` (`accuracy` picks its kind from it).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn read_metrics(r: &mut crate::config::Reader<'_>, loss: &Loss) -> Result<Vec<Metric>> {
    let n = r.usize("metric count")?;
    r.slice(n, "metrics")?.iter().map(|&id| Metric::from_abi(id as u32, loss)).collect()
}

/// A step's metric values: the plain ones, the weighted ones and each output's `Σ w`.
struct Metrics {
    plain: Vec<f32>,
    weighted: Vec<f32>,
    weight_sums: Vec<f32>,
}

/// Loss and metric values of one step or evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct StepResult {
    /// The total: data loss + `kl` + `regularization` (what training minimizes, as Keras's `loss`).
    pub loss: f32,
    pub metrics: Vec<f32>,
    /// The weighted metrics (each output's in turn), each `Σ w·m / Σ w` over the rows.
    pub weighted: Vec<f32>,
    /// `Σ w` of each output with weighted metrics (its rows' weights; 1 each without sample
    /// weights), so a caller can combine batches: `Σ mean·Σw / Σ Σw`.
    pub weight_sums: Vec<f32>,
    /// The variational layers' KL terms (0 without one).
    pub kl: f32,
    /// Weight penalties plus activity penalties (0 without regularizers).
    pub regularization: f32,
    /// With several outputs, each output's loss (before its weight); their weighted sum is
    /// the data term of `loss`, and `metrics` holds each output's metrics in turn.
    pub heads: Vec<f32>,
}

pub struct Trainer {
    pub cfg: TrainConfig,
    /// Optimizer state per parameter (lazily sized).
    state: Vec<Vec<f32>>,
    /// Optimizer steps taken (1-based in the update).
    pub step: u64,
    pub seed: u64,
    /// Multiplier applied to the scheduled learning rate (reduceLROnPlateau and
    /// `model.learningRate` write it; 0 freezes the weights by rate). An f64, so that a rate
    /// set as `target / scheduled` gives `target` back exactly once rounded to f32 (an f32
    /// factor can land an ulp off: `minLr: 1e-5` read 0.000010000001); the product is taken in
    /// f64 and rounded once, which for an f32 factor is the f32 product, bit for bit.
    pub lr_scale: f64,
    /// The parameters (`with_params` order) excluded from the optimizer's weight decay
    /// (Keras 3's `exclude_from_weight_decay`); shorter than the parameter list means the
    /// rest are not excluded. Set after `compile` (by weight names, in TS).
    pub no_decay: Vec<bool>,
    /// The open split step: its forward half ran, its backward half has not (see [`super::split`]).
    pub(super) split: Option<super::split::OpenStep>,
    /// Whether each fused step keeps its forward's output in [`Trainer::kept`]: metrics
    /// computed outside the core (`compile`'s `'auc'`, metric functions) read the output the
    /// loss was taken of — training behaviour, before the update — as Keras 3 and TF.js do.
    pub keep_output: bool,
    /// The last fused step's output, when [`Trainer::keep_output`] (taken by the caller).
    pub kept: Option<Tensor>,
}

/// The scheduled rate `lr` times `scale`, rounded once to f32 (the product of an f32 and an f32
/// factor is exact in f64, so this is their f32 product, bit for bit).
fn scaled(lr: f32, scale: f64) -> f32 {
    (f64::from(lr) * scale) as f32
}

/// The resumable part of a [`Trainer`]: with the weights, it is everything the next training
/// step reads that `compile` does not set. [`Trainer::export_state`] takes it and
/// [`Trainer::import_state`] puts it back, so training continues bit-identically.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainerState {
    /// Optimizer steps taken (the schedule position: the next step uses `lr(step + 1)`).
    pub step: u64,
    /// The seed of the training randomness (dropout and noise masks; with the epoch, the shuffles).
    pub seed: u64,
    /// The factor on the scheduled learning rate (reduceLROnPlateau).
    pub lr_scale: f64,
    /// Optimizer state per parameter, for every parameter in `Sequential::with_params` order:
    /// empty while the parameter has never been updated, else `slots()·size` floats, slot-major.
    pub slots: Vec<Vec<f32>>,
}

/// Rows per task of [`gather_rows`].
const GATHER_ROWS: usize = 16;
/// Work units per copied value for the pool's split threshold: a gathered row is read from
/// memory, not cache (a batch of 128 MNIST rows, 100K values, is split).
const GATHER_COST: usize = 4;

/// Copies rows `idx` of `t` (batch-first) into a new tensor.
pub fn gather_rows(op: &'static str, t: &Tensor, idx: &[u32]) -> Result<Tensor> {
    let n = t.dims().first().copied().unwrap_or(0);
    let per: usize = t.dims()[1..].iter().product();
    let mut dims = t.dims().to_vec();
    dims[0] = idx.len();
    let shape = Shape::new(op, &dims)?;
    if let Some(&i) = idx.iter().find(|&&i| i as usize >= n) {
        bail!(op, "batch index {i} is out of range for {n} samples");
    }
    // Rows scattered over a data set larger than the caches: the copy waits on memory, so
    // large batches are copied on the thread pool, GATHER_ROWS rows a task, straight into
    // uninitialised capacity (no zero-fill pass first).
    let mut out = crate::tensor::alloc_empty(op, shape.size())?;
    let row = per.max(1);
    crate::parallel::extend_with(&mut out, shape.size(), GATHER_ROWS * row, shape.size().saturating_mul(GATHER_COST), 0.0, |k, dst| {
        for (o, &i) in dst.chunks_exact_mut(row).zip(&idx[k * GATHER_ROWS..]) {
            o.copy_from_slice(&t.data()[i as usize * per..(i as usize + 1) * per]);
        }
    });
    Tensor::new(op, shape, out)
}

impl Trainer {
    /// Bytes held by the optimizer state (Adam's moments, momentum, ...).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn state_bytes(&self) -> usize {
        self.state.iter().map(|s| 4 * s.len()).sum()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(cfg: TrainConfig, seed: u64) -> Trainer {
        Trainer { cfg, state: Vec::new(), step: 0, seed, lr_scale: 1.0, no_decay: Vec::new(), split: None, keep_output: false, kept: None }
    }

    /// The optimizer state of parameter `i` (`with_params` order): empty while it has never
    /// been updated, else `cfg.optimizer.slots()·size` floats, slot-major.
    pub fn param_state(&self, i: usize) -> &[f32] {
        self.state.get(i).map_or(&[], |v| &v[..])
    }

    /// A copy of the resumable state (fallible allocations), one slot list per parameter of `model`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn export_state(&self, model: &Sequential) -> Result<TrainerState> {
        let n = model.with_params(|ps| ps.len())?;
        let mut slots = Vec::new();
        slots.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { op: "exportTrainingState", bytes: n as u64 * 24 })?;
        for i in 0..n {
            slots.push(crate::tensor::copy_of("exportTrainingState", self.param_state(i))?);
        }
        Ok(TrainerState { step: self.step, seed: self.seed, lr_scale: self.lr_scale, slots })
    }

    /// Replaces the resumable state with `st` after checking all of it against `model` and
    /// the compiled optimizer: one slot list per parameter, each empty or `slots()·size`
    /// long, finite, and non-negative where the optimizer keeps squares; a finite `lr_scale
    /// >= 0` (0: a model whose rate was set to 0). On an error nothing changes.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn import_state(&mut self, model: &Sequential, st: TrainerState) -> Result<()> {
        const OP: &str = "importTrainingState";
        let opt = &self.cfg.optimizer;
        let k = opt.slots();
        let params: Vec<(&'static str, usize)> = model.with_params(|ps| ps.iter().map(|s| (s.param.name, s.param.value.size())).collect())?;
        if st.slots.len() != params.len() {
            bail!(OP, "the state has optimizer slots for {} weights but the model has {} weights", st.slots.len(), params.len());
        }
        if !(st.lr_scale.is_finite() && st.lr_scale >= 0.0) {
            bail!(OP, "lrScale must be a finite number >= 0, got {}", js_number(st.lr_scale));
        }
        let names = opt.slot_names();
        for (i, (v, &(name, size))) in st.slots.iter().zip(&params).enumerate() {
            if v.is_empty() {
                continue;
            }
            if v.len() != k * size {
                bail_shape!(OP, "weight {i} (`{name}`, {size} values) has {} optimizer state values; {} keeps {k} per value ({}), so {} (or none before its first update)", v.len(), opt.name(), names.join(", "), k * size);
            }
            for (s, chunk) in v.chunks_exact(size.max(1)).enumerate() {
                let slot = names.get(s).copied().unwrap_or("?");
                if let Some(j) = crate::kernels::finite::first_non_finite(chunk) {
                    bail!(OP, "weight {i} (`{name}`) slot `{slot}` holds {} at index {j}; optimizer state must be finite", js_number(chunk[j]));
                }
                if opt.slot_is_nonneg(s) {
                    if let Some(j) = chunk.iter().position(|&x| x < 0.0) {
                        bail!(OP, "weight {i} (`{name}`) slot `{slot}` holds {} at index {j}; it accumulates squares and cannot be negative", js_number(chunk[j]));
                    }
                }
            }
        }
        self.step = st.step;
        self.seed = st.seed;
        self.lr_scale = st.lr_scale;
        self.state = st.slots;
        Ok(())
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f32 {
        scaled(self.cfg.schedule.lr(self.step + 1), self.lr_scale)
    }

    /// Checks `x` (its shape and the values the layers reading it refuse) and `y` against the
    /// model output for `n` samples. `op` begins every message (`"fit: validationData"` for
    /// fit's validation data, whose messages are then fit's own about x and y).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_targets(&self, model: &Sequential, op: &'static str, x: &Tensor, y: &Tensor) -> Result<()> {
        model.check_input(op, x)?;
        let n = x.dims()[0];
        if n == 0 {
            bail_shape!(op, "x has no samples ({}); at least one is needed", model.describe_inputs(x));
        }
        if y.dims().first() != Some(&n) {
            bail_shape!(op, "x has {n} samples but y has shape {} (the first dimension of both is the batch)", y.shape());
        }
        let outs = self.outputs(model, op)?;
        if !self.cfg.heads.is_empty() {
            let sizes: Vec<usize> = outs.iter().map(|(h, s)| h.target_shape(s).iter().product()).collect();
            let total: usize = sizes.iter().sum();
            if y.dims() != [n, total] {
                bail_shape!(op, "y must hold the {} outputs' targets packed as [{n}, {total}], got {}", outs.len(), y.shape());
            }
            let ys = columns(op, y, &sizes)?;
            for (i, ((h, s), t)) in outs.iter().zip(&ys).enumerate() {
                let pred_shape = [&[n][..], s].concat();
                let target_shape = [&[n][..], &h.target_shape(s)].concat();
                h.loss.check(&pred_shape, &target_shape, t).map_err(|e| e.within(op, &format!("y[{i}] (output {i})")))?;
                for m in h.metrics.iter().chain(&h.weighted) {
                    m.check(&pred_shape, &target_shape).map_err(|e| match e {
                        // A metric given to every output meets one whose loss takes class
                        // indices: say that, not the targets' squeezed shape.
                        Error::ShapeMismatch { .. } if target_shape != pred_shape => Error::shape(
                            op,
                            format!(
                                "{} on y[{i}] (output {i}): compares targets with predictions value by value, but output {i}'s loss ({}) takes class indices as its targets, not values of the predictions' shape {}: give each output its own metrics (compile's metrics as an object by output name or a list per output)",
                                m.name(),
                                h.loss.name(),
                                crate::Shape::from(pred_shape.clone())
                            ),
                        ),
                        e => e.within(op, &format!("y[{i}] (output {i})")),
                    })?;
                }
            }
            return Ok(());
        }
        let mut pred_shape = vec![n];
        pred_shape.extend(model.output_shape().unwrap_or(&[]));
        // The loss names itself; the message also names the caller (fit, evaluate, ...) and y.
        self.cfg.loss.check(&pred_shape, y.dims(), y.data()).map_err(|e| e.within(op, "y"))?;
        for m in self.cfg.metrics.iter().chain(&self.cfg.weighted) {
            m.check(&pred_shape, y.dims()).map_err(|e| e.within(op, "y"))?;
        }
        Ok(())
    }

    /// Each output's head and per-sample shape (an error when `compile` gave a different
    /// number of losses). One output is one head: `compile`'s loss, reduction and metrics,
    /// weighted 1, so one step serves every model.
    fn outputs<'a>(&'a self, model: &Sequential, op: &'static str) -> Result<Vec<(Cow<'a, Head>, Vec<usize>)>> {
        let shapes = model.output_shapes().map(<[_]>::to_vec);
        match (shapes, self.cfg.heads.is_empty()) {
            (None, true) => {
                let c = &self.cfg;
                let head = Head { loss: c.loss.clone(), reduction: c.reduction, weight: 1.0, metrics: c.metrics.clone(), weighted: c.weighted.clone() };
                Ok(vec![(Cow::Owned(head), model.output_shape().unwrap_or(&[]).to_vec())])
            }
            (Some(s), false) if s.len() == self.cfg.heads.len() => Ok(self.cfg.heads.iter().map(Cow::Borrowed).zip(s).collect()),
            (s, _) => bail!(op, "the model has {} outputs but compile gave {} losses", s.map_or(1, |s| s.len()), self.cfg.heads.len().max(1)),
        }
    }

    /// The data loss `Σ weightᵢ·lossᵢ` of each output's columns of the packed `pred` against
    /// its columns of the packed `y` (one output: all of them, not copied), each output's loss,
    /// and the metrics of each output in turn. With `grad` (each output's activation that may
    /// fuse with its loss, see [`Sequential::output_activations`]), also the gradient (packed
    /// as `pred`), each sample's rows scaled by `weights`, and per output whether it is
    /// `dL/d(logits)` (softmax or sigmoid fused with cross-entropy) or `dL/d(output)`.
    #[allow(clippy::type_complexity)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn heads_loss(&self, outs: &[(Cow<Head>, Vec<usize>)], pred: &Tensor, y: &Tensor, weights: Option<&[f32]>, mask: Option<(&[f32], &[bool])>, grad: Option<&[Option<Activation>]>) -> Result<(f32, Vec<f32>, Metrics, Option<(Tensor, Vec<bool>)>)> {
        let n = pred.dims()[0];
        let p_sizes: Vec<usize> = outs.iter().map(|(_, s)| s.iter().product()).collect();
        let y_sizes: Vec<usize> = outs.iter().map(|(h, s)| h.target_shape(s).iter().product()).collect();
        let (ps, ys) = (columns("fit", pred, &p_sizes)?, columns("fit", y, &y_sizes)?);
        // The rows of one sample of each output (its axes between the batch and the last).
        let ks: Vec<usize> = outs.iter().map(|(_, s)| s.len().checked_sub(1).map_or(1, |l| s[..l].iter().product::<usize>()).max(1)).collect();
        if let Some(w) = weights {
            let rows: usize = ks.iter().sum();
            if w.len() != n * outs.len() && w.len() != n * rows {
                let each = if rows > outs.len() { format!(" or {rows} per sample (one per row of each output)") } else { String::new() };
                bail_shape!("fit", "the sample weights have {} values for {n} samples; give {} per sample (one per output){each}", w.len(), outs.len());
            }
        }
        let (mut data, mut losses, mut metrics, mut grads, mut pre) = (0.0f32, Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut weighted, mut weight_sums) = (Vec::new(), Vec::new());
        for (q, (((h, s), p), t)) in outs.iter().zip(&ps).zip(&ys).enumerate() {
            let (p, t) = (&p[..], &t[..]);
            let cols = s.last().copied().unwrap_or(1);
            let rows = (n * s.iter().product::<usize>()).checked_div(cols).unwrap_or(0);
            // The rows of one sample (its axes between the batch and the last): derived here,
            // not built as a shape, as this runs at every step.
            let k = rows.checked_div(n).unwrap_or(1).max(1);
            // This output's weights: of each sample (the sample weights [n, outputs]), or of
            // each of its rows (per-row weights [n, Σ rows of each output], Keras's temporal
            // sample weights).
            let w: Option<Cow<[f32]>> = match weights {
                Some(w) if outs.len() == 1 => Some(Cow::Borrowed(w)),
                Some(w) if w.len() == n * outs.len() => Some(Cow::Owned(w.iter().skip(q).step_by(outs.len()).copied().collect())),
                Some(w) => {
                    let (at, all) = (ks[..q].iter().sum::<usize>(), ks.iter().sum::<usize>());
                    Some(Cow::Owned(w.chunks_exact(all).flat_map(|c| &c[at..at + k]).copied().collect()))
                }
                None => None,
            };
            // The output's mask, Keras 3's `apply_mask`: the weights of the rows that count
            // times `counted / valid`, 0 elsewhere, so the mean divides by the rows that count
            // (0 when none does); metrics see only those rows. With several outputs, the masks
            // are packed per sample, each output's rows one after the other (`masked` says
            // which outputs have one: see `Sequential::output_mask`).
            let mq: Option<Cow<[f32]>> = match mask {
                Some((m, _)) if outs.len() == 1 => Some(Cow::Borrowed(m)),
                Some((m, masked)) if masked.get(q) == Some(&true) => {
                    let (at, all) = (ks[..q].iter().sum::<usize>(), ks.iter().sum::<usize>());
                    Some(Cow::Owned(m.chunks_exact(all).flat_map(|c| &c[at..at + k]).copied().collect()))
                }
                _ => None,
            };
            let w = match &mq {
                Some(m) => {
                    if m.len() != rows {
                        bail_shape!("fit", "the output's mask has {} values for {rows} rows of {}", m.len(), pred.shape());
                    }
                    Some(Cow::Owned(masked_weights(&h.loss, t, m, w.as_deref(), rows)))
                }
                None => w,
            };
            let w = w.as_deref();
            if w.is_some() && matches!(h.loss, Loss::Dice) {
                // Keras's Dice (axis=None) is one value for the batch: no sample to weigh.
                bail!("fit", "dice is one value over the whole batch (Keras's Dice with axis=None), so it takes no sample or class weights");
            }
            let l = match w {
                Some(w) => weighted_loss(&h.loss, h.reduction, p, t, w, rows, cols, k),
                None => h.reduction.forward(&h.loss, p, t, rows, cols, k),
            };
            data += h.weight * l;
            losses.push(l);
            match &mq {
                Some(m) => metrics.extend(h.metrics.iter().map(|x| x.compute_masked(p, t, cols, m))),
                None => metrics.extend(h.metrics.iter().map(|m| m.compute(p, t, cols))),
            }
            if !h.weighted.is_empty() {
                // With a mask, `w` is already the masked rows' weights (0 elsewhere): the
                // weighted metrics count only the real steps, as Keras 3's.
                // Without sample weights, each row weighs 1 (the plain metric).
                let ones;
                let wr = match w {
                    Some(w) => w,
                    None => {
                        ones = vec![1.0f32; rows];
                        &ones[..]
                    }
                };
                let mut sum = 0.0;
                for m in &h.weighted {
                    let (v, s) = m.compute_weighted(p, t, cols, wr);
                    weighted.push(v);
                    sum = s;
                }
                if rows == 0 {
                    sum = 0.0;
                }
                weight_sums.push(sum);
            }
            if let Some(acts) = grad {
                let fused = fused_logit_grad(&h.loss, acts.get(q).copied().flatten(), p, t, rows, cols).transpose()?;
                pre.push(fused.is_some());
                let (mut g, factor) = match fused {
                    Some(dz) => (dz, h.reduction.factor(&h.loss, cols, k) * h.weight),
                    None => {
                        let mut g = crate::tensor::alloc("fit", p.len())?;
                        h.reduction.backward(&h.loss, p, t, rows, cols, k, &mut g);
                        (g, h.weight)
                    }
                };
                if factor != 1.0 {
                    g.iter_mut().for_each(|v| *v *= factor);
                }
                if let Some(w) = w {
                    scale_samples(&mut g, w);
                }
                grads.push(g);
            }
        }
        let dp = match (grad.is_some(), grads.len()) {
            (false, _) => None,
            // One output: the gradient has the output's shape.
            (true, 1) => Some((Tensor::new("fit", pred.shape().clone(), grads.pop().unwrap_or_default())?, pre)),
            (true, _) => Some((join_columns("fit", n, &grads.iter().map(Vec::as_slice).collect::<Vec<_>>())?, pre)),
        };
        Ok((data, losses, Metrics { plain: metrics, weighted, weight_sums }, dp))
    }

    /// The per-output losses a step reports: one per output of a model compiled with a loss
    /// per output, none for one output (its loss is the data term).
    fn reported(&self, losses: Vec<f32>) -> Vec<f32> {
        if self.cfg.heads.is_empty() { Vec::new() } else { losses }
    }

    /// One training step on rows `idx` of `x`/`y`.
    #[inline(never)]
    pub fn train_batch(&mut self, model: &mut Sequential, x: &Tensor, y: &Tensor, idx: &[u32]) -> Result<StepResult> {
        self.train_batch_weighted(model, x, y, None, idx)
    }

    /// [`Trainer::train_batch`] with a weight per sample of `x` (`weights[i]` for row `i`, as
    /// TF.js's `classWeight` gives them; with several outputs `[n, outputs]`, a weight per
    /// sample and output): each sample's loss, and so its gradient, is scaled by its weight
    /// before the mean over the batch; metrics, KL and penalties are not weighted.
    #[inline(never)]
    pub fn train_batch_weighted(&mut self, model: &mut Sequential, x: &Tensor, y: &Tensor, weights: Option<&Tensor>, idx: &[u32]) -> Result<StepResult> {
        if idx.is_empty() {
            bail!("fit", "empty batch");
        }
        let xb = gather_rows("fit", x, idx)?;
        let yb = gather_rows("fit", y, idx)?;
        // One weight per sample (and output), or per row of each output (checked by the step).
        let wb = match weights {
            Some(w) if w.dims().first() != x.dims().first() => bail_shape!("fit", "the sample weights are for {} samples but x has {}", w.dims().first().copied().unwrap_or(0), x.dims()[0]),
            Some(w) => Some(gather_rows("fit", w, idx)?),
            None => None,
        };
        self.step(model, xb, &yb, wb.as_ref().map(Tensor::data))
    }

    /// One training step on a whole batch.
    #[inline(never)]
    pub fn train_on(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor) -> Result<StepResult> {
        self.step(model, xb, yb, None)
    }

    /// [`Trainer::train_on`] with sample weights (as [`Trainer::train_batch_weighted`]'s, for the
    /// whole batch).
    #[inline(never)]
    pub fn train_on_weighted(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor, weights: Option<&Tensor>) -> Result<StepResult> {
        if let Some(w) = weights {
            if w.dims().first() != xb.dims().first() {
                bail_shape!("fit", "the sample weights are for {} samples but x has {}", w.dims().first().copied().unwrap_or(0), xb.dims().first().copied().unwrap_or(0));
            }
        }
        self.step(model, xb, yb, weights.map(Tensor::data))
    }

    /// The two halves around the compiled losses: forward, the losses and `dL/d(output)`
    /// (fused with a final softmax or sigmoid where it may be), then the penalties, backward
    /// (no input gradient needed) and the update.
    fn step(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor, weights: Option<&[f32]>) -> Result<StepResult> {
        self.kept = None;
        let pred = self.forward_half(model, xb)?;
        let outs = self.outputs(model, "fit")?;
        let acts = model.output_activations();
        let (data, heads, metrics, dp) = self.heads_loss(&outs, &pred, yb, weights, model.output_mask().map(|m| (m, model.masked_outputs())), Some(&acts))?;
        if self.keep_output {
            self.kept = Some(pred);
        } else {
            drop(pred);
        }
        let (dp, pre) = dp.ok_or_else(|| Error::Internal { msg: "fit: no gradient".into() })?;
        let (kl, regularization) = self.backward_half(model, dp, &pre, data)?;
        Ok(StepResult { loss: data + kl + regularization, metrics: metrics.plain, weighted: metrics.weighted, weight_sums: metrics.weight_sums, kl, regularization, heads: self.reported(heads) })
    }

    /// The first half of a training step: the forward with training behaviour (dropout and
    /// noise drawn from the seed and the step, batch statistics), the layers keeping what
    /// backward needs. The model's output (packed, for several).
    // One copy, shared by the fused step and the split step's calls.
    #[inline(never)]
    pub fn forward_half(&self, model: &mut Sequential, xb: Tensor) -> Result<Tensor> {
        model.forward_all(xb, Mode::Train { seed: self.seed, step: self.step })
    }

    /// The second half of a training step after [`Trainer::forward_half`]: the penalties of
    /// that forward (KL, weight and activity), backward from `dp` = `dL/d(output)` (output
    /// `q`'s part at its final activation's input when `pre[q]`) without `dL/dx`, the layers
    /// adding their KL and activity gradients, then [`Trainer::apply_gradients`] with the
    /// weight penalties' gradients, for the step's loss `data + kl + regularization`.
    /// Returns `(kl, regularization)`.
    // One copy, shared by the fused step and the split step's calls.
    #[inline(never)]
    pub fn backward_half(&mut self, model: &mut Sequential, dp: Tensor, pre: &[bool], data: f32) -> Result<(f32, f32)> {
        model.set_input_grad_all(false)?;
        let r = self.penalties_and_backward(model, dp, pre);
        model.set_input_grad_all(true)?;
        let (kl, regularization, _) = r?;
        self.apply_gradients(model, data + kl + regularization)?;
        Ok((kl, regularization))
    }

    /// The KL and regularization penalties of the last forward, then backward from `dp`.
    // One copy, shared by the fused step and the split step's calls.
    #[inline(never)]
    fn penalties_and_backward(&self, model: &mut Sequential, dp: Tensor, pre: &[bool]) -> Result<(f32, f32, Tensor)> {
        let kl = model.kl_loss_all();
        let regularization = model.activity_loss_all() + weight_penalty(model)?;
        let dx = model.backward_outputs(dp, pre)?;
        Ok((kl, regularization, dx))
    }

    /// Forward and backward on a batch without updating: fills every parameter's `grad`
    /// (before regularization and clipping) and returns the loss, metrics and `dL/dx`.
    #[inline(never)]
    pub fn gradients(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor) -> Result<(StepResult, Tensor)> {
        self.gradients_weighted(model, xb, yb, None)
    }

    /// [`Trainer::gradients`] with a weight per sample of the batch (see
    /// [`Trainer::train_batch_weighted`]).
    fn gradients_weighted(&mut self, model: &mut Sequential, xb: Tensor, yb: &Tensor, weights: Option<&[f32]>) -> Result<(StepResult, Tensor)> {
        let pred = self.forward_half(model, xb)?;
        let outs = self.outputs(model, "fit")?;
        let acts = model.output_activations();
        let (data, heads, metrics, dp) = self.heads_loss(&outs, &pred, yb, weights, model.output_mask().map(|m| (m, model.masked_outputs())), Some(&acts))?;
        let (dp, pre) = dp.ok_or_else(|| Error::Internal { msg: "fit: no gradient".into() })?;
        let (kl, regularization, dx) = self.penalties_and_backward(model, dp, &pre)?;
        Ok((StepResult { loss: data + kl + regularization, metrics: metrics.plain, weighted: metrics.weighted, weight_sums: metrics.weight_sums, kl, regularization, heads: self.reported(heads) }, dx))
    }

    /// Adds regularization gradients, clips, and updates every trainable parameter.
    fn apply_gradients(&mut self, model: &mut Sequential, loss: f32) -> Result<()> {
        model.with_params(|all| self.update(all, Some(loss), true, "fit"))?
    }

    /// One optimizer step from gradients computed elsewhere (`optimizer.applyGradients` or
    /// `minimize` on the weights of the model this trainer belongs to): `grads` pairs a
    /// parameter's index (`with_params` order) with its gradient. It is `fit`'s update — the
    /// same optimizer state, step counter, schedule × `lr_scale`, clipping (over these
    /// gradients) and all-or-nothing refusal of a non-finite gradient — for these parameters
    /// only, frozen or not, without the weight regularizers' gradients (a custom loss adds its
    /// own terms, as in TF.js). The others, and their state, are untouched. An empty list
    /// only counts a step (one whose gradients were all for variables outside the model).
    /// Errors name `op`; on any error nothing changes.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn apply_given(&mut self, model: &mut Sequential, grads: &[(usize, &[f32])], op: &'static str) -> Result<()> {
        model.with_params(|all| self.update_given(all, grads, op))?
    }

    /// The body of [`Trainer::apply_given`] (out of `with_params`' closure, so compiled for size).
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn update_given(&mut self, all: &mut [ParamSlot<'_>], grads: &[(usize, &[f32])], op: &'static str) -> Result<()> {
        let n = all.len();
        // Checked and copied (clipping must not touch the caller's) before anything changes.
        let mut given: Vec<(usize, Vec<f32>)> = Vec::new();
        given.try_reserve_exact(grads.len()).map_err(|_| Error::OutOfMemory { op, bytes: grads.len() as u64 * 16 })?;
        for &(i, g) in grads {
            let Some(s) = all.get(i) else { bail!(op, "weight index {i} is out of range for {n} weights") };
            let (name, layer, size) = (s.param.name, s.layer, s.param.value.size());
            if g.len() != size {
                bail_shape!(op, "the gradient of weight {i} (`{name}` of layer {layer}) has {} values but the weight has {size}", g.len());
            }
            if given.iter().any(|&(j, _)| j == i) {
                bail!(op, "weight {i} (`{name}` of layer {layer}) is given twice; each weight may be updated once per step");
            }
            given.push((i, crate::tensor::copy_of(op, g)?));
        }
        // The given gradients stand in for the parameters' own (the last backward's) for this
        // update only: swapped in, then back whatever happens.
        all.iter_mut().for_each(|s| s.updated = false);
        for (i, g) in given.iter_mut() {
            all[*i].updated = true;
            std::mem::swap(&mut all[*i].param.grad, g);
        }
        let r = self.update(all, None, false, op);
        for (i, g) in given.iter_mut() {
            std::mem::swap(&mut all[*i].param.grad, g);
        }
        r
    }

    /// The update of every selected parameter (`updated`) from its `grad`, after adding the
    /// weight regularizers' gradients when `regularize` and clipping; refused (nothing
    /// changes) when a gradient or the step's `loss` is not finite. Errors name `op`. One
    /// body for both callers (it holds every optimizer's update loop).
    #[inline(never)]
    fn update(&mut self, all: &mut [ParamSlot<'_>], loss: Option<f32>, regularize: bool, op: &'static str) -> Result<()> {
        // Optimizer state is indexed by the position among *all* parameters, so freezing or
        // unfreezing a layer between steps never hands one parameter's state to another.
        if self.state.len() < all.len() {
            self.state.resize(all.len(), Vec::new());
        }
        let mut params: Vec<(usize, &mut Param)> = all.iter_mut().enumerate().filter(|(_, s)| s.updated).map(|(i, s)| (i, &mut *s.param)).collect();
        // A weight no backward reached yet has no gradient buffer: zeros, as a backward
        // that reached it without a contribution would leave.
        for (_, p) in params.iter_mut() {
            p.grad_mut()?;
        }
        for (_, p) in params.iter_mut().filter(|_| regularize) {
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
        if let Some(&(i, ref p)) = params.iter().find(|(_, p)| !crate::kernels::finite::all_finite(&p.grad)) {
            let name = p.name;
            drop(params);
            let layer = all[i].layer;
            // The weight's index too: TS names the layer (and the nested models it is in) from it.
            return Err(Error::non_finite(op, format!("a gradient of `{name}` of layer {layer} (weight {i}) is not finite (NaN or Infinity) at step {}; lower the learning rate, clip gradients, or check the data for NaN", self.step + 1)));
        }
        // A loss that overflowed (predictions or targets beyond float32) is a diverged step even
        // when every gradient is still finite: refused the same way.
        if let Some(loss) = loss.filter(|l| !l.is_finite()) {
            // NaN (not Infinity) with finite gradients is most often a prediction outside the
            // loss's domain, which no learning rate fixes (poisson of a linear output's −2).
            let why = if loss.is_nan() {
                "a prediction outside the loss's domain (poisson, and a cross-entropy on probabilities, need predictions ≥ 0, and a categoricalCrossentropy row of all-zero predictions is 0/0: end the model in softmax, sigmoid or softplus, or use fromLogits), or predictions or targets that overflow float32 (lower the learning rate, clip gradients, or scale data of huge magnitude)"
            } else {
                "the predictions or targets overflow float32; lower the learning rate, clip gradients, or scale data of huge magnitude"
            };
            return Err(Error::non_finite(op, format!("the loss is {} at step {} though every gradient is finite: {why}", js_number(loss), self.step + 1)));
        }
        // Every allocation (optimizer state, unsharing a weight the user also holds) happens
        // before the first update, so running out of memory also leaves every weight as it was.
        let slots = self.cfg.optimizer.slots();
        for (i, p) in params.iter_mut() {
            let st = &mut self.state[*i];
            if st.len() != slots * p.value.size() {
                *st = crate::tensor::alloc(op, slots * p.value.size())?;
                self.cfg.optimizer.init_state(st);
            }
            p.value.try_data_mut(op)?;
        }
        // The constraints' scratch too (one buffer, as long as the largest weight's norms).
        let mut norms = Vec::new();
        for (_, p) in params.iter() {
            if let Some(c) = &p.constraint {
                let mut need = Vec::new();
                c.reserve(op, p.value.dims(), &mut need)?;
                if need.capacity() > norms.capacity() {
                    norms = need;
                }
            }
        }
        self.step += 1;
        let lr = scaled(self.cfg.schedule.lr(self.step), self.lr_scale);
        for (i, p) in params {
            let decay = !self.no_decay.get(i).copied().unwrap_or(false);
            self.cfg.optimizer.update(self.step, lr, decay, p.value.data_mut(), &p.grad, &mut self.state[i]);
            // Keras 3: a weight's constraint projects it right after each update of it.
            p.constrain(&mut norms);
        }
        Ok(())
    }

    /// Loss and metrics over all of `x`/`y`, in batches, without training.
    #[inline(never)]
    pub fn evaluate(&self, model: &mut Sequential, x: &Tensor, y: &Tensor, batch_size: usize) -> Result<StepResult> {
        self.evaluate_weighted(model, x, y, None, batch_size)
    }

    /// [`Trainer::evaluate`] with sample weights (as [`Trainer::train_batch_weighted`]'s): the
    /// loss is `Σ w·ℓ` over all samples' rows divided by their number, as a training step's
    /// (Keras 3's evaluate: the batches' `Σ w·ℓ / size`, averaged by batch size); metrics, KL
    /// and penalties are not weighted.
    #[inline(never)]
    pub fn evaluate_weighted(&self, model: &mut Sequential, x: &Tensor, y: &Tensor, weights: Option<&Tensor>, batch_size: usize) -> Result<StepResult> {
        let n = x.dims()[0];
        if let Some(w) = weights {
            if w.dims().first() != Some(&n) {
                bail_shape!("evaluate", "the sample weights are for {} samples but x has {n}", w.dims().first().copied().unwrap_or(0));
            }
        }
        if n == 0 {
            bail!("evaluate", "x has no samples");
        }
        // As TF.js (its test function never adds the layers' losses): the data loss plus the KL
        // of variational layers (computed at inference from their mean and log-variance), but
        // not the weight and activity penalties, which training adds and which are reported
        // beside the loss. Keras 3 adds them; so `val_loss` is TF.js's.
        let (pred, activity, kl) = model.predict_with_activity(x, batch_size)?;
        let outs = self.outputs(model, "evaluate")?;
        let mask = model.output_mask().map(|m| (m, model.masked_outputs()));
        let (mut data, mut heads, metrics, _) = self.heads_loss(&outs, &pred, y, weights.map(Tensor::data), mask, None)?;
        if (mask.is_some() || outs.iter().any(|(h, _)| h.loss.masks())) && batch_size < n {
            (data, heads) = self.masked_batches(&outs, &pred, y, weights, mask, batch_size, heads.len())?;
        }
        let regularization = activity + weight_penalty(model)?;
        Ok(StepResult { loss: data + kl, metrics: metrics.plain, weighted: metrics.weighted, weight_sums: metrics.weight_sums, kl, regularization, heads: self.reported(heads) })
    }
}

impl Trainer {
    /// A masked loss divides each batch by its own count of unmasked rows: Keras 3's evaluate
    /// averages the batches' losses by batch size, which is then not the mean over all rows
    /// (the metrics count every unmasked row, as Keras's, so they stay global). The data loss
    /// and each output's loss over batches of `batch_size` rows of `pred`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn masked_batches(&self, outs: &[(Cow<Head>, Vec<usize>)], pred: &Tensor, y: &Tensor, weights: Option<&Tensor>, mask: Option<(&[f32], &[bool])>, batch_size: usize, count: usize) -> Result<(f32, Vec<f32>)> {
        let n = pred.dims()[0];
        let (mut data, mut heads) = (0.0f32, vec![0.0f32; count]);
        let per_w = weights.map_or(0, |w| w.size() / n);
        let per_m = mask.map_or(0, |(m, _)| m.len() / n);
        for start in (0..n).step_by(batch_size.max(1)) {
            let idx: Vec<u32> = (start as u32..(start + batch_size).min(n) as u32).collect();
            let (pb, yb) = (gather_rows("evaluate", pred, &idx)?, gather_rows("evaluate", y, &idx)?);
            let wb = weights.map(|w| &w.data()[start * per_w..(start + idx.len()) * per_w]);
            let mb = mask.map(|(m, masked)| (&m[start * per_m..(start + idx.len()) * per_m], masked));
            let (d, hs, _, _) = self.heads_loss(outs, &pb, &yb, wb, mb, None)?;
            let share = idx.len() as f32 / n as f32;
            data += d * share;
            heads.iter_mut().zip(hs).for_each(|(a, b)| *a += b * share);
        }
        Ok((data, heads))
    }
}

/// The data loss with its rows weighted by `w`: one weight per sample (sample `i`'s rows by
/// `w[i]`) or one per row (Keras's temporal weights), `k` rows to a sample. The mean over all
/// `rows` of `w · ℓ(row)` (TF.js's `mean(loss · sampleWeights)`, Keras 3's `sum(w · loss)` over
/// the loss's size), `ℓ` the loss of one row under the reduction; with an ignored class, over
/// the rows that are not ignored (Keras 3's `apply_mask`: the weights do not change the count).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[allow(clippy::too_many_arguments)]
fn weighted_loss(loss: &Loss, reduction: Reduction, pred: &[f32], y: &[f32], w: &[f32], rows: usize, cols: usize, k: usize) -> f32 {
    if rows == 0 || w.is_empty() {
        return 0.0;
    }
    let per_weight = (rows / w.len()).max(1);
    let y_cols = (y.len() / rows).max(1);
    let mut sum = 0.0f64;
    for (r, (p, t)) in pred.chunks_exact(cols).zip(y.chunks_exact(y_cols)).enumerate() {
        sum += f64::from(w[r / per_weight]) * f64::from(reduction.forward(loss, p, t, 1, cols, k));
    }
    // Keras 3's mask (ignore_class): the weighted sum over the rows that count (0 if none do).
    match loss.counted_rows(y, rows) {
        0 => 0.0,
        counted => (sum / counted as f64) as f32,
    }
}

/// Keras 3's mask as weights on `rows` rows of targets `t`: `w_r·m_r·counted/valid`, where `w`
/// holds the sample weights (one per sample or per row; 1 without), `m` the mask (1 counts),
/// `counted` the rows the loss divides by ([`Loss::counted_rows`]: the rows not of an ignored
/// class) and `valid` the rows that count for both. [`weighted_loss`] divides the weighted sum
/// by `counted`, so the loss is `Σ w·m·ℓ / valid`; all zeros when no row counts.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn masked_weights(loss: &Loss, t: &[f32], m: &[f32], w: Option<&[f32]>, rows: usize) -> Vec<f32> {
    let tc = (t.len() / rows.max(1)).max(1);
    let ignored = |r: usize| match *loss {
        Loss::SparseCategoricalCrossentropy { ignore_class, .. } => t.get(r * tc).is_some_and(|&v| sparse_categorical_crossentropy::ignored(v, ignore_class)),
        _ => false,
    };
    let per_w = w.map_or(1, |w| (rows / w.len().max(1)).max(1));
    let keep: Vec<bool> = (0..rows).map(|r| m[r] != 0.0 && !ignored(r)).collect();
    let valid = keep.iter().filter(|&&k| k).count();
    let counted = loss.counted_rows(t, rows);
    let scale = if valid == 0 { 0.0 } else { counted as f32 / valid as f32 };
    (0..rows).map(|r| if keep[r] { scale * w.map_or(1.0, |w| w.get(r / per_w).copied().unwrap_or(0.0)) } else { 0.0 }).collect()
}

/// Scales the rows of `d` (a batch's gradient) by their weights in `w` (one per sample, or one per row).
fn scale_samples(d: &mut [f32], w: &[f32]) {
    let per_sample = d.len() / w.len().max(1);
    if per_sample == 0 {
        return;
    }
    for (chunk, &wi) in d.chunks_exact_mut(per_sample).zip(w) {
        chunk.iter_mut().for_each(|v| *v *= wi);
    }
}

/// The weight-regularization penalty of every parameter.
pub(super) fn weight_penalty(model: &Sequential) -> Result<f32> {
    model.with_params(|ps| ps.iter().filter_map(|s| s.param.regularizer.map(|r| r.penalty(s.param.value.data()))).sum())
}

/// `dL/dz` for softmax + categorical cross-entropy and sigmoid + binary cross-entropy on
/// probabilities, with ỹ the smoothed targets:
/// - softmax + CCE: `ℓ = −Σ_j ỹ_j·ln p_j`, `∂ℓ/∂z_i = p_i·Σ_j ỹ_j − ỹ_i`, over `rows`. This is
///   `p − ỹ` only when the row of ỹ sums to 1; multi-hot rows, all-zero rows or soft targets
///   that do not sum to 1 need the `Σỹ` factor (as Keras's and TF.js's
///   `softmax_cross_entropy_with_logits`).
/// - sparse CCE: the target is one class, so `Σỹ = 1` and `∂ℓ/∂z = p − onehot`.
/// - sigmoid + BCE: element-wise, `∂ℓ/∂z = p − ỹ` for any ỹ, over `rows·cols`.
///
/// Where the loss clips p to [ε, 1 − ε] (a confidently wrong or right sample), the clip has no
/// gradient (TF.js's `clipByValue`), so these closed forms no longer hold: such a row (an
/// element for BCE) takes the unfused chain — the loss's own backward rule, then the
/// activation's — so `fit` descends the loss it reports, as `minimize` and TF.js do.
fn fused_logit_grad(loss: &Loss, act: Option<Activation>, p: &[f32], y: &[f32], rows: usize, cols: usize) -> Option<Result<Vec<f32>>> {
    let mut dz = match crate::tensor::alloc("fit", p.len()) {
        Ok(v) => v,
        Err(e) => return Some(Err(e)),
    };
    match (loss, act?) {
        (Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: s }, Activation::Softmax) => {
            let k = cols as f32;
            let smooth = |t: f32| t * (1.0 - s) + s / k;
            for ((drow, prow), trow) in dz.chunks_exact_mut(cols).zip(p.chunks_exact(cols)).zip(y.chunks_exact(cols)) {
                let sum: f32 = prow.iter().sum();
                if prow.iter().any(|&pv| !clip_prob(pv / sum).1) {
                    categorical_crossentropy::backward(prow, trow, 1, cols, false, *s, drow);
                    softmax_chain(prow, drow, rows);
                    continue;
                }
                let ysum: f32 = trow.iter().map(|&t| smooth(t)).sum();
                for ((d, &pv), &t) in drow.iter_mut().zip(prow).zip(trow) {
                    *d = (pv * ysum - smooth(t)) / rows as f32;
                }
            }
        }
        (Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, Activation::Softmax) => {
            for (r, (drow, prow)) in dz.chunks_exact_mut(cols).zip(p.chunks_exact(cols)).enumerate() {
                if prow.iter().any(|&pv| !clip_prob(pv).1) {
                    sparse_categorical_crossentropy::backward(prow, &y[r..r + 1], 1, cols, false, None, drow);
                    softmax_chain(prow, drow, rows);
                    continue;
                }
                let label = y[r] as usize;
                for (j, (d, &pv)) in drow.iter_mut().zip(prow).enumerate() {
                    *d = (pv - if j == label { 1.0 } else { 0.0 }) / rows as f32;
                }
            }
        }
        (Loss::BinaryCrossentropy { from_logits: false, label_smoothing: s }, Activation::Sigmoid) => {
            let n = (rows * cols) as f32;
            for ((d, &pv), &t) in dz.iter_mut().zip(p).zip(y) {
                // The unfused chain through a clipped p: zero.
                *d = if clip_prob(pv).1 { (pv - (t * (1.0 - s) + 0.5 * s)) / n } else { 0.0 };
            }
        }
        _ => return None,
    }
    Some(Ok(dz))
}

/// `d ← ∂ℓ/∂z / rows` for one softmax row `p`, from `d = ∂ℓ/∂p`, by softmax's own backward rule.
fn softmax_chain(p: &[f32], d: &mut [f32], rows: usize) {
    let dp = d.to_vec();
    Activation::Softmax.backward(p, p, &dp, d, p.len());
    d.iter_mut().for_each(|v| *v /= rows as f32);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers;

    const SIGMOID: f32 = 8.0;
    const SOFTMAX: f32 = 10.0;
    const GLOROT_UNIFORM: f32 = 6.0;

    /// A one-layer model `act(x·W + b)` with 3 inputs and 3 units.
    fn model(act: f32) -> Sequential {
        let mut m = Sequential::new(11);
        let p = vec![3.0, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        m.add(layers::from_abi(0, &p, 0).unwrap()).unwrap();
        m.build_all(&[3]).unwrap();
        m
    }

    fn trainer(loss: Loss) -> Trainer {
        let cfg = TrainConfig { loss, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.5), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        Trainer::new(cfg, 1)
    }

    /// `dense(5, sigmoid) → dropout(0.3) → dense(3, softmax)` on 4 inputs.
    fn mlp(seed: u64) -> Sequential {
        let mut m = Sequential::new(seed);
        let dense = |units: f32, act: f32| vec![units, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        m.add(layers::from_abi(0, &dense(5.0, SIGMOID), 0).unwrap()).unwrap();
        m.add(layers::from_abi(3, &[0.3], 1).unwrap()).unwrap();
        m.add(layers::from_abi(0, &dense(3.0, SOFTMAX), 2).unwrap()).unwrap();
        m.build_all(&[4]).unwrap();
        m
    }

    fn weights(m: &Sequential) -> Vec<Vec<u32>> {
        m.param_values().unwrap().iter().map(|(t, _)| t.data().iter().map(|v| v.to_bits()).collect()).collect()
    }

    /// `steps` training steps on rotating batches of 4 of the 12 samples, from step `from`.
    fn run(tr: &mut Trainer, m: &mut Sequential, from: u32, steps: u32) {
        let x = Tensor::new("x", Shape::from([12, 4]), (0..48).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect()).unwrap();
        let y = Tensor::new("y", Shape::from([12, 3]), (0..36).map(|i| if i % 3 == (i / 3) % 3 { 1.0 } else { 0.0 }).collect()).unwrap();
        for s in from..from + steps {
            let idx: Vec<u32> = (0..4).map(|k| (s * 5 + k * 3) % 12).collect();
            tr.train_batch(m, &x, &y, &idx).unwrap();
        }
    }

    #[test]
    fn exported_state_resumes_bit_identically() {
        let opts = [
            Optimizer::from_abi(0, &[0.0, 0.0, 0.0]).unwrap(),
            Optimizer::from_abi(0, &[0.9, 1.0, 0.0]).unwrap(),
            Optimizer::from_abi(1, &[0.9, 0.999, 1e-7, 1.0, 0.01]).unwrap(),
            Optimizer::from_abi(2, &[0.9, 0.999, 1e-7, 0.01, 0.0]).unwrap(),
            Optimizer::from_abi(3, &[0.9, 0.5, 1e-7, 1.0, 0.0]).unwrap(),
            Optimizer::from_abi(4, &[0.1, 1e-7, 0.0]).unwrap(),
        ];
        let schedule = LrSchedule::from_abi(2, &[0.05, 0.5, 3.0, 2.0]).unwrap();
        for opt in opts {
            let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer: opt.clone(), schedule, clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
            let mut whole = mlp(3);
            let mut tr = Trainer::new(cfg.clone(), 3);
            tr.lr_scale = 0.75;
            run(&mut tr, &mut whole, 0, 10);
            let mut first = mlp(3);
            let mut tr1 = Trainer::new(cfg.clone(), 3);
            tr1.lr_scale = 0.75;
            run(&mut tr1, &mut first, 0, 4);
            let st = tr1.export_state(&first).unwrap();
            assert_eq!((st.step, st.seed, st.lr_scale, st.slots.len()), (4, 3, 0.75, 4));
            let lens: Vec<usize> = st.slots.iter().map(Vec::len).collect();
            assert_eq!(lens, [20, 5, 15, 3].map(|n| n * opt.slots()), "{}", opt.name());
            // A fresh model (another seed, so other initial weights and another trainer seed)
            // given the weights and the state continues exactly where the first one stopped.
            let mut resumed = mlp(99);
            resumed.with_params(|dst| first.with_params(|src| dst.iter_mut().zip(src.iter()).for_each(|(d, s)| d.param.value = s.param.value.clone())).unwrap()).unwrap();
            let mut tr2 = Trainer::new(cfg.clone(), 99);
            tr2.import_state(&resumed, st).unwrap();
            run(&mut tr2, &mut resumed, 4, 6);
            assert_eq!(weights(&resumed), weights(&whole), "{}", opt.name());
            assert_eq!(tr2.step, 10);
        }
    }

    /// A gradient per parameter of `mlp` (sizes 20, 5, 15, 3), fixed values in [-0.3, 0.3].
    fn given_grads(m: &Sequential, seed: usize) -> Vec<Vec<f32>> {
        let sizes = m.with_params(|ps| ps.iter().map(|s| s.param.value.size()).collect::<Vec<_>>()).unwrap();
        sizes.iter().enumerate().map(|(i, &n)| (0..n).map(|j| ((i * 7 + j * 13 + seed * 5) % 7) as f32 / 10.0 - 0.3).collect()).collect()
    }

    /// A weight's constraint projects it after every update — `fit`'s and a given-gradient
    /// step's alike — in every model holding the layer, and only after an update: not at
    /// build. Each step's weights are the unconstrained step (the SGD rule by hand) projected.
    #[test]
    fn constraints_project_after_every_update_in_every_holder() {
        use crate::constraints::Constraint;
        let mut a = mlp(5);
        let before = values(&a);
        // maxNorm(0.3, axis 0) on the first kernel [4, 5]; nonNeg on the last bias.
        let first = a.children()[0].clone();
        crate::model::shared::lock(&first).unwrap().constrain(0, Constraint::from_abi(0, &[0.3, 0.0]).unwrap()).unwrap();
        crate::model::shared::lock(&a.children()[2]).unwrap().constrain(1, Constraint::from_abi(2, &[]).unwrap()).unwrap();
        assert_eq!(values(&a), before, "not applied when set");
        let mut b = Sequential::new(9);
        b.add(first.clone()).unwrap();
        b.build_all(&[4]).unwrap();
        let col_norms = |w: &[f32]| -> Vec<f64> { (0..5).map(|j| (0..4).map(|i| (w[i * 5 + j] as f64).powi(2)).sum::<f64>().sqrt()).collect() };
        let mut ta = trainer(Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 });
        let cfg_b = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        let mut tb = Trainer::new(cfg_b, 2);
        for k in 0..3 {
            let p0 = values(&a);
            run(&mut ta, &mut a, k, 1);
            let p1 = values(&a);
            assert!(col_norms(&p1[0]).iter().all(|&n| n <= 0.3 + 1e-6), "fit: {:?}", col_norms(&p1[0]));
            assert!(p1[3].iter().all(|&v| v >= 0.0), "fit: nonNeg bias {:?}", p1[3]);
            // The unconstrained SGD step, projected: the last bias is max(b − lr·g, 0).
            let g = &a.param_values().unwrap()[3].1;
            for j in 0..3 {
                assert_eq!(p1[3][j], (p0[3][j] - 0.5 * g[j]).max(0.0));
            }
            // A given step through model b (which shares the first layer) projects it too.
            let grad = vec![-2.0f32; 20];
            tb.apply_given(&mut b, &[(0, &grad[..])], "minimize").unwrap();
            let w = values(&a)[0].clone();
            assert!(col_norms(&w).iter().all(|&n| n <= 0.3 + 1e-6), "given: {:?}", col_norms(&w));
            assert!(col_norms(&w).iter().any(|&n| n > 0.299), "the constraint is active");
        }
        // An axis out of range for the weight is refused when the layer is built, naming it.
        let c = mlp(1);
        let err = crate::model::shared::lock(&c.children()[0]).unwrap().constrain(0, Constraint::from_abi(3, &[2.0]).unwrap()).unwrap_err();
        assert_eq!(err.to_string(), "dense: kernelConstraint (unitNorm): axis 2 is out of range for weight `kernel` of shape [4, 5] (rank 2: axes -2 to 1)");
        let mut d = Sequential::new(1);
        let dense = vec![3.0, 0.0, 1.0, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        d.add(layers::from_abi(0, &dense, 0).unwrap()).unwrap();
        crate::model::shared::lock(&d.children()[0]).unwrap().constrain(1, Constraint::from_abi(2, &[]).unwrap()).unwrap();
        assert_eq!(d.build_all(&[2]).unwrap_err().to_string(), "dense: biasConstraint: this dense layer has no `bias` weight to constrain");
    }

    fn values(m: &Sequential) -> Vec<Vec<f32>> {
        m.param_values().unwrap().iter().map(|(t, _)| t.data().to_vec()).collect()
    }

    /// `lr_scale` is an f64 so that a rate set as `target / scheduled` is `target` exactly
    /// (an f32 factor: 1e-3 × f32(0.01) is 1.0000001e-5), and an f32 factor still gives the
    /// f32 product, bit for bit.
    #[test]
    fn lr_scale_reaches_the_rate_set_exactly() {
        let scheduled = 1e-3f32;
        // What the setter sent before: the f64 quotient of the rate asked for, rounded to f32.
        let f32_factor = (1e-5f64 / f64::from(scheduled)) as f32;
        assert_ne!(scheduled * f32_factor, 1e-5f32, "the f32 factor lands an ulp off");
        assert_eq!(scaled(scheduled, f64::from(1e-5f32) / f64::from(scheduled)), 1e-5f32);
        for (lr, s) in [(0.05f32, 0.5f32), (1e-3, 0.1), (0.3, 0.333_333_34), (7e-4, 1.5e-3)] {
            assert_eq!(scaled(lr, f64::from(s)), lr * s);
        }
    }

    /// `minimize`/`applyGradients` on the model's weights continue fit's optimizer: fit steps,
    /// then given steps, then fit again, over one state and one step counter. Each given step
    /// is the momentum / Adam rule computed by hand (f64) from the state the step before left,
    /// at the trainer's step, with the schedule × `lr_scale`.
    #[test]
    fn given_gradients_continue_fits_state_and_step() {
        let sgd = Optimizer::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 };
        let adam = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
        for opt in [sgd, adam] {
            let schedule = LrSchedule::from_abi(2, &[0.05, 0.5, 3.0, 2.0]).unwrap();
            let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer: opt.clone(), schedule, clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
            let mut m = mlp(3);
            let mut tr = Trainer::new(cfg, 3);
            tr.lr_scale = 0.5;
            run(&mut tr, &mut m, 0, 3);
            for k in 0..3u64 {
                let (p0, s0) = (values(&m), (0..4).map(|i| tr.param_state(i).to_vec()).collect::<Vec<_>>());
                assert_eq!(tr.current_lr(), schedule.lr(4 + k) * 0.5, "the schedule at the trainer's next step × lr_scale");
                let lr = f64::from(tr.current_lr());
                let g = given_grads(&m, k as usize);
                let pairs: Vec<(usize, &[f32])> = g.iter().enumerate().map(|(i, g)| (i, &g[..])).collect();
                tr.apply_given(&mut m, &pairs, "minimize").unwrap();
                assert_eq!(tr.step, 4 + k, "{}: one step per call", opt.name());
                let step = tr.step as i32;
                for (i, (gi, (pi, si))) in g.iter().zip(p0.iter().zip(&s0)).enumerate() {
                    let n = gi.len();
                    assert_eq!(si.len(), opt.slots() * n, "fit made the state the given step continues");
                    let (got_p, got_s) = (&values(&m)[i], tr.param_state(i));
                    for j in 0..n {
                        let (g, p) = (f64::from(gi[j]), f64::from(pi[j]));
                        let (want_p, want_s): (f64, Vec<f64>) = match opt {
                            Optimizer::Sgd { .. } => {
                                let a = 0.9 * f64::from(si[j]) + g;
                                (p - lr * a, vec![a])
                            }
                            _ => {
                                let mm = 0.9 * f64::from(si[j]) + 0.1 * g;
                                let v = 0.999 * f64::from(si[n + j]) + 0.001 * g * g;
                                let (mh, vh) = (mm / (1.0 - 0.9f64.powi(step)), v / (1.0 - 0.999f64.powi(step)));
                                (p - lr * mh / (vh.sqrt() + 1e-7), vec![mm, v])
                            }
                        };
                        assert!((f64::from(got_p[j]) - want_p).abs() <= 1e-6 * (1.0 + want_p.abs()), "{} step {step} weight {i}[{j}]: {} vs {want_p}", opt.name(), got_p[j]);
                        for (s, w) in want_s.iter().enumerate() {
                            let got = f64::from(got_s[s * n + j]);
                            assert!((got - w).abs() <= 1e-6 * (1.0 + w.abs()), "{} step {step} weight {i} slot {s}[{j}]: {got} vs {w}", opt.name());
                        }
                    }
                }
            }
            // fit resumes from the given steps' state and count.
            let before = tr.param_state(0).to_vec();
            run(&mut tr, &mut m, 3, 1);
            assert_eq!(tr.step, 7);
            assert_ne!(tr.param_state(0), &before[..]);
        }
    }

    /// Only the given parameters move, and only their state; a frozen one may be given; the
    /// weight regularizers add nothing; clipping applies over the given gradients.
    #[test]
    fn given_gradients_select_skip_regularizers_and_clip() {
        // dense(3, linear) with an L2 kernel regularizer of 10 (huge: any added gradient shows).
        let mut m = Sequential::new(5);
        let mut p = vec![3.0, 1.0, 0.0, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 10., 0., 0., 0.0, 0.0];
        m.add(layers::from_abi(0, &p, 0).unwrap()).unwrap();
        p[0] = 2.0;
        m.add(layers::from_abi(0, &p, 1).unwrap()).unwrap();
        m.build_all(&[3]).unwrap();
        m.set_trainable(1, false).unwrap();
        let clip = Clip::from_abi(3, 1.0).unwrap();
        let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.5, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip, metrics: vec![], weighted: vec![], heads: vec![] };
        let mut tr = Trainer::new(cfg, 1);
        let w0 = values(&m);
        // The first layer's bias (index 1) and the frozen second layer's kernel (index 2):
        // gradients of global norm √(3² + 4²) = 5, clipped to norm 1.
        let g_bias = vec![3.0, 0.0, 0.0];
        let g_kernel = vec![0.0, 4.0, 0.0, 0.0, 0.0, 0.0];
        tr.apply_given(&mut m, &[(2, &g_kernel), (1, &g_bias)], "applyGradients").unwrap();
        let w1 = values(&m);
        assert_eq!(w1[0], w0[0], "an unselected weight is untouched");
        assert_eq!(w1[3], w0[3]);
        assert!(tr.param_state(0).is_empty() && tr.param_state(3).is_empty(), "and so is its state");
        // ×1/5, then SGD momentum from a = 0: a = g/5, p − 0.1·a, no L2 term (10·p would show).
        let close = |a: &[f32], b: &[f32]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-6);
        let want_b: Vec<f32> = w0[1].iter().zip(&g_bias).map(|(p, g)| p - 0.1 * g / 5.0).collect();
        let want_k: Vec<f32> = w0[2].iter().zip(&g_kernel).map(|(p, g)| p - 0.1 * g / 5.0).collect();
        assert!(close(&w1[1], &want_b) && close(&w1[2], &want_k), "{:?} {:?}", &w1[1..3], (want_b, want_k));
        assert!(close(tr.param_state(1), &[0.6, 0.0, 0.0]) && close(tr.param_state(2), &[0.0, 0.8, 0.0, 0.0, 0.0, 0.0]));
        // The parameters' own gradient buffers are put back: none, as no backward has run
        // (the given gradients stand in for them without allocating any).
        assert!(m.param_values().unwrap().iter().all(|(_, g)| g.is_empty()));
        // An empty list counts a step and changes nothing else.
        tr.apply_given(&mut m, &[], "applyGradients").unwrap();
        assert_eq!((tr.step, values(&m)), (2, w1));
    }

    /// A non-finite given gradient changes nothing (weights, state, step); so does a bad index,
    /// a wrong size or a weight given twice, each error naming the op and the weight.
    #[test]
    fn a_refused_given_step_changes_nothing() {
        let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer: Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        let mut m = mlp(2);
        let mut tr = Trainer::new(cfg, 2);
        run(&mut tr, &mut m, 0, 2);
        let (w, st) = (values(&m), tr.export_state(&m).unwrap());
        let mut g = given_grads(&m, 0);
        g[3][1] = f32::NAN;
        let err = |tr: &mut Trainer, m: &mut Sequential, pairs: &[(usize, &[f32])]| {
            let e = tr.apply_given(m, pairs, "minimize").unwrap_err();
            (e.status(), e.to_string())
        };
        let (status, msg) = err(&mut tr, &mut m, &[(0, &g[0]), (3, &g[3])]);
        assert_eq!(status, crate::error::Status::NonFinite);
        assert_eq!(msg, "minimize: a gradient of `bias` of layer 2 (weight 3) is not finite (NaN or Infinity) at step 3; lower the learning rate, clip gradients, or check the data for NaN");
        assert_eq!(err(&mut tr, &mut m, &[(4, &g[0])]).1, "minimize: weight index 4 is out of range for 4 weights");
        let (status, msg) = err(&mut tr, &mut m, &[(0, &g[0]), (1, &g[0])]);
        assert_eq!(status, crate::error::Status::ShapeMismatch);
        assert_eq!(msg, "minimize: the gradient of weight 1 (`bias` of layer 0) has 20 values but the weight has 5");
        assert_eq!(err(&mut tr, &mut m, &[(1, &g[1]), (1, &g[1])]).1, "minimize: weight 1 (`bias` of layer 0) is given twice; each weight may be updated once per step");
        assert_eq!((values(&m), tr.export_state(&m).unwrap()), (w, st), "nothing changed");
        // The model's own gradients (the last fit step's) are still there.
        assert!(m.param_values().unwrap().iter().all(|(t, g)| g.len() == t.size() && g.iter().any(|&v| v != 0.0)));
    }

    /// Sample weights (`classWeight`): weight 2 on every sample doubles each SGD step exactly
    /// (×2 is exact in floating point) for the fused softmax path and an unfused loss; weight 1
    /// everywhere trains as without weights up to rounding; a wrong count is an error.
    #[test]
    fn sample_weights_scale_each_samples_loss() {
        let x = Tensor::new("x", Shape::from([12, 4]), (0..48).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect()).unwrap();
        let y = Tensor::new("y", Shape::from([12, 3]), (0..36).map(|i| if i % 3 == (i / 3) % 3 { 1.0 } else { 0.0 }).collect()).unwrap();
        let idx: Vec<u32> = vec![0, 3, 7, 10, 11];
        for loss in [Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, Loss::MeanSquaredError] {
            let cfg = TrainConfig { loss: loss.clone(), reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
            let step = |w: Option<Vec<f32>>| {
                let mut m = mlp(5);
                let before = m.param_values().unwrap().iter().map(|(t, _)| t.data().to_vec()).collect::<Vec<_>>();
                let mut tr = Trainer::new(cfg.clone(), 5);
                let wt = w.map(|w| Tensor::new("w", Shape::from([12]), w).unwrap());
                let r = tr.train_batch_weighted(&mut m, &x, &y, wt.as_ref(), &idx).unwrap();
                let after = m.param_values().unwrap().iter().map(|(t, _)| t.data().to_vec()).collect::<Vec<_>>();
                let deltas: Vec<Vec<f32>> = before.iter().zip(&after).map(|(b, a)| b.iter().zip(a).map(|(b, a)| a - b).collect()).collect();
                (r.loss, deltas)
            };
            let (l0, d0) = step(None);
            let (l2, d2) = step(Some(vec![2.0; 12]));
            assert!((l2 - 2.0 * l0).abs() <= 1e-5 * l0.abs(), "{}: {l2} vs 2·{l0}", loss.name());
            for (a, b) in d0.iter().flatten().zip(d2.iter().flatten()) {
                assert!((b - 2.0 * a).abs() <= 1e-6 * (1.0 + a.abs()), "{}: a weight-2 step {b} vs 2·{a}", loss.name());
            }
            let (l1, d1) = step(Some(vec![1.0; 12]));
            assert!((l1 - l0).abs() <= 1e-6 * l0.abs());
            for (a, b) in d0.iter().flatten().zip(d1.iter().flatten()) {
                assert!((a - b).abs() <= 1e-7, "{}", loss.name());
            }
            // Weight 0 on every sample of the batch: no step at all.
            let (lz, dz) = step(Some(vec![0.0; 12]));
            assert_eq!(lz, 0.0);
            assert!(dz.iter().flatten().all(|&d| d == 0.0));
        }
        let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 }, schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        let mut tr = Trainer::new(cfg, 1);
        let short = Tensor::new("w", Shape::from([5]), vec![1.0; 5]).unwrap();
        assert_eq!(tr.train_batch_weighted(&mut mlp(1), &x, &y, Some(&short), &idx).unwrap_err().to_string(), "fit: the sample weights are for 5 samples but x has 12");
    }

    /// Per-row weights (Keras's temporal `sample_weight` [n, T] for an output [n, T, c]): each
    /// sample's weight repeated over its rows gives the same bits as the per-sample weight, in
    /// the step and in evaluate; a row of weight 0 does not count; a count that is neither is
    /// an error naming both forms.
    #[test]
    fn per_row_weights_weigh_each_row() {
        let (n, t) = (5usize, 3usize);
        let x = Tensor::new("x", Shape::from([n, t, 3]), (0..n * t * 3).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect()).unwrap();
        let y = Tensor::new("y", Shape::from([n, t, 3]), (0..n * t * 3).map(|i| ((i * 5 % 7) as f32) / 7.0).collect()).unwrap();
        let ws = [0.5f32, 2.0, 0.0, 1.25, 3.0];
        let run = |w: Tensor| {
            let mut m = Sequential::new(11);
            let p = vec![3.0, 1.0, SIGMOID, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
            m.add(layers::from_abi(0, &p, 0).unwrap()).unwrap();
            m.build_all(&[t, 3]).unwrap();
            let mut tr = trainer(Loss::MeanSquaredError);
            let e = tr.evaluate_weighted(&mut m, &x, &y, Some(&w), 2).unwrap().loss;
            let r = tr.train_batch_weighted(&mut m, &x, &y, Some(&w), &[4, 0, 2, 1]).unwrap().loss;
            (e.to_bits(), r.to_bits(), weights(&m))
        };
        let per_sample = run(Tensor::new("w", Shape::from([n]), ws.to_vec()).unwrap());
        let per_row = run(Tensor::new("w", Shape::from([n, t]), ws.iter().flat_map(|&w| [w; 3]).collect()).unwrap());
        assert_eq!(per_sample, per_row);
        // Weight 1 on row 1 of each sample only: the mean of those rows' losses over all n·t rows.
        let mut m = model(SIGMOID);
        m.build_all(&[t, 3]).unwrap();
        let tr = trainer(Loss::MeanSquaredError);
        let one = Tensor::new("w", Shape::from([n, t]), (0..n * t).map(|i| if i % t == 1 { 1.0 } else { 0.0 }).collect()).unwrap();
        let got = tr.evaluate_weighted(&mut m, &x, &y, Some(&one), 4).unwrap().loss;
        let pred = m.predict_with_activity(&x, 4).unwrap().0;
        let (p, yv) = (pred.data(), y.data());
        let mut want = 0.0f64;
        for i in 0..n {
            let r = (i * t + 1) * 3;
            want += (0..3).map(|j| f64::from(p[r + j] - yv[r + j]).powi(2)).sum::<f64>() / 3.0;
        }
        want /= (n * t) as f64;
        assert!((f64::from(got) - want).abs() <= 1e-6 * want, "{got} vs {want}");
        let bad = Tensor::new("w", Shape::from([n, 2]), vec![1.0; n * 2]).unwrap();
        assert_eq!(tr.evaluate_weighted(&mut m, &x, &y, Some(&bad), 4).unwrap_err().to_string(), "fit: the sample weights have 10 values for 5 samples; give 1 per sample (one per output) or 3 per sample (one per row of each output)");
    }

    #[test]
    fn a_bad_state_is_named_and_changes_nothing() {
        let cfg = TrainConfig { loss: Loss::MeanSquaredError, reduction: Reduction::Mean, optimizer: Optimizer::from_abi(1, &[0.9, 0.999, 1e-7, 0.0, 0.0]).unwrap(), schedule: LrSchedule::constant(0.1), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
        let mut m = mlp(1);
        let mut tr = Trainer::new(cfg, 1);
        run(&mut tr, &mut m, 0, 2);
        let good = tr.export_state(&m).unwrap();
        let msg = |tr: &mut Trainer, f: &dyn Fn(&mut TrainerState)| {
            let mut st = good.clone();
            f(&mut st);
            tr.import_state(&m, st).unwrap_err().to_string()
        };
        assert_eq!(msg(&mut tr, &|s| s.slots.pop().map(drop).unwrap_or(())), "importTrainingState: the state has optimizer slots for 3 weights but the model has 4 weights");
        assert_eq!(msg(&mut tr, &|s| s.lr_scale = -0.5), "importTrainingState: lrScale must be a finite number >= 0, got -0.5");
        assert_eq!(msg(&mut tr, &|s| s.slots[1].push(0.0)), "importTrainingState: weight 1 (`bias`, 5 values) has 11 optimizer state values; adam keeps 2 per value (m, v), so 10 (or none before its first update)");
        assert_eq!(msg(&mut tr, &|s| s.slots[2][3] = f32::NAN), "importTrainingState: weight 2 (`kernel`) slot `m` holds NaN at index 3; optimizer state must be finite");
        assert_eq!(msg(&mut tr, &|s| s.slots[3][4] = -1.0), "importTrainingState: weight 3 (`bias`) slot `v` holds -1 at index 1; it accumulates squares and cannot be negative");
        assert_eq!(tr.export_state(&m).unwrap(), good, "a failed import changes nothing");
        // An empty slot list is a parameter not updated yet: accepted, and initialised at the next step.
        let mut st = good.clone();
        st.slots[0].clear();
        st.step = 7;
        tr.import_state(&m, st).unwrap();
        assert_eq!((tr.step, tr.param_state(0).len()), (7, 0));
        run(&mut tr, &mut m, 2, 1);
        assert_eq!(tr.param_state(0).len(), 40);
    }

    /// The compile layout with a loss per output (a model with several outputs).
    #[test]
    fn compile_reads_a_loss_per_output() {
        // mse, sgd(lr 0.1, no weight decay) constant, no clip, no metrics, mean; then 2 outputs: mse weight 0.5
        // with mae, and sparse CCE (from_logits 0, no ignored class) with 'sumOverFeatures' and accuracy.
        let base = [0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0];
        let heads = [2.0, 0.0, 0.0, 0.0, 0.5, 1.0, 5.0, 5.0, 2.0, 0.0, f32::NAN, 1.0, 2.0, 1.0, 0.0];
        let cfg = TrainConfig::from_abi(&[&base[..], &heads].concat()).unwrap();
        assert_eq!(cfg.heads.len(), 2);
        assert_eq!((cfg.heads[0].loss.clone(), cfg.heads[0].weight, cfg.heads[0].metrics.len()), (Loss::MeanSquaredError, 0.5, 1));
        assert_eq!((cfg.heads[1].loss.clone(), cfg.heads[1].reduction, cfg.heads[1].weight), (Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, Reduction::SumOverFeatures, 2.0));
        assert_eq!(cfg.heads[1].metrics, vec![Metric::SparseCategoricalAccuracy]);
        // One output: no heads.
        assert!(TrainConfig::from_abi(&base).unwrap().heads.is_empty());
        let mut bad = [&base[..], &heads].concat();
        bad[base.len() + 4] = -1.0;
        assert!(TrainConfig::from_abi(&bad).unwrap_err().to_string().contains("a loss weight must be >= 0, got -1"));
        let more = [&base[..], &heads, &[0.0, 1.0, 5.0, 7.0]].concat();
        let e = TrainConfig::from_abi(&more).map(|_| ()).unwrap_err().to_string(); assert!(e.contains("unexpected parameters after the outputs' losses and weighted metrics"), "{e}");
        // Weighted metrics: per output after the heads; for one output after outputCount 0.
        let cfg = TrainConfig::from_abi(&[&base[..], &heads, &[0.0, 2.0, 0.0, 4.0]].concat()).unwrap();
        assert_eq!((cfg.heads[0].weighted.clone(), cfg.heads[1].weighted.clone()), (vec![], vec![Metric::SparseCategoricalAccuracy, Metric::MeanSquaredError]));
        let one = TrainConfig::from_abi(&[&base[..], &[0.0, 1.0, 5.0]].concat()).unwrap();
        assert_eq!((one.heads.len(), one.weighted.clone()), (0, vec![Metric::MeanAbsoluteError]));
    }

    #[test]
    fn target_errors_name_the_caller_and_y() {
        let m = model(SIGMOID);
        let tr = trainer(Loss::MeanSquaredError);
        let x = Tensor::new("t", Shape::from([2, 3]), vec![0.0; 6]).unwrap();
        let y = Tensor::new("t", Shape::from([2, 2]), vec![0.0; 4]).unwrap();
        let e = tr.check_targets(&m, "fit", &x, &y).unwrap_err();
        assert_eq!(e.to_string(), "fit: meanSquaredError on y: targets of shape [2,2] do not match predictions of shape [2,3]");
        assert_eq!(e.status(), crate::error::Status::ShapeMismatch);
        let y = Tensor::new("t", Shape::from([2, 3]), vec![0.0, f32::NAN, 0.0, 0.0, 0.0, 0.0]).unwrap();
        let e = tr.check_targets(&m, "trainOnBatch", &x, &y).unwrap_err();
        assert_eq!(e.to_string(), "trainOnBatch: meanSquaredError on y: target[1] is NaN; targets must be finite numbers");
        assert_eq!(e.status(), crate::error::Status::InvalidArgument);
    }

    /// The fused gradient of every weight against central differences of the loss `fit`
    /// reports, in f64 around f32 weights.
    fn check_fused(act: f32, loss: Loss, y: &[f32]) {
        let y_dims = if y.len() == 4 { [4, 1] } else { [4, 3] };
        let x = Tensor::new("t", Shape::from([4, 3]), vec![0.5, -1.0, 0.3, 1.5, 0.2, -0.7, -0.3, 0.8, 1.1, 1.0, 1.0, -0.4]).unwrap();
        let y = Tensor::new("t", Shape::from(y_dims), y.to_vec()).unwrap();
        let mut m = model(act);
        let mut tr = trainer(loss);
        assert!(fused_logit_grad(&loss, m.last_activation(), x.data(), y.data(), 4, 3).is_some(), "the fused path is taken");
        tr.gradients(&mut m, x.clone(), &y).unwrap();
        let analytic: Vec<Vec<f32>> = m.with_params(|ps| ps.iter().map(|s| s.param.grad.clone()).collect()).unwrap();
        let h = 1e-2f32;
        for (pi, g) in analytic.iter().enumerate() {
            for (k, &gk) in g.iter().enumerate() {
                let mut at = |delta: f32| -> f64 {
                    let old = m.with_params(|ps| std::mem::replace(&mut ps[pi].param.value.data_mut()[k], 0.0)).unwrap();
                    m.with_params(|ps| ps[pi].param.value.data_mut()[k] = old + delta).unwrap();
                    let pred = m.forward_all(x.clone(), Mode::Infer).unwrap();
                    let l = tr.cfg.loss.forward(pred.data(), y.data(), 4, 3) as f64;
                    m.with_params(|ps| ps[pi].param.value.data_mut()[k] = old).unwrap();
                    l
                };
                let fd = (at(h) - at(-h)) / (2.0 * h as f64);
                assert!((fd - gk as f64).abs() <= 2e-3 + 1e-2 * fd.abs(), "{loss:?} targets {:?}: param {pi}[{k}] fused {gk} vs numeric {fd}", y.data());
            }
        }
    }

    /// Rows that are one-hot, multi-hot, all zero, summing to 0.3 and to 2.5.
    const ODD_ROWS: [f32; 12] = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.1];
    const ODD_ROWS2: [f32; 12] = [1.0, 1.0, 0.5, 0.0, 0.0, 1.0, 0.2, 0.0, 0.1, 1.0, 0.0, 1.0];

    #[test]
    fn fused_softmax_crossentropy_matches_the_loss_for_rows_not_summing_to_one() {
        for s in [0.0, 0.1] {
            for y in [ODD_ROWS, ODD_ROWS2] {
                check_fused(SOFTMAX, Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: s }, &y);
            }
        }
        check_fused(SOFTMAX, Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None }, &[2.0, 0.0, 1.0, 1.0]);
    }

    /// Saturated rows (a confidently wrong sample clips p): the fused gradient is the unfused
    /// chain, the loss's backward then the activation's, as `minimize` and TF.js compute it.
    #[test]
    fn fused_gradient_is_the_unfused_chain_where_the_loss_clips() {
        let cce = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let smooth = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.1 };
        let sparse = Loss::SparseCategoricalCrossentropy { from_logits: false, ignore_class: None };
        let bce = Loss::BinaryCrossentropy { from_logits: false, label_smoothing: 0.0 };
        // Logits: a confidently wrong row, a confidently right one, an ordinary one.
        let z = [50.0f32, -50.0, 0.0, 0.0, 40.0, -40.0, 0.1, 0.2, 0.3];
        let (rows, cols) = (3, 3);
        for (loss, act, y) in [
            (cce, Activation::Softmax, vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]),
            (smooth, Activation::Softmax, vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]),
            (sparse, Activation::Softmax, vec![1.0, 1.0, 0.0]),
            (bce, Activation::Sigmoid, vec![0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]),
        ] {
            let mut p = vec![0.0; 9];
            act.forward(&z, &mut p, cols);
            let fused = fused_logit_grad(&loss, Some(act), &p, &y, rows, cols).unwrap().unwrap();
            let mut dp = vec![0.0; 9];
            loss.backward(&p, &y, rows, cols, &mut dp);
            let mut chain = vec![0.0; 9];
            act.backward(&z, &p, &dp, &mut chain, cols);
            for (i, (&f, &c)) in fused.iter().zip(&chain).enumerate() {
                assert!((f - c).abs() <= 1e-6 * c.abs().max(1e-3), "{loss:?} [{i}]: fused {f}, chain {c}");
            }
            // The saturated rows' gradient is not the closed form p − y (row 0 of softmax: zero).
            if act == Activation::Softmax {
                assert!(fused[..3].iter().all(|&v| v.abs() < 1e-6), "{loss:?}: {:?}", &fused[..3]);
            }
        }
    }

    #[test]
    fn fused_sigmoid_binary_crossentropy_matches_the_loss() {
        for s in [0.0, 0.1] {
            for y in [ODD_ROWS, ODD_ROWS2] {
                check_fused(SIGMOID, Loss::BinaryCrossentropy { from_logits: false, label_smoothing: s }, &y);
            }
        }
    }

    /// The case: a multi-hot row, one SGD step.
    #[test]
    fn fused_gradient_scales_by_the_row_sum() {
        let pred = Tensor::new("t", Shape::from([2, 2]), vec![0.25, 0.75, 0.5, 0.5]).unwrap();
        let y = Tensor::new("t", Shape::from([2, 2]), vec![1.0, 1.0, 0.0, 0.0]).unwrap();
        let loss = Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 };
        let dz = fused_logit_grad(&loss, Some(Activation::Softmax), pred.data(), y.data(), 2, 2).unwrap().unwrap();
        // Row 0: p·2 − y = [−0.5, 0.5]; row 1 (all zero): no gradient; both over 2 rows.
        assert_eq!(dz, [-0.25, 0.25, 0.0, 0.0]);
    }

    /// Seeded training of an MLP (300 → 256 relu → 10 softmax, batch 64, Adam) gives
    /// bit-identical weights and losses with 0, 1, 2, 3 and 8 pool workers: the GEMMs, the
    /// activations and the optimizer updates are all split at these sizes (threshold 0).
    #[test]
    fn seeded_training_gives_the_same_bits_for_any_number_of_workers() {
        use crate::parallel::testing::same_bits_for_all_counts;
        const RELU: f32 = 5.0;
        let layer = |units: f32, act: f32| vec![units, 1.0, act, 0.0, GLOROT_UNIFORM, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
        let (rows, inp) = (64usize, 300usize);
        let x: Vec<f32> = (0..rows * inp).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
        let y: Vec<f32> = (0..rows * 10).map(|i| if i % 10 == (i / 10) % 10 { 1.0 } else { 0.0 }).collect();
        same_bits_for_all_counts("training", || {
            let mut m = Sequential::new(7);
            m.add(layers::from_abi(0, &layer(256.0, RELU), 0).unwrap()).unwrap();
            m.add(layers::from_abi(0, &layer(10.0, SOFTMAX), 0).unwrap()).unwrap();
            m.build_all(&[inp]).unwrap();
            let optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.0 };
            let cfg = TrainConfig { loss: Loss::CategoricalCrossentropy { from_logits: false, label_smoothing: 0.0 }, reduction: Reduction::Mean, optimizer, schedule: LrSchedule::constant(0.01), clip: None, metrics: vec![], weighted: vec![], heads: vec![] };
            let mut tr = Trainer::new(cfg, 3);
            let mut out = Vec::new();
            for _ in 0..3 {
                let xb = Tensor::new("t", Shape::from([rows, inp]), x.clone()).unwrap();
                let yb = Tensor::new("t", Shape::from([rows, 10]), y.clone()).unwrap();
                out.push(tr.train_on(&mut m, xb, &yb).unwrap().loss);
            }
            m.with_params(|all| all.iter().for_each(|p| out.extend_from_slice(p.param.value.data()))).unwrap();
            out
        });
    }
}
