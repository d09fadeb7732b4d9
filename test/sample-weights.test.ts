// Sample weights everywhere Keras 3 takes them, against Keras 3 itself (TF.js's fit refuses
// sampleWeight; its evaluate and trainOnBatch take none): test/fixtures/keras3-sample-weights.json,
// written by bench/keras/sample_weights.py (Keras 3 on JAX), holds small models' starting
// weights (by layer name), data, sample weights (zeros, sums other than n) and Keras's
// evaluate (batch size 3 over 7 samples), train_on_batch, and fit (SGD, batch size 3, 2 epochs,
// shuffle=False) with validation_split and with validation_data=(x, y, w): the logs and the
// weights after. Cases: one output (MSE), softmax + cross-entropy with accuracy (unweighted),
// a per-token classifier (embedding + dense) with weights [n, T], and a graph model of two
// outputs (weights as a list, with null, and by output name). Tolerance: 1e-5 relative
// (+ 1e-6 absolute) on every loss and weight. Plus fitDataset/evaluateDataset elements that
// carry weights, and the errors for bad weights.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { data } from '../ts/index.js';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
type Logs = Record<string, number>;
interface Fit { history: Record<string, number[]>; weights: Weights }
interface Case {
  name: 'dense' | 'softmax' | 'temporal';
  weights: Weights;
  x: Nested; y: Nested; w: Nested; xv: Nested; yv: Nested; wv: Nested;
  evaluate: Logs; evaluateUnweighted: Logs;
  trainOnBatch: { logs: Logs; weights: Weights };
  fitSplit: Fit; fitValidation: Fit;
  closedForm?: number;
}
interface Two {
  weights: Weights; x: Nested; ya: Nested; yb: Nested; wa: Nested; wb: Nested;
  evaluateList: Logs; evaluateDict: Logs; evaluateNone: Logs;
  trainOnBatch: { logs: Logs; weights: Weights }; fit: Fit;
}
const F: { keras: string; backend: string; cases: Case[]; two: Two } = JSON.parse(readFileSync(new URL('./fixtures/keras3-sample-weights.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const RTOL = 1e-5, ATOL = 1e-6;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const close = (got: number, want: number, what: string): void => {
  if (!(Math.abs(got - want) <= RTOL * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};
/** neurite's log names for Keras's (TF.js's `acc`). */
const ours = (k: string): string => k.replace('accuracy', 'acc');

function make(c: Case['name'] | 'two'): nr.Sequential {
  const L = nr.layers;
  let m: nr.Sequential;
  let lr = 0.1;
  if (c === 'dense') {
    m = nr.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'sigmoid', name: 'hidden' }), L.dense({ units: 2, name: 'out' })] });
    m.compile({ optimizer: nr.train.sgd(lr), loss: 'meanSquaredError' });
  } else if (c === 'softmax') {
    lr = 0.5;
    m = nr.sequential({ layers: [L.dense({ inputShape: [3], units: 3, activation: 'softmax', name: 'out' })] });
    m.compile({ optimizer: nr.train.sgd(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  } else if (c === 'temporal') {
    lr = 0.5;
    m = nr.sequential({ layers: [L.embedding({ inputDim: 6, outputDim: 3, inputLength: 5, name: 'emb' }), L.dense({ units: 4, activation: 'softmax', name: 'out' })] });
    m.compile({ optimizer: nr.train.sgd(lr), loss: 'categoricalCrossentropy' });
  } else {
    const inp = nr.input({ shape: [4], name: 'inp' });
    const h = L.dense({ units: 3, activation: 'tanh', name: 'hidden' }).apply(inp) as nr.SymbolicTensor;
    const a = L.dense({ units: 2, name: 'reg' }).apply(h) as nr.SymbolicTensor;
    const b = L.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h) as nr.SymbolicTensor;
    m = nr.model({ inputs: inp, outputs: [a, b] });
    m.compile({ optimizer: nr.train.sgd(lr), loss: ['meanSquaredError', 'categoricalCrossentropy'] });
  }
  return m;
}

function load(m: nr.Sequential, ws: Weights): void {
  for (const [name, vs] of Object.entries(ws)) {
    const ts = vs.map((v) => nr.tensor(v as never));
    m.getLayer(name).setWeights(ts);
    for (const t of ts) t.dispose();
  }
}

function expectWeights(m: nr.Sequential, want: Weights, what: string): void {
  for (const [name, vs] of Object.entries(want)) {
    const got = m.getLayer(name).getWeights();
    got.forEach((t, i) => {
      const g = t.dataSync();
      t.dispose();
      flat(vs[i]).forEach((v, j) => close(g[j], v, `${what}: ${name} weight ${i}[${j}]`));
    });
  }
}

function fresh(c: Case['name'] | 'two', ws: Weights): nr.Sequential {
  const m = make(c);
  load(m, ws);
  return m;
}

function expectLogs(got: Record<string, number>, want: Logs, what: string): void {
  for (const [k, v] of Object.entries(want)) {
    expect(got[ours(k)], `${what} ${k}`).toBeTypeOf('number');
    close(got[ours(k)], v, `${what} ${k}`);
  }
}

function expectHistory(got: Record<string, number[]>, want: Record<string, number[]>, what: string): void {
  for (const [k, vs] of Object.entries(want)) vs.forEach((v, e) => close(got[ours(k)][e], v, `${what} ${k} epoch ${e}`));
}

describe('sample weights against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.backend).toBe('jax');
  });

  for (const c of F.cases) {
    describe(c.name, () => {
      const T = (v: Nested): nr.Tensor => nr.tensor(v as never);

      it('evaluate(x, y, { sampleWeight }): the loss weighted (Σ w·loss / n over batches of 3), metrics not', () => {
        const m = fresh(c.name, c.weights);
        nr.tidy(() => {
          const [x, y, w] = [T(c.x), T(c.y), T(c.w)];
          expectLogs(m.evaluate(x, y, { sampleWeight: w, batchSize: 3, returnDict: true }), c.evaluate, 'evaluate');
          expectLogs(m.evaluate(x, y, { batchSize: 3, returnDict: true }), c.evaluateUnweighted, 'evaluate unweighted');
          // Any batch size: the same loss up to rounding.
          expectLogs(m.evaluate(x, y, { sampleWeight: w, batchSize: 7, returnDict: true }), c.evaluate, 'evaluate, one batch');
          if (c.closedForm !== undefined) close(m.evaluate(x, y, { sampleWeight: w, returnDict: true }).loss, c.closedForm, 'Σ w·loss / (n·T)');
        });
        m.dispose();
      });

      it('trainOnBatch(x, y, sampleWeight): the logs and the weights after the step', () => {
        const m = fresh(c.name, c.weights);
        nr.tidy(() => {
          const r = m.trainOnBatch(T(c.x), T(c.y), T(c.w));
          const vals = Array.isArray(r) ? r : [r];
          const keys = ['loss', ...Object.keys(c.trainOnBatch.logs).filter((k) => k !== 'loss').sort()];
          keys.forEach((k, i) => close(vals[i], c.trainOnBatch.logs[k], `trainOnBatch ${k}`));
        });
        expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
        m.dispose();
      });

      it("fit with validationSplit: the held-out samples' weights weigh val_loss", async () => {
        const m = fresh(c.name, c.weights);
        const [x, y, w] = [T(c.x), T(c.y), T(c.w)];
        const h = await m.fit(x, y, { sampleWeight: w, batchSize: 3, epochs: 2, shuffle: false, verbose: 0, validationSplit: 0.3 });
        expectHistory(h.history, c.fitSplit.history, 'fit split');
        expectWeights(m, c.fitSplit.weights, 'fit split');
        for (const t of [x, y, w]) t.dispose();
        m.dispose();
      });

      it('fit with validationData [x, y, sampleWeight]; fitDataset on [xs, ys, w] and { xs, ys, sampleWeight } batches', async () => {
        const [x, y, w, xv, yv, wv] = [T(c.x), T(c.y), T(c.w), T(c.xv), T(c.yv), T(c.wv)];
        const m = fresh(c.name, c.weights);
        const h = await m.fit(x, y, { sampleWeight: w, batchSize: 3, epochs: 2, shuffle: false, verbose: 0, validationData: [xv, yv, wv] });
        expectHistory(h.history, c.fitValidation.history, 'fit validationData');
        expectWeights(m, c.fitValidation.weights, 'fit validationData');
        m.dispose();
        // The same batches as a dataset (Keras's (x, y, sample_weight) elements), twice over.
        const rows = (t: nr.Tensor): number[][] => t.arraySync() as number[][];
        for (const form of ['tuple', 'object'] as const) {
          const d = fresh(c.name, c.weights);
          const zipped = form === 'tuple'
            ? data.zip([data.array(rows(x)), data.array(rows(y)), data.array(rows(w) as never)])
            : data.zip({ xs: data.array(rows(x)), ys: data.array(rows(y)), sampleWeight: data.array(rows(w) as never) });
          const hd = await d.fitDataset(zipped.batch(3) as never, { epochs: 2, verbose: 0, validationData: [xv, yv, wv] });
          expectHistory(hd.history, c.fitValidation.history, `fitDataset ${form}`);
          expectWeights(d, c.fitValidation.weights, `fitDataset ${form}`);
          // evaluateDataset on weighted elements: evaluate's weighted loss.
          const e = await d.evaluateDataset(data.zip({ xs: data.array(rows(xv)), ys: data.array(rows(yv)), sampleWeight: data.array(rows(wv) as never) }).batch(3), { returnDict: true }) as Record<string, number>;
          close(e.loss, hd.history.val_loss[1], `evaluateDataset ${form}`);
          d.dispose();
        }
        for (const t of [x, y, w, xv, yv, wv]) t.dispose();
      });
    });
  }

  describe('two outputs', () => {
    const c = F.two;
    it('evaluate with a list, a list with null and an object by output name', () => {
      const m = fresh('two', c.weights);
      nr.tidy(() => {
        const [x, ya, yb, wa, wb] = [c.x, c.ya, c.yb, c.wa, c.wb].map((v) => nr.tensor(v as never));
        expectLogs(m.evaluate(x, [ya, yb], { sampleWeight: [wa, wb], batchSize: 3, returnDict: true }), c.evaluateList, 'list');
        expectLogs(m.evaluate(x, { reg: ya, cls: yb }, { sampleWeight: { reg: wa, cls: wb }, batchSize: 3, returnDict: true }), c.evaluateDict, 'by name');
        expectLogs(m.evaluate(x, [ya, yb], { sampleWeight: [wa, null], batchSize: 3, returnDict: true }), c.evaluateNone, 'null');
        // An output left out of the object is unweighted, as null in the list.
        expectLogs(m.evaluate(x, [ya, yb], { sampleWeight: { reg: wa }, batchSize: 3, returnDict: true }), c.evaluateNone, 'by name, one left out');
        // Arrays of numbers per output too.
        expectLogs(m.evaluate(x, [ya, yb], { sampleWeight: [flat(c.wa), flat(c.wb)], batchSize: 3, returnDict: true }), c.evaluateList, 'arrays');
      });
      m.dispose();
    });

    it('trainOnBatch and fit with a weight per output', async () => {
      const m = fresh('two', c.weights);
      const [x, ya, yb, wa, wb] = [c.x, c.ya, c.yb, c.wa, c.wb].map((v) => nr.tensor(v as never));
      const r = m.trainOnBatch(x, [ya, yb], [wa, wb]) as number[];
      close(r[0], c.trainOnBatch.logs.loss, 'loss');
      close(r[1], c.trainOnBatch.logs.reg_loss, 'reg_loss');
      close(r[2], c.trainOnBatch.logs.cls_loss, 'cls_loss');
      expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
      m.dispose();
      const f = fresh('two', c.weights);
      const h = await f.fit(x, [ya, yb], { sampleWeight: { cls: wb, reg: wa }, batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
      expectHistory(h.history, c.fit.history, 'fit');
      expectWeights(f, c.fit.weights, 'fit');
      f.dispose();
      for (const t of [x, ya, yb, wa, wb]) t.dispose();
    });

    it('errors name the output: a wrong count, an unknown name, a wrong shape', () => {
      const m = fresh('two', c.weights);
      nr.tidy(() => {
        const [x, ya, yb, wa] = [c.x, c.ya, c.yb, c.wa].map((v) => nr.tensor(v as never));
        expect(() => m.evaluate(x, [ya, yb], { sampleWeight: [wa] })).toThrow("evaluate: sampleWeight lists 1 weights but the model has 2 outputs (reg, cls); give one per output (null for none), or an object by output name");
        expect(() => m.evaluate(x, [ya, yb], { sampleWeight: { clss: wa } })).toThrow("evaluate: sampleWeight names 'clss', which is not an output of the model — did you mean 'cls'? (outputs: reg, cls)");
        expect(() => m.trainOnBatch(x, [ya, yb], [wa, nr.ones([7, 3])])).toThrow('trainOnBatch: sampleWeight[1] must have shape [7] or [7, 1] (one weight per sample of x), got [7,3]');
        expect(() => m.evaluate(x, [ya, yb], { sampleWeight: { cls: nr.ones([6]) } })).toThrow('evaluate: sampleWeight.cls must have shape [7] or [7, 1] (one weight per sample of x), got [6]');
      });
      m.dispose();
    });
  });
});

