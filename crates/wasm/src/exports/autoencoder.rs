//! Autoencoder support: which loss parts a model reports, and a variational encoder's
//! distribution.

use super::tensor::emit;
use crate::ffi::{guard, write_out};
use crate::handles::with_model;
use neurite_core::layers::variational::encode_distribution;

/// Writes `[has a KL term, has a weight or activity penalty]` (0 or 1 each) to `out`: the
/// parts of the loss that `fit` and `evaluate` report as `kl` and `regularization`.
///
/// # Safety
/// `out` must point to two writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_loss_terms(model: u32, out: *mut u32) -> i32 {
    guard(|| {
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
    guard(|| {
        crate::ffi::check_out("encodeDistribution", out, 2)?;
        let (mean, log_var) = with_model(model, |m, t| encode_distribution(&mut *m.seq()?, t.tensor(x)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_pair(mean, log_var, out) }
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
    guard(|| {
        crate::ffi::check_out("encodeDistribution", out, 2)?;
        // SAFETY: forwarded caller contract.
        let path = unsafe { crate::ffi::read_u32s("encodeDistribution", path, path_len) }?;
        let (mean, log_var) = crate::handles::with(|t| {
            let layer = super::model::find("encodeDistribution", &t.model(model)?.as_layer(), &path)?;
            neurite_core::layers::variational::layer_distribution(&layer, t.tensor(x)?)
        })?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_pair(mean, log_var, out) }
    })
}

/// Emits two tensors to `out[0..2]`; if the second fails, the first is freed.
///
/// # Safety
/// `out` must point to two writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn emit_pair(a: neurite_core::Tensor, b: neurite_core::Tensor, out: *mut u32) -> neurite_core::Result<()> {
    // SAFETY: forwarded caller contract.
    unsafe {
        emit("encodeDistribution", a, out)?;
        if let Err(e) = emit("encodeDistribution", b, out.add(1)) {
            let _ = crate::handles::with(|t| t.remove(*out));
            return Err(e);
        }
    }
    Ok(())
}
