//! 2-D convolution over `[batch, height, width, channels]` (channels last) with a kernel
//! `[kh, kw, in, filters]` (TF.js's and Keras's layouts), as a GEMM on the gathered patches.
//!
//! Each output position's window is copied into one row of a patch matrix (`im2col`), row
//! `(i·kw + j)·in + c` holding input `(y·s + i·d − pad, x·s + j·d − pad, c)` (zero in the
//! padding); the kernel read as an `(kh·kw·in) × filters` matrix then makes the convolution
//! [`affine`]'s `patches·W + b`, on the packed SIMD matmul kernel. The backward rule is affine's
//! too: `dW = patchesᵀ·dy`, `db = Σ dy`, `dpatches = dy·Wᵀ`, whose rows are added back to the
//! input positions they were copied from (`col2im`).
//!
//! The patches of a whole batch can be large (a 3×3 window makes nine copies of its input), so
//! they are never gathered at once. Both directions run over blocks of about 256 KiB of
//! patches ([`BLOCK_VALUES`]), each gathered and used on one thread while its patches are in
//! that core's cache (the blocks are the tasks on the thread pool): the forward over blocks of
//! output lines, backward over blocks of whole samples ([`samples_per_group`]), gathering a
//! block's patches again rather than keeping them from the forward. The cuts come from the
//! shapes alone, so the values do not depend on the thread count.
//!
//! With few input channels (a first layer on grayscale or RGB images: 9- or 27-long patch
//! rows, which the GEMM multiplies mostly at its per-tile cost) the forward gathers nothing:
//! the tiles of `kernels::matmul::taps_column` read each window from a zero-padded copy of its
//! input rows ([`in_place_lines`]; up to 8 channels and `KC` taps, the window not dilated along
//! the width, [`in_place`]), summing the taps in the GEMM's order, so the values are the same
//! bits.

use std::cell::Cell;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::affine;
use crate::activations::Activation;
use crate::kernels::copy::{copy_short, fill_short};
use crate::kernels::matmul::{gemm, taps_column, Taps, KC, NR};
use crate::parallel::{for_each_chunk_mut, SharedMut};
use super::window::{filter_placement, images, out_shape, Placement, Window};
use crate::{bail, Result, Tensor};

/// TF.js's `conv2d(x, filter, strides, pad, 'NHWC', dilations)`: `x` `[batch, h, w, in]` (or one
/// image `[h, w, in]`), `filter` `[kh, kw, in, out]` → `[batch, oh, ow, out]` (or `[oh, ow, out]`).
/// `win` carries the strides, dilation and padding; its size is the filter's.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn conv2d(x: &Tensor, filter: &Tensor, win: Window) -> Result<Tensor> {
    const OP: &str = "conv2d";
    let (p, batch) = filter_placement("conv2d", x, filter, "outChannels", win)?;
    let f = filter.dims()[3];
    let mut y = forward(OP, &p, x.data(), batch, filter.data(), f, None, None)?;
    skip_padding_taps(&p, x.data(), filter.data(), f, &mut y);
    Tensor::new(OP, out_shape(OP, x.rank(), batch, [p.oh, p.ow, f])?, y)
}

/// The values of [`conv2d`] whose window reaches into the padding, where the GEMM made NaN of
/// a non-finite filter tap times a padded zero: summed again over the window's taps inside the
/// input only (in the GEMM's order of taps), as TF.js, `depthwiseConv2d` and `conv2dTranspose`
/// skip the taps outside (`conv1d([[[3]]], [Inf, 2, 5], 1, 'same')` is 6, not NaN). Nothing runs
/// unless the filter holds a non-finite value, so the usual convolution pays one pass over the
/// filter; a NaN or ±∞ from the input itself is found again by the sum.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn skip_padding_taps(p: &Placement, x: &[f32], w: &[f32], filters: usize, y: &mut [f32]) {
    if w.iter().all(|v| v.is_finite()) || p.in_size() == 0 || filters == 0 {
        return;
    }
    let (kh, kw, c) = (p.win.size[0], p.win.size[1], p.c);
    let (rows, columns) = (p.inside_all(0), p.inside_all(1));
    for (q, line) in y.chunks_exact_mut(p.ow * filters).enumerate() {
        let (sample, oy) = line_source(p, x, q);
        let (i0, i1) = rows[oy];
        for (ox, out) in line.chunks_exact_mut(filters).enumerate() {
            let (j0, j1) = columns[ox];
            if (i0, i1, j0, j1) == (0, kh, 0, kw) {
                continue; // the whole window is inside
            }
            for (f, v) in out.iter_mut().enumerate().filter(|(_, v)| v.is_nan()) {
                let mut sum = 0.0f32;
                // Offsets i0..i1 and j0..j1 land inside: the input row and column without the
                // Option of `Placement::source`.
                for i in i0..i1 {
                    let iy = oy * p.win.strides[0] + i * p.win.dilation[0] - p.pad_top;
                    for j in j0..j1 {
                        let ix = ox * p.win.strides[1] + j * p.win.dilation[1] - p.pad_left;
                        let (xs, taps) = (&sample[(iy * p.w + ix) * c..][..c], &w[(i * kw + j) * c * filters..]);
                        for (ch, &xv) in xs.iter().enumerate() {
                            sum += xv * taps[ch * filters + f];
                        }
                    }
                }
                *v = sum;
            }
        }
    }
}

/// The backward rule of [`conv2d`]: `(dL/dx, dL/dfilter)` for `dL/dy` = `g`, each when `need`s.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn conv2d_backward(x: &Tensor, filter: &Tensor, win: Window, g: &Tensor, need: [bool; 2]) -> Result<(Option<Tensor>, Option<Tensor>)> {
    const OP: &str = "conv2d";
    let (p, batch) = filter_placement("conv2d", x, filter, "outChannels", win)?;
    let f = filter.dims()[3];
    if g.size() != batch * p.oh * p.ow * f {
        return Err(crate::Error::Internal { msg: "conv2d: the gradient does not have the output's size".into() });
    }
    let mut df = need[1].then(|| Tensor::zeros(OP, filter.shape().clone())).transpose()?;
    let dx = backward(OP, &p, x.data(), batch, filter.data(), f, g.data(), df.as_mut().map(|t| t.data_mut()), None, need[0])?;
    Ok((dx.map(|d| Tensor::new(OP, x.shape().clone(), d)).transpose()?, df))
}

/// TF.js's `conv2dTranspose(x, filter, outputShape, strides, pad)`: the adjoint of [`conv2d`]
/// with respect to its input (what its backward rule gives for dL/dx), a learned upsampling.
/// `x` is `[batch, h, w, inC]` (or one image `[h, w, inC]`), `filter` `[kh, kw, outC, inC]`,
/// `out` the per-image output `[oh, ow, outC]`: a `conv2d` of such an image with `filter` and
/// `win`'s strides and padding must give x's `[h, w]` (with strides, several sizes do).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn conv2d_transpose(x: &Tensor, filter: &Tensor, out: [usize; 3], win: Window) -> Result<Tensor> {
    const OP: &str = "conv2dTranspose";
    let (p, batch) = transpose_placement(x, filter, out, win)?;
    let y = transpose_forward(OP, &p, x.data(), batch, filter.data(), filter.dims()[3], None)?;
    Tensor::new(OP, out_shape(OP, x.rank(), batch, out)?, y)
}

/// The backward rule of [`conv2d_transpose`]: `(dL/dx, dL/dfilter)` for `dL/dy` = `g`, each
/// when `need`s: `dx` is `conv2d(g, filter)`, `dfilter` conv2d's kernel gradient with `g` as
/// the image and `x` as the output gradient.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn conv2d_transpose_backward(x: &Tensor, filter: &Tensor, out: [usize; 3], win: Window, g: &Tensor, need: [bool; 2]) -> Result<(Option<Tensor>, Option<Tensor>)> {
    const OP: &str = "conv2dTranspose";
    let (p, batch) = transpose_placement(x, filter, out, win)?;
    let cin = filter.dims()[3];
    if g.size() != batch * p.in_size() {
        return Err(crate::Error::Internal { msg: "conv2dTranspose: the gradient does not have the output's size".into() });
    }
    let mut df = need[1].then(|| Tensor::zeros(OP, filter.shape().clone())).transpose()?;
    let dx = transpose_backward(OP, &p, x.data(), batch, filter.data(), cin, g.data(), df.as_mut().map(|t| t.data_mut()), None, need[0])?;
    Ok((dx.map(|d| Tensor::new(OP, x.shape().clone(), d)).transpose()?, df))
}

