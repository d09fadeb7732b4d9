/**
 * Training callbacks: hooks on train/epoch/batch begin and end, plus `earlyStopping`,
 * `terminateOnNaN` and `reduceLROnPlateau`. A callback is any object with some of the hook
 * methods; hooks may be async (fit awaits them).
 */
import { checkArgs as readKeys, didYouMean, nearest } from '../options.js';
import { formatLog } from '../format.js';
import { InvalidArgumentError } from '../errors.js';
import { boolArg, describe } from '../ops/convert.js';
import { brand } from '../brand.js';
import { LearningRateSchedule } from '../schedules.js';
import { printLine, readVerbose } from './progress.js';
import type { Sequential } from './sequential.js';
import type { Tensor } from '../tensor.js';
import type { IOHandler } from '../io/artifacts.js';
import { route } from '../io/router.js';

/** Rejects an options value that is not a plain object, and unknown keys (suggesting the nearest). */
const checkArgs = (op: string, args: unknown, known: readonly string[]): void => void readKeys(op, args, known, true);

/** `{ ...defaults, ...args }` must not let an explicit `undefined` replace a default. */
function stripUndefined<T extends object>(args: T): Partial<T> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Values reported to callbacks: `loss`, each metric, and `val_*` after validation. */
export type Logs = Record<string, number>;

/** The part of a model a callback may steer (`Sequential` implements it). */
export interface TrainingModel {
  stopTraining: boolean;
  /** Current learning rate; setting it rescales the compiled schedule. */
  learningRate: number;
  /** The current rate's exact float32 value (what Keras 3's callbacks read: `learningRate` is its shortest decimal form). */
  readonly learningRateF32: number;
  getWeights(): Tensor[];
  setWeights(w: Tensor[], options?: { allowNonFinite?: boolean | undefined }): void;
  /** Whether the model was disposed (a callback may free it in `onTrainEnd`: nothing to restore into then). */
  readonly isDisposed?: boolean;
}

/** Hooks called by `fit`. All optional. */
export interface CallbackHooks {
  /** Once, before the first epoch (after `setModel` and `setParams`). `fit` awaits a returned promise, as it does for every hook. */
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  /** Once, after the last epoch or a stop (`model.stopTraining`, a callback's early stop); not after an error (see `cleanup`). */
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  /**
   * Before epoch `epoch` (counted from 0, or from `initialEpoch`) runs its first batch. Setting
   * `this.model.stopTraining = true` here ends training after that batch and this epoch's
   * `onEpochEnd` (as TF.js and Keras 3, which check the flag after each batch).
   */
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  /**
   * After epoch `epoch` and its validation: `logs` holds the epoch's loss and metrics (means over
   * its batches weighted by batch size) and the `val_` ones, which a callback may add to (they go
   * into the history). Setting `this.model.stopTraining = true` here ends `fit` after this epoch.
   */
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  /** Before each training step: `logs` has the batch index `batch` and its `size`. */
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  /**
   * After each training step: `logs` has the batch index and `size`, and that batch's own loss
   * and metrics (as TF.js; Keras 3 passes the running means of the epoch so far). The epoch's
   * logs (`onEpochEnd`, the history) are their means weighted by batch size. A progress reporter
   * (`progressBar()`, or any callback with its `configure` and `note`) gets the running means,
   * so its bar shows what the epoch line will.
   */
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /**
   * After `fit` yields to the event loop (at most every `yieldEveryMs`, or as `yieldEvery` says), as TF.js: the epoch, the
   * batch and its logs (at an epoch's end with `yieldEvery: 'epoch'`: its last batch and the epoch's logs).
   */
  onYield?(epoch: number, batch: number, logs?: Logs): void | Promise<void>;
  /**
   * Called by `fit` on every way out — after `onTrainEnd` on success or a stop, and also when
   * training fails part-way (an error in a hook, bad data, a disposed model). Free here what
   * the callback holds for the length of training (neurite's callbacks free their weight
   * copies). `fit` awaits a returned promise, as it does for every hook, so an async cleanup
   * (closing a log file) has finished before `fit` settles. If it throws or rejects, the other
   * cleanups still run; `fit` rejects with that error when training succeeded, and when
   * training failed it rejects with training's error, whose message then ends with the
   * cleanup's (and whose `cause` is the cleanup error, if it had none).
   */
  cleanup?(): void | Promise<void>;
}

/** What `fit` tells a {@link Callback} about the run before `onTrainBegin` (TF.js's `params`). */
export interface CallbackParams {
  readonly epochs: number;
  /** The first epoch's index (`fit`'s and `fitDataset`'s `initialEpoch`; TF.js's `fitDataset` gives `null`). */
  readonly initialEpoch: number;
  /** Samples per epoch in `fit` (`null` in `fitDataset`, as TF.js). */
  readonly samples: number | null;
  /** Batches per epoch in `fitDataset` (`null` in `fit`, where `samples` and `batchSize` give them, and for a dataset of unknown size, as TF.js). */
  readonly steps: number | null;
  /** `fit`'s batch size (`null` in `fitDataset`, whose elements are the batches, as TF.js). */
  readonly batchSize: number | null;
  /** The run's `verbose` (a boolean given as 0 or 1). */
  readonly verbose: 0 | 1 | 2 | 'auto';
  /** Whether each epoch is validated (`validationData` or `validationSplit`). */
  readonly doValidation: boolean;
  /** The keys of each epoch's logs (`loss`, metrics, then their `val_` twins when validating). */
  readonly metrics: readonly string[];
}

/**
 * The hooks a {@link Callback} subclass may define (with `override`, as on TF.js's
 * `BaseCallback`); the base class defines none, so `fit` skips what a subclass leaves out.
 */
export interface Callback extends CallbackHooks {}

/**
 * A base class for callbacks that need the model (`this.model` is set by `fit`).
 *
 * @example
 * class Checkpoint extends Callback {
 *   override async onEpochEnd(epoch: number, logs?: Logs) {
 *     await this.model.save(`file://./ckpt/epoch-${epoch}`);
 *   }
 * }
 */
export class Callback {
  static {
    brand(this);
  }

  /** The model being trained (set by `fit` before `onTrainBegin`): `predict`, `save`, `stopTraining` and the rest, as TF.js's `LayersModel`. */
  model!: Sequential;
  /** The run's parameters, as TF.js's `callback.params` (set by `fit` before `onTrainBegin`). */
  params!: CallbackParams;
  /** @internal */
  setModel(m: Sequential): void {
    this.model = m;
  }
  /** @internal */
  setParams(p: CallbackParams): void {
    this.params = p;
  }
  /** See {@link CallbackHooks.cleanup}. Does nothing by default; a subclass's may be async. */
  cleanup(): void | Promise<void> {}
}

