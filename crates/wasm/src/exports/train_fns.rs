//! Tensor-level losses, optimizer steps and learning-rate schedules, for the TS `losses`,
//! `optimizers` and `schedules` namespaces. (Model training runs its loop inside Rust; these
//! exports serve custom training loops written in TS.)
//!
//! Options cross as `f32` lists whose layouts are documented on `Loss::from_abi`,
//! `Optimizer::from_abi` and `LrSchedule::from_abi`. Optimizer state lives in ordinary tensor
//! handles owned by the TS optimizer, which frees them on `dispose()`.

use neurite_core::tensor::copy_of;
use super::tape::emit_rec;
use super::tensor::emit;
use neurite_core::autodiff::Recorded;
use crate::ffi::{guard, read_u32s, read_u32s_as, write_out};
use crate::handles;
use neurite_core::losses::check::{rows_cols, rows_per_sample};
use neurite_core::losses::{Loss, Reduction};
use neurite_core::optim::{Clip, LrSchedule, Optimizer};
use neurite_core::regularizers::KlSparsity;
use neurite_core::{bail, bail_shape, Result, Shape, Tensor};
use neurite_core::error::js_number;

/// Reads `n` f32 values from a pointer TS gave us.
///
/// # Safety
/// `ptr` must point to `n` readable f32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn read_f32s(op: &'static str, ptr: *const f32, n: usize) -> Result<Vec<f32>> {
    if n > 64 {
        bail!(op, "too many options ({n})");
    }
    // SAFETY: same layout as u32; guaranteed by the caller.
    unsafe { read_u32s_as(op, ptr as *const u32, n, f32::from_bits) }
}

/// A loss and its reduction from `[params…[, reduction]]`: `Loss::PARAMS` of the kind, then
/// optionally the reduction id of `Reduction::NAMES` (default `mean`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn loss_and_reduction(kind: u32, params: &[f32]) -> Result<(Loss, Reduction)> {
    let want = Loss::PARAMS.get(kind as usize).map_or(0, |p| p.len());
    if params.len() != want + 1 {
        return Ok((Loss::from_abi(kind, params)?, Reduction::Mean));
    }
    let (&r, p) = params.split_last().expect("want + 1 >= 1");
    if !(r >= 0.0 && r.fract() == 0.0) {
        bail!("loss", "reduction id must be a non-negative integer, got {r}", r = js_number(r));
    }
    let (loss, reduction) = (Loss::from_abi(kind, p)?, Reduction::from_abi(r as u32)?);
    reduction.check_for(loss.name(), &loss)?;
    Ok((loss, reduction))
}

/// Evaluates `loss` (or its gradient when `grad`) on two tensor handles.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn loss_call(kind: u32, params: &[f32], pred: u32, target: u32, grad: bool) -> Result<Tensor> {
    let (loss, reduction) = loss_and_reduction(kind, params)?;
    handles::with(|h| {
        let (p, t) = (h.tensor(pred)?, h.tensor(target)?);
        loss.check(p.dims(), t.dims(), t.data())?;
        if reduction == Reduction::None {
            if grad {
                bail!(loss.name(), "reduction 'none' gives one loss per sample, not one number to differentiate; take the gradient of the per-sample losses with grad");
            }
            let (rows, cols) = rows_cols(p.dims());
            let dims = p.dims().split_last().map_or(&[][..], |(_, lead)| lead);
            let mut out = Tensor::zeros(loss.name(), Shape::new(loss.name(), dims)?)?;
            reduction.per_row(&loss, p.data(), t.data(), rows, cols, out.data_mut());
            return Ok(out);
        }
        let ((rows, cols), k) = (rows_cols(p.dims()), rows_per_sample(p.dims()));
        if grad {
            let mut d = Tensor::zeros(loss.name(), p.shape().clone())?;
            reduction.backward(&loss, p.data(), t.data(), rows, cols, k, d.data_mut());
            Ok(d)
        } else if p.size() == 0 {
            Ok(Tensor::scalar(reduction.of_empty(&loss, p.dims())))
        } else {
            Ok(Tensor::scalar(reduction.forward(&loss, p.data(), t.data(), rows, cols, k)))
        }
    })
}

