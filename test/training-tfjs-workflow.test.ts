// The training workflow against TF.js 4.22 (a tester's report): onBatchEnd's logs are each
// batch's own values, compile with the same optimizer object keeps its state, terminateOnNaN
// stops a run whose step the core refuses (the history returned), and compile's metric names.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { copyLayerWeights } from './oracle.js';

await tf.setBackend('cpu');

const { layers, optimizers, callbacks, data } = nr;

/** A seeded 3-class problem: `n` rows of 4 features, one-hot targets. */
function blobs(n: number, seed = 1): { x: number[][]; y: number[][] } {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([0, 1, 2, 3].map((j) => (j === c ? 2 : 0) + (u() - 0.5) * 1.5));
    y.push([0, 1, 2].map((j) => (j === c ? 1 : 0)));
  }
  return { x, y };
}

/** A 4-8-3 softmax MLP in both libraries with the same initial weights. */
function pair(seed = 3): { n: nr.Sequential; t: tfl.Sequential } {
  const n = nr.sequential({ seed, layers: [layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), layers.dense({ units: 3, activation: 'softmax' })] });
  const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
  n.build();
  copyLayerWeights(n, t);
  return { n, t };
}

const flat = (ws: Array<{ dataSync(): ArrayLike<number> } | nr.Tensor>): number[] =>
  ws.flatMap((w) => Array.from('dataSync' in w ? w.dataSync() : (w as nr.Tensor).data()));
const maxDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

function nrWeights(m: nr.Sequential): number[] {
  const ws = m.getWeights();
  const out = flat(ws);
  ws.forEach((w) => w.dispose());
  return out;
}

describe('onBatchEnd logs: the batch\'s own values, as TF.js', () => {
  it('fit: onBatchEnd gets each batch\'s loss and metrics (TF.js\'s), the epoch logs their size-weighted mean', async () => {
    const { x, y } = blobs(150);
    const { n, t } = pair();
    try {
      t.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      n.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const tb: Array<Record<string, number>> = [], nb: Array<Record<string, number>> = [];
      const te: Array<Record<string, number>> = [], ne: Array<Record<string, number>> = [];
      const [tx, ty] = [tf.tensor(x), tf.tensor(y)];
      await t.fit(tx, ty, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0, callbacks: { onBatchEnd: async (_b, l) => void tb.push({ ...l }), onEpochEnd: async (_e, l) => void te.push({ ...l }) } });
      tf.dispose([tx, ty]);
      using nx = nr.tensor(x);
      using ny = nr.tensor(y);
      const h = await n.fit(nx, ny, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0, callbacks: { onBatchEnd: (_b, l) => void nb.push({ ...l! }), onEpochEnd: (_e, l) => void ne.push({ ...l! }) } });
      expect(nb.map((l) => [l.batch, l.size])).toEqual(tb.map((l) => [l.batch, l.size]));
      for (const k of ['loss', 'acc']) {
        expect(maxDiff(nb.map((l) => l[k]), tb.map((l) => l[k])), `onBatchEnd ${k}`).toBeLessThan(2e-5);
        expect(maxDiff(ne.map((l) => l[k]), te.map((l) => l[k])), `onEpochEnd ${k}`).toBeLessThan(2e-5);
      }
      // The batches differ (a running mean would make the second batch's loss the mean of two).
      expect(Math.abs(nb[1].loss - (nb[0].loss + nb[1].loss) / 2)).toBeGreaterThan(1e-3);
      // The epoch's logs (and history) stay the means of the batches weighted by their size.
      const mean = (e: number) => nb.slice(3 * e, 3 * e + 3).reduce((a, l) => a + l.loss * l.size, 0) / 150;
      expect(h.history.loss[0]).toBeCloseTo(mean(0), 6);
      expect(h.history.loss[1]).toBeCloseTo(mean(1), 6);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('fitDataset: onBatchEnd gets each batch\'s values; a progress reporter still gets the running means', async () => {
    const { x, y } = blobs(12);
    using m = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    const own: number[] = [], bar: number[] = [], sizes: number[] = [];
    const reporter = nr.progressBar({ out: { write: () => true } });
    const onBatchEnd = reporter.onBatchEnd!.bind(reporter);
    reporter.onBatchEnd = (b, l) => (bar.push(l!.loss), onBatchEnd(b, l));
    const ds = data.zip({ xs: data.array(x), ys: data.array(y) }).batch(5);
    const h = await m.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: [reporter, { onBatchEnd: (_b, l) => void (own.push(l!.loss), sizes.push(l!.size)) }] });
    expect(sizes).toEqual([5, 5, 2]);
    // Each batch's own loss: the loss of that batch before its step, as evaluate gives it.
    const running = own.map((_, i) => own.slice(0, i + 1).reduce((a, v, j) => a + v * sizes[j], 0) / sizes.slice(0, i + 1).reduce((a, v) => a + v, 0));
    expect(maxDiff(bar, running)).toBeLessThan(1e-6);
    expect(bar[2]).toBeCloseTo(h.history.loss[0], 6);
    expect(Math.abs(own[1] - running[1])).toBeGreaterThan(1e-4);
  });
});

