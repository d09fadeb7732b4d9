/**
 * Taking parts of a tensor: slice, split, gather, oneHot and reverse (TF.js names and
 * semantics). `x` may be any TensorLike (`slice([1, 2, 3], 1)`), a temporary tensor freed
 * after the op.
 */
import { argPtr, call, check, outPtr, readArgs, readOut, writeArgs } from '../engine.js';
import { InvalidArgumentError, NeuriteError, ShapeError } from '../errors.js';
import { tidy } from '../scope.js';
import { reshape, transpose } from './shape.js';
import { add, mul } from './binary.js';
import { range } from './creation.js';
import { Tensor, wrapHandle } from '../tensor.js';
import { checkSize, describe, EXACT_INT, exactInt, exactInts, intArg, intList, isTypedArray, makeTensor, withTensors, type NestedNumbers, type TensorLike } from './convert.js';
import { runOp } from './run.js';
import type { Rank } from '../types.js';

/** Room for results in the scratch argument area of `engine.ts` (1008 u32 words). */
const ARG_WORDS = 1008;

/** Integer indices: a tensor of integer values, a number, (nested) arrays of numbers or a typed array. */
export type Indices = Tensor | NestedNumbers;

/**
 * The block of `x` that starts at `begin` and spans `size`, as TF.js `slice`.
 *
 * `begin` is one start per axis; a number or a shorter list covers the first axes and the
 * rest start at 0. `size` is one length per axis, where `-1` (or a missing entry) means "to the
 * end of the axis". Throws an {@link InvalidArgumentError} naming the axis, begin, size and
 * shape when the block does not fit inside `x`.
 *
 * @example slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [-1, 2])  // [[2, 3], [5, 6]]
 * @example slice(x, 2)                                              // x without its first 2 rows
 */
export function slice<R extends Rank = Rank, T extends Tensor<R> = Tensor<R>>(x: T | TensorLike, begin: number | readonly number[], size?: number | readonly number[]): T {
  return withTensors('slice', { x }, ({ x }) => {
    const h = x.handleFor('slice', 'x');
    const b = intList('slice', 'begin', begin);
    const s = size === undefined || size === null ? [] : intList('slice', 'size', size);
    return runOp((e, out) => {
      const p = writeArgs('slice', [...b, ...s]);
      return e.nr_slice(h, p, b.length, p + 4 * b.length, s.length, out);
    });
  }) as T;
}

/**
 * Cuts `x` along `axis` (default 0) into pieces, as TF.js `split`: either `numOrSizeSplits`
 * equal pieces (the number must divide `x.shape[axis]`), or pieces of the listed sizes, which
 * must sum to `x.shape[axis]`; one size may be `-1` and is inferred. Returns new tensors; if an
 * error happens midway, the pieces made so far are disposed.
 *
 * @example const [a, b] = split(tensor([[1, 2, 3, 4]]), 2, 1)   // [[1, 2]] and [[3, 4]]
 * @example split(tensor([1, 2, 3, 4, 5]), [1, -1, 2])            // [1], [2, 3], [4, 5]
 */
export function split<T extends Tensor = Tensor>(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): T[] {
  return withTensors('split', { x }, ({ x }) => splitOf(x, numOrSizeSplits, axis)) as T[];
}

function splitOf(x: Tensor, numOrSizeSplits: number | readonly number[], axis: number): Tensor[] {
  const h = x.handleFor('split', 'x');
  const a = intArg('split', 'axis', axis);
  const byCount = typeof numOrSizeSplits === 'number';
  const count = byCount ? intArg('split', 'numOrSizeSplits', numOrSizeSplits) : 0;
  const sizes = byCount ? [] : intList('split', 'numOrSizeSplits', numOrSizeSplits);
  const pieces: Tensor[] = [];
  try {
    call((e) => {
      // Each call returns the handles of up to ARG_WORDS pieces, starting at `pieces.length`.
      let total = 1;
      while (pieces.length < total) {
        const p = writeArgs('split', sizes);
        check(e.nr_split(h, byCount ? 1 : 0, count, p, sizes.length, a, pieces.length, argPtr(), ARG_WORDS, outPtr(0)));
        total = readOut(0);
        const handles = readArgs(Math.min(ARG_WORDS, total - pieces.length));
        if (total > pieces.length && handles.length === 0) throw new NeuriteError('Internal', 'split: no pieces returned');
        for (let i = 0; i < handles.length; i++) {
          try {
            pieces.push(wrapHandle(handles[i]));
          } catch (err) {
            for (let j = i; j < handles.length; j++) e.nr_tensor_free(handles[j]);
            throw err;
          }
        }
      }
    });
  } catch (err) {
    for (const t of pieces) t.dispose();
    throw err;
  }
  return pieces;
}

