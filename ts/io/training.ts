/**
 * The compile config and the optimizer state in saved artifacts.
 *
 * - The compile call is kept twice: exactly, under `userDefinedMetadata.neurite.compile`
 *   (`{ optimizer: optimizer.getConfig(), loss, metrics }`), which neurite reads first; and as
 *   TF.js's `trainingConfig` (`{ loss: 'categorical_crossentropy', metrics, optimizer_config:
 *   { class_name: 'Adam', config } }`) when TF.js can represent it — no schedule, clipping,
 *   AMSGrad, AdamW, Huber or loss options — so that `tf.loadLayersModel` recompiles the model
 *   (not with `includeOptimizer`: TF.js would give neurite's optimizer slots to its own
 *   optimizer, so the file then has no `trainingConfig` and TF.js loads the model uncompiled).
 *   A file TF.js wrote has only `trainingConfig`, which neurite reads.
 * - The record (`userDefinedMetadata.neurite`) holds `wrote`, a fingerprint of the
 *   `trainingConfig` and optimizer weights saved with it (`fileFingerprint`). TF.js carries the
 *   record through when it re-saves a file, whatever it did to the model; a record whose
 *   fingerprint does not match the file is set aside (a console warning) and the file loads as
 *   a TF.js file.
 * - With `includeOptimizer: true` the training state (`TrainingState`: optimizer slots, step,
 *   schedule position, fit RNG position) goes under `userDefinedMetadata.neurite.training`
 *   (its JSON parts) and its slots into the weights (`group: 'optimizer'`, after the model's
 *   weights, as TF.js's `includeOptimizer` does): in TF.js's form when TF.js has the optimizer
 *   (`tfOptimizerParts`: `iter`, then `<weight>/<slot>` slot by slot; the file then has
 *   `trainingConfig` too, and `tf.loadLayersModel` resumes with the state), otherwise as
 *   entries named `optimizer/<weight>/<slot>`, weight by weight, without `trainingConfig`.
 * - A file TF.js wrote with `includeOptimizer` holds its optimizer's state as weights of group
 *   `optimizer`: the step counter `iter` (int32) and one slot per trainable weight, named
 *   `<weight>/<slot>` (`dense_Dense1/kernel/m`), with the slot names and meanings neurite's
 *   optimizers share with TF.js's. `tfOptimizerStateFrom` reads them; the loaded model then
 *   continues TF.js's training (Adam's moments and bias correction, momentum, RMSProp's,
 *   Adagrad's and Adadelta's accumulators; TF.js cannot save Adamax's). Slots neurite's optimizer does not keep (RMSProp's `momentum` when
 *   momentum is 0) are skipped.
 */
import { InvalidArgumentError, NeuriteError } from '../errors.js';
import type { LossConfig } from '../losses.js';
import type { CompileArgs, CompiledInfo } from '../models/compile.js';
import { adadelta, adagrad, adam, adamax, adamw, Optimizer, rmsprop, sgd, type OptimizerConfig } from '../optimizers.js';
import { describe, show } from '../ops/convert.js';
import * as schedules from '../schedules.js';
import { LearningRateSchedule } from '../schedules.js';
import type { NamedInts, NamedWeight, TrainingConfig, WeightSlot } from './artifacts.js';
import { decodeWeights } from './artifacts.js';
import { bad, camel, kerasObject, objectAt, snake } from './keras.js';
import { didYouMean, lossAbi } from '../options.js';
import { LOSSES, type LossName } from '../wasm/codes.js';

import type { TrainingState } from '../models/training-state.js';
import { fnv1a } from '../data/random.js';
export type { TrainingState };

