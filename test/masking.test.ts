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
// (pooling gives 0; Keras 0/0 = NaN), the layers that refuse a mask, nested models, a loss
// function, saving and TF.js's model.json with mask_zero (graph models:
// test/functional-masking.test.ts).
// layers.masking (TF.js's and Keras 3's Masking): the fixture's `masking` (masking → dense relu
// → dense softmax per step; two rows entirely padded, real steps with some features 0, per-step
// weights) and `maskValue` (-1 as the padding, a real step of zeros) cases run through the same
// checks, and Keras 3's to_json() of the first loads; TF.js 4.22 live: a TF.js model with
// Masking(0 | 2.5 | -1) loads and predicts as TF.js (1e-6), dL/dx as tf.grad (1e-5), the
// neurite-saved model loads in TF.js; TF.js's evaluate counts the padding where neurite's (as
// Keras 3's) does not.
// batchNormalization after a mask: the fixture's `batchnorm` case (masking → dense →
// batchNormalization(momentum 0.9) → dense softmax) through the same checks: Keras 3 takes the
// training moments over the real steps (the generator checks that against numpy), so the
// moving mean and variance after train_on_batch and fit pin the masked rule; then the tape's
// gradient of apply(x, { training: true }) against central differences of the same call.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { failTestsThatLeak } from './setup.js';
import { tfArtifacts } from './oracle.js';
import * as nr from '../ts/index.js';
import { type Nested, type Weights, type Logs, type Fit, flat, close, closeAll, T, expectWeights, ours, setLayerWeights } from './keras-fixture.js';

