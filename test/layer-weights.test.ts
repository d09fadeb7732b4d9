// A layer's own weights (`layer.getWeights(trainableOnly)`, `layer.setWeights`,
// `layer.countParams`) and `model.getLayer(name | index)`, against TF.js Layers: the same
// order, shapes, trainable split and counts, and a weight set on one layer moves the model's
// prediction as it does in TF.js. Layers inside nested models and layers shared by two models
// are addressed through the model that holds them.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { copyLayerWeights, rng, uniform } from './oracle.js';

await tf.setBackend('cpu');

function message(f: () => unknown): string {
  const e = thrown(f);
  expect(e, 'expected an error').toBeInstanceOf(nr.NeuriteError);
  return (e as Error).message;
}

/** The same five layers in both libraries: dense, batch norm, PReLU, layer norm, dense. */
function models(): { n: nr.Sequential; t: tfl.Sequential } {
  const n = nr.sequential({
    seed: 3,
    layers: [
      nr.layers.dense({ inputShape: [5], units: 7, activation: 'tanh', name: 'hidden' }),
      nr.layers.batchNormalization({ name: 'bn' }),
      nr.layers.prelu({ name: 'prelu' }),
      nr.layers.layerNormalization({ name: 'ln' }),
      nr.layers.dense({ units: 3, name: 'out' }),
    ],
  });
  const t = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [5], units: 7, activation: 'tanh', name: 'hidden' }),
      tfl.layers.batchNormalization({ name: 'bn' }),
      tfl.layers.prelu({ name: 'prelu' }),
      tfl.layers.layerNormalization({ name: 'ln' }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  });
  n.build();
  return { n, t };
}

const values = (ts: Array<nr.Tensor | tf.Tensor>): number[][] => ts.map((w) => Array.from(w.dataSync()));
const shapes = (ts: Array<nr.Tensor | tf.Tensor>): number[][] => ts.map((w) => w.shape.slice());

