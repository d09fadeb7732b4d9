/**
 * TF.js's `tf.losses` ops, with TF.js's signatures `(labels, predictions, weights?, …,
 * reduction?)`: an element-wise (or per-example) loss, multiplied by optional `weights` and
 * reduced as `reduction` says ({@link computeWeightedLoss}). They are composed in TypeScript
 * from the tensor ops (`sub`, `abs`, `relu`, `logSoftmax`, `sum`, …), so they need no kernel
 * or backward rule of their own and are differentiable under `grad` with respect to every
 * argument; they are exported under `losses` beside neurite's Keras-style losses
 * (`losses.meanSquaredError` takes either form).
 *
 * Every tensor argument may be a TensorLike (a number or nested arrays, a temporary freed
 * after the call), and `weights` may be `null` or omitted (no weights). Typed as TF.js's
 * `<T, O>`: `O` is the result's type, `Tensor` unless named (`softmaxCrossEntropy<Tensor2D,
 * Scalar>(labels, logits)`, or by the use: `const l: Scalar = hingeLoss(y, p)`). The values are TF.js's
 * (the same ops in the same order). Differences from TF.js 4.22, for calls TF.js accepts but
 * gets wrong or that make no sense:
 * - `weights` must broadcast *to* the losses' shape (each axis 1 or the losses' size; extra
 *   leading axes of size 1 allowed). TF.js broadcasts both ways, so weights `[batch, 1]` with
 *   softmaxCrossEntropy's `[batch]` losses silently give a `[batch, batch]` loss there.
 * - `delta` (> 0), `epsilon` (≥ 0) and `labelSmoothing` (in [0, 1]) are checked; `axis` must
 *   be an integer in range; an unknown `reduction` is an {@link InvalidArgumentError} (TF.js
 *   throws a plain Error after the loss is computed).
 * - `softmaxCrossEntropy`'s label smoothing uses the number of classes on the last axis (TF.js
 *   reads `shape[1]`: NaN for rank-1 logits, the wrong axis for rank 3 and more).
 *
 * Gradients are TF.js's — also `softmaxCrossEntropy`'s w.r.t. the logits, `softmax − labels`,
 * which is not the derivative for rows of labels that do not sum to 1 — except: w.r.t.
 * `softmaxCrossEntropy`'s labels (the derivative `−logSoftmax`; TF.js gives `labels −
 * softmax`), `absoluteDifference` where `labels = predictions` (0; TF.js's `abs` gives +1 w.r.t.
 * the predictions there), and, where every weight is 0 (a NaN loss), 0 instead of NaN where
 * `relu`/`maximum` pass no gradient. TF.js cannot differentiate `SUM_BY_NONZERO_WEIGHTS` w.r.t.
 * the weights (its `notEqual` has no gradient); here the count of nonzero weights is a constant.
 *
 * @example
 * losses.absoluteDifference([[0, 1], [1, 1]], [[0.5, 1], [0, 2]], [1, 0]) // (0.5 + 1) / 2 = 0.75
 * losses.softmaxCrossEntropy(onehot, logits, null, 0.1, Reduction.SUM)
 */
import { tapeRecording } from './autodiff.js';
import { InvalidArgumentError, ShapeError } from './errors.js';
import type { Tensor } from './tensor.js';
import { logSoftmax, relu, softmax } from './activations.js';
import { add, div, maximum, minimum, mul, notEqual, sub } from './ops/binary.js';
import { composite } from './ops/composite.js';
import { axisArg, describe, fromFlat, show, withTensors, type TensorLike } from './ops/convert.js';
import { clone } from './ops/creation.js';
import { sum } from './ops/reduce.js';
import { abs, exp, log, log1p, neg, square } from './ops/unary.js';
import { pinNames } from './pin_names.js';

