//! `repeatVector`: each sample's vector repeated `n` times, `[batch, features]` →
//! `[batch, n, features]` (TF.js's and Keras's `RepeatVector`; an encoder's code fed to every
//! step of a sequence decoder).
//!
//! The `tile` op on `[batch, 1, features]` with reps `[1, n, 1]`; backward is tile's rule, the
//! sum of `dy` over the `n` copies.

use super::{no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::ops::tile::{tile, tile_backward};
use crate::{bail, Error, Result, Shape, Tensor};

pub struct RepeatVector {
    n: usize,
    /// Per-sample `features`, once built.
    features: Option<usize>,
    /// The input's shape, kept by a forward that keeps values.
    kept: Option<Shape>,
}

impl RepeatVector {
    /// Layout: `n` (an integer from 1 to 2^24 − 1).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<RepeatVector> {
        let n = Reader::new("repeatVector", p).usize("n")?;
        if n == 0 || n >= 1 << 24 {
            bail!("repeatVector", "n must be an integer from 1 to 16777215, got {n}");
        }
        Ok(RepeatVector { n, features: None, kept: None })
    }

    fn reps(&self) -> [i64; 3] {
        [1, self.n as i64, 1]
    }
}

impl Layer for RepeatVector {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "repeatVector"
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let &[f] = input else {
            bail!("repeatVector", "expects per-sample inputs of shape [features] (a batch [batch, features]), got per-sample shape {}", Shape::from(input));
        };
        Shape::new("repeatVector", &[self.n, f])?;
        self.features = Some(f);
        Ok(vec![self.n, f])
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let f = self.features.ok_or_else(|| Error::Internal { msg: "repeatVector used before build".into() })?;
        if x.rank() != 2 || x.dims()[1] != f {
            bail!("repeatVector", "input has shape {} but the layer was built for [batch, {f}]", x.shape());
        }
        let b = x.dims()[0];
        let y = tile(&x.clone().with_shape(Shape::from([b, 1, f])), &self.reps())?;
        if mode.keeps() {
            self.kept = Some(x.shape().clone());
        }
        Ok(y)
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let s = self.kept.take().ok_or_else(|| no_forward("repeatVector"))?;
        let (b, f) = (s.dims()[0], s.dims()[1]);
        Ok(tile_backward(&Shape::from([b, 1, f]), &self.reps(), &dy)?.with_shape(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_each_vector_and_sums_the_copies_back() {
        let mut l = RepeatVector::from_abi(&[3.0]).unwrap();
        assert_eq!(l.build(&[2], Init::seeded(0)).unwrap(), vec![3, 2]);
        let x = Tensor::new("t", Shape::from([2, 2]), vec![1., 2., 3., 4.]).unwrap();
        let y = l.forward(x, Mode::Trace).unwrap();
        assert_eq!(y.dims(), &[2, 3, 2]);
        assert_eq!(y.data(), &[1., 2., 1., 2., 1., 2., 3., 4., 3., 4., 3., 4.]);
        let dy = Tensor::new("t", Shape::from([2, 3, 2]), (0..12).map(|i| i as f32).collect()).unwrap();
        let dx = l.backward(dy).unwrap();
        assert_eq!((dx.dims(), dx.data()), (&[2, 2][..], &[6., 9., 24., 27.][..]));
    }

    #[test]
    fn errors() {
        let e = RepeatVector::from_abi(&[3.0]).unwrap().build(&[2, 2], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "repeatVector: expects per-sample inputs of shape [features] (a batch [batch, features]), got per-sample shape [2,2]");
        assert!(RepeatVector::from_abi(&[0.0]).err().unwrap().to_string().contains("n must be an integer from 1"));
        assert!(RepeatVector::from_abi(&[]).is_err());
    }
}