/** The hooks of a {@link CustomCallback}, as TF.js's `CustomCallbackArgs`. */
export type CustomCallbackArgs = Pick<CallbackHooks, 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd' | 'onYield'>;

const CUSTOM_HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'] as const;

/**
 * A callback made of hook functions (TF.js `tf.CustomCallback`): `fit` and `fitDataset` call
 * them as a plain object's hooks (they may be async; `this` is the callback, whose `model` is
 * set). `new CustomCallback({ onEpochEnd })` does what `{ onEpochEnd }` in `callbacks` does.
 * When to yield (TF.js's second argument `yieldEvery`, and its `nowFunc` and `nextFrameFunc`)
 * is `fit`'s option here: an error names it.
 *
 * @example await model.fit(x, y, { callbacks: [new CustomCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) })] });
 */
export class CustomCallback extends Callback {
  /** @param args the hooks; in a hook given as a method, `this` is the callback (`this.model`, `this.params`). */
  constructor(args: CustomCallbackArgs & ThisType<CustomCallback>, yieldEvery?: never) {
    super();
    const op = 'CustomCallback';
    if (yieldEvery !== undefined) throw new InvalidArgumentError(`${op}: yieldEvery (the second argument, ${describe(yieldEvery)}) is fit's option here: fit(x, y, { callbacks, yieldEvery })`);
    for (const k of ['nowFunc', 'nextFrameFunc']) {
      if (args !== null && typeof args === 'object' && k in args) throw new InvalidArgumentError(`${op}: ${k} is not supported: fit yields to the event loop itself (its yieldEvery or yieldEveryMs option says when)`);
    }
    const a = readKeys(op, args, CUSTOM_HOOKS, true);
    for (const k of CUSTOM_HOOKS) {
      if (a[k] !== undefined && typeof a[k] !== 'function') throw new InvalidArgumentError(`${op}: ${k} must be a function, got ${describe(a[k])}`);
    }
    Object.assign(this, Object.fromEntries(CUSTOM_HOOKS.filter((k) => a[k] !== undefined).map((k) => [k, a[k]])));
  }
}

/** Checks `patience`, shared by earlyStopping and reduceLROnPlateau. */
/** Checks that option `name` (`patience`, `cooldown`, `startFromEpoch`) is a count of epochs; `what` says what it counts. */
function checkEpochs(op: string, name: string, v: unknown, what = ''): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`${op}: ${name} must be a non-negative integer${what}, got ${describe(v)}`);
}

/**
 * Before training: a monitor the run's logs cannot hold, as far as `fit` knows them — a `val_*`
 * one without validation data — is an error now, not after the first epoch (TF.js warns and
 * never stops; Keras too). Keras's `accuracy`/`val_accuracy` monitor TF.js's `acc`/`val_acc`.
 */
function checkMonitor(op: string, monitor: string, params: CallbackParams | undefined, self: object): void {
  if (params === undefined || params.metrics.includes(monitor)) return;
  const tfName = monitor.replace(/accuracy$/, 'acc');
  if (monitor.startsWith('val_') && !params.doValidation) {
    // The training log of the same name, or the nearest one ('val_los' → 'loss', not 'los').
    const base = monitor.slice(4);
    const train = params.metrics.includes(base) ? base : (nearest(base, params.metrics) ?? 'loss');
    throw new InvalidArgumentError(`${op}: monitor '${monitor}' needs validation data, but this fit has none (its logs will be ${params.metrics.join(', ')}); pass validationData or validationSplit to fit, or monitor '${train}'`);
  }
  // Keras's 'val_accuracy' reads TF.js's 'val_acc' log (the logs carry Keras's name as an alias).
  if (tfName !== monitor && params.metrics.includes(tfName)) return;
  // A typo of one of the logs fit writes ('val_los', within a letter of its length): now, not
  // after an epoch has trained. Any other name ('my_loss') may be a log a callback of the user's
  // adds: checked at epoch end. So is a near name where a callback of the user's runs before
  // this one and may write it (a score of its own, 'val_auc' computed by hand, is a letter
  // from 'val_acc').
  const writers = logWriters(params, self);
  if (writers.before) return;
  const near = nearest(monitor, params.metrics);
  if (near === undefined || Math.abs(near.length - monitor.length) > 1) return;
  const later = writers.after ? `; a callback that writes logs.${monitor} must come before ${op} in the callbacks list` : '';
  throw new InvalidArgumentError(`${op}: monitor '${monitor}' is not a log of this fit (its logs will be ${params.metrics.join(', ')}) — did you mean '${near}'?${later}`);
}

/** @internal The callbacks of each run, in order (set by the training loop). */
export const runCallbacks = new WeakMap<CallbackParams, readonly object[]>();

/** Whether a callback of the user's that may add logs runs before `self` in its run, and after it. */
function logWriters(params: CallbackParams | undefined, self: object): { before: boolean; after: boolean } {
  const run = (params && runCallbacks.get(params)) ?? [];
  const at = run.indexOf(self);
  return { before: at > 0 && run.slice(0, at).some(mayWriteLogs), after: at >= 0 && run.slice(at + 1).some(mayWriteLogs) };
}

/** Whether callback `c` may add logs at epoch end: one of the user's with an `onEpochEnd` (not neurite's own, nor a progress reporter). */
function mayWriteLogs(c: object): boolean {
  const own = c instanceof MonitorCallback || c instanceof TerminateOnNaN || c instanceof LearningRateScheduler;
  return !own && typeof (c as { onEpochEnd?: unknown }).onEpochEnd === 'function' && typeof (c as { configure?: unknown }).configure !== 'function';
}

/** Whether a run that validates each epoch (`params`) did not validate the one of `logs` (a stop cut it short). */
function unvalidated(params: CallbackParams | undefined, logs: Logs): boolean {
  return params?.doValidation === true && !Object.keys(logs).some((k) => k.startsWith('val_'));
}

/**
 * `logs[monitor]`, or an InvalidArgumentError naming `op`, the logs there are and the likely
 * fix: validation data for a `val_*` monitor without validation, or TF.js's `acc` for Keras's
 * `accuracy`.
 */
function monitored(op: string, monitor: string, logs: Logs): number {
  const v = logValue(monitor, logs);
  if (v !== undefined) return v;
  const tfName = monitor.replace(/accuracy$/, 'acc');
  const hint = tfName !== monitor && Object.hasOwn(logs, tfName)
    ? `; metrics: ['accuracy'] logs as acc, as in TF.js: monitor '${tfName}'`
    : monitor.startsWith('val_') && !Object.keys(logs).some((k) => k.startsWith('val_')) ? '; pass validation data for val_* monitors' : '';
  throw new InvalidArgumentError(`${op}: monitor '${monitor}' is not in the logs (${Object.keys(logs).join(', ')})${hint || didYouMean(monitor, Object.keys(logs))}`);
}

