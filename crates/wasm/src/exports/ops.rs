//! Element-wise, reduction and matrix ops. Each writes the result's handle to `out`.

use super::tape::emit_rec;
use neurite_core::autodiff::Recorded;
use crate::ffi::{guard, read_i64s};
use crate::handles;
use neurite_core::ops::{binary, clip, matmul, reduce, select, transpose, unary};
use neurite_core::Error;

/// `out = op(x)` for a [`unary::UnaryOp`] id.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_unary(op: u32, x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = unary::UnaryOp::from_id(op).ok_or_else(|| Error::invalid("unary", format!("unknown op id {op}")))?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| unary::unary(op, h.tensor(x)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(op.name(), t, out, || (Recorded::Unary(op), vec![x])) }
    })
}

/// `out = op(a, b)` with broadcasting, for a [`binary::BinaryOp`] id.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_binary(op: u32, a: u32, b: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = binary::BinaryOp::from_id(op).ok_or_else(|| Error::invalid("binary", format!("unknown op id {op}")))?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| binary::binary(op, h.tensor(a)?, h.tensor(b)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(op.name(), t, out, || (Recorded::Binary(op), vec![a, b])) }
    })
}

/// `out = clipByValue(x, min, max)`. The bounds come as f64 so they are checked as given.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_clip(x: u32, min: f64, max: f64, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| clip::clip_by_value(h.tensor(x)?, min, max))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("clipByValue", t, out, || (Recorded::Clip { min, max }, vec![x])) }
    })
}

/// `out = where(condition, a, b)`: `a` where `condition != 0`, else `b`, all three broadcast.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_where(condition: u32, a: u32, b: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| select::select(h.tensor(condition)?, h.tensor(a)?, h.tensor(b)?))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("where", t, out, || (Recorded::Where, vec![condition, a, b])) }
    })
}

/// Reduces `x` over `n_axes` axes read from `axes`, for a [`reduce::ReduceOp`] id.
///
/// # Safety
/// `axes` points to `n_axes` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_reduce(op: u32, x: u32, axes: *const i32, n_axes: usize, keep_dims: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = reduce::ReduceOp::from_id(op).ok_or_else(|| Error::invalid("reduce", format!("unknown op id {op}")))?;
        // SAFETY: forwarded caller contract.
        let axes: Vec<i64> = unsafe { read_i64s(op.name(), axes, n_axes) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| reduce::reduce(op, h.tensor(x)?, &axes, keep_dims != 0))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(op.name(), t, out, || (Recorded::Reduce { op, axes, keep_dims: keep_dims != 0 }, vec![x])) }
    })
}

/// `out = op(a)·op(b)`, batched.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_matmul(a: u32, b: u32, transpose_a: u32, transpose_b: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| matmul::matmul(h.tensor(a)?, h.tensor(b)?, transpose_a != 0, transpose_b != 0))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("matMul", t, out, || (Recorded::MatMul { transpose_a: transpose_a != 0, transpose_b: transpose_b != 0 }, vec![a, b])) }
    })
}

/// Permutes dims; `has_perm == 0` means "reverse the dims".
///
/// # Safety
/// `perm` points to `n_perm` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_transpose(x: u32, perm: *const i32, n_perm: usize, has_perm: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let perm: Vec<i64> = unsafe { read_i64s("transpose", perm, n_perm) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| transpose::transpose(h.tensor(x)?, (has_perm != 0).then_some(&perm[..])))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("transpose", t, out, || (Recorded::Transpose { perm: (has_perm != 0).then_some(perm) }, vec![x])) }
    })
}

/// Reshapes `x` to `rank` dims read from `shape` (as i32; one may be -1).
///
/// # Safety
/// `shape` points to `rank` i32s; `out` to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_reshape(x: u32, shape: *const i32, rank: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let dims: Vec<i64> = unsafe { read_i64s("reshape", shape, rank) }?;
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| neurite_core::ops::reshape::reshape(h.tensor(x)?, &dims))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("reshape", t, out, || (Recorded::Reshape, vec![x])) }
    })
}
