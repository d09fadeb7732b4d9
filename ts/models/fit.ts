/**
 * `fit`'s arguments: its options, class and sample weights, and what the training loops share
 * (`LoopArgs`: epochs, yielding, verbosity, callbacks), read and checked here. The loop itself
 * (`fit-loop.ts`) is loaded on the first `fit` (`lazy.ts`).
 */
import type { FitDatasetArgs } from './fit-dataset.js';
import { didYouMean } from '../options.js';
import { DisposedError, InvalidArgumentError, NeuriteError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describe, f32String } from '../ops/convert.js';
import { otherCopy } from '../brand.js';
import { tensor } from '../ops/creation.js';
import { type CallbackHooks, type CallbackParams } from './callbacks.js';
import { readVerbose, type Verbose } from './progress.js';
import { type Sequential } from './sequential.js';
import { lazyChunk } from '../lazy_chunk.js';

/** @internal The training loop's chunk's exports. */
export type TrainChunk = typeof import('./fit-loop.js');

/**
 * @internal The training loop (`fit-loop.ts`: `fit`'s and `fitDataset`'s epochs, callbacks,
 * progress, validation and history), a chunk of its own (`train.js`) loaded on the first `fit`
 * or `fitDataset`, as the dataset code is (`../data/lazy.ts`): an app that only predicts does
 * not download it. `op` names the caller if loading fails.
 */
export const trainChunk = lazyChunk((): Promise<TrainChunk> => import('./fit-loop.js'), 'train.js', 'training loop');

