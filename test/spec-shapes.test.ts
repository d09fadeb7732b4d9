// The TypeScript side infers every layer's weight shapes and output shape without the core
// (ts/io/spec.ts: saving, weight names, the autoencoder's halves, topology checks), a second copy
// of what the core's build computes. This test builds one model per layer kind and
// configuration and checks that both agree: the weights (count, order, shapes, trainable) and
// the output shape — so the copy cannot drift silently (architecture audit 3.3).
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { expectedWeights } from '../ts/io/spec.js';
import { modelSpec } from '../ts/io/topology.js';
import { weightSpecs } from '../ts/models/weights.js';
import './setup.js';

const { layers } = nr;

const CASES: Array<[string, () => nr.Layer[]]> = [
  ['dense', () => [layers.dense({ inputShape: [4], units: 3 }), layers.dense({ units: 2, useBias: false })]],
  ['dense on rank 3', () => [layers.dense({ inputShape: [2, 4], units: 3 })]],
  ['frozen dense', () => [layers.dense({ inputShape: [4], units: 3, trainable: false }), layers.dense({ units: 1 })]],
  ['activation, dropout, noise', () => [layers.dense({ inputShape: [4], units: 3 }), layers.activation({ activation: 'relu' }), layers.dropout({ rate: 0.3 }), layers.gaussianNoise({ stddev: 0.1 }), layers.saltAndPepper({ rate: 0.1 })]],
  ['batch and layer normalization', () => [layers.dense({ inputShape: [4], units: 3 }), layers.batchNormalization({ center: false }), layers.layerNormalization({ scale: false }), layers.batchNormalization()]],
  ['prelu on rank 1 and rank 2', () => [layers.prelu({ inputShape: [2, 3] }), layers.flatten(), layers.prelu()]],
  ['reshape and flatten', () => [layers.reshape({ inputShape: [6], targetShape: [3, -1] }), layers.dense({ units: 2 }), layers.flatten()]],
  ['rbf', () => [layers.rbf({ inputShape: [2], units: 3 }), layers.dense({ units: 1 })]],
  ['variational', () => [layers.dense({ inputShape: [4], units: 3 }), layers.variational({ units: 2 })]],
  ['conv2d valid and same, strides, dilation', () => [layers.conv2d({ inputShape: [9, 8, 3], filters: 4, kernelSize: 3 }), layers.conv2d({ filters: 2, kernelSize: [2, 3], strides: 2, padding: 'same' }), layers.conv2d({ filters: 3, kernelSize: 2, dilationRate: 2, padding: 'same', useBias: false })]],
  ['conv2dTranspose', () => [layers.conv2dTranspose({ inputShape: [5, 4, 2], filters: 3, kernelSize: 3, strides: 2 }), layers.conv2dTranspose({ filters: 1, kernelSize: 2, padding: 'same' })]],
  ['conv2dTranspose (Keras 3 sizes: output padding, dilation, an even kernel)', () => [layers.conv2dTranspose({ inputShape: [5, 4, 2], filters: 3, kernelSize: [3, 4], strides: [2, 3], padding: 'same', outputPadding: [1, 0] }), layers.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: [2, 1], outputPadding: 0 }), layers.conv2dTranspose({ filters: 1, kernelSize: 1, strides: 3, outputPadding: 2, useBias: false })]],
  ['conv1dTranspose (Keras 3 lengths: output padding, dilation, strides above the kernel)', () => [layers.conv1d({ inputShape: [11, 2], filters: 3, kernelSize: 3, strides: 2 }), layers.conv1dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1 }), layers.conv1dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2, outputPadding: 0 }), layers.conv1dTranspose({ filters: 1, kernelSize: 2, strides: 3, useBias: false }), layers.conv1dTranspose({ filters: 2, kernelSize: 5, padding: 'same', dilationRate: 3 })]],
  ['depthwise and separable', () => [layers.depthwiseConv2d({ inputShape: [8, 8, 3], kernelSize: 3, depthMultiplier: 2 }), layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', depthMultiplier: 3 })]],
  ['pooling, padding, cropping, up-sampling', () => [layers.zeroPadding2d({ inputShape: [7, 6, 2], padding: [[1, 2], [0, 1]] }), layers.maxPooling2d({ poolSize: 2 }), layers.averagePooling2d({ poolSize: [2, 1], strides: 1, padding: 'same' }), layers.upSampling2d({ size: [2, 3] }), layers.cropping2d({ cropping: [[1, 0], [2, 1]] })]],
  ['global pooling 2-D', () => [layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), layers.globalAveragePooling2d(), layers.dense({ units: 2 })]],
  ['global max pooling 2-D', () => [layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), layers.globalMaxPooling2d()]],
  ['conv1d and its pooling', () => [layers.conv1d({ inputShape: [12, 3], filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2 }), layers.maxPooling1d({ poolSize: 2 }), layers.conv1d({ filters: 2, kernelSize: 2, strides: 2 }), layers.averagePooling1d({ poolSize: 1 }), layers.globalAveragePooling1d()]],
  ['1-D shape layers (upSampling1d, zeroPadding1d, cropping1d; odd lengths)', () => [layers.conv1d({ inputShape: [7, 3], filters: 4, kernelSize: 3, padding: 'same' }), layers.maxPooling1d({ poolSize: 2, padding: 'same' }), layers.upSampling1d({ size: 3 }), layers.zeroPadding1d({ padding: [1, 2] }), layers.cropping1d({ cropping: [4, 0] }), layers.conv1d({ filters: 2, kernelSize: 2 })]],
  ['1-D shape layers at unknown steps', () => [layers.zeroPadding1d({ inputShape: [null, 2], padding: 3 }), layers.upSampling1d(), layers.cropping1d({ cropping: [1, 2] }), layers.globalMaxPooling1d()]],
  ['global max pooling 1-D', () => [layers.conv1d({ inputShape: [10, 2], filters: 3, kernelSize: 3, padding: 'same' }), layers.globalMaxPooling1d()]],
];

