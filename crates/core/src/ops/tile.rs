//! `tile(x, reps)`: repeats `x` `reps[i]` times along each axis `i`.
//!
//! `y[i0, ..., in-1] = x[i0 mod d0, ..., in-1 mod dn-1]`.
//!
//! # Shapes
//! `x: [d0, ..., dn-1]`, `reps` with exactly `n` non-negative entries →
//! `[d0·reps0, ..., dn-1·repsn-1]`.
//!
//! # Backward
//! `dx[j..] = Σ dy[i..]` over every `i..` with `i mod d == j` (sum over the tiles).
//!
//! ```
//! use neurite_core::{ops::tile::tile, Tensor};
//! let x = Tensor::new("doc", [2].into(), vec![1., 2.]).unwrap();
//! assert_eq!(tile(&x, &[3]).unwrap().data(), &[1., 2., 1., 2., 1., 2.]);
//! ```

use crate::kernels::copy;
use crate::{bail, Result, Shape, Tensor};

/// `x` repeated `reps[i]` times along axis `i`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn tile(x: &Tensor, reps: &[i64]) -> Result<Tensor> {
    const OP: &str = "tile";
    let rank = x.rank();
    if reps.len() != rank {
        bail!(OP, "reps {reps} has {} entries but x has rank {rank} (shape {}); give one per axis", reps.len(), x.shape(), reps = crate::error::ints(reps));
    }
    let mut r = Vec::with_capacity(rank);
    let mut dims = Vec::with_capacity(rank);
    for (i, (&n, &d)) in reps.iter().zip(x.dims()).enumerate() {
        if n < 0 {
            bail!(OP, "reps[{i}] = {n} is negative (reps {reps}, x has shape {})", x.shape(), reps = crate::error::ints(reps));
        }
        let n = crate::shape::dim_from_i64(OP, n, || format!("reps[{i}]"))?;
        r.push(n);
        dims.push(crate::shape::dim_mul(OP, d, n, || format!("output dimension {i} (x has shape {}, reps {reps})", x.shape(), reps = crate::error::ints(reps)))?);
    }
    let mut out = Tensor::zeros(OP, Shape::new(OP, &dims)?)?;
    copy::tile(x.data(), x.dims(), &r, out.data_mut());
    Ok(out)
}

/// The gradient of `tile`: `dy` viewed as `[r0, d0, r1, d1, …]` summed over the `r` axes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn tile_backward(x_shape: &Shape, reps: &[i64], dy: &Tensor) -> Result<Tensor> {
    let mut view = Vec::with_capacity(2 * reps.len());
    for (&r, &d) in reps.iter().zip(x_shape.dims()) {
        view.push(r.max(0) as usize);
        view.push(d);
    }
    let v = dy.clone().with_shape(Shape::new("tile", &view)?);
    let axes: Vec<i64> = (0..reps.len()).map(|i| 2 * i as i64).collect();
    let s = crate::ops::reduce::reduce(crate::ops::reduce::ReduceOp::Sum, &v, &axes, false)?;
    Ok(s.with_shape(x_shape.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_each_axis() {
        let x = Tensor::new("t", [2, 1, 2].into(), vec![1., 2., 3., 4.]).unwrap();
        let y = tile(&x, &[1, 2, 2]).unwrap();
        assert_eq!(y.dims(), &[2, 2, 4]);
        assert_eq!(y.data(), &[1., 2., 1., 2., 1., 2., 1., 2., 3., 4., 3., 4., 3., 4., 3., 4.]);
        assert_eq!(tile(&x, &[1, 0, 3]).unwrap().dims(), &[2, 0, 6]);
        assert_eq!(tile(&Tensor::scalar(2.), &[]).unwrap().data(), &[2.]);
        let e = Tensor::zeros("t", [0, 2].into()).unwrap();
        assert_eq!(tile(&e, &[3, 2]).unwrap().dims(), &[0, 4]);
    }

    #[test]
    fn errors_name_reps_and_shape() {
        let x = Tensor::zeros("t", [2, 3].into()).unwrap();
        let e = tile(&x, &[2]).unwrap_err();
        assert_eq!(e.to_string(), "tile: reps [2] has 1 entries but x has rank 2 (shape [2,3]); give one per axis");
        assert!(tile(&x, &[1, -1]).unwrap_err().to_string().contains("reps[1] = -1 is negative"));
        assert_eq!(tile(&x, &[1 << 40, 1 << 40]).unwrap_err().status(), crate::Status::InvalidArgument);
        // A zero-size tensor tiled past the largest dimension: an error, not [0, 4294967295].
        let z = Tensor::zeros("t", [0, 3].into()).unwrap();
        let e = tile(&z, &[(1 << 31) - 1, (1 << 31) - 1]).unwrap_err();
        assert_eq!(e.to_string(), "tile: output dimension 1 (x has shape [0,3], reps [2147483647, 2147483647]) = 3 × 2147483647 overflows: a dimension must be at most 4294967295");
        assert!(tile(&z, &[1 << 31, 1]).is_ok(), "[0, 3] tiled 2³¹ times along axis 0 is [0, 3]");
    }
}