/// The placement of the convolution that `conv2d_transpose` is the adjoint of (on an output
/// image), and the number of images; errors name the shapes that do not go together.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn transpose_placement(x: &Tensor, filter: &Tensor, out: [usize; 3], win: Window) -> Result<(Placement, usize)> {
    const OP: &str = "conv2dTranspose";
    let (batch, [h, w, c]) = images(OP, "x", x.shape())?;
    let &[kh, kw, fout, fin] = filter.dims() else {
        bail!(OP, "filter must have rank 4 [filterHeight, filterWidth, outChannels, inChannels], got shape {}", filter.shape());
    };
    if kh == 0 || kw == 0 {
        bail!(OP, "filter's height and width must be positive, got filter shape {}", filter.shape());
    }
    if fin != c {
        bail!(OP, "filter has {fin} input channels (filter[3], shape {}) but x has {c} (shape {}): filter[3] must equal x's last dimension", filter.shape(), x.shape());
    }
    if fout != out[2] {
        bail!(OP, "filter has {fout} output channels (filter[2], shape {}) but outputShape has {}: they must be equal", filter.shape(), out[2]);
    }
    let win = Window::new(OP, [kh, kw], win.strides, [1, 1], win.same)?;
    // The sizes whose conv2d gives x's `n` rows (columns): `(n − 1)·s + 1 ..= n·s` with `same`,
    // `(n − 1)·s + k ..= n·s + k − 1` with `valid` (Keras 3's output_padding picks one of them).
    if !win.same && (h == 0 || w == 0) {
        bail!(OP, "x of shape {} has no rows or no columns, which no conv2d with pad 'valid' gives (it gives at least one): use pad 'same'", x.shape());
    }
    let range = |a: usize, n: usize| -> [usize; 2] {
        let (k, s) = (win.size[a], win.strides[a]);
        let lo = if n == 0 { 0 } else { (n - 1).saturating_mul(s).saturating_add(if win.same { 1 } else { k }) };
        [lo, if n == 0 { 0 } else { lo.saturating_add(s - 1) }]
    };
    let ([lh, hh], [lw, hw]) = (range(0, h), range(1, w));
    if !(lh..=hh).contains(&out[0]) || !(lw..=hw).contains(&out[1]) {
        // As given: with the batch for a batch of images (TF.js's 4-D outputShape).
        let lead = if x.rank() == 4 { format!("{batch}, ") } else { String::new() };
        bail!(
            OP,
            "outputShape [{lead}{}, {}, {}] does not go with x of shape {}: with a {kh} × {kw} filter, strides [{}, {}] and pad '{}', the outputs whose conv2d is x's {h} × {w} have height {lh} to {hh} and width {lw} to {hw}",
            out[0], out[1], out[2], x.shape(), win.strides[0], win.strides[1], if win.same { "same" } else { "valid" }
        );
    }
    let p = win.place(OP, &out)?;
    if [p.oh, p.ow] != [h, w] {
        return Err(crate::Error::Internal { msg: format!("conv2dTranspose: the output [{}, {}] does not convolve back to [{h}, {w}]", out[0], out[1]) });
    }
    Ok((p, batch))
}

/// The convolutions gather and use about this many patch values at a time (256 KiB: a block
/// of output lines in [`forward`], of whole samples in [`backward`]), so the patches are still
/// in the core's cache when the GEMMs read them. 16 MiB before: the MNIST CNN's second layer
/// ran 1.5x slower at batch 256 (its 17.8 MB of patches written, then read back); 2^14, 2^15,
/// 2^17 and 2^18 values ran 3-9 % slower than 2^16 (Node 20, Xeon, interleaved).
const BLOCK_VALUES: usize = 1 << 16;
/// [`backward`] runs its blocks on the thread pool this many at a time at most (a wave), each
/// with its own partial dL/dW, which are then added in block order...
const WAVE_BLOCKS: usize = 8;
/// ... and a wave's partials take at most this many values (4 MiB; at least one block).
const WAVE_PARTIALS: usize = 1 << 20;

thread_local! {
    /// The patch buffer of the convolutions on this thread (about [`BLOCK_VALUES`] values, or
    /// one output line's or one sample's patches), kept from call to call: a new buffer each call cost a
    /// zero-fill of up to 16 MiB that `im2col` then overwrote (the MNIST CNN's second layer
    /// at batch 256: ~1 ms of its ~10). The wasm memory never shrinks, so keeping it costs
    /// no more memory than the largest call already took.
    static PATCHES: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// Frees this thread's patch buffer (see `kernels::matmul::free_thread_buffers`).
pub fn free_thread_buffers() {
    drop(PATCHES.with(Cell::take));
}

/// This thread's patch buffer ([`PATCHES`]), taken until [`keep_patch_buffer`] puts it back
/// (a call that fails in between drops it; the next one allocates a new one).
fn take_patch_buffer() -> Vec<f32> {
    PATCHES.with(Cell::take)
}

/// Puts the patch buffer back for the next convolution on this thread.
fn keep_patch_buffer(buf: Vec<f32>) {
    PATCHES.with(|b| b.set(buf));
}

/// Patch values per sample: `oh·ow` rows of `kh·kw·c`.
fn patch_len(p: &Placement) -> (usize, usize) {
    (p.oh * p.ow, p.win.size[0] * p.win.size[1] * p.c)
}

/// Output lines (`ow` patch rows each) per block of [`forward`]: about [`BLOCK_VALUES`] patch
/// values (at least one line), from the shapes alone.
fn block_lines(p: &Placement) -> usize {
    let (_, k) = patch_len(p);
    (BLOCK_VALUES / (p.ow * k).max(1)).max(1)
}

/// Samples per block of [`backward`]: about [`BLOCK_VALUES`] patch values (at least one
/// sample), from the shapes alone.
pub fn samples_per_group(p: &Placement) -> usize {
    let (rows, k) = patch_len(p);
    (BLOCK_VALUES / (rows * k).max(1)).max(1)
}

/// Runs `f` on this thread's patch buffer ([`PATCHES`]) cut to `need` values; false (and `f`
/// not run) when the buffer cannot grow to that.
fn with_patches(op: &'static str, need: usize, f: impl FnOnce(&mut [f32])) -> bool {
    let mut buf = take_patch_buffer();
    if buf.len() < need {
        // The old buffer goes first, so the two are never held at once.
        drop(buf);
        let Ok(new) = crate::tensor::alloc(op, need) else { return false };
        buf = new;
    }
    f(&mut buf[..need]);
    keep_patch_buffer(buf);
    true
}

/// Whether the convolution has nothing to compute: no output values (no filters, an output of
/// zero rows or columns) or no input values (zero channels, rows or columns).
fn empty(p: &Placement, filters: usize) -> bool {
    let (rows, k) = patch_len(p);
    p.in_size() == 0 || rows * k * filters == 0
}

/// Whether the patches are the input itself (a 1×1 window, stride 1, no padding).
fn pointwise(p: &Placement) -> bool {
    p.win.size == [1, 1] && p.win.strides == [1, 1]
}

/// Input channels up to which the forward reads the windows in place ([`in_place`]).
const IN_PLACE_MAX_C: usize = 8;

/// Whether the forward reads each window in place from a copy of its input rows
/// ([`in_place_lines`]) rather than gathering patches for the GEMM: up to [`IN_PLACE_MAX_C`]
/// channels, one channel or a window not dilated along the width (its taps then one run per
/// window row), and up to `KC` taps (the GEMM sums those in one block, as the tiles do, so the
/// values are the same bits). Few channels gain most: an RGB first layer's 3×3 patch rows are
/// 27 values, gathered 9 at a time and then multiplied by the GEMM mostly at its per-tile cost;
/// in place, 8×64×64×3 by 3×3×3×16 ('same') ran in 0.68× the time, 16×27×27×3 by 5×5×3×8
/// ('valid') 0.63×, stride 2 0.73×, 4 and 8 channels 0.71–0.95×. With 16 to 24 channels the
/// runs disagreed (0.85–1.15×, the MNIST CNN's second layer, 256×13×13×16 by 3×3×16×32, at
/// 1.15× in one: 11 output columns make three one-row tiles a line), as much as two builds of
/// the same code differ on a loaded machine, so those keep the GEMM (Node, one thread,
/// interleaved; bench/firstconv.mjs has the TF.js comparison).
fn in_place(p: &Placement) -> bool {
    let k = p.win.size[0] * p.win.size[1] * p.c;
    p.c <= IN_PLACE_MAX_C && (p.c == 1 || p.win.dilation[1] == 1) && k <= KC
}

/// Columns per copied input row of [`in_place_lines`]: the columns one output line's windows
/// span, `(ow − 1)·sx + (kw − 1)·dx + 1`.
fn window_line(p: &Placement) -> usize {
    (p.ow - 1) * p.win.strides[1] + (p.win.size[1] - 1) * p.win.dilation[1] + 1
}

/// Values per copied input row of [`in_place_lines`]: [`window_line`]'s columns of `c` channels.
fn window_values(p: &Placement) -> usize {
    window_line(p) * p.c
}

/// The kernel `[k, filters]` in panels of `NR` filters (`k` rows each, zero past the last
/// filter), as the in-place tiles read it ([`in_place_lines`]).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn pack_filters(op: &'static str, w: &[f32], k: usize, filters: usize) -> Result<Vec<f32>> {
    let mut panels = crate::tensor::alloc(op, filters.div_ceil(NR) * k * NR)?;
    for (q, panel) in panels.chunks_exact_mut(k * NR).enumerate() {
        let cols = NR.min(filters - q * NR);
        for (dst, src) in panel.chunks_exact_mut(NR).zip(w.chunks_exact(filters)) {
            dst[..cols].copy_from_slice(&src[q * NR..q * NR + cols]);
        }
    }
    Ok(panels)
}

