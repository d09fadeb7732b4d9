//! `reshape(x, shape)`: the same values under a new shape of equal size. One dimension may be
//! `-1`, inferred from the others.
//!
//! # Shapes
//! `x: [d...]` (size n), `shape` with product n (or one `-1`) → `shape`.

use crate::{bail, bail_shape, Result, Shape, Tensor};

/// Resolves a requested shape (with at most one `-1`) against `size` elements.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn resolve_shape(op: &'static str, size: usize, from: &Shape, req: &[i64]) -> Result<Shape> {
    let mut infer = None;
    let mut known: usize = 1;
    for (i, &d) in req.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                bail!(op, "shape {req} has more than one -1", req = crate::error::ints(req));
            }
            infer = Some(i);
        } else if d < 0 {
            bail!(op, "shape {req} has a negative dimension {d} at index {i}", req = crate::error::ints(req));
        } else {
            let d = crate::shape::dim_from_i64(op, d, || format!("shape[{i}] (shape {req})", req = crate::error::ints(req)))?;
            known = known.checked_mul(d.max(1)).ok_or_else(|| crate::Error::invalid(op, format!("shape {req} is too large: the product of its dimensions overflows", req = crate::error::ints(req))))?;
        }
    }
    if req.contains(&0) {
        known = 0;
    }
    let mut dims: Vec<usize> = req.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(i) = infer {
        if known == 0 || size % known != 0 {
            bail_shape!(op, "cannot infer -1 in shape {req} for {size} elements (x has shape {from})", req = crate::error::ints(req));
        }
        dims[i] = size / known;
    } else if known != size {
        bail_shape!(op, "cannot reshape x of shape {from} ({size} elements) to {req} ({known} elements)", req = crate::error::ints(req));
    }
    Shape::new(op, &dims)
}

/// The values of `x` under `shape`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn reshape(x: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let s = resolve_shape("reshape", x.size(), x.shape(), shape)?;
    Ok(x.clone().with_shape(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_and_checks() {
        let x = Tensor::zeros("t", [2, 3, 4].into()).unwrap();
        assert_eq!(reshape(&x, &[6, -1]).unwrap().dims(), &[6, 4]);
        assert_eq!(reshape(&x, &[24]).unwrap().dims(), &[24]);
        let e = reshape(&x, &[5, 5]).unwrap_err();
        assert_eq!(e.to_string(), "reshape: cannot reshape x of shape [2,3,4] (24 elements) to [5, 5] (25 elements)");
        assert!(reshape(&x, &[-1, -1]).is_err());
        assert!(reshape(&x, &[5, -1]).is_err());
        assert_eq!(reshape(&Tensor::scalar(1.0), &[1, 1]).unwrap().dims(), &[1, 1]);
        assert_eq!(reshape(&Tensor::zeros("t", [1].into()).unwrap(), &[]).unwrap().rank(), 0);
        // Dimensions past u32 are errors, not truncated (2³² + 6 would become 6 on wasm32).
        let six = Tensor::zeros("t", [6].into()).unwrap();
        assert!(reshape(&six, &[(1 << 32) + 6]).unwrap_err().to_string().contains("shape[0] (shape [4294967302]) = 4294967302 overflows"));
        let empty = Tensor::zeros("t", [0].into()).unwrap();
        assert!(reshape(&empty, &[0, 1 << 40, 1 << 40]).is_err());
        assert!(reshape(&empty, &[-1, 1 << 40, 1 << 40]).is_err());
        assert_eq!(reshape(&empty, &[3, 0, -1]).unwrap_err().to_string(), "reshape: cannot infer -1 in shape [3, 0, -1] for 0 elements (x has shape [0])");
    }
}
