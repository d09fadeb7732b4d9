// The metrics accumulated over the epoch (Keras 3's stateful Precision, Recall, AUC, F1Score,
// R2Score, RootMeanSquaredError) against Keras 3: test/fixtures/keras3-stateful-metrics.json,
// written by bench/keras/stateful_metrics.py (Keras 3 on JAX): small models' starting weights,
// data (23 samples in batches of 5: an uneven last batch; the binary case's first batch has no
// positive), Keras's evaluate at batch sizes 4 and 23 and fit (SGD, 2 epochs, shuffle=False)
// with validation data; sample weights that weigh the loss and not the metrics. Tolerance: 1e-5
// relative + 1e-6 absolute (Keras sums in float32, neurite's states in f64). Plus whole-set
// values of fixed predictions (metrics.auc, metrics.f1Score), closed forms, evaluateDataset and
// fitDataset, a loss function, several outputs, and the errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { data } from '../ts/index.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

type Nested = number | Nested[];
type Weights = Record<string, Nested[]>;
type Logs = Record<string, number>;
interface Case { name: string; weights: Weights; x: Nested; y: Nested; xv: Nested; yv: Nested; w?: Nested; evaluate4: Logs; evaluateAll: Logs; fit: { history: Record<string, number[]> } }
type Standalone = Record<string, number> & { y: Nested; p: Nested };
const F: { keras: string; backend: string; cases: Case[]; standalone: Standalone } = JSON.parse(readFileSync(new URL('./fixtures/keras3-stateful-metrics.json', import.meta.url), 'utf8'));
const CASE = Object.fromEntries(F.cases.map((c) => [c.name, c]));

failTestsThatLeak();

const RTOL = 1e-5, ATOL = 1e-6;
const close = (got: number, want: number, what: string): void => {
  if (!(Math.abs(got - want) <= RTOL * Math.abs(want) + ATOL)) throw new Error(`${what}: ${got} vs Keras's ${want}`);
};
/** neurite's log names for Keras's. */
const ours = (k: string): string => k.replace('f1_score', 'f1Score').replace('r2_score', 'r2Score').replace('root_mean_squared_error', 'rmse');
const T = (v: Nested): nr.Tensor => nr.tensor(v as never);

function expectLogs(got: Record<string, number>, want: Logs, what: string): void {
  expect(Object.keys(got).sort(), what).toEqual(Object.keys(want).map(ours).sort());
  for (const [k, v] of Object.entries(want)) close(got[ours(k)], v, `${what} ${k}`);
}

const L = nr.layers;
const SETUP: Record<string, { units: number; activation: 'sigmoid' | 'softmax' | 'linear'; loss: 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError'; lr: number; metrics: nr.MetricSpec }> = {
  binary: { units: 1, activation: 'sigmoid', loss: 'binaryCrossentropy', lr: 0.5, metrics: ['precision', 'recall', 'auc', 'f1Score'] },
  multilabel: { units: 3, activation: 'sigmoid', loss: 'binaryCrossentropy', lr: 0.1, metrics: ['precision', 'recall', { name: 'auc', numThresholds: 50, curve: 'PR' }, { name: 'f1Score', average: 'weighted', threshold: 0.4 }] },
  softmax: { units: 4, activation: 'softmax', loss: 'categoricalCrossentropy', lr: 0.1, metrics: ['AUC', 'F1Score', 'Precision'] },
  regression: { units: 2, activation: 'linear', loss: 'meanSquaredError', lr: 0.05, metrics: ['r2Score', 'rmse'] },
};

function build(name: string): nr.Sequential {
  const s = SETUP[name];
  const m = nr.sequential({ layers: [L.dense({ inputShape: [5], units: 6, activation: 'tanh', name: 'hidden' }), L.dense({ units: s.units, activation: s.activation, name: 'out' })] });
  m.compile({ optimizer: nr.train.sgd(s.lr), loss: s.loss, metrics: s.metrics });
  for (const [layer, vs] of Object.entries(CASE[name].weights)) {
    const ts = vs.map(T);
    m.getLayer(layer).setWeights(ts);
    for (const t of ts) t.dispose();
  }
  return m;
}