/** Options of `model.fit` (TF.js's and Keras's names and defaults). */
export interface FitArgs {
  /** Passes over the data. Default 1. */
  epochs?: number | undefined;
  /** Samples per step. Default 32. */
  batchSize?: number | undefined;
  /**
   * Shuffle the samples each epoch (seeded by the model seed and `seed`). Default `true`.
   * Keras's `'batch'` is an error, as in TF.js (which has not implemented it).
   */
  shuffle?: boolean | undefined;
  /**
   * Extra seed for shuffling, an integer in [0, 2^31 − 1] (model seeds may go up to 2^53 − 1:
   * `Date.now()` fits there, not here); the same seed gives bit-identical training. Default 0.
   */
  seed?: number | undefined;
  /**
   * Fraction of the samples held out for validation, taken from the end before shuffling. As
   * TF.js and Keras, the first ⌊n·(1 − validationSplit)⌋ samples train and the rest validate
   * (so n = 10, 0.25 trains on 7 and validates on 3). 0 (the default) holds out nothing.
   * Both parts are copies (as in TF.js), and WebAssembly memory does not shrink: for data near
   * the memory's limit pass `validationData` instead.
   */
  validationSplit?: number | undefined;
  /**
   * Explicit validation data `[x, y]` (overrides `validationSplit`), or `[x, y, sampleWeight]`
   * (Keras's 3-tuple: `val_loss` weighted as {@link FitArgs.sampleWeight} weights the training
   * loss); `null` is none. For a model with several inputs or outputs, `x` and `y` are lists (or
   * objects by name) as in `fit`. It is evaluated in batches of `batchSize` (TF.js's fit has no
   * `validationBatchSize`).
   */
  validationData?: [Tensor | Tensor[] | Record<string, Tensor>, Tensor | Tensor[] | Record<string, Tensor>] | [Tensor | Tensor[] | Record<string, Tensor>, Tensor | Tensor[] | Record<string, Tensor>, SampleWeight | null | undefined] | null | undefined;
  /**
   * Callbacks: objects with any of the hooks, or `Callback` instances. Any object's hooks see
   * `this.model` and `this.params` as a `Callback`'s do (TF.js's `CustomCallback`), unless the
   * object has a `model` or `params` of its own.
   */
  callbacks?: CallbackHooks | CallbackHooks[] | undefined;
  /**
   * Progress in Node (as Keras): 0 silent; 1 a bar redrawn in place on a terminal (one line per
   * epoch elsewhere: a pipe, a log file, CI); 2 one line per epoch. The default, `'auto'`, is 1,
   * but in a run of more than 100 epochs it keeps only the first and last epoch lines and about
   * one a second in between, each kept line after a gap preceded by `… 37 epochs not shown`; an
   * explicit 1 or 2 prints every epoch. Early stopping is reported in one line. In a Deno
   * Jupyter notebook (which does not show stdout) the lines go to `console.log`. In a browser
   * (no stdout) the default prints nothing, as TF.js; an explicit 1 or 2 prints one line per
   * epoch (Keras's `verbose: 2` form) with `console.log`. A boolean is 0 or 1 (Python's `verbose=True`).
   */
  verbose?: Verbose | undefined;
  /**
   * Yield to the event loop (so timers, I/O and rendering run) after a batch once this many
   * milliseconds have passed since the last yield. Default 16 (a frame); 0 yields after every
   * batch. `onYield` hooks run after each yield. Give this or `yieldEvery`, not both.
   */
  yieldEveryMs?: number | undefined;
  /**
   * TF.js's name for when to yield to the event loop (give this or `yieldEveryMs`, not both):
   * - `'auto'` (the default): as `yieldEveryMs`'s default, after a batch once 16 ms have passed
   *   (TF.js waits 125 ms);
   * - `'batch'`: after every batch (`yieldEveryMs: 0`);
   * - `'epoch'`: once per epoch, after `onEpochEnd`, never between batches;
   * - `'never'`: never — the page or the process does nothing else until `fit` ends (as TF.js,
   *   an `onYield` hook is then an error: it would never run);
   * - a number: after a batch once that many milliseconds have passed (`yieldEveryMs`; 0 is after
   *   every batch, where TF.js reads 0 as `'auto'`).
   *
   * `onYield` hooks run after each yield (TF.js calls them only in the timed modes, `'auto'` and
   * a number).
   */
  yieldEvery?: YieldEvery | undefined;
  /**
   * Epoch to start from (for resumed training, as Keras: epochs `initialEpoch .. epochs − 1`
   * run). With the weights and `importTrainingState`, and the same `seed`, the run continues
   * bit-identically: an epoch's shuffle depends only on the model seed, `seed` and the epoch's
   * place in the model's training, which counts on from the epochs earlier `fit` calls
   * completed: `fit({ epochs: 1 })` in a loop shuffles anew each call (as TF.js and Keras) and
   * gives the bits of one `fit({ epochs: n })`, and a run resumed with `initialEpoch` = the
   * epochs completed (`state.extra.epochsCompleted`) numbers its epochs as the uninterrupted
   * run did. Default 0.
   */
  initialEpoch?: number | undefined;
  /**
   * A weight per class, as TF.js's `classWeight`: `{ [classIndex]: weight }` (or a list of one
   * such object, TF.js's form for a model with one output; or a list of numbers, one per class
   * index: `[1, 3, 0.5]`). Each training sample's loss, and so
   * its gradient, is multiplied by the weight of its class before the mean over the batch (the
   * logged `loss` is that weighted mean); metrics and validation are not weighted. The class of
   * a sample is its index in a one-hot `y` (`argMax`), or its value when `y` is `[n]` or `[n, 1]`
   * (e.g. 0/1 labels); every class in `y` needs a weight. Use it to make a rare class count more.
   * As TF.js, a soft row (label smoothing, pseudo-labels) or a multi-label row of `y` counts as
   * the class of its largest value, the first of equal ones (`[0.1, 0.8, 0.1]` is class 1,
   * `[1, 0, 1]` class 0; Keras 3 refuses such rows; to weigh by every label, give `sampleWeight`);
   * a row with a value outside [0, 1] (class indices per step, `[n, T]`) is refused, where TF.js
   * would weigh it by a step index.
   * For a model with several outputs (as TF.js): a list with one such object per output (`null`
   * for none), or an object of them by output name; each output's loss is weighted by its own.
   */
  classWeight?: Readonly<Record<number, number>> | ReadonlyArray<Readonly<Record<number, number>> | null> | Readonly<Record<string, Readonly<Record<number, number>>>> | undefined;
  /**
   * A weight per training sample, as Keras's `sample_weight` (TF.js's fit refuses it): a tensor
   * of shape `[n]` or `[n, 1]`, or an array of `n` numbers (finite, ≥ 0). Each sample's loss,
   * and so its gradient, is multiplied by its weight before the mean over the batch (Keras's
   * `sum(w·loss) / batchSize`, not divided by the weights' sum); with `classWeight` too, the two
   * multiply. For an output with values per step (`[n, T, c]`), a tensor `[n, T]` weights each
   * step's loss (Keras's temporal weights: `sum(w·loss) / (batchSize·T)`; 0 masks a padding
   * step). For a model with several outputs: one weight for every output's loss, a list with one
   * per output (`null`: unweighted), or an object by output name. Metrics are not weighted; with
   * `validationSplit` the held-out samples' weights weigh `val_loss`, as in Keras 3 (the class
   * weights do not: `classWeight` is for training).
   */
  sampleWeight?: SampleWeight | undefined;
}

/**
 * Sample weights (Keras's `sample_weight`), as `fit`, `evaluate`, `trainOnBatch` and dataset
 * elements take them (see {@link FitArgs.sampleWeight}): a tensor `[n]`, `[n, 1]` or one weight
 * per step (`[n, T]`), `n` numbers, or for a model with several outputs a list (one per output,
 * `null` for none) or an object by output name.
 */
