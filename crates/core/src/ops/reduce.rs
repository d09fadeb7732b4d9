//! Reductions over any set of axes: `sum mean max min prod variance argMax argMin`.
//!
//! When the reduced axes are adjacent the input is viewed as `[outer, r, inner]` (`r` the
//! product of the reduced dimensions) and reduced in place: rows when `inner == 1` (rows
//! shorter than 16 four at a time on SIMD lanes, `kernels::reduce_rows`, with the bits of the
//! row-by-row kernels), else row by row into `inner` accumulators (for `inner` below 16,
//! `kernels::reduce_columns`: the sums' leaves four at a time side by side for rows of 2–4
//! values, max/min in blocks of whole rows; the same bits). Other axis sets are moved last first (one transpose).
//! With `keep_dims` the reduced axes stay as size-1 dimensions.
//!
//! ```text
//! sum   = Σ x          (16-lane order along a row, in order down leading axes: deterministic)
//! mean  = sum / r      variance = (Σ d² − (Σ d)²/r) / r, d = x − mean   (two passes, population
//!                      variance; the second term corrects for the rounding of the mean)
//! prod  = Π x          (left to right in f64, rounded once, as TF.js's cpu kernel)
//! max/min: NaN wins, +0 > −0;  argMax/argMin: first index of the extreme, first NaN wins
//! Empty axes: sum 0, prod 1, mean/variance NaN; max/min/argMax/argMin are errors.
//! ```
//!
//! # Shapes
//! `x: [d0, ..., dn-1]`, `axes ⊆ 0..n` (negative counts from the end) → `x` without those axes.
//! `argMax`/`argMin` take exactly one axis and return indices as floats.

use super::transpose::permute;
use crate::kernels::reduce as k;
use crate::kernels::reduce_columns as kc;
use crate::kernels::reduce_rows::{self as kr, corrected_variance};
use crate::tensor::alloc;
use crate::{bail, Result, Shape, Tensor};

/// Every reduction. The discriminant is the ABI id: append-only.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    Sum = 0,
    Mean = 1,
    Max = 2,
    Min = 3,
    Prod = 4,
    ArgMax = 5,
    ArgMin = 6,
    /// Population variance (divides by `r`), as TF.js `moments`.
    Variance = 7,
}

