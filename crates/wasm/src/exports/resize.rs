//! Image resizing ops (TF.js's `tf.image.resizeBilinear` and `resizeNearestNeighbor`; the
//! `upSampling2d` layer runs the same kernels from `model.rs`). Each writes the result's handle
//! to `out`.

use super::tape::emit_rec;
use crate::ffi::guard;
use crate::handles;
use neurite_core::autodiff::Recorded;
use neurite_core::ops::resize::{resize, Resize};

/// Resizes `images` (`[batch, h, w, c]` or `[h, w, c]`) to `new_h × new_w`: bilinear when
/// `bilinear` is 1, else nearest neighbour; `align_corners` and `half_pixel_centers` are 0 or 1
/// (not both 1).
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_resize(images: u32, new_h: u32, new_w: u32, bilinear: u32, align_corners: u32, half_pixel_centers: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let r = Resize { size: [new_h as usize, new_w as usize], bilinear: bilinear != 0, align_corners: align_corners != 0, half_pixel_centers: half_pixel_centers != 0 };
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| resize(h.tensor(images)?, r))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(r.op(), t, out, || (Recorded::Resize(r), vec![images])) }
    })
}