export type SampleWeight = Tensor | ArrayLike<number> | ReadonlyArray<Tensor | ArrayLike<number> | null> | Readonly<Record<string, Tensor | ArrayLike<number> | null>>;

/**
 * What `fit` returns: the logs of every epoch, by name. `history.loss` is the total loss
 * training minimizes (as Keras), then one entry per metric, plus the parts of the loss:
 * `kl` (the KL terms of variational layers, when the model has one) and `regularization`
 * (weight and activity penalties, when it has any) — so the reconstruction term is
 * `loss − kl − regularization`. With validation data each has a `val_` twin, computed as
 * `evaluate` does: as in TF.js, `val_loss` leaves the penalties out (it is the data loss plus
 * `val_kl`); Keras 3 adds them.
 */
export interface History {
  /** The epochs that ran, counted from 0 (from `initialEpoch` when resuming). */
  epoch: number[];
  /** Each log's value per epoch, by name: see {@link HistoryLogs}. */
  history: HistoryLogs;
  /** What the callbacks were told about the run (TF.js's `History.params`): epochs, samples, steps, batch size, the logs' keys. */
  params: CallbackParams;
}

/**
 * The logs of every epoch by name (`History.history`). `loss` is always there (one value per
 * epoch that ran; empty when none ran, where TF.js's and Keras's history is `{}`), so
 * `history.history.loss` is `number[]` also under `noUncheckedIndexedAccess`; any other name
 * (a metric, `val_loss`, `learning_rate`) is a log the run may not have, so it is
 * `number[] | undefined` there, as with `Record<string, number[]>`. TF.js types it
 * `{ [key: string]: Array<number | Tensor> }`; neurite's values are always numbers.
 */
export type HistoryLogs = { loss: number[] } & Record<string, number[]>;

/** @internal Adds where it happened (`epoch 0, batch 3`) to a neurite error's message, once. */
/**
 * @internal Where a fit is, for its messages: the epoch and batch counted from 1, as the
 * progress bar counts them (`epoch 3/50, batch 2`), while callbacks get both from 0, as Keras's.
 */
export function placeIn(epoch: number, epochs: number, batch?: number): string {
  return `epoch ${epoch + 1}/${epochs}${batch === undefined ? '' : `, batch ${batch + 1}`}`;
}

export function at(err: unknown, where: string): unknown {
  if (err instanceof NeuriteError && !err.message.includes(`(${where})`)) err.message = `${err.message} (${where})`;
  return err;
}

/**
 * @internal Keras's names for the logs TF.js calls `acc` and `val_acc` ('accuracy' in compile
 * logs as `acc`, as TF.js): `history.accuracy` and `history.val_accuracy` (and `accuracy` in
 * `evaluate(…, { returnDict: true })`'s record and in the logs callbacks get) read the same values, as non-enumerable
 * properties, so a ported `history.history.accuracy` is not `undefined` while the keys listed,
 * JSON and `structuredClone` stay TF.js's.
 */
export function kerasAliases<T>(h: Record<string, T>): void {
  for (const [alias, key] of [['accuracy', 'acc'], ['val_accuracy', 'val_acc'], ['weighted_accuracy', 'weighted_acc'], ['val_weighted_accuracy', 'val_weighted_acc']] as const) {
    if (Object.hasOwn(h, key) && !Object.hasOwn(h, alias)) Object.defineProperty(h, alias, { get: () => h[key], enumerable: false, configurable: true });
  }
}

/** The epochs `fit` completed on each model, counted on across calls (for `exportTrainingState`; see {@link FitArgs.initialEpoch}). */
const completed = new WeakMap<Sequential, number>();

/** @internal The epochs `fit` completed on `model`, counted on across calls (or that a training state restored). */
export function epochsCompleted(model: Sequential): number | undefined {
  return completed.get(model);
}

/** @internal Sets (or with `undefined` forgets) what {@link epochsCompleted} reports. */
export function setEpochsCompleted(model: Sequential, n: number | undefined): void {
  if (n === undefined) completed.delete(model);
  else completed.set(model, n);
}

