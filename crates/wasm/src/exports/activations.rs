//! Activation functions as tensor ops, and their vector-Jacobian products.
//!
//! An activation arrives as `(kind, params, n_params)`: the kind id of
//! `neurite_core::activations::Activation::KIND_NAMES` and up to [`MAX_PARAMS`] f32 parameters
//! (missing trailing ones take their defaults). `axis` matters only to softmax and logSoftmax.

use super::tape::emit_rec;
use super::tensor::emit;
use neurite_core::autodiff::Recorded;
use crate::ffi::{self, guard, read_u32s, LAST_ERROR};
use crate::handles;
use neurite_core::activations::{self, prelu, Activation};
use neurite_core::{Error, Result};
use neurite_core::error::js_number;

/// More parameters than any activation takes; a larger count is rejected before reading.
pub const MAX_PARAMS: usize = 8;

/// Reads and validates an activation.
///
/// # Safety
/// `params` must point to `n_params` readable f32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn read_activation(kind: u32, params: *const f32, n_params: usize) -> Result<Activation> {
    if n_params > MAX_PARAMS {
        let name = Activation::KIND_NAMES.get(kind as usize).copied().unwrap_or("activation");
        return Err(Error::invalid(name, format!("{n_params} parameters is more than any activation takes")));
    }
    // SAFETY: forwarded caller contract (f32 and u32 have the same layout).
    let bits = unsafe { read_u32s("activation", params as *const u32, n_params) }?;
    let p: Vec<f32> = bits.into_iter().map(f32::from_bits).collect();
    Activation::from_abi(kind, &p)
}

/// `out = f(x)` for an activation `(kind, params)`; softmax-like kinds normalise along `axis`.
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_activation(kind: u32, params: *const f32, n_params: usize, x: u32, axis: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let act = unsafe { read_activation(kind, params, n_params) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| activations::activation(&act, h.tensor(x)?, i64::from(axis)))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(act.name(), t, out, || (Recorded::Activation { act, axis: axis.into() }, vec![x])) }
    })
}

/// `out = dyᵀ·∂f(x)/∂x` (the gradient of `sum(dy ⊙ f(x))`) for an activation `(kind, params)`.
///
/// # Safety
/// `params` points to `n_params` f32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_activation_grad(
    kind: u32,
    params: *const f32,
    n_params: usize,
    x: u32,
    dy: u32,
    axis: i32,
    out: *mut u32,
) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let act = unsafe { read_activation(kind, params, n_params) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| activations::activation_grad(&act, h.tensor(x)?, h.tensor(dy)?, i64::from(axis)))?;
        // Recorded as activationGrad (no gradient rule): a grad through it names this op, not
        // the activation, whose own rule exists ("tanh has no gradient rule" misled).
        // SAFETY: forwarded caller contract.
        unsafe { emit("activationGrad", t, out) }
    })
}

/// `out = prelu(x, alpha)`, with one slope per unit of the last axis or a shared one.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_prelu(x: u32, alpha: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| prelu::prelu(h.tensor(x)?, h.tensor(alpha)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("prelu", t, out, || (Recorded::PRelu, vec![x, alpha])) }
    })
}

/// The gradients of `sum(dy ⊙ prelu(x, alpha))`: `dx` to `out_dx`, `dalpha` (shaped like
/// `alpha`) to `out_dalpha`. On failure no handle is left behind.
///
/// # Safety
/// `out_dx` and `out_dalpha` must point to writable u32s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_prelu_grad(x: u32, alpha: u32, dy: u32, out_dx: *mut u32, out_dalpha: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (dx, da) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| prelu::prelu_grad(h.tensor(x)?, h.tensor(alpha)?, h.tensor(dy)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("preluGrad", dx, out_dx) }?;
        // SAFETY: out_dx was just written by emit.
        let hdx = unsafe { out_dx.read() };
        // SAFETY: forwarded caller contract.
        if let Err(e) = unsafe { emit("preluGrad", da, out_dalpha) } {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.remove(hdx));
            return Err(e);
        }
        Ok(())
    })
}

/// The parameters of every activation as one flat, checkable list: member `id` is named
/// `"<kind>.<param>=<default>"` (e.g. `"leakyRelu.alpha=0.2"`), in kind order then ABI order.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn param_entry(id: u32) -> Option<String> {
    Activation::KIND_NAMES
        .iter()
        .zip(Activation::PARAMS.iter())
        .flat_map(|(kind, ps)| ps.iter().map(move |p| format!("{kind}.{}={}", p.name, js_number(p.default))))
        .nth(id as usize)
}

