//! Graph models (the functional API, `model({ inputs, outputs })`): wiring a model's layers,
//! and the output shape of a layer applied to symbolic inputs.

use super::model::read_f32s;
use crate::ffi::{guard, read_u32s, read_u32s_as};
use crate::handles::with_model;
use neurite_core::layers::{self, Init};
use neurite_core::shape::MAX_RANK;
use neurite_core::{Error, Result};

/// Makes `model` a graph model, or rewires one: layer `layer` reads the `n` values `inputs`
/// (0 the model's input, `i + 1` layer `i`'s output; with several inputs, see
/// `nr_model_wire_io`, nodes `0..count` are the inputs and `count + i` layer `i`'s output; only
/// values computed before it). Layers never wired read the previous one. `layer | 1 << 31`:
/// every use of the layer runs with inference behaviour (`apply(x, { training: false })`,
/// `Sequential::hold`). Before `nr_model_build`, which checks that every value but the
/// outputs is read.
///
/// # Safety
/// `inputs` must point to `n` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_wire(model: u32, layer: u32, inputs: *const u32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let ins = unsafe { read_u32s_as("model", inputs, n, |j| j as usize) }?;
        let i = (layer & !(1 << 31)) as usize;
        with_model(model, |m, _| {
            let mut s = m.seq()?;
            s.wire(i, &ins)?;
            if layer >> 31 == 1 {
                s.hold(i)?;
            }
            Ok(())
        })
    })
}

/// A further use of layer `layer` of a graph model, reading the `n` values `inputs` (numbered
/// as `nr_model_wire`'s; the use's own value is the node after every first use and the
/// further uses added before it: `count + layers + j` for the `j`-th). The layer's uses run
/// as one batch (see `neurite_core::model::graph`). Before `nr_model_build`.
///
/// # Safety
/// `inputs` must point to `n` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_wire_use(model: u32, layer: u32, inputs: *const u32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let ins = unsafe { read_u32s_as("model", inputs, n, |j| j as usize) }?;
        with_model(model, |m, _| m.seq()?.wire_use(layer as usize, &ins))
    })
}

/// A graph model with several inputs or outputs: `shapes` holds `[count, (rank, dims…) per
/// input]` (`words` u32 values), the per-sample shape of each input; `outputs` the `n_out`
/// nodes the model outputs (layer outputs, numbered as `nr_model_wire`'s: nodes `0..count` are
/// the inputs, node `count + i` layer `i`'s output). With more than one of either the model
/// reads and writes them packed (`Wiring::set_io`): each sample's values of every input
/// (output) flattened, one after the other, `[batch, Σ sizes]`; its input shape for
/// `nr_model_build` is `[Σ input sizes]`. Call before `nr_model_wire`.
///
/// # Safety
/// `shapes` must point to `words` u32 values and `outputs` to `n_out`.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_wire_io(model: u32, shapes: *const u32, words: usize, outputs: *const u32, n_out: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let w = unsafe { read_u32s("model", shapes, words) }?;
        // SAFETY: forwarded caller contract.
        let outs = unsafe { read_u32s_as("model", outputs, n_out, |j| j as usize) }?;
        let (&count, rest) = w.split_first().ok_or_else(|| Error::invalid("model", "the list of input shapes is empty"))?;
        let sources = split_shapes(rest, count as usize)?;
        with_model(model, |m, _| m.seq()?.set_io(sources, outs))
    })
}

/// Records that tensor `x` packs `count` inputs of these per-sample shapes (`words` u32 at
/// `shapes`: `[count, rank, dims…, rank, dims…]`), for a graph model whose input sizes are
/// unknown (null) until each call: the calls that take `x` set the model for them.
///
/// # Safety
/// `shapes` must point to `words` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tensor_set_parts(x: u32, shapes: *const u32, words: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let w = unsafe { read_u32s("model", shapes, words) }?;
        let (&count, rest) = w.split_first().ok_or_else(|| Error::invalid("model", "the list of input shapes is empty"))?;
        let parts = split_shapes(rest, count as usize)?;
        crate::handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.set_parts(x, parts))
    })
}

/// Writes `[rank, dims…]` of output `q`'s per-sample shape (of the call before, for a model
/// with unknown sizes) to `out` (room for 33 u32).
///
/// # Safety
/// `out` must point to 33 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_output_dims(model: u32, q: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let s = with_model(model, |m, _| {
            let seq = m.seq()?;
            let one = seq.output_shape().map(<[usize]>::to_vec);
            let s = match seq.output_shapes() {
                Some(all) => all.get(q as usize).cloned(),
                None => one.filter(|_| q == 0),
            };
            s.ok_or_else(|| Error::invalid("predict", format!("no output {q}, or the model is not built")))
        })?;
        let mut v = vec![s.len() as u32];
        v.extend(s.iter().map(|&d| d as u32));
        // SAFETY: room for 33 u32 by contract, checked against the region.
        unsafe { crate::ffi::write_slice("predict", out, 1 + MAX_RANK, &v) }
    })
}