/** TF.js's `yieldEvery`: when `fit` yields to the event loop (see {@link FitArgs.yieldEvery}). */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** @internal How long a training or dataset loop runs before it yields (`yieldEveryMs`'s default). */
export const YIELD_EVERY_MS = 16;


/** @internal An integer option of `op` (`fit`, `fitDataset`) in `[min, 2^31 - 1]`. */
export function intOption(op: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new InvalidArgumentError(`${op}: ${name} must be an integer >= ${min}, got ${describe(v)}`);
  if (v > 0x7fffffff) throw new InvalidArgumentError(`${op}: ${name} must be at most 2^31 - 1, got ${v}`);
  return v;
}

/**
 * Options of TF.js's `ModelFitArgs` that its `fit` (tfjs-layers 4.22, `engine/training.js`)
 * ignores, so that passing them changes nothing there: an error here, saying what does the job.
 * @internal
 */
export const NOT_IN_FIT: Record<string, string> = {
  stepsPerEpoch: "TF.js's fit ignores it (an epoch is one pass over x); for a set number of batches per epoch use fitDataset with batchesPerEpoch, or give fit one epoch's samples",
  validationSteps: "TF.js's fit ignores it (it belongs with stepsPerEpoch); validationData and validationSplit are evaluated whole, in batches of batchSize",
  validationBatchSize: "fit evaluates validation data in batches of batchSize (TF.js's fit ignores validationBatchSize); it is fitDataset's option, for validationData given as tensors",
  validationFreq: "Keras's validation_freq, which TF.js 4.22's fit does not have either: fit validates after every epoch; to validate every k epochs, leave validationData out and call model.evaluate(xVal, yVal) in a callback's onEpochEnd when (epoch + 1) % k === 0 (writing logs.val_loss for the callbacks after it)",
};

/** @internal The options `fit` takes; anything else is an error, not ignored. */
export const FIT_KEYS: ReadonlyArray<keyof FitArgs> = ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'yieldEveryMs', 'yieldEvery', 'initialEpoch', 'classWeight', 'sampleWeight'];
/** @internal The options `fitDataset` takes (here, beside `fit`'s: the rest of fitDataset is in the dataset chunk). */
export const FIT_DATASET_KEYS: ReadonlyArray<keyof FitDatasetArgs> = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'validationBatchSize', 'callbacks', 'verbose', 'yieldEveryMs', 'yieldEvery', 'initialEpoch', 'classWeight'];
/** @internal The hooks a callback may have (another `on…` method is a typo, refused). */
export const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield', 'cleanup'] as const;

/**
 * @internal `classWeight` per output (`outputs` the output names of a model with several, else
 * null): a map from class index to weight, or null for an output without; null when not given.
 */
export function readClassWeights(given: unknown, outputs: readonly string[] | null, op = 'fit'): Array<Map<number, number> | null> | null {
  if (given === undefined || given === null) return null;
  if (!outputs) return [readClassWeight(given, 'classWeight', op)];
  if (Array.isArray(given)) {
    if (given.length !== outputs.length) throw new InvalidArgumentError(`${op}: classWeight lists ${given.length} objects but the model has ${outputs.length} outputs (${outputs.join(', ')}); give one per output (null for none), or an object by output name`);
    return given.map((g, q) => (g === null || g === undefined ? null : readClassWeight(g, `classWeight[${q}]`, op)));
  }
  if (typeof given !== 'object') throw new InvalidArgumentError(`${op}: classWeight must be a list of objects { [classIndex]: weight }, one per output, or an object of them by output name, got ${describe(given)}`);
  for (const k of Object.keys(given)) {
    if (!outputs.includes(k)) throw new InvalidArgumentError(`${op}: classWeight names '${k}', which is not an output of the model${didYouMean(k, outputs)} (outputs: ${outputs.join(', ')}; a model with several outputs takes classWeight by output)`);
  }
  return outputs.map((o) => (Object.hasOwn(given, o) ? readClassWeight((given as Record<string, unknown>)[o], `classWeight.${o}`, op) : null));
}

/** One output's `classWeight` (named `what` in messages) as a map from class index to weight (checked: finite weights ≥ 0). */
function readClassWeight(given: unknown, what: string, op: string): Map<number, number> {
  // A list of numbers is a weight per class index (an object with keys 0, 1, … in TF.js).
  const numbers = Array.isArray(given) && given.length > 0 && given.every((w) => typeof w === 'number');
  const one = numbers ? { ...given } : Array.isArray(given) && given.length === 1 ? given[0] : given;
  if (one === null || typeof one !== 'object' || Array.isArray(one)) {
    throw new InvalidArgumentError(`${op}: ${what} must be an object { [classIndex]: weight }, a list of weights by class index ([1, 3, 0.5]), or a list of one object (for the one output), got ${describe(given)}`);
  }
  const weights = new Map<number, number>();
  for (const [k, w] of Object.entries(one)) {
    const c = Number(k);
    if (!Number.isInteger(c) || c < 0 || String(c) !== k) throw new InvalidArgumentError(`${op}: ${what}'s keys must be class indices (0, 1, …), got '${k}'`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`${op}: ${what}[${k}] must be a finite number >= 0, got ${describe(w)}`);
    weights.set(c, w);
  }
  return weights;
}

