/**
 * The `fit` loop. Each batch is ONE call into WebAssembly (`nr_model_train_batch`), which
 * gathers the batch rows from the training tensors using the epoch's seeded order, runs
 * forward, loss, backward and the optimizer update. Between batches the loop reports to the
 * callbacks and yields to the event loop: at most every `yieldEveryMs`, or as TF.js's
 * `yieldEvery` says (after every batch, at each epoch's end, or never).
 */
import { optionKeys, unknownOption } from '../options.js';
import { argPtr, call, check, endedHow, instanceId, withWords, words } from '../engine.js';
import { DisposedError, InvalidArgumentError, NonFiniteError, placeBadValue } from '../errors.js';
import { Tensor } from '../tensor.js';
import { boolArg, describe, EXACT_INT, fromFlat, need } from '../ops/convert.js';
import { gather, slice } from '../ops/slicing.js';
import { yieldNow } from '../runtime.js';
import { Callback, runCallbacks, TerminateOnNaN, type CallbackHooks, type CallbackParams, type Logs } from './callbacks.js';
import { fitReporter, type ProgressReporter } from './progress.js';
import { batchSizeOf, type Sequential } from './sequential.js';
import { targetHint, warnZeroTargetRows } from './compile.js';
import { byName, placePacked } from './packing.js';
import { accumulatedColumns, customStep, newStates, type MetricStates } from './custom-loss.js';
import { at, checkSamples, placeIn, epochsCompleted, inValidation, kerasAliases, FIT_KEYS, HOOKS, intOption, NOT_IN_FIT, readClassWeights, readLoopArgs, readSampleWeights, rowCounts, setEpochsCompleted, weightRows, weightTensor, type FitArgs, type History, type LoopArgs, type OutputWeights } from './fit.js';
// This copy's mark, which the loader checks (lazy_chunk.ts).
export { COPY } from '../brand.js';

/** The plain-object callbacks whose `model` and `params` fit set (and may set again). */
const given = new WeakSet<object>();

/**
 * The hooks of a callback that is not a {@link Callback} (a plain object, an instance of another
 * class) see `this.model` and `this.params`, as in TF.js (which wraps such an object in a
 * `CustomCallback`): set on the object itself, not enumerable, unless it has a `model` or
 * `params` of its own or inherited that fit did not set (the user's, kept) or cannot take them.
 */
