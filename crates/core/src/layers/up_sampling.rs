//! `upSampling2d`: repeats each row `size[0]` times and each column `size[1]` times (nearest
//! neighbour), `[batch, h, w, c]` → `[batch, h·size[0], w·size[1], c]` — the decoder's way back
//! up in a convolutional autoencoder. Backward sums `dy` over each block of copies.

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::{bail, Error, Result, Shape, Tensor};

pub struct UpSampling {
    size: [usize; 2],
    /// Per-sample input `[h, w, c]`, once built.
    input: Option<[usize; 3]>,
    kept: Option<Shape>,
}

impl UpSampling {
    /// Layout: `size(2)`, positive integers.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(p: &[f32]) -> Result<UpSampling> {
        let mut r = Reader::new("upSampling2d", p);
        let size = [r.usize("size")?, r.usize("size")?];
        if size.iter().any(|&s| s == 0 || s > 1 << 16) {
            bail!("upSampling2d", "size must be positive integers up to 65536, got [{}, {}]", size[0], size[1]);
        }
        Ok(UpSampling { size, input: None, kept: None })
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
        self.each(batch, |i, o| y[o..o + c].copy_from_slice(&xd[i..i + c]));
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
        self.each(shape.dims()[0], |i, o| {
            for (d, &v) in dx[i..i + c].iter_mut().zip(&g[o..o + c]) {
                *d += v;
            }
        });
        Tensor::new("upSampling2d", shape, dx)
    }
}