/**
 * How a loss's per-element values are reduced, TF.js's `tf.Reduction` (same names, same
 * numbers; `Reduction[1]` is `'MEAN'`, as for TF.js's enum):
 * - `NONE` (0): no reduction, the weighted losses (labels' shape, or per example);
 * - `MEAN` (1): `Σ w·l / Σ w`, the weights broadcast to the losses' shape (computed as TF.js:
 *   `Σ w·l` over the sum of the weights as given, divided by `losses.size / weights.size`
 *   when that is above 1, so no losses give 0; without weights the mean of the losses, 0 for
 *   no losses, as TF.js);
 * - `SUM` (2): `Σ w·l`;
 * - `SUM_BY_NONZERO_WEIGHTS` (3, the default): `Σ w·l` divided by the number of nonzero
 *   weights broadcast to the losses' shape (the mean of the losses without weights).
 *
 * As in TF.js, `MEAN` and `SUM_BY_NONZERO_WEIGHTS` are NaN when every weight is 0 (0 / 0).
 */
export const Reduction = Object.freeze({
  NONE: 0,
  MEAN: 1,
  SUM: 2,
  SUM_BY_NONZERO_WEIGHTS: 3,
  0: 'NONE',
  1: 'MEAN',
  2: 'SUM',
  3: 'SUM_BY_NONZERO_WEIGHTS',
} as const);
/** A {@link Reduction} value: `Reduction.NONE`, `MEAN`, `SUM` or `SUM_BY_NONZERO_WEIGHTS`. */
export type Reduction = 0 | 1 | 2 | 3;

/** The optional weights argument: TensorLike, or `null`/`undefined` for none. */
export type LossWeights = TensorLike | null | undefined;

const VALID = 'Reduction.NONE (0), Reduction.MEAN (1), Reduction.SUM (2) or Reduction.SUM_BY_NONZERO_WEIGHTS (3)';

/** @internal The reduction argument: `undefined` gives the default (SUM_BY_NONZERO_WEIGHTS). */
export function reductionArg(op: string, r: unknown): Reduction {
  if (r === undefined) return Reduction.SUM_BY_NONZERO_WEIGHTS;
  if (r === 0 || r === 1 || r === 2 || r === 3) return r;
  const hint = typeof r === 'string' ? ` (pass the enum, e.g. losses.Reduction.MEAN, not a string${op === 'meanSquaredError' ? "; neurite's { reduction: 'mean' | 'sumOverFeatures' | 'none' } goes in the options object of meanSquaredError(yTrue, yPred, options)" : ''})` : '';
  throw new InvalidArgumentError(`${op}: unknown reduction ${show(r)}; reduction must be ${VALID}${hint}`);
}

/** A number argument in `[min, max]` (`open` excludes `min`), `def` when undefined. */
function numberIn(op: string, arg: string, v: unknown, def: number, min: number, max: number, open = false): number {
  if (v === undefined) return def;
  // Checked as the float32 the ops compute with: 1e39 is Infinity there, 1e-46 is 0.
  const r = typeof v === 'number' ? Math.fround(v) : NaN;
  if (typeof v !== 'number' || !Number.isFinite(r) || r < min || r > max || (open && r === min)) {
    const range = max === Infinity ? `${open ? '>' : '≥'} ${min}` : `in [${min}, ${max}]`;
    const rounded = typeof v === 'number' && Number.isFinite(v) && r !== v ? ` (${r} as a float32)` : '';
    throw new InvalidArgumentError(`${op}: ${arg} must be a finite number ${range}, got ${describe(v)}${rounded}`);
  }
  return v;
}

