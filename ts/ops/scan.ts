/** Scans: running sums and products along an axis (TF.js `cumsum`, `cumprod`). */
import type { Tensor } from '../tensor.js';
import type { RawExports } from '../wasm/exports.js';
import { boolArg, extraArgs, intArg, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

type ScanExport = 'nr_cumsum' | 'nr_cumprod';

/** NumPy's `cumsum(x, axis, dtype, out)`: here TF.js's (x, axis, exclusive, reverse). */
export const NOT_NUMPY_SCAN = "these are TF.js's arguments (NumPy's dtype and out are not arguments here: tensors are float32)";

/** `op` along `axis` of `x` through the wasm export `fn`, its arguments checked. */
function scan(op: string, fn: ScanExport, x: TensorLike, axis: unknown, exclusive: unknown, reverse: unknown): Tensor {
  return withTensors(op, { x }, ({ x }) => {
    const h = x.handleFor(op, 'x');
    const a = intArg(op, 'axis', axis);
    const ex = boolArg(op, 'exclusive', exclusive);
    const rev = boolArg(op, 'reverse', reverse);
    return runOp((e: RawExports, out) => e[fn](h, a, ex ? 1 : 0, rev ? 1 : 0, out));
  });
}

/**
 * Running sums of `x` along `axis` (default 0; negative counts from the end), as TF.js
 * `cumsum`. `exclusive` leaves each entry out of its own sum (the first is 0); `reverse` sums
 * from the end of the axis. The additions run in that order in float32, as TF.js's, so the
 * values are TF.js `cpu`'s bit for bit. `x` must have rank >= 1; it may be any TensorLike
 * (`cumsum([1, 2, 3])`).
 *
 * @example cumsum(tensor([1, 2, 3, 4]))               // [1, 3, 6, 10]
 * @example cumsum(tensor([1, 2, 3, 4]), 0, true)      // [0, 1, 3, 6]
 * @example cumsum(tensor([[1, 2], [3, 4]]), 1, false, true)  // [[3, 2], [7, 4]]
 */
export function cumsum<T extends Tensor = Tensor>(x: T | TensorLike, axis = 0, exclusive = false, reverse = false): T {
  extraArgs('cumsum', arguments.length, ['x', 'axis', 'exclusive', 'reverse'], NOT_NUMPY_SCAN);
  return scan('cumsum', 'nr_cumsum', x, axis, exclusive, reverse) as T;
}

/**
 * Running products of `x` along `axis` (default 0; negative counts from the end), as TF.js
 * `cumprod`. `exclusive` leaves each entry out of its own product (the first is 1); `reverse`
 * multiplies from the end of the axis. One float32 multiplication per step in that order, as
 * TF.js's, so the values are TF.js `cpu`'s bit for bit. Differentiable (TF.js 4.22 has no
 * gradient for it): the gradient is exact also where `x` holds zeros. `x` must have rank >= 1
 * (TF.js returns 1 for a scalar).
 *
 * @example cumprod(tensor([1, 2, 3, 4]))               // [1, 2, 6, 24]
 * @example cumprod(tensor([1, 2, 3, 4]), 0, true)      // [1, 1, 2, 6]
 * @example cumprod(tensor([[1, 2], [3, 4]]), 1, false, true)  // [[2, 2], [12, 4]]
 */
export function cumprod<T extends Tensor = Tensor>(x: T | TensorLike, axis = 0, exclusive = false, reverse = false): T {
  extraArgs('cumprod', arguments.length, ['x', 'axis', 'exclusive', 'reverse'], NOT_NUMPY_SCAN);
  return scan('cumprod', 'nr_cumprod', x, axis, exclusive, reverse) as T;
}
