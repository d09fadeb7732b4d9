/** `inTopKAsync`: whether each target class is among the k highest predictions. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe, EXACT_INT, exactInt, exactInts, fromFlat, withTensors, type TensorLike } from './convert.js';

/**
 * Whether each target is among the `k` (default 1) largest predictions of its row, as TF.js
 * `inTopKAsync(predictions, targets, k)`: `predictions` `[...batch, classes]` (rank 2 or more),
 * `targets` `[...batch]` holding class indices; the result has `targets`' shape, 1 where the
 * target is in the top `k` and 0 elsewhere (float32: neurite has no bool).
 *
 * Ties are TF.js's: the row is ranked by value, largest first, equal values in index order (a
 * stable sort), so of two equal predictions the lower index ranks first; +0 and −0 are equal.
 * NaN ranks above every number (as in `topk` and `max`; TF.js's sort leaves NaN's place to the
 * engine). neurite reads values synchronously, so the work is done during the call and the
 * Promise is settled (errors reject it, as TF.js's async function does). Not differentiable
 * (TF.js neither).
 *
 * Difference from TF.js 4.22: every target must be an integer class index in `[0, classes)`
 * (TF.js answers 0 for any other value) and at most 2^24 (float32 holds larger ones rounded),
 * and `k` an integer (TF.js rounds a fraction up).
 *
 * @example
 * await inTopKAsync([[20, 10, 40, 30], [30, 50, -20, 10]], [2, 0])      // [1, 0]
 * await inTopKAsync([[20, 10, 40, 30], [30, 50, -20, 10]], [2, 0], 2)   // [1, 1]
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when `predictions` has rank
 *   below 2, `k` is not an integer in `[1, classes]` or a target is not a class index;
 *   {@link ShapeError} when `targets`' shape is not `predictions`' without its last axis.
 */
export async function inTopKAsync<T extends Tensor = Tensor, U extends Tensor = Tensor>(predictions: T | TensorLike, targets: U | TensorLike, k = 1): Promise<U> {
  const op = 'inTopKAsync';
  exactInts(op, 'targets', targets);
  return withTensors(op, { predictions, targets }, (t) => {
    const ps = t.predictions.shape;
    const ts = t.targets.shape;
    if (ps.length < 2) throw new InvalidArgumentError(`${op}: predictions must have rank 2 or more ([...batch, classes]), got shape [${ps}]`);
    if (ts.length !== ps.length - 1 || ts.some((d, i) => d !== ps[i])) {
      throw new ShapeError(`${op}: targets must have the shape of predictions without its last axis, [${ps.slice(0, -1)}]; got [${ts}] (predictions [${ps}])`);
    }
    const classes = ps[ps.length - 1];
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > classes) {
      throw new InvalidArgumentError(`${op}: k must be an integer in [1, ${classes}] (the last dimension of predictions, shape [${ps}]), got ${describe(k)}`);
    }
    const rows = t.targets.size;
    const p = rows > 0 ? t.predictions.data() : new Float32Array(0);
    const target = rows > 0 ? t.targets.data() : new Float32Array(0);
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = target[r];
      // Past 2^24 + 1 classes a target past 2^24 would be in range, but float32 holds it rounded.
      if (c > EXACT_INT && classes > EXACT_INT + 1) exactInt(op, `targets at flat position ${r}`, c, `predictions [${ps}]`);
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        throw new InvalidArgumentError(`${op}: targets holds ${c} at flat position ${r}, not a class index in [0, ${classes}) (predictions [${ps}])`);
      }
      const off = r * classes;
      const v = p[off + c];
      const nan = Number.isNaN(v);
      // The entries ranked before the target: larger (NaN above every number), or equal with a lower index.
      let before = 0;
      for (let j = 0; j < classes && before < k; j++) {
        const u = p[off + j];
        if (nan ? Number.isNaN(u) && j < c : Number.isNaN(u) || u > v || (u === v && j < c)) before++;
      }
      out[r] = before < k ? 1 : 0;
    }
    return fromFlat(op, out, ts);
  }) as U;
}
