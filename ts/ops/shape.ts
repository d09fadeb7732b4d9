/** Shape ops: reshape, transpose and (more to come) slicing, joining and indexing. */
import { writeArgs } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe, need } from './convert.js';
import { runOp } from './run.js';

/** The same values under a new shape; one dimension may be `-1` (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const h = need('reshape', 'x', x);
  if (!Array.isArray(shape)) throw new InvalidArgumentError(`reshape: shape must be an array, got ${describe(shape)}`);
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < -1 || d > 0x7fffffff) {
      throw new InvalidArgumentError(`reshape: shape[${i}] must be a non-negative integer or -1, got ${describe(d)} (shape ${JSON.stringify(shape)})`);
    }
  });
  return runOp((e, out) => e.nr_reshape(h, writeArgs('reshape', shape), shape.length, out));
}

/** Permutes dimensions: output dim `i` is input dim `perm[i]`; reverses them if `perm` is omitted. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const h = need('transpose', 'x', x);
  if (perm !== undefined && (!Array.isArray(perm) || perm.some((p) => !Number.isInteger(p)))) {
    throw new InvalidArgumentError(`transpose: perm must be an array of integers, got ${JSON.stringify(perm)}`);
  }
  const p = perm ?? [];
  return runOp((e, out) => e.nr_transpose(h, writeArgs('transpose', p), p.length, perm ? 1 : 0, out));
}
