/** `meshgrid`: coordinate grids from two coordinate vectors. */
import { InvalidArgumentError } from '../errors.js';
import { unknownOption, optionKeys } from '../options.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { describe, show, withTensors, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { tile } from './joining.js';
import { reshape } from './shape.js';

/**
 * Coordinate grids for evaluating a function on the grid `x × y`, as TF.js `meshgrid`. `x`
 * (`w` values) and `y` (`h` values) are read as flat vectors. With `indexing: 'xy'` (the
 * default, Cartesian) both results have shape `[h, w]`: `X[i][j] = x[j]`, `Y[i][j] = y[i]`;
 * with `'ij'` (matrix) both have shape `[w, h]`: `X[i][j] = x[i]`, `Y[i][j] = y[j]`.
 * Without `y` the result is `[copy of x]` (TF.js returns `x` itself), without `x` `[]`.
 * Differentiable.
 *
 * `T` names the grids' type, as TF.js's `meshgrid<T>` (`meshgrid<Tensor2D>(x, y)`); it is not
 * inferred from `x` (TF.js's is), whose rank the grids do not have (they are 2-D).
 *
 * @example const [X, Y] = meshgrid([1, 2, 3], [4, 5]);  // X [[1, 2, 3], [1, 2, 3]], Y [[4, 4, 4], [5, 5, 5]]
 * @throws {@link InvalidArgumentError} for an `indexing` other than `'xy'` or `'ij'`, or
 *   an unknown option.
 */
export function meshgrid<T extends Tensor = Tensor>(x?: TensorLike, y?: TensorLike, options: { indexing?: 'xy' | 'ij' | undefined } = {}): T[] {
  const op = 'meshgrid';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${op}: options must be an object { indexing }, got ${describe(options)}`);
  for (const k of optionKeys(op, options)) if (k !== 'indexing') throw unknownOption(op, k, ['indexing']);
  const indexing = options.indexing === undefined ? 'xy' : options.indexing;
  if (indexing !== 'xy' && indexing !== 'ij') throw new InvalidArgumentError(`${op}: indexing must be 'xy' or 'ij', got ${show(indexing)}`);
  if (x === undefined) return [];
  if (y === undefined) return withTensors(op, { x }, (t) => [clone(t.x)]) as T[];
  return withTensors(op, { x, y }, (t) =>
    composite(op, () => {
      const [w, h] = [t.x.size, t.y.size];
      if (indexing === 'xy') return [tile(reshape(t.x, [1, w]), [h, 1]), tile(reshape(t.y, [h, 1]), [1, w])];
      return [tile(reshape(t.x, [w, 1]), [1, h]), tile(reshape(t.y, [1, h]), [w, 1])];
    }),
  ) as T[];
}
