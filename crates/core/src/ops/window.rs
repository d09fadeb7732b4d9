//! The sliding window of 2-D convolution and pooling over `[batch, height, width, channels]`
//! (channels last, as TF.js and Keras by default): its size, strides, dilation and padding, and
//! where it lands on a given input (the output size and the padding before each axis).
//!
//! Padding follows TensorFlow: `valid` places the (dilated) window only where it fits,
//! `out = ⌊(in − k_eff) / s⌋ + 1`; `same` gives `out = ⌈in / s⌉` and pads
//! `max((out − 1)·s + k_eff − in, 0)` zeros, the smaller half before (top, left).

use crate::{bail, Result};

/// A window's configuration along the two spatial axes (`[rows, columns]` each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub size: [usize; 2],
    pub strides: [usize; 2],
    pub dilation: [usize; 2],
    /// `same` padding (`false`: `valid`).
    pub same: bool,
}

/// A window placed on an input of `h × w` with `c` channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub win: Window,
    /// Input height, width, channels.
    pub h: usize,
    pub w: usize,
    pub c: usize,
    /// Output height and width.
    pub oh: usize,
    pub ow: usize,
    /// Zeros before the first row and column.
    pub pad_top: usize,
    pub pad_left: usize,
}

impl Window {
    /// Reads `size(2), strides(2), dilation(2), same(0|1)` from an ABI parameter list; each
    /// entry a positive integer (up to 2^16), named in errors as `op`'s options.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn from_abi(r: &mut crate::config::Reader, size: &str) -> Result<Window> {
        let mut pair = |field: &str| -> Result<[usize; 2]> {
            let a = r.usize(field)?;
            let b = r.usize(field)?;
            Ok([a, b])
        };
        let (size, strides, dilation) = (pair(size)?, pair("strides")?, pair("dilationRate")?);
        let same = r.bool("padding")?;
        Window::new(r.op(), size, strides, dilation, same)
    }

    /// A checked window (each entry a positive integer up to 2^16, named in errors as `op`'s).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(op: &'static str, size: [usize; 2], strides: [usize; 2], dilation: [usize; 2], same: bool) -> Result<Window> {
        let win = Window { size, strides, dilation, same };
        win.check(op)?;
        Ok(win)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn check(&self, op: &'static str) -> Result<()> {
        for (name, v) in [("size", self.size), ("strides", self.strides), ("dilationRate", self.dilation)] {
            if v.iter().any(|&d| d == 0 || d > 1 << 16) {
                bail!(op, "{name} must be positive integers up to 65536, got [{}, {}]", v[0], v[1]);
            }
        }
        Ok(())
    }

    /// The window's extent along axis `a` once dilated: `(k − 1)·d + 1`.
    pub fn extent(&self, a: usize) -> usize {
        (self.size[a] - 1) * self.dilation[a] + 1
    }

    /// The length along axis `a` of a transposed convolution's output for an input of length
    /// `n` (TF.js's `deconvLength`, Keras's without output padding): `n·s` with `same`,
    /// `n·s + max(k − s, 0)` with `valid` — the size whose convolution by this window has length
    /// `n` again. `None` when it does not fit in `usize`.
    pub fn transposed_len(&self, a: usize, n: usize) -> Option<usize> {
        let s = self.strides[a];
        let len = n.checked_mul(s)?;
        if self.same {
            Some(len)
        } else {
            len.checked_add(self.extent(a).saturating_sub(s))
        }
    }

    /// Keras 3's transposed convolution along axis `a` with an output padding `op` (`< s`), for
    /// an input of length `n`: the output length `(n − 1)·s + k_eff − 2·pad + op` (`pad` is
    /// `⌊k_eff / 2⌋` with `same`, 0 with `valid`; `compute_conv_transpose_output_shape`) and the
    /// zeros before the first output position of the convolution it is the adjoint of
    /// (`k_eff − 1 −` JAX's left padding in `compute_conv_transpose_padding_args_for_jax`:
    /// 0 with `valid`, `max(⌊(k_eff − k_eff mod 2 − op) / 2⌋, 0)` with `same`). Input step `i`
    /// and tap `j` land on output `i·s + j·d − before` (taps outside are dropped). `None` when
    /// the length is negative (no steps) or does not fit in `usize`.
    pub fn transposed_padded(&self, a: usize, n: usize, op: usize) -> Option<(usize, usize)> {
        let (k, s) = (self.extent(a), self.strides[a]);
        let (base, before) = if self.same { (k % 2, (k - k % 2).saturating_sub(op) / 2) } else { (k, 0) };
        let len = n.checked_sub(1)?.checked_mul(s)?.checked_add(base)?.checked_add(op)?;
        Some((len, before))
    }

    /// Places the window on a per-sample input `[h, w, c]`; an error names `op` when the shape is
    /// not of rank 3 or, with `valid` padding, when the window does not fit.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn place(&self, op: &'static str, input: &[usize]) -> Result<Placement> {
        let &[h, w, c] = input else {
            bail!(op, "expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape [{}]", join(input));
        };
        let mut out = [0; 2];
        let mut before = [0; 2];
        for (a, n) in [h, w].into_iter().enumerate() {
            let (k, s) = (self.extent(a), self.strides[a]);
            if self.same {
                out[a] = n.div_ceil(s);
                let total = ((out[a].max(1) - 1) * s + k).saturating_sub(n);
                before[a] = total / 2;
            } else {
                if n < k {
                    bail!(
                        op,
                        "the {} window ({}{}) does not fit the input's {} of {n} with padding 'valid' (per-sample input [{h}, {w}, {c}]); use padding 'same' or a smaller window",
                        ["rows", "columns"][a],
                        k,
                        if self.dilation[a] > 1 { " once dilated" } else { "" },
                        ["height", "width"][a]
                    );
                }
                out[a] = (n - k) / s + 1;
            }
        }
        Ok(Placement { win: *self, h, w, c, oh: out[0], ow: out[1], pad_top: before[0], pad_left: before[1] })
    }
}

