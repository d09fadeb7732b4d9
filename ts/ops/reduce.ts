/**
 * Reductions over any axes. `axis` is a number, a list, or omitted for all axes; negative
 * axes count from the end. With `keepDims` the reduced axes stay as size-1 dimensions.
 */
import { idOf, REDUCE_OPS, type ReduceOpName } from '../wasm/codes.js';
import { writeArgs } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { composite } from './composite.js';
import type { Tensor } from '../tensor.js';
import { axesOf, axisArg, boolArg, describe, exactInt, extraArgs, resolve, show, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

type Axis = number | number[] | undefined;

const REDUCE_PARAMS = ['x', 'axis', 'keepDims'];
/** NumPy's reductions take `dtype` and `out` before `keepdims`; here keepDims follows axis. */
const NOT_NUMPY = "keepDims comes right after axis (NumPy's dtype and out are not arguments here: tensors are float32)";
/** NumPy's `var(x, axis, dtype, out, ddof)`: the variance here is always the population variance. */
const DDOF = 'the variance divides by the count (ddof 0, as TF.js moments); for the sample variance (ddof 1) multiply it by n / (n − 1)';

/** `x` may be any TensorLike (nested arrays too: `sum([1, 2])`, as TF.js), as a freed temporary. */
function reduce<T extends Tensor>(op: ReduceOpName, x: TensorLike, axis: Axis, keepDims: unknown): T {
  const r = resolve(op, 'x', x);
  try {
    const t = r.temp ?? (x as Tensor);
    const axes = axesOf(op, t, axis);
    const keep = boolArg(op, 'keepDims', keepDims);
    const id = idOf(REDUCE_OPS, op);
    return runOp((e, out) => e.nr_reduce(id, r.handle, writeArgs(op, axes), axes.length, keep ? 1 : 0, out)) as T;
  } finally {
    r.temp?.dispose();
  }
}

/** The reductions that take `(x, axis?, keepDims?)`. */
type Reduction = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'variance';

/**
 * The public `op`: `(x, axis?, keepDims?)`, refusing a fourth argument (NumPy's dtype, out,
 * ddof). Its result type `T` is TF.js's (`sum<Scalar>(x)`), unchecked as a cast.
 */
function reduction(op: Reduction): <T extends Tensor = Tensor>(x: TensorLike, axis?: Axis, keepDims?: boolean) => T {
  return function (x, axis, keepDims) {
    extraArgs(op, arguments.length, REDUCE_PARAMS, op === 'variance' ? DDOF : NOT_NUMPY);
    return reduce(op, x, axis, keepDims);
  };
}

/** @internal The Tensor method `x.op(axis?, keepDims?)`, refusing a third argument (`given`: its arguments.length). */
export function reduceMethod<T extends Tensor>(op: Reduction, x: Tensor, given: number, axis: Axis, keepDims: boolean | undefined): T {
  extraArgs(op, given, ['axis', 'keepDims'], op === 'variance' ? DDOF : NOT_NUMPY);
  return reduce(op, x, axis, keepDims);
}

/**
 * Sum over `axis` (all axes if omitted); 0 over an empty axis. Deterministic: a fixed summation
 * order, the same for any thread count (a run of fewer than 16 values left to right from 0,
 * several such rows at once on SIMD lanes; longer runs in 16 lanes, and runs longer than 16 Ki
 * in chunks whose sums are added pairwise).
 */
export const sum = reduction('sum');
/** Mean over `axis`; NaN over an empty axis (as NumPy). */
export const mean = reduction('mean');
/** Maximum over `axis`; NaN propagates and `+0 > -0`. Throws over an empty axis. */
export const max = reduction('max');
/** Minimum over `axis`; NaN propagates and `-0 < +0`. Throws over an empty axis. */
export const min = reduction('min');
/** Product over `axis`; 1 over an empty axis. */
export const prod = reduction('prod');
/** Population variance over `axis` (divides by the count, as TF.js `moments`). */
export const variance = reduction('variance');

/**
 * Index of the maximum along one axis (default 0, as TF.js), as float indices. Ties give the
 * first index; a NaN counts as the maximum (the first NaN wins, as NumPy; TF.js skips NaN). An
 * axis longer than 2^24 + 1 is an error: float32 holds its last indices only rounded.
 */
export function argMax<T extends Tensor = Tensor>(x: TensorLike, axis = 0): T {
  extraArgs('argMax', arguments.length, ['x', 'axis'], KEEP_ARG);
  return argReduce('argMax', x, axis) as T;
}

/** Index of the minimum along one axis (default 0), as float indices; see {@link argMax} for ties and NaN. */
export function argMin<T extends Tensor = Tensor>(x: TensorLike, axis = 0): T {
  extraArgs('argMin', arguments.length, ['x', 'axis'], KEEP_ARG);
  return argReduce('argMin', x, axis) as T;
}

/** NumPy's `argmax(x, axis, out, keepdims)`. */
export const KEEP_ARG = 'to keep the axis as size 1 (NumPy\'s keepdims), expandDims(argMax(x, axis), axis)';

/** `x` may be any TensorLike (`argMax([1, 3, 2])`), as a freed temporary. */
function argReduce(op: 'argMax' | 'argMin', x: TensorLike, axis: unknown): Tensor {
  return withTensors(op, { x }, ({ x }) => {
    if (typeof axis !== 'number') throw new InvalidArgumentError(`${op}: axis must be a single integer, got ${Array.isArray(axis) ? show(axis) : describe(axis)}`);
    // A scalar has no axis; its only index is 0 (axis 0 and -1 are accepted, as TF.js).
    if (x.rank === 0) {
      axisArg(op, 'axis', axis, [1]);
      return reduce(op, x, [], false);
    }
    const a = axisArg(op, 'axis', axis, x.shape);
    exactInt(op, `the last index along axis ${a} of x`, x.shape[a < 0 ? a + x.rank : a] - 1, `x shape [${x.shape}]`);
    return reduce(op, x, a, false);
  });
}

/** Mean and population variance over `axis`, as TF.js `moments` (`x` any TensorLike, converted once). */
export function moments(x: TensorLike, axis?: Axis, keepDims?: boolean): { mean: Tensor; variance: Tensor } {
  extraArgs('moments', arguments.length, REDUCE_PARAMS, DDOF);
  return withTensors('moments', { x }, ({ x }) => {
    // composite: a failed variance frees the mean, and the parts' errors are this op's (a bad axis said mean).
    const [m, v] = composite('moments', () => [mean(x, axis, keepDims), variance(x, axis, keepDims)]);
    return { mean: m, variance: v };
  });
}
