//! `reverse(x, axes)`: `x` with the order of its entries along each of `axes` reversed.
//!
//! `y[…, i_a, …] = x[…, d_a − 1 − i_a, …]` for every axis `a` in `axes`.
//!
//! # Shapes
//! `x`: any shape; `axes`: distinct axes in `[−rank, rank)` (negative counts from the end),
//! none for a scalar → the shape of `x`.
//!
//! # Backward
//! `dx = reverse(dy, axes)`.
//!
//! ```
//! use neurite_core::{ops::reverse::reverse, Tensor};
//! let x = Tensor::new("doc", [2, 3].into(), vec![1., 2., 3., 4., 5., 6.]).unwrap();
//! assert_eq!(reverse(&x, &[1]).unwrap().data(), &[3., 2., 1., 6., 5., 4.]);
//! assert_eq!(reverse(&x, &[0, -1]).unwrap().data(), &[6., 5., 4., 3., 2., 1.]);
//! ```

use crate::{bail, Result, Tensor};

/// `x` reversed along every axis in `axes`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn reverse(x: &Tensor, axes: &[i64]) -> Result<Tensor> {
    const OP: &str = "reverse";
    let mut flip = vec![false; x.rank()];
    for &a in axes {
        let ax = x.shape().axis(OP, a)?;
        if flip[ax] {
            bail!(OP, "axis {a} is listed twice in axes {axes} (x has shape {})", x.shape(), axes = crate::error::ints(axes));
        }
        flip[ax] = true;
    }
    let mut out = x.clone();
    let dims = x.dims();
    for (axis, _) in flip.iter().enumerate().filter(|(_, &f)| f) {
        let (d, inner) = (dims[axis], dims[axis + 1..].iter().product::<usize>());
        if d < 2 || inner == 0 {
            continue;
        }
        let src = out.clone();
        // The copy a write makes of the shared buffer is fallible: out of memory is an error.
        let dst = out.try_data_mut(OP)?;
        // Each block of `d · inner` values (one per index of the axes before `axis`) has its
        // `d` runs of `inner` values in the opposite order.
        for (from, to) in src.data().chunks_exact(d * inner).zip(dst.chunks_exact_mut(d * inner)) {
            for (run, slot) in from.chunks_exact(inner).rev().zip(to.chunks_exact_mut(inner)) {
                slot.copy_from_slice(run);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ops::test_util::iota;

    /// The definition, index by index.
    fn by_definition(x: &Tensor, flip: &[usize]) -> Vec<f32> {
        let dims = x.dims();
        let strides = x.shape().strides();
        (0..x.size())
            .map(|flat| {
                let mut rem = flat;
                let mut src = 0;
                for (a, (&d, &s)) in dims.iter().zip(&strides).enumerate() {
                    let i = rem / s;
                    rem %= s;
                    src += if flip.contains(&a) { d - 1 - i } else { i } * s;
                }
                x.data()[src]
            })
            .collect()
    }

    #[test]
    fn every_axis_set_of_a_rank_4_tensor_matches_the_definition() {
        let x = iota(&[2, 3, 1, 4]);
        for mask in 0u32..16 {
            let axes: Vec<i64> = (0..4).filter(|a| mask & (1 << a) != 0).collect();
            let flip: Vec<usize> = axes.iter().map(|&a| a as usize).collect();
            let y = reverse(&x, &axes).unwrap();
            assert_eq!((y.dims(), y.data()), (x.dims(), &by_definition(&x, &flip)[..]), "axes {axes:?}");
            // Twice is the identity.
            assert_eq!(reverse(&y, &axes).unwrap().data(), x.data());
        }
        assert_eq!(reverse(&x, &[-1, -4]).unwrap().data(), &by_definition(&x, &[0, 3])[..]);
    }

    #[test]
    fn scalars_empty_tensors_and_bad_axes() {
        assert_eq!(reverse(&Tensor::scalar(3.), &[]).unwrap().data(), &[3.]);
        let e = Tensor::zeros("t", [0, 3].into()).unwrap();
        assert_eq!(reverse(&e, &[0, 1]).unwrap().dims(), &[0, 3]);
        let x = iota(&[2, 3]);
        assert_eq!(reverse(&x, &[2]).unwrap_err().to_string(), "reverse: axis 2 is out of range for a tensor of rank 2 (shape [2,3])");
        assert_eq!(reverse(&x, &[1, -1]).unwrap_err().to_string(), "reverse: axis -1 is listed twice in axes [1, -1] (x has shape [2,3])");
        assert!(reverse(&Tensor::scalar(1.), &[0]).is_err());
    }
}