describe('accumulated metrics against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect([F.keras.startsWith('3.'), F.backend]).toEqual([true, 'jax']);
  });

  for (const name of Object.keys(SETUP)) {
    it(`${name}: evaluate gives the whole set's value at batch sizes 4, 23 and 7`, () => {
      const c = CASE[name];
      const m = build(name);
      nr.tidy(() => {
        const [x, y] = [T(c.x), T(c.y)];
        expectLogs(m.evaluate(x, y, { batchSize: 4, returnDict: true }), c.evaluate4, 'evaluate batchSize 4');
        expectLogs(m.evaluate(x, y, { batchSize: 23, returnDict: true }), c.evaluateAll, 'evaluate batchSize 23');
        // Not Keras's run: a third batch size, the same figures.
        expectLogs(m.evaluate(x, y, { batchSize: 7, returnDict: true }), c.evaluateAll, 'evaluate batchSize 7');
      });
      m.dispose();
    });

    it(`${name}: fit 2 epochs in batches of 5 (last of 3) with validationData: the epoch's and each validation pass's values`, async () => {
      const c = CASE[name];
      const m = build(name);
      const [x, y, xv, yv] = [c.x, c.y, c.xv, c.yv].map(T);
      const w = c.w === undefined ? undefined : T(c.w);
      const batches: Logs[] = [];
      const h = await m.fit(x, y, { sampleWeight: w, batchSize: 5, epochs: 2, shuffle: false, verbose: 0, validationData: [xv, yv], callbacks: { onBatchEnd: (_b, l) => void batches.push({ ...l }) } });
      const want = c.fit.history;
      expect(Object.keys(h.history).sort()).toEqual(Object.keys(want).map(ours).sort());
      for (const [k, vs] of Object.entries(want)) vs.forEach((v, e) => close(h.history[ours(k)][e], v, `fit ${k} epoch ${e}`));
      // onBatchEnd sees the value so far (Keras 3's batch logs): the last batch's is the epoch's.
      const metric = ours(Object.keys(want).find((k) => k !== 'loss' && !k.startsWith('val_'))!);
      expect(batches).toHaveLength(10);
      expect([batches[4][metric], batches[9][metric]]).toEqual([h.history[metric][0], h.history[metric][1]]);
      m.dispose();
      for (const t of [x, y, xv, yv, w]) t?.dispose();
    });
  }

  it("binary: the first batch has no positive, and the epoch's recall is not pulled down by it (a mean of batch recalls would be)", async () => {
    const c = CASE.binary;
    const m = build('binary');
    const [x, y] = [T(c.x), T(c.y)];
    expect(Array.from(y.dataSync().slice(0, 5))).toEqual([0, 0, 0, 0, 0]);
    // The recall of predict's output thresholded at 0.5, counted here, before any training.
    const p = m.predict(x);
    const [pv, yv] = [p.dataSync(), y.dataSync()];
    let tp = 0, pos = 0;
    yv.forEach((t, i) => { if (t === 1) { pos++; if (pv[i] > 0.5) tp++; } });
    const logs = m.evaluate(x, y, { batchSize: 5, returnDict: true });
    expect(logs.recall).toBeCloseTo(tp / pos, 6);
    m.dispose();
    for (const t of [x, y, p]) t.dispose();
  });

  it('evaluateDataset and fitDataset accumulate over the dataset\'s batches (validation of a dataset included)', async () => {
    const c = CASE.binary;
    const m = build('binary');
    const [x, y] = [T(c.x), T(c.y)];
    const ds = () => data.zip({ xs: data.array(x.arraySync() as number[][]), ys: data.array(y.arraySync() as number[][]) }).batch(4);
    const got = (await m.evaluateDataset(ds(), { returnDict: true })) as Record<string, number>;
    expectLogs(got, c.evaluateAll, 'evaluateDataset');
    const h = await m.fitDataset(ds(), { epochs: 1, verbose: 0, validationData: ds() });
    for (const k of ['auc', 'precision', 'recall', 'f1Score']) expect(h.history[`val_${k}`][0], k).toBeGreaterThanOrEqual(0);
    // The validation pass is of the weights after the epoch: evaluate's value of the same set.
    const after = (await m.evaluateDataset(ds(), { returnDict: true })) as Record<string, number>;
    for (const k of ['auc', 'precision', 'recall', 'f1Score']) expect(h.history[`val_${k}`][0], k).toBeCloseTo(after[k], 6);
    m.dispose();
    for (const t of [x, y]) t.dispose();
  });
});

