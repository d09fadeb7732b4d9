/**
 * The split training step (`ts/models/split-step.ts`, `crates/core/src/model/split.rs`): a loss
 * function's step is `fit`'s fused step cut in two around the loss. Checked against
 * - the fused step before the split: named-loss fits give the bits kept in
 *   `test/fixtures/fused-step-bits.json` (written by the build before the change; its two
 *   tanh cases re-recorded in session 48, when tanh became the simd128 kernel: losses within
 *   5e-8 of the old, the third case's bits unchanged);
 * - the named loss: a loss function computing MSE, with weight, bias and activity regularizers
 *   and dropout, trains as `'meanSquaredError'` (Adam and SGD, a partial last batch);
 * - TF.js Layers: a loss function with a kernel `l1l2` regularizer, the same initial weights
 *   and optimizer (TF.js adds the penalties to the loss it trains on and reports);
 * - a variational autoencoder with a loss function against the named-loss path (the KL term);
 * - the errors of the halves called out of order, with a wrong gradient, or a disposed model.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, copyLayerWeights, rng } from './oracle.js';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { stepBackward, stepCancel, stepForward } from '../ts/models/split-step.js';
import { FUSED_CASES, IN, N, data, regularizedMlp, trained, vae, type Trained } from './split-step-models.js';

describe('a named-loss fit gives the same bits as the fused step before the split', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/fused-step-bits.json', import.meta.url), 'utf8')) as Record<string, Trained>;
  for (const c of FUSED_CASES) {
    it(c.name, async () => {
      const got = await c.run();
      expect(got).toEqual(fixture[c.name]);
    });
  }
});

const fnMse = function mse(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
  return nr.mean(nr.square(nr.sub(yPred, yTrue)), -1);
};

describe('a loss function computing MSE trains as the named loss, with regularizers and dropout', () => {
  async function run(loss: nr.CompileArgs['loss'], opt: () => nr.Optimizer): Promise<Trained> {
    const m = regularizedMlp(3);
    const { x, y } = data(21, 3);
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])];
    m.compile({ optimizer: opt(), loss, metrics: ['mae'] });
    const r = await trained(m, nx, ny, { epochs: 4, batchSize: 8, shuffle: false });
    nr.dispose([nx, ny, m]);
    return r;
  }
  for (const [name, opt] of [['adam', () => nr.optimizers.adam(0.02)], ['sgd', () => nr.optimizers.sgd(0.1)]] as const) {
    it(`${name}: weights within 1e-6 relative, history (loss with the penalties, regularization, mae) too`, async () => {
      const a = await run(fnMse, opt);
      const b = await run('meanSquaredError', opt);
      expect(Object.keys(a.history).sort()).toEqual(['loss', 'mae', 'regularization']);
      expect(Object.keys(b.history).sort()).toEqual(Object.keys(a.history).sort());
      a.weights.forEach((w, i) => expectClose(w, b.weights[i], 1e-6, 1e-7));
      for (const k of Object.keys(b.history)) expectClose(a.history[k], b.history[k], 1e-6, 1e-7);
      // The penalties are a real part of the loss.
      expect(Math.min(...a.history.regularization)).toBeGreaterThan(0.05);
    });
  }
});

describe('against TF.js: a loss function with a kernel l1l2 regularizer', () => {
  const nrLoss = function wmse(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
    return nr.mean(nr.mul(nr.square(nr.sub(yPred, yTrue)), nr.tensor([1, 2, 0.5])), -1);
  };
  const tfLoss = function wmse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return tf.mean(tf.mul(tf.square(tf.sub(yPred, yTrue)), tf.tensor([1, 2, 0.5])), -1);
  };
  async function against(nrOpt: nr.Optimizer, tfOpt: tf.Optimizer, epochs: number): Promise<void> {
    const reg = { l1: 0.01, l2: 0.03 };
    const n = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN], kernelRegularizer: nr.regularizers.l1l2(reg) }), nr.layers.dense({ units: 3, kernelRegularizer: nr.regularizers.l1l2(reg) })] });
    n.build();
    const t = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN], kernelRegularizer: tfl.regularizers.l1l2(reg) }), tfl.layers.dense({ units: 3, kernelRegularizer: tfl.regularizers.l1l2(reg) })] });
    copyLayerWeights(n, t);
    const { x, y } = data(31, 3);
    n.compile({ optimizer: nrOpt, loss: nrLoss });
    t.compile({ optimizer: tfOpt, loss: tfLoss });
    const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])];
    const [tx, ty] = [tf.tensor(x, [N, IN]), tf.tensor(y, [N, 3])];
    const ours = await n.fit(nx, ny, { epochs, batchSize: 8, shuffle: false, verbose: 0 });
    const theirs = await t.fit(tx, ty, { epochs, batchSize: 8, shuffle: false, verbose: 0 });
    const w = n.getWeights();
    const tw = t.getWeights();
    w.forEach((a, i) => expectClose(a.data(), tw[i].dataSync(), 2e-5));
    // TF.js's loss is the data loss plus the penalties, as ours; it logs no 'regularization'.
    expectClose(ours.history.loss, theirs.history.loss as number[], 2e-5);
    expect(ours.history.regularization[0]).toBeGreaterThan(0.1);
    nr.dispose([...w, nx, ny, n]);
    tf.dispose([tx, ty]);
    t.dispose();
  }
  it('SGD, 4 epochs of batches 8, 8, 7', () => against(nr.optimizers.sgd(0.1), tf.train.sgd(0.1), 4));
  it('Adam, 3 epochs', () => against(nr.optimizers.adam(0.01), tf.train.adam(0.01), 3));
});

describe('a variational autoencoder with a loss function', () => {
  const sumSquares = function sse(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
    return nr.sum(nr.square(nr.sub(yPred, yTrue)), -1);
  };
  async function run(loss: nr.CompileArgs['loss']): Promise<Trained & { evaluated: Record<string, number> }> {
    const m = vae();
    const r0 = rng(8);
    const x = nr.tensor(Float32Array.from({ length: N * IN }, () => r0()), [N, IN]);
    const v = nr.tensor(Float32Array.from({ length: 9 * IN }, () => r0()), [9, IN]);
    m.compile({ optimizer: nr.optimizers.adam(0.01), loss });
    const r = await trained(m, x, null, { epochs: 3, batchSize: 8, shuffle: false, validationData: [v, v] });
    const evaluated = m.evaluate(x, x, { batchSize: 10, returnDict: true });
    nr.dispose([x, v, m, m.encoder, m.decoder]);
    return { ...r, evaluated };
  }
  it("trains as { name: 'meanSquaredError', reduction: 'sumOverFeatures' }: the loss includes the KL, logged as kl; so do val_loss and evaluate", async () => {
    const a = await run(sumSquares);
    const b = await run({ name: 'meanSquaredError', reduction: 'sumOverFeatures' });
    expect(Object.keys(a.history).sort()).toEqual(['kl', 'loss', 'val_kl', 'val_loss']);
    expect(Math.min(...a.history.kl, ...a.history.val_kl)).toBeGreaterThan(0);
    for (const k of Object.keys(b.history)) expectClose(a.history[k], b.history[k], 1e-5, 1e-7);
    a.weights.forEach((w, i) => expectClose(w, b.weights[i], 1e-5, 1e-6));
    expect(Object.keys(a.evaluated).sort()).toEqual(['kl', 'loss']);
    expectClose([a.evaluated.loss, a.evaluated.kl], [b.evaluated.loss, b.evaluated.kl], 1e-5, 1e-7);
  });
});

describe('the halves called out of order, with a wrong gradient, or on a disposed model', () => {
  function model(): { m: nr.Sequential; x: nr.Tensor } {
    const m = regularizedMlp(3);
    m.compile({ optimizer: nr.optimizers.sgd(0.1), loss: fnMse });
    return { m, x: nr.tensor(data(41, 3).x.subarray(0, 4 * IN), [4, IN]) };
  }
  it('backward without forward, forward twice, a wrong shape, a count of gradients, a cancelled step: errors, then a step works', () => {
    const { m, x } = model();
    const w0 = m.getWeights().map((t) => t.data());
    const g = nr.fill([4, 3], 0.1);
    expect(() => stepBackward('fit', m, [g], 1)).toThrow(/^fit: no training step is open: run the forward half first/);
    const [p] = stepForward('fit', m, x);
    expect(p.shape).toEqual([4, 3]);
    expect(() => stepForward('fit', m, x)).toThrow(/^fit: a training step is already open/);
    const wrong = nr.fill([4, 2], 0.1);
    const e = thrown(() => stepBackward('fit', m, [wrong], 1)) as Error;
    expect(e).toBeInstanceOf(nr.ShapeError);
    expect(e.message).toBe("fit: dL/dyPred has shape [4,2] but the model's output has shape [4,3]");
    // The failed backward closed the step; so does a wrong number of gradients, and a cancel.
    expect(() => stepBackward('fit', m, [g], 1)).toThrow(/no training step is open/);
    stepForward('fit', m, x).forEach((t) => t.dispose());
    expect(() => stepBackward('fit', m, [g, g], 1)).toThrow(/^fit: 2 gradients \(dL\/dyPred\) for a model with 1 output$/);
    stepForward('fit', m, x).forEach((t) => t.dispose());
    stepCancel(m);
    m.getWeights().forEach((t, i) => expect(Array.from(t.data())).toEqual(Array.from(w0[i])));
    // A step: the loss is the data loss given plus the penalties.
    stepForward('fit', m, x).forEach((t) => t.dispose());
    const r = stepBackward('fit', m, [g], 0.5);
    expect(r.regularization).toBeGreaterThan(0);
    expect(Math.abs(r.kl)).toBe(0);
    expect(r.loss).toBeCloseTo(0.5 + r.regularization, 6);
    expect(Array.from(m.getWeights()[0].data())).not.toEqual(Array.from(w0[0]));
    nr.dispose([p, g, wrong, x, m]);
  });
  it('a NaN gradient is refused and nothing is updated', () => {
    const { m, x } = model();
    const w0 = m.getWeights().map((t) => t.data());
    stepForward('fit', m, x).forEach((t) => t.dispose());
    const g = nr.fill([4, 3], NaN);
    expect(() => stepBackward('fit', m, [g], 1)).toThrow(new RegExp(`^fit: a gradient of \`kernel\` of layer '${m.layers[0].name}' is not finite`));
    m.getWeights().forEach((t, i) => expect(Array.from(t.data())).toEqual(Array.from(w0[i])));
    nr.dispose([g, x, m]);
  });
  it('the model disposed between the halves, or run by the loss function: errors, never a trap', async () => {
    const { m, x } = model();
    stepForward('fit', m, x).forEach((t) => t.dispose());
    m.dispose();
    const g = nr.fill([4, 3], 0.1);
    expect(() => stepBackward('fit', m, [g], 1)).toThrow(nr.DisposedError);
    expect(() => stepCancel(m)).not.toThrow();
    // A loss function that runs the model (predict) between the halves.
    const { m: m2, x: x2 } = model();
    const y2 = nr.fill([4, 3], 0);
    const sneaky = function sneaky(yTrue: nr.Tensor, yPred: nr.Tensor): nr.Tensor {
      return nr.add(fnMse(yTrue, yPred), nr.mul(0, nr.sum(m2.predict(x2) as nr.Tensor)));
    };
    m2.compile({ optimizer: nr.optimizers.sgd(0.1), loss: sneaky });
    const w0 = m2.getWeights().map((t) => t.data());
    await expect(m2.fit(x2, y2, { verbose: 0 })).rejects.toThrow(/^fit: the model ran \(forward, backward or an update\) between the step's forward and its backward/);
    m2.getWeights().forEach((t, i) => expect(Array.from(t.data())).toEqual(Array.from(w0[i])));
    // Still usable: a plain loss trains.
    m2.compile({ optimizer: nr.optimizers.sgd(0.1), loss: fnMse });
    const h = await m2.fit(x2, y2, { verbose: 0 });
    expect(h.history.loss[0]).toBeGreaterThan(0);
    nr.dispose([g, x, x2, y2, m2]);
  });
});