function giveContext(c: object, model: unknown, params: CallbackParams): void {
  const mine = given.has(c);
  if (!mine && ('model' in c || 'params' in c || !Object.isExtensible(c))) return;
  given.add(c);
  for (const [k, value] of [['model', model], ['params', params]] as const) Object.defineProperty(c, k, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * The one line that says why training ended before `epochs`: the runner's or an early-stopping
 * callback's reason, else the hook that set `stopTraining` (`setIn`), else that it was set
 * (from outside the callbacks: a timer, a button's handler).
 */
function stopNote(cbs: readonly CallbackHooks[], last: number, epochs: number, own: string | null, setIn: string | null): string {
  const reason = own ?? cbs.map((c) => (c as { stopReason?: unknown }).stopReason).find((r): r is string => typeof r === 'string');
  return `Stopped after epoch ${last + 1}/${epochs}: ${reason ?? (setIn === null ? 'stopTraining was set' : `a callback set stopTraining (in ${setIn})`)}`;
}

/**
 * @internal One training step as {@link runEpochs} runs it: `count` samples, trained by `train`,
 * which writes the core's results (`[loss, ...metrics, kl, regularization, ...outputLosses]`)
 * into `out`, adding the batch to the epoch's accumulated metrics (`states`, for `customStep`).
 * Reports `onBatchBegin`/`onBatchEnd` around it and yields when due.
 */
export type StepFn = (count: number, train: (out: Float32Array, states: MetricStates) => void) => Promise<void>;

/** @internal What differs between `fit` (slices of tensors) and `fitDataset` (a dataset's elements). */
export interface EpochRunner {
  /** For progress reporters' `configure`: batches per epoch, batch size and samples, 0 when not known. */
  readonly batches: number;
  readonly batchSize: number;
  readonly samples: number;
  /** The name of data the run uses that was disposed (checked after every await), or null. */
  disposed(): string | null;
  /**
   * Before `onEpochBegin` (fit draws the epoch's sample order from `key`: the epoch's place in
   * the model's training, see {@link FitArgs.initialEpoch}).
   */
  beginEpoch?(epoch: number, key: number): void;
  /**
   * Runs the batches of `epoch` with `ctx.step`, stopping when `model.stopTraining` is set;
   * `ctx.check()` after its own awaits. Resolves to whether the epoch ran all its batches (the
   * data's, or `batchesPerEpoch`): only such an epoch is validated, as TF.js 4.22's.
   */
  epoch(epoch: number, ctx: { step: StepFn; check(): void; where(w: string): void }): Promise<boolean>;
  /** Whether the run has validation data (then {@link EpochRunner.validate} gives results). */
  readonly validates: boolean;
  /** The validation results (the core's order), or null without validation data. */
  validate(): number[] | null | Promise<number[] | null>;
  /** On every way out, after the last epoch or an error: frees what the runner holds. */
  close?(): void | Promise<void>;
  /** Why the runner itself ended training early (the data ran out), or null. */
  stopReason?(): string | null;
}

/**
 * Whether `c` is a progress reporter (`progressBar()`, or any callback with its `configure` and
 * `note`): `onBatchEnd` gives it the running means of the epoch so far, not the batch's values.
 */
function isProgressReporter(c: CallbackHooks): boolean {
  const r = c as { configure?: unknown; note?: unknown };
  return typeof r.configure === 'function' && typeof r.note === 'function';
}

/**
 * The `terminateOnNaN` callback among `cbs` when `err` is the core's refusal of a step whose
 * gradient is not finite (a {@link NonFiniteError}: the core left the weights and the step as
 * they were), else null: with one, that step counts as a batch whose loss is NaN.
 */
function refusedStepStopper(cbs: readonly CallbackHooks[], err: unknown): TerminateOnNaN | null {
  if (!(err instanceof NonFiniteError)) return null;
  return (cbs.find((c) => c instanceof TerminateOnNaN) as TerminateOnNaN | undefined) ?? null;
}

/** The callback objects of the runs in progress (one object may serve one run at a time). */
const callbacksInUse = new WeakSet<object>();


/**
 * @internal The training loop behind `fit` and `fitDataset`: callbacks (hooks, `setModel`,
 * progress reporters' `configure`, the default progress bar), the per-epoch logs (each log the
 * mean of the batch values weighted by batch size, as TF.js's BaseLogger; an accumulated
 * metric's the last batch's, its value over the whole epoch), validation, the
 * history, yielding, and the checks that the model and data are still alive after every await.
 * `prepare` runs first, inside the loop's error handling (so a failure there still runs each
 * callback's `cleanup`), and gives the {@link EpochRunner}.
 */
export async function runEpochs(model: Sequential, op: string, loop: LoopArgs, prepare: () => EpochRunner | Promise<EpochRunner>): Promise<History> {
  const { epochs, initialEpoch, yieldEvery, yieldEachEpoch, verbose, cbs } = loop;
  const h = model.handle(op);
  const instance = instanceId();
  const columns = model.logColumns();
  // A callback object keeps state for one run (its model, its best loss, its patience): two
  // runs at once would each read the other's.
  const shared = cbs.find((c) => callbacksInUse.has(c));
  if (shared !== undefined) {
    throw new InvalidArgumentError(`${op}: a callback (${(shared as object).constructor?.name ?? 'an object'}) is already in use by a fit that has not finished; give each fit its own callback objects`);
  }
  for (const c of cbs) callbacksInUse.add(c);
  let failed = false;
  let trainingError: unknown = null;
  let runner: EpochRunner | null = null;
  try {
    // Out of the caller's tidy scope (fit inside tidy, or inside grad) before making anything:
    // the tensors fit makes (validation slices, class weights) are its own, and tidy is
    // synchronous, so it has closed by the time this continues.
    await Promise.resolve();
    const r = (runner = await prepare());
    let reporter: ProgressReporter | null = null;
    if (verbose !== 0) {
      reporter = fitReporter(verbose, model.name);
      reporter.configure(epochs, r.batches, r.batchSize, r.samples);
      cbs.push(reporter);
    }
    const names = columns.map(([k]) => k);
    // As TF.js: fit gives samples (steps null), fitDataset steps (null if the dataset's size is not known).
    const params = { epochs, initialEpoch, samples: r.samples || null, steps: r.samples ? null : r.batches || null, batchSize: r.batchSize || null, verbose, doValidation: r.validates, metrics: [...names, ...(r.validates ? names.map((k) => `val_${k}`) : [])] };
    runCallbacks.set(params, cbs);
    for (const c of cbs) {
      if (c instanceof Callback) {
        c.setModel(model);
        c.setParams(params);
      } else giveContext(c, model, params);
      // Progress reporters passed in `callbacks` (progressBar({...})) learn the run's size.
      const configure = (c as { configure?: unknown }).configure;
      if (c !== reporter && typeof configure === 'function') configure.call(c, epochs, r.batches, r.batchSize, r.samples);
    }

    let where = 'before training';
    /** After every await: is everything the loop uses still alive, on the same instance? */
    const stillLive = (): void => {
      const stop = (what: string) => new DisposedError(`${op}: ${what} during training (${where}); ${op} stopped`);
      if (instanceId() !== instance) throw stop(`the neurite instance ${endedHow(instance)}`);
      if (model.isDisposed) throw stop(`model ${model.name} was disposed`);
      const gone = r.disposed();
      if (gone !== null) throw stop(`${gone} was disposed`);
      if (model.handle(op) !== h) throw stop(`model ${model.name} was rebuilt`);
    };
    // The trainable switches are read as training starts (as TF.js and Keras): a callback that
    // changes one (gradual unfreezing) is told once that it waits for the next fit.
    const flags = model.trainableFlags();
    let warned = false;
    const sameSwitches = (hook: string): void => {
      if (warned) return;
      const now = model.trainableFlags();
      const i = now.findIndex(([, on], j) => on !== flags[j]?.[1]);
      if (i < 0) return;
      warned = true;
      console.warn(`${op}: the trainable switch of ${now[i][0]} changed during ${op} (in ${hook}), which reads the switches as it starts (as TF.js and Keras): the change takes effect at the next fit, trainOnBatch or gradient; to unfreeze layers in stages, call ${op} once per stage`);
    };
    /** The hook that set `model.stopTraining` (for the progress bar's note), null if none did. */
    let stopSetIn: string | null = null;
    const emit = async (hook: (typeof HOOKS)[number], ...a: unknown[]): Promise<void> => {
      for (const c of cbs) {
        const f = (c as Record<string, unknown>)[hook] as ((...a: unknown[]) => unknown) | undefined;
        if (f === undefined) continue;
        const was = model.stopTraining;
        await f.apply(c, a);
        if (!was && model.stopTraining) stopSetIn = hook;
        stillLive();
        if (c !== reporter) sameSwitches(hook); // fit's own progress bar sets no switch
      }
    };
    /** `onBatchEnd` with the batch's own logs, but the running means (`running`) for progress reporters. */
    const emitBatchEnd = async (batch: number, logs: Logs, running: Logs): Promise<void> => {
      for (const c of cbs) {
        const f = c.onBatchEnd;
        if (f === undefined) continue;
        const was = model.stopTraining;
        await f.call(c, batch, isProgressReporter(c) ? running : logs);
        if (!was && model.stopTraining) stopSetIn = 'onBatchEnd';
        stillLive();
        if (c !== reporter) sameSwitches('onBatchEnd');
      }
    };

    stillLive();
    const width = 1 + Math.max(...columns.map(([, i, w]) => Math.max(i, w ?? 0)));
    const compiled = model.compiledInfo(op);
    const spec = compiled.custom;
    // Positions of the metrics accumulated over the epoch (Keras 3's stateful metrics).
    const accumulated = accumulatedColumns(compiled);
    const history: History = { epoch: [], history: { loss: [] }, params };
    const out = new Float32Array(width);
    let lastYield = performance.now();
    /** Yields to the event loop, then runs the `onYield` hooks with the epoch, batch and logs. */
    const yieldTo = async (epoch: number, batch: number, logs: Logs): Promise<void> => {
      await yieldNow();
      stillLive();
      await emit('onYield', epoch, batch, logs);
      lastYield = performance.now();
    };
    // The epochs earlier runs completed beyond initialEpoch: fit({ epochs: 1 }) in a loop counts
    // on (a new shuffle each call, as TF.js and Keras) and equals one fit of as many epochs,
    // while a resumed run (initialEpoch = the epochs completed) keeps its epochs' numbers.
    const done = epochsCompleted(model);
    const ahead = done !== undefined && done > initialEpoch ? done - initialEpoch : 0;
    // Cleared before onTrainBegin (as Keras 3: a stopped run's flag is not what a callback
    // reads there) and after it (as TF.js 4.22; Keras 3 would stop after the first batch): a
    // flag left set before fit, or set in onTrainBegin, stops nothing. The latter is said,
    // since the callback meant to stop.
    model.stopTraining = false;
    await emit('onTrainBegin', {});
    if (model.stopTraining && stopSetIn === 'onTrainBegin') {
      console.warn(`${op}: a callback set stopTraining in onTrainBegin, before the first epoch; as TF.js, ${op} clears it as training starts and runs the epochs (set it in onEpochBegin to stop after that epoch's first batch, or in onBatchEnd or onEpochEnd)`);
    }
    model.stopTraining = false;
    stopSetIn = null;
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      where = placeIn(epoch, epochs);
      r.beginEpoch?.(epoch, epoch + ahead);
      await emit('onEpochBegin', epoch, {});
      // The accumulated metrics start the epoch from zero, as Keras 3 resets its metrics.
      const states: MetricStates = spec ? newStates(spec) : [];
      const sums = new Float64Array(names.length);
      // A weighted metric's denominator: its output's Σw over the batches so far (else the samples).
      const dens = new Float64Array(names.length);
      let seen = 0;
      let b = 0;
      const step: StepFn = async (count, train) => {
        where = placeIn(epoch, epochs, b);
        await emit('onBatchBegin', b, { batch: b, size: count });
        stillLive(); // also without callbacks: something disposed on a microtask since the last step
        try {
          train(out, states);
        } catch (err) {
          // A step the core refused for a non-finite gradient (weights and step rolled back):
          // with terminateOnNaN, a batch whose loss is NaN, so the callback stops training and
          // fit returns the history (Keras's TerminateOnNaN); without it, the error.
          // Something the step ran (a loss function) shut the instance down or disposed what the
          // loop uses: say that (the step's own error is a bare NotInitialized or handle error).
          stillLive();
          model.nameLayerIn(err);
          const stopper = refusedStepStopper(cbs, err);
          if (stopper === null) throw err instanceof NonFiniteError ? diverged(err, history, where) : err;
          stopper.refusedStep((err as Error).message);
          out.fill(NaN);
        }
        seen += count;
        // As TF.js: each batch's own loss and metrics; the epoch's logs are their means weighted
        // by batch size (TF.js's BaseLogger). Progress reporters get the running means so far,
        // as Keras's and TF.js's bars show them.
        const logs: Logs = { batch: b, size: count };
        const running: Logs = { batch: b, size: count };
        columns.forEach(([k, at, w], i) => {
          const weight = w === undefined ? count : out[w];
          // An accumulated metric's value is already the epoch's so far (and its mean would not be it).
          if (accumulated.has(at)) [sums[i], dens[i]] = [out[at], 1];
          else {
            sums[i] += out[at] * weight;
            dens[i] += weight;
          }
          logs[k] = out[at];
          running[k] = dens[i] > 0 ? sums[i] / dens[i] : 0;
        });
        kerasAliases(logs);
        kerasAliases(running);
        await emitBatchEnd(b, logs, running);
        if (performance.now() - lastYield >= yieldEvery) await yieldTo(epoch, b, logs);
        b++;
      };
      const whole = await r.epoch(epoch, { step, check: stillLive, where: (w) => (where = w) });
      // Stopped before this epoch's first batch (fitDataset's data ran out at its start): there
      // is no epoch to log. (A stop set in onEpochBegin still runs the epoch's first batch and
      // its onEpochEnd, as TF.js and Keras 3: the runners check the flag after each batch.)
      if (seen === 0 && model.stopTraining) break;
      where = `end of ${placeIn(epoch, epochs)}`;
      const logs: Logs = {};
      // Weighted metrics: Σ w·m / Σ w over the epoch (0 when every weight was 0, as Keras).
      names.forEach((k, i) => (logs[k] = accumulated.has(columns[i][1]) ? sums[i] : columns[i][2] === undefined ? sums[i] / Math.max(seen, 1) : dens[i] > 0 ? sums[i] / dens[i] : 0));
      stillLive();
      // An epoch cut short by a stop is not validated (TF.js 4.22 validates at an epoch's last
      // batch; Keras 3 would validate it): its logs and the History have no val_* for it.
      const v = whole ? await r.validate() : null;
      stillLive();
      if (v) columns.forEach(([k, at]) => (logs[`val_${k}`] = v[at]));
      setEpochsCompleted(model, epoch + ahead + 1);
      kerasAliases(logs); // a callback ported from Keras reads logs.val_accuracy
      await emit('onEpochEnd', epoch, logs);
      // After the callbacks, as TF.js's and Keras's History (last in their callback lists):
      // what a callback adds to the logs (reduceLROnPlateau's learning_rate) is kept too.
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      if (yieldEachEpoch) await yieldTo(epoch, Math.max(b - 1, 0), logs);
    }
    where = 'after training';
    const last = history.epoch.at(-1);
    if (reporter && model.stopTraining && last !== undefined && last < epochs - 1) reporter.note(stopNote(cbs, last, epochs, r.stopReason?.() ?? null, stopSetIn));
    for (const c of cbs) await c.onTrainEnd?.({});
    kerasAliases(history.history);
    return history;
  } catch (err) {
    failed = true;
    trainingError = err;
    throw err;
  } finally {
    for (const c of cbs) callbacksInUse.delete(c);
    // The runner's close and each callback's cleanup run on every path, awaited (an async
    // cleanup has finished, or failed into this call's result, before fit settles); an error
    // in one does not skip the others, and never hides the error that ended training.
    const cleanupErrors: unknown[] = [];
    try {
      await runner?.close?.();
    } catch (e) {
      cleanupErrors.push(e);
    }
    for (const c of cbs) {
      try {
        await c.cleanup?.();
      } catch (e) {
        cleanupErrors.push(e);
      }
    }
    // eslint-disable-next-line no-unsafe-finally
    if (cleanupErrors.length > 0) throw failed ? alsoFailed(op, trainingError, cleanupErrors) : alsoFailed(op, cleanupErrors[0], cleanupErrors.slice(1));
  }
}

/**
 * The error that ended `op` (`first`: training's, or the first cleanup's), told of the cleanup
 * errors that came after it (`more`): each one's message appended to its message, the first
 * also as its `cause` when it has none (printed with its stack by Node and the browsers'
 * consoles). The error keeps its class and its own message first, so code that tells errors
 * apart (`instanceof DisposedError`, `err.history` of a divergence) reads it as before. A thrown
 * value that cannot take the note (not an extensible Error) comes back in an `AggregateError`
 * with the others.
 */
function alsoFailed(op: string, first: unknown, more: readonly unknown[]): unknown {
  if (more.length === 0) return first;
  const text = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  const note = `; then ${more.length === 1 ? "a callback's cleanup" : `${more.length} cleanups`} failed too: ${more.map(text).join('; ')}`;
  if (first instanceof Error && Object.isExtensible(first)) {
    try {
      first.message += note;
      if (first.cause === undefined) Object.defineProperty(first, 'cause', { value: more[0], writable: true, configurable: true, enumerable: false });
      return first;
    } catch {
      // a read-only message: the AggregateError below
    }
  }
  return new AggregateError([first, ...more], `${op}: ${text(first)}${note}`);
}

/**
 * A refused step's error as `fit` throws it: the epochs trained before it in its `history` (a
 * divergence demo keeps its loss curve, which TF.js's `fit` returns with NaN losses), and the
 * message says so and how to get them back without the error.
 */
function diverged(err: NonFiniteError, history: History, where: string): NonFiniteError {
  // The place first (fitDataset's errors end with it already).
  at(err, where);
  const e = new NonFiniteError(`${err.message}. The epochs completed before it (${history.epoch.length}) are in this error's \`history\`; with callbacks.terminateOnNaN() among the callbacks, training stops there and they are returned`);
  // Every key the logs have (params.metrics), empty when it diverged in the first epoch.
  const h: History = { ...history, history: { loss: [], ...Object.fromEntries([...history.params.metrics, ...Object.keys(history.history)].map((k) => [k, history.history[k] ?? []])) } };
  kerasAliases(h.history);
  e.history = h;
  return e;
}

/**
 * The training loop behind `model.fit`: `fit`'s data and options, then {@link runEpochs} with a
 * runner that trains on slices of `x`/`y` in the epoch's seeded order. Every path out of it —
 * success, an error, a stop — disposes what it created (validation slices) and runs each
 * callback's `cleanup`. After every `await` (callbacks, yields) it re-checks that the model,
 * `x`, `y` and the validation data are still alive on the same instance, so a callback that
 * disposes them, or resets the instance, stops training with a {@link DisposedError} instead of
 * training something else.
 */
export async function fitLoop(model: Sequential, givenX: Tensor | Tensor[] | Record<string, Tensor>, given: Tensor | Tensor[] | Record<string, Tensor>, args: FitArgs): Promise<History> {
  model.compiledInfo('fit');
  for (const k of optionKeys('fit', args)) {
    if (Object.hasOwn(NOT_IN_FIT, k)) throw new InvalidArgumentError(`fit: ${k} is not supported: ${NOT_IN_FIT[k]}`);
    if (!(FIT_KEYS as readonly string[]).includes(k)) throw unknownOption('fit', k, FIT_KEYS);
  }
  if (args.shuffle === ('batch' as unknown)) {
    throw new InvalidArgumentError("fit: shuffle 'batch' (Keras's shuffling in batch-sized chunks, for HDF5 data) is not supported, as in TF.js 4.22, whose fit throws \"batch shuffling is not implemented yet\"; use shuffle: true (or false)");
  }
  // y by output name (TF.js's form) as the list in the model's order: the class weights read it.
  const givenY = byName('fit', 'y', given, model.outputNames, 'output') as Tensor | Tensor[];
  const loop = readLoopArgs('fit', args);
  const batchSize = batchSizeOf('fit', args.batchSize ?? 32);
  const seed = intOption('fit', 'seed', args.seed ?? 0, 0);
  const shuffle = boolArg('fit', 'shuffle', args.shuffle, true);
  // 0 (the TF.js and Keras default) and null mean no split.
  const split = args.validationSplit === 0 || args.validationSplit === null ? undefined : args.validationSplit;
  if (split !== undefined && (typeof split !== 'number' || !(split > 0 && split < 1))) {
    throw new InvalidArgumentError(`fit: validationSplit must be a number in [0, 1), got ${describe(split)}`);
  }
  const outputNames = model.isPacked && model.outputs.length > 1 ? model.outputs.map((t) => t.sourceLayer.name) : null;
  const classWeights = readClassWeights(args.classWeight, outputNames);
  // Everything fit creates is owned from the moment it exists, and freed on every way out.
  const owned: Tensor[] = [];
  const own = (t: Tensor): Tensor => (owned.push(t), t);
  let x: Tensor, y: Tensor;
  let perSample: Array<OutputWeights | null> | null = null;
  let valX: Tensor | null = null, valY: Tensor | null = null, valW: Tensor | null = null;
  const vd = args.validationData ?? undefined; // null: none, as Keras's validation_data=None
  try {
    // A model with several inputs or outputs takes lists, joined here into one tensor each.
    [x, y] = model.coreData('fit', givenX, givenY, owned);
    need('fit', 'x', x);
    need('fit', 'y', y);
    checkSamples('fit', x, y, 'x', 'y');
    perSample = readSampleWeights('fit', args.sampleWeight, model.weightTargets(x.shape[0] ?? 0));
    if (vd !== undefined) {
      if (!Array.isArray(vd) || vd.length < 2 || vd.length > 3) {
        // Keras's autoencoder habit, validation_data=x_test: as Keras and TF.js, x alone is not x = y.
        const alone = vd instanceof Tensor || (Array.isArray(vd) && (vd as unknown[]).length === 1);
        const hint = alone ? '; for a model trained as an autoencoder, fit(x, x), pass validationData: [xVal, xVal] (a model made with autoencoder() also takes validationData: xVal, a tensor alone, as its own target)' : '';
        throw new InvalidArgumentError(`fit: validationData must be [x, y] or [x, y, sampleWeight] (as in Keras and TF.js), got ${describe(vd)}${hint}`);
      }
      [valX, valY] = model.coreData('fit', vd[0], vd[1], owned, ['validationData[0]', 'validationData[1]']);
      need('fit', 'validationData[0]', valX);
      need('fit', 'validationData[1]', valY);
      checkSamples('fit: validationData', valX, valY, 'x', 'y');
      valW = model.sampleWeightTensor('fit', vd[2], valX, owned, 'validationData[2]');
    }
  } catch (err) {
    for (const t of owned) t.dispose();
    throw err;
  }
  const h = model.handle('fit');
  try {
    return await runEpochs(model, 'fit', loop, (): EpochRunner => {
      // Validation data: explicit, or the last samples, as TF.js and Keras: the first
      // ⌊n·(1 − split)⌋ samples train and the rest validate.
      let trainX = x, trainY = y;
      const splitting = valX === null && split !== undefined;
      if (splitting) {
        const n = x.shape[0] ?? 0;
        const cut = Math.floor(n * (1 - split));
        const nVal = n - cut;
        if (cut < 1 || nVal < 1) throw new InvalidArgumentError(`fit: validationSplit ${split} of ${n} samples leaves ${nVal} for validation and ${cut} for training; both need at least 1`);
        trainX = own(slice(x, [0], [cut]));
        trainY = own(slice(y, [0], [cut]));
        valX = own(slice(x, [cut], [nVal]));
        valY = own(slice(y, [cut], [nVal]));
        // As Keras 3: the held-out samples' weights weigh val_loss.
        const vw = weightTensor('fit', [], null, outputNames, nVal, 'y', weightRows(perSample, cut, nVal), rowCounts(model.weightTargets(nVal)));
        if (vw) valW = own(vw);
      }
      const hx = trainX.handleFor('fit', 'x');
      const hy = trainY.handleFor('fit', 'y');
      const info = model.compiledInfo('fit');
      const classes = model.outputDims?.at(-1);
      // A loss function takes the targets as they are (its own checks are the function's).
      const tape = info.custom?.tape === true;
      try {
        // With validationSplit, x and y are checked whole: a bad value is named by its
        // position in x, the validation rows' too.
        if (!tape) call((e) => check(splitting ? e.nr_model_check_data(h, x.handleFor('fit', 'x'), y.handleFor('fit', 'y'), 0) : e.nr_model_check_data(h, hx, hy, 0)));
      } catch (err) {
        throw placeBadValue(placePacked(targetHint(err, info, splitting ? y : trainY, classes), splitting ? x : trainX), splitting ? x : trainX, splitting ? y : trainY, model.packedParts);
      }
      // The whole y (validationSplit's rows too): the same tensor in each fit call, scanned once.
      if (!tape) warnZeroTargetRows('fit', info, y);
      if (valX && valY && !tape && !splitting) {
        const [hvx, hvy, vy] = [valX.handleFor('fit', 'validation x'), valY.handleFor('fit', 'validation y'), valY];
        try {
          call((e) => check(e.nr_model_check_data(h, hvx, hvy, 3)));
        } catch (err) {
          throw placeBadValue(placePacked(targetHint(err, info, vy, classes), valX), valX, vy, model.packedParts);
        }
      }
      // A weight per training sample (and output): [n] for one output, [n, outputs] for several.
      let hw = 0;
      let weights: Tensor | null = null;
      if (classWeights || perSample) {
        const cut = trainX.shape[0];
        const cws = classWeights ?? (outputNames ?? [null]).map(() => null);
        const ys = ((Array.isArray(givenY) ? givenY : [givenY]) as Tensor[]).map((yq, q) => (!cws[q] || yq.shape[0] === cut ? yq : own(slice(yq, [0], [cut]))));
        weights = own(weightTensor('fit', ys, cws, outputNames, cut, 'y', weightRows(perSample, 0, cut), rowCounts(model.weightTargets(cut)))!);
        hw = weights.handleFor('fit', classWeights ? 'classWeight' : 'sampleWeight');
      }
      // With functions compiled, batches are gathered here and stepped by customStep; otherwise
      // the core gathers them. Both take their rows from the core's order of the epoch.
      const n = trainX.shape[0];
      const batches = Math.ceil(n / batchSize);
      let order: number[] = [];
      return {
        batches,
        batchSize,
        samples: n,
        disposed: () => {
          const data: Array<[string, Tensor | null]> = [['x', x], ['y', y], ['validationData[0]', vd ? valX : null], ['validationData[1]', vd ? valY : null]];
          return data.find(([, t]) => t?.isDisposed)?.[0] ?? null;
        },
        beginEpoch: (_epoch, key) => {
          // One order for both steps: a loss or metric function (the step run here) must not
          // change which samples each batch holds.
          const shuffleEpoch = (key + seed * 0x9e3779b1) >>> 0;
          call((e) => check(e.nr_model_shuffle(h, n, shuffleEpoch, shuffle ? 1 : 0)));
          // Read at once: the step run here uses the core's order for its own batch.
          if (info.custom) {
            order = withWords('fit', Math.max(n, 1), (ptr) => call((e) => {
              check(e.nr_model_order(h, 0, n, ptr));
              return Array.from(words(ptr, n));
            }));
          }
        },
        epoch: async (_epoch, { step }) => {
          // As TF.js and Keras 3, the stop is checked after each batch: one set in onEpochBegin
          // still trains the epoch's first batch.
          let b = 0;
          for (; b < batches && (b === 0 || !model.stopTraining); b++) {
            const start = b * batchSize;
            const count = Math.min(batchSize, n - start);
            if (info.custom) {
              const rows = order.slice(start, start + count);
              // One index tensor for the batch's gathers (each made its own from the list): the
              // rows are a permutation's, exact in float32 below 2^24 + 1 samples.
              const idx = n <= EXACT_INT + 1 ? fromFlat('fit', rows, [count]) : null;
              let batch: Array<Tensor | null>;
              try {
                batch = [trainX, trainY, weights].map((t) => (t === null ? null : gather(t, idx ?? rows)));
              } finally {
                idx?.dispose();
              }
              try {
                await step(count, (out, states) => customStep('fit', model, info, batch[0]!, batch[1]!, batch[2], out, states));
              } finally {
                for (const t of batch) t?.dispose();
              }
              continue;
            }
            await step(count, (out) => call((e) => {
              check(e.nr_model_train_batch(h, hx, hy, hw, start, count, argPtr()));
              out.set(new Float32Array(e.memory.buffer, argPtr(), out.length));
            }));
          }
          return b === batches;
        },
        validates: valX !== null && valY !== null,
        validate: () => {
          try {
            return valX && valY ? model.evaluateValues(valX, valY, batchSize, 'fit', valY, valW) : null;
          } catch (err) {
            throw inValidation('fit', err, splitting ? 'validationSplit' : 'validationData');
          }
        },
      };
    });
  } finally {
    for (const t of owned) t.dispose();
  }
}