describe('layer.getWeights / setWeights / countParams against TF.js', () => {
  it('each layer has TF.js\'s weights: order, shapes, trainable split and parameter count', () => {
    const { n, t } = models();
    copyLayerWeights(n, t);
    expect(n.layers.length).toBe(t.layers.length);
    expectNoLeak(() => {
      for (let i = 0; i < t.layers.length; i++) {
        const nl = n.layers[i] as nr.Layer, tl = t.layers[i];
        const [nw, tw] = [nl.getWeights(), tl.getWeights()];
        expect(shapes(nw), tl.name).toEqual(shapes(tw));
        expect(values(nw), tl.name).toEqual(values(tw));
        const [nt, tt] = [nl.getWeights(true), tl.getWeights(true)];
        expect(shapes(nt), `${tl.name} trainable`).toEqual(shapes(tt));
        expect(nl.countParams(), tl.name).toBe(tl.countParams());
        for (const w of [...nw, ...nt]) w.dispose();
      }
    });
    // The model's weights are TF.js's, in TF.js's order (trainable first, the moving statistics
    // last: test/weight-order.test.ts), while each layer keeps its own order (above).
    expectNoLeak(() => {
      const all = n.getWeights();
      expect(values(all)).toEqual(values(t.getWeights()));
      for (const w of all) w.dispose();
    });
    n.dispose();
    t.dispose();
  });

  it('a weight set on one layer changes the prediction as in TF.js, and reads back', () => {
    const { n, t } = models();
    copyLayerWeights(n, t);
    const r = rng(11);
    const kernel = uniform(r, 7 * 3, -1, 1), bias = uniform(r, 3, -0.5, 0.5), alpha = uniform(r, 7, 0, 0.5);
    const x = uniform(r, 4 * 5, -2, 2);
    expectNoLeak(() => nr.tidy(() => {
      (n.getLayer('out') as nr.Layer).setWeights([nr.tensor(kernel, [7, 3]), nr.tensor(bias, [3])]);
      (n.getLayer(2) as nr.Layer).setWeights([nr.tensor(alpha, [7])]);
      expect(Array.from((n.getLayer('prelu') as nr.Layer).getWeights()[0].dataSync())).toEqual(Array.from(alpha));
      const got = n.predict(nr.tensor(x, [4, 5])).dataSync();
      const want = tf.tidy(() => {
        t.getLayer('out').setWeights([tf.tensor(kernel, [7, 3]), tf.tensor(bias, [3])]);
        t.getLayer(undefined as unknown as string, 2).setWeights([tf.tensor(alpha, [7])]);
        return (t.predict(tf.tensor(x, [4, 5])) as tf.Tensor).dataSync();
      });
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    }));
    n.dispose();
    t.dispose();
  });

  it('a frozen layer has no trainable weights; a layer not built yet has none at all', () => {
    const { n } = models();
    const hidden = n.getLayer('hidden') as nr.Layer;
    hidden.trainable = false;
    expect(hidden.getWeights(true)).toEqual([]);
    const tl = tfl.layers.dense({ units: 2 });
    const nl = nr.layers.dense({ units: 2 });
    expect(nl.getWeights()).toEqual(tl.getWeights());
    expect(nl.getWeights(true)).toEqual([]);
    expect(nr.layers.inputLayer({ inputShape: [3] }).getWeights()).toEqual([]);
    n.dispose();
  });

  it("getWeights(true) keeps trainableWeights' weights, of a model and of a layer in a frozen model (as TF.js; the model's ignored the flag)", () => {
    const { n, t } = models();
    copyLayerWeights(n, t);
    for (const frozen of [false, true]) {
      n.trainable = t.trainable = !frozen;
      expectNoLeak(() => {
        const [nw, tw] = [n.getWeights(true), t.getWeights(true)];
        expect(shapes(nw), `model, frozen ${frozen}`).toEqual(shapes(tw));
        expect(values(nw)).toEqual(values(tw));
        expect(nw.length).toBe(n.trainableWeights.length);
        for (let i = 0; i < t.layers.length; i++) {
          const [nl, tl] = [n.layers[i] as nr.Layer, t.layers[i]];
          const lw = nl.getWeights(true);
          expect(shapes(lw), `${tl.name}, model frozen ${frozen}`).toEqual(shapes(tl.getWeights(true)));
          expect(lw.length).toBe(nl.trainableWeights.length);
          nr.dispose(lw);
        }
        nr.dispose(nw);
      });
    }
    expect(message(() => n.getWeights(1 as never))).toBe('getWeights: trainableOnly must be true or false, got 1');
    n.dispose();
    t.dispose();
  });

  it("kernel and bias of dense and convolution layers are TF.js's variables (layer.kernel was undefined)", () => {
    const d = nr.layers.dense({ units: 3, name: 'kb_dense' });
    const td = tfl.layers.dense({ units: 3 });
    // Not built: null, as TF.js's.
    expect([d.kernel, d.bias]).toEqual([null, null]);
    const tdv = td as unknown as { kernel: unknown; bias: unknown };
    expect([tdv.kernel ?? null, tdv.bias ?? null]).toEqual([null, null]);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 5 }), d] });
    // Asking builds the model, as weights does; the same objects as weights.
    expect(d.kernel).toBe(d.weights[0]);
    expect(d.bias).toBe(d.weights[1]);
    expect([d.kernel?.name, d.kernel?.shape, d.bias?.shape]).toEqual(['kb_dense/kernel', [5, 3], [3]]);
    // A custom loop reads the live kernel through it (a tied decoder: x·Wᵀ).
    nr.tidy(() => {
      expect(nr.matMul(nr.ones([1, 3]), d.kernel!.read(), false, true).shape).toEqual([1, 5]);
    });
    const noBias = nr.layers.conv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, useBias: false });
    const c = nr.sequential({ layers: [noBias, nr.layers.flatten()] });
    c.build();
    expect([noBias.kernel?.shape, noBias.bias]).toEqual([[3, 3, 2, 4], null]);
    const seq = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [6, 2], filters: 3, kernelSize: 2, name: 'kb_c1' })] });
    const c1 = seq.getLayer('kb_c1') as nr.Conv1D;
    expect([c1.kernel?.shape, c1.bias?.shape]).toEqual([[2, 2, 3], [3]]);
    // Depthwise and separable layers: TF.js's depthwiseKernel, pointwiseKernel and bias.
    const dw = nr.layers.depthwiseConv2d({ inputShape: [5, 5, 2], kernelSize: 3, depthMultiplier: 2 });
    const sep = nr.layers.separableConv2d({ filters: 4, kernelSize: 1, useBias: false });
    const dm = nr.sequential({ layers: [dw, sep] });
    expect([dw.depthwiseKernel?.shape, dw.bias?.shape]).toEqual([[3, 3, 2, 2], [4]]);
    expect([sep.depthwiseKernel?.shape, sep.pointwiseKernel?.shape, sep.bias]).toEqual([[1, 1, 4, 1], [1, 1, 4, 4], null]);
    dm.dispose();
    for (const x of [m, c, seq]) x.dispose();
  });

  it('setWeights checks every weight before setting any', () => {
    const { n } = models();
    const hidden = n.getLayer('hidden') as nr.Layer;
    expectNoLeak(() => nr.tidy(() => {
      const before = values(hidden.getWeights());
      expect(message(() => hidden.setWeights([nr.zeros([5, 7]), nr.zeros([6])]))).toBe('setWeights: layer hidden: weight 1 (`bias`) has shape [7] but the value has shape [6]');
      expect(message(() => hidden.setWeights([nr.zeros([5, 7]), nr.tensor([1, 2, 3, 4, 5, 6, Infinity])]))).toBe('setWeights: layer hidden: weight 1 (`bias`) holds Infinity at flat index 6; weights must be finite (pass { allowNonFinite: true } to set it anyway)');
      expect(values(hidden.getWeights())).toEqual(before);
      hidden.setWeights([nr.zeros([5, 7]), nr.fill([7], NaN)], { allowNonFinite: true });
      expect(Number.isNaN(hidden.getWeights()[1].dataSync()[0])).toBe(true);
    }));
    n.dispose();
  });
});

