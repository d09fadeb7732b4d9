//! Walking a NumPy broadcast in contiguous runs, for the element-wise ops (`binary`, `where`).
//!
//! A [`Plan`] drops the output's size-1 dimensions and merges neighbours that every input
//! steps through alike (`stride[d] == stride[d+1] · dim[d+1]`: contiguous, or both
//! broadcast). Then `[n,k] ⊕ [n,k]` and `x ⊕ scalar` are one run, `[a,b,c] ⊕ [b,c]` is `a`
//! runs of `b·c`, and `[n,k] ⊕ [k]`, `[n,k] ⊕ [n,1]` are `n` runs of `k`. In the last merged
//! dimension each input's stride is 1 (a full run) or 0 (one repeated value), which are the
//! two forms every element-wise kernel accepts.
//!
//! # Short runs
//! When the plan has two dimensions and the runs are short (`k < SHORT_RUN`), calling a kernel
//! per run costs more than the arithmetic. Then rows are grouped into blocks of about
//! `BLOCK` values: a repeated row (`[k]` against `[n,k]`) is tiled once, a column (`[n,1]`)
//! is expanded per block (for `k <= COLUMN_RUN`), and the kernel runs once per block on
//! full-length slices. Measured on Node 20 against one kernel call per run: `[300000,3] − [3]`
//! 13× faster, `[300000,3] − [300000,1]` 2.5×, `[30000,37] · [37]` 2×.
//!
//! `ops::binary` no longer walks its 2-D plans with a column input and short runs: when each
//! input is full, a column or a row ([`Plan::forms`]) and one is a column,
//! `kernels::broadcast_rows` takes them (columns spread over the block by SIMD swizzles
//! instead of a store per row, whole blocks split over the thread pool). The blocked walk above
//! still serves a row against a full input (as fast on one thread), `where` and the odometer.
//!
//! ```
//! use neurite_core::kernels::elementwise::binary_kernel;
//! use neurite_core::ops::{binary::BinaryOp, broadcast::Plan};
//! use neurite_core::Shape;
//! let p = Plan::new(&Shape::from([4, 2, 3]), [&Shape::from([4, 2, 3]), &Shape::from([2, 3])]);
//! assert_eq!(p.dims(), &[4, 6]);
//! let mut out = [0.0; 4];
//! let q = Plan::new(&Shape::from([2, 2]), [&Shape::from([2, 1]), &Shape::from([2])]);
//! let add = binary_kernel(BinaryOp::Add);
//! q.for_each_run([&[10.0, 20.0], &[1.0, 2.0]], &mut out, |[a, b], o| add(a, b, o));
//! assert_eq!(out, [11.0, 12.0, 21.0, 22.0]);
//! ```

use crate::kernels::broadcast_rows::Form;
use crate::Shape;

/// Runs shorter than this are grouped into blocks (see the module docs).
pub const SHORT_RUN: usize = 64;
/// Values per block when grouping short runs (4 KiB per input: stays in L1).
pub const BLOCK: usize = 1024;
/// The longest run for which a column input (`[n,1]` against `[n,k]`) is expanded into a
/// block. Expanding costs about as much as the arithmetic; at `k = 16` it still beats one kernel
/// call per row by 1.3×, at `k = 24` they tie (Node 20, `mul` on 2^20 values).
pub const COLUMN_RUN: usize = 16;

/// How to walk a broadcast of `N` inputs to an output shape in contiguous runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<const N: usize> {
    dims: Vec<usize>,
    strides: [Vec<usize>; N],
}

/// How one input is read in the blocked (short-run) walk.
enum Source {
    /// Contiguous across rows: slice it directly.
    Full,
    /// One value for everything.
    Single,
    /// The same row for every row (stride 0 outside): tiled once.
    Tiled(Vec<f32>),
    /// One value per row, `step` apart: expanded into the buffer per block.
    Column { step: usize, buf: Vec<f32> },
}

impl<const N: usize> Plan<N> {
    /// The plan for `inputs` broadcast to `out` (the caller checked that they broadcast).
    pub fn new(out: &Shape, inputs: [&Shape; N]) -> Plan<N> {
        let rank = out.rank();
        let full = inputs.map(|s| broadcast_strides(s.dims(), rank));
        let mut dims: Vec<usize> = Vec::with_capacity(rank);
        let mut strides: [Vec<usize>; N] = core::array::from_fn(|_| Vec::with_capacity(rank));
        for (d, &n) in out.dims().iter().enumerate() {
            if n == 1 {
                continue;
            }
            let merge = !dims.is_empty() && (0..N).all(|i| strides[i].last() == Some(&(full[i][d] * n)));
            if merge {
                if let Some(last) = dims.last_mut() {
                    *last *= n;
                }
                for (s, f) in strides.iter_mut().zip(&full) {
                    if let Some(s) = s.last_mut() {
                        *s = f[d];
                    }
                }
            } else {
                dims.push(n);
                for (s, f) in strides.iter_mut().zip(&full) {
                    s.push(f[d]);
                }
            }
        }
        Plan { dims, strides }
    }

