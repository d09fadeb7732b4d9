//! Models: building, compiling, training steps, prediction, evaluation and weights.
//!
//! A model handle owns its training state (optimizer state, sample order) and holds a shared
//! reference to its layers: a layer or a nested model can sit in several models with one set
//! of weights (`neurite_core::model::shared`). `nr_model_free` (the generic `nr_tensor_free`
//! also works on any handle) releases the handle's own state and its reference; weights go
//! when the last model holding them goes.

use super::tensor::{emit, read_shape};
use core::cell::RefCell;
use crate::ffi::{guard, read_u32s, read_u32s_as, write_out, LAST_ERROR};
use crate::handles::{self, with_model, Object};
use crate::model::Model;
use neurite_core::layers::{self, Init, Mode};
use neurite_core::autodiff::{LayersRecord, Recorded};
use neurite_core::model::{LayerRef, Sequential, TrainConfig, Trainer};
use neurite_core::rng::Philox;
use neurite_core::{Error, Result, Tensor};

/// Reads `n` f32 parameters.
///
/// # Safety
/// `p` must point to `n` readable f32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) unsafe fn read_f32s(op: &'static str, p: *const f32, n: usize) -> Result<Vec<f32>> {
    // SAFETY: same size and alignment as u32; forwarded caller contract.
    unsafe { read_u32s_as(op, p as *const u32, n, f32::from_bits) }
}

/// Writes f32 results to `out`.
///
/// # Safety
/// `out` must point to `v.len()` writable f32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn write_f32s(op: &'static str, out: *mut f32, v: &[f32]) -> Result<()> {
    // SAFETY: forwarded caller contract; the region is checked inside.
    unsafe { crate::ffi::write_slice(op, out, v.len(), v) }
}

/// Creates an empty model whose random initialisation and shuffles derive from the seed.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_new(seed_lo: u32, seed_hi: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let seed = (seed_hi as u64) << 32 | seed_lo as u64;
        crate::ffi::check_out("sequential", out, 1)?; // before storing: a failed call stores nothing
        let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.insert(Object::Model(Box::new(Model::new(seed)))))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("sequential", out, h) }
    })
}

/// Appends a layer of kind `kind` (see `neurite_core::layers::LAYER_KINDS`) with `n` params.
///
/// # Safety
/// `params` must point to `n` f32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_add(model: u32, kind: u32, params: *const f32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("add", params, n) }?;
        with_model(model, |m, _| {
            let mut seq = m.seq()?;
            let layer = layers::from_abi(kind, &p, seq.len() as u32)?;
            seq.add(layer)
        })
    })
}

/// Places model `inner` in `outer` as one layer. Both handles stay valid and share the
/// inner layers and weights: training either trains both. `inner` may already be built (its
/// input shape must then fit where it is placed, checked at build). A model inside itself
/// and a layer twice in one model are errors; a failed call changes nothing.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_model_add_model(outer: u32, inner: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        if outer == inner {
            return Err(Error::invalid("add", "a model cannot contain itself"));
        }
        let node = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.model(inner).map(|m| m.as_layer()))?;
        with_model(outer, |m, _| m.seq()?.add(node))
    })
}

/// Places in `model` the layer found in model `src` by `path` (`path_len` child indices: a
/// direct layer, or through nested models), sharing it: one layer object, one set of weights.
///
/// # Safety
/// `path` must point to `path_len` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_add_shared(model: u32, src: u32, path: *const u32, path_len: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s("add", path, path_len) }?;
        let node = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| find("add", &t.model(src)?.as_layer(), &path))?;
        with_model(model, |m, _| m.seq()?.add(node))
    })
}

/// The layer at `path` inside `root` (a model); an empty path is `root` itself.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn find(op: &'static str, root: &LayerRef, path: &[u32]) -> Result<LayerRef> {
    let mut node = root.clone();
    for &i in path {
        let next = {
            let n = node.try_borrow().map_err(|_| Error::Internal { msg: format!("{op}: the model is in use") })?;
            let seq = n.layer().as_sequential().ok_or_else(|| Error::invalid(op, format!("layer path {} goes through a {} layer, not a model", neurite_core::error::ints(path), n.layer().kind())))?;
            seq.children().get(i as usize).cloned().ok_or_else(|| Error::invalid(op, format!("layer path {}: no layer {i} in a model of {} layers", neurite_core::error::ints(path), seq.len())))?
        };
        node = next;
    }
    Ok(node)
}

/// Builds the model for a per-sample input shape. With `skip_init` not 0 the initializers do
/// not run and every new weight is zero, for a caller that sets all of them next (`loadModel`:
/// the random draws were most of its time, and skipping them shifts no random stream, see
/// `neurite_core::layers::Init`); 0 (what a caller that passes nothing gets) runs them.
///
/// # Safety
/// `shape` must point to `rank` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_build(model: u32, shape: *const u32, rank: usize, skip_init: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let s = unsafe { read_shape("build", shape, rank) }?;
        with_model(model, |m, _| {
            // Building a model that is already built (nested and built with its outer model)
            // only checks the shape.
            m.net.try_borrow_mut().map_err(|_| Error::Internal { msg: "build: the model is in use".into() })?.build(s.dims(), Init { seed: 0, fill: skip_init == 0 })?;
            Ok(())
        })
    })
}

/// Writes `[rank, dims…, paramCount]` of layer `i`'s output to `out` (room for 34 u32).
///
/// # Safety
/// `out` must point to 34 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_layer_info(model: u32, i: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (shape, count) = with_model(model, |m, _| {
            let seq = m.seq()?;
            let s = seq.free_shapes().get(i as usize + 1).cloned().or_else(|| seq.layer_output_shape(i as usize)).ok_or_else(|| Error::invalid("summary", format!("no layer {i}, or the model is not built")))?;
            let count = seq.layer_param_count(i as usize)?;
            Ok((s, count))
        })?;
        let mut v = vec![shape.len() as u32];
        v.extend(shape.iter().map(|&d| d as u32));
        v.push(count as u32);
        // SAFETY: room for 34 u32 by contract, checked against the region.
        unsafe { crate::ffi::write_slice("summary", out, 34, &v) }
    })
}

/// Inference on `x` (`[batch, ...inputShape]`) in batches of `batch_size`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_predict(model: u32, x: u32, batch_size: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (y, net, n, primed) = with_model(model, |m, t| {
            let mut seq = m.seq()?;
            let xt = t.tensor(x)?;
            seq.fit_to("predict", xt, t.parts(x))?;
            seq.check_input("predict", xt)?;
            let n = seq.len();
            let (y, primed) = predict_or_trace(&mut seq, xt, 0..n, |s| s.predict(xt, batch_size as usize))?;
            Ok((y, m.as_layer(), n, primed))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_traced("predict", y, out, net, 0..n, x, Mode::Trace, primed) }
    })
}

/// `predict` of layers `range`; while a tape records, a traced forward over the whole batch
/// instead (the same values: inference computes each row alone), whose caches the tape's
/// backward then uses rather than running the layers again. An empty batch (which never
/// reaches the layers) takes `predict`'s path.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn predict_or_trace(seq: &mut Sequential, x: &Tensor, range: core::ops::Range<usize>, predict: impl FnOnce(&mut Sequential) -> Result<Tensor>) -> Result<(Tensor, Option<Vec<u64>>)> {
    if super::tape::recording() && x.dims().first().is_some_and(|&rows| rows > 0) {
        let (y, passes) = seq.trace_forward(x, range)?;
        return Ok((y, Some(passes)));
    }
    Ok((predict(seq)?, None))
}

/// The random stream of `apply` with training (apart from `fit`'s steps, which use the seed).
const APPLY_STREAM: u64 = 0x6170_706c_7900_0000;

/// Runs the model on `x` in one batch, as TF.js's `model.apply(x, { training })`: with
/// `training` 0 inference (as `nr_model_predict`); otherwise training behaviour — dropout and
/// noise drawn from the model's seed and its count of such calls, batch statistics (and the
/// moving statistics updated), a variational layer's samples. While a tape records, the call
/// is differentiated as it ran (the draws replayed, see `Mode::Replay`), on the caches of
/// this forward unless the layers ran again before the gradient.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_apply(model: u32, x: u32, training: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let recording = super::tape::recording();
        let (y, net, n, mode, primed) = with_model(model, |m, t| {
            let xt = t.tensor(x)?;
            let mode = match (training, recording) {
                (0, false) => Mode::Infer,
                (0, true) => Mode::Trace,
                _ => Mode::Apply { seed: m.seed ^ APPLY_STREAM, step: m.apply_step },
            };
            let mut seq = m.seq()?;
            seq.fit_to("apply", xt, t.parts(x))?;
            seq.check_input("apply", xt)?;
            let y = seq.forward_all(xt.clone(), mode)?;
            let n = seq.len();
            let primed = if recording { Some(seq.cache_passes(0..n)?) } else { None };
            drop(seq);
            let replay = match mode.random() {
                Some((seed, step)) => {
                    m.apply_step += 1;
                    Mode::Replay { seed, step }
                }
                None => Mode::Trace,
            };
            Ok((y, m.as_layer(), n, replay, primed))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_traced("apply", y, out, net, 0..n, x, mode, primed) }
    })
}