describe('nested and shared layers', () => {
  it('a layer inside a nested model is reached through the outer model', () => {
    const deep = nr.layers.dense({ units: 4, name: 'deep' });
    const inner = nr.sequential({ name: 'inner', layers: [deep] });
    const outer = nr.sequential({ seed: 5, layers: [nr.layers.dense({ inputShape: [2], units: 3 }), inner] });
    outer.build();
    expect(outer.getLayer('inner')).toBe(inner);
    expect((outer.getLayer('inner') as nr.Sequential).getLayer('deep')).toBe(deep);
    expectNoLeak(() => nr.tidy(() => {
      deep.setWeights([nr.fill([3, 4], 0.5), nr.tensor([1, 2, 3, 4])]);
      // The outer model's weights 2 and 3 are the nested layer's.
      const w = outer.getWeights();
      expect(Array.from(w[2].dataSync())).toEqual(new Array(12).fill(0.5));
      expect(Array.from(w[3].dataSync())).toEqual([1, 2, 3, 4]);
      expect(deep.countParams()).toBe(16);
    }));
    outer.dispose();
    inner.dispose();
  });

  it('a layer shared by two models has one set of weights, until the last model holding it goes', () => {
    const shared = nr.layers.dense({ inputShape: [3], units: 2, name: 'shared' });
    const a = nr.sequential({ layers: [shared] });
    const b = nr.sequential({ layers: [shared, nr.layers.dense({ units: 1 })] });
    a.build();
    b.build();
    expectNoLeak(() => nr.tidy(() => {
      shared.setWeights([nr.ones([3, 2]), nr.tensor([7, 8])]);
      expect(Array.from(a.getWeights()[1].dataSync())).toEqual([7, 8]);
      expect(Array.from(b.getWeights()[1].dataSync())).toEqual([7, 8]);
    }));
    a.dispose();
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(shared.getWeights()[1].dataSync())).toEqual([7, 8]);
    }));
    b.dispose();
    expect(thrown(() => shared.getWeights())).toBeInstanceOf(nr.DisposedError);
    expect(message(() => shared.getWeights())).toBe('getWeights: layer shared has no weights: every model holding it was disposed, and its weights with the last one');
  });
});

