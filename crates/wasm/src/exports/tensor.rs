//! Tensor lifetime and data transfer.

use crate::ffi::{check_out, guard, read_u32s_as, write_out, write_slice};
use crate::handles::{self, Object};
use neurite_core::{Error, Result, Shape, Tensor};

/// Reads a shape of `rank` dims from `ptr`.
///
/// # Safety
/// `ptr` must point to `rank` readable u32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) unsafe fn read_shape(op: &'static str, ptr: *const u32, rank: usize) -> Result<Shape> {
    if rank > neurite_core::shape::MAX_RANK {
        return Err(Error::invalid(op, format!("rank {rank} exceeds the maximum rank {}", neurite_core::shape::MAX_RANK)));
    }
    // SAFETY: guaranteed by the caller.
    let dims: Vec<usize> = unsafe { read_u32s_as(op, ptr, rank, |d| d as usize) }?;
    Shape::new(op, &dims)
}

/// Stores `t`, writes its handle to `out` and returns it. `out` is checked first, so a
/// failure stores nothing. Not seen by the tape: op exports use [`emit`] or `tape::emit_rec`.
///
/// # Safety
/// `out` must point to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) unsafe fn store(op: &'static str, t: Tensor, out: *mut u32) -> Result<u32> {
    check_out(op, out, 1)?;
    crate::ffi::set_result_info(t.dims());
    let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.insert(Object::Tensor(t)))?;
    crate::ffi::set_result_info_handle(h);
    // SAFETY: checked above; guaranteed by the caller.
    unsafe { out.write(h) };
    Ok(h)
}

/// Stores `t` and writes its handle to `out`. While a tape records, the result is recorded as
/// the output of `op`, an op without a backward rule (see `exports::tape`): exports whose op
/// has a gradient call `tape::emit_rec` instead.
///
/// # Safety
/// `out` must point to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) unsafe fn emit(op: &'static str, t: Tensor, out: *mut u32) -> Result<()> {
    let kept = super::tape::recording().then(|| t.clone());
    // SAFETY: forwarded caller contract.
    let h = unsafe { store(op, t, out) }?;
    if let Some(output) = kept {
        if let Err(e) = super::tape::record_opaque(op, h, output) {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.remove(h));
            return Err(e);
        }
    }
    Ok(())
}

/// Creates a zero tensor of the given shape; writes its handle to `out_handle` and the address
/// of its values to `out_data` so TS can fill them in place (valid until the next call).
///
/// # Safety
/// `shape` points to `rank` u32s; the out-pointers are writable.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tensor_new(shape: *const u32, rank: usize, out_handle: *mut u32, out_data: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "tensor";
        check_out(OP, out_handle, 1)?;
        check_out(OP, out_data, 1)?;
        // SAFETY: forwarded caller contract.
        let shape = unsafe { read_shape(OP, shape, rank) }?;
        let t = Tensor::zeros(OP, shape)?;
        let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.insert(Object::Tensor(t)))?;
        let ptr = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |hs| hs.tensor(h).map(|t| t.data().as_ptr() as usize as u32))?;
        // SAFETY: forwarded caller contract.
        unsafe {
            write_out(OP, out_handle, h)?;
            write_out(OP, out_data, ptr)
        }
    })
}

/// Frees a tensor. A stale handle is an InvalidHandle error, never a double free.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_tensor_free(h: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |hs| hs.remove(h)).map(|_| ()))
}

/// Writes `rank` and then the dims to `out` (room for 1 + 32 u32s).
///
/// # Safety
/// `out` must point to 33 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tensor_shape(h: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let words: Vec<u32> = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |hs| {
            hs.tensor(h).map(|t| core::iter::once(t.rank() as u32).chain(t.dims().iter().map(|&d| d as u32)).collect())
        })?;
        // SAFETY: write_slice checks the 33-word capacity against the region.
        unsafe { write_slice("shape", out, 1 + neurite_core::shape::MAX_RANK, &words) }
    })
}

