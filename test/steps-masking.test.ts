// Masks at concatenate along the steps and at dot, against Keras 3:
// test/fixtures/keras3-steps-masking.json, written by bench/keras/steps_masking.py (Keras 3 on
// JAX), holds three graph models with their weights, data and Keras's predict, evaluate (batch
// size 3 over 7 rows), train_on_batch and fit (SGD, batch size 3, 2 epochs, shuffle=False):
// `stepsConcat`, one embedding(maskZero) applied to ids of 4 and 3 steps (one row of the second
// all padding), concatenated along the steps (axis 1) → dense(tanh) → a per-step softmax: the
// mask is the first input's step mask then the second's (Keras 3's Concatenate.compute_mask);
// `stepsConcatUnmasked`, an embedding(maskZero) and unmasked float features concatenated along
// the steps: the unmasked input's steps all count; `dotSteps`, dot(axes 2) of a dense(tanh) of
// the embedding with the embedding, then globalAveragePooling1d and a softmax: Keras 3's dot
// drops the mask (its products take every step, the padding's too), so the pooling averages
// every row. Tolerance 1e-5 relative + 1e-6 absolute (fit's weights 2e-5). Keras 3 on JAX reports
// fit's and train_on_batch's accuracy unmasked (see test/masking.test.ts), so for the per-step
// cases those are checked against evaluate's masked accuracy (train_on_batch) or not at all
// (fit). Then: a saved and loaded stepsConcat predicts and evaluates as Keras 3; concatenate
// along the steps of rank-4 values (a mask over [h, w] rows) against the definition.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { type Nested, type Weights, type Logs, type Fit, close, T, expectWeights, inputsOf, disposeInputs, setLayerWeights, expectPredictEvaluate, expectKeras3Fixture } from './keras-fixture.js';

type Name = 'stepsConcat' | 'stepsConcatUnmasked' | 'dotSteps';
interface Case { name: Name; lr: number; weights: Weights; xs: Nested[]; y: Nested; predict: Nested; evaluate: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit }
const F: { keras: string; backend: string; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-steps-masking.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const L = nr.layers;
type S = nr.SymbolicTensor;
const LOSS: Record<Name, nr.LossSpec> = { stepsConcat: 'sparseCategoricalCrossentropy', stepsConcatUnmasked: 'sparseCategoricalCrossentropy', dotSteps: 'categoricalCrossentropy' };

/** The fixture's graphs, layer names as Keras's. */
const GRAPHS: Record<Name, () => nr.Sequential> = {
  stepsConcat: () => {
    const [a, b] = [nr.input({ shape: [4], name: 'a' }), nr.input({ shape: [3], name: 'b' })];
    const emb = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb' });
    const h = L.dense({ units: 4, activation: 'tanh', name: 'h' }).apply(L.concatenate({ axis: 1, name: 'cat' }).apply([emb.apply(a) as S, emb.apply(b) as S]) as S) as S;
    return nr.model({ inputs: [a, b], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h) as S });
  },
  stepsConcatUnmasked: () => {
    const [i, f] = [nr.input({ shape: [4], name: 'ids' }), nr.input({ shape: [3, 2], name: 'feats' })];
    const e = L.embedding({ inputDim: 6, outputDim: 3, maskZero: true, name: 'emb' }).apply(i) as S;
    const d = L.dense({ units: 3, name: 'fd' }).apply(f) as S;
    const h = L.concatenate({ axis: 1, name: 'cat' }).apply([e, d]) as S;
    return nr.model({ inputs: [i, f], outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h) as S });
  },
  dotSteps: () => {
    const ids = nr.input({ shape: [5], name: 'ids' });
    const e = L.embedding({ inputDim: 6, outputDim: 4, maskZero: true, name: 'emb' }).apply(ids) as S;
    const q = L.dense({ units: 4, activation: 'tanh', name: 'q' }).apply(e) as S;
    const p = L.globalAveragePooling1d({ name: 'pool' }).apply(L.dot({ axes: 2, name: 'scores' }).apply([q, e]) as S) as S;
    return nr.model({ inputs: ids, outputs: L.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(p) as S });
  },
};

function make(c: Case): nr.Sequential {
  const m = GRAPHS[c.name]();
  m.compile({ optimizer: nr.train.sgd(c.lr), loss: LOSS[c.name], metrics: ['accuracy'] });
  setLayerWeights(m, c.weights);
  return m;
}