describe('temporal weights', () => {
  const c = F.cases.find((k) => k.name === 'temporal')!;

  it('a weight per sample is that weight on each step; a [n, T] weight of the wrong T is named', () => {
    const m = fresh('temporal', c.weights);
    nr.tidy(() => {
      const [x, y] = [nr.tensor(c.x as never), nr.tensor(c.y as never)];
      const ws = [0.5, 2, 0, 1, 3, 1.5, 0.25];
      const perSample = m.evaluate(x, y, { sampleWeight: ws, returnDict: true }).loss;
      const perStep = m.evaluate(x, y, { sampleWeight: nr.tensor(ws.map((v) => [v, v, v, v, v])), returnDict: true }).loss;
      expect(perStep).toBe(perSample);
      expect(() => m.evaluate(x, y, { sampleWeight: nr.ones([7, 4]) })).toThrow("evaluate: sampleWeight must have shape [7] or [7, 1] (one weight per sample of x) or [7, 5] (a weight per step), got [7,4]");
    });
    m.dispose();
  });
});

describe('bad weights', () => {
  const c = F.cases[0];
  it('NaN, negative, wrong shape, disposed, not a weight: errors naming the argument; nothing trained', async () => {
    const m = fresh('dense', c.weights);
    const [x, y] = [nr.tensor(c.x as never), nr.tensor(c.y as never)];
    const w7 = (v: number): number[] => [1, 1, 1, v, 1, 1, 1];
    expect(() => m.evaluate(x, y, { sampleWeight: w7(NaN) })).toThrow('evaluate: sampleWeight[3] must be a finite number >= 0, got NaN');
    expect(() => m.trainOnBatch(x, y, w7(-1))).toThrow('trainOnBatch: sampleWeight[3] must be a finite number >= 0, got -1');
    expect(() => nr.tidy(() => m.trainOnBatch(x, y, nr.tensor(w7(Infinity))))).toThrow('trainOnBatch: sampleWeight[3] must be a finite number >= 0, got Infinity');
    expect(() => m.trainOnBatch(x, y, [1, 2])).toThrow('trainOnBatch: sampleWeight has 2 values but x has 7 samples; give one weight per sample (a tensor for a weight per step)');
    expect(() => m.evaluate(x, y, { sampleWeight: 'w' as never })).toThrow('evaluate: sampleWeight must be a tensor of shape [7] or an array of 7 numbers (one weight per sample), got');
    const gone = nr.ones([7]);
    gone.dispose();
    expect(() => m.trainOnBatch(x, y, gone)).toThrow('trainOnBatch: sampleWeight is a disposed tensor');
    const wide = nr.ones([7, 2]);
    expect(() => m.evaluate(x, y, { sampleWeight: wide })).toThrow('evaluate: sampleWeight must have shape [7] or [7, 1] (one weight per sample of x), got [7,2]');
    await expect(m.fit(x, y, { validationData: [x, y, [1, 2]], verbose: 0 })).rejects.toThrow('fit: validationData[2] has 2 values but x has 7 samples');
    await expect(m.fit(x, y, { validationData: [x, y, w7(-2)], verbose: 0 })).rejects.toThrow('fit: validationData[2][3] must be a finite number >= 0, got -2');
    // Nothing trained by the refused calls.
    expectWeights(m, c.weights, 'after the errors');
    // A dataset's bad element is found when it is read (batch 1: batch 0 has trained).
    const bad = await m.fitDataset(data.zip({ xs: data.array(x.arraySync() as number[][]), ys: data.array(y.arraySync() as number[][]), sampleWeight: data.array(w7(NaN)) }).batch(3), { verbose: 0 }).catch((e: Error) => e);
    expect((bad as Error).message).toMatch(/^fitDataset: sampleWeight\[0\] must be a finite number >= 0, got NaN \(epoch 1\/\d+, batch 2\)$/);
    const typo = await m.fitDataset(data.zip({ xs: data.array(x.arraySync() as number[][]), ys: data.array(y.arraySync() as number[][]), sampleWeights: data.array(w7(1)) }).batch(3), { verbose: 0 }).catch((e: Error) => e);
    expect((typo as Error).message).toMatch(/^fitDataset: a dataset element has the key 'sampleWeights' beside xs and ys, which fitDataset does not read \(elements are \{ xs, ys, sampleWeight\? \} or \[xs, ys, sampleWeight\?\]\) — did you mean 'sampleWeight'\?/);
    for (const t of [x, y, wide]) t.dispose();
    m.dispose();
  });
});

