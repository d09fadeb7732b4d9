/**
 * The ops whose result shape depends on the values, async in TF.js (it must wait for the
 * values to know the shape): `booleanMaskAsync`, `whereAsync`, `setdiff1dAsync`. neurite reads
 * values synchronously, so each does its work when called and returns a settled Promise (also
 * for errors: a rejected one, as TF.js's async functions do). The tensors are created during
 * the call, so a `tidy` around the call tracks them as it tracks any op's result.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor, Tensor2D } from '../tensor.js';
import { composite } from './composite.js';
import { describe, EXACT_INT, exactInt, fromFlat, withTensors, type TensorLike } from './convert.js';
import { reshape } from './shape.js';
import { gather } from './slicing.js';

/**
 * The entries of `tensor` where `mask` is true, as TF.js `booleanMaskAsync(tensor, mask,
 * axis)`. `mask` (rank K ≥ 1) covers the K axes of `tensor` from `axis` (default 0, also for
 * `null`), which are flattened into one axis holding only the masked entries, in row-major
 * order.
 *
 * # Shapes
 * `tensor [...pre, ...maskShape, ...post]` with `pre.length = axis` → `[...pre, count, ...post]`
 * where `count` is the number of true entries of `mask`.
 *
 * Masks are float32 here (TF.js takes bool): an entry is true when it is not 0, NaN included,
 * as neurite's `where` and logical ops read them. The values are taken with `gather`, but the
 * result comes through a Promise, so the op cannot run inside `grad` (nor can TF.js's).
 *
 * Differences from TF.js 4.22: `axis` may be negative (counting from the end; TF.js throws); a
 * mask given as an array keeps fractional entries true (TF.js rounds `0.3` to false).
 *
 * @example await booleanMaskAsync(tensor([[1, 2], [3, 4], [5, 6]]), [1, 0, 1])  // [[1, 2], [5, 6]]
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when `mask` is a scalar,
 *   `axis` is not an integer that leaves room for the mask's axes, or a true entry of `mask`
 *   lies past flat position 2^24 (float32 indices); {@link ShapeError} when
 *   `mask`'s shape is not that of the axes of `tensor` it covers.
 */
export async function booleanMaskAsync(tensor: TensorLike, mask: TensorLike, axis: number | null = 0): Promise<Tensor> {
  const op = 'booleanMaskAsync';
  return withTensors(op, { tensor, mask }, (t) => {
    const shape = t.tensor.shape;
    const ms = t.mask.shape;
    if (ms.length === 0) throw new InvalidArgumentError(`${op}: mask must have rank 1 or more, got a scalar (tensor shape [${shape}])`);
    const r = shape.length;
    const k = ms.length;
    // null is TF.js's "default" too.
    const ax: unknown = axis === null || axis === undefined ? 0 : axis;
    if (typeof ax !== 'number' || !Number.isInteger(ax) || ax < -r || ax > r - k) {
      const got = typeof ax === 'number' ? String(ax) : describe(ax);
      throw new InvalidArgumentError(`${op}: axis must be an integer in [${-r}, ${r - k}] so that the ${k} axes of mask (shape [${ms}]) fit in tensor (shape [${shape}]), got ${got}`);
    }
    const a = ax < 0 ? ax + r : ax;
    const covered = shape.slice(a, a + k);
    if (covered.join() !== ms.join()) {
      throw new ShapeError(`${op}: mask shape [${ms}] must match the shape of tensor's axes ${a}..${a + k - 1}, which is [${covered}] (tensor shape [${shape}], axis ${ax})`);
    }
    const lead = t.mask.size;
    const m = lead > 0 ? t.mask.data() : new Float32Array(0);
    const picked: number[] = [];
    for (let i = 0; i < lead; i++) {
      if (m[i] !== 0) {
        exactInt(op, 'the flat position of a true entry of mask', i, `mask shape [${ms}]`);
        picked.push(i);
      }
    }
    const folded = [...shape.slice(0, a), lead, ...shape.slice(a + k)];
    return composite(op, () => gather(reshape(t.tensor, folded), fromFlat(op, picked, [picked.length]), a));
  });
}

