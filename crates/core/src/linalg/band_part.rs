//! `band_part(x, num_lower, num_upper)`: each innermost `[M, N]` matrix of `x` with every entry
//! outside a central band set to zero (TF.js's `tf.linalg.bandPart`, TensorFlow's
//! `MatrixBandPart`).
//!
//! `y[…, m, n] = in_band(m, n) ? x[…, m, n] : 0` with
//! `in_band(m, n) = (num_lower < 0 || m − n <= num_lower) && (num_upper < 0 || n − m <= num_upper)`:
//! a negative count keeps the whole lower (upper) triangle. An entry outside the band is 0 even
//! when it is NaN or infinite (a select, not a product with a mask).
//!
//! # Shapes
//! `x`: rank >= 2, `[…, M, N]` → the same shape. `num_lower <= M`, `num_upper <= N` (TF.js's
//! checks; a count past the matrix is refused rather than read as "all").
//!
//! # Backward
//! The band is a constant mask: `dx = band_part(dy, num_lower, num_upper)`.
//!
//! ```
//! use neurite_core::{linalg::band_part::band_part, Tensor};
//! let x = Tensor::new("doc", [3, 3].into(), vec![1., 2., 3., 4., 5., 6., 7., 8., 9.]).unwrap();
//! assert_eq!(band_part(&x, 0, -1).unwrap().data(), &[1., 2., 3., 0., 5., 6., 0., 0., 9.]);
//! assert_eq!(band_part(&x, 1, 0).unwrap().data(), &[1., 0., 0., 4., 5., 0., 0., 8., 9.]);
//! ```

use crate::error::ints;
use crate::{bail, Result, Tensor};

/// The band of every innermost matrix of `x`; see the module doc.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn band_part(x: &Tensor, num_lower: i64, num_upper: i64) -> Result<Tensor> {
    const OP: &str = "linalg.bandPart";
    let dims = x.dims();
    let r = dims.len();
    if r < 2 {
        bail!(OP, "x must have rank >= 2, got shape {s} (rank {r})", s = ints(dims));
    }
    let (m, n) = (dims[r - 2], dims[r - 1]);
    if num_lower > m as i64 {
        bail!(OP, "numLower ({num_lower}) must not be greater than the number of rows ({m}) of x's shape {s}", s = ints(dims));
    }
    if num_upper > n as i64 {
        bail!(OP, "numUpper ({num_upper}) must not be greater than the number of columns ({n}) of x's shape {s}", s = ints(dims));
    }
    let mut out = x.clone();
    if m == 0 || n == 0 {
        return Ok(out);
    }
    let data = out.try_data_mut(OP)?;
    for mat in data.chunks_exact_mut(m * n) {
        for (i, row) in mat.chunks_exact_mut(n).enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                let d = i as i64 - j as i64;
                let keep = (num_lower < 0 || d <= num_lower) && (num_upper < 0 || -d <= num_upper);
                if !keep {
                    *v = 0.0;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_util::iota;

    #[test]
    fn tf_js_doc_examples_and_batches() {
        // tf.linalg.bandPart's documented example: x[i][j] = j − i.
        let x = Tensor::new("t", [4, 4].into(), (0..16).map(|k| (k % 4 - k / 4) as f32).collect()).unwrap();
        let y = band_part(&x, 1, -1).unwrap();
        assert_eq!(y.data(), &[0., 1., 2., 3., -1., 0., 1., 2., 0., -1., 0., 1., 0., 0., -1., 0.]);
        let z = band_part(&x, 2, 1).unwrap();
        assert_eq!(z.data(), &[0., 1., 0., 0., -1., 0., 1., 0., -2., -1., 0., 1., 0., -2., -1., 0.]);
        // Batched over the leading axes, odd sizes; -1/-1 keeps everything.
        let b = iota(&[2, 3, 2, 5]);
        assert_eq!(band_part(&b, -1, -1).unwrap().data(), b.data());
        let d = band_part(&b, 0, 0).unwrap();
        for (k, v) in d.data().iter().enumerate() {
            let (i, j) = ((k / 5) % 2, k % 5);
            assert_eq!(*v, if i == j { b.data()[k] } else { 0.0 });
        }
    }

    #[test]
    fn nan_outside_the_band_is_zero_and_errors_name_the_argument() {
        let x = Tensor::new("t", [2, 2].into(), vec![f32::NAN, f32::INFINITY, 1.0, f32::NAN]).unwrap();
        let y = band_part(&x, 0, 0).unwrap();
        assert!(y.data()[0].is_nan() && y.data()[3].is_nan());
        assert_eq!(&y.data()[1..3], &[0.0, 0.0]);
        let e = band_part(&iota(&[3]), 0, 0).unwrap_err().to_string();
        assert_eq!(e, "linalg.bandPart: x must have rank >= 2, got shape [3] (rank 1)");
        let e = band_part(&iota(&[2, 3]), 3, 0).unwrap_err().to_string();
        assert!(e.contains("numLower (3) must not be greater than the number of rows (2)"), "{e}");
        let e = band_part(&iota(&[2, 3]), 0, 4).unwrap_err().to_string();
        assert!(e.contains("numUpper (4) must not be greater than the number of columns (3)"), "{e}");
        // Zero rows: nothing to mask.
        assert_eq!(band_part(&iota(&[0, 3]), 0, 0).unwrap().dims(), &[0, 3]);
    }
}
