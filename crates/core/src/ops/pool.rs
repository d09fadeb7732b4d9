//! 2-D max and average pooling over `[batch, height, width, channels]`, each channel on its own.
//!
//! - **max**: the largest value of the window, NaN if the window holds one (the rest of neurite
//!   propagates NaN; TF.js's CPU kernel skips it). Backward sends `dy` to the first largest
//!   value of the window in row-major order (TF.js's choice), kept by the forward as its index.
//! - **average**: the mean over the window's positions inside the input (padding is not counted,
//!   as TensorFlow's `same` average pooling). Backward spreads `dy / count` over them.

use super::window::{images, out_shape, Placement, Window};
use crate::kernels::elementwise::{pool_argmax_strided, pool_max_strided, pool_sum_strided};
use crate::{Result, Tensor};

/// TF.js's `maxPool` (`max`) or `avgPool` of `x` `[batch, h, w, c]` (or one image `[h, w, c]`)
/// over `win` (not dilated), and for max pooling the argmax its backward needs (when `keep`).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn pool2d(op: &'static str, x: &Tensor, max: bool, win: Window, keep: bool) -> Result<(Tensor, Vec<u32>)> {
    let (batch, input) = images(op, "x", x.shape())?;
    let win = Window::new(op, win.size, win.strides, [1, 1], win.same)?;
    let p = win.place(op, &input)?;
    let (y, arg) = if max { max_forward(op, &p, x.data(), batch, keep)? } else { (avg_forward(op, &p, x.data(), batch)?, Vec::new()) };
    Ok((Tensor::new(op, out_shape(op, x.rank(), batch, [p.oh, p.ow, p.c])?, y)?, arg))
}

/// The backward rule of [`pool2d`]: `dL/dx` for `dL/dy` = `g`; `arg` is max pooling's argmax
/// (ignored for average pooling).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn pool2d_backward(op: &'static str, x: &Tensor, max: bool, win: Window, arg: &[u32], g: &Tensor) -> Result<Tensor> {
    let (batch, input) = images(op, "x", x.shape())?;
    let p = win.place(op, &input)?;
    if g.size() != batch * p.oh * p.ow * p.c || (max && arg.len() != g.size()) {
        return Err(crate::Error::Internal { msg: "pooling: the gradient does not have the output's size".into() });
    }
    let dx = if max { max_backward(op, arg, g.data(), x.size())? } else { avg_backward(op, &p, g.data(), batch)? };
    Tensor::new(op, x.shape().clone(), dx)
}

/// `(y, argmax)` of max pooling `batch` samples; the argmax (input index per output value) only
/// when `keep`. An output row at a time: the row starts at −∞ (and, when keeping, no argmax)
/// and takes the windows' inputs tap by tap, each tap one strided pass over the row
/// ([`pool_max_strided`], [`pool_argmax_strided`]), so every output sees the inputs of its
/// window in row-major order. Without the argmax, −∞ gives way to the first input whatever it
/// is; with it, an output with no argmax yet takes the first input. Ties keep the first
/// maximum (TF.js's), a NaN wins over numbers; the two forms give the same values.
pub fn max_forward(op: &'static str, p: &Placement, x: &[f32], batch: usize, keep: bool) -> Result<(Vec<f32>, Vec<u32>)> {
    let (c, kh, s) = (p.c, p.win.size[0], p.win.strides[1]);
    let per_row = p.ow * c;
    let len = batch * p.oh * per_row;
    if len == 0 || p.in_size() == 0 {
        // No outputs (zero samples, rows, columns or channels): nothing to compute.
        return Ok((Vec::new(), Vec::new()));
    }
    let mut y = crate::tensor::try_vec(op, len, f32::NEG_INFINITY)?;
    let mut arg = if keep { crate::tensor::try_vec(op, len, u32::MAX)? } else { Vec::new() };
    let taps: Vec<(usize, usize)> = (0..p.win.size[1]).map(|j| p.inside_range(1, j)).collect();
    let mut args = arg.chunks_exact_mut(per_row);
    for (r, out) in y.chunks_exact_mut(per_row).enumerate() {
        let (n, oy) = (r / p.oh, r % p.oh);
        let mut out_arg = args.next();
        for iy in (0..kh).filter_map(|i| p.source(0, oy, i)) {
            let line_start = n * p.in_size() + iy * p.w * c;
            let line = &x[line_start..][..p.w * c];
            for (j, &(lo, hi)) in taps.iter().enumerate().filter(|(_, &(lo, hi))| lo < hi) {
                // Input column of output column `lo`: `lo·s + j − pad_left`.
                let from = (lo * s + j - p.pad_left) * c;
                match out_arg.as_deref_mut() {
                    Some(a) => pool_argmax_strided(&mut out[lo * c..hi * c], &mut a[lo * c..hi * c], &line[from..], (line_start + from) as u32, c, s * c),
                    None => pool_max_strided(&mut out[lo * c..hi * c], &line[from..], c, s * c),
                }
            }
        }
    }
    Ok((y, arg))
}

