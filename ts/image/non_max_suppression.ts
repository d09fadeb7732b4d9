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
import type { Tensor, Tensor1D } from '../tensor.js';
import { composite } from '../ops/composite.js';
import { boolArg, describe, exactInt, fromFlat, intArg, show, withTensors, type TensorLike } from '../ops/convert.js';
import { finiteRows } from './options.js';

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
 * `scoreThreshold`, taken best first; equal scores take the lower index first. Each taken
 * candidate is compared with the boxes selected since it was last checked, newest first: an
 * IoU ≥ `iouThreshold` drops it; otherwise soft-NMS multiplies its score by `exp(−½·IoU²/σ)`
 * (by 1 when σ = 0). A candidate whose score did not change is selected; one whose score fell
 * but stays above `scoreThreshold` goes back among the candidates.
 *
 * TF.js keeps the candidates in a sorted list (a sort of every box, then an insertion per
 * soft-NMS return); here they are a binary heap over typed arrays under the same total order
 * (score, then the lower index), so the same candidate comes out at every step — the same
 * selection and score bits — in O(n + k·log n) for k taken, and each box's corners and area
 * are ordered once (the same float64 values TF.js computes at every comparison).
 */
function select(boxes: Float32Array, scores: Float32Array, maxOutputSize: number, iouThreshold: number, scoreThreshold: number, softNmsSigma: number, pad: boolean): Selection {
  const n = scores.length;
  const hs = new Float64Array(n); // the heap: scores (soft-NMS lowers them in float64, as TF.js)
  const hb = new Int32Array(n); // and their box indices
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i] > scoreThreshold) {
      hs[size] = scores[i];
      hb[size++] = i;
    }
  }
  /** Whether heap entry `a` comes out before `b`: a higher score, or an equal one and a lower index. */
  const first = (a: number, b: number): boolean => hs[a] > hs[b] || (hs[a] === hs[b] && hb[a] < hb[b]);
  const swap = (a: number, b: number): void => {
    const t = hs[a];
    hs[a] = hs[b];
    hs[b] = t;
    const u = hb[a];
    hb[a] = hb[b];
    hb[b] = u;
  };
  const down = (p: number): void => {
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) return;
      const c = l + 1 < size && first(l + 1, l) ? l + 1 : l;
      if (!first(c, p)) return;
      swap(c, p);
      p = c;
    }
  };
  for (let p = (size >> 1) - 1; p >= 0; p--) down(p);
  const corners = new OrderedBoxes(boxes, n);
  /** Per box: the selections it has been checked against (TF.js's `suppressBeginIndex`). */
  const begin = new Int32Array(n);
  const scale = softNmsSigma > 0 ? -0.5 / softNmsSigma : 0.0;
  const indices: number[] = [];
  const selectedScores: number[] = [];
  while (indices.length < maxOutputSize && size > 0) {
    const originalScore = hs[0];
    const boxIndex = hb[0];
    size--;
    swap(0, size);
    down(0);
    if (originalScore < scoreThreshold) break;
    let score = originalScore;
    let ignore = false;
    for (let j = indices.length - 1; j >= begin[boxIndex]; --j) {
      const iou = corners.iou(boxIndex, indices[j]);
      if (iou >= iouThreshold) {
        ignore = true;
        break;
      }
      score = score * suppressWeight(iouThreshold, scale, iou);
      if (score <= scoreThreshold) break;
    }
    begin[boxIndex] = indices.length;
    if (!ignore) {
      if (score === originalScore) {
        indices.push(boxIndex);
        selectedScores.push(score);
      } else if (score > scoreThreshold) {
        // Back among the candidates: sift up from the end.
        hs[size] = score;
        hb[size] = boxIndex;
        for (let c = size++; c > 0 && first(c, (c - 1) >> 1); c = (c - 1) >> 1) swap(c, (c - 1) >> 1);
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
 * Each box `[y1, x1, y2, x2]` (corners in either order) as `[ymin, xmin, ymax, xmax, area]` in
 * float64, the values TF.js's IoU takes the min and max of at every comparison; made for a box
 * when first compared (a high score threshold leaves most boxes out).
 */
class OrderedBoxes {
  readonly #c: Float64Array;
  readonly #made: Uint8Array;
  readonly #boxes: Float32Array;
  constructor(boxes: Float32Array, n: number) {
    this.#boxes = boxes;
    this.#c = new Float64Array(5 * n);
    this.#made = new Uint8Array(n);
  }
  /** The offset of box `i`'s five values. */
  #at(i: number): number {
    const c = this.#c;
    if (this.#made[i] === 0) {
      const b = this.#boxes;
      const ymin = Math.min(b[4 * i], b[4 * i + 2]);
      const xmin = Math.min(b[4 * i + 1], b[4 * i + 3]);
      const ymax = Math.max(b[4 * i], b[4 * i + 2]);
      const xmax = Math.max(b[4 * i + 1], b[4 * i + 3]);
      c[5 * i] = ymin;
      c[5 * i + 1] = xmin;
      c[5 * i + 2] = ymax;
      c[5 * i + 3] = xmax;
      c[5 * i + 4] = (ymax - ymin) * (xmax - xmin);
      this.#made[i] = 1;
    }
    return 5 * i;
  }
  /** The IoU of boxes `i` and `j`, in f64 as TF.js. A box of zero area has IoU 0 with any box. */
  iou(i: number, j: number): number {
    const [a, b, c] = [this.#at(i), this.#at(j), this.#c];
    const areaI = c[a + 4];
    const areaJ = c[b + 4];
    if (areaI <= 0 || areaJ <= 0) return 0.0;
    const intersection = Math.max(Math.min(c[a + 2], c[b + 2]) - Math.max(c[a], c[b]), 0.0) * Math.max(Math.min(c[a + 3], c[b + 3]) - Math.max(c[a + 1], c[b + 1]), 0.0);
    return intersection / (areaI + areaJ - intersection);
  }
}

/** Soft-NMS's Gaussian penalty `exp(scale·IoU²)` (`scale = −½/σ`), 0 past the IoU threshold. */
function suppressWeight(iouThreshold: number, scale: number, iou: number): number {
  const weight = Math.exp(scale * iou * iou);
  return iou <= iouThreshold ? weight : 0.0;
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
export function nonMaxSuppression(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY): Tensor1D {
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
export async function nonMaxSuppressionAsync(boxes: TensorLike, scores: TensorLike, maxOutputSize: number, iouThreshold = 0.5, scoreThreshold = Number.NEGATIVE_INFINITY): Promise<Tensor1D> {
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