/** Throws unless `a` and `b` have one shape (TF.js's `assertShapesMatch`). */
function sameShape(op: string, [na, a]: [string, Tensor], [nb, b]: [string, Tensor]): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: ${na} shape [${a.shape}] and ${nb} shape [${b.shape}] must be equal`);
  }
}

/**
 * Throws unless `w` broadcasts to `shape` without enlarging it: aligned from the last axis,
 * each axis of `w` is 1 or the losses' size, and axes beyond the losses' rank are 1.
 */
function checkWeights(op: string, w: Tensor, shape: readonly number[], what: string): void {
  const lr = shape.length;
  const wr = w.rank;
  for (let i = 1; i <= wr; i++) {
    const d = w.shape[wr - i];
    const l = i <= lr ? shape[lr - i] : 1;
    if (d !== 1 && d !== l) {
      throw new ShapeError(`${op}: weights of shape [${w.shape}] do not broadcast to the losses' shape [${shape}] (${what}): each axis of weights, aligned from the last, must be 1 or the losses' size (a scalar, or shape [${shape.map(() => 1).join(',')}] to [${shape}])`);
    }
  }
}

/** Runs `f` on the tensor arguments (`weights` left out when `null`/`undefined`). */
function withWeights<A extends Record<string, unknown>>(op: string, args: A, weights: unknown, f: (t: { [K in keyof A]: Tensor }, w: Tensor | null) => Tensor): Tensor {
  if (weights === null || weights === undefined) return withTensors(op, args, (t) => f(t, null));
  return withTensors(op, { ...args, weights }, (t) => f(t as { [K in keyof A]: Tensor }, (t as { weights: Tensor }).weights));
}

/**
 * Weights `losses` and reduces them (inside a tidy scope): TF.js's `computeWeightedLoss`,
 * op for op (so the results round as TF.js's do).
 */
function weigh(losses: Tensor, w: Tensor | null, reduction: Reduction): Tensor {
  const weighted = w === null ? losses : mul(losses, w);
  switch (reduction) {
    case Reduction.NONE:
      return weighted;
    case Reduction.SUM:
      return sum(weighted);
    case Reduction.MEAN: {
      // TF.js's mean (cpu): Σ (l / n), so an empty loss gives 0 here (the default gives 0/0).
      if (w === null) return sum(div(weighted, losses.size));
      const result = div(sum(weighted), sum(w));
      const factor = losses.size / w.size;
      return factor > 1 ? div(result, factor) : result;
    }
    default: {
      if (w === null) return div(sum(weighted), losses.size);
      // The nonzero weights broadcast to the losses: each weight is repeated size/w.size times.
      // A constant (notEqual has no gradient), as TF.js's count.
      const count = mul(sum(notEqual(w, 0)), losses.size / w.size);
      return div(sum(weighted), count);
    }
  }
}

/** Checks the weights and reduction, then computes the losses and weighs them, all in one scope. */
function reduced(op: string, w: Tensor | null, lossShape: readonly number[], what: string, reduction: unknown, losses: () => Tensor): Tensor {
  const r = reductionArg(op, reduction);
  if (w !== null) checkWeights(op, w, lossShape, what);
  return composite(op, () => weigh(losses(), w, r));
}

/**
 * Multiplies `losses` by `weights` (broadcast to the losses' shape) and reduces them, TF.js's
 * `tf.losses.computeWeightedLoss`: `NONE` returns the weighted losses, `SUM` their sum,
 * `MEAN` `Σ w·l / Σ w` (the weights broadcast to the losses; empty losses give 0, see
 * {@link Reduction}), `SUM_BY_NONZERO_WEIGHTS` (the
 * default) `Σ w·l` over the number of nonzero broadcast weights. Without weights both `MEAN`
 * and `SUM_BY_NONZERO_WEIGHTS` are the mean of `losses` (for empty losses 0 and NaN, as
 * TF.js). Every weight 0 gives NaN for those two (0/0, as TF.js). `NONE` without weights gives
 * a copy of `losses` (TF.js returns `losses` itself). Differentiable w.r.t. `losses` and
 * `weights` (the count of nonzero weights is a constant).
 *
 * @example computeWeightedLoss([1, 2, 3, 4], [1, 0, 0, 2])                 // (1 + 8) / 2 = 4.5
 * @example computeWeightedLoss([[1, 2], [3, 4]], [[1], [0]], Reduction.MEAN) // (1 + 2) / 2 = 1.5
 * @throws {@link ShapeError} when `weights` does not broadcast to `losses`' shape;
 *   {@link InvalidArgumentError} for an unknown `reduction`.
 */
export function computeWeightedLoss<T extends Tensor = Tensor, O extends Tensor = Tensor>(losses: T | TensorLike, weights?: LossWeights, reduction?: Reduction): O {
  const op = 'computeWeightedLoss';
  return withWeights(op, { losses }, weights, ({ losses: l }, w) => {
    // NONE without weights returns the losses themselves in TF.js; here a copy (the caller owns it).
    if (w === null && reductionArg(op, reduction) === Reduction.NONE) return composite(op, () => clone(l));
    return reduced(op, w, l.shape, 'losses', reduction, () => l);
  }) as O;
}

/** `(labels, predictions)` of one shape, the element-wise losses `f(labels, predictions)` weighted and reduced. */
function elementwise(op: string, labels: unknown, predictions: unknown, weights: unknown, reduction: unknown, f: (l: Tensor, p: Tensor) => Tensor, names: [string, string] = ['labels', 'predictions']): Tensor {
  return withWeights(op, { [names[0]]: labels, [names[1]]: predictions }, weights, (t, w) => {
    const l = t[names[0]];
    const p = t[names[1]];
    sameShape(op, [names[0], l], [names[1], p]);
    return reduced(op, w, l.shape, `${names[0]}' shape`, reduction, () => f(l, p));
  });
}

