/**
 * `compile` options and their encoding for `nr_model_compile`
 * (`neurite_core::model::TrainConfig::from_abi`).
 */
import { checkArgs, didYouMean, unknownOption, type LossAlias, optionKeys } from '../options.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import * as metricFns from '../metrics.js';
import { aucOptions, f1Options, metricState, type AccumulatedName, type AucOptions, type F1Options, type MetricState } from '../metric-state.js';
import { describe } from '../ops/convert.js';
import { tidy } from '../scope.js';
import { lossAbi } from '../options.js';
import { sparseCategoricalCrossentropy as sparseLoss, type LossConfig, type LossName } from '../losses.js';
import { Optimizer, sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta } from '../optimizers.js';
import type { OptimizerName } from '../wasm/codes.js';

/** Metric names `compile` accepts. `accuracy` picks binary/categorical/sparse from the loss. */
export const METRICS = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'mse', 'mae'] as const;
/** A metric `compile` accepts by name (see {@link METRICS}); aliases in {@link MetricAlias}. */
export type MetricName = (typeof METRICS)[number];
/** Keras's and TF.js's other names for the metrics (`MSE` and `MAE` are TF.js's). */
export type MetricAlias = 'acc' | 'meanSquaredError' | 'meanAbsoluteError' | 'MSE' | 'MAE';
const METRIC_ALIASES: Record<MetricAlias, MetricName> = { acc: 'accuracy', meanSquaredError: 'mse', meanAbsoluteError: 'mae', MSE: 'mse', MAE: 'mae' };

/**
 * Metrics TF.js's or Keras's compile takes that the training step has no kernel for, each with
 * the `metrics.*` function that computes it per example on the step's output (its batch mean
 * is the batch's value, and the epoch's the mean of those weighted by batch size, as TF.js's).
 */
const FROM_PREDICT: Readonly<Record<string, string>> = {
  categoricalCrossentropy: 'categoricalCrossentropy', crossentropy: 'categoricalCrossentropy', ce: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy', binaryCrossentropy: 'binaryCrossentropy',
  mape: 'mape', MAPE: 'mape', meanAbsolutePercentageError: 'mape', cosine: 'cosineProximity', cosineProximity: 'cosineProximity',
};

/**
 * The names of the metrics accumulated over the whole epoch or set (`metric-state.ts`, Keras 3's
 * stateful metrics) with the metric each is; Keras 3's class names log under the lower-case
 * name beside them (Keras 3 logs `AUC()` as `auc`).
 */
const ACCUMULATED_NAMES: Readonly<Record<string, readonly [metric: AccumulatedName, log: string]>> = {
  precision: ['precision', 'precision'], Precision: ['precision', 'precision'], recall: ['recall', 'recall'], Recall: ['recall', 'recall'],
  r2Score: ['r2Score', 'r2Score'], R2Score: ['r2Score', 'r2Score'],
  rmse: ['rmse', 'rmse'], RMSE: ['rmse', 'RMSE'], rootMeanSquaredError: ['rmse', 'rootMeanSquaredError'], RootMeanSquaredError: ['rmse', 'rootMeanSquaredError'],
  auc: ['auc', 'auc'], AUC: ['auc', 'auc'], f1Score: ['f1Score', 'f1Score'], F1Score: ['f1Score', 'f1Score'],
};

/**
 * An accumulated metric given by name or as `{ name, ...options }` (`auc` and `f1Score` take
 * options): its log name and a maker of its state; null for anything else.
 */
function accumulatedEntry(where: string, m: unknown): { name: string; state: () => MetricState } | null {
  const name = typeof m === 'string' ? m : typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as { name?: unknown }).name : undefined;
  if (typeof name !== 'string' || !Object.hasOwn(ACCUMULATED_NAMES, name)) return null;
  const [metric, log] = ACCUMULATED_NAMES[name];
  if (typeof m === 'string') return { name: log, state: () => metricState(metric) };
  const op = `compile: ${where} '${name}'`;
  if (metric !== 'auc' && metric !== 'f1Score') checkArgs(op, m, ['name']);
  const options = metric === 'auc' ? aucOptions(op, m, ['name']) : metric === 'f1Score' ? f1Options(op, m, ['name']) : undefined;
  return { name: log, state: () => metricState(metric, options) };
}

/**
 * @internal The key a metric compiled as `name` has in `fit`'s logs and history: the name as
 * given, but `'accuracy'` logs as `acc` (and `val_acc`), as in TF.js (Keras 3 keeps `accuracy`).
 */
export function metricLogName(name: string): string {
  return name === 'accuracy' ? 'acc' : name === 'crossentropy' ? 'ce' : name;
}

/** Per-example sparse categorical cross-entropy (`losses.sparseCategoricalCrossentropy`'s `reduction: 'none'`). */
function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  return sparseLoss(yTrue, yPred, { reduction: 'none' });
}

/**
 * TF.js's `'crossentropy'` (`'ce'`) metric, as its compile picks it for an output (as it picks
 * `'accuracy'`): binary for a one-unit output or a `binaryCrossentropy` loss, sparse for a
 * `sparseCategoricalCrossentropy` loss, else categorical (the categorical one of a one-unit
 * output is 0 whatever the model does).
 */
