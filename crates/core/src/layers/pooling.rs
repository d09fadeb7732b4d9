//! `maxPooling2d`, `averagePooling2d` and their global forms `globalMaxPooling2d`,
//! `globalAveragePooling2d`: pooling over `[batch, h, w, channels]` (channels last), each channel
//! on its own, with the kernels of [`crate::ops::pool`]. A global pooling's window is the whole
//! input and its per-sample output `[channels]` (Keras drops the two spatial axes).
//!
//! A windowed max pooling sends `dy` to the first largest value of its window (the kernel's
//! argmax, TF.js's `maxPool`). A global max pooling is TF.js's `tf.max` over height and width,
//! and takes the `max` reduction's backward rule (`autodiff::reduce`): `dy` to every position
//! equal to the maximum, ties included, as TF.js's `dy · (x == max)`.

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::autodiff::reduce::reduce_backward;
use crate::config::Reader;
use crate::ops::reduce::ReduceOp;
use crate::ops::pool;
use crate::ops::window::{Placement, Window};
use crate::{bail, Error, Result, Shape, Tensor};

pub struct Pooling {
    kind: &'static str,
    max: bool,
    /// `None` for a global pooling until build.
    window: Option<Window>,
    place: Option<Placement>,
    /// Kept by a forward for backward.
    kept: Option<Kept>,
}

/// What a forward keeps for backward.
enum Kept {
    /// The input's shape and, for a windowed max pooling, the input index of each output value.
    Window(Shape, Vec<u32>),
    /// A global max pooling's input and output, for the `max` reduction's rule.
    GlobalMax(Tensor, Vec<f32>),
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

    /// The window of a windowed pooling (`None` for a global one).
    pub fn window(&self) -> Option<Window> {
        self.window
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
        let global_max = self.max && self.window.is_none();
        let (y, arg) = if self.max {
            // A global max keeps no argmax: its rule reads the input and the output.
            pool::max_forward(self.kind, &p, x.data(), batch, mode.keeps() && !global_max)?
        } else if self.window.is_none() {
            // Global: the mean over height and width, the rows added pairwise (a window's
            // running f32 sum lost ~0.2 % over 200,000 positions); the same bits up to 32.
            let view = x.clone().with_shape(Shape::new(self.kind, &[batch, p.h * p.w, p.c])?);
            (crate::ops::reduce::reduce(crate::ops::reduce::ReduceOp::Mean, &view, &[1], false)?.into_data(), Vec::new())
        } else {
            (pool::avg_forward(self.kind, &p, x.data(), batch)?, Vec::new())
        };
        self.kept = match (mode.keeps(), global_max) {
            (false, _) => None,
            (true, false) => Some(Kept::Window(x.shape().clone(), arg)),
            (true, true) => Some(Kept::GlobalMax(x, y.clone())),
        };
        let dims: &[usize] = if self.window.is_none() { &[batch, p.c] } else { &[batch, p.oh, p.ow, p.c] };
        Tensor::new(self.kind, Shape::new(self.kind, dims)?, y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let p = self.place.expect("built");
        match self.kept.take().ok_or_else(|| no_forward(self.kind))? {
            Kept::GlobalMax(x, y) => {
                // `x` `[batch, h·w, c]` reduced over axis 1 to `[batch, c]`: the rule of `max(x, 1)`.
                let (shape, batch) = (x.shape().clone(), x.dims()[0]);
                let view = x.with_shape(Shape::new(self.kind, &[batch, p.h * p.w, p.c])?);
                let y = Tensor::new(self.kind, Shape::new(self.kind, &[batch, p.c])?, y)?;
                let dx = reduce_backward(ReduceOp::Max, &view, &y, &dy, &[1], false)?.ok_or_else(|| Error::Internal { msg: format!("{}: max has a gradient", self.kind) })?;
                Ok(dx.with_shape(shape))
            }
            Kept::Window(shape, arg) => {
                let dx = if self.max { pool::max_backward(self.kind, &arg, dy.data(), shape.size())? } else { pool::avg_backward(self.kind, &p, dy.data(), shape.dims()[0])? };
                Tensor::new(self.kind, shape, dx)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(layer: &mut Pooling, input: [usize; 3], x: &[f32], dy: &[f32]) -> (Vec<f32>, Vec<f32>) {
        layer.build(&input, Init::seeded(0)).unwrap();
        let x = Tensor::new("t", [1, input[0], input[1], input[2]].into(), x.to_vec()).unwrap();
        let y = layer.forward(x, Mode::Train { seed: 0, step: 0 }).unwrap();
        let dy = Tensor::new("t", y.shape().clone(), dy.to_vec()).unwrap();
        (y.into_data(), layer.backward(dy).unwrap().into_data())
    }

    /// A global max pooling gives a tied maximum's gradient to every tied position (the `max`
    /// reduction's rule, TF.js's `dy · (x == max)`), +0 and −0 tying; a windowed one to the
    /// first in row-major order (TF.js's `maxPool`); NaN wins the forward and gets no gradient.
    #[test]
    fn ties_global_to_all_windowed_to_the_first() {
        // 2×2, two channels: channel 0 ties 3 at positions 1 and 3, channel 1 ties ±0 everywhere.
        let x = [1.0, 0.0, 3.0, -0.0, 2.0, 0.0, 3.0, -0.0];
        let (y, dx) = run(&mut Pooling::global("globalMaxPooling2d", true), [2, 2, 2], &x, &[2.0, -1.0]);
        assert_eq!(y, [3.0, 0.0]);
        assert_eq!(dx, [0.0, -1.0, 2.0, -1.0, 0.0, -1.0, 2.0, -1.0]);
        let mut windowed = Pooling::from_abi("maxPooling2d", true, &[2., 2., 2., 2., 1., 1., 0.]).unwrap();
        let (y, dx) = run(&mut windowed, [2, 2, 2], &x, &[2.0, -1.0]);
        assert_eq!(y, [3.0, 0.0]);
        assert_eq!(dx, [0.0, -1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let (y, dx) = run(&mut Pooling::global("globalMaxPooling2d", true), [1, 3, 1], &[1.0, f32::NAN, 1.0], &[5.0]);
        assert!(y[0].is_nan());
        assert_eq!(dx, [0.0; 3]);
    }
}
