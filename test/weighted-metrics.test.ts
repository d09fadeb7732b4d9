// compile({ weightedMetrics }) against Keras 3's weighted_metrics (TF.js has none):
// test/fixtures/keras3-weighted-metrics.json, written by bench/keras/weighted_metrics.py (Keras 3
// on JAX): small models' starting weights (by layer name), data, sample weights (zeros, sums
// other than n) and Keras's evaluate (batch size 3 over 7 samples) and fit (SGD, batch size 3,
// 2 epochs, shuffle=False: an uneven last batch) with validation data or a split. Cases: one
// output with mae plain and weighted and mse weighted only (names mae, weighted_mae, mse);
// softmax with accuracy plain and weighted under classWeight; a graph model of two outputs
// (reg_mae, reg_weighted_mae, cls_acc weighted only). Tolerance: 1e-5 relative + 1e-6 absolute.
// Plus the closed form Σ w·m / Σ w, the plain metrics staying unweighted, evaluateDataset, a
// save and load keeping weightedMetrics, and the errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { data } from '../ts/index.js';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
type Logs = Record<string, number>;
interface Fit { history: Record<string, number[]>; weights: Weights }
interface One { name: 'one'; weights: Weights; x: Nested; y: Nested; w: Nested; xv: Nested; yv: Nested; wv: Nested; evaluate: Logs; evaluateUnweighted: Logs; closedFormWeightedMae: number; fit: Fit }
interface Soft { name: 'softmax'; weights: Weights; x: Nested; y: Nested; classWeight: Record<string, number>; classSampleWeights: Nested; evaluate: Logs; fit: Fit }
interface Two { name: 'two'; weights: Weights; x: Nested; ya: Nested; yb: Nested; wa: Nested; wb: Nested; evaluate: Logs; fit: Fit }
const F: { keras: string; backend: string; cases: [One, Soft, Two] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-weighted-metrics.json', import.meta.url), 'utf8'));
const [ONE, SOFT, TWO] = F.cases;

failTestsThatLeak();

const RTOL = 1e-5, ATOL = 1e-6;
const close = (got: number, want: number, what: string): void => {
  if (!(Math.abs(got - want) <= RTOL * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};
/** neurite's log names for Keras's (TF.js's `acc`). */
const ours = (k: string): string => k.replace('accuracy', 'acc');
const T = (v: Nested): nr.Tensor => nr.tensor(v as never);

function expectLogs(got: Record<string, number>, want: Logs, what: string): void {
  expect(Object.keys(got).sort(), what).toEqual(Object.keys(want).map(ours).sort());
  for (const [k, v] of Object.entries(want)) close(got[ours(k)], v, `${what} ${k}`);
}
function expectHistory(got: Record<string, number[]>, want: Record<string, number[]>, what: string): void {
  expect(Object.keys(got).sort(), what).toEqual(Object.keys(want).map(ours).sort());
  for (const [k, vs] of Object.entries(want)) vs.forEach((v, e) => close(got[ours(k)][e], v, `${what} ${k} epoch ${e}`));
}
function load(m: nr.Sequential, ws: Weights): void {
  for (const [name, vs] of Object.entries(ws)) {
    const ts = vs.map(T);
    m.getLayer(name).setWeights(ts);
    for (const t of ts) t.dispose();
  }
}

const L = nr.layers;
function one(): nr.Sequential {
  const m = nr.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'sigmoid', name: 'hidden' }), L.dense({ units: 2, name: 'out' })] });
  m.compile({ optimizer: nr.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mae'], weightedMetrics: ['mae', 'mse'] });
  load(m, ONE.weights);
  return m;
}
function soft(): nr.Sequential {
  const m = nr.sequential({ layers: [L.dense({ inputShape: [3], units: 3, activation: 'softmax', name: 'out' })] });
  m.compile({ optimizer: nr.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics: ['accuracy'], weightedMetrics: ['accuracy'] });
  load(m, SOFT.weights);
  return m;
}
function two(): nr.Sequential {
  const inp = nr.input({ shape: [4], name: 'inp' });
  const h = L.dense({ units: 3, activation: 'tanh', name: 'hidden' }).apply(inp) as nr.SymbolicTensor;
  const a = L.dense({ units: 2, name: 'reg' }).apply(h) as nr.SymbolicTensor;
  const b = L.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h) as nr.SymbolicTensor;
  const m = nr.model({ inputs: inp, outputs: [a, b] });
  m.compile({ optimizer: nr.train.sgd(0.1), loss: { reg: 'meanSquaredError', cls: 'categoricalCrossentropy' }, metrics: { reg: ['mae'] }, weightedMetrics: { reg: ['mae'], cls: ['accuracy'] } });
  load(m, TWO.weights);
  return m;
}