/** The compile call as neurite keeps it in `userDefinedMetadata.neurite.compile`. */
export interface CompileRecord {
  optimizer: OptimizerConfig;
  loss: unknown;
  /** A list of names; for a model with several outputs, as given to `compile` (a list or an object by output). */
  metrics: unknown;
  /** A model with several outputs: `compile`'s `lossWeights`, when given. */
  lossWeights?: unknown;
  /** `compile`'s `weightedMetrics`, when given (TF.js's trainingConfig has no such field). */
  weightedMetrics?: unknown;
  /**
   * Saved without the training state, a learning-rate schedule's position: the optimizer steps
   * taken (`step`; left out for adam, adamw and adamax, whose bias correction counts the same
   * steps and whose moments are not saved) and the factor `reduceLROnPlateau` or
   * `model.learningRate = …` put on the schedule (`lrScale`). The loaded model continues the
   * schedule there, as a constant rate is saved as it is now.
   */
  schedulePosition?: { step?: number; lrScale: number };
}

/** Optimizers whose update counts the steps itself (bias correction), besides the schedule. */
export const STEP_COUNTING = new Set(['adam', 'adamw', 'adamax']);

/**
 * @internal `schedulePosition` of neurite's compile record (at `where`), checked, or `undefined`.
 */
export function schedulePositionFrom(op: string, where: string, record: unknown): CompileRecord['schedulePosition'] {
  const v = (record as Record<string, unknown>).schedulePosition;
  if (v === undefined) return undefined;
  const o = objectAt(op, `${where}.schedulePosition`, v);
  if (o.step !== undefined && (typeof o.step !== 'number' || !Number.isInteger(o.step) || o.step < 0)) bad(op, `${where}.schedulePosition.step`, `must be a non-negative integer, got ${describe(o.step)}`);
  if (typeof o.lrScale !== 'number' || !Number.isFinite(o.lrScale) || o.lrScale < 0) bad(op, `${where}.schedulePosition.lrScale`, `must be a finite number >= 0, got ${describe(o.lrScale)}`);
  return o.step === undefined ? { lrScale: o.lrScale } : { step: o.step as number, lrScale: o.lrScale };
}

/**
 * Every loss's name in TF.js's `trainingConfig`, or `null` for one TF.js layers does not know
 * (huber, Keras 3's dice: only neurite's own record keeps them). A complete record, so that a
 * new loss does not type-check until it is given its saved form here.
 */
const TF_LOSSES: Readonly<Record<LossName, string | null>> = {
  meanSquaredError: 'mean_squared_error', meanAbsoluteError: 'mean_absolute_error', binaryCrossentropy: 'binary_crossentropy',
  categoricalCrossentropy: 'categorical_crossentropy', sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  kullbackLeiblerDivergence: 'kullback_leibler_divergence', hinge: 'hinge',
  meanAbsolutePercentageError: 'mean_absolute_percentage_error', meanSquaredLogarithmicError: 'mean_squared_logarithmic_error',
  logcosh: 'logcosh', poisson: 'poisson', squaredHinge: 'squared_hinge', categoricalHinge: 'categorical_hinge', cosineProximity: 'cosine_proximity',
  huber: null, dice: null,
};
/** TF.js's name of loss `name` (any string), or `undefined`. */
const tfLoss = (name: string): string | undefined => (TF_LOSSES as Readonly<Record<string, string | null>>)[name] ?? undefined;

/**
 * The metric names TF.js 4.22's compile takes (its `metricsMap`, and the names it resolves by
 * the loss); `precision` is left out, as TF.js's is another metric (a prediction of exactly 1)
 * than compile's Keras 3 one.
 */
