/**
 * Shape ops that keep the values: reshape, transpose, squeeze, expandDims. Their integer
 * arguments go through the checked conversions of `convert.ts`; `x` may be any TensorLike
 * (`reshape([1, 2, 3, 4], [2, 2])`, as TF.js), a temporary tensor freed after the op.
 */
import { writeArgs } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Rank } from '../types.js';
import { describe, intArg, intList, show, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/**
 * The same values under a new shape; one dimension may be `-1` (inferred). `R`, the new rank
 * for the type checker, as TF.js's `reshape<Rank.R2>(x, [2, 3])`, is not inferred from `shape`.
 */
export function reshape<R extends Rank = Rank>(x: TensorLike, shape: readonly number[]): Tensor<R> {
  return withTensors('reshape', { x }, ({ x }) => {
    const h = x.handleFor('reshape', 'x');
    if (!Array.isArray(shape)) throw new InvalidArgumentError(`reshape: shape must be an array, got ${describe(shape)}`);
    // A copy, read once (a hole is undefined; a Proxy or getter cannot change what was checked).
    const dims = Array.from(shape as unknown[], (d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < -1 || d > 0x7fffffff) {
        throw new InvalidArgumentError(`reshape: shape[${i}] must be a non-negative integer or -1, got ${describe(d)} (shape ${show(shape)})`);
      }
      return d;
    });
    return runOp((e, out) => e.nr_reshape(h, writeArgs('reshape', dims), dims.length, out));
  });
}

/** Permutes dimensions: output dim `i` is input dim `perm[i]`; reverses them if `perm` is omitted. */
export function transpose<T extends Tensor = Tensor>(x: T | TensorLike, perm?: readonly number[]): T {
  return withTensors('transpose', { x }, ({ x }) => {
    const h = x.handleFor('transpose', 'x');
    const given = perm !== undefined && perm !== null;
    if (given && !Array.isArray(perm)) throw new InvalidArgumentError(`transpose: perm must be an array of integers, got ${describe(perm)}`);
    const p = given ? intList('transpose', 'perm', perm) : [];
    // Ranges and repeats are checked by the core (negative entries count from the end).
    return runOp((e, out) => e.nr_transpose(h, writeArgs('transpose', p), p.length, given ? 1 : 0, out));
  }) as T;
}

/**
 * Removes size-1 dimensions: all of them, or only those in `axis` (negative axes count from
 * the end). Throws if a listed axis does not have size 1.
 *
 * @example squeeze(zeros([1, 3, 1]))        // shape [3]
 * @example squeeze(zeros([1, 3, 1]), [-1])  // shape [1, 3]
 */
export function squeeze<T extends Tensor = Tensor>(x: TensorLike, axis?: number | readonly number[]): T {
  return withTensors('squeeze', { x }, ({ x }) => {
    const h = x.handleFor('squeeze', 'x');
    const axes = axis === undefined || axis === null ? null : intList('squeeze', 'axis', axis);
    const a = axes ?? [];
    return runOp((e, out) => e.nr_squeeze(h, writeArgs('squeeze', a), a.length, axes ? 1 : 0, out));
  }) as T;
}

/**
 * Inserts a dimension of size 1 at `axis` (default 0). `axis` is in `[-rank-1, rank]`;
 * negative values count from the end of the result, so `-1` appends.
 *
 * @example expandDims(tensor([1, 2]), 1)  // shape [2, 1]
 */
export function expandDims<T extends Tensor = Tensor>(x: TensorLike, axis = 0): T {
  return withTensors('expandDims', { x }, ({ x }) => {
    const h = x.handleFor('expandDims', 'x');
    const a = intArg('expandDims', 'axis', axis);
    return runOp((e, out) => e.nr_expand_dims(h, a, out));
  }) as T;
}
