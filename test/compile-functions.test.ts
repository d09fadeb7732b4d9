/**
 * `compile` with a loss function and metric functions (TF.js's `compile({ loss: fn, metrics:
 * [fn, 'precision'] })`): against TF.js Layers trained from the same weights on the same data
 * (SGD and Adam, a partial last batch), the losses computed in closed form, the error paths,
 * memory, saving.
 */
import { describe, expect, it } from 'vitest';
import { tf, copyLayerWeights, rng } from './oracle.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';

const N = 23; // batches of 8: 8, 8, 7
const IN = 5;
const OUT = 3;

function data(seed: number, n = N, out = OUT): { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  return { x: Float32Array.from({ length: n * IN }, () => r() * 2 - 1), y: Float32Array.from({ length: n * out }, () => r() * 2 - 1) };
}

/** A neurite model and a TF.js model with the same weights (dense 8 tanh, dense OUT linear). */
function pair(out = OUT, act: 'linear' | 'sigmoid' = 'linear') {
  const n = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), nr.layers.dense({ units: out, activation: act })] });
  n.build();
  const t = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN] }), tfl.layers.dense({ units: out, activation: act })] });
  copyLayerWeights(n, t);
  return { n, t };
}

// The same expressions in both libraries.
const nrWeightedMse = function weightedMse(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.mean(nr.mul(nr.square(nr.sub(yPred, yTrue)), nr.tensor([1, 2, 0.5])), -1);
};
const tfWeightedMse = function weightedMse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.mean(tf.mul(tf.square(tf.sub(yPred, yTrue)), tf.tensor([1, 2, 0.5])), -1);
};
// Huber-like (pseudo-Huber, delta 0.5), summed over axis 1.
const nrPseudoHuber = function pseudoHuber(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  const d = nr.div(nr.sub(yPred, yTrue), 0.5);
  return nr.sum(nr.mul(0.25, nr.sub(nr.sqrt(nr.add(1, nr.square(d))), 1)), 1);
};
const tfPseudoHuber = function pseudoHuber(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const d = tf.div(tf.sub(yPred, yTrue), 0.5);
  return tf.sum(tf.mul(0.25, tf.sub(tf.sqrt(tf.add(1, tf.square(d))), 1)), 1);
};
const nrMaxErr = function maxErr(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.max(nr.abs(nr.sub(yPred, yTrue)), -1);
};
const tfMaxErr = function maxErr(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.max(tf.abs(tf.sub(yPred, yTrue)), -1);
};

async function against(opts: { nrOpt: () => nr.Optimizer; tfOpt: () => tf.Optimizer; nrLoss: nr.LossFunction; tfLoss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; epochs: number }) {
  const { n, t } = pair();
  const { x, y } = data(3);
  const v = data(4, 9);
  n.compile({ optimizer: opts.nrOpt(), loss: opts.nrLoss, metrics: [nrMaxErr, 'mae'] });
  t.compile({ optimizer: opts.tfOpt(), loss: opts.tfLoss, metrics: [tfMaxErr, 'mae'] });
  const [nx, ny, nvx, nvy] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT]), nr.tensor(v.x, [9, IN]), nr.tensor(v.y, [9, OUT])];
  const [tx, ty, tvx, tvy] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, OUT]), tf.tensor(v.x, [9, IN]), tf.tensor(v.y, [9, OUT])];
  const ours = await n.fit(nx, ny, { epochs: opts.epochs, batchSize: 8, shuffle: false, validationData: [nvx, nvy], verbose: 0 });
  const theirs = await t.fit(tx, ty, { epochs: opts.epochs, batchSize: 8, shuffle: false, validationData: [tvx, tvy], verbose: 0 });
  const w = n.getWeights();
  const tw = t.getWeights();
  w.forEach((a, i) => expectClose(a.data(), tw[i].dataSync(), 2e-5));
  expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
  for (const k of Object.keys(theirs.history)) expectClose(ours.history[k], theirs.history[k] as number[], 2e-5);
  nr.dispose([...w, nx, ny, nvx, nvy, n]);
  tf.dispose([tx, ty, tvx, tvy]);
  t.dispose();
}