/** What the core built and what ts/io/spec.ts infers, for model `m` (built). */
function both(m: nr.Sequential) {
  m.summary(null); // syncs the layers' trainable flags into the core (as compile and fit do)
  const core = weightSpecs('test', { handle: m.handle('test'), path: [] });
  const inferred = expectedWeights('test', modelSpec(m), m.inputDims ?? []);
  return {
    core: { shapes: core.map((w) => w.shape), trainable: core.map((w) => w.trainable), output: m.outputDims },
    inferred: { shapes: inferred.weights.map((w) => w.shape), trainable: inferred.weights.map((w) => w.trainable), output: inferred.output },
  };
}

describe("ts/io/spec.ts infers the core's weight and output shapes", () => {
  for (const [name, make] of CASES) {
    it(name, () => {
      const m = nr.sequential({ seed: 1, layers: make() });
      // Before build, outputShape is the inferred one (what TF.js knows at add); after, the core's.
      const before = m.outputDims;
      m.build();
      const { core, inferred } = both(m);
      expect(inferred).toEqual(core);
      expect(before).toEqual(core.output);
      m.dispose();
    });
  }

  it('nested models, one of them frozen', () => {
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 4 }), layers.batchNormalization()] });
    const frozen = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 2 })] });
    frozen.trainable = false;
    const m = nr.sequential({ seed: 2, layers: [inner, frozen, layers.dense({ units: 1 })] });
    m.build();
    const { core, inferred } = both(m);
    expect(inferred).toEqual(core);
    nr.dispose([m, inner, frozen]);
  });

  it('a graph model with a merge and a layer used twice', () => {
    const a = nr.input({ shape: [5] });
    const shared = layers.dense({ units: 3, activation: 'tanh' });
    const h = layers.concatenate().apply([shared.apply(a) as nr.SymbolicTensor, layers.dense({ units: 2 }).apply(a) as nr.SymbolicTensor]) as nr.SymbolicTensor;
    const g = nr.model({ inputs: a, outputs: layers.dense({ units: 1 }).apply(layers.add().apply([h, layers.dense({ units: 5 }).apply(h) as nr.SymbolicTensor]) as nr.SymbolicTensor) as nr.SymbolicTensor, seed: 3 });
    g.build();
    const { core, inferred } = both(g);
    expect(inferred).toEqual(core);
    g.dispose();
  });
});