describe('compile again with the same optimizer object keeps its state (TF.js\'s optimizer owns it)', () => {
  it('Adam: recompiling (to add a metric) continues as TF.js does; a name or a new optimizer starts afresh', async () => {
    const { x, y } = blobs(60);
    const { n, t } = pair(5);
    const opts = { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 as const };
    try {
      const to = tf.train.adam(0.01), no = optimizers.adam({ learningRate: 0.01 });
      t.compile({ optimizer: to, loss: 'categoricalCrossentropy' });
      n.compile({ optimizer: no, loss: 'categoricalCrossentropy' });
      const [tx, ty] = [tf.tensor(x), tf.tensor(y)];
      using nx = nr.tensor(x);
      using ny = nr.tensor(y);
      await t.fit(tx, ty, opts);
      await n.fit(nx, ny, opts);
      expect(maxDiff(nrWeights(n), flat(t.getWeights()))).toBeLessThan(1e-5);
      t.compile({ optimizer: to, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      n.compile({ optimizer: no, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      await t.fit(tx, ty, opts);
      const h = await n.fit(nx, ny, opts);
      expect(maxDiff(nrWeights(n), flat(t.getWeights()))).toBeLessThan(1e-5);
      expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss']);
      expect(nr.exportTrainingState(n).step).toBe(8);
      // model.optimizer is the same object too (the one a name made).
      n.compile({ optimizer: n.optimizer!, loss: 'categoricalCrossentropy' });
      expect(nr.exportTrainingState(n).step).toBe(8);
      // A new optimizer (or a name, which makes one, as TF.js) starts from step 0.
      n.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
      expect(nr.exportTrainingState(n).step).toBe(0);
      await n.fit(nx, ny, opts);
      n.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      expect(nr.exportTrainingState(n).step).toBe(0);
      tf.dispose([tx, ty]);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('a schedule keeps its position, and the learning-rate scale and the slots carry over bit for bit', async () => {
    const { x, y } = blobs(30);
    using nx = nr.tensor(x);
    using ny = nr.tensor(y);
    const make = () => nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    using a = make();
    using b = make();
    const opt = optimizers.sgd({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }), momentum: 0.9 });
    a.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    b.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const o = { epochs: 1, batchSize: 10, shuffle: false, verbose: 0 as const };
    await a.fit(nx, ny, o);
    await b.fit(nx, ny, o);
    const lr = a.learningRate;
    expect(lr).toBeCloseTo(0.1 * 0.5 ** 3, 7);
    a.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['acc'] });
    expect(a.learningRate).toBe(lr);
    await a.fit(nx, ny, o);
    await b.fit(nx, ny, o); // never recompiled
    expect(nrWeights(a)).toEqual(nrWeights(b));
    const [sa, sb] = [nr.exportTrainingState(a), nr.exportTrainingState(b)];
    expect(sa.step).toBe(6);
    expect(sa.tensors.map((s) => Array.from(s.data))).toEqual(sb.tensors.map((s) => Array.from(s.data)));
    a.learningRate = lr; // a scale on the schedule
    const scaled = a.learningRate;
    a.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    expect(a.learningRate).toBeCloseTo(scaled, 9);
  });
});

describe('terminateOnNaN stops a run whose step the core refuses', () => {
  /** A linear MLP with SGD at 0.05 on targets ×100: its loss grows until a gradient overflows (the tester's repro). */
  function diverging(): { m: nr.Sequential; x: nr.Tensor; y: nr.Tensor } {
    const { x } = blobs(150, 7);
    const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [4], units: 16 }), layers.dense({ units: 1 })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
    return { m, x: nr.tensor(x), y: nr.tensor(x.map((r, i) => [(i % 3) * 100 + r[0] * 50])) };
  }

  it('fit: the refused batch is reported with loss NaN, training stops and the history is returned (weights rolled back)', async () => {
    const { m, x, y } = diverging();
    try {
      const stopper = callbacks.terminateOnNaN();
      const seen: number[] = [];
      const h = await m.fit(x, y, { epochs: 20, batchSize: 10, verbose: 0, callbacks: [stopper, { onBatchEnd: (_b, l) => void seen.push(l!.loss) }] });
      expect(Number.isNaN(seen.at(-1))).toBe(true);
      expect(seen.slice(0, -1).every(Number.isFinite)).toBe(true);
      expect(m.stopTraining).toBe(true);
      expect(h.epoch).toEqual([0]);
      expect(Number.isNaN(h.history.loss[0])).toBe(true);
      expect(stopper.stopReason).toMatch(/^terminateOnNaN: the step at batch \d+ of the epoch was refused and not applied, so the weights are those after the last finite step: a gradient of `\w+` of layer '\w+' is not finite/);
      expect(nrWeights(m).every(Number.isFinite)).toBe(true);
    } finally {
      m.dispose();
      x.dispose();
      y.dispose();
    }
  });

  it('fit without terminateOnNaN still rejects with the core\'s error', async () => {
    const { m, x, y } = diverging();
    try {
      await expect(m.fit(x, y, { epochs: 20, batchSize: 10, verbose: 0 })).rejects.toThrow(/is not finite \(NaN or Infinity\) at step \d+/);
    } finally {
      m.dispose();
      x.dispose();
      y.dispose();
    }
  });

  it('fitDataset: the same stop, with the history', async () => {
    // x·1 with x = 1.5e19 and target 0: the loss 2.25e38 is finite, its gradient 4.5e38 is not.
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'mse' });
    const ds = data.zip({ xs: data.array([[1], [2], [1.5e19], [3]]), ys: data.array([[1], [2], [0], [3]]) }).batch(1);
    const stopper = callbacks.terminateOnNaN();
    const seen: number[] = [];
    const h = await m.fitDataset(ds, { epochs: 3, verbose: 0, callbacks: [stopper, { onBatchEnd: (_b, l) => void seen.push(l!.loss) }] });
    expect(seen).toEqual([0, 0, NaN]);
    expect(h.epoch).toEqual([0]);
    expect(Number.isNaN(h.history.loss[0])).toBe(true);
    expect(stopper.stopReason).toMatch(/^terminateOnNaN: the step at batch 3 of the epoch was refused and not applied, so the weights are those after the last finite step: a gradient of `kernel` of layer '\w+' is not finite \(NaN or Infinity\) at step 3/);
    expect(nrWeights(m)).toEqual([1]);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/is not finite \(NaN or Infinity\) at step 5/);
  });
});