/// Stores a model's output; while a tape records, records it as [`Recorded::Layers`] (the
/// gradient of the layers `range` run in `mode`, at input `x`).
///
/// # Safety
/// `out` must point to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[allow(clippy::too_many_arguments)]
unsafe fn emit_traced(op: &'static str, y: neurite_core::Tensor, out: *mut u32, net: LayerRef, range: core::ops::Range<usize>, x: u32, mode: Mode, primed: Option<Vec<u64>>) -> Result<()> {
    // SAFETY: forwarded caller contract.
    unsafe {
        super::tape::emit_rec_fallible(op, y, out, || {
            let (record, weights) = LayersRecord::of(op, net, range, mode, primed)?;
            Ok((record, vec![x], weights))
        })
    }
}

/// Inference through layers `start..end` only (an autoencoder's encoder or decoder half).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_predict_range(model: u32, x: u32, start: u32, end: u32, batch_size: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (y, net, primed) = with_model(model, |m, t| {
            let mut seq = m.seq()?;
            let xt = t.tensor(x)?;
            let range = start as usize..end as usize;
            let (y, primed) = predict_or_trace(&mut seq, xt, range, |s| s.predict_range(xt, start as usize, end as usize, batch_size as usize))?;
            Ok((y, m.as_layer(), primed))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_traced("predict", y, out, net, start as usize..end as usize, x, Mode::Trace, primed) }
    })
}

/// Configures training: loss, optimizer, schedule, clipping and metrics (see
/// `TrainConfig::from_abi` for the layout). Resets optimizer state and the step count.
///
/// # Safety
/// `params` must point to `n` f32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_compile(model: u32, params: *const f32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("compile", params, n) }?;
        let cfg = TrainConfig::from_abi(&p)?;
        with_model(model, |m, _| {
            m.trainer = Some(Trainer::new(cfg, m.seed));
            Ok(())
        })
    })
}

/// The training state, or the "compile first" error. Takes the field (not the model) so the
/// caller can still use the layers alongside.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn trainer<'m>(t: &'m mut Option<Trainer>, op: &'static str) -> Result<&'m mut Trainer> {
    t.as_mut().ok_or_else(|| Error::invalid(op, "the model must be compiled first: call model.compile({ optimizer, loss })"))
}

/// `[loss, metrics…, kl, regularization, output losses…, weighted metrics…, Σw per output
/// with weighted metrics…]`: what the training and evaluation calls write (the output losses
/// only for a model with several outputs; the last two only with `weightedMetrics`).
fn step_values(r: neurite_core::model::StepResult) -> Vec<f32> {
    let mut v = vec![r.loss];
    v.extend(r.metrics);
    v.extend([r.kl, r.regularization]);
    v.extend(r.heads);
    v.extend(r.weighted);
    v.extend(r.weight_sums);
    v
}

/// Validates `x` and `y` for training or evaluation (shapes, labels, NaN). `op` names the
/// caller in messages: 0 fit, 1 evaluate, 2 trainOnBatch, 3 fit's validation data (`fit:
/// validationData: ` and then what fit would say of its own x and y, positions in the
/// validation data's).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_model_check_data(model: u32, x: u32, y: u32, op: u32) -> i32 {
    let op: &'static str = match op {
        1 => "evaluate",
        2 => "trainOnBatch",
        3 => "fit: validationData",
        _ => "fit",
    };
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            if let Some(i) = neurite_core::kernels::finite::first_non_finite(xt.data()) {
                let v = neurite_core::error::js_number(xt.data()[i]);
                return Err(Error::invalid(op, format!("x contains {v} at flat index {i} (shape {}); clean the data first", xt.shape())));
            }
            let (mut net, tr, _, _) = m.parts()?;
            net.fit_to(op, xt, t.parts(x))?;
            trainer(tr, op)?.check_targets(&net, op, xt, yt)
        })
    })
}

/// Sets the sample order for the next epoch: `0..n`, shuffled with the model seed and the
/// epoch number when `shuffle` is non-zero.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_model_shuffle(model: u32, n: u32, epoch: u32, shuffle: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        with_model(model, |m, _| {
            m.order.clear();
            m.order.try_reserve(n as usize).map_err(|_| Error::OutOfMemory { op: "fit", bytes: n as u64 * 4 })?;
            m.order.extend(0..n);
            if shuffle != 0 {
                Philox::new(m.seed ^ 0x5f1f_f1e5, epoch).shuffle(&mut m.order);
            }
            Ok(())
        })
    })
}

/// Writes `order[start .. start + count]` of the epoch's sample order (set by
/// `nr_model_shuffle`) to `out` as u32: a fit whose step runs in the facade (a loss or metric
/// function) reads the epoch's order once and gathers each batch's rows itself, so that it
/// trains on the batches the core's step would (a metric computed in JS must not change which
/// samples a batch holds).
///
/// # Safety
/// `out` must have room for `count` u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_order(model: u32, start: u32, count: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let rows = with_model(model, |m, _| {
            let (s, e) = (start as usize, start as usize + count as usize);
            if e > m.order.len() || s > e {
                return Err(Error::invalid("fit", format!("batch {s}..{e} is outside the epoch of {} samples", m.order.len())));
            }
            neurite_core::tensor::copy_of("fit", &m.order[s..e])
        })?;
        // SAFETY: forwarded caller contract: `count` words.
        unsafe { crate::ffi::write_slice("fit", out, count as usize, &rows) }
    })
}

/// One training step on samples `order[start .. start + count]` of `x`/`y`; writes
/// `[loss, metrics…, kl, regularization]` as f32 to `out` (the loss is the total; `kl` and
/// `regularization` are its parts from variational layers and from weight and activity
/// penalties, see `nr_model_loss_terms`). `w` is 0, or a tensor of weights per sample of `x`
/// (`fit`'s `classWeight` and `sampleWeight`): `[n]`, `[n, outputs]`, or one per row of each
/// output (Keras's temporal weights); each sample's (or row's) loss is scaled by its weight.
///
/// # Safety
/// `out` must have room for 3 + the number of compiled metrics (+ the number of outputs of a
/// model with several, + the weighted metrics and the outputs having some) f32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_train_batch(model: u32, x: u32, y: u32, w: u32, start: u32, count: u32, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let wt = if w == 0 { None } else { Some(t.tensor(w)?) };
            let (s, e) = (start as usize, start as usize + count as usize);
            if e > m.order.len() || s >= e {
                return Err(Error::invalid("fit", format!("batch {s}..{e} is outside the epoch of {} samples", m.order.len())));
            }
            let idx = neurite_core::tensor::copy_of("fit", &m.order[s..e])?;
            let (mut net, tr, _, _) = m.parts()?;
            net.fit_to("fit", xt, t.parts(x))?;
            trainer(tr, "fit")?.train_batch_weighted(&mut net, xt, yt, wt, &idx)
        })?;
        let v = step_values(r);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("fit", out, &v) }
    })
}

/// One training step on the whole of `x`/`y` (`trainOnBatch`); writes `[loss, metrics…, kl,
/// regularization]`. `w` is 0 or the sample weights, as [`nr_model_train_batch`]'s.
///
/// # Safety
/// As [`nr_model_train_batch`].
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_train_on_batch(model: u32, x: u32, y: u32, w: u32, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let wt = if w == 0 { None } else { Some(t.tensor(w)?) };
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "trainOnBatch")?;
            net.fit_to("trainOnBatch", xt, t.parts(x))?;
            tr.check_targets(&net, "trainOnBatch", xt, yt)?;
            tr.train_on_weighted(&mut net, xt.clone(), yt, wt)
        })?;
        let v = step_values(r);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("trainOnBatch", out, &v) }
    })
}

/// Whether the model's fused training steps keep their forward's output (`on` 1) for
/// [`nr_model_take_output`]: the metrics computed in TS (`'auc'`, metric functions) then read
/// the output the loss was taken of (training behaviour), as Keras 3 and TF.js compute them.
/// `on` 0 stops it and frees a kept output. The model must be compiled.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_model_keep_output(model: u32, on: u32) -> i32 {
    guard(|| {
        with_model(model, |m, _| {
            let (_, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "fit")?;
            tr.keep_output = on != 0;
            if on == 0 {
                tr.kept = None;
            }
            Ok(())
        })
    })
}