/** `logs[monitor]`, or Keras's `accuracy` read from TF.js's `acc`; `undefined` when neither is there. */
function logValue(monitor: string, logs: Logs): number | undefined {
  const v = Object.hasOwn(logs, monitor) ? logs[monitor] : undefined;
  if (v !== undefined) return v;
  const tfName = monitor.replace(/accuracy$/, 'acc');
  return tfName !== monitor && Object.hasOwn(logs, tfName) ? logs[tfName] : undefined;
}

type Mode = 'min' | 'max' | 'auto';

/** Logs that rise as the model improves: accuracies and the other scores (case-insensitive, at the end of the name). */
const RISING = /(acc|accuracy|precision|recall|auc|f1|f1score|fbetascore|r2score|iou)$/i;
/** Logs that fall as the model improves: losses and errors. */
const FALLING = /(loss|error|crossentropy|hinge|divergence|kld|poisson|logcosh|huber|mse|mae|mape|msle|rmse|proximity)$/i;

/**
 * The direction `mode` means for `monitor`: `'auto'` reads it from the name — max for the
 * accuracies and scores (`binaryAccuracy`, `precision`, `recall`, `r2Score`, `auc`, `f1`),
 * min for losses and errors, and otherwise TF.js's rule (max when the name holds `acc`, else
 * min) with a warning, since a score read as a loss would make `restoreBestWeights` put back
 * the worst epoch (Keras 3 refuses to guess; TF.js reads `binaryAccuracy` as a loss).
 */
function direction(op: string, mode: Mode, monitor: string): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  if (RISING.test(monitor)) return 'max';
  if (FALLING.test(monitor)) return 'min';
  if (/acc/i.test(monitor)) return 'max';
  console.warn(`${op}: mode 'auto' cannot tell whether '${monitor}' should rise or fall, so it treats it as a loss (lower is better, TF.js's rule for a name without 'acc'); pass mode: 'max' or mode: 'min' to say which`);
  return 'min';
}

function better(direction: 'min' | 'max', minDelta: number) {
  return direction === 'min' ? (a: number, b: number) => a < b - minDelta : (a: number, b: number) => a > b + minDelta;
}

/** Options of a {@link MonitorCallback} (Keras 3's `MonitorCallback(monitor, mode, baseline, min_delta)`). */
export interface MonitorCallbackArgs {
  /** The log to watch (`'val_loss'`, `'acc'`, a metric's name; Keras's `accuracy` reads TF.js's `acc`). Default `'val_loss'`. */
  monitor?: string | undefined;
  /**
   * `'min'`, `'max'` or `'auto'`: max for accuracies and scores (names ending in `acc`,
   * `accuracy`, `precision`, `recall`, `auc`, `f1`, `r2Score`, …), min for losses and errors,
   * and for any other name TF.js's rule (max when it holds `acc`, else min) with a warning that
   * says to pass the mode. Default `'auto'`.
   */
  mode?: Mode | undefined;
  /** The best value to start from: a value must beat it to count as an improvement. Default: none (the first value is an improvement). */
  baseline?: number | undefined;
  /** How much a value must beat the best by (its absolute value, as Keras). Default 0. */
  minDelta?: number | undefined;
}

/**
 * A base class for callbacks that watch one log and act when it improves (Keras 3's
 * `keras.callbacks.MonitorCallback`): it owns the monitor's name, the mode, the direction that
 * mode means for the name, and the best value so far. `earlyStopping`, `reduceLROnPlateau` and
 * `modelCheckpoint` are built on it; subclass it for a monitor of your own — read the value
 * with {@link MonitorCallback.monitorValue}, compare with {@link MonitorCallback.isImprovement}
 * and keep it in {@link MonitorCallback.best}. Its `onTrainBegin` checks the monitor against the
 * run's logs (a `val_*` monitor without validation data is an error before the first epoch),
 * settles the direction and resets `best` to the baseline; a subclass that overrides it calls
 * `super.onTrainBegin()`.
 *
 * Where Keras 3 raises for a name whose direction `'auto'` cannot tell, neurite follows TF.js's
 * rule with a warning (see {@link MonitorCallbackArgs.mode}).
 *
 * @example
 * class BestLog extends MonitorCallback {
 *   epochs: number[] = [];
 *   constructor() { super({ monitor: 'loss', minDelta: 1e-3 }); }
 *   override onEpochEnd(epoch: number, logs: Logs = {}) {
 *     const v = this.monitorValue(logs);
 *     if (this.isImprovement(v)) { this.best = v; this.epochs.push(epoch); }
 *   }
 * }
 */
