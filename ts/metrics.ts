/**
 * `metrics.*`: TF.js's `tf.metrics` functions (tfjs-layers), for evaluating predictions
 * outside `compile`. Most give one value per example — the mean over the last axis, shape
 * `yTrue.shape` without it — as TF.js's do; `precision`, `recall`, `r2Score`, `auc` and
 * `f1Score` give a scalar. `precision` and `recall` are TF.js's (a prediction counts as positive
 * when it is exactly 1: pass thresholded predictions, `yPred.greater(0.5)`; probabilities give 0,
 * with a warning once), and `r2Score` pools
 * every entry as TF.js's; `compile`'s metrics of those names are Keras 3's accumulated ones.
 * They are made of the tensor ops, so those that are differentiable (the errors, the
 * cross-entropies, cosine proximity, r²) work under `grad`; the accuracies, precision and
 * recall are step functions (a constant there). `yTrue` and `yPred` may be any TensorLike
 * (`metrics.binaryAccuracy([[1, 0]], [[0.9, 0.2]])`, as TF.js), temporary tensors freed after
 * the call.
 *
 * Empty inputs give empty results, or what the formula gives: the mean of no values is NaN
 * (`meanSquaredError([[]], [[]])` is `[NaN]`; TF.js's cpu backend gives 0), a sum 0
 * (`categoricalCrossentropy`, `cosineProximity`), `precision` and `recall` 0, `r2Score` NaN.
 *
 * @example
 * const acc = metrics.categoricalAccuracy(yTrue, model.predict(x)); // [batch] of 0 and 1
 * console.log(acc.mean().item());
 */
import { ShapeError } from './errors.js';
import { tidy } from './scope.js';
import type { Tensor } from './tensor.js';
import { show, withTensors, type TensorLike } from './ops/convert.js';
import { add, div, equal, greater, maximum, mul, sub } from './ops/binary.js';
import { abs, log, neg, sqrt, square } from './ops/unary.js';
import { argMax, max, mean, min, sum, variance } from './ops/reduce.js';
import { clipByValue } from './ops/clip.js';
import { where } from './ops/select.js';
import { squeeze } from './ops/shape.js';
import { fill, scalar } from './ops/creation.js';
import { pinNames } from './pin_names.js';
import { aucOptions, f1Options, metricState, type AucOptions, type F1Options, type MetricState } from './metric-state.js';

export type { AucOptions, F1Options } from './metric-state.js';

/** TF.js's `backend.epsilon()` for float32, which its metrics clip with. */
const EPSILON = 1e-7;
/** The largest float32 (TF.js clips with `Number.MAX_VALUE`, which is +∞ in float32). */
const F32_MAX = 3.4028234663852886e38;

/**
 * Runs the metric `f` in a scope on `yTrue` and `yPred` as tensors (TensorLike values as
 * temporaries) after checking that they have one shape (unless `sameShape` is false) and that
 * `yPred` is not a scalar; `op` names the metric in errors.
 */
function metric(op: string, yTrue: unknown, yPred: unknown, f: (t: Tensor, p: Tensor) => Tensor, sameShape = true): Tensor {
  return withTensors(`metrics.${op}`, { yTrue, yPred }, ({ yTrue: t, yPred: p }) => {
    if (sameShape && show(t.shape) !== show(p.shape)) {
      throw new ShapeError(`metrics.${op}: yTrue has shape ${show(t.shape)} but yPred has shape ${show(p.shape)}; they must match`);
    }
    if (p.rank === 0) throw new ShapeError(`metrics.${op}: yPred is a scalar; metrics take [batch, …] tensors (the last axis is averaged or compared)`);
    return tidy(() => f(t, p));
  });
}

/** The fraction of the last axis where `yPred > 0.5` equals `yTrue` (0 or 1). */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('binaryAccuracy', yTrue, yPred, (t, p) => mean(equal(t, greater(p, 0.5)), -1));
}

/** NaN for each example of no classes (a last axis of 0; TF.js's argMax of nothing is 0, so it gives 1). */
function noClasses(p: Tensor): Tensor | null {
  return p.shape[p.rank - 1] === 0 ? fill(p.shape.slice(0, -1), NaN) : null;
}

/**
 * 1 where the largest entry of `yPred`'s last axis is at `yTrue`'s (one-hot) largest, else 0;
 * NaN for an example of no classes (shape `[b, 0]`).
 */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('categoricalAccuracy', yTrue, yPred, (t, p) => noClasses(p) ?? equal(argMax(t, -1), argMax(p, -1)));
}