describe('sample weights with a loss function (the tape step and evaluate)', () => {
  // The compiled loss as a function of (yTrue, yPred): one value per sample, or per step.
  const fns = {
    dense: (t: nr.Tensor, p: nr.Tensor) => nr.mean(nr.square(nr.sub(p, t)), -1),
    temporal: (t: nr.Tensor, p: nr.Tensor) => nr.neg(nr.sum(nr.mul(t, nr.log(nr.clipByValue(p, 1e-7, 1 - 1e-7))), -1)),
  };
  for (const name of ['dense', 'temporal'] as const) {
    const c = F.cases.find((k) => k.name === name)!;
    it(`${name}: evaluate, trainOnBatch and fit with [x, y, w] validation match Keras 3`, async () => {
      const T = (v: Nested): nr.Tensor => nr.tensor(v as never);
      const build = (): nr.Sequential => {
        const m = fresh(name, c.weights);
        m.compile({ optimizer: nr.train.sgd(name === 'dense' ? 0.1 : 0.5), loss: fns[name] });
        return m;
      };
      const [x, y, w, xv, yv, wv] = [T(c.x), T(c.y), T(c.w), T(c.xv), T(c.yv), T(c.wv)];
      const m = build();
      expectLogs(m.evaluate(x, y, { sampleWeight: w, batchSize: 3, returnDict: true }), c.evaluate, 'evaluate');
      close(m.trainOnBatch(x, y, w) as number, c.trainOnBatch.logs.loss, 'trainOnBatch loss');
      expectWeights(m, c.trainOnBatch.weights, 'trainOnBatch');
      m.dispose();
      const f = build();
      const h = await f.fit(x, y, { sampleWeight: w, batchSize: 3, epochs: 2, shuffle: false, verbose: 0, validationData: [xv, yv, wv] });
      expectHistory(h.history, c.fitValidation.history, 'fit');
      expectWeights(f, c.fitValidation.weights, 'fit');
      f.dispose();
      for (const t of [x, y, w, xv, yv, wv]) t.dispose();
    });
  }
});