/// `ys` zeroed, as floats (for the tiles, which then write every value).
fn zeroed(ys: &mut [MaybeUninit<f32>]) -> &mut [f32] {
    ys.fill(MaybeUninit::new(0.0));
    // SAFETY: every element was initialised just above.
    unsafe { &mut *(ys as *mut [MaybeUninit<f32>] as *mut [f32]) }
}

/// The forward over output lines `lines` without patches ([`in_place`]): each line's window
/// rows are copied (zero-padded, `c` values a column) into `rows`, and the tiles of
/// `taps_column` read the taps there ([`Taps`]), in the GEMM's order of steps (the bits of
/// im2col + GEMM); then `finish` runs on the line while it is in cache (the bias and
/// activation). Writes every value of `ys` (`lines × ow × filters`).
///
/// Tap `(i, j, ch)` of output column `ox` is value `(ox·sx + j·dx)·c + ch` of window row `i`.
/// With one channel that is [`Taps`] as it stands; with several the window is not dilated
/// along the width (`dx = 1`), so the `kw·c` taps of a window row are one run, `kw·c` taps of
/// stride 1, and the output columns `sx·c` apart.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[allow(clippy::too_many_arguments)]
fn in_place_lines(p: &Placement, x: &[f32], lines: Range<usize>, panels: &[f32], filters: usize, rows: &mut [f32], ys: &mut [MaybeUninit<f32>], finish: &dyn Fn(&mut [f32])) {
    let (kh, kw, c) = (p.win.size[0], p.win.size[1], p.c);
    let cols = window_line(p);
    let line = window_values(p);
    let taps = Taps { kh, kw: kw * c, line, dx: p.win.dilation[1], sx: p.win.strides[1] * c };
    // Copy column t of a window row is input column t − pad_left: inside for t in lo..hi.
    let (lo, hi) = (p.pad_left.min(cols) * c, (p.pad_left + p.w).min(cols) * c);
    for (q, out) in lines.zip(ys.chunks_exact_mut(p.ow * filters)) {
        let (sample, oy) = line_source(p, x, q);
        for (i, row) in rows.chunks_exact_mut(line).enumerate() {
            match p.source(0, oy, i) {
                Some(iy) => {
                    fill_short(&mut row[..lo], 0.0);
                    row[lo..hi].copy_from_slice(&sample[iy * p.w * c..][..hi - lo]);
                    fill_short(&mut row[hi..], 0.0);
                }
                None => row.fill(0.0),
            }
        }
        let out = zeroed(out);
        for (panel, q) in panels.chunks_exact(kh * kw * c * NR).zip((0..filters).step_by(NR)) {
            taps_column(p.ow, NR.min(filters - q), taps, rows, panel, &mut out[q..], filters);
        }
        finish(out);
    }
}

/// The patches of output lines `lines` of the images `x` into `cols` (`ow` rows of `kh·kw·c`
/// per line; line `q` is output row `q % oh` of sample `q / oh`): one input channel tap by tap
/// ([`im2col_taps`]), more window row by window row ([`im2col_rows`]).
fn im2col_lines(p: &Placement, x: &[f32], lines: Range<usize>, cols: &mut [f32]) {
    if p.c == 1 {
        im2col_taps(p, x, lines, cols)
    } else {
        im2col_rows(p, x, lines, cols)
    }
}

/// Sample `q / oh` of `x` and output row `q % oh`: where output line `q` reads.
fn line_source<'a>(p: &Placement, x: &'a [f32], q: usize) -> (&'a [f32], usize) {
    (&x[q / p.oh * p.in_size()..][..p.in_size()], q % p.oh)
}

/// Each output position's window row at a time: its values inside the input are one run of
/// `(j1 − j0)·c` values when the window is not dilated.
fn im2col_rows(p: &Placement, x: &[f32], lines: Range<usize>, cols: &mut [f32]) {
    let (kh, kw, c) = (p.win.size[0], p.win.size[1], p.c);
    let columns = p.inside_all(1);
    let mut row = cols.chunks_exact_mut(kh * kw * c);
    for q in lines {
        let (sample, oy) = line_source(p, x, q);
        for ox in 0..p.ow {
            let dst = row.next().expect("one row per output position");
            let (j0, j1) = columns[ox];
            for (i, line) in dst.chunks_exact_mut(kw * c).enumerate() {
                let Some(iy) = p.source(0, oy, i) else {
                    fill_short(line, 0.0);
                    continue;
                };
                fill_short(&mut line[..j0 * c], 0.0);
                fill_short(&mut line[j1 * c..], 0.0);
                if p.win.dilation[1] == 1 {
                    let ix = p.source(1, ox, j0).expect("inside");
                    copy_short(&mut line[j0 * c..j1 * c], &sample[(iy * p.w + ix) * c..][..(j1 - j0) * c]);
                } else {
                    for j in j0..j1 {
                        let ix = p.source(1, ox, j).expect("inside");
                        copy_short(&mut line[j * c..][..c], &sample[(iy * p.w + ix) * c..][..c]);
                    }
                }
            }
        }
    }
}

