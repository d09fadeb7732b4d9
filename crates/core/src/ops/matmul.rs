//! `matMul(a, b, {transposeA, transposeB})`, batched over leading dimensions with broadcasting.
//!
//! # Shapes
//! `a: [..., m, k]` (`[..., k, m]` with `transpose_a`), `b: [..., k, n]` (`[..., n, k]` with
//! `transpose_b`) → `[...broadcast(batch_a, batch_b), m, n]`. Both operands need rank ≥ 2.

use crate::kernels::matmul::gemm_uninit;
use crate::ops::binary::broadcast_strides;
use crate::{bail, bail_shape, Result, Shape, Tensor};

#[inline(never)]
pub fn matmul(a: &Tensor, b: &Tensor, transpose_a: bool, transpose_b: bool) -> Result<Tensor> {
    const OP: &str = "matMul";
    if a.rank() < 2 || b.rank() < 2 {
        bail!(OP, "both operands need rank >= 2: a is {}, b is {}", a.shape(), b.shape());
    }
    let (ad, bd) = (a.dims(), b.dims());
    let (ar, br) = (ad.len(), bd.len());
    let (m, ka) = if transpose_a { (ad[ar - 1], ad[ar - 2]) } else { (ad[ar - 2], ad[ar - 1]) };
    let (kb, n) = if transpose_b { (bd[br - 1], bd[br - 2]) } else { (bd[br - 2], bd[br - 1]) };
    if ka != kb {
        let ta = if transpose_a { " (transposed)" } else { "" };
        let tb = if transpose_b { " (transposed)" } else { "" };
        bail_shape!(OP, "inner dimensions differ: a is {}{ta}, b is {}{tb}", a.shape(), b.shape());
    }
    let batch_a = Shape::from(&ad[..ar - 2]);
    let batch_b = Shape::from(&bd[..br - 2]);
    let batch = Shape::broadcast(OP, &batch_a, &batch_b).map_err(|_| {
        crate::Error::shape(
            OP,
            format!("batch dimensions cannot be broadcast: a is {}, b is {}", a.shape(), b.shape()),
        )
    })?;
    // The output dims on the stack (batch rank <= MAX_RANK - 2): no allocation per call.
    let mut out_dims = [0usize; crate::shape::MAX_RANK];
    let out_rank = batch.rank() + 2;
    out_dims[..batch.rank()].copy_from_slice(batch.dims());
    out_dims[out_rank - 2..out_rank].copy_from_slice(&[m, n]);
    let out_shape = Shape::new(OP, &out_dims[..out_rank])?;
    let total = out_shape.checked_size(OP)?;
    // No zero-fill first: the GEMM writes every value (its tasks initialise their own rows).
    let mut data = crate::tensor::alloc_empty(OP, total)?;
    let nb = batch.size();
    let (sa, sb) = (broadcast_strides(batch_a.dims(), batch.rank()), broadcast_strides(batch_b.dims(), batch.rank()));
    let (a_mat, b_mat, c_mat) = (m * ka, ka * n, m * n);
    let bdims = batch.dims();
    let mut idx = vec![0usize; batch.rank()];
    let (mut oa, mut ob) = (0usize, 0usize);
    for i in 0..nb {
        let c = &mut data.spare_capacity_mut()[i * c_mat..(i + 1) * c_mat];
        gemm_uninit(m, ka, n, &a.data()[oa * a_mat..(oa + 1) * a_mat], transpose_a, &b.data()[ob * b_mat..(ob + 1) * b_mat], transpose_b, c);
        for d in (0..batch.rank()).rev() {
            idx[d] += 1;
            oa += sa[d];
            ob += sb[d];
            if idx[d] < bdims[d] {
                break;
            }
            oa -= sa[d] * idx[d];
            ob -= sb[d] * idx[d];
            idx[d] = 0;
        }
    }
    // SAFETY: the nb GEMMs wrote all nb·m·n = total values.
    unsafe { data.set_len(total) };
    Tensor::new(OP, out_shape, data)
}

/// The gradients of `matmul(a, b, ta, tb)` given `dy`, summed over broadcast batch dims.
///
/// With `A' = op(A)`, `B' = op(B)`: `dA' = dY·B'ᵀ`, `dB' = A'ᵀ·dY`, transposed back where
/// `op` transposed — each case is again one (possibly transposed) product, no copies. Only
/// the gradients asked for (`need`: of a, of b) are computed; the others are `None`.
#[inline(never)]
pub fn matmul_backward(a: &Tensor, b: &Tensor, ta: bool, tb: bool, dy: &Tensor, need: [bool; 2]) -> Result<(Option<Tensor>, Option<Tensor>)> {
    // (left, right, transpose left, transpose right) of each gradient's product.
    let (pa, pb) = match (ta, tb) {
        (false, false) => ((dy, b, false, true), (a, dy, true, false)),
        (false, true) => ((dy, b, false, false), (dy, a, true, false)),
        (true, false) => ((b, dy, false, true), (a, dy, false, false)),
        (true, true) => ((b, dy, true, true), (dy, a, true, true)),
    };
    let mut out = [None, None];
    for (i, ((l, r, tl, tr), of)) in [(pa, a), (pb, b)].into_iter().enumerate() {
        if need[i] {
            out[i] = Some(crate::autodiff::sum_to(matmul(l, r, tl, tr)?, of.shape())?);
        }
    }
    let [da, db] = out;
    Ok((da, db))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", shape.into(), v).unwrap()
    }

    #[test]
    fn plain_transposed_and_batched() {
        let a = t(&[2, 3], vec![1., 2., 3., 4., 5., 6.]);
        let b = t(&[3, 2], vec![7., 8., 9., 10., 11., 12.]);
        assert_eq!(matmul(&a, &b, false, false).unwrap().data(), &[58., 64., 139., 154.]);
        let at = t(&[3, 2], vec![1., 4., 2., 5., 3., 6.]);
        assert_eq!(matmul(&at, &b, true, false).unwrap().data(), &[58., 64., 139., 154.]);
        let bt = t(&[2, 3], vec![7., 9., 11., 8., 10., 12.]);
        assert_eq!(matmul(&a, &bt, false, true).unwrap().data(), &[58., 64., 139., 154.]);
        let a3 = t(&[2, 2, 3], [a.data(), a.data()].concat());
        let o = matmul(&a3, &b, false, false).unwrap();
        assert_eq!(o.dims(), &[2, 2, 2]);
        assert_eq!(o.data()[4..], [58., 64., 139., 154.]);
    }

    #[test]
    fn errors_name_shapes() {
        let a = t(&[2, 3], vec![0.; 6]);
        let b = t(&[4, 5], vec![0.; 20]);
        let e = matmul(&a, &b, false, false).unwrap_err();
        assert_eq!(e.to_string(), "matMul: inner dimensions differ: a is [2,3], b is [4,5]");
        assert!(matmul(&t(&[3], vec![0.; 3]), &a, false, false).is_err());
    }
}