describe('compile({ loss: fn }) against TF.js', () => {
  it('weighted MSE, SGD: weights and history (loss, a metric function, mae, val_*) after 4 epochs', () =>
    against({ nrOpt: () => nr.optimizers.sgd(0.1), tfOpt: () => tf.train.sgd(0.1), nrLoss: nrWeightedMse, tfLoss: tfWeightedMse, epochs: 4 }));
  it('pseudo-Huber summed over axis 1, Adam', () =>
    against({ nrOpt: () => nr.optimizers.adam(0.01), tfOpt: () => tf.train.adam(0.01), nrLoss: nrPseudoHuber, tfLoss: tfPseudoHuber, epochs: 3 }));
});

describe('metric functions and metrics.* names with a named loss (the fused step)', () => {
  it("'accuracy', 'binaryCrossentropy' and a function match TF.js's history (epoch values weighted by batch size; 'precision' and 'recall' are Keras 3's accumulated ones: test/stateful-metrics.test.ts)", async () => {
    const { n, t } = pair(1, 'sigmoid');
    const { x } = data(5);
    const y = Float32Array.from({ length: N }, (_, i) => (x[i * IN] + x[i * IN + 1] > 0 ? 1 : 0));
    const nrBias = function meanPred(_t: nr.Tensor, p: nr.Tensor): nr.Tensor {
      return p;
    };
    const tfBias = function meanPred(_t: tf.Tensor, p: tf.Tensor): tf.Tensor {
      return p;
    };
    n.compile({ optimizer: nr.optimizers.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['accuracy', 'binaryCrossentropy', nrBias] });
    // TF.js's compile does not take 'binaryCrossentropy' by name: its function, logged under its name.
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['accuracy', tfl.metrics.binaryCrossentropy, tfBias] });
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 1])];
    const [tx, ty] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, 1])];
    const ours = await n.fit(nx, ny, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const theirs = await t.fit(tx, ty, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
    for (const k of Object.keys(theirs.history)) expectClose(ours.history[k], theirs.history[k] as number[], 2e-5);
    // evaluate: batches of 10, 10, 3 weighted by size.
    const e = n.evaluate(nx, ny, { batchSize: 10 }) as nr.Tensor[];
    const te = t.evaluate(tx, ty, { batchSize: 10 }) as tf.Scalar[];
    expectClose(e.map((s) => s.item()), te.map((s) => s.dataSync()[0]), 2e-5);
    nr.dispose([...e, nx, ny, n]);
    tf.dispose([tx, ty, ...te]);
    t.dispose();
  });
});