describe('compile metric names', () => {
  it("history.history.accuracy (Keras's name) reads TF.js's acc; the keys and JSON stay TF.js's", async () => {
    const { x, y } = blobs(24);
    const { n, t } = pair();
    using xs = nr.tensor(x);
    using ys = nr.tensor(y);
    try {
      n.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const h = await n.fit(xs, ys, { epochs: 2, batchSize: 8, validationSplit: 0.25, verbose: 0 });
      expect(Object.keys(h.history)).toEqual(['loss', 'acc', 'val_loss', 'val_acc']);
      expect(h.history.accuracy).toBe(h.history.acc);
      expect(h.history.val_accuracy).toBe(h.history.val_acc);
      expect(Object.keys(JSON.parse(JSON.stringify(h.history)))).toEqual(['loss', 'acc', 'val_loss', 'val_acc']);
    } finally {
      n.dispose();
      t.dispose();
    }
  });


  const model = () => nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });

  it('MSE and MAE (TF.js\'s aliases) are mse and mae, logged under the name given, as TF.js', async () => {
    const { x, y } = blobs(20);
    using m = model();
    using m2 = model();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['MSE', 'MAE'] });
    m2.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['mse', 'mae'] });
    using nx = nr.tensor(x);
    using ny = nr.tensor(y);
    const h = await m.fit(nx, ny, { epochs: 1, verbose: 0, validationSplit: 0.25 });
    const h2 = await m2.fit(nx, ny, { epochs: 1, verbose: 0, validationSplit: 0.25 });
    // TF.js: metrics ['MSE', 'MAE'] log as MSE, MAE, val_MSE, val_MAE.
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    t.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['MSE', 'MAE'] });
    const ht = await t.fit(tf.tensor(x), tf.tensor(y), { epochs: 1, verbose: 0, validationSplit: 0.25 });
    t.dispose();
    expect(Object.keys(h.history).sort()).toEqual(Object.keys(ht.history).sort());
    expect(h.history.MSE).toEqual(h2.history.mse);
    expect(h.history.val_MAE).toEqual(h2.history.val_mae);
  });

  it.each([
    ['precision', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.precision(t, p.greater(0.5))],
    ['recall', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.recall(t, p.greater(0.5))],
    ['categoricalCrossentropy', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.categoricalCrossentropy(t, p).mean()],
    ['crossentropy', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.categoricalCrossentropy(t, p).mean()],
    ['ce', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.categoricalCrossentropy(t, p).mean()],
    ['mape', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.mape(t, p).mean()],
    ['cosine', (t: nr.Tensor, p: nr.Tensor) => nr.metrics.cosineProximity(t, p).mean()],
    // Keras 3's R2Score: per column, then their mean.
    ['r2Score', (t: nr.Tensor, p: nr.Tensor) => nr.addN([0, 1, 2].map((c) => nr.metrics.r2Score(t.slice([0, c], [-1, 1]), p.slice([0, c], [-1, 1])))).div(3)],
  ] as const)('%s: computed on the output (precision and recall at 0.5, as Keras 3), logged under the name', (name, ref) => {
    using m = model();
    const { x, y } = blobs(20);
    using xs = nr.tensor(x);
    using ys = nr.tensor(y);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [name] });
    const got = m.evaluate(xs, ys, { batchSize: 20, returnDict: true });
    const want = nr.tidy(() => ref(ys, m.predict(xs)).item());
    // TF.js logs 'crossentropy' as ce, as it logs 'accuracy' as acc.
    expect(got[name === 'crossentropy' ? 'ce' : name]).toBeCloseTo(want, 6);
  });

  it("'crossentropy' and 'ce' are the binary, sparse or categorical one as TF.js picks it (the output's loss and size), logged as ce", async () => {
    // A one-unit sigmoid (the categorical one is 0 there whatever the model does), three
    // sigmoid units under binaryCrossentropy (multi-label), and softmax with class indices.
    const { x, y } = blobs(17);
    const cases: Array<[string, number, string, number[][]]> = [
      ['sigmoid', 1, 'binaryCrossentropy', y.map((r) => [r[0]])],
      ['sigmoid', 3, 'binaryCrossentropy', y.map((r, i) => [r[0], i % 2, r[2]])],
      ['softmax', 3, 'sparseCategoricalCrossentropy', y.map((r) => [r.indexOf(1)])],
      ['softmax', 3, 'categoricalCrossentropy', y],
    ];
    for (const [activation, units, loss, target] of cases) {
      const n = nr.sequential({ seed: 5, layers: [layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }), layers.dense({ units, activation: activation as 'sigmoid' })] });
      const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 6, activation: 'tanh' }), tfl.layers.dense({ units, activation: activation as 'sigmoid' })] });
      n.build();
      copyLayerWeights(n, t);
      for (const name of ['crossentropy', 'ce'] as const) {
        n.compile({ optimizer: 'sgd', loss: loss as 'mse', metrics: [name] });
        t.compile({ optimizer: 'sgd', loss, metrics: [name] });
        const got = nr.tidy(() => n.evaluate(nr.tensor(x), nr.tensor(target), { batchSize: 17, returnDict: true }));
        const want = tf.tidy(() => (t.evaluate(tf.tensor(x), tf.tensor(target), { batchSize: 17 }) as tf.Scalar[]).map((v) => v.dataSync()[0]));
        expect(Object.keys(got), `${loss} ${units}`).toEqual(['loss', 'ce']);
        expect(got.loss).toBeCloseTo(want[0], 5);
        expect(Math.abs(got.ce - want[1]), `${loss} ${units}: ${got.ce} vs TF.js ${want[1]}`).toBeLessThan(1e-5);
        if (units === 1) expect(got.ce).toBeGreaterThan(0.1);
      }
      n.dispose();
      t.dispose();
    }
  });

  it("AUC: Keras 3's, logged as auc, which earlyStopping({ monitor: 'val_auc' }) reads as a score to maximize", async () => {
    using m = model();
    const { x, y } = blobs(20);
    using xs = nr.tensor(x);
    using ys = nr.tensor(y);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['AUC'] });
    const es = callbacks.earlyStopping({ monitor: 'val_auc', patience: 5 });
    const h = await m.fit(xs, ys, { epochs: 2, verbose: 0, validationSplit: 0.25, callbacks: [es] });
    expect(Object.keys(h.history)).toEqual(['loss', 'auc', 'val_loss', 'val_auc']);
    expect(es.best).toBe(Math.max(...h.history.val_auc));
  });

  it('a name that is neither still gets the nearest one', () => {
    using m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracyy' as 'mse'] })).toThrow(/unknown metric "accuracyy" — did you mean 'accuracy'\?/);
  });
});

