// sparseCategoricalCrossentropy({ ignoreClass }) against Keras 3's `ignore_class` (TF.js has
// none): test/fixtures/keras3-ignore-class.json, written by bench/keras/ignore_class.py (Keras 3
// on JAX). The loss function on odd sizes, ranks 2 and 3, probabilities and logits, an ignored
// class inside and outside [0, classes), every entry ignored (0, not NaN) and huge logits: the
// loss, reduction 'none' and the gradient (jax.grad). Then compile({ loss: { name, ignoreClass:
// -1 }, metrics: ['accuracy'] }) on a dense classifier whose first batch of 3 is all ignored and
// on a per-token tagger (embedding + dense softmax, -1 at the padding): predict, evaluate (batch
// size 3 over 7 samples: Keras averages the batches' masked means), trainOnBatch, fit (SGD,
// batch size 3, 2 epochs, shuffle false), with and without sample weights. Tolerance: 1e-5
// relative + 1e-6 absolute (1e-4 relative for the huge logits' loss of 90).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
type Logs = Record<string, number>;
interface Fit { history: Record<string, number[]>; weights: Weights }
interface Fn { name: string; yTrue: Nested; yPred: Nested; fromLogits: boolean; ignoreClass: number; loss: number; none: Nested; grad: Nested }
interface Model {
  name: 'dense' | 'tagger'; lr: number; weights: Weights; x: Nested; y: Nested; w: Nested; predict: Nested;
  evaluate: Logs; evaluateWeighted: Logs; trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit; fitWeighted: Fit;
}
const F: { keras: string; backend: string; functions: Fn[]; models: Model[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-ignore-class.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const RTOL = 1e-5, ATOL = 1e-6;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const close = (got: number, want: number, what: string, rtol = RTOL): void => {
  if (!(Math.abs(got - want) <= rtol * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};
const closeAll = (got: ArrayLike<number>, want: Nested, what: string): void => {
  const w = flat(want);
  expect(got.length, what).toBe(w.length);
  w.forEach((v, i) => close(got[i], v, `${what}[${i}]`));
};
const ours = (k: string): string => k.replace('accuracy', 'acc');
const T = (v: Nested): nr.Tensor => nr.tensor(v as never);

describe('sparseCategoricalCrossentropy({ ignoreClass }) against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.backend).toBe('jax');
  });

  for (const c of F.functions) {
    it(`the loss, reduction 'none' and the gradient: ${c.name}`, () => {
      nr.tidy(() => {
        const [y, p] = [T(c.yTrue), T(c.yPred)];
        const opts = { fromLogits: c.fromLogits, ignoreClass: c.ignoreClass };
        const l = nr.losses.sparseCategoricalCrossentropy(y, p, opts).dataSync()[0];
        expect(Number.isNaN(l)).toBe(false);
        close(l, c.loss, 'loss', c.name.startsWith('huge') ? 1e-4 : RTOL);
        closeAll(nr.losses.sparseCategoricalCrossentropy(y, p, { ...opts, reduction: 'none' }).dataSync(), c.none, 'none');
        closeAll(nr.losses.lossGradient({ name: 'sparseCategoricalCrossentropy', ...opts }, y, p).dataSync(), c.grad, 'lossGradient');
        // The tape's rule is the same one.
        closeAll(nr.grad((q: nr.Tensor) => nr.losses.sparseCategoricalCrossentropy(y, q, opts))(p).dataSync(), c.grad, 'grad');
      });
    });
  }

  it('bad values are errors naming the option and the target', () => {
    nr.tidy(() => {
      const [y, p] = [T([0, -1, 3]), T([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])];
      expect(() => nr.losses.sparseCategoricalCrossentropy(y, p, { ignoreClass: 0.5 })).toThrow('sparseCategoricalCrossentropy: ignoreClass must be an integer (a class index such as -1 or 255), got 0.5');
      expect(() => nr.losses.sparseCategoricalCrossentropy(y, p, { ignoreClass: Infinity })).toThrow('ignoreClass must be a finite number');
      expect(() => nr.losses.sparseCategoricalCrossentropy(y, p, { ignoreClass: -1 })).toThrow('target[2] = 3 is not a class index: targets must be integers in [0, 2) for 2 classes (or the ignored class -1)');
      expect(() => nr.losses.sparseCategoricalCrossentropy(y, p, { ignoreClas: -1 } as never)).toThrow("did you mean 'ignoreClass'");
      expect(() => nr.losses.sparseCategoricalCrossentropy(y, p)).toThrow('target[1] = -1 is not a class index');
    });
  });

  for (const c of F.models) {
    describe(`compile with ignoreClass: ${c.name}`, () => {
      function fresh(): nr.Sequential {
        const L = nr.layers;
        const m = c.name === 'dense'
          ? nr.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'softmax', name: 'out' })] })
          : nr.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputLength: 5, name: 'emb' }), L.dense({ units: 4, activation: 'softmax', name: 'out' })] });
        m.compile({ optimizer: nr.train.sgd(c.lr), loss: { name: 'sparseCategoricalCrossentropy', ignoreClass: -1 }, metrics: ['accuracy'] });
        for (const [name, vs] of Object.entries(c.weights)) {
          const ts = vs.map((v) => T(v));
          m.getLayer(name).setWeights(ts);
          for (const t of ts) t.dispose();
        }
        return m;
      }
      const expectWeights = (m: nr.Sequential, want: Weights, what: string): void => {
        for (const [name, vs] of Object.entries(want)) {
          m.getLayer(name).getWeights().forEach((t, i) => {
            const g = t.dataSync();
            t.dispose();
            closeAll(g, vs[i], `${what}: ${name} weight ${i}`);
          });
        }
      };
      const expectLogs = (got: Record<string, number>, want: Logs, what: string): void => {
        for (const [k, v] of Object.entries(want)) close(got[ours(k)], v, `${what} ${k}`);
      };

      it('predict and evaluate (batches of 3: each batch its own count of real targets)', () => {
        const m = fresh();
        nr.tidy(() => {
          const [x, y, w] = [T(c.x), T(c.y), T(c.w)];
          closeAll((m.predict(x) as nr.Tensor).dataSync(), c.predict, 'predict');
          expectLogs(m.evaluate(x, y, { batchSize: 3, returnDict: true }), c.evaluate, 'evaluate');
          expectLogs(m.evaluate(x, y, { sampleWeight: w, batchSize: 3, returnDict: true }), c.evaluateWeighted, 'evaluate weighted');
          // One batch of everything: the mean over every real target.
          const all = m.evaluate(x, y, { batchSize: 7, returnDict: true }).loss;
          expect(Number.isFinite(all)).toBe(true);
        });
        m.dispose();
      });

      it('trainOnBatch', () => {
        const m = fresh();
        nr.tidy(() => {
          const r = m.trainOnBatch(T(c.x), T(c.y));
          const vals = Array.isArray(r) ? r : [r];
          close(vals[0], c.trainOnBatch.logs.loss, 'trainOnBatch loss');
          close(vals[1], c.trainOnBatch.logs.accuracy, 'trainOnBatch accuracy');
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      for (const key of ['fit', 'fitWeighted'] as const) {
        it(`${key}: 2 epochs, batches of 3${key === 'fit' ? ' (a batch with every target ignored trains nothing, no NaN)' : ', sample weights'}`, async () => {
          const m = fresh();
          const [x, y, w] = [T(c.x), T(c.y), T(c.w)];
          const h = await m.fit(x, y, { batchSize: 3, epochs: 2, shuffle: false, verbose: 0, ...(key === 'fitWeighted' ? { sampleWeight: w } : {}) });
          for (const [k, vs] of Object.entries(c[key].history)) vs.forEach((v, e) => close(h.history[ours(k)][e] as number, v, `${key} ${k} epoch ${e}`));
          expectWeights(m, c[key].weights, key);
          for (const t of [x, y, w]) t.dispose();
          m.dispose();
        });
      }
    });
  }

  it('a batch where every target is ignored: loss 0, weights unchanged', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: nr.train.sgd(1), loss: { name: 'sparseCategoricalCrossentropy', ignoreClass: 9 } });
    const before = m.getWeights().map((t) => { const d = t.dataSync(); t.dispose(); return d; });
    nr.tidy(() => {
      const r = m.trainOnBatch(T([[1, 2], [3, 4]]), T([9, 9]));
      expect(Array.isArray(r) ? r[0] : r).toBe(0);
    });
    m.getWeights().forEach((t, i) => { expect(t.dataSync()).toEqual(before[i]); t.dispose(); });
    m.dispose();
  });
});

describe('the crossentropy metric beside a loss with ignoreClass', () => {
  it("says the metric takes no ignoreClass (its hint told the user to set the loss's, which they had)", async () => {
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: { name: 'sparseCategoricalCrossentropy', ignoreClass: -1 }, metrics: ['sparseCategoricalCrossentropy'] });
    using x = nr.zeros([4, 2]);
    using y = nr.tensor([0, 1, -1, 2]);
    const e = await m.fit(x, y, { epochs: 1, verbose: 0 }).then(() => null, (err: Error) => err);
    expect(e?.message).toMatch(/is not a class index.*ignoreClass.*; the metric 'sparseCategoricalCrossentropy' itself takes no ignoreClass \(Keras 3's neither\): with one on the loss, leave the metric out of metrics/);
  });
});