/// The loss of predictions `pred` against targets `target`: a scalar tensor, or under the
/// reduction `none` (id 2) one loss per row, of `pred`'s shape without its last axis.
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_loss(kind: u32, params: *const f32, n_params: usize, pred: u32, target: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("loss", params, n_params) }?;
        let t = loss_call(kind, &p, pred, target, false)?;
        let (loss, reduction) = loss_and_reduction(kind, &p)?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("loss", t, out, || (Recorded::Loss { loss, reduction }, vec![pred, target])) }
    })
}

/// `d(mean loss)/d(pred)`, a tensor of `pred`'s shape.
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_loss_grad(kind: u32, params: *const f32, n_params: usize, pred: u32, target: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("loss", params, n_params) }?;
        let t = loss_call(kind, &p, pred, target, true)?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("lossGrad", t, out) }
    })
}

/// `regularizers.klSparsity({ target, weight }).apply(x)`: the KL sparsity penalty of a layer
/// output `x` (`[..., units]`, at least one row and unit) as a scalar, recorded on the tape with
/// the backward rule `fit` uses. A weight of 0 gives a constant 0 (nothing recorded).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_kl_sparsity(target: f32, weight: f32, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let reg = KlSparsity::from_abi(target, weight)?;
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| -> Result<Tensor> {
            let x = h.tensor(x)?;
            KlSparsity::units_of(x)?;
            match reg {
                Some(r) => r.apply(x),
                None => Ok(Tensor::scalar(0.0)),
            }
        })?;
        match reg {
            // SAFETY: forwarded caller contract.
            Some(r) => unsafe { emit_rec("klSparsity.apply", y, out, || (Recorded::KlSparsity(r), vec![x])) },
            // A constant, as `scalar(0)`: the result does not depend on x.
            // SAFETY: forwarded caller contract.
            None => unsafe { emit_rec("klSparsity.apply", y, out, || (Recorded::NoGradient { op: "klSparsity.apply" }, Vec::new())) },
        }
    })
}

/// Fresh optimizer state for the variable `param`: a flat tensor of `slots · size` values
/// (zeros, or Adagrad's initial accumulator).
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_optimizer_state(kind: u32, params: *const f32, n_params: usize, param: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("optimizer", params, n_params) }?;
        let opt = Optimizer::from_abi(kind, &p)?;
        let n = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.tensor(param).map(|t| t.size()))?;
        let len = n.checked_mul(opt.slots()).ok_or(neurite_core::Error::OutOfMemory { op: "optimizer", bytes: u64::MAX })?;
        let mut t = Tensor::zeros("optimizer", Shape::new("optimizer", &[len])?)?;
        opt.init_state(t.data_mut());
        // SAFETY: forwarded caller contract.
        unsafe { emit("optimizer", t, out) }
    })
}

/// Validates optimizer options and a clipping mode (0 none, 1 value, 2 norm, 3 global norm)
/// without creating anything, so TS reports bad options when the optimizer is made.
///
/// # Safety
/// `params` points to `n_params` f32s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_optimizer_check(kind: u32, params: *const f32, n_params: usize, clip_mode: u32, clip_value: f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("optimizer", params, n_params) }?;
        Optimizer::from_abi(kind, &p)?;
        Clip::from_abi(clip_mode, clip_value).map(|_| ())
    })
}

/// The learning rate of update number `step` (1-based) under a schedule, written to `out`.
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable f32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_schedule_lr(kind: u32, params: *const f32, n_params: usize, step: u32, out: *mut f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("learningRate", params, n_params) }?;
        let s = LrSchedule::from_abi(kind, &p)?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("learningRate", out, s.lr(u64::from(step))) }
    })
}

/// A model's weight named by `nr_optimizer_apply`: its layer (or nested model) and its index
/// there (as `nr_model_set_weight`).
struct WeightRef {
    node: neurite_core::model::LayerRef,
    index: usize,
}