/**
 * The class of each row of `y` (`[n, classes]`): its argMax, the first of equal largest values,
 * as TF.js (so a soft or multi-label row of probabilities counts as its likeliest class). A row
 * with a value outside [0, 1] is refused: a rank-2 `y` of class indices per step (`[n, T]`, a
 * tagger's sparse targets) would otherwise weigh every sequence by a step index (TF.js does;
 * Keras 3 refuses it, with a broadcasting error).
 */
function rowClasses(y: Tensor, yName: string, what: string, op: string): Float32Array {
  const [n, c] = [y.shape[0], y.shape[1]];
  const v = y.data();
  const classes = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < c; j++) {
      const x = v[i * c + j];
      if (!(x >= 0 && x <= 1)) {
        const row = Array.from(v.subarray(i * c, i * c + Math.min(c, 6)), f32String).join(', ') + (c > 6 ? ', …' : '');
        const why = Number.isInteger(x)
          ? `for class indices per step ([n, T], a tagger's targets) weight each step instead: sampleWeight of shape [n, T] holding each step's class weight (Keras 3 refuses classWeight there too; TF.js weighs each row by the class of its argMax, a step index)`
          : `classWeight is for class targets; weigh other samples with sampleWeight of shape [n]`;
        throw new ShapeError(`${op}: ${what} reads ${yName} of shape [${y.shape}] as one-hot (or probability) rows [n, classes], but row ${i} holds ${f32String(x)} ([${row}]); ${why}`);
      }
      if (x > v[i * c + best]) best = j;
    }
    classes[i] = best;
  }
  return classes;
}

/**
 * @internal One weight per sample of `y` from its class (as TF.js: `argMax` of a one-hot row, or
 * the value of `y` shaped `[n]` or `[n, 1]`).
 */
export function sampleWeights(y: Tensor, classWeight: Map<number, number>, yName = 'y', what = 'classWeight', op = 'fit'): Float32Array {
  const oneHot = y.rank === 2 && y.shape[1] > 1;
  if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] >= 1))) {
    throw new ShapeError(`${op}: ${what} needs ${yName} of shape [n] or [n, 1] (class indices) or [n, classes] (one-hot), got [${y.shape}]`);
  }
  const classes = oneHot ? rowClasses(y, yName, what, op) : y.data();
  const out = new Float32Array(classes.length);
  classes.forEach((c, i) => {
    const w = classWeight.get(c);
    if (w === undefined) {
      const what2 = Number.isInteger(c) ? `class ${c}` : `the value ${c}, not a class index,`;
      // Soft labels (pseudo-labels, label smoothing by hand): Keras 3 rounds them; TF.js looks the value up as here.
      const soft = Number.isInteger(c) ? '' : `; for soft labels weight the samples yourself: sampleWeight with one weight per sample (Keras 3 rounds ${yName} to classes first)`;
      throw new InvalidArgumentError(`${op}: ${yName} holds ${what2} at sample ${i} but ${what} has no weight for it (classes weighted: ${[...classWeight.keys()].join(', ')}); every class in ${yName} needs one${soft}`);
    }
    out[i] = w;
  });
  return out;
}

/** @internal One output's sample weights: `per` values per sample (1, or the output's rows: Keras's temporal weights). */
export interface OutputWeights {
  w: Float32Array;
  per: number;
}

/**
 * @internal What sample weights are checked against: the number of samples, the output names
 * (null for one output) and each output's rows shape (its per-sample shape without the last
 * axis; 0 for an unknown size).
 */
export interface WeightTargets {
  n: number;
  names: readonly string[] | null;
  rows: ReadonlyArray<readonly number[] | undefined>;
}

/** Whether `v` is a flat list of values (an array or typed array; not a tensor, a buffer or a list of lists). */
function isFlat(v: unknown): v is ArrayLike<unknown> {
  if (typeof v !== 'object' || v === null || v instanceof Tensor || v instanceof ArrayBuffer) return false;
  if (ArrayBuffer.isView(v)) return true;
  return Array.isArray(v) && v.every((e) => e === undefined || (typeof e !== 'object' && typeof e !== 'function'));
}

/**
 * @internal `sampleWeight` (Keras's `sample_weight`) for `t.n` samples, per output; null when not
 * given. One output: a tensor `[n]` or `[n, 1]` (one weight per sample), a tensor of the output's
 * shape without its last axis (`[n, T]` for `[n, T, c]`: a weight per step, Keras's temporal
 * weights), or `n` numbers. Several outputs: one per-sample weight for every output, a list with
 * one per output (`null` for none), or an object by output name. Each weight finite and ≥ 0;
 * `what` names the argument in messages (`sampleWeight`, `validationData[2]`).
 */