/** 1 where the largest entry of `yPred`'s last axis is at the class index `yTrue` holds, else 0; NaN for an example of no classes. */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('sparseCategoricalAccuracy', yTrue, yPred, (t, p) => {
    const want = p.shape.slice(0, -1);
    const given = t.rank === p.rank && t.shape[t.rank - 1] === 1 ? t.shape.slice(0, -1) : t.shape;
    if (show(given) !== show(want)) {
      throw new ShapeError(`metrics.sparseCategoricalAccuracy: yTrue has shape ${show(t.shape)} but yPred ${show(p.shape)} needs class indices of shape ${show(want)} (or ${show([...want, 1])})`);
    }
    return noClasses(p) ?? equal(t.rank === p.rank ? squeeze(t, [t.rank - 1]) : t, argMax(p, -1));
  }, false);
}

/** Counts of `yTrue == 1` with `yPred == hit` over every entry. */
function count(t: Tensor, p: Tensor, hit: number, truth: number): Tensor {
  return sum(mul(equal(t, truth), equal(p, hit)));
}

/** A scalar `num / (num + other)`, 0 where that is 0/0 (as TF.js). */
function ratio(num: Tensor, other: Tensor): Tensor {
  const d = add(num, other);
  return where(greater(d, 0), div(num, maximum(d, 1)), 0);
}

/** The functions already warned about predictions that are not 0 or 1 (once each). */
const warnedNotBinary = new Set<string>();

/**
 * Warns once per function when `p` holds a value other than 0 and 1 (probabilities: TF.js's
 * precision and recall count only an exact 1 as positive, so they give 0 or less than meant).
 */
function warnNotBinary(op: 'precision' | 'recall', p: Tensor): void {
  if (warnedNotBinary.has(op) || p.size === 0) return;
  // p·(p − 1) is 0 exactly at 0 and 1 (NaN elsewhere counts too).
  const others = sum(where(equal(mul(p, sub(p, 1)), 0), 0, 1)).item();
  if (others === 0) return;
  warnedNotBinary.add(op);
  console.warn(
    `metrics.${op}: yPred holds ${others} value${others === 1 ? '' : 's'} other than 0 and 1 (probabilities?); as TF.js's tf.metrics.${op}, a prediction counts as positive only when it is exactly 1, so probabilities give 0 or less than meant. ` +
      `Threshold them first, metrics.${op}(yTrue, yPred.greater(0.5)), or use compile({ metrics: ['${op}'] }), which thresholds at 0.5 (said once)`,
  );
}

/**
 * `tp / (tp + fp)` over every entry, for 0/1 labels and 0/1 predictions (0 when there are no
 * positive predictions). As TF.js's, a prediction is positive only when it is exactly 1:
 * probabilities give 0 (a warning says so once); threshold them, `yPred.greater(0.5)`.
 */
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('precision', yTrue, yPred, (t, p) => {
    warnNotBinary('precision', p);
    return ratio(count(t, p, 1, 1), count(t, p, 1, 0));
  });
}

/**
 * `tp / (tp + fn)` over every entry, for 0/1 labels and 0/1 predictions (0 when there are no
 * positive labels). As TF.js's, a prediction is positive only when it is exactly 1:
 * probabilities give 0 (a warning says so once); threshold them, `yPred.greater(0.5)`.
 */
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('recall', yTrue, yPred, (t, p) => {
    warnNotBinary('recall', p);
    return ratio(count(t, p, 1, 1), count(t, p, 0, 1));
  });
}

/**
 * The coefficient of determination over every entry: `1 − Σ(yTrue − yPred)² / Σ(yTrue − mean(yTrue))²`
 * (a scalar), as TF.js's `tf.metrics.r2Score`.
 *
 * Not the value `compile({ metrics: ['r2Score'] })` logs: that one is Keras 3's `R2Score`, one R²
 * per output column (each with its own mean) then averaged, so for targets `[n, H]` whose
 * columns sit at different levels (a multi-step forecast) the two differ (0.9995 pooled here
 * against 0.919 per column on the same data): check a logged `val_r2Score` against the mean of
 * this function over the columns (`r2Score(yTrue.slice([0, j], [-1, 1]), …)`), not against one call.
 *
 * When `yTrue` is constant — always so for a single value — the denominator is 0 and the
 * result is TF.js's, not a finite stand-in: `NaN` when `yPred` equals it exactly (0/0),
 * `−Infinity` otherwise. Keras 3's `R2Score` gives 0 instead of `−Infinity` (and `NaN`
 * likewise), scikit-learn's `r2_score` 1 and 0 (`force_finite`); neurite follows TF.js, so
 * check `Number.isFinite` when the target may be constant. The denominator of a constant
 * `yTrue` is exactly 0 here, whatever the rounding of its float32 mean; TF.js 4.22 computes
 * it from that mean, so for some constants (three 0.1s) it gives 1 or −6e13 instead.
 */
