//! `psnr`: peak signal-to-noise ratio, `10·log₁₀(maxValue² / MSE)` in decibels, per image.
//!
//! `MSE` is the mean of `(a − b)²` over the pixels of one image, accumulated in f64. Identical
//! images have `MSE = 0` and a PSNR of `+Infinity` (as in TF's `tf.image.psnr` and
//! scikit-image). Layouts: see [`super`].

use super::batch::{images, max_value};
use crate::tensor::collect_n;
use crate::{Result, Tensor};

const OP: &str = "psnr";

/// PSNR of each image pair; `image_shape` reads flat images (see [`super`]).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn psnr(a: &Tensor, b: &Tensor, max: f32, image_shape: Option<[usize; 2]>) -> Result<Tensor> {
    let max = max_value(OP, max)?;
    let batch = images(OP, a, b, image_shape)?;
    let px = batch.h * batch.w;
    let values = a.data().chunks_exact(px).zip(b.data().chunks_exact(px)).map(|(x, y)| {
        let se: f64 = x.iter().zip(y).map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2)).sum();
        let mse = se / px as f64;
        if mse == 0.0 { f32::INFINITY } else { (10.0 * (max * max / mse).log10()) as f32 }
    });
    let out = collect_n(OP, batch.n, values)?;
    Tensor::new(OP, batch.out, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    #[test]
    fn closed_form_identity_and_batches() {
        // MSE = (0.1² + 0.3²) / 4 = 0.025 → 10·log10(1 / 0.025) = 16.0206 dB.
        let a = Tensor::new("t", Shape::from([2, 2]), vec![0.0, 0.5, 1.0, 0.2]).unwrap();
        let b = Tensor::new("t", Shape::from([2, 2]), vec![0.1, 0.5, 0.7, 0.2]).unwrap();
        let v = psnr(&a, &b, 1.0, None).unwrap();
        assert_eq!(v.rank(), 0);
        assert!((v.data()[0] - 16.0206).abs() < 1e-3, "{:?}", v.data());
        // maxValue 255 adds 20·log10(255) dB.
        let v255 = psnr(&a, &b, 255.0, None).unwrap().data()[0];
        assert!((v255 - v.data()[0] - 20.0 * 255f32.log10()).abs() < 1e-3);
        assert_eq!(psnr(&a, &a, 1.0, None).unwrap().data(), &[f32::INFINITY]);
        // Flat batch [2, 4] with imageShape [2, 2]: per image.
        let flat_a = Tensor::new("t", Shape::from([2, 4]), [a.data(), a.data()].concat()).unwrap();
        let flat_b = Tensor::new("t", Shape::from([2, 4]), [b.data(), a.data()].concat()).unwrap();
        let v = psnr(&flat_a, &flat_b, 1.0, Some([2, 2])).unwrap();
        assert_eq!(v.dims(), &[2]);
        assert!((v.data()[0] - 16.0206).abs() < 1e-3 && v.data()[1] == f32::INFINITY);
        assert_eq!(psnr(&a, &b, -1.0, None).unwrap_err().to_string(), "psnr: maxValue must be a finite number > 0, got -1");
    }
}
