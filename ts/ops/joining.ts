/**
 * Joining and repeating tensors: concat, stack, tile and pad (TF.js names and semantics). The
 * inputs may be any TensorLike (`concat([[1], [2, 3]])`, `tile([1, 2], [2])`), temporary
 * tensors freed after the op.
 */
import { writeArgs } from '../engine.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { RawExports } from '../wasm/exports.js';
import { checkSize, describe, intArg, intList, numberArg, pairList, withTensorList, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/** Inputs per call; longer lists are joined in groups whose results are then concatenated. */
const GROUP = 1000;

type JoinExport = (e: RawExports, list: number, n: number, axis: number, out: number) => number;

/** Runs `f` with the list `tensors` as tensors (TensorLike entries as temporaries) and their handles. */
function joined(op: 'concat' | 'stack', tensors: unknown, f: (ts: Tensor[], hs: number[]) => Tensor): Tensor {
  if (!Array.isArray(tensors)) throw new InvalidArgumentError(`${op}: tensors must be an array of Tensors, got ${describe(tensors)}`);
  return withTensorList(op, 'tensors', tensors, (ts) => f(ts, ts.map((t, i) => t.handleFor(op, `tensors[${i}]`))));
}

/** Joins `hs` with `f`; more than GROUP inputs are joined per group, then concatenated. */
function join(op: string, hs: number[], axis: number, f: JoinExport): Tensor {
  if (hs.length <= GROUP) return runOp((e, out) => f(e, writeArgs(op, hs), hs.length, axis, out));
  const parts: Tensor[] = [];
  try {
    for (let i = 0; i < hs.length; i += GROUP) parts.push(join(op, hs.slice(i, i + GROUP), axis, f));
    return join(op, parts.map((t) => t.handleFor(op, 'part')), axis, (e, list, n, ax, out) => e.nr_concat(list, n, ax, out));
  } finally {
    for (const t of parts) t.dispose();
  }
}

/**
 * Checks a long list (joined in groups) across groups, with the messages the core gives for
 * one group: equal ranks, and equal dims except on `axis` (all dims for `stack`).
 */
function checkAcrossGroups(op: 'concat' | 'stack', tensors: readonly Tensor[], axis: number): void {
  const s0 = tensors[0].shape;
  const ax = axis < 0 ? axis + s0.length : axis;
  tensors.forEach((t, i) => {
    const s = t.shape;
    if (op === 'stack') {
      if (s.join() !== s0.join() || s.length !== s0.length) {
        throw new ShapeError(`stack: tensors[${i}] has shape [${s}] but tensors[0] has shape [${s0}]; stack needs equal shapes`);
      }
    } else if (s.length !== s0.length) {
      throw new ShapeError(`concat: tensors[${i}] has rank ${s.length} (shape [${s}]) but tensors[0] has rank ${s0.length} (shape [${s0}])`);
    } else if (s.some((d, k) => k !== ax && d !== s0[k])) {
      throw new ShapeError(`concat: tensors[${i}] has shape [${s}] but tensors[0] has shape [${s0}]; they must match on every axis except axis ${ax}`);
    }
  });
}

/**
 * Joins tensors along an existing axis (default 0), as TF.js `concat`. All inputs have the
 * same rank (at least 1) and the same dimensions except on `axis`; the error names the first
 * input that differs and both shapes. One input gives a copy.
 *
 * @example concat([tensor([[1, 2]]), tensor([[3, 4]])])     // [[1, 2], [3, 4]]
 * @example concat([tensor([[1], [2]]), tensor([[3], [4]])], 1)  // [[1, 3], [2, 4]]
 */
export function concat<T extends Tensor = Tensor>(tensors: readonly (T | TensorLike)[], axis = 0): T {
  return joined('concat', tensors, (ts, hs) => {
    const a = intArg('concat', 'axis', axis);
    if (hs.length > GROUP) checkAcrossGroups('concat', ts, a);
    return join('concat', hs, a, (e, list, n, ax, out) => e.nr_concat(list, n, ax, out));
  }) as T;
}

/**
 * Joins tensors of one shape along a new axis (default 0), as TF.js `stack`: `n` tensors of
 * shape `[d0, ..., dr-1]` give `[..., n, ...]` with `n` at `axis`. `axis` is in
 * `[-r-1, r]`; negative values count from the end of the result.
 *
 * @example stack([tensor([1, 2]), tensor([3, 4])])     // [[1, 2], [3, 4]]
 * @example stack([tensor([1, 2]), tensor([3, 4])], 1)  // [[1, 3], [2, 4]]
 */
export function stack<T extends Tensor = Tensor>(tensors: readonly (T | TensorLike)[], axis = 0): Tensor {
  return joined('stack', tensors, (ts, hs) => {
    const a = intArg('stack', 'axis', axis);
    if (hs.length > GROUP) checkAcrossGroups('stack', ts, a);
    return join('stack', hs, a, (e, list, n, ax, out) => e.nr_stack(list, n, ax, out));
  });
}

/**
 * Repeats `x` `reps[i]` times along each axis `i`, as TF.js `tile`. `reps` has one
 * non-negative integer per axis of `x`.
 *
 * @example tile(tensor([1, 2]), [3])          // [1, 2, 1, 2, 1, 2]
 * @example tile(tensor([[1], [2]]), [1, 2])   // [[1, 1], [2, 2]]
 */
export function tile<T extends Tensor = Tensor>(x: T | TensorLike, reps: readonly number[]): T {
  return withTensors('tile', { x }, ({ x }) => tileOf(x, reps)) as T;
}

function tileOf(x: Tensor, reps: readonly number[]): Tensor {
  const h = x.handleFor('tile', 'x');
  if (!Array.isArray(reps)) throw new InvalidArgumentError(`tile: reps must be an array of integers, got ${describe(reps)}`);
  const r = intList('tile', 'reps', reps);
  // The output size, checked before the core allocates (shape errors are left to the core).
  if (r.length === x.rank && r.every((k) => k >= 0)) {
    const dims = x.shape.map((d, i) => d * r[i]);
    dims.forEach((d, i) => {
      if (d > 0xffffffff) throw new InvalidArgumentError(`tile: axis ${i} of the result would have ${d} entries (${x.shape[i]} × reps[${i}] = ${r[i]}), more than 2^32 - 1 (x shape [${x.shape}], reps [${r}])`);
    });
    checkSize('tile', `the result [${dims}]`, dims.reduce((a, b) => a * b, 1));
  }
  return runOp((e, out) => e.nr_tile(h, writeArgs('tile', r), r.length, out));
}

/** `paddings` as a flat list of non-negative integers (`[before, after]` per axis). */
function padPairs(op: string, paddings: unknown): number[] {
  return pairList(op, 'paddings', paddings, 'one per axis').flat();
}

/**
 * `x` with `paddings[i] = [before, after]` entries of `constantValue` (default 0) before and
 * after it along axis `i`, as TF.js `pad`. `paddings` has one pair of non-negative integers per
 * axis of `x`.
 *
 * @example pad(tensor([1, 2]), [[1, 2]])               // [0, 1, 2, 0, 0]
 * @example pad(tensor([[1]]), [[0, 1], [1, 0]], -1)     // [[-1, 1], [-1, -1]]
 */
export function pad<T extends Tensor = Tensor>(x: T | TensorLike, paddings: ReadonlyArray<readonly [number, number]>, constantValue = 0): T {
  return withTensors('pad', { x }, ({ x }) => {
    const h = x.handleFor('pad', 'x');
    const flat = padPairs('pad', paddings);
    const value = numberArg('pad', 'constantValue', constantValue);
    if (paddings.length === x.rank) {
      const dims = x.shape.map((d, i) => flat[2 * i] + d + flat[2 * i + 1]);
      checkSize('pad', `the result [${dims}]`, dims.reduce((a, b) => a * b, 1));
    }
    return runOp((e, out) => e.nr_pad(h, writeArgs('pad', flat), paddings.length, value, out));
  }) as T;
}

/**
 * `x` padded with its own mirror image, as TF.js `mirrorPad`: `'reflect'` leaves the edge out
 * (`[1, 2, 3]` → `[3, 2, 1, 2, 3, 2]` with `[[2, 1]]`; each padding at most the axis's length
 * − 1), `'symmetric'` repeats it (`[2, 1, 1, 2, 3, 3]`; at most the length). Differentiable: an
 * entry's gradient also collects its mirror images' (TF.js 4.22 drops them).
 *
 * @example mirrorPad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect')   // before a 3×3 conv
 */
export function mirrorPad<T extends Tensor = Tensor>(x: T | TensorLike, paddings: ReadonlyArray<readonly [number, number]>, mode: 'reflect' | 'symmetric'): T {
  return withTensors('mirrorPad', { x }, ({ x }) => {
    const h = x.handleFor('mirrorPad', 'x');
    const flat = padPairs('mirrorPad', paddings);
    if (mode !== 'reflect' && mode !== 'symmetric') throw new InvalidArgumentError(`mirrorPad: mode must be 'reflect' or 'symmetric', got ${describe(mode)}`);
    return runOp((e, out) => e.nr_mirror_pad(h, writeArgs('mirrorPad', flat), paddings.length, mode === 'symmetric' ? 1 : 0, out));
  }) as T;
}
