/**
 * Element-wise binary ops with NumPy broadcasting (`[2,3] + [3]`, `[2,1] * [1,3]`, scalars).
 * Either argument may be a number. Comparisons return 0/1 floats.
 */
import { BINARY_OPS, idOf, type BinaryOpName } from '../wasm/codes.js';
import { Tensor } from '../tensor.js';
import { resolve, type TensorLike } from './convert.js';
import { runOp } from './run.js';

function binary<T extends Tensor>(op: BinaryOpName, a: TensorLike, b: TensorLike): T {
  const id = idOf(BINARY_OPS, op);
  if (a instanceof Tensor && b instanceof Tensor) {
    // The usual case, without resolve's records: no temporaries to free.
    const ha = a.handleFor(op, 'a');
    const hb = b.handleFor(op, 'b');
    return runOp((e, out) => e.nr_binary(id, ha, hb, out)) as T;
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
  return runOp((e, out) => e.nr_binary(id, ra.handle, rb.handle, out), temps) as T;
}

/** `a + b`, broadcast. */
export const add = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('add', a, b);
/** `a - b`, broadcast. */
export const sub = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('sub', a, b);
/** `a * b`, broadcast. */
export const mul = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('mul', a, b);
/** `a / b`, broadcast (IEEE: `x / 0` is ±Infinity or NaN). */
export const div = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('div', a, b);
/** `a ** b`, broadcast. IEEE `pow`: `pow(1, y) = 1` even for NaN, and `pow(-1, ±Infinity) = 1` (JS gives NaN). */
export const pow = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('pow', a, b);
/** Element-wise maximum; NaN propagates and `+0 > -0` (as `Math.max`). Its gradient goes to `a` where `a >= b` (at a tie, all of it to `a`, as TF.js: `maximum(x, 0)` has gradient 1 at 0, where `relu` has 0), else to `b`. */
export const maximum = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('maximum', a, b);
/** Element-wise minimum; NaN propagates and `-0 < +0` (as `Math.min`). Its gradient goes to `a` where `a <= b` (at a tie, all of it to `a`, as TF.js), else to `b`. */
export const minimum = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('minimum', a, b);
/** `a == b` as 1/0. */
export const equal = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('equal', a, b);
/** `a != b` as 1/0. */
export const notEqual = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('notEqual', a, b);
/** `a > b` as 1/0. */
export const greater = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('greater', a, b);
/** `a >= b` as 1/0. */
export const greaterEqual = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('greaterEqual', a, b);
/** `a < b` as 1/0. */
export const less = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('less', a, b);
/** `a <= b` as 1/0. */
export const lessEqual = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('lessEqual', a, b);
/** `atan2(a, b)`: the angle of the point `(b, a)`, in `[-π, π]`, broadcast (computed in f64, as TF.js). */
export const atan2 = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('atan2', a, b);
/**
 * The remainder of `a / b` with the sign of `b` (floor modulo, as TF.js and Python `%`):
 * `mod(-1, 3) = 2`, so `floorDiv(a, b) * b + mod(a, b) = a`. `mod(a, 0)` is NaN.
 */
export const mod = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('mod', a, b);
/**
 * `⌊a / b⌋`, broadcast, with the quotient in f64 as TF.js (`floorDiv(1, 0.1)` is 9: 0.1 in
 * float32 is a bit above 0.1). The result stays float32 (TF.js returns int32). Its gradient is
 * TF.js's, that of `a / b` (TensorFlow and JAX give zeros).
 */
export const floorDiv = <T extends Tensor = Tensor>(a: TensorLike, b: TensorLike): T => binary('floorDiv', a, b);
