/** `unstack`: a tensor cut into its slices along one axis (the inverse of `stack`). */
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { axisArg, withTensors, type TensorLike } from './convert.js';
import { reshape } from './shape.js';
import { split } from './slicing.js';

/**
 * The slices of `x` along `axis` (default 0; negative counts from the end), each without that
 * axis, as TF.js `unstack`: a `[2, 3]` tensor gives two tensors of shape `[3]` (axis 0) or three
 * of shape `[2]` (axis 1). An axis of size 0 gives an empty list. Differentiable (each slice's
 * gradient goes back to its place in `x`).
 *
 * @example unstack(tensor([[1, 2], [3, 4]]))  // [tensor([1, 2]), tensor([3, 4])]
 * @throws {@link InvalidArgumentError} when `axis` is not in `[-rank, rank)` (so for any axis of
 *   a scalar, as TF.js).
 */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const op = 'unstack';
  return withTensors(op, { x }, (t) => {
    const a = axisArg(op, 'axis', axis, t.x.shape);
    const ax = a < 0 ? a + t.x.rank : a;
    const n = t.x.shape[ax];
    if (n === 0) return [];
    const shape = t.x.shape.filter((_, i) => i !== ax);
    return composite(op, () => split(t.x, n, ax).map((p) => reshape(p, shape)));
  });
}