describe('weightedMetrics against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect([F.keras.startsWith('3.'), F.backend]).toEqual([true, 'jax']);
  });

  it('one output: evaluate weighted and unweighted, Σ w·m / Σ w, any batch size', () => {
    const m = one();
    nr.tidy(() => {
      const [x, y, w] = [T(ONE.x), T(ONE.y), T(ONE.w)];
      expectLogs(m.evaluate(x, y, { sampleWeight: w, batchSize: 3, returnDict: true }), ONE.evaluate, 'evaluate');
      expectLogs(m.evaluate(x, y, { batchSize: 3, returnDict: true }), ONE.evaluateUnweighted, 'evaluate unweighted');
      const all = m.evaluate(x, y, { sampleWeight: w, batchSize: 7, returnDict: true });
      close(all.weighted_mae, ONE.closedFormWeightedMae, 'closed form Σ w·mae / Σ w');
      // evaluate's list: loss, then the metrics in log order (plain, then weighted).
      expect((m.evaluate(x, y, { sampleWeight: w }) as nr.Tensor[]).map((t) => t.dataSync()[0])).toEqual([all.loss, all.mae, all.weighted_mae, all.mse]);
      // Weights all 0: the weighted metrics are 0 (Keras's divide_no_nan), the plain ones not.
      const zero = m.evaluate(x, y, { sampleWeight: nr.zeros([7]), returnDict: true });
      expect([zero.weighted_mae, zero.mse, zero.loss]).toEqual([0, 0, 0]);
      expect(zero.mae).toBe(all.mae);
    });
    m.dispose();
  });

  it('one output: fit 2 epochs (an uneven last batch) with validationData [x, y, w]', async () => {
    const m = one();
    const [x, y, w, xv, yv, wv] = [ONE.x, ONE.y, ONE.w, ONE.xv, ONE.yv, ONE.wv].map(T);
    const h = await m.fit(x, y, { sampleWeight: w, batchSize: 3, epochs: 2, shuffle: false, verbose: 0, validationData: [xv, yv, wv] });
    expectHistory(h.history, ONE.fit.history, 'fit');
    m.dispose();
    for (const t of [x, y, w, xv, yv, wv]) t.dispose();
  });

  it('softmax: accuracy plain and weighted; classWeight weighs the weighted one in fit', async () => {
    const m = soft();
    const [x, y, cw] = [SOFT.x, SOFT.y, SOFT.classSampleWeights].map(T);
    expectLogs(m.evaluate(x, y, { sampleWeight: cw, batchSize: 3, returnDict: true }), SOFT.evaluate, 'evaluate');
    // Keras's `accuracy` key reads the same value (TF.js logs acc).
    const d = m.evaluate(x, y, { sampleWeight: cw, returnDict: true }) as Record<string, number>;
    expect([d.accuracy, d.weighted_accuracy]).toEqual([d.acc, d.weighted_acc]);
    const classWeight = Object.fromEntries(Object.entries(SOFT.classWeight).map(([k, v]) => [Number(k), v]));
    const h = await m.fit(x, y, { classWeight, batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
    expectHistory(h.history, SOFT.fit.history, 'fit');
    m.dispose();
    for (const t of [x, y, cw]) t.dispose();
  });

  it('two outputs: evaluate, and fit 2 epochs with validationSplit (4 samples in batches of 3, 3 held out)', async () => {
    const m = two();
    const [x, ya, yb, wa, wb] = [TWO.x, TWO.ya, TWO.yb, TWO.wa, TWO.wb].map(T);
    expectLogs(m.evaluate(x, { reg: ya, cls: yb }, { sampleWeight: { reg: wa, cls: wb }, batchSize: 3, returnDict: true }), TWO.evaluate, 'evaluate');
    const h = await m.fit(x, { reg: ya, cls: yb }, { sampleWeight: { reg: wa, cls: wb }, batchSize: 3, epochs: 2, shuffle: false, verbose: 0, validationSplit: 0.3 });
    expectHistory(h.history, TWO.fit.history, 'fit');
    m.dispose();
    for (const t of [x, ya, yb, wa, wb]) t.dispose();
  });

  it('fitDataset and evaluateDataset weigh each batch by its Σw (elements [xs, ys, weights])', async () => {
    const m = one();
    const [x, y, w] = [T(ONE.x), T(ONE.y), T(ONE.w)];
    const want = m.evaluate(x, y, { sampleWeight: w, returnDict: true }) as Record<string, number>;
    const ds = () => data.zip({ xs: data.array(x.arraySync() as number[][]), ys: data.array(y.arraySync() as number[][]), sampleWeight: data.array(w.arraySync() as never) }).batch(3);
    const got = (await m.evaluateDataset(ds(), { returnDict: true })) as Record<string, number>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) close(got[k], want[k], `evaluateDataset ${k}`);
    // fitDataset's epoch logs are fit's (the same batches, unshuffled).
    const f = one();
    const hd = await m.fitDataset(ds(), { epochs: 2, verbose: 0 });
    const hf = await f.fit(x, y, { sampleWeight: w, batchSize: 3, epochs: 2, shuffle: false, verbose: 0 });
    for (const k of Object.keys(hf.history)) hd.history[k].forEach((v, e) => close(v, hf.history[k][e], `fitDataset ${k} epoch ${e}`));
    for (const t of [x, y, w]) t.dispose();
    m.dispose();
    f.dispose();
  });

  it('saved and loaded with the compile: the same weighted logs', async () => {
    const m = one();
    const b = await nr.loadModel(await m.toArtifacts({ includeOptimizer: true })) as nr.Sequential;
    nr.tidy(() => {
      const [x, y, w] = [T(ONE.x), T(ONE.y), T(ONE.w)];
      expect(b.evaluate(x, y, { sampleWeight: w, returnDict: true })).toEqual(m.evaluate(x, y, { sampleWeight: w, returnDict: true }));
    });
    m.dispose();
    b.dispose();
  });

  it('errors: functions and metrics.* names are not weighted; a loss function refuses them; unknown names suggest the nearest', () => {
    const m = nr.sequential({ layers: [L.dense({ inputShape: [2], units: 1 })] });
    const err = (a: object) => {
      try {
        m.compile({ optimizer: 'sgd', loss: 'mse', ...a } as nr.CompileArgs);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ weightedMetrics: ['r2Score'] })).toMatch(/^compile: weightedMetrics\[0\] is 'r2Score', a metric accumulated over the epoch \(not weighted here; Keras 3 weighs its own\)/);
    expect(err({ weightedMetrics: ['mape'] })).toBe("compile: weightedMetrics[0] is 'mape', a metrics.* function: weighted metrics are those the training step computes (accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, mse, mae); give it in metrics (unweighted)");
    function iou() {
      return nr.scalar(0);
    }
    expect(err({ weightedMetrics: [iou] })).toMatch(/^compile: weightedMetrics\[0\] is a function \(iou\): weighted metrics are those the training step computes/);
    expect(err({ weightedMetrics: ['maes'] })).toMatch(/^compile: unknown metric "maes" — did you mean 'mae'\?/);
    expect(err({ weightedMetric: ['mae'] })).toMatch(/^compile: unknown option 'weightedMetric' — did you mean 'weightedMetrics'\?/);
    expect(err({ loss: (a: nr.Tensor, b: nr.Tensor) => nr.sub(a, b).square().mean(), weightedMetrics: ['mae'] })).toBe("compile: weightedMetrics ('mae') cannot be combined yet with a loss function: the weighted metrics are computed only by the core's training step, and with those the step runs in JS (Keras 3 allows both; a gap in neurite); use a named loss to keep weightedMetrics, or compute the weighted metrics after training");
    // Names only, one of them a metrics.* name: said as such (it spoke of functions).
    expect(err({ metrics: ['precision', 'mae', iou], weightedMetrics: ['accuracy'] })).toBe("compile: weightedMetrics ('accuracy') cannot be combined yet with metrics computed in JS from the output ('precision', the function iou): the weighted metrics are computed only by the core's training step, and with those the step runs in JS (Keras 3 allows both; a gap in neurite); to keep them, compute those metrics after training instead (model.predict, then metrics.* or your own weighted formula), or give the weighted ones in metrics (unweighted)");
    m.dispose();
  });
});