/**
 * `|labels − predictions|`, weighted and reduced, TF.js's `tf.losses.absoluteDifference`.
 * At `labels = predictions` the gradient is 0 (TF.js's `abs` gradient makes it +1 w.r.t. the
 * predictions there).
 *
 * @example absoluteDifference([1, 2, 3], [1.5, 2, 2])  // (0.5 + 0 + 1) / 3 = 0.5
 * @throws {@link ShapeError} when the shapes differ or `weights` does not broadcast to them;
 *   {@link InvalidArgumentError} for an unknown `reduction`.
 */
export function absoluteDifference<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, reduction?: Reduction): O {
  return elementwise('absoluteDifference', labels, predictions, weights, reduction, (l, p) => abs(sub(l, p))) as O;
}

/**
 * `(labels − predictions)²`, weighted and reduced: TF.js's form of `losses.meanSquaredError`
 * (`meanSquaredError(labels, predictions, weights, reduction)`), used when its third argument
 * is weights (a tensor, number, array or `null`) or a reduction is given.
 * @internal
 */
export function weightedMeanSquaredError<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, reduction?: Reduction): O {
  return elementwise('meanSquaredError', labels, predictions, weights, reduction, (l, p) => square(sub(l, p))) as O;
}

/**
 * The cosine distance `1 − Σ labels·predictions` along `axis` (kept as size 1), weighted and
 * reduced, TF.js's `tf.losses.cosineDistance`. Like TF.js it does not normalise: `labels`
 * and `predictions` are expected to be unit vectors along `axis`. The losses have the inputs'
 * shape with `axis` of size 1, which `weights` must broadcast to.
 *
 * @example cosineDistance([[1, 0], [0, 1]], [[0.6, 0.8], [0.6, 0.8]], 1)  // 1 − (0.6 + 0.8) / 2 = 0.3
 * @throws {@link InvalidArgumentError} when `axis` is not an integer in `[-rank, rank)`, or
 *   for an unknown `reduction`; {@link ShapeError} when the shapes differ or `weights` does
 *   not broadcast to the losses.
 */
export function cosineDistance<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, axis: number, weights?: LossWeights, reduction?: Reduction): O {
  const op = 'cosineDistance';
  return withWeights(op, { labels, predictions }, weights, ({ labels: l, predictions: p }, w) => {
    sameShape(op, ['labels', l], ['predictions', p]);
    const a = axisArg(op, 'axis', axis, l.shape);
    const k = a < 0 ? a + l.rank : a;
    const shape = l.shape.map((d, i) => (i === k ? 1 : d));
    return reduced(op, w, shape, `labels' shape [${l.shape}] with axis ${a} reduced to 1`, reduction, () => sub(1, sum(mul(l, p), a, true)));
  }) as O;
}

/**
 * The hinge loss `max(0, 1 − y·predictions)` with `y = 2·labels − 1`, weighted and reduced,
 * TF.js's `tf.losses.hingeLoss`: `labels` are {0, 1} (converted to {−1, 1}, always — unlike
 * `losses.hinge`, labels of −1 become −3).
 *
 * @example hingeLoss([1, 0], [0.5, -2])  // (0.5 + 0) / 2 = 0.25
 * @throws {@link ShapeError} when the shapes differ or `weights` does not broadcast to them;
 *   {@link InvalidArgumentError} for an unknown `reduction`.
 */
