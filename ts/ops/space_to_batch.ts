/**
 * `spaceToBatchND` and `batchToSpaceND` (TF.js's ops): blocks of the spatial axes moved into
 * the batch axis and back, each a composition of pad/slice, reshape and transpose.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { checkShape, describe, intArg, pairList, show, withTensors, type TensorLike } from './convert.js';
import { pad } from './joining.js';
import { reshape, transpose } from './shape.js';
import { slice } from './slicing.js';

/** `blockShape`: a list of integers ≥ 1 (one per spatial axis). */
function blockShapeArg(op: string, blockShape: unknown): number[] {
  if (!Array.isArray(blockShape)) throw new InvalidArgumentError(`${op}: blockShape must be an array of integers >= 1, got ${describe(blockShape)}`);
  return blockShape.map((b, i) => intArg(op, `blockShape[${i}]`, b, 1));
}

/** `paddings` or `crops`: one `[before, after]` pair of non-negative integers per block axis. */
function pairsArg(op: string, arg: string, v: unknown, m: number): Array<[number, number]> {
  const pairs = pairList(op, arg, v, 'one per entry of blockShape');
  if (pairs.length !== m) throw new InvalidArgumentError(`${op}: ${arg} has ${pairs.length} pairs (${arg} ${show(v)}) but blockShape has ${m} entries; they must match`);
  return pairs;
}

/** Throws unless `x` has an axis per block entry after its batch axis. */
function checkRank(op: string, x: Tensor, m: number): void {
  if (x.rank < 1 + m) {
    throw new InvalidArgumentError(`${op}: x has rank ${x.rank} (shape [${x.shape}]) but needs rank >= ${1 + m}: a batch axis and one axis per entry of blockShape (${m})`);
  }
}

/**
 * Splits the spatial axes into blocks and moves the blocks into the batch, as TF.js
 * `spaceToBatchND(x, blockShape, paddings)`. For `x` of shape `[n, d1, …, dM, …rest]`,
 * `blockShape = [b1, …, bM]` and `paddings = [[p1, q1], …, [pM, qM]]`, the spatial axes are
 * zero-padded (`pi` before, `qi` after; each `pi + di + qi` divisible by `bi`), then the result
 * has shape `[n·b1·…·bM, (p1 + d1 + q1)/b1, …, (pM + dM + qM)/bM, …rest]`: the batch entry
 * `((j1·b2 + j2)·… + jM)·n + k` holds the pixels at offsets `(j1, …, jM)` of each block of
 * sample `k`. Used to run a dilated convolution as an ordinary one. Exact and differentiable
 * (the gradient is {@link batchToSpaceND} of `dy`, as TF.js's).
 *
 * Differences from TF.js 4.22: negative paddings are an error (TF.js returns a tensor of
 * misplaced values); `blockShape` entries must be integers ≥ 1.
 *
 * @example spaceToBatchND(tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), [2, 2], [[0, 0], [0, 0]])  // [[[[1]]], [[[2]]], [[[3]]], [[[4]]]]
 * @throws {@link InvalidArgumentError} for a `blockShape` entry that is not an integer ≥ 1,
 *   `paddings` that are not one pair of non-negative integers per block axis, or `x` of rank
 *   below `1 + blockShape.length`; {@link ShapeError} when a padded spatial axis is not
 *   divisible by its block size; {@link OutOfMemoryError} when the padded `x` would be too large.
 */
export function spaceToBatchND<T extends Tensor = Tensor>(x: T | TensorLike, blockShape: readonly number[], paddings: ReadonlyArray<readonly number[]>): T {
  const op = 'spaceToBatchND';
  return withTensors(op, { x }, (t) => {
    const block = blockShapeArg(op, blockShape);
    const m = block.length;
    const pads = pairsArg(op, 'paddings', paddings, m);
    checkRank(op, t.x, m);
    const s = t.x.shape;
    const padded = s.map((d, i) => (i >= 1 && i <= m ? pads[i - 1][0] + d + pads[i - 1][1] : d));
    for (let i = 0; i < m; i++) {
      if (padded[i + 1] % block[i] !== 0) {
        throw new ShapeError(`${op}: axis ${i + 1} of x padded (${pads[i][0]} + ${s[i + 1]} + ${pads[i][1]} = ${padded[i + 1]}) must be divisible by blockShape[${i}] = ${block[i]} (x shape [${s}], blockShape [${block}], paddings ${show(paddings)})`);
      }
    }
    checkShape(op, padded, 'the padded x');
    const prod = block.reduce((a, b) => a * b, 1);
    const rest = s.slice(1 + m);
    // [n, P1/b1, b1, …, PM/bM, bM, rest] → [b1, …, bM, n, P1/b1, …, PM/bM, rest] → [n·∏b, P1/b1, …].
    const split = [s[0], ...block.flatMap((b, i) => [padded[i + 1] / b, b]), ...rest];
    const perm = [...block.map((_, i) => 2 + 2 * i), 0, ...block.map((_, i) => 1 + 2 * i), ...rest.map((_, i) => 1 + 2 * m + i)];
    const out = [s[0] * prod, ...block.map((b, i) => padded[i + 1] / b), ...rest];
    checkShape(op, out, 'the result shape');
    return composite(op, () => {
      const p = pads.some(([a, b]) => a > 0 || b > 0) ? pad(t.x, s.map((_, i) => (i >= 1 && i <= m ? pads[i - 1] : [0, 0]))) : t.x;
      return reshape(transpose(reshape(p, split), perm), out);
    });
  }) as T;
}