    /// A 2-D plan `[m, n]` whose inputs are each full, a column or a row: `(m, n, forms)`
    /// (`kernels::broadcast_rows`); `None` for other plans.
    pub fn forms(&self) -> Option<(usize, usize, [Form; N])> {
        let &[m, n] = self.dims.as_slice() else { return None };
        let mut forms = [Form::Full; N];
        for (f, s) in forms.iter_mut().zip(&self.strides) {
            *f = match (s[0], s[1]) {
                (so, 1) if so == n => Form::Full,
                (1, 0) => Form::Column,
                (0, 1) => Form::Row,
                _ => return None,
            };
        }
        Some((m, n, forms))
    }

    /// The merged output dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Calls `f(input_runs, out_run)` on consecutive pieces of `out` that together cover it in
    /// order. Each input run is as long as `out_run` (the input's values there) or a 1-element
    /// slice (one value for the whole piece). `f` must be element-wise: a piece may span
    /// several rows.
    pub fn for_each_run(&self, inputs: [&[f32]; N], out: &mut [f32], f: impl FnMut([&[f32]; N], &mut [f32])) {
        self.walk(inputs, out.len(), &mut SliceSink(out), f);
    }

    /// As [`Plan::for_each_run`], appending the output to `out` (which has room for it) piece
    /// by piece: each piece is zeroed just before `f` writes it, while its lines are in cache,
    /// instead of a zero-filled output that costs a pass over memory of its own (a row
    /// broadcast of 1M values: the same again as reading the input).
    pub fn extend_runs(&self, inputs: [&[f32]; N], out: &mut Vec<f32>, f: impl FnMut([&[f32]; N], &mut [f32])) {
        let size = self.dims.iter().product();
        self.walk(inputs, size, &mut VecSink(out), f);
    }

    fn walk(&self, inputs: [&[f32]; N], size: usize, out: &mut impl Sink, mut f: impl FnMut([&[f32]; N], &mut [f32])) {
        let Some((&n, outer)) = self.dims.split_last() else {
            // Every dimension is 1: one element.
            f(inputs.map(|x| x.get(..1).unwrap_or(&[])), out.next(size));
            return;
        };
        if size == 0 {
            return;
        }
        if outer.len() == 1 && n < SHORT_RUN && outer[0] > 1 && self.blocked(inputs, size, out, &mut f) {
            return;
        }
        let r = outer.len();
        let runs_total = size / n;
        let len: [usize; N] = core::array::from_fn(|i| if self.strides[i][r] == 0 { 1 } else { n });
        if r == 1 {
            // Two dimensions (the common `[n,k] ⊕ [k]`, `[n,k] ⊕ [n,1]`): no odometer.
            let step: [usize; N] = core::array::from_fn(|i| self.strides[i][0]);
            for row in 0..runs_total {
                let runs: [&[f32]; N] = core::array::from_fn(|i| {
                    let at = row * step[i];
                    inputs[i].get(at..at + len[i]).unwrap_or(&[])
                });
                f(runs, out.next(n));
            }
            return;
        }
        let mut idx = vec![0usize; r];
        let mut off = [0usize; N];
        for _ in 0..runs_total {
            // `get` cannot fail for a plan built from the inputs' shapes; an empty run would
            // only leave zeros, never read out of bounds.
            let runs: [&[f32]; N] = core::array::from_fn(|i| inputs[i].get(off[i]..off[i] + len[i]).unwrap_or(&[]));
            f(runs, out.next(n));
            // Advance the outer index like an odometer.
            for d in (0..r).rev() {
                idx[d] += 1;
                for (o, s) in off.iter_mut().zip(&self.strides) {
                    *o += s[d];
                }
                if idx[d] < outer[d] {
                    break;
                }
                for (o, s) in off.iter_mut().zip(&self.strides) {
                    *o -= s[d] * idx[d];
                }
                idx[d] = 0;
            }
        }
    }