export class MonitorCallback extends Callback {
  /** The log watched. */
  readonly monitor: string;
  /** The mode as given: `'min'`, `'max'` or `'auto'`. */
  readonly mode: Mode;
  /** The margin {@link MonitorCallback.isImprovement} asks of a value by default (`|minDelta|`, as Keras). */
  readonly minDelta: number;
  /** The value `best` starts from at each `onTrainBegin` (`undefined`: none). */
  readonly baseline: number | undefined;
  /**
   * The best value so far: `NaN` (beaten by any value) until `onTrainBegin` sets it to the
   * baseline (or `NaN` without one), then each value a subclass keeps.
   */
  best = NaN;
  /** The name errors and warnings begin with. */
  protected readonly opName: string;
  #direction: 'min' | 'max' | null = null;
  /**
   * @param args - the monitor, mode, baseline and minDelta (checked: an unknown key is not an
   * error here, so a subclass may pass its own options object through).
   * @param opName - the name errors and warnings begin with (default: the class's name).
   */
  constructor(args: MonitorCallbackArgs = {}, opName?: string) {
    super();
    const op = opName ?? new.target.name;
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`${op}: args must be an object like { monitor: 'val_loss', mode: 'min' }, got ${describe(args)}`);
    const { monitor = 'val_loss', mode = 'auto', baseline, minDelta = 0 } = args;
    if (typeof monitor !== 'string' || monitor === '') throw new InvalidArgumentError(`${op}: monitor must be the name of a log such as 'val_loss', got ${describe(monitor)}`);
    if (typeof minDelta !== 'number' || !Number.isFinite(minDelta)) throw new InvalidArgumentError(`${op}: minDelta must be a finite number, got ${describe(minDelta)}`);
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new InvalidArgumentError(`${op}: mode must be 'min', 'max' or 'auto', got ${describe(mode)}`);
    if (baseline !== undefined && (typeof baseline !== 'number' || !Number.isFinite(baseline))) throw new InvalidArgumentError(`${op}: baseline must be a finite number, got ${describe(baseline)}`);
    this.opName = op;
    this.monitor = monitor;
    this.mode = mode;
    this.minDelta = Math.abs(minDelta);
    this.baseline = baseline;
  }
  /**
   * Whether a lower (`'min'`) or higher (`'max'`) value is better: the mode, or for `'auto'`
   * what the monitor's name says (settled at `onTrainBegin`, else on first use; a name it
   * cannot tell warns once and counts as a loss).
   */
  get direction(): 'min' | 'max' {
    return (this.#direction ??= direction(this.opName, this.mode, this.monitor));
  }
  /**
   * Whether `value` beats `reference` (default {@link MonitorCallback.best}) by more than
   * `minDelta` (default {@link MonitorCallback.minDelta}) in the monitor's direction; a
   * `reference` of `NaN` (no best yet) is beaten by any value.
   */
  isImprovement(value: number, reference: number = this.best, minDelta: number = this.minDelta): boolean {
    return Number.isNaN(reference) || better(this.direction, minDelta)(value, reference);
  }
  /** `logs[monitor]` (Keras's `accuracy` read from TF.js's `acc`), or an error naming the logs there are. */
  monitorValue(logs: Logs): number {
    return monitored(this.opName, this.monitor, logs);
  }
  /**
   * @internal Whether epoch `epoch`'s logs lack the monitor while a callback of the user's
   * listed before this one may write it (a score computed from some epoch on): then the epoch
   * is not counted, with one warning per run, as Keras 3 skips an epoch without the monitor.
   * Without such a writer the monitor's absence stays an error ({@link monitorValue}).
   */
  skipsEpoch(epoch: number, logs: Logs): boolean {
    if (logValue(this.monitor, logs) !== undefined) return false;
    // An epoch a stop cut short (stopTraining, terminateOnNaN, a dataset that ran out) is not
    // validated (as TF.js 4.22): it is not counted, with a warning, and fit ends as it would
    // (TF.js warns too; this threw, and fit lost its history and restoreBestWeights).
    if (this.monitor.startsWith('val_') && unvalidated(this.params, logs)) {
      console.warn(`${this.opName}: epoch ${epoch + 1} was cut short by a stop and not validated (as TF.js), so it has no ${this.monitor}: that epoch is not counted`);
      return true;
    }
    if (!logWriters(this.params, this).before) return false;
    if (this.#warnedRun !== this.params) {
      this.#warnedRun = this.params;
      console.warn(`${this.opName}: monitor '${this.monitor}' is not in the logs of epoch ${epoch + 1} (${Object.keys(logs).join(', ')}), so that epoch is not counted (as Keras 3); a callback listed before ${this.opName} writes it from a later epoch? (said once per fit)`);
    }
    return true;
  }
  /** The run (its params) this callback said it skips epochs in. */
  #warnedRun: CallbackParams | undefined;
  /**
   * Checks the monitor against the run's logs (a `val_*` monitor without validation data is an
   * error now), settles the direction and resets `best` to the baseline.
   */
  override onTrainBegin(_logs?: Logs): void {
    checkMonitor(this.opName, this.monitor, this.params, this);
    this.#direction = direction(this.opName, this.mode, this.monitor);
    this.best = this.baseline ?? NaN;
  }
}

/** Options of `callbacks.earlyStopping` (TF.js and Keras names and defaults). */
export interface EarlyStoppingArgs {
  /** The log to watch. Default `'val_loss'`. */
  monitor?: string | undefined;
  /** Stop after this many epochs in a row without improvement (TF.js and Keras). Default 0: stop at the first. */
  patience?: number | undefined;
  /** Smallest change that counts as improvement. Default 0. */
  minDelta?: number | undefined;
  /**
   * `'min'`, `'max'` or `'auto'`: max for accuracies and scores (names ending in `acc`,
   * `accuracy`, `precision`, `recall`, `auc`, `f1`, `r2Score`, …), min for losses and errors,
   * and for any other name TF.js's rule (max when it holds `acc`, else min) with a warning that
   * says to pass the mode. Default `'auto'`.
   */
  mode?: Mode | undefined;
  /**
   * Put back the weights of the best epoch at the end of training, whether this callback
   * stopped it or the epochs ran out (Keras 3; TF.js has no restoreBestWeights). Default `false`.
   */
  restoreBestWeights?: boolean | undefined;
  /**
   * A value `monitor` must improve on (as TF.js: the best so far starts at it), so training
   * stops after `patience` epochs that do not beat it. Keras 3 differs: it does not stop while
   * each value improves on the best so far without beating the baseline. With
   * `restoreBestWeights`, the best epoch is put back even if none beat the baseline (as Keras
   * 3). Default: none.
   */
  baseline?: number | undefined;
  /**
   * 1 (or `true`): print Keras 3's lines when training ends, `Epoch 12: early stopping` if this
   * callback stopped it and, with `restoreBestWeights`, `Restoring model weights from the end
   * of the best epoch: 7.` (TF.js prints the first, with the epoch counted from 0). Default 0.
   * `fit`'s own progress already says in one line why training stopped, whatever this is.
   */
  verbose?: 0 | 1 | boolean | undefined;
  /**
   * The number of epochs to wait before starting to monitor improvement (Keras 3's
   * `start_from_epoch`; TF.js has none): a warm-up in which no improvement is expected, so
   * training is not stopped. An epoch whose index (counted from 0, as `onEpochEnd` sees it, so a
   * resumed `fit` with `initialEpoch` counts from there as Keras does) is below it is not
   * compared, does not count towards `patience` and is never the best epoch that
   * `restoreBestWeights` puts back; the monitor must still be in its logs. Default 0.
   */
  startFromEpoch?: number | undefined;
}