describe('model.getLayer', () => {
  it('finds by name or index, as TF.js, and says what is there when it cannot', () => {
    const { n, t } = models();
    for (const k of ['hidden', 'ln', 0, 4]) expect((n.getLayer(k as never) as nr.Layer).name).toBe(t.getLayer(k as never).name);
    expect(n.getLayer(undefined as unknown as string, 1).name).toBe(t.getLayer(undefined as unknown as string, 1).name);
    expect(n.getLayer('bn', 1).name).toBe('bn');
    expect(message(() => n.getLayer('hiden'))).toBe("getLayer: model " + n.name + " has no layer named 'hiden' (its layers: hidden, bn, prelu, ln, out) — did you mean 'hidden'?");
    expect(message(() => n.getLayer(5))).toBe(`getLayer: index 5 is out of range: model ${n.name} has 5 layers (hidden, bn, prelu, ln, out)`);
    expect(message(() => n.getLayer(1.5))).toBe('getLayer: index must be a non-negative integer, got 1.5');
    expect(message(() => n.getLayer('hidden', 1))).toBe(`getLayer: layer 1 of model ${n.name} is bn, not the string "hidden"; pass the name or the index`);
    expect(message(() => (n.getLayer as (x?: unknown) => unknown)())).toBe('getLayer: expected a layer name or index, got undefined');
    n.dispose();
    t.dispose();
  });

  it('points into a nested model when the name is there, and at the inputs a model of it must start from', () => {
    const inner = nr.sequential({ name: 'enc', layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'code' })] });
    const outer = nr.sequential({ layers: [inner] });
    expect(message(() => outer.getLayer('code'))).toBe(`getLayer: model ${outer.name} has no layer named 'code' (its layers: enc); it is inside the nested model enc: model.getLayer('enc').getLayer('code'). To make a model that outputs it, build it from enc's own inputs (not ${outer.name}'s): model({ inputs: enc.inputs, outputs: enc.getLayer('code').output }), where enc is model.getLayer('enc')`);
    // Two levels down: the model holding the layer directly is named, and reached.
    const deep = nr.sequential({ name: 'deep', layers: [nr.layers.dense({ inputShape: [3], units: 2, name: 'mid' }), nr.sequential({ name: 'block', layers: [nr.layers.dense({ units: 2, name: 'core' })] })] });
    const top = nr.sequential({ name: 'top', layers: [deep] });
    expect(message(() => top.getLayer('core'))).toBe("getLayer: model top has no layer named 'core' (its layers: deep); it is inside the nested model block: model.getLayer('deep').getLayer('block').getLayer('core'). To make a model that outputs it, build it from block's own inputs (not top's): model({ inputs: block.inputs, outputs: block.getLayer('core').output }), where block is model.getLayer('deep').getLayer('block')");
  });

  it("the user's path out of an autoencoder(): the hint leads to a model of the encoder's layers that works", () => {
    const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [8], units: 4, name: 'ae_h' }), nr.layers.dense({ units: 2, name: 'ae_code' })] });
    const decoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 8 })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 3 });
    const [e, d, a] = [encoder.name, decoder.name, ae.name];
    expect(message(() => ae.getLayer('ae_code'))).toBe(`getLayer: model ${a} has no layer named 'ae_code' (its layers: ${e}, ${d}); it is inside the nested model ${e}: model.getLayer('${e}').getLayer('ae_code'). To make a model that outputs it, build it from ${e}'s own inputs (not ${a}'s): model({ inputs: ${e}.inputs, outputs: ${e}.getLayer('ae_code').output }), where ${e} is model.getLayer('${e}')`);
    // As the hint says: the nested model's own inputs (ae.inputs would be disconnected, see test/functional.test.ts).
    const inner = ae.getLayer(e) as nr.Sequential;
    const codes = nr.model({ inputs: inner.inputs, outputs: inner.getLayer('ae_code').output as nr.SymbolicTensor });
    expectNoLeak(() => nr.tidy(() => {
      const x = nr.randomUniform([3, 8], { seed: 2 });
      expect(Array.from((codes.predict(x) as nr.Tensor).dataSync())).toEqual(Array.from(ae.encode(x).dataSync()));
    }));
    for (const m of [codes, ae, encoder, decoder]) m.dispose();
  });

  it('setWeights and countParams on a layer not built yet say so', () => {
    const d = nr.layers.dense({ units: 2, name: 'lonely' });
    expect(message(() => d.setWeights([]))).toBe('setWeights: layer lonely is not built yet, so it has no weights to set; build a model that holds it first (compile, fit, predict or build)');
    expect(message(() => d.countParams())).toBe('countParams: layer lonely is not built yet; build a model that holds it first (compile, fit, predict or build)');
    expect(message(() => d.getWeights('yes' as never))).toBe('getWeights: trainableOnly must be true or false, got the string "yes"');
  });
});

