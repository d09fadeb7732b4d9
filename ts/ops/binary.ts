/**
 * Element-wise binary ops with NumPy broadcasting (`[2,3] + [3]`, `[2,1] * [1,3]`, scalars).
 * Either argument may be a number. Comparisons return 0/1 floats.
 */
import { BINARY_OPS, idOf, type BinaryOpName } from '../wasm/codes.js';
import { Tensor } from '../tensor.js';
import { resolve, type TensorLike } from './convert.js';
import { runOp } from './run.js';

function binary(op: BinaryOpName, a: TensorLike, b: TensorLike): Tensor {
  const id = idOf(BINARY_OPS, op);
  if (a instanceof Tensor && b instanceof Tensor) {
    // The usual case, without resolve's records: no temporaries to free.
    const ha = a.handleFor(op, 'a');
    const hb = b.handleFor(op, 'b');
    return runOp((e, out) => e.nr_binary(id, ha, hb, out));
  }
  const ra = resolve(op, 'a', a);
  let rb;
  try {
    rb = resolve(op, 'b', b);
  } catch (e) {
    ra.temp?.dispose();
    throw e;
  }
  const temps = ra.temp || rb.temp ? [ra.temp, rb.temp] : undefined;
  return runOp((e, out) => e.nr_binary(id, ra.handle, rb.handle, out), temps);
}

/** `a + b`, broadcast. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
/** `a - b`, broadcast. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
/** `a * b`, broadcast. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
/** `a / b`, broadcast (IEEE: `x / 0` is ±Infinity or NaN). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
/** `a ** b`, broadcast. IEEE `pow`: `pow(1, y) = 1` even for NaN, and `pow(-1, ±Infinity) = 1` (JS gives NaN). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
/** Element-wise maximum; NaN propagates and `+0 > -0` (as `Math.max`). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
/** Element-wise minimum; NaN propagates and `-0 < +0` (as `Math.min`). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
/** `a == b` as 1/0. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b);
/** `a != b` as 1/0. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binary('notEqual', a, b);
/** `a > b` as 1/0. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b);
/** `a >= b` as 1/0. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary('greaterEqual', a, b);
/** `a < b` as 1/0. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('less', a, b);
/** `a <= b` as 1/0. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binary('lessEqual', a, b);