const TF_METRICS = new Set(['accuracy', 'acc', 'crossentropy', 'ce', 'binaryAccuracy', 'categoricalAccuracy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'cosine']);

/**
 * @internal TF.js's `trainingConfig` for a compile call, or `null` when TF.js cannot represent
 * it exactly (TF.js would then fail to load the whole model). Metrics TF.js's compile does not
 * know (`'auc'`, `'recall'`, …: its load fails with "Unknown metric") are left out of it; neurite's
 * own record keeps them.
 */
export function tfTrainingConfig(lossName: string, lossSpec: unknown, metrics: string[], c: OptimizerConfig, many?: Pick<CompiledInfo, 'heads' | 'lossWeightsSpec'>): TrainingConfig | null {
  const plain = (l: unknown): boolean => typeof l === 'string' || (typeof l === 'object' && l !== null && !Array.isArray(l) && Object.keys(l).every((k) => k === 'name'));
  let loss: TrainingConfig['loss'] | undefined = tfLoss(lossName);
  let tfMetrics: TrainingConfig['metrics'] = metrics.filter((m) => TF_METRICS.has(m)).map(snake);
  if (many?.heads) {
    // Several outputs: TF.js's list of losses and metrics by output; it has no loss weights.
    const entries = Array.isArray(lossSpec) ? lossSpec : typeof lossSpec === 'object' && lossSpec !== null && !plain(lossSpec) ? Object.values(lossSpec) : [lossSpec];
    const weights = many.lossWeightsSpec === undefined ? [] : Array.isArray(many.lossWeightsSpec) ? many.lossWeightsSpec : Object.values(many.lossWeightsSpec);
    const names = many.heads.map((h) => tfLoss(h.loss));
    if (!entries.every(plain) || weights.some((w) => w !== 1) || names.some((n) => n === undefined)) return null;
    loss = names as string[];
    tfMetrics = Object.fromEntries(many.heads.map((h) => [h.name, h.metricNames.filter((m) => TF_METRICS.has(m)).map(snake)]));
  } else if (!plain(lossSpec)) return null;
  // TF.js's optimizers have no clipping and no weight decay: such a compile is neurite's record only.
  if (!loss || typeof c.learningRate !== 'number' || 'clipNorm' in c || 'clipValue' in c || 'globalClipNorm' in c || (c.name !== 'adamw' && c.weightDecay !== 0)) return null;
  let oc: { class_name: string; config: Record<string, unknown> };
  switch (c.name) {
    case 'sgd':
      oc = c.momentum === 0 && !c.nesterov ? { class_name: 'SGD', config: { learningRate: c.learningRate } } : { class_name: 'Momentum', config: { learningRate: c.learningRate, momentum: c.momentum, useNesterov: c.nesterov } };
      break;
    case 'adam':
      if (c.amsgrad) return null;
      oc = { class_name: 'Adam', config: { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon } };
      break;
    case 'rmsprop':
      oc = { class_name: 'RMSProp', config: { learningRate: c.learningRate, decay: c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: c.centered } };
      break;
    case 'adagrad':
      if (c.epsilon !== 1e-7) return null;
      oc = { class_name: 'Adagrad', config: { learningRate: c.learningRate, initialAccumulatorValue: c.initialAccumulatorValue } };
      break;
    case 'adamax':
      oc = { class_name: 'Adamax', config: { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, decay: c.decay } };
      break;
    case 'adadelta':
      oc = { class_name: 'Adadelta', config: { learningRate: c.learningRate, rho: c.rho, epsilon: c.epsilon } };
      break;
    default:
      return null;
  }
  return { loss, metrics: tfMetrics, optimizer_config: oc };
}

const OPTIMIZER_CLASSES = ['SGD', 'Momentum', 'Adam', 'RMSProp', 'Adagrad', 'Adamax', 'Adadelta'];

/** @internal Compile arguments from TF.js's `trainingConfig` (at `where`). */
export function compileFromTrainingConfig(op: string, where: string, v: unknown): CompileArgs {
  const t = objectAt(op, where, v);
  // One loss name, or for several outputs a list of them or a dict by output name.
  const names = typeof t.loss === 'string' ? [t.loss] : Array.isArray(t.loss) ? t.loss : t.loss !== null && typeof t.loss === 'object' ? Object.values(t.loss) : [];
  if (names.length === 0 || names.some((n) => typeof n !== 'string')) bad(op, `${where}.loss`, `must be a loss name, or a list or dict of them (one per output), got ${show(t.loss)}`);
  // An unknown loss is named as the file writes it ('foo_loss'), not as neurite would spell it.
  for (const n of names as string[]) {
    try {
      lossAbi(op, camel(n) as LossName);
    } catch {
      const known = LOSSES.map(snake);
      bad(op, `${where}.loss`, `'${n}' is a loss neurite does not know${didYouMean(n, known)} (known, as TF.js writes them: ${known.join(', ')}; or load with { compile: false })`);
    }
  }
  const loss = typeof t.loss === 'string' ? camel(t.loss) : Array.isArray(t.loss) ? t.loss.map((n) => camel(n as string)) : Object.fromEntries(Object.entries(t.loss as object).map(([k, n]) => [k, camel(n as string)]));
  // TF.js writes a list, or a dict by output name (`{}` when compiled without metrics).
  let metrics: unknown = t.metrics ?? [];
  const dict = metrics !== null && typeof metrics === 'object' && !Array.isArray(metrics);
  const byOutput = dict && typeof t.loss !== 'string';
  const all = dict ? Object.values(metrics as object).flat() : metrics;
  if (!Array.isArray(all) || all.some((m) => typeof m !== 'string')) bad(op, `${where}.metrics`, `must be an array of metric names (or a dict of them by output), got ${show(t.metrics)} (or load with { compile: false } and compile the model again)`);
  // Keras's training_config (in a converted file) may hold these; TF.js's trainingConfig never does.
  for (const k of ['loss_weights', 'weighted_metrics', 'sample_weight_mode']) {
    if (t[k] != null) bad(op, `${where}.${k}`, `must be null: neurite does not read it from a file (TF.js refuses it too), got ${show(t[k])}; load with { compile: false } and compile the model again with it`);
  }
  metrics = byOutput ? Object.fromEntries(Object.entries(metrics as object).map(([k, ms]) => [k, (typeof ms === 'string' ? [ms] : (ms as string[])).map(camel)])) : (all as string[]).map(camel);
  const o = kerasObject(op, `${where}.optimizer_config`, t.optimizer_config);
  const c = Object.fromEntries(Object.entries(o.config).map(([k, x]) => [camel(k), x])) as Record<string, unknown>;
  const num = (k: string, def: number): number => {
    const x = c[k] ?? def;
    if (typeof x !== 'number' || !Number.isFinite(x)) bad(op, `${where}.optimizer_config.config.${k}`, `must be a finite number, got ${describe(x)}`);
    return x;
  };
  const lr = (def: number) => num('learningRate', c.lr === undefined ? def : (c.lr as number));
  let optimizer: Optimizer;
  const w = `${where}.optimizer_config`;
  // Keras spells TF.js's RMSProp 'RMSprop'.
  const cls = o.class_name === 'RMSprop' ? 'RMSProp' : o.class_name;
  const keras = kerasOptimizerOptions(op, `${w}.config`, cls, c);
  try {
    switch (cls) {
      case 'SGD': optimizer = sgd({ learningRate: lr(0.01), ...(c.momentum ? { momentum: num('momentum', 0), nesterov: c.nesterov === true } : {}), ...keras }); break;
      case 'Momentum': optimizer = sgd({ learningRate: lr(0.01), momentum: num('momentum', 0), nesterov: c.useNesterov === true }); break;
      case 'Adam': optimizer = adam({ learningRate: lr(0.001), beta1: num('beta1', 0.9), beta2: num('beta2', 0.999), epsilon: num('epsilon', 1e-7), ...keras }); break;
      // TF.js names RMSProp's rho `decay`; Keras names it rho (its `decay` is the learning rate's, refused above).
      case 'RMSProp': optimizer = rmsprop({ learningRate: lr(0.001), rho: c.rho === undefined ? num('decay', 0.9) : num('rho', 0.9), momentum: num('momentum', 0), epsilon: num('epsilon', 1e-7), centered: c.centered === true, ...keras }); break;
      case 'Adagrad': optimizer = adagrad({ learningRate: lr(0.001), initialAccumulatorValue: num('initialAccumulatorValue', 0.1), ...(c.epsilon !== undefined ? { epsilon: num('epsilon', 1e-7) } : {}), ...keras }); break;
      case 'Adamax': optimizer = adamax({ learningRate: lr(0.002), beta1: num('beta1', 0.9), beta2: num('beta2', 0.999), epsilon: num('epsilon', 1e-7), decay: num('decay', 0), ...keras }); break;
      case 'Adadelta': optimizer = adadelta({ learningRate: lr(0.001), rho: num('rho', 0.95), epsilon: num('epsilon', 1e-7), ...keras }); break;
      default: return bad(op, `${w}.class_name`, `'${o.class_name}' is an optimizer neurite does not support; supported: ${OPTIMIZER_CLASSES.join(', ')} (or load with { compile: false })`);
    }
  } catch (err) {
    if (err instanceof InvalidArgumentError && !err.message.startsWith(`${op}: ${w}`)) err.message = `${op}: ${w}: ${err.message}`;
    throw err;
  }
  return { optimizer, loss: loss as never, metrics: metrics as never };
}

/**
 * The options of Keras's optimizer config (`training_config.optimizer_config.config` in a file
 * `tensorflowjs_converter` wrote; keys camel-cased as TF.js does) that neurite's optimizers take
 * (`weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`, Adam's `amsgrad`); a value they
 * would change training with and neurite has no option for (`use_ema`, the legacy optimizers'
 * learning-rate `decay`) is refused. TF.js's own trainingConfig has none of these keys.
 */
function kerasOptimizerOptions(op: string, where: string, cls: string, c: Record<string, unknown>): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  const pairs: Array<[string, string, string]> = [['weightDecay', 'weight_decay', 'weightDecay'], ['clipnorm', 'clipnorm', 'clipNorm'], ['clipvalue', 'clipvalue', 'clipValue'], ['globalClipnorm', 'global_clipnorm', 'globalClipNorm']];
  for (const [k, file, option] of pairs) {
    const x = c[k];
    if (x == null || (k === 'weightDecay' && x === 0)) continue;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) bad(op, `${where}.${file}`, `must be null or a finite number >= 0, got ${describe(x)}`);
    out[option] = x;
  }
  if (c.amsgrad === true) {
    if (cls !== 'Adam') bad(op, `${where}.amsgrad`, `is true on ${cls}, which neurite's ${cls} does not have: load with { compile: false } and compile the model again`);
    out.amsgrad = true;
  }
  if (c.useEma === true) bad(op, `${where}.use_ema`, `is true: neurite's optimizers keep no moving average of the weights; load with { compile: false } and compile the model again`);
  // Keras 2's legacy optimizers decay the learning rate by `decay` (TF.js's Adamax has a `decay` of its own, and TF.js names RMSProp's rho `decay`).
  const lrDecay = cls !== 'Adamax' && (cls !== 'RMSProp' || c.rho !== undefined) ? c.decay : undefined;
  if (lrDecay != null && lrDecay !== 0) bad(op, `${where}.decay`, `is ${show(lrDecay)}, a legacy Keras optimizer's learning-rate decay, which neurite's ${cls} does not have: load with { compile: false } and compile the model again (a schedules.* learning rate for a decay)`);
  return out;
}