/** Stops training when `monitor` stops improving (a {@link MonitorCallback}; `minDelta` counts by its absolute value, as TF.js and Keras). */
export class EarlyStopping extends MonitorCallback {
  /** The options, with their defaults filled in. */
  readonly args: Required<Omit<EarlyStoppingArgs, 'baseline'>> & Pick<EarlyStoppingArgs, 'baseline'>;
  /** The epoch training stopped at, or 0. */
  stoppedEpoch = 0;
  /** Why this callback stopped training (`fit` prints it), or `null`. */
  stopReason: string | null = null;
  #bestEpoch = -1;
  /** The best value seen, baseline or not: its epoch's weights are the ones restored (Keras 3). */
  #bestSeen = NaN;
  #wait = 0;
  #bestWeights: Tensor[] | null = null;
  constructor(args: EarlyStoppingArgs = {}) {
    const op = 'earlyStopping';
    checkArgs(op, args, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights', 'baseline', 'verbose', 'startFromEpoch']);
    const full = { monitor: 'val_loss', patience: 0, minDelta: 0, mode: 'auto' as Mode, restoreBestWeights: false, verbose: 0 as 0 | 1 | boolean, startFromEpoch: 0, ...stripUndefined(args) };
    super(full, op);
    this.args = full;
    checkEpochs(op, 'patience', full.patience);
    checkEpochs(op, 'startFromEpoch', full.startFromEpoch, ' (the epochs of warm-up before monitoring starts)');
    boolArg(op, 'restoreBestWeights', full.restoreBestWeights);
    readVerbose(op, full.verbose, 0, true);
  }
  /**
   * The epoch with the best value so far, counting those that did not beat the `baseline`
   * (`-1` before the first monitored epoch), as Keras 3's `best_epoch`: the epoch whose weights
   * `restoreBestWeights` puts back. With `minDelta` and a `baseline` it can differ from the
   * epoch of `best` (TF.js's rule, which starts at the baseline): values 0.83, 0.84, 0.86, 0.88
   * with baseline 0.85 and minDelta 0.02 give `best` 0.88 and `bestEpoch` 2 (0.86), as 0.88
   * does not beat 0.86 by minDelta (Keras 3 restores 0.86 too); the stop message says which.
   */
  get bestEpoch(): number {
    return this.#bestEpoch;
  }
  /** Resets the best value (to `baseline`, else `NaN`), the wait and the stop reason (a callback may be reused across `fit` calls). */
  override onTrainBegin(): void {
    super.onTrainBegin();
    this.cleanup();
    this.#bestEpoch = -1;
    this.#bestSeen = NaN;
    this.#wait = 0;
    this.stoppedEpoch = 0;
    this.stopReason = null;
  }
  /**
   * Compares `logs[monitor]` with the best so far; stops training after `patience` epochs
   * without improvement (restoring the best weights if asked). Epochs before `startFromEpoch`
   * are only checked for the monitor (as Keras 3).
   */
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.skipsEpoch(epoch, logs)) return;
    const v = this.monitorValue(logs);
    if (epoch < this.args.startFromEpoch) return;
    // The best epoch, baseline or not (Keras 3: with a baseline no epoch beats, the best of
    // those that ran is still put back).
    if (this.isImprovement(v, this.#bestSeen)) {
      this.#bestSeen = v;
      this.#bestEpoch = epoch;
      if (this.args.restoreBestWeights) {
        this.#bestWeights?.forEach((t) => t.dispose());
        this.#bestWeights = this.model.getWeights();
      }
    }
    if (this.isImprovement(v)) {
      this.best = v;
      this.#wait = 0;
      return;
    }
    this.#wait++;
    if (this.#wait >= this.args.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      const { monitor, patience, restoreBestWeights } = this.args;
      const restored = restoreBestWeights && this.#bestWeights !== null;
      const best = this.best === this.args.baseline ? `baseline ${formatLog(this.best)}` : `best ${formatLog(this.best)}`;
      // The epoch restored is Keras 3's best, which needs minDelta over the best so far; the
      // best stopping reports starts at the baseline (TF.js): with both options they can be two
      // epochs (0.88 beat the baseline 0.85 by minDelta 0.02, but not 0.86), said as such.
      // Named in every case: with a baseline no epoch beat, the best epoch that ran comes back.
      const why = this.#bestSeen === this.best ? '' : this.best === this.args.baseline ? ', the best seen: none beat the baseline' : ": Keras 3's best, which needs minDelta over the best so far";
      const which = restored ? `; restored the weights of epoch ${this.#bestEpoch + 1} (${monitor} ${formatLog(this.#bestSeen)}${why})` : '';
      this.stopReason = `early stopping: ${monitor} did not improve for ${this.#wait} epoch${this.#wait === 1 ? '' : 's'} (patience ${patience}; ${best})${which}`;
    }
  }
  /**
   * With `restoreBestWeights`, puts back the best epoch's weights (as Keras 3, also when the
   * epochs ran out first); then frees the copy. A model an earlier callback disposed in its
   * `onTrainEnd` (a search freeing each trial) gets nothing back, as there is nothing to restore into.
   */
  override onTrainEnd(): void {
    const verbose = readVerbose('earlyStopping', this.args.verbose, 0, true) === 1;
    if (verbose && this.stopReason !== null) printLine(1, `Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.args.restoreBestWeights && this.#bestWeights !== null && this.model.isDisposed !== true) {
      if (verbose) printLine(1, `Restoring model weights from the end of the best epoch: ${this.#bestEpoch + 1}.`);
      this.model.setWeights(this.#bestWeights, { allowNonFinite: true });
    }
    this.cleanup();
  }
  /** Frees the copy of the best weights (`fit` calls this on every way out, errors included). */
  override cleanup(): void {
    this.#bestWeights?.forEach((t) => t.dispose());
    this.#bestWeights = null;
  }
}

/**
 * Stops training as soon as a batch's loss is NaN or infinite (Keras's `TerminateOnNaN`; TF.js
 * has none). neurite's training step refuses an update whose gradient is not finite (the
 * weights and the step count stay as they were, and `fit` rejects); with this callback among
 * the callbacks, `fit` and `fitDataset` instead report that batch to every callback with a
 * loss (and metrics) of NaN, this callback stops training, and `fit` returns the history (the
 * last epoch's `loss` NaN). The weights are those after the last finite step.
 */
export class TerminateOnNaN extends Callback {
  /** Why this callback stopped training (`fit` prints it), or `null`. */
  stopReason: string | null = null;
  /** The core's message for the step it refused at the current batch, or null. */
  #refused: string | null = null;
  /** Clears the stop reason of an earlier `fit`. */
  override onTrainBegin(): void {
    this.stopReason = null;
    this.#refused = null;
  }
  /**
   * @internal `fit` tells the callback, before `onBatchEnd`, that the core refused this batch's
   * step (`message`, its error): the weights were rolled back to those of the last finite step.
   */
  refusedStep(message: string): void {
    this.#refused = message;
  }
  /** Stops training when the batch's loss is NaN or infinite. */
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    const refused = this.#refused;
    this.#refused = null;
    if (logs.loss !== undefined && !Number.isFinite(logs.loss)) {
      this.model.stopTraining = true;
      // The epoch's batch counted from 1, as the progress bar and the stop line's epoch. A
      // refused step's batch logs NaN whatever failed: its reason is the core's own message.
      const place = `at batch ${batch + 1} of the epoch`;
      this.stopReason = refused === null
        ? `terminateOnNaN: the loss became ${formatLog(logs.loss)} ${place}`
        : `terminateOnNaN: the step ${place} was refused and not applied, so the weights are those after the last finite step: ${refused.replace(/^[A-Za-z]+: /, '')}`;
    }
  }
}

/** Options of `callbacks.reduceLROnPlateau` (Keras names and defaults). */
export interface ReduceLROnPlateauArgs {
  /** The log to watch. Default `'val_loss'`. */
  monitor?: string | undefined;
  /** Multiply the learning rate by this on a plateau. Default 0.1. */
  factor?: number | undefined;
  /** Epochs without improvement first. Default 10. */
  patience?: number | undefined;
  /** Smallest change that counts as improvement. Default 1e-4. */
  minDelta?: number | undefined;
  /**
   * `'min'`, `'max'` or `'auto'`: max for accuracies and scores (names ending in `acc`,
   * `accuracy`, `precision`, `recall`, `auc`, `f1`, `r2Score`, …), min for losses and errors,
   * and for any other name TF.js's rule (max when it holds `acc`, else min) with a warning that
   * says to pass the mode. Default `'auto'`.
   */
  mode?: Mode | undefined;
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number | undefined;
  /**
   * Lower bound: a reduction gives `max(lr · factor, minLr)` (as Keras 3), stored as float32, so
   * `model.learningRate` reads `minLr` back once clamped (`1e-5`, not `0.000010000001`), and a
   * rate at or below `minLr` (compared in float32, as Keras) is not reduced. Default 0.
   */
  minLr?: number | undefined;
  /**
   * 1 (or `true`): print Keras 3's line at each reduction, `Epoch 8: ReduceLROnPlateau reducing
   * learning rate to 0.0001.` (after an empty line, as Keras). Default 0.
   */
  verbose?: 0 | 1 | boolean | undefined;
}

/**
 * Lowers the learning rate when `monitor` stops improving (a {@link MonitorCallback};
 * `minDelta` is taken as given, so a negative one lets a slightly worse value count as an
 * improvement).
 */
export class ReduceLROnPlateau extends MonitorCallback {
  /** The options, with their defaults filled in. */
  readonly args: Required<ReduceLROnPlateauArgs>;
  #wait = 0;
  #cool = 0;
  constructor(args: ReduceLROnPlateauArgs = {}) {
    const op = 'reduceLROnPlateau';
    checkArgs(op, args, ['monitor', 'factor', 'patience', 'minDelta', 'mode', 'cooldown', 'minLr', 'verbose']);
    const full = { monitor: 'val_loss', factor: 0.1, patience: 10, minDelta: 1e-4, mode: 'auto' as Mode, cooldown: 0, minLr: 0, verbose: 0 as 0 | 1 | boolean, ...stripUndefined(args) };
    readVerbose(op, full.verbose, 0, true);
    super(full, op);
    this.args = full;
    checkEpochs(op, 'patience', full.patience);
    if (typeof this.args.factor !== 'number' || !(this.args.factor > 0 && this.args.factor < 1)) throw new InvalidArgumentError(`${op}: factor must be in (0, 1), got ${describe(this.args.factor)}`);
    checkEpochs(op, 'cooldown', this.args.cooldown);
    if (typeof this.args.minLr !== 'number' || !(this.args.minLr >= 0) || !Number.isFinite(this.args.minLr)) throw new InvalidArgumentError(`${op}: minLr must be a finite number >= 0, got ${describe(this.args.minLr)}`);
  }
  /** Resets the best value, the wait and the cooldown. */
  override onTrainBegin(): void {
    super.onTrainBegin();
    this.#wait = 0;
    this.#cool = 0;
  }
  /**
   * Multiplies the learning rate by `factor` (not below `minLr`) after `patience` epochs
   * without improvement, then waits `cooldown` epochs. Adds the epoch's rate to the logs as
   * `learning_rate` (as Keras 3), so the history holds it.
   */
  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    logs.learning_rate = this.model.learningRateF32;
    if (this.skipsEpoch(epoch, logs)) return;
    const v = this.monitorValue(logs);
    if (this.#cool > 0) this.#cool--;
    if (this.isImprovement(v, this.best, this.args.minDelta)) {
      this.best = v;
      this.#wait = 0;
    } else if (this.#cool === 0 && ++this.#wait >= this.args.patience) {
      // As Keras: only a rate above minLr (as float32) is lowered (never raised to minLr, and a
      // rate of 0 stays); the new rate is max(lr · factor, minLr), rounded once to float32, so a
      // rate clamped to minLr reads back as minLr.
      const lr = this.model.learningRateF32;
      if (lr > Math.fround(this.args.minLr)) {
        const next = Math.max(lr * this.args.factor, this.args.minLr);
        // A rate > 0 whose factor on the compiled rate underflows float32 is refused by the
        // model: the rate, ~1e-38 or less already, stays as it is. (0 itself is a rate.)
        try {
          this.model.learningRate = next;
          if (readVerbose('reduceLROnPlateau', this.args.verbose, 0, true) === 1) printLine(1, `\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${Number(Math.fround(next).toPrecision(7))}.`);
        } catch (e) {
          if (!(e instanceof InvalidArgumentError)) throw e;
        }
      }
      this.#cool = this.args.cooldown;
      this.#wait = 0;
    }
  }
}

/** Options of `callbacks.modelCheckpoint` (Keras 3's `ModelCheckpoint`; TF.js has none). */
export interface ModelCheckpointArgs {
  /**
   * Where to save, as `model.save` takes it (`'file://./ckpt/model'`, `'indexeddb://best'`, a
   * handler object). A string may name the epoch (from 1, as Keras) and any log in braces with
   * Python's format specs: `'file://./ckpt/model-{epoch:02d}-{val_loss:.4f}'`.
   */
  filepath: string | IOHandler;
  /** The log `saveBestOnly` compares. Default `'val_loss'`. */
  monitor?: string | undefined;
  /** Save only when `monitor` improves on the best so far (else every epoch). Default `false`. */
  saveBestOnly?: boolean | undefined;
  /** `'min'`, `'max'` or `'auto'`, as {@link EarlyStoppingArgs.mode}. Default `'auto'`. */
  mode?: Mode | undefined;
  /** A value `monitor` must beat before the first save with `saveBestOnly` (Keras 3's `initial_value_threshold`). Default: none. */
  initialValueThreshold?: number | undefined;
  /** Also save the optimizer state, so training resumes from a checkpoint (Keras saves it). Default `true`. */
  includeOptimizer?: boolean | undefined;
  /** 1 (or `true`): one line per save (and per epoch that did not improve), as Keras's. Default 0. */
  verbose?: 0 | 1 | boolean | undefined;
}

/**
 * Fills `{name}` / `{name:spec}` in `template` from the epoch (counted from 1) and the logs,
 * with the Python format specs Keras's file names use: `d` (`02d`), `f` (`.4f`) and `e` (`.2e`).
 */
function checkpointPath(op: string, template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{([A-Za-z_]\w*)(?::([^}]*))?\}/g, (_m, key: string, spec: string | undefined) => {
    const v = key === 'epoch' ? epoch + 1 : Object.hasOwn(logs, key) ? logs[key] : undefined;
    if (v === undefined) throw new InvalidArgumentError(`${op}: filepath '${template}' names {${key}}, which is not in this epoch's logs (epoch, ${Object.keys(logs).join(', ')})`);
    if (spec === undefined || spec === '') return String(v);
    const f = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
    if (f === null) throw new InvalidArgumentError(`${op}: filepath '${template}': the format {${key}:${spec}} is not one neurite reads; use d (02d), f (.4f) or e (.2e)`);
    const [, zero, width, digits, type] = f;
    const p = digits === undefined ? 6 : Number(digits);
    // Python writes at least two exponent digits (1.50e-04), JavaScript one.
    const text = type === 'd' ? String(Math.trunc(v)) : type === 'f' ? v.toFixed(p) : v.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
    const sign = text.startsWith('-') ? '-' : '';
    return width === '' ? text : zero === '0' ? sign + text.slice(sign.length).padStart(Number(width) - sign.length, '0') : text.padStart(Number(width), ' ');
  });
}

