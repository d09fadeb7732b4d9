// zeroPadding2d and cropping2d against TF.js Layers on the CPU backend: every form of the
// amounts (a number, [rows, columns], [[top, bottom], [left, right]]), outputs and input
// gradients, a training run of a convolutional autoencoder that pads 28×28 to 32×32 and crops
// back, saved models both ways, and errors that name the layer and the shapes.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { expectFitAsTfjs, expectLayersAsTfjs, expectTfjsRoundTrip, rng, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Pair = [nr.Layer, tfl.layers.Layer];

const CASES: Array<[string, () => Pair[], number[]]> = [
  ['zeroPadding2d default (1 at each border) → conv → cropping2d [[top, bottom], [left, right]]', () => [
    [layers.zeroPadding2d({ inputShape: [5, 4, 2] }), tfl.layers.zeroPadding2d({ inputShape: [5, 4, 2] })],
    [layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh' }), tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh' })],
    [layers.cropping2d({ cropping: [[1, 0], [2, 1]] }), tfl.layers.cropping2D({ cropping: [[1, 0], [2, 1]] })],
  ], [2, 5, 4, 2]],
  ['zeroPadding2d [rows, columns] and [[t, b], [l, r]], cropping2d a number and a pair', () => [
    [layers.zeroPadding2d({ inputShape: [3, 6, 1], padding: [2, 0] }), tfl.layers.zeroPadding2d({ inputShape: [3, 6, 1], padding: [2, 0] })],
    [layers.zeroPadding2d({ padding: [[0, 3], [1, 2]] }), tfl.layers.zeroPadding2d({ padding: [[0, 3], [1, 2]] })],
    [layers.conv2d({ filters: 2, kernelSize: [2, 3], activation: 'relu' }), tfl.layers.conv2d({ filters: 2, kernelSize: [2, 3], activation: 'relu' })],
    [layers.cropping2d({ cropping: 1 }), tfl.layers.cropping2D({ cropping: 1 })],
    [layers.cropping2d({ cropping: [0, 2] }), tfl.layers.cropping2D({ cropping: [0, 2] })],
  ], [3, 3, 6, 1]],
];

describe('zeroPadding2d and cropping2d: outputs and input gradients as TF.js', () => {
  for (const [name, make, xShape] of CASES) {
    it(name, () => expectLayersAsTfjs(name, make(), xShape, { seed: 4, tol: 1e-6 }));
  }
});

describe('zeroPadding2d and cropping2d: training and saved models', () => {
  const make = (): Pair[] => [
    [layers.zeroPadding2d({ inputShape: [6, 6, 1], padding: 1 }), tfl.layers.zeroPadding2d({ inputShape: [6, 6, 1], padding: 1 })],
    [layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })],
    [layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }), tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' })],
    [layers.cropping2d({ cropping: 1 }), tfl.layers.cropping2D({ cropping: 1 })],
  ];

  it('an autoencoder that pads 6×6 to 8×8 and crops back trains to TF.js\'s losses and weights (Adam, 3 epochs)', async () => {
    const rows = 9;
    const x = uniform(rng(2), rows * 36, 0, 1);
    await expectFitAsTfjs('pad, conv, conv2dTranspose, crop', make(), {
      seed: 5, x, xShape: [rows, 6, 6, 1], loss: 'meanSquaredError', outputShape: [6, 6, 1],
      optimizer: [() => nr.optimizers.adam({ learningRate: 0.02 }), () => tf.train.adam(0.02)], epochs: 3, batchSize: 4,
    });
  });

  it('saved both ways: TF.js loads neurite\'s model and saves the same bytes; neurite loads TF.js\'s', async () => {
    const m = nr.sequential({ seed: 6, layers: make().map((p) => p[0]) });
    const X = uniform(rng(8), 2 * 36, 0, 1);
    const { back, want } = await expectTfjsRoundTrip(m, X, [2, 6, 6, 1], ['ZeroPadding2D', 'Conv2D', 'Conv2DTranspose', 'Cropping2D']);
    const again = (await nr.loadModel(back as nr.ModelArtifacts)) as nr.Sequential;
    expect(again.layers.map((l) => (l as nr.Layer).kind)).toEqual(['zeroPadding2d', 'conv2d', 'conv2dTranspose', 'cropping2d']);
    // A config with a number or pair loads too; a bad one is refused by path.
    const topo = back.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    const edit = (f: (c: Array<{ config: Record<string, unknown> }>) => void) => {
      const copy = structuredClone(back);
      f((copy.modelTopology as typeof topo).config.layers);
      return nr.loadModel(copy as nr.ModelArtifacts);
    };
    const forms = (await edit((ls) => { ls[0].config.padding = 1; ls[3].config.cropping = [1, 1]; })) as nr.Sequential;
    expect(nr.tidy(() => forms.predict(nr.tensor(X, [2, 6, 6, 1])).data())).toEqual(want);
    await expect(edit((ls) => (ls[0].config.padding = [[1, -1], [0, 0]]))).rejects.toThrow(/layers\[0\]\.config\.padding\[0\]\[1\] must be an integer in \[0, 65536\], got -1/);
    await expect(edit((ls) => (ls[3].config.cropping = [[5, 5], [0, 0]]))).rejects.toThrow(/cropping2d.*leaves nothing/);
    for (const d of [forms, again, m]) d.dispose();
  });
});