describe('the compiled optimizer reports the model\'s training; restoreBestWeights and learning_rate as Keras 3', () => {
  it('optimizer.iterations counts fit\'s steps as TF.js\'s; currentLearningRate() follows reduceLROnPlateau and model.learningRate', async () => {
    const { x, y } = blobs(30);
    const { n, t } = pair();
    using xs = nr.tensor(x);
    using ys = nr.tensor(y);
    try {
      const opt = optimizers.sgd({ learningRate: 0.3 });
      n.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      t.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy' });
      // After the first epoch, a plateau every epoch (minDelta huge): the rate halves after each.
      const h = await n.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 1e9 })] });
      await t.fit(tf.tensor(x), tf.tensor(y), { epochs: 3, batchSize: 8, verbose: 0 });
      expect(opt.iterations).toBe((t.optimizer as unknown as { iterations: number }).iterations);
      expect(opt.iterations).toBe(12);
      // The rate each epoch trained with (Keras 3 logs it as learning_rate), then the one the next step uses.
      expect(h.history.learning_rate).toEqual([0.3, 0.3, 0.15].map(Math.fround));
      expect(opt.currentLearningRate()).toBe(0.075);
      expect(n.learningRate).toBe(0.075);
      n.learningRate = 0.01;
      expect(opt.currentLearningRate()).toBe(0.01);
      // The optimizer's rate is the rate in effect, as Keras's model.optimizer.learning_rate (a
      // saved compile config holds it too; the training state keeps 0.3 and the scale).
      expect([opt.learningRate, opt.getConfig().learningRate]).toEqual([0.01, 0.01]);
      expect((nr.exportTrainingState(n).optimizer as { learningRate: number }).learningRate).toBe(0.3);
      // Assigning it (a TF.js habit) would not reach the model: an error that says what to do first.
      expect(() => ((opt as { learningRate: number }).learningRate = 0.1)).toThrow(/^optimizer\.learningRate: this sgd optimizer is compiled into model \S+, whose trainer holds its rate: set model\.learningRate = 0\.1 \(it keeps the optimizer's state/);
      // Once the model is disposed (or compiled with another optimizer), the optimizer reports its own.
      n.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      expect([opt.iterations, opt.currentLearningRate(), opt.learningRate]).toEqual([0, 0.3, 0.3]);
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it('restoreBestWeights puts back the best epoch\'s weights also when the epochs run out (Keras 3), not only when it stops', async () => {
    // lr 0.8 on y = 3x overshoots further each step: the loss is lowest after the first epoch, then grows.
    using m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: 'zeros' })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.8 }), loss: 'mse' });
    using x = nr.tensor([[1], [2]]);
    using y = nr.tensor([[3], [6]]);
    const seen: Array<{ loss: number; w: number }> = [];
    const w0 = (): number => {
      const ws = m.getWeights();
      const v = ws[0].dataSync()[0];
      nr.dispose(ws);
      return v;
    };
    const stopper = callbacks.earlyStopping({ monitor: 'loss', patience: 10, restoreBestWeights: true });
    const record = { onEpochEnd: (_e: number, l?: nr.Logs) => void seen.push({ loss: l!.loss, w: w0() }) };
    await m.fit(x, y, { epochs: 5, batchSize: 2, verbose: 0, callbacks: [stopper, record] });
    expect(stopper.stoppedEpoch).toBe(0);
    const best = seen.reduce((a, b) => (b.loss < a.loss ? b : a));
    expect(best).not.toBe(seen.at(-1));
    expect(w0()).toBe(best.w);
  });
});

