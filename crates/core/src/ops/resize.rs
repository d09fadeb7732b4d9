//! `resizeBilinear` and `resizeNearestNeighbor` (TF.js's `tf.image` ops) of images
//! `[batch, h, w, c]` (or one image `[h, w, c]`) to `[batch, newH, newW, c]`, channels last;
//! also the kernel of the `upSampling2d` layer, which is TF.js's resize to `h·a × w·b`.
//!
//! The source of output position `o` along an axis of `n` inputs and `m` outputs is TF.js's CPU
//! kernel's, computed in f64 as it does (so the outputs are TF.js's bits):
//! - the scale is `n / m`, or `(n − 1) / (m − 1)` with `alignCorners` (when `m > 1`);
//! - bilinear reads at `scale·o` (`scale·(o + ½) − ½` with `halfPixelCenters`), between
//!   `max(⌊·⌋, 0)` and `min(⌈·⌉, n − 1)`, and blends along columns, then rows;
//! - nearest reads `min(⌊scale·o⌋, n − 1)` (`round` with `alignCorners`; at `scale·(o + ½)` with
//!   `halfPixelCenters`).
//!
//! Both are linear in the image; backward is the adjoint of the forward (each `dy` sent to the
//! sources with the forward's weights), for every option. TF.js 4.22's own gradients ignore
//! `halfPixelCenters` and swap the height and width of images that are not square.
//!
//! ```
//! use neurite_core::{ops::resize::{resize, Resize}, Tensor};
//! let x = Tensor::new("doc", [1, 2, 1].into(), vec![0., 10.]).unwrap(); // one row, two pixels
//! let r = Resize { size: [1, 3], bilinear: true, align_corners: true, half_pixel_centers: false };
//! assert_eq!(resize(&x, r).unwrap().data(), &[0., 5., 10.]);
//! ```

use super::window::{images, out_shape};
use crate::kernels::lerp::{lerp_cols, lerp_rows};
use crate::parallel::extend_with;
use crate::{bail, Error, Result, Shape, Tensor};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// What to resize to, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resize {
    /// `[newHeight, newWidth]`.
    pub size: [usize; 2],
    /// Bilinear interpolation, else nearest neighbour.
    pub bilinear: bool,
    pub align_corners: bool,
    pub half_pixel_centers: bool,
}

/// One output position along an axis: the two sources and the weight of the second (nearest
/// neighbour: the same source twice, weight 0).
type Source = (usize, usize, f64);

