/** `unsortedSegmentSum`: sums of a tensor's slices by segment id (a scatter-add). */
import { Tensor } from '../tensor.js';
import { EXACT_INT, exactInts, intArg, MAX_ELEMENTS, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';

/**
 * Sums the slices of `x` that share a segment id, as TF.js `unsortedSegmentSum`:
 * `y[s, …] = Σ x[i, …]` over the rows `i` with `segmentIds[i] = s`, for `s` in
 * `[0, numSegments)`; a segment no row names is 0. The result has shape
 * `[numSegments, ...x.shape.slice(1)]`.
 *
 * `segmentIds` holds integers (float32 here, int32 in TF.js); a negative id drops its row
 * (TensorFlow's rule), and an id at or past `numSegments` throws, naming it and its position, as
 * TensorFlow's CPU kernel does (TF.js 4.22 drops such a row silently). An id past 2^24 is an
 * error in a given array, and in a tensor where it could name a segment (float32 holds it
 * rounded). TF.js
 * takes a 1-D `segmentIds` of length `x.shape[0]`; neurite also takes the shape of any leading
 * axes of `x` (as TensorFlow does), each covered entry then a row. The sums run in row order in
 * float32.
 * Differentiable w.r.t. `x`: its gradient gathers `dy` at the ids (0 for a dropped row).
 *
 * @example unsortedSegmentSum([10, 20, 30], [0, -1, 1], 2)  // [10, 30]: the row of id -1 is dropped
 *
 * @example unsortedSegmentSum(tensor([[1, 2], [3, 4], [5, 6]]), [0, 2, 0], 3)  // [[6, 8], [0, 0], [3, 4]]
 * @throws {@link InvalidArgumentError} when `segmentIds`'s shape is not a prefix of `x`'s, an
 *   id is not an integer (or NaN), is at or past `numSegments` or past 2^24 (see above), or
 *   `numSegments` is not a
 *   non-negative integer;
 *   {@link OutOfMemoryError} when the result would be too large.
 */
export function unsortedSegmentSum<T extends Tensor = Tensor>(x: T | TensorLike, segmentIds: TensorLike, numSegments: number): T {
  const op = 'unsortedSegmentSum';
  exactInts(op, 'segmentIds', segmentIds);
  return withTensors(op, { x, segmentIds }, (t) => {
    const hx = t.x.handleFor(op, 'x');
    const hi = t.segmentIds.handleFor(op, 'segmentIds');
    const n = intArg(op, 'numSegments', numSegments, 0, MAX_ELEMENTS);
    // Past 2^24 + 1 segments an id past 2^24 would be in range, but float32 holds it rounded.
    if (n > EXACT_INT + 1 && segmentIds instanceof Tensor) exactInts(op, 'segmentIds', segmentIds, true);
    return runOp((e, out) => e.nr_unsorted_segment_sum(hx, hi, n, out));
  }) as T;
}
