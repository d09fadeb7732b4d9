/** Creating tensors: from values, constants, identity matrices and ranges. */
import { InvalidArgumentError } from '../errors.js';
import { Tensor, type Scalar, type Tensor1D, type Tensor2D, type Tensor3D, type Tensor4D, type Tensor5D, type Tensor6D } from '../tensor.js';
import type { Rank } from '../types.js';
import { call, check, outPtr, readOut } from '../engine.js';
import { checkShape, checkSize, describe, dtypeArg, extraArgs, f32Value, fromFlat, intArg, makeTensor, numberArg, shapeDims, withTensors, type TensorLike, type TensorValues } from './convert.js';
import { runOp } from './run.js';

/**
 * A tensor from nested arrays, a flat array or a typed array of numbers (`Float32Array`,
 * `Int32Array`, `Uint8Array`, …; not a `DataView` or a `BigInt64Array`). Without `shape` the
 * shape is inferred from the nesting (a flat typed array is 1-D); with `shape`, the value
 * count must match it. Values are stored as float32; `dtype`, if given, must be `'float32'`.
 * The rank is `R` if given (`tensor<Rank.R2>(…)`, as TF.js), else unknown to the type checker
 * (`tensor2d` checks it at run time). Rounding to float32 keeps about 7 significant digits, and a magnitude below float32's
 * smallest (1.4e-45) becomes 0 without an error (as TF.js: `1e-50` is 0, `0.1` is
 * 0.10000000149011612); only values beyond its largest are refused (below).
 *
 * @example tensor([[1, 2], [3, 4]])         // shape [2, 2]
 * @example tensor([1, 2, 3, 4, 5, 6], [2, 3])
 * @throws {@link ShapeError} when the values do not fill `shape` (also a `shape` too large for
 *   any tensor: 4 values for `[65536, 65536]`) or nested arrays are ragged;
 *   {@link InvalidArgumentError} when a value is not a number, a finite number lies beyond
 *   float32's range (`1e39`, which TF.js stores as Infinity), or a typed array's buffer is
 *   detached (transferred to a worker); {@link OutOfMemoryError} when the values are more than
 *   {@link MAX_ELEMENTS}.
 */
export function tensor<R extends Rank = Rank>(values: TensorValues, shape?: readonly number[] | null, dtype?: 'float32'): Tensor<R> {
  dtypeArg('tensor', dtype);
  return makeTensor('tensor', values, shape);
}

/** `tensor` with a required rank (TF.js `tensor1d` … `tensor6d`). */
function ranked(rank: number, values: TensorValues, shape: readonly number[] | null | undefined, dtype: unknown): Tensor {
  const op = `tensor${rank}d`;
  dtypeArg(op, dtype);
  if (shape !== undefined && shape !== null) {
    const s = shapeDims(op, shape);
    if (s.length !== rank) throw new InvalidArgumentError(`${op}: shape must have ${rank} dimension(s), got [${s}]`);
  }
  const t = makeTensor(op, values, shape);
  if (t.rank !== rank) {
    const got = t.shape;
    t.dispose();
    throw new InvalidArgumentError(`${op}: values have rank ${got.length} (shape [${got}]), expected rank ${rank}${rank > 1 ? '; for flat values pass the shape' : ''}`);
  }
  return t;
}

/** A 1-D tensor (TF.js `tensor1d`). @example tensor1d([1, 2, 3]) */
export function tensor1d(values: TensorValues, dtype?: 'float32'): Tensor1D {
  return ranked(1, values, undefined, dtype);
}

/** A 2-D tensor from nested arrays, or flat values with `shape`. @example tensor2d([1, 2, 3, 4], [2, 2]) */
export function tensor2d(values: TensorValues, shape?: readonly [number, number] | null, dtype?: 'float32'): Tensor2D {
  return ranked(2, values, shape, dtype);
}

/** A 3-D tensor from nested arrays, or flat values with `shape`. */
export function tensor3d(values: TensorValues, shape?: readonly [number, number, number] | null, dtype?: 'float32'): Tensor3D {
  return ranked(3, values, shape, dtype);
}

/** A 4-D tensor from nested arrays, or flat values with `shape` (TF.js `tensor4d`). */
export function tensor4d(values: TensorValues, shape?: readonly [number, number, number, number] | null, dtype?: 'float32'): Tensor4D {
  return ranked(4, values, shape, dtype);
}

/** A 5-D tensor from nested arrays, or flat values with `shape` (TF.js `tensor5d`). */
export function tensor5d(values: TensorValues, shape?: readonly [number, number, number, number, number] | null, dtype?: 'float32'): Tensor5D {
  return ranked(5, values, shape, dtype);
}

