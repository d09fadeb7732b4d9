//! Autoencoder support: which loss parts a model reports, and a variational encoder's
//! distribution.

use super::tape::{append, emit_rec_fallible, recording};
use crate::ffi::{guard, write_out};
use crate::handles::{self, with_model};
use neurite_core::autodiff::{LayersRecord, Recorded};
use neurite_core::layers::variational::{encode_distribution, DistributionTrail};
use neurite_core::layers::Mode;
use neurite_core::model::shared::{lock, weight_id};
use neurite_core::{Error, Result, Tensor};

const OP: &str = "encodeDistribution";

/// Writes `[has a KL term, has a weight or activity penalty]` (0 or 1 each) to `out`: the
/// parts of the loss that `fit` and `evaluate` report as `kl` and `regularization`.
///
/// # Safety
/// `out` must point to two writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_loss_terms(model: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (kl, reg) = with_model(model, |m, _| m.seq()?.loss_terms())?;
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out("lossTerms", out, kl as u32)?;
            write_out("lossTerms", out.add(1), reg as u32)
        }
    })
}

/// Runs the model at inference up to and including its first variational layer (nested models
/// included) and writes new tensors of that layer's mean and log-variance for `x` to `out[0]`
/// and `out[1]`.
///
/// # Safety
/// `out` must point to two writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_encode_distribution(model: u32, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        crate::ffi::check_out("encodeDistribution", out, 2)?;
        let (mean, log_var, trail) = with_model(model, |m, t| {
            let net = m.as_layer();
            encode_distribution(&mut *m.seq()?, &net, t.tensor(x)?)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_distribution(mean, log_var, out, x, trail) }
    })
}

/// `layer.encodeDistribution(x)`: the mean and log-variance of the variational layer at
/// `path` (child indices through nested models, as `nr_model_add_shared`) inside `model`, for
/// `x`, that layer's input; written as new tensors to `out[0]` and `out[1]`.
///
/// # Safety
/// `path` must point to `path_len` u32; `out` must point to two writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_layer_distribution(model: u32, path: *const u32, path_len: usize, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        crate::ffi::check_out("encodeDistribution", out, 2)?;
        // SAFETY: forwarded caller contract.
        let path = unsafe { crate::ffi::read_u32s("encodeDistribution", path, path_len) }?;
        let (mean, log_var, trail) = crate::handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let layer = super::model::find("encodeDistribution", &t.model(model)?.as_layer(), &path)?;
            let xt = t.tensor(x)?;
            let (mean, log_var) = neurite_core::layers::variational::layer_distribution(&layer, xt)?;
            Ok::<_, Error>((mean, log_var, DistributionTrail { prefixes: Vec::new(), layer, input: xt.clone() }))
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_distribution(mean, log_var, out, x, trail) }
    })
}

/// `layer.klWeight = w`: sets the KL weight `β` of the variational layer at `path` (child
/// indices through nested models, as `nr_model_add_shared`) inside `model`. The layer is one
/// object shared by every model holding it, so each uses `w` from its next forward on (the next
/// training step, `evaluate`). InvalidArgument when `w` is not a finite number >= 0 (the message
/// names it) or the layer at `path` is not variational; `β` is then unchanged.
///
/// # Safety
/// `path` must point to `path_len` u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_set_kl_weight(model: u32, path: *const u32, path_len: usize, w: f32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let path = unsafe { crate::ffi::read_u32s("klWeight", path, path_len) }?;
        let node = with_model(model, |m, _| super::model::find("klWeight", &m.as_layer(), &path))?;
        neurite_core::layers::variational::set_kl_weight(&node, w)
    })
}

/// Emits the mean and log-variance to `out[0..2]`; if the second fails, the first is freed.
/// While a tape records, records what `trail` says ran from input handle `x`: the layers
/// before the variational layer as inference ([`Recorded::Layers`], intermediate values under
/// reserved ids), then each head as an [`Recorded::Affine`] of the layer's input and its
/// weights, so that a loss on the distribution (a VAE's KL in a custom loop) reaches the input
/// and the weights.
///
/// # Safety
/// `out` must point to two writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn emit_distribution(mean: Tensor, log_var: Tensor, out: *mut u32, x: u32, trail: DistributionTrail) -> Result<()> {
    let heads = if recording() { Some(record_prefixes(x, &trail)?) } else { None };
    let head = |k: usize| -> Result<(Recorded, Vec<u32>, Vec<(u64, Tensor)>)> {
        let (input_id, weights) = heads.as_ref().ok_or_else(|| Error::Internal { msg: "encodeDistribution: no record".into() })?;
        Ok((Recorded::Affine, Vec::new(), vec![(*input_id, trail.input.clone()), weights[2 * k].clone(), weights[2 * k + 1].clone()]))
    };
    // SAFETY: forwarded caller contract.
    unsafe {
        emit_rec_fallible(OP, mean, out, || head(0))?;
        if let Err(e) = emit_rec_fallible(OP, log_var, out.add(1), || head(1)) {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.remove(*out));
            return Err(e);
        }
    }
    Ok(())
}

/// Records the layers before the variational layer (see [`emit_distribution`]); returns the
/// tape id of the variational layer's input and its four weights with their ids.
#[inline(never)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn record_prefixes(x: u32, trail: &DistributionTrail) -> Result<(u64, Vec<(u64, Tensor)>)> {
    let mut id = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.id(x))?;
    for (k, (net, end, input)) in trail.prefixes.iter().enumerate() {
        if *end == 0 {
            continue;
        }
        let output = trail.prefixes.get(k + 1).map_or(&trail.input, |p| &p.2).clone();
        let (record, weights) = LayersRecord::of(OP, net.clone(), 0..*end, Mode::Trace, None)?;
        let out_id = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.reserve_id());
        let mut inputs = vec![(id, input.clone())];
        inputs.extend(weights);
        append(record, inputs, (out_id, output));
        id = out_id;
    }
    let node = lock(&trail.layer)?;
    let weights = node.layer().params().into_iter().enumerate().map(|(i, p)| (weight_id(&trail.layer, i), p.value.clone())).collect::<Vec<_>>();
    if weights.len() != 4 {
        return Err(Error::Internal { msg: "encodeDistribution: a variational layer without its four weights".into() });
    }
    Ok((id, weights))
}