describe('classWeight with weighted dataset elements', () => {
  it('fitDataset multiplies the two as fit does', async () => {
    const c = F.cases.find((k) => k.name === 'softmax')!;
    const [x, y, w] = [nr.tensor(c.x as never), nr.tensor(c.y as never), nr.tensor(c.w as never)];
    const classWeight = { 0: 2, 1: 0.5, 2: 1 };
    const a = fresh('softmax', c.weights);
    const ha = await a.fit(x, y, { sampleWeight: w, classWeight, batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
    const b = fresh('softmax', c.weights);
    const rows = (t: nr.Tensor): number[][] => t.arraySync() as number[][];
    const hb = await b.fitDataset(data.zip({ xs: data.array(rows(x)), ys: data.array(rows(y)), sampleWeight: data.array(flat(c.w) as never) }).batch(3) as never, { classWeight, epochs: 2, verbose: 0 });
    ha.history.loss.forEach((v, e) => close(hb.history.loss[e], v, `loss epoch ${e}`));
    const [wa, wb] = [a.getWeights(), b.getWeights()];
    wa.forEach((t, i) => Array.from(t.dataSync()).forEach((v, j) => close(wb[i].dataSync()[j], v, `weight ${i}[${j}]`)));
    for (const t of [x, y, w, ...wa, ...wb]) t.dispose();
    a.dispose();
    b.dispose();
  });
});

describe('a weight per step in a model with several outputs', () => {
  it("the per-token output's loss is Σ w·loss / (n·T) of its steps; the other output keeps its per-sample weight", () => {
    const L = nr.layers;
    const inp = nr.input({ shape: [4], name: 'ids' });
    const e = L.embedding({ inputDim: 5, outputDim: 3, name: 'emb' }).apply(inp) as nr.SymbolicTensor;
    const tok = L.dense({ units: 3, activation: 'softmax', name: 'tok' }).apply(e) as nr.SymbolicTensor;
    const sum = L.dense({ units: 2, name: 'sum' }).apply(L.flatten().apply(e) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const m = nr.model({ inputs: inp, outputs: [tok, sum] });
    m.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    nr.tidy(() => {
      const n = 5, t = 4;
      const x = nr.tensor(Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => (i * 3 + j) % 5)));
      const yTok = nr.tensor(Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => [0, 1, 2].map((k) => (k === (i + 2 * j) % 3 ? 1 : 0)))));
      const ySum = nr.tensor(Array.from({ length: n }, (_, i) => [i / 5, 1 - i / 3]));
      const steps = Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => (j >= 3 ? 0 : ((i + j) % 4) * 0.5)));
      const ws = [2, 0, 1, 0.5, 3];
      const r = m.evaluate(x, [yTok, ySum], { sampleWeight: [nr.tensor(steps), ws], returnDict: true });
      // By hand: the predictions' per-step cross-entropy, weighted, over n·T; MSE per sample, weighted, over n.
      const preds = m.predict(x) as unknown as nr.Tensor[];
      const pTok = preds[0].arraySync() as number[][][], pSum = preds[1].arraySync() as number[][];
      const yT = yTok.arraySync() as number[][][], yS = ySum.arraySync() as number[][];
      let ce = 0, mse = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < t; j++) ce += steps[i][j] * -yT[i][j].reduce((a, v, k) => a + v * Math.log(Math.min(Math.max(pTok[i][j][k], 1e-7), 1 - 1e-7)), 0);
        mse += ws[i] * yS[i].reduce((a, v, k) => a + (pSum[i][k] - v) ** 2, 0) / 2;
      }
      close(r.tok_loss, ce / (n * t), 'tok_loss');
      close(r.sum_loss, mse / n, 'sum_loss');
      close(r.loss, ce / (n * t) + mse / n, 'loss');
      // A per-sample weight repeated over the steps is that weight.
      const same = m.evaluate(x, [yTok, ySum], { sampleWeight: [nr.tensor(ws.map((v) => new Array(t).fill(v))), ws], returnDict: true });
      const plain = m.evaluate(x, [yTok, ySum], { sampleWeight: ws, returnDict: true });
      close(same.loss, plain.loss, 'repeated per-step weights');
      expect(() => m.evaluate(x, [yTok, ySum], { sampleWeight: [nr.ones([n, 3]), null] })).toThrow("evaluate: sampleWeight[0] must have shape [5] or [5, 1] (one weight per sample of x) or [5, 4] (a weight per step of output 'tok'), got [5,3]");
    });
    m.dispose();
  });
});

describe('extreme weights and a loss without per-sample values', () => {
  it('huge and tiny weights scale the loss exactly; dice refuses weights, named by the caller', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid', kernelInitializer: 'ones' })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    nr.tidy(() => {
      const x = nr.tensor([[0.5, -1], [2, 0.25], [-3, 1]]), y = nr.tensor([[1, 0], [0, 1], [0.5, 0.5]]);
      const plain = m.evaluate(x, y, { returnDict: true }).loss;
      for (const s of [1e30, 1e-30]) close(m.evaluate(x, y, { sampleWeight: [s, s, s], returnDict: true }).loss, plain * s, `weights ${s}`);
      m.compile({ optimizer: 'sgd', loss: 'dice' });
      const msg = "dice is one value over the whole batch (Keras's Dice with axis=None), so it takes no sample or class weights";
      expect(() => m.evaluate(x, y, { sampleWeight: [1, 2, 3] })).toThrow(`evaluate: ${msg}`);
      expect(() => m.trainOnBatch(x, y, [1, 2, 3])).toThrow(`trainOnBatch: ${msg}`);
    });
    m.dispose();
  });
});
