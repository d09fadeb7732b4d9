//! Element-wise unary math: `out[i] = f(x[i])`, shape preserved.
//!
//! Activations (relu, sigmoid, ...) are not here: they live in `activations/`, one per file,
//! with their derivatives.

use crate::kernels::elementwise as k;
use crate::{Result, Tensor};

/// Every unary op. The discriminant is the ABI id: append-only.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg = 0,
    Abs = 1,
    Exp = 2,
    Log = 3,
    Sqrt = 4,
    Square = 5,
    Sign = 6,
    Floor = 7,
    Ceil = 8,
    Round = 9,
    Reciprocal = 10,
    Log1p = 11,
    Expm1 = 12,
    Sin = 13,
    Cos = 14,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 15] = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Sqrt,
        UnaryOp::Square,
        UnaryOp::Sign,
        UnaryOp::Floor,
        UnaryOp::Ceil,
        UnaryOp::Round,
        UnaryOp::Reciprocal,
        UnaryOp::Log1p,
        UnaryOp::Expm1,
        UnaryOp::Sin,
        UnaryOp::Cos,
    ];

    /// The public (TS) name of the op.
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Abs => "abs",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Square => "square",
            UnaryOp::Sign => "sign",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::Reciprocal => "reciprocal",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Expm1 => "expm1",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
        }
    }

    pub fn from_id(id: u32) -> Option<UnaryOp> {
        UnaryOp::ALL.get(id as usize).copied()
    }

    /// The scalar definition.
    #[inline(always)]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            UnaryOp::Neg => -x,
            UnaryOp::Abs => x.abs(),
            UnaryOp::Exp => crate::kernels::transcendental::scalar::exp_one(x),
            UnaryOp::Log => crate::kernels::transcendental::scalar::ln_one(x),
            UnaryOp::Sqrt => x.sqrt(),
            UnaryOp::Square => x * x,
            // NOTE: sign(0) = 0 and sign(NaN) = NaN, as in NumPy and TF.js.
            UnaryOp::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x * 0.0
                }
            }
            UnaryOp::Floor => x.floor(),
            UnaryOp::Ceil => x.ceil(),
            // NOTE: halves round to even, as TF.js `round` does.
            UnaryOp::Round => x.round_ties_even(),
            UnaryOp::Reciprocal => 1.0 / x,
            UnaryOp::Log1p => x.ln_1p(),
            UnaryOp::Expm1 => x.exp_m1(),
            UnaryOp::Sin => x.sin(),
            UnaryOp::Cos => x.cos(),
        }
    }
}

/// `op(x)` element-wise.
#[inline(never)]
pub fn unary(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    let mut v = crate::tensor::alloc_empty(op.name(), x.size())?;
    if k::unary_into(op, x.data(), &mut v) {
        return Tensor::new(op.name(), x.shape().clone(), v);
    }
    let mut out = Tensor::zeros(op.name(), x.shape().clone())?;
    k::unary(op, x.data(), out.data_mut());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let x = Tensor::new("t", [5].into(), vec![-2.5, -0.0, 0.5, 1.5, 4.0]).unwrap();
        assert_eq!(unary(UnaryOp::Sign, &x).unwrap().data()[..], [-1., 0., 1., 1., 1.]);
        assert_eq!(unary(UnaryOp::Round, &x).unwrap().data()[..], [-2., -0., 0., 2., 4.]);
        assert_eq!(unary(UnaryOp::Sqrt, &x).unwrap().data()[4], 2.0);
        assert!(unary(UnaryOp::Log, &x).unwrap().data()[0].is_nan());
        let s = unary(UnaryOp::Exp, &Tensor::scalar(0.0)).unwrap();
        assert_eq!((s.rank(), s.data()[0]), (0, 1.0));
    }
}
