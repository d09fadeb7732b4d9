//! `ssim`: the structural similarity index of Wang, Bovik, Sheikh & Simoncelli, "Image
//! quality assessment: from error visibility to structural similarity", IEEE TIP 13(4), 2004.
//!
//! # Definition
//! Local statistics are weighted by a Gaussian window `g` (default 11 × 11, σ = 1.5, as in the
//! paper and TF's `tf.image.ssim`), normalised to sum 1 and separable; `c = (size − 1)/2` is
//! its centre. At every position where the window fits inside the image ("valid" filtering,
//! no padding, so the map is `(h − size + 1) × (w − size + 1)`):
//!
//! ```text
//! μx = g∗x, μy = g∗y, σx² = g∗x² − μx², σy² = g∗y² − μy², σxy = g∗(x·y) − μx·μy
//! SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))
//! C1 = (k1·maxValue)², C2 = (k2·maxValue)², k1 = 0.01, k2 = 0.03
//! ```
//!
//! and the SSIM of an image pair is the mean of that map. Everything is computed in f64. This
//! is TF's definition exactly (TF computes the same products per channel; neurite's images
//! are grayscale). `ssim(x, x) = 1`, `ssim(x, y) = ssim(y, x)`, and `ssim ≤ 1`.
//! An image smaller than the window is an error: pass a smaller `windowSize` (e.g. 7 with
//! `sigma` 1 for tiny images).

use super::batch::{images, max_value};
use crate::tensor::{collect_n, try_vec};
use crate::{bail, Result, Tensor};
use crate::error::js_number;

const OP: &str = "ssim";

/// The parameters of SSIM; [`SsimConfig::default`] is Wang et al.'s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SsimConfig {
    /// The dynamic range of the pixels (1 for `[0, 1]` images, 255 for bytes).
    pub max_value: f32,
    /// The side of the square Gaussian window.
    pub window_size: usize,
    /// The standard deviation of the Gaussian window, in pixels.
    pub sigma: f32,
    pub k1: f32,
    pub k2: f32,
}

impl Default for SsimConfig {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn default() -> SsimConfig {
        SsimConfig { max_value: 1.0, window_size: 11, sigma: 1.5, k1: 0.01, k2: 0.03 }
    }
}

/// The normalised 1-D Gaussian window.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn gaussian_window(size: usize, sigma: f64) -> Vec<f64> {
    let c = (size as f64 - 1.0) / 2.0;
    let g: Vec<f64> = (0..size).map(|i| (-((i as f64 - c).powi(2)) / (2.0 * sigma * sigma)).exp()).collect();
    let s: f64 = g.iter().sum();
    g.into_iter().map(|v| v / s).collect()
}