function crossentropyFor(loss: LossName | null): MetricFunction {
  return (yTrue, yPred) =>
    loss === 'binaryCrossentropy' || yPred.shape.at(-1) === 1 ? metricFns.binaryCrossentropy(yTrue, yPred)
      : loss === 'sparseCategoricalCrossentropy' ? sparseCategoricalCrossentropy(yTrue, yPred)
        : metricFns.categoricalCrossentropy(yTrue, yPred);
}

/** Options of `model.compile` (TF.js and Keras names): the optimizer, the loss and the metrics. */
export interface CompileArgs {
  /**
   * An optimizer from `optimizers.*`, or a name (`'adam'`, `'sgd'`, …; TF.js's `'Adam'`,
   * `'RMSProp'`, `'SGD'`, … too) for its defaults.
   */
  optimizer: Optimizer | OptimizerName | OptimizerClassName;
  /**
   * A loss name (`'categoricalCrossentropy'`, `'mse'`, …) or `{ name, ...options }`, e.g.
   * `{ name: 'binaryCrossentropy', reduction: 'sumOverFeatures' }` for a VAE's reconstruction
   * term summed over every value of a sample, pixels and channels of images included (see
   * {@link LossReduction}; default `'mean'`) — or a function `(yTrue, yPred) => Tensor`
   * ({@link LossFunction}, as TF.js), differentiated on the gradient tape with respect to the
   * model's output between the two halves of `fit`'s own step (regularizers and variational
   * layers add their penalties and KL to it, as with a name).
   *
   * @example model.compile({ optimizer: 'adam', loss: (yTrue, yPred) => mean(square(sub(yPred, yTrue)), -1) });
   */
  loss: LossSpec | LossSpec[] | Readonly<Record<string, LossSpec>>;
  /**
   * Metrics reported by `fit` and `evaluate` (one name or function, or a list; see
   * {@link MetricSpec}). `fit` logs each under its name (a function under its `name`), except
   * `'accuracy'`, logged as `acc` / `val_acc` as in TF.js. For a model with
   * several outputs, a list applies to every output, an object gives them by output name, or
   * a list of lists one per output (Keras's `[['accuracy'], ['mae']]`); each is logged as
   * `<output>_<metric>` (TF.js's names).
   */
  metrics?: MetricSpec | Readonly<Record<string, MetricSpec>> | ReadonlyArray<Exclude<MetricSpec, readonly unknown[]>[]> | undefined;
  /**
   * Metrics weighted by the sample weights (Keras 3's `weighted_metrics`; TF.js has none): each
   * is `Σ wᵢ·mᵢ / Σ wᵢ` over the samples of the epoch (or of `evaluate`, or of the validation
   * data), `mᵢ` sample i's metric and `wᵢ` its weight from `fit`'s `sampleWeight` or
   * `classWeight` (the weights of the validation data's `sampleWeight` for `val_`), 1 each
   * without weights; `metrics` stay unweighted. The names of the metrics the training step
   * computes ({@link METRICS} and their aliases), in the forms `metrics` takes. Logged as Keras 3
   * logs them: under the metric's name, or `weighted_<name>` when a plain metric has that name
   * (`weighted_acc` for `'accuracy'`, also readable as `weighted_accuracy`); with several outputs
   * `<output>_<name>` / `<output>_weighted_<name>`. Not with a loss function or metric
   * functions (their step computes the metrics in JS, unweighted).
   *
   * @example model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'], weightedMetrics: ['mae'] }) // logs mae and weighted_mae
   */
  weightedMetrics?: MetricSpec | Readonly<Record<string, MetricSpec>> | ReadonlyArray<Exclude<MetricSpec, readonly unknown[]>[]> | undefined;
  /**
   * A model with several outputs: the factor on each output's loss in the total that training
   * minimizes (Keras's `loss_weights`; TF.js 4.22 has none) — a list in `outputs` order, or an
   * object by output name (missing ones 1). Default 1 each.
   */
  lossWeights?: number[] | Readonly<Record<string, number>> | undefined;
}

/**
 * One loss: a name or `{ name, ...options }`. A model with several outputs takes one for all,
 * a list (one per output, in `outputs` order), or an object by output layer name (TF.js's
 * `outputNames`); each output's loss is logged as `<output>_loss`.
 */
export type LossSpec = LossName | LossAlias | LossConfig | LossFunction;
/**
 * A loss as a function (TF.js's `compile({ loss: (yTrue, yPred) => … })`): it gets a batch's
 * targets and the model's output (training mode) and returns a Tensor — one value per sample
 * (shape `[batch]` or `[batch, …]`) or a scalar; the training loss is its mean, as in TF.js.
 * Build it from tensor ops (`sub`, `square`, `mean(…, -1)`, `losses.*`): it is differentiated
 * on the gradient tape with respect to `yPred`, with each op's one backward rule, and `fit`'s
 * own step (the same forward, backward and update as a named loss's) runs around it. The loss
 * `fit` reports and minimizes is its mean plus the model's penalties — weight and activity
 * regularizers, variational layers' KL — as TF.js's. Its gradient reaches the weights through
 * `yPred` only: a weight the function reads directly gets none from it (use a regularizer).
 */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;
/**
 * A metric as a function of a batch's targets and the model's output, returning a Tensor
 * whose mean is the batch's value (per-sample values or a scalar, as TF.js's metric functions
 * and `metrics.*`). It is logged under the function's `name` (TF.js's rule), so give it a
 * name: `function iou(yTrue, yPred) {…}` or `const iou = (yTrue, yPred) => …`.
 */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;
