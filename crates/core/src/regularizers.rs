//! Weight and activity regularizers: `l1`, `l2`, `l1l2`.
//!
//! Penalty `R(w) = l1·Σ|w| + l2·Σw²`, gradient `l1·sign(w) + 2·l2·w` (Keras definitions;
//! Keras defaults are l1 = l2 = 0.01). Activity regularizers apply `R` to a layer's output
//! and, as in Keras, divide the penalty by the batch size.

use crate::{bail, Result};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Regularizer {
    pub l1: f32,
    pub l2: f32,
}

impl Regularizer {
    /// From ABI parameters `[l1, l2]`; `None` when both are zero.
    pub fn from_abi(l1: f32, l2: f32) -> Result<Option<Regularizer>> {
        for (name, v) in [("l1", l1), ("l2", l2)] {
            if !v.is_finite() || v < 0.0 {
                bail!("regularizer", "{name} must be a finite number >= 0, got {v}");
            }
        }
        Ok((l1 != 0.0 || l2 != 0.0).then_some(Regularizer { l1, l2 }))
    }

    /// `R(w)`.
    pub fn penalty(&self, w: &[f32]) -> f32 {
        let (mut a, mut s) = (0.0f32, 0.0f32);
        for &x in w {
            a += x.abs();
            s += x * x;
        }
        self.l1 * a + self.l2 * s
    }

    /// `grad += scale · dR/dw`.
    pub fn add_grad(&self, w: &[f32], grad: &mut [f32], scale: f32) {
        let (l1, l2) = (self.l1 * scale, 2.0 * self.l2 * scale);
        for (g, &x) in grad.iter_mut().zip(w) {
            let sign = if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 };
            *g += l1 * sign + l2 * x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_and_gradient() {
        let r = Regularizer { l1: 0.1, l2: 0.5 };
        let w = [1.0, -2.0, 0.0];
        assert!((r.penalty(&w) - (0.1 * 3.0 + 0.5 * 5.0)).abs() < 1e-6);
        let mut g = [0.0; 3];
        r.add_grad(&w, &mut g, 1.0);
        assert_eq!(g, [0.1 + 1.0, -0.1 - 2.0, 0.0]);
        // Finite differences agree away from the kink.
        let h = 1e-3;
        let f = |x: f32| r.penalty(&[x]);
        let fd = (f(0.7 + h) - f(0.7 - h)) / (2.0 * h);
        let mut g1 = [0.0];
        r.add_grad(&[0.7], &mut g1, 1.0);
        assert!((fd - g1[0]).abs() < 1e-2);
        assert_eq!(Regularizer::from_abi(0.0, 0.0).unwrap(), None);
        assert!(Regularizer::from_abi(-1.0, 0.0).is_err());
    }
}