describe('a loss function that computes MSE trains as the named mse', () => {
  const fnMse = (yTrue: nr.Tensor, yPred: nr.Tensor) => nr.mean(nr.square(nr.sub(yPred, yTrue)), -1);
  async function train(loss: nr.CompileArgs['loss'], args: nr.FitArgs, opt = () => nr.optimizers.adam(0.02)) {
    const { n } = pair();
    const { x, y } = data(9);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    n.compile({ optimizer: opt(), loss });
    const h = await n.fit(nx, ny, { epochs: 3, batchSize: 8, verbose: 0, ...args });
    const w = n.getWeights().map((t) => t.data());
    nr.dispose([nx, ny, n]);
    return { h, w };
  }
  it('same weights and losses (shuffle off)', async () => {
    const a = await train(fnMse, { shuffle: false });
    const b = await train('mse', { shuffle: false });
    a.w.forEach((w, i) => expectClose(w, b.w[i], 1e-5));
    expectClose(a.h.history.loss, b.h.history.loss, 1e-5);
  });
  it('shuffled: the same seed gives the same bits, another seed other weights', async () => {
    const a = await train(fnMse, { seed: 3 });
    const b = await train(fnMse, { seed: 3 });
    const c = await train(fnMse, { seed: 4 });
    a.w.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b.w[i])));
    expect(Array.from(a.w[0])).not.toEqual(Array.from(c.w[0]));
  });
  it('sampleWeight: weights of 2 with SGD(0.05) train as no weights with SGD(0.1)', async () => {
    const a = await train(fnMse, { shuffle: false, sampleWeight: new Array(N).fill(2) }, () => nr.optimizers.sgd(0.05));
    const b = await train(fnMse, { shuffle: false }, () => nr.optimizers.sgd(0.1));
    a.w.forEach((w, i) => expectClose(w, b.w[i], 1e-5));
    expectClose(a.h.history.loss.map((v) => v / 2), b.h.history.loss, 1e-5);
  });
  it('trainOnBatch and evaluate: the closed form', () => {
    const { n } = pair();
    const { x, y } = data(11);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    n.compile({ optimizer: nr.optimizers.sgd(0.1), loss: fnMse, metrics: ['mse'] });
    const p = n.predict(nx);
    const want = p.data().reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / (N * OUT);
    const got = n.evaluate(nx, ny, { batchSize: 5, returnDict: true });
    expectClose([got.loss, got.mse], [want, want], 1e-5);
    const r = n.trainOnBatch(nx, ny) as number[];
    expectClose(r, [want, want], 1e-5);
    // The step moved the weights down the gradient.
    expect(n.evaluate(nx, ny, { returnDict: true }).loss).toBeLessThan(want);
    nr.dispose([p, nx, ny, n]);
  });
  it('fitDataset and evaluateDataset', async () => {
    const { n } = pair();
    const { x, y } = data(12);
    const rows = (a: Float32Array, w: number) => Array.from({ length: N }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w)));
    const ds = nr.data.zip({ xs: nr.data.array(rows(x, IN)), ys: nr.data.array(rows(y, OUT)) }).batch(8);
    n.compile({ optimizer: nr.optimizers.sgd(0.1), loss: fnMse, metrics: [nrMaxErr] });
    const h = await n.fitDataset(ds, { epochs: 2, verbose: 0 });
    expect(h.history.loss).toHaveLength(2);
    expect(h.history.maxErr).toHaveLength(2);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    const e = await n.evaluateDataset(ds, { returnDict: true });
    const f = n.evaluate(nx, ny, { batchSize: 8, returnDict: true });
    expectClose([e.loss, e.maxErr], [f.loss, f.maxErr], 1e-6);
    nr.dispose([nx, ny, n]);
  });
});

describe('targets of one axis fewer than the output', () => {
  // TF.js makes a 1-D target [n, 1] before the loss (Keras 3 expands it too): a function's
  // sub(yPred, yTrue) then subtracts row by row. Here yTrue was [b] against yPred [b, 1], and
  // the difference broadcast to [b, b]: a mean squared error as a function trained toward the
  // mean, and a metric function logged 9.47 where the error was 0.
  it('a 1-D y with a loss function and metric functions trains as TF.js (which expands it to [n, 1]); mape accepts it', async () => {
    const { n, t } = pair(1);
    const { x, y } = data(21, N, 1);
    const nrMse = function sqErr(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
      return nr.mean(nr.square(nr.sub(yPred, yTrue)), -1);
    };
    const tfMse = function sqErr(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
      return tf.mean(tf.square(tf.sub(yPred, yTrue)), -1);
    };
    n.compile({ optimizer: nr.optimizers.sgd(0.1), loss: nrMse, metrics: [nrMaxErr, 'mae', 'mape'] });
    t.compile({ optimizer: tf.train.sgd(0.1), loss: tfMse, metrics: [tfMaxErr, 'mae', 'mape'] });
    const [nx, ny, tx, ty] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N]), tf.tensor(x, [N, IN]), tf.tensor(y, [N])];
    const ours = await n.fit(nx, ny, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const theirs = await t.fit(tx, ty, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    for (const k of ['loss', 'maxErr', 'mae']) expectClose(ours.history[k], theirs.history[k] as number[], 2e-5);
    expectClose(ours.history.mape, theirs.history.mape as number[], 1e-4);
    const nw = n.getWeights();
    expectClose(nw[2].dataSync(), t.getWeights()[2].dataSync(), 2e-5);
    // evaluate and a dataset of scalar targets (batched to [b]) read them the same way.
    const e = n.evaluate(nx, ny, { batchSize: 5, returnDict: true });
    const col = ny.reshape([N, 1]);
    const f = n.evaluate(nx, col, { batchSize: 5, returnDict: true });
    expectClose([e.loss, e.maxErr, e.mape], [f.loss, f.maxErr, f.mape], 1e-7);
    const ds = nr.data.zip({ xs: nr.data.array(Array.from({ length: N }, (_, i) => Array.from(x.subarray(i * IN, (i + 1) * IN)))), ys: nr.data.array(Array.from(y)) }).batch(8);
    const d = await n.evaluateDataset(ds, { returnDict: true });
    const g = n.evaluate(nx, col, { batchSize: 8, returnDict: true });
    expectClose([d.loss, d.maxErr], [g.loss, g.maxErr], 1e-6);
    nr.dispose([nx, ny, col, n, ...nw]);
    tf.dispose([tx, ty]);
    t.dispose();
  });
});