export function hingeLoss<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, reduction?: Reduction): O {
  return elementwise('hingeLoss', labels, predictions, weights, reduction, (l, p) => relu(sub(1, mul(sub(mul(2, l), 1), p)))) as O;
}

/**
 * The Huber loss of `e = |predictions − labels|`: `½e²` up to `delta`, `delta·(e − ½delta)`
 * beyond, weighted and reduced, TF.js's `tf.losses.huberLoss` (note the order: `weights`
 * before `delta`).
 *
 * @example huberLoss([0, 0], [0.5, 3])  // (0.125 + 2.5) / 2 = 1.3125
 * @throws {@link InvalidArgumentError} when `delta` is not a finite number > 0, or for an
 *   unknown `reduction`; {@link ShapeError} when the shapes differ or `weights` does not
 *   broadcast to them.
 */
export function huberLoss<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, delta = 1, reduction?: Reduction): O {
  const op = 'huberLoss';
  const d = numberIn(op, 'delta', delta, 1, 0, Infinity, true);
  return elementwise(op, labels, predictions, weights, reduction, (l, p) => {
    const error = abs(sub(p, l));
    const quadratic = minimum(error, d);
    const linear = sub(error, quadratic);
    return add(mul(0.5, square(quadratic)), mul(d, linear));
  }) as O;
}

/**
 * The log loss `−labels·ln(predictions + ε) − (1 − labels)·ln(1 − predictions + ε)`,
 * weighted and reduced, TF.js's `tf.losses.logLoss` (note the order: `weights` before
 * `epsilon`). `predictions` are probabilities; ε keeps the logs finite at 0 and 1 (no clipping).
 *
 * @example logLoss([1, 0], [0.9, 0.2])  // (−ln 0.9 − ln 0.8) / 2 ≈ 0.1643
 * @throws {@link InvalidArgumentError} when `epsilon` is not a finite number ≥ 0, or for an
 *   unknown `reduction`; {@link ShapeError} when the shapes differ or `weights` does not
 *   broadcast to them.
 */
export function logLoss<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, epsilon = 1e-7, reduction?: Reduction): O {
  const op = 'logLoss';
  const eps = numberIn(op, 'epsilon', epsilon, 1e-7, 0, Infinity);
  return elementwise(op, labels, predictions, weights, reduction, (l, p) => {
    const l1 = neg(mul(l, log(add(p, eps))));
    const l2 = mul(sub(1, l), log(add(sub(1, p), eps)));
    return sub(l1, l2);
  }) as O;
}

/** TF.js's `1 − s` and `s·k` of a label-smoothing factor, each rounded to float32 as its scalars are. */
const f32 = Math.fround;

/**
 * The sigmoid cross-entropy of `logits` against `multiClassLabels` in [0, 1], element-wise,
 * weighted and reduced, TF.js's `tf.losses.sigmoidCrossEntropy`: computed stably as
 * `max(x, 0) − x·z + ln(1 + e^−|x|)`, so huge logits give finite losses. With
 * `labelSmoothing` s > 0 the labels become `z·(1 − s) + s/2`. The gradient w.r.t. the logits
 * is `σ(x) − z`, also at `x = 0` (TF.js's too).
 *
 * @example sigmoidCrossEntropy([1, 0], [0, 0])  // ln 2 ≈ 0.6931
 * @throws {@link InvalidArgumentError} when `labelSmoothing` is not in [0, 1], or for an
 *   unknown `reduction`; {@link ShapeError} when the shapes differ or `weights` does not
 *   broadcast to them.
 */
