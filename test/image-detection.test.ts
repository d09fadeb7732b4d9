// image.cropAndResize, the image.nonMaxSuppression* family, image.threshold, image.transform
// and image.rotateWithOffset against TF.js 4.22 (cpu backend), bit for bit, on the cases
// away from the happy path: odd sizes, flipped boxes and boxes past the image (extrapolation),
// crop sizes of 1, ties in scores, everything suppressed or filtered, maxOutputSize 0,
// soft-NMS, Otsu on constant images, rotations by 0, π and odd angles, every fillMode and
// interpolation of transform with an outputShape. Then TF.js's oddities (checked, so a TF.js
// fix shows up here), what grad gives, every error, and that every call (also a failing one)
// leaves memory().numTensors where it was.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { errorText, rejectionText, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

let before = { numTensors: 0, numHandles: 0 };
beforeEach(() => {
  const m = nr.memory();
  before = { numTensors: m.numTensors, numHandles: m.numHandles };
});
afterEach(() => {
  const m = nr.memory();
  expect({ numTensors: m.numTensors, numHandles: m.numHandles }, 'tensors (and core handles) left alive by the test').toEqual(before);
});

type Result = { shape: number[]; values: number[] };
/** The values of `t` as a plain array, then disposes it. */
function take(t: nr.Tensor): Result {
  const r = { shape: [...t.shape], values: Array.from(t.data()) };
  t.dispose();
  return r;
}
function takeTf(t: tf.Tensor): Result {
  const r = { shape: [...t.shape], values: Array.from(t.dataSync()) };
  t.dispose();
  return r;
}
/**
 * Asserts the same shape and the same float32 values (`toEqual` compares numbers with
 * Object.is: −0 is not +0, NaN is NaN), i.e. the same bits up to NaN payloads.
 */
function sameBits(a: Result, b: Result, what: string): void {
  expect(a.shape, what).toEqual(b.shape);
  expect(a.values, what).toEqual(b.values);
}
const err = errorText;
const rejection = rejectionText;
/** `n` float32 values uniform in [lo, hi). */
function floats(seed: number, n: number, lo = -2, hi = 3): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}
const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

// ---- cropAndResize ---------------------------------------------------------------------------

