//! Models: building, compiling, training steps, prediction, evaluation and weights.
//!
//! A model handle owns its training state (optimizer state, sample order) and holds a shared
//! reference to its layers: a layer or a nested model can sit in several models with one set
//! of weights (`neurite_core::model::shared`). `nr_model_free` (the generic `nr_tensor_free`
//! also works on any handle) releases the handle's own state and its reference; weights go
//! when the last model holding them goes.

use super::tensor::{emit, read_shape};
use crate::ffi::{guard, read_u32s, read_u32s_as, write_out, LAST_ERROR};
use crate::handles::{self, with_model, Object};
use crate::model::Model;
use neurite_core::layers;
use neurite_core::model::{LayerRef, TrainConfig, Trainer};
use neurite_core::rng::Philox;
use neurite_core::{Error, Result};

/// Reads `n` f32 parameters.
///
/// # Safety
/// `p` must point to `n` readable f32 values.
unsafe fn read_f32s(op: &'static str, p: *const f32, n: usize) -> Result<Vec<f32>> {
    // SAFETY: same size and alignment as u32; forwarded caller contract.
    unsafe { read_u32s_as(op, p as *const u32, n, f32::from_bits) }
}

/// Writes f32 results to `out`.
///
/// # Safety
/// `out` must point to `v.len()` writable f32 values.
unsafe fn write_f32s(op: &'static str, out: *mut f32, v: &[f32]) -> Result<()> {
    // SAFETY: forwarded caller contract; the region is checked inside.
    unsafe { crate::ffi::write_slice(op, out, v.len(), v) }
}

/// Creates an empty model whose random initialisation and shuffles derive from the seed.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn nr_model_new(seed_lo: u32, seed_hi: u32, out: *mut u32) -> i32 {
    guard(|| {
        let seed = (seed_hi as u64) << 32 | seed_lo as u64;
        crate::ffi::check_out("sequential", out, 1)?; // before storing: a failed call stores nothing
        let h = handles::with(|t| t.insert(Object::Model(Box::new(Model::new(seed)))))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("sequential", out, h) }
    })
}

/// Appends a layer of kind `kind` (see `neurite_core::layers::LAYER_KINDS`) with `n` params.
///
/// # Safety
/// `params` must point to `n` f32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_add(model: u32, kind: u32, params: *const f32, n: usize) -> i32 {
    guard(|| {
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
pub extern "C" fn nr_model_add_model(outer: u32, inner: u32) -> i32 {
    guard(|| {
        if outer == inner {
            return Err(Error::invalid("add", "a model cannot contain itself"));
        }
        let node = handles::with(|t| t.model(inner).map(|m| m.as_layer()))?;
        with_model(outer, |m, _| m.seq()?.add(node))
    })
}

/// Places in `model` the layer found in model `src` by `path` (`path_len` child indices: a
/// direct layer, or through nested models), sharing it: one layer object, one set of weights.
///
/// # Safety
/// `path` must point to `path_len` u32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_add_shared(model: u32, src: u32, path: *const u32, path_len: usize) -> i32 {
    guard(|| {
        // SAFETY: forwarded caller contract.
        let path = unsafe { read_u32s("add", path, path_len) }?;
        let node = handles::with(|t| find(&t.model(src)?.as_layer(), &path))?;
        with_model(model, |m, _| m.seq()?.add(node))
    })
}

/// The layer at `path` inside `root` (a model).
pub(crate) fn find(root: &LayerRef, path: &[u32]) -> Result<LayerRef> {
    let mut node = root.clone();
    for &i in path {
        let next = {
            let n = node.try_borrow().map_err(|_| Error::Internal { msg: "add: the source model is in use".into() })?;
            let seq = n.layer().as_sequential().ok_or_else(|| Error::invalid("add", format!("layer path {path:?} goes through a {} layer, not a model", n.layer().kind())))?;
            seq.children().get(i as usize).cloned().ok_or_else(|| Error::invalid("add", format!("layer path {path:?}: no layer {i} in a model of {} layers", seq.len())))?
        };
        node = next;
    }
    Ok(node)
}

/// Builds the model for a per-sample input shape.
///
/// # Safety
/// `shape` must point to `rank` u32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_build(model: u32, shape: *const u32, rank: usize) -> i32 {
    guard(|| {
        // SAFETY: forwarded caller contract.
        let s = unsafe { read_shape("build", shape, rank) }?;
        with_model(model, |m, _| {
            // Building a model that is already built (nested and built with its outer model)
            // only checks the shape.
            m.net.try_borrow_mut().map_err(|_| Error::Internal { msg: "build: the model is in use".into() })?.build(s.dims(), 0)?;
            Ok(())
        })
    })
}

