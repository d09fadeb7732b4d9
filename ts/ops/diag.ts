/** `diag`: a tensor's values on the diagonal of a tensor of zeros. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { checkSize, withTensors, type TensorLike } from './convert.js';
import { eye } from './creation.js';
import { where } from './select.js';
import { reshape } from './shape.js';

/**
 * The diagonal tensor with `x`'s values, as TF.js `diag`: for `x` of shape `[D1, …, Dk]` the
 * result has shape `[D1, …, Dk, D1, …, Dk]`, `x[i1, …, ik]` at `[i1, …, ik, i1, …, ik]` and 0
 * everywhere else (exactly 0, also next to NaN or ±Infinity). A scalar gives a copy.
 * Differentiable: the gradient is the diagonal of `dy` (TF.js 4.22 has no gradient for `diag`).
 *
 * @example diag(tensor([1, 2]))  // [[1, 0], [0, 2]]
 * @throws {@link InvalidArgumentError} when the result would have more than 32 axes;
 *   {@link OutOfMemoryError} when it would have more than {@link MAX_ELEMENTS} values.
 */
export function diag(x: TensorLike): Tensor {
  const op = 'diag';
  return withTensors(op, { x }, (t) => {
    const s = t.x.shape;
    if (2 * s.length > 32) throw new InvalidArgumentError(`${op}: x has rank ${s.length} (shape [${s}]); the result would have rank ${2 * s.length}, more than 32`);
    const n = t.x.size;
    checkSize(op, `the result [${[...s, ...s]}]`, n * n);
    return composite(op, () => reshape(where(eye(n), reshape(t.x, [1, n]), 0), [...s, ...s]));
  });
}