/// The output the last fused training step kept (see [`nr_model_keep_output`]): its handle to
/// `out` (packed, for several outputs), taken (the next call has none until another step).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_take_output(model: u32, out: *mut u32) -> i32 {
    guard(|| {
        let y = with_model(model, |m, _| {
            let (_, tr, _, _) = m.parts()?;
            trainer(tr, "fit")?.kept.take().ok_or_else(|| Error::invalid("fit", "no training step kept its output (keep it first, then run a step)"))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tensor::store("fit", y, out) }.map(drop)
    })
}

/// The forward half of a split training step (`compile` with a loss function: the loss is
/// differentiated outside, with respect to the output): `fit`'s forward with training
/// behaviour on the whole of `x`, the layers keeping what backward needs; the output (packed
/// for several) to `out`, not recorded on a tape. Opens the step (`Trainer::split_forward`).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_step_forward(model: u32, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let y = with_model(model, |m, t| {
            let xt = t.tensor(x)?.clone();
            let (mut net, tr, _, _) = m.parts()?;
            net.fit_to("trainStep", &xt, t.parts(x))?;
            trainer(tr, "trainStep")?.split_forward(&mut net, xt)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tensor::store("trainStep", y, out) }.map(drop)
    })
}

/// The backward half of the open split step: `dp` the gradient of the data loss `data` with
/// respect to the output (its shape), then `fit`'s backward, penalties and update; writes
/// `[loss, kl, regularization]` as f32 to `out` (the loss is `data + kl + regularization`).
/// `dp` 0 cancels the open step (nothing is written). The step is closed whatever happens.
///
/// # Safety
/// `out` must have room for 3 f32 values (unless `dp` is 0).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_step_backward(model: u32, dp: u32, data: f32, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let r = with_model(model, |m, t| {
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "trainStep")?;
            if dp == 0 {
                tr.split_cancel();
                return Ok(None);
            }
            let g = t.tensor(dp).map(Tensor::clone);
            // A bad handle closes the step too.
            let g = g.inspect_err(|_| tr.split_cancel())?;
            tr.split_backward(&mut net, g, data).map(Some)
        })?;
        match r {
            // SAFETY: forwarded caller contract.
            Some(r) => unsafe { write_f32s("trainStep", out, &[r.loss, r.kl, r.regularization]) },
            None => Ok(()),
        }
    })
}

/// Inference on the whole of `x` for a loss computed outside (`evaluate` of a model compiled
/// with a loss function): the output (packed for several) to `out`, `[kl, regularization]` as
/// f32 to `terms` — the variational layers' KL at inference, which `evaluate` adds to the
/// loss, and the weight and activity penalties (`neurite_core::model::split::predict_terms`).
///
/// # Safety
/// `out` must point to a writable u32, `terms` to room for 2 f32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_predict_terms(model: u32, x: u32, out: *mut u32, terms: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (y, kl, reg) = with_model(model, |m, t| {
            let xt = t.tensor(x)?;
            neurite_core::model::split::predict_terms(&mut *m.seq()?, xt)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("evaluate", terms, &[kl, reg]) }?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tensor::store("evaluate", y, out) }.map(drop)
    })
}

/// One optimizer step of the model's trainer from gradients computed outside it
/// (`optimizer.applyGradients` and `minimize` on the weights of the model the optimizer is
/// compiled into): `pairs` holds `2·n_pairs` u32, `[weight index (nr_model_get_weights order),
/// gradient tensor handle]` per weight. It is `fit`'s update over fit's optimizer state, step,
/// schedule × learning-rate scale and clipping (over these gradients), for these weights only
/// and without the weight regularizers' gradients (`Trainer::apply_given`); zero pairs only
/// count a step. Each gradient must have its weight's size (the caller checks shapes) and be
/// finite (else NonFinite). Errors name `applyGradients`; a failed call changes nothing, and
/// the gradient tensors are never modified.
///
/// # Safety
/// `pairs` must point to `2·n_pairs` readable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_apply_gradients(model: u32, pairs: *const u32, n_pairs: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "applyGradients";
        let words = n_pairs.checked_mul(2).ok_or_else(|| Error::invalid(OP, "too many gradients"))?;
        // SAFETY: forwarded caller contract (the region is checked inside).
        let ids = unsafe { read_u32s(OP, pairs, words) }?;
        with_model(model, |m, t| {
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, OP)?;
            let mut given = Vec::with_capacity(n_pairs);
            for p in ids.chunks_exact(2) {
                given.push((p[0] as usize, t.tensor(p[1])?.data()));
            }
            tr.apply_given(&mut net, &given, OP)
        })
    })
}

/// Loss and metrics on `x`/`y` without training; writes `[loss, metrics…, kl, regularization]`.
/// `w` is 0 or the sample weights, as [`nr_model_train_batch`]'s (the loss only is weighted).
///
/// # Safety
/// As [`nr_model_train_batch`].
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_evaluate(model: u32, x: u32, y: u32, w: u32, batch_size: u32, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let wt = if w == 0 { None } else { Some(t.tensor(w)?) };
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "evaluate")?;
            net.fit_to("evaluate", xt, t.parts(x))?;
            tr.check_targets(&net, "evaluate", xt, yt)?;
            tr.evaluate_weighted(&mut net, xt, yt, wt, batch_size as usize)
        })?;
        let v = step_values(r);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("evaluate", out, &v) }
    })
}

/// Writes the number of weights of the layer at `path` (child indices through nested models,
/// as `nr_model_add_shared`; an empty path is the model itself) to `out`.
///
/// # Safety
/// `path` must point to `path_len` u32; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_num_weights(model: u32, path: *const u32, path_len: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s("getWeights", path, path_len) }?;
        let n = with_model(model, |m, _| Sequential::with_node_params(&find("getWeights", &m.as_layer(), &path)?, |ps| ps.len()))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("getWeights", out, n as u32) }
    })
}

/// Writes the gradient tape's id of weight `i` of the layer or model at `path` (in
/// `nr_model_get_weights`'s order) to `out` as two u32 words, low then high
/// (`neurite_core::model::shared::weight_id`): a source for `nr_tape_gradient`, valid while
/// the layer lives.
///
/// # Safety
/// `path` must point to `path_len` u32; `out` to two writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_weight_id(model: u32, path: *const u32, path_len: usize, i: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "variableGrads";
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s(OP, path, path_len) }?;
        let node = with_model(model, |m, _| find(OP, &m.as_layer(), &path))?;
        let id = Sequential::node_weight_id(&node, i as usize)?.ok_or_else(|| Error::invalid(OP, format!("weight index {i} is out of range")))?;
        // SAFETY: forwarded caller contract: two words.
        unsafe { crate::ffi::write_slice(OP, out, 2, &[id as u32, (id >> 32) as u32]) }
    })
}

/// Copies weights `from .. from + count` of the layer at `path` (see `nr_model_num_weights`)
/// into new tensors, in one walk of the model (a call per weight walked the whole model each
/// time: quadratic in its layers). `out` gets `[handle, layer index, trainable, name]` per
/// weight, `name` the index of the weight's name in the message buffer, which then lists the
/// distinct names, each followed by a newline. For a model, the layer index is the top-level
/// child the weight belongs to and trainable means training updates it (not a moving
/// statistic, and neither its layer nor an enclosing nested model is frozen); for a single
/// layer, the index is 0 and trainable is the weight's own flag. On a tape each copy is the
/// weight itself (an identity from its weight id), so that a loss term on `w.read()` (weight
/// decay) reaches the weight, as in TF.js. On an error no tensor is kept.
///
/// # Safety
/// `path` must point to `path_len` u32; `out` to `cap` writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_get_weights(model: u32, path: *const u32, path_len: usize, from: u32, count: u32, out: *mut u32, cap: usize) -> i32 {
    const OP: &str = "getWeights";
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s(OP, path, path_len) }?;
        let (from, count) = (from as usize, count as usize);
        let (node, ws) = with_model(model, |m, _| {
            let node = find(OP, &m.as_layer(), &path)?;
            let ws = Sequential::with_node_params(&node, |ps| {
                let n = ps.len();
                let Some(ps) = ps.get(from..from.saturating_add(count)) else {
                    return Err(Error::invalid(OP, format!("weight index {} is out of range for {n} weights", from.max(n))));
                };
                Ok(ps.iter().map(|s| (s.param.value.clone(), s.param.name, s.layer, s.updated)).collect::<Vec<_>>())
            })??;
            Ok((node, ws))
        })?;
        if 4 * count > cap {
            return Err(Error::invalid(OP, format!("{count} weights do not fit in an output list of capacity {cap}")));
        }
        crate::ffi::check_out(OP, out, cap)?;
        let ids = if super::tape::recording() { Sequential::node_weight_ids(&node)? } else { Vec::new() };
        let mut names: Vec<&str> = Vec::new();
        let mut made = Vec::with_capacity(count);
        let mut r = Ok(());
        for (k, (t, name, layer, trainable)) in ws.into_iter().enumerate() {
            let at = names.iter().position(|&n| n == name).unwrap_or(names.len());
            if at == names.len() {
                names.push(name);
            }
            let value = t.clone();
            // SAFETY: checked above: `out` has room for `cap >= 4 * count` values.
            let o = unsafe { out.add(4 * k) };
            r = unsafe {
                super::tape::emit_rec_fallible(OP, t, o, || {
                    let id = ids.get(from + k).copied().ok_or_else(|| Error::Internal { msg: "getWeights: no weight id".into() })?;
                    Ok((Recorded::Reshape, Vec::new(), vec![(id, value)]))
                })
            };
            if r.is_err() {
                break;
            }
            // SAFETY: as above.
            unsafe {
                made.push(o.read());
                core::ptr::copy_nonoverlapping([layer as u32, trainable as u32, at as u32].as_ptr(), o.add(1), 3);
            }
        }
        if r.is_err() {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| made.iter().for_each(|&t| drop(h.remove(t))));
            return r;
        }
        LAST_ERROR.set(&names.iter().flat_map(|&n| [n, "\n"]).collect::<String>());
        Ok(())
    })
}

