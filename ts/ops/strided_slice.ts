/**
 * `stridedSlice`: NumPy-style `x[b0:e0:s0, …]` with TF's masks (TF.js `stridedSlice`).
 *
 * The arguments are first resolved, as TF does (`sliceInfo` in TF.js's `slice_util`, TF's
 * `ValidateStridedSliceOp`), into one `(begin, size, stride)` per axis of `x` and the result
 * shape (new axes in, shrunk axes out). The values are then taken with differentiable ops: one
 * `slice` of the box that holds every picked index, a `reverse` of the axes walked backwards,
 * a `gather` along each axis with a step other than ±1, and a `reshape`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { describe, EXACT_INT, intArg, intList, show, withTensors, type TensorLike } from './convert.js';
import { concat } from './joining.js';
import { reshape } from './shape.js';
import { gather, reverse, slice } from './slicing.js';

/** Marks, in the list of result axes, an axis the new-axis mask adds. */
const NEW_AXIS = -2;
/** Marks an axis the shrink mask removes. */
const SHRINK_AXIS = -1;

/** One axis of `x` resolved: the first index, how many are taken, and the step. */
interface AxisSlice {
  begin: number;
  size: number;
  stride: number;
}

/**
 * Extracts a strided slice of `x`, as TF.js `stridedSlice(x, begin, end, strides, beginMask,
 * endMask, ellipsisMask, newAxisMask, shrinkAxisMask)`.
 *
 * Entry `i` of `begin`, `end` and `strides` (default all 1) describes one axis: the indices
 * `begin[i], begin[i] + strides[i], …` up to `end[i]` (excluded), as Python's
 * `x[begin:end:stride]`. Negative `begin`/`end` count from the end of the axis; values past an
 * end are clamped to it; a negative stride walks backwards. Bit `i` of a mask applies to entry
 * `i`:
 * - `beginMask` / `endMask`: ignore `begin[i]` / `end[i]` and start / stop at the end of the
 *   axis the stride starts / stops at (`x[:e]`, `x[b:]`, `x[::-1]`);
 * - `ellipsisMask` (at most one bit): entry `i` stands for as many full axes as needed (`x[…]`);
 *   without one, the axes after the last entry are taken whole;
 * - `newAxisMask`: entry `i` inserts an axis of size 1 (`x[np.newaxis]`);
 * - `shrinkAxisMask`: take the single index `begin[i]` and drop the axis (`x[3]`).
 *
 * Differentiable: the gradient puts `dy` back at the picked positions of a zero tensor of `x`'s
 * shape (TF.js 4.22 has no gradient for `stridedSlice`).
 *
 * Differences from TF.js 4.22, which gets these cases wrong: a shrunk axis combined with a
 * step other than 1 on another axis (TF.js's cpu kernel reads the wrong values or throws
 * `Requested out of range element`: `stridedSlice(x [3, 4], [1, 0], [2, 4], [1, 2], 0, 0, 0,
 * 0, 1)` gives `x[0, 1], x[0, 2]` there instead of `x[1, 0], x[1, 2]`), and an empty range with
 * stride 1 (`begin` after `end`: TF.js throws; here the axis is empty, as in TF and NumPy).
 * `begin`, `end` and `strides` must have the same length (TF.js reads missing entries as
 * undefined and gives NaN shapes). A null mask is 0, as TF.js reads it.
 *
 * @example stridedSlice(tensor([0, 1, 2, 3, 4, 5]), [1], [5], [2])       // [1, 3]
 * @example stridedSlice(tensor([0, 1, 2, 3, 4, 5]), [0], [0], [-1], 1, 1)  // [5, 4, 3, 2, 1, 0]
 * @example stridedSlice(tensor([[1, 2], [3, 4]]), [1], [2], [1], 0, 0, 0, 0, 1)  // [3, 4]
 * @throws {@link InvalidArgumentError} when `begin`, `end` or `strides` is not an array of
 *   integers, their lengths differ, a stride is 0, a mask is not a non-negative integer, more
 *   than one ellipsis bit is set, the entries name more axes than `x` has, a shrunk axis has a
 *   negative stride or its `begin` is out of range, or the result would have more than 32 axes.
 */