/// Reads the `n` weight references of `words` (`[model, path length, path…, weight index]`
/// each, in the order of the zero variable handles), resolving each to its layer.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn weight_refs(op: &'static str, words: &[u32], n: usize) -> Result<Vec<WeightRef>> {
    let bad = || neurite_core::Error::invalid(op, "the weight references end early");
    let mut out = Vec::with_capacity(n);
    let mut rest = words;
    for _ in 0..n {
        let (&model, tail) = rest.split_first().ok_or_else(bad)?;
        let (&len, tail) = tail.split_first().ok_or_else(bad)?;
        let len = len as usize;
        if tail.len() <= len {
            return Err(bad());
        }
        let (path, tail) = tail.split_at(len);
        let node = handles::with(|t| super::model::find(op, &t.model(model)?.as_layer(), path))?;
        out.push(WeightRef { node, index: tail[0] as usize });
        rest = &tail[1..];
    }
    if !rest.is_empty() {
        bail!(op, "{} words of weight references are left over", rest.len());
    }
    Ok(out)
}

/// Runs `f` on weight `w` (its layer's weights borrowed for the call). One body for every use
/// (a `dyn` callback, not a copy per closure).
#[inline(never)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn with_weight(op: &'static str, w: &WeightRef, f: &mut dyn FnMut(&mut neurite_core::layers::Param) -> Result<()>) -> Result<()> {
    neurite_core::model::Sequential::with_node_params(&w.node, |ps| {
        let n = ps.len();
        let s = ps.get_mut(w.index).ok_or_else(|| neurite_core::Error::invalid(op, format!("weight index {} is out of range for {n} weights", w.index)))?;
        f(s.param)
    })?
}

/// `opt.update`, called from one place (its body is large: one copy in the module).
#[inline(never)]
fn update(opt: &Optimizer, step: u64, lr: f32, decay: bool, p: &mut [f32], g: &[f32], st: &mut [f32]) {
    opt.update(step, lr, decay, p, g, st);
}