describe('metrics.auc and metrics.f1Score on a whole set', () => {
  const S = F.standalone;
  it('AUC with each curve, summation method and 200 or 7 thresholds (ties, exact 0, 1, 0.5 and a grid value among the predictions)', () => {
    nr.tidy(() => {
      const [y, p] = [T(S.y), T(S.p)];
      for (const curve of ['ROC', 'PR'] as const) {
        for (const summationMethod of ['interpolation', 'minoring', 'majoring'] as const) {
          for (const numThresholds of [200, 7]) {
            close(nr.metrics.auc(y, p, { curve, summationMethod, numThresholds }).item(), S[`auc_${curve}_${summationMethod}_${numThresholds}`], `auc ${curve} ${summationMethod} ${numThresholds}`);
          }
        }
      }
      close(nr.metrics.auc(y, p).item(), S.auc_ROC_interpolation_200, 'auc defaults');
    });
  });

  it('F1 with each average and threshold', () => {
    nr.tidy(() => {
      const [y, p] = [T(S.y), T(S.p)];
      for (const average of ['micro', 'macro', 'weighted'] as const) {
        for (const threshold of [null, 0.5, 0.3]) close(nr.metrics.f1Score(y, p, { average, threshold }).item(), S[`f1_${average}_${threshold === null ? 'None' : threshold}`], `f1 ${average} ${threshold}`);
      }
      // Three classes: the default is macro over each row's largest (Keras's threshold None).
      close(nr.metrics.f1Score(y, p).item(), S.f1_macro_None, 'f1 defaults');
    });
  });

  it('closed forms: a perfect ranking has AUC 1, a reversed one 0, a constant prediction 0.5; one class present gives 0', () => {
    nr.tidy(() => {
      const y = nr.tensor([0, 0, 0, 1, 1, 0, 1], [7, 1]);
      const up = nr.tensor([0.05, 0.1, 0.2, 0.8, 0.9, 0.3, 0.95], [7, 1]);
      expect(nr.metrics.auc(y, up).item()).toBeCloseTo(1, 12);
      expect(nr.metrics.auc(y, nr.sub(1, up)).item()).toBeCloseTo(0, 12);
      expect(nr.metrics.auc(y, nr.fill([7, 1], 0.4)).item()).toBeCloseTo(0.5, 12);
      // Within one threshold bucket (1/199 wide) the ranking is lost: ties, the trapezoid's 0.5.
      expect(nr.metrics.auc(y, nr.add(0.5, nr.mul(up, 1e-4))).item()).toBeCloseTo(0.5, 12);
      // No positives: no true positive rate (Keras's divide_no_nan gives 0).
      expect(nr.metrics.auc(nr.zeros([7, 1]), up).item()).toBe(0);
      // F1 of a perfect prediction is 1 up to Keras's ε.
      expect(nr.metrics.f1Score(y, up).item()).toBeCloseTo(1, 6);
    });
  });
});

