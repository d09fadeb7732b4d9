//! Per-feature normalization kernels (batch normalization) over one row of `c` features:
//! every slice has the row's length, and feature `j` of the row uses `m[j]`, `s[j]`, … No
//! allocation, no validation.
//!
//! Each kernel states its expression with the order of its roundings; the simd128 twins in
//! `simd128_norm.rs` evaluate the same expression 4 features at a time (separate `mul` and
//! `add`, never fused), so they give the same bits as the scalar reference below.
//!
//! ```
//! use neurite_core::kernels::norm::normalize;
//! let (mut x, mut h) = ([3.0f32, 5.0], [0.0f32; 2]);
//! normalize(&mut x, Some(&mut h), &[1.0, 1.0], &[0.5, 0.25], &[2.0, 1.0], &[0.0, 1.0]);
//! assert_eq!((h, x), ([1.0, 1.0], [2.0, 2.0]));
//! ```

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::simd128_norm as imp;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use scalar as imp;

/// Training's forward: `h = (x − m)·s`, then `x ← g·h + b`; `h` is written when given.
pub fn normalize(x: &mut [f32], h: Option<&mut [f32]>, m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
    imp::normalize(x, h, m, s, g, b)
}

/// Inference's forward: `x ← ((g·(x − m))·s) + b`.
pub fn normalize_inference(x: &mut [f32], m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
    imp::normalize_inference(x, m, s, g, b)
}

/// `h = (x − m)·s`.
pub fn standardize(h: &mut [f32], x: &[f32], m: &[f32], s: &[f32]) {
    imp::standardize(h, x, m, s)
}

/// `acc += a·b`.
pub fn acc_dot(acc: &mut [f32], a: &[f32], b: &[f32]) {
    imp::acc_dot(acc, a, b)
}

/// Training's dx: `o = k·(((n·d) − sd) − (h·sdh))`.
pub fn input_grad(o: &mut [f32], d: &[f32], h: &[f32], k: &[f32], n: f32, sd: &[f32], sdh: &[f32]) {
    imp::input_grad(o, d, h, k, n, sd, sdh)
}

/// The scalar reference kernels; each has the signature of its public dispatcher.
pub mod scalar {
    /// See [`super::normalize`].
    pub fn normalize(x: &mut [f32], h: Option<&mut [f32]>, m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
        match h {
            Some(h) => {
                for (j, (x, h)) in x.iter_mut().zip(h).enumerate() {
                    *h = (*x - m[j]) * s[j];
                    *x = g[j] * *h + b[j];
                }
            }
            None => {
                for (j, x) in x.iter_mut().enumerate() {
                    *x = g[j] * ((*x - m[j]) * s[j]) + b[j];
                }
            }
        }
    }

    /// See [`super::normalize_inference`].
    pub fn normalize_inference(x: &mut [f32], m: &[f32], s: &[f32], g: &[f32], b: &[f32]) {
        for (j, x) in x.iter_mut().enumerate() {
            *x = g[j] * (*x - m[j]) * s[j] + b[j];
        }
    }

    /// See [`super::standardize`].
    pub fn standardize(h: &mut [f32], x: &[f32], m: &[f32], s: &[f32]) {
        for (j, (h, &x)) in h.iter_mut().zip(x).enumerate() {
            *h = (x - m[j]) * s[j];
        }
    }

    /// See [`super::acc_dot`].
    pub fn acc_dot(acc: &mut [f32], a: &[f32], b: &[f32]) {
        for ((acc, &a), &b) in acc.iter_mut().zip(a).zip(b) {
            *acc += a * b;
        }
    }

    /// See [`super::input_grad`].
    pub fn input_grad(o: &mut [f32], d: &[f32], h: &[f32], k: &[f32], n: f32, sd: &[f32], sdh: &[f32]) {
        for (j, o) in o.iter_mut().enumerate() {
            *o = k[j] * (n * d[j] - sd[j] - h[j] * sdh[j]);
        }
    }
}