/** @internal Compile arguments from neurite's exact record (at `where`). */
export function compileFromRecord(op: string, where: string, v: unknown): CompileArgs {
  const r = objectAt(op, where, v);
  const oc = objectAt(op, `${where}.optimizer`, r.optimizer);
  const { name, learningRate, ...options } = oc;
  const factories: Record<string, (o: object) => Optimizer> = { sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta };
  if (typeof name !== 'string' || !Object.hasOwn(factories, name)) bad(op, `${where}.optimizer.name`, `must be one of ${Object.keys(factories).join(', ')}, got ${show(name)}`);
  let lr: number | LearningRateSchedule;
  try {
    if (typeof learningRate === 'object' && learningRate !== null) {
      const { name: sn, ...so } = learningRate as Record<string, unknown>;
      const f = (schedules as unknown as Record<string, (o: object) => LearningRateSchedule>)[sn as string];
      if (typeof sn !== 'string' || typeof f !== 'function' || !(f(so) instanceof LearningRateSchedule)) bad(op, `${where}.optimizer.learningRate.name`, `must be a schedule name, got ${show(sn)}`);
      lr = f(so);
    } else lr = learningRate as number;
    const metrics = r.metrics ?? [];
    if (metrics === null || typeof metrics !== 'object') bad(op, `${where}.metrics`, `must be an array of metric names (or an object of them by output), got ${show(metrics)}`);
    return { optimizer: factories[name as string]({ learningRate: lr, ...options }), loss: r.loss as LossConfig, metrics: metrics as never, ...(r.lossWeights !== undefined ? { lossWeights: r.lossWeights as never } : {}), ...(r.weightedMetrics !== undefined ? { weightedMetrics: r.weightedMetrics as never } : {}) };
  } catch (err) {
    if (err instanceof InvalidArgumentError && !err.message.startsWith(`${op}: ${where}`)) err.message = `${op}: ${where}: ${err.message}`;
    throw err;
  }
}

