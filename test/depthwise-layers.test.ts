// The depthwiseConv2d and separableConv2d layers against TF.js Layers on the CPU backend: the
// same weights give the same outputs, input gradients and training steps, on odd channel
// counts, depth multipliers above 1, strides, 'same' and 'valid'; dilation (which TF.js 4.22's
// depthwise layer ignores) against TF.js's ops and central differences; saved models cross
// between the two libraries both ways; bad options name the layer and say what to use.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { bitsAndDispose, centralDiff, close, expectFitAsTfjs, expectLayersAsTfjs, expectSameBitsForThreads, expectTfjsRoundTrip, rng, tfArtifacts, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Pair = [nr.Layer, tfl.layers.Layer];

const CASES: Array<[string, () => Pair[], number[]]> = [
  ['depthwise 3×3 same relu (5 channels) → separable 2×2 valid to 4 → flatten → dense softmax', () => [
    [layers.depthwiseConv2d({ inputShape: [7, 6, 5], kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal' }),
      tfl.layers.depthwiseConv2d({ inputShape: [7, 6, 5], kernelSize: 3, padding: 'same', activation: 'relu' })],
    [layers.separableConv2d({ filters: 4, kernelSize: 2, activation: 'tanh' }), tfl.layers.separableConv2d({ filters: 4, kernelSize: 2, activation: 'tanh' })],
    [layers.flatten(), tfl.layers.flatten()],
    [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
  ], [3, 7, 6, 5]],
  ['depthMultiplier 3, [3,2] window, strides [2,1], no bias → separable multiplier 2, strides 2, same, sigmoid', () => [
    [layers.depthwiseConv2d({ inputShape: [9, 5, 3], kernelSize: [3, 2], depthMultiplier: 3, strides: [2, 1], useBias: false }),
      tfl.layers.depthwiseConv2d({ inputShape: [9, 5, 3], kernelSize: [3, 2], depthMultiplier: 3, strides: [2, 1], useBias: false })],
    [layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'sigmoid' }),
      tfl.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'sigmoid' })],
    [layers.globalAveragePooling2d(), tfl.layers.globalAveragePooling2d({})],
  ], [2, 9, 5, 3]],
  ['one channel, one sample, a window the size of the image', () => [
    [layers.separableConv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 4, activation: 'elu' }), tfl.layers.separableConv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 4, activation: 'elu' })],
    [layers.flatten(), tfl.layers.flatten()],
  ], [1, 4, 4, 1]],
];

describe('depthwise and separable layers: outputs and input gradients as TF.js', () => {
  for (const [name, make, xShape] of CASES) {
    it(name, () => expectLayersAsTfjs(name, make(), xShape, { seed: 17, oracle: 'tf' }));
  }

  // TF.js 4.22's DepthwiseConv2D layer drops its dilationRate (it calls the op with null), and
  // its op has no gradient for dilations: tf.depthwiseConv2d/separableConv2d with the dilation
  // are the oracle for the outputs, central differences of neurite's forward for the gradients.
  it('dilation 2: outputs as tf.depthwiseConv2d / tf.separableConv2d, gradients as central differences', () => {
    for (const separable of [false, true]) {
      const layer = separable
        ? layers.separableConv2d({ inputShape: [7, 8, 3], filters: 2, kernelSize: [2, 3], depthMultiplier: 2, dilationRate: 2, padding: 'same', activation: 'tanh', biasInitializer: 'randomNormal' })
        : layers.depthwiseConv2d({ inputShape: [7, 8, 3], kernelSize: [2, 3], depthMultiplier: 2, dilationRate: 2, activation: 'tanh', biasInitializer: 'randomNormal' });
      const n = nr.sequential({ seed: 5, layers: [layer] });
      n.build();
      const ws = nr.tidy(() => n.getWeights().map((w) => ({ v: w.data(), s: w.shape.slice() })));
      const x = uniform(rng(separable ? 3 : 4), 2 * 7 * 8 * 3, -1, 1);
      const xs = [2, 7, 8, 3];
      const want = tf.tidy(() => {
        const xt = tf.tensor4d(x, xs as [number, number, number, number]);
        const dw = tf.tensor4d(ws[0].v, ws[0].s as [number, number, number, number]);
        const z = separable
          ? tf.separableConv2d(xt, dw, tf.tensor4d(ws[1].v, ws[1].s as [number, number, number, number]), 1, 'same', 2)
          : tf.depthwiseConv2d(xt, dw, 1, 'valid', 'NHWC', 2);
        return tf.tanh(tf.add(z, tf.tensor1d(ws[ws.length - 1].v))).dataSync();
      });
      const got = nr.tidy(() => n.predict(nr.tensor(x, xs)).data());
      close(got, want, 1e-5, `${layer.kind}: predict`);
      const out = (n.outputShape as number[]).slice(1);
      const c = uniform(rng(7), out.reduce((a, b) => a * b, 2), -1, 1);
      const loss = (xt: nr.Tensor) => n.predict(xt).mul(nr.tensor(c, [2, ...out])).sum();
      const g = nr.tidy(() => nr.grad(loss)(nr.tensor(x, xs)).data());
      const fd = centralDiff((v) => nr.tidy(() => loss(nr.tensor(v, xs)).data()[0]), x);
      for (let i = 0; i < x.length; i++) expect(Math.abs(g[i] - fd[i]), `${layer.kind}: dx[${i}]`).toBeLessThan(2e-3);
      n.dispose();
    }
  });
});

