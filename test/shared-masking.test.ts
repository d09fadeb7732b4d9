// Masks through shared layers (a layer applied more than once in a graph model) and nested
// models against Keras 3: test/fixtures/keras3-shared-masking.json, written by
// bench/keras/shared_masking.py (Keras 3 on JAX), holds four graph models with their weights,
// data and Keras's predict, evaluate (batch size 3 over 7 rows), train_on_batch and fit (SGD,
// batch size 3, 2 epochs, shuffle=False):
// `siamese`, one embedding(maskZero) → dense(tanh) per step → globalAveragePooling1d applied to
// two inputs of other lengths (6 and 5 steps: neurite runs each shared layer as a batch per
// length) with their own padding, then the cosine of the two (dot, normalize) → dense(sigmoid);
// and `sharedSteps`, one embedding(maskZero) → dense(relu) applied to two inputs, added, then a
// per-step softmax: the output's mask is the OR of the two calls' masks; `nestedEncoder`, a
// nested sequential model (embedding(maskZero) → dense) that makes the mask, applied to two
// inputs, each pooled, subtracted, then a softmax; `nestedPass`, a nested graph model (two dense
// layers) the embedding's mask passes through, then a per-step softmax, a row all padding
// (Keras 3 keeps the mask the nested model's last layer set). Keras 3 keeps a mask per
// call, so each call of the shared pooling averages over its own real steps, and the shared
// weights' gradient is the sum over the calls. Tolerance 1e-5 relative + 1e-6 absolute (fit's
// weights 2e-5). Keras 3 on JAX reports fit's and train_on_batch's accuracy unmasked (see
// test/masking.test.ts), so for the per-step case those are checked against evaluate's masked
// accuracy (train_on_batch) or not at all (fit). Then, with neurite's graph of a layer per
// input (same weights) as the reference: the shared model's values bit for bit, with a row all
// padding, huge values and zero rows; a padded step's label moves nothing; both cases saved and
// loaded predict and evaluate as Keras 3.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { type Nested, type Weights, type Logs, type Fit, close, T, expectWeights, inputsOf, expectPredictEvaluate, expectKeras3Fixture } from './keras-fixture.js';

type Name = 'siamese' | 'sharedSteps' | 'nestedEncoder' | 'nestedPass';
interface Case { name: Name; lr: number; weights: Weights; xs: Nested[]; y: Nested; predict: Nested; evaluate: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit }
const F: { keras: string; backend: string; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-shared-masking.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const L = nr.layers;
type S = nr.SymbolicTensor;
const LOSS: Record<Name, nr.LossSpec> = { siamese: 'binaryCrossentropy', sharedSteps: 'sparseCategoricalCrossentropy', nestedEncoder: 'categoricalCrossentropy', nestedPass: 'sparseCategoricalCrossentropy' };

/**
 * The fixture's graphs, layer names as Keras's; `shared: false` gives each input its own
 * embedding, encoder (and pooling), named `emb`/`emb2`, `enc`/`enc2`.
 */
const GRAPHS: Record<Name, (shared?: boolean) => nr.Sequential> = {
  siamese: (shared = true) => {
    const [a, b] = [nr.input({ shape: [6], name: 'a' }), nr.input({ shape: [5], name: 'b' })];
    const chain = (suffix: string) => {
      const emb = L.embedding({ inputDim: 8, outputDim: 4, maskZero: true, name: `emb${suffix}` });
      const enc = L.dense({ units: 4, activation: 'tanh', name: `enc${suffix}` });
      const pool = L.globalAveragePooling1d({ name: `pool${suffix}` });
      return (x: S): S => pool.apply(enc.apply(emb.apply(x) as S) as S) as S;
    };
    const fa = chain('');
    const fb = shared ? fa : chain('2');
    const cos = L.dot({ axes: 1, normalize: true, name: 'cos' }).apply([fa(a), fb(b)]) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(cos) as S });
  },
  sharedSteps: (shared = true) => {
    const [a, b] = [nr.input({ shape: [5], name: 'a' }), nr.input({ shape: [5], name: 'b' })];
    const chain = (suffix: string) => {
      const emb = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: `emb${suffix}` });
      const enc = L.dense({ units: 3, activation: 'relu', name: `enc${suffix}` });
      return (x: S): S => enc.apply(emb.apply(x) as S) as S;
    };
    const fa = chain('');
    const fb = shared ? fa : chain('2');
    const s = L.add({ name: 'sum' }).apply([fa(a), fb(b)]) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(s) as S });
  },
  nestedEncoder: () => {
    const [a, b] = [nr.input({ shape: [5], name: 'a' }), nr.input({ shape: [5], name: 'b' })];
    // A nested model that makes the mask, applied to both inputs.
    const encoder = nr.sequential({ layers: [L.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputLength: 5, name: 'emb' }), L.dense({ units: 4, activation: 'tanh', name: 'enc' })], name: 'encoder' });
    const pool = L.globalAveragePooling1d({ name: 'pool' });
    const d = L.subtract({ name: 'diff' }).apply([pool.apply(encoder.apply(a) as S) as S, pool.apply(encoder.apply(b) as S) as S]) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(d) as S });
  },
  nestedPass: () => {
    const ids = nr.input({ shape: [6], name: 'ids' });
    const e = L.embedding({ inputDim: 6, outputDim: 4, maskZero: true, name: 'emb' }).apply(ids) as S;
    // A nested graph model the mask passes through, then a per-step head.
    const j = nr.input({ shape: [6, 4] });
    const block = nr.model({ inputs: j, outputs: L.dense({ units: 4, activation: 'relu', name: 'h2' }).apply(L.dense({ units: 4, activation: 'tanh', name: 'h1' }).apply(j) as S) as S, name: 'block' });
    return nr.model({ inputs: ids, outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(block.apply(e) as S) as S });
  },
};

