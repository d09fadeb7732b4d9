//! `tf.linalg`'s ops: `qr` (two outputs, no gradient, as TF.js) and `bandPart`. The math lives
//! in `neurite_core::linalg`.

use super::tape::emit_rec;
use super::tensor::emit;
use crate::ffi::guard;
use crate::handles;
use neurite_core::autodiff::Recorded;
use neurite_core::linalg::{band_part, qr};

/// `Q` and `R` of `x` (`full != 0`: TF.js's `fullMatrices`). Both outputs are recorded on the
/// tape as an op without a backward rule: a gradient through them is an error naming
/// `linalg.qr` (TF.js has no gradient for qr either).
///
/// # Safety
/// `out_q` and `out_r` must point to writable u32s.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_linalg_qr(x: u32, full: u32, out_q: *mut u32, out_r: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        crate::ffi::check_out("linalg.qr", out_r, 1)?;
        let (q, r) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| qr::qr(h.tensor(x)?, full != 0))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("linalg.qr", q, out_q) }?;
        // SAFETY: out_q was just written.
        let hq = unsafe { out_q.read() };
        // SAFETY: forwarded caller contract.
        if let Err(e) = unsafe { emit("linalg.qr", r, out_r) } {
            let _ = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| h.remove(hq));
            return Err(e);
        }
        Ok(())
    })
}

/// `linalg.bandPart(x, num_lower, num_upper)` (negative: keep the whole triangle).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_linalg_band_part(x: u32, num_lower: i32, num_upper: i32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (lower, upper) = (i64::from(num_lower), i64::from(num_upper));
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| band_part::band_part(h.tensor(x)?, lower, upper))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("linalg.bandPart", t, out, || (Recorded::BandPart { lower, upper }, vec![x])) }
    })
}
