//! `upSampling2d`: `[batch, h, w, c]` → `[batch, h·size[0], w·size[1], c]` — the decoder's way
//! back up in a convolutional autoencoder — with TF.js's two interpolations.
//!
//! TF.js's UpSampling2D is a resize of the image to `[h·size[0], w·size[1]]` without corner
//! alignment or half-pixel centres, and so is this layer: the `resizeNearestNeighbor` and
//! `resizeBilinear` ops' kernels and backward rules (`ops/resize.rs`), the same bits as TF.js.
//! - `nearest` repeats each row `size[0]` times and each column `size[1]` times (as TF.js, row
//!   `r` reads `⌊(1/size[0])·r⌋` in f64, which is `r / size[0]` but for factors such as 49, where
//!   `(1/49)·49` < 1); backward sums `dy` over each block of copies;
//! - `bilinear` reads row `r` at `r / size[0]`, between rows `⌊·⌋` and `min(⌈·⌉, h − 1)`, and
//!   likewise along columns. Keras 3 resizes with half-pixel centres instead; neurite follows
//!   TF.js. Backward scatters `dy` to the four sources with the same weights.
//!
//! `upSampling1d` (Keras 3's `UpSampling1D`; TF.js has none) is this layer on each sample seen
//! as an image one row high (`one_d.rs`), size `[1, size]`, nearest, with half-pixel centres:
//! output step `o` reads `⌊(o + ½)/size⌋`, which is `⌊o/size⌋` for every size (the half step
//! keeps the f64 product off the integers), so each step is repeated exactly `size` times as
//! Keras's `ops.repeat` does (TF.js's `⌊(1/size)·o⌋` misplaces some steps for sizes such as 49).

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::ops::resize::Resize;
use crate::{bail, Error, Result, Shape, Tensor};

pub struct UpSampling {
    /// `upSampling2d`, or `upSampling1d` (a sample `[1, steps, c]`, exact repeats).
    op: &'static str,
    size: [usize; 2],
    bilinear: bool,
    /// Per-sample input `[h, w, c]` and the resize to `[h·a, w·b]`, once built.
    built: Option<([usize; 3], Resize)>,
    kept: Option<Shape>,
}

impl UpSampling {
    /// Layout: `size(2)`, positive integers; `bilinear` (0 or 1).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<UpSampling> {
        let mut r = Reader::new("upSampling2d", p);
        let size = [r.usize("size")?, r.usize("size")?];
        if size.iter().any(|&s| s == 0 || s > 1 << 16) {
            bail!("upSampling2d", "size must be positive integers up to 65536, got [{}, {}]", size[0], size[1]);
        }
        let bilinear = r.bool("interpolation")?;
        Ok(UpSampling { op: "upSampling2d", size, bilinear, built: None, kept: None })
    }

    /// `upSampling1d`. Layout: `size`, a positive integer up to 65536.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn one_d(p: &[f32]) -> Result<UpSampling> {
        const OP: &str = "upSampling1d";
        let size = Reader::new(OP, p).usize("size")?;
        if size == 0 || size > 1 << 16 {
            return Err(super::out_of_range(OP, "size", "a positive integer up to 65536", size as f32));
        }
        Ok(UpSampling { op: OP, size: [1, size], bilinear: false, built: None, kept: None })
    }

    fn built(&self) -> Result<([usize; 3], Resize)> {
        self.built.ok_or_else(|| Error::Internal { msg: format!("{} used before build", self.op) })
    }
}

