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
//!
//! # Order of the sums
//! Every sum is fixed by the definition and the shapes, whatever the kernel's blocking and the
//! number of threads: `y` over the offsets in `(ky, kx)` order from `0`, one rounding per
//! product and per addition (no fused multiply-add); `dx` over the outputs that read the pixel
//! in `(b, oy, ox)` order, each term `0 + Σ_j dy·f` summed over `j` first; `dfilter` over
//! `(b, oy, ox)` within fixed blocks of output lines `(b, oy)` (about `DF_BLOCK_FLOPS` of work
//! each, from the shapes alone), each block's sum from `0`, then the blocks' sums in block
//! order (a smaller problem is one block: the plain order). The tests check the kernels against
//! a plain loop per offset that sums `dfilter` in the same blocks, bit for bit.
//!
//! # Threads
//! The tasks on the thread pool are cut from the shapes alone: the forward (and `dx` as the
//! turned convolution) in blocks of output lines, each output's sum its own; the scatter of
//! `dx` in bands of one sample's input rows, each task adding only into its band but in the
//! order of the whole walk; `dfilter` in its blocks, each into a partial of its own that the
//! calling thread adds in block order. So every result has the same bits for any number of
//! threads, and `y` and `dx` those of one thread walking it all.
//!
//! # Kernels
//! Two walks, 4-lane `f32x4` steps over contiguous channels (wasm32 simd128; `[f32; 4]` lane by
//! lane elsewhere, the same bits): `dot_block` keeps up to 16 channels of an output in registers
//! over its terms (the forward, `dfilter`, and `dx` for stride 1 and multiplier 1 as the forward
//! convolution of `dy` by the turned filter); `scatter_block` adds one output's terms into `dx`
//! in memory (the other strides and multipliers). Two variants of the first by the shapes: with
//! a multiplier that is a multiple of 4, `splat_block` splats each input value over the 4-lane
//! steps of its output channels (the filter as given); with multiplier 1 on channels that are
//! not a multiple of 4 and stride 1 along the rows, `dot_grouped` walks groups of adjacent
//! pixels, whose channels are contiguous, as one pixel of `g·c` channels (a filter repeated `g`
//! times per offset). Both keep every output's terms and order, so the same bits.

use super::window::{filter_placement, out_shape, Placement, Window};
use crate::parallel::{extend_with, for_each_chunk_mut, SharedMut};
use crate::{Result, Tensor};
use core::ops::Range;
use core::ptr::with_exposed_provenance;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

const OP: &str = "depthwiseConv2d";

/// The placement of `filter`'s window on `x`, the number of images and the channel multiplier.
fn placement(x: &Tensor, filter: &Tensor, win: Window) -> Result<(Placement, usize, usize)> {
    let (p, batch) = filter_placement(OP, x, filter, "channelMultiplier", win)?;
    Ok((p, batch, filter.dims()[3]))
}

/// Four `f32` lanes, or one, with the operations the kernels below need: `f32x4` on wasm32
/// with simd128, `[f32; 4]` elsewhere (lane-wise scalar operations, so both give the same
/// bits; the native tests run the same loops as the wasm build).
trait Lane: Copy {
    const N: usize;
    fn zero() -> Self;
    /// # Safety
    /// `p[..N]` must be readable (no alignment needed).
    unsafe fn load(p: *const f32) -> Self;
    /// `p[0]` in every lane.
    /// # Safety
    /// `p[0]` must be readable.
    unsafe fn splat(p: *const f32) -> Self;
    /// # Safety
    /// `p[..N]` must be writable (no alignment needed).
    unsafe fn store(p: *mut f32, v: Self);
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
}