/**
 * Metrics: a name, a function, or a list of them. Besides {@link METRICS} (computed in the
 * training step), these names are accepted:
 * - {@link AccumulatedMetricName}: `'precision'`, `'recall'`, `'r2Score'`, `'rmse'`, `'auc'`,
 *   `'f1Score'` (and Keras 3's class names `'Precision'`, `'AUC'`, `'RootMeanSquaredError'`, …)
 *   are accumulated over the whole epoch (and over all of `evaluate`'s or a validation pass's
 *   batches), as Keras 3's stateful metrics: counts and sums kept from batch to batch, so the
 *   logged value is the metric of the whole set, independent of `batchSize`. TF.js's compile
 *   instead averages batch values, and its `'precision'` counts only a prediction of exactly 1
 *   as positive: on a sigmoid output it logs 0 whatever the model learns, and a batch without a
 *   positive pulls the mean towards 0. neurite follows Keras 3 here because TF.js's is a known
 *   inaccuracy rather than a different definition (`metrics.precision` keeps TF.js's formula
 *   for a call on given 0/1 predictions). See {@link MetricConfig} for `auc`'s and `f1Score`'s
 *   options. They are unweighted (Keras 3's `metrics` are too); `onBatchEnd` sees the value so
 *   far in the epoch, as Keras 3's batch logs; `trainOnBatch` gives the batch's own.
 *   `'r2Score'` is Keras 3's `R2Score`: one R² per output column, then their mean — not the
 *   `metrics.r2Score` function, which pools every entry as TF.js's does (they differ on
 *   multi-column targets whose columns sit at different levels).
 * - the names of the `metrics.*` functions computed per example, logged as the mean over the
 *   epoch's samples (TF.js's way): `'binaryCrossentropy'`, `'categoricalCrossentropy'`,
 *   `'sparseCategoricalCrossentropy'`, `'mape'` (`'MAPE'`, `'meanAbsolutePercentageError'`),
 *   `'cosineProximity'` (`'cosine'`), and TF.js's `'crossentropy'` (`'ce'`, logged as `ce`),
 *   which is the binary, sparse or categorical one as the output's loss and size say (as TF.js
 *   picks it).
 *
 * @example model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc', 'precision', 'recall'] }) // logs auc, val_auc, …
 */
export type MetricSpec = MetricName | MetricAlias | FromPredictName | AccumulatedMetricName | MetricConfig | MetricFunction | Array<MetricName | MetricAlias | FromPredictName | AccumulatedMetricName | MetricConfig | MetricFunction>;
/** The names of metrics computed by a `metrics.*` function on the step's output (see {@link MetricSpec}). */
export type FromPredictName = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'crossentropy' | 'ce' | 'mape' | 'MAPE' | 'meanAbsolutePercentageError' | 'cosine' | 'cosineProximity';
/**
 * The metrics accumulated over the epoch, as Keras 3's classes of these names (see
 * {@link MetricSpec}): `precision` and `recall` (Keras 3's `Precision()`/`Recall()`: a target
 * other than 0 is positive, a prediction above 0.5; every entry of a multi-label output counts),
 * `r2Score` (`R2Score()`: per output column over the whole set, then their mean; a constant
 * target column gives 0, or NaN when predicted exactly; TF.js's `metrics.r2Score` pools every
 * entry), `rmse` (`RootMeanSquaredError()`: the root of the epoch's mean squared error, not a mean
 * of batch roots), `auc` (`AUC()`: ROC, 200 thresholds, trapezoids; predictions in [0, 1]) and
 * `f1Score` (`F1Score(average='macro')`, at 0.5 for an output of one unit, else each row's
 * largest; see {@link F1Options}). Keras 3's class names log under the camel-case name
 * (`'AUC'` as `auc`, `'RootMeanSquaredError'` as `rootMeanSquaredError`).
 */
export type AccumulatedMetricName = 'precision' | 'Precision' | 'recall' | 'Recall' | 'r2Score' | 'R2Score' | 'rmse' | 'RMSE' | 'rootMeanSquaredError' | 'RootMeanSquaredError' | 'auc' | 'AUC' | 'f1Score' | 'F1Score';
/**
 * An accumulated metric with options (logged under its name, so one of each per output):
 * `{ name: 'auc', numThresholds, curve, summationMethod }` ({@link AucOptions}: Keras 3's
 * `AUC(num_thresholds, curve, summation_method)`) or `{ name: 'f1Score', average, threshold }`
 * ({@link F1Options}: Keras 3's `F1Score`).
 *
 * @example model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: [{ name: 'f1Score', average: 'weighted' }, { name: 'auc', curve: 'PR' }] })
 */
export type MetricConfig = ({ name: 'auc' | 'AUC' } & AucOptions) | ({ name: 'f1Score' | 'F1Score' } & F1Options);