impl ReduceOp {
    pub const ALL: [ReduceOp; 8] = [
        ReduceOp::Sum,
        ReduceOp::Mean,
        ReduceOp::Max,
        ReduceOp::Min,
        ReduceOp::Prod,
        ReduceOp::ArgMax,
        ReduceOp::ArgMin,
        ReduceOp::Variance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Mean => "mean",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
            ReduceOp::Prod => "prod",
            ReduceOp::ArgMax => "argMax",
            ReduceOp::ArgMin => "argMin",
            ReduceOp::Variance => "variance",
        }
    }

    pub fn from_id(id: u32) -> Option<ReduceOp> {
        ReduceOp::ALL.get(id as usize).copied()
    }

    fn has_identity(self) -> bool {
        matches!(self, ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean | ReduceOp::Variance)
    }

    fn is_arg(self) -> bool {
        matches!(self, ReduceOp::ArgMax | ReduceOp::ArgMin)
    }

    /// Reduces one contiguous, non-empty row.
    fn row(self, v: &[f32]) -> f32 {
        let n = v.len() as f32;
        let r = match self {
            ReduceOp::Sum => k::sum(v),
            ReduceOp::Mean => k::sum(v) / n,
            ReduceOp::Prod => k::prod(v),
            ReduceOp::Max => k::max(v),
            ReduceOp::Min => k::min(v),
            ReduceOp::ArgMax => k::arg_max(v) as f32,
            ReduceOp::ArgMin => k::arg_min(v) as f32,
            ReduceOp::Variance => {
                let m = k::sum(v) / n;
                corrected_variance(k::sum_sq_dev(v, m), k::sum_dev(v, m), n)
            }
        };
        if r.is_finite() { r } else { self.wide(v.iter().copied()).unwrap_or(r) }
    }

    /// Reduces the rows of `r` values of `block` (`r` below [`kr::SHORT_ROW`]) into `out`,
    /// several rows at a time (SIMD lanes across rows): the bits of [`ReduceOp::row`] on each.
    fn short_rows(self, block: &[f32], r: usize, out: &mut [f32]) {
        match self {
            ReduceOp::Sum => kr::rows_sum(block, r, out),
            ReduceOp::Mean => {
                kr::rows_sum(block, r, out);
                let n = r as f32;
                out.iter_mut().for_each(|o| *o /= n);
            }
            ReduceOp::Max => kr::rows_max(block, r, out),
            ReduceOp::Min => kr::rows_min(block, r, out),
            ReduceOp::ArgMax => kr::rows_arg_max(block, r, out),
            ReduceOp::ArgMin => kr::rows_arg_min(block, r, out),
            ReduceOp::Variance => kr::rows_variance(block, r, out),
            ReduceOp::Prod => {
                out.iter_mut().zip(block.chunks_exact(r)).for_each(|(o, row)| *o = k::prod(row));
                return;
            }
        }
        // One branch-free pass (SIMD) finds whether any result needs the f64 redo.
        if matches!(self, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Variance) && out.iter().fold(false, |a, o| a | !o.is_finite()) {
            for (o, row) in out.iter_mut().zip(block.chunks_exact(r)) {
                if !o.is_finite() {
                    *o = self.wide(row.iter().copied()).unwrap_or(*o);
                }
            }
        }
    }

    /// Sum, mean or variance in f64, for a result that came out ±∞ or NaN in f32 although
    /// every value is finite: a partial sum went past f32's range (`3e38 + 3e38 − 3e38`, or the
    /// mean of values near f32's maximum), where the true result may well fit. Rounded once to
    /// f32 (±∞ if it does not fit). `None` for the other ops or when a value is not finite (the
    /// f32 result stands), so results that fit in every partial sum keep their bits.
    fn wide(self, v: impl Iterator<Item = f32> + Clone) -> Option<f32> {
        if !matches!(self, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Variance) {
            return None;
        }
        let (mut sum, mut n) = (0.0f64, 0usize);
        for x in v.clone() {
            if !x.is_finite() {
                return None;
            }
            sum += f64::from(x);
            n += 1;
        }
        let mean = sum / n as f64;
        Some(match self {
            ReduceOp::Sum => sum as f32,
            ReduceOp::Mean => mean as f32,
            _ => (v.map(|x| (f64::from(x) - mean).powi(2)).sum::<f64>() / n as f64) as f32,
        })
    }

    /// Reduces `r` rows of `out.len()` values (`block` is `r · out.len()` values, row-major)
    /// column by column into `out`. `mean` is scratch of `2·out.len()` values for the variance
    /// (the means and the sums of deviations) and of `out.len()` for argMax/argMin (each
    /// column's best value so far); `sums` is scratch for [`pairwise`] (see
    /// [`pairwise_scratch`]).
    fn columns(self, block: &[f32], r: usize, out: &mut [f32], mean: &mut [f32], sums: &mut [f32]) {
        let inner = out.len();
        let mut rows = block.chunks_exact(inner);
        let Some(first) = rows.next() else { return };
        let n = r as f32;
        match self {
            ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Variance => {
                pairwise(block, r, out, sums, Leaf::Sum);
                if self != ReduceOp::Sum {
                    out.iter_mut().for_each(|o| *o /= n);
                }
                if self == ReduceOp::Variance {
                    let (mean, dev) = mean.split_at_mut(inner);
                    mean.copy_from_slice(out);
                    let mean: &[f32] = mean;
                    pairwise(block, r, dev, sums, Leaf::Dev(mean));
                    pairwise(block, r, out, sums, Leaf::SqDev(mean));
                    out.iter_mut().zip(dev.iter()).for_each(|(o, &d)| *o = corrected_variance(*o, d, n));
                }
            }
            ReduceOp::Prod => k::column_prod(block, out),
            ReduceOp::Max | ReduceOp::Min if inner < kc::SHORT_INNER => kc::column_extreme(block, out, self == ReduceOp::Max),
            ReduceOp::Max | ReduceOp::Min => {
                let f: fn(&mut [f32], &[f32]) = if self == ReduceOp::Max { k::acc_max } else { k::acc_min };
                out.copy_from_slice(first);
                rows.for_each(|row| f(out, row));
            }
            ReduceOp::ArgMax | ReduceOp::ArgMin => {
                // `kernels::reduce::arg_max`'s rule per column: the first best value, and the
                // first NaN wins (a column whose best is NaN takes nothing more).
                let max = self == ReduceOp::ArgMax;
                mean.copy_from_slice(first);
                out.fill(0.0);
                // Columns in blocks whose best values and indices stay in cache across the rows.
                const BLOCK: usize = 1024;
                for c in (0..inner).step_by(BLOCK) {
                    let end = (c + BLOCK).min(inner);
                    for (i, row) in block.chunks_exact(inner).enumerate().skip(1) {
                        let at = i as f32;
                        // Branch-free (selects), so the loop runs on SIMD lanes.
                        for ((o, b), &x) in out[c..end].iter_mut().zip(mean[c..end].iter_mut()).zip(&row[c..end]) {
                            let better = if max { x > *b } else { x < *b };
                            let take = !b.is_nan() & (x.is_nan() | better);
                            *b = if take { x } else { *b };
                            *o = if take { at } else { *o };
                        }
                    }
                }
            }
        }
    }
}

