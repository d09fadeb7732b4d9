//! Principal component analysis: a handle of its own, like the perceptron. The math lives in
//! `neurite_core::decomposition`.

use super::tensor::emit;
use crate::ffi::{guard, write_out, write_slice};
use crate::handles::{self, Object};
use neurite_core::decomposition::pca::{Pca, PcaConfig, PcaPart};

/// Creates an unfitted PCA keeping `components` components (whitened when `whiten != 0`).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_pca_new(components: u32, whiten: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let p = Pca::new(PcaConfig { components: components as usize, whiten: whiten != 0 })?;
        crate::ffi::check_out("pca", out, 1)?; // before storing: a failed call stores nothing
        let h = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.insert(Object::Pca(Box::new(p))))?;
        // SAFETY: forwarded caller contract.
        unsafe { write_out("pca", out, h) }
    })
}

/// Fits the PCA to `x: [n, d]`; on failure the previous fit is kept.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_pca_fit(p: u32, x: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let xt = t.tensor(x)?.clone();
            t.pca_mut(p)?.fit(&xt)
        })
    })
}

/// A fitted part as a new tensor: 0 components `[k, d]`, 1 mean `[d]`, 2 explained variance
/// `[k]`, 3 explained variance ratio `[k]`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_pca_get(p: u32, part: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let part = PcaPart::from_abi(part)?;
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| t.pca_mut(p)?.get(part))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("pca", y, out) }
    })
}

/// Checks the argument of `transform` (`inverse == 0`) or `inverseTransform` (`inverse != 0`)
/// as they do (shape, finite values), without computing: TS composes the two maps from tensor
/// ops after it (float32 matmul kernels, differentiable on the tape).
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_pca_check(p: u32, x: u32, inverse: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let xt = t.tensor(x)?.clone();
            t.pca_mut(p)?.check_input(&xt, inverse != 0).map(|_| ())
        })
    })
}

/// A fitted part in f64 (the ids of `nr_pca_get`), written to `out` with room for `cap`
/// values: the explained variances can lie beyond float32's range or in its subnormals.
///
/// # Safety
/// `out` must point to `cap` writable f64s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_pca_get_f64(p: u32, part: u32, out: *mut f64, cap: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let part = PcaPart::from_abi(part)?;
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            let v = t.pca_mut(p)?.get_f64(part)?;
            // SAFETY: forwarded caller contract.
            unsafe { write_slice("pca", out, cap, v) }
        })
    })
}

/// Frees a PCA.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_pca_free(p: u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| {
            t.pca_mut(p)?;
            t.remove(p).map(|_| ())
        })
    })
}
