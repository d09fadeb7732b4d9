// PReLU's `sharedAxes` (TF.js's and Keras's): α shaped like a sample with a 1 on each shared
// axis, TF.js's default being none (one slope per value). Against TF.js 4.22 live with copied
// weights: predict, dL/dx, fitted weights (so dα), saved files both ways; the errors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { failTestsThatLeak, invalidMessage } from './setup.js';
import { close, expectFitAsTfjs, expectLayersAsTfjs, expectTfjsRoundTrip, rng, tfArtifacts, uniform } from './oracle.js';

failTestsThatLeak();
const { layers } = nr;

/** Slopes drawn from [-0.5, 1] (some negative, some above 1), not the zeros a PReLU starts at. */
const slopes = nr.initializers.randomUniform({ minval: -0.5, maxval: 1 });

// [what, per-sample input shape, sharedAxes, α's shape]
const CASES: Array<[string, number[], number | number[] | undefined, number[]]> = [
  ['after a dense layer (default)', [5], undefined, [5]],
  ['a sequence, one slope per value (default)', [6, 4], undefined, [6, 4]],
  ['a sequence, one per channel', [6, 4], [1], [1, 4]],
  ['a sequence, one per step (a number)', [6, 4], 2, [6, 1]],
  ['an image, one per value (default)', [5, 4, 3], undefined, [5, 4, 3]],
  ['an image, one per channel', [5, 4, 3], [1, 2], [1, 1, 3]],
  ['an image, one per row', [5, 4, 3], [2, 3], [5, 1, 1]],
  ['an image, one for all', [5, 4, 3], [3, 1, 2], [1, 1, 1]],
  ['an image, one per column and channel', [5, 4, 3], [1], [1, 4, 3]],
];

