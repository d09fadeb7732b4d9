// Tied maxima in max pooling against TF.js 4.22 (CPU backend). TF.js's global max pooling is
// tf.max over the steps (height and width), whose gradient is dy·(x == max): every tied position
// gets it; its windowed maxPool sends dy to one position, the first largest value of the window
// in row-major order (tfjs-backend-cpu's maxPoolPositions keeps a value only when it is larger
// than the best so far). Ties are common after a ReLU and in padded text (id 0 repeated gives
// identical embedding rows), so these are checked on such data, and a padded-text classifier
// trains to TF.js's weights.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { bitsAndDispose, close, copyLayerWeights, expectFitAsTfjs, rng, tf } from './oracle.js';

const { layers } = nr;

/** dL/dx of Σ w·model(x) in both libraries (neurite's weights copied into TF.js's model). */
function inputGrads(n: nr.Sequential, t: tfl.Sequential, x: number[], shape: number[], w: number[], outShape: number[]): [Float32Array, Float32Array] {
  n.build();
  copyLayerWeights(n, t);
  const got = nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, outShape)).sum())(nr.tensor(x, shape)).data());
  const want = tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(t.predict(xt) as tf.Tensor, tf.tensor(w, outShape))))(tf.tensor(x, shape)).dataSync() as Float32Array);
  return [got, want];
}

