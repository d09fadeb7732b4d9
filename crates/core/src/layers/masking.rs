//! `masking` (TF.js's and Keras 3's `Masking`): a row of the input (every axis but the last:
//! a step of `[batch, steps, features]`) is masked when all its features equal `maskValue`
//! (default 0). The output is the input with masked rows set to 0, and the layer makes the mask
//! the layers after it carry ([`Masking::Make`](super::Masking::Make)): 1 for a row with any
//! feature `!= maskValue`, 0 for a masked one (Keras 3's `compute_mask`,
//! `any(x != mask_value, axis=-1)`; the input's own mask is replaced, as in both).
//!
//! NOTE: Keras 3 writes `where(keep, x, 0)`, TF.js `x · keep`; they differ only in bits no
//! finite masked row has except the sign of zero (`−1 · 0 = −0`) and for an infinite
//! `maskValue` (`∞ · 0 = NaN` in TF.js). This is Keras 3's: a masked row is `+0`.
//!
//! # Backward
//! `dx = dy` on a kept row, 0 on a masked one (the mask has no gradient).

use super::{no_forward, rows_cols, Init, Layer, Mode};
use crate::config::Reader;
use crate::{bail, Result, Tensor};

const OP: &str = "masking";

pub struct MaskingLayer {
    mask_value: f32,
    /// The row mask of the last forward that kept values (its backward's).
    kept: Option<Vec<f32>>,
}

impl MaskingLayer {
    /// Layout: `maskValue` (a number, not NaN: NaN equals nothing, so it would mask nothing).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<MaskingLayer> {
        let mask_value = Reader::new(OP, p).f32("maskValue")?;
        if mask_value.is_nan() {
            return Err(super::out_of_range(OP, "maskValue", "a number (NaN equals no value, so it would mask nothing)", mask_value));
        }
        Ok(MaskingLayer { mask_value, kept: None })
    }

    /// 1 for each row of `x` with a feature `!= maskValue`, else 0.
    fn row_mask(&self, x: &Tensor) -> Vec<f32> {
        let (_, c) = rows_cols(x);
        let v = self.mask_value;
        x.data().chunks_exact(c.max(1)).map(|row| if row.iter().any(|&a| a != v) { 1.0 } else { 0.0 }).collect()
    }
}

/// `t`'s rows times the row mask `m` (1 keeps a row as it is, 0 sets it to +0), in place.
fn keep_rows(t: &mut [f32], m: &[f32], c: usize) {
    for (row, &k) in t.chunks_exact_mut(c.max(1)).zip(m) {
        if k == 0.0 {
            row.fill(0.0);
        }
    }
}

impl Layer for MaskingLayer {
    fn masking(&self) -> super::Masking {
        super::Masking::Make
    }

    fn compute_mask(&self, x: &Tensor) -> Option<Vec<f32>> {
        Some(self.row_mask(x))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        OP
    }

    /// No weights: any per-sample shape with features.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        if input.last().is_none_or(|&c| c == 0) {
            bail!(OP, "the input needs a last axis of features to compare with maskValue (at least one), got per-sample shape {}", crate::Shape::from(input));
        }
        Ok(input.to_vec())
    }

    fn forward(&mut self, mut x: Tensor, mode: Mode) -> Result<Tensor> {
        let (_, c) = rows_cols(&x);
        let m = self.row_mask(&x);
        keep_rows(x.try_data_mut(OP)?, &m, c);
        self.kept = mode.keeps().then_some(m);
        Ok(x)
    }

    fn backward(&mut self, mut dy: Tensor) -> Result<Tensor> {
        let m = self.kept.take().ok_or_else(|| no_forward(OP))?;
        let (_, c) = rows_cols(&dy);
        keep_rows(dy.try_data_mut(OP)?, &m, c);
        Ok(dy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    /// A row is masked only when every feature equals the value (a real step with one 0
    /// feature is kept); the backward passes `dy` on the kept rows only.
    #[test]
    fn masks_rows_whose_features_all_equal_the_value() {
        let mut l = MaskingLayer::from_abi(&[0.0]).unwrap();
        l.build(&[3, 2], Init::seeded(0)).unwrap();
        let x = Tensor::new("t", Shape::from([2, 3, 2]), vec![1., 0., 0., 0., -2., 3., 0., 0., 0., 0., 0., 5.]).unwrap();
        assert_eq!(l.compute_mask(&x).unwrap(), vec![1., 0., 1., 0., 0., 1.]);
        let y = l.forward(x, Mode::Trace).unwrap();
        assert_eq!(y.data(), &[1., 0., 0., 0., -2., 3., 0., 0., 0., 0., 0., 5.]);
        let dy = Tensor::new("t", Shape::from([2, 3, 2]), (1..=12).map(|v| v as f32).collect()).unwrap();
        assert_eq!(l.backward(dy).unwrap().data(), &[1., 2., 0., 0., 5., 6., 0., 0., 0., 0., 11., 12.]);
        // Infinity is a value like another, and its masked rows are +0 (Keras 3's where; TF.js's
        // product gives NaN).
        let mut l = MaskingLayer::from_abi(&[f32::INFINITY]).unwrap();
        let x = Tensor::new("t", Shape::from([2, 2]), vec![f32::INFINITY, f32::INFINITY, f32::INFINITY, 1.]).unwrap();
        let y = l.forward(x, Mode::Infer).unwrap();
        assert_eq!(y.data(), &[0., 0., f32::INFINITY, 1.]);
        assert!(y.data()[0].is_sign_positive());
        assert!(MaskingLayer::from_abi(&[f32::NAN]).is_err());
        assert!(l.build(&[3, 0], Init::seeded(0)).is_err());
        assert!(l.build(&[], Init::seeded(0)).is_err());
    }
}
