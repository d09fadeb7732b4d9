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

  it('a loss function in compile is taken, as TF.js; one that returns no tensor is named at fit', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: ((a: unknown, b: unknown) => [a, b]) as never });
    using x = nr.zeros([2, 2]);
    using y = nr.zeros([2, 1]);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/^fit: the loss function 'loss' returned an array of length 2; it must return a Tensor/);
    m.dispose();
  });
});

describe("Keras's trainOnBatch(x, y, sampleWeight)", () => {
  it('weights the step (TF.js ignores a third argument); a fourth is an error, not dropped', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = m.getWeights().map((w) => { const v = w.dataSync().slice(); w.dispose(); return v; });
    nr.tidy(() => {
      // Weight 0 on the only sample: a step that changes nothing, and a loss of 0.
      expect(m.trainOnBatch(nr.tensor([[1, 2]]), nr.tensor([[1]]), nr.tensor([0]))).toBe(0);
      expect(() => (m.trainOnBatch as (...a: unknown[]) => unknown)(nr.tensor([[1, 2]]), nr.tensor([[1]]), nr.tensor([0]), {})).toThrow(/^trainOnBatch: takes 3 arguments \(x, y, sampleWeight\), got 4/);
    });
    const after = m.getWeights().map((w) => { const v = w.dataSync().slice(); w.dispose(); return v; });
    expect(after).toEqual(before);
    m.dispose();
    const ae = nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 2 })] }) });
    ae.compile({ optimizer: 'sgd', loss: 'mse' });
    nr.tidy(() => {
      expect(ae.trainOnBatch(nr.tensor([[1, 2]]), undefined, nr.tensor([0]))).toBe(0);
      expect(() => (ae.trainOnBatch as (...a: unknown[]) => unknown)(nr.tensor([[1, 2]]), undefined, nr.tensor([0]), 1)).toThrow(/^trainOnBatch: takes 3 arguments/);
    });
    ae.dispose();
  });
});

