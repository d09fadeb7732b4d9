/**
 * The `fit` loop. Each batch is ONE call into WebAssembly (`nr_model_train_batch`), which
 * gathers the batch rows from the training tensors using the epoch's seeded order, runs
 * forward, loss, backward and the optimizer update. Between batches the loop reports to the
 * callbacks and, at most every `yieldEveryMs`, yields to the event loop.
 */
import { argPtr, call, check } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { need } from '../ops/convert.js';
import { slice } from '../ops/slicing.js';
import { Callback, type CallbackHooks, type Logs } from './callbacks.js';
import { progressBar } from './progress.js';
import { batchSizeOf, type Sequential } from './sequential.js';

export interface FitArgs {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Samples per step. Default 32. */
  batchSize?: number;
  /** Shuffle the samples each epoch (seeded by the model seed and `seed`). Default `true`. */
  shuffle?: boolean;
  /** Extra seed for shuffling; the same seed gives bit-identical training. Default 0. */
  seed?: number;
  /** Fraction of the samples (taken from the end, before shuffling) held out for validation. */
  validationSplit?: number;
  /** Explicit validation data `[x, y]` (overrides `validationSplit`). */
  validationData?: [Tensor, Tensor];
  /** Callbacks: objects with any of the hooks, or `Callback` instances. */
  callbacks?: CallbackHooks | CallbackHooks[];
  /** 0 silent, 1 progress bar (Node). Default 1 on a terminal, else 0. */
  verbose?: 0 | 1;
  /** Yield to the event loop at least this often (ms). Default 16; 0 yields after every batch. */
  yieldEveryMs?: number;
  /** Epoch to start counting from (for resumed training). Default 0. */
  initialEpoch?: number;
}

/** What `fit` returns: the logs of every epoch, by name. */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

const yieldNow = (): Promise<void> =>
  new Promise((resolve) => {
    const g = globalThis as { setImmediate?: (f: () => void) => void };
    if (g.setImmediate) g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

function intOption(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new InvalidArgumentError(`fit: ${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export async function fitLoop(model: Sequential, x: Tensor, y: Tensor, args: FitArgs): Promise<History> {
  const info = model.compiledInfo('fit');
  const epochs = intOption('epochs', args.epochs ?? 1, 0);
  const initialEpoch = intOption('initialEpoch', args.initialEpoch ?? 0, 0);
  const batchSize = batchSizeOf('fit', args.batchSize ?? 32);
  const seed = intOption('seed', args.seed ?? 0, 0);
  const yieldEvery = args.yieldEveryMs ?? 16;
  if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0)) throw new InvalidArgumentError(`fit: yieldEveryMs must be a number >= 0, got ${JSON.stringify(yieldEvery)}`);
  need('fit', 'x', x);
  need('fit', 'y', y);
  const h = model.handle('fit');

  // Validation data: explicit, or the last fraction of the samples (as Keras).
  let trainX = x, trainY = y;
  let valX: Tensor | null = null, valY: Tensor | null = null;
  const owned: Tensor[] = [];
  if (args.validationData) {
    if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new InvalidArgumentError('fit: validationData must be [x, y]');
    [valX, valY] = args.validationData;
    need('fit', 'validationData[0]', valX);
    need('fit', 'validationData[1]', valY);
  } else if (args.validationSplit !== undefined) {
    const s = args.validationSplit;
    if (typeof s !== 'number' || !(s > 0 && s < 1)) throw new InvalidArgumentError(`fit: validationSplit must be a number in (0, 1), got ${JSON.stringify(s)}`);
    const n = x.shape[0] ?? 0;
    const nVal = Math.floor(n * s);
    if (nVal < 1 || nVal >= n) throw new InvalidArgumentError(`fit: validationSplit ${s} of ${n} samples leaves ${nVal} for validation and ${n - nVal} for training; both need at least 1`);
    const cut = n - nVal;
    trainX = slice(x, [0], [cut]);
    trainY = slice(y, [0], [cut]);
    valX = slice(x, [cut], [nVal]);
    valY = slice(y, [cut], [nVal]);
    owned.push(trainX, trainY, valX, valY);
  }
  const hx = trainX.handleFor('fit', 'x');
  const hy = trainY.handleFor('fit', 'y');
  try {
    call((e) => check(e.nr_model_check_data(h, hx, hy, 0)));
    if (valX && valY) {
      const [hvx, hvy] = [valX.handleFor('fit', 'validation x'), valY.handleFor('fit', 'validation y')];
      call((e) => check(e.nr_model_check_data(h, hvx, hvy, 3)));
    }
    const n = trainX.shape[0];
    const batches = Math.ceil(n / batchSize);
    const cbs: CallbackHooks[] = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? [...args.callbacks] : [args.callbacks];
    cbs.forEach((c, i) => {
      if (c === null || typeof c !== 'object') throw new InvalidArgumentError(`fit: callbacks[${i}] must be an object with hooks such as onEpochEnd, got ${c === null ? 'null' : typeof c}`);
    });
    const isTTY = !!(globalThis as { process?: { stdout?: { isTTY?: boolean } } }).process?.stdout?.isTTY;
    if ((args.verbose ?? (isTTY ? 1 : 0)) === 1) {
      const bar = progressBar();
      bar.configure(epochs, batches, batchSize, n);
      cbs.push(bar);
    }
    for (const c of cbs) if (c instanceof Callback) c.setModel(model);
    const names = ['loss', ...info.metricNames];
    const history: History = { epoch: [], history: {} };
    const out = new Float32Array(names.length);
    model.stopTraining = false;
    let lastYield = performance.now();
    for (const c of cbs) await c.onTrainBegin?.({});
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      const shuffle = args.shuffle === false ? 0 : 1;
      const shuffleEpoch = (epoch + seed * 0x9e3779b1) >>> 0;
      call((e) => check(e.nr_model_shuffle(h, n, shuffleEpoch, shuffle)));
      for (const c of cbs) await c.onEpochBegin?.(epoch, {});
      const sums = new Float64Array(names.length);
      let seen = 0;
      for (let b = 0; b < batches && !model.stopTraining; b++) {
        const start = b * batchSize;
        const count = Math.min(batchSize, n - start);
        for (const c of cbs) await c.onBatchBegin?.(b, { batch: b, size: count });
        call((e) => {
          check(e.nr_model_train_batch(h, hx, hy, start, count, argPtr()));
          out.set(new Float32Array(e.memory.buffer, argPtr(), names.length));
        });
        seen += count;
        const logs: Logs = { batch: b, size: count };
        names.forEach((k, i) => {
          sums[i] += out[i] * count;
          logs[k] = sums[i] / seen;
        });
        for (const c of cbs) await c.onBatchEnd?.(b, logs);
        if (performance.now() - lastYield >= yieldEvery) {
          await yieldNow();
          lastYield = performance.now();
        }
      }
      const logs: Logs = {};
      names.forEach((k, i) => (logs[k] = sums[i] / Math.max(seen, 1)));
      if (valX && valY) {
        const v = model.evaluateValues(valX, valY, batchSize);
        names.forEach((k, i) => (logs[`val_${k}`] = v[i]));
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      for (const c of cbs) await c.onEpochEnd?.(epoch, logs);
    }
    for (const c of cbs) await c.onTrainEnd?.({});
    return history;
  } finally {
    for (const t of owned) t.dispose();
  }
}
