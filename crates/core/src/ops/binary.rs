//! Element-wise binary operations with NumPy broadcasting.
//!
//! `out[i] = f(a[ia], b[ib])`, where the output shape is the broadcast of both input shapes.
//! Comparisons return `1.0` for true and `0.0` for false (the dtype stays `float32`).
//!
//! # Shapes
//! `a: [..., m, n]`, `b` broadcastable to it (e.g. `[n]`, `[m, 1]`, `[]`) → broadcast shape.

use crate::kernels::broadcast_rows::Form;
use crate::kernels::elementwise as k;
use crate::{Result, Shape, Tensor};

pub use super::broadcast::{broadcast_strides, Plan};

/// Every binary element-wise op. The discriminant is the ABI id: append-only.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Div = 3,
    Pow = 4,
    Maximum = 5,
    Minimum = 6,
    Equal = 7,
    NotEqual = 8,
    Greater = 9,
    GreaterEqual = 10,
    Less = 11,
    LessEqual = 12,
    Atan2 = 13,
    Mod = 14,
    FloorDiv = 15,
}

impl BinaryOp {
    pub const ALL: [BinaryOp; 16] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
        BinaryOp::Equal,
        BinaryOp::NotEqual,
        BinaryOp::Greater,
        BinaryOp::GreaterEqual,
        BinaryOp::Less,
        BinaryOp::LessEqual,
        BinaryOp::Atan2,
        BinaryOp::Mod,
        BinaryOp::FloorDiv,
    ];

    /// The public (TS) name of the op.
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Pow => "pow",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Minimum => "minimum",
            BinaryOp::Equal => "equal",
            BinaryOp::NotEqual => "notEqual",
            BinaryOp::Greater => "greater",
            BinaryOp::GreaterEqual => "greaterEqual",
            BinaryOp::Less => "less",
            BinaryOp::LessEqual => "lessEqual",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Mod => "mod",
            BinaryOp::FloorDiv => "floorDiv",
        }
    }

    pub fn from_id(id: u32) -> Option<BinaryOp> {
        BinaryOp::ALL.get(id as usize).copied()
    }

    /// The scalar definition; the kernels specialise it.
    #[inline(always)]
    pub fn apply(self, x: f32, y: f32) -> f32 {
        let b = |c: bool| if c { 1.0 } else { 0.0 };
        match self {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            BinaryOp::Pow => crate::kernels::pow::pow_one(x, y),
            // NOTE: NaN propagates and +0 > -0, as JS `Math.max` (TF.js) and wasm `f32.max`;
            // `f32::max` would drop the NaN.
            BinaryOp::Maximum => k::max_f32(x, y),
            BinaryOp::Minimum => k::min_f32(x, y),
            BinaryOp::Equal => b(x == y),
            BinaryOp::NotEqual => b(x != y),
            BinaryOp::Greater => b(x > y),
            BinaryOp::GreaterEqual => b(x >= y),
            BinaryOp::Less => b(x < y),
            BinaryOp::LessEqual => b(x <= y),
            BinaryOp::Atan2 | BinaryOp::Mod | BinaryOp::FloorDiv => wide(self, f64::from(x), f64::from(y)) as f32,
        }
    }
}

/// The ops [`BinaryOp::apply`] computes in f64 and rounds once, as TF.js computes them
/// (`Math.atan2`, `%` and `Math.floor(a / b)` on the float32 values): `floorDiv(1, 0.1)` is 9
/// as in TF.js (1/0.1 in f32 rounds up to exactly 10). Out of line: one copy for every kernel.
#[inline(never)]
fn wide(op: BinaryOp, a: f64, b: f64) -> f64 {
    match op {
        BinaryOp::Atan2 => a.atan2(b),
        // The remainder with the divisor's sign (floor mod): `mod(-1, 3) = 2`, TF.js's rule.
        BinaryOp::Mod => {
            let r = a % b;
            if (a < 0.0 && b < 0.0) || (a >= 0.0 && b >= 0.0) {
                r
            } else {
                (r + b) % b
            }
        }
        _ => (a / b).floor(),
    }
}