/// Writes `[rank, dims…, paramCount]` of layer `i`'s output to `out` (room for 34 u32).
///
/// # Safety
/// `out` must point to 34 writable u32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_layer_info(model: u32, i: u32, out: *mut u32) -> i32 {
    guard(|| {
        let (shape, count) = with_model(model, |m, _| {
            let seq = m.seq()?;
            let s = seq.layer_output_shape(i as usize).ok_or_else(|| Error::invalid("summary", format!("no layer {i}, or the model is not built")))?;
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
pub unsafe extern "C" fn nr_model_predict(model: u32, x: u32, batch_size: u32, out: *mut u32) -> i32 {
    guard(|| {
        let y = with_model(model, |m, t| m.seq()?.predict(t.tensor(x)?, batch_size as usize))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("predict", y, out) }
    })
}

/// Inference through layers `start..end` only (an autoencoder's encoder or decoder half).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn nr_model_predict_range(model: u32, x: u32, start: u32, end: u32, batch_size: u32, out: *mut u32) -> i32 {
    guard(|| {
        let y = with_model(model, |m, t| m.seq()?.predict_range(t.tensor(x)?, start as usize, end as usize, batch_size as usize))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("predict", y, out) }
    })
}

/// Configures training: loss, optimizer, schedule, clipping and metrics (see
/// `TrainConfig::from_abi` for the layout). Resets optimizer state and the step count.
///
/// # Safety
/// `params` must point to `n` f32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_compile(model: u32, params: *const f32, n: usize) -> i32 {
    guard(|| {
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
fn trainer<'m>(t: &'m mut Option<Trainer>, op: &'static str) -> Result<&'m mut Trainer> {
    t.as_mut().ok_or_else(|| Error::invalid(op, "the model must be compiled first: call model.compile({ optimizer, loss })"))
}

/// Validates `x` and `y` for training or evaluation (shapes, labels, NaN). `op` names the
/// caller in messages: 0 fit, 1 evaluate, 2 trainOnBatch, 3 fit's validation data.
#[no_mangle]
pub extern "C" fn nr_model_check_data(model: u32, x: u32, y: u32, op: u32) -> i32 {
    let op: &'static str = match op {
        1 => "evaluate",
        2 => "trainOnBatch",
        3 => "fit (validationData)",
        _ => "fit",
    };
    guard(|| {
        with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            if let Some(i) = xt.data().iter().position(|v| !v.is_finite()) {
                let v = neurite_core::error::js_number(xt.data()[i]);
                return Err(Error::invalid(op, format!("x contains {v} at flat index {i} (shape {}); clean the data first", xt.shape())));
            }
            let (net, tr, _, _) = m.parts()?;
            trainer(tr, op)?.check_targets(&net, op, xt, yt)
        })
    })
}

/// Sets the sample order for the next epoch: `0..n`, shuffled with the model seed and the
/// epoch number when `shuffle` is non-zero.
#[no_mangle]
pub extern "C" fn nr_model_shuffle(model: u32, n: u32, epoch: u32, shuffle: u32) -> i32 {
    guard(|| {
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

/// One training step on samples `order[start .. start + count]` of `x`/`y`; writes
/// `[loss, metrics…, kl, regularization]` as f32 to `out` (the loss is the total; `kl` and
/// `regularization` are its parts from variational layers and from weight and activity
/// penalties, see `nr_model_loss_terms`).
///
/// # Safety
/// `out` must have room for 3 + the number of compiled metrics f32 values.
#[no_mangle]
pub unsafe extern "C" fn nr_model_train_batch(model: u32, x: u32, y: u32, start: u32, count: u32, out: *mut f32) -> i32 {
    guard(|| {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let (s, e) = (start as usize, start as usize + count as usize);
            if e > m.order.len() || s >= e {
                return Err(Error::invalid("fit", format!("batch {s}..{e} is outside the epoch of {} samples", m.order.len())));
            }
            let idx = neurite_core::tensor::copy_of("fit", &m.order[s..e])?;
            let (mut net, tr, _, _) = m.parts()?;
            trainer(tr, "fit")?.train_batch(&mut net, xt, yt, &idx)
        })?;
        let mut v = vec![r.loss];
        v.extend(r.metrics);
        v.extend([r.kl, r.regularization]);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("fit", out, &v) }
    })
}

/// One training step on the whole of `x`/`y` (`trainOnBatch`); writes `[loss, metrics…, kl, regularization]`.
///
/// # Safety
/// As [`nr_model_train_batch`].
#[no_mangle]
pub unsafe extern "C" fn nr_model_train_on_batch(model: u32, x: u32, y: u32, out: *mut f32) -> i32 {
    guard(|| {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "trainOnBatch")?;
            tr.check_targets(&net, "trainOnBatch", xt, yt)?;
            tr.train_on(&mut net, xt.clone(), yt)
        })?;
        let mut v = vec![r.loss];
        v.extend(r.metrics);
        v.extend([r.kl, r.regularization]);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("trainOnBatch", out, &v) }
    })
}

