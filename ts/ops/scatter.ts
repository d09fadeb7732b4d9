/**
 * Scatters: `scatterND`, `tensorScatterUpdate` and `sparseToDense` (TF.js names and semantics),
 * made of `unsortedSegmentSum` (the scatter-add), `gather` and `where`, so they are
 * differentiable through those ops' rules.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { composite } from './composite.js';
import { checkShape, exactInts, show, withTensors, type TensorLike } from './convert.js';
import { tupleRows, type TupleRows } from './index_tuples.js';
import { tensor } from './creation.js';
import { broadcastTo } from './broadcast_to.js';
import { where } from './select.js';
import { unsortedSegmentSum } from './segment.js';
import { reshape } from './shape.js';
import { gather } from './slicing.js';

/**
 * The rows `indices` picks in a tensor of `shape` (the `target`): TF.js's scatter layout, a
 * tuple along the last axis, or single indices into axis 0 when `indices` has rank 0 or 1.
 */
function targetsOf(op: string, arg: string, indices: Tensor, target: string, shape: readonly number[]): TupleRows {
  const r = indices.rank;
  return r > 1 ? tupleRows(op, arg, indices, indices.shape[r - 1], indices.shape.slice(0, -1), target, shape) : tupleRows(op, arg, indices, 1, indices.shape.slice(), target, shape);
}

/** Checks that `updates` has shape `batch ++ shape[k:]` (TF.js's rule). */
function checkUpdates(op: string, arg: string, updates: Tensor, t: TupleRows, indices: Tensor, shape: readonly number[]): void {
  const want = [...t.batch, ...shape.slice(t.k)];
  if (updates.shape.length !== want.length || updates.shape.some((d, i) => d !== want[i])) {
    throw new InvalidArgumentError(
      `${op}: ${arg} has shape ${show(updates.shape)} but must have shape ${show(want)} (indices.shape without its last axis, then shape[${t.k}:]) for indices of shape ${show(indices.shape)} and ${op === 'scatterND' ? 'shape' : 'tensor.shape'} ${show(shape)}`,
    );
  }
}

/**
 * The tensor of `shape` that holds zeros except where `indices` points, where the
 * corresponding slices of `updates` are added (repeated indices add up), as TF.js `scatterND`.
 *
 * `indices` lists index tuples along its last axis (`[n, k]`: n tuples of `k` integers, each
 * addressing a slice `shape[k:]`; rank 1: single indices into axis 0). `updates` has shape
 * `indices.shape[:-1] ++ shape[k:]`. Differentiable w.r.t. `updates` (the gradient gathers
 * `dy` at the indices). Indices are float32 holding integers (int32 in TF.js).
 *
 * @example scatterND([[0], [2], [0]], [[1, 2], [3, 4], [5, 6]], [4, 2])  // [[6, 8], [0, 0], [3, 4], [0, 0]]
 * @throws {@link InvalidArgumentError} when an index is not an integer or out of range (naming
 *   it, as a tuple), or the shapes do not fit together.
 */
export function scatterND<R extends Rank = Rank>(indices: TensorLike, updates: TensorLike, shape: readonly number[]): Tensor<R> {
  const op = 'scatterND';
  const s = checkShape(op, shape);
  exactInts(op, 'indices', indices);
  return withTensors(op, { indices, updates }, (a) => {
    const t = targetsOf(op, 'indices', a.indices, 'the output', s);
    checkUpdates(op, 'updates', a.updates, t, a.indices, s);
    return composite(op, () => reshape(unsortedSegmentSum(reshape(a.updates, [t.rows.length, t.rowSize]), tensor(t.rows, [t.rows.length]), t.numRows), s));
  });
}

/**
 * `base` with the slices `indices` points at replaced by those of `updates`. Where an index
 * repeats, its last update is kept (TF.js's kernels do the same; TensorFlow leaves the order
 * unspecified). The scatter of `tensorScatterUpdate` and `sparseToDense`.
 */
