/**
 * Losses, computed in the Rust core (`crates/core/src/losses/`), with Keras semantics.
 *
 * Arguments come in TF.js order: targets (`yTrue`) first, then predictions (`yPred`). The last
 * axis holds the values (or classes) of one sample; each loss reduces it to a per-sample loss
 * (a mean for MSE, MAE, Huber, binary cross-entropy, the hinges, MAPE, MSLE, log-cosh and
 * Poisson, a sum over classes for categorical cross-entropy and KL divergence, the row's value
 * for categorical hinge and cosine proximity) and returns the mean over all samples as a
 * scalar tensor (Keras's default reduction `"sum_over_batch_size"`). Every loss also takes
 * `{ reduction: 'sumOverFeatures' }`: the per-sample sum over all of a sample's values (every
 * axis but the batch), averaged over the samples, and `{ reduction: 'none' }`: the losses of
 * each row of the last axis, one per sample for `[batch, features]` (see
 * {@link ReductionOptions}).
 *
 * `yTrue` and `yPred` may be any TensorLike (`meanSquaredError([1, 2], [1.5, 2])`, as TF.js),
 * temporary tensors freed after the call.
 *
 * Empty predictions (`[0]`, `[0, k]`, `[b, 0]`) give what the formula gives, not an error: a
 * mean of no values is NaN (as TF.js's `tf.losses` forms and neurite's `mean`; TF.js's
 * cpu backend gives 0 for a mean of nothing), a sum 0. So `'mean'` is NaN with no samples (or
 * for samples of no values, 0 for the losses that sum a row: the categorical cross-entropies,
 * KL divergence, cosine proximity), `'sumOverFeatures'` NaN with no samples and 0 otherwise,
 * `'none'` the per-row values (an empty tensor for no rows), Dice 1, and {@link lossGradient}
 * an empty tensor.
 *
 * Probabilities are clipped to `[1e-7, 1 − 1e-7]` (no gradient flows where the clip is
 * active, as in TF and TF.js), so predictions of exactly 0 or 1 give finite losses.
 *
 * TF.js's `tf.losses` functions are here too, with TF.js's signatures `(labels, predictions,
 * weights?, …, reduction?)` (ts/weighted_losses.ts): `absoluteDifference`, `cosineDistance`,
 * `hingeLoss`, `huberLoss`, `logLoss`, `sigmoidCrossEntropy`, `softmaxCrossEntropy`,
 * `computeWeightedLoss` and the {@link Reduction} enum; `meanSquaredError` takes either form.
 *
 * @example
 * const loss = losses.binaryCrossentropy(labels, probs, { labelSmoothing: 0.1 });
 * const dLoss = losses.lossGradient('binaryCrossentropy', labels, probs, { labelSmoothing: 0.1 });
 */
import { writeArgs } from './engine.js';
import { Tensor } from './tensor.js';
import { InvalidArgumentError, placeBadValue } from './errors.js';
import { describe, withTensors, type TensorLike } from './ops/convert.js';
import { runOp } from './ops/run.js';
import { f32Bits, lossAbi, REDUCTIONS, unknownReduction, type LossAlias, type LossReduction } from './options.js';
import type { LossName } from './wasm/codes.js';
import { weightedMeanSquaredError, type LossWeights, type Reduction } from './weighted_losses.js';
import { pinNames } from './pin_names.js';

export type { LossName } from './wasm/codes.js';
export {
  Reduction, computeWeightedLoss, absoluteDifference, cosineDistance, hingeLoss, huberLoss, logLoss, sigmoidCrossEntropy, softmaxCrossEntropy,
  type LossWeights,
} from './weighted_losses.js';

/** Options of the cross-entropies. */
export interface CrossentropyOptions {
  /** Whether `yPred` holds logits (unnormalised scores) rather than probabilities. Default false. */
  fromLogits?: boolean | undefined;
  /**
   * In [0, 1]. Binary: targets become `y·(1 − s) + s/2`; categorical: `y·(1 − s) + s/K` for
   * `K` classes. Default 0.
   */
  labelSmoothing?: number | undefined;
}

/** Options of {@link huber}. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear, > 0. Default 1. */
  delta?: number | undefined;
}