/// A copy of `x` (values shared copy-on-write). On a recording tape it is the identity, so
/// gradients flow through it (TF.js `clone`).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tensor_clone(x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.tensor(x).cloned())?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tape::emit_rec("clone", t, out, || (neurite_core::autodiff::Recorded::Reshape, vec![x])) }
    })
}

/// `stopGradient(x)` (Keras 3 `ops.stop_gradient`, PyTorch `x.detach()`, TF
/// `tf.stop_gradient`): `x` itself forward (sharing its buffer, as `clone`), recorded as
/// [`Recorded::NoGradient`] so that no gradient flows back through it: its one backward rule is
/// zero. (Central differences would see through it: the output does move with `x`.)
///
/// [`Recorded::NoGradient`]: neurite_core::autodiff::Recorded::NoGradient
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_stop_gradient(x: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.tensor(x).cloned())?;
        // SAFETY: forwarded caller contract.
        unsafe { super::tape::emit_rec("stopGradient", t, out, || (neurite_core::autodiff::Recorded::NoGradient { op: "stopGradient" }, vec![x])) }
    })
}

/// Writes the address of the tensor's values to `out` (valid until the next call).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_tensor_data(h: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let ptr = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |hs| hs.tensor(h).map(|t| t.data().as_ptr() as usize as u32))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("data", out, ptr) }
    })
}

/// Writes `[found, index]` to `out`: 1 and the flat index of the first NaN or ±Infinity in the
/// tensor, or 0 and 0 when every value is finite. `loadModel` checks a file's weights with it
/// once they are in WebAssembly memory (the SIMD search of `kernels::finite`): a loop in JS
/// over the MNIST MLP's 109k weights was a fifth of the whole load.
///
/// # Safety
/// `out` must point to two writable u32 values.
// NOTE: no `optimize(size)`: `first_non_finite` is a kernel and may be inlined here.
#[no_mangle]
pub unsafe extern "C" fn nr_tensor_first_non_finite(h: u32, out: *mut u32) -> i32 {
    guard(|| {
        check_out("firstNonFinite", out, 2)?;
        let at = handles::with(|hs| hs.tensor(h).map(|t| neurite_core::kernels::finite::first_non_finite(t.data())))?;
        // SAFETY: forwarded caller contract, checked for two values above.
        unsafe { write_slice("firstNonFinite", out, 2, &[u32::from(at.is_some()), at.unwrap_or(0) as u32]) }
    })
}

/// Copies the values of `src` into `dst` (same shape), copy-on-write safe: tensors that
/// shared `dst`'s buffer keep their values. Used by `Variable.assign`.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_tensor_assign(dst: u32, src: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| {
            let s = h.tensor(src)?.clone();
            let d = h.tensor_mut(dst)?;
            if d.shape() != s.shape() {
                return Err(Error::shape("assign", format!("the new value has shape {} but the variable has shape {}", s.shape(), d.shape())));
            }
            d.data_mut().copy_from_slice(s.data());
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_finite_finds_the_first_nan_or_infinity() {
        let mut out = [9u32; 2];
        for (values, want) in [(vec![1.0, 2.0, 3.0], [0, 0]), (vec![1.0, f32::INFINITY, f32::NAN], [1, 1]), (vec![], [0, 0]), ((0..1000).map(|i| if i >= 777 { f32::NAN } else { 0.5 }).collect(), [1, 777])] {
            let t = Tensor::new("t", Shape::from([values.len()]), values).unwrap();
            let h = handles::with(|hs| hs.insert(Object::Tensor(t))).unwrap();
            // SAFETY: `out` is a local of two values.
            assert_eq!(unsafe { nr_tensor_first_non_finite(h, out.as_mut_ptr()) }, 0);
            assert_eq!(out, want);
            handles::with(|hs| hs.remove(h)).unwrap();
        }
        // SAFETY: as above; a stale handle is an error, not a read.
        assert_ne!(unsafe { nr_tensor_first_non_finite(0, out.as_mut_ptr()) }, 0);
    }
}
