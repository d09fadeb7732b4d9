// activityRegularizer on conv2d, conv2dTranspose and conv1d (TF.js and Keras take it on every
// convolution): the penalty (l1·Σ|y| + l2·Σy²)/batch on the layer's output, as dense's. TF.js
// refuses to run a layer with an activity regularizer, so its reference is TF.js's loss and
// gradients with the penalty written out on its layers' outputs (the closed form), as
// test/model.test.ts does for dense. A 1×1 conv2d on a 1×1 image is a dense layer: both give the
// same losses with the same penalty.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { close, copyLayerWeights, rng, uniform } from './oracle.js';
import { thrown } from './setup.js';

await tf.setBackend('cpu');
const { layers, regularizers, optimizers } = nr;
const message = (f: () => unknown): string => String((thrown(f) as Error | undefined)?.message);

type Reg = { l1: number; l2: number } | null;
const penalty = (y: tf.Tensor, r: Reg, n: number): tf.Tensor =>
  r ? tf.div(tf.add(tf.mul(r.l1, tf.sum(tf.abs(y))), tf.mul(r.l2, tf.sum(tf.square(y)))), n) : tf.scalar(0);

/** A sparse convolutional autoencoder against TF.js with the penalties written out. */
function checkAgainstTfjs(name: string, build: () => Array<[nr.Layer, tfl.layers.Layer, Reg]>, inShape: number[], loss: 'meanSquaredError' | 'binaryCrossentropy', seed: number) {
  it(`${name}: trainOnBatch's loss and step, evaluate's loss and regularization are TF.js's with the penalties`, () => {
    const pairs = build();
    const n = inShape[0];
    const m = nr.sequential({ seed, layers: pairs.map((p) => p[0]) });
    const t = tfl.sequential({ layers: pairs.map((p) => p[1]) });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss });
    m.build();
    copyLayerWeights(m, t);
    const r = rng(seed);
    const size = inShape.reduce((a, b) => a * b, 1);
    const x = uniform(r, size, 0, 1);
    const [tx] = [tf.tensor(x, inShape)];
    const outShape = t.outputs[0].shape.map((d, i) => (i === 0 ? n : (d as number)));
    const y = uniform(r, outShape.reduce((a, b) => a * b, 1), 0.05, 0.95);
    const ty = tf.tensor(y, outShape);
    const vars = t.trainableWeights.map((w) => w.read() as tf.Variable);
    const parts = () => {
      let h: tf.Tensor = tx;
      let pen: tf.Tensor = tf.scalar(0);
      for (const [, tl, reg] of pairs) {
        h = tl.apply(h) as tf.Tensor;
        pen = tf.add(pen, penalty(h, reg, n));
      }
      const data = loss === 'meanSquaredError' ? tf.mean(tf.square(tf.sub(h, ty))) : tf.mean(tfl.metrics.binaryCrossentropy(ty, h));
      return { data, pen };
    };
    const total = () => { const { data, pen } = parts(); return tf.add(data, pen) as tf.Scalar; };
    const [dataTf, penTf] = tf.tidy(() => { const { data, pen } = parts(); return [data.dataSync()[0], pen.dataSync()[0]]; });
    expect(penTf).toBeGreaterThan(1e-3);
    const { value, grads } = tf.variableGrads(total, vars);
    const ev = nr.tidy(() => m.evaluate(nr.tensor(x, inShape), nr.tensor(y, outShape), { returnDict: true }));
    close([ev.loss, ev.regularization], [dataTf, penTf], 1e-5, `${name}: evaluate`);
    const before = m.layers.flatMap((l) => l.getWeights().map((w) => { const d = w.dataSync().slice(); w.dispose(); return d; }));
    const lossNr = nr.tidy(() => m.trainOnBatch(nr.tensor(x, inShape), nr.tensor(y, outShape)) as number);
    const after = m.layers.flatMap((l) => l.getWeights().map((w) => { const d = w.dataSync().slice(); w.dispose(); return d; }));
    close([lossNr], [value.dataSync()[0]], 1e-5, `${name}: trainOnBatch loss`);
    before.forEach((b, i) => close(b.map((v, k) => v - after[i][k]), grads[vars[i].name].dataSync(), 2e-4, `${name}: step of weight ${i}`));
    tf.dispose([tx, ty, value, ...Object.values(grads)]);
    m.dispose();
    t.dispose();
  });
}

