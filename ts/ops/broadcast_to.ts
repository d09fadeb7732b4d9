/** `broadcastTo`: a tensor repeated along size-1 (and new leading) axes to a given shape. */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { composite } from './composite.js';
import { checkShape, withTensors, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { tile } from './joining.js';
import { reshape } from './shape.js';

/**
 * `x` broadcast to `shape` with NumPy's rules, as TF.js `broadcastTo`: `x`'s shape is padded
 * with leading 1s to the length of `shape`, then each axis must equal the target or be 1 (and
 * is repeated to it; a 1 may become 0, giving an empty tensor, where TF.js 4.22 returns `x`
 * unchanged). Always a new tensor. Differentiable (the gradient sums over the repeats).
 *
 * @example broadcastTo(tensor([1, 2]), [2, 2])  // [[1, 2], [1, 2]]
 * @throws {@link InvalidArgumentError} for a shape that is not a list of non-negative
 *   integers; {@link ShapeError} when `shape` has fewer axes than `x` or an axis does not fit.
 */
export function broadcastTo<R extends Rank = Rank>(x: TensorLike, shape: readonly number[]): Tensor<R> {
  const op = 'broadcastTo';
  return withTensors(op, { x }, (t) => {
    const target = checkShape(op, shape);
    const xs = t.x.shape;
    if (target.length < xs.length) {
      throw new ShapeError(`${op}: shape [${target}] has ${target.length} axes, fewer than x's ${xs.length} (x shape [${xs}])`);
    }
    const padded = [...Array(target.length - xs.length).fill(1), ...xs];
    const reps = target.map((d, i) => {
      if (padded[i] === d) return 1;
      if (padded[i] !== 1) throw new ShapeError(`${op}: x of shape [${xs}] cannot be broadcast to [${target}]: axis ${i} has size ${padded[i]}, which is neither ${d} nor 1`);
      return d;
    });
    return composite(op, () => {
      const r = padded.length === xs.length ? t.x : reshape(t.x, padded);
      return reps.every((k) => k === 1) ? clone(r) : tile(r, reps);
    });
  });
}
