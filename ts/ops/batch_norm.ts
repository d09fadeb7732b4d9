/** `batchNorm` and its rank forms `batchNorm2d/3d/4d` (TF.js's ops): x normalised by given moments. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor, Tensor2D, Tensor3D, Tensor4D } from '../tensor.js';
import type { Rank } from '../types.js';
import { add, div, mul, sub } from './binary.js';
import { composite } from './composite.js';
import { numberArg, withTensors, type TensorLike } from './convert.js';
import { reshape } from './shape.js';
import { sqrt } from './unary.js';

/** The parameters of {@link batchNorm}, in the order TF.js's rank forms check their ranks. */
const PARAMS = ['mean', 'variance', 'scale', 'offset'] as const;
type Param = (typeof PARAMS)[number];

/**
 * Batch normalization with given moments, as TF.js `batchNorm(x, mean, variance, offset,
 * scale, varianceEpsilon)` (the inference form of Ioffe & Szegedy 2015):
 *
 * ```text
 * out = (x − mean) · scale / √(variance + varianceEpsilon) + offset
 * ```
 *
 * `mean`, `variance` and the optional `offset` (default 0) and `scale` (default 1) broadcast
 * against `x`: usually rank 1 of `x`'s last axis (`[depth]`), or `x`'s rank (the same shape,
 * or 1 on the axes they do not vary along); extra leading axes of size 1 are allowed (TF.js's
 * `[1, 1, 1, depth]` against a rank-2 `x`). `mean`, `variance`, `offset` and `scale` must
 * have one rank, as TF.js requires. `offset`, `scale` and `varianceEpsilon` may be `null`
 * (left out); `varianceEpsilon` defaults to 0.001. The result has `x`'s shape.
 *
 * Computed in float32 as `((x − mean) / √(variance + ε)) · scale + offset`: the root at the
 * parameters' shape, then per element a subtraction, a division, and a multiplication and an
 * addition when `scale` and `offset` are given; within a few float32 ulps of TF.js's CPU
 * kernel, which evaluates the formula above in float64 and rounds once. The normalised value
 * comes first, so no intermediate overflows or underflows unless `x − mean` or that value
 * itself does (a `scale / √(variance + ε)` factor would underflow for a tiny scale and a huge
 * variance). Differentiable with respect to all five tensors through those ops, with the
 * derivatives of TF.js's `FusedBatchNorm` gradient, also where TF.js 4.22's gradient throws:
 * `offset` or `scale` left out, `x` of rank 5 or more with rank-1 parameters, parameters of
 * `x`'s rank with size-1 axes.
 *
 * Differences from TF.js 4.22: a parameter that does not broadcast to `x`'s shape is an error
 * (TF.js's CPU kernel cycles through its values, so `mean` of shape `[2]` against a last axis
 * of 4 reads `[m0, m1, m0, m1]`, and `mean` of shape `[2, 1]` against `x` `[2, 3]` is not
 * broadcast along rows); `varianceEpsilon` must be a finite number; `x − mean` and
 * `(x − mean) / √(variance + ε)` are float32 values, so they overflow to ±Infinity beyond
 * ±3.4e38 where TF.js's float64 does not.
 *
 * As an op (as `sqrt`), a `variance + ε` below zero gives NaN there, as in TF.js, not an error:
 * the `batchNormalization` layer, which owns its variance, refuses a negative `epsilon`.
 *
 * @example batchNorm(tensor2d([[1, 2], [3, 4]]), [2, 3], [1, 1], [0, 10], [1, 2], 0)
 *   // [[-1, 8], [1, 12]]
 * @throws {@link InvalidArgumentError} when `mean`, `variance`, `offset` and `scale` do not
 *   have one rank, or `varianceEpsilon` is not a finite number; {@link ShapeError} when one
 *   of them does not broadcast to `x`'s shape.
 */
export function batchNorm<R extends Rank = Rank>(x: Tensor<R> | TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike | null, scale?: TensorLike | null, varianceEpsilon?: number | null): Tensor<R> {
  return batchNormOf('batchNorm', null, x, mean, variance, offset, scale, varianceEpsilon);
}

/**
 * {@link batchNorm} for a rank-2 `x` (`[batch, depth]`), as TF.js `batchNorm2d`: `mean`,
 * `variance`, `offset` and `scale` have rank 2 or rank 1.
 *
 * @example batchNorm2d(tensor2d([[1, 2], [3, 4]]), [2, 3], [1, 1])
 * @throws {@link InvalidArgumentError} when `x` does not have rank 2 or a parameter has a rank
 *   other than 2 or 1; otherwise as {@link batchNorm}.
 */
export function batchNorm2d(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike | null, scale?: TensorLike | null, varianceEpsilon?: number | null): Tensor2D {
  return batchNormOf('batchNorm2d', 2, x, mean, variance, offset, scale, varianceEpsilon);
}

