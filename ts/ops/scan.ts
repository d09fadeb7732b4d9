/** Scans: running sums along an axis (TF.js `cumsum`). */
import type { Tensor } from '../tensor.js';
import { boolArg, intArg, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

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
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  return withTensors('cumsum', { x }, ({ x }) => {
    const h = x.handleFor('cumsum', 'x');
    const a = intArg('cumsum', 'axis', axis);
    const ex = boolArg('cumsum', 'exclusive', exclusive);
    const rev = boolArg('cumsum', 'reverse', reverse);
    return runOp((e, out) => e.nr_cumsum(h, a, ex ? 1 : 0, rev ? 1 : 0, out));
  });
}