describe('accumulated metrics: closed forms in fit and evaluate', () => {
  it('rmse is the root of the whole set\'s mean squared error, not a mean of batch roots; r2Score per column, then their mean', () => {
    // A linear model with fixed weights: predictions = x, whatever the batch.
    const m = nr.sequential({ layers: [L.dense({ inputShape: [2], units: 2, useBias: false, kernelInitializer: 'identity', name: 'id' })] });
    m.compile({ optimizer: nr.train.sgd(0), loss: 'mse', metrics: ['rmse', 'r2Score', 'mse'] });
    nr.tidy(() => {
      // Column 1 far from 0 with a small spread (a float32 Σy² − Σy·mean would cancel).
      const yv = [0, 1e4, 1, 1e4 + 1, 2, 1e4 + 2, 3, 1e4 + 3, 10, 1e4 + 4];
      const pv = [0.5, 1e4 + 0.5, 1, 1e4 + 1, 2, 1e4, 3, 1e4 + 3, 4, 1e4 + 4];
      const [x, y] = [nr.tensor(pv, [5, 2]), nr.tensor(yv, [5, 2])];
      const sq = pv.map((p, i) => (p - yv[i]) ** 2);
      const r2 = [0, 1].map((c) => {
        const col = yv.filter((_, i) => i % 2 === c);
        const mean = col.reduce((a, b) => a + b, 0) / col.length;
        const res = sq.filter((_, i) => i % 2 === c).reduce((a, b) => a + b, 0);
        return 1 - res / col.reduce((a, v) => a + (v - mean) ** 2, 0);
      });
      for (const batchSize of [1, 2, 5]) {
        const logs = m.evaluate(x, y, { batchSize, returnDict: true });
        expect(logs.rmse, `batchSize ${batchSize}`).toBeCloseTo(Math.sqrt(sq.reduce((a, b) => a + b, 0) / 10), 5);
        expect(logs.r2Score, `batchSize ${batchSize}`).toBeCloseTo((r2[0] + r2[1]) / 2, 5);
      }
      // A constant target column: Keras's 0 for a wrong prediction (its −∞), averaged in.
      const yc = nr.tensor([1, 0, 1, 1, 1, 2, 1, 3], [4, 2]);
      const xc = nr.tensor([1, 0, 2, 1, 1, 2, 1, 3], [4, 2]);
      expect(m.evaluate(xc, yc, { batchSize: 3, returnDict: true }).r2Score).toBeCloseTo(0.5, 6);
      expect(Number.isNaN(m.evaluate(yc.slice([0, 0], [4, 1]).concat(yc.slice([0, 0], [4, 1]), 1), yc.slice([0, 0], [4, 1]).concat(yc.slice([0, 0], [4, 1]), 1), { returnDict: true }).r2Score)).toBe(true);
    });
    m.dispose();
  });

  it('with a loss function, and with several outputs (each output its own states)', async () => {
    const inp = nr.input({ shape: [3] });
    const h = L.dense({ units: 4, activation: 'tanh' }).apply(inp) as nr.SymbolicTensor;
    const a = L.dense({ units: 1, activation: 'sigmoid', name: 'a' }).apply(h) as nr.SymbolicTensor;
    const b = L.dense({ units: 2, name: 'b' }).apply(h) as nr.SymbolicTensor;
    const m = nr.model({ inputs: inp, outputs: [a, b] });
    m.compile({ optimizer: nr.train.sgd(0), loss: { a: 'binaryCrossentropy', b: 'mse' }, metrics: { a: ['auc', 'precision'], b: ['rmse'] } });
    const x = nr.randomNormal([13, 3], { seed: 4 });
    const ya = nr.tensor([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1], [13, 1]);
    const yb = nr.randomNormal([13, 2], { seed: 5 });
    const [pa, pb] = m.predict(x) as unknown as nr.Tensor[];
    const want = nr.tidy(() => ({ a_auc: nr.metrics.auc(ya, pa).item(), a_precision: nr.metrics.precision(ya, pa.greater(0.5)).item(), b_rmse: Math.sqrt(nr.metrics.mse(yb, pb).mean().item()) }));
    for (const batchSize of [2, 13]) {
      const logs = m.evaluate(x, [ya, yb], { batchSize, returnDict: true });
      for (const [k, v] of Object.entries(want)) expect(logs[k], `${k} batchSize ${batchSize}`).toBeCloseTo(v, 5);
    }
    const hist = await m.fit(x, [ya, yb], { batchSize: 4, epochs: 2, verbose: 0 });
    for (const [k, v] of Object.entries(want)) expect(hist.history[k], k).toEqual([expect.closeTo(v, 5), expect.closeTo(v, 5)]);
    // A loss function: the step runs on the tape, the metrics accumulate the same way.
    const one = nr.sequential({ layers: [L.dense({ inputShape: [3], units: 1, activation: 'sigmoid' })] });
    one.compile({ optimizer: nr.train.sgd(0), loss: (t, p) => nr.losses.binaryCrossentropy(t, p), metrics: ['auc', 'recall'] });
    const p1 = one.predict(x);
    const h1 = await one.fit(x, ya, { batchSize: 3, epochs: 1, verbose: 0 });
    nr.tidy(() => {
      expect(h1.history.auc[0]).toBeCloseTo(nr.metrics.auc(ya, p1).item(), 6);
      expect(one.evaluate(x, ya, { batchSize: 5, returnDict: true }).recall).toBeCloseTo(nr.metrics.recall(ya, p1.greater(0.5)).item(), 6);
    });
    for (const t of [x, ya, yb, pa, pb, p1]) t.dispose();
    m.dispose();
    one.dispose();
  });
});