/** @internal What the model remembers about its compile call. */
export interface CompiledInfo {
  /** The loss, by its canonical name. */
  loss: LossName;
  /** The loss as given to `compile` (a name, an alias or `{ name, ...options }`), for saving. */
  lossSpec: CompileArgs['loss'];
  metricNames: string[];
  optimizer: Optimizer;
  /** A model with several outputs: each output's name, loss and metric names, in order. */
  heads?: Array<{ name: string; loss: LossName; metricNames: string[]; weightedNames?: string[] }>;
  /** The log names of the weighted metrics (Keras 3's rule: `weighted_<name>` beside a plain one), each output's in turn. */
  weightedNames?: string[];
  /** For saving: the weighted metrics as given. */
  weightedMetricsSpec?: CompileArgs['weightedMetrics'];
  /** For saving: the metrics and loss weights as given. */
  metricsSpec?: CompileArgs['metrics'];
  lossWeightsSpec?: CompileArgs['lossWeights'];
  /** Present when compile got a loss or metric function (or a `metrics.*` metric name): see {@link CustomSpec}. */
  custom?: CustomSpec;
}

/**
 * @internal What a compile with functions needs beyond the core's trainer: per output its loss
 * (a function, or the named loss the core also has) and its metrics in log order (a function,
 * or the index of the core's value).
 */
export interface CustomSpec {
  /** Whether a loss is a function: the training step is then split around it (`split-step.ts`). */
  tape: boolean;
  heads: CustomHead[];
  /** The number of metric values the core computes (over every output). */
  coreMetrics: number;
}

/** @internal One output's loss and metrics in a {@link CustomSpec}. */
export interface CustomHead {
  /** The output's name (`''` for a model with one output). */
  name: string;
  fn: LossFunction | null;
  /** The named loss (a stand-in `meanSquaredError` for a function), its ABI and reduction. */
  loss: LossName;
  abi: { kind: number; params: number[]; reduction: number };
  weight: number;
  metrics: CustomMetric[];
}

/** @internal One metric of a {@link CustomHead}: a function, or a name the core computes (at `core`). */
export interface CustomMetric {
  name: string;
  fn: MetricFunction | null;
  /** The core's metric name (a {@link MetricName}) for a metric the core computes, else null. */
  builtin: MetricName | null;
  /** Its index among the core's metric values, or -1. */
  core: number;
  /** Whether it is the user's function (not saved), rather than a name. */
  user: boolean;
  /**
   * An accumulated metric (Keras 3's stateful ones, `metric-state.ts`): makes its state, which
   * the batches of an epoch or an evaluation add to; its value is the state's result so far.
   */
  state: (() => MetricState) | null;
}

const BY_NAME: Readonly<Record<string, () => Optimizer>> = { sgd: () => sgd(), adam: () => adam(), adamw: () => adamw(), rmsprop: () => rmsprop(), adagrad: () => adagrad(),
  adamax: () => adamax(), adadelta: () => adadelta() };

/** The class-style optimizer names TF.js's `compile` also takes (its `getOptimizer` map), and Keras's `AdamW`. */
export type OptimizerClassName = 'SGD' | 'Adam' | 'AdamW' | 'RMSProp' | 'Adagrad' | 'Adamax' | 'Adadelta';
const CLASS_NAMES: Readonly<Record<OptimizerClassName, OptimizerName>> = { SGD: 'sgd', Adam: 'adam', AdamW: 'adamw', RMSProp: 'rmsprop', Adagrad: 'adagrad', Adamax: 'adamax', Adadelta: 'adadelta' };

/** One metric of a compile call: the core's id, or a function (given, or a `metrics.*` one for a name). */
interface MetricEntry {
  id: number | null;
  name: string;
  fn: MetricFunction | null;
  /** Whether `fn` is the user's (not a `metrics.*` function for a name). */
  user: boolean;
  /** An accumulated metric's maker of its state (`metric-state.ts`). */
  state?: () => MetricState;
}

/**
 * The metrics of a list (or one name or function): the core's ids, or functions. `loss` is the
 * output's loss name (null for a loss function), which picks `'crossentropy'`'s function.
 */
