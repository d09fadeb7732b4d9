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
    Tan = 15,
    Asin = 16,
    Acos = 17,
    Atan = 18,
    Sinh = 19,
    Cosh = 20,
    Asinh = 21,
    Acosh = 22,
    Atanh = 23,
    Erf = 24,
    Rsqrt = 25,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 26] = [
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
        UnaryOp::Tan,
        UnaryOp::Asin,
        UnaryOp::Acos,
        UnaryOp::Atan,
        UnaryOp::Sinh,
        UnaryOp::Cosh,
        UnaryOp::Asinh,
        UnaryOp::Acosh,
        UnaryOp::Atanh,
        UnaryOp::Erf,
        UnaryOp::Rsqrt,
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
            UnaryOp::Tan => "tan",
            UnaryOp::Asin => "asin",
            UnaryOp::Acos => "acos",
            UnaryOp::Atan => "atan",
            UnaryOp::Sinh => "sinh",
            UnaryOp::Cosh => "cosh",
            UnaryOp::Asinh => "asinh",
            UnaryOp::Acosh => "acosh",
            UnaryOp::Atanh => "atanh",
            UnaryOp::Erf => "erf",
            UnaryOp::Rsqrt => "rsqrt",
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
            UnaryOp::Log1p => crate::kernels::transcendental::scalar::log1p_one(x),
            UnaryOp::Expm1 => x.exp_m1(),
            UnaryOp::Sin => x.sin(),
            UnaryOp::Cos => x.cos(),
            // NOTE: the inverse and hyperbolic functions, `tan`, `erf` and `rsqrt` are computed
            // in f64 and rounded once, as TF.js computes them (`Math.*` on the float32 values):
            // correctly rounded nearly everywhere, and no f32 overflow in the intermediates
            // (`acosh(3e38)`, `sinh(89)`).
            UnaryOp::Cosh => crate::kernels::transcendental::scalar::cosh_one(x),
            _ => wide(self, f64::from(x)) as f32,
        }
    }
}

/// The f64 definitions [`UnaryOp::apply`] rounds (the other ops are not reached).
#[inline(never)]
fn wide(op: UnaryOp, x: f64) -> f64 {
    match op {
        UnaryOp::Tan => x.tan(),
        // Through atan2 (linked for its own op): (1 − x)(1 + x) is exact in f64 for a float32 x.
        UnaryOp::Asin => x.atan2(((1.0 - x) * (1.0 + x)).sqrt()),
        UnaryOp::Acos => ((1.0 - x) * (1.0 + x)).sqrt().atan2(x),
        UnaryOp::Atan => x.atan(),
        UnaryOp::Sinh => x.sinh(),
        // NOTE: in f64, std's formulas neither overflow nor lose accuracy anywhere in f32's
        // range (`acosh(3e38)`, `asinh(1e-30)`, `atanh(1 − 2⁻²⁴)`).
        UnaryOp::Asinh => x.asinh(),
        UnaryOp::Acosh => x.acosh(),
        UnaryOp::Atanh => x.atanh(),
        UnaryOp::Erf => crate::activations::erf::erf(x),
        UnaryOp::Rsqrt => 1.0 / x.sqrt(),
        _ => f64::from(op.apply(x as f32)),
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
    fn wide_ops_round_the_f64_value_once() {
        let x = Tensor::new("t", [6].into(), vec![-0.5, 1e-30, 0.75, 1.0, 89.0, 3e38]).unwrap();
        for op in UnaryOp::ALL.into_iter().skip(15) {
            let y = unary(op, &x).unwrap();
            for (&v, &o) in x.data().iter().zip(y.data()) {
                let w = f64::from(v);
                let want = match op {
                    UnaryOp::Tan => w.tan(),
                    UnaryOp::Asin => w.asin(),
                    UnaryOp::Acos => w.acos(),
                    UnaryOp::Atan => w.atan(),
                    UnaryOp::Sinh => w.sinh(),
                    UnaryOp::Cosh => w.cosh(),
                    UnaryOp::Asinh => w.asinh(),
                    UnaryOp::Acosh => w.acosh(),
                    UnaryOp::Atanh => w.atanh(),
                    UnaryOp::Erf => crate::activations::erf::erf(w),
                    UnaryOp::Rsqrt => 1.0 / w.sqrt(),
                    _ => unreachable!("{op:?}"),
                } as f32;
                assert!(o.to_bits() == want.to_bits() || (o.is_nan() && want.is_nan()), "{}({v}) = {o}, want {want}", op.name());
            }
        }
        // asin and acos through atan2 give libm's values on a dense grid of [-1, 1].
        let grid: Vec<f32> = (0..=20_000).map(|i| i as f32 / 10_000.0 - 1.0).collect();
        let g = Tensor::new("t", [grid.len()].into(), grid.clone()).unwrap();
        for (op, f) in [(UnaryOp::Asin, f64::asin as fn(f64) -> f64), (UnaryOp::Acos, f64::acos)] {
            let y = unary(op, &g).unwrap();
            assert!(grid.iter().zip(y.data()).all(|(&v, &o)| o == f(f64::from(v)) as f32), "{}", op.name());
        }
        // Where f32 intermediates would overflow or round away the answer.
        let big = |op, v: f32| unary(op, &Tensor::scalar(v)).unwrap().data()[0];
        assert_eq!(big(UnaryOp::Sinh, 89.0), (89f64.sinh()) as f32);
        assert!(big(UnaryOp::Sinh, 89.0).is_finite());
        assert!((big(UnaryOp::Acosh, 3e38) - 89.29).abs() < 1e-3);
        assert_eq!(big(UnaryOp::Asinh, 1e-30), 1e-30);
        assert_eq!(big(UnaryOp::Erf, f32::INFINITY), 1.0);
        assert_eq!(big(UnaryOp::Rsqrt, 0.0), f32::INFINITY);
        assert!(big(UnaryOp::Acosh, 0.5).is_nan() && big(UnaryOp::Asin, 1.5).is_nan());
    }

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