/// The mask of `model`'s last forward (`predict`, `apply`) at its output rows (every axis but
/// the last; with several outputs packed per sample, each output's rows one after the other,
/// 1s for an output without one), 1 where a row counts and 0 where it is padding (Keras 3's
/// `_keras_mask`), as a `[rows]` tensor to `out`: empty (`[0]`) when no mask reaches the
/// output. The metrics computed in JS keep the rows it keeps, as the core's do.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_output_mask(model: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let mask = with_model(model, |m, _| Ok(m.seq()?.output_mask().map(<[f32]>::to_vec).unwrap_or_default()))?;
        let t = neurite_core::Tensor::new("metrics", neurite_core::Shape::from([mask.len()]), mask)?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tensor::store("metrics", t, out) }.map(drop)
    })
}

/// Sets the names messages give `model`'s layers (in order) and then its inputs: `n` u32
/// Unicode code points at `names`, each name followed by a 0.
///
/// # Safety
/// `names` must point to `n` u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_names(model: u32, names: *const u32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let w = unsafe { read_u32s("model", names, n) }?;
        let mut list: Vec<String> = w.split(|&c| c == 0).map(|s| s.iter().map(|&c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)).collect()).collect();
        list.pop(); // after the last 0
        with_model(model, |m, _| {
            m.seq()?.set_names(list);
            Ok(())
        })
    })
}

/// The per-sample output shape of a new layer of kind `kind` (parameters as `nr_model_add`)
/// built for `n_inputs` per-sample input shapes, read from `shapes` as `[rank, dims…]` each
/// (`words` u32 values in all); written to `out` as `[rank, dims…]` (room for 33 u32). The
/// layer is built without its initializers and dropped: the shape checks a layer's build runs,
/// where Keras runs them, when the layer is applied to symbolic inputs.
///
/// # Safety
/// `params` must point to `n` f32 values, `shapes` to `words` u32 values and `out` to 33
/// writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_layer_output_shape(kind: u32, params: *const f32, n: usize, n_inputs: u32, shapes: *const u32, words: usize, out: *mut u32) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { layer_shape(kind, params, n, n_inputs, shapes, words, out, false) }
}

/// [`nr_layer_output_shape`] for a layer that was built for other inputs: a new layer of kind
/// `kind` built for the first `n_inputs` shapes of `shapes`, then given the next `n_inputs`
/// (`2·n_inputs` shapes in all, `[rank, dims…]` each): the output shape there, or the error of
/// a layer whose weights do not fit them (see `Layer::resize`). TS checks a layer's reuse at
/// another shape with it, as the core's build will.
///
/// # Safety
/// As [`nr_layer_output_shape`].
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_layer_refit_shape(kind: u32, params: *const f32, n: usize, n_inputs: u32, shapes: *const u32, words: usize, out: *mut u32) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { layer_shape(kind, params, n, n_inputs, shapes, words, out, true) }
}

/// [`nr_layer_output_shape`], and with `refit` [`nr_layer_refit_shape`]: a new layer of kind
/// `kind`, first built for the first `n_inputs` shapes when `refit`, given the (next)
/// `n_inputs`; its output shape there written to `out`.
///
/// # Safety
/// As [`nr_layer_output_shape`].
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn layer_shape(kind: u32, params: *const f32, n: usize, n_inputs: u32, shapes: *const u32, words: usize, out: *mut u32, refit: bool) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("apply", params, n) }?;
        // SAFETY: forwarded caller contract.
        let w = unsafe { read_u32s("apply", shapes, words) }?;
        let n_inputs = n_inputs as usize;
        let mut now = split_shapes(&w, if refit { 2 * n_inputs } else { n_inputs })?;
        let layer = layers::from_abi(kind, &p, 0)?;
        let mut node = layer.try_borrow_mut().map_err(|_| Error::Internal { msg: "apply: the layer is in use".into() })?;
        if refit {
            let was: Vec<Vec<usize>> = now.drain(..n_inputs).collect();
            node.build_many(&was, Init { seed: 0, fill: false })?;
        }
        let s = node.build_many(&now, Init { seed: 0, fill: false })?;
        let mut v = vec![s.len() as u32];
        v.extend(s.iter().map(|&d| d as u32));
        // SAFETY: room for 33 u32 by contract, checked against the region.
        unsafe { crate::ffi::write_slice("apply", out, 1 + MAX_RANK, &v) }
    })
}

/// `count` shapes laid out `[rank, dims…]` one after another, exactly filling `w`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn split_shapes(w: &[u32], count: usize) -> Result<Vec<Vec<usize>>> {
    let mut out = Vec::new();
    let mut at = 0;
    for _ in 0..count {
        let rank = *w.get(at).ok_or_else(|| Error::invalid("apply", "the input shapes end early"))? as usize;
        if rank > MAX_RANK - 1 {
            return Err(Error::invalid("apply", format!("an input of rank {} exceeds the maximum rank {MAX_RANK} (batch included)", rank + 1)));
        }
        let dims = w.get(at + 1..at + 1 + rank).ok_or_else(|| Error::invalid("apply", "the input shapes end early"))?;
        out.push(dims.iter().map(|&d| d as usize).collect());
        at += 1 + rank;
    }
    if at != w.len() {
        return Err(Error::invalid("apply", "the input shapes do not fill the list"));
    }
    Ok(out)
}
