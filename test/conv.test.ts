// Convolutional layers (conv2d, max/average pooling, their global forms, upSampling2d nearest
// and bilinear) against TF.js Layers on the CPU backend: the same weights give the same outputs,
// input gradients and training steps, on odd shapes, every padding, strides, dilation and
// non-square windows; saved
// models cross between the two libraries both ways; bad configurations and inputs are errors
// that name the layer and the shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { bitsAndDispose, centralDiff, close, copyLayerWeights, expectFitAsTfjs, expectLayersAsTfjs, expectSameBitsForThreads, expectTfjsRoundTrip, rng, sizeOf, tfArtifacts, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Pair = [nr.Layer, tfl.layers.Layer];


/**
 * Architectures as [name, layer pairs, input shape with the batch, oracle of dL/dx]. TF.js's
 * gradient is the oracle where it is right; found here, TF.js 4.22's CPU gradients are wrong
 * for average pooling with 'same' padding (it divides by the whole window, while its forward
 * divides by the positions inside the input) and for upSampling2d with more than one sample
 * (its nearest-neighbour resize gradient) — there central differences of the forward (itself
 * equal to TF.js's) are the oracle ('fd').
 */
const CASES: Array<[string, () => Pair[], number[], 'tf' | 'fd']> = [
  ['conv 3×3 valid relu → maxPool 2 → flatten → dense softmax', () => [
    [layers.conv2d({ inputShape: [7, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }), tfl.layers.conv2d({ inputShape: [7, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' })],
    [layers.maxPooling2d({ poolSize: 2 }), tfl.layers.maxPooling2d({ poolSize: 2 })],
    [layers.flatten(), tfl.layers.flatten()],
    [layers.dense({ units: 4, activation: 'softmax' }), tfl.layers.dense({ units: 4, activation: 'softmax' })],
  ], [3, 7, 6, 2], 'tf'],
  ['conv [3,2] strides [2,1] same tanh no bias → avgPool 3 stride 2 same → conv 1×1 → global average', () => [
    [layers.conv2d({ inputShape: [9, 5, 3], filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'tanh', useBias: false }),
      tfl.layers.conv2d({ inputShape: [9, 5, 3], filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'tanh', useBias: false })],
    [layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    [layers.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' }), tfl.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' })],
    [layers.globalAveragePooling2d(), tfl.layers.globalAveragePooling2d({})],
  ], [2, 9, 5, 3], 'fd'],
  ['conv same elu → upSampling [2,3] → conv stride 3 valid → global max → dense', () => [
    [layers.conv2d({ inputShape: [6, 7, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'elu' }),
      tfl.layers.conv2d({ inputShape: [6, 7, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'elu' })],
    [layers.upSampling2d({ size: [2, 3] }), tfl.layers.upSampling2d({ size: [2, 3] })],
    [layers.conv2d({ filters: 2, kernelSize: [2, 4], strides: 3 }), tfl.layers.conv2d({ filters: 2, kernelSize: [2, 4], strides: 3 })],
    [layers.globalMaxPooling2d(), tfl.layers.globalMaxPooling2d({})],
    [layers.dense({ units: 3 }), tfl.layers.dense({ units: 3 })],
  ], [2, 6, 7, 1], 'fd'],
  ['stride larger than the window, maxPool same with overlap; one sample', () => [
    [layers.conv2d({ inputShape: [8, 8, 2], filters: 2, kernelSize: 2, strides: 3, padding: 'same' }), tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 2, kernelSize: 2, strides: 3, padding: 'same' })],
    [layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    [layers.flatten(), tfl.layers.flatten()],
  ], [1, 8, 8, 2], 'tf'],
  ['avgPool valid, upSampling on one sample (TF.js\'s gradients right there)', () => [
    [layers.conv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 2, activation: 'softplus' }), tfl.layers.conv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 2, activation: 'softplus' })],
    [layers.averagePooling2d({ poolSize: [3, 2], strides: [2, 1] }), tfl.layers.averagePooling2d({ poolSize: [3, 2], strides: [2, 1] })],
    [layers.upSampling2d({ size: [3, 1] }), tfl.layers.upSampling2d({ size: [3, 1] })],
    [layers.globalAveragePooling2d(), tfl.layers.globalAveragePooling2d({})],
  ], [1, 7, 7, 2], 'tf'],
  // TF.js 4.22's resizeBilinear gradient has the input's height and width swapped for images
  // that are not square (it throws): central differences are the oracle there.
  ['upSampling2d bilinear [2,3] and [3,1] (TF.js\'s resizeBilinear), conv between, odd sizes', () => [
    [layers.upSampling2d({ inputShape: [3, 5, 2], size: [2, 3], interpolation: 'bilinear' }), tfl.layers.upSampling2d({ inputShape: [3, 5, 2], size: [2, 3], interpolation: 'bilinear' })],
    [layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, activation: 'tanh' }), tfl.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, activation: 'tanh' })],
    [layers.upSampling2d({ size: [3, 1], interpolation: 'bilinear' }), tfl.layers.upSampling2d({ size: [3, 1], interpolation: 'bilinear' })],
  ], [3, 3, 5, 2], 'fd'],
  ['upSampling2d bilinear on square images, where TF.js\'s gradient runs', () => [
    [layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, activation: 'relu' }), tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, activation: 'relu' })],
    [layers.upSampling2d({ size: 3, interpolation: 'bilinear' }), tfl.layers.upSampling2d({ size: [3, 3], interpolation: 'bilinear' })],
    [layers.conv2d({ filters: 1, kernelSize: 3, strides: 2 }), tfl.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2 })],
  ], [2, 5, 5, 2], 'tf'],
];

