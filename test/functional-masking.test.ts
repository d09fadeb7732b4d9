// Masks in graph models (the functional API) against Keras 3: test/fixtures/keras3-functional-masking.json,
// written by bench/keras/functional_masking.py (Keras 3 on JAX), holds five graph models with
// their weights, data and Keras's predict, evaluate (batch size 3 over 7 rows), train_on_batch
// and fit (SGD, batch size 3, 2 epochs, shuffle=False): an embedding(maskZero) into two
// branches concatenated and pooled (`branches`), a residual add before a per-step head with
// per-step sample weights and a row all padding (`residual`), two inputs with their own
// padding added (`twoInputs`: Keras 3 ORs the masks, so a step counts where either has a
// token), a masked and an unmasked input concatenated (`concatUnmasked`: the unmasked input
// keeps every step, so the loss counts the padding), average and subtract chained (`average`),
// and multiply, maximum and minimum on two inputs with their own padding (`multiply`: Keras 3
// reads the masks in their values: a masked input counts as 1 in a product and is left out of
// a max or min; a step no input keeps is 0 after multiply and the first input's value after
// maximum and minimum; predict pins those values, the padding's too). Tolerance 1e-5 relative + 1e-6 absolute (fit's weights 2e-5). Keras 3 on JAX
// reports fit's and train_on_batch's accuracy unmasked (see test/masking.test.ts), so those
// are checked against evaluate's masked accuracy (train_on_batch) or not at all (fit, per
// step); its losses are masked and are checked. Then, against neurite's sequential model as
// the reference: a graph that is a chain gives the sequential model's bits (predict, evaluate,
// fit with dropout); and the errors for what masks do not reach yet (a layer that refuses a
// mask, at one use of a shared layer too, after a nested model that makes one, or after
// concatenate along the steps; masks through shared layers and nested models:
// test/shared-masking.test.ts, at dot and concatenate along the steps: test/steps-masking.test.ts);
// a shared layer off
// the masked path, add with an unmasked input (no mask) and concatenate with one (every step
// kept: the loss is the plain mean over all steps, against losses.* with reduction 'none'),
// huge features, zero rows; two of the Keras cases saved (toArtifacts) and loaded (loadModel)
// predict and evaluate as Keras 3. Several outputs
// (`heads` in the fixture, `twoHeads`): a per-step head masked and a pooled head, each loss
// with its own output's mask, against Keras 3's predict, evaluate, train_on_batch and fit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { type Nested, type Weights, type Logs, type Fit, close, closeAll, T, expectWeights, ours, inputsOf, disposeInputs, setLayerWeights, expectPredictEvaluate, expectKeras3Fixture } from './keras-fixture.js';

