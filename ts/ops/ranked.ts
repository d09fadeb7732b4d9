/**
 * TF.js's rank-specific forms of slice, reverse, pad and concat (`slice2d`, `pad1d`, …): the
 * general op, after a check that every input has the rank the name says.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '../tensor.js';
import { show, withTensorList, withTensors, type TensorLike } from './convert.js';
import { concat, pad } from './joining.js';
import { composite } from './composite.js';
import { reverse, slice } from './slicing.js';

function rankIs(op: string, arg: string, x: Tensor, rank: number): void {
  if (x.rank !== rank) throw new InvalidArgumentError(`${op}: ${arg} must have rank ${rank}, got shape ${show(x.shape)}`);
}

/** `f` on `x` after checking that it has `rank`; errors are `op`'s. */
function ranked(op: string, rank: number, x: TensorLike, f: (x: Tensor) => Tensor): Tensor {
  return withTensors(op, { x }, (t) => {
    rankIs(op, 'x', t.x, rank);
    return composite(op, () => f(t.x));
  });
}

type Pairs<N extends number> = N extends 1 ? [number, number] : ReadonlyArray<readonly [number, number]>;

/** {@link slice} of a rank-1 tensor (TF.js `slice1d`). */
export const slice1d = (x: TensorLike, begin: number, size: number): Tensor1D => ranked('slice1d', 1, x, (t) => slice(t, [begin], [size]));
/** {@link slice} of a rank-2 tensor (TF.js `slice2d`). */
export const slice2d = (x: TensorLike, begin: [number, number], size: [number, number]): Tensor2D => ranked('slice2d', 2, x, (t) => slice(t, begin, size));
/** {@link slice} of a rank-3 tensor (TF.js `slice3d`). */
export const slice3d = (x: TensorLike, begin: [number, number, number], size: [number, number, number]): Tensor3D => ranked('slice3d', 3, x, (t) => slice(t, begin, size));
/** {@link slice} of a rank-4 tensor (TF.js `slice4d`). */
export const slice4d = (x: TensorLike, begin: [number, number, number, number], size: [number, number, number, number]): Tensor4D => ranked('slice4d', 4, x, (t) => slice(t, begin, size));

/** {@link reverse} of a rank-1 tensor (TF.js `reverse1d`). */
export const reverse1d = (x: TensorLike): Tensor1D => ranked('reverse1d', 1, x, (t) => reverse(t));
/** {@link reverse} of a rank-2 tensor along `axis` (default: both), as TF.js `reverse2d`. */
export const reverse2d = (x: TensorLike, axis?: number | number[]): Tensor2D => ranked('reverse2d', 2, x, (t) => reverse(t, axis));
/** {@link reverse} of a rank-3 tensor along `axis` (default: all), as TF.js `reverse3d`. */
export const reverse3d = (x: TensorLike, axis?: number | number[]): Tensor3D => ranked('reverse3d', 3, x, (t) => reverse(t, axis));
/** {@link reverse} of a rank-4 tensor along `axis` (default: all), as TF.js `reverse4d`. */
export const reverse4d = (x: TensorLike, axis?: number | number[]): Tensor4D => ranked('reverse4d', 4, x, (t) => reverse(t, axis));

/** {@link pad} of a rank-1 tensor by `[before, after]` (TF.js `pad1d`). */
export const pad1d = (x: TensorLike, paddings: Pairs<1>, constantValue = 0): Tensor1D => ranked('pad1d', 1, x, (t) => pad(t, [paddings], constantValue));
/** {@link pad} of a rank-2 tensor (TF.js `pad2d`). */
export const pad2d = (x: TensorLike, paddings: Pairs<2>, constantValue = 0): Tensor2D => ranked('pad2d', 2, x, (t) => pad(t, paddings, constantValue));
/** {@link pad} of a rank-3 tensor (TF.js `pad3d`). */
export const pad3d = (x: TensorLike, paddings: Pairs<3>, constantValue = 0): Tensor3D => ranked('pad3d', 3, x, (t) => pad(t, paddings, constantValue));
/** {@link pad} of a rank-4 tensor (TF.js `pad4d`). */
export const pad4d = (x: TensorLike, paddings: Pairs<4>, constantValue = 0): Tensor4D => ranked('pad4d', 4, x, (t) => pad(t, paddings, constantValue));

/** {@link concat} of tensors that all have `rank`. */
function concatRanked(op: string, rank: number, tensors: readonly TensorLike[], axis: number): Tensor {
  if (!Array.isArray(tensors)) return composite(op, () => concat(tensors, axis));
  return withTensorList(op, 'tensors', tensors, (ts) => {
    ts.forEach((t, i) => rankIs(op, `tensors[${i}]`, t, rank));
    return composite(op, () => concat(ts, axis));
  });
}

/** {@link concat} of rank-1 tensors (TF.js `concat1d`). */
export const concat1d = (tensors: readonly TensorLike[]): Tensor1D => concatRanked('concat1d', 1, tensors, 0);
/** {@link concat} of rank-2 tensors along `axis` (TF.js `concat2d`). */
export const concat2d = (tensors: readonly TensorLike[], axis: number): Tensor2D => concatRanked('concat2d', 2, tensors, axis);
/** {@link concat} of rank-3 tensors along `axis` (TF.js `concat3d`). */
export const concat3d = (tensors: readonly TensorLike[], axis: number): Tensor3D => concatRanked('concat3d', 3, tensors, axis);
/** {@link concat} of rank-4 tensors along `axis` (TF.js `concat4d`). */
export const concat4d = (tensors: readonly TensorLike[], axis: number): Tensor4D => concatRanked('concat4d', 4, tensors, axis);
