//! The two passes of bilinear resizing (`ops/resize.rs`), in f64 as TF.js's CPU kernel
//! computes (so the outputs keep its bits): a row of pixels blended along its columns, then two
//! such rows blended into a row of the output. No allocation, no validation.
//!
//! - [`lerp_cols`]: `out[o·c + k] = a + (b − a)·fx` with `a = row[x0·c + k]`, `b = row[x1·c + k]`
//!   (as f64) for each output column `o` reading `(x0, x1, fx)`;
//! - [`lerp_rows`]: `out[i] = f32(t + (b − t)·f)` with `t = top[i]`, `b = bottom[i]`.
//!
//! Each is one rounding per subtraction, product and sum (never fused); the simd128 twins in
//! `simd128_lerp.rs` evaluate the same expressions two f64 lanes at a time, so they give the
//! same bits as the scalar reference below.
//!
//! ```
//! use neurite_core::kernels::lerp::{lerp_cols, lerp_rows};
//! let mut h = [0.0f64; 3];
//! lerp_cols(&[0.0, 10.0], &[(0, 0, 0.0), (0, 1, 0.5), (1, 1, 0.0)], 1, &mut h);
//! let mut y = [0.0f32; 3];
//! lerp_rows(&h, &[2.0, 2.0, 2.0], 0.5, &mut y);
//! assert_eq!((h, y), ([0.0, 5.0, 10.0], [1.0, 3.5, 6.0]));
//! ```

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_lerp as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// The blend of one input row `row` (`c` values per pixel) along its columns: output column
/// `o` (`out[o·c..][..c]`) reads pixels `x0` and `x1` with weight `fx` on `x1`.
/// `out.len()` must be `cols.len()·c` and every `x1·c + c ≤ row.len()`.
#[inline(never)]
pub fn lerp_cols(row: &[f32], cols: &[(usize, usize, f64)], c: usize, out: &mut [f64]) {
    imp::lerp_cols(row, cols, c, out)
}

/// The blend of two blended rows with weight `f` on `bottom`, rounded to f32.
#[inline(never)]
pub fn lerp_rows(top: &[f64], bottom: &[f64], f: f64, out: &mut [f32]) {
    imp::lerp_rows(top, bottom, f, out)
}

/// The scalar reference kernels; each has the signature of its public dispatcher.
pub mod scalar {
    /// See [`super::lerp_cols`].
    pub fn lerp_cols(row: &[f32], cols: &[(usize, usize, f64)], c: usize, out: &mut [f64]) {
        for (out, &(x0, x1, fx)) in out.chunks_exact_mut(c).zip(cols) {
            let (a, b) = (&row[x0 * c..][..c], &row[x1 * c..][..c]);
            for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
                let a = a as f64;
                *o = a + (b as f64 - a) * fx;
            }
        }
    }

    /// See [`super::lerp_rows`].
    pub fn lerp_rows(top: &[f64], bottom: &[f64], f: f64, out: &mut [f32]) {
        for ((o, &t), &b) in out.iter_mut().zip(top).zip(bottom) {
            *o = (t + (b - t) * f) as f32;
        }
    }
}
