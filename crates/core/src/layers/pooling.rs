//! `maxPooling2d`, `averagePooling2d` and their global forms `globalMaxPooling2d`,
//! `globalAveragePooling2d`: pooling over `[batch, h, w, channels]` (channels last), each channel
//! on its own, with the kernels of [`crate::ops::pool`]. A global pooling's window is the whole
//! input and its per-sample output `[channels]` (Keras drops the two spatial axes).

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::ops::pool;
use crate::ops::window::{Placement, Window};
use crate::{bail, Error, Result, Shape, Tensor};

pub struct Pooling {
    kind: &'static str,
    max: bool,
    /// `None` for a global pooling until build.
    window: Option<Window>,
    place: Option<Placement>,
    /// Kept by a forward for backward: the input's shape and, for max pooling, the input index
    /// of each output value.
    kept: Option<(Shape, Vec<u32>)>,
}

impl Pooling {
    /// `maxPooling2d` / `averagePooling2d` from `poolSize(2), strides(2), dilationRate(2), same`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(kind: &'static str, max: bool, p: &[f32]) -> Result<Pooling> {
        let mut r = Reader::new(kind, p);
        let window = Window::from_abi(&mut r, "poolSize")?;
        if window.dilation != [1, 1] {
            bail!(kind, "dilationRate must be [1, 1] for pooling, got [{}, {}]", window.dilation[0], window.dilation[1]);
        }
        Ok(Pooling { kind, max, window: Some(window), place: None, kept: None })
    }

    /// `globalMaxPooling2d` / `globalAveragePooling2d`.
    pub fn global(kind: &'static str, max: bool) -> Pooling {
        Pooling { kind, max, window: None, place: None, kept: None }
    }
}

impl Layer for Pooling {
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
        let global = self.window.is_none();
        let win = match (self.window, input) {
            (Some(w), _) => w,
            (None, &[h, w, _]) if h > 0 && w > 0 => Window { size: [h, w], strides: [1, 1], dilation: [1, 1], same: false },
            // Let `place` name the wrong rank (an empty input has no window to pool).
            (None, _) => Window { size: [1, 1], strides: [1, 1], dilation: [1, 1], same: false },
        };
        let p = win.place(self.kind, input)?;
        self.place = Some(p);
        Ok(if global { vec![p.c] } else { vec![p.oh, p.ow, p.c] })
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let p = self.place.ok_or_else(|| Error::Internal { msg: format!("{} used before build", self.kind) })?;
        let batch = image_batch(self.kind, &x, [p.h, p.w, p.c])?;
        let (y, arg) = if self.max {
            pool::max_forward(self.kind, &p, x.data(), batch, mode.keeps())?
        } else if self.window.is_none() {
            // Global: the mean over height and width, the rows added pairwise (a window's
            // running f32 sum lost ~0.2 % over 200,000 positions); the same bits up to 32.
            let view = x.clone().with_shape(Shape::new(self.kind, &[batch, p.h * p.w, p.c])?);
            (crate::ops::reduce::reduce(crate::ops::reduce::ReduceOp::Mean, &view, &[1], false)?.into_data(), Vec::new())
        } else {
            (pool::avg_forward(self.kind, &p, x.data(), batch)?, Vec::new())
        };
        if mode.keeps() {
            self.kept = Some((x.shape().clone(), arg));
        }
        let dims: &[usize] = if self.window.is_none() { &[batch, p.c] } else { &[batch, p.oh, p.ow, p.c] };
        Tensor::new(self.kind, Shape::new(self.kind, dims)?, y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let (shape, arg) = self.kept.take().ok_or_else(|| no_forward(self.kind))?;
        let p = self.place.expect("built");
        let dx = if self.max { pool::max_backward(self.kind, &arg, dy.data(), shape.size())? } else { pool::avg_backward(self.kind, &p, dy.data(), shape.dims()[0])? };
        Tensor::new(self.kind, shape, dx)
    }
}
