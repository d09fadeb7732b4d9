/** `confusionMatrix`: counts of (label, prediction) pairs, TF.js's `tf.math.confusionMatrix`. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor, Tensor2D } from '../tensor.js';
import { checkSize, describe, EXACT_INT, exactInt, exactInts, f32String, fromFlat, withTensors, type TensorLike } from './convert.js';

/**
 * The confusion matrix of `labels` against `predictions`, as TF.js `tf.math.confusionMatrix`:
 * a `[numClasses, numClasses]` tensor whose entry `[i, j]` counts the examples with label `i`
 * predicted as `j` (rows are labels, columns predictions).
 *
 * `labels` and `predictions` are 1-D, of one length, and hold class indices: integers in
 * `[0, numClasses)` stored as float32 (TF.js takes int32 tensors). Any other value (negative,
 * fractional, too large, NaN) throws, naming the first one and its index (TF.js truncates
 * fractions and silently drops values out of range). `numClasses` 1 works (TF.js 4.22 throws:
 * its `oneHot` needs a depth of 2 or more). A count past 2^24, which float32 cannot hold
 * exactly, throws.
 *
 * `weights` (optional, as TensorFlow's `tf.math.confusion_matrix(…, weights)`; TF.js has no such
 * argument): one finite number per example, which its entry adds instead of 1:
 * `confusionMatrix([0, 1, 1], [0, 1, 0], 2, [1, 2, 3])` is `[[1, 0], [3, 2]]`. A fifth
 * argument is an error.
 *
 * Predictions of rank 2 (`model.predict`'s scores, one row per example) are refused with a
 * pointer to `predictions.argMax(-1)`, their classes.
 *
 * Not differentiable: the counts are a constant under `grad` (zero gradient, as in TF.js).
 *
 * @example confusionMatrix([0, 1, 2, 1, 0], [0, 2, 2, 1, 0], 3)  // [[2, 0, 0], [0, 1, 1], [0, 0, 1]]
 * @throws {@link InvalidArgumentError} when `labels` or `predictions` is not 1-D or holds a
 *   value that is not a class index, `numClasses` is not a positive integer, or a count passes
 *   2^24;
 *   {@link ShapeError} when their lengths differ; {@link OutOfMemoryError} when
 *   `numClasses²` exceeds {@link MAX_ELEMENTS}.
 */
export function confusionMatrix(labels: TensorLike, predictions: TensorLike, numClasses: number, weights?: TensorLike, ...rest: never[]): Tensor2D {
  const op = 'confusionMatrix';
  if (rest.length > 0) throw new InvalidArgumentError(`${op}: takes (labels, predictions, numClasses, weights?), got ${4 + rest.length} arguments`);
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1) {
    throw new InvalidArgumentError(`${op}: numClasses must be a positive integer, got ${describe(numClasses)}`);
  }
  const n = numClasses;
  checkSize(op, `the result [${n},${n}]`, n * n);
  exactInts(op, 'labels', labels);
  exactInts(op, 'predictions', predictions);
  return withTensors(op, weights === undefined || weights === null ? { labels, predictions } : { labels, predictions, weights }, (t) => {
    for (const arg of ['labels', 'predictions', 'weights'] as const) {
      const x = (t as Partial<Record<typeof arg, Tensor>>)[arg];
      if (x === undefined || x.rank === 1) continue;
      // model.predict's output: one row of scores per example.
      const hint = arg === 'predictions' && x.rank === 2 ? `; for a model's scores or probabilities (one row per example) pass the predicted classes, ${arg}.argMax(-1)` : '';
      throw new InvalidArgumentError(`${op}: ${arg} must be 1-D, got rank ${x.rank} (shape [${x.shape}])${hint}`);
    }
    const m = t.labels.shape[0];
    if (t.predictions.shape[0] !== m) {
      throw new ShapeError(`${op}: labels and predictions must have one length (one entry per example), got ${m} labels and ${t.predictions.shape[0]} predictions`);
    }
    const w = (t as { weights?: Tensor }).weights;
    if (w !== undefined && w.shape[0] !== m) throw new ShapeError(`${op}: weights must have one entry per example, got ${w.shape[0]} weights for ${m} labels`);
    const rows = classes(op, 'labels', t.labels, n);
    const cols = classes(op, 'predictions', t.predictions, n);
    const counts = new Float64Array(n * n);
    if (w !== undefined) {
      // TF's tf.math.confusion_matrix(weights=…): each example adds its weight.
      const wv = w.data();
      const bad = wv.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new InvalidArgumentError(`${op}: weights[${bad}] = ${f32String(wv[bad])} is not a finite number`);
      for (let i = 0; i < m; i++) counts[rows[i] * n + cols[i]] += wv[i];
      return fromFlat(op, counts, [n, n]);
    }
    for (let i = 0; i < m; i++) counts[rows[i] * n + cols[i]] += 1;
    // Float32 holds counts exactly only up to 2^24.
    if (m > EXACT_INT) counts.forEach((c, i) => c > EXACT_INT && exactInt(op, `the count of label ${Math.floor(i / n)} predicted as ${i % n}`, c, `${m} examples`));
    return fromFlat(op, counts, [n, n]);
  });
}

/** The values of `x`, each checked to be an integer in `[0, n)`. */
function classes(op: string, arg: string, x: Tensor, n: number): Float32Array {
  const v = x.data();
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (!(Number.isInteger(c) && c >= 0 && c < n)) {
      throw new InvalidArgumentError(`${op}: ${arg}[${i}] = ${f32String(c)} is not a class index: ${arg} must hold integers in [0, ${n}) for numClasses ${n}`);
    }
  }
  return v;
}