function metricList(where: string, given: unknown, loss: LossName | null): MetricEntry[] {
  // A single name (or function) is accepted too, as in TF.js.
  const one = typeof given === 'string' || typeof given === 'function' || (typeof given === 'object' && given !== null && !Array.isArray(given) && typeof (given as { name?: unknown }).name === 'string');
  const list: unknown = one ? [given] : (given ?? []);
  if (!Array.isArray(list)) throw new InvalidArgumentError(`compile: ${where} must be an array of names or functions, e.g. ['accuracy'], got ${describe(list)}`);
  const out = list.map((m: unknown, i: number): MetricEntry => {
    if (typeof m === 'function') {
      const name = (m as { name?: unknown }).name;
      if (typeof name !== 'string' || name === '') {
        throw new InvalidArgumentError(`compile: ${where}[${i}] is an anonymous function; a metric is logged under its function's name (as in TF.js), so give it one: function myMetric(yTrue, yPred) { … }, or const myMetric = (yTrue, yPred) => …`);
      }
      return { id: null, name, fn: m as MetricFunction, user: true };
    }
    if (Array.isArray(m)) throw new InvalidArgumentError(`compile: ${where}[${i}] is a list (${describe(m)}): a list of lists gives one list per output of a model with several outputs (Keras's form); for this model give one list of names or functions, e.g. ['accuracy']`);
    const name = typeof m === 'string' && Object.hasOwn(METRIC_ALIASES, m) ? METRIC_ALIASES[m as MetricAlias] : m;
    const id = METRICS.indexOf(name as MetricName);
    const acc = id < 0 ? accumulatedEntry(`${where}[${i}]`, m) : null;
    if (acc) return { id: null, name: acc.name, fn: null, state: acc.state, user: false };
    if (id < 0 && typeof m === 'string' && Object.hasOwn(FROM_PREDICT, m)) {
      const fn = FROM_PREDICT[m];
      if (m === 'crossentropy' || m === 'ce') return { id: null, name: m, fn: crossentropyFor(loss), user: false };
      const f = fn === 'sparseCategoricalCrossentropy' ? sparseCategoricalCrossentropy : (metricFns as unknown as Record<string, MetricFunction>)[fn];
      return { id: null, name: m, fn: f, user: false };
    }
    if (id < 0) {
      const given = typeof m === 'object' && m !== null && typeof (m as { name?: unknown }).name === 'string' ? (m as { name: string }).name : m;
      // { name: 'accuracy' } (Keras's metric objects): the name is known, the object form is not
      // (it said "did you mean 'accuracy'?" to a user who wrote 'accuracy').
      const known = [...METRICS, ...Object.keys(METRIC_ALIASES), ...Object.keys(ACCUMULATED_NAMES), ...Object.keys(FROM_PREDICT)];
      if (typeof given === 'string' && given !== m && known.includes(given)) {
        const rest = Object.keys(m as object).filter((k) => k !== 'name');
        throw new InvalidArgumentError(
          `compile: ${where}[${i}] is ${describe(m)}, but '${given}' takes no { name, ...options } form (the accumulated metrics do; auc and f1Score have options): give it as its name, '${given}'${rest.length > 0 ? `; its options (${rest.join(', ')}) have no equivalent here (for Keras's BinaryAccuracy(threshold), write a metric function)` : ''}`,
        );
      }
      throw new InvalidArgumentError(`compile: unknown metric ${typeof m === 'string' ? JSON.stringify(m) : describe(m)}${didYouMean(given, [...METRICS, ...Object.keys(METRIC_ALIASES), ...Object.keys(ACCUMULATED_NAMES), ...Object.keys(FROM_PREDICT)])}; valid: ${METRICS.join(', ')} (aliases: ${Object.keys(METRIC_ALIASES).join(', ')}), the accumulated ${Object.keys(ACCUMULATED_NAMES).join(', ')} (auc and f1Score also as { name, ...options }), the metrics.* names ${Object.keys(FROM_PREDICT).join(', ')}, or a function (yTrue, yPred) => Tensor`);
    }
    return { id, name: m as string, fn: null, user: false };
  });
  // Logged by name: two metrics with one log name would overwrite each other (TF.js's do).
  const seen = new Map<string, number>();
  out.forEach((m, i) => {
    const key = metricLogName(m.name);
    if (key === 'loss' || key === 'kl' || key === 'regularization' || key.endsWith('_loss')) {
      throw new InvalidArgumentError(`compile: ${where}[${i}] would be logged as '${key}', a name fit's logs use for the loss; rename the function`);
    }
    const j = seen.get(key);
    if (j !== undefined) {
      const fix = m.user || out[j].user ? 'each metric needs its own name (rename one function)' : `${JSON.stringify(out[j].name)} and ${JSON.stringify(m.name)} are one metric: give it once`;
      throw new InvalidArgumentError(`compile: ${where}[${j}] and ${where}[${i}] are both logged as '${key}'; ${fix}`);
    }
    seen.set(key, i);
  });
  return out;
}

/** The weighted metrics of one output: names of the core's metrics only (the training step weighs them). */
function weightedList(where: string, given: unknown): MetricEntry[] {
  const list = metricList(where, given, null);
  list.forEach((m, i) => {
    if (m.id === null) {
      const what = m.user ? `a function (${m.name})` : m.state ? `'${m.name}', a metric accumulated over the epoch (not weighted here; Keras 3 weighs its own)` : `'${m.name}', a metrics.* function`;
      throw new InvalidArgumentError(`compile: ${where}[${i}] is ${what}: weighted metrics are those the training step computes (${METRICS.join(', ')}); give it in metrics (unweighted)`);
    }
  });
  return list;
}

/**
 * The log names of one output's weighted metrics `names` beside its plain ones `plain` (Keras
 * 3's CompileMetrics.result): a metric's own name unless taken, then `weighted_<name>` (then
 * `weighted_<name>_1`, …); with several outputs prefixed by the output's name.
 */
function weightedLogNames(names: string[], plain: string[], output: string): string[] {
  const prefix = output === '' ? '' : `${output}_`;
  const taken = new Map<string, number>(plain.map((k) => [`${prefix}${metricLogName(k)}`, 1]));
  return names.map((k) => {
    let name = `${prefix}${metricLogName(k)}`;
    if (!taken.has(name)) {
      taken.set(name, 1);
      return name;
    }
    name = `${prefix}weighted_${metricLogName(k)}`;
    const n = taken.get(name);
    taken.set(name, (n ?? 0) + 1);
    return n === undefined ? name : `${name}_${n}`;
  });
}

/** Whether `v` is an object keyed by output name rather than one loss's `{ name, ...options }`. */
function byOutput(v: unknown, outputs: readonly string[]): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const name = (v as { name?: unknown }).name;
  return !(typeof name === 'string' && !outputs.includes('name'));
}

/**
 * `v` for each output: one value for all, a list (one per output), or an object by output
 * name (missing ones `fallback`, or an error when `fallback` is undefined).
 */