impl Placement {
    /// The input row (or column, `a = 1`) that window offset `k` of output position `o` reads,
    /// `None` in the padding.
    #[inline]
    pub fn source(&self, a: usize, o: usize, k: usize) -> Option<usize> {
        let (pad, n) = if a == 0 { (self.pad_top, self.h) } else { (self.pad_left, self.w) };
        (o * self.win.strides[a] + k * self.win.dilation[a]).checked_sub(pad).filter(|&i| i < n)
    }

    /// The window offsets `[k0, k1)` of output position `o` along axis `a` that land inside the
    /// input (the others are padding): offsets inside always form one run.
    #[inline]
    pub fn inside(&self, a: usize, o: usize) -> (usize, usize) {
        let k = self.win.size[a];
        let k0 = (0..k).find(|&j| self.source(a, o, j).is_some()).unwrap_or(k);
        let k1 = (k0..k).find(|&j| self.source(a, o, j).is_none()).unwrap_or(k);
        (k0, k1)
    }

    /// The output positions `[lo, hi)` along axis `a` whose window offset `k` lands inside the
    /// input (they always form one run; `lo == hi` when none does).
    pub fn inside_range(&self, a: usize, k: usize) -> (usize, usize) {
        let n = [self.oh, self.ow][a];
        let lo = (0..n).find(|&o| self.source(a, o, k).is_some()).unwrap_or(n);
        let hi = (lo..n).find(|&o| self.source(a, o, k).is_none()).unwrap_or(n);
        (lo, hi)
    }

    /// [`Placement::inside`] for every output position along axis `a`, computed once per call
    /// of a kernel rather than per sample and row.
    pub fn inside_all(&self, a: usize) -> Vec<(usize, usize)> {
        (0..[self.oh, self.ow][a]).map(|o| self.inside(a, o)).collect()
    }

    /// Values per input sample and per output sample (`channels` per output position).
    pub fn in_size(&self) -> usize {
        self.h * self.w * self.c
    }
}

/// The samples and per-sample shape `[h, w, c]` of an op's image input (named `arg` in errors)
/// of shape `x`: `[batch, h, w, c]`, or `[h, w, c]` for one image (TF.js's `conv2d`, `maxPool`,
/// `avgPool`, `resizeBilinear`, … take both).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn images(op: &'static str, arg: &str, x: &crate::Shape) -> Result<(usize, [usize; 3])> {
    match *x.dims() {
        [b, h, w, c] => Ok((b, [h, w, c])),
        [h, w, c] => Ok((1, [h, w, c])),
        _ => bail!(op, "{arg} must have rank 4 [batch, height, width, channels] or 3 [height, width, channels] (channels last), got shape {x}"),
    }
}