describe('several outputs', () => {
  function twoHeads() {
    const inp = nr.input({ shape: [IN] });
    const hidden = nr.layers.dense({ units: 6, activation: 'tanh' }).apply(inp) as nr.SymbolicTensor;
    const a = nr.layers.dense({ units: 2, name: 'a' }).apply(hidden) as nr.SymbolicTensor;
    const b = nr.layers.dense({ units: 1, name: 'b' }).apply(hidden) as nr.SymbolicTensor;
    return nr.model({ inputs: inp, outputs: [a, b], seed: 5 });
  }
  it('a function for one output and a name for the other, lossWeights: the closed form; fit logs <output>_loss and <output>_<metric>', async () => {
    const m = twoHeads();
    const { x, y } = data(21, N, 3);
    const nx = nr.tensor(x, [N, IN]);
    const ya = nr.tensor(Float32Array.from({ length: N * 2 }, (_, i) => y[Math.floor(i / 2) * 3 + (i % 2)]), [N, 2]);
    const yb = nr.tensor(Float32Array.from({ length: N }, (_, i) => y[i * 3 + 2]), [N, 1]);
    m.compile({ optimizer: nr.optimizers.sgd(0.05), loss: { a: nrPseudoHuber, b: 'mse' }, lossWeights: { a: 2 }, metrics: { a: [nrMaxErr] } });
    const [pa, pb] = m.predict<nr.Tensor[]>(nx);
    const want = nr.tidy(() => [nr.mean(nrPseudoHuber(ya, pa)).item(), nr.mean(nr.square(nr.sub(pb, yb))).item(), nr.mean(nrMaxErr(ya, pa)).item()]);
    const e = m.evaluate(nx, [ya, yb], { batchSize: 7, returnDict: true });
    expectClose([e.a_loss, e.b_loss, e.a_maxErr, e.loss], [...want, 2 * want[0] + want[1]], 1e-5);
    const h = await m.fit(nx, { a: ya, b: yb }, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['a_loss', 'a_maxErr', 'b_loss', 'loss']);
    h.history.loss.forEach((l, i) => expectClose([l], [2 * h.history.a_loss[i] + h.history.b_loss[i]], 1e-5));
    expect(h.history.loss[1]).toBeLessThan(h.history.loss[0]);
    nr.dispose([pa, pb, nx, ya, yb, m]);
  });
});