/// Loss and metrics on `x`/`y` without training; writes `[loss, metrics…, kl, regularization]`.
///
/// # Safety
/// As [`nr_model_train_batch`].
#[no_mangle]
pub unsafe extern "C" fn nr_model_evaluate(model: u32, x: u32, y: u32, batch_size: u32, out: *mut f32) -> i32 {
    guard(|| {
        let r = with_model(model, |m, t| {
            let (xt, yt) = (t.tensor(x)?, t.tensor(y)?);
            let (mut net, tr, _, _) = m.parts()?;
            let tr = trainer(tr, "evaluate")?;
            tr.check_targets(&net, "evaluate", xt, yt)?;
            tr.evaluate(&mut net, xt, yt, batch_size as usize)
        })?;
        let mut v = vec![r.loss];
        v.extend(r.metrics);
        v.extend([r.kl, r.regularization]);
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("evaluate", out, &v) }
    })
}

/// Writes `[number of weights]` to `out`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn nr_model_num_weights(model: u32, out: *mut u32) -> i32 {
    guard(|| {
        let n = with_model(model, |m, _| m.seq()?.with_params(|ps| ps.len()))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("getWeights", out, n as u32) }
    })
}

/// Copies weight `i` into a new tensor; its name goes to the message buffer and
/// `[layer index, trainable]` to `info`, where trainable means training updates it (not a
/// moving statistic, and neither its layer nor an enclosing nested model is frozen).
///
/// # Safety
/// `out` points to a writable u32, `info` to two.
#[no_mangle]
pub unsafe extern "C" fn nr_model_get_weight(model: u32, i: u32, out: *mut u32, info: *mut u32) -> i32 {
    guard(|| {
        let (t, name, layer, trainable) = with_model(model, |m, _| {
            m.seq()?.with_params(|ps| {
                let n = ps.len();
                let s = ps.get(i as usize).ok_or_else(|| Error::invalid("getWeights", format!("weight index {i} is out of range for {n} weights")))?;
                Ok((s.param.value.clone(), s.param.name, s.layer, s.updated))
            })?
        })?;
        LAST_ERROR.set(name);
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out("getWeights", info, layer as u32)?;
            write_out("getWeights", info.add(1), trainable as u32)?;
            emit("getWeights", t, out)
        }
    })
}

/// Overwrites weight `i` with the values of tensor `value` (same shape).
#[no_mangle]
pub extern "C" fn nr_model_set_weight(model: u32, i: u32, value: u32) -> i32 {
    guard(|| {
        with_model(model, |m, t| {
            let v = t.tensor(value)?;
            m.seq()?.with_params(|ps| {
                let n = ps.len();
                let s = ps.get_mut(i as usize).ok_or_else(|| Error::invalid("setWeights", format!("weight index {i} is out of range for {n} weights")))?;
                let (l, p) = (s.layer, &mut *s.param);
                if p.value.shape() != v.shape() {
                    return Err(Error::shape("setWeights", format!("weight {i} (`{}` of layer {l}) has shape {} but the value has shape {}", p.name, p.value.shape(), v.shape())));
                }
                // Share the values (copy-on-write): no allocation here, and the next write to
                // either tensor copies fallibly (`try_data_mut`).
                p.value = v.clone();
                Ok(())
            })?
        })
    })
}

/// Freezes (`on = 0`) or unfreezes layer `layer`, a depth-first index: the layers in order,
/// each nested model followed by its own layers (see `Sequential::set_trainable`).
#[no_mangle]
pub extern "C" fn nr_model_set_trainable(model: u32, layer: u32, on: u32) -> i32 {
    guard(|| with_model(model, |m, _| m.seq()?.set_trainable(layer as usize, on != 0)))
}

/// Scales the scheduled learning rate (for reduceLROnPlateau) and writes the current rate and
/// step count to `out` as `[lr, steps]` f32.
///
/// # Safety
/// `out` must point to two writable f32.
#[no_mangle]
pub unsafe extern "C" fn nr_model_lr(model: u32, scale: f32, out: *mut f32) -> i32 {
    guard(|| {
        let v = with_model(model, |m, _| {
            let tr = trainer(&mut m.trainer, "learningRate")?;
            if scale.is_finite() && scale > 0.0 {
                tr.lr_scale = scale;
            }
            Ok::<[f32; 2], Error>([tr.current_lr(), tr.step as f32])
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { write_f32s("learningRate", out, &v) }
    })
}

/// Frees a model handle: its training state and its reference to the layers (whose weights
/// go with the last model holding them).
#[no_mangle]
pub extern "C" fn nr_model_free(model: u32) -> i32 {
    guard(|| handles::with(|t| t.remove(model)).map(|_| ()))
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
