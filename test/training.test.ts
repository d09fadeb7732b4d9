// Training behaviour of `Sequential`: convergence (XOR, a reduced MNIST), determinism, memory,
// callbacks, history, validation, yielding to the event loop, nesting, freezing, weights
// round-trips, summary and disposal.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfd from '@tensorflow/tfjs-data';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');

const { layers, optimizers, callbacks } = nr;

/** Weights as plain arrays (and the tensors disposed). */
function weights(m: nr.Sequential): Float32Array[] {
  const ws = m.getWeights();
  const out = ws.map((t) => t.data());
  ws.forEach((t) => t.dispose());
  return out;
}

/** The float32 bit patterns of all weights, for bit-identity checks. */
const bitsOf = (ws: Float32Array[]) => ws.map((w) => Array.from(new Uint32Array(w.buffer.slice(0))));

/** A small seeded classification problem: 2 Gaussian-ish blobs per class, 3 classes, 4 features. */
function blobs(n: number, seed = 1): { x: Float32Array; y: Float32Array; labels: Float32Array } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n * 3);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    y[i * 3 + c] = 1;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === c ? 2 : 0) + (u() - 0.5) * 1.5;
  }
  return { x, y, labels };
}

function mlp(seed: number, extra: nr.Layer[] = []): nr.Sequential {
  return nr.sequential({
    seed,
    layers: [layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), ...extra, layers.dense({ units: 3, activation: 'softmax' })],
  });
}

describe('convergence', () => {
  it('XOR: a 2-8-1 MLP reaches 100% accuracy', async () => {
    using x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    using y = nr.tensor([[0], [1], [1], [0]]);
    using model = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), layers.dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
    expect(h.history.acc.at(-1)).toBe(1);
    expect(h.history.loss.at(-1)).toBeLessThan(0.05);
    using p = model.predict(x);
    expect(Array.from(p.data(), Math.round)).toEqual([0, 1, 1, 0]);
  });

  it('reduced MNIST (3000 train samples, 3 epochs, 784-64-10) reaches ≥ 88% test accuracy', async () => {
    const { loadMnist } = (await import('../examples/data/mnist.mjs' as string)) as {
      loadMnist: (o: { trainSize: number; seed: number }) => { train: { x: Float32Array; y: Float32Array; n: number }; test: { x: Float32Array; y: Float32Array; n: number } };
    };
    const { train, test } = loadMnist({ trainSize: 3000, seed: 1 });
    const nTest = 2000;
    using xTrain = nr.tensor(train.x, [train.n, 784]);
    using yTrain = nr.tensor(train.y, [train.n, 10]);
    using xTest = nr.tensor(test.x.subarray(0, nTest * 784), [nTest, 784]);
    using yTest = nr.tensor(test.y.subarray(0, nTest * 10), [nTest, 10]);
    using model = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const t0 = performance.now();
    const h = await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 32, verbose: 0 });
    const secs = (performance.now() - t0) / 1000;
    const [loss, acc] = model.evaluate(xTest, yTest, { batchSize: 256 }) as nr.Tensor[];
    const testAcc = acc.item();
    console.log(`reduced MNIST: train acc ${h.history.acc.map((a) => a.toFixed(3)).join(' → ')}, test acc ${testAcc.toFixed(4)}, test loss ${loss.item().toFixed(4)}, fit ${secs.toFixed(2)} s (${Math.round((3 * train.n) / secs)} samples/s)`);
    expect(testAcc).toBeGreaterThanOrEqual(0.88);
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    loss.dispose();
    acc.dispose();
  }, 120_000);
});

describe('determinism', () => {
  const data = blobs(60);

  async function train(seed: number, fitSeed = 0): Promise<Float32Array[]> {
    using x = nr.tensor(data.x, [60, 4]);
    using y = nr.tensor(data.y, [60, 3]);
    using m = mlp(seed, [layers.dropout({ rate: 0.3 }), layers.gaussianNoise({ stddev: 0.1 }), layers.dense({ units: 8, activation: 'tanh' })]);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 5, batchSize: 7, seed: fitSeed, verbose: 0 });
    return weights(m);
  }

  it('the same seed gives bit-identical weights after fit (dropout, noise and shuffling included)', async () => {
    const a = await train(42);
    const b = await train(42);
    expect(bitsOf(a)).toEqual(bitsOf(b));
  });

  it('a different model seed, or a different fit seed, gives different weights', async () => {
    const a = await train(42);
    const b = await train(43);
    const c = await train(42, 1);
    expect(bitsOf(a)).not.toEqual(bitsOf(b));
    expect(bitsOf(a)).not.toEqual(bitsOf(c));
  });
});