impl Lane for f32 {
    const N: usize = 1;
    #[inline(always)]
    fn zero() -> Self {
        0.0
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: the caller's.
        unsafe { p.read() }
    }
    #[inline(always)]
    unsafe fn splat(p: *const f32) -> Self {
        // SAFETY: the caller's.
        unsafe { p.read() }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self) {
        // SAFETY: the caller's.
        unsafe { p.write(v) }
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self * o
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod f4 {
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, v128, v128_load, v128_load32_splat, v128_store};

    /// `f32x4.mul` then `f32x4.add`: never fused (this module stays plain SIMD even in the
    /// relaxed-SIMD build), so every lane rounds as the scalar `a * b` then `+`.
    #[derive(Clone, Copy)]
    pub struct F4(v128);

    impl super::Lane for F4 {
        const N: usize = 4;
        #[inline(always)]
        fn zero() -> Self {
            F4(f32x4_splat(0.0))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller's; wasm loads need no alignment.
            F4(unsafe { v128_load(p.cast()) })
        }
        #[inline(always)]
        unsafe fn splat(p: *const f32) -> Self {
            // SAFETY: the caller's.
            F4(unsafe { v128_load32_splat(p.cast()) })
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: Self) {
            // SAFETY: the caller's; wasm stores need no alignment.
            unsafe { v128_store(p.cast(), v.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            F4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            F4(f32x4_mul(self.0, o.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod f4 {
    /// The portable stand-in for `f32x4`: the same operations lane by lane.
    #[derive(Clone, Copy)]
    pub struct F4([f32; 4]);

    impl super::Lane for F4 {
        const N: usize = 4;
        #[inline(always)]
        fn zero() -> Self {
            F4([0.0; 4])
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            // SAFETY: the caller's.
            F4(unsafe { p.cast::<[f32; 4]>().read_unaligned() })
        }
        #[inline(always)]
        unsafe fn splat(p: *const f32) -> Self {
            // SAFETY: the caller's.
            F4([unsafe { p.read() }; 4])
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: Self) {
            // SAFETY: the caller's.
            unsafe { p.cast::<[f32; 4]>().write_unaligned(v.0) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            F4(core::array::from_fn(|i| self.0[i] + o.0[i]))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            F4(core::array::from_fn(|i| self.0[i] * o.0[i]))
        }
    }
}

use f4::F4;

/// A walk over `rows × cols` steps of two streams `a` and `b` (flat offsets of their first
/// step; `sa`/`sb` the offset steps between rows and between columns), for each of `n` outputs
/// at offsets `o + i·so`, the walk of output `i` starting `i·next` further along `a`.
#[derive(Clone, Copy)]
struct Walk {
    rows: usize,
    cols: usize,
    a: usize,
    sa: [usize; 2],
    b: usize,
    sb: [usize; 2],
    n: usize,
    next: usize,
    o: usize,
    so: usize,
}

impl Walk {
    /// The offset one past the last value read from a stream that starts at `at` with steps `s`,
    /// `len` values per step, for one output; 0 when the walk is empty (it reads nothing, and
    /// its start may be past the end: an output whose window lies in the padding).
    fn end(&self, at: usize, s: [usize; 2], len: usize) -> usize {
        if self.rows == 0 || self.cols == 0 {
            return 0;
        }
        at + (self.rows - 1) * s[0] + (self.cols - 1) * s[1] + len
    }
}

/// The kernels' bounds check (one message for all: they are only called with walks the
/// drivers computed, so it never fails).
#[inline(always)]
fn in_bounds(ok: bool) {
    assert!(ok, "depthwiseConv2d: a walk out of bounds");
}

/// A float's byte address in wasm memory as an integer. The kernels walk their streams with
/// integer addresses rather than pointer increments, which LLVM's loop strength reduction
/// would rewrite so that the loads' constant offsets no longer fold (as in
/// `kernels/simd128_matmul.rs`).
#[inline(always)]
fn addr(s: &[f32], at: usize) -> usize {
    s.as_ptr().expose_provenance() + 4 * at
}

/// `out[w.o + i·w.so + ch + l] += Σ a[w.a + i·w.next + ch + l] · b[w.b + ch + l]` for each output
/// `i < w.n` and lane `l < V·L::N`, each sum over the walk's steps in order, rows then columns:
/// one product and one addition per step, kept in registers between the load and the store of
/// `out`. (Two outputs at a time, sharing the loads of `b`, measured no faster in V8.)
#[inline(never)]
fn dot_block<L: Lane, const V: usize>(a: &[f32], b: &[f32], w: &Walk, ch: usize, out: &mut [f32]) {
    let n = V * L::N;
    in_bounds(w.n >= 1);
    let last = w.n - 1;
    in_bounds(w.end(w.a + ch + last * w.next, w.sa, n) <= a.len() && w.end(w.b + ch, w.sb, n) <= b.len() && w.o + ch + last * w.so + n <= out.len());
    let (a0, b0, o0) = (addr(a, w.a + ch), addr(b, w.b + ch), addr(out, w.o + ch));
    // SAFETY: the checks above bound every offset read and written (all steps are
    // non-negative); `out` is borrowed mutably.
    unsafe { walk_block::<L, V>(a0, b0, o0, w, |x, v| L::load(x.add(v * L::N))) }
}

/// The loop of [`dot_block`] and [`splat_block`]: for each output `i < w.n`, `V` accumulators
/// loaded from `out` at `o0`, then for each step of the walk (rows, then columns) `acc[v] +=
/// x_at(x, v) · b[v·N..]`, with `x` the step's input address from `a0` and `b` the filter's
/// from `b0`, then stored back: one product and one addition per step, in order.
///
/// # Safety
/// Every address the walk reaches from `a0`, `b0` and `o0` (as bounded by the callers' checks)
/// must be in bounds, `x_at` reading only within the step's input, and `out` exclusively held.
#[inline(always)]
unsafe fn walk_block<L: Lane, const V: usize>(a0: usize, b0: usize, o0: usize, w: &Walk, x_at: impl Fn(*const f32, usize) -> L) {
    let ptr = with_exposed_provenance::<f32>;
    // SAFETY: the caller's contract.
    unsafe {
        for i in 0..w.n {
            let (ai, o) = (a0 + 4 * i * w.next, ptr(o0 + 4 * i * w.so).cast_mut());
            let mut acc: [L; V] = core::array::from_fn(|v| L::load(o.add(v * L::N)));
            for r in 0..w.rows {
                let (mut pa, mut pb) = (ai + 4 * r * w.sa[0], b0 + 4 * r * w.sb[0]);
                for _ in 0..w.cols {
                    let (x, f) = (ptr(pa), ptr(pb));
                    for (v, acc) in acc.iter_mut().enumerate() {
                        *acc = acc.add(x_at(x, v).mul(L::load(f.add(v * L::N))));
                    }
                    pa += 4 * w.sa[1];
                    pb += 4 * w.sb[1];
                }
            }
            for (v, &acc) in acc.iter().enumerate() {
                L::store(o.add(v * L::N), acc);
            }
        }
    }
}

/// [`dot_block`] over `c` channels: blocks of 16, 8 and 4 lanes, then one at a time.
#[inline(never)]
fn dot(a: &[f32], b: &[f32], w: &Walk, c: usize, out: &mut [f32]) {
    let mut ch = 0;
    while ch + 16 <= c {
        dot_block::<F4, 4>(a, b, w, ch, out);
        ch += 16;
    }
    if ch + 8 <= c {
        dot_block::<F4, 2>(a, b, w, ch, out);
        ch += 8;
    }
    if ch + 4 <= c {
        dot_block::<F4, 1>(a, b, w, ch, out);
        ch += 4;
    }
    for ch in ch..c {
        dot_block::<f32, 1>(a, b, w, ch, out);
    }
}

/// [`dot`] over `c` channels of pixels that lie side by side, `gs[0]` and then `gs[1]` pixels
/// at a time (the outputs of a walk with stride 1 along the row, `w.next == c`): a group's
/// `g·c` values of `x` are contiguous, and `ftg` holds each window offset's `c` filter values
/// repeated `gs[0]` times (`gs[0]·c` per offset), so each group is one walk of `g·c` channels
/// in 4-lane steps even when `c` is not a multiple of 4; the pixels left over as in [`dot`].
/// Every output's sum keeps its terms and their order.
#[inline(never)]
fn dot_grouped(a: &[f32], b: &[f32], ftg: &[f32], w: &Walk, c: usize, gs: [usize; 2], out: &mut [f32]) {
    let gc = gs[0] * c;
    let mut w = *w;
    for g in gs {
        let k = w.n / g;
        if k > 0 {
            let gw = Walk { n: k, next: g * w.next, b: w.b / c * gc, sb: [w.sb[0] / c * gc, gc], so: g * w.so, ..w };
            dot(a, ftg, &gw, g * c, out);
            (w.a, w.o, w.n) = (w.a + k * g * w.next, w.o + k * g * w.so, w.n - k * g);
        }
    }
    if w.n > 0 {
        dot(a, b, &w, c, out);
    }
}

/// The forward with a multiplier `m`, output channels `q..q + V·L::N` (within a multiple of 4
/// of `m`'s, so each 4-lane step reads one input channel): `out[w.o + i·w.so + q + l] +=
/// Σ a[w.a + i·w.next + (q + l) / m] · b[w.b + q + l]` over the walk's steps in order, the
/// input value splatted over the lanes and `b` the filter in its own `[kh, kw, c, m]` layout.
/// The same terms in the same order as [`dot`] over the reordered filter, so the same bits.
#[inline(never)]
fn splat_block<L: Lane, const V: usize>(a: &[f32], b: &[f32], w: &Walk, q: usize, m: usize, out: &mut [f32]) {
    let n = V * L::N;
    in_bounds(w.n >= 1 && m >= 1);
    let last = w.n - 1;
    let xc: [usize; V] = core::array::from_fn(|v| (q + v * L::N) / m);
    in_bounds(w.end(w.a + last * w.next, w.sa, xc[V - 1] + 1) <= a.len() && w.end(w.b + q, w.sb, n) <= b.len() && w.o + q + last * w.so + n <= out.len());
    let (a0, b0, o0) = (addr(a, w.a), addr(b, w.b + q), addr(out, w.o + q));
    // SAFETY: the checks above bound every offset read and written (all steps are
    // non-negative, `xc` ascending); `out` is borrowed mutably.
    unsafe { walk_block::<L, V>(a0, b0, o0, w, |x, v| L::splat(x.add(xc[v]))) }
}

/// [`splat_block`] over the `cm` output channels (a multiple of 4): blocks of 16, 8 and 4.
#[inline(never)]
fn dot_splat(a: &[f32], b: &[f32], w: &Walk, cm: usize, m: usize, out: &mut [f32]) {
    let mut q = 0;
    while q + 16 <= cm {
        splat_block::<F4, 4>(a, b, w, q, m, out);
        q += 16;
    }
    if q + 8 <= cm {
        splat_block::<F4, 2>(a, b, w, q, m, out);
        q += 8;
    }
    if q + 4 <= cm {
        splat_block::<F4, 1>(a, b, w, q, m, out);
    }
}

/// The scatter of `dL/dx` from `w.n` output positions, in order (`a` the offset in `dx`, `b` in
/// `ft`, `o + i·so` in `g` of position `i`): for each step of a position's walk, in order,
/// `dx[.. + ch + l] += Σ_j g[.. + j·c + ch + l] · ft[.. + j·c + ch + l]`, the sum over `j < m`
/// from 0, for `l < V·L::N` (`c` channels per multiplier `j`).
#[inline(never)]
fn scatter_block<L: Lane, const V: usize>(g: &[f32], ft: &[f32], w: &Walk, c: usize, m: usize, ch: usize, dx: &mut [f32]) {
    let (n, jn) = (V * L::N, (m - 1) * c + V * L::N);
    in_bounds(m >= 1 && w.n >= 1);
    let last = w.n - 1;
    in_bounds(w.o + ch + last * w.so + jn <= g.len() && w.end(w.b + ch, w.sb, jn) <= ft.len() && w.end(w.a + ch + last * w.next, w.sa, n) <= dx.len());
    let (g0, f0, d0) = (addr(g, w.o + ch), addr(ft, w.b + ch), addr(dx, w.a + ch));
    let ptr = with_exposed_provenance::<f32>;
    // SAFETY: the checks above bound every offset used below (all steps are non-negative);
    // `dx` is borrowed mutably.
    unsafe {
        for i in 0..w.n {
            let (gi, di) = (g0 + 4 * i * w.so, d0 + 4 * i * w.next);
            for r in 0..w.rows {
                let (mut pd, mut pf) = (di + 4 * r * w.sa[0], f0 + 4 * r * w.sb[0]);
                for _ in 0..w.cols {
                    let mut s = [L::zero(); V];
                    for j in 0..m {
                        let (gj, fj) = (ptr(gi + 4 * j * c), ptr(pf + 4 * j * c));
                        for (v, s) in s.iter_mut().enumerate() {
                            *s = s.add(L::load(gj.add(v * L::N)).mul(L::load(fj.add(v * L::N))));
                        }
                    }
                    for (v, &s) in s.iter().enumerate() {
                        let d = ptr(pd).cast_mut().add(v * L::N);
                        L::store(d, L::load(d).add(s));
                    }
                    pd += 4 * w.sa[1];
                    pf += 4 * w.sb[1];
                }
            }
        }
    }
}

/// [`scatter_block`] over the `c` channels: blocks of 16 and 4 lanes, then one at a time.
fn scatter(g: &[f32], ft: &[f32], w: &Walk, c: usize, m: usize, dx: &mut [f32]) {
    let mut ch = 0;
    while ch + 16 <= c {
        scatter_block::<F4, 4>(g, ft, w, c, m, ch, dx);
        ch += 16;
    }
    while ch + 4 <= c {
        scatter_block::<F4, 1>(g, ft, w, c, m, ch, dx);
        ch += 4;
    }
    for ch in ch..c {
        scatter_block::<f32, 1>(g, ft, w, c, m, ch, dx);
    }
}

/// `v` (groups of `c·m` values `[c][m]`) with each group reordered to `[m][c]`, so that the
/// values of one multiplier `j` are contiguous; `v` itself when `m == 1`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn by_multiplier(v: &[f32], c: usize, m: usize) -> std::borrow::Cow<'_, [f32]> {
    if m == 1 {
        return v.into();
    }
    let mut out = vec![0.0; v.len()];
    for (o, v) in out.chunks_exact_mut(c * m).zip(v.chunks_exact(c * m)) {
        for (ch, v) in v.chunks_exact(m).enumerate() {
            for (j, &v) in v.iter().enumerate() {
                o[j * c + ch] = v;
            }
        }
    }
    out.into()
}

/// The inverse of [`by_multiplier`] for one group: `out[ch·m + j] = v[j·c + ch]`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn interleave(v: &[f32], c: usize, m: usize, out: &mut [f32]) {
    for (j, v) in v.chunks_exact(c).enumerate() {
        for (ch, &v) in v.iter().enumerate() {
            out[ch * m + j] = v;
        }
    }
}

/// Calls `f(walk)` for each run of output positions of one output row `(b, oy)` whose window
/// offsets inside the input are the same (`rows`/`cols` from [`Placement::inside_all`]), in
/// order: `walk.a` over the input pixels (`c` values each), `walk.b` over the filter's offsets
/// (`c·m` values each), `walk.n` positions `walk.next` apart in `x`, `walk.o` the row's first
/// position of the run times `c·m`, `walk.so = c·m`.
#[inline(always)]
fn row_runs(p: &Placement, m: usize, b: usize, oy: usize, (ky0, ky1): (usize, usize), cols: &[(usize, usize)], mut f: impl FnMut(&Walk)) {
    let (c, cm, kw, [dh, dw]) = (p.c, p.c * m, p.win.size[1], p.win.dilation);
    let iy = p.source(0, oy, ky0).unwrap_or(0);
    let mut ox = 0;
    while ox < p.ow {
        let (kx0, kx1) = cols[ox];
        let n = cols[ox..].iter().take_while(|&&k| k == (kx0, kx1)).count();
        let ix = p.source(1, ox, kx0).unwrap_or(0);
        f(&Walk {
            rows: ky1 - ky0,
            cols: kx1 - kx0,
            a: ((b * p.h + iy) * p.w + ix) * c,
            sa: [dh * p.w * c, dw * c],
            b: (ky0 * kw + kx0) * cm,
            sb: [kw * cm, cm],
            n,
            next: p.win.strides[1] * c,
            o: ox * cm,
            so: cm,
        });
        ox += n;
    }
}

/// Work (≈ flops) of a task of the forward and of `dL/dx`'s scatter: a block of output lines
/// ([`lines_per`]) or a band of one sample's input rows ([`band_rows`]), so that a task is
/// worth handing to another thread and a call has enough of them to share.
const TASK_FLOPS: usize = 1 << 17;
/// Work (≈ flops) of a block of `dL/dfilter` ([`dfilter`]): each block sums its output lines
/// into a partial of its own. A call with less work is one block, the order of the plain loop.
const DF_BLOCK_FLOPS: usize = 1 << 18;
/// [`dfilter`] runs its blocks on the thread pool this many at a time at most (a wave), each
/// with its own partial, which are then added in block order...
const WAVE_BLOCKS: usize = 16;
/// ... and a wave's partials take at most this many values (1 MiB; at least one block).
const WAVE_PARTIALS: usize = 1 << 18;

/// Depthwise convolution of `x` with `filter` over `win` (its size is the filter's).
///
/// Each output value is `0 + x·f + x·f + …` over its window offsets inside the input in
/// `(ky, kx)` order, one rounding per product and per sum: the kernel keeps blocks of up to 16
/// channels of an output position in registers over the offsets. With a multiplier `m > 1`
/// the filter is reordered to `[kh, kw, m, c]` so each multiplier `j` is such a walk, and an
/// output row's `[m][c]` results are interleaved into `[c][m]`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn depthwise_conv2d(x: &Tensor, filter: &Tensor, win: Window) -> Result<Tensor> {
    let (p, batch, m) = placement(x, filter, win)?;
    let shape = out_shape(OP, x.rank(), batch, [p.oh, p.ow, p.c * m])?;
    let n = shape.size();
    Tensor::new(OP, shape, convolve(&p, m, x.data(), filter.data(), n)?)
}

/// The work of one output line (`ow` positions of `c·m` values, a product and a sum per
/// window offset), at least 1: the unit of the cuts, from the shapes alone.
fn line_flops(p: &Placement, m: usize) -> usize {
    (2 * p.ow * p.c * m).saturating_mul(p.win.size[0] * p.win.size[1]).max(1)
}

/// Output lines of about `flops` of work (at least one).
fn lines_per(p: &Placement, m: usize, flops: usize) -> usize {
    (flops / line_flops(p, m)).max(1)
}

/// The forward's loop: the convolution of `xs` with the filter `filter` (`[kh, kw, c, m]`),
/// `n` values `[batch, p.oh, p.ow, c·m]`. The tasks on the thread pool are blocks of
/// [`lines_per`] [`TASK_FLOPS`] output lines `(b, oy)`, each zeroed by the task just before
/// (no pass of its own over the output); every output's sum is its own, so the bits depend
/// neither on the cut nor on the threads. By the shapes:
/// - a multiplier that is a multiple of 4: [`dot_splat`] over the `c·m` output channels;
/// - another multiplier above 1: [`dot`] per multiplier over the filter reordered by
///   [`by_multiplier`], the line's `[m][c]` sums then interleaved into `[c][m]`;
/// - multiplier 1 with `c` not a multiple of 4 and stride 1 along the rows: [`dot_grouped`];
/// - else [`dot`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn convolve(p: &Placement, m: usize, xs: &[f32], filter: &[f32], n: usize) -> Result<Vec<f32>> {
    let (c, cm) = (p.c, p.c * m);
    let line = p.ow * cm;
    if n == 0 || line == 0 {
        return crate::tensor::alloc(OP, n);
    }
    let ft = if m % 4 == 0 { filter.into() } else { by_multiplier(filter, c, m) };
    // Pixels per group of `dot_grouped`: the fewest whose channels fill 4-lane steps, and as
    // many of those as fit 16 lanes (no groups: [0, 0]).
    let g0 = if c % 2 == 1 { 4 } else { 2 };
    let gs = if m == 1 && c % 4 != 0 && p.win.strides[1] == 1 { [g0.max(16 / (g0 * c) * g0), g0] } else { [0, 0] };
    let mut ftg = crate::tensor::alloc(OP, gs[0] * filter.len())?;
    if gs[0] > 0 {
        for (t, f) in ftg.chunks_exact_mut(gs[0] * c).zip(filter.chunks_exact(c)) {
            t.chunks_exact_mut(c).for_each(|t| t.copy_from_slice(f));
        }
    }
    let (rows, cols) = (p.inside_all(0), p.inside_all(1));
    let lines = lines_per(p, m, TASK_FLOPS);
    // The bytes of a line buffer that could not be allocated (0: none).
    let failed = AtomicUsize::new(0);
    let mut y = crate::tensor::alloc_empty(OP, n)?;
    extend_with(&mut y, n, lines * line, line_flops(p, m).saturating_mul(n / line), 0.0, |t, ys| {
        // With m > 1, a line's sums in `[m][c]` order, then interleaved into `[c][m]`.
        let Ok(mut tmp) = crate::tensor::alloc(OP, if m > 1 && m % 4 != 0 { line } else { 0 }) else {
            return failed.store(4 * line, Relaxed);
        };
        convolve_lines(p, m, xs, [&ft, &ftg], gs, [&rows, &cols], t * lines, ys, &mut tmp);
    });
    match failed.into_inner() {
        0 => Ok(y),
        bytes => Err(crate::Error::OutOfMemory { op: OP, bytes: bytes as u64 }),
    }
}

/// [`convolve`]'s task: the output lines from `first` on (`ys`, zeros, whole lines), each
/// row's runs walked by the shapes' kernel (`ft[0]` the filter as that kernel reads it, `ft[1]`
/// the grouped copy; `inside` the window offsets inside the input per output row and column),
/// `tmp` a line of `[m][c]` sums for the multipliers that are interleaved after.
/// (Size-optimised on wasm: the kernels it calls are not, and the per-run calls are few.)
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[allow(clippy::too_many_arguments)]
fn convolve_lines(p: &Placement, m: usize, xs: &[f32], [ft, ftg]: [&[f32]; 2], gs: [usize; 2], [rows, cols]: [&[(usize, usize)]; 2], first: usize, ys: &mut [f32], tmp: &mut [f32]) {
    let (c, cm) = (p.c, p.c * m);
    // With another multiplier above 1, the line's sums go to `tmp` in `[m][c]` order.
    let interleaved = m > 1 && m % 4 != 0;
    for (k, out) in ys.chunks_exact_mut(p.ow * cm).enumerate() {
        let i = first + k;
        let (b, oy) = (i / p.oh, i % p.oh);
        tmp.fill(0.0);
        let to: &mut [f32] = if interleaved { &mut *tmp } else { &mut *out };
        row_runs(p, m, b, oy, rows[oy], cols, |w| {
            if m % 4 == 0 {
                dot_splat(xs, ft, w, cm, m, to);
            } else if gs[0] > 0 {
                dot_grouped(xs, ft, ftg, w, c, gs, to);
            } else {
                for j in 0..m {
                    dot(xs, ft, &Walk { b: w.b + j * c, o: w.o + j * c, ..*w }, c, to);
                }
            }
        });
        if interleaved {
            for (t, out) in tmp.chunks_exact(cm).zip(out.chunks_exact_mut(cm)) {
                interleave(t, c, m, out);
            }
        }
    }
}

/// Output rows per block of `dL/dfilter`'s sweep: about 32 KiB of the gradient, so the block's
/// rows of `x` and of the gradient stay in cache over the window offsets.
fn rows_per_block(ow: usize, cm: usize) -> usize {
    (8192 / (ow * cm).max(1)).max(1)
}

/// The backward rule of [`depthwise_conv2d`]: `(dL/dx, dL/dfilter)` for `dL/dy` = `g`, each
/// when `need`s.
///
/// `dL/dx` keeps the order of a walk over the output positions (samples, rows, columns) and,
/// within each, the window offsets in `(ky, kx)` order: per output position and offset,
/// `0 + Σ_j g·f` (over the multiplier), in registers by `convolve` for stride 1 and multiplier
/// 1, else scattered with 4-lane steps by [`scatter_dx`]; both on the thread pool, the bits of
/// one walk for any number of threads. `dL/dfilter` ([`dfilter`]) sums `x·g` over fixed blocks
/// of output lines, then the blocks in order: the same bits for any number of threads.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub fn depthwise_conv2d_backward(x: &Tensor, filter: &Tensor, win: Window, g: &Tensor, need: [bool; 2]) -> Result<(Option<Tensor>, Option<Tensor>)> {
    let (p, batch, m) = placement(x, filter, win)?;
    let (c, cm) = (p.c, p.c * m);
    if g.size() != batch * p.oh * p.ow * cm {
        return Err(crate::Error::Internal { msg: "depthwiseConv2d: the gradient does not have the output's size".into() });
    }
    let [kh, kw] = p.win.size;
    let [dh, dw] = p.win.dilation;
    // With stride 1 and multiplier 1, dL/dx is the forward convolution of g by the filter turned
    // by 180° (padded by the window's extent less x's padding): input pixel `iy` gets output rows
    // `oy = iy + padTop − ky·dh` in ascending order as `kh − 1 − ky` ascends, so the sums keep the
    // reference's order, in registers. (Each term is `g·f` rather than `0 + g·f`: the same bits,
    // as the sums start at +0 and so are never −0.)
    let turned = (m == 1 && p.win.strides == [1, 1] && g.size() > 0)
        .then(|| Some(Placement { h: p.oh, w: p.ow, oh: p.h, ow: p.w, pad_top: ((kh - 1) * dh).checked_sub(p.pad_top)?, pad_left: ((kw - 1) * dw).checked_sub(p.pad_left)?, ..p }))
        .flatten();
    // (The turned convolution makes dL/dx itself.)
    let mut dx = (need[0] && turned.is_none()).then(|| Tensor::zeros(OP, x.shape().clone())).transpose()?;
    let mut df = need[1].then(|| Tensor::zeros(OP, filter.shape().clone())).transpose()?;
    if g.size() == 0 {
        return Ok((dx, df));
    }
    let (xs, gt) = (x.data(), by_multiplier(g.data(), c, m));
    if let (true, Some(q)) = (need[0], turned) {
        let mut ff = Vec::with_capacity(filter.size());
        for k in (0..kh * kw).rev() {
            ff.extend_from_slice(&filter.data()[k * c..][..c]);
        }
        dx = Some(Tensor::new(OP, x.shape().clone(), convolve(&q, 1, &gt, &ff, x.size())?)?);
    } else if let Some(dx) = dx.as_mut() {
        scatter_dx(&p, m, batch, &gt, &by_multiplier(filter.data(), c, m), dx.data_mut());
    }
    if let Some(df) = df.as_mut() {
        // The sums in `[kh, kw, m, c]` order (each multiplier's channels contiguous, as `gt`'s).
        let mut dft = crate::tensor::alloc(OP, df.size())?;
        dfilter(&p, m, batch, xs, &gt, &mut dft)?;
        for (d, t) in df.data_mut().chunks_exact_mut(cm).zip(dft.chunks_exact(cm)) {
            interleave(t, c, m, d);
        }
    }
    Ok((dx, df))
}

/// Input rows per task of [`scatter_dx`]: about [`TASK_FLOPS`] of the terms scattered into
/// them (a sample's spread evenly over its rows), at least one row, at most the image.
fn band_rows(p: &Placement, m: usize) -> usize {
    let per_row = (line_flops(p, m).saturating_mul(p.oh) / p.h.max(1)).max(1);
    (TASK_FLOPS / per_row).clamp(1, p.h.max(1))
}

/// The window rows `[ky0, ky1)` of output row `oy` inside the input (`inside`, as
/// [`Placement::inside`] gives them) that land on the input rows `rows`: those with
/// `oy·sh + ky·dh − padTop` in `rows` (empty when `ky0 >= ky1`).
fn taps_on_rows(p: &Placement, oy: usize, inside: (usize, usize), rows: Range<usize>) -> (usize, usize) {
    // The first offset `ky` whose input row is at least `r`.
    let first = |r: usize| (r + p.pad_top).saturating_sub(oy * p.win.strides[0]).div_ceil(p.win.dilation[0]);
    (first(rows.start).max(inside.0), first(rows.end).min(inside.1))
}

/// `dx` (zeros) gets every output's terms scattered into it (`gt` and `ft` reordered by
/// [`by_multiplier`]): `dL/dx` for the strides and multipliers the turned convolution does not
/// cover. The tasks on the thread pool are bands of [`band_rows`] input rows of one sample,
/// which no other task writes: a task walks its sample's output rows in order, each cut to the
/// window rows that land on its band, so every `dx` value gets its terms in the order of the
/// walk over `(oy, ox)` — the bits of one walk over the whole batch, whatever the cut and the
/// threads.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn scatter_dx(p: &Placement, m: usize, batch: usize, gt: &[f32], ft: &[f32], dx: &mut [f32]) {
    let (c, cm, row) = (p.c, p.c * m, p.w * p.c);
    let (rows, cols) = (p.inside_all(0), p.inside_all(1));
    let band = band_rows(p, m);
    let bands = p.h.div_ceil(band);
    let dx = SharedMut::new(dx);
    let task = |t: usize| {
        let (b, r0) = (t / bands, t % bands * band);
        let r1 = (r0 + band).min(p.h);
        let at = (b * p.h + r0) * row;
        // SAFETY: rows `r0..r1` of sample `b`, task `t`'s alone (`run` calls each `t` once).
        let to = unsafe { dx.part(at..at + (r1 - r0) * row) };
        for (oy, &inside) in rows.iter().enumerate() {
            let taps = taps_on_rows(p, oy, inside, r0..r1);
            if taps.0 < taps.1 {
                let gt = &gt[(b * p.oh + oy) * p.ow * cm..][..p.ow * cm];
                // The walks start on the band's rows, at or after `at`.
                row_runs(p, m, b, oy, taps, &cols, |w| scatter(gt, ft, &Walk { a: w.a - at, ..*w }, c, m, to));
            }
        }
    };
    crate::parallel::run(batch * bands, line_flops(p, m).saturating_mul(batch * p.oh), &task);
}

/// Output lines `(b, oy)` per block of [`dfilter`]: about [`DF_BLOCK_FLOPS`] of work.
fn df_block_lines(p: &Placement, m: usize) -> usize {
    lines_per(p, m, DF_BLOCK_FLOPS)
}

/// `out` (`[kh, kw, m, c]`) gets `dL/dfilter`'s terms `x·g` of the output lines `lines`
/// (`(b, oy)` over the batch) added, each sum in order of the lines then the columns: per
/// window offset and block of [`rows_per_block`] rows of a sample, in registers.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn dfilter_lines(p: &Placement, m: usize, xs: &[f32], gt: &[f32], lines: Range<usize>, out: &mut [f32]) {
    let (c, cm, [kh, kw], [sh, sw]) = (p.c, p.c * m, p.win.size, p.win.strides);
    let ky_out: Vec<_> = (0..kh).map(|k| p.inside_range(0, k)).collect();
    let kx_out: Vec<_> = (0..kw).map(|k| p.inside_range(1, k)).collect();
    let block = rows_per_block(p.ow, cm);
    let mut q = lines.start;
    while q < lines.end {
        // The block's rows of sample `b`: `first..end`.
        let (b, first) = (q / p.oh, q % p.oh);
        let end = p.oh.min(first + lines.end - q);
        for r0 in (first..end).step_by(block) {
            let r1 = (r0 + block).min(end);
            for (ky, &(lo, hi)) in ky_out.iter().enumerate() {
                let (lo, hi) = (lo.max(r0), hi.min(r1));
                for (kx, &(ox0, ox1)) in kx_out.iter().enumerate() {
                    if lo >= hi || ox0 >= ox1 {
                        continue;
                    }
                    let (iy, ix) = (p.source(0, lo, ky).unwrap_or(0), p.source(1, ox0, kx).unwrap_or(0));
                    for j in 0..m {
                        let w = Walk {
                            rows: hi - lo,
                            cols: ox1 - ox0,
                            a: ((b * p.h + iy) * p.w + ix) * c,
                            sa: [sh * p.w * c, sw * c],
                            b: ((b * p.oh + lo) * p.ow + ox0) * cm + j * c,
                            sb: [p.ow * cm, cm],
                            n: 1,
                            next: 0,
                            o: ((ky * kw + kx) * m + j) * c,
                            so: 0,
                        };
                        dot(xs, gt, &w, c, out);
                    }
                }
            }
        }
        q += end - first;
    }
}

/// `dft` (zeros, `[kh, kw, m, c]`) gets `dL/dfilter`, a sum over the batch's output lines cut
/// into blocks of [`df_block_lines`] lines (from the shapes alone). Each block is a task on the
/// thread pool that sums its lines into a partial of its own ([`dfilter_lines`]), in waves of
/// at most [`WAVE_BLOCKS`] partials of [`WAVE_PARTIALS`] values in all; the calling thread adds
/// the partials in block order (the first copied, each next added), so the bits do not depend
/// on the threads. One block is summed straight into `dft`: the plain loop's order.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn dfilter(p: &Placement, m: usize, batch: usize, xs: &[f32], gt: &[f32], dft: &mut [f32]) -> Result<()> {
    let (total, lines, part) = (batch * p.oh, df_block_lines(p, m), dft.len());
    let blocks = total.div_ceil(lines);
    if blocks <= 1 || part == 0 {
        dfilter_lines(p, m, xs, gt, 0..total, dft);
        return Ok(());
    }
    let wave = (WAVE_PARTIALS / part).clamp(1, WAVE_BLOCKS);
    let mut parts = crate::tensor::alloc(OP, wave.min(blocks) * part)?;
    for first in (0..blocks).step_by(wave) {
        let n = wave.min(blocks - first);
        let work = line_flops(p, m).saturating_mul(lines).saturating_mul(n);
        for_each_chunk_mut(&mut parts[..n * part], part, work, |t, out| {
            let q0 = (first + t) * lines;
            out.fill(0.0);
            dfilter_lines(p, m, xs, gt, q0..total.min(q0 + lines), out);
        });
        for (t, pt) in parts.chunks_exact(part).take(n).enumerate() {
            if first + t == 0 {
                dft.copy_from_slice(pt);
            } else {
                dft.iter_mut().zip(pt).for_each(|(d, &v)| *d += v);
            }
        }
    }
    Ok(())
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
            ([2, 6, 5, 5], [3, 3, 5, 1], win([1, 1], [1, 1], true)),
            ([1, 8, 7, 7], [3, 3, 7, 2], win([2, 2], [1, 1], true)),
            ([1, 9, 9, 3], [3, 3, 3, 3], win([1, 1], [2, 2], false)),
            ([2, 6, 6, 21], [2, 3, 21, 2], win([1, 2], [2, 1], true)),
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

    /// The kernels as first written, one window offset at a time with the sums read from and
    /// written to memory: the reference the blocked kernels must equal bit for bit.
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

    /// `(y, dx, dfilter)` by the reference, dfilter summed over blocks of `lines` output lines
    /// `(b, oy)` (each block from 0, in the walk's order), then the blocks' sums in order, the
    /// first copied (`usize::MAX`: one sum over the whole walk).
    fn reference_in_blocks(x: &Tensor, filter: &Tensor, win: Window, g: &[f32], lines: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (p, batch, m) = placement(x, filter, win).unwrap();
        let (c, cm) = (p.c, p.c * m);
        let (xs, fs) = (x.data(), filter.data());
        let mut ys = vec![0.0f32; batch * p.oh * p.ow * cm];
        let mut dxs = vec![0.0f32; xs.len()];
        let mut parts = vec![vec![0.0f32; fs.len()]; (batch * p.oh).div_ceil(lines).max(1)];
        each_tap(&p, batch, m, |out, xin, fk| {
            let dfs = &mut parts[out / (p.ow * cm) / lines];
            for ch in 0..c {
                for j in 0..m {
                    ys[out + ch * m + j] += xs[xin + ch] * fs[fk + ch * m + j];
                }
                let mut s = 0.0f32;
                for j in ch * m..(ch + 1) * m {
                    s += g[out + j] * fs[fk + j];
                }
                dxs[xin + ch] += s;
                for j in 0..m {
                    dfs[fk + ch * m + j] += xs[xin + ch] * g[out + ch * m + j];
                }
            }
        });
        let mut dfs = parts[0].clone();
        for part in &parts[1..] {
            dfs.iter_mut().zip(part).for_each(|(d, &v)| *d += v);
        }
        (ys, dxs, dfs)
    }

    /// [`reference_in_blocks`] with the kernel's blocks of dfilter ([`df_block_lines`]).
    fn reference(x: &Tensor, filter: &Tensor, win: Window, g: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (p, _, m) = placement(x, filter, win).unwrap();
        reference_in_blocks(x, filter, win, g, df_block_lines(&p, m))
    }

    /// `n` values in [-1, 1) with every 11th an exact zero of either sign (so `±0` products
    /// and sums are covered).
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s = s.wrapping_mul(1664525).wrapping_add(1013904223);
                match i % 11 {
                    3 => 0.0,
                    7 => -0.0,
                    _ => (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0,
                }
            })
            .collect()
    }

    /// Channel counts through every block and tail (blocks of 16, 8 and 4 lanes, then 1-3 single
    /// channels), multipliers 1-3, strides, dilations, 'valid' and 'same', windows larger than
    /// the input and outputs whose window lies wholly in the padding, one image or a batch: the
    /// forward and both gradients (by the turned convolution and by the scatter) equal the
    /// reference's bits.
    #[test]
    fn equals_the_scalar_reference_bit_for_bit() {
        let windows = [
            ([3, 3], [1, 1], [1, 1], true),
            ([3, 3], [1, 1], [1, 1], false),
            ([3, 2], [2, 2], [1, 1], true),
            ([2, 3], [1, 2], [2, 2], true),
            ([3, 3], [2, 1], [2, 1], false),
            ([5, 5], [1, 1], [1, 1], true),
            ([5, 4], [2, 3], [1, 1], true),
            ([1, 1], [3, 3], [1, 1], true),
            // Dilated windows wider than the input: outputs whose window lies wholly in the
            // padding (a row or column of offsets with none inside).
            ([2, 2], [1, 1], [3, 4], true),
            ([3, 2], [1, 2], [4, 5], true),
        ];
        let mut seed = 1;
        for c in [1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 20, 29, 33] {
            for m in [1, 2, 3, 4, 8] {
                for (wi, &(k, s, d, same)) in windows.iter().enumerate() {
                    let xd = match wi {
                        8 => vec![2, 1, 5, c],
                        9 => vec![1, 2, c],
                        _ if wi % 2 == 0 => vec![2, 7, 6, c],
                        _ => vec![4, 5, c],
                    };
                    let fd = [k[0], k[1], c, m];
                    seed += 3;
                    let x = t(&xd, values(xd.iter().product(), seed));
                    let f = t(&fd, values(fd.iter().product(), seed + 1));
                    let w = win(s, d, same);
                    let y = depthwise_conv2d(&x, &f, w).unwrap();
                    let g = values(y.size(), seed + 2);
                    let (ry, rdx, rdf) = reference(&x, &f, w, &g);
                    let (dx, df) = depthwise_conv2d_backward(&x, &f, w, &t(y.dims(), g), [true, true]).unwrap();
                    let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    let what = format!("x {xd:?} filter {fd:?} strides {s:?} dilation {d:?} same {same}");
                    assert_eq!(bits(y.data()), bits(&ry), "{what}: y");
                    assert_eq!(bits(dx.unwrap().data()), bits(&rdx), "{what}: dx");
                    assert_eq!(bits(df.unwrap().data()), bits(&rdf), "{what}: dfilter");
                }
            }
        }
    }

    /// dL/dfilter's blocks (of [`df_block_lines`] output lines, across samples and inside them,
    /// in one wave and in several, the last block short), and inside them the cache blocks of
    /// rows (a wide image: one row each; a tall one: many per image): the blocked reference's
    /// bits for any number of workers, and within rounding of the plain loop's single sum
    /// (`1e-6` of the sum of the terms' magnitudes).
    #[test]
    fn dfilter_blocks_sum_in_a_fixed_order() {
        for (xd, fd, wave) in [([2, 9, 300, 33], [3, 3, 33, 1], true), ([1, 400, 5, 5], [3, 2, 5, 3], false), ([40, 13, 13, 17], [3, 3, 17, 1], false), ([3, 29, 29, 64], [2, 2, 64, 1], false)] {
            let x = t(&xd, values(xd.iter().product(), 5));
            let f = t(&fd, values(fd.iter().product(), 6));
            let w = win([1, 1], [1, 1], true);
            let (p, batch, m) = placement(&x, &f, w).unwrap();
            let blocks = (batch * p.oh).div_ceil(df_block_lines(&p, m));
            assert!(blocks > 1 && (blocks > WAVE_BLOCKS) == wave, "{xd:?}: {blocks} blocks");
            let g = values(xd[0] * xd[1] * xd[2] * fd[2] * fd[3], 7);
            let gt = t(&[xd[0], xd[1], xd[2], fd[2] * fd[3]], g.clone());
            let df = crate::parallel::testing::same_bits_for_all_counts("dfilter", || depthwise_conv2d_backward(&x, &f, w, &gt, [false, true]).unwrap().1.unwrap().data().to_vec());
            let (_, _, rdf) = reference(&x, &f, w, &g);
            let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&df), bits(&rdf), "{xd:?} {fd:?}");
            let (_, _, plain) = reference_in_blocks(&x, &f, w, &g, usize::MAX);
            assert_ne!(bits(&df), bits(&plain), "{xd:?}: the blocks change some bits");
            let abs = |v: &[f32]| v.iter().map(|v| v.abs()).collect::<Vec<_>>();
            let (_, _, magnitude) = reference_in_blocks(&t(&xd, abs(x.data())), &t(&fd, abs(f.data())), w, &abs(&g), usize::MAX);
            for (i, ((&a, &b), &s)) in df.iter().zip(&plain).zip(&magnitude).enumerate() {
                assert!((a - b).abs() <= 1e-6 * s, "{xd:?} dfilter[{i}]: {a} vs {b} (terms' magnitude {s})");
            }
        }
    }

    /// Asserts that the forward, dL/dx and dL/dfilter of `x: xd` and `filter: fd` over `w` (values
    /// from `seed`) give the same bits with any number of workers, and the reference's (dfilter's
    /// in its blocks).
    fn same_bits_as_the_reference_for_all_counts(xd: &[usize], fd: [usize; 4], w: Window, seed: u32) {
        let x = t(xd, values(xd.iter().product(), seed));
        let f = t(&fd, values(fd.iter().product(), seed + 1));
        let y = depthwise_conv2d(&x, &f, w).unwrap();
        let g = t(y.dims(), values(y.size(), seed + 2));
        let what = format!("x {xd:?} filter {fd:?} {w:?}");
        let got = crate::parallel::testing::same_bits_for_all_counts(&what, || {
            let mut out = depthwise_conv2d(&x, &f, w).unwrap().data().to_vec();
            let (dx, df) = depthwise_conv2d_backward(&x, &f, w, &g, [true, true]).unwrap();
            out.extend_from_slice(dx.unwrap().data());
            out.extend_from_slice(df.unwrap().data());
            out
        });
        let (ry, rdx, rdf) = reference(&x, &f, w, g.data());
        let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let (gy, rest) = got.split_at(ry.len());
        let (gdx, gdf) = rest.split_at(rdx.len());
        assert_eq!(bits(gy), bits(&ry), "{what}: y");
        assert_eq!(bits(gdx), bits(&rdx), "{what}: dx");
        assert_eq!(bits(gdf), bits(&rdf), "{what}: dfilter");
    }

    /// The tasks on the pool (the forward's and the turned dx's blocks of output lines, the
    /// scatter's bands of input rows, dfilter's blocks): the reference's bits with any number of
    /// workers, on odd shapes: 1, 3 or 7 images of 1, 5, 13 or 29 pixels a side with 1, 3, 17 or
    /// 64 channels, multipliers 1 and 3, and in turns strides and dilations 1 and 2, 'same' and
    /// 'valid', windows from 1×1 to 5×4 (the largest shapes left out, for time).
    #[test]
    fn odd_shapes_have_the_same_bits_with_any_number_of_workers() {
        let mut i = 0;
        for batch in [1, 3, 7] {
            for side in [1, 5, 13, 29] {
                for c in [1, 3, 17, 64] {
                    for m in [1, 3] {
                        i += 1;
                        if batch * side * side * c * m > 20_000 {
                            continue;
                        }
                        let s = [[1, 1], [2, 2], [2, 1]][i % 3];
                        let d = [[1, 1], [2, 2], [1, 1], [1, 2], [1, 1]][i % 5];
                        let k = [[3, 3], [2, 3], [3, 3], [5, 4], [3, 3], [1, 1], [3, 2], [3, 3], [2, 2], [3, 3], [4, 5]][i % 11];
                        // 'valid' when the dilated window fits.
                        let same = i % 7 < 4 || (0..2).any(|a| side < (k[a] - 1) * d[a] + 1);
                        same_bits_as_the_reference_for_all_counts(&[batch, side, side, c], [k[0], k[1], c, m], win(s, d, same), i as u32);
                    }
                }
            }
        }
    }

    /// The forward's walks by the shapes (multipliers that are multiples of 4 splatted over the
    /// output channels; multiplier 1 on channels that are not a multiple of 4, stride 1 along
    /// the rows, grouped by pixels, 16 lanes then 4, in rows wide enough for several groups and
    /// the pixels left over; the turned dL/dx grouped alike): the reference's bits (the
    /// plain loop's order) with any number of workers.
    #[test]
    fn grouped_and_splatted_walks_keep_the_reference_bits() {
        let mut seed = 100;
        for c in [1, 2, 3, 5, 6, 7, 9, 33] {
            for m in [1, 4, 8, 16] {
                for (k, s, d, same) in [([3, 3], [1, 1], [1, 1], true), ([3, 3], [2, 2], [1, 1], true), ([5, 4], [1, 1], [1, 2], false), ([2, 3], [2, 1], [1, 1], true)] {
                    seed += 3;
                    same_bits_as_the_reference_for_all_counts(&[2, 7, 37, c], [k[0], k[1], c, m], win(s, d, same), seed);
                }
            }
        }
    }

    /// Sizes on either side of the cuts, with any number of workers: the forward (and the turned
    /// dx) in one task of output lines and in two, the second of one line; dfilter in one block
    /// and in two; the scatter over whole images and over bands of input rows, one band and
    /// several (the last short, dilated windows across the bands' edges).
    #[test]
    fn the_cuts_have_the_same_bits_with_any_number_of_workers() {
        // Images of one row: a line per image.
        let w = win([1, 1], [1, 1], true);
        let p = Window { size: [3, 3], ..w }.place(OP, &[1, 13, 17]).unwrap();
        let (task, block) = (lines_per(&p, 1, TASK_FLOPS), df_block_lines(&p, 1));
        assert!(1 < task && task < block, "{task} {block}");
        for batch in [task, task + 1, block, block + 1] {
            same_bits_as_the_reference_for_all_counts(&[batch, 1, 13, 17], [3, 3, 17, 1], w, batch as u32);
        }
        // The scatter (stride 2, multiplier 3): the smallest image cut in two bands, and the
        // image a row shorter (one band).
        let w = win([2, 2], [2, 2], true);
        let place = |h: usize| Window { size: [3, 3], ..w }.place(OP, &[h, 13, 17]).unwrap();
        let h = (1..).find(|&h| band_rows(&place(h), 3) < h).unwrap();
        assert_eq!(place(h).h.div_ceil(band_rows(&place(h), 3)), 2);
        let band = band_rows(&place(3 * h + 1), 3);
        assert!((3 * h + 1).div_ceil(band) > 3 && (3 * h + 1) % band != 0, "{h} {band}");
        for (batch, h) in [(1, h - 1), (1, h), (3, 3 * h + 1)] {
            same_bits_as_the_reference_for_all_counts(&[batch, h, 13, 17], [3, 3, 17, 3], w, h as u32);
        }
    }

    /// The speed-up of one worker with the calling thread over the calling thread alone, on
    /// MobileNet-like layers, for the forward, dL/dx, dL/dfilter and a training step's forward
    /// and backward (best of 50 calls each):
    /// `cargo test --release -p neurite-core --lib depthwise_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn depthwise_timing() {
        use crate::parallel::{testing::with_workers, DEFAULT_MIN_WORK};
        use std::time::Instant;
        for (xd, k) in [([1, 56, 56, 32], 3), ([8, 28, 28, 64], 3), ([64, 13, 13, 16], 3)] {
            let fd = [k, k, xd[3], 1];
            let x = t(&xd, values(xd.iter().product(), 1));
            let f = t(&fd, values(fd.iter().product(), 2));
            let w = win([1, 1], [1, 1], true);
            let g = t(&xd, values(xd.iter().product(), 3));
            let forward = || drop(depthwise_conv2d(&x, &f, w).unwrap());
            let dx = || drop(depthwise_conv2d_backward(&x, &f, w, &g, [true, false]).unwrap());
            let df = || drop(depthwise_conv2d_backward(&x, &f, w, &g, [false, true]).unwrap());
            let both = || {
                forward();
                drop(depthwise_conv2d_backward(&x, &f, w, &g, [true, true]).unwrap());
            };
            let ops: [(&str, &dyn Fn()); 4] = [("forward", &forward), ("dx", &dx), ("dfilter", &df), ("forward + backward", &both)];
            for (name, op) in ops {
                let best = |workers: u32| {
                    with_workers(workers, DEFAULT_MIN_WORK, || {
                        (0..50)
                            .map(|_| {
                                let t0 = Instant::now();
                                op();
                                t0.elapsed().as_secs_f64() * 1e3
                            })
                            .fold(f64::INFINITY, f64::min)
                    })
                };
                let (one, two) = (best(0), best(1));
                eprintln!("{xd:?} {k}x{k} {name}: {one:.3} ms, 2 threads {two:.3} ms ({:.2}x)", one / two);
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