describe('PReLU sharedAxes, as TF.js', () => {
  CASES.forEach(([what, shape, sharedAxes, alphaShape], i) => {
    it(`${what}: α ${JSON.stringify(alphaShape)}; predict and dL/dx as TF.js`, () => {
      const p = layers.prelu({ inputShape: shape, sharedAxes, alphaInitializer: slopes });
      const m = nr.sequential({ layers: [p] });
      m.build();
      expect(nr.tidy(() => p.getWeights().map((w) => w.shape))).toEqual([alphaShape]);
      m.dispose();
      expectLayersAsTfjs(what, [[layers.prelu({ inputShape: shape, sharedAxes, alphaInitializer: slopes }), tfl.layers.prelu({ inputShape: shape, sharedAxes })]], [3, ...shape], { seed: 10 + i });
    });

    it(`${what}: two epochs of SGD give TF.js's losses and slopes (dα summed over the shared axes)`, async () => {
      const n = 8;
      const x = uniform(rng(20 + i), n * shape.reduce((a, b) => a * b, 1), -2, 2);
      const y = uniform(rng(40 + i), x.length, -1, 1);
      await expectFitAsTfjs(what, [[layers.prelu({ inputShape: shape, sharedAxes, alphaInitializer: slopes }), tfl.layers.prelu({ inputShape: shape, sharedAxes })]], {
        seed: 30 + i, x, xShape: [n, ...shape], y, yShape: [n, ...shape], loss: 'meanSquaredError',
        optimizer: [() => nr.optimizers.sgd(0.5), () => tf.train.sgd(0.5)], epochs: 2, batchSize: 3,
      });
    });

    it(`${what}: saved for TF.js and loaded back (TF.js's α shape in the file)`, async () => {
      const m = nr.sequential({ seed: 50 + i, layers: [layers.prelu({ inputShape: shape, sharedAxes, alphaInitializer: slopes })] });
      m.build();
      const x = uniform(rng(60 + i), 2 * shape.reduce((a, b) => a * b, 1), -2, 2);
      const { back } = await expectTfjsRoundTrip(m, x, [2, ...shape], ['PReLU']);
      expect(back.weightSpecs!.map((w) => w.shape)).toEqual([alphaShape]);
      const saved = (back.modelTopology as { config: { layers: Array<{ config: { shared_axes: unknown } }> } }).config.layers[0].config.shared_axes;
      expect(saved).toEqual(sharedAxes === undefined ? null : [...new Set([sharedAxes].flat())].sort());
      m.dispose();
    });
  });

  it("a TF.js model with TF.js's default PReLU after a convolution loads and predicts as TF.js", async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3, alphaInitializer: undefined } as never), tfl.layers.prelu({ alphaInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 1, seed: 3 }) }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
    const a = await tfArtifacts(tm);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    const x = uniform(rng(7), 4 * 6 * 5 * 2, -2, 2);
    const want = tf.tidy(() => (tm.predict(tf.tensor(x, [4, 6, 5, 2])) as tf.Tensor).dataSync());
    close(nr.tidy(() => m.predict(nr.tensor(x, [4, 6, 5, 2])).data()), want, 1e-5, 'predict');
    expect(nr.tidy(() => (m.layers[1] as nr.Layer).getWeights().map((w) => w.shape))).toEqual([[4, 3, 3]]);
    m.dispose();
    tm.dispose();
  });

  it('getConfig says the shared axes given (null for none) and rebuilds the same layer', () => {
    for (const sharedAxes of [undefined, 1, [2, 1, 2]] as const) {
      const p = layers.prelu({ name: 'p', sharedAxes: sharedAxes as never });
      const m = nr.sequential({ layers: [layers.inputLayer({ inputShape: [2, 3] }), p] });
      m.build();
      expect(p.getConfig().sharedAxes).toEqual(sharedAxes === undefined ? null : sharedAxes === 1 ? [1] : [1, 2]);
      expect(layers.prelu(p.getConfig() as never).getConfig()).toEqual(p.getConfig());
      m.dispose();
    }
  });

  it('sequences of any length share the steps axis; one slope per value needs the length', () => {
    const any = nr.sequential({ seed: 1, layers: [layers.prelu({ inputShape: [null, 3], sharedAxes: [1], alphaInitializer: slopes })] });
    try {
      for (const steps of [2, 7, 1]) {
        const x = nr.tensor(uniform(rng(steps), 2 * steps * 3, -1, 1), [2, steps, 3]);
        expect(nr.tidy(() => any.predict(x).shape)).toEqual([2, steps, 3]);
        x.dispose();
      }
    } finally {
      any.dispose();
    }
    expect(invalidMessage(() => nr.sequential({ layers: [layers.prelu({ inputShape: [null, 3], name: 'p' })] }))).toMatch(/\(prelu p\) cannot take per-sample input shape \[null,3\]: its weights depend on the size of the unknown \(null\) axis; give the model's input a size there, or share one slope along it: sharedAxes \[1\]$/);
    // A layer built for one length, used at another (shared between models): the error says why.
    const p = layers.prelu({ alphaInitializer: slopes });
    const four = nr.sequential({ layers: [layers.inputLayer({ inputShape: [4, 3] }), p] });
    four.build();
    const msg = invalidMessage(() => nr.sequential({ layers: [layers.inputLayer({ inputShape: [5, 3] }), p] }));
    expect(msg).toContain('its alpha has shape [4,3] (built for per-sample input [4,3], sharedAxes none (one slope per value)) and does not fit per-sample input [5,3]');
    expect(msg).toContain('sharedAxes [1]');
    four.dispose();
  });

  it('bad sharedAxes are errors that name them', () => {
    for (const bad of [0, -1, 1.5, 'a', [1, 0], { axis: 1 }]) {
      expect(invalidMessage(() => layers.prelu({ sharedAxes: bad as never }))).toMatch(/^prelu: sharedAxes must be an axis or an array of axes, integers from 1 \(axis 0 is the batch, which is always shared\), got /);
    }
    expect(invalidMessage(() => nr.sequential({ layers: [layers.prelu({ inputShape: [2, 3], sharedAxes: [3], name: 'p' })] }))).toMatch(/\(prelu p\): sharedAxes has axis 3, but the per-sample input \[2,3\] has axes 1 to 2 \(the batch is axis 0\)$/);
  });
});