/// What a leaf of [`pairwise`] sums, column by column, over its rows in order.
#[derive(Clone, Copy)]
enum Leaf<'a> {
    /// The values: the first row, then each next one added.
    Sum,
    /// `x − m[j]`, from 0 (the variance's correction term).
    Dev(&'a [f32]),
    /// `(x − m[j])²`, from 0.
    SqDev(&'a [f32]),
}

impl Leaf<'_> {
    /// The column sums of the rows of `leaf` into `o` (rows of `o.len()` values).
    fn fold(self, o: &mut [f32], leaf: &[f32]) {
        let mut rows = leaf.chunks_exact(o.len());
        match self {
            Leaf::Sum => {
                if let Some(first) = rows.next() {
                    o.copy_from_slice(first);
                }
                rows.for_each(|row| k::acc_add(o, row));
            }
            Leaf::Dev(m) => {
                o.fill(0.0);
                rows.for_each(|row| k::acc_dev(o, row, m));
            }
            Leaf::SqDev(m) => {
                o.fill(0.0);
                rows.for_each(|row| k::acc_sq_dev(o, row, m));
            }
        }
    }

    /// The subtree of [`pairwise`] over the `r ≤ 4·LEAF` rows of `block` (rows of `out.len() <
    /// SHORT_INNER` values): its (up to four) leaves side by side (`kernels::reduce_columns`, for
    /// rows it chains; else each leaf with [`Leaf::fold`]),
    /// then joined as `pairwise` joins them. The same bits as `pairwise` with [`Leaf::fold`].
    fn short(self, block: &[f32], r: usize, out: &mut [f32]) {
        fn collect(at: usize, r: usize, leaves: &mut [(usize, usize); 4], count: &mut usize) {
            if r <= LEAF {
                leaves[*count] = (at, r);
                *count += 1;
            } else {
                collect(at, r / 2, leaves, count);
                collect(at + r / 2, r - r / 2, leaves, count);
            }
        }
        fn join(r: usize, sums: &[[f32; kc::SHORT_INNER]; 4], next: &mut usize, out: &mut [f32]) {
            if r <= LEAF {
                out.copy_from_slice(&sums[*next][..out.len()]);
                *next += 1;
                return;
            }
            join(r / 2, sums, next, out);
            let mut tmp = [0f32; kc::SHORT_INNER];
            let tmp = &mut tmp[..out.len()];
            join(r - r / 2, sums, next, tmp);
            out.iter_mut().zip(tmp.iter()).for_each(|(o, &t)| *o += t);
        }
        let inner = out.len();
        let (mut leaves, mut count) = ([(0, 0); 4], 0);
        collect(0, r, &mut leaves, &mut count);
        let mut sums = [[0f32; kc::SHORT_INNER]; 4];
        let leaves = &leaves[..count];
        let done = match self {
            Leaf::Sum => kc::leaf_sums(block, inner, leaves, true, &[0.0; kc::SHORT_INNER], false, &mut sums),
            Leaf::Dev(m) => kc::leaf_sums(block, inner, leaves, false, m, false, &mut sums),
            Leaf::SqDev(m) => kc::leaf_sums(block, inner, leaves, false, m, true, &mut sums),
        };
        if !done {
            for (s, &(at, len)) in sums.iter_mut().zip(leaves) {
                self.fold(&mut s[..inner], &block[at * inner..(at + len) * inner]);
            }
        }
        join(r, &sums, &mut 0, out);
    }
}