describe('conv layers: outputs and input gradients as TF.js', () => {
  for (const [name, make, xShape, oracle] of CASES) {
    it(name, () => expectLayersAsTfjs(name, make(), xShape, { seed: 11, oracle }));
  }

  // TF.js 4.22 has no gradient for dilated convolutions: its forward is the oracle for the
  // outputs, central differences of neurite's (equal) forward for dL/dx and dL/dW.
  it('dilation 2 (valid and same): outputs as TF.js, gradients as central differences', () => {
    for (const padding of ['valid', 'same'] as const) {
      const n = nr.sequential({ seed: 4, layers: [layers.conv2d({ inputShape: [7, 6, 2], filters: 2, kernelSize: [3, 2], dilationRate: 2, padding, activation: 'tanh' }), layers.globalAveragePooling2d()] });
      const t = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [7, 6, 2], filters: 2, kernelSize: [3, 2], dilationRate: 2, padding, activation: 'tanh' }), tfl.layers.globalAveragePooling2d({})] });
      n.build();
      copyLayerWeights(n, t);
      const x = uniform(rng(padding.length), 2 * 7 * 6 * 2, -1, 1);
      close(nr.tidy(() => n.predict(nr.tensor(x, [2, 7, 6, 2])).data()), tf.tidy(() => (t.predict(tf.tensor(x, [2, 7, 6, 2])) as tf.Tensor).dataSync()), 1e-5, `${padding}: predict`);
      const g = nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor([0.5, -1.5, 1, 2], [2, 2])).sum())(nr.tensor(x, [2, 7, 6, 2])).data());
      const fd = centralDiff((v) => nr.tidy(() => n.predict(nr.tensor(v, [2, 7, 6, 2])).mul(nr.tensor([0.5, -1.5, 1, 2], [2, 2])).sum().data()[0]), x);
      for (let i = 0; i < x.length; i++) expect(Math.abs(g[i] - fd[i]), `${padding}: dx[${i}]`).toBeLessThan(2e-3);
      n.dispose();
      t.dispose();
    }
  });

  it("upSampling2d 'bilinear' gives TF.js's resizeBilinear bits (both interpolate in float64)", () => {
    for (const [size, shape] of [[[2, 3], [2, 3, 5, 2]], [[4, 1], [1, 7, 2, 3]], [[1, 1], [2, 2, 2, 1]]] as const) {
      const n = nr.sequential({ layers: [layers.upSampling2d({ inputShape: shape.slice(1), size: [...size], interpolation: 'bilinear' })] });
      const x = uniform(rng(size[0] * 7 + size[1]), sizeOf(shape), -3, 3);
      const got = nr.tidy(() => n.predict(nr.tensor(x, [...shape])).data());
      const want = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(x, [...shape] as [number, number, number, number]), [shape[1] * size[0], shape[2] * size[1]]).dataSync());
      expect(Array.from(got)).toEqual(Array.from(want));
      n.dispose();
    }
  });

  it('ties after a ReLU: max pooling sends the gradient to the first largest value, as TF.js', () => {
    // Many zeros after the ReLU, so most windows tie.
    const n = nr.sequential({ seed: 2, layers: [layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 1, activation: 'relu' }), layers.maxPooling2d({ poolSize: 3, strides: 1 })] });
    const t = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 1, activation: 'relu' }), tfl.layers.maxPooling2d({ poolSize: 3, strides: 1 })] });
    n.build();
    copyLayerWeights(n, t);
    const x = Float32Array.from({ length: 72 }, (_, i) => (i % 5 === 0 ? 1 : -1) * (i % 3));
    const gotG = nr.tidy(() => nr.grad((xt) => n.predict(xt).sum())(nr.tensor(x, [2, 6, 6, 1])).data());
    const wantG = tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(t.predict(xt) as tf.Tensor))(tf.tensor(x, [2, 6, 6, 1])).dataSync());
    close(gotG, wantG, 1e-6, 'ties');
    n.dispose();
    t.dispose();
  });
});

