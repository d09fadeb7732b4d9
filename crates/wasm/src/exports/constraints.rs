//! Weight constraints (`neurite_core::constraints`): set on a layer of a model, or applied to
//! a tensor (`constraint.apply(w)`).

use super::model::{find, read_f32s};
use super::tensor::emit;
use crate::ffi::{guard, read_u32s};
use crate::handles::{self, with_model};
use neurite_core::constraints::Constraint;
use neurite_core::Tensor;

/// Sets the constraint of option `option` (an index of `Constraint::OPTIONS`: which weight)
/// on the layer at `path` in `model` (child indices, as `nr_model_add_shared`): kind `kind`
/// with `n` values (its parameters, then its axes; see `Constraint::from_abi`). The layer
/// applies it after each optimizer update of that weight, in every model that holds it; the
/// axes are checked against the weight's shape when the layer is built (at once if it is).
///
/// # Safety
/// `path` must point to `path_len` u32, `params` to `n` f32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_model_constrain(model: u32, path: *const u32, path_len: usize, option: u32, kind: u32, params: *const f32, n: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let (path, p) = unsafe { (read_u32s("constraint", path, path_len)?, read_f32s("constraint", params, n)?) };
        let c = Constraint::from_abi(kind, &p)?;
        let node = with_model(model, |m, _| find("constraint", &m.as_layer(), &path))?;
        let mut g = neurite_core::model::shared::lock(&node)?;
        g.constrain(option as usize, c)
    })
}

/// `out = constraint(x)`: constraint `kind` with `n` values (as `nr_model_constrain`) applied
/// to tensor `x` (`constraint.apply(w)`). No gradient flows through it (as a weight update).
///
/// # Safety
/// `params` must point to `n` f32; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_constraint_apply(kind: u32, params: *const f32, n: usize, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { read_f32s("apply", params, n) }?;
        let c = Constraint::from_abi(kind, &p)?;
        let mut t: Tensor = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.tensor(x).cloned())?;
        let c = c.resolve("apply", "the constraint", "w", t.dims())?;
        let dims = t.dims().to_vec();
        let mut norms = Vec::new();
        c.reserve("apply", &dims, &mut norms)?;
        c.project(&dims, t.try_data_mut("apply")?, &mut norms);
        // SAFETY: forwarded caller contract.
        unsafe { emit("apply", t, out) }
    })
}