/// Overwrites weight `i` of the layer at `path` (see `nr_model_num_weights`) with the values
/// of tensor `value` (same shape, and finite unless `allow_non_finite` is not 0). With
/// `check_only` 1 it only checks, so that the facade can check every weight before it
/// sets any (a failed `setWeights` changes nothing). A set (`setWeights`,
/// `LayerVariable.write`, loading) does not apply the weight's constraint, as Keras (an
/// optimizer's update does: `nr_optimizer_apply` updates a weight in place).
///
/// # Safety
/// `path` must point to `path_len` u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_set_weight(model: u32, path: *const u32, path_len: usize, i: u32, value: u32, check_only: u32, allow_non_finite: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s("setWeights", path, path_len) }?;
        with_model(model, |m, t| {
            let v = t.tensor(value)?;
            let node = find("setWeights", &m.as_layer(), &path)?;
            // A model's weights say which of its layers they belong to; a layer's need not.
            let is_model = node.try_borrow().is_ok_and(|n| n.layer().as_sequential().is_some());
            Sequential::with_node_params(&node, |ps| {
                let n = ps.len();
                let s = ps.get_mut(i as usize).ok_or_else(|| Error::invalid("setWeights", format!("weight index {i} is out of range for {n} weights")))?;
                let (l, p) = (s.layer, &mut *s.param);
                let what = |name: &str| if is_model { format!("weight {i} (`{name}` of layer {l})") } else { format!("weight {i} (`{name}`)") };
                if p.value.shape() != v.shape() {
                    return Err(Error::shape("setWeights", format!("{} has shape {} but the value has shape {}", what(p.name), p.value.shape(), v.shape())));
                }
                check_values(p.domain, v.data(), allow_non_finite != 0, || what(p.name))?;
                if check_only != 1 {
                    // Share the values (copy-on-write): no allocation here, and the next write
                    // to either tensor copies fallibly (`try_data_mut`).
                    p.value = v.clone();
                }
                Ok(())
            })?
        })
    })
}

/// Checks the values `v` for a weight of `domain` (finite unless `allow_non_finite`, and in the
/// domain), naming the weight with `what()` (`weight 1 (`bias` of layer 0)`) in the error.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn check_values(domain: layers::Domain, v: &[f32], allow_non_finite: bool, what: impl Fn() -> String) -> Result<()> {
    if !allow_non_finite {
        if let Some(k) = neurite_core::kernels::finite::first_non_finite(v) {
            let x = neurite_core::error::js_number(v[k]);
            return Err(Error::invalid("setWeights", format!("{} holds {x} at flat index {k}; weights must be finite (pass {{ allowNonFinite: true }} to set it anyway)", what())));
        }
    }
    if let Some(k) = domain.first_outside(v) {
        let x = neurite_core::error::js_number(v[k]);
        return Err(Error::invalid("setWeights", format!("{} holds {x} at flat index {k}; it must be {}", what(), domain.rule())));
    }
    Ok(())
}

thread_local! {
    /// The weights [`nr_model_weight_spans`] replaced by fresh buffers, by index, until
    /// [`nr_model_weight_commit`] keeps the new values or puts these back.
    static STAGED: RefCell<Vec<(usize, Tensor)>> = const { RefCell::new(Vec::new()) };
}

/// `setWeights` from arrays, step 1: writes, for each weight of the layer or model at `path` (in
/// the order of `nr_model_num_weights`), `[address, length]` to `out` (room for `cap` u32). With
/// `stage` 0 the address is 0 and nothing changes (the facade checks the arrays' lengths);
/// with `stage` 1 each weight gets a fresh buffer of zeros, whose address it is, for the facade
/// to copy an array into (one copy, no tensor); the old values are kept until
/// [`nr_model_weight_commit`], which the facade calls next whatever happens. A `getWeights`
/// copy or a tape's snapshot keeps the old values. The addresses stay valid until that call
/// (memory growth does not move them).
///
/// # Safety
/// `path` must point to `path_len` u32; `out` to `cap` writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_weight_spans(model: u32, path: *const u32, path_len: usize, stage: u32, out: *mut u32, cap: usize) -> i32 {
    const OP: &str = "setWeights";
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s(OP, path, path_len) }?;
        let node = with_model(model, |m, _| find(OP, &m.as_layer(), &path))?;
        Sequential::with_node_params(&node, #[cfg_attr(target_arch = "wasm32", optimize(size))] |ps| {
            if 2 * ps.len() > cap {
                return Err(Error::invalid(OP, format!("{} weights do not fit in an output list of capacity {cap}", ps.len())));
            }
            crate::ffi::check_out(OP, out, cap)?;
            let mut staged = Vec::new();
            staged.try_reserve_exact(if stage == 1 { ps.len() } else { 0 }).map_err(|_| Error::OutOfMemory { op: OP, bytes: 64 * ps.len() as u64 })?;
            for (k, s) in ps.iter_mut().enumerate() {
                let mut addr = 0;
                if stage == 1 {
                    match Tensor::zeros(OP, s.param.value.shape().clone()) {
                        Ok(fresh) => staged.push((k, core::mem::replace(&mut s.param.value, fresh))),
                        Err(e) => {
                            for (i, old) in staged.drain(..) {
                                ps[i].param.value = old;
                            }
                            return Err(e);
                        }
                    }
                    addr = s.param.value.data_mut().as_mut_ptr() as u32;
                }
                let len = s.param.value.data().len() as u32;
                // SAFETY: checked above: `out` has room for `cap >= 2 * ps.len()` values.
                unsafe { core::ptr::copy_nonoverlapping([addr, len].as_ptr(), out.add(2 * k), 2) };
            }
            if stage == 1 {
                STAGED.with(|st| *st.borrow_mut() = staged);
            }
            Ok(())
        })?
    })
}

/// `setWeights` from arrays, step 2: with `keep` 1, checks the weights listed in `checked`
/// (indices in `nr_model_num_weights`' order, the ones the facade wrote) as
/// `nr_model_set_weight` checks a value (finite unless `allow_non_finite` is not 0, in the
/// weight's domain; the same messages), then keeps every staged weight's new values; on an
/// error, and with `keep` 0, puts every staged weight's old values back (nothing changed).
///
/// # Safety
/// `path` must point to `path_len` u32 and `checked` to `n_checked` u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_weight_commit(model: u32, path: *const u32, path_len: usize, checked: *const u32, n_checked: usize, allow_non_finite: u32, keep: u32) -> i32 {
    const OP: &str = "setWeights";
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let staged = STAGED.with(|st| core::mem::take(&mut *st.borrow_mut()));
        // SAFETY: forwarded caller contract.
        let (path, checked) = unsafe { (read_u32s(OP, path, path_len)?, read_u32s(OP, checked, n_checked)?) };
        let node = with_model(model, |m, _| find(OP, &m.as_layer(), &path))?;
        let is_model = node.try_borrow().is_ok_and(|n| n.layer().as_sequential().is_some());
        Sequential::with_node_params(&node, #[cfg_attr(target_arch = "wasm32", optimize(size))] |ps| {
            let mut r = Ok(());
            if keep == 1 {
                for &i in &checked {
                    let Some(s) = ps.get(i as usize) else { continue };
                    let (l, name) = (s.layer, s.param.name);
                    r = check_values(s.param.domain, s.param.value.data(), allow_non_finite != 0, || if is_model { format!("weight {i} (`{name}` of layer {l})") } else { format!("weight {i} (`{name}`)") });
                    if r.is_err() {
                        break;
                    }
                }
            }
            if keep != 1 || r.is_err() {
                for (i, old) in staged {
                    if let Some(s) = ps.get_mut(i) {
                        s.param.value = old;
                    }
                }
            }
            r
        })?
    })
}

