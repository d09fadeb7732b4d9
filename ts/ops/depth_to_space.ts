/** `depthToSpace`: blocks of channels moved into blocks of pixels (TF.js's op, channels last). */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor4D } from '../tensor.js';
import { composite } from './composite.js';
import { checkShape, describe, intArg, show, withTensors, type TensorLike } from './convert.js';
import { reshape, transpose } from './shape.js';

/**
 * Moves depth into space, as TF.js `depthToSpace(x, blockSize, 'NHWC')`: for `x` of shape
 * `[batch, h, w, c]` with `c` divisible by `b² = blockSize²` the result has shape
 * `[batch, h·b, w·b, c / b²]`, and
 *
 * ```text
 * out[n, h·b + i, w·b + j, d] = x[n, h, w, (i·b + j)·(c / b²) + d]
 * ```
 *
 * (each pixel's channels become a `b × b` block of pixels, row by row). A reshape and a
 * transpose, so the values are exact and it is differentiable: the gradient moves `dy` back
 * (TF.js 4.22 has no gradient for it). Empty tensors give empty results.
 *
 * Differences from TF.js 4.22: `'NCHW'` is an error (TF.js's cpu and wasm backends throw for it
 * too; neurite is channels last throughout), so the type takes `'NHWC'` alone, as `conv2d`'s; `x` must have rank 4 (TF.js reads a rank-3 `x` as
 * if it had a fourth axis of undefined size).
 *
 * @example depthToSpace(tensor4d([1, 2, 3, 4], [1, 1, 1, 4]), 2)  // [[[[1], [2]], [[3], [4]]]]
 * @throws {@link InvalidArgumentError} when `x` is not rank 4, `blockSize` is not an integer
 *   ≥ 2, or `dataFormat` is not `'NHWC'`; {@link ShapeError} when the depth is not divisible
 *   by `blockSize²`.
 */
export function depthToSpace(x: TensorLike, blockSize: number, dataFormat: 'NHWC' = 'NHWC'): Tensor4D {
  const op = 'depthToSpace';
  return withTensors(op, { x }, (t) => {
    const b = intArg(op, 'blockSize', blockSize, 2);
    // Typed 'NHWC' as conv2d's; a JS caller's (or a cast) 'NCHW' gets the way to channels last.
    if ((dataFormat as string) === 'NCHW') {
      throw new InvalidArgumentError(`${op}: dataFormat 'NCHW' is not supported (channels last only, as TF.js's cpu backend); transpose x to [batch, height, width, depth] with perm [0, 2, 3, 1] first`);
    }
    if (dataFormat !== 'NHWC') throw new InvalidArgumentError(`${op}: dataFormat must be 'NHWC', got ${typeof dataFormat === 'string' ? show(dataFormat) : describe(dataFormat)}`);
    const s = t.x.shape;
    if (s.length !== 4) throw new InvalidArgumentError(`${op}: x must have rank 4 [batch, height, width, depth], got shape [${s}]`);
    const [n, h, w, c] = s;
    if (c % (b * b) !== 0) throw new ShapeError(`${op}: the depth of x (${c}, shape [${s}]) must be divisible by blockSize² = ${b * b} (blockSize ${b})`);
    const d = c / (b * b);
    const out = checkShape(op, [n, h * b, w * b, d], 'the result shape');
    // [n, h, w, (i, j, d)] → [n, h, i, w, j, d] → [n, h·b, w·b, d].
    return composite(op, () => reshape(transpose(reshape(t.x, [n, h, w, b, b, d]), [0, 1, 3, 2, 4, 5]), out));
  });
}