type Name = 'branches' | 'residual' | 'twoInputs' | 'concatUnmasked' | 'average' | 'multiply';
interface Case {
  name: Name; lr: number; weights: Weights; xs: Nested[]; y: Nested; w: Nested | null; predict: Nested;
  evaluate: Logs; evaluateWeighted?: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit; fitWeighted?: Fit;
}
interface Heads {
  name: 'twoHeads'; lr: number; weights: Weights; xs: Nested[]; ys: Nested[]; predict: Nested[];
  evaluate: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit;
}
const F: { keras: string; backend: string; cases: Case[]; heads: Heads[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-functional-masking.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const L = nr.layers;
type S = nr.SymbolicTensor;

/** The fixture's graphs, layer names as Keras's. */
const GRAPHS: Record<Name, () => nr.Sequential> = {
  branches: () => {
    const ids = nr.input({ shape: [5], name: 'ids' });
    const e = L.embedding({ inputDim: 6, outputDim: 4, maskZero: true, name: 'emb' }).apply(ids) as S;
    const a = L.dense({ units: 3, activation: 'relu', name: 'a' }).apply(e) as S;
    const b = L.dense({ units: 3, activation: 'tanh', name: 'b' }).apply(e) as S;
    const p = L.globalAveragePooling1d({ name: 'pool' }).apply(L.concatenate({ name: 'cat' }).apply([a, b]) as S) as S;
    return nr.model({ inputs: ids, outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(p) as S });
  },
  residual: () => {
    const ids = nr.input({ shape: [6], name: 'ids' });
    const e = L.embedding({ inputDim: 7, outputDim: 4, maskZero: true, name: 'emb' }).apply(ids) as S;
    const h = L.dense({ units: 4, activation: 'tanh', name: 'h' }).apply(e) as S;
    const s = L.add({ name: 'sum' }).apply([e, h]) as S;
    return nr.model({ inputs: ids, outputs: L.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(s) as S });
  },
  twoInputs: () => {
    const [a, b] = [nr.input({ shape: [5], name: 'a' }), nr.input({ shape: [5], name: 'b' })];
    const ea = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb_a' }).apply(a) as S;
    const eb = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb_b' }).apply(b) as S;
    const s = L.add({ name: 'sum' }).apply([ea, eb]) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(s) as S });
  },
  concatUnmasked: () => {
    const [i, f] = [nr.input({ shape: [4], name: 'ids' }), nr.input({ shape: [4, 2], name: 'feats' })];
    const e = L.embedding({ inputDim: 5, outputDim: 3, maskZero: true, name: 'emb' }).apply(i) as S;
    const d = L.dense({ units: 2, name: 'fd' }).apply(f) as S;
    const h = L.concatenate({ name: 'cat' }).apply([e, d]) as S;
    return nr.model({ inputs: [i, f], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h) as S });
  },
  average: () => {
    const ids = nr.input({ shape: [5], name: 'ids' });
    const e = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb' }).apply(ids) as S;
    const a = L.dense({ units: 3, activation: 'tanh', name: 'a' }).apply(e) as S;
    const b = L.dense({ units: 3, activation: 'sigmoid', name: 'b' }).apply(e) as S;
    const q = L.average({ name: 'avg' }).apply([a, b, e]) as S;
    const r = L.subtract({ name: 'sub' }).apply([q, b]) as S;
    return nr.model({ inputs: ids, outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(r) as S });
  },
  multiply: () => {
    const [a, b] = [nr.input({ shape: [5], name: 'a' }), nr.input({ shape: [5], name: 'b' })];
    const ea = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb_a' }).apply(a) as S;
    const eb = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb_b' }).apply(b) as S;
    const p = L.multiply({ name: 'mul' }).apply([ea, eb]) as S;
    const q = L.maximum({ name: 'max' }).apply([ea, eb, p]) as S;
    const r = L.minimum({ name: 'min' }).apply([q, eb]) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(r) as S });
  },
};

