//! `zeroPadding2d` and `cropping2d`: zeros added around each image, or rows and columns cut
//! from its borders, `[batch, h, w, c]` → `[batch, h ± top ± bottom, w ± left ± right, c]`
//! (TF.js's and Keras's layers, channels last). Each is the other's backward: padding's
//! gradient is the interior of `dy` ([`ops::pad::pad_backward`]), cropping's is `dy` placed in
//! zeros ([`ops::slice::slice_backward`]) — the tensor ops' own rules.
//!
//! `zeroPadding1d` and `cropping1d` (Keras 3's `ZeroPadding1D` and `Cropping1D`; TF.js has
//! neither) are these layers on each sample `[steps, channels]` seen as an image one row high
//! (`one_d.rs`), with amounts `[[0, 0], [start, end]]`.

use super::{image_batch, no_forward, Init, Layer, Mode};
use crate::config::Reader;
use crate::ops;
use crate::{bail, Error, Result, Shape, Tensor};

pub struct Border2d {
    /// `true`: cropping; `false`: zero padding.
    crop: bool,
    /// Along the steps of `[1, steps, c]` only (zeroPadding1d, cropping1d).
    one_d: bool,
    /// `[[top, bottom], [left, right]]`.
    amounts: [[usize; 2]; 2],
    /// Per-sample input `[h, w, c]`, once built.
    input: Option<[usize; 3]>,
    /// The input's shape, kept by a forward that keeps values.
    kept: Option<Shape>,
}

impl Border2d {
    /// Layout: `top, bottom, left, right`, integers from 0 to 65536.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(crop: bool, p: &[f32]) -> Result<Border2d> {
        let mut v = [0; 4];
        Border2d::amounts(if crop { "cropping2d" } else { "zeroPadding2d" }, crop, p, &mut v)?;
        Ok(Border2d { crop, one_d: false, amounts: [[v[0], v[1]], [v[2], v[3]]], input: None, kept: None })
    }

    /// `zeroPadding1d` or `cropping1d`. Layout: `start, end`, integers from 0 to 65536.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn one_d(crop: bool, p: &[f32]) -> Result<Border2d> {
        let mut v = [0; 2];
        Border2d::amounts(if crop { "cropping1d" } else { "zeroPadding1d" }, crop, p, &mut v)?;
        Ok(Border2d { crop, one_d: true, amounts: [[0, 0], [v[0], v[1]]], input: None, kept: None })
    }

    /// `v.len()` amounts read from `p` into `v`, each an integer from 0 to 65536.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn amounts(op: &'static str, crop: bool, p: &[f32], v: &mut [usize]) -> Result<()> {
        let field = if crop { "cropping" } else { "padding" };
        let mut r = Reader::new(op, p);
        for x in v.iter_mut() {
            *x = r.usize(field)?;
            if *x > 1 << 16 {
                bail!(op, "{field} must be integers from 0 to 65536, got {x}");
            }
        }
        Ok(())
    }

    fn op(&self) -> &'static str {
        match (self.crop, self.one_d) {
            (true, false) => "cropping2d",
            (false, false) => "zeroPadding2d",
            (true, true) => "cropping1d",
            (false, true) => "zeroPadding1d",
        }
    }

    /// The `pad` paddings (or the `slice` begin and size) of a batch of `[h, w, c]` images.
    fn block(&self, [h, w, _]: [usize; 3]) -> ([[i64; 2]; 4], [i64; 4], [i64; 4]) {
        let [[t, b], [l, r]] = self.amounts.map(|a| a.map(|v| v as i64));
        let paddings = [[0, 0], [t, b], [l, r], [0, 0]];
        (paddings, [0, t, l, 0], [-1, h as i64 - t - b, w as i64 - l - r, -1])
    }
}

