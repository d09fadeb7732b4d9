/**
 * Arithmetic TF.js has as ops of their own and neurite composes from the element-wise ones:
 * `addN`, `squaredDifference` and `divNoNan`.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, div, equal, sub } from './binary.js';
import { composite } from './composite.js';
import { describe, withTensorList, withTensors, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { where } from './select.js';
import { square } from './unary.js';

/**
 * The element-wise sum of a list of tensors of one shape, as TF.js `addN` (no broadcasting:
 * every shape must equal the first's). The sum runs left to right, each step rounded to
 * float32, as TF.js's kernel. One tensor gives a copy. Items may be numbers or nested arrays.
 *
 * @example addN([tensor([1, 2]), tensor([3, 4]), tensor([5, 6])])  // [9, 12]
 * @throws {@link InvalidArgumentError} when `tensors` is not an array or is empty;
 *   {@link ShapeError} naming the first item whose shape differs, with both shapes.
 */
export function addN<T extends Tensor = Tensor>(tensors: readonly (T | TensorLike)[]): T {
  const op = 'addN';
  if (!Array.isArray(tensors)) throw new InvalidArgumentError(`${op}: tensors must be an array of Tensors, got ${describe(tensors)}`);
  if (tensors.length === 0) throw new InvalidArgumentError(`${op}: tensors must hold at least one tensor, got an empty array`);
  return withTensorList(op, 'tensors', tensors, (ts) => {
    const s0 = ts[0].shape;
    ts.forEach((t, i) => {
      if (t.rank !== s0.length || t.shape.some((d, k) => d !== s0[k])) {
        throw new ShapeError(`${op}: tensors[${i}] has shape [${t.shape}] but tensors[0] has shape [${s0}]; addN needs equal shapes (no broadcasting)`);
      }
    });
    return composite(op, () => {
      if (ts.length === 1) return clone(ts[0]);
      let acc = add(ts[0], ts[1]);
      for (let i = 2; i < ts.length; i++) {
        const next = add(acc, ts[i]);
        acc.dispose();
        acc = next;
      }
      return acc;
    });
  }) as T;
}

/**
 * `(a − b)²`, element-wise with broadcasting, as TF.js `squaredDifference`. Either argument
 * may be a number or nested arrays. The difference is rounded to float32 before it is
 * squared (TF.js rounds once), so results may differ from TF.js by an ulp. Differentiable with
 * broadcasting (TF.js 4.22's gradient does not sum over broadcast axes and throws there).
 *
 * @example squaredDifference(tensor([1, 4]), 2)  // [1, 4]
 * @throws {@link ShapeError} when the shapes do not broadcast.
 */
export function squaredDifference<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T {
  return withTensors('squaredDifference', { a, b }, (t) => composite('squaredDifference', () => square(sub(t.a, t.b)))) as T;
}

/**
 * `a / b` with broadcasting, but 0 wherever `b` is 0 (whatever `a` is, NaN and ±Infinity
 * included), as TF.js `divNoNan`. Either argument may be a number or nested arrays.
 *
 * Differentiable: where `b` is 0 the gradients with respect to `a` and `b` are 0, as
 * TensorFlow's `DivNoNan`; elsewhere they are `div`'s. (TF.js 4.22 cannot differentiate
 * `divNoNan`: its `equal` has no gradient.)
 *
 * @example divNoNan(tensor([1, 2]), tensor([2, 0]))  // [0.5, 0]
 * @throws {@link ShapeError} when the shapes do not broadcast.
 */
export function divNoNan<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T {
  return withTensors('divNoNan', { a, b }, (t) =>
    composite('divNoNan', () => {
      const zero = equal(t.b, 0);
      // Dividing by 1 where b is 0 keeps 0 / 0 (and its NaN gradient) out of the result.
      return where(zero, 0, div(t.a, where(zero, 1, t.b)));
    }),
  ) as T;
}