/// Loading's in-place write of the weights listed in `list` (`n` indices, in the order of
/// `nr_model_num_weights`) of `model`, all in one walk of the model: with `phase` 0 writes
/// `[address, length]` of each listed weight's values (unshared first: a weight just built is
/// already) to `out` (`2n` u32) for the caller to fill, so that the values go from the file's
/// bytes straight into the model, without a tensor in between; with `phase` 1 or 2 checks what
/// was written, weight by weight in the list's order: the weight's domain (an error naming it,
/// as `nr_model_set_weight`), then (phase 1 only) its finiteness, writing to `out` the position
/// in `list` and the flat index of the first non-finite value, or `u32::MAX` twice (the facade
/// names the file's weight in that error). No other allocation; the caller disposes the model
/// on an error (a weight half written is never seen).
///
/// # Safety
/// `list` must point to `n` u32; `out` to `2n` writable u32 (phase 0) or 2 (phases 1 and 2).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_fill_weights(model: u32, list: *const u32, n: usize, phase: u32, out: *mut u32) -> i32 {
    const OP: &str = "loadModel";
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let list = unsafe { read_u32s(OP, list, n) }?;
        crate::ffi::check_out(OP, out, if phase == 0 { 2 * n } else { 2 })?;
        with_model(model, |m, _| {
            Sequential::with_node_params(&m.as_layer(), |ps| {
                let count = ps.len();
                for (pos, &i) in list.iter().enumerate() {
                    let s = ps.get_mut(i as usize).ok_or_else(|| Error::invalid(OP, format!("weight index {i} is out of range for {count} weights")))?;
                    let (l, p) = (s.layer, &mut *s.param);
                    if phase == 0 {
                        let d = p.value.try_data_mut(OP)?;
                        // SAFETY: checked above: room for `2n` values.
                        unsafe { core::ptr::copy_nonoverlapping([d.as_mut_ptr() as u32, d.len() as u32].as_ptr(), out.add(2 * pos), 2) };
                        continue;
                    }
                    if let Some(k) = p.domain.first_outside(p.value.data()) {
                        let x = neurite_core::error::js_number(p.value.data()[k]);
                        return Err(Error::invalid(OP, format!("weight {i} (`{}` of layer {l}) holds {x} at flat index {k}; it must be {}", p.name, p.domain.rule())));
                    }
                    if phase == 1 {
                        if let Some(k) = neurite_core::kernels::finite::first_non_finite(p.value.data()) {
                            // SAFETY: checked above: room for 2 values.
                            return unsafe { crate::ffi::write_slice(OP, out, 2, &[pos as u32, k as u32]) };
                        }
                    }
                }
                // SAFETY: as above.
                if phase == 0 { Ok(()) } else { unsafe { crate::ffi::write_slice(OP, out, 2, &[u32::MAX, u32::MAX]) } }
            })?
        })
    })
}

/// Freezes (`on = 0`) or unfreezes layer `layer`, a depth-first index: the layers in order,
/// each nested model followed by its own layers (see `Sequential::set_trainable`).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_model_set_trainable(model: u32, layer: u32, on: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || with_model(model, |m, _| m.seq()?.set_trainable(layer as usize, on != 0)))
}

/// Sets the factor on the scheduled learning rate (for reduceLROnPlateau and
/// `model.learningRate`) when `scale` is a finite number >= 0 (0 freezes the weights by rate;
/// a negative number or NaN reads only) and writes the current rate, the step count, the
/// factor and the scheduled rate before the factor to `out` as `[lr, steps, scale,
/// scheduled]` f32.
///
/// # Safety
/// `out` must point to four writable f32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_lr(model: u32, scale: f64, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let v = with_model(model, |m, _| {
            let tr = trainer(&mut m.trainer, "learningRate")?;
            if scale.is_finite() && scale >= 0.0 {
                tr.lr_scale = scale;
            }
            Ok::<[f32; 4], Error>([tr.current_lr(), tr.step as f32, tr.lr_scale as f32, tr.cfg.schedule.lr(tr.step + 1)])
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("learningRate", out, &v) }
    })
}

/// Excludes the weights at indices `idx` (`n` u32, `nr_model_get_weights` order) from the
/// compiled optimizer's weight decay (Keras 3's `exclude_from_weight_decay`; TS matches the
/// names); every other weight decays. `compile` clears the list.
///
/// # Safety
/// `idx` must point to `n` u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_exclude_from_decay(model: u32, idx: *const u32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "excludeFromWeightDecay";
        // SAFETY: forwarded caller contract.
        let idx = unsafe { read_u32s(OP, idx, n) }?;
        with_model(model, |m, _| {
            let (net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, OP)?;
            let count = net.with_params(#[cfg_attr(target_arch = "wasm32", optimize(size))] |ps| ps.len())?;
            if let Some(&i) = idx.iter().find(|&&i| i as usize >= count) {
                return Err(Error::invalid(OP, format!("weight index {i} is out of range for {count} weights")));
            }
            tr.no_decay = (0..count).map(|i| idx.contains(&(i as u32))).collect();
            Ok(())
        })
    })
}

/// Describes the resumable training state (for `exportTrainingState`): writes
/// `[step_lo, step_hi, seed_lo, seed_hi, lrScale_lo, lrScale_hi (f64 bits), weight count,
/// slots per value, optimizer id, applies_lo, applies_hi]` (11 u32) to `out`, and the compiled
/// optimizer's slot names (`Optimizer::slot_names`), comma-separated in slot order, to the
/// message buffer (`nr_last_error_ptr`/`_len`). The step is the optimizer steps taken, the
/// seed the one that drives dropout and noise masks and, with the epoch, the shuffles, and
/// `applies` the count of `nr_model_apply` calls in training mode, which keys their draws.
/// InvalidArgument if the model is not compiled.
///
/// # Safety
/// `out` must point to 11 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_train_state(model: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "exportTrainingState";
        crate::ffi::check_out(OP, out, 11)?;
        let (v, names) = with_model(model, |m, _| {
            let a = m.apply_step;
            let (net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, OP)?;
            let n = net.with_params(#[cfg_attr(target_arch = "wasm32", optimize(size))] |ps| ps.len())?;
            let opt = &tr.cfg.optimizer;
            let scale = tr.lr_scale.to_bits();
            let v = [tr.step as u32, (tr.step >> 32) as u32, tr.seed as u32, (tr.seed >> 32) as u32, scale as u32, (scale >> 32) as u32, n as u32, opt.slots() as u32, opt.kind(), a as u32, (a >> 32) as u32];
            Ok((v, opt.slot_names().join(",")))
        })?;
        // SAFETY: room for 11 u32 by contract, checked above.
        unsafe { crate::ffi::write_slice(OP, out, 11, &v) }?;
        LAST_ERROR.set(&names);
        Ok(())
    })
}

/// Copies the optimizer state of weight `i` (`nr_model_get_weights` order) into a new 1-D
/// tensor: `slots · size` values, slot-major (slot `k` of a weight of `n` values is
/// `[k·n, (k+1)·n)`). A weight never updated (frozen, a moving statistic, or before the first
/// step) gets the fresh state its first update would start from (`Optimizer::init_state`:
/// zeros, or Adagrad's initial accumulator), so every weight has a full state and restoring
/// it is the same as starting fresh. InvalidArgument if the model is not compiled or `i` is
/// out of range.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_get_slots(model: u32, i: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "exportTrainingState";
        let t = with_model(model, |m, _| {
            let (net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, OP)?;
            let sizes = net.with_params(#[cfg_attr(target_arch = "wasm32", optimize(size))] |ps| ps.iter().map(|s| s.param.value.size()).collect::<Vec<_>>())?;
            let Some(&size) = sizes.get(i as usize) else {
                return Err(Error::invalid(OP, format!("weight index {i} is out of range for {} weights", sizes.len())));
            };
            let (opt, st) = (&tr.cfg.optimizer, tr.param_state(i as usize));
            let v = if st.is_empty() {
                // Never updated: the state its first update would start from.
                let len = size.checked_mul(opt.slots()).ok_or(Error::OutOfMemory { op: OP, bytes: u64::MAX })?;
                let mut v = neurite_core::tensor::alloc(OP, len)?;
                opt.init_state(&mut v);
                v
            } else {
                neurite_core::tensor::copy_of(OP, st)?
            };
            neurite_core::Tensor::new(OP, neurite_core::Shape::new(OP, &[v.len()])?, v)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit(OP, t, out) }
    })
}

