/**
 * Logical reductions, TF.js `all` and `any`, on float32 tensors: an entry is true when it is
 * not 0 (NaN is true, as TF.js's `cast(x, 'bool')`), and the results are 1 and 0. The results
 * are constants under `grad`, as comparisons are.
 */
import type { Tensor } from '../tensor.js';
import { notEqual } from './binary.js';
import { composite, reductionAxes } from './composite.js';
import { boolArg, withTensors, type TensorLike } from './convert.js';
import { prod, sum } from './reduce.js';

type Axis = number | number[] | null;

/**
 * 1 where every entry over `axis` is non-zero, else 0 (the logical AND), as TF.js `all`:
 * `axis` is one axis, a list, or omitted for all axes (negative axes count from the end); with
 * `keepDims` the reduced axes stay as size-1 dimensions. Over an empty axis the result is 1
 * (TF.js 4.22 gives 0 there; NumPy and TensorFlow give true). TF.js takes only `bool`
 * tensors; neurite has float32 only, so any tensor is taken, non-zero (and NaN) being true.
 *
 * @example all(tensor([[1, 0], [1, 1]]), 1)  // [0, 1]
 * @throws {@link InvalidArgumentError} for an axis out of range or listed twice.
 */
export function all<T extends Tensor = Tensor>(x: TensorLike, axis: Axis = null, keepDims = false): T {
  return logical('all', x, axis, keepDims, (t, axes, keep) => prod(notEqual(t, 0), axes, keep)) as T;
}

/**
 * 1 where some entry over `axis` is non-zero, else 0 (the logical OR), as TF.js `any`; see
 * {@link all} for the arguments. Over an empty axis the result is 0.
 *
 * @example any(tensor([[1, 0], [0, 0]]), 1)  // [1, 0]
 */
export function any<T extends Tensor = Tensor>(x: TensorLike, axis: Axis = null, keepDims = false): T {
  return logical('any', x, axis, keepDims, (t, axes, keep) => notEqual(sum(notEqual(t, 0), axes, keep), 0)) as T;
}

function logical(op: string, x: TensorLike, axis: unknown, keepDims: unknown, f: (t: Tensor, axes: number[], keep: boolean) => Tensor): Tensor {
  return withTensors(op, { x }, (t) => {
    const axes = reductionAxes(op, t.x, axis);
    const keep = boolArg(op, 'keepDims', keepDims);
    return composite(op, () => f(t.x, axes, keep));
  });
}
