//! Image quality metrics: PSNR and SSIM (`neurite_core::image`).

use super::tensor::emit;
use crate::ffi::guard;
use crate::handles;
use neurite_core::image::{psnr::psnr, ssim::{ssim, SsimConfig}};

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn image_shape(has: u32, h: u32, w: u32) -> Option<[usize; 2]> {
    (has != 0).then_some([h as usize, w as usize])
}

/// PSNR of `a` against `b` per image; `has_shape` selects flat images of `h × w`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_psnr(a: u32, b: u32, max_value: f32, has_shape: u32, h: u32, w: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| psnr(t.tensor(a)?, t.tensor(b)?, max_value, image_shape(has_shape, h, w)))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("psnr", y, out) }
    })
}

/// Mean SSIM of `a` and `b` per image with a Gaussian window; `has_shape` as for `nr_psnr`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_ssim(a: u32, b: u32, max_value: f32, window_size: u32, sigma: f32, k1: f32, k2: f32, has_shape: u32, h: u32, w: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let cfg = SsimConfig { max_value, window_size: window_size as usize, sigma, k1, k2 };
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |t| ssim(t.tensor(a)?, t.tensor(b)?, &cfg, image_shape(has_shape, h, w)))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit("ssim", y, out) }
    })
}