impl Resize {
    /// The op's name in errors.
    pub fn op(&self) -> &'static str {
        if self.bilinear { "resizeBilinear" } else { "resizeNearestNeighbor" }
    }

    /// Where each of the `m` outputs along an axis of `n` (> 0) inputs reads.
    #[inline(never)]
    fn sources(&self, n: usize, m: usize) -> Result<Vec<Source>> {
        let aligned = self.align_corners && m > 1;
        let (ni, mo) = if aligned { (n - 1, m - 1) } else { (n, m) };
        let scale = ni as f64 / mo as f64;
        let last = (n - 1) as f64;
        let mut v = crate::tensor::try_vec(self.op(), m, (0, 0, 0.0))?;
        for (o, s) in v.iter_mut().enumerate() {
            let o = o as f64;
            *s = if self.bilinear {
                let f = if self.half_pixel_centers { scale * (o + 0.5) - 0.5 } else { scale * o };
                let lo = f.floor().clamp(0.0, last);
                (lo as usize, f.ceil().clamp(0.0, last) as usize, f - lo)
            } else {
                let f = if self.half_pixel_centers { scale * (o + 0.5) } else { scale * o };
                let i = if self.align_corners { f.round() } else { f.floor() };
                (i.clamp(0.0, last) as usize, i.clamp(0.0, last) as usize, 0.0)
            };
        }
        Ok(v)
    }

    /// Checks the options against per-image input `[h, w, c]`.
    pub fn check(&self, [h, w, _]: [usize; 3]) -> Result<()> {
        let op = self.op();
        if self.align_corners && self.half_pixel_centers {
            bail!(op, "alignCorners and halfPixelCenters cannot both be true (as in TF.js: with halfPixelCenters, alignCorners must be false)");
        }
        let [nh, nw] = self.size;
        if (h == 0 || w == 0) && nh > 0 && nw > 0 {
            bail!(op, "images of {h} × {w} pixels have nothing to resize to size [{nh}, {nw}]");
        }
        Ok(())
    }

    /// Calls `f(sources [tl, tr, bl, br], weights (fy, fx), output index)` for every output
    /// position of `batch` images `[h, w, c]` (indices of their first channel), in output order.
    fn each(&self, batch: usize, [h, w, c]: [usize; 3], mut f: impl FnMut([usize; 4], (f64, f64), usize)) -> Result<()> {
        let [nh, nw] = self.size;
        if batch == 0 || nh == 0 || nw == 0 || c == 0 {
            return Ok(());
        }
        let (rows, cols) = (self.sources(h, nh)?, self.sources(w, nw)?);
        let mut o = 0;
        for n in 0..batch {
            for &(y0, y1, fy) in &rows {
                let (top, bot) = ((n * h + y0) * w, (n * h + y1) * w);
                for &(x0, x1, fx) in &cols {
                    f([(top + x0) * c, (top + x1) * c, (bot + x0) * c, (bot + x1) * c], (fy, fx), o);
                    o += c;
                }
            }
        }
        Ok(())
    }

    /// The resized values of `batch` images `[h, w, c]` in `x` (checked by [`Resize::check`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn forward(&self, x: &[f32], batch: usize, input: [usize; 3]) -> Result<Vec<f32>> {
        let (c, n) = (input[2], batch * self.size[0] * self.size[1] * input[2]);
        if self.bilinear {
            return self.bilinear(x, input, n);
        }
        let mut y = crate::tensor::alloc(self.op(), n)?;
        self.each(batch, input, |[i, ..], _, o| y[o..o + c].copy_from_slice(&x[i..i + c]))?;
        Ok(y)
    }

    /// The bilinear forward, `n` values `[batch, newH, newW, c]`: per output row, the two
    /// input rows it reads blended along their columns in f64 ([`lerp_cols`], kept while the
    /// next output rows read them too), then blended together ([`lerp_rows`]): for every output,
    /// `top = tl + (tr − tl)·fx`, `bottom = bl + (br − bl)·fx`, `f32(top + (bottom − top)·fy)`,
    /// TF.js's expression. The tasks on the thread pool are blocks of output rows, each output
    /// computed alone, so the bits depend neither on the cut nor on the threads.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn bilinear(&self, x: &[f32], [h, w, c]: [usize; 3], n: usize) -> Result<Vec<f32>> {
        let [nh, nw] = self.size;
        let line = nw * c;
        if n == 0 {
            return Ok(Vec::new());
        }
        let (rows, cols) = (self.sources(h, nh)?, self.sources(w, nw)?);
        let lines = ((1 << 15) / line).max(1);
        // The bytes of a row buffer that could not be allocated (0: none).
        let failed = AtomicUsize::new(0);
        // Each task writes its whole block, which `extend_with` zeroes just before (in cache)
        // rather than in a pass of its own over the output.
        let mut y = crate::tensor::alloc_empty(self.op(), n)?;
        extend_with(&mut y, n, lines * line, 8 * n, 0.0, |t, ys| {
            // Two blended input rows.
            let Ok(mut buf) = crate::tensor::try_vec(self.op(), 2 * line, 0.0f64) else {
                return failed.store(16 * line, Relaxed);
            };
            self.bilinear_lines(x, [h, w, c], [&rows, &cols], t * lines, ys, &mut buf);
        });
        match failed.into_inner() {
            0 => Ok(y),
            bytes => Err(Error::OutOfMemory { op: self.op(), bytes: bytes as u64 }),
        }
    }

    /// [`Resize::bilinear`]'s task: the output rows from `first` on (`ys`, whole rows of
    /// `newW·c`), `buf` two rows of blended input (`rc` the row and column sources).
    /// (Size-optimised on wasm: the kernels it calls per row are not.)
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn bilinear_lines(&self, x: &[f32], [h, w, c]: [usize; 3], [rows, cols]: [&[Source]; 2], first: usize, ys: &mut [f32], buf: &mut [f64]) {
        let (nh, line) = (self.size[0], self.size[1] * c);
        let (b0, b1) = buf.split_at_mut(line);
        // Which input row (`n·h + iy`) each half of `buf` holds.
        let mut held = [usize::MAX; 2];
        for (k, out) in ys.chunks_exact_mut(line).enumerate() {
            let i = first + k;
            let (n, (y0, y1, fy)) = (i / nh, rows[i % nh]);
            let (r0, r1) = (n * h + y0, n * h + y1);
            // The half for r0: the one holding it, else the one not holding r1.
            let top = if held[0] == r0 || (held[1] != r0 && held[1] == r1) { 0 } else { 1 };
            let (t, b) = if top == 0 { (&mut *b0, &mut *b1) } else { (&mut *b1, &mut *b0) };
            if held[top] != r0 {
                lerp_cols(&x[r0 * w * c..][..w * c], cols, c, t);
                held[top] = r0;
            }
            if r1 == r0 {
                lerp_rows(t, t, fy, out);
                continue;
            }
            if held[1 - top] != r1 {
                lerp_cols(&x[r1 * w * c..][..w * c], cols, c, b);
                held[1 - top] = r1;
            }
            lerp_rows(t, b, fy, out);
        }
    }

    /// dL/dx of [`Resize::forward`] for `dy` (the forward's output size): the adjoint.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn backward(&self, dy: &[f32], batch: usize, input: [usize; 3]) -> Result<Vec<f32>> {
        let [h, w, c] = input;
        if dy.len() != batch * self.size[0] * self.size[1] * c {
            return Err(Error::Internal { msg: format!("{}: the gradient does not have the output's size", self.op()) });
        }
        let mut dx = crate::tensor::alloc(self.op(), batch * h * w * c)?;
        if self.bilinear {
            self.each(batch, input, |idx, (fy, fx), o| {
                let ws = [(1.0 - fy) * (1.0 - fx), (1.0 - fy) * fx, fy * (1.0 - fx), fy * fx];
                for (&i, &wt) in idx.iter().zip(&ws) {
                    for (d, &g) in dx[i..i + c].iter_mut().zip(&dy[o..o + c]) {
                        *d += (wt * g as f64) as f32;
                    }
                }
            })?;
        } else {
            self.each(batch, input, |[i, ..], _, o| {
                for (d, &g) in dx[i..i + c].iter_mut().zip(&dy[o..o + c]) {
                    *d += g;
                }
            })?;
        }
        Ok(dx)
    }
}