describe('global max pooling: a tied maximum\'s gradient goes to every tied position, as TF.js', () => {
  it('globalMaxPooling1d and 2d on inputs with ties (two and three way, ±0, a whole channel equal), several samples', () => {
    // [2 samples, 4 steps, 3 channels]: sample 0 ties 3 at steps 1 and 3 (channel 0), 5 at
    // steps 0, 1 and 2 (channel 1), +0 and −0 everywhere (channel 2); sample 1 has no tie.
    const x1 = [1, 5, 0, 3, 5, -0, 2, 5, 0, 3, -1, -0, 0.5, 1, 2, 0.25, 3, 1, 0.75, -2, 0, -1, 0.5, 4];
    const cases: Array<[string, () => [nr.Layer, tfl.layers.Layer], number[], number[], number[]]> = [
      ['globalMaxPooling1d', () => [layers.globalMaxPooling1d({ inputShape: [4, 3] }), tfl.layers.globalMaxPooling1d({ inputShape: [4, 3] })], x1, [2, 4, 3], [2, 3]],
      // The same values as [2, 2, 2, 3] images: the ties span rows and columns.
      ['globalMaxPooling2d', () => [layers.globalMaxPooling2d({ inputShape: [2, 2, 3] }), tfl.layers.globalMaxPooling2d({ inputShape: [2, 2, 3] })], x1, [2, 2, 2, 3], [2, 3]],
    ];
    for (const [name, make, x, shape, outShape] of cases) {
      const [nl, tl] = make();
      const n = nr.sequential({ layers: [nl] });
      const t = tfl.sequential({ layers: [tl] });
      const w = [1, -2, 0.5, 3, 1.5, -1];
      const [got, want] = inputGrads(n, t, x, shape, w, outShape);
      // Equal values (TF.js's dy·0 is −0 where dy < 0, neurite's zeros are +0).
      expect(Array.from(got, (v) => v + 0), name).toEqual(Array.from(want, (v) => v + 0));
      // The closed form: w where x equals its channel's maximum. Sample 0 of channel 0 has two
      // tied positions, channel 1 three, channel 2 all four.
      expect(Array.from(got.slice(0, 12)), name).toEqual([0, -2, 0.5, 1, -2, 0.5, 0, -2, 0.5, 1, 0, 0.5]);
      // The layer and neurite's max op agree (one rule).
      const op = nr.tidy(() => nr.grad((xt) => nr.max(xt.reshape([2, 4, 3]), 1).mul(nr.tensor(w, [2, 3])).sum())(nr.tensor(x, shape)).data());
      expect(Array.from(got), `${name}: max op`).toEqual(Array.from(op));
      n.dispose();
      t.dispose();
    }
  });

  it('after a ReLU (most positions tie at 0) behind a conv, with a trained-through dense layer: dL/dx as TF.js', () => {
    for (const [name, make, shape] of [
      ['1d', () => [
        [layers.conv1d({ inputShape: [7, 2], filters: 3, kernelSize: 2, activation: 'relu' }), tfl.layers.conv1d({ inputShape: [7, 2], filters: 3, kernelSize: 2, activation: 'relu' })],
        [layers.globalMaxPooling1d(), tfl.layers.globalMaxPooling1d({})],
        [layers.dense({ units: 2 }), tfl.layers.dense({ units: 2 })],
      ], [3, 7, 2]],
      ['2d', () => [
        [layers.conv2d({ inputShape: [5, 4, 1], filters: 2, kernelSize: 1, activation: 'relu' }), tfl.layers.conv2d({ inputShape: [5, 4, 1], filters: 2, kernelSize: 1, activation: 'relu' })],
        [layers.globalMaxPooling2d(), tfl.layers.globalMaxPooling2d({})],
        [layers.dense({ units: 2 }), tfl.layers.dense({ units: 2 })],
      ], [2, 5, 4, 1]],
    ] as Array<[string, () => Array<[nr.Layer, tfl.layers.Layer]>, number[]]>) {
      const pairs = make();
      const n = nr.sequential({ seed: 3, layers: pairs.map((p) => p[0]) });
      const t = tfl.sequential({ layers: pairs.map((p) => p[1]) });
      const size = shape.reduce((a, b) => a * b, 1);
      // Values on a grid of 0.5 with many repeats, so the pre-activations tie too.
      const x = Array.from({ length: size }, (_, i) => ((i * 7) % 5) * 0.5 - 1);
      const [got, want] = inputGrads(n, t, x, shape, [1, -1, 0.5, 2, -0.5, 1.5].slice(0, shape[0] * 2), [shape[0], 2]);
      close(got, want, 1e-6, `${name}: dL/dx`);
      expect(got.some((v) => v !== 0), name).toBe(true);
      n.dispose();
      t.dispose();
    }
  });

  it('without ties the rule is the argmax\'s: fit gives the bits of a whole-sequence maxPooling1d (one window, first maximum)', async () => {
    // Continuous inputs and no activation: no two steps are equal, so the two rules agree,
    // and with them every bit of training.
    const x = nr.randomUniform([12, 9, 3], { seed: 5 });
    const y = nr.randomUniform([12, 2], { seed: 6 });
    const make = (pool: nr.Layer[]) => nr.sequential({ seed: 4, layers: [layers.conv1d({ inputShape: [9, 3], filters: 4, kernelSize: 3 }), ...pool, layers.dense({ units: 2 })] });
    const global = make([layers.globalMaxPooling1d()]);
    const windowed = make([layers.maxPooling1d({ poolSize: 7 }), layers.flatten()]);
    global.build();
    windowed.build();
    const init = global.getWeights();
    windowed.setWeights(init);
    nr.dispose(init);
    const train = async (m: nr.Sequential) => {
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.2 }), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
      return bitsAndDispose(m.getWeights());
    };
    const a = await train(global);
    expect(a).toEqual(await train(windowed));
    nr.dispose([global, windowed, x, y]);
  });
});