describe('depthwise and separable layers: training as TF.js', () => {
  it("SGD steps give TF.js's weights; Adam epochs with regularizers give its losses", async () => {
    const make = (): Pair[] => [
      [layers.depthwiseConv2d({ inputShape: [8, 7, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', depthwiseRegularizer: nr.regularizers.l2({ l2: 0.01 }) }),
        tfl.layers.depthwiseConv2d({ inputShape: [8, 7, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', depthwiseRegularizer: tfl.regularizers.l2({ l2: 0.01 }) })],
      [layers.separableConv2d({ filters: 4, kernelSize: [2, 3], strides: 2, activation: 'tanh', pointwiseRegularizer: nr.regularizers.l1({ l1: 0.001 }) }),
        tfl.layers.separableConv2d({ filters: 4, kernelSize: [2, 3], strides: 2, activation: 'tanh', pointwiseRegularizer: tfl.regularizers.l1({ l1: 0.001 }) })],
      [layers.flatten(), tfl.layers.flatten()],
      [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    ];
    const r = rng(6);
    const rows = 11;
    const x = uniform(r, rows * 8 * 7 * 3, -1, 1);
    const y = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) y[i * 3 + (i % 3)] = 1;
    const data = { seed: 4, x, xShape: [rows, 8, 7, 3], y, yShape: [rows, 3], loss: 'categoricalCrossentropy' };
    await expectFitAsTfjs('sgd', make(), { ...data, optimizer: [() => nr.optimizers.sgd({ learningRate: 0.1 }), () => tf.train.sgd(0.1)], epochs: 1, batchSize: rows });
    await expectFitAsTfjs('adam', make(), { ...data, optimizer: [() => nr.optimizers.adam({ learningRate: 0.01 }), () => tf.train.adam(0.01)], epochs: 3, batchSize: 4 });
  });

  it('a seeded separable CNN trains to the same bits with 1, 2 and 3 threads, and memory does not grow over epochs', async () => {
    const run = async () => {
      const m = nr.sequential({ seed: 9, layers: [
        layers.conv2d({ inputShape: [15, 13, 1], filters: 6, kernelSize: 3, activation: 'relu' }),
        layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }),
        layers.separableConv2d({ filters: 5, kernelSize: 3, activation: 'relu' }),
        layers.globalAveragePooling2d(),
        layers.dense({ units: 3, activation: 'softmax' }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const x = nr.randomUniform([37, 15, 13, 1], { seed: 2 });
      const y = nr.tensor(Array.from({ length: 37 }, (_, i) => i % 3));
      await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
      const before = nr.memory().numBytes;
      await m.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
      expect(nr.memory().numBytes).toBe(before);
      const out = bitsAndDispose([...m.getWeights(), m.predict(x)]);
      for (const d of [m, x, y]) d.dispose();
      return out;
    };
    await expectSameBitsForThreads(run);
  });
});

describe('depthwise and separable models cross between TF.js and neurite', () => {
  const X = uniform(rng(12), 2 * 10 * 9 * 3, 0, 1);

  it('TF.js → neurite: both layers load (weights by name and shape) and predict the same', async () => {
    const t = tfl.sequential({ layers: [
      tfl.layers.depthwiseConv2d({ inputShape: [10, 9, 3], kernelSize: [3, 2], depthMultiplier: 2, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal', depthwiseRegularizer: tfl.regularizers.l2({ l2: 0.001 }) }),
      tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 1, useBias: false }),
      tfl.layers.separableConv2d({ filters: 2, kernelSize: 2, activation: 'sigmoid', biasInitializer: 'randomNormal' }),
      tfl.layers.globalMaxPooling2d({}),
    ] });
    const a = await tfArtifacts(t);
    expect(a.weightSpecs!.map((w) => w.name.replace(/^.*\//, ''))).toEqual(['depthwise_kernel', 'bias', 'depthwise_kernel', 'pointwise_kernel', 'depthwise_kernel', 'pointwise_kernel', 'bias']);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(m.layers.map((l) => (l as nr.Layer).kind)).toEqual(['depthwiseConv2d', 'separableConv2d', 'separableConv2d', 'globalMaxPooling2d']);
    expect((m.layers[0] as nr.DepthwiseConv2D).depthMultiplier).toBe(2);
    const want = tf.tidy(() => (t.predict(tf.tensor(X, [2, 10, 9, 3])) as tf.Tensor).dataSync());
    close(nr.tidy(() => m.predict(nr.tensor(X, [2, 10, 9, 3])).data()), want, 1e-5, 'predict');
    m.dispose();
    t.dispose();
  });

  // TF.js 4.22's SeparableConv2D.getConfig leaves out depthMultiplier, so its own save of a
  // multiplier above 1 does not load back (in TF.js either): the weights name the mismatch.
  it("TF.js's separableConv2d save without depth_multiplier: the weight shape that does not fit is named", async () => {
    const t = tfl.sequential({ layers: [tfl.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 2, kernelSize: 2, depthMultiplier: 3 })] });
    const a = await tfArtifacts(t);
    expect((a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config.depth_multiplier).toBeUndefined();
    await expect(nr.loadModel(a as nr.ModelArtifacts)).rejects.toThrow(/weightSpecs\[0\]\.shape of '.*\/depthwise_kernel' is \[2,2,2,3\], but the topology needs \[2,2,2,1\]/);
    t.dispose();
  });

  it("neurite → TF.js: the artifacts load in tf.loadLayersModel and predict the same; TF.js saves the same bytes", async () => {
    const m = nr.sequential({ seed: 3, layers: [
      layers.depthwiseConv2d({ inputShape: [10, 9, 3], kernelSize: 3, depthMultiplier: 2, activation: 'relu', depthwiseRegularizer: nr.regularizers.l1({ l1: 0.001 }) }),
      layers.separableConv2d({ filters: 3, kernelSize: [2, 3], strides: [1, 2], padding: 'same', activation: 'tanh', pointwiseInitializer: 'heNormal' }),
      layers.globalAveragePooling2d(),
    ] });
    await expectTfjsRoundTrip(m, X, [2, 10, 9, 3], ['DepthwiseConv2D', 'SeparableConv2D', 'GlobalAveragePooling2D']);
    const cfg = m.layers[1].getConfig();
    expect(cfg).toMatchObject({ filters: 3, kernelSize: [2, 3], depthMultiplier: 1, strides: [1, 2], padding: 'same' });
    m.dispose();
  });

  it('configs neurite cannot run are refused by path', async () => {
    const t = tfl.sequential({ layers: [tfl.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 2, kernelSize: 3 })] });
    const a = await tfArtifacts(t);
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const copy = structuredClone(a);
      f((copy.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config);
      return nr.loadModel(copy as nr.ModelArtifacts);
    };
    await expect(edit((c) => (c.data_format = 'channels_first'))).rejects.toThrow(/layers\[0\]\.config\.data_format must be 'channels_last'/);
    await expect(edit((c) => (c.pointwise_constraint = { class_name: 'MaxNorm', config: { max_value: -2 } }))).rejects.toThrow(/config\.pointwise_constraint\.config: maxValue must be a finite number >= 0, got -2/);
    await expect(edit((c) => (c.depth_multiplier = 0))).rejects.toThrow(/config\.depth_multiplier must be a positive integer/);
    await expect(edit((c) => (c.kernel_size = [7, 3]))).rejects.toThrow(/does not fit the input's height of 6/);
    t.dispose();
  });
});

describe('depthwise and separable layers: errors name the layer and say what to use', () => {
  it('bad options', () => {
    expect(thrown(() => layers.depthwiseConv2d({} as never)).message).toBe('depthwiseConv2d: kernelSize is required, e.g. depthwiseConv2d({ kernelSize: 3 })');
    expect(thrown(() => layers.separableConv2d({ kernelSize: 3 } as never)).message).toBe('separableConv2d: filters is required, e.g. separableConv2d({ filters: 16, kernelSize: 3 })');
    expect(thrown(() => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 })).message).toMatch(/^depthwiseConv2d: depthMultiplier must be/);
    expect(thrown(() => layers.depthwiseConv2d({ kernelSize: 3, kernelInitializer: 'zeros' } as never)).message).toBe('depthwiseConv2d: there is no kernelInitializer; use depthwiseInitializer');
    expect(thrown(() => layers.separableConv2d({ filters: 2, kernelSize: 3, kernelRegularizer: nr.regularizers.l2() } as never)).message).toBe('separableConv2d: there is no kernelRegularizer; use depthwiseRegularizer or pointwiseRegularizer');
    expect(thrown(() => layers.depthwiseConv2d({ kernelSize: 3, filters: 4 } as never)).message).toMatch(/^depthwiseConv2d: unknown option 'filters'/);
    expect(thrown(() => layers.separableConv2d({ filters: 2, kernelSize: 3, depthMultipler: 2 } as never)).message).toMatch(/did you mean 'depthMultiplier'/);
    expect(thrown(() => layers.separableConv2d({ filters: 2, kernelSize: 3, padding: 'causal' as never })).message).toMatch(/'causal' is for 1-D convolutions/);
  });

  it('shapes that do not fit', () => {
    expect(() => nr.sequential({ layers: [layers.depthwiseConv2d({ inputShape: [28, 28], kernelSize: 3 })] })).toThrow(/^add: .*depthwiseConv2d.*\[height, width, channels\].*\[28,28\]/);
    const flat = nr.sequential({ layers: [layers.depthwiseConv2d({ kernelSize: 3 })] });
    expect(() => flat.build([28, 28])).toThrow(/depthwiseConv2d.*\[height, width, channels\].*\[28, 28\]/);
    flat.dispose();
    expect(() => nr.sequential({ layers: [layers.separableConv2d({ inputShape: [4, 9, 1], filters: 2, kernelSize: 5 })] })).toThrow(/^add: .*separableConv2d.*window \(5\) does not fit the input's height of 4 with padding 'valid'/);
    const big = nr.sequential({ layers: [layers.separableConv2d({ filters: 2, kernelSize: 5 })] });
    expect(() => big.build([4, 9, 1])).toThrow(/separableConv2d.*window \(5\) does not fit the input's height of 4 with padding 'valid'/);
    big.dispose();
    const m = nr.sequential({ layers: [layers.depthwiseConv2d({ inputShape: [5, 5, 2], kernelSize: 3, depthMultiplier: 2 })] });
    expect(() => nr.tidy(() => m.predict(nr.zeros([2, 5, 5, 3])))).toThrow(/^predict: expected input of shape \[batch,5,5,2\].*got \[2,5,5,3\]/);
    expect(nr.tidy(() => m.predict(nr.zeros([0, 5, 5, 2])).shape)).toEqual([0, 3, 3, 4]);
    expect(m.countParams()).toBe(3 * 3 * 2 * 2 + 4);
    m.dispose();
  });
});