describe('image.cropAndResize', () => {
  /** Boxes away from the happy path: flipped, past the image on each side, degenerate, tiny. */
  const BOXES = [
    [0, 0, 1, 1],
    [1, 1, 0, 0], // flipped both ways
    [0.2, 0.9, 0.7, 0.1], // flipped left-right
    [-0.5, -0.25, 1.5, 1.25], // past every edge: extrapolation
    [0.3, 0.3, 0.3, 0.3], // a point
    [1, 0, 1, 1], // the last row
    [0.11, 0.37, 0.93, 0.58],
    [-1, 2, -0.2, 3], // entirely outside
    [0.999, 0.001, 1.0001, 0.002], // just past the bottom edge
  ];
  const SHAPES: Array<[number, number, number, number]> = [[3, 5, 7, 2], [2, 1, 4, 1], [1, 6, 1, 3], [2, 2, 2, 1]];
  const CROPS: Array<[number, number]> = [[1, 1], [1, 4], [3, 1], [4, 5], [6, 3], [2, 2]];

  it('gives TF.js\'s bits for every box, crop size and method, on odd sizes', () => {
    let seed = 1;
    for (const s of SHAPES) {
      const values = floats(seed++, sizeOf(s));
      const boxInd = BOXES.map((_, i) => (i * 7) % s[0]);
      const img = nr.tensor(values, s);
      const timg = tf.tensor4d(values, s);
      for (const crop of CROPS) {
        for (const method of ['bilinear', 'nearest'] as const) {
          for (const extrapolation of [0, -1.5, 0.1]) {
            const what = `image [${s}], crop [${crop}], ${method}, extrapolation ${extrapolation}`;
            const a = take(nr.image.cropAndResize(img, BOXES, boxInd, crop, method, extrapolation));
            const b = tf.tidy(() => takeTf(tf.image.cropAndResize(timg, BOXES, boxInd, crop, method, extrapolation)));
            sameBits(a, b, what);
          }
        }
      }
      img.dispose();
      timg.dispose();
    }
  });

  it('random boxes inside and around the image, both methods: the same bits', () => {
    const s: [number, number, number, number] = [2, 9, 4, 3];
    const values = floats(11, sizeOf(s), -100, 100);
    const r = mulberry32(12);
    const boxes = Array.from({ length: 40 }, () => Array.from({ length: 4 }, () => -0.3 + 1.6 * r()));
    const boxInd = boxes.map((_, i) => i % 2);
    for (const method of ['bilinear', 'nearest'] as const) {
      const a = nr.tidy(() => take(nr.image.cropAndResize(nr.tensor(values, s), boxes, boxInd, [5, 7], method, 3)));
      const b = tf.tidy(() => takeTf(tf.image.cropAndResize(tf.tensor4d(values, s), boxes, boxInd, [5, 7], method, 3)));
      sameBits(a, b, method);
    }
  });

  it('defaults (bilinear, extrapolation 0), no boxes, NaN extrapolation, tensors or arrays as inputs', () => {
    const values = floats(3, 2 * 3 * 3 * 1);
    const img = nr.tensor(values, [2, 3, 3, 1]);
    const a = nr.tidy(() => take(nr.image.cropAndResize(img, nr.tensor([[0.5, -1, 1.5, 0.5]]), nr.tensor([1]), [3, 2])));
    const b = tf.tidy(() => takeTf(tf.image.cropAndResize(tf.tensor4d(values, [2, 3, 3, 1]), [[0.5, -1, 1.5, 0.5]], [1], [3, 2])));
    sameBits(a, b, 'defaults');
    expect(nr.tidy(() => take(nr.image.cropAndResize(img, nr.zeros([0, 4]), nr.zeros([0]), [2, 3])))).toEqual({ shape: [0, 2, 3, 1], values: [] });
    const c = take(nr.image.cropAndResize(img, [[-1, -1, -0.5, -0.5]], [0], [1, 2], 'nearest', NaN));
    expect(c.values.every(Number.isNaN)).toBe(true);
    img.dispose();
  });

  it('every error names the argument and the values, and leaks nothing', () => {
    const img = nr.zeros([2, 3, 4, 1]);
    const [rank3, noColumns] = [nr.zeros([3, 4, 1]), nr.zeros([1, 2, 0, 1])];
    const ok = [[0, 0, 1, 1]];
    expect(err(() => nr.image.cropAndResize(rank3, ok, [0], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: image must have rank 4 [batch, height, width, channels], got shape [3,4,1]');
    expect(err(() => nr.image.cropAndResize(noColumns, ok, [0], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: image has no columns (shape [1,2,0,1]); it needs height and width ≥ 1');
    expect(err(() => nr.image.cropAndResize(img, [[0, 0, 1]], [0], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxes must have shape [numBoxes, 4] (rows [y1, x1, y2, x2]), got shape [1,3]');
    expect(err(() => nr.image.cropAndResize(img, ok, [0, 1], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxInd must have shape [1] (one image index per box; boxes shape [1,4]), got shape [2]');
    expect(err(() => nr.image.cropAndResize(img, ok, [2], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxInd[0] = 2 is not an image index: it must be an integer in [0, 2) (image shape [2,3,4,1])');
    expect(err(() => nr.image.cropAndResize(img, [ok[0], ok[0]], [0, -1], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxInd[1] = -1 is not an image index: it must be an integer in [0, 2) (image shape [2,3,4,1])');
    expect(err(() => nr.image.cropAndResize(img, ok, [0.5], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxInd[0] = 0.5 is not an image index: it must be an integer in [0, 2) (image shape [2,3,4,1])');
    expect(err(() => nr.image.cropAndResize(img, ok, [NaN], [2, 2]))).toMatch(/boxInd\[0\] = NaN is not an image index/);
    expect(err(() => nr.image.cropAndResize(img, [[0, 0, 1, 1], [0.1, NaN, 1, 1]], [0, 0], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxes[1] = [0.1,NaN,1,1] has NaN; box coordinates must be finite');
    expect(err(() => nr.image.cropAndResize(img, [[0, 0, Infinity, 1]], [0], [2, 2]))).toMatch(/boxes\[0\] = \[0,0,Infinity,1\] has Infinity/);
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [0, 2]))).toBe('InvalidArgumentError: cropAndResize: cropSize[0] must be an integer in [1, 2147483647], got 0');
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [2, 1.5]))).toBe('InvalidArgumentError: cropAndResize: cropSize[1] must be an integer in [1, 2147483647], got 1.5');
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [2] as never))).toBe('InvalidArgumentError: cropAndResize: cropSize must be [cropHeight, cropWidth], got [2]');
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [2, 2], 'area' as never))).toBe('InvalidArgumentError: cropAndResize: method must be \'bilinear\' or \'nearest\', got "area"');
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [2, 2], 'nearest', '0' as never))).toBe('InvalidArgumentError: cropAndResize: extrapolationValue must be a number, got the string "0"');
    expect(err(() => nr.image.cropAndResize(img, ok, [0], [70000, 70000]))).toMatch(/^OutOfMemoryError: cropAndResize: out of memory allocating .* the crops \[1, 70000, 70000, 1\]/);
    expect(err(() => nr.image.cropAndResize(img, 'boxes' as never, [0], [2, 2]))).toBe('InvalidArgumentError: cropAndResize: boxes must be a Tensor, a number or an array of numbers, got the string "boxes"');
    const gone = nr.tensor([0]);
    gone.dispose();
    expect(err(() => nr.image.cropAndResize(img, ok, gone, [2, 2]))).toBe('DisposedError: cropAndResize: boxInd is a disposed tensor (shape [1])');
    nr.dispose([img, rank3, noColumns]);
  });
});

// ---- non-max suppression ---------------------------------------------------------------------

/** Boxes on a coarse grid (so IoUs tie and overlap a lot), corners in random order, some of zero area. */
function nmsCase(seed: number, n: number): { boxes: number[][]; scores: number[] } {
  const r = mulberry32(seed);
  const q = () => Math.floor(r() * 9) / 4;
  const boxes = Array.from({ length: n }, (_, i) => {
    const [y1, x1] = [q(), q()];
    const [h, w] = i % 7 === 3 ? [0, 1] : [0.25 + q() / 2, 0.25 + q() / 2];
    return r() < 0.5 ? [y1, x1, y1 + h, x1 + w] : [y1 + h, x1 + w, y1, x1];
  });
  // Scores from a few levels, with ties; some fractional.
  const scores = Array.from({ length: n }, () => (r() < 0.7 ? Math.floor(r() * 4) / 4 : r()));
  return { boxes, scores };
}
const indices = (t: nr.Tensor): number[] => take(t).values;

describe('image.nonMaxSuppression and its variants', () => {
  const MAX = [0, 1, 3, 8, 100];
  const IOU = [0, 0.3, 0.5, 1];
  const SCORE = [-Infinity, 0, 0.3, 5];

  it('nonMaxSuppression selects TF.js\'s boxes in TF.js\'s order (ties, flipped corners, zero areas)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { boxes, scores } = nmsCase(seed, 5 + 3 * seed);
      for (const max of MAX) for (const iou of IOU) for (const st of SCORE) {
        const what = `seed ${seed}, max ${max}, iou ${iou}, scoreThreshold ${st}`;
        const a = indices(nr.image.nonMaxSuppression(boxes, scores, max, iou, st));
        const b = tf.tidy(() => takeTf(tf.image.nonMaxSuppression(boxes, scores, max, iou, st)));
        expect(a, what).toEqual(b.values);
      }
    }
  });

  it('the async variants give what TF.js\'s give', async () => {
    const { boxes, scores } = nmsCase(42, 20);
    for (const [max, iou, st] of [[5, 0.5, -Infinity], [20, 0.2, 0.25], [0, 0.5, 0]] as const) {
      const a = indices(await nr.image.nonMaxSuppressionAsync(boxes, scores, max, iou, st));
      const t = await tf.image.nonMaxSuppressionAsync(boxes, scores, max, iou, st);
      expect(a).toEqual(takeTf(t).values);
      for (const sigma of [0, 0.5]) {
        const s = await nr.image.nonMaxSuppressionWithScoreAsync(boxes, scores, max, iou, st, sigma);
        const u = await tf.image.nonMaxSuppressionWithScoreAsync(boxes, scores, max, iou, st, sigma);
        sameBits(take(s.selectedIndices), takeTf(u.selectedIndices), 'indices');
        sameBits(take(s.selectedScores), takeTf(u.selectedScores), 'scores');
      }
      for (const pad of [false, true]) {
        const p = await nr.image.nonMaxSuppressionPaddedAsync(boxes, scores, max, iou, st, pad);
        const q = await tf.image.nonMaxSuppressionPaddedAsync(boxes, scores, max, iou, st, pad);
        sameBits(take(p.selectedIndices), takeTf(q.selectedIndices), 'padded indices');
        sameBits(take(p.validOutputs), takeTf(q.validOutputs), 'validOutputs');
      }
    }
  });

  it('soft-NMS (sigma > 0): TF.js\'s indices and the bits of its lowered scores', () => {
    let lowered = 0;
    for (let seed = 7; seed <= 11; seed++) {
      const { boxes, scores } = nmsCase(seed, 12 + seed);
      for (const sigma of [0, 0.1, 0.5, 1]) for (const iou of [0.3, 0.7, 1]) for (const st of [-Infinity, 0.05, 0.4]) for (const max of [2, 30]) {
        const what = `seed ${seed}, sigma ${sigma}, iou ${iou}, scoreThreshold ${st}, max ${max}`;
        const a = nr.image.nonMaxSuppressionWithScore(boxes, scores, max, iou, st, sigma);
        const b = tf.image.nonMaxSuppressionWithScore(boxes, scores, max, iou, st, sigma);
        const scoresOut = take(a.selectedScores);
        const picked = take(a.selectedIndices);
        sameBits(picked, takeTf(b.selectedIndices), `${what}: indices`);
        sameBits(scoresOut, takeTf(b.selectedScores), `${what}: scores`);
        if (sigma > 0) lowered += scoresOut.values.filter((v, i) => v !== Math.fround(scores[picked.values[i]])).length;
      }
    }
    // The soft path ran: boxes were selected with a lowered score.
    expect(lowered).toBeGreaterThan(20);
  });

  it('thousands of boxes with tied scores (the heap of candidates against TF.js\'s sorted list): the same indices and score bits', () => {
    const r = mulberry32(99);
    const n = 3001;
    const boxes = Array.from({ length: n }, () => {
      const [y, x] = [r() * 10, r() * 10];
      return [y, x, y + 0.2 + r(), x + 0.2 + r()];
    });
    // Scores on a grid of 16 values: ties everywhere; -0 and 0 among them.
    const scores = Array.from({ length: n }, (_, i) => (i % 97 === 0 ? (i % 2 ? -0 : 0) : Math.floor(r() * 16) / 16));
    for (const [max, iou, st, sigma] of [[200, 0.5, -Infinity, 0], [3001, 0.3, 0.1, 0], [150, 0.6, 0.05, 0.5], [400, 1, -Infinity, 0.2]] as const) {
      const a = nr.image.nonMaxSuppressionWithScore(boxes, scores, max, iou, st, sigma);
      const b = tf.image.nonMaxSuppressionWithScore(boxes, scores, max, iou, st, sigma);
      sameBits(take(a.selectedIndices), takeTf(b.selectedIndices), `max ${max}, iou ${iou}, st ${st}, sigma ${sigma}: indices`);
      sameBits(take(a.selectedScores), takeTf(b.selectedScores), `max ${max}, iou ${iou}, st ${st}, sigma ${sigma}: scores`);
    }
  });

  it('padded: pads with 0 to min(maxOutputSize, numBoxes), as TF.js (not to maxOutputSize, as TensorFlow)', () => {
    const { boxes, scores } = nmsCase(5, 6);
    for (const max of [0, 2, 6, 9]) for (const pad of [false, true]) for (const st of [-Infinity, 0.5, 10]) {
      const what = `max ${max}, pad ${pad}, scoreThreshold ${st}`;
      const a = nr.image.nonMaxSuppressionPadded(boxes, scores, max, 0.4, st, pad);
      const b = tf.image.nonMaxSuppressionPadded(boxes, scores, max, 0.4, st, pad);
      sameBits(take(a.selectedIndices), takeTf(b.selectedIndices), what);
      sameBits(take(a.validOutputs), takeTf(b.validOutputs), what);
    }
    const p = nr.image.nonMaxSuppressionPadded([[0, 0, 1, 1], [0, 0, 1, 1]], [0.9, 0.8], 5, 0.5, -Infinity, true);
    expect([take(p.selectedIndices), take(p.validOutputs)]).toEqual([{ shape: [2], values: [0, 0] }, { shape: [], values: [1] }]);
  });

  it('all boxes suppressed but one, everything filtered, no boxes, NaN and infinite scores', () => {
    const same = [[0, 0, 1, 1], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]];
    expect(indices(nr.image.nonMaxSuppression(same, [0.5, 0.5, 0.9, 0.5], 4))).toEqual([2]);
    expect(indices(nr.image.nonMaxSuppression(same, [0.5, 0.5, 0.5, 0.5], 4))).toEqual([0]); // the lowest index of the tie
    expect(indices(nr.image.nonMaxSuppression(same, [0.125, 0.25, 0.375, 0.5], 4, 0.5, 0.5))).toEqual([]); // above, not at
    // Scores are float32: 0.4 is 0.4000000059604645, above the threshold 0.4 (a double), as in TF.js.
    expect(indices(nr.image.nonMaxSuppression(same, [0.1, 0.2, 0.3, 0.4], 4, 0.5, 0.4))).toEqual([3]);
    expect(tf.tidy(() => takeTf(tf.image.nonMaxSuppression(same, [0.1, 0.2, 0.3, 0.4], 4, 0.5, 0.4))).values).toEqual([3]);
    expect(nr.tidy(() => indices(nr.image.nonMaxSuppression(nr.zeros([0, 4]), nr.zeros([0]), 3)))).toEqual([]);
    expect(indices(nr.image.nonMaxSuppression(same, [1, 2, 3, 4], 0))).toEqual([]);
    const odd = [[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5], [6, 6, 7, 7], [8, 8, 9, 9]];
    const scores = [NaN, Infinity, -Infinity, 0.5, Infinity];
    for (const st of [-Infinity, 0, Infinity]) {
      const a = indices(nr.image.nonMaxSuppression(odd, scores, 5, 0.5, st));
      expect(a, `scoreThreshold ${st}`).toEqual(tf.tidy(() => takeTf(tf.image.nonMaxSuppression(odd, scores, 5, 0.5, st))).values);
    }
    expect(indices(nr.image.nonMaxSuppression(odd, scores, 5))).toEqual([1, 4, 3]);
  });

  it('boxes in any units: IoU on the ordered corners (TF.js\'s), zero-area boxes overlap nothing', () => {
    const boxes = [[10, 10, 50, 50], [50, 50, 12, 12], [30, 30, 30, 90], [11, 11, 49, 49]];
    for (const iou of [0, 0.5, 0.9]) {
      expect(indices(nr.image.nonMaxSuppression(boxes, [0.9, 0.8, 0.95, 0.7], 4, iou)), `iou ${iou}`)
        .toEqual(tf.tidy(() => takeTf(tf.image.nonMaxSuppression(boxes, [0.9, 0.8, 0.95, 0.7], 4, iou))).values);
    }
  });

  it('every error names the argument and the values; the async variants reject (never throw)', async () => {
    const b = [[0, 0, 1, 1], [0, 0, 2, 2]];
    const s = [0.5, 0.6];
    const nms = nr.image.nonMaxSuppression;
    expect(err(() => nms([0, 0, 1, 1], [1], 1))).toBe('InvalidArgumentError: nonMaxSuppression: boxes must have shape [numBoxes, 4] (rows [y1, x1, y2, x2]), got shape [4]');
    expect(err(() => nms([[0, 0, 1]], [1], 1))).toBe('InvalidArgumentError: nonMaxSuppression: boxes must have shape [numBoxes, 4] (rows [y1, x1, y2, x2]), got shape [1,3]');
    expect(err(() => nms(b, [1], 1))).toBe('InvalidArgumentError: nonMaxSuppression: scores must have shape [2] (one score per box; boxes shape [2,4]), got shape [1]');
    expect(err(() => nms(b, [[1, 2]], 1))).toBe('InvalidArgumentError: nonMaxSuppression: scores must have shape [2] (one score per box; boxes shape [2,4]), got shape [1,2]');
    expect(err(() => nms(b, s, -1))).toBe('InvalidArgumentError: nonMaxSuppression: maxOutputSize must be an integer in [0, 2147483647], got -1');
    expect(err(() => nms(b, s, 1.5))).toBe('InvalidArgumentError: nonMaxSuppression: maxOutputSize must be an integer in [0, 2147483647], got 1.5');
    expect(err(() => nms(b, s, NaN))).toBe('InvalidArgumentError: nonMaxSuppression: maxOutputSize must be an integer in [0, 2147483647], got NaN');
    expect(err(() => nms(b, s, undefined as never))).toBe('InvalidArgumentError: nonMaxSuppression: maxOutputSize must be an integer in [0, 2147483647], got undefined');
    expect(err(() => nms(b, s, 1, 1.5))).toBe('InvalidArgumentError: nonMaxSuppression: iouThreshold must be a number in [0, 1], got 1.5');
    expect(err(() => nms(b, s, 1, NaN))).toBe('InvalidArgumentError: nonMaxSuppression: iouThreshold must be a number in [0, 1], got NaN');
    expect(err(() => nms(b, s, 1, -0.1))).toBe('InvalidArgumentError: nonMaxSuppression: iouThreshold must be a number in [0, 1], got -0.1');
    expect(err(() => nms(b, s, 1, 0.5, NaN))).toBe('InvalidArgumentError: nonMaxSuppression: scoreThreshold must be a number (-Infinity keeps every score), got NaN');
    expect(err(() => nms(b, s, 1, 0.5, '0' as never))).toBe('InvalidArgumentError: nonMaxSuppression: scoreThreshold must be a number (-Infinity keeps every score), got the string "0"');
    expect(err(() => nms([[0, 0, 1, 1], [0, NaN, 1, 1]], s, 1))).toBe('InvalidArgumentError: nonMaxSuppression: boxes[1] = [0,NaN,1,1] has NaN; box coordinates must be finite');
    expect(err(() => nr.image.nonMaxSuppressionWithScore(b, s, 1, 0.5, 0, 1.5))).toBe('InvalidArgumentError: nonMaxSuppressionWithScore: softNmsSigma must be a number in [0, 1] (0 is plain NMS), got 1.5');
    expect(err(() => nr.image.nonMaxSuppressionWithScore(b, s, 1, 0.5, 0, NaN))).toMatch(/softNmsSigma must be a number in \[0, 1\] .*got NaN$/);
    expect(err(() => nr.image.nonMaxSuppressionPadded(b, s, 1, 0.5, 0, 1 as never))).toBe('InvalidArgumentError: nonMaxSuppressionPadded: padToMaxOutputSize must be true or false, got 1');
    // null is the default, as TF.js's sanity check reads it.
    expect(indices(nms(b, s, 2, null as never, null as never))).toEqual([1, 0]);
    expect(indices(nms(b, s, 2, null as never, null as never))).toEqual(tf.tidy(() => takeTf(tf.image.nonMaxSuppression(b, s, 2, null as never, null as never))).values);
    const gone = nr.tensor(s);
    gone.dispose();
    expect(err(() => nms(b, gone, 1))).toBe('DisposedError: nonMaxSuppression: scores is a disposed tensor (shape [2])');
    expect(await rejection(() => nr.image.nonMaxSuppressionAsync(b, s, -1))).toBe('InvalidArgumentError: nonMaxSuppressionAsync: maxOutputSize must be an integer in [0, 2147483647], got -1');
    expect(await rejection(() => nr.image.nonMaxSuppressionAsync(b, gone, 1))).toBe('DisposedError: nonMaxSuppressionAsync: scores is a disposed tensor (shape [2])');
    expect(await rejection(() => nr.image.nonMaxSuppressionWithScoreAsync(b, s, 1, 0.5, 0, -1))).toMatch(/^InvalidArgumentError: nonMaxSuppressionWithScoreAsync: softNmsSigma/);
    expect(await rejection(() => nr.image.nonMaxSuppressionPaddedAsync([[1]], s, 1))).toMatch(/^InvalidArgumentError: nonMaxSuppressionPaddedAsync: boxes must have shape/);
  });
});

// ---- threshold -------------------------------------------------------------------------------

describe('image.threshold', () => {
  /** Pixels 0–255 with fractional values, exact thresholds and halves (Otsu's rounding). */
  function pixels(seed: number, n: number): Float32Array {
    const r = mulberry32(seed);
    const special = [127.5, 127, 128, 0, 255, 76.5, 0.5, 1.5, 254.5, 255.5, 300, -0.4];
    return Float32Array.from({ length: n }, () => (r() < 0.2 ? special[Math.floor(r() * special.length)] : r() < 0.5 ? Math.floor(r() * 256) : r() * 256));
  }

  it('binary, inverted and Otsu on 1 and 3 channels, odd sizes: TF.js\'s pixels', () => {
    let seed = 1;
    for (const s of [[5, 7, 1], [3, 4, 3], [1, 1, 1], [9, 2, 3], [13, 11, 1]] as Array<[number, number, number]>) {
      const v = pixels(seed++, sizeOf(s));
      const img = nr.tensor(v, s);
      const timg = tf.tensor3d(v, s);
      // Otsu ignores threshValue (and TF.js's Otsu runs 255 rounds of tensor ops: one value is enough).
      const cases = [...[0.5, 0, 1, 0.3, 0.77, -1, 2].map((tv) => ['binary', tv] as const), ['otsu', 0.5] as const];
      for (const [method, tv] of cases) for (const inverted of [false, true]) {
        const what = `[${s}] ${method} inverted ${inverted} threshValue ${tv}`;
        sameBits(take(nr.image.threshold(img, method, inverted, tv)), tf.tidy(() => takeTf(tf.image.threshold(timg, method, inverted, tv))), what);
      }
      img.dispose();
      timg.dispose();
    }
  });

  it('a two-level image: Otsu splits it between the levels (TF.js\'s threshold)', () => {
    const v = Float32Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 40 : 200) + (i % 5));
    const a = nr.tidy(() => take(nr.image.threshold(nr.tensor(v, [6, 10, 1]), 'otsu')));
    sameBits(a, tf.tidy(() => takeTf(tf.image.threshold(tf.tensor3d(v, [6, 10, 1]), 'otsu'))), 'bimodal');
    expect(a.values.filter((p) => p === 255).length).toBe(40);
  });

  it('Otsu on constant images: every pixel 255 (inverted: 0), as TF.js', () => {
    for (const [level, c] of [[0, 1], [7, 1], [255, 1], [100, 3], [300, 1]] as const) {
      const s = [3, 5, c];
      const v = new Float32Array(sizeOf(s)).fill(level);
      for (const inverted of [false, true]) {
        const a = nr.tidy(() => take(nr.image.threshold(nr.tensor(v, s), 'otsu', inverted)));
        sameBits(a, tf.tidy(() => takeTf(tf.image.threshold(tf.tensor3d(v, s as [number, number, number]), 'otsu', inverted))), `level ${level}, ${c} channels, inverted ${inverted}`);
        expect(new Set(a.values)).toEqual(new Set([inverted ? 0 : 255]));
      }
    }
  });

  it('defaults, nested arrays, empty images, shape [h, w, 1] for RGB', () => {
    const rgb = [[[10, 200, 30], [255, 255, 255]], [[0, 0, 0], [128, 128, 128]]];
    const a = take(nr.image.threshold(rgb));
    sameBits(a, tf.tidy(() => takeTf(tf.image.threshold(rgb))), 'rgb');
    expect(a).toEqual({ shape: [2, 2, 1], values: [0, 255, 0, 255] });
    expect(nr.tidy(() => take(nr.image.threshold(nr.zeros([0, 3, 1]), 'otsu')))).toEqual({ shape: [0, 3, 1], values: [] });
    // NaN pixels are 0 both ways (binary), as TF.js.
    sameBits(take(nr.image.threshold([[[NaN]], [[200]]], 'binary', true)), tf.tidy(() => takeTf(tf.image.threshold(tf.tensor3d([NaN, 200], [2, 1, 1]), 'binary', true))), 'NaN');
  });

  it('every error names the argument and the values', () => {
    expect(err(() => nr.image.threshold([[1, 2], [3, 4]]))).toBe('InvalidArgumentError: threshold: image must have shape [height, width, 1 or 3], got shape [2,2]');
    expect(err(() => nr.image.threshold([[[1, 2]]]))).toBe('InvalidArgumentError: threshold: image must have shape [height, width, 1 or 3], got shape [1,1,2]');
    expect(err(() => nr.image.threshold([[[1]]], 'OTSU' as never))).toBe('InvalidArgumentError: threshold: method must be \'binary\' or \'otsu\', got "OTSU"');
    expect(err(() => nr.image.threshold([[[1]]], 'binary', 1 as never))).toBe('InvalidArgumentError: threshold: inverted must be true or false, got 1');
    expect(err(() => nr.image.threshold([[[1]]], 'binary', false, NaN))).toBe('InvalidArgumentError: threshold: threshValue must be a number (a fraction of 255), got NaN');
    expect(err(() => nr.image.threshold([[[1]]], 'binary', false, '0.5' as never))).toBe('InvalidArgumentError: threshold: threshValue must be a number (a fraction of 255), got the string "0.5"');
    expect(err(() => nr.image.threshold([[[1], [2]], [[NaN], [3]]], 'otsu'))).toBe('InvalidArgumentError: threshold: \'otsu\' needs gray levels that are finite and round to 0 or more, got NaN at pixel [1, 0] (image shape [2,2,1])');
    expect(err(() => nr.image.threshold([[[1], [-0.6]]], 'otsu'))).toBe('InvalidArgumentError: threshold: \'otsu\' needs gray levels that are finite and round to 0 or more, got -0.6 at pixel [0, 1] (image shape [1,2,1])');
    // TF.js throws on a negative level too (a plain Error from its bincount).
    expect(String(thrown(() => tf.tidy(() => tf.image.threshold(tf.tensor3d([1, -0.6], [1, 2, 1]), 'otsu'))))).toBe('Error: Input x must be non-negative!');
    const gone = nr.zeros([1, 1, 1]);
    gone.dispose();
    expect(err(() => nr.image.threshold(gone))).toBe('DisposedError: threshold: image is a disposed tensor (shape [1,1,1])');
  });
});

// ---- transform and rotateWithOffset ----------------------------------------------------------

describe('image.transform', () => {
  /** Transforms that sample inside, past every edge, far away (wrap/reflect periods), projectively, and with k = 0 somewhere. */
  const TRANSFORMS = [
    [1, 0, 0, 0, 1, 0, 0, 0], // identity
    [1, 0, 2.5, 0, 1, -1.25, 0, 0], // a shift past two edges
    [0.7, -0.45, 1.3, 0.45, 0.7, -0.8, 0, 0], // a rotation with scale
    [-1, 0, 6, 0, 1.5, 0, 0, 0], // a mirror, stretched
    [3.1, 0.2, -9.7, -0.3, 2.9, 14.2, 0, 0], // far outside: several periods
    [1, 0.1, 0, 0.05, 1, 0, 0.02, -0.03], // projective
    [1, 0, 0, 0, 1, 0, -0.5, 0], // k = 0 at x = 2
  ];
  const MODES = ['constant', 'reflect', 'wrap', 'nearest'] as const;
  const INTERPOLATIONS = ['nearest', 'bilinear'] as const;

  it('every fillMode with both interpolations, with and without an outputShape: TF.js\'s bits', () => {
    let seed = 1;
    for (const s of [[1, 5, 7, 2], [1, 1, 4, 1], [1, 4, 1, 3], [1, 2, 2, 1]] as Array<[number, number, number, number]>) {
      const v = floats(seed++, sizeOf(s), -10, 10);
      const img = nr.tensor(v, s);
      const timg = tf.tensor4d(v, s);
      for (const m of TRANSFORMS) for (const mode of MODES) for (const interp of INTERPOLATIONS) for (const out of [undefined, [3, 9], [1, 1], [6, 2]] as Array<[number, number] | undefined>) {
        for (const fill of [0, -3.25]) {
          const what = `image [${s}], transform [${m}], ${mode}, ${interp}, outputShape ${out}, fill ${fill}`;
          const a = take(nr.image.transform(img, [m], interp, mode, fill, out));
          const b = tf.tidy(() => takeTf(tf.image.transform(timg, tf.tensor2d([m]), interp, mode, fill, out)));
          sameBits(a, b, what);
        }
      }
      img.dispose();
      timg.dispose();
    }
  });

  it('a batch: each image with its own transform or one for all, as TF.js gives for each image alone', () => {
    const s: [number, number, number, number] = [3, 4, 5, 2];
    const v = floats(21, sizeOf(s));
    const per = sizeOf(s.slice(1));
    for (const rows of [TRANSFORMS.slice(1, 4), [TRANSFORMS[2]]]) for (const mode of MODES) {
      const a = nr.tidy(() => take(nr.image.transform(nr.tensor(v, s), rows, 'bilinear', mode, 1.5, [3, 6])));
      const expected: number[] = [];
      for (let b = 0; b < 3; b++) {
        const one = tf.tensor4d(v.slice(b * per, (b + 1) * per), [1, 4, 5, 2]);
        expected.push(...takeTf(tf.image.transform(one, tf.tensor2d([rows[rows.length === 1 ? 0 : b]]), 'bilinear', mode, 1.5, [3, 6])).values);
        one.dispose();
      }
      sameBits(a, { shape: [3, 3, 6, 2], values: expected }, `${rows.length} row(s), ${mode}`);
    }
  });

  it('TF.js 4.22\'s CPU kernel transforms only the first image of a batch (neurite transforms all)', () => {
    const v = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const ident = [[1, 0, 0, 0, 1, 0, 0, 0]];
    const t = tf.tidy(() => takeTf(tf.image.transform(tf.tensor4d(v, [2, 2, 2, 1]), tf.tensor2d(ident), 'nearest', 'constant', 9)));
    expect(t.values).toEqual([1, 2, 3, 4, 9, 9, 9, 9]);
    expect(nr.tidy(() => take(nr.image.transform(nr.tensor(v, [2, 2, 2, 1]), ident, 'nearest', 'constant', 9))).values).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('TensorFlow\'s wrap quirk, kept: far past the edge it does not repeat', () => {
    const row = [1, 2, 3, 4];
    const shift = [1, 0, 6, 0, 1, 0, 0, 0];
    const a = nr.tidy(() => take(nr.image.transform(nr.tensor(row, [1, 1, 4, 1]), shift, 'nearest', 'wrap')));
    expect(a.values).toEqual([1, 1, 1, 1]);
    expect(tf.tidy(() => takeTf(tf.image.transform(tf.tensor4d(row, [1, 1, 4, 1]), tf.tensor2d([shift]), 'nearest', 'wrap'))).values).toEqual([1, 1, 1, 1]);
    // One image past the edge it does wrap: a shift by 1 gives [2, 3, 4, 1].
    expect(nr.tidy(() => take(nr.image.transform(nr.tensor(row, [1, 1, 4, 1]), [1, 0, 1, 0, 1, 0, 0, 0], 'nearest', 'wrap'))).values).toEqual([2, 3, 4, 1]);
  });

  it('defaults, a rank-1 transform, empty outputs', () => {
    const v = floats(5, 12);
    const m = [0.9, 0.1, 0.4, -0.2, 1.1, 0.3, 0, 0];
    const a = nr.tidy(() => take(nr.image.transform(nr.tensor(v, [1, 3, 4, 1]), m)));
    sameBits(a, tf.tidy(() => takeTf(tf.image.transform(tf.tensor4d(v, [1, 3, 4, 1]), tf.tensor2d([m])))), 'defaults, [8]');
    expect(nr.tidy(() => take(nr.image.transform(nr.tensor(v, [1, 3, 4, 1]), [m], 'nearest', 'wrap', 0, [0, 5])))).toEqual({ shape: [1, 0, 5, 1], values: [] });
    expect(nr.tidy(() => take(nr.image.transform(nr.zeros([0, 3, 4, 1]), [m])))).toEqual({ shape: [0, 3, 4, 1], values: [] });
  });

  it('every error names the argument and the values', () => {
    const img = nr.zeros([2, 3, 3, 1]);
    const id = [[1, 0, 0, 0, 1, 0, 0, 0]];
    expect(err(() => nr.image.transform([[[1]]], id))).toBe('InvalidArgumentError: transform: image must have rank 4 [batch, height, width, channels], got shape [1,1,1]');
    expect(err(() => nr.image.transform(img, [[1, 0, 0, 0, 1, 0, 0]]))).toBe('InvalidArgumentError: transform: transforms must have shape [2, 8] (one row [a0, a1, a2, b0, b1, b2, c0, c1] per image), [1, 8] or [8] (one for all), got shape [1,7] (image shape [2,3,3,1])');
    expect(err(() => nr.image.transform(img, [id[0], id[0], id[0]]))).toMatch(/transforms must have shape \[2, 8\] .* got shape \[3,8\]/);
    expect(err(() => nr.image.transform(img, [1, 0, 0, 0, 1, 0, 0, 0, 0]))).toMatch(/got shape \[9\]/);
    expect(err(() => nr.image.transform(img, [[1, 0, NaN, 0, 1, 0, 0, 0]]))).toBe('InvalidArgumentError: transform: transforms row 0 = [1,0,NaN,0,1,0,0,0] has NaN; transform values must be finite');
    expect(err(() => nr.image.transform(img, id, 'bicubic' as never))).toBe('InvalidArgumentError: transform: interpolation must be \'nearest\' or \'bilinear\', got "bicubic"');
    expect(err(() => nr.image.transform(img, id, 'nearest', 'mirror' as never))).toBe('InvalidArgumentError: transform: fillMode must be \'constant\', \'reflect\', \'wrap\' or \'nearest\', got "mirror"');
    expect(err(() => nr.image.transform(img, id, 'nearest', 'constant', null as never))).toBe('InvalidArgumentError: transform: fillValue must be a number, got null');
    expect(err(() => nr.image.transform(img, id, 'nearest', 'constant', 0, [3] as never))).toBe('InvalidArgumentError: transform: outputShape must be [height, width] (or undefined: the image\'s), got [3]');
    expect(err(() => nr.image.transform(img, id, 'nearest', 'constant', 0, [3, -1]))).toBe('InvalidArgumentError: transform: outputShape[1] must be an integer in [0, 2147483647], got -1');
    const gone = nr.zeros([1, 8]);
    gone.dispose();
    expect(err(() => nr.image.transform(img, gone))).toBe('DisposedError: transform: transforms is a disposed tensor (shape [1,8])');
    img.dispose();
  });
});

describe('image.rotateWithOffset', () => {
  const ANGLES = [0, Math.PI, -Math.PI, Math.PI / 2, -Math.PI / 3, 0.7, 2.5, 10, 1e-9];
  const CENTERS: Array<number | [number, number]> = [0.5, [0.2, 0.9], 0, 1.3, [-0.5, 0.5]];

  it('every angle and centre, numeric and RGB fills, odd sizes: TF.js\'s bits', () => {
    let seed = 1;
    for (const s of [[2, 5, 7, 3], [1, 4, 4, 4], [1, 3, 6, 1], [1, 1, 1, 3]] as Array<[number, number, number, number]>) {
      const v = floats(seed++, sizeOf(s), -5, 5);
      const img = nr.tensor(v, s);
      const timg = tf.tensor4d(v, s);
      for (const angle of ANGLES) for (const center of CENTERS) for (const fill of [0, 7.5, [10, 20, 30]] as Array<number | [number, number, number]>) {
        const what = `image [${s}], radians ${angle}, center ${center}, fill ${fill}`;
        const a = take(nr.image.rotateWithOffset(img, angle, fill, center));
        const b = tf.tidy(() => takeTf(tf.image.rotateWithOffset(timg, angle, fill, center)));
        sameBits(a, b, what);
      }
      img.dispose();
      timg.dispose();
    }
  });

  it('by 0 is the image; by π about the default centre (w/2, h/2) is a half turn moved one pixel (TF.js\'s centre)', () => {
    const v = floats(9, 16);
    expect(nr.tidy(() => take(nr.image.rotateWithOffset(nr.tensor(v, [1, 4, 4, 1]), 0))).values).toEqual(Array.from(v));
    // About (2, 2): pixel (x, y) comes from (4 − x, 4 − y): row 0 and column 0 come from outside.
    const turned = nr.tidy(() => take(nr.image.rotateWithOffset(nr.tensor(v, [1, 4, 4, 1]), Math.PI, -1)));
    const want = Array.from({ length: 16 }, (_, i) => {
      const [y, x] = [Math.floor(i / 4), i % 4];
      return y === 0 || x === 0 ? -1 : v[(4 - y) * 4 + (4 - x)];
    });
    expect(turned.values).toEqual(want);
  });

  it('every error names the argument and the values', () => {
    const img = nr.zeros([1, 2, 2, 5]);
    expect(err(() => nr.image.rotateWithOffset([[[1], [2]], [[3], [4]]], 1))).toBe('InvalidArgumentError: rotateWithOffset: image must have rank 4 [batch, height, width, channels], got shape [2,2,1]');
    expect(err(() => nr.image.rotateWithOffset(img, NaN))).toBe('InvalidArgumentError: rotateWithOffset: radians must be a finite number, got NaN');
    expect(err(() => nr.image.rotateWithOffset(img, '1' as never))).toBe('InvalidArgumentError: rotateWithOffset: radians must be a finite number, got the string "1"');
    expect(err(() => nr.image.rotateWithOffset(img, 1, [1, 2, 3]))).toBe('InvalidArgumentError: rotateWithOffset: a fillValue [r, g, b] fills at most 4 channels (RGBA), image has 5 (shape [1,2,2,5]); pass one number');
    expect(err(() => nr.image.rotateWithOffset(img, 1, [1, 2] as never))).toBe('InvalidArgumentError: rotateWithOffset: fillValue must be a number or [r, g, b], got an array of length 2 [1,2]');
    expect(err(() => nr.image.rotateWithOffset(img, 1, 0, [0.5] as never))).toBe('InvalidArgumentError: rotateWithOffset: center must be a finite number or [centerX, centerY] of them (fractions of the width and height), got [0.5]');
    expect(err(() => nr.image.rotateWithOffset(img, 1, 0, Infinity))).toMatch(/center must be a finite number .* got Infinity$/);
    const gone = nr.zeros([1, 1, 1, 1]);
    gone.dispose();
    expect(err(() => nr.image.rotateWithOffset(gone, 1))).toBe('DisposedError: rotateWithOffset: image is a disposed tensor (shape [1,1,1,1])');
    img.dispose();
  });
});

// ---- every function: bad arguments, grad, tidy ----------------------------------------------

type Probe = { name: string; call: (...a: unknown[]) => unknown; good: () => unknown[]; bad: unknown[][]; async?: true };
const IMG4 = (): unknown[] => [[[[[1], [2]], [[3], [4]]]]];
const TL_BAD = [undefined, null, 'x', true, {}, [[1, 2], [3]], ['a'], 1n];
const BOX2 = [[0, 0, 1, 1], [0, 0, 0.5, 0.5]];
const PROBES: Probe[] = [
  { name: 'cropAndResize', call: (...a) => (nr.image.cropAndResize as (...a: unknown[]) => unknown)(...a), good: () => [...IMG4(), [[0, 0, 1, 1]], [0], [2, 2], 'nearest', 1], bad: [TL_BAD, TL_BAD, [...TL_BAD, [1], [-1]], [undefined, null, 'x', 3, [], [2], [2, 2, 2], [0, 2], [1.5, 2], ['2', 2], [NaN, 2], [2 ** 31, 2], 5n], [null, 'NEAREST', 1], [null, 'x', true, [1], 1n]] },
  ...(['nonMaxSuppression', 'nonMaxSuppressionWithScore', 'nonMaxSuppressionPadded'] as const).map((n): Probe => ({
    name: n,
    call: (...a) => (nr.image[n] as (...a: unknown[]) => unknown)(...a),
    good: () => [BOX2, [0.5, 0.7], 2, 0.5, 0, n === 'nonMaxSuppressionPadded' ? true : n === 'nonMaxSuppressionWithScore' ? 0.5 : undefined],
    bad: [TL_BAD, TL_BAD, [undefined, null, 'x', -1, 1.5, NaN, Infinity, 2 ** 32, 1n], ['x', NaN, -1, 2, Infinity, true, 1n], ['x', NaN, true, 1n, [0]], n === 'nonMaxSuppressionPadded' ? [null, 1, 'true'] : n === 'nonMaxSuppressionWithScore' ? ['x', NaN, -0.5, 1.5, 1n] : []],
  })),
  ...(['nonMaxSuppressionAsync', 'nonMaxSuppressionWithScoreAsync', 'nonMaxSuppressionPaddedAsync'] as const).map((n): Probe => ({
    name: n,
    call: (...a) => (nr.image[n] as (...a: unknown[]) => unknown)(...a),
    good: () => [BOX2, [0.5, 0.7], 2],
    bad: [TL_BAD, TL_BAD, [undefined, null, 'x', -1, 1.5, NaN, 1n], ['x', NaN, 2], ['x', NaN]],
    async: true,
  })),
  { name: 'threshold', call: (...a) => (nr.image.threshold as (...a: unknown[]) => unknown)(...a), good: () => [[[[1], [200]]], 'otsu', true, 0.5], bad: [TL_BAD, [null, 'Otsu', 1], [null, 0, 1, 'true'], [null, 'x', NaN, 1n]] },
  { name: 'transform', call: (...a) => (nr.image.transform as (...a: unknown[]) => unknown)(...a), good: () => [...IMG4(), [[1, 0, 0, 0, 1, 0, 0, 0]], 'bilinear', 'wrap', 2, [3, 3]], bad: [TL_BAD, [...TL_BAD, [1, 2], [[1, 0, 0, 0, 1, 0, 0, Infinity]]], [null, 'linear', 1], [null, 'symmetric', 1], [null, 'x', true, 1n], ['x', 3, [], [3], [3, 3, 3], [-1, 3], [1.5, 3], [NaN, 3], 5n]] },
  { name: 'rotateWithOffset', call: (...a) => (nr.image.rotateWithOffset as (...a: unknown[]) => unknown)(...a), good: () => [...IMG4(), 0.5, 3, [0.25, 0.75]], bad: [TL_BAD, [undefined, null, 'x', NaN, Infinity, [1], 1n], [null, 'x', [1, 2], [1, 2, 'x'], 1n], [null, 'x', NaN, [0.5], [0.5, NaN], 1n]] },
];

function release(v: unknown): void {
  if (v instanceof nr.Tensor) v.dispose();
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(release);
}

describe('every new image function', () => {
  it('exports every TF.js name (and only them) in image', () => {
    const names = ['cropAndResize', 'nonMaxSuppression', 'nonMaxSuppressionAsync', 'nonMaxSuppressionWithScore', 'nonMaxSuppressionWithScoreAsync', 'nonMaxSuppressionPadded', 'nonMaxSuppressionPaddedAsync', 'threshold', 'transform', 'rotateWithOffset'];
    for (const n of names) {
      expect(typeof (nr.image as Record<string, unknown>)[n], n).toBe('function');
      expect(typeof (tf.image as Record<string, unknown>)[n], `tf.image.${n}`).toBe('function');
    }
    expect(PROBES.map((p) => p.name).sort()).toEqual([...names].sort());
  });

  for (const p of PROBES) {
    it(`${p.name}: every bad argument is a NeuriteError naming it, also when async, and leaks nothing`, async () => {
      const run = async (args: unknown[]): Promise<unknown> => {
        if (p.async) {
          let pr: unknown;
          try {
            pr = p.call(...args);
          } catch (e) {
            return new TypeError(`threw instead of rejecting: ${String(e)}`);
          }
          if (!(pr instanceof Promise)) return new TypeError('not a Promise');
          try {
            release(await pr);
            return null;
          } catch (e) {
            return e;
          }
        }
        try {
          release(p.call(...args));
          return null;
        } catch (e) {
          return e;
        }
      };
      expect(await run(p.good()), 'the valid call').toBe(null);
      for (const [i, bads] of p.bad.entries()) {
        for (const bad of bads) {
          const before = nr.memory().numTensors;
          const args = p.good();
          args[i] = bad;
          const e = await run(args);
          const what = `${p.name} argument ${i} = ${typeof bad === 'bigint' ? `${bad}n` : JSON.stringify(bad)}`;
          expect(e, `${what}: ${String(e)}`).toBeInstanceOf(nr.NeuriteError);
          expect((e as Error).message, what).toMatch(new RegExp(`^${p.name}: `));
          expect(nr.memory().numTensors, `${what}: leaked`).toBe(before);
        }
      }
    });
  }

  it('results made inside tidy are freed by it, kept when returned', () => {
    const before = nr.memory().numTensors;
    const kept = nr.tidy(() => {
      nr.image.cropAndResize([[[[1]]]], [[0, 0, 1, 1]], [0], [2, 2]);
      nr.image.nonMaxSuppressionWithScore(BOX2, [1, 2], 2);
      nr.image.nonMaxSuppressionPadded(BOX2, [1, 2], 2);
      nr.image.threshold([[[1]]]);
      nr.image.rotateWithOffset([[[[1]]]], 1);
      return nr.image.transform([[[[1]]]], [1, 0, 0, 0, 1, 0, 0, 0]);
    });
    expect(nr.memory().numTensors).toBe(before + 1);
    kept.dispose();
  });

  it('grad: TF.js 4.22 has no gradient for any of them; in neurite a gradient through cropAndResize, rotateWithOffset or transform is an error naming it (as TF.js throws), threshold and the NMS scores are constants (a step and a selection)', () => {
    const x = nr.tensor(floats(3, 12, 0, 1), [1, 2, 2, 3]);
    const tx = tf.tensor4d(floats(3, 12, 0, 1), [1, 2, 2, 3]);
    const tfCases: Array<[string, (t: tf.Tensor4D) => tf.Tensor]> = [
      ['CropAndResize', (t) => tf.image.cropAndResize(t, [[0, 0, 1, 1]], [0], [2, 2])],
      ['RotateWithOffset', (t) => tf.image.rotateWithOffset(t, 0.3)],
      ['Transform', (t) => tf.image.transform(t, tf.tensor2d([[1, 0, 0, 0, 1, 0, 0, 0]]))],
      ['Greater', (t) => tf.image.threshold(tf.reshape(t, [2, 2, 3]) as tf.Tensor3D)],
      ['NonMaxSuppressionV5', (t) => tf.image.nonMaxSuppressionWithScore(tf.tensor2d([[0, 0, 1, 1], [0, 0, 2, 2]]), tf.slice(tf.reshape(t, [-1]), 0, 2) as tf.Tensor1D, 2).selectedScores],
    ];
    for (const [kernel, f] of tfCases) {
      expect(String(thrown(() => tf.grad((t: tf.Tensor) => tf.sum(f(t as tf.Tensor4D)))(tx))), kernel).toMatch(new RegExp(`gradient function not found for ${kernel}`));
    }
    tx.dispose();
    const noRule: Array<[string, (t: nr.Tensor) => nr.Tensor]> = [
      ['cropAndResize', (t) => nr.image.cropAndResize(t, [[0, 0, 1, 1]], [0], [2, 2])],
      ['rotateWithOffset', (t) => nr.image.rotateWithOffset(t, 0.3)],
      ['transform', (t) => nr.image.transform(t, [1, 0, 0, 0, 1, 0, 0, 0])],
    ];
    for (const [name, f] of noRule) {
      const want = new RegExp(`^InvalidArgumentError: ${name} has no gradient rule, and the result depends on it through a tensor being differentiated`);
      expect(err(() => nr.grad((t) => nr.sum(f(t)))(x)), name).toMatch(want);
      expect(err(() => nr.grad((t) => nr.mul(nr.sum(t), nr.sum(f(t))))(x)), name).toMatch(want);
      // On a constant image inside grad, the op is fine.
      const g = take(nr.grad((t) => nr.mul(nr.sum(t), nr.sum(f(nr.onesLike(x)))))(x));
      expect(g.values.length, name).toBe(12);
    }
    const ops: Array<[string, (t: nr.Tensor) => nr.Tensor]> = [
      ['threshold', (t) => nr.image.threshold(nr.reshape(t, [2, 2, 3]))],
      ['nonMaxSuppressionWithScore', (t) => nr.image.nonMaxSuppressionWithScore([[0, 0, 1, 1], [0, 0, 2, 2]], nr.slice(nr.reshape(t, [-1]), 0, 2), 2).selectedScores],
    ];
    for (const [name, f] of ops) {
      // The only path from x to the result runs through the op: no op leads from x to it.
      expect(err(() => nr.grad((t) => nr.sum(f(t)))(x)), name).toMatch(/^InvalidArgumentError: grad: the result of f does not depend on x/);
      // Beside another path, the op's result is a constant: d/dx Σ x·c(x) = c(x) (broadcast).
      const c = nr.tidy(() => take(nr.sum(f(x))));
      const g = take(nr.grad((t) => nr.mul(nr.sum(t), nr.sum(f(t))))(x));
      expect(g.values, name).toEqual(new Array(12).fill(c.values[0]));
    }
    x.dispose();
  });

  // The fuzzer found these walking every output position of an output with no values (one
  // transform took 11 s, a crop of [2^31 - 1, 2^31 - 1] never returned).
  it('outputs with no channels return at once, or are refused at once when their shape is too large', () => {
    const img = nr.zeros([1, 1, 1, 0]);
    const t0 = performance.now();
    const a = nr.image.transform(img, [1, 0, 0, 0, 1, 0, 0, 0], 'nearest', 'constant', 0, [16384, 16384]);
    expect(a.shape).toEqual([1, 16384, 16384, 0]);
    const b = nr.image.cropAndResize(img, [[0, 0, 1, 1]], [0], [8192, 8192]);
    expect(b.shape).toEqual([1, 8192, 8192, 0]);
    for (const f of [
      () => nr.image.transform(img, [1, 0, 0, 0, 1, 0, 0, 0], 'nearest', 'constant', 0, [2 ** 31 - 1, 2 ** 31 - 1]),
      () => nr.image.cropAndResize(img, [[0, 0, 1, 1]], [0], [2 ** 31 - 1, 2 ** 31 - 1]),
    ]) {
      try {
        f().dispose();
      } catch (e) {
        expect(e).toBeInstanceOf(nr.NeuriteError);
      }
    }
    expect(performance.now() - t0).toBeLessThan(5000); // a bound on a hang, not a speed test
    for (const t of [img, a, b]) t.dispose();
  });
});
