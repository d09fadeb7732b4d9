/** `movingAverage` (TF.js's op): one step of an exponential moving average. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul, pow, sub } from './binary.js';
import { composite } from './composite.js';
import { boolArg, describe, withTensors, type TensorLike } from './convert.js';

/**
 * One update of an exponential moving average, as TF.js
 * `movingAverage(v, x, decay, step, zeroDebias)`:
 *
 * ```text
 * v + (x − v)·(1 − decay)                          zeroDebias = false
 * v + (x − v)·(1 − decay) / (1 − decay^step)       zeroDebias = true (the default)
 * ```
 *
 * The debiased form is the average of the values seen so far, weighted as if the average had
 * started from them rather than from `v`'s initial zeros (Adam's bias correction); `step` is
 * the number of updates including this one (1 for the first). `v` and `x` have one shape;
 * `decay` and `step` are numbers or scalar tensors. The operations run in TF.js's order, each
 * rounded to float32. Differentiable in `v`, `x` and a tensor `decay` (the composition's
 * derivative, as TF.js's).
 *
 * Differences from TF.js 4.22: `decay` must be in `[0, 1]` (below 1 with `zeroDebias`, where
 * `1 − decay^step` would be 0) and `step` a finite number > 0 (TF.js divides by zero for
 * `step` 0 and returns ±Infinity or NaN); `decay` and `step` must be scalars (TF.js's types; at
 * run time it broadcasts larger tensors).
 *
 * @example movingAverage(tensor([0, 0]), tensor([1, 2]), 0.9, 1)          // [1, 2]: debiased first step
 * @example movingAverage(tensor([0, 0]), tensor([1, 2]), 0.9, 1, false)   // [0.1, 0.2]
 * @throws {@link ShapeError} when `v` and `x` have different shapes; {@link InvalidArgumentError}
 *   when `decay` or `step` is not a scalar in range, `step` is missing with `zeroDebias`, or
 *   `zeroDebias` is not a boolean.
 */
export function movingAverage<T extends Tensor = Tensor>(v: TensorLike, x: T | TensorLike, decay: number | Tensor, step?: number | Tensor | null, zeroDebias = true): T {
  const op = 'movingAverage';
  const debias = boolArg(op, 'zeroDebias', zeroDebias, true);
  const withStep = debias && step !== undefined && step !== null;
  if (debias && !withStep) throw new InvalidArgumentError(`${op}: step is required when zeroDebias is true (the number of updates so far, 1 for the first), got ${describe(step)}`);
  const args = withStep ? { v, x, decay, step } : { v, x, decay };
  return withTensors(op, args, (t) => {
    if (t.v.rank !== t.x.rank || t.v.shape.some((d, i) => d !== t.x.shape[i])) {
      throw new ShapeError(`${op}: v has shape [${t.v.shape}] but x has shape [${t.x.shape}]; they must be equal`);
    }
    const d = scalarValue(op, 'decay', t.decay);
    if (!(d >= 0 && d <= 1)) throw new InvalidArgumentError(`${op}: decay must be a number in [0, 1], got ${d}`);
    const ts = (t as { step?: Tensor }).step;
    if (ts) {
      const s = scalarValue(op, 'step', ts);
      if (!(s > 0 && s < Infinity)) throw new InvalidArgumentError(`${op}: step must be a finite number > 0 (the number of updates, 1 for the first), got ${s}`);
      if (d === 1) throw new InvalidArgumentError(`${op}: decay must be below 1 when zeroDebias is true (1 − decay^step would be 0), got 1`);
    }
    return composite(op, () => {
      const update = mul(sub(t.x, t.v), sub(1, t.decay));
      return add(t.v, ts ? div(update, sub(1, pow(t.decay, ts))) : update);
    });
  }) as T;
}

/** The value of a scalar argument (a number, or a tensor of rank 0). */
function scalarValue(op: string, arg: string, t: Tensor): number {
  if (t.rank !== 0) throw new InvalidArgumentError(`${op}: ${arg} must be a number or a scalar tensor, got a tensor of shape [${t.shape}]`);
  return t.data()[0];
}