/// `op(a, b)` with broadcasting.
#[inline(never)]
pub fn binary(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let name = op.name();
    let shape = Shape::broadcast(name, a.shape(), b.shape())?;
    let n = shape.size();
    let mut v = crate::tensor::alloc_empty(name, n)?;
    let whole = a.shape() == b.shape() || (a.size() == 1 && b.size() == n) || (b.size() == 1 && a.size() == n);
    if whole && k::binary_into(op, a.data(), b.data(), &mut v) {
        return Tensor::new(name, shape, v);
    }
    let plan = Plan::new(&shape, [a.shape(), b.shape()]);
    // With a column (one value per row). A row against a full input stays in the blocked walk:
    // a block tiled once and zeroed just before the kernel writes it, 1.15× faster than the
    // row kernels' chunks on one thread (`[262144,4] · [4]`, `[104857,10] + [10]`).
    if let Some((m, n, [fa, fb])) = plan.forms().filter(|(_, _, f)| f.contains(&Form::Column)) {
        if k::binary_rows_into(op, a.data(), fa, b.data(), fb, m, n, &mut v) {
            return Tensor::new(name, shape, v);
        }
    }
    let kernel = k::binary_kernel(op);
    plan.extend_runs([a.data(), b.data()], &mut v, |[x, y], o| kernel(x, y, o));
    Tensor::new(name, shape, v)
}

/// Drives a two-input broadcast: calls `inner(a_run, b_run, out_run)` on contiguous runs of
/// `out` (whose shape is `out_shape`, the broadcast of `a` and `b`), where each input run is
/// either a full run or a single repeated value (a 1-element slice).
pub fn broadcast_apply(out_shape: &Shape, a: &Tensor, b: &Tensor, out: &mut [f32], inner: impl Fn(&[f32], &[f32], &mut [f32])) {
    Plan::new(out_shape, [a.shape(), b.shape()]).for_each_run([a.data(), b.data()], out, |[x, y], o| inner(x, y, o));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", shape.into(), v).unwrap()
    }

    #[test]
    fn floor_mod_floor_div_and_atan2_follow_tfjs() {
        let a = t(&[6], vec![-1., 1., -7.5, 7.5, 1., -0.]);
        let b = t(&[6], vec![3., -3., 2., -2., 0.1, 3.]);
        // TF.js: the remainder takes the divisor's sign; floor of the f64 quotient.
        assert_eq!(binary(BinaryOp::Mod, &a, &b).unwrap().data(), &[2., -2., 0.5, -0.5, 1.0f32 % 0.1, -0.]);
        assert_eq!(binary(BinaryOp::FloorDiv, &a, &b).unwrap().data(), &[-1., -1., -4., -4., 9., -0.]);
        let y = binary(BinaryOp::Atan2, &t(&[3], vec![1., -1., 0.]), &t(&[3], vec![-1., -1., -0.])).unwrap();
        let pi = core::f32::consts::PI;
        assert_eq!(y.data(), &[3. * pi / 4., -3. * pi / 4., pi]);
        assert!(binary(BinaryOp::Mod, &a, &t(&[1], vec![0.])).unwrap().data().iter().all(|v| v.is_nan()));
    }

    #[test]
    fn broadcasts_rows_columns_and_scalars() {
        let a = t(&[2, 3], vec![1., 2., 3., 4., 5., 6.]);
        let row = t(&[3], vec![10., 20., 30.]);
        let col = t(&[2, 1], vec![100., 200.]);
        let s = Tensor::scalar(1.0);
        assert_eq!(binary(BinaryOp::Add, &a, &row).unwrap().data(), &[11., 22., 33., 14., 25., 36.]);
        assert_eq!(binary(BinaryOp::Add, &a, &col).unwrap().data(), &[101., 102., 103., 204., 205., 206.]);
        assert_eq!(binary(BinaryOp::Sub, &s, &a).unwrap().data(), &[0., -1., -2., -3., -4., -5.]);
        let outer = binary(BinaryOp::Mul, &col, &row).unwrap();
        assert_eq!(outer.dims(), &[2, 3]);
        assert_eq!(outer.data(), &[1000., 2000., 3000., 2000., 4000., 6000.]);
    }

    #[test]
    fn middle_axis_broadcast() {
        let a = t(&[2, 1, 2], vec![1., 2., 3., 4.]);
        let b = t(&[1, 3, 1], vec![10., 20., 30.]);
        let o = binary(BinaryOp::Add, &a, &b).unwrap();
        assert_eq!(o.dims(), &[2, 3, 2]);
        assert_eq!(o.data(), &[11., 12., 21., 22., 31., 32., 13., 14., 23., 24., 33., 34.]);
    }

    #[test]
    fn comparisons_and_nan() {
        let a = t(&[3], vec![1., f32::NAN, 3.]);
        let b = t(&[3], vec![1., 2., 2.]);
        assert_eq!(binary(BinaryOp::Equal, &a, &b).unwrap().data(), &[1., 0., 0.]);
        assert_eq!(binary(BinaryOp::Greater, &a, &b).unwrap().data(), &[0., 0., 1.]);
        assert!(binary(BinaryOp::Maximum, &a, &b).unwrap().data()[1].is_nan());
        assert!(binary(BinaryOp::Add, &t(&[2], vec![0.; 2]), &t(&[3], vec![0.; 3])).is_err());
    }
}