/** A 6-D tensor from nested arrays, or flat values with `shape` (TF.js `tensor6d`). */
export function tensor6d(values: TensorValues, shape?: readonly [number, number, number, number, number, number] | null, dtype?: 'float32'): Tensor6D {
  return ranked(6, values, shape, dtype);
}

/** A rank-0 tensor holding one number (a boolean gives 1 or 0); a finite number beyond float32's range is an error. */
export function scalar(value: number, dtype?: 'float32'): Scalar {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new InvalidArgumentError(`scalar: value must be a number, got ${describe(value)}`);
  if (typeof value === 'number') f32Value('scalar', 'value', value);
  dtypeArg('scalar', dtype);
  return fromFlat('scalar', [Number(value)], []);
}

/** A tensor of `shape` filled with `value` (a finite number beyond float32's range is an error). */
export function fill<R extends Rank = Rank>(shape: readonly number[], value: number, dtype?: 'float32'): Tensor<R> {
  const s = checkShape('fill', shape);
  f32Value('fill', 'value', numberArg('fill', 'value', value));
  dtypeArg('fill', dtype);
  return withValues('fill', s, (v) => v.fill(value));
}

/**
 * Creates a tensor of `shape` (already checked) and lets `write` set its values through a view
 * of WebAssembly memory: no JS array of the full size is ever built. Disposes the tensor if
 * `write` throws.
 */
function withValues(op: string, shape: readonly number[], write: (v: Float32Array) => void): Tensor {
  const t = fromFlat(op, [], shape);
  try {
    const h = t.handleFor(op);
    return call((e) => {
      check(e.nr_tensor_data(h, outPtr(0)));
      const size = t.size;
      if (size > 0) write(new Float32Array(e.memory.buffer, readOut(0), size));
      return t;
    });
  } catch (err) {
    t.dispose();
    throw err;
  }
}

/** A tensor of zeros (of rank `R` if given, as TF.js's `zeros<Rank.R2>([2, 3])`). */
export function zeros<R extends Rank = Rank>(shape: readonly number[], dtype?: 'float32'): Tensor<R> {
  const s = checkShape('zeros', shape);
  dtypeArg('zeros', dtype);
  return fromFlat('zeros', [], s);
}

/** A tensor of ones (of rank `R` if given, as TF.js's `ones<Rank.R2>([2, 3])`). */
export function ones<R extends Rank = Rank>(shape: readonly number[], dtype?: 'float32'): Tensor<R> {
  const s = checkShape('ones', shape);
  dtypeArg('ones', dtype);
  return withValues('ones', s, (v) => v.fill(1));
}

/** Zeros with the shape of `x`. */
export function zerosLike<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('zerosLike', { x }, (t) => zeros(t.x.shape)) as T;
}

/** Ones with the shape of `x`. */
export function onesLike<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('onesLike', { x }, (t) => ones(t.x.shape)) as T;
}

/** A copy of `x`. Under `grad` it is the identity: gradients flow through it (TF.js `clone`). */
export function clone<T extends Tensor = Tensor>(x: T | TensorLike): T {
  return withTensors('clone', { x }, (t) => {
    const h = t.x.handleFor('clone', 'x');
    return runOp((e, out) => e.nr_tensor_clone(h, out));
  }) as T;
}

/**
 * `x` with no gradient through it (Keras 3 `ops.stop_gradient`, TensorFlow `tf.stop_gradient`,
 * PyTorch `x.detach()`): the same values forward, a constant under `grad`, `variableGrads` and
 * `minimize` — the one backward rule is zero, so what computed `x` gets no gradient by this
 * path. A distillation target, a target network, a straight-through estimator
 * (`x.add(stopGradient(round(x).sub(x)))`). Central differences see through it (the value does
 * move with `x`); the tape, by definition, does not. TF.js has no `stopGradient`.
 *
 * @example minimize(() => losses.meanSquaredError(stopGradient(teacher.predict(x)), student.predict(x)))
 */
export function stopGradient(x: TensorLike): Tensor {
  return withTensors('stopGradient', { x }, (t) => {
    const h = t.x.handleFor('stopGradient', 'x');
    return runOp((e, out) => e.nr_stop_gradient(h, out));
  });
}

/**
 * TF.js's `cast`. Every neurite tensor is float32, so `cast(x, 'float32')` is a copy of `x` (the
 * identity under `grad`, as {@link clone}); any other dtype is an error saying float32 is the
 * only one, never a silently different tensor.
 *
 * @example cast(labels, 'float32')
 */