describe('errors name the function and leave the model usable', () => {
  function setup(loss: unknown, metrics?: unknown) {
    const { n } = pair();
    const { x, y } = data(31);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    n.compile({ optimizer: nr.optimizers.sgd(0.1), loss: loss as nr.LossFunction, ...(metrics ? { metrics: metrics as nr.MetricSpec } : {}) });
    return { n, nx, ny };
  }
  const cases: Array<[string, unknown, RegExp]> = [
    // The user's own error goes on untouched (its message was prefixed in place: a
    // DOMException's has no setter, so signal.throwIfAborted() gave a TypeError).
    ['throws', function bad() { throw new Error('boom'); }, /^boom$/],
    ['throws an AbortError', function aborted() { AbortSignal.abort().throwIfAborted(); }, /aborted/],
    ['throws a frozen error', function frozen() { throw Object.freeze(new Error('frozen error')); }, /^frozen error$/],
    ['makes an op throw', function shapes(t: nr.Tensor, p: nr.Tensor) { return nr.matMul(t, p); }, /^fit: the loss function 'shapes' threw: matMul: /],
    ['returns a number', function num() { return 3; }, /fit: the loss function 'num' returned 3; it must return a Tensor/],
    // A result of another shape is averaged, as TF.js (with weights it must be one per sample): test/custom-loss-shapes.test.ts.
    ['returns NaN', function nan(t: nr.Tensor) { return nr.mul(nr.mean(t, -1), NaN); }, /fit: the loss function 'nan' gave NaN on this batch \(nothing was updated\)/],
    ['does not use yPred', function constant(t: nr.Tensor) { return nr.mean(t, -1); }, /fit: the loss does not depend on the model's output \(yPred\), so the weights get no gradient/],
  ];
  for (const [what, fn, msg] of cases) {
    it(`a loss function that ${what}`, async () => {
      const { n, nx, ny } = setup(fn);
      const before = n.getWeights().map((w) => w.data());
      const tensors = nr.memory().numTensors;
      await expect(n.fit(nx, ny, { batchSize: 8, verbose: 0 })).rejects.toThrow(msg);
      expect(nr.memory().numTensors).toBe(tensors);
      const after = n.getWeights().map((w) => w.data());
      before.forEach((w, i) => expect(Array.from(after[i])).toEqual(Array.from(w)));
      // Usable: recompiled with a good loss, it trains.
      n.compile({ optimizer: nr.optimizers.sgd(0.1), loss: 'mse' });
      await n.fit(nx, ny, { verbose: 0 });
      nr.dispose([nx, ny, n]);
    });
  }
  it("the user's error from a loss function, thrown again in a later fit, keeps its name, class and message (an AbortError stays one)", async () => {
    const shared = new Error('stop: budget exceeded');
    const { n, nx, ny } = setup(function myLoss() { throw shared; });
    for (let i = 0; i < 2; i++) await expect(n.fit(nx, ny, { batchSize: 8, verbose: 0 })).rejects.toBe(shared);
    expect(shared.message).toBe('stop: budget exceeded');
    n.compile({ optimizer: 'sgd', loss: function cancelled() { AbortSignal.abort().throwIfAborted(); return nr.scalar(0); } });
    const e = await n.fit(nx, ny, { batchSize: 8, verbose: 0 }).then(() => null, (err: Error) => err);
    expect(e?.name).toBe('AbortError');
    nr.dispose([nx, ny, n]);
  });

  it('a metric function that disposes yTrue is named (the error named fit\'s y, which was intact)', async () => {
    const { n, nx, ny } = setup('mse', [function greedy(t: nr.Tensor, p: nr.Tensor) { const v = nr.mean(nr.abs(nr.sub(t, p)), -1); t.dispose(); return v; }]);
    await expect(n.fit(nx, ny, { batchSize: 8, verbose: 0 })).rejects.toThrow(/^fit: the metric function 'greedy' disposed yTrue, which fit still needs \(a loss or metric function must not dispose its arguments\)$/);
    expect(ny.isDisposed).toBe(false);
    nr.dispose([nx, ny, n]);
  });
  // A tester's fit said "the metric function '$p' threw": neurite's own function, minified in dist.
  it("a metric given by name that throws is named as given, not by its function's (minified) name", async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 3, inputShape: [3], activation: 'softmax' })] });
    using x = nr.randomUniform([8, 3], { seed: 1 });
    using y = nr.oneHot([0, 1, 2, 0, 1, 2, 0, 1], 3);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['sparseCategoricalCrossentropy'] });
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: the metric 'sparseCategoricalCrossentropy' threw: sparseCategoricalCrossentropy: targets must be class indices/);
    m.dispose();
  });
  it('a metric function that returns a non-tensor, in evaluate', () => {
    const { n, nx, ny } = setup('mse', [function half() { return 0.5; }]);
    expect(() => n.evaluate(nx, ny)).toThrow(/evaluate: the metric function 'half' returned 0.5; it must return a Tensor/);
    nr.dispose([nx, ny, n]);
  });
  it('compile: anonymous metric functions, clashing names, unknown names', () => {
    const { n } = pair();
    const f = (a: nr.Tensor) => a;
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: [(a: nr.Tensor) => a] })).toThrow(/metrics\[0\] is an anonymous function; a metric is logged under its function's name/);
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: [f, function f() { return nr.scalar(0); }] as nr.MetricSpec })).toThrow(/metrics\[0\] and metrics\[1\] are both logged as 'f'; each metric needs its own name \(rename one function\)$/);
    // Two names of one metric: no function to rename.
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy', 'acc'] })).toThrow(`compile: metrics[0] and metrics[1] are both logged as 'acc'; "accuracy" and "acc" are one metric: give it once`);
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: [function loss() { return nr.scalar(0); }] })).toThrow(/logged as 'loss'/);
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['AUCC' as never] })).toThrow(/unknown metric "AUCC" — did you mean 'auc'\?/);
    // Keras's metric objects by a name that is known: said as that (it suggested the name given).
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: [{ name: 'accuracy' } as never] })).toThrow(/^compile: metrics\[0\] is an object \(Object\), but 'accuracy' takes no \{ name, \.\.\.options \} form .*: give it as its name, 'accuracy'$/);
    expect(() => n.compile({ optimizer: 'sgd', loss: 'mse', metrics: [{ name: 'binaryAccuracy', threshold: 0.7 } as never] })).toThrow(/give it as its name, 'binaryAccuracy'; its options \(threshold\) have no equivalent here \(for Keras's BinaryAccuracy\(threshold\), write a metric function\)$/);
    nr.dispose([n]);
  });
});

