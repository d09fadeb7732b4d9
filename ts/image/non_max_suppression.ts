/**
 * Non-maximum suppression, as TF.js's `tf.image.nonMaxSuppression*`: the boxes a detector
 * keeps, highest score first, dropping every box that overlaps a kept one too much (or, with
 * soft-NMS, lowering its score). The selection runs in JS on the values read out, as TF.js's
 * `non_max_suppression_impl.ts` (every backend's and every async variant's): the same order,
 * tie-breaking, IoU and soft-NMS arithmetic, so the same boxes and the same score bits.
 *
 * The `*Async` variants do the work when called (neurite reads values synchronously) and
 * return a settled Promise; their errors reject it, as TF.js's async functions do.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from '../ops/composite.js';
import { boolArg, describe, exactInt, fromFlat, intArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { finiteRows } from './options.js';

/** A box still in the running: its score (lowered by soft-NMS), and the selections it has been checked against. */
interface Candidate {
  score: number;
  boxIndex: number;
  suppressBeginIndex: number;
}

/** What one run selects: box indices, their (soft-NMS) scores, and how many are not padding. */
interface Selection {
  indices: number[];
  scores: number[];
  valid: number;
}

/**
 * Checks the arguments as TF.js's `nonMaxSuppSanityCheck` does (and what it lets pass), reads
 * the values, and runs the selection. `null` thresholds are the defaults, as in TF.js.
 */
function suppress(op: string, boxes: TensorLike, scores: TensorLike, maxOutputSize: unknown, iouThreshold: unknown, scoreThreshold: unknown, softNmsSigma: unknown, pad: unknown): Selection {
  return withTensors(op, { boxes, scores }, (t) => {
    const bs = t.boxes.shape;
    const ss = t.scores.shape;
    if (bs.length !== 2 || bs[1] !== 4) throw new InvalidArgumentError(`${op}: boxes must have shape [numBoxes, 4] (rows [y1, x1, y2, x2]), got shape ${show(bs)}`);
    const n = bs[0];
    if (ss.length !== 1 || ss[0] !== n) throw new InvalidArgumentError(`${op}: scores must have shape [${n}] (one score per box; boxes shape ${show(bs)}), got shape ${show(ss)}`);
    exactInt(op, 'the last box index', n - 1, `boxes shape ${show(bs)}`);
    const max = intArg(op, 'maxOutputSize', maxOutputSize, 0);
    const iou = iouThreshold ?? 0.5;
    if (typeof iou !== 'number' || !(iou >= 0 && iou <= 1)) throw new InvalidArgumentError(`${op}: iouThreshold must be a number in [0, 1], got ${describe(iou)}`);
    const minScore = scoreThreshold ?? Number.NEGATIVE_INFINITY;
    if (typeof minScore !== 'number' || Number.isNaN(minScore)) throw new InvalidArgumentError(`${op}: scoreThreshold must be a number (-Infinity keeps every score), got ${describe(minScore)}`);
    const sigma = softNmsSigma ?? 0;
    if (typeof sigma !== 'number' || !(sigma >= 0 && sigma <= 1)) throw new InvalidArgumentError(`${op}: softNmsSigma must be a number in [0, 1] (0 is plain NMS), got ${describe(sigma)}`);
    const padded = boolArg(op, 'padToMaxOutputSize', pad);
    const b = n > 0 ? t.boxes.data() : new Float32Array(0);
    finiteRows(op, b, 4, (i) => `boxes[${i}]`, 'box coordinates must be finite');
    const s = n > 0 ? t.scores.data() : new Float32Array(0);
    // TF.js's sanity check caps maxOutputSize at the number of boxes, padding included.
    return select(b, s, Math.min(max, n), iou, minScore, sigma, padded);
  });
}

/**
 * TF.js's `nonMaxSuppressionImpl_`, step for step. Candidates are the boxes scoring above
 * `scoreThreshold`, sorted ascending so the best is popped from the end; equal scores pop the
 * lower index first. Each popped candidate is compared with the boxes selected since it was
 * last checked, newest first: an IoU ≥ `iouThreshold` drops it; otherwise soft-NMS multiplies
 * its score by `exp(−½·IoU²/σ)` (by 1 when σ = 0). A candidate whose score did not change is
 * selected; one whose score fell but stays above `scoreThreshold` goes back into the list.
 */