/// One channel (the first layer of a grayscale image network), window offset by window offset:
/// for offset `(i, j)`, one output row's patches take their value at that offset from one input
/// row, at `ox·s + j·d − pad` for the output columns `ox` where it lands inside (one run,
/// [`Placement::inside_range`]) and zero elsewhere: a strided copy of single values, where the
/// window rows of three values each cost a loop (or a `memory.copy`) apiece.
fn im2col_taps(p: &Placement, x: &[f32], lines: Range<usize>, cols: &mut [f32]) {
    let (kh, kw) = (p.win.size[0], p.win.size[1]);
    let k = kh * kw;
    let (s, d) = (p.win.strides[1], p.win.dilation[1]);
    let ranges: Vec<(usize, usize)> = (0..kw).map(|j| p.inside_range(1, j)).collect();
    let per_row = p.ow * k;
    for (q, rows) in lines.zip(cols.chunks_exact_mut(per_row)) {
        let (sample, oy) = line_source(p, x, q);
        for i in 0..kh {
            let src = p.source(0, oy, i).map(|iy| &sample[iy * p.w..][..p.w]);
            for (j, &(lo, hi)) in ranges.iter().enumerate() {
                let t = i * kw + j;
                let Some(src) = src.filter(|_| lo < hi) else {
                    rows.chunks_exact_mut(k).for_each(|r| r[t] = 0.0);
                    continue;
                };
                let (before, rest) = rows.split_at_mut(lo * k);
                let (inside, after) = rest.split_at_mut((hi - lo) * k);
                before.chunks_exact_mut(k).chain(after.chunks_exact_mut(k)).for_each(|r| r[t] = 0.0);
                // Input column of output column `lo + n`: `(lo + n)·s + j·d − pad_left`.
                let first = lo * s + j * d - p.pad_left;
                for (n, r) in inside.chunks_exact_mut(k).enumerate() {
                    r[t] = src[first + n * s];
                }
            }
        }
    }
}

/// Adds each patch row of `dcols` back to the input positions it was gathered from, for the
/// samples of `dx`.
fn col2im_add_run(p: &Placement, dcols: &[f32], dx: &mut [f32]) {
    let (kh, kw, c) = (p.win.size[0], p.win.size[1], p.c);
    let columns = p.inside_all(1);
    let mut row = dcols.chunks_exact(kh * kw * c);
    for sample in dx.chunks_exact_mut(p.in_size()) {
        for oy in 0..p.oh {
            for ox in 0..p.ow {
                let src = row.next().expect("one row per output position");
                let (j0, j1) = columns[ox];
                for (i, line) in src.chunks_exact(kw * c).enumerate() {
                    let Some(iy) = p.source(0, oy, i) else { continue };
                    for j in j0..j1 {
                        let ix = p.source(1, ox, j).expect("inside");
                        let to = &mut sample[(iy * p.w + ix) * c..][..c];
                        for (d, &g) in to.iter_mut().zip(&line[j * c..][..c]) {
                            *d += g;
                        }
                    }
                }
            }
        }
    }
}

/// `act(conv2d(x, W) + b)` for `batch` samples: `batch·oh·ow × filters` values. The bias and
/// the activation (each when given) run on each band of output rows as the GEMM finishes it
/// ([`affine::forward_into`]).
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn forward(op: &'static str, p: &Placement, x: &[f32], batch: usize, w: &[f32], filters: usize, b: Option<&[f32]>, act: Option<&Activation>) -> Result<Vec<f32>> {
    let (rows, k) = patch_len(p);
    let len = batch * rows * filters;
    let (fused, after) = affine::split_activation(act, filters);
    if empty(p, filters) {
        // No output values, or no input values to sum: each output position is act(bias).
        let mut y = crate::tensor::alloc(op, len)?;
        if let (Some(b), true) = (b, filters > 0) {
            y.chunks_exact_mut(filters).for_each(|r| r.copy_from_slice(b));
        }
        affine::activate_after(op, fused.or(after), &mut y, filters)?;
        return Ok(y);
    }
    let mut y = crate::tensor::alloc_empty(op, len)?;
    if pointwise(p) {
        // The patches are the input itself.
        affine::forward_into(x, batch * rows, k, filters, w, b, fused, &mut y.spare_capacity_mut()[..len]);
    } else {
        // Blocks of output lines, each gathered then multiplied while its patches are in cache.
        let lines = block_lines(p);
        // The bytes of a patch buffer that could not grow (0: none).
        let failed = AtomicUsize::new(0);
        let work = (2 * batch * rows).saturating_mul(k).saturating_mul(filters);
        // Few input channels: the window read in place from a copy of its rows (no patches),
        // with the filters packed in panels once for all blocks.
        let panels = if in_place(p) { Some(pack_filters(op, w, k, filters)?) } else { None };
        for_each_chunk_mut(&mut y.spare_capacity_mut()[..len], lines * p.ow * filters, work, |t, ys| {
            let n = ys.len() / (p.ow * filters);
            let (need, done) = match &panels {
                Some(panels) => {
                    let need = p.win.size[0] * window_values(p);
                    (need, with_patches(op, need, |rows| in_place_lines(p, x, t * lines..t * lines + n, panels, filters, rows, ys, &|line| affine::finish(line, filters, b, fused))))
                }
                None => {
                    let need = n * p.ow * k;
                    (need, with_patches(op, need, |cols| {
                        im2col_lines(p, x, t * lines..t * lines + n, cols);
                        affine::forward_into(cols, n * p.ow, k, filters, w, b, fused, ys);
                    }))
                }
            };
            if !done {
                failed.store(need * 4, Relaxed);
            }
        });
        if let bytes @ 1.. = failed.into_inner() {
            return Err(crate::Error::OutOfMemory { op, bytes: bytes as u64 });
        }
    }
    // SAFETY: the blocks cover all `batch` samples, and forward_into wrote each one's values.
    unsafe { y.set_len(len) };
    affine::activate_after(op, after, &mut y, filters)?;
    Ok(y)
}

/// conv2dTranspose on buffers, the forward of the op and of the layer: the adjoint of
/// [`forward`] for the placement `p` of the convolution from the output image to the input.
/// `x` is `batch` inputs of `p.oh·p.ow × cin`, `w` the kernel `[kh, kw, p.c, cin]`; the result
/// is `batch` images of `p.h·p.w × p.c`, plus `b` per channel when given.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn transpose_forward(op: &'static str, p: &Placement, x: &[f32], batch: usize, w: &[f32], cin: usize, b: Option<&[f32]>) -> Result<Vec<f32>> {
    let mut y = backward(op, p, &[], batch, w, cin, x, None, None, true)?.unwrap_or_default();
    if let Some(b) = b {
        affine::add_bias(&mut y, b);
    }
    Ok(y)
}

/// The backward rule of [`transpose_forward`] (the op's tape rule and the layer's), given `dy`
/// (`batch` images of `p.h·p.w × p.c`): writes dL/dW into `dw` and dL/db into `db` (each when
/// given, overwriting) and returns dL/dx when `need_dx`. dL/dx is the convolution's
/// [`forward`] of `dy`; dL/dW its kernel gradient with `dy` as the image and `x` as the output
/// gradient.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn transpose_backward(op: &'static str, p: &Placement, x: &[f32], batch: usize, w: &[f32], cin: usize, dy: &[f32], dw: Option<&mut [f32]>, db: Option<&mut [f32]>, need_dx: bool) -> Result<Option<Vec<f32>>> {
    if let Some(db) = db {
        affine::bias_grad(dy, db);
    }
    if let Some(dw) = dw {
        backward(op, p, dy, batch, w, cin, x, Some(dw), None, false)?;
    }
    need_dx.then(|| forward(op, p, dy, batch, w, cin, None, None)).transpose()
}

