/**
 * @internal Index tuples, as `gatherND` and the scatters (`scatterND`, `tensorScatterUpdate`,
 * `sparseToDense`) take them: the last axis of an indices tensor lists `k` integers that pick a
 * slice of a tensor whose first `k` axes they index. Each tuple is checked and becomes the row
 * number of that tensor seen as `[rows, rowSize]`.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { EXACT_INT, f32String } from './convert.js';

/** `[i,j,…]`: the position of the flat index `p` in a tensor of `shape` (row-major; `` for a scalar). */
export function position(p: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const at = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = shape[d] > 0 ? p % shape[d] : 0;
    p = shape[d] > 0 ? Math.floor(p / shape[d]) : 0;
  }
  return `[${at}]`;
}

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
      if (!Number.isInteger(v) || v < 0 || v >= shape[j]) {
        const why = Number.isInteger(v) ? `out of range for axis ${j} of ${target} (size ${shape[j]})` : 'not an integer';
        throw new InvalidArgumentError(`${op}: ${arg}${position(i * k + j, indices.shape)} is ${f32String(v)}, ${why}; ${shapes}`);
      }
      r = r * shape[j] + v;
    }
    if (r > EXACT_INT) {
      const tuple = batch.length === 0 ? arg : `${arg}${position(i, batch)}`;
      throw new InvalidArgumentError(`${op}: the tuple ${tuple} names row ${r} of ${target}'s first ${k} axes flattened; ${op} addresses at most 2^24 rows (float32 indices); ${shapes}`);
    }
    rows[i] = r;
  }
  return { rows, batch, k, numRows: shape.slice(0, k).reduce((a, d) => a * d, 1), rowSize: shape.slice(k).reduce((a, d) => a * d, 1) };
}
