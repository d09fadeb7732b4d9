// Training as a ported TF.js program does it (a new user's report, session 28): `accuracy`
// under a regression loss follows the output's shape, as TF.js's; a TF.js tensor or a loss
// function where neurite takes its own say what to do instead.
//
// Reference: TF.js 4.22 Layers (cpu backend), the same weights and data; its `accuracy` is
// binary when each sample's output has one value (or the loss is binary cross-entropy),
// sparse under sparse categorical cross-entropy, else categorical.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectClose, expectNoLeak } from './setup.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

const rand = (n: number, seed: number) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

/** `accuracy` and the loss of evaluate on a dense model of `units` outputs, in both libraries. */
async function accuracyOf(loss: 'meanSquaredError' | 'meanAbsoluteError', units: number): Promise<{ nr: number[]; tf: number[] }> {
  const n = 30;
  const x = rand(n * 4, 1);
  const y = Float32Array.from({ length: n * units }, (_, i) => (units === 1 ? (i % 3 === 0 ? 1 : 0) : i % units === Math.floor(i / units) % units ? 1 : 0));
  const tm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units, activation: 'sigmoid' })] });
  tm.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
  const want = (tm.evaluate(tf.tensor(x, [n, 4]), tf.tensor(y, [n, units])) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const got = expectNoLeak(() => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units, activation: 'sigmoid' })] });
    nr.tidy(() => m.setWeights(tm.getWeights().map((w) => nr.tensor(w.dataSync() as Float32Array, w.shape))));
    m.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
    const r = nr.tidy(() => (m.evaluate(nr.tensor(x, [n, 4]), nr.tensor(y, [n, units])) as nr.Tensor[]).map((t) => t.item()));
    m.dispose();
    return r;
  });
  tm.dispose();
  return { nr: got, tf: want };
}

describe("compile's accuracy under a regression loss", () => {
  for (const loss of ['meanSquaredError', 'meanAbsoluteError'] as const) {
    it(`${loss}: categorical for several outputs per sample, binary for one, as TF.js`, async () => {
      for (const units of [3, 1]) {
        const r = await accuracyOf(loss, units);
        expectClose(r.nr, r.tf, 1e-5, 1e-6);
      }
    });
  }
});

describe('what a ported program passes where neurite takes its own', () => {
  it('a TF.js tensor is named as one, with how to convert it', () => {
    const t = tf.tensor([[1, 2], [3, 4]]);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    expect(() => m.predict(t as never)).toThrow(/got a TF\.js tensor \(shape \[2,2\], dtype float32\), which lives in TF\.js's memory, not neurite's: convert it with tensor\(t\.arraySync\(\)\) or tensor\(t\.dataSync\(\), t\.shape\)/);
    expect(() => nr.add(t as never, 1)).toThrow(/a TF\.js tensor/);
    m.dispose();
    t.dispose();
  });

  it('a loss function in compile points at optimizer.minimize', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    expect(() => m.compile({ optimizer: 'sgd', loss: ((a: unknown, b: unknown) => [a, b]) as never })).toThrow(/^compile: a loss function is not supported here: fit runs the whole training step in WebAssembly with a built-in loss \(meanSquaredError, .*\); for a custom loss write the training loop with optimizer\.minimize/);
    m.dispose();
  });
});

describe("Keras's trainOnBatch(x, y, sampleWeight)", () => {
  it('is an error, not a step without the weights (TF.js ignores the third argument)', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = m.getWeights().map((w) => { const v = w.dataSync().slice(); w.dispose(); return v; });
    nr.tidy(() => {
      expect(() => (m.trainOnBatch as (...a: unknown[]) => unknown)(nr.tensor([[1, 2]]), nr.tensor([[1]]), nr.tensor([0]))).toThrow(/^trainOnBatch: takes 2 arguments \(x, y\), got 3; sample weights are not supported here/);
    });
    const after = m.getWeights().map((w) => { const v = w.dataSync().slice(); w.dispose(); return v; });
    expect(after).toEqual(before);
    m.dispose();
    const ae = nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 2 })] }) });
    ae.compile({ optimizer: 'sgd', loss: 'mse' });
    nr.tidy(() => {
      expect(() => (ae.trainOnBatch as (...a: unknown[]) => unknown)(nr.tensor([[1, 2]]), undefined, nr.tensor([0]))).toThrow(/^trainOnBatch: takes 2 arguments/);
    });
    ae.dispose();
  });
});