/**
 * Saves the model at the end of each epoch, or with `saveBestOnly` when `monitor` improves
 * (Keras 3's `ModelCheckpoint`; TF.js has none): through `model.save`, so to any place it
 * saves to, with the optimizer state by default, so `loadModel` and `fit({ initialEpoch })`
 * resume from it. A save that fails stops `fit` with its error.
 *
 * @example
 * const best = callbacks.modelCheckpoint({ filepath: 'file://./ckpt/best', saveBestOnly: true });
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.2, callbacks: [best] });
 * const restored = await loadLayersModel('file://./ckpt/best'); // the epoch with the lowest val_loss
 */
export class ModelCheckpoint extends MonitorCallback {
  /** The options, with their defaults filled in. */
  readonly args: Required<Omit<ModelCheckpointArgs, 'initialValueThreshold'>> & Pick<ModelCheckpointArgs, 'initialValueThreshold'>;
  /** Where the last save went (the filepath with its braces filled in), or `null` before the first. */
  lastSaved: string | null = null;
  constructor(args: ModelCheckpointArgs) {
    const op = 'modelCheckpoint';
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`${op}: args must be an object like { filepath: 'file://./ckpt/model-{epoch}' }, got ${describe(args)}`);
    checkArgs(op, args, ['filepath', 'monitor', 'saveBestOnly', 'mode', 'initialValueThreshold', 'includeOptimizer', 'verbose']);
    const full = { monitor: 'val_loss', saveBestOnly: false, mode: 'auto', includeOptimizer: true, verbose: 0, ...stripUndefined(args) } as ModelCheckpoint['args'];
    const { filepath, initialValueThreshold, verbose } = full;
    if (!(typeof filepath === 'string' && filepath !== '') && !(filepath !== null && typeof filepath === 'object' && typeof (filepath as IOHandler).save === 'function')) {
      throw new InvalidArgumentError(`${op}: filepath must be where model.save saves, such as 'file://./ckpt/model-{epoch}' or a handler with save(artifacts), got ${describe(filepath)}`);
    }
    // The checks model.save makes of its target (a scheme, one this runtime has), now rather than after the first epoch.
    if (typeof filepath === 'string') route(filepath, op, 'save', 'filepath');
    if (initialValueThreshold !== undefined && (typeof initialValueThreshold !== 'number' || !Number.isFinite(initialValueThreshold))) throw new InvalidArgumentError(`${op}: initialValueThreshold must be a finite number, got ${describe(initialValueThreshold)}`);
    // As Keras 3: any improvement counts (no minDelta); the threshold is the baseline.
    super({ monitor: full.monitor, mode: full.mode, baseline: initialValueThreshold, minDelta: 0 }, op);
    this.best = initialValueThreshold ?? NaN;
    this.args = full;
    boolArg(op, 'saveBestOnly', full.saveBestOnly);
    boolArg(op, 'includeOptimizer', full.includeOptimizer);
    readVerbose(op, verbose, 0, true);
  }
  /**
   * With `saveBestOnly`, checks the monitor before the first epoch. The best value saved so far
   * carries over from an earlier `fit` with this callback, as Keras 3's (its `best` is set once,
   * when made): a checkpoint reused over `fit` calls of an epoch each (fresh augmentation per
   * epoch) saves only what beats every earlier run; a new callback starts from
   * `initialValueThreshold`, else from none.
   */
  override onTrainBegin(): void {
    // The base class resets best to the baseline; this callback's stays (Keras 3 has no on_train_begin here).
    const kept = this.best;
    try {
      if (this.args.saveBestOnly) super.onTrainBegin();
    } finally {
      this.best = kept;
    }
    // Before the first epoch, not at its end: a loss function cannot be saved with the optimizer.
    let fn = false;
    try {
      fn = this.args.includeOptimizer && this.model.compiledInfo('modelCheckpoint').custom?.tape === true;
    } catch {
      /* not compiled: fit says so */
    }
    if (fn) {
      throw new InvalidArgumentError(
        `modelCheckpoint: model ${this.model.name} is compiled with a loss function, which cannot be saved with the optimizer (includeOptimizer, this callback's default); ` +
          'pass modelCheckpoint({ …, includeOptimizer: false }) to save the topology and weights, and keep the training state with exportTrainingState() if you resume',
      );
    }
  }
  /** Saves the model (with `saveBestOnly`, only when `logs[monitor]` beats the best so far). */
  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const op = 'modelCheckpoint';
    const { filepath, saveBestOnly, monitor, includeOptimizer } = this.args;
    const loud = readVerbose(op, this.args.verbose, 0, true) === 1;
    // A name from a val_* log of an epoch a stop left unvalidated: that epoch is not saved.
    if (typeof filepath === 'string' && /\{val_/.test(filepath) && unvalidated(this.params, logs)) {
      console.warn(`${op}: epoch ${epoch + 1} was cut short by a stop and not validated (as TF.js), so filepath '${filepath}' cannot be named from its logs: that epoch is not saved`);
      return;
    }
    const path = typeof filepath === 'string' ? checkpointPath(op, filepath, epoch, logs) : filepath;
    const where = typeof path === 'string' ? path : 'the handler';
    if (saveBestOnly) {
      if (this.skipsEpoch(epoch, logs)) return;
      const v = this.monitorValue(logs);
      const before = this.best;
      // No best yet: Keras 3 starts from inf (-inf in max mode) and prints it.
      const from = Number.isNaN(before) ? (this.direction === 'min' ? 'inf' : '-inf') : formatLog(before);
      if (!this.isImprovement(v, before) || Number.isNaN(v)) {
        if (loud) console.log(`Epoch ${epoch + 1}: ${monitor} did not improve from ${from}`);
        return;
      }
      this.best = v;
      if (loud) console.log(`Epoch ${epoch + 1}: ${monitor} improved from ${from} to ${formatLog(v)}, saving model to ${where}`);
    } else if (loud) {
      console.log(`Epoch ${epoch + 1}: saving model to ${where}`);
    }
    try {
      await this.model.save(path, { includeOptimizer });
    } catch (e) {
      // Deno's flag for this epoch's folder would fail the next epoch: name the folder every
      // checkpoint of the template goes in.
      if (e instanceof InvalidArgumentError && typeof filepath === 'string' && filepath.includes('{')) {
        const denied = /^save: Deno denied write access to (.*?): run with --allow-write=/.exec(e.message);
        if (denied) {
          const [fixed] = filepath.split('{');
          const folder = fixed.slice(0, fixed.lastIndexOf('/') + 1).replace(/^file:\/\//, '') || '.';
          e.message = `${op}: epoch ${epoch + 1}'s checkpoint: Deno denied write access to ${denied[1]}: run with --allow-write=${folder} (the folder the checkpoints of '${filepath}' go in; or --allow-write)${e.message.slice(e.message.indexOf(' ['))}`;
        }
      }
      throw e;
    }
    this.lastSaved = typeof path === 'string' ? path : null;
  }
}