describe('conv layers: training as TF.js', () => {
  it('SGD steps on a small CNN give TF.js\'s weights; Adam epochs give its losses', async () => {
    const make = (): Pair[] => [
      [layers.conv2d({ inputShape: [9, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelRegularizer: nr.regularizers.l2({ l2: 0.01 }) }),
        tfl.layers.conv2d({ inputShape: [9, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }) })],
      [layers.maxPooling2d({ poolSize: 2 }), tfl.layers.maxPooling2d({ poolSize: 2 })],
      [layers.conv2d({ filters: 3, kernelSize: [2, 3], activation: 'tanh' }), tfl.layers.conv2d({ filters: 3, kernelSize: [2, 3], activation: 'tanh' })],
      [layers.flatten(), tfl.layers.flatten()],
      [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    ];
    const r = rng(5);
    const rows = 13;
    const x = uniform(r, rows * 9 * 8 * 2, -1, 1);
    const y = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) y[i * 3 + (i % 3)] = 1;
    const data = { seed: 3, x, xShape: [rows, 9, 8, 2], y, yShape: [rows, 3], loss: 'categoricalCrossentropy' };
    await expectFitAsTfjs('sgd', make(), { ...data, optimizer: [() => nr.optimizers.sgd({ learningRate: 0.1 }), () => tf.train.sgd(0.1)], epochs: 1, batchSize: rows });
    await expectFitAsTfjs('adam', make(), { ...data, optimizer: [() => nr.optimizers.adam({ learningRate: 0.01 }), () => tf.train.adam(0.01)], epochs: 4, batchSize: 5 });
  });

  it('a seeded CNN trains to the same bits twice, and memory does not grow over epochs', async () => {
    const run = async () => {
      const m = nr.sequential({ seed: 8, layers: [
        layers.conv2d({ inputShape: [10, 10, 1], filters: 3, kernelSize: 3, activation: 'relu' }), layers.averagePooling2d({}),
        layers.dropout({ rate: 0.2 }), layers.upSampling2d({}), layers.globalMaxPooling2d(), layers.dense({ units: 2, activation: 'softmax' }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const x = nr.randomUniform([40, 10, 10, 1], { seed: 4 });
      const y = nr.tensor(Array.from({ length: 40 }, (_, i) => i % 2));
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
      const before = nr.memory().numBytes;
      await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      expect(nr.memory().numBytes).toBe(before);
      const ws = bitsAndDispose(m.getWeights());
      for (const d of [m, x, y]) d.dispose();
      return ws;
    };
    expect(await run()).toEqual(await run());
  });
});

describe('conv models cross between TF.js and neurite', () => {
  const X = uniform(rng(9), 2 * 12 * 10 * 3, 0, 1);

  it('TF.js → neurite: every conv layer kind loads and predicts the same', async () => {
    const t = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [12, 10, 3], filters: 5, kernelSize: [3, 2], strides: [1, 2], padding: 'same', activation: 'relu', biasInitializer: 'randomNormal' }),
      tfl.layers.maxPooling2d({ poolSize: [2, 1] }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, useBias: false }),
      tfl.layers.upSampling2d({ size: [2, 2] }),
      tfl.layers.upSampling2d({ size: [1, 2], interpolation: 'bilinear' }),
      tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.globalAveragePooling2d({}),
    ] });
    const a = await tfArtifacts(t);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(m.layers.map((l) => (l as nr.Layer).kind)).toEqual(['conv2d', 'maxPooling2d', 'conv2d', 'upSampling2d', 'upSampling2d', 'averagePooling2d', 'globalAveragePooling2d']);
    expect((m.layers[4] as nr.UpSampling2D).interpolation).toBe('bilinear');
    const want = tf.tidy(() => (t.predict(tf.tensor(X, [2, 12, 10, 3])) as tf.Tensor).dataSync());
    const got = nr.tidy(() => m.predict(nr.tensor(X, [2, 12, 10, 3])).data());
    close(got, want, 1e-5, 'predict');
    m.dispose();
    t.dispose();
  });

  it("neurite → TF.js: a neurite CNN's artifacts load in tf.loadLayersModel and predict the same; TF.js saves the same bytes", async () => {
    const m = nr.sequential({ seed: 6, layers: [
      layers.conv2d({ inputShape: [12, 10, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelRegularizer: nr.regularizers.l1({ l1: 0.001 }) }),
      layers.maxPool2d({ poolSize: 2, padding: 'same' }),
      layers.conv2d({ filters: 2, kernelSize: [1, 2], strides: [1, 2], padding: 'same', activation: 'sigmoid' }),
      layers.upSampling2d({ size: [1, 2] }),
      layers.upSampling2d({ size: [2, 1], interpolation: 'bilinear' }),
      layers.avgPool2d({ poolSize: 2 }),
      layers.globalMaxPooling2d(),
    ] });
    await expectTfjsRoundTrip(m, X, [2, 12, 10, 3], ['Conv2D', 'MaxPooling2D', 'Conv2D', 'UpSampling2D', 'UpSampling2D', 'AveragePooling2D', 'GlobalMaxPooling2D']);
    m.dispose();
  });

  it('configs neurite cannot run are refused by path', async () => {
    const t = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 2, kernelSize: 3 })] });
    const a = await tfArtifacts(t);
    const topo = a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const copy = structuredClone(a);
      f((copy.modelTopology as typeof topo).config.layers[0].config);
      return nr.loadModel(copy as nr.ModelArtifacts);
    };
    await expect(edit((c) => (c.data_format = 'channels_first'))).rejects.toThrow(/layers\[0\]\.config\.data_format must be 'channels_last'/);
    await expect(edit((c) => (c.padding = 'causal'))).rejects.toThrow(/config\.padding must be 'valid' or 'same', got "causal"/);
    await expect(edit((c) => (c.kernel_size = [3, 0]))).rejects.toThrow(/config\.kernel_size must be a positive integer or a pair/);
    await expect(edit((c) => (c.kernel_size = [7, 3]))).rejects.toThrow(/window \(7\) does not fit the input's height of 6/);
    t.dispose();
  });
});

