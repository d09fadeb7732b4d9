//! The image-batch layout shared by the metrics: validation of `a`, `b` and `image_shape`.

use crate::{bail, bail_shape, Result, Shape, Tensor};
use crate::error::js_number;

/// `n` images of `h × w`, and the shape of the per-image result.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    /// `[]` for one image, `[n]` for a batch.
    pub out: Shape,
}

/// Validates two image tensors (see the module docs of [`super`]) and returns their layout.
/// Values must be finite.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn images(op: &'static str, a: &Tensor, b: &Tensor, image_shape: Option<[usize; 2]>) -> Result<Batch> {
    if a.dims() != b.dims() {
        bail_shape!(op, "a and b must have the same shape, got {} and {}", a.shape(), b.shape());
    }
    let batch = match (image_shape, a.dims()) {
        (None, [h, w]) => Batch { n: 1, h: *h, w: *w, out: Shape::scalar() },
        (None, [n, h, w]) => Batch { n: *n, h: *h, w: *w, out: Shape::from([*n]) },
        (None, _) => bail_shape!(op, "images must be [height, width] or [batch, height, width] (or flat with the imageShape option), got shape {}", a.shape()),
        (Some([h, w]), dims) => {
            let hw = crate::shape::dim_mul(op, h, w, || format!("imageShape [{h}, {w}]"))?;
            match dims {
                [p] if *p == hw => Batch { n: 1, h, w, out: Shape::scalar() },
                [n, p] if *p == hw => Batch { n: *n, h, w, out: Shape::from([*n]) },
                _ => bail_shape!(op, "with imageShape [{h}, {w}] images must be [{hw}] or [batch, {hw}], got shape {}", a.shape()),
            }
        }
    };
    if batch.h == 0 || batch.w == 0 {
        bail_shape!(op, "images are empty ({} × {}; shape {})", batch.h, batch.w, a.shape());
    }
    for (name, t) in [("a", a), ("b", b)] {
        if let Some(i) = crate::kernels::finite::first_non_finite(t.data()) {
            bail!(op, "{name} contains {} at flat index {i} (shape {})", js_number(t.data()[i]), t.shape());
        }
    }
    Ok(batch)
}

/// Checks `maxValue` (finite, > 0).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn max_value(op: &'static str, v: f32) -> Result<f64> {
    if !(v.is_finite() && v > 0.0) {
        bail!(op, "maxValue must be a finite number > 0, got {}", js_number(v));
    }
    Ok(f64::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(d: &[usize]) -> Tensor {
        Tensor::zeros("t", Shape::from(d)).unwrap()
    }

    #[test]
    fn layouts_and_errors() {
        assert_eq!(images("m", &z(&[2, 3]), &z(&[2, 3]), None).unwrap(), Batch { n: 1, h: 2, w: 3, out: Shape::scalar() });
        assert_eq!(images("m", &z(&[4, 2, 3]), &z(&[4, 2, 3]), None).unwrap().out, Shape::from([4]));
        assert_eq!(images("m", &z(&[4, 6]), &z(&[4, 6]), Some([2, 3])).unwrap(), Batch { n: 4, h: 2, w: 3, out: Shape::from([4]) });
        assert_eq!(images("m", &z(&[6]), &z(&[6]), Some([3, 2])).unwrap().out, Shape::scalar());
        let e = |a: &[usize], b: &[usize], s| images("psnr", &z(a), &z(b), s).unwrap_err().to_string();
        assert_eq!(e(&[2, 3], &[3, 2], None), "psnr: a and b must have the same shape, got [2,3] and [3,2]");
        assert_eq!(e(&[6], &[6], None), "psnr: images must be [height, width] or [batch, height, width] (or flat with the imageShape option), got shape [6]");
        assert_eq!(e(&[2, 5], &[2, 5], Some([2, 3])), "psnr: with imageShape [2, 3] images must be [6] or [batch, 6], got shape [2,5]");
        assert_eq!(e(&[0, 3], &[0, 3], None), "psnr: images are empty (0 × 3; shape [0,3])");
        let nan = Tensor::new("t", Shape::from([1, 2]), vec![0.0, f32::NAN]).unwrap();
        assert_eq!(images("psnr", &z(&[1, 2]), &nan, None).unwrap_err().to_string(), "psnr: b contains NaN at flat index 1 (shape [1,2])");
        assert!(max_value("psnr", 0.0).is_err() && max_value("psnr", f32::INFINITY).is_err() && max_value("psnr", 255.0).is_ok());
    }
}
