//! `upSampling2d`: `[batch, h, w, c]` → `[batch, h·size[0], w·size[1], c]` — the decoder's way
//! back up in a convolutional autoencoder — with TF.js's two interpolations:
//! - `nearest` repeats each row `size[0]` times and each column `size[1]` times; backward sums
//!   `dy` over each block of copies;
//! - `bilinear` is TF.js's `resizeBilinear` without corner alignment or half-pixel centres (its
//!   UpSampling2D): output row `r` reads the input at `r / size[0]`, between rows `⌊·⌋` and
//!   `min(⌈·⌉, h − 1)`, and likewise along columns, computed in f64 as TF.js's CPU kernel does
//!   (the same bits). Keras 3 resizes with half-pixel centres instead; neurite follows TF.js.
//!   Backward scatters `dy` to the four sources with the same weights.

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::{bail, Error, Result, Shape, Tensor};

pub struct UpSampling {
    size: [usize; 2],
    bilinear: bool,
    /// Per-sample input `[h, w, c]`, once built.
    input: Option<[usize; 3]>,
    kept: Option<Shape>,
}

/// Where output position `o` reads along an axis of `n` inputs upsampled `s` times: the two
/// sources and the weight of the second (TF.js's `resizeBilinear`, legacy coordinates).
fn source(o: usize, n: usize, s: usize) -> (usize, usize, f64) {
    let f = (1.0 / s as f64) * o as f64;
    let lo = f.floor() as usize;
    (lo, (f.ceil() as usize).min(n - 1), f - lo as f64)
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
        Ok(UpSampling { size, bilinear, input: None, kept: None })
    }

    /// Calls `f(input index, output index)` for every copy of every input position (channel
    /// blocks of `c`), in output order.
    fn each(&self, batch: usize, mut f: impl FnMut(usize, usize)) {
        let [h, w, c] = self.input.expect("built");
        let [a, b] = self.size;
        let mut o = 0;
        for n in 0..batch {
            for oy in 0..h * a {
                for ox in 0..w * b {
                    f(((n * h + oy / a) * w + ox / b) * c, o);
                    o += c;
                }
            }
        }
    }

    /// Calls `f(input indices [tl, tr, bl, br], weights (fy, fx), output index)` for every
    /// output position of the bilinear resize (channel blocks of `c`), in output order.
    fn each_bilinear(&self, batch: usize, mut f: impl FnMut([usize; 4], (f64, f64), usize)) {
        let [h, w, c] = self.input.expect("built");
        let [a, b] = self.size;
        let cols: Vec<_> = (0..w * b).map(|ox| source(ox, w, b)).collect();
        let mut o = 0;
        for n in 0..batch {
            for oy in 0..h * a {
                let (y0, y1, fy) = source(oy, h, a);
                let (top, bot) = ((n * h + y0) * w, (n * h + y1) * w);
                for &(x0, x1, fx) in &cols {
                    f([(top + x0) * c, (top + x1) * c, (bot + x0) * c, (bot + x1) * c], (fy, fx), o);
                    o += c;
                }
            }
        }
    }
}

impl Layer for UpSampling {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        "upSampling2d"
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let &[h, w, c] = input else {
            bail!("upSampling2d", "expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape {}", Shape::from(input));
        };
        self.input = Some([h, w, c]);
        Ok(vec![h * self.size[0], w * self.size[1], c])
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let [h, w, c] = self.input.ok_or_else(|| Error::Internal { msg: "upSampling2d used before build".into() })?;
        let batch = image_batch("upSampling2d", &x, [h, w, c])?;
        let shape = Shape::new("upSampling2d", &[batch, h * self.size[0], w * self.size[1], c])?;
        let mut y = crate::tensor::alloc("upSampling2d", shape.size())?;
        let xd = x.data();
        if self.bilinear {
            self.each_bilinear(batch, |[tl, tr, bl, br], (fy, fx), o| {
                for k in 0..c {
                    let v = |i: usize| xd[i + k] as f64;
                    let top = v(tl) + (v(tr) - v(tl)) * fx;
                    let bottom = v(bl) + (v(br) - v(bl)) * fx;
                    y[o + k] = (top + (bottom - top) * fy) as f32;
                }
            });
        } else {
            self.each(batch, |i, o| y[o..o + c].copy_from_slice(&xd[i..i + c]));
        }
        if mode.keeps() {
            self.kept = Some(x.shape().clone());
        }
        Tensor::new("upSampling2d", shape, y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let shape = self.kept.take().ok_or_else(|| no_forward("upSampling2d"))?;
        let c = shape.dims()[3];
        let mut dx = crate::tensor::alloc("upSampling2d", shape.size())?;
        let g = dy.data();
        if self.bilinear {
            // The adjoint of the forward's weights: (1 − fy)(1 − fx), (1 − fy)fx, fy(1 − fx), fy·fx.
            self.each_bilinear(shape.dims()[0], |idx, (fy, fx), o| {
                let ws = [(1.0 - fy) * (1.0 - fx), (1.0 - fy) * fx, fy * (1.0 - fx), fy * fx];
                for (&i, &wt) in idx.iter().zip(&ws) {
                    for (d, &v) in dx[i..i + c].iter_mut().zip(&g[o..o + c]) {
                        *d += (wt * v as f64) as f32;
                    }
                }
            });
        } else {
            self.each(shape.dims()[0], |i, o| {
                for (d, &v) in dx[i..i + c].iter_mut().zip(&g[o..o + c]) {
                    *d += v;
                }
            });
        }
        Tensor::new("upSampling2d", shape, dx)
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