    /// The short-run walk of a 2-D plan `[m, n]` in blocks of `rows` rows. Returns false
    /// (having done nothing) if an input has an unexpected layout or a buffer cannot be had.
    fn blocked(&self, inputs: [&[f32]; N], size: usize, out: &mut impl Sink, f: &mut impl FnMut([&[f32]; N], &mut [f32])) -> bool {
        let (m, n) = (self.dims[0], self.dims[1]);
        let rows = (BLOCK / n).max(1);
        let block = rows * n;
        let mut sources: Vec<Source> = Vec::with_capacity(N);
        for (x, s) in inputs.iter().zip(&self.strides) {
            let source = match (s[0], s[1]) {
                (so, 1) if so == n => Source::Full,
                (0, 0) => Source::Single,
                (0, 1) => {
                    let Some(row) = x.get(..n) else { return false };
                    let Some(mut tile) = buffer(block) else { return false };
                    tile.chunks_exact_mut(n).for_each(|c| c.copy_from_slice(row));
                    Source::Tiled(tile)
                }
                // 4 spare values: rows are written 4 lanes at a time (see below).
                (step, 0) if n <= COLUMN_RUN => match buffer(block + 4) {
                    Some(buf) => Source::Column { step, buf },
                    None => return false,
                },
                _ => return false,
            };
            sources.push(source);
        }
        for b in 0..size.div_ceil(block) {
            let (r0, len) = (b * rows, block.min(size - b * block));
            for (src, x) in sources.iter_mut().zip(&inputs) {
                if let Source::Column { step, buf } = src {
                    // Row i is written as whole 4-lane splats over [i·n, i·n + w); the spill
                    // past i·n + n is overwritten by row i + 1 (or lands in the spare values).
                    // One 16-byte store per row for n ≤ 4, instead of an n-long fill.
                    let w = n.div_ceil(4) * 4;
                    let values = x.get(r0 * *step..).unwrap_or(&[]).iter().step_by(*step);
                    for (i, &v) in values.take(len / n).enumerate() {
                        if let Some(dst) = buf.get_mut(i * n..i * n + w) {
                            dst.as_chunks_mut::<4>().0.iter_mut().for_each(|q| *q = [v; 4]);
                        }
                    }
                }
            }
            let runs: [&[f32]; N] = core::array::from_fn(|i| match &sources[i] {
                Source::Full => inputs[i].get(r0 * n..r0 * n + len).unwrap_or(&[]),
                Source::Single => inputs[i].get(..1).unwrap_or(&[]),
                Source::Tiled(t) => &t[..len],
                Source::Column { buf, .. } => &buf[..len],
            });
            f(runs, out.next(len));
        }
        debug_assert_eq!(size, m * n);
        true
    }
}

/// Where a walk writes: the next `len` values of the output, in order.
trait Sink {
    fn next(&mut self, len: usize) -> &mut [f32];
}

/// An output slice, handed out front to back.
struct SliceSink<'a>(&'a mut [f32]);

impl Sink for SliceSink<'_> {
    fn next(&mut self, len: usize) -> &mut [f32] {
        let rest = core::mem::take(&mut self.0);
        let (piece, rest) = rest.split_at_mut(len.min(rest.len()));
        self.0 = rest;
        piece
    }
}

/// A vector the output is appended to, each piece zeroed as it is handed out.
struct VecSink<'a>(&'a mut Vec<f32>);

impl Sink for VecSink<'_> {
    fn next(&mut self, len: usize) -> &mut [f32] {
        let start = self.0.len();
        self.0.resize(start + len, 0.0);
        &mut self.0[start..]
    }
}


/// A zeroed scratch buffer, or `None` if memory is exhausted (the caller falls back).
fn buffer(n: usize) -> Option<Vec<f32>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).ok()?;
    v.resize(n, 0.0);
    Some(v)
}

