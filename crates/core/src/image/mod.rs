//! Image quality metrics for grayscale images: PSNR and SSIM, computed in f64. Shared by the
//! denoising example (issue 9) and the codecs (issue 10).
//!
//! Both take two tensors of the same shape: one image `[h, w]` (the result is a scalar), a
//! batch `[n, h, w]` (the result is `[n]`, one value per image), or — with an explicit
//! `image_shape = [h, w]` — flat images `[h·w]` (scalar) or `[n, h·w]` (`[n]`), the layout of
//! MNIST rows.

pub mod batch;
pub mod psnr;
pub mod ssim;