export function readSampleWeights(op: string, given: unknown, t: WeightTargets, what = 'sampleWeight'): Array<OutputWeights | null> | null {
  if (given === undefined || given === null) return null;
  const { names } = t;
  if (!names || given instanceof Tensor || isFlat(given)) {
    // One weight for every output (Keras applies one array to each).
    const one = readOneWeight(op, given, t.n, names ? undefined : t.rows[0], what, names ? null : undefined);
    return (names ?? [null]).map(() => one);
  }
  const list = Array.isArray(given);
  if (list && given.length !== names.length) throw new InvalidArgumentError(`${op}: ${what} lists ${given.length} weights but the model has ${names.length} outputs (${names.join(', ')}); give one per output (null for none), or an object by output name`);
  if (!list) {
    if (typeof given !== 'object') throw new InvalidArgumentError(`${op}: ${what} must be a tensor, a list with one per output or an object by output name, got ${describe(given)}`);
    for (const k of Object.keys(given)) {
      if (!names.includes(k)) throw new InvalidArgumentError(`${op}: ${what} names '${k}', which is not an output of the model${didYouMean(k, names)} (outputs: ${names.join(', ')})`);
    }
  }
  const g = given as Record<string | number, unknown>;
  return names.map((name, q) => {
    const v = list ? g[q] : Object.hasOwn(g, name) ? g[name] : null;
    return v === null || v === undefined ? null : readOneWeight(op, v, t.n, t.rows[q], list ? `${what}[${q}]` : `${what}.${name}`, name);
  });
}

/** One weight (see {@link readSampleWeights}); `rows` its output's rows shape; `output` names the output (null: every output, per sample only). */
function readOneWeight(op: string, given: unknown, n: number, rows: readonly number[] | undefined, what: string, output: string | null | undefined): OutputWeights {
  const of = output ? ` of output '${output}'` : '';
  let w: Float32Array, per = 1;
  if (given instanceof Tensor) {
    given.handleFor(op, what); // a disposed tensor is named as the argument
    const s = given.shape;
    const perSample = (given.rank === 1 || (given.rank === 2 && s[1] === 1)) && s[0] === n;
    // Per step: the output's shape without its last axis (an unknown size, 0, takes any).
    const perRow = !perSample && output !== null && rows !== undefined && rows.length > 0 && given.rank === rows.length + 1 && s[0] === n && rows.every((r, i) => r === 0 || r === s[i + 1]);
    if (!perSample && !perRow) {
      const steps = output !== null && rows && rows.length > 0 ? ` or [${[n, ...rows.map((r) => (r === 0 ? 'null' : r))].join(', ')}] (a weight per step${of})` : '';
      throw new ShapeError(`${op}: ${what} must have shape [${n}] or [${n}, 1] (one weight per sample of x)${steps}, got [${s}]`);
    }
    w = given.data(); // a copy already
    per = perSample ? 1 : w.length / Math.max(n, 1);
  } else if (isFlat(given)) {
    const a = given;
    if (a.length !== n) throw new ShapeError(`${op}: ${what} has ${a.length} values but x has ${n} samples; give one weight per sample (a tensor for a weight per step)`);
    w = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (typeof a[i] !== 'number') throw new InvalidArgumentError(`${op}: ${what}[${i}] must be a number, got ${describe(a[i])}`);
      w[i] = a[i] as number;
    }
  } else {
    const nested = Array.isArray(given) && given.some((e) => Array.isArray(e) || ArrayBuffer.isView(e));
    const hint = nested ? ` whose entries are arrays (as numpy's tolist() gives): make it a tensor, tensor(${what.replace(/\W.*/, '')}), of shape [${n}, 1] or, for a weight per step, [${n}, T]` : '';
    throw new InvalidArgumentError(`${op}: ${what} must be a tensor of shape [${n}] or an array of ${n} numbers (one weight per sample), got ${describe(given)}${hint}`);
  }
  const bad = w.findIndex((v) => !(Number.isFinite(v) && v >= 0));
  if (bad >= 0) {
    const at = per > 1 ? `[${Math.floor(bad / per)}] (flat index ${bad})` : `[${bad}]`;
    // The value as given (-0.7), not its float32 rounding (-0.699999988079071).
    const v = w[bad];
    const shown = Number.isFinite(v) ? f32String(v) : describe(v);
    // Keras takes signed weights (REINFORCE's advantages); here they belong in a loss.
    const signed = v < 0
      ? '; for signed weights (REINFORCE-style advantages, which Keras accepts as sample weights) put them in the loss instead: ' +
        "optimizer.minimize(() => mean(mul(losses.categoricalCrossentropy(y, model.apply(x, { training: true }), { reduction: 'none' }), advantages))), or a loss function that takes them"
      : '';
    throw new InvalidArgumentError(`${op}: ${what}${at} must be a finite number >= 0, got ${shown}${signed}`);
  }
  return { w, per };
}