describe('zeroPadding2d and cropping2d: errors', () => {
  it('name the layer, the argument and the shapes', () => {
    expect(thrown(() => layers.cropping2d({} as never)).message).toMatch(/^cropping2d: cropping is required/);
    expect(thrown(() => layers.zeroPadding2d({ padding: -1 })).message).toBe('zeroPadding2d: padding must be an integer in [0, 65536], got -1');
    expect(thrown(() => layers.zeroPadding2d({ padding: [1, 2, 3] as never })).message).toMatch(/^zeroPadding2d: padding must be an integer, a pair \[rows, columns\] or \[\[top, bottom\], \[left, right\]\], got \[1,2,3\]/);
    expect(thrown(() => layers.cropping2d({ cropping: [[1, 0.5], [0, 0]] })).message).toMatch(/^cropping2d: cropping\[0\]\[1\] must be an integer/);
    expect(thrown(() => layers.zeroPadding2d({ dataFormat: 'channelsFirst' as never })).message).toMatch(/dataFormat must be 'channelsLast'/);
    // With the input shape known, at add (as TF.js); else at build, in the core.
    expect(() => nr.sequential({ layers: [layers.cropping2d({ inputShape: [4, 4, 1], cropping: [[2, 2], [0, 0]] })] })).toThrow(/^add: sequential_\d+\.layers\[0\] \(cropping2d cropping2d_\d+\): cropping \[\[2,2\],\[0,0\]\] leaves nothing of the per-sample input \[4,4,1\]/);
    const all = nr.sequential({ layers: [layers.cropping2d({ cropping: [[2, 2], [0, 0]] })] });
    expect(() => all.build([4, 4, 1])).toThrow(/^build: cropping2d: cropping \[\[2, 2\], \[0, 0\]\] leaves nothing of the per-sample input \[4, 4, 1\]|cropping2d: cropping \[\[2, 2\], \[0, 0\]\] leaves nothing of the per-sample input \[4, 4, 1\]/);
    all.dispose();
    expect(() => nr.sequential({ layers: [layers.zeroPadding2d({ inputShape: [4, 4] })] })).toThrow(/^add: .*zeroPadding2d.*\[height, width, channels\].*\[4,4\]/);
    const flat = nr.sequential({ layers: [layers.zeroPadding2d()] });
    expect(() => flat.build([4, 4])).toThrow(/zeroPadding2d.*\[height, width, channels\]/);
    flat.dispose();
    const m = nr.sequential({ layers: [layers.zeroPadding2d({ inputShape: [2, 2, 1], padding: [[1, 0], [0, 2]] })] });
    expect(nr.tidy(() => m.predict(nr.tensor([1, 2, 3, 4], [1, 2, 2, 1])).arraySync())).toEqual([[[[0], [0], [0], [0]], [[1], [2], [0], [0]], [[3], [4], [0], [0]]]]);
    expect(nr.tidy(() => m.predict(nr.zeros([0, 2, 2, 1])).shape)).toEqual([0, 3, 4, 1]);
    m.dispose();
  });
});