/** Options of {@link sparseCategoricalCrossentropy}. */
export interface SparseCrossentropyOptions {
  /** Whether `yPred` holds logits rather than probabilities. Default false. */
  fromLogits?: boolean | undefined;
  /**
   * A class index to ignore (Keras 3's `ignore_class`, e.g. `-1` or `255` for padding or a
   * "void" class; any integer, inside `[0, classes)` or not): entries with that target give 0
   * and leave the mean over the others, so the denominator is the number of entries *not*
   * ignored (0 when every entry is ignored, not NaN); with `reduction: 'none'` they are 0. In
   * `fit`, sample weights multiply the other entries and do not change that count, as Keras 3.
   * The accuracy metric is not masked (an ignored target is a miss, as Keras's). TF.js has no
   * such option. Default: none.
   */
  ignoreClass?: number | undefined;
}

/** The reduction option every loss takes. */
export interface ReductionOptions {
  /**
   * `'mean'` (default): the per-sample loss averaged over the samples. `'sumOverFeatures'`:
   * the per-sample *sum* over all of a sample's values — every axis but the batch, so height,
   * width and channels of images `[batch, h, w, c]` — averaged over the samples (a VAE's
   * reconstruction term; for `[batch, classes]` equal to `'mean'` for the losses that
   * already sum over classes). `'none'`: the loss of each row of the last axis, shape
   * `yPred.shape` without its last axis (Keras's `reduction=None`, and TF.js's per-example
   * losses `tf.metrics.meanSquaredError`, …): one per sample for `[batch, features]`, one per
   * pixel `[batch, h, w]` for images (`mean(l, [1, 2])` is then a per-image score); their mean
   * is `'mean'`'s value. TF.js's `tf.losses` `Reduction.NONE` is element-wise instead:
   * for that use the TF.js form, `meanSquaredError(labels, predictions, null, Reduction.NONE)`.
   */
  reduction?: LossReduction | 'none' | undefined;
}

/**
 * Every loss option (each loss reads its own), as `compile({ loss })` and {@link lossGradient}
 * take them: a training loss is one number, so `reduction` is `'mean'` or `'sumOverFeatures'`.
 */
export type LossOptions = CrossentropyOptions & HuberOptions & Pick<SparseCrossentropyOptions, 'ignoreClass'> & { reduction?: LossReduction | undefined };

/** A loss with its options, e.g. `{ name: 'huber', delta: 2 }` or `{ name: 'mse', reduction: 'sumOverFeatures' }` (an alias). */
export interface LossConfig extends LossOptions {
  name: LossName | LossAlias;
}

/** Calls `nr_loss` or `nr_loss_grad` with resolved options. */
function run(op: string, kind: number, params: number[], yTrue: TensorLike, yPred: TensorLike, grad: boolean): Tensor {
  return withTensors(op, { yTrue, yPred }, ({ yTrue, yPred }) => {
    const t = yTrue.handleFor(op, 'yTrue');
    const p = yPred.handleFor(op, 'yPred');
    try {
      return runOp((e, out) => {
        const ptr = writeArgs(op, f32Bits(params));
        return grad ? e.nr_loss_grad(kind, ptr, params.length, p, t, out) : e.nr_loss(kind, ptr, params.length, p, t, out);
      });
    } catch (err) {
      // A bad target's flat index with its sample and place (a per-sample score of real data with
      // a missing value named only target[3]).
      throw placeBadValue(err, null, yTrue);
    }
  });
}

/** Whether a third argument is TF.js's weights (a TensorLike or `null`) rather than neurite's options. */
function isWeights(v: unknown): boolean {
  return v === null || v instanceof Tensor || typeof v === 'number' || Array.isArray(v) || ArrayBuffer.isView(v);
}