impl Layer for UpSampling {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        self.op
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let &[h, w, c] = input else {
            bail!(self.op, "expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape {}", Shape::from(input));
        };
        let one_d = self.op == "upSampling1d";
        let width = if one_d { "the output steps (steps × size)" } else { "the output width (width × size[1])" };
        let size = [super::out_len(self.op, h, self.size[0], 0, "the output height (height × size[0])")?, super::out_len(self.op, w, self.size[1], 0, width)?];
        let half_pixel_centers = one_d;
        self.built = Some(([h, w, c], Resize { size, bilinear: self.bilinear, align_corners: false, half_pixel_centers }));
        Ok(vec![size[0], size[1], c])
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let (input, resize) = self.built()?;
        let batch = image_batch(self.op, &x, input)?;
        let shape = Shape::new(self.op, &[batch, resize.size[0], resize.size[1], input[2]])?;
        let y = resize.forward(x.data(), batch, input)?;
        if mode.keeps() {
            self.kept = Some(x.shape().clone());
        }
        Tensor::new(self.op, shape, y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let shape = self.kept.take().ok_or_else(|| no_forward(self.op))?;
        let (input, resize) = self.built()?;
        let dx = resize.backward(dy.data(), shape.dims()[0], input)?;
        Tensor::new(self.op, shape, dx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(size: [f32; 2], bilinear: bool, input: [usize; 3]) -> UpSampling {
        let mut l = UpSampling::from_abi(&[size[0], size[1], bilinear as u8 as f32]).unwrap();
        l.build(&input, Init::seeded(0)).unwrap();
        l
    }

    fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::new("t", shape).unwrap(), v).unwrap()
    }

    #[test]
    fn bilinear_by_hand() {
        // One row [1, 3] twice as wide: sources 0, 0.5, 1, 1.5 (clamped to 1).
        let mut l = layer([1.0, 2.0], true, [1, 2, 1]);
        assert_eq!(l.forward(t(&[1, 1, 2, 1], vec![1.0, 3.0]), Mode::Infer).unwrap().data(), &[1.0, 2.0, 3.0, 3.0]);
        // 2 × 2 three times taller and wider, two channels: the middle of the first block.
        let mut l = layer([3.0, 3.0], true, [2, 2, 2]);
        let y = l.forward(t(&[1, 2, 2, 2], vec![0.0, 10.0, 3.0, 10.0, 6.0, 10.0, 9.0, 10.0]), Mode::Infer).unwrap();
        assert_eq!(y.dims(), &[1, 6, 6, 2]);
        // Row 1, column 1: (1/3, 1/3) between 0, 3, 6, 9 → 0 + 3/3 + 6/3 = 3; channel 1 stays 10.
        assert!((y.data()[(6 + 1) * 2] - 3.0).abs() < 1e-6 && y.data()[(6 + 1) * 2 + 1] == 10.0);
    }

    /// An output side beyond a dimension's range is an error (it wrapped around on wasm32: a
    /// height of 70000 × 65536 was built as 292552704).
    #[test]
    fn an_output_too_large_is_an_error() {
        let mut l = UpSampling::from_abi(&[65536.0, 1.0, 0.0]).unwrap();
        let e = l.build(&[70000, 1, 1], Init::seeded(0)).unwrap_err().to_string();
        assert_eq!(e, "upSampling2d: the output height (height × size[0]) is 4587520000, more than a dimension holds (4294967295)");
    }

    /// Backward is the adjoint of forward for both interpolations: ⟨dy, f(x)⟩ = ⟨f*(dy), x⟩.
    #[test]
    fn backward_is_the_adjoint() {
        for bilinear in [false, true] {
            for (size, input, batch) in [([2.0, 3.0], [3, 2, 2], 2), ([1.0, 1.0], [2, 2, 1], 1), ([3.0, 2.0], [1, 4, 3], 3)] {
                let mut l = layer(size, bilinear, input);
                let n = batch * input.iter().product::<usize>();
                let x: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.61).sin()).collect();
                let y = l.forward(t(&[batch, input[0], input[1], input[2]], x.clone()), Mode::Trace).unwrap();
                let g: Vec<f32> = (0..y.size()).map(|i| ((i as f32) * 0.37).cos()).collect();
                let dx = l.backward(t(y.dims(), g.clone())).unwrap();
                let lhs: f64 = g.iter().zip(y.data()).map(|(&a, &b)| a as f64 * b as f64).sum();
                let rhs: f64 = dx.data().iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
                assert!((lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()), "bilinear {bilinear} size {size:?}: {lhs} vs {rhs}");
            }
        }
    }
}
