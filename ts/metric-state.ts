/**
 * Metrics accumulated over a whole set, as Keras 3's stateful metrics: each keeps running
 * counts or sums (in f64, here in JS) that every batch adds to, and its value is computed from
 * them — so an epoch's `precision` is the precision of the epoch's predictions, whatever the
 * batch size, not a mean of batch precisions (a batch without a positive would pull that
 * towards 0). `fit` resets them at each epoch's start, and `evaluate` and each validation pass
 * start from zero (`ts/models/custom-loss.ts`).
 *
 * Each follows the Keras 3 class of its name (keras/src/metrics): `Precision()`/`Recall()`
 * (a target other than 0 is positive, a prediction above 0.5; every entry counts, so a
 * multi-label output is one pool), `R2Score()` (per output column, then their mean; a constant
 * column gives 0 against a wrong prediction, NaN against an exact one), `RootMeanSquaredError()`
 * (the root of the mean of every squared error), `AUC()` (confusion counts at evenly spaced
 * thresholds, with Keras's bucketing) and `F1Score()` (with a documented `average`).
 */
import { InvalidArgumentError, ShapeError } from './errors.js';
import type { Tensor } from './tensor.js';
import { checkArgs, didYouMean } from './options.js';
import { describe } from './ops/convert.js';

/** Keras's `backend.epsilon()`, which its F-score adds to its denominators. */
const EPSILON = 1e-7;

/** A metric accumulated over batches: {@link MetricState.update} per batch, {@link MetricState.result} at any point. */
export interface MetricState {
  /** Adds a batch (`yTrue`, `yPred`: the targets and the model's output); `op` names the caller in errors. */
  update(op: string, yTrue: Tensor, yPred: Tensor): void;
  /** The metric of everything added since the last reset. */
  result(): number;
  /** Forgets everything added. */
  reset(): void;
}

/** The names of the accumulated metrics (their `compile` names; `metrics.auc` and `metrics.f1Score` compute two of them on one set). */
export const ACCUMULATED = ['precision', 'recall', 'r2Score', 'rmse', 'auc', 'f1Score'] as const;
/** One of {@link ACCUMULATED}. */
export type AccumulatedName = (typeof ACCUMULATED)[number];

/** Options of the AUC (Keras 3's `AUC(num_thresholds, curve, summation_method)`). */
export interface AucOptions {
  /** Thresholds on the prediction, evenly spaced over [0, 1] with Keras's ε ends (an integer > 1). Default 200. */
  numThresholds?: number | undefined;
  /** `'ROC'` (true positive rate against false positive rate; default) or `'PR'` (precision against recall). */
  curve?: 'ROC' | 'PR' | undefined;
  /**
   * How the area between thresholds is summed: `'interpolation'` (the default: trapezoids on
   * ROC, Davis & Goadrich's interpolation on PR), `'minoring'` or `'majoring'` (the lower or
   * upper of the two heights).
   */
  summationMethod?: 'interpolation' | 'minoring' | 'majoring' | undefined;
  /**
   * The predictions are logits (a linear output trained with `fromLogits: true`, PyTorch's
   * BCEWithLogitsLoss): each goes through a sigmoid first, as Keras 3's `AUC(from_logits=True)`.
   * Default `false`: probabilities in [0, 1].
   */
  fromLogits?: boolean | undefined;
}

/** Options of the F1 score (Keras 3's `F1Score(average, threshold)`). */
export interface F1Options {
  /**
   * How the per-class scores become one number: `'macro'` (their mean; the default here),
   * `'micro'` (one score of the pooled counts) or `'weighted'` (their mean weighted by each
   * class's Σ yTrue). Keras 3's default, `None`, gives one value per class, which a log cannot
   * hold; compute those with `metrics.f1Score` per class if needed.
   */
  average?: 'macro' | 'micro' | 'weighted' | undefined;
  /**
   * A prediction above it is positive; `null` (Keras's `None`) marks each row's largest value(s)
   * instead (top-1 for a softmax). Default: 0.5 for an output of one unit (where the top-1 rule
   * would call every sample positive), else `null`.
   */
  threshold?: number | null | undefined;
}

/**
 * The targets and predictions of a batch as flat values, with the number of columns (the last
 * axis of `yPred`), after checking that they have as many values (`[n]` targets for an
 * `[n, 1]` output are the same).
 */
