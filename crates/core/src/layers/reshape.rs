//! `reshape` and `flatten`: change the per-sample shape, keeping the batch dimension.
//! `flatten` is `reshape([-1])`. The values are untouched, so backward reshapes `dy` back.

use super::{no_forward, Init, Layer, Mode};
use crate::ops::reshape::resolve_shape;
use crate::{Result, Shape, Tensor};

pub struct Reshape {
    kind: &'static str,
    /// Requested per-sample shape (one entry may be -1).
    target: Vec<i64>,
    /// Resolved per-sample output shape.
    out: Vec<usize>,
    in_shape: Option<Shape>,
}

impl Reshape {
    pub fn reshape(target: Vec<i64>) -> Reshape {
        Reshape { kind: "reshape", target, out: Vec::new(), in_shape: None }
    }

    pub fn flatten() -> Reshape {
        Reshape { kind: "flatten", target: vec![-1], out: Vec::new(), in_shape: None }
    }
}

impl Layer for Reshape {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        self.kind
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let n: usize = input.iter().product();
        self.out = resolve_shape("reshape", n, &Shape::from(input), &self.target)?.dims().to_vec();
        Ok(self.out.clone())
    }

    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let batch = x.dims().first().copied().unwrap_or(1);
        let mut dims = vec![batch];
        dims.extend(&self.out);
        let shape = Shape::new("reshape", &dims)?;
        if shape.size() != x.size() {
            return Err(crate::Error::shape("reshape", format!("cannot reshape input {} to {} per sample", x.shape(), Shape::from(&self.out[..]))));
        }
        if mode.keeps() {
            self.in_shape = Some(x.shape().clone());
        }
        Ok(x.with_shape(shape))
    }

    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let s = self.in_shape.take().ok_or_else(|| no_forward(self.kind))?;
        Ok(dy.with_shape(s))
    }
}
