/**
 * `where(condition, a, b)`: element-wise choice (mirrors `crates/core/src/ops/select.rs`).
 */
import type { Tensor } from '../tensor.js';
import { resolve, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/**
 * Picks `a` where `condition` is non-zero and `b` elsewhere, as TF.js `where`. The three
 * arguments broadcast together (NumPy rules), so `where(mask, x, 0)` and a `[n, 1]` mask
 * against `[n, k]` values both work. NaN in the condition counts as true, `-0` as false.
 * Any argument may be a number.
 *
 * @throws {@link ShapeError} when the shapes do not broadcast
 *   (`where: condition [2,3], a [3] and b [4] cannot be broadcast together`).
 *
 * @example
 * ```ts
 * where(tensor([1, 0, 1]), tensor([1, 2, 3]), -1); // [1, -1, 3]
 * ```
 */
export function where<T extends Tensor = Tensor>(condition: TensorLike, a: T | TensorLike, b: T | TensorLike): T {
  const args: Array<[string, TensorLike]> = [['condition', condition], ['a', a], ['b', b]];
  const resolved: Array<ReturnType<typeof resolve>> = [];
  try {
    for (const [name, v] of args) resolved.push(resolve('where', name, v));
  } catch (e) {
    for (const r of resolved) r.temp?.dispose();
    throw e;
  }
  const [c, x, y] = resolved;
  return runOp((e, out) => e.nr_where(c.handle, x.handle, y.handle, out), resolved.map((r) => r.temp)) as T;
}
