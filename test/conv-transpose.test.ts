// The conv2dTranspose layer against TF.js Layers on the CPU backend: the same weights give the
// same outputs, input gradients and training steps (strides below, equal to and above the
// kernel, both paddings, non-square windows, no bias, activations); saved models cross between
// the two libraries both ways. Keras 3's outputPadding and dilation (TF.js's layer has neither)
// are tested against Keras 3 in conv2d-transpose-padding.test.ts.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { bitsAndDispose, centralDiff, close, expectFitAsTfjs, expectLayersAsTfjs, expectSameBitsForThreads, expectTfjsRoundTrip, rng, sizeOf, tfArtifacts, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Pair = [nr.Layer, tfl.layers.Layer];

/** [name, layer pairs, input shape with the batch]. */
const CASES: Array<[string, () => Pair[], number[]]> = [
  ['3×3 stride 2 valid relu (7 rows out of 3)', () => [
    [layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: 3, strides: 2, activation: 'relu' }),
      tfl.layers.conv2dTranspose({ inputShape: [3, 4, 2], filters: 3, kernelSize: 3, strides: 2, activation: 'relu' })],
  ], [2, 3, 4, 2]],
  ['[3,2] strides [2,1] same tanh no bias, then a conv back down', () => [
    [layers.conv2dTranspose({ inputShape: [5, 3, 3], filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'tanh', useBias: false }),
      tfl.layers.conv2dTranspose({ inputShape: [5, 3, 3], filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'tanh', useBias: false })],
    [layers.conv2d({ filters: 2, kernelSize: 2, strides: 2 }), tfl.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2 })],
  ], [3, 5, 3, 3]],
  ['stride larger than the kernel (valid: gaps of zeros + bias), one channel, one sample', () => [
    [layers.conv2dTranspose({ inputShape: [4, 3, 1], filters: 2, kernelSize: 2, strides: 3, activation: 'sigmoid', biasInitializer: 'randomNormal' }),
      tfl.layers.conv2dTranspose({ inputShape: [4, 3, 1], filters: 2, kernelSize: 2, strides: 3, activation: 'sigmoid' })],
  ], [1, 4, 3, 1]],
  ['a decoder: dense → reshape → conv2dTranspose same ×2 → conv2dTranspose 1×1', () => [
    [layers.dense({ inputShape: [5], units: 3 * 3 * 4, activation: 'elu' }), tfl.layers.dense({ inputShape: [5], units: 3 * 3 * 4, activation: 'elu' })],
    [layers.reshape({ targetShape: [3, 3, 4] }), tfl.layers.reshape({ targetShape: [3, 3, 4] })],
    [layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' })],
    [layers.conv2dTranspose({ filters: 1, kernelSize: 1, activation: 'sigmoid' }), tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 1, activation: 'sigmoid' })],
  ], [4, 5]],
];

describe('conv2dTranspose: outputs and input gradients as TF.js', () => {
  for (const [name, make, xShape] of CASES) {
    it(name, () => expectLayersAsTfjs(name, make(), xShape, { seed: 21 }));
  }

  it('dL/dx also against central differences (an oracle independent of both libraries)', () => {
    const n = nr.sequential({ seed: 5, layers: [layers.conv2dTranspose({ inputShape: [3, 2, 2], filters: 2, kernelSize: [3, 2], strides: [2, 3], padding: 'same', activation: 'tanh' })] });
    n.build();
    const x = uniform(rng(3), 2 * 3 * 2 * 2, -1, 1);
    const outShape = (n.outputShape as number[]).slice(1);
    const w = uniform(rng(4), sizeOf(outShape), -1, 1);
    const f = (v: Float32Array) => nr.tidy(() => n.predict(nr.tensor(v, [2, 3, 2, 2])).mul(nr.tensor(w, outShape)).sum().data()[0]);
    const g = nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, outShape)).sum())(nr.tensor(x, [2, 3, 2, 2])).data());
    const fd = centralDiff(f, x);
    for (let i = 0; i < x.length; i++) expect(Math.abs(g[i] - fd[i]), `dx[${i}]`).toBeLessThan(2e-3);
    n.dispose();
  });
});