/// TF.js's `resizeBilinear` / `resizeNearestNeighbor` of `x` (rank 4, or 3 for one image).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn resize(x: &Tensor, r: Resize) -> Result<Tensor> {
    let (batch, input) = images(r.op(), "images", x.shape())?;
    r.check(input)?;
    let shape = out_shape(r.op(), x.rank(), batch, [r.size[0], r.size[1], input[2]])?;
    Tensor::new(r.op(), shape, r.forward(x.data(), batch, input)?)
}

/// The backward rule of [`resize`]: dL/dx (x's shape) for dL/dy = `g`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn resize_backward(x: &Shape, r: Resize, g: &Tensor) -> Result<Tensor> {
    let (batch, input) = images(r.op(), "images", x)?;
    Tensor::new(r.op(), x.clone(), r.backward(g.data(), batch, input)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(size: [usize; 2], bilinear: bool, align_corners: bool, half_pixel_centers: bool) -> Resize {
        Resize { size, bilinear, align_corners, half_pixel_centers }
    }

    fn t(shape: &[usize], v: Vec<f32>) -> Tensor {
        Tensor::new("t", Shape::new("t", shape).unwrap(), v).unwrap()
    }

    /// One row [0, 10, 20] read at the sources each option gives (worked by hand).
    #[test]
    fn sources_by_hand() {
        let x = t(&[1, 3, 1], vec![0.0, 10.0, 20.0]);
        let row = |size, bilinear, ac, hp| resize(&x, r([1, size], bilinear, ac, hp)).unwrap().data().to_vec();
        // Scale 3/5: sources 0, 0.6, 1.2, 1.8, 2.4 (the last clamped to column 2).
        assert_eq!(row(5, true, false, false), [0.0, 6.0, 12.0, 18.0, 20.0]);
        // alignCorners: scale 2/4, sources 0, 0.5, 1, 1.5, 2 — the corners are kept.
        assert_eq!(row(5, true, true, false), [0.0, 5.0, 10.0, 15.0, 20.0]);
        // halfPixelCenters: 0.6·(o + ½) − ½ = −0.2 (clamped: column 0), 0.4, 1.0, 1.6, 2.2.
        let v = row(5, true, false, true);
        for (a, b) in v.iter().zip([0.0, 4.0, 10.0, 16.0, 20.0]) {
            assert!((a - b).abs() < 1e-5, "{v:?}");
        }
        // Nearest: ⌊0.6·o⌋ = 0, 0, 1, 1, 2; round with alignCorners: 0, 1 (0.5 rounds up), 1, 2, 2;
        // halfPixelCenters ⌊0.6·(o + ½)⌋ = 0, 0, 1, 2, 2.
        assert_eq!(row(5, false, false, false), [0.0, 0.0, 10.0, 10.0, 20.0]);
        assert_eq!(row(5, false, true, false), [0.0, 10.0, 10.0, 20.0, 20.0]);
        assert_eq!(row(5, false, false, true), [0.0, 0.0, 10.0, 20.0, 20.0]);
        // Downsampling to 2 columns: scale 1.5 → sources 0 and 1.5.
        assert_eq!(row(2, true, false, false), [0.0, 15.0]);
        assert_eq!(row(1, true, true, false), [0.0]); // one output: alignCorners has no corners to align
    }

    /// Backward is the adjoint of forward for every option: ⟨dy, f(x)⟩ = ⟨f*(dy), x⟩.
    #[test]
    fn backward_is_the_adjoint() {
        for bilinear in [false, true] {
            for (ac, hp) in [(false, false), (true, false), (false, true)] {
                for (input, batch, size) in [([3, 2, 2], 2, [7, 5]), ([5, 4, 1], 1, [2, 3]), ([1, 4, 3], 3, [4, 1]), ([4, 4, 2], 1, [4, 4])] {
                    let rz = r(size, bilinear, ac, hp);
                    let n = batch * input.iter().product::<usize>();
                    let x: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.61).sin()).collect();
                    let y = rz.forward(&x, batch, input).unwrap();
                    let g: Vec<f32> = (0..y.len()).map(|i| ((i as f32) * 0.37).cos()).collect();
                    let dx = rz.backward(&g, batch, input).unwrap();
                    let lhs: f64 = g.iter().zip(&y).map(|(&a, &b)| a as f64 * b as f64).sum();
                    let rhs: f64 = dx.iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
                    assert!((lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()), "{rz:?} {input:?}: {lhs} vs {rhs}");
                }
            }
        }
    }

    /// The bilinear forward (its rows blended once and kept, its tasks of output rows) gives the
    /// bits of TF.js's expression evaluated per output, for every option, upsampling and
    /// downsampling, 1 to 9 channels (the two-lane steps and the odd channel), images of one
    /// row or column and batches cut across tasks, with any number of workers.
    #[test]
    fn bilinear_equals_the_per_output_expression_with_any_number_of_workers() {
        for (ac, hp) in [(false, false), (true, false), (false, true)] {
            for (batch, input, size) in [(3, [5, 4, 3], [10, 8]), (2, [7, 6, 8], [3, 4]), (1, [1, 5, 2], [4, 9]), (2, [6, 1, 1], [13, 3]), (5, [9, 9, 9], [17, 19]), (40, [14, 14, 8], [28, 28])] {
                let rz = r(size, true, ac, hp);
                let [h, w, c] = input;
                let x: Vec<f32> = (0..batch * h * w * c).map(|i| ((i as f32) * 0.61).sin() * 3.0).collect();
                let mut want = vec![0.0f32; batch * size[0] * size[1] * c];
                rz.each(batch, input, |[tl, tr, bl, br], (fy, fx), o| {
                    for k in 0..c {
                        let v = |i: usize| x[i + k] as f64;
                        let top = v(tl) + (v(tr) - v(tl)) * fx;
                        let bottom = v(bl) + (v(br) - v(bl)) * fx;
                        want[o + k] = (top + (bottom - top) * fy) as f32;
                    }
                })
                .unwrap();
                let what = format!("{rz:?} {batch} {input:?}");
                let got = crate::parallel::testing::same_bits_for_all_counts(&what, || rz.forward(&x, batch, input).unwrap());
                let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "{what}");
            }
        }
    }

    #[test]
    fn shapes_and_errors() {
        let x = t(&[2, 3, 3], vec![1.0; 18]);
        assert_eq!(resize(&x, r([4, 5], true, false, false)).unwrap().dims(), &[4, 5, 3]);
        assert_eq!(resize(&x, r([0, 5], false, false, false)).unwrap().dims(), &[0, 5, 3]);
        let e = resize(&x, r([4, 4], true, true, true)).unwrap_err().to_string();
        assert!(e.contains("alignCorners and halfPixelCenters"), "{e}");
        let e = resize(&t(&[6], vec![0.0; 6]), r([2, 2], false, false, false)).unwrap_err().to_string();
        assert!(e.contains("images must have rank 4") && e.contains("[6]"), "{e}");
        let e = resize(&t(&[1, 0, 3, 1], vec![]), r([2, 2], true, false, false)).unwrap_err().to_string();
        assert!(e.contains("0 × 3 pixels"), "{e}");
        // Zero batch or channels: an empty result of the right shape.
        assert_eq!(resize(&t(&[0, 2, 2, 1], vec![]), r([3, 3], true, false, false)).unwrap().dims(), &[0, 3, 3, 1]);
        assert_eq!(resize(&t(&[2, 2, 0], vec![]), r([3, 3], false, false, false)).unwrap().dims(), &[3, 3, 0]);
    }
}