function values(op: string, what: string, t: Tensor, p: Tensor): { yt: Float32Array; yp: Float32Array; cols: number } {
  if (t.size !== p.size || p.rank === 0) {
    throw new ShapeError(`${op}: metric '${what}' needs targets with one value per prediction, but yTrue has shape [${t.shape}] and yPred [${p.shape}]${p.rank === 0 ? '' : ' (class indices need a one-hot yTrue: oneHot(labels, classes))'}`);
  }
  // A vector of predictions (TF.js users keep binary labels 1-D) is one column, [n, 1].
  return { yt: t.dataSync(), yp: p.dataSync(), cols: p.rank === 1 ? 1 : p.shape[p.rank - 1] };
}

/** `a / b`, 0 when `b` is 0 (Keras's `divide_no_nan`). */
function noNan(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Keras 3's `Precision()` or `Recall()` at threshold 0.5 over every entry. */
function confusion(name: 'precision' | 'recall'): MetricState {
  let tp = 0, fp = 0, fn = 0;
  return {
    update(op, t, p) {
      const { yt, yp } = values(op, name, t, p);
      for (let i = 0; i < yp.length; i++) {
        const pos = yp[i] > 0.5;
        if (yt[i] !== 0) {
          if (pos) tp++;
          else fn++;
        } else if (pos) fp++;
      }
    },
    result: () => noNan(tp, tp + (name === 'precision' ? fp : fn)),
    reset: () => void (tp = fp = fn = 0),
  };
}

/** Keras 3's `RootMeanSquaredError()`: √(Σ (yPred − yTrue)² / entries). */
function rmse(): MetricState {
  let sum = 0, count = 0;
  return {
    update(op, t, p) {
      const { yt, yp } = values(op, 'rmse', t, p);
      for (let i = 0; i < yp.length; i++) sum += (yp[i] - yt[i]) ** 2;
      count += yp.length;
    },
    result: () => Math.sqrt(sum / count),
    reset: () => void (sum = count = 0),
  };
}

/**
 * Keras 3's `R2Score()` (`class_aggregation='uniform_average'`): per column of the output,
 * `1 − Σ(yTrue − yPred)² / Σ(yTrue − mean)²` over every row so far, then the mean over the
 * columns; a column whose score is infinite (a constant target, predicted wrongly) counts 0, as
 * Keras's. The spread is combined batch by batch (Chan's update of count, mean and M2, in f64)
 * rather than Keras's float32 `Σy² − Σy·mean`, which cancels for targets far from 0; a constant
 * column's spread is exactly 0.
 */
function r2(): MetricState {
  let cols = 0;
  let count = 0;
  let mean = new Float64Array(0), m2 = mean, res = mean, lo = mean, hi = mean;
  return {
    update(op, t, p) {
      const { yt, yp, cols: k } = values(op, 'r2Score', t, p);
      if (count > 0 && k !== cols) throw new ShapeError(`${op}: metric 'r2Score' got ${k} columns after ${cols} in earlier batches`);
      if (count === 0) {
        cols = k;
        [mean, m2, res] = [new Float64Array(k), new Float64Array(k), new Float64Array(k)];
        [lo, hi] = [new Float64Array(k).fill(Infinity), new Float64Array(k).fill(-Infinity)];
      }
      const rows = k === 0 ? 0 : yp.length / k;
      if (rows === 0) return;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += yt[r * k + c];
        const bm = s / rows;
        let bm2 = 0;
        for (let r = 0; r < rows; r++) {
          const v = yt[r * k + c];
          bm2 += (v - bm) ** 2;
          res[c] += (v - yp[r * k + c]) ** 2;
          lo[c] = Math.min(lo[c], v);
          hi[c] = Math.max(hi[c], v);
        }
        const n = count + rows;
        const d = bm - mean[c];
        m2[c] += bm2 + (d * d * count * rows) / n;
        mean[c] += (d * rows) / n;
      }
      count += rows;
    },
    result() {
      if (count === 0 || cols === 0) return NaN;
      let total = 0;
      for (let c = 0; c < cols; c++) {
        const spread = lo[c] === hi[c] ? 0 : m2[c];
        const score = 1 - res[c] / spread;
        total += Number.isFinite(score) || Number.isNaN(score) ? score : 0;
      }
      return total / cols;
    },
    reset: () => void (count = cols = 0),
  };
}

/**
 * Keras 3's `AUC()`: the true and false positives at `numThresholds` thresholds (`−ε`, the
 * evenly spaced `i/(T − 1)`, `1 + ε`), counted with Keras's buckets (a prediction `p` is above
 * the thresholds `0 … ⌈p·(T − 1)⌉ − 1`, with `p·(T − 1)` rounded to float32 as Keras does), and
 * the area under the curve they trace. A target other than 0 is positive; every entry counts
 * (Keras's `multi_label=False`). A NaN prediction makes it NaN (a diverged model); the others
 * must be probabilities in [0, 1] (Keras clips them silently, which would be the AUC of
 * something else).
 */
