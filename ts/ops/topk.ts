/** The k largest entries of each row (TF.js `topk`). */
import { call, check, outPtr, readOut } from '../engine.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { boolArg, exactInt, intArg, withTensors, type TensorLike } from './convert.js';

/**
 * The `k` largest entries (default 1) along the last axis of `x`, largest first, and their
 * indices, as TF.js `topk`: `values` and `indices` have `x`'s shape with the last axis `k`
 * long. Equal values keep their order in the row (the lower index first); as in `max`, NaN
 * ranks above every number and +0 above −0. Indices are float32 values (every tensor is), so a
 * last axis longer than 2^24 + 1 is an error (float32 holds its last indices only rounded). The
 * values are differentiable (the gradient goes to the chosen entries); the indices are a
 * constant. `sorted` is accepted for TF.js code; the result is always sorted (TF.js leaves the
 * order unspecified when `sorted` is false). `x` may be any TensorLike (`topk([1, 5, 3], 2)`).
 *
 * @example const { values, indices } = topk(tensor([[1, 5, 3], [2, 2, 0]]), 2)
 * // values [[5, 3], [2, 2]], indices [[1, 2], [0, 1]]
 */
export function topk<T extends Tensor = Tensor>(x: T | TensorLike, k = 1, sorted = true): { values: T; indices: T } {
  return withTensors('topk', { x }, ({ x }) => {
    const h = x.handleFor('topk', 'x');
    const kk = intArg('topk', 'k', k, 0);
    boolArg('topk', 'sorted', sorted);
    const s = x.shape;
    if (s.length > 0) exactInt('topk', 'the last index along the last axis of x', s[s.length - 1] - 1, `x shape [${s}]`);
    return call((e) => {
      check(e.nr_topk(h, kk, outPtr(0), outPtr(1)));
      const hi = readOut(1);
      const values = wrapHandle(readOut(0));
      return { values, indices: wrapHandle(hi) };
    });
  }) as { values: T; indices: T };
}