function select(boxes: Float32Array, scores: Float32Array, maxOutputSize: number, iouThreshold: number, scoreThreshold: number, softNmsSigma: number, pad: boolean): Selection {
  const candidates: Candidate[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > scoreThreshold) candidates.push({ score: scores[i], boxIndex: i, suppressBeginIndex: 0 });
  }
  candidates.sort(ascending);
  const scale = softNmsSigma > 0 ? -0.5 / softNmsSigma : 0.0;
  const indices: number[] = [];
  const selectedScores: number[] = [];
  while (indices.length < maxOutputSize && candidates.length > 0) {
    const candidate = candidates.pop() as Candidate;
    const { score: originalScore, boxIndex, suppressBeginIndex } = candidate;
    if (originalScore < scoreThreshold) break;
    let ignore = false;
    for (let j = indices.length - 1; j >= suppressBeginIndex; --j) {
      const iou = intersectionOverUnion(boxes, boxIndex, indices[j]);
      if (iou >= iouThreshold) {
        ignore = true;
        break;
      }
      candidate.score = candidate.score * suppressWeight(iouThreshold, scale, iou);
      if (candidate.score <= scoreThreshold) break;
    }
    candidate.suppressBeginIndex = indices.length;
    if (!ignore) {
      if (candidate.score === originalScore) {
        indices.push(boxIndex);
        selectedScores.push(candidate.score);
      } else if (candidate.score > scoreThreshold) {
        binaryInsert(candidates, candidate);
      }
    }
  }
  const valid = indices.length;
  if (pad) {
    for (let i = valid; i < maxOutputSize; i++) {
      indices.push(0);
      selectedScores.push(0);
    }
  }
  return { indices, scores: selectedScores, valid };
}

/**
 * The IoU of boxes `i` and `j`, each `[y1, x1, y2, x2]` with its corners in either order (the
 * min and max of each pair are taken), in f64 as TF.js. A box of zero area has IoU 0 with any box.
 */
function intersectionOverUnion(boxes: Float32Array, i: number, j: number): number {
  const yminI = Math.min(boxes[4 * i], boxes[4 * i + 2]);
  const xminI = Math.min(boxes[4 * i + 1], boxes[4 * i + 3]);
  const ymaxI = Math.max(boxes[4 * i], boxes[4 * i + 2]);
  const xmaxI = Math.max(boxes[4 * i + 1], boxes[4 * i + 3]);
  const yminJ = Math.min(boxes[4 * j], boxes[4 * j + 2]);
  const xminJ = Math.min(boxes[4 * j + 1], boxes[4 * j + 3]);
  const ymaxJ = Math.max(boxes[4 * j], boxes[4 * j + 2]);
  const xmaxJ = Math.max(boxes[4 * j + 1], boxes[4 * j + 3]);
  const areaI = (ymaxI - yminI) * (xmaxI - xminI);
  const areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ);
  if (areaI <= 0 || areaJ <= 0) return 0.0;
  const intersection = Math.max(Math.min(ymaxI, ymaxJ) - Math.max(yminI, yminJ), 0.0) * Math.max(Math.min(xmaxI, xmaxJ) - Math.max(xminI, xminJ), 0.0);
  return intersection / (areaI + areaJ - intersection);
}

/** Soft-NMS's Gaussian penalty `exp(scale·IoU²)` (`scale = −½/σ`), 0 past the IoU threshold. */
function suppressWeight(iouThreshold: number, scale: number, iou: number): number {
  const weight = Math.exp(scale * iou * iou);
  return iou <= iouThreshold ? weight : 0.0;
}

/** Ascending by score; equal scores put the larger index first, so the smaller one pops first. */
function ascending(a: Candidate, b: Candidate): number {
  return a.score - b.score || (a.score === b.score ? b.boxIndex - a.boxIndex : 0);
}

/** Inserts `c` into the sorted `list` before the first entry that compares equal or greater (TF.js's `binaryInsert`). */
function binaryInsert(list: Candidate[], c: Candidate): void {
  let left = 0;
  let right = list.length;
  while (left < right) {
    const middle = left + ((right - left) >>> 1);
    if (ascending(c, list[middle]) > 0) left = middle + 1;
    else right = middle;
  }
  list.splice(left, 0, c);
}