describe("fit's sampleWeight (Keras's sample_weight; TF.js's fit refuses it)", () => {
  const data = { x: [[1, 2], [0, 1], [3, -1], [2, 2], [-1, 0]], y: [[1], [0], [2], [1], [5]] };
  const make = () => {
    const m = nr.sequential({ seed: 4, layers: [nr.layers.dense({ inputShape: [2], units: 3, activation: 'tanh' }), nr.layers.dense({ units: 1 })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    return m;
  };
  const weightsOf = (m: nr.Sequential) => m.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });

  it('one step is SGD on mean(w · loss) over the batch, as Keras (a TF.js gradient of that as the oracle)', async () => {
    const w = [1, 0.5, 2, 0, 3];
    using m = make();
    const start = weightsOf(m);
    using x = nr.tensor(data.x);
    using y = nr.tensor(data.y);
    const h = await m.fit(x, y, { sampleWeight: w, batchSize: 5, epochs: 1, shuffle: false, verbose: 0 });
    // The oracle: the same weights in TF.js, the loss sum(w·mse_i)/n, one SGD step by its gradient.
    const [k1, b1, k2, b2] = start.map((v, i) => tf.variable(tf.tensor(v, [[2, 3], [3], [3, 1], [1]][i])));
    const loss = () => tf.tidy(() => {
      const out = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(tf.tensor(data.x), k1), b1)), k2), b2);
      const perSample = tf.mean(tf.square(tf.sub(out, tf.tensor(data.y))), 1);
      return tf.div(tf.sum(tf.mul(perSample, tf.tensor(w))), 5) as tf.Scalar;
    });
    const value = loss().dataSync()[0];
    tf.train.sgd(0.1).minimize(loss, false, [k1, b1, k2, b2]);
    expect(h.history.loss[0]).toBeCloseTo(value, 5);
    const got = weightsOf(m);
    [k1, b1, k2, b2].forEach((v, i) => expectClose(got[i], Array.from(v.dataSync()), 1e-5, 1e-6));
    tf.dispose([k1, b1, k2, b2]);
  });

  it('as a tensor [n] or [n, 1] it trains the same bits; with classWeight the two multiply', async () => {
    using x = nr.tensor(data.x);
    using y = nr.tensor([[0], [1], [1], [0], [1]]);
    const run = async (args: nr.FitArgs) => {
      using m = make();
      await m.fit(x, y, { batchSize: 2, epochs: 2, seed: 3, verbose: 0, ...args });
      return weightsOf(m);
    };
    const w = [1, 3, 0.5, 2, 1];
    const byArray = await run({ sampleWeight: w });
    using w1 = nr.tensor(w);
    using w2 = nr.tensor(w.map((v) => [v]));
    expect(await run({ sampleWeight: w1 })).toEqual(byArray);
    expect(await run({ sampleWeight: w2 })).toEqual(byArray);
    // classWeight {0: 2, 1: 1} and sampleWeight w together = sampleWeight w · classWeight(y).
    const both = await run({ sampleWeight: w, classWeight: { 0: 2, 1: 1 } });
    expect(both).toEqual(await run({ sampleWeight: w.map((v, i) => v * [2, 1, 1, 2, 1][i]) }));
    expect(both).not.toEqual(byArray);
    // All ones: the unweighted run, bit for bit.
    expect(await run({ sampleWeight: [1, 1, 1, 1, 1] })).toEqual(await run({}));
  });

  it('a model with two outputs: every output takes the sample\'s weight (all zero: loss 0, no change; all one: unweighted)', async () => {
    // Fresh layers per model (a layer object shares its weights between the models it is in).
    const make2 = () => {
      const inp = nr.input({ shape: [2] });
      const h = nr.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: nr.initializers.glorotUniform({ seed: 1 }) }).apply(inp) as nr.SymbolicTensor;
      const a = nr.layers.dense({ units: 1, name: 'a', kernelInitializer: nr.initializers.glorotUniform({ seed: 2 }) }).apply(h) as nr.SymbolicTensor;
      const b = nr.layers.dense({ units: 2, name: 'b', kernelInitializer: nr.initializers.glorotUniform({ seed: 3 }) }).apply(h) as nr.SymbolicTensor;
      // The model's seed chooses the draws (the initializers' seeds are kept for saving only).
      const m = nr.model({ inputs: inp, outputs: [a, b], seed: 0 });
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: ['mse', 'mae'] });
      return m;
    };
    using x = nr.tensor(data.x);
    using ya = nr.tensor(data.y);
    using yb = nr.tensor(data.x);
    const run = async (sampleWeight?: number[]) => {
      using m = make2();
      const hist = await m.fit(x, [ya, yb], { batchSize: 5, epochs: 1, verbose: 0, sampleWeight });
      return { loss: hist.history.loss[0], w: weightsOf(m) };
    };
    const start = (() => { using m = make2(); return weightsOf(m); })();
    const zero = await run([0, 0, 0, 0, 0]);
    expect([zero.loss, zero.w]).toEqual([0, start]);
    expect(await run([1, 1, 1, 1, 1])).toEqual(await run());
  });

  it('bad weights are errors naming the argument', async () => {
    using m = make();
    using x = nr.tensor(data.x);
    using y = nr.tensor(data.y);
    await expect(m.fit(x, y, { sampleWeight: [1, 2], verbose: 0 })).rejects.toThrow('fit: sampleWeight has 2 values but x has 5 samples; give one weight per sample');
    await expect(m.fit(x, y, { sampleWeight: [1, 2, -1, 0, 1], verbose: 0 })).rejects.toThrow('fit: sampleWeight[2] must be a finite number >= 0, got -1');
    await expect(m.fit(x, y, { sampleWeight: [1, 2, NaN, 0, 1], verbose: 0 })).rejects.toThrow('fit: sampleWeight[2] must be a finite number >= 0, got NaN');
    const gone = nr.ones([5]);
    gone.dispose();
    await expect(m.fit(x, y, { sampleWeight: gone, verbose: 0 })).rejects.toThrow('fit: sampleWeight is a disposed tensor (shape [5])');
    using wide = nr.zeros([5, 2]);
    await expect(m.fit(x, y, { sampleWeight: wide, verbose: 0 })).rejects.toThrow('fit: sampleWeight must have shape [5] or [5, 1] (one weight per sample of x), got [5,2]');
    await expect(m.fit(x, y, { sampleWeight: 2 as never, verbose: 0 })).rejects.toThrow('fit: sampleWeight must be a tensor of shape [5] or an array of 5 numbers (one weight per sample), got');
  });
});
