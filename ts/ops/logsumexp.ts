/** `logSumExp`: `log(Σ exp(x))` over axes, shifted by the maximum so it neither overflows nor underflows. */
import type { Tensor } from '../tensor.js';
import { add, equal, sub } from './binary.js';
import { composite, keptShape, reducedShape, reductionAxes } from './composite.js';
import { boolArg, withTensors, type TensorLike } from './convert.js';
import { max, sum } from './reduce.js';
import { where } from './select.js';
import { reshape } from './shape.js';
import { exp, log } from './unary.js';

/**
 * `log(Σ exp(x))` over `axis` (all axes if omitted; negative axes count from the end), as TF.js
 * `logSumExp`: computed as `m + log(Σ exp(x − m))` with `m` the maximum over the axes, so
 * `[1000, 1000]` gives `1000.6931` and `[-1000, -1000]` `-999.3069`, not ±Infinity. With
 * `keepDims` the reduced axes stay as size-1 dimensions. Differentiable (the gradient is the
 * softmax of `x` over the axes).
 *
 * Where TF.js 4.22 returns NaN, neurite returns the mathematical value (as TensorFlow's
 * `reduce_logsumexp`, which shifts by 0 where the maximum is not finite): a row of only
 * `-Infinity` gives `-Infinity`, a row holding `+Infinity` (and no NaN) gives `+Infinity`, and an
 * empty axis gives `-Infinity` (the log of an empty sum). NaN anywhere in a row gives NaN.
 *
 * @example logSumExp(tensor([[0, 0], [1, 2]]), -1)  // [0.6931, 2.3133]
 * @throws {@link InvalidArgumentError} for an axis out of range or listed twice, or a
 *   `keepDims` that is not a boolean.
 */
export function logSumExp<T extends Tensor = Tensor>(x: TensorLike, axis?: number | number[] | null, keepDims?: boolean): T {
  const op = 'logSumExp';
  return withTensors(op, { x }, (t) => {
    const axes = reductionAxes(op, t.x, axis);
    const keep = boolArg(op, 'keepDims', keepDims);
    const outShape = keep ? keptShape(t.x.shape, axes) : reducedShape(t.x.shape, axes);
    return composite(op, () => {
      if (t.x.size === 0) return log(sum(exp(t.x), axes, keep)); // log(0) = -Infinity; no maximum to take
      const m = max(t.x, axes, true);
      // A non-finite maximum (±Infinity, NaN) shifts by 0: x − m would be NaN where x = m = ±∞.
      const shift = where(equal(sub(m, m), 0), m, 0);
      const y = add(log(sum(exp(sub(t.x, shift)), axes, true)), shift);
      return y.shape.join() === outShape.join() ? y : reshape(y, outShape);
    });
  }) as T;
}