/// Mean SSIM of each image pair (see the module docs); `image_shape` reads flat images.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn ssim(a: &Tensor, b: &Tensor, cfg: &SsimConfig, image_shape: Option<[usize; 2]>) -> Result<Tensor> {
    let max = max_value(OP, cfg.max_value)?;
    let ws = cfg.window_size;
    if ws == 0 {
        bail!(OP, "windowSize must be a positive integer, got 0");
    }
    if !(cfg.sigma.is_finite() && cfg.sigma > 0.0) {
        bail!(OP, "sigma must be a finite number > 0, got {}", js_number(cfg.sigma));
    }
    for (name, k) in [("k1", cfg.k1), ("k2", cfg.k2)] {
        if !(k.is_finite() && k > 0.0) {
            bail!(OP, "{name} must be a finite number > 0, got {}", js_number(k));
        }
    }
    let batch = images(OP, a, b, image_shape)?;
    let (h, w) = (batch.h, batch.w);
    if h < ws || w < ws {
        bail!(OP, "images of {h} × {w} are smaller than the {ws} × {ws} window (shape {}); pass a smaller windowSize", a.shape());
    }
    let g = gaussian_window(ws, f64::from(cfg.sigma));
    let (oh, ow) = (h - ws + 1, w - ws + 1);
    let c1 = (f64::from(cfg.k1) * max).powi(2);
    let c2 = (f64::from(cfg.k2) * max).powi(2);
    // Five maps (x, y, x², y², xy), filtered along rows into `tmp` (h × ow each), then
    // along columns.
    let mut tmp = try_vec(OP, crate::shape::dims_product(OP, &[5, h, ow])?, 0f64)?;
    let mut row = try_vec(OP, 5 * w, 0f64)?;
    let px = h * w;
    let mut out = collect_n(OP, batch.n, core::iter::empty())?;
    for (x, y) in a.data().chunks_exact(px).zip(b.data().chunks_exact(px)) {
        for r in 0..h {
            for c in 0..w {
                let (p, q) = (f64::from(x[r * w + c]), f64::from(y[r * w + c]));
                for (m, v) in [p, q, p * p, q * q, p * q].into_iter().enumerate() {
                    row[m * w + c] = v;
                }
            }
            for m in 0..5 {
                let src = &row[m * w..(m + 1) * w];
                let dst = &mut tmp[(m * h + r) * ow..(m * h + r + 1) * ow];
                for (c, d) in dst.iter_mut().enumerate() {
                    *d = g.iter().zip(&src[c..c + ws]).map(|(gv, s)| gv * s).sum();
                }
            }
        }
        let mut total = 0f64;
        for r in 0..oh {
            for c in 0..ow {
                let mut s = [0f64; 5];
                for (m, sm) in s.iter_mut().enumerate() {
                    *sm = g.iter().enumerate().map(|(t, gv)| gv * tmp[(m * h + r + t) * ow + c]).sum();
                }
                let [mx, my, xx, yy, xy] = s;
                let lum = (2.0 * mx * my + c1) / (mx * mx + my * my + c1);
                let cs = (2.0 * (xy - mx * my) + c2) / (xx + yy - mx * mx - my * my + c2);
                total += lum * cs;
            }
        }
        out.push((total / (oh * ow) as f64) as f32);
    }
    Tensor::new(OP, batch.out, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    fn img(h: usize, w: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2654435761) | 1;
        (0..h * w)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                0.5 + 0.3 * ((i % w) as f32 / w as f32) + 0.2 * (s as f32 / u32::MAX as f32 - 0.5)
            })
            .collect()
    }

    #[test]
    fn window_is_normalised_and_symmetric() {
        let g = gaussian_window(11, 1.5);
        assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!((g[0] - g[10]).abs() < 1e-18 && g[5] > g[4]);
    }

    #[test]
    fn properties() {
        let t = |v: Vec<f32>| Tensor::new("t", Shape::from([16, 20]), v).unwrap();
        let (x, y) = (t(img(16, 20, 1)), t(img(16, 20, 2)));
        let cfg = SsimConfig::default();
        let s = |a: &Tensor, b: &Tensor| ssim(a, b, &cfg, None).unwrap().data()[0];
        assert!((s(&x, &x) - 1.0).abs() < 1e-6);
        assert_eq!(s(&x, &y), s(&y, &x));
        assert!(s(&x, &y) < 0.99);
        // A constant image against itself is 1 too (C1, C2 > 0).
        let c = t(vec![0.3; 320]);
        assert!((s(&c, &c) - 1.0).abs() < 1e-6);
        // A uniform one-pixel window: the map is pointwise luminance only (σ = 0), so two
        // constant images a, b give (2ab + C1)/(a² + b² + C1).
        let one = SsimConfig { window_size: 1, ..cfg };
        let d = t(vec![0.6; 320]);
        let want = (2.0 * 0.3 * 0.6 + 1e-4) / (0.09 + 0.36 + 1e-4);
        assert!((ssim(&c, &d, &one, None).unwrap().data()[0] as f64 - want).abs() < 1e-6);
    }

    #[test]
    fn errors() {
        let z = |d: &[usize]| Tensor::zeros("t", Shape::from(d)).unwrap();
        let cfg = SsimConfig::default();
        assert_eq!(ssim(&z(&[8, 8]), &z(&[8, 8]), &cfg, None).unwrap_err().to_string(), "ssim: images of 8 × 8 are smaller than the 11 × 11 window (shape [8,8]); pass a smaller windowSize");
        assert_eq!(ssim(&z(&[2, 12, 12]), &z(&[12, 12]), &cfg, None).unwrap_err().to_string(), "ssim: a and b must have the same shape, got [2,12,12] and [12,12]");
        let bad = SsimConfig { sigma: 0.0, ..cfg };
        assert_eq!(ssim(&z(&[12, 12]), &z(&[12, 12]), &bad, None).unwrap_err().to_string(), "ssim: sigma must be a finite number > 0, got 0");
        let bad = SsimConfig { k2: -1.0, ..cfg };
        assert_eq!(ssim(&z(&[12, 12]), &z(&[12, 12]), &bad, None).unwrap_err().to_string(), "ssim: k2 must be a finite number > 0, got -1");
        assert_eq!(ssim(&z(&[0, 12, 12]), &z(&[0, 12, 12]), &cfg, None).unwrap().dims(), &[0]);
    }
}