/** For each Keras-style loss, the TF.js-form loss that takes weights. */
const WEIGHTED: Partial<Record<string, string>> = {
  meanAbsoluteError: 'losses.absoluteDifference(labels, predictions, weights, reduction)',
  huber: 'losses.huberLoss(labels, predictions, weights, delta, reduction)',
  binaryCrossentropy: 'losses.logLoss(labels, predictions, weights, epsilon, reduction), or losses.sigmoidCrossEntropy(labels, logits, weights, labelSmoothing, reduction) on logits',
  categoricalCrossentropy: 'losses.softmaxCrossEntropy(onehotLabels, logits, weights, labelSmoothing, reduction) on logits',
  hinge: 'losses.hingeLoss(labels, predictions, weights, reduction) (0/1 labels)',
  lossGradient: 'grad of a loss that takes weights (losses.absoluteDifference, huberLoss, …, or losses.computeWeightedLoss)',
};

/**
 * TF.js passes weights (a tensor, number or array) where these losses take options: say which
 * loss takes them, rather than reading a tensor's keys as options.
 */
function notWeights(op: string, options: unknown): void {
  if (options !== null && options !== undefined && isWeights(options)) {
    const got = options instanceof Tensor ? `a Tensor (shape [${options.shape}])` : describe(options);
    const use = WEIGHTED[op] ?? 'losses.computeWeightedLoss(perElementLosses, weights, reduction)';
    throw new InvalidArgumentError(`${op}: options must be an object such as { reduction: 'mean' }, got ${got}; for TF.js's weights argument use ${use}`);
  }
}

/** Whether `options` asks for `reduction: 'none'`. */
function perSampleAsked(options: unknown): boolean {
  return options !== null && typeof options === 'object' && (options as { reduction?: unknown }).reduction === 'none';
}

function compute(name: LossName, yTrue: TensorLike, yPred: TensorLike, options?: object): Tensor {
  notWeights(name, options);
  const r = options !== null && typeof options === 'object' ? (options as { reduction?: unknown }).reduction : undefined;
  if (r !== undefined && !(REDUCTIONS as readonly unknown[]).includes(r)) {
    // A TF.js Reduction (a number) belongs to the tf.losses forms, as their last argument.
    const tfjs = typeof r === 'number' ? `; TF.js's Reduction enum is the last argument of the tf.losses forms (losses.meanSquaredError(labels, predictions, weights, reduction), losses.absoluteDifference, …)` : '';
    throw unknownReduction(name, r, REDUCTIONS, tfjs);
  }
  const { kind, params, reduction } = lossAbi(name, name, options as LossOptions, true);
  return run(name, kind, [...params, reduction], yTrue, yPred, false);
}

/**
 * Mean squared error: `mean((yPred − yTrue)²)`.
 *
 * Also TF.js's `tf.losses.meanSquaredError(labels, predictions, weights?, reduction?)`: when
 * the third argument is weights (a tensor, a number, an array or `null`) or a
 * {@link Reduction} is given, the squared errors are weighted and reduced as
 * {@link computeWeightedLoss} does (default `SUM_BY_NONZERO_WEIGHTS`; without weights that is
 * the mean over every element, the same value as the options form).
 *
 * @example meanSquaredError(yTrue, yPred)                          // neurite's form, the Rust kernel
 * @example meanSquaredError(labels, preds, [[1], [0]], Reduction.SUM) // TF.js's form
 */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor;
/**
 * Mean squared error, TF.js's `tf.losses.meanSquaredError(labels, predictions, weights?,
 * reduction?)`: the squared errors weighted and reduced as {@link computeWeightedLoss} does
 * (default `Reduction.SUM_BY_NONZERO_WEIGHTS`).
 *
 * @example meanSquaredError(labels, preds, [[1], [0]], Reduction.SUM)
 */
export function meanSquaredError<T extends Tensor = Tensor, O extends Tensor = Tensor>(labels: T | TensorLike, predictions: T | TensorLike, weights?: LossWeights, reduction?: Reduction): O;
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions | LossWeights, reduction?: Reduction): Tensor {
  if (reduction !== undefined || isWeights(options)) return weightedMeanSquaredError(yTrue, yPred, options as LossWeights, reduction);
  return compute('meanSquaredError', yTrue, yPred, options as ReductionOptions | undefined);
}