/** The selected indices as a float32 tensor. */
function indicesTensor(op: string, s: Selection): Tensor {
  return fromFlat(op, s.indices, [s.indices.length]);
}

/**
 * The indices of the boxes non-maximum suppression keeps, best score first, as TF.js
 * `tf.image.nonMaxSuppression(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold)`.
 *
 * `boxes` is `[numBoxes, 4]`, rows `[y1, x1, y2, x2]` (either corner first: each pair is
 * ordered before the IoU is taken; any units, the IoU does not depend on them), `scores`
 * `[numBoxes]`. Boxes scoring `scoreThreshold` or less (default −∞; NaN scores never pass) are
 * left out; then the best remaining box is kept and every box whose IoU with it is
 * `iouThreshold` (default 0.5) or more is dropped, until `maxOutputSize` are kept. Equal
 * scores keep the lower index first (as TensorFlow). A box of zero area overlaps nothing.
 *
 * Returns `[k]` (`k ≤ maxOutputSize`) float32 integers (TF.js gives int32): gather the boxes
 * with `gather(boxes, indices)`. A constant under `grad` (TF.js 4.22 has no gradient for it).
 *
 * Differences from TF.js 4.22: none in the result. `maxOutputSize` must be an integer in
 * [0, 2^31 − 1] (TF.js selects ⌈m⌉ boxes for a fraction, none for a negative, all for Infinity: pass
 * `numBoxes`), `scoreThreshold` not NaN
 * (TF.js selects nothing), box coordinates finite (TF.js's IoU of a NaN box is NaN, which
 * keeps the box at score 0).
 *
 * @example
 * const keep = image.nonMaxSuppression([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]], [0.9, 0.8, 0.7], 10);
 * // [0, 2]: box 1 overlaps box 0 (IoU 0.82) and is dropped
 * @throws {@link InvalidArgumentError} when `boxes` is not `[numBoxes, 4]` of finite numbers,
 *   `scores` not `[numBoxes]`, `maxOutputSize` not an integer ≥ 0, `iouThreshold` not in
 *   `[0, 1]`, or `scoreThreshold` NaN.
 */
export function nonMaxSuppression(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY): Tensor {
  const op = 'nonMaxSuppression';
  return indicesTensor(op, suppress(op, boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0, false));
}

/**
 * {@link nonMaxSuppression}, as TF.js `tf.image.nonMaxSuppressionAsync`: the same selection,
 * done during the call; the Promise is settled (an error rejects it).
 *
 * Differences from TF.js 4.22: those of {@link nonMaxSuppression}.
 *
 * @example const keep = await image.nonMaxSuppressionAsync(boxes, scores, 20, 0.5, 0.3);
 */
export async function nonMaxSuppressionAsync(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY): Promise<Tensor> {
  const op = 'nonMaxSuppressionAsync';
  return indicesTensor(op, suppress(op, boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0, false));
}

/**
 * Non-maximum suppression that also returns the scores, with soft-NMS, as TF.js
 * `tf.image.nonMaxSuppressionWithScore(boxes, scores, maxOutputSize, iouThreshold,
 * scoreThreshold, softNmsSigma)`.
 *
 * With `softNmsSigma` = 0 (the default) it selects as {@link nonMaxSuppression}. With σ in
 * `(0, 1]` (Bodla et al. 2017, https://arxiv.org/abs/1704.04503), a box overlapping a kept one
 * by IoU below `iouThreshold` is not dropped but its score is multiplied by `exp(−IoU²/(2σ))`
 * (once per kept box it is checked against); it is kept later if its lowered score still
 * beats the others and stays above `scoreThreshold`. Returns `selectedIndices` `[k]` (float32
 * integers) and `selectedScores` `[k]`, the (lowered) score of each, rounded to float32 as
 * TF.js. Both are constants under `grad` (TF.js 4.22 has no gradient for it).
 *
 * Differences from TF.js 4.22: those of {@link nonMaxSuppression}.
 *
 * @example
 * const { selectedIndices, selectedScores } = image.nonMaxSuppressionWithScore(boxes, scores, 10, 1, 0.1, 0.5);
 * // iouThreshold 1 with σ 0.5: overlapping boxes are down-weighted, not dropped
 * @throws {@link InvalidArgumentError} as {@link nonMaxSuppression}, and when
 *   `softNmsSigma` is not in `[0, 1]`.
 */