describe('accumulated metrics: saving', () => {
  it('a save keeps the metrics with their options ({ name: \'auc\', curve: \'PR\' }), so the loaded model logs the same values', async () => {
    const m = build('multilabel');
    const b = (await nr.loadModel(await m.toArtifacts({ includeOptimizer: true }))) as nr.Sequential;
    const c = CASE.multilabel;
    nr.tidy(() => {
      const [x, y] = [T(c.x), T(c.y)];
      expectLogs(b.evaluate(x, y, { batchSize: 4, returnDict: true }), c.evaluate4, 'loaded model evaluate');
    });
    m.dispose();
    b.dispose();
  });
});

describe('accumulated metrics: TF.js reads the file', () => {
  it("TF.js's trainingConfig leaves out the metrics its compile does not know (its load failed: 'Unknown metric auc'); neurite's record keeps them", async () => {
    const m = nr.sequential({ layers: [L.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc', 'recall', 'precision', 'mse'] });
    const a = await m.toArtifacts();
    expect((a.trainingConfig as { metrics: unknown }).metrics).toEqual(['accuracy', 'mse']);
    const t = await tfl.loadLayersModel(tf.io.fromMemory(a));
    t.dispose();
    const b = (await nr.loadModel(a)) as nr.Sequential;
    expect(b.metricsNames).toEqual(['loss', 'acc', 'auc', 'recall', 'precision', 'mse']);
    m.dispose();
    b.dispose();
  });
});

describe('accumulated metrics: errors', () => {
  const model = (units = 1, activation: 'sigmoid' | 'linear' = 'sigmoid') => nr.sequential({ layers: [L.dense({ inputShape: [2], units, activation })] });

  it('bad options name the option and the metric; unknown keys suggest the nearest', () => {
    const m = model();
    const c = (metrics: unknown) => () => m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: metrics as nr.MetricSpec });
    expect(c([{ name: 'auc', numThreshold: 10 }])).toThrow(/compile: metrics\[0\] 'auc': unknown option 'numThreshold'.*numThresholds/);
    expect(c([{ name: 'auc', numThresholds: 1 }])).toThrow("compile: metrics[0] 'auc': numThresholds must be an integer in [2, 1e6], got 1");
    expect(c([{ name: 'auc', curve: 'roc' }])).toThrow(/curve must be one of 'ROC', 'PR', got the string "roc" — did you mean 'ROC'\?/);
    expect(c([{ name: 'f1Score', average: 'binary' }])).toThrow(/average must be one of 'macro', 'micro', 'weighted', got the string "binary"/);
    expect(c([{ name: 'f1Score', threshold: 0 }])).toThrow(/threshold must be a number in \(0, 1\]/);
    expect(c([{ name: 'precision', thresholds: 0.3 }])).toThrow(/compile: metrics\[0\] 'precision': unknown option 'thresholds'/);
    expect(c(['auc', 'AUC'])).toThrow("compile: metrics[0] and metrics[1] are both logged as 'auc'");
    expect(c([{ name: 'aucc' }])).toThrow(/unknown metric .*did you mean 'auc'/i);
    m.dispose();
  });

  it('weightedMetrics refuses them (they are unweighted, as Keras 3\'s metrics)', () => {
    const m = model();
    expect(() => m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', weightedMetrics: ['auc'] })).toThrow(/weightedMetrics\[0\] is 'auc', a metric accumulated over the epoch/);
    m.dispose();
  });

  it('auc refuses predictions outside [0, 1] (Keras clips them silently), naming the value; shapes that do not pair are refused', async () => {
    const m = model(1, 'linear');
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc'] });
    const x = nr.tensor([[3, 3], [-3, -3]]);
    const y = nr.tensor([[1], [0]]);
    nr.tidy(() => m.setWeights([nr.ones([2, 1]), nr.zeros([1])]));
    expect(() => m.evaluate(x, y)).toThrow(/evaluate: metric 'auc' reads predictions as probabilities in \[0, 1\], got 6 at flat index 0 of yPred \(shape \[2,1\]\); give the output a 'sigmoid'/);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/fit: metric 'auc' reads predictions as probabilities/);
    expect(() => nr.metrics.auc([[1], [0]], [[0.2, 0.3], [0.4, 0.5]])).toThrow(/metrics.auc: yTrue has shape \[2,1\] but yPred has shape \[2,2\]/);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it("a NaN prediction (a diverged fit) makes auc NaN, not a range error, so terminateOnNaN stops the fit as with the other metrics", async () => {
    expect(nr.tidy(() => nr.metrics.auc([1, 0], [0.2, Number.NaN]).dataSync()[0])).toBeNaN();
    const m = model(1, 'sigmoid');
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['auc'] });
    const x = nr.tensor([[3, -1], [-3, 2], [1, 1], [-2, -2]]);
    const y = nr.tensor([[1], [0], [1], [0]]);
    try {
      // Weights gone NaN, as a diverged fit leaves them.
      nr.tidy(() => m.setWeights([nr.fill([2, 1], Number.NaN), nr.zeros([1])], { allowNonFinite: true }));
      const h = await m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0, callbacks: [nr.callbacks.terminateOnNaN()] });
      expect(h.history.loss.length).toBe(1);
      expect(h.history.auc[0]).toBeNaN();
    } finally {
      m.dispose();
      x.dispose();
      y.dispose();
    }
  });

  it('a vector of labels and predictions is one column ([n] as [n, 1]), as TF.js users keep binary labels', () => {
    const f1 = (t: number[] | number[][], p: number[] | number[][]) => nr.tidy(() => nr.metrics.f1Score(t, p).dataSync()[0]);
    expect(f1([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.6])).toBe(f1([[0], [1], [1], [0]], [[0.1], [0.9], [0.4], [0.6]]));
    // One true positive, one false positive, one false negative: F1 = 2·1 / (2·1 + 1 + 1) = 0.5.
    expect(f1([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.6])).toBeCloseTo(0.5, 6);
  });
});