function perOutput<T>(what: string, v: unknown, outputs: readonly string[], single: (v: unknown) => boolean, fallback?: T): T[] {
  if (Array.isArray(v) && !single(v)) {
    if (v.length !== outputs.length) throw new InvalidArgumentError(`compile: ${what} lists ${v.length} values but the model has ${outputs.length} outputs (${outputs.join(', ')}); give one per output, or an object by output name`);
    return v as T[];
  }
  if (byOutput(v, outputs) && !single(v)) {
    for (const k of Object.keys(v)) {
      if (!outputs.includes(k)) throw new InvalidArgumentError(`compile: ${what} names '${k}', which is not an output of the model${didYouMean(k, outputs)} (outputs: ${outputs.join(', ')})`);
    }
    return outputs.map((o) => {
      if (Object.hasOwn(v, o)) return v[o] as T;
      if (fallback === undefined) throw new InvalidArgumentError(`compile: ${what} has no entry for the output '${o}' (outputs: ${outputs.join(', ')})`);
      return fallback;
    });
  }
  return outputs.map(() => v as T);
}

/**
 * @internal Encodes `args` as the f32 list `nr_model_compile` reads; `outputs`, the output
 * names of a model with several, adds a loss per output.
 */
export function encodeCompile(args: CompileArgs, outputs?: readonly string[]): { params: number[]; info: CompiledInfo } {
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`compile: expected { optimizer, loss, metrics? }, got ${describe(args)}`);
  const keys = ['optimizer', 'loss', 'metrics', 'weightedMetrics', 'lossWeights'];
  for (const k of optionKeys('compile', args)) {
    // The optimizer's options given to compile (Keras users pass the rate to the optimizer too).
    const rate = ['learningRate', 'learning_rate', 'lr'].includes(k) ? (args as unknown as Record<string, unknown>)[k] : undefined;
    if (rate !== undefined) {
      throw new InvalidArgumentError(`compile: unknown option '${k}': the learning rate is the optimizer's: compile({ optimizer: optimizers.${typeof args.optimizer === 'string' && Object.hasOwn(BY_NAME, args.optimizer) ? args.optimizer : 'adam'}({ learningRate: ${typeof rate === 'number' ? rate : '…'} }), … }) (known: ${keys.join(', ')})`);
    }
    if (!keys.includes(k)) throw unknownOption('compile', k, keys);
  }
  const name = typeof args.optimizer === 'string' && Object.hasOwn(CLASS_NAMES, args.optimizer) ? CLASS_NAMES[args.optimizer as OptimizerClassName] : args.optimizer;
  const opt = typeof name === 'string' && Object.hasOwn(BY_NAME, name) ? BY_NAME[name]() : name;
  if (!(opt instanceof Optimizer)) {
    throw new InvalidArgumentError(`compile: optimizer must be one of ${Object.keys(BY_NAME).join(', ')} (or TF.js's ${Object.keys(CLASS_NAMES).join(', ')}) or optimizers.<name>({...}), got ${describe(args.optimizer)}${didYouMean(args.optimizer, [...Object.keys(BY_NAME), ...Object.keys(CLASS_NAMES)])}`);
  }
  if (args.loss === undefined) throw new InvalidArgumentError('compile: loss is required, e.g. loss: \'categoricalCrossentropy\'');
  const many = outputs !== undefined && outputs.length > 1;
  if (!many) {
    // One output: TF.js's list of one and object by the output's name are accepted too.
    for (const k of ['loss', 'metrics', 'weightedMetrics'] as const) {
      const v = args[k];
      if (Array.isArray(v) && k === 'loss') {
        if (v.length !== 1) throw new InvalidArgumentError(`compile: loss lists ${v.length} losses but the model has one output; give one loss`);
        args = { ...args, loss: v[0] as LossSpec };
      } else if (outputs && byOutput(v, outputs) && Object.keys(v).length === 1 && outputs.includes(Object.keys(v)[0])) {
        args = { ...args, [k]: Object.values(v)[0] };
      }
    }
    if (args.lossWeights !== undefined) throw new InvalidArgumentError('compile: lossWeights is for a model with several outputs; this model has one');
  }
  const single = many ? null : oneHead(args);
  const loss = many ? lossAbi('compile', 'mse') : single!.abi;
  const metrics = many ? [] : single!.metrics;
  const heads = many ? encodeHeads(args, outputs) : [];
  const coreIds = metrics.filter((m) => m.id !== null).map((m) => m.id as number);
  const o = opt.abi();
  const params = [
    loss.kind, loss.params.length, ...loss.params,
    o.kind, o.params.length, ...o.params,
    o.schedule.kind, o.schedule.params.length, ...o.schedule.params,
    o.clip.mode, o.clip.value,
    coreIds.length, ...coreIds,
    loss.reduction,
    ...(many ? [heads.length, ...heads.flatMap((h) => h.params)] : []),
  ];
  const spec = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  const info: CompiledInfo = { loss: loss.name, lossSpec: cloneSpec(args.loss), metricNames: metrics.map((m) => m.name), optimizer: opt, metricsSpec: cloneSpec(args.metrics), lossWeightsSpec: spec(args.lossWeights) };
  if (many) info.heads = heads.map((h) => h.info);
  const custom = many ? customOf(heads.map((h) => h.custom)) : customOf([{ name: '', fn: single!.fn, loss: loss.name, abi: loss, weight: 1, metrics }]);
  if (custom) info.custom = custom;
  if (args.weightedMetrics !== undefined) {
    // Per output: the core's metric ids, appended as `nr_model_compile`'s weighted section.
    const names = many ? outputs! : [''];
    const given = many ? perOutput<unknown>('weightedMetrics', args.weightedMetrics, outputs!, (v) => typeof v === 'string' || typeof v === 'function' || (Array.isArray(v) && !(v.length > 0 && v.every(Array.isArray))), []) : [args.weightedMetrics];
    const lists = names.map((o, i) => weightedList(o === '' ? 'weightedMetrics' : `weightedMetrics for output '${o}'`, given[i]));
    if (custom && lists.some((l) => l.length > 0)) {
      // What put the step in JS: the loss function, or the metrics computed from the output.
      const js = custom.tape ? 'a loss function' : `metrics computed in JS from the output (${custom.heads.flatMap((h) => h.metrics.filter((m) => m.core < 0).map((m) => (m.user ? `the function ${m.name}` : `'${m.name}'`))).join(', ')})`;
      // Keras 3 allows both: say plainly it is a gap here, and the ways around it.
      const fix = custom.tape
        ? 'use a named loss to keep weightedMetrics, or compute the weighted metrics after training'
        : 'to keep them, compute those metrics after training instead (model.predict, then metrics.* or your own weighted formula), or give the weighted ones in metrics (unweighted)';
      throw new InvalidArgumentError(`compile: weightedMetrics (${lists.flat().map((m) => `'${m.name}'`).join(', ')}) cannot be combined yet with ${js}: the weighted metrics are computed only by the core's training step, and with those the step runs in JS (Keras 3 allows both; a gap in neurite); ${fix}`);
    }
    const plain = many ? heads.map((h) => h.info.metricNames) : [info.metricNames];
    const logNames = lists.map((l, i) => weightedLogNames(l.map((m) => m.name), plain[i], names[i]));
    params.push(...(many ? [] : [0]), ...lists.flatMap((l) => [l.length, ...l.map((m) => m.id as number)]));
    info.weightedNames = logNames.flat();
    if (many) logNames.forEach((l, i) => (info.heads![i].weightedNames = l));
    info.weightedMetricsSpec = cloneSpec(args.weightedMetrics);
  }
  return { params, info };
}