describe('memory', () => {
  it('fit/predict/evaluate over many epochs leave the tensor count and bytes flat, and wasm memory stops growing', async () => {
    const data = blobs(90);
    const x = nr.tensor(data.x, [90, 4]);
    const y = nr.tensor(data.y, [90, 3]);
    const m = mlp(5, [layers.batchNormalization(), layers.dropout({ rate: 0.2 })]);
    m.compile({ optimizer: optimizers.rmsprop({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const round = async () => {
      await m.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.2, verbose: 0 });
      m.predict(x).dispose();
      (m.evaluate(x, y) as nr.Tensor[]).forEach((t) => t.dispose());
      m.trainOnBatch(x, y);
    };
    await round(); // warm-up: optimizer state, allocator pools
    const before = nr.memory();
    for (let i = 0; i < 15; i++) await round();
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numHandles).toBe(before.numHandles);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    const live = nr.memory();
    m.dispose();
    x.dispose();
    y.dispose();
    expect(nr.memory().numHandles).toBe(live.numHandles - 3);
    expect(nr.memory().numTensors).toBe(live.numTensors - 2);
  });

  it('model.dispose frees the model; `using` disposes it at scope exit', () => {
    const before = nr.memory();
    {
      using m = mlp(1);
      m.build();
      expect(nr.memory().numHandles).toBe(before.numHandles + 1);
      expect(m.isDisposed).toBe(false);
    }
    expect(nr.memory()).toMatchObject({ numHandles: before.numHandles, numTensors: before.numTensors, numBytes: before.numBytes });
    const m = mlp(1);
    m.build();
    m.dispose();
    m.dispose(); // idempotent
    expect(m.isDisposed).toBe(true);
    expect(nr.memory().numHandles).toBe(before.numHandles);
  });
});

describe('callbacks and history', () => {
  const data = blobs(30);

  it('calls the hooks in order, with the right counts and logs', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const calls: string[] = [];
    const batchLogs: nr.Logs[] = [];
    const epochLogs: nr.Logs[] = [];
    await m.fit(x, y, {
      epochs: 2,
      batchSize: 8, // 4 batches: 8, 8, 8, 6
      validationData: [x, y],
      verbose: 0,
      callbacks: {
        onTrainBegin: () => void calls.push('trainBegin'),
        onEpochBegin: (e) => void calls.push(`epochBegin ${e}`),
        onBatchBegin: (b) => void calls.push(`batchBegin ${b}`),
        onBatchEnd: (b, logs) => void (calls.push(`batchEnd ${b}`), batchLogs.push({ ...logs })),
        onEpochEnd: async (e, logs) => {
          await new Promise((r) => setTimeout(r, 1)); // async hooks are awaited
          calls.push(`epochEnd ${e}`);
          epochLogs.push({ ...logs });
        },
        onTrainEnd: () => void calls.push('trainEnd'),
      },
    });
    const epoch = (e: number) => [`epochBegin ${e}`, ...[0, 1, 2, 3].flatMap((b) => [`batchBegin ${b}`, `batchEnd ${b}`]), `epochEnd ${e}`];
    expect(calls).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    expect(batchLogs.map((l) => l.size)).toEqual([8, 8, 8, 6, 8, 8, 8, 6]);
    expect(Object.keys(batchLogs[0]).sort()).toEqual(['acc', 'batch', 'loss', 'size']);
    expect(Object.keys(epochLogs[0]).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    // Each batch reports its own loss (as TF.js); the epoch loss is their sample-weighted mean.
    const weighted = batchLogs.slice(0, 4).reduce((a, l) => a + l.loss * l.size, 0) / 30;
    expect(epochLogs[0].loss).toBeCloseTo(weighted, 6);
  });

  it("model.stopTraining runs the hooks in TF.js 4.22's order wherever a callback sets it, in fit and fitDataset (set in onEpochBegin, that epoch trains a batch and gets its onEpochEnd; set in onTrainBegin, it is cleared and every epoch runs)", async () => {
    // Was: set in onEpochBegin, training ended with no onEpochEnd for that epoch (a callback
    // timing epochs saw a begin without an end); set in onTrainBegin, no epoch ran.
    const xs = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const ys = xs.map(([a, b]) => [a * b]);
    const hooks = ['onTrainBegin', 'onEpochBegin', 'onBatchBegin', 'onBatchEnd', 'onEpochEnd'] as const;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const run = async (L: any, where: (typeof hooks)[number], dataset: boolean) => {
      const m = L.sequential({ layers: [L.layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const calls: string[] = [];
      // Stops at the hook's second call in the run (index 1), or in onTrainBegin.
      // An onEpochEnd whose logs have val_loss (the epoch was validated) is marked 'v'.
      const hook = (name: string, tag: string) => (arg?: unknown, logs?: { val_loss?: number }) => {
        const i = typeof arg === 'number' ? arg : null; // onTrainBegin's argument is its logs
        calls.push((i === null ? tag : `${tag}${i}`) + (name === 'onEpochEnd' && logs?.val_loss !== undefined ? 'v' : ''));
        if (name === where && (i === null || i === 1) && !calls.includes('stop')) (calls.push('stop'), (m.stopTraining = true));
      };
      const cb = { onTrainBegin: hook('onTrainBegin', 'tb'), onEpochBegin: hook('onEpochBegin', 'eb'), onBatchBegin: hook('onBatchBegin', 'bb'), onBatchEnd: hook('onBatchEnd', 'be'), onEpochEnd: hook('onEpochEnd', 'ee'), onTrainEnd: () => void calls.push('te') };
      const opts = { epochs: 3, verbose: 0, callbacks: cb };
      const tfjs = L === tfl;
      let h;
      // With validation data: only an epoch that ran all its batches is validated (TF.js 4.22).
      const [vx, vy] = tfjs ? [tf.tensor2d(xs.slice(0, 5)), tf.tensor2d(ys.slice(0, 5))] : [nr.tensor(xs.slice(0, 5)), nr.tensor(ys.slice(0, 5))];
      if (dataset) {
        const rows = xs.map((v, i) => ({ xs: v, ys: ys[i] }));
        const d = tfjs ? tfd.array(rows).batch(8) : nr.data.array(rows).batch(8);
        h = await m.fitDataset(d, { ...opts, validationData: [vx, vy] });
      } else {
        const [x, y] = tfjs ? [tf.tensor2d(xs), tf.tensor2d(ys)] : [nr.tensor(xs), nr.tensor(ys)];
        h = await m.fit(x, y, { ...opts, batchSize: 8, validationData: [vx, vy] });
        x.dispose();
        y.dispose();
      }
      vx.dispose();
      vy.dispose();
      m.dispose();
      return { calls: calls.join(' '), epochs: h.epoch, losses: h.history.loss.length, validated: h.history.val_loss?.length ?? 0 };
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const dataset of [false, true]) {
        for (const where of hooks) {
          const want = await run(tfl, where, dataset);
          const got = await run(nr, where, dataset);
          expect(got, `${dataset ? 'fitDataset' : 'fit'}, stopTraining set in ${where}`).toEqual(want);
        }
      }
      expect(warn.mock.calls.map((c) => String(c[0])).filter((w) => !w.includes('TensorFlow.js'))).toEqual(['fit', 'fitDataset'].map((op) => `${op}: a callback set stopTraining in onTrainBegin, before the first epoch; as TF.js, ${op} clears it as training starts and runs the epochs (set it in onEpochBegin to stop after that epoch's first batch, or in onBatchEnd or onEpochEnd)`));
    } finally {
      warn.mockRestore();
    }
    // The cases the comparison covers, spelt out for fit (3 epochs of 3 batches).
    const got = await run(nr, 'onEpochBegin', false);
    // Epoch 1 ran one of its three batches: not validated (Keras 3 would validate it).
    expect(got.calls).toBe('tb eb0 bb0 be0 bb1 be1 bb2 be2 ee0v eb1 stop bb0 be0 ee1 te');
    expect(got.epochs).toEqual([0, 1]);
    expect(got.validated).toBe(1);
  });

  it('history has loss, metrics and val_* per epoch; validationSplit holds out the last samples', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy', 'mse'] });
    const h = await m.fit(x, y, { epochs: 4, batchSize: 10, validationSplit: 0.2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'mse', 'val_acc', 'val_loss', 'val_mse']);
    for (const v of Object.values(h.history)) expect(v).toHaveLength(4);
    // val_* after the last epoch = evaluate() on the last 6 samples.
    using xv = nr.slice(x, [24], [6]);
    using yv = nr.slice(y, [24], [6]);
    const ev = m.evaluate(xv, yv) as nr.Tensor[];
    expectClose(ev.map((t) => t.item()), [h.history.val_loss[3], h.history.val_acc[3], h.history.val_mse[3]], 1e-6, 1e-7);
    ev.forEach((t) => t.dispose());
  });

  it('history.history always has loss (typed number[]): empty when no epoch ran (initialEpoch = epochs), first among the logs otherwise', async () => {
    using x = nr.tensor(data.x.slice(0, 24), [6, 4]);
    using y = nr.tensor(data.y.slice(0, 18), [6, 3]);
    using m = mlp(2);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['mae'] });
    const none = await m.fit(x, y, { epochs: 3, initialEpoch: 3, verbose: 0 });
    expect(none).toEqual({ epoch: [], history: { loss: [] }, params: { epochs: 3, initialEpoch: 3, samples: 6, steps: null, batchSize: 32, verbose: 0, doValidation: false, metrics: ['loss', 'mae'] } });
    const h = await m.fit(x, y, { epochs: 2, verbose: 0, validationSplit: 0.5 });
    expect(Object.keys(h.history)).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expect(h.history.loss).toHaveLength(2);
  });

  it("metricsNames is TF.js's (tfjs-layers 4.22) after compile, undefined before: evaluate's and trainOnBatch's order, the history's keys less kl and regularization", async () => {
    const xs = [[0, 1], [1, 0], [1, 1], [0, 0]];
    const ys = [[1], [1], [0], [0]];
    const cases: Array<[string, unknown, unknown]> = [
      ['accuracy', ['accuracy'], ['accuracy']],
      ['names', ['mse', 'mae'], ['mse', 'mae']],
      ['function', [tfl.metrics.binaryAccuracy], [nr.metrics.binaryAccuracy]],
      ['none', undefined, undefined],
    ];
    for (const [what, tm, nm] of cases) {
      const t = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
      using n = nr.sequential({ layers: [layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid', kernelRegularizer: nr.regularizers.l2() })] });
      expect(n.metricsNames, `${what}: before compile`).toBeUndefined();
      t.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: tm as string[] });
      n.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: nm as nr.CompileArgs['metrics'] });
      expect(n.metricsNames, what).toEqual(t.metricsNames);
      t.dispose();
      using x = nr.tensor(xs);
      using y = nr.tensor(ys);
      const h = await n.fit(x, y, { epochs: 1, verbose: 0 });
      expect(Object.keys(h.history), `${what}: the regularizer's term is logged beside them`).toEqual([...n.metricsNames!, 'regularization']);
      const ev = [n.evaluate(x, y)].flat();
      nr.dispose(ev);
      expect(ev.length, `${what}: one evaluate value per name`).toBe(n.metricsNames!.length);
      expect([n.trainOnBatch(x, y)].flat().length).toBe(n.metricsNames!.length);
    }
    // A variational layer's KL is logged, not named (TF.js has no such layer).
    using v = nr.sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), layers.variational({ units: 2 }), layers.dense({ units: 1 })] });
    v.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    expect(v.metricsNames).toEqual(['loss', 'mae']);
    v.dispose();
    expect(v.metricsNames, 'disposed').toBeUndefined();
  });

  it("history keys and params are TF.js's (tfjs-layers 4.22) for a plain fit, validation, a regularizer and fitDataset; kl and regularization are neurite's extra logs", async () => {
    const xs = Array.from({ length: 20 }, (_, i) => [i / 20, (i % 3) / 3]);
    const ys = xs.map(([a, b]) => [a + b > 0.6 ? 1 : 0]);
    const run = async (L: any, x: any, y: any, reg: boolean, o: object) => {
      const m = L.sequential({ layers: [L.layers.dense({ units: 3, inputShape: [2], activation: 'tanh', kernelRegularizer: reg ? L.regularizers.l2() : undefined }), L.layers.dense({ units: 1, activation: 'sigmoid' })] });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const h = await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, ...o });
      m.dispose();
      return { keys: Object.keys(h.history).sort(), params: h.params };
    };
    using x = nr.tensor(xs);
    using y = nr.tensor(ys);
    const [tx, ty] = [tf.tensor(xs), tf.tensor(ys)];
    for (const [what, reg, o] of [['plain', false, {}], ['validation', false, { validationSplit: 0.25 }], ['regularizer', true, { validationData: [x, y] }]] as const) {
      const t = await run(tfl, tx, ty, reg, 'validationData' in o ? { validationData: [tx, ty] } : o);
      const n = await run(nr, x, y, reg, o);
      // TF.js logs the penalty inside loss alone; neurite also logs it (README, Training).
      const extra = reg ? ['regularization', 'val_regularization'] : [];
      expect(n.keys, what).toEqual([...t.keys, ...extra].sort());
      expect(n.params, what).toEqual({ ...t.params, metrics: n.params.metrics });
      expect([...n.params.metrics].sort(), what).toEqual(n.keys);
    }
    tf.dispose([tx, ty]);
    // fitDataset: the dataset's batches (steps), no samples or batch size.
    const tds = tfd.array(xs.map((v, i) => ({ xs: v, ys: ys[i] }))).batch(8);
    const nds = nr.data.array(xs.map((v, i) => ({ xs: v, ys: ys[i] }))).batch(8);
    const ds = async (L: any, d: any) => {
      const m = L.sequential({ layers: [L.layers.dense({ units: 1, inputShape: [2] })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const h = await m.fitDataset(d, { epochs: 1, verbose: 0 });
      m.dispose();
      return h.params;
    };
    // TF.js's fitDataset passes initialEpoch null; neurite's gives the epoch it starts from.
    expect(await ds(nr, nds)).toEqual({ ...(await ds(tfl, tds)), initialEpoch: 0 });
    // A variational layer's KL (TF.js has no such layer) is logged beside the loss, with its val_ twin.
    using v = nr.sequential({ layers: [layers.dense({ units: 3, inputShape: [2] }), layers.variational({ units: 2 }), layers.dense({ units: 1 })] });
    v.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    const h = await v.fit(x, y, { epochs: 1, verbose: 0, validationSplit: 0.2 });
    expect(Object.keys(h.history)).toEqual(['loss', 'mae', 'kl', 'val_loss', 'val_mae', 'val_kl']);
    expect(h.params.metrics).toEqual(Object.keys(h.history));
  });

  it('validationData is evaluated after every epoch; initialEpoch counts from there', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using xv = nr.slice(x, [0], [9]);
    using yv = nr.slice(y, [0], [9]);
    using m = mlp(2);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const h = await m.fit(x, y, { epochs: 5, initialEpoch: 2, validationData: [xv, yv], verbose: 0 });
    expect(h.epoch).toEqual([2, 3, 4]);
    const ev = m.evaluate(xv, yv) as nr.Tensor;
    expect(h.history.val_loss[2]).toBeCloseTo(ev.item(), 6);
    ev.dispose();
  });

  it('earlyStopping stops after `patience` epochs without improvement (as TF.js) and can restore the best weights', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    // A monitor we control: improves for 3 epochs, then gets worse.
    const script = [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 3.9, 4, 4.1];
    const saved: Float32Array[][] = [];
    const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void ((logs!.score = script[e]), saved.push(weights(m))) };
    const es = callbacks.earlyStopping({ monitor: 'score', patience: 2, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [feed, es] });
    // Best at epoch 2; epochs 3 and 4 do not improve → stop after epoch 4.
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.stoppedEpoch).toBe(4);
    expect(weights(m)).toEqual(saved[2]);

    const es0 = callbacks.earlyStopping({ monitor: 'score', patience: 0 });
    const h0 = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [feed, es0] });
    expect(h0.epoch).toEqual([0, 1, 2, 3]);
  });

  it('earlyStopping with baseline, minDelta, patience and mode stops at the epoch TF.js stops (its EarlyStopping driven with the same logs)', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const scripts = [[5, 4, 3, 3.5, 3.6, 3.7, 3.8, 3.9, 4, 4.1], [0.2, 0.25, 0.3, 0.3, 0.31, 0.29, 0.28, 0.4, 0.41, 0.42], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
    const cases: nr.EarlyStoppingArgs[] = [
      { baseline: 3.2, patience: 2 }, { baseline: 2, patience: 3 }, { baseline: 4.5, patience: 0 }, { minDelta: 0.6, patience: 1 },
      { mode: 'max', baseline: 0.3, patience: 2 }, { mode: 'max', minDelta: 0.02, patience: 1 }, { mode: 'max', baseline: 0.5, patience: 4 }, { baseline: 1, patience: 2 }, {},
    ];
    let checked = 0;
    for (const script of scripts) {
      for (const args of cases) {
        // TF.js: its callback alone, fed the script (it only reads logs and sets stopTraining).
        const t = tfl.callbacks.earlyStopping({ monitor: 'score', ...args } as never) as unknown as { model: unknown; onTrainBegin(): Promise<void>; onEpochEnd(e: number, l: object): Promise<void> };
        const model = { stopTraining: false };
        t.model = model; // (setModel insists on a LayersModel; the callback only sets stopTraining)
        await t.onTrainBegin();
        let want = script.length - 1;
        for (let e = 0; e < script.length; e++) {
          await t.onEpochEnd(e, { score: script[e] });
          if (model.stopTraining) { want = e; break; }
        }
        const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void (logs!.score = script[e]) };
        const h = await m.fit(x, y, { epochs: script.length, verbose: 0, callbacks: [feed, callbacks.earlyStopping({ monitor: 'score', ...args })] });
        expect(h.epoch.at(-1), `${JSON.stringify(script)} ${JSON.stringify(args)}`).toBe(want);
        checked += want < script.length - 1 ? 1 : 0;
      }
    }
    expect(checked).toBeGreaterThan(10); // most cases stop early, so the comparison can fail
    expect(() => callbacks.earlyStopping({ baseline: NaN })).toThrow('earlyStopping: baseline must be a finite number, got NaN');
    const stopped = callbacks.earlyStopping({ monitor: 'score', baseline: 2, patience: 1 });
    await m.fit(x, y, { epochs: 5, verbose: 0, callbacks: [{ onEpochEnd: (_e: number, logs?: nr.Logs) => void (logs!.score = 3) }, stopped] });
    expect(stopped.stopReason).toBe('early stopping: score did not improve for 1 epoch (patience 1; baseline 2.0000)');
  });

  it("mode 'auto' maximizes every score neurite logs (TF.js's case-sensitive 'acc' rule minimized binaryAccuracy, so restoreBestWeights put back the worst epoch), and warns for a name it cannot read", async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const rising = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const falling = rising.map((v) => 1 - v);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const run = async (monitor: string, script: number[], mode?: 'min' | 'max') => {
        const saved: Float32Array[][] = [];
        const feed = { onEpochEnd: (e: number, logs?: nr.Logs) => void ((logs![monitor] = script[e]), saved.push(weights(m))) };
        const es = callbacks.earlyStopping({ monitor, patience: 1, restoreBestWeights: true, mode });
        const lr = callbacks.reduceLROnPlateau({ monitor, patience: 1, factor: 0.5, mode });
        m.learningRate = 0.01;
        const h = await m.fit(x, y, { epochs: script.length, verbose: 0, callbacks: [feed, es, lr] });
        return { epochs: h.epoch.length, best: es.best, bestEpoch: es.bestEpoch, restored: weights(m), saved, lr: m.learningRate };
      };
      for (const name of ['binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'precision', 'recall', 'r2Score', 'auc', 'AUC', 'f1', 'f1Score', 'acc', 'accuracy']) {
        const r = await run(name, rising);
        expect([name, r.epochs, r.bestEpoch, r.best], name).toEqual([name, 6, 5, 0.6]);
        expect(r.restored).toEqual(r.saved[5]);
        expect(r.lr, name).toBeCloseTo(0.01, 9); // never a plateau: the rate stays
      }
      for (const name of ['mse', 'meanSquaredError', 'mae', 'binaryCrossentropy', 'my_loss', 'kld', 'hinge']) {
        const r = await run(name, falling);
        expect([name, r.epochs, r.bestEpoch], name).toEqual([name, 6, 5]);
      }
      expect(warn).not.toHaveBeenCalled();
      // A name neither rule reads: TF.js's default (min), with a warning that says to pass the mode.
      const r = await run('score', rising);
      expect([r.epochs, r.bestEpoch, r.best]).toEqual([2, 0, 0.1]);
      expect(warn.mock.calls.map((c) => String(c[0])).filter((w) => !w.includes('TensorFlow.js'))).toEqual([
        "earlyStopping: mode 'auto' cannot tell whether 'score' should rise or fall, so it treats it as a loss (lower is better, TF.js's rule for a name without 'acc'); pass mode: 'max' or mode: 'min' to say which",
        "reduceLROnPlateau: mode 'auto' cannot tell whether 'score' should rise or fall, so it treats it as a loss (lower is better, TF.js's rule for a name without 'acc'); pass mode: 'max' or mode: 'min' to say which",
      ]);
      warn.mockClear();
      expect((await run('score', rising, 'max')).bestEpoch).toBe(5);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('earlyStopping on val_loss needs validation data, and says so before the first epoch (was after it)', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['mae'] });
    const before = m.getWeights();
    const epochs: number[] = [];
    const seen = { onEpochBegin: (e: number) => void epochs.push(e) };
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.earlyStopping(), seen] })).rejects.toThrow(
      "earlyStopping: monitor 'val_loss' needs validation data, but this fit has none (its logs will be loss, mae); pass validationData or validationSplit to fit, or monitor 'loss'",
    );
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'val_mae' })] })).rejects.toThrow(/^reduceLROnPlateau: monitor 'val_mae' needs validation data/);
    // A misspelt one: the nearest training log (it suggested 'los').
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.earlyStopping({ monitor: 'val_los' })] })).rejects.toThrow(/^earlyStopping: monitor 'val_los' needs validation data.*, or monitor 'loss'$/);
    expect(epochs).toEqual([]);
    const after = m.getWeights();
    after.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i].dataSync())));
    nr.dispose([...before, ...after]);
    // A callback's params (TF.js's): what the run will log.
    const probe = new (class extends nr.Callback {
      got: unknown;
      override onTrainBegin(): void {
        this.got = { ...this.params, metrics: [...this.params.metrics] };
      }
    })();
    const ran = await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, validationSplit: 0.2, callbacks: [probe] });
    expect(probe.got).toEqual({ epochs: 1, initialEpoch: 0, samples: 24, steps: null, batchSize: 8, verbose: 0, doValidation: true, metrics: ['loss', 'mae', 'val_loss', 'val_mae'] });
    // The History has them too (TF.js's history.params).
    expect(ran.params).toEqual(probe.got);
    // A plain object's hooks see this.model and this.params too (TF.js wraps it in a
    // CustomCallback); they are not enumerable, and the object's own state stays its own.
    const plain = {
      steps: 0,
      seen: null as unknown,
      onTrainBegin(this: { params: nr.CallbackParams; model: unknown; seen: unknown }) {
        this.seen = [this.params.steps, this.params.samples, this.model === m];
      },
      onBatchEnd(this: { steps: number }) {
        this.steps++;
      },
    };
    await m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0, callbacks: [plain] });
    expect([plain.seen, plain.steps, Object.keys(plain)]).toEqual([[null, 30, true], 6, ['steps', 'seen', 'onTrainBegin', 'onBatchEnd']]);
    // So do an instance of another class and an object made with Object.create (TF.js wraps them too).
    class Counter {
      seen: unknown = null;
      onTrainBegin(this: Counter & { params: nr.CallbackParams; model: unknown }) {
        this.seen = [this.params.epochs, this.model === m];
      }
    }
    const inst = new Counter();
    const made = Object.create({ onTrainBegin(this: { params: nr.CallbackParams; got: unknown }) { this.got = this.params.batchSize; } }) as { got?: unknown };
    await m.fit(x, y, { epochs: 1, batchSize: 6, verbose: 0, callbacks: [inst, made as never] });
    expect([inst.seen, made.got]).toEqual([[1, true], 6]);
    // Its own `model` is the user's, kept; so is a frozen object's.
    const own = { model: 'mine', onTrainBegin(this: { params?: unknown; got?: unknown }) {} };
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [own, Object.freeze({ onEpochEnd() {} })] });
    expect([own.model, 'params' in own]).toEqual(['mine', false]);
  });

  it('terminateOnNaN stops training when the loss overflows (huge learning rate)', async () => {
    using x = nr.tensor([[1, 2], [3, 4], [5, 6], [7, 8]]);
    using y = nr.tensor([[1], [2], [3], [4]]);
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 4, activation: 'relu' }), layers.dense({ units: 1 })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1e6 }), loss: 'meanSquaredError' });
    let batches = 0;
    const h = await m.fit(x, y, { epochs: 50, batchSize: 1, verbose: 0, callbacks: [{ onBatchEnd: () => void batches++ }, callbacks.terminateOnNaN()] });
    expect(h.history.loss).toHaveLength(1);
    expect(Number.isFinite(h.history.loss[0])).toBe(false);
    expect(batches).toBeLessThan(4 * 50);
  });

  it("a NaN loss with finite gradients names the loss's domain (poisson of a linear output's −2 was said as an overflow; helper-335)", async () => {
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'poisson' });
    using w = nr.tensor([[0]]);
    using b = nr.tensor([-2]);
    m.setWeights([w, b]);
    using x = nr.tensor([[1]]);
    using y = nr.tensor([[3]]);
    const err = await m.fit(x, y, { epochs: 1, verbose: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(nr.NonFiniteError);
    expect((err as Error).message).toMatch(/^fit: the loss is NaN at step 1 though every gradient is finite: a prediction outside the loss's domain \(poisson, and a cross-entropy on probabilities, need predictions ≥ 0/);
  });

  it('a loss that overflows float32 while every gradient is finite is refused the same way (it used to train on with loss Infinity)', async () => {
    // w·1 with w = 2e19 and target 0: the loss 4e38 overflows, its gradient 4e19 does not.
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1, useBias: false })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    using w = nr.tensor([[2e19]]);
    m.setWeights([w]);
    using x = nr.tensor([[1]]);
    using y = nr.tensor([[0]]);
    const err = await m.fit(x, y, { epochs: 1, verbose: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(nr.NonFiniteError);
    expect((err as Error).message).toBe("fit: the loss is Infinity at step 1 though every gradient is finite: the predictions or targets overflow float32; lower the learning rate, clip gradients, or scale data of huge magnitude (epoch 1/1, batch 1). The epochs completed before it (0) are in this error's `history`; with callbacks.terminateOnNaN() among the callbacks, training stops there and they are returned");
    expect((err as nr.NonFiniteError).history?.epoch).toEqual([]);
    expect((err as nr.NonFiniteError).history?.history).toEqual({ loss: [] });
    // With metrics and validation, every key of the logs, empty (it had loss only).
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError', metrics: ['mae'] });
    const err3 = await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y] }).then(() => null, (e: unknown) => e);
    expect((err3 as nr.NonFiniteError).history?.history).toEqual({ loss: [], mae: [], val_loss: [], val_mae: [] });
    expect(weights(m)).toEqual([Float32Array.of(2e19)]);
    // terminateOnNaN turns it into a stop with the history, as for a gradient.
    const stopper = nr.callbacks.terminateOnNaN();
    const h = await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [stopper] });
    expect([h.epoch, h.history.loss.map(Number.isNaN)]).toEqual([[0], [true]]);
  });

  it("a fit that diverges after some epochs throws with their loss curve in the error's history (TF.js's fit returns one with the NaN losses)", async () => {
    // A learning-rate-too-high demo: y = 3x + 1 with SGD at rate 5 grows ~9× an epoch until
    // the loss overflows float32 at epoch 21.
    using x = nr.linspace(-1, 1, 32).reshape([32, 1]);
    using y = x.mul(3).add(1);
    using m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 5 }), loss: 'mse', metrics: ['mae'] });
    const seen: number[] = [];
    const err = await m.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0, callbacks: [{ onEpochEnd: (_e, logs) => void seen.push(logs!.loss!) }] }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(nr.NonFiniteError);
    const h = (err as nr.NonFiniteError).history!;
    expect(seen.length).toBeGreaterThan(5);
    expect(h.epoch).toEqual(seen.map((_, i) => i));
    expect(h.history.loss).toEqual(seen);
    expect(h.history.mae).toHaveLength(seen.length);
    expect(h.params).toMatchObject({ epochs: 30, samples: 32 });
    expect(seen.every((v, i) => Number.isFinite(v) && (i === 0 || v > seen[i - 1]!))).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^fit: the loss is Infinity at step ${seen.length + 1} .* \\(epoch ${seen.length + 1}/30, batch 1\\)\\. The epochs completed before it \\(${seen.length}\\) are in this error's \`history\`; with callbacks\\.terminateOnNaN\\(\\) among the callbacks, training stops there and they are returned$`));
    // fitDataset's: the place once, before the history sentence.
    const ds = nr.data.zip({ xs: nr.data.array(Array.from(x.dataSync(), (v) => [v])), ys: nr.data.array(Array.from(y.dataSync(), (v) => [v])) }).batch(32);
    using m2 = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [1], units: 1 })] });
    m2.compile({ optimizer: optimizers.sgd({ learningRate: 5 }), loss: 'mse' });
    const err2 = await m2.fitDataset(ds, { epochs: 30, verbose: 0 }).then(() => null, (e: unknown) => e);
    expect((err2 as Error).message).toMatch(new RegExp(`^fitDataset: the loss is Infinity at step ${seen.length + 1} [^(]*\\(epoch ${seen.length + 1}/30, batch 1\\)\\. The epochs completed before it \\(${seen.length}\\) are in this error's \`history\`; with callbacks\\.terminateOnNaN\\(\\) among the callbacks, training stops there and they are returned$`));
    expect((err2 as nr.NonFiniteError).history!.history.loss).toHaveLength(seen.length);
    // Other errors carry none.
    expect(() => m.trainOnBatch(x, y)).toThrow(nr.NonFiniteError);
    try {
      m.trainOnBatch(x, y);
    } catch (e) {
      expect((e as nr.NonFiniteError).history).toBeUndefined();
    }
  });

  it('a non-finite gradient throws and leaves every weight unchanged', async () => {
    using x = nr.tensor([[1e30, 1e30]]);
    using y = nr.tensor([[1]]);
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 3, name: 'hidden' }), layers.dense({ units: 1 })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const before = weights(m);
    expect(() => m.trainOnBatch(x, y)).toThrow(/^trainOnBatch: a gradient of `kernel` of layer 'hidden' is not finite \(NaN or Infinity\) at step 1; lower the learning rate/);
    // Its own class and code (a diverged step is not a bad argument): catchable without the text.
    expect(() => m.trainOnBatch(x, y)).toThrow(nr.NonFiniteError);
    try {
      m.trainOnBatch(x, y);
    } catch (e) {
      expect([e instanceof nr.InvalidArgumentError, (e as nr.NeuriteError).code]).toEqual([false, 'NonFinite']);
    }
    expect(weights(m)).toEqual(before);
    expect(m.learningRate).toBeCloseTo(0.1, 6);
  });

  it("a non-finite gradient's error names the layer as the user does (its name, and the models it is nested in), through fit, fitDataset and trainOnBatch; it gave the core's index of the top-level layer", async () => {
    using x = nr.tensor([[1e30, 1e30]]);
    using y = nr.tensor([[1]]);
    const make = (frozen: boolean) => {
      const encoder = nr.sequential({ name: 'encoder', layers: [nr.sequential({ name: 'trunk', layers: [layers.dense({ inputShape: [2], units: 3, name: 'hidden' })] })] });
      encoder.trainable = !frozen;
      const m = nr.sequential({ name: 'outer', layers: [encoder, layers.dense({ units: 1, name: 'head' })] });
      m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      return [m, encoder];
    };
    const tail = ' is not finite (NaN or Infinity) at step 1; lower the learning rate, clip gradients, or check the data for NaN';
    // The first weight with a non-finite gradient, in a model nested twice; with that model
    // frozen, the head's kernel (after the frozen weights in the core's order).
    for (const [frozen, where] of [[false, "`kernel` of layer 'hidden' in model 'trunk' in model 'encoder'"], [true, "`kernel` of layer 'head'"]] as const) {
      const [m, encoder] = make(frozen);
      const before = weights(m);
      expect(() => m.trainOnBatch(x, y)).toThrow(`trainOnBatch: a gradient of ${where}${tail}`);
      await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(`fit: a gradient of ${where}${tail}`);
      const ds = nr.data.array([{ xs: [1e30, 1e30], ys: [1] }]).batch(1);
      await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(new RegExp(`^fitDataset: a gradient of ${where}`));
      // terminateOnNaN's reason quotes it too.
      const stop = callbacks.terminateOnNaN();
      await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [stop] });
      expect(stop.stopReason).toContain(`the weights are those after the last finite step: a gradient of ${where}${tail.slice(0, 30)}`);
      expect(weights(m)).toEqual(before);
      m.dispose();
      encoder.dispose();
    }
  });

  it('reduceLROnPlateau lowers model.learningRate, which the next steps use', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    const lrs: number[] = [];
    const flat = { onEpochEnd: (_e: number, logs?: nr.Logs) => void ((logs!.score = 1), lrs.push(m.learningRate)) };
    const cb = callbacks.reduceLROnPlateau({ monitor: 'score', factor: 0.5, patience: 2, minLr: 0.02 });
    await m.fit(x, y, { epochs: 7, verbose: 0, callbacks: [flat, cb] });
    // lrs are read before the callback acts in the same epoch: plateau from epoch 1 on.
    expectClose(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025], 1e-6, 0);
    expect(m.learningRate).toBeCloseTo(0.02, 6);
    // The rate really is used: one SGD step moves the weights by lr·g.
    m.learningRate = 0.5;
    expect(m.learningRate).toBeCloseTo(0.5, 6);
    // Recompiling resets the rate to the optimizer's; setting it then still works.
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.2 }), loss: 'categoricalCrossentropy' });
    expect(m.learningRate).toBeCloseTo(0.2, 6);
    m.learningRate = 0.1;
    expect(m.learningRate).toBeCloseTo(0.1, 6);
  });

  it("reduceLROnPlateau's rates are Keras 3's bit for bit (max(lr · factor, minLr) rounded once to float32): minLr: 1e-5 reads back 0.00001 (it read 0.000010000001)", async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    const plateau = { onEpochEnd: (_e: number, logs?: nr.Logs) => void (logs!.score = 1) };
    /** Keras 3's ReduceLROnPlateau on a float32 rate: old > float32(minLr) → max(old · factor, minLr), stored as float32. */
    const kerasRates = (lr0: number, factor: number, minLr: number, n: number) => {
      const out = [Math.fround(lr0)];
      for (let i = 1; i < n; i++) {
        const old = out[i - 1];
        out.push(old > Math.fround(minLr) ? Math.fround(Math.max(old * factor, minLr)) : old);
      }
      return out;
    };
    const cases: Array<[string, number, number, number]> = [['adam', 1e-3, 0.1, 1e-5], ['sgd', 0.01, 0.5, 1e-4], ['rmsprop', 0.3, 0.3, 1.7e-3], ['adam', 7e-4, 0.2, 3e-7], ['sgd', 1, 0.1, 0]];
    for (const [opt, lr0, factor, minLr] of cases) {
      m.compile({ optimizer: nr.optimizers[opt as 'adam']({ learningRate: lr0 }), loss: 'categoricalCrossentropy' });
      const h = await m.fit(x, y, { epochs: 8, verbose: 0, callbacks: [plateau, callbacks.reduceLROnPlateau({ monitor: 'score', mode: 'min', patience: 0, factor, minLr })] });
      // Epoch 0 sets the best; each later epoch is a plateau (patience 0) and reduces.
      const want = [Math.fround(lr0), ...kerasRates(lr0, factor, minLr, 8)];
      // logs.learning_rate is each epoch's rate before the callback acts (as Keras 3's).
      expect(h.history.learning_rate, `${opt} ${lr0} ${factor} ${minLr}`).toEqual(want.slice(0, 8));
      expect(m.learningRateF32).toBe(want[8]);
    }
    // The tester's case: clamped to minLr, the rate reads minLr.
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 6, verbose: 0, callbacks: [plateau, callbacks.reduceLROnPlateau({ monitor: 'score', mode: 'min', patience: 0, minLr: 1e-5 })] });
    expect(m.learningRate).toBe(1e-5);
    expect(m.learningRateF32).toBe(Math.fround(1e-5));
    // A minLr whose float32 is above it (1e-4 → 1.0000000475e-4): a rate there is at minLr, not lowered again.
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 1e-4 }), loss: 'categoricalCrossentropy' });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [plateau, callbacks.reduceLROnPlateau({ monitor: 'score', mode: 'min', patience: 0, minLr: 1e-4, verbose: 1 })] });
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
    expect(m.learningRate).toBe(1e-4);
  });

  it('model.learningRate = x reads back x as float32 holds it, whatever the compiled rate (a factor on it landed an ulp off)', () => {
    using m = mlp(2);
    let s = 12345;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    let checked = 0;
    for (const base of [1e-3, 0.01, 0.1, 0.3, 1, 7e-4, 2.5e-6, 123.456]) {
      m.compile({ optimizer: optimizers.sgd({ learningRate: base }), loss: 'categoricalCrossentropy' });
      for (let i = 0; i < 200; i++) {
        const lr = 10 ** (-8 + 9 * u());
        m.learningRate = lr;
        expect(m.learningRateF32, `${base} → ${lr}`).toBe(Math.fround(lr));
        checked++;
      }
      for (const lr of [1e-5, 1e-4, 3e-4, 1e-6, 0.05, 1e-30, 5e-3]) {
        m.learningRate = lr;
        expect(m.learningRate, `${base} → ${lr}`).toBe(lr);
      }
    }
    expect(checked).toBe(1600);
    // On a schedule: the rate at this step is the one set; the next steps are the schedule's times the same factor.
    m.compile({ optimizer: optimizers.sgd({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) }), loss: 'categoricalCrossentropy' });
    using x = nr.tensor(data.x.slice(0, 8), [2, 4]);
    using y = nr.tensor(data.y.slice(0, 6), [2, 3]);
    m.trainOnBatch(x, y);
    m.learningRate = 1e-5;
    expect(m.learningRate).toBe(1e-5);
    m.trainOnBatch(x, y);
    expect(Math.abs(m.learningRateF32 / 5e-6 - 1)).toBeLessThan(1e-6);
  });

  it('reduceLROnPlateau leaves a learning rate at or below minLr alone, 0 included (as Keras; a rate of 0 threw)', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    const plateau = { onEpochEnd: (_e: number, logs?: nr.Logs) => void (logs!.score = 1) };
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'categoricalCrossentropy' });
    const h = await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [plateau, callbacks.reduceLROnPlateau({ monitor: 'score', patience: 1 })] });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(m.learningRate).toBe(0);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [plateau, callbacks.reduceLROnPlateau({ monitor: 'score', patience: 1, minLr: 0.05 })] });
    expect(m.learningRate).toBeCloseTo(0.01, 6); // below minLr already: not raised, not lowered
  });

  it('reduceLROnPlateau lowering a rate below float32 leaves it as it is and fit goes on (the model refuses a factor of 0)', async () => {
    using x = nr.tensor(data.x, [30, 4]);
    using y = nr.tensor(data.y, [30, 3]);
    using m = mlp(2);
    const plateau = { onEpochEnd: (_e: number, logs?: nr.Logs) => void (logs!.score = 1) };
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const cb = callbacks.reduceLROnPlateau({ monitor: 'score', factor: 1e-30, patience: 1 });
    const h = await m.fit(x, y, { epochs: 5, verbose: 0, callbacks: [plateau, cb] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    // 0.01 → 1e-32; then 1e-62 (0 in float32) is not set.
    expect(m.learningRate).toBeGreaterThan(0.9e-32);
    expect(m.learningRate).toBeLessThan(1.1e-32);
  });

  it('a learning rate set on the model is the one the update uses', () => {
    using x = nr.tensor([[1, 2]]);
    using y = nr.tensor([[0]]);
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    m.learningRate = 0.01;
    m.trainOnBatch(x, y); // pred 3, dL/dpred 6, dW = [6, 12], db = 6
    expectClose(weights(m)[0], [1 - 0.06, 1 - 0.12], 1e-6, 1e-7);
    expectClose(weights(m)[1], [-0.06], 1e-6, 1e-7);
  });

  it('fit yields to the event loop: a timer scheduled before fit fires before fit resolves', async () => {
    const big = blobs(600);
    using x = nr.tensor(big.x, [600, 4]);
    using y = nr.tensor(big.y, [600, 3]);
    using m = mlp(2);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    for (const yieldEveryMs of [0, undefined]) {
      let fired = false;
      let firedDuringFit = false;
      let done = false;
      setTimeout(() => {
        fired = true;
        firedDuringFit = !done;
      }, 0);
      const t0 = performance.now();
      // Default yieldEveryMs (16 ms) needs a fit that lasts longer than that.
      await m.fit(x, y, { epochs: yieldEveryMs === 0 ? 2 : 200, batchSize: 8, verbose: 0, yieldEveryMs });
      done = true;
      expect(fired && firedDuringFit).toBe(true);
      if (yieldEveryMs === undefined) expect(performance.now() - t0).toBeGreaterThan(20);
    }
  });
});