export function nonMaxSuppressionWithScore(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY, softNmsSigma = 0): { selectedIndices: Tensor; selectedScores: Tensor } {
  return withScores('nonMaxSuppressionWithScore', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma);
}

/**
 * {@link nonMaxSuppressionWithScore}, as TF.js `tf.image.nonMaxSuppressionWithScoreAsync`:
 * done during the call; the Promise is settled (an error rejects it).
 *
 * Differences from TF.js 4.22: those of {@link nonMaxSuppression}.
 *
 * @example const { selectedIndices, selectedScores } = await image.nonMaxSuppressionWithScoreAsync(boxes, scores, 10, 0.5, 0, 0.3);
 */
export async function nonMaxSuppressionWithScoreAsync(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY, softNmsSigma = 0): Promise<{ selectedIndices: Tensor; selectedScores: Tensor }> {
  return withScores('nonMaxSuppressionWithScoreAsync', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma);
}

function withScores(op: string, boxes: TensorLike, scores: TensorLike, maxOutputSize: unknown, iouThreshold: unknown, scoreThreshold: unknown, softNmsSigma: unknown): { selectedIndices: Tensor; selectedScores: Tensor } {
  const s = suppress(op, boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, softNmsSigma, false);
  const [selectedIndices, selectedScores] = composite(op, () => [indicesTensor(op, s), fromFlat(op, s.scores, [s.scores.length])]);
  return { selectedIndices, selectedScores };
}

/**
 * Non-maximum suppression with an output of fixed length, as TF.js
 * `tf.image.nonMaxSuppressionPadded(boxes, scores, maxOutputSize, iouThreshold, scoreThreshold,
 * padToMaxOutputSize)`: selects as {@link nonMaxSuppression}; with `padToMaxOutputSize`,
 * `selectedIndices` is filled up with 0s to `min(maxOutputSize, numBoxes)` entries (as TF.js,
 * whose sanity check caps `maxOutputSize` at the number of boxes first; TensorFlow pads to
 * `maxOutputSize`). `validOutputs` is a scalar, the number of entries that are selections
 * (they come first). Both float32 (TF.js gives int32), constants under `grad`.
 *
 * Differences from TF.js 4.22: those of {@link nonMaxSuppression}.
 *
 * @example
 * const { selectedIndices, validOutputs } = image.nonMaxSuppressionPadded(boxes, scores, 5, 0.5, -Infinity, true);
 * // selectedIndices [5] (for 5 boxes or more), validOutputs.item() of them selected
 * @throws {@link InvalidArgumentError} as {@link nonMaxSuppression}, and when
 *   `padToMaxOutputSize` is not a boolean.
 */
export function nonMaxSuppressionPadded(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY, padToMaxOutputSize = false): { selectedIndices: Tensor; validOutputs: Tensor } {
  return withValid('nonMaxSuppressionPadded', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, padToMaxOutputSize);
}

/**
 * {@link nonMaxSuppressionPadded}, as TF.js `tf.image.nonMaxSuppressionPaddedAsync`: done
 * during the call; the Promise is settled (an error rejects it).
 *
 * Differences from TF.js 4.22: those of {@link nonMaxSuppression}.
 *
 * @example const { selectedIndices, validOutputs } = await image.nonMaxSuppressionPaddedAsync(boxes, scores, 5, 0.5, 0, true);
 */
export async function nonMaxSuppressionPaddedAsync(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY, padToMaxOutputSize = false): Promise<{ selectedIndices: Tensor; validOutputs: Tensor }> {
  return withValid('nonMaxSuppressionPaddedAsync', boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, padToMaxOutputSize);
}

function withValid(op: string, boxes: TensorLike, scores: TensorLike, maxOutputSize: unknown, iouThreshold: unknown, scoreThreshold: unknown, pad: unknown): { selectedIndices: Tensor; validOutputs: Tensor } {
  const s = suppress(op, boxes, scores, maxOutputSize, iouThreshold, scoreThreshold, 0, pad);
  const [selectedIndices, validOutputs] = composite(op, () => [indicesTensor(op, s), fromFlat(op, [s.valid], [])]);
  return { selectedIndices, validOutputs };
}