/**
 * Keras 3's `LearningRateScheduler(schedule, verbose)` (PyTorch's `LambdaLR`): at the start of
 * each epoch, `model.learningRate = schedule(epoch, lr)` with `epoch` 0-based (counting from
 * `fit`'s `initialEpoch`) and `lr` the current rate, so `(epoch, lr) => epoch > 0 ? lr / 2 : lr`
 * halves it every epoch after the first. The optimizer's state and step count are kept
 * (`model.learningRate`). Each epoch's logs (and the history) get the rate as
 * `learning_rate`, as Keras 3 puts it there. A return that is not a finite number >= 0 stops
 * `fit` with an error naming the epoch and the value (Keras 3 refuses a non-float); 0 freezes
 * the weights for the epoch. An optimizer whose learning rate is a schedule (`schedules.*`) is
 * an error at the start of `fit` (as Keras 3: use one or the other). TF.js has no scheduler
 * callback.
 */
export class LearningRateScheduler extends Callback {
  /** `(epoch, lr) => newLr`. */
  readonly schedule: (epoch: number, lr: number) => number;
  /** 1: print the rate set at each epoch (as Keras). */
  readonly verbose: number;
  constructor(schedule: (epoch: number, lr: number) => number, verbose: number | boolean = 0) {
    super();
    const op = 'learningRateScheduler';
    if (typeof schedule !== 'function') throw new InvalidArgumentError(`${op}: schedule must be a function (epoch, lr) => newLr, got ${describe(schedule)}`);
    if (verbose !== 0 && verbose !== 1 && typeof verbose !== 'boolean') throw new InvalidArgumentError(`${op}: verbose must be 0, 1 or a boolean, got ${describe(verbose)}`);
    this.schedule = schedule;
    this.verbose = Number(verbose);
  }
  /**
   * Refuses an optimizer whose learning rate is a schedule (`schedules.*`): the two would
   * combine silently (each epoch's rate rescales the schedule, which goes on decaying within
   * the epoch). Keras 3 refuses too: an optimizer made with a `LearningRateSchedule` has no
   * settable rate.
   */
  override onTrainBegin(): void {
    const opt = this.model.optimizer;
    const lr = opt?.learningRate;
    if (lr instanceof LearningRateSchedule) {
      throw new InvalidArgumentError(
        `learningRateScheduler: the model's ${opt!.name} optimizer takes its learning rate from a schedule (schedules.${lr.name}), and the two would combine (each epoch's rate would rescale the schedule); ` +
          `use one: compile with a number as the optimizer's learningRate to drive it with learningRateScheduler, or leave the callback out (Keras 3 refuses this too)`,
      );
    }
  }
  /** Sets `model.learningRate = schedule(epoch, model.learningRate)`. */
  override onEpochBegin(epoch: number): void {
    const lr = this.model.learningRateF32;
    const next: unknown = this.schedule(epoch, lr);
    if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) {
      throw new InvalidArgumentError(`learningRateScheduler: schedule(${epoch}, ${lr}) returned ${describe(next)} at epoch ${epoch + 1} (the schedule gets epochs from 0, as Keras's); the learning rate must be a finite number >= 0`);
    }
    this.model.learningRate = next;
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${Number(Math.fround(next).toPrecision(7))}.`);
  }
  /** Adds the epoch's rate to the logs as `learning_rate` (Keras 3). */
  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = this.model.learningRateF32;
  }
}

/** Callback factories, as `tf.callbacks`. */
export const callbacks = {
  /**
   * An {@link EarlyStopping}: stops training when `monitor` stops improving.
   * @example callbacks.earlyStopping({ monitor: 'val_loss', patience: 3 })
   * @example callbacks.earlyStopping({ monitor: 'val_auc', patience: 3 }) // compile({ metrics: ['auc'] }): the whole validation set's AUC each epoch, maximized
   */
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  /** A {@link TerminateOnNaN}: stops training as soon as the loss is NaN or infinite. */
  terminateOnNaN: () => new TerminateOnNaN(),
  /** A {@link ReduceLROnPlateau}: lowers the learning rate when `monitor` stops improving. @example callbacks.reduceLROnPlateau({ factor: 0.5, patience: 2 }) */
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
  /**
   * A {@link ModelCheckpoint}: saves the model each epoch, or when `monitor` improves. Keras's
   * positional form `(filepath, options)` is taken too.
   * @example callbacks.modelCheckpoint({ filepath: 'file://./ckpt/best', saveBestOnly: true })
   * @example callbacks.modelCheckpoint('file://./ckpt/best', { saveBestOnly: true }) // Keras's ModelCheckpoint(filepath, save_best_only=True)
   */
  modelCheckpoint: ((args: ModelCheckpointArgs | string | IOHandler, options?: Omit<ModelCheckpointArgs, 'filepath'>) => {
    if (typeof args === 'string' || (args !== null && typeof args === 'object' && typeof (args as IOHandler).save === 'function')) {
      if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) throw new InvalidArgumentError(`modelCheckpoint: options (argument 2) must be an object like { saveBestOnly: true }, got ${describe(options)}`);
      if (options && 'filepath' in options) throw new InvalidArgumentError('modelCheckpoint: filepath is given twice, as argument 1 and in the options');
      return new ModelCheckpoint({ ...options, filepath: args as ModelCheckpointArgs['filepath'] });
    }
    if (options !== undefined) throw new InvalidArgumentError(`modelCheckpoint: a second argument goes with a filepath first (Keras's form, modelCheckpoint(filepath, options)); with an options object, give everything in it`);
    return new ModelCheckpoint(args as ModelCheckpointArgs);
  }) as {
    (filepath: string | IOHandler, options?: Omit<ModelCheckpointArgs, 'filepath'>): ModelCheckpoint;
    (args: ModelCheckpointArgs): ModelCheckpoint;
  },
  /**
   * A {@link LearningRateScheduler}: sets the rate to `schedule(epoch, lr)` at each epoch's start (Keras 3's `LearningRateScheduler`).
   * @example callbacks.learningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * 0.9))
   */
  learningRateScheduler: (schedule: (epoch: number, lr: number) => number, verbose?: number | boolean) => new LearningRateScheduler(schedule, verbose),
};