/// One optimizer step on `n_vars` variables, in place. `vars` holds `3·n_vars` handles:
/// `(variable, gradient, state)` per variable, the state from `nr_optimizer_state`. A variable
/// handle 0 is a model's weight, updated in place where the model holds it (no copy out and
/// back): the next reference of `weights` (`n_words` u32), `[model, path length, path…, weight
/// index]` as `nr_model_set_weight` takes them. After its update a weight's constraint, if it
/// has one, is applied (as after `fit`'s), and a weight whose values are restricted (an RBF
/// width > 0) must stay so, else nothing changes.
/// Gradients are clipped (mode 0 none, 1 value, 2 per-gradient norm, 3 global norm), the rate
/// comes from the schedule at `step` (1-based), and everything is validated before anything
/// is written, so a failed call changes nothing. Gradient tensors are never modified. The
/// variables whose indices (in `vars`' order) `no_decay` lists (`n_no_decay` u32) are
/// excluded from the optimizer's weight decay.
///
/// # Safety
/// `params` points to `n_params` f32s, `sched` to `n_sched` f32s, `vars` to `3·n_vars` u32s,
/// `weights` to `n_words` u32s, `no_decay` to `n_no_decay` u32s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_optimizer_apply(
    kind: u32,
    params: *const f32,
    n_params: usize,
    sched_kind: u32,
    sched: *const f32,
    n_sched: usize,
    step: u32,
    clip_mode: u32,
    clip_value: f32,
    vars: *const u32,
    n_vars: usize,
    weights: *const u32,
    n_words: usize,
    no_decay: *const u32,
    n_no_decay: usize,
) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "applyGradients";
        // SAFETY: forwarded caller contract.
        let (p, s) = unsafe { (read_f32s("optimizer", params, n_params)?, read_f32s("learningRate", sched, n_sched)?) };
        let opt = Optimizer::from_abi(kind, &p)?;
        let schedule = LrSchedule::from_abi(sched_kind, &s)?;
        let clip = Clip::from_abi(clip_mode, clip_value)?;
        if step == 0 {
            bail!(OP, "step must be >= 1 (steps are 1-based), got 0");
        }
        if n_vars > crate::handles::MAX_LIVE {
            bail!(OP, "{n_vars} variables is more than the {} live handles there can be", crate::handles::MAX_LIVE);
        }
        // SAFETY: forwarded caller contract (3·n_vars cannot overflow after the check above).
        let ids = unsafe { read_u32s(OP, vars, 3 * n_vars) }?;
        let triples: Vec<[u32; 3]> = ids.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
        // SAFETY: forwarded caller contract.
        let words = unsafe { read_u32s(OP, weights, n_words) }?;
        // SAFETY: forwarded caller contract.
        let excluded = unsafe { read_u32s(OP, no_decay, n_no_decay) }?;
        let decays: Vec<bool> = (0..triples.len()).map(|i| !excluded.contains(&(i as u32))).collect();
        let refs = weight_refs(OP, &words, triples.iter().filter(|t| t[0] == 0).count())?;
        // The weight of each triple (its index in `refs`), in order.
        let mut next = 0;
        let weight_of: Vec<Option<usize>> = triples.iter().map(|t| (t[0] == 0).then(|| (next, next += 1).0)).collect();
        let mut owned: Vec<u32> = triples.iter().flat_map(|t| [t[0], t[2]]).filter(|&x| x != 0).collect();
        neurite_core::sort::heapsort_by(&mut owned, |a, b| a < b);
        if let Some(w) = owned.windows(2).find(|w| w[0] == w[1]) {
            bail!(OP, "handle {:#x} is used twice as a variable or optimizer state; each variable may appear once", w[0]);
        }
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
            // Validate everything and copy the gradients (clipping must not touch the user's,
            // and a gradient may be a variable's own tensor), then give every variable and
            // state its own buffer, all with fallible allocations before the first update:
            // running out of memory is an error that leaves every variable as it was. A
            // model's weight is borrowed once for all of it (and once more for its update).
            let mut grads = Vec::with_capacity(triples.len());
            // Per weight: its address (a weight given twice would be updated twice), its
            // constraint's scratch, and whether its values are restricted.
            let mut prepared: Vec<(usize, Vec<f64>, bool)> = Vec::with_capacity(refs.len());
            for (i, (&[var, grad, state], w)) in triples.iter().zip(&weight_of).enumerate() {
                let (g, st) = (h.tensor(grad)?, h.tensor(state)?);
                let check = |v: &Tensor| -> Result<()> {
                    if g.dims() != v.dims() {
                        bail_shape!(OP, "gradient {i} has shape {} but its variable has shape {}", g.shape(), v.shape());
                    }
                    if g.size() != v.size() || st.size() != opt.slots() * v.size() {
                        opt.check(OP, &format!("variable {i}"), v.size(), g.size(), st.size())?;
                    }
                    Ok(())
                };
                match w {
                    Some(k) => {
                        let mut got = (0, Vec::new(), false);
                        with_weight(OP, &refs[*k], &mut |p| {
                            check(&p.value)?;
                            p.value.try_data_mut(OP)?;
                            if let Some(c) = &p.constraint {
                                c.reserve(OP, p.value.dims(), &mut got.1)?;
                            }
                            (got.0, got.2) = (core::ptr::from_ref(p) as usize, p.domain != neurite_core::layers::Domain::Any);
                            Ok(())
                        })?;
                        prepared.push(got);
                    }
                    None => check(h.tensor(var)?)?,
                }
                if let Some(j) = neurite_core::kernels::finite::first_non_finite(g.data()) {
                    // A diverged step, as fit's refusal: its own status (NonFiniteError in TS).
                    return Err(neurite_core::Error::non_finite(OP, format!("gradient {i} (shape {}) holds {} at index {j}; gradients must be finite", g.shape(), js_number(g.data()[j]))));
                }
                grads.push(copy_of(OP, g.data())?);
            }
            let mut at: Vec<usize> = prepared.iter().map(|p| p.0).collect();
            neurite_core::sort::heapsort_by(&mut at, |a, b| a < b);
            if at.windows(2).any(|w| w[0] == w[1]) {
                bail!(OP, "a model's weight is given twice; each variable may appear once");
            }
            for &[var, _, state] in &triples {
                if var != 0 {
                    h.tensor_mut(var)?.try_data_mut(OP)?;
                }
                h.tensor_mut(state)?.try_data_mut(OP)?;
            }
            if let Some(c) = clip {
                let mut views: Vec<&mut [f32]> = grads.iter_mut().map(|g| &mut g[..]).collect();
                c.apply(&mut views);
            }
            let step = u64::from(step);
            let lr = schedule.lr(step);
            // A weight whose values are restricted is stepped on copies first: a step that
            // leaves its domain is refused before anything changes.
            for ((i, &[_, _, state]), (w, g)) in triples.iter().enumerate().zip(weight_of.iter().zip(&grads)) {
                let Some(k) = w.filter(|&k| prepared[k].2) else { continue };
                with_weight(OP, &refs[k], &mut |p| {
                    let (mut v, mut st) = (copy_of(OP, p.value.data())?, copy_of(OP, h.tensor(state)?.data())?);
                    update(&opt, step, lr, decays[i], &mut v, g, &mut st);
                    if let Some(j) = p.domain.first_outside(&v) {
                        bail!(OP, "the update of variable {i} (`{}`) gives {} at flat index {j}; it must be {}", p.name, js_number(v[j]), p.domain.rule());
                    }
                    Ok(())
                })?;
            }
            for (((&[var, _, state], w), g), &decay) in triples.iter().zip(&weight_of).zip(&grads).zip(&decays) {
                // The state is updated in place: its buffer is its own (just above), so
                // `data_mut` copies nothing.
                let st: *mut [f32] = h.tensor_mut(state)?.data_mut();
                match w {
                    Some(k) => with_weight(OP, &refs[*k], &mut |p| {
                        // SAFETY: `st` is a handle's buffer, uniquely owned (made so above);
                        // the weight's buffer is the model's own (also made so above).
                        update(&opt, step, lr, decay, p.value.data_mut(), g, unsafe { &mut *st });
                        p.constrain(&mut prepared[*k].1);
                        Ok(())
                    })?,
                    None => {
                        let p = h.tensor_mut(var)?.data_mut();
                        // SAFETY: `var` and `state` are different handles (checked above) whose
                        // buffers are each uniquely owned (made so above), so `st` and `p` do
                        // not overlap, and looking up `var` moves no buffer.
                        update(&opt, step, lr, decay, p, g, unsafe { &mut *st });
                    }
                }
            }
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handles::Object;

    fn put(dims: &[usize], v: &[f32]) -> u32 {
        let t = Tensor::new("t", Shape::from(dims), v.to_vec()).unwrap();
        handles::with(|h| h.insert(Object::Tensor(t))).unwrap()
    }

    fn data(h: u32) -> Vec<f32> {
        handles::with(|hs| hs.tensor(h).map(|t| t.data().to_vec())).unwrap()
    }

    #[test]
    fn loss_and_gradient_through_handles() {
        let (p, t) = (put(&[2, 2], &[1.0, 2.0, -1.0, 1.0]), put(&[2, 2], &[0.0, 0.0, 1.0, 1.0]));
        let mut out = 0u32;
        // SAFETY: no params; out is a local.
        assert_eq!(unsafe { nr_loss(0, core::ptr::null(), 0, p, t, &mut out) }, 0);
        assert_eq!(data(out), [2.25]);
        // SAFETY: as above.
        assert_eq!(unsafe { nr_loss_grad(0, core::ptr::null(), 0, p, t, &mut out) }, 0);
        assert_eq!(data(out), [0.5, 1.0, -1.0, 0.0]);
        let bad = put(&[4], &[0.0; 4]);
        // SAFETY: as above.
        assert_ne!(unsafe { nr_loss(0, core::ptr::null(), 0, p, bad, &mut out) }, 0);
    }

    #[test]
    fn sgd_step_in_place_and_atomic_failure() {
        let (v, g) = (put(&[2], &[1.0, 2.0]), put(&[2], &[10.0, 0.0]));
        let mut st = 0u32;
        let params = [0.0f32, 0.0, 0.0];
        // SAFETY: params has 3 floats; st is a local.
        assert_eq!(unsafe { nr_optimizer_state(0, params.as_ptr(), 3, v, &mut st) }, 0);
        let sched = [0.1f32, 0.0];
        let ids = [v, g, st];
        // Clip by value 0.5: p = [1 − 0.05, 2].
        // SAFETY: pointers to locals of the stated lengths.
        let rc = unsafe { nr_optimizer_apply(0, params.as_ptr(), 3, 0, sched.as_ptr(), 2, 1, 1, 0.5, ids.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), 0) };
        assert_eq!(rc, 0);
        assert_eq!(data(v), [0.95, 2.0]);
        assert_eq!(data(g), [10.0, 0.0], "the caller's gradient is untouched");
        // A NaN gradient in the second variable: nothing changes in the first either.
        let (v2, g2) = (put(&[1], &[5.0]), put(&[1], &[f32::NAN]));
        let mut st2 = 0u32;
        // SAFETY: as above.
        assert_eq!(unsafe { nr_optimizer_state(0, params.as_ptr(), 3, v2, &mut st2) }, 0);
        let ids = [v, g, st, v2, g2, st2];
        // SAFETY: as above.
        let rc = unsafe { nr_optimizer_apply(0, params.as_ptr(), 3, 0, sched.as_ptr(), 2, 2, 0, 0.0, ids.as_ptr(), 2, core::ptr::null(), 0, core::ptr::null(), 0) };
        assert_eq!(rc, neurite_core::Status::NonFinite as i32);
        assert_eq!(data(v), [0.95, 2.0]);
        assert!(crate::ffi::LAST_ERROR.as_str().contains("gradient 1 (shape [1]) holds NaN at index 0"));
    }

    /// Adam updates its state in place, as the core rule does, while a tensor that shared the
    /// variable's or the state's buffer keeps the old values; a variable may be its own
    /// gradient.
    #[test]
    fn adam_state_in_place_and_shared_buffers_untouched() {
        let (v, g) = (put(&[3], &[1.0, -2.0, 0.5]), put(&[3], &[0.3, 0.1, -4.0]));
        let params = [0.9f32, 0.999, 1e-7, 0.0, 0.0];
        let mut st = 0u32;
        // SAFETY: params has 5 floats; st is a local.
        assert_eq!(unsafe { nr_optimizer_state(1, params.as_ptr(), 5, v, &mut st) }, 0);
        let sched = [0.01f32, 0.0];
        let apply = |ids: &[u32], step: u32| {
            // SAFETY: pointers to locals of the stated lengths.
            unsafe { nr_optimizer_apply(1, params.as_ptr(), 5, 0, sched.as_ptr(), 2, step, 0, 0.0, ids.as_ptr(), ids.len() / 3, core::ptr::null(), 0, core::ptr::null(), 0) }
        };
        assert_eq!(apply(&[v, g, st], 1), 0);
        // Copies sharing the buffers of the variable and of the state.
        let share = |x: u32| handles::with(|h| {
            let t = h.tensor(x).unwrap().clone();
            h.insert(Object::Tensor(t)).unwrap()
        });
        let (v_then, st_then) = (share(v), share(st));
        let (want_v, want_st) = (data(v), data(st));
        assert_eq!(apply(&[v, g, st], 2), 0);
        let (mut p, mut s) = (want_v.clone(), want_st.clone());
        let (m, vv) = s.split_at_mut(3);
        neurite_core::optim::adam::update(2, 0.01, 0.9, 0.999, 1e-7, &mut p, &data(g), m, vv);
        assert_eq!((data(v), data(st)), (p, s), "the handle API's step is the core rule's");
        assert_eq!((data(v_then), data(st_then)), (want_v, want_st), "tensors that shared the buffers keep their values");
        // A variable as its own gradient (SGD, lr 0.1): p ← 0.9·p.
        let mut st = 0u32;
        let sgd = [0.0f32, 0.0, 0.0];
        let w = put(&[2], &[1.0, -3.0]);
        // SAFETY: as above.
        assert_eq!(unsafe { nr_optimizer_state(0, sgd.as_ptr(), 3, w, &mut st) }, 0);
        let ids = [w, w, st];
        let lr = [0.1f32, 0.0];
        // SAFETY: as above.
        assert_eq!(unsafe { nr_optimizer_apply(0, sgd.as_ptr(), 3, 0, lr.as_ptr(), 2, 1, 0, 0.0, ids.as_ptr(), 1, core::ptr::null(), 0, core::ptr::null(), 0) }, 0);
        assert_eq!(data(w), [0.9, -2.7]);
    }
}