describe('windowed max pooling: one position per window, TF.js CPU\'s (the first largest)', () => {
  it('maxPooling1d, maxPooling2d and the maxPool op on tied windows: dL/dx as TF.js', () => {
    // Sample 0: 5 at steps 0 and 1 (window 0), 2 at steps 2 and 3; sample 1: −1 four times
    // (ties of negative values), then 0 and −0 (equal); the last step is left out.
    const flat = [5, 5, 2, 2, 1, -1, 0, -1, -1, -1, -1, 0, -0, -0];
    const n = nr.sequential({ layers: [layers.maxPooling1d({ inputShape: [7, 1], poolSize: 2, strides: 2 })] });
    const t = tfl.sequential({ layers: [tfl.layers.maxPooling1d({ inputShape: [7, 1], poolSize: 2, strides: 2 })] });
    const w = [1, 2, 3, 4, 5, 6];
    const [got, want] = inputGrads(n, t, flat, [2, 7, 1], w, [2, 3, 1]);
    expect(Array.from(got, (v) => v + 0)).toEqual(Array.from(want, (v) => v + 0));
    expect(Array.from(got)).toEqual([1, 0, 2, 0, 3, 0, 0, 4, 0, 5, 0, 6, 0, 0]);
    n.dispose();
    t.dispose();
    const n2 = nr.sequential({ layers: [layers.maxPooling2d({ inputShape: [3, 3, 1], poolSize: 2, strides: 1 })] });
    const t2 = tfl.sequential({ layers: [tfl.layers.maxPooling2d({ inputShape: [3, 3, 1], poolSize: 2, strides: 1 })] });
    const img = [1, 4, 4, 4, 4, 0, -2, -2, -2];
    const [got2, want2] = inputGrads(n2, t2, img, [1, 3, 3, 1], [1, 10, 100, 1000], [1, 2, 2, 1]);
    expect(Array.from(got2, (v) => v + 0)).toEqual(Array.from(want2, (v) => v + 0));
    // Each window's first 4 in row-major order: (0,1) for the windows at (0,0) and (0,1),
    // (1,0) for the window at (1,0), (1,1) for the one at (1,1).
    expect(Array.from(got2)).toEqual([0, 11, 0, 100, 1000, 0, 0, 0, 0]);
    n2.dispose();
    t2.dispose();
    const op = nr.tidy(() => nr.grad((xt) => nr.maxPool(xt, 2, 1, 'valid').mul(nr.tensor([1, 10, 100, 1000], [1, 2, 2, 1])).sum())(nr.tensor(img, [1, 3, 3, 1])).data());
    expect(Array.from(op, (v) => v + 0)).toEqual(Array.from(want2, (v) => v + 0));
  });
});

describe('a padded-text classifier trains as TF.js', () => {
  it('embedding → conv1d relu → globalMaxPooling1d → dense softmax, SGD: losses and weights within 1e-5', async () => {
    // Sequences of 2-7 ids in 1..49, padded with 0 to length 10: the padding's identical rows
    // give tied conv outputs, and the ReLU ties more at 0.
    const [V, L, N] = [50, 10, 48];
    const r = rng(7);
    const x = new Float32Array(N * L);
    const y = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      const len = 2 + Math.floor(r() * 6);
      for (let j = 0; j < len; j++) x[i * L + j] = 1 + Math.floor(r() * (V - 1));
      y[i] = i % 3;
    }
    const make = (): Array<[nr.Layer, tfl.layers.Layer]> => [
      [layers.embedding({ inputDim: V, outputDim: 8, inputLength: L }), tfl.layers.embedding({ inputDim: V, outputDim: 8, inputLength: L })],
      [layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' })],
      [layers.globalMaxPooling1d(), tfl.layers.globalMaxPooling1d({})],
      [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    ];
    // The data has ties at the pooled maximum (else this test could not tell the rules apart):
    // count (sample, filter) pairs whose maximum over the steps is reached more than once.
    const probe = nr.sequential({ seed: 1, layers: make().slice(0, 2).map((p) => p[0]) });
    const h = nr.tidy(() => probe.predict(nr.tensor(x, [N, L])).data());
    probe.dispose();
    let tied = 0;
    for (let i = 0; i < N; i++) {
      for (let f = 0; f < 4; f++) {
        const col = Array.from({ length: L - 2 }, (_, s) => h[(i * (L - 2) + s) * 4 + f]);
        const m = Math.max(...col);
        if (col.filter((v) => v === m).length > 1) tied++;
      }
    }
    expect(tied).toBeGreaterThan(N / 2);
    await expectFitAsTfjs('padded text', make(), {
      seed: 1, x, xShape: [N, L], y, yShape: [N], loss: 'sparseCategoricalCrossentropy',
      optimizer: [() => nr.optimizers.sgd({ learningRate: 0.5 }), () => tf.train.sgd(0.5)], epochs: 3, batchSize: 16,
    });
  });
});
