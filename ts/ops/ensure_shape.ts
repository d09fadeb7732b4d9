/** `ensureShape`: a shape assertion that passes its input through. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { describe, show, withTensors, type TensorLike } from './convert.js';

/**
 * Checks that `x` has `shape` and returns `x` itself (the same object, not a copy), as TF.js
 * `ensureShape(x, shape)`. A `null` dimension matches any size; the ranks must agree. Under
 * `grad` it is the identity (it returns its input). `x` may be any TensorLike; an array is
 * returned as the array, as TF.js does.
 *
 * @example
 * ensureShape(images, [null, 28, 28, 1]);   // images, or a ShapeError
 * @throws {@link ShapeError} naming both shapes when they differ; {@link InvalidArgumentError}
 *   when `shape` is not an array of non-negative integers and nulls (TF.js rejects `null` for
 *   the whole shape too).
 */
export function ensureShape<T extends TensorLike>(x: T, shape: ReadonlyArray<number | null>): T {
  const op = 'ensureShape';
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`${op}: shape must be an array of dimensions (null for any size), got ${describe(shape)}`);
  shape.forEach((d: unknown, i) => {
    if (d !== null && (typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
      throw new InvalidArgumentError(`${op}: shape[${i}] must be a non-negative integer or null, got ${describe(d)} (shape ${show(shape)})`);
    }
  });
  withTensors(op, { x }, (t) => {
    const s = t.x.shape;
    if (s.length !== shape.length || shape.some((d, i) => d !== null && d !== s[i])) {
      throw new ShapeError(`${op}: x has shape [${s}], which is not compatible with the expected shape ${show(shape)}`);
    }
  });
  return x;
}