/// The backward rule of [`forward`], given `dy` (`batch·oh·ow × filters`): writes dL/dW into
/// `dw` and dL/db into `db` (each when given, overwriting) and returns dL/dx when `need_dx`.
/// `x` is only read for dW.
///
/// Blocks of whole samples ([`samples_per_group`]) are the tasks on the thread pool, in waves
/// of at most [`WAVE_BLOCKS`]: a block gathers its patches, multiplies them by its `dy` into its
/// own partial dL/dW, multiplies its `dy` by `Wᵀ` into the same buffer and adds those rows back
/// to its samples' dL/dx (no other block touches them). dL/dW is the first block's partial
/// plus each next one's, in block order, so the bits do not depend on the threads.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn backward(op: &'static str, p: &Placement, x: &[f32], batch: usize, w: &[f32], filters: usize, dy: &[f32], mut dw: Option<&mut [f32]>, db: Option<&mut [f32]>, need_dx: bool) -> Result<Option<Vec<f32>>> {
    let (rows, k) = patch_len(p);
    // Over the whole batch at once (the blocks below leave db out): the sum in row order.
    if let Some(db) = db {
        affine::bias_grad(dy, db);
    }
    let mut dx = if need_dx { Some(crate::tensor::alloc(op, batch * p.in_size())?) } else { None };
    if empty(p, filters) {
        // The output does not depend on the input or the kernel (dx and dW are zero).
        if let Some(d) = dw {
            d.fill(0.0);
        }
        return Ok(dx);
    }
    let (group, part) = (samples_per_group(p), k * filters);
    let blocks = batch.div_ceil(group);
    let wave = (WAVE_PARTIALS / part).clamp(1, WAVE_BLOCKS);
    let want_dw = dw.is_some();
    let mut parts = if want_dw { crate::tensor::alloc(op, wave.min(blocks) * part)? } else { Vec::new() };
    let dx_all = dx.as_deref_mut().map(SharedMut::new);
    // The bytes of a patch buffer that could not grow (0: none).
    let failed = AtomicUsize::new(0);
    let in_size = p.in_size();
    for first in (0..blocks).step_by(wave) {
        let n_blocks = wave.min(blocks - first);
        let parts_all = SharedMut::new(&mut parts);
        let task = |t: usize| {
            let s0 = (first + t) * group;
            let n = group.min(batch - s0);
            let dys = &dy[s0 * rows * filters..][..n * rows * filters];
            let need = if pointwise(p) { 0 } else { n * rows * k };
            let done = with_patches(op, need, |buf| {
                if want_dw {
                    let cols = if pointwise(p) {
                        &x[s0 * in_size..][..n * in_size]
                    } else {
                        im2col_lines(p, x, s0 * p.oh..(s0 + n) * p.oh, buf);
                        &*buf
                    };
                    // SAFETY: part `t` of the wave is this task's alone.
                    let part_t = unsafe { parts_all.part(t * part..(t + 1) * part) };
                    gemm(k, n * rows, filters, cols, true, dys, false, part_t);
                }
                if let Some(dx) = &dx_all {
                    // SAFETY: the block's own samples.
                    let to = unsafe { dx.part(s0 * in_size..(s0 + n) * in_size) };
                    if pointwise(p) {
                        gemm(n * rows, filters, k, dys, false, w, true, to);
                    } else {
                        gemm(n * rows, filters, k, dys, false, w, true, buf);
                        col2im_add_run(p, buf, to);
                    }
                }
            });
            if !done {
                failed.store(need * 4, Relaxed);
            }
        };
        let work = (4 * n_blocks * group * rows).saturating_mul(k).saturating_mul(filters);
        crate::parallel::run(n_blocks, work, &task);
        if let bytes @ 1.. = failed.load(Relaxed) {
            return Err(crate::Error::OutOfMemory { op, bytes: bytes as u64 });
        }
        if let Some(d) = dw.as_deref_mut() {
            for (t, part) in parts.chunks_exact(part).take(n_blocks).enumerate() {
                if first + t == 0 {
                    d.copy_from_slice(part);
                } else {
                    d.iter_mut().zip(part).for_each(|(a, &b)| *a += b);
                }
            }
        }
    }
    Ok(dx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::window::Window;

    /// The definition, in f64: `y[n,oy,ox,f] = b[f] + Σ_{i,j,c} x[n, oy·s+i·d−pad, ox·s+j·d−pad, c]·W[i,j,c,f]`.
    fn direct(p: &Placement, x: &[f32], batch: usize, w: &[f32], f: usize, b: &[f32]) -> Vec<f64> {
        let (kh, kw, c) = (p.win.size[0], p.win.size[1], p.c);
        let mut y = vec![0.0; batch * p.oh * p.ow * f];
        for n in 0..batch {
            for oy in 0..p.oh {
                for ox in 0..p.ow {
                    for o in 0..f {
                        let mut s = b[o] as f64;
                        for i in 0..kh {
                            for j in 0..kw {
                                let (Some(iy), Some(ix)) = (p.source(0, oy, i), p.source(1, ox, j)) else { continue };
                                for ci in 0..c {
                                    s += x[((n * p.h + iy) * p.w + ix) * c + ci] as f64 * w[((i * kw + j) * c + ci) * f + o] as f64;
                                }
                            }
                        }
                        y[((n * p.oh + oy) * p.ow + ox) * f + o] = s;
                    }
                }
            }
        }
        y
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n).map(|i| (((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 8) % 1000) as f32 / 500.0 - 1.0).collect()
    }

    /// Every padding, odd sizes, strides, dilation, a 1×1 window, against the definition; and
    /// the backward rule against central differences of `L = Σ c ⊙ y`.
    #[test]
    fn forward_and_backward_against_the_definition() {
        let cases = [
            ([3, 3], [1, 1], [1, 1], false, [5, 6, 2], 3),
            ([3, 2], [2, 1], [1, 1], true, [7, 5, 3], 2),
            ([2, 2], [1, 1], [2, 2], true, [5, 5, 1], 2),
            ([1, 1], [1, 1], [1, 1], false, [3, 4, 3], 2),
            ([1, 1], [2, 2], [1, 1], true, [5, 5, 2], 1),
            ([4, 4], [3, 3], [1, 1], true, [4, 4, 1], 1),
        ];
        for (size, strides, dilation, same, input, f) in cases {
            let p = Window { size, strides, dilation, same }.place("t", &input).unwrap();
            let batch = 2;
            let x = values(batch * p.in_size(), 1);
            let k = size[0] * size[1] * p.c;
            let w = values(k * f, 2);
            let b = values(f, 3);
            let y = forward("t", &p, &x, batch, &w, f, Some(&b), None).unwrap();
            let want = direct(&p, &x, batch, &w, f, &b);
            for (a, e) in y.iter().zip(&want) {
                assert!((*a as f64 - e).abs() < 1e-5, "{size:?} {strides:?} {dilation:?} {same}: {a} vs {e}");
            }
            let c = values(y.len(), 4);
            let loss = |x: &[f32], w: &[f32], b: &[f32]| direct(&p, x, batch, w, f, b).iter().zip(&c).map(|(v, &c)| v * c as f64).sum::<f64>();
            let (mut dw, mut db) = (vec![9.0; w.len()], vec![9.0; f]);
            let dx = backward("t", &p, &x, batch, &w, f, &c, Some(&mut dw), Some(&mut db), true).unwrap().unwrap();
            let h = 1e-2f32;
            let fd = |g: &dyn Fn(f32) -> f64| (g(h) - g(-h)) / (2.0 * h as f64);
            for i in 0..x.len() {
                let d = fd(&|e| { let mut v = x.clone(); v[i] += e; loss(&v, &w, &b) });
                assert!((dx[i] as f64 - d).abs() < 1e-3, "dx[{i}] {} vs {d}", dx[i]);
            }
            for i in 0..w.len() {
                let d = fd(&|e| { let mut v = w.clone(); v[i] += e; loss(&x, &v, &b) });
                assert!((dw[i] as f64 - d).abs() < 1e-3, "dW[{i}] {} vs {d}", dw[i]);
            }
            for i in 0..f {
                let d = fd(&|e| { let mut v = b.clone(); v[i] += e; loss(&x, &w, &v) });
                assert!((db[i] as f64 - d).abs() < 1e-3, "db[{i}] {} vs {d}", db[i]);
            }
        }
    }

    /// The blocks are the tasks on the pool (the forward's output lines; backward's samples,
    /// in waves with a partial dW each): forward, dW and dx give the same bits for any number
    /// of workers (one channel and several).
    #[test]
    fn the_same_bits_with_any_number_of_workers() {
        for (size, input, f) in [([3, 3], [9, 8, 1], 4), ([3, 2], [7, 6, 3], 5)] {
            let p = Window { size, strides: [1, 1], dilation: [1, 1], same: true }.place("t", &input).unwrap();
            let (rows, k) = patch_len(&p);
            // Ten blocks: two waves of backward, the last block short.
            let batch = 9 * samples_per_group(&p) + 1;
            assert!(batch.div_ceil(samples_per_group(&p)) > WAVE_BLOCKS);
            let x = values(batch * p.in_size(), 7);
            let w = values(k * f, 8);
            let dy = values(batch * rows * f, 9);
            crate::parallel::testing::same_bits_for_all_counts("conv", || {
                let mut y = forward("t", &p, &x, batch, &w, f, None, None).unwrap();
                let mut dw = vec![0.0; k * f];
                y.extend(backward("t", &p, &x, batch, &w, f, &dy, Some(&mut dw), None, true).unwrap().unwrap());
                y.extend(dw);
                y
            });
        }
    }

    /// The patches of one channel (gathered offset by offset) against a plain gather, for
    /// window widths 1 to 5, padding, strides, dilations, and a range of lines starting inside
    /// a sample.
    #[test]
    fn one_channel_patches_are_the_windows() {
        for (size, strides, dilation, same) in [([3, 3], [1, 1], [1, 1], true), ([3, 3], [1, 1], [1, 1], false), ([2, 1], [1, 1], [1, 1], true), ([1, 4], [2, 1], [1, 1], true), ([3, 5], [1, 1], [1, 1], true), ([3, 3], [1, 2], [1, 1], true), ([3, 2], [1, 1], [2, 1], true)] {
            let p = Window { size, strides, dilation, same }.place("t", &[7, 9, 1]).unwrap();
            let (rows, k) = patch_len(&p);
            let x = values(3 * p.in_size(), 11);
            let lines = 2..3 * p.oh;
            let mut got = vec![f32::NAN; lines.len() * p.ow * k];
            im2col_lines(&p, &x, lines.clone(), &mut got);
            let mut want = Vec::new();
            for q in lines {
                let (n, oy) = (q / p.oh, q % p.oh);
                for ox in 0..p.ow {
                    for i in 0..size[0] {
                        for j in 0..size[1] {
                            let inside = p.source(0, oy, i).zip(p.source(1, ox, j));
                            want.push(inside.map_or(0.0, |(iy, ix)| x[n * p.in_size() + iy * p.w + ix]));
                        }
                    }
                }
            }
            assert_eq!(got, want, "{size:?} {strides:?} {dilation:?} {same}");
            assert_eq!(rows, p.oh * p.ow);
        }
    }

    /// One input channel (the window read in place by the tiles, no patches) gives the bits of
    /// the GEMM over the gathered patches: padding, strides, dilation, 1 to 19 filters (edge
    /// panels), output rows of any length (edge tiles), more taps than a GEMM block (17×17:
    /// gathered instead), with any number of workers.
    #[test]
    fn one_channel_in_place_is_the_product_of_the_patches() {
        for (size, strides, dilation, same, input, f) in [([3, 3], [1, 1], [1, 1], true, [9, 11, 1], 16), ([3, 3], [1, 1], [1, 1], false, [8, 7, 1], 5), ([2, 4], [2, 3], [1, 1], true, [9, 10, 1], 19), ([3, 3], [1, 1], [2, 2], true, [12, 12, 1], 8), ([1, 2], [1, 1], [1, 1], false, [7, 6, 1], 1), ([17, 17], [1, 1], [1, 1], false, [20, 20, 1], 3)] {
            let p = Window { size, strides, dilation, same }.place("t", &input).unwrap();
            forward_is_one_product(&p, 3, f, &format!("{size:?} {strides:?} {dilation:?} {same} {input:?} {f}"));
        }
    }

    /// Several input channels read in place (a window row's `kw·c` taps one run) give the bits
    /// of the GEMM over the gathered patches: RGB first layers ('same' 3×3, 'valid' 5×5, stride
    /// 2, strides [2, 1]), a 1×1 image under a larger 'same' window, one filter and 17 (edge
    /// panels), dilation along the height (in place) and along the width (gathered), 8 channels
    /// (in place; 216 taps with a 3×3 window) and 9 (gathered), 8 channels under a 7×7 window
    /// (392 taps, more than a GEMM block: gathered), with any number of workers.
    #[test]
    fn several_channels_in_place_are_the_product_of_the_patches() {
        let cases = [
            ([3, 3], [1, 1], [1, 1], true, [11, 9, 3], 16, true),
            ([5, 5], [1, 1], [1, 1], false, [9, 8, 3], 8, true),
            ([3, 3], [2, 2], [1, 1], true, [10, 9, 3], 16, true),
            ([3, 3], [2, 1], [1, 1], true, [9, 7, 3], 17, true),
            ([3, 5], [1, 1], [1, 1], true, [1, 1, 3], 1, true),
            ([3, 3], [1, 1], [2, 1], true, [9, 9, 2], 5, true),
            ([3, 3], [1, 1], [1, 2], true, [9, 9, 2], 5, false),
            ([3, 3], [1, 1], [1, 1], true, [6, 5, 8], 9, true),
            ([3, 3], [1, 1], [1, 1], true, [6, 5, 9], 9, false),
            ([7, 7], [1, 1], [1, 1], true, [8, 9, 8], 4, false),
            ([7, 7], [2, 2], [1, 1], true, [15, 13, 3], 12, true),
        ];
        for (size, strides, dilation, same, input, f, inside) in cases {
            let p = Window { size, strides, dilation, same }.place("t", &input).unwrap();
            let what = format!("{size:?} {strides:?} {dilation:?} {same} {input:?} {f}");
            assert_eq!(in_place(&p), inside, "{what}");
            forward_is_one_product(&p, 3, f, &what);
        }
    }

    /// Asserts that [`forward`] of `batch` samples and `f` filters gives the bits of one GEMM
    /// over all the gathered patches, with any number of workers.
    fn forward_is_one_product(p: &Placement, batch: usize, f: usize, what: &str) {
        let (rows, k) = patch_len(p);
        let x = values(batch * p.in_size(), 5);
        let w = values(k * f, 6);
        let mut cols = vec![0.0; batch * rows * k];
        im2col_lines(p, &x, 0..batch * p.oh, &mut cols);
        let mut want = vec![0.0; batch * rows * f];
        crate::kernels::matmul::gemm(batch * rows, k, f, &cols, false, &w, false, &mut want);
        let y = crate::parallel::testing::same_bits_for_all_counts(what, || forward("t", p, &x, batch, &w, f, None, None).unwrap());
        assert_eq!(y, want, "{what}");
    }

    /// The forward's blocks of output lines (cut inside samples, across samples, one line each
    /// when a line is longer than a block) give the bits of one GEMM over all the patches,
    /// with any number of workers.
    #[test]
    fn blocks_agree_with_one_product() {
        for (size, input, batch, same, f) in [([3, 3], [30, 40, 1], 13, true, 5), ([3, 3], [9, 11, 24], 10, false, 7), ([3, 3], [3, 200, 40], 2, true, 3)] {
            let p = Window { size, strides: [1, 1], dilation: [1, 1], same }.place("t", &input).unwrap();
            let lines = block_lines(&p);
            assert!(lines == 1 || ((batch * p.oh) % lines != 0 && lines % p.oh != 0), "{input:?}: {lines} lines a block");
            forward_is_one_product(&p, batch, f, &format!("blocks {input:?}"));
        }
    }

    /// A batch larger than one block runs block by block: the same outputs, dx bit for bit, and
    /// dW (summed block by block) within rounding of the one-block sum.
    #[test]
    fn groups_agree_with_the_whole_batch() {
        let p = Window { size: [3, 3], strides: [1, 1], dilation: [1, 1], same: true }.place("t", &[128, 128, 8]).unwrap();
        let group = samples_per_group(&p);
        assert!(group < 5, "{group}");
        let batch = 2 * group + 1;
        let (k, f) = (72, 3);
        let x = values(batch * p.in_size(), 5);
        let w = values(k * f, 6);
        let y = forward("t", &p, &x, batch, &w, f, None, None).unwrap();
        let per = p.oh * p.ow * f;
        for n in 0..batch {
            let one = forward("t", &p, &x[n * p.in_size()..][..p.in_size()], 1, &w, f, None, None).unwrap();
            assert_eq!(&y[n * per..][..per], &one[..]);
        }
        let dy = values(y.len(), 7);
        let mut dw = vec![0.0; k * f];
        let dx = backward("t", &p, &x, batch, &w, f, &dy, Some(&mut dw), None, true).unwrap().unwrap();
        let mut sum = vec![0.0f64; k * f];
        for n in 0..batch {
            let mut one = vec![0.0; k * f];
            let dxn = backward("t", &p, &x[n * p.in_size()..][..p.in_size()], 1, &w, f, &dy[n * per..][..per], Some(&mut one), None, true).unwrap().unwrap();
            assert_eq!(&dx[n * p.in_size()..][..p.in_size()], &dxn[..]);
            for (s, v) in sum.iter_mut().zip(one) {
                *s += v as f64;
            }
        }
        for (a, e) in dw.iter().zip(sum) {
            assert!((*a as f64 - e).abs() < 1e-3 * e.abs().max(1.0), "{a} vs {e}");
        }
    }

    /// The tensor op: one image (rank 3) is the batch of one, rank-4 results equal the kernel's,
    /// and the tape's rule (this file's backward) equals the kernel's backward; bad shapes name
    /// both tensors.
    #[test]
    fn the_tensor_op_and_its_tape_rule() {
        use crate::autodiff::{Recorded, Tape};
        let win = Window { size: [1, 1], strides: [2, 1], dilation: [1, 1], same: true };
        let x = Tensor::new("t", [2, 5, 4, 3].into(), values(120, 1)).unwrap();
        let w = Tensor::new("t", [3, 2, 3, 4].into(), values(72, 2)).unwrap();
        let y = conv2d(&x, &w, win).unwrap();
        assert_eq!(y.dims(), &[2, 3, 4, 4]);
        let p = Window { size: [3, 2], ..win }.place("t", &[5, 4, 3]).unwrap();
        assert_eq!(y.data(), &forward("t", &p, x.data(), 2, w.data(), 4, None, None).unwrap()[..]);
        let one = Tensor::new("t", [5, 4, 3].into(), x.data()[60..].to_vec()).unwrap();
        let y1 = conv2d(&one, &w, win).unwrap();
        assert_eq!((y1.dims(), y1.data()), (&[3, 4, 4][..], &y.data()[48..]));
        // On the tape: y → Σ c ⊙ y, so dL/dy = c.
        let c = Tensor::new("t", y.shape().clone(), values(96, 3)).unwrap();
        let mut tape = Tape::new();
        tape.record(Recorded::Conv2d { win }, vec![(1, x.clone()), (2, w.clone())], (3, y.clone()));
        let g = tape.gradient(3, c.clone(), &[1, 2]).unwrap();
        let mut dw = vec![0.0; 72];
        let dx = backward("t", &p, x.data(), 2, w.data(), 4, c.data(), Some(&mut dw), None, true).unwrap().unwrap();
        assert_eq!(g[0].as_ref().unwrap().data(), &dx[..]);
        assert_eq!(g[1].as_ref().unwrap().data(), &dw[..]);
        assert_eq!(g[1].as_ref().unwrap().dims(), w.dims());
        let err = |x: &Tensor, w: &Tensor| conv2d(x, w, win).unwrap_err().to_string();
        assert_eq!(err(&Tensor::zeros("t", [4, 3].into()).unwrap(), &w), "conv2d: x must have rank 4 [batch, height, width, channels] or 3 [height, width, channels] (channels last), got shape [4,3]");
        assert_eq!(err(&x, &Tensor::zeros("t", [3, 3, 3].into()).unwrap()), "conv2d: filter must have rank 4 [filterHeight, filterWidth, inChannels, outChannels], got shape [3,3,3]");
        assert_eq!(err(&x, &Tensor::zeros("t", [3, 3, 2, 1].into()).unwrap()), "conv2d: filter has 2 input channels (shape [3,3,2,1]) but x has 3 (shape [2,5,4,3]): filter[2] must equal x's last dimension");
        assert_eq!(err(&x, &Tensor::zeros("t", [0, 3, 3, 1].into()).unwrap()), "conv2d: filter's height and width must be positive, got filter shape [0,3,3,1]");
        let valid = Window { same: false, ..win };
        assert!(conv2d(&x, &Tensor::zeros("t", [6, 1, 3, 1].into()).unwrap(), valid).unwrap_err().to_string().contains("the rows window (6) does not fit the input's height of 5"));
        // No images, no filters: empty results of the right shapes.
        assert_eq!(conv2d(&Tensor::zeros("t", [0, 5, 4, 3].into()).unwrap(), &w, win).unwrap().dims(), &[0, 3, 4, 4]);
        assert_eq!(conv2d(&x, &Tensor::zeros("t", [3, 2, 3, 0].into()).unwrap(), win).unwrap().dims(), &[2, 3, 4, 0]);
    }

    /// 'same' padding with non-finite filter taps: a tap that meets only padding is skipped (the
    /// definition's sum over the input), as TF.js; one that meets the input gives ±∞ or NaN; the
    /// values of windows inside the input keep the GEMM's bits. One and three channels,
    /// strides and dilation.
    #[test]
    fn non_finite_taps_on_the_padding_are_skipped() {
        for (size, strides, dilation, input, f) in [([3, 3], [1, 1], [1, 1], [4, 5, 1], 2), ([3, 2], [2, 1], [1, 2], [5, 6, 3], 3), ([1, 3], [1, 1], [1, 1], [1, 1, 1], 1)] {
            let p = Window { size, strides, dilation, same: true }.place("t", &input).unwrap();
            let x = Tensor::new("t", [1, input[0], input[1], input[2]].into(), values(p.in_size(), 1)).unwrap();
            let mut wv = values(size[0] * size[1] * p.c * f, 2);
            let finite = Tensor::new("t", [size[0], size[1], p.c, f].into(), wv.clone()).unwrap();
            let last = wv.len() - 1;
            wv[0] = f32::INFINITY; // top-left tap, first channel, filter 0
            wv[last] = f32::NAN; // bottom-right tap, last channel, last filter
            let w = Tensor::new("t", [size[0], size[1], p.c, f].into(), wv.clone()).unwrap();
            let win = Window { size, strides, dilation, same: true };
            let y = conv2d(&x, &w, win).unwrap();
            let plain = conv2d(&x, &finite, win).unwrap();
            let want = direct(&p, x.data(), 1, &wv, f, &vec![0.0; f]);
            for (i, (&g, &d)) in y.data().iter().zip(&want).enumerate() {
                if d.is_finite() {
                    assert!((f64::from(g) - d).abs() <= 1e-5 * (1.0 + d.abs()), "{size:?} [{i}]: {g} vs {d}");
                } else {
                    assert!(g.is_nan() && d.is_nan() || g == d as f32, "{size:?} [{i}]: {g} vs {d}");
                }
            }
            // Only the GEMM's NaNs are summed again: every other value keeps its bits, and the
            // filters without a changed tap those of the finite filter.
            let raw = forward("t", &p, x.data(), 1, &wv, f, None, None).unwrap();
            for (i, (&g, &r)) in y.data().iter().zip(&raw).enumerate() {
                if !r.is_nan() {
                    assert_eq!(g.to_bits(), r.to_bits(), "[{i}]");
                }
                if f > 2 && i % f == 1 {
                    assert_eq!(g.to_bits(), plain.data()[i].to_bits(), "[{i}]");
                }
            }
        }
        // The report's case, as conv1d makes it: [3] with taps [Inf, 2, 5] is 6.
        let x = Tensor::new("t", [1, 1, 1, 1].into(), vec![3.0]).unwrap();
        let w = Tensor::new("t", [1, 3, 1, 1].into(), vec![f32::INFINITY, 2.0, 5.0]).unwrap();
        assert_eq!(conv2d(&x, &w, Window { size: [1, 3], strides: [1, 1], dilation: [1, 1], same: true }).unwrap().data(), &[6.0]);
        // An infinite input still makes NaN with a zero tap (0·∞), as the definition.
        let x = Tensor::new("t", [1, 1, 2, 1].into(), vec![f32::INFINITY, 1.0]).unwrap();
        let w = Tensor::new("t", [1, 3, 1, 1].into(), vec![1.0, 0.0, f32::NAN]).unwrap();
        let y = conv2d(&x, &w, Window { size: [1, 3], strides: [1, 1], dilation: [1, 1], same: true }).unwrap();
        assert!(y.data()[0].is_nan() && y.data()[1] == f32::INFINITY, "{:?}", y.data());
    }

    /// Zero channels, zero rows or columns, zero filters: no panic (a chunk size of zero was
    /// one), outputs of the bias and zero gradients.
    #[test]
    fn empty_sizes_compute_nothing() {
        for (input, k, f, same) in [([3, 3, 0], 2, 2, false), ([0, 3, 1], 2, 2, true), ([3, 0, 2], 1, 3, true), ([4, 4, 2], 3, 0, true)] {
            let p = Window { size: [k, k], strides: [1, 1], dilation: [1, 1], same }.place("t", &input).unwrap();
            let batch = 2;
            let x = values(batch * p.in_size(), 1);
            let w = values(k * k * p.c * f, 2);
            let b = values(f, 3);
            let y = forward("t", &p, &x, batch, &w, f, Some(&b), None).unwrap();
            assert_eq!(y.len(), batch * p.oh * p.ow * f, "{input:?}");
            assert!(y.chunks_exact(f.max(1)).all(|r| f == 0 || r == &b[..]), "{input:?}: {y:?}");
            let dy = values(y.len(), 4);
            let (mut dw, mut db) = (vec![9.0; w.len()], vec![9.0; f]);
            let dx = backward("t", &p, &x, batch, &w, f, &dy, Some(&mut dw), Some(&mut db), true).unwrap().unwrap();
            assert_eq!(dx, vec![0.0; x.len()]);
            assert!(dw.iter().all(|&v| v == 0.0));
            for (o, &g) in db.iter().enumerate() {
                assert_eq!(g, dy.iter().skip(o).step_by(f).sum::<f32>(), "{input:?}");
            }
        }
    }

    /// conv2dTranspose is conv2d's adjoint: `⟨conv2d(z, W), x⟩ = ⟨z, conv2dTranspose(x, W)⟩`
    /// (f64 sums), for strides that make several output sizes fit; its tape rule against central
    /// differences; shapes that do not go together are errors naming them.
    #[test]
    fn transpose_is_the_adjoint_and_its_rule_the_differences() {
        use crate::autodiff::{Recorded, Tape};
        let t = |d: &[usize], seed: u32| Tensor::new("t", crate::Shape::from(d), values(d.iter().product(), seed)).unwrap();
        let dot = |a: &Tensor, b: &Tensor| a.data().iter().zip(b.data()).map(|(&u, &v)| u as f64 * v as f64).sum::<f64>();
        for (out, k, s, same, cin, cout) in [([7, 7, 2], 3, 2, false, 3, 2), ([8, 8, 2], 3, 2, false, 3, 2), ([14, 14, 1], 3, 2, true, 2, 1), ([5, 6, 3], 2, 1, true, 1, 3), ([9, 5, 1], 4, 3, true, 2, 1)] {
            let win = Window { size: [1, 1], strides: [s, s], dilation: [1, 1], same };
            let w = t(&[k, k, cout, cin], 1);
            let z = t(&[2, out[0], out[1], out[2]], 2);
            let y = conv2d(&z, &w, win).unwrap();
            let x = t(y.dims(), 3);
            let back = conv2d_transpose(&x, &w, out, win).unwrap();
            assert_eq!(back.dims(), z.dims());
            let (l, r) = (dot(&y, &x), dot(&z, &back));
            assert!((l - r).abs() < 1e-4 * l.abs().max(1.0), "{out:?} k{k} s{s} {same}: {l} vs {r}");
            // The tape rule, L = Σ c ⊙ conv2dTranspose(x, W), against central differences.
            let c = t(back.dims(), 4);
            let mut tape = Tape::new();
            tape.record(Recorded::Conv2dTranspose { win, out }, vec![(1, x.clone()), (2, w.clone())], (3, back.clone()));
            let g = tape.gradient(3, c.clone(), &[1, 2]).unwrap();
            let loss = |x: &Tensor, w: &Tensor| dot(&conv2d_transpose(x, w, out, win).unwrap(), &c);
            for (which, src) in [(0, &x), (1, &w)] {
                let grad = g[which].as_ref().unwrap();
                assert_eq!(grad.dims(), src.dims());
                for i in (0..src.size()).step_by(7) {
                    let at = |e: f32| {
                        let mut v = src.data().to_vec();
                        v[i] += e;
                        let moved = Tensor::new("t", src.shape().clone(), v).unwrap();
                        if which == 0 { loss(&moved, &w) } else { loss(&x, &moved) }
                    };
                    let fd = (at(1e-2) - at(-1e-2)) / 2e-2;
                    assert!((grad.data()[i] as f64 - fd).abs() < 1e-2 * fd.abs().max(1.0), "{out:?} input {which}[{i}]: {} vs {fd}", grad.data()[i]);
                }
            }
        }
        let win = Window { size: [1, 1], strides: [2, 2], dilation: [1, 1], same: false };
        let (x, w) = (t(&[1, 3, 3, 3], 1), t(&[3, 3, 2, 3], 2));
        let err = |out: [usize; 3], w: &Tensor| conv2d_transpose(&x, w, out, win).unwrap_err().to_string();
        assert_eq!(err([9, 7, 2], &w), "conv2dTranspose: outputShape [1, 9, 7, 2] does not go with x of shape [1,3,3,3]: with a 3 × 3 filter, strides [2, 2] and pad 'valid', the outputs whose conv2d is x's 3 × 3 have height 7 to 8 and width 7 to 8");
        // Each end of the ranges is accepted (Keras 3's output_padding 0 and strides − 1), the
        // next size on either side refused, with 'same' too; a 'valid' x of no rows has none.
        for (same, lo, hi) in [(false, 7, 8), (true, 5, 6)] {
            let win = Window { same, ..win };
            let ok = |out: [usize; 3]| conv2d_transpose(&x, &w, out, win).map(|y| y.dims().to_vec());
            assert_eq!(ok([lo, hi, 2]).unwrap(), vec![1, lo, hi, 2]);
            assert_eq!(ok([hi, lo, 2]).unwrap(), vec![1, hi, lo, 2]);
            assert!(ok([lo - 1, lo, 2]).unwrap_err().to_string().contains(&format!("have height {lo} to {hi} and width {lo} to {hi}")));
            assert!(ok([lo, hi + 1, 2]).is_err());
        }
        let empty = t(&[1, 0, 3, 3], 1);
        let e = conv2d_transpose(&empty, &w, [1, 7, 2], win).unwrap_err().to_string();
        assert_eq!(e, "conv2dTranspose: x of shape [1,0,3,3] has no rows or no columns, which no conv2d with pad 'valid' gives (it gives at least one): use pad 'same'");
        assert_eq!(conv2d_transpose(&empty, &w, [0, 6, 2], Window { same: true, ..win }).unwrap().dims(), &[1, 0, 6, 2]);
        assert_eq!(err([7, 7, 3], &w), "conv2dTranspose: filter has 2 output channels (filter[2], shape [3,3,2,3]) but outputShape has 3: they must be equal");
        assert_eq!(err([7, 7, 2], &t(&[3, 3, 2, 4], 2)), "conv2dTranspose: filter has 4 input channels (filter[3], shape [3,3,2,4]) but x has 3 (shape [1,3,3,3]): filter[3] must equal x's last dimension");
    }
}
