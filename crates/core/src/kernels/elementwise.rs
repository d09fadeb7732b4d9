//! Element-wise kernels over slices. No allocation, no shape checks (the op did them).
//!
//! Binary kernels accept each input either as a full run (`len == out.len()`) or as a single
//! value (`len == 1`) that is repeated, which covers scalars and broadcast runs.

use crate::ops::binary::BinaryOp;
use crate::ops::unary::UnaryOp;

/// Applies `f` over runs where `x` and `y` are full or single values.
#[inline(always)]
fn zip_with(x: &[f32], y: &[f32], out: &mut [f32], f: impl Fn(f32, f32) -> f32) {
    match (x.len() == 1 && out.len() != 1, y.len() == 1 && out.len() != 1) {
        (false, false) => {
            for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
                *o = f(a, b);
            }
        }
        (true, false) => {
            let a = x[0];
            for (o, &b) in out.iter_mut().zip(y) {
                *o = f(a, b);
            }
        }
        (false, true) => {
            let b = y[0];
            for (o, &a) in out.iter_mut().zip(x) {
                *o = f(a, b);
            }
        }
        (true, true) => out.fill(f(x[0], y[0])),
    }
}

/// `out = op(x, y)` element-wise, with single-value broadcasting of either input.
pub fn binary(op: BinaryOp, x: &[f32], y: &[f32], out: &mut [f32]) {
    // Each arm passes a concrete closure, so the match runs once per call and the loop
    // specialises (and auto-vectorises under simd128) per op.
    match op {
        BinaryOp::Add => zip_with(x, y, out, |a, b| a + b),
        BinaryOp::Sub => zip_with(x, y, out, |a, b| a - b),
        BinaryOp::Mul => zip_with(x, y, out, |a, b| a * b),
        BinaryOp::Div => zip_with(x, y, out, |a, b| a / b),
        BinaryOp::Pow => zip_with(x, y, out, |a, b| BinaryOp::Pow.apply(a, b)),
        BinaryOp::Maximum => zip_with(x, y, out, |a, b| BinaryOp::Maximum.apply(a, b)),
        BinaryOp::Minimum => zip_with(x, y, out, |a, b| BinaryOp::Minimum.apply(a, b)),
        BinaryOp::Equal => zip_with(x, y, out, |a, b| BinaryOp::Equal.apply(a, b)),
        BinaryOp::NotEqual => zip_with(x, y, out, |a, b| BinaryOp::NotEqual.apply(a, b)),
        BinaryOp::Greater => zip_with(x, y, out, |a, b| BinaryOp::Greater.apply(a, b)),
        BinaryOp::GreaterEqual => zip_with(x, y, out, |a, b| BinaryOp::GreaterEqual.apply(a, b)),
        BinaryOp::Less => zip_with(x, y, out, |a, b| BinaryOp::Less.apply(a, b)),
        BinaryOp::LessEqual => zip_with(x, y, out, |a, b| BinaryOp::LessEqual.apply(a, b)),
    }
}

/// `out = op(x)` element-wise.
pub fn unary(op: UnaryOp, x: &[f32], out: &mut [f32]) {
    macro_rules! map {
        ($f:expr) => {
            for (o, &a) in out.iter_mut().zip(x) {
                *o = $f(a);
            }
        };
    }
    match op {
        UnaryOp::Neg => map!(|a: f32| -a),
        UnaryOp::Abs => map!(|a: f32| a.abs()),
        UnaryOp::Square => map!(|a: f32| a * a),
        UnaryOp::Sqrt => map!(|a: f32| a.sqrt()),
        _ => map!(|a: f32| op.apply(a)),
    }
}
