//! `thresholdedReLU`: `y = x` where `x > θ`, else 0 (TF.js's and Keras 2's `ThresholdedReLU`,
//! default θ = 1). Computed as TF.js does, `x · (x > θ ? 1 : 0)`, so its bits: a negative `x`
//! below θ gives −0, and `−Infinity` gives NaN (−∞ · 0), as in TF.js.
//!
//! # Backward
//! `dx = dy · (x > θ ? 1 : 0)` (TF.js's rule for that product; the comparison has none).

use super::{no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::{Result, Tensor};

pub struct ThresholdedRelu {
    theta: f32,
    /// The input of the last forward that kept it.
    x: Option<Tensor>,
}

impl ThresholdedRelu {
    /// Layout: `theta` (a finite number >= 0).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<ThresholdedRelu> {
        let theta = Reader::new("thresholdedReLU", p).f32("theta")?;
        if !(theta.is_finite() && theta >= 0.0) {
            return Err(super::out_of_range("thresholdedReLU", "theta", "a finite number >= 0", theta));
        }
        Ok(ThresholdedRelu { theta, x: None })
    }

    fn mask(&self, x: f32) -> f32 {
        if x > self.theta {
            1.0
        } else {
            0.0
        }
    }
}

impl Layer for ThresholdedRelu {
    /// Keras 3's `supports_masking`: the mask passes on.
    fn masking(&self) -> super::Masking {
        super::Masking::Pass
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "thresholdedReLU"
    }

    /// No weights: any per-sample shape the layer takes (shared at several shapes, as TF.js).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        Ok(input.to_vec())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let mut y = Tensor::zeros("thresholdedReLU", x.shape().clone())?;
        for (o, &v) in y.data_mut().iter_mut().zip(x.data()) {
            *o = v * self.mask(v);
        }
        if mode.keeps() {
            self.x = Some(x);
        }
        Ok(y)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let x = self.x.take().ok_or_else(|| no_forward("thresholdedReLU"))?;
        let theta = self.theta;
        for (d, &v) in dy.try_data_mut("thresholdedReLU")?.iter_mut().zip(x.data()) {
            *d *= if v > theta { 1.0 } else { 0.0 };
        }
        Ok(dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_rule_by_hand() {
        let mut l = ThresholdedRelu::from_abi(&[1.0]).unwrap();
        let x = Tensor::new("t", [1, 7].into(), vec![-2., 0., 1., 1.5, f32::INFINITY, f32::NEG_INFINITY, f32::NAN]).unwrap();
        let y = l.forward(x, Mode::Trace).unwrap();
        let want = [-0.0f32, 0., 0., 1.5, f32::INFINITY, f32::NAN, f32::NAN];
        for (g, w) in y.data().iter().zip(want) {
            assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "{g} vs {w}");
        }
        assert_eq!(y.data()[0].to_bits(), (-0.0f32).to_bits(), "-2 · 0 is -0, as TF.js");
        let dx = l.backward(Tensor::new("t", [1, 7].into(), vec![3.; 7]).unwrap()).unwrap();
        assert_eq!(&dx.data()[..5], &[0., 0., 0., 3., 3.]);
        let mut z = ThresholdedRelu::from_abi(&[0.0]).unwrap();
        assert_eq!(z.forward(Tensor::new("t", [1, 2].into(), vec![0., 1e-30]).unwrap(), Mode::Infer).unwrap().data(), &[0., 1e-30]);
    }

    #[test]
    fn theta_must_be_finite_and_non_negative() {
        for bad in [-0.5, f32::NAN, f32::INFINITY] {
            assert!(ThresholdedRelu::from_abi(&[bad]).err().unwrap().to_string().contains("theta must be a finite number >= 0"));
        }
    }
}