/** JSON with every object's keys sorted: the same text whatever order a tool writes them in. */
const sortedJSON = (v: unknown): string =>
  v !== null && typeof v === 'object'
    ? Array.isArray(v) ? `[${v.map(sortedJSON).join()}]` : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJSON((v as Record<string, unknown>)[k])}`).join()}}`
    : (JSON.stringify(v) ?? 'null');

/**
 * @internal The fingerprint `userDefinedMetadata.neurite.wrote` of what neurite's record goes
 * with in a file, and that another tool rewrites when it re-saves the file: `trainingConfig`
 * (keys sorted; `null` when absent) and every optimizer weight's name, shape and dtype, with the
 * value of TF.js's step counter `iter` (read as int32; `undefined` when there is none). TF.js
 * carries the record through unchanged; recompiling, training, or saving with or without
 * `includeOptimizer` changes one of them. An FNV-1a hash (8 hex digits) of their text.
 */
export function fileFingerprint(trainingConfig: unknown, optimizerWeights: ReadonlyArray<{ name: string; shape: number[]; dtype?: string | undefined }>, iter: number | undefined): string {
  const text = sortedJSON([trainingConfig ?? null, optimizerWeights.map((w) => [w.name, w.shape, w.dtype ?? 'float32']), iter ?? null]);
  return fnv1a(text).toString(16).padStart(8, '0');
}