describe('memory and saving', () => {
  it('no tensor leaks per batch or epoch (fit with validation, evaluate, trainOnBatch)', async () => {
    const { n } = pair();
    const { x, y } = data(41);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, OUT])];
    n.compile({ optimizer: nr.optimizers.adam(0.01), loss: nrWeightedMse, metrics: [nrMaxErr, 'precision', 'mae'] });
    await n.fit(nx, ny, { epochs: 1, batchSize: 8, verbose: 0 }); // creates the optimizer's state
    const start = nr.memory().numTensors;
    const [batches, epochs]: number[][] = [[], []];
    await n.fit(nx, ny, { epochs: 4, batchSize: 8, validationSplit: 0.2, verbose: 0, callbacks: { onBatchEnd: () => void batches.push(nr.memory().numTensors), onEpochEnd: () => void epochs.push(nr.memory().numTensors) } });
    expect(batches).toHaveLength(12);
    expect(new Set(batches).size).toBe(1);
    expect(new Set(epochs).size).toBe(1);
    n.trainOnBatch(nx, ny);
    n.evaluate(nx, ny, { returnDict: true });
    expect(nr.memory().numTensors).toBe(start);
    nr.dispose([nx, ny, n]);
  });
  it('a model compiled with a loss function saves its topology and weights, uncompiled (as TF.js); includeOptimizer is an error', async () => {
    const { n } = pair();
    n.compile({ optimizer: 'adam', loss: nrWeightedMse, metrics: ['mae'] });
    const a = await n.toArtifacts();
    expect(a.trainingConfig).toBeUndefined();
    expect(JSON.stringify(a.userDefinedMetadata ?? {})).not.toContain('compile');
    const l = (await nr.loadModel(a)) as nr.Sequential;
    const [w1, w2] = [n.getWeights(), l.getWeights()];
    w1.forEach((w, i) => expect(Array.from(w2[i].data())).toEqual(Array.from(w.data())));
    expect(() => l.evaluate(nr.zeros([1, IN]), nr.zeros([1, OUT]))).toThrow(/must be compiled first/);
    await expect(n.toArtifacts({ includeOptimizer: true })).rejects.toThrow(/compiled with a loss function, which cannot be saved/);
    // Metric functions are left out; the names beside them are saved (in TF.js's trainingConfig
    // those TF.js knows: its 'precision' is another metric than compile's Keras 3 one).
    n.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae', nrMaxErr, 'precision'] });
    const b = await n.toArtifacts();
    expect(b.trainingConfig?.metrics).toEqual(['mae']);
    const lb = (await nr.loadModel(b)) as nr.Sequential;
    expect(lb.metricsNames).toEqual(['loss', 'mae', 'precision']);
    nr.dispose([...w1, ...w2, n, l, lb]);
  });
});