function update(op: string, [indicesArg, updatesArg]: [string, string], base: Tensor, indices: Tensor, updates: Tensor): Tensor {
  const s = base.shape;
  const t = targetsOf(op, indicesArg, indices, op === 'sparseToDense' ? 'the output' : 'tensor', s);
  checkUpdates(op, updatesArg, updates, t, indices, s);
  const last = new Map<number, number>();
  t.rows.forEach((row, j) => last.set(row, j));
  const keep = [...last.values()].sort((x, y) => x - y);
  const mask = new Float32Array(t.numRows);
  for (const j of keep) mask[t.rows[j]] = 1;
  return composite(op, () => {
    let u = reshape(updates, [t.rows.length, t.rowSize]);
    if (keep.length < t.rows.length) u = gather(u, keep);
    const scattered = unsortedSegmentSum(u, tensor(keep.map((j) => t.rows[j]), [keep.length]), t.numRows);
    return reshape(where(tensor(mask, [t.numRows, 1]), scattered, reshape(base, [t.numRows, t.rowSize])), s);
  });
}

/**
 * `tensor` with the slices at `indices` replaced by `updates`, as TF.js `tensorScatterUpdate`.
 * `indices` and `updates` are laid out as in {@link scatterND}, the shape being
 * `tensor.shape`. Where an index repeats, its last update wins (as TF.js). Differentiable
 * w.r.t. `tensor` (0 at the replaced slices) and `updates`.
 *
 * @example tensorScatterUpdate(zeros([4]), [[1], [3]], [5, 6])  // [0, 5, 0, 6]
 * @throws {@link InvalidArgumentError} as {@link scatterND}.
 */
export function tensorScatterUpdate<R extends Rank = Rank>(tensor: Tensor<R> | TensorLike, indices: TensorLike, updates: TensorLike): Tensor<R> {
  const op = 'tensorScatterUpdate';
  exactInts(op, 'indices', indices);
  return withTensors(op, { tensor, indices, updates }, (a) => update(op, ['indices', 'updates'], a.tensor, a.indices, a.updates));
}

/**
 * The tensor of `outputShape` that holds `defaultValue` except at `sparseIndices`, which get
 * `sparseValues`, as TF.js `sparseToDense`. `sparseIndices` is a single index (0-D), a list of
 * indices into a 1-D output (1-D), or `[n, rank]` full index tuples (2-D); `sparseValues` is
 * one value per index, or a scalar for all of them. Where an index repeats, its last value
 * wins (as TF.js's kernel; TensorFlow rejects repeats). Differentiable w.r.t. `sparseValues`
 * and `defaultValue`.
 *
 * @example sparseToDense([0, 2], [5, 6], [4], 9)  // [5, 9, 6, 9]
 * @throws {@link InvalidArgumentError} when an index is out of range or not an integer, the
 *   index tuples do not have one entry per axis of `outputShape`, or `sparseValues` or
 *   `defaultValue` has the wrong shape.
 */
export function sparseToDense<R extends Rank = Rank>(sparseIndices: TensorLike, sparseValues: TensorLike, outputShape: readonly number[], defaultValue: TensorLike = 0): Tensor<R> {
  const op = 'sparseToDense';
  const s = checkShape(op, outputShape, 'outputShape');
  exactInts(op, 'sparseIndices', sparseIndices);
  return withTensors(op, { sparseIndices, sparseValues, defaultValue }, (a) => {
    const idx = a.sparseIndices;
    if (idx.rank > 2) throw new InvalidArgumentError(`${op}: sparseIndices must have rank 0, 1 or 2, got shape ${show(idx.shape)}`);
    const k = idx.rank === 2 ? idx.shape[1] : 1;
    if (k !== s.length) {
      throw new InvalidArgumentError(`${op}: sparseIndices has shape ${show(idx.shape)}: its indices have ${k} entr${k === 1 ? 'y' : 'ies'} but outputShape ${show(s)} has ${s.length} axes`);
    }
    const n = idx.rank === 0 ? 1 : idx.shape[0];
    const v = a.sparseValues;
    if (!(v.rank === 0 || (v.rank === 1 && v.shape[0] === n))) {
      throw new InvalidArgumentError(`${op}: sparseValues has shape ${show(v.shape)} but must be a scalar or have shape [${n}] (one value per index of sparseIndices, shape ${show(idx.shape)})`);
    }
    if (a.defaultValue.rank !== 0) throw new InvalidArgumentError(`${op}: defaultValue must be a scalar, got shape ${show(a.defaultValue.shape)}`);
    return composite(op, () => {
      // One value per index, laid out as the indices are listed (none for a 0-D index).
      const values = reshape(v.rank === 0 ? broadcastTo(v, [n]) : v, idx.rank === 0 ? [] : [n]);
      return update(op, ['sparseIndices', 'sparseValues'], broadcastTo(a.defaultValue, s), idx, values);
    });
  });
}