/// `nr_enum_name` for the activation parameter list: the name goes to the last-error buffer.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn param_name_status(id: u32) -> i32 {
    match param_entry(id) {
        Some(n) => {
            LAST_ERROR.set(&n);
            0
        }
        None => ffi::fail(Error::invalid("enumName", format!("no activation parameter {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use neurite_core::{Shape, Status, Tensor};

    fn put(dims: &[usize], v: Vec<f32>) -> u32 {
        let t = Tensor::new("t", Shape::from(dims), v).unwrap();
        handles::with(|h| h.insert(handles::Object::Tensor(t))).unwrap()
    }

    fn take(h: u32) -> Vec<f32> {
        let v = handles::with(|hs| hs.tensor(h).map(|t| t.data().to_vec())).unwrap();
        handles::with(|hs| hs.remove(h)).unwrap();
        v
    }

    #[test]
    fn forward_grad_and_errors() {
        let x = put(&[2, 2], vec![-1.0, 2.0, 0.5, -3.0]);
        let mut out = 0u32;
        let alpha = [0.5f32];
        // SAFETY: pointers to locals.
        let code = unsafe { nr_activation(6, alpha.as_ptr(), 1, x, -1, &mut out) };
        assert_eq!(code, 0);
        assert_eq!(take(out), [-0.5, 2.0, 0.5, -1.5]);
        let dy = put(&[2, 2], vec![1.0; 4]);
        // SAFETY: pointers to locals; n_params = 0 means defaults.
        let code = unsafe { nr_activation_grad(5, core::ptr::null(), 0, x, dy, -1, &mut out) };
        assert_eq!(code, 0);
        assert_eq!(take(out), [0.0, 1.0, 1.0, 0.0]);

        // SAFETY: as above.
        let code = unsafe { nr_activation(1, [0.0f32].as_ptr(), 1, x, -1, &mut out) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(LAST_ERROR.as_str(), "stairStep: step must be a finite number > 0, got 0");
        // SAFETY: as above; the count is rejected before anything is read.
        let code = unsafe { nr_activation(0, core::ptr::null(), 1000, x, -1, &mut out) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(LAST_ERROR.as_str(), "linear: 1000 parameters is more than any activation takes");
        // SAFETY: as above.
        let code = unsafe { nr_activation(10, core::ptr::null(), 0, x, 3, &mut out) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(LAST_ERROR.as_str(), "softmax: axis 3 is out of range for a tensor of rank 2 (shape [2,2])");
        handles::with(|h| h.remove(x).and(h.remove(dy))).unwrap();
    }

    #[test]
    fn prelu_grad_returns_two_handles() {
        let x = put(&[2, 2], vec![-1.0, 2.0, -3.0, 4.0]);
        let a = put(&[2], vec![0.1, 0.2]);
        let dy = put(&[2, 2], vec![1.0; 4]);
        let (mut dx, mut da) = (0u32, 0u32);
        // SAFETY: pointers to locals.
        assert_eq!(unsafe { nr_prelu_grad(x, a, dy, &mut dx, &mut da) }, 0);
        assert_eq!(take(dx), [0.1, 1.0, 0.1, 1.0]);
        assert_eq!(take(da), [-4.0, 0.0]);
        handles::with(|h| h.remove(x).and(h.remove(a)).and(h.remove(dy))).unwrap();
    }

    #[test]
    fn parameter_entries_are_listed_in_order() {
        assert_eq!(param_entry(0).as_deref(), Some("linear.slope=1"));
        assert_eq!(param_entry(1).as_deref(), Some("linear.intercept=0"));
        assert_eq!(param_entry(2).as_deref(), Some("stairStep.step=1"));
        let all: Vec<String> = (0..).map_while(param_entry).collect();
        assert!(all.contains(&"leakyRelu.alpha=0.2".to_string()));
        assert!(all.contains(&"elu.alpha=1".to_string()));
        // Appended last (the list is append-only: saved parameter lists keep their meaning).
        assert_eq!(all.last().map(String::as_str), Some("cappedRelu.maxValue=6"));
    }
}