interface Case {
  name: 'tagger' | 'pooled' | 'masking' | 'maskValue' | 'batchnorm'; lr: number; json?: string; weights: Weights; x: Nested; y: Nested; w: Nested | null; predict: Nested;
  evaluate: Logs; evaluateWeighted?: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit; fitWeighted?: Fit; allPaddedPool?: string[];
}
const F: { keras: string; backend: string; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-masking.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const L = nr.layers;

const LAYERS: Record<Case['name'], () => nr.Layer[]> = {
  tagger: () => [L.embedding({ inputDim: 7, outputDim: 3, inputLength: 6, maskZero: true, name: 'emb' }), L.dense({ units: 5, activation: 'relu', name: 'hidden' }), L.layerNormalization({ name: 'ln' }), L.dense({ units: 4, activation: 'softmax', name: 'out' })],
  pooled: () => [L.embedding({ inputDim: 6, outputDim: 4, inputLength: 5, maskZero: true, name: 'emb' }), L.globalAveragePooling1d({ name: 'pool' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
  masking: () => [L.masking({ inputShape: [4, 3], name: 'mask' }), L.dense({ units: 5, activation: 'relu', name: 'hidden' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
  maskValue: () => [L.masking({ maskValue: -1, inputShape: [3, 2], name: 'mask' }), L.dense({ units: 2, activation: 'softmax', name: 'out' })],
  batchnorm: () => [L.masking({ inputShape: [4, 3], name: 'mask' }), L.dense({ units: 4, name: 'hidden' }), L.batchNormalization({ momentum: 0.9, name: 'bn' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
};

function make(c: Case): nr.Sequential {
  const m = nr.sequential({ layers: LAYERS[c.name]() });
  m.compile({ optimizer: nr.train.sgd(c.lr), loss: c.name === 'pooled' ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  setLayerWeights(m, c.weights);
  return m;
}


/** Builds (and so checks) a sequential model of `ls` by compiling it, then disposes it: the model is built by its first compile, fit, predict or summary. */
function build(ls: nr.Layer[]): void {
  const m = nr.sequential({ layers: ls });
  try {
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  } finally {
    m.dispose();
  }
}

describe('masks (embedding maskZero) against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.backend).toBe('jax');
  });

  for (const c of F.cases) {
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
          // (batchnorm: the step's accuracy is of the batch statistics, evaluate's of the moving ones.)
          if (c.name !== 'batchnorm') close(r[1], c.evaluate.accuracy, 'accuracy (masked)');
          if (c.name === 'tagger') expect(Math.abs(c.trainOnBatch.logs.accuracy * 42 - Math.round(c.trainOnBatch.logs.accuracy * 42))).toBeLessThan(1e-4);
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      for (const key of ['fit', 'fitWeighted'] as const) {
        const want = c[key];
        if (!want) continue;
        it(`${key}: 2 epochs of batches of 3 (${c.name === 'pooled' ? 'pooled over the real steps' : 'a batch holds a row with no real step'})`, async () => {
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

  it('the layers that pass a mask on, and the errors for the others (Keras 3 drops the mask there with a warning)', () => {
    const emb = () => L.embedding({ inputDim: 5, outputDim: 4, inputLength: 3, maskZero: true, name: 'ids' });
    build([emb(), L.dropout({ rate: 0.1 }), L.gaussianNoise({ stddev: 0.1 }), L.gaussianDropout({ rate: 0.1 }), L.activation({ activation: 'tanh' }), L.layerNormalization(), L.normalization({ mean: 0, variance: 1 }), L.prelu(), L.rescaling({ scale: 2 }), L.batchNormalization(), L.dense({ units: 2 })]);
    for (const [bad, kind] of [[L.flatten({ name: 'flat' }), 'flatten'], [L.conv1d({ filters: 2, kernelSize: 2, name: 'flat' }), 'conv1d'], [L.globalMaxPooling1d({ name: 'flat' }), 'globalMaxPooling1d']] as const) {
      expect(() => build([emb(), L.dense({ units: 3 }), bad])).toThrow(`layer 'flat' (${kind}) cannot take the mask that layer 'ids' (embedding) makes (maskZero)`);
    }
    expect(() => build([emb(), L.flatten()])).toThrow('would treat the padding as data there (Keras 3 drops a mask with a warning at a layer without mask support)');
    // After the pooling the mask is used up: flatten and dense are fine.
    build([emb(), L.globalAveragePooling1d(), L.flatten(), L.dense({ units: 2 })]);
    // maskZero must be a boolean.
    expect(() => L.embedding({ inputDim: 5, outputDim: 4, maskZero: 1 as never })).toThrow('embedding: maskZero must be a boolean, got 1');
  });

  it('a nested model carries the mask as its layers would unnested (bit for bit: one that makes it, one that uses it up); one that cannot take it is named; a loss function cannot take one (graph models: test/shared-masking.test.ts)', async () => {
    const bits = (t: nr.Tensor): number[] => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));
    const weightBits = (m: nr.Sequential): number[] => m.getWeights().flatMap((t) => {
      const b = bits(t);
      t.dispose();
      return b;
    });
    // Odd lengths, a row all padding, an index at the top of the range.
    const ids = T([[1, 2, 0, 0], [0, 0, 0, 0], [4, 4, 4, 4], [3, 0, 0, 0], [2, 3, 1, 0]]);
    for (const perStep of [true, false]) {
      const layers = (): nr.Layer[] => [
        L.embedding({ inputDim: 5, outputDim: 3, inputLength: 4, maskZero: true }),
        L.dense({ units: 3, activation: 'tanh' }),
        ...(perStep ? [] : [L.globalAveragePooling1d()]),
        L.dense({ units: 2, activation: 'softmax' }),
      ];
      const flat = nr.sequential({ layers: layers(), seed: 3 });
      const ls = layers();
      // Per step: the nested model makes the mask; pooled: it takes the mask and uses it up.
      const inner = nr.sequential({ layers: perStep ? ls.slice(0, 2) : ls.slice(1, 3) });
      const outer = nr.sequential({ layers: perStep ? [inner, ls[2]] : [ls[0], inner, ls[3]], seed: 3 });
      for (const m of [flat, outer]) m.compile({ optimizer: nr.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      nr.tidy(() => outer.setWeights(flat.getWeights()));
      const y = perStep ? T([[0, 1, 1, 1], [1, 1, 1, 1], [0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1]]) : T([0, 1, 1, 0, 1]);
      nr.tidy(() => {
        expect(bits(outer.predict(ids) as nr.Tensor)).toEqual(bits(flat.predict(ids) as nr.Tensor));
        expect(outer.evaluate(ids, y, { batchSize: 2, returnDict: true })).toEqual(flat.evaluate(ids, y, { batchSize: 2, returnDict: true }));
      });
      const [hf, ho] = [await flat.fit(ids, y, { batchSize: 2, epochs: 2, shuffle: false, verbose: 0 }), await outer.fit(ids, y, { batchSize: 2, epochs: 2, shuffle: false, verbose: 0 })];
      expect(ho.history).toEqual(hf.history);
      expect(weightBits(outer)).toEqual(weightBits(flat));
      if (perStep) {
        // The mask counts: a padded step's label does not move the loss.
        nr.tidy(() => {
          const y2 = T([[0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1], [0, 0, 1, 0]]);
          expect(outer.evaluate(ids, y2, { returnDict: true }).loss).toBe(outer.evaluate(ids, y, { returnDict: true }).loss);
        });
      }
      for (const t of [y, flat, outer, inner]) t.dispose();
    }
    ids.dispose();
    // A layer inside the nested model that cannot take the mask from outside: named, with the model.
    const inner = nr.sequential({ layers: [L.dense({ units: 2, inputShape: [3, 2] }), L.flatten({ name: 'flat' })], name: 'inner' });
    const outer = nr.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true, name: 'ids' }), inner] });
    expect(() => outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })).toThrow("layer 'inner' (sequential), a nested model: layer 'flat' (flatten) cannot take the mask that the embedding before the nested model makes (maskZero) yet");
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

describe('layers.masking against TF.js 4.22 and Keras 3', () => {
  // Padded float sequences [3, 4, 3]: row 1 entirely padded, real steps with one or two features
  // equal to the padding value (kept: a step is masked only when all its features are).
  const seqs = (v: number): number[][][] => [
    [[0.5, v, -1.25], [v, v, 2], [1, 1.5, -0.75], [v, v, v]],
    [[v, v, v], [v, v, v], [v, v, v], [v, v, v]],
    [[-2, 0.25, 3], [v, v, v], [0.75, -0.5, v], [v, v, v]],
  ];
  const tfModel = (v: number) => tfl.sequential({ layers: [
    tfl.layers.masking({ maskValue: v, inputShape: [4, 3] }),
    tfl.layers.dense({ units: 4, activation: 'tanh' }),
    tfl.layers.dense({ units: 2, activation: 'softmax' }),
  ] });

  for (const v of [0, 2.5, -1]) {
    it(`a TF.js model with Masking(${v}) loads and predicts as TF.js; dL/dx as tf.grad's of the layers after it, times the mask; saved back, TF.js reads it`, async () => {
      const tm = tfModel(v);
      const a = await tfArtifacts(tm);
      expect((a.modelTopology as any).config.layers[0]).toMatchObject({ class_name: 'Masking', config: { mask_value: v } });
      const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
      const x = seqs(v);
      const w = [[[0.3, -0.7], [1.1, 0.2], [-0.4, 0.9], [0.6, -1.3]], [[0.5, 0.5], [-1, 1], [2, 0.1], [0.2, -0.2]], [[-0.9, 0.4], [0.7, 0.8], [-0.1, 1.2], [1, -1]]];
      // TF.js 4.22 cannot differentiate its own Masking layer ("gradient function not found
      // for Any"): its gradient is that of the layers after it at the masked input, times the mask.
      const [want, wantDx] = tf.tidy(() => {
        const tx = tf.tensor(x);
        const masked = tm.layers[0].apply(tx) as tf.Tensor;
        const keep = tf.cast(tf.any(tf.notEqual(tx, v), -1, true), 'float32');
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tm.layers[2].apply(tm.layers[1].apply(t)) as tf.Tensor, tf.tensor(w)));
        return [(tm.predict(tx) as tf.Tensor).dataSync(), tf.mul(tf.grad(f)(masked), keep).dataSync()];
      });
      nr.tidy(() => {
        const nx = T(x);
        const y = (m.predict(nx) as nr.Tensor).dataSync();
        closeAll(y, Array.from(want), 'predict', 1e-6);
        const dx = nr.grad((t: nr.Tensor) => nr.sum(nr.mul(m.predict(t) as nr.Tensor, T(w))))(nx).dataSync();
        closeAll(dx, Array.from(wantDx), 'dL/dx', 1e-5);
        // The masked steps' gradient is 0 (the layer's output there is the constant 0).
        for (const [r, s] of [[0, 3], [1, 0], [1, 3], [2, 1], [2, 3]]) expect(Array.from(dx.slice((r * 4 + s) * 3, (r * 4 + s) * 3 + 3))).toEqual([0, 0, 0]);
        expect(Math.abs(dx[0]) + Math.abs(dx[3 * 3 + 0])).toBeGreaterThan(0);
      });
      const layer = m.layers[0] as nr.Masking;
      expect(layer.getClassName()).toBe('Masking');
      expect(layer.maskValue).toBe(v);
      const tc = tm.layers[0].getConfig();
      const nc = layer.getConfig();
      expect(nc.maskValue).toBe(tc.maskValue);
      expect(Object.keys(nc).sort()).toEqual(Object.keys(tc).sort());
      const back = await m.toArtifacts();
      const tm2 = await tfl.loadLayersModel(tf.io.fromMemory(back as tf.io.ModelArtifacts));
      const again = tf.tidy(() => (tm2.predict(tf.tensor(x)) as tf.Tensor).dataSync());
      closeAll(again, Array.from(want), 'TF.js predict of the neurite-saved model', 1e-6);
      for (const d of [m, tm, tm2]) d.dispose();
    });
  }

  it("TF.js 4.22's evaluate counts the padding (its losses ignore masks); neurite's, as Keras 3's, only the real steps", async () => {
    const tm = tfModel(0);
    const m = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
    tm.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = seqs(0);
    const y = [[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]];
    const oneHot = y.map((r) => r.map((k) => (k === 0 ? [1, 0] : [0, 1])));
    const p = tf.tidy(() => (tm.predict(tf.tensor(x)) as tf.Tensor).arraySync() as number[][][]);
    const ce = (r: number, s: number) => -Math.log(p[r][s][y[r][s]]);
    const all: number[] = [], real: number[] = [];
    x.forEach((row, r) => row.forEach((step, s) => {
      all.push(ce(r, s));
      if (step.some((f) => f !== 0)) real.push(ce(r, s));
    }));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const tfLoss = tf.tidy(() => (tm.evaluate(tf.tensor(x), tf.tensor(oneHot)) as tf.Scalar).dataSync()[0]);
    close(tfLoss, mean(all), 'TF.js loss: the mean over all 12 steps', 1e-5);
    nr.tidy(() => close(m.evaluate(T(x), T(oneHot), { returnDict: true }).loss, mean(real), "neurite's loss: the mean over the 5 real steps", 1e-5));
    expect(Math.abs(mean(all) - mean(real))).toBeGreaterThan(1e-3);
    m.dispose();
    tm.dispose();
  });

  it("a Keras 3 to_json() model with Masking loads and, given Keras's weights, predicts as Keras", async () => {
    const c = F.cases.find((k) => k.name === 'masking')!;
    const m = (await nr.models.modelFromJSON(JSON.parse(c.json!))) as nr.Sequential;
    expect(m.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Masking', 'Dense', 'Dense']);
    expect((m.getLayer('mask') as nr.Masking).maskValue).toBe(0);
    for (const [name, vs] of Object.entries(c.weights)) {
      const ts = vs.map((v) => T(v));
      m.getLayer(name).setWeights(ts);
      for (const t of ts) t.dispose();
    }
    nr.tidy(() => closeAll((m.predict(T(c.x)) as nr.Tensor).dataSync(), c.predict, 'predict'));
    m.dispose();
  });

  it('per-sample features [n, f]: a masked sample is left out of the loss, as in Keras 3', () => {
    const m = nr.sequential({ layers: [L.masking({ maskValue: 9, inputShape: [2] }), L.dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    nr.tidy(() => {
      const x = T([[1, 2], [9, 9], [9, 0.5]]);
      // The masked sample's output is dense(0) = 0; its loss does not count.
      closeAll((m.predict(x) as nr.Tensor).dataSync(), [3, 0, 9.5], 'predict');
      close(m.evaluate(x, T([[1], [100], [0]]), { returnDict: true }).loss, (4 + 9.5 ** 2) / 2, 'loss over the two real samples');
    });
    m.dispose();
  });

  it('bad options and models are errors naming the layer; a functional model with one runs', () => {
    const thrown = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(thrown(() => L.masking({ maskValue: NaN }))).toMatch(/^masking: maskValue must be a finite number \(NaN equals no value.*got NaN$/);
    // ±Infinity: saved as null (JSON) or ±Infinity, which every loader refuses.
    expect(thrown(() => L.masking({ maskValue: -Infinity }))).toMatch(/^masking: maskValue must be a finite number .*could be saved but never loaded.*got -Infinity$/);
    expect(thrown(() => L.masking({ maskValue: '0' as never }))).toMatch(/masking: maskValue must be a finite number/);
    expect(thrown(() => L.masking({ maskvalue: 1 } as never))).toMatch(/did you mean 'maskValue'/);
    expect(() => build([L.masking({ inputShape: [3, 2], name: 'pad' }), L.flatten({ name: 'flat' })])).toThrow("layer 'flat' (flatten) cannot take the mask that layer 'pad' (masking) makes yet, and would treat the padding as data there");
    expect(() => build([L.masking({ inputShape: [3, 2], name: 'pad' }), L.flatten({ name: 'flat' })])).toThrow('or remove the masking layer');
    build([L.masking({ inputShape: [3, 2] }), L.globalAveragePooling1d(), L.flatten(), L.dense({ units: 1 })]);
    const inp = nr.input({ shape: [3, 2] });
    const out = L.dense({ units: 1 }).apply(L.masking({ name: 'pad' }).apply(inp) as nr.SymbolicTensor) as nr.SymbolicTensor;
    nr.model({ inputs: inp, outputs: out }).dispose();
  });
});

describe('batchNormalization after a mask: the one backward rule on the tape', () => {
  it('dL/dx of apply(x, { training: true }) through masked batch statistics matches central differences; the moving statistics follow the real steps', () => {
    const m = nr.sequential({ layers: [L.masking({ inputShape: [3, 2] }), L.batchNormalization({ momentum: 0.5, name: 'bn' }), L.dense({ units: 2, kernelInitializer: 'glorotUniform', name: 'd' })] });
    const x0 = [[[0.5, -1], [0, 0], [2, 0.25]], [[0, 0], [0, 0], [0, 0]], [[-1.5, 0], [1, 1.75], [0, 0]]];
    const w = [[[0.3, -0.7], [1.1, 0.2], [-0.4, 0.9]], [[0.5, 0.5], [-1, 1], [2, 0.1]], [[-0.9, 0.4], [0.7, 0.8], [-0.1, 1.2]]];
    const f = (t: nr.Tensor) => nr.sum(nr.mul(m.apply(t, { training: true }) as nr.Tensor, T(w)));
    const value = (x: number[]): number => nr.tidy(() => f(nr.tensor(x, [3, 3, 2])).dataSync()[0]);
    const flatX = flat(x0);
    const dx = nr.tidy(() => Array.from(nr.grad(f)(T(x0)).dataSync()));
    const h = 1e-2;
    // Only the real steps' values move; a masked step stays masked under a small change only if
    // it is not all zeros, so the padding's gradient is the layer's 0 (masking's rule).
    const real = [0, 1, 4, 5, 12, 13, 14, 15];
    for (const i of real) {
      const up = flatX.slice(), down = flatX.slice();
      up[i] += h;
      down[i] -= h;
      // float32 sums of ~6 over 2h = 0.02: differences are good to about 1e-4.
      const fd = (value(up) - value(down)) / (2 * h);
      if (!(Math.abs(dx[i] - fd) <= 2e-4 + 2e-3 * Math.abs(fd))) throw new Error(`dL/dx[${i}]: ${dx[i]} vs central differences ${fd}`);
    }
    for (const i of flatX.keys()) if (!real.includes(i)) expect(dx[i]).toBe(0);
    // The moving mean after one training call (each value above ran one): momentum 0.5 from 0.
    const m2 = nr.sequential({ layers: [L.masking({ inputShape: [3, 2] }), L.batchNormalization({ momentum: 0.5, name: 'bn' })] });
    nr.tidy(() => {
      m2.apply(T(x0), { training: true });
    });
    const mean = [0, 1].map((j) => [[0, 0], [0, 2], [2, 0], [2, 1]].reduce((a, [r, s]) => a + x0[r][s][j], 0) / 4);
    const ws = m2.getLayer('bn').getWeights();
    closeAll(ws[2].dataSync(), mean.map((v) => 0.5 * v), 'moving mean', 1e-6);
    nr.dispose(ws);
    m.dispose();
    m2.dispose();
  });
});

// A mask lives for one forward (crates/core: a layer gets it as an argument of its forward,
// never as state; the native test a_failed_forward_leaves_no_mask_behind makes a forward fail
// between the mask and the layer that reads it, which the checks of the public API do before
// any forward). Here, through the API: a batchNormalization and a globalAveragePooling1d shared by
// a masked graph model and an unmasked one; the masked model's calls fail (an embedding id out
// of range in its second input) in predict, evaluate, trainOnBatch, fit and the tape's apply;
// the unmasked model then predicts, evaluates, applies with training and trains exactly as a
// fresh copy with the same weights (bit for bit).
describe('a mask lives for one forward', () => {
  it('failed masked calls leave nothing on the layers another (unmasked) model shares: predict, evaluate, apply, trainOnBatch and fit as a fresh copy', async () => {
    const [steps, d] = [4, 3];
    const bn = L.batchNormalization({ momentum: 0.5 });
    const pool = L.globalAveragePooling1d();
    const [a, b] = [nr.input({ shape: [steps] }), nr.input({ shape: [steps] })];
    const ha = pool.apply(bn.apply(L.embedding({ inputDim: 5, outputDim: d, maskZero: true }).apply(a) as nr.SymbolicTensor) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const hb = L.globalAveragePooling1d().apply(L.embedding({ inputDim: 5, outputDim: d, maskZero: true }).apply(b) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const masked = nr.model({ inputs: [a, b], outputs: L.dense({ units: 1 }).apply(L.concatenate().apply([ha, hb]) as nr.SymbolicTensor) as nr.SymbolicTensor, seed: 3 });
    masked.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const unmasked = (norm: nr.Layer, p: nr.Layer) => {
      const z = nr.input({ shape: [steps, d] });
      const m = nr.model({ inputs: z, outputs: p.apply(norm.apply(z) as nr.SymbolicTensor) as nr.SymbolicTensor });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const shared = unmasked(bn, pool);
    const bn2 = L.batchNormalization({ momentum: 0.5 });
    const fresh = unmasked(bn2, L.globalAveragePooling1d());
    const bits = (t: unknown) => Array.from(new Uint32Array(Float32Array.from(t instanceof nr.Tensor ? t.dataSync() : [t as number | number[]].flat()).buffer));
    const ids = T([[1, 2, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]]);
    const bad = T([[1, 2, 0, 0], [2, 7, 0, 0], [1, 0, 0, 0]]);
    const yMasked = T([[1], [0], [0.5]]);
    const z = nr.tensor(Array.from({ length: 3 * steps * d }, (_, i) => Math.sin(i * 0.7) * 2 + (i % 5) * 0.3), [3, steps, d]);
    const y = T([[0.5, -1, 2], [0, 1, 0.25], [1, 1, -1]]);
    // Every masked call fails, after the first input's mask was made.
    const fails = async () => {
      for (const f of [() => masked.predict([ids, bad]), () => masked.evaluate([ids, bad], yMasked), () => masked.trainOnBatch([ids, bad], yMasked), () => nr.tidy(() => masked.apply([ids, bad], { training: true }))]) {
        expect(f).toThrow(/out of range/);
      }
      await expect(masked.fit([ids, bad], yMasked, { epochs: 1, verbose: 0 })).rejects.toThrow(/out of range/);
    };
    const same = () => {
      const ws = bn.getWeights();
      bn2.setWeights(ws);
      nr.dispose(ws);
      nr.tidy(() => {
        expect(bits(shared.predict(z))).toEqual(bits(fresh.predict(z)));
        expect(bits(shared.evaluate(z, y))).toEqual(bits(fresh.evaluate(z, y)));
        expect(bits(shared.apply(z, { training: true }))).toEqual(bits(fresh.apply(z, { training: true })));
        expect(bits(shared.trainOnBatch(z, y))).toEqual(bits(fresh.trainOnBatch(z, y)));
      });
    };
    // The masked model works (and leaves its masks) before and between the failures.
    nr.tidy(() => {
      masked.predict([ids, ids]);
      masked.trainOnBatch([ids, ids], yMasked);
    });
    await fails();
    same();
    await fails();
    const [hs, hf] = [await shared.fit(z, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 }), await fresh.fit(z, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 })];
    expect(bits(hs.history.loss)).toEqual(bits(hf.history.loss));
    same();
    nr.dispose([ids, bad, yMasked, z, y]);
    for (const m of [masked, shared, fresh]) m.dispose();
  });
});