/// dL/dx of max pooling: each `dy` added to the input its output came from.
pub fn max_backward(op: &'static str, arg: &[u32], dy: &[f32], x_len: usize) -> Result<Vec<f32>> {
    let mut dx = crate::tensor::alloc(op, x_len)?;
    for (&a, &g) in arg.iter().zip(dy) {
        dx[a as usize] += g;
    }
    Ok(dx)
}

/// Calls `f(o, first, ni, nj)` for each output position in order: `o` is its output index
/// (first channel), and the inputs its window covers inside the input are `ni × nj` positions
/// from input index `first` (rows `w·c` apart, columns `c`; at least one), row by row.
fn windows(p: &Placement, batch: usize, mut f: impl FnMut(usize, usize, usize, usize)) {
    debug_assert_eq!(p.win.dilation, [1, 1], "pooling windows are not dilated");
    let (rows, columns) = (p.inside_all(0), p.inside_all(1));
    let mut o = 0;
    for n in 0..batch {
        for (oy, &(i0, i1)) in rows.iter().enumerate() {
            let iy = p.source(0, oy, i0).expect("inside");
            for (ox, &(j0, j1)) in columns.iter().enumerate() {
                let ix = p.source(1, ox, j0).expect("inside");
                f(o, n * p.in_size() + (iy * p.w + ix) * p.c, i1 - i0, j1 - j0);
                o += p.c;
            }
        }
    }
}

/// The input indices of a window as [`windows`] gives it, row by row.
fn inputs(p: &Placement, first: usize, ni: usize, nj: usize) -> impl Iterator<Item = usize> {
    let (row, c) = (p.w * p.c, p.c);
    (0..ni).flat_map(move |i| (0..nj).map(move |j| first + i * row + j * c))
}

/// Average pooling of `batch` samples, an output row at a time as [`max_forward`]: the row
/// starts at 0 and adds the windows' inputs tap by tap ([`pool_sum_strided`]), so each output
/// sums its inputs in row-major order, then is divided by their count (the positions inside).
pub fn avg_forward(op: &'static str, p: &Placement, x: &[f32], batch: usize) -> Result<Vec<f32>> {
    let (c, kh, s) = (p.c, p.win.size[0], p.win.strides[1]);
    let per_row = p.ow * c;
    let len = batch * p.oh * per_row;
    if len == 0 || p.in_size() == 0 {
        return Ok(Vec::new());
    }
    let mut y = crate::tensor::alloc(op, len)?;
    let taps: Vec<(usize, usize)> = (0..p.win.size[1]).map(|j| p.inside_range(1, j)).collect();
    let columns = p.inside_all(1);
    for (r, out) in y.chunks_exact_mut(per_row).enumerate() {
        let (n, oy) = (r / p.oh, r % p.oh);
        let mut rows = 0;
        for iy in (0..kh).filter_map(|i| p.source(0, oy, i)) {
            rows += 1;
            let line = &x[n * p.in_size() + iy * p.w * c..][..p.w * c];
            for (j, &(lo, hi)) in taps.iter().enumerate().filter(|(_, &(lo, hi))| lo < hi) {
                pool_sum_strided(&mut out[lo * c..hi * c], &line[(lo * s + j - p.pad_left) * c..], c, s * c);
            }
        }
        for (sums, &(j0, j1)) in out.chunks_exact_mut(c).zip(&columns) {
            let count = (rows * (j1 - j0)) as f32;
            sums.iter_mut().for_each(|a| *a /= count);
        }
    }
    Ok(y)
}

