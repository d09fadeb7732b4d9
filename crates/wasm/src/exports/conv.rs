//! Convolution and pooling ops on tensors (TF.js's `conv2d`, `depthwiseConv2d`, `conv2dTranspose`, `maxPool`, `avgPool`; the layers
//! of the same names are in `model.rs`). Each writes the result's handle to `out`.

use super::tape::emit_rec;
use crate::ffi::guard;
use crate::handles;
use neurite_core::autodiff::Recorded;
use neurite_core::ops::window::Window;
use neurite_core::ops::{conv, depthwise, pool};

/// The window of a filter op from its ABI arguments; the size is the filter's, which the op
/// checks the window with once it has the filter.
fn filter_window(stride_h: u32, stride_w: u32, dilation_h: u32, dilation_w: u32, same: u32) -> Window {
    Window { size: [1, 1], strides: [stride_h as usize, stride_w as usize], dilation: [dilation_h as usize, dilation_w as usize], same: same != 0 }
}

/// `conv2d(x, filter)`: `x` `[batch, h, w, in]` or `[h, w, in]`, `filter` `[kh, kw, in, out]`;
/// strides and dilation per axis (positive), `same` 1 for `'same'` padding, 0 for `'valid'`.
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_conv2d(x: u32, filter: u32, stride_h: u32, stride_w: u32, dilation_h: u32, dilation_w: u32, same: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let win = filter_window(stride_h, stride_w, dilation_h, dilation_w, same);
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| conv::conv2d(h.tensor(x)?, h.tensor(filter)?, win))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("conv2d", t, out, || (Recorded::Conv2d { win }, vec![x, filter])) }
    })
}

/// `depthwiseConv2d(x, filter)`: `x` `[batch, h, w, c]` or `[h, w, c]`, `filter`
/// `[kh, kw, c, multiplier]`; strides, dilation and `same` as in [`nr_conv2d`].
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_depthwise_conv2d(x: u32, filter: u32, stride_h: u32, stride_w: u32, dilation_h: u32, dilation_w: u32, same: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let win = filter_window(stride_h, stride_w, dilation_h, dilation_w, same);
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| depthwise::depthwise_conv2d(h.tensor(x)?, h.tensor(filter)?, win))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("depthwiseConv2d", t, out, || (Recorded::DepthwiseConv2d { win }, vec![x, filter])) }
    })
}

/// `conv2dTranspose(x, filter)`: `x` `[batch, h, w, in]` or `[h, w, in]`, `filter`
/// `[kh, kw, out, in]`, each output image `out_h × out_w × out_c`; strides and `same` as in
/// [`nr_conv2d`].
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_conv2d_transpose(x: u32, filter: u32, out_h: u32, out_w: u32, out_c: u32, stride_h: u32, stride_w: u32, same: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let win = Window { size: [1, 1], strides: [stride_h as usize, stride_w as usize], dilation: [1, 1], same: same != 0 };
        let shape = [out_h as usize, out_w as usize, out_c as usize];
        let t = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| conv::conv2d_transpose(h.tensor(x)?, h.tensor(filter)?, shape, win))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("conv2dTranspose", t, out, || (Recorded::Conv2dTranspose { win, out: shape }, vec![x, filter])) }
    })
}

/// `maxPool` (`max` 1) or `avgPool` (0) of `x` `[batch, h, w, c]` or `[h, w, c]` over a
/// `size_h × size_w` window with the given strides; `same` as in [`nr_conv2d`].
///
/// # Safety
/// `out` must point to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_pool2d(x: u32, max: u32, size_h: u32, size_w: u32, stride_h: u32, stride_w: u32, same: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = if max != 0 { "maxPool" } else { "avgPool" };
        let win = Window { size: [size_h as usize, size_w as usize], strides: [stride_h as usize, stride_w as usize], dilation: [1, 1], same: same != 0 };
        let keep = super::tape::recording();
        let (t, arg) = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| pool::pool2d(op, h.tensor(x)?, max != 0, win, keep))?;
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec(op, t, out, || (Recorded::Pool2d { op, max: max != 0, win, arg }, vec![x])) }
    })
}
