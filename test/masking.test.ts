// Masks (embedding({ maskZero })) against Keras 3 (TF.js uses masks only in its RNNs):
// test/fixtures/keras3-masking.json, written by bench/keras/masking.py (Keras 3 on JAX), holds a
// per-token tagger (embedding maskZero → dense relu → layerNormalization → dense softmax per
// step; rows of lengths 6, 4, 1, 0, 3, 6, 2: one entirely padded, labels at the padding too) and
// a pooled classifier (embedding maskZero → globalAveragePooling1d → dense softmax) with their
// weights, data and Keras's predict, evaluate (batch size 3 over 7 rows), evaluate with per-step
// weights [n, T], train_on_batch and fit (SGD, batch size 3, 2 epochs, shuffle=False) without
// and with the weights: the logs and the weights after. Tolerance 1e-5 relative + 1e-6 absolute
// (fit's weights 2e-5: 5 SGD steps of float32 rounding). Keras 3's per-epoch accuracy is the
// mask-weighted mean over the epoch's steps; neurite's fit averages each batch's masked
// accuracy by batch size, so fit's accuracy history is checked against that rule (computed
// here), not Keras's number. Then what Keras 3 does not pin: a row with every step masked
// (pooling gives 0; Keras 0/0 = NaN), the layers that refuse a mask, functional and nested
// models, a loss function, saving and TF.js's model.json with mask_zero.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { failTestsThatLeak } from './setup.js';
import { tfArtifacts } from './oracle.js';
import * as nr from '../ts/index.js';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
type Logs = Record<string, number>;
interface Fit { history: Record<string, number[]>; weights: Weights }
interface Case {
  name: 'tagger' | 'pooled' | 'masking'; lr: number; weights: Weights; x: Nested; y: Nested; w: Nested | null; predict: Nested;
  evaluate: Logs; evaluateWeighted?: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit; fitWeighted?: Fit; allPaddedPool?: string[];
}
const F: { keras: string; backend: string; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-masking.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const RTOL = 1e-5, ATOL = 1e-6;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const close = (got: number, want: number, what: string, rtol = RTOL): void => {
  if (!(Math.abs(got - want) <= rtol * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};
const closeAll = (got: ArrayLike<number>, want: Nested, what: string, rtol = RTOL): void => {
  const w = flat(want);
  expect(got.length, what).toBe(w.length);
  w.forEach((v, i) => close(got[i], v, `${what}[${i}]`, rtol));
};
const ours = (k: string): string => k.replace('accuracy', 'acc');
const T = (v: Nested): nr.Tensor => nr.tensor(v as never);
const L = nr.layers;

function make(c: Case): nr.Sequential {
  const m = c.name === 'tagger'
    ? nr.sequential({ layers: [L.embedding({ inputDim: 7, outputDim: 3, inputLength: 6, maskZero: true, name: 'emb' }), L.dense({ units: 5, activation: 'relu', name: 'hidden' }), L.layerNormalization({ name: 'ln' }), L.dense({ units: 4, activation: 'softmax', name: 'out' })] })
    : nr.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 4, inputLength: 5, maskZero: true, name: 'emb' }), L.globalAveragePooling1d({ name: 'pool' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })] });
  m.compile({ optimizer: nr.train.sgd(c.lr), loss: c.name === 'tagger' ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy', metrics: ['accuracy'] });
  for (const [name, vs] of Object.entries(c.weights)) {
    const ts = vs.map((v) => T(v));
    m.getLayer(name).setWeights(ts);
    for (const t of ts) t.dispose();
  }
  return m;
}

function expectWeights(m: nr.Sequential, want: Weights, what: string, rtol = RTOL): void {
  for (const [name, vs] of Object.entries(want)) {
    m.getLayer(name).getWeights().forEach((t, i) => {
      const g = t.dataSync();
      t.dispose();
      closeAll(g, vs[i], `${what}: ${name} weight ${i}`, rtol);
    });
  }
}

describe('masks (embedding maskZero) against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.backend).toBe('jax');
  });

  for (const c of F.cases.filter((k) => k.name !== 'masking')) {
    describe(c.name, () => {
      it('predict; evaluate (each batch of 3 its own count of real steps), with per-step weights', () => {
        const m = make(c);
        nr.tidy(() => {
          const [x, y] = [T(c.x), T(c.y)];
          closeAll((m.predict(x) as nr.Tensor).dataSync(), c.predict, 'predict');
          for (const [k, v] of Object.entries(c.evaluate)) close(m.evaluate(x, y, { batchSize: 3, returnDict: true })[ours(k)], v, `evaluate ${k}`);
          if (c.w && c.evaluateWeighted) {
            const r = m.evaluate(x, y, { sampleWeight: T(c.w), batchSize: 3, returnDict: true });
            for (const [k, v] of Object.entries(c.evaluateWeighted)) close(r[ours(k)], v, `evaluate weighted ${k}`);
          }
        });
        m.dispose();
      });

      it('trainOnBatch: the masked loss and accuracy, and the weights after the step', () => {
        const m = make(c);
        nr.tidy(() => {
          const r = m.trainOnBatch(T(c.x), T(c.y)) as number[];
          close(r[0], c.trainOnBatch.logs.loss, 'loss');
          // The accuracy over the real steps, as Keras 3's evaluate (of the same weights, before
          // the step). Keras 3 on JAX reports train_on_batch's and fit's accuracy unmasked (the
          // mask does not survive its jitted train step): a multiple of 1/(n·T) = 1/42 there.
          close(r[1], c.evaluate.accuracy, 'accuracy (masked)');
          if (c.name === 'tagger') expect(Math.abs(c.trainOnBatch.logs.accuracy * 42 - Math.round(c.trainOnBatch.logs.accuracy * 42))).toBeLessThan(1e-4);
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      for (const key of ['fit', 'fitWeighted'] as const) {
        const want = c[key];
        if (!want) continue;
        it(`${key}: 2 epochs of batches of 3 (${c.name === 'tagger' ? 'a batch holds the row with no real step' : 'pooled over the real steps'})`, async () => {
          const m = make(c);
          const [x, y] = [T(c.x), T(c.y)];
          const w = key === 'fitWeighted' && c.w ? T(c.w) : undefined;
          const h = await m.fit(x, y, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0, ...(w ? { sampleWeight: w } : {}) });
          want.history.loss.forEach((v, e) => close(h.history.loss[e] as number, v, `${key} loss epoch ${e}`));
          if (c.name === 'pooled') want.history.accuracy.forEach((v, e) => close(h.history.acc[e] as number, v, `${key} accuracy epoch ${e}`));
          expectWeights(m, want.weights, key, 2e-5);
          for (const t of [x, y, w]) t?.dispose();
          m.dispose();
        });
      }
    });
  }

  it("fit's accuracy history: each batch's masked accuracy, averaged by batch size (Keras 3 weighs the epoch's steps)", async () => {
    const c = F.cases.find((k) => k.name === 'tagger')!;
    const m = make(c);
    const [x, y] = [T(c.x), T(c.y)];
    // The accuracy of each batch after the steps before it, by trainOnBatch on a twin model.
    const twin = make(c);
    const n = 7;
    let sum = 0;
    for (let s = 0; s < n; s += 3) {
      const idx = Array.from({ length: Math.min(3, n - s) }, (_, i) => s + i);
      const r = nr.tidy(() => twin.trainOnBatch(nr.gather(x, idx), nr.gather(y, idx)) as number[]);
      sum += r[1] * idx.length;
    }
    const h = await m.fit(x, y, { batchSize: 3, epochs: 1, shuffle: false, verbose: 0 });
    close(h.history.acc[0] as number, sum / n, 'epoch accuracy');
    for (const t of [x, y]) t.dispose();
    m.dispose();
    twin.dispose();
  });

  it('a row with every step padded: globalAveragePooling1d gives 0 (Keras 3: 0/0 = NaN), and no NaN reaches the loss', () => {
    const c = F.cases.find((k) => k.name === 'pooled')!;
    expect(c.allPaddedPool).toEqual(['nan', 'nan', 'nan', 'nan']);
    const m = make(c);
    const pool = nr.sequential({ layers: [m.getLayer('emb'), m.getLayer('pool')] });
    nr.tidy(() => {
      const x = T([[0, 0, 0, 0, 0], [3, 0, 0, 0, 0]]);
      const e = m.getLayer('emb').getWeights()[0].dataSync();
      expect(Array.from((pool.predict(x) as nr.Tensor).dataSync())).toEqual([0, 0, 0, 0, ...Array.from(e.slice(12, 16))]);
      const r = m.evaluate(x, T([[1, 0, 0], [0, 1, 0]]), { returnDict: true });
      expect(Number.isFinite(r.loss)).toBe(true);
      // The gradient of the pooled value through the tape: 1/count on each real step.
      const g = nr.grad((t: nr.Tensor) => nr.sum(pool.apply(t) as nr.Tensor))(x);
      expect(Array.from(g.dataSync())).toEqual(new Array(10).fill(0));
    });
    pool.dispose();
    m.dispose();
  });

  it('the masked average and its gradient against the definition (odd lengths, one real step)', () => {
    const m = nr.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true }), L.globalAveragePooling1d(), L.dense({ units: 1 })] });
    m.compile({ optimizer: nr.train.sgd(0.1), loss: 'meanSquaredError' });
    nr.tidy(() => {
      const e = m.layers[0].getWeights()[0].arraySync() as number[][];
      const [k, b] = m.layers[2].getWeights().map((t) => t.dataSync());
      const rows = [[1, 2, 0], [4, 0, 0], [3, 1, 2]];
      const want = rows.map((r) => {
        const real = r.filter((v) => v !== 0);
        const avg = [0, 1].map((j) => real.reduce((a, v) => a + e[v][j], 0) / real.length);
        return avg[0] * k[0] + avg[1] * k[1] + b[0];
      });
      closeAll((m.predict(T(rows)) as nr.Tensor).dataSync(), want, 'predict');
    });
    m.dispose();
  });

  it('the layers that pass a mask on, and the errors for the others (Keras 3 drops the mask there with a warning, or, for batchNormalization, takes it: neither is done here yet)', () => {
    const emb = () => L.embedding({ inputDim: 5, outputDim: 4, inputLength: 3, maskZero: true, name: 'ids' });
    // The model is built (and checked) by its first compile, fit, predict or summary.
    const build = (ls: nr.Layer[]): void => {
      const m = nr.sequential({ layers: ls });
      try {
        m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      } finally {
        m.dispose();
      }
    };
    build([emb(), L.dropout({ rate: 0.1 }), L.gaussianNoise({ stddev: 0.1 }), L.gaussianDropout({ rate: 0.1 }), L.activation({ activation: 'tanh' }), L.layerNormalization(), L.normalization({ mean: 0, variance: 1 }), L.prelu(), L.rescaling({ scale: 2 }), L.dense({ units: 2 })]);
    for (const [bad, kind] of [[L.flatten({ name: 'flat' }), 'flatten'], [L.conv1d({ filters: 2, kernelSize: 2, name: 'flat' }), 'conv1d'], [L.globalMaxPooling1d({ name: 'flat' }), 'globalMaxPooling1d'], [L.batchNormalization({ name: 'flat' }), 'batchNormalization']] as const) {
      expect(() => build([emb(), L.dense({ units: 3 }), bad])).toThrow(`layer 'flat' (${kind}) cannot take the mask that layer 'ids' (embedding) makes (maskZero)`);
    }
    expect(() => build([emb(), L.flatten()])).toThrow('would treat the padding as data there (Keras 3 drops a mask with a warning at a layer without mask support, and computes batchNormalization\'s statistics over the real steps)');
    // After the pooling the mask is used up: flatten and dense are fine.
    build([emb(), L.globalAveragePooling1d(), L.flatten(), L.dense({ units: 2 })]);
    // maskZero must be a boolean.
    expect(() => L.embedding({ inputDim: 5, outputDim: 4, maskZero: 1 as never })).toThrow('embedding: maskZero must be a boolean, got 1');
  });

  it('functional and nested models with a mask are refused; a loss function cannot take one', async () => {
    const inp = nr.input({ shape: [3] });
    const e = L.embedding({ inputDim: 5, outputDim: 2, maskZero: true, name: 'ids' }).apply(inp) as nr.SymbolicTensor;
    const out = L.dense({ units: 2 }).apply(e) as nr.SymbolicTensor;
    expect(() => nr.model({ inputs: inp, outputs: out })).toThrow("makes a mask (maskZero), and masks run through sequential models only so far");
    const inner = nr.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true })] });
    const outer = nr.sequential({ layers: [inner, L.dense({ units: 2 })] });
    expect(() => outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })).toThrow('is a nested model that makes a mask');
    outer.dispose();
    inner.dispose();
    const m = nr.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true }), L.dense({ units: 2 })] });
    m.compile({ optimizer: 'sgd', loss: (yt: nr.Tensor, yp: nr.Tensor) => nr.losses.meanSquaredError(yt, yp) });
    const [x, y] = [T([[1, 2, 0]]), T([[[0, 1], [1, 0], [0, 0]]])];
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow('which a loss function cannot see');
    for (const t of [x, y]) t.dispose();
    m.dispose();
  });

  it('saving keeps maskZero; a TF.js model.json with mask_zero: true loads and predicts as TF.js', async () => {
    const c = F.cases.find((k) => k.name === 'tagger')!;
    const m = make(c);
    const a = await m.toArtifacts();
    const json = JSON.stringify(a.modelTopology);
    expect(json).toContain('"mask_zero":true');
    const back = (await nr.loadModel(a)) as nr.Sequential;
    back.compile({ optimizer: nr.train.sgd(c.lr), loss: 'sparseCategoricalCrossentropy' });
    nr.tidy(() => close(back.evaluate(T(c.x), T(c.y), { batchSize: 3, returnDict: true }).loss, c.evaluate.loss, 'loaded evaluate'));
    expect((back.getLayer('emb') as nr.Embedding).maskZero).toBe(true);
    back.dispose();
    m.dispose();

    const tm = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3, inputLength: 4, maskZero: true }), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    const b = await tfArtifacts(tm);
    const loaded = (await nr.loadModel(b as nr.ModelArtifacts)) as nr.Sequential;
    const x = [[1, 2, 0, 0], [7, 0, 0, 0]];
    const want = tf.tidy(() => (tm.predict(tf.tensor(x)) as tf.Tensor).dataSync());
    nr.tidy(() => closeAll((loaded.predict(T(x)) as nr.Tensor).dataSync(), Array.from(want), 'TF.js predict', 1e-6));
    loaded.dispose();
    tm.dispose();
    const flat = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3, inputLength: 4, maskZero: true }), tfl.layers.flatten()] });
    const f = await tfArtifacts(flat);
    flat.dispose();
    await expect(nr.loadModel(f as nr.ModelArtifacts)).rejects.toThrow('(flatten) cannot take the mask');
  });
});
