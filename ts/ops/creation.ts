/** Creating tensors: from values, constants, identity matrices and ranges. */
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { call, check, outPtr, readOut } from '../engine.js';
import { checkShape, describe, fromFlat, makeTensor, need, type TensorValues } from './convert.js';
import { runOp } from './run.js';

/**
 * A tensor from nested arrays, a flat array or a typed array. Without `shape` the shape is
 * inferred from the nesting (a flat typed array is 1-D); with `shape`, the value count must
 * match it. Values are stored as float32.
 *
 * @example tensor([[1, 2], [3, 4]])         // shape [2, 2]
 * @example tensor([1, 2, 3, 4, 5, 6], [2, 3])
 */
export function tensor(values: TensorValues, shape?: readonly number[]): Tensor {
  return makeTensor('tensor', values, shape);
}

/** A rank-0 tensor holding one number. */
export function scalar(value: number): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new InvalidArgumentError(`scalar: value must be a number, got ${describe(value)}`);
  return fromFlat('scalar', [Number(value)], []);
}

/** A tensor of `shape` filled with `value`. */
export function fill(shape: readonly number[], value: number): Tensor {
  const s = checkShape('fill', shape);
  if (typeof value !== 'number') throw new InvalidArgumentError(`fill: value must be a number, got ${describe(value)}`);
  const t = fromFlat('fill', [], s);
  return value === 0 ? t : fillInPlace(t, value);
}

/** Fills `t` through a view of its values: no JS array of the full size. */
function fillInPlace(t: Tensor, value: number): Tensor {
  const h = t.handleFor('fill');
  return call((e) => {
    check(e.nr_tensor_data(h, outPtr(0)));
    new Float32Array(e.memory.buffer, readOut(0), t.size).fill(value);
    return t;
  });
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return fromFlat('zeros', [], checkShape('zeros', shape));
}

/** A tensor of ones. */
export function ones(shape: readonly number[]): Tensor {
  return fill(shape, 1);
}

/** Zeros with the shape of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape);
}

/** Ones with the shape of `x`. */
export function onesLike(x: Tensor): Tensor {
  return ones(x.shape);
}

/** A copy of `x`. Under `grad` it is the identity: gradients flow through it (TF.js `clone`). */
export function clone(x: Tensor): Tensor {
  const h = need('clone', 'x', x);
  return runOp((e, out) => e.nr_tensor_clone(h, out));
}

/** An identity matrix `[numRows, numColumns]` (square by default). */
export function eye(numRows: number, numColumns: number = numRows): Tensor {
  const [r, c] = checkShape('eye', [numRows, numColumns], 'size');
  const t = zeros([r, c]);
  const h = t.handleFor('eye');
  return call((e) => {
    check(e.nr_tensor_data(h, outPtr(0)));
    const v = new Float32Array(e.memory.buffer, readOut(0), r * c);
    for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
    return t;
  });
}

/**
 * Numbers from `start` (inclusive) to `stop` (exclusive) by `step`, as TF.js `range`.
 * With one argument, `range(n)` is `0..n`.
 */
export function range(start: number, stop?: number, step = 1): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [k, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`range: ${k} must be a finite number, got ${describe(v)}`);
  }
  if (step === 0) throw new InvalidArgumentError('range: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > 0x3fffffff) throw new InvalidArgumentError(`range: ${n} elements is too many`);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return fromFlat('range', v, [n]);
}

/** `num` evenly spaced numbers from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, num: number): Tensor {
  for (const [k, v] of [['start', start], ['stop', stop]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`linspace: ${k} must be a finite number, got ${describe(v)}`);
  }
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`linspace: num must be a non-negative integer, got ${describe(num)}`);
  const v = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) v[i] = start + i * step;
  if (num > 1) v[num - 1] = stop;
  return fromFlat('linspace', v, [num]);
}