/** Mean absolute error: `mean(|yPred − yTrue|)`. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('meanAbsoluteError', yTrue, yPred, options);
}

/** Huber loss: `½e²` for `|e| ≤ δ`, `δ·|e| − ½δ²` beyond, with `e = yPred − yTrue`; averaged. */
export function huber(yTrue: TensorLike, yPred: TensorLike, options?: HuberOptions & ReductionOptions): Tensor {
  return compute('huber', yTrue, yPred, options);
}

/**
 * Binary cross-entropy, element-wise, averaged: targets in [0, 1], predictions probabilities
 * (or logits with `fromLogits`).
 */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, options?: CrossentropyOptions & ReductionOptions): Tensor {
  return compute('binaryCrossentropy', yTrue, yPred, options);
}

/**
 * Categorical cross-entropy over the last axis: targets one-hot (or soft) in [0, 1]. On
 * probabilities each row is renormalised to sum to 1 first, as Keras and TF.js do. Its
 * gradient is the loss's true derivative, also with `fromLogits` (`softmax·Σy − y` for targets
 * whose rows do not sum to 1, as `fit` trains it); TF.js-form
 * `losses.softmaxCrossEntropy` keeps TF.js's `softmax − y` for such rows.
 */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options?: CrossentropyOptions & ReductionOptions): Tensor {
  return compute('categoricalCrossentropy', yTrue, yPred, options);
}

/**
 * Categorical cross-entropy with integer class targets: `yTrue` has `yPred`'s shape without
 * the last axis (or with it as 1), and holds class indices in `[0, classes)` (or the
 * `ignoreClass`, whose entries count neither in the loss nor in the mean's denominator).
 *
 * @example sparseCategoricalCrossentropy([[1, 2, -1, -1]], logits, { fromLogits: true, ignoreClass: -1 })  // mean over the 2 real tokens
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options?: SparseCrossentropyOptions & ReductionOptions): Tensor {
  return compute('sparseCategoricalCrossentropy', yTrue, yPred, options);
}

/** Kullback–Leibler divergence `Σ yTrue·ln(yTrue/yPred)` over the last axis, both clipped to [1e-7, 1]. */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('kullbackLeiblerDivergence', yTrue, yPred, options);
}

/** Hinge loss `mean(max(0, 1 − yTrue·yPred))`; targets all in {−1, 1}, or all in {0, 1} (converted to ±1). */
export function hinge(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('hinge', yTrue, yPred, options);
}

/**
 * Mean absolute percentage error `100·mean(|yTrue − yPred| / max(|yTrue|, 1e-7))` (TF.js's
 * `meanAbsolutePercentageError`, also `'mape'`/`'MAPE'` by name): a zero target divides by
 * 1e-7 rather than 0.
 *
 * @example meanAbsolutePercentageError([2, 4], [1.5, 5])  // (25 + 25) / 2 = 25
 */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('meanAbsolutePercentageError', yTrue, yPred, options);
}

/**
 * Mean squared logarithmic error `mean((ln(1 + max(yPred, ε)) − ln(1 + max(yTrue, ε)))²)`,
 * ε = 1e-7 (TF.js's `meanSquaredLogarithmicError`, also `'msle'`/`'MSLE'`): values at or below
 * 0 count as ε, and pass no gradient.
 *
 * @example meanSquaredLogarithmicError([0, 3], [1.718281828, 3])  // (1 − 0)² / 2 ≈ 0.5
 */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('meanSquaredLogarithmicError', yTrue, yPred, options);
}

/**
 * Log-cosh `mean(ln cosh(yPred − yTrue))` (TF.js's `logcosh`, Keras 3's `log_cosh`, also
 * `'logCosh'`): about `e²/2` for a small error and `|e| − ln 2` for a large one.
 *
 * @example logcosh([0, 0], [1, -1])  // ln cosh 1 ≈ 0.4338
 */
export function logcosh(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('logcosh', yTrue, yPred, options);
}

/**
 * Poisson loss `mean(yPred − yTrue·ln(yPred + 1e-7))` (TF.js's `poisson`): `yPred` is a rate
 * (≥ 0: below −1e-7 the loss is NaN, as in TF.js), `yTrue` a count (any finite value).
 *
 * @example poisson([3], [2])  // 2 − 3·ln 2 ≈ −0.0794
 */
export function poisson(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('poisson', yTrue, yPred, options);
}