function auc(options: Required<AucOptions>): MetricState {
  const T = options.numThresholds;
  const tpB = new Float64Array(T), fpB = new Float64Array(T);
  // A NaN prediction (a diverged model) makes the AUC NaN, as it makes the loss, so that
  // terminateOnNaN and the history see it; it is not a range error.
  let sawNaN = false;
  return {
    update(op, t, p) {
      const { yt, yp } = values(op, 'auc', t, p);
      for (let i = 0; i < yp.length; i++) {
        const v = options.fromLogits ? 1 / (1 + Math.exp(-yp[i])) : yp[i];
        if (Number.isNaN(v)) {
          sawNaN = true;
          continue;
        }
        if (!(v >= 0 && v <= 1)) {
          throw new InvalidArgumentError(`${op}: metric 'auc' reads predictions as probabilities in [0, 1], got ${v} at flat index ${i} of yPred (shape [${p.shape}]); give the output a 'sigmoid' (or 'softmax') activation, or for logits (a loss with fromLogits: true) use { name: 'auc', fromLogits: true }`);
        }
        const b = Math.max(Math.ceil(Math.fround(v * (T - 1))) - 1, 0);
        if (yt[i] !== 0) tpB[b]++;
        else fpB[b]++;
      }
    },
    result() {
      if (sawNaN) return NaN;
      // Counts at each threshold: the buckets at or above it (a reversed cumulative sum).
      const tp = new Float64Array(T), fp = new Float64Array(T);
      for (let i = T - 1, a = 0, b = 0; i >= 0; i--) [tp[i], fp[i]] = [(a += tpB[i]), (b += fpB[i])];
      const [P, N] = [tp[0], fp[0]];
      if (options.curve === 'PR' && options.summationMethod === 'interpolation') return interpolatePr(tp, fp, P);
      const x = new Float64Array(T), y = new Float64Array(T);
      for (let i = 0; i < T; i++) {
        const recall = noNan(tp[i], P);
        [x[i], y[i]] = options.curve === 'ROC' ? [noNan(fp[i], N), recall] : [recall, noNan(tp[i], tp[i] + fp[i])];
      }
      let area = 0;
      for (let i = 0; i < T - 1; i++) {
        const h = options.summationMethod === 'interpolation' ? (y[i] + y[i + 1]) / 2 : options.summationMethod === 'minoring' ? Math.min(y[i], y[i + 1]) : Math.max(y[i], y[i + 1]);
        area += (x[i] - x[i + 1]) * h;
      }
      return area;
    },
    reset: () => void (tpB.fill(0), fpB.fill(0), (sawNaN = false)),
  };
}

/** Keras 3's `AUC.interpolate_pr_auc` (Davis & Goadrich's interpolation of the PR curve between thresholds). */
function interpolatePr(tp: Float64Array, fp: Float64Array, positives: number): number {
  let area = 0;
  for (let i = 0; i < tp.length - 1; i++) {
    const dtp = tp[i] - tp[i + 1];
    const [pa, pb] = [tp[i] + fp[i], tp[i + 1] + fp[i + 1]];
    const slope = noNan(dtp, Math.max(pa - pb, 0));
    const intercept = tp[i + 1] - slope * pb;
    const ratio = pa > 0 && pb > 0 ? noNan(pa, Math.max(pb, 0)) : 1;
    // Keras divides by tp + fn at the upper threshold, which is every positive.
    area += noNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(positives, 0));
  }
  return area;
}

/**
 * Keras 3's `F1Score(average, threshold)` (`FBetaScore` with β = 1): per class (column) the
 * true positives `Σ ŷ·y`, false positives `Σ ŷ·(1 − y)` and false negatives `Σ (1 − ŷ)·y` of the
 * thresholded predictions ŷ (targets used as they are, so soft ones count in part), then
 * `2·P·R / (P + R + ε)` with `P = tp / (tp + fp + ε)`, `R = tp / (tp + fn + ε)`.
 */