/**
 * Resolves an {@link Indices} argument to a handle; numbers and arrays become a temporary
 * tensor that the caller disposes. `range` is how many positions the indices address: a
 * tensor's values are checked against 2^24 only when that is past 2^24 + 1 (below, a value past
 * 2^24 is out of range however it was rounded); given values always are, before they become
 * float32.
 */
function indicesOf(op: string, indices: unknown, range: number): { handle: number; temp: Tensor | null } {
  if (indices instanceof Tensor) {
    const handle = indices.handleFor(op, 'indices');
    if (range > EXACT_INT + 1) exactInts(op, 'indices', indices, true);
    return { handle, temp: null };
  }
  if (typeof indices !== 'number' && !Array.isArray(indices) && !isTypedArray(indices)) {
    throw new InvalidArgumentError(`${op}: indices must be a Tensor, a number or an array of numbers, got ${describe(indices)}`);
  }
  exactInts(op, 'indices', indices);
  try {
    const t = makeTensor(op, indices as NestedNumbers);
    return { handle: t.handleFor(op, 'indices'), temp: t };
  } catch (err) {
    if (err instanceof Error) err.message = err.message.replace(/\bvalues\b/g, 'indices');
    throw err;
  }
}

/**
 * Picks slices of `x` along `axis` (default 0) at `indices`, as TF.js `gather`; with
 * `batchDims` b, the first b axes of `x` and `indices` are batches gathered one by one
 * (result `x.shape[:axis] + indices.shape[b:] + x.shape[axis+1:]`; with the default b = 0,
 * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`).
 * Indices must be integers in `[0, x.shape[axis])`; otherwise an {@link InvalidArgumentError}
 * names the bad value and its position. An index past 2^24 is refused too (float32, every
 * tensor's dtype, holds integers exactly only up to 2^24: `[16777217]` would read entry
 * 16777216), so on a longer axis only the first 2^24 + 1 entries can be gathered (`slice` takes
 * the rest).
 *
 * @example gather(tensor([10, 20, 30]), [2, 0])             // [30, 10]
 * @example gather(tensor([[1, 2], [3, 4]]), tensor([1]), 1)  // [[2], [4]]
 */
export function gather<T extends Tensor = Tensor>(x: T | TensorLike, indices: Indices, axis = 0, batchDims = 0): T {
  return withTensors('gather', { x }, ({ x }) => {
    const h = x.handleFor('gather', 'x');
    const a = intArg('gather', 'axis', axis);
    const b = intArg('gather', 'batchDims', batchDims);
    // The length of the gathered axis (0 for a bad axis, which the core reports).
    const size = x.shape[a < 0 ? a + x.rank : a] ?? 0;
    const idx = indicesOf('gather', indices, size);
    if (b === 0) return runOp((e, out) => e.nr_gather(h, idx.handle, a, out), [idx.temp]);
    try {
      return gatherBatched(x, idx.temp ?? (indices as Tensor), a, b);
    } finally {
      idx.temp?.dispose();
    }
  }) as T;
}

/** The multi-index of flat position `k` in `shape`, comma-separated (`1,0`). */
function positionOf(k: number, shape: readonly number[]): string {
  const at: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    at.unshift(shape[i] > 0 ? k % shape[i] : 0);
    k = shape[i] > 0 ? Math.floor(k / shape[i]) : k;
  }
  return at.join(',');
}

/**
 * TF.js's `gather` with `batchDims` b: for each index of the first b axes (shared by `x` and
 * `indices`), gather along `axis` of that batch's slice. Made of taped ops (so differentiable):
 * the batches are folded into the gathered axis and each batch's indices offset into its block,
 * after checking that every index lies in `[0, x.shape[axis])` (an offset index would otherwise
 * read another batch).
 */
