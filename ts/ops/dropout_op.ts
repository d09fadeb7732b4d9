/** `dropout` as a tensor op (TF.js's `tf.dropout`); the `dropout` layer is in `layers/core.ts`. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, div, mul } from './binary.js';
import { composite } from './composite.js';
import { checkShape, describe, show, withTensors, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { randomUniform, seedOptions } from './random.js';
import { floor } from './unary.js';

/**
 * Inverted dropout, as TF.js `dropout(x, rate, noiseShape, seed)`: each entry of `x` is set
 * to 0 with probability `rate` and the others are scaled by `1 / (1 − rate)`, so the expected
 * value is kept. The mask is TF.js's formula on a uniform draw `u ∈ [0, 1)` of shape
 * `noiseShape` (default `x`'s shape): `⌊u + (1 − rate)⌋ / (1 − rate)`, in float32, times `x`,
 * broadcast. A `noiseShape` with 1s drops whole rows, channels, … together (`[batch, 1, 1,
 * channels]` for spatial dropout); as TF.js, an entry given as `null` in a `noiseShape` of
 * `x`'s rank takes `x`'s size. `rate = 0` gives a copy of `x`. A dropped NaN or ±Infinity gives
 * NaN (it is multiplied by 0, as TF.js). Differentiable in `x`: the gradient is `dy` times the
 * same mask.
 *
 * The draw is seeded as {@link randomUniform}'s: a `seed` gives the same mask every time (and
 * in every runtime); without one the global generator ({@link setSeed}) draws it. The masks
 * come from neurite's Philox generator, so their bits differ from TF.js's (seedrandom's alea)
 * for the same seed.
 *
 * Differences from TF.js 4.22: `seed` must be an integer in `[0, 2^53]` (TF.js also takes a
 * string); `noiseShape` must broadcast to `x`'s shape (TF.js broadcasts `x` up to a larger
 * one, returning a tensor of another shape).
 *
 * @example dropout(tensor([1, 2, 3, 4]), 0.5, undefined, 7)    // e.g. [2, 0, 6, 0]: same seed, same mask
 * @example dropout(images, 0.2, [images.shape[0], 1, 1, images.shape[3]], 1)   // whole channels
 * @throws {@link InvalidArgumentError} when `rate` is not a number in `[0, 1)`, `noiseShape`
 *   is not a list of non-negative integers, or `seed` is not an integer in `[0, 2^53]`;
 *   {@link ShapeError} when `noiseShape` does not broadcast to `x`'s shape.
 */
export function dropout(x: TensorLike, rate: number, noiseShape?: ReadonlyArray<number | null>, seed?: number): Tensor {
  const op = 'dropout';
  return withTensors(op, { x }, (t) => {
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new InvalidArgumentError(`${op}: rate must be a number in [0, 1), got ${describe(rate)}`);
    const shape = noiseShapeOf(op, t.x.shape, noiseShape);
    const seeded = seedOptions(op, seed); // checked here; randomUniform draws with it (null: none, as TF.js)
    if (rate === 0) return composite(op, () => clone(t.x));
    const keep = 1 - rate;
    return composite(op, () => mul(t.x, div(floor(add(randomUniform(shape, seeded), keep)), keep)));
  });
}

/** The shape of the mask: `noiseShape` (its `null`s filled from `x`) checked to broadcast to `x`. */
function noiseShapeOf(op: string, xs: readonly number[], noiseShape: unknown): number[] {
  if (noiseShape === undefined || noiseShape === null) return xs.slice();
  if (!Array.isArray(noiseShape)) throw new InvalidArgumentError(`${op}: noiseShape must be an array of dimensions, got ${describe(noiseShape)}`);
  const filled = noiseShape.length === xs.length ? noiseShape.map((d, i) => (d === null ? xs[i] : d)) : noiseShape;
  const s = checkShape(op, filled, 'noiseShape');
  const lead = xs.length - s.length;
  if (lead < 0 || s.some((d, i) => d !== 1 && d !== xs[lead + i])) {
    throw new ShapeError(`${op}: noiseShape ${show(noiseShape)} does not broadcast to x's shape [${xs}]: each of its axes must be 1 or x's size, aligned at the end`);
  }
  return s;
}