function make(c: Case): nr.Sequential {
  const m = GRAPHS[c.name]();
  m.compile({ optimizer: nr.train.sgd(c.lr), loss: c.name === 'branches' ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  setLayerWeights(m, c.weights);
  return m;
}

describe('masks in graph models against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expectKeras3Fixture(F, Object.keys(GRAPHS));
  });

  for (const c of F.cases) {
    describe(c.name, () => {
      it('predict; evaluate (each batch of 3 its own count of real steps), with per-step weights', () => {
        const m = make(c);
        nr.tidy(() => {
          const [x, y] = [inputsOf(c), T(c.y)];
          expectPredictEvaluate(m, x, y, c);
          if (c.w && c.evaluateWeighted) {
            const rw = m.evaluate(x, y, { sampleWeight: T(c.w), batchSize: 3, returnDict: true });
            for (const [k, v] of Object.entries(c.evaluateWeighted)) close(rw[ours(k)], v, `evaluate weighted ${k}`);
          }
        });
        m.dispose();
      });

      it('trainOnBatch: the masked loss and accuracy, and the weights after the step', () => {
        const m = make(c);
        nr.tidy(() => {
          const r = m.trainOnBatch(inputsOf(c), T(c.y)) as number[];
          close(r[0], c.trainOnBatch.logs.loss, 'loss');
          // The accuracy of the weights before the step over the real steps: Keras 3's evaluate.
          close(r[1], c.evaluate.accuracy, 'accuracy (masked)');
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      for (const key of ['fit', 'fitWeighted'] as const) {
        const want = c[key];
        if (!want) continue;
        it(`${key}: 2 epochs of batches of 3`, async () => {
          const m = make(c);
          const [x, y] = [inputsOf(c), T(c.y)];
          const w = key === 'fitWeighted' && c.w ? T(c.w) : undefined;
          const h = await m.fit(x, y, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0, ...(w ? { sampleWeight: w } : {}) });
          want.history.loss.forEach((v, e) => close(h.history.loss[e] as number, v, `${key} loss epoch ${e}`));
          // Pooled (no mask at the output) and all-true masks: Keras's accuracy is ours.
          if (c.name === 'branches' || c.name === 'concatUnmasked') want.history.accuracy.forEach((v, e) => close(h.history.acc[e] as number, v, `${key} accuracy epoch ${e}`));
          expectWeights(m, want.weights, key, 2e-5);
          disposeInputs(x);
          for (const t of [y, w]) t?.dispose();
          m.dispose();
        });
      }
    });
  }
});

describe('a masked graph model saved and loaded', () => {
  it('keeps its masks: the loaded twoInputs and multiply models evaluate as Keras 3', async () => {
    for (const name of ['twoInputs', 'multiply'] as const) {
      const c = F.cases.find((k) => k.name === name)!;
      const m = make(c);
      const back = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
      back.compile({ optimizer: nr.train.sgd(c.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      nr.tidy(() => {
        const [x, y] = [inputsOf(c), T(c.y)];
        expectPredictEvaluate(back, x, y, c, `${name}: loaded `);
      });
      back.dispose();
      m.dispose();
    }
  });
});

describe("several outputs, each loss masked by its own output's mask, against Keras 3", () => {
  const c = F.heads[0];
  /** ids → embedding(maskZero) → dense tanh → a per-step head `tags` (masked) and a pooled head `cls` (no mask). */
  const make = (): nr.Sequential => {
    const ids = nr.input({ shape: [5], name: 'ids' });
    const e = L.embedding({ inputDim: 6, outputDim: 4, maskZero: true, name: 'emb' }).apply(ids) as S;
    const h = L.dense({ units: 4, activation: 'tanh', name: 'h' }).apply(e) as S;
    const tags = L.dense({ units: 3, activation: 'softmax', name: 'tags' }).apply(h) as S;
    const cls = L.dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(L.globalAveragePooling1d({ name: 'pool' }).apply(h) as S) as S;
    const m = nr.model({ inputs: ids, outputs: [tags, cls] });
    m.compile({ optimizer: nr.train.sgd(c.lr), loss: ['sparseCategoricalCrossentropy', 'categoricalCrossentropy'] });
    for (const [name, vs] of Object.entries(c.weights)) {
      const ts = vs.map((v) => T(v));
      m.getLayer(name).setWeights(ts);
      for (const t of ts) t.dispose();
    }
    return m;
  };
  const data = (): [nr.Tensor, nr.Tensor[]] => [T(c.xs[0]), c.ys.map(T)];

  it('predict; evaluate (the masked head per batch of 3); trainOnBatch; fit', async () => {
    let m = make();
    nr.tidy(() => {
      const [x, ys] = data();
      const ps = m.predict<nr.Tensor[]>(x);
      ps.forEach((p, i) => closeAll(p.dataSync(), c.predict[i], `predict ${i}`));
      const r = m.evaluate(x, ys, { batchSize: 3, returnDict: true });
      for (const [k, v] of Object.entries(c.evaluate)) close(r[k], v, `evaluate ${k}`);
    });
    m.dispose();
    m = make();
    nr.tidy(() => {
      const [x, ys] = data();
      const r = m.trainOnBatch(x, ys) as number[];
      [c.trainOnBatch.logs.loss, c.trainOnBatch.logs.tags_loss, c.trainOnBatch.logs.cls_loss].forEach((v, i) => close(r[i], v, `trainOnBatch ${i}`));
    });
    expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
    m.dispose();
    m = make();
    const [x, ys] = data();
    const h = await m.fit(x, ys, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
    for (const [k, vs] of Object.entries(c.fit.history)) vs.forEach((v, e) => close(h.history[k][e] as number, v, `fit ${k} epoch ${e}`));
    expectWeights(m, c.fit.weights, 'fit', 2e-5);
    disposeInputs([x, ...ys]);
    m.dispose();
  });

  it("a padded step's label moves only the masked head's loss; the pooled head is the model without the tags head", () => {
    const m = make();
    nr.tidy(() => {
      const [x, ys] = data();
      const xs = c.xs[0] as number[][];
      const shifted = T((c.ys[0] as number[][]).map((r, i) => r.map((v, j) => (xs[i][j] === 0 ? (v + 1) % 3 : v))));
      expect(m.evaluate(x, [shifted, ys[1]], { returnDict: true })).toEqual(m.evaluate(x, ys, { returnDict: true }));
    });
    m.dispose();
  });
});

describe('masks in graph models: the sequential model as the reference, and what is not supported yet', () => {
  const bits = (t: nr.Tensor | nr.Tensor[]): number[] => Array.from(new Uint32Array(new Float32Array((t as nr.Tensor).dataSync()).buffer));
  const weightBits = (m: nr.Sequential): number[] => m.getWeights().flatMap((t) => {
    const b = bits(t);
    t.dispose();
    return b;
  });

  it('a chain as a graph gives the sequential model bit for bit: predict, evaluate, fit with dropout and batchNormalization', async () => {
    const layers = (inputLength?: number): nr.Layer[] => [
      L.embedding({ inputDim: 9, outputDim: 4, maskZero: true, name: 'emb', ...(inputLength ? { inputLength } : {}) }),
      L.dense({ units: 5, activation: 'relu', name: 'h' }),
      L.dropout({ rate: 0.3, name: 'drop' }),
      L.batchNormalization({ name: 'bn' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ];
    const seq = nr.sequential({ layers: layers(7), seed: 5 });
    const ids = nr.input({ shape: [7] });
    let h = ids;
    for (const l of layers()) h = l.apply(h) as S;
    const fn = nr.model({ inputs: ids, outputs: h, seed: 5 });
    for (const m of [seq, fn]) m.compile({ optimizer: nr.train.adam(0.05), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    nr.tidy(() => fn.setWeights(seq.getWeights()));
    // Odd lengths, a row all padding, an index at the top of the range.
    const xs = [[1, 2, 3, 0, 0, 0, 0], [8, 8, 8, 8, 8, 8, 8], [0, 0, 0, 0, 0, 0, 0], [4, 5, 0, 0, 0, 0, 0], [6, 0, 0, 0, 0, 0, 0]];
    const ys = xs.map((r, i) => r.map((_, j) => (i + j) % 3));
    const [x, y] = [T(xs), T(ys)];
    nr.tidy(() => {
      expect(bits(fn.predict(x) as nr.Tensor)).toEqual(bits(seq.predict(x) as nr.Tensor));
      expect(fn.evaluate(x, y, { batchSize: 2, returnDict: true })).toEqual(seq.evaluate(x, y, { batchSize: 2, returnDict: true }));
    });
    const [hs, hf] = [await seq.fit(x, y, { batchSize: 2, epochs: 3, verbose: 0 }), await fn.fit(x, y, { batchSize: 2, epochs: 3, verbose: 0 })];
    expect(hf.history).toEqual(hs.history);
    expect(weightBits(fn)).toEqual(weightBits(seq));
    // The mask counts: a padded step's label does not move the loss.
    const y2 = nr.tidy(() => T(ys.map((r, i) => r.map((v, j) => (xs[i][j] === 0 ? (v + 1) % 3 : v)))));
    nr.tidy(() => {
      expect(fn.evaluate(x, y2, { returnDict: true }).loss).toBe(fn.evaluate(x, y, { returnDict: true }).loss);
    });
    for (const t of [x, y, y2, seq, fn]) t.dispose();
  });

  it('layers.masking in a graph: the same as in a sequential model', () => {
    const seq = nr.sequential({ layers: [L.masking({ inputShape: [3, 2] }), L.dense({ units: 2, activation: 'softmax' })], seed: 2 });
    const inp = nr.input({ shape: [3, 2] });
    const fn = nr.model({ inputs: inp, outputs: L.dense({ units: 2, activation: 'softmax' }).apply(L.masking().apply(inp) as S) as S });
    for (const m of [seq, fn]) m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    nr.tidy(() => fn.setWeights(seq.getWeights()));
    nr.tidy(() => {
      const x = T([[[1, 2], [0, 0], [3, 0]], [[0, 0], [0, 0], [0, 0]], [[1e30, -1e-30], [0, 0], [0, 0]]]);
      const y = T([[0, 1, 1], [1, 1, 1], [1, 0, 0]]);
      expect(fn.evaluate(x, y, { returnDict: true })).toEqual(seq.evaluate(x, y, { returnDict: true }));
      expect(fn.trainOnBatch(x, y)).toEqual(seq.trainOnBatch(x, y));
    });
    for (const m of [seq, fn]) m.dispose();
  });

  it('a shared layer off the masked path; add with an unmasked input drops the mask, concatenate with one keeps every step; zero rows', () => {
    const [a, b] = [nr.input({ shape: [4] }), nr.input({ shape: [4, 2] })];
    const e = L.embedding({ inputDim: 5, outputDim: 4, maskZero: true }).apply(a) as S;
    const shared = L.dense({ units: 2 });
    const s2 = shared.apply(L.activation({ activation: 'tanh' }).apply(b) as S) as S;
    const h = L.add().apply([e, L.concatenate().apply([shared.apply(b) as S, s2]) as S]) as S;
    const m = nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax' }).apply(L.concatenate().apply([e, h]) as S) as S, seed: 4 });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    nr.tidy(() => {
      // Huge features and a row all padding: the mask is all ones, so the loss is the mean over every step.
      const [xa, xb, y] = [T([[1, 2, 0, 0], [0, 0, 0, 0], [4, 4, 4, 4]]), nr.randomNormal([3, 4, 2], 0, 1e20, 'float32', 1), T([[0, 1, 2, 0], [1, 1, 1, 1], [2, 2, 2, 2]])];
      const per = nr.losses.sparseCategoricalCrossentropy(y, m.predict([xa, xb]) as nr.Tensor, { reduction: 'none' }).dataSync();
      close(m.evaluate([xa, xb], y, { returnDict: true }).loss, per.reduce((u, v) => u + v, 0) / 12, 'loss over all 12 steps');
      expect((m.predict([nr.zeros([0, 4]), nr.zeros([0, 4, 2])]) as nr.Tensor).shape).toEqual([0, 4, 3]);
      expect(() => m.evaluate([nr.zeros([0, 4]), nr.zeros([0, 4, 2])], nr.zeros([0, 4]))).toThrow('evaluate: x has no samples');
    });
    m.dispose();
  });

  it('what masks do not reach yet is an error naming the layer', () => {
    const emb = (name = 'ids') => L.embedding({ inputDim: 5, outputDim: 2, maskZero: true, name });
    // A layer that refuses a mask: the sequential model's message.
    let inp = nr.input({ shape: [3] });
    const flatOut = L.dense({ units: 2 }).apply(L.flatten({ name: 'flat' }).apply(L.dense({ units: 2 }).apply(emb().apply(inp) as S) as S) as S) as S;
    expect(() => nr.model({ inputs: inp, outputs: flatOut })).toThrow("layer 'flat' (flatten) cannot take the mask that layer 'ids' (embedding) makes (maskZero) yet, and would treat the padding as data there");
    // After concatenate along the steps the mask goes on (its steps concatenated: test/steps-masking.test.ts).
    inp = nr.input({ shape: [3] });
    const e = emb().apply(inp) as S;
    expect(() => nr.model({ inputs: inp, outputs: L.flatten({ name: 'flat' }).apply(L.concatenate({ axis: 1, name: 'steps' }).apply([e, L.dense({ units: 2 }).apply(e) as S]) as S) as S })).toThrow("layer 'flat' (flatten) cannot take the mask that layer 'ids' (embedding) makes (maskZero) yet");
    // A shared layer that refuses the mask at one of its uses (shared layers with masks:
    // test/shared-masking.test.ts).
    const [a, b] = [nr.input({ shape: [3, 2] }), nr.input({ shape: [3, 2] })];
    const shared = L.flatten({ name: 'shared' });
    expect(() => nr.model({ inputs: [a, b], outputs: L.add().apply([shared.apply(L.masking({ name: 'pad' }).apply(a) as S) as S, shared.apply(b) as S]) as S })).toThrow("layer 'shared' (flatten) cannot take the mask that layer 'pad' (masking) makes yet");
    // A nested model that makes a mask, into a layer that cannot take it.
    inp = nr.input({ shape: [3] });
    const inner = nr.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 2, inputLength: 3, maskZero: true }), L.dense({ units: 2 })], name: 'inner' });
    expect(() => nr.model({ inputs: inp, outputs: L.flatten({ name: 'flat' }).apply(inner.apply(inp) as S) as S })).toThrow("layer 'flat' (flatten) cannot take the mask that layer 'inner' (sequential) makes (an embedding with maskZero or a masking layer inside it) yet");
    inner.dispose();
  });
});