/**
 * Squared hinge `mean(max(0, 1 − yTrue·yPred)²)`; targets all in {−1, 1}, or all in {0, 1}
 * (converted to ±1, as {@link hinge} and Keras do; TF.js's `squaredHinge` does not convert).
 *
 * @example squaredHinge([1, -1], [0.5, 2])  // (0.25 + 9) / 2 = 4.625
 */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('squaredHinge', yTrue, yPred, options);
}

/**
 * Categorical hinge over the last axis, `max(0, 1 + max((1 − yTrue)·yPred) − Σ yTrue·yPred)`
 * per row, averaged over the rows (TF.js's `categoricalHinge`); targets one-hot (any finite
 * values are accepted).
 *
 * @example categoricalHinge([[0, 1, 0]], [[0.8, 0.5, 0.1]])  // 1 + 0.8 − 0.5 = 1.3
 */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('categoricalHinge', yTrue, yPred, options);
}

/**
 * Cosine proximity `−Σ ŷTrue·ŷPred` over the last axis, `x̂ = x / sqrt(max(Σx², 1e-7))`,
 * averaged over the rows (TF.js's `cosineProximity`; Keras 3's `cosine_similarity`, also
 * `'cosineSimilarity'`, which clamps the norm rather than its square at 1e-7): −1 when the
 * rows point the same way, 0 for a zero row.
 *
 * @example cosineProximity([[0, 2]], [[0, 5]])  // −1
 */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike, options?: ReductionOptions): Tensor {
  return compute('cosineProximity', yTrue, yPred, options);
}

/**
 * Dice loss `1 − 2·Σ(yTrue·yPred) / (Σ yTrue + Σ yPred + 1e-7)`, Keras 3's `keras.losses.Dice`
 * with its default `axis=None`: every sum runs over **every value of the batch**, so the loss is
 * one overlap for the whole batch (a mini-batch's Dice in `fit`, as in Keras), not a mean of
 * per-sample values. Hence its only reduction is `'mean'` (`'none'` and `'sumOverFeatures'`
 * are errors), and `fit` takes no sample or class weights with it. For segmentation: `yTrue`
 * a 0/1 mask, `yPred` probabilities (then the loss is in [0, 1]); any finite values are
 * accepted, as Keras. TF.js has no Dice loss; `compile({ loss: 'dice' })` saves as Keras's
 * `'dice'`.
 *
 * @example dice([[1, 1, 0, 0]], [[0.5, 0.25, 1, 0]])  // 1 − 2·0.75 / (2 + 1.75) = 0.6
 */
export function dice(yTrue: TensorLike, yPred: TensorLike, options?: { reduction?: 'mean' | undefined }): Tensor {
  return compute('dice', yTrue, yPred, options);
}

/**
 * The gradient of a loss with respect to the predictions, `d(mean loss)/d(yPred)`, a tensor of
 * `yPred`'s shape. `loss` is a name (or alias such as `'mse'`) or a {@link LossConfig}.
 *
 * @example lossGradient({ name: 'huber', delta: 0.5 }, yTrue, yPred)
 */
export function lossGradient(loss: LossName | LossConfig | LossAlias, yTrue: TensorLike, yPred: TensorLike, options?: LossOptions): Tensor {
  notWeights('lossGradient', options);
  if (perSampleAsked(options) || perSampleAsked(loss)) {
    throw new InvalidArgumentError("lossGradient: reduction 'none' gives one loss per sample, not one number to differentiate; take the gradient of the per-sample losses you need with grad, e.g. grad((p) => losses.meanSquaredError(yTrue, p, { reduction: 'none' }))(yPred) (the gradient of their sum)");
  }
  const { kind, params, reduction } = lossAbi('lossGradient', loss, options);
  return run('lossGradient', kind, [...params, reduction], yTrue, yPred, true);
}

// Named as exported through any minifier (a loss function's errors name it).
pinNames({ meanSquaredError, meanAbsoluteError, huber, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, kullbackLeiblerDivergence, hinge, meanAbsolutePercentageError, meanSquaredLogarithmicError, logcosh, poisson, squaredHinge, categoricalHinge, cosineProximity, dice, lossGradient });
