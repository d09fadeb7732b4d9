//! The orthonormal 2-D discrete cosine transform on N×N blocks: DCT-II forward, DCT-III
//! (its transpose, hence its inverse) backward.
//!
//! `X[u][v] = a(u) a(v) Σᵢ Σⱼ x[i][j] cos((2i+1)uπ/2N) cos((2j+1)vπ/2N)` with
//! `a(0) = √(1/N)`, `a(k) = √(2/N)`: energy is preserved (Parseval), and for N = 8 this is
//! exactly the DCT of JPEG. Computed separably as `C · x · Cᵀ` with the cosine matrix `C`.
//!
//! On tensors: the last two axes `[…, H, W]` are the image; `H` and `W` must be multiples of
//! N and every N×N block is transformed in place of itself (block `(bi, bj)` covers rows
//! `bi·N..` and columns `bj·N..`).

use crate::{Error, Result, Shape, Tensor};

/// The N×N orthonormal DCT-II matrix, row `k` = basis function `k`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn matrix(n: usize) -> Vec<f32> {
    let mut c = vec![0f32; n * n];
    for k in 0..n {
        let a = if k == 0 { (1.0 / n as f64).sqrt() } else { (2.0 / n as f64).sqrt() };
        for i in 0..n {
            c[k * n + i] = (a * (std::f64::consts::PI * (2 * i + 1) as f64 * k as f64 / (2 * n) as f64).cos()) as f32;
        }
    }
    c
}

/// Transforms one N×N block (row-major `x`, `n*n` values) into `y`; `tmp` holds `n*n` values.
/// `inverse` applies `Cᵀ · x · C` instead of `C · x · Cᵀ`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn block(c: &[f32], n: usize, x: &[f32], y: &mut [f32], tmp: &mut [f32], inverse: bool) {
    // tmp = M · x, with M = C (forward) or Cᵀ (inverse).
    for r in 0..n {
        for col in 0..n {
            let mut s = 0f32;
            for k in 0..n {
                let m = if inverse { c[k * n + r] } else { c[r * n + k] };
                s += m * x[k * n + col];
            }
            tmp[r * n + col] = s;
        }
    }
    // y = tmp · Mᵀ.
    for r in 0..n {
        for col in 0..n {
            let mut s = 0f32;
            for k in 0..n {
                let m = if inverse { c[k * n + col] } else { c[col * n + k] };
                s += tmp[r * n + k] * m;
            }
            y[r * n + col] = s;
        }
    }
}

/// Transforms every N×N block of an `h × w` plane (both multiples of `n`) in place.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn plane(data: &mut [f32], h: usize, w: usize, n: usize, inverse: bool) {
    let c = matrix(n);
    let (mut x, mut y, mut tmp) = (vec![0f32; n * n], vec![0f32; n * n], vec![0f32; n * n]);
    for bi in (0..h).step_by(n) {
        for bj in (0..w).step_by(n) {
            for r in 0..n {
                x[r * n..(r + 1) * n].copy_from_slice(&data[(bi + r) * w + bj..(bi + r) * w + bj + n]);
            }
            block(&c, n, &x, &mut y, &mut tmp, inverse);
            for r in 0..n {
                data[(bi + r) * w + bj..(bi + r) * w + bj + n].copy_from_slice(&y[r * n..(r + 1) * n]);
            }
        }
    }
}

/// Blockwise 2-D DCT of a tensor `[…, H, W]` (forward DCT-II, or DCT-III when `inverse`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn dct2d(x: &Tensor, n: usize, inverse: bool) -> Result<Tensor> {
    let op = if inverse { "compression.dct.inverse2d" } else { "compression.dct.forward2d" };
    let dims = x.shape().dims();
    if dims.len() < 2 {
        return Err(Error::invalid(op, format!("x must have rank >= 2 ([..., height, width]), got shape {}", crate::error::ints(dims))));
    }
    if !(1..=64).contains(&n) {
        return Err(Error::invalid(op, format!("blockSize must be in 1..=64, got {n}")));
    }
    let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    if h % n != 0 || w % n != 0 {
        return Err(Error::invalid(op, format!("height {h} and width {w} must be multiples of blockSize {n} (shape {})", crate::error::ints(dims))));
    }
    let mut data = crate::tensor::copy_of(op, x.data())?;
    if h * w > 0 {
        for img in data.chunks_exact_mut(h * w) {
            plane(img, h, w, n, inverse);
        }
    }
    Tensor::new(op, Shape::from(dims.to_vec()), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthonormal_and_invertible() {
        for n in [1, 2, 4, 8, 16] {
            let (h, w) = (2 * n, 3 * n);
            let x: Vec<f32> = (0..h * w).map(|i| ((i * 37 % 101) as f32) - 50.0).collect();
            let mut y = x.clone();
            plane(&mut y, h, w, n, false);
            let ex: f32 = x.iter().map(|v| v * v).sum();
            let ey: f32 = y.iter().map(|v| v * v).sum();
            assert!((ex - ey).abs() <= 1e-4 * ex, "Parseval n={n}");
            plane(&mut y, h, w, n, true);
            for (a, b) in x.iter().zip(&y) {
                assert!((a - b).abs() < 1e-3, "n={n}");
            }
        }
        // A constant 8×8 block has only a DC term, 8 × value.
        let mut b = vec![3f32; 64];
        plane(&mut b, 8, 8, 8, false);
        assert!((b[0] - 24.0).abs() < 1e-4 && b[1..].iter().all(|v| v.abs() < 1e-4));
    }

    #[test]
    fn tensor_shapes_are_checked() {
        let t = Tensor::new("t", Shape::from([2, 8, 16]), vec![1.0; 256]).unwrap();
        assert_eq!(dct2d(&t, 8, false).unwrap().shape().dims(), &[2, 8, 16]);
        assert!(dct2d(&t, 3, false).unwrap_err().to_string().contains("multiples"));
        let v = Tensor::new("t", Shape::from([8]), vec![1.0; 8]).unwrap();
        assert!(dct2d(&v, 8, false).unwrap_err().to_string().contains("rank"));
    }
}