/// dL/dx of average pooling.
pub fn avg_backward(op: &'static str, p: &Placement, dy: &[f32], batch: usize) -> Result<Vec<f32>> {
    let c = p.c;
    let mut dx = crate::tensor::alloc(op, batch * p.in_size())?;
    windows(p, batch, |o, first, ni, nj| {
        let count = (ni * nj) as f32;
        for s in inputs(p, first, ni, nj) {
            for (d, &g) in dx[s..s + c].iter_mut().zip(&dy[o..o + c]) {
                *d += g / count;
            }
        }
    });
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::window::Window;

    fn place(k: usize, s: usize, same: bool, input: [usize; 3]) -> Placement {
        Window { size: [k, k], strides: [s, s], dilation: [1, 1], same }.place("t", &input).unwrap()
    }

    #[test]
    fn max_and_average_by_hand() {
        // One 4×4 channel, 2×2 windows, stride 2.
        let x: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let p = place(2, 2, false, [4, 4, 1]);
        let (y, arg) = max_forward("t", &p, &x, 1, true).unwrap();
        assert_eq!(y, [5.0, 7.0, 13.0, 15.0]);
        assert_eq!(arg, [5, 7, 13, 15]);
        assert_eq!(avg_forward("t", &p, &x, 1).unwrap(), [2.5, 4.5, 10.5, 12.5]);
        let dx = max_backward("t", &arg, &[1.0, 2.0, 3.0, 4.0], 16).unwrap();
        assert_eq!((dx[5], dx[7], dx[13], dx[15], dx.iter().sum::<f32>()), (1.0, 2.0, 3.0, 4.0, 10.0));
        let dx = avg_backward("t", &p, &[4.0, 8.0, 0.0, 0.0], 1).unwrap();
        assert_eq!(&dx[..4], &[1.0, 1.0, 2.0, 2.0]);
        // 'same' 3×3 stride 1 on 2×2: each window covers all four; the average divides by 4,
        // not 9 (padding is not counted).
        let p = place(3, 1, true, [2, 2, 1]);
        assert_eq!(avg_forward("t", &p, &[1.0, 2.0, 3.0, 6.0], 1).unwrap(), [3.0; 4]);
    }

    /// Ties go to the first in row-major order, NaN wins and propagates, −∞ everywhere still
    /// picks a position; channels are independent.
    #[test]
    fn max_ties_nan_and_channels() {
        let p = place(2, 2, false, [2, 2, 2]);
        let x = [0.0, f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY, 1.0, f32::NAN, 1.0, 3.0];
        let (y, arg) = max_forward("t", &p, &x, 1, true).unwrap();
        assert_eq!(y[0], 1.0);
        assert!(y[1].is_nan());
        assert_eq!(arg, [4, 5]);
        let (_, arg) = max_forward("t", &p, &[f32::NEG_INFINITY; 8], 1, true).unwrap();
        assert_eq!(arg, [0, 1]);
    }

    /// Both forms (with and without the argmax, row by row) against the definition, window by
    /// window: NaN, ±0 ties and −∞ in the windows, padding, strides, 1 to 8 channels.
    #[test]
    fn both_forms_are_the_definition() {
        let specials = [f32::NAN, 0.0, -0.0, f32::NEG_INFINITY, 1.0, -1.0];
        for (k, s, same, input) in [(2, 2, false, [6, 6, 1]), (3, 1, true, [5, 7, 3]), (3, 2, true, [7, 5, 4]), (2, 1, false, [4, 5, 8]), (1, 1, false, [3, 3, 5])] {
            let p = place(k, s, same, input);
            let x: Vec<f32> = (0..2 * p.in_size()).map(|i| if i % 3 == 0 { specials[i / 3 % specials.len()] } else { ((i * 7 % 11) as f32) - 5.0 }).collect();
            let (mut want, mut want_arg) = (Vec::new(), Vec::new());
            windows(&p, 2, |_, first, ni, nj| {
                for ch in 0..p.c {
                    let mut best = (x[first + ch], first + ch);
                    for i in inputs(&p, first, ni, nj).skip(1) {
                        let v = x[i + ch];
                        if v > best.0 || (v.is_nan() && !best.0.is_nan()) {
                            best = (v, i + ch);
                        }
                    }
                    want.push(best.0);
                    want_arg.push(best.1 as u32);
                }
            });
            let (keep, arg) = max_forward("t", &p, &x, 2, true).unwrap();
            let (infer, none) = max_forward("t", &p, &x, 2, false).unwrap();
            let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            let what = format!("{k} {s} {same} {input:?}");
            assert_eq!((bits(&keep), arg), (bits(&want), want_arg), "{what}");
            assert_eq!(bits(&infer), bits(&want), "{what}");
            assert!(none.is_empty());
        }
    }

    /// Average pooling row by row against the window-by-window definition, bit for bit (the
    /// same additions in the same order): padding, strides, 1 to 8 channels, ±0, ±∞, NaN.
    #[test]
    fn average_is_the_definition() {
        let specials = [0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1e30];
        for (k, s, same, input) in [(2, 2, false, [6, 6, 1]), (3, 1, true, [5, 7, 3]), (3, 2, true, [7, 5, 4]), (2, 1, false, [4, 5, 8]), (1, 1, false, [3, 3, 5])] {
            let p = place(k, s, same, input);
            let x: Vec<f32> = (0..2 * p.in_size()).map(|i| if i % 7 == 0 { specials[i / 7 % specials.len()] } else { ((i * 7 % 11) as f32) / 3.0 - 1.7 }).collect();
            let mut want = Vec::new();
            windows(&p, 2, |_, first, ni, nj| {
                for ch in 0..p.c {
                    let sum = inputs(&p, first, ni, nj).fold(0.0f32, |a, i| a + x[i + ch]);
                    want.push(sum / (ni * nj) as f32);
                }
            });
            let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&avg_forward("t", &p, &x, 2).unwrap()), bits(&want), "{k} {s} {same} {input:?}");
        }
    }

    /// Average backward is the transpose of the forward: ⟨avg(x), dy⟩ = ⟨x, avg_backward(dy)⟩.
    #[test]
    fn average_backward_is_the_adjoint() {
        let p = Window { size: [3, 2], strides: [2, 1], dilation: [1, 1], same: true }.place("t", &[5, 4, 3]).unwrap();
        let x: Vec<f32> = (0..2 * p.in_size()).map(|v| ((v * 7 % 11) as f32) - 5.0).collect();
        let y = avg_forward("t", &p, &x, 2).unwrap();
        let dy: Vec<f32> = (0..y.len()).map(|v| ((v * 5 % 13) as f32) / 4.0 - 1.0).collect();
        let dx = avg_backward("t", &p, &dy, 2).unwrap();
        let a: f64 = y.iter().zip(&dy).map(|(&a, &b)| a as f64 * b as f64).sum();
        let b: f64 = x.iter().zip(&dx).map(|(&a, &b)| a as f64 * b as f64).sum();
        assert!((a - b).abs() < 1e-3, "{a} vs {b}");
    }

    /// The tensor op: rank 3 and 4, max pooling's argmax kept for its tape rule (the first
    /// maximum of a tie gets the gradient), average pooling's rule the kernel's.
    #[test]
    fn the_tensor_ops_and_their_tape_rules() {
        use crate::autodiff::{Recorded, Tape};
        let win = Window { size: [2, 2], strides: [2, 2], dilation: [1, 1], same: true };
        // One 3×3 channel with a tie (5 twice) in the first window.
        let x = Tensor::new("t", [3, 3, 1].into(), vec![5., 5., 1., 0., 2., 7., 3., 9., 4.]).unwrap();
        let (y, arg) = pool2d("maxPool", &x, true, win, true).unwrap();
        assert_eq!((y.dims(), y.data()), (&[2, 2, 1][..], &[5., 7., 9., 4.][..]));
        assert_eq!(arg, [0, 5, 7, 8]);
        let (a, none) = pool2d("avgPool", &x, false, win, true).unwrap();
        assert_eq!((a.data(), none.len()), (&[3., 4., 6., 4.][..], 0));
        let g = Tensor::new("t", [2, 2, 1].into(), vec![1., 2., 3., 4.]).unwrap();
        let mut tape = Tape::new();
        tape.record(Recorded::Pool2d { op: "maxPool", max: true, win, arg }, vec![(1, x.clone())], (2, y));
        tape.record(Recorded::Pool2d { op: "avgPool", max: false, win, arg: Vec::new() }, vec![(1, x.clone())], (3, a));
        assert_eq!(tape.gradient(2, g.clone(), &[1]).unwrap()[0].as_ref().unwrap().data(), &[1., 0., 0., 0., 0., 2., 0., 3., 4.]);
        assert_eq!(tape.gradient(3, g, &[1]).unwrap()[0].as_ref().unwrap().data(), &[0.25, 0.25, 1., 0.25, 0.25, 1., 1.5, 1.5, 4.]);
        let four = Tensor::new("t", [1, 3, 3, 1].into(), x.data().to_vec()).unwrap();
        assert_eq!(pool2d("maxPool", &four, true, win, false).unwrap().0.dims(), &[1, 2, 2, 1]);
        let e = pool2d("avgPool", &Tensor::zeros("t", [3, 3].into()).unwrap(), false, win, false).unwrap_err().to_string();
        assert!(e.starts_with("avgPool: x must have rank 4"), "{e}");
        let e = pool2d("maxPool", &x, true, Window { size: [0, 2], ..win }, false).unwrap_err().to_string();
        assert_eq!(e, "maxPool: size must be positive integers up to 65536, got [0, 2]");
    }
}