impl Layer for Border2d {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn kind(&self) -> &'static str {
        self.op()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn resize(&mut self, input: &[usize]) -> Option<Result<Vec<usize>>> {
        Some(self.build(input, Init { seed: 0, fill: false }))
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn build(&mut self, input: &[usize], _init: Init) -> Result<Vec<usize>> {
        let op = self.op();
        let &[h, w, c] = input else {
            bail!(op, "expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape {}", Shape::from(input));
        };
        let [[t, b], [l, r]] = self.amounts;
        let out = if self.crop {
            if self.one_d && l + r >= w {
                bail!(op, "cropping [{l}, {r}] leaves nothing of the per-sample input [{w}, {c}]: the steps cut ({}) must be fewer than the input's {w} steps", l + r);
            }
            if t + b >= h || l + r >= w {
                bail!(op, "cropping [[{t}, {b}], [{l}, {r}]] leaves nothing of the per-sample input [{h}, {w}, {c}]: the rows and columns cut must be fewer than the input's height and width");
            }
            vec![h - t - b, w - l - r, c]
        } else {
            let width = if self.one_d { "the output steps (start + steps + end)" } else { "the output width (left + width + right)" };
            vec![super::out_len(op, h, 1, t + b, "the output height (height + top + bottom)")?, super::out_len(op, w, 1, l + r, width)?, c]
        };
        self.input = Some([h, w, c]);
        Ok(out)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn forward(&mut self, x: Tensor, mode: Mode) -> Result<Tensor> {
        let input = self.input.ok_or_else(|| Error::Internal { msg: format!("{} used before build", self.op()) })?;
        image_batch(self.op(), &x, input)?;
        let (paddings, begin, size) = self.block(input);
        let y = if self.crop { ops::slice::slice(&x, &begin, &size)? } else { ops::pad::pad(&x, &paddings, 0.0)? };
        if mode.keeps() {
            self.kept = Some(x.shape().clone());
        }
        Ok(y)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn backward(&mut self, dy: Tensor) -> Result<Tensor> {
        let shape = self.kept.take().ok_or_else(|| no_forward(self.op()))?;
        let (paddings, begin, size) = self.block(self.input.expect("built"));
        if self.crop {
            ops::slice::slice_backward(&shape, &begin, &size, &dy)
        } else {
            ops::pad::pad_backward(&shape, &paddings, &dy)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(crop: bool, amounts: [f32; 4], input: [usize; 3], batch: usize) -> (Border2d, Tensor, Vec<usize>) {
        let mut l = Border2d::from_abi(crop, &amounts).unwrap();
        let out = l.build(&input, Init::seeded(0)).unwrap();
        let n = batch * input.iter().product::<usize>();
        let x = Tensor::new("t", Shape::new("t", &[batch, input[0], input[1], input[2]]).unwrap(), (0..n).map(|i| i as f32 + 1.0).collect()).unwrap();
        (l, x, out)
    }

    #[test]
    fn padding_places_each_image_in_zeros_and_cropping_cuts_it_back() {
        let (mut pad, x, out) = run(false, [1.0, 2.0, 0.0, 3.0], [2, 3, 2], 2);
        assert_eq!(out, vec![5, 6, 2]);
        let y = pad.forward(x.clone(), Mode::Trace).unwrap();
        assert_eq!(y.dims(), &[2, 5, 6, 2]);
        // By the definition: y[n, i, j, c] = x[n, i − 1, j, c] inside, 0 outside.
        for n in 0..2 {
            for i in 0..5 {
                for j in 0..6 {
                    for c in 0..2 {
                        let want = if (1..3).contains(&i) && j < 3 { x.data()[((n * 2 + i - 1) * 3 + j) * 2 + c] } else { 0.0 };
                        assert_eq!(y.data()[((n * 5 + i) * 6 + j) * 2 + c], want, "y[{n}, {i}, {j}, {c}]");
                    }
                }
            }
        }
        let (mut crop, _, out) = run(true, [1.0, 2.0, 0.0, 3.0], [5, 6, 2], 2);
        assert_eq!(out, vec![2, 3, 2]);
        assert_eq!(crop.forward(y.clone(), Mode::Trace).unwrap().data(), x.data());
        // Each backward is the other's forward: dL/dx of Σ g·y for the padding is g's interior.
        let g = Tensor::new("t", y.shape().clone(), (0..y.size()).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
        let dx = pad.backward(g.clone()).unwrap();
        assert_eq!(dx.data(), crop.forward(g.clone(), Mode::Infer).unwrap().data());
        let dy = crop.backward(x.clone()).unwrap();
        assert_eq!(dy.data(), pad.forward(x, Mode::Infer).unwrap().data());
    }

    #[test]
    fn cropping_everything_and_other_ranks_are_errors() {
        let mut l = Border2d::from_abi(true, &[1.0, 1.0, 0.0, 0.0]).unwrap();
        let e = l.build(&[2, 4, 1], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("leaves nothing") && e.contains("[2, 4, 1]"), "{e}");
        let e = Border2d::from_abi(false, &[1.0, 1.0, 0.0, 0.0]).unwrap().build(&[4, 4], Init::seeded(0)).unwrap_err().to_string();
        assert!(e.contains("[height, width, channels]"), "{e}");
        let e = Border2d::from_abi(false, &[1.0, 1.0, 70000.0, 0.0]).err().unwrap().to_string();
        assert!(e.contains("padding must be integers from 0 to 65536"), "{e}");
    }
}
