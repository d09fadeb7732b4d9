/** `unique`: the distinct values (or slices) of a tensor and where each entry went (TF.js `unique`). */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor, Tensor1D } from '../tensor.js';
import { composite } from './composite.js';
import { axisArg, exactInt, fromFlat, withTensors, type TensorLike } from './convert.js';
import { gather } from './slicing.js';

/**
 * The distinct entries of `x` along `axis` (default 0), in the order they first appear, and for
 * each entry the position of its value in that list, as TF.js `unique`.
 *
 * For a 1-D `x`, `values` holds the distinct numbers and `indices` (shape `[x.shape[0]]`)
 * satisfies `x[i] = values[indices[i]]`. For a higher rank, the entries compared are the slices
 * `x[…, i, …]` along `axis` (two slices are equal when all their values are), and `values` has
 * `x`'s shape with `axis` as long as the number of distinct slices.
 *
 * Equality is TF.js's: NaN equals NaN (all NaNs become one entry) and −0 equals +0; the value
 * kept is the first occurrence (`unique([-0, 0])` gives `[-0]`). `indices` holds float32
 * integers (TF.js gives int32). `values` is differentiable (it gathers the first occurrences
 * from `x`, so their gradient reaches them; TF.js 4.22 has no gradient for unique); `indices`
 * is a constant under `grad`.
 *
 * Differences from TF.js 4.22: none in the results. An axis over 2^24 + 1 entries throws (float32
 * indices cannot count past 2^24 exactly).
 *
 * Typed as TF.js's `unique<T>`: `values` has the type of `x`; `indices` is a `Tensor1D`, as it
 * is at run time (TF.js types it as `x`'s type too).
 *
 * @example unique([1, 1, 2, 4, 4, 4, 7, 8, 8])
 * // values [1, 2, 4, 7, 8], indices [0, 0, 1, 2, 2, 2, 3, 4, 4]
 * @example unique(tensor([[1, 0, 1], [1, 0, 1], [2, 0, 2]]), 1)
 * // values [[1, 0], [1, 0], [2, 0]], indices [0, 1, 0]
 * @throws {@link InvalidArgumentError} when `x` is a scalar or `axis` is not an integer in
 *   `[-rank, rank)`.
 */
export function unique<T extends Tensor = Tensor>(x: T | TensorLike, axis = 0): { values: T; indices: Tensor1D } {
  const op = 'unique';
  return withTensors(op, { x }, (t) => {
    const shape = t.x.shape;
    if (shape.length === 0) throw new InvalidArgumentError(`${op}: x must have rank 1 or more, got a scalar`);
    const ax = axisArg(op, 'axis', axis, shape);
    const a = ax < 0 ? ax + shape.length : ax;
    const n = shape[a];
    exactInt(op, `the last index along axis ${ax} of x`, n - 1, `x shape [${shape}]`);
    const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
    const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
    const data = t.x.data();
    // x as [outer, n, inner]: entry i is the slice [:, i, :]. A Map compares numbers with
    // SameValueZero (NaN equals NaN, −0 equals +0), as TF.js's `String(v)` keys do.
    const seen = new Map<number | string, number>();
    const first: number[] = [];
    const indices = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let key: number | string;
      if (outer === 1 && inner === 1) key = data[i];
      else {
        const parts: string[] = [];
        for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) parts.push(String(data[(o * n + i) * inner + k]));
        key = parts.join(',');
      }
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, first.length);
        indices[i] = first.length;
        first.push(i);
      } else indices[i] = at;
    }
    // The values are the first occurrences gathered from x: a copy of its entries, so a gradient
    // flows back to them (TF.js 4.22 has none for unique).
    const [v, idx] = composite(op, () => [gather(t.x, fromFlat(op, Float32Array.from(first), [first.length]), a), fromFlat(op, indices, [n])]);
    return { values: v, indices: idx };
  }) as { values: T; indices: Tensor1D };
}