export function sigmoidCrossEntropy<T extends Tensor = Tensor, O extends Tensor = Tensor>(multiClassLabels: T | TensorLike, logits: T | TensorLike, weights?: LossWeights, labelSmoothing = 0, reduction?: Reduction): O {
  const op = 'sigmoidCrossEntropy';
  const s = numberIn(op, 'labelSmoothing', labelSmoothing, 0, 0, 1);
  return elementwise(op, multiClassLabels, logits, weights, reduction, (labels, x) => {
    const z = s > 0 ? add(mul(labels, f32(1 - f32(s))), f32(0.5 * f32(s))) : labels;
    // |x| as max(−x, x): its gradient at 0 is −1, TF.js's `abs` gradient there, which makes
    // the gradient at x = 0 σ(0) − z = 0.5 − z (neurite's abs, with gradient 0, would give −z).
    const absX = maximum(neg(x), x);
    return add(sub(relu(x), mul(x, z)), log1p(exp(neg(absX))));
  }, ['multiClassLabels', 'logits']) as O;
}

/** A copy of `t` with no gradient (a tensor made from values, a constant on the tape). */
function constant(op: string, t: Tensor): Tensor {
  return fromFlat(op, t.data(), t.shape);
}

/**
 * The softmax cross-entropy `−Σ_k labels_k · logSoftmax(logits)_k` over the last axis, one
 * loss per example (the logits' shape without its last axis, which `weights` must broadcast
 * to), weighted and reduced, TF.js's `tf.losses.softmaxCrossEntropy`. Stable for huge logits
 * (log-sum-exp). With `labelSmoothing` s > 0 the labels become `y·(1 − s) + s/K` for K
 * classes (the last axis).
 *
 * The gradient w.r.t. the logits is TF.js's (and TensorFlow's) `softmax(logits) − labels`,
 * which is the derivative only when every row of labels sums to 1 (for rows that do not, the
 * derivative is `softmax·Σlabels − labels`); w.r.t. the labels it is the derivative,
 * `−logSoftmax(logits)` (TF.js gives `labels − softmax`).
 *
 * @example softmaxCrossEntropy([[0, 1]], [[0, 0]])  // ln 2 ≈ 0.6931
 * @throws {@link InvalidArgumentError} when `logits` is a scalar, `labelSmoothing` is not in
 *   [0, 1], or for an unknown `reduction`; {@link ShapeError} when the shapes differ or
 *   `weights` does not broadcast to the per-example losses.
 */
export function softmaxCrossEntropy<T extends Tensor = Tensor, O extends Tensor = Tensor>(onehotLabels: T | TensorLike, logits: T | TensorLike, weights?: LossWeights, labelSmoothing = 0, reduction?: Reduction): O {
  const op = 'softmaxCrossEntropy';
  const s = numberIn(op, 'labelSmoothing', labelSmoothing, 0, 0, 1);
  return withWeights(op, { onehotLabels, logits }, weights, ({ onehotLabels: labels, logits: x }, w) => {
    sameShape(op, ['onehotLabels', labels], ['logits', x]);
    if (x.rank === 0) throw new InvalidArgumentError(`${op}: logits is a scalar; it needs a last axis of classes (e.g. shape [batch, classes])`);
    const k = x.shape[x.rank - 1];
    const shape = x.shape.slice(0, -1);
    return reduced(op, w, shape, `one per example: logits shape [${x.shape}] without its last axis`, reduction, () => {
      const y = s > 0 ? add(mul(labels, f32(1 - f32(s))), f32(f32(s) / k)) : labels;
      const loss = sum(neg(mul(logSoftmax(x, -1), y)), -1);
      if (!tapeRecording()) return loss;
      // Under grad, TF.js's gradient w.r.t. the logits, softmax − y, rather than the derivative
      // softmax·Σy − y: add Σ (x − x̄)·c, with x̄ a constant copy of x and c = (1 − Σy)·softmax
      // a constant. Its value is exactly 0 for finite logits (a non-finite logit makes the loss
      // NaN already), its gradient w.r.t. x is c, and w.r.t. the labels 0.
      const c = constant(op, mul(sub(1, sum(y, -1, true)), softmax(x, -1)));
      return add(loss, sum(mul(sub(x, constant(op, x)), c), -1));
    });
  }) as O;
}

// Named as exported through any minifier (a loss function's errors name it).
pinNames({ computeWeightedLoss, absoluteDifference, cosineDistance, hingeLoss, huberLoss, logLoss, sigmoidCrossEntropy, softmaxCrossEntropy });