export function stridedSlice(
  x: TensorLike, begin: readonly number[], end: readonly number[], strides?: readonly number[] | null,
  beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0,
): Tensor {
  const op = 'stridedSlice';
  return withTensors(op, { x }, (t) => {
    const b = listArg(op, 'begin', begin);
    const e = listArg(op, 'end', end);
    const s = strides === undefined || strides === null ? b.map(() => 1) : listArg(op, 'strides', strides);
    if (e.length !== b.length || s.length !== b.length) {
      throw new InvalidArgumentError(`${op}: begin, end and strides must have the same length, got ${b.length}, ${e.length} and ${s.length} (begin ${show(begin)}, end ${show(end)}, strides ${show(strides)})`);
    }
    const masks = {
      begin: bits(op, 'beginMask', beginMask),
      end: bits(op, 'endMask', endMask),
      ellipsis: bits(op, 'ellipsisMask', ellipsisMask),
      newAxis: bits(op, 'newAxisMask', newAxisMask),
      shrink: bits(op, 'shrinkAxisMask', shrinkAxisMask),
    };
    if (masks.ellipsis.filter(Boolean).length > 1) throw new InvalidArgumentError(`${op}: ellipsisMask ${ellipsisMask} has more than one bit set; a slice has at most one ellipsis`);
    const { axes, finalShape } = resolveSlice(op, t.x.shape, b, e, s, masks);
    if (finalShape.length > 32) throw new InvalidArgumentError(`${op}: the result would have rank ${finalShape.length} (shape [${finalShape}]), more than 32`);
    return composite(op, () => take(t.x, axes, finalShape));
  });
}