describe('weight names: one list in the core, the saved files and TF.js', () => {
  // Each layer kind with weights, as [its neurite layer, its TF.js twin (none for neurite's
  // own kinds), the input shape]. The core names the weights (crates/core/src/layers),
  // ts/io/spec.ts names them again to read files before a model is built; both must be TF.js's.
  const kinds: Record<string, [() => nr.Layer, (() => tfl.layers.Layer) | null, number[]]> = {
    dense: [() => nr.layers.dense({ units: 3, name: 'l' }), () => tfl.layers.dense({ units: 3, name: 'l' }), [4]],
    prelu: [() => nr.layers.prelu({ name: 'l' }), () => tfl.layers.prelu({ name: 'l' }), [4]],
    batchNormalization: [() => nr.layers.batchNormalization({ name: 'l' }), () => tfl.layers.batchNormalization({ name: 'l' }), [4]],
    layerNormalization: [() => nr.layers.layerNormalization({ name: 'l' }), () => tfl.layers.layerNormalization({ name: 'l' }), [4]],
    conv1d: [() => nr.layers.conv1d({ filters: 2, kernelSize: 3, name: 'l' }), () => tfl.layers.conv1d({ filters: 2, kernelSize: 3, name: 'l' }), [6, 2]],
    conv2d: [() => nr.layers.conv2d({ filters: 2, kernelSize: 3, name: 'l' }), () => tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'l' }), [5, 5, 2]],
    conv2dTranspose: [() => nr.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'l' }), () => tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'l' }), [5, 5, 2]],
    depthwiseConv2d: [() => nr.layers.depthwiseConv2d({ kernelSize: 3, name: 'l' }), () => tfl.layers.depthwiseConv2d({ kernelSize: 3, name: 'l' }), [5, 5, 2]],
    separableConv2d: [() => nr.layers.separableConv2d({ filters: 3, kernelSize: 3, name: 'l' }), () => tfl.layers.separableConv2d({ filters: 3, kernelSize: 3, name: 'l' }), [5, 5, 2]],
    embedding: [() => nr.layers.embedding({ inputDim: 5, outputDim: 3, name: 'l' }), () => tfl.layers.embedding({ inputDim: 5, outputDim: 3, name: 'l' }), [4]],
    rbf: [() => nr.layers.rbf({ units: 3, name: 'l' }), null, [4]],
    variational: [() => nr.layers.variational({ units: 3, name: 'l' }), null, [4]],
    normalization: [() => nr.layers.normalization({ mean: 0.5, variance: 2, name: 'l' }), null, [4]],
    conv1dTranspose: [() => nr.layers.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, name: 'l' }), null, [6, 2]],
  };

  // The layer factories without weights (and aliases): a new factory must join one list or the other.
  const weightless = ['activation', 'leakyReLU', 'reLU', 'elu', 'softmax', 'dropout', 'gaussianNoise', 'flatten', 'reshape', 'inputLayer',
    'saltAndPepper', 'zeroPadding2d', 'cropping2d', 'cropping2D', 'maxPooling2d', 'maxPool2d', 'averagePooling2d', 'avgPool2d',
    'globalMaxPooling2d', 'globalAveragePooling2d', 'upSampling2d', 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum',
    'concatenate', 'maxPooling1d', 'maxPool1d', 'averagePooling1d', 'avgPool1d', 'globalMaxPooling1d', 'globalAveragePooling1d',
    'avgPooling2d', 'globalMaxPool2d', 'avgPooling1d', 'globalMaxPool1d', 'repeatVector', 'permute', 'rescaling', 'dot', 'thresholdedReLU', 'gaussianDropout', 'alphaDropout', 'spatialDropout1d', 'masking',
    'upSampling1d', 'zeroPadding1d', 'cropping1d',
    // tf.layers.input, TF.js's alias of tf.input: a symbolic input, no layer of its own.
    'input'];

  it('every layer factory is listed, as having weights or not', () => {
    // layers.Layer is the base class (TF.js's tf.layers.Layer), not a factory.
    expect(Object.keys(nr.layers).filter((k) => !(k in kinds) && !weightless.includes(k) && k !== 'Layer')).toEqual([]);
  });

  for (const [kind, [mk, mkTf, shape]] of Object.entries(kinds)) {
    it(`${kind}: the core's names are the saved files' and TF.js's`, async () => {
      const m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: shape }), mk()] });
      m.build();
      const names = m.getLayer('l').weights.map((w) => w.name);
      expect(names.length, kind).toBeGreaterThan(0);
      for (const n of names) expect(n, kind).toMatch(/^l\/[a-z_]+$/);
      const saved = (await m.toArtifacts()).weightSpecs!.map((s) => s.name);
      expect([...saved].sort(), kind).toEqual([...names].sort());
      if (mkTf) {
        const t = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: shape }), mkTf()] });
        expect(names, kind).toEqual(t.getLayer('l').weights.map((w) => w.originalName));
        t.dispose();
      }
      m.dispose();
    });
  }
});
