/**
 * @internal Index tuples, as `gatherND` and the scatters (`scatterND`, `tensorScatterUpdate`,
 * `sparseToDense`) take them: the last axis of an indices tensor lists `k` integers that pick a
 * slice of a tensor whose first `k` axes they index. Each tuple is checked and becomes the row
 * number of that tensor seen as `[rows, rowSize]`, a float32 value, so at most 2^24.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { EXACT_INT, exactInt, f32String, position } from './convert.js';

/** Where the tuples of an indices tensor land. */
export interface TupleRows {
  /** The row of each tuple, in order. */
  rows: Float32Array;
  /** The shape the tuples are listed in. */
  batch: number[];
  /** Entries per tuple. */
  k: number;
  /** The rows (`shape[0] · … · shape[k−1]`) and the values in each (`shape[k] · …`). */
  numRows: number;
  rowSize: number;
}

/**
 * The rows the tuples of `indices` pick in a tensor of `shape`. `k` is the tuple length (the
 * last axis of `indices`, or 1 where a caller reads a rank-1 `indices` as single indices);
 * `batch` the shape the tuples are listed in. Errors name `op`, `arg` (the indices argument),
 * the position in it, and `target`, what `shape` is (`x`, `tensor`, `the output`).
 */
export function tupleRows(op: string, arg: string, indices: Tensor, k: number, batch: number[], target: string, shape: readonly number[]): TupleRows {
  const shapes = `${target} shape [${shape}], ${arg} shape [${indices.shape}]`;
  if (k > shape.length) {
    throw new InvalidArgumentError(`${op}: the index tuples (the last axis of ${arg}) have ${k} entries, more than the rank ${shape.length} of ${target}; ${shapes}`);
  }
  const n = batch.reduce((a, d) => a * d, 1);
  const vals = n * k > 0 ? indices.data() : new Float32Array(0);
  const rows = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < k; j++) {
      const v = vals[i * k + j];
      // Float32 holds an index past 2^24 rounded: refused where such an index would be in range.
      if (v > EXACT_INT && shape[j] > EXACT_INT + 1) exactInt(op, `${arg}${position(i * k + j, indices.shape)}`, v, shapes);
      if (!Number.isInteger(v) || v < 0 || v >= shape[j]) {
        const why = Number.isInteger(v) ? `out of range for axis ${j} of ${target} (size ${shape[j]})` : 'not an integer';
        throw new InvalidArgumentError(`${op}: ${arg}${position(i * k + j, indices.shape)} is ${f32String(v)}, ${why}; ${shapes}`);
      }
      r = r * shape[j] + v;
    }
    if (r > EXACT_INT) exactInt(op, `the row that ${batch.length === 0 ? arg : `${arg}${position(i, batch)}`} names in ${target}'s first ${k} axes flattened`, r, shapes);
    rows[i] = r;
  }
  return { rows, batch, k, numRows: shape.slice(0, k).reduce((a, d) => a * d, 1), rowSize: shape.slice(k).reduce((a, d) => a * d, 1) };
}