export function r2Score(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('r2Score', yTrue, yPred, (t, p) => {
    // No samples: NaN, as TF.js (0 / 0), not max's empty-axis error.
    if (t.size === 0) return scalar(NaN);
    // n·variance: the variance's two-pass sum keeps the spread of values far from zero, which
    // squares around a float32 mean lost (2e6 ± 0.5 gave 0.97 for 0.95).
    const spread = mul(variance(t), t.size);
    return sub(1, div(sum(square(sub(t, p))), where(equal(max(t), min(t)), 0, spread)));
  });
}

/** `mean((yPred − yTrue)², -1)`: one value per example. Aliases `mse`, `MSE`. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('meanSquaredError', yTrue, yPred, (t, p) => mean(square(sub(p, t)), -1));
}

/** `mean(|yPred − yTrue|, -1)`: one value per example. Aliases `mae`, `MAE`. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('meanAbsoluteError', yTrue, yPred, (t, p) => mean(abs(sub(p, t)), -1));
}

/** `100 · mean(|yTrue − yPred| / max(|yTrue|, 1e-7), -1)`. Aliases `mape`, `MAPE`. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('meanAbsolutePercentageError', yTrue, yPred, (t, p) => mul(100, mean(abs(div(sub(t, p), clipByValue(abs(t), EPSILON, F32_MAX))), -1)));
}

/** `x / √max(Σx², ε)` over the last axis (TF.js's `l2Normalize`). */
function l2Normalize(x: Tensor): Tensor {
  return div(x, sqrt(maximum(sum(square(x), -1, true), EPSILON)));
}

/** `−Σ(ŷTrue · ŷPred, -1)` of the unit vectors along the last axis (−1: same direction). */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('cosineProximity', yTrue, yPred, (t, p) => neg(sum(mul(l2Normalize(t), l2Normalize(p)), -1)));
}

/** Binary cross-entropy per example, `yPred` probabilities clipped to [1e-7, 1 − 1e-7], averaged over the last axis. */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('binaryCrossentropy', yTrue, yPred, (t, p) => {
    const q = clipByValue(p, EPSILON, 1 - EPSILON);
    return neg(mean(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q)))), -1));
  });
}

/** Categorical cross-entropy per example: `yPred` rows renormalised to sum to 1 and clipped to [1e-7, 1 − 1e-7]. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return metric('categoricalCrossentropy', yTrue, yPred, (t, p) => {
    const q = clipByValue(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON);
    return neg(sum(mul(t, log(q)), -1));
  });
}

/**
 * The area under the ROC (or PR) curve of `yPred` (probabilities in [0, 1]) against `yTrue`
 * (a target other than 0 is positive) over every entry, a scalar: Keras 3's `AUC()` over the
 * whole set — confusion counts at `numThresholds` evenly spaced thresholds (with Keras's ε
 * ends and its buckets), trapezoids by default. `compile({ metrics: ['auc'] })` accumulates the
 * same counts over an epoch. The counts see only the thresholds: scores closer than
 * `1 / (numThresholds − 1)` tie. TF.js has none.
 *
 * @example metrics.auc(yTest, model.predict(xTest)).item(); // 0.5: chance, 1: a perfect ranking
 */
export function auc(yTrue: TensorLike, yPred: TensorLike, options?: AucOptions): Tensor {
  const o = aucOptions('metrics.auc', options);
  return metric('auc', yTrue, yPred, (t, p) => wholeSet('metrics.auc', metricState('auc', o), t, p));
}

/**
 * The F1 score of `yPred` against `yTrue` (`[n, classes]`, one-hot or multi-label targets;
 * `[n]` is one column, `[n, 1]`, binary labels as TF.js users keep them), a
 * scalar: Keras 3's `F1Score` over the whole set with `average` (default `'macro'`) and
 * `threshold` (default 0.5 for one column, else each row's largest: see {@link F1Options}).
 *
 * @example metrics.f1Score(yTest, model.predict(xTest), { average: 'weighted' }).item();
 */
export function f1Score(yTrue: TensorLike, yPred: TensorLike, options?: F1Options): Tensor {
  const o = f1Options('metrics.f1Score', options);
  return metric('f1Score', yTrue, yPred, (t, p) => wholeSet('metrics.f1Score', metricState('f1Score', o), t, p));
}

/** A state's result after adding the one batch `t`, `p`, as a scalar. */
function wholeSet(op: string, state: MetricState, t: Tensor, p: Tensor): Tensor {
  state.update(op, t, p);
  return scalar(state.result());
}

export { meanSquaredError as mse, meanSquaredError as MSE, meanAbsoluteError as mae, meanAbsoluteError as MAE };
export { meanAbsolutePercentageError as mape, meanAbsolutePercentageError as MAPE };

// compile logs a metric function under its name (as TF.js does): pinned here, as a minifier
// renames functions (history's keys were 'kh' and 'zh' for meanSquaredError and mape).
pinNames({ binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, precision, recall, r2Score, auc, f1Score, meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, cosineProximity, binaryCrossentropy, categoricalCrossentropy });