export function cast<T extends Tensor = Tensor>(x: T | TensorLike, dtype: 'float32'): T {
  if (x instanceof Tensor) x.handleFor('cast', 'x');
  if (dtype === undefined) throw new InvalidArgumentError("cast: dtype is required ('float32', the only dtype neurite supports today)");
  dtypeArg('cast', dtype);
  return withTensors('cast', { x }, (t) => {
    const h = t.x.handleFor('cast', 'x');
    return runOp((e, out) => e.nr_tensor_clone(h, out));
  }) as T;
}

/**
 * An identity matrix `[numRows, numColumns]` (square by default), or with `batchShape` the same
 * matrix repeated to `[...batchShape, numRows, numColumns]` (TF.js's `eye(3, 3, [2])` is
 * `[2, 3, 3]`; TF.js takes 1 to 3 batch axes, neurite any number up to the maximum rank, and
 * `[]` is the plain matrix). `dtype`, if given, must be `'float32'`.
 *
 * @example eye(2, 3, [4]) // shape [4, 2, 3], each [2, 3] block the identity
 */
export function eye(numRows: number, numColumns?: number | null, batchShape?: readonly number[] | null, dtype?: 'float32'): Tensor2D {
  const cols = numColumns ?? numRows;
  dtypeArg('eye', dtype);
  intArg('eye', 'numRows', numRows, 0, 0xffffffff);
  intArg('eye', 'numColumns', cols, 0, 0xffffffff);
  const batch = batchShape === undefined || batchShape === null ? [] : shapeDims('eye', batchShape, 'batchShape');
  if (batch.length > 30) throw new InvalidArgumentError(`eye: batchShape has ${batch.length} axes, so the result's rank ${batch.length + 2} exceeds the maximum rank 32`);
  const shape = checkShape('eye', [...batch, numRows, cols], 'size');
  const [r, c] = shape.slice(-2);
  const count = batch.reduce((a, b) => a * b, 1);
  // NOTE: typed Tensor2D as TF.js's declaration, though a batch gives a higher rank (as TF.js).
  return withValues('eye', shape, (v) => {
    for (let b = 0, o = 0; b < count; b++, o += r * c) {
      for (let i = 0; i < Math.min(r, c); i++) v[o + i * c + i] = 1;
    }
  });
}

/**
 * Numbers from `start` (inclusive) to `stop` (exclusive) by `step`, as TF.js `range`.
 * With one argument, `range(n)` is `0..n`. As TF.js, the default step counts down when
 * `stop < start` (`range(0, -3)` is `[0, -1, -2]`); another step that points away from `stop`
 * gives an empty tensor. Values are `start + i·step` rounded once (TF.js adds the step
 * repeatedly: `range(0, 1, 0.3)` ends with 0.90000004 there, 0.9 here). The element count is
 * checked against {@link MAX_ELEMENTS} before anything is allocated.
 */
export function range(start: number, stop?: number | null, step = 1, dtype?: 'float32'): Tensor1D {
  if (stop === undefined || stop === null) [start, stop] = [0, start];
  for (const [k, v] of [['start', start], ['stop', stop], ['step', step]] as const) numberArg('range', k, v, true);
  dtypeArg('range', dtype);
  if (step === 0) throw new InvalidArgumentError('range: step must not be 0');
  // As TF.js: a step of 1 (the default) counts down when stop < start (range(0, -3) is
  // [0, -1, -2]); any other step pointing away from stop gives an empty tensor.
  if (stop < start && step === 1) step = -1;
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkSize('range', `range(${start}, ${stop}, ${step})`, n);
  return withValues('range', [n], (v) => {
    for (let i = 0; i < n; i++) v[i] = start + i * step;
  });
}

/**
 * `num` evenly spaced numbers from `start` to `stop`, both included. `num` is checked against
 * {@link MAX_ELEMENTS} before anything is allocated.
 */
export function linspace(start: number, stop: number, num: number): Tensor1D {
  extraArgs('linspace', arguments.length, ['start', 'stop', 'num'], "the last value is always stop (NumPy's endpoint=False is linspace(start, stop - (stop - start) / num, num))");
  numberArg('linspace', 'start', start, true);
  numberArg('linspace', 'stop', stop, true);
  if (typeof num !== 'number' || !Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`linspace: num must be a non-negative integer, got ${describe(num)}`);
  checkSize('linspace', `num = ${num}`, num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  return withValues('linspace', [num], (v) => {
    for (let i = 0; i < num; i++) v[i] = start + i * step;
    if (num > 1) v[num - 1] = stop;
  });
}