/// Strides of `dims` aligned to `rank` trailing dimensions, 0 where the dimension broadcasts.
pub fn broadcast_strides(dims: &[usize], rank: usize) -> Vec<usize> {
    let mut s = vec![0; rank];
    let mut acc = 1;
    for (i, &d) in dims.iter().enumerate().rev() {
        let j = rank - (dims.len() - i);
        s[j] = if d == 1 { 0 } else { acc };
        acc *= d;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects `(input_runs, out_len)` per piece.
    fn pieces<const N: usize>(out: &[usize], ins: [&[usize]; N], data: [&[f32]; N]) -> Vec<f32> {
        let shape = Shape::from(out);
        let shapes = ins.map(Shape::from);
        let plan = Plan::new(&shape, core::array::from_fn(|i| &shapes[i]));
        let mut o = vec![f32::NAN; shape.size()];
        plan.for_each_run(data, &mut o, |runs, piece| {
            for (j, p) in piece.iter_mut().enumerate() {
                *p = runs.iter().map(|r| if r.len() == 1 { r[0] } else { r[j] }).sum();
            }
        });
        o
    }

    #[test]
    fn merges_dims() {
        let p = |o: &[usize], a: &[usize], b: &[usize]| Plan::new(&Shape::from(o), [&Shape::from(a), &Shape::from(b)]).dims().to_vec();
        assert_eq!(p(&[2, 3], &[2, 3], &[2, 3]), [6]);
        assert_eq!(p(&[2, 3], &[2, 3], &[]), [6]);
        assert_eq!(p(&[2, 3], &[2, 3], &[3]), [2, 3]);
        assert_eq!(p(&[2, 3], &[2, 3], &[2, 1]), [2, 3]);
        assert_eq!(p(&[4, 2, 3], &[4, 2, 3], &[1, 2, 3]), [4, 6]);
        assert_eq!(p(&[2, 1, 3, 1], &[2, 1, 3, 1], &[1, 1, 3, 1]), [2, 3]);
        assert_eq!(p(&[1, 1], &[1, 1], &[]), Vec::<usize>::new());
        assert_eq!(p(&[2, 3, 4], &[2, 1, 4], &[3, 1]), [2, 3, 4]);
    }

    /// Every layout the blocked walk handles, against an index-by-index reference, on row
    /// counts that end in a partial block.
    #[test]
    fn short_runs_match_the_reference() {
        for &(m, n) in &[(1usize, 3usize), (2, 3), (700, 3), (1025, 1), (5, 63), (300, 7)] {
            let a: Vec<f32> = (0..m * n).map(|i| i as f32).collect();
            let row: Vec<f32> = (0..n).map(|j| 1000.0 * (j + 1) as f32).collect();
            let col: Vec<f32> = (0..m).map(|i| -0.5 * i as f32).collect();
            let want = |f: &dyn Fn(usize, usize) -> f32| -> Vec<f32> { (0..m * n).map(|k| f(k / n, k % n)).collect() };
            let got = pieces(&[m, n], [&[m, n], &[n]], [&a, &row]);
            assert_eq!(got, want(&|i, j| a[i * n + j] + row[j]), "row m={m} n={n}");
            let got = pieces(&[m, n], [&[m, n], &[m, 1]], [&a, &col]);
            assert_eq!(got, want(&|i, j| a[i * n + j] + col[i]), "col m={m} n={n}");
            let got = pieces(&[m, n], [&[m, 1], &[1, n]], [&col, &row]);
            assert_eq!(got, want(&|i, j| col[i] + row[j]), "outer m={m} n={n}");
            let got = pieces(&[m, n], [&[m, 1], &[n], &[]], [&col, &row, &[7.0]]);
            assert_eq!(got, want(&|i, j| col[i] + row[j] + 7.0), "three m={m} n={n}");
        }
    }

    #[test]
    fn extend_runs_appends_what_for_each_run_writes() {
        // Long runs, short (blocked) runs with rows, columns and singles, 3-D (the odometer),
        // a scalar, an empty output.
        let cases: &[(&[usize], &[usize], &[usize])] = &[
            (&[40, 70], &[40, 70], &[70]),
            (&[40, 70], &[40, 1], &[40, 70]),
            (&[700, 3], &[700, 3], &[3]),
            (&[1025, 5], &[1025, 1], &[1]),
            (&[300, 7], &[300, 1], &[7]),
            (&[3, 4, 5], &[3, 1, 5], &[4, 1]),
            (&[], &[], &[]),
            (&[0, 4], &[0, 4], &[4]),
        ];
        for &(out, a, b) in cases {
            let (sa, sb, so) = (Shape::from(a), Shape::from(b), Shape::from(out));
            let da: Vec<f32> = (0..sa.size()).map(|i| i as f32 * 0.5).collect();
            let db: Vec<f32> = (0..sb.size()).map(|i| 100.0 - i as f32).collect();
            let plan = Plan::new(&so, [&sa, &sb]);
            let add = |[x, y]: [&[f32]; 2], o: &mut [f32]| {
                for (j, p) in o.iter_mut().enumerate() {
                    *p = (if x.len() == 1 { x[0] } else { x[j] }) + (if y.len() == 1 { y[0] } else { y[j] });
                }
            };
            let mut want = vec![f32::NAN; so.size()];
            plan.for_each_run([&da, &db], &mut want, add);
            let mut got = Vec::with_capacity(so.size());
            plan.extend_runs([&da, &db], &mut got, add);
            assert_eq!(got.len(), so.size(), "{out:?}");
            assert_eq!(got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "{out:?} = {a:?} + {b:?}");
        }
    }

    #[test]
    fn higher_rank_and_empty() {
        let a: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let got = pieces(&[2, 3, 2], [&[2, 1, 2], &[1, 3, 1]], [&a[..4], &a[..3]]);
        assert_eq!(got, [0., 1., 1., 2., 2., 3., 2., 3., 3., 4., 4., 5.]);
        assert!(pieces(&[0, 3], [&[0, 3], &[3]], [&[], &[1., 2., 3.]]).is_empty());
        assert_eq!(pieces(&[], [&[], &[]], [&[2.0], &[3.0]]), [5.0]);
    }
}