describe('activityRegularizer on convolutions', () => {
  checkAgainstTfjs('conv2d relu (l1) → conv2dTranspose sigmoid (l2), binaryCrossentropy (fused sigmoid path)', () => [
    [layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', activityRegularizer: regularizers.l1({ l1: 0.05 }) }),
      tfl.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), { l1: 0.05, l2: 0 }],
    [layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', activityRegularizer: regularizers.l2({ l2: 0.03 }) }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }), { l1: 0, l2: 0.03 }],
  ], [4, 6, 5, 2], 'binaryCrossentropy', 3);

  checkAgainstTfjs('conv2d tanh (l1l2) → conv2d linear, meanSquaredError', () => [
    [layers.conv2d({ inputShape: [5, 7, 1], filters: 4, kernelSize: [2, 3], activation: 'tanh', activityRegularizer: regularizers.l1l2({ l1: 0.02, l2: 0.04 }) }),
      tfl.layers.conv2d({ inputShape: [5, 7, 1], filters: 4, kernelSize: [2, 3], activation: 'tanh' }), { l1: 0.02, l2: 0.04 }],
    [layers.conv2d({ filters: 1, kernelSize: 1 }), tfl.layers.conv2d({ filters: 1, kernelSize: 1 }), null],
  ], [3, 5, 7, 1], 'meanSquaredError', 5);

  checkAgainstTfjs('conv1d relu (l1) → conv1d linear, meanSquaredError', () => [
    [layers.conv1d({ inputShape: [9, 2], filters: 3, kernelSize: 3, activation: 'relu', activityRegularizer: 'l1' }),
      tfl.layers.conv1d({ inputShape: [9, 2], filters: 3, kernelSize: 3, activation: 'relu' }), { l1: 0.01, l2: 0 }],
    [layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same' }), tfl.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'same' }), null],
  ], [5, 9, 2], 'meanSquaredError', 7);

  it('a 1×1 conv2d on 1×1 images trains as the dense layer with the same weights and penalty', async () => {
    const reg = regularizers.l1l2({ l1: 0.03, l2: 0.02 });
    const conv = nr.sequential({ seed: 1, layers: [layers.conv2d({ inputShape: [1, 1, 4], filters: 3, kernelSize: 1, activation: 'sigmoid', activityRegularizer: reg }), layers.flatten(), layers.dense({ units: 2 })] });
    const dense = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [4], units: 3, activation: 'sigmoid', activityRegularizer: reg }), layers.dense({ units: 2 })] });
    for (const m of [conv, dense]) m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    conv.build();
    dense.build();
    const w = conv.layers[0].getWeights();
    dense.layers[0].setWeights([nr.reshape(w[0], [4, 3]), w[1]]);
    dense.layers[1].setWeights(conv.layers[2].getWeights());
    const r = rng(9);
    const [x, y] = [uniform(r, 16 * 4, -1, 1), uniform(r, 16 * 2, -1, 1)];
    const hc = await conv.fit(nr.tensor(x, [16, 1, 1, 4]), nr.tensor(y, [16, 2]), { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const hd = await dense.fit(nr.tensor(x, [16, 4]), nr.tensor(y, [16, 2]), { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    close(hc.history.loss as number[], hd.history.loss as number[], 1e-6, 'fit losses');
    close(hc.history.regularization as number[], hd.history.regularization as number[], 1e-6, 'fit regularization');
    expect((hc.history.regularization as number[])[0]).toBeGreaterThan(0);
    conv.dispose();
    dense.dispose();
  });

  it('is saved (Keras activity_regularizer L1L2) and loaded; klSparsity and bad values are refused', async () => {
    const a = nr.sequential({ layers: [layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, activityRegularizer: regularizers.l1({ l1: 0.5 }) }), layers.conv2dTranspose({ filters: 1, kernelSize: 3, activityRegularizer: 'l2' })] });
    const art = await a.toArtifacts();
    const cfg = JSON.stringify(art.modelTopology);
    expect(cfg).toContain('"activity_regularizer":{"class_name":"L1L2","config":{"l1":0.5,"l2":0}}');
    expect(cfg).toContain('"activity_regularizer":{"class_name":"L1L2","config":{"l1":0,"l2":0.01}}');
    const b = (await nr.loadModel(art)) as nr.Sequential;
    const x = nr.tensor(uniform(rng(2), 2 * 16, 0, 1), [2, 4, 4, 1]);
    const target = nr.zeros([2, 4, 4, 1]);
    for (const s of [a, b]) s.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [ea, eb] = [a, b].map((s) => s.evaluate(x, target, { returnDict: true }));
    expect(ea.regularization).toBeGreaterThan(0);
    expect(eb).toEqual(ea);
    expect(message(() => layers.conv2d({ filters: 1, kernelSize: 1, activityRegularizer: regularizers.klSparsity() as never }))).toMatch(/^conv2d: activityRegularizer: klSparsity is for dense layers only/);
    expect(message(() => layers.conv1d({ filters: 1, kernelSize: 1, activityRegularizer: { l1: -1, l2: 0 } }))).toMatch(/^conv1d: activityRegularizer/);
    expect(message(() => layers.conv2d({ filters: 1, kernelSize: 1, activityRegulariser: 'l1' } as never))).toMatch(/did you mean 'activityRegularizer'/);
    for (const t of [x, target]) t.dispose();
    a.dispose();
    b.dispose();
  });

  it('a graph model refuses to call a convolution with an activity penalty twice (one loss term per call)', () => {
    const c = layers.conv2d({ filters: 1, kernelSize: 1, name: 'sparse', activityRegularizer: 'l1' });
    const i1 = nr.input({ shape: [3, 3, 1] });
    const i2 = nr.input({ shape: [3, 3, 1] });
    expect(() => nr.model({ inputs: [i1, i2], outputs: layers.add().apply([c.apply(i1), c.apply(i2)]) as nr.SymbolicTensor })).toThrow(/layer sparse is used more than once but it is \(or holds\) a conv2d layer with an activity regularizer/);
  });
});
