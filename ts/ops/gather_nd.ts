/**
 * `gatherND`: the slices of a tensor that index tuples pick (TF.js `gatherND`).
 *
 * The last axis of `indices` holds tuples `(i0, …, i(k-1))`, each picking the slice
 * `x[i0, …, i(k-1), :, …]`. The tuples are checked and turned into row numbers of `x` seen as
 * `[rows, rest]` (its first k axes folded, then the others), and the rows are taken with
 * `gather`, so the gradient is gather's (a scatter-add of `dy`; a tuple listed twice gets both
 * of its `dy` slices added).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { checkSize, exactInts, fromFlat, withTensors, type TensorLike } from './convert.js';
import { tupleRows } from './index_tuples.js';
import { reshape } from './shape.js';
import { gather } from './slicing.js';

/**
 * Gathers the slices of `x` that the index tuples in `indices` name, as TF.js `gatherND`.
 *
 * # Shapes
 * `indices` has shape `[...batch, k]` with `k ≤ x.rank`; each tuple of `k` integers indexes the
 * first `k` axes of `x`. The result has shape `[...batch, ...x.shape.slice(k)]`. With `k = 0`
 * each tuple picks all of `x`.
 *
 * Differentiable w.r.t. `x`: the gradient scatters `dy` back to the picked slices, adding where
 * a tuple repeats (TF's `scatterND` of `dy`; TF.js 4.22 has no gradient for `gatherND`).
 * `indices` is a constant. Indices are float32 values holding integers (every neurite tensor is
 * float32; TF.js takes int32).
 *
 * Differences from TF.js 4.22: each index is checked against its own axis and must be an
 * integer (TF.js truncates `1.5` to 1, reads `-1` and an index past its axis as long as the
 * flattened position stays inside `x`, e.g. `[1, -1]` as `[0, 3]` of a `[3, 4]` tensor); a
 * rank-0 `x` (with `k = 0`) and an empty `x` with no tuples to look up work (TF.js throws
 * `input is empty` for every empty `x`).
 *
 * @example gatherND(tensor([[1, 2], [3, 4]]), [[1, 0], [0, 1]])  // [3, 2]
 * @example gatherND(tensor([[1, 2], [3, 4]]), [[1]])              // [[3, 4]]
 * @throws {@link InvalidArgumentError} when `indices` is a scalar, its tuples are longer than
 *   the rank of `x`, or an index is not an integer (NaN included) or out of range for its axis;
 *   the message names the position in `indices` and both shapes.
 *   {@link OutOfMemoryError} when the result would have more than {@link MAX_ELEMENTS} values.
 */
export function gatherND(x: TensorLike, indices: TensorLike): Tensor {
  const op = 'gatherND';
  exactInts(op, 'indices', indices);
  return withTensors(op, { x, indices }, (t) => {
    const xs = t.x.shape;
    const is = t.indices.shape;
    const shapes = `x shape [${xs}], indices shape [${is}]`;
    if (is.length === 0) throw new InvalidArgumentError(`${op}: indices must have rank 1 or more (its last axis holds the index tuples), got a scalar; ${shapes}`);
    const k = is[is.length - 1];
    const batch = is.slice(0, -1);
    const n = batch.reduce((a, d) => a * d, 1);
    const rest = xs.slice(k);
    const restSize = rest.reduce((a, d) => a * d, 1);
    const outShape = [...batch, ...rest];
    checkSize(op, `the result [${outShape}]`, n * restSize);
    checkSize(op, `the list of index tuples (indices shape [${is}])`, n);
    const { rows: rowOf, numRows: rows } = tupleRows(op, 'indices', t.indices, k, batch, 'x', xs);
    return composite(op, () => reshape(gather(reshape(t.x, [rows, restSize]), fromFlat(op, rowOf, [n]), 0), outShape));
  });
}