describe('metrics that read probabilities under a loss that reads logits', () => {
  // A PyTorch user's BCEWithLogitsLoss: binaryCrossentropy with fromLogits on a linear output.
  // 'accuracy' thresholds logits at 0; precision, recall and the others thresholded them at 0.5
  // in silence (0.5, 0, 0 where 0.83, 0.75, 1 were right), and auc advised a sigmoid.
  it("auc's fromLogits (Keras 3's from_logits): the logits through a sigmoid, the same AUC as of the probabilities", () => {
    const logits = [2.1, -0.3, 0.4, -1.7, 0.05, 3, -2.2, 0.9];
    const y = [1, 0, 1, 0, 0, 1, 1, 0];
    const probs = logits.map((v) => 1 / (1 + Math.exp(-v)));
    const [a, b] = nr.tidy(() => [nr.metrics.auc(y, logits, { fromLogits: true }).item(), nr.metrics.auc(y, probs).item()]);
    expect(a).toBeCloseTo(b, 6);
    expect(() => nr.metrics.auc(y, logits)).toThrow(/or for logits \(a loss with fromLogits: true\) use \{ name: 'auc', fromLogits: true \}$/);
    expect(() => nr.metrics.auc(y, logits, { fromLogits: 1 as never })).toThrow('metrics.auc: fromLogits must be true or false, got 1');
  });

  it('compile says which ones, once; accuracy alone, or a sigmoid output, says nothing', () => {
    const make = () => nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warned.push(a.join(' '));
    try {
      const m = make();
      m.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', fromLogits: true }, metrics: ['accuracy', 'precision', 'recall', 'auc'] });
      expect(warned).toEqual([`compile: model ${m.name}'s loss reads its output as logits (binaryCrossentropy with fromLogits: true), but the metrics 'precision', 'recall', 'auc' read it as probabilities: a logit above 0.5 (a probability of 0.62) counts as positive, and auc refuses values outside [0, 1]. 'accuracy' reads logits here, and so does { name: 'auc', fromLogits: true }; for the others give the output a 'sigmoid' activation and compile the loss without fromLogits`]);
      const quiet = make();
      quiet.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
      const probs = make();
      probs.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['precision'] });
      expect(warned).toHaveLength(1);
      // An auc told the predictions are logits is not listed.
      const logitAuc = make();
      logitAuc.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', fromLogits: true }, metrics: [{ name: 'auc', fromLogits: true }, 'recall'] });
      expect(warned[1]).toMatch(/but the metric 'recall' reads it as probabilities/);
      nr.dispose([m, quiet, probs, logitAuc]);
    } finally {
      console.warn = warn;
    }
  });
});

