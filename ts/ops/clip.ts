/**
 * `clipByValue`: limits every value to `[min, max]` (mirrors `crates/core/src/ops/clip.rs`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/**
 * Clips every value of `x` to `[min, max]`: `x < min → min`, `x > max → max`; NaN stays NaN.
 * The shape is preserved. Either bound may be infinite for one-sided clipping.
 *
 * @param x - The tensor to clip (or any TensorLike: `clipByValue([-2, 3], -1, 1)`).
 * @param min - The lower bound; must be a number, not NaN, and `<= max`.
 * @param max - The upper bound.
 * @throws {@link InvalidArgumentError} when a bound is NaN or not a number, or `min > max`
 *   (`clipByValue: min (3) must be less than or equal to max (1)`).
 *
 * @example
 * ```ts
 * clipByValue(tensor([-2, 0.5, 3]), -1, 1); // [-1, 0.5, 1]
 * ```
 */
export function clipByValue<T extends Tensor = Tensor>(x: T | TensorLike, min: number, max: number): T {
  return withTensors('clipByValue', { x }, ({ x }) => {
    const h = x.handleFor('clipByValue', 'x');
    if (typeof min !== 'number') throw new InvalidArgumentError(`clipByValue: min must be a number, got ${describe(min)}`);
    if (typeof max !== 'number') throw new InvalidArgumentError(`clipByValue: max must be a number, got ${describe(max)}`);
    return runOp((e, out) => e.nr_clip(h, min, max, out));
  }) as T;
}