/** @internal The JSON part and the weights of a training state, for saving. */
export function trainingStateParts(state: TrainingState): { json: Omit<TrainingState, 'tensors'>; weights: Array<{ name: string; shape: number[]; data: Float32Array; group: 'optimizer' }> } {
  return {
    json: { optimizer: state.optimizer, step: state.step, extra: { ...state.extra } },
    weights: state.tensors.map((t) => ({ name: `optimizer/${t.name}`, shape: t.shape.slice(), data: t.data, group: 'optimizer' as const })),
  };
}

/** An optimizer slot must be finite whatever `allowNonFinite` says: this is the way out. */
const OPTIMIZER_NON_FINITE = 'optimizer state must be finite (allowNonFinite covers the model weights only): load with { compile: false } to skip the state';

/**
 * @internal The training state saved in `json` (at `where`) and the `optimizer/…` slots, or an
 * InvalidArgumentError naming the field. Every tensor named in the file is returned; the
 * importer checks them against the model.
 */
export function trainingStateFrom(op: string, where: string, json: unknown, slots: WeightSlot[], bytes: Uint8Array): TrainingState {
  const j = objectAt(op, where, json);
  if (typeof j.step !== 'number' || !Number.isInteger(j.step) || j.step < 0) bad(op, `${where}.step`, `must be a non-negative integer, got ${describe(j.step)}`);
  const extra = objectAt(op, `${where}.extra`, j.extra ?? {});
  for (const [k, x] of Object.entries(extra)) {
    if (typeof x !== 'string' && (typeof x !== 'number' || Number.isNaN(x))) bad(op, `${where}.extra.${k}`, `must be a number or a string, got ${describe(x)}`);
  }
  const tensors = slots.filter((s) => s.group === 'optimizer').map((s) => {
    if (!s.name.startsWith('optimizer/')) bad(op, `${s.where}.name`, `of an optimizer weight must start with 'optimizer/', got '${s.name}'`);
    return { name: s.name.slice('optimizer/'.length), shape: s.shape.slice(), data: decodeWeights(op, bytes, s, false, OPTIMIZER_NON_FINITE) };
  });
  return { optimizer: j.optimizer, step: j.step as number, extra: extra as Record<string, number | string>, tensors };
}