describe("a custom loop on a compiled model changes the rate with model.learningRate, keeping Adam's state (TF.js: model.optimizer.learningRate = x)", () => {
  it('20 minimize steps of adam(0.05), the rate cut to 0.005 after 10, match TF.js', () => {
    const { x, y } = blobs(24, 5);
    const { n, t } = pair(7);
    const [tx, ty] = [tf.tensor(x), tf.tensor(y)];
    using nx = nr.tensor(x);
    using ny = nr.tensor(y);
    try {
      const opt = optimizers.adam(0.05);
      n.compile({ optimizer: opt, loss: 'meanSquaredError' });
      t.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      const tVars = t.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let step = 0; step < 20; step++) {
        if (step === 10) {
          n.learningRate = 0.005;
          (t.optimizer as unknown as { learningRate: number }).learningRate = 0.005;
          // The rate is the compiled 0.05 times a float32 factor: 0.005 within a float32 step.
          expect(opt.iterations).toBe(10);
          expect(Math.abs(opt.currentLearningRate() - 0.005)).toBeLessThan(1e-9);
        }
        tf.tidy(() => {
          t.optimizer.minimize(() => tf.mean(tf.square(tf.sub(t.apply(tx) as tf.Tensor, ty))) as tf.Scalar, false, tVars);
        });
        nr.tidy(() => opt.minimize(() => nr.losses.meanSquaredError(ny, n.apply(nx) as nr.Tensor), false, n.trainableWeights));
      }
      expect(opt.iterations).toBe(20);
      // As the file's other comparisons: float32 on both sides, different operation order.
      expect(maxDiff(nrWeights(n), flat(t.getWeights()))).toBeLessThan(2e-5);
    } finally {
      tf.dispose([tx, ty]);
      n.dispose();
      t.dispose();
    }
  });
});