function f1(options: { average: 'macro' | 'micro' | 'weighted'; threshold: number | null | undefined }): MetricState {
  let tp = new Float64Array(0), fp = tp, fn = tp, support = tp;
  let cols = -1;
  return {
    update(op, t, p) {
      const { yt, yp, cols: k } = values(op, 'f1Score', t, p);
      if (cols >= 0 && k !== cols) throw new ShapeError(`${op}: metric 'f1Score' got ${k} classes after ${cols} in earlier batches`);
      if (cols < 0) {
        cols = k;
        [tp, fp, fn, support] = [0, 0, 0, 0].map(() => new Float64Array(k));
      }
      // One unit: a threshold of 0.5 unless given (the top-1 rule would call everything positive).
      const threshold = options.threshold === undefined ? (k === 1 ? 0.5 : null) : options.threshold;
      const rows = k === 0 ? 0 : yp.length / k;
      for (let r = 0; r < rows; r++) {
        let top = -Infinity;
        if (threshold === null) for (let c = 0; c < k; c++) top = Math.max(top, yp[r * k + c]);
        for (let c = 0; c < k; c++) {
          const v = yp[r * k + c];
          const hat = (threshold === null ? v >= top && Math.abs(v) > 1e-9 : v > threshold) ? 1 : 0;
          const y = yt[r * k + c];
          tp[c] += hat * y;
          fp[c] += hat * (1 - y);
          fn[c] += (1 - hat) * y;
          support[c] += y;
        }
      }
    },
    result() {
      if (cols <= 0) return NaN;
      const score = (a: number, b: number, c: number): number => {
        const [prec, rec] = [a / (a + b + EPSILON), a / (a + c + EPSILON)];
        return (2 * prec * rec) / (prec + rec + EPSILON);
      };
      const sum = (v: Float64Array): number => v.reduce((s, x) => s + x, 0);
      if (options.average === 'micro') return score(sum(tp), sum(fp), sum(fn));
      const per = Array.from(tp, (_, c) => score(tp[c], fp[c], fn[c]));
      if (options.average === 'macro') return per.reduce((s, x) => s + x, 0) / cols;
      const total = sum(support) + EPSILON;
      return per.reduce((s, x, c) => s + (x * support[c]) / total, 0);
    },
    reset: () => void (cols = -1),
  };
}

/** One string option of `op` among `allowed` (its default when undefined). */
function choice<T extends string>(op: string, key: string, v: unknown, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`${op}: ${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}${didYouMean(v, allowed)}`);
  }
  return v as T;
}

/** @internal The AUC's options checked (unknown keys named), with Keras 3's defaults. */
export function aucOptions(op: string, given: unknown, extra: readonly string[] = []): Required<AucOptions> {
  const o = checkArgs(op, given, [...extra, 'numThresholds', 'curve', 'summationMethod', 'fromLogits']);
  const T = o.numThresholds ?? 200;
  if (typeof T !== 'number' || !Number.isInteger(T) || T < 2 || T > 1e6) throw new InvalidArgumentError(`${op}: numThresholds must be an integer in [2, 1e6], got ${describe(T)}`);
  if (o.fromLogits !== undefined && typeof o.fromLogits !== 'boolean') throw new InvalidArgumentError(`${op}: fromLogits must be true or false, got ${describe(o.fromLogits)}`);
  return { numThresholds: T, curve: choice(op, 'curve', o.curve, ['ROC', 'PR'], 'ROC'), summationMethod: choice(op, 'summationMethod', o.summationMethod, ['interpolation', 'minoring', 'majoring'], 'interpolation'), fromLogits: o.fromLogits === true };
}

/** @internal The F1 score's options checked (unknown keys named), with neurite's defaults (see {@link F1Options}). */
export function f1Options(op: string, given: unknown, extra: readonly string[] = []): { average: 'macro' | 'micro' | 'weighted'; threshold: number | null | undefined } {
  const o = checkArgs(op, given, [...extra, 'average', 'threshold']);
  const threshold = o.threshold;
  if (threshold !== undefined && threshold !== null && (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1))) {
    throw new InvalidArgumentError(`${op}: threshold must be a number in (0, 1] (as Keras 3's) or null for each row's largest, got ${describe(threshold)}`);
  }
  return { average: choice(op, 'average', o.average, ['macro', 'micro', 'weighted'], 'macro'), threshold: threshold as number | null | undefined };
}

/**
 * @internal A new state for the accumulated metric `name` (options already checked by
 * {@link aucOptions} / {@link f1Options}; the defaults when not given).
 */
export function metricState(name: AccumulatedName, options?: unknown): MetricState {
  switch (name) {
    case 'precision':
    case 'recall':
      return confusion(name);
    case 'rmse': return rmse();
    case 'r2Score': return r2();
    case 'auc': return auc((options as Required<AucOptions> | undefined) ?? aucOptions('auc', undefined));
    default: return f1((options as ReturnType<typeof f1Options> | undefined) ?? f1Options('f1Score', undefined));
  }
}