/** TF.js's optimizer state in a file it wrote: the step and each slot by name (`dense_Dense1/kernel/m`). */
export interface TfOptimizerState {
  step: number;
  slots: Map<string, Float32Array>;
}

/**
 * @internal TF.js's optimizer entries (`iter` and `<weight>/<slot>`, group `optimizer`) checked
 * against the model's weights (`weights`: file name → shape): every slot belongs to one of them,
 * with its shape, and is finite. `null` when the file has none.
 */
export function tfOptimizerStateFrom(op: string, slots: WeightSlot[], bytes: Uint8Array, weights: Map<string, number[]>): TfOptimizerState | null {
  const entries = slots.filter((s) => s.group === 'optimizer');
  if (entries.length === 0) return null;
  let step: number | undefined;
  const out = new Map<string, Float32Array>();
  for (const s of entries) {
    if (s.name === 'iter') {
      if (s.size !== 1) bad(op, `${s.where}.shape`, `of TF.js's step counter 'iter' must be [] (one value), got ${show(s.shape)}`);
      const view = new DataView(bytes.buffer, bytes.byteOffset + s.offset * 4, 4);
      step = s.dtype === 'int32' ? view.getInt32(0, true) : view.getFloat32(0, true);
      if (!Number.isInteger(step) || step < 0) bad(op, `${s.where}`, `('iter', TF.js's optimizer step) must be a non-negative integer, got ${step}`);
      continue;
    }
    const cut = s.name.lastIndexOf('/');
    const shape = cut > 0 ? weights.get(s.name.slice(0, cut)) : undefined;
    if (!shape) bad(op, `${s.where}.name`, `'${s.name}' is optimizer state for no weight of this model (TF.js names a slot '<weight>/<slot>', e.g. '${[...weights.keys()][0] ?? 'dense/kernel'}/m')`);
    if (s.shape.join() !== shape.join()) bad(op, `${s.where}.shape`, `of '${s.name}' is ${show(s.shape)}, but weight '${s.name.slice(0, cut)}' has shape ${show(shape)}`);
    out.set(s.name, decodeWeights(op, bytes, s, false, OPTIMIZER_NON_FINITE));
  }
  if (step === undefined) bad(op, 'weightSpecs', `has TF.js optimizer slots (${entries[0].name}, …) but no step counter 'iter'`);
  return { step, slots: out };
}

/**
 * @internal `fresh` (the state of the model just compiled, `exportTrainingState`) with TF.js's
 * step and slots put in: weight `i` of the model is `names[i]` in the file, its slot `k` the
 * file's `<names[i]>/<slot>`. A slot the file lacks (a weight TF.js has not updated) stays
 * fresh, as in TF.js.
 */
export function withTfOptimizerState(fresh: TrainingState, tf: TfOptimizerState, names: string[]): TrainingState {
  const per = names.length === 0 ? 0 : fresh.tensors.length / names.length;
  const tensors = fresh.tensors.map((t, at) => {
    const slot = t.name.slice(t.name.lastIndexOf('/') + 1);
    const data = tf.slots.get(`${names[Math.floor(at / per)]}/${slot}`);
    return data ? { ...t, data } : t;
  });
  return { ...fresh, step: tf.step, tensors };
}

