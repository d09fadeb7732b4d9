/**
 * The loops of `model.fitDataset` and `model.evaluateDataset`, in the dataset chunk loaded on
 * their first call (see `../data/lazy.ts`); their options are checked before, in the main
 * bundle (`fit-dataset.ts`). Training runs on `fit`'s loop (`runEpochs` in `fit-loop.ts`, its own chunk: the
 * callbacks, logs, progress bar, validation, history and liveness checks are `fit`'s), with a
 * runner that pulls one element per step and trains on it with the `trainOnBatch` step (one
 * call into WebAssembly). Each element's tensors are disposed after its step, as TF.js does,
 * and a pass that ends early is closed (its buffers freed).
 */
import { argPtr, call, check } from '../engine.js';
import { DisposedError, inOp, InvalidArgumentError, NeuriteError, placeBadValue, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { need } from '../ops/convert.js';
import { describeElement, isPlainObject } from '../data/describe.js';
import { disposeAll, tensorsIn } from '../data/tree.js';
import { close } from '../data/stages.js';
import { consume, pull } from '../data/consume.js';
import type { IteratorLike } from '../data/iterator.js';
import { EMPTY_PASSES, passOf, repeats } from '../data/dataset.js';
import { at, checkSamples, placeIn, inValidation, readSampleWeights, rowCounts, trainChunk, weightTensor, type History } from './fit.js';
import type { EpochRunner } from './fit-loop.js';
import { didYouMean } from '../options.js';
import type { Sequential } from './sequential.js';
import { targetHint } from './compile.js';
import { byName, placePacked } from './packing.js';
import { accumulatedColumns, customStep, newStates } from './custom-loss.js';
import type { DatasetLike, FitDatasetPlan } from './fit-dataset.js';

/**
 * `xs` (or `ys`) of an element as `fit` takes it: a tensor or a list; an object by input
 * (output) name becomes the list in the model's order (`inputNames`, `outputNames`).
 */
function listOf(op: string, model: Sequential, v: unknown, arg: 'xs' | 'ys'): unknown {
  return arg === 'xs' ? byName(op, arg, v, model.inputNames, 'input') : byName(op, arg, v, model.outputNames, 'output');
}

/** A batch ready for the core: the joined `x`/`y`, the targets per output, its samples, and what to dispose after it. */
interface ReadyBatch {
  x: Tensor;
  y: Tensor;
  ys: Tensor[];
  n: number;
  /** The element's sample weights, as the core takes them (disposed by `free`), or null. */
  w: Tensor | null;
  /** Every tensor of the element and the joined ones: disposed after the step. */
  free(): void;
}

/**
 * Reads one element of the dataset as a batch (`where` names it in messages). On an error the
 * element's tensors are disposed.
 */
function readBatch(op: string, model: Sequential, value: unknown, where: string): ReadyBatch {
  const element = tensorsIn(value);
  const owned: Tensor[] = [];
  const free = (): void => {
    for (const t of element) t.dispose();
    for (const t of owned) t.dispose();
  };
  try {
    let xs: unknown, ys: unknown, sw: unknown;
    if (Array.isArray(value) && (value.length === 2 || value.length === 3)) [xs, ys, sw] = value;
    else if (model.inputsAreTargets && value instanceof Tensor) xs = ys = value; // an autoencoder's batch of inputs
    else if (isPlainObject(value) && 'xs' in value && ('ys' in value || model.inputsAreTargets)) {
      ({ xs, ys, sampleWeight: sw } = value);
      if (!('ys' in value)) ys = xs; // an autoencoder's { xs }: its inputs are its targets
      // Misspelt keys would be dropped in silence.
      const keys = ['xs', 'ys', 'sampleWeight'];
      const extra = Object.keys(value).find((k) => !keys.includes(k));
      if (extra !== undefined) {
        throw new InvalidArgumentError(`${op}: a dataset element has the key '${extra}' beside xs and ys, which ${op} does not read (elements are { xs, ys, sampleWeight? } or [xs, ys, sampleWeight?])${didYouMean(extra, keys)}`);
      }
    }
    else {
      // A lone tensor is often a [features, label] pair of numbers that batch() stacked (as TF.js).
      const stacked = value instanceof Tensor
        ? '; batch() makes one tensor of an element that is an array of numbers or of equal-length arrays of numbers (a [features, label] pair such as [[1, 2], [3, 4]] or [0.5, 1] is stacked into one tensor, as in TF.js); give them as { xs, ys } objects instead, e.g. data.array(pairs.map(([xs, ys]) => ({ xs, ys }))).batch(batchSize)'
        : '';
      throw new InvalidArgumentError(`${op}: each element of the dataset must be { xs, ys } or [xs, ys] (a batch of inputs and one of targets, and optionally sampleWeight: { xs, ys, sampleWeight } or [xs, ys, sampleWeight]), got ${describeElement(value)}${stacked}; make such elements with data.zip({ xs: data.array(xs), ys: data.array(ys) }).batch(batchSize)`);
    }
    for (const t of element) {
      if (t.isDisposed) throw new DisposedError(`${op}: the element holds a disposed Tensor; ${op} disposes each batch after using it, so the dataset must give new tensors each time (data.array clones its items; a generator should create its tensors)`);
    }
    for (const [arg, v] of [['xs', xs], ['ys', ys]] as const) {
      if (Array.isArray(v) && v.length > 0 && tensorsIn(v).size === 0 && v.every((e) => typeof e === 'number' || typeof e === 'boolean' || Array.isArray(e))) {
        throw new InvalidArgumentError(`${op}: ${arg} is an array of numbers, not a Tensor; the elements must be batches of tensors: add .batch(batchSize) to the dataset (it makes tensors of numbers and arrays)`);
      }
    }
    const xList = listOf(op, model, xs, 'xs');
    const yList = listOf(op, model, ys, 'ys');
    const [x, y] = model.coreData(op, xList, yList, owned, ['xs', 'ys']);
    need(op, 'xs', x);
    need(op, 'ys', y);
    const shape = model.isPacked ? undefined : model.inputDims;
    if (shape && x.rank === shape.length && x.shape.every((d, i) => d === shape[i])) {
      throw new ShapeError(`${op}: xs has shape [${x.shape}], the shape of one sample of the model's input; the elements must be batches: add .batch(batchSize) to the dataset`);
    }
    checkSamples(op, x, y, 'xs', 'ys');
    const n = x.rank === 0 ? 0 : x.shape[0];
    if (n === 0) throw new InvalidArgumentError(`${op}: the element is a batch of 0 samples (xs of shape [${x.shape}])`);
    const ysList = (Array.isArray(yList) ? yList : [yList]) as Tensor[];
    const w = model.sampleWeightTensor(op, sw, x, owned);
    return { x, y, ys: ysList, n, w, free };
  } catch (err) {
    free();
    throw at(err, where);
  }
}

/** The sample weights an element carries (`[xs, ys, w]` or `{ xs, ys, sampleWeight }`), or undefined. */
function sw(value: unknown): unknown {
  return Array.isArray(value) ? value[2] : isPlainObject(value) ? value.sampleWeight : undefined;
}

/**
 * A core error raised under another name renamed to `op`: `coreOps` are the names the core call
 * may use (`nr_model_train_on_batch` says `trainOnBatch` of its checks but `fit` of the update
 * they share, such as a gradient that is not finite), so the message names `op` once.
 */
function renamed(op: string, err: unknown, ...coreOps: string[]): unknown {
  const m = err instanceof NeuriteError ? err.message : '';
  const coreOp = coreOps.find((c) => m.startsWith(`${c}: `) || m.startsWith(`${c} (`)) ?? coreOps[0];
  if (err instanceof NeuriteError && m.startsWith(`${coreOp} (`)) err.message = `${op} (${m.slice(coreOp.length + 2)}`;
  return inOp(op, err, coreOp);
}

/** Checks a batch's values and targets in the core (`code` as `nr_model_check_data`'s: 0 training, 1 evaluation). */
function checkData(op: string, model: Sequential, b: ReadyBatch, code: 0 | 1): void {
  // A loss function takes the targets as they are (its own checks are the function's).
  if (model.compiledInfo(op).custom?.tape) return;
  const h = model.handle(op);
  const [hx, hy] = [b.x.handleFor(op, 'xs'), b.y.handleFor(op, 'ys')];
  try {
    call((e) => check(e.nr_model_check_data(h, hx, hy, code)));
  } catch (err) {
    const info = model.compiledInfo(op);
    // The batch's sample and feature, as fit says them (placed before the renaming to xs).
    const e = renamed(op, placeBadValue(placePacked(targetHint(err, info, b.ys.length === 1 ? b.ys[0] : b.y, model.outputDims?.at(-1)), b.x), b.x, b.y, model.packedParts), code === 0 ? 'fit' : 'evaluate');
    // The core names the data x and y; here they are the element's xs and ys.
    if (e instanceof NeuriteError) e.message = e.message.replace(`${op}: x contains `, `${op}: xs contains `).replace(/ on y: targets /, ' on ys: targets ');
    throw e;
  }
}

/**
 * What to say when a dataset gives fewer batches than `option` asks (`got` of `batches`): as
 * TF.js, the evaluation uses those it got; the advice does not suggest `repeat()` to a dataset
 * that has one.
 */
function shortWarning(op: string, what: string, option: string, got: number, batches: number, ds: unknown, known = false): string {
  const fix = repeats(ds) ? 'repeat it more times' : 'repeat() it';
  return `${op}: ${what} ${known ? `has ${got} batch${got === 1 ? '' : 'es'} (its size)` : `ran out after ${got} batch${got === 1 ? '' : 'es'}`}, but ${option} is ${batches}: ${option === 'batches' ? 'the evaluation used' : 'each validation uses'} the ${got} it ${known ? 'has' : 'gave'} (as TF.js); give ${option} <= ${got}, or ${fix}`;
}

/**
 * The mean of the core's evaluation results over the batches of `it` (up to `batches`), each
 * batch weighted by its samples (as TF.js's evaluateDataset), read with the dataset loop
 * (`consume`: it yields to the event loop now and then, and closes `it` on every way out when
 * `own`). `check` runs after each await. Fewer batches than `batches` are used as they are,
 * as TF.js: `short(got)` is called to warn.
 */
async function meanOver(op: string, model: Sequential, it: IteratorLike<unknown>, batches: number | null, own: boolean, short: (got: number) => void, check?: () => void): Promise<number[]> {
  let sums: Float64Array | null = null;
  let dens: Float64Array | null = null;
  let total = 0;
  // A weighted metric (a third entry) weighs each batch by its output's Σw, not its samples.
  const byWeight = new Map(model.logColumns().filter((c) => c[2] !== undefined).map(([, at, w]) => [at, w as number]));
  // The accumulated metrics add every batch to one state each: their last value is the pass's.
  const info = model.compiledInfo(op);
  const accumulated = accumulatedColumns(info);
  const states = info.custom ? newStates(info.custom) : undefined;
  let seen = 0;
  let last: number[] | null = null;
  await consume(op, it, (value, b) => {
    const batch = readBatch(op, model, value, `batch ${b + 1}`);
    try {
      checkData(op, model, batch, 1);
      const v = model.evaluateValues(batch.x, batch.y, batch.n, op, batch.y, batch.w, states);
      sums ??= new Float64Array(v.length);
      dens ??= new Float64Array(v.length);
      v.forEach((x, j) => {
        const w = byWeight.has(j) ? v[byWeight.get(j)!] : batch.n;
        sums![j] += x * w;
        dens![j] += w;
      });
      total += batch.n;
      last = v;
      seen = b + 1;
    } catch (err) {
      throw at(err, `batch ${b + 1}`);
    } finally {
      batch.free();
    }
  }, { limit: batches, own, check }).catch((err: unknown) => {
    throw at(err, `batch ${seen + 1}`); // a stage failed making the batch (batch, map, a generator)
  });
  if (batches !== null && seen < batches && seen > 0) short(seen);
  if (sums === null) throw new InvalidArgumentError(`${op}: the dataset gave no elements to evaluate`);
  const d = dens as unknown as Float64Array;
  return Array.from(sums as Float64Array, (s, j) => (accumulated.has(j) ? last![j] : byWeight.has(j) ? (d[j] > 0 ? s / d[j] : 0) : s / total));
}

/**
 * The loop behind `model.evaluateDataset` (its options checked): the mean of the loss and
 * metrics over the batches of `dataset` (up to `batches`), in the core's order. An iterator
 * (`isIterator`, TF.js's `LazyIterator`) is read from where it stands and left open; a pass this
 * function starts is closed at the end.
 */
export async function evaluateOnDataset(model: Sequential, dataset: unknown, isIterator: boolean, batches: number | null): Promise<number[]> {
  const op = 'evaluateDataset';
  const it = isIterator ? (dataset as IteratorLike<unknown>) : await passOf(dataset as DatasetLike, op);
  return meanOver(op, model, it, batches, !isIterator, (got) => console.warn(shortWarning(op, 'the dataset', 'batches', got, batches!, dataset)));
}

/**
 * The loop behind `model.fitDataset`, with its options checked and its validation tensors
 * joined (`plan`, which the caller frees). The model is compiled, not training, its trainable
 * flags synced.
 */
export async function fitOnDataset(model: Sequential, plan: FitDatasetPlan): Promise<History> {
  const op = 'fitDataset';
  const { dataset, loop, batchesPerEpoch: bpe, size, valDataset, valBatches, valX, valY, valW, valBatchSize, outputNames, classWeights } = plan;
  const { runEpochs } = await trainChunk(op);
  const h = model.handle(op);
  return runEpochs(model, op, loop, (): EpochRunner => {
    if (valX && valY) {
      const [hvx, hvy, given] = [valX.handleFor(op, 'validationData[0]'), valY.handleFor(op, 'validationData[1]'), valY];
      try {
        call((e) => check(e.nr_model_check_data(h, hvx, hvy, 3)));
      } catch (err) {
        throw renamed(op, placeBadValue(placePacked(targetHint(err, model.compiledInfo(op), given, model.outputDims?.at(-1)), valX), valX, valY, model.packedParts), 'fit');
      }
    }
    /** The pass training reads: a new one each epoch, or one for the run with batchesPerEpoch. */
    let pass: IteratorLike<unknown> | null = null;
    let passDone = false;
    /** Why training stopped early: the data ran out before batchesPerEpoch (see `epoch`). */
    let ranOut: string | null = null;
    /** The training loop's liveness check (model, data and instance still there), for validation's awaits. */
    let live: (() => void) | undefined;
    // A validation dataset of known size short of validationBatches is said once, before training.
    const valSize = valDataset !== null && typeof valDataset.size === 'number' ? valDataset.size : null;
    let warned = valBatches !== null && valSize !== null && valSize < valBatches && valSize > 0;
    if (warned) console.warn(shortWarning(op, 'validationData', 'validationBatches', valSize!, valBatches!, valDataset, true));
    /** The data-ran-out warning, said once training has ended (see `close`). */
    let ranOutWarning: string | null = null;
    const endPass = async (): Promise<void> => {
      const p = pass;
      pass = null;
      if (p && !passDone) await close(p);
    };
    return {
      stopReason: () => ranOut,
      batches: bpe ?? (size !== null && size !== Infinity ? size : 0),
      batchSize: 0,
      samples: 0,
      disposed: () => (valX?.isDisposed ? 'validationData[0]' : valY?.isDisposed ? 'validationData[1]' : null),
      epoch: async (epoch, { step, check: stillLive, where }) => {
        live = stillLive;
        if (bpe === null || pass === null) {
          await endPass();
          pass = await passOf(dataset, op);
          passDone = false;
          stillLive();
        }
        // The stop checked after each batch, as fit's (one set in onEpochBegin trains a batch).
        let b = 0;
        for (; (bpe === null || b < bpe) && (b === 0 || !model.stopTraining); b++) {
          where(placeIn(epoch, loop.epochs, b));
          let r;
          try {
            r = await pull(op, pass);
          } catch (err) {
            // A shutdown or a disposal during the pull broke the stage that failed (its tensors
            // could not be made): that is the error, as fit's, not the stage's symptom.
            stillLive();
            throw at(err, placeIn(epoch, loop.epochs, b)); // a stage failed making the batch (batch, map, a generator)
          }
          try {
            stillLive();
          } catch (err) {
            // The element just pulled is this loop's: freed, not left to the finalizer.
            if (!r.done) disposeAll(r.value);
            throw err;
          }
          if (r.done) {
            passDone = true;
            if (bpe !== null) {
              // As TF.js and Keras: training stops where the data ran out, with a warning, and
              // fitDataset returns the History of what ran (the short epoch, if it had a batch).
              const total = bpe * (loop.epochs - loop.initialEpoch);
              ranOut = `the dataset ran out after ${b} batch${b === 1 ? '' : 'es'} of ${placeIn(epoch, loop.epochs)}, but batchesPerEpoch is ${bpe}`;
              // A dataset that repeats already ran out of passes (repeat(count)) or they became empty.
              const fix = repeats(dataset) ? `it repeats, but its passes ran out: repeat it more times (repeat(count) with a larger count, or repeat() for ever; an endless repeat ends only after ${EMPTY_PASSES} empty passes in a row)` : 'add repeat()';
              // Said at the end: now it would land inside the progress bar's line, drawn in place.
              ranOutWarning = `${op}: ${ranOut}: training stopped there. With batchesPerEpoch one pass runs through every epoch (as TF.js), so the dataset must give at least ${total} batches (${bpe} × ${loop.epochs - loop.initialEpoch} epochs): ${fix}`;
              model.stopTraining = true;
              return false;
            }
            if (b === 0) throw new InvalidArgumentError(`${op}: the dataset gave no elements in ${placeIn(epoch, loop.epochs)}${size === 0 ? ' (its size is 0)' : ''}; an epoch needs at least one batch (batch(n, false) drops a dataset of fewer than n elements)`);
            return true; // the pass ended: the epoch is whole
          }
          const batch = readBatch(op, model, r.value, placeIn(epoch, loop.epochs, b));
          try {
            checkData(op, model, batch, 0);
            const [hx, hy] = [batch.x.handleFor(op, 'xs'), batch.y.handleFor(op, 'ys')];
            let weights: Tensor | null = batch.w;
            if (classWeights) {
              const t = model.weightTargets(batch.n);
              const ws = readSampleWeights(op, sw(r.value), t);
              const w = (weights = weightTensor(op, batch.ys, classWeights, outputNames, batch.n, 'ys', ws, rowCounts(t))!);
              const free = batch.free;
              batch.free = () => (free(), w.dispose());
            }
            const hw = weights ? weights.handleFor(op, classWeights ? 'classWeight' : 'sampleWeight') : 0;
            const info = model.compiledInfo(op);
            if (info.custom) {
              await step(batch.n, (out, states) => {
                try {
                  customStep(op, model, info, batch.x, batch.y, weights, out, states);
                } catch (err) {
                  throw renamed(op, err, 'fit');
                }
              });
              continue;
            }
            await step(batch.n, (out) => {
              try {
                call((e) => {
                  if (hw !== 0) {
                    // The weighted step of fit, on this batch's rows in order.
                    check(e.nr_model_shuffle(h, batch.n, 0, 0));
                    check(e.nr_model_train_batch(h, hx, hy, hw, 0, batch.n, argPtr()));
                  } else {
                    check(e.nr_model_train_on_batch(h, hx, hy, 0, argPtr()));
                  }
                  out.set(new Float32Array(e.memory.buffer, argPtr(), out.length));
                });
              } catch (err) {
                throw hw !== 0 ? renamed(op, err, 'fit') : renamed(op, err, 'trainOnBatch', 'fit');
              }
            });
          } catch (err) {
            throw err instanceof NeuriteError && !(err instanceof DisposedError && err.message.includes('during training')) ? at(err, placeIn(epoch, loop.epochs, b)) : err;
          } finally {
            batch.free();
          }
        }
        // The epoch ended before the pass did (a stop, or without batchesPerEpoch never): free it.
        if (bpe === null) await endPass();
        return bpe !== null && b === bpe;
      },
      validates: (valX !== null && valY !== null) || valDataset !== null,
      validate: async () => {
        try {
          if (valX && valY) return model.evaluateValues(valX, valY, valBatchSize, op, valY, valW);
          if (valDataset === null) return null;
          const short = (got: number): void => {
            if (!warned) console.warn(shortWarning(op, 'validationData', 'validationBatches', got, valBatches!, valDataset));
            warned = true;
          };
          return await meanOver(op, model, await passOf(valDataset, op), valBatches, true, short, live);
        } catch (err) {
          throw inValidation(op, err, 'validationData');
        }
      },
      close: async () => {
        try {
          await endPass();
        } finally {
          if (ranOutWarning !== null) console.warn(ranOutWarning);
          ranOutWarning = null;
        }
      },
    };
  });
}
