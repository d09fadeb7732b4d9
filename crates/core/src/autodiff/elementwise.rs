//! Backward rules of the element-wise ops (`ops/unary.rs`, `ops/binary.rs`, `ops/select.rs`).
//!
//! Binary gradients are summed back to each input's shape when it was broadcast.
//! Piecewise-constant ops (`sign floor ceil round`, comparisons) pass no gradient, as in TF.js.
//!
//! | op | ∂/∂a | ∂/∂b |
//! |---|---|---|
//! | `a + b`, `a − b` | 1 | ±1 |
//! | `a · b` | b | a |
//! | `a / b` | 1/b | −a/b² |
//! | `a ** b` | b·a^(b−1) | ln(a)·a^b (0 where a ≤ 0) |
//! | `maximum` | [a ≥ b] | [a < b] |
//! | `minimum` | [a ≤ b] | [a > b] |
//! | `atan2(a, b)` | b/(a²+b²) | −a/(a²+b²) |
//! | `mod(a, b)` | 1 | −⌊a/b⌋ |
//! | `floorDiv(a, b)` | 1/b | −a/b² (TF.js's: those of `a / b`) |

use super::sum_to;
use crate::ops::binary::{binary, BinaryOp as B};
use crate::ops::unary::{unary, UnaryOp as U};
use crate::{Result, Tensor};

fn map2(a: &Tensor, b: &Tensor, f: impl Fn(f32, f32) -> f32) -> Result<Tensor> {
    let mut out = Tensor::zeros("grad", a.shape().clone())?;
    for ((o, &x), &y) in out.data_mut().iter_mut().zip(a.data()).zip(b.data()) {
        *o = f(x, y);
    }
    Ok(out)
}

/// `f(x)` evaluated in f64, rounded once.
fn w(x: f32, f: impl Fn(f64) -> f64) -> f32 {
    f(f64::from(x)) as f32
}