/** @internal The rows per sample of each output of `t` (0 for an unknown size). */
export function rowCounts(t: WeightTargets): number[] {
  return t.rows.map((r) => (r ? r.reduce((a, b) => a * b, 1) : 0));
}

/** @internal Samples `from .. from + count` of each output's weights (a validation split's two parts). */
export function weightRows(ws: Array<OutputWeights | null> | null, from: number, count: number): Array<OutputWeights | null> | null {
  return ws && ws.map((o) => o && { w: o.w.subarray(from * o.per, (from + count) * o.per), per: o.per });
}

/**
 * @internal The weights of `n` samples as the tensor the core takes (`ys` the targets, one per
 * output, which class weights read): `[n]` for one output, `[n, outputs]` for several, each
 * output's class weight (1 without) times the sample's own weight; with a weight per step for
 * some output, `[n, Σ rows]`: every output's weight of each of its rows (`rows`: each output's
 * rows per sample). Null without weights. The caller owns it.
 */
export function weightTensor(op: string, ys: readonly Tensor[], classWeights: Array<Map<number, number> | null> | null, outputNames: readonly string[] | null, n: number, yName = 'y', given: Array<OutputWeights | null> | null = null, rows: readonly number[] = []): Tensor | null {
  if (!classWeights && !given) return null;
  const outs = outputNames?.length ?? 1;
  const cols = (classWeights ?? new Array<null>(outs).fill(null)).map((cw, q) => {
    if (!cw) return null;
    return outputNames ? sampleWeights(ys[q], cw, `${yName}[${q}] (${outputNames[q]})`, `classWeight for ${outputNames[q]}`, op) : sampleWeights(ys[q], cw, yName, 'classWeight', op);
  });
  const steps = given?.some((o) => o !== null && o.per > 1) ?? false;
  // Values per sample of each output: 1, or its rows when some output is weighted per step.
  const per = Array.from({ length: outs }, (_, q) => (!steps ? 1 : outs === 1 ? given![0]!.per : rows[q]));
  if (per.some((k) => !(k >= 1))) throw new InvalidArgumentError(`${op}: a weight per step in a model with several outputs needs every output's shape known (an output has a dimension of unknown size)`);
  const width = per.reduce((a, b) => a + b, 0);
  const w = new Float32Array(n * width);
  let at = 0;
  for (let q = 0; q < outs; q++) {
    const k = per[q], c = cols[q], g = given?.[q] ?? null;
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < k; r++) {
        const mine = g === null ? 1 : g.per > 1 ? g.w[i * k + r] : g.w[i];
        w[i * width + at + r] = c === null ? mine : g === null ? c[i] : Math.fround(c[i] * mine);
      }
    }
    at += k;
  }
  return tensor(w, outs === 1 && !steps ? [n] : [n, width]);
}

/** @internal `ShapeError` unless `x` and `y` (both of rank ≥ 1) have the same number of samples. */
export function checkSamples(what: string, x: Tensor, y: Tensor, xName: string, yName: string): void {
  if (x.rank === 0 || y.rank === 0 || x.shape[0] === y.shape[0]) return;
  throw new ShapeError(`${what}: ${xName} has ${x.shape[0]} samples (shape [${x.shape}]) but ${yName} has ${y.shape[0]} (shape [${y.shape}]); the first dimension of both is the batch`);
}

/** @internal The options of a training loop that `fit` and `fitDataset` read the same way. */
export interface LoopArgs {
  epochs: number;
  initialEpoch: number;
  /** Yield after a batch once this many ms have passed since the last yield (Infinity: never between batches). */
  yieldEvery: number;
  /** Also yield at each epoch's end, after `onEpochEnd` (`yieldEvery: 'epoch'`). */
  yieldEachEpoch: boolean;
  verbose: 0 | 1 | 2 | 'auto';
  cbs: CallbackHooks[];
}

/**
 * When a loop yields, from `yieldEveryMs` or TF.js's `yieldEvery` (one of them): the ms between
 * yields after batches, and whether to yield at each epoch's end.
 */
