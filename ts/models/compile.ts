/**
 * `compile` options and their encoding for `nr_model_compile`
 * (`neurite_core::model::TrainConfig::from_abi`).
 */
import { didYouMean, unknownOption, type LossAlias } from '../options.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../ops/convert.js';
import { lossAbi } from '../options.js';
import type { LossConfig, LossName } from '../losses.js';
import { Optimizer, sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta } from '../optimizers.js';

/** Metric names `compile` accepts. `accuracy` picks binary/categorical/sparse from the loss. */
export const METRICS = ['accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'mse', 'mae'] as const;
export type MetricName = (typeof METRICS)[number];
/** Keras's and TF.js's other names for the metrics. */
export type MetricAlias = 'acc' | 'meanSquaredError' | 'meanAbsoluteError';
const METRIC_ALIASES: Record<MetricAlias, MetricName> = { acc: 'accuracy', meanSquaredError: 'mse', meanAbsoluteError: 'mae' };

/**
 * @internal The key a metric compiled as `name` has in `fit`'s logs and history: the name as
 * given, but `'accuracy'` logs as `acc` (and `val_acc`), as in TF.js (Keras 3 keeps `accuracy`).
 */
export function metricLogName(name: string): string {
  return name === 'accuracy' ? 'acc' : name;
}

export interface CompileArgs {
  /** An optimizer from `optimizers.*`, or a name (`'adam'`, `'sgd'`, …) for its defaults. */
  optimizer: Optimizer | 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad' | 'adamax' | 'adadelta';
  /**
   * A loss name (`'categoricalCrossentropy'`, `'mse'`, …) or `{ name, ...options }`, e.g.
   * `{ name: 'binaryCrossentropy', reduction: 'sumOverFeatures' }` for a VAE's reconstruction
   * term summed over features (see {@link LossReduction}; default `'mean'`).
   */
  loss: LossName | LossAlias | LossConfig;
  /**
   * Metrics reported by `fit` and `evaluate` (one name or a list). `fit` logs each under its
   * name, except `'accuracy'`, logged as `acc` / `val_acc` as in TF.js.
   */
  metrics?: MetricName | MetricAlias | Array<MetricName | MetricAlias>;
}

/** @internal What the model remembers about its compile call. */
export interface CompiledInfo {
  /** The loss, by its canonical name. */
  loss: LossName;
  /** The loss as given to `compile` (a name, an alias or `{ name, ...options }`), for saving. */
  lossSpec: CompileArgs['loss'];
  metricNames: string[];
  optimizer: Optimizer;
}

const BY_NAME: Readonly<Record<string, () => Optimizer>> = { sgd: () => sgd(), adam: () => adam(), adamw: () => adamw(), rmsprop: () => rmsprop(), adagrad: () => adagrad(),
  adamax: () => adamax(), adadelta: () => adadelta() };

/** @internal Encodes `args` as the f32 list `nr_model_compile` reads. */
export function encodeCompile(args: CompileArgs): { params: number[]; info: CompiledInfo } {
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`compile: expected { optimizer, loss, metrics? }, got ${describe(args)}`);
  for (const k of Object.keys(args)) {
    if (!['optimizer', 'loss', 'metrics'].includes(k)) throw unknownOption('compile', k, ['optimizer', 'loss', 'metrics']);
  }
  const opt = typeof args.optimizer === 'string' && Object.hasOwn(BY_NAME, args.optimizer) ? BY_NAME[args.optimizer]() : args.optimizer;
  if (!(opt instanceof Optimizer)) {
    throw new InvalidArgumentError(`compile: optimizer must be one of ${Object.keys(BY_NAME).join(', ')} or optimizers.<name>({...}), got ${describe(args.optimizer)}${didYouMean(args.optimizer, Object.keys(BY_NAME))}`);
  }
  if (args.loss === undefined) throw new InvalidArgumentError('compile: loss is required, e.g. loss: \'categoricalCrossentropy\'');
  const loss = lossAbi('compile', args.loss);
  // A single name is accepted too, as in TF.js.
  const list: unknown = typeof args.metrics === 'string' ? [args.metrics] : (args.metrics ?? []);
  if (!Array.isArray(list)) throw new InvalidArgumentError(`compile: metrics must be an array of names, e.g. ['accuracy'], got ${describe(list)}`);
  const metrics = list.map((m: unknown) => {
    const name = typeof m === 'string' ? (METRIC_ALIASES[m as MetricAlias] ?? m) : m;
    const id = METRICS.indexOf(name as MetricName);
    if (id < 0) throw new InvalidArgumentError(`compile: unknown metric ${typeof m === 'string' ? JSON.stringify(m) : describe(m)}${didYouMean(m, [...METRICS, ...Object.keys(METRIC_ALIASES)])}; valid: ${METRICS.join(', ')} (aliases: ${Object.keys(METRIC_ALIASES).join(', ')})`);
    return { id, name: m as string };
  });
  const o = opt.abi();
  const params = [
    loss.kind, loss.params.length, ...loss.params,
    o.kind, o.params.length, ...o.params,
    o.schedule.kind, o.schedule.params.length, ...o.schedule.params,
    o.clip.mode, o.clip.value,
    metrics.length, ...metrics.map((m) => m.id),
    loss.reduction,
  ];
  return { params, info: { loss: loss.name, lossSpec: typeof args.loss === 'object' ? { ...args.loss } : args.loss, metricNames: metrics.map((m) => m.name), optimizer: opt } };
}

/**
 * @internal Adds the likely fix to a target-shape error: class indices (shape `[n]` or
 * `[n, 1]`) given to `categoricalCrossentropy`, which wants one-hot rows, suggest
 * `sparseCategoricalCrossentropy` or `oneHot`. Returns `err` (the same object).
 */
export function targetHint(err: unknown, info: CompiledInfo, y: Tensor, classes: number | undefined): unknown {
  if (!(err instanceof ShapeError) || info.loss !== 'categoricalCrossentropy' || y.isDisposed) return err;
  const indices = y.rank === 1 || (y.rank === 2 && y.shape[1] === 1 && classes !== 1);
  if (!indices || err.message.includes('oneHot')) return err;
  const depth = classes ?? 'numClasses';
  const flat = y.rank === 2 ? 'y.reshape([-1])' : 'y';
  const sparse = y.rank === 2 ? `use ${flat} with loss 'sparseCategoricalCrossentropy'` : "compile with loss 'sparseCategoricalCrossentropy'";
  err.message += `; these look like class indices: ${sparse}, or one-hot encode them with oneHot(${flat}, ${depth})`;
  return err;
}