/// Rows a leaf of [`pairwise`] adds one after another (the same bits as a plain row-by-row sum
/// up to this many rows, as a training batch's).
const LEAF: usize = 32;

/// The column sums of the `r` rows of `block` (rows of `out.len()` values) into `out`, each leaf
/// of at most [`LEAF`] rows summed by `leaf` (into a slice it overwrites), the leaves' sums added
/// pairwise (halves, recursively): the rounding error grows with `log r`, not `r` (a plain sum
/// of 2,000,000 rows of 0.1 was 1.5 % off in float32). `scratch` holds one row per level
/// ([`pairwise_scratch`]). A fixed order, whatever the thread count. Rows of 2 to 4 values
/// take their subtrees of up to four leaves at once ([`Leaf::short`]).
fn pairwise(block: &[f32], r: usize, out: &mut [f32], scratch: &mut [f32], leaf: Leaf) {
    let inner = out.len();
    if kc::chained(inner) && r <= 4 * LEAF {
        leaf.short(block, r, out);
        return;
    }
    if r <= LEAF || scratch.len() < inner {
        leaf.fold(out, &block[..r * inner]);
        return;
    }
    let left = r / 2;
    let (tmp, deeper) = scratch.split_at_mut(inner);
    pairwise(&block[..left * inner], left, out, deeper, leaf);
    pairwise(&block[left * inner..r * inner], r - left, tmp, deeper, leaf);
    k::acc_add(out, tmp);
}

/// The scratch [`pairwise`] needs for `r` rows of `inner` values: one row per halving level.
fn pairwise_scratch(r: usize, inner: usize) -> usize {
    let (mut levels, mut n) = (0, r);
    while n > LEAF {
        n = n.div_ceil(2);
        levels += 1;
    }
    levels * inner
}

/// `Σ v` in the fixed 16-lane order of `kernels::reduce` (kept here for existing callers).
pub fn sum(v: &[f32]) -> f32 {
    k::sum(v)
}

/// Formats axes like shapes: `[1,-1]`.
fn fmt_axes(axes: &[i64]) -> String {
    let list: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
    format!("[{}]", list.join(","))
}

