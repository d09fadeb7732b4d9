//! `transpose(x, perm)`: output dimension `i` is input dimension `perm[i]`.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]`, `perm` a permutation of `0..n` → `[d(perm[0]), ..., d(perm[n-1])]`.
//! With no `perm`, the dimensions are reversed (a matrix transpose for rank 2).

use crate::{bail, Result, Shape, Tensor};

/// Permutes the dimensions of `x`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn transpose(x: &Tensor, perm: Option<&[i64]>) -> Result<Tensor> {
    const OP: &str = "transpose";
    let rank = x.rank();
    let perm: Vec<usize> = match perm {
        None => (0..rank).rev().collect(),
        Some(p) => {
            if p.len() != rank {
                bail!(OP, "perm {p} has {} entries but x has rank {rank} (shape {})", p.len(), x.shape(), p = crate::error::ints(p));
            }
            let mut seen = vec![false; rank];
            let mut out = Vec::with_capacity(rank);
            for &a in p {
                let ax = x.shape().axis(OP, a)?;
                if seen[ax] {
                    bail!(OP, "perm {p} is not a permutation of 0..{rank}: axis {a} repeats", p = crate::error::ints(p));
                }
                seen[ax] = true;
                out.push(ax);
            }
            out
        }
    };
    permute(OP, x, &perm)
}

/// Permutes with an already validated permutation.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn permute(op: &'static str, x: &Tensor, perm: &[usize]) -> Result<Tensor> {
    let dims = x.dims();
    let out_dims: Vec<usize> = perm.iter().map(|&p| dims[p]).collect();
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(x.clone());
    }
    let mut out = Tensor::zeros(op, Shape::from(out_dims.clone()))?;
    if out.size() == 0 {
        return Ok(out);
    }
    let in_strides = x.shape().strides();
    // Input stride of each output dimension.
    let s: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
    let rank = perm.len();
    let n = out_dims[rank - 1];
    let inner = s[rank - 1];
    let src = x.data();
    let mut idx = vec![0usize; rank];
    let mut off = 0usize;
    for run in out.data_mut().chunks_exact_mut(n) {
        if inner == 1 {
            run.copy_from_slice(&src[off..off + n]);
        } else {
            for (j, o) in run.iter_mut().enumerate() {
                *o = src[off + j * inner];
            }
        }
        for d in (0..rank - 1).rev() {
            idx[d] += 1;
            off += s[d];
            if idx[d] < out_dims[d] {
                break;
            }
            off -= s[d] * idx[d];
            idx[d] = 0;
        }
    }
    Ok(out)
}

/// The gradient of `transpose(x, perm)`: `dy` transposed by the inverse permutation.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn transpose_backward(perm: Option<&[i64]>, rank: usize, dy: &Tensor) -> Result<Tensor> {
    let p: Vec<usize> = match perm {
        None => (0..rank).rev().collect(),
        Some(p) => p.iter().map(|&a| if a < 0 { (a + rank as i64) as usize } else { a as usize }).collect(),
    };
    let mut inv = vec![0usize; rank];
    for (i, &pi) in p.iter().enumerate() {
        inv[pi] = i;
    }
    permute("transpose", dy, &inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_and_3d() {
        let x = Tensor::new("t", [2, 3].into(), vec![1., 2., 3., 4., 5., 6.]).unwrap();
        let t = transpose(&x, None).unwrap();
        assert_eq!(t.dims(), &[3, 2]);
        assert_eq!(t.data(), &[1., 4., 2., 5., 3., 6.]);
        let y = Tensor::new("t", [2, 3, 2].into(), (0..12).map(|v| v as f32).collect()).unwrap();
        let t = transpose(&y, Some(&[1, 2, 0])).unwrap();
        assert_eq!(t.dims(), &[3, 2, 2]);
        // t[i,j,k] = y[k,i,j]
        assert_eq!(t.data()[..4], [0., 6., 1., 7.]);
        assert!(transpose(&y, Some(&[0, 0, 1])).is_err());
        assert!(transpose(&y, Some(&[0, 1])).is_err());
        assert_eq!(transpose(&Tensor::scalar(3.0), None).unwrap().data(), &[3.0]);
    }
}