/**
 * {@link batchNorm} for a rank-3 `x` (`[height, width, depth]`), as TF.js `batchNorm3d`:
 * `mean`, `variance`, `offset` and `scale` have rank 3 or rank 1.
 *
 * @example batchNorm3d(images3d, mean, variance, offset, scale)   // mean etc. [depth]
 * @throws {@link InvalidArgumentError} when `x` does not have rank 3 or a parameter has a rank
 *   other than 3 or 1; otherwise as {@link batchNorm}.
 */
export function batchNorm3d(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike | null, scale?: TensorLike | null, varianceEpsilon?: number | null): Tensor3D {
  return batchNormOf('batchNorm3d', 3, x, mean, variance, offset, scale, varianceEpsilon);
}

/**
 * {@link batchNorm} for a rank-4 `x` (`[batch, height, width, depth]`), as TF.js
 * `batchNorm4d`: `mean`, `variance`, `offset` and `scale` have rank 4 or rank 1.
 *
 * @example batchNorm4d(images, mean, variance, offset, scale, 1e-3)   // mean etc. [depth]
 * @throws {@link InvalidArgumentError} when `x` does not have rank 4 or a parameter has a rank
 *   other than 4 or 1; otherwise as {@link batchNorm}.
 */
export function batchNorm4d(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike | null, scale?: TensorLike | null, varianceEpsilon?: number | null): Tensor4D {
  return batchNormOf('batchNorm4d', 4, x, mean, variance, offset, scale, varianceEpsilon);
}

/** The shared body: `rank` is the rank form's rank of `x` (null for `batchNorm`). */
function batchNormOf(op: string, rank: number | null, x: TensorLike, mean: TensorLike, variance: TensorLike, offset: TensorLike | null | undefined, scale: TensorLike | null | undefined, varianceEpsilon: unknown): Tensor {
  const args: Record<string, TensorLike> = { x, mean, variance };
  if (offset !== undefined && offset !== null) args.offset = offset;
  if (scale !== undefined && scale !== null) args.scale = scale;
  return withTensors(op, args, (t) => {
    const xs = t.x.shape;
    const given = PARAMS.filter((p) => t[p] !== undefined);
    if (rank !== null) {
      if (xs.length !== rank) throw new InvalidArgumentError(`${op}: x must have rank ${rank}, got shape [${xs}]`);
      for (const p of given) {
        if (t[p].rank !== rank && t[p].rank !== 1) throw new InvalidArgumentError(`${op}: ${p} must have rank ${rank} or rank 1, got shape [${t[p].shape}]`);
      }
    }
    // TF.js's order here: variance, offset, scale.
    for (const p of (['variance', 'offset', 'scale'] as const).filter((q) => given.includes(q))) {
      if (t[p].rank !== t.mean.rank) {
        throw new InvalidArgumentError(`${op}: ${p} must have the rank of mean (as TF.js requires), got ${p} shape [${t[p].shape}] and mean shape [${t.mean.shape}]`);
      }
    }
    const eps = varianceEpsilon === undefined || varianceEpsilon === null ? 0.001 : numberArg(op, 'varianceEpsilon', varianceEpsilon, true);
    for (const p of given) checkBroadcast(op, p, t[p].shape, xs);
    return composite(op, () => {
      // Extra leading size-1 axes dropped, so a parameter broadcasts to x's shape, never beyond it.
      const fit = (p: Param): Tensor => (t[p].rank > xs.length ? reshape(t[p], t[p].shape.slice(t[p].rank - xs.length)) : t[p]);
      const normed = div(sub(t.x, fit('mean')), sqrt(add(fit('variance'), eps)));
      const y = given.includes('scale') ? mul(normed, fit('scale')) : normed;
      return given.includes('offset') ? add(y, fit('offset')) : y;
    });
  });
}

/** Throws unless a parameter of shape `ps` broadcasts to `xs` (extra leading axes must be 1). */
function checkBroadcast(op: string, p: Param, ps: readonly number[], xs: readonly number[]): void {
  const extra = Math.max(ps.length - xs.length, 0);
  if (ps.slice(0, extra).some((d) => d !== 1)) {
    const lead = extra === 1 ? 'its extra leading axis is not 1' : `its ${extra} extra leading axes are not all 1`;
    throw new ShapeError(`${op}: ${p} of shape [${ps}] has more axes than x (shape [${xs}]) and ${lead}; it must broadcast to x's shape`);
  }
  for (let j = extra; j < ps.length; j++) {
    const xd = xs[xs.length - ps.length + j];
    if (ps[j] !== 1 && ps[j] !== xd) {
      throw new ShapeError(`${op}: ${p} of shape [${ps}] does not broadcast to x's shape [${xs}]: its axis ${j} has size ${ps[j]}, which is neither 1 nor x's ${xd}; usually ${p} is [${xs[xs.length - 1]}] (x's last axis)`);
    }
  }
}