/// Reduces `x` over `axes` (each in `-rank..rank`, no repeats).
///
/// When the reduced axes are adjacent, `x` is viewed as `[outer, r, inner]` and reduced in
/// place: rows (`inner == 1`) with the row kernels, otherwise column-wise with the row
/// accumulators (argMax/argMin keeping each column's best), so `sum(x, 0)` and `argMax(x, 0)`
/// of a `[n, k]` matrix need no transpose. Other axis sets move the reduced axes last first.
#[inline(never)]
pub fn reduce(op: ReduceOp, x: &Tensor, axes: &[i64], keep_dims: bool) -> Result<Tensor> {
    let name = op.name();
    let rank = x.rank();
    let mut reduced = vec![false; rank];
    for &a in axes {
        let ax = x.shape().axis(name, a)?;
        if reduced[ax] {
            bail!(name, "axis {a} is listed twice in axes {}", fmt_axes(axes));
        }
        reduced[ax] = true;
    }
    if op.is_arg() && axes.len() != 1 && rank > 0 {
        bail!(name, "takes exactly one axis, got {}", fmt_axes(axes));
    }
    let dims = x.dims();
    let r: usize = (0..rank).filter(|&i| reduced[i]).map(|i| dims[i]).product();
    if r == 0 && !op.has_identity() {
        bail!(name, "cannot reduce over an empty axis: x has shape {} and axes {}", x.shape(), fmt_axes(axes));
    }
    let out_dims: Vec<usize> = (0..rank)
        .filter_map(|i| match (reduced[i], keep_dims) {
            (false, _) => Some(dims[i]),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    let mut out = Tensor::zeros(name, Shape::from(out_dims))?;
    if out.size() == 0 {
        return Ok(out);
    }
    if r == 0 {
        let fill = match op {
            ReduceOp::Sum => 0.0,
            ReduceOp::Prod => 1.0,
            _ => f32::NAN,
        };
        out.data_mut().fill(fill);
        return Ok(out);
    }
    // The reduced axes, ignoring size-1 ones (they change nothing), as a span lo..hi.
    let live: Vec<usize> = (0..rank).filter(|&i| reduced[i] && dims[i] != 1).collect();
    let (lo, hi) = (live.first().copied().unwrap_or(rank), live.last().map_or(rank, |&h| h + 1));
    let adjacent = (lo..hi).all(|i| reduced[i] || dims[i] == 1);
    let inner: usize = dims[hi..].iter().product();
    if adjacent {
        reduce_view(op, x.data(), r, inner, out.data_mut())?;
        return Ok(out);
    }
    // Move the reduced axes last (stable order), then reduce rows.
    let perm: Vec<usize> = (0..rank).filter(|&i| !reduced[i]).chain((0..rank).filter(|&i| reduced[i])).collect();
    let moved = permute(name, x, &perm)?;
    reduce_view(op, moved.data(), r, 1, out.data_mut())?;
    Ok(out)
}

/// Reduces `src` viewed as `[outer, r, inner]` over the middle axis into `out` (`outer·inner`).
fn reduce_view(op: ReduceOp, src: &[f32], r: usize, inner: usize, out: &mut [f32]) -> Result<()> {
    if inner == 1 {
        // Rows are reduced alone, so many short rows go to the thread pool in groups of
        // about CHUNK elements (a long row is chunked inside the kernel instead).
        let rows = (k::CHUNK / r.max(1)).max(1);
        crate::parallel::for_each_chunk_mut(out, rows, src.len(), |i, o| {
            let block = &src[i * rows * r..][..o.len() * r];
            if r < kr::SHORT_ROW {
                op.short_rows(block, r, o);
                return;
            }
            for (o, row) in o.iter_mut().zip(block.chunks_exact(r)) {
                *o = op.row(row);
            }
        });
        return Ok(());
    }
    let mut mean = match op {
        ReduceOp::Variance => alloc(op.name(), 2 * inner)?,
        _ if op.is_arg() => alloc(op.name(), inner)?,
        _ => Vec::new(),
    };
    let mut sums = if matches!(op, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Variance) { alloc(op.name(), pairwise_scratch(r, inner))? } else { Vec::new() };
    for (o, block) in out.chunks_exact_mut(inner).zip(src.chunks_exact(r * inner)) {
        op.columns(block, r, o, &mut mean, &mut sums);
        for (j, v) in o.iter_mut().enumerate() {
            if !v.is_finite() {
                *v = op.wide(block.iter().skip(j).step_by(inner).copied()).unwrap_or(*v);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Partial sums past f32's range: the finite result is computed, not ±∞ or NaN.
    #[test]
    fn sums_whose_partial_sums_overflow() {
        let v = vec![3e38f32, 3e38, -3e38, 1e30, -3e38, 3e38];
        let t = Tensor::new("t", [6].into(), v.clone()).unwrap();
        let want_sum = v.iter().map(|&x| f64::from(x)).sum::<f64>();
        assert_eq!(reduce(ReduceOp::Sum, &t, &[0], false).unwrap().data()[0], want_sum as f32);
        assert_eq!(reduce(ReduceOp::Mean, &t, &[0], false).unwrap().data()[0], (want_sum / 6.0) as f32);
        let m = want_sum / 6.0;
        let var = v.iter().map(|&x| (f64::from(x) - m).powi(2)).sum::<f64>() / 6.0;
        assert_eq!(reduce(ReduceOp::Variance, &t, &[0], false).unwrap().data()[0], var as f32); // ∞: it does not fit
        // Columns ([6, 2] over axis 0) too; a true overflow stays ∞, and ∞ or NaN inputs stand.
        let cols = Tensor::new("t", [3, 2].into(), vec![3e38, 3e38, 3e38, 3e38, -3e38, f32::INFINITY]).unwrap();
        let s = reduce(ReduceOp::Mean, &cols, &[0], false).unwrap();
        assert_eq!(s.data(), &[1e38, f32::INFINITY]);
        let s = reduce(ReduceOp::Sum, &cols, &[0], false).unwrap();
        assert_eq!(s.data(), &[3e38, f32::INFINITY]);
        let big = Tensor::new("t", [2].into(), vec![3e38, 3e38]).unwrap();
        assert_eq!(reduce(ReduceOp::Sum, &big, &[0], false).unwrap().data()[0], f32::INFINITY);
        assert_eq!(reduce(ReduceOp::Mean, &big, &[0], false).unwrap().data()[0], 3e38);
    }

    fn x() -> Tensor {
        Tensor::new("t", [2, 3].into(), vec![1., 5., 3., 4., 2., 6.]).unwrap()
    }

    #[test]
    fn axes_and_keep_dims() {
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[0, 1], false).unwrap().data(), &[21.]);
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[0], false).unwrap().data(), &[5., 7., 9.]);
        let m = reduce(ReduceOp::Max, &x(), &[-1], true).unwrap();
        assert_eq!((m.dims(), m.data()), (&[2usize, 1][..], &[5f32, 6.][..]));
        assert_eq!(reduce(ReduceOp::ArgMax, &x(), &[1], false).unwrap().data(), &[1., 2.]);
        assert_eq!(reduce(ReduceOp::ArgMin, &x(), &[0], false).unwrap().data(), &[0., 1., 0.]);
        assert_eq!(reduce(ReduceOp::Prod, &x(), &[1], false).unwrap().data(), &[15., 48.]);
        let v = reduce(ReduceOp::Variance, &x(), &[0], false).unwrap();
        assert_eq!(v.data(), &[2.25, 2.25, 2.25]);
        assert_eq!(reduce(ReduceOp::Sum, &x(), &[], false).unwrap(), x());
    }

    #[test]
    fn column_sums_of_many_rows_keep_float32_accuracy() {
        // 300,000 rows of [0.1, 1/3, −7.7]: a plain row-by-row f32 sum drifts by ~1e-4
        // relative (1.5 % at 2,000,000 rows); pairwise over leaves of 32 rows stays ~1e-7.
        let (n, vals) = (300_000, [0.1f32, 1.0 / 3.0, -7.7]);
        let t = Tensor::new("t", [n, 3].into(), (0..n).flat_map(|_| vals).collect()).unwrap();
        for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Variance] {
            let got = reduce(op, &t, &[0], false).unwrap();
            for (j, &v) in vals.iter().enumerate() {
                let want = match op {
                    ReduceOp::Sum => f64::from(v) * n as f64,
                    ReduceOp::Mean => f64::from(v),
                    _ => 0.0,
                };
                let g = f64::from(got.data()[j]);
                assert!((g - want).abs() <= 1e-6 * want.abs().max(1e-3), "{op:?} column {j}: {g} vs {want}");
            }
        }
        // Up to one leaf (a training batch's 32 rows) the bits of a plain row-by-row sum.
        let small = Tensor::new("s", [32, 2].into(), (0..64).map(|i| (i as f32 * 0.37).sin()).collect()).unwrap();
        let mut want = [0.0f32; 2];
        for row in small.data().chunks(2) {
            want[0] += row[0];
            want[1] += row[1];
        }
        assert_eq!(reduce(ReduceOp::Sum, &small, &[0], false).unwrap().data(), &want);
    }

    /// Short rows take their subtrees of up to four leaves at once (`Leaf::short`): the bits of
    /// the row-by-row leaves (`Leaf::fold` down the whole tree, as before), at row counts around
    /// the leaves and the four-leaf nodes, with NaN, ±0, ±∞, huge and subnormal values.
    #[test]
    fn short_rows_down_a_leading_axis_keep_the_bits_of_the_row_by_row_leaves() {
        fn by_rows(block: &[f32], r: usize, out: &mut [f32], leaf: Leaf) {
            if r <= LEAF {
                return leaf.fold(out, &block[..r * out.len()]);
            }
            let (inner, left) = (out.len(), r / 2);
            let mut tmp = vec![0.0; inner];
            by_rows(block, left, out, leaf);
            by_rows(&block[left * inner..], r - left, &mut tmp, leaf);
            k::acc_add(out, &tmp);
        }
        let odd = [f32::NAN, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 3e38, -3e38, 1e-40, -1e-45];
        for inner in 2..kc::SHORT_INNER {
            for r in [1usize, 2, 31, 32, 33, 64, 65, 66, 67, 100, 128, 129, 130, 131, 257, 1000, 4099] {
                for special in [false, true] {
                    let v: Vec<f32> = (0..r * inner).map(|i| if special && i % 13 == 5 { odd[i / 13 % odd.len()] } else { (i as f32 * 0.377).sin() * 7.0 }).collect();
                    let mean: Vec<f32> = (0..inner).map(|j| j as f32 * 0.25 - 1.0).collect();
                    for leaf in [Leaf::Sum, Leaf::Dev(&mean), Leaf::SqDev(&mean)] {
                        let (mut got, mut want) = (vec![0.0; inner], vec![0.0; inner]);
                        let mut scratch = vec![0.0; pairwise_scratch(r, inner)];
                        pairwise(&v, r, &mut got, &mut scratch, leaf);
                        by_rows(&v, r, &mut want, leaf);
                        let bits = |x: &[f32]| x.iter().map(|v| if v.is_nan() { u32::MAX } else { v.to_bits() }).collect::<Vec<_>>();
                        assert_eq!(bits(&got), bits(&want), "inner={inner} r={r} special={special}");
                    }
                }
            }
        }
    }

    #[test]
    fn leading_middle_and_split_axes_agree_with_a_transpose() {
        let v: Vec<f32> = (0..60).map(|i| ((i * 37) % 23) as f32 - 11.0).collect();
        let t = Tensor::new("t", [3, 4, 5].into(), v).unwrap();
        for op in ReduceOp::ALL {
            for axes in [&[0i64][..], &[1], &[0, 1], &[1, 2], &[0, 2], &[-3, -1]] {
                if matches!(op, ReduceOp::ArgMax | ReduceOp::ArgMin) && axes.len() != 1 {
                    continue;
                }
                let got = reduce(op, &t, axes, true).unwrap();
                // Reference: move the reduced axes last, reduce rows one by one.
                let red: Vec<usize> = axes.iter().map(|&a| t.shape().axis("t", a).unwrap()).collect();
                let perm: Vec<usize> = (0..3).filter(|i| !red.contains(i)).chain(red.iter().copied()).collect();
                let moved = permute("t", &t, &perm).unwrap();
                let r: usize = red.iter().map(|&a| t.dims()[a]).product();
                let want: Vec<f32> = moved.data().chunks(r).map(|row| op.row(row)).collect();
                for (g, w) in got.data().iter().zip(&want) {
                    assert!((g - w).abs() <= 1e-5 * (1.0 + w.abs()), "{op:?} {axes:?}: {g} vs {w}");
                }
            }
        }
    }

    #[test]
    fn arg_over_a_leading_axis_is_the_row_rule_per_column_with_ties_and_nans() {
        // Columns with ties, a NaN first, a NaN after the best, ±Infinity and all-equal values.
        let n = f32::NAN;
        let v = vec![
            1., n, 3., -1., 7., 2., f32::NEG_INFINITY, //
            4., 2., n, -1., 7., 2., f32::NEG_INFINITY, //
            4., 9., 3., -5., 8., n, f32::NEG_INFINITY, //
            0., 9., 9., 6., 8., 2., f32::INFINITY,
        ];
        let t = Tensor::new("t", [4, 7].into(), v).unwrap();
        let moved = permute("t", &t, &[1, 0]).unwrap();
        for op in [ReduceOp::ArgMax, ReduceOp::ArgMin] {
            let got = reduce(op, &t, &[0], false).unwrap();
            let want: Vec<f32> = moved.data().chunks(4).map(|col| op.row(col)).collect();
            assert_eq!(got.data(), &want[..], "{op:?}");
        }
        assert_eq!(reduce(ReduceOp::ArgMax, &t, &[0], false).unwrap().data(), &[1., 0., 1., 3., 2., 2., 3.]);
    }

    /// The variance where the spread is near f32's resolution of the mean (whose f32 rounding
    /// is one ulp, 1e-3, off): within 1e-4 of the f64 two-pass value, by rows and by columns
    /// (it was 25 % high before the correction term).
    #[test]
    fn variance_of_a_spread_near_the_resolution_of_the_mean() {
        for (n, base, step) in [(1000usize, 1e4f32, 1e-3f32), (777, 3e5, 0.03125), (5, 1e4, 1e-3), (40_000, 1e4, 1e-3)] {
            let v: Vec<f32> = (0..n).map(|i| base + (i % 7) as f32 * step).collect();
            let m = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
            let want = v.iter().map(|&x| (f64::from(x) - m).powi(2)).sum::<f64>() / n as f64;
            let row = Tensor::new("t", [n].into(), v.clone()).unwrap();
            let col = Tensor::new("t", [n, 3].into(), v.iter().flat_map(|&x| [x, x, 1.0]).collect()).unwrap();
            let got = [reduce(ReduceOp::Variance, &row, &[0], false).unwrap().data()[0], reduce(ReduceOp::Variance, &col, &[0], false).unwrap().data()[1]];
            for g in got {
                assert!((f64::from(g) / want - 1.0).abs() < 1e-4, "n={n} base={base}: {g} vs {want}");
            }
            assert_eq!(reduce(ReduceOp::Variance, &col, &[0], false).unwrap().data()[2], 0.0);
        }
    }

    /// Products whose partial products leave f32's range are computed in f64 (TF.js's values),
    /// by rows and by columns.
    #[test]
    fn prod_does_not_overflow_in_partial_products() {
        let v = [1e30f32, 1e30, 1e-30, 1e-30, 1e-30, 1e30];
        let row = Tensor::new("t", [2, 3].into(), v.to_vec()).unwrap();
        assert_eq!(reduce(ReduceOp::Prod, &row, &[1], false).unwrap().data(), &[1e30, 1e-30]);
        let col = Tensor::new("t", [3, 2].into(), vec![1e30, 1e-30, 1e30, 1e-30, 1e-30, 1e30]).unwrap();
        assert_eq!(reduce(ReduceOp::Prod, &col, &[0], false).unwrap().data(), &[1e30, 1e-30]);
        let all = Tensor::new("t", [4].into(), vec![1e-30, 1e-30, 1e30, 1e30]).unwrap();
        assert_eq!(reduce(ReduceOp::Prod, &all, &[0], false).unwrap().data(), &[1.0]);
    }

    #[test]
    fn empty_and_bad_axes() {
        let e = Tensor::zeros("t", [0, 3].into()).unwrap();
        assert_eq!(reduce(ReduceOp::Sum, &e, &[0], false).unwrap().data(), &[0., 0., 0.]);
        assert!(reduce(ReduceOp::Max, &e, &[0], false).is_err());
        assert!(reduce(ReduceOp::Sum, &x(), &[2], false).is_err());
        assert!(reduce(ReduceOp::Sum, &x(), &[1, -1], false).is_err());
        let e = reduce(ReduceOp::ArgMax, &x(), &[0, 1], false).unwrap_err();
        assert_eq!(e.to_string(), "argMax: takes exactly one axis, got [0,1]");
        let e = reduce(ReduceOp::Mean, &x(), &[1, -1], false).unwrap_err();
        assert_eq!(e.to_string(), "mean: axis -1 is listed twice in axes [1,-1]");
    }
}