/** The slots TF.js's optimizer of each class keeps, in its `getWeights` order (after `iter`). */
function tfSlotOrder(c: OptimizerConfig): string[] | null {
  switch (c.name) {
    case 'sgd': return c.momentum === 0 ? [] : ['momentum'];
    case 'adam': return ['m', 'v'];
    // TF.js keeps the momentum slots even at momentum 0 (they are written as zeros). Centered:
    // TF.js 4.22 divides by √(ms − (mg² + ε)), not √(ms − mg² + ε), so it would resume this
    // state on another course (0.088 apart after 30 steps; NaN at a zero gradient): neurite's form.
    case 'rmsprop': return c.centered ? null : ['rms', 'momentum'];
    case 'adagrad': return ['accumulator'];
    default: return null; // adamax (TF.js cannot set its weights), adadelta (TF.js's is SGD), adamw
  }
}

/**
 * @internal The optimizer state in TF.js's form — `iter` (int32), then each slot of every
 * trainable weight, slot by slot (`dense_1/kernel/m`, …, `dense_1/kernel/v`, …) — so that
 * `tf.loadLayersModel` gives it to its recompiled optimizer; or `null` when TF.js's form cannot
 * hold it exactly: another optimizer, a step past int32, or a non-trainable weight whose state
 * is not fresh (a layer frozen after training; neurite keeps slots for every weight).
 * `weights` are the model's weights in the state's order (`getWeights()`'s), with their names
 * and shapes in the file (a slot is stored in its weight's file shape, the same values in
 * order). The trainable ones keep the layers' order there, which is TF.js's optimizer's.
 */
export function tfOptimizerParts(state: TrainingState, weights: ReadonlyArray<{ name: string; trainable: boolean; shape: number[] }>): Array<NamedWeight | NamedInts> | null {
  const c = state.optimizer as OptimizerConfig;
  const order = tfSlotOrder(c);
  if (!order || state.step > 0x7fffffff || weights.length === 0) return null;
  const per = state.tensors.length / weights.length;
  const fresh = (slot: string) => (slot === 'accumulator' ? Math.fround(c.initialAccumulatorValue as number) : 0);
  const slotOf = (i: number, slot: string) => state.tensors.slice(i * per, (i + 1) * per).find((t) => t.name.endsWith(`/${slot}`));
  for (const [i, w] of weights.entries()) {
    if (w.trainable) continue;
    for (let k = 0; k < per; k++) {
      const t = state.tensors[i * per + k];
      const v = fresh(t.name.slice(t.name.lastIndexOf('/') + 1));
      if (t.data.some((x) => x !== v)) return null;
    }
  }
  const out: Array<NamedWeight | NamedInts> = [{ name: 'iter', shape: [], data: Int32Array.of(state.step), group: 'optimizer', dtype: 'int32' }];
  for (const slot of order) {
    for (const [i, w] of weights.entries()) {
      if (!w.trainable) continue;
      const t = slotOf(i, slot);
      // Only RMSProp at momentum 0 lacks a slot TF.js keeps (its momentum, always 0 there); any
      // other missing slot means the core's slot names and tfSlotOrder disagree: not zeros.
      if (!t && !(c.name === 'rmsprop' && slot === 'momentum' && c.momentum === 0)) {
        throw new NeuriteError('Internal', `save: the optimizer state of ${w.name} has no slot '${slot}' (it has ${state.tensors.slice(i * per, (i + 1) * per).map((x) => x.name).join(', ') || 'none'}), which TF.js's ${c.name} keeps; please report this`);
      }
      out.push({ name: `${w.name}/${slot}`, shape: w.shape.slice(), data: t ? t.data : new Float32Array(w.shape.reduce((a, b) => a * b, 1)), group: 'optimizer' });
    }
  }
  return out;
}