/// `dx` for `y = op(x)` given `g = dL/dy`.
pub fn unary_backward(op: U, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Option<Tensor>> {
    let d = |f: &dyn Fn(f32, f32) -> f32| -> Result<Option<Tensor>> {
        let mut out = Tensor::zeros("grad", x.shape().clone())?;
        for (((o, &xv), &yv), &gv) in out.data_mut().iter_mut().zip(x.data()).zip(y.data()).zip(g.data()) {
            *o = gv * f(xv, yv);
        }
        Ok(Some(out))
    };
    match op {
        U::Neg => d(&|_, _| -1.0),
        // NaN at NaN (as relu's and sqrt's rules, and TF.js), 0 at ±0.
        U::Abs => d(&|x, _| if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else if x == 0.0 { 0.0 } else { x }),
        U::Exp => d(&|_, y| y),
        U::Log => d(&|x, _| 1.0 / x),
        U::Sqrt => d(&|_, y| 0.5 / y),
        U::Square => d(&|x, _| 2.0 * x),
        U::Reciprocal => d(&|x, _| -1.0 / (x * x)),
        U::Log1p => d(&|x, _| 1.0 / (1.0 + x)),
        // e^x, not y + 1: for x < −8 that sum cancels in f32 (e^−17 came out 44 % high, e^−20 as 0).
        U::Expm1 => d(&|x, _| w(x, f64::exp)),
        U::Sin => d(&|x, _| x.cos()),
        U::Cos => d(&|x, _| -x.sin()),
        // The new ops' derivatives in f64 (as their values), the forms TF.js's gradients use.
        U::Tan => d(&|x, _| w(x, |x| 1.0 / (x.cos() * x.cos()))),
        U::Asin => d(&|x, _| w(x, |x| 1.0 / (1.0 - x * x).sqrt())),
        U::Acos => d(&|x, _| w(x, |x| -1.0 / (1.0 - x * x).sqrt())),
        U::Atan => d(&|x, _| w(x, |x| 1.0 / (1.0 + x * x))),
        U::Sinh => d(&|x, _| w(x, f64::cosh)),
        U::Cosh => d(&|x, _| w(x, f64::sinh)),
        U::Asinh => d(&|x, _| w(x, |x| 1.0 / (1.0 + x * x).sqrt())),
        U::Acosh => d(&|x, _| w(x, |x| 1.0 / (x * x - 1.0).sqrt())),
        U::Atanh => d(&|x, _| w(x, |x| 1.0 / (1.0 - x * x))),
        U::Erf => d(&|x, _| w(x, |x| core::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp())),
        U::Rsqrt => d(&|x, _| w(x, |x| -0.5 / (x * x.sqrt()))),
        U::Sign | U::Floor | U::Ceil | U::Round => Ok(None),
    }
}

/// `(da, db)` for `y = op(a, b)` (broadcast) given `g = dL/dy`.
#[inline(never)]
pub fn binary_backward(op: B, a: &Tensor, b: &Tensor, y: &Tensor, g: &Tensor) -> Result<(Option<Tensor>, Option<Tensor>)> {
    // Broadcast both inputs to the output shape once, so the rules are element-wise.
    let full = |t: &Tensor| -> Result<Tensor> {
        if t.shape() == g.shape() {
            Ok(t.clone())
        } else {
            binary(B::Add, t, &Tensor::zeros("grad", g.shape().clone())?)
        }
    };
    let back = |da: Tensor, db: Tensor| -> Result<(Option<Tensor>, Option<Tensor>)> {
        Ok((Some(sum_to(da, a.shape())?), Some(sum_to(db, b.shape())?)))
    };
    match op {
        B::Add => back(g.clone(), g.clone()),
        B::Sub => back(g.clone(), unary(U::Neg, g)?),
        B::Mul => back(binary(B::Mul, g, b)?, binary(B::Mul, g, a)?),
        B::Div => {
            let (fa, fb) = (full(a)?, full(b)?);
            let da = map2(g, &fb, |g, b| g / b)?;
            let t = map2(&fa, &fb, |a, b| -a / (b * b))?;
            back(da, binary(B::Mul, g, &t)?)
        }
        B::Pow => {
            let (fa, fb) = (full(a)?, full(b)?);
            let da = map2(&fa, &fb, |a, b| b * crate::kernels::pow::pow_one(a, b - 1.0))?;
            let mut db = Tensor::zeros("grad", g.shape().clone())?;
            for (((o, &av), &yv), &gv) in db.data_mut().iter_mut().zip(fa.data()).zip(y.data()).zip(g.data()) {
                // TF.js's where(a > 0, log a, 0) · y: NaN where the value is NaN or infinite
                // (a negative base with a fractional exponent, 0 to a negative power).
                *o = if av > 0.0 { gv * av.ln() * yv } else { gv * (yv * 0.0) };
            }
            back(binary(B::Mul, g, &da)?, db)
        }
        B::Maximum | B::Minimum => {
            let (fa, fb) = (full(a)?, full(b)?);
            let pick_a = |x: f32, y: f32| if op == B::Maximum { x >= y } else { x <= y };
            let mask = map2(&fa, &fb, |x, y| if pick_a(x, y) { 1.0 } else { 0.0 })?;
            let da = binary(B::Mul, g, &mask)?;
            let db = map2(g, &mask, |g, m| g * (1.0 - m))?;
            back(da, db)
        }
        B::Atan2 => {
            // ∂/∂a = b / (a² + b²), ∂/∂b = −a / (a² + b²), in f64.
            let (fa, fb) = (full(a)?, full(b)?);
            let r2 = |a: f32, b: f32| f64::from(a).powi(2) + f64::from(b).powi(2);
            let ga = map2(&fa, &fb, |a, b| (f64::from(b) / r2(a, b)) as f32)?;
            let gb = map2(&fa, &fb, |a, b| (-f64::from(a) / r2(a, b)) as f32)?;
            back(binary(B::Mul, g, &ga)?, binary(B::Mul, g, &gb)?)
        }
        // a mod b = a − ⌊a/b⌋·b: 1 and −⌊a/b⌋ (TF.js's rule).
        B::Mod => {
            // ⌊a/b⌋ has the broadcast shape already, that of g.
            let q = binary(B::FloorDiv, a, b)?;
            back(g.clone(), map2(g, &q, |g, q| -g * q)?)
        }
        // NOTE: TF.js differentiates floorDiv as `div` (its FloorDiv gradient is RealDiv's, a
        // straight-through estimate); TensorFlow and JAX give zeros. We follow TF.js.
        B::FloorDiv => binary_backward(B::Div, a, b, &binary(B::Div, a, b)?, g),
        B::Equal | B::NotEqual | B::Greater | B::GreaterEqual | B::Less | B::LessEqual => Ok((None, None)),
    }
}

/// `(da, db)` for `y = where(cond, a, b)`.
pub fn where_backward(cond: &Tensor, a: &Tensor, b: &Tensor, g: &Tensor) -> Result<(Tensor, Tensor)> {
    let c = if cond.shape() == g.shape() { cond.clone() } else { binary(B::Add, cond, &Tensor::zeros("grad", g.shape().clone())?)? };
    let da = map2(g, &c, |g, c| if c != 0.0 { g } else { 0.0 })?;
    let db = map2(g, &c, |g, c| if c != 0.0 { 0.0 } else { g })?;
    Ok((sum_to(da, a.shape())?, sum_to(db, b.shape())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of `sum(op(a, b) · w)` against the rule, with broadcasting.
    #[test]
    fn binary_rules_match_finite_differences() {
        let a = Tensor::new("t", [2, 3].into(), vec![0.7, 1.3, 2.1, 0.4, 1.9, 0.9]).unwrap();
        let b = Tensor::new("t", [3].into(), vec![1.1, 0.6, 1.7]).unwrap();
        let w = Tensor::new("t", [2, 3].into(), vec![0.3, -0.2, 0.5, 1.0, -0.7, 0.1]).unwrap();
        for op in [B::Add, B::Sub, B::Mul, B::Div, B::Pow, B::Maximum, B::Minimum, B::Atan2, B::Mod] {
            let y = binary(op, &a, &b).unwrap();
            let (da, db) = binary_backward(op, &a, &b, &y, &w).unwrap();
            let f = |a: &Tensor, b: &Tensor| -> f32 { binary(op, a, b).unwrap().data().iter().zip(w.data()).map(|(y, w)| y * w).sum() };
            let eps = 1e-3;
            for (t, grad, is_a) in [(&a, da.unwrap(), true), (&b, db.unwrap(), false)] {
                for i in 0..t.size() {
                    let mut p = t.clone();
                    p.data_mut()[i] += eps;
                    let mut m = t.clone();
                    m.data_mut()[i] -= eps;
                    let num = if is_a { (f(&p, &b) - f(&m, &b)) / (2.0 * eps) } else { (f(&a, &p) - f(&a, &m)) / (2.0 * eps) };
                    assert!((num - grad.data()[i]).abs() < 2e-2 * (1.0 + num.abs()), "{op:?} {} [{i}]: {num} vs {}", if is_a { "a" } else { "b" }, grad.data()[i]);
                }
            }
        }
    }

    /// expm1's derivative is e^x rounded once, also where expm1(x) + 1 cancels in f32 (x < −8:
    /// e^−17 came out 44 % high and e^−20 as 0 when the rule read the output).
    #[test]
    fn expm1_rule_is_exp_where_the_output_cancels() {
        let v = vec![-8.0, -12.0, -16.0, -17.0, -20.0, -30.0, -100.0, -104.0, 0.0, 1e-30, 5.0];
        let x = Tensor::new("t", [v.len()].into(), v.clone()).unwrap();
        let y = unary(U::Expm1, &x).unwrap();
        let g = Tensor::new("t", [v.len()].into(), vec![1.0; v.len()]).unwrap();
        let d = unary_backward(U::Expm1, &x, &y, &g).unwrap().unwrap();
        for (&xv, &dv) in v.iter().zip(d.data()) {
            assert_eq!(dv, f64::from(xv).exp() as f32, "x = {xv}");
        }
        assert!(d.data()[6] > 0.0, "e^-100 is a subnormal, not 0");
    }

    #[test]
    fn unary_rules_match_finite_differences() {
        for op in U::ALL {
            // Points inside each op's domain (asin, acos, atanh: |x| < 1; acosh: x > 1).
            let v = match op {
                U::Asin | U::Acos | U::Atanh => vec![-0.7, -0.2, 0.3, 0.8],
                U::Acosh => vec![1.2, 1.7, 2.5, 7.0],
                U::Tan => vec![-1.2, 0.3, 0.8, 1.3],
                _ => vec![0.3, 0.8, 1.7, 2.5],
            };
            let x = Tensor::new("t", [4].into(), v).unwrap();
            let y = unary(op, &x).unwrap();
            let g = Tensor::new("t", [4].into(), vec![1.0; 4]).unwrap();
            let Some(d) = unary_backward(op, &x, &y, &g).unwrap() else { continue };
            for i in 0..4 {
                let eps = 1e-3;
                let f = |v: f32| {
                    let t = Tensor::new("t", [1].into(), vec![v]).unwrap();
                    unary(op, &t).unwrap().data()[0]
                };
                let num = (f(x.data()[i] + eps) - f(x.data()[i] - eps)) / (2.0 * eps);
                assert!((num - d.data()[i]).abs() < 1e-2 * (1.0 + num.abs()), "{op:?}[{i}]: {num} vs {}", d.data()[i]);
            }
        }
    }
}
