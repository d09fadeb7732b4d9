//! `where(condition, a, b)`: picks from `a` where the condition is non-zero, else from `b`.
//!
//! ```text
//! out[i] = condition[i] != 0 ? a[i] : b[i]        NaN counts as true, −0 as false
//! d/da = dy where condition, else 0;   d/db = dy where not condition, else 0
//! ```
//!
//! # Shapes
//! `condition`, `a` and `b` broadcast together under NumPy rules (as TF.js `where` does), e.g.
//! `condition: [n, 1]`, `a: [n, k]`, `b: []` → `[n, k]`.
//!
//! ```
//! use neurite_core::{ops::select::select, Tensor, Shape};
//! let c = Tensor::new("doc", Shape::from([2, 1]), vec![1.0, 0.0]).unwrap();
//! let a = Tensor::new("doc", Shape::from([2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
//! let out = select(&c, &a, &Tensor::scalar(-1.0)).unwrap();
//! assert_eq!(out.data(), &[1.0, 2.0, -1.0, -1.0]);
//! ```

use super::binary::Plan;
use crate::kernels::elementwise as k;
use crate::{Error, Result, Shape, Tensor};

const OP: &str = "where";

/// The broadcast shape of all three, or an error naming the three shapes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn out_shape(c: &Shape, a: &Shape, b: &Shape) -> Result<Shape> {
    Shape::broadcast(OP, c, a)
        .and_then(|ca| Shape::broadcast(OP, &ca, b))
        .map_err(|_| Error::shape(OP, format!("condition {c}, a {a} and b {b} cannot be broadcast together")))
}

/// `condition != 0 ? a : b`, element-wise with broadcasting.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn select(condition: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let shape = out_shape(condition.shape(), a.shape(), b.shape())?;
    let mut v = crate::tensor::alloc_empty(OP, shape.checked_size(OP)?)?;
    let plan = Plan::new(&shape, [condition.shape(), a.shape(), b.shape()]);
    plan.extend_runs([condition.data(), a.data(), b.data()], &mut v, |[c, a, b], o| k::select(c, a, b, o));
    Tensor::new(OP, shape, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", shape.into(), v).unwrap()
    }

    #[test]
    fn same_shape_and_special_conditions() {
        let c = t(&[4], vec![1.0, 0.0, -0.0, f32::NAN]);
        let a = t(&[4], vec![1.0, 2.0, 3.0, 4.0]);
        let b = t(&[4], vec![-1.0, -2.0, -3.0, -4.0]);
        assert_eq!(select(&c, &a, &b).unwrap().data(), &[1.0, -2.0, -3.0, 4.0]);
    }

    #[test]
    fn broadcasts_all_three() {
        let c = t(&[2, 1, 1], vec![0.0, 1.0]);
        let a = t(&[3], vec![1.0, 2.0, 3.0]);
        let b = t(&[1, 2, 1], vec![10.0, 20.0]);
        let o = select(&c, &a, &b).unwrap();
        assert_eq!(o.dims(), &[2, 2, 3]);
        assert_eq!(o.data(), &[10., 10., 10., 20., 20., 20., 1., 2., 3., 1., 2., 3.]);
        let s = select(&Tensor::scalar(1.0), &Tensor::scalar(2.0), &Tensor::scalar(3.0)).unwrap();
        assert_eq!((s.rank(), s.data()[0]), (0, 2.0));
        let e = select(&t(&[0, 3], vec![]), &a, &Tensor::scalar(0.0)).unwrap();
        assert_eq!(e.dims(), &[0, 3]);
    }

    #[test]
    fn incompatible_shapes_name_all_three() {
        let e = select(&t(&[2, 3], vec![0.0; 6]), &t(&[3], vec![0.0; 3]), &t(&[4], vec![0.0; 4])).unwrap_err();
        assert_eq!(e.to_string(), "where: condition [2,3], a [3] and b [4] cannot be broadcast together");
        assert_eq!(e.status(), crate::Status::ShapeMismatch);
    }
}