/** An array of int32 integers, named `arg[i]` in errors. */
function listArg(op: string, arg: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${op}: ${arg} must be an array of integers, got ${describe(v)}`);
  return intList(op, arg, v);
}

/** Bit `i` of a mask (a non-negative int32; null is 0, as in TF.js) as entry `i`, for i < 31. */
function bits(op: string, arg: string, v: unknown): boolean[] {
  const m = v === null ? 0 : intArg(op, arg, v, 0);
  return Array.from({ length: 31 }, (_, i) => (m & (1 << i)) !== 0);
}

/**
 * Resolves the slice spec into one {@link AxisSlice} per axis of `x` and the result shape,
 * with TF's rules (TF.js `slice_util.sliceInfo`: `buildDenseSpec` then the per-axis clamping).
 */
function resolveSlice(
  op: string, shape: readonly number[], begin: number[], end: number[], strides: number[],
  masks: { begin: boolean[]; end: boolean[]; ellipsis: boolean[]; newAxis: boolean[]; shrink: boolean[] },
): { axes: AxisSlice[]; finalShape: number[] } {
  const rank = shape.length;
  const bit = (m: boolean[], i: number): boolean => i < m.length && m[i];
  // The sparse spec: the entries as given, plus an ellipsis at the end if there is none.
  let dims = strides.length;
  let ellipsisSeen = false;
  let newAfterEllipsis = 0;
  for (let i = 0; i < dims; i++) {
    if (ellipsisSeen && bit(masks.newAxis, i)) newAfterEllipsis++;
    if (bit(masks.ellipsis, i)) ellipsisSeen = true;
  }
  const implicitEllipsis = ellipsisSeen ? -1 : dims++;
  const isEllipsis = (i: number): boolean => i === implicitEllipsis || bit(masks.ellipsis, i);

  // The dense spec: one entry per axis of x; `sparseOf[a]` is the entry axis a came from.
  const dBegin = new Array<number>(rank).fill(0);
  const dEnd = new Array<number>(rank).fill(0);
  const dStride = new Array<number>(rank).fill(1);
  const dBeginMask = new Array<boolean>(rank).fill(false);
  const dEndMask = new Array<boolean>(rank).fill(false);
  const dShrink = new Array<boolean>(rank).fill(false);
  const sparseOf = new Array<number>(rank).fill(-1);
  const gatherAxes: number[] = [];
  let full = 0;
  for (let i = 0; i < dims; i++) {
    if (isEllipsis(i)) {
      const next = Math.min(rank - (dims - i) + 1 + newAfterEllipsis, rank);
      for (; full < next; full++) {
        dBeginMask[full] = dEndMask[full] = true;
        sparseOf[full] = i;
        gatherAxes.push(full);
      }
    } else if (bit(masks.newAxis, i)) {
      gatherAxes.push(NEW_AXIS);
    } else {
      if (full === rank) {
        throw new InvalidArgumentError(`${op}: entry ${i} of begin/end/strides names axis ${full}, but x has rank ${rank} (shape [${shape}]); there are more entries than axes (not counting new axes and the ellipsis)`);
      }
      dBegin[full] = begin[i];
      dEnd[full] = end[i];
      dStride[full] = strides[i];
      dBeginMask[full] = bit(masks.begin, i);
      dEndMask[full] = bit(masks.end, i);
      dShrink[full] = bit(masks.shrink, i);
      gatherAxes.push(dShrink[full] ? SHRINK_AXIS : full);
      sparseOf[full] = i;
      full++;
    }
  }

  const axes: AxisSlice[] = [];
  for (let a = 0; a < rank; a++) {
    const dim = shape[a];
    const stride = dStride[a];
    const j = sparseOf[a];
    if (stride === 0) throw new InvalidArgumentError(`${op}: strides[${j}] is 0 (for axis ${a} of x, shape [${shape}]); strides must not be 0`);
    if (dShrink[a]) {
      if (stride < 0) throw new InvalidArgumentError(`${op}: strides[${j}] is ${stride}, but bit ${j} of shrinkAxisMask is set; a shrunk axis takes one index and needs a positive stride`);
      const at = dBegin[a] < 0 ? dim + dBegin[a] : dBegin[a];
      if (at < 0 || at >= dim) {
        throw new InvalidArgumentError(`${op}: begin[${j}] = ${dBegin[a]} is out of range for axis ${a} of x (size ${dim}, shape [${shape}]), which bit ${j} of shrinkAxisMask shrinks to one index`);
      }
      axes.push({ begin: at, size: 1, stride });
      continue;
    }
    // The range of valid starts and stops: [0, dim] going forwards, [-1, dim - 1] backwards.
    const lo = stride > 0 ? 0 : -1;
    const hi = stride > 0 ? dim : dim - 1;
    const canonical = (v: number, masked: boolean, isEnd: boolean): number => {
      if (masked) return stride > 0 === isEnd ? hi : lo;
      const fwd = v < 0 ? dim + v : v;
      return fwd < lo ? lo : fwd > hi ? hi : fwd;
    };
    const first = canonical(dBegin[a], dBeginMask[a], false);
    const stop = canonical(dEnd[a], dEndMask[a], true);
    const length = stop - first;
    const size = length === 0 || length < 0 !== stride < 0 ? 0 : Math.ceil(length / stride);
    axes.push({ begin: first, size, stride });
  }
  const finalShape: number[] = [];
  for (const g of gatherAxes) {
    if (g >= 0) finalShape.push(axes[g].size);
    else if (g === NEW_AXIS) finalShape.push(1);
  }
  return { axes, finalShape };
}

/** The values the resolved slice picks, from taped ops (so the gradient comes with them). */
function take(x: Tensor, axes: readonly AxisSlice[], finalShape: number[]): Tensor {
  // The box that holds every picked index: [lowest, lowest + extent) on each axis.
  const start = axes.map((a) => (a.size === 0 ? 0 : a.stride > 0 ? a.begin : a.begin + (a.size - 1) * a.stride));
  const extent = axes.map((a) => (a.size === 0 ? 0 : (a.size - 1) * Math.abs(a.stride) + 1));
  let y = slice(x, start, extent);
  const backwards = axes.map((a, i) => (a.stride < 0 && a.size > 1 ? i : -1)).filter((i) => i >= 0);
  if (backwards.length > 0) y = reverse(y, backwards);
  // Reversed, an axis walked backwards steps forwards from 0 too: keep every |stride|-th index.
  axes.forEach((a, i) => {
    const step = Math.abs(a.stride);
    if (step > 1 && a.size > 1) y = (a.size - 1) * step <= EXACT_INT ? gather(y, Array.from({ length: a.size }, (_, k) => k * step), i) : everyStep(y, i, step, a.size);
  });
  return reshape(y, finalShape);
}

/**
 * Entries 0, step, 2·step, … (`size` of them) of axis `i` of `y`, without float32 indices (past
 * 2^24 they are not exact): the first `(size − 1)·step` entries as `size − 1` rows of `step`, the
 * first of each row, then the last entry.
 */
function everyStep(y: Tensor, i: number, step: number, size: number): Tensor {
  const s = y.shape;
  const at = (v: number, rest: number) => s.map((_, d) => (d === i ? v : rest));
  const rows = reshape(slice(y, at(0, 0), at((size - 1) * step, -1)), [...s.slice(0, i), size - 1, step, ...s.slice(i + 1)]);
  const firsts = reshape(slice(rows, [], [...s.slice(0, i).map(() => -1), -1, 1]), [...s.slice(0, i), size - 1, ...s.slice(i + 1)]);
  return concat([firsts, slice(y, at((size - 1) * step, 0), at(1, -1))], i);
}
