/** `searchSorted`, `lowerBound`, `upperBound`: where values would go in sorted rows (TF.js names). */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { exactInt, fromFlat, show, withTensors, type TensorLike } from './convert.js';

/** Which end of a run of equal entries {@link searchSorted} returns. */
export type SearchSide = 'left' | 'right';

/**
 * For each value, the index at which it would be inserted into its row of `sortedSequence` to
 * keep the row sorted, as TF.js `searchSorted(sortedSequence, values, side)`. With
 * `side = 'left'` (default) it is the first index whose entry is not less than the value (the
 * lower bound); with `'right'` the first index whose entry is greater (the upper bound).
 *
 * # Shapes
 * The last axis of `sortedSequence` holds the sorted rows (`[N]` for one row, `[B, N]` for B
 * rows); the axes before it index the rows, and `values` must hold as many rows along its own
 * leading axes (`[V]` with `[N]`, `[B, V]` with `[B, N]`). The result has `values`'s shape.
 *
 * The search is TF.js's binary search, so every input gives TF.js's answer: a NaN value gives 0
 * on both sides (no comparison with NaN holds), and a row that is not sorted gives what the
 * binary search finds. The indices are float32 integers (TF.js gives int32). Not
 * differentiable (TF.js neither): the result is a constant under `grad`.
 *
 * Differences from TF.js 4.22: the result has `values`'s shape (TF.js returns its 2-D
 * `[rows, V]` reshape, e.g. `[1, V]` for 1-D inputs); empty rows (`N = 0`, every index 0) and
 * empty `values` work (TF.js throws `Cannot infer the missing size`).
 *
 * @example searchSorted([0, 3, 9, 10, 10], [0, 4, 10])           // [0, 2, 3]
 * @example searchSorted([0, 3, 9, 10, 10], [0, 4, 10], 'right')  // [1, 2, 5]
 * @example searchSorted([[0, 3, 9], [1, 2, 3]], [[9], [0]])       // [[2], [0]]
 * @throws {@link InvalidArgumentError} when an argument is a scalar, `side` is not `'left'` or
 *   `'right'`, or the rows are longer than 2^24 (float32 indices). {@link ShapeError} when
 *   `sortedSequence` and `values` hold different numbers of rows.
 */
export function searchSorted(sortedSequence: TensorLike, values: TensorLike, side: SearchSide = 'left'): Tensor {
  if (side !== 'left' && side !== 'right') throw new InvalidArgumentError(`searchSorted: side must be 'left' or 'right', got ${show(side)}`);
  return searchAs('searchSorted', sortedSequence, values, side);
}

/**
 * For each value, the first index of its row of `sortedSequence` whose entry is not less than
 * it, as TF.js `lowerBound`: {@link searchSorted} with `side = 'left'` (same shapes, same
 * differences from TF.js).
 *
 * @example lowerBound([0, 3, 9, 10, 10], [0, 4, 10])  // [0, 2, 3]
 * @throws as {@link searchSorted}.
 */
export function lowerBound(sortedSequence: TensorLike, values: TensorLike): Tensor {
  return searchAs('lowerBound', sortedSequence, values, 'left');
}

/**
 * For each value, the first index of its row of `sortedSequence` whose entry is greater than
 * it, as TF.js `upperBound`: {@link searchSorted} with `side = 'right'`.
 *
 * @example upperBound([0, 3, 9, 10, 10], [0, 4, 10])  // [1, 2, 5]
 * @throws as {@link searchSorted}.
 */
export function upperBound(sortedSequence: TensorLike, values: TensorLike): Tensor {
  return searchAs('upperBound', sortedSequence, values, 'right');
}

function searchAs(op: string, sortedSequence: TensorLike, values: TensorLike, side: SearchSide): Tensor {
  return withTensors(op, { sortedSequence, values }, (t) => {
    const ss = t.sortedSequence.shape;
    const vs = t.values.shape;
    if (ss.length === 0) throw new InvalidArgumentError(`${op}: sortedSequence must have rank 1 or more (its last axis holds the sorted rows), got a scalar`);
    if (vs.length === 0) throw new InvalidArgumentError(`${op}: values must have rank 1 or more (its last axis holds the values for each row), got a scalar`);
    const n = ss[ss.length - 1];
    const m = vs[vs.length - 1];
    const rows = ss.slice(0, -1).reduce((a, d) => a * d, 1);
    const valueRows = vs.slice(0, -1).reduce((a, d) => a * d, 1);
    if (rows !== valueRows) {
      throw new ShapeError(`${op}: sortedSequence holds ${rows} row(s) (shape [${ss}]) but values holds ${valueRows} (shape [${vs}]); the axes before the last must hold as many rows in both`);
    }
    exactInt(op, 'the largest insertion index (the length of the rows of sortedSequence)', n, `sortedSequence shape [${ss}]`);
    const out = new Float32Array(rows * m);
    if (out.length > 0) {
      const seq = n > 0 ? t.sortedSequence.data() : new Float32Array(0);
      const v = t.values.data();
      // The first index in the row whose entry is not below x (TF.js's loop and probes: `<`
      // for 'left', `<=` for 'right'), one loop per side with integer midpoints (a comparison
      // closure and float midpoints ran it 2.4× slower).
      const left = side === 'left';
      for (let r = 0; r < rows; r++) {
        const row = r * n;
        for (let i = r * m, end = i + m; i < end; i++) {
          const x = v[i];
          let lo = 0;
          let hi = n;
          if (left) {
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (seq[row + mid] < x) lo = mid + 1;
              else hi = mid;
            }
          } else {
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (seq[row + mid] <= x) lo = mid + 1;
              else hi = mid;
            }
          }
          out[i] = hi;
        }
      }
    }
    return fromFlat(op, out, vs);
  });
}