describe('masks at concatenate along the steps and at dot, against Keras 3', () => {
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
        m.dispose();
      });

      it('trainOnBatch: the loss, the accuracy and the weights after the step', () => {
        const m = make(c);
        nr.tidy(() => {
          const r = m.trainOnBatch(inputsOf(c), T(c.y)) as number[];
          close(r[0], c.trainOnBatch.logs.loss, 'loss');
          close(r[1], c.name === 'dotSteps' ? c.trainOnBatch.logs.accuracy : c.evaluate.accuracy, 'accuracy');
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      it('fit: 2 epochs of batches of 3', async () => {
        const m = make(c);
        const [x, y] = [inputsOf(c), T(c.y)];
        const h = await m.fit(x, y, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
        c.fit.history.loss.forEach((v, e) => close(h.history.loss[e] as number, v, `fit loss epoch ${e}`));
        if (c.name === 'dotSteps') c.fit.history.accuracy.forEach((v, e) => close(h.history.acc[e] as number, v, `fit accuracy epoch ${e}`));
        expectWeights(m, c.fit.weights, 'fit', 2e-5);
        disposeInputs(x);
        y.dispose();
        m.dispose();
      });
    });
  }

  it('saved and loaded, stepsConcat predicts and evaluates as Keras 3', async () => {
    const c = F.cases[0];
    const m = make(c);
    const back = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    back.compile({ optimizer: nr.train.sgd(c.lr), loss: LOSS[c.name], metrics: ['accuracy'] });
    nr.tidy(() => {
      const [x, y] = [inputsOf(c), T(c.y)];
      expectPredictEvaluate(back, x, y, c, 'loaded ');
    });
    back.dispose();
    m.dispose();
  });
});

describe('concatenate along the steps: the mask against the definition', () => {
  it('rank-4 values (masks over [h, w] rows) along axis 1 and 2; zero rows', () => {
    // masking(a) [2, 2, 1] and masking(b) [1, 2, 1] (a row is masked where its one feature is 0),
    // concatenated along axis 1 (→ [3, 2, 1]) or axis 2 with b [2, 1, 1] (→ [2, 3, 1]), then a
    // per-row sigmoid dense with weight 1, bias 0: the masked loss is the mean over the kept rows.
    for (const axis of [1, 2]) {
      const sb = axis === 1 ? [1, 2, 1] : [2, 1, 1];
      const [a, b] = [nr.input({ shape: [2, 2, 1] }), nr.input({ shape: sb })];
      const cat = L.concatenate({ axis }).apply([L.masking().apply(a) as S, L.masking().apply(b) as S]) as S;
      const d = L.dense({ units: 1, activation: 'sigmoid', name: 'd' });
      const m = nr.model({ inputs: [a, b], outputs: d.apply(cat) as S });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      nr.tidy(() => d.setWeights([nr.ones([1, 1]), nr.zeros([1])]));
      const av = [[[[1], [0]], [[2], [-1]]], [[[0], [0]], [[0], [3]]]];
      const bv = axis === 1 ? [[[[0], [4]]], [[[5], [0]]]] : [[[[0]], [[4]]], [[[5]], [[0]]]];
      nr.tidy(() => {
        const [x, y] = [[T(av), T(bv)], nr.ones(axis === 1 ? [2, 3, 2, 1] : [2, 2, 3, 1])];
        // The definition: each sample's rows (values) and their mask, concatenated along the axis.
        const rows = (s: number): number[][] => {
          const A = av[s] as number[][][], B = bv[s] as number[][][];
          return axis === 1 ? [...A.flat(), ...B.flat()] : A.flatMap((r, i) => [...r, ...B[i]]);
        };
        let sum = 0, n = 0;
        for (const s of [0, 1]) {
          for (const [v] of rows(s)) {
            if (v !== 0) { sum += Math.log(1 + Math.exp(-v)); n += 1; }
          }
        }
        close(m.evaluate(x, y, { returnDict: true }).loss, sum / n, `axis ${axis}: masked loss`, 1e-6);
        expect((m.predict([nr.zeros([0, 2, 2, 1]), nr.zeros([0, ...sb])]) as nr.Tensor).shape[0]).toBe(0);
      });
      m.dispose();
    }
  });
});
