//! `depthwiseConv2d(x, filter)`: each input channel convolved with its own filters, as TF.js
//! `depthwiseConv2d` (channels last).
//!
//! `y[b, oy, ox, c·m + j] = Σ_{ky, kx} x[b, iy, ix, c] · filter[ky, kx, c, j]` over the window
//! offsets that land inside the input (`iy = oy·sh + ky·dh − padTop`, likewise `ix`), summed
//! in float32 in `(ky, kx)` order.
//!
//! # Shapes
//! `x: [batch, h, w, c]` (or one image `[h, w, c]`), `filter: [kh, kw, c, m]` → `[batch, oh,
//! ow, c·m]` (rank 3 for one image), `oh`/`ow` as conv2d's for the window, strides, dilation
//! and padding.
//!
//! # Backward
//! `dx[b, iy, ix, c] = Σ dy[b, oy, ox, c·m + j] · filter[ky, kx, c, j]` over the outputs that
//! read it; `dfilter[ky, kx, c, j] = Σ x[b, iy, ix, c] · dy[b, oy, ox, c·m + j]` over samples
//! and outputs.

use super::window::{filter_placement, out_shape, Placement, Window};
use crate::{Result, Tensor};

const OP: &str = "depthwiseConv2d";

/// The placement of `filter`'s window on `x`, the number of images and the channel multiplier.
fn placement(x: &Tensor, filter: &Tensor, win: Window) -> Result<(Placement, usize, usize)> {
    let (p, batch) = filter_placement(OP, x, filter, "channelMultiplier", win)?;
    Ok((p, batch, filter.dims()[3]))
}

/// Calls `f(out, xin, fk)` for every output position and every window offset inside the input:
/// `out` the flat offset of the output position's `c·m` values, `xin` of the input pixel's `c`
/// values, `fk` of the offset's `c·m` filter values.
#[inline(always)]
fn each_tap(p: &Placement, batch: usize, m: usize, mut f: impl FnMut(usize, usize, usize)) {
    let (c, kw) = (p.c, p.win.size[1]);
    let cm = c * m;
    let rows = p.inside_all(0);
    let cols = p.inside_all(1);
    for b in 0..batch {
        for (oy, &(ky0, ky1)) in rows.iter().enumerate() {
            for (ox, &(kx0, kx1)) in cols.iter().enumerate() {
                let out = ((b * p.oh + oy) * p.ow + ox) * cm;
                for ky in ky0..ky1 {
                    let iy = p.source(0, oy, ky).unwrap_or(0);
                    for kx in kx0..kx1 {
                        let ix = p.source(1, ox, kx).unwrap_or(0);
                        f(out, ((b * p.h + iy) * p.w + ix) * c, (ky * kw + kx) * cm);
                    }
                }
            }
        }
    }
}

/// Depthwise convolution of `x` with `filter` over `win` (its size is the filter's).
#[inline(never)]
pub fn depthwise_conv2d(x: &Tensor, filter: &Tensor, win: Window) -> Result<Tensor> {
    let (p, batch, m) = placement(x, filter, win)?;
    let (c, cm) = (p.c, p.c * m);
    let mut y = Tensor::zeros(OP, out_shape(OP, x.rank(), batch, [p.oh, p.ow, cm])?)?;
    let (xs, fs, ys) = (x.data(), filter.data(), y.data_mut());
    each_tap(&p, batch, m, |out, xin, fk| {
        let (o, xv, fv) = (&mut ys[out..out + cm], &xs[xin..xin + c], &fs[fk..fk + cm]);
        if m == 1 {
            for ((o, &a), &w) in o.iter_mut().zip(xv).zip(fv) {
                *o += a * w;
            }
        } else {
            for (ch, &a) in xv.iter().enumerate() {
                for (o, &w) in o[ch * m..(ch + 1) * m].iter_mut().zip(&fv[ch * m..(ch + 1) * m]) {
                    *o += a * w;
                }
            }
        }
    });
    Ok(y)
}