describe('metrics computed outside the core read the training step\'s own output', () => {
  it("under batch normalization (training statistics) a JS-computed 'binaryCrossentropy' equals the loss, and auc follows it, as Keras 3 and TF.js (an inference pass before the step gave 5.4 for a loss of 0.7 and auc 0.5 at accuracy 0.88)", async () => {
    const n = 64;
    const xs = new Float32Array(n * 2), ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = Math.sin(i * 1.7), b = Math.cos(i * 0.9);
      xs[2 * i] = 100 + a;
      xs[2 * i + 1] = 50 + b;
      ys[i] = a + b > 0 ? 1 : 0;
    }
    const x = nr.tensor(xs, [n, 2]), y = nr.tensor(ys, [n, 1]);
    const m = nr.sequential({ seed: 3, layers: [nr.layers.batchNormalization({ inputShape: [2] }), nr.layers.dense({ units: 8, activation: 'relu' }), nr.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.03 }), loss: 'binaryCrossentropy', metrics: ['binaryCrossentropy', 'acc'] });
    for (let step = 0; step < 5; step++) {
      const [loss, bce] = m.trainOnBatch(x, y) as number[];
      expect(Math.abs(bce - loss), `step ${step}: loss ${loss}, metric ${bce}`).toBeLessThan(1e-5 * Math.max(1, loss));
    }
    const h = await m.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0, shuffle: false });
    h.history.loss.forEach((l, i) => expect(Math.abs(h.history.binaryCrossentropy[i] - l)).toBeLessThan(1e-5 * Math.max(1, l)));
    nr.dispose([x, y, m]);
  });
});