describe('conv layers: errors name the layer and the shapes', () => {
  it('bad options', () => {
    expect(thrown(() => layers.conv2d({ filters: 2 } as never)).message).toMatch(/^conv2d: kernelSize is required/);
    expect(thrown(() => layers.conv2d({ filters: 0, kernelSize: 3 })).message).toMatch(/^conv2d: filters must be/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: [3, 0] as never })).message).toMatch(/^conv2d: kernelSize\[1\] must be/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: [3] as never })).message).toMatch(/^conv2d: kernelSize must be a positive integer or a pair/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' as never })).message).toMatch(/'causal' is for 1-D convolutions/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as never })).message).toMatch(/dataFormat must be 'channelsLast'/);
    expect(thrown(() => layers.conv2d({ filters: 2, kernelSize: 3, kernelSize2: 1 } as never)).message).toMatch(/did you mean 'kernelSize'/);
    expect(thrown(() => layers.maxPooling2d({ poolSize: 2.5 })).message).toMatch(/^maxPooling2d: poolSize must be/);
    expect(thrown(() => layers.upSampling2d({ interpolation: 'bicubic' as never })).message).toMatch(/^upSampling2d: interpolation must be 'nearest' or 'bilinear', got "bicubic"/);
  });

  it('shapes that do not fit', () => {
    // With the input shape known, at add (as TF.js); else at build, in the core.
    expect(() => nr.sequential({ layers: [layers.conv2d({ inputShape: [28, 28], filters: 2, kernelSize: 3 })] })).toThrow(/^add: .*conv2d.*\[height, width, channels\].*\[28,28\]/);
    const flat = nr.sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: 3 })] });
    expect(() => flat.build([28, 28])).toThrow(/conv2d.*\[height, width, channels\].*\[28, 28\]/);
    flat.dispose();
    expect(() => nr.sequential({ layers: [layers.conv2d({ inputShape: [4, 9, 1], filters: 2, kernelSize: 5 })] })).toThrow(/^add: .*\(conv2d conv2d_\d+\): the window \(5\) does not fit the input's height of 4 with padding 'valid' \(per-sample input \[4,9,1\]\); use padding 'same' or a smaller window$/);
    const big = nr.sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: 5 })] });
    expect(() => big.build([4, 9, 1])).toThrow(/rows window \(5\) does not fit the input's height of 4 with padding 'valid'.*use padding 'same'/);
    big.dispose();
    const dense = layers.dense({ inputShape: [4], units: 3 });
    const pool = nr.sequential({ layers: [dense] });
    expect(() => pool.add(layers.maxPooling2d())).toThrow(/^add: .*maxPooling2d.*\[height, width, channels\].*\[3\]/);
    // The layer that did not fit was not added: the model is as before and works.
    expect([pool.layers, pool.outputShape]).toEqual([[dense], [null, 3]]);
    expect(nr.tidy(() => pool.predict(nr.zeros([2, 4])).shape)).toEqual([2, 3]);
    pool.dispose();
    const m = nr.sequential({ layers: [layers.conv2d({ inputShape: [5, 5, 2], filters: 2, kernelSize: 3 })] });
    expect(() => nr.tidy(() => m.predict(nr.zeros([2, 5, 5, 3])))).toThrow(/^predict: expected input of shape \[batch,5,5,2\].*got \[2,5,5,3\]/);
    // Zero samples: an empty batch out.
    expect(nr.tidy(() => m.predict(nr.zeros([0, 5, 5, 2])).shape)).toEqual([0, 3, 3, 2]);
    m.dispose();
  });
});

describe('conv layers: the same bits for any thread count', () => {
  it('a seeded CNN (conv same/valid, both poolings, upSampling) trains to the same weights and predictions with 1, 2 and 3 threads', async () => {
    const run = async () => {
      const m = nr.sequential({ seed: 12, layers: [
        layers.conv2d({ inputShape: [23, 19, 2], filters: 7, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        layers.conv2d({ filters: 5, kernelSize: [2, 3], activation: 'tanh' }),
        layers.upSampling2d({}),
        layers.averagePooling2d({ poolSize: 3 }),
        layers.flatten(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const x = nr.randomUniform([61, 23, 19, 2], { seed: 5 });
      const y = nr.tensor(Array.from({ length: 61 }, (_, i) => i % 3));
      await m.fit(x, y, { epochs: 2, batchSize: 29, verbose: 0 });
      const out = bitsAndDispose([...m.getWeights(), m.predict(x)]);
      for (const d of [m, x, y]) d.dispose();
      return out;
    };
    await expectSameBitsForThreads(run);
  });
});