/** Disposes `m` and the models nested in it. */
function disposeAll(m: nr.Sequential): void {
  for (const l of m.layers) if (l instanceof nr.Sequential) l.dispose();
  m.dispose();
}

/** The case's model with Keras's weights (and, unshared, each input's layers the shared ones'). */
function make(c: Case, shared = true): nr.Sequential {
  const m = GRAPHS[c.name](shared);
  m.compile({ optimizer: nr.train.sgd(c.lr), loss: LOSS[c.name], metrics: ['accuracy'] });
  for (const [name, vs] of Object.entries(c.weights)) {
    const ts = vs.map((v) => T(v));
    m.getLayer(name).setWeights(ts);
    if (!shared && name !== 'out') m.getLayer(`${name}2`).setWeights(ts);
    for (const t of ts) t.dispose();
  }
  return m;
}

/** The cases whose output has no mask (pooled): Keras 3's fit and train_on_batch accuracy is ours. */
const POOLED = new Set<Name>(['siamese', 'nestedEncoder']);
const bits = (t: nr.Tensor): number[] => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));

describe('masks through shared layers against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expectKeras3Fixture(F, Object.keys(GRAPHS));
  });

  for (const c of F.cases) {
    describe(c.name, () => {
      it('predict; evaluate (each batch of 3 its own count of real steps)', () => {
        const m = make(c);
        nr.tidy(() => {
          const [x, y] = [inputsOf(c), T(c.y)];
          expectPredictEvaluate(m, x, y, c);
        });
        disposeAll(m);
      });

      it("trainOnBatch: the loss, the accuracy, and the weights after the step (the shared weights' gradient summed over the calls)", () => {
        const m = make(c);
        nr.tidy(() => {
          const r = m.trainOnBatch(inputsOf(c), T(c.y)) as number[];
          close(r[0], c.trainOnBatch.logs.loss, 'loss');
          // The accuracy of the weights before the step: Keras 3's evaluate (masked per step).
          close(r[1], POOLED.has(c.name) ? c.trainOnBatch.logs.accuracy : c.evaluate.accuracy, 'accuracy');
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        disposeAll(m);
      });

      it('fit: 2 epochs of batches of 3', async () => {
        const m = make(c);
        const [x, y] = [inputsOf(c), T(c.y)];
        const h = await m.fit(x, y, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
        c.fit.history.loss.forEach((v, e) => close(h.history.loss[e] as number, v, `fit loss epoch ${e}`));
        // Pooled (no mask at the output): Keras's accuracy is ours.
        if (POOLED.has(c.name)) c.fit.history.accuracy.forEach((v, e) => close(h.history.acc[e] as number, v, `fit accuracy epoch ${e}`));
        expectWeights(m, c.fit.weights, 'fit', 2e-5);
        for (const t of [...(Array.isArray(x) ? x : [x]), y]) t.dispose();
        disposeAll(m);
      });
    });
  }

  it('saved and loaded, both cases predict and evaluate as Keras 3', async () => {
    for (const c of F.cases) {
      const m = make(c);
      const back = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
      back.compile({ optimizer: nr.train.sgd(c.lr), loss: LOSS[c.name], metrics: ['accuracy'] });
      nr.tidy(() => {
        const [x, y] = [inputsOf(c), T(c.y)];
        expectPredictEvaluate(back, x, y, c, `${c.name}: loaded `);
      });
      disposeAll(back);
      disposeAll(m);
    }
  });
});

describe('masks through shared layers: a layer per input as the reference', () => {
  it('the shared siamese model is the unshared one bit for bit: a row all padding, huge values, batches of 1, zero rows', () => {
    const c = F.cases.find((k) => k.name === 'siamese')!;
    const [sh, sep] = [make(c), make(c, false)];
    nr.tidy(() => {
      // Row 1 of b all padding: its pooling is 0 (Keras 3 divides 0 by 0: NaN), the cosine 0.
      const x = [T([[1, 2, 3, 0, 0, 0], [7, 7, 7, 7, 7, 7], [5, 0, 0, 0, 0, 0]]), T([[4, 4, 0, 0, 0], [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]])];
      const [ys, yp] = [sh.predict(x) as nr.Tensor, sep.predict(x) as nr.Tensor];
      expect(bits(ys)).toEqual(bits(yp));
      expect(Array.from(ys.dataSync()).every(Number.isFinite)).toBe(true);
      expect(bits(sh.predict(x, { batchSize: 1 }) as nr.Tensor)).toEqual(bits(ys));
      const y = T([[1], [0], [1]]);
      expect(sh.evaluate(x, y, { returnDict: true })).toEqual(sep.evaluate(x, y, { returnDict: true }));
      expect((sh.predict([nr.zeros([0, 6]), nr.zeros([0, 5])]) as nr.Tensor).shape).toEqual([0, 1]);
    });
    for (const m of [sh, sep]) disposeAll(m);
    // Huge embeddings: tanh saturates, the pooling and the cosine stay finite.
    const big = make(c);
    nr.tidy(() => {
      big.getLayer('emb').setWeights([nr.randomNormal([8, 4], 0, 1e30, 'float32', 3)]);
      const p = big.predict([T([[1, 2, 0, 0, 0, 0]]), T([[3, 0, 0, 0, 0]])]) as nr.Tensor;
      expect(Array.from(p.dataSync()).every(Number.isFinite)).toBe(true);
    });
    big.dispose();
  });

  it("sharedSteps: the unshared model's values and masked loss; a step both inputs pad moves nothing", () => {
    const c = F.cases.find((k) => k.name === 'sharedSteps')!;
    const [sh, sep] = [make(c), make(c, false)];
    nr.tidy(() => {
      const [x, y] = [inputsOf(c), T(c.y)];
      expect(bits(sh.predict(x) as nr.Tensor)).toEqual(bits(sep.predict(x) as nr.Tensor));
      expect(sh.evaluate(x, y, { batchSize: 3, returnDict: true })).toEqual(sep.evaluate(x, y, { batchSize: 3, returnDict: true }));
      const [a, b] = c.xs as number[][][];
      const shifted = T((c.y as number[][]).map((r, i) => r.map((v, j) => (a[i][j] === 0 && b[i][j] === 0 ? (v + 1) % 3 : v))));
      expect(sh.evaluate(x, shifted, { returnDict: true })).toEqual(sh.evaluate(x, y, { returnDict: true }));
      // A step only one input pads still counts.
      const i = a.findIndex((r, k) => r.some((v, j) => (v === 0) !== (b[k][j] === 0)));
      const j = a[i].findIndex((v, jj) => (v === 0) !== (b[i][jj] === 0));
      const moved = T((c.y as number[][]).map((r, k) => r.map((v, jj) => (k === i && jj === j ? (v + 1) % 3 : v))));
      expect(sh.evaluate(x, moved, { returnDict: true }).loss).not.toBe(sh.evaluate(x, y, { returnDict: true }).loss);
    });
    for (const m of [sh, sep]) disposeAll(m);
  });
});