/// The backward rule of [`depthwise_conv2d`]: `(dL/dx, dL/dfilter)` for `dL/dy` = `g`, each
/// when `need`s.
#[inline(never)]
pub fn depthwise_conv2d_backward(x: &Tensor, filter: &Tensor, win: Window, g: &Tensor, need: [bool; 2]) -> Result<(Option<Tensor>, Option<Tensor>)> {
    let (p, batch, m) = placement(x, filter, win)?;
    let (c, cm) = (p.c, p.c * m);
    if g.size() != batch * p.oh * p.ow * cm {
        return Err(crate::Error::Internal { msg: "depthwiseConv2d: the gradient does not have the output's size".into() });
    }
    let mut dx = need[0].then(|| Tensor::zeros(OP, x.shape().clone())).transpose()?;
    let mut df = need[1].then(|| Tensor::zeros(OP, filter.shape().clone())).transpose()?;
    let (xs, fs, gs) = (x.data(), filter.data(), g.data());
    let (mut dxs, mut dfs) = (dx.as_mut().map(|t| t.data_mut()), df.as_mut().map(|t| t.data_mut()));
    each_tap(&p, batch, m, |out, xin, fk| {
        let gv = &gs[out..out + cm];
        if let Some(d) = dxs.as_deref_mut() {
            let (d, fv) = (&mut d[xin..xin + c], &fs[fk..fk + cm]);
            for (ch, d) in d.iter_mut().enumerate() {
                let mut s = 0.0f32;
                for j in ch * m..(ch + 1) * m {
                    s += gv[j] * fv[j];
                }
                *d += s;
            }
        }
        if let Some(d) = dfs.as_deref_mut() {
            let (d, xv) = (&mut d[fk..fk + cm], &xs[xin..xin + c]);
            for (ch, &a) in xv.iter().enumerate() {
                for (d, &gj) in d[ch * m..(ch + 1) * m].iter_mut().zip(&gv[ch * m..(ch + 1) * m]) {
                    *d += a * gj;
                }
            }
        }
    });
    Ok((dx, df))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::conv::conv2d;
    use crate::ops::test_util::t;

    fn win(s: [usize; 2], d: [usize; 2], same: bool) -> Window {
        Window { size: [1, 1], strides: s, dilation: d, same }
    }

    /// Each channel `ch` of `x` (`[b, h, w, c]`) through conv2d with `filter[:, :, ch, :]`: the definition.
    fn by_channel(x: &Tensor, f: &Tensor, w: Window) -> Vec<Vec<f32>> {
        let &[b, h, wd, c] = x.dims() else { panic!() };
        let &[kh, kw, _, m] = f.dims() else { panic!() };
        (0..c)
            .map(|ch| {
                let xc = t(&[b, h, wd, 1], x.data().iter().skip(ch).step_by(c).copied().collect());
                let fc = t(&[kh, kw, 1, m], (0..kh * kw).flat_map(|k| f.data()[(k * c + ch) * m..(k * c + ch + 1) * m].to_vec()).collect());
                conv2d(&xc, &fc, w).unwrap().data().to_vec()
            })
            .collect()
    }

    #[test]
    fn equals_conv2d_channel_by_channel() {
        for (xd, fd, w) in [
            ([2, 5, 4, 3], [3, 2, 3, 1], win([1, 1], [1, 1], false)),
            ([1, 7, 6, 2], [3, 3, 2, 3], win([2, 1], [1, 2], true)),
            ([3, 4, 4, 1], [1, 1, 1, 2], win([3, 3], [1, 1], true)),
        ] {
            let n = xd.iter().product::<usize>();
            let x = t(&xd, (0..n).map(|v| ((v * 37 % 23) as f32 - 11.0) * 0.125).collect());
            let nf = fd.iter().product::<usize>();
            let f = t(&fd, (0..nf).map(|v| ((v * 13 % 7) as f32 - 3.0) * 0.25).collect());
            let y = depthwise_conv2d(&x, &f, w).unwrap();
            let (c, m) = (xd[3], fd[3]);
            let per = by_channel(&x, &f, w);
            let pixels = per[0].len() / m;
            for p in 0..pixels {
                for ch in 0..c {
                    for j in 0..m {
                        let (a, b) = (y.data()[p * c * m + ch * m + j], per[ch][p * m + j]);
                        assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{xd:?} {fd:?} pixel {p} channel {ch} filter {j}: {a} vs {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn backward_is_the_adjoint() {
        // <dy, depthwise(x, f)> is linear in x and in f: its gradients must satisfy
        // <dx, x> = <dy, y> = <df, f> (the sum of products over the taps, either way round).
        let x = t(&[2, 5, 4, 3], (0..120).map(|v| ((v * 29 % 17) as f32 - 8.0) * 0.25).collect());
        let f = t(&[2, 3, 3, 2], (0..36).map(|v| ((v * 11 % 5) as f32 - 2.0) * 0.5).collect());
        let w = win([2, 1], [1, 1], true);
        let y = depthwise_conv2d(&x, &f, w).unwrap();
        let g = t(y.dims(), (0..y.size()).map(|v| ((v * 7 % 9) as f32 - 4.0) * 0.25).collect());
        let (dx, df) = depthwise_conv2d_backward(&x, &f, w, &g, [true, true]).unwrap();
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>();
        let yg = dot(y.data(), g.data());
        // The values are multiples of 1/16 small enough for float32 to hold every sum exactly.
        assert_eq!(dot(dx.unwrap().data(), x.data()), yg, "dx");
        assert_eq!(dot(df.unwrap().data(), f.data()), yg, "dfilter");
    }

    #[test]
    fn empty_inputs_and_bad_shapes() {
        let y = depthwise_conv2d(&Tensor::zeros("t", [1, 4, 4, 0].into()).unwrap(), &Tensor::zeros("t", [2, 2, 0, 3].into()).unwrap(), win([1, 1], [1, 1], false)).unwrap();
        assert_eq!(y.dims(), &[1, 3, 3, 0]);
        let y = depthwise_conv2d(&Tensor::zeros("t", [0, 4, 4, 2].into()).unwrap(), &Tensor::zeros("t", [2, 2, 2, 1].into()).unwrap(), win([1, 1], [1, 1], true)).unwrap();
        assert_eq!(y.dims(), &[0, 4, 4, 2]);
        let e = depthwise_conv2d(&Tensor::zeros("t", [1, 4, 4, 2].into()).unwrap(), &Tensor::zeros("t", [2, 2, 3, 1].into()).unwrap(), win([1, 1], [1, 1], true)).unwrap_err();
        assert_eq!(e.to_string(), "depthwiseConv2d: filter has 3 input channels (shape [2,2,3,1]) but x has 2 (shape [1,4,4,2]): filter[2] must equal x's last dimension");
        assert!(depthwise_conv2d(&Tensor::zeros("t", [4, 4].into()).unwrap(), &Tensor::zeros("t", [2, 2, 1, 1].into()).unwrap(), win([1, 1], [1, 1], true)).is_err());
    }
}