describe('model structure', () => {
  const data = blobs(45);

  it('a sequential used as a layer trains, its weights come first in getWeights, and it stays usable alone', async () => {
    using x = nr.tensor(data.x, [45, 4]);
    using y = nr.tensor(data.y, [45, 3]);
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), layers.dense({ units: 6, activation: 'relu' })] });
    using m = nr.sequential({ seed: 3, layers: [inner, layers.dense({ units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = weights(m);
    expect(before.map((w) => w.length)).toEqual([32, 8, 48, 6, 18, 3]);
    const h = await m.fit(x, y, { epochs: 30, batchSize: 15, verbose: 0 });
    expect(h.history.acc.at(-1)).toBeGreaterThan(0.9);
    weights(m).forEach((w, i) => expect(w).not.toEqual(before[i]));
    // The nested model stays usable on its own, with the weights the outer model trained.
    expect(weights(inner)).toEqual(weights(m).slice(0, 4));
    inner.predict(x).dispose();
    inner.dispose();
  });

  it('trainable = false freezes a layer, a layer inside a nested model, or a whole nested model', async () => {
    using x = nr.tensor(data.x, [45, 4]);
    using y = nr.tensor(data.y, [45, 3]);
    const frozen = layers.dense({ inputShape: [4], units: 8, activation: 'relu', trainable: false });
    const inner = nr.sequential({ layers: [frozen, layers.dense({ units: 6 })] });
    const bn = layers.batchNormalization();
    const out = layers.dense({ units: 3, activation: 'softmax' });
    using m = nr.sequential({ layers: [inner, bn, out] });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy' });
    // In layer order: inner: k0 b0 (frozen) k1 b1; bn: gamma beta mean var; dense: k2 b2 (the
    // model lists them in TF.js's order, which moves with the trainable flags: read by name).
    const inLayerOrder = [...inner.layers, bn, out].flatMap((l) => (l as nr.Layer).weights.map((v) => v.name));
    const changed = async () => {
      const a = weights(m);
      await m.fit(x, y, { epochs: 2, batchSize: 15, verbose: 0 });
      const b = weights(m);
      const byName = new Map(m.weightNames().map((n, i) => [n, b[i].some((v, k) => v !== a[i][k])]));
      return inLayerOrder.map((n) => byName.get(n));
    };
    expect(await changed()).toEqual([false, false, true, true, true, true, true, true, true, true]);
    expect(m.summary(() => {})).toMatch(/Total params: 139\nTrainable params: 87\nNon-trainable params: 52/);
    inner.trainable = false; // the whole nested model
    expect(await changed()).toEqual([false, false, false, false, true, true, true, true, true, true]);
    bn.trainable = false; // a frozen batchNormalization keeps gamma and beta; its statistics still move
    expect(await changed()).toEqual([false, false, false, false, false, false, true, true, true, true]);
    inner.trainable = true;
    frozen.trainable = true;
    bn.trainable = true;
    expect((await changed()).every(Boolean)).toBe(true);
  });

  it('getWeights/setWeights round-trip (predictions identical), with clear errors on mismatch', () => {
    using x = nr.tensor(data.x, [45, 4]);
    using a = mlp(1, [layers.batchNormalization()]);
    using b = mlp(2, [layers.batchNormalization()]);
    const wa = a.getWeights();
    b.setWeights(wa);
    using pa = a.predict(x);
    using pb = b.predict(x);
    expect(Array.from(pb.data())).toEqual(Array.from(pa.data()));
    // TF.js's order: the moving statistics last (test/weight-order.test.ts).
    expect(b.weightNames().map((n) => n.split('/')[1])).toEqual(['kernel', 'bias', 'gamma', 'beta', 'kernel', 'bias', 'moving_mean', 'moving_variance']);
    expect(() => b.setWeights(wa.slice(1))).toThrow(/setWeights: model sequential_\d+ has 8 weights \(\[\d.*\]\), got 7 tensors \(\[/);
    expect(() => b.setWeights([wa[1], ...wa.slice(1)])).toThrow(nr.ShapeError);
    expect(() => b.setWeights([wa[1], ...wa.slice(1)])).toThrow(/setWeights: weight 0 \(`kernel` of layer 0\) has shape \[4,8\] but the value has shape \[8\]/);
    wa.forEach((t) => t.dispose());
  });

  it('summary prints a Keras-style table', () => {
    using m = nr.sequential({ name: 'demo', layers: [layers.dense({ name: 'hidden', inputShape: [4], units: 8, activation: 'relu' }), layers.dropout({ name: 'drop', rate: 0.5 }), layers.dense({ name: 'out', units: 3 })] });
    let printed = '';
    const text = m.summary((s) => (printed = s));
    expect(printed).toBe(text);
    expect(text).toBe(
      [
        'Model: demo',
        '_'.repeat(39),
        'Layer (type)    Output shape  Param #',
        '='.repeat(39),
        'hidden (Dense)  [null,8]           40',
        'drop (Dropout)  [null,8]            0',
        'out (Dense)     [null,3]           27',
        '='.repeat(39),
        'Total params: 67',
        'Trainable params: 67',
        'Non-trainable params: 0',
        '_'.repeat(39),
      ].join('\n'),
    );
  });
});

// Oracle: targets that do not sum to 1. The fused softmax + categorical cross-entropy gradient
// must be `p·Σỹ − ỹ` (not `p − ỹ`), and the fused sigmoid + binary cross-entropy `p − ỹ`
// element-wise, whatever the rows sum to. Reference: TF.js 4.22 Layers (`tfl.sequential`,
// `fit` with `tf.train.sgd(0.5)`), which differentiates the loss it reports through the softmax.
describe('fused output gradients vs TF.js on targets that do not sum to 1', () => {
  // Rows: multi-hot, all zero, summing to 0.3, summing to 2.5, one-hot, soft summing to 1.
  const Y = [[1, 1, 0], [0, 0, 0], [0.1, 0.1, 0.1], [1, 1, 0.5], [0, 0, 1], [0.2, 0.3, 0.5]];
  const X = [[0.5, -1, 0.3, 2], [1.5, 0.2, -0.7, 0], [-0.3, 0.8, 1.1, -1], [1, 1, -0.4, 0.5], [0.1, -2, 0.6, 1], [-1.2, 0.4, 0.9, -0.5]];
  const smooth = (yt: tf.Tensor, s: number, k: number) => (s === 0 ? yt : tf.add(tf.mul(yt, 1 - s), s / k));
  const cases = [
    { out: 'softmax' as const, s: 0, nrLoss: 'categoricalCrossentropy' as const },
    { out: 'softmax' as const, s: 0.1, nrLoss: 'categoricalCrossentropy' as const },
    { out: 'sigmoid' as const, s: 0, nrLoss: 'binaryCrossentropy' as const },
    { out: 'sigmoid' as const, s: 0.1, nrLoss: 'binaryCrossentropy' as const },
  ];
  for (const c of cases) {
    it(`${c.out} + ${c.nrLoss}, labelSmoothing ${c.s}: one SGD step at rate 0.5 matches TF.js fit`, async () => {
      using m = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [4], units: 3, activation: c.out })] });
      m.build();
      m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: { name: c.nrLoss, labelSmoothing: c.s } });
      const w0 = weights(m);
      const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, activation: c.out })] });
      t.setWeights([tf.tensor(w0[0], [4, 3]), tf.tensor(w0[1], [3])]);
      const lossFn = (yt: tf.Tensor, yp: tf.Tensor) => {
        const ys = smooth(yt, c.s, c.out === 'softmax' ? 3 : 2);
        return c.out === 'softmax' ? tfl.metrics.categoricalCrossentropy(ys, yp) : tfl.metrics.binaryCrossentropy(ys, yp);
      };
      t.compile({ optimizer: tf.train.sgd(0.5), loss: lossFn });
      using x = nr.tensor(X);
      using y = nr.tensor(Y);
      const h = await m.fit(x, y, { epochs: 1, batchSize: 6, shuffle: false, verbose: 0 });
      const [tx, ty] = [tf.tensor(X), tf.tensor(Y)];
      const th = await t.fit(tx, ty, { epochs: 1, batchSize: 6, shuffle: false, verbose: 0 });
      tf.dispose([tx, ty]);
      expectClose([h.history.loss[0]], [th.history.loss[0] as number], 1e-5, 1e-6);
      const w1 = weights(m);
      const tw = t.getWeights().map((w) => w.dataSync());
      expectClose(w1[0], tw[0], 1e-4, 1e-6);
      expectClose(w1[1], tw[1], 1e-4, 1e-6);
      // The step is not trivial: the weights moved.
      expect(Math.max(...w1[0].map((v, i) => Math.abs(v - w0[0][i])))).toBeGreaterThan(1e-2);
      t.dispose();
    });
  }
});
