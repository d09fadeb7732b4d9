//! Seeded random tensors. The u64 seed arrives as two u32 words (`seed_lo`, `seed_hi`); the
//! `stream` separates independent sequences under one seed (see `neurite_core::rng`).

use super::tensor::{emit, read_shape};
use crate::ffi::guard;
use neurite_core::ops::random;
use neurite_core::{Result, Shape, Tensor};

/// Joins the two seed words.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn seed_of(lo: u32, hi: u32) -> u64 {
    u64::from(lo) | (u64::from(hi) << 32)
}

/// The body shared by the three exports: read the shape, draw, store the result.
///
/// # Safety
/// `shape` points to `rank` u32s; `out` to a writable u32.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn draw(op: &'static str, shape: *const u32, rank: usize, out: *mut u32, f: impl FnOnce(Shape) -> Result<Tensor>) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        // SAFETY: forwarded caller contract.
        let shape = unsafe { read_shape(op, shape, rank) }?;
        let t = f(shape)?;
        // SAFETY: forwarded caller contract.
        unsafe { emit(op, t, out) }
    })
}

/// A tensor of `rank` dims read from `shape`, uniform in `[min, max)`.
///
/// # Safety
/// `shape` points to `rank` u32s; `out` to a writable u32.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_random_uniform(shape: *const u32, rank: usize, min: f32, max: f32, seed_lo: u32, seed_hi: u32, stream: u32, out: *mut u32) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { draw("randomUniform", shape, rank, out, |s| random::random_uniform(s, min, max, seed_of(seed_lo, seed_hi), stream)) }
}

/// A tensor of `rank` dims read from `shape`, normal with `mean` and `stddev`.
///
/// # Safety
/// `shape` points to `rank` u32s; `out` to a writable u32.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_random_normal(shape: *const u32, rank: usize, mean: f32, stddev: f32, seed_lo: u32, seed_hi: u32, stream: u32, out: *mut u32) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { draw("randomNormal", shape, rank, out, |s| random::random_normal(s, mean, stddev, seed_of(seed_lo, seed_hi), stream)) }
}

/// A tensor of `rank` dims read from `shape`, normal with `mean` and `stddev`, re-drawn beyond
/// two standard deviations.
///
/// # Safety
/// `shape` points to `rank` u32s; `out` to a writable u32.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_truncated_normal(shape: *const u32, rank: usize, mean: f32, stddev: f32, seed_lo: u32, seed_hi: u32, stream: u32, out: *mut u32) -> i32 {
    // SAFETY: forwarded caller contract.
    unsafe { draw("truncatedNormal", shape, rank, out, |s| random::truncated_normal(s, mean, stddev, seed_of(seed_lo, seed_hi), stream)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handles;
    use neurite_core::Status;

    #[test]
    fn seed_words_join_low_first() {
        assert_eq!(seed_of(1, 0), 1);
        assert_eq!(seed_of(0, 1), 1 << 32);
        assert_eq!(seed_of(u32::MAX, 0x1f_ffff), (1u64 << 53) - 1);
    }

    #[test]
    fn creates_a_tensor_and_reports_bad_options() {
        let dims = [2u32, 3];
        let mut h = 0u32;
        // SAFETY: valid pointers to locals.
        let code = unsafe { nr_random_normal(dims.as_ptr(), 2, 0.0, 1.0, 42, 0, 0, &mut h) };
        assert_eq!(code, 0);
        let data = handles::with(|hs| hs.tensor(h).map(|t| t.data().to_vec())).unwrap();
        let want = random::random_normal(neurite_core::Shape::from([6]), 0.0, 1.0, 42, 0).unwrap();
        assert_eq!(data, want.data());
        assert!(handles::with(|hs| hs.remove(h)).is_ok());
        // SAFETY: valid pointers to locals.
        let code = unsafe { nr_random_uniform(dims.as_ptr(), 2, 1.0, 0.0, 0, 0, 0, &mut h) };
        assert_eq!(code, Status::InvalidArgument as i32);
        assert_eq!(crate::ffi::LAST_ERROR.as_str(), "randomUniform: min (1) must be less than max (0)");
    }
}