describe('conv2dTranspose: training as TF.js', () => {
  it("a convolutional autoencoder (conv down, conv2dTranspose up): SGD and Adam give TF.js's losses and weights", async () => {
    const make = (): Pair[] => [
      [layers.conv2d({ inputShape: [8, 6, 1], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelRegularizer: nr.regularizers.l2({ l2: 0.01 }) }),
        tfl.layers.conv2d({ inputShape: [8, 6, 1], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }) })],
      // Biases away from 0 under l1: there TF.js's |w| gradient is -1 (step(w, -1)), neurite's and
      // Keras's sign(0) = 0 (test/model.test.ts, 'l1 on a weight at exactly 0').
      [layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', biasInitializer: 'randomNormal', biasRegularizer: nr.regularizers.l1({ l1: 0.02 }) }),
        tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', biasRegularizer: tfl.regularizers.l1({ l1: 0.02 }) })],
      [layers.conv2dTranspose({ filters: 1, kernelSize: [2, 1], activation: 'sigmoid' }), tfl.layers.conv2dTranspose({ filters: 1, kernelSize: [2, 1], activation: 'sigmoid' })],
      [layers.conv2d({ filters: 1, kernelSize: [2, 1] }), tfl.layers.conv2d({ filters: 1, kernelSize: [2, 1] })],
    ];
    const rows = 11;
    const x = uniform(rng(7), rows * 8 * 6, 0, 1);
    const data = { seed: 9, x, xShape: [rows, 8, 6, 1], loss: 'meanSquaredError', outputShape: [8, 6, 1] };
    await expectFitAsTfjs('sgd', make(), { ...data, optimizer: [() => nr.optimizers.sgd({ learningRate: 0.2 }), () => tf.train.sgd(0.2)], epochs: 2, batchSize: rows });
    await expectFitAsTfjs('adam', make(), { ...data, optimizer: [() => nr.optimizers.adam({ learningRate: 0.01 }), () => tf.train.adam(0.01)], epochs: 3, batchSize: 4 });
  });

  it('trains to the same bits with 1, 2 and 3 threads, and memory does not grow over epochs', async () => {
    const run = async () => {
      const m = nr.sequential({ seed: 13, layers: [
        layers.conv2d({ inputShape: [13, 11, 2], filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        layers.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, activation: 'relu' }),
        layers.conv2dTranspose({ filters: 2, kernelSize: [2, 4], strides: [1, 1], padding: 'same' }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const x = nr.randomUniform([37, 13, 11, 2], { seed: 6 });
      const y = nr.randomUniform([37, ...(m.outputShape as number[]).slice(1)], { seed: 7 });
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

describe('conv2dTranspose models cross between TF.js and neurite', () => {
  const X = uniform(rng(19), 2 * 4 * 5 * 3, 0, 1);

  it('TF.js → neurite: loads and predicts the same', async () => {
    const t = tfl.sequential({ layers: [
      tfl.layers.conv2dTranspose({ inputShape: [4, 5, 3], filters: 4, kernelSize: [3, 2], strides: [2, 3], activation: 'relu', biasInitializer: 'randomNormal' }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
    ] });
    const a = await tfArtifacts(t);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(m.layers.map((l) => (l as nr.Layer).kind)).toEqual(['conv2dTranspose', 'conv2dTranspose']);
    expect(m.outputShape).toEqual(t.outputShape);
    const want = tf.tidy(() => (t.predict(tf.tensor(X, [2, 4, 5, 3])) as tf.Tensor).dataSync());
    close(nr.tidy(() => m.predict(nr.tensor(X, [2, 4, 5, 3])).data()), want, 1e-5, 'predict');
    m.dispose();
    t.dispose();
  });

  it("neurite → TF.js: loads in tf.loadLayersModel, predicts the same, and TF.js saves the same bytes", async () => {
    const m = nr.sequential({ seed: 16, layers: [
      layers.conv2dTranspose({ inputShape: [4, 5, 3], filters: 3, kernelSize: 2, strides: 2, activation: 'sigmoid', kernelRegularizer: nr.regularizers.l1({ l1: 0.001 }) }),
      layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }),
    ] });
    await expectTfjsRoundTrip(m, X, [2, 4, 5, 3], ['Conv2DTranspose', 'Conv2D']);
    m.dispose();
  });

  it("Keras 3's output_padding and dilation_rate in a TF.js-format config are read; what neurite cannot run is refused by path", async () => {
    const t = tfl.sequential({ layers: [tfl.layers.conv2dTranspose({ inputShape: [3, 3, 2], filters: 2, kernelSize: 3 })] });
    const a = await tfArtifacts(t);
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const copy = structuredClone(a);
      f((copy.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config);
      return nr.loadModel(copy as nr.ModelArtifacts);
    };
    // Keras's sizes: (3 − 1)·2 + 3 + [1, 0]; dilation 2 with stride 1: 3 + 5 − 1.
    for (const [change, shape] of [[{ output_padding: [1, 0], strides: [2, 2] }, [null, 8, 7, 2]], [{ dilation_rate: [2, 2] }, [null, 7, 7, 2]]] as const) {
      const m = (await edit((c) => Object.assign(c, change))) as nr.Sequential;
      expect(m.outputShape, JSON.stringify(change)).toEqual(shape);
      m.dispose();
    }
    await expect(edit((c) => (c.output_padding = [1, 0]))).rejects.toThrow(/layers\[0\].*conv2dTranspose: outputPadding must be less than strides .*got outputPadding \[1,0\] with strides \[1,1\]/);
    await expect(edit((c) => Object.assign(c, { dilation_rate: [2, 2], strides: [2, 2] }))).rejects.toThrow(/layers\[0\].*conv2dTranspose: strides > 1 is not supported together with dilationRate > 1/);
    await expect(edit((c) => (c.data_format = 'channels_first'))).rejects.toThrow(/config\.data_format must be 'channels_last'/);
    // Keras 3's form of the defaults loads.
    const ok = (await edit((c) => Object.assign(c, { output_padding: null, dilation_rate: [1, 1] }))) as nr.Sequential;
    expect(ok.outputShape).toEqual([null, 5, 5, 2]);
    ok.dispose();
    t.dispose();
  });
});

describe('conv2dTranspose: errors name the layer and the shapes', () => {
  it('bad options and inputs', () => {
    expect(thrown(() => layers.conv2dTranspose({ filters: 2 } as never)).message).toMatch(/^conv2dTranspose: kernelSize is required/);
    expect(thrown(() => layers.conv2dTranspose({ filters: 0, kernelSize: 3 })).message).toMatch(/^conv2dTranspose: filters must be/);
    expect(thrown(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).message).toBe('conv2dTranspose: strides > 1 is not supported together with dilationRate > 1 (as Keras 3), got strides [2,2] and dilationRate [2,2]');
    expect(thrown(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: 'causal' as never })).message).toMatch(/^conv2dTranspose: padding must be 'valid' or 'same'/);
    expect(thrown(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, outputPadding: 1 })).message).toMatch(/^conv2dTranspose: outputPadding must be less than strides/);
    expect(() => nr.sequential({ layers: [layers.conv2dTranspose({ inputShape: [6, 6], filters: 2, kernelSize: 3 })] })).toThrow(/^add: .*conv2dTranspose.*\[height, width, channels\].*\[6,6\]/);
    const flat = nr.sequential({ layers: [layers.conv2dTranspose({ filters: 2, kernelSize: 3 })] });
    expect(() => flat.build([6, 6])).toThrow(/conv2dTranspose.*\[height, width, channels\].*\[6, ?6\]/);
    flat.dispose();
    const m = nr.sequential({ layers: [layers.conv2dTranspose({ inputShape: [3, 3, 2], filters: 2, kernelSize: 3 })] });
    expect(() => nr.tidy(() => m.predict(nr.zeros([2, 3, 3, 3])))).toThrow(/^predict: expected input of shape \[batch,3,3,2\].*got \[2,3,3,3\]/);
    expect(nr.tidy(() => m.predict(nr.zeros([0, 3, 3, 2])).shape)).toEqual([0, 5, 5, 2]);
    m.dispose();
  });
});