/**
 * Moves blocks of the batch back into the spatial axes and crops them, as TF.js
 * `batchToSpaceND(x, blockShape, crops)`, the inverse of {@link spaceToBatchND}: for `x` of
 * shape `[n·b1·…·bM, d1, …, dM, …rest]` the result has shape
 * `[n, d1·b1 − c1 − e1, …, dM·bM − cM − eM, …rest]` with `crops = [[c1, e1], …, [cM, eM]]`
 * entries removed from the start and the end of each spatial axis. Exact and differentiable
 * (the gradient is {@link spaceToBatchND} of `dy`, as TF.js's).
 *
 * Differences from TF.js 4.22: negative crops, and crops larger than the axis they cut, are
 * errors (TF.js throws for the first and silently keeps the whole axis for the second);
 * `blockShape` entries must be integers ≥ 1, and an empty `blockShape` gives a copy (TF.js
 * throws a TypeError).
 *
 * @example batchToSpaceND(tensor4d([1, 2, 3, 4], [4, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]])  // [[[[1], [2]], [[3], [4]]]]
 * @throws {@link InvalidArgumentError} for a `blockShape` entry that is not an integer ≥ 1,
 *   `crops` that are not one pair of non-negative integers per block axis or that remove more
 *   than an axis holds, or `x` of rank below `1 + blockShape.length`; {@link ShapeError} when
 *   the batch is not divisible by the product of `blockShape`.
 */
export function batchToSpaceND<T extends Tensor = Tensor>(x: T | TensorLike, blockShape: readonly number[], crops: ReadonlyArray<readonly number[]>): T {
  const op = 'batchToSpaceND';
  return withTensors(op, { x }, (t) => {
    const block = blockShapeArg(op, blockShape);
    const m = block.length;
    const cuts = pairsArg(op, 'crops', crops, m);
    checkRank(op, t.x, m);
    const s = t.x.shape;
    const prod = block.reduce((a, b) => a * b, 1);
    if (s[0] % prod !== 0) {
      throw new ShapeError(`${op}: the batch of x (${s[0]}, shape [${s}]) must be divisible by the product of blockShape (${block.join(' · ') || '1'} = ${prod})`);
    }
    const full = block.map((b, i) => s[i + 1] * b);
    cuts.forEach(([c, e], i) => {
      if (c + e > full[i]) {
        throw new InvalidArgumentError(`${op}: crops[${i}] = [${c}, ${e}] removes ${c + e} entries from axis ${i + 1}, which holds ${full[i]} (${s[i + 1]} · blockShape[${i}] = ${block[i]}; x shape [${s}])`);
      }
    });
    const n = s[0] / prod;
    const rest = s.slice(1 + m);
    // [b1, …, bM, n, d1, …, dM, rest] → [n, d1, b1, …, dM, bM, rest] → [n, d1·b1, …, dM·bM, rest].
    const split = [...block, n, ...s.slice(1)];
    const perm = [m, ...block.flatMap((_, i) => [m + 1 + i, i]), ...rest.map((_, i) => 2 * m + 1 + i)];
    const joined = [n, ...full, ...rest];
    checkShape(op, joined, 'the uncropped result shape');
    return composite(op, () => {
      const r = reshape(transpose(reshape(t.x, split), perm), joined);
      if (!cuts.some(([c, e]) => c > 0 || e > 0)) return r;
      return slice(r, [0, ...cuts.map(([c]) => c)], [n, ...cuts.map(([c, e], i) => full[i] - c - e)]);
    });
  }) as T;
}