/** A loss or metric spec as given, copied (functions kept, as `structuredClone` cannot copy them). */
function cloneSpec<T>(v: T): T {
  if (typeof v === 'function' || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneSpec) as T;
  if (Object.getPrototypeOf(v) !== Object.prototype) return structuredClone(v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneSpec(x)])) as T;
}

/** One output's loss (a named one's ABI, or a function with `mse`'s as the core's stand-in) and metrics. */
function oneLoss(where: string, given: unknown): { fn: LossFunction | null; abi: { name: LossName; kind: number; params: number[]; reduction: number } } {
  if (typeof given === 'function') return { fn: given as LossFunction, abi: lossAbi(where, 'mse') };
  return { fn: null, abi: lossAbi(where, given as Exclude<LossSpec, LossFunction>) };
}

/** The loss and metrics of a model with one output. */
function oneHead(args: CompileArgs): { fn: LossFunction | null; abi: { name: LossName; kind: number; params: number[]; reduction: number }; metrics: MetricEntry[] } {
  const l = oneLoss('compile', args.loss);
  return { ...l, metrics: metricList('metrics', args.metrics, l.fn ? null : l.abi.name) };
}

/** The {@link CustomSpec} of heads whose losses and metrics are given, or undefined when the core computes all of them. */
function customOf(heads: Array<{ name: string; fn: LossFunction | null; loss: LossName; abi: { kind: number; params: number[]; reduction: number }; weight: number; metrics: MetricEntry[] }>): CustomSpec | undefined {
  if (!heads.some((h) => h.fn !== null || h.metrics.some((m) => m.fn !== null || m.state))) return undefined;
  let core = 0;
  const out = heads.map((h): CustomHead => ({
    name: h.name, fn: h.fn, loss: h.loss, abi: { kind: h.abi.kind, params: h.abi.params, reduction: h.abi.reduction }, weight: h.weight,
    metrics: h.metrics.map((m) => ({ name: m.name, fn: m.fn, builtin: m.id === null ? null : METRICS[m.id], core: m.id === null ? -1 : core++, user: m.user, state: m.state ?? null })),
  }));
  return { tape: heads.some((h) => h.fn !== null), heads: out, coreMetrics: core };
}

