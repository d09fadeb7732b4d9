/** `rand`: a tensor of values from a function called once per element. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { checkShape, describe, dtypeArg, fromFlat } from './convert.js';

/**
 * A tensor of `shape` whose values come from calling `randFunction()` once per element, in
 * row-major order, as TF.js `rand(shape, randFunction, dtype)`. The values are stored as
 * float32 and not checked further (NaN and ±Infinity pass, as in TF.js); a constant under
 * `grad`. `dtype` is accepted for TF.js code and must be `'float32'`.
 *
 * @example rand([2, 3], () => Math.random() * 10)
 * @throws {@link InvalidArgumentError} for a bad shape, a dtype other than `'float32'`, a
 *   `randFunction` that is not a function, or a call that returns something other than a
 *   number (TF.js stores NaN); {@link OutOfMemoryError} when `shape` has more than
 *   {@link MAX_ELEMENTS} elements. What `randFunction` throws passes through.
 */
export function rand<R extends Rank = Rank>(shape: readonly number[], randFunction: () => number, dtype?: 'float32'): Tensor<R> {
  const op = 'rand';
  const s = checkShape(op, shape);
  dtypeArg(op, dtype === null ? undefined : dtype);
  if (typeof randFunction !== 'function') throw new InvalidArgumentError(`${op}: randFunction must be a function, got ${describe(randFunction)}`);
  const n = s.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = randFunction();
    if (typeof v !== 'number') throw new InvalidArgumentError(`${op}: randFunction returned ${describe(v)} for element ${i}, not a number`);
    values[i] = v;
  }
  return fromFlat(op, values, s);
}