/**
 * The coordinates of the true entries of `condition`, as TF.js `whereAsync(condition)`: a
 * tensor of shape `[count, rank]` whose row `i` is the index of the `i`-th true entry in
 * row-major order. A scalar gives shape `[1, 0]` (true) or `[0, 0]` (false), as TF.js.
 *
 * Conditions are float32 here (TF.js takes bool): an entry is true when it is not 0, NaN
 * included. The coordinates are float32 integers (TF.js gives int32). Not differentiable.
 *
 * Differences from TF.js 4.22: a condition given as an array keeps fractional entries true
 * (TF.js rounds `0.3` to false); a float32 tensor is accepted (TF.js requires bool).
 *
 * @example await whereAsync([[1, 0], [0, 1]])  // [[0, 0], [1, 1]]
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when a coordinate would
 *   pass 2^24, which float32 cannot hold exactly.
 */
export async function whereAsync(condition: TensorLike): Promise<Tensor2D> {
  const op = 'whereAsync';
  return withTensors(op, { condition }, (t) => {
    const shape = t.condition.shape;
    const r = shape.length;
    const c = t.condition.size > 0 ? t.condition.data() : new Float32Array(0);
    const coords: number[] = [];
    const at = new Array<number>(r).fill(0);
    let count = 0;
    for (let i = 0; i < c.length; i++) {
      if (c[i] !== 0) {
        count++;
        for (const v of at) {
          if (v > EXACT_INT) exactInt(op, `a coordinate of the true entry of condition at [${at}]`, v, `condition shape [${shape}]`);
          coords.push(v);
        }
      }
      // Advance the row-major coordinate of entry i + 1.
      for (let d = r - 1; d >= 0; d--) {
        if (++at[d] < shape[d]) break;
        at[d] = 0;
      }
    }
    return fromFlat(op, coords, [count, r]);
  });
}

/**
 * The entries of `x` that are not in `y`, and their positions in `x`, as TF.js
 * `setdiff1dAsync(x, y)`: returns `[out, indices]` with `out[i] = x[indices[i]]`, in `x`'s
 * order; duplicates in `x` are kept. Membership is TF.js's (a `Set` of `y`'s values): NaN
 * matches NaN and −0 matches +0. `indices` holds float32 integers (TF.js gives int32). Not
 * differentiable (TF.js neither).
 *
 * Differences from TF.js 4.22: none in the results (TF.js also requires `x` and `y` to share a
 * dtype, which every neurite tensor does).
 *
 * @example const [out, indices] = await setdiff1dAsync([1, 2, 3, 4, 5, 6], [1, 2, 4])
 * // out [3, 5, 6], indices [2, 4, 5]
 * @throws (the Promise rejects with) {@link InvalidArgumentError} when `x` or `y` is not 1-D,
 *   or a kept entry's index would pass 2^24 (float32 indices).
 */
export async function setdiff1dAsync(x: TensorLike, y: TensorLike): Promise<[Tensor, Tensor]> {
  const op = 'setdiff1dAsync';
  return withTensors(op, { x, y }, (t) => {
    for (const [name, v] of [['x', t.x], ['y', t.y]] as const) {
      if (v.rank !== 1) throw new InvalidArgumentError(`${op}: ${name} must be 1-D, got shape [${v.shape}]`);
    }
    const xv = t.x.data();
    const drop = new Set<number>(t.y.data());
    const out: number[] = [];
    const indices: number[] = [];
    for (let i = 0; i < xv.length; i++) {
      if (!drop.has(xv[i])) {
        exactInt(op, 'the index of a kept entry of x', i, `x has ${xv.length} entries`);
        out.push(xv[i]);
        indices.push(i);
      }
    }
    const [o, idx] = composite(op, () => [fromFlat(op, out, [out.length]), fromFlat(op, indices, [indices.length])]);
    return [o, idx] as [Tensor, Tensor];
  });
}