/** Per output: `lossKind, n, params…, reduction, weight, metricCount, metricIds…` and what logs need. */
function encodeHeads(args: CompileArgs, outputs: readonly string[]): Array<{ params: number[]; info: { name: string; loss: LossName; metricNames: string[] }; custom: Parameters<typeof customOf>[0][number] }> {
  const isLoss = (v: unknown): boolean => typeof v === 'string' || typeof v === 'function';
  const losses = perOutput<LossSpec>('loss', args.loss, outputs, (v) => isLoss(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && !byOutput(v, outputs)));
  // Keras's list of lists ([['accuracy'], ['mae']]) is one list per output; a flat list is every output's.
  const metrics = perOutput<unknown>('metrics', args.metrics ?? [], outputs, (v) => typeof v === 'string' || typeof v === 'function' || (Array.isArray(v) && !(v.length > 0 && v.every(Array.isArray))), []);
  const weights = perOutput<unknown>('lossWeights', args.lossWeights ?? 1, outputs, (v) => typeof v === 'number', 1);
  return outputs.map((name, i) => {
    const where = `output '${name}'`;
    if (losses[i] === null || losses[i] === undefined) {
      throw new InvalidArgumentError(
        `compile: the loss of ${where} is ${losses[i]}: every output of a compiled model has a loss here (Keras 3 takes None for an output that does not train); ` +
          `to train on the other outputs only, compile and fit a model of those (model({ inputs, outputs: [...] }) shares the layers and weights), or give ${where} a loss with lossWeights 0 for it and targets of its shape`,
      );
    }
    let l;
    try {
      l = oneLoss('compile', losses[i]);
    } catch (err) {
      if (err instanceof InvalidArgumentError) err.message = err.message.replace(/^compile: /, `compile: the loss of ${where}: `);
      throw err;
    }
    const w = weights[i];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`compile: lossWeights for ${where} must be a finite number >= 0, got ${describe(w)}`);
    const m = metricList(`metrics for ${where}`, metrics[i], l.fn ? null : l.abi.name);
    const ids = m.filter((x) => x.id !== null).map((x) => x.id as number);
    return {
      params: [l.abi.kind, l.abi.params.length, ...l.abi.params, l.abi.reduction, w, ids.length, ...ids],
      info: { name, loss: l.abi.name, metricNames: m.map((x) => x.name) },
      custom: { name, fn: l.fn, loss: l.abi.name, abi: l.abi, weight: w, metrics: m },
    };
  });
}

/**
 * Per compile: `true` once it warned about all-zero target rows, else the targets already
 * scanned and found without one (a loop of `fit` calls on the same `y` scans it once).
 */
const zeroRowScans = new WeakMap<object, true | WeakSet<Tensor>>();

/**
 * @internal Warns once per compile when `categoricalCrossentropy` targets (without label
 * smoothing) have rows of zeros: such a row gives no loss and its sample does not train, silently in TF.js and Keras. The usual cause is
 * `oneHot` of a label outside `0…classes − 1` (a −1 of −1/1 labels), whose row is all zeros.
 */
export function warnZeroTargetRows(op: string, info: CompiledInfo, y: Tensor): void {
  const classes = y.shape.at(-1) ?? 0;
  if (info.loss !== 'categoricalCrossentropy' || info.heads || y.rank < 2 || classes === 0) return;
  // Smoothing makes such a row s/K per class: it has a loss and trains (helper-325).
  const spec = info.lossSpec as { labelSmoothing?: unknown } | string | null;
  if (typeof spec === 'object' && spec !== null && typeof spec.labelSmoothing === 'number' && spec.labelSmoothing > 0) return;
  const scanned = zeroRowScans.get(info);
  if (scanned === true || scanned?.has(y)) return;
  const zero = tidy(() => y.abs().sum(-1).equal(0).sum().dataSync()[0]);
  if (zero === 0) {
    if (scanned) scanned.add(y);
    else zeroRowScans.set(info, new WeakSet([y]));
    return;
  }
  zeroRowScans.set(info, true);
  console.warn(
    `${op}: ${zero} of ${y.size / classes} rows of y are all zeros, so categoricalCrossentropy gives them no loss and those samples do not train ` +
      `(oneHot of a label outside 0…${classes - 1}, such as a −1 of −1/1 labels, makes such a row; TF.js and Keras accept it in silence); ` +
      'map the labels to 0…classes − 1 first (−1/1 labels: y.add(1).div(2))',
  );
}

/**
 * @internal Adds the likely fix to a target-shape error: class indices (shape `[n]` or
 * `[n, 1]`) given to `categoricalCrossentropy`, which wants one-hot rows, suggest
 * `sparseCategoricalCrossentropy` or `oneHot`, and one-hot rows given to
 * `sparseCategoricalCrossentropy` suggest `categoricalCrossentropy` or `argMax`. Returns `err`
 * (the same object).
 */
export function targetHint(err: unknown, info: CompiledInfo, y: Tensor, classes: number | undefined): unknown {
  // The reverse: one-hot rows given to sparseCategoricalCrossentropy, which wants indices.
  if (err instanceof ShapeError && info.loss === 'sparseCategoricalCrossentropy' && !y.isDisposed && y.rank === 2 && classes !== undefined && classes > 1 && y.shape[1] === classes) {
    err.message += "; these look like one-hot rows: compile with loss 'categoricalCrossentropy', or pass the class indices, y.argMax(-1)";
    return err;
  }
  if (!(err instanceof ShapeError) || info.loss !== 'categoricalCrossentropy' || y.isDisposed) return err;
  const indices = y.rank === 1 || (y.rank === 2 && y.shape[1] === 1 && classes !== 1);
  if (!indices || err.message.includes('oneHot')) return err;
  const depth = classes ?? 'numClasses';
  const flat = y.rank === 2 ? 'y.reshape([-1])' : 'y';
  const sparse = y.rank === 2 ? `use ${flat} with loss 'sparseCategoricalCrossentropy'` : "compile with loss 'sparseCategoricalCrossentropy'";
  err.message += `; these look like class indices: ${sparse}, or one-hot encode them with oneHot(${flat}, ${depth})`;
  return err;
}