/// Restores the resumable training state (`importTrainingState`). `header` holds `n_header`
/// = 10 u32: `[step_lo, step_hi, seed_lo, seed_hi, lrScale_lo, lrScale_hi (f64 bits), optimizer
/// id, slots per value, applies_lo, applies_hi]` (see `nr_model_train_state`); `slots` holds `n_slots` tensor handles, one per weight in `nr_model_get_weights`
/// order, each a 1-D tensor as `nr_model_get_slots` makes (0 for a weight without state).
/// The optimizer id and slot count must be the compiled optimizer's, the handle count the
/// weight count, and every tensor of the right length, finite, and non-negative where the
/// optimizer keeps squares (`Trainer::import_state`). Everything is checked and copied (the
/// tensors stay the caller's) before anything changes: a failed call changes nothing. The
/// seed also becomes the seed of this model's shuffles.
///
/// # Safety
/// `header` must point to `n_header` u32 values, `slots` to `n_slots`.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_set_train_state(model: u32, header: *const u32, n_header: usize, slots: *const u32, n_slots: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "importTrainingState";
        if n_header != 10 {
            return Err(Error::invalid(OP, format!("the header has 10 values, got {n_header}")));
        }
        if n_slots > crate::handles::MAX_LIVE {
            return Err(Error::invalid(OP, format!("{n_slots} slot tensors is more than the {} live handles there can be", crate::handles::MAX_LIVE)));
        }
        // SAFETY: forwarded caller contract; the lengths are bounded above.
        let (hd, ids) = unsafe { (read_u32s(OP, header, 10)?, read_u32s(OP, slots, n_slots)?) };
        let step = u64::from(hd[1]) << 32 | u64::from(hd[0]);
        let applies = u64::from(hd[9]) << 32 | u64::from(hd[8]);
        let seed = u64::from(hd[3]) << 32 | u64::from(hd[2]);
        let lr_scale = f64::from_bits(u64::from(hd[5]) << 32 | u64::from(hd[4]));
        with_model(model, |m, t| {
            let (net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, OP)?;
            let opt = &tr.cfg.optimizer;
            if hd[6] != opt.kind() || hd[7] as usize != opt.slots() {
                let kind = neurite_core::optim::Optimizer::KIND_NAMES.get(hd[6] as usize).copied().unwrap_or("an unknown optimizer");
                return Err(Error::invalid(OP, format!("the state is for {kind} with {} slots per value but the model is compiled with {} with {} ({})", hd[7], opt.name(), opt.slots(), opt.slot_names().join(", "))));
            }
            let mut states = Vec::new();
            states.try_reserve_exact(ids.len()).map_err(|_| Error::OutOfMemory { op: OP, bytes: ids.len() as u64 * 24 })?;
            for &h in &ids {
                states.push(if h == 0 { Vec::new() } else { neurite_core::tensor::copy_of(OP, t.tensor(h)?.data())? });
            }
            tr.import_state(&net, neurite_core::model::TrainerState { step, seed, lr_scale, slots: states })?;
            drop(net);
            m.seed = seed;
            m.apply_step = applies;
            Ok(())
        })
    })
}

/// Frees a model handle: its training state and its reference to the layers (whose weights
/// go with the last model holding them). Unless `out` is null, first writes `[parameters
/// freed, holders left]` to it as u32: the weights and moving statistics that no other live
/// model or handle holds, which go with this handle
/// (`neurite_core::model::sequential::params_freed`), and how many models still hold this
/// one (nested in them), for TF.js's `DisposeResult`.
///
/// # Safety
/// `out` must be null or point to 2 writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_free(model: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
        if !out.is_null() {
            let m = t.model(model)?;
            let holders = std::rc::Rc::strong_count(&m.net);
            let node = m.net.try_borrow().map_err(|_| Error::Internal { msg: "dispose: the model is in use".into() })?;
            let freed = neurite_core::model::sequential::params_freed(node.layer().children(), holders)?;
            drop(node);
            // SAFETY: forwarded caller contract.
            unsafe { crate::ffi::write_slice("dispose", out, 2, &[freed as u32, holders as u32 - 1]) }?;
        }
        t.remove(model).map(|_| ())
    }))
}

#[cfg(test)]
mod add_model_tests {
    use super::*;

    fn new_model() -> u32 {
        handles::with(|t| t.insert(Object::Model(Box::new(Model::new(1))))).unwrap()
    }

    /// A failed `add(innerModel)` leaves both models where they were; a good one shares the
    /// inner model, whose handle stays usable, and freeing the handles in any order frees all.
    #[test]
    fn a_nested_add_shares_the_inner_model() {
        let before = handles::with(|t| t.stats().live);
        let inner = new_model();
        // A stale outer handle, and an outer that is a tensor: the inner model is untouched.
        assert_ne!(nr_model_add_model(0x7ff_ffff, inner), 0);
        let tensor = handles::with(|t| t.insert(Object::Tensor(neurite_core::Tensor::scalar(1.0)))).unwrap();
        assert_ne!(nr_model_add_model(tensor, inner), 0);
        let outer = new_model();
        assert_eq!(nr_model_add_model(outer, inner), 0);
        let net = handles::with(|t| t.model(inner).map(|m| m.net.clone())).unwrap();
        assert_eq!(std::rc::Rc::strong_count(&net), 3, "inner handle, outer model, this test");
        assert_ne!(nr_model_add_model(outer, inner), 0, "the same model twice in one model");
        assert_ne!(nr_model_add_model(inner, outer), 0, "a cycle");
        handles::with(|t| t.remove(inner)).ok().unwrap();
        assert_eq!(std::rc::Rc::strong_count(&net), 2, "the outer model still holds it");
        for h in [tensor, outer] {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
        assert_eq!(std::rc::Rc::strong_count(&net), 1, "freed with its last holder");
        assert_eq!(handles::with(|t| t.stats().live), before);
    }
}

#[cfg(test)]
mod train_state_tests {
    use super::*;