function gatherBatched(x: Tensor, indices: Tensor, axisArg: number, batchArg: number): Tensor {
  const op = 'gather';
  const rank = x.rank;
  const axis = axisArg < 0 ? axisArg + rank : axisArg;
  const b = batchArg < 0 ? batchArg + indices.rank : batchArg;
  if (axis < 0 || axis >= rank) throw new InvalidArgumentError(`${op}: axis ${axisArg} is out of range for x of rank ${rank} (shape [${x.shape}])`);
  if (b < 0 || b > indices.rank || b > axis) {
    throw new InvalidArgumentError(`${op}: batchDims ${batchArg} must be in [${-indices.rank}, ${indices.rank}] and at most axis (${axis}) for indices of shape [${indices.shape}]`);
  }
  const batch = x.shape.slice(0, b);
  if (batch.join() !== indices.shape.slice(0, b).join()) {
    throw new ShapeError(`${op}: with batchDims ${b}, x and indices must share their first ${b} axes, got x [${x.shape}] and indices [${indices.shape}]`);
  }
  const n = batch.reduce((p, d) => p * d, 1);
  const size = x.shape[axis];
  // The batches are folded into one axis of n·size entries, which float32 indices must reach.
  exactInt(op, `the last index of the axis that the ${n} batches of axis ${axis} fold into`, n * size - 1, `x shape [${x.shape}], batchDims ${b}`);
  const mid = x.shape.slice(b, axis);
  const rest = x.shape.slice(axis + 1);
  const idxRest = indices.shape.slice(b);
  return tidy(() => {
    // Each index checked in order, named by its position as the core's gather names it (this
    // named the extreme value alone, and called NaN out of range).
    const v = indices.dataSync();
    for (let k = 0; k < v.length; k++) {
      const e = v[k];
      if (Number.isInteger(e) && e >= 0 && e < size) continue;
      const at = `indices[${positionOf(k, indices.shape)}] = ${e}`;
      if (!Number.isInteger(e)) throw new InvalidArgumentError(`${op}: ${at} is not an integer (indices has shape [${indices.shape}])`);
      throw new InvalidArgumentError(`${op}: ${at} is out of range [0, ${size}) for axis ${axis} of x (shape [${x.shape}])`);
    }
    // x as [n, size, ...mid, ...rest] with the gathered axis next to the batch, folded: [n·size, ...].
    const xb = reshape(x, [n, ...x.shape.slice(b)]);
    const at = axis - b + 1;
    const perm = [0, at, ...Array.from({ length: at - 1 }, (_, i) => i + 1), ...Array.from({ length: xb.rank - at - 1 }, (_, i) => at + 1 + i)];
    const folded = reshape(transpose(xb, perm), [n * size, ...mid, ...rest]);
    // Each batch's indices moved into its block of `size` rows.
    const ib = reshape(indices, [n, ...idxRest]);
    const offsets = reshape(mul(range(0, n), size), [n, ...idxRest.map(() => 1)]);
    const g = gather(folded, add(ib, offsets), 0); // [n, ...idxRest, ...mid, ...rest]
    const i = idxRest.length, m = mid.length;
    const back = [0, ...Array.from({ length: m }, (_, k) => 1 + i + k), ...Array.from({ length: i }, (_, k) => 1 + k), ...Array.from({ length: rest.length }, (_, k) => 1 + i + m + k)];
    return reshape(transpose(g, back), [...batch, ...mid, ...idxRest, ...rest]);
  });
}

/**
 * One-hot encoding, as TF.js `oneHot`: each index becomes a row of `depth` values, `onValue`
 * at the index and `offValue` elsewhere; the result has shape `[...indices.shape, depth]`.
 *
 * An integer index outside `[0, depth)` gives a row of `offValue` (as TF.js). A NaN, infinite
 * or fractional index throws an {@link InvalidArgumentError} naming the value and its
 * position: TF.js silently truncates it, which hides upstream bugs such as normalised labels.
 * So does an index past 2^24 in an array, which float32 cannot hold exactly (`[16777217]` would
 * set column 16777216); a tensor's indices are float32 already, each the integer it holds (an
 * index at or past `depth` gives a row of `offValue`). Unlike TF.js, `depth` may be 0 or 1.
 *
 * @example oneHot([0, 2], 3)  // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Indices, depth: number, onValue = 1, offValue = 0): Tensor {
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth > 0xffffffff) {
    throw new InvalidArgumentError(`oneHot: depth must be a non-negative integer, got ${describe(depth)}`);
  }
  for (const [k, v] of [['onValue', onValue], ['offValue', offValue]] as const) {
    if (typeof v !== 'number') throw new InvalidArgumentError(`oneHot: ${k} must be a number, got ${describe(v)}`);
  }
  const idx = indicesOf('oneHot', indices, depth);
  try {
    const n = indices instanceof Tensor ? indices.size : (idx.temp as Tensor).size;
    checkSize('oneHot', `the result [${n} indices × depth ${depth}]`, n * depth);
  } catch (err) {
    idx.temp?.dispose();
    throw err;
  }
  return runOp((e, out) => e.nr_one_hot(idx.handle, depth, onValue, offValue, out), [idx.temp]);
}

/**
 * `x` with its entries in the opposite order along `axis` (one axis or a list; negative axes
 * count from the end), as TF.js `reverse`. With no `axis`, along every axis. An axis listed
 * twice is an error.
 *
 * @example reverse(tensor([1, 2, 3]))                  // [3, 2, 1]
 * @example reverse(tensor([[1, 2], [3, 4]]), 1)        // [[2, 1], [4, 3]]
 */
export function reverse<T extends Tensor = Tensor>(x: T | TensorLike, axis?: number | readonly number[]): T {
  return withTensors('reverse', { x }, ({ x }) => {
    const h = x.handleFor('reverse', 'x');
    const axes = axis === undefined || axis === null ? x.shape.map((_, i) => i) : intList('reverse', 'axis', axis);
    return runOp((e, out) => e.nr_reverse(h, writeArgs('reverse', axes), axes.length, out));
  }) as T;
}