/// The placement of a filter's window on an image input `x` (`[batch, h, w, c]` or one image
/// `[h, w, c]`) for a `filter` of shape `[kh, kw, c, last]`, and the number of images: the
/// checks conv2d and depthwiseConv2d share. `last` names the filter's last axis in errors
/// (`outChannels`, `channelMultiplier`); `win` carries the strides, dilation and padding, its
/// size is the filter's.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn filter_placement(op: &'static str, x: &crate::Tensor, filter: &crate::Tensor, last: &str, win: Window) -> Result<(Placement, usize)> {
    let (batch, input) = images(op, "x", x.shape())?;
    let &[kh, kw, fin, _] = filter.dims() else {
        bail!(op, "filter must have rank 4 [filterHeight, filterWidth, inChannels, {last}], got shape {}", filter.shape());
    };
    if kh == 0 || kw == 0 {
        bail!(op, "filter's height and width must be positive, got filter shape {}", filter.shape());
    }
    if fin != input[2] {
        bail!(op, "filter has {fin} input channels (shape {}) but x has {} (shape {}): filter[2] must equal x's last dimension", filter.shape(), input[2], x.shape());
    }
    let win = Window::new(op, [kh, kw], win.strides, win.dilation, win.same)?;
    Ok((win.place(op, &input)?, batch))
}

/// The shape of `batch` output images of `[h, w, c]` for an image input of rank `rank` (3 or 4):
/// `[batch, h, w, c]`, or `[h, w, c]` for one image.
pub fn out_shape(op: &'static str, rank: usize, batch: usize, [h, w, c]: [usize; 3]) -> Result<crate::Shape> {
    let d = [batch, h, w, c];
    crate::Shape::new(op, &d[4 - rank..])
}

fn join(d: &[usize]) -> String {
    d.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(k: usize, s: usize, d: usize, same: bool) -> Window {
        Window { size: [k, k], strides: [s, s], dilation: [d, d], same }
    }

    /// TensorFlow's sizes and paddings (`tf.nn.conv2d` docs): valid `⌊(n − k_eff)/s⌋ + 1`,
    /// same `⌈n/s⌉` with the smaller half of the padding first.
    #[test]
    fn output_sizes_and_padding_follow_tensorflow() {
        let p = win(3, 1, 1, false).place("t", &[28, 28, 1]).unwrap();
        assert_eq!((p.oh, p.ow, p.pad_top), (26, 26, 0));
        let p = win(3, 2, 1, false).place("t", &[7, 8, 2]).unwrap();
        assert_eq!((p.oh, p.ow), (3, 3));
        let p = win(3, 1, 1, true).place("t", &[5, 5, 1]).unwrap();
        assert_eq!((p.oh, p.pad_top), (5, 1));
        // k = 4, s = 1: 3 zeros in all, 1 before and 2 after.
        let p = win(4, 1, 1, true).place("t", &[6, 6, 1]).unwrap();
        assert_eq!((p.oh, p.pad_top), (6, 1));
        // s = 2 on 7: out 4, pad (4−1)·2 + 3 − 7 = 2, 1 before.
        let p = win(3, 2, 1, true).place("t", &[7, 7, 1]).unwrap();
        assert_eq!((p.oh, p.pad_top), (4, 1));
        // A stride larger than the window: no padding needed.
        let p = win(2, 3, 1, true).place("t", &[7, 7, 1]).unwrap();
        assert_eq!((p.oh, p.pad_top), (3, 0));
        // Dilation 2 makes a 3-window span 5.
        let p = win(3, 1, 2, false).place("t", &[9, 9, 1]).unwrap();
        assert_eq!((p.oh, p.ow), (5, 5));
        assert_eq!(p.source(0, 4, 2), Some(8));
        let p = win(3, 1, 2, true).place("t", &[9, 9, 1]).unwrap();
        assert_eq!((p.oh, p.pad_top, p.source(0, 0, 0), p.source(0, 0, 1)), (9, 2, None, Some(0)));
    }

    #[test]
    fn errors_name_the_shapes() {
        let e = win(5, 1, 1, false).place("conv2d", &[3, 8, 1]).unwrap_err().to_string();
        assert!(e.contains("rows window (5)") && e.contains("height of 3") && e.contains("'same'"), "{e}");
        let e = win(3, 1, 1, false).place("conv2d", &[8, 8]).unwrap_err().to_string();
        assert!(e.contains("[height, width, channels]") && e.contains("[8, 8]"), "{e}");
    }
}