    const DENSE_SIGMOID: [f32; 16] = [4.0, 1.0, 8.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
    const DENSE_LINEAR: [f32; 16] = [2.0, 1.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0., 0., 0., 0., 0.0, 0.0];
    /// mse; adam (amsgrad); stepDecay(0.05, 0.5, every 3, warm-up 2); no clipping; no metrics.
    const COMPILE: [f32; 19] = [0.0, 0.0, 1.0, 5.0, 0.9, 0.999, 1e-7, 1.0, 0.0, 2.0, 4.0, 0.05, 0.5, 3.0, 2.0, 0.0, 0.0, 0.0, 0.0];

    fn put(dims: &[usize], v: Vec<f32>) -> u32 {
        let t = neurite_core::Tensor::new("t", neurite_core::Shape::from(dims), v).unwrap();
        handles::with(|h| h.insert(Object::Tensor(t))).unwrap()
    }

    /// 10 samples `x` `[10, 3]` and targets `y` `[10, 2]` for [`model`] (handles).
    fn samples() -> (u32, u32) {
        let x = put(&[10, 3], (0..30).map(|i| ((i * 7 % 13) as f32 - 6.0) / 6.0).collect());
        let y = put(&[10, 2], (0..20).map(|i| ((i * 5 % 7) as f32) / 7.0).collect());
        (x, y)
    }

    fn data(h: u32) -> Vec<f32> {
        handles::with(|t| t.tensor(h).map(|x| x.data().to_vec())).unwrap()
    }

    /// `dense(4, sigmoid) → dropout(0.25) → dense(2)` on 3 inputs, compiled; `skip_init` as
    /// `nr_model_build`'s.
    fn model(seed: u32, skip_init: u32) -> u32 {
        let mut h = 0;
        // SAFETY: every pointer is a local of the stated length.
        unsafe {
            assert_eq!(nr_model_new(seed, 0, &mut h), 0);
            assert_eq!(nr_model_add(h, 0, DENSE_SIGMOID.as_ptr(), 16), 0);
            assert_eq!(nr_model_add(h, 3, [0.25f32].as_ptr(), 1), 0);
            assert_eq!(nr_model_add(h, 0, DENSE_LINEAR.as_ptr(), 16), 0);
            assert_eq!(nr_model_build(h, [3u32].as_ptr(), 1, skip_init), 0);
            assert_eq!(nr_model_compile(h, COMPILE.as_ptr(), COMPILE.len()), 0, "{}", LAST_ERROR.as_str());
        }
        h
    }

    /// Epochs `from..to` over 10 samples in batches of 4, shuffled with `epoch`.
    fn epochs(m: u32, x: u32, y: u32, from: u32, to: u32) {
        let mut out = [0f32; 3];
        for e in from..to {
            assert_eq!(nr_model_shuffle(m, 10, e, 1), 0);
            for start in [0, 4, 8] {
                // SAFETY: out has room for 3 values (no metrics).
                assert_eq!(unsafe { nr_model_train_batch(m, x, y, 0, start, (10 - start).min(4), out.as_mut_ptr()) }, 0, "{}", LAST_ERROR.as_str());
            }
        }
    }

    /// Weight `i` at `path` alone through `nr_model_get_weights`: its handle to `w`, `[layer,
    /// trainable]` to `info`; the status.
    unsafe fn get_weight(m: u32, path: &[u32], i: u32, w: &mut u32, info: &mut [u32; 2]) -> i32 {
        let mut out = [0u32; 4];
        // SAFETY: locals.
        let r = unsafe { nr_model_get_weights(m, path.as_ptr(), path.len(), i, 1, out.as_mut_ptr(), 4) };
        (*w, *info) = (out[0], [out[1], out[2]]);
        r
    }

    fn weights(m: u32) -> Vec<Vec<u32>> {
        let (mut w, mut info) = (0u32, [0u32; 2]);
        (0..4)
            .map(|i| {
                // SAFETY: locals.
                assert_eq!(unsafe { get_weight(m, &[], i, &mut w, &mut info) }, 0);
                let v = data(w).iter().map(|f| f.to_bits()).collect();
                handles::with(|t| t.remove(w)).ok().unwrap();
                v
            })
            .collect()
    }

    /// Through the C ABI: train 2 epochs, export state and weights, load both into a fresh
    /// model with another seed (built without the initializers, as `loadModel` does), train
    /// epochs 2..5: the bits equal 5 uninterrupted epochs.
    #[test]
    fn export_import_continue_equals_uninterrupted() {
        let before = handles::with(|t| t.stats().live);
        let (x, y) = samples();
        let whole = model(5, 0);
        epochs(whole, x, y, 0, 5);

        let first = model(5, 0);
        epochs(first, x, y, 0, 2);
        let mut hd = [0u32; 11];
        // SAFETY: hd has room for 11.
        assert_eq!(unsafe { nr_model_train_state(first, hd.as_mut_ptr()) }, 0);
        let one = 1f64.to_bits();
        assert_eq!(hd, [6, 0, 5, 0, one as u32, (one >> 32) as u32, 4, 3, 1, 0, 0]);
        assert_eq!(LAST_ERROR.as_str(), "m,v,vhat");
        let mut slots = [0u32; 4];
        for (i, s) in slots.iter_mut().enumerate() {
            // SAFETY: a local.
            assert_eq!(unsafe { nr_model_get_slots(first, i as u32, s) }, 0);
        }
        assert_eq!(slots.map(|s| data(s).len()), [36, 12, 24, 6]);

        // Built without the initializers, as loadModel builds: every weight is set below.
        let resumed = model(77, 1);
        let (mut w, mut info) = (0u32, [0u32; 2]);
        for i in 0..4 {
            // SAFETY: locals.
            assert_eq!(unsafe { get_weight(first, &[], i, &mut w, &mut info) }, 0);
            assert_eq!(unsafe { nr_model_set_weight(resumed, core::ptr::null(), 0, i, w, 0, 0) }, 0);
            handles::with(|t| t.remove(w)).ok().unwrap();
        }
        let header = [hd[0], hd[1], hd[2], hd[3], hd[4], hd[5], hd[8], hd[7], 7, 1];
        // Bad calls change nothing: a wrong header length, slot count, optimizer, or a NaN.
        // SAFETY: pointers to locals of at least the stated lengths.
        unsafe {
            assert_ne!(nr_model_set_train_state(resumed, header.as_ptr(), 8, slots.as_ptr(), 4), 0);
            assert_eq!(LAST_ERROR.as_str(), "importTrainingState: the header has 10 values, got 8");
            assert_ne!(nr_model_set_train_state(resumed, header.as_ptr(), 10, slots.as_ptr(), 3), 0);
            assert!(LAST_ERROR.as_str().contains("slots for 3 weights but the model has 4"), "{}", LAST_ERROR.as_str());
            let sgd = [hd[0], hd[1], hd[2], hd[3], hd[4], hd[5], 0, 1, 0, 0];
            assert_ne!(nr_model_set_train_state(resumed, sgd.as_ptr(), 10, slots.as_ptr(), 4), 0);
            assert_eq!(LAST_ERROR.as_str(), "importTrainingState: the state is for sgd with 1 slots per value but the model is compiled with adam with 3 (m, v, vhat)");
            let nan = put(&[12], vec![f32::NAN; 12]);
            assert_ne!(nr_model_set_train_state(resumed, header.as_ptr(), 10, [slots[0], nan, slots[2], slots[3]].as_ptr(), 4), 0);
            handles::with(|t| t.remove(nan)).ok().unwrap();
            let mut hd2 = [0u32; 11];
            assert_eq!(nr_model_train_state(resumed, hd2.as_mut_ptr()), 0);
            assert_eq!((hd2[..4].to_vec(), hd2[9..].to_vec()), (vec![0, 0, 77, 0], vec![0, 0]), "unchanged after failed imports");
            assert_eq!(nr_model_set_train_state(resumed, header.as_ptr(), 10, slots.as_ptr(), 4), 0, "{}", LAST_ERROR.as_str());
            // The count of training-mode applies comes back as set (2^32 + 7).
            assert_eq!(nr_model_train_state(resumed, hd2.as_mut_ptr()), 0);
            assert_eq!(hd2[9..], [7, 1]);
        }
        epochs(resumed, x, y, 2, 5);
        assert_eq!(weights(resumed), weights(whole));
        for h in [x, y, whole, first, resumed].into_iter().chain(slots) {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
        assert_eq!(handles::with(|t| t.stats().live), before);
    }

    /// `nr_model_apply_gradients` continues fit's trainer: one step per call over the given
    /// weights only; a NaN gradient, a bad handle or index changes nothing and names
    /// applyGradients; the gradient tensors are left as they were.
    #[test]
    fn given_gradients_step_the_trainer() {
        let before = handles::with(|t| t.stats().live);
        let (x, y) = samples();
        let m = model(5, 0);
        epochs(m, x, y, 0, 1);
        let step = |m: u32| {
            let mut hd = [0u32; 9];
            // SAFETY: hd has room for 9.
            assert_eq!(unsafe { nr_model_train_state(m, hd.as_mut_ptr()) }, 0);
            hd[0]
        };
        assert_eq!(step(m), 3);
        let g = put(&[2], vec![0.5, -0.5]);
        let nan = put(&[2], vec![0.5, f32::NAN]);
        let w0 = weights(m);
        // SAFETY: pointers to locals of the stated lengths.
        unsafe {
            assert_eq!(nr_model_apply_gradients(m, [3, nan].as_ptr(), 1), neurite_core::Status::NonFinite as i32);
            assert!(LAST_ERROR.as_str().starts_with("applyGradients: a gradient of `bias` of layer 2 (weight 3) is not finite"), "{}", LAST_ERROR.as_str());
            assert_ne!(nr_model_apply_gradients(m, [3, 0x7ff_ffff].as_ptr(), 1), 0);
            assert_ne!(nr_model_apply_gradients(m, [4, g].as_ptr(), 1), 0);
            assert_eq!(LAST_ERROR.as_str(), "applyGradients: weight index 4 is out of range for 4 weights");
            assert_ne!(nr_model_apply_gradients(m, [1, g].as_ptr(), 1), 0);
            assert_eq!((step(m), weights(m)), (3, w0.clone()), "refused calls change nothing");
            assert_eq!(nr_model_apply_gradients(m, [3, g].as_ptr(), 1), 0, "{}", LAST_ERROR.as_str());
        }
        let w1 = weights(m);
        assert_eq!(step(m), 4);
        assert_eq!(w1[..3], w0[..3], "only the given weight moves");
        assert_ne!(w1[3], w0[3]);
        assert_eq!(data(g), [0.5, -0.5], "the gradient is the caller's, untouched");
        for h in [x, y, g, nan, m] {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
        assert_eq!(handles::with(|t| t.stats().live), before);
    }

    /// `skip_init` leaves every weight zero (same shapes); without it the kernels are drawn.
    /// A caller passing nothing for it (a JS caller of the old signature) gets 0: initialised.
    #[test]
    fn build_without_the_initializers_leaves_zeros() {
        let (drawn, zeroed) = (model(5, 0), model(5, 1));
        let (w0, w1) = (weights(drawn), weights(zeroed));
        assert_eq!(w0.iter().map(Vec::len).collect::<Vec<_>>(), w1.iter().map(Vec::len).collect::<Vec<_>>());
        assert!(w1.iter().flatten().all(|&b| b == 0), "{w1:?}");
        assert!(w0[0].iter().any(|&b| b != 0) && w0[2].iter().any(|&b| b != 0), "the kernels are initialised");
        for h in [drawn, zeroed] {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
    }

    /// `layer.getWeights()`/`setWeights()`: a path addresses one layer's weights, which are the
    /// model's; a bad path names itself; a shape error names the weight without a layer index.
    #[test]
    fn a_path_addresses_one_layers_weights() {
        let before = handles::with(|t| t.stats().live);
        let m = model(5, 0);
        let all = weights(m);
        let (mut n, mut w, mut info) = (0u32, 0u32, [0u32; 2]);
        for (layer, want) in [(0u32, &all[0..2]), (1, &all[2..2]), (2, &all[2..4])] {
            // SAFETY: locals.
            assert_eq!(unsafe { nr_model_num_weights(m, [layer].as_ptr(), 1, &mut n) }, 0);
            assert_eq!(n as usize, want.len(), "layer {layer}");
            for (i, v) in want.iter().enumerate() {
                // SAFETY: locals.
                assert_eq!(unsafe { get_weight(m, &[layer], i as u32, &mut w, &mut info) }, 0);
                assert_eq!(&data(w).iter().map(|f| f.to_bits()).collect::<Vec<_>>(), v);
                assert_eq!(info, [0, 1], "a layer's weight: index 0, trainable");
                handles::with(|t| t.remove(w)).ok().unwrap();
            }
        }
        let bias = put(&[2], vec![7.0, 8.0]);
        // SAFETY: locals.
        assert_eq!(unsafe { nr_model_set_weight(m, [2u32].as_ptr(), 1, 1, bias, 0, 0) }, 0);
        assert_eq!(weights(m)[3], vec![7f32.to_bits(), 8f32.to_bits()], "the model sees the layer's new bias");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_set_weight(m, [2u32].as_ptr(), 1, 0, bias, 1, 0) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "setWeights: weight 0 (`kernel`) has shape [4,2] but the value has shape [2]");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_set_weight(m, core::ptr::null(), 0, 0, bias, 1, 0) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "setWeights: weight 0 (`kernel` of layer 0) has shape [3,4] but the value has shape [2]");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_num_weights(m, [3u32].as_ptr(), 1, &mut n) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "getWeights: layer path [3]: no layer 3 in a model of 3 layers");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_num_weights(m, [0u32, 0].as_ptr(), 2, &mut n) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "getWeights: layer path [0, 0] goes through a dense layer, not a model");
        for h in [bias, m] {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
        assert_eq!(handles::with(|t| t.stats().live), before);
    }

    /// The batched reads and loading's writes: `nr_model_get_weights` gives every weight as it
    /// gives each alone (names listed once); `nr_model_fill_weights`
    /// writes in place, then reports the first non-finite value of the listed weights in the
    /// list's order, or refuses a value outside a weight's domain.
    #[test]
    fn weights_in_one_call() {
        let before = handles::with(|t| t.stats().live);
        let m = model(5, 0);
        let all = weights(m);
        let mut out = [0u32; 16];
        // SAFETY: locals; out has room for 4 weights of 4 words.
        assert_eq!(unsafe { nr_model_get_weights(m, core::ptr::null(), 0, 0, 4, out.as_mut_ptr(), 16) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "kernel\nbias\n");
        for (k, w) in out.chunks(4).enumerate() {
            assert_eq!(data(w[0]).iter().map(|f| f.to_bits()).collect::<Vec<_>>(), all[k]);
            assert_eq!(&w[1..], [if k < 2 { 0 } else { 2 }, 1, k as u32 % 2], "weight {k}");
            handles::with(|t| t.remove(w[0])).ok().unwrap();
        }
        // SAFETY: locals; too little room is an error that keeps no tensor.
        assert_ne!(unsafe { nr_model_get_weights(m, core::ptr::null(), 0, 0, 4, out.as_mut_ptr(), 15) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "getWeights: 4 weights do not fit in an output list of capacity 15");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_get_weights(m, core::ptr::null(), 0, 3, 2, out.as_mut_ptr(), 16) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "getWeights: weight index 4 is out of range for 4 weights");
        // SAFETY: locals; weight 3 alone.
        assert_eq!(unsafe { nr_model_get_weights(m, core::ptr::null(), 0, 3, 1, out.as_mut_ptr(), 4) }, 0);
        assert_eq!((data(out[0]).len(), &out[1..4], LAST_ERROR.as_str()), (2, &[2, 1, 0][..], "bias\n"));
        handles::with(|t| t.remove(out[0])).ok().unwrap();
        let mut spans = [0u32; 4];
        // SAFETY: locals; weights 3 (bias [2]) then 1 (bias [4]).
        assert_eq!(unsafe { nr_model_fill_weights(m, [3u32, 1].as_ptr(), 2, 0, spans.as_mut_ptr()) }, 0);
        assert_eq!([spans[1], spans[3]], [2, 4]);
        // (Natively the addresses are cut to 32 bits: write the NaN through setWeights.)
        let nan = put(&[4], vec![0.0, 0.0, 0.0, f32::NAN]);
        // SAFETY: locals.
        assert_eq!(unsafe { nr_model_set_weight(m, core::ptr::null(), 0, 1, nan, 0, 1) }, 0);
        let mut bad = [0u32; 2];
        // SAFETY: locals.
        assert_eq!(unsafe { nr_model_fill_weights(m, [3u32, 1].as_ptr(), 2, 1, bad.as_mut_ptr()) }, 0);
        assert_eq!(bad, [1, 3], "list position 1 (weight 1), flat index 3");
        // SAFETY: locals.
        assert_eq!(unsafe { nr_model_fill_weights(m, [3u32, 1].as_ptr(), 2, 2, bad.as_mut_ptr()) }, 0);
        assert_eq!(bad, [u32::MAX, u32::MAX], "phase 2 checks domains only");
        // SAFETY: locals.
        assert_ne!(unsafe { nr_model_fill_weights(m, [4u32].as_ptr(), 1, 1, bad.as_mut_ptr()) }, 0);
        assert_eq!(LAST_ERROR.as_str(), "loadModel: weight index 4 is out of range for 4 weights");
        for h in [nan, m] {
            handles::with(|t| t.remove(h)).ok().unwrap();
        }
        assert_eq!(handles::with(|t| t.stats().live), before);
    }

    /// setWeights from arrays: staged weights get fresh buffers; a failed check puts the old
    /// values back, a good one keeps the new; the facade's abort (keep 0) changes nothing.
    #[test]
    fn staged_weights_are_kept_or_put_back() {
        let m = model(5, 0);
        let old = weights(m);
        let mut out = [0u32; 8];
        // Natively the u32 addresses are truncated: write the staged buffers through the model.
        let fill = |k: usize, v: f32| {
            handles::with(|t| t.model(m).unwrap().net.borrow().layer().with_params(|ps| ps[k].param.value.data_mut().fill(v))).unwrap();
        };
        let write = |_: &[u32; 8], v: f32| (0..4).for_each(|k| fill(k, v));
        // SAFETY: locals.
        unsafe {
            assert_eq!(nr_model_weight_spans(m, core::ptr::null(), 0, 0, out.as_mut_ptr(), 8), 0);
            assert_eq!(out, [0, 12, 0, 4, 0, 8, 0, 2], "lengths only, nothing staged");
            for keep in [0, 1] {
                assert_eq!(nr_model_weight_spans(m, core::ptr::null(), 0, 1, out.as_mut_ptr(), 8), 0);
                write(&out, f32::NAN);
                assert_eq!(nr_model_weight_commit(m, core::ptr::null(), 0, [0u32, 1, 2, 3].as_ptr(), 4, 0, keep), if keep == 1 { 1 } else { 0 });
                if keep == 1 {
                    assert_eq!(LAST_ERROR.as_str(), "setWeights: weight 0 (`kernel` of layer 0) holds NaN at flat index 0; weights must be finite (pass { allowNonFinite: true } to set it anyway)");
                }
                assert_eq!(weights(m), old, "keep {keep}: the old values are back");
            }
            // Only the listed weights are checked; allowNonFinite lets NaN in.
            assert_eq!(nr_model_weight_spans(m, [2u32].as_ptr(), 1, 1, out.as_mut_ptr(), 4), 0);
            fill(2, 0.5);
            assert_eq!(nr_model_weight_commit(m, [2u32].as_ptr(), 1, [0u32].as_ptr(), 1, 0, 1), 0);
            assert_eq!(weights(m)[2], vec![0.5f32.to_bits(); 8]);
            assert_eq!(weights(m)[3], vec![0; 2], "an unlisted staged weight keeps its zeros (the facade sets it from a tensor next)");
            assert_eq!(nr_model_weight_spans(m, core::ptr::null(), 0, 1, out.as_mut_ptr(), 8), 0);
            write(&out, f32::INFINITY);
            assert_eq!(nr_model_weight_commit(m, core::ptr::null(), 0, [3u32].as_ptr(), 1, 1, 1), 0);
            assert_eq!(weights(m)[3], vec![f32::INFINITY.to_bits(); 2]);
        }
        handles::with(|t| t.remove(m)).ok().unwrap();
    }

    #[test]
    fn an_uncompiled_model_has_no_training_state() {
        let mut h = 0;
        let mut hd = [0u32; 9];
        // SAFETY: locals.
        unsafe {
            assert_eq!(nr_model_new(1, 0, &mut h), 0);
            assert_ne!(nr_model_train_state(h, hd.as_mut_ptr()), 0);
        }
        assert!(LAST_ERROR.as_str().starts_with("exportTrainingState: the model must be compiled first"), "{}", LAST_ERROR.as_str());
        handles::with(|t| t.remove(h)).ok().unwrap();
    }
}