function readYield(op: string, args: Pick<FitArgs, 'yieldEveryMs' | 'yieldEvery'>): { ms: number; eachEpoch: boolean } {
  // null is not given, as TF.js's `yieldEvery || 'auto'` and `yieldEveryMs ?? 16`.
  const yieldEvery = args.yieldEvery ?? undefined;
  const yieldEveryMs = args.yieldEveryMs ?? undefined;
  if (yieldEvery !== undefined && yieldEveryMs !== undefined) {
    throw new InvalidArgumentError(`${op}: yieldEvery (${describe(yieldEvery)}) and yieldEveryMs (${describe(yieldEveryMs)}) are both given; they set the same thing, so pass one: yieldEvery ('auto', 'batch', 'epoch', 'never' or ms, as TF.js) or yieldEveryMs (ms)`);
  }
  if (yieldEvery !== undefined) {
    switch (yieldEvery) {
      case 'auto': return { ms: YIELD_EVERY_MS, eachEpoch: false };
      case 'batch': return { ms: 0, eachEpoch: false };
      case 'epoch': return { ms: Infinity, eachEpoch: true };
      case 'never': return { ms: Infinity, eachEpoch: false };
    }
    if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0)) {
      throw new InvalidArgumentError(`${op}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got ${describe(yieldEvery)}`);
    }
    return { ms: yieldEvery, eachEpoch: false };
  }
  const ms = yieldEveryMs ?? YIELD_EVERY_MS;
  if (typeof ms !== 'number' || !(ms >= 0)) throw new InvalidArgumentError(`${op}: yieldEveryMs must be a number >= 0, got ${describe(ms)}`);
  return { ms, eachEpoch: false };
}

/** @internal Reads and checks `epochs`, `initialEpoch`, `yieldEveryMs`/`yieldEvery`, `verbose` and `callbacks` for `op`. */
export function readLoopArgs(op: string, args: Pick<FitArgs, 'epochs' | 'initialEpoch' | 'yieldEveryMs' | 'yieldEvery' | 'verbose' | 'callbacks'>): LoopArgs {
  const epochs = intOption(op, 'epochs', args.epochs ?? 1, 0);
  const initialEpoch = intOption(op, 'initialEpoch', args.initialEpoch ?? 0, 0);
  // epochs is where training ends, not how many more (Keras's and TF.js's rule): past it,
  // nothing would run. Equal is a finished run resumed, which trains nothing, as Keras.
  if (initialEpoch > epochs) {
    throw new InvalidArgumentError(`${op}: initialEpoch ${initialEpoch} is past epochs ${epochs}, so no epoch would run: epochs is the index training ends at, not how many more to run (as Keras and TF.js): for ${epochs} more epochs pass epochs: ${initialEpoch + epochs}`);
  }
  const { ms: yieldEvery, eachEpoch: yieldEachEpoch } = readYield(op, args);
  const verbose = readVerbose(op, args.verbose, 'auto');
  const cbs: CallbackHooks[] = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? [...args.callbacks] : [args.callbacks];
  cbs.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new InvalidArgumentError(`${op}: callbacks[${i}] must be an object with hooks such as onEpochEnd, got ${describe(c)}`);
    // Another copy's earlyStopping or reduceLROnPlateau would fail midway, reaching for its own model.
    const other = otherCopy(c);
    if (other) throw new InvalidArgumentError(`${op}: callbacks[${i}] is ${other}`);
    // A function named like a hook (`on` + a capital) that is not one would never run: a typo.
    // Other fields and methods (state, helpers) are the callback's own business.
    for (let o: object | null = c; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o)) {
        if (/^on[A-Z]/.test(k) && !(HOOKS as readonly string[]).includes(k) && typeof (c as Record<string, unknown>)[k] === 'function') {
          throw new InvalidArgumentError(`${op}: callbacks[${i}] has an unknown hook '${k}'${didYouMean(k, HOOKS)} (hooks: ${HOOKS.join(', ')})`);
        }
      }
    }
    for (const k of HOOKS) {
      const f = (c as Record<string, unknown>)[k];
      if (f !== undefined && typeof f !== 'function') throw new InvalidArgumentError(`${op}: callbacks[${i}].${k} must be a function, got ${describe(f)}`);
    }
    // As TF.js: a hook that can never run is a mistake, not something to ignore.
    if (args.yieldEvery === 'never' && typeof (c as CallbackHooks).onYield === 'function') {
      throw new InvalidArgumentError(`${op}: yieldEvery is 'never' but callbacks[${i}] has an onYield hook, which would never run; remove the hook, or yield ('auto', 'batch', 'epoch' or a number of ms)`);
    }
  });
  return { epochs, initialEpoch, yieldEvery, yieldEachEpoch, verbose, cbs };
}

/**
 * @internal `err`, raised while evaluating fit's validation data, as the checks of that data
 * word it: `fit: validationData: ` and then what would be said of fit's own x and y (an
 * embedding that does not read a model input checks its indices only there). An error that
 * names the validation data already, or a disposal during training, is left alone.
 */
export function inValidation(op: string, err: unknown, what: 'validationData' | 'validationSplit'): unknown {
  if (err instanceof NeuriteError && err.message.startsWith(`${op}: `) && !err.message.includes(what) && !(err instanceof DisposedError && err.message.includes('during training'))) {
    err.message = `${op}: ${what}: ${err.message.slice(op.length + 2)}`;
  }
  return err;
}
